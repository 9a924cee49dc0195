/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * Public services: one front-line team per sector per neighbourhood, funded
 * by its local authority (MODEL.md s2). This module sets their staff hours
 * from the budgets; the allocation of those hours is the help phase's.
 *
 * Budgets -> paid staff hours -> hours on residents' needs:
 *   hours[b][s] = budget[s] x scale'[s] x weight[b] x R_b x topslice
 *                 / services.staff_hour_cost x services.direct_share[s]
 * where scale' spreads a cut by deprivation, weight = 1 + need_weighting
 * (d - 0.5), and topslice = 1 - pool/sum(budgets) pays for the LA
 * escalation pool (partnership only; pool = partnership.escalation_pool_hours
 * x staff_hour_cost GBP per resident a week). Only the direct share of a paid
 * hour is time spent on a resident's need; the rest is recording, meetings,
 * travel and supervision.
 */
#ifndef CW_SERVICES_H
#define CW_SERVICES_H

#include "params.h"
#include "world.h"

/* Staff hours a week of every team from funding.budget, funding.scale, the
 * need weighting and the cut gradient. Called at set-up and whenever the
 * timeline changes a funding parameter. */
void services_fund(world *w, const cw_params *p);

/* funding.budget.<sector> and services.direct_share.<sector>, by sector. */
void services_budgets(const cw_params *p, double budget[N_SECTORS]);
void services_direct_shares(const cw_params *p, double share[N_SECTORS]);

/* The escalation pool's cost in GBP per resident per week (0 without a
 * partnership), and the factor (<= 1) it leaves of every service budget. */
double services_pool_cost(const cw_params *p);
double services_pool_topslice(const cw_params *p);

#endif
