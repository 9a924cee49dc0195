/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * Random numbers: PCG32 (XSH-RR 64/32, O'Neill 2014) and keyed streams.
 *
 * No draw ever comes from a shared generator. A stream is derived from the
 * key (seed, entity kind, entity id, step, purpose) by hashing, so a draw
 * does not depend on thread scheduling, nothing is stored per agent, and two
 * runs with the same seed give each entity the same draws for the same
 * purpose (common random numbers).
 */
#ifndef CW_RNG_H
#define CW_RNG_H

#include <stdbool.h>
#include <stdint.h>

typedef struct rng {
    uint64_t state;
    uint64_t inc; /* odd: selects the stream */
} rng;

/* Entity kinds. Values are part of the key: never reorder, only append. */
enum rng_kind {
    RK_AREA = 1,
    RK_NEIGHBOURHOOD = 2,
    RK_HOUSEHOLD = 3,
    RK_RESIDENT = 4,
    RK_GROUP = 5,
    RK_SERVICE = 6,
};

/* Purposes. Values are part of the key: never reorder, only append. */
enum rng_purpose {
    RP_SETUP_DEPRIVATION = 1,
    RP_SETUP_SPACE = 2,
    RP_SETUP_HOUSEHOLDS = 3,
    RP_SETUP_RESIDENT = 4,
    RP_SETUP_TIES = 5,
    RP_SETUP_CROSS_TIES = 6,
    RP_SETUP_GROUPS = 7,
    RP_TRAIT_PROPENSITY = 8,
    RP_TRAIT_CONTACT_NEED = 9,
    RP_TRAIT_TRUST_THRESHOLD = 10,
    RP_KEY = 11,
    RP_OFFER = 12,
    RP_LIFE = 20,
    RP_LIFE_NEWCOMER = 21,
    RP_HELP = 30,
    RP_SOCIAL = 31,
    RP_GROUPS_FLOOD = 40,      /* which neighbourhoods a flood hits (step 0) */
    RP_GROUPS_DISSOLVE = 41,   /* a group at risk dissolves                  */
    RP_GROUPS_FORM = 42,       /* how many groups form, and their kinds      */
    RP_GROUPS_MUTUAL_AID = 43, /* mutual-aid groups formed in a crisis       */
    RP_GROUPS_BUSINESS = 44,   /* community businesses formed                */
    RP_GROUPS_FOUND = 45,      /* a new group's traits and founders          */
    RP_GROUPS_ASSET = 46,      /* asset transfer of a building               */
    RP_FUNDING_ROUND = 47,     /* competitive grant round winners            */
    RP_GROUPS_HIRE = 48,       /* who a community business hires             */
};

/* The reference generator (pcg32_srandom_r / pcg32_random_r). */
static inline uint32_t rng_u32(rng *g)
{
    uint64_t old = g->state;
    g->state = old * 6364136223846793005ULL + g->inc;
    uint32_t xorshifted = (uint32_t)(((old >> 18u) ^ old) >> 27u);
    uint32_t rot = (uint32_t)(old >> 59u);
    return (xorshifted >> rot) | (xorshifted << ((-rot) & 31u));
}

static inline void rng_seed(rng *g, uint64_t initstate, uint64_t initseq)
{
    g->state = 0u;
    g->inc = (initseq << 1u) | 1u;
    rng_u32(g);
    g->state += initstate;
    rng_u32(g);
}

/* SplitMix64's finaliser (Stafford's mix 13): a bijection on 64 bits. */
static inline uint64_t rng_mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* The part of a key that names the family of streams (seed, kind, purpose).
 * The functions below are inline so that, in a loop over entities, the
 * compiler computes this part once rather than per entity: the hashing is
 * a tenth of a week's work otherwise. */
static inline uint64_t rng_family(uint64_t seed, enum rng_kind kind, enum rng_purpose purpose)
{
    uint64_t h = rng_mix64(seed + 0x9e3779b97f4a7c15ULL);
    return rng_mix64(h ^ (((uint64_t)kind << 32) | (uint64_t)purpose));
}

/* The stream for a key. `step` is the simulation step (0 for set-up). */
static inline rng rng_stream(uint64_t seed, enum rng_kind kind, uint64_t id, uint32_t step,
                             enum rng_purpose purpose)
{
    uint64_t h = rng_mix64(rng_family(seed, kind, purpose) ^ id);
    h = rng_mix64(h ^ (uint64_t)step);
    rng g;
    rng_seed(&g, h, rng_mix64(h ^ 0xda942042e4dd58b5ULL));
    return g;
}

/* A fixed trait of an entity: a uniform on [0, 1) from a hash of the key,
 * without a generator (for values that never change, such as a resident's
 * volunteering propensity). */
static inline double rng_trait(uint64_t seed, enum rng_kind kind, uint64_t id, uint32_t salt,
                               enum rng_purpose purpose)
{
    uint64_t h = rng_mix64(rng_family(seed, kind, purpose) ^ id);
    h = rng_mix64(h ^ ((uint64_t)salt << 1 | 1u));
    return (double)(h >> 11) * 0x1p-53;
}

/* Uniform on [0, 1) with 32 random bits. */
static inline double rng_uniform(rng *g) { return rng_u32(g) * 0x1p-32; }

/* Unbiased integer in [0, bound) (bound > 0), the reference algorithm. */
uint32_t rng_bounded(rng *g, uint32_t bound);

static inline bool rng_bernoulli(rng *g, double p) { return rng_uniform(g) < p; }

double rng_normal(rng *g);                               /* N(0,1), Box-Muller */
double rng_lognormal(rng *g, double mu, double sigma);   /* exp(N(mu, sigma^2)) */
double rng_exponential(rng *g);                          /* mean 1 */
uint32_t rng_poisson(rng *g, double lambda);
uint32_t rng_binomial(rng *g, uint32_t n, double p);

#endif
