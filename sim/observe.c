#include "observe.h"

#include <string.h>

cw_status observe_scratch_init(observe_scratch *s, cw_mem *mem, const world *w)
{
    s->item = mem_calloc(mem, w->n_items, sizeof *s->item);
    s->nbhd = mem_calloc(mem, (size_t)w->n_nbhd, sizeof *s->nbhd);
    if (!s->item || !s->nbhd) return CW_ENOMEM;
    return CW_OK;
}

void observe_scratch_free(observe_scratch *s, cw_mem *mem)
{
    mem_free(mem, s->item);
    mem_free(mem, s->nbhd);
    s->item = s->nbhd = NULL;
}

static void sum_slice(const world *w, const cw_params *p, work_item it, observe_sums *o)
{
    memset(o, 0, sizeof *o);
    for (uint32_t i = it.first; i < it.end; i++) {
        const float *need = &w->need[(size_t)i * N_SECTORS];
        int any = 0;
        for (int s = 0; s < N_SECTORS; s++)
            if (need[s] > 0.0f) {
                o->need_count[s] += 1.0;
                o->need_severity[s] += need[s];
                any = 1;
            }
        o->residents += 1.0;
        if (w->age[i] >= 16 && w->age[i] < 65) {
            o->working_age += 1.0;
            o->employed += w->employed[i];
        }
        o->poor += w->income[i] < p->life_poverty_line;
        o->health += w->health[i];
        o->spare_hours += w->spare_hours[i];
        o->q_residents[w->quintile[i]] += 1.0;
        o->q_need[w->quintile[i]] += any;
        o->id_residents[w->identity[i]] += 1.0;
        o->id_need[w->identity[i]] += any;
        int band = world_age_band(w->age[i]);
        o->age_residents[band] += 1.0;
        o->age_need[band] += any;
    }
}

/* a += b, field by field (the struct is all doubles). */
static void add_sums(observe_sums *a, const observe_sums *b)
{
    double *x = (double *)a;
    const double *y = (const double *)b;
    for (size_t k = 0; k < sizeof *a / sizeof(double); k++) x[k] += y[k];
}

static float ratio(double num, double den) { return den > 0.0 ? (float)(num / den) : 0.0f; }

static void write_nbhd(const world *w, const observe_sums *o, int b, metrics_frame *f)
{
    int K = f->bd_size[BD_IDENTITY];
    f->values[M_POPULATION][b] = (float)o->residents;
    for (int s = 0; s < N_SECTORS; s++) {
        f->values[M_NEED_RATE][b * N_SECTORS + s] = ratio(o->need_count[s], o->residents);
        f->values[M_NEED_SEVERITY][b * N_SECTORS + s] = ratio(o->need_severity[s], o->need_count[s]);
        f->values[M_SERVICE_HOURS][b * N_SECTORS + s] = w->service_staff_hours[b * N_SECTORS + s];
    }
    f->values[M_EMPLOYMENT_RATE][b] = ratio(o->employed, o->working_age);
    f->values[M_POVERTY_RATE][b] = ratio(o->poor, o->residents);
    f->values[M_HEALTH_MEAN][b] = ratio(o->health, o->residents);
    f->values[M_SPARE_HOURS_MEAN][b] = ratio(o->spare_hours, o->residents);
    for (int q = 0; q < N_QUINTILES; q++)
        f->values[M_NEED_RATE_BY_QUINTILE][b * N_QUINTILES + q] = ratio(o->q_need[q], o->q_residents[q]);
    for (int k = 0; k < K; k++)
        f->values[M_NEED_RATE_BY_IDENTITY][b * K + k] = ratio(o->id_need[k], o->id_residents[k]);
    for (int a = 0; a < N_AGE_BANDS; a++)
        f->values[M_NEED_RATE_BY_AGE_BAND][b * N_AGE_BANDS + a] = ratio(o->age_need[a], o->age_residents[a]);
    float *alive = &f->values[M_GROUPS_ALIVE][b * N_GROUP_KINDS];
    for (int k = 0; k < N_GROUP_KINDS; k++) alive[k] = 0.0f;
    for (uint32_t g = w->nbhd_group_first[b]; g < w->nbhd_group_first[b + 1]; g++)
        alive[w->group_kind[g]] += w->group_alive[g];
}

void observe_week(const world *w, const cw_params *p, observe_scratch *s, metrics_frame *f)
{
    long n_items = (long)w->n_items;
#pragma omp parallel for schedule(dynamic, 1)
    for (long k = 0; k < n_items; k++) sum_slice(w, p, w->items[k], &s->item[k]);

    int nb = w->n_nbhd;
#pragma omp parallel for schedule(static)
    for (int b = 0; b < nb; b++) {
        memset(&s->nbhd[b], 0, sizeof s->nbhd[b]);
        for (uint32_t k = w->nbhd_item_first[b]; k < w->nbhd_item_first[b + 1]; k++)
            add_sums(&s->nbhd[b], &s->item[k]);
        write_nbhd(w, &s->nbhd[b], b, f);
    }

    observe_sums area;
    memset(&area, 0, sizeof area);
    for (int b = 0; b < nb; b++) add_sums(&area, &s->nbhd[b]);
    for (int sct = 0; sct < N_SECTORS; sct++)
        f->values[A_NEED_RATE][sct] = ratio(area.need_count[sct], area.residents);
}
