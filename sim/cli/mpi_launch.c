/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * The command line under mpirun (docs/MPI.md): MPI starts only when a
 * launcher started this process (so `commonweal run` on its own never
 * touches MPI), and `run`, `resume` and `sweep` ask these helpers whether
 * they are rank 0 and what the other ranks decided.
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "commonweal/commonweal_mpi.h"

static int started, rank, size = 1;

/* Environment variables that MPI launchers (Open MPI's mpirun, PMI/PMIx as
 * under Slurm's srun, MPICH's hydra) set in the processes they start. */
static int launched_by_mpi(void)
{
    static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"};
    for (size_t k = 0; k < sizeof vars / sizeof vars[0]; k++)
        if (getenv(vars[k])) return 1;
    return 0;
}

void cli_mpi_start(int *argc, char ***argv)
{
    if (started || !launched_by_mpi()) return;
    int provided;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) return;
    started = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
}

void cli_mpi_finish(void)
{
    if (started) MPI_Finalize();
    started = 0;
}

int cli_mpi_rank(void) { return rank; }
int cli_mpi_size(void) { return size; }

void cli_mpi_abort(int rc)
{
    if (started && size > 1) MPI_Abort(MPI_COMM_WORLD, rc);
}

int cli_mpi_any(int flag)
{
    if (!started || size == 1) return flag;
    int any;
    MPI_Allreduce(&flag, &any, 1, MPI_INT, MPI_LOR, MPI_COMM_WORLD);
    return any;
}

static size_t reduce(size_t v, MPI_Op op)
{
    if (!started || size == 1) return v;
    unsigned long long in = v, out = 0;
    MPI_Allreduce(&in, &out, 1, MPI_UNSIGNED_LONG_LONG, op, MPI_COMM_WORLD);
    return (size_t)out;
}

size_t cli_mpi_max(size_t v) { return reduce(v, MPI_MAX); }
size_t cli_mpi_sum(size_t v) { return reduce(v, MPI_SUM); }

cw_status cli_mpi_agree(cw_status st, int *print)
{
    *print = st != CW_OK;
    if (!started || size == 1) return st;
    int mine = (int)st, root = mine, worst;
    MPI_Bcast(&root, 1, MPI_INT, 0, MPI_COMM_WORLD);
    MPI_Allreduce(&mine, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    /* a failure every rank shares (bad input) is told once, by rank 0 */
    *print = mine != CW_OK && (rank == 0 || root == CW_OK);
    return (cw_status)worst;
}

cw_status cli_mpi_create(const cw_scenario *sc, const cw_options *opt, cw_sim **out)
{
    if (!started) return cw_sim_create(sc, opt, out);
    return cw_sim_create_distributed(sc, opt, MPI_COMM_WORLD, out);
}

cw_status cli_mpi_resume(const char *path, const cw_options *opt, cw_sim **out)
{
    if (!started) return cw_sim_resume(path, opt, out);
    return cw_sim_resume_distributed(path, opt, MPI_COMM_WORLD, out);
}
