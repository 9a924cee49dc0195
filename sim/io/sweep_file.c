/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * Sweep files (docs/OUTPUT.md, "Sweep files"): one HDF5 file for all members
 * of a sweep. It has a run file's dimensions, labels, burn_in,
 * /neighbourhoods and /parameters (written by output.c's own helpers), a
 * `member` dimension, the /members table, and every metric with a leading
 * member dimension. Members are written whole as they finish, each followed
 * by a flush, /members/complete[m] = 1 and a second flush, so a sweep cut
 * short leaves a readable file and --resume reruns only the members not
 * complete.
 *
 * The writer never sees a simulation: sim/run/sweep_record.c shapes the file
 * from one (sweep_shape, sweep_file.h) and records members' weeks.
 *
 * Not thread-safe: one thread (the CLI's main thread) makes every call here
 * (the record functions, which touch no HDF5, may run on any thread).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#include "output.h"
#include "outsafe.h"
#include "sweep.h"
#include "sweep_file.h"

#define SWO_CHUNK_BYTES ((size_t)1 << 20)


struct cw_sweep_file {
    cw_sweep *sw;
    char *path, *partial;
    hid_t file, members, complete_ds;
    hid_t metric[METRIC_COUNT];
    int n_members, n_weeks, n_complete;
    uint8_t *complete;
    int failed;
    double wall_before;   /* wall_seconds of the legs before a --resume (0: none) */
    int lock_fd;                  /* the partial, locked (outsafe_lock) */
};

/* ---- helpers -------------------------------------------------------------------- */

static char *str_join(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 1;
    char *s = output_malloc(n);
    if (s) snprintf(s, n, "%s%s", a, b);
    return s;
}

/* ---- the members' scenarios ------------------------------------------------------------ */

static char *member_yaml(const cw_sweep *sw, int member)
{
    cw_scenario *sc = NULL;
    char *text = NULL;
    size_t len = 0;
    if (cw_sweep_member_scenario(sw, member, &sc) != CW_OK) {
        cw_scenario_free(sc);
        return NULL;
    }
    FILE *fp = open_memstream(&text, &len);
    if (fp) {
        cw_scenario_write_yaml(sc, fp);
        if (fclose(fp) != 0) {
            free(text);
            text = NULL;
        }
    }
    cw_scenario_free(sc);
    return text;
}

static void free_strings(char **s, int n)
{
    for (int i = 0; s && i < n; i++) free(s[i]);
    free(s);
}

static char **all_member_yaml(cw_sweep *sw)
{
    int n = cw_sweep_members(sw);
    char **s = output_calloc((size_t)n, sizeof *s);
    for (int i = 0; s && i < n; i++)
        if (!(s[i] = member_yaml(sw, i))) {
            free_strings(s, n);
            return NULL;
        }
    return s;
}

/* ---- small HDF5 helpers -------------------------------------------------------------------- */

static herr_t attr_i32(hid_t loc, const char *name, int32_t v)
{
    return output_h5_attr(loc, name, H5T_NATIVE_INT32, &v);
}

/* A 1-D attribute of n strings. */
static herr_t attr_strings(hid_t loc, const char *name, const char *const *s, hsize_t n)
{
    hid_t t = output_h5_str_type();
    hid_t space = n ? H5Screate_simple(1, &n, NULL) : H5Screate(H5S_NULL);
    herr_t rc = -1;
    if (t >= 0 && space >= 0) {
        hid_t a = H5Acreate2(loc, name, t, space, H5P_DEFAULT, H5P_DEFAULT);
        rc = a < 0 ? -1 : n ? H5Awrite(a, t, s) : 0;
        if (a >= 0) H5Aclose(a);
    }
    if (space >= 0) H5Sclose(space);
    if (t >= 0) H5Tclose(t);
    return rc;
}

/* A 1-D [member] variable written whole, on the member scale. */
static herr_t member_column(hid_t g, const char *name, hid_t type, hsize_t n, const void *buf, hid_t scale,
                            const char *long_name, const char *units)
{
    hsize_t chunk = n < 4096 ? n : 4096;
    hid_t ds = output_h5_dataset(g, name, type, 1, &n, n ? &chunk : NULL, n ? 4 : -1, NULL);
    if (ds < 0) return -1;
    herr_t rc = n ? H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) : 0;
    if (rc >= 0) rc = H5DSattach_scale(ds, scale, 0);
    if (rc >= 0) rc = output_h5_describe(ds, long_name, units);
    H5Dclose(ds);
    return rc;
}

/* ---- creating ------------------------------------------------------------------------ */

/* The run file's layout (dimensions, labels, /neighbourhoods, /parameters),
 * from the shape, with the sweep's base parameters and seed. */
static cw_status layout(cw_sweep_file *f, const sweep_shape *shape, int threads, output_scales *sc, char *err,
                        size_t errlen)
{
    output_setup s = shape->setup;
    s.path = f->partial;
    s.params = &f->sw->base->params;
    s.scenario_yaml = NULL;
    s.seed = f->sw->base_seed;
    s.threads = threads;
    return output_h5_layout(f->file, &s, shape->frame, sc, err, errlen);
}

static hid_t make_member_scale(hid_t file, int n)
{
    hsize_t len = (hsize_t)n;
    int32_t *v = output_malloc((size_t)(n ? n : 1) * sizeof *v);
    if (!v) return -1;
    for (int i = 0; i < n; i++) v[i] = i;
    hid_t ds = output_h5_dataset(file, "member", H5T_NATIVE_INT32, 1, &len, NULL, -1, NULL);
    herr_t rc = ds < 0 ? -1 : H5Dwrite(ds, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
    if (rc >= 0) rc = H5DSset_scale(ds, "member");
    if (rc >= 0) rc = output_h5_describe(ds, "sweep member (row of /members)", NULL);
    free(v);
    if (rc < 0 && ds >= 0) H5Dclose(ds);
    return rc < 0 ? -1 : ds;
}

/* metric m: [member, week, neighbourhood?, breakdown?], NaN until written. */
static herr_t create_metric(cw_sweep_file *f, const sweep_shape *shape, int m, hid_t member,
                            const output_scales *sc)
{
    const metric_info *mi = &metrics_table[m];
    hid_t scale[4];
    hsize_t dims[4], chunk[4];
    int rank = 0;
    scale[rank] = member, dims[rank++] = (hsize_t)f->n_members;
    scale[rank] = sc->week, dims[rank++] = (hsize_t)f->n_weeks;
    if (!mi->area) scale[rank] = sc->nbhd, dims[rank++] = (hsize_t)shape->setup.n_nbhd;
    if (mi->bd != BD_NONE) scale[rank] = sc->bd[mi->bd], dims[rank++] = (hsize_t)shape->frame->bd_size[mi->bd];
    size_t week_bytes = sizeof(float);
    for (int i = 2; i < rank; i++) week_bytes *= dims[i], chunk[i] = dims[i];
    size_t weeks = SWO_CHUNK_BYTES / week_bytes;
    chunk[0] = 1;
    chunk[1] = weeks < 1 ? 1 : weeks > dims[1] ? dims[1] : weeks;
    float nan = NAN;
    f->metric[m] = output_h5_dataset(f->file, mi->name, H5T_NATIVE_FLOAT, rank, dims, chunk,
                                     (int)f->sw->base->params.output_compression, &nan);
    if (f->metric[m] < 0) return -1;
    for (int i = 0; i < rank; i++)
        if (H5DSattach_scale(f->metric[m], scale[i], (unsigned)i) < 0) return -1;
    return output_h5_metric_attrs(f->metric[m], m, 1);
}

/* A parameter's unit (params.def: words for people) in UDUNITS-2 syntax,
 * where it has one; NULL: the unit stays in the long_name only. */
static const char *param_cf_units(const char *unit)
{
    static const struct { const char *param, *cf; } map[] = {
        {"per week", "week-1"}, {"probability per week", "week-1"}, {"fraction per week", "week-1"},
        {"weeks", "week"},      {"years", "year"},                  {"per year", "year-1"},
        {"hours/week", "hours/week"}, {"probability", "1"},         {"ratio", "1"},
    };
    if (!unit || !*unit) return NULL;
    if (strncmp(unit, "fraction", 8) == 0 && !strstr(unit, "per")) return "1";
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(unit, map[i].param) == 0) return map[i].cf;
    return NULL;
}

/* The varied parameter j's values per member; enums carry their choices. */
static herr_t factor_column(cw_sweep_file *f, hid_t g, hid_t member, int j)
{
    const cw_sweep *sw = f->sw;
    const sweep_factor *fac = &sw->factors[j];
    double *v = output_malloc((size_t)(f->n_members ? f->n_members : 1) * sizeof *v);
    if (!v) return -1;
    for (int i = 0; i < f->n_members; i++)
        v[i] = sw->design[(size_t)sweep_member_point(sw, i) * (size_t)sw->n_factors + (size_t)j];
    char long_name[512];
    int numeric = fac->pi->kind != PK_ENUM && fac->pi->kind != PK_BOOL;
    if (numeric && fac->pi->unit && *fac->pi->unit)
        snprintf(long_name, sizeof long_name, "varied parameter %s (%s): %s", fac->pi->path, fac->pi->unit,
                 fac->pi->doc);
    else
        snprintf(long_name, sizeof long_name, "varied parameter %s: %s", fac->pi->path, fac->pi->doc);
    herr_t rc = member_column(g, fac->pi->path, H5T_NATIVE_DOUBLE, (hsize_t)f->n_members, v, member, long_name,
                              numeric ? param_cf_units(fac->pi->unit) : NULL);
    free(v);
    if (rc < 0 || fac->pi->kind != PK_ENUM) return rc;
    const char *names[64];
    char buf[64][64];
    int n = 1;
    for (const char *c = fac->pi->sdef; *c; c++) n += *c == '|';
    for (int k = 0; k < n && k < 64; k++) names[k] = params_enum_name(fac->pi, k, buf[k], sizeof buf[k]);
    if (n > 64) n = 64;
    hid_t ds = H5Dopen2(g, fac->pi->path, H5P_DEFAULT);
    if (ds < 0) return -1;
    rc = attr_strings(ds, "choices", names, (hsize_t)n);
    H5Dclose(ds);
    return rc;
}

static herr_t write_members(cw_sweep_file *f, hid_t member, char **yaml)
{
    const cw_sweep *sw = f->sw;
    int n = f->n_members;
    size_t cap = (size_t)(n ? n : 1);
    uint64_t *seed = output_malloc(cap * sizeof *seed);
    int32_t *rep = output_malloc(cap * sizeof *rep), *point = output_malloc(cap * sizeof *point), *traj = output_malloc(cap * sizeof *traj);
    herr_t rc = seed && rep && point && traj ? 0 : -1;
    for (int i = 0; rc >= 0 && i < n; i++) {
        seed[i] = sweep_member_seed(sw, i);
        rep[i] = sweep_member_replicate(sw, i);
        point[i] = sweep_member_point(sw, i);
        traj[i] = sw->trajectory[point[i]];
    }
    hid_t g = rc < 0 ? -1 : output_h5_group(f->file, "members");
    hsize_t hn = (hsize_t)n;
    if (g < 0) rc = -1;
    if (rc >= 0) rc = member_column(g, "seed", H5T_NATIVE_UINT64, hn, seed, member, "the member's run.seed", NULL);
    if (rc >= 0) rc = member_column(g, "replicate", H5T_NATIVE_INT32, hn, rep, member, "replicate number (0-based)", NULL);
    if (rc >= 0) rc = member_column(g, "point", H5T_NATIVE_INT32, hn, point, member, "design point (0-based)", NULL);
    if (rc >= 0)
        rc = member_column(g, "trajectory", H5T_NATIVE_INT32, hn, traj, member,
                           "Morris trajectory (0-based; -1 unless method is morris)", NULL);
    hid_t t = output_h5_str_type();
    if (rc >= 0)
        rc = t < 0 ? -1 : member_column(g, "scenario_yaml", t, hn, yaml, member, "the member's resolved scenario", NULL);
    if (t >= 0) H5Tclose(t);
    for (int j = 0; rc >= 0 && j < sw->n_factors; j++) rc = factor_column(f, g, member, j);
    uint8_t *zero = rc < 0 ? NULL : output_calloc(cap, 1);
    if (rc >= 0)
        rc = zero ? member_column(g, "complete", H5T_NATIVE_UINT8, hn, zero, member,
                                  "1 once the member's run is written in full, else 0", NULL)
                  : -1;
    free(zero);
    if (g >= 0) H5Gclose(g);
    free(seed), free(rep), free(point), free(traj);
    return rc;
}

static void now_iso8601(char *buf, size_t n)
{
    time_t t = time(NULL);
    struct tm tm;
    if (!gmtime_r(&t, &tm) || !strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm)) snprintf(buf, n, "?");
}

static herr_t write_root_attrs(cw_sweep_file *f, const sweep_shape *shape, int threads, const char *base_yaml)
{
    const cw_sweep *sw = f->sw;
    hid_t file = f->file;
    char start[32], host[256] = "";
    now_iso8601(start, sizeof start);
    if (gethostname(host, sizeof host - 1) != 0) snprintf(host, sizeof host, "unknown");
    const char *varied[SWEEP_MAX_FACTORS];
    for (int j = 0; j < sw->n_factors; j++) varied[j] = sw->factors[j].pi->path;
    int64_t n_res = shape->setup.n_residents;
    double no_time = 0.0;
    if (output_h5_attr_str(file, "Conventions", "CF-1.8") < 0 ||
        output_h5_cf_root(file, "sweep", sw->text, sw->history) < 0 ||
        output_h5_attr_str(file, "kind", "sweep") < 0 ||
        attr_i32(file, "schema_version", cw_schema_version()) < 0 ||
        output_h5_attr_str(file, "program_version", cw_version()) < 0 ||
        output_h5_attr_str(file, "sweep_yaml", sw->text) < 0 ||
        output_h5_attr_str(file, "method", sweep_method_names[sw->method]) < 0 ||
        attr_i32(file, "common_random_numbers", sw->crn) < 0 ||
        attr_strings(file, "varied", varied, (hsize_t)sw->n_factors) < 0 ||
        attr_i32(file, "replicates", sw->replicates) < 0 || attr_i32(file, "points", sw->n_points) < 0 ||
        attr_i32(file, "members", f->n_members) < 0 || output_h5_attr_str(file, "scenario", base_yaml) < 0 ||
        output_h5_attr(file, "seed", H5T_NATIVE_UINT64, &sw->base_seed) < 0 || attr_i32(file, "threads", threads) < 0 ||
        output_h5_attr(file, "n_residents", H5T_NATIVE_INT64, &n_res) < 0 ||
        output_h5_attr_str(file, "start_time", start) < 0 || output_h5_attr_str(file, "host", host) < 0 ||
        attr_i32(file, "weeks_planned", f->n_weeks) < 0 ||
        attr_i32(file, "burn_in_weeks", shape->setup.burn_in_weeks) < 0 ||
        attr_i32(file, "members_complete", 0) < 0 ||
        output_h5_attr(file, "wall_seconds", H5T_NATIVE_DOUBLE, &no_time) < 0 || attr_i32(file, "complete", 0) < 0)
        return -1;
    if (sw->method == SWEEP_LHS && attr_i32(file, "lhs_n", sw->n_lhs) < 0) return -1;
    if (sw->method == SWEEP_MORRIS) {
        double delta = sw->levels / (2.0 * (sw->levels - 1));
        if (attr_i32(file, "morris_trajectories", sw->trajectories) < 0 ||
            attr_i32(file, "morris_levels", sw->levels) < 0 ||
            output_h5_attr(file, "morris_delta", H5T_NATIVE_DOUBLE, &delta) < 0)
            return -1;
    }
    if (sw->method == SWEEP_SALTELLI &&
        (attr_i32(file, "saltelli_n", sw->n_saltelli) < 0 ||
         output_h5_attr_str(file, "saltelli_base",
                            "Sobol' sequence (Joe & Kuo 2008 direction numbers, Gray-code order) in 2k "
                            "dimensions, random digital shift from run.seed") < 0 ||
         output_h5_attr_str(file, "saltelli_layout", "blocks of k + 2 points: A, AB_1 .. AB_k, B") < 0))
        return -1;
    return 0;
}

static void close_objects(cw_sweep_file *f)
{
    for (int m = 0; m < METRIC_COUNT; m++)
        if (f->metric[m] >= 0) H5Dclose(f->metric[m]), f->metric[m] = -1;
    if (f->complete_ds >= 0) H5Dclose(f->complete_ds), f->complete_ds = -1;
    if (f->members >= 0) H5Gclose(f->members), f->members = -1;
    if (f->file >= 0) H5Fclose(f->file), f->file = -1;
}

static void file_free(cw_sweep_file *f)
{
    if (!f) return;
    close_objects(f);
    free(f->complete);
    free(f->path);
    free(f->partial);
    if (f->lock_fd >= 0) close(f->lock_fd);
    free(f);
}

static cw_status create_contents(cw_sweep_file *f, const sweep_shape *shape, int threads, char **yaml)
{
    char *err = f->sw->errmsg;
    size_t errlen = sizeof f->sw->errmsg;
    output_scales sc = {.week = -1, .nbhd = -1};
    for (int bd = 0; bd < BD_COUNT; bd++) sc.bd[bd] = -1;
    cw_status st = layout(f, shape, threads, &sc, err, errlen);
    hid_t member = st == CW_OK ? make_member_scale(f->file, f->n_members) : -1;
    const char *what = NULL;
    if (st == CW_OK && member < 0) what = "the member dimension";
    for (int m = 0; st == CW_OK && !what && m < METRIC_COUNT; m++)
        if (create_metric(f, shape, m, member, &sc) < 0) what = metrics_table[m].name;
    if (st == CW_OK && !what && write_members(f, member, yaml) < 0) what = "/members";
    char *base_yaml = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&base_yaml, &len);
    if (fp) cw_scenario_write_yaml(f->sw->base, fp), fclose(fp);
    if (st == CW_OK && !what && write_root_attrs(f, shape, threads, base_yaml ? base_yaml : "") < 0)
        what = "the root attributes";
    free(base_yaml);
    if (st == CW_OK && !what && H5Fflush(f->file, H5F_SCOPE_GLOBAL) < 0) what = "the set-up (flush)";
    if (member >= 0) H5Dclose(member);
    if (sc.week >= 0) H5Dclose(sc.week);
    if (sc.nbhd >= 0) H5Dclose(sc.nbhd);
    for (int bd = 0; bd < BD_COUNT; bd++)
        if (sc.bd[bd] >= 0) H5Dclose(sc.bd[bd]);
    if (st == CW_OK && what) st = output_h5_fail(err, errlen, f->partial, what);
    return st;
}

/* Open the per-member datasets a write touches. */
static cw_status open_datasets(cw_sweep_file *f)
{
    f->members = H5Gopen2(f->file, "members", H5P_DEFAULT);
    f->complete_ds = f->members < 0 ? -1 : H5Dopen2(f->members, "complete", H5P_DEFAULT);
    const char *what = f->complete_ds < 0 ? "members/complete" : NULL;
    for (int m = 0; !what && m < METRIC_COUNT; m++)
        if ((f->metric[m] = H5Dopen2(f->file, metrics_table[m].name, H5P_DEFAULT)) < 0) what = metrics_table[m].name;
    if (!what) return CW_OK;
    snprintf(f->sw->errmsg, sizeof f->sw->errmsg, "%s: cannot open dataset '%s' (not a commonweal sweep file?)",
             f->partial, what);
    return CW_EIO;
}

/* ---- resuming ------------------------------------------------------------------------ */

static int read_str_attr(hid_t loc, const char *name, char *buf, size_t n)
{
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT), t = output_h5_str_type();
    char *s = NULL;
    int ok = a >= 0 && t >= 0 && H5Aread(a, t, &s) >= 0 && s;
    if (ok) snprintf(buf, n, "%s", s);
    if (s) H5free_memory(s);
    if (t >= 0) H5Tclose(t);
    if (a >= 0) H5Aclose(a);
    return ok;
}

/* The file must hold this sweep: the same members with the same scenarios. */
static cw_status check_same_sweep(cw_sweep_file *f, char **yaml)
{
    char *err = f->sw->errmsg, kind[32] = "";
    size_t errlen = sizeof f->sw->errmsg;
    if (!read_str_attr(f->file, "kind", kind, sizeof kind) || strcmp(kind, "sweep") != 0) {
        snprintf(err, errlen, "cannot resume: %s is not a sweep file", f->partial);
        return CW_EINVAL;
    }
    hid_t ds = H5Dopen2(f->file, "members/scenario_yaml", H5P_DEFAULT);
    hid_t space = ds < 0 ? -1 : H5Dget_space(ds);
    hssize_t n = space < 0 ? -1 : H5Sget_simple_extent_npoints(space);
    cw_status st = CW_OK;
    if (n != f->n_members) {
        snprintf(err, errlen, "cannot resume: %s holds %lld members, this sweep has %d: it was written by another "
                 "sweep (use --force to start again)", f->partial, (long long)n, f->n_members);
        st = CW_EINVAL;
    }
    char **old = st == CW_OK ? output_calloc((size_t)(n ? n : 1), sizeof *old) : NULL;
    hid_t t = output_h5_str_type();
    if (st == CW_OK && (!old || t < 0 || H5Dread(ds, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, old) < 0)) {
        st = output_h5_fail(err, errlen, f->partial, "(reading members/scenario_yaml)");
        snprintf(err, errlen, "cannot resume: cannot read %s: members/scenario_yaml", f->partial);
    }
    for (int i = 0; st == CW_OK && i < f->n_members; i++)
        if (!old[i] || strcmp(old[i], yaml[i]) != 0) {
            snprintf(err, errlen, "cannot resume: member %d of %s has another scenario than this sweep's member %d "
                     "(the sweep, its base or the --set overrides changed; use --force to start again)",
                     i, f->partial, i);
            st = CW_EINVAL;
        }
    if (old && space >= 0 && t >= 0) H5Dvlen_reclaim(t, space, H5P_DEFAULT, old);
    free(old);
    if (t >= 0) H5Tclose(t);
    if (space >= 0) H5Sclose(space);
    if (ds >= 0) H5Dclose(ds);
    return st;
}

static cw_status reopen(cw_sweep_file *f, char **yaml)
{
    char *err = f->sw->errmsg;
    size_t errlen = sizeof f->sw->errmsg;
    if (access(f->partial, F_OK) != 0) {
        if (access(f->path, F_OK) == 0)
            snprintf(err, errlen, "%s is complete: nothing to resume (use --force to run it again)", f->path);
        else
            snprintf(err, errlen, "cannot resume: %s: %s", f->partial, strerror(errno));
        return CW_EINVAL;
    }
    if ((f->file = H5Fopen(f->partial, H5F_ACC_RDWR, H5P_DEFAULT)) < 0) {
        snprintf(err, errlen,
                 "cannot resume: %s is not a readable HDF5 file (killed while it was being written?); "
                 "run the sweep again with --force",
                 f->partial);
        return CW_EIO;
    }
    cw_status st = check_same_sweep(f, yaml);
    if (st == CW_OK) st = open_datasets(f);
    if (st == CW_OK && H5Dread(f->complete_ds, H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, f->complete) < 0)
        st = output_h5_fail(err, errlen, f->partial, "(reading members/complete)");
    for (int i = 0; st == CW_OK && i < f->n_members; i++) f->n_complete += f->complete[i] != 0;
    return st;
}

/* ---- the public calls --------------------------------------------------------------------- */

static cw_status path_check(cw_sweep_file *f, int force)
{
    char *err = f->sw->errmsg;
    size_t errlen = sizeof f->sw->errmsg;
    const char *path[2] = {f->path, f->partial};
    for (int i = 0; i < 2; i++)
        if (outsafe_is_input(f->sw->base, path[i])) {
            snprintf(err, errlen, "%s: the output would overwrite an input of the sweep (its base scenario, "
                     "a base file of it or its neighbourhood CSV): choose another path", path[i]);
            return CW_EINVAL;
        }
    cw_status st = outsafe_target(f->path, "output", FK_HDF5, force, err, errlen);
    if (st == CW_OK) st = outsafe_target(f->partial, "partial output", FK_HDF5, 1, err, errlen);
    /* locked before it is truncated: another sweep onto the same file is refused */
    if (st == CW_OK) st = outsafe_lock(f->partial, FK_HDF5, &f->lock_fd, err, errlen);
    return st;
}

cw_status sweep_file_open(cw_sweep *sw, const char *path, int force, int resume, const sweep_shape *shape,
                          int threads, cw_sweep_file **out)
{
    *out = NULL;
    cw_sweep_file *f = output_calloc(1, sizeof *f);
    if (!f) return CW_ENOMEM;
    f->sw = sw;
    f->file = f->members = f->complete_ds = -1;
    f->lock_fd = -1;
    for (int m = 0; m < METRIC_COUNT; m++) f->metric[m] = -1;
    f->n_members = cw_sweep_members(sw);
    f->n_weeks = (int)(sw->base->params.run_burn_in_weeks + sw->base->params.run_weeks);
    f->path = str_join(path, "");
    f->partial = str_join(path, ".partial");
    f->complete = output_calloc((size_t)(f->n_members ? f->n_members : 1), 1);
    char **yaml = all_member_yaml(sw);
    if (!f->path || !f->partial || !f->complete || !yaml) {
        snprintf(sw->errmsg, sizeof sw->errmsg, "%s: out of memory for the sweep's %d members", path, f->n_members);
        free_strings(yaml, f->n_members);
        file_free(f);
        return CW_ENOMEM;
    }
    output_quiet q = output_quiet_begin();
    cw_status st;
    if (resume) {
        st = reopen(f, yaml);
        /* wall_seconds adds up the legs, so it is the sweep's time, not the last leg's */
        double before = NAN;
        if (st == CW_OK && H5Aexists(f->file, "wall_seconds") > 0) {
            hid_t a = H5Aopen(f->file, "wall_seconds", H5P_DEFAULT);
            if (a >= 0 && H5Aread(a, H5T_NATIVE_DOUBLE, &before) < 0) before = NAN;
            if (a >= 0) H5Aclose(a);
        }
        f->wall_before = isfinite(before) && before > 0 ? before : 0;
    } else {
        st = path_check(f, force);
        if (st == CW_OK) st = output_h5_create(f->partial, &f->file, sw->errmsg, sizeof sw->errmsg);
        if (st == CW_OK) st = create_contents(f, shape, threads, yaml);
        if (st == CW_OK) st = open_datasets(f);
        if (st != CW_OK && f->lock_fd >= 0) { /* only a partial this sweep holds */
            close_objects(f);
            remove(f->partial);
        }
    }
    output_quiet_end(q);
    free_strings(yaml, f->n_members);
    if (st != CW_OK) {
        file_free(f);
        return st;
    }
    *out = f;
    return CW_OK;
}

int cw_sweep_file_member_complete(const cw_sweep_file *f, int member)
{
    return member >= 0 && member < f->n_members && f->complete[member];
}

int cw_sweep_file_members_complete(const cw_sweep_file *f) { return f->n_complete; }

/* Write rows [member, ...] of metric m from buf. */
static herr_t write_member_rows(hid_t ds, int member, const float *buf)
{
    hid_t space = H5Dget_space(ds);
    if (space < 0) return -1;
    hsize_t dims[4], start[4] = {(hsize_t)member, 0, 0, 0};
    int rank = H5Sget_simple_extent_dims(space, dims, NULL);
    herr_t rc = rank < 2 ? -1 : 0;
    dims[0] = 1;
    if (rc >= 0) rc = H5Sselect_hyperslab(space, H5S_SELECT_SET, start, NULL, dims, NULL);
    hid_t mem = rc < 0 ? -1 : H5Screate_simple(rank, dims, NULL);
    if (mem < 0) rc = -1;
    if (rc >= 0) rc = H5Dwrite(ds, H5T_NATIVE_FLOAT, mem, space, H5P_DEFAULT, buf);
    if (mem >= 0) H5Sclose(mem);
    H5Sclose(space);
    return rc;
}

static herr_t mark_complete(cw_sweep_file *f, int member)
{
    hid_t space = H5Dget_space(f->complete_ds);
    if (space < 0) return -1;
    hsize_t start = (hsize_t)member, one = 1;
    uint8_t yes = 1;
    herr_t rc = H5Sselect_hyperslab(space, H5S_SELECT_SET, &start, NULL, &one, NULL);
    hid_t mem = rc < 0 ? -1 : H5Screate_simple(1, &one, NULL);
    if (mem < 0) rc = -1;
    if (rc >= 0) rc = H5Dwrite(f->complete_ds, H5T_NATIVE_UINT8, mem, space, H5P_DEFAULT, &yes);
    if (mem >= 0) H5Sclose(mem);
    H5Sclose(space);
    return rc;
}

cw_status cw_sweep_file_write(cw_sweep_file *f, int member, const cw_sweep_record *rec)
{
    char *err = f->sw->errmsg;
    size_t errlen = sizeof f->sw->errmsg;
    if (member < 0 || member >= f->n_members || rec->weeks_done != f->n_weeks) {
        snprintf(err, errlen, "%s: member %d has %d of %d weeks: not written", f->partial, member,
                 rec->weeks_done, f->n_weeks);
        return CW_EINVAL;
    }
    output_quiet q = output_quiet_begin();
    const char *what = NULL;
    for (int m = 0; !what && m < METRIC_COUNT; m++)
        if (write_member_rows(f->metric[m], member, rec->buf[m]) < 0) what = metrics_table[m].name;
    /* The member's rows on disk first, then the mark that says they are
     * there: without this flush the library may write the small
     * members/complete dataset before chunks still in its cache, and a
     * sweep killed in between resumes with a member marked complete whose
     * rows are fill values. */
    if (!what && H5Fflush(f->file, H5F_SCOPE_GLOBAL) < 0) what = "(flush)";
    if (!what && mark_complete(f, member) < 0) what = "members/complete";
    if (!what) {
        f->n_complete += !f->complete[member];
        f->complete[member] = 1;
        if (attr_i32(f->file, "members_complete", f->n_complete) < 0) what = "members_complete";
        else if (H5Fflush(f->file, H5F_SCOPE_GLOBAL) < 0) what = "(flush)";
    }
    cw_status st = CW_OK;
    if (what) {
        f->failed = 1;
        st = output_h5_fail(err, errlen, f->partial, what);
    }
    output_quiet_end(q);
    return st;
}

/* Floats of one member's rows of dataset ds. */
static size_t member_floats(hid_t ds)
{
    hid_t space = H5Dget_space(ds);
    hsize_t dims[4];
    int rank = space < 0 ? -1 : H5Sget_simple_extent_dims(space, dims, NULL);
    if (space >= 0) H5Sclose(space);
    size_t n = rank >= 2 ? 1 : 0;
    for (int i = 1; i < rank; i++) n *= dims[i];
    return n;
}

cw_status cw_sweep_file_write_packed(cw_sweep_file *f, int member, const float *buf, size_t n)
{
    size_t at[METRIC_COUNT], total = 0;
    for (int m = 0; m < METRIC_COUNT; m++) at[m] = total, total += member_floats(f->metric[m]);
    if (member < 0 || member >= f->n_members || n != total || total == 0) {
        snprintf(f->sw->errmsg, sizeof f->sw->errmsg, "%s: member %d sent %zu values, expected %zu: not written",
                 f->partial, member, n, total);
        return CW_EINVAL;
    }
    cw_sweep_record rec = {.n_weeks = f->n_weeks, .weeks_done = f->n_weeks};
    for (int m = 0; m < METRIC_COUNT; m++) rec.buf[m] = (float *)(buf + at[m]);
    return cw_sweep_file_write(f, member, &rec);
}

cw_status cw_sweep_file_close(cw_sweep_file *f, double wall_seconds)
{
    if (!f) return CW_OK;
    char *err = f->sw->errmsg;
    size_t errlen = sizeof f->sw->errmsg;
    int done = !f->failed && f->n_complete == f->n_members;
    output_quiet q = output_quiet_begin();
    cw_status st = CW_OK;
    wall_seconds += f->wall_before;
    if (output_h5_attr(f->file, "wall_seconds", H5T_NATIVE_DOUBLE, &wall_seconds) < 0 ||
        attr_i32(f->file, "complete", done) < 0)
        st = output_h5_fail(err, errlen, f->partial, "the closing attributes");
    close_objects(f);
    output_quiet_end(q);
    if (st == CW_OK && done && rename(f->partial, f->path) != 0) {
        snprintf(err, errlen, "cannot rename %s to %s: %s", f->partial, f->path, strerror(errno));
        st = CW_EIO;
    }
    file_free(f);
    return st;
}
