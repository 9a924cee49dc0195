/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * The names and words of the model's dimensions, from dims.def.
 */
#include "dims.h"

#include <stdio.h>

#define DIMS_NAME(id, name, ...) name,
#define DIMS_WORDS(id, name, words, ...) words,
const char *const sector_names[N_SECTORS] = {CW_SECTORS(DIMS_NAME)};
const char *const route_names[N_ROUTES] = {CW_ROUTES(DIMS_NAME)};
const char *const group_kind_names[N_GROUP_KINDS] = {CW_GROUP_KINDS(DIMS_NAME)};
const char *const age_band_names[N_AGE_BANDS] = {CW_AGE_BANDS(DIMS_NAME)};
const char *const quintile_names[N_QUINTILES] = {CW_QUINTILES(DIMS_NAME)};
const char *const funding_source_names[N_FUNDING_SOURCES] = {CW_FUNDING_SOURCES(DIMS_NAME)};
const char *const sector_words[N_SECTORS] = {CW_SECTORS(DIMS_WORDS)};
const char *const route_words[N_ROUTES] = {CW_ROUTES(DIMS_WORDS)};
const char *const group_kind_words[N_GROUP_KINDS] = {CW_GROUP_KINDS(DIMS_WORDS)};
#undef DIMS_NAME
#undef DIMS_WORDS

#define DIMS_FLAG_NAME(id, bit, name, words) [bit] = name,
const char *const social_flag_names[N_SOCIAL_FLAGS] = {CW_SOCIAL_FLAGS(DIMS_FLAG_NAME)};
#undef DIMS_FLAG_NAME

static size_t put(char *buf, size_t n, size_t at, const char *s)
{
    if (at < n) {
        int k = snprintf(buf + at, n - at, "%s", s);
        return at + (k > 0 ? (size_t)k : 0);
    }
    return at;
}

const char *dims_social_flags_doc(char *buf, size_t n)
{
    size_t at = 0;
    if (n) buf[0] = '\0';
#define DIMS_FLAG_DOC(id, bit, name, words)                                   \
    {                                                                         \
        char one[160];                                                        \
        snprintf(one, sizeof one, "%sbit %d %s (%s)", at ? ", " : "", bit, name, words); \
        at = put(buf, n, at, one);                                            \
    }
    CW_SOCIAL_FLAGS(DIMS_FLAG_DOC)
#undef DIMS_FLAG_DOC
    return buf;
}

const char *dims_mask_doc(char *buf, size_t n, const char *what, const char *const *names, int count)
{
    char one[160];
    snprintf(one, sizeof one, "Bit %s (", what);
    size_t at = put(buf, n, 0, one);
    for (int k = 0; k < count; k++) {
        snprintf(one, sizeof one, "%s%d %s", k ? ", " : "", k, names[k]);
        at = put(buf, n, at, one);
    }
    put(buf, n, at, ")");
    return buf;
}
