/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/* Partitioning neighbourhoods over MPI ranks (sim/run/partition.c). */
#include <criterion/criterion.h>
#include <string.h>

#include "partition.h"

static void prefix(uint32_t *first, const uint32_t *sizes, int n)
{
    first[0] = 0;
    for (int b = 0; b < n; b++) first[b + 1] = first[b] + sizes[b];
}

Test(partition, one_rank_takes_everything)
{
    uint32_t sizes[3] = {5, 5, 5}, first[4];
    int32_t la[3] = {0, 0, 0};
    int cut[2], by_la;
    char err[256];
    prefix(first, sizes, 3);
    cr_assert_eq(partition_by_residents(first, la, 3, 1, cut, &by_la, err, sizeof err), CW_OK);
    cr_assert_eq(cut[0], 0);
    cr_assert_eq(cut[1], 3);
}

Test(partition, balances_residents_not_neighbourhoods)
{
    uint32_t sizes[6] = {100, 10, 10, 10, 10, 60}, first[7];
    int32_t la[6] = {0, 0, 0, 0, 0, 0};
    int cut[3], by_la;
    char err[256];
    prefix(first, sizes, 6);
    cr_assert_eq(partition_by_residents(first, la, 6, 2, cut, &by_la, err, sizeof err), CW_OK);
    cr_assert_eq(by_la, 0); /* one LA: cuts inside it */
    cr_assert_eq(cut[1], 1, "100 of 200 residents on rank 0, got cut %d", cut[1]);
}

Test(partition, cuts_at_la_boundaries_when_there_are_enough)
{
    uint32_t sizes[6] = {10, 10, 10, 10, 10, 10}, first[7];
    int32_t la[6] = {0, 0, 1, 1, 1, 2};
    int cut[4], by_la;
    char err[256];
    prefix(first, sizes, 6);
    cr_assert_eq(partition_by_residents(first, la, 6, 3, cut, &by_la, err, sizeof err), CW_OK);
    cr_assert_eq(by_la, 1);
    cr_assert_eq(cut[1], 2);
    cr_assert_eq(cut[2], 5);
    cr_assert_eq(cut[3], 6);
}

Test(partition, every_rank_gets_a_neighbourhood)
{
    uint32_t sizes[4] = {1000, 1, 1, 1}, first[5];
    int32_t la[4] = {0, 0, 0, 0};
    int cut[5], by_la;
    char err[256];
    prefix(first, sizes, 4);
    cr_assert_eq(partition_by_residents(first, la, 4, 4, cut, &by_la, err, sizeof err), CW_OK);
    for (int r = 0; r < 4; r++) cr_assert_eq(cut[r + 1], cut[r] + 1);
}

Test(partition, refuses_more_ranks_than_neighbourhoods)
{
    uint32_t sizes[4] = {5, 5, 5, 5}, first[5];
    int32_t la[4] = {0, 0, 0, 0};
    int cut[6], by_la;
    char err[256] = "";
    prefix(first, sizes, 4);
    cr_assert_eq(partition_by_residents(first, la, 4, 5, cut, &by_la, err, sizeof err), CW_EINVAL);
    cr_assert(strstr(err, "5 MPI ranks for 4 neighbourhoods"), "%s", err);
    cr_assert(strstr(err, "at most 4 ranks"), "%s", err);
}
