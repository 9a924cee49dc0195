/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * Allocation failures: every allocation the counting allocator makes while
 * creating a population, during a week, and while resuming a checkpoint is
 * failed in turn; each gives CW_ENOMEM with a message, no crash, and (under
 * the address sanitizer's LeakSanitizer) no leak.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "commonweal/commonweal.h"
#include "sim_int.h"
#include "test_hooks.h"

#define TINY CW_SOURCE_DIR "/scenarios/tiny.yaml"

static cw_scenario *small_tiny(void)
{
    cw_scenario *sc = cw_scenario_new();
    cr_assert_eq(cw_scenario_load(sc, TINY), CW_OK, "%s", cw_scenario_errmsg(sc));
    const char *sets[] = {"population.residents_per_neighbourhood=60", "run.burn_in_weeks=4",
                          "run.weeks=30"};
    for (size_t i = 0; i < sizeof sets / sizeof *sets; i++) cr_assert_eq(cw_scenario_set(sc, sets[i]), CW_OK);
    return sc;
}

static void expect_enomem(cw_status st, const cw_sim *sim, uint64_t n)
{
    cr_assert_eq(st, CW_ENOMEM, "allocation %llu: status %d: %s", (unsigned long long)n, st,
                 cw_sim_errmsg(sim));
    cr_assert(strstr(cw_sim_errmsg(sim), "out of memory") != NULL, "allocation %llu: message '%s'",
              (unsigned long long)n, cw_sim_errmsg(sim));
}

Test(faults, every_allocation_of_population_creation)
{
    cw_scenario *sc = small_tiny();
    cw_sim *sim = NULL;
    cr_assert_eq(cw_sim_create(sc, NULL, &sim), CW_OK, "%s", cw_sim_errmsg(sim));
    uint64_t calls = sim->mem.calls;
    cw_sim_free(sim);
    cr_assert_gt(calls, 50u);
    for (uint64_t n = 1; n <= calls; n++) {
        cw__test_fail_allocation_at(n);
        sim = NULL;
        cw_status st = cw_sim_create(sc, NULL, &sim);
        if (st == CW_OK && sim->mem.calls >= n) {
            /* a failed shrink (realloc to fewer bytes) is tolerated: the
             * old block stays; the set-up must still be whole */
            cw_sim_free(sim);
            continue;
        }
        expect_enomem(st, sim, n);
        cw_sim_free(sim);
    }
    cr_log_info("population creation: %llu allocations failed in turn", (unsigned long long)calls);
    fprintf(stderr, "faults: population creation makes %llu counted allocations\n",
            (unsigned long long)calls);
    cw_scenario_free(sc);
}

/* A week allocates nothing through the counting allocator (all scratch is
 * sized at set-up), so a week cannot fail for memory; this test keeps it so,
 * and fails each allocation in turn if a phase ever starts allocating. */
Test(faults, every_allocation_of_one_week)
{
    cw_scenario *sc = small_tiny();
    cw_sim *sim = NULL;
    cr_assert_eq(cw_sim_create(sc, NULL, &sim), CW_OK);
    for (int k = 0; k < 10; k++) cr_assert_eq(cw_sim_step(sim), CW_OK);
    uint64_t before = sim->mem.calls;
    cr_assert_eq(cw_sim_step(sim), CW_OK);
    uint64_t in_week = sim->mem.calls - before;
    cw_sim_free(sim);
    fprintf(stderr, "faults: one week makes %llu counted allocations\n", (unsigned long long)in_week);
    for (uint64_t n = 1; n <= in_week; n++) {
        cr_assert_eq(cw_sim_create(sc, NULL, &sim), CW_OK);
        for (int k = 0; k < 10; k++) cr_assert_eq(cw_sim_step(sim), CW_OK);
        sim->mem.fail_at = sim->mem.calls + n;
        cw_status st = cw_sim_step(sim);
        expect_enomem(st, sim, n);
        cw_sim_free(sim);
    }
    cw_scenario_free(sc);
}

Test(faults, every_allocation_of_resuming_a_checkpoint)
{
    const char *path = CW_TEST_TMP "/faults.ckpt";
    cw_scenario *sc = small_tiny();
    cw_sim *sim = NULL;
    cr_assert_eq(cw_sim_create(sc, NULL, &sim), CW_OK);
    for (int k = 0; k < 12; k++) cr_assert_eq(cw_sim_step(sim), CW_OK);
    cr_assert_eq(cw_sim_checkpoint(sim, path), CW_OK, "%s", cw_sim_errmsg(sim));
    cw_sim_free(sim);
    cr_assert_eq(cw_sim_resume(path, NULL, &sim), CW_OK, "%s", cw_sim_errmsg(sim));
    uint64_t calls = sim->mem.calls;
    cw_sim_free(sim);
    fprintf(stderr, "faults: resuming makes %llu counted allocations\n", (unsigned long long)calls);
    for (uint64_t n = 1; n <= calls; n++) {
        cw__test_fail_allocation_at(n);
        sim = NULL;
        cw_status st = cw_sim_resume(path, NULL, &sim);
        expect_enomem(st, sim, n);
        cw_sim_free(sim);
    }
    cw_scenario_free(sc);
    remove(path);
}
