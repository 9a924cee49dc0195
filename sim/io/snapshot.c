/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * Snapshots of residents and groups (see snapshot.h). One table of fields
 * per entity drives the writing and docs/OUTPUT.md.
 */
#include "snapshot.h"

#include "output.h"

#include "mathx.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int by_week(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

cw_status snapshot_parse_weeks(const char *spec, int32_t first, int32_t last, int32_t *weeks, int *n,
                               char *err, size_t errlen)
{
    *n = 0;
    const char *s = spec;
    while (*s == ' ') s++;
    while (*s) { /* entries separated by one comma each, spaces around them */
        while (*s == ' ') s++;
        if (*s == ',' || !*s) {
            snprintf(err, errlen, "output.snapshot_weeks: an empty entry in \"%s\" (two commas, or a comma at "
                     "an end; give weeks like \"0, 52, 519\")", spec);
            return CW_EINVAL;
        }
        char *end;
        errno = 0;
        long v = strtol(s, &end, 10);
        size_t len = strcspn(s, ", ");
        if (end == s || end != s + len || errno) {
            snprintf(err, errlen, "output.snapshot_weeks: '%.*s' is not a week number (give weeks like \"0, 52, 519\")",
                     (int)len, s);
            return CW_EINVAL;
        }
        if (v < first || v > last) {
            snprintf(err, errlen, "output.snapshot_weeks: week %ld is outside the run (weeks %d to %d; burn-in weeks are negative)",
                     v, first, last);
            return CW_EINVAL;
        }
        if (*n == SNAPSHOT_MAX_WEEKS) {
            snprintf(err, errlen, "output.snapshot_weeks: more than %d weeks", SNAPSHOT_MAX_WEEKS);
            return CW_EINVAL;
        }
        weeks[(*n)++] = (int32_t)v;
        s = end;
        while (*s == ' ') s++;
        if (*s == ',') s++;
        else if (*s) {
            snprintf(err, errlen, "output.snapshot_weeks: '%s' where a comma belongs", s);
            return CW_EINVAL;
        }
        if (*s == '\0' && s[-1] == ',') {
            snprintf(err, errlen, "output.snapshot_weeks: an empty entry in \"%s\" (two commas, or a comma at "
                     "an end; give weeks like \"0, 52, 519\")", spec);
            return CW_EINVAL;
        }
    }
    qsort(weeks, (size_t)*n, sizeof *weeks, by_week);
    for (int k = 1; k < *n; k++)
        if (weeks[k - 1] == weeks[k]) {
            snprintf(err, errlen, "output.snapshot_weeks: week %d is listed twice", (int)weeks[k]);
            return CW_EINVAL;
        }
    return CW_OK;
}

/* CF-1.8 flag attributes of a bit field (flag_masks, flag_meanings), from
 * the dims table (dims_mask_flags), so that cf_xarray and ncdump decode it. */
typedef struct flags {
    char meanings[512];
    uint8_t masks[8];
    int n;
} flags;

/* One field: its name, the array, its HDF5 type, values per entity, unit and
 * meaning, and for a bit field its flags (else NULL). */
typedef struct field {
    const char *name;
    const void *data;
    hid_t type;
    hsize_t per;
    const char *units, *doc;
    const flags *flags;
} field;

#define H5TYPE(p)                                                                                  \
    _Generic((p), float *: H5T_NATIVE_FLOAT, uint8_t *: H5T_NATIVE_UINT8, uint16_t *: H5T_NATIVE_UINT16, \
             uint32_t *: H5T_NATIVE_UINT32, int32_t *: H5T_NATIVE_INT32)
#define FIELD(name, arr, per, units, doc) {name, arr, H5TYPE(arr), per, units, doc, NULL}
#define BITS(name, arr, doc, fl) {name, arr, H5TYPE(arr), 1, "1", doc, fl}

static int put_flag_attrs(hid_t d, const flags *fl)
{
    hsize_t n = (hsize_t)fl->n;
    hid_t space = H5Screate_simple(1, &n, NULL);
    hid_t a = space < 0 ? -1 : H5Acreate2(d, "flag_masks", H5T_NATIVE_UINT8, space, H5P_DEFAULT, H5P_DEFAULT);
    int ok = a >= 0 && H5Awrite(a, H5T_NATIVE_UINT8, fl->masks) >= 0;
    if (a >= 0) H5Aclose(a);
    if (space >= 0) H5Sclose(space);
    return ok;
}

static int put_text_attr(hid_t obj, const char *name, const char *text)
{
    hid_t type = H5Tcopy(H5T_C_S1), space = H5Screate(H5S_SCALAR);
    H5Tset_size(type, strlen(text) + 1);
    hid_t a = H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    int ok = a >= 0 && H5Awrite(a, type, text) >= 0;
    if (a >= 0) H5Aclose(a);
    H5Sclose(space);
    H5Tclose(type);
    return ok;
}

static hid_t create_field(hid_t group, const field *f, hsize_t n, int compression)
{
    hsize_t dims[2] = {n, f->per}, chunk[2] = {n < 65536 ? n : 65536, f->per};
    int rank = f->per > 1 ? 2 : 1;
    hid_t space = H5Screate_simple(rank, dims, NULL), dcpl = H5Pcreate(H5P_DATASET_CREATE);
    if (n > 0) {
        H5Pset_chunk(dcpl, rank, chunk);
        if (compression > 0) {
            H5Pset_shuffle(dcpl);
            H5Pset_deflate(dcpl, (unsigned)compression);
        }
    }
    hid_t d = H5Dcreate2(group, f->name, f->type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    if (d >= 0 && (!put_text_attr(d, "units", f->units) || !put_text_attr(d, "long_name", f->doc) ||
                   (f->flags && (!put_flag_attrs(d, f->flags) ||
                                 !put_text_attr(d, "flag_meanings", f->flags->meanings))))) {
        H5Dclose(d);
        d = -1;
    }
    H5Pclose(dcpl);
    H5Sclose(space);
    return d;
}

/* Where the streamed rows of one field go: the next rows of dataset d. */
typedef struct slab_writer {
    hid_t d, type;
    hsize_t at, per;
    size_t row_bytes;
    int ok;
} slab_writer;

static void put_slab(void *ctx, const void *p, size_t n)
{
    slab_writer *sw = ctx;
    hsize_t rows = n / sw->row_bytes, start[2] = {sw->at, 0}, count[2] = {rows, sw->per};
    sw->at += rows;
    if (!sw->ok || rows == 0) return;
    int rank = sw->per > 1 ? 2 : 1;
    hid_t file_space = H5Dget_space(sw->d), mem_space = H5Screate_simple(rank, count, NULL);
    sw->ok = file_space >= 0 && mem_space >= 0 &&
             H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start, NULL, count, NULL) >= 0 &&
             H5Dwrite(sw->d, sw->type, mem_space, file_space, H5P_DEFAULT, p) >= 0;
    if (mem_space >= 0) H5Sclose(mem_space);
    if (file_space >= 0) H5Sclose(file_space);
}

/* A table's fields, n_total rows, each process's share streamed in order
 * (the residents), or all of them from here (the whole stream). Every
 * process walks every field (the streams are collective); only the writer
 * (parent >= 0) touches the file. */
static int write_streamed(hid_t parent, const char *name, const field *fields, size_t n_fields, hsize_t n_total,
                          size_t n_mine, int compression, const snapshot_stream *stream)
{
    hid_t g = parent >= 0 ? H5Gcreate2(parent, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT) : -1;
    int ok = parent < 0 || g >= 0;
    for (size_t k = 0; k < n_fields; k++) {
        const field *f = &fields[k];
        slab_writer sw = {.d = ok && g >= 0 ? create_field(g, f, n_total, compression) : -1, .type = f->type,
                          .per = f->per, .row_bytes = H5Tget_size(f->type) * f->per};
        sw.ok = sw.d >= 0;
        stream->rows(stream->ctx, f->data, sw.row_bytes, n_mine, put_slab, &sw);
        if (parent >= 0) ok = ok && sw.ok && sw.at == n_total;
        if (sw.d >= 0) H5Dclose(sw.d);
    }
    if (g >= 0) H5Gclose(g);
    return ok;
}

/* One process holding every resident: its rows are all of them. */
static void rows_in_place(void *ctx, const void *mine, size_t row_bytes, size_t rows,
                          void (*put)(void *, const void *, size_t), void *put_ctx)
{
    (void)ctx;
    if (rows) put(put_ctx, mine, rows * row_bytes);
}

/* The neighbourhood of each resident and of each group slot, and each
 * resident's number of ties and of strong ties (weight at least
 * strong_weight, as mean_tie_degree counts them): derived columns that make
 * the tables usable on their own. */
typedef struct derived {
    int32_t *res_nbhd, *group_nbhd;
    uint16_t *degree, *strong;
} derived;

static int derive(const world *w, double strong_weight, derived *d)
{
    d->res_nbhd = output_malloc((w->n_res ? w->n_res : 1) * sizeof *d->res_nbhd);
    d->group_nbhd = output_malloc((w->n_groups ? w->n_groups : 1) * sizeof *d->group_nbhd);
    d->degree = output_malloc((w->n_res ? w->n_res : 1) * sizeof *d->degree);
    d->strong = output_malloc((w->n_res ? w->n_res : 1) * sizeof *d->strong);
    if (!d->res_nbhd || !d->group_nbhd || !d->degree || !d->strong) return 0;
    for (int b = 0; b < w->n_nbhd; b++)
        for (uint32_t k = w->nbhd_group_first[b]; k < w->nbhd_group_first[b + 1]; k++) d->group_nbhd[k] = b;
    for (int b = world_own_nbhd_begin(w); b < world_own_nbhd_end(w); b++) {
        uint32_t first = world_first(w, b), end = first + world_nbhd_residents(w, b);
        for (uint32_t i = first; i < end; i++) d->res_nbhd[i] = b;
    }
    float min_weight = cw_float_at_or_above(strong_weight);
    for (uint32_t i = 0; i < w->n_res; i++) {
        uint32_t deg = w->tie_offset[i + 1] - w->tie_offset[i];
        d->degree[i] = (uint16_t)(deg < UINT16_MAX ? deg : UINT16_MAX);
        uint32_t strong = 0;
        for (uint32_t k = w->tie_offset[i]; k < w->tie_offset[i + 1]; k++) strong += w->tie_weight[k] >= min_weight;
        d->strong[i] = (uint16_t)(strong < UINT16_MAX ? strong : UINT16_MAX);
    }
    return 1;
}

static void derived_free(derived *d)
{
    free(d->res_nbhd);
    free(d->group_nbhd);
    free(d->degree);
    free(d->strong);
}

cw_status snapshot_write(hid_t file, const world *w, int32_t week, int compression, double strong_weight,
                         const snapshot_stream *stream, char *err, size_t errlen)
{
    const snapshot_stream whole = {rows_in_place, NULL};
    if (!stream) stream = &whole;
    derived d = {0};
    if (!derive(w, strong_weight, &d)) { /* a rank short of memory here cannot join the streams: the caller ends the job */
        derived_free(&d);
        snprintf(err, errlen, "out of memory writing the snapshot of week %d", week);
        return CW_ENOMEM;
    }
    char unmet_doc[256], helped_doc[256], flags_doc[256], ineffective_doc[256], ineffective_by_doc[256];
    dims_mask_doc(unmet_doc, sizeof unmet_doc, "s: the need in sector s was not relieved this week", sector_names,
                  N_SECTORS);
    dims_mask_doc(ineffective_doc, sizeof ineffective_doc,
                  "s: the need in sector s got hours this week but was not relieved", sector_names, N_SECTORS);
    dims_mask_doc(ineffective_by_doc, sizeof ineffective_by_doc,
                  "r: route r gave hours to a need that was not relieved this week", route_names, N_ROUTES);
    dims_mask_doc(helped_doc, sizeof helped_doc, "r: helped by route r this week", route_names, N_ROUTES);
    dims_social_flags_doc(flags_doc, sizeof flags_doc);
    flags unmet_fl, ineffective_fl, ineffective_by_fl, helped_fl, social_fl;
    unmet_fl.n = dims_mask_flags(unmet_fl.meanings, sizeof unmet_fl.meanings, unmet_fl.masks, "unmet", sector_names,
                                 N_SECTORS);
    ineffective_fl.n = dims_mask_flags(ineffective_fl.meanings, sizeof ineffective_fl.meanings, ineffective_fl.masks,
                                       "ineffective", sector_names, N_SECTORS);
    ineffective_by_fl.n = dims_mask_flags(ineffective_by_fl.meanings, sizeof ineffective_by_fl.meanings,
                                          ineffective_by_fl.masks, "ineffective_by", route_names, N_ROUTES);
    helped_fl.n = dims_mask_flags(helped_fl.meanings, sizeof helped_fl.meanings, helped_fl.masks, "helped_by",
                                  route_names, N_ROUTES);
    social_fl.n = dims_social_flags_flags(social_fl.meanings, sizeof social_fl.meanings, social_fl.masks);
    const field residents[] = {
        FIELD("neighbourhood", d.res_nbhd, 1, "index", "Neighbourhood (row of /neighbourhoods)"),
        FIELD("household", w->household, 1, "id", "Household id"),
        FIELD("age", w->age, 1, "years", "Age"),
        FIELD("identity", w->identity, 1, "index", "Identity group (0 majority)"),
        FIELD("employed", w->employed, 1, "0/1", "In work (working age only)"),
        FIELD("quintile", w->quintile, 1, "index", "Income quintile of the area on arrival (0 poorest)"),
        FIELD("income", w->income, 1, "GBP/week", "Household income after housing costs this week"),
        FIELD("health", w->health, 1, "0..1", "Health"),
        FIELD("need", w->need, N_SECTORS, "severity 0..1", "Need severity by sector (0 none)"),
        FIELD("spare_hours", w->spare_hours, 1, "hours/week", "Hours a week free to help"),
        FIELD("unrelieved_weeks", w->unrelieved_weeks, N_SECTORS, "weeks",
              "Consecutive weeks the need in each sector has been active and not relieved (0 none)"),
        BITS("unmet_mask", w->unmet_mask, unmet_doc, &unmet_fl),
        BITS("ineffective_mask", w->ineffective_mask, ineffective_doc, &ineffective_fl),
        BITS("ineffective_by", w->ineffective_by, ineffective_by_doc, &ineffective_by_fl),
        BITS("helped_by", w->helped_by, helped_doc, &helped_fl),
        BITS("social_flags", w->social_flags, flags_doc, &social_fl),
        FIELD("trust_services", w->trust, 1, "0..1", "Trust in statutory services"),
        FIELD("trust_groups", w->trust_groups, 1, "0..1", "Trust in community groups"),
        FIELD("wellbeing", w->wellbeing, 1, "0..1", "Wellbeing"),
        FIELD("volunteer_hours", w->volunteer_hours, 1, "hours/week", "Hours given to groups this week"),
        FIELD("volunteer_year", w->volunteer_year, 1, "hours", "Hours given to groups over about a year (x51/52 a week)"),
        FIELD("timebank_balance", w->timebank_balance, 1, "hours", "Hours banked in a time bank"),
        FIELD("membership", w->membership, MAX_MEMBERSHIPS, "slot", "Group slots within the neighbourhood (255 none; /snapshots/.../groups row = neighbourhood's first slot + value)"),
        FIELD("tie_degree", d.degree, 1, "ties", "Number of social ties"),
        FIELD("strong_ties", d.strong, 1, "ties", "Ties of weight >= social.isolated_tie_weight (those mean_tie_degree counts)"),
        FIELD("arrived", w->arrived, 1, "step", "Step of arrival (0: there at set-up; step = week + burn-in)"),
        FIELD("last_volunteered", w->last_volunteered, 1, "step",
              "Step of the resident's last hour given to a group (65535 never; step = week + burn-in)"),
        FIELD("last_helped", w->last_helped, 1, "step",
              "Step of the last informal help the resident gave a tie (65535 never; step = week + burn-in)"),
    };
    const field groups[] = {
        FIELD("neighbourhood", d.group_nbhd, 1, "index", "Neighbourhood of the slot"),
        FIELD("alive", w->group_alive, 1, "0/1", "The slot holds a living group"),
        FIELD("kind", w->group_kind, 1, "index", "Group kind (the group_kind dimension's order)"),
        FIELD("owns_building", w->group_owns_building, 1, "0/1", "Owns or holds its building"),
        FIELD("openness", w->group_openness, 1, "probability", "Chance to serve or admit someone unlike its majority"),
        FIELD("majority", w->group_majority, 1, "index", "Identity most members share"),
        FIELD("members", w->group_members, 1, "residents", "Members"),
        FIELD("founded", w->group_founded, 1, "step", "Step founded (0: at set-up; step = week + burn-in)"),
        FIELD("volunteer_hours", w->group_volunteer_hours, 1, "hours/week", "Members' hours given last week"),
        FIELD("paid_hours", w->group_paid_hours, 1, "hours/week", "Paid hours from funding"),
        FIELD("demand", w->group_demand, 1, "hours/week", "Hours asked of it this week"),
        FIELD("burnout", w->group_burnout, 1, "0..1", "Burnout"),
        FIELD("funding", w->group_funding, 1, "index", "Funding source: 0 none, 1 competitive grant, 2 core funding"),
        FIELD("funding_end", w->group_funding_end, 1, "step", "Step its funding stops (65535 none)"),
        FIELD("grant_per_week", w->group_grant_per_week, 1, "GBP/week", "Funding received"),
    };
    char name[32];
    snprintf(name, sizeof name, "week_%d", week);
    int ok = 1;
    if (file < 0) { /* a distributed run's other ranks: their shares only */
        write_streamed(-1, "residents", residents, sizeof residents / sizeof residents[0],
                       world_residents_total(w), w->n_res, compression, stream);
        derived_free(&d);
        return CW_OK;
    }
    hid_t top;
    if (H5Lexists(file, "snapshots", H5P_DEFAULT) > 0) {
        top = H5Gopen2(file, "snapshots", H5P_DEFAULT);
    } else {
        top = H5Gcreate2(file, "snapshots", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        ok = top >= 0 && put_text_attr(top, "long_name", "State of every resident and group slot at the weeks of output.snapshot_weeks");
    }
    if (top < 0) ok = 0;
    if (ok && H5Lexists(top, name, H5P_DEFAULT) > 0) ok = H5Ldelete(top, name, H5P_DEFAULT) >= 0; /* resumed */
    hid_t g = ok ? H5Gcreate2(top, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT) : -1;
    if (g < 0) ok = 0;
    if (ok) {
        hid_t space = H5Screate(H5S_SCALAR);
        hid_t a = H5Acreate2(g, "week", H5T_NATIVE_INT32, space, H5P_DEFAULT, H5P_DEFAULT);
        ok = a >= 0 && H5Awrite(a, H5T_NATIVE_INT32, &week) >= 0;
        if (a >= 0) H5Aclose(a);
        H5Sclose(space);
    }
    /* the residents' streams are collective: walked whatever happened above */
    ok = write_streamed(ok ? g : -1, "residents", residents, sizeof residents / sizeof residents[0],
                        world_residents_total(w), w->n_res, compression, stream) && ok;
    ok = ok && write_streamed(g, "groups", groups, sizeof groups / sizeof groups[0], w->n_groups, w->n_groups,
                              compression, &whole);
    if (g >= 0) H5Gclose(g);
    if (top >= 0) H5Gclose(top);
    derived_free(&d);
    if (!ok) {
        snprintf(err, errlen, "cannot write the snapshot of week %d to the output file", week);
        return CW_EIO;
    }
    return CW_OK;
}
