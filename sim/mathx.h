/*
 * Branch-light minimum, maximum and clamp for the hot loops. The C library's
 * fmin/fmax honour NaN operands and so are calls rather than one
 * instruction; the model never produces a NaN (world_check in debug builds
 * checks its state each week), so these plain comparisons give the same
 * results, faster.
 */
#ifndef CW_MATHX_H
#define CW_MATHX_H

static inline double cw_max(double a, double b) { return a > b ? a : b; }
static inline double cw_min(double a, double b) { return a < b ? a : b; }
static inline double cw_clamp01(double x) { return x < 0.0 ? 0.0 : (x > 1.0 ? 1.0 : x); }

#endif
