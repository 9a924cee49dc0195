/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the scenario loader (YAML, base: chains, timeline) and
 * the whole-scenario checks. Oracle besides the sanitizers: a scenario that
 * loads must write itself out as YAML that loads again.
 */
#include <stdint.h>

#include "commonweal/commonweal.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write("input.yaml", data, size);
    cw_scenario *sc = cw_scenario_new();
    if (!sc) abort();
    if (cw_scenario_load(sc, path) == CW_OK && cw_scenario_check(sc) == CW_OK) {
        char round[600];
        snprintf(round, sizeof round, "%s/roundtrip.yaml", fuzz_dir);
        FILE *f = fopen(round, "w");
        if (!f || cw_scenario_write_yaml(sc, f) != CW_OK) abort();
        fclose(f);
        cw_scenario *again = cw_scenario_new();
        if (cw_scenario_load(again, round) != CW_OK) {
            fprintf(stderr, "written scenario does not load again: %s\n", cw_scenario_errmsg(again));
            abort();
        }
        cw_scenario_free(again);
    }
    cw_scenario_free(sc);
    return 0;
}
