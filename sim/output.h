/*
 * The HDF5 output (netCDF-4 compatible through HDF5 dimension scales), as
 * documented in docs/OUTPUT.md. Written to PATH.partial, appended each week,
 * flushed every output.flush_every_weeks, renamed to PATH when complete.
 */
#ifndef CW_OUTPUT_H
#define CW_OUTPUT_H

#include <stdint.h>

#include "commonweal/commonweal.h"
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
    const int32_t *nbhd_la;       /* index into la_name                               */
    const char *const *la_name;   /* [n_la]                                           */
    int n_la;
    const float *deprivation;
    const int32_t *decile;        /* 1 = least deprived .. 10 = most deprived         */
    const int32_t *population;
    const float *space_quality;
    /* root attributes */
    const cw_params *params;      /* also written as attributes of /parameters       */
    const char *scenario_yaml;    /* the resolved scenario text                       */
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

/* Write the closing attributes (wall seconds, weeks written, complete) and
 * close. complete != 0 renames PATH.partial to PATH. Frees o in any case. */
cw_status output_close(output *o, int complete, double wall_seconds, char *err, size_t errlen);

#endif
