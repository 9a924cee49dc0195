/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * A scenario's timeline as the model sees it: changes of a parameter at a
 * week. The scenario loader (input/scenario.c) makes them; the events phase
 * (model/events.c) applies them.
 */
#ifndef CW_TIMELINE_H
#define CW_TIMELINE_H

#include <stdbool.h>
#include <stdint.h>

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

#endif
