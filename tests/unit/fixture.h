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

static inline void tiny_world_free(cw_mem *mem, world *w, event_log *log)
{
    event_log_free(log, mem);
    world_free(w, mem);
}

#endif
