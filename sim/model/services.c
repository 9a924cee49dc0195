/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
#include "services.h"

void services_fund(world *w, const cw_params *p)
{
    const double budget[N_SECTORS] = {p->funding_budget_health, p->funding_budget_social_care,
                                      p->funding_budget_mental_health, p->funding_budget_housing,
                                      p->funding_budget_work, p->funding_budget_food};
    const double scale[N_SECTORS] = {p->funding_scale_health, p->funding_scale_social_care,
                                     p->funding_scale_mental_health, p->funding_scale_housing,
                                     p->funding_scale_work, p->funding_scale_food};
    for (int b = 0; b < w->n_nbhd; b++) {
        double d = w->deprivation[b];
        double residents = w->nbhd_first[b + 1] - w->nbhd_first[b];
        double weight = 1.0 + p->funding_need_weighting * (d - 0.5);
        /* a cut (scale < 1) is spread by deprivation; growth is flat */
        double cut_weight = 1.0 + p->funding_cut_deprivation_gradient * (d - 0.5);
        for (int s = 0; s < N_SECTORS; s++) {
            double sc = scale[s] < 1.0 ? 1.0 - (1.0 - scale[s]) * cut_weight : scale[s];
            if (sc < 0.0) sc = 0.0;
            double pounds = budget[s] * sc * weight * residents;
            w->service_staff_hours[(size_t)b * N_SECTORS + (size_t)s] =
                (float)(pounds / p->services_staff_hour_cost);
        }
    }
}
