/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * The parameter table and the operations generated from it.
 */
#include "params.h"
#include "jsonw.h"
#include "textdist.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const param_info params_table[] = {
#define PARAM_INT(id, path, flags, def, min, max, unit, doc) \
    {path, PK_INT, (flags), (double)(def), (double)(min), (double)(max), NULL, unit, doc, offsetof(cw_params, id)},
#define PARAM_REAL(id, path, flags, def, min, max, unit, doc) \
    {path, PK_REAL, (flags), def, min, max, NULL, unit, doc, offsetof(cw_params, id)},
#define PARAM_BOOL(id, path, flags, def, doc) \
    {path, PK_BOOL, (flags), def, 0, 1, NULL, "0/1", doc, offsetof(cw_params, id)},
#define PARAM_STR(id, path, flags, def, doc) \
    {path, PK_STR, (flags), 0, 0, 0, def, "text", doc, offsetof(cw_params, id)},
#define PARAM_ENUM(id, path, flags, def, choices, doc) \
    {path, PK_ENUM, (flags), def, 0, 0, choices, "choice", doc, offsetof(cw_params, id)},
#include "params.def"
};
const size_t params_count = sizeof params_table / sizeof params_table[0];

static void *field(cw_params *p, const param_info *pi) { return (char *)p + pi->offset; }
static const void *cfield(const cw_params *p, const param_info *pi)
{
    return (const char *)p + pi->offset;
}

void params_defaults(cw_params *p)
{
    memset(p, 0, sizeof *p);
#define PARAM_INT(id, path, flags, def, min, max, unit, doc) p->id = (int64_t)(def);
#define PARAM_REAL(id, path, flags, def, min, max, unit, doc) p->id = (def);
#define PARAM_BOOL(id, path, flags, def, doc) p->id = (def) != 0;
#define PARAM_STR(id, path, flags, def, doc) snprintf(p->id, sizeof p->id, "%s", def);
#define PARAM_ENUM(id, path, flags, def, choices, doc) p->id = (def);
#include "params.def"
}

/* Number of choices of an enum row ('|'-separated). */
static int enum_count(const param_info *pi)
{
    int n = 1;
    for (const char *c = pi->sdef; *c; c++) n += *c == '|';
    return n;
}

const char *params_enum_name(const param_info *pi, int k, char *buf, size_t n)
{
    const char *c = pi->sdef;
    for (int i = 0; i < k && c; i++) {
        c = strchr(c, '|');
        if (c) c++;
    }
    if (!c || k < 0) {
        snprintf(buf, n, "%d", k);
        return buf;
    }
    snprintf(buf, n, "%.*s", (int)strcspn(c, "|"), c);
    return buf;
}

int params_enum_index(const param_info *pi, const char *name)
{
    char buf[64];
    for (int k = 0; k < enum_count(pi); k++)
        if (strcmp(params_enum_name(pi, k, buf, sizeof buf), name) == 0) return k;
    return -1;
}

/* "a, b or c" for messages and the reference table. */
static void enum_choices(const param_info *pi, char *buf, size_t n)
{
    size_t k = 0;
    int count = enum_count(pi);
    buf[0] = '\0';
    for (int i = 0; i < count && k < n; i++) {
        char name[64];
        params_enum_name(pi, i, name, sizeof name);
        k += (size_t)snprintf(buf + k, n - k, "%s%s", i == 0 ? "" : i == count - 1 ? " or " : ", ", name);
    }
}

const param_info *params_find(const char *path)
{
    for (size_t i = 0; i < params_count; i++)
        if (strcmp(params_table[i].path, path) == 0) return &params_table[i];
    return NULL;
}

static const char *last_component(const char *path)
{
    const char *dot = strrchr(path, '.');
    return dot ? dot + 1 : path;
}

const param_info *params_suggest(const char *path)
{
    const param_info *best = NULL;
    size_t best_d = (size_t)-1;
    for (size_t i = 0; i < params_count; i++) {
        size_t d = text_edit_distance(path, params_table[i].path, 127, 0);
        size_t dl = text_edit_distance(last_component(path), last_component(params_table[i].path), 127, 0);
        if (dl < d && dl <= 2) d = dl + 1; /* right name, wrong section */
        if (d < best_d) {
            best_d = d;
            best = &params_table[i];
        }
    }
    size_t len = strlen(path);
    size_t limit = len < 6 ? 2 : len / 3;
    return best_d <= limit ? best : NULL;
}

bool params_is_setup(const param_info *pi) { return params_has(pi, PF_SETUP); }

void params_describe_range(const param_info *pi, char *buf, size_t n)
{
    switch (pi->kind) {
    case PK_INT:
    case PK_REAL: {
        char lo[32], hi[32];
        snprintf(buf, n, "%s in [%s, %s] %s", pi->kind == PK_INT ? "an integer" : "a number",
                 cw_format_double(pi->min, lo, sizeof lo), cw_format_double(pi->max, hi, sizeof hi), pi->unit);
        break;
    }
    case PK_BOOL:
        snprintf(buf, n, "true or false");
        break;
    case PK_STR:
        snprintf(buf, n, "text of at most %d characters", PARAMS_STR_MAX - 1);
        break;
    case PK_ENUM: {
        char choices[256];
        enum_choices(pi, choices, sizeof choices);
        snprintf(buf, n, "one of %s", choices);
        break;
    }
    }
}

cw_status params_set_number(cw_params *p, const param_info *pi, double v, char *err, size_t errlen)
{
    char range[160];
    params_describe_range(pi, range, sizeof range);
    if (pi->kind == PK_STR) {
        snprintf(err, errlen, "%s expects %s", pi->path, range);
        return CW_EINVAL;
    }
    double max = pi->kind == PK_ENUM ? enum_count(pi) - 1 : pi->max;
    char vt[32];
    cw_format_double(v, vt, sizeof vt);
    if (!isfinite(v) || v < pi->min || v > max) {
        snprintf(err, errlen, "%s = %s is out of range: expected %s", pi->path, vt, range);
        return CW_EINVAL;
    }
    if (pi->kind != PK_REAL && v != floor(v)) {
        snprintf(err, errlen, "%s = %s is not a whole number: expected %s", pi->path, vt, range);
        return CW_EINVAL;
    }
    switch (pi->kind) {
    case PK_INT: *(int64_t *)field(p, pi) = (int64_t)v; break;
    case PK_REAL: *(double *)field(p, pi) = v; break;
    case PK_BOOL: *(bool *)field(p, pi) = v != 0; break;
    case PK_ENUM: *(int *)field(p, pi) = (int)v; break;
    case PK_STR: break;
    }
    return CW_OK;
}

static bool parse_bool(const char *t, bool *out)
{
    static const char *const yes[] = {"true", "True", "TRUE", "yes", "Yes", "on", "On", "1"};
    static const char *const no[] = {"false", "False", "FALSE", "no", "No", "off", "Off", "0"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        if (strcmp(t, yes[i]) == 0) { *out = true; return true; }
        if (strcmp(t, no[i]) == 0) { *out = false; return true; }
    }
    return false;
}

cw_status params_set_text(cw_params *p, const param_info *pi, const char *text, char *err, size_t errlen)
{
    char range[160];
    params_describe_range(pi, range, sizeof range);
    if (pi->kind == PK_STR) {
        if (strlen(text) >= PARAMS_STR_MAX) {
            snprintf(err, errlen, "%s is too long: expected %s", pi->path, range);
            return CW_EINVAL;
        }
        snprintf((char *)field(p, pi), PARAMS_STR_MAX, "%s", text);
        return CW_OK;
    }
    if (pi->kind == PK_ENUM) {
        int k = params_enum_index(pi, text);
        if (k < 0) {
            snprintf(err, errlen, "%s = '%s' is not a choice: expected %s", pi->path, text, range);
            return CW_EINVAL;
        }
        *(int *)field(p, pi) = k;
        return CW_OK;
    }
    if (pi->kind == PK_BOOL) {
        bool b;
        if (!parse_bool(text, &b)) {
            snprintf(err, errlen, "%s = '%s' is not a boolean: expected true or false", pi->path, text);
            return CW_EINVAL;
        }
        *(bool *)field(p, pi) = b;
        return CW_OK;
    }
    char *end = NULL;
    errno = 0;
    double v = strtod(text, &end);
    while (end && isspace((unsigned char)*end)) end++;
    if (end == text || *text == '\0' || (end && *end != '\0') || errno == ERANGE) {
        snprintf(err, errlen, "%s = '%s' is not a number: expected %s", pi->path, text, range);
        return CW_EINVAL;
    }
    if (pi->kind == PK_INT) {
        /* integers beyond 2^53 would lose precision through double */
        if (fabs(v) > 9007199254740991.0) {
            snprintf(err, errlen, "%s = '%s' is out of range: expected %s", pi->path, text, range);
            return CW_EINVAL;
        }
    }
    return params_set_number(p, pi, v, err, errlen);
}

double params_get_number(const cw_params *p, const param_info *pi)
{
    switch (pi->kind) {
    case PK_INT: return (double)*(const int64_t *)cfield(p, pi);
    case PK_REAL: return *(const double *)cfield(p, pi);
    case PK_BOOL: return *(const bool *)cfield(p, pi) ? 1.0 : 0.0;
    case PK_ENUM: return (double)*(const int *)cfield(p, pi);
    case PK_STR: return 0.0;
    }
    return 0.0;
}

/* YAML double-quoted scalar with the escapes YAML needs. */
static void format_quoted(const char *s, char *buf, size_t n)
{
    size_t k = 0;
    if (n < 3) { if (n) buf[0] = '\0'; return; }
    buf[k++] = '"';
    for (; *s && k + 3 < n; s++) {
        if (*s == '"' || *s == '\\') buf[k++] = '\\';
        buf[k++] = *s;
    }
    buf[k++] = '"';
    buf[k] = '\0';
}

void params_format(const cw_params *p, const param_info *pi, char *buf, size_t n)
{
    switch (pi->kind) {
    case PK_INT: snprintf(buf, n, "%" PRId64, *(const int64_t *)cfield(p, pi)); break;
    case PK_REAL: cw_format_double(*(const double *)cfield(p, pi), buf, n); break;
    case PK_BOOL: snprintf(buf, n, "%s", *(const bool *)cfield(p, pi) ? "true" : "false"); break;
    case PK_STR: format_quoted((const char *)cfield(p, pi), buf, n); break;
    case PK_ENUM: params_enum_name(pi, *(const int *)cfield(p, pi), buf, n); break;
    }
}

/* The role words of the flags column, in bit order (params.h). */
static const char *const role_words[] = {"setup", "shape", "seed", "output", "lever", "crisis", "refund"};

/* "setup, shape": pi's roles as words ("" for none). */
static const char *roles_text(const param_info *pi, char *buf, size_t n)
{
    size_t k = 0;
    buf[0] = '\0';
    for (unsigned b = 0; b < sizeof role_words / sizeof role_words[0]; b++)
        if (pi->flags & (1u << b)) {
            int w = snprintf(buf + k, n - k, "%s%s", k ? ", " : "", role_words[b]);
            if (w < 0 || (size_t)w >= n - k) break;
            k += (size_t)w;
        }
    return buf;
}

void cw_params_print_markdown(FILE *fp)
{
    fprintf(fp, "| parameter | type | default | min | max | unit | roles | meaning [source] |\n");
    fprintf(fp, "|---|---|---|---|---|---|---|---|\n");
    static const char *const kinds[] = {"int", "real", "bool", "text", "choice"};
    cw_params def;
    params_defaults(&def);
    for (size_t i = 0; i < params_count; i++) {
        const param_info *pi = &params_table[i];
        char v[PARAMS_STR_MAX + 8];
        params_format(&def, pi, v, sizeof v);
        char lo[32], hi[32], roles[96];
        roles_text(pi, roles, sizeof roles);
        if (pi->kind == PK_INT || pi->kind == PK_REAL)
            fprintf(fp, "| `%s` | %s | %s | %s | %s | %s | %s | %s |\n", pi->path, kinds[pi->kind], v,
                    cw_format_double(pi->min, lo, sizeof lo), cw_format_double(pi->max, hi, sizeof hi), pi->unit,
                    roles, pi->doc);
        else if (pi->kind == PK_ENUM) {
            char choices[256];
            enum_choices(pi, choices, sizeof choices);
            fprintf(fp, "| `%s` | %s | %s | | | %s | %s | %s |\n", pi->path, kinds[pi->kind], v, choices, roles,
                    pi->doc);
        } else
            fprintf(fp, "| `%s` | %s | %s | | | %s | %s | %s |\n", pi->path, kinds[pi->kind], v, pi->unit, roles,
                    pi->doc);
    }
}

/* commonweal params --json: one object per parameter, in the table's order. */
void cw_params_print_json(FILE *fp)
{
    static const char *const kinds[] = {"int", "real", "bool", "text", "choice"};
    cw_params def;
    params_defaults(&def);
    fputs("[\n", fp);
    for (size_t i = 0; i < params_count; i++) {
        const param_info *pi = &params_table[i];
        fputs("  {\"path\": ", fp);
        jsonw_str(fp, pi->path);
        fprintf(fp, ", \"type\": \"%s\", \"default\": ", kinds[pi->kind]);
        const void *v = cfield(&def, pi);
        switch (pi->kind) {
        case PK_INT: fprintf(fp, "%" PRId64, *(const int64_t *)v); break;
        case PK_REAL: jsonw_num(fp, *(const double *)v); break;
        case PK_BOOL: fputs(*(const bool *)v ? "true" : "false", fp); break;
        case PK_STR: jsonw_str(fp, (const char *)v); break;
        case PK_ENUM: {
            char name[64];
            jsonw_str(fp, params_enum_name(pi, *(const int *)v, name, sizeof name));
            break;
        }
        }
        if (pi->kind == PK_INT || pi->kind == PK_REAL) {
            fputs(", \"min\": ", fp);
            jsonw_num(fp, pi->min);
            fputs(", \"max\": ", fp);
            jsonw_num(fp, pi->max);
            fputs(", \"unit\": ", fp);
            jsonw_str(fp, pi->unit);
        }
        if (pi->kind == PK_ENUM) {
            fputs(", \"choices\": [", fp);
            int n = 1;
            for (const char *c = pi->sdef; *c; c++) n += *c == '|';
            for (int k = 0; k < n; k++) {
                char name[64];
                if (k) fputs(", ", fp);
                jsonw_str(fp, params_enum_name(pi, k, name, sizeof name));
            }
            fputc(']', fp);
        }
        fputs(", \"roles\": [", fp);
        for (unsigned b = 0, k = 0; b < sizeof role_words / sizeof role_words[0]; b++)
            if (pi->flags & (1u << b)) {
                if (k++) fputs(", ", fp);
                jsonw_str(fp, role_words[b]);
            }
        fputs("], \"doc\": ", fp);
        jsonw_str(fp, pi->doc);
        fprintf(fp, "}%s\n", i + 1 < params_count ? "," : "");
    }
    fputs("]\n", fp);
}

/* ---- numbers as text, and the levers in words ------------------------------ */

const char *cw_format_double(double v, char *buf, size_t n)
{
    if (!n) return buf;
    if (isnan(v)) return snprintf(buf, n, "nan"), buf;
    if (isinf(v)) return snprintf(buf, n, v < 0 ? "-inf" : "inf"), buf;
    if (v == 0) return snprintf(buf, n, "%s", signbit(v) ? "-0" : "0"), buf;
    int digits = 1;
    for (; digits <= 17; digits++) {
        snprintf(buf, n, "%.*g", digits, v);
        if (strtod(buf, NULL) == v) break;
    }
    /* %g switches to an exponent when digits <= the exponent (520 -> 5.2e+02):
     * write plain decimals, as Python's repr does, between 1e-4 and 1e16 */
    int e = (int)floor(log10(fabs(v)));
    if (strchr(buf, 'e') && e >= -4 && e < 16) snprintf(buf, n, "%.*f", digits - 1 - e > 0 ? digits - 1 - e : 0, v);
    return buf;
}

const lever_text levers_table[] = {
#define LEVER(path, text, scale, choices) {path, text, scale, choices},
#include "lever_text.def"
};
const size_t levers_count = sizeof levers_table / sizeof levers_table[0];

const lever_text *params_lever_text(const char *path)
{
    for (size_t i = 0; i < levers_count; i++)
        if (!strcmp(levers_table[i].path, path)) return &levers_table[i];
    return NULL;
}

void cw_params_print_levers_json(FILE *fp)
{
    cw_params def;
    params_defaults(&def);
    fputs("{\"levers\": [", fp);
    for (size_t i = 0; i < levers_count; i++) {
        const lever_text *lt = &levers_table[i];
        const param_info *pi = params_find(lt->path);
        char v[PARAMS_STR_MAX + 8];
        if (pi) params_format(&def, pi, v, sizeof v);
        fprintf(fp, "%s\n  {\"path\": ", i ? "," : "");
        jsonw_str(fp, lt->path);
        fputs(", \"text\": ", fp);
        jsonw_str(fp, lt->text);
        fputs(", \"scale\": ", fp);
        jsonw_str(fp, lt->scale);
        fputs(", \"choices\": [", fp);
        for (const char *c = lt->choices; *c;) {
            const char *bar = strchr(c, '|');
            size_t len = bar ? (size_t)(bar - c) : strlen(c);
            char word[256];
            snprintf(word, sizeof word, "%.*s", (int)len, c);
            if (c != lt->choices) fputs(", ", fp);
            jsonw_str(fp, word);
            c += len + (bar ? 1 : 0);
        }
        fputs("], \"names\": [", fp); /* an enum's choices as the YAML spells them */
        for (const char *c = pi && pi->kind == PK_ENUM ? pi->sdef : ""; *c;) {
            const char *bar = strchr(c, '|');
            size_t len = bar ? (size_t)(bar - c) : strlen(c);
            char word[256];
            snprintf(word, sizeof word, "%.*s", (int)len, c);
            if (c != pi->sdef) fputs(", ", fp);
            jsonw_str(fp, word);
            c += len + (bar ? 1 : 0);
        }
        fputs("], \"unit\": ", fp);
        jsonw_str(fp, pi ? pi->unit : "");
        fputs(", \"default\": ", fp);
        jsonw_str(fp, pi ? v : "");
        fputc('}', fp);
    }
    fputs("\n]}\n", fp);
}
