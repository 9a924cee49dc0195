/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * Checkpoints: the whole state of a simulation, saved between weeks and
 * restored to continue the run as if it had never stopped.
 *
 * What is saved (everything that carries from one week to the next):
 *  - the scenario (parameters, timeline, resolved YAML) and the working
 *    parameters, which the timeline has changed, with the timeline cursor;
 *  - every world array and scalar, from world.c's tables (world_arrays,
 *    world_scalars), so an array added there is saved without a change here;
 *  - the money phase's memory (funding_state: last_mode, patient_start);
 *    the event log's running counts; the step; the phase timers and the
 *    wall time so far; where the output stands (weeks and /events rows).
 * Not saved, because nothing in them outlives a week: the help, observe and
 * funding scratch, the metrics frame, and random streams (keyed, stateless).
 *
 * The file: a magic line, the format version and a byte-order mark, then
 * named sections in a fixed order, then an FNV-1a 64 checksum of every byte
 * before it. It is written to PATH.tmp, flushed and fsync'd, then renamed
 * over PATH and the directory fsync'd: a checkpoint is whole or absent.
 * A checkpoint is resumed only by the program version that wrote it (and
 * the same state layout), with a message naming both versions otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "commonweal/commonweal.h"
#include "metrics.h"
#include "outsafe.h"
#include "sim_int.h"
#include "test_hooks.h"

#define CK_MAGIC "CWCKPT\r\n"  /* 8 bytes; \r\n catches text-mode damage */
#define CK_FORMAT 2u /* 2: the output's buffered weeks are saved */
#define CK_BYTE_ORDER 0x01020304u
#define FNV_OFFSET 14695981039346656037ull
#define FNV_PRIME 1099511628211ull
#define CK_CAP_SLACK 4096u    /* bytes an array's block may exceed its data */

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * FNV_PRIME;
    return h;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static cw_status sim_fail(cw_sim *sim, cw_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static cw_status sim_fail(cw_sim *sim, cw_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sim->errmsg, sizeof sim->errmsg, fmt, ap);
    va_end(ap);
    return st;
}

/* The state layout: names and sizes of everything saved. A build whose
 * tables differ cannot read the checkpoint, whatever its version says. */
static uint64_t layout_fingerprint(void)
{
    world probe = {0};
    world_array arrays[WORLD_MAX_ARRAYS];
    world_scalar scalars[WORLD_MAX_SCALARS];
    uint64_t h = FNV_OFFSET;
    size_t n = world_arrays(&probe, arrays, WORLD_MAX_ARRAYS);
    for (size_t k = 0; k < n; k++) {
        if (arrays[k].derived) continue;
        h = fnv(h, arrays[k].name, strlen(arrays[k].name) + 1);
        h = fnv(h, &arrays[k].size, sizeof arrays[k].size);
    }
    n = world_scalars(&probe, scalars, WORLD_MAX_SCALARS);
    for (size_t k = 0; k < n; k++) {
        if (scalars[k].derived) continue;
        h = fnv(h, scalars[k].name, strlen(scalars[k].name) + 1);
        h = fnv(h, &scalars[k].size, sizeof scalars[k].size);
    }
    for (size_t i = 0; i < params_count; i++) {
        h = fnv(h, params_table[i].path, strlen(params_table[i].path) + 1);
        h = fnv(h, &params_table[i].kind, sizeof params_table[i].kind);
    }
    for (int m = 0; m < METRIC_COUNT; m++) h = fnv(h, metrics_table[m].name, strlen(metrics_table[m].name) + 1);
    int phases = N_PHASES;
    return fnv(h, &phases, sizeof phases);
}

/* ---- writing ------------------------------------------------------------------- */

typedef struct ck_writer {
    FILE *fp;
    uint64_t sum;
    int failed;
    int err; /* errno of the first failed write, kept: later calls may overwrite errno */
} ck_writer;

static void put(ck_writer *ck, const void *p, size_t n)
{
    if (ck->failed || n == 0) return;
    if (fwrite(p, 1, n, ck->fp) != n) {
        ck->failed = 1;
        ck->err = errno ? errno : EIO;
    }
    ck->sum = fnv(ck->sum, p, n);
}

static void put_u64(ck_writer *ck, uint64_t v) { put(ck, &v, sizeof v); }
static void put_i64(ck_writer *ck, int64_t v) { put(ck, &v, sizeof v); }
static void put_f64(ck_writer *ck, double v) { put(ck, &v, sizeof v); }

static void put_str(ck_writer *ck, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    put_u64(ck, n);
    put(ck, s, n);
}

/* A section name: lets the reader say where a damaged file goes wrong. */
static void put_section(ck_writer *ck, const char *name) { put_str(ck, name); }

static void put_params(ck_writer *ck, const cw_params *p)
{
    put_u64(ck, params_count);
    for (size_t i = 0; i < params_count; i++) {
        const param_info *pi = &params_table[i];
        const char *v = (const char *)p + pi->offset;
        put_str(ck, pi->path);
        switch (pi->kind) {
        case PK_INT: put(ck, v, sizeof(int64_t)); break;
        case PK_REAL: put(ck, v, sizeof(double)); break;
        case PK_BOOL: { uint8_t b = *(const bool *)v; put(ck, &b, 1); break; }
        case PK_STR: put_str(ck, v); break;
        case PK_ENUM: { int64_t e = *(const int *)v; put_i64(ck, e); break; }
        }
    }
}

static void put_timeline(ck_writer *ck, const cw_scenario *sc)
{
    put_str(ck, sc->path);
    put_params(ck, &sc->params);
    put_u64(ck, sc->n_events);
    for (size_t k = 0; k < sc->n_events; k++) {
        const timeline_event *e = &sc->events[k];
        put_i64(ck, e->week);
        put_str(ck, params_table[e->param].path);
        put_f64(ck, e->value);
        put_str(ck, e->file);
        put_i64(ck, e->line);
        put_i64(ck, e->column);
        put_i64(ck, e->ends_crisis);
    }
}

static size_t saved_scalars(world *w, world_scalar *out)
{
    world_scalar all[WORLD_MAX_SCALARS];
    size_t n = world_scalars(w, all, WORLD_MAX_SCALARS), kept = 0;
    for (size_t k = 0; k < n; k++)
        if (!all[k].derived) out[kept++] = all[k];
    return kept;
}

static size_t saved_arrays(world *w, world_array *out)
{
    world_array all[WORLD_MAX_ARRAYS];
    size_t n = world_arrays(w, all, WORLD_MAX_ARRAYS), kept = 0;
    for (size_t k = 0; k < n; k++)
        if (!all[k].derived) out[kept++] = all[k];
    return kept;
}

static void put_raw(void *ctx, const void *p, size_t n) { put(ctx, p, n); }

/* The world as one process holds it. In a distributed run every rank calls
 * this at once: rank 0 writes, with the counts of the whole world, and each
 * divided array's shares arrive from their ranks in order (dist_put_array);
 * the other ranks' writers write nothing. */
static void put_world(ck_writer *ck, cw_sim *sim)
{
    world *w = &sim->w;
    world view = *w; /* the whole world's counts */
    view.n_res = world_residents_total(w);
    view.n_ties = (uint32_t)dist_sum_u64(sim, w->n_ties);
    world_scalar scalars[WORLD_MAX_SCALARS];
    size_t n = saved_scalars(&view, scalars);
    put_u64(ck, n);
    for (size_t k = 0; k < n; k++) {
        put_str(ck, scalars[k].name);
        put_u64(ck, scalars[k].size);
        put(ck, scalars[k].ptr, scalars[k].size);
    }
    world_array arrays[WORLD_MAX_ARRAYS], whole[WORLD_MAX_ARRAYS];
    n = saved_arrays(w, arrays);
    saved_arrays(&view, whole);
    put_u64(ck, n);
    for (size_t k = 0; k < n; k++) {
        const world_array *a = &arrays[k];
        put_str(ck, a->name);
        put_u64(ck, a->size);
        put_u64(ck, whole[k].count);
        /* restored at the size it has (one process), or at its count */
        put_u64(ck, sim->dist ? a->size * whole[k].count : mem_block_size(*a->ptr));
        if (a->strings) {
            char **s = *a->ptr;
            for (size_t i = 0; i < a->count; i++) put_str(ck, s[i]);
        } else {
            dist_put_array(sim, a, put_raw, ck);
        }
    }
}

/* The output's weeks held in memory, not yet in the file. */
typedef struct ck_tail {
    int64_t weeks;
    void *blob;
    size_t len;
} ck_tail;

static void put_state(ck_writer *ck, const cw_sim *sim, int64_t out_weeks, int64_t out_events,
                      const ck_tail *tail)
{
    put_section(ck, "state");
    put_i64(ck, sim->step);
    put_i64(ck, sim->n_steps);
    put_u64(ck, sim->cursor);
    put_i64(ck, sim->funding.last_mode);
    put_u64(ck, sim->funding.patient_start);
    put_u64(ck, sim->log.dropped);
    for (int k = 0; k < 16; k++) put_u64(ck, sim->log.total[k]);
    put_u64(ck, N_PHASES);
    for (int ph = 0; ph < N_PHASES; ph++) put_f64(ck, sim->phase_seconds[ph]);
    put_f64(ck, now_seconds() - sim->wall_start);
    put_i64(ck, sim->checkpoint_every);
    put_section(ck, "output");
    char out[4096] = ""; /* absolute: resume works from any directory */
    if (sim->out) outsafe_absolute(output_path(sim->out), out, sizeof out);
    put_str(ck, out);
    put_i64(ck, out_weeks);
    put_i64(ck, out_events);
    put_i64(ck, tail->weeks);
    put_u64(ck, tail->len);
    put(ck, tail->blob, tail->len);
}

/* In a distributed run every rank calls this (the world's shares travel to
 * rank 0 inside put_world); only rank 0 opens and writes the file, and it
 * takes its part in those exchanges even when the file cannot be made. */
static cw_status write_file(cw_sim *sim, const char *tmp, int64_t out_weeks, int64_t out_events,
                            const ck_tail *tail)
{
    int root = dist_is_root(sim);
    ck_writer ck = {.fp = root ? fopen(tmp, "wb") : NULL, .sum = FNV_OFFSET};
    int open_errno = errno;
    if (!ck.fp) {
        ck.failed = 1;
        if (root && !sim->dist)
            return sim_fail(sim, CW_EIO, "cannot create checkpoint %s: %s", tmp, strerror(open_errno));
    }
    uint32_t head[2] = {CK_FORMAT, CK_BYTE_ORDER};
    put(&ck, CK_MAGIC, 8);
    put(&ck, head, sizeof head);
    put_section(&ck, "version");
    put_str(&ck, cw_version());
    put_u64(&ck, layout_fingerprint());
    put_section(&ck, "scenario");
    put_str(&ck, sim->scenario_yaml);
    put_timeline(&ck, &sim->scenario);
    put_section(&ck, "params");
    put_params(&ck, &sim->params);
    put_state(&ck, sim, out_weeks, out_events, tail);
    put_section(&ck, "world");
    put_world(&ck, sim);
    put_section(&ck, "end");
    uint64_t sum = ck.sum;
    put_u64(&ck, sum);
    if (!root) return CW_OK;
    if (!ck.fp) return sim_fail(sim, CW_EIO, "cannot create checkpoint %s: %s", tmp, strerror(open_errno));
    int err = ck.failed ? ck.err : 0;
    if (!err && fflush(ck.fp) != 0) err = errno;
    if (!err && fsync(fileno(ck.fp)) != 0) err = errno;
    if (fclose(ck.fp) != 0 && !err) err = errno;
    if (!err) return CW_OK;
    remove(tmp);
    return sim_fail(sim, CW_EIO, "cannot write checkpoint %s: %s", tmp,
                    strerror(err ? err : EIO));
}

/* fsync the directory holding path, so the rename itself is durable. */
static void sync_dir(const char *path)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash) snprintf(dir, sizeof dir, ".");
    else if (slash == dir) dir[1] = '\0';
    else *slash = '\0';
    int fd = open(dir, O_RDONLY);
    if (fd < 0) return;
    fsync(fd);
    close(fd);
}

cw_status cw_sim_checkpoint(cw_sim *sim, const char *path)
{
    int64_t weeks = 0, events = 0, all_weeks;
    ck_tail tail = {0};
    cw_status st;
    if (sim->out) {
        /* the events and the weeks already written go to disk; the weeks of
         * a write not yet due stay in memory and go into the checkpoint */
        if ((st = output_checkpoint_flush(sim->out, sim->errmsg, sizeof sim->errmsg))) return st;
        output_position(sim->out, &all_weeks, &events);
        weeks = output_weeks_on_disk(sim->out);
        if (output_tail_save(sim->out, &tail.weeks, &tail.blob, &tail.len))
            return sim_fail(sim, CW_ENOMEM, "out of memory writing checkpoint %s", path);
    }
    size_t n = strlen(path) + 5;
    char *tmp = malloc(n);
    if (!tmp) {
        free(tail.blob);
        return sim_fail(sim, CW_ENOMEM, "out of memory writing checkpoint %s", path);
    }
    snprintf(tmp, n, "%s.tmp", path);
    st = write_file(sim, tmp, weeks, events, &tail);
    free(tail.blob);
    if (!dist_is_root(sim)) {
        free(tmp);
        return st;
    }
    if (st == CW_OK && rename(tmp, path) != 0) {
        st = sim_fail(sim, CW_EIO, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
        remove(tmp);
    }
    free(tmp);
    if (st == CW_OK) sync_dir(path);
    return st;
}

cw_status cw_sim_set_checkpoint(cw_sim *sim, const char *path, int every)
{
    if (every < 0) return sim_fail(sim, CW_EINVAL, "checkpoint interval %d is negative", every);
    char *copy = NULL;
    if (path) {
        size_t n = strlen(path) + 1;
        if (!(copy = malloc(n))) return sim_fail(sim, CW_ENOMEM, "out of memory");
        memcpy(copy, path, n);
    }
    free(sim->checkpoint_path);
    sim->checkpoint_path = copy;
    sim->checkpoint_every = copy ? every : 0;
    return CW_OK;
}

int checkpoint_due(const cw_sim *sim)
{
    return sim->checkpoint_every > 0 && sim->checkpoint_path && sim->step < sim->n_steps &&
           sim->step % sim->checkpoint_every == 0;
}

cw_status checkpoint_if_due(cw_sim *sim)
{
    return checkpoint_due(sim) ? cw_sim_checkpoint(sim, sim->checkpoint_path) : CW_OK;
}

/* ---- reading ------------------------------------------------------------------- */

typedef struct ck_reader {
    FILE *fp;
    const char *path;
    uint64_t sum;
    uint64_t left;     /* bytes of the file not yet read */
    cw_sim *sim;
    cw_status st;      /* first error (message on sim)   */
    /* a distributed resume: called once the neighbourhoods are read, before
     * the first resident array, to set the share this rank holds */
    sim_partition_fn partition;
    void *partition_ctx;
    int partitioned;
    uint64_t res_total, ties_total, tie_base; /* the whole world's, as saved */
} ck_reader;

static int bad(ck_reader *ck, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(ck_reader *ck, const char *fmt, ...)
{
    if (ck->st) return 0;
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    ck->st = sim_fail(ck->sim, CW_EINVAL, "%s: damaged checkpoint: %s", ck->path, what);
    return 0;
}

static int get(ck_reader *ck, void *p, size_t n)
{
    if (ck->st) return 0;
    if (n > ck->left || fread(p, 1, n, ck->fp) != n) return bad(ck, "it ends early (truncated?)");
    ck->left -= n;
    ck->sum = fnv(ck->sum, p, n);
    return 1;
}

static uint64_t get_u64(ck_reader *ck)
{
    uint64_t v = 0;
    get(ck, &v, sizeof v);
    return v;
}

static int64_t get_i64(ck_reader *ck)
{
    int64_t v = 0;
    get(ck, &v, sizeof v);
    return v;
}

static double get_f64(ck_reader *ck)
{
    double v = 0;
    get(ck, &v, sizeof v);
    return v;
}

/* A string into buf (cap bytes with the NUL); longer ones are damage. */
static int get_str(ck_reader *ck, char *buf, size_t cap)
{
    uint64_t n = get_u64(ck);
    if (ck->st) return 0;
    if (n >= cap) return bad(ck, "a string of %llu bytes where at most %zu fit",
                             (unsigned long long)n, cap - 1);
    if (!get(ck, buf, (size_t)n)) return 0;
    buf[n] = '\0';
    return 1;
}

/* A string of any length (bounded by the file), malloc'd. */
static char *get_str_alloc(ck_reader *ck)
{
    uint64_t n = get_u64(ck);
    if (ck->st) return NULL;
    if (n > ck->left) {
        bad(ck, "a string longer than the rest of the file");
        return NULL;
    }
    char *s = malloc((size_t)n + 1);
    if (!s) {
        ck->st = sim_fail(ck->sim, CW_ENOMEM, "out of memory reading %s", ck->path);
        return NULL;
    }
    if (!get(ck, s, (size_t)n)) {
        free(s);
        return NULL;
    }
    s[n] = '\0';
    return s;
}

static int expect_section(ck_reader *ck, const char *name)
{
    char got[64];
    if (!get_str(ck, got, sizeof got)) return 0;
    if (strcmp(got, name) != 0) return bad(ck, "section '%s' where '%s' belongs", got, name);
    return 1;
}

static int get_params(ck_reader *ck, cw_params *p)
{
    uint64_t n = get_u64(ck);
    if (!ck->st && n != params_count) return bad(ck, "%llu parameters, expected %zu",
                                                 (unsigned long long)n, params_count);
    char path[256];
    for (size_t i = 0; i < params_count && !ck->st; i++) {
        const param_info *pi = &params_table[i];
        char *v = (char *)p + pi->offset;
        if (!get_str(ck, path, sizeof path)) return 0;
        if (strcmp(path, pi->path) != 0) return bad(ck, "parameter '%s' where '%s' belongs", path, pi->path);
        switch (pi->kind) {
        case PK_INT: get(ck, v, sizeof(int64_t)); break;
        case PK_REAL: get(ck, v, sizeof(double)); break;
        case PK_BOOL: { uint8_t b = 0; get(ck, &b, 1); *(bool *)v = b != 0; break; }
        case PK_STR: get_str(ck, v, PARAMS_STR_MAX); break;
        case PK_ENUM: *(int *)v = (int)get_i64(ck); break;
        }
    }
    return !ck->st;
}

static int get_timeline(ck_reader *ck, cw_scenario *sc)
{
    char path[256];
    if (!get_str(ck, sc->path, sizeof sc->path) || !get_params(ck, &sc->params)) return 0;
    uint64_t n = get_u64(ck);
    if (ck->st) return 0;
    if (n > ck->left / 40) return bad(ck, "%llu timeline events", (unsigned long long)n);
    sc->events = n ? calloc((size_t)n, sizeof *sc->events) : NULL;
    if (n && !sc->events) {
        ck->st = sim_fail(ck->sim, CW_ENOMEM, "out of memory reading %s", ck->path);
        return 0;
    }
    sc->n_events = sc->cap_events = (size_t)n;
    for (size_t k = 0; k < n && !ck->st; k++) {
        timeline_event *e = &sc->events[k];
        e->week = (int32_t)get_i64(ck);
        if (!get_str(ck, path, sizeof path)) return 0;
        const param_info *pi = params_find(path);
        if (!pi) return bad(ck, "timeline parameter '%s' unknown", path);
        e->param = (uint32_t)(pi - params_table);
        e->value = get_f64(ck);
        get_str(ck, e->file, sizeof e->file);
        e->line = (int)get_i64(ck);
        e->column = (int)get_i64(ck);
        e->ends_crisis = get_i64(ck) != 0;
    }
    return !ck->st;
}

static int get_scalars(ck_reader *ck, world *w)
{
    world_scalar scalars[WORLD_MAX_SCALARS];
    size_t n = saved_scalars(w, scalars);
    if (get_u64(ck) != n) return bad(ck, "the world's scalars do not match this program's");
    char name[64];
    for (size_t k = 0; k < n && !ck->st; k++) {
        if (!get_str(ck, name, sizeof name)) return 0;
        if (strcmp(name, scalars[k].name) != 0 || get_u64(ck) != scalars[k].size)
            return bad(ck, "world scalar '%s' where '%s' belongs", name, scalars[k].name);
        get(ck, scalars[k].ptr, scalars[k].size);
    }
    return !ck->st;
}

static int get_strings(ck_reader *ck, cw_mem *mem, char **s, size_t count)
{
    for (size_t i = 0; i < count && !ck->st; i++) {
        uint64_t n = get_u64(ck);
        if (ck->st) return 0;
        if (n > ck->left) return bad(ck, "a name longer than the rest of the file");
        if (!(s[i] = mem_calloc(mem, (size_t)n + 1, 1))) {
            ck->st = sim_fail(ck->sim, CW_ENOMEM, "out of memory restoring the world from %s", ck->path);
            return 0;
        }
        get(ck, s[i], (size_t)n);
    }
    return !ck->st;
}

/* Read and check n bytes that belong to other ranks' shares. */
static int skip(ck_reader *ck, uint64_t n)
{
    unsigned char buf[65536];
    while (n > 0 && !ck->st) {
        size_t k = n < sizeof buf ? (size_t)n : sizeof buf;
        get(ck, buf, k);
        n -= k;
    }
    return !ck->st;
}

/* The entries of array a that the file holds (the whole world's), and the
 * part [*from, *from + *take) of them held here. */
static uint64_t saved_count(const ck_reader *ck, const world *w, const world_array *a, uint64_t *from,
                            uint64_t *take)
{
    *from = 0;
    switch (a->entity) {
    case WE_RESIDENT:
        *from = (uint64_t)w->res_base * a->per, *take = (uint64_t)w->n_res * a->per;
        return ck->res_total * a->per;
    case WE_TIE_OFFSET:
        *from = w->res_base, *take = (uint64_t)w->n_res + 1;
        return ck->res_total + 1;
    case WE_TIE:
        *from = ck->tie_base, *take = w->n_ties; /* n_ties: this rank's, from tie_offset */
        return ck->ties_total;
    default:
        *take = a->count;
        return a->count;
    }
}

/* One array: its name, element size and count must be what this world's
 * sizes imply. In one process the block is allocated at the size it had
 * when saved; a distributed rank keeps only its share of divided arrays. */
static int get_array(ck_reader *ck, cw_mem *mem, world *w, const world_array *a)
{
    char name[64];
    if (!get_str(ck, name, sizeof name)) return 0;
    uint64_t size = get_u64(ck), count = get_u64(ck), cap = get_u64(ck);
    if (ck->st) return 0;
    if (strcmp(name, a->name) != 0 || size != a->size)
        return bad(ck, "world array '%s' where '%s' belongs", name, a->name);
    uint64_t from, take, whole = saved_count(ck, w, a, &from, &take);
    if (count != whole) return bad(ck, "world array '%s' holds %llu entries, expected %llu", name,
                                   (unsigned long long)count, (unsigned long long)whole);
    uint64_t data = a->strings ? 0 : size * count;
    uint64_t least = a->strings ? sizeof(uint64_t) * count : data; /* bytes still to come */
    if (least > ck->left) return bad(ck, "it ends early (truncated?)");
    if (cap < size * count || cap > size * count + CK_CAP_SLACK || from + take > count)
        return bad(ck, "world array '%s' has an impossible size", name);
    size_t entries = take == count ? (size_t)(cap / size) : (size_t)(take ? take : 1);
    *a->ptr = mem_calloc(mem, entries ? entries : 1, (size_t)size);
    if (!*a->ptr) {
        ck->st = sim_fail(ck->sim, CW_ENOMEM, "out of memory restoring the world from %s", ck->path);
        return 0;
    }
    if (a->strings) return get_strings(ck, mem, *a->ptr, a->count);
    if (!skip(ck, from * size) || !get(ck, *a->ptr, (size_t)(take * size)) ||
        !skip(ck, (count - from - take) * size))
        return 0;
    if (a->entity == WE_TIE_OFFSET) { /* this rank's rows, from its first tie */
        uint32_t *off = *a->ptr;
        ck->tie_base = off[0];
        for (uint64_t i = take; i-- > 0;) off[i] -= off[0];
        w->n_ties = off[take - 1];
    }
    return 1;
}

static int get_world(ck_reader *ck, world *w, cw_mem *mem)
{
    if (!get_scalars(ck, w)) return 0;
    ck->res_total = w->n_res;
    ck->ties_total = w->n_ties;
    world_array arrays[WORLD_MAX_ARRAYS];
    size_t n = saved_arrays(w, arrays);
    if (get_u64(ck) != n) return bad(ck, "the world's arrays do not match this program's");
    for (size_t k = 0; k < n && !ck->st; k++) {
        if (arrays[k].entity == WE_RESIDENT && !ck->partitioned) {
            ck->partitioned = 1;
            if (w->nbhd_first[w->n_nbhd] != w->n_res)
                return bad(ck, "its neighbourhoods hold %u residents, not %u", w->nbhd_first[w->n_nbhd], w->n_res);
            cw_status st = ck->partition ? ck->partition(ck->sim, ck->partition_ctx) : CW_OK;
            if (st) {
                ck->st = st;
                return 0;
            }
        }
        saved_arrays(w, arrays); /* counts follow the share held here */
        get_array(ck, mem, w, &arrays[k]);
    }
    return !ck->st;
}

typedef struct ck_output {
    char path[4096];
    int64_t weeks, events;
    ck_tail tail;
} ck_output;

static int get_state(ck_reader *ck, cw_sim *sim, ck_output *out)
{
    if (!expect_section(ck, "state")) return 0;
    sim->step = (int)get_i64(ck);
    sim->n_steps = (int)get_i64(ck);
    sim->cursor = (size_t)get_u64(ck);
    int last_mode = (int)get_i64(ck);
    uint32_t patient_start = (uint32_t)get_u64(ck);
    sim->funding.last_mode = last_mode;        /* kept until the phases are set up */
    sim->funding.patient_start = patient_start;
    sim->log.dropped = get_u64(ck);
    for (int k = 0; k < 16; k++) sim->log.total[k] = get_u64(ck);
    if (get_u64(ck) != N_PHASES) return bad(ck, "a different number of phases");
    for (int ph = 0; ph < N_PHASES; ph++) sim->phase_seconds[ph] = get_f64(ck);
    sim->wall_start = now_seconds() - get_f64(ck);
    sim->checkpoint_every = (int)get_i64(ck);
    if (!expect_section(ck, "output") || !get_str(ck, out->path, sizeof out->path)) return 0;
    out->weeks = get_i64(ck);
    out->events = get_i64(ck);
    out->tail.weeks = get_i64(ck);
    uint64_t len = get_u64(ck);
    if (ck->st) return 0;
    if (len > ck->left) return bad(ck, "buffered weeks longer than the rest of the file");
    if (len && !(out->tail.blob = malloc((size_t)len))) {
        ck->st = sim_fail(ck->sim, CW_ENOMEM, "out of memory reading %s", ck->path);
        return 0;
    }
    out->tail.len = (size_t)len;
    if (len && !get(ck, out->tail.blob, (size_t)len)) return 0;
    if (sim->step < 0 || sim->step > sim->n_steps || sim->cursor > sim->scenario.n_events ||
        sim->n_steps != (int)(sim->params.run_burn_in_weeks + sim->params.run_weeks) ||
        out->tail.weeks < 0 || (out->path[0] && out->weeks + out->tail.weeks != sim->step) ||
        out->events < 0)
        return bad(ck, "step %d of %d, timeline event %zu, output at week %lld", sim->step,
                   sim->n_steps, sim->cursor, (long long)out->weeks);
    return 1;
}

/* Magic, format, byte order, program version and layout: refuse early,
 * with both versions named, what this program cannot continue. */
static int check_header(ck_reader *ck)
{
    char magic[8];
    uint32_t head[2];
    if (ck->left < 8 || fread(magic, 1, 8, ck->fp) != 8 || memcmp(magic, CK_MAGIC, 8) != 0) {
        ck->st = sim_fail(ck->sim, CW_EINVAL, "%s is not a commonweal checkpoint", ck->path);
        return 0;
    }
    ck->sum = fnv(ck->sum, magic, 8);
    ck->left -= 8;
    if (!get(ck, head, sizeof head)) return 0;
    char version[256] = "";
    if (head[0] == CK_FORMAT && head[1] == CK_BYTE_ORDER)
        if (!expect_section(ck, "version") || !get_str(ck, version, sizeof version)) return 0;
    uint64_t layout = head[0] == CK_FORMAT && head[1] == CK_BYTE_ORDER ? get_u64(ck) : 0;
    if (ck->st) return 0;
    if (head[0] != CK_FORMAT || head[1] != CK_BYTE_ORDER || strcmp(version, cw_version()) != 0 ||
        layout != layout_fingerprint()) {
        char theirs[320];
        if (head[1] != CK_BYTE_ORDER) snprintf(theirs, sizeof theirs, "a machine of another byte order");
        else if (head[0] != CK_FORMAT) snprintf(theirs, sizeof theirs, "checkpoint format %u", head[0]);
        else snprintf(theirs, sizeof theirs, "commonweal %s (checkpoint format %u%s)", version, head[0],
                      strcmp(version, cw_version()) == 0 ? ", another state layout" : "");
        ck->st = sim_fail(ck->sim, CW_EINVAL,
                          "%s was written by %s; this is commonweal %s (checkpoint format %u), which "
                          "cannot continue it: resume with the program that wrote it, or run the "
                          "scenario again", ck->path, theirs, cw_version(), CK_FORMAT);
        return 0;
    }
    return 1;
}

static int read_all(ck_reader *ck, cw_sim *sim, ck_output *out)
{
    if (!check_header(ck) || !expect_section(ck, "scenario")) return 0;
    if (!(sim->scenario_yaml = get_str_alloc(ck))) return 0;
    if (!get_timeline(ck, &sim->scenario) || !expect_section(ck, "params") ||
        !get_params(ck, &sim->params) || !get_state(ck, sim, out) || !expect_section(ck, "world") ||
        !get_world(ck, &sim->w, &sim->mem) || !expect_section(ck, "end"))
        return 0;
    uint64_t sum = ck->sum, stored = get_u64(ck);
    if (ck->st) return 0;
    if (stored != sum) return bad(ck, "checksum mismatch");
    if (ck->left != 0) return bad(ck, "%llu bytes after the end", (unsigned long long)ck->left);
    return 1;
}

static cw_status reopen_output(cw_sim *sim, const ck_output *co, int force)
{
    output_setup s = {
        .path = co->path,
        .force = force,
        .n_nbhd = sim->w.n_nbhd,
        .n_identity = (int)sim->params.population_identity_groups,
        .params = &sim->params,
        .scenario_yaml = sim->scenario_yaml,
        .seed = (uint64_t)sim->params.run_seed,
    };
    cw_status st = output_reopen(&sim->out, &s, &sim->frame, co->weeks, co->events, sim->errmsg,
                                 sizeof sim->errmsg);
    if (!st) st = output_tail_restore(sim->out, co->tail.weeks, co->tail.blob, co->tail.len, sim->errmsg,
                                      sizeof sim->errmsg);
    return st;
}

static cw_status restore(cw_sim *sim, const char *path, ck_output *co, sim_partition_fn partition,
                         void *partition_ctx)
{
    ck_reader ck = {.path = path, .sum = FNV_OFFSET, .sim = sim, .partition = partition,
                    .partition_ctx = partition_ctx};
    struct stat sb;
    if (!(ck.fp = fopen(path, "rb")) || fstat(fileno(ck.fp), &sb) != 0) {
        int e = errno;
        if (ck.fp) fclose(ck.fp);
        return sim_fail(sim, CW_EINVAL, "cannot read checkpoint %s: %s", path, strerror(e)); /* an input */
    }
    ck.left = (uint64_t)sb.st_size;
    read_all(&ck, sim, co);
    fclose(ck.fp);
    if (ck.st) return ck.st;
    /* what is rebuilt rather than saved: resident ids as local indices (and
     * a distributed rank's ghosts), the work items */
    if (world_localise(&sim->w, &sim->mem) || world_make_items(&sim->w, &sim->mem))
        return sim_fail(sim, CW_ENOMEM, "out of memory resuming %s", path);
    int last_mode = sim->funding.last_mode;
    uint32_t patient_start = sim->funding.patient_start;
    uint64_t dropped = sim->log.dropped, total[16];
    memcpy(total, sim->log.total, sizeof total);
    cw_status st = sim_setup_phases(sim);
    if (!st) st = sim_parse_snapshot_weeks(sim);
    if (st) return st;
    sim->funding.last_mode = last_mode;
    sim->funding.patient_start = patient_start;
    sim->log.dropped = dropped;
    memcpy(sim->log.total, total, sizeof total);
    char err[256];
    if (!world_check(&sim->w, (int)sim->params.population_identity_groups, err, sizeof err))
        return sim_fail(sim, CW_EINVAL, "%s: damaged checkpoint: %s", path, err);
    return CW_OK;
}

cw_status cw_sim_resume(const char *path, const cw_options *opt, cw_sim **out)
{
    return sim_resume(path, opt, 1, NULL, NULL, out);
}

cw_status sim_resume(const char *path, const cw_options *opt, int open_output, sim_partition_fn partition,
                     void *partition_ctx, cw_sim **out)
{
    cw_sim *sim = calloc(1, sizeof *sim);
    *out = sim;
    if (!sim) return CW_ENOMEM;
    sim->threads = opt ? opt->threads : 0;
    sim->mem.fail_at = cw__test_take_fail_allocation();
    sim->mem.limit = opt ? opt->memory_limit : 0;
    sim->funding.last_mode = -1;
    ck_output co;
    memset(&co, 0, sizeof co);
    cw_status st = restore(sim, path, &co, partition, partition_ctx);
    if (st == CW_ENOMEM && !sim->errmsg[0]) sim_fail(sim, st, "out of memory resuming %s", path);
    if (!st && sim->checkpoint_every > 0) st = cw_sim_set_checkpoint(sim, path, sim->checkpoint_every);
    if (!st && co.path[0] && open_output) st = reopen_output(sim, &co, opt ? opt->force : 0);
    free(co.tail.blob);
    return st;
}

const char *cw_sim_output_path(const cw_sim *sim)
{
    return sim && sim->out ? output_path(sim->out) : NULL;
}

int cw_sim_checkpoint_every(const cw_sim *sim) { return sim ? sim->checkpoint_every : 0; }
