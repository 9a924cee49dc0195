/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * World storage: freeing, lookups, the work decomposition and invariants.
 */
#include "world.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The arrays of each entity: where the pointer lives, the element size and
 * how many per entity. One table drives allocation and release. */
typedef struct array_spec {
    void **ptr;
    size_t size, per;
    const char *name;
    bool strings; /* char *[]: each entry a string from mem_calloc */
    bool ghosted; /* residents' arrays read across ties: n_res + n_ghost */
    bool ids;     /* values are local resident indices                */
} array_spec;

#define SPEC(field, per) {(void **)&w->field, sizeof *w->field, per, #field, false, false, false}
#define SPEC_STRINGS(field, per) {(void **)&w->field, sizeof *w->field, per, #field, true, false, false}
#define SPEC_GHOSTED(field) {(void **)&w->field, sizeof *w->field, 1, #field, false, true, false}
#define SPEC_GHOSTED_IDS(field) {(void **)&w->field, sizeof *w->field, 1, #field, false, true, true}

static size_t resident_specs(world *w, array_spec *out)
{
    array_spec specs[] = {
        SPEC_GHOSTED(household),  SPEC(age, 1),          SPEC(identity, 1),
        SPEC(employed, 1),        SPEC(quintile, 1),     SPEC(arrived, 1),
        SPEC(income_base, 1),     SPEC(income, 1),       SPEC(health, 1),
        SPEC(need, N_SECTORS),    SPEC(spare_hours, 1),  SPEC(unrelieved_weeks, N_SECTORS),
        SPEC(unmet_mask, 1),      SPEC(ineffective_mask, 1), SPEC(ineffective_by, 1),
        SPEC(low_contact_weeks, 1), SPEC(social_flags, 1), SPEC(trust, 1),
        SPEC(trust_groups, 1),    SPEC(trust_home, 1),   SPEC(trust_groups_home, 1), SPEC(wellbeing, 1),    SPEC(volunteer_hours, 1), SPEC(volunteer_year, 1),
        SPEC(timebank_balance, 1), SPEC(membership, MAX_MEMBERSHIPS),
        SPEC(last_volunteered, 1), SPEC(last_helped, 1), SPEC_GHOSTED_IDS(give_to),
        SPEC_GHOSTED(give_hours), SPEC_GHOSTED(ask_severity), SPEC_GHOSTED(ask_sector),
        SPEC(helped_by, 1),       SPEC(income_term, 1),  SPEC(income_term_state, 1),
        SPEC(propensity_bound, 1), SPEC(business_post, 1),
    };
    memcpy(out, specs, sizeof specs);
    return sizeof specs / sizeof specs[0];
}

static size_t group_specs(world *w, array_spec *out)
{
    array_spec specs[] = {
        SPEC(group_kind, 1),         SPEC(group_alive, 1),        SPEC(group_owns_building, 1),
        SPEC(group_openness, 1),     SPEC(group_majority, 1),     SPEC(group_members, 1),
        SPEC(group_founded, 1),      SPEC(group_died, 1),         SPEC(group_volunteer_hours, 1),
        SPEC(group_paid_hours, 1),   SPEC(group_demand, 1),       SPEC(group_burnout, 1),
        SPEC(group_funding, 1),      SPEC(group_funding_end, 1),  SPEC(group_grant_per_week, 1),
        SPEC(group_crisis_born, 1),
    };
    memcpy(out, specs, sizeof specs);
    return sizeof specs / sizeof specs[0];
}

static size_t nbhd_specs(world *w, array_spec *out)
{
    array_spec specs[] = {
        SPEC(nbhd_la, 1),     SPEC(deprivation, 1),    SPEC(decile, 1),
        SPEC(space_quality, 1), SPEC(space_quality_base, 1), SPEC_STRINGS(nbhd_name, 1),    SPEC_STRINGS(nbhd_code, 1), SPEC(service_staff_hours, N_SECTORS),
        SPEC(service_queue, N_SECTORS), SPEC(service_escalated, N_SECTORS),
        SPEC(cdw_hours, 1),   SPEC(volunteer_support, 1), SPEC(flooded, 1),
        SPEC(business_income, 1), SPEC(escalate, N_SECTORS), SPEC(income_term_key, INCOME_TERM_KEYS),
        SPEC(propensity_key, PROPENSITY_KEYS),
    };
    memcpy(out, specs, sizeof specs);
    return sizeof specs / sizeof specs[0];
}

/* The arrays sized otherwise than per entity, with their element counts:
 * those whole on every process, then the ties, then the derived ones. */
static size_t whole_arrays(world *w, world_array *out)
{
    world_array arrays[] = {
        {"nbhd_first", (void **)&w->nbhd_first, sizeof *w->nbhd_first, (size_t)w->n_nbhd + 1, false, WE_OTHER, 0, false, false},
        {"la_name", (void **)&w->la_name, sizeof *w->la_name, (size_t)w->n_la, true, WE_OTHER, 0, false, false},
        {"la_code", (void **)&w->la_code, sizeof *w->la_code, (size_t)w->n_la, true, WE_OTHER, 0, false, false},
        {"nbhd_group_first", (void **)&w->nbhd_group_first, sizeof *w->nbhd_group_first,
         (size_t)w->n_nbhd + 1, false, WE_OTHER, 0, false, false},
    };
    memcpy(out, arrays, sizeof arrays);
    return sizeof arrays / sizeof arrays[0];
}

static size_t tie_arrays(world *w, world_array *out)
{
    world_array arrays[] = {
        {"tie_offset", (void **)&w->tie_offset, sizeof *w->tie_offset, (size_t)w->n_res + 1, false, WE_TIE_OFFSET, 1, false, false},
        {"tie_target", (void **)&w->tie_target, sizeof *w->tie_target, w->n_ties, false, WE_TIE, 1, true, false},
        {"tie_weight", (void **)&w->tie_weight, sizeof *w->tie_weight, w->n_ties, false, WE_TIE, 1, false, false},
    };
    memcpy(out, arrays, sizeof arrays);
    return sizeof arrays / sizeof arrays[0];
}

static size_t derived_arrays(world *w, world_array *out)
{
    world_array arrays[] = {
        {"items", (void **)&w->items, sizeof *w->items, w->n_items, false, WE_OTHER, 0, false, true},
        {"nbhd_item_first", (void **)&w->nbhd_item_first, sizeof *w->nbhd_item_first,
         (size_t)w->n_nbhd + 1, false, WE_OTHER, 0, false, true},
        {"ghost_gid", (void **)&w->ghost_gid, sizeof *w->ghost_gid, w->n_ghost, false, WE_OTHER, 0, false, true},
    };
    memcpy(out, arrays, sizeof arrays);
    return sizeof arrays / sizeof arrays[0];
}

#define MAX_SPECS 40

static cw_status alloc_specs(cw_mem *mem, const array_spec *specs, size_t n, size_t count, size_t ghosts)
{
    for (size_t k = 0; k < n; k++) {
        size_t c = (count + (specs[k].ghosted ? ghosts : 0)) * specs[k].per;
        *specs[k].ptr = mem_calloc(mem, c ? c : 1, specs[k].size);
        if (!*specs[k].ptr) return CW_ENOMEM;
    }
    return CW_OK;
}

static void free_specs(cw_mem *mem, const array_spec *specs, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        mem_free(mem, *specs[k].ptr);
        *specs[k].ptr = NULL;
    }
}

cw_status world_alloc_residents(world *w, cw_mem *mem)
{
    array_spec specs[MAX_SPECS];
    return alloc_specs(mem, specs, resident_specs(w, specs), w->n_res, w->n_ghost);
}

cw_status world_alloc_ghosts(world *w, cw_mem *mem, uint32_t n_ghost)
{
    array_spec specs[MAX_SPECS];
    size_t n = resident_specs(w, specs);
    size_t count = (size_t)w->n_res + n_ghost;
    for (size_t k = 0; k < n; k++) {
        if (!specs[k].ghosted) continue;
        void *p = mem_realloc(mem, *specs[k].ptr, count ? count : 1, specs[k].size);
        if (!p) return CW_ENOMEM;
        *specs[k].ptr = p;
        if (n_ghost > w->n_ghost) /* the new ghosts' entries: zero until first exchanged */
            memset((char *)p + ((size_t)w->n_res + w->n_ghost) * specs[k].size, 0,
                   (size_t)(n_ghost - w->n_ghost) * specs[k].size);
    }
    w->n_ghost = n_ghost;
    return CW_OK;
}

cw_status world_alloc_groups(world *w, cw_mem *mem)
{
    array_spec specs[MAX_SPECS];
    return alloc_specs(mem, specs, group_specs(w, specs), w->n_groups, 0);
}

cw_status world_alloc_neighbourhoods(world *w, cw_mem *mem)
{
    array_spec specs[MAX_SPECS];
    w->nbhd_first = mem_calloc(mem, (size_t)w->n_nbhd + 1, sizeof *w->nbhd_first);
    w->la_name = mem_calloc(mem, (size_t)w->n_la, sizeof *w->la_name);
    w->la_code = mem_calloc(mem, (size_t)w->n_la, sizeof *w->la_code);
    if (!w->nbhd_first || !w->la_name || !w->la_code) return CW_ENOMEM;
    return alloc_specs(mem, specs, nbhd_specs(w, specs), (size_t)w->n_nbhd, 0);
}

void world_free(world *w, cw_mem *mem)
{
    array_spec specs[MAX_SPECS];
    if (w->nbhd_name)
        for (int n = 0; n < w->n_nbhd; n++) mem_free(mem, w->nbhd_name[n]);
    if (w->nbhd_code)
        for (int n = 0; n < w->n_nbhd; n++) mem_free(mem, w->nbhd_code[n]);
    if (w->la_name)
        for (int l = 0; l < w->n_la; l++) mem_free(mem, w->la_name[l]);
    if (w->la_code)
        for (int l = 0; l < w->n_la; l++) mem_free(mem, w->la_code[l]);
    free_specs(mem, specs, resident_specs(w, specs));
    free_specs(mem, specs, group_specs(w, specs));
    free_specs(mem, specs, nbhd_specs(w, specs));
    size_t (*const others[])(world *, world_array *) = {whole_arrays, tie_arrays, derived_arrays};
    for (size_t t = 0; t < sizeof others / sizeof others[0]; t++) {
        world_array arrays[MAX_SPECS];
        size_t n = others[t](w, arrays);
        for (size_t k = 0; k < n; k++) mem_free(mem, *arrays[k].ptr);
    }
    *w = (world){0};
}

static size_t append_specs(world_array *out, size_t n, size_t cap, const array_spec *specs, size_t n_specs,
                           size_t count, enum world_entity entity)
{
    for (size_t k = 0; k < n_specs && n < cap; k++)
        out[n++] = (world_array){specs[k].name, specs[k].ptr, specs[k].size, count * specs[k].per,
                                 specs[k].strings, (uint8_t)entity, specs[k].per, specs[k].ids, false};
    return n;
}

static size_t append_arrays(world_array *out, size_t n, size_t cap, world *w,
                            size_t (*table)(world *, world_array *))
{
    world_array arrays[MAX_SPECS];
    size_t n_arrays = table(w, arrays);
    for (size_t k = 0; k < n_arrays && n < cap; k++) out[n++] = arrays[k];
    return n;
}

static int by_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Local index of global number g: held here, a ghost, or NO_RESIDENT. */
static uint32_t local_id(const world *w, uint32_t g)
{
    if (g == NO_RESIDENT) return g;
    if (g - w->res_base < w->n_res) return g - w->res_base;
    const uint32_t *at = w->n_ghost ? bsearch(&g, w->ghost_gid, w->n_ghost, sizeof g, by_u32) : NULL;
    return at ? w->n_res + (uint32_t)(at - w->ghost_gid) : NO_RESIDENT;
}

cw_status world_localise(world *w, cw_mem *mem)
{
    uint32_t n = w->n_res, base = w->res_base;
    if (base == 0 && n == world_residents_total(w)) return CW_OK; /* all held: ids are local */
    size_t m = 0;
    for (uint32_t k = 0; k < w->n_ties; k++) m += w->tie_target[k] - base >= n;
    uint32_t *far = mem_calloc(mem, m + 1, sizeof *far);
    if (!far) return CW_ENOMEM;
    m = 0;
    for (uint32_t k = 0; k < w->n_ties; k++)
        if (w->tie_target[k] - base >= n) far[m++] = w->tie_target[k];
    qsort(far, m, sizeof *far, by_u32);
    uint32_t n_ghost = 0;
    for (size_t k = 0; k < m; k++)
        if (n_ghost == 0 || far[k] != far[n_ghost - 1]) far[n_ghost++] = far[k];
    mem_free(mem, w->ghost_gid);
    w->ghost_gid = mem_realloc(mem, far, (size_t)n_ghost + 1, sizeof *far);
    if (!w->ghost_gid) {
        w->ghost_gid = far;
        return CW_ENOMEM;
    }
    cw_status st = world_alloc_ghosts(w, mem, n_ghost);
    if (st) return st;
    for (uint32_t k = 0; k < w->n_ties; k++) w->tie_target[k] = local_id(w, w->tie_target[k]);
    for (uint32_t i = 0; i < n; i++) w->give_to[i] = local_id(w, w->give_to[i]);
    return CW_OK;
}

size_t world_arrays(world *w, world_array *out, size_t cap)
{
    array_spec specs[MAX_SPECS];
    size_t n = 0;
    n = append_specs(out, n, cap, specs, nbhd_specs(w, specs), (size_t)w->n_nbhd, WE_NBHD);
    n = append_arrays(out, n, cap, w, whole_arrays);
    n = append_specs(out, n, cap, specs, group_specs(w, specs), w->n_groups, WE_GROUP);
    n = append_specs(out, n, cap, specs, resident_specs(w, specs), w->n_res, WE_RESIDENT);
    n = append_arrays(out, n, cap, w, tie_arrays);
    return append_arrays(out, n, cap, w, derived_arrays);
}

size_t world_scalars(world *w, world_scalar *out, size_t cap)
{
#define SCALAR(field) {#field, &w->field, sizeof w->field, false}
#define DERIVED(field) {#field, &w->field, sizeof w->field, true}
    world_scalar scalars[] = {
        SCALAR(n_nbhd), SCALAR(n_la),    SCALAR(n_res),   SCALAR(n_households),
        SCALAR(income_cut), SCALAR(n_ties), SCALAR(n_groups),
        DERIVED(n_items), DERIVED(res_base), DERIVED(n_ghost),
        DERIVED(own_nbhd_begin), DERIVED(own_nbhd_end),
    };
#undef SCALAR
#undef DERIVED
    size_t n = sizeof scalars / sizeof scalars[0];
    if (n > cap) n = cap;
    memcpy(out, scalars, n * sizeof *out);
    return n;
}

uint32_t world_nbhd_of(const world *w, uint32_t g)
{
    uint32_t lo = 0, hi = (uint32_t)w->n_nbhd; /* nbhd_first[lo] <= g < nbhd_first[hi] */
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (w->nbhd_first[mid] <= g) lo = mid;
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

/* Local slice [*first, *end) of neighbourhood b's residents; empty when
 * they are not held here. */
static void held_slice(const world *w, int b, uint32_t *first, uint32_t *end)
{
    uint32_t f = w->nbhd_first[b], e = w->nbhd_first[b + 1];
    if (f < w->res_base || e > w->res_base + w->n_res) f = e = w->res_base;
    *first = f - w->res_base;
    *end = e - w->res_base;
}

cw_status world_make_items(world *w, cw_mem *mem)
{
    uint32_t n = 0;
    for (int b = 0; b < w->n_nbhd; b++) {
        uint32_t first, end;
        held_slice(w, b, &first, &end);
        n += end == first ? 1 : (end - first + WORK_CHUNK - 1) / WORK_CHUNK;
    }
    w->items = mem_calloc(mem, n, sizeof *w->items);
    w->nbhd_item_first = mem_calloc(mem, (size_t)w->n_nbhd + 1, sizeof *w->nbhd_item_first);
    if (!w->items || !w->nbhd_item_first) return CW_ENOMEM;
    uint32_t k = 0;
    for (int b = 0; b < w->n_nbhd; b++) {
        uint32_t first, end;
        held_slice(w, b, &first, &end);
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

size_t world_setup_scratch_bytes(uint64_t n_res, const cw_params *p)
{
    double degree = p->ties_mean_degree + p->ties_cross_degree +
                    2.0 * (p->population_household_adults_mean - 1.0);
    return (size_t)ceil(12.0 * degree / 2.0 * (double)n_res);
}

size_t world_bytes_estimate(uint64_t n_res, int n_nbhd, const cw_params *p)
{
    /* resident arrays (resident_specs): the sum of their element sizes */
    double per_res = 0.0;
    {
        world probe = {0};
        array_spec specs[MAX_SPECS];
        size_t n = resident_specs(&probe, specs);
        for (size_t k = 0; k < n; k++) per_res += (double)(specs[k].size * specs[k].per);
    }
    /* CSR: offset + (target, weight) per directed entry; household ties add
     * about 2*(adults per household - 1) entries */
    double degree = p->ties_mean_degree + p->ties_cross_degree +
                    2.0 * (p->population_household_adults_mean - 1.0);
    per_res += 4 + 8.0 * degree;
    /* set-up scratch: the undirected edge list (12 bytes an edge) */
    per_res += 12.0 * degree / 2.0;
    double groups = (double)n_res / p->population_residents_per_group * 2.0 * 48.0 * p->groups_slot_factor;
    double nbhd = (double)n_nbhd * (64.0 + 4.0 * N_SECTORS);
    return (size_t)ceil(per_res * (double)n_res + groups + nbhd);
}

bool world_check(const world *w, int n_identity, char *err, size_t errlen)
{
    if (w->nbhd_first[0] != 0 || (uint64_t)w->res_base + w->n_res > w->nbhd_first[w->n_nbhd] ||
        (w->own_nbhd_end == 0 && (w->res_base != 0 || w->n_res != w->nbhd_first[w->n_nbhd]))) {
        snprintf(err, errlen, "neighbourhood slices do not cover the %u residents", w->n_res);
        return false;
    }
    for (uint32_t g = 0; g < w->n_ghost; g++)
        if ((g > 0 && w->ghost_gid[g] <= w->ghost_gid[g - 1]) ||
            (w->ghost_gid[g] >= w->res_base && w->ghost_gid[g] < w->res_base + w->n_res) ||
            w->ghost_gid[g] >= w->nbhd_first[w->n_nbhd]) {
            snprintf(err, errlen, "ghost %u (resident %u) is out of order or held here", g, w->ghost_gid[g]);
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
            if (w->tie_target[k] >= w->n_res + w->n_ghost || w->tie_target[k] == i) {
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
