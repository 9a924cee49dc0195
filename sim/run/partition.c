/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * Neighbourhood ranges per rank, balanced by residents (see partition.h).
 */
#include "partition.h"

#include <stdio.h>
#include <stdlib.h>

/* Boundaries b (0 < b < n) that may be cut: between LAs, or any. */
static int candidates(const int32_t *nbhd_la, int n, int la_only, int *c)
{
    int m = 0;
    for (int b = 1; b < n; b++)
        if (!la_only || nbhd_la[b] != nbhd_la[b - 1]) c[m++] = b;
    return m;
}

static double gap(const uint32_t *nbhd_first, int b, double target)
{
    double d = (double)nbhd_first[b] - target;
    return d < 0 ? -d : d;
}

cw_status partition_by_residents(const uint32_t *nbhd_first, const int32_t *nbhd_la, int n_nbhd, int ranks,
                                 int *cut, int *by_la, char *err, size_t errlen)
{
    if (ranks < 1 || ranks > n_nbhd) {
        snprintf(err, errlen,
                 "%d MPI ranks for %d neighbourhoods: a distributed run gives every rank at least one "
                 "neighbourhood, so use at most %d ranks (mpirun -n %d)",
                 ranks, n_nbhd, n_nbhd, n_nbhd);
        return CW_EINVAL;
    }
    int *c = malloc((size_t)(n_nbhd > 1 ? n_nbhd : 1) * sizeof *c);
    if (!c) {
        snprintf(err, errlen, "out of memory partitioning %d neighbourhoods", n_nbhd);
        return CW_ENOMEM;
    }
    int m = candidates(nbhd_la, n_nbhd, 1, c);
    *by_la = m >= ranks - 1;
    if (!*by_la) m = candidates(nbhd_la, n_nbhd, 0, c);
    double total = nbhd_first[n_nbhd];
    cut[0] = 0;
    int prev = -1; /* index in c of the last cut */
    for (int r = 1; r < ranks; r++) {
        double target = total * r / ranks;
        int lo = prev + 1, hi = m - (ranks - r); /* leave a candidate for each later cut */
        int best = lo;
        for (int k = lo + 1; k <= hi; k++) {
            if (gap(nbhd_first, c[k], target) < gap(nbhd_first, c[best], target)) best = k;
            if (nbhd_first[c[k]] >= target) break; /* residents only grow from here */
        }
        cut[r] = c[best];
        prev = best;
    }
    cut[ranks] = n_nbhd;
    free(c);
    return CW_OK;
}
