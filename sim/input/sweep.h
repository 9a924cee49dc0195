/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * Sweeps: a base scenario, the parameters varied over a design (a grid, a
 * Latin hypercube, Morris elementary-effects trajectories or a Saltelli
 * design for Sobol' indices), replicates,
 * and each member's seed (common random numbers or not). Pure: no files
 * but the sweep YAML and its base scenario, no HDF5. Private layout of the
 * public cw_sweep handle.
 */
#ifndef CW_SWEEP_H
#define CW_SWEEP_H

#include <stdint.h>

#include "params.h"
#include "scenario.h"

typedef enum sweep_method { SWEEP_GRID, SWEEP_LHS, SWEEP_MORRIS, SWEEP_SALTELLI } sweep_method;
#define SWEEP_N_METHODS 4
extern const char *const sweep_method_names[SWEEP_N_METHODS];

/* A varied parameter. */
typedef struct sweep_factor {
    const param_info *pi;
    double *values;      /* grid: the listed values (enums: choice index)  */
    int n_values;
    double min, max;     /* lhs, morris, saltelli: the range               */
} sweep_factor;

#define SWEEP_MAX_FACTORS 256 /* a Morris screen of every behavioural parameter (~110) fits */
#define SWEEP_MAX_MEMBERS 1000000

struct cw_sweep {
    char *text;                 /* the sweep file as written               */
    char *history;              /* CF history of the file (cw_sweep_set_history) */
    cw_scenario *base;          /* base + set: + --set overrides           */
    sweep_method method;
    int replicates, crn;
    int n_lhs, trajectories, levels; /* lhs: n; morris: r, p               */
    int n_saltelli;             /* saltelli: N base samples (N (k + 2) points) */
    int n_factors;
    sweep_factor factors[SWEEP_MAX_FACTORS];
    int n_points;
    double *design;             /* [n_points][n_factors]                   */
    int32_t *trajectory;        /* [n_points]: morris trajectory, else -1  */
    uint64_t base_seed;         /* run.seed of the base                    */
    char errmsg[1024];
};

/* The seed of member m (53 bits, as run.seed holds). */
uint64_t sweep_member_seed(const cw_sweep *sw, int member);
int sweep_member_point(const cw_sweep *sw, int member);
int sweep_member_replicate(const cw_sweep *sw, int member);

/* Parameters that change a sweep file's shape or the neighbourhood table
 * (population sizes, run.*, output.*): a sweep cannot vary them. */
bool sweep_param_fixed(const param_info *pi, const char **why);

/* Designs, from the generator seeded by seed, into x[n_points][k] on the
 * unit cube: a Latin hypercube of n points; Morris trajectories of k + 1
 * points each with p levels (p even). */
void sweep_lhs_unit(uint64_t seed, int n, int k, double *x);
void sweep_morris_unit(uint64_t seed, int r, int k, int p, double *x);

/* Points 0 .. n-1 of the d-dimensional Sobol' sequence (d <= SWEEP_SOBOL_MAX_DIM)
 * into x[n][d], with Joe & Kuo's (2008) direction numbers in Gray-code order,
 * 32 bits: the points scipy.stats.qmc.Sobol(d, scramble=False) gives. Each
 * coordinate's 32 bits are XOR-ed with shift[j] first (a digital shift; NULL:
 * none). */
#define SWEEP_SOBOL_MAX_DIM 128 /* the direction-number table: a saltelli design varies <= 64 */
void sweep_sobol_unit(int n, int d, const uint32_t *shift, double *x);

/* Saltelli et al. (2010) design for first-order and total Sobol' indices:
 * n base points of a 2k-dimensional Sobol' sequence, digitally shifted by
 * 2k random words from the generator seeded by seed; the first k coordinates
 * are a row of A, the last k the row of B. Into x[n (k + 2)][k], block i
 * (rows i (k + 2) ...) holds A_i, then AB_i^(1) .. AB_i^(k) (A_i with factor j
 * taken from B_i), then B_i: the order SALib's saltelli.sample uses without
 * second-order indices. */
void sweep_saltelli_unit(uint64_t seed, int n, int k, double *x);

#endif
