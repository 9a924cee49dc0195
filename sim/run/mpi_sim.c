/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * A simulation spread over MPI ranks (docs/MPI.md, include/commonweal/
 * commonweal_mpi.h).
 *
 * Design: each rank holds and steps a contiguous range of neighbourhoods
 * (world.own_nbhd_begin/end) and only their residents (world.res_base,
 * n_res), plus "ghosts": copies of the residents of other ranks that its
 * residents have ties to, in the few arrays the phases read across a tie.
 * Every random draw is keyed by global numbers and every float is computed
 * by the same code in the same order as in a one-process run. Set-up's
 * global steps go through world_comm (household numbering, the income
 * quintiles, ties between ranks); what one rank's phases read of another's
 * within a week is exchanged at fixed points:
 *  - ghosts: the asks of tie targets before the offers, the offers
 *    (give_to, give_hours) before allocation and the social phase; the lists
 *    are fixed at set-up, since ties never change ends;
 *  - the LA escalation pools: every neighbourhood's reports (allgather),
 *    then every rank runs the pools for all LAs, identically;
 *  - the money phase reads every group (competitive rounds draw over all of
 *    them): the group arrays (small) are allgathered and every rank runs it;
 *  - rank 0 gathers the per-neighbourhood metrics, the sums the area metrics
 *    come from, and the events, and reduces them in index order;
 *  - snapshots and checkpoints: every rank's share of every array streams
 *    to rank 0 in order, which writes exactly what one process would,
 *    holding one share of one array at a time.
 */
#include <mpi.h>
#include <stdlib.h>
#include <string.h>

#include "commonweal/commonweal_mpi.h"
#include "partition.h"
#include "sim_int.h"

#define TAG_STREAM 0x5354  /* shares streaming to rank 0 */
#define STREAM_CHUNK (32u << 20) /* bytes a message carries at most */
/* give_to of a ghost who gives to someone this rank does not hold: never
 * equal to a local index (those are < n_res + n_ghost) */
#define ELSEWHERE (NO_RESIDENT - 1)

struct sim_dist {
    MPI_Comm comm;
    int rank, size;
    int *cut;                   /* [size+1]: rank r holds [cut[r], cut[r+1])  */
    uint32_t *first;            /* [size+1]: ... residents [first[r], first[r+1]) */
    world_comm wc;              /* set-up's global steps (world_comm.h)       */
    int *cnt, *disp;            /* [size] scratch for the v-collectives       */
    int *send_n, *send_at;      /* [size] ghosts: residents sent to rank q    */
    int *recv_n, *recv_at;      /* [size] ... received from rank q            */
    uint32_t *send_ids;         /* local indices of the residents sent        */
    unsigned char *sendbuf, *recvbuf; /* 4 bytes per ghost entry              */
};

/* ---- entity ranges ------------------------------------------------------------ */

/* First index of rank r's share of a whole-on-every-rank entity. */
static size_t share_begin(const cw_sim *sim, int entity, int r)
{
    const world *w = &sim->w;
    int b = sim->dist->cut[r];
    return entity == WE_GROUP ? w->nbhd_group_first[b] : (size_t)b;
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

/* ---- set-up's global steps (world_comm) ------------------------------------------ */

static void wc_sum_u64(const world_comm *c, uint64_t *counts, size_t n)
{
    const struct sim_dist *d = c->ctx;
    for (size_t at = 0; at < n; at += 1u << 20) { /* int counts */
        size_t k = n - at < (1u << 20) ? n - at : 1u << 20;
        MPI_Allreduce(MPI_IN_PLACE, counts + at, (int)k, MPI_UINT64_T, MPI_SUM, d->comm);
    }
}

static void wc_share_nbhd_u32(const world_comm *c, uint32_t *per_nbhd)
{
    const struct sim_dist *d = c->ctx;
    for (int r = 0; r < d->size; r++) d->disp[r] = d->cut[r], d->cnt[r] = d->cut[r + 1] - d->cut[r];
    MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, per_nbhd, d->cnt, d->disp, MPI_UINT32_T, d->comm);
}

static cw_status wc_exchange(const world_comm *c, const void *send, const size_t *send_n, size_t size,
                             void **recv, size_t *recv_n)
{
    const struct sim_dist *d = c->ctx;
    int n = d->size;
    long long *sn = calloc((size_t)n, sizeof *sn), *rn = calloc((size_t)n, sizeof *rn);
    int *sc = malloc((size_t)n * sizeof *sc), *sd = malloc((size_t)n * sizeof *sd);
    int *rc = malloc((size_t)n * sizeof *rc), *rd = malloc((size_t)n * sizeof *rd);
    cw_status st = CW_ENOMEM;
    *recv = NULL;
    if (!sn || !rn || !sc || !sd || !rc || !rd) goto out;
    for (int q = 0; q < n; q++) sn[q] = (long long)send_n[q];
    MPI_Alltoall(sn, 1, MPI_LONG_LONG, rn, 1, MPI_LONG_LONG, d->comm);
    long long ts = 0, tr = 0;
    for (int q = 0; q < n; q++) sd[q] = (int)ts, sc[q] = (int)sn[q], ts += sn[q];
    for (int q = 0; q < n; q++) rd[q] = (int)tr, rc[q] = (int)rn[q], tr += rn[q], recv_n[q] = (size_t)rn[q];
    int ok = ts < INT32_MAX && tr < INT32_MAX, all_ok; /* displacements are ints, in records */
    MPI_Allreduce(&ok, &all_ok, 1, MPI_INT, MPI_MIN, d->comm);
    if (!all_ok) {
        st = CW_ETOOBIG;
        goto out;
    }
    *recv = malloc((size_t)tr * size + 1);
    int have = *recv != NULL, all_have;
    MPI_Allreduce(&have, &all_have, 1, MPI_INT, MPI_MIN, d->comm);
    if (!all_have) goto out;
    MPI_Datatype t = entity_type(size, 1);
    MPI_Alltoallv(send, sc, sd, t, *recv, rc, rd, t, d->comm);
    MPI_Type_free(&t);
    st = CW_OK;
out:
    if (st) {
        free(*recv);
        *recv = NULL;
    }
    free(sn), free(rn), free(sc), free(sd), free(rc), free(rd);
    return st;
}

/* ---- the share each rank holds ------------------------------------------------ */

/* sim_partition_fn: rank r of *(MPI_Comm *)ctx holds the r-th of the
 * ranges partition_by_residents cuts. Every rank calls it with the same
 * neighbourhoods, so every rank reaches the same verdict. */
static cw_status dist_partition(cw_sim *sim, void *ctx)
{
    MPI_Comm comm = *(MPI_Comm *)ctx;
    struct sim_dist *d = calloc(1, sizeof *d);
    if (!d) return CW_ENOMEM;
    sim->dist = d;
    d->comm = MPI_COMM_NULL;
    MPI_Comm_dup(comm, &d->comm);
    MPI_Comm_rank(d->comm, &d->rank);
    MPI_Comm_size(d->comm, &d->size);
    size_t n = (size_t)d->size;
    d->cut = calloc(n + 1, sizeof *d->cut);
    d->first = calloc(n + 1, sizeof *d->first);
    int **ints[] = {&d->cnt, &d->disp, &d->send_n, &d->send_at, &d->recv_n, &d->recv_at};
    for (size_t k = 0; k < sizeof ints / sizeof ints[0]; k++) *ints[k] = calloc(n, sizeof(int));
    if (!d->cut || !d->first || !d->cnt || !d->disp || !d->send_n || !d->send_at || !d->recv_n || !d->recv_at) {
        snprintf(sim->errmsg, sizeof sim->errmsg, "out of memory distributing over %zu ranks", n);
        return CW_ENOMEM;
    }
    world *w = &sim->w;
    int by_la;
    cw_status st = partition_by_residents(w->nbhd_first, w->nbhd_la, w->n_nbhd, d->size, d->cut, &by_la,
                                          sim->errmsg, sizeof sim->errmsg);
    if (st) return st;
    for (size_t r = 0; r <= n; r++) d->first[r] = w->nbhd_first[d->cut[r]];
    w->own_nbhd_begin = d->cut[d->rank];
    w->own_nbhd_end = d->cut[d->rank + 1];
    w->res_base = d->first[d->rank];
    w->n_res = d->first[d->rank + 1] - d->first[d->rank];
    d->wc = (world_comm){.ctx = d, .rank = d->rank, .ranks = d->size, .cut = d->cut, .first = d->first,
                         .sum_u64 = wc_sum_u64, .share_nbhd_u32 = wc_share_nbhd_u32, .exchange = wc_exchange};
    return CW_OK;
}

const world_comm *dist_world_comm(const cw_sim *sim) { return sim->dist ? &sim->dist->wc : NULL; }

/* ---- ghosts: ties between ranks ------------------------------------------------ */

/* Received: the ghosts, in order (by global number, so by rank). Sent: this
 * rank's residents with a tie into rank q, by index. Ties are symmetric
 * (each edge is in both rows), so what q sends here is exactly the ghosts
 * this rank holds of q, in the same order. */
static cw_status build_ghosts(cw_sim *sim)
{
    struct sim_dist *d = sim->dist;
    const world *w = &sim->w;
    uint32_t *last = malloc((size_t)d->size * sizeof *last);
    if (!last) goto out_nomem;
    for (int q = 0, g = 0; q < d->size; q++) {
        d->recv_at[q] = g;
        while ((uint32_t)g < w->n_ghost && w->ghost_gid[g] < d->first[q + 1]) g++;
        d->recv_n[q] = g - d->recv_at[q];
        d->send_n[q] = 0;
        last[q] = UINT32_MAX;
    }
    for (int pass = 0; pass < 2; pass++) { /* count, then list: each resident once per rank it ties into */
        int *fill = d->cnt;                 /* scratch */
        for (int q = 0; q < d->size; q++) fill[q] = d->send_at[q], last[q] = UINT32_MAX;
        for (uint32_t i = 0; i < w->n_res; i++)
            for (uint32_t k = w->tie_offset[i]; k < w->tie_offset[i + 1]; k++) {
                uint32_t t = w->tie_target[k];
                if (t < w->n_res) continue;
                int q = world_comm_rank_of(&d->wc, w->ghost_gid[t - w->n_res]);
                if (last[q] == i) continue;
                last[q] = i;
                if (pass == 0) d->send_n[q]++;
                else d->send_ids[fill[q]++] = i;
            }
        if (pass == 0) {
            size_t n_send = 0;
            for (int q = 0; q < d->size; q++) d->send_at[q] = (int)n_send, n_send += (size_t)d->send_n[q];
            d->send_ids = malloc((n_send + 1) * sizeof *d->send_ids);
            d->sendbuf = malloc((n_send + 1) * 4);
            d->recvbuf = malloc(((size_t)w->n_ghost + 1) * 4);
            if (!d->send_ids || !d->sendbuf || !d->recvbuf) goto out_nomem;
        }
    }
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
    for (int k = 0; k < total_send; k++) memcpy(d->sendbuf + (size_t)k * size, f + (size_t)d->send_ids[k] * size, size);
    MPI_Datatype t = entity_type(size, 1);
    MPI_Alltoallv(d->sendbuf, d->send_n, d->send_at, t, d->recvbuf, d->recv_n, d->recv_at, t, d->comm);
    MPI_Type_free(&t);
    memcpy(f + (size_t)sim->w.n_res * size, d->recvbuf, (size_t)sim->w.n_ghost * size);
}

/* give_to holds local indices: it travels as global numbers and lands as
 * the receiver's local index of the one helped, or ELSEWHERE. */
static void exchange_give_to(cw_sim *sim)
{
    world *w = &sim->w;
    struct sim_dist *d = sim->dist;
    int total_send = d->send_at[d->size - 1] + d->send_n[d->size - 1];
    uint32_t *out = (uint32_t *)d->sendbuf, *in = (uint32_t *)d->recvbuf;
    for (int k = 0; k < total_send; k++) out[k] = world_global_id(w, w->give_to[d->send_ids[k]]);
    MPI_Alltoallv(out, d->send_n, d->send_at, MPI_UINT32_T, in, d->recv_n, d->recv_at, MPI_UINT32_T, d->comm);
    for (uint32_t g = 0; g < w->n_ghost; g++) {
        uint32_t to = in[g];
        w->give_to[w->n_res + g] = to == NO_RESIDENT ? NO_RESIDENT : to - w->res_base < w->n_res ? to - w->res_base : ELSEWHERE;
    }
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
    exchange_give_to(sim);
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

/* ---- streaming shares to rank 0 -------------------------------------------------- */

/* Rows of one rank's share, written into out (translating ids, rebasing
 * offsets) or, with no fill, read in place. */
typedef struct share_src {
    const unsigned char *data;
    size_t row_bytes, rows;
    const world *w;
    uint32_t add; /* tie_offset: this rank's first tie */
    void (*fill)(const struct share_src *s, size_t at, size_t k, void *out);
} share_src;

static void fill_ids(const share_src *s, size_t at, size_t k, void *out)
{
    const uint32_t *in = (const uint32_t *)s->data + at;
    uint32_t *o = out;
    for (size_t j = 0; j < k; j++) o[j] = world_global_id(s->w, in[j]);
}

static void fill_offsets(const share_src *s, size_t at, size_t k, void *out)
{
    const uint32_t *in = (const uint32_t *)s->data + at;
    uint32_t *o = out;
    for (size_t j = 0; j < k; j++) o[j] = in[j] + s->add;
}

/* Hand rows [at, at+k) of src to f: in place, or filled into buf. */
static const void *share_rows(const share_src *src, size_t at, size_t k, void *buf)
{
    if (!src->fill) return src->data + at * src->row_bytes;
    src->fill(src, at, k, buf);
    return buf;
}

/* Rank 0 puts its share, then every other rank's in rank order (received
 * in chunks of whole rows); the other ranks send theirs. */
static void stream_share(cw_sim *sim, const share_src *src, stream_put_fn put, void *ctx)
{
    struct sim_dist *d = sim->dist;
    size_t per_chunk = STREAM_CHUNK / src->row_bytes ? STREAM_CHUNK / src->row_bytes : 1;
    void *buf = malloc(per_chunk * src->row_bytes);
    if (!buf) {
        fprintf(stderr, "commonweal: rank %d: out of memory sending its share to rank 0\n", d->rank);
        MPI_Abort(d->comm, 70);
    }
    if (d->rank != 0) {
        uint64_t n = src->rows;
        MPI_Send(&n, 1, MPI_UINT64_T, 0, TAG_STREAM, d->comm);
        for (size_t at = 0; at < src->rows; at += per_chunk) {
            size_t k = src->rows - at < per_chunk ? src->rows - at : per_chunk;
            MPI_Send(share_rows(src, at, k, buf), (int)(k * src->row_bytes), MPI_BYTE, 0, TAG_STREAM, d->comm);
        }
        free(buf);
        return;
    }
    for (size_t at = 0; at < src->rows; at += per_chunk) {
        size_t k = src->rows - at < per_chunk ? src->rows - at : per_chunk;
        put(ctx, share_rows(src, at, k, buf), k * src->row_bytes);
    }
    for (int r = 1; r < d->size; r++) {
        uint64_t n;
        MPI_Recv(&n, 1, MPI_UINT64_T, r, TAG_STREAM, d->comm, MPI_STATUS_IGNORE);
        for (uint64_t at = 0; at < n; at += per_chunk) {
            size_t k = (size_t)(n - at < per_chunk ? n - at : per_chunk);
            MPI_Recv(buf, (int)(k * src->row_bytes), MPI_BYTE, r, TAG_STREAM, d->comm, MPI_STATUS_IGNORE);
            put(ctx, buf, k * src->row_bytes);
        }
    }
    free(buf);
}

void dist_stream_rows(cw_sim *sim, const void *mine, size_t row_bytes, size_t rows, stream_put_fn put, void *ctx)
{
    if (!sim->dist) {
        if (rows) put(ctx, mine, rows * row_bytes);
        return;
    }
    share_src src = {.data = mine, .row_bytes = row_bytes, .rows = rows, .w = &sim->w};
    stream_share(sim, &src, put, ctx);
}

void dist_put_array(cw_sim *sim, const world_array *a, stream_put_fn put, void *ctx)
{
    struct sim_dist *d = sim->dist;
    const world *w = &sim->w;
    if (!d) {
        if (a->count) put(ctx, *a->ptr, a->size * a->count);
        return;
    }
    share_src src = {.data = *a->ptr, .row_bytes = a->size * (a->per ? a->per : 1), .w = w};
    switch (a->entity) {
    case WE_NBHD:
    case WE_GROUP: {
        size_t b = share_begin(sim, a->entity, d->rank), e = share_begin(sim, a->entity, d->rank + 1);
        src.data += b * src.row_bytes;
        src.rows = e - b;
        break;
    }
    case WE_RESIDENT: src.rows = w->n_res; break;
    case WE_TIE: src.rows = w->n_ties; break;
    case WE_TIE_OFFSET: {
        unsigned long long mine = w->n_ties, before = 0;
        MPI_Exscan(&mine, &before, 1, MPI_UNSIGNED_LONG_LONG, MPI_SUM, d->comm);
        src.add = d->rank == 0 ? 0 : (uint32_t)before;
        src.rows = w->n_res + (d->rank == d->size - 1); /* the end of the last row, once */
        src.fill = fill_offsets;
        break;
    }
    default: /* whole on every rank: rank 0's */
        if (d->rank == 0) put(ctx, *a->ptr, a->size * a->count);
        return;
    }
    if (a->ids) src.fill = fill_ids;
    stream_share(sim, &src, put, ctx);
}

uint64_t dist_sum_u64(cw_sim *sim, uint64_t v)
{
    if (!sim->dist) return v;
    unsigned long long in = v, out = 0;
    MPI_Allreduce(&in, &out, 1, MPI_UNSIGNED_LONG_LONG, MPI_SUM, sim->dist->comm);
    return out;
}

/* ---- the handle --------------------------------------------------------------------- */

int dist_is_root(const cw_sim *sim) { return !sim->dist || sim->dist->rank == 0; }
int cw_sim_rank(const cw_sim *sim) { return sim && sim->dist ? sim->dist->rank : 0; }
int cw_sim_ranks(const cw_sim *sim) { return sim && sim->dist ? sim->dist->size : 1; }

void dist_free(cw_sim *sim)
{
    struct sim_dist *d = sim->dist;
    if (!d) return;
    void *arrays[] = {d->cut, d->first, d->cnt, d->disp, d->send_n, d->send_at, d->recv_n, d->recv_at,
                      d->send_ids, d->sendbuf, d->recvbuf};
    for (size_t k = 0; k < sizeof arrays / sizeof arrays[0]; k++) free(arrays[k]);
    if (d->comm != MPI_COMM_NULL) MPI_Comm_free(&d->comm);
    free(d);
    sim->dist = NULL;
}

/* Once the share is built or restored: the ghost lists, and the ghosts'
 * households (fixed: a newcomer takes a leaver's household). Every rank
 * reaches this, whatever happened before, so that the collectives match;
 * the worst status wins everywhere. */
static cw_status connect_ranks(cw_sim *sim, MPI_Comm comm, cw_status st)
{
    int mine = (int)st, worst;
    MPI_Allreduce(&mine, &worst, 1, MPI_INT, MPI_MAX, comm);
    if (worst != CW_OK) {
        if (st == CW_OK) snprintf(sim->errmsg, sizeof sim->errmsg, "another MPI rank failed to set up");
        return st != CW_OK ? st : (cw_status)worst;
    }
    if ((st = build_ghosts(sim))) return st;
    exchange_ghosts(sim, sim->w.household, sizeof *sim->w.household);
    return CW_OK;
}

/* After sim_create or sim_resume on every rank. A failure of the input
 * (bad scenario, too many ranks, a damaged checkpoint) is the same on every
 * rank and returned by all. Any other failure while building or reading a
 * share (out of memory) strikes one rank between collectives the others are
 * waiting in: it ends the job, with the message. */
static cw_status finish(cw_sim *sim, MPI_Comm comm, cw_status st)
{
    if (!sim) return st;
    if (st != CW_OK && st != CW_EINVAL && sim->w.own_nbhd_end != 0) {
        int rank;
        MPI_Comm_rank(comm, &rank);
        fprintf(stderr, "commonweal: rank %d: %s\n", rank, sim->errmsg[0] ? sim->errmsg : cw_strstatus(st));
        MPI_Abort(comm, 70);
    }
    if (!sim->dist || st != CW_OK) {
        int mine = (int)st, worst;
        MPI_Allreduce(&mine, &worst, 1, MPI_INT, MPI_MAX, comm);
        return st;
    }
    return connect_ranks(sim, comm, st);
}

cw_status cw_sim_create_distributed(const cw_scenario *sc, const cw_options *opt, MPI_Comm comm, cw_sim **out)
{
    cw_status st = sim_create(sc, opt, dist_partition, &comm, out);
    return finish(*out, comm, st);
}

cw_status cw_sim_resume_distributed(const char *path, const cw_options *opt, MPI_Comm comm, cw_sim **out)
{
    int rank;
    MPI_Comm_rank(comm, &rank);
    cw_status st = sim_resume(path, opt, rank == 0, dist_partition, &comm, out);
    return finish(*out, comm, st);
}
