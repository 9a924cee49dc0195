/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * Allocation failures in the output writer. The writer (output.c, snapshot.c,
 * the event log's file side) allocates with plain malloc/calloc/realloc, not
 * the counting allocator, so test_faults.c does not reach it. This test is
 * linked with -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc (tests/
 * CMakeLists.txt): every call from the library's own code comes through the
 * wrappers below (HDF5's and libc's internal ones do not), and while
 * `counting` is on, the Nth is failed. Opening the output, a whole run with
 * snapshots and events, and closing it are replayed with each allocation
 * failed in turn: each must fail with a message, never crash or leak (under
 * LeakSanitizer in the sanitizer build), and never leave a finished OUT.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commonweal/commonweal.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t k, size_t n);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t k, size_t n);
void *__wrap_realloc(void *p, size_t n);

static int counting;
static unsigned long calls, fail_at;

static int fail_now(void) { return counting && ++calls == fail_at; }
void *__wrap_malloc(size_t n) { return fail_now() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t k, size_t n) { return fail_now() ? NULL : __real_calloc(k, n); }
void *__wrap_realloc(void *p, size_t n) { return fail_now() ? NULL : __real_realloc(p, n); }

#define TMP CW_TEST_TMP "/output_faults"
#define OUT TMP "/run.h5"

static cw_sim *small_run(void)
{
    cw_scenario *sc = cw_scenario_new();
    cr_assert_eq(cw_scenario_load(sc, CW_SOURCE_DIR "/scenarios/tiny.yaml"), CW_OK, "%s", cw_scenario_errmsg(sc));
    const char *sets[] = {"population.residents_per_neighbourhood=40", "run.burn_in_weeks=2", "run.weeks=30",
                          "output.snapshot_weeks=0,29", "output.flush_every_weeks=8"};
    for (size_t i = 0; i < sizeof sets / sizeof *sets; i++)
        cr_assert_eq(cw_scenario_set(sc, sets[i]), CW_OK, "%s", cw_scenario_errmsg(sc));
    cw_sim *sim = NULL;
    cw_options opt = {.threads = 1};
    cr_assert_eq(cw_sim_create(sc, &opt, &sim), CW_OK, "%s", cw_sim_errmsg(sim));
    cw_scenario_free(sc);
    return sim;
}

/* Open, run every week, close; the first failure's status (CW_OK if none)
 * and the message on sim. */
static cw_status whole_output(cw_sim *sim)
{
    cw_status st = cw_sim_open_output(sim, OUT, 1);
    while (st == CW_OK && cw_sim_weeks_done(sim) < cw_sim_weeks_total(sim)) st = cw_sim_step(sim);
    if (st == CW_OK) return cw_sim_close_output(sim, 1);
    cw_sim_close_output(sim, 0); /* what a caller does after a failure */
    return st;
}

Test(output_faults, every_allocation_of_writing_a_run)
{
    mkdir(CW_TEST_TMP, 0777);
    mkdir(TMP, 0777);
    cw_sim *sim = small_run();
    calls = 0, fail_at = 0, counting = 1;
    cw_status st = whole_output(sim);
    counting = 0;
    unsigned long total = calls;
    cr_assert_eq(st, CW_OK, "%s", cw_sim_errmsg(sim));
    cw_sim_free(sim);
    cr_assert_gt(total, 20u, "only %lu allocations: is the wrapping linked?", total);
    for (unsigned long n = 1; n <= total; n++) {
        unlink(OUT);
        sim = small_run();
        calls = 0, fail_at = n, counting = 1;
        st = whole_output(sim);
        counting = 0;
        cr_assert_neq(st, CW_OK, "allocation %lu of %lu failed, yet the run succeeded", n, total);
        cr_assert(st == CW_ENOMEM, "allocation %lu: status %d, not CW_ENOMEM: %s", n, st, cw_sim_errmsg(sim));
        cr_assert(strstr(cw_sim_errmsg(sim), "out of memory") != NULL, "allocation %lu: message '%s'", n,
                  cw_sim_errmsg(sim));
        cr_assert_neq(access(OUT, F_OK), 0, "allocation %lu: a finished %s was left", n, OUT);
        cw_sim_free(sim);
    }
    fprintf(stderr, "output faults: %lu allocations of a run's output failed in turn\n", total);
}
