/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * Sweeps (sim/input/sweep.c) and the t quantile of comparisons (sim/io/compare.c):
 * designs, seeds, which parameters may vary, and the loader's messages.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commonweal/commonweal.h"
#include "sweep.h"

#define BASELINE CW_SOURCE_DIR "/scenarios/baseline.yaml"

/* Write text to a sweep file in the test directory; returns its path. */
static const char *write_sweep(const char *name, const char *text)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", CW_TEST_TMP, name);
    FILE *fp = fopen(path, "w");
    cr_assert(fp, "cannot write %s", path);
    fputs(text, fp);
    fclose(fp);
    return path;
}

static cw_sweep *load_ok(const char *name, const char *text)
{
    cw_sweep *sw = NULL;
    cw_status st = cw_sweep_load(write_sweep(name, text), NULL, 0, &sw);
    cr_assert_eq(st, CW_OK, "%s", cw_sweep_errmsg(sw));
    return sw;
}

/* The message for a bad sweep, after "PATH:". */
static void expect_error(const char *name, const char *text, const char *message)
{
    cw_sweep *sw = NULL;
    const char *path = write_sweep(name, text);
    cr_assert_neq(cw_sweep_load(path, NULL, 0, &sw), CW_OK, "%s loaded", name);
    const char *msg = cw_sweep_errmsg(sw);
    cr_assert_eq(strncmp(msg, path, strlen(path)), 0, "message does not start with the path: %s", msg);
    cr_expect_str_eq(msg + strlen(path), message);
    cw_sweep_free(sw);
}

Test(t_quantile, matches_published_values)
{
    /* two-sided 95% critical values, t_{0.975, df} (e.g. NIST/SEMATECH table) */
    static const struct { double df, t; } ref[] = {
        {1, 12.7062047362}, {2, 4.3026527297}, {3, 3.1824463053}, {4, 2.7764451052}, {5, 2.5705818366},
        {9, 2.2621571628}, {10, 2.2281388520}, {19, 2.0930240544}, {30, 2.0422724563}, {100, 1.9839715185},
        {1e6, 1.9599663}};
    for (size_t i = 0; i < sizeof ref / sizeof ref[0]; i++)
        cr_expect(fabs(cw_t_quantile(0.975, ref[i].df) - ref[i].t) < 1e-6 * ref[i].t, "df %g: %.10f, expected %.10f",
                  ref[i].df, cw_t_quantile(0.975, ref[i].df), ref[i].t);
    cr_expect(fabs(cw_t_quantile(0.995, 5) - 4.0321429836) < 1e-6);
    cr_expect(fabs(cw_t_quantile(0.025, 10) + 2.2281388520) < 1e-6, "symmetric");
    cr_expect_eq(cw_t_quantile(0.5, 7), 0.0);
    cr_expect(isnan(cw_t_quantile(1.0, 3)) && isnan(cw_t_quantile(0.9, 0)));
}

Test(design, lhs_has_one_point_in_each_stratum_of_each_column)
{
    enum { N = 37, K = 4 };
    double x[N * K];
    sweep_lhs_unit(99, N, K, x);
    for (int j = 0; j < K; j++) {
        int seen[N] = {0};
        for (int i = 0; i < N; i++) {
            double v = x[i * K + j];
            cr_assert(v >= 0 && v < 1);
            seen[(int)(v * N)]++;
        }
        for (int s = 0; s < N; s++) cr_expect_eq(seen[s], 1, "column %d stratum %d holds %d points", j, s, seen[s]);
    }
    double y[N * K];
    sweep_lhs_unit(99, N, K, y);
    cr_expect_eq(memcmp(x, y, sizeof x), 0, "the same seed gives the same design");
}

Test(design, morris_trajectories_move_one_factor_by_delta)
{
    enum { R = 6, K = 5, P = 4 };
    double x[R * (K + 1) * K], delta = P / (2.0 * (P - 1));
    sweep_morris_unit(7, R, K, P, x);
    for (int t = 0; t < R; t++) {
        int moved[K] = {0};
        for (int i = 0; i <= K; i++)
            for (int j = 0; j < K; j++) {
                double v = x[(t * (K + 1) + i) * K + j];
                cr_assert(v >= -1e-12 && v <= 1 + 1e-12, "off the unit interval: %g", v);
                cr_expect(fabs(v * (P - 1) - round(v * (P - 1))) < 1e-9, "off the %d-level grid: %g", P, v);
            }
        for (int i = 1; i <= K; i++) {
            int changed = 0;
            for (int j = 0; j < K; j++) {
                double d = x[(t * (K + 1) + i) * K + j] - x[(t * (K + 1) + i - 1) * K + j];
                if (fabs(d) > 1e-12) {
                    changed++;
                    moved[j]++;
                    cr_expect(fabs(fabs(d) - delta) < 1e-9, "step %g, not delta %g", d, delta);
                }
            }
            cr_expect_eq(changed, 1, "trajectory %d step %d changes %d factors", t, i, changed);
        }
        for (int j = 0; j < K; j++) cr_expect_eq(moved[j], 1, "factor %d moved %d times", j, moved[j]);
    }
}

Test(design, sobol_points_are_scipys)
{
    /* scipy.stats.qmc.Sobol(128, scramble=False, bits=32).random(4100)[pts][:, dims] * 2**32:
     * points past 2^10 check the recurrence of the degree-10 polynomials too */
    static const int pts[8] = {1, 3, 13, 63, 1000, 2047, 3001, 4099}, dims[8] = {0, 1, 2, 3, 37, 63, 100, 127};
    static const uint32_t want[8][8] = {
        {2147483648u, 2147483648u, 2147483648u, 2147483648u, 2147483648u, 2147483648u, 2147483648u, 2147483648u},
        {1073741824u, 3221225472u, 3221225472u, 3221225472u, 3221225472u, 1073741824u, 3221225472u, 3221225472u},
        {3489660928u, 2952790016u, 3489660928u, 268435456u, 2952790016u, 268435456u, 805306368u, 805306368u},
        {67108864u, 3422552064u, 1543503872u, 1946157056u, 872415232u, 3154116608u, 2483027968u, 2751463424u},
        {943718400u, 415236096u, 2227175424u, 2906652672u, 3569352704u, 1916796928u, 3300917248u, 2336227328u},
        {2097152u, 2694840320u, 3999268864u, 1507852288u, 2384461824u, 4246732800u, 2418016256u, 94371840u},
        {2792357888u, 3599761408u, 355467264u, 3966763008u, 3608150016u, 1758461952u, 3266314240u, 1309671424u},
        {1075314688u, 3094872064u, 368574464u, 1591214080u, 1418199040u, 840433664u, 2220359680u, 3280470016u},
    };
    enum { N = 4100, D = SWEEP_SOBOL_MAX_DIM };
    double *x = malloc((size_t)N * D * sizeof *x);
    cr_assert(x);
    sweep_sobol_unit(N, D, NULL, x);
    for (int d = 0; d < D; d++) cr_expect_eq(x[d], 0.0, "the unshifted sequence starts at the origin");
    for (int i = 0; i < 8; i++)
        for (int j = 0; j < 8; j++)
            cr_expect_eq(x[(size_t)pts[i] * D + (size_t)dims[j]], want[i][j] * 0x1p-32, "point %d dimension %d: %.10g",
                         pts[i], dims[j], x[(size_t)pts[i] * D + (size_t)dims[j]]);
    /* the first 2^m points of each dimension fill the 2^m intervals of width 2^-m once each */
    for (int d = 0; d < D; d++) {
        int seen[1024] = {0};
        for (int i = 0; i < 1024; i++) seen[(int)(x[(size_t)i * D + (size_t)d] * 1024)]++;
        for (int b = 0; b < 1024; b++) cr_assert_eq(seen[b], 1, "dimension %d interval %d holds %d", d, b, seen[b]);
    }
    /* a digital shift XORs each coordinate's bits */
    uint32_t shift[D];
    for (int d = 0; d < D; d++) shift[d] = 0x9e3779b9u * (uint32_t)(d + 1);
    double *y = malloc((size_t)64 * D * sizeof *y);
    cr_assert(y);
    sweep_sobol_unit(64, D, shift, y);
    for (int i = 0; i < 64; i++)
        for (int d = 0; d < D; d++) {
            uint32_t a = (uint32_t)(x[(size_t)i * D + (size_t)d] * 0x1p32), b = (uint32_t)(y[(size_t)i * D + (size_t)d] * 0x1p32);
            cr_expect_eq(a ^ shift[d], b, "point %d dimension %d", i, d);
        }
    free(x);
    free(y);
}

Test(design, saltelli_blocks_are_a_ab_and_b)
{
    enum { N = 16, K = 5, ROWS = N * (K + 2) };
    double x[ROWS * K];
    sweep_saltelli_unit(11, N, K, x);
    for (int i = 0; i < N; i++) {
        const double *a = x + i * (K + 2) * K, *b = a + (K + 1) * K;
        for (int j = 0; j < K; j++) {
            cr_assert(a[j] >= 0 && a[j] < 1 && b[j] >= 0 && b[j] < 1);
            cr_expect_neq(a[j], b[j], "block %d: A and B share factor %d", i, j);
            const double *ab = a + (j + 1) * K;
            for (int q = 0; q < K; q++) cr_expect_eq(ab[q], q == j ? b[q] : a[q], "block %d AB_%d factor %d", i, j, q);
        }
    }
    /* A's and B's columns: N points in N strata (a shifted Sobol' net, N a power of 2) */
    for (int j = 0; j < K; j++) {
        int sa[N] = {0}, sb[N] = {0};
        for (int i = 0; i < N; i++) {
            sa[(int)(x[(i * (K + 2)) * K + j] * N)]++;
            sb[(int)(x[(i * (K + 2) + K + 1) * K + j] * N)]++;
        }
        for (int s = 0; s < N; s++) cr_expect(sa[s] == 1 && sb[s] == 1, "factor %d stratum %d", j, s);
    }
    double y[ROWS * K], z[ROWS * K];
    sweep_saltelli_unit(11, N, K, y);
    sweep_saltelli_unit(12, N, K, z);
    cr_expect_eq(memcmp(x, y, sizeof x), 0, "the same seed gives the same design");
    cr_expect_neq(memcmp(x, z, sizeof x), 0, "another seed, another shift");
}

Test(sweep, saltelli_points_and_range)
{
    cw_sweep *sw = load_ok("saltelli.yaml", "base: " BASELINE "\nmethod: saltelli\nn: 8\nreplicates: 2\nvary:\n"
                                            "  help.informal_offer_rate: {min: 0.04, max: 0.12}\n"
                                            "  groups.burnout_rate: {min: 0.025, max: 0.1}\n"
                                            "  groups.founding_members: {min: 2, max: 9}\n");
    cr_assert_eq(sw->method, SWEEP_SALTELLI);
    cr_assert_eq(cw_sweep_points(sw), 8 * (3 + 2));
    cr_assert_eq(cw_sweep_members(sw), 80);
    for (int p = 0; p < 40; p++) {
        const double *row = sw->design + p * 3;
        cr_expect(row[0] >= 0.04 && row[0] <= 0.12 && row[1] >= 0.025 && row[1] <= 0.1);
        cr_expect(row[2] >= 2 && row[2] <= 9 && row[2] == round(row[2]), "an integer factor is rounded: %g", row[2]);
        cr_expect_eq(sw->trajectory[p], -1);
    }
    cw_sweep_free(sw);
}

Test(sweep, grid_points_replicates_and_common_random_numbers)
{
    cw_sweep *sw = load_ok("grid.yaml", "base: " BASELINE "\nreplicates: 4\nvary:\n"
                                        "  investment.mode: [none, competitive, patient]\n"
                                        "  investment.amount: [5, 10]\n");
    cr_assert_eq(cw_sweep_points(sw), 6);
    cr_assert_eq(cw_sweep_members(sw), 24);
    cr_expect_eq(sw->crn, 1, "common random numbers by default");
    /* the last factor varies fastest */
    cr_expect_eq(sw->design[0 * 2 + 0], 0);
    cr_expect_eq(sw->design[1 * 2 + 1], 10);
    cr_expect_eq(sw->design[5 * 2 + 0], 2);
    for (int m = 0; m < 24; m++) {
        cr_expect_eq(sweep_member_point(sw, m), m / 4);
        cr_expect_eq(sweep_member_seed(sw, m), sweep_member_seed(sw, m % 4), "CRN: replicate seeds equal across points");
        if (m % 4) cr_expect_neq(sweep_member_seed(sw, m), sweep_member_seed(sw, m - 1), "replicates differ");
    }
    cw_scenario *sc = NULL;
    cr_assert_eq(cw_sweep_member_scenario(sw, 4 * 5 + 3, &sc), CW_OK);
    cr_expect_eq(sc->params.investment_mode, 2);
    cr_expect_eq(sc->params.investment_amount, 10.0);
    cr_expect_eq(cw_scenario_seed(sc), sweep_member_seed(sw, 23));
    cw_scenario_free(sc);
    cw_sweep_free(sw);
}

Test(sweep, without_crn_every_member_has_its_own_seed)
{
    cw_sweep *sw = load_ok("nocrn.yaml", "base: " BASELINE "\nreplicates: 5\ncommon_random_numbers: false\n"
                                         "vary:\n  policy.listening: [false, true]\n");
    for (int a = 0; a < 10; a++)
        for (int b = 0; b < a; b++) cr_expect_neq(sweep_member_seed(sw, a), sweep_member_seed(sw, b));
    cw_sweep_free(sw);
}

Test(sweep, set_and_overrides_apply_to_every_member)
{
    const char *sets[] = {"population.neighbourhoods=6"};
    cw_sweep *sw = NULL;
    const char *path = write_sweep("set.yaml", "base: " BASELINE "\nset:\n  run:\n    weeks: 30\n"
                                              "method: lhs\nn: 5\nvary:\n  help.informal_offer_rate: {min: 0.04, max: 0.12}\n");
    cr_assert_eq(cw_sweep_load(path, sets, 1, &sw), CW_OK, "%s", cw_sweep_errmsg(sw));
    cr_expect_eq(cw_sweep_weeks(sw), 30 + 260); /* baseline.yaml: 260-week burn-in */
    cw_scenario *sc = NULL;
    cr_assert_eq(cw_sweep_member_scenario(sw, 3, &sc), CW_OK);
    cr_expect_eq(sc->params.population_neighbourhoods, 6);
    cr_expect(sc->params.help_informal_offer_rate >= 0.04 && sc->params.help_informal_offer_rate <= 0.12);
    cw_scenario_free(sc);
    cw_sweep_free(sw);
}

Test(sweep, shape_parameters_and_the_seed_cannot_vary)
{
    const char *why;
    cr_expect(sweep_param_fixed(params_find("run.weeks"), &why));
    cr_expect(sweep_param_fixed(params_find("population.neighbourhoods"), &why));
    cr_expect(sweep_param_fixed(params_find("population.identity_groups"), &why));
    cr_expect(sweep_param_fixed(params_find("population.scale"), &why)); /* the neighbourhood table's */
    cr_expect(sweep_param_fixed(params_find("population.deprivation_from"), &why));
    cr_expect(sweep_param_fixed(params_find("population.areas"), &why));
    cr_expect(sweep_param_fixed(params_find("run.seed"), &why));
    cr_expect(!sweep_param_fixed(params_find("investment.mode"), &why));
    cr_expect(!sweep_param_fixed(params_find("help.informal_offer_rate"), &why));
}

Test(sweep_errors, say_where_and_what)
{
    expect_error("e1.yaml", "base: " BASELINE "\nreplicate: 3\n", ":2:1: unknown key 'replicate' (did you mean 'replicates'?)");
    expect_error("e2.yaml", "base: " BASELINE "\nvary:\n  run.weeks: [52, 104]\n",
                 ":3:3: run.weeks cannot be varied: it changes the shape of the sweep file (weeks, neighbourhoods, "
                 "identity groups or the neighbourhood table must be the same for every member); set it under "
                 "'set:' or with --set");
    expect_error("e3.yaml", "base: " BASELINE "\nvary:\n  investment.mod: [none]\n",
                 ":3:3: unknown parameter 'investment.mod' (did you mean 'investment.mode'?)");
    expect_error("e4.yaml", "base: " BASELINE "\nvary:\n  investment.mode: [none, patent]\n",
                 ":3:27: investment.mode = 'patent' is not a choice: expected one of none, competitive or patient");
    expect_error("e5.yaml", "base: " BASELINE "\nmethod: lhs\nvary:\n  help.informal_offer_rate: {min: 0.1, max: 0.2}\n",
                 ":2:9: method: lhs needs 'n' (design points)");
    expect_error("e6.yaml", "base: " BASELINE "\nreplicates: 0\n", ":2:13: replicates = '0' is not a whole number in [1, 100000]");
    expect_error("e7.yaml", "vary:\n  investment.mode: [none]\n", ":1:1: a sweep needs 'base:' (the scenario it varies)");
    expect_error("e8.yaml", "base: " BASELINE "\nvary:\n  investment.mode: none\n",
                 ":3:20: investment.mode expects a list of values for method: grid, e.g. [0.5, 1.0], not a single value");
    expect_error("e9.yaml", "base: " BASELINE "\nmethod: morris\ntrajectories: 2\nlevels: 3\nvary:\n  help.informal_offer_rate: {min: 0.1, max: 0.2}\n",
                 ":4:9: levels = 3: Morris designs need an even number of levels (e.g. 4)");
    expect_error("e10.yaml", "base: " BASELINE "\nvary: [1, 2\n",
                 ":3:1: YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence at line 2, column 7)");
    expect_error("e11.yaml", "base: " CW_SOURCE_DIR "/tests/data/scenarios/sweep/austerity.yaml\nvary:\n  funding.scale.housing: [1, 0.5]\n",
                 ":3:3: funding.scale.housing also changes on the base scenario's timeline (" CW_SOURCE_DIR
                 "/tests/data/scenarios/sweep/austerity.yaml:8:10): a sweep sets only its starting value, so the timeline would override it");
    expect_error("e13.yaml", "base: " BASELINE "\nmethod: saltelli\nvary:\n  help.informal_offer_rate: {min: 0.1, max: 0.2}\n",
                 ":2:9: method: saltelli needs 'n' (base samples N: the design has N (k + 2) points)");
    expect_error("e14.yaml", "base: " BASELINE "\nmethod: morris\ntrajectories: 2\nlevels: 4\nn: 8\nvary:\n  help.informal_offer_rate: {min: 0.1, max: 0.2}\n",
                 ":5:4: 'n' goes with method: lhs (design points) or saltelli (base samples)");
    expect_error("e15.yaml", "base: " BASELINE "\nmethod: sobol\n",
                 ":2:9: method = 'sobol' is not a method: expected grid, lhs, morris or saltelli");
    expect_error("e12.yaml", "base: " BASELINE "\nmethod: lhs\nn: 4\nvary:\n  investment.mode: {min: 0, max: 1}\n",
                 ":5:20: investment.mode is a choice: method: lhs varies numbers only (use method: grid for choices and switches)");
}
