/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * The world: every entity's state as structures of arrays indexed by dense
 * uint32 ids (MODEL.md s2, ARCHITECTURE.md "Data"). Residents are stored
 * contiguously by neighbourhood, so a neighbourhood is the slice
 * [nbhd_first[n], nbhd_first[n+1]). Ties are CSR. No pointers between agents.
 */
#ifndef CW_WORLD_H
#define CW_WORLD_H

#include <stdbool.h>
#include <stdint.h>

#include "alloc.h"
#include "metrics.h"
#include "params.h"


#define MAX_MEMBERSHIPS 4
#define NO_MEMBERSHIP 0xFFu      /* memberships[] entry with no group           */
#define MAX_GROUP_SLOTS 255      /* group slots per neighbourhood (u8 index)   */
#define NO_RESIDENT UINT32_MAX
#define NEVER 0xFFFFu            /* a u16 step that has not happened           */

/* What a resident's memoised income_term holds (life.c). */
enum { INCOME_TERM_UNKNOWN, INCOME_TERM_FULL, INCOME_TERM_OUT_OF_WORK };
#define INCOME_TERM_KEYS 4
#define PROPENSITY_KEYS 3

/* Sectors, routes, group kinds, age bands, quintiles, social flags and
 * funding sources: core/dims.def (via metrics.h). */
#define WORK_CHUNK 2048u /* residents per work item; never depends on threads */

/* A unit of parallel work: a slice of one neighbourhood's residents. */
typedef struct work_item {
    uint32_t nbhd, first, end;
} work_item;

typedef struct world {
    /* ---- neighbourhoods [n_nbhd] and local authorities [n_la] ---- */
    int n_nbhd, n_la;
    uint32_t *nbhd_first;    /* [n_nbhd+1] residents' slice                 */
    int32_t *nbhd_la;        /* LA index                                     */
    float *deprivation;      /* 0..1                                         */
    int32_t *decile;         /* 1 least .. 10 most deprived, by rank         */
    float *space_quality;    /* 0 grass verge .. 1 well-equipped hall        */
    float *space_quality_base; /* before any flood damage                    */
    char **nbhd_name;
    char **nbhd_code;        /* official code (e.g. LSOA), "" when none      */
    char **la_name;
    char **la_code;          /* [n_la] official code, "" when none            */

    /* ---- residents [n_res] ----
     * Residents are numbered globally in neighbourhood order (nbhd_first
     * holds global numbers). A process holds the residents [res_base,
     * res_base + n_res) at local indices 0..n_res-1: all of them (res_base
     * 0) except in a distributed run, where a rank holds its own
     * neighbourhoods' residents and, after them, n_ghost "ghosts": the
     * residents of other ranks its residents have ties to, in the arrays
     * that the phases read across a tie (the WORLD_GHOSTED ones below),
     * refreshed from their owners every week (sim/run/mpi_sim.c). Random
     * streams are keyed by global numbers (world_gid), so a resident draws
     * the same numbers on any rank. */
    uint32_t n_res;
    uint32_t res_base;
    uint32_t n_ghost;
    uint32_t n_households;
    uint32_t *household;     /* global household id (ghosted)                */
    uint8_t *age;            /* years                                        */
    uint8_t *identity;       /* 0 majority .. K-1                            */
    uint8_t *employed;       /* 0/1 (working age only)                        */
    uint8_t *quintile;       /* area income quintile 0..4, fixed on arrival  */
    uint16_t *arrived;       /* step of arrival (0: there at set-up)         */
    float *income_base;      /* GBP/week AHC when in work (household's)      */
    float *income;           /* GBP/week AHC this week                       */
    float *health;           /* 0..1                                         */
    float *need;             /* [n_res * N_SECTORS] severity 0..1            */
    float *spare_hours;      /* hours/week free to help                      */
    float income_cut[N_QUINTILES - 1]; /* quintile boundaries at set-up    */
    uint16_t *unrelieved_weeks; /* [n_res * N_SECTORS] consecutive weeks the
                                need in the sector has been active and not
                                relieved (outcome.c), 0 with no need       */
    uint8_t *unmet_mask;     /* bit s: need in sector s was not relieved     */
    uint8_t *ineffective_mask; /* bit s: ... though it got hours (reached,
                                  helped ineffectively)                      */
    uint8_t *ineffective_by; /* bit r: route r gave hours to such a need     */
    uint8_t *low_contact_weeks; /* consecutive weeks short of contact        */
    uint8_t *social_flags;   /* SF_* bits, set by the social phase           */
    float *trust;            /* trust in statutory services 0..1             */
    float *trust_groups;     /* trust in community groups 0..1               */
    float *trust_home;       /* the resident's own disposition: where trust  */
    float *trust_groups_home; /* in services / in groups drifts back to 0..1 */
    float *wellbeing;        /* 0..1                                         */
    float *volunteer_hours;  /* hours given to groups this week              */
    float *volunteer_year;   /* hours given over about a year (exponentially
                                weighted: x <- x*51/52 + this week's)         */
    float *timebank_balance; /* hours banked in a time bank                  */
    uint8_t *membership;     /* [n_res * MAX_MEMBERSHIPS] group slot within
                                the neighbourhood, or NO_MEMBERSHIP          */
    uint8_t *business_post;  /* 0, or 1 + the group slot within the
                                neighbourhood of the community business whose
                                post the resident holds                      */
    uint16_t *last_volunteered; /* step of last formal volunteering, NEVER   */
    uint16_t *last_helped;   /* step of last informal help given, NEVER     */
    /* The income factor of the need hazards, pow(poverty line / income,
     * income effect), memoised: income changes only on arrival, with
     * employment and with the business multiplier (life.c). */
    double *income_term;
    uint8_t *income_term_state; /* INCOME_TERM_*: what income_term is for   */
    /* A float at or above the resident's volunteering propensity (a fixed
     * trait, a pow to work out), 0 while not known: a week's draw at or
     * above it decides "no" without the pow (social.c). */
    float *propensity_bound;

    /* ---- weekly scratch of the help phases (rewritten every week) ---- */
    uint32_t *give_to;       /* the tie (local index) a resident helps this
                                week, NO_RESIDENT: none (ghosted)           */
    float *give_hours;       /* hours it gives them (ghosted)                */
    float *ask_severity;     /* severity of the need it asks ties about (ghosted) */
    uint8_t *ask_sector;     /* that need's sector, N_SECTORS: none (ghosted) */
    uint8_t *helped_by;      /* bit r: received help by route r this week    */

    /* ---- social ties, CSR over residents ---- */
    uint32_t *tie_offset;    /* [n_res+1]                                    */
    uint32_t *tie_target;    /* [n_ties] local index: < n_res a resident held
                                here, n_res + g ghost g                      */
    float *tie_weight;       /* [n_ties] 0..1                                */
    uint32_t n_ties;         /* directed entries (2 per undirected tie)      */

    /* ---- community groups: slots contiguous by neighbourhood ----
     * Neighbourhood b owns slots [nbhd_group_first[b], nbhd_group_first[b+1])
     * (at most MAX_GROUP_SLOTS); a slot holds a group while group_alive. A
     * slot freed in week t is reused no earlier than week t+1, after members
     * have dropped it in the social phase. */
    uint32_t n_groups;        /* slots                                        */
    uint32_t *nbhd_group_first; /* [n_nbhd+1]                                 */
    uint8_t *group_kind;
    uint8_t *group_alive;
    uint8_t *group_owns_building;
    float *group_openness;    /* 0..1                                         */
    uint8_t *group_majority;  /* identity most members share                  */
    uint16_t *group_members;
    uint16_t *group_founded;  /* step founded (0: at set-up)                  */
    uint16_t *group_died;     /* step the slot was freed, NEVER if alive/unused */
    float *group_volunteer_hours; /* members' hours given last week            */
    float *group_paid_hours;  /* hours/week paid from funding                 */
    float *group_demand;      /* hours asked of it this week                  */
    float *group_burnout;     /* 0..1                                         */
    uint8_t *group_funding;   /* enum funding_source                          */
    uint16_t *group_funding_end; /* step the funding stops                    */
    float *group_grant_per_week; /* GBP/week received                         */
    uint8_t *group_crisis_born; /* 1: a mutual-aid group formed in a crisis
                                  (lockdown or flood): it folds faster once
                                  the crisis is over (groups.c)             */

    /* ---- services: one team per sector per neighbourhood ---- */
    float *service_staff_hours; /* [n_nbhd * N_SECTORS] hours/week           */
    float *service_queue;     /* [n_nbhd * N_SECTORS] requests not served     */
    float *service_escalated; /* [n_nbhd * N_SECTORS] LA pool hours this week */

    /* ---- neighbourhood levers and state ---- */
    float *cdw_hours;         /* community-development worker hours/week      */
    float *volunteer_support; /* 0..1: funded volunteer support               */
    uint8_t *flooded;         /* 1 while a flood affects the neighbourhood    */
    float *business_income;   /* income uplift from community-business wages
                                 kept local: (multiplier - 1) x the wage bill
                                 over the residents' incomes (groups.c); the
                                 incomes are multiplied by 1 + this         */
    uint8_t *escalate;        /* [n_nbhd * N_SECTORS] problem found this week  */
    double *income_term_key;  /* [n_nbhd * INCOME_TERM_KEYS] the parameters
                                 the residents' income_term were computed with */
    uint64_t *propensity_key; /* [n_nbhd * PROPENSITY_KEYS] the seed and the
                                 parameters (their bits) the residents'
                                 propensity_bound were computed with         */

    /* ---- fixed parallel decomposition ---- */
    work_item *items;
    uint32_t n_items;
    uint32_t *nbhd_item_first; /* [n_nbhd+1]: a neighbourhood's items         */

    /* ---- the neighbourhoods this process steps (distributed runs) ----
     * [own_nbhd_begin, own_nbhd_end); own_nbhd_end 0 means all of them, as
     * in every run but an MPI one (sim/run/mpi_sim.c). Saved with the scalars,
     * but a resumed run starts from "all" until it is distributed again. */
    int own_nbhd_begin, own_nbhd_end;
    uint32_t *ghost_gid;     /* [n_ghost] global numbers of the ghosts, increasing */
} world;

/* The global number of resident i held here (i < n_res): the key of its
 * random streams. (A ghost's is ghost_gid[i - n_res].) */
static inline uint32_t world_gid(const world *w, uint32_t i) { return w->res_base + i; }

/* Local index of the first resident of neighbourhood b (one held here). */
static inline uint32_t world_first(const world *w, int b) { return w->nbhd_first[b] - w->res_base; }

/* Residents of neighbourhood b, and of the whole world, wherever held. */
static inline uint32_t world_nbhd_residents(const world *w, int b) { return w->nbhd_first[b + 1] - w->nbhd_first[b]; }
static inline uint32_t world_residents_total(const world *w) { return w->nbhd_first[w->n_nbhd]; }

/* The neighbourhoods and work items the weekly phases step here: all of
 * them, or in a distributed run this rank's contiguous share. */
static inline int world_own_nbhd_begin(const world *w) { return w->own_nbhd_end ? w->own_nbhd_begin : 0; }
static inline int world_own_nbhd_end(const world *w) { return w->own_nbhd_end ? w->own_nbhd_end : w->n_nbhd; }
static inline long world_own_item_begin(const world *w)
{
    return w->own_nbhd_end ? (long)w->nbhd_item_first[w->own_nbhd_begin] : 0;
}
static inline long world_own_item_end(const world *w)
{
    return w->own_nbhd_end ? (long)w->nbhd_item_first[w->own_nbhd_end] : (long)w->n_items;
}

/* Allocate (zeroed) every per-resident array for w->n_res residents (the
 * ghosted ones for n_res + n_ghost), every
 * per-slot group array for w->n_groups slots, and every per-neighbourhood
 * array for w->n_nbhd neighbourhoods and w->n_la LAs. CW_ENOMEM on failure
 * (what was allocated is released by world_free). */
cw_status world_alloc_residents(world *w, cw_mem *mem);
cw_status world_alloc_groups(world *w, cw_mem *mem);
cw_status world_alloc_neighbourhoods(world *w, cw_mem *mem);

/* Make room for n_ghost ghosts after the residents in the ghosted arrays,
 * and set w->n_ghost (ghost_gid is the caller's to fill). CW_ENOMEM. */
cw_status world_alloc_ghosts(world *w, cw_mem *mem, uint32_t n_ghost);

/* Resident ids in tie_target and give_to from global numbers (as built or
 * as saved) to local indices: the tie targets held elsewhere become the
 * ghosts (ghost_gid, sorted). In one process: nothing to change. */
cw_status world_localise(world *w, cw_mem *mem);

/* The global number of a local resident id (own or ghost), as saved;
 * NO_RESIDENT stays. */
static inline uint32_t world_global_id(const world *w, uint32_t id)
{
    if (id == NO_RESIDENT) return id;
    return id < w->n_res ? w->res_base + id : w->ghost_gid[id - w->n_res];
}

/* Release every array (fields may be NULL). */
void world_free(world *w, cw_mem *mem);

/* Every array of the world, as the checkpoint saves and restores it: its
 * field name, where its pointer lives, the element size and the element
 * count for the world's present sizes (n_res, n_groups, n_nbhd, n_ties, ...).
 * strings: a char *[count] whose entries are strings from mem_calloc. The
 * same tables drive allocation and world_free, so an array added to them is
 * saved too; tests/unit/test_checkpoint.c fails if the world holds memory
 * these tables do not describe. Returns the number written (at most cap). */
enum world_entity {
    WE_OTHER,      /* whole on every process                              */
    WE_RESIDENT,   /* per resident held here: count n_res x per           */
    WE_GROUP,      /* per group slot (every process holds all)            */
    WE_NBHD,       /* per neighbourhood (every process holds all)         */
    WE_TIE,        /* per tie entry of the residents held here            */
    WE_TIE_OFFSET  /* tie_offset: [n_res+1], a rank's rows from its 0     */
};
typedef struct world_array {
    const char *name;
    void **ptr;
    size_t size, count;
    bool strings;
    uint8_t entity;    /* enum world_entity: what one entry belongs to; a
                          distributed run gathers each rank's share by it */
    size_t per;        /* entries per entity (WE_OTHER: 0)                */
    bool ids;          /* uint32 local resident indices (give_to,
                          tie_target): saved as global numbers            */
    bool derived;      /* rebuilt from the rest, not saved (work items)   */
} world_array;
#define WORLD_MAX_ARRAYS 128
/* In the order a checkpoint holds them: what is whole on every process
 * (neighbourhoods, LAs, groups) before what is divided (residents, ties),
 * so a distributed resume can partition before it reads residents. */
size_t world_arrays(world *w, world_array *out, size_t cap);

/* The world's scalar fields (counts, the income quintile cuts). derived:
 * not saved (where this process's share begins, set when distributed). */
typedef struct world_scalar {
    const char *name;
    void *ptr;
    size_t size;
    bool derived;
} world_scalar;
#define WORLD_MAX_SCALARS 32
size_t world_scalars(world *w, world_scalar *out, size_t cap);

/* The neighbourhood of the resident with global number g (binary search
 * on nbhd_first). */
uint32_t world_nbhd_of(const world *w, uint32_t g);

/* Age band 0..4 of an age in years (16-29, 30-49, 50-64, 65-79, 80+). */
static inline int world_age_band(unsigned age)
{
    return dims_age_band(age);
}

/* Income quintile from the set-up boundaries. */
int world_income_quintile(const world *w, float income_base);

/* Build the work items: slices of at most WORK_CHUNK residents, in
 * neighbourhood order, and each neighbourhood's first item. Items hold
 * local indices; those of neighbourhoods not held here are empty. */
cw_status world_make_items(world *w, cw_mem *mem);

/* Bytes per resident that the resident arrays and ties take (estimate used
 * before allocating, to refuse populations that cannot fit). */
/* The part of world_bytes_estimate that the set-up frees again (the edge list). */
size_t world_setup_scratch_bytes(uint64_t n_res, const cw_params *p);
size_t world_bytes_estimate(uint64_t n_res, int n_nbhd, const cw_params *p);

/* Invariants (STYLE.md 9): slices add up, ties point inside the graph and
 * are symmetric in count, values in range. Returns false with a message. */
bool world_check(const world *w, int n_identity, char *err, size_t errlen);

#endif
