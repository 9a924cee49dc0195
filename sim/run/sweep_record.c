/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * The sweep calls that take a simulation: a member's record of its weeks
 * (copied from the simulation's metric frame after every step; no HDF5) and
 * opening the sweep file shaped by a simulation. The file itself is
 * sim/io/sweep_file.c's, which never sees a cw_sim.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_int.h"
#include "sweep.h"
#include "sweep_file.h"

/* ---- records ----------------------------------------------------------------------- */

cw_status cw_sweep_record_new(const cw_sim *sim, cw_sweep_record **out)
{
    cw_sweep_record *rec = output_calloc(1, sizeof *rec);
    *out = rec;
    if (!rec) return CW_ENOMEM;
    rec->n_weeks = sim->n_steps;
    for (int m = 0; m < METRIC_COUNT; m++) {
        rec->week_len[m] = metrics_len(&sim->frame, (enum metric_id)m);
        rec->buf[m] = output_malloc((size_t)rec->n_weeks * rec->week_len[m] * sizeof(float) + 1);
        if (!rec->buf[m]) {
            cw_sweep_record_free(rec);
            *out = NULL;
            return CW_ENOMEM;
        }
    }
    return CW_OK;
}

void cw_sweep_record_week(cw_sweep_record *rec, const cw_sim *sim)
{
    if (rec->weeks_done >= rec->n_weeks || !sim->frame_valid) return;
    for (int m = 0; m < METRIC_COUNT; m++)
        memcpy(rec->buf[m] + (size_t)rec->weeks_done * rec->week_len[m], sim->frame.values[m],
               rec->week_len[m] * sizeof(float));
    rec->weeks_done++;
}

void cw_sweep_record_free(cw_sweep_record *rec)
{
    if (!rec) return;
    for (int m = 0; m < METRIC_COUNT; m++) free(rec->buf[m]);
    free(rec);
}

/* ---- packed records (MPI sweeps send them to rank 0) ------------------------------- */

size_t cw_sweep_record_floats(const cw_sweep_record *rec)
{
    if (rec->weeks_done != rec->n_weeks) return 0;
    size_t n = 0;
    for (int m = 0; m < METRIC_COUNT; m++) n += (size_t)rec->n_weeks * rec->week_len[m];
    return n;
}

void cw_sweep_record_pack(const cw_sweep_record *rec, float *out)
{
    for (int m = 0; m < METRIC_COUNT; m++) {
        size_t n = (size_t)rec->n_weeks * rec->week_len[m];
        memcpy(out, rec->buf[m], n * sizeof *out);
        out += n;
    }
}

/* ---- the file, shaped by a simulation --------------------------------------------- */

cw_status cw_sweep_file_open(cw_sweep *sw, const char *path, int force, int resume, const cw_sim *shape,
                             int threads, cw_sweep_file **out)
{
    *out = NULL;
    if (resume) return sweep_file_open(sw, path, force, resume, NULL, threads, out); /* shaped already */
    if (!shape) {
        snprintf(sw->errmsg, sizeof sw->errmsg, "%s: a new sweep file needs a shape simulation", path);
        return CW_EINVAL;
    }
    sweep_shape s = {.frame = &shape->frame};
    int32_t *population;
    if (sim_output_setup(shape, &s.setup, &population)) return CW_ENOMEM;
    cw_status st = sweep_file_open(sw, path, force, resume, &s, threads, out);
    free(population);
    return st;
}
