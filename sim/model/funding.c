/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * Phase 7b, money (MODEL.md s8): competitive grants, patient core funding,
 * or none, at equal spend. See funding.h for the rules.
 */
#include "funding.h"

#include <math.h>
#include <string.h>

#include "rng.h"

#define LAST_STEP 0xFFFEu /* latest u16 step a grant can end (NEVER is 0xFFFF) */

/* investment.mode, in the order of its choices in params.def. */
enum { MODE_NONE, MODE_COMPETITIVE, MODE_PATIENT };
/* investment.targeting, likewise. */
enum { TARGET_BY_MODE, TARGET_CAPACITY, TARGET_NEED, TARGET_FLAT };

static void log_event(event_log *log, int b, int kind, int32_t detail, double value)
{
    if (log) event_log_add(log, b, kind, detail, value);
}

static uint32_t residents_of(const world *w, int b) { return w->nbhd_first[b + 1] - w->nbhd_first[b]; }

static uint16_t end_step(uint64_t step) { return (uint16_t)(step > LAST_STEP ? LAST_STEP : step); }

/* The weekly budget B, the same in every mode. */
static double weekly_budget(const world *w, const cw_params *p)
{
    return p->investment_amount * world_residents_total(w) / 52.0;
}

cw_status funding_state_init(funding_state *fs, cw_mem *mem, const world *w)
{
    memset(fs, 0, sizeof *fs);
    fs->last_mode = -1;
    fs->patient_start = UINT32_MAX;
    fs->tree_leaves = 1;
    while (fs->tree_leaves < w->n_groups) fs->tree_leaves *= 2;
    fs->tree = mem_calloc(mem, 2 * (size_t)fs->tree_leaves, sizeof *fs->tree);
    return fs->tree ? CW_OK : CW_ENOMEM;
}

void funding_state_free(funding_state *fs, cw_mem *mem)
{
    mem_free(mem, fs->tree);
    fs->tree = NULL;
}

void funding_end_grant(world *w, uint32_t k, int b, uint32_t step, event_log *log)
{
    log_event(log, b, EV_GRANT_END, w->group_funding[k], w->group_grant_per_week[k]);
    w->group_funding[k] = FUND_NONE;
    w->group_funding_end[k] = end_step(step); /* when it ended: groups.c's after-effects */
    w->group_grant_per_week[k] = 0.0f;
    w->group_paid_hours[k] = 0.0f;
}

static void start_grant(world *w, const cw_params *p, uint32_t k, int b, int source, double per_week,
                        uint16_t end, event_log *log)
{
    w->group_funding[k] = (uint8_t)source;
    w->group_funding_end[k] = end;
    w->group_grant_per_week[k] = (float)per_week;
    w->group_paid_hours[k] = (float)(per_week / p->groups_paid_hour_cost);
    log_event(log, b, EV_GRANT_START, source, per_week);
}

/* The neighbourhood that owns group slot k. */
static int nbhd_of_slot(const world *w, uint32_t k)
{
    int lo = 0, hi = w->n_nbhd; /* nbhd_group_first[lo] <= k < nbhd_group_first[hi] */
    while (hi - lo > 1) {
        int mid = lo + (hi - lo) / 2;
        if (w->nbhd_group_first[mid] <= k) lo = mid;
        else hi = mid;
    }
    return lo;
}

/* ---- competitive rounds: sequential weighted draws without replacement ---- */

/* Sum tree: leaves at [L, 2L), node n = sum of its children, recomputed
 * exactly (never by subtraction), so a leaf set to 0 is never drawn. */
static void tree_set(funding_state *fs, uint32_t k, double v)
{
    uint32_t n = fs->tree_leaves + k;
    fs->tree[n] = v;
    for (n /= 2; n >= 1; n /= 2) fs->tree[n] = fs->tree[2 * n] + fs->tree[2 * n + 1];
}

static void tree_build(funding_state *fs)
{
    for (uint32_t n = fs->tree_leaves - 1; n >= 1; n--) fs->tree[n] = fs->tree[2 * n] + fs->tree[2 * n + 1];
}

/* The leaf where u (0 <= u < total) falls; always a leaf of positive weight. */
static uint32_t tree_draw(const funding_state *fs, double u)
{
    uint32_t n = 1;
    while (n < fs->tree_leaves) {
        double left = fs->tree[2 * n], right = fs->tree[2 * n + 1];
        if (u < left || right <= 0.0) {
            n = 2 * n;
        } else {
            u -= left;
            n = 2 * n + 1;
        }
    }
    return n - fs->tree_leaves;
}

/* The chance of winning grows with capacity already there. */
static double win_weight(const world *w, const cw_params *p, uint32_t k)
{
    if (!w->group_alive[k] || w->group_funding[k] != FUND_NONE) return 0.0;
    double capacity = (double)w->group_volunteer_hours[k] + w->group_paid_hours[k];
    return pow(fmax(0.0, capacity) + 1.0, p->investment_capacity_exponent);
}

/* The targeting in force: by_mode pairs competitive with capacity and
 * patient with need (MODEL.md s8). */
static int targeting(const cw_params *p)
{
    if (p->investment_targeting != TARGET_BY_MODE) return p->investment_targeting;
    return p->investment_mode == MODE_PATIENT ? TARGET_NEED : TARGET_CAPACITY;
}

/* The sum of b's groups' capacity weights (living groups; unfunded ones
 * only when `unfunded_only`). */
static double capacity_weight(const world *w, const cw_params *p, int b, int unfunded_only)
{
    double sum = 0.0;
    for (uint32_t k = w->nbhd_group_first[b]; k < w->nbhd_group_first[b + 1]; k++) {
        if (!w->group_alive[k] || (unfunded_only && w->group_funding[k] != FUND_NONE)) continue;
        double capacity = (double)w->group_volunteer_hours[k] + w->group_paid_hours[k];
        sum += pow(fmax(0.0, capacity) + 1.0, p->investment_capacity_exponent);
    }
    return sum;
}

/* Neighbourhood b's claim on the money under need or flat targeting:
 * residents x deprivation^e (deprivation 0: nothing), or residents. */
static double place_weight(const world *w, const cw_params *p, int t, int b)
{
    if (t == TARGET_FLAT) return residents_of(w, b);
    double d = w->deprivation[b];
    return d > 0.0 ? residents_of(w, b) * pow(d, p->investment_need_exponent) : 0.0;
}

/* Competitive rounds under need or flat targeting: the pot is shared among
 * neighbourhoods by place_weight and, within one, groups still compete by
 * capacity: group k's weight is win_weight x place_weight_b / (sum of b's
 * unfunded groups' win weights), so each draw lands in b with b's share of
 * the place weights (of the neighbourhoods with a group left to fund). */
static void target_nbhd(const world *w, const cw_params *p, funding_state *fs, int t, int b)
{
    double wins = capacity_weight(w, p, b, 1), place = place_weight(w, p, t, b);
    for (uint32_t k = w->nbhd_group_first[b]; k < w->nbhd_group_first[b + 1]; k++)
        fs->tree[fs->tree_leaves + k] = wins > 0.0 ? win_weight(w, p, k) * place / wins : 0.0;
}

/* After a win in b, b's remaining unfunded groups share its place weight
 * again, so every draw (not only the first) gives b its share while it has
 * groups left to fund. */
static void retarget_nbhd(const world *w, const cw_params *p, funding_state *fs, int t, int b)
{
    target_nbhd(w, p, fs, t, b);
    for (uint32_t k = w->nbhd_group_first[b]; k < w->nbhd_group_first[b + 1]; k++)
        tree_set(fs, k, fs->tree[fs->tree_leaves + k]);
}

static void competitive_round(world *w, const cw_params *p, funding_state *fs, uint64_t seed, uint32_t step,
                              event_log *log)
{
    double committed = 0.0;
    for (uint32_t k = 0; k < w->n_groups; k++)
        if (w->group_alive[k] && w->group_funding[k] == FUND_COMPETITIVE) committed += w->group_grant_per_week[k];
    double available = weekly_budget(w, p) - committed, grant = p->investment_grant_size;
    if (available < grant) return;
    memset(fs->tree, 0, 2 * (size_t)fs->tree_leaves * sizeof *fs->tree);
    int t = targeting(p);
    if (t == TARGET_CAPACITY)
        for (uint32_t k = 0; k < w->n_groups; k++) fs->tree[fs->tree_leaves + k] = win_weight(w, p, k);
    else
        for (int b = 0; b < w->n_nbhd; b++) target_nbhd(w, p, fs, t, b);
    tree_build(fs);
    rng g = rng_stream(seed, RK_AREA, 0, step, RP_FUNDING_ROUND);
    uint16_t end = end_step((uint64_t)step + (uint64_t)p->investment_grant_weeks);
    while (available >= grant && fs->tree[1] > 0.0) {
        uint32_t k = tree_draw(fs, rng_uniform(&g) * fs->tree[1]);
        int b = nbhd_of_slot(w, k);
        start_grant(w, p, k, b, FUND_COMPETITIVE, grant, end, log);
        if (t == TARGET_CAPACITY) tree_set(fs, k, 0.0);
        else retarget_nbhd(w, p, fs, t, b);
        available -= grant;
    }
}

/* ---- patient core funding, per neighbourhood -------------------------------- */

/* Core funding, cdw hours and volunteer support in b stop now. */
static void stop_core(world *w, int b, uint32_t step, event_log *log)
{
    for (uint32_t k = w->nbhd_group_first[b]; k < w->nbhd_group_first[b + 1]; k++)
        if (w->group_funding[k] == FUND_CORE) funding_end_grant(w, k, b, step, log);
    w->cdw_hours[b] = 0.0f;
    w->volunteer_support[b] = 0.0f;
}

/* b's anchor group: the one already holding core funding (any other core
 * grant in b ends), else the living unfunded group with the most members
 * (ties: lowest slot). UINT32_MAX if none. *is_new says it was just chosen. */
static uint32_t anchor_of(world *w, int b, uint32_t step, event_log *log, int *is_new)
{
    uint32_t anchor = UINT32_MAX, best = UINT32_MAX;
    for (uint32_t k = w->nbhd_group_first[b]; k < w->nbhd_group_first[b + 1]; k++) {
        if (w->group_alive[k] && w->group_funding[k] == FUND_CORE) {
            if (anchor == UINT32_MAX) anchor = k;
            else funding_end_grant(w, k, b, step, log);
        } else if (w->group_alive[k] && w->group_funding[k] == FUND_NONE &&
                   (best == UINT32_MAX || w->group_members[k] > w->group_members[best])) {
            best = k;
        }
    }
    *is_new = anchor == UINT32_MAX;
    return anchor != UINT32_MAX ? anchor : best;
}

/* Spend B_b in b: cdw hours, volunteer support (up to full support), and an
 * anchor group's core funding; with no group to anchor, that share also
 * pays cdw hours, so the spend is B_b whatever the groups. */
static void patient_nbhd(world *w, const cw_params *p, const funding_state *fs, int b, double budget,
                         uint32_t step, event_log *log)
{
    double n_res = residents_of(w, b);
    if (n_res <= 0.0 || budget <= 0.0) {
        stop_core(w, b, step, log);
        return;
    }
    double cdw_share = p->investment_cdw_share, support_share = p->investment_support_share;
    double shares = cdw_share + support_share;
    if (shares > 1.0) cdw_share /= shares, support_share /= shares;
    double cdw = budget * cdw_share;
    double support = fmin(budget * support_share, n_res * p->investment_support_cost / 52.0);
    double core = budget - cdw - support;
    int is_new = 0;
    uint32_t anchor = core > 0.0 ? anchor_of(w, b, step, log, &is_new) : UINT32_MAX;
    if (anchor == UINT32_MAX) {
        for (uint32_t k = w->nbhd_group_first[b]; k < w->nbhd_group_first[b + 1]; k++)
            if (w->group_funding[k] == FUND_CORE) funding_end_grant(w, k, b, step, log);
        cdw += core;
    } else if (is_new) {
        uint16_t end = end_step((uint64_t)fs->patient_start + (uint64_t)p->investment_core_weeks);
        start_grant(w, p, anchor, b, FUND_CORE, core, end, log);
    } else {
        w->group_grant_per_week[anchor] = (float)core; /* follows the budget */
        w->group_paid_hours[anchor] = (float)(core / p->groups_paid_hour_cost);
    }
    w->cdw_hours[b] = (float)(cdw / p->investment_cdw_cost);
    w->volunteer_support[b] = (float)fmin(1.0, support * 52.0 / n_res / p->investment_support_cost);
}

/* b's claim on patient money under the targeting in force. */
static double patient_weight(const world *w, const cw_params *p, int b)
{
    int t = targeting(p);
    return t == TARGET_CAPACITY ? capacity_weight(w, p, b, 0) : place_weight(w, p, t, b);
}

static void patient(world *w, const cw_params *p, const funding_state *fs, uint32_t step, event_log *log)
{
    int nb = w->n_nbhd;
    int running = (uint64_t)step < (uint64_t)fs->patient_start + (uint64_t)p->investment_core_weeks;
    double total = 0.0;
    for (int b = 0; b < nb; b++) total += patient_weight(w, p, b);
    double budget = running && total > 0.0 ? weekly_budget(w, p) / total : 0.0;
#pragma omp parallel for schedule(dynamic, 1)
    for (int b = 0; b < nb; b++) patient_nbhd(w, p, fs, b, budget * patient_weight(w, p, b), step, log);
}

/* Rounds are held every investment.round_weeks weeks counted from reported
 * week 0 (step run.burn_in_weeks), so a timeline that starts the money at
 * week 0 gets a round at once. */
static int round_week(const cw_params *p, uint32_t step)
{
    int64_t week = (int64_t)step - p->run_burn_in_weeks, every = p->investment_round_weeks;
    return ((week % every) + every) % every == 0;
}

void funding_step(world *w, const cw_params *p, funding_state *fs, uint64_t seed, uint32_t step,
                  event_log *log)
{
    if (p->investment_mode != fs->last_mode && p->investment_mode == MODE_PATIENT) fs->patient_start = step;
    fs->last_mode = p->investment_mode;
    if (p->investment_mode == MODE_PATIENT) {
        patient(w, p, fs, step, log);
        return;
    }
    int nb = w->n_nbhd;
#pragma omp parallel for schedule(dynamic, 1)
    for (int b = 0; b < nb; b++) stop_core(w, b, step, log);
    if (p->investment_mode == MODE_COMPETITIVE && round_week(p, step)) competitive_round(w, p, fs, seed, step, log);
}

double funding_grant_per_resident(const world *w, const cw_params *p, int b)
{
    double n_res = residents_of(w, b);
    if (n_res <= 0.0) return 0.0;
    double grants = 0.0;
    for (uint32_t k = w->nbhd_group_first[b]; k < w->nbhd_group_first[b + 1]; k++)
        grants += w->group_grant_per_week[k];
    double cdw = (double)w->cdw_hours[b] * p->investment_cdw_cost;
    double support = (double)w->volunteer_support[b] * n_res * p->investment_support_cost / 52.0;
    return (grants + cdw + support) / n_res;
}
