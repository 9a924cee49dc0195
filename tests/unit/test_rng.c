/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * PCG32 against the reference implementation's published demo output, keyed
 * streams, and chi-square checks of every distribution on fixed seeds.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "rng.h"

/* pcg32-demo (pcg-c-basic) seeded with initstate 42, initseq 54, round 1. */
Test(rng, reference_demo_output)
{
    rng g;
    rng_seed(&g, 42u, 54u);
    const uint32_t expect[6] = {0xa15c02b7, 0x7b47f409, 0xba1d3330, 0x83d2f293, 0xbfa4784b, 0xcbed606e};
    for (int i = 0; i < 6; i++) cr_assert_eq(rng_u32(&g), expect[i], "output %d", i);

    const char *coins = "HHTTTHTHHHTHTTTHHHHHTTTHHHTHTHTHTTHTTTHHHHHHTTTTHHTTTTTHTTTTTTTHT";
    for (size_t i = 0; i < strlen(coins); i++)
        cr_assert_eq(rng_bounded(&g, 2) ? 'H' : 'T', coins[i], "coin %zu", i);

    const int rolls[19] = {3, 4, 1, 1, 2, 2, 3, 2, 4, 3, 2, 4, 3, 3, 5, 2, 3, 1, 3};
    for (int i = 0; i < 19; i++) cr_assert_eq((int)rng_bounded(&g, 6) + 1, rolls[i], "roll %d", i);
}

Test(rng, keyed_streams_are_reproducible_and_distinct)
{
    rng a = rng_stream(7, RK_RESIDENT, 12345, 3, RP_LIFE);
    rng b = rng_stream(7, RK_RESIDENT, 12345, 3, RP_LIFE);
    for (int i = 0; i < 100; i++) cr_assert_eq(rng_u32(&a), rng_u32(&b));

    rng base = rng_stream(7, RK_RESIDENT, 12345, 3, RP_LIFE);
    rng variants[5] = {rng_stream(8, RK_RESIDENT, 12345, 3, RP_LIFE),
                       rng_stream(7, RK_GROUP, 12345, 3, RP_LIFE),
                       rng_stream(7, RK_RESIDENT, 12346, 3, RP_LIFE),
                       rng_stream(7, RK_RESIDENT, 12345, 4, RP_LIFE),
                       rng_stream(7, RK_RESIDENT, 12345, 3, RP_LIFE_NEWCOMER)};
    uint32_t first = rng_u32(&base);
    for (int k = 0; k < 5; k++) {
        int same = 0;
        rng copy = base;
        for (int i = 0; i < 32; i++) same += rng_u32(&variants[k]) == rng_u32(&copy);
        cr_assert_lt(same, 2, "variant %d of the key repeats the base stream", k);
        (void)first;
    }
}

/* Neighbouring keys must give independent-looking first draws: the first
 * uniform of 100k consecutive resident ids is uniform. */
Test(rng, first_draws_of_consecutive_keys_are_uniform)
{
    enum { N = 100000, BINS = 20 };
    double count[BINS] = {0};
    for (uint32_t id = 0; id < N; id++) {
        rng g = rng_stream(1, RK_RESIDENT, id, 0, RP_LIFE);
        count[(int)(rng_uniform(&g) * BINS)] += 1;
    }
    double chi = 0, e = (double)N / BINS;
    for (int k = 0; k < BINS; k++) chi += (count[k] - e) * (count[k] - e) / e;
    cr_assert_lt(chi, 43.8, "chi-square %g with 19 df (p=0.001 critical 43.8)", chi);
}

Test(rng, uniform_range_and_chi_square)
{
    enum { N = 200000, BINS = 50 };
    rng g = rng_stream(11, RK_AREA, 0, 0, RP_LIFE);
    double count[BINS] = {0};
    for (int i = 0; i < N; i++) {
        double u = rng_uniform(&g);
        cr_assert(u >= 0.0 && u < 1.0);
        count[(int)(u * BINS)] += 1;
    }
    double chi = 0, e = (double)N / BINS;
    for (int k = 0; k < BINS; k++) chi += (count[k] - e) * (count[k] - e) / e;
    cr_assert_lt(chi, 85.4, "chi-square %g with 49 df (p=0.001 critical 85.4)", chi);
}

Test(rng, bounded_is_unbiased)
{
    enum { N = 140000, B = 7 };
    rng g = rng_stream(12, RK_AREA, 0, 0, RP_LIFE);
    double count[B] = {0};
    for (int i = 0; i < N; i++) {
        uint32_t v = rng_bounded(&g, B);
        cr_assert_lt(v, B);
        count[v] += 1;
    }
    double chi = 0, e = (double)N / B;
    for (int k = 0; k < B; k++) chi += (count[k] - e) * (count[k] - e) / e;
    cr_assert_lt(chi, 22.46, "chi-square %g with 6 df", chi);
}

static double normal_cdf(double x) { return 0.5 * erfc(-x / sqrt(2.0)); }

Test(rng, normal_moments_and_chi_square)
{
    enum { N = 200000, BINS = 16 };
    rng g = rng_stream(13, RK_AREA, 0, 0, RP_LIFE);
    double sum = 0, sq = 0, count[BINS] = {0};
    for (int i = 0; i < N; i++) {
        double z = rng_normal(&g);
        sum += z;
        sq += z * z;
        int k = (int)floor((z + 4.0) / 0.5); /* bins of width 0.5 on [-4, 4) */
        if (k < 0) k = 0;
        if (k >= BINS) k = BINS - 1;
        count[k] += 1;
    }
    double mean = sum / N, var = sq / N - mean * mean;
    cr_assert_lt(fabs(mean), 0.01, "mean %g", mean);
    cr_assert_lt(fabs(var - 1.0), 0.02, "variance %g", var);
    double chi = 0;
    for (int k = 0; k < BINS; k++) {
        double lo = k == 0 ? -INFINITY : -4.0 + 0.5 * k, hi = k == BINS - 1 ? INFINITY : -4.0 + 0.5 * (k + 1);
        double e = N * (normal_cdf(hi) - normal_cdf(lo));
        chi += (count[k] - e) * (count[k] - e) / e;
    }
    cr_assert_lt(chi, 37.7, "chi-square %g with 15 df (p=0.001 critical 37.7)", chi);
}

Test(rng, lognormal_median)
{
    enum { N = 100001 };
    rng g = rng_stream(14, RK_AREA, 0, 0, RP_LIFE);
    int below = 0;
    for (int i = 0; i < N; i++) below += rng_lognormal(&g, log(400.0), 0.55) < 400.0;
    cr_assert_lt(fabs(below / (double)N - 0.5), 0.01, "share below the median %g", below / (double)N);
}

/* Chi-square of integer draws against a pmf, pooling tails with expected < 5. */
static double chi_square_pmf(const double *count, const double *pmf, int n_values, double total, int *df)
{
    double chi = 0, obs_pool = 0, exp_pool = 0;
    *df = -1;
    for (int k = 0; k < n_values; k++) {
        obs_pool += count[k];
        exp_pool += total * pmf[k];
        if (exp_pool >= 5.0) {
            chi += (obs_pool - exp_pool) * (obs_pool - exp_pool) / exp_pool;
            obs_pool = exp_pool = 0;
            (*df)++;
        }
    }
    if (exp_pool > 0) chi += (obs_pool - exp_pool) * (obs_pool - exp_pool) / exp_pool, (*df)++;
    return chi;
}

/* Chi-square critical values at p = 0.001 by degrees of freedom (Wilson-Hilferty). */
static double chi_critical(int df)
{
    double z = 3.09, a = 2.0 / (9.0 * df);
    double c = 1.0 - a + z * sqrt(a);
    return df * c * c * c;
}

static void check_poisson(double lambda, uint64_t seed)
{
    enum { N = 200000, MAXV = 400 };
    static double count[MAXV], pmf[MAXV];
    memset(count, 0, sizeof count);
    rng g = rng_stream(seed, RK_AREA, 0, 0, RP_LIFE);
    double sum = 0, sq = 0;
    for (int i = 0; i < N; i++) {
        uint32_t v = rng_poisson(&g, lambda);
        sum += v;
        sq += (double)v * v;
        count[v < MAXV ? v : MAXV - 1] += 1;
    }
    for (int k = 0; k < MAXV; k++) pmf[k] = exp(k * log(lambda) - lambda - lgamma(k + 1.0));
    double mean = sum / N, var = sq / N - mean * mean;
    cr_assert_lt(fabs(mean - lambda), 5 * sqrt(lambda / N), "poisson(%g) mean %g", lambda, mean);
    cr_assert_lt(fabs(var / lambda - 1.0), 0.03, "poisson(%g) variance %g", lambda, var);
    int df;
    double chi = chi_square_pmf(count, pmf, MAXV, N, &df);
    cr_assert_lt(chi, chi_critical(df), "poisson(%g) chi-square %g with %d df", lambda, chi, df);
}

Test(rng, poisson_small_and_large) /* both algorithms: inversion (<10) and PTRS */
{
    check_poisson(0.7, 21);
    check_poisson(3.0, 22);
    check_poisson(12.0, 23);
    check_poisson(80.0, 24);
    rng g = rng_stream(1, RK_AREA, 0, 0, RP_LIFE);
    cr_assert_eq(rng_poisson(&g, 0.0), 0u);
}

static void check_binomial(uint32_t n, double p, uint64_t seed)
{
    enum { N = 200000 };
    double *count = calloc(n + 1, sizeof *count), *pmf = calloc(n + 1, sizeof *pmf);
    rng g = rng_stream(seed, RK_AREA, 0, 0, RP_LIFE);
    double sum = 0, sq = 0;
    for (int i = 0; i < N; i++) {
        uint32_t v = rng_binomial(&g, n, p);
        cr_assert_leq(v, n);
        sum += v;
        sq += (double)v * v;
        count[v] += 1;
    }
    for (uint32_t k = 0; k <= n; k++)
        pmf[k] = exp(lgamma(n + 1.0) - lgamma(k + 1.0) - lgamma(n - k + 1.0) + k * log(p) + (n - k) * log1p(-p));
    double mean = sum / N, var = sq / N - mean * mean, mu = n * p, v2 = n * p * (1 - p);
    cr_assert_lt(fabs(mean - mu), 5 * sqrt(v2 / N), "binomial(%u,%g) mean %g", n, p, mean);
    cr_assert_lt(fabs(var / v2 - 1.0), 0.03, "binomial(%u,%g) variance %g", n, p, var);
    int df;
    double chi = chi_square_pmf(count, pmf, (int)n + 1, N, &df);
    cr_assert_lt(chi, chi_critical(df), "binomial(%u,%g) chi-square %g with %d df", n, p, chi, df);
    free(count);
    free(pmf);
}

Test(rng, binomial_all_regimes) /* inversion, BTRS, and p > 0.5 by symmetry */
{
    check_binomial(20, 0.3, 31);
    check_binomial(1000, 0.4, 32);
    check_binomial(50, 0.9, 33);
    check_binomial(100000, 0.00003, 34);
    rng g = rng_stream(1, RK_AREA, 0, 0, RP_LIFE);
    cr_assert_eq(rng_binomial(&g, 10, 0.0), 0u);
    cr_assert_eq(rng_binomial(&g, 10, 1.0), 10u);
}

Test(rng, bernoulli_rate)
{
    rng g = rng_stream(41, RK_AREA, 0, 0, RP_LIFE);
    int hits = 0;
    for (int i = 0; i < 100000; i++) hits += rng_bernoulli(&g, 0.23);
    cr_assert_lt(fabs(hits / 1e5 - 0.23), 0.005, "rate %g", hits / 1e5);
}
