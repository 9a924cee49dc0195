/*
 * World storage: freeing, lookups, the work decomposition and invariants.
 */
#include "world.h"

#include <math.h>
#include <stdio.h>

const char *const group_kind_names[N_GROUP_KINDS] = {
#define GK_NAME(id, name) name,
    GROUP_KIND_TABLE(GK_NAME)
#undef GK_NAME
};

void world_free(world *w, cw_mem *mem)
{
    if (w->nbhd_name)
        for (int n = 0; n < w->n_nbhd; n++) mem_free(mem, w->nbhd_name[n]);
    if (w->la_name)
        for (int l = 0; l < w->n_la; l++) mem_free(mem, w->la_name[l]);
    void *arrays[] = {w->nbhd_first, w->nbhd_la, w->deprivation, w->decile, w->space_quality,
                      w->nbhd_name, w->la_name, w->household, w->age, w->identity, w->employed,
                      w->quintile, w->arrived, w->income_base, w->income, w->health, w->need,
                      w->spare_hours, w->tie_offset, w->tie_target, w->tie_weight,
                      w->nbhd_group_first, w->group_kind, w->group_alive, w->group_owns_building,
                      w->group_openness, w->service_staff_hours, w->items, w->nbhd_item_first};
    for (size_t k = 0; k < sizeof arrays / sizeof arrays[0]; k++) mem_free(mem, arrays[k]);
    *w = (world){0};
}

uint32_t world_nbhd_of(const world *w, uint32_t i)
{
    uint32_t lo = 0, hi = (uint32_t)w->n_nbhd; /* nbhd_first[lo] <= i < nbhd_first[hi] */
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (w->nbhd_first[mid] <= i) lo = mid;
        else hi = mid;
    }
    return lo;
}

int world_income_quintile(const world *w, float income_base)
{
    int q = 0;
    while (q < N_QUINTILES - 1 && income_base >= w->income_cut[q]) q++;
    return q;
}

cw_status world_make_items(world *w, cw_mem *mem)
{
    uint32_t n = 0;
    for (int b = 0; b < w->n_nbhd; b++) {
        uint32_t size = w->nbhd_first[b + 1] - w->nbhd_first[b];
        n += size == 0 ? 1 : (size + WORK_CHUNK - 1) / WORK_CHUNK;
    }
    w->items = mem_calloc(mem, n, sizeof *w->items);
    w->nbhd_item_first = mem_calloc(mem, (size_t)w->n_nbhd + 1, sizeof *w->nbhd_item_first);
    if (!w->items || !w->nbhd_item_first) return CW_ENOMEM;
    uint32_t k = 0;
    for (int b = 0; b < w->n_nbhd; b++) {
        uint32_t first = w->nbhd_first[b], end = w->nbhd_first[b + 1];
        w->nbhd_item_first[b] = k;
        do {
            uint32_t stop = end - first > WORK_CHUNK ? first + WORK_CHUNK : end;
            w->items[k++] = (work_item){(uint32_t)b, first, stop};
            first = stop;
        } while (first < end);
    }
    w->nbhd_item_first[w->n_nbhd] = k;
    w->n_items = n;
    return CW_OK;
}

size_t world_bytes_estimate(uint64_t n_res, int n_nbhd, const cw_params *p)
{
    /* resident arrays: household, age, identity, employed, quintile, arrived,
     * income_base, income, health, need[6], spare_hours */
    double per_res = 4 + 1 + 1 + 1 + 1 + 2 + 4 + 4 + 4 + 4.0 * N_SECTORS + 4;
    /* CSR: offset + (target, weight) per directed entry; household ties add
     * about 2*(adults per household - 1) entries */
    double degree = p->ties_mean_degree + p->ties_cross_degree +
                    2.0 * (p->population_household_adults_mean - 1.0);
    per_res += 4 + 8.0 * degree;
    /* set-up scratch: the undirected edge list (12 bytes an edge) */
    per_res += 12.0 * degree / 2.0;
    double groups = (double)n_res / p->population_residents_per_group * 2.0 * 8.0;
    double nbhd = (double)n_nbhd * (64.0 + 4.0 * N_SECTORS);
    return (size_t)ceil(per_res * (double)n_res + groups + nbhd);
}

bool world_check(const world *w, int n_identity, char *err, size_t errlen)
{
    if (w->nbhd_first[0] != 0 || w->nbhd_first[w->n_nbhd] != w->n_res) {
        snprintf(err, errlen, "neighbourhood slices do not cover the %u residents", w->n_res);
        return false;
    }
    for (int b = 0; b < w->n_nbhd; b++)
        if (w->nbhd_first[b] > w->nbhd_first[b + 1]) {
            snprintf(err, errlen, "neighbourhood %d has a negative population", b);
            return false;
        }
    if (w->tie_offset[0] != 0 || w->tie_offset[w->n_res] != w->n_ties) {
        snprintf(err, errlen, "tie offsets do not span the %u tie entries", w->n_ties);
        return false;
    }
    for (uint32_t i = 0; i < w->n_res; i++) {
        for (uint32_t k = w->tie_offset[i]; k < w->tie_offset[i + 1]; k++) {
            if (w->tie_target[k] >= w->n_res || w->tie_target[k] == i) {
                snprintf(err, errlen, "resident %u has a tie to %u outside the graph", i,
                         w->tie_target[k]);
                return false;
            }
            if (!(w->tie_weight[k] >= 0.0f && w->tie_weight[k] <= 1.0f)) {
                snprintf(err, errlen, "tie weight %g of resident %u outside [0,1]",
                         (double)w->tie_weight[k], i);
                return false;
            }
        }
        if (w->identity[i] >= n_identity || !(w->health[i] >= 0.0f && w->health[i] <= 1.0f) ||
            !(w->spare_hours[i] >= 0.0f) || !(w->income[i] >= 0.0f)) {
            snprintf(err, errlen, "resident %u has a state outside its range", i);
            return false;
        }
        for (int s = 0; s < N_SECTORS; s++) {
            float v = w->need[(size_t)i * N_SECTORS + (size_t)s];
            if (!(v >= 0.0f && v <= 1.0f)) {
                snprintf(err, errlen, "resident %u has need severity %g outside [0,1]", i, (double)v);
                return false;
            }
        }
    }
    for (size_t k = 0; k < (size_t)w->n_nbhd * N_SECTORS; k++)
        if (!(w->service_staff_hours[k] >= 0.0f)) {
            snprintf(err, errlen, "service %zu has negative staff hours", k);
            return false;
        }
    return true;
}
