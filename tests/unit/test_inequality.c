/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * Inequality metrics against hand-computed values, brute-force definitions
 * and each other (histogram vs exact Gini, decomposed vs pooled Theil,
 * concentration index vs Gini on individual data).
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include "inequality.h"
#include "rng.h"

#define EPS 1e-12

/* Definition: sum_i sum_j |x_i - x_j| / (2 n^2 mu), O(n^2). */
static double gini_brute(const float *x, size_t n)
{
    double pairs = 0.0, sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        sum += x[i];
        for (size_t j = 0; j < n; j++) pairs += fabs((double)x[i] - (double)x[j]);
    }
    return pairs / (2.0 * (double)n * sum);
}

/* Definition: (1/n) sum (y/mu) ln(y/mu), two passes. */
static double theil_direct(const double *y, size_t n)
{
    double mu = 0.0, t = 0.0;
    for (size_t i = 0; i < n; i++) mu += y[i];
    mu /= (double)n;
    for (size_t i = 0; i < n; i++)
        if (y[i] > 0.0) t += (y[i] / mu) * log(y[i] / mu);
    return t / (double)n;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* ---- Gini ---------------------------------------------------------------- */

Test(inequality, gini_of_equal_values_is_zero)
{
    float x[4] = {1, 1, 1, 1};
    double scratch[4];
    cr_assert_float_eq(ineq_gini(x, 4, scratch), 0.0, EPS);
}

Test(inequality, gini_of_one_holder_in_four_is_three_quarters)
{
    float x[4] = {0, 1, 0, 0};
    double scratch[4];
    cr_assert_float_eq(ineq_gini(x, 4, scratch), 0.75, EPS);
    cr_assert_eq(x[1], 1.0f, "input left untouched");
}

/* x_i = i, i = 1..n: sum |i - j| = (n^3 - n)/3, so G = (n - 1)/(3n). */
Test(inequality, gini_of_ranks_matches_closed_form)
{
    enum { N = 1000 };
    float x[N];
    double scratch[N];
    for (int i = 0; i < N; i++) x[i] = (float)(N - i); /* reversed: the sort matters */
    cr_assert_float_eq(ineq_gini(x, N, scratch), (N - 1.0) / (3.0 * N), EPS);
}

Test(inequality, gini_matches_definition_on_random_samples)
{
    enum { N = 257 };
    float x[N];
    double scratch[N];
    for (uint32_t trial = 0; trial < 10; trial++) {
        rng g = rng_stream(11, RK_RESIDENT, trial, 0, RP_LIFE);
        for (int i = 0; i < N; i++)
            x[i] = rng_bernoulli(&g, 0.2) ? 0.0f : (float)rng_lognormal(&g, 0.0, 1.0);
        cr_assert_float_eq(ineq_gini(x, N, scratch), gini_brute(x, N), 1e-12, "trial %u", trial);
    }
}

Test(inequality, gini_edge_cases)
{
    double scratch[3];
    float one = 5.0f, zeros[3] = {0, 0, 0};
    cr_assert_eq(ineq_gini(NULL, 0, NULL), 0.0);
    cr_assert_eq(ineq_gini(&one, 1, scratch), 0.0);
    cr_assert_eq(ineq_gini(zeros, 3, scratch), 0.0);
}

/* Gini of U(0, 1) is 1/3; the sample's standard error at n = 200k is ~5e-4. */
Test(inequality, gini_of_large_uniform_sample_is_a_third)
{
    enum { N = 200000 };
    float *x = malloc(N * sizeof *x);
    double *scratch = malloc(N * sizeof *scratch);
    cr_assert(x && scratch);
    rng g;
    rng_seed(&g, 42u, 54u);
    for (int i = 0; i < N; i++) x[i] = (float)rng_uniform(&g);
    cr_assert_float_eq(ineq_gini(x, N, scratch), 1.0 / 3.0, 3e-3);
    free(x);
    free(scratch);
}

/* ---- Gini from a histogram ---------------------------------------------- */

/* One bin per distinct value: grouping loses nothing, so the two agree. */
Test(inequality, gini_histogram_is_exact_for_one_bin_per_value)
{
    enum { N = 500, BINS = 10 };
    float x[N];
    double scratch[N], count[BINS] = {0}, mid[BINS];
    for (int k = 0; k < BINS; k++) mid[k] = k;
    rng g = rng_stream(3, RK_RESIDENT, 0, 0, RP_LIFE);
    for (int i = 0; i < N; i++) {
        uint32_t v = rng_bounded(&g, BINS);
        x[i] = (float)v;
        count[v] += 1.0;
    }
    cr_assert_float_eq(ineq_gini_histogram(count, mid, BINS), ineq_gini(x, N, scratch), EPS);
}

/* The documented formula G = 1 - sum_k f_k (L_k + L_{k-1}), evaluated
 * literally, against the centred-rank evaluation. */
Test(inequality, gini_histogram_matches_trapezoid_lorenz_formula)
{
    double count[5] = {10, 0, 25, 40, 5}, mid[5] = {0.1, 0.3, 0.5, 0.7, 0.9};
    double n = 80, y = 10 * 0.1 + 25 * 0.5 + 40 * 0.7 + 5 * 0.9;
    double lorenz_prev = 0.0, area2 = 0.0;
    for (int k = 0; k < 5; k++) {
        double lorenz = lorenz_prev + count[k] * mid[k] / y;
        area2 += count[k] / n * (lorenz + lorenz_prev);
        lorenz_prev = lorenz;
    }
    cr_assert_float_eq(ineq_gini_histogram(count, mid, 5), 1.0 - area2, EPS);
}

Test(inequality, gini_histogram_within_one_percent_on_lognormal)
{
    enum { N = 100000, BINS = 256 };
    float *x = malloc(N * sizeof *x);
    double *scratch = malloc(N * sizeof *scratch);
    cr_assert(x && scratch);
    rng g;
    rng_seed(&g, 2024u, 7u);
    float top = 0.0f;
    for (int i = 0; i < N; i++) {
        x[i] = (float)rng_lognormal(&g, 0.0, 0.5);
        if (x[i] > top) top = x[i];
    }
    double count[BINS] = {0}, mid[BINS], width = (double)top / BINS;
    for (int k = 0; k < BINS; k++) mid[k] = (k + 0.5) * width;
    for (int i = 0; i < N; i++) {
        int k = (int)(x[i] / width);
        count[k < BINS ? k : BINS - 1] += 1.0;
    }
    double exact = ineq_gini(x, N, scratch), hist = ineq_gini_histogram(count, mid, BINS);
    cr_assert_gt(exact, 0.25);
    cr_assert_float_eq(hist, exact, 0.01 * exact, "histogram %g vs exact %g", hist, exact);
    free(x);
    free(scratch);
}

Test(inequality, gini_histogram_edge_cases)
{
    double count[3] = {0, 0, 0}, mid[3] = {0.0, 0.5, 1.0};
    cr_assert_eq(ineq_gini_histogram(NULL, NULL, 0), 0.0);
    cr_assert_eq(ineq_gini_histogram(count, mid, 3), 0.0, "nobody");
    count[0] = 7;
    cr_assert_eq(ineq_gini_histogram(count, mid, 3), 0.0, "everyone at zero");
    count[0] = 0;
    count[1] = 7;
    cr_assert_eq(ineq_gini_histogram(count, mid, 3), 0.0, "everyone in one bin");
    count[0] = 3; /* {0,0,0,1}-like: 3 at 0, 1 at 1 */
    count[1] = 0;
    count[2] = 1;
    cr_assert_float_eq(ineq_gini_histogram(count, mid, 3), 0.75, EPS);
}

/* ---- Theil T --------------------------------------------------------------- */

static double theil_of(const double *y, size_t n)
{
    double s = 0.0, sl = 0.0;
    for (size_t i = 0; i < n; i++) {
        s += y[i];
        sl += ineq_ylny(y[i]);
    }
    return ineq_theil_from_sums(s, sl, (double)n);
}

Test(inequality, theil_of_equal_values_is_zero)
{
    double y[5] = {0.37, 0.37, 0.37, 0.37, 0.37};
    cr_assert_float_eq(theil_of(y, 5), 0.0, EPS);
}

/* One holder among n: T = ln n, the maximum. */
Test(inequality, theil_of_one_holder_is_ln_n)
{
    double y[4] = {0, 0, 2.5, 0};
    cr_assert_float_eq(theil_of(y, 4), log(4.0), EPS);
}

/* {1, 3}: mu = 2, T = (1/2)[(1/2) ln(1/2) + (3/2) ln(3/2)]. */
Test(inequality, theil_of_two_values_by_hand)
{
    double y[2] = {1, 3};
    double expect = 0.5 * (0.5 * log(0.5) + 1.5 * log(1.5));
    cr_assert_float_eq(theil_of(y, 2), expect, EPS);
    cr_assert_float_eq(theil_of(y, 2), theil_direct(y, 2), EPS);
}

Test(inequality, theil_edge_cases)
{
    cr_assert_eq(ineq_theil_from_sums(0.0, 0.0, 0.0), 0.0, "nobody");
    cr_assert_eq(ineq_theil_from_sums(0.0, 0.0, 10.0), 0.0, "all zero");
    cr_assert_eq(ineq_ylny(0.0), 0.0);
    double between = -1, within = -1;
    ineq_theil_decompose(NULL, NULL, 0, NULL, &between, &within);
    cr_assert(between == 0.0 && within == 0.0);
    double sum[2] = {0, 0}, n[2] = {3, 4}, t[2] = {0, 0};
    ineq_theil_decompose(sum, n, 2, t, &between, &within);
    cr_assert(between == 0.0 && within == 0.0, "all zero");
}

/* Individuals in groups of unequal sizes, with zeros, an all-zero group and an
 * empty group: the decomposition from per-group running sums adds up to the
 * pooled T computed directly. */
Test(inequality, theil_decomposition_adds_up_to_pooled_index)
{
    enum { G = 7, MAX = 400 };
    static double pooled[G * MAX];
    double group_y[MAX], sum[G], n[G], t[G];
    size_t total = 0;
    for (uint32_t gi = 0; gi < G; gi++) {
        rng g = rng_stream(5, RK_NEIGHBOURHOOD, gi, 0, RP_LIFE);
        size_t size = gi == 3 ? 0 : 20 + rng_bounded(&g, MAX - 20);
        double scale = 0.2 + gi; /* groups differ in mean: between > 0 */
        for (size_t i = 0; i < size; i++) {
            double y = rng_bernoulli(&g, 0.3) ? 0.0 : scale * rng_lognormal(&g, 0.0, 0.8);
            group_y[i] = gi == 5 ? 0.0 : y;
            pooled[total++] = group_y[i];
        }
        double s = 0.0, sl = 0.0;
        for (size_t i = 0; i < size; i++) {
            s += group_y[i];
            sl += ineq_ylny(group_y[i]);
        }
        sum[gi] = s;
        n[gi] = (double)size;
        t[gi] = ineq_theil_from_sums(s, sl, (double)size);
        if (size > 0 && s > 0) cr_assert_float_eq(t[gi], theil_direct(group_y, size), EPS);
    }
    double between, within;
    ineq_theil_decompose(sum, n, G, t, &between, &within);
    cr_assert_gt(between, 0.01);
    cr_assert_gt(within, 0.01);
    cr_assert_float_eq(between + within, theil_direct(pooled, total), EPS);
}

/* Equal group means: nothing between; one group: nothing between either. */
Test(inequality, theil_between_is_zero_for_equal_means)
{
    double sum[3] = {10, 20, 5}, n[3] = {4, 8, 2}, t[3] = {0.1, 0.2, 0.3};
    double between, within;
    ineq_theil_decompose(sum, n, 3, t, &between, &within);
    cr_assert_float_eq(between, 0.0, EPS);
    cr_assert_float_eq(within, (10 * 0.1 + 20 * 0.2 + 5 * 0.3) / 35.0, EPS);
    ineq_theil_decompose(sum, n, 1, t, &between, &within);
    cr_assert_float_eq(between, 0.0, EPS);
    cr_assert_float_eq(within, 0.1, EPS);
}

/* ---- Concentration index -------------------------------------------------- */

/* All of y in the poorest of Q equal groups: CI = 2 R_1 - 1 = 1/Q - 1. */
Test(inequality, concentration_all_in_poorest_group)
{
    double n[5] = {100, 100, 100, 100, 100}, y[5] = {42, 0, 0, 0, 0};
    cr_assert_float_eq(ineq_concentration_grouped(n, y, 5), -0.8, EPS);
    double y_rich[5] = {0, 0, 0, 0, 42};
    cr_assert_float_eq(ineq_concentration_grouped(n, y_rich, 5), 0.8, EPS);
}

Test(inequality, concentration_of_uniform_y_is_zero)
{
    double n[4] = {10, 30, 20, 40}, y[4] = {5, 15, 10, 20}; /* y per person equal */
    cr_assert_float_eq(ineq_concentration_grouped(n, y, 4), 0.0, EPS);
}

/* y per person = g in group g (1..Q), equal sizes:
 * CI = (4 / (Q^2 (Q+1))) sum_g g (g - 1/2) - 1 = (Q - 1)/(3Q); Q = 5: 4/15. */
Test(inequality, concentration_of_y_proportional_to_rank)
{
    double n[5], y[5];
    for (int g = 0; g < 5; g++) {
        n[g] = 20;
        y[g] = 20.0 * (g + 1);
    }
    cr_assert_float_eq(ineq_concentration_grouped(n, y, 5), 4.0 / 15.0, EPS);
}

/* n = {1, 3}, Y = {2, 2}: R = {1/8, 5/8}, CI = (2/4)(2/8 + 10/8) - 1 = -1/4. */
Test(inequality, concentration_with_unequal_groups_by_hand)
{
    double n[2] = {1, 3}, y[2] = {2, 2};
    cr_assert_float_eq(ineq_concentration_grouped(n, y, 2), -0.25, EPS);
}

/* Individuals ranked by y itself: the concentration index is the Gini. */
Test(inequality, concentration_of_y_by_own_rank_is_gini)
{
    enum { N = 300 };
    float x[N];
    double scratch[N], n[N], y[N];
    rng g = rng_stream(9, RK_RESIDENT, 0, 0, RP_LIFE);
    for (int i = 0; i < N; i++) x[i] = (float)rng_exponential(&g);
    for (int i = 0; i < N; i++) {
        n[i] = 1.0;
        y[i] = x[i];
    }
    qsort(y, N, sizeof *y, cmp_double);
    double gini = ineq_gini(x, N, scratch);
    cr_assert_float_eq(ineq_concentration_grouped(n, y, N), gini, EPS);
}

Test(inequality, concentration_edge_cases)
{
    double n[3] = {5, 5, 5}, zero[3] = {0, 0, 0}, empty[3] = {0, 0, 0}, y[3] = {1, 2, 3};
    cr_assert_eq(ineq_concentration_grouped(NULL, NULL, 0), 0.0);
    cr_assert_eq(ineq_concentration_grouped(n, zero, 3), 0.0, "no y");
    cr_assert_eq(ineq_concentration_grouped(empty, y, 3), 0.0, "nobody");
    /* empty groups change nothing */
    double n2[5] = {5, 0, 5, 0, 5}, y2[5] = {1, 0, 2, 0, 3};
    cr_assert_float_eq(ineq_concentration_grouped(n2, y2, 5), ineq_concentration_grouped(n, y, 3), EPS);
}
