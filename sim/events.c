/*
 * Phase 1, events (MODEL.md s3.1): the scenario's timeline for this week.
 */
#include "events.h"

#include <string.h>

#include "services.h"

static int is_crisis_switch(const param_info *pi)
{
    return pi->kind == PK_BOOL && strncmp(pi->path, "crisis.", 7) == 0;
}

cw_status events_apply(const cw_scenario *sc, size_t *cursor, int32_t week, cw_params *p,
                       world *w, output *o, char *err, size_t errlen)
{
    int refund = 0;
    for (; *cursor < sc->n_events && sc->events[*cursor].week <= week; (*cursor)++) {
        const timeline_event *ev = &sc->events[*cursor];
        const param_info *pi = &params_table[ev->param];
        cw_status st = params_set_number(p, pi, ev->value, err, errlen);
        if (st) return st; /* validated at load: only a corrupted scenario gets here */
        refund |= strncmp(pi->path, "funding.", 8) == 0 || strncmp(pi->path, "services.", 9) == 0;
        int kind = !is_crisis_switch(pi) ? EV_PARAMETER_CHANGE
                   : ev->value != 0.0    ? EV_CRISIS_START
                                         : EV_CRISIS_END;
        if (o && (st = output_write_event(o, week, -1, kind, (int32_t)ev->param, ev->value, err, errlen)))
            return st;
    }
    if (refund) services_fund(w, p);
    return CW_OK;
}
