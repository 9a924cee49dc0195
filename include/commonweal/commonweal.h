/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
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
 * what it held; path "-" reads standard input (relative paths in it are
 * relative to the working directory). On error, cw_scenario_errmsg gives
 * "FILE:LINE:COLUMN: ...". */
CW_API cw_status cw_scenario_load(cw_scenario *sc, const char *path);

/* Apply one "path=value" override (the CLI's --set), range-checked. */
CW_API cw_status cw_scenario_set(cw_scenario *sc, const char *assignment);

/* The last error on sc (never NULL; "" when none). */
CW_API const char *cw_scenario_errmsg(const cw_scenario *sc);

/* Write the fully resolved scenario (every parameter, then the timeline)
 * as YAML that cw_scenario_load reads back to the same scenario, after the
 * leading comment of the file it was loaded from (the question it asks). */
CW_API cw_status cw_scenario_write_yaml(const cw_scenario *sc, FILE *fp);

/* Write what each lever of the scenario costs, in GBP per resident per year,
 * and out of which budget (new money, or time and money taken from the
 * services' budgets), as '#' comment lines; the most each reaches on the
 * timeline (commonweal check). */
CW_API cw_status cw_scenario_write_costs(const cw_scenario *sc, FILE *fp);

/* Check what only the whole scenario can check: timeline weeks inside the
 * run, consistent settings, and the neighbourhood CSV if one is named.
 * cw_sim_create runs the same checks. Message on sc. */
CW_API cw_status cw_scenario_check(cw_scenario *sc);

/* Residents and neighbourhoods the scenario will create, and the bytes the
 * simulation is estimated to need (what cw_sim_create checks against memory).
 * Reads the neighbourhood CSV if one is named. */
CW_API cw_status cw_scenario_size(cw_scenario *sc, uint64_t *residents, int *neighbourhoods,
                                  size_t *bytes);

/* List the local authorities of the scenario's neighbourhood CSV whose name
 * or code contains pattern (case-insensitive; NULL or "" for all), with
 * their neighbourhoods, residents and mean deprivation (commonweal areas).
 * The whole table, before population.areas and population.scale. Message
 * on sc (CW_EINVAL: no CSV, a bad CSV, or nothing matches). */
CW_API cw_status cw_scenario_print_areas(cw_scenario *sc, const char *pattern, FILE *fp);

/* The seed (run.seed) and its override. */
CW_API uint64_t cw_scenario_seed(const cw_scenario *sc);
CW_API void cw_scenario_set_seed(cw_scenario *sc, uint64_t seed);

/* Print the parameter reference as a Markdown table (commonweal params). */
CW_API void cw_params_print_markdown(FILE *fp);
/* The same as a JSON array of objects: path, type, default, min, max, unit
 * (numbers), choices (choice), doc (commonweal params --json). */
CW_API void cw_params_print_json(FILE *fp);

/* The levers in plain words (sim/core/lever_text.def) as JSON: {"levers": [{path,
 * text, scale, choices, unit, default}]} (commonweal params --levers). */
CW_API void cw_params_print_levers_json(FILE *fp);

/* The shortest decimal text of v that reads back (strtod) to exactly v:
 * "0.8", not "0.80000000000000004". Returns buf. */
CW_API const char *cw_format_double(double v, char *buf, size_t n);

/* ---- simulations ------------------------------------------------------------- */
typedef struct cw_sim cw_sim;

typedef struct cw_options {
    int threads;              /* OpenMP threads; 0 = the runtime's default       */
    size_t memory_limit;      /* bytes; 0 = this machine's physical memory        */
    int force;                /* resume: overwrite an existing finished OUT        */
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

/* The CF `history` attribute of the output opened next: by convention the
 * time and the command line that made it (the CLI's). Copied; NULL clears. */
CW_API cw_status cw_sim_set_history(cw_sim *sim, const char *history);

/* Refuse, before anything is built, outputs that would destroy a file:
 * OUT, OUT.partial, CHECKPOINT (may be NULL) and CHECKPOINT.tmp must not be
 * an input of sc (the scenario, its base files, its CSV) nor each other,
 * nor an existing directory, device or FIFO, nor an existing file that is
 * not the kind commonweal writes there (by its signature); an existing OUT
 * or CHECKPOINT of that kind needs force (CW_EEXIST). Message in err. */
CW_API cw_status cw_check_outputs(const cw_scenario *sc, const char *out, const char *checkpoint,
                                  int force, char *err, size_t errlen);

/* Close the output. complete != 0 renames OUT.partial to OUT; otherwise
 * the partial file stays, readable up to the last completed week. */
CW_API cw_status cw_sim_close_output(cw_sim *sim, int complete);

/* Simulate one week (events, life, ..., observe) and append it to the output. */
CW_API cw_status cw_sim_step(cw_sim *sim);

/* Weeks simulated so far, and the total (burn-in + run). */
CW_API int cw_sim_weeks_done(const cw_sim *sim);
CW_API int cw_sim_weeks_total(const cw_sim *sim);
/* Residents and neighbourhoods of the whole run (every rank's, if distributed). */
CW_API uint64_t cw_sim_residents(const cw_sim *sim);
CW_API int cw_sim_neighbourhoods(const cw_sim *sim);

/* Bytes held by the simulation (the counting allocator's figure) and peak:
 * this process's (in a distributed run, this rank's share). */
CW_API size_t cw_sim_bytes(const cw_sim *sim);
CW_API size_t cw_sim_bytes_peak(const cw_sim *sim);

/* Wall seconds spent in each phase so far; names[i] is static storage.
 * Returns the number of phases (at most max). */
CW_API int cw_sim_phase_timings(const cw_sim *sim, const char **names, double *seconds, int max);

/* ---- metrics (sim/core/metrics.def; docs/OUTPUT.md "Metrics") ---------------------- */
typedef struct cw_metric_desc {
    const char *name;             /* the dataset's name in output files        */
    const char *long_name;        /* its definition                            */
    const char *breakdown;        /* breakdown dimension ("sector", ...; "" none) */
    int per_neighbourhood;        /* 1: [neighbourhood, breakdown?]; 0: area-wide */
    char units[32];               /* CF units (UDUNITS-2 syntax)               */
    int has_min, has_max;         /* valid range given                         */
    double valid_min, valid_max;
} cw_metric_desc;

/* The metrics every simulation computes each week, 0 .. cw_metric_count()-1
 * (strings are static storage). CW_EINVAL for an index out of range. */
CW_API int cw_metric_count(void);
CW_API cw_status cw_metric_describe(int index, cw_metric_desc *out);
/* The index of metric `name`, or -1. */
CW_API int cw_metric_find(const char *name);

/* The shape of metric `name` in this simulation: rows (neighbourhoods of this
 * process, 1 for an area-wide metric) x cols (the breakdown's size, 1 for none).
 * CW_EINVAL (message on sim) for an unknown name. */
CW_API cw_status cw_sim_metric_shape(cw_sim *sim, const char *name, size_t *rows, size_t *cols);

/* Copy the latest week's values of metric `name` into out[rows * cols]
 * (row-major, cw_sim_metric_shape's shape): returns the count written, or -1
 * for an unknown name, no week simulated yet, or cap too small. */
CW_API long cw_sim_metric(const cw_sim *sim, const char *name, float *out, size_t cap);

/* ---- checkpoints -------------------------------------------------------------- */
/* Write the whole state to path now, atomically (path.tmp, fsync, rename),
 * after flushing the output so that OUT.partial holds every week so far.
 * Call between weeks. The checkpoint records the program version, the
 * checkpoint format and the scenario; only the same version resumes it.
 * In a distributed run it is collective: every rank calls it, rank 0
 * writes the one file. */
CW_API cw_status cw_sim_checkpoint(cw_sim *sim, const char *path);

/* Checkpoint to path (copied) after every `every` weeks of the run (the
 * last week excepted: the finished output replaces it); every = 0 or path
 * = NULL stops. A failed checkpoint fails cw_sim_step with its message. */
CW_API cw_status cw_sim_set_checkpoint(cw_sim *sim, const char *path, int every);
CW_API int cw_sim_checkpoint_every(const cw_sim *sim);

/* Rebuild a simulation from a checkpoint, reopen its OUT.partial (cut back
 * to the checkpoint's week: weeks a killed run wrote after it are written
 * again) and keep checkpointing to path at the saved interval. Continuing
 * with cw_sim_step gives the datasets an uninterrupted run would have.
 * opt as for cw_sim_create. On failure *out carries the message (CW_EINVAL:
 * not a checkpoint, damaged, or another version's; CW_EIO: unreadable, or
 * its output cannot be reopened); free it with cw_sim_free. */
CW_API cw_status cw_sim_resume(const char *path, const cw_options *opt, cw_sim **out);

/* The final path of the open output (without .partial), or NULL. */
CW_API const char *cw_sim_output_path(const cw_sim *sim);

/* ---- output files ---------------------------------------------------------- */
/* Summarise an output file (commonweal info): the scenario's provenance,
 * weeks written and whether the run completed, neighbourhoods, and each
 * metric with its dimensions and min/mean/max. On error, a message in err. */
CW_API cw_status cw_info(const char *path, FILE *fp, char *err, size_t errlen);
/* The same as one JSON object (commonweal info --json): the root attributes,
 * weeks, neighbourhoods, and per metric its dimensions, shape, units and
 * min/mean/max over the run weeks written (null when none). */
CW_API cw_status cw_info_json(const char *path, FILE *fp, char *err, size_t errlen);

/* Write a run file's metrics as tidy CSV (commonweal export --csv): one row
 * per week, neighbourhood, breakdown group and metric, with the header
 * week,neighbourhood,group,metric,value. Area-wide metrics have neighbourhood
 * "area"; metrics without a breakdown have group "all". */
CW_API cw_status cw_export_csv(const char *path, FILE *fp, char *err, size_t errlen);

/* ---- sweeps (sim/input/sweep.c, sim/io/sweep_file.c, sim/run/sweep_record.c; docs/OUTPUT.md "Sweep files") ---- */
typedef struct cw_sweep cw_sweep;
typedef struct cw_sweep_file cw_sweep_file;
typedef struct cw_sweep_record cw_sweep_record;

/* Read a sweep file (YAML: base, vary, replicates, common_random_numbers,
 * method, ...) and build its design. sets[n_sets] are "path=value" overrides
 * applied to the base scenario (the CLI's --set). On error, *out is still set
 * (or NULL when memory ran out) and cw_sweep_errmsg says "FILE:LINE:COLUMN: ...".
 * Free with cw_sweep_free. */
CW_API cw_status cw_sweep_load(const char *path, const char *const *sets, int n_sets, cw_sweep **out);
CW_API void cw_sweep_free(cw_sweep *sw);
/* The CF `history` attribute of the sweep file (as cw_sim_set_history). */
CW_API cw_status cw_sweep_set_history(cw_sweep *sw, const char *history);
CW_API const char *cw_sweep_errmsg(const cw_sweep *sw);

/* Members (design points x replicates), design points, replicates. Member m
 * is point m / replicates, replicate m % replicates. */
CW_API int cw_sweep_members(const cw_sweep *sw);
CW_API int cw_sweep_points(const cw_sweep *sw);
CW_API int cw_sweep_replicates(const cw_sweep *sw);
/* Weeks each member simulates (burn-in + run; the same for every member). */
CW_API int cw_sweep_weeks(const cw_sweep *sw);

/* A new scenario for member m: the base with the point's values and the
 * member's seed. Safe to call from several threads at once. Free with
 * cw_scenario_free; on failure *out is NULL or carries the message. */
CW_API cw_status cw_sweep_member_scenario(const cw_sweep *sw, int member, cw_scenario **out);

/* Create OUT.partial for the sweep (refusing an existing OUT unless force),
 * or with resume reopen the OUT.partial of an interrupted run of the same
 * sweep. shape is a simulation of any member, created but not yet stepped:
 * it supplies the neighbourhood table and dimensions (unused with resume).
 * sw must outlive the file. Message on sw. */
CW_API cw_status cw_sweep_file_open(cw_sweep *sw, const char *path, int force, int resume,
                                    const cw_sim *shape, int threads, cw_sweep_file **out);
CW_API int cw_sweep_file_member_complete(const cw_sweep_file *f, int member);
CW_API int cw_sweep_file_members_complete(const cw_sweep_file *f);

/* Record a member's weeks: create from its simulation before the first step,
 * then call cw_sweep_record_week after every cw_sim_step. */
CW_API cw_status cw_sweep_record_new(const cw_sim *sim, cw_sweep_record **out);
CW_API void cw_sweep_record_week(cw_sweep_record *rec, const cw_sim *sim);
CW_API void cw_sweep_record_free(cw_sweep_record *rec);

/* Write a finished member into the file, mark it complete and flush: a
 * sweep cut short after this keeps it. Message on the sweep. */
CW_API cw_status cw_sweep_file_write(cw_sweep_file *f, int member, const cw_sweep_record *rec);

/* A finished record as one array of floats (metric by metric, in the
 * metrics table's order, each [week][neighbourhood?][breakdown?]), to send
 * to the process that writes the file (distributed sweeps, docs/MPI.md):
 * cw_sweep_record_floats says how many (0 unless every week is recorded);
 * cw_sweep_file_write_packed writes such an array as cw_sweep_file_write
 * writes a record, refusing one of the wrong length. */
CW_API size_t cw_sweep_record_floats(const cw_sweep_record *rec);
CW_API void cw_sweep_record_pack(const cw_sweep_record *rec, float *out);
CW_API cw_status cw_sweep_file_write_packed(cw_sweep_file *f, int member, const float *buf, size_t n);

/* Close; when every member is complete the file is marked complete and
 * renamed from OUT.partial to OUT. Frees f. Message on the sweep. */
CW_API cw_status cw_sweep_file_close(cw_sweep_file *f, double wall_seconds);

/* ---- paired comparisons (sim/io/compare.c) -------------------------------------- */

/* Student's t quantile: the p-quantile (0 < p < 1) of t with df > 0 degrees
 * of freedom. */
CW_API double cw_t_quantile(double p, double df);

typedef enum cw_compare_by {
    CW_BY_NONE, CW_BY_QUINTILE, CW_BY_IDENTITY, CW_BY_DECILE, CW_BY_AGE_BAND,
    CW_BY_FIFTH /* neighbourhood deprivation fifth: deciles 1-2 ... 9-10 */
} cw_compare_by;

typedef struct cw_compare_options {
    const char *const *metrics;   /* names; NULL/0: a default set             */
    int n_metrics;
    cw_compare_by by;
    int has_weeks;                /* else: every week not flagged burn_in     */
    int week_from, week_to;       /* reported weeks, inclusive; <= -1000000 and
                                     >= 1000000 mean the file's first and last */
    const char *baseline;         /* within one sweep: "path=value[,path=value]" */
    int force;                    /* compare even if non-lever parameters differ */
} cw_compare_options;

/* One line of a comparison: a metric in one breakdown cell, for one policy. */
typedef struct cw_compare_row {
    char policy[256];             /* the policy design point ("" for files)   */
    char baseline[256];           /* the baseline design point it is paired with ("" for files) */
    char metric[64];
    char unit[32];                /* the metric's unit ("fraction": a share of residents) */
    char group[64];               /* breakdown cell ("all" when none; "all residents": the
                                     whole population, first of each --by metric) */
    double baseline_mean, policy_mean;
    double difference, ci_low, ci_high; /* paired mean difference, 95% CI (NaN when n < 2) */
    int n;                        /* pairs                                    */
    int paired_by_seed;           /* 1: pairs share seeds (common random numbers) */
} cw_compare_row;

typedef struct cw_comparison {
    cw_compare_row *rows;
    int n_rows;
    int week_from, week_to;       /* the weeks averaged                       */
    char notes[2048];             /* what differs (levers), pairing notes     */
} cw_comparison;

/* Compare BASE and POLICY (run or sweep files), or, with policy == NULL and
 * opt->baseline, the design points of one sweep file against its baseline
 * points. On error the message is in err and the status is CW_EINVAL for
 * files that cannot be compared (non-lever differences without force, bad
 * metric or weeks), CW_EIO for unreadable files. Free with cw_comparison_free. */
CW_API cw_status cw_compare(const char *base, const char *policy, const cw_compare_options *opt,
                            cw_comparison *out, char *err, size_t errlen);
CW_API void cw_comparison_free(cw_comparison *c);

/* The same from replicate run files: paths[0] is a baseline run; every file
 * whose scenario differs from it only in run.seed is a baseline replicate, the
 * others must be replicates of one policy. Two paths: as cw_compare. */
CW_API cw_status cw_compare_runs(const char *const *paths, int n, const cw_compare_options *opt,
                                 cw_comparison *out, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif /* COMMONWEAL_H */
