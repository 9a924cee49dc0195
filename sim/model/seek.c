/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * Phase 3, help-seeking (MODEL.md s3.3): each resident states the need it
 * would ask its ties about, some offer spare hours to one tie, and each
 * neighbourhood collects the offers made to its residents (see help.h).
 */
#include "help_int.h"

#include "rng.h"

/* ---- phase 3: what each resident asks its ties about; offers -------------- */

static void state_ask(world *w, uint32_t i)
{
    const float *need = &w->need[(size_t)i * N_SECTORS];
    int best = N_SECTORS;
    float sev = 0.0f;
    for (int s = 0; s < N_SECTORS; s++)
        if (need[s] > sev) sev = need[s], best = s;
    w->ask_sector[i] = (uint8_t)best;
    w->ask_severity[i] = sev;
    w->helped_by[i] = 0;
}

/* Provider j may offer its hours this week: to a household member in need
 * (chance household_offer_rate) or, more rarely, to any tie in need (chance
 * informal_offer_rate, times crisis.lockdown_informal_factor in lockdown); it picks the tie in greatest need, household ties
 * at weight 1, others by severity x weight, weak ties not asked. */
static void offer(world *w, const cw_params *p, uint64_t seed, uint32_t step, uint32_t j)
{
    w->give_to[j] = NO_RESIDENT;
    w->give_hours[j] = 0.0f;
    double avail = w->spare_hours[j] * p->help_informal_share;
    if (avail <= 0.0) return;
    double u = rng_trait(seed, RK_RESIDENT, world_gid(w, j), step, RP_OFFER);
    double rate = p->help_informal_offer_rate * (p->crisis_lockdown ? p->crisis_lockdown_informal : 1.0);
    int anyone = u < rate;
    if (!anyone && u >= p->help_household_offer_rate) return;
    double best = 0.0;
    uint32_t to = NO_RESIDENT;
    for (uint32_t k = w->tie_offset[j]; k < w->tie_offset[j + 1]; k++) {
        uint32_t t = w->tie_target[k];
        if (w->ask_sector[t] >= N_SECTORS) continue;
        int home = w->household[t] == w->household[j];
        if (!home && (!anyone || w->tie_weight[k] < p->help_informal_min_weight)) continue;
        double prio = w->ask_severity[t] * (home ? 1.0 : w->tie_weight[k]);
        if (prio > best) best = prio, to = t;
    }
    if (to == NO_RESIDENT) return;
    double wanted = p->help_hours_per_severity * w->ask_severity[to];
    w->give_to[j] = to;
    w->give_hours[j] = (float)(avail < wanted ? avail : wanted);
}

void help_ask(world *w)
{
    long k0 = world_own_item_begin(w), k1 = world_own_item_end(w);
#pragma omp parallel for schedule(dynamic, 1)
    for (long k = k0; k < k1; k++)
        for (uint32_t i = w->items[k].first; i < w->items[k].end; i++) state_ask(w, i);
}

void help_offer(world *w, const cw_params *p, uint64_t seed, uint32_t step)
{
    long k0 = world_own_item_begin(w), k1 = world_own_item_end(w);
#pragma omp parallel for schedule(dynamic, 1)
    for (long k = k0; k < k1; k++)
        for (uint32_t i = w->items[k].first; i < w->items[k].end; i++) offer(w, p, seed, step, i);
}

void help_collect_informal(nbhd_pass *np)
{
    world *w = np->w;
    for (uint32_t c = 0; c < np->n_needy; c++) {
        uint32_t i = needy_resident(np, c);
        int s = w->ask_sector[i]; /* < N_SECTORS: in need */
        double got = 0.0;
        for (uint32_t k = w->tie_offset[i]; k < w->tie_offset[i + 1]; k++) {
            uint32_t t = w->tie_target[k];
            if (w->give_to[t] == i) got += w->give_hours[t];
        }
        double want = wanted_hours(np->p, w->ask_severity[i]);
        *hours_at(np, c, s, ROUTE_INFORMAL) = (float)(got < want ? got : want);
    }
}

seek_draws help_draw_seeking(uint64_t seed, uint32_t i, uint32_t step)
{
    rng g = rng_stream(seed, RK_RESIDENT, i, step, RP_HELP);
    seek_draws d;
    for (int s = 0; s < N_SECTORS; s++) d.aware[s] = rng_uniform(&g);
    d.group_pick = rng_uniform(&g);
    d.group_accept = rng_uniform(&g);
    d.referral = rng_uniform(&g);
    return d;
}
