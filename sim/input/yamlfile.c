/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * YAML files with FILE:LINE:COLUMN messages (yamlfile.h): reading, parsing
 * one document, and the node helpers that the scenario and sweep loaders
 * share.
 */
#include "yamlfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "params.h" /* PARAMS_STR_MAX */

void yf_one_line(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f) *s = ' ';
}

const char *yf_clip(const char *text, char *buf, size_t n)
{
    if (strlen(text) <= YF_CLIP) return text;
    snprintf(buf, n, "%.*s...", YF_CLIP, text);
    return buf;
}

static cw_status vfail(char *err, size_t n, cw_status st, const char *prefix, const char *fmt,
                       va_list ap)
{
    size_t k = (size_t)snprintf(err, n, "%s", prefix);
    if (k < n) vsnprintf(err + k, n - k, fmt, ap);
    yf_one_line(err);
    return st;
}

cw_status yf_vfail_at(yamlfile *f, yaml_mark_t m, cw_status st, const char *fmt, va_list ap)
{
    char prefix[PARAMS_STR_MAX + 48];
    snprintf(prefix, sizeof prefix, "%s:%zu:%zu: ", f->path, m.line + 1, m.column + 1);
    return vfail(f->err, f->errlen, st, prefix, fmt, ap);
}

cw_status yf_fail_at(yamlfile *f, yaml_mark_t m, cw_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    yf_vfail_at(f, m, st, fmt, ap);
    va_end(ap);
    return st;
}

cw_status yf_fail_plain(char *err, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(err, n, CW_EINVAL, "", fmt, ap);
    va_end(ap);
    return CW_EINVAL;
}

const char *yf_node_kind(const yaml_node_t *n)
{
    switch (n->type) {
    case YAML_MAPPING_NODE: return "mapping";
    case YAML_SEQUENCE_NODE: return "sequence";
    default: return "single value";
    }
}

/* ---- reading a file -------------------------------------------------------- */

/* Read all of f (at most YF_MAX_FILE_BYTES). Returns 0 or an errno value. */
static int read_all(FILE *f, char **text, size_t *len)
{
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    if (!buf) return ENOMEM;
    for (;;) {
        n += fread(buf + n, 1, cap - n, f);
        if (ferror(f)) {
            int e = errno ? errno : EIO;
            free(buf);
            return e;
        }
        if (n < cap) break;
        if (cap >= YF_MAX_FILE_BYTES) {
            free(buf);
            return EFBIG;
        }
        char *grown = realloc(buf, cap * 2);
        if (!grown) {
            free(buf);
            return ENOMEM;
        }
        buf = grown;
        cap *= 2;
    }
    *text = buf;
    *len = n;
    return 0;
}

int yf_read_file(const char *path, char **text, size_t *len, struct stat *st)
{
    int is_stdin = strcmp(path, "-") == 0; /* "-": standard input (CLI convention) */
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f) return errno;
    int e = 0;
    if (fstat(fileno(f), st) != 0)
        e = errno;
    else if (S_ISDIR(st->st_mode))
        e = EISDIR;
    else
        e = read_all(f, text, len);
    if (!is_stdin) fclose(f);
    return e;
}

/* The absolute directory of path, so that paths joined to it (the
 * neighbourhood CSV) stay valid when the resolved scenario is written out and
 * read from elsewhere. Falls back to the relative directory if the working
 * directory cannot be read. */
void yf_dir_of(const char *path, char *dir, size_t n)
{
    char rel[PARAMS_STR_MAX] = "";
    const char *slash = strrchr(path, '/');
    if (slash) {
        size_t len = (size_t)(slash - path);
        if (len == 0) len = 1; /* "/x.yaml" lives in "/" */
        if (len >= sizeof rel) len = sizeof rel - 1;
        memcpy(rel, path, len);
        rel[len] = '\0';
    }
    char cwd[PARAMS_STR_MAX / 2];
    if (rel[0] == '/' || !getcwd(cwd, sizeof cwd)) {
        snprintf(dir, n, "%s", rel);
        return;
    }
    if (rel[0] == '\0' || strcmp(rel, ".") == 0)
        snprintf(dir, n, "%s", cwd);
    else
        snprintf(dir, n, "%s/%.*s", cwd, (int)(PARAMS_STR_MAX / 2 - 2), rel);
}

bool yf_join_path(const char *dir, const char *name, char *out, size_t n)
{
    int k;
    if (name[0] == '/' || dir[0] == '\0' || name[0] == '\0')
        k = snprintf(out, n, "%s", name);
    else
        k = snprintf(out, n, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", name);
    return k >= 0 && (size_t)k < n;
}

/* ---- parsing -------------------------------------------------------------------- */

/* Say what libyaml could not parse. A reader error (bad UTF-8, control
 * characters) has only a byte offset: count lines up to it. */
static cw_status yaml_failure(yamlfile *f, const yaml_parser_t *p, const char *text)
{
    if (p->error == YAML_MEMORY_ERROR) return yf_fail_at(f, p->problem_mark, CW_ENOMEM, "out of memory");
    const char *problem = p->problem ? p->problem : "cannot parse";
    if (p->error == YAML_READER_ERROR) {
        yaml_mark_t m = {p->problem_offset, 0, 0};
        for (size_t i = 0; i < p->problem_offset; i++) {
            m.column++;
            if (text[i] == '\n') m.line++, m.column = 0;
        }
        if (p->problem_value != -1)
            return yf_fail_at(f, m, CW_EINVAL, "not valid text: %s (byte 0x%02X)", problem,
                              (unsigned)p->problem_value);
        return yf_fail_at(f, m, CW_EINVAL, "not valid text: %s", problem);
    }
    if (p->context)
        return yf_fail_at(f, p->problem_mark, CW_EINVAL, "YAML syntax error: %s (%s at line %zu, column %zu)",
                          problem, p->context, p->context_mark.line + 1, p->context_mark.column + 1);
    return yf_fail_at(f, p->problem_mark, CW_EINVAL, "YAML syntax error: %s", problem);
}

cw_status yf_parse(yamlfile *f, const char *text, size_t len, const char *what)
{
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p)) {
        yf_fail_plain(f->err, f->errlen, "%s: out of memory", f->path);
        return CW_ENOMEM;
    }
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    cw_status st = CW_OK;
    if (!yaml_parser_load(&p, &f->doc)) {
        st = yaml_failure(f, &p, text);
        goto out_delete_parser;
    }
    yaml_document_t next;
    if (!yaml_parser_load(&p, &next)) {
        st = yaml_failure(f, &p, text);
    } else {
        if (yaml_document_get_root_node(&next))
            st = yf_fail_at(f, next.start_mark, CW_EINVAL, "%s is one YAML document: remove this second one",
                            what);
        yaml_document_delete(&next);
    }
    /* a tag (!weeks, !!float) would be read past silently: the file means
     * something it does not say; only YAML's own implicit tags are taken */
    for (yaml_node_t *n = f->doc.nodes.start; st == CW_OK && n && n < f->doc.nodes.top; n++) {
        const char *tag = (const char *)n->tag;
        if (tag && strncmp(tag, "tag:yaml.org,2002:", 18) != 0)
            st = yf_fail_at(f, n->start_mark, CW_EINVAL, "the tag '%.64s' is not understood here: remove it", tag);
    }
    if (st != CW_OK) yaml_document_delete(&f->doc);
out_delete_parser:
    yaml_parser_delete(&p);
    return st;
}

/* ---- nodes ------------------------------------------------------------------------ */

yaml_node_t *yf_node(yamlfile *f, int index) { return yaml_document_get_node(&f->doc, index); }

bool yf_is_null(const yaml_node_t *n)
{
    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) return false;
    const char *t = (const char *)n->data.scalar.value;
    return !strcmp(t, "") || !strcmp(t, "~") || !strcmp(t, "null") || !strcmp(t, "Null") ||
           !strcmp(t, "NULL");
}

cw_status yf_scalar_text(yamlfile *f, const yaml_node_t *n, const char **text)
{
    const char *t = (const char *)n->data.scalar.value;
    if (strlen(t) != n->data.scalar.length)
        return yf_fail_at(f, n->start_mark, CW_EINVAL, "a value holds a NUL character");
    *text = t;
    return CW_OK;
}

cw_status yf_key_text(yamlfile *f, const yaml_node_t *k, const char **text)
{
    if (k->type != YAML_SCALAR_NODE)
        return yf_fail_at(f, k->start_mark, CW_EINVAL, "a key must be a name, not a %s", yf_node_kind(k));
    return yf_scalar_text(f, k, text);
}

/* Checked as we go: every earlier key was valid, so this stays cheap. */
cw_status yf_check_duplicate(yamlfile *f, const yaml_node_t *m, const yaml_node_pair_t *pair)
{
    const yaml_node_t *k = yf_node(f, pair->key);
    const char *kt = (const char *)k->data.scalar.value;
    for (const yaml_node_pair_t *p = m->data.mapping.pairs.start; p < pair; p++) {
        const yaml_node_t *e = yf_node(f, p->key);
        if (e->type == YAML_SCALAR_NODE && strcmp((const char *)e->data.scalar.value, kt) == 0) {
            char c[YF_CLIP + 4];
            return yf_fail_at(f, k->start_mark, CW_EINVAL, "duplicate key '%s' (first at line %zu, column %zu)",
                              yf_clip(kt, c, sizeof c), e->start_mark.line + 1, e->start_mark.column + 1);
        }
    }
    return CW_OK;
}

bool yf_parse_whole(const char *t, long lo, long hi, long *out)
{
    const char *s = t + (*t == '-' || *t == '+');
    if (*s < '0' || *s > '9') return false;
    for (const char *q = s; *q; q++)
        if (*q < '0' || *q > '9' || q - s > 9) return false;
    long v = strtol(t, NULL, 10);
    if (v < lo || v > hi) return false;
    *out = v;
    return true;
}

const yaml_node_t *yf_map_value(yamlfile *f, const yaml_node_t *m, const char *name)
{
    for (const yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        const yaml_node_t *k = yf_node(f, p->key);
        if (k->type == YAML_SCALAR_NODE && !strcmp((const char *)k->data.scalar.value, name))
            return yf_node(f, p->value);
    }
    return NULL;
}
