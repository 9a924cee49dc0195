/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * The HDF5 output (docs/OUTPUT.md). Plain HDF5 written so that netCDF-4 and
 * therefore ncdump and xarray read it with named dimensions:
 *  - every dimension is a dimension-scale dataset (H5DSset_scale) holding
 *    its coordinate values, attached to every dataset that uses it;
 *  - the file and each group track link and attribute creation order, which
 *    netCDF-4 uses to number dimensions and variables;
 *  - text is variable-length UTF-8 strings (netCDF's NC_STRING).
 * Weeks are kept in memory and written as one hyperslab per dataset at each
 * flush; between flushes the file is not touched, so a run killed there
 * leaves every flushed week readable.
 */
#include "output.h"

#include <math.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#include "events.h"
#include "outsafe.h"
#include "world.h" /* group_kind_names */

#define OUT_CHUNK_BYTES ((size_t)1 << 20)   /* metric chunks stay under this    */
#define OUT_BUFFER_BYTES ((size_t)64 << 20) /* weeks held in memory, at most    */
#define OUT_ROW_CHUNK 256                   /* rows per chunk of 1-D tables     */

/* The first coordinate value along each breakdown dimension (else 0). */
static const int32_t bd_first[BD_COUNT] = {[BD_QUINTILE] = 1, [BD_DECILE] = 1, [BD_FIFTH] = 1};

/* The label variable of each breakdown that has one. */
static const struct {
    enum breakdown bd;
    const char *var;
    const char *const *names;
    int n;
} out_labels[] = {
    {BD_SECTOR, "sector_name", sector_names, N_SECTORS},
    {BD_QUINTILE, "quintile_name", quintile_names, N_QUINTILES},
    {BD_AGE_BAND, "age_band_name", age_band_names, N_AGE_BANDS},
    {BD_GROUP_KIND, "group_kind_name", group_kind_names, N_GROUP_KINDS},
    {BD_ROUTE, "route_name", route_names, N_ROUTES},
};
#define N_OUT_LABELS (sizeof out_labels / sizeof out_labels[0])

/* The labels made at set-up: deciles and fifths ("decile 1"), and the
 * (group, sector) breakdowns ("GROUP / SECTOR"). */
static const struct {
    enum breakdown bd, group;
    const char *var;
} out_pair_labels[] = {
    {BD_DECILE, BD_DECILE, "decile_name"},
    {BD_FIFTH, BD_FIFTH, "fifth_name"},
    {BD_QUINTILE_SECTOR, BD_QUINTILE, "quintile_sector_name"},
    {BD_IDENTITY_SECTOR, BD_IDENTITY, "identity_sector_name"},
    {BD_AGE_BAND_SECTOR, BD_AGE_BAND, "age_band_sector_name"},
    {BD_DECILE_SECTOR, BD_DECILE, "decile_sector_name"},
    {BD_FIFTH_SECTOR, BD_FIFTH, "fifth_sector_name"},
};
#define N_OUT_PAIR_LABELS (sizeof out_pair_labels / sizeof out_pair_labels[0])

/* The columns of /events. */
enum ev_col { EVC_WEEK, EVC_NBHD, EVC_KIND, EVC_DETAIL, EVC_VALUE, EVC_COUNT };

typedef struct out_events {
    hid_t group, index;            /* /events and its dimension scale `event` */
    hid_t col[EVC_COUNT];
    int32_t *week, *nbhd, *kind, *detail;
    double *value;
    size_t n, cap;                 /* rows buffered                          */
    hsize_t written;               /* rows in the file                       */
} out_events;

struct output {
    char *path, *partial;
    hid_t file;
    hid_t week, nbhd;              /* the dimension-scale datasets ...        */
    hid_t bd_scale[BD_COUNT];      /* ... one per breakdown (BD_NONE: none)   */
    hid_t burn_in;
    hid_t metric[METRIC_COUNT];
    size_t week_len[METRIC_COUNT]; /* floats per week of each metric          */
    int n_nbhd;
    int bd_size[BD_COUNT];         /* from the metrics frame                  */
    /* weeks buffered since the last write, week-major */
    float *buf[METRIC_COUNT];
    int32_t *buf_week;
    uint8_t *buf_burn_in;
    int buf_weeks, n_buffered;
    int flush_every, since_flush;
    int deflate;
    hsize_t weeks_written;         /* weeks in the file                      */
    int failed;                    /* a write failed: never mark complete    */
    int lock_fd;                   /* the partial, locked (outsafe_lock)     */
    out_events ev;
};

/* ---- errors ------------------------------------------------------------------- */

/* The writer's allocations: a failure is remembered, so that the message of
 * the call that fails says "out of memory" (CW_ENOMEM) instead of blaming
 * HDF5. Cleared when a public call begins (output_quiet_begin). */
static _Thread_local int alloc_failed;

void *output_malloc(size_t n)
{
    void *p = malloc(n);
    if (!p) alloc_failed = 1;
    return p;
}

void *output_calloc(size_t k, size_t n)
{
    void *p = calloc(k, n);
    if (!p) alloc_failed = 1;
    return p;
}

void *output_realloc(void *old, size_t n)
{
    void *p = realloc(old, n);
    if (!p) alloc_failed = 1;
    return p;
}

output_quiet output_quiet_begin(void)
{
    output_quiet q;
    H5Eget_auto2(H5E_DEFAULT, &q.func, &q.data);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    alloc_failed = 0;
    return q;
}

void output_quiet_end(output_quiet q)
{
    H5Eclear2(H5E_DEFAULT);
    H5Eset_auto2(H5E_DEFAULT, q.func, q.data);
}

/* The reason for a failed call: a system call's failure anywhere on the
 * HDF5 error stack (the file driver's "... errno = 27, error message =
 * 'File too large', ..."), as just the system's message; else the innermost
 * error's description (the first walking upward). A write that goes
 * straight to the file (no chunk cache) fails deeper in the stack than one
 * that fails at the flush, so the whole stack is searched. */
static herr_t reason_visit(unsigned n, const H5E_error2_t *e, void *data)
{
    if (!e->desc) return 0;
    const char *sys = strstr(e->desc, "error message = '");
    if (sys) {
        sys += strlen("error message = '");
        const char *end = strchr(sys, '\'');
        snprintf(data, 256, "%.*s", end ? (int)(end - sys) : 200, sys);
        return 1; /* a system's reason: the walk stops */
    }
    if (n == 0) snprintf(data, 256, "%s", e->desc);
    return 0;
}

static cw_status io_fail(char *err, size_t errlen, const char *path, const char *what)
{
    if (alloc_failed) {
        alloc_failed = 0;
        snprintf(err, errlen, "%s: cannot write %s: out of memory", path, what);
        return CW_ENOMEM;
    }
    char reason[256] = "HDF5 error";
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, reason_visit, reason);
    snprintf(err, errlen, "%s: cannot write %s: %s", path, what, reason);
    return CW_EIO;
}

/* ---- small HDF5 helpers ----------------------------------------------------------- */

static hid_t str_type(void)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    if (t < 0) return t;
    if (H5Tset_size(t, H5T_VARIABLE) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0) {
        H5Tclose(t);
        return -1;
    }
    return t;
}

static void close_dataset(hid_t *id)
{
    if (*id > 0) H5Dclose(*id);
    *id = -1;
}

/* Group creation properties netCDF-4 needs: tracked and indexed order. */
static hid_t ordered_gcpl(void)
{
    hid_t p = H5Pcreate(H5P_GROUP_CREATE);
    if (p < 0) return p;
    unsigned f = H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED;
    if (H5Pset_link_creation_order(p, f) < 0 || H5Pset_attr_creation_order(p, f) < 0) {
        H5Pclose(p);
        return -1;
    }
    return p;
}

static hid_t ordered_group(hid_t loc, const char *name)
{
    hid_t p = ordered_gcpl();
    if (p < 0) return p;
    hid_t g = H5Gcreate2(loc, name, H5P_DEFAULT, p, H5P_DEFAULT);
    H5Pclose(p);
    return g;
}

/* Write a scalar attribute; one that exists (written by this file, so of
 * the same type) is overwritten in place, keeping its creation order. */
static herr_t attr_put(hid_t loc, const char *name, hid_t type, const void *value)
{
    htri_t exists = H5Aexists(loc, name);
    if (exists < 0) return -1;
    hid_t space = exists ? -1 : H5Screate(H5S_SCALAR);
    if (!exists && space < 0) return -1;
    hid_t a = exists ? H5Aopen(loc, name, H5P_DEFAULT)
                     : H5Acreate2(loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    herr_t rc = a < 0 ? -1 : H5Awrite(a, type, value);
    if (a >= 0) H5Aclose(a);
    if (space >= 0) H5Sclose(space);
    return rc;
}

static herr_t attr_str(hid_t loc, const char *name, const char *s)
{
    hid_t t = str_type();
    if (t < 0) return -1;
    herr_t rc = attr_put(loc, name, t, &s);
    H5Tclose(t);
    return rc;
}

static herr_t attr_i32(hid_t loc, const char *name, int32_t v)
{
    return attr_put(loc, name, H5T_NATIVE_INT32, &v);
}

static herr_t attr_i32_array(hid_t loc, const char *name, const int32_t *v, hsize_t n)
{
    hid_t space = H5Screate_simple(1, &n, NULL);
    if (space < 0) return -1;
    hid_t a = H5Acreate2(loc, name, H5T_NATIVE_INT32, space, H5P_DEFAULT, H5P_DEFAULT);
    herr_t rc = a < 0 ? -1 : H5Awrite(a, H5T_NATIVE_INT32, v);
    if (a >= 0) H5Aclose(a);
    H5Sclose(space);
    return rc;
}

/* long_name and units, the two attributes every variable carries. */
static herr_t attr_describe(hid_t ds, const char *long_name, const char *units)
{
    if (long_name && attr_str(ds, "long_name", long_name) < 0) return -1;
    if (units && attr_str(ds, "units", units) < 0) return -1;
    return 0;
}

/* Dataset creation properties: attribute order tracked (netCDF-4), and when
 * chunk is given, chunked with shuffle + deflate at level deflate (< 0: no
 * filters, 0: shuffle only). */
static hid_t make_dcpl(int rank, const hsize_t *chunk, int deflate)
{
    hid_t p = H5Pcreate(H5P_DATASET_CREATE);
    if (p < 0) return p;
    unsigned f = H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED;
    if (H5Pset_attr_creation_order(p, f) < 0) goto out_close_plist;
    if (chunk && H5Pset_chunk(p, rank, chunk) < 0) goto out_close_plist;
    if (chunk && deflate >= 0 && H5Pset_shuffle(p) < 0) goto out_close_plist;
    if (chunk && deflate > 0 && H5Pset_deflate(p, (unsigned)deflate) < 0) goto out_close_plist;
    return p;

out_close_plist:
    H5Pclose(p);
    return -1;
}

/* Growing datasets get no chunk cache: every write covers whole chunks
 * (buffer_weeks, metric_chunk), which HDF5 then writes straight to the file,
 * instead of keeping up to 1 MiB per dataset in memory (hundreds of MiB
 * for a file of many neighbourhoods) until the file is closed. */
static hid_t no_cache_dapl(void)
{
    hid_t dapl = H5Pcreate(H5P_DATASET_ACCESS);
    if (dapl >= 0 && H5Pset_chunk_cache(dapl, H5D_CHUNK_CACHE_NSLOTS_DEFAULT, 0, H5D_CHUNK_CACHE_W0_DEFAULT) < 0) {
        H5Pclose(dapl);
        return -1;
    }
    return dapl;
}

/* A dataset of shape dims; grow makes dims[0] unlimited (then chunk is
 * required). */
static hid_t make_dataset(hid_t loc, const char *name, hid_t type, int rank, const hsize_t *dims,
                          int grow, const hsize_t *chunk, int deflate)
{
    hsize_t maxdims[H5S_MAX_RANK];
    for (int i = 0; i < rank; i++) maxdims[i] = dims[i];
    if (grow) maxdims[0] = H5S_UNLIMITED;
    hid_t space = H5Screate_simple(rank, dims, maxdims);
    if (space < 0) return -1;
    hid_t dcpl = make_dcpl(rank, chunk, deflate);
    hid_t dapl = grow ? no_cache_dapl() : H5P_DEFAULT;
    hid_t ds = -1;
    if (dcpl >= 0 && dapl >= 0) ds = H5Dcreate2(loc, name, type, space, H5P_DEFAULT, dcpl, dapl);
    if (dcpl >= 0) H5Pclose(dcpl);
    if (grow && dapl >= 0) H5Pclose(dapl);
    H5Sclose(space);
    return ds;
}

/* A fixed 1-D variable on dimension `scale`, written whole from buf. */
static herr_t write_column(hid_t loc, const char *name, hid_t type, hsize_t n, const void *buf,
                           hid_t scale, const char *long_name, const char *units)
{
    hid_t ds = make_dataset(loc, name, type, 1, &n, 0, NULL, -1);
    if (ds < 0) return -1;
    herr_t rc = H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
    if (rc >= 0) rc = H5DSattach_scale(ds, scale, 0);
    if (rc >= 0) rc = attr_describe(ds, long_name, units);
    H5Dclose(ds);
    return rc;
}

static herr_t write_strings(hid_t loc, const char *name, hsize_t n, const char *const *s,
                            hid_t scale, const char *long_name)
{
    hid_t t = str_type();
    if (t < 0) return -1;
    herr_t rc = write_column(loc, name, t, n, s, scale, long_name, NULL);
    H5Tclose(t);
    return rc;
}

/* Extend ds along its first dimension to at + n and write n rows from buf;
 * row holds the sizes of the other dimensions (rank - 1 of them). */
static herr_t append_rows(hid_t ds, hid_t type, int rank, const hsize_t *row, hsize_t at,
                          hsize_t n, const void *buf)
{
    hsize_t size[3] = {at + n, 0, 0}, start[3] = {at, 0, 0}, count[3] = {n, 0, 0};
    for (int i = 1; i < rank; i++) size[i] = count[i] = row[i - 1];
    if (n == 0) return 0;
    if (H5Dset_extent(ds, size) < 0) return -1;
    hid_t file_space = H5Dget_space(ds);
    if (file_space < 0) return -1;
    herr_t rc = H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start, NULL, count, NULL);
    hid_t mem_space = rc < 0 ? -1 : H5Screate_simple(rank, count, NULL);
    if (mem_space < 0) rc = -1;
    if (rc >= 0) rc = H5Dwrite(ds, type, mem_space, file_space, H5P_DEFAULT, buf);
    /* the closes below would clear the error stack that says why (io_fail) */
    hid_t why = rc < 0 ? H5Eget_current_stack() : -1;
    if (mem_space >= 0) H5Sclose(mem_space);
    H5Sclose(file_space);
    if (why >= 0) H5Eset_current_stack(why);
    return rc;
}

/* ---- the set-up: dimensions, labels, metrics ---------------------------------------- */

/* A dimension scale of n int32 values first, first+1, ... */
static hid_t make_index_scale(hid_t loc, const char *name, int n, int32_t first,
                              const char *long_name)
{
    hsize_t len = (hsize_t)n;
    int32_t *v = output_malloc((size_t)n * sizeof *v);
    if (!v) return -1;
    for (int i = 0; i < n; i++) v[i] = first + i;
    hid_t ds = make_dataset(loc, name, H5T_NATIVE_INT32, 1, &len, 0, NULL, -1);
    herr_t rc = ds < 0 ? -1 : H5Dwrite(ds, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
    if (rc >= 0) rc = H5DSset_scale(ds, name);
    if (rc >= 0) rc = attr_describe(ds, long_name, NULL);
    free(v);
    if (rc < 0 && ds >= 0) H5Dclose(ds);
    return rc < 0 ? -1 : ds;
}

/* An empty, growing int32 dimension scale (week, event). */
static hid_t make_growing_scale(hid_t loc, const char *name, const char *long_name,
                                const char *units)
{
    hsize_t zero = 0, chunk = OUT_ROW_CHUNK;
    hid_t ds = make_dataset(loc, name, H5T_NATIVE_INT32, 1, &zero, 1, &chunk, -1);
    if (ds < 0) return -1;
    if (H5DSset_scale(ds, name) < 0 || attr_describe(ds, long_name, units) < 0) {
        H5Dclose(ds);
        return -1;
    }
    return ds;
}

/* week (empty, growing), neighbourhood, then one per breakdown. */
static herr_t write_dimensions(output *o)
{
    o->week = make_growing_scale(o->file, "week", "reported week (negative during the burn-in)",
                                 "week");
    if (o->week >= 0 && attr_str(o->week, "axis", "T") < 0) return -1;
    o->nbhd = make_index_scale(o->file, "neighbourhood", o->n_nbhd, 0,
                               "neighbourhood index (row of /neighbourhoods)");
    if (o->week < 0 || o->nbhd < 0) return -1;
    for (int bd = BD_NONE + 1; bd < BD_COUNT; bd++) {
        o->bd_scale[bd] = make_index_scale(o->file, breakdowns[bd].dim, o->bd_size[bd],
                                           bd_first[bd], breakdowns[bd].doc);
        if (o->bd_scale[bd] < 0) return -1;
    }
    return 0;
}

/* Group g of breakdown bd in words, for the (group, sector) labels. */
static void group_label(enum breakdown bd, int g, char *buf, size_t n)
{
    switch (bd) {
    case BD_QUINTILE: snprintf(buf, n, "%s", quintile_names[g]); break;
    case BD_AGE_BAND: snprintf(buf, n, "age %s", age_band_names[g]); break;
    case BD_IDENTITY: snprintf(buf, n, "identity %d%s", g, g == IDENTITY_MAJORITY ? " (majority)" : ""); break;
    case BD_DECILE: snprintf(buf, n, "decile %d", g + 1); break;
    default: snprintf(buf, n, "fifth %d", g + 1); break;
    }
}

/* Labels made at set-up: "GROUP / SECTOR" for (group, sector) pairs
 * (group != bd), else "decile 1" etc. */
static herr_t write_pair_labels(output *o, enum breakdown bd, enum breakdown group, const char *var)
{
    int n = o->bd_size[bd];
    char *text = output_malloc((size_t)n * 64);
    const char **names = output_malloc((size_t)n * sizeof *names);
    herr_t rc = text && names ? 0 : -1;
    for (int c = 0; rc >= 0 && c < n; c++) {
        char g[48];
        group_label(group, group == bd ? c : c / N_SECTORS, g, sizeof g);
        if (group == bd) snprintf(text + (size_t)c * 64, 64, "%s", g);
        else snprintf(text + (size_t)c * 64, 64, "%s / %s", g, sector_names[c % N_SECTORS]);
        names[c] = text + (size_t)c * 64;
    }
    if (rc >= 0) rc = write_strings(o->file, var, (hsize_t)n, names, o->bd_scale[bd], breakdowns[bd].doc);
    free(text);
    free(names);
    return rc;
}

static herr_t write_labels(output *o)
{
    for (size_t i = 0; i < N_OUT_LABELS; i++) {
        enum breakdown bd = out_labels[i].bd;
        if (out_labels[i].n != o->bd_size[bd]) continue; /* sized otherwise: no labels */
        if (write_strings(o->file, out_labels[i].var, (hsize_t)out_labels[i].n,
                          out_labels[i].names, o->bd_scale[bd], breakdowns[bd].doc) < 0)
            return -1;
    }
    for (size_t i = 0; i < N_OUT_PAIR_LABELS; i++)
        if (write_pair_labels(o, out_pair_labels[i].bd, out_pair_labels[i].group, out_pair_labels[i].var) < 0)
            return -1;
    hsize_t zero = 0, chunk = OUT_ROW_CHUNK;
    o->burn_in = make_dataset(o->file, "burn_in", H5T_NATIVE_UINT8, 1, &zero, 1, &chunk, -1);
    if (o->burn_in < 0 || H5DSattach_scale(o->burn_in, o->week, 0) < 0) return -1;
    return attr_describe(o->burn_in, "1 for burn-in weeks (before week 0), else 0", "1");
}

/* The dimensions of metric m, week, neighbourhood?, breakdown?: their
 * scales and sizes (size[0], the weeks, is 0). Returns the rank. */
static int metric_dims(const output *o, int m, hid_t *scale, hsize_t *size)
{
    const metric_info *mi = &metrics_table[m];
    int rank = 0;
    scale[rank] = o->week, size[rank++] = 0;
    if (!mi->area) scale[rank] = o->nbhd, size[rank++] = (hsize_t)o->n_nbhd;
    if (mi->bd != BD_NONE)
        scale[rank] = o->bd_scale[mi->bd], size[rank++] = (hsize_t)o->bd_size[mi->bd];
    return rank;
}

/* Chunks of whole weeks up to OUT_CHUNK_BYTES, a divisor of the weeks one
 * write holds so that each write fills whole chunks; a week bigger than
 * that is split along the neighbourhoods. */
static void metric_chunk(const output *o, int rank, const hsize_t *dims, hsize_t *chunk)
{
    size_t week_bytes = sizeof(float);
    for (int i = 1; i < rank; i++) week_bytes *= dims[i], chunk[i] = dims[i];
    size_t weeks = OUT_CHUNK_BYTES / week_bytes;
    if (weeks > (size_t)o->buf_weeks) weeks = (size_t)o->buf_weeks;
    while (weeks > 1 && o->buf_weeks % (int)weeks != 0) weeks--;
    chunk[0] = weeks > 0 ? weeks : 1;
    if (weeks == 0 && rank > 1) {
        size_t inner = week_bytes / dims[1];
        chunk[1] = OUT_CHUNK_BYTES / inner > 0 ? OUT_CHUNK_BYTES / inner : 1;
    }
}

/* The CF coordinates attribute: burn_in and the breakdown's labels. */
static void metric_coordinates(int m, char *buf, size_t n)
{
    snprintf(buf, n, "burn_in");
    for (size_t i = 0; i < N_OUT_LABELS; i++)
        if (out_labels[i].bd == metrics_table[m].bd)
            snprintf(buf, n, "burn_in %s", out_labels[i].var);
    for (size_t i = 0; i < N_OUT_PAIR_LABELS; i++)
        if (out_pair_labels[i].bd == metrics_table[m].bd)
            snprintf(buf, n, "burn_in %s", out_pair_labels[i].var);
}

/* A metric's CF attributes: long_name, units (UDUNITS-2), valid_min and
 * valid_max where metrics.def gives a range, _FillValue (NaN) when cells can
 * stay unwritten (fill), and coordinates. */
static herr_t metric_attrs(hid_t ds, int m, int fill)
{
    const metric_info *mi = &metrics_table[m];
    char units[64], coords[64];
    float vmin = 0, vmax = 0, nan = NAN;
    int range = metric_units(mi, units, sizeof units, &vmin, &vmax);
    metric_coordinates(m, coords, sizeof coords);
    if (attr_describe(ds, mi->doc, units) < 0) return -1;
    if ((range & 1) && attr_put(ds, "valid_min", H5T_NATIVE_FLOAT, &vmin) < 0) return -1;
    if ((range & 2) && attr_put(ds, "valid_max", H5T_NATIVE_FLOAT, &vmax) < 0) return -1;
    if (fill && attr_put(ds, "_FillValue", H5T_NATIVE_FLOAT, &nan) < 0) return -1;
    return attr_str(ds, "coordinates", coords);
}

static herr_t create_metric(output *o, int m)
{
    const metric_info *mi = &metrics_table[m];
    hid_t scale[3];
    hsize_t dims[3], chunk[3];
    int rank = metric_dims(o, m, scale, dims);
    metric_chunk(o, rank, dims, chunk);
    o->metric[m] = make_dataset(o->file, mi->name, H5T_NATIVE_FLOAT, rank, dims, 1, chunk,
                                o->deflate);
    if (o->metric[m] < 0) return -1;
    for (int i = 0; i < rank; i++)
        if (H5DSattach_scale(o->metric[m], scale[i], (unsigned)i) < 0) return -1;
    return metric_attrs(o->metric[m], m, 0);
}

static herr_t create_metrics(output *o)
{
    for (int m = 0; m < METRIC_COUNT; m++)
        if (create_metric(o, m) < 0) return -1;
    return 0;
}

/* ---- the set-up: /neighbourhoods, /events, /parameters, root attributes ------------ */

/* The LA name (or code) of each neighbourhood (borrowed pointers), or NULL. */
static const char **la_names_per_nbhd(const output_setup *s, const char *const *names)
{
    const char **v = output_calloc((size_t)s->n_nbhd, sizeof *v);
    if (!v) return NULL;
    for (int i = 0; i < s->n_nbhd; i++) {
        int32_t la = s->nbhd_la[i];
        v[i] = la >= 0 && la < s->n_la ? names[la] : "";
    }
    return v;
}

/* A per-LA string column repeated per neighbourhood. */
static herr_t write_la_strings(hid_t g, const output_setup *s, hid_t scale, const char *var,
                               const char *const *names, const char *doc)
{
    const char **v = la_names_per_nbhd(s, names);
    if (!v) return -1;
    herr_t rc = write_strings(g, var, (hsize_t)s->n_nbhd, v, scale, doc);
    free(v);
    return rc;
}

/* Official codes are written when the table has them (any not ""). */
static int any_code(const char *const *codes, int n)
{
    for (int i = 0; codes && i < n; i++)
        if (codes[i] && codes[i][0]) return 1;
    return 0;
}

static herr_t write_nbhd_la(hid_t g, const output_setup *s, hid_t scale)
{
    hsize_t n = (hsize_t)s->n_nbhd;
    if (!s->nbhd_la) return 0;
    if (write_column(g, "la", H5T_NATIVE_INT32, n, s->nbhd_la, scale,
                     "local authority index", NULL) < 0)
        return -1;
    if (!s->la_name) return 0;
    if (write_la_strings(g, s, scale, "la_name", s->la_name, "local authority") < 0) return -1;
    if (any_code(s->la_code, s->n_la) &&
        write_la_strings(g, s, scale, "la_code", s->la_code, "local authority code (e.g. ONS E06000009)") < 0)
        return -1;
    return 0;
}

/* Each column that the set-up provides (NULL ones are left out). */
static herr_t write_nbhd_columns(hid_t g, const output_setup *s, hid_t scale)
{
    hsize_t n = (hsize_t)s->n_nbhd;
    if (s->nbhd_name && write_strings(g, "name", n, s->nbhd_name, scale, "neighbourhood") < 0)
        return -1;
    if (any_code(s->nbhd_code, s->n_nbhd) &&
        write_strings(g, "code", n, s->nbhd_code, scale, "neighbourhood code (e.g. LSOA 2011 E01012662)") < 0)
        return -1;
    if (write_nbhd_la(g, s, scale) < 0) return -1;
    if (s->deprivation && write_column(g, "deprivation", H5T_NATIVE_FLOAT, n, s->deprivation,
                                       scale, "deprivation index (0 least, 1 most deprived)",
                                       "1") < 0)
        return -1;
    if (s->decile && write_column(g, "decile", H5T_NATIVE_INT32, n, s->decile, scale,
                                  "deprivation decile (1 least, 10 most deprived)", NULL) < 0)
        return -1;
    if (s->population && write_column(g, "population", H5T_NATIVE_INT32, n, s->population, scale,
                                      "adult residents at set-up", "1") < 0)
        return -1;
    if (s->space_quality && write_column(g, "space_quality", H5T_NATIVE_FLOAT, n,
                                         s->space_quality, scale,
                                         "quality of shared space (0 none, 1 best)",
                                         "1") < 0)
        return -1;
    return 0;
}

static herr_t write_neighbourhoods(output *o, const output_setup *s)
{
    hid_t g = ordered_group(o->file, "neighbourhoods");
    if (g < 0) return -1;
    herr_t rc = write_nbhd_columns(g, s, o->nbhd);
    H5Gclose(g);
    return rc;
}

/* flag_values, flag_meanings and a comment on /events/kind from events.h. */
static herr_t describe_event_kinds(hid_t ds)
{
    static const int32_t codes[] = {
#define EV_CODE(name, code, str, doc) code,
        EVENT_KIND_TABLE(EV_CODE)
#undef EV_CODE
    };
    static const char meanings[] =
#define EV_MEANING(name, code, str, doc) " " str
        EVENT_KIND_TABLE(EV_MEANING)
#undef EV_MEANING
        ;
    static const char comment[] =
#define EV_COMMENT(name, code, str, doc) "; " str ": " doc
        EVENT_KIND_TABLE(EV_COMMENT)
#undef EV_COMMENT
        ;
    if (attr_i32_array(ds, "flag_values", codes, sizeof codes / sizeof codes[0]) < 0) return -1;
    if (attr_str(ds, "flag_meanings", meanings + 1) < 0) return -1;
    return attr_str(ds, "comment", comment + 2);
}

static const struct {
    const char *name, *long_name;
} ev_cols[EVC_COUNT] = {
    [EVC_WEEK] = {"week", "reported week of the event"},
    [EVC_NBHD] = {"neighbourhood", "neighbourhood index (-1 = area-wide)"},
    [EVC_KIND] = {"kind", "event kind"},
    [EVC_DETAIL] = {"detail", "kind-specific integer (see comment on kind)"},
    [EVC_VALUE] = {"value", "kind-specific value (see comment on kind)"},
};

static herr_t create_events(output *o)
{
    out_events *ev = &o->ev;
    ev->group = ordered_group(o->file, "events");
    if (ev->group < 0) return -1;
    ev->index = make_growing_scale(ev->group, "event", "event row", NULL);
    if (ev->index < 0) return -1;
    hsize_t zero = 0, chunk = OUT_ROW_CHUNK;
    for (int c = 0; c < EVC_COUNT; c++) {
        hid_t type = c == EVC_VALUE ? H5T_NATIVE_DOUBLE : H5T_NATIVE_INT32;
        ev->col[c] = make_dataset(ev->group, ev_cols[c].name, type, 1, &zero, 1, &chunk, -1);
        if (ev->col[c] < 0 || H5DSattach_scale(ev->col[c], ev->index, 0) < 0) return -1;
        if (attr_describe(ev->col[c], ev_cols[c].long_name, NULL) < 0) return -1;
    }
    return describe_event_kinds(ev->col[EVC_KIND]);
}

static herr_t write_parameter(hid_t g, const cw_params *p, const param_info *pi)
{
    const void *v = (const char *)p + pi->offset;
    switch (pi->kind) {
    case PK_INT: return attr_put(g, pi->path, H5T_NATIVE_INT64, v);
    case PK_REAL: return attr_put(g, pi->path, H5T_NATIVE_DOUBLE, v);
    case PK_BOOL: {
        uint8_t b = *(const bool *)v;
        return attr_put(g, pi->path, H5T_NATIVE_UINT8, &b);
    }
    case PK_STR: return attr_str(g, pi->path, v);
    case PK_ENUM: { /* by name: the value a scenario file would hold */
        char name[64];
        return attr_str(g, pi->path, params_enum_name(pi, *(const int *)v, name, sizeof name));
    }
    }
    return -1;
}

static herr_t write_parameters(output *o, const cw_params *p)
{
    hid_t g = ordered_group(o->file, "parameters");
    if (g < 0) return -1;
    herr_t rc = 0;
    for (size_t i = 0; p && i < params_count && rc >= 0; i++)
        rc = write_parameter(g, p, &params_table[i]);
    H5Gclose(g);
    return rc;
}

static void now_iso8601(char *buf, size_t n)
{
    time_t t = time(NULL);
    struct tm tm;
    if (!gmtime_r(&t, &tm) || !strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm)) snprintf(buf, n, "?");
}

static herr_t write_root_attrs(output *o, const output_setup *s)
{
    char start[32], host[256] = "";
    now_iso8601(start, sizeof start);
    if (gethostname(host, sizeof host - 1) != 0) snprintf(host, sizeof host, "unknown");
    hid_t f = o->file;
    int64_t n_residents = s->n_residents;
    if (attr_str(f, "Conventions", "CF-1.8") < 0) return -1;
    if (output_h5_cf_root(f, "run", s->scenario_yaml, s->history) < 0) return -1;
    if (attr_str(f, "kind", "run") < 0) return -1;
    if (attr_i32(f, "schema_version", cw_schema_version()) < 0) return -1;
    if (attr_str(f, "program_version", cw_version()) < 0) return -1;
    if (attr_str(f, "scenario", s->scenario_yaml ? s->scenario_yaml : "") < 0) return -1;
    if (attr_put(f, "seed", H5T_NATIVE_UINT64, &s->seed) < 0) return -1;
    if (attr_i32(f, "threads", s->threads) < 0) return -1;
    if (attr_put(f, "n_residents", H5T_NATIVE_INT64, &n_residents) < 0) return -1;
    if (attr_str(f, "start_time", start) < 0 || attr_str(f, "host", host) < 0) return -1;
    if (attr_i32(f, "weeks_planned", s->n_weeks) < 0) return -1;
    if (attr_i32(f, "burn_in_weeks", s->burn_in_weeks) < 0) return -1;
    if (attr_i32(f, "weeks_written", 0) < 0) return -1;
    double no_time = 0.0;
    if (attr_put(f, "wall_seconds", H5T_NATIVE_DOUBLE, &no_time) < 0) return -1;
    return attr_i32(f, "complete", 0);
}

/* ---- allocation -------------------------------------------------------------------- */

static void out_free(output *o)
{
    if (!o) return;
    for (int m = 0; m < METRIC_COUNT; m++) free(o->buf[m]);
    free(o->buf_week);
    free(o->buf_burn_in);
    free(o->ev.week);
    free(o->ev.nbhd);
    free(o->ev.kind);
    free(o->ev.detail);
    free(o->ev.value);
    free(o->path);
    free(o->partial);
    if (o->lock_fd >= 0) close(o->lock_fd); /* after the file's close and rename */
    free(o);
}

static char *str_dup(const char *s, const char *suffix)
{
    size_t n = strlen(s) + strlen(suffix) + 1;
    char *d = output_malloc(n);
    if (d) snprintf(d, n, "%s%s", s, suffix);
    return d;
}

/* Weeks held between writes: a flush interval, unless that would pass
 * OUT_BUFFER_BYTES. */
static int buffer_weeks(const output *o)
{
    size_t week_bytes = 0;
    for (int m = 0; m < METRIC_COUNT; m++) week_bytes += o->week_len[m] * sizeof(float);
    size_t weeks = week_bytes ? OUT_BUFFER_BYTES / week_bytes : (size_t)o->flush_every;
    if (weeks > (size_t)o->flush_every) weeks = (size_t)o->flush_every;
    /* a divisor of the flush interval: every write then ends on a chunk
     * boundary, and no chunk a checkpoint counts is ever written again */
    while (weeks > 1 && o->flush_every % (int)weeks != 0) weeks--;
    return weeks > 0 ? (int)weeks : 1;
}

static int out_alloc_buffers(output *o)
{
    size_t w = (size_t)o->buf_weeks;
    for (int m = 0; m < METRIC_COUNT; m++)
        if (!(o->buf[m] = output_calloc(w * o->week_len[m] + 1, sizeof(float)))) return -1;
    o->buf_week = output_calloc(w, sizeof *o->buf_week);
    o->buf_burn_in = output_calloc(w, sizeof *o->buf_burn_in);
    return o->buf_week && o->buf_burn_in ? 0 : -1;
}

/* The handle with its buffers; no HDF5 object yet (all ids -1). */
static output *out_alloc(const output_setup *s, const metrics_frame *shape)
{
    output *o = output_calloc(1, sizeof *o);
    if (!o) return NULL;
    o->file = o->week = o->nbhd = o->burn_in = o->ev.group = o->ev.index = -1;
    o->lock_fd = -1;
    for (int bd = 0; bd < BD_COUNT; bd++) o->bd_scale[bd] = -1;
    for (int m = 0; m < METRIC_COUNT; m++) o->metric[m] = -1;
    for (int c = 0; c < EVC_COUNT; c++) o->ev.col[c] = -1;
    o->n_nbhd = s->n_nbhd;
    memcpy(o->bd_size, shape->bd_size, sizeof o->bd_size);
    o->flush_every = s->params ? (int)s->params->output_flush_every : 13;
    o->deflate = s->params ? (int)s->params->output_compression : 4;
    if (o->flush_every < 1) o->flush_every = 1;
    for (int m = 0; m < METRIC_COUNT; m++) o->week_len[m] = metrics_len(shape, (enum metric_id)m);
    o->buf_weeks = buffer_weeks(o);
    o->path = str_dup(s->path, "");
    o->partial = str_dup(s->path, ".partial");
    if (!o->path || !o->partial || out_alloc_buffers(o) < 0) {
        out_free(o);
        return NULL;
    }
    return o;
}

/* Closes every HDF5 object and the file; returns < 0 if the close failed. */
static herr_t out_close_objects(output *o)
{
    for (int c = 0; c < EVC_COUNT; c++) close_dataset(&o->ev.col[c]);
    close_dataset(&o->ev.index);
    if (o->ev.group >= 0) H5Gclose(o->ev.group);
    o->ev.group = -1;
    for (int m = 0; m < METRIC_COUNT; m++) close_dataset(&o->metric[m]);
    close_dataset(&o->burn_in);
    for (int bd = 0; bd < BD_COUNT; bd++) close_dataset(&o->bd_scale[bd]);
    close_dataset(&o->nbhd);
    close_dataset(&o->week);
    herr_t rc = 0;
    if (o->file >= 0) rc = H5Fclose(o->file);
    o->file = -1;
    return rc;
}

/* ---- open -------------------------------------------------------------------------- */

static cw_status setup_check(const output_setup *s, const metrics_frame *shape, char *err,
                             size_t errlen)
{
    if (!s->path || !*s->path) {
        snprintf(err, errlen, "no output path");
        return CW_EINVAL;
    }
    if (s->n_nbhd < 1 || s->n_identity < 1 || shape->n_nbhd != s->n_nbhd ||
        shape->bd_size[BD_IDENTITY] != s->n_identity) {
        snprintf(err, errlen, "%s: metrics frame (%d neighbourhoods, %d identities) does not "
                 "match the set-up (%d, %d)", s->path, shape->n_nbhd,
                 shape->bd_size[BD_IDENTITY], s->n_nbhd, s->n_identity);
        return CW_EINVAL;
    }
    for (int bd = BD_NONE + 1; bd < BD_COUNT; bd++)
        if (shape->bd_size[bd] < 1) {
            snprintf(err, errlen, "%s: breakdown %s has no size", s->path, breakdowns[bd].dim);
            return CW_EINVAL;
        }
    return CW_OK;
}

/* Refuse an existing PATH without force; say why the directory will not do. */
static cw_status path_check(const char *path, int force, char *err, size_t errlen)
{
    cw_status st = outsafe_target(path, "output", FK_HDF5, force, err, errlen);
    if (st != CW_OK) return st;
    char *dir = str_dup(path, "");
    if (!dir) {
        snprintf(err, errlen, "%s: out of memory", path);
        return CW_ENOMEM;
    }
    char *slash = strrchr(dir, '/');
    const char *d = slash ? (slash == dir ? "/" : (*slash = '\0', dir)) : ".";
    if (access(d, W_OK | X_OK) != 0) {
        snprintf(err, errlen, "cannot create %s.partial: %s: %s", path, d, strerror(errno));
        st = CW_EIO;
    }
    free(dir);
    return st;
}

/* Create PATH.partial (truncating an old one) with the creation order that
 * netCDF-4 needs. */
static cw_status out_create_file(output *o, char *err, size_t errlen)
{
    hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    unsigned f = H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED;
    cw_status st = CW_EIO;
    if (fcpl < 0 || fapl < 0) goto out_close_plists;
    if (H5Pset_link_creation_order(fcpl, f) < 0 || H5Pset_attr_creation_order(fcpl, f) < 0 ||
        H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG) < 0 ||
        H5Pset_file_locking(fapl, 0, 1) < 0) /* the caller holds the lock (outsafe_lock) */
        goto out_close_plists;
    o->file = H5Fcreate(o->partial, H5F_ACC_TRUNC, fcpl, fapl);
    if (o->file >= 0) st = CW_OK;

out_close_plists:
    if (st != CW_OK) { /* before H5Pclose, which clears the error stack */
        char reason[256] = "HDF5 error";
        H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, reason_visit, reason);
        snprintf(err, errlen, "cannot create %s: %s", o->partial, reason);
    }
    if (fcpl >= 0) H5Pclose(fcpl);
    if (fapl >= 0) H5Pclose(fapl);
    return st;
}

static cw_status out_write_setup(output *o, const output_setup *s, char *err, size_t errlen)
{
    const char *what = NULL;
    if (write_dimensions(o) < 0) what = "the dimensions";
    else if (write_labels(o) < 0) what = "the labels";
    else if (create_metrics(o) < 0) what = "the metric datasets";
    else if (write_neighbourhoods(o, s) < 0) what = "/neighbourhoods";
    else if (create_events(o) < 0) what = "/events";
    else if (write_parameters(o, s->params) < 0) what = "/parameters";
    else if (write_root_attrs(o, s) < 0) what = "the root attributes";
    else if (H5Fflush(o->file, H5F_SCOPE_GLOBAL) < 0) what = "the set-up (flush)";
    return what ? io_fail(err, errlen, o->partial, what) : CW_OK;
}

/* On failure nothing is left behind: no handle, no partial file. */
/* HDF5 1.10 crashes in its exit-time clean-up when a file's close failed
 * (a full disk, a file-size limit); without that clean-up, a process whose
 * output failed ends with its message and exit status instead. Effective
 * when called before HDF5's first use, as in the CLI. */
static void no_hdf5_atexit(void)
{
    H5dont_atexit(); /* returns an error, harmlessly, when repeated */
}

cw_status output_open(output **out, const output_setup *s, const metrics_frame *shape, char *err,
                      size_t errlen)
{
    no_hdf5_atexit();
    *out = NULL;
    cw_status st = setup_check(s, shape, err, errlen);
    if (st == CW_OK) st = path_check(s->path, s->force, err, errlen);
    if (st != CW_OK) return st;
    output *o = out_alloc(s, shape);
    if (!o) {
        snprintf(err, errlen, "%s: out of memory for the output buffers", s->path);
        return CW_ENOMEM;
    }
    /* locked before it is truncated: a second run onto the same output is
     * refused here, and the first one's partial is left as it was */
    st = outsafe_lock(o->partial, FK_HDF5, &o->lock_fd, err, errlen);
    if (st != CW_OK) {
        out_free(o);
        return st;
    }
    output_quiet q = output_quiet_begin();
    st = out_create_file(o, err, errlen);
    if (st == CW_OK) st = out_write_setup(o, s, err, errlen);
    if (st != CW_OK) {
        out_close_objects(o);
        remove(o->partial);
    }
    output_quiet_end(q);
    if (st != CW_OK) {
        out_free(o);
        return st;
    }
    *out = o;
    return CW_OK;
}

/* ---- reopening after a checkpoint ---------------------------------------------------- */

/* Open ds by name and cut (or check) it to n rows along its first dimension. */
static hid_t reopen_rows(hid_t loc, const char *name, hsize_t n, int *short_of)
{
    hid_t dapl = no_cache_dapl();
    hid_t ds = dapl < 0 ? -1 : H5Dopen2(loc, name, dapl);
    if (dapl >= 0) H5Pclose(dapl);
    if (ds < 0) return -1;
    hid_t space = H5Dget_space(ds);
    hsize_t dims[3] = {0, 0, 0};
    int rank = space < 0 ? -1 : H5Sget_simple_extent_dims(space, dims, NULL);
    if (space >= 0) H5Sclose(space);
    if (rank < 1 || rank > 3) goto out_close;
    if (dims[0] < n) {
        *short_of = 1;
        goto out_close;
    }
    dims[0] = n;
    if (H5Dset_extent(ds, dims) < 0) goto out_close;
    return ds;

out_close:
    H5Dclose(ds);
    return -1;
}

/* The partial file must be this run's: same scenario text and seed. */
static int same_run(hid_t file, const output_setup *s)
{
    hid_t a = H5Aopen(file, "scenario", H5P_DEFAULT);
    if (a < 0) return 0;
    hid_t t = str_type();
    char *text = NULL;
    int same = t >= 0 && H5Aread(a, t, &text) >= 0 && text &&
               strcmp(text, s->scenario_yaml ? s->scenario_yaml : "") == 0;
    if (text) H5free_memory(text);
    if (t >= 0) H5Tclose(t);
    H5Aclose(a);
    uint64_t seed = 0;
    a = same ? H5Aopen(file, "seed", H5P_DEFAULT) : -1;
    if (a >= 0) {
        same = H5Aread(a, H5T_NATIVE_UINT64, &seed) >= 0 && seed == s->seed;
        H5Aclose(a);
    }
    return same;
}

static cw_status reopen_datasets(output *o, hsize_t weeks, hsize_t events, char *err,
                                 size_t errlen)
{
    int short_of = 0;
    const char *what = NULL;
    o->week = reopen_rows(o->file, "week", weeks, &short_of);
    o->burn_in = o->week < 0 ? -1 : reopen_rows(o->file, "burn_in", weeks, &short_of);
    if (o->burn_in < 0) what = "week";
    for (int m = 0; m < METRIC_COUNT && !what; m++) {
        o->metric[m] = reopen_rows(o->file, metrics_table[m].name, weeks, &short_of);
        if (o->metric[m] < 0) what = metrics_table[m].name;
    }
    if (!what && (o->ev.group = H5Gopen2(o->file, "events", H5P_DEFAULT)) < 0) what = "events";
    if (!what && (o->ev.index = reopen_rows(o->ev.group, "event", events, &short_of)) < 0)
        what = "events/event";
    for (int c = 0; c < EVC_COUNT && !what; c++)
        if ((o->ev.col[c] = reopen_rows(o->ev.group, ev_cols[c].name, events, &short_of)) < 0)
            what = ev_cols[c].name;
    if (!what) return CW_OK;
    if (short_of)
        snprintf(err, errlen, "%s holds fewer weeks or events than the checkpoint (%llu weeks, "
                 "%llu events): it is not the file this checkpoint was written with",
                 o->partial, (unsigned long long)weeks, (unsigned long long)events);
    else
        snprintf(err, errlen, "%s: cannot reopen dataset '%s' (not a commonweal output file?)",
                 o->partial, what);
    return CW_EIO;
}

cw_status output_reopen(output **out, const output_setup *s, const metrics_frame *shape,
                        int64_t weeks, int64_t events, char *err, size_t errlen)
{
    no_hdf5_atexit();
    *out = NULL;
    cw_status st = setup_check(s, shape, err, errlen);
    if (st == CW_OK) st = path_check(s->path, s->force, err, errlen); /* the finished name */
    if (st != CW_OK) return st;
    output *o = out_alloc(s, shape);
    if (!o) {
        snprintf(err, errlen, "%s: out of memory for the output buffers", s->path);
        return CW_ENOMEM;
    }
    output_quiet q = output_quiet_begin();
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl >= 0 && H5Pset_file_locking(fapl, 0, 1) < 0) { /* held by outsafe_lock */
        H5Pclose(fapl);
        fapl = -1;
    }
    if (access(o->partial, F_OK) != 0) {
        snprintf(err, errlen, "cannot resume: %s: %s", o->partial, strerror(errno));
        st = CW_EIO;
    } else if ((st = outsafe_lock(o->partial, FK_HDF5, &o->lock_fd, err, errlen)) != CW_OK) {
        /* another process holds it, or it is not an output file */
    } else if (fapl < 0 || (o->file = H5Fopen(o->partial, H5F_ACC_RDWR, fapl)) < 0) {
        st = io_fail(err, errlen, o->partial, "(reopen)");
    } else if (!same_run(o->file, s)) {
        snprintf(err, errlen, "%s was written by another run (its scenario or seed differs "
                 "from the checkpoint's)", o->partial);
        st = CW_EINVAL;
    } else {
        st = reopen_datasets(o, (hsize_t)weeks, (hsize_t)events, err, errlen);
    }
    if (fapl >= 0) H5Pclose(fapl);
    o->weeks_written = (hsize_t)weeks;
    o->ev.written = (hsize_t)events;
    if (st == CW_OK && (attr_i32(o->file, "weeks_written", (int32_t)weeks) < 0 ||
                        attr_i32(o->file, "complete", 0) < 0 ||
                        H5Fflush(o->file, H5F_SCOPE_GLOBAL) < 0))
        st = io_fail(err, errlen, o->partial, "weeks_written");
    if (st != CW_OK) out_close_objects(o);
    output_quiet_end(q);
    if (st != CW_OK) {
        out_free(o);
        return st;
    }
    *out = o;
    return CW_OK;
}

/* ---- weekly writing ---------------------------------------------------------------- */

static herr_t write_metric_rows(output *o, int m)
{
    hid_t scale[3];
    hsize_t dims[3];
    int rank = metric_dims(o, m, scale, dims);
    return append_rows(o->metric[m], H5T_NATIVE_FLOAT, rank, dims + 1, o->weeks_written,
                       (hsize_t)o->n_buffered, o->buf[m]);
}

/* Write the buffered weeks: week, burn_in and every metric. */
static herr_t spill_weeks(output *o)
{
    hsize_t at = o->weeks_written, n = (hsize_t)o->n_buffered;
    if (n == 0) return 0;
    if (append_rows(o->week, H5T_NATIVE_INT32, 1, NULL, at, n, o->buf_week) < 0 ||
        append_rows(o->burn_in, H5T_NATIVE_UINT8, 1, NULL, at, n, o->buf_burn_in) < 0)
        return -1;
    for (int m = 0; m < METRIC_COUNT; m++)
        if (write_metric_rows(o, m) < 0) return -1;
    o->weeks_written += n;
    o->n_buffered = 0;
    return 0;
}

static herr_t spill_events(output *o)
{
    out_events *ev = &o->ev;
    hsize_t at = ev->written, n = ev->n;
    if (n == 0) return 0;
    int32_t *index = output_malloc(n * sizeof *index);
    if (!index) return -1;
    for (hsize_t i = 0; i < n; i++) index[i] = (int32_t)(at + i);
    herr_t rc = append_rows(ev->index, H5T_NATIVE_INT32, 1, NULL, at, n, index);
    free(index);
    const void *cols[EVC_COUNT] = {ev->week, ev->nbhd, ev->kind, ev->detail, ev->value};
    for (int c = 0; c < EVC_COUNT && rc >= 0; c++) {
        hid_t type = c == EVC_VALUE ? H5T_NATIVE_DOUBLE : H5T_NATIVE_INT32;
        rc = append_rows(ev->col[c], type, 1, NULL, at, n, cols[c]);
    }
    if (rc < 0) return -1;
    ev->written += n;
    ev->n = 0;
    return 0;
}

/* The data to the file and flushed first, then the week count that says
 * they are there, flushed again: weeks_written only ever counts weeks on
 * disk. After a failed write nothing more is written (weeks_written keeps
 * the last count that was true); spill_weeks (weeks on) says which. */
static cw_status out_flush_parts(output *o, int weeks, char *err, size_t errlen)
{
    if (o->failed) {
        snprintf(err, errlen, "%s: an earlier write failed; the file stays partial (weeks_written = %llu)",
                 o->partial, (unsigned long long)o->weeks_written);
        return CW_EIO;
    }
    const char *what = NULL;
    hsize_t before = o->weeks_written;
    if (weeks && spill_weeks(o) < 0) what = "weekly metrics";
    else if (spill_events(o) < 0) what = "/events";
    else if (H5Fflush(o->file, H5F_SCOPE_GLOBAL) < 0) what = "(flush)";
    else if (attr_i32(o->file, "weeks_written", (int32_t)o->weeks_written) < 0) what = "weeks_written";
    else if (H5Fflush(o->file, H5F_SCOPE_GLOBAL) < 0) what = "(flush)";
    o->since_flush = 0;
    if (!what) return CW_OK;
    o->failed = 1;
    o->weeks_written = before; /* what the file's attribute still says */
    return io_fail(err, errlen, o->partial, what);
}

static cw_status out_flush(output *o, char *err, size_t errlen)
{
    return out_flush_parts(o, 1, err, errlen);
}

cw_status output_flush(output *o, char *err, size_t errlen)
{
    output_quiet q = output_quiet_begin();
    cw_status st = out_flush(o, err, errlen);
    output_quiet_end(q);
    return st;
}

cw_status output_checkpoint_flush(output *o, char *err, size_t errlen)
{
    output_quiet q = output_quiet_begin();
    cw_status st = out_flush_parts(o, 0, err, errlen);
    output_quiet_end(q);
    return st;
}

void output_position(const output *o, int64_t *weeks, int64_t *events)
{
    *weeks = (int64_t)o->weeks_written + o->n_buffered;
    *events = (int64_t)(o->ev.written + o->ev.n);
}

int64_t output_weeks_on_disk(const output *o) { return (int64_t)o->weeks_written; }

/* The tail: n weeks, then for each its week number (int32) and burn-in
 * flag (uint8), then each metric's floats for the n weeks. */
static size_t tail_bytes(const output *o, int n)
{
    size_t b = (size_t)n * (sizeof(int32_t) + 1);
    for (int m = 0; m < METRIC_COUNT; m++) b += (size_t)n * o->week_len[m] * sizeof(float);
    return b;
}

cw_status output_tail_save(const output *o, int64_t *n, void **blob, size_t *len)
{
    *n = o->n_buffered;
    *len = tail_bytes(o, o->n_buffered);
    *blob = NULL;
    if (*len == 0) return CW_OK;
    char *p = malloc(*len);
    if (!p) return CW_ENOMEM;
    *blob = p;
    size_t k = (size_t)o->n_buffered;
    memcpy(p, o->buf_week, k * sizeof(int32_t)), p += k * sizeof(int32_t);
    memcpy(p, o->buf_burn_in, k), p += k;
    for (int m = 0; m < METRIC_COUNT; m++) {
        size_t b = k * o->week_len[m] * sizeof(float);
        memcpy(p, o->buf[m], b), p += b;
    }
    return CW_OK;
}

cw_status output_tail_restore(output *o, int64_t n, const void *blob, size_t len, char *err, size_t errlen)
{
    if (n < 0 || n >= o->buf_weeks || (int64_t)o->weeks_written % o->buf_weeks != 0 ||
        len != tail_bytes(o, (int)n)) {
        snprintf(err, errlen, "%s: the checkpoint holds %lld buffered weeks (%zu bytes) that do not fit this "
                 "output (%d weeks a write, %llu weeks in the file): start the run again", o->partial,
                 (long long)n, len, o->buf_weeks, (unsigned long long)o->weeks_written);
        return CW_EINVAL;
    }
    const char *p = blob;
    size_t k = (size_t)n;
    if (k) {
        memcpy(o->buf_week, p, k * sizeof(int32_t)), p += k * sizeof(int32_t);
        memcpy(o->buf_burn_in, p, k), p += k;
        for (int m = 0; m < METRIC_COUNT; m++) {
            size_t b = k * o->week_len[m] * sizeof(float);
            memcpy(o->buf[m], p, b), p += b;
        }
    }
    o->n_buffered = (int)n;
    o->since_flush = (int)n;
    return CW_OK;
}

hid_t output_file_id(const output *o) { return o->file; }

const char *output_path(const output *o) { return o->path; }

static void buffer_week(output *o, int32_t week, int burn_in, const metrics_frame *f)
{
    size_t slot = (size_t)o->n_buffered;
    for (int m = 0; m < METRIC_COUNT; m++)
        memcpy(o->buf[m] + slot * o->week_len[m], f->values[m], o->week_len[m] * sizeof(float));
    o->buf_week[slot] = week;
    o->buf_burn_in[slot] = burn_in != 0;
    o->n_buffered++;
}

cw_status output_write_week(output *o, int32_t week, int burn_in, const metrics_frame *f,
                            char *err, size_t errlen)
{
    if (f->n_nbhd != o->n_nbhd || memcmp(f->bd_size, o->bd_size, sizeof o->bd_size) != 0) {
        snprintf(err, errlen, "%s: metrics frame does not match the file's dimensions",
                 o->partial);
        return CW_EINVAL;
    }
    buffer_week(o, week, burn_in, f);
    o->since_flush++;
    /* Flush at whole multiples of the interval, counted from the first week,
     * so that after a checkpoint's extra flush the writes cover whole chunks
     * again (a partly written compressed chunk is rewritten at every flush). */
    int due = ((int64_t)o->weeks_written + o->n_buffered) % o->flush_every == 0;
    if (o->n_buffered < o->buf_weeks && !due) return CW_OK;
    output_quiet q = output_quiet_begin();
    cw_status st = CW_OK;
    if (due) {
        st = out_flush(o, err, errlen);
    } else if (spill_weeks(o) < 0) {
        o->failed = 1;
        st = io_fail(err, errlen, o->partial, "weekly metrics");
    }
    output_quiet_end(q);
    return st;
}

/* Grow the event columns to hold at least one more row. */
static int events_reserve(out_events *ev)
{
    if (ev->n < ev->cap) return 0;
    size_t cap = ev->cap ? 2 * ev->cap : 64;
    int32_t *w = output_realloc(ev->week, cap * sizeof *w);
    if (w) ev->week = w;
    int32_t *nb = output_realloc(ev->nbhd, cap * sizeof *nb);
    if (nb) ev->nbhd = nb;
    int32_t *k = output_realloc(ev->kind, cap * sizeof *k);
    if (k) ev->kind = k;
    int32_t *d = output_realloc(ev->detail, cap * sizeof *d);
    if (d) ev->detail = d;
    double *v = output_realloc(ev->value, cap * sizeof *v);
    if (v) ev->value = v;
    if (!w || !nb || !k || !d || !v) return -1;
    ev->cap = cap;
    return 0;
}

cw_status output_write_event(output *o, int32_t week, int32_t nbhd, int kind, int32_t detail,
                             double value, char *err, size_t errlen)
{
    out_events *ev = &o->ev;
    if (events_reserve(ev) < 0) {
        snprintf(err, errlen, "%s: out of memory for /events", o->partial);
        return CW_ENOMEM;
    }
    ev->week[ev->n] = week;
    ev->nbhd[ev->n] = nbhd;
    ev->kind[ev->n] = kind;
    ev->detail[ev->n] = detail;
    ev->value[ev->n] = value;
    ev->n++;
    return CW_OK;
}

cw_status output_write_events(output *o, const event_log *log, int32_t week, char *err, size_t errlen)
{
    cw_status st = CW_OK;
    for (uint32_t r = 0; r < log->n_timeline && !st; r++) {
        const event_row *e = &log->timeline[r];
        st = output_write_event(o, week, -1, e->kind, e->detail, e->value, err, errlen);
    }
    for (int k = -1; k < log->n_nbhd && !st; k++) {
        size_t slot = k < 0 ? (size_t)log->n_nbhd : (size_t)k;
        for (uint32_t r = 0; r < log->count[slot] && !st; r++) {
            const event_row *e = &log->rows[slot * log->cap + r];
            st = output_write_event(o, week, k, e->kind, e->detail, e->value, err, errlen);
        }
    }
    return st;
}

/* ---- close ------------------------------------------------------------------------- */

static herr_t write_closing_attrs(output *o, int complete, double wall_seconds)
{
    if (attr_put(o->file, "wall_seconds", H5T_NATIVE_DOUBLE, &wall_seconds) < 0) return -1;
    return attr_i32(o->file, "complete", complete != 0);
}

/* Flush, write the closing attributes, close; rename when complete and no
 * write has failed. Frees o whatever happens. */
cw_status output_close(output *o, int complete, double wall_seconds, char *err, size_t errlen)
{
    if (!o) return CW_OK;
    output_quiet q = output_quiet_begin();
    /* after a failed write nothing more is written: the file keeps the
     * weeks_written that was true, and err the first failure's message */
    int failed = o->failed;
    cw_status st = failed ? CW_OK : out_flush(o, err, errlen);
    int done = complete && !o->failed;
    if (st == CW_OK && !failed && write_closing_attrs(o, done, wall_seconds) < 0)
        st = io_fail(err, errlen, o->partial, "the closing attributes");
    if (out_close_objects(o) < 0 && st == CW_OK)
        st = io_fail(err, errlen, o->partial, "the file (close)");
    output_quiet_end(q);
    if (st == CW_OK && complete && o->failed) {
        snprintf(err, errlen, "%s: an earlier write failed; the file stays partial", o->partial);
        st = CW_EIO;
    }
    if (st == CW_OK && done && rename(o->partial, o->path) != 0) {
        snprintf(err, errlen, "cannot rename %s to %s: %s", o->partial, o->path, strerror(errno));
        st = CW_EIO;
    }
    out_free(o);
    return st;
}

/* ---- what a sweep file shares with a run file (sweep_file.c) -------------------- */

cw_status output_h5_create(const char *partial, hid_t *file, char *err, size_t errlen)
{
    output tmp = {.partial = (char *)partial, .file = -1};
    cw_status st = out_create_file(&tmp, err, errlen);
    *file = tmp.file;
    return st;
}

cw_status output_h5_fail(char *err, size_t errlen, const char *path, const char *what)
{
    return io_fail(err, errlen, path, what);
}

hid_t output_h5_str_type(void) { return str_type(); }
hid_t output_h5_group(hid_t loc, const char *name) { return ordered_group(loc, name); }

herr_t output_h5_attr(hid_t loc, const char *name, hid_t type, const void *value)
{
    return attr_put(loc, name, type, value);
}

herr_t output_h5_attr_str(hid_t loc, const char *name, const char *s) { return attr_str(loc, name, s); }

herr_t output_h5_describe(hid_t ds, const char *long_name, const char *units)
{
    return attr_describe(ds, long_name, units);
}

hid_t output_h5_dataset(hid_t loc, const char *name, hid_t type, int rank, const hsize_t *dims,
                        const hsize_t *chunk, int deflate, const void *fill)
{
    hid_t space = H5Screate_simple(rank, dims, NULL);
    if (space < 0) return -1;
    hid_t dcpl = make_dcpl(rank, chunk, deflate), ds = -1;
    if (dcpl >= 0 && (!fill || H5Pset_fill_value(dcpl, type, fill) >= 0))
        ds = H5Dcreate2(loc, name, type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    if (dcpl >= 0) H5Pclose(dcpl);
    H5Sclose(space);
    return ds;
}

void output_h5_coordinates(int metric, char *buf, size_t n) { metric_coordinates(metric, buf, n); }
herr_t output_h5_metric_attrs(hid_t ds, int metric, int fill) { return metric_attrs(ds, metric, fill); }

herr_t output_h5_cf_root(hid_t file, const char *kind, const char *yaml, const char *history)
{
    char title[256], source[128];
    int n = snprintf(title, sizeof title, "Commonweal %s", kind);
    /* the first '#' line of the leading comment says what the scenario asks */
    for (const char *p = yaml ? yaml : ""; *p == '#' || *p == '\n' || *p == ' ';) {
        if (*p != '#') { p++; continue; }
        while (*p == '#' || *p == ' ') p++;
        size_t len = strcspn(p, "\n");
        if (len > 0) {
            snprintf(title + n, sizeof title - (size_t)n, ": %.*s", (int)len, p);
            break;
        }
    }
    snprintf(source, sizeof source, "commonweal %s", cw_version());
    if (attr_str(file, "title", title) < 0 || attr_str(file, "source", source) < 0) return -1;
    if (attr_str(file, "history", history ? history : "") < 0) return -1;
    return attr_str(file, "references",
                    "Commonweal model description (docs/ODD.md) and file layout (docs/OUTPUT.md), "
                    "version as in source");
}

/* The weeks of the run, all at once, into the growing week and burn_in. */
static herr_t write_all_weeks(output *o, const output_setup *s)
{
    int32_t *week = output_malloc((size_t)s->n_weeks * sizeof *week);
    uint8_t *burn = output_malloc((size_t)s->n_weeks);
    herr_t rc = week && burn ? 0 : -1;
    for (int32_t i = 0; rc >= 0 && i < s->n_weeks; i++) {
        week[i] = s->first_week + i;
        burn[i] = week[i] < 0;
    }
    if (rc >= 0) rc = append_rows(o->week, H5T_NATIVE_INT32, 1, NULL, 0, (hsize_t)s->n_weeks, week);
    if (rc >= 0) rc = append_rows(o->burn_in, H5T_NATIVE_UINT8, 1, NULL, 0, (hsize_t)s->n_weeks, burn);
    free(week);
    free(burn);
    return rc;
}

cw_status output_h5_layout(hid_t file, const output_setup *s, const metrics_frame *shape,
                           output_scales *sc, char *err, size_t errlen)
{
    output o = {.file = file, .n_nbhd = s->n_nbhd, .week = -1, .nbhd = -1, .burn_in = -1,
                .partial = (char *)s->path};
    memcpy(o.bd_size, shape->bd_size, sizeof o.bd_size);
    for (int bd = 0; bd < BD_COUNT; bd++) o.bd_scale[bd] = -1;
    const char *what = NULL;
    if (write_dimensions(&o) < 0) what = "the dimensions";
    else if (write_labels(&o) < 0) what = "the labels";
    else if (write_all_weeks(&o, s) < 0) what = "the weeks";
    else if (write_neighbourhoods(&o, s) < 0) what = "/neighbourhoods";
    else if (write_parameters(&o, s->params) < 0) what = "/parameters";
    close_dataset(&o.burn_in);
    sc->week = o.week;
    sc->nbhd = o.nbhd;
    memcpy(sc->bd, o.bd_scale, sizeof sc->bd);
    return what ? io_fail(err, errlen, s->path, what) : CW_OK;
}
