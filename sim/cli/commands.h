/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * Commands that live in their own files under sim/cli/ (main.c dispatches).
 * Each takes argv[0] = the command's name and returns the exit status:
 * 0 success, 1 runtime failure, 2 bad input.
 */
#ifndef CW_CLI_COMMANDS_H
#define CW_CLI_COMMANDS_H

#include "commonweal/commonweal.h"

int cmd_sweep(int argc, char **argv);   /* sweep.c   */
int cmd_metrics(int argc, char **argv); /* metrics.c */
int cmd_export(int argc, char **argv);  /* metrics.c */
/* "TIME: the command line", the CF history of the files written (main.c) */
const char *cli_history(void);

struct option;
/* After getopt_long returned '?' (opterr is 0): one line on stderr, the
 * unknown option or the one missing its value and where the help is;
 * returns exit status 2 (main.c). */
int cli_option_error(const char *cmd, int argc, char **argv, const struct option *opts);
/* "commonweal CMD: WHAT (commonweal CMD --help)"; returns 2 (main.c). */
int cli_usage_error(const char *cmd, const char *what);
/* -o -: refused, with the reason (HDF5 files are written in place and
 * renamed; standard output cannot be). Returns 1 when out is "-". */
int cli_refuse_stdout(const char *cmd, const char *out);
int cmd_compare(int argc, char **argv); /* compare.c */

/* Under mpirun (mpi_launch.c, sweep_mpi.c; docs/MPI.md). Without MPI, or
 * when no MPI launcher started this process: one rank, rank 0, and these
 * calls change nothing. */
#ifdef CW_HAVE_MPI
void cli_mpi_start(int *argc, char ***argv);
void cli_mpi_finish(void);
int cli_mpi_rank(void);
int cli_mpi_size(void);
void cli_mpi_abort(int rc);          /* end every rank (a rank failed mid-run) */
int cli_mpi_any(int flag);           /* flag on any rank                       */
size_t cli_mpi_max(size_t v);        /* the largest over the ranks             */
size_t cli_mpi_sum(size_t v);        /* the sum over the ranks                 */
/* The worst status over the ranks; *print: this rank should report its own. */
cw_status cli_mpi_agree(cw_status st, int *print);
/* cw_sim_create, or under mpirun cw_sim_create_distributed: this rank's share */
cw_status cli_mpi_create(const cw_scenario *sc, const cw_options *opt, cw_sim **out);
cw_status cli_mpi_resume(const char *path, const cw_options *opt, cw_sim **out);
/* A sweep over ranks: rank 0 (file open) hands out members and writes them;
 * the others (file NULL) run members on `threads` OpenMP threads each.
 * Returns the exit status. */
int sweep_mpi_run(cw_sweep *sw, cw_sweep_file *file, int threads, int quiet);
#else
static inline void cli_mpi_start(int *argc, char ***argv) { (void)argc, (void)argv; }
static inline void cli_mpi_finish(void) {}
static inline int cli_mpi_rank(void) { return 0; }
static inline int cli_mpi_size(void) { return 1; }
static inline void cli_mpi_abort(int rc) { (void)rc; }
static inline int cli_mpi_any(int flag) { return flag; }
static inline size_t cli_mpi_max(size_t v) { return v; }
static inline size_t cli_mpi_sum(size_t v) { return v; }
static inline cw_status cli_mpi_agree(cw_status st, int *print) { *print = st != CW_OK; return st; }
static inline cw_status cli_mpi_create(const cw_scenario *sc, const cw_options *opt, cw_sim **out)
{
    return cw_sim_create(sc, opt, out);
}
static inline cw_status cli_mpi_resume(const char *path, const cw_options *opt, cw_sim **out)
{
    return cw_sim_resume(path, opt, out);
}
#endif

#endif
