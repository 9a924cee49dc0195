/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * Partitioning neighbourhoods over the ranks of a distributed run
 * (docs/MPI.md): contiguous ranges, balanced by residents, cut at local
 * authority boundaries whenever there are at least as many LAs as ranks.
 * Pure arithmetic (no MPI), so the serial build tests it too.
 */
#ifndef CW_PARTITION_H
#define CW_PARTITION_H

#include <stddef.h>
#include <stdint.h>

#include "commonweal/commonweal.h"

/* Split neighbourhoods [0, n_nbhd) (resident slices nbhd_first[n_nbhd+1],
 * LA of each nbhd_la[n_nbhd]) into `ranks` non-empty contiguous ranges:
 * rank r gets [cut[r], cut[r+1]), cut[0] = 0, cut[ranks] = n_nbhd. Each cut
 * falls where the residents before it are closest to r/ranks of all, among
 * LA boundaries when there are at least `ranks` runs of equal LA, else among
 * all neighbourhood boundaries. *by_la says which. CW_EINVAL with a message
 * if ranks < 1 or ranks > n_nbhd. */
cw_status partition_by_residents(const uint32_t *nbhd_first, const int32_t *nbhd_la, int n_nbhd, int ranks,
                                 int *cut, int *by_la, char *err, size_t errlen);

#endif
