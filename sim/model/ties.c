/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * Tie formation. Each resident proposes its share of ties from its own keyed
 * stream; proposals become undirected edges, then the CSR. Edges are made per
 * neighbourhood in two passes (count, then fill) so that the parallel loop
 * needs no shared allocation and the result is the same at any thread count.
 */
#include "ties.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"

#define MAX_TRIES 20

typedef struct edge {
    uint32_t a, b;
    float weight;
} edge;

static float friend_weight(rng *g, const cw_params *p)
{
    return (float)(p->ties_initial_weight_min + (1.0 - p->ties_initial_weight_min) * rng_uniform(g));
}

/* Would i accept j as a friend? Homophily on identity and income. (Local
 * indices: both live in the neighbourhood being built.) */
static int accepts(const world *w, const cw_params *p, rng *g, uint32_t i, uint32_t j)
{
    double pr = w->identity[i] == w->identity[j] ? 1.0 : 1.0 - p->ties_identity_homophily;
    pr *= exp(-p->ties_income_homophily * fabs(log((double)w->income_base[i] / w->income_base[j])));
    return rng_uniform(g) < pr;
}

static void emit(edge *out, size_t *n, uint32_t a, uint32_t b, float weight)
{
    if (out) out[*n] = (edge){a, b, weight};
    (*n)++;
}

/* Edges proposed by the residents of neighbourhood b, held here (out ==
 * NULL: count). Edges are in global numbers; the arrays are read at local
 * indices (global - res_base). */
static size_t neighbourhood_edges(const world *w, const cw_params *p, int b, edge *out)
{
    uint32_t first = w->nbhd_first[b], end = w->nbhd_first[b + 1], size = end - first;
    uint32_t base = w->res_base;
    const uint32_t *hh = w->household;
    size_t n = 0;
    for (uint32_t i = first; i < end; i++) {
        for (uint32_t j = i + 1; j < end && hh[j - base] == hh[i - base]; j++)
            emit(out, &n, i, j, (float)p->ties_household_weight);

        rng g = rng_stream((uint64_t)p->run_seed, RK_RESIDENT, i, 0, RP_SETUP_TIES);
        uint32_t k = size > 1 ? rng_poisson(&g, p->ties_mean_degree / 2.0) : 0;
        for (uint32_t t = 0; t < k; t++)
            for (int tries = 0; tries < MAX_TRIES; tries++) {
                uint32_t j = first + rng_bounded(&g, size);
                if (j == i || hh[j - base] == hh[i - base]) continue;
                if (!accepts(w, p, &g, i - base, j - base)) continue;
                emit(out, &n, i, j, friend_weight(&g, p));
                break;
            }

        uint32_t others = world_residents_total(w) - size;
        rng c = rng_stream((uint64_t)p->run_seed, RK_RESIDENT, i, 0, RP_SETUP_CROSS_TIES);
        uint32_t kc = others ? rng_poisson(&c, p->ties_cross_degree / 2.0) : 0;
        for (uint32_t t = 0; t < kc; t++) {
            uint32_t j = rng_bounded(&c, others);
            if (j >= first) j += size;
            emit(out, &n, i, j, friend_weight(&c, p));
        }
    }
    return n;
}

/* Sort a row by target and merge duplicates (keeping the stronger weight).
 * Returns the new row length. */
static uint32_t tidy_row(uint32_t *target, float *weight, uint32_t len)
{
    for (uint32_t a = 1; a < len; a++) { /* insertion sort: rows are short */
        uint32_t t = target[a];
        float wt = weight[a];
        uint32_t b = a;
        while (b > 0 && target[b - 1] > t) {
            target[b] = target[b - 1];
            weight[b] = weight[b - 1];
            b--;
        }
        target[b] = t;
        weight[b] = wt;
    }
    uint32_t out = 0;
    for (uint32_t a = 0; a < len; a++) {
        if (out > 0 && target[out - 1] == target[a]) {
            if (weight[a] > weight[out - 1]) weight[out - 1] = weight[a];
        } else {
            target[out] = target[a];
            weight[out] = weight[a];
            out++;
        }
    }
    return out;
}

/* The CSR of the residents held here from edges with at least one end held
 * (global numbers); rows hold global numbers until world_localise. */
static cw_status edges_to_csr(world *w, cw_mem *mem, const edge *edges, size_t n_edges)
{
    if (2 * (uint64_t)n_edges >= UINT32_MAX) return CW_ETOOBIG;
    uint32_t n = w->n_res, base = w->res_base;
    w->tie_offset = mem_calloc(mem, (size_t)n + 1, sizeof *w->tie_offset);
    uint32_t *len = mem_calloc(mem, (size_t)n + 1, sizeof *len);
    w->tie_target = mem_calloc(mem, 2 * n_edges + 1, sizeof *w->tie_target);
    w->tie_weight = mem_calloc(mem, 2 * n_edges + 1, sizeof *w->tie_weight);
    if (!w->tie_offset || !len || !w->tie_target || !w->tie_weight) {
        mem_free(mem, len);
        return CW_ENOMEM;
    }
    /* a - base >= n for an end held elsewhere (unsigned) */
    for (size_t e = 0; e < n_edges; e++) {
        if (edges[e].a - base < n) w->tie_offset[edges[e].a - base + 1]++;
        if (edges[e].b - base < n) w->tie_offset[edges[e].b - base + 1]++;
    }
    for (uint32_t i = 0; i < n; i++) w->tie_offset[i + 1] += w->tie_offset[i];
    for (size_t e = 0; e < n_edges; e++) {
        uint32_t a = edges[e].a - base, b = edges[e].b - base;
        if (a < n) {
            uint32_t pa = w->tie_offset[a] + len[a]++;
            w->tie_target[pa] = edges[e].b;
            w->tie_weight[pa] = edges[e].weight;
        }
        if (b < n) {
            uint32_t pb = w->tie_offset[b] + len[b]++;
            w->tie_target[pb] = edges[e].a;
            w->tie_weight[pb] = edges[e].weight;
        }
    }
    long nl = (long)n;
#pragma omp parallel for schedule(static)
    for (long i = 0; i < nl; i++)
        len[i] = tidy_row(&w->tie_target[w->tie_offset[i]], &w->tie_weight[w->tie_offset[i]], len[i]);
    /* compact: rows only shrink, so moving forward in order is safe */
    uint32_t pos = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t from = w->tie_offset[i];
        memmove(&w->tie_target[pos], &w->tie_target[from], len[i] * sizeof *w->tie_target);
        memmove(&w->tie_weight[pos], &w->tie_weight[from], len[i] * sizeof *w->tie_weight);
        w->tie_offset[i] = pos;
        pos += len[i];
    }
    w->tie_offset[n] = pos;
    w->n_ties = pos;
    mem_free(mem, len);
    uint32_t *t = mem_realloc(mem, w->tie_target, (size_t)pos + 1, sizeof *t);
    if (t) w->tie_target = t;
    float *wt = mem_realloc(mem, w->tie_weight, (size_t)pos + 1, sizeof *wt);
    if (wt) w->tie_weight = wt;
    return CW_OK;
}

/* Distributed: the edges whose far end another rank holds go to it (each
 * edge's row there needs it); *edges is extended with those received.
 * Order does not matter: rows are sorted and merged afterwards. */
static cw_status exchange_edges(const world *w, cw_mem *mem, const world_comm *c, edge **edges, size_t *n)
{
    size_t *send_n = calloc((size_t)c->ranks, sizeof *send_n), *recv_n = calloc((size_t)c->ranks, sizeof *recv_n);
    size_t *at = calloc((size_t)c->ranks + 1, sizeof *at);
    edge *send = NULL, *recv = NULL;
    cw_status st = CW_ENOMEM;
    if (!send_n || !recv_n || !at) goto out;
    for (size_t e = 0; e < *n; e++)
        if ((*edges)[e].b - w->res_base >= w->n_res) send_n[world_comm_rank_of(c, (*edges)[e].b)]++;
    for (int q = 0; q < c->ranks; q++) at[q + 1] = at[q] + send_n[q];
    if (!(send = malloc((at[c->ranks] + 1) * sizeof *send))) goto out;
    for (size_t e = 0; e < *n; e++)
        if ((*edges)[e].b - w->res_base >= w->n_res) send[at[world_comm_rank_of(c, (*edges)[e].b)]++] = (*edges)[e];
    for (int q = 0; q < c->ranks; q++) at[q] -= send_n[q];
    void *got = NULL;
    if ((st = c->exchange(c, send, send_n, sizeof *send, &got, recv_n))) goto out;
    recv = got;
    size_t n_recv = 0;
    for (int q = 0; q < c->ranks; q++) n_recv += recv_n[q];
    edge *more = mem_realloc(mem, *edges, *n + n_recv + 1, sizeof *more);
    if (!more) {
        st = CW_ENOMEM;
        goto out;
    }
    if (n_recv) memcpy(more + *n, recv, n_recv * sizeof *more);
    *edges = more;
    *n += n_recv;
    st = CW_OK;
out:
    free(send_n);
    free(recv_n);
    free(at);
    free(send);
    free(recv);
    return st;
}

cw_status ties_build(world *w, cw_mem *mem, const cw_params *p, const world_comm *comm)
{
    int b0 = world_own_nbhd_begin(w), nb = world_own_nbhd_end(w) - b0;
    size_t *first = mem_calloc(mem, (size_t)nb + 1, sizeof *first);
    if (!first) return CW_ENOMEM;
#pragma omp parallel for schedule(dynamic, 1)
    for (int b = 0; b < nb; b++) first[b + 1] = neighbourhood_edges(w, p, b0 + b, NULL);
    for (int b = 0; b < nb; b++) first[b + 1] += first[b];
    edge *edges = mem_calloc(mem, first[nb] + 1, sizeof *edges);
    if (!edges) {
        mem_free(mem, first);
        return CW_ENOMEM;
    }
#pragma omp parallel for schedule(dynamic, 1)
    for (int b = 0; b < nb; b++) neighbourhood_edges(w, p, b0 + b, edges + first[b]);
    size_t n_edges = first[nb];
    mem_free(mem, first);
    cw_status st = comm ? exchange_edges(w, mem, comm, &edges, &n_edges) : CW_OK;
    if (!st) st = edges_to_csr(w, mem, edges, n_edges);
    mem_free(mem, edges);
    return st;
}
