/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * Phase 7b, money (MODEL.md s8 "Capacity investment"): investment.mode
 * none, competitive short grants or patient core funding, at equal spend:
 * a weekly budget B = investment.amount x residents / 52 GBP in either mode.
 *
 * - none: no new money; competitive grants run to their end; core funding,
 *   community-development worker (cdw) hours and volunteer support stop.
 * - competitive: every investment.round_weeks weeks from reported week 0
 *   (burn-in weeks count back from it), the budget not already
 *   committed to running competitive grants is shared out in grants of
 *   investment.grant_per_week for investment.grant_weeks weeks, each won by
 *   a living unfunded group with probability proportional to
 *   (volunteer + paid hours + 1)^investment.competitive_capacity_exponent
 *   (sequential draws without replacement from one area stream), so money
 *   flows to where capacity already is.
 * - patient: neighbourhood b gets B_b = B x R_b d_b^e / sum (R_b residents,
 *   d_b deprivation, e = investment.patient_need_exponent; d_b = 0 gets
 *   nothing) every week for investment.core_weeks weeks from the week patient
 *   mode began, spent on cdw hours (investment.patient_cdw_share), volunteer
 *   support (investment.patient_volunteer_support_share, up to what gives
 *   full support) and core funding of one anchor group (the rest).
 *
 * - investment.targeting decides which neighbourhoods the money goes to,
 *   apart from the mode: capacity (competitive: the draw above over all
 *   groups; patient: B_b in proportion to b's sum of those weights), need
 *   (the patient rule above; competitive: b's expected share of the draws
 *   is R_b d_b^e / sum, its groups competing among themselves by
 *   capacity), flat (R_b in place of R_b d_b^e), or by_mode (capacity for
 *   competitive, need for patient).
 *
 * Runs after groups_step in the same week (which ends grants whose end has
 * come). Competitive rounds are sequential in slot order; patient funding is
 * parallel over neighbourhoods. Results do not depend on the thread count.
 */
#ifndef CW_FUNDING_H
#define CW_FUNDING_H

#include <stdbool.h>
#include <stdint.h>

#include "alloc.h"
#include "events.h"
#include "params.h"
#include "world.h"

/* What the money phase remembers between weeks, owned by the caller (the
 * simulation handle): when patient mode began, and scratch for the
 * competitive draw. Part of the state a checkpoint must save: last_mode and
 * patient_start (the tree is scratch). */
typedef struct funding_state {
    int last_mode;          /* investment.mode last week; -1 before the first */
    uint32_t patient_start; /* step patient mode last began; UINT32_MAX never */
    uint32_t tree_leaves;   /* power of two >= the world's group slots        */
    double *tree;           /* [2 * tree_leaves] sum tree of win weights      */
} funding_state;

/* Set up the state for world w (its group slots are fixed after set-up).
 * CW_ENOMEM if the scratch cannot be allocated; release with
 * funding_state_free in any case. */
cw_status funding_state_init(funding_state *fs, cw_mem *mem, const world *w);
void funding_state_free(funding_state *fs, cw_mem *mem);

/* The phase, one week. log may be NULL (no events recorded). */
void funding_step(world *w, const cw_params *p, funding_state *fs, uint64_t seed, uint32_t step,
                  event_log *log);

/* Stop group slot k's grant (of neighbourhood b) now, at `step`: log
 * EV_GRANT_END (detail = source, value = GBP/week), clear its paid hours,
 * grant and funding, and leave group_funding_end[k] = step, the week its
 * funding ended, which groups.h's after-effects read (funding_ended_within).
 * Used by groups_step when a grant's end comes or its group closes. */
void funding_end_grant(world *w, uint32_t k, int b, uint32_t step, event_log *log);

/* Whether unfunded group k's last funding ended less than
 * investment.grant_end_weeks before `step` (the grant-end window). */
static inline bool funding_ended_within(const world *w, const cw_params *p, uint32_t k, uint32_t step)
{
    uint16_t end = w->group_funding_end[k];
    return w->group_funding[k] == FUND_NONE && end != NEVER && step >= end &&
           step - end < (uint32_t)p->investment_grant_end_weeks;
}

/* Capacity-investment income of neighbourhood b in GBP per resident per
 * week, as the observe phase reports it:
 *   (sum of group_grant_per_week over b's group slots
 *    + cdw_hours[b] x investment.cdw_hour_cost
 *    + volunteer_support[b] x R_b x investment.volunteer_support_cost / 52) / R_b
 * i.e. competitive grants and core funding received by its groups plus the
 * patient spend on community-development workers and volunteer support.
 * 0 for a neighbourhood without residents. */
double funding_grant_per_resident(const world *w, const cw_params *p, int b);

#endif
