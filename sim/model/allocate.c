/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * Phase 4, allocation (MODEL.md s3.4): providers' queues, service triage,
 * groups (members first), partnership vouching and referral, the LA
 * escalation pools, and one neighbourhood's pass through phases 4-5
 * (see help.h).
 */
#include "help_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "groups.h"
#include "mathx.h"
#include "rng.h"
#include "services.h"

#define S_HEALTH (1u << SECTOR_HEALTH)
#define S_CARE (1u << SECTOR_SOCIAL_CARE)
#define S_MENTAL (1u << SECTOR_MENTAL_HEALTH)
#define S_HOUSING (1u << SECTOR_HOUSING)
#define S_WORK (1u << SECTOR_WORK)
#define S_FOOD (1u << SECTOR_FOOD)

/* What each kind of group helps with (ODD 7.9). */
const uint8_t group_kind_sectors[N_GROUP_KINDS] = {
    [GK_MUTUAL_AID] = S_HEALTH | S_CARE | S_MENTAL | S_FOOD,
    [GK_FAITH] = S_CARE | S_MENTAL | S_FOOD,
    [GK_SPORT_LEISURE] = S_HEALTH | S_MENTAL,
    [GK_TENANTS_RESIDENTS] = S_HOUSING,
    [GK_FOOD_BANK] = S_FOOD,
    [GK_ADVICE_CENTRE] = S_HOUSING | S_WORK | S_FOOD,
    [GK_TIME_BANK] = S_HEALTH | S_CARE | S_MENTAL | S_FOOD,
    [GK_COMMUNITY_BUSINESS] = S_WORK | S_FOOD,
};


/* A float's place in the order of floats, as an unsigned integer (no NaN
 * occurs): negative values' bits reversed, positive ones' offset; -0 is
 * made +0 first, as the two compare equal. */
static uint32_t float_order(float x)
{
    x += 0.0f;
    uint32_t bits;
    memcpy(&bits, &x, sizeof bits);
    return bits & 0x80000000u ? ~bits : bits | 0x80000000u;
}

/* The rank of a request of priority prio and key key: lower ranks first. */
static uint64_t rank_of(float prio, float key)
{
    return (uint64_t)~float_order(prio) << 32 | float_order(key);
}

size_t help_scratch_bytes(int n_threads, uint32_t most, int n_nbhd)
{
    size_t per = (size_t)(n_threads > 0 ? n_threads : 1) * (most ? most : 1);
    help_scratch s;
    return per * (N_SECTORS * N_ROUTES * sizeof *s.hours + sizeof *s.list + sizeof *s.needy + sizeof *s.prio + 3 +
                  sizeof *s.req + sizeof *s.draws + sizeof *s.giver + sizeof *s.giver_left) +
           (size_t)n_nbhd * sizeof *s.sums;
}

cw_status help_scratch_init(help_scratch *s, cw_mem *mem, const world *w, int n_threads)
{
    memset(s, 0, sizeof *s);
    uint32_t most = 1;
    for (int b = 0; b < w->n_nbhd; b++) {
        uint32_t n = w->nbhd_first[b + 1] - w->nbhd_first[b];
        if (n > most) most = n;
    }
    s->n_threads = n_threads > 0 ? n_threads : 1;
    s->max_residents = most;
    size_t per = (size_t)s->n_threads * most;
    s->hours = mem_calloc(mem, per * N_SECTORS * N_ROUTES, sizeof *s->hours);
    s->list = mem_calloc(mem, per, sizeof *s->list);
    s->needy = mem_calloc(mem, per, sizeof *s->needy);
    s->prio = mem_calloc(mem, per, sizeof *s->prio);
    s->group_slot = mem_calloc(mem, per, 1);
    s->group_sector = mem_calloc(mem, per, 1);
    s->flags = mem_calloc(mem, per, 1);
    s->req = mem_calloc(mem, per, sizeof *s->req);
    s->draws = mem_calloc(mem, per, sizeof *s->draws);
    s->giver = mem_calloc(mem, per, sizeof *s->giver);
    s->giver_left = mem_calloc(mem, per, sizeof *s->giver_left);
    s->sums = mem_calloc(mem, (size_t)w->n_nbhd, sizeof *s->sums);
    if (!s->hours || !s->list || !s->needy || !s->prio || !s->group_slot || !s->group_sector || !s->flags ||
        !s->req || !s->draws || !s->giver || !s->giver_left || !s->sums)
        return CW_ENOMEM;
    return CW_OK;
}

void help_scratch_free(help_scratch *s, cw_mem *mem)
{
    void *arrays[] = {s->hours, s->list, s->needy, s->prio, s->group_slot, s->group_sector,
                      s->flags, s->req, s->draws, s->giver, s->giver_left, s->sums};
    for (size_t k = 0; k < sizeof arrays / sizeof arrays[0]; k++) mem_free(mem, arrays[k]);
    memset(s, 0, sizeof *s);
}

/* ---- parameters by sector and route ----------------------------------------- */

static void effect_table(const cw_params *p, double eff[N_ROUTES][N_SECTORS], double pen[N_SECTORS])
{
    const double e[N_ROUTES][N_SECTORS] = {
        {p->help_eff_inf_health, p->help_eff_inf_social_care, p->help_eff_inf_mental_health,
         p->help_eff_inf_housing, p->help_eff_inf_work, p->help_eff_inf_food},
        {p->help_eff_grp_health, p->help_eff_grp_social_care, p->help_eff_grp_mental_health,
         p->help_eff_grp_housing, p->help_eff_grp_work, p->help_eff_grp_food},
        {p->help_eff_svc_health, p->help_eff_svc_social_care, p->help_eff_svc_mental_health,
         p->help_eff_svc_housing, p->help_eff_svc_work, p->help_eff_svc_food}};
    const double q[N_SECTORS] = {p->help_pen_health, p->help_pen_social_care, p->help_pen_mental_health,
                                 p->help_pen_housing, p->help_pen_work, p->help_pen_food};
    memcpy(eff, e, sizeof e);
    memcpy(pen, q, sizeof q);
}

/* The share of the officer margin and of referrals that privatisation
 * takes: margin_loss, less the part an involvement clause restores. */
static double privatisation_loss(const cw_params *p)
{
    if (!p->policy_privatised) return 0.0;
    double loss = p->privatisation_margin_loss;
    return p->policy_clause ? loss * (1.0 - p->privatisation_clause_restores) : loss;
}

/* Officer time released for community work: a share of staff hours while a
 * partnership runs, less what privatisation takes. */
static double officer_margin(const cw_params *p)
{
    if (!p->policy_partnership) return 0.0;
    return p->partnership_margin * (1.0 - privatisation_loss(p));
}

/* Chance that a referral between a team and the groups happens: without a
 * partnership, council staff's own links with local groups
 * (services.community_link); with one, always. Privatisation thins either:
 * contractors' staff are not part of the neighbourhood's networks. */
static double referral_chance(const cw_params *p)
{
    double link = p->policy_partnership ? 1.0 : p->services_community_link;
    return link * (1.0 - privatisation_loss(p));
}

/* Co-production: with a partnership, group and service help work better in
 * proportion to the officer time released. */
static double coproduction(const cw_params *p)
{
    return p->policy_partnership && p->partnership_margin > 0.0
               ? 1.0 + p->partnership_coproduction * officer_margin(p) / p->partnership_margin
               : 1.0;
}

/* ---- phase 4: allocation within one neighbourhood -------------------------- */

/* A random key that orders requests of equal priority (the requester's). */
static float request_key(uint64_t seed, uint32_t i, uint32_t step, int salt)
{
    return (float)rng_trait(seed, RK_RESIDENT, i, step * 8u + (uint32_t)salt, RP_KEY);
}

/* Whether request x is served before y: higher priority, then lower key,
 * then lower c. A strict total order (c is unique), so the serving order
 * does not depend on how the queue is ordered. */
static int served_before(const ranked_request *x, const ranked_request *y)
{
    return x->rank < y->rank || (x->rank == y->rank && x->c < y->c);
}

/* A provider's queue as a binary heap, the request to serve next on top.
 * Providers serve in order only until their hours run out, about a fifth
 * of the requests in a run, so building the heap and taking those costs
 * less than sorting the whole queue; the order is strict, so the requests
 * come off in the one sorted order. */
static void queue_sift(ranked_request *q, uint32_t n, uint32_t r)
{
    ranked_request x = q[r];
    for (;;) {
        uint32_t child = 2 * r + 1;
        if (child >= n) break;
        if (child + 1 < n && served_before(&q[child + 1], &q[child])) child++;
        if (!served_before(&q[child], &x)) break;
        q[r] = q[child];
        r = child;
    }
    q[r] = x;
}

static void queue_build(ranked_request *q, uint32_t n)
{
    for (uint32_t r = n / 2; r-- > 0;) queue_sift(q, n, r);
}

/* The next request's c, taken off the queue q[*n]. */
static uint32_t queue_take(ranked_request *q, uint32_t *n)
{
    uint32_t c = q[0].c;
    q[0] = q[--*n];
    queue_sift(q, *n, 0);
    return c;
}

static int in_group_contact(const world *w, uint32_t i, uint32_t g0)
{
    const uint8_t *m = &w->membership[(size_t)i * MAX_MEMBERSHIPS];
    for (int q = 0; q < MAX_MEMBERSHIPS; q++)
        if (m[q] != NO_MEMBERSHIP && w->group_alive[g0 + m[q]]) return 1;
    return 0;
}

/* A request that a service team had no hours for: turned away, and a light
 * need referred to a group if the partnership's referral happens. */
static void turn_away(nbhd_pass *np, uint32_t c, int s, double refer, const seek_draws *draws)
{
    uint32_t i = needy_resident(np, c);
    np->flags[c] |= HF_TURNED_AWAY;
    if (np->w->need[(size_t)i * N_SECTORS + (size_t)s] < np->p->partnership_light && draws[c].referral < refer)
        np->flags[c] |= HF_REFERRED;
}

/* Personal trust thresholds (fixed traits), kept in prio for the services'
 * pass. */
static void trust_thresholds(nbhd_pass *np)
{
    const world *w = np->w;
    const cw_params *p = np->p;
    for (uint32_t c = 0; c < np->n_needy; c++) {
        uint32_t i = needy_resident(np, c);
        np->prio[c] = (float)(p->help_trust_threshold_mean +
                               p->help_trust_threshold_spread *
                                   (rng_trait(np->seed, RK_RESIDENT, world_gid(w, i), w->arrived[i], RP_TRAIT_TRUST_THRESHOLD) - 0.5));
    }
}

/* Sector s's service queue: who asks (trusts the service and knows of it,
 * or vouched for), triage (below eligibility: turned away), priority by
 * severity, waiting and vouching. Returns the number of requests in req. */
static uint32_t service_requests(nbhd_pass *np, ranked_request *req, const seek_draws *draws, int s, double refer,
                                 double eligible)
{
    world *w = np->w;
    const cw_params *p = np->p;
    uint32_t n_req = 0;
    for (uint32_t c = 0; c < np->n_needy; c++) {
        uint32_t i = needy_resident(np, c);
        float sev = w->need[(size_t)i * N_SECTORS + (size_t)s];
        if (sev <= 0.0f) continue;
        int trusts = w->trust[i] >= np->prio[c] && draws[c].aware[s] < p->help_awareness;
        /* partnership: groups vouch for severe cases and bring them in first */
        int vouched = (np->flags[c] & HF_GROUP_CONTACT) && sev >= p->partnership_severe &&
                      draws[c].referral < refer;
        if (!trusts && !vouched) continue;
        np->flags[c] |= HF_ASKED_SERVICE;
        if (sev < eligible) { /* assessed and found ineligible */
            np->flags[c] |= HF_TURNED_AWAY;
            if (sev < p->partnership_light && draws[c].referral < refer) np->flags[c] |= HF_REFERRED;
            continue;
        }
        int cap = (int)p->help_queue_priority_cap;
        int weeks = w->unrelieved_weeks[(size_t)i * N_SECTORS + (size_t)s], waited = weeks < cap ? weeks : cap;
        float prio = sev + (float)(p->help_queue_priority * waited);
        if (vouched) prio += (float)p->help_vouch_priority;
        req[n_req++] = (ranked_request){rank_of(prio, request_key(np->seed, world_gid(w, i), np->step, s)), c};
    }
    return n_req;
}

/* Sector s's team serves its n_req requests in order with the staff hours
 * left after the officer margin, plus any LA escalation pool hours. */
static void service_serve(nbhd_pass *np, ranked_request *req, const seek_draws *draws, int s, uint32_t n_req,
                          double margin, double refer)
{
    world *w = np->w;
    const cw_params *p = np->p;
    queue_build(req, n_req);
    size_t bs = (size_t)np->b * N_SECTORS + (size_t)s;
    double left = w->service_staff_hours[bs] * (1.0 - margin) + w->service_escalated[bs];
    uint32_t unserved = 0, n_queued = n_req;
    while (n_queued > 0 && left > 1e-9) {
        uint32_t c = queue_take(req, &n_queued), i = needy_resident(np, c);
        double want = wanted_hours(p, w->need[(size_t)i * N_SECTORS + (size_t)s]);
        double give = left < want ? left : want;
        if (give > 1e-9) {
            *hours_at(np, c, s, ROUTE_SERVICE) = (float)give;
            left -= give;
            np->flags[c] |= HF_SERVED;
        } else {
            unserved++;
            turn_away(np, c, s, refer, draws);
        }
    }
    /* no hours left: whatever their order, the rest get none (their
     * share, min(left, want), is at most left) */
    for (uint32_t r = 0; r < n_queued; r++) turn_away(np, req[r].c, s, refer, draws);
    unserved += n_queued;
    w->service_queue[bs] = (float)unserved;
    np->sums->service_requests[s] = n_req;
    np->sums->service_unserved[s] = unserved;
}

/* Services: each sector's team turns away needs below its eligibility
 * threshold and triages the rest (severity and waiting first) with the staff hours left after the officer margin, plus any LA
 * escalation pool hours. */
static void serve_services(nbhd_pass *np, ranked_request *req, const seek_draws *draws)
{
    const cw_params *p = np->p;
    double margin = officer_margin(p), refer = referral_chance(p);
    const double eligible[N_SECTORS] = {p->services_elig_health, p->services_elig_social_care,
                                        p->services_elig_mental_health, p->services_elig_housing,
                                        p->services_elig_work, p->services_elig_food};
    trust_thresholds(np);
    for (int s = 0; s < N_SECTORS; s++) {
        uint32_t n_req = service_requests(np, req, draws, s, refer, eligible[s]);
        service_serve(np, req, draws, s, n_req, margin, refer);
    }
}

/* Whether member i may receive time-bank help: its balance is above minus
 * timebank.credit_limit (else it must give first). */
static int timebank_may_receive(const world *w, const cw_params *p, uint32_t i)
{
    return w->timebank_balance[i] > -p->timebank_credit_limit;
}

/* The group a resident asks: a living member group that works in the need's
 * sector, else a random living group of such a kind in the neighbourhood,
 * which takes someone unlike its majority with chance `openness`. Time
 * banks are not asked so: their members use them besides
 * (serve_timebanks). Returns the slot (or NO_MEMBERSHIP). */
static uint8_t choose_group(nbhd_pass *np, uint32_t c, int s, const seek_draws *d, int *member)
{
    const world *w = np->w;
    uint32_t i = needy_resident(np, c);
    const uint8_t *m = &w->membership[(size_t)i * MAX_MEMBERSHIPS];
    for (int q = 0; q < MAX_MEMBERSHIPS; q++) {
        uint32_t k = np->g0 + m[q];
        if (m[q] != NO_MEMBERSHIP && w->group_alive[k] && (group_kind_sectors[w->group_kind[k]] & (1u << s))) {
            if (w->group_kind[k] == GK_TIME_BANK) continue;
            *member = 1;
            return m[q];
        }
    }
    *member = 0;
    if (np->n_open[s] == 0) return NO_MEMBERSHIP;
    uint32_t pick = (uint32_t)(d->group_pick * np->n_open[s]);
    uint8_t k = np->open[s][pick < np->n_open[s] ? pick : np->n_open[s] - 1];
    uint32_t g = np->g0 + k;
    if (w->identity[i] != w->group_majority[g] && d->group_accept >= w->group_openness[g]) {
        np->flags[c] |= HF_GROUP_REFUSED;
        return NO_MEMBERSHIP;
    }
    return k;
}

/* The living groups that anyone may ask, by sector (time banks serve their
 * members only). */
static void list_open_groups(nbhd_pass *np)
{
    const world *w = np->w;
    for (int s = 0; s < N_SECTORS; s++) np->n_open[s] = 0;
    for (uint32_t k = 0; k < np->n_slots; k++) {
        uint32_t g = np->g0 + k;
        if (!w->group_alive[g] || w->group_kind[g] == GK_TIME_BANK) continue;
        for (int s = 0; s < N_SECTORS; s++)
            if (group_kind_sectors[w->group_kind[g]] & (1u << s)) np->open[s][np->n_open[s]++] = (uint8_t)k;
    }
}

/* Each resident in need asks one group about its most severe need that
 * some group works in (choose_group); its priority: severity, plus more for
 * members and for partnership referrals. */
static void group_requests(nbhd_pass *np, const seek_draws *draws)
{
    const world *w = np->w;
    const cw_params *p = np->p;
    for (uint32_t c = 0; c < np->n_needy; c++) {
        uint32_t i = needy_resident(np, c);
        const float *need = &w->need[(size_t)i * N_SECTORS];
        np->group_slot[c] = NO_MEMBERSHIP;
        int best = -1;
        float sev = 0.0f;
        for (int s = 0; s < N_SECTORS; s++)
            if (need[s] > sev) sev = need[s], best = s;
        if (best < 0) continue; /* never: in the needy list */
        int member;
        uint8_t slot = choose_group(np, c, best, &draws[c], &member);
        if (slot == NO_MEMBERSHIP) continue;
        np->group_slot[c] = slot;
        np->group_sector[c] = (uint8_t)best;
        np->flags[c] |= HF_GROUP_CONTACT;
        float prio = sev + (member ? (float)p->help_group_member_priority : 0.0f) +
                     ((np->flags[c] & HF_REFERRED) ? (float)p->help_group_referred_priority : 0.0f);
        np->prio[c] = prio;
    }
}

/* Whether resident i is a member of its neighbourhood's group slot k. */
static int member_of(const world *w, uint32_t i, uint32_t k)
{
    const uint8_t *m = &w->membership[(size_t)i * MAX_MEMBERSHIPS];
    for (int q = 0; q < MAX_MEMBERSHIPS; q++)
        if (m[q] == k) return 1;
    return 0;
}

/* Whether resident i has a tie (of any weight above 0) to j. */
static int tied(const world *w, uint32_t i, uint32_t j)
{
    for (uint32_t k = w->tie_offset[i]; k < w->tie_offset[i + 1]; k++)
        if (w->tie_target[k] == j && w->tie_weight[k] > 0.0f) return 1;
    return 0;
}

/* Time bank slot k's exchange (MODEL.md s8: hours between people who are not
 * tied). Its givers are its members with hours set aside this week
 * (groups_timebank_offer), in resident order; its requests, queued in req,
 * are served by priority, each from the first givers with hours left who are
 * neither the requester nor tied to it, up to what the need asks less the
 * group hours it got already, and what the requester's balance allows (down
 * to minus timebank.credit_limit). Each hour given credits the giver's
 * balance by one and debits the receiver's. */
static void timebank_exchange(nbhd_pass *np, ranked_request *req, uint32_t k, uint32_t n_req)
{
    world *w = np->w;
    const cw_params *p = np->p;
    uint32_t n_giv = 0;
    for (uint32_t li = 0; li < np->n; li++) {
        uint32_t j = np->first + li;
        if (!member_of(w, j, k)) continue;
        int n_banks;
        double offer = groups_timebank_offer(w, p, j, np->g0, &n_banks);
        if (offer <= 0.0) continue;
        np->giver[n_giv] = j;
        np->giver_left[n_giv++] = (float)(offer / n_banks);
    }
    uint32_t lo = 0; /* givers before lo have nothing left */
    for (uint32_t n_queued = n_req; n_queued > 0 && lo < n_giv;) {
        uint32_t c = queue_take(req, &n_queued), i = needy_resident(np, c);
        int s = np->group_sector[c];
        float *had = hours_at(np, c, s, ROUTE_GROUP);
        double want = cw_min(wanted_hours(p, w->need[(size_t)i * N_SECTORS + (size_t)s]) - *had,
                             (double)w->timebank_balance[i] + p->timebank_credit_limit);
        double got = 0.0;
        for (uint32_t x = lo; x < n_giv && want - got > 1e-9; x++) {
            if (np->giver_left[x] <= 0.0f) {
                lo += x == lo;
                continue;
            }
            uint32_t j = np->giver[x];
            if (j == i || tied(w, i, j)) continue;
            float give = (float)cw_min(np->giver_left[x], want - got);
            np->giver_left[x] -= give;
            w->timebank_balance[j] += give;
            got += give;
            lo += x == lo && np->giver_left[x] <= 0.0f;
        }
        if (got <= 0.0) continue;
        *had += (float)got;
        w->timebank_balance[i] -= (float)got;
    }
}

/* Time banks: each member in need whose balance allows
 * (timebank_may_receive) asks each of its living time banks about its most
 * severe need in their sectors, besides the group it asks (group_requests);
 * priority by severity, ties broken by a random key; the exchange serves
 * them. Records each time bank's demand. */
static void serve_timebanks(nbhd_pass *np, ranked_request *req)
{
    world *w = np->w;
    const cw_params *p = np->p;
    for (uint32_t k = 0; k < np->n_slots; k++) {
        uint32_t g = np->g0 + k;
        if (!w->group_alive[g] || w->group_kind[g] != GK_TIME_BANK) continue;
        uint32_t n_req = 0;
        double demand = 0.0;
        for (uint32_t c = 0; c < np->n_needy; c++) {
            uint32_t i = needy_resident(np, c);
            if (!member_of(w, i, k) || !timebank_may_receive(w, p, i)) continue;
            const float *need = &w->need[(size_t)i * N_SECTORS];
            int best = -1;
            float sev = 0.0f;
            for (int s = 0; s < N_SECTORS; s++)
                if ((group_kind_sectors[GK_TIME_BANK] & (1u << s)) && need[s] > sev) sev = need[s], best = s;
            if (best < 0) continue;
            np->group_sector[c] = (uint8_t)best;
            req[n_req++] = (ranked_request){rank_of(sev, request_key(np->seed, world_gid(w, i), np->step, 6)), c};
            demand += wanted_hours(p, sev);
        }
        w->group_demand[g] = (float)demand;
        if (n_req == 0) continue;
        queue_build(req, n_req);
        timebank_exchange(np, req, k, n_req);
    }
}

/* Group slot k serves its n_req requests, np->list[first...], by priority
 * with its volunteers' and paid hours plus `extra` (its share of the
 * officer margin); records its demand. */
static void group_serve(nbhd_pass *np, ranked_request *req, uint32_t k, uint32_t first, uint32_t n_req, double extra_hours,
                        uint32_t alive)
{
    world *w = np->w;
    const cw_params *p = np->p;
    uint32_t g = np->g0 + k;
    if (w->group_kind[g] == GK_TIME_BANK) return; /* serve_timebanks */
    double demand = 0.0;
    for (uint32_t r = 0; r < n_req; r++) {
        uint32_t c = np->list[first + r], i = needy_resident(np, c);
        req[r] = (ranked_request){rank_of(np->prio[c], request_key(np->seed, world_gid(w, i), np->step, 7)), c};
        demand += wanted_hours(p, w->need[(size_t)i * N_SECTORS + np->group_sector[c]]);
    }
    w->group_demand[g] = (float)demand;
    if (n_req == 0) return;
    queue_build(req, n_req);
    double left = w->group_volunteer_hours[g] + w->group_paid_hours[g] + extra_hours / alive;
    for (uint32_t n_queued = n_req; n_queued > 0 && left > 1e-9;) {
        uint32_t c = queue_take(req, &n_queued), i = needy_resident(np, c);
        int s = np->group_sector[c];
        double want = wanted_hours(p, w->need[(size_t)i * N_SECTORS + (size_t)s]);
        double give = left < want ? left : want;
        *hours_at(np, c, s, ROUTE_GROUP) = (float)give;
        left -= give;
    }
}

/* Groups: each resident asks one group about its most severe need that some
 * group works in; each group serves members first, then by priority, with
 * its volunteers' and paid hours plus its share of the officer margin. */
static void serve_groups(nbhd_pass *np, ranked_request *req, const seek_draws *draws)
{
    const world *w = np->w;
    const cw_params *p = np->p;
    uint32_t alive = 0;
    for (uint32_t k = 0; k < np->n_slots; k++) alive += w->group_alive[np->g0 + k];
    double margin_hours = 0.0;
    if (alive > 0)
        for (int s = 0; s < N_SECTORS; s++)
            margin_hours += w->service_staff_hours[(size_t)np->b * N_SECTORS + (size_t)s] * officer_margin(p) *
                            p->partnership_leverage;
    group_requests(np, draws);
    /* requests by group: a counting sort on the slot, in resident order */
    uint32_t start[MAX_GROUP_SLOTS + 1] = {0};
    for (uint32_t c = 0; c < np->n_needy; c++)
        if (np->group_slot[c] != NO_MEMBERSHIP) start[np->group_slot[c] + 1]++;
    for (uint32_t k = 0; k < np->n_slots; k++) start[k + 1] += start[k];
    uint32_t fill[MAX_GROUP_SLOTS];
    memcpy(fill, start, sizeof fill);
    for (uint32_t c = 0; c < np->n_needy; c++)
        if (np->group_slot[c] != NO_MEMBERSHIP) np->list[fill[np->group_slot[c]]++] = c;
    for (uint32_t k = 0; k < np->n_slots; k++)
        group_serve(np, req, k, start[k], start[k + 1] - start[k], margin_hours, alive);
}

static void allocate_neighbourhood(nbhd_pass *np, ranked_request *req, seek_draws *draws)
{
    const world *w = np->w;
    np->n_needy = 0;
    for (uint32_t li = 0; li < np->n; li++) /* help_offer stated the asks: a need, or none */
        if (w->ask_sector[np->first + li] < N_SECTORS) np->needy[np->n_needy++] = li;
    memset(np->hours, 0, (size_t)np->n_needy * N_SECTORS * N_ROUTES * sizeof *np->hours);
    memset(np->flags, 0, np->n_needy);
    memset(np->sums, 0, sizeof *np->sums);
    for (uint32_t c = 0; c < np->n_needy; c++) {
        uint32_t i = needy_resident(np, c);
        draws[c] = help_draw_seeking(np->seed, world_gid(w, i), np->step);
        if (in_group_contact(w, i, np->g0)) np->flags[c] |= HF_GROUP_CONTACT;
    }
    list_open_groups(np);
    help_collect_informal(np);
    serve_services(np, req, draws);
    serve_groups(np, req, draws);
    serve_timebanks(np, req);
    for (uint32_t li = 0, c = 0; li < np->n; li++) {
        help_outcome(np, li, c);
        c += c < np->n_needy && np->needy[c] == li;
    }
    /* partnership: a sector whose unmet rate is high is a problem to report */
    for (int s = 0; s < N_SECTORS; s++) {
        double rate = np->n ? np->sums->unmet[s] / np->n : 0.0;
        np->w->escalate[(size_t)np->b * N_SECTORS + (size_t)s] =
            (uint8_t)(np->p->policy_partnership && rate > np->p->partnership_escalation_rate);
    }
}

/* LA escalation pools: problems reported by enough neighbourhoods of an LA
 * get the LA's pool hours next week, shared among the reporters. */
void help_escalate(world *w, const cw_params *p, event_log *log)
{
    size_t cells = (size_t)w->n_nbhd * N_SECTORS;
    memset(w->service_escalated, 0, cells * sizeof *w->service_escalated);
    if (!p->policy_partnership) return;
    double direct[N_SECTORS];
    services_direct_shares(p, direct);
    for (int la = 0; la < w->n_la; la++) {
        double residents = 0.0;
        for (int b = 0; b < w->n_nbhd; b++)
            if (w->nbhd_la[b] == la) residents += w->nbhd_first[b + 1] - w->nbhd_first[b];
        for (int s = 0; s < N_SECTORS; s++) {
            int reporters = 0;
            for (int b = 0; b < w->n_nbhd; b++)
                reporters += w->nbhd_la[b] == la && w->escalate[(size_t)b * N_SECTORS + (size_t)s];
            if (reporters < p->partnership_escalation_min) continue;
            /* paid hours; the team's direct share of them works on needs */
            double share = p->partnership_pool_hours * residents / reporters * direct[s];
            for (int b = 0; b < w->n_nbhd; b++) {
                if (w->nbhd_la[b] != la || !w->escalate[(size_t)b * N_SECTORS + (size_t)s]) continue;
                w->service_escalated[(size_t)b * N_SECTORS + (size_t)s] = (float)share;
                event_log_add(log, b, EV_ESCALATION, s, share);
            }
        }
    }
}

void help_allocate(world *w, const cw_params *p, uint64_t seed, uint32_t step, help_scratch *s)
{
    int b0 = world_own_nbhd_begin(w), b1 = world_own_nbhd_end(w);
    size_t most = s->max_residents;
#pragma omp parallel
    {
#ifdef _OPENMP
        int t = omp_get_thread_num();
#else
        int t = 0;
#endif
        if (t >= s->n_threads) t = s->n_threads - 1; /* never: sized for the team */
        ranked_request *req = s->req + (size_t)t * most;
        seek_draws *draws = s->draws + (size_t)t * most;
#pragma omp for schedule(dynamic, 1)
        for (int b = b0; b < b1; b++) {
            nbhd_pass pass = {.w = w, .p = p, .seed = seed, .step = step, .b = b,
                              .first = world_first(w, b), .n = world_nbhd_residents(w, b),
                              .g0 = w->nbhd_group_first[b],
                              .n_slots = w->nbhd_group_first[b + 1] - w->nbhd_group_first[b],
                              .hours = s->hours + (size_t)t * most * N_SECTORS * N_ROUTES,
                              .list = s->list + (size_t)t * most, .needy = s->needy + (size_t)t * most,
                              .prio = s->prio + (size_t)t * most,
                              .group_slot = s->group_slot + (size_t)t * most,
                              .group_sector = s->group_sector + (size_t)t * most,
                              .flags = s->flags + (size_t)t * most,
                              .giver = s->giver + (size_t)t * most,
                              .giver_left = s->giver_left + (size_t)t * most, .sums = &s->sums[b]};
            effect_table(p, pass.eff, pass.pen);
            pass.coproduction = coproduction(p);
            allocate_neighbourhood(&pass, req, draws);
        }
    }
}
