/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * Edit distance for "did you mean" suggestions (parameter paths, CSV
 * columns, area names): one implementation for all of them.
 */
#ifndef CW_TEXTDIST_H
#define CW_TEXTDIST_H

#include <stddef.h>

/* Levenshtein distance of a and b, ASCII case folded when fold_case; a
 * string longer than max_len (at most 127) is "far": (size_t)-1. */
size_t text_edit_distance(const char *a, const char *b, size_t max_len, int fold_case);

#endif
