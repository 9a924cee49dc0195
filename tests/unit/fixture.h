/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * Tiny worlds for the model's unit tests: default parameters, n_nbhd
 * neighbourhoods of `residents` each, a seed, an optional tweak of the
 * parameters before the world is built, and an empty event log.
 */
#ifndef CW_TEST_FIXTURE_H
#define CW_TEST_FIXTURE_H

#include <criterion/criterion.h>
#include <string.h>

#include "events.h"
#include "population.h"

static inline void tiny_world(cw_mem *mem, world *w, cw_params *p, event_log *log, int n_nbhd, int residents,
                              int64_t seed, void (*tweak)(cw_params *))
{
    params_defaults(p);
    p->population_neighbourhoods = n_nbhd;
    p->population_residents_per_neighbourhood = residents;
    p->run_seed = seed;
    if (tweak) tweak(p);
    char err[256];
    cr_assert_eq(population_build(w, mem, p, NULL, err, sizeof err), CW_OK, "%s", err);
    cr_assert_eq(event_log_init(log, mem, w->n_nbhd, 0), CW_OK);
}

/* Quiet the world for a test of one route: every route closed until the test
 * opens it (no offers, no trust threshold, no eligibility, no partnership),
 * no needs, clocks, memberships, spare hours, living groups or staff hours;
 * full trust and awareness. */
static inline void tiny_world_quiet(world *w, cw_params *p)
{
    p->help_informal_offer_rate = p->help_household_offer_rate = 0.0;
    p->help_trust_threshold_mean = p->help_trust_threshold_spread = 0.0;
    p->help_awareness = 1.0;
    p->services_elig_health = p->services_elig_social_care = p->services_elig_mental_health = 0.0;
    p->services_elig_housing = p->services_elig_work = p->services_elig_food = 0.0;
    p->policy_partnership = p->policy_privatised = 0;
    for (uint32_t i = 0; i < w->n_res; i++) {
        for (int s = 0; s < N_SECTORS; s++) {
            w->need[(size_t)i * N_SECTORS + (size_t)s] = 0.0f;
            w->unrelieved_weeks[(size_t)i * N_SECTORS + (size_t)s] = 0;
        }
        for (int q = 0; q < MAX_MEMBERSHIPS; q++) w->membership[(size_t)i * MAX_MEMBERSHIPS + (size_t)q] = NO_MEMBERSHIP;
        w->trust[i] = 1.0f;
        w->spare_hours[i] = 0.0f;
    }
    for (uint32_t k = 0; k < w->n_groups; k++) {
        w->group_alive[k] = 0;
        w->group_volunteer_hours[k] = w->group_paid_hours[k] = 0.0f;
    }
    for (int s = 0; s < N_SECTORS; s++) w->service_staff_hours[s] = w->service_escalated[s] = 0.0f;
}

static inline void tiny_world_free(cw_mem *mem, world *w, event_log *log)
{
    event_log_free(log, mem);
    world_free(w, mem);
}

#endif
