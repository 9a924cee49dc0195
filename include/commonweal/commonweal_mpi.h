/*
 * Distributed runs over MPI (docs/MPI.md). Only in builds with MPI
 * (CW_HAVE_MPI; cmake -DCOMMONWEAL_MPI=ON|AUTO).
 */
#ifndef COMMONWEAL_MPI_H
#define COMMONWEAL_MPI_H

#include <mpi.h>

#include "commonweal/commonweal.h"

/* Spread a simulation over the ranks of comm: every rank calls this with
 * its own cw_sim of the same scenario (made by cw_sim_create or
 * cw_sim_resume_distributed), before the first cw_sim_step. Each rank then
 * steps a contiguous range of neighbourhoods (balanced by residents, cut at
 * LA boundaries when there are as many LAs as ranks); every cw_sim_step is
 * collective; rank 0 alone opens the output and writes checkpoints, and its
 * metrics, output and checkpoints are bit for bit those of a one-process
 * run. CW_EINVAL, on every rank, if comm has more ranks than neighbourhoods. */
CW_API cw_status cw_sim_distribute(cw_sim *sim, MPI_Comm comm);

/* cw_sim_resume for a distributed run: every rank reads the checkpoint,
 * rank 0 alone reopens its output; then cw_sim_distribute. */
CW_API cw_status cw_sim_resume_distributed(const char *path, const cw_options *opt, MPI_Comm comm,
                                           cw_sim **out);

/* This simulation's rank and the number of ranks (0 and 1 if not distributed). */
CW_API int cw_sim_rank(const cw_sim *sim);
CW_API int cw_sim_ranks(const cw_sim *sim);

#endif
