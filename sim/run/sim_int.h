/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * The simulation handle's private layout, shared by sim.c (set-up and the
 * weekly schedule) and checkpoint.c (saving and restoring it).
 */
#ifndef CW_SIM_INT_H
#define CW_SIM_INT_H

#include "commonweal/commonweal.h"
#include "events.h"
#include "funding.h"
#include "help.h"
#include "observe.h"
#include "output.h"
#include "scenario.h"
#include "snapshot.h"
#include "world.h"
#include "world_comm.h"

/* The week's phases (MODEL.md s3; the timetable is in sim.c). */
enum phase { PH_EVENTS, PH_LIFE, PH_SEEK, PH_ALLOCATE, PH_SOCIAL, PH_GROUPS, PH_OBSERVE, PH_OUTPUT, N_PHASES };

struct cw_sim {
    cw_mem mem;
    cw_params params;        /* the working copy: the timeline changes it  */
    cw_scenario scenario;    /* a private copy (its own events array)      */
    char *scenario_yaml;     /* the resolved scenario, for the output      */
    char *history;           /* CF history of the output (cw_sim_set_history) */
    int threads;
    world w;
    help_scratch help;
    funding_state funding;   /* what the money phase keeps between weeks */
    event_log log;
    observe_scratch obs;
    metrics_frame frame;
    output *out;
    size_t cursor;           /* next timeline event                        */
    int step, n_steps, frame_valid;
    double phase_seconds[N_PHASES];
    double wall_start;
    /* checkpoints (checkpoint.c): written after every checkpoint_every
     * weeks (0: never) to checkpoint_path */
    int checkpoint_every;
    char *checkpoint_path;
    int32_t snapshot_weeks[SNAPSHOT_MAX_WEEKS]; /* output.snapshot_weeks, parsed */
    int n_snapshot_weeks;
    struct sim_dist *dist;   /* a distributed run's ranks (sim/run/mpi_sim.c); NULL otherwise */
    char errmsg[1024];
};

/* Set up what the weekly phases need besides the world (scratch, funding
 * state, event log, metrics), for a world already built or restored. */
cw_status sim_setup_phases(cw_sim *sim);

/* Parse output.snapshot_weeks into sim->snapshot_weeks (once, at set-up or
 * resume). CW_EINVAL with the message on sim. */
cw_status sim_parse_snapshot_weeks(cw_sim *sim);

/* The output set-up of sim's world and parameters (path, force left 0), with
 * the per-neighbourhood population in *population (malloc'd: the caller
 * frees it after the call that uses s). CW_ENOMEM if it cannot be made. */
cw_status sim_output_setup(const cw_sim *sim, output_setup *s, int32_t **population);

/* Threads the phases will use. */
int sim_threads_in_use(const cw_sim *sim);

/* Write a checkpoint now if one is due after the week just done. */
int checkpoint_due(const cw_sim *sim);
cw_status checkpoint_if_due(cw_sim *sim);

/* Set the share of the world this process holds (w->res_base, n_res,
 * own_nbhd_begin/end) once the neighbourhoods are known (nbhd_first,
 * nbhd_la), before residents are made or read. */
typedef cw_status (*sim_partition_fn)(cw_sim *sim, void *ctx);

/* cw_sim_resume, reopening the checkpoint's output only if open_output (a
 * distributed run's other ranks leave it to rank 0); partition (NULL: all)
 * chooses the residents this process keeps. */
cw_status sim_resume(const char *path, const cw_options *opt, int open_output, sim_partition_fn partition,
                     void *partition_ctx, cw_sim **out);

/* cw_sim_create, building only the share partition chooses (NULL: the
 * whole world); partition sets sim->dist, whose world_comm set-up uses. */
cw_status sim_create(const cw_scenario *sc, const cw_options *opt, sim_partition_fn partition, void *ctx,
                     cw_sim **out);

/* Receives, in order, the bytes of an array streamed to rank 0. */
typedef void (*stream_put_fn)(void *ctx, const void *p, size_t n);

/* A distributed run (sim/run/mpi_sim.c, docs/MPI.md). Each rank holds and steps
 * its own neighbourhoods' residents and their ghosts; these calls, made by
 * every rank at the same points of the week, exchange what crosses ranks.
 * With no MPI, or sim->dist NULL, they do nothing (or act on the one
 * process's whole world) and dist_is_root is 1. */
#ifdef CW_HAVE_MPI
void dist_free(cw_sim *sim);
int dist_is_root(const cw_sim *sim);
const world_comm *dist_world_comm(const cw_sim *sim); /* set-up's global steps */
void dist_ghosts_ask(cw_sim *sim);     /* ties' asks, before the offers    */
void dist_ghosts_offer(cw_sim *sim);   /* ties' offers, before allocation  */
void dist_share_escalate(cw_sim *sim); /* LA pool reports, before the pools */
void dist_share_groups(cw_sim *sim);   /* groups, before the money phase    */
void dist_gather_week(cw_sim *sim);    /* metrics and events, to rank 0     */
uint64_t dist_sum_u64(cw_sim *sim, uint64_t v); /* over the ranks          */
/* Rank 0's put receives rows of row_bytes: its own, then every other
 * rank's share in rank order; the other ranks send theirs. */
void dist_stream_rows(cw_sim *sim, const void *mine, size_t row_bytes, size_t rows, stream_put_fn put,
                      void *ctx);
/* The same for a world array as one process holds it (checkpoints): every
 * rank's share of a divided array, ids as global numbers, tie offsets
 * rebased; rank 0's copy of an array every rank holds whole. In one
 * process: the array as it is. */
void dist_put_array(cw_sim *sim, const world_array *a, stream_put_fn put, void *ctx);
#else
static inline void dist_free(cw_sim *sim) { (void)sim; }
static inline int dist_is_root(const cw_sim *sim) { (void)sim; return 1; }
static inline const world_comm *dist_world_comm(const cw_sim *sim) { (void)sim; return NULL; }
static inline void dist_ghosts_ask(cw_sim *sim) { (void)sim; }
static inline void dist_ghosts_offer(cw_sim *sim) { (void)sim; }
static inline void dist_share_escalate(cw_sim *sim) { (void)sim; }
static inline void dist_share_groups(cw_sim *sim) { (void)sim; }
static inline void dist_gather_week(cw_sim *sim) { (void)sim; }
static inline uint64_t dist_sum_u64(cw_sim *sim, uint64_t v) { (void)sim; return v; }
static inline void dist_stream_rows(cw_sim *sim, const void *mine, size_t row_bytes, size_t rows,
                                    stream_put_fn put, void *ctx)
{
    (void)sim;
    if (rows) put(ctx, mine, rows * row_bytes);
}
static inline void dist_put_array(cw_sim *sim, const world_array *a, stream_put_fn put, void *ctx)
{
    (void)sim;
    if (a->count) put(ctx, *a->ptr, a->size * a->count);
}
#endif

#endif
