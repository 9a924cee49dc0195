/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * Scenarios: YAML -> parameters + timeline, with FILE:LINE:COLUMN errors.
 *
 * A scenario file is one YAML mapping. Its keys follow the dotted paths of
 * params.def, nested (`run:` / `  weeks: 104`) or flat (`run.weeks: 104`),
 * plus two special top-level keys:
 *
 *   base: other.yaml       load that file first (relative to this one)
 *   timeline:              a sequence of changes during the run
 *     - at: 26             reported week (burn-in weeks are negative)
 *       set: {crisis.pandemic_health_multiplier: 3}
 *     - at: 52
 *       crisis: recession  shorthand: crisis.recession on at `at`,
 *       weeks: 26          off again `weeks` later
 *       note: any text     ignored
 *
 * We use libyaml's document API: it gives every node a start mark for
 * messages and resolves anchors and aliases for us. Loading builds a fresh
 * parameter set and timeline in a `loader` and moves them onto the handle
 * only on success, so a failed load leaves the scenario as it was.
 * Whole-scenario checks (timeline weeks inside the run, ...) wait for
 * scenario_validate, after every file and --set has been applied.
 */
#include "scenario.h"

#include "yamlfile.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <yaml.h>

#define SCN_MAX_BASE_DEPTH 16          /* base: chains                      */
#define SCN_MAX_EVENTS 100000          /* bounds alias "billion laughs"     */
#define SCN_MAX_WEEK 1000000           /* |at|, weeks                       */
#define SCN_MAX_PATH 256               /* a dotted parameter path           */
#define SCN_CLIP YF_CLIP               /* user text quoted in messages      */

#if defined(__GNUC__)
#define SCN_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define SCN_PRINTF(f, a)
#endif

/* Where parameters found in a mapping go: onto the scenario's parameters
 * (top level), or into timeline events at the current entry's week. */
typedef enum scn_sink { SINK_PARAMS, SINK_TIMELINE } scn_sink;

/* A file on the base chain, for cycle detection. */
typedef struct scn_link {
    dev_t dev;
    ino_t ino;
    const char *path;
} scn_link;

/* What one cw_scenario_load builds. */
typedef struct scn_loader {
    cw_params params;
    cw_params scratch;            /* timeline values are parsed into this  */
    timeline_event *events;
    size_t n_events, cap_events;
    bool *seen;                   /* [params_count] set in this mapping    */
    yaml_mark_t *seen_at;         /* [params_count] where                  */
    scn_link chain[SCN_MAX_BASE_DEPTH];
    int depth;
    char comment[SCN_COMMENT_MAX];  /* the top-level file's leading comment */
    scn_origin origin[N_TRACKED];   /* where the tracked keys were set       */
    uint32_t origin_seq;
    char err[sizeof ((cw_scenario *)0)->errmsg];
    uint64_t input_dev[SCN_MAX_INPUTS], input_ino[SCN_MAX_INPUTS]; /* every file read */
    int n_inputs;
} scn_loader;

/* One YAML file being applied. */
typedef struct scn_file {
    scn_loader *ld;
    yamlfile y;                  /* path (as named), document, messages   */
    char dir[PARAMS_STR_MAX];    /* its directory ("" for the cwd)        */
    scn_sink sink;
    int32_t week;                /* SINK_TIMELINE: the entry's week       */
    yaml_mark_t week_mark;       /*                and where it was given */
} scn_file;

/* ---- messages (the YAML helpers are shared with the sweep loader: yamlfile.c) ---- */

/* Copy src into dst[n], truncating, always terminated. */
static void copy_text(char *dst, size_t n, const char *src)
{
    size_t len = strlen(src);
    if (len >= n) len = n - 1;
    memcpy(dst, src, len);
    dst[len] = '\0';
}

/* Error at a mark of file f: "FILE:LINE:COLUMN: message". */
SCN_PRINTF(4, 5)
static cw_status fail_at(scn_file *f, yaml_mark_t m, cw_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    yf_vfail_at(&f->y, m, st, fmt, ap);
    va_end(ap);
    return st;
}

/* ---- parameters ---------------------------------------------------------------- */

/* Some parameter lives under path (path + "." is a prefix of its path). */
static bool is_section(const char *path)
{
    size_t n = strlen(path);
    for (size_t i = 0; i < params_count; i++)
        if (strncmp(params_table[i].path, path, n) == 0 && params_table[i].path[n] == '.') return true;
    return false;
}

/* The first parameter in a section, as an example for messages. */
static const char *section_example(const char *path)
{
    size_t n = strlen(path);
    for (size_t i = 0; i < params_count; i++)
        if (strncmp(params_table[i].path, path, n) == 0 && params_table[i].path[n] == '.')
            return params_table[i].path;
    return path;
}

/* "run, population, ..., base or timeline": what a top-level key can be. */
static void top_level_names(char *buf, size_t n)
{
    size_t k = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < params_count; i++) {
        const char *p = params_table[i].path;
        size_t len = strcspn(p, ".");
        bool dup = false;
        for (size_t j = 0; j < i && !dup; j++)
            dup = strncmp(params_table[j].path, p, len) == 0 && strcspn(params_table[j].path, ".") == len;
        if (dup) continue;
        int w = snprintf(buf + k, n - k, "%.*s, ", (int)len, p);
        if (w < 0 || (size_t)w >= n - k) return;
        k += (size_t)w;
    }
    snprintf(buf + k, n - k, "base or timeline");
}

static cw_status unknown_key(scn_file *f, const yaml_node_t *k, const char *path)
{
    char c[SCN_CLIP + 4];
    const param_info *near = params_suggest(path);
    if (near)
        return fail_at(f, k->start_mark, CW_EINVAL, "unknown key '%s' (did you mean '%s'?)",
                       yf_clip(path, c, sizeof c), near->path);
    if (!strchr(path, '.') && f->sink == SINK_PARAMS) {
        char names[512];
        top_level_names(names, sizeof names);
        return fail_at(f, k->start_mark, CW_EINVAL, "unknown key '%s': expected %s", yf_clip(path, c, sizeof c),
                       names);
    }
    return fail_at(f, k->start_mark, CW_EINVAL, "unknown key '%s' (see `commonweal params`)",
                   yf_clip(path, c, sizeof c));
}

/* A relative neighbourhoods CSV is relative to the file that names it. */
static bool is_csv_param(const param_info *pi)
{
    return pi->offset == offsetof(cw_params, population_neighbourhoods_csv);
}

static bool is_areas_param(const param_info *pi) { return pi->offset == offsetof(cw_params, population_areas); }

int scenario_tracked(const param_info *pi)
{
    static const size_t offsets[N_TRACKED] = {
        offsetof(cw_params, population_neighbourhoods_csv), offsetof(cw_params, population_local_authorities),
        offsetof(cw_params, population_neighbourhoods), offsetof(cw_params, population_residents_per_neighbourhood),
        offsetof(cw_params, population_areas), offsetof(cw_params, population_scale),
        offsetof(cw_params, population_deprivation_from)};
    for (int k = 0; k < N_TRACKED; k++)
        if (pi->offset == offsets[k]) return k;
    return -1;
}

/* Record where tracked parameter pi was set (at: "FILE:L:C" or "--set ..."). */
static void note_origin(scn_origin *origin, uint32_t *seq, const param_info *pi, const char *at)
{
    int k = scenario_tracked(pi);
    if (k < 0) return;
    origin[k].seq = ++*seq;
    copy_text(origin[k].at, sizeof origin[k].at, at);
}

/* Store text into the scenario's parameter pi (range-checked). */
static cw_status set_param(scn_file *f, const param_info *pi, const char *text, const yaml_node_t *v)
{
    char msg[512], joined[PARAMS_STR_MAX + 1];
    if (is_csv_param(pi)) {
        if (!yf_join_path(f->dir, text, joined, sizeof joined) || strlen(joined) >= PARAMS_STR_MAX)
            return fail_at(f, v->start_mark, CW_EINVAL, "%s is too long: expected at most %d characters",
                           pi->path, PARAMS_STR_MAX - 1);
        text = joined;
    }
    if (params_set_text(&f->ld->params, pi, text, msg, sizeof msg) != CW_OK)
        return fail_at(f, v->start_mark, CW_EINVAL, "%s", msg);
    char at[SCN_ORIGIN_MAX];
    snprintf(at, sizeof at, "%s:%zu:%zu", f->y.path, v->start_mark.line + 1, v->start_mark.column + 1);
    note_origin(f->ld->origin, &f->ld->origin_seq, pi, at);
    return CW_OK;
}

static cw_status mark_seen(scn_file *f, const param_info *pi, const yaml_node_t *k);

/* population.areas as a YAML list: its items joined with "; " (an item may
 * not hold ';', the separator of the text form). */
static cw_status areas_list(scn_file *f, const param_info *pi, const yaml_node_t *k, const yaml_node_t *v)
{
    char joined[PARAMS_STR_MAX], c[SCN_CLIP + 4];
    size_t len = 0;
    joined[0] = '\0';
    if (v->data.sequence.items.start == v->data.sequence.items.top)
        return fail_at(f, v->start_mark, CW_EINVAL,
                       "%s is an empty list: name at least one area (a local authority's name or code, or "
                       "neighbourhood codes; `commonweal areas` lists them), or leave the key out for every "
                       "neighbourhood", pi->path);
    for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
        const yaml_node_t *item = yf_node(&f->y, *it);
        const char *text = NULL;
        if (item->type != YAML_SCALAR_NODE || yf_is_null(item))
            return fail_at(f, item->start_mark, CW_EINVAL, "%s: each item is an area's name or code, not a %s",
                           pi->path, yf_is_null(item) ? "null" : yf_node_kind(item));
        cw_status st = yf_scalar_text(&f->y, item, &text);
        if (st != CW_OK) return st;
        size_t lead = strspn(text, " \t");
        if (text[lead] == '\0')
            return fail_at(f, item->start_mark, CW_EINVAL, "%s: an empty item (expected an area's name or code)",
                           pi->path);
        if (strchr(text, ';'))
            return fail_at(f, item->start_mark, CW_EINVAL, "%s: '%s' holds a ';', which separates areas",
                           pi->path, yf_clip(text, c, sizeof c));
        int w = snprintf(joined + len, sizeof joined - len, "%s%s", len ? "; " : "", text);
        if (w < 0 || (size_t)w >= sizeof joined - len)
            return fail_at(f, item->start_mark, CW_EINVAL,
                           "%s is too long: at most %d characters in all (choose local authorities rather than "
                           "many neighbourhood codes)", pi->path, PARAMS_STR_MAX - 1);
        len += (size_t)w;
    }
    cw_status st = mark_seen(f, pi, k);
    return st != CW_OK ? st : set_param(f, pi, joined, v);
}

static cw_status push_event(scn_file *f, const param_info *pi, int32_t week, double value,
                            yaml_mark_t at, bool ends_crisis)
{
    scn_loader *ld = f->ld;
    if (ld->n_events >= SCN_MAX_EVENTS)
        return fail_at(f, at, CW_EINVAL, "the timeline has more than %d changes", SCN_MAX_EVENTS);
    if (ld->n_events == ld->cap_events) {
        size_t cap = ld->cap_events ? 2 * ld->cap_events : 16;
        timeline_event *e = realloc(ld->events, cap * sizeof *e);
        if (!e) return fail_at(f, at, CW_ENOMEM, "out of memory");
        ld->events = e;
        ld->cap_events = cap;
    }
    timeline_event *e = &ld->events[ld->n_events++];
    memset(e, 0, sizeof *e);
    e->week = week;
    e->param = (uint32_t)(pi - params_table);
    e->value = value;
    size_t len = strlen(f->y.path);
    copy_text(e->file, sizeof e->file, len < sizeof e->file ? f->y.path : f->y.path + len - (sizeof e->file - 1));
    e->line = (int)at.line + 1;
    e->column = (int)at.column + 1;
    e->ends_crisis = ends_crisis;
    return CW_OK;
}

/* A change of pi to text at the current timeline entry's week. */
static cw_status add_change(scn_file *f, const param_info *pi, const char *text, const yaml_node_t *k,
                            const yaml_node_t *v)
{
    char msg[512];
    if (params_is_setup(pi))
        return fail_at(f, k->start_mark, CW_EINVAL,
                       "%s is a set-up parameter and cannot change on a timeline (set it at the top level)",
                       pi->path);
    if (pi->kind == PK_STR)
        return fail_at(f, k->start_mark, CW_EINVAL, "%s is text and cannot change on a timeline", pi->path);
    if (params_set_text(&f->ld->scratch, pi, text, msg, sizeof msg) != CW_OK)
        return fail_at(f, v->start_mark, CW_EINVAL, "%s", msg);
    return push_event(f, pi, f->week, params_get_number(&f->ld->scratch, pi), f->week_mark, false);
}

/* Record that pi is set at k; a second setting in one mapping (say
 * `run.weeks:` and `run: {weeks:}`) is an error, not a silent override. */
static cw_status mark_seen(scn_file *f, const param_info *pi, const yaml_node_t *k)
{
    size_t i = (size_t)(pi - params_table);
    if (f->ld->seen[i])
        return fail_at(f, k->start_mark, CW_EINVAL, "%s is set twice (first at line %zu, column %zu)", pi->path,
                       f->ld->seen_at[i].line + 1, f->ld->seen_at[i].column + 1);
    f->ld->seen[i] = true;
    f->ld->seen_at[i] = k->start_mark;
    return CW_OK;
}

/* Key k names parameter pi; v is its value. */
static cw_status apply_param(scn_file *f, const param_info *pi, const yaml_node_t *k, const yaml_node_t *v)
{
    char range[160], c[SCN_CLIP + 4];
    params_describe_range(pi, range, sizeof range);
    if (is_areas_param(pi) && v->type == YAML_SEQUENCE_NODE && f->sink == SINK_PARAMS) return areas_list(f, pi, k, v);
    if (v->type != YAML_SCALAR_NODE)
        return fail_at(f, v->start_mark, CW_EINVAL, "%s expects a single value, not a %s: expected %s", pi->path,
                       yf_node_kind(v), range);
    const char *text = NULL;
    cw_status st = yf_scalar_text(&f->y, v, &text);
    if (st != CW_OK) return st;
    if (yf_is_null(v)) {
        if (pi->kind != PK_STR)
            return fail_at(f, v->start_mark, CW_EINVAL, "%s has no value: expected %s", pi->path, range);
        text = "";
    }
    if (pi->kind != PK_STR && strlen(text) > SCN_CLIP)
        return fail_at(f, v->start_mark, CW_EINVAL, "%s = '%s' is too long: expected %s", pi->path,
                       yf_clip(text, c, sizeof c), range);
    if ((st = mark_seen(f, pi, k)) != CW_OK) return st;
    return f->sink == SINK_PARAMS ? set_param(f, pi, text, v) : add_change(f, pi, text, k, v);
}

static cw_status walk_mapping(scn_file *f, const yaml_node_t *m, const char *prefix);

/* Key k names a section (path); v must hold its parameters. */
static cw_status apply_section(scn_file *f, const char *path, const yaml_node_t *v)
{
    char c[SCN_CLIP + 4];
    if (v->type == YAML_MAPPING_NODE) return walk_mapping(f, v, path);
    if (yf_is_null(v)) return CW_OK; /* every entry commented out */
    if (v->type == YAML_SCALAR_NODE)
        return fail_at(f, v->start_mark, CW_EINVAL,
                       "'%s' is a section, not a parameter: expected its parameters beneath it (e.g. %s), not '%s'",
                       path, section_example(path), yf_clip((const char *)v->data.scalar.value, c, sizeof c));
    return fail_at(f, v->start_mark, CW_EINVAL,
                   "'%s' is a section: expected a mapping of its parameters (e.g. %s), not a %s", path,
                   section_example(path), yf_node_kind(v));
}

/* Top-level keys that are not parameters. */
static bool is_special_key(scn_file *f, const char *prefix, const char *key)
{
    return f->sink == SINK_PARAMS && prefix[0] == '\0' && (!strcmp(key, "base") || !strcmp(key, "timeline"));
}

/* Apply each key of mapping m, whose keys extend the dotted path prefix. */
static cw_status walk_mapping(scn_file *f, const yaml_node_t *m, const char *prefix)
{
    char path[SCN_MAX_PATH], c[SCN_CLIP + 4];
    for (const yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        const yaml_node_t *k = yf_node(&f->y, p->key), *v = yf_node(&f->y, p->value);
        const char *key = NULL;
        cw_status st = yf_key_text(&f->y, k, &key);
        if (st == CW_OK) st = yf_check_duplicate(&f->y, m, p);
        if (st != CW_OK) return st;
        if (is_special_key(f, prefix, key)) continue;
        if (!strcmp(key, "<<"))
            return fail_at(f, k->start_mark, CW_EINVAL, "merge keys ('<<') are not supported: write the keys out");
        int n = snprintf(path, sizeof path, "%s%s%s", prefix, prefix[0] ? "." : "", key);
        if (n < 0 || (size_t)n >= sizeof path)
            return fail_at(f, k->start_mark, CW_EINVAL, "unknown key '%s': too long", yf_clip(key, c, sizeof c));
        const param_info *pi = params_find(path);
        if (pi)
            st = apply_param(f, pi, k, v);
        else if (is_section(path))
            st = apply_section(f, path, v);
        else
            st = unknown_key(f, k, path);
        if (st != CW_OK) return st;
    }
    return CW_OK;
}

/* Apply the parameters of mapping m (the top level or a `set:`). */
static cw_status walk_parameters(scn_file *f, const yaml_node_t *m)
{
    memset(f->ld->seen, 0, params_count * sizeof *f->ld->seen);
    return walk_mapping(f, m, "");
}

/* ---- the timeline -------------------------------------------------------------- */

/* The keys of one timeline entry. */
typedef struct scn_entry {
    const yaml_node_t *at, *set, *crisis, *weeks;
} scn_entry;

static cw_status entry_key(scn_file *f, const yaml_node_t *k, const char *key, const yaml_node_t *v, scn_entry *e)
{
    char c[SCN_CLIP + 4];
    if (!strcmp(key, "at")) e->at = v;
    else if (!strcmp(key, "set")) e->set = v;
    else if (!strcmp(key, "crisis")) e->crisis = v;
    else if (!strcmp(key, "weeks")) e->weeks = v;
    else if (strcmp(key, "note") != 0) {
        if (params_find(key) || is_section(key))
            return fail_at(f, k->start_mark, CW_EINVAL, "'%s' in a timeline entry must go under 'set:'",
                           yf_clip(key, c, sizeof c));
        return fail_at(f, k->start_mark, CW_EINVAL,
                       "unknown key '%s' in a timeline entry: expected at, set, crisis, weeks or note",
                       yf_clip(key, c, sizeof c));
    }
    return CW_OK;
}

/* Sort the keys of timeline entry m into e. */
static cw_status entry_keys(scn_file *f, const yaml_node_t *m, scn_entry *e)
{
    memset(e, 0, sizeof *e);
    for (const yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        const yaml_node_t *k = yf_node(&f->y, p->key);
        const char *key = NULL;
        cw_status st = yf_key_text(&f->y, k, &key);
        if (st == CW_OK) st = yf_check_duplicate(&f->y, m, p);
        if (st == CW_OK) st = entry_key(f, k, key, yf_node(&f->y, p->value), e);
        if (st != CW_OK) return st;
    }
    return CW_OK;
}

/* A whole number in [lo, hi] from scalar node v, for key `name`. */
static cw_status whole_value(scn_file *f, const yaml_node_t *v, const char *name, long lo, long hi,
                             const char *what, long *out)
{
    char c[SCN_CLIP + 4];
    if (v->type != YAML_SCALAR_NODE)
        return fail_at(f, v->start_mark, CW_EINVAL, "%s expects %s, not a %s", name, what, yf_node_kind(v));
    const char *t = (const char *)v->data.scalar.value;
    if (!yf_parse_whole(t, lo, hi, out))
        return fail_at(f, v->start_mark, CW_EINVAL, "%s = '%s' is not %s", name, yf_clip(t, c, sizeof c), what);
    return CW_OK;
}

/* A crisis switch's name: the last component of its path. */
static const char *crisis_name(const param_info *pi)
{
    const char *dot = strrchr(pi->path, '.');
    return dot ? dot + 1 : pi->path;
}

/* "pandemic, recession or cost_of_living": the crisis switches (the rows
 * flagged PF_CRISIS in params.def). */
static void crisis_names(char *buf, size_t n)
{
    size_t k = 0, count = 0, total = 0;
    for (size_t i = 0; i < params_count; i++)
        total += params_has(&params_table[i], PF_CRISIS);
    buf[0] = '\0';
    for (size_t i = 0; i < params_count; i++) {
        if (!params_has(&params_table[i], PF_CRISIS)) continue;
        count++;
        const char *sep = count == 1 ? "" : count == total ? " or " : ", ";
        int w = snprintf(buf + k, n - k, "%s%s", sep, crisis_name(&params_table[i]));
        if (w < 0 || (size_t)w >= n - k) return;
        k += (size_t)w;
    }
}

/* The crisis switch called name, or NULL. */
static const param_info *find_crisis(const char *name)
{
    for (size_t i = 0; i < params_count; i++)
        if (params_has(&params_table[i], PF_CRISIS) && !strcmp(crisis_name(&params_table[i]), name))
            return &params_table[i];
    return NULL;
}

static cw_status unknown_crisis(scn_file *f, const yaml_node_t *v, const char *name)
{
    char names[256], c[SCN_CLIP + 4], hint[SCN_MAX_PATH + 32] = "", path[SCN_MAX_PATH];
    snprintf(path, sizeof path, "crisis.%s", name);
    const param_info *near = params_suggest(path);
    if (near && !params_has(near, PF_CRISIS)) near = NULL;
    crisis_names(names, sizeof names);
    if (near) snprintf(hint, sizeof hint, " (did you mean '%s'?)", crisis_name(near));
    return fail_at(f, v->start_mark, CW_EINVAL, "unknown crisis '%s'%s: expected %s", yf_clip(name, c, sizeof c),
                   hint, names);
}

/* `crisis: NAME` with `weeks: N`: on at the entry's week, off N weeks later. */
static cw_status crisis_entry(scn_file *f, const scn_entry *e)
{
    if (e->crisis->type != YAML_SCALAR_NODE)
        return fail_at(f, e->crisis->start_mark, CW_EINVAL, "crisis expects a name, not a %s", yf_node_kind(e->crisis));
    const char *name = NULL;
    cw_status st = yf_scalar_text(&f->y, e->crisis, &name);
    if (st != CW_OK) return st;
    const param_info *pi = find_crisis(name);
    if (!pi) return unknown_crisis(f, e->crisis, name);
    if (!e->weeks)
        return fail_at(f, e->crisis->start_mark, CW_EINVAL, "crisis '%s' has no 'weeks' (how long it lasts)", name);
    long weeks;
    st = whole_value(f, e->weeks, "weeks", 1, SCN_MAX_WEEK, "a whole number of weeks >= 1", &weeks);
    if (st == CW_OK) st = push_event(f, pi, f->week, 1.0, f->week_mark, false);
    if (st == CW_OK) st = push_event(f, pi, f->week + (int32_t)weeks, 0.0, e->weeks->start_mark, true);
    return st;
}

/* One `- at: ...` entry. */
static cw_status timeline_entry(scn_file *f, const yaml_node_t *m)
{
    if (m->type != YAML_MAPPING_NODE)
        return fail_at(f, m->start_mark, CW_EINVAL,
                       "a timeline entry must be a mapping (at: WEEK, then set: or crisis:), not a %s", yf_node_kind(m));
    scn_entry e;
    cw_status st = entry_keys(f, m, &e);
    if (st != CW_OK) return st;
    if (!e.at) return fail_at(f, m->start_mark, CW_EINVAL, "timeline entry has no 'at' (the week it happens)");
    long week;
    st = whole_value(f, e.at, "at", -SCN_MAX_WEEK, SCN_MAX_WEEK, "a whole week number", &week);
    if (st != CW_OK) return st;
    f->week = (int32_t)week;
    f->week_mark = e.at->start_mark;
    if (e.set && e.crisis)
        return fail_at(f, e.crisis->start_mark, CW_EINVAL,
                       "timeline entry has both 'set' and 'crisis': give each its own entry");
    if (e.weeks && !e.crisis)
        return fail_at(f, e.weeks->start_mark, CW_EINVAL, "'weeks' goes with 'crisis' (how long the crisis lasts)");
    if (e.crisis) return crisis_entry(f, &e);
    if (!e.set) return fail_at(f, m->start_mark, CW_EINVAL, "timeline entry has neither 'set' nor 'crisis'");
    if (yf_is_null(e.set)) return CW_OK;
    if (e.set->type != YAML_MAPPING_NODE)
        return fail_at(f, e.set->start_mark, CW_EINVAL,
                       "set expects a mapping of parameters (e.g. crisis.pandemic: true), not a %s",
                       yf_node_kind(e.set));
    return walk_parameters(f, e.set);
}

static cw_status load_timeline(scn_file *f, const yaml_node_t *t)
{
    if (yf_is_null(t)) return CW_OK;
    if (t->type != YAML_SEQUENCE_NODE)
        return fail_at(f, t->start_mark, CW_EINVAL, "timeline must be a sequence of entries ('- at: WEEK'), not a %s",
                       yf_node_kind(t));
    f->sink = SINK_TIMELINE;
    for (const yaml_node_item_t *i = t->data.sequence.items.start; i < t->data.sequence.items.top; i++) {
        cw_status st = timeline_entry(f, yf_node(&f->y, *i));
        if (st != CW_OK) return st;
    }
    return CW_OK;
}

/* ---- files and base chains ----------------------------------------------------- */

static cw_status load_file(scn_loader *ld, const char *path, scn_file *from, const yaml_node_t *from_node);




static cw_status load_base(scn_file *f, const yaml_node_t *v)
{
    char path[PARAMS_STR_MAX];
    if (yf_is_null(v)) return fail_at(f, v->start_mark, CW_EINVAL, "base expects a file name, not nothing");
    if (v->type != YAML_SCALAR_NODE)
        return fail_at(f, v->start_mark, CW_EINVAL, "base expects a file name, not a %s", yf_node_kind(v));
    const char *name = NULL;
    cw_status st = yf_scalar_text(&f->y, v, &name);
    if (st != CW_OK) return st;
    if (!yf_join_path(f->dir, name, path, sizeof path))
        return fail_at(f, v->start_mark, CW_EINVAL, "base file name is too long");
    return load_file(f->ld, path, f, v);
}

/* Apply a parsed document: base first, then parameters, then timeline. */
static cw_status apply_document(scn_file *f)
{
    const yaml_node_t *root = yaml_document_get_root_node(&f->y.doc);
    yaml_mark_t start = {0, 0, 0};
    if (!root || yf_is_null(root)) return fail_at(f, start, CW_EINVAL, "scenario is empty");
    if (root->type != YAML_MAPPING_NODE)
        return fail_at(f, root->start_mark, CW_EINVAL,
                       "a scenario must be a mapping of parameters (key: value lines), not a %s", yf_node_kind(root));
    const yaml_node_t *base = yf_map_value(&f->y, root, "base"), *timeline = yf_map_value(&f->y, root, "timeline");
    cw_status st = CW_OK;
    if (base) st = load_base(f, base);
    f->sink = SINK_PARAMS;
    if (st == CW_OK) st = walk_parameters(f, root);
    if (st == CW_OK && timeline) st = load_timeline(f, timeline);
    return st;
}

/* "a.yaml -> b.yaml -> a.yaml" for a base cycle. */
static cw_status base_cycle(scn_file *from, const yaml_node_t *v, const char *path)
{
    char chain[768] = "";
    size_t k = 0;
    for (int i = 0; i < from->ld->depth && k < sizeof chain; i++) {
        int w = snprintf(chain + k, sizeof chain - k, "%s -> ", from->ld->chain[i].path);
        if (w < 0) break;
        k += (size_t)w;
    }
    if (k < sizeof chain) snprintf(chain + k, sizeof chain - k, "%s", path);
    return fail_at(from, v->start_mark, CW_EINVAL, "base files form a cycle: %s", chain);
}

/* Where a file could not be read: at the base: line that named it, or
 * the file itself for the top-level scenario. */
static cw_status unreadable(scn_loader *ld, const char *path, int e, scn_file *from, const yaml_node_t *v)
{
    const char *why = e == EFBIG ? "larger than 16 MiB: not a scenario" : strerror(e);
    cw_status st = e == ENOMEM ? CW_ENOMEM : CW_EIO;
    if (from) return fail_at(from, v->start_mark, st, "cannot read base file %s: %s", path, why);
    snprintf(ld->err, sizeof ld->err, "%s: cannot read: %s", path, why);
    yf_one_line(ld->err);
    return st;
}

#define RESOLVED_HEADER "# Commonweal scenario, fully resolved: every parameter, then the timeline."

/* The leading comment of text into out[n]: its lines that start with '#',
 * and blank lines between them, up to the first other line; whole lines
 * only (a comment longer than n - 1 bytes is cut at a line's end), with
 * trailing blank and bare '#' lines dropped, each line ending in '\n', and
 * the resolved header (RESOLVED_HEADER) left out. */
static void leading_comment(const char *text, size_t len, char *out, size_t n)
{
    size_t k = 0, keep = 0; /* bytes written; bytes up to the last '#' line */
    size_t i = len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3) ? 3 : 0; /* a byte-order mark */
    for (; i < len;) {
        size_t end = i;
        while (end < len && text[end] != '\n') end++;
        size_t a = i, b = end;
        while (b > a && (text[b - 1] == '\r' || text[b - 1] == ' ' || text[b - 1] == '\t')) b--;
        while (a < b && (text[a] == ' ' || text[a] == '\t')) a++;
        bool comment = a < b && text[a] == '#';
        if (a < b && !comment) break;
        /* a resolved scenario read back: its header is written anew */
        if (b - a == strlen(RESOLVED_HEADER) && !memcmp(text + a, RESOLVED_HEADER, b - a)) {
            i = end + 1;
            continue;
        }
        if (k + (b - a) + 2 > n) break;
        memcpy(out + k, text + a, b - a);
        k += b - a;
        out[k++] = '\n';
        if (comment && b - a > 1) keep = k; /* a bare '#' may not end it */
        i = end + 1;
    }
    out[keep] = '\0';
}

/* Read, parse and apply the file at path (named by `base:` node from_node
 * in file from, or the top-level scenario when from is NULL). */
static cw_status load_file(scn_loader *ld, const char *path, scn_file *from, const yaml_node_t *from_node)
{
    char *text = NULL;
    size_t len = 0;
    struct stat sb;
    int e = yf_read_file(path, &text, &len, &sb);
    if (e) return unreadable(ld, path, e, from, from_node);
    cw_status st = CW_OK;
    for (int i = 0; i < ld->depth; i++)
        if (ld->chain[i].dev == sb.st_dev && ld->chain[i].ino == sb.st_ino) {
            st = base_cycle(from, from_node, path);
            goto out_free_text;
        }
    if (ld->depth == SCN_MAX_BASE_DEPTH) {
        st = fail_at(from, from_node->start_mark, CW_EINVAL, "base files nest more than %d deep", SCN_MAX_BASE_DEPTH);
        goto out_free_text;
    }
    if (!from) leading_comment(text, len, ld->comment, sizeof ld->comment);
    scn_file f = {.ld = ld, .y = {.path = path, .err = ld->err, .errlen = sizeof ld->err}};
    yf_dir_of(path, f.dir, sizeof f.dir);
    if ((st = yf_parse(&f.y, text, len, "a scenario")) != CW_OK) goto out_free_text;
    ld->chain[ld->depth++] = (scn_link){sb.st_dev, sb.st_ino, path};
    if (ld->n_inputs < SCN_MAX_INPUTS) {
        ld->input_dev[ld->n_inputs] = (uint64_t)sb.st_dev;
        ld->input_ino[ld->n_inputs++] = (uint64_t)sb.st_ino;
    }
    st = apply_document(&f);
    ld->depth--;
    yaml_document_delete(&f.y.doc);
out_free_text:
    free(text);
    return st;
}

/* ---- sorting -------------------------------------------------------------------- */

/* Stable merge sort by week: within a week, events keep file order (base
 * files first). */
static cw_status sort_events(timeline_event *ev, size_t n)
{
    if (n < 2) return CW_OK;
    timeline_event *tmp = malloc(n * sizeof *tmp);
    if (!tmp) return CW_ENOMEM;
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) tmp[k++] = ev[j].week < ev[i].week ? ev[j++] : ev[i++];
            while (i < mid) tmp[k++] = ev[i++];
            while (j < hi) tmp[k++] = ev[j++];
        }
        memcpy(ev, tmp, n * sizeof *ev);
    }
    free(tmp);
    return CW_OK;
}

/* ---- the public API -------------------------------------------------------------- */

cw_scenario *cw_scenario_new(void)
{
    cw_scenario *sc = calloc(1, sizeof *sc);
    if (sc) params_defaults(&sc->params);
    return sc;
}

void cw_scenario_free(cw_scenario *sc)
{
    if (!sc) return;
    free(sc->events);
    free(sc);
}

const char *cw_scenario_errmsg(const cw_scenario *sc) { return sc ? sc->errmsg : "no scenario"; }

/* Move what ld built onto sc (taking its events). */
static void adopt(cw_scenario *sc, scn_loader *ld, const char *path)
{
    free(sc->events);
    sc->params = ld->params;
    sc->events = ld->events;
    sc->n_events = ld->n_events;
    sc->cap_events = ld->cap_events;
    ld->events = NULL;
    copy_text(sc->path, sizeof sc->path, path);
    memcpy(sc->comment, ld->comment, sizeof sc->comment);
    memcpy(sc->input_dev, ld->input_dev, sizeof sc->input_dev);
    memcpy(sc->input_ino, ld->input_ino, sizeof sc->input_ino);
    sc->n_inputs = ld->n_inputs;
    memcpy(sc->origin, ld->origin, sizeof sc->origin);
    sc->origin_seq = ld->origin_seq;
    sc->errmsg[0] = '\0';
}

/* Loading keeps its state in a heap loader (parameters twice, a message,
 * the base chain): on success it replaces sc's; on failure sc keeps what
 * it held and gets the message. */
cw_status cw_scenario_load(cw_scenario *sc, const char *path)
{
    if (!path) return yf_fail_plain(sc->errmsg, sizeof sc->errmsg, "no scenario file named");
    cw_status st = CW_ENOMEM;
    snprintf(sc->errmsg, sizeof sc->errmsg, "%s: out of memory", path);
    scn_loader *ld = calloc(1, sizeof *ld);
    if (!ld) return st;
    ld->seen = calloc(params_count, sizeof *ld->seen);
    ld->seen_at = calloc(params_count, sizeof *ld->seen_at);
    if (!ld->seen || !ld->seen_at) goto out_free_loader;
    params_defaults(&ld->params);
    params_defaults(&ld->scratch);
    st = load_file(ld, path, NULL, NULL);
    if (st == CW_OK && sort_events(ld->events, ld->n_events) != CW_OK) st = CW_ENOMEM;
    if (st == CW_OK)
        adopt(sc, ld, path);
    else if (ld->err[0])
        copy_text(sc->errmsg, sizeof sc->errmsg, ld->err);
out_free_loader:
    free(ld->events);
    free(ld->seen);
    free(ld->seen_at);
    free(ld);
    return st;
}

/* "path=value", as given to --set. */
cw_status cw_scenario_set(cw_scenario *sc, const char *assignment)
{
    char path[SCN_MAX_PATH], msg[512], abuf[SCN_CLIP + 4];
    char *err = sc->errmsg;
    size_t n = sizeof sc->errmsg;
    if (!assignment) return yf_fail_plain(err, n, "--set: expected PATH=VALUE, e.g. run.weeks=104");
    const char *a = yf_clip(assignment, abuf, sizeof abuf);
    const char *eq = strchr(assignment, '=');
    if (!eq) return yf_fail_plain(err, n, "--set %s: expected PATH=VALUE, e.g. run.weeks=104", a);
    size_t plen = (size_t)(eq - assignment);
    while (plen && assignment[plen - 1] == ' ') plen--;
    size_t skip = strspn(assignment, " ");
    if (plen <= skip || plen - skip >= sizeof path)
        return yf_fail_plain(err, n, "--set %s: expected PATH=VALUE, e.g. run.weeks=104", a);
    memcpy(path, assignment + skip, plen - skip);
    path[plen - skip] = '\0';
    const char *value = eq + 1 + strspn(eq + 1, " ");
    const param_info *pi = params_find(path);
    if (!pi) {
        const param_info *near = params_suggest(path);
        if (is_section(path))
            return yf_fail_plain(err, n, "--set %s: '%s' is a section, not a parameter (e.g. %s)", a, path,
                              section_example(path));
        if (near) return yf_fail_plain(err, n, "--set %s: unknown parameter '%s' (did you mean '%s'?)", a, path, near->path);
        return yf_fail_plain(err, n, "--set %s: unknown parameter '%s' (see `commonweal params`)", a, path);
    }
    if (params_set_text(&sc->params, pi, value, msg, sizeof msg) != CW_OK)
        return yf_fail_plain(err, n, "--set %s: %s", a, msg);
    char at[SCN_ORIGIN_MAX];
    snprintf(at, sizeof at, "--set %s", a);
    note_origin(sc->origin, &sc->origin_seq, pi, at);
    err[0] = '\0';
    return CW_OK;
}

uint64_t cw_scenario_seed(const cw_scenario *sc) { return (uint64_t)sc->params.run_seed; }

/* Seeds are kept to 53 bits, the range of run.seed (exact in a double, so
 * the written scenario reads back): higher bits are dropped. */
void cw_scenario_set_seed(cw_scenario *sc, uint64_t seed)
{
    sc->params.run_seed = (int64_t)(seed & ((UINT64_C(1) << 53) - 1));
}

/* ---- validation ------------------------------------------------------------------- */

/* Remove the implied crisis ends that fall after the run (never reached). */
static void drop_late_crisis_ends(cw_scenario *sc)
{
    size_t k = 0;
    for (size_t i = 0; i < sc->n_events; i++)
        if (!(sc->events[i].ends_crisis && sc->events[i].week >= sc->params.run_weeks))
            sc->events[k++] = sc->events[i];
    sc->n_events = k;
}

static cw_status check_weeks(cw_scenario *sc)
{
    int64_t first = -sc->params.run_burn_in_weeks, last = sc->params.run_weeks - 1;
    for (size_t i = 0; i < sc->n_events; i++) {
        const timeline_event *e = &sc->events[i];
        if (e->week >= first && e->week <= last) continue;
        return yf_fail_plain(sc->errmsg, sizeof sc->errmsg,
                          "%s:%d:%d: week %d is outside the run: weeks go from %lld%s to %lld "
                          "(run.burn_in_weeks = %lld, run.weeks = %lld)",
                          e->file, e->line, e->column, (int)e->week, (long long)first,
                          first < 0 ? " (burn-in)" : "", (long long)last, (long long)sc->params.run_burn_in_weeks,
                          (long long)sc->params.run_weeks);
    }
    return CW_OK;
}

/* Two timeline entries that contradict each other (issue 20): two sets of
 * one parameter in one week (the last won silently), and two crises of one
 * kind that overlap (the first one's end cut the second short). Events are
 * sorted by week, file order within a week. */
static cw_status check_timeline_conflicts(cw_scenario *sc)
{
    for (size_t i = 1; i < sc->n_events; i++) {
        const timeline_event *a = &sc->events[i - 1], *b = &sc->events[i];
        if (a->week == b->week && a->param == b->param && !a->ends_crisis && !b->ends_crisis)
            return yf_fail_plain(sc->errmsg, sizeof sc->errmsg,
                                 "%s:%d:%d: %s is set twice in week %d (also at %s:%d:%d): give one value",
                                 b->file, b->line, b->column, params_table[b->param].path, (int)b->week, a->file,
                                 a->line, a->column);
    }
    /* crises: per parameter, how many are on; within a week, ends before starts */
    int *on = calloc(params_count, sizeof *on);
    const timeline_event **last = calloc(params_count, sizeof *last);
    bool *crisis = calloc(params_count, sizeof *crisis);
    cw_status st = on && last && crisis ? CW_OK : CW_ENOMEM;
    for (size_t i = 0; st == CW_OK && i < sc->n_events; i++)
        if (sc->events[i].ends_crisis) crisis[sc->events[i].param] = true;
    for (size_t i = 0; st == CW_OK && i < sc->n_events;) {
        size_t j = i;
        while (j < sc->n_events && sc->events[j].week == sc->events[i].week) j++;
        for (size_t k = i; k < j; k++)
            if (sc->events[k].ends_crisis && on[sc->events[k].param] > 0) on[sc->events[k].param]--;
        for (size_t k = i; k < j && st == CW_OK; k++) {
            const timeline_event *e = &sc->events[k];
            if (e->ends_crisis || !crisis[e->param] || e->value == 0.0) continue;
            if (on[e->param] > 0)
                st = yf_fail_plain(sc->errmsg, sizeof sc->errmsg,
                                   "%s:%d:%d: %s at week %d overlaps the one that began at %s:%d:%d (week %d): "
                                   "the first one's end would cut it short; make them one crisis, or let one "
                                   "end before the other begins",
                                   e->file, e->line, e->column, params_table[e->param].path, (int)e->week,
                                   last[e->param]->file, last[e->param]->line, last[e->param]->column,
                                   (int)last[e->param]->week);
            on[e->param]++;
            last[e->param] = e;
        }
        i = j;
    }
    free(on);
    free(last);
    free(crisis);
    return st;
}

/* Where tracked key k was set, for a message's prefix. */
static const char *origin_at(const cw_scenario *sc, int k)
{
    if (sc->origin[k].at[0]) return sc->origin[k].at;
    return sc->path[0] ? sc->path : "scenario";
}

/* The keys of a neighbourhoods CSV, and of a synthetic area, each where it
 * applies: a synthetic area's size set after a CSV was named, or a CSV's
 * keys without one, would be ignored; they are refused instead. */
static cw_status check_population_source(cw_scenario *sc)
{
    const cw_params *p = &sc->params;
    char *err = sc->errmsg;
    size_t n = sizeof sc->errmsg;
    if (p->population_neighbourhoods_csv[0]) {
        static const int synthetic[] = {TRACK_LOCAL_AUTHORITIES, TRACK_NEIGHBOURHOODS, TRACK_RESIDENTS};
        static const char *const names[] = {"population.local_authorities", "population.neighbourhoods",
                                            "population.residents_per_neighbourhood"};
        for (int i = 0; i < 3; i++)
            if (sc->origin[synthetic[i]].seq > sc->origin[TRACK_CSV].seq)
                return yf_fail_plain(err, n,
                                     "%s: %s sizes a synthetic area and does not apply with a neighbourhoods CSV "
                                     "(%s gives every neighbourhood and its residents): to run fewer, choose "
                                     "them with population.areas, or fewer residents with population.scale "
                                     "(e.g. 0.1)", origin_at(sc, synthetic[i]), names[i],
                                     p->population_neighbourhoods_csv);
    } else {
        if (p->population_areas[0])
            return yf_fail_plain(err, n,
                                 "%s: population.areas chooses rows of a neighbourhoods CSV, and this scenario "
                                 "has none (set population.neighbourhoods_csv, e.g. to "
                                 "scenarios/data/england-imd2019.csv)", origin_at(sc, TRACK_AREAS));
        if (p->population_scale != 1.0)
            return yf_fail_plain(err, n,
                                 "%s: population.scale shrinks a neighbourhoods CSV, and this scenario has none: "
                                 "a synthetic area is sized by population.residents_per_neighbourhood",
                                 origin_at(sc, TRACK_SCALE));
        if (p->population_deprivation_from != 0)
            return yf_fail_plain(err, n,
                                 "%s: population.deprivation_from says how a neighbourhoods CSV gives "
                                 "deprivation, and this scenario has none", origin_at(sc, TRACK_DEPRIVATION_FROM));
    }
    if (p->population_scale <= 0.0)
        return yf_fail_plain(err, n,
                             "%s: population.scale = %g keeps no residents: expected a fraction above 0 and at "
                             "most 1 (0.1 keeps a tenth of each neighbourhood's residents)",
                             origin_at(sc, TRACK_SCALE), p->population_scale);
    return CW_OK;
}

static cw_status check_population(cw_scenario *sc)
{
    const cw_params *p = &sc->params;
    const char *where = sc->path[0] ? sc->path : "scenario";
    cw_status st = check_population_source(sc);
    if (st) return st;
    if (p->population_deprivation_min > p->population_deprivation_max)
        return yf_fail_plain(sc->errmsg, sizeof sc->errmsg,
                          "%s: population.deprivation_min = %g is above population.deprivation_max = %g", where,
                          p->population_deprivation_min, p->population_deprivation_max);
    if (p->population_age_share_16_29 + p->population_age_share_30_49 + p->population_age_share_50_64 +
            p->population_age_share_65_79 + p->population_age_share_80_plus <= 0)
        return yf_fail_plain(sc->errmsg, sizeof sc->errmsg,
                          "%s: the age shares population.age_share_* are all zero: at least one must be positive",
                          where);
    return CW_OK;
}

cw_status scenario_validate(cw_scenario *sc)
{
    drop_late_crisis_ends(sc);
    cw_status st = check_weeks(sc);
    if (st == CW_OK) st = check_timeline_conflicts(sc);
    if (st == CW_OK) st = check_population(sc);
    if (st == CW_OK) sc->errmsg[0] = '\0';
    return st;
}

/* ---- writing ------------------------------------------------------------------------ */

/* s as a YAML double-quoted scalar, escaping what YAML would fold or reject. */
static void write_quoted(FILE *fp, const char *s)
{
    fputc('"', fp);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') fprintf(fp, "\\%c", ch);
        else if (ch == '\n') fputs("\\n", fp);
        else if (ch == '\t') fputs("\\t", fp);
        else if (ch < 0x20 || ch == 0x7f) fprintf(fp, "\\x%02x", ch);
        else fputc(ch, fp);
    }
    fputc('"', fp);
}

/* population.areas "a; b" as the YAML list ["a", "b"]. */
static void write_areas(FILE *fp, const char *s)
{
    fputc('[', fp);
    for (int first = 1; *s; first = 0) {
        size_t n = strcspn(s, ";");
        while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
        char item[PARAMS_STR_MAX];
        snprintf(item, sizeof item, "%.*s", (int)n, s);
        if (!first) fputs(", ", fp);
        write_quoted(fp, item);
        s += strcspn(s, ";");
        if (*s == ';') s += 1 + strspn(s + 1, " \t");
    }
    fputc(']', fp);
}

static void write_value(FILE *fp, const cw_params *p, const param_info *pi)
{
    char buf[64];
    if (is_areas_param(pi) && *((const char *)p + pi->offset)) {
        write_areas(fp, (const char *)p + pi->offset);
    } else if (pi->kind == PK_STR) {
        write_quoted(fp, (const char *)p + pi->offset);
    } else {
        params_format(p, pi, buf, sizeof buf);
        fputs(buf, fp);
    }
    fputc('\n', fp);
}

/* Row i's component after prefix (length plen) already came up at this
 * level (rows sharing a prefix need not be next to each other). */
static bool component_written(size_t i, size_t plen, size_t clen)
{
    const char *p = params_table[i].path;
    for (size_t j = 0; j < i; j++) {
        const char *q = params_table[j].path;
        if (!strncmp(q, p, plen + clen) && (q[plen + clen] == '.' || q[plen + clen] == '\0')) return true;
    }
    return false;
}

/* The parameters under prefix (ending in '.', or "") as nested YAML. */
static void write_level(FILE *fp, const cw_params *p, const char *prefix, int depth)
{
    size_t plen = strlen(prefix);
    for (size_t i = 0; i < params_count; i++) {
        const char *path = params_table[i].path;
        if (strncmp(path, prefix, plen) != 0) continue;
        size_t clen = strcspn(path + plen, ".");
        if (component_written(i, plen, clen)) continue;
        fprintf(fp, "%*s%.*s:", 2 * depth, "", (int)clen, path + plen);
        if (path[plen + clen] == '\0') {
            fputc(' ', fp);
            write_value(fp, p, &params_table[i]);
        } else {
            char sub[SCN_MAX_PATH];
            snprintf(sub, sizeof sub, "%.*s.", (int)(plen + clen), path);
            fputc('\n', fp);
            write_level(fp, p, sub, depth + 1);
        }
    }
}

static void write_event(FILE *fp, const timeline_event *e)
{
    const param_info *pi = &params_table[e->param];
    fprintf(fp, "  - at: %d\n    set:\n      %s: ", (int)e->week, pi->path);
    char name[64];
    if (pi->kind == PK_BOOL)
        fputs(e->value != 0 ? "true\n" : "false\n", fp);
    else if (pi->kind == PK_ENUM)
        fprintf(fp, "%s\n", params_enum_name(pi, (int)e->value, name, sizeof name));
    else {
        char v[32];
        fprintf(fp, "%s\n", cw_format_double(e->value, v, sizeof v));
    }
}

cw_status cw_scenario_write_yaml(const cw_scenario *sc, FILE *fp)
{
    if (sc->comment[0]) fprintf(fp, "%s#\n", sc->comment);
    fputs(RESOLVED_HEADER "\n", fp);
    write_level(fp, &sc->params, "", 0);
    bool any = false;
    for (size_t i = 0; i < sc->n_events; i++) {
        const timeline_event *e = &sc->events[i];
        if (e->ends_crisis && e->week >= sc->params.run_weeks) continue; /* never reached */
        if (!any) fputs("timeline:\n", fp);
        any = true;
        write_event(fp, e);
    }
    return ferror(fp) ? CW_EIO : CW_OK;
}
