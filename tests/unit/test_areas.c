/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * Real areas (sim/input/areas.c): choosing rows of the neighbourhood table by
 * population.areas, shrinking them by population.scale, and the listing
 * of `commonweal areas`; on a small table and on the shipped England.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "areas.h"

#define TMP CW_TEST_TMP "/areas"
#define ENGLAND CW_SOURCE_DIR "/scenarios/data/england-imd2019.csv"

static const char table[] =
    "# three LAs, the second named with a comma\n"
    "code,name,la_code,la,population,deprivation,space_quality\n"
    "E01000001,North 001A,E06000001,North,1000,1,0.1\n"
    "E01000002,\"Bristol, City of 001A\",E06000023,\"Bristol, City of\",2000,3,0.2\n"
    "E01000003,North 001B,E06000001,North,1001,2,0.3\n"
    "E01000004,South 001A,E07000089,South,999,4,0.4\n"
    "E01000005,\"Bristol, City of 001B\",E06000023,\"Bristol, City of\",2001,5,0.5\n";

static void params_for(cw_params *p, const char *csv, const char *areas, double scale)
{
    cr_assert(mkdir(CW_TEST_TMP, 0777) == 0 || errno == EEXIST);
    cr_assert(mkdir(TMP, 0777) == 0 || errno == EEXIST);
    FILE *f = fopen(TMP "/t.csv", "w");
    cr_assert_not_null(f);
    fputs(table, f);
    fclose(f);
    params_defaults(p);
    snprintf(p->population_neighbourhoods_csv, PARAMS_STR_MAX, "%s", csv ? csv : TMP "/t.csv");
    snprintf(p->population_areas, PARAMS_STR_MAX, "%s", areas);
    p->population_scale = scale;
    p->population_deprivation_from = NBHD_DEPRIVATION_RANK;
}

static cw_status load(const char *areas, double scale, nbhd_csv *t, char *err, size_t n)
{
    cw_params *p = malloc(sizeof *p);
    params_for(p, NULL, areas, scale);
    cw_status st = areas_load(p, "s.yaml:7:10", "s.yaml:8:10", t, err, n);
    free(p);
    return st;
}

Test(areas, every_row_without_areas)
{
    nbhd_csv t;
    char err[1024] = "";
    cr_assert_eq(load("", 1.0, &t, err, sizeof err), CW_OK, "%s", err);
    cr_expect_eq(t.n, 5);
    cr_expect_eq(t.n_la, 3);
    cr_expect_eq(t.population[1], 2000);
    cr_expect_float_eq(t.deprivation[0], 1.0, 1e-12); /* rank 1 of 5 */
    cr_expect_float_eq(t.deprivation[4], 0.0, 1e-12);
    nbhd_csv_free(&t);
}

Test(areas, by_la_name_code_and_lsoa_code)
{
    nbhd_csv t;
    char err[1024] = "";
    /* an LA by name with its comma (case-insensitive), one by code, one LSOA by code */
    cr_assert_eq(load("bristol, city of; E07000089", 1.0, &t, err, sizeof err), CW_OK, "%s", err);
    cr_assert_eq(t.n, 3);
    cr_expect_str_eq(t.name[0], "Bristol, City of 001A"); /* file order kept */
    cr_expect_str_eq(t.name[1], "South 001A");
    cr_expect_str_eq(t.name[2], "Bristol, City of 001B");
    cr_assert_eq(t.n_la, 2); /* renumbered in order of first appearance */
    cr_expect_str_eq(t.la_name[0], "Bristol, City of");
    cr_expect_str_eq(t.la_code[1], "E07000089");
    cr_expect_eq(t.la[0], 0);
    cr_expect_eq(t.la[1], 1);
    cr_expect_eq(t.la[2], 0);
    cr_expect_str_eq(t.code[2], "E01000005");
    /* deprivation is the whole table's: rank 3 of 5 stays 0.5 */
    cr_expect_float_eq(t.deprivation[0], 0.5, 1e-12);
    cr_expect_float_eq(t.space_quality[1], 0.4, 1e-12);
    nbhd_csv_free(&t);
    cr_assert_eq(load("e01000003;North 001A;", 1.0, &t, err, sizeof err), CW_OK, "%s", err);
    cr_assert_eq(t.n, 2);
    cr_expect_str_eq(t.name[0], "North 001A");
    cr_expect_str_eq(t.name[1], "North 001B");
    cr_expect_eq(t.n_la, 1);
    nbhd_csv_free(&t);
}

/* An LA whose first row is not kept, after one that is: each keeps its own name and code. */
Test(areas, renumbering_keeps_names)
{
    nbhd_csv t;
    char err[1024] = "";
    cr_assert_eq(load("North 001B; Bristol, City of 001A", 1.0, &t, err, sizeof err), CW_OK, "%s", err);
    cr_assert_eq(t.n, 2);
    cr_assert_eq(t.n_la, 2);
    cr_expect_str_eq(t.name[0], "Bristol, City of 001A");
    cr_expect_str_eq(t.la_name[t.la[0]], "Bristol, City of");
    cr_expect_str_eq(t.la_code[t.la[0]], "E06000023");
    cr_expect_str_eq(t.name[1], "North 001B");
    cr_expect_str_eq(t.la_name[t.la[1]], "North");
    cr_expect_str_eq(t.la_code[t.la[1]], "E06000001");
    nbhd_csv_free(&t);
}

Test(areas, unknown_and_empty_items)
{
    nbhd_csv t;
    char err[1024] = "";
    cr_assert_eq(load("Nort", 1.0, &t, err, sizeof err), CW_EINVAL);
    cr_expect_str_eq(err, "s.yaml:7:10: population.areas: no local authority or neighbourhood named or coded 'Nort' in "
                          TMP "/t.csv (did you mean 'North'?)");
    cr_expect_eq(t.n, 0);
    cr_assert_eq(load("Bristol", 1.0, &t, err, sizeof err), CW_EINVAL);
    cr_expect(strstr(err, "(did you mean 'Bristol, City of'?)"), "%s", err);
    cr_assert_eq(load("Atlantis", 1.0, &t, err, sizeof err), CW_EINVAL);
    cr_expect(strstr(err, "'Atlantis' in " TMP "/t.csv (`commonweal areas` lists its local authorities)"), "%s", err);
    cr_assert_eq(load("North;;South", 1.0, &t, err, sizeof err), CW_EINVAL);
    cr_expect_str_eq(err, "s.yaml:7:10: population.areas: an empty item in 'North;;South' (areas are separated by ';')");
    cr_expect_eq(t.n, 0);
}

Test(areas, scale)
{
    nbhd_csv t;
    char err[1024] = "";
    cr_assert_eq(load("", 0.1, &t, err, sizeof err), CW_OK, "%s", err);
    const int64_t want[] = {100, 200, 100, 100, 200}; /* rounded: 100.1 -> 100, 99.9 -> 100, 200.1 -> 200 */
    for (int b = 0; b < 5; b++) cr_expect_eq(t.population[b], want[b], "row %d: %lld", b, (long long)t.population[b]);
    cr_expect_float_eq(t.deprivation[2], 0.75, 1e-12); /* every neighbourhood keeps its deprivation */
    nbhd_csv_free(&t);
    cr_assert_eq(load("", 0.0004, &t, err, sizeof err), CW_EINVAL);
    cr_expect_str_eq(err, "s.yaml:8:10: population.scale = 0.0004 leaves neighbourhood 'North 001A' (1000 residents) "
                          "with none: the smallest scale that keeps a resident in every neighbourhood here is 0.000501");
    cr_expect_eq(t.n, 0);
}

Test(areas, listing)
{
    nbhd_csv t;
    char err[1024] = "", *text = NULL;
    size_t len = 0;
    cr_assert_eq(load("", 1.0, &t, err, sizeof err), CW_OK, "%s", err);
    FILE *fp = open_memstream(&text, &len);
    cr_assert_eq(areas_print(&t, "t.csv", "city", fp, err, sizeof err), CW_OK, "%s", err);
    fclose(fp);
    cr_expect(strstr(text, "# t.csv: 1 of 3 local authorities matching 'city'\n"), "%s", text);
    cr_expect(strstr(text, "E06000023   Bristol, City of                                   2         4,001        0.250\n"),
              "%s", text);
    cr_expect(strstr(text, "# total: 1 local authorities, 2 neighbourhoods, 4,001 residents"), "%s", text);
    free(text);
    fp = open_memstream(&text, &len);
    cr_assert_eq(areas_print(&t, "t.csv", "Sooth", fp, err, sizeof err), CW_EINVAL);
    fclose(fp);
    cr_expect_str_eq(err, "no local authority in t.csv has 'Sooth' in its name or code (did you mean 'South'?)");
    free(text);
    nbhd_csv_free(&t);
}

Test(areas, england_blackpool)
{
    cw_params *p = malloc(sizeof *p);
    params_for(p, ENGLAND, "Blackpool", 1.0);
    nbhd_csv t;
    char err[1024] = "";
    cr_assert_eq(areas_load(p, "", "", &t, err, sizeof err), CW_OK, "%s", err);
    cr_expect_eq(t.n, 94);
    cr_expect_eq(t.n_la, 1);
    int64_t total = 0;
    for (int b = 0; b < t.n; b++) total += t.population[b];
    cr_expect_eq(total, 114768); /* residents 16+, mid-2015 (`commonweal areas Blackpool`) */
    nbhd_csv_free(&t);
    free(p);
}
