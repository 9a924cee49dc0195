/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/* Edit distance for suggestions (textdist.h). */
#include "textdist.h"

#include <string.h>

static char fold(char c, int fold_case)
{
    return fold_case && c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

size_t text_edit_distance(const char *a, const char *b, size_t max_len, int fold_case)
{
    size_t la = strlen(a), lb = strlen(b), row[128];
    if (max_len > 127) max_len = 127;
    if (la > max_len || lb > max_len) return (size_t)-1;
    for (size_t j = 0; j <= lb; j++) row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (fold(a[i - 1], fold_case) != fold(b[j - 1], fold_case));
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}
