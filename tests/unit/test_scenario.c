/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * Scenario loading: YAML -> parameters + timeline, the errors it gives for
 * bad input (table-driven: text in, exact FILE:LINE:COLUMN message out),
 * --set, validation and the write/load round trip.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scenario.h"

#define TMP CW_TEST_TMP "/scenario"

/* ---- helpers ------------------------------------------------------------------ */

static void make_dir(const char *path)
{
    cr_assert(mkdir(path, 0777) == 0 || errno == EEXIST, "mkdir %s: %s", path, strerror(errno));
}

/* Write text to dir/name (making dir and TMP); returns the path in buf. */
static const char *write_text(const char *dir, const char *name, const char *text, char *buf, size_t n)
{
    make_dir(CW_TEST_TMP);
    make_dir(TMP);
    make_dir(dir);
    snprintf(buf, n, "%s/%s", dir, name);
    FILE *f = fopen(buf, "wb");
    cr_assert_not_null(f, "cannot write %s", buf);
    fputs(text, f);
    fclose(f);
    return buf;
}

/* Load text (written as TMP/name.yaml); assert success. */
static cw_scenario *load_text(const char *name, const char *text)
{
    char path[512], file[128];
    snprintf(file, sizeof file, "%s.yaml", name);
    write_text(TMP, file, text, path, sizeof path);
    cw_scenario *sc = cw_scenario_new();
    cr_assert_not_null(sc);
    cr_assert_eq(cw_scenario_load(sc, path), CW_OK, "%s", cw_scenario_errmsg(sc));
    cr_assert_eq(scenario_validate(sc), CW_OK, "%s", cw_scenario_errmsg(sc));
    return sc;
}

static void expect_event(const cw_scenario *sc, size_t i, int week, const char *path, double value)
{
    cr_assert_lt(i, sc->n_events, "event %zu of %zu", i, sc->n_events);
    const timeline_event *e = &sc->events[i];
    cr_expect_eq(e->week, week, "event %zu: week %d, expected %d", i, e->week, week);
    cr_expect_str_eq(params_table[e->param].path, path, "event %zu", i);
    cr_expect_eq(e->value, value, "event %zu: value %g, expected %g", i, e->value, value);
}

/* ---- malformed scenarios ------------------------------------------------------- */

/* One bad scenario: main.yaml (and base.yaml when given) in its own
 * directory; `set` is applied with cw_scenario_set after a good load, then
 * the scenario is validated. The message must start with
 * "DIR/<file>:" + expect. */
typedef struct bad_case {
    const char *yaml;
    const char *base;   /* base.yaml, or NULL                      */
    const char *set;    /* a --set after loading, or NULL          */
    cw_status status;
    const char *file;   /* the file the message names: main, base  */
    const char *expect; /* the message after "DIR/FILE.yaml:"      */
} bad_case;

#define M "main"
#define B "base"
#define RUN_WEEKS "expected an integer in [1, 5200] weeks"

static const bad_case bad_cases[] = {
    /* YAML syntax and text */
    {"run:\n  weeks: [1, 2\n", NULL, NULL, CW_EINVAL, M,
     "3:1: YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence at line 2, column 10)"},
    {"run:\n  weeks: \"104\n", NULL, NULL, CW_EINVAL, M,
     "3:1: YAML syntax error: found unexpected end of stream (while scanning a quoted scalar at line 2, column 10)"},
    {"run:\n\tweeks: 1\n", NULL, NULL, CW_EINVAL, M,
     "2:1: YAML syntax error: found character that cannot start any token (while scanning for the next token at "
     "line 2, column 1)"},
    {"run:\n  weeks: 1\n seed: 2\n", NULL, NULL, CW_EINVAL, M,
     "3:2: YAML syntax error: did not find expected key (while parsing a block mapping at line 1, column 1)"},
    {"run:\n  weeks: \x01\n", NULL, NULL, CW_EINVAL, M,
     "2:10: not valid text: control characters are not allowed (byte 0x01)"},
    {"run:\n  weeks: \xff\xfe\n", NULL, NULL, CW_EINVAL, M,
     "2:10: not valid text: invalid leading UTF-8 octet (byte 0xFF)"},
    {"run:\n  weeks: *nowhere\n", NULL, NULL, CW_EINVAL, M,
     "2:10: YAML syntax error: found undefined alias"},
    {"run.weeks: 5\n---\nrun.weeks: 6\n", NULL, NULL, CW_EINVAL, M,
     "2:1: a scenario is one YAML document: remove this second one"},
    /* the shape of the file */
    {"", NULL, NULL, CW_EINVAL, M, "1:1: scenario is empty"},
    {"# only a comment\n\n", NULL, NULL, CW_EINVAL, M, "1:1: scenario is empty"},
    {"- run\n- weeks\n", NULL, NULL, CW_EINVAL, M,
     "1:1: a scenario must be a mapping of parameters (key: value lines), not a sequence"},
    {"hello\n", NULL, NULL, CW_EINVAL, M,
     "1:1: a scenario must be a mapping of parameters (key: value lines), not a single value"},
    /* keys */
    {"run:\n  weks: 104\n", NULL, NULL, CW_EINVAL, M, "2:3: unknown key 'run.weks' (did you mean 'run.weeks'?)"},
    {"run.weks: 104\n", NULL, NULL, CW_EINVAL, M, "1:1: unknown key 'run.weks' (did you mean 'run.weeks'?)"},
    {"need:\n  hazard:\n    helth: 0.1\n", NULL, NULL, CW_EINVAL, M,
     "3:5: unknown key 'need.hazard.helth' (did you mean 'need.hazard.health'?)"},
    {"life:\n  severity_mean: 0.3\n", NULL, NULL, CW_EINVAL, M,
     "2:3: unknown key 'life.severity_mean' (did you mean 'need.severity_mean'?)"},
    {"colour: blue\n", NULL, NULL, CW_EINVAL, M,
     "1:1: unknown key 'colour': expected run, population, ties, "},
    {"run:\n  weeks: 1\n  weeks: 2\n", NULL, NULL, CW_EINVAL, M,
     "3:3: duplicate key 'weeks' (first at line 2, column 3)"},
    {"run:\n  weeks: 1\nrun:\n  seed: 2\n", NULL, NULL, CW_EINVAL, M,
     "3:1: duplicate key 'run' (first at line 1, column 1)"},
    {"run.weeks: 1\nrun:\n  weeks: 2\n", NULL, NULL, CW_EINVAL, M,
     "3:3: run.weeks is set twice (first at line 1, column 1)"},
    {"? [run, weeks]\n: 1\n", NULL, NULL, CW_EINVAL, M, "1:3: a key must be a name, not a sequence"},
    {"<<: {run.weeks: 5}\n", NULL, NULL, CW_EINVAL, M, "1:1: merge keys ('<<') are not supported: write the keys out"},
    /* sections and values of the wrong shape */
    {"run: 5\n", NULL, NULL, CW_EINVAL, M,
     "1:6: 'run' is a section, not a parameter: expected its parameters beneath it (e.g. run.weeks), not '5'"},
    {"need:\n  hazard: [1, 2]\n", NULL, NULL, CW_EINVAL, M,
     "2:11: 'need.hazard' is a section: expected a mapping of its parameters (e.g. need.hazard.health), not a "
     "sequence"},
    {"run:\n  weeks:\n    value: 1\n", NULL, NULL, CW_EINVAL, M,
     "3:5: run.weeks expects a single value, not a mapping: " RUN_WEEKS},
    {"run:\n  weeks: [1, 2]\n", NULL, NULL, CW_EINVAL, M,
     "2:10: run.weeks expects a single value, not a sequence: " RUN_WEEKS},
    {"run:\n  weeks:\n", NULL, NULL, CW_EINVAL, M, "2:9: run.weeks has no value: " RUN_WEEKS},
    /* values */
    {"run:\n  weeks: abc\n", NULL, NULL, CW_EINVAL, M, "2:10: run.weeks = 'abc' is not a number: " RUN_WEEKS},
    {"run:\n  weeks: 0\n", NULL, NULL, CW_EINVAL, M, "2:10: run.weeks = 0 is out of range: " RUN_WEEKS},
    {"run:\n  weeks: 10.5\n", NULL, NULL, CW_EINVAL, M, "2:10: run.weeks = 10.5 is not a whole number: " RUN_WEEKS},
    {"need:\n  hazard:\n    health: 1.5\n", NULL, NULL, CW_EINVAL, M,
     "3:13: need.hazard.health = 1.5 is out of range: expected a number in [0, 1] per week"},
    {"crisis:\n  pandemic: maybe\n", NULL, NULL, CW_EINVAL, M,
     "2:13: crisis.pandemic = 'maybe' is not a boolean: expected true or false"},
    {"run.seed: 1e300\n", NULL, NULL, CW_EINVAL, M,
     "1:11: run.seed = '1e300' is out of range: expected an integer in [0, 9007199254740991] -"},
    {"need.severity_mean: 1e999\n", NULL, NULL, CW_EINVAL, M,
     "1:21: need.severity_mean = '1e999' is not a number: expected a number in [0.01, 1] severity 0..1"},
    {"need.severity_mean: .nan\n", NULL, NULL, CW_EINVAL, M,
     "1:21: need.severity_mean = '.nan' is not a number: expected a number in [0.01, 1] severity 0..1"},
    {"run.weeks: 1234567890123456789012345678901234567890123456789012345678901234567890\n", NULL, NULL, CW_EINVAL,
     M, "1:12: run.weeks = '123456789012345678901234567890123456789012345678901234567890...' is too long: " RUN_WEEKS},
    {"run.weeks: \"a\\0b\"\n", NULL, NULL, CW_EINVAL, M, "1:12: a value holds a NUL character"},
    /* the timeline */
    {"timeline:\n  at: 5\n", NULL, NULL, CW_EINVAL, M,
     "2:3: timeline must be a sequence of entries ('- at: WEEK'), not a mapping"},
    {"timeline:\n  - 5\n", NULL, NULL, CW_EINVAL, M,
     "2:5: a timeline entry must be a mapping (at: WEEK, then set: or crisis:), not a single value"},
    {"timeline:\n  - set: {crisis.pandemic: true}\n", NULL, NULL, CW_EINVAL, M,
     "2:5: timeline entry has no 'at' (the week it happens)"},
    {"timeline:\n  - at: soon\n    crisis: pandemic\n    weeks: 4\n", NULL, NULL, CW_EINVAL, M,
     "2:9: at = 'soon' is not a whole week number"},
    {"timeline:\n  - at: 1.5\n    crisis: pandemic\n    weeks: 4\n", NULL, NULL, CW_EINVAL, M,
     "2:9: at = '1.5' is not a whole week number"},
    {"timeline:\n  - at: [1]\n    crisis: pandemic\n    weeks: 4\n", NULL, NULL, CW_EINVAL, M,
     "2:9: at expects a whole week number, not a sequence"},
    {"timeline:\n  - at: 99999999999\n    crisis: pandemic\n    weeks: 4\n", NULL, NULL, CW_EINVAL, M,
     "2:9: at = '99999999999' is not a whole week number"},
    {"timeline:\n  - at: 1\n    crisis: pandemc\n    weeks: 4\n", NULL, NULL, CW_EINVAL, M,
     "3:13: unknown crisis 'pandemc' (did you mean 'pandemic'?): expected pandemic, recession, cost_of_living, flood or lockdown"},
    {"timeline:\n  - at: 1\n    crisis: tsunami\n    weeks: 4\n", NULL, NULL, CW_EINVAL, M,
     "3:13: unknown crisis 'tsunami': expected pandemic, recession, cost_of_living, flood or lockdown"},
    {"timeline:\n  - at: 1\n    crisis: recession\n", NULL, NULL, CW_EINVAL, M,
     "3:13: crisis 'recession' has no 'weeks' (how long it lasts)"},
    {"timeline:\n  - at: 1\n    crisis: recession\n    weeks: 0\n", NULL, NULL, CW_EINVAL, M,
     "4:12: weeks = '0' is not a whole number of weeks >= 1"},
    {"timeline:\n  - at: 1\n    crisis: recession\n    weeks: -3\n", NULL, NULL, CW_EINVAL, M,
     "4:12: weeks = '-3' is not a whole number of weeks >= 1"},
    {"timeline:\n  - at: 1\n    set: {crisis.pandemic: true}\n    crisis: pandemic\n    weeks: 2\n", NULL, NULL,
     CW_EINVAL, M, "4:13: timeline entry has both 'set' and 'crisis': give each its own entry"},
    {"timeline:\n  - at: 1\n    note: nothing happens\n", NULL, NULL, CW_EINVAL, M,
     "2:5: timeline entry has neither 'set' nor 'crisis'"},
    {"timeline:\n  - at: 1\n    set: {crisis.pandemic: true}\n    weeks: 2\n", NULL, NULL, CW_EINVAL, M,
     "4:12: 'weeks' goes with 'crisis' (how long the crisis lasts)"},
    {"timeline:\n  - at: 1\n    set: crisis.pandemic\n", NULL, NULL, CW_EINVAL, M,
     "3:10: set expects a mapping of parameters (e.g. crisis.pandemic: true), not a single value"},
    {"timeline:\n  - at: 1\n    set:\n      run.weeks: 5\n", NULL, NULL, CW_EINVAL, M,
     "4:7: run.weeks is a set-up parameter and cannot change on a timeline (set it at the top level)"},
    {"timeline:\n  - at: 1\n    set:\n      population:\n        minority_share: 0.2\n", NULL, NULL, CW_EINVAL, M,
     "5:9: population.minority_share is a set-up parameter and cannot change on a timeline (set it at the top "
     "level)"},
    {"timeline:\n  - at: 1\n    set:\n      crisis.pandemik: true\n", NULL, NULL, CW_EINVAL, M,
     "4:7: unknown key 'crisis.pandemik' (did you mean 'crisis.pandemic'?)"},
    {"timeline:\n  - at: 1\n    set:\n      crisis.pandemic: sometimes\n", NULL, NULL, CW_EINVAL, M,
     "4:24: crisis.pandemic = 'sometimes' is not a boolean: expected true or false"},
    {"timeline:\n  - at: 1\n    crisis: pandemic\n    week: 4\n", NULL, NULL, CW_EINVAL, M,
     "4:5: unknown key 'week' in a timeline entry: expected at, set, crisis, weeks or note"},
    {"timeline:\n  - at: 1\n    crisis.pandemic: true\n", NULL, NULL, CW_EINVAL, M,
     "3:5: 'crisis.pandemic' in a timeline entry must go under 'set:'"},
    {"timeline:\n  - at: 1\n    at: 2\n    crisis: pandemic\n    weeks: 1\n", NULL, NULL, CW_EINVAL, M,
     "3:5: duplicate key 'at' (first at line 2, column 5)"},
    /* checked once the whole scenario is known */
    {"run:\n  weeks: 10\ntimeline:\n  - at: 10\n    set: {crisis.pandemic: true}\n", NULL, NULL, CW_EINVAL, M,
     "4:9: week 10 is outside the run: weeks go from -52 (burn-in) to 9 (run.burn_in_weeks = 52, run.weeks = 10)"},
    {"timeline:\n  - at: -53\n    crisis: pandemic\n    weeks: 4\n", NULL, NULL, CW_EINVAL, M,
     "2:9: week -53 is outside the run: weeks go from -52 (burn-in) to 519 (run.burn_in_weeks = 52, run.weeks = "
     "520)"},
    {"timeline:\n  - at: 300\n    set: {crisis.pandemic: true}\n", NULL, "run.weeks=200", CW_EINVAL, M,
     "2:9: week 300 is outside the run: weeks go from -52 (burn-in) to 199"},
    {"run.burn_in_weeks: 0\ntimeline:\n  - at: -1\n    set: {crisis.pandemic: true}\n", NULL, NULL, CW_EINVAL, M,
     "3:9: week -1 is outside the run: weeks go from 0 to 519"},
    {"population:\n  deprivation_min: 0.8\n  deprivation_max: 0.2\n", NULL, NULL, CW_EINVAL, M,
     " population.deprivation_min = 0.8 is above population.deprivation_max = 0.2"},
    {"population:\n  age_share_16_29: 0\n  age_share_30_49: 0\n  age_share_50_64: 0\n  age_share_65_79: 0\n"
     "  age_share_80_plus: 0\n",
     NULL, NULL, CW_EINVAL, M,
     " the age shares population.age_share_* are all zero: at least one must be positive"},
    /* base files */
    {"base: missing.yaml\n", NULL, NULL, CW_EIO, M, "1:7: cannot read base file "},
    {"base: [a.yaml]\n", NULL, NULL, CW_EINVAL, M, "1:7: base expects a file name, not a sequence"},
    {"base:\n", NULL, NULL, CW_EINVAL, M, "1:6: base expects a file name, not nothing"},
    {"base: main.yaml\n", NULL, NULL, CW_EINVAL, M, "1:7: base files form a cycle: "},
    {"base: base.yaml\n", "base: main.yaml\n", NULL, CW_EINVAL, B, "1:7: base files form a cycle: "},
    {"base: base.yaml\nrun.weeks: 5\n", "run:\n  weeks: x\n", NULL, CW_EINVAL, B,
     "2:10: run.weeks = 'x' is not a number: " RUN_WEEKS},
    {"base: base.yaml\n", "timeline:\n  - at: 1\n    crisis: plague\n    weeks: 2\n", NULL, CW_EINVAL, B,
     "3:13: unknown crisis 'plague': expected pandemic, recession, cost_of_living, flood or lockdown"},
    {"base: base.yaml\n", "run: [\n", NULL, CW_EINVAL, B, "2:1: YAML syntax error: "},
    /* population.areas, population.scale and a CSV's keys, each where it applies */
    {"population:\n  neighbourhoods_csv: n.csv\n  areas: []\n", NULL, NULL, CW_EINVAL, M,
     "3:10: population.areas is an empty list: name at least one area"},
    {"population:\n  neighbourhoods_csv: n.csv\n  areas: [Blackpool, {a: 1}]\n", NULL, NULL, CW_EINVAL, M,
     "3:22: population.areas: each item is an area's name or code, not a mapping"},
    {"population:\n  neighbourhoods_csv: n.csv\n  areas: [Blackpool, '']\n", NULL, NULL, CW_EINVAL, M,
     "3:22: population.areas: an empty item (expected an area's name or code)"},
    {"population:\n  neighbourhoods_csv: n.csv\n  areas: ['a;b']\n", NULL, NULL, CW_EINVAL, M,
     "3:11: population.areas: 'a;b' holds a ';', which separates areas"},
    {"population:\n  areas: [Blackpool]\n", NULL, NULL, CW_EINVAL, M,
     "2:10: population.areas chooses rows of a neighbourhoods CSV, and this scenario has none"},
    {"population:\n  scale: 0.5\n", NULL, NULL, CW_EINVAL, M,
     "2:10: population.scale shrinks a neighbourhoods CSV, and this scenario has none"},
    {"population:\n  deprivation_from: rank\n", NULL, NULL, CW_EINVAL, M,
     "2:21: population.deprivation_from says how a neighbourhoods CSV gives deprivation, and this scenario has none"},
    {"population:\n  neighbourhoods_csv: n.csv\n  scale: 0\n", NULL, NULL, CW_EINVAL, M,
     "3:10: population.scale = 0 keeps no residents: expected a fraction above 0 and at most 1"},
    /* a synthetic size set after the CSV is named (same file, or a file that has the CSV as base) */
    {"population:\n  neighbourhoods_csv: n.csv\n  residents_per_neighbourhood: 100\n", NULL, NULL, CW_EINVAL, M,
     "3:32: population.residents_per_neighbourhood sizes a synthetic area and does not apply with a "
     "neighbourhoods CSV"},
    {"base: base.yaml\npopulation.local_authorities: 3\n", "population.neighbourhoods_csv: n.csv\n", NULL,
     CW_EINVAL, M, "2:31: population.local_authorities sizes a synthetic area"},
    /* --set (the message names --set, not a file) */
};

static void run_bad_case(size_t i, const bad_case *c)
{
    char dir[256], path[512], base_path[512], expect[1024];
    snprintf(dir, sizeof dir, TMP "/bad%02zu", i);
    write_text(dir, "main.yaml", c->yaml, path, sizeof path);
    if (c->base) write_text(dir, "base.yaml", c->base, base_path, sizeof base_path);
    cw_scenario *sc = cw_scenario_new();
    cw_status st = cw_scenario_load(sc, path);
    if (st == CW_OK && c->set) st = cw_scenario_set(sc, c->set);
    if (st == CW_OK) st = scenario_validate(sc);
    snprintf(expect, sizeof expect, "%s/%s.yaml:%s", dir, c->file, c->expect);
    const char *msg = cw_scenario_errmsg(sc);
    cr_expect_eq(st, c->status, "case %zu: status %d, expected %d (%s)", i, st, c->status, msg);
    cr_expect(strncmp(msg, expect, strlen(expect)) == 0, "case %zu:\n  got      %s\n  expected %s...", i, msg,
              expect);
    cr_expect(!strchr(msg, '\n'), "case %zu: message is not one line", i);
    if (getenv("CW_SHOW_MESSAGES")) cr_log_info("%zu: %s", i, msg);
    cw_scenario_free(sc);
}

Test(scenario_bad, table)
{
    size_t n = sizeof bad_cases / sizeof bad_cases[0];
    cr_assert_geq(n, 35);
    for (size_t i = 0; i < n; i++) run_bad_case(i, &bad_cases[i]);
}

/* ---- --set ------------------------------------------------------------------------ */

typedef struct set_case {
    const char *assignment, *expect;
} set_case;

static const set_case bad_sets[] = {
    {"run.weeks=abc", "--set run.weeks=abc: run.weeks = 'abc' is not a number: " RUN_WEEKS},
    {"run.weeks=0", "--set run.weeks=0: run.weeks = 0 is out of range: " RUN_WEEKS},
    {"crisis.pandemic=perhaps",
     "--set crisis.pandemic=perhaps: crisis.pandemic = 'perhaps' is not a boolean: expected true or false"},
    {"run.weeks", "--set run.weeks: expected PATH=VALUE, e.g. run.weeks=104"},
    {"=5", "--set =5: expected PATH=VALUE, e.g. run.weeks=104"},
    {"run.weks=5", "--set run.weks=5: unknown parameter 'run.weks' (did you mean 'run.weeks'?)"},
    {"run=5", "--set run=5: 'run' is a section, not a parameter (e.g. run.weeks)"},
    {"colour=blue", "--set colour=blue: unknown parameter 'colour' (see `commonweal params`)"},
};

Test(scenario_set, errors)
{
    for (size_t i = 0; i < sizeof bad_sets / sizeof bad_sets[0]; i++) {
        cw_scenario *sc = cw_scenario_new();
        cr_expect_eq(cw_scenario_set(sc, bad_sets[i].assignment), CW_EINVAL, "%s", bad_sets[i].assignment);
        cr_expect_str_eq(cw_scenario_errmsg(sc), bad_sets[i].expect);
        cr_expect_eq(sc->params.run_weeks, 520, "a failed --set changes nothing");
        cw_scenario_free(sc);
    }
}

/* A synthetic size set before the CSV is named (a base's) is replaced by
 * it; after, by --set, it is refused. */
Test(scenario_set, synthetic_size_after_a_csv)
{
    char path[512];
    write_text(TMP, "synthetic_base.yaml", "population: {neighbourhoods: 10, residents_per_neighbourhood: 100}\n", path,
               sizeof path);
    cw_scenario *sc = load_text("csv_over_base", "base: synthetic_base.yaml\npopulation.neighbourhoods_csv: n.csv\n");
    cr_assert_eq(cw_scenario_set(sc, "population.scale=0.5"), CW_OK);
    cr_assert_eq(cw_scenario_set(sc, "population.areas=Blackpool; Bristol, City of"), CW_OK);
    cr_assert_eq(scenario_validate(sc), CW_OK, "%s", cw_scenario_errmsg(sc));
    cr_assert_str_eq(sc->params.population_areas, "Blackpool; Bristol, City of");
    cr_assert_str_eq(sc->origin[TRACK_AREAS].at, "--set population.areas=Blackpool; Bristol, City of");
    cr_assert_eq(cw_scenario_set(sc, "population.neighbourhoods=5"), CW_OK);
    cr_assert_eq(scenario_validate(sc), CW_EINVAL);
    cr_assert(!strncmp(cw_scenario_errmsg(sc),
                       "--set population.neighbourhoods=5: population.neighbourhoods sizes a synthetic area and "
                       "does not apply with a neighbourhoods CSV (" TMP "/n.csv gives every neighbourhood and its "
                       "residents): to run fewer, choose them with population.areas",
                       200), "%s", cw_scenario_errmsg(sc));
    cw_scenario_free(sc);
}

Test(scenario_set, values)
{
    cw_scenario *sc = cw_scenario_new();
    cr_assert_eq(cw_scenario_set(sc, " run.weeks = 104 "), CW_OK, "%s", cw_scenario_errmsg(sc));
    cr_assert_eq(sc->params.run_weeks, 104);
    cr_assert_eq(cw_scenario_set(sc, "crisis.pandemic=true"), CW_OK);
    cr_assert(sc->params.crisis_pandemic);
    cr_assert_eq(cw_scenario_set(sc, "need.hazard.health=0.004"), CW_OK);
    cr_assert_eq(sc->params.need_hazard_health, 0.004);
    /* a CSV named on the command line is relative to the working directory */
    cr_assert_eq(cw_scenario_set(sc, "population.neighbourhoods_csv=data/n.csv"), CW_OK);
    cr_assert_str_eq(sc->params.population_neighbourhoods_csv, "data/n.csv");
    cr_assert_str_eq(cw_scenario_errmsg(sc), "");
    cw_scenario_free(sc);
}

/* ---- loading ---------------------------------------------------------------------- */

Test(scenario, new_holds_the_defaults)
{
    cw_scenario *sc = cw_scenario_new();
    cw_params def;
    params_defaults(&def);
    for (size_t i = 0; i < params_count; i++)
        if (params_table[i].kind != PK_STR)
            cr_expect_eq(params_get_number(&sc->params, &params_table[i]), params_get_number(&def, &params_table[i]));
    cr_assert_eq(sc->n_events, 0);
    cr_assert_str_eq(cw_scenario_errmsg(sc), "");
    cr_assert_str_eq(sc->path, "");
    cr_assert_eq(scenario_validate(sc), CW_OK);
    cw_scenario_free(sc);
    cw_scenario_free(NULL);
}

Test(scenario, nested_and_dotted_keys)
{
    cw_scenario *sc = load_text("keys", "# a comment\n"
                                        "run:\n"
                                        "  weeks: 104\n"
                                        "  seed: 7\n"
                                        "need:\n"
                                        "  hazard:\n"
                                        "    health: 0.004\n"
                                        "  hazard.food: 0.002\n"
                                        "need.age_effect:\n"
                                        "  health: 0.3\n"
                                        "need.hazard.housing: 0.001\n"
                                        "crisis.pandemic: yes\n"
                                        "population: {neighbourhoods: 10, minority_share: '0.25'}\n"
                                        "ties:\n"
                                        "timeline:\n");
    cr_assert_eq(sc->params.run_weeks, 104);
    cr_assert_eq(cw_scenario_seed(sc), 7);
    cr_assert_eq(sc->params.need_hazard_health, 0.004);
    cr_assert_eq(sc->params.need_hazard_food, 0.002);
    cr_assert_eq(sc->params.need_age_health, 0.3);
    cr_assert_eq(sc->params.need_hazard_housing, 0.001);
    cr_assert(sc->params.crisis_pandemic);
    cr_assert_eq(sc->params.population_neighbourhoods, 10);
    cr_assert_eq(sc->params.population_minority_share, 0.25);
    cr_assert_eq(sc->params.run_burn_in_weeks, 52, "untouched parameters keep their defaults");
    cr_assert_eq(sc->n_events, 0);
    cr_assert_str_eq(sc->path, TMP "/keys.yaml");
    cw_scenario_free(sc);
}

Test(scenario, timeline_set_crisis_and_sorting)
{
    cw_scenario *sc = load_text("timeline", "run: {weeks: 100, burn_in_weeks: 20}\n"
                                            "timeline:\n"
                                            "  - at: 30\n"
                                            "    note: second wave\n"
                                            "    set:\n"
                                            "      crisis:\n"
                                            "        pandemic_health_multiplier: 3\n"
                                            "      need.hazard.food: 0.25\n"
                                            "  - at: 10\n"
                                            "    crisis: pandemic\n"
                                            "    weeks: 20\n"
                                            "  - {at: -10, crisis: cost_of_living, weeks: 5}\n"
                                            "  - at: 90\n"
                                            "    crisis: recession\n"
                                            "    weeks: 10\n" /* ends after the run: no off event */
                                            "  - at: 30\n"
                                            "    set: {crisis.pandemic: on}\n");
    cr_assert_eq(sc->n_events, 8);
    expect_event(sc, 0, -10, "crisis.cost_of_living", 1);
    expect_event(sc, 1, -5, "crisis.cost_of_living", 0);
    expect_event(sc, 2, 10, "crisis.pandemic", 1);
    /* week 30, in file order: the first entry, the crisis end, the last entry */
    expect_event(sc, 3, 30, "crisis.pandemic_health_multiplier", 3);
    expect_event(sc, 4, 30, "need.hazard.food", 0.25);
    expect_event(sc, 5, 30, "crisis.pandemic", 0);
    expect_event(sc, 6, 30, "crisis.pandemic", 1);
    expect_event(sc, 7, 90, "crisis.recession", 1);
    /* where each change was written */
    cr_assert_str_eq(sc->events[3].file, TMP "/timeline.yaml");
    cr_assert_eq(sc->events[3].line, 3);
    cr_assert_eq(sc->events[3].column, 9);
    cr_assert_eq(sc->events[5].line, 11); /* the crisis end: its weeks: */
    cr_assert_eq(sc->events[5].column, 12);
    cw_scenario_free(sc);
}

Test(scenario, crisis_end_counts_against_the_final_run_length)
{
    cw_scenario *sc = cw_scenario_new();
    char path[512];
    write_text(TMP, "crisis_end.yaml", "run.weeks: 20\ntimeline:\n  - {at: 15, crisis: recession, weeks: 10}\n", path,
               sizeof path);
    cr_assert_eq(cw_scenario_load(sc, path), CW_OK, "%s", cw_scenario_errmsg(sc));
    cr_assert_eq(sc->n_events, 2);
    cr_assert_eq(cw_scenario_set(sc, "run.weeks=40"), CW_OK);
    cr_assert_eq(scenario_validate(sc), CW_OK, "%s", cw_scenario_errmsg(sc));
    cr_assert_eq(sc->n_events, 2, "a longer run reaches the end of the crisis");
    cr_assert_eq(cw_scenario_set(sc, "run.weeks=20"), CW_OK);
    cr_assert_eq(scenario_validate(sc), CW_OK, "%s", cw_scenario_errmsg(sc));
    cr_assert_eq(sc->n_events, 1, "an end after the run is dropped, not an error");
    cw_scenario_free(sc);
}

Test(scenario, byte_order_mark_and_crlf)
{
    cw_scenario *sc = load_text("bom", "\xEF\xBB\xBFrun:\r\n  weeks: 5\r\n# done\r\n");
    cr_assert_eq(sc->params.run_weeks, 5);
    cw_scenario_free(sc);
}

/* base: chains end somewhere: the 17th file is refused. */
Test(scenario, base_chain_depth)
{
    char dir[256], name[32], text[64], path[512];
    snprintf(dir, sizeof dir, TMP "/deep");
    for (int i = 0; i < 18; i++) {
        snprintf(name, sizeof name, "f%02d.yaml", i);
        if (i < 17)
            snprintf(text, sizeof text, "base: f%02d.yaml\n", i + 1);
        else
            snprintf(text, sizeof text, "run.weeks: 3\n");
        write_text(dir, name, text, path, sizeof path);
    }
    cw_scenario *sc = cw_scenario_new();
    cr_assert_eq(cw_scenario_load(sc, TMP "/deep/f00.yaml"), CW_EINVAL);
    cr_assert_str_eq(cw_scenario_errmsg(sc), TMP "/deep/f15.yaml:1:7: base files nest more than 16 deep");
    cr_assert_eq(cw_scenario_load(sc, TMP "/deep/f02.yaml"), CW_OK, "%s", cw_scenario_errmsg(sc));
    cr_assert_eq(sc->params.run_weeks, 3);
    cw_scenario_free(sc);
}

Test(scenario, anchors_and_aliases)
{
    cw_scenario *sc = load_text("aliases", "timeline:\n"
                                           "  - at: 1\n"
                                           "    set: &wave {crisis.pandemic: true, crisis.pandemic_health_multiplier: 4}\n"
                                           "  - at: 50\n"
                                           "    set: *wave\n");
    cr_assert_eq(sc->n_events, 4);
    expect_event(sc, 2, 50, "crisis.pandemic", 1);
    expect_event(sc, 3, 50, "crisis.pandemic_health_multiplier", 4);
    cw_scenario_free(sc);
}

/* a.yaml -> sub/b.yaml -> c.yaml: later files override, timelines add up
 * (base files' events first within a week), and relative names follow the
 * file that wrote them. */
Test(scenario, base_chain)
{
    char dir[256], sub[256], path[512];
    snprintf(dir, sizeof dir, TMP "/chain");
    snprintf(sub, sizeof sub, TMP "/chain/sub");
    write_text(dir, "c.yaml",
               "run: {weeks: 300, seed: 3}\n"
               "need.hazard.health: 0.01\n"
               "timeline:\n  - {at: 5, set: {crisis.pandemic_health_multiplier: 3}}\n",
               path, sizeof path);
    write_text(sub, "b.yaml",
               "base: ../c.yaml\n"
               "run.weeks: 200\n"
               "population.neighbourhoods_csv: data/n.csv\n"
               "timeline:\n  - {at: 5, crisis: recession, weeks: 10}\n  - {at: 1, set: {need.hazard.food: 0.5}}\n",
               path, sizeof path);
    write_text(dir, "a.yaml",
               "run.seed: 9\n"
               "base: sub/b.yaml\n"
               "timeline:\n  - {at: 5, set: {crisis.pandemic: false}}\n",
               path, sizeof path);
    cw_scenario *sc = cw_scenario_new();
    cr_assert_eq(cw_scenario_load(sc, path), CW_OK, "%s", cw_scenario_errmsg(sc));
    cr_assert_eq(scenario_validate(sc), CW_OK, "%s", cw_scenario_errmsg(sc));
    cr_assert_eq(sc->params.run_weeks, 200);
    cr_assert_eq(sc->params.run_seed, 9);
    cr_assert_eq(sc->params.need_hazard_health, 0.01);
    cr_assert_str_eq(sc->params.population_neighbourhoods_csv, TMP "/chain/sub/data/n.csv");
    cr_assert_eq(sc->n_events, 5);
    expect_event(sc, 0, 1, "need.hazard.food", 0.5);
    expect_event(sc, 1, 5, "crisis.pandemic_health_multiplier", 3);
    expect_event(sc, 2, 5, "crisis.recession", 1);
    expect_event(sc, 3, 5, "crisis.pandemic", 0);
    expect_event(sc, 4, 15, "crisis.recession", 0);
    cr_assert_str_eq(sc->events[1].file, TMP "/chain/sub/../c.yaml");
    cw_scenario_free(sc);
}

Test(scenario, csv_path_resolution)
{
    cw_scenario *sc = load_text("csv_relative", "population.neighbourhoods_csv: areas.csv\n");
    cr_assert_str_eq(sc->params.population_neighbourhoods_csv, TMP "/areas.csv");
    cw_scenario_free(sc);
    sc = load_text("csv_absolute", "population:\n  neighbourhoods_csv: /data/areas.csv\n");
    cr_assert_str_eq(sc->params.population_neighbourhoods_csv, "/data/areas.csv");
    cw_scenario_free(sc);
    sc = load_text("csv_empty", "population:\n  neighbourhoods_csv: ''\n");
    cr_assert_str_eq(sc->params.population_neighbourhoods_csv, "");
    cw_scenario_free(sc);
}

/* A file named without a directory: names in it stay as written. */
Test(scenario, file_in_the_working_directory)
{
    char path[512];
    write_text(TMP, "cwd.yaml", "population.neighbourhoods_csv: areas.csv\n", path, sizeof path);
    cr_assert_eq(chdir(TMP), 0);
    cw_scenario *sc = cw_scenario_new();
    cr_assert_eq(cw_scenario_load(sc, "cwd.yaml"), CW_OK, "%s", cw_scenario_errmsg(sc));
    /* stored absolute, so the resolved scenario reads back from anywhere */
    cr_assert_str_eq(sc->params.population_neighbourhoods_csv, TMP "/areas.csv");
    cw_scenario_free(sc);
}

Test(scenario, failed_load_keeps_the_scenario)
{
    cw_scenario *sc = load_text("good", "run.weeks: 100\ntimeline:\n  - {at: 1, crisis: pandemic, weeks: 2}\n");
    char path[512];
    write_text(TMP, "bad_after_good.yaml", "run.weeks: 50\nrun.seed: x\n", path, sizeof path);
    cr_assert_eq(cw_scenario_load(sc, path), CW_EINVAL);
    cr_assert_eq(sc->params.run_weeks, 100);
    cr_assert_eq(sc->n_events, 2);
    cr_assert_str_eq(sc->path, TMP "/good.yaml");
    cw_scenario_free(sc);
}

Test(scenario, unreadable_files)
{
    cw_scenario *sc = cw_scenario_new();
    cr_assert_eq(cw_scenario_load(sc, TMP "/no/such.yaml"), CW_EIO);
    cr_assert_str_eq(cw_scenario_errmsg(sc), TMP "/no/such.yaml: cannot read: No such file or directory");
    make_dir(CW_TEST_TMP);
    make_dir(TMP);
    cr_assert_eq(cw_scenario_load(sc, TMP), CW_EIO);
    cr_assert_str_eq(cw_scenario_errmsg(sc), TMP ": cannot read: Is a directory");
    cw_scenario_free(sc);
}

static char *repeat(const char *head, char c, size_t n, const char *tail)
{
    size_t h = strlen(head), t = strlen(tail);
    char *s = malloc(h + n + t + 1);
    cr_assert_not_null(s);
    memcpy(s, head, h);
    memset(s + h, c, n);
    memcpy(s + h + n, tail, t + 1);
    return s;
}

Test(scenario, long_text)
{
    char path[512];
    char *yaml = repeat("population.neighbourhoods_csv: /", 'x', 1100, "\n");
    write_text(TMP, "long_string.yaml", yaml, path, sizeof path);
    cw_scenario *sc = cw_scenario_new();
    cr_assert_eq(cw_scenario_load(sc, path), CW_EINVAL);
    cr_assert_str_eq(cw_scenario_errmsg(sc), TMP "/long_string.yaml:1:32: population.neighbourhoods_csv is too "
                                                 "long: expected at most 1023 characters");
    free(yaml);
    yaml = repeat("run.", 'k', 300, ": 1\n");
    write_text(TMP, "long_key.yaml", yaml, path, sizeof path);
    cr_assert_eq(cw_scenario_load(sc, path), CW_EINVAL);
    cr_assert(strstr(cw_scenario_errmsg(sc), "long_key.yaml:1:1: unknown key 'run.kkkk"), "%s", cw_scenario_errmsg(sc));
    cr_assert(strstr(cw_scenario_errmsg(sc), "...': too long"), "%s", cw_scenario_errmsg(sc));
    free(yaml);
    cw_scenario_free(sc);
}

/* Aliases could multiply a small file into millions of changes. */
Test(scenario, timeline_size_is_bounded)
{
    const char *head = "timeline:\n  - &e {at: 1, crisis: pandemic, weeks: 1}\n";
    size_t n = 50001, h = strlen(head);
    char *yaml = malloc(h + 7 * n + 1), path[512];
    cr_assert_not_null(yaml);
    memcpy(yaml, head, h + 1);
    for (size_t i = 0; i < n; i++) memcpy(yaml + h + 7 * i, "  - *e\n", 8);
    write_text(TMP, "many.yaml", yaml, path, sizeof path);
    free(yaml);
    cw_scenario *sc = cw_scenario_new();
    cr_assert_eq(cw_scenario_load(sc, path), CW_EINVAL);
    cr_assert(strstr(cw_scenario_errmsg(sc), "the timeline has more than 100000 changes"), "%s",
              cw_scenario_errmsg(sc));
    cw_scenario_free(sc);
}

Test(scenario, seed)
{
    cw_scenario *sc = cw_scenario_new();
    cr_assert_eq(cw_scenario_seed(sc), 1);
    cw_scenario_set_seed(sc, 12345);
    cr_assert_eq(cw_scenario_seed(sc), 12345);
    cr_assert_eq(sc->params.run_seed, 12345);
    /* run.seed holds 53 bits; higher ones are dropped */
    cw_scenario_set_seed(sc, UINT64_MAX);
    cr_assert_eq(cw_scenario_seed(sc), (UINT64_C(1) << 53) - 1);
    cw_scenario_free(sc);
}

/* ---- writing ---------------------------------------------------------------------- */

/* Write sc to TMP/name and load it back. */
static cw_scenario *write_and_reload(const cw_scenario *sc, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, TMP "/%s", name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    cr_assert_eq(cw_scenario_write_yaml(sc, f), CW_OK);
    fclose(f);
    cw_scenario *back = cw_scenario_new();
    cr_assert_eq(cw_scenario_load(back, path), CW_OK, "%s", cw_scenario_errmsg(back));
    cr_assert_eq(scenario_validate(back), CW_OK, "%s", cw_scenario_errmsg(back));
    return back;
}

static void expect_same(const cw_scenario *a, const cw_scenario *b)
{
    for (size_t i = 0; i < params_count; i++) {
        const param_info *pi = &params_table[i];
        if (pi->kind == PK_STR)
            cr_expect_str_eq((const char *)&a->params + pi->offset, (const char *)&b->params + pi->offset, "%s",
                             pi->path);
        else
            cr_expect_eq(params_get_number(&a->params, pi), params_get_number(&b->params, pi), "%s", pi->path);
    }
    cr_assert_eq(a->n_events, b->n_events);
    for (size_t i = 0; i < a->n_events; i++) {
        cr_expect_eq(a->events[i].week, b->events[i].week, "event %zu", i);
        cr_expect_eq(a->events[i].param, b->events[i].param, "event %zu", i);
        cr_expect_eq(a->events[i].value, b->events[i].value, "event %zu", i);
    }
}

Test(scenario_write, defaults_round_trip)
{
    cw_scenario *sc = cw_scenario_new();
    cw_scenario *back = write_and_reload(sc, "defaults_out.yaml");
    expect_same(sc, back);
    cw_scenario_free(back);
    cw_scenario_free(sc);
}

Test(scenario_write, round_trip)
{
    cw_scenario *sc = load_text("rich", "run: {weeks: 60, seed: 9007199254740991, burn_in_weeks: 4}\n"
                                        "need.hazard.health: 0.30000000000000004\n"
                                        "need.age_effect.housing: -1.25e-3\n"
                                        "crisis.recession: true\n"
                                        "population.neighbourhoods_csv: 'odd \"name\"\\ here.csv'\n"
                                        "timeline:\n"
                                        "  - {at: -4, crisis: pandemic, weeks: 2}\n"
                                        "  - {at: 50, crisis: recession, weeks: 30}\n"
                                        "  - at: 7\n"
                                        "    set: {need.hazard.food: 0.1, crisis.pandemic_mental_health_multiplier: 1.7}\n");
    cr_assert_eq(sc->n_events, 5);
    cw_scenario *back = write_and_reload(sc, "rich_out.yaml");
    expect_same(sc, back);
    cr_assert_str_eq(back->params.population_neighbourhoods_csv, TMP "/odd \"name\"\\ here.csv");
    /* and written again, the same text */
    cw_scenario *again = write_and_reload(back, "rich_out2.yaml");
    expect_same(back, again);
    cw_scenario_free(again);
    cw_scenario_free(back);
    cw_scenario_free(sc);
}

/* population.areas as a YAML list: joined with "; ", written back as a list. */
Test(scenario_write, areas_list_round_trip)
{
    cw_scenario *sc = load_text("areas_list", "population:\n  neighbourhoods_csv: n.csv\n  deprivation_from: rank\n"
                                              "  scale: 0.25\n  areas: [Blackpool, \"Bristol, City of\", E01012662]\n");
    cr_assert_str_eq(sc->params.population_areas, "Blackpool; Bristol, City of; E01012662");
    cr_assert_eq(sc->params.population_deprivation_from, 1);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    cr_assert_eq(cw_scenario_write_yaml(sc, f), CW_OK);
    fclose(f);
    cr_assert(strstr(text, "\n  areas: [\"Blackpool\", \"Bristol, City of\", \"E01012662\"]\n"), "%s", text);
    cw_scenario *back = write_and_reload(sc, "areas_list_out.yaml");
    expect_same(sc, back);
    cr_assert_str_eq(back->params.population_areas, sc->params.population_areas);
    cr_assert_eq(scenario_validate(back), CW_OK, "%s", cw_scenario_errmsg(back));
    free(text);
    cw_scenario_free(back);
    cw_scenario_free(sc);
}

/* The top-level file's leading comment (its question) comes first in the
 * resolved text; a base file's does not; reading the text back and writing
 * it again gives the same text (the resolved header is not kept twice). */
Test(scenario_write, leading_comment)
{
    char path[512];
    write_text(TMP, "commented_base.yaml", "# The base's comment.\nrun.weeks: 60\n", path, sizeof path);
    cw_scenario *sc = load_text("commented", "\xef\xbb\xbf# Title line\r\n#\n# Question: who is left out?\n\n"
                                             "  # indented, still the comment\n#\n"
                                             "base: commented_base.yaml  # not this\n# nor this\nrun.seed: 3\n");
    cr_assert_str_eq(sc->comment, "# Title line\n#\n# Question: who is left out?\n\n# indented, still the comment\n");
    char *text = NULL, *text2 = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    cr_assert_eq(cw_scenario_write_yaml(sc, f), CW_OK);
    fclose(f);
    cr_assert(!strncmp(text, "# Title line\n#\n# Question: who is left out?\n\n# indented, still the comment\n#\n"
                             "# Commonweal scenario, fully resolved", strlen("# Title line\n#\n# Question: who is left out?\n\n"
                             "# indented, still the comment\n#\n# Commonweal scenario, fully resolved")), "%s", text);
    cr_assert_null(strstr(text, "base's comment"));
    cw_scenario *back = write_and_reload(sc, "commented_out.yaml");
    cr_assert_str_eq(back->comment, sc->comment);
    f = open_memstream(&text2, &len);
    cr_assert_eq(cw_scenario_write_yaml(back, f), CW_OK);
    fclose(f);
    cr_assert_str_eq(text2, text);
    free(text2);
    free(text);
    cw_scenario_free(back);
    cw_scenario_free(sc);
}

/* A comment longer than the room for it is cut at the end of a line. */
Test(scenario_write, long_leading_comment)
{
    size_t n = SCN_COMMENT_MAX / 10 + 5;
    char *text = malloc(n * 10 + 32), *p = text;
    for (size_t i = 0; i < n; i++) p += sprintf(p, "# line %02zu\n", i % 100);
    strcpy(p, "run.seed: 3\n");
    cw_scenario *sc = load_text("long_comment", text);
    size_t len = strlen(sc->comment);
    cr_assert(len > 0 && len < SCN_COMMENT_MAX && len % 10 == 0, "%zu bytes", len);
    cr_assert_eq(sc->comment[len - 1], '\n');
    cr_assert(len + 10 >= SCN_COMMENT_MAX - 1, "cut no earlier than needed: %zu", len);
    free(text);
    cw_scenario_free(sc);
}

/* Nested output: each section once, parameters beneath it. */
Test(scenario_write, nested_text)
{
    cw_scenario *sc = cw_scenario_new();
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    cr_assert_not_null(f);
    sc->params.crisis_pandemic = true;
    cr_assert_eq(cw_scenario_write_yaml(sc, f), CW_OK);
    fclose(f);
    cr_assert(strstr(text, "\nrun:\n  weeks: 520\n  burn_in_weeks: 52\n"), "%s", text);
    cr_assert(strstr(text, "\nneed:\n"), "%s", text);
    cr_assert(strstr(text, "\n  hazard:\n    health: 0.003\n"), "%s", text);
    cr_assert(strstr(text, "\n  pandemic: true\n"), "%s", text);
    cr_assert(strstr(text, "\n  neighbourhoods_csv: \"\"\n"), "%s", text);
    cr_assert_null(strstr(text, "timeline:"), "no timeline, no key");
    const char *need = strstr(text, "\nneed:\n");
    cr_assert_null(strstr(need + 1, "\nneed:\n"), "need: written twice");
    free(text);
    cw_scenario_free(sc);
}

/* ---- the shipped test data -------------------------------------------------------- */

Test(scenario_data, example_with_base_and_csv)
{
    cw_scenario *sc = cw_scenario_new();
    cr_assert_eq(cw_scenario_load(sc, CW_SOURCE_DIR "/tests/data/scenarios/example.yaml"), CW_OK, "%s",
                 cw_scenario_errmsg(sc));
    cr_assert_eq(scenario_validate(sc), CW_OK, "%s", cw_scenario_errmsg(sc));
    cr_assert_eq(sc->params.run_weeks, 104);
    cr_assert_eq(cw_scenario_seed(sc), 42);
    cr_assert_str_eq(sc->params.population_neighbourhoods_csv, CW_SOURCE_DIR "/tests/data/scenarios/../csv/wards.csv");
    cr_assert_eq(sc->n_events, 5);
    expect_event(sc, 0, 20, "crisis.cost_of_living", 1);
    expect_event(sc, 1, 60, "crisis.pandemic", 1);
    expect_event(sc, 2, 60, "crisis.pandemic_health_multiplier", 2.5);
    expect_event(sc, 3, 72, "crisis.cost_of_living", 0);
    expect_event(sc, 4, 72, "crisis.pandemic", 0);
    cw_scenario_free(sc);
}
