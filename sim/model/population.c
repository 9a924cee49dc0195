/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * The synthetic population (MODEL.md s5). Every draw comes from a stream
 * keyed by the entity it describes, so the result does not depend on the
 * order or the thread in which entities are made.
 */
#include "population.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "groups.h"
#include "life.h"
#include "rng.h"
#include "services.h"
#include "ties.h"

#define MAX_HOUSEHOLD_ADULTS 8

uint64_t population_count(const cw_params *p, const nbhd_csv *csv, int *n_nbhd)
{
    if (csv) {
        uint64_t n = 0;
        for (int b = 0; b < csv->n; b++) n += (uint64_t)csv->population[b];
        *n_nbhd = csv->n;
        return n;
    }
    int64_t nb = p->population_local_authorities * p->population_neighbourhoods;
    *n_nbhd = nb > INT32_MAX ? INT32_MAX : (int)nb;
    return (uint64_t)nb * (uint64_t)p->population_residents_per_neighbourhood;
}

static char *copy_string(cw_mem *mem, const char *s)
{
    size_t n = strlen(s) + 1;
    char *c = mem_calloc(mem, n, 1);
    if (c) memcpy(c, s, n);
    return c;
}

/* ---- neighbourhoods -------------------------------------------------------- */

static cw_status alloc_neighbourhoods(world *w, cw_mem *mem, int n_nbhd, int n_la)
{
    w->n_nbhd = n_nbhd;
    w->n_la = n_la;
    return world_alloc_neighbourhoods(w, mem);
}

static cw_status synthetic_neighbourhoods(world *w, cw_mem *mem, const cw_params *p)
{
    int per_la = (int)p->population_neighbourhoods;
    char name[64];
    for (int l = 0; l < w->n_la; l++) {
        snprintf(name, sizeof name, "LA%02d", l + 1);
        if (!(w->la_name[l] = copy_string(mem, name)) || !(w->la_code[l] = copy_string(mem, ""))) return CW_ENOMEM;
        for (int k = 0; k < per_la; k++) {
            int b = l * per_la + k;
            rng g = rng_stream((uint64_t)p->run_seed, RK_NEIGHBOURHOOD, (uint64_t)b, 0, RP_SETUP_DEPRIVATION);
            double q = (k + rng_uniform(&g)) / per_la; /* stratified: spans the range */
            w->deprivation[b] = (float)(p->population_deprivation_min +
                                        (p->population_deprivation_max - p->population_deprivation_min) *
                                            pow(q, p->population_deprivation_skew));
            w->nbhd_la[b] = l;
            w->nbhd_first[b + 1] = (uint32_t)p->population_residents_per_neighbourhood;
            snprintf(name, sizeof name, "LA%02d-N%03d", l + 1, k + 1);
            if (!(w->nbhd_name[b] = copy_string(mem, name)) || !(w->nbhd_code[b] = copy_string(mem, "")))
                return CW_ENOMEM;
        }
    }
    return CW_OK;
}

static cw_status csv_neighbourhoods(world *w, cw_mem *mem, const nbhd_csv *csv)
{
    for (int l = 0; l < csv->n_la; l++)
        if (!(w->la_name[l] = copy_string(mem, csv->la_name[l])) ||
            !(w->la_code[l] = copy_string(mem, csv->la_code ? csv->la_code[l] : "")))
            return CW_ENOMEM;
    for (int b = 0; b < csv->n; b++) {
        w->deprivation[b] = (float)csv->deprivation[b];
        w->nbhd_la[b] = csv->la[b];
        w->nbhd_first[b + 1] = (uint32_t)csv->population[b];
        if (csv->space_quality) w->space_quality[b] = (float)csv->space_quality[b];
        if (!(w->nbhd_name[b] = copy_string(mem, csv->name[b])) ||
            !(w->nbhd_code[b] = copy_string(mem, csv->code ? csv->code[b] : "")))
            return CW_ENOMEM;
    }
    return CW_OK;
}

/* Community space quality is correlated with affluence (OCSI 2021). */
static void derive_space_quality(world *w, const cw_params *p)
{
    double c = p->population_space_quality_correlation;
    for (int b = 0; b < w->n_nbhd; b++) {
        rng g = rng_stream((uint64_t)p->run_seed, RK_NEIGHBOURHOOD, (uint64_t)b, 0, RP_SETUP_SPACE);
        w->space_quality[b] = (float)(c * (1.0 - w->deprivation[b]) + (1.0 - c) * rng_uniform(&g));
    }
}

typedef struct ranked {
    float key;
    int32_t index;
} ranked;

static int by_key_then_index(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

/* Deciles by deprivation rank: 1 = least deprived tenth, 10 = most. */
static cw_status assign_deciles(world *w, cw_mem *mem)
{
    ranked *order = mem_calloc(mem, (size_t)w->n_nbhd, sizeof *order);
    if (!order) return CW_ENOMEM;
    for (int b = 0; b < w->n_nbhd; b++) order[b] = (ranked){w->deprivation[b], b};
    qsort(order, (size_t)w->n_nbhd, sizeof *order, by_key_then_index);
    for (int r = 0; r < w->n_nbhd; r++)
        w->decile[order[r].index] = 1 + (int32_t)((int64_t)r * 10 / w->n_nbhd);
    mem_free(mem, order);
    return CW_OK;
}

/* ---- residents ----------------------------------------------------------- */

/* Households: 1 + Poisson(mean - 1) adults, filled in order through the
 * neighbourhood's slice. Writes neighbourhood-local ids; returns the count. */
static uint32_t make_households(world *w, const cw_params *p, int b)
{
    rng g = rng_stream((uint64_t)p->run_seed, RK_NEIGHBOURHOOD, (uint64_t)b, 0, RP_SETUP_HOUSEHOLDS);
    uint32_t i = world_first(w, b), end = i + world_nbhd_residents(w, b), hh = 0;
    while (i < end) {
        uint32_t size = 1 + rng_poisson(&g, p->population_household_adults_mean - 1.0);
        if (size > MAX_HOUSEHOLD_ADULTS) size = MAX_HOUSEHOLD_ADULTS;
        for (uint32_t k = 0; k < size && i < end; k++) w->household[i++] = hh;
        hh++;
    }
    return hh;
}

static unsigned draw_age(rng *g, const double cum[N_AGE_BANDS])
{
    static const unsigned lo[N_AGE_BANDS] = {16, 30, 50, 65, 80};
    static const unsigned width[N_AGE_BANDS] = {14, 20, 15, 15, 16};
    double u = rng_uniform(g);
    int band = 0;
    while (band < N_AGE_BANDS - 1 && u >= cum[band]) band++;
    return lo[band] + rng_bounded(g, width[band]);
}

static void age_cumulative(const cw_params *p, double d, double cum[N_AGE_BANDS])
{
    double older = 1.0 + p->population_older_deprivation_gradient * (d - 0.5);
    double s[N_AGE_BANDS] = {p->population_age_share_16_29, p->population_age_share_30_49,
                             p->population_age_share_50_64, p->population_age_share_65_79 * older,
                             p->population_age_share_80_plus * older};
    double total = 0.0;
    for (int k = 0; k < N_AGE_BANDS; k++) total += s[k] > 0.0 ? s[k] : 0.0;
    double run = 0.0;
    for (int k = 0; k < N_AGE_BANDS; k++) {
        run += s[k] > 0.0 ? s[k] : 0.0;
        cum[k] = total > 0.0 ? run / total : (k + 1.0) / N_AGE_BANDS;
    }
}

/* Household-level draws: income and identity are shared by its adults. */
static void household_traits(const cw_params *p, uint32_t hh, double d, float *income, uint8_t *identity)
{
    rng g = rng_stream((uint64_t)p->run_seed, RK_HOUSEHOLD, hh, 0, RP_SETUP_HOUSEHOLDS);
    double median = p->population_income_median_least +
                    (p->population_income_median_most - p->population_income_median_least) * d;
    *income = (float)rng_lognormal(&g, log(median), p->population_income_sigma);
    double minority = p->population_minority_share + p->population_minority_deprivation_gradient * (d - 0.5);
    int k = (int)p->population_identity_groups;
    double u = rng_uniform(&g);
    *identity = (uint8_t)(k > 1 && u < minority ? 1 + rng_bounded(&g, (uint32_t)(k - 1)) : 0);
}

/* One resident at set-up (local index i): age, health, work, and needs at
 * their steady state so the burn-in starts near equilibrium. */
static void make_resident(world *w, const cw_params *p, const life_rates *r, uint32_t i, double d,
                          const double cum[N_AGE_BANDS])
{
    rng g = rng_stream((uint64_t)p->run_seed, RK_RESIDENT, world_gid(w, i), 0, RP_SETUP_RESIDENT);
    unsigned age = draw_age(&g, cum);
    w->age[i] = (uint8_t)age;
    double h = life_health_target(p, age, d, 0.0) + 0.05 * rng_normal(&g);
    w->health[i] = (float)fmin(1.0, fmax(0.0, h));
    int working = life_working_age(age);
    w->employed[i] = (uint8_t)(working && rng_uniform(&g) < life_employment_steady(p, r, d, w->health[i]));
    double income = life_income_earned(p, w->income_base[i], working && !w->employed[i]);
    w->income[i] = (float)income;
    double personal = life_need_personal(p, income, w->health[i]);
    for (int s = 0; s < N_SECTORS; s++) {
        double hz = life_need_hazard(r, s, age, personal, working, w->employed[i]);
        double steady = hz / (hz + p->need_resolve_rate + 1e-12);
        double u1 = rng_uniform(&g), u2 = rng_uniform(&g);
        float sev = (float)fmin(1.0, fmax(p->need_min_severity, p->need_severity_mean * -log(1.0 - u2)));
        w->need[(size_t)i * N_SECTORS + (size_t)s] = u1 < steady ? sev : 0.0f;
    }
    w->spare_hours[i] = (float)life_spare_hours(p, w->health[i], w->employed[i], income);
    w->trust[i] = (float)(p->trust_anchor + 0.5 * (rng_uniform(&g) - 0.5));
    w->trust_groups[i] = (float)(p->trust_anchor + 0.5 * (rng_uniform(&g) - 0.5));
    w->trust[i] = (float)fmin(1.0, fmax(0.0, w->trust[i]));
    w->trust_groups[i] = (float)fmin(1.0, fmax(0.0, w->trust_groups[i]));
    w->trust_home[i] = w->trust[i];
    w->trust_groups_home[i] = w->trust_groups[i];
    w->wellbeing[i] = (float)p->wb_max;
    memset(&w->membership[(size_t)i * MAX_MEMBERSHIPS], NO_MEMBERSHIP, MAX_MEMBERSHIPS);
    w->last_volunteered[i] = NEVER;
    w->last_helped[i] = NEVER;
    w->give_to[i] = NO_RESIDENT;
}

/* The residents of this process's neighbourhoods. Household ids are
 * numbered through all neighbourhoods in order, so a distributed run shares
 * each rank's household counts. */
static cw_status make_residents(world *w, cw_mem *mem, const cw_params *p, const world_comm *comm)
{
    cw_status st = world_alloc_residents(w, mem);
    if (st) return st;
    uint32_t *hh_first = mem_calloc(mem, (size_t)w->n_nbhd + 1, sizeof *hh_first);
    if (!hh_first) return CW_ENOMEM;
    int nb = w->n_nbhd, b0 = world_own_nbhd_begin(w), b1 = world_own_nbhd_end(w);
#pragma omp parallel for schedule(dynamic, 1)
    for (int b = b0; b < b1; b++) hh_first[b + 1] = make_households(w, p, b);
    if (comm) comm->share_nbhd_u32(comm, hh_first + 1);
    for (int b = 0; b < nb; b++) hh_first[b + 1] += hh_first[b];
    w->n_households = hh_first[nb];

    life_rates r;
    life_rates_compute(&r, p);
#pragma omp parallel for schedule(dynamic, 1)
    for (int b = b0; b < b1; b++) {
        double d = w->deprivation[b], cum[N_AGE_BANDS];
        age_cumulative(p, d, cum);
        uint32_t prev = UINT32_MAX;
        float income = 0.0f;
        uint8_t identity = 0;
        uint32_t first = world_first(w, b), end = first + world_nbhd_residents(w, b);
        for (uint32_t i = first; i < end; i++) {
            w->household[i] += hh_first[b];
            if (w->household[i] != prev) {
                prev = w->household[i];
                household_traits(p, prev, d, &income, &identity);
            }
            w->income_base[i] = income;
            w->identity[i] = identity;
            make_resident(w, p, &r, i, d, cum);
        }
    }
    mem_free(mem, hh_first);
    return CW_OK;
}

#define DIGITS 65536u /* a 16-bit digit of a float's bit pattern */

/* The k-th smallest (from 0) of every resident's base income, wherever
 * held: the top 16 bits of its bit pattern, then the bottom 16 among those
 * with the top found, by histograms summed over the ranks. Incomes are
 * positive (lognormal), and positive floats order as their bit patterns, so
 * this is exactly the value a sort of all incomes puts at k. */
static float kth_income(const world *w, uint64_t k, const world_comm *comm, uint64_t *hist)
{
    uint32_t found = 0;
    for (int shift = 16; shift >= 0; shift -= 16) {
        memset(hist, 0, DIGITS * sizeof *hist);
        for (uint32_t i = 0; i < w->n_res; i++) {
            uint32_t bits;
            memcpy(&bits, &w->income_base[i], sizeof bits);
            if (shift == 0 && (bits >> 16) != (found >> 16)) continue;
            hist[(bits >> shift) & (DIGITS - 1)]++;
        }
        if (comm) comm->sum_u64(comm, hist, DIGITS);
        uint32_t d = 0;
        while (d < DIGITS - 1 && k >= hist[d]) k -= hist[d++];
        found |= d << shift;
    }
    float v;
    memcpy(&v, &found, sizeof v);
    return v;
}

/* Area income quintiles (fixed at set-up; newcomers are placed by them):
 * the incomes at ranks n q / 5 of all n residents. */
static cw_status assign_quintiles(world *w, cw_mem *mem, const world_comm *comm)
{
    uint64_t *hist = mem_calloc(mem, DIGITS, sizeof *hist);
    if (!hist) return CW_ENOMEM;
    uint64_t n = world_residents_total(w);
    for (int q = 1; q < N_QUINTILES; q++)
        w->income_cut[q - 1] = n ? kth_income(w, n * (uint64_t)q / N_QUINTILES, comm, hist) : 0.0f;
    mem_free(mem, hist);
    for (uint32_t i = 0; i < w->n_res; i++)
        w->quintile[i] = (uint8_t)world_income_quintile(w, w->income_base[i]);
    return CW_OK;
}

/* ---- groups -------------------------------------------------------------- */

static int draw_kind(rng *g, const double cum[N_GROUP_KINDS])
{
    double u = rng_uniform(g);
    int k = 0;
    while (k < N_GROUP_KINDS - 1 && u >= cum[k]) k++;
    return k;
}

/* Slots per neighbourhood: room for the initial groups and those that form. */
static uint32_t group_slots(const cw_params *p, uint32_t initial)
{
    double slots = initial * p->groups_slot_factor + 8.0;
    return slots > MAX_GROUP_SLOTS ? MAX_GROUP_SLOTS : (uint32_t)slots;
}

static void found_group(world *w, const cw_params *p, uint32_t k, int b, int kind, rng *g)
{
    w->group_kind[k] = (uint8_t)kind;
    w->group_alive[k] = 1;
    double open = p->groups_openness_mean + 0.6 * (rng_uniform(g) - 0.5);
    w->group_openness[k] = (float)fmin(1.0, fmax(0.0, open));
    w->group_owns_building[k] = (uint8_t)(rng_uniform(g) < p->groups_building_ownership * w->space_quality[b]);
    w->group_died[k] = NEVER;
    w->group_funding_end[k] = NEVER;
}

static cw_status make_groups(world *w, cw_mem *mem, const cw_params *p, uint32_t *initial)
{
    double share[N_GROUP_KINDS], cum[N_GROUP_KINDS], total = 0.0;
    groups_initial_shares(p, share);
    for (int k = 0; k < N_GROUP_KINDS; k++) total += share[k];
    for (int k = 0; k < N_GROUP_KINDS; k++)
        cum[k] = (k ? cum[k - 1] : 0.0) + (total > 0.0 ? share[k] / total : 0.0);
    w->nbhd_group_first = mem_calloc(mem, (size_t)w->n_nbhd + 1, sizeof *w->nbhd_group_first);
    if (!w->nbhd_group_first) return CW_ENOMEM;
    for (int b = 0; b < w->n_nbhd; b++) {
        rng g = rng_stream((uint64_t)p->run_seed, RK_NEIGHBOURHOOD, (uint64_t)b, 0, RP_SETUP_GROUPS);
        double residents = w->nbhd_first[b + 1] - w->nbhd_first[b];
        double lambda = total > 0.0 ? residents / p->population_residents_per_group *
                                          (1.0 + p->population_group_space_effect * (w->space_quality[b] - 0.5))
                                    : 0.0;
        initial[b] = rng_poisson(&g, lambda);
        uint32_t slots = group_slots(p, initial[b]);
        if (initial[b] > slots) initial[b] = slots;
        w->nbhd_group_first[b + 1] = w->nbhd_group_first[b] + slots;
    }
    w->n_groups = w->nbhd_group_first[w->n_nbhd];
    if (world_alloc_groups(w, mem)) return CW_ENOMEM;
    for (int b = 0; b < w->n_nbhd; b++)
        for (uint32_t k = w->nbhd_group_first[b]; k < w->nbhd_group_first[b + 1]; k++) {
            w->group_died[k] = NEVER;
            w->group_funding_end[k] = NEVER;
            if (k - w->nbhd_group_first[b] >= initial[b]) continue;
            rng g = rng_stream((uint64_t)p->run_seed, RK_GROUP, k, 0, RP_SETUP_GROUPS);
            found_group(w, p, k, b, draw_kind(&g, cum), &g);
        }
    return CW_OK;
}

/* Initial memberships: Poisson(join_rate x membership weeks x spare/spare_max)
 * tries, the count the social phase's joining and leaving keep, chosen among
 * the neighbourhood's groups, accepted across identities with the group's
 * openness. The social phase then keeps them moving. */
static void join_initial(world *w, const cw_params *p, int b, uint32_t n_initial)
{
    uint32_t first = w->nbhd_group_first[b];
    uint32_t r0 = world_first(w, b), r1 = r0 + world_nbhd_residents(w, b);
    for (uint32_t i = r0; i < r1 && n_initial > 0; i++) {
        rng g = rng_stream((uint64_t)p->run_seed, RK_RESIDENT, world_gid(w, i), 0, RP_SETUP_GROUPS);
        double spare = p->life_spare_hours_max > 0 ? w->spare_hours[i] / p->life_spare_hours_max : 0.0;
        uint32_t want = rng_poisson(&g, p->social_join_rate * p->groups_initial_membership_weeks * spare);
        uint8_t *m = &w->membership[(size_t)i * MAX_MEMBERSHIPS];
        for (uint32_t t = 0, n = 0; t < want && t < 3 * MAX_MEMBERSHIPS && n < MAX_MEMBERSHIPS; t++) {
            uint32_t slot = rng_bounded(&g, n_initial);
            double u = rng_uniform(&g);
            int dup = 0;
            for (uint32_t q = 0; q < n; q++) dup |= m[q] == slot;
            if (dup) continue;
            /* the majority identity of a new group is 0 until members decide it */
            if (w->identity[i] != w->group_majority[first + slot] && u >= w->group_openness[first + slot]) continue;
            m[n++] = (uint8_t)slot;
        }
    }
}

/* ---- the whole population ------------------------------------------------- */

cw_status population_neighbourhoods(world *w, cw_mem *mem, const cw_params *p, const nbhd_csv *csv,
                                    char *err, size_t errlen)
{
    int n_nbhd;
    uint64_t n_res = population_count(p, csv, &n_nbhd);
    if (n_res >= UINT32_MAX) {
        snprintf(err, errlen, "%llu residents is more than commonweal can number (%u)",
                 (unsigned long long)n_res, UINT32_MAX - 1);
        return CW_ETOOBIG;
    }
    int n_la = csv ? csv->n_la : (int)p->population_local_authorities;
    cw_status st = alloc_neighbourhoods(w, mem, n_nbhd, n_la);
    if (!st) st = csv ? csv_neighbourhoods(w, mem, csv) : synthetic_neighbourhoods(w, mem, p);
    if (st) goto out_free;
    if (!csv || !csv->space_quality) derive_space_quality(w, p);
    memcpy(w->space_quality_base, w->space_quality, (size_t)n_nbhd * sizeof *w->space_quality);
    for (int b = 0; b < n_nbhd; b++) w->nbhd_first[b + 1] += w->nbhd_first[b];
    w->res_base = 0;
    w->n_res = (uint32_t)n_res; /* all held, until a distributed run says otherwise */
    if ((st = assign_deciles(w, mem))) goto out_free;
    return CW_OK;

out_free:
    if (st == CW_ENOMEM) snprintf(err, errlen, "out of memory while building %d neighbourhoods", n_nbhd);
    world_free(w, mem);
    return st;
}

cw_status population_residents(world *w, cw_mem *mem, const cw_params *p, const world_comm *comm,
                               char *err, size_t errlen)
{
    cw_status st;
    if ((st = make_residents(w, mem, p, comm)) || (st = assign_quintiles(w, mem, comm)) ||
        (st = ties_build(w, mem, p, comm)) || (st = world_localise(w, mem)))
        goto out_free;
    uint32_t *initial = mem_calloc(mem, (size_t)w->n_nbhd, sizeof *initial);
    if (!initial) {
        st = CW_ENOMEM;
        goto out_free;
    }
    st = make_groups(w, mem, p, initial);
    if (!st) {
        int b0 = world_own_nbhd_begin(w), b1 = world_own_nbhd_end(w);
#pragma omp parallel for schedule(dynamic, 1)
        for (int b = b0; b < b1; b++) join_initial(w, p, b, initial[b]);
    }
    mem_free(mem, initial);
    if (st || (st = world_make_items(w, mem))) goto out_free;
    services_fund(w, p);
    return CW_OK;

out_free:
    if (st == CW_ENOMEM)
        snprintf(err, errlen, "out of memory while building the population (%u residents%s)", w->n_res,
                 comm ? " on this rank" : "");
    world_free(w, mem);
    return st;
}

cw_status population_build(world *w, cw_mem *mem, const cw_params *p, const nbhd_csv *csv,
                           char *err, size_t errlen)
{
    cw_status st = population_neighbourhoods(w, mem, p, csv, err, errlen);
    return st ? st : population_residents(w, mem, p, NULL, err, errlen);
}
