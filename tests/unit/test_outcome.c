/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * Outcomes (phase 5, sim/model/outcome.c) and what observe makes of them:
 * relief, not contact. On one tiny quiet neighbourhood (no needs, offers,
 * groups or service hours until a test sets them, as in test_allocate.c),
 * a need is relieved only when its help took at least
 * outcomes.relief_min_severity off it; hours that did not are contact
 * (reached but not relieved), and the need stays unmet and on its sector's
 * own left-out clock.
 *
 * Checked against the mechanism removed (each by editing outcome.c and
 * rerunning this file, then restoring it):
 *  - relieved() returning nh->total > 0 (any hours relieve, the old rule):
 *    zero_effect_help_is_contact_not_relief and
 *    help_below_the_relief_threshold_is_not_relief fail (clock 0, no
 *    ineffective bit, left_out_rate 0);
 *  - every sector's clock reset when any route helped (the old single clock):
 *    help_in_one_sector_leaves_the_other_sectors_clock_running fails;
 *  - the clock not reset on relief: relieving_help_resets_the_clock fails;
 *  - observe_top_share ignoring its population (top 31% of volunteers):
 *    civic_core_counts_the_adult_population fails.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "fixture.h"
#include "help.h"
#include "observe.h"

typedef struct fixture {
    cw_mem mem;
    world w;
    cw_params p;
    event_log log;
    help_scratch hs;
    observe_scratch os;
    metrics_frame frame;
    uint32_t g;
} fixture;

static void setup(fixture *f)
{
    memset(f, 0, sizeof *f);
    tiny_world(&f->mem, &f->w, &f->p, &f->log, 1, 30, 3, NULL);
    cr_assert_eq(help_scratch_init(&f->hs, &f->mem, &f->w, 1), CW_OK);
    cr_assert_eq(observe_scratch_init(&f->os, &f->mem, &f->w), CW_OK);
    cr_assert_eq(metrics_frame_init(&f->frame, &f->mem, f->w.n_nbhd, (int)f->p.population_identity_groups), CW_OK);
    cr_assert_geq(f->w.n_res, 4);
    cr_assert_gt(f->w.nbhd_group_first[1], f->w.nbhd_group_first[0], "the neighbourhood has group slots");

    tiny_world_quiet(&f->w, &f->p); /* every route closed until a test opens it */
    f->g = f->w.nbhd_group_first[0];
}

static void teardown(fixture *f)
{
    metrics_frame_free(&f->frame, &f->mem);
    observe_scratch_free(&f->os, &f->mem);
    help_scratch_free(&f->hs, &f->mem);
    tiny_world_free(&f->mem, &f->w, &f->log);
}

static float *need_at(fixture *f, uint32_t i, int s) { return &f->w.need[(size_t)i * N_SECTORS + (size_t)s]; }
static uint16_t *clock_at(fixture *f, uint32_t i, int s) { return &f->w.unrelieved_weeks[(size_t)i * N_SECTORS + (size_t)s]; }
static float wanted(const fixture *f, float sev) { return (float)(f->p.help_hours_per_severity * sev); }
static int bit(uint8_t mask, int k) { return (mask >> k) & 1u; }

/* Phases 3-5 for a week, then observe. */
static void week(fixture *f)
{
    help_ask(&f->w);
    help_offer(&f->w, &f->p, 7, 11);
    help_allocate(&f->w, &f->p, 7, 11, &f->hs);
    observe_week(&f->w, &f->p, 11, f->hs.sums, &f->os, &f->frame);
    observe_area(&f->w, &f->os, f->hs.sums, &f->frame);
}

static float metric(const fixture *f, int m, int k) { return f->frame.values[m][k]; }

/* One living health group (mutual aid) open to anyone, resident i a member. */
static void group_for(fixture *f, uint32_t i, float hours)
{
    world *w = &f->w;
    w->group_alive[f->g] = 1;
    w->group_kind[f->g] = GK_MUTUAL_AID;
    w->group_openness[f->g] = 1.0f;
    w->group_volunteer_hours[f->g] = hours;
    w->membership[(size_t)i * MAX_MEMBERSHIPS] = (uint8_t)(f->g - w->nbhd_group_first[0]);
}

/* Group help with zero effect on health reaches the need every week but
 * never relieves it: the need is unmet, grows as if unhelped, its clock
 * runs on, and after outcomes.left_out_weeks the resident is left out;
 * contact shows in the reached-but-not-relieved metrics. */
Test(outcome, zero_effect_help_is_contact_not_relief)
{
    fixture f;
    setup(&f);
    f.p.help_eff_grp_health = 0.0;
    const uint32_t i = 1;
    float sev = 0.5f;
    *need_at(&f, i, SECTOR_HEALTH) = sev;
    group_for(&f, i, wanted(&f, 1.0f));
    double n = f.w.n_res;
    for (int wk = 1; wk <= f.p.out_left_out_weeks; wk++) {
        week(&f);
        cr_assert(bit(f.w.helped_by[i], ROUTE_GROUP), "week %d: the group gave hours", wk);
        cr_expect(bit(f.w.ineffective_mask[i], SECTOR_HEALTH), "week %d: reached but not relieved", wk);
        cr_expect(bit(f.w.ineffective_by[i], ROUTE_GROUP), "week %d: by the group", wk);
        cr_expect(bit(f.w.unmet_mask[i], SECTOR_HEALTH), "week %d: the need counts as unmet", wk);
        cr_expect_eq(*clock_at(&f, i, SECTOR_HEALTH), wk, "week %d: the clock runs on", wk);
        float grown = (float)(sev + f.p.out_unmet_growth * (1.0 - sev));
        cr_expect_float_eq(*need_at(&f, i, SECTOR_HEALTH), grown, 1e-6, "week %d: the need grows as unhelped", wk);
        sev = *need_at(&f, i, SECTOR_HEALTH);
        cr_expect_float_eq(metric(&f, M_UNMET_NEED_RATE, SECTOR_HEALTH), 1.0 / n, 1e-6);
        cr_expect_float_eq(metric(&f, M_REACHED_NOT_RELIEVED, SECTOR_HEALTH), 1.0 / n, 1e-6);
        cr_expect_float_eq(metric(&f, M_REACHED_NOT_RELIEVED_BY_ROUTE, ROUTE_GROUP), 1.0 / n, 1e-6);
        cr_expect_float_eq(metric(&f, M_REACHED_NOT_RELIEVED_BY_ROUTE, ROUTE_SERVICE), 0.0, 1e-9);
        cr_expect_float_eq(metric(&f, A_REACHED_NOT_RELIEVED, 0), 1.0 / n, 1e-6);
        float left_out = wk >= f.p.out_left_out_weeks ? (float)(1.0 / n) : 0.0f;
        cr_expect_float_eq(metric(&f, M_LEFT_OUT_RATE, 0), left_out, 1e-6, "week %d: left out only from week %d",
                           wk, (int)f.p.out_left_out_weeks);
    }
    teardown(&f);
}

/* A service relieves the food need; the health need, unhelped, keeps its
 * own clock, and its resident is left out although helped this week. */
Test(outcome, help_in_one_sector_leaves_the_other_sectors_clock_running)
{
    fixture f;
    setup(&f);
    const uint32_t i = 1;
    *need_at(&f, i, SECTOR_HEALTH) = 0.5f;
    *need_at(&f, i, SECTOR_FOOD) = 0.5f;
    uint16_t before = (uint16_t)(f.p.out_left_out_weeks - 1);
    *clock_at(&f, i, SECTOR_HEALTH) = before;
    *clock_at(&f, i, SECTOR_FOOD) = before;
    f.w.service_staff_hours[SECTOR_FOOD] = wanted(&f, 1.0f);
    week(&f);
    cr_assert(bit(f.w.helped_by[i], ROUTE_SERVICE), "the food service helped");
    cr_expect_eq(*clock_at(&f, i, SECTOR_FOOD), 0, "food relieved: its clock resets");
    cr_expect_eq(*clock_at(&f, i, SECTOR_HEALTH), before + 1, "health unhelped: its clock runs on");
    cr_expect(bit(f.w.unmet_mask[i], SECTOR_HEALTH) && !bit(f.w.unmet_mask[i], SECTOR_FOOD));
    cr_expect_eq(f.w.ineffective_mask[i], 0, "health got no hours: unmet, not reached");
    cr_expect_float_eq(metric(&f, M_LEFT_OUT_RATE, 0), 1.0 / f.w.n_res, 1e-6, "left out for the health need");
    teardown(&f);
}

/* Help that takes enough off a need relieves it: the clock resets, the
 * need falls by the help's effect, nothing is unmet. */
Test(outcome, relieving_help_resets_the_clock)
{
    fixture f;
    setup(&f);
    const uint32_t i = 1;
    float sev = 0.5f;
    *need_at(&f, i, SECTOR_HEALTH) = sev;
    *clock_at(&f, i, SECTOR_HEALTH) = 10;
    f.w.service_staff_hours[SECTOR_HEALTH] = wanted(&f, 1.0f);
    week(&f);
    cr_assert(bit(f.w.helped_by[i], ROUTE_SERVICE));
    cr_expect_eq(*clock_at(&f, i, SECTOR_HEALTH), 0);
    float left = (float)(sev - f.p.help_eff_svc_health * wanted(&f, sev));
    cr_expect_float_eq(*need_at(&f, i, SECTOR_HEALTH), left, 1e-6, "the need falls by the service's effect");
    cr_expect_eq(f.w.unmet_mask[i], 0);
    cr_expect_eq(f.w.ineffective_mask[i], 0);
    cr_expect_float_eq(metric(&f, M_LEFT_OUT_RATE, 0), 0.0, 1e-9);
    cr_expect_float_eq(metric(&f, M_REACHED_NOT_RELIEVED, SECTOR_HEALTH), 0.0, 1e-9);
    teardown(&f);
}

/* Hours that take off half of outcomes.relief_min_severity are not relief:
 * the need grows less what they took off, the clock runs on. With the
 * threshold at 0 the same hours relieve (any hours count, the old rule). */
Test(outcome, help_below_the_relief_threshold_is_not_relief)
{
    for (int zero = 0; zero <= 1; zero++) {
        fixture f;
        setup(&f);
        const uint32_t i = 1;
        float sev = 0.5f;
        *need_at(&f, i, SECTOR_HEALTH) = sev;
        *clock_at(&f, i, SECTOR_HEALTH) = 2;
        double took = 0.5 * f.p.out_relief_min;
        cr_assert_gt(took, 0.0);
        f.p.help_eff_svc_health = took / wanted(&f, sev);
        if (zero) f.p.out_relief_min = 0.0;
        f.w.service_staff_hours[SECTOR_HEALTH] = wanted(&f, 1.0f);
        week(&f);
        cr_assert(bit(f.w.helped_by[i], ROUTE_SERVICE));
        if (zero) {
            cr_expect_eq(*clock_at(&f, i, SECTOR_HEALTH), 0, "threshold 0: any hours relieve");
            cr_expect_float_eq(*need_at(&f, i, SECTOR_HEALTH), (float)(sev - took), 1e-6);
            cr_expect_eq(f.w.ineffective_mask[i], 0);
        } else {
            cr_expect_eq(*clock_at(&f, i, SECTOR_HEALTH), 3, "too little relief: the clock runs on");
            float grown = (float)(sev + f.p.out_unmet_growth * (1.0 - sev) - took);
            cr_expect_float_eq(*need_at(&f, i, SECTOR_HEALTH), grown, 1e-6, "grows, less what the help took off");
            cr_expect(bit(f.w.ineffective_mask[i], SECTOR_HEALTH));
            cr_expect(bit(f.w.ineffective_by[i], ROUTE_SERVICE));
            cr_expect(bit(f.w.unmet_mask[i], SECTOR_HEALTH));
        }
        teardown(&f);
    }
}

/* Mohan & Bulloch's civic core: the share of hours given by the most active
 * 31% of the adult population. Two volunteers among ten adults: the top
 * 31% (3.1 people) hold every volunteer, so all the hours; among the two
 * volunteers alone the top 31% (0.62 of the busier one) give less. */
Test(outcome, civic_core_counts_the_adult_population)
{
    double count[4] = {0, 1, 0, 1}, sum[4] = {0, 10, 0, 30};
    cr_expect_float_eq(observe_top_share(count, sum, 4, 0.31, 10.0), 1.0, 1e-12);
    cr_expect_float_eq(observe_top_share(count, sum, 4, 0.31, 2.0), 30.0 * 0.62 / 40.0, 1e-12);
    /* ten volunteers of equal hours among 100 adults: the top 31 hold all */
    double c2[1] = {10}, s2[1] = {50};
    cr_expect_float_eq(observe_top_share(c2, s2, 1, 0.31, 100.0), 1.0, 1e-12);
    /* 100 volunteers of equal hours among 100 adults: 31% */
    double c3[1] = {100}, s3[1] = {500};
    cr_expect_float_eq(observe_top_share(c3, s3, 1, 0.31, 100.0), 0.31, 1e-12);
}
