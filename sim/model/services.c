/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
#include "services.h"

void services_budgets(const cw_params *p, double budget[N_SECTORS])
{
    const double base[N_SECTORS] = {p->funding_budget_health, p->funding_budget_social_care,
                                    p->funding_budget_mental_health, p->funding_budget_housing,
                                    p->funding_budget_work, p->funding_budget_food};
    for (int s = 0; s < N_SECTORS; s++) budget[s] = base[s];
}

void services_direct_shares(const cw_params *p, double share[N_SECTORS])
{
    const double d[N_SECTORS] = {p->services_direct_health, p->services_direct_social_care,
                                 p->services_direct_mental_health, p->services_direct_housing,
                                 p->services_direct_work, p->services_direct_food};
    for (int s = 0; s < N_SECTORS; s++) share[s] = d[s];
}

double services_pool_cost(const cw_params *p)
{
    return p->policy_partnership ? p->partnership_pool_hours * p->services_staff_hour_cost : 0.0;
}

double services_pool_topslice(const cw_params *p)
{
    double budget[N_SECTORS], total = 0.0;
    services_budgets(p, budget);
    for (int s = 0; s < N_SECTORS; s++) total += budget[s];
    double pool = services_pool_cost(p);
    if (pool <= 0.0 || total <= 0.0) return 1.0;
    return pool >= total ? 0.0 : 1.0 - pool / total;
}

void services_fund(world *w, const cw_params *p)
{
    double budget[N_SECTORS], direct[N_SECTORS];
    services_budgets(p, budget);
    services_direct_shares(p, direct);
    const double scale[N_SECTORS] = {p->funding_scale_health, p->funding_scale_social_care,
                                     p->funding_scale_mental_health, p->funding_scale_housing,
                                     p->funding_scale_work, p->funding_scale_food};
    /* the LA escalation pool is paid for out of the services' budgets */
    double topslice = services_pool_topslice(p);
    for (int b = 0; b < w->n_nbhd; b++) {
        double d = w->deprivation[b];
        double residents = w->nbhd_first[b + 1] - w->nbhd_first[b];
        double weight = 1.0 + p->funding_need_weighting * (d - 0.5);
        /* a cut (scale < 1) is spread by deprivation; growth is flat */
        double cut_weight = 1.0 + p->funding_cut_deprivation_gradient * (d - 0.5);
        for (int s = 0; s < N_SECTORS; s++) {
            double sc = scale[s] < 1.0 ? 1.0 - (1.0 - scale[s]) * cut_weight : scale[s];
            if (sc < 0.0) sc = 0.0;
            double pounds = budget[s] * sc * weight * residents * topslice;
            /* paid hours, of which the direct share is time on residents' needs */
            w->service_staff_hours[(size_t)b * N_SECTORS + (size_t)s] =
                (float)(pounds / p->services_staff_hour_cost * direct[s]);
        }
    }
}
