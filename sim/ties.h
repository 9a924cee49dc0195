/*
 * Social ties (MODEL.md s2): household ties (strong), neighbour and friend
 * ties within the neighbourhood formed with homophily on identity and income,
 * and a few ties across neighbourhoods. Stored as CSR in the world.
 */
#ifndef CW_TIES_H
#define CW_TIES_H

#include "params.h"
#include "world.h"

/* Build w's CSR from its residents (households, identity, income must be
 * set). Rows are sorted by target with no duplicates. */
cw_status ties_build(world *w, cw_mem *mem, const cw_params *p);

#endif
