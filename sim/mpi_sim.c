/*
 * A simulation spread over MPI ranks (docs/MPI.md, include/commonweal/
 * commonweal_mpi.h).
 *
 * Design: every rank builds (or restores) the whole world, as one process
 * would, from the keyed random streams; each rank then steps only its own
 * contiguous range of neighbourhoods (world.own_nbhd_begin/end), so every
 * random draw keeps its global id and every float is computed by the same
 * code in the same order as in a one-process run. What one rank's phases
 * read of another's, within a week, is exchanged at fixed points:
 *  - ties across ranks ("ghosts"): the asks of tie targets before the offers,
 *    the offers (give_to, give_hours) before allocation and the social phase;
 *    the lists are fixed at set-up, since ties never change ends;
 *  - the LA escalation pools: every neighbourhood's reports (allgather),
 *    then every rank runs the pools for all LAs, identically;
 *  - the money phase reads every group (competitive rounds draw over all of
 *    them): the group arrays are allgathered and every rank runs it whole;
 *  - rank 0 gathers the per-neighbourhood metrics, the sums the area metrics
 *    come from, and the events, and reduces them in index order;
 *  - for snapshots and checkpoints, rank 0 gathers every rank's share of
 *    every world array, then writes exactly what one process would.
 * Memory per rank is therefore that of the whole world: this spreads the
 * time of a large run, not its memory (docs/MPI.md, "Limits").
 */
#include <mpi.h>
#include <stdlib.h>
#include <string.h>

#include "commonweal/commonweal_mpi.h"
#include "partition.h"
#include "sim_int.h"

struct sim_dist {
    MPI_Comm comm;
    int rank, size;
    int *cut;                   /* [size+1]: rank r steps [cut[r], cut[r+1])  */
    int *cnt, *disp;            /* [size] scratch for the v-collectives       */
    int *send_n, *send_at;      /* [size] ghosts: residents sent to rank q    */
    int *recv_n, *recv_at;      /* [size] ... received from rank q            */
    uint32_t *send_ids, *recv_ids;
    unsigned char *sendbuf, *recvbuf; /* 4 bytes per ghost entry              */
};

/* ---- entity ranges ------------------------------------------------------------ */

/* First index of rank r's share of an entity. */
static size_t share_begin(const cw_sim *sim, int entity, int r)
{
    const world *w = &sim->w;
    int b = sim->dist->cut[r];
    switch (entity) {
    case WE_RESIDENT: return w->nbhd_first[b];
    case WE_GROUP: return w->nbhd_group_first[b];
    case WE_TIE: return w->tie_offset[w->nbhd_first[b]];
    default: return (size_t)b;
    }
}

/* cnt/disp of every rank's share of an array of `per` entries per entity,
 * in units of one entity's entries. */
static void shares(cw_sim *sim, int entity)
{
    struct sim_dist *d = sim->dist;
    for (int r = 0; r < d->size; r++) {
        size_t a = share_begin(sim, entity, r), e = share_begin(sim, entity, r + 1);
        d->disp[r] = (int)a;
        d->cnt[r] = (int)(e - a);
    }
}

/* One entity's entries of an array, as an MPI type. */
static MPI_Datatype entity_type(size_t size, size_t per)
{
    MPI_Datatype t;
    MPI_Type_contiguous((int)(size * per), MPI_BYTE, &t);
    MPI_Type_commit(&t);
    return t;
}

/* Every rank gets every rank's share of base (in place). */
static void allgather_shares(cw_sim *sim, void *base, size_t size, size_t per, int entity)
{
    struct sim_dist *d = sim->dist;
    shares(sim, entity);
    MPI_Datatype t = entity_type(size, per);
    MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, base, d->cnt, d->disp, t, d->comm);
    MPI_Type_free(&t);
}

/* Rank 0 gets every rank's share of base (in place). */
static void gather_shares(cw_sim *sim, void *base, size_t size, size_t per, int entity)
{
    struct sim_dist *d = sim->dist;
    shares(sim, entity);
    MPI_Datatype t = entity_type(size, per);
    char *mine = (char *)base + (size_t)d->disp[d->rank] * size * per;
    MPI_Gatherv(d->rank == 0 ? MPI_IN_PLACE : mine, d->cnt[d->rank], t, base, d->cnt, d->disp, t, 0, d->comm);
    MPI_Type_free(&t);
}

/* ---- ghosts: ties between ranks ------------------------------------------------ */

static int rank_of_resident(const cw_sim *sim, uint32_t i)
{
    const struct sim_dist *d = sim->dist;
    int lo = 0, hi = d->size; /* start(lo) <= i < start(hi) */
    while (hi - lo > 1) {
        int mid = lo + (hi - lo) / 2;
        if (sim->w.nbhd_first[d->cut[mid]] <= i) lo = mid;
        else hi = mid;
    }
    return lo;
}

/* Received: the tie targets of this rank's residents on other ranks, by
 * rank then index. Sent: this rank's residents with a tie into rank q, by
 * index. Ties are symmetric (each edge is in both rows), so what q sends
 * here is exactly what this rank expects from q, in the same order. */
static cw_status build_ghosts(cw_sim *sim)
{
    struct sim_dist *d = sim->dist;
    const world *w = &sim->w;
    uint32_t a = w->nbhd_first[d->cut[d->rank]], e = w->nbhd_first[d->cut[d->rank + 1]];
    unsigned char *mark = calloc((size_t)w->n_res + 1, 1);
    uint32_t *last = malloc((size_t)d->size * sizeof *last);
    if (!mark || !last) goto out_nomem;
    for (uint32_t i = a; i < e; i++)
        for (uint32_t k = w->tie_offset[i]; k < w->tie_offset[i + 1]; k++) {
            uint32_t t = w->tie_target[k];
            if (t < a || t >= e) mark[t] = 1;
        }
    size_t n_recv = 0, n_send = 0;
    for (int q = 0; q < d->size; q++) {
        d->recv_at[q] = (int)n_recv;
        for (uint32_t t = w->nbhd_first[d->cut[q]]; t < w->nbhd_first[d->cut[q + 1]]; t++) n_recv += mark[t];
        d->recv_n[q] = (int)(n_recv - (size_t)d->recv_at[q]);
        d->send_n[q] = 0;
        last[q] = UINT32_MAX;
    }
    for (uint32_t i = a; i < e; i++) /* count: each resident once per rank it ties into */
        for (uint32_t k = w->tie_offset[i]; k < w->tie_offset[i + 1]; k++) {
            uint32_t t = w->tie_target[k];
            if (t >= a && t < e) continue;
            int q = rank_of_resident(sim, t);
            if (last[q] != i) last[q] = i, d->send_n[q]++;
        }
    for (int q = 0; q < d->size; q++) d->send_at[q] = (int)n_send, n_send += (size_t)d->send_n[q];
    d->recv_ids = malloc((n_recv + 1) * sizeof *d->recv_ids);
    d->send_ids = malloc((n_send + 1) * sizeof *d->send_ids);
    d->recvbuf = malloc((n_recv + 1) * 4);
    d->sendbuf = malloc((n_send + 1) * 4);
    if (!d->recv_ids || !d->send_ids || !d->recvbuf || !d->sendbuf) goto out_nomem;
    size_t r = 0;
    for (uint32_t t = 0; t < w->n_res; t++)
        if (mark[t]) d->recv_ids[r++] = t;
    int *fill = d->cnt; /* scratch */
    for (int q = 0; q < d->size; q++) fill[q] = d->send_at[q], last[q] = UINT32_MAX;
    for (uint32_t i = a; i < e; i++)
        for (uint32_t k = w->tie_offset[i]; k < w->tie_offset[i + 1]; k++) {
            uint32_t t = w->tie_target[k];
            if (t >= a && t < e) continue;
            int q = rank_of_resident(sim, t);
            if (last[q] != i) last[q] = i, d->send_ids[fill[q]++] = i;
        }
    free(mark);
    free(last);
    /* the symmetry the lists rely on: what q sends here is what is expected */
    int *expect = malloc((size_t)d->size * sizeof *expect);
    if (!expect) return CW_ENOMEM;
    MPI_Alltoall(d->send_n, 1, MPI_INT, expect, 1, MPI_INT, d->comm);
    int ok = memcmp(expect, d->recv_n, (size_t)d->size * sizeof *expect) == 0, all_ok;
    free(expect);
    MPI_Allreduce(&ok, &all_ok, 1, MPI_INT, MPI_MIN, d->comm);
    if (!all_ok) {
        snprintf(sim->errmsg, sizeof sim->errmsg, "ties are not symmetric across ranks: cannot distribute");
        return CW_EINVAL;
    }
    return CW_OK;
out_nomem:
    free(mark);
    free(last);
    snprintf(sim->errmsg, sizeof sim->errmsg, "out of memory listing the ties between MPI ranks");
    return CW_ENOMEM;
}

/* Overwrite the ghosts' entries of field (size bytes each, at most 4) with
 * their owners' values. */
static void exchange_ghosts(cw_sim *sim, void *field, size_t size)
{
    struct sim_dist *d = sim->dist;
    unsigned char *f = field;
    int total_send = d->send_at[d->size - 1] + d->send_n[d->size - 1];
    int total_recv = d->recv_at[d->size - 1] + d->recv_n[d->size - 1];
    for (int k = 0; k < total_send; k++) memcpy(d->sendbuf + (size_t)k * size, f + (size_t)d->send_ids[k] * size, size);
    MPI_Datatype t = entity_type(size, 1);
    MPI_Alltoallv(d->sendbuf, d->send_n, d->send_at, t, d->recvbuf, d->recv_n, d->recv_at, t, d->comm);
    MPI_Type_free(&t);
    for (int k = 0; k < total_recv; k++) memcpy(f + (size_t)d->recv_ids[k] * size, d->recvbuf + (size_t)k * size, size);
}

void dist_ghosts_ask(cw_sim *sim)
{
    if (!sim->dist) return;
    exchange_ghosts(sim, sim->w.ask_sector, sizeof *sim->w.ask_sector);
    exchange_ghosts(sim, sim->w.ask_severity, sizeof *sim->w.ask_severity);
}

void dist_ghosts_offer(cw_sim *sim)
{
    if (!sim->dist) return;
    exchange_ghosts(sim, sim->w.give_to, sizeof *sim->w.give_to);
    exchange_ghosts(sim, sim->w.give_hours, sizeof *sim->w.give_hours);
}

/* ---- area-level state --------------------------------------------------------- */

void dist_share_escalate(cw_sim *sim)
{
    if (!sim->dist) return;
    allgather_shares(sim, sim->w.escalate, sizeof *sim->w.escalate, N_SECTORS, WE_NBHD);
}

void dist_share_groups(cw_sim *sim)
{
    if (!sim->dist) return;
    world_array arrays[WORLD_MAX_ARRAYS];
    size_t n = world_arrays(&sim->w, arrays, WORLD_MAX_ARRAYS);
    for (size_t k = 0; k < n; k++)
        if (arrays[k].entity == WE_GROUP)
            allgather_shares(sim, *arrays[k].ptr, arrays[k].size, arrays[k].per, WE_GROUP);
}

/* ---- to rank 0 ------------------------------------------------------------------ */

/* The events each rank logged for its own neighbourhoods replace rank 0's
 * rows for them (rank 0 logged only the replicated phases' rows there);
 * the other ranks' logs are emptied. */
static void gather_events(cw_sim *sim)
{
    struct sim_dist *d = sim->dist;
    event_log *log = &sim->log;
    gather_shares(sim, log->count, sizeof *log->count, 1, WE_NBHD);
    int b0 = d->cut[d->rank], b1 = d->cut[d->rank + 1];
    size_t mine = 0;
    for (int b = b0; b < b1; b++) mine += log->count[b];
    event_row *pack = malloc((mine + 1) * sizeof *pack), *all = NULL;
    size_t k = 0;
    for (int b = b0; pack && b < b1; b++)
        for (uint32_t r = 0; r < log->count[b]; r++) pack[k++] = log->rows[(size_t)b * log->cap + r];
    int total = 0;
    if (d->rank == 0)
        for (int r = 0; r < d->size; r++) {
            int n = 0;
            for (int b = d->cut[r]; b < d->cut[r + 1]; b++) n += (int)log->count[b];
            d->cnt[r] = n, d->disp[r] = total, total += n;
        }
    if (d->rank == 0) all = malloc(((size_t)total + 1) * sizeof *all);
    MPI_Datatype t = entity_type(sizeof(event_row), 1);
    MPI_Gatherv(pack, (int)mine, t, all, d->cnt, d->disp, t, 0, d->comm);
    MPI_Type_free(&t);
    if (d->rank == 0 && all) {
        k = 0;
        for (int b = 0; b < log->n_nbhd; b++)
            for (uint32_t r = 0; r < log->count[b]; r++, k++)
                if (b >= b1) log->rows[(size_t)b * log->cap + r] = all[k];
    } else if (d->rank != 0) {
        memset(log->count, 0, ((size_t)log->n_nbhd + 1) * sizeof *log->count);
    }
    free(all);
    free(pack);
}

void dist_gather_week(cw_sim *sim)
{
    if (!sim->dist) return;
    metrics_frame *f = &sim->frame;
    for (int m = 0; m < METRIC_COUNT; m++) {
        if (metrics_table[m].area) continue;
        size_t per = metrics_len(f, (enum metric_id)m) / (size_t)(f->n_nbhd ? f->n_nbhd : 1);
        gather_shares(sim, f->values[m], sizeof(float), per, WE_NBHD);
    }
    gather_shares(sim, sim->obs.nbhd, sizeof *sim->obs.nbhd, 1, WE_NBHD);
    gather_shares(sim, sim->help.sums, sizeof *sim->help.sums, 1, WE_NBHD);
    gather_events(sim);
}

void dist_gather_world(cw_sim *sim)
{
    if (!sim->dist) return;
    world_array arrays[WORLD_MAX_ARRAYS];
    size_t n = world_arrays(&sim->w, arrays, WORLD_MAX_ARRAYS);
    for (size_t k = 0; k < n; k++)
        if (arrays[k].entity != WE_OTHER && !arrays[k].strings)
            gather_shares(sim, *arrays[k].ptr, arrays[k].size, arrays[k].per, arrays[k].entity);
}

/* ---- the handle --------------------------------------------------------------------- */

int dist_is_root(const cw_sim *sim) { return !sim->dist || sim->dist->rank == 0; }
int cw_sim_rank(const cw_sim *sim) { return sim && sim->dist ? sim->dist->rank : 0; }
int cw_sim_ranks(const cw_sim *sim) { return sim && sim->dist ? sim->dist->size : 1; }

void dist_free(cw_sim *sim)
{
    struct sim_dist *d = sim->dist;
    if (!d) return;
    void *arrays[] = {d->cut, d->cnt, d->disp, d->send_n, d->send_at, d->recv_n, d->recv_at,
                      d->send_ids, d->recv_ids, d->sendbuf, d->recvbuf};
    for (size_t k = 0; k < sizeof arrays / sizeof arrays[0]; k++) free(arrays[k]);
    if (d->comm != MPI_COMM_NULL) MPI_Comm_free(&d->comm);
    free(d);
    sim->dist = NULL;
    sim->w.own_nbhd_begin = sim->w.own_nbhd_end = 0;
}

cw_status cw_sim_distribute(cw_sim *sim, MPI_Comm comm)
{
    if (sim->dist) {
        snprintf(sim->errmsg, sizeof sim->errmsg, "the simulation is distributed already");
        return CW_ESTATE;
    }
    struct sim_dist *d = calloc(1, sizeof *d);
    if (!d) return CW_ENOMEM;
    sim->dist = d;
    d->comm = MPI_COMM_NULL;
    MPI_Comm_dup(comm, &d->comm);
    MPI_Comm_rank(d->comm, &d->rank);
    MPI_Comm_size(d->comm, &d->size);
    size_t n = (size_t)d->size;
    d->cut = calloc(n + 1, sizeof *d->cut);
    int **ints[] = {&d->cnt, &d->disp, &d->send_n, &d->send_at, &d->recv_n, &d->recv_at};
    for (size_t k = 0; k < sizeof ints / sizeof ints[0]; k++) *ints[k] = calloc(n, sizeof(int));
    if (!d->cut || !d->cnt || !d->disp || !d->send_n || !d->send_at || !d->recv_n || !d->recv_at) {
        dist_free(sim);
        snprintf(sim->errmsg, sizeof sim->errmsg, "out of memory distributing over %zu ranks", n);
        return CW_ENOMEM;
    }
    int by_la;
    cw_status st = partition_by_residents(sim->w.nbhd_first, sim->w.nbhd_la, sim->w.n_nbhd, d->size, d->cut,
                                          &by_la, sim->errmsg, sizeof sim->errmsg);
    if (st == CW_OK) {
        sim->w.own_nbhd_begin = d->cut[d->rank];
        sim->w.own_nbhd_end = d->cut[d->rank + 1];
        st = build_ghosts(sim);
    }
    if (st != CW_OK) {
        char msg[sizeof sim->errmsg];
        memcpy(msg, sim->errmsg, sizeof msg);
        dist_free(sim);
        memcpy(sim->errmsg, msg, sizeof msg);
    }
    return st;
}

cw_status cw_sim_resume_distributed(const char *path, const cw_options *opt, MPI_Comm comm, cw_sim **out)
{
    int rank;
    MPI_Comm_rank(comm, &rank);
    cw_status st = sim_resume(path, opt, rank == 0, out);
    /* rank 0 alone reopens the output: every rank must know it failed before
     * cw_sim_distribute's collectives */
    int mine = (int)st, worst;
    MPI_Allreduce(&mine, &worst, 1, MPI_INT, MPI_MAX, comm);
    if (worst != CW_OK) {
        if (st == CW_OK) snprintf((*out)->errmsg, sizeof (*out)->errmsg, "another rank could not resume %s", path);
        return st != CW_OK ? st : (cw_status)worst;
    }
    return cw_sim_distribute(*out, comm);
}
