/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * Real areas (areas.h): choosing rows of the neighbourhood table by
 * population.areas, shrinking them by population.scale, and listing the
 * table's local authorities.
 *
 * An item of population.areas is matched, case-insensitively, against every
 * row's LA code, LA name, neighbourhood code and neighbourhood name; it
 * keeps every row it matches, and must match one. The rows kept stay in
 * file order; their LAs are renumbered in order of first appearance, as
 * the reader numbers them. Input handling, not simulation state: plain
 * malloc/free.
 */
#include "areas.h"

#include "textdist.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define AREAS_CLIP 60
#define AREAS_NEAR 3 /* names offered for a pattern */

static const char *clip(const char *text, char *buf, size_t n)
{
    if (strlen(text) <= AREAS_CLIP) return text;
    snprintf(buf, n, "%.*s...", AREAS_CLIP, text);
    return buf;
}

/* s contains needle, ignoring ASCII case. */
static bool contains(const char *s, const char *needle)
{
    size_t n = strlen(needle);
    for (; *s; s++)
        if (strncasecmp(s, needle, n) == 0) return true;
    return n == 0;
}

/* ---- population.areas ----------------------------------------------------------- */

/* Mark the rows that item names; returns how many. */
static int match_item(const nbhd_csv *t, const char *item, bool *keep)
{
    int hits = 0;
    for (int b = 0; b < t->n; b++) {
        int la = t->la[b];
        bool m = strcasecmp(t->la_name[la], item) == 0 || (t->la_code && strcasecmp(t->la_code[la], item) == 0) ||
                 (t->code && strcasecmp(t->code[b], item) == 0) || strcasecmp(t->name[b], item) == 0;
        if (m) keep[b] = true, hits++;
    }
    return hits;
}

/* The LA name nearest to item: one that contains it, else the closest by
 * edit distance if close enough; NULL if none. */
static const char *nearest_la(const nbhd_csv *t, const char *item)
{
    for (int l = 0; l < t->n_la; l++)
        if (strlen(item) >= 3 && contains(t->la_name[l], item)) return t->la_name[l];
    size_t best = (size_t)-1;
    const char *near = NULL;
    for (int l = 0; l < t->n_la; l++) {
        size_t d = text_edit_distance(item, t->la_name[l], 63, 1);
        if (d < best) best = d, near = t->la_name[l];
    }
    return near && best <= 1 + strlen(near) / 4 ? near : NULL;
}

static cw_status unknown_area(const nbhd_csv *t, const char *item, const char *at, const char *path, char *err,
                              size_t errlen)
{
    char c[AREAS_CLIP + 4];
    const char *near = nearest_la(t, item);
    int k = snprintf(err, errlen, "%s: population.areas: no local authority or neighbourhood named or coded '%s' in %s",
                     at, clip(item, c, sizeof c), path);
    if (k >= 0 && (size_t)k < errlen) {
        if (near) snprintf(err + k, errlen - (size_t)k, " (did you mean '%s'?)", near);
        else snprintf(err + k, errlen - (size_t)k, " (`commonweal areas` lists its local authorities)");
    }
    return CW_EINVAL;
}

/* Keep the rows marked in keep, in order; renumber their LAs. */
static cw_status compact(nbhd_csv *t, const bool *keep)
{
    size_t n_old = (size_t)(t->n_la ? t->n_la : 1);
    int32_t *new_la = malloc(n_old * sizeof *new_la);
    char **names = calloc(n_old + 1, sizeof *names), **codes = t->la_code ? calloc(n_old + 1, sizeof *codes) : NULL;
    if (!new_la || !names || (t->la_code && !codes)) {
        free(new_la);
        free(names);
        free(codes);
        return CW_ENOMEM;
    }
    for (int l = 0; l < t->n_la; l++) new_la[l] = -1;
    int n = 0, n_la = 0;
    for (int b = 0; b < t->n; b++) {
        if (!keep[b]) {
            free(t->name[b]);
            if (t->code) free(t->code[b]);
            continue;
        }
        int32_t la = t->la[b];
        if (new_la[la] < 0) { /* the LA's strings move to the new arrays */
            new_la[la] = n_la;
            names[n_la] = t->la_name[la];
            t->la_name[la] = NULL;
            if (codes) codes[n_la] = t->la_code[la], t->la_code[la] = NULL;
            n_la++;
        }
        t->name[n] = t->name[b];
        if (t->code) t->code[n] = t->code[b];
        t->la[n] = new_la[la];
        t->population[n] = t->population[b];
        t->deprivation[n] = t->deprivation[b];
        if (t->space_quality) t->space_quality[n] = t->space_quality[b];
        n++;
    }
    for (int l = 0; l < t->n_la; l++) { /* the LAs not kept (free(NULL) for those moved) */
        free(t->la_name[l]);
        if (t->la_code) free(t->la_code[l]);
    }
    free(t->la_name);
    free(t->la_code);
    t->la_name = names;
    t->la_code = codes;
    t->n = n;
    t->n_la = n_la;
    free(new_la);
    return CW_OK;
}

static cw_status select_areas(nbhd_csv *t, const char *areas, const char *at, const char *path, char *err,
                              size_t errlen)
{
    char c[AREAS_CLIP + 4];
    bool *keep = calloc((size_t)t->n, sizeof *keep);
    char *list = strdup(areas);
    cw_status st = keep && list ? CW_OK : CW_ENOMEM;
    int items = 0;
    for (char *s = list, *next; st == CW_OK && s; s = next) {
        next = strchr(s, ';');
        if (next) *next++ = '\0';
        s += strspn(s, " \t");
        char *end = s + strlen(s);
        while (end > s && (end[-1] == ' ' || end[-1] == '\t')) *--end = '\0';
        if (*s == '\0') {
            if (!next && items > 0) break; /* a trailing ';' */
            snprintf(err, errlen, "%s: population.areas: an empty item in '%s' (areas are separated by ';')", at,
                     clip(areas, c, sizeof c));
            st = CW_EINVAL;
            break;
        }
        items++;
        if (match_item(t, s, keep) == 0) st = unknown_area(t, s, at, path, err, errlen);
    }
    if (st == CW_OK) st = compact(t, keep);
    if (st == CW_ENOMEM) snprintf(err, errlen, "%s: out of memory choosing population.areas", path);
    free(keep);
    free(list);
    return st;
}

/* ---- population.scale --------------------------------------------------------------- */

static cw_status scale_residents(nbhd_csv *t, double scale, const char *at, char *err, size_t errlen)
{
    int64_t least = INT64_MAX;
    for (int b = 0; b < t->n; b++)
        if (t->population[b] < least) least = t->population[b];
    for (int b = 0; b < t->n; b++) {
        double v = round((double)t->population[b] * scale);
        if (v < 1.0) {
            char c[AREAS_CLIP + 4];
            snprintf(err, errlen,
                     "%s: population.scale = %g leaves neighbourhood '%s' (%lld residents) with none: the smallest "
                     "scale that keeps a resident in every neighbourhood here is %.3g",
                     at, scale, clip(t->name[b], c, sizeof c), (long long)t->population[b], 0.5 / (double)least);
            return CW_EINVAL;
        }
        t->population[b] = (int64_t)v;
    }
    return CW_OK;
}

cw_status areas_load(const cw_params *p, const char *areas_at, const char *scale_at, nbhd_csv *out, char *err,
                     size_t errlen)
{
    const char *path = p->population_neighbourhoods_csv;
    cw_status st = nbhd_csv_read_as(path, p->population_deprivation_from, out, err, errlen);
    if (st) return st;
    if (p->population_areas[0])
        st = select_areas(out, p->population_areas, areas_at && areas_at[0] ? areas_at : "population.areas", path,
                          err, errlen);
    if (!st && p->population_scale != 1.0)
        st = scale_residents(out, p->population_scale, scale_at && scale_at[0] ? scale_at : "population.scale", err,
                             errlen);
    if (st) nbhd_csv_free(out);
    return st;
}

/* ---- commonweal areas ----------------------------------------------------------------- */

typedef struct la_row {
    const char *name, *code;
    int nbhds;
    int64_t residents;
    double deprivation; /* sum, then the mean over neighbourhoods */
} la_row;

static int by_name(const void *a, const void *b)
{
    const la_row *x = a, *y = b;
    int c = strcasecmp(x->name, y->name);
    return c ? c : strcmp(x->name, y->name);
}

static void print_thousands(FILE *fp, int width, int64_t v)
{
    char digits[32], out[48];
    int n = snprintf(digits, sizeof digits, "%lld", (long long)v), k = 0;
    for (int i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0) out[k++] = ',';
        out[k++] = digits[i];
    }
    out[k] = '\0';
    fprintf(fp, "%*s", width, out);
}

cw_status areas_print(const nbhd_csv *t, const char *path, const char *pattern, FILE *fp, char *err,
                      size_t errlen)
{
    la_row *rows = calloc((size_t)(t->n_la ? t->n_la : 1), sizeof *rows);
    if (!rows) {
        snprintf(err, errlen, "out of memory");
        return CW_ENOMEM;
    }
    for (int l = 0; l < t->n_la; l++) rows[l] = (la_row){t->la_name[l], t->la_code ? t->la_code[l] : "", 0, 0, 0.0};
    for (int b = 0; b < t->n; b++) {
        la_row *r = &rows[t->la[b]];
        r->nbhds++;
        r->residents += t->population[b];
        r->deprivation += t->deprivation[b];
    }
    int kept = 0;
    for (int l = 0; l < t->n_la; l++)
        if (!pattern || !pattern[0] || contains(rows[l].name, pattern) || contains(rows[l].code, pattern)) {
            rows[kept] = rows[l];
            rows[kept].deprivation /= rows[kept].nbhds;
            kept++;
        }
    if (kept == 0) {
        char c[AREAS_CLIP + 4];
        const char *near = nearest_la(t, pattern);
        int k = snprintf(err, errlen, "no local authority in %s has '%s' in its name or code", path,
                         clip(pattern, c, sizeof c));
        if (near && k >= 0 && (size_t)k < errlen) snprintf(err + k, errlen - (size_t)k, " (did you mean '%s'?)", near);
        free(rows);
        return CW_EINVAL;
    }
    qsort(rows, (size_t)kept, sizeof *rows, by_name);
    int64_t residents = 0, nbhds = 0;
    fprintf(fp, "# %s: %d of %d local authorities%s%s%s\n", path, kept, t->n_la, pattern && pattern[0] ? " matching '" : "",
            pattern && pattern[0] ? pattern : "", pattern && pattern[0] ? "'" : "");
    fprintf(fp, "%-10s  %-36s  %14s  %12s  %11s\n", "code", "local authority", "neighbourhoods", "residents",
            "deprivation");
    for (int i = 0; i < kept; i++) {
        fprintf(fp, "%-10s  %-36s  %14d  ", rows[i].code, rows[i].name, rows[i].nbhds);
        print_thousands(fp, 12, rows[i].residents);
        fprintf(fp, "  %11.3f\n", rows[i].deprivation);
        residents += rows[i].residents;
        nbhds += rows[i].nbhds;
    }
    fprintf(fp, "# total: %d local authorities, ", kept);
    print_thousands(fp, 0, nbhds);
    fprintf(fp, " neighbourhoods, ");
    print_thousands(fp, 0, residents);
    fprintf(fp, " residents; deprivation: the mean over the neighbourhoods, 0 least .. 1 most deprived\n");
    free(rows);
    return CW_OK;
}
