/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * The metric tables generated from metrics.def, the breakdown labels, and
 * the weekly frame that carries one value per metric and cell. Pure data and
 * bookkeeping: the computing of the values lives in model/observe.c.
 */
#include "metrics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


const breakdown_info breakdowns[BD_COUNT] = {
    [BD_NONE] = {"", "no breakdown"},
    [BD_SECTOR] = {"sector", "need sector (sector_name)"},
    [BD_QUINTILE] = {"quintile", "area income quintile, 1 = lowest income (fixed at set-up)"},
    [BD_IDENTITY] = {"identity", "identity group, 0 = majority"},
    [BD_AGE_BAND] = {"age_band", "age band (age_band_name)"},
    [BD_GROUP_KIND] = {"group_kind", "community group kind (group_kind_name)"},
    [BD_ROUTE] = {"route", "route of help (route_name): informal, group, service"},
    [BD_DECILE] = {"decile", "deprivation decile of the neighbourhood, 1 least .. 10 most deprived (/neighbourhoods/decile)"},
    [BD_FIFTH] = {"fifth", "deprivation fifth of the neighbourhood: deciles 1-2 are fifth 1, ..., 9-10 fifth 5 (most deprived)"},
    [BD_QUINTILE_SECTOR] = {"quintile_sector", "(income quintile, sector) pairs, quintile-major: reshape to [quintile, sector]"},
    [BD_IDENTITY_SECTOR] = {"identity_sector", "(identity group, sector) pairs, identity-major: reshape to [identity, sector]"},
    [BD_AGE_BAND_SECTOR] = {"age_band_sector", "(age band, sector) pairs, age-band-major: reshape to [age_band, sector]"},
    [BD_DECILE_SECTOR] = {"decile_sector", "(deprivation decile, sector) pairs, decile-major: reshape to [decile, sector]"},
    [BD_FIFTH_SECTOR] = {"fifth_sector", "(deprivation fifth, sector) pairs, fifth-major: reshape to [fifth, sector]"},
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
    f->bd_size[BD_DECILE] = N_DECILES;
    f->bd_size[BD_FIFTH] = N_FIFTHS;
    f->bd_size[BD_QUINTILE_SECTOR] = N_QUINTILES * N_SECTORS;
    f->bd_size[BD_IDENTITY_SECTOR] = n_identity * N_SECTORS;
    f->bd_size[BD_AGE_BAND_SECTOR] = N_AGE_BANDS * N_SECTORS;
    f->bd_size[BD_DECILE_SECTOR] = N_DECILES * N_SECTORS;
    f->bd_size[BD_FIFTH_SECTOR] = N_FIFTHS * N_SECTORS;
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

/* ---- the public description (commonweal.h) ---- */
int cw_metric_count(void) { return METRIC_COUNT; }
int cw_metric_find(const char *name) { return name ? metrics_find(name) : -1; }

cw_status cw_metric_describe(int index, cw_metric_desc *out)
{
    if (index < 0 || index >= METRIC_COUNT || !out) return CW_EINVAL;
    const metric_info *mi = &metrics_table[index];
    float lo = 0, hi = 0;
    int range = metric_units(mi, out->units, sizeof out->units, &lo, &hi);
    out->name = mi->name;
    out->long_name = mi->doc;
    out->breakdown = breakdowns[mi->bd].dim;
    out->per_neighbourhood = !mi->area;
    out->has_min = (range & 1) != 0;
    out->has_max = (range & 2) != 0;
    out->valid_min = out->has_min ? lo : 0;
    out->valid_max = out->has_max ? hi : 0;
    return CW_OK;
}

/* "UNITS" or "UNITS [MIN,MAX]" / "UNITS [MIN,]" (metrics.def's header). */
int metric_units(const metric_info *mi, char *units, size_t n, float *vmin, float *vmax)
{
    const char *bracket = strchr(mi->unit, '[');
    size_t len = bracket ? (size_t)(bracket - mi->unit) : strlen(mi->unit);
    while (len > 0 && mi->unit[len - 1] == ' ') len--;
    snprintf(units, n, "%.*s", (int)len, mi->unit);
    int flags = 0;
    if (!bracket) return 0;
    char *end;
    float lo = strtof(bracket + 1, &end);
    if (end != bracket + 1) *vmin = lo, flags |= 1;
    if (*end == ',') {
        const char *hi_at = end + 1;
        float hi = strtof(hi_at, &end);
        if (end != hi_at) *vmax = hi, flags |= 2;
    }
    return flags;
}
