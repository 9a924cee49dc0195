/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * Phase 7a, groups (MODEL.md s3.7). One neighbourhood at a time, in the
 * order: flood, burnout, grants ending, closure, formation (ordinary
 * groups, mutual aid in a crisis, community businesses, time banks), asset
 * transfer, community-business jobs. Each decision draws from its own keyed
 * stream (neighbourhood or group slot, step, purpose), so a lever that
 * changes one decision leaves the random numbers of the others alone.
 */
#include "groups.h"

#include <math.h>
#include <string.h>

#include "funding.h"
#include "life.h"
#include "mathx.h"
#include "rng.h"

#define FOUNDER_TRIES_PER_MEMBER 20u /* bounded search for founders         */

/* Values that depend only on parameters, worked out once a call. */
typedef struct groups_ctx {
    double kind_total; /* sum of initial_share.*; 0: ordinary groups never form */
} groups_ctx;

static void log_event(event_log *log, int b, int kind, int32_t detail, double value)
{
    if (log) event_log_add(log, b, kind, detail, value);
}

static uint32_t residents_of(const world *w, int b) { return w->nbhd_first[b + 1] - w->nbhd_first[b]; }

void groups_initial_shares(const cw_params *p, double share[N_GROUP_KINDS])
{
    const double s[N_GROUP_KINDS] = {p->groups_share_mutual_aid, p->groups_share_faith,
                                     p->groups_share_sport_leisure, p->groups_share_tenants,
                                     p->groups_share_food_bank, p->groups_share_advice,
                                     p->groups_share_time_bank, p->groups_share_business};
    memcpy(share, s, sizeof s);
}

static void kinds_cumulative(const cw_params *p, groups_ctx *c)
{
    double share[N_GROUP_KINDS];
    groups_initial_shares(p, share);
    c->kind_total = 0.0;
    for (int k = 0; k < N_GROUP_KINDS; k++) c->kind_total += share[k];
}

static int draw_kind(rng *g, const double cum[N_GROUP_KINDS])
{
    double u = rng_uniform(g);
    int k = 0;
    while (k < N_GROUP_KINDS - 1 && u >= cum[k]) k++;
    return k;
}

double groups_social_capital(const world *w, const cw_params *p, int b)
{
    uint32_t first = world_first(w, b), end = first + world_nbhd_residents(w, b);
    if (end == first) return 0.0;
    uint64_t strong = 0;
    for (uint32_t t = w->tie_offset[first]; t < w->tie_offset[end]; t++) strong += w->tie_weight[t] >= 0.5f;
    return (double)strong / (end - first) / cw_max(p->ties_mean_degree, 1.0);
}

bool groups_flood_hits(const cw_params *p, uint64_t seed, int b)
{
    rng g = rng_stream(seed, RK_NEIGHBOURHOOD, (uint64_t)b, 0, RP_GROUPS_FLOOD);
    return rng_uniform(&g) < p->crisis_flood_share;
}

/* h. A flood damages community space in the neighbourhoods it hits, once,
 * in its first week; out of a flood, space recovers toward its base. */
static void flood(world *w, const cw_params *p, uint64_t seed, int b, event_log *log)
{
    if (p->crisis_flood && groups_flood_hits(p, seed, b)) {
        if (!w->flooded[b]) {
            float loss = fminf(w->space_quality[b], (float)p->crisis_flood_space);
            w->space_quality[b] -= loss;
            w->flooded[b] = 1;
            log_event(log, b, EV_FLOOD, 0, loss);
        }
        return;
    }
    w->flooded[b] = 0;
    w->space_quality[b] += (float)(p->groups_flood_recovery * (w->space_quality_base[b] - w->space_quality[b]));
}

/* a. Burnout grows with pressure, the share of the hours asked of the group
 * that it cannot give (saturating at 1: a group cannot be more than wholly
 * overwhelmed), less with volunteer support, and recovers by a fixed
 * fraction each week. */
static void burnout(world *w, const cw_params *p, int b)
{
    double damp = 1.0 - p->investment_support_effect * w->volunteer_support[b];
    for (uint32_t k = w->nbhd_group_first[b]; k < w->nbhd_group_first[b + 1]; k++) {
        if (!w->group_alive[k]) continue;
        double capacity = (double)w->group_volunteer_hours[k] + w->group_paid_hours[k];
        double demand = w->group_demand[k];
        double pressure = demand > capacity ? 1.0 - capacity / demand : 0.0;
        double x = w->group_burnout[k];
        x += p->groups_burnout_rate * pressure * damp * (1.0 - x) - p->groups_burnout_recovery * x;
        w->group_burnout[k] = (float)cw_min(1.0, cw_max(0.0, x));
    }
}

/* A service they relied on stopped: each member of group k (relative slot
 * rel of b) loses investment.grant_end_trust_loss of their trust in groups. */
static void members_lose_trust(world *w, const cw_params *p, int b, uint32_t k)
{
    uint8_t rel = (uint8_t)(k - w->nbhd_group_first[b]);
    uint32_t first = world_first(w, b), end = first + residents_of(w, b);
    for (uint32_t i = first; i < end; i++) {
        const uint8_t *m = &w->membership[(size_t)i * MAX_MEMBERSHIPS];
        int in = 0;
        for (int q = 0; q < MAX_MEMBERSHIPS; q++) in |= m[q] == rel;
        if (in) w->trust_groups[i] = (float)(w->trust_groups[i] * (1.0 - p->investment_grant_end_trust_loss));
    }
}

/* b. Grants whose end has come stop: paid capacity goes. Groups whose
 * funding ended last week (here or in the money phase) lose their members'
 * trust; the faster leaving and closing of the window are in social.c and
 * groups_closure_hazard. */
static void grants_ending(world *w, const cw_params *p, int b, uint32_t step, event_log *log)
{
    for (uint32_t k = w->nbhd_group_first[b]; k < w->nbhd_group_first[b + 1]; k++) {
        if (w->group_funding[k] != FUND_NONE && w->group_funding_end[k] <= step)
            funding_end_grant(w, k, b, w->group_funding_end[k], log);
        else if (w->group_alive[k] && w->group_funding[k] == FUND_NONE && w->group_funding_end[k] != NEVER &&
                 (uint32_t)w->group_funding_end[k] + 1u == step && p->investment_grant_end_trust_loss > 0.0)
            members_lose_trust(w, p, b, k);
    }
}

/* Whether a crisis in which mutual aid forms is under way in b. */
static int crisis_here(const world *w, const cw_params *p, int b)
{
    return p->crisis_lockdown || (p->crisis_flood && w->flooded[b]);
}

double groups_closure_hazard(const world *w, const cw_params *p, uint32_t k, int crisis, uint32_t step)
{
    double h = p->groups_closure_rate / 52.0 * (1.0 + p->groups_closure_burnout * w->group_burnout[k]);
    int unfunded = w->group_funding[k] == FUND_NONE;
    if (unfunded && w->group_volunteer_hours[k] < p->groups_min_volunteer_hours) h += p->groups_dissolve_rate;
    if (funding_ended_within(w, p, k, step)) h += p->investment_grant_end_closure;
    if (w->group_crisis_born[k] && !crisis) h += p->groups_crisis_born_closure;
    if (w->group_owns_building[k]) h *= 1.0 - p->groups_building_protection;
    if (!unfunded) h *= 1.0 - p->groups_funding_protection;
    return cw_min(1.0, h);
}

/* c. Closure: every living group closes with its weekly hazard (see
 * groups.h); an unfunded one left without members closes at once. Groups
 * founded this week are spared. Members drop it in next week's social
 * phase. */
static void dissolution(world *w, const cw_params *p, uint64_t seed, uint32_t step, int b, event_log *log)
{
    int crisis = crisis_here(w, p, b);
    for (uint32_t k = w->nbhd_group_first[b]; k < w->nbhd_group_first[b + 1]; k++) {
        if (!w->group_alive[k] || w->group_founded[k] >= step) continue;
        rng g = rng_stream(seed, RK_GROUP, k, step, RP_GROUPS_DISSOLVE);
        double u = rng_uniform(&g);
        int empty = w->group_funding[k] == FUND_NONE && w->group_members[k] == 0;
        if (!empty && u >= groups_closure_hazard(w, p, k, crisis, step)) continue;
        if (w->group_funding[k] != FUND_NONE) funding_end_grant(w, k, b, step, log); /* the money stops with it */
        w->group_alive[k] = 0;
        w->group_died[k] = (uint16_t)step;
        w->group_burnout[k] = 0.0f;
        w->group_crisis_born[k] = 0;
        log_event(log, b, EV_GROUP_DEATH, w->group_kind[k], k);
    }
}

static uint32_t first_free_slot(const world *w, int b, uint32_t step)
{
    for (uint32_t k = w->nbhd_group_first[b]; k < w->nbhd_group_first[b + 1]; k++)
        if (groups_slot_free(w, k, step)) return k;
    return UINT32_MAX;
}

/* Resident i joins relative slot `rel` if it has spare hours, a free
 * membership entry and is not a member already. */
static int join_as_founder(world *w, const cw_params *p, uint32_t i, uint8_t rel)
{
    if (w->spare_hours[i] < p->social_join_min_spare) return 0;
    uint8_t *m = &w->membership[(size_t)i * MAX_MEMBERSHIPS];
    int free_q = -1;
    for (int q = 0; q < MAX_MEMBERSHIPS; q++) {
        if (m[q] == rel) return 0;
        if (m[q] == NO_MEMBERSHIP && free_q < 0) free_q = q;
    }
    if (free_q < 0) return 0;
    m[free_q] = rel;
    return 1;
}

/* Draw up to groups.founding_members founders for slot k among the
 * neighbourhood's residents (bounded tries); the first founder's identity is
 * the group's majority. Returns the number found. */
static uint32_t recruit_founders(world *w, const cw_params *p, int b, uint32_t k, rng *g)
{
    uint32_t first = world_first(w, b), n_res = residents_of(w, b);
    uint32_t want = (uint32_t)p->groups_founding_members, found = 0;
    uint8_t rel = (uint8_t)(k - w->nbhd_group_first[b]);
    for (uint32_t t = 0; t < FOUNDER_TRIES_PER_MEMBER * want && found < want; t++) {
        uint32_t i = first + rng_bounded(g, n_res);
        if (!join_as_founder(w, p, i, rel)) continue;
        if (found++ == 0) w->group_majority[k] = w->identity[i];
    }
    return found;
}

/* Found a group of `kind` in the first free slot of b, as set-up does
 * (population.c), owning its building with chance `building`; it needs at
 * least one founder. Returns 1 if formed. */
static int found_group(world *w, const cw_params *p, uint64_t seed, uint32_t step, int b, int kind,
                       double building, int crisis_born, event_log *log)
{
    uint32_t k = first_free_slot(w, b, step);
    if (k == UINT32_MAX || residents_of(w, b) == 0) return 0;
    rng g = rng_stream(seed, RK_GROUP, k, step, RP_GROUPS_FOUND);
    double open = p->groups_openness_mean + 0.6 * (rng_uniform(&g) - 0.5);
    double u_building = rng_uniform(&g);
    uint32_t founders = recruit_founders(w, p, b, k, &g);
    if (founders == 0) return 0;
    w->group_kind[k] = (uint8_t)kind;
    w->group_alive[k] = 1;
    w->group_openness[k] = (float)cw_min(1.0, cw_max(0.0, open));
    w->group_owns_building[k] = (uint8_t)(u_building < building);
    w->group_members[k] = (uint16_t)founders;
    w->group_founded[k] = (uint16_t)step;
    w->group_died[k] = NEVER;
    w->group_volunteer_hours[k] = 0.0f;
    w->group_paid_hours[k] = 0.0f;
    w->group_demand[k] = 0.0f;
    w->group_burnout[k] = 0.0f;
    w->group_funding[k] = FUND_NONE;
    w->group_funding_end[k] = NEVER;
    w->group_grant_per_week[k] = 0.0f;
    w->group_crisis_born[k] = (uint8_t)crisis_born;
    log_event(log, b, EV_GROUP_BIRTH, kind, k);
    return 1;
}

static double ordinary_building_chance(const world *w, const cw_params *p, int b)
{
    return p->groups_building_ownership * w->space_quality[b];
}

/* Share of b's residents who belong to at least one group. */
static double member_share(const world *w, int b)
{
    uint32_t first = world_first(w, b), n = residents_of(w, b), in = 0;
    for (uint32_t i = first; i < first + n; i++) {
        const uint8_t *m = &w->membership[(size_t)i * MAX_MEMBERSHIPS];
        int any = 0;
        for (int q = 0; q < MAX_MEMBERSHIPS; q++) any |= m[q] != NO_MEMBERSHIP;
        in += (uint32_t)any;
    }
    return n ? (double)in / n : 0.0;
}

/* The kind weights of a new ordinary group in b (issue 16 item 1): with
 * x = groups.formation_replacement, (1 - x) x the normalised initial share
 * plus x x the kind's share of b's shortfall against that mix, where the
 * shortfall of kind k is max(0, share_k x (n + 1) - n_k) over b's n living
 * ordinary groups (crisis-born ones are not the ordinary stock): a
 * neighbourhood that lost its food bank founds a food bank. The shortfalls
 * sum to at least 1, so the weights are defined whenever a kind can form.
 * Writes the cumulative weights; returns 0 when no kind can form. */
int groups_kind_weights(const world *w, const cw_params *p, int b, double cum[N_GROUP_KINDS])
{
    double share[N_GROUP_KINDS];
    groups_initial_shares(p, share);
    double total = 0.0, x = p->groups_formation_replacement;
    for (int k = 0; k < N_GROUP_KINDS; k++) total += share[k];
    if (total <= 0.0) return 0;
    uint32_t count[N_GROUP_KINDS] = {0}, n = 0;
    for (uint32_t k = w->nbhd_group_first[b]; k < w->nbhd_group_first[b + 1]; k++)
        if (w->group_alive[k] && !w->group_crisis_born[k]) count[w->group_kind[k]]++, n++;
    double gap[N_GROUP_KINDS], gaps = 0.0;
    for (int k = 0; k < N_GROUP_KINDS; k++) {
        gap[k] = cw_max(0.0, share[k] / total * (n + 1) - count[k]);
        gaps += gap[k];
    }
    for (int k = 0; k < N_GROUP_KINDS; k++) {
        double wk = (1.0 - x) * share[k] / total + (gaps > 0.0 ? x * gap[k] / gaps : x * share[k] / total);
        cum[k] = (k ? cum[k - 1] : 0.0) + wk;
    }
    cum[N_GROUP_KINDS - 1] = 1.0;
    return 1;
}

/* d. Ordinary groups form with a rate rising with social capital, space
 * quality and community-development worker hours; in a crisis (a lockdown,
 * or a flood where it hit) mutual-aid groups also form, in proportion to
 * (social capital (strong ties) x the share of residents already in a
 * group)^exponent: where people know each other and are organised. */
static void formation(world *w, const cw_params *p, const groups_ctx *c, uint64_t seed, uint32_t step, int b,
                      event_log *log)
{
    double n_res = residents_of(w, b);
    if (n_res <= 0.0) return;
    double sc = groups_social_capital(w, p, b);
    double per_1000 = n_res / 1000.0;
    double space = cw_max(0.0, 1.0 + p->groups_formation_space * (w->space_quality[b] - 0.5));
    double cdw = 1.0 + p->groups_formation_cdw * w->cdw_hours[b] * 1000.0 / n_res;
    double lambda = c->kind_total > 0.0 ? p->groups_formation_rate * per_1000 * sc * space * cdw : 0.0;
    rng g = rng_stream(seed, RK_NEIGHBOURHOOD, (uint64_t)b, step, RP_GROUPS_FORM);
    uint32_t n = rng_poisson(&g, lambda);
    double cum[N_GROUP_KINDS];
    if (n > 0) groups_kind_weights(w, p, b, cum);
    for (uint32_t j = 0; j < n; j++)
        found_group(w, p, seed, step, b, draw_kind(&g, cum), ordinary_building_chance(w, p, b), 0, log);

    if (crisis_here(w, p, b)) {
        rng ga = rng_stream(seed, RK_NEIGHBOURHOOD, (uint64_t)b, step, RP_GROUPS_MUTUAL_AID);
        double capital = pow(sc * member_share(w, b), p->crisis_mutual_aid_capital);
        uint32_t m = rng_poisson(&ga, p->crisis_mutual_aid_rate * per_1000 * capital);
        for (uint32_t j = 0; j < m; j++)
            found_group(w, p, seed, step, b, GK_MUTUAL_AID, ordinary_building_chance(w, p, b), 1, log);
    }
}

/* e, f. Levers: supported community businesses form (owning their building
 * more often); every neighbourhood keeps a time bank. */
static void levers(world *w, const cw_params *p, uint64_t seed, uint32_t step, int b, event_log *log)
{
    if (p->policy_business) {
        rng g = rng_stream(seed, RK_NEIGHBOURHOOD, (uint64_t)b, step, RP_GROUPS_BUSINESS);
        uint32_t n = rng_poisson(&g, p->business_formation * residents_of(w, b) / 1000.0);
        for (uint32_t j = 0; j < n; j++)
            found_group(w, p, seed, step, b, GK_COMMUNITY_BUSINESS, 0.5 + 0.5 * w->space_quality[b], 0, log);
    }
    if (p->policy_timebank) {
        int has = 0;
        for (uint32_t k = w->nbhd_group_first[b]; k < w->nbhd_group_first[b + 1]; k++)
            has |= w->group_alive[k] && w->group_kind[k] == GK_TIME_BANK;
        if (!has) found_group(w, p, seed, step, b, GK_TIME_BANK, ordinary_building_chance(w, p, b), 0, log);
    }
}

double groups_timebank_offer(const world *w, const cw_params *p, uint32_t i, uint32_t g0, int *n_banks)
{
    const uint8_t *m = &w->membership[(size_t)i * MAX_MEMBERSHIPS];
    int n = 0;
    for (int q = 0; q < MAX_MEMBERSHIPS; q++)
        n += m[q] != NO_MEMBERSHIP && w->group_alive[g0 + m[q]] && w->group_kind[g0 + m[q]] == GK_TIME_BANK;
    *n_banks = n;
    if (n == 0) return 0.0;
    double left = (double)w->spare_hours[i] - w->give_hours[i];
    return left > 0.0 ? p->timebank_exchange_share * left : 0.0;
}

/* g. Asset transfer: council buildings pass to groups that lack one. */
static void asset_transfer(world *w, const cw_params *p, uint64_t seed, uint32_t step, int b, event_log *log)
{
    if (!p->policy_asset_transfer) return;
    double chance = p->asset_transfer_rate * (w->space_quality[b] + 0.5);
    for (uint32_t k = w->nbhd_group_first[b]; k < w->nbhd_group_first[b + 1]; k++) {
        if (!w->group_alive[k] || w->group_owns_building[k]) continue;
        rng g = rng_stream(seed, RK_GROUP, k, step, RP_GROUPS_ASSET);
        if (rng_uniform(&g) >= chance) continue;
        w->group_owns_building[k] = 1;
        log_event(log, b, EV_ASSET_TRANSFER, w->group_kind[k], k);
    }
}

/* Whether relative slot `rel` of neighbourhood b is a living community business. */
static int is_business(const world *w, int b, uint32_t rel)
{
    uint32_t k = w->nbhd_group_first[b] + rel;
    return k < w->nbhd_group_first[b + 1] && w->group_alive[k] && w->group_kind[k] == GK_COMMUNITY_BUSINESS;
}

/* e. Community-business posts. A post is released when its business has
 * closed or its holder is no longer employed (lost the job, left working
 * age, or left and a newcomer took the place). Each living business then
 * fills its business.jobs_per_business posts, in slot order, from the
 * neighbourhood's unemployed working-age residents, lowest keyed draw
 * first; the hired are employed, and a job ends their work need with
 * chance need.work_resolve_on_job (as in life.c). The wage bill (the
 * holders' employed incomes) kept local lifts every resident's income by
 * (business.local_multiplier - 1) x wage bill / the residents' incomes. */
void groups_business_posts(world *w, const cw_params *p, uint64_t seed, uint32_t step, int b)
{
    uint32_t first = world_first(w, b), n_res = residents_of(w, b);
    uint32_t n_slots = w->nbhd_group_first[b + 1] - w->nbhd_group_first[b];
    uint32_t held[256] = {0};
    uint32_t n_candidates = 0;
    for (uint32_t i = first; i < first + n_res; i++) {
        uint8_t post = w->business_post[i];
        if (post && !is_business(w, b, post - 1u)) w->employed[i] = 0; /* the business closed */
        if (post && !w->employed[i]) post = w->business_post[i] = 0;
        if (post) held[post - 1u]++;
        n_candidates += !w->employed[i] && life_working_age(w->age[i]);
    }
    uint32_t posts = (uint32_t)p->business_jobs;
    for (uint32_t rel = 0; rel < n_slots && rel < 255u && n_candidates; rel++) {
        if (!is_business(w, b, rel)) continue;
        while (held[rel] < posts && n_candidates) {
            uint32_t best = UINT32_MAX;
            double best_u = 2.0, best_u2 = 0.0;
            for (uint32_t i = first; i < first + n_res; i++) {
                if (w->employed[i] || !life_working_age(w->age[i])) continue;
                rng g = rng_stream(seed, RK_RESIDENT, world_gid(w, i), step, RP_GROUPS_HIRE);
                double u = rng_uniform(&g);
                if (u < best_u) best = i, best_u = u, best_u2 = rng_uniform(&g);
            }
            if (best == UINT32_MAX) break;
            w->employed[best] = 1;
            w->business_post[best] = (uint8_t)(rel + 1u);
            if (best_u2 < p->need_work_resolve_on_job) w->need[(size_t)best * N_SECTORS + SECTOR_WORK] = 0.0f;
            held[rel]++;
            n_candidates--;
        }
    }
    double wages = 0.0, incomes = 0.0;
    for (uint32_t i = first; i < first + n_res; i++) {
        int out_of_work = life_working_age(w->age[i]) && !w->employed[i];
        incomes += life_income_earned(p, w->income_base[i], out_of_work);
        if (w->business_post[i]) wages += w->income_base[i];
    }
    w->business_income[b] = wages > 0.0 && incomes > 0.0
                                ? (float)((p->business_multiplier - 1.0) * wages / incomes)
                                : 0.0f;
}

void groups_step(world *w, const cw_params *p, uint64_t seed, uint32_t step, event_log *log)
{
    groups_ctx c;
    kinds_cumulative(p, &c);
    int b0 = world_own_nbhd_begin(w), b1 = world_own_nbhd_end(w);
#pragma omp parallel for schedule(dynamic, 1)
    for (int b = b0; b < b1; b++) {
        flood(w, p, seed, b, log);
        burnout(w, p, b);
        grants_ending(w, p, b, step, log);
        dissolution(w, p, seed, step, b, log);
        formation(w, p, &c, seed, step, b, log);
        levers(w, p, seed, step, b, log);
        asset_transfer(w, p, seed, step, b, log);
        groups_business_posts(w, p, seed, step, b);
    }
}
