/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * The money phase (7b): competitive grants follow capacity, patient funding
 * follows need, both spend the same, and core funding starts and stops when
 * it should. The social phase is stood in for by social_stub.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "funding.h"
#include "groups.h"
#include "fixture.h"
#include "population.h"
#include "services.h"

enum { MODE_NONE, MODE_COMPETITIVE, MODE_PATIENT };

typedef struct fixture {
    cw_mem mem;
    world w;
    cw_params p;
    event_log log;
    funding_state fs;
} fixture;

static void setup(fixture *f, int n_nbhd, int residents, void (*tweak)(cw_params *))
{
    memset(f, 0, sizeof *f);
    tiny_world(&f->mem, &f->w, &f->p, &f->log, n_nbhd, residents, 9, tweak);
    cr_assert_eq(funding_state_init(&f->fs, &f->mem, &f->w), CW_OK);
}

static void teardown(fixture *f)
{
    funding_state_free(&f->fs, &f->mem);
    tiny_world_free(&f->mem, &f->w, &f->log);
}

/* Members count; volunteer hours differ from group to group (0..40). */
static void social_stub(world *w)
{
    for (int b = 0; b < w->n_nbhd; b++) {
        uint32_t g0 = w->nbhd_group_first[b];
        for (uint32_t k = g0; k < w->nbhd_group_first[b + 1]; k++) w->group_members[k] = 0;
        for (uint32_t i = w->nbhd_first[b]; i < w->nbhd_first[b + 1]; i++)
            for (int q = 0; q < MAX_MEMBERSHIPS; q++) {
                uint8_t m = w->membership[(size_t)i * MAX_MEMBERSHIPS + (size_t)q];
                if (m != NO_MEMBERSHIP && w->group_alive[g0 + m]) w->group_members[g0 + m]++;
            }
        for (uint32_t k = g0; k < w->nbhd_group_first[b + 1]; k++)
            w->group_volunteer_hours[k] = w->group_alive[k] ? (float)((k * 37u) % 41u) : 0.0f;
    }
}

/* Rows of `kind` (and detail, -1 any) logged since the last clear_log. */
static uint32_t count_rows(const event_log *log, int kind, int detail)
{
    uint32_t n = 0;
    for (int b = 0; b <= log->n_nbhd; b++)
        for (uint32_t r = 0; r < log->count[b]; r++) {
            const event_row *e = &log->rows[(size_t)b * log->cap + r];
            n += e->kind == kind && (detail < 0 || e->detail == detail);
        }
    return n;
}

static void clear_log(event_log *log)
{
    event_log_end_week(log);
}

static double weekly_budget(const fixture *f) { return f->p.investment_amount * f->w.n_res / 52.0; }

static double area_spend(const fixture *f)
{
    double s = 0.0;
    for (int b = 0; b < f->w.n_nbhd; b++)
        s += funding_grant_per_resident(&f->w, &f->p, b) * (f->w.nbhd_first[b + 1] - f->w.nbhd_first[b]);
    return s;
}

static void clear_funding(world *w)
{
    for (uint32_t k = 0; k < w->n_groups; k++) {
        w->group_funding[k] = FUND_NONE;
        w->group_funding_end[k] = NEVER;
        w->group_grant_per_week[k] = 0.0f;
        w->group_paid_hours[k] = 0.0f;
    }
}

/* ---- competitive --------------------------------------------------------------- */

typedef struct capacity_grant {
    double capacity, grant;
} capacity_grant;

static int by_capacity(const void *a, const void *b)
{
    const capacity_grant *x = a, *y = b;
    return (x->capacity > y->capacity) - (x->capacity < y->capacity);
}

/* 20 independent rounds in which a third of the groups can win; returns the
 * share of the money won by the top capacity quartile over the bottom one,
 * and the correlation between capacity and money won. */
static void competitive_rounds(double exponent, double *top_over_bottom, double *corr)
{
    fixture f;
    setup(&f, 12, 1000, NULL);
    social_stub(&f.w);
    uint32_t n = 0;
    capacity_grant cg[4096];
    uint32_t slot[4096];
    for (uint32_t k = 0; k < f.w.n_groups; k++)
        if (f.w.group_alive[k]) {
            cr_assert_lt(n, 4096);
            slot[n] = k;
            cg[n++] = (capacity_grant){f.w.group_volunteer_hours[k], 0.0};
        }
    cr_assert_gt(n, 24);
    f.p.investment_mode = MODE_COMPETITIVE;
    f.p.investment_capacity_exponent = exponent;
    f.p.investment_amount = ((n / 3) * f.p.investment_grant_size + 1.0) * 52.0 / f.w.n_res;
    for (uint32_t r = 0; r < 20; r++) {
        clear_funding(&f.w);
        uint32_t step = r * (uint32_t)f.p.investment_round_weeks;
        funding_step(&f.w, &f.p, &f.fs, (uint64_t)f.p.run_seed, step, &f.log);
        cr_assert_eq(count_rows(&f.log, EV_GRANT_START, FUND_COMPETITIVE), n / 3, "round %u", r);
        clear_log(&f.log);
        for (uint32_t j = 0; j < n; j++) {
            cg[j].grant += f.w.group_grant_per_week[slot[j]];
            if (f.w.group_funding[slot[j]] == FUND_COMPETITIVE) {
                cr_assert_eq(f.w.group_funding_end[slot[j]], step + f.p.investment_grant_weeks);
                cr_assert_float_eq(f.w.group_paid_hours[slot[j]], f.p.investment_grant_size / f.p.groups_paid_hour_cost, 1e-4);
            }
        }
    }
    qsort(cg, n, sizeof *cg, by_capacity);
    double top = 0, bottom = 0, mc = 0, mg = 0, sxy = 0, sxx = 0, syy = 0;
    for (uint32_t j = 0; j < n / 4; j++) bottom += cg[j].grant, top += cg[n - 1 - j].grant;
    for (uint32_t j = 0; j < n; j++) mc += cg[j].capacity / n, mg += cg[j].grant / n;
    for (uint32_t j = 0; j < n; j++) {
        sxy += (cg[j].capacity - mc) * (cg[j].grant - mg);
        sxx += (cg[j].capacity - mc) * (cg[j].capacity - mc);
        syy += (cg[j].grant - mg) * (cg[j].grant - mg);
    }
    *top_over_bottom = top / fmax(bottom, 1.0);
    *corr = sxy / sqrt(sxx * syy);
    teardown(&f);
}

Test(funding, competitive_grants_flow_to_where_capacity_already_is)
{
    double ratio, corr, ratio0, corr0;
    competitive_rounds(1.0, &ratio, &corr);
    cr_assert_gt(corr, 0.2, "correlation of capacity and grant %g", corr);
    cr_assert_gt(ratio, 2.0, "top capacity quartile won %g x the bottom's money", ratio);
    /* the mechanism: without the capacity exponent the concentration goes */
    competitive_rounds(0.0, &ratio0, &corr0);
    cr_assert_lt(ratio0, ratio, "exponent 0: %g vs exponent 1: %g", ratio0, ratio);
    cr_assert_lt(fabs(corr0), corr);
}

Test(funding, competitive_rounds_grant_only_the_uncommitted_budget)
{
    fixture f;
    setup(&f, 6, 1000, NULL);
    social_stub(&f.w);
    f.p.investment_mode = MODE_COMPETITIVE;
    double budget = weekly_budget(&f);
    uint32_t expected = (uint32_t)floor(budget / f.p.investment_grant_size);
    funding_step(&f.w, &f.p, &f.fs, (uint64_t)f.p.run_seed, 0, &f.log);
    cr_assert_eq(count_rows(&f.log, EV_GRANT_START, FUND_COMPETITIVE), expected);
    clear_log(&f.log);
    for (uint32_t s = 1; s <= 52; s++) funding_step(&f.w, &f.p, &f.fs, (uint64_t)f.p.run_seed, s, &f.log);
    /* week 52 is a round, but the budget is still committed */
    cr_assert_eq(count_rows(&f.log, EV_GRANT_START, -1), 0);
    cr_assert_leq(area_spend(&f), budget + 1e-6);
    cr_assert_gt(area_spend(&f), budget - f.p.investment_grant_size);
    teardown(&f);
}

/* ---- patient ----------------------------------------------------------------- */

static void patient_mode(cw_params *p) { p->investment_mode = MODE_PATIENT; }

Test(funding, patient_funding_goes_to_deprived_neighbourhoods)
{
    fixture f;
    setup(&f, 10, 500, patient_mode);
    social_stub(&f.w);
    funding_step(&f.w, &f.p, &f.fs, (uint64_t)f.p.run_seed, 0, &f.log);
    int order[10];
    for (int b = 0; b < 10; b++) order[b] = b;
    for (int i = 1; i < 10; i++) /* insertion sort by deprivation */
        for (int j = i; j > 0 && f.w.deprivation[order[j]] < f.w.deprivation[order[j - 1]]; j--) {
            int t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    for (int i = 1; i < 10; i++) {
        int lo = order[i - 1], hi = order[i];
        cr_assert_gt(funding_grant_per_resident(&f.w, &f.p, hi), funding_grant_per_resident(&f.w, &f.p, lo),
                     "deprivation %g gets no more than %g", f.w.deprivation[hi], f.w.deprivation[lo]);
        cr_assert_gt(f.w.cdw_hours[hi], 0.0f);
    }
    /* spend per resident is proportional to deprivation (exponent 1) */
    int most = order[9];
    double per_unit = funding_grant_per_resident(&f.w, &f.p, most) / f.w.deprivation[most];
    for (int b = 0; b < 10; b++)
        cr_assert_float_eq(funding_grant_per_resident(&f.w, &f.p, b), per_unit * f.w.deprivation[b], 1e-4 * per_unit);
    cr_assert_float_eq(area_spend(&f), weekly_budget(&f), 1e-4 * weekly_budget(&f));
    /* one anchor per neighbourhood that has a group: the one with most members */
    uint32_t anchors = 0;
    for (int b = 0; b < 10; b++) {
        uint32_t best = UINT32_MAX, core = UINT32_MAX;
        for (uint32_t k = f.w.nbhd_group_first[b]; k < f.w.nbhd_group_first[b + 1]; k++) {
            if (!f.w.group_alive[k]) continue;
            if (best == UINT32_MAX || f.w.group_members[k] > f.w.group_members[best]) best = k;
            if (f.w.group_funding[k] == FUND_CORE) {
                cr_assert_eq(core, UINT32_MAX, "two anchors");
                core = k;
            }
        }
        cr_assert_eq(core, best, "neighbourhood %d", b);
        if (core != UINT32_MAX) {
            anchors++;
            cr_assert_eq(f.w.group_funding_end[core], f.p.investment_core_weeks);
        }
        cr_assert(f.w.volunteer_support[b] >= 0.0f && f.w.volunteer_support[b] <= 1.0f);
    }
    cr_assert_eq(count_rows(&f.log, EV_GRANT_START, FUND_CORE), anchors);
    cr_assert_gt(anchors, 5);
    teardown(&f);
}

static double year_of_spend(int mode)
{
    fixture f;
    setup(&f, 6, 1000, NULL);
    f.p.investment_mode = mode;
    social_stub(&f.w);
    double total = 0.0;
    for (uint32_t s = 0; s < 52; s++) {
        funding_step(&f.w, &f.p, &f.fs, (uint64_t)f.p.run_seed, s, &f.log);
        clear_log(&f.log);
        total += area_spend(&f);
    }
    teardown(&f);
    return total;
}

Test(funding, patient_and_competitive_spend_the_same_over_a_year)
{
    fixture f;
    setup(&f, 6, 1000, NULL);
    double year = weekly_budget(&f) * 52.0, grant_year = f.p.investment_grant_size * 52.0;
    teardown(&f);
    double competitive = year_of_spend(MODE_COMPETITIVE), patient = year_of_spend(MODE_PATIENT);
    double none = year_of_spend(MODE_NONE);
    cr_assert_float_eq(patient, year, 1e-4 * year, "patient spent %g of %g", patient, year);
    cr_assert_leq(competitive, year + 1e-6);
    cr_assert_lt(fabs(competitive - patient), grant_year, "competitive %g vs patient %g", competitive, patient);
    cr_assert_eq(none, 0.0);
}

Test(funding, switching_to_none_stops_core_funding_but_grants_run_on)
{
    fixture f;
    setup(&f, 6, 800, patient_mode);
    social_stub(&f.w);
    uint32_t grantee = UINT32_MAX;
    for (uint32_t k = 0; k < f.w.n_groups && grantee == UINT32_MAX; k++)
        if (f.w.group_alive[k]) grantee = k; /* funded: never chosen as an anchor */
    cr_assert_neq(grantee, UINT32_MAX);
    f.w.group_funding[grantee] = FUND_COMPETITIVE;
    f.w.group_funding_end[grantee] = 200;
    f.w.group_grant_per_week[grantee] = 300.0f;
    f.w.group_paid_hours[grantee] = 15.0f;
    for (uint32_t s = 0; s < 3; s++) funding_step(&f.w, &f.p, &f.fs, (uint64_t)f.p.run_seed, s, &f.log);
    uint32_t anchors = count_rows(&f.log, EV_GRANT_START, FUND_CORE);
    cr_assert_gt(anchors, 3);
    cr_assert_eq(count_rows(&f.log, EV_GRANT_END, -1), 0);
    clear_log(&f.log);
    f.p.investment_mode = MODE_NONE;
    funding_step(&f.w, &f.p, &f.fs, (uint64_t)f.p.run_seed, 3, &f.log);
    cr_assert_eq(count_rows(&f.log, EV_GRANT_END, FUND_CORE), anchors);
    cr_assert_eq(count_rows(&f.log, EV_GRANT_END, -1), anchors);
    for (uint32_t k = 0; k < f.w.n_groups; k++) cr_assert_neq(f.w.group_funding[k], FUND_CORE);
    for (int b = 0; b < f.w.n_nbhd; b++) {
        cr_assert_eq(f.w.cdw_hours[b], 0.0f);
        cr_assert_eq(f.w.volunteer_support[b], 0.0f);
    }
    cr_assert_eq(f.w.group_funding[grantee], FUND_COMPETITIVE);
    cr_assert_eq(f.w.group_paid_hours[grantee], 15.0f);
    teardown(&f);
}

static void short_patient(cw_params *p)
{
    p->investment_mode = MODE_PATIENT;
    p->investment_core_weeks = 10;
    p->groups_formation_rate = 0.0;
}

Test(funding, a_dead_anchor_is_replaced_and_patient_money_stops_after_core_weeks)
{
    fixture f;
    setup(&f, 6, 800, short_patient);
    clear_log(&f.log);
    uint32_t first_anchor = UINT32_MAX;
    int b0 = -1;
    for (uint32_t s = 0; s < 14; s++) {
        if (s == 4) { /* the anchor folds (as if it had lost its last member) */
            funding_end_grant(&f.w, first_anchor, b0, s, &f.log);
            f.w.group_alive[first_anchor] = 0;
            f.w.group_died[first_anchor] = (uint16_t)(s - 1);
        }
        social_stub(&f.w);
        groups_step(&f.w, &f.p, (uint64_t)f.p.run_seed, s, &f.log);
        funding_step(&f.w, &f.p, &f.fs, (uint64_t)f.p.run_seed, s, &f.log);
        if (s == 0) {
            for (int b = 0; b < f.w.n_nbhd && b0 < 0; b++)
                for (uint32_t k = f.w.nbhd_group_first[b]; k < f.w.nbhd_group_first[b + 1]; k++)
                    if (f.w.group_funding[k] == FUND_CORE) b0 = b, first_anchor = k;
            cr_assert_geq(b0, 0);
        }
        if (s == 4) {
            uint32_t core = 0;
            for (uint32_t k = f.w.nbhd_group_first[b0]; k < f.w.nbhd_group_first[b0 + 1]; k++)
                if (f.w.group_funding[k] == FUND_CORE) {
                    core++;
                    cr_assert_neq(k, first_anchor);
                    cr_assert_eq(f.w.group_funding_end[k], 10, "ends with patient mode, not 10 weeks after");
                }
            cr_assert_eq(core, 1, "no new anchor in neighbourhood %d", b0);
        }
        if (s < 10) {
            cr_assert_gt(f.w.cdw_hours[b0], 0.0f);
            cr_assert_float_eq(area_spend(&f), weekly_budget(&f), 1e-4 * weekly_budget(&f));
        }
    }
    for (uint32_t k = 0; k < f.w.n_groups; k++) cr_assert_neq(f.w.group_funding[k], FUND_CORE);
    for (int b = 0; b < f.w.n_nbhd; b++) cr_assert_eq(f.w.cdw_hours[b], 0.0f);
    cr_assert_eq(area_spend(&f), 0.0);
    teardown(&f);
}

/* ---- services: budgets -> paid hours -> hours on needs ---------------------- */

static void flat_budgets(cw_params *p)
{
    p->funding_need_weighting = 0.0;
}

/* Only the direct share of a paid hour is an hour on needs, and a
 * partnership's escalation pool is top-sliced from every budget. */
Test(funding, services_work_the_direct_share_of_paid_hours_and_pay_for_the_pool)
{
    fixture f;
    setup(&f, 2, 100, flat_budgets);
    f.p.funding_budget_housing = 3.0;
    f.p.services_direct_housing = 0.5;
    f.p.services_staff_hour_cost = 30.0;
    services_fund(&f.w, &f.p);
    double residents = f.w.nbhd_first[1] - f.w.nbhd_first[0];
    double expect = 3.0 * residents / 30.0 * 0.5;
    cr_assert_float_eq(f.w.service_staff_hours[SECTOR_HOUSING], expect, 1e-4, "%g hours, not %g",
                       f.w.service_staff_hours[SECTOR_HOUSING], expect);
    double budgets[N_SECTORS], total = 0.0;
    services_budgets(&f.p, budgets);
    for (int s = 0; s < N_SECTORS; s++) total += budgets[s];
    f.p.policy_partnership = 1;
    f.p.partnership_pool_hours = 0.02;
    services_fund(&f.w, &f.p);
    double topslice = 1.0 - 0.02 * 30.0 / total;
    cr_assert_float_eq(f.w.service_staff_hours[SECTOR_HOUSING], expect * topslice, 1e-4,
                       "with the pool %g hours, not %g", f.w.service_staff_hours[SECTOR_HOUSING], expect * topslice);
    f.p.partnership_pool_hours = 0.0;
    services_fund(&f.w, &f.p);
    cr_assert_float_eq(f.w.service_staff_hours[SECTOR_HOUSING], expect, 1e-4, "a pool of 0 costs nothing");
    teardown(&f);
}
