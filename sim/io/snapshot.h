/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * Snapshots (MODEL.md s7, "optional snapshots of every resident and group at
 * chosen weeks, for micro-level analysis"): at each reported week listed in
 * output.snapshot_weeks, the observe phase's state of every resident and
 * every group slot is written to /snapshots/week_<W>/{residents,groups} of
 * the run's output file. docs/OUTPUT.md lists the fields and their units.
 */
#ifndef CW_SNAPSHOT_H
#define CW_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include <hdf5.h>

#include "commonweal/commonweal.h"
#include "world.h"

#define SNAPSHOT_MAX_WEEKS 256

/* Parse output.snapshot_weeks: reported week numbers separated by commas
 * or spaces ("" = none), each within [first, last] (burn-in weeks are
 * negative), at most SNAPSHOT_MAX_WEEKS. Sorted and de-duplicated into
 * weeks[], their number in *n. CW_EINVAL with a message naming the bad
 * entry and the allowed range. */
cw_status snapshot_parse_weeks(const char *spec, int32_t first, int32_t last, int32_t *weeks, int *n,
                               char *err, size_t errlen);

/* How the residents' columns reach the file: `rows` hands put (on the
 * process that writes) the rows of every process's share in order, given
 * this process's own (sim.c: dist_stream_rows). NULL: w holds them all. */
typedef struct snapshot_stream {
    void (*rows)(void *ctx, const void *mine, size_t row_bytes, size_t rows,
                 void (*put)(void *put_ctx, const void *p, size_t n), void *put_ctx);
    void *ctx;
} snapshot_stream;

/* Write the snapshot of reported week `week` into the open file (replacing
 * one of the same week that a resumed run wrote before). In a distributed
 * run every rank calls this with the stream; rank 0 passes the file, the
 * others file < 0. strong_weight: the tie weight from which a tie counts
 * in the strong_ties column (social.isolated_tie_weight). CW_EIO on failure
 * (rank 0). */
cw_status snapshot_write(hid_t file, const world *w, int32_t week, int compression, double strong_weight,
                         const snapshot_stream *stream, char *err, size_t errlen);

#endif
