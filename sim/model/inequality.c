/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
#include "inequality.h"

#include <assert.h>
#include <stdlib.h>

/*
 * Rank form used by both Gini functions and the concentration index.
 * With people sorted (by x for Gini, by income for the CI) and person i
 * (1-based) of N holding y_i, the population Gini / concentration index is
 *     C = sum_i (2i - N - 1) y_i / (N Y),           Y = sum_i y_i,
 * the same as 2 cov(y, R)/mu with R_i = (i - 1/2)/N. A group of n_g people
 * who share a rank range after C_g earlier people contributes
 * sum over its members of (2i - N - 1) y = Y_g (2 C_g + n_g - N) when they all
 * hold Y_g / n_g, i.e. Y_g (2 R_g - 1) N with the group's mid rank R_g.
 * Summing centred ranks avoids the cancellation of "... - 1" at the end,
 * so equal shares give exactly 0.
 */
static double centred_rank_term(double before, double n_g, double n_total)
{
    return 2.0 * before + n_g - n_total;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/*
 * G = sum_i sum_j |x_i - x_j| / (2 n^2 mu) (population convention, no
 * n/(n-1) small-sample correction), evaluated on the sorted values as
 * G = sum_i (2i - n - 1) x_(i) / (n S), S = sum x (Sen 1973; Damgaard &
 * Weiner 2000). Error: that of two n-term sums in sorted order (relative
 * ~ sqrt(n) eps typically, n eps at worst).
 */
double ineq_gini(const float *x, size_t n, double *scratch)
{
    if (n < 2) return 0.0;
    for (size_t i = 0; i < n; i++) {
        assert(x[i] >= 0.0f);
        scratch[i] = x[i];
    }
    qsort(scratch, n, sizeof *scratch, cmp_double);

    double n_total = (double)n, sum = 0.0, weighted = 0.0;
    for (size_t i = 0; i < n; i++) {
        sum += scratch[i];
        weighted += centred_rank_term((double)i, 1.0, n_total) * scratch[i];
    }
    if (sum <= 0.0) return 0.0;
    return weighted / (n_total * sum);
}

/*
 * Grouped-data Gini, trapezoid Lorenz curve: with f_k = c_k / N the
 * population share of bin k and L_k the cumulative share of the total value
 * up to and including bin k (L_0 = 0),
 *     G = 1 - sum_k f_k (L_k + L_{k-1})
 * (Cowell, "Measuring Inequality", 3rd ed., 2011;
 * Fuller & Lury 1977). Computed here in the equivalent centred-rank form
 * G = sum_k c_k v_k (2 C_k + c_k - N) / (N Y), C_k = count before bin k
 * (summation by parts shows the two are equal), which has no final "1 - ...".
 *
 * Discretisation error. The result is exactly ineq_gini's population Gini
 * of the data with each value moved to its bin mid v_k. Against the unbinned
 * data, moving each value by at most h/2 (h = bin width) changes E|X - X'|
 * by at most h and the mean by at most h/2, so
 *     |G_hist - G| <= (1 + G) h / (2 mu)          (worst case).
 * For a smooth density the first-order shifts cancel and what remains is
 * mostly the lost within-bin inequality, about sum_k f_k^2 h / (6 mu)
 * (uniform within bins), so the histogram Gini is slightly low, by O(h^2).
 * Example: 256 bins on [0, 1] with mu = 0.5 give a worst case of
 * (1 + G) / 256 and typically well under 1e-4. Passing each bin's
 * actual mean value instead of its mid removes the mean error; then G_hist
 * is a lower bound on G (between-bin inequality only).
 */
double ineq_gini_histogram(const double *count, const double *value_mid, size_t bins)
{
    double n_total = 0.0, y_total = 0.0;
    for (size_t k = 0; k < bins; k++) {
        assert(count[k] >= 0.0 && value_mid[k] >= 0.0);
        assert(k == 0 || value_mid[k] >= value_mid[k - 1]);
        n_total += count[k];
        y_total += count[k] * value_mid[k];
    }
    if (n_total <= 0.0 || y_total <= 0.0) return 0.0;

    double before = 0.0, weighted = 0.0;
    for (size_t k = 0; k < bins; k++) {
        weighted += count[k] * value_mid[k] * centred_rank_term(before, count[k], n_total);
        before += count[k];
    }
    return weighted / (n_total * y_total);
}

/*
 * Theil T (Theil 1967) from running sums: with mu = S/n, S = sum y,
 *     T = (1/n) sum (y/mu) ln(y/mu) = (sum y ln y)/S - ln(S/n).
 * Error: the two terms cancel when T is small, leaving an absolute error of
 * about eps * (|ln mu| + the relative summation error of the caller's sums);
 * rounding below 0 is clamped, as T >= 0.
 */
double ineq_theil_from_sums(double sum_y, double sum_ylny, double n)
{
    if (n <= 0.0 || sum_y <= 0.0) return 0.0;
    double t = sum_ylny / sum_y - log(sum_y / n);
    return t > 0.0 ? t : 0.0;
}

/*
 * Theil T decomposition (Shorrocks 1980; Cowell 2011, ch. 3):
 *     T = sum_g s_g ln(mu_g/mu) + sum_g s_g T_g,  s_g = Y_g/Y.
 * ln(mu_g/mu) is taken as one log of (Y_g N)/(n_g Y). Exact identity; the
 * computed between + within matches the pooled T to rounding (~1e-15).
 */
void ineq_theil_decompose(const double *group_sum, const double *group_n, size_t groups,
                          const double *group_theil_within, double *between, double *within)
{
    double y_total = 0.0, n_total = 0.0;
    for (size_t g = 0; g < groups; g++) {
        assert(group_sum[g] >= 0.0 && group_n[g] >= 0.0);
        y_total += group_sum[g];
        n_total += group_n[g];
    }
    *between = 0.0;
    *within = 0.0;
    if (y_total <= 0.0 || n_total <= 0.0) return;

    double b = 0.0, w = 0.0;
    for (size_t g = 0; g < groups; g++) {
        if (group_sum[g] <= 0.0 || group_n[g] <= 0.0) continue;
        double share = group_sum[g] / y_total;
        b += share * log((group_sum[g] * n_total) / (group_n[g] * y_total));
        w += share * group_theil_within[g];
    }
    *between = b > 0.0 ? b : 0.0; /* a Kullback-Leibler divergence: >= 0 */
    *within = w;
}

/*
 * Concentration index from grouped data (Kakwani, Wagstaff & van Doorslaer
 * 1997; O'Donnell et al. 2008, eq. 8.2 with grouped fractional ranks):
 *     CI = (2/(N mu)) sum_g Y_g R_g - 1,  R_g = C_g/N + n_g/(2N),
 * computed as sum_g Y_g (2 C_g + n_g - N) / (N Y), C_g = people before g.
 * Equal to the Fuller-Lury trapezoid 1 - sum_g f_g (L_g + L_{g-1}) on the
 * concentration curve. It treats everyone in a group as sharing the group's
 * mid rank, so it omits within-group covariance and is biased towards 0:
 * for y linear in rank (true CI 1/3) Q equal groups give 1/3 - 1/(3 Q^2),
 * e.g. quintiles 0.320. Exact for individual-level data (n_g = 1).
 */
double ineq_concentration_grouped(const double *group_n, const double *group_y_sum, size_t groups)
{
    double n_total = 0.0, y_total = 0.0;
    for (size_t g = 0; g < groups; g++) {
        assert(group_n[g] >= 0.0);
        n_total += group_n[g];
        y_total += group_y_sum[g];
    }
    if (n_total <= 0.0 || y_total == 0.0) return 0.0;

    double before = 0.0, weighted = 0.0;
    for (size_t g = 0; g < groups; g++) {
        weighted += group_y_sum[g] * centred_rank_term(before, group_n[g], n_total);
        before += group_n[g];
    }
    return weighted / (n_total * y_total);
}
