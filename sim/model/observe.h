/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * Phase 8, observe (MODEL.md s3.8, s7): this week's metrics per neighbourhood
 * and breakdown. Sums are taken per work item, then per neighbourhood in item
 * order, then over neighbourhoods in index order: the same bits at any
 * thread count.
 */
#ifndef CW_OBSERVE_H
#define CW_OBSERVE_H

#include "help.h"
#include "metrics.h"
#include "params.h"
#include "world.h"

#define OBSERVE_BINS 256
#define OBSERVE_MAX_HOURS 80.0 /* weekly volunteer hours at most (life.spare_hours_max's range) */

/* The tallies of a slice of residents, as indices into observe_sums.count
 * (whole numbers: counts of residents) and observe_sums.sum (sums of
 * values). A metric is a row of observe.c's tables over these. */
enum observe_count {
    OC_RESIDENTS,
    OC_NEED,                                  /* [N_SECTORS] with an active need */
    OC_WORKING_AGE = OC_NEED + N_SECTORS,
    OC_EMPLOYED, OC_POOR, OC_LEFT_OUT, OC_NEWCOMERS, OC_NEWCOMERS_LEFT_OUT,
    OC_ISOLATED, OC_LONELY, OC_TRUST_SHARE, OC_TRUST_GROUPS_SHARE,
    OC_VOLUNTEERED_4W, OC_VOLUNTEERED_52W, OC_HELPED_4W, OC_OVER65, OC_OVER65_CARE_UNMET,
    OC_WELLBEING_HIST,                        /* [OBSERVE_BINS] */
    OC_HOURS_HIST = OC_WELLBEING_HIST + OBSERVE_BINS, /* [OBSERVE_BINS] */
    N_OBSERVE_COUNTS = OC_HOURS_HIST + OBSERVE_BINS
};
enum observe_sum {
    OS_NEED_SEVERITY,                         /* [N_SECTORS] */
    OS_HEALTH = OS_NEED_SEVERITY + N_SECTORS,
    OS_SPARE_HOURS, OS_TRUST, OS_WELLBEING, OS_STRONG_TIES,
    OS_HOURS_SUM,                             /* [OBSERVE_BINS] */
    N_OBSERVE_SUMS = OS_HOURS_SUM + OBSERVE_BINS
};

/* The breakdowns by group (MODEL.md s7): per group, counts of its residents
 * (GC_*) and sums over them (GS_*). A resident counts in three groups, its
 * income quintile, identity and age band (the resident slots); the area
 * also groups neighbourhoods by deprivation decile and fifth. */
enum group_count {
    GC_RESIDENTS, GC_NEED, GC_LEFT_OUT,
    GC_UNMET,                                 /* [N_SECTORS] not relieved this week */
    GC_LONELY = GC_UNMET + N_SECTORS,
    GC_ISOLATED, GC_VOLUNTEERED, GC_HELPED,
    N_GROUP_COUNTS
};
enum group_sum { GS_TRUST, GS_WELLBEING, N_GROUP_SUMS };
enum group_slot {
    SLOT_QUINTILE = 0,
    SLOT_IDENTITY = SLOT_QUINTILE + N_QUINTILES,
    SLOT_AGE_BAND = SLOT_IDENTITY + MAX_IDENTITIES,
    N_RESIDENT_SLOTS = SLOT_AGE_BAND + N_AGE_BANDS,
    SLOT_DECILE = N_RESIDENT_SLOTS,
    SLOT_FIFTH = SLOT_DECILE + N_DECILES,
    N_AREA_SLOTS = SLOT_FIFTH + N_FIFTHS
};

typedef struct group_tally {
    double count[N_GROUP_COUNTS];
    double sum[N_GROUP_SUMS];
} group_tally;

/* Running sums for one slice of residents (all doubles: summed field-wise). */
typedef struct observe_sums {
    double count[N_OBSERVE_COUNTS];
    double sum[N_OBSERVE_SUMS];
    group_tally group[N_RESIDENT_SLOTS];
} observe_sums;

typedef struct observe_scratch {
    observe_sums *item;  /* [n_items]  */
    observe_sums *nbhd;  /* [n_nbhd]   */
    double *theil;       /* [3 * n_nbhd]: each neighbourhood's y, n, own Theil */
} observe_scratch;

cw_status observe_scratch_init(observe_scratch *s, cw_mem *mem, const world *w);
size_t observe_scratch_bytes(size_t n_items, int n_nbhd); /* what it allocates */
void observe_scratch_free(observe_scratch *s, cw_mem *mem);

/* Share of the hours given by the most active `top` fraction of a
 * population, from a histogram of the people who gave hours (count) and
 * their hours (sum) by bin, bins ascending; the population's others (up to
 * `population` people in all) gave none. The civic core (Mohan & Bulloch
 * 2012): top 0.31 of all adult residents, not of volunteers. */
double observe_top_share(const double *count, const double *sum, size_t bins, double top, double population);

/* Fill the per-neighbourhood metrics of f for the world's own neighbourhoods
 * after week `step`, with the week's help sums (one per neighbourhood);
 * observe_area then fills the area-wide ones from every neighbourhood's sums
 * (s->nbhd, help), in index order. */
void observe_week(const world *w, const cw_params *p, uint32_t step, const help_sums *help,
                  observe_scratch *s, metrics_frame *f);
void observe_area(const world *w, const observe_scratch *s, const help_sums *help, metrics_frame *f);

/* How many times observe.c computes metric m (a row of its tables, or in
 * code): 1 for every metric (a test checks it). */
int observe_metric_rows(int m);

#endif
