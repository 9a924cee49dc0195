/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
#include "observe.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

#include "funding.h"
#include "inequality.h"
#include "mathx.h"

size_t observe_scratch_bytes(size_t n_items, int n_nbhd)
{
    return (n_items + (size_t)n_nbhd) * sizeof(observe_sums) + 3 * (size_t)n_nbhd * sizeof(double);
}

cw_status observe_scratch_init(observe_scratch *s, cw_mem *mem, const world *w)
{
    s->item = mem_calloc(mem, w->n_items, sizeof *s->item);
    s->nbhd = mem_calloc(mem, (size_t)w->n_nbhd, sizeof *s->nbhd);
    s->theil = mem_calloc(mem, 3 * (size_t)w->n_nbhd, sizeof *s->theil);
    if (!s->item || !s->nbhd || !s->theil) return CW_ENOMEM;
    return CW_OK;
}

void observe_scratch_free(observe_scratch *s, cw_mem *mem)
{
    mem_free(mem, s->item);
    mem_free(mem, s->nbhd);
    mem_free(mem, s->theil);
    s->item = s->nbhd = NULL;
    s->theil = NULL;
}

static uint32_t within(uint16_t last, uint32_t step, uint32_t weeks)
{
    return last != NEVER && step >= last && step - last < weeks;
}

static size_t bin_of(double v, double max)
{
    int k = (int)(v / max * OBSERVE_BINS);
    return k < 0 ? 0 : k >= OBSERVE_BINS ? OBSERVE_BINS - 1 : (size_t)k;
}

/* A year's volunteer hours (at least 1) into OBSERVE_BINS log-spaced bins
 * over 1 .. OBSERVE_MAX_HOURS x 52 hours: each bin spans 3.3% of its
 * hours, so the civic core's cut through one bin, taken at its mean, is
 * within about 1% of the residents' own top share. (Equal bins of 16 hours
 * put most volunteers in the lowest few and read 0.04-0.06 low.) */
static size_t hours_bin(double v)
{
    int k = (int)(log(v) * (OBSERVE_BINS / log(OBSERVE_MAX_HOURS * 52.0)));
    return k < 0 ? 0 : k >= OBSERVE_BINS ? OBSERVE_BINS - 1 : (size_t)k;
}

/* The whole-number tallies of a slice (counts of residents), kept as
 * integers and converted once per slice: the same doubles as adding 1.0 or
 * 0.0 per resident, since every partial sum is an exact integer, without a
 * conversion and a dependent double addition per tally and resident. The
 * layout is observe_sums's count and group counts. */
typedef struct slice_counts {
    uint32_t count[N_OBSERVE_COUNTS];
    uint32_t group[N_RESIDENT_SLOTS][N_GROUP_COUNTS];
} slice_counts;

/* A resident's needs; returns whether it is left out (per sector, a severe
 * need unrelieved for weeks), *any whether it has an active need. */
static uint32_t tally_needs(const world *w, const cw_params *p, uint32_t i, observe_sums *o, slice_counts *c,
                            uint32_t *any)
{
    const float *need = &w->need[(size_t)i * N_SECTORS];
    const uint16_t *unrelieved = &w->unrelieved_weeks[(size_t)i * N_SECTORS];
    uint32_t left_out = 0;
    *any = 0;
    for (int s = 0; s < N_SECTORS; s++)
        if (need[s] > 0.0f) {
            c->count[OC_NEED + s]++;
            o->sum[OS_NEED_SEVERITY + s] += need[s];
            *any = 1;
            left_out |= need[s] >= p->out_left_out_severity && unrelieved[s] >= p->out_left_out_weeks;
        }
    return left_out;
}

/* A resident's outcomes g into each of its groups (quintile, identity, age
 * band), with its trust and wellbeing. */
static void tally_groups(const world *w, uint32_t i, const uint32_t *g, observe_sums *o, slice_counts *c)
{
    const int slot[3] = {SLOT_QUINTILE + w->quintile[i], SLOT_IDENTITY + w->identity[i],
                         SLOT_AGE_BAND + world_age_band(w->age[i])};
    for (int k = 0; k < 3; k++) {
        uint32_t *to = c->group[slot[k]];
        for (int f = 0; f < N_GROUP_COUNTS; f++) to[f] += g[f];
        o->group[slot[k]].sum[GS_TRUST] += w->trust[i];
        o->group[slot[k]].sum[GS_WELLBEING] += w->wellbeing[i];
    }
}

/* One resident's tallies: the area-level ones, then the same outcomes for
 * each of its groups. */
static void sum_resident(const world *w, const cw_params *p, uint32_t step, uint32_t i, observe_sums *o,
                         slice_counts *c)
{
    uint32_t *n = c->count, g[N_GROUP_COUNTS];
    double *x = o->sum;
    const float *need = &w->need[(size_t)i * N_SECTORS];
    uint32_t any, left_out = tally_needs(w, p, i, o, c, &any), unmet = w->unmet_mask[i];
    uint32_t isolated = (w->social_flags[i] & SF_ISOLATED) != 0, lonely = (w->social_flags[i] & SF_LONELY) != 0;
    uint32_t volunteered = within(w->last_volunteered[i], step, 4), helped = within(w->last_helped[i], step, 4);
    n[OC_RESIDENTS]++;
    if (w->age[i] >= 16 && w->age[i] < 65) {
        n[OC_WORKING_AGE]++;
        n[OC_EMPLOYED] += w->employed[i];
    }
    n[OC_POOR] += w->income[i] < p->life_poverty_line;
    x[OS_HEALTH] += w->health[i];
    x[OS_SPARE_HOURS] += w->spare_hours[i];
    n[OC_LEFT_OUT] += left_out;
    if (w->arrived[i] > 0) n[OC_NEWCOMERS]++, n[OC_NEWCOMERS_LEFT_OUT] += left_out;
    n[OC_ISOLATED] += isolated;
    n[OC_LONELY] += lonely;
    x[OS_TRUST] += w->trust[i];
    n[OC_TRUST_SHARE] += w->trust[i] >= 0.5f;
    n[OC_TRUST_GROUPS_SHARE] += w->trust_groups[i] >= 0.5f;
    n[OC_VOLUNTEERED_4W] += volunteered;
    n[OC_VOLUNTEERED_52W] += within(w->last_volunteered[i], step, 52);
    n[OC_HELPED_4W] += helped;
    if (w->age[i] >= 65) {
        n[OC_OVER65]++;
        n[OC_OVER65_CARE_UNMET] += need[SECTOR_SOCIAL_CARE] > 0.0f && (unmet & (1u << SECTOR_SOCIAL_CARE));
    }
    x[OS_WELLBEING] += w->wellbeing[i];
    n[OC_WELLBEING_HIST + bin_of(w->wellbeing[i], 1.0)]++;
    if (w->volunteer_year[i] >= 1.0f) { /* gave at least an hour in about a year */
        size_t k = hours_bin(w->volunteer_year[i]);
        n[OC_HOURS_HIST + k]++;
        x[OS_HOURS_SUM + k] += w->volunteer_year[i];
    }

    g[GC_RESIDENTS] = 1, g[GC_NEED] = any, g[GC_LEFT_OUT] = left_out;
    for (int s = 0; s < N_SECTORS; s++) g[GC_UNMET + s] = (unmet >> s) & 1u;
    g[GC_LONELY] = lonely, g[GC_ISOLATED] = isolated, g[GC_VOLUNTEERED] = volunteered, g[GC_HELPED] = helped;
    tally_groups(w, i, g, o, c);
}

/* A slice's counts into the count fields of its sums. */
static void store_counts(observe_sums *o, const slice_counts *c)
{
    for (int k = 0; k < N_OBSERVE_COUNTS; k++) o->count[k] = c->count[k];
    for (int g = 0; g < N_RESIDENT_SLOTS; g++)
        for (int f = 0; f < N_GROUP_COUNTS; f++) o->group[g].count[f] = c->group[g][f];
}

/* The strong ties of a slice's residents, whose ties are contiguous in the
 * CSR arrays: one integer count, which equals the double sum of a 1.0 per
 * strong tie (every partial sum is an exact integer) and vectorises. */
static double strong_ties(const world *w, const cw_params *p, work_item it)
{
    float min_weight = cw_float_at_or_above(p->social_isolated_weight);
    uint32_t n = 0;
    const float *weight = w->tie_weight;
    for (uint32_t k = w->tie_offset[it.first]; k < w->tie_offset[it.end]; k++) n += weight[k] >= min_weight;
    return (double)n;
}

static void sum_slice(const world *w, const cw_params *p, uint32_t step, work_item it, observe_sums *o)
{
    slice_counts c;
    memset(o, 0, sizeof *o);
    memset(&c, 0, sizeof c);
    for (uint32_t i = it.first; i < it.end; i++) sum_resident(w, p, step, i, o, &c);
    store_counts(o, &c);
    o->sum[OS_STRONG_TIES] = strong_ties(w, p, it);
}

/* a[n] += b[n]: sums of all-double structs, field by field. */
static void add_doubles(double *a, const double *b, size_t n)
{
    for (size_t k = 0; k < n; k++) a[k] += b[k];
}
#define ADD_SUMS(a, b) add_doubles((double *)(a), (const double *)(b), sizeof *(a) / sizeof(double))

static float ratio(double num, double den) { return den > 0.0 ? (float)(num / den) : 0.0f; }

double observe_top_share(const double *count, const double *sum, size_t bins, double top, double population)
{
    double people = 0.0, hours = 0.0;
    for (size_t k = 0; k < bins; k++) people += count[k], hours += sum[k];
    if (people <= 0.0 || hours <= 0.0) return 0.0;
    double want = top * fmax(people, population), got = 0.0, share = 0.0; /* the rest give none */
    for (size_t k = bins; k-- > 0 && got < want;) {
        if (count[k] <= 0.0) continue;
        double take = fmin(count[k], want - got); /* a partial bin at its mean */
        share += sum[k] * take / count[k];
        got += take;
    }
    return share / hours;
}

static double wellbeing_gini(const observe_sums *o)
{
    double mid[OBSERVE_BINS];
    for (int k = 0; k < OBSERVE_BINS; k++) mid[k] = (k + 0.5) / OBSERVE_BINS;
    return ineq_gini_histogram(&o->count[OC_WELLBEING_HIST], mid, OBSERVE_BINS);
}

static double civic_core(const observe_sums *o)
{
    return observe_top_share(&o->count[OC_HOURS_HIST], &o->sum[OS_HOURS_SUM], OBSERVE_BINS, 0.31,
                             o->count[OC_RESIDENTS]);
}

/* ---- the metrics as rows over the tallies ---------------------------------------------- */

/* Where a row's numbers come from: the tallies of observe_sums, the week's
 * help sums, or the groups' tallies (each an array of doubles). */
enum source { SRC_COUNT, SRC_SUM, SRC_HELP, SRC_GROUP, N_SOURCES };

/* Cell c of a metric reads source[at + (c / per) * step + (c % per) * inner]:
 * ONE, the same number for every cell; EACH, consecutive ones; GROUPS, a
 * field of consecutive groups; GROUP_SECTORS, (group, sector) pairs. */
typedef struct ref {
    enum source src;
    size_t at, per, step, inner;
} ref;

#define TALLY (sizeof(group_tally) / sizeof(double))
#define HELP(field) (offsetof(help_sums, field) / sizeof(double))
#define ONE(src, at) {src, at, 1, 0, 0}
#define EACH(src, at) {src, at, 1, 1, 0}
#define GROUP_COUNT(slot, f) ((size_t)(slot) * TALLY + offsetof(group_tally, count) / sizeof(double) + (f))
#define GROUP_SUM(slot, f) ((size_t)(slot) * TALLY + offsetof(group_tally, sum) / sizeof(double) + (f))
#define GROUPS(at) {SRC_GROUP, at, 1, TALLY, 0}
#define GROUP_SECTORS(at, inner) {SRC_GROUP, at, N_SECTORS, TALLY, inner}
#define NO_REF {SRC_COUNT, 0, 1, 0, 0}

/* A metric: num, or num / den (0 where den is 0), cell by cell. */
typedef struct metric_row {
    enum metric_id metric;
    int is_ratio;
    ref num, den;
} metric_row;

#define VALUE(m, num) {m, 0, num, NO_REF}
#define RATIO(m, num, den) {m, 1, num, den}
#define PER_RESIDENT(m, num) {m, 1, num, ONE(SRC_COUNT, OC_RESIDENTS)} /* not via RATIO: num holds commas */

/* Per group of a dimension D (slot S): the counts and sums, and the rates
 * they give. */
#define GROUP_COUNTS(D, S)                                                                           \
    VALUE(M_RESIDENTS_BY_##D, GROUPS(GROUP_COUNT(S, GC_RESIDENTS))),                                 \
    VALUE(M_LEFT_OUT_COUNT_BY_##D, GROUPS(GROUP_COUNT(S, GC_LEFT_OUT))),                             \
    VALUE(M_UNMET_NEED_COUNT_BY_##D, GROUP_SECTORS(GROUP_COUNT(S, GC_UNMET), 1)),                    \
    VALUE(M_LONELY_COUNT_BY_##D, GROUPS(GROUP_COUNT(S, GC_LONELY))),                                 \
    VALUE(M_ISOLATED_COUNT_BY_##D, GROUPS(GROUP_COUNT(S, GC_ISOLATED))),                             \
    VALUE(M_FORMAL_VOLUNTEERING_COUNT_BY_##D, GROUPS(GROUP_COUNT(S, GC_VOLUNTEERED))),               \
    VALUE(M_INFORMAL_HELP_COUNT_BY_##D, GROUPS(GROUP_COUNT(S, GC_HELPED))),                          \
    VALUE(M_TRUST_SERVICES_SUM_BY_##D, GROUPS(GROUP_SUM(S, GS_TRUST))),                              \
    VALUE(M_WELLBEING_SUM_BY_##D, GROUPS(GROUP_SUM(S, GS_WELLBEING)))
#define GROUP_RATE(m, S, f) RATIO(m, GROUPS(GROUP_COUNT(S, f)), GROUPS(GROUP_COUNT(S, GC_RESIDENTS)))
#define GROUP_MEAN(m, S, f) RATIO(m, GROUPS(GROUP_SUM(S, f)), GROUPS(GROUP_COUNT(S, GC_RESIDENTS)))
#define AREA_GROUPS(D, S)                                                                            \
    VALUE(A_RESIDENTS_BY_##D, GROUPS(GROUP_COUNT(S, GC_RESIDENTS))),                                 \
    GROUP_RATE(A_LEFT_OUT_BY_##D, S, GC_LEFT_OUT),                                                   \
    RATIO(A_UNMET_NEED_BY_##D, GROUP_SECTORS(GROUP_COUNT(S, GC_UNMET), 1),                           \
          GROUP_SECTORS(GROUP_COUNT(S, GC_RESIDENTS), 0)),                                           \
    GROUP_RATE(A_LONELY_BY_##D, S, GC_LONELY),                                                       \
    GROUP_RATE(A_ISOLATED_BY_##D, S, GC_ISOLATED),                                                   \
    GROUP_RATE(A_FORMAL_VOLUNTEERING_BY_##D, S, GC_VOLUNTEERED),                                     \
    GROUP_RATE(A_INFORMAL_HELP_BY_##D, S, GC_HELPED),                                                \
    GROUP_MEAN(A_TRUST_SERVICES_MEAN_BY_##D, S, GS_TRUST),                                           \
    GROUP_MEAN(A_WELLBEING_MEAN_BY_##D, S, GS_WELLBEING)

/* Per neighbourhood. Those not here are computed in write_nbhd_rest. */
static const metric_row nbhd_rows[] = {
    VALUE(M_POPULATION, ONE(SRC_COUNT, OC_RESIDENTS)),
    PER_RESIDENT(M_NEED_RATE, EACH(SRC_HELP, HELP(needing))),
    PER_RESIDENT(M_UNMET_NEED_RATE, EACH(SRC_HELP, HELP(unmet))),
    PER_RESIDENT(M_UNMET_SHORTFALL, EACH(SRC_HELP, HELP(shortfall))),
    PER_RESIDENT(M_UNMET_SHORTFALL_SQ, EACH(SRC_HELP, HELP(shortfall_sq))),
    RATIO(M_NEED_SEVERITY, EACH(SRC_SUM, OS_NEED_SEVERITY), EACH(SRC_COUNT, OC_NEED)),
    PER_RESIDENT(M_HELP_HOURS, EACH(SRC_HELP, HELP(hours))),
    PER_RESIDENT(M_REACHED_NOT_RELIEVED_BY_ROUTE, EACH(SRC_HELP, HELP(reached_not_relieved_route))),
    PER_RESIDENT(M_REACHED_NOT_RELIEVED, EACH(SRC_HELP, HELP(reached_not_relieved))),
    PER_RESIDENT(M_LEFT_OUT_RATE, ONE(SRC_COUNT, OC_LEFT_OUT)),
    RATIO(M_LEFT_OUT_NEWCOMERS, ONE(SRC_COUNT, OC_NEWCOMERS_LEFT_OUT), ONE(SRC_COUNT, OC_NEWCOMERS)),
    GROUP_RATE(M_LEFT_OUT_BY_QUINTILE, SLOT_QUINTILE, GC_LEFT_OUT),
    GROUP_RATE(M_NEED_RATE_BY_QUINTILE, SLOT_QUINTILE, GC_NEED),
    GROUP_RATE(M_LEFT_OUT_BY_IDENTITY, SLOT_IDENTITY, GC_LEFT_OUT),
    GROUP_RATE(M_NEED_RATE_BY_IDENTITY, SLOT_IDENTITY, GC_NEED),
    GROUP_RATE(M_LEFT_OUT_BY_AGE_BAND, SLOT_AGE_BAND, GC_LEFT_OUT),
    GROUP_RATE(M_NEED_RATE_BY_AGE_BAND, SLOT_AGE_BAND, GC_NEED),
    PER_RESIDENT(M_ISOLATED_RATE, ONE(SRC_COUNT, OC_ISOLATED)),
    PER_RESIDENT(M_LONELY_RATE, ONE(SRC_COUNT, OC_LONELY)),
    PER_RESIDENT(M_TRUST_SERVICES, ONE(SRC_SUM, OS_TRUST)),
    PER_RESIDENT(M_TRUST_SERVICES_SHARE, ONE(SRC_COUNT, OC_TRUST_SHARE)),
    PER_RESIDENT(M_TRUST_GROUPS_SHARE, ONE(SRC_COUNT, OC_TRUST_GROUPS_SHARE)),
    PER_RESIDENT(M_FORMAL_VOLUNTEERING, ONE(SRC_COUNT, OC_VOLUNTEERED_4W)),
    PER_RESIDENT(M_VOLUNTEERING_YEAR, ONE(SRC_COUNT, OC_VOLUNTEERED_52W)),
    PER_RESIDENT(M_INFORMAL_HELP, ONE(SRC_COUNT, OC_HELPED_4W)),
    RATIO(M_CARE_UNMET_65, ONE(SRC_COUNT, OC_OVER65_CARE_UNMET), ONE(SRC_COUNT, OC_OVER65)),
    PER_RESIDENT(M_WELLBEING_MEAN, ONE(SRC_SUM, OS_WELLBEING)),
    PER_RESIDENT(M_MEAN_TIE_DEGREE, ONE(SRC_SUM, OS_STRONG_TIES)),
    RATIO(M_EMPLOYMENT_RATE, ONE(SRC_COUNT, OC_EMPLOYED), ONE(SRC_COUNT, OC_WORKING_AGE)),
    PER_RESIDENT(M_POVERTY_RATE, ONE(SRC_COUNT, OC_POOR)),
    PER_RESIDENT(M_HEALTH_MEAN, ONE(SRC_SUM, OS_HEALTH)),
    PER_RESIDENT(M_SPARE_HOURS_MEAN, ONE(SRC_SUM, OS_SPARE_HOURS)),
    GROUP_COUNTS(QUINTILE, SLOT_QUINTILE),
    GROUP_COUNTS(IDENTITY, SLOT_IDENTITY),
    GROUP_COUNTS(AGE_BAND, SLOT_AGE_BAND),
    VALUE(M_NEED_COUNT_BY_QUINTILE, GROUPS(GROUP_COUNT(SLOT_QUINTILE, GC_NEED))),
    VALUE(M_NEED_COUNT_BY_IDENTITY, GROUPS(GROUP_COUNT(SLOT_IDENTITY, GC_NEED))),
    VALUE(M_NEED_COUNT_BY_AGE_BAND, GROUPS(GROUP_COUNT(SLOT_AGE_BAND, GC_NEED))),
};

/* Over the whole area. Those not here are computed in write_area_rest. */
static const metric_row area_rows[] = {
    PER_RESIDENT(A_NEED_RATE, EACH(SRC_HELP, HELP(needing))),
    PER_RESIDENT(A_LEFT_OUT, ONE(SRC_COUNT, OC_LEFT_OUT)),
    PER_RESIDENT(A_REACHED_NOT_RELIEVED, ONE(SRC_HELP, HELP(reached_not_relieved_any))),
    AREA_GROUPS(QUINTILE, SLOT_QUINTILE),
    AREA_GROUPS(IDENTITY, SLOT_IDENTITY),
    AREA_GROUPS(AGE_BAND, SLOT_AGE_BAND),
    AREA_GROUPS(DECILE, SLOT_DECILE),
    AREA_GROUPS(FIFTH, SLOT_FIFTH),
    GROUP_RATE(A_NEED_BY_QUINTILE, SLOT_QUINTILE, GC_NEED),
    GROUP_RATE(A_NEED_BY_IDENTITY, SLOT_IDENTITY, GC_NEED),
    GROUP_RATE(A_NEED_BY_AGE_BAND, SLOT_AGE_BAND, GC_NEED),
    GROUP_RATE(A_NEED_BY_DECILE, SLOT_DECILE, GC_NEED),
    GROUP_RATE(A_NEED_BY_FIFTH, SLOT_FIFTH, GC_NEED),
};

/* The metrics computed in code (write_nbhd_rest, write_groups, write_area_rest). */
static const enum metric_id coded[] = {
    M_SERVICE_HOURS, M_SERVICE_QUEUE, M_CIVIC_CORE, M_WELLBEING_GINI, M_GROUPS_ALIVE, M_CRISIS_GROUPS_ALIVE,
    M_GROUP_CAPACITY,
    M_GROUP_BURNOUT, M_GRANT_INCOME, M_COMMUNITY_ASSETS, A_CONCENTRATION, A_THEIL_BETWEEN, A_THEIL_WITHIN,
    A_CIVIC_CORE,
};

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

static double ref_at(const ref *r, const double *const *source, size_t c)
{
    return source[r->src][r->at + c / r->per * r->step + c % r->per * r->inner];
}

/* The rows' values into f: neighbourhood b's cells, or the area's (b < 0). */
static void write_rows(const metric_row *rows, size_t n_rows, const double *const *source, int b,
                       metrics_frame *f)
{
    for (size_t k = 0; k < n_rows; k++) {
        const metric_row *r = &rows[k];
        size_t cells = (size_t)f->bd_size[metrics_table[r->metric].bd];
        float *out = f->values[r->metric] + (b < 0 ? 0 : (size_t)b * cells);
        for (size_t c = 0; c < cells; c++) {
            double num = ref_at(&r->num, source, c);
            out[c] = r->is_ratio ? ratio(num, ref_at(&r->den, source, c)) : (float)num;
        }
    }
}

int observe_metric_rows(int m)
{
    int n = 0;
    for (size_t k = 0; k < COUNT_OF(nbhd_rows); k++) n += nbhd_rows[k].metric == (enum metric_id)m;
    for (size_t k = 0; k < COUNT_OF(area_rows); k++) n += area_rows[k].metric == (enum metric_id)m;
    for (size_t k = 0; k < COUNT_OF(coded); k++) n += coded[k] == (enum metric_id)m;
    return n;
}

#define SET(m, b, n, k, v) f->values[m][(size_t)(b) * (size_t)(n) + (size_t)(k)] = (v)

static void write_groups(const world *w, const cw_params *p, int b, metrics_frame *f)
{
    float *alive = &f->values[M_GROUPS_ALIVE][(size_t)b * N_GROUP_KINDS];
    for (int k = 0; k < N_GROUP_KINDS; k++) alive[k] = 0.0f;
    double capacity = 0.0, burnout = 0.0, n_alive = 0.0, assets = 0.0, crisis_born = 0.0;
    for (uint32_t g = w->nbhd_group_first[b]; g < w->nbhd_group_first[b + 1]; g++) {
        if (!w->group_alive[g]) continue;
        alive[w->group_kind[g]] += 1.0f;
        n_alive += 1.0;
        capacity += w->group_volunteer_hours[g] + w->group_paid_hours[g];
        burnout += w->group_burnout[g];
        assets += w->group_owns_building[g];
        crisis_born += w->group_crisis_born[g];
    }
    SET(M_CRISIS_GROUPS_ALIVE, b, 1, 0, (float)crisis_born);
    SET(M_GROUP_CAPACITY, b, 1, 0, (float)capacity);
    SET(M_GROUP_BURNOUT, b, 1, 0, ratio(burnout, n_alive));
    SET(M_GRANT_INCOME, b, 1, 0, (float)funding_grant_per_resident(w, p, b));
    SET(M_COMMUNITY_ASSETS, b, 1, 0, (float)assets);
}

static void write_nbhd(const world *w, const cw_params *p, const observe_sums *o, const help_sums *h,
                       int b, metrics_frame *f)
{
    const double *source[N_SOURCES] = {
        [SRC_COUNT] = o->count, [SRC_SUM] = o->sum, [SRC_HELP] = (const double *)h,
        [SRC_GROUP] = (const double *)o->group};
    write_rows(nbhd_rows, COUNT_OF(nbhd_rows), source, b, f);
    for (int s = 0; s < N_SECTORS; s++) {
        SET(M_SERVICE_HOURS, b, N_SECTORS, s, w->service_staff_hours[(size_t)b * N_SECTORS + (size_t)s]);
        SET(M_SERVICE_QUEUE, b, N_SECTORS, s, w->service_queue[(size_t)b * N_SECTORS + (size_t)s]);
    }
    SET(M_CIVIC_CORE, b, 1, 0, (float)civic_core(o));
    SET(M_WELLBEING_GINI, b, 1, 0, (float)wellbeing_gini(o));
    write_groups(w, p, b, f);
}

/* The area's group tallies: its residents' groups (summed over
 * neighbourhoods), and each neighbourhood's residents, all of one decile
 * and fifth, added to those (a resident is in exactly one quintile). */
static void area_groups(const world *w, const observe_sums *nbhd, const observe_sums *area, group_tally *to)
{
    memset(to, 0, N_AREA_SLOTS * sizeof *to);
    memcpy(to, area->group, sizeof area->group);
    for (int b = 0; b < w->n_nbhd; b++) {
        group_tally all;
        memset(&all, 0, sizeof all);
        for (int q = 0; q < N_QUINTILES; q++) ADD_SUMS(&all, &nbhd[b].group[SLOT_QUINTILE + q]);
        int decile = w->decile[b] < 1 ? 1 : w->decile[b] > N_DECILES ? N_DECILES : w->decile[b];
        ADD_SUMS(&to[SLOT_DECILE + decile - 1], &all);
        ADD_SUMS(&to[SLOT_FIFTH + dims_fifth_of_decile(decile) - 1], &all);
    }
}

/* Area-wide metrics, from sums over neighbourhoods in index order. */
static void write_area(const world *w, const observe_scratch *s, const help_sums *help, metrics_frame *f)
{
    observe_sums area;
    help_sums area_help;
    group_tally groups[N_AREA_SLOTS];
    memset(&area, 0, sizeof area);
    memset(&area_help, 0, sizeof area_help);
    for (int b = 0; b < w->n_nbhd; b++) {
        ADD_SUMS(&area, &s->nbhd[b]);
        ADD_SUMS(&area_help, &help[b]);
    }
    area_groups(w, s->nbhd, &area, groups);
    const double *source[N_SOURCES] = {
        [SRC_COUNT] = area.count, [SRC_SUM] = area.sum, [SRC_HELP] = (const double *)&area_help,
        [SRC_GROUP] = (const double *)groups};
    write_rows(area_rows, COUNT_OF(area_rows), source, -1, f);
    f->values[A_CONCENTRATION][0] =
        (float)ineq_concentration_grouped(area_help.q_residents, area_help.q_y, N_QUINTILES);
    f->values[A_CIVIC_CORE][0] = (float)civic_core(&area);
    /* Theil: each neighbourhood's own index from its running sums */
    size_t nb = (size_t)w->n_nbhd;
    double *y = s->theil, *n = s->theil + nb, *t = s->theil + 2 * nb, between, inside;
    for (size_t b = 0; b < nb; b++) {
        y[b] = help[b].y;
        n[b] = s->nbhd[b].count[OC_RESIDENTS];
        t[b] = ineq_theil_from_sums(help[b].y, help[b].ylny, n[b]);
    }
    ineq_theil_decompose(y, n, nb, t, &between, &inside);
    f->values[A_THEIL_BETWEEN][0] = (float)between;
    f->values[A_THEIL_WITHIN][0] = (float)inside;
}

void observe_week(const world *w, const cw_params *p, uint32_t step, const help_sums *help,
                  observe_scratch *s, metrics_frame *f)
{
    long k0 = world_own_item_begin(w), k1 = world_own_item_end(w);
#pragma omp parallel for schedule(dynamic, 1)
    for (long k = k0; k < k1; k++) sum_slice(w, p, step, w->items[k], &s->item[k]);

    int b0 = world_own_nbhd_begin(w), b1 = world_own_nbhd_end(w);
#pragma omp parallel for schedule(static)
    for (int b = b0; b < b1; b++) {
        memset(&s->nbhd[b], 0, sizeof s->nbhd[b]);
        for (uint32_t k = w->nbhd_item_first[b]; k < w->nbhd_item_first[b + 1]; k++)
            ADD_SUMS(&s->nbhd[b], &s->item[k]);
        write_nbhd(w, p, &s->nbhd[b], &help[b], b, f);
    }
}

void observe_area(const world *w, const observe_scratch *s, const help_sums *help, metrics_frame *f)
{
    write_area(w, s, help, f);
}
