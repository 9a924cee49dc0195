/*
 * Phases 3-5: help-seeking, allocation and outcomes (see help.h).
 */
#include "help.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "inequality.h"
#include "mathx.h"
#include "rng.h"

#define S_HEALTH (1u << 0)
#define S_CARE (1u << 1)
#define S_MENTAL (1u << 2)
#define S_HOUSING (1u << 3)
#define S_WORK (1u << 4)
#define S_FOOD (1u << 5)

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

/* Per-request flags in the scratch. */
enum {
    HF_ASKED_SERVICE = 1,   /* asked at least one service                      */
    HF_SERVED = 2,          /* a service helped                                */
    HF_TURNED_AWAY = 4,     /* a service could not                             */
    HF_REFERRED = 8,        /* partnership: a service referred it to a group  */
    HF_GROUP_REFUSED = 16,  /* a group it is not part of would not take it    */
    HF_GROUP_CONTACT = 32,  /* member of a living group or asked one          */
};

/* A request in a provider's queue, served by priority (high first), then
 * by a random key (low first), then by c: `rank` encodes the first two so
 * that one integer comparison orders them (rank_of). */
typedef struct ranked_request {
    uint64_t rank;
    uint32_t c; /* the requester's place in the needy list (resident order) */
} ranked_request;

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

/* The residents' weekly draws for help-seeking: awareness of each service
 * (6 draws) and a group to ask (2 draws), always consumed. */
typedef struct seek_draws {
    double aware[N_SECTORS];
    double group_pick, group_accept;
    double referral;
} seek_draws;

size_t help_scratch_bytes(int n_threads, uint32_t most, int n_nbhd)
{
    size_t per = (size_t)(n_threads > 0 ? n_threads : 1) * (most ? most : 1);
    help_scratch s;
    return per * (N_SECTORS * N_ROUTES * sizeof *s.hours + sizeof *s.list + sizeof *s.needy + sizeof *s.prio + 3 +
                  sizeof *s.req + sizeof *s.draws) +
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
    s->sums = mem_calloc(mem, (size_t)w->n_nbhd, sizeof *s->sums);
    if (!s->hours || !s->list || !s->needy || !s->prio || !s->group_slot || !s->group_sector || !s->flags ||
        !s->req || !s->draws || !s->sums)
        return CW_ENOMEM;
    return CW_OK;
}

void help_scratch_free(help_scratch *s, cw_mem *mem)
{
    void *arrays[] = {s->hours, s->list, s->needy, s->prio, s->group_slot, s->group_sector,
                      s->flags, s->req, s->draws, s->sums};
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

/* Chance that a partnership referral happens (privatisation thins it). */
static double referral_chance(const cw_params *p)
{
    if (!p->policy_partnership) return 0.0;
    return 1.0 - privatisation_loss(p);
}

/* Co-production: with a partnership, group and service help work better in
 * proportion to the officer time released. */
static double coproduction(const cw_params *p)
{
    return p->policy_partnership && p->partnership_margin > 0.0
               ? 1.0 + p->partnership_coproduction * officer_margin(p) / p->partnership_margin
               : 1.0;
}

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
 * informal_offer_rate); it picks the tie in greatest need, household ties
 * at weight 1, others by severity x weight, weak ties not asked. */
static void offer(world *w, const cw_params *p, uint64_t seed, uint32_t step, uint32_t j)
{
    w->give_to[j] = NO_RESIDENT;
    w->give_hours[j] = 0.0f;
    double avail = w->spare_hours[j] * p->help_informal_share;
    if (avail <= 0.0) return;
    double u = rng_trait(seed, RK_RESIDENT, world_gid(w, j), step, RP_OFFER);
    int anyone = u < p->help_informal_offer_rate;
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

/* ---- phase 4: allocation within one neighbourhood -------------------------- */

/* What one neighbourhood's pass works with. */
typedef struct nbhd_pass {
    world *w;
    const cw_params *p;
    uint64_t seed;
    uint32_t step;
    int b;
    uint32_t first, n;     /* residents [first, first+n)                        */
    uint32_t g0, n_slots;  /* group slots [g0, g0+n_slots)                     */
    /* Only residents with a need take part in allocation: needy[c] is the
     * c-th of them (li = i - first, increasing), and the per-request arrays
     * below are indexed by c, so a week costs little for the rest. */
    uint32_t *needy, n_needy;
    float *hours;          /* [n_needy][N_SECTORS][N_ROUTES]                   */
    uint32_t *list;
    float *prio;
    uint8_t *group_slot, *group_sector, *flags; /* [n_needy]                   */
    help_sums *sums;
    double eff[N_ROUTES][N_SECTORS], pen[N_SECTORS];
    double coproduction;   /* multiplier of group and service help's effect   */
    uint8_t open[N_SECTORS][MAX_GROUP_SLOTS]; /* living groups anyone may ask */
    uint32_t n_open[N_SECTORS];
} nbhd_pass;

static float *hours_at(const nbhd_pass *np, uint32_t c, int s, int r)
{
    return &np->hours[((size_t)c * N_SECTORS + (size_t)s) * N_ROUTES + (size_t)r];
}

/* The resident index of the c-th resident in need. */
static uint32_t needy_resident(const nbhd_pass *np, uint32_t c) { return np->first + np->needy[c]; }

static double wanted_hours(const cw_params *p, float severity) { return p->help_hours_per_severity * severity; }

/* A random key that orders requests of equal priority (the requester's). */
static float request_key(uint64_t seed, uint32_t i, uint32_t step, int salt)
{
    return (float)rng_trait(seed, RK_RESIDENT, i, step * 8u + (uint32_t)salt, RP_KEY);
}

static void collect_informal(nbhd_pass *np)
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

static seek_draws draw_seeking(uint64_t seed, uint32_t i, uint32_t step)
{
    rng g = rng_stream(seed, RK_RESIDENT, i, step, RP_HELP);
    seek_draws d;
    for (int s = 0; s < N_SECTORS; s++) d.aware[s] = rng_uniform(&g);
    d.group_pick = rng_uniform(&g);
    d.group_accept = rng_uniform(&g);
    d.referral = rng_uniform(&g);
    return d;
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

/* Services: each sector's team turns away needs below its eligibility
 * threshold and triages the rest (severity and waiting first) with the staff hours left after the officer margin, plus any LA
 * escalation pool hours. */
static void serve_services(nbhd_pass *np, ranked_request *req, const seek_draws *draws)
{
    world *w = np->w;
    const cw_params *p = np->p;
    double margin = officer_margin(p), refer = referral_chance(p);
    const double eligible[N_SECTORS] = {p->services_elig_health, p->services_elig_social_care,
                                        p->services_elig_mental_health, p->services_elig_housing,
                                        p->services_elig_work, p->services_elig_food};
    /* personal trust thresholds (fixed traits), kept in prio for this pass */
    for (uint32_t c = 0; c < np->n_needy; c++) {
        uint32_t i = needy_resident(np, c);
        np->prio[c] = (float)(p->help_trust_threshold_mean +
                               p->help_trust_threshold_spread *
                                   (rng_trait(np->seed, RK_RESIDENT, world_gid(w, i), w->arrived[i], RP_TRAIT_TRUST_THRESHOLD) - 0.5));
    }
    for (int s = 0; s < N_SECTORS; s++) {
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
            if (sev < eligible[s]) { /* assessed and found ineligible */
                np->flags[c] |= HF_TURNED_AWAY;
                if (sev < p->partnership_light && draws[c].referral < refer) np->flags[c] |= HF_REFERRED;
                continue;
            }
            int cap = (int)p->help_queue_priority_cap, waited = w->unmet_weeks[i] < cap ? w->unmet_weeks[i] : cap;
            float prio = sev + (float)(p->help_queue_priority * waited);
            if (vouched) prio += (float)p->help_vouch_priority;
            req[n_req++] = (ranked_request){rank_of(prio, request_key(np->seed, world_gid(w, i), np->step, s)), c};
        }
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
}

/* The group a resident asks: a living member group that works in the need's
 * sector, else a random living group of such a kind in the neighbourhood,
 * which takes someone unlike its majority with chance `openness`. Time banks
 * serve their members only. Returns the slot (or NO_MEMBERSHIP). */
static uint8_t choose_group(nbhd_pass *np, uint32_t c, int s, const seek_draws *d, int *member)
{
    const world *w = np->w;
    uint32_t i = needy_resident(np, c);
    const uint8_t *m = &w->membership[(size_t)i * MAX_MEMBERSHIPS];
    for (int q = 0; q < MAX_MEMBERSHIPS; q++) {
        uint32_t k = np->g0 + m[q];
        if (m[q] != NO_MEMBERSHIP && w->group_alive[k] && (group_kind_sectors[w->group_kind[k]] & (1u << s))) {
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

/* Groups: each resident asks one group about its most severe need that some
 * group works in; each group serves members first, then by priority, with
 * its volunteers' and paid hours plus its share of the officer margin. */
static void serve_groups(nbhd_pass *np, ranked_request *req, const seek_draws *draws)
{
    world *w = np->w;
    const cw_params *p = np->p;
    uint32_t alive = 0;
    for (uint32_t k = 0; k < np->n_slots; k++) alive += w->group_alive[np->g0 + k];
    double margin_hours = 0.0;
    if (alive > 0)
        for (int s = 0; s < N_SECTORS; s++)
            margin_hours += w->service_staff_hours[(size_t)np->b * N_SECTORS + (size_t)s] * officer_margin(p) *
                            p->partnership_leverage;
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
    /* requests by group: a counting sort on the slot, in resident order */
    uint32_t start[MAX_GROUP_SLOTS + 1] = {0};
    for (uint32_t c = 0; c < np->n_needy; c++)
        if (np->group_slot[c] != NO_MEMBERSHIP) start[np->group_slot[c] + 1]++;
    for (uint32_t k = 0; k < np->n_slots; k++) start[k + 1] += start[k];
    uint32_t fill[MAX_GROUP_SLOTS];
    memcpy(fill, start, sizeof fill);
    for (uint32_t c = 0; c < np->n_needy; c++)
        if (np->group_slot[c] != NO_MEMBERSHIP) np->list[fill[np->group_slot[c]]++] = c;

    for (uint32_t k = 0; k < np->n_slots; k++) {
        uint32_t g = np->g0 + k;
        uint32_t n_req = start[k + 1] - start[k];
        double demand = 0.0;
        for (uint32_t r = 0; r < n_req; r++) {
            uint32_t c = np->list[start[k] + r], i = needy_resident(np, c);
            req[r] = (ranked_request){rank_of(np->prio[c], request_key(np->seed, world_gid(w, i), np->step, 7)), c};
            demand += wanted_hours(p, w->need[(size_t)i * N_SECTORS + np->group_sector[c]]);
        }
        w->group_demand[g] = (float)demand;
        if (n_req == 0) continue;
        queue_build(req, n_req);
        double left = w->group_volunteer_hours[g] + w->group_paid_hours[g] + margin_hours / alive;
        for (uint32_t n_queued = n_req; n_queued > 0 && left > 1e-9;) {
            uint32_t c = queue_take(req, &n_queued), i = needy_resident(np, c);
            int s = np->group_sector[c];
            double want = wanted_hours(p, w->need[(size_t)i * N_SECTORS + (size_t)s]);
            double give = left < want ? left : want;
            *hours_at(np, c, s, ROUTE_GROUP) = (float)give;
            left -= give;
            if (w->group_kind[g] == GK_TIME_BANK) w->timebank_balance[i] -= (float)give;
        }
    }
}

/* ---- phase 5: outcomes ------------------------------------------------------ */

static void update_trust(const cw_params *p, float *trust, int gained, int lost)
{
    double t = *trust;
    if (gained) t += p->trust_helped_gain * (1.0 - t);
    if (lost) t -= p->trust_turned_away_loss * t;
    t += p->trust_reversion * (p->trust_anchor - t);
    *trust = (float)cw_min(1.0, cw_max(0.0, t));
}

/* Resident first + li, the c-th in need (c is only read if it has a need). */
static void outcome(nbhd_pass *np, uint32_t li, uint32_t c)
{
    world *w = np->w;
    const cw_params *p = np->p;
    uint32_t i = np->first + li;
    float *need = &w->need[(size_t)i * N_SECTORS];
    double coprod = np->coproduction;
    uint8_t mask = 0, by = 0;
    int any_need = 0, unmet_needs = 0;
    double unmet_severity = 0.0, y = 0.0;
    help_sums *hs = np->sums;
#pragma GCC unroll 6
    for (int s = 0; s < N_SECTORS; s++) {
        double sev = need[s];
        if (sev <= 0.0) continue;
        any_need = 1;
        hs->needing[s] += 1.0;
        double total = 0.0, relief = 0.0;
#pragma GCC unroll 3
        for (int r = 0; r < N_ROUTES; r++) {
            double h = *hours_at(np, c, s, r);
            if (h <= 0.0) continue;
            by |= (uint8_t)(1u << r);
            total += h;
            hs->hours[r] += h;
            double e = np->eff[r][s] * h;
            if (r != ROUTE_SERVICE) e *= cw_max(0.0, 1.0 - np->pen[s] * sev);
            if (r != ROUTE_INFORMAL) e *= coprod;
            relief += e;
        }
        double covered = cw_min(1.0, total / wanted_hours(p, (float)sev));
        double shortfall = sev * (1.0 - covered);
        hs->shortfall[s] += shortfall;
        hs->shortfall_sq[s] += shortfall * shortfall;
        y += shortfall;
        if (total <= 0.0) {
            hs->unmet[s] += 1.0;
            mask |= (uint8_t)(1u << s);
            unmet_needs++;
            unmet_severity += sev;
            need[s] = (float)cw_min(1.0, sev + p->out_unmet_growth * (1.0 - sev));
        } else {
            double left = sev - relief;
            need[s] = left < p->need_min_severity ? 0.0f : (float)left; /* helped below the floor: met */
        }
    }
    hs->y += y;
    hs->ylny += ineq_ylny(y);
    hs->q_residents[w->quintile[i]] += 1.0;
    hs->q_y[w->quintile[i]] += y;

    w->unmet_mask[i] = mask;
    w->helped_by[i] = by;
    if (any_need && by == 0) {
        if (w->unmet_weeks[i] < UINT16_MAX) w->unmet_weeks[i]++;
    } else {
        w->unmet_weeks[i] = 0;
    }
    w->health[i] = (float)cw_max(0.0, w->health[i] - p->out_unmet_health_cost * unmet_severity);

    uint8_t f = any_need ? np->flags[c] : 0;
    update_trust(p, &w->trust[i], f & HF_SERVED, f & HF_TURNED_AWAY);
    if (f & HF_ASKED_SERVICE) { /* listened to, or merely consulted */
        double t = w->trust[i];
        t = p->policy_listening ? t + p->trust_listening_gain * (1.0 - t) : t - p->trust_consulted_loss * t;
        w->trust[i] = (float)cw_min(1.0, cw_max(0.0, t));
    }
    update_trust(p, &w->trust_groups[i], by & (1u << ROUTE_GROUP), f & HF_GROUP_REFUSED);

    double total_need = 0.0;
    for (int s = 0; s < N_SECTORS; s++) total_need += need[s];
    double target = p->wb_max - p->wb_need_cost * total_need - p->wb_unmet_cost * unmet_needs -
                    ((w->social_flags[i] & SF_LONELY) ? p->wb_lonely_cost : 0.0) -
                    ((w->social_flags[i] & SF_ISOLATED) ? p->wb_tie_benefit : 0.0);
    double wb = w->wellbeing[i] + p->wb_reversion * (cw_max(0.0, target) - w->wellbeing[i]);
    w->wellbeing[i] = (float)cw_min(1.0, cw_max(0.0, wb));
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
        draws[c] = draw_seeking(np->seed, world_gid(w, i), np->step);
        if (in_group_contact(w, i, np->g0)) np->flags[c] |= HF_GROUP_CONTACT;
    }
    list_open_groups(np);
    collect_informal(np);
    serve_services(np, req, draws);
    serve_groups(np, req, draws);
    for (uint32_t li = 0, c = 0; li < np->n; li++) {
        outcome(np, li, c);
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
    for (int la = 0; la < w->n_la; la++) {
        double residents = 0.0;
        for (int b = 0; b < w->n_nbhd; b++)
            if (w->nbhd_la[b] == la) residents += w->nbhd_first[b + 1] - w->nbhd_first[b];
        for (int s = 0; s < N_SECTORS; s++) {
            int reporters = 0;
            for (int b = 0; b < w->n_nbhd; b++)
                reporters += w->nbhd_la[b] == la && w->escalate[(size_t)b * N_SECTORS + (size_t)s];
            if (reporters < p->partnership_escalation_min) continue;
            double share = p->partnership_pool_hours * residents / reporters;
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
                              .flags = s->flags + (size_t)t * most, .sums = &s->sums[b]};
            effect_table(p, pass.eff, pass.pen);
            pass.coproduction = coproduction(p);
            allocate_neighbourhood(&pass, req, draws);
        }
    }
}
