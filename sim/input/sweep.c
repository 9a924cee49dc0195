/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * Sweeps (sweep.h): the sweep YAML, its design and each member's scenario.
 *
 *   base: ../baseline.yaml      the scenario varied (relative to this file)
 *   method: grid                grid (default) | lhs | morris | saltelli
 *   replicates: 20              runs per design point (default 1)
 *   common_random_numbers: true replicate r has the same seed at every point
 *   set:                        fixed overrides for every member (optional)
 *     run.weeks: 260
 *   vary:                       parameter path -> what to vary
 *     investment.mode: [none, competitive, patient]   grid: a list
 *     help.informal_offer_rate: {min: 0.04, max: 0.12} lhs, morris, saltelli: a range
 *   n: 40                       lhs: design points; saltelli: base samples N
 *                               (N (k + 2) points; a power of 2 is best)
 *   trajectories: 10            morris: r trajectories of k + 1 points
 *   levels: 4                   morris: p levels (even)
 *   note: any text              ignored
 *
 * Errors use the scenario loader's helpers (yamlfile.c), so they read
 * "FILE:LINE:COLUMN: message" like a scenario's. Members are numbered
 * point-major: member = point * replicates + replicate.
 */
#include "sweep.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"
#include "yamlfile.h"

const char *const sweep_method_names[SWEEP_N_METHODS] = {"grid", "lhs", "morris", "saltelli"};

#define SW_MAX_REPLICATES 100000
#define SW_MAX_POINTS 1000000
#define SW_MAX_VALUES 10000

/* ---- seeds ------------------------------------------------------------------- */

static uint64_t splitmix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

#define SEED_BITS ((UINT64_C(1) << 53) - 1) /* run.seed's range */

int sweep_member_point(const cw_sweep *sw, int member) { return member / sw->replicates; }
int sweep_member_replicate(const cw_sweep *sw, int member) { return member % sw->replicates; }

/* With common random numbers the seed depends on the replicate only, so a
 * replicate's residents draw the same numbers at every design point; without,
 * on the point as well. Both are a function of run.seed alone. */
uint64_t sweep_member_seed(const cw_sweep *sw, int member)
{
    uint64_t r = (uint64_t)sweep_member_replicate(sw, member);
    uint64_t h = splitmix64(sw->base_seed ^ 0x5eed5eed5eed5eedULL);
    if (!sw->crn) h = splitmix64(h ^ ((uint64_t)sweep_member_point(sw, member) << 20));
    return splitmix64(h ^ r) & SEED_BITS;
}

/* ---- designs on the unit cube ------------------------------------------------------ */

static void design_rng(rng *g, uint64_t seed)
{
    uint64_t h = splitmix64(seed ^ 0xde5167de5167ULL);
    rng_seed(g, h, splitmix64(h));
}

/* Each column: a random permutation of the n strata, a uniform point in each. */
void sweep_lhs_unit(uint64_t seed, int n, int k, double *x)
{
    rng g;
    design_rng(&g, seed);
    int *perm = malloc((size_t)n * sizeof *perm);
    if (!perm) return;
    for (int j = 0; j < k; j++) {
        for (int i = 0; i < n; i++) perm[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int s = (int)rng_bounded(&g, (uint32_t)i + 1), t = perm[i];
            perm[i] = perm[s], perm[s] = t;
        }
        for (int i = 0; i < n; i++) x[(size_t)i * (size_t)k + (size_t)j] = (perm[i] + rng_uniform(&g)) / n;
    }
    free(perm);
}

/* Morris (1991): levels 0, 1/(p-1), ..., 1 and step delta = p / (2(p-1)).
 * Each trajectory starts at a random grid point from which every factor can
 * move by +delta or -delta (its random direction), then moves the factors one
 * at a time in a random order: k + 1 points, consecutive ones differing in
 * one factor by exactly delta. */
void sweep_morris_unit(uint64_t seed, int r, int k, int p, double *x)
{
    rng g;
    design_rng(&g, seed);
    double step = 1.0 / (p - 1), delta = p / (2.0 * (p - 1)), dir[SWEEP_MAX_FACTORS];
    int order[SWEEP_MAX_FACTORS], half = p / 2; /* base levels from which a move stays on the grid */
    for (int t = 0; t < r; t++) {
        double *pt = x + (size_t)t * (size_t)(k + 1) * (size_t)k;
        for (int j = 0; j < k; j++) {
            int up = rng_bernoulli(&g, 0.5);
            int level = (int)rng_bounded(&g, (uint32_t)half) + (up ? 0 : half);
            pt[j] = level * step;
            dir[j] = up ? delta : -delta;
            order[j] = j;
        }
        for (int j = k - 1; j > 0; j--) {
            int s = (int)rng_bounded(&g, (uint32_t)j + 1), tmp = order[j];
            order[j] = order[s], order[s] = tmp;
        }
        for (int i = 1; i <= k; i++) {
            double *cur = pt + (size_t)i * (size_t)k;
            memcpy(cur, cur - k, (size_t)k * sizeof *pt);
            int f = order[i - 1];
            cur[f] = round((cur[f] + dir[f]) * (p - 1)) / (p - 1); /* exactly on the grid */
        }
    }
}

/* Sobol' (1967) sequences with the direction numbers of Joe & Kuo (2008), "new-joe-kuo-6.21201"
 * (https://web.maths.unsw.edu.au/~fkuo/sobol/; BSD-style licence, reproduced in docs/THIRD_PARTY.md: (c) 2008 Frances Y.
 * Kuo and Stephen Joe), dimensions 2 .. SWEEP_SOBOL_MAX_DIM (the first is van der Corput's: every
 * m = 1): the degree s of the primitive polynomial, its inner coefficients a (Joe & Kuo's
 * encoding, without the leading and trailing 1) and the initial m_1 .. m_s. The rows are those
 * scipy.stats.qmc ships (_sobol_direction_numbers.npz), so the points match scipy's. */
static const struct { uint8_t s; uint16_t a; uint16_t m[10]; } joe_kuo[SWEEP_SOBOL_MAX_DIM - 1] = {
    {1,0,{1}}, {2,1,{1,3}}, {3,1,{1,3,1}}, {3,2,{1,1,1}}, {4,1,{1,1,3,3}}, {4,4,{1,3,5,13}}, {5,2,{1,1,5,5,17}},
    {5,4,{1,1,5,5,5}}, {5,7,{1,1,7,11,19}}, {5,11,{1,1,5,1,1}}, {5,13,{1,1,1,3,11}}, {5,14,{1,3,5,5,31}},
    {6,1,{1,3,3,9,7,49}}, {6,13,{1,1,1,15,21,21}}, {6,16,{1,3,1,13,27,49}}, {6,19,{1,1,1,15,7,5}},
    {6,22,{1,3,1,15,13,25}}, {6,25,{1,1,5,5,19,61}}, {7,1,{1,3,7,11,23,15,103}}, {7,4,{1,3,7,13,13,15,69}},
    {7,7,{1,1,3,13,7,35,63}}, {7,8,{1,3,5,9,1,25,53}}, {7,14,{1,3,1,13,9,35,107}}, {7,19,{1,3,1,5,27,61,31}},
    {7,21,{1,1,5,11,19,41,61}}, {7,28,{1,3,5,3,3,13,69}}, {7,31,{1,1,7,13,1,19,1}}, {7,32,{1,3,7,5,13,19,59}},
    {7,37,{1,1,3,9,25,29,41}}, {7,41,{1,3,5,13,23,1,55}}, {7,42,{1,3,7,3,13,59,17}}, {7,50,{1,3,1,3,5,53,69}},
    {7,55,{1,1,5,5,23,33,13}}, {7,56,{1,1,7,7,1,61,123}}, {7,59,{1,1,7,9,13,61,49}}, {7,62,{1,3,3,5,3,55,33}},
    {8,14,{1,3,1,15,31,13,49,245}}, {8,21,{1,3,5,15,31,59,63,97}}, {8,22,{1,3,1,11,11,11,77,249}},
    {8,38,{1,3,1,11,27,43,71,9}}, {8,47,{1,1,7,15,21,11,81,45}}, {8,49,{1,3,7,3,25,31,65,79}},
    {8,50,{1,3,1,1,19,11,3,205}}, {8,52,{1,1,5,9,19,21,29,157}}, {8,56,{1,3,7,11,1,33,89,185}},
    {8,67,{1,3,3,3,15,9,79,71}}, {8,70,{1,3,7,11,15,39,119,27}}, {8,84,{1,1,3,1,11,31,97,225}},
    {8,97,{1,1,1,3,23,43,57,177}}, {8,103,{1,3,7,7,17,17,37,71}}, {8,115,{1,3,1,5,27,63,123,213}},
    {8,122,{1,1,3,5,11,43,53,133}}, {9,8,{1,3,5,5,29,17,47,173,479}}, {9,13,{1,3,3,11,3,1,109,9,69}},
    {9,16,{1,1,1,5,17,39,23,5,343}}, {9,22,{1,3,1,5,25,15,31,103,499}}, {9,25,{1,1,1,11,11,17,63,105,183}},
    {9,44,{1,1,5,11,9,29,97,231,363}}, {9,47,{1,1,5,15,19,45,41,7,383}}, {9,52,{1,3,7,7,31,19,83,137,221}},
    {9,55,{1,1,1,3,23,15,111,223,83}}, {9,59,{1,1,5,13,31,15,55,25,161}}, {9,62,{1,1,3,13,25,47,39,87,257}},
    {9,67,{1,1,1,11,21,53,125,249,293}}, {9,74,{1,1,7,11,11,7,57,79,323}}, {9,81,{1,1,5,5,17,13,81,3,131}},
    {9,82,{1,1,7,13,23,7,65,251,475}}, {9,87,{1,3,5,1,9,43,3,149,11}}, {9,91,{1,1,3,13,31,13,13,255,487}},
    {9,94,{1,3,3,1,5,63,89,91,127}}, {9,103,{1,1,3,3,1,19,123,127,237}}, {9,104,{1,1,5,7,23,31,37,243,289}},
    {9,109,{1,1,5,11,17,53,117,183,491}}, {9,122,{1,1,1,5,1,13,13,209,345}}, {9,124,{1,1,3,15,1,57,115,7,33}},
    {9,137,{1,3,1,11,7,43,81,207,175}}, {9,138,{1,3,1,1,15,27,63,255,49}}, {9,143,{1,3,5,3,27,61,105,171,305}},
    {9,145,{1,1,5,3,1,3,57,249,149}}, {9,152,{1,1,3,5,5,57,15,13,159}}, {9,157,{1,1,1,11,7,11,105,141,225}},
    {9,167,{1,3,3,5,27,59,121,101,271}}, {9,173,{1,3,5,9,11,49,51,59,115}}, {9,176,{1,1,7,1,23,45,125,71,419}},
    {9,181,{1,1,3,5,23,5,105,109,75}}, {9,182,{1,1,7,15,7,11,67,121,453}}, {9,185,{1,3,7,3,9,13,31,27,449}},
    {9,191,{1,3,1,15,19,39,39,89,15}}, {9,194,{1,1,1,1,1,33,73,145,379}}, {9,199,{1,3,1,15,15,43,29,13,483}},
    {9,218,{1,1,7,3,19,27,85,131,431}}, {9,220,{1,3,3,3,5,35,23,195,349}}, {9,227,{1,3,3,7,9,27,39,59,297}},
    {9,229,{1,1,3,9,11,17,13,241,157}}, {9,230,{1,3,7,15,25,57,33,189,213}}, {9,234,{1,1,7,1,9,55,73,83,217}},
    {9,236,{1,3,3,13,19,27,23,113,249}}, {9,241,{1,3,5,3,23,43,3,253,479}}, {9,244,{1,1,5,5,11,5,45,117,217}},
    {9,253,{1,3,3,7,29,37,33,123,147}}, {10,4,{1,3,1,15,5,5,37,227,223,459}},
    {10,13,{1,1,7,5,5,39,63,255,135,487}}, {10,19,{1,3,1,7,9,7,87,249,217,599}},
    {10,22,{1,1,3,13,9,47,7,225,363,247}}, {10,50,{1,3,7,13,19,13,9,67,9,737}},
    {10,55,{1,3,5,5,19,59,7,41,319,677}}, {10,64,{1,1,5,3,31,63,15,43,207,789}},
    {10,69,{1,1,7,9,13,39,3,47,497,169}}, {10,98,{1,3,1,7,21,17,97,19,415,905}},
    {10,107,{1,3,7,1,3,31,71,111,165,127}}, {10,115,{1,1,5,11,1,61,83,119,203,847}},
    {10,121,{1,3,3,13,9,61,19,97,47,35}}, {10,127,{1,1,7,7,15,29,63,95,417,469}},
    {10,134,{1,3,1,9,25,9,71,57,213,385}}, {10,140,{1,3,5,13,31,47,101,57,39,341}},
    {10,145,{1,1,3,3,31,57,125,173,365,551}}, {10,152,{1,3,7,1,13,57,67,157,451,707}},
    {10,158,{1,1,1,7,21,13,105,89,429,965}}, {10,161,{1,1,5,9,17,51,45,119,157,141}},
    {10,171,{1,3,7,7,13,45,91,9,129,741}}, {10,181,{1,3,7,1,23,57,67,141,151,571}},
    {10,194,{1,1,3,11,17,47,93,107,375,157}}, {10,199,{1,3,3,5,11,21,43,51,169,915}},
    {10,203,{1,1,5,3,15,55,101,67,455,625}}, {10,208,{1,3,5,9,1,23,29,47,345,595}},
    {10,227,{1,3,7,7,5,49,29,155,323,589}}, {10,242,{1,3,3,7,5,41,127,61,261,717}}
};

#define SOBOL_BITS 32

/* v[j][b]: direction number b of dimension j, scaled to 32 bits (Bratley & Fox 1988). */
static void sobol_directions(int d, uint32_t v[][SOBOL_BITS])
{
    for (int b = 0; b < SOBOL_BITS; b++) v[0][b] = UINT32_C(1) << (SOBOL_BITS - 1 - b);
    for (int j = 1; j < d; j++) {
        int s = joe_kuo[j - 1].s;
        uint32_t a = joe_kuo[j - 1].a, m[SOBOL_BITS];
        for (int b = 0; b < s; b++) m[b] = joe_kuo[j - 1].m[b];
        for (int b = s; b < SOBOL_BITS; b++) {
            uint32_t x = m[b - s] ^ (m[b - s] << s);
            for (int q = 1; q < s; q++)
                if ((a >> (s - 1 - q)) & 1u) x ^= m[b - q] << q;
            m[b] = x;
        }
        for (int b = 0; b < SOBOL_BITS; b++) v[j][b] = m[b] << (SOBOL_BITS - 1 - b);
    }
}

void sweep_sobol_unit(int n, int d, const uint32_t *shift, double *x)
{
    if (d < 1 || d > SWEEP_SOBOL_MAX_DIM) return;
    uint32_t cur[SWEEP_SOBOL_MAX_DIM] = {0};
    uint32_t (*v)[SOBOL_BITS] = malloc((size_t)d * sizeof *v);
    if (!v) return;
    sobol_directions(d, v);
    for (int i = 0; i < n; i++) {
        if (i > 0) { /* Gray code: point i differs from i - 1 by the direction of i - 1's lowest 0 bit */
            int c = 0;
            while ((unsigned)(i - 1) >> c & 1u) c++;
            for (int j = 0; j < d; j++) cur[j] ^= v[j][c];
        }
        for (int j = 0; j < d; j++)
            x[(size_t)i * (size_t)d + (size_t)j] = (double)(cur[j] ^ (shift ? shift[j] : 0)) * 0x1p-32;
    }
    free(v);
}

/* A = the first k coordinates, B = the last k; each block A, AB^(1..k), B. The random digital
 * shift (Owen 2020 advises randomising rather than dropping the first point) keeps the
 * sequence's stratification and takes the first point off the corner. */
void sweep_saltelli_unit(uint64_t seed, int n, int k, double *x)
{
    if (k < 1 || 2 * k > SWEEP_SOBOL_MAX_DIM) return;
    rng g;
    design_rng(&g, seed);
    uint32_t shift[SWEEP_SOBOL_MAX_DIM];
    for (int j = 0; j < 2 * k; j++) shift[j] = rng_u32(&g);
    double *ab = malloc((size_t)n * (size_t)(2 * k) * sizeof *ab);
    if (!ab) return;
    sweep_sobol_unit(n, 2 * k, shift, ab);
    for (int i = 0; i < n; i++) {
        const double *a = ab + (size_t)i * (size_t)(2 * k), *b = a + k;
        double *blk = x + (size_t)i * (size_t)(k + 2) * (size_t)k;
        memcpy(blk, a, (size_t)k * sizeof *a);
        for (int j = 0; j < k; j++) {
            double *row = blk + (size_t)(j + 1) * (size_t)k;
            memcpy(row, a, (size_t)k * sizeof *a);
            row[j] = b[j];
        }
        memcpy(blk + (size_t)(k + 1) * (size_t)k, b, (size_t)k * sizeof *b);
    }
    free(ab);
}

/* ---- which parameters a sweep may vary ------------------------------------------- */

bool sweep_param_fixed(const param_info *pi, const char **why)
{
    if (params_has(pi, PF_SEED)) {
        *why = "each member's seed comes from replicates and common_random_numbers";
        return true;
    }
    if (params_has(pi, PF_SHAPE)) {
        *why = "it changes the shape of the sweep file (weeks, neighbourhoods, identity groups or "
               "the neighbourhood table must be the same for every member); set it under 'set:' "
               "or with --set";
        return true;
    }
    if (params_has(pi, PF_OUTPUT)) {
        *why = "output settings are the file's, not a member's";
        return true;
    }
    if (pi->kind == PK_STR) {
        *why = "it is text";
        return true;
    }
    return false;
}

/* ---- parsing ------------------------------------------------------------------------ */

typedef struct sw_loader {
    cw_sweep *sw;
    yamlfile y;
    char dir[PARAMS_STR_MAX];
    const yaml_node_t *base, *vary, *set, *method, *replicates, *crn, *n, *trajectories, *levels;
    yaml_mark_t factor_mark[SWEEP_MAX_FACTORS];
} sw_loader;

static const char *const sweep_keys[] = {"base", "method", "replicates", "common_random_numbers", "set",
                                         "vary", "n", "trajectories", "levels", "note"};
#define N_SWEEP_KEYS (sizeof sweep_keys / sizeof sweep_keys[0])

/* Edit distance of a and b (short words), for "did you mean". */
static int distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63) return 99;
    int d[64][64];
    for (size_t i = 0; i <= la; i++) d[i][0] = (int)i;
    for (size_t j = 0; j <= lb; j++) d[0][j] = (int)j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            int c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < c) c = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < c) c = d[i][j - 1] + 1;
            d[i][j] = c;
        }
    return d[la][lb];
}

static cw_status unknown_sweep_key(sw_loader *L, const yaml_node_t *k, const char *key)
{
    char c[YF_CLIP + 4];
    const char *best = NULL;
    int bd = 99;
    for (size_t i = 0; i < N_SWEEP_KEYS; i++) {
        int d = distance(key, sweep_keys[i]);
        if (d < bd) bd = d, best = sweep_keys[i];
    }
    if (best && bd <= 2 && bd < (int)strlen(key))
        return yf_fail_at(&L->y, k->start_mark, CW_EINVAL, "unknown key '%s' (did you mean '%s'?)",
                          yf_clip(key, c, sizeof c), best);
    if (params_find(key) || params_suggest(key))
        return yf_fail_at(&L->y, k->start_mark, CW_EINVAL,
                          "unknown key '%s': parameters go under 'set:' (fixed) or 'vary:' (varied)",
                          yf_clip(key, c, sizeof c));
    return yf_fail_at(&L->y, k->start_mark, CW_EINVAL,
                      "unknown key '%s': expected base, method, replicates, common_random_numbers, set, "
                      "vary, n, trajectories, levels or note", yf_clip(key, c, sizeof c));
}

static cw_status top_keys(sw_loader *L, const yaml_node_t *root)
{
    for (const yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
        const yaml_node_t *k = yf_node(&L->y, p->key), *v = yf_node(&L->y, p->value);
        const char *key = NULL;
        cw_status st = yf_key_text(&L->y, k, &key);
        if (st == CW_OK) st = yf_check_duplicate(&L->y, root, p);
        if (st != CW_OK) return st;
        const yaml_node_t **slot[] = {&L->base, &L->method, &L->replicates, &L->crn, &L->set,
                                      &L->vary, &L->n, &L->trajectories, &L->levels, NULL};
        size_t i = 0;
        while (i < N_SWEEP_KEYS && strcmp(key, sweep_keys[i]) != 0) i++;
        if (i == N_SWEEP_KEYS) return unknown_sweep_key(L, k, key);
        if (slot[i]) *slot[i] = v;
    }
    return CW_OK;
}

/* A scalar's text, or an error naming what key expects. */
static cw_status scalar_of(sw_loader *L, const yaml_node_t *v, const char *key, const char *what,
                           const char **text)
{
    if (v->type != YAML_SCALAR_NODE || yf_is_null(v))
        return yf_fail_at(&L->y, v->start_mark, CW_EINVAL, "%s expects %s, not %s", key, what,
                          yf_is_null(v) ? "nothing" : yf_node_kind(v) /* "a mapping" reads well */);
    return yf_scalar_text(&L->y, v, text);
}

static cw_status whole_of(sw_loader *L, const yaml_node_t *v, const char *key, long lo, long hi, int *out)
{
    char what[96], c[YF_CLIP + 4];
    snprintf(what, sizeof what, "a whole number in [%ld, %ld]", lo, hi);
    const char *t = NULL;
    cw_status st = scalar_of(L, v, key, what, &t);
    if (st != CW_OK) return st;
    long x;
    if (!yf_parse_whole(t, lo, hi, &x))
        return yf_fail_at(&L->y, v->start_mark, CW_EINVAL, "%s = '%s' is not %s", key, yf_clip(t, c, sizeof c),
                          what);
    *out = (int)x;
    return CW_OK;
}

static cw_status parse_settings(sw_loader *L)
{
    cw_sweep *sw = L->sw;
    char c[YF_CLIP + 4];
    const char *t = NULL;
    cw_status st = CW_OK;
    sw->method = SWEEP_GRID;
    sw->replicates = 1;
    sw->crn = 1;
    if (L->method) {
        if ((st = scalar_of(L, L->method, "method", "grid, lhs, morris or saltelli", &t))) return st;
        int m = 0;
        while (m < SWEEP_N_METHODS && strcmp(t, sweep_method_names[m]) != 0) m++;
        if (m == SWEEP_N_METHODS)
            return yf_fail_at(&L->y, L->method->start_mark, CW_EINVAL,
                              "method = '%s' is not a method: expected grid, lhs, morris or saltelli",
                              yf_clip(t, c, sizeof c));
        sw->method = (sweep_method)m;
    }
    if (L->replicates && (st = whole_of(L, L->replicates, "replicates", 1, SW_MAX_REPLICATES, &sw->replicates)))
        return st;
    if (L->crn) {
        if ((st = scalar_of(L, L->crn, "common_random_numbers", "true or false", &t))) return st;
        if (!strcmp(t, "true") || !strcmp(t, "yes") || !strcmp(t, "on")) sw->crn = 1;
        else if (!strcmp(t, "false") || !strcmp(t, "no") || !strcmp(t, "off")) sw->crn = 0;
        else
            return yf_fail_at(&L->y, L->crn->start_mark, CW_EINVAL,
                              "common_random_numbers = '%s' is not a boolean: expected true or false",
                              yf_clip(t, c, sizeof c));
    }
    /* the keys of the other methods are errors, not silently ignored */
    const yaml_node_t *n = L->n, *r = L->trajectories, *p = L->levels;
    if (sw->method != SWEEP_LHS && sw->method != SWEEP_SALTELLI && n)
        return yf_fail_at(&L->y, n->start_mark, CW_EINVAL,
                          "'n' goes with method: lhs (design points) or saltelli (base samples)");
    if (sw->method != SWEEP_MORRIS && (r || p))
        return yf_fail_at(&L->y, (r ? r : p)->start_mark, CW_EINVAL, "'%s' goes with method: morris",
                          r ? "trajectories" : "levels");
    if (sw->method == SWEEP_LHS) {
        if (!n) return yf_fail_at(&L->y, L->method->start_mark, CW_EINVAL, "method: lhs needs 'n' (design points)");
        if ((st = whole_of(L, n, "n", 2, SW_MAX_POINTS, &sw->n_lhs))) return st;
    }
    if (sw->method == SWEEP_SALTELLI) {
        if (!n)
            return yf_fail_at(&L->y, L->method->start_mark, CW_EINVAL,
                              "method: saltelli needs 'n' (base samples N: the design has N (k + 2) points)");
        if ((st = whole_of(L, n, "n", 2, SW_MAX_POINTS, &sw->n_saltelli))) return st;
    }
    if (sw->method == SWEEP_MORRIS) {
        if (!r || !p)
            return yf_fail_at(&L->y, L->method->start_mark, CW_EINVAL,
                              "method: morris needs 'trajectories' (r) and 'levels' (p)");
        if ((st = whole_of(L, r, "trajectories", 1, 100000, &sw->trajectories))) return st;
        if ((st = whole_of(L, p, "levels", 2, 100, &sw->levels))) return st;
        if (sw->levels % 2)
            return yf_fail_at(&L->y, p->start_mark, CW_EINVAL,
                              "levels = %d: Morris designs need an even number of levels (e.g. 4)", sw->levels);
    }
    return CW_OK;
}

/* ---- the base scenario and set: ------------------------------------------------------ */

static cw_status load_base(sw_loader *L)
{
    cw_sweep *sw = L->sw;
    const char *name = NULL;
    char path[PARAMS_STR_MAX];
    yaml_mark_t top = {0, 0, 0};
    if (!L->base) return yf_fail_at(&L->y, top, CW_EINVAL, "a sweep needs 'base:' (the scenario it varies)");
    cw_status st = scalar_of(L, L->base, "base", "a scenario file name", &name);
    if (st != CW_OK) return st;
    if (!yf_join_path(L->dir, name, path, sizeof path))
        return yf_fail_at(&L->y, L->base->start_mark, CW_EINVAL, "base file name is too long");
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return yf_fail_at(&L->y, L->base->start_mark, CW_EIO, "cannot read base scenario %s: %s", path,
                          strerror(errno));
    fclose(fp);
    if (!(sw->base = cw_scenario_new())) return CW_ENOMEM;
    if ((st = cw_scenario_load(sw->base, path)) != CW_OK)
        snprintf(sw->errmsg, sizeof sw->errmsg, "%s", cw_scenario_errmsg(sw->base));
    return st;
}

static cw_status apply_set(sw_loader *L, const yaml_node_t *m, const char *prefix)
{
    char path[256], msg[512], c[YF_CLIP + 4];
    for (const yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        const yaml_node_t *k = yf_node(&L->y, p->key), *v = yf_node(&L->y, p->value);
        const char *key = NULL, *text = NULL;
        cw_status st = yf_key_text(&L->y, k, &key);
        if (st == CW_OK) st = yf_check_duplicate(&L->y, m, p);
        if (st != CW_OK) return st;
        snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", key);
        const param_info *pi = params_find(path);
        if (!pi && v->type == YAML_MAPPING_NODE) {
            if ((st = apply_set(L, v, path))) return st;
            continue;
        }
        if (!pi) {
            const param_info *near = params_suggest(path);
            if (near)
                return yf_fail_at(&L->y, k->start_mark, CW_EINVAL, "unknown parameter '%s' (did you mean '%s'?)",
                                  yf_clip(path, c, sizeof c), near->path);
            return yf_fail_at(&L->y, k->start_mark, CW_EINVAL, "unknown parameter '%s' (see `commonweal params`)",
                              yf_clip(path, c, sizeof c));
        }
        if ((st = scalar_of(L, v, pi->path, "a single value", &text))) return st;
        if (params_set_text(&L->sw->base->params, pi, text, msg, sizeof msg) != CW_OK)
            return yf_fail_at(&L->y, v->start_mark, CW_EINVAL, "%s", msg);
    }
    return CW_OK;
}

/* ---- vary: ------------------------------------------------------------------------------ */

/* A timeline event of the base that changes pi, or NULL. */
static const timeline_event *on_timeline(const cw_scenario *sc, const param_info *pi)
{
    for (size_t i = 0; i < sc->n_events; i++)
        if (&params_table[sc->events[i].param] == pi) return &sc->events[i];
    return NULL;
}

static cw_status factor_param(sw_loader *L, const yaml_node_t *k, const char *key, const param_info **out)
{
    char c[YF_CLIP + 4];
    const param_info *pi = params_find(key);
    if (!pi) {
        const param_info *near = params_suggest(key);
        if (near)
            return yf_fail_at(&L->y, k->start_mark, CW_EINVAL, "unknown parameter '%s' (did you mean '%s'?)",
                              yf_clip(key, c, sizeof c), near->path);
        return yf_fail_at(&L->y, k->start_mark, CW_EINVAL,
                          "unknown parameter '%s': vary names whole parameter paths such as investment.mode "
                          "(see `commonweal params`)", yf_clip(key, c, sizeof c));
    }
    const char *why = NULL;
    if (sweep_param_fixed(pi, &why))
        return yf_fail_at(&L->y, k->start_mark, CW_EINVAL, "%s cannot be varied: %s", pi->path, why);
    const timeline_event *e = on_timeline(L->sw->base, pi);
    if (e)
        return yf_fail_at(&L->y, k->start_mark, CW_EINVAL,
                          "%s also changes on the base scenario's timeline (%s:%d:%d): a sweep sets only its "
                          "starting value, so the timeline would override it", pi->path, e->file, e->line, e->column);
    *out = pi;
    return CW_OK;
}

static cw_status grid_values(sw_loader *L, sweep_factor *f, const yaml_node_t *v)
{
    char msg[512];
    if (v->type != YAML_SEQUENCE_NODE)
        return yf_fail_at(&L->y, v->start_mark, CW_EINVAL,
                          "%s expects a list of values for method: grid, e.g. [0.5, 1.0], not a %s", f->pi->path,
                          yf_node_kind(v));
    long n = v->data.sequence.items.top - v->data.sequence.items.start;
    if (n < 1 || n > SW_MAX_VALUES)
        return yf_fail_at(&L->y, v->start_mark, CW_EINVAL, "%s expects between 1 and %d values, not %ld",
                          f->pi->path, SW_MAX_VALUES, n);
    if (!(f->values = malloc((size_t)n * sizeof *f->values))) return CW_ENOMEM;
    cw_params scratch = L->sw->base->params;
    for (const yaml_node_item_t *i = v->data.sequence.items.start; i < v->data.sequence.items.top; i++) {
        const yaml_node_t *item = yf_node(&L->y, *i);
        const char *text = NULL;
        cw_status st = scalar_of(L, item, f->pi->path, "a single value in its list", &text);
        if (st != CW_OK) return st;
        if (params_set_text(&scratch, f->pi, text, msg, sizeof msg) != CW_OK)
            return yf_fail_at(&L->y, item->start_mark, CW_EINVAL, "%s", msg);
        double x = params_get_number(&scratch, f->pi);
        for (int j = 0; j < f->n_values; j++)
            if (f->values[j] == x)
                return yf_fail_at(&L->y, item->start_mark, CW_EINVAL, "%s lists '%s' twice", f->pi->path, text);
        f->values[f->n_values++] = x;
    }
    return CW_OK;
}

/* {min: a, max: b} for lhs, morris and saltelli. */
static cw_status range_values(sw_loader *L, sweep_factor *f, const yaml_node_t *v)
{
    char msg[512];
    const char *method = sweep_method_names[L->sw->method];
    if (f->pi->kind != PK_REAL && f->pi->kind != PK_INT)
        return yf_fail_at(&L->y, v->start_mark, CW_EINVAL,
                          "%s is a %s: method: %s varies numbers only (use method: grid for choices and switches)",
                          f->pi->path, f->pi->kind == PK_ENUM ? "choice" : "switch", method);
    if (v->type != YAML_MAPPING_NODE)
        return yf_fail_at(&L->y, v->start_mark, CW_EINVAL,
                          "%s expects a range {min: A, max: B} for method: %s, not a %s", f->pi->path, method,
                          yf_node_kind(v));
    const yaml_node_t *lo = NULL, *hi = NULL;
    for (const yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
        const yaml_node_t *k = yf_node(&L->y, p->key);
        const char *key = NULL;
        cw_status st = yf_key_text(&L->y, k, &key);
        if (st == CW_OK) st = yf_check_duplicate(&L->y, v, p);
        if (st != CW_OK) return st;
        if (!strcmp(key, "min")) lo = yf_node(&L->y, p->value);
        else if (!strcmp(key, "max")) hi = yf_node(&L->y, p->value);
        else {
            char c[YF_CLIP + 4];
            return yf_fail_at(&L->y, k->start_mark, CW_EINVAL, "unknown key '%s' in a range: expected min and max",
                              yf_clip(key, c, sizeof c));
        }
    }
    if (!lo || !hi)
        return yf_fail_at(&L->y, v->start_mark, CW_EINVAL, "the range of %s needs both min and max", f->pi->path);
    cw_params scratch = L->sw->base->params;
    const yaml_node_t *ends[2] = {lo, hi};
    double x[2];
    for (int e = 0; e < 2; e++) {
        const char *text = NULL;
        cw_status st = scalar_of(L, ends[e], e ? "max" : "min", "a number", &text);
        if (st != CW_OK) return st;
        if (params_set_text(&scratch, f->pi, text, msg, sizeof msg) != CW_OK)
            return yf_fail_at(&L->y, ends[e]->start_mark, CW_EINVAL, "%s", msg);
        x[e] = params_get_number(&scratch, f->pi);
    }
    if (!(x[0] < x[1]))
        return yf_fail_at(&L->y, lo->start_mark, CW_EINVAL, "the range of %s is empty: min %g is not below max %g",
                          f->pi->path, x[0], x[1]);
    f->min = x[0];
    f->max = x[1];
    return CW_OK;
}

/* Whether the set: mapping m (under prefix) names parameter path; where. */
static int set_names(sw_loader *L, const yaml_node_t *m, const char *prefix, const char *path, yaml_mark_t *at)
{
    if (!m || m->type != YAML_MAPPING_NODE) return 0;
    char full[256];
    for (const yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        const yaml_node_t *k = yf_node(&L->y, p->key), *v = yf_node(&L->y, p->value);
        const char *key = NULL;
        if (yf_key_text(&L->y, k, &key) != CW_OK) continue;
        snprintf(full, sizeof full, "%s%s%s", prefix, *prefix ? "." : "", key);
        const param_info *pi = params_find(full);
        if (pi && strcmp(pi->path, path) == 0) {
            *at = k->start_mark;
            return 1;
        }
        if (!pi && set_names(L, v, full, path, at)) return 1;
    }
    return 0;
}

static cw_status parse_vary(sw_loader *L)
{
    cw_sweep *sw = L->sw;
    const yaml_node_t *v = L->vary;
    if (!v || yf_is_null(v)) {
        if (sw->method != SWEEP_GRID) {
            yaml_mark_t m = L->method ? L->method->start_mark : (yaml_mark_t){0, 0, 0};
            return yf_fail_at(&L->y, m, CW_EINVAL, "method: %s needs 'vary:' ranges", sweep_method_names[sw->method]);
        }
        return CW_OK; /* replicates of the base only */
    }
    if (v->type != YAML_MAPPING_NODE)
        return yf_fail_at(&L->y, v->start_mark, CW_EINVAL,
                          "vary expects a mapping of parameter paths to values, not a %s", yf_node_kind(v));
    for (const yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
        const yaml_node_t *k = yf_node(&L->y, p->key);
        const char *key = NULL;
        cw_status st = yf_key_text(&L->y, k, &key);
        if (st == CW_OK) st = yf_check_duplicate(&L->y, v, p);
        if (st != CW_OK) return st;
        if (sw->n_factors == SWEEP_MAX_FACTORS)
            return yf_fail_at(&L->y, k->start_mark, CW_EINVAL, "a sweep varies at most %d parameters",
                              SWEEP_MAX_FACTORS);
        sweep_factor *f = &sw->factors[sw->n_factors];
        if ((st = factor_param(L, k, key, &f->pi))) return st;
        yaml_mark_t at;
        if (set_names(L, L->set, "", f->pi->path, &at)) /* vary would win silently */
            return yf_fail_at(&L->y, k->start_mark, CW_EINVAL,
                              "%s is both set (line %zu) and varied: every member would take the varied value; "
                              "remove one of them", f->pi->path, at.line + 1);
        L->factor_mark[sw->n_factors++] = k->start_mark;
        const yaml_node_t *val = yf_node(&L->y, p->value);
        st = sw->method == SWEEP_GRID ? grid_values(L, f, val) : range_values(L, f, val);
        if (st != CW_OK) return st;
    }
    return CW_OK;
}

/* ---- the design --------------------------------------------------------------------- */

static cw_status count_points(sw_loader *L)
{
    cw_sweep *sw = L->sw;
    double n = 1;
    yaml_mark_t top = {0, 0, 0};
    switch (sw->method) {
    case SWEEP_GRID:
        for (int j = 0; j < sw->n_factors; j++) n *= sw->factors[j].n_values;
        break;
    case SWEEP_LHS: n = sw->n_lhs; break;
    case SWEEP_MORRIS: n = (double)sw->trajectories * (sw->n_factors + 1); break;
    case SWEEP_SALTELLI:
        if (2 * sw->n_factors > SWEEP_SOBOL_MAX_DIM)
            return yf_fail_at(&L->y, L->vary ? L->vary->start_mark : top, CW_EINVAL,
                              "method: saltelli varies at most %d parameters (this sweep varies %d): screen "
                              "them first with method: morris and keep the ones that matter",
                              SWEEP_SOBOL_MAX_DIM / 2, sw->n_factors);
        n = (double)sw->n_saltelli * (sw->n_factors + 2);
        break;
    }
    if (n * sw->replicates > SWEEP_MAX_MEMBERS)
        return yf_fail_at(&L->y, L->vary ? L->vary->start_mark : top, CW_EINVAL,
                          "the sweep has %.0f design points x %d replicates = %.0f members: more than %d",
                          n, sw->replicates, n * sw->replicates, SWEEP_MAX_MEMBERS);
    sw->n_points = (int)n;
    return CW_OK;
}

/* Point i of a grid: the last factor varies fastest. */
static void grid_design(cw_sweep *sw)
{
    for (int i = 0; i < sw->n_points; i++) {
        int rest = i;
        for (int j = sw->n_factors - 1; j >= 0; j--) {
            const sweep_factor *f = &sw->factors[j];
            sw->design[(size_t)i * (size_t)sw->n_factors + (size_t)j] = f->values[rest % f->n_values];
            rest /= f->n_values;
        }
    }
}

/* Unit-cube values onto each factor's range (integers rounded). */
static void scale_design(cw_sweep *sw)
{
    for (int i = 0; i < sw->n_points; i++)
        for (int j = 0; j < sw->n_factors; j++) {
            const sweep_factor *f = &sw->factors[j];
            double *x = &sw->design[(size_t)i * (size_t)sw->n_factors + (size_t)j];
            *x = f->min + *x * (f->max - f->min);
            if (f->pi->kind == PK_INT) *x = round(*x);
        }
}

static cw_status build_design(sw_loader *L)
{
    cw_sweep *sw = L->sw;
    cw_status st = count_points(L);
    if (st != CW_OK) return st;
    size_t cells = (size_t)sw->n_points * (size_t)(sw->n_factors ? sw->n_factors : 1);
    sw->design = calloc(cells, sizeof *sw->design);
    sw->trajectory = malloc((size_t)sw->n_points * sizeof *sw->trajectory);
    if (!sw->design || !sw->trajectory) return CW_ENOMEM;
    for (int i = 0; i < sw->n_points; i++)
        sw->trajectory[i] = sw->method == SWEEP_MORRIS ? i / (sw->n_factors + 1) : -1;
    if (sw->method == SWEEP_GRID) {
        grid_design(sw);
    } else {
        if (sw->method == SWEEP_LHS) sweep_lhs_unit(sw->base_seed, sw->n_points, sw->n_factors, sw->design);
        else if (sw->method == SWEEP_MORRIS)
            sweep_morris_unit(sw->base_seed, sw->trajectories, sw->n_factors, sw->levels, sw->design);
        else sweep_saltelli_unit(sw->base_seed, sw->n_saltelli, sw->n_factors, sw->design);
        scale_design(sw);
    }
    return CW_OK;
}

/* ---- loading ---------------------------------------------------------------------------- */

static cw_status apply_overrides(cw_sweep *sw, const char *const *sets, int n_sets)
{
    for (int i = 0; i < n_sets; i++)
        if (cw_scenario_set(sw->base, sets[i]) != CW_OK) {
            snprintf(sw->errmsg, sizeof sw->errmsg, "%s", cw_scenario_errmsg(sw->base));
            return CW_EINVAL;
        }
    cw_status st = cw_scenario_check(sw->base);
    if (st != CW_OK) snprintf(sw->errmsg, sizeof sw->errmsg, "%s", cw_scenario_errmsg(sw->base));
    return st;
}

static cw_status parse_sweep(sw_loader *L, const char *const *sets, int n_sets)
{
    cw_sweep *sw = L->sw;
    const yaml_node_t *root = yaml_document_get_root_node(&L->y.doc);
    yaml_mark_t start = {0, 0, 0};
    if (!root || yf_is_null(root)) return yf_fail_at(&L->y, start, CW_EINVAL, "sweep is empty");
    if (root->type != YAML_MAPPING_NODE)
        return yf_fail_at(&L->y, root->start_mark, CW_EINVAL,
                          "a sweep must be a mapping (base:, vary:, replicates: ...), not a %s", yf_node_kind(root));
    cw_status st = top_keys(L, root);
    if (st == CW_OK) st = parse_settings(L);
    if (st == CW_OK) st = load_base(L);
    if (st == CW_OK && L->set && !yf_is_null(L->set)) {
        if (L->set->type != YAML_MAPPING_NODE)
            return yf_fail_at(&L->y, L->set->start_mark, CW_EINVAL,
                              "set expects a mapping of parameters (path: value), not a %s", yf_node_kind(L->set));
        st = apply_set(L, L->set, "");
    }
    if (st == CW_OK) st = apply_overrides(sw, sets, n_sets);
    if (st == CW_OK) sw->base_seed = cw_scenario_seed(sw->base);
    if (st == CW_OK) st = parse_vary(L);
    if (st == CW_OK) st = build_design(L);
    return st;
}

cw_status cw_sweep_load(const char *path, const char *const *sets, int n_sets, cw_sweep **out)
{
    cw_sweep *sw = calloc(1, sizeof *sw);
    *out = sw;
    if (!sw) return CW_ENOMEM;
    if (!path) return yf_fail_plain(sw->errmsg, sizeof sw->errmsg, "no sweep file named");
    size_t len = 0;
    struct stat sb;
    int e = yf_read_file(path, &sw->text, &len, &sb);
    if (e) {
        snprintf(sw->errmsg, sizeof sw->errmsg, "%s: cannot read: %s", path,
                 e == EFBIG ? "larger than 16 MiB: not a sweep" : strerror(e));
        return e == ENOMEM ? CW_ENOMEM : CW_EIO;
    }
    char *text = realloc(sw->text, len + 1); /* kept as a C string for the output */
    if (!text) return CW_ENOMEM;
    sw->text = text;
    sw->text[len] = '\0';
    sw_loader L = {.sw = sw, .y = {.path = path, .err = sw->errmsg, .errlen = sizeof sw->errmsg}};
    yf_dir_of(path, L.dir, sizeof L.dir);
    cw_status st = yf_parse(&L.y, sw->text, len, "a sweep");
    if (st != CW_OK) return st;
    sw->errmsg[0] = '\0';
    st = parse_sweep(&L, sets, n_sets);
    if (st == CW_ENOMEM && !sw->errmsg[0]) snprintf(sw->errmsg, sizeof sw->errmsg, "%s: out of memory", path);
    yaml_document_delete(&L.y.doc);
    return st;
}

void cw_sweep_free(cw_sweep *sw)
{
    if (!sw) return;
    for (int j = 0; j < sw->n_factors; j++) free(sw->factors[j].values);
    free(sw->design);
    free(sw->trajectory);
    cw_scenario_free(sw->base);
    free(sw->text);
    free(sw->history);
    free(sw);
}

cw_status cw_sweep_set_history(cw_sweep *sw, const char *history)
{
    char *copy = NULL;
    if (history && !(copy = strdup(history))) return CW_ENOMEM;
    free(sw->history);
    sw->history = copy;
    return CW_OK;
}

const char *cw_sweep_errmsg(const cw_sweep *sw) { return sw ? sw->errmsg : "out of memory"; }
int cw_sweep_members(const cw_sweep *sw) { return sw->n_points * sw->replicates; }
int cw_sweep_points(const cw_sweep *sw) { return sw->n_points; }
int cw_sweep_replicates(const cw_sweep *sw) { return sw->replicates; }
int cw_sweep_weeks(const cw_sweep *sw)
{
    return (int)(sw->base->params.run_burn_in_weeks + sw->base->params.run_weeks);
}

/* ---- members ------------------------------------------------------------------------------ */

cw_status cw_sweep_member_scenario(const cw_sweep *sw, int member, cw_scenario **out)
{
    *out = NULL;
    if (member < 0 || member >= cw_sweep_members(sw)) return CW_EINVAL;
    cw_scenario *sc = cw_scenario_new();
    if (!sc) return CW_ENOMEM;
    *sc = *sw->base;
    sc->events = NULL;
    sc->cap_events = sc->n_events;
    if (sc->n_events) {
        sc->events = malloc(sc->n_events * sizeof *sc->events);
        if (!sc->events) {
            free(sc);
            return CW_ENOMEM;
        }
        memcpy(sc->events, sw->base->events, sc->n_events * sizeof *sc->events);
    }
    *out = sc;
    int point = sweep_member_point(sw, member);
    for (int j = 0; j < sw->n_factors; j++) {
        double x = sw->design[(size_t)point * (size_t)sw->n_factors + (size_t)j];
        if (params_set_number(&sc->params, sw->factors[j].pi, x, sc->errmsg, sizeof sc->errmsg) != CW_OK)
            return CW_EINVAL;
    }
    cw_scenario_set_seed(sc, sweep_member_seed(sw, member));
    return scenario_validate(sc);
}
