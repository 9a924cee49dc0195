/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * Inequality metrics for the weekly observe phase: Gini (exact and from a
 * histogram), Theil T with its between/within-group decomposition, and the
 * concentration index from grouped data.
 *
 * Pure functions: no global state, no allocation, no threads. Every sum runs
 * in index order, so a result depends only on the inputs, never on how the
 * caller's per-thread partial sums were scheduled (the caller reduces its
 * partials in a fixed order first, as observe.c does).
 */
#ifndef CW_INEQUALITY_H
#define CW_INEQUALITY_H

#include <math.h>
#include <stddef.h>

/* ---- Gini ----------------------------------------------------------------- */

/* Gini coefficient of the non-negative values x[0..n), population convention
 *     G = sum_i sum_j |x_i - x_j| / (2 n^2 mu),
 * so {0,0,0,1} gives 0.75 and the maximum for n values is 1 - 1/n.
 * Returns 0 if n < 2 or the values sum to 0. O(n log n) (a sort).
 * scratch: caller-owned, n doubles, overwritten (x is left untouched). */
double ineq_gini(const float *x, size_t n, double *scratch);

/* Gini from grouped data: count[k] people (or weights) at value value_mid[k],
 * bins in ascending order of value_mid, all non-negative. Trapezoid Lorenz
 * curve: G = 1 - sum_k f_k (L_k + L_{k-1}). Exactly the population Gini above
 * of the data with every value moved to its bin's mid value; the error
 * against the unbinned data is O(bin width) at worst and O(width^2) for a
 * smooth density (see inequality.c). Returns 0 if the total count or total
 * value is 0. O(bins). */
double ineq_gini_histogram(const double *count, const double *value_mid, size_t bins);

/* ---- Theil T -------------------------------------------------------------- */

/* y ln y with 0 ln 0 = 0: the per-individual term to add to sum_ylny. */
static inline double ineq_ylny(double y) { return y > 0.0 ? y * log(y) : 0.0; }

/* Theil T of one group from running sums over its n individuals
 * (sum_y = sum y_i, sum_ylny = sum ineq_ylny(y_i), all y_i >= 0):
 *     T = (1/n) sum (y/mu) ln(y/mu) = sum_ylny / (n mu) - ln mu,  mu = sum_y / n.
 * Returns 0 if n <= 0 or sum_y <= 0 (nobody, or everyone at zero). */
double ineq_theil_from_sums(double sum_y, double sum_ylny, double n);

/* Between/within decomposition of Theil T over groups (Shorrocks 1980):
 *     T = T_between + T_within,
 *     T_between = sum_g s_g ln(mu_g / mu),  T_within = sum_g s_g T_g,
 * with s_g = Y_g / Y the group's share of the total of y, mu_g = Y_g / n_g.
 * Inputs per group: group_sum[g] = Y_g, group_n[g] = n_g, and
 * group_theil_within[g] = T_g (e.g. from ineq_theil_from_sums). Groups with
 * n_g = 0 or Y_g = 0 contribute nothing. Writes *between and *within (both 0
 * when Y = 0). */
void ineq_theil_decompose(const double *group_sum, const double *group_n, size_t groups,
                          const double *group_theil_within, double *between, double *within);

/* ---- Concentration index ---------------------------------------------------- */

/* Concentration index of y by income rank from grouped data (Wagstaff, van
 * Doorslaer & Paci 1991; O'Donnell et al. 2008, ch. 8), groups ordered from
 * poorest to richest, group g holding group_n[g] people and y total
 * group_y_sum[g]:
 *     CI = 2 cov(y, R) / mu = (2 / (N mu)) sum_g Y_g R_g - 1,
 *     R_g = (people in groups before g) / N + n_g / (2N).
 * In [-1, 1]; negative = y concentrated among the poor. Returns 0 if the total
 * of y (or of people) is 0. */
double ineq_concentration_grouped(const double *group_n, const double *group_y_sum, size_t groups);

#endif
