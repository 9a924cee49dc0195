/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * The neighbourhood CSV: real neighbourhoods for a scenario.
 *
 *   code,name,la_code,la,population,deprivation,space_quality
 *
 * A header row names the columns, in any order. name, population and
 * deprivation are required; code (an official neighbourhood code, e.g. an
 * LSOA's, unique in the file), la (local-authority name), la_code (its
 * code, one per LA) and space_quality are optional (without la every row
 * is in one LA; without space_quality it is derived from deprivation).
 * Deprivation is read as population.deprivation_from says: a value in
 * [0, 1] (1 most deprived), a rank (1 = most deprived, 1..N over the
 * file's N rows, ties sharing a rank and skipping the next: 1, 2, 2, 4) or a score (higher = more deprived, any finite
 * number); ranks and scores are rescaled to [0, 1] (nbhd_csv_read_as).
 * Fields may be double-quoted ("Ward, North"). Blank lines and lines
 * starting with '#' are skipped.
 */
#ifndef CW_NBHD_CSV_H
#define CW_NBHD_CSV_H

#include <stdint.h>

#include "commonweal/commonweal.h"
#include "nbhd_table.h"


/* Read path into *out (zeroed first). On error returns CW_EINVAL (bad
 * content: "FILE:LINE: column 'x': message") or CW_EIO (cannot read), with the
 * message in err, and leaves *out empty. The caller frees with nbhd_csv_free. */
cw_status nbhd_csv_read(const char *path, nbhd_csv *out, char *err, size_t errlen);
/* The same with deprivation given as `from` (enum nbhd_deprivation_from):
 * rank r of N becomes (N - r) / (N - 1) (rank 1 -> 1, rank N -> 0; 0.5 for a
 * single row); score s becomes (s - lowest) / (highest - lowest) over the
 * file (0.5 each when all are equal). */
cw_status nbhd_csv_read_as(const char *path, int from, nbhd_csv *out, char *err, size_t errlen);
void nbhd_csv_free(nbhd_csv *t);

#endif
