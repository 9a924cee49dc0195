/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * commonweal metrics [--json]: the metrics every run writes, from the
 * library's table (sim/core/metrics.def) at run time; commonweal export FILE.h5
 * --csv: a run file as tidy CSV.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "util.h"

static const char usage_metrics[] =
    "Usage: commonweal metrics [--json]\n"
    "\n"
    "List the metrics every run file holds: name, dimensions, units (UDUNITS) and\n"
    "valid range, and definition. --json: the same as a JSON array.\n";

static const char usage_export[] =
    "Usage: commonweal export FILE.h5 --csv [-o OUT.csv]\n"
    "\n"
    "Write a run file's metrics as tidy CSV, one row per week, neighbourhood,\n"
    "group and metric: week,neighbourhood,group,metric,value. The run's weeks only\n"
    "(burn-in weeks are left out); area-wide metrics have neighbourhood \"area\",\n"
    "metrics without a breakdown group \"all\". To standard output unless -o.\n";

int cmd_metrics(int argc, char **argv)
{
    static const struct option opts[] = {{"json", no_argument, 0, 'j'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int c, json = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'j') json = 1;
        else if (c == 'h') { fputs(usage_metrics, stdout); return 0; }
        else return cli_option_error("metrics", argc, argv, opts);
    }
    if (optind != argc) return cli_usage_error("metrics", "takes no arguments");
    int n = cw_metric_count();
    if (json) puts("[");
    else printf("%-28s %-36s %-14s %s\n", "name", "dimensions", "units", "definition");
    for (int i = 0; i < n; i++) {
        cw_metric_desc d;
        if (cw_metric_describe(i, &d)) continue;
        char dims[96], range[64] = "";
        snprintf(dims, sizeof dims, "week%s%s%s", d.per_neighbourhood ? ", neighbourhood" : "",
                 d.breakdown[0] ? ", " : "", d.breakdown);
        if (json) {
            printf("  {\"name\": ");
            cli_json_str(d.name);
            printf(", \"dims\": [\"week\"%s", d.per_neighbourhood ? ", \"neighbourhood\"" : "");
            if (d.breakdown[0]) printf(", \"%s\"", d.breakdown);
            printf("], \"units\": ");
            cli_json_str(d.units);
            if (d.has_min) printf(", \"valid_min\": %g", d.valid_min);
            if (d.has_max) printf(", \"valid_max\": %g", d.valid_max);
            printf(", \"long_name\": ");
            cli_json_str(d.long_name);
            printf("}%s\n", i + 1 < n ? "," : "");
        } else {
            if (d.has_min || d.has_max) {
                snprintf(range, sizeof range, " [");
                if (d.has_min) snprintf(range + strlen(range), sizeof range - strlen(range), "%g", d.valid_min);
                snprintf(range + strlen(range), sizeof range - strlen(range), ",");
                if (d.has_max) snprintf(range + strlen(range), sizeof range - strlen(range), "%g", d.valid_max);
                snprintf(range + strlen(range), sizeof range - strlen(range), "]");
            }
            char units[64];
            snprintf(units, sizeof units, "%s%s", d.units, range);
            printf("%-28s %-36s %-14s %s\n", d.name, dims, units, d.long_name);
        }
    }
    if (json) puts("]");
    return 0;
}

int cmd_export(int argc, char **argv)
{
    static const struct option opts[] = {{"csv", no_argument, 0, 'c'}, {"output", required_argument, 0, 'o'},
                                         {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int c, csv = 0;
    const char *out = NULL;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        if (c == 'c') csv = 1;
        else if (c == 'o') out = optarg;
        else if (c == 'h') { fputs(usage_export, stdout); return 0; }
        else return cli_option_error("export", argc, argv, opts);
    }
    if (optind != argc - 1) return cli_usage_error("export", "expected one FILE.h5");
    if (!csv) return cli_usage_error("export", "give the format: --csv (the only one so far)");
    FILE *fp = stdout;
    if (out && strcmp(out, "-") != 0 && !(fp = fopen(out, "w"))) {
        perror(out);
        return 1;
    }
    char err[1024];
    cw_status st = cw_export_csv(argv[optind], fp, err, sizeof err);
    if (fp != stdout && fclose(fp) != 0 && !st) {
        snprintf(err, sizeof err, "%s: cannot write it", out);
        st = CW_EIO;
    }
    if (st) {
        fprintf(stderr, "commonweal export: %s\n", err);
        if (fp != stdout) remove(out);
        return st == CW_EINVAL ? 2 : 1;
    }
    return 0;
}
