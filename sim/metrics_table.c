/*
 * The metric tables generated from metrics.def, the breakdown labels, and
 * the weekly frame that carries one value per metric and cell. Pure data and
 * bookkeeping: the computing of the values lives in metrics.c.
 */
#include "metrics.h"

#include <string.h>

#include "world.h" /* N_GROUP_KINDS */

const breakdown_info breakdowns[BD_COUNT] = {
    [BD_NONE] = {"", "no breakdown"},
    [BD_SECTOR] = {"sector", "need sector (sector_name)"},
    [BD_QUINTILE] = {"quintile", "area income quintile, 1 = lowest income (fixed at set-up)"},
    [BD_IDENTITY] = {"identity", "identity group, 0 = majority"},
    [BD_AGE_BAND] = {"age_band", "age band (age_band_name)"},
    [BD_GROUP_KIND] = {"group_kind", "community group kind (group_kind_name)"},
    [BD_ROUTE] = {"route", "route of help (route_name): informal, group, service"},
};

const char *const sector_names[N_SECTORS] = {
    "health", "social_care", "mental_health", "housing", "work", "food",
};

const char *const age_band_names[N_AGE_BANDS] = {
    "16-29", "30-49", "50-64", "65-79", "80+",
};

const char *const quintile_names[N_QUINTILES] = {
    "Q1 (lowest income)", "Q2", "Q3", "Q4", "Q5 (highest income)",
};

const metric_info metrics_table[METRIC_COUNT] = {
#define METRIC(id, name, bd, unit, doc) [id] = {name, bd, false, unit, doc},
#define AREA_METRIC(id, name, bd, unit, doc) [id] = {name, bd, true, unit, doc},
#include "metrics.def"
};

size_t metrics_len(const metrics_frame *f, enum metric_id m)
{
    const metric_info *mi = &metrics_table[m];
    size_t cells = mi->area ? 1 : (size_t)f->n_nbhd;
    return cells * (size_t)f->bd_size[mi->bd];
}

/* Sizes of the breakdown dimensions for a frame of n_identity groups. */
static void frame_set_sizes(metrics_frame *f, int n_nbhd, int n_identity)
{
    f->n_nbhd = n_nbhd;
    f->bd_size[BD_NONE] = 1;
    f->bd_size[BD_SECTOR] = N_SECTORS;
    f->bd_size[BD_QUINTILE] = N_QUINTILES;
    f->bd_size[BD_IDENTITY] = n_identity;
    f->bd_size[BD_AGE_BAND] = N_AGE_BANDS;
    f->bd_size[BD_GROUP_KIND] = N_GROUP_KINDS;
    f->bd_size[BD_ROUTE] = N_ROUTES;
}

/* Allocates every values[m] zeroed; on failure frees what it took and
 * leaves f empty. The caller owns the arrays (metrics_frame_free). */
size_t metrics_frame_bytes(int n_nbhd, int n_identity)
{
    metrics_frame f;
    memset(&f, 0, sizeof f);
    frame_set_sizes(&f, n_nbhd, n_identity);
    size_t n = 0;
    for (int m = 0; m < METRIC_COUNT; m++) n += metrics_len(&f, (enum metric_id)m);
    return n * sizeof(float);
}

cw_status metrics_frame_init(metrics_frame *f, cw_mem *mem, int n_nbhd, int n_identity)
{
    memset(f, 0, sizeof *f);
    if (n_nbhd < 1 || n_identity < 1 || n_identity > MAX_IDENTITIES) return CW_EINVAL;
    frame_set_sizes(f, n_nbhd, n_identity);
    for (int m = 0; m < METRIC_COUNT; m++) {
        f->values[m] = mem_calloc(mem, metrics_len(f, (enum metric_id)m), sizeof(float));
        if (!f->values[m]) goto out_free_values;
    }
    return CW_OK;

out_free_values:
    metrics_frame_free(f, mem);
    return CW_ENOMEM;
}

void metrics_frame_free(metrics_frame *f, cw_mem *mem)
{
    for (int m = 0; m < METRIC_COUNT; m++) {
        mem_free(mem, f->values[m]);
        f->values[m] = NULL;
    }
}

int metrics_find(const char *name)
{
    for (int m = 0; m < METRIC_COUNT; m++)
        if (strcmp(metrics_table[m].name, name) == 0) return m;
    return -1;
}
