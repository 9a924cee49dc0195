/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * Branch-light minimum, maximum and clamp for the hot loops. The C library's
 * fmin/fmax honour NaN operands and so are calls rather than one
 * instruction; the model never produces a NaN (world_check in debug builds
 * checks its state each week), so these plain comparisons give the same
 * results, faster.
 */
#ifndef CW_MATHX_H
#define CW_MATHX_H

#include <math.h>

static inline double cw_max(double a, double b) { return a > b ? a : b; }
static inline double cw_min(double a, double b) { return a < b ? a : b; }
static inline double cw_clamp01(double x) { return x < 0.0 ? 0.0 : (x > 1.0 ? 1.0 : x); }

/* The least float at or above x (finite): for a float f, f >= it exactly
 * when (double)f >= x, so a hot loop can compare floats without
 * converting each to double. */
static inline float cw_float_at_or_above(double x)
{
    float f = (float)x;
    return f < x ? nextafterf(f, INFINITY) : f;
}

#endif
