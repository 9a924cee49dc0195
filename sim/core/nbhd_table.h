/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * Real neighbourhoods as the model's set-up takes them: one row per
 * neighbourhood. Filled by the neighbourhood CSV reader (input/nbhd_csv.c),
 * read by the population set-up (model/population.c).
 */
#ifndef CW_NBHD_TABLE_H
#define CW_NBHD_TABLE_H

#include <stdint.h>

/* How the deprivation column is given (population.deprivation_from). */
enum nbhd_deprivation_from { NBHD_DEPRIVATION_UNIT, NBHD_DEPRIVATION_RANK, NBHD_DEPRIVATION_SCORE };

typedef struct nbhd_csv {
    int n;                 /* rows                                     */
    char **name;           /* [n]                                      */
    char **code;           /* [n], or NULL if no column                */
    int32_t *la;           /* [n] index into la_name                   */
    int64_t *population;   /* [n] adult residents, >= 1                */
    double *deprivation;   /* [n] in [0, 1]                            */
    double *space_quality; /* [n] in [0, 1], or NULL if no column      */
    int n_la;
    char **la_name;        /* [n_la], in order of first appearance     */
    char **la_code;        /* [n_la], or NULL if no column             */
} nbhd_csv;

#endif
