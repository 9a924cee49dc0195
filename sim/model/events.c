/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * Phase 1, events (MODEL.md s3.1): the scenario's timeline for this week.
 */
#include "events.h"

#include <string.h>

#include "services.h"

static int is_crisis_switch(const param_info *pi)
{
    return params_has(pi, PF_CRISIS);
}

cw_status events_apply(const timeline_event *events, size_t n, size_t *cursor, int32_t week, cw_params *p,
                       world *w, event_log *log, char *err, size_t errlen)
{
    int refund = 0;
    for (; *cursor < n && events[*cursor].week <= week; (*cursor)++) {
        const timeline_event *ev = &events[*cursor];
        const param_info *pi = &params_table[ev->param];
        cw_status st = params_set_number(p, pi, ev->value, err, errlen);
        if (st) return st; /* validated at load: only a corrupted scenario gets here */
        refund |= params_has(pi, PF_REFUND);
        int kind = !is_crisis_switch(pi) ? EV_PARAMETER_CHANGE
                   : ev->value != 0.0    ? EV_CRISIS_START
                                         : EV_CRISIS_END;
        if (log->n_timeline < log->cap_timeline)
            log->timeline[log->n_timeline++] = (event_row){kind, (int32_t)ev->param, ev->value};
        else
            log->dropped++;
    }
    if (refund) services_fund(w, p);
    return CW_OK;
}

#define EVENT_ROWS_PER_NBHD 64

size_t event_log_bytes(int n_nbhd, size_t cap_timeline)
{
    event_log log;
    return ((size_t)n_nbhd + 1) * (sizeof *log.count + EVENT_ROWS_PER_NBHD * sizeof *log.rows) +
           (cap_timeline ? cap_timeline : 1) * sizeof *log.timeline;
}

cw_status event_log_init(event_log *log, cw_mem *mem, int n_nbhd, size_t cap_timeline)
{
    memset(log, 0, sizeof *log);
    log->n_nbhd = n_nbhd;
    log->cap = EVENT_ROWS_PER_NBHD;
    log->cap_timeline = (uint32_t)(cap_timeline ? cap_timeline : 1);
    log->count = mem_calloc(mem, (size_t)n_nbhd + 1, sizeof *log->count);
    log->rows = mem_calloc(mem, ((size_t)n_nbhd + 1) * log->cap, sizeof *log->rows);
    log->timeline = mem_calloc(mem, log->cap_timeline, sizeof *log->timeline);
    return log->count && log->rows && log->timeline ? CW_OK : CW_ENOMEM;
}

void event_log_free(event_log *log, cw_mem *mem)
{
    mem_free(mem, log->count);
    mem_free(mem, log->rows);
    mem_free(mem, log->timeline);
    log->count = NULL;
    log->rows = NULL;
    log->timeline = NULL;
}

void event_log_add(event_log *log, int nbhd, int kind, int32_t detail, double value)
{
    size_t slot = nbhd < 0 ? (size_t)log->n_nbhd : (size_t)nbhd;
    if (log->count[slot] >= log->cap) {
#pragma omp atomic
        log->dropped++;
        return;
    }
    log->rows[slot * log->cap + log->count[slot]++] = (event_row){kind, detail, value};
}

void event_log_end_week(event_log *log)
{
    for (int slot = 0; slot <= log->n_nbhd; slot++) {
        for (uint32_t r = 0; r < log->count[slot]; r++) {
            const event_row *e = &log->rows[(size_t)slot * log->cap + r];
            if (e->kind >= 0 && e->kind < 16) log->total[e->kind]++;
        }
        log->count[slot] = 0;
    }
    log->n_timeline = 0;
}
