/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * What each lever costs, in GBP per resident per year, and out of which
 * budget (issue 16, item 5): `commonweal check` prints it. Every lever's
 * cost comes from a budget: new money (capacity investment), or time and
 * money taken from the services' own budgets (the partnership's officer
 * margin and escalation pool). Levers with no budget line in the model say
 * so. A lever's cost is the largest it reaches at any point of the
 * scenario's timeline.
 */
#include <stdio.h>
#include <string.h>

#include "commonweal/commonweal.h"
#include "params.h"
#include "scenario.h"
#include "services.h"

enum { C_SERVICES, C_OFFICER, C_POOL, C_INVEST, C_COPRODUCTION, C_PRIVATISED, C_ASSET, C_BUSINESS, C_TIMEBANK,
       C_LISTENING, N_COSTS };

typedef struct lever_costs {
    double v[N_COSTS];  /* GBP per resident per year (C_COPRODUCTION: gain; C_PRIVATISED: link lost) */
    int on[N_COSTS];
} lever_costs;

/* The services' budgets per resident per week at need weight 1 (the area
 * mean when deprivation averages 0.5): gross, or net of the pool's
 * top-slice (what the teams spend on staff). */
static double service_spend(const cw_params *p, int net)
{
    double budget[N_SECTORS];
    services_budgets(p, budget);
    const double scale[N_SECTORS] = {p->funding_scale_health, p->funding_scale_social_care,
                                     p->funding_scale_mental_health, p->funding_scale_housing,
                                     p->funding_scale_work, p->funding_scale_food};
    double total = 0.0;
    for (int s = 0; s < N_SECTORS; s++) total += budget[s] * scale[s];
    return net ? total * services_pool_topslice(p) : total;
}

/* As allocate.c: the share of officer margin and referrals privatisation
 * takes. */
static double privatised_loss(const cw_params *p)
{
    if (!p->policy_privatised) return 0.0;
    double loss = p->privatisation_margin_loss;
    return p->policy_clause ? loss * (1.0 - p->privatisation_clause_restores) : loss;
}

static void costs_of(const cw_params *p, lever_costs *c)
{
    memset(c, 0, sizeof *c);
    c->v[C_SERVICES] = 52.0 * service_spend(p, 0);
    c->on[C_SERVICES] = 1;
    if (p->policy_partnership) {
        double margin = p->partnership_margin * (1.0 - privatised_loss(p));
        c->v[C_OFFICER] = 52.0 * margin * service_spend(p, 1);
        c->v[C_POOL] = 52.0 * services_pool_cost(p);
        c->v[C_COPRODUCTION] = p->partnership_margin > 0.0 ? p->partnership_coproduction * margin / p->partnership_margin : 0.0;
        c->on[C_OFFICER] = c->on[C_POOL] = c->on[C_COPRODUCTION] = 1;
    }
    if (p->investment_mode != 0) {
        c->v[C_INVEST] = p->investment_amount;
        c->on[C_INVEST] = 1;
    }
    if (p->policy_privatised) {
        c->v[C_PRIVATISED] = privatised_loss(p);
        c->on[C_PRIVATISED] = 1;
    }
    c->on[C_ASSET] = p->policy_asset_transfer;
    c->on[C_BUSINESS] = p->policy_business;
    c->on[C_TIMEBANK] = p->policy_timebank;
    c->on[C_LISTENING] = p->policy_listening;
}

static void costs_max(lever_costs *acc, const lever_costs *c)
{
    for (int k = 0; k < N_COSTS; k++) {
        if (c->on[k] && (!acc->on[k] || c->v[k] > acc->v[k])) acc->v[k] = c->v[k];
        acc->on[k] |= c->on[k];
    }
}

cw_status cw_scenario_write_costs(const cw_scenario *sc, FILE *fp)
{
    cw_params p = sc->params;
    lever_costs all, now;
    costs_of(&p, &all);
    char err[256];
    for (size_t k = 0; k < sc->n_events;) {
        int32_t week = sc->events[k].week;
        for (; k < sc->n_events && sc->events[k].week == week; k++)
            if (params_set_number(&p, &params_table[sc->events[k].param], sc->events[k].value, err, sizeof err))
                return CW_EINVAL;
        costs_of(&p, &now);
        costs_max(&all, &now);
    }
    fputs("# Lever costs, GBP per resident per year (the most each reaches on the timeline):\n", fp);
    fprintf(fp, "#   services (funding.budget x funding.scale, every team): %.2f\n", all.v[C_SERVICES]);
    if (all.on[C_OFFICER])
        fprintf(fp, "#   partnership officer time: %.2f of paid staff time taken from the services' budgets\n",
                all.v[C_OFFICER]);
    if (all.on[C_POOL])
        fprintf(fp, "#   partnership escalation pool: %.2f of LA money top-sliced from the services' budgets\n",
                all.v[C_POOL]);
    if (all.on[C_COPRODUCTION])
        fprintf(fp, "#   partnership co-production: no money; +%.0f%% effect of group and service help "
                    "[assumption: partnership.coproduction_gain, swept]\n", 100.0 * all.v[C_COPRODUCTION]);
    if (all.on[C_INVEST])
        fprintf(fp, "#   capacity investment: %.2f of new money (investment.amount)\n", all.v[C_INVEST]);
    if (all.on[C_PRIVATISED])
        fprintf(fp, "#   privatisation: no money (contracts cost the same budgets); loses %.0f%% of the "
                    "referrals between teams and groups\n", 100.0 * all.v[C_PRIVATISED]);
    if (all.on[C_ASSET]) fputs("#   asset transfer: not costed (no budget line in the model)\n", fp);
    if (all.on[C_BUSINESS]) fputs("#   community business support: not costed (no budget line in the model)\n", fp);
    if (all.on[C_TIMEBANK]) fputs("#   time banks: not costed (no budget line in the model)\n", fp);
    if (all.on[C_LISTENING]) fputs("#   listening: not costed (no budget line in the model)\n", fp);
    return ferror(fp) ? CW_EIO : CW_OK;
}
