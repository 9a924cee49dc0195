/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * The sweep file's writer (sweep_file.c; docs/OUTPUT.md, "Sweep files"),
 * free of the simulation: it is given the run file's set-up and the metric
 * frame's shape (sweep_shape), and members' weeks as records. The public
 * calls that take a cw_sim (cw_sweep_file_open, cw_sweep_record_new and
 * _week) are sim/run/sweep_record.c's, which builds the shape.
 */
#ifndef CW_SWEEP_FILE_H
#define CW_SWEEP_FILE_H

#include <stddef.h>

#include "commonweal/commonweal.h"
#include "metrics.h"
#include "output.h"

/* What a sweep file is shaped by: the shape simulation's run-file set-up
 * (n_nbhd, n_residents, burn_in_weeks, the /neighbourhoods table; path,
 * params, seed and threads are the sweep's own) and its metric frame. */
typedef struct sweep_shape {
    output_setup setup;
    const metrics_frame *frame;
} sweep_shape;

/* One member's weeks, every metric, as a run would write them. */
struct cw_sweep_record {
    int n_weeks, weeks_done;
    size_t week_len[METRIC_COUNT];
    float *buf[METRIC_COUNT]; /* [week][week_len] */
};

/* cw_sweep_file_open's work, from a shape instead of a simulation. */
cw_status sweep_file_open(cw_sweep *sw, const char *path, int force, int resume, const sweep_shape *shape,
                          int threads, cw_sweep_file **out);

#endif
