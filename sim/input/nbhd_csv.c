/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * The neighbourhood CSV reader (format in nbhd_csv.h).
 *
 * The file is read whole, then taken a line at a time: a quoted field
 * ends on its own line, so an unclosed quote is reported where it is
 * rather than swallowing the rest of the file. Fields are unescaped in
 * place. Names are unique within a local authority (ward names repeat
 * across LAs); two hash sets, keyed by LA name and by (LA, name), keep
 * that check linear for the ~33,000 LSOAs of England.
 *
 * This is input parsing, not simulation state: plain malloc/free.
 */
#include "nbhd_csv.h"

#include "textdist.h"
#include "params.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CSV_MAX_BYTES ((size_t)256 << 20)
#define CSV_CLIP 60 /* user text quoted in messages */
#define CSV_NO_LA_NAME "LA 1"

#if defined(__GNUC__)
#define CSV_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define CSV_PRINTF(f, a)
#endif

/* The columns, in the order the header may name them. */
enum csv_column { COL_NAME, COL_LA, COL_POPULATION, COL_DEPRIVATION, COL_SPACE_QUALITY, COL_CODE, COL_LA_CODE,
                  N_COLUMNS };
static const char *const column_names[N_COLUMNS] = {"name", "la", "population", "deprivation", "space_quality",
                                                    "code", "la_code"};
static const bool column_required[N_COLUMNS] = {true, false, true, true, false, false, false};

/* A hash set of row (or LA) indices; -1 marks an empty slot. */
typedef struct csv_set {
    int32_t *slot;
    size_t mask;
} csv_set;

typedef struct csv_reader {
    const char *path;
    char *text;                /* the whole file, NUL-terminated        */
    size_t len, pos;
    int line;                  /* of the line last taken                */
    char **field;              /* the current line's fields             */
    int n_field, cap_field;
    int col[N_COLUMNS];        /* field index of each column, or -1     */
    int n_col;                 /* fields in the header                  */
    int *row_line;             /* [rows] line of each row, for messages */
    int *la_line;              /* [LAs] line that gave each LA's code    */
    int from;                  /* enum nbhd_deprivation_from             */
    csv_set las, rows, codes;
    char *err;
    size_t errlen;
} csv_reader;

/* ---- messages -------------------------------------------------------------- */

CSV_PRINTF(3, 4)
static cw_status fail_line(csv_reader *r, int line, const char *fmt, ...)
{
    int k = snprintf(r->err, r->errlen, "%s:%d: ", r->path, line);
    if (k >= 0 && (size_t)k < r->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->err + k, r->errlen - (size_t)k, fmt, ap);
        va_end(ap);
    }
    for (char *s = r->err; *s; s++)
        if ((unsigned char)*s < 0x20) *s = ' ';
    return CW_EINVAL;
}

static const char *clip(const char *text, char *buf, size_t n)
{
    if (strlen(text) <= CSV_CLIP) return text;
    snprintf(buf, n, "%.*s...", CSV_CLIP, text);
    return buf;
}

/* ---- reading ------------------------------------------------------------------ */

/* Read all of f into r->text (NUL-terminated). Returns 0 or an errno value. */
static int read_stream(csv_reader *r, FILE *f)
{
    size_t cap = 1 << 16;
    if (!(r->text = malloc(cap))) return ENOMEM;
    for (;;) {
        r->len += fread(r->text + r->len, 1, cap - 1 - r->len, f);
        if (ferror(f)) return errno ? errno : EIO;
        if (r->len < cap - 1) break;
        if (cap >= CSV_MAX_BYTES) return EFBIG;
        char *grown = realloc(r->text, 2 * cap);
        if (!grown) return ENOMEM;
        r->text = grown;
        cap *= 2;
    }
    r->text[r->len] = '\0';
    return 0;
}

static int read_whole(csv_reader *r)
{
    FILE *f = fopen(r->path, "rb");
    if (!f) return errno;
    int e = read_stream(r, f);
    fclose(f);
    return e;
}

/* The next line that is neither blank nor a '#' comment, NUL-terminated in
 * place without its line ending; NULL at the end of the file. */
static char *next_line(csv_reader *r)
{
    while (r->pos < r->len) {
        char *s = r->text + r->pos, *nl = memchr(s, '\n', r->len - r->pos);
        size_t n = nl ? (size_t)(nl - s) : r->len - r->pos;
        r->pos += nl ? n + 1 : n; /* a last line without '\n' ends at len, not past it */
        r->line++;
        if (n && s[n - 1] == '\r') n--;
        s[n] = '\0';
        size_t lead = strspn(s, " \t");
        if (s[lead] != '\0' && s[lead] != '#') return s;
    }
    return NULL;
}

static bool push_field(csv_reader *r, char *f)
{
    if (r->n_field == r->cap_field) {
        int cap = r->cap_field ? 2 * r->cap_field : 8;
        char **g = realloc(r->field, (size_t)cap * sizeof *g);
        if (!g) return false;
        r->field = g;
        r->cap_field = cap;
    }
    r->field[r->n_field++] = f;
    return true;
}

/* A double-quoted field starting at *p (the quote): unescape "" in place.
 * Leaves *p after the closing quote and any spaces. */
static cw_status quoted_field(csv_reader *r, char **p, char **field)
{
    char *in = *p + 1, *out = *p;
    *field = out;
    for (;;) {
        if (*in == '\0')
            return fail_line(r, r->line, "unterminated quoted field (a closing \" is missing)");
        if (*in == '"' && in[1] != '"') break;
        if (*in == '"') in++;
        *out++ = *in++;
    }
    in += 1 + strspn(in + 1, " \t");
    if (*in != ',' && *in != '\0')
        return fail_line(r, r->line, "text after a closing quote (write \"\" for a quote inside a field)");
    *out = '\0';   /* out < in: the separator is still there */
    *p = in;
    return CW_OK;
}

/* Split line into r->field, trimming spaces around unquoted fields. */
static cw_status split_line(csv_reader *r, char *line)
{
    r->n_field = 0;
    char *p = line;
    for (;;) {
        char *field, sep;
        p += strspn(p, " \t");
        if (*p == '"') {
            cw_status st = quoted_field(r, &p, &field);
            if (st != CW_OK) return st;
            sep = *p;
        } else {
            field = p;
            p += strcspn(p, ",");
            sep = *p; /* the trim below may overwrite it */
            char *end = p;
            while (end > field && (end[-1] == ' ' || end[-1] == '\t')) end--;
            *end = '\0';
        }
        if (!push_field(r, field)) return CW_ENOMEM;
        if (sep != ',') return CW_OK;
        p++;
    }
}

/* ---- the header ---------------------------------------------------------------- */

static cw_status unknown_column(csv_reader *r, const char *name)
{
    char c[CSV_CLIP + 4];
    size_t best = (size_t)-1;
    int near = -1;
    for (int k = 0; k < N_COLUMNS; k++) {
        size_t d = text_edit_distance(name, column_names[k], 63, 0);
        if (d < best) best = d, near = k;
    }
    if (near >= 0 && best <= 1 + strlen(column_names[near]) / 4)
        return fail_line(r, r->line, "unknown column '%s' (did you mean '%s'?)", clip(name, c, sizeof c),
                         column_names[near]);
    return fail_line(r, r->line,
                     "unknown column '%s': expected name, population, deprivation, code, la, la_code or space_quality",
                     clip(name, c, sizeof c));
}

/* Which field holds which column (names are case-insensitive). */
static cw_status map_header(csv_reader *r)
{
    for (int k = 0; k < N_COLUMNS; k++) r->col[k] = -1;
    for (int i = 0; i < r->n_field; i++) {
        const char *name = r->field[i];
        if (name[0] == '\0') return fail_line(r, r->line, "header field %d has no column name", i + 1);
        int k = 0;
        while (k < N_COLUMNS && strcasecmp(name, column_names[k]) != 0) k++;
        if (k == N_COLUMNS) return unknown_column(r, name);
        if (r->col[k] >= 0) return fail_line(r, r->line, "column '%s' appears twice in the header", column_names[k]);
        r->col[k] = i;
    }
    for (int k = 0; k < N_COLUMNS; k++)
        if (column_required[k] && r->col[k] < 0)
            return fail_line(r, r->line, "missing column '%s' (required: name, population, deprivation)",
                             column_names[k]);
    if (r->col[COL_LA_CODE] >= 0 && r->col[COL_LA] < 0)
        return fail_line(r, r->line, "column 'la_code' without a column 'la' (the local authority's name)");
    r->n_col = r->n_field;
    return CW_OK;
}

/* ---- hash sets ---------------------------------------------------------------- */

static size_t hash_text(const char *s, uint64_t h)
{
    h ^= 14695981039346656037ULL; /* FNV-1a */
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return (size_t)(h ^ (h >> 29));
}

static bool set_init(csv_set *s, size_t items)
{
    size_t cap = 16;
    while (cap < 2 * items) cap *= 2;
    s->slot = malloc(cap * sizeof *s->slot);
    if (!s->slot) return false;
    memset(s->slot, 0xff, cap * sizeof *s->slot); /* every slot -1 */
    s->mask = cap - 1;
    return true;
}

/* The slot holding LA name s, or the empty slot where it belongs. */
static size_t la_slot(const csv_set *set, char *const *la_name, const char *s)
{
    size_t i = hash_text(s, 0) & set->mask;
    while (set->slot[i] >= 0 && strcmp(la_name[set->slot[i]], s) != 0) i = (i + 1) & set->mask;
    return i;
}

/* The slot holding the row named s in LA la, or the empty slot for it. */
static size_t row_slot(const csv_set *set, const nbhd_csv *t, int32_t la, const char *s)
{
    size_t i = hash_text(s, (uint64_t)la) & set->mask;
    while (set->slot[i] >= 0 && (t->la[set->slot[i]] != la || strcmp(t->name[set->slot[i]], s) != 0))
        i = (i + 1) & set->mask;
    return i;
}

/* ---- rows --------------------------------------------------------------------- */

static cw_status parse_population(csv_reader *r, const char *text, int64_t *out)
{
    char c[CSV_CLIP + 4];
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (text[0] < '0' || text[0] > '9' || *end != '\0' || errno == ERANGE || v < 1)
        return fail_line(r, r->line, "column 'population': '%s' is not a whole number >= 1", clip(text, c, sizeof c));
    /* the range of population.residents_per_neighbourhood, which a row
     * stands for: it also keeps any number of rows' total far from wrapping */
    const param_info *pi = params_find("population.residents_per_neighbourhood");
    if (pi && (v < (long long)pi->min || v > (long long)pi->max))
        return fail_line(r, r->line, "column 'population': %lld is outside [%.0f, %.0f] residents (the range of "
                         "population.residents_per_neighbourhood)", v, pi->min, pi->max);
    *out = v;
    return CW_OK;
}

/* A fraction in [0, 1] for column k; hint says how to rescale. */
static cw_status parse_unit(csv_reader *r, int k, const char *text, const char *hint, double *out)
{
    char c[CSV_CLIP + 4];
    char *end;
    double v = strtod(text, &end);
    if (text[0] == '\0' || *end != '\0' || !isfinite(v))
        return fail_line(r, r->line, "column '%s': '%s' is not a number in [0, 1]", column_names[k],
                         clip(text, c, sizeof c));
    if (v < 0 || v > 1)
        return fail_line(r, r->line, "column '%s': %s is outside [0, 1]: %s", column_names[k], clip(text, c, sizeof c),
                         hint);
    *out = v;
    return CW_OK;
}

/* The deprivation column as population.deprivation_from declares it: a
 * value in [0, 1], or a rank or score kept as read (rescaled once the whole
 * file is read, by rescale_deprivation). */
static cw_status parse_deprivation(csv_reader *r, const char *text, double *out)
{
    char c[CSV_CLIP + 4];
    char *end;
    if (r->from == NBHD_DEPRIVATION_RANK) {
        errno = 0;
        long long v = strtoll(text, &end, 10);
        if (text[0] < '0' || text[0] > '9' || *end != '\0' || errno == ERANGE || v < 1)
            return fail_line(r, r->line,
                             "column 'deprivation': '%s' is not a rank (a whole number >= 1, 1 the most deprived: "
                             "population.deprivation_from is rank)", clip(text, c, sizeof c));
        *out = (double)v;
        return CW_OK;
    }
    if (r->from == NBHD_DEPRIVATION_SCORE) {
        double v = strtod(text, &end);
        if (text[0] == '\0' || *end != '\0' || !isfinite(v))
            return fail_line(r, r->line,
                             "column 'deprivation': '%s' is not a score (a number, higher the more deprived: "
                             "population.deprivation_from is score)", clip(text, c, sizeof c));
        *out = v;
        return CW_OK;
    }
    return parse_unit(r, COL_DEPRIVATION, text,
                      "rescale to [0, 1] with 1 the most deprived, or declare population.deprivation_from: rank "
                      "(ranks, 1 the most deprived) or score (scores, higher the more deprived) and the program "
                      "rescales it", out);
}

/* The index of LA name s, adding it on first appearance; its code (when
 * the file has a la_code column) must be the same on every row. */
static cw_status intern_la(csv_reader *r, nbhd_csv *t, const char *s, int32_t *out)
{
    char c[CSV_CLIP + 4], c2[CSV_CLIP + 4];
    const char *code = t->la_code ? r->field[r->col[COL_LA_CODE]] : NULL;
    if (code && code[0] == '\0') return fail_line(r, r->line, "column 'la_code': empty local-authority code");
    size_t i = la_slot(&r->las, t->la_name, s);
    if (r->las.slot[i] < 0) {
        char *copy = strdup(s);
        if (!copy) return CW_ENOMEM;
        t->la_name[t->n_la] = copy;
        if (code) {
            if (!(t->la_code[t->n_la] = strdup(code))) return CW_ENOMEM;
            r->la_line[t->n_la] = r->line;
        }
        r->las.slot[i] = t->n_la++;
    } else if (code && strcmp(t->la_code[r->las.slot[i]], code) != 0) {
        int la = r->las.slot[i];
        return fail_line(r, r->line, "column 'la_code': '%s' for local authority '%s', which line %d gave as '%s'",
                         clip(code, c, sizeof c), clip(s, c2, sizeof c2), r->la_line[la], t->la_code[la]);
    }
    *out = r->las.slot[i];
    return CW_OK;
}

/* The neighbourhood's code, unique in the file (la_slot serves: it finds a
 * string in an array of strings). */
static cw_status row_code(csv_reader *r, nbhd_csv *t, int row)
{
    char c[CSV_CLIP + 4];
    if (!t->code) return CW_OK;
    const char *code = r->field[r->col[COL_CODE]];
    if (code[0] == '\0') return fail_line(r, r->line, "column 'code': empty code");
    size_t i = la_slot(&r->codes, t->code, code);
    if (r->codes.slot[i] >= 0)
        return fail_line(r, r->line, "column 'code': duplicate code '%s' (first on line %d)", clip(code, c, sizeof c),
                         r->row_line[r->codes.slot[i]]);
    if (!(t->code[row] = strdup(code))) return CW_ENOMEM;
    r->codes.slot[i] = row;
    return CW_OK;
}

static cw_status row_name(csv_reader *r, nbhd_csv *t, int row)
{
    char c[CSV_CLIP + 4];
    const char *name = r->field[r->col[COL_NAME]];
    if (name[0] == '\0') return fail_line(r, r->line, "column 'name': empty name");
    size_t i = row_slot(&r->rows, t, t->la[row], name);
    if (r->rows.slot[i] >= 0)
        return fail_line(r, r->line, "column 'name': duplicate name '%s'%s (first on line %d)",
                         clip(name, c, sizeof c), t->n_la > 1 ? " in its LA" : "", r->row_line[r->rows.slot[i]]);
    if (!(t->name[row] = strdup(name))) return CW_ENOMEM;
    r->rows.slot[i] = row;
    return CW_OK;
}

static cw_status row_la(csv_reader *r, nbhd_csv *t, int row)
{
    if (r->col[COL_LA] < 0) {
        t->la[row] = 0;
        return CW_OK;
    }
    const char *la = r->field[r->col[COL_LA]];
    if (la[0] == '\0') return fail_line(r, r->line, "column 'la': empty local-authority name");
    return intern_la(r, t, la, &t->la[row]);
}

/* Parse the current line's fields as row number row. */
static cw_status parse_row(csv_reader *r, nbhd_csv *t, int row)
{
    if (r->n_field != r->n_col)
        return fail_line(r, r->line, "%d fields where the header has %d (a comma inside a field needs \"quotes\")",
                         r->n_field, r->n_col);
    r->row_line[row] = r->line;
    cw_status st = row_la(r, t, row);
    if (st == CW_OK) st = row_name(r, t, row);
    if (st == CW_OK) st = row_code(r, t, row);
    if (st == CW_OK) st = parse_population(r, r->field[r->col[COL_POPULATION]], &t->population[row]);
    if (st == CW_OK) st = parse_deprivation(r, r->field[r->col[COL_DEPRIVATION]], &t->deprivation[row]);
    if (st == CW_OK && t->space_quality)
        st = parse_unit(r, COL_SPACE_QUALITY, r->field[r->col[COL_SPACE_QUALITY]],
                        "rescale to [0, 1] (0 no community space, 1 well-equipped)", &t->space_quality[row]);
    return st;
}

/* ---- the table ------------------------------------------------------------------ */

/* Arrays for at most max rows (and LAs). */
static cw_status alloc_table(csv_reader *r, nbhd_csv *t, size_t max)
{
    t->name = calloc(max, sizeof *t->name);
    t->la = calloc(max, sizeof *t->la);
    t->population = calloc(max, sizeof *t->population);
    t->deprivation = calloc(max, sizeof *t->deprivation);
    t->la_name = calloc(max + 1, sizeof *t->la_name);
    r->row_line = calloc(max, sizeof *r->row_line);
    if (r->col[COL_SPACE_QUALITY] >= 0) t->space_quality = calloc(max, sizeof *t->space_quality);
    if (r->col[COL_CODE] >= 0) t->code = calloc(max, sizeof *t->code);
    if (r->col[COL_LA_CODE] >= 0) {
        t->la_code = calloc(max + 1, sizeof *t->la_code);
        r->la_line = calloc(max + 1, sizeof *r->la_line);
    }
    bool ok = t->name && t->la && t->population && t->deprivation && t->la_name && r->row_line &&
              (r->col[COL_SPACE_QUALITY] < 0 || t->space_quality) && (r->col[COL_CODE] < 0 || t->code) &&
              (r->col[COL_LA_CODE] < 0 || (t->la_code && r->la_line));
    if (!ok || !set_init(&r->las, max) || !set_init(&r->rows, max) || !set_init(&r->codes, max)) return CW_ENOMEM;
    if (r->col[COL_LA] < 0) {
        if (!(t->la_name[0] = strdup(CSV_NO_LA_NAME))) return CW_ENOMEM;
        t->n_la = 1;
    }
    return CW_OK;
}

/* Lines left in the file: a bound on the rows. */
static size_t lines_left(const csv_reader *r)
{
    size_t n = 1;
    for (const char *s = r->text + r->pos; (s = memchr(s, '\n', r->len - (size_t)(s - r->text))) != NULL; s++) n++;
    return n;
}

static cw_status read_header(csv_reader *r)
{
    char *line = next_line(r);
    if (!line)
        return fail_line(r, 1, "empty file: expected a header row (name,population,deprivation, "
                               "optionally la and space_quality)");
    cw_status st = split_line(r, line);
    return st == CW_OK ? map_header(r) : st;
}

static cw_status read_rows(csv_reader *r, nbhd_csv *t)
{
    int header_line = r->line;
    cw_status st = alloc_table(r, t, lines_left(r));
    char *line;
    while (st == CW_OK && (line = next_line(r)) != NULL) {
        st = split_line(r, line);
        if (st == CW_OK) st = parse_row(r, t, t->n);
        t->n++; /* counted even when it failed, so nbhd_csv_free frees its name */
    }
    if (st == CW_OK && t->n == 0)
        return fail_line(r, header_line, "no neighbourhoods: the file has a header row and nothing else");
    return st;
}

/* Ranks as published (standard competition ranking): 1..N over the N
 * rows, tied rows sharing a rank and the next rank skipping the places they
 * take (1, 2, 2, 4), no other gaps; the first row that breaks it is
 * reported. Then (N - r) / (N - 1). */
static cw_status check_ranks(csv_reader *r, const nbhd_csv *t)
{
    static const char rule[] = "ranks run 1..N over the N neighbourhoods, tied ones sharing a rank and the next "
                               "rank skipping their places (1, 2, 2, 4)";
    int n = t->n;
    int *count = calloc((size_t)n + 1, sizeof *count), *first = calloc((size_t)n + 1, sizeof *first);
    cw_status st = count && first ? CW_OK : CW_ENOMEM;
    for (int b = 0; b < n && st == CW_OK; b++) {
        double v = t->deprivation[b];
        if (v > n)
            st = fail_line(r, r->row_line[b],
                           "column 'deprivation': rank %.0f is above %d, the number of neighbourhoods: %s (for "
                           "national ranks of a subset, choose it from the whole table with population.areas, "
                           "or give deprivation in [0, 1])", v, n, rule);
        else if (count[(int)v]++ == 0)
            first[(int)v] = b + 1;
    }
    int below = 0; /* rows ranked before rank k */
    for (int k = 1; k <= n && st == CW_OK; k++) {
        if (count[k] == 0 && below < k) {
            int q = k + 1;
            while (q <= n && count[q] == 0) q++; /* there is one: below < k <= n rows */
            st = fail_line(r, r->row_line[first[q] - 1],
                           "column 'deprivation': rank %d with no neighbourhood ranked %d%s%s: %s", q, k,
                           q - 1 > k ? " or after" : "", q - 1 > k ? " it" : "", rule);
        } else if (count[k] > 0 && below + 1 != k) {
            st = fail_line(r, r->row_line[first[k] - 1],
                           "column 'deprivation': rank %d, but %d neighbourhoods are ranked before it: %s", k, below,
                           rule);
        }
        below += count[k];
    }
    free(count);
    free(first);
    return st;
}

/* Ranks: checked (check_ranks), then (N - r) / (N - 1). Scores: (s - lowest)
 * / (highest - lowest). */
static cw_status rescale_deprivation(csv_reader *r, nbhd_csv *t)
{
    int n = t->n;
    if (r->from == NBHD_DEPRIVATION_RANK) {
        cw_status st = check_ranks(r, t);
        if (st) return st;
        for (int b = 0; b < n; b++) t->deprivation[b] = n > 1 ? (n - t->deprivation[b]) / (n - 1.0) : 0.5;
    } else if (r->from == NBHD_DEPRIVATION_SCORE) {
        double lo = t->deprivation[0], hi = t->deprivation[0];
        for (int b = 1; b < n; b++) {
            if (t->deprivation[b] < lo) lo = t->deprivation[b];
            if (t->deprivation[b] > hi) hi = t->deprivation[b];
        }
        for (int b = 0; b < n; b++) {
            double v = hi > lo ? (t->deprivation[b] - lo) / (hi - lo) : 0.5;
            t->deprivation[b] = v < 0 ? 0 : v > 1 ? 1 : v; /* rounding at the ends */
        }
    }
    return CW_OK;
}

/* Length of the well-formed UTF-8 sequence at s (at most n bytes), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    size_t len = s[0] < 0x80 ? 1 : (s[0] & 0xE0) == 0xC0 && s[0] >= 0xC2 ? 2
               : (s[0] & 0xF0) == 0xE0 ? 3 : (s[0] & 0xF8) == 0xF0 && s[0] <= 0xF4 ? 4 : 0;
    if (len == 0 || len > n) return 0;
    for (size_t k = 1; k < len; k++)
        if ((s[k] & 0xC0) != 0x80) return 0;
    return len;
}

/* A NUL byte, another control character or bytes that are not UTF-8 mean
 * this is not a text file (names would print as garbage); say where. */
static cw_status check_text(csv_reader *r)
{
    const unsigned char *t = (const unsigned char *)r->text;
    int line = 1;
    for (size_t i = r->pos; i < r->len;) {
        unsigned char c = t[i];
        size_t len = utf8_len(t + i, r->len - i);
        if (c == '\0') return fail_line(r, line, "a NUL byte: this is not a text CSV file");
        if ((c < 0x20 && c != '\n' && c != '\r' && c != '\t') || c == 0x7F || len == 0)
            return fail_line(r, line, "byte 0x%02X is not UTF-8 text: this is not a text CSV file", c);
        line += c == '\n';
        i += len;
    }
    return CW_OK;
}

void nbhd_csv_free(nbhd_csv *t)
{
    if (!t) return;
    for (int i = 0; t->name && i < t->n; i++) free(t->name[i]);
    for (int i = 0; t->la_name && i < t->n_la; i++) free(t->la_name[i]);
    for (int i = 0; t->code && i < t->n; i++) free(t->code[i]);
    for (int i = 0; t->la_code && i < t->n_la; i++) free(t->la_code[i]);
    free(t->code);
    free(t->la_code);
    free(t->name);
    free(t->la);
    free(t->population);
    free(t->deprivation);
    free(t->space_quality);
    free(t->la_name);
    memset(t, 0, sizeof *t);
}

cw_status nbhd_csv_read(const char *path, nbhd_csv *out, char *err, size_t errlen)
{
    return nbhd_csv_read_as(path, NBHD_DEPRIVATION_UNIT, out, err, errlen);
}

cw_status nbhd_csv_read_as(const char *path, int from, nbhd_csv *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    csv_reader r = {.path = path, .err = err, .errlen = errlen, .from = from};
    cw_status st = CW_OK;
    int e = read_whole(&r);
    if (e) {
        snprintf(err, errlen, "%s: cannot read: %s", path,
                 e == EFBIG ? "larger than 256 MiB" : strerror(e));
        st = e == ENOMEM ? CW_ENOMEM : CW_EIO;
        goto out_free_reader;
    }
    if (r.len >= 3 && !memcmp(r.text, "\xEF\xBB\xBF", 3)) r.pos = 3; /* UTF-8 byte-order mark */
    st = check_text(&r);
    if (st == CW_OK) st = read_header(&r);
    if (st == CW_OK) st = read_rows(&r, out);
    if (st == CW_OK) st = rescale_deprivation(&r, out);
    if (st == CW_ENOMEM) snprintf(err, errlen, "%s: out of memory", path);
    if (st != CW_OK) nbhd_csv_free(out);
out_free_reader:
    free(r.text);
    free(r.field);
    free(r.row_line);
    free(r.la_line);
    free(r.las.slot);
    free(r.rows.slot);
    free(r.codes.slot);
    return st;
}
