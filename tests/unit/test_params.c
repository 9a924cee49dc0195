/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * The parameter table (params.def) and the operations generated from it.
 * Part of this is a check of the table itself: ranges hold their defaults,
 * every row is documented, and the paths nest as YAML.
 */
#include <criterion/criterion.h>
#include <ctype.h>
#include <math.h>
#include <string.h>

#include "params.h"

static bool is_numeric(const param_info *pi) { return pi->kind == PK_INT || pi->kind == PK_REAL; }

Test(params, defaults_match_the_table)
{
    cw_params p;
    params_defaults(&p);
    for (size_t i = 0; i < params_count; i++) {
        const param_info *pi = &params_table[i];
        if (pi->kind == PK_STR)
            cr_expect_str_eq((const char *)&p + pi->offset, pi->sdef, "%s", pi->path);
        else
            cr_expect_eq(params_get_number(&p, pi), pi->def, "%s", pi->path);
    }
    cr_assert_eq(p.run_weeks, 520);
    cr_assert_eq(p.run_burn_in_weeks, 52);
    cr_assert_str_eq(p.population_neighbourhoods_csv, "");
    cr_assert(!p.crisis_pandemic);
}

Test(params, every_row_is_documented_and_in_range)
{
    for (size_t i = 0; i < params_count; i++) {
        const param_info *pi = &params_table[i];
        cr_expect(pi->doc && strlen(pi->doc) > 10, "%s: doc missing", pi->path);
        cr_expect(pi->unit && pi->unit[0], "%s: unit missing", pi->path);
        if (!is_numeric(pi)) continue;
        cr_expect(pi->min <= pi->def && pi->def <= pi->max, "%s: default %g outside [%g, %g]", pi->path, pi->def,
                  pi->min, pi->max);
        cr_expect(strcmp(pi->unit, "") != 0, "%s: numeric row without a unit", pi->path);
        if (pi->kind == PK_INT)
            cr_expect(pi->def == floor(pi->def) && pi->min == floor(pi->min) && pi->max == floor(pi->max),
                      "%s: integer row with fractional bounds", pi->path);
    }
}

/* params.def: "A doc ends with its source in brackets, or [assumption]".
 * Software settings (seed, file names, output) have no source. */
Test(params, model_rows_cite_a_source)
{
    for (size_t i = 0; i < params_count; i++) {
        const param_info *pi = &params_table[i];
        if (pi->kind == PK_STR || !strcmp(pi->path, "run.seed") || !strncmp(pi->path, "output.", 7)) continue;
        size_t n = strlen(pi->doc);
        cr_expect(n > 0 && pi->doc[n - 1] == ']' && strchr(pi->doc, '['), "%s: doc cites no [source]", pi->path);
    }
}

Test(params, paths_are_unique_and_nest_as_yaml)
{
    for (size_t i = 0; i < params_count; i++) {
        const char *a = params_table[i].path;
        cr_expect(a[0] && a[0] != '.' && a[strlen(a) - 1] != '.' && !strstr(a, ".."), "%s: empty component", a);
        for (const char *s = a; *s; s++)
            cr_expect(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '_' || *s == '.',
                      "%s: character '%c' needs quoting in YAML", a, *s);
        for (size_t j = 0; j < params_count; j++) {
            if (i == j) continue;
            const char *b = params_table[j].path;
            size_t n = strlen(a);
            cr_expect(strcmp(a, b) != 0, "%s appears twice", a);
            /* a leaf that is also a section could not be written as YAML */
            cr_expect(!(strncmp(a, b, n) == 0 && b[n] == '.'), "%s is both a parameter and a section of %s", a, b);
        }
        cr_expect_eq(params_find(a), &params_table[i]);
    }
}

Test(params, find)
{
    const param_info *pi = params_find("need.hazard.health");
    cr_assert_not_null(pi);
    cr_assert_eq(pi->kind, PK_REAL);
    cr_assert_eq(pi->offset, offsetof(cw_params, need_hazard_health));
    cr_assert_null(params_find("need.hazard"));
    cr_assert_null(params_find("run.weeks "));
    cr_assert_null(params_find(""));
}

Test(params, suggest)
{
    cr_assert_str_eq(params_suggest("run.weks")->path, "run.weeks");
    cr_assert_str_eq(params_suggest("need.hazard.helth")->path, "need.hazard.health");
    cr_assert_str_eq(params_suggest("run.burnin_weeks")->path, "run.burn_in_weeks");
    /* right name, wrong section */
    cr_assert_str_eq(params_suggest("life.severity_mean")->path, "need.severity_mean");
    cr_assert_null(params_suggest("zzzzzzzzzzzzzz"));
    cr_assert_null(params_suggest("colour"));
}

Test(params, setup_parameters)
{
    cr_assert(params_is_setup(params_find("run.weeks")));
    cr_assert(params_is_setup(params_find("population.minority_share")));
    cr_assert(params_is_setup(params_find("ties.mean_degree")));
    cr_assert(params_is_setup(params_find("output.compression_level")));
    cr_assert(!params_is_setup(params_find("crisis.pandemic")));
    cr_assert(!params_is_setup(params_find("need.hazard.food")));
}

/* set_text: text -> value, or the exact message. */
static void expect_set_error(const char *path, const char *text, const char *expect)
{
    cw_params p;
    char err[512] = "";
    params_defaults(&p);
    cr_expect_eq(params_set_text(&p, params_find(path), text, err, sizeof err), CW_EINVAL, "%s = %s", path, text);
    cr_expect_str_eq(err, expect);
}

Test(params, set_text_errors)
{
    expect_set_error("run.weeks", "abc", "run.weeks = 'abc' is not a number: expected an integer in [1, 5200] weeks");
    expect_set_error("run.weeks", "", "run.weeks = '' is not a number: expected an integer in [1, 5200] weeks");
    expect_set_error("run.weeks", "12x", "run.weeks = '12x' is not a number: expected an integer in [1, 5200] weeks");
    expect_set_error("run.weeks", "0", "run.weeks = 0 is out of range: expected an integer in [1, 5200] weeks");
    expect_set_error("run.weeks", "5201", "run.weeks = 5201 is out of range: expected an integer in [1, 5200] weeks");
    expect_set_error("run.weeks", "10.5",
                     "run.weeks = 10.5 is not a whole number: expected an integer in [1, 5200] weeks");
    expect_set_error("need.hazard.health", "1.5",
                     "need.hazard.health = 1.5 is out of range: expected a number in [0, 1] per week");
    expect_set_error("need.hazard.health", "-0.1",
                     "need.hazard.health = -0.1 is out of range: expected a number in [0, 1] per week");
    expect_set_error("need.hazard.health", "nan",
                     "need.hazard.health = nan is out of range: expected a number in [0, 1] per week");
    expect_set_error("need.hazard.health", "1e999",
                     "need.hazard.health = '1e999' is not a number: expected a number in [0, 1] per week");
    expect_set_error("crisis.pandemic", "maybe", "crisis.pandemic = 'maybe' is not a boolean: expected true or false");
    expect_set_error("crisis.pandemic", "2", "crisis.pandemic = '2' is not a boolean: expected true or false");
    expect_set_error("run.seed", "1e300",
                     "run.seed = '1e300' is out of range: expected an integer in [0, 9007199254740991] -");
}

Test(params, set_text_values)
{
    cw_params p;
    char err[256];
    params_defaults(&p);
    cr_assert_eq(params_set_text(&p, params_find("run.weeks"), "104", err, sizeof err), CW_OK);
    cr_assert_eq(p.run_weeks, 104);
    cr_assert_eq(params_set_text(&p, params_find("run.weeks"), "1e2", err, sizeof err), CW_OK);
    cr_assert_eq(p.run_weeks, 100);
    cr_assert_eq(params_set_text(&p, params_find("crisis.pandemic"), "yes", err, sizeof err), CW_OK);
    cr_assert(p.crisis_pandemic);
    cr_assert_eq(params_set_text(&p, params_find("crisis.pandemic"), "off", err, sizeof err), CW_OK);
    cr_assert(!p.crisis_pandemic);
    cr_assert_eq(params_set_text(&p, params_find("need.hazard.food"), "0.125", err, sizeof err), CW_OK);
    cr_assert_eq(p.need_hazard_food, 0.125);
    cr_assert_eq(params_set_text(&p, params_find("population.neighbourhoods_csv"), "a b.csv", err, sizeof err), CW_OK);
    cr_assert_str_eq(p.population_neighbourhoods_csv, "a b.csv");
}

Test(params, set_text_string_too_long)
{
    cw_params p;
    char err[256], text[PARAMS_STR_MAX + 1];
    params_defaults(&p);
    memset(text, 'x', PARAMS_STR_MAX);
    text[PARAMS_STR_MAX] = '\0';
    cr_assert_eq(params_set_text(&p, params_find("population.neighbourhoods_csv"), text, err, sizeof err), CW_EINVAL);
    cr_assert_str_eq(err, "population.neighbourhoods_csv is too long: expected text of at most 1023 characters");
    cr_assert_str_eq(p.population_neighbourhoods_csv, "");
    text[PARAMS_STR_MAX - 1] = '\0';
    cr_assert_eq(params_set_text(&p, params_find("population.neighbourhoods_csv"), text, err, sizeof err), CW_OK);
}

Test(params, set_number)
{
    cw_params p;
    char err[256];
    params_defaults(&p);
    cr_assert_eq(params_set_number(&p, params_find("run.weeks"), 7, err, sizeof err), CW_OK);
    cr_assert_eq(p.run_weeks, 7);
    cr_assert_eq(params_set_number(&p, params_find("run.weeks"), 7.5, err, sizeof err), CW_EINVAL);
    cr_assert_eq(params_set_number(&p, params_find("run.weeks"), INFINITY, err, sizeof err), CW_EINVAL);
    cr_assert_eq(params_set_number(&p, params_find("population.neighbourhoods_csv"), 1, err, sizeof err), CW_EINVAL);
    cr_assert_str_eq(err, "population.neighbourhoods_csv expects text of at most 1023 characters");
    cr_assert_eq(p.run_weeks, 7);
}

/* Every default, formatted and parsed back, is the same value. */
Test(params, format_round_trip)
{
    cw_params a, b;
    char buf[PARAMS_STR_MAX + 8], err[256];
    params_defaults(&a);
    params_defaults(&b);
    a.need_hazard_health = 0.1 + 0.2; /* needs all 17 digits */
    a.crisis_recession = true;
    for (size_t i = 0; i < params_count; i++) {
        const param_info *pi = &params_table[i];
        if (pi->kind == PK_STR) continue;
        params_format(&a, pi, buf, sizeof buf);
        cr_expect_eq(params_set_text(&b, pi, buf, err, sizeof err), CW_OK, "%s: %s", pi->path, err);
        cr_expect_eq(params_get_number(&b, pi), params_get_number(&a, pi), "%s = %s", pi->path, buf);
    }
    params_format(&a, params_find("crisis.recession"), buf, sizeof buf);
    cr_assert_str_eq(buf, "true");
    snprintf(a.population_neighbourhoods_csv, PARAMS_STR_MAX, "say \"hi\"\\");
    params_format(&a, params_find("population.neighbourhoods_csv"), buf, sizeof buf);
    cr_assert_str_eq(buf, "\"say \\\"hi\\\"\\\\\"");
}

Test(params, describe_range)
{
    char buf[160];
    params_describe_range(params_find("run.weeks"), buf, sizeof buf);
    cr_assert_str_eq(buf, "an integer in [1, 5200] weeks");
    params_describe_range(params_find("crisis.pandemic"), buf, sizeof buf);
    cr_assert_str_eq(buf, "true or false");
}

Test(params, shortest_round_trip_text)
{
    char buf[32];
    cr_assert_str_eq(cw_format_double(0.8, buf, sizeof buf), "0.8");
    cr_assert_str_eq(cw_format_double(0.1 + 0.2, buf, sizeof buf), "0.30000000000000004");
    cr_assert_str_eq(cw_format_double(520, buf, sizeof buf), "520");
    cr_assert_str_eq(cw_format_double(-0.0, buf, sizeof buf), "-0");
    cr_assert_str_eq(cw_format_double(1e300, buf, sizeof buf), "1e+300");
    const double xs[] = {1.0 / 3, 2.0 / 3, 0.674, 9007199254740991.0, 5e-324, 1.7976931348623157e308};
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++)
        cr_expect_eq(strtod(cw_format_double(xs[i], buf, sizeof buf), NULL), xs[i], "%s", buf);
    cw_params p;
    params_defaults(&p);
    params_format(&p, params_find("funding.budget.housing"), buf, sizeof buf);
    cr_assert_str_eq(buf, "0.8");
}

/* Every lever (the parameters a comparison may change) has words for a
 * report, and every row of lever_text.def names a real lever. */
Test(params, every_lever_has_plain_words)
{
    static const char *const prefixes[] = {"policy.", "investment.", "funding.", "crisis.",
                                           "partnership.", "privatisation.", "business."};
    for (size_t i = 0; i < params_count; i++) {
        const param_info *pi = &params_table[i];
        int lever = 0;
        for (size_t k = 0; k < sizeof prefixes / sizeof prefixes[0]; k++)
            lever |= strncmp(pi->path, prefixes[k], strlen(prefixes[k])) == 0;
        if (!lever) continue;
        const lever_text *lt = params_lever_text(pi->path);
        cr_expect(lt != NULL, "%s: no row in sim/core/lever_text.def", pi->path);
        if (!lt) continue;
        cr_expect(lt->text[0] && !strchr(lt->text, '_'), "%s: words without underscores", pi->path);
        if (pi->kind == PK_BOOL) cr_expect_str_eq(lt->scale, "switch", "%s", pi->path);
        if (pi->kind == PK_ENUM) {
            int bars = 0, want = 0;
            for (const char *c = lt->choices; *c; c++) bars += *c == '|';
            for (const char *c = pi->sdef; *c; c++) want += *c == '|';
            cr_expect_eq(bars, want, "%s: one word per choice", pi->path);
        }
    }
    for (size_t i = 0; i < levers_count; i++)
        cr_expect(params_find(levers_table[i].path) != NULL, "lever_text.def: %s is not a parameter",
                  levers_table[i].path);
}
