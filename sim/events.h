/*
 * Phase 1, events: apply the scenario's timeline for the week (MODEL.md s3.1),
 * and the kinds of rows in the output's /events table.
 */
#ifndef CW_EVENTS_H
#define CW_EVENTS_H

/* Event kinds: code, name, meaning of the value column. Append only. */
#define EVENT_KIND_TABLE(X)                                                      \
    X(EV_PARAMETER_CHANGE, 0, "parameter_change", "value = new value, detail = parameter index (order of commonweal params)") \
    X(EV_CRISIS_START, 1, "crisis_start", "detail = parameter index of the crisis switch") \
    X(EV_CRISIS_END, 2, "crisis_end", "detail = parameter index of the crisis switch")

enum event_kind {
#define EVENT_KIND_ENUM(name, code, str, doc) name = code,
    EVENT_KIND_TABLE(EVENT_KIND_ENUM)
#undef EVENT_KIND_ENUM
};

#include "output.h"
#include "scenario.h"
#include "world.h"

/* Apply every timeline event due at reported week `week`, starting at
 * *cursor (advanced past them): set the parameter, refund services when a
 * funding parameter changed, and log a row to the output (o may be NULL). */
cw_status events_apply(const cw_scenario *sc, size_t *cursor, int32_t week, cw_params *p,
                       world *w, output *o, char *err, size_t errlen);

#endif
