/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * Paired comparisons (commonweal compare): a baseline and a policy, each a
 * run file or a sweep file's members, paired by seed (common random numbers:
 * replicate r of the policy has the same seed as replicate r of the
 * baseline), or, when no seeds match, by replicate number.
 *
 * For each member, a metric's value is its population-weighted mean over the
 * neighbourhoods (weights: that week's `population`), averaged over the
 * chosen weeks (default: every week not flagged burn_in). The paired
 * difference policy - baseline is averaged over the pairs, with a 95%
 * confidence interval from Student's t with n - 1 degrees of freedom.
 *
 * Levers: a comparison asks what a policy changes, so the two scenarios may
 * differ only in levers: parameters under policy., investment., funding.,
 * crisis., partnership., privatisation. and business., and the timeline.
 * run.seed is how members pair. Anything else differing is refused unless
 * force, with what differs in the message.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>

#include <hdf5.h>
#include <yaml.h>

#include "commonweal/commonweal.h"
#include "metrics.h"
#include "params.h"
#include "world.h" /* group_kind_names, route_names */

/* ---- Student's t ------------------------------------------------------------------ */

/* The continued fraction of the regularised incomplete beta (modified Lentz). */
static double beta_cf(double a, double b, double x)
{
    const double tiny = 1e-300, eps = 1e-15;
    double qab = a + b, qap = a + 1, qam = a - 1, c = 1, d = 1 - qab * x / qap;
    if (fabs(d) < tiny) d = tiny;
    d = 1 / d;
    double h = d;
    for (int m = 1; m <= 10000; m++) {
        int m2 = 2 * m;
        double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1 + aa * d, c = 1 + aa / c;
        if (fabs(d) < tiny) d = tiny;
        if (fabs(c) < tiny) c = tiny;
        d = 1 / d;
        h *= d * c;
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1 + aa * d, c = 1 + aa / c;
        if (fabs(d) < tiny) d = tiny;
        if (fabs(c) < tiny) c = tiny;
        d = 1 / d;
        double del = d * c;
        h *= del;
        if (fabs(del - 1) < eps) break;
    }
    return h;
}

/* I_x(a, b), the regularised incomplete beta function. */
static double beta_inc(double a, double b, double x)
{
    if (x <= 0) return 0;
    if (x >= 1) return 1;
    double front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x));
    if (x < (a + 1) / (a + b + 2)) return front * beta_cf(a, b, x) / a;
    return 1 - front * beta_cf(b, a, 1 - x) / b;
}

/* P(T <= t) for T ~ Student t with df degrees of freedom. */
static double t_cdf(double t, double df)
{
    double tail = 0.5 * beta_inc(df / 2, 0.5, df / (df + t * t));
    return t >= 0 ? 1 - tail : tail;
}

double cw_t_quantile(double p, double df)
{
    if (!(p > 0 && p < 1) || !(df > 0)) return NAN;
    if (p == 0.5) return 0;
    if (p < 0.5) return -cw_t_quantile(1 - p, df);
    double lo = 0, hi = 1;
    while (t_cdf(hi, df) < p && hi < 1e300) lo = hi, hi *= 2;
    for (int i = 0; i < 200 && hi - lo > 1e-14 * hi; i++) {
        double mid = 0.5 * (lo + hi);
        if (t_cdf(mid, df) < p) lo = mid;
        else hi = mid;
    }
    return 0.5 * (lo + hi);
}

/* ---- reading files ----------------------------------------------------------------- */

typedef struct cmp_file {
    const char *path;
    hid_t file;
    int sweep;                    /* 0: a run file (one member)             */
    int n_members, n_weeks, n_nbhd, n_points;
    int32_t *week;
    uint8_t *burn_in;
    int32_t *decile;              /* [n_nbhd]                               */
    uint64_t *seed;
    int32_t *replicate, *point;
    uint8_t *complete;
    char **scenario;              /* [n_members]                            */
    int n_varied;
    char **varied;                /* [n_varied] paths                       */
    double *values;               /* [n_varied][n_members]                  */
    char ***choices;              /* [n_varied]: enum names or NULL         */
    int *n_choices;
} cmp_file;

typedef struct cmp_err {
    char *buf;
    size_t n;
} cmp_err;

static cw_status fail(cmp_err *e, cw_status st, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static cw_status fail(cmp_err *e, cw_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->buf, e->n, fmt, ap);
    va_end(ap);
    return st;
}

static hid_t vstr_type(void)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    if (t >= 0 && (H5Tset_size(t, H5T_VARIABLE) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0)) {
        H5Tclose(t);
        return -1;
    }
    return t;
}

/* A string attribute (malloc'd copy) or NULL. */
static char *attr_text(hid_t loc, const char *name)
{
    if (H5Aexists(loc, name) <= 0) return NULL;
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT), t = vstr_type();
    char *s = NULL, *copy = NULL;
    if (a >= 0 && t >= 0 && H5Aread(a, t, &s) >= 0 && s) copy = strdup(s);
    if (s) H5free_memory(s);
    if (t >= 0) H5Tclose(t);
    if (a >= 0) H5Aclose(a);
    return copy;
}

static int attr_int(hid_t loc, const char *name, int fallback)
{
    if (H5Aexists(loc, name) <= 0) return fallback;
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    int32_t v = fallback;
    if (a >= 0 && H5Aread(a, H5T_NATIVE_INT32, &v) < 0) v = fallback;
    if (a >= 0) H5Aclose(a);
    return v;
}

/* Elements of a dataset (1-D length), or -1. */
static long ds_len(hid_t loc, const char *name)
{
    if (H5Lexists(loc, name, H5P_DEFAULT) <= 0) return -1;
    hid_t ds = H5Dopen2(loc, name, H5P_DEFAULT), sp = ds < 0 ? -1 : H5Dget_space(ds);
    long n = sp < 0 ? -1 : (long)H5Sget_simple_extent_npoints(sp);
    if (sp >= 0) H5Sclose(sp);
    if (ds >= 0) H5Dclose(ds);
    return n;
}

/* Read a whole dataset into a new buffer of n elements of type. */
static void *read_all(hid_t loc, const char *name, hid_t type, size_t size, long n)
{
    void *buf = malloc((size_t)(n > 0 ? n : 1) * size);
    hid_t ds = buf ? H5Dopen2(loc, name, H5P_DEFAULT) : -1;
    if (ds < 0 || H5Dread(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) {
        free(buf);
        buf = NULL;
    }
    if (ds >= 0) H5Dclose(ds);
    return buf;
}

static char **read_strings(hid_t loc, const char *name, long n, int is_attr)
{
    hid_t t = vstr_type();
    char **raw = calloc((size_t)(n > 0 ? n : 1), sizeof *raw), **out = calloc((size_t)(n > 0 ? n : 1), sizeof *out);
    hid_t obj = -1;
    herr_t rc = -1;
    if (t >= 0 && raw && out) {
        obj = is_attr ? H5Aopen(loc, name, H5P_DEFAULT) : H5Dopen2(loc, name, H5P_DEFAULT);
        if (obj >= 0) rc = is_attr ? H5Aread(obj, t, raw) : H5Dread(obj, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw);
    }
    for (long i = 0; rc >= 0 && i < n; i++)
        if (!(out[i] = strdup(raw[i] ? raw[i] : ""))) rc = -1;
    for (long i = 0; raw && i < n; i++)
        if (raw[i]) H5free_memory(raw[i]);
    if (obj >= 0) is_attr ? H5Aclose(obj) : H5Dclose(obj);
    if (t >= 0) H5Tclose(t);
    free(raw);
    if (rc < 0) {
        for (long i = 0; out && i < n; i++) free(out[i]);
        free(out);
        return NULL;
    }
    return out;
}

static long attr_len(hid_t loc, const char *name)
{
    if (H5Aexists(loc, name) <= 0) return 0;
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT), sp = a < 0 ? -1 : H5Aget_space(a);
    long n = sp < 0 ? 0 : (long)H5Sget_simple_extent_npoints(sp);
    if (sp >= 0 && H5Sget_simple_extent_type(sp) == H5S_NULL) n = 0;
    if (sp >= 0) H5Sclose(sp);
    if (a >= 0) H5Aclose(a);
    return n;
}

static void file_close(cmp_file *f)
{
    if (f->file >= 0) H5Fclose(f->file);
    free(f->week), free(f->burn_in), free(f->decile), free(f->seed), free(f->replicate), free(f->point);
    free(f->complete);
    for (int i = 0; f->scenario && i < f->n_members; i++) free(f->scenario[i]);
    free(f->scenario);
    for (int j = 0; j < f->n_varied; j++) {
        free(f->varied ? f->varied[j] : NULL);
        for (int k = 0; f->choices && f->choices[j] && k < f->n_choices[j]; k++) free(f->choices[j][k]);
        if (f->choices) free(f->choices[j]);
    }
    free(f->varied), free(f->values), free(f->choices), free(f->n_choices);
    memset(f, 0, sizeof *f);
    f->file = -1;
}

static cw_status read_members(cmp_file *f, cmp_err *e)
{
    long n = ds_len(f->file, "members/seed");
    if (n < 1) return fail(e, CW_EIO, "%s: a sweep file without /members/seed", f->path);
    f->n_members = (int)n;
    f->seed = read_all(f->file, "members/seed", H5T_NATIVE_UINT64, sizeof *f->seed, n);
    f->replicate = read_all(f->file, "members/replicate", H5T_NATIVE_INT32, sizeof *f->replicate, n);
    f->point = read_all(f->file, "members/point", H5T_NATIVE_INT32, sizeof *f->point, n);
    f->complete = read_all(f->file, "members/complete", H5T_NATIVE_UINT8, 1, n);
    f->scenario = read_strings(f->file, "members/scenario_yaml", n, 0);
    if (!f->seed || !f->replicate || !f->point || !f->complete || !f->scenario)
        return fail(e, CW_EIO, "%s: cannot read the /members table", f->path);
    f->n_points = attr_int(f->file, "points", 1);
    f->n_varied = (int)attr_len(f->file, "varied");
    if (!f->n_varied) return CW_OK;
    f->varied = read_strings(f->file, "varied", f->n_varied, 1);
    f->values = malloc((size_t)f->n_varied * (size_t)n * sizeof *f->values);
    f->choices = calloc((size_t)f->n_varied, sizeof *f->choices);
    f->n_choices = calloc((size_t)f->n_varied, sizeof *f->n_choices);
    if (!f->varied || !f->values || !f->choices || !f->n_choices)
        return fail(e, CW_EIO, "%s: cannot read the varied parameters", f->path);
    hid_t g = H5Gopen2(f->file, "members", H5P_DEFAULT);
    for (int j = 0; j < f->n_varied && g >= 0; j++) {
        double *v = read_all(g, f->varied[j], H5T_NATIVE_DOUBLE, sizeof *v, n);
        if (!v) {
            H5Gclose(g);
            return fail(e, CW_EIO, "%s: cannot read /members/%s", f->path, f->varied[j]);
        }
        memcpy(f->values + (size_t)j * (size_t)n, v, (size_t)n * sizeof *v);
        free(v);
        hid_t ds = H5Dopen2(g, f->varied[j], H5P_DEFAULT);
        long nc = ds >= 0 ? attr_len(ds, "choices") : 0;
        if (nc > 0) {
            f->choices[j] = read_strings(ds, "choices", nc, 1);
            f->n_choices[j] = f->choices[j] ? (int)nc : 0;
        }
        if (ds >= 0) H5Dclose(ds);
    }
    if (g >= 0) H5Gclose(g);
    return CW_OK;
}

/* A run file as a sweep of one member. */
static cw_status read_run(cmp_file *f, cmp_err *e)
{
    f->n_members = f->n_points = 1;
    f->seed = calloc(1, sizeof *f->seed);
    f->replicate = calloc(1, sizeof *f->replicate);
    f->point = calloc(1, sizeof *f->point);
    f->complete = calloc(1, 1);
    f->scenario = calloc(1, sizeof *f->scenario);
    if (!f->seed || !f->replicate || !f->point || !f->complete || !f->scenario) return CW_ENOMEM;
    hid_t a = H5Aexists(f->file, "seed") > 0 ? H5Aopen(f->file, "seed", H5P_DEFAULT) : -1;
    if (a >= 0) H5Aread(a, H5T_NATIVE_UINT64, f->seed), H5Aclose(a);
    f->complete[0] = attr_int(f->file, "complete", 0) != 0;
    if (!f->complete[0])
        return fail(e, CW_EINVAL, "%s is not complete (%d of %d weeks written): compare finished runs", f->path,
                    attr_int(f->file, "weeks_written", 0), attr_int(f->file, "weeks_planned", 0));
    f->scenario[0] = attr_text(f->file, "scenario");
    if (!f->scenario[0]) return fail(e, CW_EINVAL, "%s: no scenario attribute: not a commonweal output file", f->path);
    return CW_OK;
}

static cw_status file_open(cmp_file *f, const char *path, cmp_err *e)
{
    memset(f, 0, sizeof *f);
    f->path = path;
    if (access(path, R_OK) != 0) return fail(e, CW_EINVAL, "%s: %s", path, strerror(errno));
    f->file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f->file < 0) return fail(e, CW_EINVAL, "%s: cannot open: not an HDF5 file, or damaged", path);
    char *kind = attr_text(f->file, "kind");
    f->sweep = kind ? strcmp(kind, "sweep") == 0 : H5Lexists(f->file, "members", H5P_DEFAULT) > 0;
    free(kind);
    long nw = ds_len(f->file, "week"), nb = ds_len(f->file, "neighbourhood");
    if (nw < 1 || nb < 1) return fail(e, CW_EINVAL, "%s: no week or neighbourhood dimension: not a commonweal output file", path);
    f->n_weeks = (int)nw;
    f->n_nbhd = (int)nb;
    f->week = read_all(f->file, "week", H5T_NATIVE_INT32, sizeof *f->week, nw);
    f->burn_in = read_all(f->file, "burn_in", H5T_NATIVE_UINT8, 1, nw);
    f->decile = read_all(f->file, "neighbourhoods/decile", H5T_NATIVE_INT32, sizeof *f->decile, nb);
    if (!f->week || !f->burn_in || !f->decile) return fail(e, CW_EIO, "%s: cannot read week, burn_in or decile", path);
    return f->sweep ? read_members(f, e) : read_run(f, e);
}

/* ---- scenarios and levers ------------------------------------------------------------------ */

/* A lever by its row's flag in params.def; a path this version does not know
 * (a file from another version) is not one. */
static int has_role(const char *path, unsigned flag)
{
    const param_info *pi = params_find(path);
    return pi && params_has(pi, flag);
}

typedef struct kv {
    char path[192], value[128];
} kv;

typedef struct flat {
    kv *kv;
    int n, cap;
    char *timeline;   /* the timeline's text, for "timeline differs"        */
} flat;

static void flat_walk(yaml_document_t *d, yaml_node_t *m, const char *prefix, flat *out)
{
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(d, p->key), *v = yaml_document_get_node(d, p->value);
        if (k->type != YAML_SCALAR_NODE) continue;
        char path[192];
        snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", (const char *)k->data.scalar.value);
        if (!*prefix && !strcmp(path, "timeline")) continue;
        if (v->type == YAML_MAPPING_NODE) {
            flat_walk(d, v, path, out);
        } else if (v->type == YAML_SCALAR_NODE) {
            if (out->n == out->cap) {
                int cap = out->cap ? 2 * out->cap : 256;
                kv *g = realloc(out->kv, (size_t)cap * sizeof *g);
                if (!g) return;
                out->kv = g, out->cap = cap;
            }
            snprintf(out->kv[out->n].path, sizeof out->kv[0].path, "%s", path);
            snprintf(out->kv[out->n].value, sizeof out->kv[0].value, "%s", (const char *)v->data.scalar.value);
            out->n++;
        }
    }
}

/* The resolved scenario's parameters as (path, value), and its timeline. */
static void flatten(const char *text, flat *out)
{
    memset(out, 0, sizeof *out);
    const char *tl = strstr(text, "\ntimeline:");
    out->timeline = strdup(tl ? tl : "");
    yaml_parser_t p;
    yaml_document_t d;
    if (!yaml_parser_initialize(&p)) return;
    yaml_parser_set_input_string(&p, (const unsigned char *)text, strlen(text));
    if (yaml_parser_load(&p, &d)) {
        yaml_node_t *root = yaml_document_get_root_node(&d);
        if (root && root->type == YAML_MAPPING_NODE) flat_walk(&d, root, "", out);
        yaml_document_delete(&d);
    }
    yaml_parser_delete(&p);
}

static void flat_free(flat *f)
{
    free(f->kv);
    free(f->timeline);
}

static void append(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void append(char *buf, size_t n, const char *fmt, ...)
{
    size_t k = strlen(buf);
    if (k + 1 >= n) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + k, n - k, fmt, ap);
    va_end(ap);
}

/* Say what differs between two resolved scenarios: non-lever differences
 * into bad (refused without force), lever differences into levers. */
static int scenario_diff(const char *a_text, const char *b_text, char *bad, size_t nbad, char *levers, size_t nlev)
{
    flat a, b;
    flatten(a_text, &a);
    flatten(b_text, &b);
    int n_bad = 0;
    for (int i = 0; i < a.n || i < b.n; i++) {
        const kv *x = i < a.n ? &a.kv[i] : NULL, *y = i < b.n ? &b.kv[i] : NULL;
        if (x && y && !strcmp(x->path, y->path) && !strcmp(x->value, y->value)) continue;
        if (x && y && strcmp(x->path, y->path) != 0) {
            append(bad, nbad, "%sthe files list different parameters (%s, %s: written by different versions?)",
                   n_bad++ ? "; " : "", x->path, y->path);
            break;
        }
        const kv *z = x ? x : y;
        if (has_role(z->path, PF_SEED)) continue;
        if (has_role(z->path, PF_LEVER)) {
            append(levers, nlev, "%s%s %s -> %s", levers[0] ? "; " : "", z->path, x ? x->value : "?", y ? y->value : "?");
        } else {
            append(bad, nbad, "%s%s %s -> %s", n_bad++ ? "; " : "", z->path, x ? x->value : "?", y ? y->value : "?");
        }
    }
    if (strcmp(a.timeline ? a.timeline : "", b.timeline ? b.timeline : "") != 0)
        append(levers, nlev, "%sthe timeline", levers[0] ? "; " : "");
    flat_free(&a);
    flat_free(&b);
    return n_bad;
}

/* ---- metrics and breakdowns ----------------------------------------------------------------- */

/* Groups of neighbourhoods by deprivation: none (0), deciles (10) or
 * fifths (5: deciles 1-2, ..., 9-10). */
static int area_groups(cw_compare_by by) { return by == CW_BY_DECILE ? 10 : by == CW_BY_FIFTH ? 5 : 0; }

static enum breakdown by_breakdown(cw_compare_by by)
{
    switch (by) {
    case CW_BY_QUINTILE: return BD_QUINTILE;
    case CW_BY_IDENTITY: return BD_IDENTITY;
    case CW_BY_AGE_BAND: return BD_AGE_BAND;
    case CW_BY_DECILE: return BD_DECILE;
    case CW_BY_FIFTH: return BD_FIFTH;
    default: return BD_NONE;
    }
}

/* The (group, sector) breakdown of a group breakdown, and back. */
static enum breakdown with_sector(enum breakdown bd)
{
    switch (bd) {
    case BD_QUINTILE: return BD_QUINTILE_SECTOR;
    case BD_IDENTITY: return BD_IDENTITY_SECTOR;
    case BD_AGE_BAND: return BD_AGE_BAND_SECTOR;
    case BD_DECILE: return BD_DECILE_SECTOR;
    case BD_FIFTH: return BD_FIFTH_SECTOR;
    default: return BD_NONE;
    }
}

/* Whether bd groups residents (or neighbourhoods) that --by can name. */
static int by_breakdown_of(enum breakdown bd)
{
    return bd == BD_QUINTILE || bd == BD_IDENTITY || bd == BD_AGE_BAND || bd == BD_DECILE || bd == BD_FIFTH;
}

static enum breakdown group_of(enum breakdown bd)
{
    for (int g = BD_NONE + 1; g < BD_COUNT; g++)
        if (with_sector((enum breakdown)g) == bd) return (enum breakdown)g;
    return bd;
}

/* The area breakdown of `name` by bd, weighted by the group's residents
 * (area_STEM_by_DIM, STEM: name without _rate, DIM: bd or bd_sector), or -1. */
static int weighted_breakdown(const char *name, enum breakdown bd)
{
    size_t len = strlen(name);
    if (len > 5 && !strcmp(name + len - 5, "_rate")) len -= 5;
    enum breakdown dims[2] = {bd, with_sector(bd)};
    for (int k = 0; k < 2; k++) {
        char alt[160];
        snprintf(alt, sizeof alt, "area_%.*s_by_%s", (int)len, name, breakdowns[dims[k]].dim);
        int m = metrics_find(alt);
        if (m >= 0 && metrics_table[m].area) return m;
    }
    return -1;
}

/* The metric that answers `name` broken down by `by`: the area breakdown
 * weighted by each group's residents (area_STEM_by_X) where the file has
 * one; by deprivation decile or fifth, else the neighbourhood metric itself
 * (grouped by neighbourhood, weighted by population); -1 with a message if
 * none. A quintile, identity or age-band breakdown is always the weighted
 * area one: a per-neighbourhood rate cannot be weighted without the
 * group's size. */
static int resolve_metric(const char *name, cw_compare_by by, cmp_err *e)
{
    int m = metrics_find(name);
    if (m < 0) return fail(e, CW_EINVAL, "unknown metric '%s' (see docs/OUTPUT.md, or `commonweal info FILE`)", name), -1;
    enum breakdown want = by_breakdown(by), bd = metrics_table[m].bd;
    int broken_down = bd == want || bd == with_sector(want);
    if (want == BD_NONE || (broken_down && metrics_table[m].area)) return m;
    char stem[128];
    size_t len = strlen(name), suffix = strlen(breakdowns[bd].dim) + 4; /* NAME_by_DIM: NAME */
    snprintf(stem, sizeof stem, "%.*s", (int)(broken_down && len > suffix ? len - suffix : len), name);
    int w = weighted_breakdown(stem, want);
    if (w >= 0) return w;
    if (area_groups(by) && !metrics_table[m].area) return m;
    if (area_groups(by))
        return fail(e, CW_EINVAL, "%s is an area metric (no neighbourhood dimension): --by %s does not apply",
                    name, by == CW_BY_DECILE ? "decile" : "fifth"), -1;
    char have[768] = "";
    for (int k = 0; k < METRIC_COUNT; k++)
        if (metrics_table[k].area && (metrics_table[k].bd == want || metrics_table[k].bd == with_sector(want)))
            append(have, sizeof have, "%s%s", have[0] ? ", " : "", metrics_table[k].name);
    return fail(e, CW_EINVAL, "%s has no %s breakdown weighted by residents (metrics with one: %s)", name,
                breakdowns[want].dim, have), -1;
}

/* The label of cell c of breakdown bd. */
static void cell_label(enum breakdown bd, int c, char *buf, size_t n)
{
    switch (bd) {
    case BD_NONE: snprintf(buf, n, "all"); break;
    case BD_SECTOR: snprintf(buf, n, "%s", c < N_SECTORS ? sector_names[c] : "?"); break;
    case BD_QUINTILE: snprintf(buf, n, "%s", c < N_QUINTILES ? quintile_names[c] : "?"); break;
    case BD_AGE_BAND: snprintf(buf, n, "age %s", c < N_AGE_BANDS ? age_band_names[c] : "?"); break;
    case BD_IDENTITY: snprintf(buf, n, "identity %d%s", c, c == 0 ? " (majority)" : ""); break;
    case BD_GROUP_KIND: snprintf(buf, n, "%s", c < N_GROUP_KINDS ? group_kind_names[c] : "?"); break;
    case BD_ROUTE: snprintf(buf, n, "%s", c < N_ROUTES ? route_names[c] : "?"); break;
    case BD_DECILE: snprintf(buf, n, "decile %d", c + 1); break;
    case BD_FIFTH: snprintf(buf, n, "fifth %d", c + 1); break;
    case BD_QUINTILE_SECTOR:
    case BD_IDENTITY_SECTOR:
    case BD_AGE_BAND_SECTOR:
    case BD_DECILE_SECTOR:
    case BD_FIFTH_SECTOR: {
        cell_label(group_of(bd), c / N_SECTORS, buf, n);
        size_t len = strlen(buf);
        if (len < n) snprintf(buf + len, n - len, ", %s", sector_names[c % N_SECTORS]);
        break;
    }
    default: snprintf(buf, n, "%d", c); break;
    }
}

/* Dataset extents: [member?, week, nbhd?, bd?]. */
static int metric_shape(hid_t file, const char *name, hsize_t *dims)
{
    hid_t ds = H5Dopen2(file, name, H5P_DEFAULT), sp = ds < 0 ? -1 : H5Dget_space(ds);
    int rank = sp < 0 ? -1 : H5Sget_simple_extent_dims(sp, dims, NULL);
    if (sp >= 0) H5Sclose(sp);
    if (ds >= 0) H5Dclose(ds);
    return rank;
}

/* Read member i's [week, ...] block of a metric (all of it in a run file). */
static float *read_block(const cmp_file *f, const char *name, int i, size_t *per_week)
{
    hsize_t dims[5];
    int rank = metric_shape(f->file, name, dims);
    int lead = f->sweep ? 1 : 0;
    if (rank < 1 + lead || rank > 4) return NULL;
    size_t cells = 1;
    for (int d = lead + 1; d < rank; d++) cells *= dims[d];
    *per_week = cells;
    size_t n = cells * (size_t)f->n_weeks;
    float *buf = malloc(n * sizeof *buf + 1);
    hid_t ds = buf ? H5Dopen2(f->file, name, H5P_DEFAULT) : -1;
    hid_t sp = ds < 0 ? -1 : H5Dget_space(ds);
    herr_t rc = sp < 0 ? -1 : 0;
    hid_t mem = -1;
    if (rc >= 0 && lead) {
        hsize_t start[5] = {(hsize_t)i, 0, 0, 0, 0}, count[5];
        memcpy(count, dims, sizeof count);
        count[0] = 1;
        rc = H5Sselect_hyperslab(sp, H5S_SELECT_SET, start, NULL, count, NULL);
        hsize_t flat_n = n;
        mem = H5Screate_simple(1, &flat_n, NULL);
    }
    if (rc >= 0 && dims[lead] != (hsize_t)f->n_weeks) rc = -1;
    if (rc >= 0) rc = H5Dread(ds, H5T_NATIVE_FLOAT, lead ? mem : H5S_ALL, lead ? sp : H5S_ALL, H5P_DEFAULT, buf);
    if (mem >= 0) H5Sclose(mem);
    if (sp >= 0) H5Sclose(sp);
    if (ds >= 0) H5Dclose(ds);
    if (rc < 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* The chosen weeks: indices into the file's week axis. */
typedef struct weeks {
    int *idx, n, from, to;
} weeks;

/* The group (0-based) of neighbourhood b when there are n_groups. */
static int area_group_of(const cmp_file *f, int b, int n_groups)
{
    return n_groups == 10 ? f->decile[b] - 1 : (f->decile[b] - 1) / 2;
}

/* Member i's value of metric m in every (deprivation group, cell):
 * out[g * cells + c]; by_area is area_groups(): 0 for no grouping. */
static cw_status member_summary(const cmp_file *f, int m, int i, const weeks *w, int by_area, double *out,
                                int *n_cells, cmp_err *e)
{
    size_t per_week = 0, pw_pop = 0;
    const metric_info *mi = &metrics_table[m];
    float *x = read_block(f, mi->name, i, &per_week);
    float *pop = mi->area ? NULL : read_block(f, "population", i, &pw_pop);
    if (!x || (!mi->area && !pop)) {
        free(x), free(pop);
        return fail(e, CW_EIO, "%s: cannot read %s (member %d)", f->path, mi->name, i);
    }
    int nb = mi->area ? 1 : f->n_nbhd, cells = (int)(per_week / (size_t)nb), groups = by_area ? by_area : 1;
    *n_cells = cells;
    /* an area breakdown by group: a week whose group has no residents is no figure */
    enum breakdown group = group_of(mi->bd);
    size_t pw_res = 0;
    float *res = NULL;
    if (mi->area && by_breakdown_of(group)) {
        char name[64];
        snprintf(name, sizeof name, "area_residents_by_%s", breakdowns[group].dim);
        res = read_block(f, name, i, &pw_res);
    }
    int per_group = group != mi->bd ? N_SECTORS : 1;
    for (int k = 0; k < groups * cells; k++) out[k] = 0;
    for (int g = 0; g < groups; g++)
        for (int c = 0; c < cells; c++) {
            double sum = 0;
            int used = 0;
            for (int t = 0; t < w->n; t++) {
                const float *xw = x + (size_t)w->idx[t] * per_week;
                double num = 0, den = 0;
                if (res && res[(size_t)w->idx[t] * pw_res + (size_t)(c / per_group)] <= 0) continue;
                for (int b = 0; b < nb; b++) {
                    if (by_area && area_group_of(f, b, by_area) != g) continue;
                    double wt = mi->area ? 1.0 : pop[(size_t)w->idx[t] * pw_pop + (size_t)b];
                    num += wt * xw[(size_t)b * (size_t)cells + (size_t)c];
                    den += wt;
                }
                if (den > 0) sum += num / den, used++;
            }
            out[g * cells + c] = used ? sum / used : NAN;
        }
    free(x), free(pop), free(res);
    return CW_OK;
}

/* ---- pairing -------------------------------------------------------------------------------- */

typedef struct pairing {
    int *base, *policy, n;   /* member indices                              */
    const cmp_file **bfile, **pfile; /* the file of each pair's members; NULL: one
                                        baseline and one policy file          */
    int by_seed;
} pairing;

/* Complete members of base set bm[nb] and policy set pm[np]: by seed where
 * seeds match, else by replicate number. */
static int pair_members(const cmp_file *bf, const int *bm, int nb, const cmp_file *pf, const int *pm, int np,
                        pairing *out)
{
    out->base = malloc((size_t)(np ? np : 1) * sizeof *out->base);
    out->policy = malloc((size_t)(np ? np : 1) * sizeof *out->policy);
    out->n = 0;
    out->bfile = out->pfile = NULL;
    if (!out->base || !out->policy) return -1;
    for (int pass = 0; pass < 2 && out->n == 0; pass++) {
        out->by_seed = pass == 0;
        for (int j = 0; j < np; j++) {
            int p = pm[j];
            if (!pf->complete[p]) continue;
            for (int k = 0; k < nb; k++) {
                int b = bm[k];
                if (!bf->complete[b]) continue;
                int match = pass == 0 ? bf->seed[b] == pf->seed[p] : bf->replicate[b] == pf->replicate[p];
                if (match) {
                    out->base[out->n] = b, out->policy[out->n] = p, out->n++;
                    break;
                }
            }
        }
    }
    return 0;
}

static void pairing_free(pairing *p)
{
    free(p->base);
    free(p->policy);
    free(p->bfile);
    free(p->pfile);
}

/* ---- the comparison ------------------------------------------------------------------------ */

static cw_status add_row(cw_comparison *c, const cw_compare_row *row)
{
    cw_compare_row *g = realloc(c->rows, (size_t)(c->n_rows + 1) * sizeof *g);
    if (!g) return CW_ENOMEM;
    c->rows = g;
    c->rows[c->n_rows++] = *row;
    return CW_OK;
}

static const char *const default_metrics[] = {"left_out_rate", "isolated_rate", "lonely_rate", "wellbeing_mean",
                                              "trust_services_share", "formal_volunteering_rate"};

/* Rows of metric m for one pairing: one per (deprivation group, cell), or
 * one "all residents" row when all_residents. */
static cw_status metric_rows(const cmp_file *bf, const cmp_file *pf, const pairing *pr, int m, int row_metric,
                             const weeks *w, int by_area, int all_residents, const char *label, const char *base_label,
                             cw_comparison *out, cmp_err *e)
{
    cw_status st = CW_OK;
    if (metrics_table[m].area) by_area = 0; /* an area breakdown: its cells are the groups */
    int cells = 1, groups = by_area ? by_area : 1, by_group = by_breakdown_of(group_of(metrics_table[m].bd));
    const char *gname = by_area == 10 ? "decile" : "fifth";
    size_t cap = 10 * 64; /* groups x cells, enough for every breakdown */
    double *bv = malloc((size_t)pr->n * cap * sizeof *bv), *pv = malloc((size_t)pr->n * cap * sizeof *pv);
    if (!bv || !pv) st = CW_ENOMEM;
    for (int i = 0; st == CW_OK && i < pr->n; i++) {
        const cmp_file *bfi = pr->bfile ? pr->bfile[i] : bf, *pfi = pr->pfile ? pr->pfile[i] : pf;
        st = member_summary(bfi, m, pr->base[i], w, by_area, bv + (size_t)i * cap, &cells, e);
        if (st == CW_OK) st = member_summary(pfi, m, pr->policy[i], w, by_area, pv + (size_t)i * cap, &cells, e);
    }
    for (int g = 0; st == CW_OK && g < groups; g++)
        for (int c = 0; st == CW_OK && c < cells; c++) {
            cw_compare_row row = {.n = pr->n, .paired_by_seed = pr->by_seed};
            snprintf(row.policy, sizeof row.policy, "%s", label);
            snprintf(row.baseline, sizeof row.baseline, "%s", base_label);
            snprintf(row.metric, sizeof row.metric, "%s", metrics_table[row_metric].name);
            snprintf(row.unit, sizeof row.unit, "%s", metrics_table[m].unit);
            char cl[48];
            cell_label(metrics_table[m].bd, c, cl, sizeof cl);
            if (all_residents)
                snprintf(row.group, sizeof row.group, "all residents");
            else if (by_area && metrics_table[m].bd != BD_NONE)
                snprintf(row.group, sizeof row.group, "%s %d, %s", gname, g + 1, cl);
            else if (by_area)
                snprintf(row.group, sizeof row.group, "%s %d", gname, g + 1);
            else snprintf(row.group, sizeof row.group, "%s", cl);
            double sb = 0, sp = 0, sd = 0, ss = 0;
            int n = 0;
            for (int i = 0; i < pr->n; i++) {
                double b = bv[(size_t)i * cap + (size_t)g * (size_t)cells + (size_t)c], p = pv[(size_t)i * cap + (size_t)g * (size_t)cells + (size_t)c];
                if (isnan(b) || isnan(p)) continue;
                sb += b, sp += p, sd += p - b, n++;
            }
            row.n = n;
            row.baseline_mean = n ? sb / n : NAN;
            row.policy_mean = n ? sp / n : NAN;
            row.difference = n ? sd / n : NAN;
            for (int i = 0; i < pr->n; i++) {
                double b = bv[(size_t)i * cap + (size_t)g * (size_t)cells + (size_t)c], p = pv[(size_t)i * cap + (size_t)g * (size_t)cells + (size_t)c];
                if (!isnan(b) && !isnan(p)) ss += (p - b - row.difference) * (p - b - row.difference);
            }
            if (n == 0 && (by_area || by_group)) continue; /* a group with no residents */
            row.ci_low = row.ci_high = NAN;
            if (n >= 2) {
                double half = cw_t_quantile(0.975, n - 1) * sqrt(ss / (n - 1) / n);
                row.ci_low = row.difference - half;
                row.ci_high = row.difference + half;
            }
            st = add_row(out, &row);
        }
    free(bv), free(pv);
    return st;
}

/* Rows for one (baseline members, policy members) pairing, every metric;
 * all[k] >= 0: first an "all residents" row of that metric. */
static cw_status compare_pairs(const cmp_file *bf, const cmp_file *pf, const pairing *pr, const int *metric,
                               const int *all, int n_metrics, const weeks *w, int by_area, const char *label,
                               const char *base_label, cw_comparison *out, cmp_err *e)
{
    cw_status st = CW_OK;
    for (int k = 0; st == CW_OK && k < n_metrics; k++) {
        if (all[k] >= 0)
            st = metric_rows(bf, pf, pr, all[k], metric[k], w, 0, 1, label, base_label, out, e);
        if (st == CW_OK) st = metric_rows(bf, pf, pr, metric[k], metric[k], w, by_area, 0, label, base_label, out, e);
    }
    return st;
}

static cw_status choose_weeks(const cmp_file *f, const cw_compare_options *opt, weeks *w, cmp_err *e)
{
    w->idx = malloc((size_t)f->n_weeks * sizeof *w->idx);
    if (!w->idx) return CW_ENOMEM;
    int first = f->week[0], last = f->week[f->n_weeks - 1];
    cw_compare_options o = *opt; /* an open end ("52:", ":103") is the file's end */
    if (o.has_weeks && o.week_from <= -1000000) o.week_from = first;
    if (o.has_weeks && o.week_to >= 1000000) o.week_to = last;
    opt = &o;
    if (opt->has_weeks && opt->week_from > opt->week_to)
        return fail(e, CW_EINVAL, "--weeks %d:%d is empty: A must not be after B", opt->week_from, opt->week_to);
    if (opt->has_weeks && (opt->week_from < first || opt->week_to > last))
        return fail(e, CW_EINVAL, "--weeks %d:%d is outside the files' weeks %d..%d (negative weeks are the burn-in)",
                    opt->week_from, opt->week_to, first, last);
    w->n = 0;
    for (int t = 0; t < f->n_weeks; t++) {
        int in = opt->has_weeks ? f->week[t] >= opt->week_from && f->week[t] <= opt->week_to : !f->burn_in[t];
        if (in) w->idx[w->n++] = t;
    }
    if (!w->n) return fail(e, CW_EINVAL, "%s has no weeks after the burn-in: use --weeks", f->path);
    w->from = f->week[w->idx[0]];
    w->to = f->week[w->idx[w->n - 1]];
    return CW_OK;
}

/* The metrics to compare, and for each the metric of its "all residents"
 * row (-1: none, when there is no breakdown). */
static cw_status resolve_metrics(const cw_compare_options *opt, int *metric, int *all, int *n, cmp_err *e)
{
    *n = 0;
    int explicit = opt->metrics && opt->n_metrics > 0;
    int count = explicit ? opt->n_metrics : (int)(sizeof default_metrics / sizeof default_metrics[0]);
    for (int k = 0; k < count && *n < 64; k++) {
        const char *name = explicit ? opt->metrics[k] : default_metrics[k];
        int m = resolve_metric(name, opt->by, e);
        if (m < 0 && explicit) return CW_EINVAL;
        if (m < 0) continue;
        int whole = metrics_find(name);
        all[*n] = opt->by == CW_BY_NONE ? -1
                  : whole >= 0 && metrics_table[whole].bd == BD_NONE ? whole
                  : area_groups(opt->by) && !metrics_table[m].area ? m : -1;
        metric[(*n)++] = m;
    }
    e->buf[0] = '\0';
    if (!*n) return fail(e, CW_EINVAL, "no default metric has a %s breakdown: name one with --metric",
                         breakdowns[by_breakdown(opt->by)].dim);
    return CW_OK;
}

static cw_status check_levers(const char *a, const char *b, const char *an, const char *bn, int force,
                              cw_comparison *out, cmp_err *e)
{
    char bad[1024] = "", levers[1024] = "";
    int n_bad = scenario_diff(a, b, bad, sizeof bad, levers, sizeof levers);
    if (n_bad && !force)
        return fail(e, CW_EINVAL,
                    "%s and %s differ in more than the levers (policy.*, investment.*, funding.*, crisis.*, "
                    "partnership.*, privatisation.*, business.* and the timeline): %s; use --force to compare anyway",
                    an, bn, bad);
    if (levers[0]) append(out->notes, sizeof out->notes, "levers that differ: %s\n", levers);
    if (n_bad) append(out->notes, sizeof out->notes, "WARNING (--force): non-lever differences: %s\n", bad);
    return CW_OK;
}

/* Two files, each one design point (a run, or a sweep of replicates). */
static cw_status compare_files(cmp_file *bf, cmp_file *pf, const cw_compare_options *opt, const int *metric,
                               const int *all, int n_metrics, const weeks *w, cw_comparison *out, cmp_err *e)
{
    for (int s = 0; s < 2; s++) {
        cmp_file *f = s ? pf : bf;
        if (f->n_points > 1)
            return fail(e, CW_EINVAL, "%s has %d design points: compare within it with --baseline 'PATH=VALUE'",
                        f->path, f->n_points);
    }
    if (bf->n_weeks != pf->n_weeks || bf->n_nbhd != pf->n_nbhd || bf->week[0] != pf->week[0])
        return fail(e, CW_EINVAL, "%s and %s have different weeks or neighbourhoods: they cannot be paired", bf->path,
                    pf->path);
    cw_status st = check_levers(bf->scenario[0], pf->scenario[0], bf->path, pf->path, opt->force, out, e);
    if (st != CW_OK) return st;
    int *bm = malloc((size_t)bf->n_members * sizeof *bm), *pm = malloc((size_t)pf->n_members * sizeof *pm);
    if (!bm || !pm) {
        free(bm), free(pm);
        return CW_ENOMEM;
    }
    for (int i = 0; i < bf->n_members; i++) bm[i] = i;
    for (int i = 0; i < pf->n_members; i++) pm[i] = i;
    pairing pr;
    st = pair_members(bf, bm, bf->n_members, pf, pm, pf->n_members, &pr) < 0 ? CW_ENOMEM : CW_OK;
    if (st == CW_OK && pr.n == 0) st = fail(e, CW_EINVAL, "%s and %s have no complete members to pair", bf->path, pf->path);
    if (st == CW_OK && !pr.by_seed)
        append(out->notes, sizeof out->notes,
               "no seeds match: paired by replicate number (independent runs, so wider intervals)\n");
    if (st == CW_OK) st = compare_pairs(bf, pf, &pr, metric, all, n_metrics, w, area_groups(opt->by), "", "", out, e);
    pairing_free(&pr);
    free(bm), free(pm);
    return st;
}

/* "investment.mode=patient, investment.amount=10" for point p (member i). */
static void point_label(const cmp_file *f, int i, const int *skip, char *buf, size_t n)
{
    buf[0] = '\0';
    for (int j = 0; j < f->n_varied; j++) {
        if (skip && skip[j]) continue;
        double v = f->values[(size_t)j * (size_t)f->n_members + (size_t)i];
        int k = (int)v;
        if (f->n_choices[j] && v == k && k >= 0 && k < f->n_choices[j])
            append(buf, n, "%s%s=%s", buf[0] ? ", " : "", f->varied[j], f->choices[j][k]);
        else
            append(buf, n, "%s%s=%g", buf[0] ? ", " : "", f->varied[j], v);
    }
}

/* --baseline "path=value[,path=value]": the condition on each varied parameter. */
static cw_status parse_baseline(const cmp_file *f, const char *text, int *cond, double *want, cmp_err *e)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", text);
    for (int j = 0; j < f->n_varied; j++) cond[j] = 0;
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ') tok++;
        char *eq = strchr(tok, '=');
        if (!eq) return fail(e, CW_EINVAL, "--baseline '%s': expected PATH=VALUE, e.g. investment.mode=none", text);
        *eq = '\0';
        char *val = eq + 1, *end = eq;
        while (end > tok && end[-1] == ' ') *--end = '\0';
        while (*val == ' ') val++;
        int j = 0;
        while (j < f->n_varied && strcmp(f->varied[j], tok) != 0) j++;
        if (j == f->n_varied) {
            char list[512] = "";
            for (int k = 0; k < f->n_varied; k++) append(list, sizeof list, "%s%s", k ? ", " : "", f->varied[k]);
            return fail(e, CW_EINVAL, "--baseline: %s is not varied in %s (varied: %s)", tok, f->path,
                        f->n_varied ? list : "nothing");
        }
        cond[j] = 1;
        int k = 0;
        while (k < f->n_choices[j] && strcmp(f->choices[j][k], val) != 0) k++;
        if (k < f->n_choices[j]) {
            want[j] = k;
            continue;
        }
        char *stop;
        want[j] = strtod(val, &stop);
        if (stop == val || *stop) {
            if (!strcmp(val, "true")) want[j] = 1;
            else if (!strcmp(val, "false")) want[j] = 0;
            else return fail(e, CW_EINVAL, "--baseline: %s = '%s' is not one of its values", tok, val);
        }
    }
    return CW_OK;
}

static int same_value(double a, double b) { return fabs(a - b) <= 1e-9 * (fabs(a) + fabs(b) + 1e-300); }

/* Within one sweep: each non-baseline point against the baseline point that
 * agrees with it on every varied parameter the baseline does not fix. */
static cw_status compare_within(cmp_file *f, const cw_compare_options *opt, const int *metric, const int *all,
                                int n_metrics, const weeks *w, cw_comparison *out, cmp_err *e)
{
    int cond[64];
    double want[64];
    if (f->n_varied > 64) return fail(e, CW_EINVAL, "%s varies too many parameters", f->path);
    cw_status st = parse_baseline(f, opt->baseline, cond, want, e);
    if (st != CW_OK) return st;
    int n = f->n_members, *first = malloc((size_t)f->n_points * sizeof *first);
    int *bm = malloc((size_t)n * sizeof *bm), *pm = malloc((size_t)n * sizeof *pm);
    if (!first || !bm || !pm) {
        free(first), free(bm), free(pm);
        return CW_ENOMEM;
    }
    for (int p = 0; p < f->n_points; p++) first[p] = -1;
    for (int i = 0; i < n; i++)
        if (f->point[i] >= 0 && f->point[i] < f->n_points && first[f->point[i]] < 0) first[f->point[i]] = i;
    int is_base[4096] = {0}, any_base = 0, compared = 0;
    if (f->n_points > 4096) st = fail(e, CW_EINVAL, "%s: too many design points to compare (%d)", f->path, f->n_points);
    for (int p = 0; st == CW_OK && p < f->n_points; p++) {
        is_base[p] = first[p] >= 0;
        for (int j = 0; is_base[p] && j < f->n_varied; j++)
            if (cond[j] && !same_value(f->values[(size_t)j * (size_t)n + (size_t)first[p]], want[j])) is_base[p] = 0;
        any_base |= is_base[p];
    }
    if (st == CW_OK && !any_base) st = fail(e, CW_EINVAL, "--baseline '%s' matches no design point of %s", opt->baseline, f->path);
    for (int p = 0; st == CW_OK && p < f->n_points; p++) {
        if (is_base[p] || first[p] < 0) continue;
        int b = -1;
        for (int q = 0; q < f->n_points && b < 0; q++) {
            if (!is_base[q]) continue;
            int agree = 1;
            for (int j = 0; j < f->n_varied && agree; j++)
                if (!cond[j]) agree = same_value(f->values[(size_t)j * (size_t)n + (size_t)first[p]], f->values[(size_t)j * (size_t)n + (size_t)first[q]]);
            if (agree) b = q;
        }
        char label[256];
        point_label(f, first[p], NULL, label, sizeof label);
        if (b < 0) {
            append(out->notes, sizeof out->notes, "skipped %s: no baseline point with its other values\n", label);
            continue;
        }
        int nb = 0, np = 0;
        for (int i = 0; i < n; i++) {
            if (f->point[i] == b) bm[nb++] = i;
            if (f->point[i] == p) pm[np++] = i;
        }
        char bad[1024] = "", levers[1024] = "";
        if (scenario_diff(f->scenario[first[b]], f->scenario[first[p]], bad, sizeof bad, levers, sizeof levers) &&
            !opt->force) {
            st = fail(e, CW_EINVAL, "%s: the baseline and %s differ in more than the levers: %s; use --force", f->path,
                      label, bad);
            break;
        }
        pairing pr;
        if (pair_members(f, bm, nb, f, pm, np, &pr) < 0) st = CW_ENOMEM;
        if (st == CW_OK && pr.n > 0) {
            if (!pr.by_seed && !compared)
                append(out->notes, sizeof out->notes,
                       "no seeds match (common_random_numbers: false): paired by replicate number\n");
            char base_label[256];
            point_label(f, first[b], NULL, base_label, sizeof base_label);
            st = compare_pairs(f, f, &pr, metric, all, n_metrics, w, area_groups(opt->by), label, base_label, out, e);
            compared++;
        }
        pairing_free(&pr);
    }
    if (st == CW_OK && !compared) st = fail(e, CW_EINVAL, "%s: no design point besides the baseline has complete members to compare", f->path);
    free(first), free(bm), free(pm);
    return st;
}

cw_status cw_compare(const char *base, const char *policy, const cw_compare_options *opt, cw_comparison *out,
                     char *err, size_t errlen)
{
    cmp_err e = {err, errlen};
    memset(out, 0, sizeof *out);
    err[0] = '\0';
    cmp_file bf = {.file = -1}, pf = {.file = -1};
    H5E_auto2_t func;
    void *data;
    H5Eget_auto2(H5E_DEFAULT, &func, &data);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    int metric[64], all[64], n_metrics = 0;
    weeks w = {0};
    cw_status st = resolve_metrics(opt, metric, all, &n_metrics, &e);
    if (st == CW_OK && !policy && !opt->baseline)
        st = fail(&e, CW_EINVAL, "compare needs BASE.h5 and POLICY.h5, or one sweep file and --baseline 'PATH=VALUE'");
    if (st == CW_OK && policy && opt->baseline)
        st = fail(&e, CW_EINVAL, "--baseline selects within one sweep file: give one file, not two");
    if (st == CW_OK) st = file_open(&bf, base, &e);
    if (st == CW_OK && policy) st = file_open(&pf, policy, &e);
    if (st == CW_OK && !policy && !bf.sweep)
        st = fail(&e, CW_EINVAL, "%s is a run file: --baseline selects design points within a sweep file", base);
    if (st == CW_OK) st = choose_weeks(&bf, opt, &w, &e);
    if (st == CW_OK) {
        out->week_from = w.from;
        out->week_to = w.to;
        st = policy ? compare_files(&bf, &pf, opt, metric, all, n_metrics, &w, out, &e)
                    : compare_within(&bf, opt, metric, all, n_metrics, &w, out, &e);
    }
    if (st == CW_ENOMEM && !err[0]) snprintf(err, errlen, "out of memory");
    free(w.idx);
    file_close(&bf);
    file_close(&pf);
    H5Eclear2(H5E_DEFAULT);
    H5Eset_auto2(H5E_DEFAULT, func, data);
    if (st != CW_OK) cw_comparison_free(out);
    return st;
}

void cw_comparison_free(cw_comparison *c)
{
    free(c->rows);
    c->rows = NULL;
    c->n_rows = 0;
}

/* ---- replicate run files -------------------------------------------------------------------- */

/* Same scenario but for run.seed? */
static int same_scenario(const char *a, const char *b)
{
    char bad[64] = "", levers[64] = "";
    return scenario_diff(a, b, bad, sizeof bad, levers, sizeof levers) == 0 && !levers[0];
}

cw_status cw_compare_runs(const char *const *paths, int n, const cw_compare_options *opt, cw_comparison *out,
                          char *err, size_t errlen)
{
    if (n == 2 || (n == 1 && opt->baseline)) return cw_compare(paths[0], n == 2 ? paths[1] : NULL, opt, out, err, errlen);
    cmp_err e = {err, errlen};
    memset(out, 0, sizeof *out);
    err[0] = '\0';
    if (n < 2) return fail(&e, CW_EINVAL, "compare needs BASE.h5 and POLICY.h5, or one sweep file and --baseline 'PATH=VALUE'");
    if (opt->baseline) return fail(&e, CW_EINVAL, "--baseline selects within one sweep file: give one file, not %d", n);
    cmp_file *fs = calloc((size_t)n, sizeof *fs);
    int *group = calloc((size_t)n, sizeof *group), *used = calloc((size_t)n, sizeof *used);
    pairing pr = {0};
    weeks w = {0};
    int metric[64], all[64], n_metrics = 0, n_base = 0, n_pol = 0, first_pol = -1;
    if (!fs || !group || !used) {
        free(fs), free(group), free(used);
        return fail(&e, CW_ENOMEM, "out of memory");
    }
    for (int i = 0; i < n; i++) fs[i].file = -1;
    H5E_auto2_t func;
    void *data;
    H5Eget_auto2(H5E_DEFAULT, &func, &data);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    cw_status st = resolve_metrics(opt, metric, all, &n_metrics, &e);
    for (int i = 0; st == CW_OK && i < n; i++) {
        st = file_open(&fs[i], paths[i], &e);
        if (st == CW_OK && fs[i].sweep)
            st = fail(&e, CW_EINVAL, "%s is a sweep file: with more than two files give run files (replicates), or "
                      "compare within a sweep with --baseline", paths[i]);
        if (st == CW_OK && (fs[i].n_weeks != fs[0].n_weeks || fs[i].n_nbhd != fs[0].n_nbhd || fs[i].week[0] != fs[0].week[0]))
            st = fail(&e, CW_EINVAL, "%s and %s have different weeks or neighbourhoods: they cannot be paired", paths[0],
                      paths[i]);
    }
    /* the baseline is every run of paths[0]'s scenario; the rest must be one policy */
    for (int i = 0; st == CW_OK && i < n; i++) {
        group[i] = !same_scenario(fs[0].scenario[0], fs[i].scenario[0]);
        if (group[i] && first_pol < 0) first_pol = i;
        if (group[i] && !same_scenario(fs[first_pol].scenario[0], fs[i].scenario[0]))
            st = fail(&e, CW_EINVAL, "%s and %s are different policies (their scenarios differ in more than the seed): "
                      "compare one policy with the baseline at a time", paths[first_pol], paths[i]);
        if (group[i]) n_pol++;
        else n_base++;
    }
    if (st == CW_OK && !n_pol)
        st = fail(&e, CW_EINVAL, "all %d files are runs of one scenario (they differ only in run.seed): give the "
                  "baseline's runs and the policy's runs", n);
    if (st == CW_OK) st = check_levers(fs[0].scenario[0], fs[first_pol].scenario[0], paths[0], paths[first_pol],
                                       opt->force, out, &e);
    if (st == CW_OK) st = choose_weeks(&fs[0], opt, &w, &e);
    if (st == CW_OK) {
        out->week_from = w.from;
        out->week_to = w.to;
        pr.base = malloc((size_t)n * sizeof *pr.base);
        pr.policy = malloc((size_t)n * sizeof *pr.policy);
        pr.bfile = malloc((size_t)n * sizeof *pr.bfile);
        pr.pfile = malloc((size_t)n * sizeof *pr.pfile);
        if (!pr.base || !pr.policy || !pr.bfile || !pr.pfile) st = fail(&e, CW_ENOMEM, "out of memory");
    }
    /* pair by seed where seeds match; else in the order given */
    for (int pass = 0; st == CW_OK && pass < 2; pass++) {
        pr.n = 0;
        pr.by_seed = pass == 0;
        memset(used, 0, (size_t)n * sizeof *used);
        for (int j = 0; j < n; j++) {
            if (!group[j]) continue;
            int b = -1;
            for (int i = 0; i < n && b < 0; i++) {
                if (group[i] || used[i]) continue;
                if (pass == 0 ? fs[i].seed[0] == fs[j].seed[0] : 1) b = i;
            }
            if (b < 0) continue;
            used[b] = 1;
            pr.bfile[pr.n] = &fs[b], pr.pfile[pr.n] = &fs[j];
            pr.base[pr.n] = 0, pr.policy[pr.n] = 0;
            pr.n++;
        }
        if (pass == 0 && pr.n > 0) break; /* seeds that match pair; the rest are left out (noted) */
    }
    if (st == CW_OK && !pr.by_seed)
        append(out->notes, sizeof out->notes,
               "seeds do not match: %d baseline and %d policy runs paired in the order given (independent runs, so "
               "wider intervals)\n", n_base, n_pol);
    if (st == CW_OK && n_base != n_pol)
        append(out->notes, sizeof out->notes, "%d baseline and %d policy runs: %d pairs used\n", n_base, n_pol, pr.n);
    if (st == CW_OK)
        st = compare_pairs(&fs[0], &fs[first_pol], &pr, metric, all, n_metrics, &w, area_groups(opt->by), "", "", out, &e);
    if (st == CW_ENOMEM && !err[0]) snprintf(err, errlen, "out of memory");
    pairing_free(&pr);
    free(w.idx);
    for (int i = 0; i < n; i++) file_close(&fs[i]);
    free(fs), free(group), free(used);
    H5Eclear2(H5E_DEFAULT);
    H5Eset_auto2(H5E_DEFAULT, func, data);
    if (st != CW_OK) cw_comparison_free(out);
    return st;
}
