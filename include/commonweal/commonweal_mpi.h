/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * Distributed runs over MPI (docs/MPI.md). Only in builds with MPI
 * (CW_HAVE_MPI; cmake -DCOMMONWEAL_MPI=ON|AUTO).
 */
#ifndef COMMONWEAL_MPI_H
#define COMMONWEAL_MPI_H

#include <mpi.h>

#include "commonweal/commonweal.h"

/* cw_sim_create for a run spread over the ranks of comm: every rank calls
 * it with the same scenario. Each rank builds and holds a contiguous range
 * of neighbourhoods (balanced by residents, cut at LA boundaries when there
 * are as many LAs as ranks), only their residents and ties, and copies of
 * the residents of other ranks its residents have ties to; memory and
 * set-up divide over the ranks. Every cw_sim_step, cw_sim_checkpoint and
 * snapshot is collective; rank 0 alone opens the output and writes
 * checkpoints, and its metrics, output and checkpoints are bit for bit
 * those of a one-process run. Errors of the input (CW_EINVAL: a bad
 * scenario, more ranks than neighbourhoods) are returned on every rank; a
 * rank that runs out of memory while building its share ends the job
 * (MPI_Abort), with the message on its stderr. */
CW_API cw_status cw_sim_create_distributed(const cw_scenario *sc, const cw_options *opt, MPI_Comm comm,
                                           cw_sim **out);

/* cw_sim_resume for a distributed run, on any number of ranks: every rank
 * reads the checkpoint (any run's: one process or any number of ranks) and
 * keeps its share; rank 0 alone reopens the output. */
CW_API cw_status cw_sim_resume_distributed(const char *path, const cw_options *opt, MPI_Comm comm,
                                           cw_sim **out);

/* This simulation's rank and the number of ranks (0 and 1 if not distributed). */
CW_API int cw_sim_rank(const cw_sim *sim);
CW_API int cw_sim_ranks(const cw_sim *sim);

#endif
