/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
#include "rng.h"

#include <math.h>

uint32_t rng_bounded(rng *g, uint32_t bound)
{
    uint32_t threshold = (uint32_t)(-bound) % bound;
    for (;;) {
        uint32_t r = rng_u32(g);
        if (r >= threshold) return r % bound;
    }
}

double rng_normal(rng *g)
{
    double u1 = 1.0 - rng_uniform(g); /* (0, 1] so log is finite */
    double u2 = rng_uniform(g);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

double rng_lognormal(rng *g, double mu, double sigma) { return exp(mu + sigma * rng_normal(g)); }

double rng_exponential(rng *g) { return -log(1.0 - rng_uniform(g)); }

/* PTRS: transformed rejection with squeeze (Hormann 1993), lambda >= 10. */
static uint32_t poisson_ptrs(rng *g, double lam)
{
    double slam = sqrt(lam), loglam = log(lam);
    double b = 0.931 + 2.53 * slam;
    double a = -0.059 + 0.02483 * b;
    double invalpha = 1.1239 + 1.1328 / (b - 3.4);
    double vr = 0.9277 - 3.6224 / (b - 2.0);
    for (;;) {
        double u = rng_uniform(g) - 0.5;
        double v = rng_uniform(g);
        double us = 0.5 - fabs(u);
        double k = floor((2.0 * a / us + b) * u + lam + 0.43);
        if (us >= 0.07 && v <= vr) return (uint32_t)k;
        if (k < 0.0 || (us < 0.013 && v > us)) continue;
        if (log(v) + log(invalpha) - log(a / (us * us) + b) <= -lam + k * loglam - lgamma(k + 1.0))
            return (uint32_t)k;
    }
}

uint32_t rng_poisson(rng *g, double lambda)
{
    if (!(lambda > 0.0)) return 0;
    if (lambda >= 10.0) return poisson_ptrs(g, lambda);
    /* multiplication of uniforms (Knuth) */
    double limit = exp(-lambda), prod = rng_uniform(g);
    uint32_t k = 0;
    while (prod > limit) {
        k++;
        prod *= rng_uniform(g);
    }
    return k;
}

/* Inversion (BINV, Kachitvichyanukul & Schmeiser 1988), n*p < 10, p <= 0.5. */
static uint32_t binomial_inversion(rng *g, uint32_t n, double p)
{
    double q = 1.0 - p, s = p / q, a = (n + 1) * s;
    double r0 = pow(q, (double)n);
    for (;;) {
        double r = r0, u = rng_uniform(g);
        uint32_t x = 0;
        while (u > r) {
            u -= r;
            x++;
            if (x > n) break;
            r *= a / x - s;
        }
        if (x <= n) return x;
    }
}

static double stirling_tail(double k)
{
    static const double table[10] = {0.08106146679532726, 0.04134069595540929, 0.02767792568499834,
                                     0.02079067210376509, 0.01664469118982119, 0.01387612882307075,
                                     0.01189670994589177, 0.01041126526197209, 0.00925546218271273,
                                     0.00833056343336287};
    if (k <= 9.0) return table[(int)k];
    double kp1sq = (k + 1.0) * (k + 1.0);
    return (1.0 / 12 - (1.0 / 360 - 1.0 / 1260 / kp1sq) / kp1sq) / (k + 1.0);
}

/* BTRS: transformed rejection with squeeze (Hormann 1993), n*p >= 10, p <= 0.5. */
static uint32_t binomial_btrs(rng *g, uint32_t n, double p)
{
    double q = 1.0 - p, spq = sqrt(n * p * q);
    double b = 1.15 + 2.53 * spq;
    double a = -0.0873 + 0.0248 * b + 0.01 * p;
    double c = n * p + 0.5;
    double vr = 0.92 - 4.2 / b;
    double r = p / q;
    double alpha = (2.83 + 5.1 / b) * spq;
    double m = floor((n + 1) * p);
    for (;;) {
        double u = rng_uniform(g) - 0.5;
        double v = rng_uniform(g);
        double us = 0.5 - fabs(u);
        double k = floor((2.0 * a / us + b) * u + c);
        if (k < 0.0 || k > n) continue;
        if (us >= 0.07 && v <= vr) return (uint32_t)k;
        v = log(v * alpha / (a / (us * us) + b));
        double bound = (m + 0.5) * log((m + 1.0) / (r * (n - m + 1.0))) +
                       (n + 1.0) * log((n - m + 1.0) / (n - k + 1.0)) +
                       (k + 0.5) * log(r * (n - k + 1.0) / (k + 1.0)) + stirling_tail(m) +
                       stirling_tail(n - m) - stirling_tail(k) - stirling_tail(n - k);
        if (v <= bound) return (uint32_t)k;
    }
}

uint32_t rng_binomial(rng *g, uint32_t n, double p)
{
    if (n == 0 || !(p > 0.0)) return 0;
    if (p >= 1.0) return n;
    if (p > 0.5) return n - rng_binomial(g, n, 1.0 - p);
    if (n * p < 10.0) return binomial_inversion(g, n, p);
    return binomial_btrs(g, n, p);
}
