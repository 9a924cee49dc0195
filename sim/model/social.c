/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * Phase 6, social life (see social.h). Each resident draws from its own
 * stream a fixed number of times (four for memberships, three for joining,
 * one for volunteering, one per tie), so a change elsewhere does not shift
 * its random numbers.
 */
#include "social.h"

#include <math.h>
#include <string.h>

#include "funding.h"
#include "groups.h"
#include "life.h"
#include "mathx.h"
#include "rng.h"

double social_propensity(const cw_params *p, uint64_t seed, uint32_t i, uint16_t arrived)
{
    double u = rng_trait(seed, RK_RESIDENT, i, arrived, RP_TRAIT_PROPENSITY);
    if (u <= 0.0) return 1.0;
    double x = p->social_propensity_min * pow(u, -1.0 / p->social_propensity_alpha);
    return x < 1.0 ? x : 1.0;
}

/* Member i's propensity pi if it volunteers this week (u_vol < pi), else
 * 0. Its propensity_bound decides most weeks without the pow. */
static double volunteering_propensity(world *w, const cw_params *p, uint64_t seed, uint32_t i, double u_vol)
{
    float bound = w->propensity_bound[i];
    if (bound > 0.0f && u_vol >= bound) return 0.0; /* u_vol >= bound >= pi */
    double pi = social_propensity(p, seed, world_gid(w, i), w->arrived[i]);
    w->propensity_bound[i] = cw_float_at_or_above(pi);
    return pi;
}

/* Forget the propensity bounds of neighbourhood b if the seed or the
 * parameters they were worked out with have changed (a timeline event). */
static void propensity_check(world *w, const cw_params *p, uint64_t seed, int b)
{
    uint64_t key[PROPENSITY_KEYS] = {seed};
    memcpy(&key[1], &p->social_propensity_min, sizeof key[1]);
    memcpy(&key[2], &p->social_propensity_alpha, sizeof key[2]);
    uint64_t *stored = &w->propensity_key[(size_t)b * PROPENSITY_KEYS];
    if (memcmp(stored, key, sizeof key) == 0) return;
    memcpy(stored, key, sizeof key);
    uint32_t first = world_first(w, b), end = first + world_nbhd_residents(w, b);
    for (uint32_t i = first; i < end; i++) w->propensity_bound[i] = 0.0f;
}

double social_outside_contact(const cw_params *p, double health, double income)
{
    double f = 1.0 - p->social_health_contact_limit * (1.0 - cw_min(1.0, cw_max(0.0, health)));
    if (income < p->life_poverty_line) f *= p->social_poverty_contact_factor;
    return f;
}

typedef struct group_tally {
    uint16_t members[MAX_GROUP_SLOTS];
    uint16_t by_identity[MAX_GROUP_SLOTS][MAX_IDENTITIES];
    float hours[MAX_GROUP_SLOTS];
    uint8_t alive[MAX_GROUP_SLOTS]; /* living slots, for joining */
    uint32_t n_alive;
} group_tally;

static int crisis_on(const cw_params *p) { return p->crisis_lockdown || p->crisis_flood; }

/* Drop dead groups; leave with the base rate, the group's burnout, (for
 * a mutual-aid group formed in a crisis, once the crisis is over) the fade
 * rate, and (for a group whose funding ended lately) the grant-end rate. */
static void leave_groups(const world *w, const cw_params *p, uint32_t step, uint32_t g0, uint8_t *m, rng *g)
{
    for (int q = 0; q < MAX_MEMBERSHIPS; q++) {
        double u = rng_uniform(g);
        if (m[q] == NO_MEMBERSHIP) continue;
        uint32_t k = g0 + m[q];
        if (!w->group_alive[k]) {
            m[q] = NO_MEMBERSHIP;
            continue;
        }
        double leave = p->social_leave_rate + p->groups_burnout_leave * w->group_burnout[k];
        if (w->group_crisis_born[k] && !crisis_on(p)) leave += p->groups_mutual_aid_fade;
        if (funding_ended_within(w, p, k, step)) leave += p->investment_grant_end_leave; /* the post went */
        if (u < leave) m[q] = NO_MEMBERSHIP;
    }
}

static void join_group(const world *w, const cw_params *p, uint32_t i, uint32_t g0, uint8_t *m,
                       const group_tally *t, rng *g)
{
    double u_try = rng_uniform(g), u_pick = rng_uniform(g), u_accept = rng_uniform(g);
    int free_q = -1;
    for (int q = MAX_MEMBERSHIPS - 1; q >= 0; q--)
        if (m[q] == NO_MEMBERSHIP) free_q = q;
    double spare = w->spare_hours[i];
    if (free_q < 0 || t->n_alive == 0 || spare < p->social_join_min_spare) return;
    double ratio = p->life_spare_hours_max > 0 ? cw_min(1.0, spare / p->life_spare_hours_max) : 0.0;
    if (u_try >= p->social_join_rate * ratio) return;
    uint32_t pick = (uint32_t)(u_pick * t->n_alive);
    uint8_t slot = t->alive[pick < t->n_alive ? pick : t->n_alive - 1];
    for (int q = 0; q < MAX_MEMBERSHIPS; q++)
        if (m[q] == slot) return;
    uint32_t k = g0 + slot;
    int alike = w->identity[i] == w->group_majority[k] || w->group_members[k] == 0;
    if (!alike && w->group_kind[k] != GK_TIME_BANK && u_accept >= w->group_openness[k]) return;
    m[free_q] = slot;
}

/* The slots of a's groups, in membership order; returns how many. Called
 * after leave_groups, which drops the dead ones, so every one is living. */
static int living_slots(const world *w, uint32_t a, uint8_t live[MAX_MEMBERSHIPS])
{
    const uint8_t *ma = &w->membership[(size_t)a * MAX_MEMBERSHIPS];
    int n = 0;
    for (int x = 0; x < MAX_MEMBERSHIPS; x++)
        if (ma[x] != NO_MEMBERSHIP) live[n++] = ma[x];
    return n;
}

/* Whether b is a member of one of the living groups live[n] (of a). The
 * four membership bytes are compared at once: v has a zero byte exactly
 * when (v - 0x01..01) & ~v & 0x80..80 is non-zero. */
static int share_a_group(const world *w, const uint8_t *live, int n, uint32_t b)
{
    _Static_assert(MAX_MEMBERSHIPS == 4, "one 32-bit word of memberships");
    uint32_t mb;
    memcpy(&mb, &w->membership[(size_t)b * MAX_MEMBERSHIPS], sizeof mb);
    for (int x = 0; x < n; x++) {
        uint32_t v = mb ^ (live[x] * 0x01010101u);
        if ((v - 0x01010101u) & ~v & 0x80808080u) return 1;
    }
    return 0;
}

/* Contact with each tie renews it; no contact decays it (i's groups are
 * live[n]). In a lockdown (crisis.lockdown) contact outside the household
 * falls and those ties decay faster; household ties are untouched (people
 * who live together still meet). Returns the week's contact (sum of
 * contacted ties' weights) and whether any tie is strong enough not to
 * count as isolated. */
static double tend_ties(world *w, const cw_params *p, uint32_t step, uint32_t i, uint32_t first, uint32_t end,
                        const uint8_t *live, int n_live, double outside, rng *g, int *strong, int *grieving)
{
    int lockdown = p->crisis_lockdown;
    double home_rate = p->social_contact_rate, home_decay = p->social_decay;
    double rate = home_rate * outside * (lockdown ? p->crisis_lockdown_contact : 1.0);
    double decay = home_decay * (lockdown ? p->crisis_lockdown_decay : 1.0);
    double acquaintance = p->social_acquaintance, renewal = p->social_renewal;
    double isolated_weight = p->social_isolated_weight;
    double contact = 0.0;
    int any_strong = 0, grief = 0;
    const uint16_t *arrived = w->arrived;
    uint32_t grief_weeks = (uint32_t)p->social_bereavement_weeks;
    /* the loop's arrays and invariants in locals: the stores to tie_weight
     * would otherwise make the compiler reload them for every tie */
    const uint32_t *target = w->tie_target, *give_to = w->give_to, *household = w->household;
    float *weight = w->tie_weight;
    uint32_t gives_to = give_to[i], n_here = end - first; /* t - first < n_here: t in [first, end) */
    uint32_t home = household[i];
    for (uint32_t k = w->tie_offset[i]; k < w->tie_offset[i + 1]; k++) {
        uint32_t t = target[k];
        double u = rng_uniform(g);
        double wt = weight[k];
        int at_home = household[t] == home, same_home = lockdown && at_home;
        double r = at_home ? home_rate : rate, d = same_home ? home_decay : decay;
        if (at_home && arrived[t] != 0) { /* t took the place of one who left */
            if (arrived[t] == step) wt = 0.0; /* the tie to the one who left is gone */
            grief |= step - arrived[t] < grief_weeks;
        }
        int met = gives_to == t || give_to[t] == i || u < r * (wt + acquaintance) ||
                  (n_live > 0 && t - first < n_here && share_a_group(w, live, n_live, t));
        wt = met ? wt + renewal * (1.0 - wt) : wt - d * wt;
        float renewed = (float)cw_min(1.0, cw_max(0.0, wt));
        weight[k] = renewed;
        if (met) contact += renewed;
        any_strong |= renewed >= isolated_weight;
    }
    *strong = any_strong;
    *grieving = grief;
    return contact;
}

static void live_socially(world *w, const cw_params *p, uint64_t seed, uint32_t step, uint32_t i,
                          uint32_t first, uint32_t end, uint32_t g0, double deprivation, group_tally *t)
{
    rng g = rng_stream(seed, RK_RESIDENT, world_gid(w, i), step, RP_SOCIAL);
    uint8_t *m = &w->membership[(size_t)i * MAX_MEMBERSHIPS];
    int n_banks; /* hours set aside for time banks this week (allocation gave them) */
    double banked = groups_timebank_offer(w, p, i, g0, &n_banks);
    leave_groups(w, p, step, g0, m, &g);
    join_group(w, p, i, g0, m, t, &g);

    /* volunteering: a member gives time with chance pi (times
     * crisis.lockdown_volunteering_factor in lockdown), max(1, pi x spare)
     * hours, out of what informal help and the time bank left, to its
     * groups other than time banks (a time bank's hours are its members'
     * exchange, set aside above) */
    uint8_t live[MAX_MEMBERSHIPS]; /* i's groups from here on */
    int n_m = living_slots(w, i, live), n_vol = n_m;
    for (int x = 0; x < n_m; x++) n_vol -= w->group_kind[g0 + live[x]] == GK_TIME_BANK;
    double u_vol = rng_uniform(&g);
    double pi = n_m > 0 ? volunteering_propensity(w, p, seed, i, u_vol) : 0.0; /* a fixed trait */
    double spare = w->spare_hours[i] - w->give_hours[i] - banked;
    double chance = pi * (p->crisis_lockdown ? p->crisis_lockdown_volunteering : 1.0);
    double hours = n_vol > 0 && u_vol < chance ? cw_min(spare, cw_max(1.0, pi * w->spare_hours[i])) : 0.0;
    if (hours < 1.0) hours = 0.0; /* formal volunteering: at least an hour */
    w->volunteer_hours[i] = (float)hours;
    w->volunteer_year[i] = (float)(w->volunteer_year[i] * (51.0 / 52.0) + hours);
    if (hours > 0.0) w->last_volunteered[i] = (uint16_t)step;
    for (int x = 0; x < n_m; x++) {
        uint8_t slot = live[x];
        t->members[slot]++;
        t->by_identity[slot][w->identity[i]]++;
        if (w->group_kind[g0 + slot] != GK_TIME_BANK)
            t->hours[slot] += (float)(hours / n_vol);
        else if (n_banks > 0)
            t->hours[slot] += (float)(banked / n_banks);
    }
    if (w->give_to[i] != NO_RESIDENT && w->give_hours[i] > 0.0f) w->last_helped[i] = (uint16_t)step;

    int strong, grieving;
    /* a long-term condition limits going out, not this week's illness:
     * the health i's age and neighbourhood settle to (life.c) */
    double chronic = life_health_target(p, w->age[i], deprivation, 0.0);
    double outside = social_outside_contact(p, chronic, w->income[i]);
    double contact = tend_ties(w, p, step, i, first, end, live, n_m, outside, &g, &strong, &grieving) +
                     p->social_contact_per_membership * n_m + (w->employed[i] ? p->social_work_contact : 0.0);
    double need = p->social_contact_need * (0.5 + rng_trait(seed, RK_RESIDENT, world_gid(w, i), w->arrived[i], RP_TRAIT_CONTACT_NEED));
    if (grieving) need *= 1.0 + p->social_bereavement_need;
    if (p->crisis_lockdown) need *= p->crisis_lockdown_contact_need;
    if (contact < need) {
        if (w->low_contact_weeks[i] < UINT8_MAX) w->low_contact_weeks[i]++;
    } else {
        w->low_contact_weeks[i] = 0;
    }
    uint8_t f = 0;
    if (w->low_contact_weeks[i] >= p->social_lonely_weeks) f |= SF_LONELY;
    if (!strong && n_m == 0) f |= SF_ISOLATED;
    w->social_flags[i] = f;
}

static void neighbourhood_social(world *w, const cw_params *p, uint64_t seed, uint32_t step, int b,
                                 group_tally *t)
{
    uint32_t g0 = w->nbhd_group_first[b], n_slots = w->nbhd_group_first[b + 1] - g0;
    memset(t, 0, sizeof *t);
    for (uint32_t k = 0; k < n_slots; k++)
        if (w->group_alive[g0 + k]) t->alive[t->n_alive++] = (uint8_t)k;
    uint32_t first = world_first(w, b), end = first + world_nbhd_residents(w, b);
    for (uint32_t i = first; i < end; i++) live_socially(w, p, seed, step, i, first, end, g0, w->deprivation[b], t);
    for (uint32_t k = 0; k < n_slots; k++) {
        uint32_t g = g0 + k;
        w->group_members[g] = t->members[k];
        w->group_volunteer_hours[g] = t->hours[k];
        int best = 0;
        for (int id = 1; id < MAX_IDENTITIES; id++)
            if (t->by_identity[k][id] > t->by_identity[k][best]) best = id;
        if (t->members[k] > 0) w->group_majority[g] = (uint8_t)best;
    }
}

void social_step(world *w, const cw_params *p, uint64_t seed, uint32_t step)
{
    int b0 = world_own_nbhd_begin(w), b1 = world_own_nbhd_end(w);
    for (int b = b0; b < b1; b++) propensity_check(w, p, seed, b);
#pragma omp parallel
    {
        group_tally t;
#pragma omp for schedule(dynamic, 1)
        for (int b = b0; b < b1; b++) neighbourhood_social(w, p, seed, step, b, &t);
    }
}
