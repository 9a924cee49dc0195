/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * The HDF5 output (netCDF-4 compatible through HDF5 dimension scales), as
 * documented in docs/OUTPUT.md. Written to PATH.partial, appended each week,
 * flushed every output.flush_every_weeks, renamed to PATH when complete.
 */
#ifndef CW_OUTPUT_H
#define CW_OUTPUT_H

#include <stdint.h>

#include <hdf5.h>

#include "commonweal/commonweal.h"
#include "events.h"
#include "metrics.h"
#include "params.h"

typedef struct output output;

/* Everything written once, at open. Pointers are borrowed for the call. */
typedef struct output_setup {
    const char *path;             /* final name; the file is PATH.partial until close */
    int force;                    /* overwrite an existing PATH                       */
    int n_nbhd;
    int n_identity;               /* size of the identity dimension (K)               */
    int32_t first_week;           /* reported number of the first week (-burn_in)     */
    int32_t n_weeks;              /* weeks the run will write (burn-in + run)         */
    int32_t burn_in_weeks;
    /* the /neighbourhoods table, each [n_nbhd] */
    const char *const *nbhd_name;
    const char *const *nbhd_code; /* official codes; written when any is not ""       */
    const int32_t *nbhd_la;       /* index into la_name                               */
    const char *const *la_name;   /* [n_la]                                           */
    const char *const *la_code;   /* [n_la]; written with nbhd_code's rule            */
    int n_la;
    const float *deprivation;
    const int32_t *decile;        /* 1 = least deprived .. 10 = most deprived         */
    const int32_t *population;
    const float *space_quality;
    /* root attributes */
    const cw_params *params;      /* also written as attributes of /parameters       */
    const char *scenario_yaml;    /* the resolved scenario text                       */
    const char *history;          /* CF history (the command line), or NULL           */
    uint64_t seed;
    int threads;
    int64_t n_residents;
} output_setup;

/* Create PATH.partial and write the set-up. Errors: CW_EEXIST (PATH exists and
 * !force), CW_EIO (cannot create/write: message names the path and reason). */
cw_status output_open(output **out, const output_setup *s, const metrics_frame *shape,
                      char *err, size_t errlen);

/* Append one week: its reported number, whether it is burn-in, and every
 * metric of the frame. Flushes every flush_every weeks. */
cw_status output_write_week(output *o, int32_t week, int burn_in, const metrics_frame *f,
                            char *err, size_t errlen);

/* Append one row to /events: week, neighbourhood (-1 = area-wide), kind
 * (enum event_kind, events.h), detail (kind-specific integer), value. */
cw_status output_write_event(output *o, int32_t week, int32_t nbhd, int kind, int32_t detail,
                             double value, char *err, size_t errlen);

/* Append the week's rows of the event log to /events in its order: the
 * timeline's changes, area-wide rows, then neighbourhoods by index. */
cw_status output_write_events(output *o, const event_log *log, int32_t week, char *err, size_t errlen);

/* Write every buffered week and event to the file, update weeks_written
 * and flush the file to disk (before a checkpoint). */
cw_status output_flush(output *o, char *err, size_t errlen);

/* Before a checkpoint: every buffered event to the file, flushed, but the
 * buffered weeks kept in memory (output_tail_save puts them in the
 * checkpoint), so that no chunk of weeks a checkpoint counts is ever
 * written again: a run killed in a later write keeps them intact. */
cw_status output_checkpoint_flush(output *o, char *err, size_t errlen);

/* The weeks in the file (weeks_written), and the weeks buffered in memory
 * as one malloc'd block, and that block put back after output_reopen
 * (CW_EINVAL, with a message, when it does not fit this output). */
int64_t output_weeks_on_disk(const output *o);
cw_status output_tail_save(const output *o, int64_t *n, void **blob, size_t *len);
cw_status output_tail_restore(output *o, int64_t n, const void *blob, size_t len, char *err, size_t errlen);

/* Weeks and /events rows written so far (flushed or buffered), and the
 * final path (without .partial). */
void output_position(const output *o, int64_t *weeks, int64_t *events);
const char *output_path(const output *o);

/* The open HDF5 file, for writers of optional groups (snapshot.c). */
hid_t output_file_id(const output *o);

/* Reopen PATH.partial of a run resumed from a checkpoint: check that it is
 * the same run (scenario text and seed), cut every week dataset back to
 * `weeks` rows and /events to `events` rows (what a killed run wrote after
 * the checkpoint is rewritten), and append from there. Errors: CW_EIO (no
 * such file, not an output file, fewer rows than the checkpoint), CW_EINVAL
 * (another run's file). */
cw_status output_reopen(output **out, const output_setup *s, const metrics_frame *shape,
                        int64_t weeks, int64_t events, char *err, size_t errlen);

/* Write the closing attributes (wall seconds, weeks written, complete) and
 * close. complete != 0 renames PATH.partial to PATH. Frees o in any case. */
cw_status output_close(output *o, int complete, double wall_seconds, char *err, size_t errlen);

/* ---- what a sweep file shares with a run file (sweep_file.c) ----
 * The same HDF5 conventions (docs/OUTPUT.md: dimension scales, creation
 * order, UTF-8 strings) through the writer's own helpers. */
typedef struct output_scales {
    hid_t week, nbhd, bd[BD_COUNT]; /* dimension scales; the caller closes them */
} output_scales;

/* Create file `partial` (truncating) with the creation order netCDF-4 needs. */
cw_status output_h5_create(const char *partial, hid_t *file, char *err, size_t errlen);
/* "PATH: cannot write WHAT: <HDF5's reason>", CW_EIO. */
cw_status output_h5_fail(char *err, size_t errlen, const char *path, const char *what);

/* Allocation for the writers (output, snapshots, sweep files): like malloc,
 * calloc and realloc, but a failure makes the next output_h5_fail report
 * "out of memory" with CW_ENOMEM. */
void *output_malloc(size_t n);
void *output_calloc(size_t k, size_t n);
void *output_realloc(void *p, size_t n);

/* Each public writer call is bracketed by these: HDF5's automatic error
 * printing is off in between (errors become messages), and an earlier
 * allocation failure is forgotten at the start. */
typedef struct output_quiet {
    H5E_auto2_t func;
    void *data;
} output_quiet;
output_quiet output_quiet_begin(void);
void output_quiet_end(output_quiet q);
hid_t output_h5_str_type(void);                       /* variable-length UTF-8 */
hid_t output_h5_group(hid_t loc, const char *name);   /* creation order tracked */
herr_t output_h5_attr(hid_t loc, const char *name, hid_t type, const void *value);
herr_t output_h5_attr_str(hid_t loc, const char *name, const char *s);
herr_t output_h5_describe(hid_t ds, const char *long_name, const char *units);
/* A fixed-size dataset (rank <= H5S_MAX_RANK); chunked and filtered when
 * chunk; unwritten cells read as *fill (of type) when fill is given. */
hid_t output_h5_dataset(hid_t loc, const char *name, hid_t type, int rank, const hsize_t *dims,
                        const hsize_t *chunk, int deflate, const void *fill);
/* The CF `coordinates` attribute of metric m ("burn_in sector_name"). */
void output_h5_coordinates(int metric, char *buf, size_t n);
/* Metric m's CF attributes (long_name, units, valid range, coordinates;
 * _FillValue NaN when fill). */
herr_t output_h5_metric_attrs(hid_t ds, int metric, int fill);
/* The root group's CF attributes: title ("Commonweal KIND" and the first
 * line of the YAML's leading comment), source (program and version),
 * history (NULL: none given) and references. */
herr_t output_h5_cf_root(hid_t file, const char *kind, const char *yaml, const char *history);
/* Write a run file's dimensions (week filled with every week of s), labels,
 * burn_in, /neighbourhoods and /parameters into file; s->path names it in
 * messages. */
cw_status output_h5_layout(hid_t file, const output_setup *s, const metrics_frame *shape,
                           output_scales *sc, char *err, size_t errlen);

#endif
