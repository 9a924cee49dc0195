/*
 * The synthetic population (MODEL.md s5): neighbourhoods, households,
 * residents, ties, initial groups and services. A pure function of the
 * parameters, the optional neighbourhood CSV and the seed: the same bytes at
 * any thread count.
 */
#ifndef CW_POPULATION_H
#define CW_POPULATION_H

#include "nbhd_csv.h"
#include "params.h"
#include "world.h"

/* Residents the scenario will create (from the CSV when given). */
uint64_t population_count(const cw_params *p, const nbhd_csv *csv, int *n_nbhd);

/* Build everything into w (zeroed). csv may be NULL (synthetic area).
 * On failure frees what it made and returns CW_ENOMEM or CW_EINVAL with a
 * message in err. */
cw_status population_build(world *w, cw_mem *mem, const cw_params *p, const nbhd_csv *csv,
                           char *err, size_t errlen);

#endif
