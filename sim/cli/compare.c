/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * commonweal compare BASE.h5 POLICY.h5 [--metric M]... [--by quintile|identity|decile|fifth|age_band]
 *                    [--weeks A:B] [--percent] [--csv|--json] [--force]
 * commonweal compare BASE_s1.h5 BASE_s2.h5 ... POLICY_s1.h5 ... (replicate run files)
 * commonweal compare SWEEP.h5 --baseline 'PATH=VALUE[,PATH=VALUE]' [same options]
 *
 * The statistics are the library's (cw_compare, sim/io/compare.c); this file
 * parses the options and prints the table, CSV or JSON.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "util.h"
#include "commonweal/commonweal.h"

enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_INPUT = 2 };

static const char usage_compare[] =
    "Usage: commonweal compare BASE.h5 POLICY.h5 [OPTIONS]\n"
    "       commonweal compare BASE_s1.h5 BASE_s2.h5 ... POLICY_s1.h5 POLICY_s2.h5 ... [OPTIONS]\n"
    "       commonweal compare SWEEP.h5 --baseline 'PATH=VALUE[,PATH=VALUE]' [OPTIONS]\n"
    "\n"
    "What a policy changes, with a 95% confidence interval. Members (replicates)\n"
    "pair by seed (common random numbers), or by replicate number when no seeds\n"
    "match. For each metric and breakdown cell: the baseline and policy means\n"
    "(averaged over the weeks; a neighbourhood metric population-weighted over\n"
    "neighbourhoods, a group's figure from its residents in every neighbourhood,\n"
    "the file's area_*_by_* breakdowns of counts), the mean\n"
    "paired difference policy - baseline, its 95% CI (Student t over the pairs)\n"
    "and the number of pairs n. Files whose scenarios differ in more than the\n"
    "levers (policy.*, investment.*, funding.*, crisis.*, partnership.*,\n"
    "privatisation.*, business.* and the timeline) are refused unless --force.\n"
    "With more than two run files, the runs of the first file's scenario (differing\n"
    "only in run.seed) are the baseline's replicates and the others the policy's.\n"
    "With --by, each metric's first row is \"all residents\".\n"
    "\n"
    "Options:\n"
    "  -m, --metric M       a metric (repeatable; default: left_out_rate, isolated_rate,\n"
    "                       lonely_rate, wellbeing_mean, trust_services_share,\n"
    "                       formal_volunteering_rate)\n"
    "  -b, --by B           quintile, identity, age_band (the metric's area_*_by_B\n"
    "                       breakdown, weighted by each group's residents), decile\n"
    "                       (neighbourhood deprivation decile, 10 = most deprived) or fifth\n"
    "                       (deprivation fifth: deciles 9-10 are fifth 5, the most deprived\n"
    "                       fifth of neighbourhoods; area_*_by_B where the file has one)\n"
    "  -w, --weeks A:B      reported weeks A to B inclusive (default: all after the burn-in)\n"
    "      --baseline SEL   within one sweep file: the baseline design points, e.g.\n"
    "                       'investment.mode=none'; each other point is compared with the\n"
    "                       baseline point that shares its other varied values\n"
    "  -p, --percent        shares of residents as percentages, differences in\n"
    "                       percentage points (text output)\n"
    "      --csv            comma-separated values\n"
    "      --json           JSON\n"
    "  -f, --force          compare even if non-lever parameters differ (with a warning)\n"
    "  -h, --help           this help\n";

typedef enum format { FMT_TEXT, FMT_CSV, FMT_JSON } format;

static int parse_by(const char *s, cw_compare_by *by)
{
    static const struct {
        const char *name;
        cw_compare_by by;
    } names[] = {{"quintile", CW_BY_QUINTILE}, {"identity", CW_BY_IDENTITY}, {"decile", CW_BY_DECILE},
                 {"age_band", CW_BY_AGE_BAND}, {"fifth", CW_BY_FIFTH}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(s, names[i].name)) {
            *by = names[i].by;
            return 1;
        }
    fprintf(stderr, "commonweal compare: --by '%s': expected quintile, identity, decile, fifth or age_band\n", s);
    return 0;
}

/* "A:B" with either end optional ("52:", ":103"); missing ends are wide. */
static int parse_weeks(const char *s, cw_compare_options *opt)
{
    const char *colon = strchr(s, ':');
    char *end;
    long a = -1000000, b = 1000000;
    if (!colon) goto bad;
    if (colon != s) {
        errno = 0;
        a = strtol(s, &end, 10);
        if (errno || end != colon) goto bad;
    }
    if (colon[1]) {
        errno = 0;
        b = strtol(colon + 1, &end, 10);
        if (errno || *end) goto bad;
    }
    opt->has_weeks = 1;
    opt->week_from = (int)a;
    opt->week_to = (int)b;
    return 1;
bad:
    fprintf(stderr, "commonweal compare: --weeks '%s': expected A:B (reported weeks, inclusive), e.g. 0:103\n", s);
    return 0;
}

static void num(FILE *fp, const char *fmt, double v, int width)
{
    if (isnan(v)) fprintf(fp, "%*s", width, "-");
    else fprintf(fp, fmt, width, v == 0 ? 0.0 : v); /* no "-0.00000" */
}

/* A value rounded for print: x 100 when the row is a share and --percent. */
static double shown(const cw_compare_row *r, double v, int percent)
{
    double x = percent && !strcmp(r->unit, "fraction") ? 100 * v : v;
    double digits = percent && !strcmp(r->unit, "fraction") ? 1e3 : 1e5;
    return round(x * digits) == 0 ? 0.0 : x; /* a difference that rounds to zero prints +0, not -0 */
}

static void print_text(const cw_comparison *c, const char *base, const char *policy, int n_files, int percent)
{
    printf("baseline: %s%s\npolicy:   %s\nweeks %d..%d; means over the weeks, weighted by residents (a group's "
           "figure from its residents in every neighbourhood); difference = policy - baseline, 95%% CI (t)%s\n",
           base, n_files > 2 ? " and its replicates" : policy ? "" : " (baseline points)",
           n_files > 2 ? "the other runs given" : policy ? policy : "each other design point", c->week_from,
           c->week_to, percent ? "; shares in %, differences in percentage points (pp)" : "");
    if (c->notes[0]) fputs(c->notes, stdout);
    const char *last = NULL;
    int with_ci = 0, starred = 0, wm = 26, wg = 22; /* column widths: the longest name */
    for (int i = 0; i < c->n_rows; i++) {
        int lm = (int)strlen(c->rows[i].metric), lg = (int)strlen(c->rows[i].group);
        wm = lm > wm ? lm : wm, wg = lg > wg ? lg : wg;
    }
    for (int i = 0; i < c->n_rows; i++) {
        const cw_compare_row *r = &c->rows[i];
        if (!last || strcmp(last, r->policy) != 0) {
            if (r->policy[0]) printf("\n%s\n", r->policy);
            else putchar('\n');
            if (r->baseline[0]) printf("(against %s)\n", r->baseline);
            printf("%-*s %-*s %10s %10s %11s %24s %4s\n", wm, "metric", wg, "group", "baseline", "policy",
                   "difference", "95% CI", "n");
            last = r->policy;
        }
        int pc = percent && !strcmp(r->unit, "fraction");
        printf("%-*s %-*s ", wm, r->metric, wg, r->group);
        num(stdout, pc ? "%*.3f%%" : "%*.5f", shown(r, r->baseline_mean, percent), pc ? 9 : 10);
        putchar(' ');
        num(stdout, pc ? "%*.3f%%" : "%*.5f", shown(r, r->policy_mean, percent), pc ? 9 : 10);
        putchar(' ');
        num(stdout, pc ? "%+*.3fpp" : "%+*.5f", shown(r, r->difference, percent), pc ? 9 : 11);
        if (isnan(r->ci_low)) printf(" %24s", "-");
        else if (pc) printf("  [%+.3f, %+.3f]pp", shown(r, r->ci_low, 1), shown(r, r->ci_high, 1));
        else printf("  [%+.5f, %+.5f]", shown(r, r->ci_low, 0), shown(r, r->ci_high, 0));
        int star = !isnan(r->ci_low) && (r->ci_low > 0 || r->ci_high < 0);
        with_ci += !isnan(r->ci_low);
        starred += star;
        printf(" %4d%s\n", r->n, star ? " *" : "");
    }
    putchar('\n');
    if (with_ci) printf("* the 95%% CI excludes zero%s\n",
                        c->n_rows && !c->rows[0].paired_by_seed ? "; members paired by replicate number (no common seeds)" : "");
    else printf("no confidence intervals: they need at least 2 pairs of runs (replicates with different seeds)\n");
    if (with_ci > 1)
        printf("%d of %d intervals exclude zero. With no effect at all, about 1 in 20 intervals would exclude zero "
               "by chance (here about %.1f of %d): trust a difference that is large or consistent across groups more "
               "than one starred row among many.\n",
               starred, with_ci, with_ci / 20.0, with_ci);
}

static void print_csv(const cw_comparison *c)
{
    printf("policy,metric,group,baseline_mean,policy_mean,difference,ci_low,ci_high,n,paired_by_seed,week_from,week_to\n");
    for (int i = 0; i < c->n_rows; i++) {
        const cw_compare_row *r = &c->rows[i];
        printf("\"%s\",%s,\"%s\",%.9g,%.9g,%.9g,%.9g,%.9g,%d,%d,%d,%d\n", r->policy, r->metric, r->group,
               r->baseline_mean, r->policy_mean, r->difference, r->ci_low, r->ci_high, r->n, r->paired_by_seed,
               c->week_from, c->week_to);
    }
}

static void print_json(const cw_comparison *c, const char *base, const char *policy)
{
    printf("{\"baseline\": ");
    cli_json_str(base);
    printf(", \"policy\": ");
    if (policy) cli_json_str(policy);
    else fputs("null", stdout);
    printf(", \"week_from\": %d, \"week_to\": %d, \"notes\": ", c->week_from, c->week_to);
    cli_json_str(c->notes);
    printf(", \"rows\": [");
    for (int i = 0; i < c->n_rows; i++) {
        const cw_compare_row *r = &c->rows[i];
        printf("%s\n  {\"policy\": ", i ? "," : "");
        cli_json_str(r->policy);
        printf(", \"baseline_point\": ");
        cli_json_str(r->baseline);
        printf(", \"metric\": ");
        cli_json_str(r->metric);
        printf(", \"unit\": ");
        cli_json_str(r->unit);
        printf(", \"group\": ");
        cli_json_str(r->group);
        const double v[] = {r->baseline_mean, r->policy_mean, r->difference, r->ci_low, r->ci_high};
        const char *k[] = {"baseline_mean", "policy_mean", "difference", "ci_low", "ci_high"};
        for (int j = 0; j < 5; j++) {
            printf(", \"%s\": ", k[j]);
            cli_json_num(v[j]);
        }
        printf(", \"n\": %d, \"paired_by_seed\": %s}", r->n, r->paired_by_seed ? "true" : "false");
    }
    printf("\n]}\n");
}

int cmd_compare(int argc, char **argv)
{
    static const struct option opts[] = {
        {"metric", required_argument, 0, 'm'}, {"by", required_argument, 0, 'b'},
        {"weeks", required_argument, 0, 'w'},  {"baseline", required_argument, 0, 'B'},
        {"csv", no_argument, 0, 'C'},          {"json", no_argument, 0, 'J'},
        {"force", no_argument, 0, 'f'},        {"help", no_argument, 0, 'h'},
        {"percent", no_argument, 0, 'p'},
        {0, 0, 0, 0}};
    cw_compare_options opt = {0};
    format fmt = FMT_TEXT;
    int percent = 0;
    const char **metrics = calloc((size_t)argc, sizeof *metrics);
    if (!metrics) return EXIT_RUNTIME;
    int c, rc = EXIT_INPUT;
    while ((c = getopt_long(argc, argv, "m:b:w:fhp", opts, NULL)) != -1) {
        switch (c) {
        case 'm': metrics[opt.n_metrics++] = optarg; break;
        case 'b': if (!parse_by(optarg, &opt.by)) goto out_free; break;
        case 'w': if (!parse_weeks(optarg, &opt)) goto out_free; break;
        case 'B': opt.baseline = optarg; break;
        case 'C': fmt = FMT_CSV; break;
        case 'J': fmt = FMT_JSON; break;
        case 'f': opt.force = 1; break;
        case 'p': percent = 1; break;
        case 'h': fputs(usage_compare, stdout); rc = EXIT_OK; goto out_free;
        default: rc = cli_option_error("compare", argc, argv, opts); goto out_free;
        }
    }
    int files = argc - optind;
    if (files < 1) {
        fprintf(stderr, "commonweal compare: expected BASE.h5 POLICY.h5, or SWEEP.h5 --baseline SEL\n%s", usage_compare);
        goto out_free;
    }
    opt.metrics = metrics;
    const char *base = argv[optind], *policy = files == 2 ? argv[optind + 1] : NULL;
    cw_comparison cmp;
    char err[2048];
    cw_status st = cw_compare_runs((const char *const *)argv + optind, files, &opt, &cmp, err, sizeof err);
    if (st) {
        fprintf(stderr, "commonweal compare: %s\n", err);
        rc = st == CW_EINVAL ? EXIT_INPUT : EXIT_RUNTIME;
        goto out_free;
    }
    if (fmt == FMT_CSV) print_csv(&cmp);
    else if (fmt == FMT_JSON) print_json(&cmp, base, policy);
    else print_text(&cmp, base, policy, files, percent);
    if (fmt != FMT_TEXT && cmp.notes[0]) fprintf(stderr, "%s", cmp.notes);
    cw_comparison_free(&cmp);
    rc = EXIT_OK;
out_free:
    free(metrics);
    return rc;
}
