/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * The simulation handle: set-up, the weekly schedule (MODEL.md s3) and the
 * output. Everything the simulation holds is reached from cw_sim.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "commonweal/commonweal.h"
#include "areas.h"
#include "events.h"
#include "funding.h"
#include "groups.h"
#include "help.h"
#include "life.h"
#include "social.h"
#include "nbhd_csv.h"
#include "observe.h"
#include "output.h"
#include "population.h"
#include "scenario.h"
#include "snapshot.h"
#include "world.h"

#include "sim_int.h"
#include "test_hooks.h"

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static cw_status fail(cw_sim *sim, cw_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sim->errmsg, sizeof sim->errmsg, fmt, ap);
    va_end(ap);
    return st;
}

const char *cw_sim_errmsg(const cw_sim *sim) { return sim ? sim->errmsg : "no simulation"; }

static void set_threads(const cw_sim *sim)
{
#ifdef _OPENMP
    if (sim->threads > 0) omp_set_num_threads(sim->threads);
#else
    (void)sim;
#endif
}

int sim_threads_in_use(const cw_sim *sim)
{
#ifdef _OPENMP
    return sim->threads > 0 ? sim->threads : omp_get_max_threads();
#else
    (void)sim;
    return 1;
#endif
}

/* Copy the scenario so the caller may free theirs. */
static cw_status copy_scenario(cw_sim *sim, const cw_scenario *sc)
{
    sim->scenario = *sc;
    sim->scenario.events = NULL;
    sim->scenario.cap_events = sim->scenario.n_events;
    if (sc->n_events) {
        sim->scenario.events = malloc(sc->n_events * sizeof *sc->events);
        if (!sim->scenario.events) return CW_ENOMEM;
        memcpy(sim->scenario.events, sc->events, sc->n_events * sizeof *sc->events);
    }
    sim->params = sc->params;
    return CW_OK;
}

static cw_status render_yaml(cw_sim *sim)
{
    size_t len = 0;
    FILE *fp = open_memstream(&sim->scenario_yaml, &len);
    if (!fp) return CW_ENOMEM;
    cw_status st = cw_scenario_write_yaml(&sim->scenario, fp);
    if (fclose(fp) != 0 && !st) st = CW_ENOMEM;
    return st;
}

/* The reported weeks the run covers, and output.snapshot_weeks parsed. */
static cw_status snapshot_weeks(const cw_params *p, int32_t *weeks, int *n, char *err, size_t errlen)
{
    int32_t first = (int32_t)-p->run_burn_in_weeks, last = (int32_t)p->run_weeks - 1;
    return snapshot_parse_weeks(p->output_snapshot_weeks, first, last, weeks, n, err, errlen);
}

cw_status sim_parse_snapshot_weeks(cw_sim *sim)
{
    return snapshot_weeks(&sim->params, sim->snapshot_weeks, &sim->n_snapshot_weeks, sim->errmsg,
                          sizeof sim->errmsg);
}

/* The neighbourhood table of parameters p (sc's, or a simulation's copy),
 * with messages placed where sc set population.areas and population.scale. */
static cw_status scenario_table(const cw_scenario *sc, const cw_params *p, nbhd_csv *csv, char *err, size_t errlen)
{
    return areas_load(p, sc->origin[TRACK_AREAS].at, sc->origin[TRACK_SCALE].at, csv, err, errlen);
}

cw_status cw_scenario_print_areas(cw_scenario *sc, const char *pattern, FILE *fp)
{
    const cw_params *p = &sc->params;
    if (!p->population_neighbourhoods_csv[0]) {
        snprintf(sc->errmsg, sizeof sc->errmsg,
                 "%.900s has no neighbourhoods CSV (population.neighbourhoods_csv) to list the areas of",
                 sc->path[0] ? sc->path : "the scenario");
        return CW_EINVAL;
    }
    nbhd_csv csv = {0};
    cw_status st = nbhd_csv_read_as(p->population_neighbourhoods_csv, p->population_deprivation_from, &csv,
                                    sc->errmsg, sizeof sc->errmsg);
    if (!st) st = areas_print(&csv, p->population_neighbourhoods_csv, pattern, fp, sc->errmsg, sizeof sc->errmsg);
    nbhd_csv_free(&csv);
    return st;
}

cw_status cw_scenario_check(cw_scenario *sc)
{
    cw_status st = scenario_validate(sc);
    int32_t weeks[SNAPSHOT_MAX_WEEKS];
    int n;
    if (!st && (st = snapshot_weeks(&sc->params, weeks, &n, sc->errmsg, sizeof sc->errmsg))) {
        char msg[sizeof sc->errmsg]; /* the message names the scenario file */
        snprintf(msg, sizeof msg, "%s", sc->errmsg);
        snprintf(sc->errmsg, sizeof sc->errmsg, "%.256s: %.700s", sc->path, msg);
    }
    if (st || !sc->params.population_neighbourhoods_csv[0]) return st;
    nbhd_csv csv = {0};
    st = scenario_table(sc, &sc->params, &csv, sc->errmsg, sizeof sc->errmsg);
    nbhd_csv_free(&csv);
    return st;
}

/* The refusals of a population's size, before anything is made: more
 * residents than a resident index can number, or more memory than there is
 * (limit 0: nine tenths of this machine's, or of its cgroup's limit). One
 * function, so that check refuses exactly what run refuses. */
#define SIM_BASE_BYTES ((size_t)10 << 20) /* the program and its libraries: RSS of 'check', measured */

/* What a run holds at its peak: the world (world_bytes_estimate), each
 * phase's scratch as its init allocates it (help's per thread and per
 * resident of the largest neighbourhood), the metrics frame, the funding
 * tree, the output's week buffer and HDF5's copy of a write, and the
 * program itself. most: residents of the largest neighbourhood. */
static size_t run_bytes_estimate(uint64_t n, int n_nbhd, uint32_t most, int threads, const cw_params *p)
{
    /* the set-up's edge list is freed before the phases' scratch is made:
     * the peak holds the larger of the two, not both */
    double setup = (double)world_setup_scratch_bytes(n, p);
    double b = (double)world_bytes_estimate(n, n_nbhd, p) - setup + (double)SIM_BASE_BYTES;
    size_t items = (size_t)n_nbhd + (size_t)(n / WORK_CHUNK) + 1;
    double phases = (double)help_scratch_bytes(threads, most, n_nbhd) +
                    (double)observe_scratch_bytes(items, n_nbhd) + (double)event_log_bytes(n_nbhd, 0); /* + 16 B per timeline change: noise */
    b += phases > setup ? phases : setup;
    double frame = (double)metrics_frame_bytes(n_nbhd, (int)p->population_identity_groups);
    double groups = (double)n / p->population_residents_per_group * 2.0 * p->groups_slot_factor;
    b += frame + 4.0 * groups * sizeof(double); /* the funding tree: 2 x a power of two >= groups */
    double weeks = (double)(64u << 20) / (frame > 0 ? frame : 1.0); /* output.c's OUT_BUFFER_BYTES */
    if (weeks > (double)p->output_flush_every) weeks = (double)p->output_flush_every;
    if (weeks < 1) weeks = 1;
    b += (weeks + 1.0) * frame; /* the output's week buffer */
    return (size_t)b;
}

/* The residents of the largest neighbourhood. */
static uint32_t largest_neighbourhood(const cw_params *p, const nbhd_csv *csv)
{
    if (!csv) return (uint32_t)p->population_residents_per_neighbourhood;
    int64_t most = 1;
    for (int b = 0; b < csv->n; b++)
        if (csv->population[b] > most) most = csv->population[b];
    return (uint32_t)most;
}

static cw_status size_refusal(const char *scenario, const cw_params *p, uint64_t n, int n_nbhd,
                              uint32_t most, int threads, size_t limit, int on_rank, char *err, size_t errlen)
{
    if (n >= UINT32_MAX) {
        snprintf(err, errlen, "%.512s: %llu residents is more than commonweal can number (%u)", scenario,
                 (unsigned long long)n, UINT32_MAX - 1);
        return CW_ETOOBIG;
    }
    size_t need = run_bytes_estimate(n, n_nbhd, most, threads, p);
    if (!limit) limit = mem_physical() / 10 * 9;
    if (limit && need > limit) {
        snprintf(err, errlen,
                 "%.512s: %llu residents%s need about %.2f GiB (%.0f bytes each), more than the %.2f GiB "
                 "available; use fewer residents or neighbourhoods%s",
                 scenario, (unsigned long long)n, on_rank ? " on this rank" : "", (double)need / 1073741824.0,
                 (double)need / (double)(n ? n : 1), (double)limit / 1073741824.0, on_rank ? ", or more ranks" : "");
        return CW_ETOOBIG;
    }
    return CW_OK;
}

cw_status cw_scenario_size(cw_scenario *sc, uint64_t *residents, int *neighbourhoods, size_t *bytes)
{
    nbhd_csv csv = {0}, *csvp = NULL;
    if (sc->params.population_neighbourhoods_csv[0]) {
        cw_status st = scenario_table(sc, &sc->params, &csv, sc->errmsg, sizeof sc->errmsg);
        if (st) return st;
        csvp = &csv;
    }
    *residents = population_count(&sc->params, csvp, neighbourhoods);
    uint32_t most = largest_neighbourhood(&sc->params, csvp);
    int threads = 1;
#ifdef _OPENMP
    threads = omp_get_max_threads(); /* run's default */
#endif
    *bytes = run_bytes_estimate(*residents, *neighbourhoods, most, threads, &sc->params);
    nbhd_csv_free(&csv);
    return size_refusal(sc->path, &sc->params, *residents, *neighbourhoods, most, threads, 0, 0, sc->errmsg,
                        sizeof sc->errmsg);
}

/* Refuse, before allocating, a population that cannot fit: all of it, or
 * in a distributed run this rank's share (a machine may run several). */
static cw_status check_memory(cw_sim *sim, const nbhd_csv *csv, const cw_options *opt)
{
    int n_nbhd;
    uint64_t n = population_count(&sim->params, csv, &n_nbhd);
    if (sim->dist) n = sim->w.n_res;
    sim->mem.limit = opt && opt->memory_limit ? opt->memory_limit : 0;
    return size_refusal(sim->scenario.path, &sim->params, n, n_nbhd, largest_neighbourhood(&sim->params, csv),
                        sim_threads_in_use(sim), sim->mem.limit, sim->dist != NULL, sim->errmsg,
                        sizeof sim->errmsg);
}

cw_status sim_setup_phases(cw_sim *sim)
{
    int n_identity = (int)sim->params.population_identity_groups;
    cw_status st;
    if ((st = help_scratch_init(&sim->help, &sim->mem, &sim->w, sim_threads_in_use(sim))) ||
        (st = funding_state_init(&sim->funding, &sim->mem, &sim->w)) ||
        (st = event_log_init(&sim->log, &sim->mem, sim->w.n_nbhd, sim->scenario.n_events)) ||
        (st = observe_scratch_init(&sim->obs, &sim->mem, &sim->w)) ||
        (st = metrics_frame_init(&sim->frame, &sim->mem, sim->w.n_nbhd, n_identity)))
        fail(sim, st, "out of memory setting up the metrics");
    return st;
}

/* The world (or, with partition, this process's share of it) and what the
 * phases need. */
static cw_status build(cw_sim *sim, const cw_options *opt, sim_partition_fn partition, void *ctx)
{
    nbhd_csv csv = {0}, *csvp = NULL;
    cw_status st;
    if (sim->params.population_neighbourhoods_csv[0]) {
        st = scenario_table(&sim->scenario, &sim->params, &csv, sim->errmsg, sizeof sim->errmsg);
        if (st) return st;
        csvp = &csv;
    }
    if (!partition && (st = check_memory(sim, csvp, opt))) goto out_free_csv; /* before anything is made */
    st = population_neighbourhoods(&sim->w, &sim->mem, &sim->params, csvp, sim->errmsg, sizeof sim->errmsg);
    if (st) goto out_free_csv;
    if (partition && ((st = partition(sim, ctx)) || (st = check_memory(sim, csvp, opt)))) {
        world_free(&sim->w, &sim->mem);
        goto out_free_csv;
    }
    st = population_residents(&sim->w, &sim->mem, &sim->params, dist_world_comm(sim), sim->errmsg,
                              sizeof sim->errmsg);
    if (st) goto out_free_csv;
    st = sim_setup_phases(sim);
out_free_csv:
    if (csvp) nbhd_csv_free(csvp);
    return st;
}

cw_status cw_sim_create(const cw_scenario *sc, const cw_options *opt, cw_sim **out)
{
    return sim_create(sc, opt, NULL, NULL, out);
}

static uint64_t test_fail_at; /* cw__test_fail_allocation_at (test_hooks.h) */

void cw__test_fail_allocation_at(uint64_t n) { test_fail_at = n; }

uint64_t cw__test_take_fail_allocation(void)
{
    uint64_t n = test_fail_at;
    test_fail_at = 0;
    return n;
}

cw_status sim_create(const cw_scenario *sc, const cw_options *opt, sim_partition_fn partition, void *ctx,
                     cw_sim **out)
{
    cw_sim *sim = calloc(1, sizeof *sim);
    *out = sim;
    if (!sim) return CW_ENOMEM;
    sim->threads = opt ? opt->threads : 0;
    sim->mem.fail_at = cw__test_take_fail_allocation();
    cw_status st = copy_scenario(sim, sc);
    if (st) return fail(sim, st, "out of memory copying the scenario");
    if ((st = scenario_validate(&sim->scenario)))
        return fail(sim, st, "%s", sim->scenario.errmsg);
    if ((st = sim_parse_snapshot_weeks(sim))) return st;
    if ((st = render_yaml(sim))) return fail(sim, st, "out of memory rendering the scenario");
    sim->n_steps = (int)(sim->params.run_burn_in_weeks + sim->params.run_weeks);
    set_threads(sim);
    if ((st = build(sim, opt, partition, ctx))) {
        if (st == CW_ENOMEM && !sim->errmsg[0]) fail(sim, st, "out of memory building the population");
        return st;
    }
    char err[256];
    if (!world_check(&sim->w, (int)sim->params.population_identity_groups, err, sizeof err))
        return fail(sim, CW_EINVAL, "invariant broken after set-up: %s", err);
    sim->wall_start = now_seconds();
    return CW_OK;
}

void cw_sim_free(cw_sim *sim)
{
    if (!sim) return;
    if (sim->out) output_close(sim->out, 0, 0.0, sim->errmsg, sizeof sim->errmsg);
    dist_free(sim);
    metrics_frame_free(&sim->frame, &sim->mem);
    observe_scratch_free(&sim->obs, &sim->mem);
    event_log_free(&sim->log, &sim->mem);
    funding_state_free(&sim->funding, &sim->mem);
    help_scratch_free(&sim->help, &sim->mem);
    world_free(&sim->w, &sim->mem);
    free(sim->scenario.events);
    free(sim->scenario_yaml);
    free(sim->history);
    free(sim->checkpoint_path);
    free(sim);
}

cw_status sim_output_setup(const cw_sim *sim, output_setup *s, int32_t **population)
{
    const world *w = &sim->w;
    *population = malloc((size_t)(w->n_nbhd ? w->n_nbhd : 1) * sizeof **population);
    if (!*population) return CW_ENOMEM;
    for (int b = 0; b < w->n_nbhd; b++) (*population)[b] = (int32_t)(w->nbhd_first[b + 1] - w->nbhd_first[b]);
    *s = (output_setup){
        .n_nbhd = w->n_nbhd,
        .n_identity = (int)sim->params.population_identity_groups,
        .first_week = (int32_t)-sim->params.run_burn_in_weeks,
        .n_weeks = sim->n_steps,
        .burn_in_weeks = (int32_t)sim->params.run_burn_in_weeks,
        .nbhd_name = (const char *const *)w->nbhd_name,
        .nbhd_code = (const char *const *)w->nbhd_code,
        .nbhd_la = w->nbhd_la,
        .la_name = (const char *const *)w->la_name,
        .la_code = (const char *const *)w->la_code,
        .n_la = w->n_la,
        .deprivation = w->deprivation,
        .decile = w->decile,
        .population = *population,
        .space_quality = w->space_quality,
        .params = &sim->params,
        .scenario_yaml = sim->scenario_yaml,
        .history = sim->history,
        .seed = (uint64_t)sim->params.run_seed,
        .threads = sim_threads_in_use(sim),
        .n_residents = world_residents_total(w),
    };
    return CW_OK;
}

cw_status cw_sim_set_history(cw_sim *sim, const char *history)
{
    char *copy = NULL;
    if (history && !(copy = strdup(history))) return fail(sim, CW_ENOMEM, "out of memory copying the history");
    free(sim->history);
    sim->history = copy;
    return CW_OK;
}

cw_status cw_sim_open_output(cw_sim *sim, const char *path, int force)
{
    if (sim->out) return fail(sim, CW_ESTATE, "an output is already open");
    if (sim->step > 0) return fail(sim, CW_ESTATE, "the output must be opened before the first week");
    output_setup s;
    int32_t *population;
    if (sim_output_setup(sim, &s, &population)) return fail(sim, CW_ENOMEM, "out of memory opening the output");
    s.path = path;
    s.force = force;
    cw_status st = output_open(&sim->out, &s, &sim->frame, sim->errmsg, sizeof sim->errmsg);
    free(population);
    if (st) sim->out = NULL;
    return st;
}

cw_status cw_sim_close_output(cw_sim *sim, int complete)
{
    if (!sim->out) return CW_OK;
    if (complete && sim->step < sim->n_steps)
        return fail(sim, CW_ESTATE, "the run has %d of %d weeks left", sim->n_steps - sim->step, sim->n_steps);
    cw_status st = output_close(sim->out, complete, now_seconds() - sim->wall_start, sim->errmsg,
                                sizeof sim->errmsg);
    sim->out = NULL;
    return st;
}

static int snapshot_due(const cw_sim *sim, int32_t week)
{
    for (int k = 0; k < sim->n_snapshot_weeks; k++)
        if (sim->snapshot_weeks[k] == week) return 1;
    return 0;
}

static void stream_rows(void *ctx, const void *mine, size_t row_bytes, size_t rows,
                        void (*put)(void *, const void *, size_t), void *put_ctx)
{
    dist_stream_rows(ctx, mine, row_bytes, rows, put, put_ctx);
}

/* Write this week's snapshot if output.snapshot_weeks asks for it (in a
 * distributed run every rank takes part: their residents stream to rank 0,
 * which writes). */
static cw_status snapshot_if_due(cw_sim *sim, int32_t week)
{
    if (!snapshot_due(sim, week)) return CW_OK;
    snapshot_stream stream = {stream_rows, sim};
    hid_t file = sim->out ? output_file_id(sim->out) : -1;
    if (file < 0 && !sim->dist) return CW_OK; /* no output (a distributed rank 0 still gathers) */
    return snapshot_write(file, &sim->w, week, (int)sim->params.output_compression,
                          sim->params.social_isolated_weight, &stream, sim->errmsg,
                          sizeof sim->errmsg);
}

/* ---- the week's timetable (MODEL.md s3) ------------------------------------------ */

/* What every phase of one week knows. */
typedef struct week_ctx {
    int32_t week;  /* weeks since the burn-in ended (negative during it) */
    uint64_t seed;
    uint32_t step;
} week_ctx;

static cw_status phase_events(cw_sim *sim, const week_ctx *wk)
{
    return events_apply(sim->scenario.events, sim->scenario.n_events, &sim->cursor, wk->week, &sim->params,
                        &sim->w, &sim->log, sim->errmsg, sizeof sim->errmsg);
}

static cw_status phase_life(cw_sim *sim, const week_ctx *wk)
{
    life_step(&sim->w, &sim->params, wk->seed, wk->step);
    return CW_OK;
}

/* Help-seeking: asks, then offers to ties, which read other ranks' asks
 * (ghosts); the offers are exchanged in turn for the allocation. */
static cw_status phase_seek(cw_sim *sim, const week_ctx *wk)
{
    help_ask(&sim->w);
    dist_ghosts_ask(sim);
    help_offer(&sim->w, &sim->params, wk->seed, wk->step);
    dist_ghosts_offer(sim);
    return CW_OK;
}

/* Allocation, with each neighbourhood's outcomes in the same pass; then the
 * LA escalation pools from every rank's reports. */
static cw_status phase_allocate(cw_sim *sim, const week_ctx *wk)
{
    help_allocate(&sim->w, &sim->params, wk->seed, wk->step, &sim->help);
    dist_share_escalate(sim);
    help_escalate(&sim->w, &sim->params, &sim->log);
    return CW_OK;
}

static cw_status phase_social(cw_sim *sim, const week_ctx *wk)
{
    social_step(&sim->w, &sim->params, wk->seed, wk->step);
    return CW_OK;
}

static cw_status phase_groups(cw_sim *sim, const week_ctx *wk)
{
    groups_step(&sim->w, &sim->params, wk->seed, wk->step, &sim->log);
    dist_share_groups(sim);
    funding_step(&sim->w, &sim->params, &sim->funding, wk->seed, wk->step, &sim->log);
    return CW_OK;
}

/* Observe: each rank its neighbourhoods, then rank 0 the whole area. */
static cw_status phase_observe(cw_sim *sim, const week_ctx *wk)
{
    observe_week(&sim->w, &sim->params, wk->step, sim->help.sums, &sim->obs, &sim->frame);
    dist_gather_week(sim);
    if (dist_is_root(sim)) observe_area(&sim->w, &sim->obs, sim->help.sums, &sim->frame);
    sim->frame_valid = dist_is_root(sim);
    return CW_OK;
}

/* Not a model phase: the week's events and metrics to the run file, and a
 * snapshot if one is due. */
static cw_status phase_output(cw_sim *sim, const week_ctx *wk)
{
    cw_status st;
    if (sim->out && (st = output_write_events(sim->out, &sim->log, wk->week, sim->errmsg, sizeof sim->errmsg)))
        return st;
    event_log_end_week(&sim->log);
    if (sim->out && (st = output_write_week(sim->out, wk->week, wk->week < 0, &sim->frame, sim->errmsg,
                                            sizeof sim->errmsg)))
        return st;
    return snapshot_if_due(sim, wk->week);
}

/* One week, in MODEL.md s3's order and by its names (--timings reports them). */
static const struct {
    const char *name;
    cw_status (*run)(cw_sim *sim, const week_ctx *wk);
} phases[N_PHASES] = {
    [PH_EVENTS] = {"events", phase_events},
    [PH_LIFE] = {"life", phase_life},
    [PH_SEEK] = {"help-seeking", phase_seek},
    [PH_ALLOCATE] = {"allocation & outcomes", phase_allocate},
    [PH_SOCIAL] = {"social life", phase_social},
    [PH_GROUPS] = {"groups and money", phase_groups},
    [PH_OBSERVE] = {"observe", phase_observe},
    [PH_OUTPUT] = {"output", phase_output},
};

/* One week: the timetable above, each phase timed; in a debug build the
 * world's invariants are checked after it. */
cw_status cw_sim_step(cw_sim *sim)
{
    if (sim->step >= sim->n_steps) return fail(sim, CW_ESTATE, "the run is complete");
    set_threads(sim);
    const week_ctx wk = {.week = (int32_t)(sim->step - sim->params.run_burn_in_weeks),
                         .seed = (uint64_t)sim->params.run_seed,
                         .step = (uint32_t)sim->step};
    double t[N_PHASES + 1];
    for (int ph = 0; ph < N_PHASES; ph++) {
        t[ph] = now_seconds();
        cw_status st = phases[ph].run(sim, &wk);
        if (st) return st;
    }
    t[N_PHASES] = now_seconds();
    for (int ph = 0; ph < N_PHASES; ph++) sim->phase_seconds[ph] += t[ph + 1] - t[ph];
#ifndef NDEBUG
    char err[256];
    if (!world_check(&sim->w, (int)sim->params.population_identity_groups, err, sizeof err))
        return fail(sim, CW_EINVAL, "invariant broken in week %d: %s", wk.week, err);
#endif
    sim->step++;
    return checkpoint_if_due(sim); /* in a distributed run, every rank's share streams to rank 0 */
}

int cw_sim_weeks_done(const cw_sim *sim) { return sim->step; }
int cw_sim_weeks_total(const cw_sim *sim) { return sim->n_steps; }
uint64_t cw_sim_residents(const cw_sim *sim) { return world_residents_total(&sim->w); }
int cw_sim_neighbourhoods(const cw_sim *sim) { return sim->w.n_nbhd; }
size_t cw_sim_bytes(const cw_sim *sim) { return sim->mem.bytes; }
size_t cw_sim_bytes_peak(const cw_sim *sim) { return sim->mem.peak; }

int cw_sim_phase_timings(const cw_sim *sim, const char **names, double *seconds, int max)
{
    int n = max < N_PHASES ? max : N_PHASES;
    for (int ph = 0; ph < n; ph++) {
        names[ph] = phases[ph].name;
        seconds[ph] = sim->phase_seconds[ph];
    }
    return n;
}

cw_status cw_sim_metric_shape(cw_sim *sim, const char *name, size_t *rows, size_t *cols)
{
    int m = name ? metrics_find(name) : -1;
    if (m < 0) return fail(sim, CW_EINVAL, "unknown metric '%s' (see `commonweal metrics`)", name ? name : "");
    const metric_info *mi = &metrics_table[m];
    *rows = mi->area ? 1 : (size_t)sim->frame.n_nbhd;
    *cols = (size_t)sim->frame.bd_size[mi->bd];
    return CW_OK;
}

long cw_sim_metric(const cw_sim *sim, const char *name, float *out, size_t cap)
{
    int m = metrics_find(name);
    if (m < 0 || !sim->frame_valid) return -1;
    size_t n = metrics_len(&sim->frame, (enum metric_id)m);
    if (n > cap) return -1;
    memcpy(out, sim->frame.values[m], n * sizeof *out);
    return (long)n;
}
