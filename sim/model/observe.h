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

/* Running sums for one slice of residents (all doubles: summed field-wise). */
typedef struct observe_sums {
    double residents;
    double need_count[N_SECTORS], need_severity[N_SECTORS];
    double working_age, employed, poor, health, spare_hours;
    double q_residents[N_QUINTILES], q_need[N_QUINTILES], q_left_out[N_QUINTILES];
    double id_residents[MAX_IDENTITIES], id_need[MAX_IDENTITIES], id_left_out[MAX_IDENTITIES];
    double age_residents[N_AGE_BANDS], age_need[N_AGE_BANDS], age_left_out[N_AGE_BANDS];
    double left_out, newcomers, newcomers_left_out;
    double isolated, lonely, trust, trust_share, trust_groups_share;
    double volunteered_4w, volunteered_52w, helped_4w;
    double over65, over65_care_unmet;
    double wellbeing, strong_ties;
    double wellbeing_hist[OBSERVE_BINS];
    double hours_hist[OBSERVE_BINS], hours_sum[OBSERVE_BINS];
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

#endif
