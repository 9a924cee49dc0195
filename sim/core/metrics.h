/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * Metrics: the per-week observations (MODEL.md s7), generated from metrics.def.
 */
#ifndef CW_METRICS_H
#define CW_METRICS_H

#include <stdbool.h>
#include <stddef.h>

#include "alloc.h"
#include "commonweal/commonweal.h"
#include "dims.h"

/* Breakdowns: the extra dimension of a metric. Decile and fifth group
 * neighbourhoods (area metrics only); the X_SECTOR ones are (group, sector)
 * pairs, group-major, one dimension of groups x N_SECTORS cells. */
enum breakdown {
    BD_NONE, BD_SECTOR, BD_QUINTILE, BD_IDENTITY, BD_AGE_BAND, BD_GROUP_KIND, BD_ROUTE,
    BD_DECILE, BD_FIFTH, BD_QUINTILE_SECTOR, BD_IDENTITY_SECTOR, BD_AGE_BAND_SECTOR, BD_DECILE_SECTOR,
    BD_FIFTH_SECTOR, BD_COUNT
};

typedef struct breakdown_info {
    const char *dim;   /* dimension name in the output ("" for BD_NONE)  */
    const char *doc;   /* what an index along it means                   */
} breakdown_info;
extern const breakdown_info breakdowns[BD_COUNT];

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
/* The CF units of metric mi (UDUNITS-2 syntax) into units[n], and its valid
 * range: returns bit 1 when *vmin was set, bit 2 when *vmax was set. */
int metric_units(const metric_info *mi, char *units, size_t n, float *vmin, float *vmax);

#endif
