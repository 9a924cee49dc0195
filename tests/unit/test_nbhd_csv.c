/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * The neighbourhood CSV reader: good files in their variety, and bad ones
 * with their exact FILE:LINE messages (table-driven).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "nbhd_csv.h"

#define TMP CW_TEST_TMP "/nbhd_csv"

/* Write len bytes of text to TMP/name; the path goes into buf. */
static const char *write_bytes(const char *name, const char *text, size_t len, char *buf, size_t n)
{
    cr_assert(mkdir(CW_TEST_TMP, 0777) == 0 || errno == EEXIST);
    cr_assert(mkdir(TMP, 0777) == 0 || errno == EEXIST);
    snprintf(buf, n, TMP "/%s", name);
    FILE *f = fopen(buf, "wb");
    cr_assert_not_null(f, "cannot write %s", buf);
    cr_assert_eq(fwrite(text, 1, len, f), len);
    fclose(f);
    return buf;
}

static const char *write_text(const char *name, const char *text, char *buf, size_t n)
{
    return write_bytes(name, text, strlen(text), buf, n);
}

static void read_ok(const char *name, const char *text, nbhd_csv *t)
{
    char path[512], err[512] = "";
    write_text(name, text, path, sizeof path);
    cr_assert_eq(nbhd_csv_read(path, t, err, sizeof err), CW_OK, "%s", err);
}

static void expect_empty(const nbhd_csv *t)
{
    cr_expect_eq(t->n, 0);
    cr_expect_eq(t->n_la, 0);
    cr_expect_null(t->name);
    cr_expect_null(t->la_name);
    cr_expect_null(t->space_quality);
}

/* ---- good files --------------------------------------------------------------- */

Test(nbhd_csv, minimal)
{
    nbhd_csv t;
    read_ok("minimal.csv", "name,population,deprivation\nAbbey,1200,0.5\nBrook,800,0.25\n", &t);
    cr_assert_eq(t.n, 2);
    cr_assert_str_eq(t.name[0], "Abbey");
    cr_assert_str_eq(t.name[1], "Brook");
    cr_assert_eq(t.population[0], 1200);
    cr_assert_eq(t.population[1], 800);
    cr_assert_eq(t.deprivation[0], 0.5);
    cr_assert_eq(t.deprivation[1], 0.25);
    cr_assert_null(t.space_quality);
    cr_assert_eq(t.n_la, 1, "no la column: one LA");
    cr_assert_str_eq(t.la_name[0], "LA 1");
    cr_assert_eq(t.la[0], 0);
    cr_assert_eq(t.la[1], 0);
    nbhd_csv_free(&t);
    expect_empty(&t);
    nbhd_csv_free(&t); /* twice is fine */
}

/* Columns in any order and case, every optional column, quotes, CRLF, a
 * byte-order mark, comments, blank lines, spaces, no final newline. */
Test(nbhd_csv, everything_at_once)
{
    nbhd_csv t;
    read_ok("full.csv",
            "\xEF\xBB\xBF# Wards of two towns\r\n"
            "\r\n"
            "Deprivation, la ,NAME,space_quality,population\r\n"
            "0.1,Camden,\"Ward, North\",0.9,1200\r\n"
            "   # a comment line\r\n"
            "0.9, Camden ,\"Say \"\"hi\"\"\",0,15\r\n"
            "\r\n"
            "1,Leeds,\"Ward, North\",1,17\r\n"
            "0,Camden,  Plain  ,0.5,  19",
            &t);
    cr_assert_eq(t.n, 4);
    cr_assert_str_eq(t.name[0], "Ward, North");
    cr_assert_str_eq(t.name[1], "Say \"hi\"");
    cr_assert_str_eq(t.name[2], "Ward, North", "a name may repeat in another LA");
    cr_assert_str_eq(t.name[3], "Plain");
    cr_assert_eq(t.n_la, 2);
    cr_assert_str_eq(t.la_name[0], "Camden");
    cr_assert_str_eq(t.la_name[1], "Leeds");
    cr_assert_eq(t.la[0], 0);
    cr_assert_eq(t.la[1], 0);
    cr_assert_eq(t.la[2], 1);
    cr_assert_eq(t.la[3], 0);
    cr_assert_eq(t.population[1], 15);
    cr_assert_eq(t.population[3], 19);
    cr_assert_eq(t.deprivation[2], 1.0);
    cr_assert_not_null(t.space_quality);
    cr_assert_eq(t.space_quality[0], 0.9);
    cr_assert_eq(t.space_quality[3], 0.5);
    nbhd_csv_free(&t);
}

/* Enough rows to exercise the hash sets (and growth of the file buffer). */
Test(nbhd_csv, many_rows)
{
    enum { N = 20000 };
    size_t cap = 64 + (size_t)N * 40, len = 0;
    char *text = malloc(cap), path[512], err[512] = "";
    cr_assert_not_null(text);
    len += (size_t)snprintf(text, cap, "la,name,population,deprivation\n");
    for (int i = 0; i < N; i++)
        len += (size_t)snprintf(text + len, cap - len, "LA%d,Area %05d,%d,%.4f\n", i % 300, i / 2, 100 + i,
                                (double)i / N);
    write_bytes("many.csv", text, len, path, sizeof path);
    free(text);
    nbhd_csv t;
    cr_assert_eq(nbhd_csv_read(path, &t, err, sizeof err), CW_OK, "%s", err);
    cr_assert_eq(t.n, N);
    cr_assert_eq(t.n_la, 300);
    cr_assert_str_eq(t.la_name[299], "LA299");
    cr_assert_eq(t.la[N - 1], (N - 1) % 300);
    cr_assert_eq(t.population[N - 1], 100 + N - 1);
    nbhd_csv_free(&t);
}

/* ---- bad files ------------------------------------------------------------------ */

typedef struct bad_csv {
    const char *text;
    const char *expect; /* the message after "TMP/badNN.csv:" */
} bad_csv;

#define HDR "name,population,deprivation\n"

static const bad_csv bad_files[] = {
    {"", "1: empty file: expected a header row (name,population,deprivation, optionally la and space_quality)"},
    {"# nothing but a comment\n\n", "1: empty file: expected a header row"},
    {HDR, "1: no neighbourhoods: the file has a header row and nothing else"},
    {"# header on line 3\n\n" HDR "# no rows\n", "3: no neighbourhoods: the file has a header row and nothing else"},
    {"name,population,deprivaton\nA,1,0\n", "1: unknown column 'deprivaton' (did you mean 'deprivation'?)"},
    {"name,population,deprivation,colour\nA,1,0,red\n",
     "1: unknown column 'colour': expected name, population, deprivation, code, la, la_code or space_quality"},
    {"name,deprivation\nA,0.5\n", "1: missing column 'population' (required: name, population, deprivation)"},
    {"name,population,deprivation,Name\nA,1,0,B\n", "1: column 'name' appears twice in the header"},
    {"name,,population,deprivation\nA,,1,0\n", "1: header field 2 has no column name"},
    {HDR "A,abc,0.5\n", "2: column 'population': 'abc' is not a whole number >= 1"},
    {HDR "A,10,0.5\nB,0,0.5\n", "3: column 'population': '0' is not a whole number >= 1"},
    {HDR "A,-5,0.5\n", "2: column 'population': '-5' is not a whole number >= 1"},
    {HDR "A,12.5,0.5\n", "2: column 'population': '12.5' is not a whole number >= 1"},
    {HDR "A,99999999999999999999,0.5\n", "2: column 'population': '99999999999999999999' is not a whole number >= 1"},
    {HDR "A,,0.5\n", "2: column 'population': '' is not a whole number >= 1"},
    {HDR "A,9,0.5\n", "2: column 'population': 9 is outside [10, 1000000] residents"},
    {HDR "A,9223372036854775807,0.5\nB,9223372036854775807,0.5\n",
     "2: column 'population': 9223372036854775807 is outside [10, 1000000] residents"},
    {HDR "A,10,23.5\n",
     "2: column 'deprivation': 23.5 is outside [0, 1]: rescale to [0, 1] with 1 the most deprived, or declare "
     "population.deprivation_from: rank (ranks, 1 the most deprived) or score (scores, higher the more deprived) "
     "and the program rescales it"},
    {"code,name,population,deprivation\nE01,A,10,0\nE02,B,10,0\nE01,C,10,0\n",
     "4: column 'code': duplicate code 'E01' (first on line 2)"},
    {"code,name,population,deprivation\n,A,10,0\n", "2: column 'code': empty code"},
    {"name,la_code,population,deprivation\nA,E06,10,0\n",
     "1: column 'la_code' without a column 'la' (the local authority's name)"},
    {"name,la,la_code,population,deprivation\nA,X,E06,10,0\nB,Y,E07,10,0\nC,X,E08,10,0\n",
     "4: column 'la_code': 'E08' for local authority 'X', which line 2 gave as 'E06'"},
    {"name,la,la_code,population,deprivation\nA,X,,1,0\n", "2: column 'la_code': empty local-authority code"},
    {HDR "A,10,high\n", "2: column 'deprivation': 'high' is not a number in [0, 1]"},
    {HDR "A,10,nan\n", "2: column 'deprivation': 'nan' is not a number in [0, 1]"},
    {"name,population,deprivation,space_quality\nA,10,0.5,1.5\n",
     "2: column 'space_quality': 1.5 is outside [0, 1]: rescale to [0, 1] (0 no community space, 1 well-equipped)"},
    {HDR "A,10,0.5\nB,10\n", "3: 2 fields where the header has 3 (a comma inside a field needs \"quotes\")"},
    {HDR "Ward, North,10,0.5\n", "2: 4 fields where the header has 3 (a comma inside a field needs \"quotes\")"},
    {HDR "A,10,0.5,\n", "2: 4 fields where the header has 3"},
    {HDR ",10,0.5\n", "2: column 'name': empty name"},
    {HDR "  \"\" ,10,0.5\n", "2: column 'name': empty name"},
    {HDR "A,10,0.5\nB,10,0.5\n# c\nA,5,0.1\n", "5: column 'name': duplicate name 'A' (first on line 2)"},
    {"la,name,population,deprivation\nX,A,10,0\nY,A,10,0\nX,A,10,0\n",
     "4: column 'name': duplicate name 'A' in its LA (first on line 2)"},
    {"la,name,population,deprivation\n,A,10,0\n", "2: column 'la': empty local-authority name"},
    {HDR "\"Ward, North,10,0.5\n", "2: unterminated quoted field (a closing \" is missing)"},
    {HDR "\"Ward\" North,10,0.5\n", "2: text after a closing quote (write \"\" for a quote inside a field)"},
};

Test(nbhd_csv_bad, table)
{
    size_t n = sizeof bad_files / sizeof bad_files[0];
    cr_assert_geq(n, 10);
    for (size_t i = 0; i < n; i++) {
        char name[32], path[512], expect[1024], err[1024] = "";
        snprintf(name, sizeof name, "bad%02zu.csv", i);
        write_text(name, bad_files[i].text, path, sizeof path);
        nbhd_csv t;
        cr_expect_eq(nbhd_csv_read(path, &t, err, sizeof err), CW_EINVAL, "case %zu: %s", i, err);
        snprintf(expect, sizeof expect, "%s:%s", path, bad_files[i].expect);
        cr_expect(strncmp(err, expect, strlen(expect)) == 0, "case %zu:\n  got      %s\n  expected %s...", i, err,
                  expect);
        if (getenv("CW_SHOW_MESSAGES")) cr_log_info("%zu: %s", i, err);
        expect_empty(&t);
        nbhd_csv_free(&t);
    }
}

/* Deprivation as ranks and scores (population.deprivation_from). */
static const struct {
    int from;
    const char *text, *expect;
} bad_as[] = {
    {NBHD_DEPRIVATION_RANK, HDR "A,10,1\nB,10,2.5\n",
     "3: column 'deprivation': '2.5' is not a rank (a whole number >= 1, 1 the most deprived: "
     "population.deprivation_from is rank)"},
    {NBHD_DEPRIVATION_RANK, HDR "A,10,0\n", "2: column 'deprivation': '0' is not a rank"},
    {NBHD_DEPRIVATION_RANK, HDR "A,10,1\nB,10,2\nC,10,4\n",
     "4: column 'deprivation': rank 4 is above 3, the number of neighbourhoods: ranks run 1..N over the N "
     "neighbourhoods, tied ones sharing a rank and the next rank skipping their places (1, 2, 2, 4) (for national "
     "ranks of a subset, choose it from the whole table with population.areas, or give deprivation in [0, 1])"},
    /* a gap: 1, 3, 3, 4 has no 2 (line 3 holds the rank after it) */
    {NBHD_DEPRIVATION_RANK, HDR "A,10,1\nB,10,3\nC,10,3\nD,10,4\n",
     "3: column 'deprivation': rank 3 with no neighbourhood ranked 2: ranks run 1..N"},
    /* 1, 3, 4, 4: no 2, and the tie at 4 would need 5 */
    {NBHD_DEPRIVATION_RANK, HDR "A,10,4\nB,10,1\nC,10,4\nD,10,3\n",
     "5: column 'deprivation': rank 3 with no neighbourhood ranked 2: ranks run"},
    /* 1, 1, 2: after a tie of two at 1 the next rank is 3 */
    {NBHD_DEPRIVATION_RANK, HDR "A,10,1\nB,10,1\nC,10,2\n",
     "4: column 'deprivation': rank 2, but 2 neighbourhoods are ranked before it: ranks run"},
    {NBHD_DEPRIVATION_SCORE, HDR "A,10,12.5\nB,10,high\n",
     "3: column 'deprivation': 'high' is not a score (a number, higher the more deprived: "
     "population.deprivation_from is score)"},
    {NBHD_DEPRIVATION_SCORE, HDR "A,10,inf\n", "2: column 'deprivation': 'inf' is not a score"},
};

Test(nbhd_csv_bad, ranks_and_scores)
{
    for (size_t i = 0; i < sizeof bad_as / sizeof bad_as[0]; i++) {
        char name[32], path[512], expect[1024], err[1024] = "";
        snprintf(name, sizeof name, "bad_as%02zu.csv", i);
        write_text(name, bad_as[i].text, path, sizeof path);
        nbhd_csv t;
        cr_expect_eq(nbhd_csv_read_as(path, bad_as[i].from, &t, err, sizeof err), CW_EINVAL, "case %zu: %s", i, err);
        snprintf(expect, sizeof expect, "%s:%s", path, bad_as[i].expect);
        cr_expect(strncmp(err, expect, strlen(expect)) == 0, "case %zu:\n  got      %s\n  expected %s...", i, err,
                  expect);
        expect_empty(&t);
        nbhd_csv_free(&t);
    }
}

Test(nbhd_csv, ranks_rescaled_with_ties)
{
    char path[512], err[512] = "";
    /* IMD-style ranks: 1 most deprived; B and C tie at 2, so 4 follows */
    write_text("ranks.csv", HDR "A,10,4\nB,10,2\nC,10,2\nD,10,1\nE,10,5\n", path, sizeof path);
    nbhd_csv t;
    cr_assert_eq(nbhd_csv_read_as(path, NBHD_DEPRIVATION_RANK, &t, err, sizeof err), CW_OK, "%s", err);
    cr_assert_eq(t.n, 5);
    const double want[] = {0.25, 0.75, 0.75, 1.0, 0.0}; /* (N - r) / (N - 1), N = 5 */
    for (int b = 0; b < 5; b++) cr_expect_float_eq(t.deprivation[b], want[b], 1e-12, "row %d: %g", b, t.deprivation[b]);
    nbhd_csv_free(&t);
    /* the same file read as 0..1 values is refused: rank 4 is not in [0, 1] */
    cr_assert_eq(nbhd_csv_read(path, &t, err, sizeof err), CW_EINVAL);
    cr_assert(strstr(err, "ranks.csv:2: column 'deprivation': 4 is outside [0, 1]"), "%s", err);
}

Test(nbhd_csv, scores_rescaled)
{
    char path[512], err[512] = "";
    write_text("scores.csv", HDR "A,10,5\nB,10,45\nC,10,25\n", path, sizeof path);
    nbhd_csv t;
    cr_assert_eq(nbhd_csv_read_as(path, NBHD_DEPRIVATION_SCORE, &t, err, sizeof err), CW_OK, "%s", err);
    cr_expect_float_eq(t.deprivation[0], 0.0, 1e-12);
    cr_expect_float_eq(t.deprivation[1], 1.0, 1e-12);
    cr_expect_float_eq(t.deprivation[2], 0.5, 1e-12);
    nbhd_csv_free(&t);
    write_text("scores_equal.csv", HDR "A,10,7\nB,10,7\n", path, sizeof path);
    cr_assert_eq(nbhd_csv_read_as(path, NBHD_DEPRIVATION_SCORE, &t, err, sizeof err), CW_OK, "%s", err);
    cr_expect_float_eq(t.deprivation[0], 0.5, 1e-12);
    nbhd_csv_free(&t);
}

Test(nbhd_csv, codes)
{
    nbhd_csv t;
    read_ok("codes.csv",
            "code,name,la_code,la,population,deprivation\n"
            "E01012662,Blackpool 002A,E06000009,Blackpool,1255,0.9\n"
            "E01022541,Hart 001A,E07000089,Hart,1100,0.1\n"
            "E01012663,Blackpool 001A,E06000009,Blackpool,1310,0.8\n",
            &t);
    cr_assert_eq(t.n, 3);
    cr_assert_eq(t.n_la, 2);
    cr_assert_not_null(t.code);
    cr_assert_not_null(t.la_code);
    cr_expect_str_eq(t.code[2], "E01012663");
    cr_expect_str_eq(t.la_code[t.la[1]], "E07000089");
    cr_expect_str_eq(t.la_code[t.la[2]], "E06000009");
    nbhd_csv_free(&t);
    read_ok("no_codes.csv", HDR "A,10,0.5\n", &t);
    cr_expect_null(t.code);
    cr_expect_null(t.la_code);
    nbhd_csv_free(&t);
}

Test(nbhd_csv, shipped_england)
{
    char err[512] = "";
    nbhd_csv t;
    cr_assert_eq(nbhd_csv_read_as(CW_SOURCE_DIR "/scenarios/data/england-imd2019.csv", NBHD_DEPRIVATION_RANK, &t,
                                  err, sizeof err), CW_OK, "%s", err);
    cr_assert_eq(t.n, 32844);
    cr_assert_eq(t.n_la, 317);
    int64_t total = 0;
    int most = 0, least = 0;
    for (int b = 0; b < t.n; b++) {
        total += t.population[b];
        most += t.deprivation[b] == 1.0;
        least += t.deprivation[b] == 0.0;
    }
    cr_expect_eq(total, 44323154); /* residents 16+, mid-2015 */
    cr_expect_eq(most, 1);
    cr_expect_eq(least, 1);
    nbhd_csv_free(&t);
}

Test(nbhd_csv_bad, nul_byte)
{
    static const char text[] = HDR "A,10,0.5\nB\0,10,0.5\n";
    char path[512], err[512];
    write_bytes("nul.csv", text, sizeof text - 1, path, sizeof path);
    nbhd_csv t;
    cr_assert_eq(nbhd_csv_read(path, &t, err, sizeof err), CW_EINVAL);
    cr_assert_str_eq(err, TMP "/nul.csv:3: a NUL byte: this is not a text CSV file");
    expect_empty(&t);
}

Test(nbhd_csv_bad, unreadable)
{
    char err[512];
    nbhd_csv t;
    cr_assert_eq(nbhd_csv_read(TMP "/no/such.csv", &t, err, sizeof err), CW_EIO);
    cr_assert_str_eq(err, TMP "/no/such.csv: cannot read: No such file or directory");
    expect_empty(&t);
    cr_assert(mkdir(CW_TEST_TMP, 0777) == 0 || errno == EEXIST);
    cr_assert(mkdir(TMP, 0777) == 0 || errno == EEXIST);
    cr_assert_eq(nbhd_csv_read(TMP, &t, err, sizeof err), CW_EIO);
    cr_assert_str_eq(err, TMP ": cannot read: Is a directory");
    expect_empty(&t);
}

Test(nbhd_csv, shipped_wards)
{
    char err[512] = "";
    nbhd_csv t;
    cr_assert_eq(nbhd_csv_read(CW_SOURCE_DIR "/tests/data/csv/wards.csv", &t, err, sizeof err), CW_OK, "%s", err);
    cr_assert_eq(t.n, 6);
    cr_assert_eq(t.n_la, 2);
    cr_assert_str_eq(t.name[0], "Abbey, North");
    cr_assert_str_eq(t.la_name[t.la[4]], "Southby");
    cr_assert_eq(t.population[2], 5100);
    cr_assert_eq(t.space_quality[3], 0.15);
    nbhd_csv_free(&t);
}
