/*
 * The neighbourhood CSV: real neighbourhoods for a scenario.
 *
 *   name,la,population,deprivation,space_quality
 *
 * A header row names the columns, in any order. name, population and
 * deprivation are required; la (local-authority name) and space_quality
 * are optional (every row in one LA; quality derived from deprivation).
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
void nbhd_csv_free(nbhd_csv *t);

#endif
