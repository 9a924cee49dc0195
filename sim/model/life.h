/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * Phase 2, life (MODEL.md s3.2): turnover, ageing, employment, income,
 * health drift, needs arising and resolving, spare hours.
 */
#ifndef CW_LIFE_H
#define CW_LIFE_H

#include <stdint.h>

#include "metrics.h"
#include "params.h"
#include "world.h"

/* Values of the life phase that depend only on parameters (and age), worked
 * out once per week instead of once per resident. */
typedef struct life_rates {
    double base_hazard[N_SECTORS];    /* need.hazard.* by sector                    */
    float age_factor[N_SECTORS][121]; /* exp(age effect * (age-45)/10)             */
    double age_hazard[N_SECTORS][121]; /* base_hazard x age_factor: the hazard's
                                          first product, once per week       */
    float crisis_factor[N_SECTORS];   /* product of active crisis multipliers     */
    float leave_by_age[121];          /* weekly mortality by age                   */
    float spill[64][N_SECTORS];       /* hazard multiplier by last week's unmet
                                         sectors (bit mask) and sector          */
    double job_loss_mult, job_find_mult;
} life_rates;

void life_rates_compute(life_rates *r, const cw_params *p);

/* The resident's own multiplier of every need hazard: poorer and less
 * healthy residents develop needs more often (ODD 7.4). */
double life_need_personal(const cw_params *p, double income, double health);

/* Its income factor, which life_need_personal multiplies by the health
 * factor. */
double life_need_income_term(const cw_params *p, double income);

/* Weekly hazard of a new need in sector s, crises included. */
double life_need_hazard(const life_rates *r, int s, unsigned age,
                        double personal, int working_age, int employed);

/* Weekly job loss and job finding chances for a working-age resident.
 * (The life phase adds spill-overs and community-business jobs.) */
void life_job_rates(const cw_params *p, const life_rates *r, double deprivation, double health,
                    double *loss, double *find);

/* The share in work that these rates settle to (set-up and newcomers). */
double life_employment_steady(const cw_params *p, const life_rates *r, double deprivation,
                             double health);

/* Long-run health level a resident's health moves toward. */
double life_health_target(const cw_params *p, unsigned age, double deprivation,
                          double health_need);

double life_spare_hours(const cw_params *p, double health, int employed, double income);

static inline int life_working_age(unsigned age) { return age >= 16 && age < 65; }

/* A resident's income before the neighbourhood's business factor: its base
 * income, times population.unemployed_income_ratio when out of work. */
static inline double life_income_earned(const cw_params *p, double income_base, int out_of_work)
{
    return income_base * (out_of_work ? p->population_unemployed_income_ratio : 1.0);
}

/* The phase: every resident of the world, one week. step is the simulation
 * step (0-based, burn-in included); seed the run's seed. */
void life_step(world *w, const cw_params *p, uint64_t seed, uint32_t step);

#endif
