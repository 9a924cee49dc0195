/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * Phase 6, social life (MODEL.md s3.6): contact renews ties and their absence
 * decays them (faster in a lockdown); residents leave and join groups, with
 * homophily softened by openness and limited by spare hours; members
 * volunteer; loneliness follows contact relative to a personal need for it.
 * What makes people lonely (ONS 2018): long-term poor health and low income limit
 * contact outside the home, work gives contact, losing a household member
 * (death or a move) loses that tie and raises the need for a while, and a
 * newcomer starts with no ties outside the household (life.c).
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

/* What a resident's health and income do to its contact chance with ties
 * outside the household (a multiplier in [0,1]): poor health limits going
 * out (social.health_contact_limit), and so does an income under the
 * poverty line (social.poverty_contact_factor). */
double social_outside_contact(const cw_params *p, double health, double income);

#endif
