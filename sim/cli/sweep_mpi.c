/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * `mpirun -n R commonweal sweep ...` (docs/MPI.md): members spread over
 * ranks, dynamically. Rank 0 hands out member indices, one at a time, to
 * whichever rank asks (a rank that finishes a member asks again, so slow
 * members never hold the rest back) and writes every finished member into
 * the one sweep file with the same calls as a one-process sweep; ranks
 * 1..R-1 each run one member at a time on their OpenMP threads and send its
 * weeks to rank 0 as one array of floats. Only rank 0 opens the file, so
 * the file is byte for byte what a one-process sweep writes (attributes
 * such as wall time and host aside), and --resume works with any number of
 * ranks: the file's members/complete says what is left.
 *
 * Messages (MPI_COMM_WORLD): a worker sends TAG_READY, or after a member
 * TAG_RESULT (member, status, n) + TAG_DATA (n floats) + TAG_MSG (text);
 * rank 0 answers each with TAG_WORK (the next member, or -1: stop).
 */
#include <mpi.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "util.h"
#include "commonweal/commonweal.h"

enum { EXIT_OK = 0, EXIT_RUNTIME = 1 };
enum { TAG_READY = 1, TAG_RESULT, TAG_DATA, TAG_MSG, TAG_WORK };
#define MSG_LEN 1024

/* ---- ranks 1..R-1 ---------------------------------------------------------------- */

/* Run member m; on success *buf holds its packed weeks (*n floats). */
static cw_status run_member(const cw_sweep *sw, int m, int threads, float **buf, size_t *n, char *msg)
{
    cw_scenario *sc = NULL;
    cw_sim *sim = NULL;
    cw_sweep_record *rec = NULL;
    cw_options opt = {.threads = threads};
    *buf = NULL, *n = 0;
    cw_status st = cw_sweep_member_scenario(sw, m, &sc);
    if (st) {
        snprintf(msg, MSG_LEN, "%s", sc ? cw_scenario_errmsg(sc) : cw_strstatus(st));
        goto out_free;
    }
    if ((st = cw_sim_create(sc, &opt, &sim)) || (st = cw_sweep_record_new(sim, &rec))) {
        snprintf(msg, MSG_LEN, "%s", sim ? cw_sim_errmsg(sim) : cw_strstatus(st));
        goto out_free;
    }
    while (cw_sim_weeks_done(sim) < cw_sim_weeks_total(sim)) {
        if (cli_stop_requested) {
            st = CW_ESTATE;
            snprintf(msg, MSG_LEN, "interrupted");
            goto out_free;
        }
        if ((st = cw_sim_step(sim))) {
            snprintf(msg, MSG_LEN, "week %d: %s", cw_sim_weeks_done(sim), cw_sim_errmsg(sim));
            goto out_free;
        }
        cw_sweep_record_week(rec, sim);
    }
    *n = cw_sweep_record_floats(rec);
    if (!(*buf = malloc((*n ? *n : 1) * sizeof **buf))) {
        st = CW_ENOMEM;
        snprintf(msg, MSG_LEN, "out of memory packing member %d", m);
        goto out_free;
    }
    cw_sweep_record_pack(rec, *buf);
out_free:
    cw_sweep_record_free(rec);
    cw_sim_free(sim);
    cw_scenario_free(sc);
    return st;
}

static int worker(const cw_sweep *sw, int threads)
{
    int ready = 0, m;
    MPI_Send(&ready, 1, MPI_INT, 0, TAG_READY, MPI_COMM_WORLD);
    for (;;) {
        MPI_Recv(&m, 1, MPI_INT, 0, TAG_WORK, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        if (m < 0) return EXIT_OK;
        float *buf;
        size_t n;
        char msg[MSG_LEN] = "";
        cw_status st = run_member(sw, m, threads, &buf, &n, msg);
        int head[3] = {m, (int)st, st == CW_OK ? (int)n : 0};
        MPI_Send(head, 3, MPI_INT, 0, TAG_RESULT, MPI_COMM_WORLD);
        MPI_Send(buf, head[2], MPI_FLOAT, 0, TAG_DATA, MPI_COMM_WORLD);
        MPI_Send(msg, MSG_LEN, MPI_CHAR, 0, TAG_MSG, MPI_COMM_WORLD);
        free(buf);
    }
}

/* ---- rank 0 -------------------------------------------------------------------------- */

typedef struct master {
    cw_sweep *sw;
    cw_sweep_file *file;
    int *todo, n_todo, next;
    int written, quiet, rc;
} master;

/* Receive a finished member from `from` and write it. */
static void take_result(master *ms, int from, const int head[3])
{
    float *buf = malloc(((size_t)head[2] + 1) * sizeof *buf);
    char msg[MSG_LEN];
    MPI_Recv(buf ? buf : (float *)msg, buf ? head[2] : 0, MPI_FLOAT, from, TAG_DATA, MPI_COMM_WORLD,
             MPI_STATUS_IGNORE);
    MPI_Recv(msg, MSG_LEN, MPI_CHAR, from, TAG_MSG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    msg[MSG_LEN - 1] = '\0';
    cw_status st = (cw_status)head[1];
    if (st == CW_OK && !buf) {
        fprintf(stderr, "commonweal sweep: out of memory receiving member %d\n", head[0]);
        cli_stop_requested = 1, ms->rc = EXIT_RUNTIME;
    } else if (st == CW_OK) {
        if (cw_sweep_file_write_packed(ms->file, head[0], buf, (size_t)head[2]) != CW_OK) {
            fprintf(stderr, "commonweal sweep: %s\n", cw_sweep_errmsg(ms->sw));
            cli_stop_requested = 1, ms->rc = EXIT_RUNTIME;
        } else {
            ms->written++;
            if (!ms->quiet)
                fprintf(stderr, "member %d written (rank %d); %d of %d this run\n", head[0], from, ms->written,
                        ms->n_todo);
        }
    } else if (st != CW_ESTATE) {
        fprintf(stderr, "commonweal sweep: member %d (rank %d): %s\n", head[0], from, msg);
        cli_stop_requested = 1, ms->rc = EXIT_RUNTIME;
    }
    free(buf);
}

/* Wait for a message without spinning (rank 0 may share cores with workers). */
static void wait_message(MPI_Status *s)
{
    int flag = 0;
    struct timespec nap = {0, 2000000L};
    for (;;) {
        MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, s);
        if (flag) return;
        nanosleep(&nap, NULL);
    }
}

static int serve(master *ms, int ranks)
{
    int active = ranks - 1;
    while (active > 0) {
        MPI_Status s;
        wait_message(&s);
        int head[3];
        if (s.MPI_TAG == TAG_READY) {
            MPI_Recv(head, 1, MPI_INT, s.MPI_SOURCE, TAG_READY, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        } else {
            MPI_Recv(head, 3, MPI_INT, s.MPI_SOURCE, TAG_RESULT, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            take_result(ms, s.MPI_SOURCE, head);
        }
        int m = !cli_stop_requested && ms->next < ms->n_todo ? ms->todo[ms->next++] : -1;
        MPI_Send(&m, 1, MPI_INT, s.MPI_SOURCE, TAG_WORK, MPI_COMM_WORLD);
        if (m < 0) active--;
    }
    return ms->rc;
}

int sweep_mpi_run(cw_sweep *sw, cw_sweep_file *file, int threads, int quiet)
{
    int rank, ranks;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &ranks);
    cli_catch_stop_signals();
    if (rank != 0) return worker(sw, threads);
    int members = cw_sweep_members(sw);
    master ms = {.sw = sw, .file = file, .quiet = quiet};
    ms.todo = malloc((size_t)(members ? members : 1) * sizeof *ms.todo);
    if (!ms.todo) {
        fprintf(stderr, "commonweal sweep: out of memory\n");
        cli_stop_requested = 1; /* still answer every worker, with "stop" */
        ms.rc = EXIT_RUNTIME;
    }
    for (int m = 0; ms.todo && m < members; m++)
        if (!cw_sweep_file_member_complete(file, m)) ms.todo[ms.n_todo++] = m;
    int rc = serve(&ms, ranks);
    free(ms.todo);
    return rc;
}
