/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * Phase 6, social life (MODEL.md s3.6): contact renews ties and their absence
 * decays them (faster in a lockdown); residents leave and join groups, with
 * homophily softened by openness and limited by spare hours; members
 * volunteer; loneliness follows contact relative to a personal need for it.
 * Runs one neighbourhood at a time (a resident's groups are its
 * neighbourhood's), and sums each group's members and volunteer hours.
 */
#ifndef CW_SOCIAL_H
#define CW_SOCIAL_H

#include "params.h"
#include "world.h"

void social_step(world *w, const cw_params *p, uint64_t seed, uint32_t step);

/* A resident's volunteering propensity (a fixed trait, share of spare hours
 * given when a member): min(1, min_propensity * U^(-1/alpha)). */
double social_propensity(const cw_params *p, uint64_t seed, uint32_t i, uint16_t arrived);

#endif
