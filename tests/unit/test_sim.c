/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * The simulation through the public API: a run of tiny.yaml, determinism at
 * 1 and 2 threads, the timeline, the memory refusal, two simulations side by
 * side, and allocation failures during set-up.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "commonweal/commonweal.h"
#include "test_hooks.h"
#include "metrics.h"

#define TINY CW_SOURCE_DIR "/scenarios/tiny.yaml"

static cw_scenario *load(const char *path)
{
    cw_scenario *sc = cw_scenario_new();
    cr_assert_not_null(sc);
    cr_assert_eq(cw_scenario_load(sc, path), CW_OK, "%s", cw_scenario_errmsg(sc));
    return sc;
}

static cw_sim *create(const cw_scenario *sc, int threads)
{
    cw_options opt = {.threads = threads};
    cw_sim *sim = NULL;
    cw_status st = cw_sim_create(sc, &opt, &sim);
    cr_assert_eq(st, CW_OK, "%s", cw_sim_errmsg(sim));
    return sim;
}

enum { MAXV = 4096 };

Test(sim, tiny_runs_every_week)
{
    cw_scenario *sc = load(TINY);
    cw_sim *sim = create(sc, 0);
    cr_assert_eq(cw_sim_residents(sim), 2000u);
    cr_assert_eq(cw_sim_weeks_total(sim), 104);
    while (cw_sim_weeks_done(sim) < cw_sim_weeks_total(sim)) cr_assert_eq(cw_sim_step(sim), CW_OK, "%s", cw_sim_errmsg(sim));
    cr_assert_eq(cw_sim_step(sim), CW_ESTATE, "no week after the last");
    float v[MAXV];
    cr_assert_eq(cw_sim_metric(sim, "population", v, MAXV), 4);
    for (int b = 0; b < 4; b++) cr_assert_float_eq(v[b], 500.0f, 0.0f);
    long n = cw_sim_metric(sim, "need_rate", v, MAXV);
    cr_assert_eq(n, 4 * 6);
    for (long k = 0; k < n; k++) cr_assert(v[k] >= 0.0f && v[k] <= 1.0f);
    cr_assert_gt(cw_sim_bytes(sim), 0u);
    cw_sim_free(sim);
    cw_scenario_free(sc);
}

/* Every metric of metrics.def, every week, bit for bit, at 1 and 2 threads. */
Test(sim, same_bits_at_one_and_two_threads)
{
    cw_scenario *sc = load(TINY);
    cw_sim *a = create(sc, 1), *b = create(sc, 2);
    static float va[MAXV], vb[MAXV];
    while (cw_sim_weeks_done(a) < cw_sim_weeks_total(a)) {
        cr_assert_eq(cw_sim_step(a), CW_OK);
        cr_assert_eq(cw_sim_step(b), CW_OK);
        for (int m = 0; m < METRIC_COUNT; m++) {
            const char *name = metrics_table[m].name;
            long n = cw_sim_metric(a, name, va, MAXV);
            cr_assert_gt(n, 0, "%s", name);
            cr_assert_eq(cw_sim_metric(b, name, vb, MAXV), n);
            cr_assert(memcmp(va, vb, (size_t)n * sizeof(float)) == 0, "%s differs in week %d", name,
                      cw_sim_weeks_done(a));
        }
    }
    cw_sim_free(a);
    cw_sim_free(b);
    cw_scenario_free(sc);
}

/* tiny.yaml cuts the housing budget to 0.8 at week 26 (step 52 + 26). */
Test(sim, timeline_cut_lowers_service_hours)
{
    cw_scenario *sc = load(TINY);
    cw_sim *sim = create(sc, 0);
    float before[64], after[64];
    for (int s = 0; s < 52 + 26; s++) cr_assert_eq(cw_sim_step(sim), CW_OK);
    cr_assert_eq(cw_sim_metric(sim, "service_hours", before, 64), 24);
    cr_assert_eq(cw_sim_step(sim), CW_OK);
    cw_sim_metric(sim, "service_hours", after, 64);
    for (int b = 0; b < 4; b++) {
        cr_assert_float_eq(after[b * 6 + 3], 0.8f * before[b * 6 + 3], 1e-3f * before[b * 6 + 3]);
        cr_assert_float_eq(after[b * 6 + 0], before[b * 6 + 0], 0.0f, "health unchanged");
    }
    cw_sim_free(sim);
    cw_scenario_free(sc);
}

Test(sim, refuses_a_population_that_cannot_fit)
{
    cw_scenario *sc = load(TINY);
    cr_assert_eq(cw_scenario_set(sc, "population.residents_per_neighbourhood=1000000"), CW_OK);
    cr_assert_eq(cw_scenario_set(sc, "population.neighbourhoods=4000"), CW_OK);
    cw_options opt = {.memory_limit = (size_t)1 << 30};
    cw_sim *sim = NULL;
    cr_assert_eq(cw_sim_create(sc, &opt, &sim), CW_ETOOBIG);
    cr_assert(strstr(cw_sim_errmsg(sim), "GiB") != NULL, "%s", cw_sim_errmsg(sim));
    cr_assert_lt(cw_sim_bytes_peak(sim), (size_t)1 << 20, "refused before allocating");
    cw_sim_free(sim);
    cw_scenario_free(sc);
}

Test(sim, two_simulations_side_by_side_are_independent)
{
    cw_scenario *sc = load(TINY);
    cw_sim *a = create(sc, 0);
    cw_scenario_set_seed(sc, 8);
    cw_sim *b = create(sc, 0), *c = create(sc, 0);
    for (int s = 0; s < 10; s++) {
        cr_assert_eq(cw_sim_step(a), CW_OK);
        cr_assert_eq(cw_sim_step(b), CW_OK);
        cr_assert_eq(cw_sim_step(c), CW_OK);
    }
    float va[64], vb[64], vc[64];
    cw_sim_metric(a, "health_mean", va, 64);
    cw_sim_metric(b, "health_mean", vb, 64);
    cw_sim_metric(c, "health_mean", vc, 64);
    cr_assert(memcmp(vb, vc, 4 * sizeof(float)) == 0, "same seed, same result");
    cr_assert(memcmp(va, vb, 4 * sizeof(float)) != 0, "different seed, different result");
    cw_sim_free(a);
    cw_sim_free(b);
    cw_sim_free(c);
    cw_scenario_free(sc);
}

Test(sim, each_setup_allocation_failure_is_clean)
{
    cw_scenario *sc = load(TINY);
    cr_assert_eq(cw_scenario_set(sc, "population.residents_per_neighbourhood=50"), CW_OK);
    for (uint64_t n = 1; n < 200; n++) {
        cw__test_fail_allocation_at(n);
        cw_sim *sim = NULL;
        cw_status st = cw_sim_create(sc, NULL, &sim);
        if (st == CW_OK) { /* past the last allocation, or a tolerated failed shrink */
            cw_sim_free(sim);
            continue;
        }
        cr_assert_eq(st, CW_ENOMEM, "allocation %llu: %s", (unsigned long long)n, cw_sim_errmsg(sim));
        cr_assert(strstr(cw_sim_errmsg(sim), "out of memory") != NULL, "%s", cw_sim_errmsg(sim));
        cw_sim_free(sim);
    }
    cw_scenario_free(sc);
}
