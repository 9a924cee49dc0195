/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * Phase 7a, groups (MODEL.md s3.7): the life of community groups. Flood
 * damage to community space, burnout, grants ending on schedule,
 * closure, the formation of new groups (ordinary groups, mutual aid in
 * a crisis, community businesses, time banks), asset transfer of buildings
 * and community-business jobs. The money itself is funding.h (phase 7b).
 *
 * Runs after the social phase (which wrote group_members,
 * group_volunteer_hours, group_majority and the residents' memberships) and
 * before funding_step. Parallel over neighbourhoods: a neighbourhood touches
 * only its own group slots, residents and event rows, and every draw comes
 * from a stream keyed by the neighbourhood or the group slot and the step,
 * so the result is the same for any number of threads.
 */
#ifndef CW_GROUPS_H
#define CW_GROUPS_H

#include <stdbool.h>
#include <stdint.h>

#include "events.h"
#include "params.h"
#include "world.h"

/* A slot is free for a new group when it holds none and was not freed this
 * week (its members drop it in the social phase before it is reused). */
static inline bool groups_slot_free(const world *w, uint32_t k, uint32_t step)
{
    return !w->group_alive[k] && (w->group_died[k] == NEVER || w->group_died[k] < step);
}

/* Social capital of neighbourhood b: the mean number of ties of weight at
 * least 0.5 per resident (household, neighbour, friend and cross ties),
 * divided by ties.mean_degree (at least 1), so about 1 at set-up. */
double groups_social_capital(const world *w, const cw_params *p, int b);

/* Whether a flood (crisis.flood) hits neighbourhood b: a keyed draw fixed for
 * the run (step 0) below crisis.flood_share. */
bool groups_flood_hits(const cw_params *p, uint64_t seed, int b);

/* groups.initial_share.* by kind (GK_*), not normalised. */
void groups_initial_shares(const cw_params *p, double share[N_GROUP_KINDS]);
/* Cumulative kind weights of a new ordinary group in b: (1 - x) x initial
 * share + x x the kind's share of b's shortfall against the initial mix,
 * x = groups.formation_replacement. Returns 0 when no kind can form. */
int groups_kind_weights(const world *w, const cw_params *p, int b, double cum[N_GROUP_KINDS]);
/* Weekly closure hazard of living group k (MODEL.md s3.7): groups.closure_rate
 * / 52 times 1 + groups.closure_burnout_effect x burnout (volunteers burn
 * out), plus groups.dissolve_rate when it is unfunded and its volunteers
 * give fewer than groups.min_volunteer_hours (volunteers have left), plus
 * groups.crisis_born_closure_rate for a mutual-aid group formed in a crisis
 * once `crisis` (one under way in its neighbourhood) is over (demand falls);
 * the whole cut by groups.building_protection if it owns its building and by
 * groups.funding_protection while funded (so it rises when funding ends),
 * plus investment.grant_end_closure_rate while the funding ended less than
 * investment.grant_end_weeks before `step` (before the building cut).
 * At most 1. */
double groups_closure_hazard(const world *w, const cw_params *p, uint32_t k, int crisis, uint32_t step);

/* Time banks (policy.timebank, MODEL.md s8): the hours resident i (of the
 * neighbourhood whose slots begin at g0) sets aside this week for the time
 * banks it is a member of, timebank.exchange_share of its spare hours left
 * after informal help, and how many living time banks it is a member of
 * (*n_banks; the hours are shared equally among them). 0 and 0 for a
 * resident in none. The same in allocation (where the hours are given) and
 * in the social phase (where they are not there for volunteering): nothing
 * they read changes between the two. */
double groups_timebank_offer(const world *w, const cw_params *p, uint32_t i, uint32_t g0, int *n_banks);

/* The phase, one week. step is the simulation step (0-based, burn-in
 * included); log may be NULL (no events recorded). */
/* Community-business posts in neighbourhood b (part of groups_step; exposed
 * for tests): release the posts of closed businesses and of holders no
 * longer employed, fill vacancies from the neighbourhood's unemployed and
 * set business_income[b], the uplift from the local multiplier of the wage bill. */
void groups_business_posts(world *w, const cw_params *p, uint64_t seed, uint32_t step, int b);

void groups_step(world *w, const cw_params *p, uint64_t seed, uint32_t step, event_log *log);

#endif
