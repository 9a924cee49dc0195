/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * Checkpoints: the world's tables describe every byte it holds; a resumed
 * simulation continues exactly as an uninterrupted one (1 and 2 threads);
 * damaged, foreign and other-version checkpoints are refused with a message;
 * writing is atomic and its failure is clean.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commonweal/commonweal.h"
#include "metrics.h"
#include "population.h"
#include "scenario.h"
#include "sim_int.h"
#include "world.h"

#define TINY CW_SOURCE_DIR "/scenarios/tiny.yaml"
#define TMP CW_TEST_TMP "/ckpt_"

/* tiny.yaml, smaller: 4 x 200 residents, 8 burn-in weeks and `weeks` (at
 * least 30, which its timeline needs) reported weeks. */
static cw_scenario *load_tiny(int weeks)
{
    cw_scenario *sc = cw_scenario_new();
    cr_assert_eq(cw_scenario_load(sc, TINY), CW_OK, "%s", cw_scenario_errmsg(sc));
    char set[64];
    snprintf(set, sizeof set, "run.weeks=%d", weeks < 30 ? 30 : weeks);
    cr_assert_eq(cw_scenario_set(sc, set), CW_OK);
    cr_assert_eq(cw_scenario_set(sc, "run.burn_in_weeks=8"), CW_OK);
    cr_assert_eq(cw_scenario_set(sc, "population.residents_per_neighbourhood=200"), CW_OK);
    return sc;
}

static cw_sim *create(const cw_scenario *sc, int threads)
{
    cw_options opt = {.threads = threads};
    cw_sim *sim = NULL;
    cw_status st = cw_sim_create(sc, &opt, &sim);
    cr_assert_eq(st, CW_OK, "%s", cw_sim_errmsg(sim));
    return sim;
}

static void step_to(cw_sim *sim, int week)
{
    while (cw_sim_weeks_done(sim) < week)
        cr_assert_eq(cw_sim_step(sim), CW_OK, "%s", cw_sim_errmsg(sim));
}

/* ---- the world's tables -------------------------------------------------------- */

/* Every block the world holds after set-up is an array of world_arrays (or a
 * string of one): a field added to world.h and allocated anywhere but
 * through the tables makes the sums differ, and the checkpoint would miss it. */
Test(checkpoint, world_tables_cover_every_allocation)
{
    cw_scenario *sc = load_tiny(10);
    world w = {0};
    cw_mem mem = {0};
    char err[256];
    cr_assert_eq(population_build(&w, &mem, &sc->params, NULL, err, sizeof err), CW_OK, "%s", err);
    world_array arrays[WORLD_MAX_ARRAYS];
    size_t n = world_arrays(&w, arrays, WORLD_MAX_ARRAYS);
    cr_assert_lt(n, (size_t)WORLD_MAX_ARRAYS, "raise WORLD_MAX_ARRAYS");
    size_t sum = 0;
    for (size_t k = 0; k < n; k++) {
        const world_array *a = &arrays[k];
        if (a->count == 0 && a->derived && !*a->ptr) continue; /* ghost_gid: no ghosts in one process */
        size_t block = mem_block_size(*a->ptr);
        cr_assert_not_null(*a->ptr, "%s is not allocated", a->name);
        cr_assert_geq(block, a->size * a->count, "%s: %zu bytes hold fewer than %zu x %zu", a->name,
                      block, a->count, a->size);
        sum += block;
        if (a->strings)
            for (size_t i = 0; i < a->count; i++) sum += mem_block_size(((char **)*a->ptr)[i]);
    }
    cr_assert_eq(sum, mem.bytes,
                 "the world holds %zu bytes but its tables describe %zu: an array of world.h is "
                 "missing from world_arrays (world.c), so checkpoints would not save it",
                 mem.bytes, sum);
    world_free(&w, &mem);
    cr_assert_eq(mem.bytes, 0u, "world_free leaves %zu bytes", mem.bytes);
    cw_scenario_free(sc);
}

typedef struct span {
    size_t at, len;
} span;

static int by_offset(const void *a, const void *b)
{
    const span *x = a, *y = b;
    return (x->at > y->at) - (x->at < y->at);
}

/* Every field of struct world is an array pointer or a scalar of the tables;
 * what is left between them is only alignment padding. */
Test(checkpoint, world_tables_cover_every_field)
{
    world w = {0};
    world_array arrays[WORLD_MAX_ARRAYS];
    world_scalar scalars[WORLD_MAX_SCALARS];
    span spans[WORLD_MAX_ARRAYS + WORLD_MAX_SCALARS];
    size_t n = 0, na = world_arrays(&w, arrays, WORLD_MAX_ARRAYS);
    size_t ns = world_scalars(&w, scalars, WORLD_MAX_SCALARS);
    for (size_t k = 0; k < na; k++)
        spans[n++] = (span){(size_t)((char *)arrays[k].ptr - (char *)&w), sizeof(void *)};
    for (size_t k = 0; k < ns; k++)
        spans[n++] = (span){(size_t)((char *)scalars[k].ptr - (char *)&w), scalars[k].size};
    qsort(spans, n, sizeof *spans, by_offset);
    size_t end = 0;
    for (size_t k = 0; k <= n; k++) {
        size_t at = k < n ? spans[k].at : sizeof w;
        cr_assert_geq(at, end, "two table entries overlap at byte %zu", at);
        /* padding only: less than a pointer, up to an aligned field */
        cr_assert(at - end < sizeof(void *) && (k == n || at % sizeof(void *) == 0 || at == end),
                  "bytes %zu..%zu of struct world are in no table (world_arrays/world_scalars in "
                  "world.c): a checkpoint would not save that field", end, at);
        if (k < n) end = at + spans[k].len;
    }
}

/* ---- resume ---------------------------------------------------------------- */

static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s", path);
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    rewind(f);
    char *buf = malloc(*n + 1);
    cr_assert(buf && fread(buf, 1, *n, f) == *n);
    fclose(f);
    return buf;
}

/* Step both simulations to the end, comparing every metric every week. */
static void expect_same_weeks(cw_sim *a, cw_sim *b)
{
    static float va[1 << 16], vb[1 << 16];
    cr_assert_eq(cw_sim_weeks_done(a), cw_sim_weeks_done(b));
    while (cw_sim_weeks_done(a) < cw_sim_weeks_total(a)) {
        cr_assert_eq(cw_sim_step(a), CW_OK, "%s", cw_sim_errmsg(a));
        cr_assert_eq(cw_sim_step(b), CW_OK, "%s", cw_sim_errmsg(b));
        for (int m = 0; m < METRIC_COUNT; m++) {
            long na = cw_sim_metric(a, metrics_table[m].name, va, 1 << 16);
            long nb = cw_sim_metric(b, metrics_table[m].name, vb, 1 << 16);
            cr_assert(na > 0 && na == nb);
            cr_assert(memcmp(va, vb, (size_t)na * sizeof(float)) == 0, "%s differs in week %d",
                      metrics_table[m].name, cw_sim_weeks_done(a));
        }
    }
}

static void resume_matches(int threads_before, int threads_after)
{
    cw_scenario *sc = load_tiny(60);
    const char *path = TMP "resume.ckpt";
    cw_sim *a = create(sc, threads_before), *b = create(sc, threads_before);
    step_to(a, 45); /* past the burn-in, the recession's start and the housing cut */
    step_to(b, 45);
    cr_assert_eq(cw_sim_checkpoint(b, path), CW_OK, "%s", cw_sim_errmsg(b));
    cr_assert(access(TMP "resume.ckpt.tmp", F_OK) != 0, "the temporary file is left behind");
    cw_sim_free(b);
    cw_options opt = {.threads = threads_after};
    cw_sim *r = NULL;
    cr_assert_eq(cw_sim_resume(path, &opt, &r), CW_OK, "%s", cw_sim_errmsg(r));
    cr_assert_eq(cw_sim_weeks_done(r), 45);
    cr_assert_eq(cw_sim_weeks_total(r), cw_sim_weeks_total(a));
    if (threads_before == threads_after)
        cr_assert_eq(cw_sim_bytes(r), cw_sim_bytes(a), "memory %zu after resuming, %zu before",
                     cw_sim_bytes(r), cw_sim_bytes(a));
    expect_same_weeks(a, r);
    cw_sim_free(a);
    cw_sim_free(r);
    cw_scenario_free(sc);
    remove(path);
}

Test(checkpoint, resume_continues_exactly_at_one_thread) { resume_matches(1, 1); }
Test(checkpoint, resume_continues_exactly_at_two_threads) { resume_matches(2, 2); }
Test(checkpoint, resume_with_other_threads_continues_exactly) { resume_matches(1, 2); }

/* The state a checkpoint restores is the state it saved: a checkpoint of the
 * resumed simulation is the same file but for the wall-clock figures. */
Test(checkpoint, checkpoint_of_a_resumed_run_is_the_same)
{
    cw_scenario *sc = load_tiny(20);
    cw_sim *a = create(sc, 1);
    step_to(a, 30);
    cr_assert_eq(cw_sim_checkpoint(a, TMP "same1.ckpt"), CW_OK);
    cw_sim *r = NULL;
    cw_options opt = {.threads = 1};
    cr_assert_eq(cw_sim_resume(TMP "same1.ckpt", &opt, &r), CW_OK, "%s", cw_sim_errmsg(r));
    memcpy(r->phase_seconds, a->phase_seconds, sizeof r->phase_seconds);
    r->wall_start = a->wall_start;
    cr_assert_eq(cw_sim_checkpoint(a, TMP "same1.ckpt"), CW_OK);
    cr_assert_eq(cw_sim_checkpoint(r, TMP "same2.ckpt"), CW_OK);
    size_t size;
    char *b1 = slurp(TMP "same1.ckpt", &size), *b2;
    size_t size2;
    b2 = slurp(TMP "same2.ckpt", &size2);
    cr_assert_eq(size, size2);
    long diffs = 0;
    for (size_t i = 0; i < size; i++) diffs += b1[i] != b2[i];
    free(b1);
    free(b2);
    /* only the elapsed wall time (8 bytes) and the checksum (8 bytes) */
    cr_assert_leq(diffs, 16, "%ld of %zu bytes differ", diffs, size);
    cw_sim_free(a);
    cw_sim_free(r);
    cw_scenario_free(sc);
}

/* ---- refusals ---------------------------------------------------------------- */

static long file_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (long)sb.st_size : -1;
}

static void write_checkpoint(const char *path)
{
    cw_scenario *sc = load_tiny(10);
    cw_sim *a = create(sc, 1);
    step_to(a, 5);
    cr_assert_eq(cw_sim_checkpoint(a, path), CW_OK, "%s", cw_sim_errmsg(a));
    cw_sim_free(a);
    cw_scenario_free(sc);
}

/* Replace the first occurrence of `from` in the file by `to` (same length). */
static void patch(const char *path, const char *from, const char *to)
{
    size_t n, len = strlen(from), at = 0;
    char *buf = slurp(path, &n);
    while (at + len <= n && memcmp(buf + at, from, len) != 0) at++;
    cr_assert(at + len <= n, "'%s' not in %s", from, path);
    FILE *f = fopen(path, "r+b");
    fseek(f, (long)at, SEEK_SET);
    fwrite(to, 1, strlen(to), f);
    fclose(f);
    free(buf);
}

static void expect_refusal(const char *path, cw_status want, const char *message)
{
    cw_sim *r = NULL;
    cw_status st = cw_sim_resume(path, NULL, &r);
    cr_assert_eq(st, want, "status %d: %s", st, cw_sim_errmsg(r));
    cr_assert(strstr(cw_sim_errmsg(r), message) != NULL, "message: %s", cw_sim_errmsg(r));
    cw_sim_free(r);
}

Test(checkpoint, another_version_is_refused_with_both_versions)
{
    const char *path = TMP "version.ckpt";
    write_checkpoint(path);
    char other[256];
    snprintf(other, sizeof other, "%s", cw_version());
    other[0] = other[0] == '9' ? '8' : '9';
    patch(path, cw_version(), other);
    char want[512];
    snprintf(want, sizeof want, "was written by commonweal %s (checkpoint format 2); this is "
             "commonweal %s (checkpoint format 2), which cannot continue it", other, cw_version());
    expect_refusal(path, CW_EINVAL, want);
    remove(path);
}

Test(checkpoint, another_format_is_refused)
{
    const char *path = TMP "format.ckpt";
    write_checkpoint(path);
    FILE *f = fopen(path, "r+b");
    uint32_t format = 99;
    fseek(f, 8, SEEK_SET);
    fwrite(&format, sizeof format, 1, f);
    fclose(f);
    expect_refusal(path, CW_EINVAL, "was written by checkpoint format 99; this is commonweal");
    remove(path);
}

Test(checkpoint, damage_truncation_and_strangers_are_refused)
{
    const char *path = TMP "damaged.ckpt";
    write_checkpoint(path);
    long n = file_size(path);
    FILE *f = fopen(path, "r+b");
    fseek(f, n / 2, SEEK_SET);
    int c = fgetc(f);
    fseek(f, n / 2, SEEK_SET);
    fputc(c ^ 0x40, f);
    fclose(f);
    expect_refusal(path, CW_EINVAL, "damaged checkpoint: ");

    write_checkpoint(path);
    cr_assert_eq(truncate(path, n - 100), 0);
    expect_refusal(path, CW_EINVAL, "damaged checkpoint: it ends early (truncated?)");

    f = fopen(path, "wb");
    fputs("run:\n  weeks: 3\n", f);
    fclose(f);
    expect_refusal(path, CW_EINVAL, "is not a commonweal checkpoint");
    remove(path);
    expect_refusal(TMP "missing.ckpt", CW_EINVAL, "cannot read checkpoint " TMP "missing.ckpt: No such file");
}

/* ---- writing ------------------------------------------------------------------ */

Test(checkpoint, failed_write_is_an_io_error_and_leaves_nothing)
{
    cw_scenario *sc = load_tiny(10);
    cw_sim *a = create(sc, 1);
    cr_assert_eq(cw_sim_set_checkpoint(a, CW_TEST_TMP "/no/such/dir/x.ckpt", 2), CW_OK);
    cr_assert_eq(cw_sim_step(a), CW_OK); /* week 1: not due */
    cr_assert_eq(cw_sim_step(a), CW_EIO);
    cr_assert(strstr(cw_sim_errmsg(a), "cannot create checkpoint " CW_TEST_TMP
                                       "/no/such/dir/x.ckpt.tmp: No such file or directory"),
              "%s", cw_sim_errmsg(a));
    cw_sim_free(a);
    cw_scenario_free(sc);
}

Test(checkpoint, periodic_checkpoints_and_output_position)
{
    cw_scenario *sc = load_tiny(20);
    cr_assert_eq(cw_scenario_set(sc, "output.flush_every_weeks=13"), CW_OK);
    cw_sim *a = create(sc, 1);
    const char *out = TMP "periodic.h5", *path = TMP "periodic.ckpt";
    cr_assert_eq(cw_sim_open_output(a, out, 1), CW_OK, "%s", cw_sim_errmsg(a));
    cr_assert_eq(cw_sim_set_checkpoint(a, path, 10), CW_OK);
    step_to(a, 25);
    cw_sim_free(a); /* as if killed: the partial stays */
    cw_sim *r = NULL;
    cr_assert_eq(cw_sim_resume(path, NULL, &r), CW_OK, "%s", cw_sim_errmsg(r));
    cr_assert_eq(cw_sim_weeks_done(r), 20);
    cr_assert_eq(cw_sim_checkpoint_every(r), 10);
    cr_assert_str_eq(cw_sim_output_path(r), out);
    step_to(r, cw_sim_weeks_total(r));
    cr_assert_eq(cw_sim_close_output(r, 1), CW_OK, "%s", cw_sim_errmsg(r));
    cr_assert(access(out, F_OK) == 0);
    cw_sim_free(r);
    cw_scenario_free(sc);
    remove(out);
    remove(path);
}
