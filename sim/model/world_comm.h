/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * What building a world needs from the other processes of a distributed run
 * (docs/MPI.md). Each rank builds only its own neighbourhoods' residents;
 * the few global steps of set-up (household numbering, the area's income
 * quintiles, ties that cross ranks) go through these calls, which
 * sim/run/mpi_sim.c provides over MPI. In one process there is no world_comm:
 * the set-up functions take NULL and work on the whole world. Pure C, so
 * the serial build and its tests compile every caller.
 */
#ifndef CW_WORLD_COMM_H
#define CW_WORLD_COMM_H

#include <stddef.h>
#include <stdint.h>

#include "commonweal/commonweal.h"

typedef struct world_comm world_comm;
struct world_comm {
    void *ctx;
    int rank, ranks;
    const int *cut;        /* [ranks+1]: rank r holds neighbourhoods [cut[r], cut[r+1]) */
    const uint32_t *first; /* [ranks+1]: ... and residents [first[r], first[r+1])        */
    /* Sum n counts element-wise over the ranks, in place, on every rank. */
    void (*sum_u64)(const world_comm *c, uint64_t *counts, size_t n);
    /* A per-neighbourhood array whose entries [cut[rank], cut[rank+1]) this
     * rank has filled: every rank gets every rank's entries, in place. */
    void (*share_nbhd_u32)(const world_comm *c, uint32_t *per_nbhd);
    /* Records of `size` bytes: send holds send_n[q] records for each rank q
     * in rank order; *recv (malloc'd, free()d by the caller) gets recv_n[q]
     * records from each q in rank order. CW_ENOMEM. */
    cw_status (*exchange)(const world_comm *c, const void *send, const size_t *send_n, size_t size,
                          void **recv, size_t *recv_n);
};

/* The rank holding the resident with global number g. */
static inline int world_comm_rank_of(const world_comm *c, uint32_t g)
{
    int lo = 0, hi = c->ranks; /* first[lo] <= g < first[hi] */
    while (hi - lo > 1) {
        int mid = lo + (hi - lo) / 2;
        if (c->first[mid] <= g) lo = mid;
        else hi = mid;
    }
    return lo;
}

#endif
