/*
 * Phase 8, observe (MODEL.md s3.8, s7): this week's metrics per neighbourhood
 * and breakdown. Sums are taken per work item, then per neighbourhood in item
 * order, then over neighbourhoods in index order: the same bits at any
 * thread count.
 */
#ifndef CW_OBSERVE_H
#define CW_OBSERVE_H

#include "metrics.h"
#include "params.h"
#include "world.h"

/* Running sums for one slice of residents. */
typedef struct observe_sums {
    double residents;
    double need_count[N_SECTORS], need_severity[N_SECTORS];
    double working_age, employed, poor, health, spare_hours;
    double q_residents[N_QUINTILES], q_need[N_QUINTILES];
    double id_residents[MAX_IDENTITIES], id_need[MAX_IDENTITIES];
    double age_residents[N_AGE_BANDS], age_need[N_AGE_BANDS];
} observe_sums;

typedef struct observe_scratch {
    observe_sums *item;  /* [n_items]  */
    observe_sums *nbhd;  /* [n_nbhd]   */
} observe_scratch;

cw_status observe_scratch_init(observe_scratch *s, cw_mem *mem, const world *w);
void observe_scratch_free(observe_scratch *s, cw_mem *mem);

/* Fill every metric of f for the world's current state. */
void observe_week(const world *w, const cw_params *p, observe_scratch *s, metrics_frame *f);

#endif
