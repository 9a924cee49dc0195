/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
#include "observe.h"

#include <math.h>
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

static int within(uint16_t last, uint32_t step, uint32_t weeks)
{
    return last != NEVER && step >= last && step - last < weeks;
}

static int bin_of(double v, double max)
{
    int k = (int)(v / max * OBSERVE_BINS);
    return k < 0 ? 0 : k >= OBSERVE_BINS ? OBSERVE_BINS - 1 : k;
}

/* The whole-number tallies of a slice (counts of residents), kept as
 * integers and converted once per slice: the same doubles as adding 1.0 or
 * 0.0 per resident, since every partial sum is an exact integer, without a
 * conversion and a dependent double addition per tally and resident. */
typedef struct slice_counts {
    uint32_t residents, need_count[N_SECTORS], working_age, employed, poor;
    uint32_t q_residents[N_QUINTILES], q_need[N_QUINTILES], q_left_out[N_QUINTILES];
    uint32_t id_residents[MAX_IDENTITIES], id_need[MAX_IDENTITIES], id_left_out[MAX_IDENTITIES];
    uint32_t age_residents[N_AGE_BANDS], age_need[N_AGE_BANDS], age_left_out[N_AGE_BANDS];
    uint32_t left_out, newcomers, newcomers_left_out, isolated, lonely, trust_share, trust_groups_share;
    uint32_t volunteered_4w, volunteered_52w, helped_4w, over65, over65_care_unmet;
    uint32_t wellbeing_hist[OBSERVE_BINS], hours_hist[OBSERVE_BINS];
} slice_counts;

static void sum_resident(const world *w, const cw_params *p, uint32_t step, uint32_t i, observe_sums *o,
                         slice_counts *c)
{
    const float *need = &w->need[(size_t)i * N_SECTORS];
    const uint16_t *unrelieved = &w->unrelieved_weeks[(size_t)i * N_SECTORS];
    int any = 0, left_out = 0; /* left out: per sector, a severe need unrelieved for weeks */
    for (int s = 0; s < N_SECTORS; s++)
        if (need[s] > 0.0f) {
            c->need_count[s]++;
            o->need_severity[s] += need[s];
            any = 1;
            left_out |= need[s] >= p->out_left_out_severity && unrelieved[s] >= p->out_left_out_weeks;
        }
    int q = w->quintile[i], id = w->identity[i], band = world_age_band(w->age[i]);
    c->residents++;
    if (w->age[i] >= 16 && w->age[i] < 65) {
        c->working_age++;
        c->employed += w->employed[i];
    }
    c->poor += w->income[i] < p->life_poverty_line;
    o->health += w->health[i];
    o->spare_hours += w->spare_hours[i];
    c->q_residents[q]++, c->q_need[q] += any, c->q_left_out[q] += left_out;
    c->id_residents[id]++, c->id_need[id] += any, c->id_left_out[id] += left_out;
    c->age_residents[band]++, c->age_need[band] += any, c->age_left_out[band] += left_out;
    c->left_out += left_out;
    if (w->arrived[i] > 0) c->newcomers++, c->newcomers_left_out += left_out;
    c->isolated += (w->social_flags[i] & SF_ISOLATED) != 0;
    c->lonely += (w->social_flags[i] & SF_LONELY) != 0;
    o->trust += w->trust[i];
    c->trust_share += w->trust[i] >= 0.5f;
    c->trust_groups_share += w->trust_groups[i] >= 0.5f;
    c->volunteered_4w += within(w->last_volunteered[i], step, 4);
    c->volunteered_52w += within(w->last_volunteered[i], step, 52);
    c->helped_4w += within(w->last_helped[i], step, 4);
    if (w->age[i] >= 65) {
        c->over65++;
        c->over65_care_unmet += need[SECTOR_SOCIAL_CARE] > 0.0f && (w->unmet_mask[i] & (1u << SECTOR_SOCIAL_CARE));
    }
    o->wellbeing += w->wellbeing[i];
    c->wellbeing_hist[bin_of(w->wellbeing[i], 1.0)]++;
    if (w->volunteer_year[i] >= 1.0f) { /* gave at least an hour in about a year */
        int k = bin_of(w->volunteer_year[i], OBSERVE_MAX_HOURS * 52.0);
        c->hours_hist[k]++;
        o->hours_sum[k] += w->volunteer_year[i];
    }
}

static void put_counts(double *to, const uint32_t *from, size_t n)
{
    for (size_t k = 0; k < n; k++) to[k] = from[k];
}

/* A slice's counts into the count fields of its sums. */
static void store_counts(observe_sums *o, const slice_counts *c)
{
    o->residents = c->residents, o->working_age = c->working_age, o->employed = c->employed, o->poor = c->poor;
    put_counts(o->need_count, c->need_count, N_SECTORS);
    put_counts(o->q_residents, c->q_residents, N_QUINTILES);
    put_counts(o->q_need, c->q_need, N_QUINTILES);
    put_counts(o->q_left_out, c->q_left_out, N_QUINTILES);
    put_counts(o->id_residents, c->id_residents, MAX_IDENTITIES);
    put_counts(o->id_need, c->id_need, MAX_IDENTITIES);
    put_counts(o->id_left_out, c->id_left_out, MAX_IDENTITIES);
    put_counts(o->age_residents, c->age_residents, N_AGE_BANDS);
    put_counts(o->age_need, c->age_need, N_AGE_BANDS);
    put_counts(o->age_left_out, c->age_left_out, N_AGE_BANDS);
    o->left_out = c->left_out, o->newcomers = c->newcomers, o->newcomers_left_out = c->newcomers_left_out;
    o->isolated = c->isolated, o->lonely = c->lonely;
    o->trust_share = c->trust_share, o->trust_groups_share = c->trust_groups_share;
    o->volunteered_4w = c->volunteered_4w, o->volunteered_52w = c->volunteered_52w, o->helped_4w = c->helped_4w;
    o->over65 = c->over65, o->over65_care_unmet = c->over65_care_unmet;
    put_counts(o->wellbeing_hist, c->wellbeing_hist, OBSERVE_BINS);
    put_counts(o->hours_hist, c->hours_hist, OBSERVE_BINS);
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
    o->strong_ties = strong_ties(w, p, it);
}

/* a += b, field by field (the struct is all doubles). */
static void add_sums(observe_sums *a, const observe_sums *b)
{
    double *x = (double *)a;
    const double *y = (const double *)b;
    for (size_t k = 0; k < sizeof *a / sizeof(double); k++) x[k] += y[k];
}

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
    return ineq_gini_histogram(o->wellbeing_hist, mid, OBSERVE_BINS);
}

#define SET(m, b, n, k, v) f->values[m][(size_t)(b) * (size_t)(n) + (size_t)(k)] = (v)

static void write_groups(const world *w, const cw_params *p, int b, metrics_frame *f)
{
    float *alive = &f->values[M_GROUPS_ALIVE][(size_t)b * N_GROUP_KINDS];
    for (int k = 0; k < N_GROUP_KINDS; k++) alive[k] = 0.0f;
    double capacity = 0.0, burnout = 0.0, n_alive = 0.0, assets = 0.0;
    for (uint32_t g = w->nbhd_group_first[b]; g < w->nbhd_group_first[b + 1]; g++) {
        if (!w->group_alive[g]) continue;
        alive[w->group_kind[g]] += 1.0f;
        n_alive += 1.0;
        capacity += w->group_volunteer_hours[g] + w->group_paid_hours[g];
        burnout += w->group_burnout[g];
        assets += w->group_owns_building[g];
    }
    SET(M_GROUP_CAPACITY, b, 1, 0, (float)capacity);
    SET(M_GROUP_BURNOUT, b, 1, 0, ratio(burnout, n_alive));
    SET(M_GRANT_INCOME, b, 1, 0, (float)funding_grant_per_resident(w, p, b));
    SET(M_COMMUNITY_ASSETS, b, 1, 0, (float)assets);
}

static void write_nbhd(const world *w, const cw_params *p, const observe_sums *o, const help_sums *h,
                       int b, metrics_frame *f)
{
    int K = f->bd_size[BD_IDENTITY];
    double n = o->residents;
    SET(M_POPULATION, b, 1, 0, (float)n);
    for (int s = 0; s < N_SECTORS; s++) {
        SET(M_NEED_RATE, b, N_SECTORS, s, ratio(h->needing[s], n));
        SET(M_UNMET_NEED_RATE, b, N_SECTORS, s, ratio(h->unmet[s], n));
        SET(M_UNMET_SHORTFALL, b, N_SECTORS, s, ratio(h->shortfall[s], n));
        SET(M_UNMET_SHORTFALL_SQ, b, N_SECTORS, s, ratio(h->shortfall_sq[s], n));
        SET(M_NEED_SEVERITY, b, N_SECTORS, s, ratio(o->need_severity[s], o->need_count[s]));
        SET(M_SERVICE_HOURS, b, N_SECTORS, s, w->service_staff_hours[(size_t)b * N_SECTORS + (size_t)s]);
        SET(M_SERVICE_QUEUE, b, N_SECTORS, s, w->service_queue[(size_t)b * N_SECTORS + (size_t)s]);
    }
    for (int r = 0; r < N_ROUTES; r++) {
        SET(M_HELP_HOURS, b, N_ROUTES, r, ratio(h->hours[r], n));
        SET(M_REACHED_NOT_RELIEVED_BY_ROUTE, b, N_ROUTES, r, ratio(h->reached_not_relieved_route[r], n));
    }
    for (int s = 0; s < N_SECTORS; s++)
        SET(M_REACHED_NOT_RELIEVED, b, N_SECTORS, s, ratio(h->reached_not_relieved[s], n));
    SET(M_LEFT_OUT_RATE, b, 1, 0, ratio(o->left_out, n));
    SET(M_LEFT_OUT_NEWCOMERS, b, 1, 0, ratio(o->newcomers_left_out, o->newcomers));
    for (int q = 0; q < N_QUINTILES; q++) {
        SET(M_LEFT_OUT_BY_QUINTILE, b, N_QUINTILES, q, ratio(o->q_left_out[q], o->q_residents[q]));
        SET(M_NEED_RATE_BY_QUINTILE, b, N_QUINTILES, q, ratio(o->q_need[q], o->q_residents[q]));
    }
    for (int k = 0; k < K; k++) {
        SET(M_LEFT_OUT_BY_IDENTITY, b, K, k, ratio(o->id_left_out[k], o->id_residents[k]));
        SET(M_NEED_RATE_BY_IDENTITY, b, K, k, ratio(o->id_need[k], o->id_residents[k]));
    }
    for (int a = 0; a < N_AGE_BANDS; a++) {
        SET(M_LEFT_OUT_BY_AGE_BAND, b, N_AGE_BANDS, a, ratio(o->age_left_out[a], o->age_residents[a]));
        SET(M_NEED_RATE_BY_AGE_BAND, b, N_AGE_BANDS, a, ratio(o->age_need[a], o->age_residents[a]));
    }
    SET(M_ISOLATED_RATE, b, 1, 0, ratio(o->isolated, n));
    SET(M_LONELY_RATE, b, 1, 0, ratio(o->lonely, n));
    SET(M_TRUST_SERVICES, b, 1, 0, ratio(o->trust, n));
    SET(M_TRUST_SERVICES_SHARE, b, 1, 0, ratio(o->trust_share, n));
    SET(M_TRUST_GROUPS_SHARE, b, 1, 0, ratio(o->trust_groups_share, n));
    SET(M_FORMAL_VOLUNTEERING, b, 1, 0, ratio(o->volunteered_4w, n));
    SET(M_VOLUNTEERING_YEAR, b, 1, 0, ratio(o->volunteered_52w, n));
    SET(M_INFORMAL_HELP, b, 1, 0, ratio(o->helped_4w, n));
    SET(M_CIVIC_CORE, b, 1, 0, (float)observe_top_share(o->hours_hist, o->hours_sum, OBSERVE_BINS, 0.31, n));
    SET(M_CARE_UNMET_65, b, 1, 0, ratio(o->over65_care_unmet, o->over65));
    SET(M_WELLBEING_MEAN, b, 1, 0, ratio(o->wellbeing, n));
    SET(M_WELLBEING_GINI, b, 1, 0, (float)wellbeing_gini(o));
    SET(M_MEAN_TIE_DEGREE, b, 1, 0, ratio(o->strong_ties, n));
    SET(M_EMPLOYMENT_RATE, b, 1, 0, ratio(o->employed, o->working_age));
    SET(M_POVERTY_RATE, b, 1, 0, ratio(o->poor, n));
    SET(M_HEALTH_MEAN, b, 1, 0, ratio(o->health, n));
    SET(M_SPARE_HOURS_MEAN, b, 1, 0, ratio(o->spare_hours, n));
    write_groups(w, p, b, f);
}

/* Area-wide metrics, summed over neighbourhoods in index order. */
static void write_area(const world *w, const observe_scratch *s, const help_sums *help, metrics_frame *f)
{
    observe_sums area;
    memset(&area, 0, sizeof area);
    double q_n[N_QUINTILES] = {0}, q_y[N_QUINTILES] = {0}, needing[N_SECTORS] = {0}, reached_not_relieved = 0.0;
    for (int b = 0; b < w->n_nbhd; b++) {
        add_sums(&area, &s->nbhd[b]);
        for (int q = 0; q < N_QUINTILES; q++) q_n[q] += help[b].q_residents[q], q_y[q] += help[b].q_y[q];
        for (int k = 0; k < N_SECTORS; k++) needing[k] += help[b].needing[k];
        reached_not_relieved += help[b].reached_not_relieved_any;
    }
    f->values[A_REACHED_NOT_RELIEVED][0] = ratio(reached_not_relieved, area.residents);
    for (int k = 0; k < N_SECTORS; k++) f->values[A_NEED_RATE][k] = ratio(needing[k], area.residents);
    f->values[A_LEFT_OUT][0] = ratio(area.left_out, area.residents);
    f->values[A_CONCENTRATION][0] = (float)ineq_concentration_grouped(q_n, q_y, N_QUINTILES);
    f->values[A_CIVIC_CORE][0] =
        (float)observe_top_share(area.hours_hist, area.hours_sum, OBSERVE_BINS, 0.31, area.residents);
    /* Theil: each neighbourhood's own index from its running sums */
    size_t nb = (size_t)w->n_nbhd;
    double *y = s->theil, *n = s->theil + nb, *t = s->theil + 2 * nb, between, inside;
    for (size_t b = 0; b < nb; b++) {
        y[b] = help[b].y;
        n[b] = s->nbhd[b].residents;
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
            add_sums(&s->nbhd[b], &s->item[k]);
        write_nbhd(w, p, &s->nbhd[b], &help[b], b, f);
    }
}

void observe_area(const world *w, const observe_scratch *s, const help_sums *help, metrics_frame *f)
{
    write_area(w, s, help, f);
}
