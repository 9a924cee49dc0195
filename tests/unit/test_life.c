/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * The life phase: each mechanism moves its outcome the way it should, on a
 * small population, and draws are common between paired runs.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "life.h"
#include "observe.h"
#include "population.h"

typedef struct fixture {
    cw_mem mem;
    world w;
    cw_params p;
} fixture;

static void setup(fixture *f, void (*tweak)(cw_params *))
{
    memset(f, 0, sizeof *f);
    params_defaults(&f->p);
    f->p.population_neighbourhoods = 6;
    f->p.population_residents_per_neighbourhood = 800;
    f->p.run_seed = 5;
    if (tweak) tweak(&f->p);
    char err[256];
    cr_assert_eq(population_build(&f->w, &f->mem, &f->p, NULL, err, sizeof err), CW_OK, "%s", err);
}

static void teardown(fixture *f) { world_free(&f->w, &f->mem); }

static void run_weeks(fixture *f, uint32_t from, uint32_t n)
{
    for (uint32_t s = from; s < from + n; s++) life_step(&f->w, &f->p, (uint64_t)f->p.run_seed, s);
}

static double need_rate(const world *w, int sector)
{
    double n = 0;
    for (uint32_t i = 0; i < w->n_res; i++) n += w->need[(size_t)i * N_SECTORS + (size_t)sector] > 0.0f;
    return n / w->n_res;
}

static double employment_rate(const world *w)
{
    double e = 0, n = 0;
    for (uint32_t i = 0; i < w->n_res; i++)
        if (life_working_age(w->age[i])) n += 1, e += w->employed[i];
    return e / n;
}

static double mean_spare(const world *w)
{
    double s = 0;
    for (uint32_t i = 0; i < w->n_res; i++) s += w->spare_hours[i];
    return s / w->n_res;
}

static void recession_on(cw_params *p) { p->crisis_recession = true; }
static void pandemic_on(cw_params *p) { p->crisis_pandemic = true; }
static void cost_of_living_on(cw_params *p) { p->crisis_cost_of_living = true; }
static void fast_resolution(cw_params *p) { p->need_resolve_rate = 0.1; }

/* Pairs of runs differing in one lever: the lever's direction must show. */
static void paired(void (*tweak)(cw_params *), fixture *base, fixture *lever, uint32_t weeks)
{
    setup(base, NULL);
    setup(lever, NULL);
    tweak(&lever->p); /* switch on after set-up, as a timeline would */
    run_weeks(base, 0, weeks);
    run_weeks(lever, 0, weeks);
}

Test(life, recession_lowers_employment_and_raises_work_need)
{
    fixture a, b;
    paired(recession_on, &a, &b, 52);
    cr_assert_lt(employment_rate(&b.w), employment_rate(&a.w) - 0.03, "employment %g (recession) vs %g",
                 employment_rate(&b.w), employment_rate(&a.w));
    cr_assert_gt(need_rate(&b.w, SECTOR_WORK), need_rate(&a.w, SECTOR_WORK), "work need");
    teardown(&a);
    teardown(&b);
}

Test(life, pandemic_raises_health_and_mental_health_need)
{
    fixture a, b;
    paired(pandemic_on, &a, &b, 26);
    cr_assert_gt(need_rate(&b.w, SECTOR_HEALTH), 1.2 * need_rate(&a.w, SECTOR_HEALTH), "health %g vs %g", need_rate(&b.w, SECTOR_HEALTH), need_rate(&a.w, SECTOR_HEALTH));
    cr_assert_gt(need_rate(&b.w, SECTOR_MENTAL_HEALTH), 1.2 * need_rate(&a.w, SECTOR_MENTAL_HEALTH), "mental health");
    teardown(&a);
    teardown(&b);
}

Test(life, cost_of_living_raises_food_need_and_cuts_spare_hours)
{
    fixture a, b;
    paired(cost_of_living_on, &a, &b, 26);
    cr_assert_gt(need_rate(&b.w, SECTOR_FOOD), 1.3 * need_rate(&a.w, SECTOR_FOOD), "food %g vs %g", need_rate(&b.w, SECTOR_FOOD), need_rate(&a.w, SECTOR_FOOD));
    cr_assert_gt(need_rate(&b.w, SECTOR_HOUSING), need_rate(&a.w, SECTOR_HOUSING), "housing");
    cr_assert_lt(mean_spare(&b.w), mean_spare(&a.w), "spare hours");
    teardown(&a);
    teardown(&b);
}

Test(life, faster_self_resolution_lowers_prevalence)
{
    fixture a, b;
    paired(fast_resolution, &a, &b, 52);
    for (int s = 0; s < N_SECTORS; s++)
        cr_assert_lt(need_rate(&b.w, s), need_rate(&a.w, s), "sector %d", s);
    teardown(&a);
    teardown(&b);
}

Test(life, deprived_neighbourhoods_have_more_need_and_less_work)
{
    fixture f;
    setup(&f, NULL);
    run_weeks(&f, 0, 52);
    double need_lo = 0, need_hi = 0, emp_lo = 0, emp_hi = 0, n_lo = 0, n_hi = 0, w_lo = 0, w_hi = 0;
    for (int b = 0; b < f.w.n_nbhd; b++) {
        int deprived = f.w.deprivation[b] > 0.5f;
        for (uint32_t i = f.w.nbhd_first[b]; i < f.w.nbhd_first[b + 1]; i++) {
            int any = 0;
            for (int s = 0; s < N_SECTORS; s++) any |= f.w.need[(size_t)i * N_SECTORS + (size_t)s] > 0.0f;
            if (deprived) n_hi += 1, need_hi += any; else n_lo += 1, need_lo += any;
            if (life_working_age(f.w.age[i])) {
                if (deprived) w_hi += 1, emp_hi += f.w.employed[i]; else w_lo += 1, emp_lo += f.w.employed[i];
            }
        }
    }
    cr_assert_gt(need_hi / n_hi, need_lo / n_lo, "need %g deprived vs %g", need_hi / n_hi, need_lo / n_lo);
    cr_assert_lt(emp_hi / w_hi, emp_lo / w_lo, "employment %g deprived vs %g", emp_hi / w_hi, emp_lo / w_lo);
    teardown(&f);
}

Test(life, need_prevalence_is_steady_through_the_burn_in)
{
    fixture f;
    setup(&f, NULL);
    double before[N_SECTORS];
    for (int s = 0; s < N_SECTORS; s++) before[s] = need_rate(&f.w, s);
    run_weeks(&f, 0, 104);
    for (int s = 0; s < N_SECTORS; s++) {
        double after = need_rate(&f.w, s);
        cr_assert_lt(fabs(after - before[s]), 0.35 * before[s] + 0.01, "sector %d drifted %g -> %g", s, before[s], after);
    }
    teardown(&f);
}

Test(life, turnover_brings_newcomers_and_keeps_the_age_structure)
{
    fixture f;
    setup(&f, NULL);
    double age0 = 0;
    for (uint32_t i = 0; i < f.w.n_res; i++) age0 += f.w.age[i];
    run_weeks(&f, 0, 260);
    double age5 = 0, newcomers = 0;
    for (uint32_t i = 0; i < f.w.n_res; i++) age5 += f.w.age[i], newcomers += f.w.arrived[i] > 0;
    age0 /= f.w.n_res;
    age5 /= f.w.n_res;
    cr_assert_gt(newcomers / f.w.n_res, 0.15, "newcomers after 5 years: %g", newcomers / f.w.n_res);
    cr_assert_lt(fabs(age5 - age0), 3.0, "mean age %g -> %g over 5 years", age0, age5);
    teardown(&f);
}

/* Common random numbers: a change that life does not read leaves every draw,
 * and so every resident, exactly as it was. */
Test(life, unrelated_lever_leaves_draws_identical)
{
    fixture a, b;
    setup(&a, NULL);
    setup(&b, NULL);
    b.p.funding_scale_housing = 0.5;
    run_weeks(&a, 0, 30);
    run_weeks(&b, 0, 30);
    cr_assert(memcmp(a.w.need, b.w.need, (size_t)a.w.n_res * N_SECTORS * sizeof(float)) == 0);
    cr_assert(memcmp(a.w.health, b.w.health, (size_t)a.w.n_res * sizeof(float)) == 0);
    teardown(&a);
    teardown(&b);
}

/* A recession changes who is in work, but residents who were not affected
 * keep their health draws: most residents' health is unchanged. */
Test(life, lever_changes_only_what_it_touches)
{
    fixture a, b;
    paired(recession_on, &a, &b, 8);
    uint32_t same = 0;
    for (uint32_t i = 0; i < a.w.n_res; i++) same += a.w.health[i] == b.w.health[i];
    cr_assert_gt(same, a.w.n_res / 2, "%u of %u residents' health identical", same, a.w.n_res);
    teardown(&a);
    teardown(&b);
}
