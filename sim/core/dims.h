/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * The model's dimensions, generated from dims.def: enums, counts, the names
 * written to files and the words people read.
 */
#ifndef CW_DIMS_H
#define CW_DIMS_H

#include <stddef.h>
#include <stdint.h>

#include "dims.def"

#define DIMS_ID(id, ...) id,
enum sector { CW_SECTORS(DIMS_ID) N_SECTORS };
enum route { CW_ROUTES(DIMS_ID) N_ROUTES };
enum group_kind { CW_GROUP_KINDS(DIMS_ID) N_GROUP_KINDS };
enum age_band { CW_AGE_BANDS(DIMS_ID) N_AGE_BANDS };
enum quintile { CW_QUINTILES(DIMS_ID) N_QUINTILES };
enum funding_source { CW_FUNDING_SOURCES(DIMS_ID) N_FUNDING_SOURCES };
#undef DIMS_ID

/* Social flags are bits: SF_ISOLATED, SF_LONELY are masks. */
#define DIMS_FLAG(id, bit, ...) id = 1u << (bit),
enum social_flag { CW_SOCIAL_FLAGS(DIMS_FLAG) };
#undef DIMS_FLAG
#define DIMS_COUNT(...) +1
enum { N_SOCIAL_FLAGS = 0 CW_SOCIAL_FLAGS(DIMS_COUNT) };
#undef DIMS_COUNT

/* Identity groups: 0 is the majority, 1..K-1 minorities (K is the parameter
 * population.identity_groups, at most MAX_IDENTITIES). */
#define IDENTITY_MAJORITY 0
#define MAX_IDENTITIES 8

/* Deprivation deciles of neighbourhoods (1 least .. 10 most deprived, by
 * rank) and fifths (deciles 1-2 are fifth 1, ..., 9-10 fifth 5). */
#define N_DECILES 10
#define N_FIFTHS 5
static inline int dims_fifth_of_decile(int decile) { return (decile + 1) / 2; }

/* Names in files. */
extern const char *const sector_names[N_SECTORS];
extern const char *const route_names[N_ROUTES];
extern const char *const group_kind_names[N_GROUP_KINDS];
extern const char *const age_band_names[N_AGE_BANDS];
extern const char *const quintile_names[N_QUINTILES];
extern const char *const funding_source_names[N_FUNDING_SOURCES];
extern const char *const social_flag_names[N_SOCIAL_FLAGS];

/* Words for people ("social care", "community groups"). */
extern const char *const sector_words[N_SECTORS];
extern const char *const route_words[N_ROUTES];
extern const char *const group_kind_words[N_GROUP_KINDS];

/* The lowest age of each band, and the band of an age. */
#define DIMS_LOWEST(id, name, words, lowest) lowest,
static const unsigned age_band_lowest[N_AGE_BANDS] = {CW_AGE_BANDS(DIMS_LOWEST)};
#undef DIMS_LOWEST
static inline int dims_age_band(unsigned age)
{
    int b = 0;
    while (b + 1 < N_AGE_BANDS && age >= age_band_lowest[b + 1]) b++;
    return b;
}

/* A description of a bit field for the file: "bit 0 isolated (...), bit 1
 * lonely (...)" for social_flags, "bit s: sector s (0 health, ...)" for a
 * per-sector or per-route mask. Writes at most n bytes; returns buf. */
const char *dims_social_flags_doc(char *buf, size_t n);
const char *dims_mask_doc(char *buf, size_t n, const char *what, const char *const *names, int count);

/* The CF-1.8 description of the same bit fields, for the attributes
 * flag_masks (masks[k] = 1 << bit, count of them returned) and flag_meanings
 * (blank-separated words: "PREFIX_NAME ..." with prefix, e.g. "unmet_health";
 * characters other than letters, digits and '_' become '_'). masks holds at
 * least count (N_SOCIAL_FLAGS) entries. */
int dims_mask_flags(char *meanings, size_t n, uint8_t *masks, const char *prefix, const char *const *names,
                    int count);
int dims_social_flags_flags(char *meanings, size_t n, uint8_t *masks);

#endif
