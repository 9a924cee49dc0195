/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
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
    X(EV_CRISIS_END, 2, "crisis_end", "detail = parameter index of the crisis switch") \
    X(EV_GROUP_BIRTH, 3, "group_birth", "detail = group kind, value = group slot")          \
    X(EV_GROUP_DEATH, 4, "group_death", "detail = group kind, value = group slot")          \
    X(EV_GRANT_START, 5, "grant_start", "detail = funding source (1 competitive, 2 core), value = GBP/week") \
    X(EV_GRANT_END, 6, "grant_end", "detail = funding source, value = GBP/week that stopped")    \
    X(EV_ESCALATION, 7, "escalation", "detail = sector, value = LA pool hours/week it received") \
    X(EV_ASSET_TRANSFER, 8, "asset_transfer", "detail = group kind, value = group slot")    \
    X(EV_FLOOD, 9, "flood", "value = space quality lost")

enum event_kind {
#define EVENT_KIND_ENUM(name, code, str, doc) name = code,
    EVENT_KIND_TABLE(EVENT_KIND_ENUM)
#undef EVENT_KIND_ENUM
};

#include "timeline.h"
#include "world.h"

/* This week's events: the timeline's changes first, then the rows of the
 * parallel phases, where each neighbourhood (and the area, slot n_nbhd) has
 * its own rows, so phases parallel over neighbourhoods append without locks.
 * The output writer (io/output.c, output_write_events) writes them in that
 * order: timeline, area-wide, then neighbourhoods by index. */
typedef struct event_row {
    int32_t kind, detail;
    double value;
} event_row;

typedef struct event_log {
    int n_nbhd;
    uint32_t cap;        /* rows per neighbourhood per week               */
    uint32_t *count;     /* [n_nbhd + 1]                                  */
    event_row *rows;     /* [(n_nbhd + 1) * cap]                          */
    uint64_t dropped;    /* rows beyond cap (counted, never silent)       */
    uint64_t total[16];  /* phase rows logged since the start, by kind    */
    uint32_t n_timeline, cap_timeline;
    event_row *timeline; /* [cap_timeline] this week's timeline changes   */
} event_log;

/* cap_timeline: the most timeline changes one week can hold (the
 * scenario's number of timeline events is always enough). */
cw_status event_log_init(event_log *log, cw_mem *mem, int n_nbhd, size_t cap_timeline);
size_t event_log_bytes(int n_nbhd, size_t cap_timeline); /* what it allocates */
void event_log_free(event_log *log, cw_mem *mem);

/* Append a row for neighbourhood nbhd (-1: area-wide). Only one thread may
 * write a given neighbourhood's rows in a phase. */
void event_log_add(event_log *log, int nbhd, int kind, int32_t detail, double value);

/* End the week: add the phases' rows to the totals and clear every row
 * (after the output has written them). */
void event_log_end_week(event_log *log);

/* Apply every timeline event due at reported week `week`, of the n sorted
 * events, starting at *cursor (advanced past them): set the parameter,
 * refund services when a funding parameter changed, and log a row. */
cw_status events_apply(const timeline_event *events, size_t n, size_t *cursor, int32_t week, cw_params *p,
                       world *w, event_log *log, char *err, size_t errlen);

#endif
