/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the neighbourhood CSV reader.
 */
#include <stdint.h>

#include "fuzz_common.h"
#include "nbhd_csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write("input.csv", data, size);
    nbhd_csv csv;
    char err[1024];
    if (nbhd_csv_read(path, &csv, err, sizeof err) == CW_OK) {
        /* every neighbourhood has a name, a population and an LA in range */
        for (int i = 0; i < csv.n; i++)
            if (!csv.name[i] || csv.population[i] < 1 || csv.la[i] < 0 || csv.la[i] >= csv.n_la) abort();
    } else if (!err[0]) {
        abort(); /* a failure always says why */
    }
    nbhd_csv_free(&csv);
    return 0;
}
