/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * commonweal: the command-line program.
 *
 *   commonweal run SCENARIO [-o OUT.h5] [--seed N] [--threads N] [--set k=v]...
 *   commonweal check SCENARIO [--set k=v]...
 *   commonweal params
 *   commonweal info OUT.h5
 *   commonweal areas [PATTERN] [--scenario SCENARIO]
 *   commonweal resume CHECKPOINT [--threads N]
 *
 * Exit status: 0 success, 1 runtime failure, 2 bad input (usage, scenario).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h" /* sweep, compare */
#include "util.h"
#include "commonweal/commonweal.h"

enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_INPUT = 2 };

static const char usage_main[] =
    "Usage: commonweal COMMAND [OPTIONS]\n"
    "\n"
    "Simulate residents, community groups and public services in neighbourhoods\n"
    "under funding cuts, inequality and crises, and write an HDF5 file of who is\n"
    "left out.\n"
    "\n"
    "Commands:\n"
    "  run SCENARIO      simulate a scenario and write its output file\n"
    "  check SCENARIO    validate a scenario and print every resolved parameter\n"
    "  params            print the parameter reference (Markdown table; --json)\n"
    "  metrics           list the metrics of the output files (--json)\n"
    "  info FILE.h5      summarise an output file (--json)\n"
    "  export FILE.h5    write a run file as tidy CSV (--csv)\n"
    "  areas [PATTERN]   list the local authorities a scenario can choose (population.areas)\n"
    "  sweep SWEEP.yaml  run a sweep's members in parallel into one file\n"
    "  compare A.h5 B.h5 paired differences with 95% CIs (or SWEEP.h5 --baseline)\n"
    "  resume CHECKPOINT continue a run from its checkpoint (run --checkpoint-every)\n"
    "\n"
    "Options:\n"
    "  -h, --help        this help (also: commonweal COMMAND --help)\n"
    "  -V, --version     program version\n"
    "\n"
    "Exit status: 0 success, 1 runtime failure, 2 bad input.\n";

static const char usage_run[] =
    "Usage: commonweal run SCENARIO [OPTIONS]\n"
    "\n"
    "Simulate SCENARIO (YAML) and write OUT (HDF5, netCDF-4 readable). The file is\n"
    "written as OUT.partial and renamed when the run completes; Ctrl-C stops after\n"
    "the current week and leaves a readable OUT.partial.\n"
    "\n"
    "Options:\n"
    "  -o, --output OUT     output file (default: the scenario's name with .h5, here)\n"
    "  -s, --seed N         override run.seed\n"
    "  -t, --threads N      OpenMP threads (default: all cores); results do not depend on it\n"
    "      --set PATH=VALUE override a parameter (repeatable), e.g. --set run.weeks=104\n"
    "  -f, --force          overwrite an existing output file (only one commonweal wrote)\n"
    "  -q, --quiet          no progress and no summary\n"
    "      --timings        print the time spent in each phase\n"
    "      --checkpoint-every W  save the whole state every W weeks (see resume)\n"
    "      --checkpoint PATH     where (default: OUT.ckpt; removed when the run completes)\n"
    "  -h, --help           this help\n";

static const char usage_resume[] =
    "Usage: commonweal resume CHECKPOINT [OPTIONS]\n"
    "\n"
    "Continue a run from the checkpoint that run --checkpoint-every wrote: reopen its\n"
    "OUT.partial (weeks written after the checkpoint are written again), run the\n"
    "remaining weeks, checkpointing as before, and rename it to OUT when complete.\n"
    "The finished file's datasets are those an uninterrupted run writes.\n"
    "\n"
    "Options:\n"
    "  -t, --threads N      OpenMP threads (default: all cores); results do not depend on it\n"
    "  -f, --force          overwrite OUT if a finished one exists\n"
    "  -q, --quiet          no progress and no summary\n"
    "      --timings        print the time spent in each phase\n"
    "  -h, --help           this help\n";

static const char usage_check[] =
    "Usage: commonweal check SCENARIO [--set PATH=VALUE]...\n"
    "\n"
    "Validate SCENARIO (and its base files and neighbourhood CSV) without running it.\n"
    "Prints the size of the population, each lever's cost in GBP per resident per year\n"
    "and the budget it comes from (as # comments), and the fully resolved scenario as YAML.\n"
    "Errors are reported as FILE:LINE:COLUMN: message, with exit status 2.\n";

static const char usage_params[] =
    "Usage: commonweal params [--json | --levers]\n"
    "\n"
    "Print every parameter: its YAML path, type, default, range, unit and meaning\n"
    "with its source, as a Markdown table (--json: a JSON array).\n"
    "  --levers   the levers in plain words (sim/core/lever_text.def), as JSON\n";

static const char usage_info[] =
    "Usage: commonweal info FILE.h5 [--json]\n"
    "\n"
    "Summarise an output file: provenance, weeks, neighbourhoods, and each metric\n"
    "with its dimensions and min/mean/max (--json: one JSON object).\n";

#ifndef CW_ENGLAND_SCENARIO
#define CW_ENGLAND_SCENARIO "scenarios/england.yaml"
#endif

static const char usage_areas[] =
    "Usage: commonweal areas [PATTERN] [--scenario SCENARIO]\n"
    "\n"
    "List the local authorities of a neighbourhood table whose name or code contains\n"
    "PATTERN (case-insensitive; every one without it), with their neighbourhoods,\n"
    "residents (adults 16+) and mean deprivation (0 least .. 1 most deprived): the\n"
    "names and codes that population.areas accepts (it also takes neighbourhood codes).\n"
    "The table is SCENARIO's population.neighbourhoods_csv, read as its\n"
    "population.deprivation_from says; the default scenario is\n"
    "  " CW_ENGLAND_SCENARIO "\n"
    "England's 32,844 LSOAs from the English Indices of Deprivation 2019.\n";

static int wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) return 1;
    return 0;
}

static int exit_for(cw_status st)
{
    switch (st) {
    case CW_OK: return EXIT_OK;
    case CW_EINVAL:
    case CW_ETOOBIG: return EXIT_INPUT;
    default: return EXIT_RUNTIME;
    }
}

/* Load SCENARIO and apply --set overrides collected in sets[]. */
static int load_scenario(const char *path, char **sets, int n_sets, cw_scenario **out)
{
    cw_scenario *sc = cw_scenario_new();
    if (!sc) {
        fprintf(stderr, "commonweal: out of memory\n");
        return EXIT_RUNTIME;
    }
    cw_status st = cw_scenario_load(sc, path);
    for (int i = 0; !st && i < n_sets; i++) st = cw_scenario_set(sc, sets[i]);
    if (!st) st = cw_scenario_check(sc);
    if (st) {
        if (cli_mpi_rank() == 0) fprintf(stderr, "%s\n", cw_scenario_errmsg(sc)); /* every rank read the same file */
        cw_scenario_free(sc);
        return st == CW_ENOMEM ? EXIT_RUNTIME : EXIT_INPUT;
    }
    *out = sc;
    return EXIT_OK;
}

static void format_duration(double s, char *buf, size_t n)
{
    long t = (long)(s + 0.5);
    if (t >= 3600) snprintf(buf, n, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else snprintf(buf, n, "%ld:%02ld", t / 60, t % 60);
}

/* Progress: a redrawn bar on a terminal, a line every 10% otherwise. */
typedef struct progress {
    int tty, quiet, last_decile;
    int first;              /* weeks already done when the loop began (resume) */
    double start, last_draw;
    uint64_t residents;
} progress;

static void progress_show(progress *pg, int done, int total, int final)
{
    if (pg->quiet) return;
    double t = cli_now_seconds(), elapsed = t - pg->start;
    int ran = done - pg->first;
    double rate = elapsed > 0 ? (double)pg->residents * ran / elapsed : 0.0;
    double eta = ran > 0 ? elapsed * (total - done) / ran : 0.0;
    char eta_s[32];
    format_duration(eta, eta_s, sizeof eta_s);
    int pct = total ? (int)(100.0 * done / total) : 100;
    if (pg->tty) {
        if (!final && t - pg->last_draw < 0.2) return;
        pg->last_draw = t;
        char bar[31];
        int fill = pct * 30 / 100;
        for (int k = 0; k < 30; k++) bar[k] = k < fill ? '#' : '.';
        bar[30] = '\0';
        fprintf(stderr, "\rweek %d/%d [%s] %3d%%  %.2f M resident-weeks/s  ETA %s ", done, total, bar,
                pct, rate / 1e6, eta_s);
        if (final) fputc('\n', stderr);
    } else if (elapsed >= 2.0 && (pct / 10 > pg->last_decile || (final && pg->last_decile < 10))) {
        /* a line per tenth, for logs; short runs stay quiet */
        pg->last_decile = pct / 10;
        fprintf(stderr, "week %d/%d (%d%%), %.2f M resident-weeks/s, ETA %s\n", done, total, pct,
                rate / 1e6, eta_s);
    }
    fflush(stderr);
}

static int run_loop(cw_sim *sim, const char *out_path, int quiet)
{
    progress pg = {.tty = isatty(STDERR_FILENO), .quiet = quiet, .start = cli_now_seconds(),
                   .residents = cw_sim_residents(sim), .first = cw_sim_weeks_done(sim)};
    int total = cw_sim_weeks_total(sim);
    while (cw_sim_weeks_done(sim) < total) {
        if (cli_mpi_any(cli_stop_requested)) { /* under mpirun, every rank stops at the same week */
            if (pg.tty && !quiet) fputc('\n', stderr);
            cw_sim_close_output(sim, 0);
            fprintf(stderr, "commonweal: interrupted after %d of %d weeks; %s.partial holds them\n",
                    cw_sim_weeks_done(sim), total, out_path);
            return EXIT_RUNTIME;
        }
        cw_status st = cw_sim_step(sim);
        if (st) {
            fprintf(stderr, "commonweal: week %d: %s\n", cw_sim_weeks_done(sim), cw_sim_errmsg(sim));
            cw_sim_close_output(sim, 0);
            cli_mpi_abort(EXIT_RUNTIME); /* the other ranks wait in this week's exchanges */
            return EXIT_RUNTIME;
        }
        progress_show(&pg, cw_sim_weeks_done(sim), total, 0);
    }
    progress_show(&pg, total, total, 1);
    return EXIT_OK;
}

/* The model's memory: this process's, or under mpirun the largest rank's
 * peak and all ranks' bytes together (collective: every rank calls it). */
typedef struct memory_use {
    size_t peak, bytes;
    int ranks;
} memory_use;

static memory_use memory_of(const cw_sim *sim)
{
    return (memory_use){cli_mpi_max(cw_sim_bytes_peak(sim)), cli_mpi_sum(cw_sim_bytes(sim)), cli_mpi_size()};
}

static void print_summary(const cw_sim *sim, const char *out_path, double seconds, int timings, memory_use m)
{
    uint64_t n = cw_sim_residents(sim);
    int weeks = cw_sim_weeks_total(sim);
    double rw = (double)n * weeks;
    char ranks[64] = "";
    if (m.ranks > 1) snprintf(ranks, sizeof ranks, " on the largest of %d ranks", m.ranks);
    fprintf(stderr,
            "done: %d weeks x %" PRIu64 " residents in %d neighbourhoods in %.2f s "
            "(%.2f M resident-weeks/s); memory %.1f MiB%s (%.0f bytes/resident); wrote %s\n",
            weeks, n, cw_sim_neighbourhoods(sim), seconds, seconds > 0 ? rw / seconds / 1e6 : 0.0,
            (double)m.peak / 1048576.0, ranks, n ? (double)m.bytes / (double)n : 0.0, out_path);
    if (timings) {
        const char *names[16];
        double secs[16];
        int k = cw_sim_phase_timings(sim, names, secs, 16);
        fprintf(stderr, "phase timings (wall seconds):\n");
        for (int i = 0; i < k; i++)
            fprintf(stderr, "  %-22s %9.3f  (%5.1f%%)\n", names[i], secs[i], seconds > 0 ? 100.0 * secs[i] / seconds : 0.0);
    }
}

static int cmd_run(int argc, char **argv)
{
    static const struct option opts[] = {
        {"output", required_argument, 0, 'o'}, {"seed", required_argument, 0, 's'},
        {"threads", required_argument, 0, 't'}, {"set", required_argument, 0, 'S'},
        {"force", no_argument, 0, 'f'},         {"quiet", no_argument, 0, 'q'},
        {"timings", no_argument, 0, 'T'},       {"help", no_argument, 0, 'h'},
        {"checkpoint-every", required_argument, 0, 'C'}, {"checkpoint", required_argument, 0, 'P'},
        {0, 0, 0, 0}};
    const char *out_path = NULL, *ckpt_path = NULL;
    char out_buf[4096], ckpt_buf[4096 + 8];
    long long seed = -1, threads = 0, ckpt_every = 0;
    int force = 0, quiet = 0, timings = 0, n_sets = 0;
    char **sets = calloc((size_t)argc, sizeof *sets);
    if (!sets) return EXIT_RUNTIME;
    int c, rc = EXIT_INPUT;
    while ((c = getopt_long(argc, argv, "o:s:t:fqh", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out_path = optarg; break;
        case 's': if (!cli_parse_long(NULL, "--seed", optarg, 0, 9007199254740991LL, &seed)) goto out_free_sets; break;
        case 't': if (!cli_parse_long(NULL, "--threads", optarg, 1, 4096, &threads)) goto out_free_sets; break;
        case 'S': sets[n_sets++] = optarg; break;
        case 'f': force = 1; break;
        case 'q': quiet = 1; break;
        case 'T': timings = 1; break;
        case 'C': if (!cli_parse_long(NULL, "--checkpoint-every", optarg, 1, 1000000, &ckpt_every)) goto out_free_sets; break;
        case 'P': ckpt_path = optarg; break;
        case 'h': fputs(usage_run, stdout); rc = EXIT_OK; goto out_free_sets;
        default: rc = cli_option_error("run", argc, argv, opts); goto out_free_sets;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "commonweal run: expected one SCENARIO file\n%s", usage_run);
        goto out_free_sets;
    }
    const char *scenario_path = argv[optind];
    if (cli_refuse_stdout("run", out_path)) goto out_free_sets;
    if (strcmp(scenario_path, "-") == 0 && !out_path) {
        rc = cli_usage_error("run", "a scenario on standard input (-) needs -o OUT");
        goto out_free_sets;
    }
    if (!out_path) {
        cli_default_output(scenario_path, out_buf, sizeof out_buf);
        out_path = out_buf;
    }
    int ckpt_explicit = ckpt_path != NULL;
    if (!ckpt_path) {
        snprintf(ckpt_buf, sizeof ckpt_buf, "%s.ckpt", out_path);
        ckpt_path = ckpt_buf;
    }
    cw_scenario *sc = NULL;
    if ((rc = load_scenario(scenario_path, sets, n_sets, &sc))) goto out_free_sets;
    if (seed >= 0) cw_scenario_set_seed(sc, (uint64_t)seed);
    if (ckpt_explicit && !ckpt_every) {
        fprintf(stderr, "commonweal run: --checkpoint %s needs --checkpoint-every W (how often to save)\n",
                ckpt_path);
        rc = EXIT_INPUT;
        cw_scenario_free(sc);
        goto out_free_sets;
    }
    /* every path this run writes, refused up front: before the population is built */
    char err[2048];
    cw_status ost = cli_mpi_rank() == 0 ? cw_check_outputs(sc, out_path, ckpt_every ? ckpt_path : NULL, force,
                                                           err, sizeof err)
                                        : CW_OK;
    if (cli_mpi_any(ost != CW_OK)) {
        if (ost) fprintf(stderr, "commonweal: %s\n", err);
        rc = ost == CW_EEXIST ? EXIT_RUNTIME : exit_for(ost ? ost : CW_EINVAL);
        cw_scenario_free(sc);
        goto out_free_sets;
    }

    cw_options opt = {.threads = (int)threads};
    cw_sim *sim = NULL;
    double t0 = cli_now_seconds();
    int root = cli_mpi_rank() == 0, print;
    if (!root) quiet = 1;
    cw_status st = cli_mpi_create(sc, &opt, &sim); /* under mpirun: this rank's neighbourhoods */
    if (!st && root) st = cw_sim_set_history(sim, cli_history());
    if (!st && root) st = cw_sim_open_output(sim, out_path, force);
    if (!st && ckpt_every) st = cw_sim_set_checkpoint(sim, ckpt_path, (int)ckpt_every);
    st = cli_mpi_agree(st, &print);
    if (st) {
        if (print) fprintf(stderr, "commonweal: %s\n", sim ? cw_sim_errmsg(sim) : cw_strstatus(st));
        rc = exit_for(st);
        if (st == CW_EEXIST) rc = EXIT_RUNTIME;
        goto out_free_sim;
    }
    cli_catch_stop_signals();
    if ((rc = run_loop(sim, out_path, quiet))) goto out_free_sim;
    if ((st = cw_sim_close_output(sim, 1))) {
        fprintf(stderr, "commonweal: %s\n", cw_sim_errmsg(sim));
        rc = EXIT_RUNTIME;
        goto out_free_sim;
    }
    if (ckpt_every && root) remove(ckpt_path); /* the finished file supersedes it */
    memory_use m = memory_of(sim);
    if (!quiet) print_summary(sim, out_path, cli_now_seconds() - t0, timings, m);
    rc = EXIT_OK;
out_free_sim:
    cw_sim_free(sim);
    cw_scenario_free(sc);
out_free_sets:
    free(sets);
    return rc;
}

static int cmd_resume(int argc, char **argv)
{
    static const struct option opts[] = {
        {"threads", required_argument, 0, 't'}, {"quiet", no_argument, 0, 'q'},
        {"timings", no_argument, 0, 'T'},       {"help", no_argument, 0, 'h'},
        {"force", no_argument, 0, 'f'},         {0, 0, 0, 0}};
    long long threads = 0;
    int c, quiet = 0, timings = 0, force = 0;
    while ((c = getopt_long(argc, argv, "t:qfh", opts, NULL)) != -1) {
        switch (c) {
        case 'f': force = 1; break;
        case 't': if (!cli_parse_long(NULL, "--threads", optarg, 1, 4096, &threads)) return EXIT_INPUT; break;
        case 'q': quiet = 1; break;
        case 'T': timings = 1; break;
        case 'h': fputs(usage_resume, stdout); return EXIT_OK;
        default: return cli_option_error("resume", argc, argv, opts);
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "commonweal resume: expected one CHECKPOINT file\n%s", usage_resume);
        return EXIT_INPUT;
    }
    const char *ckpt_path = argv[optind];
    cw_options opt = {.threads = (int)threads, .force = force};
    cw_sim *sim = NULL;
    char out_path[4096];
    double t0 = cli_now_seconds();
    int rc, root = cli_mpi_rank() == 0, print;
    if (!root) quiet = 1;
    cw_status st = cli_mpi_resume(ckpt_path, &opt, &sim);
    st = cli_mpi_agree(st, &print);
    if (st) {
        const char *msg = sim ? cw_sim_errmsg(sim) : cw_strstatus(st);
        if (print) /* every refusal here says what to do: resume cannot, so start again */
            fprintf(stderr, "commonweal: %s%s\n", msg,
                    st == CW_EEXIST || strstr(msg, "again") ? ""
                                                            : "\ncommonweal: nothing was resumed; start the run "
                                                              "again (commonweal run SCENARIO --force)");
        rc = exit_for(st);
        goto out_free_sim;
    }
    int missing = root && !cw_sim_output_path(sim);
    if (cli_mpi_any(missing)) {
        if (missing) fprintf(stderr, "commonweal: %s has no output file to continue\n", ckpt_path);
        rc = EXIT_INPUT;
        goto out_free_sim;
    }
    snprintf(out_path, sizeof out_path, "%s", root ? cw_sim_output_path(sim) : "(rank 0's)");
    if (!quiet)
        fprintf(stderr, "resuming %s at week %d of %d\n", out_path, cw_sim_weeks_done(sim),
                cw_sim_weeks_total(sim));
    cli_catch_stop_signals();
    if ((rc = run_loop(sim, out_path, quiet))) goto out_free_sim;
    if (cw_sim_close_output(sim, 1)) {
        fprintf(stderr, "commonweal: %s\n", cw_sim_errmsg(sim));
        rc = EXIT_RUNTIME;
        goto out_free_sim;
    }
    if (root) remove(ckpt_path); /* the finished file supersedes it */
    memory_use m = memory_of(sim);
    if (!quiet) print_summary(sim, out_path, cli_now_seconds() - t0, timings, m);
    rc = EXIT_OK;
out_free_sim:
    cw_sim_free(sim);
    return rc;
}

static int cmd_check(int argc, char **argv)
{
    static const struct option opts[] = {
        {"set", required_argument, 0, 'S'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    char **sets = calloc((size_t)argc, sizeof *sets);
    if (!sets) return EXIT_RUNTIME;
    int c, n_sets = 0, rc = EXIT_INPUT;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'S') sets[n_sets++] = optarg;
        else if (c == 'h') { fputs(usage_check, stdout); rc = EXIT_OK; goto out_free_sets; }
        else { rc = cli_option_error("check", argc, argv, opts); goto out_free_sets; }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "commonweal check: expected one SCENARIO file\n%s", usage_check);
        goto out_free_sets;
    }
    cw_scenario *sc = NULL;
    if ((rc = load_scenario(argv[optind], sets, n_sets, &sc))) goto out_free_sets;
    uint64_t residents;
    int nbhd;
    size_t bytes;
    cw_status st = cw_scenario_size(sc, &residents, &nbhd, &bytes);
    if (st) {
        fprintf(stderr, "commonweal: %s\n", cw_scenario_errmsg(sc)); /* as run says it */
        rc = st == CW_ENOMEM ? EXIT_RUNTIME : EXIT_INPUT;
    } else {
        printf("# %s: valid\n# %" PRIu64 " residents in %d neighbourhoods; about %.1f MiB of memory\n",
               argv[optind], residents, nbhd, (double)bytes / 1048576.0);
        cw_scenario_write_costs(sc, stdout);
        cw_scenario_write_yaml(sc, stdout);
        rc = EXIT_OK;
    }
    cw_scenario_free(sc);
out_free_sets:
    free(sets);
    return rc;
}

static int cmd_params(int argc, char **argv)
{
    if (wants_help(argc, argv)) { fputs(usage_params, stdout); return EXIT_OK; }
    int json = argc == 2 && strcmp(argv[1], "--json") == 0;
    int levers = argc == 2 && strcmp(argv[1], "--levers") == 0;
    if (argc > 1 && !json && !levers) {
        char what[256];
        snprintf(what, sizeof what, argv[1][0] == '-' ? "unknown option '%s'" : "takes no arguments ('%s')", argv[1]);
        return cli_usage_error("params", what);
    }
    if (levers) cw_params_print_levers_json(stdout);
    else if (json) cw_params_print_json(stdout);
    else cw_params_print_markdown(stdout);
    return EXIT_OK;
}

static int cmd_info(int argc, char **argv)
{
    if (wants_help(argc, argv)) { fputs(usage_info, stdout); return EXIT_OK; }
    int json = 0;
    const char *file = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) json = 1;
        else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "commonweal info: unknown option '%s' (commonweal info --help)\n", argv[i]);
            return EXIT_INPUT;
        } else if (file) return cli_usage_error("info", "expected one FILE.h5");
        else file = argv[i];
    }
    if (!file) return cli_usage_error("info", "expected one FILE.h5");
    char err[1024];
    cw_status st = json ? cw_info_json(file, stdout, err, sizeof err) : cw_info(file, stdout, err, sizeof err);
    if (st) {
        fprintf(stderr, "commonweal info: %s\n", err);
        return exit_for(st); /* the one table: bad input 2, runtime fault 1 */
    }
    return EXIT_OK;
}

static int cmd_areas(int argc, char **argv)
{
    static const struct option opts[] = {
        {"scenario", required_argument, 0, 'S'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    const char *scenario = CW_ENGLAND_SCENARIO;
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'S') scenario = optarg;
        else if (c == 'h') { fputs(usage_areas, stdout); return EXIT_OK; }
        else { fputs(usage_areas, stderr); return EXIT_INPUT; }
    }
    if (argc - optind > 1) {
        fprintf(stderr, "commonweal areas: expected at most one PATTERN\n%s", usage_areas);
        return EXIT_INPUT;
    }
    cw_scenario *sc = NULL;
    int rc = load_scenario(scenario, NULL, 0, &sc);
    if (rc) return rc;
    cw_status st = cw_scenario_print_areas(sc, optind < argc ? argv[optind] : NULL, stdout);
    if (st) fprintf(stderr, "commonweal areas: %s\n", cw_scenario_errmsg(sc));
    cw_scenario_free(sc);
    return exit_for(st);
}

static int dispatch(int argc, char **argv);

/* The output files' CF history: "TIME: the command line" (UTC). */
static char history[4096];
const char *cli_history(void) { return history; }

static void set_history(int argc, char **argv)
{
    time_t t = time(NULL);
    struct tm tm;
    size_t n = gmtime_r(&t, &tm) ? strftime(history, sizeof history, "%Y-%m-%dT%H:%M:%SZ:", &tm) : 0;
    for (int i = 0; i < argc && n + 1 < sizeof history; i++) {
        int w = snprintf(history + n, sizeof history - n, " %s", argv[i]);
        if (w < 0) break;
        n += (size_t)w;
    }
}

int cli_usage_error(const char *cmd, const char *what)
{
    fprintf(stderr, "commonweal %s: %s (commonweal %s --help)\n", cmd, what, cmd);
    return EXIT_INPUT;
}

int cli_option_error(const char *cmd, int argc, char **argv, const struct option *opts)
{
    const char *arg = optind > 0 && optind <= argc ? argv[optind - 1] : "";
    char what[256];
    int needs_value = 0;
    if (strncmp(arg, "--", 2) == 0) {
        size_t len = strcspn(arg + 2, "=");
        for (const struct option *o = opts; o->name; o++)
            if (strlen(o->name) == len && strncmp(o->name, arg + 2, len) == 0 && o->has_arg == required_argument)
                needs_value = 1;
    } else if (optopt) {
        for (const struct option *o = opts; o->name; o++)
            if (o->val == optopt && o->has_arg == required_argument) needs_value = 1;
    }
    if (needs_value) snprintf(what, sizeof what, "option '%s' needs a value", arg);
    else if (optopt && strncmp(arg, "--", 2) != 0) snprintf(what, sizeof what, "unknown option '-%c'", optopt);
    else snprintf(what, sizeof what, "unknown option '%s'", arg);
    return cli_usage_error(cmd, what);
}

int cli_refuse_stdout(const char *cmd, const char *out)
{
    if (!out || strcmp(out, "-") != 0) return 0;
    fprintf(stderr, "commonweal %s: -o -: the output cannot go to standard output (an HDF5 file is written "
            "in place as OUT.partial and renamed); give a file name\n", cmd);
    return 1;
}

int main(int argc, char **argv)
{
    set_history(argc, argv);
    if (argc >= 2 && (!strcmp(argv[1], "run") || !strcmp(argv[1], "resume") || !strcmp(argv[1], "sweep")))
        cli_mpi_start(&argc, &argv); /* only under mpirun (or srun) */
    int rc = dispatch(argc, argv);
    cli_mpi_finish();
    return rc;
}

static int dispatch(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage_main, stderr);
        return EXIT_INPUT;
    }
    const char *cmd = argv[1];
    opterr = 0; /* cli_option_error says what was wrong, in one line */
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage_main, stdout);
        return EXIT_OK;
    }
    if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0) {
        printf("commonweal %s (output schema %d)\n", cw_version(), cw_schema_version());
        return EXIT_OK;
    }
    if (strcmp(cmd, "run") == 0) return cmd_run(argc - 1, argv + 1);
    if (strcmp(cmd, "check") == 0) return cmd_check(argc - 1, argv + 1);
    if (strcmp(cmd, "params") == 0) return cmd_params(argc - 1, argv + 1);
    if (strcmp(cmd, "info") == 0) return cmd_info(argc - 1, argv + 1);
    if (strcmp(cmd, "metrics") == 0) return cmd_metrics(argc - 1, argv + 1);
    if (strcmp(cmd, "export") == 0) return cmd_export(argc - 1, argv + 1);
    if (strcmp(cmd, "areas") == 0) return cmd_areas(argc - 1, argv + 1);
    if (strcmp(cmd, "sweep") == 0) return cmd_sweep(argc - 1, argv + 1);
    if (strcmp(cmd, "compare") == 0) return cmd_compare(argc - 1, argv + 1);
    if (strcmp(cmd, "resume") == 0) return cmd_resume(argc - 1, argv + 1);
    fprintf(stderr, "commonweal: unknown command '%s'\n%s", cmd, usage_main);
    return EXIT_INPUT;
}
