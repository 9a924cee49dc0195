/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the sweep loader (design, factors, replicates, base).
 */
#include <stdint.h>

#include "commonweal/commonweal.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write("input_sweep.yaml", data, size);
    cw_sweep *sw = NULL;
    cw_status st = cw_sweep_load(path, NULL, 0, &sw);
    if (st == CW_OK && (cw_sweep_members(sw) < 1 || cw_sweep_points(sw) < 1)) abort();
    if (st != CW_OK && sw && !cw_sweep_errmsg(sw)[0]) abort(); /* a failure always says why */
    cw_sweep_free(sw);
    return 0;
}
