/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * Public services: one front-line team per sector per neighbourhood, funded
 * by its local authority (MODEL.md s2). This module sets their staff hours
 * from the budgets; the allocation of those hours is the help phase's.
 */
#ifndef CW_SERVICES_H
#define CW_SERVICES_H

#include "params.h"
#include "world.h"

/* Staff hours a week of every team from funding.budget, funding.scale, the
 * need weighting and the cut gradient. Called at set-up and whenever the
 * timeline changes a funding parameter. */
void services_fund(world *w, const cw_params *p);

#endif
