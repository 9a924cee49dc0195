/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * YAML files with FILE:LINE:COLUMN messages: what the scenario loader
 * (scenario.c) and the sweep loader (sweep.c) share. A yamlfile is one parsed
 * document (libyaml's document API, which gives every node a start mark and
 * resolves anchors and aliases) and the buffer its messages go to.
 */
#ifndef CW_YAMLFILE_H
#define CW_YAMLFILE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <yaml.h>

#include "commonweal/commonweal.h"

#define YF_MAX_FILE_BYTES (16u << 20) /* a scenario or sweep is a few KiB */
#define YF_CLIP 60                    /* user text quoted in messages     */

#if defined(__GNUC__)
#define YF_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define YF_PRINTF(f, a)
#endif

typedef struct yamlfile {
    const char *path;  /* as named, for messages (borrowed)        */
    yaml_document_t doc;
    char *err;         /* messages: "PATH:LINE:COLUMN: ..." (borrowed) */
    size_t errlen;
} yamlfile;

/* Messages are one line: control characters become spaces. */
void yf_one_line(char *s);

/* User text for a message: at most YF_CLIP characters, then "...". */
const char *yf_clip(const char *text, char *buf, size_t n);

/* Error at mark m of f: "PATH:LINE:COLUMN: message". Returns st. */
cw_status yf_vfail_at(yamlfile *f, yaml_mark_t m, cw_status st, const char *fmt, va_list ap);
YF_PRINTF(4, 5) cw_status yf_fail_at(yamlfile *f, yaml_mark_t m, cw_status st, const char *fmt, ...);

/* Error with no position (the message says where); returns CW_EINVAL. */
YF_PRINTF(3, 4) cw_status yf_fail_plain(char *err, size_t n, const char *fmt, ...);

/* "mapping", "sequence" or "single value". */
const char *yf_node_kind(const yaml_node_t *n);

/* Open and read path (at most YF_MAX_FILE_BYTES; "-" is standard input,
 * whose relative paths resolve against the working directory); *st gets its identity.
 * Returns 0 or an errno value (EFBIG when too large). Free *text. */
int yf_read_file(const char *path, char **text, size_t *len, struct stat *st);

/* The absolute directory of path; and name relative to dir (false if the
 * result does not fit). */
void yf_dir_of(const char *path, char *dir, size_t n);
bool yf_join_path(const char *dir, const char *name, char *out, size_t n);

/* Parse text into f->doc (f->path and f->err set by the caller); a second
 * document is an error naming `what` ("a scenario"). On success the caller
 * deletes f->doc. */
cw_status yf_parse(yamlfile *f, const char *text, size_t len, const char *what);

yaml_node_t *yf_node(yamlfile *f, int index);

/* A plain empty scalar, ~ or null: YAML's "no value". */
bool yf_is_null(const yaml_node_t *n);

/* The text of a scalar node (an error for a NUL inside), and of a mapping
 * key, which must be a scalar. */
cw_status yf_scalar_text(yamlfile *f, const yaml_node_t *n, const char **text);
cw_status yf_key_text(yamlfile *f, const yaml_node_t *k, const char **text);

/* Pair `pair` of mapping m repeats an earlier key? */
cw_status yf_check_duplicate(yamlfile *f, const yaml_node_t *m, const yaml_node_pair_t *pair);

/* A whole number in [lo, hi] (optional sign, digits only). */
bool yf_parse_whole(const char *t, long lo, long hi, long *out);

/* The value of key name in mapping m, or NULL. */
const yaml_node_t *yf_map_value(yamlfile *f, const yaml_node_t *m, const char *name);

#endif
