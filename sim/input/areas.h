/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * Real areas: the neighbourhood table a scenario asks for. The CSV of
 * population.neighbourhoods_csv is read with its deprivation as
 * population.deprivation_from declares it (nbhd_csv.h), the rows of
 * population.areas are chosen (local-authority names or codes,
 * neighbourhood codes or names), and population.scale shrinks every
 * neighbourhood's residents. Also the listing of `commonweal areas`.
 */
#ifndef CW_AREAS_H
#define CW_AREAS_H

#include <stdio.h>

#include "nbhd_csv.h"
#include "params.h"

/* Read p's CSV into *out and apply population.areas and population.scale.
 * areas_at and scale_at say where those were set ("FILE:LINE:COLUMN" or
 * "--set ..."), the prefix of their messages. On error (CW_EINVAL bad
 * content or selection, CW_EIO cannot read, CW_ENOMEM) a message in err
 * and *out empty. The caller frees with nbhd_csv_free. */
cw_status areas_load(const cw_params *p, const char *areas_at, const char *scale_at, nbhd_csv *out, char *err,
                     size_t errlen);

/* The table's local authorities whose name or code contains pattern
 * (case-insensitive; NULL or "" for all), sorted by name, with their
 * neighbourhoods, residents and mean deprivation, printed to fp. No match:
 * CW_EINVAL with a message (and a near name) in err. */
cw_status areas_print(const nbhd_csv *t, const char *path, const char *pattern, FILE *fp, char *err,
                      size_t errlen);

#endif
