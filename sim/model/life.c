/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * Phase 2, life (MODEL.md s3.2). Each resident draws from its own keyed
 * stream for the week, always consuming the same number of draws for each
 * decision, so a change elsewhere never shifts the random numbers a resident
 * sees (common random numbers between paired runs).
 */
#include "life.h"

#include <math.h>
#include <string.h>

#include "mathx.h"
#include "rng.h"

#define MAX_AGE 120

static const int need_age_param_offset[N_SECTORS] = {
    (int)offsetof(cw_params, need_age_health),   (int)offsetof(cw_params, need_age_social_care),
    (int)offsetof(cw_params, need_age_mental_health), (int)offsetof(cw_params, need_age_housing),
    -1 /* work: working age only */,               (int)offsetof(cw_params, need_age_food)};


/* Spill-overs (MODEL.md s3.2): unmet need in sector a last week multiplies
 * the hazard of need in sector b by 1 + spillover.a_to_b. */
static void spill_table(life_rates *r, const cw_params *p)
{
    enum { H = 0, C = 1, M = 2, HO = 3, W = 4, F = 5 };
    double m[N_SECTORS][N_SECTORS] = {{0}};
    m[HO][H] = p->spill_housing_health;
    m[HO][M] = p->spill_housing_mental;
    m[W][HO] = p->spill_work_housing;
    m[W][F] = p->spill_work_food;
    m[H][W] = p->spill_health_work;
    m[M][W] = p->spill_mental_work;
    m[M][C] = p->spill_mental_care;
    m[F][H] = p->spill_food_health;
    m[C][M] = p->spill_care_mental;
    for (int mask = 0; mask < 64; mask++)
        for (int b = 0; b < N_SECTORS; b++) {
            double f = 1.0;
            for (int a = 0; a < N_SECTORS; a++)
                if (mask & (1 << a)) f *= 1.0 + m[a][b];
            r->spill[mask][b] = (float)f;
        }
}

void life_rates_compute(life_rates *r, const cw_params *p)
{
    const double base[N_SECTORS] = {p->need_hazard_health, p->need_hazard_social_care,
                                    p->need_hazard_mental_health, p->need_hazard_housing,
                                    p->need_hazard_work, p->need_hazard_food};
    memcpy(r->base_hazard, base, sizeof base);
    for (int s = 0; s < N_SECTORS; s++) {
        double coef = need_age_param_offset[s] < 0
                          ? 0.0
                          : *(const double *)((const char *)p + need_age_param_offset[s]);
        for (int a = 0; a <= MAX_AGE; a++) {
            r->age_factor[s][a] = (float)exp(coef * (a - 45) / 10.0);
            r->age_hazard[s][a] = r->base_hazard[s] * r->age_factor[s][a];
        }
        r->crisis_factor[s] = 1.0f;
    }
    if (p->crisis_pandemic) {
        r->crisis_factor[0] *= (float)p->crisis_pandemic_health;
        r->crisis_factor[2] *= (float)p->crisis_pandemic_mental;
    }
    if (p->crisis_cost_of_living) {
        r->crisis_factor[5] *= (float)p->crisis_col_food;
        r->crisis_factor[3] *= (float)p->crisis_col_housing;
    }
    r->job_loss_mult = p->crisis_recession ? p->crisis_recession_job_loss : 1.0;
    r->job_find_mult = p->crisis_recession ? p->crisis_recession_job_find : 1.0;
    for (int a = 0; a <= MAX_AGE; a++) {
        double yearly = cw_min(1.0, exp(p->life_mortality_a + p->life_mortality_b * a));
        r->leave_by_age[a] = (float)(1.0 - pow(1.0 - yearly, 1.0 / 52.0));
    }
    spill_table(r, p);
}

double life_need_income_term(const cw_params *p, double income)
{
    double ratio = p->life_poverty_line / cw_max(income, 1.0);
    return pow(ratio, p->need_income_effect);
}

double life_need_personal(const cw_params *p, double income, double health)
{
    return life_need_income_term(p, income) * (1.0 + p->need_health_effect * (1.0 - health));
}

/* The business multiplier of a neighbourhood's incomes (money kept local). */
static double business_income_factor(const world *w, int b) { return 1.0 + w->business_income[b]; }

/* A resident's income is income_base times the out-of-work ratio (or 1)
 * times the business factor, so its income term stays valid while the
 * neighbourhood's factor and these parameters do: forget the memoised
 * terms of a neighbourhood where one of them changed (rarely: a timeline
 * event or a change in the community-business wage bill). */
static void income_terms_check(world *w, const cw_params *p, int b)
{
    const double key[INCOME_TERM_KEYS] = {business_income_factor(w, b), p->population_unemployed_income_ratio,
                                          p->life_poverty_line, p->need_income_effect};
    double *stored = &w->income_term_key[(size_t)b * INCOME_TERM_KEYS];
    if (memcmp(stored, key, sizeof key) == 0) return;
    memcpy(stored, key, sizeof key);
    memset(&w->income_term_state[world_first(w, b)], INCOME_TERM_UNKNOWN, world_nbhd_residents(w, b));
}

/* The need hazards' income term for resident i's income this week. */
static double income_term(world *w, const cw_params *p, uint32_t i, double income, int out_of_work)
{
    uint8_t state = out_of_work ? INCOME_TERM_OUT_OF_WORK : INCOME_TERM_FULL;
    if (w->income_term_state[i] != state) {
        w->income_term[i] = life_need_income_term(p, income);
        w->income_term_state[i] = state;
    }
    return w->income_term[i];
}

double life_need_hazard(const life_rates *r, int s, unsigned age,
                        double personal, int working_age, int employed)
{
    if (s == SECTOR_WORK && (!working_age || employed)) return 0.0; /* work need: out of work only */
    return r->base_hazard[s] * r->age_factor[s][age > MAX_AGE ? MAX_AGE : age] * personal *
           r->crisis_factor[s];
}

void life_job_rates(const cw_params *p, const life_rates *r, double deprivation, double health,
                    double *loss, double *find)
{
    *loss = cw_min(1.0, p->life_job_loss_hazard * (1.0 + p->life_job_loss_deprivation * deprivation) *
                          r->job_loss_mult);
    *find = p->life_job_find_rate * (1.0 - p->life_job_find_deprivation * deprivation) * health *
            r->job_find_mult;
}

double life_employment_steady(const cw_params *p, const life_rates *r, double deprivation,
                             double health)
{
    double loss, find;
    life_job_rates(p, r, deprivation, health, &loss, &find);
    return loss + find > 0.0 ? find / (loss + find) : 0.0;
}

double life_health_target(const cw_params *p, unsigned age, double deprivation, double health_need)
{
    double decades_over_40 = age > 40 ? (age - 40) / 10.0 : 0.0;
    double t = p->life_health_max - p->life_health_age_decline * decades_over_40 -
               p->life_health_deprivation_gap * deprivation - p->life_health_need_effect * health_need;
    return cw_min(1.0, cw_max(0.0, t));
}

double life_spare_hours(const cw_params *p, double health, int employed, double income)
{
    double h = p->life_spare_hours_max * health;
    if (employed) h -= p->life_spare_hours_work_cost;
    if (income < p->life_poverty_line) {
        h -= p->life_spare_hours_poverty_cost;
        if (p->crisis_cost_of_living) h -= p->crisis_col_spare_hours;
    }
    return h > 0.0 ? h : 0.0;
}

/* What the residents of one work item (one neighbourhood's) share in a
 * week, worked out once per item: the world's arrays could alias, so the
 * compiler would otherwise redo it per resident. Each value is the same
 * leading part of the expression it stands in for, in the same order. */
typedef struct item_rates {
    double deprivation;
    double job_loss;          /* life_job_rates' loss                          */
    double job_find;          /* its find, before health and the crisis factor */
    double income_factor;     /* business_income_factor                        */
    float leave[MAX_AGE + 1]; /* weekly chance of leaving (dying or moving)    */
    double health_base[MAX_AGE + 1]; /* life_health_target before the need   */
} item_rates;

static void item_rates_compute(item_rates *ir, const world *w, const cw_params *p, const life_rates *r, int b)
{
    double deprivation = ir->deprivation = w->deprivation[b];
    ir->job_loss = cw_min(1.0, p->life_job_loss_hazard * (1.0 + p->life_job_loss_deprivation * deprivation) *
                                   r->job_loss_mult);
    ir->job_find = p->life_job_find_rate * (1.0 - p->life_job_find_deprivation * deprivation);
    ir->income_factor = business_income_factor(w, b);
    for (int a = 0; a <= MAX_AGE; a++) {
        double yearly = p->life_mobility_rate * (1.0 + p->life_mobility_deprivation * deprivation) *
                        exp(-p->life_mobility_age_decline * (a - 30.0) / 10.0);
        ir->leave[a] = (float)(r->leave_by_age[a] + 1.0 - pow(1.0 - cw_min(yearly, 1.0), 1.0 / 52.0));
        double decades_over_40 = a > 40 ? (a - 40) / 10.0 : 0.0;
        ir->health_base[a] = p->life_health_max - p->life_health_age_decline * decades_over_40 -
                             p->life_health_deprivation_gap * deprivation;
    }
}

/* life_health_target from the item's table. */
static double health_target(const item_rates *ir, const cw_params *p, unsigned age, double health_need)
{
    if (age > MAX_AGE) return life_health_target(p, age, ir->deprivation, health_need);
    return cw_min(1.0, cw_max(0.0, ir->health_base[age] - p->life_health_need_effect * health_need));
}

/* A newcomer takes the place (and household) of a resident who left: a new
 * person with their own draws and no ties yet beyond the household. */
static void arrive(world *w, const cw_params *p, const life_rates *r, uint64_t seed,
                   uint32_t step, uint32_t i, double deprivation)
{
    rng g = rng_stream(seed, RK_RESIDENT, world_gid(w, i), step, RP_LIFE_NEWCOMER);
    double age = 16.0 + (p->life_newcomer_age_mean - 16.0) * rng_exponential(&g);
    w->age[i] = (uint8_t)(age > MAX_AGE ? MAX_AGE : age);
    double minority = (p->population_minority_share +
                       p->population_minority_deprivation_gradient * (deprivation - 0.5)) *
                      p->life_newcomer_minority_factor;
    int k = (int)p->population_identity_groups;
    double u = rng_uniform(&g);
    w->identity[i] = (uint8_t)(k > 1 && u < minority ? 1 + rng_bounded(&g, (uint32_t)(k - 1)) : 0);
    double median = p->population_income_median_least +
                    (p->population_income_median_most - p->population_income_median_least) * deprivation;
    w->income_base[i] = (float)rng_lognormal(&g, log(median), p->population_income_sigma);
    w->quintile[i] = (uint8_t)world_income_quintile(w, w->income_base[i]);
    w->health[i] = (float)life_health_target(p, w->age[i], deprivation, 0.0);
    w->employed[i] = (uint8_t)(life_working_age(w->age[i]) &&
                               rng_uniform(&g) < life_employment_steady(p, r, deprivation, w->health[i]));
    w->business_post[i] = 0;                       /* the post was theirs */
    w->income_term_state[i] = INCOME_TERM_UNKNOWN; /* a new income_base */
    w->propensity_bound[i] = 0.0f;                 /* and new traits    */
    for (int s = 0; s < N_SECTORS; s++) w->need[(size_t)i * N_SECTORS + (size_t)s] = 0.0f;
    w->arrived[i] = (uint16_t)(step > UINT16_MAX ? UINT16_MAX : step);
    memset(&w->unrelieved_weeks[(size_t)i * N_SECTORS], 0, N_SECTORS * sizeof *w->unrelieved_weeks);
    w->unmet_mask[i] = 0;
    w->ineffective_mask[i] = 0;
    w->ineffective_by[i] = 0;
    w->low_contact_weeks[i] = 0;
    w->social_flags[i] = 0;
    w->trust[i] = (float)cw_min(1.0, cw_max(0.0, p->trust_anchor + 0.5 * (rng_uniform(&g) - 0.5)));
    w->trust_groups[i] = (float)cw_min(1.0, cw_max(0.0, p->trust_anchor + 0.5 * (rng_uniform(&g) - 0.5)));
    w->trust_home[i] = w->trust[i];
    w->trust_groups_home[i] = w->trust_groups[i];
    w->wellbeing[i] = (float)p->wb_max;
    w->volunteer_hours[i] = 0.0f;
    w->volunteer_year[i] = 0.0f;
    w->timebank_balance[i] = 0.0f;
    memset(&w->membership[(size_t)i * MAX_MEMBERSHIPS], NO_MEMBERSHIP, MAX_MEMBERSHIPS);
    w->last_volunteered[i] = NEVER;
    w->last_helped[i] = NEVER;
    /* The newcomer knows nobody outside the household yet. The mirror entry
     * belongs to the other resident; the social phase renews or decays it. */
    for (uint32_t t = w->tie_offset[i]; t < w->tie_offset[i + 1]; t++)
        if (w->household[w->tie_target[t]] != w->household[i]) w->tie_weight[t] = 0.0f;
}

/* Needs arise and resolve, sector by sector (two draws each, always). The
 * hazard is life_need_hazard's product, its first factor from the week's
 * table; unrolled, the sector tests below fold away. */
static void needs_week(const cw_params *p, const life_rates *r, float *need, const float *spill, unsigned age,
                       double personal, int working, int employed, int found_job, int flooded, rng *g)
{
    unsigned a = age > MAX_AGE ? MAX_AGE : age;
#pragma GCC unroll 6
    for (int s = 0; s < N_SECTORS; s++) {
        double u1 = rng_uniform(g), u2 = rng_uniform(g);
        if (need[s] > 0.0f) {
            int ends = u1 < p->need_resolve_rate || (s == SECTOR_WORK && found_job && u2 < p->need_work_resolve_on_job);
            if (ends || (s == SECTOR_WORK && !working)) need[s] = 0.0f;
            continue;
        }
        if (s == SECTOR_WORK && (!working || employed)) continue; /* work need: out of work only */
        double hz = r->age_hazard[s][a] * personal * r->crisis_factor[s] * spill[s];
        if (s == SECTOR_HOUSING && flooded) hz *= p->crisis_flood_housing;
        if (u1 < hz) {
            double sev = p->need_severity_mean * -log(1.0 - u2);
            need[s] = (float)cw_min(1.0, cw_max(p->need_min_severity, sev));
        }
    }
}

/* One resident, one week. */
static void live_week(world *w, const cw_params *p, const life_rates *r, const item_rates *ir,
                      uint64_t seed, uint32_t step, uint32_t i, uint32_t b)
{
    double deprivation = ir->deprivation;
    const float *spill = r->spill[w->unmet_mask[i] & 63u];
    rng g = rng_stream(seed, RK_RESIDENT, world_gid(w, i), step, RP_LIFE);
    float *need = &w->need[(size_t)i * N_SECTORS];

    /* turnover: death or moving away; a newcomer takes the place */
    double u_leave = rng_uniform(&g);
    unsigned age = w->age[i];
    if (u_leave < ir->leave[age > MAX_AGE ? MAX_AGE : age]) {
        arrive(w, p, r, seed, step, i, deprivation);
        age = w->age[i];
    } else if ((step + world_gid(w, i)) % 52u == 0 && age < MAX_AGE) {
        w->age[i] = (uint8_t)++age; /* birthdays spread evenly over the year */
    }

    /* employment (working age only) */
    double u_job = rng_uniform(&g);
    int working = life_working_age(age);
    int found_job = 0;
    if (!working) {
        w->employed[i] = 0;
    } else {
        double loss = ir->job_loss, find = ir->job_find * w->health[i] * r->job_find_mult;
        loss *= spill[4]; /* unmet health and mental-health need cost jobs */
        if (w->employed[i] && u_job < loss) w->employed[i] = 0;
        else if (!w->employed[i] && u_job < find) w->employed[i] = 1, found_job = 1;
    }
    int out_of_work = working && !w->employed[i];
    double income = life_income_earned(p, w->income_base[i], out_of_work) * ir->income_factor;
    w->income[i] = (float)income;

    /* health drifts toward its long-run level */
    double z = rng_normal(&g);
    double target = health_target(ir, p, age, need[SECTOR_HEALTH]);
    double h = w->health[i] + p->life_health_reversion * (target - w->health[i]) + p->life_health_noise * z;
    w->health[i] = (float)cw_min(1.0, cw_max(0.0, h));

    double personal = income_term(w, p, i, income, out_of_work) * (1.0 + p->need_health_effect * (1.0 - w->health[i]));
    needs_week(p, r, need, spill, age, personal, working, w->employed[i], found_job, w->flooded[b], &g);
    w->spare_hours[i] = (float)life_spare_hours(p, w->health[i], w->employed[i], income);
}

void life_step(world *w, const cw_params *p, uint64_t seed, uint32_t step)
{
    life_rates r;
    life_rates_compute(&r, p);
    for (int b = world_own_nbhd_begin(w); b < world_own_nbhd_end(w); b++) income_terms_check(w, p, b);
    long k0 = world_own_item_begin(w), k1 = world_own_item_end(w);
#pragma omp parallel for schedule(dynamic, 1)
    for (long k = k0; k < k1; k++) {
        const work_item it = w->items[k];
        item_rates ir;
        item_rates_compute(&ir, w, p, &r, (int)it.nbhd);
        for (uint32_t i = it.first; i < it.end; i++) live_week(w, p, &r, &ir, seed, step, i, it.nbhd);
    }
}
