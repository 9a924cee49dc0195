/*
 * Scenarios: parameters plus a timeline of changes, loaded from YAML.
 * Private layout of the public cw_scenario handle.
 */
#ifndef CW_SCENARIO_H
#define CW_SCENARIO_H

#include "params.h"

/* One timeline change: at reported week `week` (burn-in weeks are negative,
 * -run.burn_in_weeks .. -1; the run is 0 .. run.weeks-1), set a parameter.
 * The `crisis: NAME` shorthand becomes two events (on, and off after
 * `weeks`). Only parameters that are not set-up parameters may appear. */
typedef struct timeline_event {
    int32_t week;
    uint32_t param;      /* index into params_table                   */
    double value;        /* the new value (numeric and boolean kinds) */
    char file[256];      /* where it was written, for messages        */
    int line, column;
    bool ends_crisis;    /* the implied "off" of a crisis entry: dropped
                          * by scenario_validate (not an error) when it
                          * falls after the end of the run             */
} timeline_event;

#define SCN_COMMENT_MAX 4096

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
};

/* Check what only the whole scenario can check (timeline weeks inside the
 * run, consistent population settings). Message on sc. */
cw_status scenario_validate(cw_scenario *sc);

#endif
