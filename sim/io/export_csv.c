/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * commonweal export FILE.h5 --csv: a run file's metrics as tidy CSV
 * (week, neighbourhood, group, metric, value), for spreadsheets. The run's
 * weeks only (week >= 0; burn-in weeks are left out), metrics in the
 * metrics table's order, each read whole.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "commonweal/commonweal.h"
#include "metrics.h"

/* A CSV field: quoted when it holds a comma, quote or line break. */
static void csv_field(FILE *fp, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, fp);
        return;
    }
    fputc('"', fp);
    for (; *s; s++) {
        if (*s == '"') fputc('"', fp);
        fputc(*s, fp);
    }
    fputc('"', fp);
}

static long long ds_len(hid_t f, const char *name)
{
    if (H5Lexists(f, name, H5P_DEFAULT) <= 0) return -1;
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
    if (d < 0) return -1;
    hid_t s = H5Dget_space(d);
    hsize_t dims[H5S_MAX_RANK];
    int rank = s < 0 ? -1 : H5Sget_simple_extent_dims(s, dims, NULL);
    if (s >= 0) H5Sclose(s);
    H5Dclose(d);
    return rank == 1 ? (long long)dims[0] : -1;
}

/* n strings: the string dataset `name`, else the int dataset `name` as text,
 * else prefix and the index. Free with free_labels. */
static char **read_labels(hid_t f, const char *name, const char *fallback, long long n)
{
    char **out = calloc((size_t)(n > 0 ? n : 1), sizeof *out);
    if (!out) return NULL;
    if (ds_len(f, name) == n) {
        hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
        hid_t t = H5Dget_type(d);
        if (H5Tget_class(t) == H5T_STRING && H5Tis_variable_str(t) > 0) {
            hid_t mt = H5Tcopy(H5T_C_S1);
            H5Tset_size(mt, H5T_VARIABLE);
            H5Tset_cset(mt, H5Tget_cset(t));
            char **tmp = calloc((size_t)n + 1, sizeof *tmp);
            if (tmp && H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, tmp) >= 0)
                for (long long i = 0; i < n; i++) out[i] = strdup(tmp[i] ? tmp[i] : "");
            if (tmp) {
                hid_t sp = H5Dget_space(d);
                H5Dvlen_reclaim(mt, sp, H5P_DEFAULT, tmp);
                H5Sclose(sp);
            }
            free(tmp);
            H5Tclose(mt);
        } else if (H5Tget_class(t) == H5T_INTEGER) {
            long long *v = calloc((size_t)n + 1, sizeof *v);
            if (v && H5Dread(d, H5T_NATIVE_LLONG, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0)
                for (long long i = 0; i < n; i++) {
                    char buf[64];
                    snprintf(buf, sizeof buf, "%s%lld", fallback, v[i]);
                    out[i] = strdup(buf);
                }
            free(v);
        }
        H5Tclose(t);
        H5Dclose(d);
    }
    for (long long i = 0; i < n; i++)
        if (!out[i]) {
            char buf[64];
            snprintf(buf, sizeof buf, "%s%lld", fallback, i);
            out[i] = strdup(buf);
        }
    return out;
}

static void free_labels(char **l, long long n)
{
    if (!l) return;
    for (long long i = 0; i < n; i++) free(l[i]);
    free(l);
}

static int is_run_file(hid_t f)
{
    if (H5Aexists(f, "kind") <= 0) return 1; /* older run files */
    hid_t a = H5Aopen(f, "kind", H5P_DEFAULT);
    hid_t mt = H5Tcopy(H5T_C_S1);
    H5Tset_size(mt, H5T_VARIABLE);
    hid_t at = a < 0 ? -1 : H5Aget_type(a);
    if (at >= 0) H5Tset_cset(mt, H5Tget_cset(at)), H5Tclose(at);
    char *s = NULL;
    int run = 1;
    if (a >= 0 && H5Aread(a, mt, &s) >= 0 && s) run = strcmp(s, "run") == 0;
    if (s) H5free_memory(s);
    H5Tclose(mt);
    if (a >= 0) H5Aclose(a);
    return run;
}

static cw_status export_metric(hid_t f, FILE *fp, const metric_info *mi, const int32_t *week, long long nw,
                               char **nbhd, long long nn)
{
    if (H5Lexists(f, mi->name, H5P_DEFAULT) <= 0) return CW_OK; /* a file of another version */
    const char *dim = breakdowns[mi->bd].dim;
    long long ng = mi->bd == BD_NONE ? 1 : ds_len(f, dim);
    if (ng < 1) return CW_EIO;
    char label_var[64];
    snprintf(label_var, sizeof label_var, "%s_name", dim);
    char fallback[64];
    snprintf(fallback, sizeof fallback, "%s ", dim);
    char **groups = mi->bd == BD_NONE ? NULL : read_labels(f, label_var, fallback, ng);
    long long rows = mi->area ? 1 : nn;
    size_t per_week = (size_t)(rows * ng);
    float *v = malloc((size_t)nw * per_week * sizeof *v + 1);
    hid_t d = H5Dopen2(f, mi->name, H5P_DEFAULT);
    cw_status st = v && (mi->bd == BD_NONE || groups) && d >= 0 ? CW_OK : CW_EIO;
    if (st == CW_OK && H5Dread(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0) st = CW_EIO;
    for (long long w = 0; st == CW_OK && w < nw; w++) {
        if (week[w] < 0) continue;
        for (long long r = 0; r < rows; r++)
            for (long long g = 0; g < ng; g++) {
                fprintf(fp, "%d,", week[w]);
                csv_field(fp, mi->area ? "area" : nbhd[r]);
                fputc(',', fp);
                csv_field(fp, groups ? groups[g] : "all");
                fprintf(fp, ",%s,", mi->name);
                float x = v[(size_t)w * per_week + (size_t)(r * ng + g)];
                if (isfinite(x)) fprintf(fp, "%.9g", x);
                fputc('\n', fp);
            }
    }
    if (d >= 0) H5Dclose(d);
    free(v);
    free_labels(groups, ng);
    return st;
}

cw_status cw_export_csv(const char *path, FILE *fp, char *err, size_t errlen)
{
    H5E_auto2_t func;
    void *data;
    H5Eget_auto2(H5E_DEFAULT, &func, &data);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    cw_status st = CW_OK;
    hid_t f = H5Fis_hdf5(path) > 0 ? H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT) : -1;
    long long nw = f < 0 ? -1 : ds_len(f, "week"), nn = f < 0 ? -1 : ds_len(f, "neighbourhood");
    if (f < 0) {
        snprintf(err, errlen, "%s: cannot open it as an HDF5 file", path);
        st = CW_EIO;
    } else if (nw < 0 || nn < 0) {
        snprintf(err, errlen, "%s: not a commonweal output file (no week or neighbourhood)", path);
        st = CW_EINVAL;
    } else if (!is_run_file(f)) {
        snprintf(err, errlen, "%s: a sweep file; export --csv reads run files (Python: "
                 "commonweal.open_sweep(path).to_dataframe())", path);
        st = CW_EINVAL;
    }
    int32_t *week = st ? NULL : calloc((size_t)nw + 1, sizeof *week);
    char **nbhd = st ? NULL : read_labels(f, "neighbourhoods/name", "", nn);
    if (!st && (!week || !nbhd)) st = CW_ENOMEM;
    hid_t wd = st ? -1 : H5Dopen2(f, "week", H5P_DEFAULT);
    if (!st && (wd < 0 || H5Dread(wd, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, week) < 0)) {
        snprintf(err, errlen, "%s: cannot read /week", path);
        st = CW_EIO;
    }
    if (wd >= 0) H5Dclose(wd);
    if (!st) fputs("week,neighbourhood,group,metric,value\n", fp);
    for (int m = 0; !st && m < METRIC_COUNT; m++) {
        st = export_metric(f, fp, &metrics_table[m], week, nw, nbhd, nn);
        if (st) snprintf(err, errlen, "%s: cannot read /%s", path, metrics_table[m].name);
    }
    if (!st && ferror(fp)) {
        snprintf(err, errlen, "writing the CSV failed");
        st = CW_EIO;
    }
    free(week);
    free_labels(nbhd, nn);
    if (f >= 0) H5Fclose(f);
    H5Eclear2(H5E_DEFAULT);
    H5Eset_auto2(H5E_DEFAULT, func, data);
    return st;
}
