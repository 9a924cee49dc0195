/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * The HDF5 output (sim/io/output.c) and commonweal info (sim/io/info.c): write a
 * small file through the output API, read it back with the HDF5 API.
 */
#include <criterion/criterion.h>

#include <hdf5.h>
#include <hdf5_hl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "alloc.h"
#include "events.h"
#include "metrics.h"
#include "observe.h"
#include "output.h"
#include "params.h"

#define N_NBHD 4
#define N_IDENTITY 2
#define BURN_IN 2
#define N_WEEKS 10

/* Everything one test writes: the set-up, its arrays, a frame. */
typedef struct fixture {
    char path[512];
    cw_params params;
    cw_mem mem;
    metrics_frame frame;
    output_setup setup;
    const char *nbhd_name[N_NBHD];
    int32_t la[N_NBHD], decile[N_NBHD], population[N_NBHD];
    float deprivation[N_NBHD], space_quality[N_NBHD];
} fixture;

static const char *const la_names[] = {"Leeds", "Bradford"};

/* The value written for metric m, week index w, cell i. */
static float value_of(int m, int w, size_t i)
{
    return (float)(m * 1000 + w) + (float)i / 64.0f;
}

static void fixture_init(fixture *fx, const char *name, int flush_every)
{
    memset(fx, 0, sizeof *fx);
    snprintf(fx->path, sizeof fx->path, "%s/%s", CW_TEST_TMP, name);
    char partial[600];
    snprintf(partial, sizeof partial, "%s.partial", fx->path);
    remove(fx->path);
    remove(partial);
    params_defaults(&fx->params);
    fx->params.output_flush_every = flush_every;
    static const char *const names[N_NBHD] = {"Armley", "Beeston", "Allerton", "Bowling"};
    for (int i = 0; i < N_NBHD; i++) {
        fx->nbhd_name[i] = names[i];
        fx->la[i] = i / 2;
        fx->decile[i] = 1 + 3 * i;
        fx->population[i] = 100 + i;
        fx->deprivation[i] = 0.25f * (float)i;
        fx->space_quality[i] = 0.5f;
    }
    cr_assert_eq(metrics_frame_init(&fx->frame, &fx->mem, N_NBHD, N_IDENTITY), CW_OK);
    fx->setup = (output_setup){
        .path = fx->path, .force = 0, .n_nbhd = N_NBHD, .n_identity = N_IDENTITY,
        .first_week = -BURN_IN, .n_weeks = N_WEEKS, .burn_in_weeks = BURN_IN,
        .nbhd_name = fx->nbhd_name, .nbhd_la = fx->la, .la_name = la_names, .n_la = 2,
        .deprivation = fx->deprivation, .decile = fx->decile, .population = fx->population,
        .space_quality = fx->space_quality, .params = &fx->params,
        .scenario_yaml = "run:\n  weeks: 8\n  burn_in_weeks: 2\n", .seed = 1234567890123ULL,
        .threads = 3, .n_residents = 406,
    };
}

static void fixture_free(fixture *fx)
{
    metrics_frame_free(&fx->frame, &fx->mem);
    cr_assert_eq(fx->mem.bytes, 0);
}

/* Week index w (0 = first written) into the frame, then into the file. */
static void write_week(output *o, fixture *fx, int w)
{
    char err[512];
    for (int m = 0; m < METRIC_COUNT; m++) {
        size_t n = metrics_len(&fx->frame, (enum metric_id)m);
        for (size_t i = 0; i < n; i++) fx->frame.values[m][i] = value_of(m, w, i);
    }
    cw_status st = output_write_week(o, w - BURN_IN, w < BURN_IN, &fx->frame, err, sizeof err);
    cr_assert_eq(st, CW_OK, "%s", err);
}

/* Open, write n_weeks weeks and two events; close unless close_with < 0. */
static output *write_file(fixture *fx, int n_weeks, int close_with)
{
    char err[512];
    output *o = NULL;
    cw_status st = output_open(&o, &fx->setup, &fx->frame, err, sizeof err);
    cr_assert_eq(st, CW_OK, "%s", err);
    for (int w = 0; w < n_weeks; w++) {
        write_week(o, fx, w);
        if (w != 3) continue;
        st = output_write_event(o, 1, -1, EV_CRISIS_START, 17, 1.0, err, sizeof err);
        cr_assert_eq(st, CW_OK, "%s", err);
        st = output_write_event(o, 1, 2, EV_PARAMETER_CHANGE, 5, 0.25, err, sizeof err);
        cr_assert_eq(st, CW_OK, "%s", err);
    }
    if (close_with < 0) return o;
    st = output_close(o, close_with, 2.5, err, sizeof err);
    cr_assert_eq(st, CW_OK, "%s", err);
    return NULL;
}

static int file_exists(const char *path)
{
    return access(path, F_OK) == 0;
}

/* ---- reading helpers ------------------------------------------------------------ */

static hid_t open_file(const char *path)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    cr_assert_geq(f, 0, "cannot open %s", path);
    return f;
}

static int dataset_dims(hid_t f, const char *name, hsize_t *dims)
{
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
    cr_assert_geq(d, 0, "no dataset %s", name);
    hid_t sp = H5Dget_space(d);
    int rank = H5Sget_simple_extent_dims(sp, dims, NULL);
    H5Sclose(sp);
    H5Dclose(d);
    return rank;
}

static double attr_double(hid_t loc, const char *name)
{
    double v = NAN;
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    cr_assert_geq(a, 0, "no attribute %s", name);
    cr_assert_geq(H5Aread(a, H5T_NATIVE_DOUBLE, &v), 0);
    H5Aclose(a);
    return v;
}

/* The file's string type: variable-length UTF-8 (HDF5 1.10 will not
 * convert it to ASCII). */
static hid_t utf8_type(void)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, H5T_CSET_UTF8);
    return t;
}

/* A variable-length string attribute, copied into buf. */
static void attr_text(hid_t loc, const char *name, char *buf, size_t n)
{
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    cr_assert_geq(a, 0, "no attribute %s", name);
    hid_t t = utf8_type();
    char *s = NULL;
    cr_assert_geq(H5Aread(a, t, &s), 0);
    snprintf(buf, n, "%s", s);
    H5free_memory(s);
    H5Tclose(t);
    H5Aclose(a);
}

static void read_ints(hid_t f, const char *name, int32_t *out)
{
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
    cr_assert_geq(d, 0, "no dataset %s", name);
    cr_assert_geq(H5Dread(d, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, out), 0);
    H5Dclose(d);
}

/* ---- tests ----------------------------------------------------------------------- */

Test(output, complete_file_is_renamed_and_attributed)
{
    fixture fx;
    fixture_init(&fx, "complete.h5", 3);
    write_file(&fx, N_WEEKS, 1);
    char partial[600];
    snprintf(partial, sizeof partial, "%s.partial", fx.path);
    cr_assert(file_exists(fx.path));
    cr_assert_not(file_exists(partial));

    hid_t f = open_file(fx.path);
    cr_expect_eq(attr_double(f, "schema_version"), cw_schema_version());
    cr_expect_eq(attr_double(f, "complete"), 1);
    cr_expect_eq(attr_double(f, "weeks_written"), N_WEEKS);
    cr_expect_eq(attr_double(f, "wall_seconds"), 2.5);
    cr_expect_eq(attr_double(f, "threads"), 3);
    cr_expect_eq(attr_double(f, "n_residents"), 406);
    uint64_t seed = 0;
    hid_t a = H5Aopen(f, "seed", H5P_DEFAULT);
    H5Aread(a, H5T_NATIVE_UINT64, &seed);
    H5Aclose(a);
    cr_expect_eq(seed, 1234567890123ULL);
    char text[256];
    attr_text(f, "program_version", text, sizeof text);
    cr_expect_str_eq(text, cw_version());
    attr_text(f, "scenario", text, sizeof text);
    cr_expect_str_eq(text, fx.setup.scenario_yaml);
    attr_text(f, "start_time", text, sizeof text);
    cr_expect_eq(strlen(text), 20, "ISO 8601 UTC: %s", text);
    cr_expect_eq(text[19], 'Z');
    H5Fclose(f);
    fixture_free(&fx);
}

Test(output, weeks_and_metrics_read_back)
{
    fixture fx;
    fixture_init(&fx, "metrics.h5", 3);
    write_file(&fx, N_WEEKS, 1);
    hid_t f = open_file(fx.path);

    int32_t week[N_WEEKS];
    read_ints(f, "week", week);
    for (int w = 0; w < N_WEEKS; w++) cr_expect_eq(week[w], w - BURN_IN);
    int32_t burn_in[N_WEEKS];
    read_ints(f, "burn_in", burn_in);
    for (int w = 0; w < N_WEEKS; w++) cr_expect_eq(burn_in[w], w < BURN_IN);

    for (int m = 0; m < METRIC_COUNT; m++) {
        const metric_info *mi = &metrics_table[m];
        hsize_t dims[3];
        int rank = dataset_dims(f, mi->name, dims);
        cr_expect_eq(rank, 1 + !mi->area + (mi->bd != BD_NONE), "%s", mi->name);
        cr_expect_eq(dims[0], N_WEEKS, "%s", mi->name);
        size_t len = metrics_len(&fx.frame, (enum metric_id)m);
        float *v = calloc(N_WEEKS * len, sizeof *v);
        hid_t d = H5Dopen2(f, mi->name, H5P_DEFAULT);
        cr_assert_geq(H5Dread(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, v), 0);
        for (int w = 0; w < N_WEEKS; w++)
            for (size_t i = 0; i < len; i++)
                cr_expect_eq(v[(size_t)w * len + i], value_of(m, w, i), "%s week %d cell %zu", mi->name, w, i);
        char units[128], want[64];
        float vmin = -9, vmax = -9;
        attr_text(d, "units", units, sizeof units);
        int range = metric_units(mi, want, sizeof want, &vmin, &vmax);
        cr_expect_str_eq(units, want);
        cr_expect_eq(H5Aexists(d, "valid_min") > 0, (range & 1) != 0, "%s", mi->name);
        cr_expect_eq(H5Aexists(d, "valid_max") > 0, (range & 2) != 0, "%s", mi->name);
        H5Dclose(d);
        free(v);
    }
    H5Fclose(f);
    fixture_free(&fx);
}

Test(output, dimension_scales_are_attached)
{
    fixture fx;
    fixture_init(&fx, "scales.h5", 4);
    write_file(&fx, 5, 1);
    hid_t f = open_file(fx.path);
    hid_t week = H5Dopen2(f, "week", H5P_DEFAULT), nbhd = H5Dopen2(f, "neighbourhood", H5P_DEFAULT);
    cr_assert_gt(H5DSis_scale(week), 0);
    cr_assert_gt(H5DSis_scale(nbhd), 0);
    for (int m = 0; m < METRIC_COUNT; m++) {
        const metric_info *mi = &metrics_table[m];
        hid_t d = H5Dopen2(f, mi->name, H5P_DEFAULT);
        cr_expect_gt(H5DSis_attached(d, week, 0), 0, "%s", mi->name);
        unsigned next = 1;
        if (!mi->area) cr_expect_gt(H5DSis_attached(d, nbhd, next++), 0, "%s", mi->name);
        if (mi->bd != BD_NONE) {
            hid_t s = H5Dopen2(f, breakdowns[mi->bd].dim, H5P_DEFAULT);
            cr_expect_gt(H5DSis_attached(d, s, next), 0, "%s on %s", mi->name, breakdowns[mi->bd].dim);
            H5Dclose(s);
        }
        H5Dclose(d);
    }
    hid_t name = H5Dopen2(f, "neighbourhoods/name", H5P_DEFAULT);
    cr_expect_gt(H5DSis_attached(name, nbhd, 0), 0);
    H5Dclose(name);
    int32_t quintile[N_QUINTILES];
    read_ints(f, "quintile", quintile);
    cr_expect_eq(quintile[0], 1);
    cr_expect_eq(quintile[N_QUINTILES - 1], N_QUINTILES);
    hsize_t dims[3];
    cr_expect_eq(dataset_dims(f, "identity", dims), 1);
    cr_expect_eq(dims[0], N_IDENTITY);
    int32_t decile[N_DECILES];
    read_ints(f, "decile", decile);
    cr_expect_eq(decile[0], 1);
    cr_expect_eq(decile[N_DECILES - 1], N_DECILES);
    cr_expect_eq(dataset_dims(f, "identity_sector", dims), 1);
    cr_expect_eq(dims[0], N_IDENTITY * N_SECTORS);
    cr_expect_eq(dataset_dims(f, "quintile_sector_name", dims), 1);
    cr_expect_eq(dims[0], N_QUINTILES * N_SECTORS);
    H5Dclose(week);
    H5Dclose(nbhd);
    H5Fclose(f);
    fixture_free(&fx);
}

Test(output, neighbourhoods_events_and_parameters)
{
    fixture fx;
    fixture_init(&fx, "tables.h5", 3);
    write_file(&fx, 6, 1);
    hid_t f = open_file(fx.path);

    int32_t pop[N_NBHD], la[N_NBHD];
    read_ints(f, "neighbourhoods/population", pop);
    read_ints(f, "neighbourhoods/la", la);
    for (int i = 0; i < N_NBHD; i++) cr_expect_eq(pop[i], 100 + i);
    cr_expect_eq(la[3], 1);
    char *names[N_NBHD];
    hid_t t = utf8_type();
    hid_t d = H5Dopen2(f, "neighbourhoods/la_name", H5P_DEFAULT);
    cr_assert_geq(H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, names), 0);
    cr_expect_str_eq(names[0], "Leeds");
    cr_expect_str_eq(names[3], "Bradford");
    for (int i = 0; i < N_NBHD; i++) H5free_memory(names[i]);
    H5Dclose(d);
    H5Tclose(t);

    hsize_t dims[1];
    cr_assert_eq(dataset_dims(f, "events/kind", dims), 1);
    cr_assert_eq(dims[0], 2);
    int32_t kind[2], nbhd[2], detail[2];
    read_ints(f, "events/kind", kind);
    read_ints(f, "events/neighbourhood", nbhd);
    read_ints(f, "events/detail", detail);
    cr_expect_eq(kind[0], EV_CRISIS_START);
    cr_expect_eq(nbhd[0], -1);
    cr_expect_eq(detail[1], 5);
    hid_t kd = H5Dopen2(f, "events/kind", H5P_DEFAULT);
    cr_expect_gt(H5Aexists(kd, "flag_values"), 0);
    char meanings[256];
    attr_text(kd, "flag_meanings", meanings, sizeof meanings);
    cr_expect(strstr(meanings, "crisis_start") != NULL, "%s", meanings);
    H5Dclose(kd);

    hid_t g = H5Gopen2(f, "parameters", H5P_DEFAULT);
    cr_expect_eq(attr_double(g, "output.flush_every_weeks"), 3);
    cr_expect_eq(attr_double(g, "run.weeks"), (double)fx.params.run_weeks);
    hsize_t n_attrs = 0;
    H5O_info_t oi;
    H5Oget_info(g, &oi);
    n_attrs = oi.num_attrs;
    cr_expect_eq(n_attrs, params_count);
    H5Gclose(g);
    H5Fclose(f);
    fixture_free(&fx);
}

Test(output, metrics_are_compressed_at_the_configured_level)
{
    fixture fx;
    fixture_init(&fx, "deflate.h5", 3);
    fx.params.output_compression = 0;
    write_file(&fx, 4, 1);
    hid_t f = open_file(fx.path);
    hid_t d = H5Dopen2(f, metrics_table[0].name, H5P_DEFAULT);
    hid_t p = H5Dget_create_plist(d);
    cr_expect_eq(H5Pget_nfilters(p), 1, "shuffle only at level 0");
    cr_expect_eq(H5Pget_layout(p), H5D_CHUNKED);
    H5Pclose(p);
    H5Dclose(d);
    H5Fclose(f);
    fixture_free(&fx);

    fixture_init(&fx, "deflate4.h5", 3);
    write_file(&fx, 4, 1);
    f = open_file(fx.path);
    d = H5Dopen2(f, metrics_table[0].name, H5P_DEFAULT);
    p = H5Dget_create_plist(d);
    cr_expect_eq(H5Pget_nfilters(p), 2, "shuffle + deflate");
    H5Pclose(p);
    H5Dclose(d);
    H5Fclose(f);
    fixture_free(&fx);
}

Test(output, incomplete_run_stays_partial)
{
    fixture fx;
    fixture_init(&fx, "incomplete.h5", 3);
    char err[512];
    output *o = write_file(&fx, 5, -1);
    cr_assert_eq(output_close(o, 0, 1.0, err, sizeof err), CW_OK, "%s", err);
    char partial[600];
    snprintf(partial, sizeof partial, "%s.partial", fx.path);
    cr_assert_not(file_exists(fx.path));
    cr_assert(file_exists(partial));
    hid_t f = open_file(partial);
    cr_expect_eq(attr_double(f, "complete"), 0);
    cr_expect_eq(attr_double(f, "weeks_written"), 5);
    hsize_t dims[3];
    dataset_dims(f, "need_rate", dims);
    cr_expect_eq(dims[0], 5);
    H5Fclose(f);
    fixture_free(&fx);
}

/* A run killed between flushes keeps every flushed week readable. */
Test(output, killed_run_keeps_flushed_weeks)
{
    fixture fx;
    fixture_init(&fx, "killed.h5", 3);
    fflush(NULL);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        write_file(&fx, 8, -1); /* flushed after weeks 3 and 6 */
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    char partial[600];
    snprintf(partial, sizeof partial, "%s.partial", fx.path);
    hid_t f = open_file(partial);
    hsize_t dims[3];
    dataset_dims(f, "health_mean", dims);
    cr_expect_eq(dims[0], 6);
    cr_expect_eq(attr_double(f, "weeks_written"), 6);
    cr_expect_eq(attr_double(f, "complete"), 0);
    dataset_dims(f, "events/value", dims);
    cr_expect_eq(dims[0], 2);
    int32_t week[6];
    read_ints(f, "week", week);
    cr_expect_eq(week[5], 5 - BURN_IN);
    H5Fclose(f);
    fixture_free(&fx);
}

Test(output, existing_file_needs_force)
{
    fixture fx;
    fixture_init(&fx, "exists.h5", 3);
    FILE *fp = fopen(fx.path, "w");
    cr_assert_not_null(fp);
    fclose(fp);
    char err[512] = "";
    output *o = NULL;
    cr_assert_eq(output_open(&o, &fx.setup, &fx.frame, err, sizeof err), CW_EEXIST);
    cr_assert_null(o);
    char want[600];
    snprintf(want, sizeof want, "%s exists (use --force to overwrite)", fx.path);
    cr_expect_str_eq(err, want);

    fx.setup.force = 1;
    write_file(&fx, 2, 1);
    hid_t f = open_file(fx.path);
    cr_expect_eq(attr_double(f, "complete"), 1);
    H5Fclose(f);
    fixture_free(&fx);
}

Test(output, old_partial_is_overwritten)
{
    fixture fx;
    fixture_init(&fx, "stale.h5", 3);
    char partial[600];
    snprintf(partial, sizeof partial, "%s.partial", fx.path);
    FILE *fp = fopen(partial, "w");
    fputs("\x89HDF\r\n\x1a\n cut short", fp); /* a killed run's: the program's own kind */
    fclose(fp);
    write_file(&fx, 2, 1);
    cr_expect(file_exists(fx.path));
    cr_expect_not(file_exists(partial));
    fixture_free(&fx);
}

Test(output, a_partial_of_another_kind_is_refused_and_kept)
{
    fixture fx;
    fixture_init(&fx, "stranger.h5", 3);
    char partial[600], err[512] = "";
    snprintf(partial, sizeof partial, "%s.partial", fx.path);
    FILE *fp = fopen(partial, "w");
    fputs("not hdf5", fp);
    fclose(fp);
    output *o = NULL;
    cr_assert_eq(output_open(&o, &fx.setup, &fx.frame, err, sizeof err), CW_EINVAL);
    cr_expect(strstr(err, "not an HDF5 file") != NULL, "%s", err);
    fp = fopen(partial, "r");
    char buf[16] = "";
    cr_assert_not_null(fp);
    cr_expect(fgets(buf, sizeof buf, fp) && strcmp(buf, "not hdf5") == 0);
    fclose(fp);
    fixture_free(&fx);
}

Test(output, missing_directory_is_an_io_error)
{
    fixture fx;
    fixture_init(&fx, "no/such/dir/out.h5", 3);
    char err[512] = "";
    output *o = NULL;
    cr_assert_eq(output_open(&o, &fx.setup, &fx.frame, err, sizeof err), CW_EIO);
    cr_assert_null(o);
    cr_expect(strstr(err, fx.path) != NULL, "%s", err);
    cr_expect(strstr(err, "No such file or directory") != NULL, "%s", err);
    fixture_free(&fx);
}

Test(output, mismatched_frame_is_refused)
{
    fixture fx;
    fixture_init(&fx, "mismatch.h5", 3);
    fx.setup.n_nbhd = N_NBHD + 1;
    char err[512] = "";
    output *o = NULL;
    cr_expect_eq(output_open(&o, &fx.setup, &fx.frame, err, sizeof err), CW_EINVAL);
    cr_expect_null(o);
    cr_expect_not(file_exists(fx.path));
    fixture_free(&fx);
}

/* ---- commonweal info ----------------------------------------------------------------- */

/* cw_info's output for path, in a static buffer. */
static const char *info_text(const char *path, cw_status *st)
{
    static char text[65536];
    char err[512] = "";
    FILE *fp = tmpfile();
    cr_assert_not_null(fp);
    *st = cw_info(path, fp, err, sizeof err);
    rewind(fp);
    size_t n = fread(text, 1, sizeof text - 1, fp);
    text[n] = '\0';
    fclose(fp);
    if (*st != CW_OK) snprintf(text, sizeof text, "%s", err);
    return text;
}

Test(info, summarises_a_complete_file)
{
    fixture fx;
    fixture_init(&fx, "info.h5", 3);
    write_file(&fx, N_WEEKS, 1);
    cw_status st;
    const char *text = info_text(fx.path, &st);
    cr_assert_eq(st, CW_OK, "%s", text);
    cr_expect(strstr(text, "complete") != NULL, "%s", text);
    cr_expect(strstr(text, "1234567890123") != NULL, "%s", text);
    cr_expect(strstr(text, cw_version()) != NULL, "%s", text);
    cr_expect(strstr(text, "10 written of 10, weeks -2 .. 7 (2 burn-in)") != NULL, "%s", text);
    cr_expect(strstr(text, "4 in 2 local authorities: Leeds, Bradford") != NULL, "%s", text);
    cr_expect(strstr(text, "burn_in_weeks: 2") != NULL, "%s", text);
    cr_expect(strstr(text, "after the burn-in") != NULL, "%s", text);
    for (int m = 0; m < METRIC_COUNT; m++)
        cr_expect(strstr(text, metrics_table[m].name) != NULL, "%s", metrics_table[m].name);
    cr_expect(strstr(text, "week, neighbourhood, sector") != NULL, "%s", text);
    /* population (metric 0) over weeks 2..9: min 2 + 0, max 9 + 3/64 */
    char want[128];
    snprintf(want, sizeof want, "%12.5g %12.5g %12.5g", (double)value_of(0, BURN_IN, 0),
             (double)(value_of(0, BURN_IN, 0) + value_of(0, N_WEEKS - 1, N_NBHD - 1)) / 2,
             (double)value_of(0, N_WEEKS - 1, N_NBHD - 1));
    cr_expect(strstr(text, want) != NULL, "want '%s' in\n%s", want, text);
    fixture_free(&fx);
}

Test(info, says_partial)
{
    fixture fx;
    fixture_init(&fx, "info_partial.h5", 3);
    char err[512], partial[600];
    output *o = write_file(&fx, 4, -1);
    cr_assert_eq(output_close(o, 0, 1.0, err, sizeof err), CW_OK);
    snprintf(partial, sizeof partial, "%s.partial", fx.path);
    cw_status st;
    const char *text = info_text(partial, &st);
    cr_assert_eq(st, CW_OK, "%s", text);
    cr_expect(strstr(text, "partial") != NULL, "%s", text);
    fixture_free(&fx);
}

Test(info, refuses_what_is_not_an_output_file)
{
    cw_status st;
    const char *text = info_text(CW_TEST_TMP "/no_such_file.h5", &st);
    cr_expect_eq(st, CW_EINVAL); /* a missing input is bad input, as for every command */
    cr_expect(strstr(text, "No such file") != NULL, "%s", text);

    char path[512];
    snprintf(path, sizeof path, "%s/not_hdf5.h5", CW_TEST_TMP);
    FILE *fp = fopen(path, "w");
    fputs("hello\n", fp);
    fclose(fp);
    text = info_text(path, &st);
    cr_expect_eq(st, CW_EINVAL);
    cr_expect(strstr(text, "not an HDF5 file") != NULL, "%s", text);

    snprintf(path, sizeof path, "%s/other.h5", CW_TEST_TMP);
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    H5Fclose(f);
    text = info_text(path, &st);
    cr_expect_eq(st, CW_EINVAL);
    cr_expect(strstr(text, "not a commonweal output file") != NULL, "%s", text);
}

/* ---- the metric tables ------------------------------------------------------------------ */

Test(metrics_table, names_and_lengths)
{
    cw_mem mem = {0};
    metrics_frame f;
    cr_assert_eq(metrics_frame_init(&f, &mem, 7, 3), CW_OK);
    cr_expect_eq(metrics_find("need_rate"), M_NEED_RATE);
    cr_expect_eq(metrics_find("no_such_metric"), -1);
    cr_expect_eq(metrics_len(&f, M_POPULATION), 7);
    cr_expect_eq(metrics_len(&f, M_NEED_RATE), 7 * N_SECTORS);
    cr_expect_eq(metrics_len(&f, M_NEED_RATE_BY_IDENTITY), 7 * 3);
    cr_expect_eq(metrics_len(&f, A_NEED_RATE), N_SECTORS);
    for (int bd = BD_NONE + 1; bd < BD_COUNT; bd++) {
        cr_expect_gt(f.bd_size[bd], 0);
        cr_expect_gt(strlen(breakdowns[bd].dim), 0);
    }
    cr_expect_str_eq(sector_names[0], "health");
    cr_expect_str_eq(age_band_names[N_AGE_BANDS - 1], "80+");
    metrics_frame_free(&f, &mem);
    cr_expect_eq(mem.bytes, 0);
}

/* Bit fields described from dims.def: the words and the CF flags agree bit by bit. */
Test(metrics_table, bit_fields_are_described_from_the_dims_table)
{
    char doc[512], meanings[512];
    uint8_t masks[8];
    dims_social_flags_doc(doc, sizeof doc);
    cr_expect(strstr(doc, "bit 0 isolated") && strstr(doc, "bit 1 lonely"), "%s", doc);
    cr_expect_eq(SF_ISOLATED, 1u << 0);
    cr_expect_eq(SF_LONELY, 1u << 1);
    cr_assert_eq(dims_social_flags_flags(meanings, sizeof meanings, masks), N_SOCIAL_FLAGS);
    cr_expect_str_eq(meanings, "isolated lonely");
    cr_expect(masks[0] == SF_ISOLATED && masks[1] == SF_LONELY);
    cr_assert_eq(dims_mask_flags(meanings, sizeof meanings, masks, "unmet", sector_names, N_SECTORS), N_SECTORS);
    cr_expect_str_eq(meanings, "unmet_health unmet_social_care unmet_mental_health unmet_housing unmet_work unmet_food");
    cr_expect_eq(masks[SECTOR_HOUSING], 1u << SECTOR_HOUSING);
    dims_mask_doc(doc, sizeof doc, "r: helped by route r", route_names, N_ROUTES);
    cr_expect(strstr(doc, "0 informal, 1 group, 2 service"), "%s", doc);
    cr_expect_eq(ROUTE_SERVICE, 2);
}

/* observe.c's tables: each metric is one row (or computed in code), once. */
Test(metrics_table, every_metric_is_computed_once)
{
    for (int m = 0; m < METRIC_COUNT; m++) cr_expect_eq(observe_metric_rows(m), 1, "%s", metrics_table[m].name);
}

Test(metrics_table, init_failure_frees_everything)
{
    cw_mem mem = {.fail_at = 3};
    metrics_frame f;
    cr_expect_eq(metrics_frame_init(&f, &mem, 5, 2), CW_ENOMEM);
    cr_expect_eq(mem.bytes, 0);
}

/* metrics.def's unit column: UDUNITS units, then an optional "[min,max]". */
Test(output, metric_units_split_the_range)
{
    char u[64];
    float lo = -9, hi = -9;
    metric_info frac = {.unit = "1 [0,1]"}, count = {.unit = "1 [0,]"}, idx = {.unit = "1 [-1,1]"},
                plain = {.unit = "hours/week"};
    cr_expect_eq(metric_units(&frac, u, sizeof u, &lo, &hi), 3);
    cr_expect_str_eq(u, "1");
    cr_expect_eq(lo, 0.0f);
    cr_expect_eq(hi, 1.0f);
    lo = hi = -9;
    cr_expect_eq(metric_units(&count, u, sizeof u, &lo, &hi), 1);
    cr_expect_eq(hi, -9.0f);
    cr_expect_eq(metric_units(&idx, u, sizeof u, &lo, &hi), 3);
    cr_expect_eq(lo, -1.0f);
    cr_expect_eq(metric_units(&plain, u, sizeof u, &lo, &hi), 0);
    cr_expect_str_eq(u, "hours/week");
}
