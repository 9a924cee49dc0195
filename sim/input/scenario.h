/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * Scenarios: parameters plus a timeline of changes, loaded from YAML.
 * Private layout of the public cw_scenario handle.
 */
#ifndef CW_SCENARIO_H
#define CW_SCENARIO_H

#include "params.h"
#include "timeline.h"


#define SCN_COMMENT_MAX 4096

#define SCN_MAX_INPUTS 32 /* files of one scenario: it and its base chain */
/* The population keys whose meaning depends on one another, checked by
 * scenario_validate and when the neighbourhood CSV is read: where each was
 * last set, for messages ("FILE:LINE:COLUMN" or "--set PATH=VALUE"; ""
 * while at its default), and seq, the order of the settings (0 never set;
 * base files come before the files that name them, --set after every file). */
enum scn_tracked {
    TRACK_CSV, TRACK_LOCAL_AUTHORITIES, TRACK_NEIGHBOURHOODS, TRACK_RESIDENTS,
    TRACK_AREAS, TRACK_SCALE, TRACK_DEPRIVATION_FROM, N_TRACKED
};
#define SCN_ORIGIN_MAX 320
typedef struct scn_origin {
    uint32_t seq;
    char at[SCN_ORIGIN_MAX];
} scn_origin;

/* The tracked index of a parameter (enum scn_tracked), or -1. */
int scenario_tracked(const param_info *pi);

struct cw_scenario {
    cw_params params;
    timeline_event *events; /* sorted by week, file order within a week */
    size_t n_events, cap_events;
    char path[PARAMS_STR_MAX]; /* the file loaded last ("" if none)    */
    /* The leading comment of that file (its '#' lines before the first line
     * of YAML: the question it asks and the sources of its numbers), kept
     * whole lines up to SCN_COMMENT_MAX - 1 bytes; written back at the top
     * of the resolved scenario. "" if none. */
    char comment[SCN_COMMENT_MAX];
    scn_origin origin[N_TRACKED];
    uint32_t origin_seq;
    char errmsg[1024];
    /* The files the scenario was read from (it and its base chain), by
     * device and inode: outputs must never be one of them (outsafe.c). */
    uint64_t input_dev[SCN_MAX_INPUTS], input_ino[SCN_MAX_INPUTS];
    int n_inputs;
};

/* Check what only the whole scenario can check (timeline weeks inside the
 * run, consistent population settings). Message on sc. */
cw_status scenario_validate(cw_scenario *sc);

#endif
