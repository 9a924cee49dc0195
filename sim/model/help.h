/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * Phases 3-5 (MODEL.md s3.3-3.5): help-seeking (seek.c), allocation
 * (allocate.c) and outcomes (outcome.c); what the three share is in
 * help_int.h.
 *
 * Allocation is two-phase and deterministic. Informal help crosses
 * neighbourhoods, so it is split: every resident first offers its hours to
 * one tie (help_offer, each resident writing only its own offer), then each
 * neighbourhood collects the offers made to its residents. Groups and
 * services serve their own neighbourhood: help_allocate handles one
 * neighbourhood at a time, each provider serving its requests in priority
 * order (severity and waiting time, then a random key drawn for the
 * requester), and applies the outcomes. No locks or atomics decide who is
 * helped, and the result does not depend on the number of threads.
 */
#ifndef CW_HELP_H
#define CW_HELP_H

#include "events.h"
#include "params.h"
#include "world.h"

/* This week's help in one neighbourhood, for the observe phase. */
typedef struct help_sums {
    double needing[N_SECTORS];       /* residents with an active need          */
    double unmet[N_SECTORS];         /* ... of whom were not relieved (outcome.c) */
    double shortfall[N_SECTORS];     /* sum of severity x unhelped share       */
    double shortfall_sq[N_SECTORS];
    double hours[N_ROUTES];          /* hours of help given, by route          */
    double service_requests[N_SECTORS];
    double service_unserved[N_SECTORS];
    double y, ylny;                  /* residents' total shortfall y: sum y,
                                        sum y ln y (Theil index)               */
    double q_residents[N_QUINTILES], q_y[N_QUINTILES]; /* concentration index */
    /* Contact without relief: residents whose need got hours this week
     * that did not relieve it, by sector, by route that gave such hours,
     * and with any such need. */
    double reached_not_relieved[N_SECTORS];
    double reached_not_relieved_route[N_ROUTES];
    double reached_not_relieved_any;
} help_sums;

struct ranked_request;
struct seek_draws;

/* Per-thread scratch, sized once for the largest neighbourhood. */
typedef struct help_scratch {
    int n_threads;
    uint32_t max_residents;
    float *hours;         /* [thread][resident][sector][route]                 */
    uint32_t *list;       /* [thread][resident] request lists                 */
    uint32_t *needy;      /* [thread][resident] residents in need this week   */
    float *prio;          /* [thread][resident] request priorities            */
    uint8_t *group_slot;  /* [thread][resident] group asked (or none)         */
    uint8_t *group_sector;
    uint8_t *flags;       /* [thread][resident] HF_* bits                     */
    struct ranked_request *req;  /* [thread][resident] a provider's queue      */
    struct seek_draws *draws;    /* [thread][resident] help-seeking draws      */
    uint32_t *giver;      /* [thread][resident] a time bank's givers          */
    float *giver_left;    /* [thread][resident] their hours not yet given     */
    help_sums *sums;      /* [n_nbhd]                                          */
} help_scratch;

cw_status help_scratch_init(help_scratch *s, cw_mem *mem, const world *w, int n_threads);
/* What help_scratch_init allocates, for the memory estimate (sim.c). */
size_t help_scratch_bytes(int n_threads, uint32_t most, int n_nbhd);
void help_scratch_free(help_scratch *s, cw_mem *mem);

/* Sectors each kind of group works in (bit s = sector s). */
extern const uint8_t group_kind_sectors[N_GROUP_KINDS];

/* Phase 3 and the first half of phase 4, in two calls because offers read
 * the asks of ties in other neighbourhoods (in a distributed run, other
 * ranks' asks are exchanged between them): help_ask: each resident states
 * the need it would ask ties about; help_offer: some offer spare hours to
 * one tie in need (a household member more readily than others). Both step
 * the world's own work items (world_own_item_begin/end). */
void help_ask(world *w);
void help_offer(world *w, const cw_params *p, uint64_t seed, uint32_t step);

/* Phases 4-5 for the world's own neighbourhoods; help_escalate then runs
 * the LA escalation pools from every neighbourhood's w->escalate flags. */
void help_allocate(world *w, const cw_params *p, uint64_t seed, uint32_t step, help_scratch *s);
void help_escalate(world *w, const cw_params *p, event_log *log);

#endif
