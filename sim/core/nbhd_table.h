/*
 * Real neighbourhoods as the model's set-up takes them: one row per
 * neighbourhood. Filled by the neighbourhood CSV reader (input/nbhd_csv.c),
 * read by the population set-up (model/population.c).
 */
#ifndef CW_NBHD_TABLE_H
#define CW_NBHD_TABLE_H

#include <stdint.h>

typedef struct nbhd_csv {
    int n;                 /* rows                                     */
    char **name;           /* [n]                                      */
    int32_t *la;           /* [n] index into la_name                   */
    int64_t *population;   /* [n] adult residents, >= 1                */
    double *deprivation;   /* [n] in [0, 1]                            */
    double *space_quality; /* [n] in [0, 1], or NULL if no column      */
    int n_la;
    char **la_name;        /* [n_la], in order of first appearance     */
} nbhd_csv;

#endif
