/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * Phase 5, outcomes (MODEL.md s3.5): help lowers each need's severity; a
 * need it did not relieve (relief, not contact) is unmet and grows; trust
 * in services and groups follows how the resident was treated; wellbeing
 * moves toward its target (see help.h).
 */
#include "help_int.h"

#include "inequality.h"
#include "mathx.h"

/* Experience moves trust; memories fade back toward the resident's own
 * disposition (home, drawn at arrival around trust.anchor), not toward one
 * common value: with a common anchor on the threshold the trust measures
 * count (0.5), residents out of contact piled up at the threshold and the
 * share above it crept for a decade (issue 16 item 1). */
static void update_trust(const cw_params *p, float *trust, float home, int gained, int lost)
{
    double t = *trust;
    if (gained) t += p->trust_helped_gain * (1.0 - t);
    if (lost) t -= p->trust_turned_away_loss * t;
    t += p->trust_reversion * (home - t);
    *trust = (float)cw_min(1.0, cw_max(0.0, t));
}

/* What the needs part of a resident's outcome tells the rest. */
typedef struct need_result {
    uint8_t mask, by;           /* unrelieved sectors; routes that helped */
    uint8_t ineffective, ineffective_by; /* reached but not relieved: sectors, routes */
    int any_need, unmet_needs;
    double unmet_severity;
} need_result;

/* One need's week: the hours it got (total, by route in by) and the
 * severity they took off (relief). */
typedef struct need_help {
    double total, relief;
    uint8_t by;
} need_help;

static need_help need_help_of(const nbhd_pass *np, uint32_t c, int s, double sev)
{
    need_help nh = {0.0, 0.0, 0};
#pragma GCC unroll 3
    for (int r = 0; r < N_ROUTES; r++) {
        double h = *hours_at(np, c, s, r);
        if (h <= 0.0) continue;
        nh.by |= (uint8_t)(1u << r);
        nh.total += h;
        np->sums->hours[r] += h;
        double e = np->eff[r][s] * h;
        if (r != ROUTE_SERVICE) e *= cw_max(0.0, 1.0 - np->pen[s] * sev);
        if (r != ROUTE_INFORMAL) e *= np->coproduction;
        nh.relief += e;
    }
    return nh;
}

/* Relief, not contact: a need is relieved when its help took at least
 * outcomes.relief_min_severity off it, or ended it (below need.min_severity).
 * An unrelieved need, with hours (reached, helped ineffectively) or without,
 * is unmet: it grows as if unhelped, less what the help did take off, and
 * its sector's clock runs on. */
static int relieved(const cw_params *p, double sev, const need_help *nh)
{
    return nh->total > 0.0 && (sev - nh->relief < p->need_min_severity || nh->relief >= p->out_relief_min);
}

/* Needs: help lowers each need by route x sector effectiveness (community
 * help less for severe needs, group and service help times co-production);
 * an unrelieved need grows. Each sector's clock counts the weeks its need
 * has gone unrelieved. Adds to the neighbourhood's sums. */
static need_result outcome_needs(nbhd_pass *np, uint32_t i, uint32_t c)
{
    world *w = np->w;
    const cw_params *p = np->p;
    float *need = &w->need[(size_t)i * N_SECTORS];
    uint16_t *clock = &w->unrelieved_weeks[(size_t)i * N_SECTORS];
    need_result nr = {0};
    double y = 0.0;
    help_sums *hs = np->sums;
#pragma GCC unroll 6
    for (int s = 0; s < N_SECTORS; s++) {
        double sev = need[s];
        if (sev <= 0.0) {
            clock[s] = 0;
            continue;
        }
        nr.any_need = 1;
        hs->needing[s] += 1.0;
        need_help nh = need_help_of(np, c, s, sev);
        nr.by |= nh.by;
        double covered = cw_min(1.0, nh.total / wanted_hours(p, (float)sev));
        double shortfall = sev * (1.0 - covered);
        hs->shortfall[s] += shortfall;
        hs->shortfall_sq[s] += shortfall * shortfall;
        y += shortfall;
        if (relieved(p, sev, &nh)) {
            double left = sev - nh.relief;
            need[s] = left < p->need_min_severity ? 0.0f : (float)left; /* helped below the floor: met */
            clock[s] = 0;
            continue;
        }
        hs->unmet[s] += 1.0;
        nr.mask |= (uint8_t)(1u << s);
        nr.unmet_needs++;
        nr.unmet_severity += sev;
        if (nh.total > 0.0) {
            hs->reached_not_relieved[s] += 1.0;
            nr.ineffective |= (uint8_t)(1u << s);
            nr.ineffective_by |= nh.by;
        }
        need[s] = (float)(cw_min(1.0, sev + p->out_unmet_growth * (1.0 - sev)) - nh.relief);
        if (clock[s] < UINT16_MAX) clock[s]++;
    }
    for (int r = 0; r < N_ROUTES; r++) hs->reached_not_relieved_route[r] += (nr.ineffective_by >> r) & 1u;
    hs->reached_not_relieved_any += nr.ineffective != 0;
    hs->y += y;
    hs->ylny += ineq_ylny(y);
    hs->q_residents[w->quintile[i]] += 1.0;
    hs->q_y[w->quintile[i]] += y;
    return nr;
}

/* Trust: in services (served, turned away; listened to or merely
 * consulted) and in groups (helped, refused). f: the request's HF_* flags. */
static void outcome_trust(world *w, const cw_params *p, uint32_t i, uint8_t f, uint8_t by)
{
    update_trust(p, &w->trust[i], w->trust_home[i], f & HF_SERVED, f & HF_TURNED_AWAY);
    if (f & HF_ASKED_SERVICE) { /* listened to, or merely consulted */
        double t = w->trust[i];
        t = p->policy_listening ? t + p->trust_listening_gain * (1.0 - t) : t - p->trust_consulted_loss * t;
        w->trust[i] = (float)cw_min(1.0, cw_max(0.0, t));
    }
    update_trust(p, &w->trust_groups[i], w->trust_groups_home[i], by & (1u << ROUTE_GROUP), f & HF_GROUP_REFUSED);
}

/* Wellbeing moves toward a target that needs, unmet needs, loneliness and
 * isolation lower. */
static void outcome_wellbeing(world *w, const cw_params *p, uint32_t i, int unmet_needs)
{
    const float *need = &w->need[(size_t)i * N_SECTORS];
    double total_need = 0.0;
    for (int s = 0; s < N_SECTORS; s++) total_need += need[s];
    double target = p->wb_max - p->wb_need_cost * total_need - p->wb_unmet_cost * unmet_needs -
                    ((w->social_flags[i] & SF_LONELY) ? p->wb_lonely_cost : 0.0) -
                    ((w->social_flags[i] & SF_ISOLATED) ? p->wb_tie_benefit : 0.0);
    double wb = w->wellbeing[i] + p->wb_reversion * (cw_max(0.0, target) - w->wellbeing[i]);
    w->wellbeing[i] = (float)cw_min(1.0, cw_max(0.0, wb));
}

/* Resident first + li, the c-th in need (c is only read if it has a need). */
void help_outcome(nbhd_pass *np, uint32_t li, uint32_t c)
{
    world *w = np->w;
    const cw_params *p = np->p;
    uint32_t i = np->first + li;
    need_result nr = outcome_needs(np, i, c);
    w->unmet_mask[i] = nr.mask;
    w->ineffective_mask[i] = nr.ineffective;
    w->ineffective_by[i] = nr.ineffective_by;
    w->helped_by[i] = nr.by;
    w->health[i] = (float)cw_max(0.0, w->health[i] - p->out_unmet_health_cost * nr.unmet_severity);
    outcome_trust(w, p, i, nr.any_need ? np->flags[c] : 0, nr.by);
    outcome_wellbeing(w, p, i, nr.unmet_needs);
}
