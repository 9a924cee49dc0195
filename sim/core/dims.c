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

/* One CF flag_meanings word: letters, digits and '_' only. */
static size_t put_word(char *buf, size_t n, size_t at, const char *prefix, const char *name)
{
    char one[160];
    snprintf(one, sizeof one, "%s%s%s%s", at ? " " : "", prefix, prefix[0] ? "_" : "", name);
    for (char *c = one + (at ? 1 : 0); *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '_'))
            *c = '_';
    return put(buf, n, at, one);
}

int dims_mask_flags(char *meanings, size_t n, uint8_t *masks, const char *prefix, const char *const *names,
                    int count)
{
    size_t at = 0;
    if (n) meanings[0] = '\0';
    for (int k = 0; k < count && k < 8; k++) {
        masks[k] = (uint8_t)(1u << k);
        at = put_word(meanings, n, at, prefix, names[k]);
    }
    return count < 8 ? count : 8;
}

int dims_social_flags_flags(char *meanings, size_t n, uint8_t *masks)
{
    size_t at = 0;
    int k = 0;
    if (n) meanings[0] = '\0';
#define DIMS_FLAG_CF(id, bit, name, words)                \
    masks[k++] = (uint8_t)(1u << (bit));                  \
    at = put_word(meanings, n, at, "", name);
    CW_SOCIAL_FLAGS(DIMS_FLAG_CF)
#undef DIMS_FLAG_CF
    return k;
}
