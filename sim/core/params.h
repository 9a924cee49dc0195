/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * Parameters: the struct and the descriptor table, both generated from
 * params.def. Private to the library.
 */
#ifndef CW_PARAMS_H
#define CW_PARAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "commonweal/commonweal.h"

#define PARAMS_STR_MAX 1024

typedef enum param_kind { PK_INT, PK_REAL, PK_BOOL, PK_STR, PK_ENUM } param_kind;

/* A parameter's roles: the flags column of params.def (its header says what
 * each means). Code asks for a role, never for a YAML prefix. */
typedef enum param_flag {
    PF_NONE = 0,
    PF_SETUP = 1u << 0,  /* shapes the set-up: cannot change on a timeline   */
    PF_SHAPE = 1u << 1,  /* shapes the sweep file: a sweep cannot vary it     */
    PF_SEED = 1u << 2,   /* the run's seed: a sweep derives it per member     */
    PF_OUTPUT = 1u << 3, /* the file's setting, not a member's                */
    PF_LEVER = 1u << 4,  /* a policy lever: compare pairs runs differing in it */
    PF_CRISIS = 1u << 5, /* a crisis switch (`crisis: NAME` on a timeline)    */
    PF_REFUND = 1u << 6  /* changing it re-funds the services                 */
} param_flag;

typedef struct cw_params {
#define PARAM_INT(id, path, flags, def, min, max, unit, doc) int64_t id;
#define PARAM_REAL(id, path, flags, def, min, max, unit, doc) double id;
#define PARAM_BOOL(id, path, flags, def, doc) bool id;
#define PARAM_STR(id, path, flags, def, doc) char id[PARAMS_STR_MAX];
#define PARAM_ENUM(id, path, flags, def, choices, doc) int id;
#include "params.def"
} cw_params;

typedef struct param_info {
    const char *path;   /* YAML path, e.g. "run.weeks"                  */
    param_kind kind;
    unsigned flags;     /* param_flag bits                               */
    double def, min, max; /* numeric kinds                               */
    const char *sdef;   /* PK_STR default; PK_ENUM choices "a|b|c"       */
    const char *unit;
    const char *doc;
    size_t offset;      /* of the field in cw_params                     */
} param_info;

extern const param_info params_table[];
extern const size_t params_count;

/* Every field at its default. */
void params_defaults(cw_params *p);

/* The row for a YAML path, or NULL. */
const param_info *params_find(const char *path);

/* The row whose path is nearest to `path` (edit distance, on the whole path
 * and on its last component), or NULL if nothing is close enough. */
const param_info *params_suggest(const char *path);

/* True for parameters fixed at set-up (run., population., ties., output.,
 * groups.initial*):
 * they cannot change on a timeline. */
bool params_is_setup(const param_info *pi);

/* Whether row pi has every role in flags. */
static inline bool params_has(const param_info *pi, unsigned flags) { return (pi->flags & flags) == flags; }

/* Parse `text` for parameter pi, range-check it and store it in p. On error,
 * writes a message (without location) into err and returns CW_EINVAL. */
cw_status params_set_text(cw_params *p, const param_info *pi, const char *text,
                          char *err, size_t errlen);

/* Store a numeric value (already parsed) with the range check. */
cw_status params_set_number(cw_params *p, const param_info *pi, double v,
                            char *err, size_t errlen);

/* The value as a number (PK_STR: 0), and as YAML text. */
double params_get_number(const cw_params *p, const param_info *pi);
void params_format(const cw_params *p, const param_info *pi, char *buf, size_t n);

/* PK_ENUM: the index of a choice's name (-1 if none), and the name of
 * index k written into buf (returns buf). */
int params_enum_index(const param_info *pi, const char *name);
const char *params_enum_name(const param_info *pi, int k, char *buf, size_t n);

/* "[min, max] unit" for messages. */
void params_describe_range(const param_info *pi, char *buf, size_t n);

/* A lever in words (lever_text.def): what it is and how to read its value. */
typedef struct lever_text {
    const char *path, *text, *scale, *choices;
} lever_text;
extern const lever_text levers_table[];
extern const size_t levers_count;

/* The words for a lever path, or NULL. */
const lever_text *params_lever_text(const char *path);

#endif
