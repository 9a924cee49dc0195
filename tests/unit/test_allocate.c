/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * Allocation (phase 4, sim/model/allocate.c) on one tiny neighbourhood whose
 * state each test sets by hand: who needs what, who trusts services, which
 * group is alive, how many hours each provider has. Everything else is
 * quiet (no needs, no offers, no groups, no service hours), so the test sees
 * one rule at a time. Where the rule under test is an order among equals,
 * the test runs with the two residents' roles swapped: their random keys
 * then decide one arrangement against the rule if the rule were missing.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "fixture.h"
#include "help.h"

typedef struct fixture {
    cw_mem mem;
    world w;
    cw_params p;
    event_log log;
    help_scratch hs;
    uint32_t g;  /* the one group slot the group tests bring to life */
} fixture;

static void setup(fixture *f)
{
    memset(f, 0, sizeof *f);
    tiny_world(&f->mem, &f->w, &f->p, &f->log, 1, 30, 3, NULL);
    cr_assert_eq(help_scratch_init(&f->hs, &f->mem, &f->w, 1), CW_OK);
    cr_assert_geq(f->w.n_res, 4);
    cr_assert_gt(f->w.nbhd_group_first[1], f->w.nbhd_group_first[0], "the neighbourhood has group slots");

    tiny_world_quiet(&f->w, &f->p); /* every route closed until a test opens it */
    f->g = f->w.nbhd_group_first[0];
}

static void teardown(fixture *f)
{
    help_scratch_free(&f->hs, &f->mem);
    tiny_world_free(&f->mem, &f->w, &f->log);
}

static void set_need(fixture *f, uint32_t i, int s, float sev) { f->w.need[(size_t)i * N_SECTORS + (size_t)s] = sev; }

/* Hours a need of severity sev asks of a route (help.hours_per_severity). */
static float wanted(const fixture *f, float sev) { return (float)(f->p.help_hours_per_severity * sev); }

/* Phases 3-5 for the week. */
static void allocate(fixture *f)
{
    help_ask(&f->w);
    help_offer(&f->w, &f->p, 7, 11);
    help_allocate(&f->w, &f->p, 7, 11, &f->hs);
}

static int helped(const fixture *f, uint32_t i, int route) { return (f->w.helped_by[i] >> route) & 1u; }

/* One living group that works in health, open to anyone, with `hours`. */
static void open_group(fixture *f, float hours)
{
    world *w = &f->w;
    w->group_alive[f->g] = 1;
    w->group_kind[f->g] = GK_MUTUAL_AID;
    w->group_openness[f->g] = 1.0f;
    w->group_volunteer_hours[f->g] = hours;
}

static void join(fixture *f, uint32_t i)
{
    f->w.membership[(size_t)i * MAX_MEMBERSHIPS] = (uint8_t)(f->g - f->w.nbhd_group_first[0]);
}

/* ---- priority: severity first, then waiting -------------------------------- */

Test(allocate, services_serve_the_more_severe_need_first)
{
    fixture f;
    setup(&f);
    set_need(&f, 1, SECTOR_HEALTH, 0.3f);
    set_need(&f, 2, SECTOR_HEALTH, 0.8f);
    f.w.service_staff_hours[SECTOR_HEALTH] = wanted(&f, 0.8f); /* exactly the severe need's hours */
    allocate(&f);
    cr_expect(helped(&f, 2, ROUTE_SERVICE), "the severe need is served");
    cr_expect(!helped(&f, 1, ROUTE_SERVICE), "the light need waits: the hours went to the severe one");
    cr_expect_float_eq(f.w.service_queue[SECTOR_HEALTH], 1.0f, 1e-6, "one request left unserved");
    teardown(&f);
}

Test(allocate, among_equal_needs_the_longer_wait_is_served_first)
{
    for (uint32_t waiting = 1; waiting <= 2; waiting++) {
        fixture f;
        setup(&f);
        uint32_t other = 3 - waiting;
        set_need(&f, 1, SECTOR_HEALTH, 0.5f);
        set_need(&f, 2, SECTOR_HEALTH, 0.5f);
        f.w.unrelieved_weeks[(size_t)waiting * N_SECTORS + SECTOR_HEALTH] = 10;
        f.w.service_staff_hours[SECTOR_HEALTH] = wanted(&f, 0.5f);
        allocate(&f);
        cr_expect(helped(&f, waiting, ROUTE_SERVICE), "resident %u waited 10 weeks and is served", waiting);
        cr_expect(!helped(&f, other, ROUTE_SERVICE), "resident %u, new, is not", other);
        teardown(&f);
    }
}

/* ---- two-phase requests ---------------------------------------------------- */

/* Offers read every resident's ask, whatever its place in the resident
 * order, and allocation hands over what was offered. */
Test(allocate, offers_are_made_to_stated_asks_before_allocation)
{
    fixture f;
    setup(&f);
    world *w = &f.w;
    uint32_t j = NO_RESIDENT, t = NO_RESIDENT; /* a helper whose household tie comes later in resident order */
    for (uint32_t a = 0; a < w->n_res && t == NO_RESIDENT; a++)
        for (uint32_t k = w->tie_offset[a]; k < w->tie_offset[a + 1] && t == NO_RESIDENT; k++)
            if (w->household[w->tie_target[k]] == w->household[a] && w->tie_target[k] > a) j = a, t = w->tie_target[k];
    cr_assert_neq(t, NO_RESIDENT, "some resident has a later household tie");
    f.p.help_household_offer_rate = 1.0;
    w->spare_hours[j] = 100.0f;
    set_need(&f, t, SECTOR_FOOD, 0.4f);
    allocate(&f);
    cr_expect_eq(w->give_to[j], t, "the offer goes to the tie in need");
    cr_expect_float_eq(w->give_hours[j], wanted(&f, 0.4f), 1e-4, "capped at what the need asks");
    cr_expect(helped(&f, t, ROUTE_INFORMAL), "allocation hands the offered hours over");
    cr_expect_lt(w->need[(size_t)t * N_SECTORS + SECTOR_FOOD], 0.4f, "and they lower the need");
    teardown(&f);
}

/* ---- triage ----------------------------------------------------------------- */

Test(allocate, services_turn_away_needs_below_eligibility_whatever_the_hours)
{
    fixture f;
    setup(&f);
    f.p.services_elig_health = 0.5;
    set_need(&f, 1, SECTOR_HEALTH, 0.3f);
    set_need(&f, 2, SECTOR_HEALTH, 0.6f);
    f.w.service_staff_hours[SECTOR_HEALTH] = 1000.0f;
    allocate(&f);
    cr_expect(!helped(&f, 1, ROUTE_SERVICE), "below eligibility: turned away");
    cr_expect(helped(&f, 2, ROUTE_SERVICE), "above it: served");
    cr_expect_lt(f.w.trust[1], f.w.trust[2], "being turned away costs trust that being served does not");
    teardown(&f);
}

/* ---- groups: members first ------------------------------------------------- */

Test(allocate, groups_serve_members_before_others)
{
    for (uint32_t member = 1; member <= 2; member++) {
        fixture f;
        setup(&f);
        uint32_t other = 3 - member;
        open_group(&f, wanted(&f, 0.5f));
        join(&f, member);
        set_need(&f, 1, SECTOR_HEALTH, 0.5f);
        set_need(&f, 2, SECTOR_HEALTH, 0.5f);
        allocate(&f);
        cr_expect(helped(&f, member, ROUTE_GROUP), "member %u is helped", member);
        cr_expect(!helped(&f, other, ROUTE_GROUP), "non-member %u is not: the hours went to the member", other);
        teardown(&f);
    }
}

/* ---- partnership: vouching and referral ------------------------------------ */

/* A resident who does not trust services, but is in touch with a group,
 * gets a severe need to services only through a referral: the partnership's
 * vouching, or council staff's own links with groups (community_link), which
 * privatisation cuts. */
static int vouched_case_served(int partnership, double link, int privatised)
{
    fixture f;
    setup(&f);
    f.p.policy_partnership = partnership;
    f.p.services_community_link = link;
    f.p.policy_privatised = privatised;
    f.p.privatisation_margin_loss = 1.0;
    f.p.partnership_margin = 0.0;
    f.p.help_trust_threshold_mean = 0.9;
    open_group(&f, 0.0f);
    join(&f, 1);
    f.w.trust[1] = 0.0f;
    set_need(&f, 1, SECTOR_HEALTH, (float)f.p.partnership_severe + 0.2f);
    f.w.service_staff_hours[SECTOR_HEALTH] = 1000.0f;
    allocate(&f);
    int served = helped(&f, 1, ROUTE_SERVICE);
    teardown(&f);
    return served;
}

Test(allocate, groups_vouch_for_severe_cases_with_a_partnership)
{
    cr_expect(vouched_case_served(1, 0.0, 0), "with a partnership the group brings the distrustful resident in");
    cr_expect(!vouched_case_served(0, 0.0, 0), "without one, or links, the resident does not ask");
}

Test(allocate, council_staff_links_carry_referrals_that_privatisation_cuts)
{
    cr_expect(vouched_case_served(0, 1.0, 0), "council staff's links bring the resident in without a partnership");
    cr_expect(!vouched_case_served(0, 1.0, 1), "contractors' staff have no such links");
    cr_expect(!vouched_case_served(1, 0.0, 1), "nor do they inside a partnership");
}

/* Services refer a light need they turn away to a group, which serves the
 * referred ahead of an equal need that came to it directly. */
Test(allocate, services_refer_light_needs_to_groups_ahead_of_others)
{
    for (uint32_t referred = 1; referred <= 2; referred++) {
        fixture f;
        setup(&f);
        uint32_t other = 3 - referred;
        f.p.policy_partnership = 1;
        f.p.partnership_margin = 0.0;
        f.p.services_elig_health = 0.9; /* the service assesses and turns it away */
        f.p.help_trust_threshold_mean = 0.5;
        f.w.trust[other] = 0.0f;        /* does not ask the service at all */
        float sev = (float)f.p.partnership_light * 0.5f;
        open_group(&f, wanted(&f, sev));
        set_need(&f, 1, SECTOR_HEALTH, sev);
        set_need(&f, 2, SECTOR_HEALTH, sev);
        allocate(&f);
        cr_expect(helped(&f, referred, ROUTE_GROUP), "the referred resident %u is helped by the group", referred);
        cr_expect(!helped(&f, other, ROUTE_GROUP), "resident %u, not referred, is not", other);
        teardown(&f);
    }
}

/* ---- time banks: hours between members who are not tied ----------------- */

/* The group slot made a time bank that g, a and b belong to; g has spare
 * hours (its offer is timebank.exchange_share of them) and no need; a is
 * tied to g (a's entry for g has weight 1), b is not (no entry of b's
 * points at g). Returns 0 if this world has no such a and b. */
static int timebank_trio(fixture *f, uint32_t *g, uint32_t *a, uint32_t *b)
{
    world *w = &f->w;
    *g = 0;
    *a = *b = NO_RESIDENT;
    for (uint32_t k = w->tie_offset[*g]; k < w->tie_offset[*g + 1] && *a == NO_RESIDENT; k++) {
        uint32_t t = w->tie_target[k];
        for (uint32_t e = w->tie_offset[t]; e < w->tie_offset[t + 1]; e++)
            if (w->tie_target[e] == *g && t != *g) {
                w->tie_weight[e] = 1.0f;
                *a = t;
            }
    }
    for (uint32_t i = 1; i < w->n_res && *b == NO_RESIDENT; i++) {
        int any = i == *a;
        for (uint32_t e = w->tie_offset[i]; e < w->tie_offset[i + 1]; e++) any |= w->tie_target[e] == *g;
        if (!any) *b = i;
    }
    if (*a == NO_RESIDENT || *b == NO_RESIDENT) return 0;
    w->group_alive[f->g] = 1;
    w->group_kind[f->g] = GK_TIME_BANK;
    join(f, *g);
    join(f, *a);
    join(f, *b);
    w->spare_hours[*g] = 100.0f; /* 10 hours offered at the default share */
    return 1;
}

Test(allocate, time_bank_hours_go_to_untied_members_only)
{
    fixture f;
    setup(&f);
    uint32_t g, a, b;
    cr_assert(timebank_trio(&f, &g, &a, &b), "the tiny world has a tie of resident 0 and a stranger");
    f.p.policy_timebank = true;
    set_need(&f, a, SECTOR_HEALTH, 0.5f); /* a is the more severe: served first if it could be */
    set_need(&f, b, SECTOR_HEALTH, 0.4f);
    allocate(&f);
    cr_expect(!helped(&f, a, ROUTE_GROUP), "a is tied to the only giver: no time-bank hours");
    cr_expect(helped(&f, b, ROUTE_GROUP), "b is not tied to the giver: it gets the hours");
    cr_expect_float_eq(f.w.timebank_balance[g], wanted(&f, 0.4f), 1e-4, "one credit per hour given");
    cr_expect_float_eq(f.w.timebank_balance[b], -wanted(&f, 0.4f), 1e-4, "the receiver is debited");
    cr_expect_float_eq(f.w.timebank_balance[a], 0.0f, 1e-6);
    teardown(&f);
}

Test(allocate, time_bank_gates_members_at_the_credit_limit)
{
    for (int over = 0; over <= 1; over++) {
        fixture f;
        setup(&f);
        uint32_t g, a, b;
        cr_assert(timebank_trio(&f, &g, &a, &b));
        f.p.policy_timebank = true;
        f.p.timebank_credit_limit = 5.0;
        /* at the limit: no help; one hour above it: one hour, no further */
        f.w.timebank_balance[b] = over ? -5.0f : -4.0f;
        set_need(&f, b, SECTOR_HEALTH, 0.5f);
        allocate(&f);
        if (over) {
            cr_expect(!helped(&f, b, ROUTE_GROUP), "a member at minus the credit limit gets nothing");
            cr_expect_float_eq(f.w.timebank_balance[b], -5.0f, 1e-6);
            cr_expect_float_eq(f.w.timebank_balance[g], 0.0f, 1e-6);
        } else {
            cr_expect(helped(&f, b, ROUTE_GROUP));
            cr_expect_float_eq(f.w.timebank_balance[b], -5.0f, 1e-5, "no exchange takes it below the limit");
            cr_expect_float_eq(f.w.timebank_balance[g], 1.0f, 1e-5);
        }
        teardown(&f);
    }
}

Test(allocate, time_bank_without_exchange_gives_nothing)
{
    fixture f;
    setup(&f);
    uint32_t g, a, b;
    cr_assert(timebank_trio(&f, &g, &a, &b));
    f.p.policy_timebank = true;
    f.p.timebank_exchange_share = 0.0;
    set_need(&f, b, SECTOR_HEALTH, 0.4f);
    allocate(&f);
    cr_expect(!helped(&f, b, ROUTE_GROUP), "no hours set aside: no exchange");
    teardown(&f);
}
