/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * What the three files of phases 3-5 share (seek.c, allocate.c, outcome.c):
 * the per-request flags, a provider's ranked requests, the residents'
 * help-seeking draws and one neighbourhood's allocation pass. Private to
 * the model; help.h holds the phase entry points.
 */
#ifndef CW_HELP_INT_H
#define CW_HELP_INT_H

#include "help.h"

/* Per-request flags in the scratch. */
enum {
    HF_ASKED_SERVICE = 1,   /* asked at least one service                      */
    HF_SERVED = 2,          /* a service helped                                */
    HF_TURNED_AWAY = 4,     /* a service could not                             */
    HF_REFERRED = 8,        /* partnership: a service referred it to a group  */
    HF_GROUP_REFUSED = 16,  /* a group it is not part of would not take it    */
    HF_GROUP_CONTACT = 32,  /* member of a living group or asked one          */
};

/* A request in a provider's queue, served by priority (high first), then
 * by a random key (low first), then by c: `rank` encodes the first two so
 * that one integer comparison orders them (rank_of). */
typedef struct ranked_request {
    uint64_t rank;
    uint32_t c; /* the requester's place in the needy list (resident order) */
} ranked_request;

/* The residents' weekly draws for help-seeking: awareness of each service
 * (6 draws) and a group to ask (2 draws), always consumed. */
typedef struct seek_draws {
    double aware[N_SECTORS];
    double group_pick, group_accept;
    double referral;
} seek_draws;

/* What one neighbourhood's pass works with. */
typedef struct nbhd_pass {
    world *w;
    const cw_params *p;
    uint64_t seed;
    uint32_t step;
    int b;
    uint32_t first, n;     /* residents [first, first+n)                        */
    uint32_t g0, n_slots;  /* group slots [g0, g0+n_slots)                     */
    /* Only residents with a need take part in allocation: needy[c] is the
     * c-th of them (li = i - first, increasing), and the per-request arrays
     * below are indexed by c, so a week costs little for the rest. */
    uint32_t *needy, n_needy;
    float *hours;          /* [n_needy][N_SECTORS][N_ROUTES]                   */
    uint32_t *list;
    float *prio;
    uint8_t *group_slot, *group_sector, *flags; /* [n_needy]                   */
    uint32_t *giver;       /* a time bank's givers (resident indices)          */
    float *giver_left;     /* [n] their hours not yet given this week          */
    help_sums *sums;
    double eff[N_ROUTES][N_SECTORS], pen[N_SECTORS];
    double coproduction;   /* multiplier of group and service help's effect   */
    uint8_t open[N_SECTORS][MAX_GROUP_SLOTS]; /* living groups anyone may ask */
    uint32_t n_open[N_SECTORS];
} nbhd_pass;

static inline float *hours_at(const nbhd_pass *np, uint32_t c, int s, int r)
{
    return &np->hours[((size_t)c * N_SECTORS + (size_t)s) * N_ROUTES + (size_t)r];
}

/* The resident index of the c-th resident in need. */
static inline uint32_t needy_resident(const nbhd_pass *np, uint32_t c) { return np->first + np->needy[c]; }

static inline double wanted_hours(const cw_params *p, float severity) { return p->help_hours_per_severity * severity; }

/* seek.c: the residents' weekly help-seeking draws; the offers made to each
 * resident in need of np, capped at what the need asks (informal hours). */
seek_draws help_draw_seeking(uint64_t seed, uint32_t i, uint32_t step);
void help_collect_informal(nbhd_pass *np);

/* outcome.c: phase 5 for resident first + li, the c-th in need (c is only
 * read if it has a need). */
void help_outcome(nbhd_pass *np, uint32_t li, uint32_t c);

#endif
