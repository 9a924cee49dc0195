/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * commonweal info: a summary of an output file (docs/OUTPUT.md), read with
 * the HDF5 API: provenance, weeks written, neighbourhoods, the head of the
 * scenario, and each metric's dimensions and min/mean/max. A sweep file also
 * says it is one: its design, members complete of planned, the values of each
 * varied parameter, and metric statistics over its complete members.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#include "commonweal/commonweal.h"
#include "jsonw.h"
#include "output.h" /* output_quiet_begin/end */

#define INFO_SCENARIO_LINES 8          /* lines of the scenario shown       */
#define INFO_LA_SHOWN 5                /* LA names listed before "..."     */
#define INFO_BLOCK_FLOATS ((size_t)1 << 22) /* values read at a time        */

/* The weeks of the file: their numbers and burn-in flags. */
typedef struct info_weeks {
    hsize_t n, n_burn_in;
    int32_t *week;
    uint8_t *burn_in;
} info_weeks;

/* Running min/mean/max over the finite values seen. */
typedef struct info_stats {
    double min, max, sum;
    size_t n;
} info_stats;

/* ---- attributes ---------------------------------------------------------------- */

/* A numeric attribute of loc converted to double; NAN when absent. */
static double attr_number(hid_t loc, const char *name)
{
    double v = NAN;
    if (H5Aexists(loc, name) <= 0) return v;
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    if (a < 0) return v;
    if (H5Aread(a, H5T_NATIVE_DOUBLE, &v) < 0) v = NAN;
    H5Aclose(a);
    return v;
}

static uint64_t attr_u64(hid_t loc, const char *name)
{
    uint64_t v = 0;
    if (H5Aexists(loc, name) <= 0) return v;
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    if (a < 0) return v;
    if (H5Aread(a, H5T_NATIVE_UINT64, &v) < 0) v = 0;
    H5Aclose(a);
    return v;
}

/* A string attribute (variable or fixed length) as a new string the caller
 * frees; NULL when absent or not a string. */
static char *attr_string(hid_t loc, const char *name)
{
    if (H5Aexists(loc, name) <= 0) return NULL;
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    hid_t t = a < 0 ? -1 : H5Aget_type(a);
    char *s = NULL;
    if (t >= 0 && H5Tget_class(t) == H5T_STRING) {
        if (H5Tis_variable_str(t) > 0) {
            char *v = NULL;
            if (H5Aread(a, t, &v) >= 0 && v) s = strdup(v);
            H5free_memory(v); /* HDF5 allocated it */
        } else {
            size_t n = H5Tget_size(t);
            s = calloc(n + 1, 1);
            if (s && H5Aread(a, t, s) < 0) free(s), s = NULL;
        }
    }
    if (t >= 0) H5Tclose(t);
    if (a >= 0) H5Aclose(a);
    return s;
}

/* ---- datasets ------------------------------------------------------------------- */

/* Length of a 1-D dataset, or -1. */
static long long dataset_len(hid_t loc, const char *name)
{
    if (H5Lexists(loc, name, H5P_DEFAULT) <= 0) return -1;
    hid_t d = H5Dopen2(loc, name, H5P_DEFAULT);
    hid_t sp = d < 0 ? -1 : H5Dget_space(d);
    hsize_t n = 0;
    int rank = sp < 0 ? -1 : H5Sget_simple_extent_dims(sp, &n, NULL);
    if (sp >= 0) H5Sclose(sp);
    if (d >= 0) H5Dclose(d);
    return rank == 1 ? (long long)n : -1;
}

/* Read a whole 1-D dataset of n elements as mem_type into buf. */
static herr_t read_column(hid_t loc, const char *name, hid_t mem_type, void *buf)
{
    hid_t d = H5Dopen2(loc, name, H5P_DEFAULT);
    if (d < 0) return -1;
    herr_t rc = H5Dread(d, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
    H5Dclose(d);
    return rc;
}

static void weeks_free(info_weeks *w)
{
    free(w->week);
    free(w->burn_in);
}

/* /week and /burn_in (burn_in may be absent: then no week is burn-in). */
static herr_t weeks_read(hid_t f, info_weeks *w)
{
    long long n = dataset_len(f, "week");
    if (n < 0) return -1;
    w->n = (hsize_t)n;
    w->week = calloc(w->n + 1, sizeof *w->week);
    w->burn_in = calloc(w->n + 1, sizeof *w->burn_in);
    if (!w->week || !w->burn_in) return -1;
    if (n > 0 && read_column(f, "week", H5T_NATIVE_INT32, w->week) < 0) return -1;
    if (n > 0 && dataset_len(f, "burn_in") == n &&
        read_column(f, "burn_in", H5T_NATIVE_UINT8, w->burn_in) < 0)
        return -1;
    for (hsize_t i = 0; i < w->n; i++) w->n_burn_in += w->burn_in[i] != 0;
    return 0;
}

/* ---- sweep files ------------------------------------------------------------------ */

/* The strings of a 1-D string attribute (variable length), each freed by the
 * caller with the array; *n their count. */
static char **attr_strings(hid_t loc, const char *name, int *n)
{
    *n = 0;
    if (H5Aexists(loc, name) <= 0) return NULL;
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT), sp = a < 0 ? -1 : H5Aget_space(a);
    hssize_t k = sp < 0 || H5Sget_simple_extent_type(sp) != H5S_SIMPLE ? 0 : H5Sget_simple_extent_npoints(sp);
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, H5T_VARIABLE);
    char **v = k > 0 ? calloc((size_t)k, sizeof *v) : NULL;
    if (v && H5Aread(a, t, v) >= 0) *n = (int)k;
    else free(v), v = NULL;
    H5Tclose(t);
    if (sp >= 0) H5Sclose(sp);
    if (a >= 0) H5Aclose(a);
    return v;
}

static void strings_free(char **v, int n)
{
    for (int i = 0; v && i < n; i++) H5free_memory(v[i]);
    free(v);
}

/* 1 for a sweep file (kind = "sweep"). */
static int is_sweep(hid_t f)
{
    char *kind = attr_string(f, "kind");
    int yes = kind && strcmp(kind, "sweep") == 0;
    free(kind);
    return yes;
}

/* The complete flag of each member ([n] from /members/complete), or NULL. */
static uint8_t *sweep_complete(hid_t f, long long *n)
{
    *n = dataset_len(f, "members/complete");
    uint8_t *c = *n > 0 ? calloc((size_t)*n, 1) : NULL;
    if (c && read_column(f, "members/complete", H5T_NATIVE_UINT8, c) < 0) free(c), c = NULL;
    return c;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* "sweep  grid: 9 design points x 20 replicates = 180 members; 180 of 180
 * complete" and a line per varied parameter with its values. */
static void print_sweep(FILE *fp, hid_t f)
{
    char *method = attr_string(f, "method");
    long long n = 0;
    uint8_t *done = sweep_complete(f, &n);
    long long n_done = 0;
    for (long long i = 0; done && i < n; i++) n_done += done[i] != 0;
    double points = attr_number(f, "points"), reps = attr_number(f, "replicates");
    double crn = attr_number(f, "common_random_numbers");
    fprintf(fp, "sweep           %s", method ? method : "?");
    if (!isnan(points) && !isnan(reps)) fprintf(fp, ": %.0f design points x %.0f replicates", points, reps);
    fprintf(fp, " = %lld members; %lld of %lld complete%s\n", n, n_done, n,
            crn == 1 ? "; common random numbers (replicate r has one seed at every point)" : "");
    int nv = 0;
    char **varied = attr_strings(f, "varied", &nv);
    double *v = n > 0 ? malloc((size_t)n * sizeof *v) : NULL;
    for (int j = 0; v && j < nv; j++) {
        char name[512];
        snprintf(name, sizeof name, "members/%s", varied[j]);
        if (H5Lexists(f, "members", H5P_DEFAULT) <= 0 || dataset_len(f, name) != n ||
            read_column(f, name, H5T_NATIVE_DOUBLE, v) < 0)
            continue;
        qsort(v, (size_t)n, sizeof *v, cmp_double);
        hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
        int nc = 0;
        char **choices = d >= 0 ? attr_strings(d, "choices", &nc) : NULL;
        if (d >= 0) H5Dclose(d);
        fprintf(fp, "%-16s%s:", j ? "" : "varied", varied[j]);
        int shown = 0;
        for (long long i = 0; i < n && shown < 12; i++) {
            if (i && v[i] == v[i - 1]) continue;
            int k = (int)v[i];
            char num[32];
            if (nc && v[i] == k && k >= 0 && k < nc) fprintf(fp, "%s %s", shown ? "," : "", choices[k]);
            else fprintf(fp, "%s %s", shown ? "," : "", cw_format_double(v[i], num, sizeof num));
            shown++;
        }
        fprintf(fp, "%s\n", shown >= 12 ? ", ..." : "");
        strings_free(choices, nc);
    }
    free(v);
    strings_free(varied, nv);
    free(method);
    free(done);
}

/* ---- the header ----------------------------------------------------------------- */

static void print_provenance(FILE *fp, hid_t f, const char *path)
{
    char *version = attr_string(f, "program_version"), *start = attr_string(f, "start_time");
    char *host = attr_string(f, "host");
    double complete = attr_number(f, "complete"), wall = attr_number(f, "wall_seconds");
    fprintf(fp, "file            %s\n", path);
    fprintf(fp, "status          %s\n", complete == 1 ? "complete"
                                         : "partial (the run did not finish)");
    fprintf(fp, "program         %s (schema %g)\n", version ? version : "?",
            attr_number(f, "schema_version"));
    fprintf(fp, "seed            %llu\n", (unsigned long long)attr_u64(f, "seed"));
    fprintf(fp, "started         %s on %s, %g threads\n", start ? start : "?",
            host ? host : "?", attr_number(f, "threads"));
    if (complete == 1) fprintf(fp, "wall time       %.1f s\n", wall);
    fprintf(fp, "residents       %.0f\n", attr_number(f, "n_residents"));
    free(version);
    free(start);
    free(host);
}

static void print_weeks(FILE *fp, hid_t f, const info_weeks *w)
{
    double planned = attr_number(f, "weeks_planned");
    fprintf(fp, "weeks           %llu written", (unsigned long long)w->n);
    if (!isnan(planned)) fprintf(fp, " of %.0f", planned);
    if (w->n > 0) fprintf(fp, ", weeks %d .. %d", w->week[0], w->week[w->n - 1]);
    fprintf(fp, " (%llu burn-in)\n", (unsigned long long)w->n_burn_in);
}

/* " in K local authorities: A, B, ..." naming each LA at its first neighbourhood. */
static void print_las(FILE *fp, const int32_t *la, char *const *names, long long n)
{
    int32_t max = 0;
    for (long long i = 0; i < n; i++) max = la[i] > max ? la[i] : max;
    uint8_t *seen = calloc((size_t)max + 1, 1);
    if (!seen) return;
    int n_la = 0;
    for (long long i = 0; i < n; i++) {
        if (la[i] < 0 || seen[la[i]]) continue;
        seen[la[i]] = 1;
        n_la++;
    }
    fprintf(fp, " in %d local authorit%s:", n_la, n_la == 1 ? "y" : "ies");
    memset(seen, 0, (size_t)max + 1);
    int shown = 0;
    for (long long i = 0; i < n && shown < INFO_LA_SHOWN; i++) {
        if (la[i] < 0 || seen[la[i]]) continue;
        seen[la[i]] = 1;
        fprintf(fp, "%s %s", shown++ ? "," : "", names[i] ? names[i] : "?");
    }
    if (n_la > shown) fprintf(fp, ", ...");
    free(seen);
}

/* The neighbourhood count, and the LAs from /neighbourhoods/la and la_name. */
static void print_neighbourhoods(FILE *fp, hid_t f)
{
    long long n = dataset_len(f, "neighbourhood");
    fprintf(fp, "neighbourhoods  %lld", n < 0 ? 0 : n);
    hid_t t = H5Tcopy(H5T_C_S1); /* the file's strings: variable-length UTF-8 */
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, H5T_CSET_UTF8);
    int32_t *la = n > 0 ? calloc((size_t)n, sizeof *la) : NULL;
    char **names = n > 0 ? calloc((size_t)n, sizeof *names) : NULL;
    if (la && names && dataset_len(f, "neighbourhoods/la") == n &&
        dataset_len(f, "neighbourhoods/la_name") == n &&
        read_column(f, "neighbourhoods/la", H5T_NATIVE_INT32, la) >= 0 &&
        read_column(f, "neighbourhoods/la_name", t, names) >= 0)
        print_las(fp, la, names, n);
    fprintf(fp, "\n");
    for (long long i = 0; names && i < n; i++) H5free_memory(names[i]);
    free(names);
    free(la);
    H5Tclose(t);
}

/* The first INFO_SCENARIO_LINES lines of the scenario text. */
static void print_scenario(FILE *fp, hid_t f)
{
    char *text = attr_string(f, "scenario");
    if (!text) return;
    const char *line = text;
    int shown = 0, more = 0;
    while (*line) {
        const char *end = strchr(line, '\n');
        int len = end ? (int)(end - line) : (int)strlen(line);
        if (shown < INFO_SCENARIO_LINES)
            fprintf(fp, "%-16s%.*s\n", shown++ ? "" : "scenario", len, line);
        else
            more++;
        line = end ? end + 1 : line + len;
    }
    if (more) fprintf(fp, "%-16s... (%d more lines)\n", "", more);
    free(text);
}

/* ---- the metric table ------------------------------------------------------------- */

/* The name of a dimension scale attached to a dimension (the last path part). */
static herr_t scale_name_visit(hid_t did, unsigned dim, hid_t scale, void *data)
{
    char path[256];
    (void)did, (void)dim;
    if (H5Iget_name(scale, path, sizeof path) <= 0) return 0;
    const char *slash = strrchr(path, '/');
    snprintf(data, 64, "%.63s", slash ? slash + 1 : path);
    return 1;
}

/* "week, neighbourhood, sector" and "20x5x6" for dataset d of rank dims. */
static void describe_dims(hid_t d, int rank, const hsize_t *dims, char *names, size_t nn,
                          char *shape, size_t ns)
{
    names[0] = shape[0] = '\0';
    for (int i = 0; i < rank; i++) {
        char dim[64] = "?";
        if (H5DSget_num_scales(d, (unsigned)i) > 0)
            H5DSiterate_scales(d, (unsigned)i, NULL, scale_name_visit, dim);
        size_t ln = strlen(names), ls = strlen(shape);
        snprintf(names + ln, nn - ln, "%s%s", i ? ", " : "", dim);
        snprintf(shape + ls, ns - ls, "%s%llu", i ? "x" : "", (unsigned long long)dims[i]);
    }
}

static void stats_add(info_stats *s, const float *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        double x = v[i];
        if (!isfinite(x)) continue;
        if (s->n == 0 || x < s->min) s->min = x;
        if (s->n == 0 || x > s->max) s->max = x;
        s->sum += x;
        s->n++;
    }
}

/* Statistics over the weeks where use[w] is set, reading a block of whole
 * weeks at a time; in a sweep file (members != NULL: [member, week, ...])
 * over the members where members[m] is set. */
static herr_t metric_stats(hid_t d, int rank, const hsize_t *dims, const uint8_t *use,
                           const uint8_t *members, info_stats *s)
{
    int lead = members != NULL;
    hsize_t n_members = lead ? dims[0] : 1, n_weeks = dims[lead];
    size_t per_week = 1;
    for (int i = lead + 1; i < rank; i++) per_week *= dims[i];
    hsize_t block = per_week >= INFO_BLOCK_FLOATS ? 1 : INFO_BLOCK_FLOATS / per_week;
    if (block > n_weeks) block = n_weeks;
    float *buf = malloc((size_t)block * per_week * sizeof *buf + 1);
    hid_t fs = H5Dget_space(d);
    herr_t rc = buf && fs >= 0 ? 0 : -1;
    for (hsize_t m = 0; rc >= 0 && m < n_members; m++) {
        if (lead && !members[m]) continue;
        for (hsize_t w0 = 0; rc >= 0 && w0 < n_weeks; w0 += block) {
            hsize_t start[H5S_MAX_RANK] = {0}, count[H5S_MAX_RANK];
            start[0] = m;
            start[lead] = w0;
            count[0] = 1;
            count[lead] = n_weeks - w0 < block ? n_weeks - w0 : block;
            for (int i = lead + 1; i < rank; i++) count[i] = dims[i];
            hid_t ms = H5Screate_simple(rank, count, NULL);
            rc = ms < 0 ? -1 : H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL);
            if (rc >= 0) rc = H5Dread(d, H5T_NATIVE_FLOAT, ms, fs, H5P_DEFAULT, buf);
            for (hsize_t w = 0; rc >= 0 && w < count[lead]; w++)
                if (use[w0 + w]) stats_add(s, buf + w * per_week, per_week);
            if (ms >= 0) H5Sclose(ms);
        }
    }
    if (fs >= 0) H5Sclose(fs);
    free(buf);
    return rc;
}

/* What the metric table needs from each root link. */
typedef struct info_walk {
    FILE *fp;
    const info_weeks *weeks;
    const uint8_t *use;     /* [weeks->n]: weeks the statistics cover */
    const uint8_t *members; /* sweep files: [member] complete; NULL for a run file */
    hsize_t n_members;
    int failed;
    char failed_name[128];
} info_walk;

/* A metric: a float dataset over week ([member, week, ...] in a sweep file),
 * not a dimension scale. */
static int is_metric(hid_t d, int rank, const hsize_t *dims, hsize_t n_weeks, hsize_t n_members)
{
    hid_t t = H5Dget_type(d);
    int ok = t >= 0 && H5Tget_class(t) == H5T_FLOAT;
    if (t >= 0) H5Tclose(t);
    int shaped = n_members ? rank >= 2 && dims[0] == n_members && dims[1] == n_weeks
                           : rank >= 1 && dims[0] == n_weeks;
    return ok && shaped && H5DSis_scale(d) <= 0;
}

static void print_metric(info_walk *iw, hid_t d, const char *name)
{
    hid_t sp = H5Dget_space(d);
    hsize_t dims[H5S_MAX_RANK];
    int rank = sp < 0 ? -1 : H5Sget_simple_extent_dims(sp, dims, NULL);
    if (sp >= 0) H5Sclose(sp);
    if (rank < 1 || !is_metric(d, rank, dims, iw->weeks->n, iw->members ? iw->n_members : 0)) return;
    char names[256], shape[64];
    describe_dims(d, rank, dims, names, sizeof names, shape, sizeof shape);
    info_stats s = {0};
    if (metric_stats(d, rank, dims, iw->use, iw->members, &s) < 0) {
        iw->failed = 1;
        snprintf(iw->failed_name, sizeof iw->failed_name, "%s", name);
        return;
    }
    fprintf(iw->fp, "  %-36s %-36s %-10s", name, names, shape);
    if (s.n) fprintf(iw->fp, " %12.5g %12.5g %12.5g\n", s.min, s.sum / (double)s.n, s.max);
    else fprintf(iw->fp, " %12s %12s %12s\n", "-", "-", "-");
}

static herr_t metric_visit(hid_t g, const char *name, const H5L_info_t *li, void *data)
{
    (void)li;
    hid_t obj = H5Oopen(g, name, H5P_DEFAULT);
    if (obj < 0) return 0;
    if (H5Iget_type(obj) == H5I_DATASET) print_metric(data, obj, name);
    H5Oclose(obj);
    return ((info_walk *)data)->failed ? 1 : 0;
}

/* The metric datasets in the order they were written (by name if the file
 * does not track creation order). */
static cw_status print_metrics(FILE *fp, hid_t f, const info_weeks *w, const char *path,
                               char *err, size_t errlen)
{
    uint8_t *use = calloc(w->n + 1, 1);
    if (!use) {
        snprintf(err, errlen, "%s: out of memory", path);
        return CW_ENOMEM;
    }
    int after = w->n_burn_in < w->n;
    for (hsize_t i = 0; i < w->n; i++) use[i] = after ? !w->burn_in[i] : 1;
    long long n_members = 0;
    uint8_t *members = is_sweep(f) ? sweep_complete(f, &n_members) : NULL;
    fprintf(fp, "\nmetrics (min/mean/max over %s%s)\n", after ? "the weeks after the burn-in"
                                                             : "all weeks",
            members ? " and the complete members" : "");
    fprintf(fp, "  %-36s %-36s %-10s %12s %12s %12s\n", "name", "dimensions", "shape", "min",
            "mean", "max");
    info_walk iw = {.fp = fp, .weeks = w, .use = use, .members = members,
                    .n_members = (hsize_t)(n_members > 0 ? n_members : 0)};
    hsize_t at = 0;
    if (H5Literate(f, H5_INDEX_CRT_ORDER, H5_ITER_INC, &at, metric_visit, &iw) < 0 && !iw.failed) {
        at = 0;
        H5Literate(f, H5_INDEX_NAME, H5_ITER_INC, &at, metric_visit, &iw);
    }
    free(use);
    free(members);
    if (!iw.failed) return CW_OK;
    snprintf(err, errlen, "%s: cannot read metric %s", path, iw.failed_name);
    return CW_EIO;
}

/* ---- the entry point -------------------------------------------------------------- */

/* Keeps the innermost HDF5 error's description (the first walking upward). */
static herr_t reason_visit(unsigned n, const H5E_error2_t *e, void *data)
{
    if (n == 0 && e->desc) snprintf(data, 256, "%s", e->desc);
    return 0;
}

/* Opens path read-only; CW_EIO if it cannot be read, CW_EINVAL if it is not
 * an HDF5 file from commonweal. */
static cw_status info_open(const char *path, hid_t *f, char *err, size_t errlen)
{
    if (access(path, R_OK) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return CW_EINVAL; /* a missing input: bad input, as for every command */
    }
    if (H5Fis_hdf5(path) <= 0) {
        snprintf(err, errlen, "%s: not an HDF5 file", path);
        return CW_EINVAL;
    }
    *f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (*f < 0) {
        char reason[256] = "damaged?";
        H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, reason_visit, reason);
        /* "unable to lock file": held by a writer; not "sblock" of a truncated file */
        int locked = strstr(reason, "lock file") || strstr(reason, "lock the file") || strstr(reason, "unable to lock");
        snprintf(err, errlen, "%s: cannot open the HDF5 file: %s%s", path, reason,
                 locked ? " (a running simulation is writing it; "
                 "HDF5_USE_FILE_LOCKING=FALSE reads it up to its last flush)" : " (damaged or cut short)");
        return locked ? CW_EIO : CW_EINVAL;
    }
    if (H5Aexists(*f, "schema_version") <= 0 || dataset_len(*f, "week") < 0) {
        H5Fclose(*f);
        snprintf(err, errlen, "%s: not a commonweal output file (no schema_version or week)", path);
        return CW_EINVAL;
    }
    return CW_OK;
}

static cw_status info_print(const char *path, hid_t f, FILE *fp, char *err, size_t errlen)
{
    info_weeks w = {0};
    cw_status st = CW_OK;
    if (weeks_read(f, &w) < 0) {
        snprintf(err, errlen, "%s: cannot read the weeks", path);
        st = CW_EIO;
        goto out_free_weeks;
    }
    print_provenance(fp, f, path);
    if (is_sweep(f)) print_sweep(fp, f);
    print_weeks(fp, f, &w);
    print_neighbourhoods(fp, f);
    print_scenario(fp, f);
    st = print_metrics(fp, f, &w, path, err, errlen);

out_free_weeks:
    weeks_free(&w);
    return st;
}

typedef cw_status (*info_printer)(const char *path, hid_t f, FILE *fp, char *err, size_t errlen);

/* Open path, print it with one of the printers, close; HDF5's own error
 * printing off throughout (its errors become our messages). */
static cw_status info_with(const char *path, FILE *fp, info_printer print, char *err, size_t errlen)
{
    output_quiet q = output_quiet_begin();
    hid_t f = -1;
    cw_status st = info_open(path, &f, err, errlen);
    if (st == CW_OK) {
        st = print(path, f, fp, err, errlen);
        H5Fclose(f);
    }
    output_quiet_end(q);
    return st;
}

cw_status cw_info(const char *path, FILE *fp, char *err, size_t errlen)
{
    return info_with(path, fp, info_print, err, errlen);
}

/* ---- commonweal info --json ---------------------------------------------------- */

static void json_attr(FILE *fp, hid_t f, const char *name, int first)
{
    if (!first) fputs(",\n", fp);
    fprintf(fp, "  \"%s\": ", name);
    if (H5Aexists(f, name) <= 0) {
        fputs("null", fp);
        return;
    }
    hid_t a = H5Aopen(f, name, H5P_DEFAULT);
    hid_t t = a < 0 ? -1 : H5Aget_type(a);
    H5T_class_t cls = t < 0 ? H5T_NO_CLASS : H5Tget_class(t);
    if (t >= 0) H5Tclose(t);
    if (a >= 0) H5Aclose(a);
    if (cls == H5T_STRING) {
        char *s = attr_string(f, name);
        jsonw_str(fp, s ? s : "");
        free(s);
    } else if (strcmp(name, "seed") == 0) {
        fprintf(fp, "%llu", (unsigned long long)attr_u64(f, name));
    } else {
        jsonw_num(fp, attr_number(f, name));
    }
}

typedef struct json_walk {
    FILE *fp;
    const info_weeks *weeks;
    const uint8_t *use;
    const uint8_t *members; /* sweep files: [member] complete; NULL for a run file */
    hsize_t n_members;
    int n, failed;
} json_walk;

static herr_t json_metric_visit(hid_t g, const char *name, const H5L_info_t *li, void *data)
{
    (void)li;
    json_walk *jw = data;
    hid_t d = H5Oopen(g, name, H5P_DEFAULT);
    if (d < 0) return 0;
    if (H5Iget_type(d) != H5I_DATASET) {
        H5Oclose(d);
        return 0;
    }
    hid_t s = H5Dget_space(d);
    hsize_t dims[H5S_MAX_RANK];
    int rank = s < 0 ? -1 : H5Sget_simple_extent_dims(s, dims, NULL);
    if (s >= 0) H5Sclose(s);
    if (rank < 1 || !is_metric(d, rank, dims, jw->weeks->n, jw->members ? jw->n_members : 0)) {
        H5Dclose(d);
        return 0;
    }
    char dimnames[256] = "", shape[128];
    describe_dims(d, rank, dims, dimnames, sizeof dimnames, shape, sizeof shape);
    info_stats st = {0};
    if (metric_stats(d, rank, dims, jw->use, jw->members, &st) < 0) jw->failed = 1;
    char *units = attr_string(d, "units");
    FILE *fp = jw->fp;
    fprintf(fp, "%s    {\"name\": ", jw->n++ ? ",\n" : "");
    jsonw_str(fp, name);
    fputs(", \"dims\": [", fp);
    char *save = NULL;
    int k = 0;
    for (char *tok = strtok_r(dimnames, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
        if (k++) fputs(", ", fp);
        jsonw_str(fp, tok);
    }
    fputs("], \"shape\": [", fp);
    for (int i = 0; i < rank; i++) fprintf(fp, "%s%llu", i ? ", " : "", (unsigned long long)dims[i]);
    fputs("], \"units\": ", fp);
    jsonw_str(fp, units);
    fputs(", \"min\": ", fp);
    jsonw_num(fp, st.n ? st.min : NAN);
    fputs(", \"mean\": ", fp);
    jsonw_num(fp, st.n ? st.sum / (double)st.n : NAN);
    fputs(", \"max\": ", fp);
    jsonw_num(fp, st.n ? st.max : NAN);
    fputc('}', fp);
    free(units);
    H5Dclose(d);
    return 0;
}

static cw_status info_json_print(const char *path, hid_t f, FILE *fp, char *err, size_t errlen)
{
    info_weeks w = {0};
    if (weeks_read(f, &w) < 0) {
        snprintf(err, errlen, "%s: cannot read the weeks", path);
        weeks_free(&w);
        return CW_EIO;
    }
    static const char *const attrs[] = {"kind", "title", "source", "history", "program_version",
                                        "schema_version", "seed", "threads", "n_residents", "start_time",
                                        "host", "weeks_planned", "burn_in_weeks", "weeks_written",
                                        "complete", "wall_seconds", "members", "replicates", "points",
                                        "method"};
    fputs("{\n  \"file\": ", fp);
    jsonw_str(fp, path);
    for (size_t i = 0; i < sizeof attrs / sizeof attrs[0]; i++)
        if (i < 16 || H5Aexists(f, attrs[i]) > 0) json_attr(fp, f, attrs[i], 0);
    fprintf(fp, ",\n  \"weeks\": %llu,\n  \"burn_in_weeks_in_file\": %llu,\n  \"neighbourhoods\": %lld",
            (unsigned long long)w.n, (unsigned long long)w.n_burn_in, dataset_len(f, "neighbourhood"));
    fputs(",\n  \"metrics\": [\n", fp);
    uint8_t *use = malloc((size_t)w.n + 1);
    cw_status st = CW_OK;
    if (!use) {
        snprintf(err, errlen, "%s: out of memory", path);
        st = CW_ENOMEM;
    } else {
        for (hsize_t i = 0; i < w.n; i++) use[i] = !w.burn_in[i];
        long long n_members = 0;
        uint8_t *members = is_sweep(f) ? sweep_complete(f, &n_members) : NULL;
        json_walk jw = {.fp = fp, .weeks = &w, .use = use, .members = members,
                        .n_members = (hsize_t)(n_members > 0 ? n_members : 0)};
        hsize_t at = 0;
        if (H5Literate(f, H5_INDEX_CRT_ORDER, H5_ITER_INC, &at, json_metric_visit, &jw) < 0 && jw.n == 0) {
            at = 0;
            H5Literate(f, H5_INDEX_NAME, H5_ITER_INC, &at, json_metric_visit, &jw);
        }
        if (jw.failed) {
            snprintf(err, errlen, "%s: cannot read a metric", path);
            st = CW_EIO;
        }
        free(members);
    }
    fputs("\n  ]\n}\n", fp);
    free(use);
    weeks_free(&w);
    return st;
}

cw_status cw_info_json(const char *path, FILE *fp, char *err, size_t errlen)
{
    return info_with(path, fp, info_json_print, err, errlen);
}
