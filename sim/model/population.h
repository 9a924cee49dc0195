/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * The synthetic population (MODEL.md s5): neighbourhoods, households,
 * residents, ties, initial groups and services. A pure function of the
 * parameters, the optional neighbourhood CSV and the seed: the same bytes at
 * any thread count.
 */
#ifndef CW_POPULATION_H
#define CW_POPULATION_H

#include "nbhd_table.h"
#include "params.h"
#include "world.h"
#include "world_comm.h"

/* Residents the scenario will create (from the CSV when given). */
uint64_t population_count(const cw_params *p, const nbhd_csv *csv, int *n_nbhd);

/* Build everything into w (zeroed). csv may be NULL (synthetic area).
 * On failure frees what it made and returns CW_ENOMEM or CW_EINVAL with a
 * message in err. */
cw_status population_build(world *w, cw_mem *mem, const cw_params *p, const nbhd_csv *csv,
                           char *err, size_t errlen);

/* population_build in two stages, for a distributed run (sim/run/mpi_sim.c):
 * the neighbourhoods and LAs, whole on every rank (residents: all held);
 * then, once the caller has set the share held here (res_base, n_res,
 * own_nbhd_begin/end), those residents, their ties (comm: across ranks),
 * the groups and services. Each frees w and says why on failure. */
cw_status population_neighbourhoods(world *w, cw_mem *mem, const cw_params *p, const nbhd_csv *csv,
                                    char *err, size_t errlen);
cw_status population_residents(world *w, cw_mem *mem, const cw_params *p, const world_comm *comm,
                               char *err, size_t errlen);

#endif
