/*
 * Commonweal: a parallel agent-based simulator of community resilience.
 *
 * The public API. Everything a program needs to load a scenario, build a
 * simulation, step it week by week and write its HDF5 output. All state lives
 * on the handles: two simulations can run side by side in one process.
 *
 * Conventions
 *  - Functions return a cw_status; CW_OK is zero. On failure the handle's
 *    message (cw_scenario_errmsg, cw_sim_errmsg) says what was wrong and where.
 *  - Nothing here prints, calls exit() or keeps global state.
 *  - Ownership is stated on each function.
 */
#ifndef COMMONWEAL_H
#define COMMONWEAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define CW_API __attribute__((visibility("default")))
#else
#define CW_API
#endif

/* ---- status codes: one X-macro table (name, message) ---------------------- */
#define CW_STATUS_TABLE(X)                                               \
    X(CW_OK, "success")                                                  \
    X(CW_ENOMEM, "out of memory")                                        \
    X(CW_EINVAL, "invalid input")                                        \
    X(CW_EIO, "input/output error")                                      \
    X(CW_ETOOBIG, "population too large for the memory limit")          \
    X(CW_EEXIST, "output file exists")                                   \
    X(CW_ESTATE, "operation not valid in the simulation's current state")

typedef enum cw_status {
#define CW_STATUS_ENUM(name, msg) name,
    CW_STATUS_TABLE(CW_STATUS_ENUM)
#undef CW_STATUS_ENUM
    CW_STATUS_COUNT
} cw_status;

/* The generic message for a status code (static storage). */
CW_API const char *cw_strstatus(cw_status st);

/* Program version ("git describe" at build time) and output schema version. */
CW_API const char *cw_version(void);
CW_API int cw_schema_version(void);

/* ---- scenarios --------------------------------------------------------------- */
typedef struct cw_scenario cw_scenario;

/* A scenario holding every parameter at its default and an empty timeline.
 * Returns NULL only when memory is exhausted. Free with cw_scenario_free. */
CW_API cw_scenario *cw_scenario_new(void);
CW_API void cw_scenario_free(cw_scenario *sc);

/* Read a YAML scenario file (following `base:` chains) into sc, replacing
 * what it held. On error, cw_scenario_errmsg gives "FILE:LINE:COLUMN: ...". */
CW_API cw_status cw_scenario_load(cw_scenario *sc, const char *path);

/* Apply one "path=value" override (the CLI's --set), range-checked. */
CW_API cw_status cw_scenario_set(cw_scenario *sc, const char *assignment);

/* The last error on sc (never NULL; "" when none). */
CW_API const char *cw_scenario_errmsg(const cw_scenario *sc);

/* Write the fully resolved scenario (every parameter, then the timeline)
 * as YAML that cw_scenario_load reads back to the same scenario. */
CW_API cw_status cw_scenario_write_yaml(const cw_scenario *sc, FILE *fp);

/* Check what only the whole scenario can check: timeline weeks inside the
 * run, consistent settings, and the neighbourhood CSV if one is named.
 * cw_sim_create runs the same checks. Message on sc. */
CW_API cw_status cw_scenario_check(cw_scenario *sc);

/* Residents and neighbourhoods the scenario will create, and the bytes the
 * simulation is estimated to need (what cw_sim_create checks against memory).
 * Reads the neighbourhood CSV if one is named. */
CW_API cw_status cw_scenario_size(cw_scenario *sc, uint64_t *residents, int *neighbourhoods,
                                  size_t *bytes);

/* The seed (run.seed) and its override. */
CW_API uint64_t cw_scenario_seed(const cw_scenario *sc);
CW_API void cw_scenario_set_seed(cw_scenario *sc, uint64_t seed);

/* Print the parameter reference as a Markdown table (commonweal params). */
CW_API void cw_params_print_markdown(FILE *fp);

/* ---- simulations ------------------------------------------------------------- */
typedef struct cw_sim cw_sim;

typedef struct cw_options {
    int threads;              /* OpenMP threads; 0 = the runtime's default       */
    size_t memory_limit;      /* bytes; 0 = this machine's physical memory        */
    uint64_t alloc_fail_at;   /* testing: fail the Nth allocation (0 = never)     */
} cw_options;

/* Build the population for a scenario (copied: sc may be freed afterwards).
 * On any failure *out is still set to a handle carrying the message (or NULL
 * if even that could not be allocated); free it with cw_sim_free. */
CW_API cw_status cw_sim_create(const cw_scenario *sc, const cw_options *opt, cw_sim **out);
CW_API void cw_sim_free(cw_sim *sim);
CW_API const char *cw_sim_errmsg(const cw_sim *sim);

/* Create OUT.partial (refusing an existing OUT unless force) and write the
 * set-up: dimensions, the neighbourhood table, the scenario attributes.
 * Each later cw_sim_step appends its week. */
CW_API cw_status cw_sim_open_output(cw_sim *sim, const char *path, int force);

/* Close the output. complete != 0 renames OUT.partial to OUT; otherwise
 * the partial file stays, readable up to the last completed week. */
CW_API cw_status cw_sim_close_output(cw_sim *sim, int complete);

/* Simulate one week (events, life, ..., observe) and append it to the output. */
CW_API cw_status cw_sim_step(cw_sim *sim);

/* Weeks simulated so far, and the total (burn-in + run). */
CW_API int cw_sim_weeks_done(const cw_sim *sim);
CW_API int cw_sim_weeks_total(const cw_sim *sim);
CW_API uint64_t cw_sim_residents(const cw_sim *sim);
CW_API int cw_sim_neighbourhoods(const cw_sim *sim);

/* Bytes held by the simulation (the counting allocator's figure) and peak. */
CW_API size_t cw_sim_bytes(const cw_sim *sim);
CW_API size_t cw_sim_bytes_peak(const cw_sim *sim);

/* Wall seconds spent in each phase so far; names[i] is static storage.
 * Returns the number of phases (at most max). */
CW_API int cw_sim_phase_timings(const cw_sim *sim, const char **names, double *seconds, int max);

/* Copy the latest week's value of a per-neighbourhood metric (by name) into
 * out[n_neighbourhoods * breakdown]; returns the count written or -1. For tests. */
CW_API long cw_sim_metric(const cw_sim *sim, const char *name, float *out, size_t cap);

/* ---- output files ---------------------------------------------------------- */
/* Summarise an output file (commonweal info): the scenario's provenance,
 * weeks written and whether the run completed, neighbourhoods, and each
 * metric with its dimensions and min/mean/max. On error, a message in err. */
CW_API cw_status cw_info(const char *path, FILE *fp, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif /* COMMONWEAL_H */
