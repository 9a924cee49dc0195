/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * commonweal sweep SWEEP.yaml [-o OUT.h5] [--jobs N] [--threads T] [--resume]
 *                  [--force] [--set PATH=VALUE]... [--quiet]
 *
 * Members run in parallel on --jobs worker threads, each an independent
 * cw_sim (the library keeps no global state) on --threads OpenMP threads.
 * Workers never touch the file: a finished member's weeks go onto a queue and
 * this program's main thread writes them into the one sweep file (HDF5 calls
 * stay on one thread), marks the member complete and flushes. Ctrl-C or
 * SIGTERM abandons the members in flight and closes the file, which keeps
 * every member written; --resume runs the rest.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "util.h"
#include "commonweal/commonweal.h"

enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_INPUT = 2 };

static const char usage_sweep[] =
    "Usage: commonweal sweep SWEEP.yaml [OPTIONS]\n"
    "\n"
    "Run every member of a sweep (its design points x replicates) and write them all\n"
    "into one HDF5 file with a leading `member` dimension and a /members table\n"
    "(docs/OUTPUT.md, \"Sweep files\"). Members are written as they finish into\n"
    "OUT.partial, renamed to OUT when all are complete; a sweep cut short (Ctrl-C)\n"
    "keeps every finished member, and --resume runs only the others.\n"
    "\n"
    "Options:\n"
    "  -o, --output OUT     output file (default: the sweep's name with .h5, here)\n"
    "  -j, --jobs N         members run at once (default: the number of cores)\n"
    "  -t, --threads T      OpenMP threads per member (default: 1); results do not depend on it\n"
    "      --set PATH=VALUE override a parameter of the base scenario for every member\n"
    "                       (repeatable), e.g. --set population.neighbourhoods=8\n"
    "      --resume         continue OUT.partial of an interrupted run of the same sweep\n"
    "  -f, --force          overwrite an existing output file\n"
    "  -q, --quiet          no progress and no summary\n"
    "      --dry-run        check the sweep and its members' scenarios, print the design's\n"
    "                       size, and run nothing\n"
    "  -h, --help           this help\n";

/* ---- the work shared by the workers and the writer ----------------------------- */

typedef struct finished {
    int member;
    cw_status st;                 /* CW_OK: rec holds every week            */
    cw_sweep_record *rec;
    char msg[1024];
    struct finished *next;
} finished;

typedef struct runner {
    const cw_sweep *sw;
    int threads;
    int *todo, n_todo, next;      /* members to run, and the next to take  */
    pthread_mutex_t lock;
    pthread_cond_t changed;
    finished *done, *done_tail;   /* queue of finished members             */
    long weeks_done;              /* across members, for progress          */
    int workers_left;
} runner;

static void push_finished(runner *r, finished *f)
{
    pthread_mutex_lock(&r->lock);
    if (r->done_tail) r->done_tail->next = f;
    else r->done = f;
    r->done_tail = f;
    pthread_cond_signal(&r->changed);
    pthread_mutex_unlock(&r->lock);
}

/* Run one member to the end (or until a stop), recording every week. */
static void run_member(runner *r, finished *f)
{
    cw_scenario *sc = NULL;
    cw_sim *sim = NULL;
    cw_options opt = {.threads = r->threads};
    f->st = cw_sweep_member_scenario(r->sw, f->member, &sc);
    if (f->st) {
        snprintf(f->msg, sizeof f->msg, "%s", sc ? cw_scenario_errmsg(sc) : cw_strstatus(f->st));
        goto out_free;
    }
    if ((f->st = cw_sim_create(sc, &opt, &sim)) || (f->st = cw_sweep_record_new(sim, &f->rec))) {
        snprintf(f->msg, sizeof f->msg, "%s", sim ? cw_sim_errmsg(sim) : cw_strstatus(f->st));
        goto out_free;
    }
    while (cw_sim_weeks_done(sim) < cw_sim_weeks_total(sim)) {
        if (cli_stop_requested) {
            f->st = CW_ESTATE;
            snprintf(f->msg, sizeof f->msg, "interrupted");
            break;
        }
        if ((f->st = cw_sim_step(sim))) {
            snprintf(f->msg, sizeof f->msg, "week %d: %s", cw_sim_weeks_done(sim), cw_sim_errmsg(sim));
            break;
        }
        cw_sweep_record_week(f->rec, sim);
        pthread_mutex_lock(&r->lock);
        r->weeks_done++;
        pthread_mutex_unlock(&r->lock);
    }
out_free:
    cw_sim_free(sim);
    cw_scenario_free(sc);
}

static void *worker(void *arg)
{
    runner *r = arg;
    for (;;) {
        pthread_mutex_lock(&r->lock);
        int k = cli_stop_requested || r->next >= r->n_todo ? -1 : r->todo[r->next++];
        pthread_mutex_unlock(&r->lock);
        if (k < 0) break;
        finished *f = calloc(1, sizeof *f);
        if (!f) break; /* the writer sees the member never finished */
        f->member = k;
        run_member(r, f);
        push_finished(r, f);
    }
    pthread_mutex_lock(&r->lock);
    r->workers_left--;
    pthread_cond_signal(&r->changed);
    pthread_mutex_unlock(&r->lock);
    return NULL;
}

/* ---- progress ---------------------------------------------------------------------- */

typedef struct progress {
    int quiet, tty, members, done_before, written, last_line;
    long weeks_total, weeks_before; /* member-weeks of the whole sweep, and of the members
                                       written before this leg (--resume)               */
    long weeks_per_member;
    double start, last_draw;
} progress;

static void fmt_eta(double s, char *buf, size_t n)
{
    long t = (long)(s + 0.5);
    if (t >= 3600) snprintf(buf, n, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else snprintf(buf, n, "%ld:%02ld", t / 60, t % 60);
}

/* "members 12/60 written, 25% of member-weeks, ETA 1:02" on one redrawn line
 * (a terminal) or a line every 10 s (a log). Both counts are of the whole
 * sweep, so they read the same before and after a resume; weeks_done is this
 * leg's, and the ETA is from this leg's pace. The final line counts the
 * members written (a stopped member's weeks are not done). */
static void progress_show(progress *pg, long weeks_done, int final)
{
    if (pg->quiet) return;
    double t = cli_now_seconds(), elapsed = t - pg->start;
    if (final) weeks_done = (long)pg->written * pg->weeks_per_member;
    long all = pg->weeks_before + weeks_done, left = pg->weeks_total - all;
    double frac = pg->weeks_total ? (double)all / (double)pg->weeks_total : 1.0;
    char eta[32];
    fmt_eta(weeks_done > 0 && left > 0 ? elapsed * (double)left / (double)weeks_done : 0, eta, sizeof eta);
    int done = pg->done_before + pg->written;
    if (pg->tty) {
        if (!final && t - pg->last_draw < 0.25) return;
        pg->last_draw = t;
        fprintf(stderr, "\rmembers %d/%d written, %3.0f%% of member-weeks, ETA %s ", done, pg->members,
                100 * frac, eta);
        if (final) fputc('\n', stderr);
    } else if (final || t - pg->last_draw >= 10.0) {
        pg->last_draw = t;
        fprintf(stderr, "members %d/%d written, %.0f%% of member-weeks, ETA %s\n", done, pg->members, 100 * frac,
                eta);
    }
    fflush(stderr);
}

/* ---- the writer (main thread) -------------------------------------------------------- */

/* Write what finishes until the workers are done; returns the exit status. */
static int write_members(runner *r, cw_sweep_file *file, cw_sweep *sw, progress *pg)
{
    int rc = EXIT_OK;
    pthread_mutex_lock(&r->lock);
    for (;;) {
        while (!r->done && r->workers_left > 0) {
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_nsec += 250000000L;
            if (until.tv_nsec >= 1000000000L) until.tv_sec++, until.tv_nsec -= 1000000000L;
            pthread_cond_timedwait(&r->changed, &r->lock, &until);
            long w = r->weeks_done;
            pthread_mutex_unlock(&r->lock);
            progress_show(pg, w, 0);
            pthread_mutex_lock(&r->lock);
        }
        finished *f = r->done;
        if (!f) break;
        r->done = f->next;
        if (!r->done) r->done_tail = NULL;
        pthread_mutex_unlock(&r->lock);
        if (f->st == CW_OK) {
            if (cw_sweep_file_write(file, f->member, f->rec) != CW_OK) {
                fprintf(stderr, "\ncommonweal sweep: %s\n", cw_sweep_errmsg(sw));
                cli_stop_requested = 1;
                rc = EXIT_RUNTIME;
            } else {
                pg->written++;
            }
        } else if (f->st != CW_ESTATE) {
            fprintf(stderr, "\ncommonweal sweep: member %d: %s\n", f->member, f->msg);
            cli_stop_requested = 1;
            rc = EXIT_RUNTIME;
        }
        cw_sweep_record_free(f->rec);
        free(f);
        pthread_mutex_lock(&r->lock);
    }
    pthread_mutex_unlock(&r->lock);
    return rc;
}

static int run_all(cw_sweep *sw, cw_sweep_file *file, int jobs, int threads, int quiet, double t0)
{
    int members = cw_sweep_members(sw);
    runner r = {.sw = sw, .threads = threads};
    r.todo = malloc((size_t)members * sizeof *r.todo);
    if (!r.todo) return EXIT_RUNTIME;
    for (int m = 0; m < members; m++)
        if (!cw_sweep_file_member_complete(file, m)) r.todo[r.n_todo++] = m;
    pthread_mutex_init(&r.lock, NULL);
    pthread_cond_init(&r.changed, NULL);
    progress pg = {.quiet = quiet, .tty = isatty(STDERR_FILENO), .members = members,
                   .done_before = cw_sweep_file_members_complete(file), .start = t0, .last_draw = t0};
    pg.weeks_per_member = cw_sweep_weeks(sw);
    pg.weeks_total = (long)members * pg.weeks_per_member;
    pg.weeks_before = (long)pg.done_before * pg.weeks_per_member;
    if (jobs > r.n_todo) jobs = r.n_todo;
    pthread_t *tid = calloc((size_t)(jobs ? jobs : 1), sizeof *tid);
    int rc = tid ? EXIT_OK : EXIT_RUNTIME;
    for (int j = 0; rc == EXIT_OK && j < jobs; j++) {
        if (pthread_create(&tid[j], NULL, worker, &r) != 0) {
            fprintf(stderr, "commonweal sweep: cannot start worker %d: %s\n", j, strerror(errno));
            cli_stop_requested = 1;
            rc = EXIT_RUNTIME;
            break;
        }
        r.workers_left++;
    }
    int started = r.workers_left;
    int wrc = write_members(&r, file, sw, &pg);
    if (!rc) rc = wrc;
    for (int j = 0; j < started; j++) pthread_join(tid[j], NULL);
    progress_show(&pg, 0, 1);
    free(tid);
    free(r.todo);
    pthread_cond_destroy(&r.changed);
    pthread_mutex_destroy(&r.lock);
    return rc;
}

/* ---- the command ------------------------------------------------------------------------ */

/* The file, created from a simulation of member 0 (for its shape), or reopened. */
static int open_file(cw_sweep *sw, const char *out, int force, int resume, int threads, cw_sweep_file **file)
{
    cw_scenario *sc = NULL;
    cw_sim *shape = NULL;
    cw_options opt = {.threads = threads};
    cw_status st = CW_OK;
    if (!resume) {
        st = cw_sweep_member_scenario(sw, 0, &sc);
        if (st) {
            fprintf(stderr, "commonweal sweep: %s\n", sc ? cw_scenario_errmsg(sc) : cw_strstatus(st));
            cw_scenario_free(sc);
            return st == CW_EINVAL ? EXIT_INPUT : EXIT_RUNTIME;
        }
        if ((st = cw_sim_create(sc, &opt, &shape))) {
            fprintf(stderr, "commonweal sweep: %s\n", shape ? cw_sim_errmsg(shape) : cw_strstatus(st));
            cw_sim_free(shape);
            cw_scenario_free(sc);
            return st == CW_EINVAL || st == CW_ETOOBIG ? EXIT_INPUT : EXIT_RUNTIME;
        }
    }
    st = cw_sweep_set_history(sw, cli_history());
    if (!st) st = cw_sweep_file_open(sw, out, force, resume, shape, threads, file);
    cw_sim_free(shape);
    cw_scenario_free(sc);
    if (st) {
        fprintf(stderr, "commonweal sweep: %s\n", cw_sweep_errmsg(sw));
        return st == CW_EINVAL ? EXIT_INPUT : EXIT_RUNTIME;
    }
    return EXIT_OK;
}

/* Check every member's scenario; say how big the sweep is. */
static int dry_run(const cw_sweep *sw, const char *path)
{
    for (int m = 0; m < cw_sweep_members(sw); m++) {
        cw_scenario *sc = NULL;
        cw_status st = cw_sweep_member_scenario(sw, m, &sc);
        if (st == CW_OK) st = cw_scenario_check(sc);
        if (st) {
            fprintf(stderr, "commonweal sweep: member %d: %s\n", m, sc ? cw_scenario_errmsg(sc) : cw_strstatus(st));
            cw_scenario_free(sc);
            return st == CW_ENOMEM ? EXIT_RUNTIME : EXIT_INPUT;
        }
        cw_scenario_free(sc);
    }
    printf("%s: valid: %d design points x %d replicates = %d members of %d weeks\n", path, cw_sweep_points(sw),
           cw_sweep_replicates(sw), cw_sweep_members(sw), cw_sweep_weeks(sw));
    return EXIT_OK;
}

static long online_cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? n : 1;
}

int cmd_sweep(int argc, char **argv)
{
    static const struct option opts[] = {
        {"output", required_argument, 0, 'o'}, {"jobs", required_argument, 0, 'j'},
        {"threads", required_argument, 0, 't'}, {"set", required_argument, 0, 'S'},
        {"resume", no_argument, 0, 'R'},        {"force", no_argument, 0, 'f'},
        {"quiet", no_argument, 0, 'q'},         {"help", no_argument, 0, 'h'},
        {"dry-run", no_argument, 0, 'D'},       {0, 0, 0, 0}};
    const char *out = NULL;
    char out_buf[4096];
    long long count = 0;
    int jobs = (int)online_cpus(), threads = 1, threads_set = 0, resume = 0, force = 0, quiet = 0, dry = 0,
        n_sets = 0, c;
    const char **sets = calloc((size_t)argc, sizeof *sets);
    if (!sets) return EXIT_RUNTIME;
    int rc = EXIT_INPUT;
    while ((c = getopt_long(argc, argv, "o:j:t:fqh", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'j': if (!cli_parse_long("sweep", "--jobs", optarg, 1, 4096, &count)) goto out_free_sets; jobs = (int)count; break;
        case 't': if (!cli_parse_long("sweep", "--threads", optarg, 1, 4096, &count)) goto out_free_sets; threads = (int)count; threads_set = 1; break;
        case 'S': sets[n_sets++] = optarg; break;
        case 'R': resume = 1; break;
        case 'f': force = 1; break;
        case 'q': quiet = 1; break;
        case 'D': dry = 1; break;
        case 'h': fputs(usage_sweep, stdout); rc = EXIT_OK; goto out_free_sets;
        default: rc = cli_option_error("sweep", argc, argv, opts); goto out_free_sets;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "commonweal sweep: expected one SWEEP file\n%s", usage_sweep);
        goto out_free_sets;
    }
    if (resume && force) {
        fprintf(stderr, "commonweal sweep: --resume and --force contradict each other: choose one\n");
        goto out_free_sets;
    }
    if (cli_refuse_stdout("sweep", out)) goto out_free_sets;
    if (!out) {
        cli_default_output(argv[optind], out_buf, sizeof out_buf);
        out = out_buf;
    }
    double t0 = cli_now_seconds();
    cw_sweep *sw = NULL;
    cw_status st = cw_sweep_load(argv[optind], sets, n_sets, &sw);
    if (st) {
        fprintf(stderr, "%s\n", cw_sweep_errmsg(sw));
        rc = st == CW_ENOMEM ? EXIT_RUNTIME : EXIT_INPUT;
        goto out_free_sweep;
    }
    if (dry) {
        rc = dry_run(sw, argv[optind]);
        goto out_free_sweep;
    }
    /* under mpirun: rank 0 opens and writes the file, the others run members
     * on all their OpenMP threads unless --threads says otherwise */
    int ranks = cli_mpi_size(), root = cli_mpi_rank() == 0;
    if (ranks > 1 && !threads_set) threads = 0;
    cw_sweep_file *file = NULL;
    rc = root ? open_file(sw, out, force, resume, threads, &file) : EXIT_OK;
    if (ranks > 1) { /* the other ranks stop with rank 0's exit status */
        int print;
        rc = (int)cli_mpi_agree((cw_status)rc, &print);
    }
    if (rc) goto out_free_sweep;
    int members = cw_sweep_members(sw), before = root ? cw_sweep_file_members_complete(file) : 0;
    if (!quiet && ranks > 1 && root)
        fprintf(stderr, "sweep: %d design points x %d replicates = %d members%s; %d to run on %d MPI ranks "
                "(rank 0 writes) x %d threads\n", cw_sweep_points(sw), cw_sweep_replicates(sw), members,
                resume ? " (resuming)" : "", members - before, ranks - 1, threads);
    else if (!quiet && ranks == 1)
        fprintf(stderr, "sweep: %d design points x %d replicates = %d members%s; %d to run on %d jobs x %d threads\n",
                cw_sweep_points(sw), cw_sweep_replicates(sw), members,
                resume ? " (resuming)" : "", members - before, jobs, threads);
    cli_catch_stop_signals();
#ifdef CW_HAVE_MPI
    if (ranks > 1) rc = sweep_mpi_run(sw, file, threads, quiet);
    else
#endif
        rc = run_all(sw, file, jobs, threads, quiet, t0);
    if (!root) goto out_free_sweep;
    int complete = cw_sweep_file_members_complete(file);
    if (cw_sweep_file_close(file, cli_now_seconds() - t0) != CW_OK) {
        fprintf(stderr, "commonweal sweep: %s\n", cw_sweep_errmsg(sw));
        rc = EXIT_RUNTIME;
    } else if (complete < members) {
        fprintf(stderr, "commonweal sweep: stopped with %d of %d members written; %s.partial holds them "
                "(continue with --resume)\n", complete, members, out);
        if (!rc) rc = EXIT_RUNTIME;
    } else if (!quiet) {
        fprintf(stderr, "done: %d members in %.1f s; wrote %s\n", members, cli_now_seconds() - t0, out);
    }
out_free_sweep:
    cw_sweep_free(sw);
out_free_sets:
    free(sets);
    return rc;
}
