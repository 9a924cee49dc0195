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
