/*
 * Metrics: the per-week observations (MODEL.md s7), generated from metrics.def.
 */
#ifndef CW_METRICS_H
#define CW_METRICS_H

#include <stdbool.h>
#include <stddef.h>

#include "alloc.h"
#include "commonweal/commonweal.h"

#define N_SECTORS 6
#define N_QUINTILES 5
#define N_AGE_BANDS 5
#define MAX_IDENTITIES 8

/* Breakdowns: the extra dimension of a metric. */
enum breakdown { BD_NONE, BD_SECTOR, BD_QUINTILE, BD_IDENTITY, BD_AGE_BAND, BD_GROUP_KIND, BD_ROUTE, BD_COUNT };

typedef struct breakdown_info {
    const char *dim;   /* dimension name in the output ("" for BD_NONE)  */
    const char *doc;   /* what an index along it means                   */
} breakdown_info;
extern const breakdown_info breakdowns[BD_COUNT];

/* Labels: sector_names[s], age_band_names[b], quintile_names[q]. */
extern const char *const sector_names[N_SECTORS];
extern const char *const age_band_names[N_AGE_BANDS];
extern const char *const quintile_names[N_QUINTILES];

enum metric_id {
#define METRIC(id, name, bd, unit, doc) id,
#define AREA_METRIC(id, name, bd, unit, doc) id,
#include "metrics.def"
    METRIC_COUNT
};

typedef struct metric_info {
    const char *name;
    enum breakdown bd;
    bool area;        /* [week, bd?] instead of [week, neighbourhood, bd?] */
    const char *unit;
    const char *doc;
} metric_info;
extern const metric_info metrics_table[METRIC_COUNT];

/* One week's values. values[m] holds n_nbhd*bd_size (area metrics: bd_size)
 * floats, neighbourhood-major. */
typedef struct metrics_frame {
    int n_nbhd;
    int bd_size[BD_COUNT];        /* BD_NONE is 1; BD_IDENTITY is K      */
    float *values[METRIC_COUNT];
} metrics_frame;

/* Number of floats in values[m]. */
size_t metrics_len(const metrics_frame *f, enum metric_id m);
cw_status metrics_frame_init(metrics_frame *f, cw_mem *mem, int n_nbhd, int n_identity);
size_t metrics_frame_bytes(int n_nbhd, int n_identity); /* what it allocates */
void metrics_frame_free(metrics_frame *f, cw_mem *mem);
int metrics_find(const char *name); /* index or -1 */

#endif
