/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * Social ties (MODEL.md s2): household ties (strong), neighbour and friend
 * ties within the neighbourhood formed with homophily on identity and income,
 * and a few ties across neighbourhoods. Stored as CSR in the world.
 */
#ifndef CW_TIES_H
#define CW_TIES_H

#include "params.h"
#include "world.h"
#include "world_comm.h"

/* Build the CSR of the residents held here (households, identity, income
 * must be set): the edges the residents of this process's neighbourhoods
 * propose, and in a distributed run (comm) those other ranks' residents
 * propose to them. Rows are sorted by target (global numbers) with no
 * duplicates, and hold global numbers: world_localise turns them into
 * local indices. */
cw_status ties_build(world *w, cw_mem *mem, const cw_params *p, const world_comm *comm);

#endif
