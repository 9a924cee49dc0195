/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/* Commonweal as a library: load a scenario, change a parameter, step, read a metric.
 * Built against the installed package by tests/install/run.sh. */
#include <commonweal/commonweal.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    cw_scenario *sc = cw_scenario_new();
    cw_sim *sim = NULL;
    if (argc != 2 || !sc) return 2;
    if (cw_scenario_load(sc, argv[1]) || cw_scenario_set(sc, "population.residents_per_neighbourhood=200")) {
        fprintf(stderr, "%s\n", cw_scenario_errmsg(sc));
        return 2;
    }
    cw_options opt = {.threads = 1};
    if (cw_sim_create(sc, &opt, &sim)) { fprintf(stderr, "%s\n", cw_sim_errmsg(sim)); return 1; }
    for (int w = 0; w < 10; w++) cw_sim_step(sim);
    size_t rows, cols;
    cw_sim_metric_shape(sim, "left_out_rate", &rows, &cols);
    float *v = malloc(rows * cols * sizeof *v);
    long n = cw_sim_metric(sim, "left_out_rate", v, rows * cols);
    for (long i = 0; i < n; i++) printf("neighbourhood %ld: left_out_rate %.4f\n", i, v[i]);
    printf("%d metrics, version %s, residents %llu\n", cw_metric_count(), cw_version(),
           (unsigned long long)cw_sim_residents(sim));
    free(v), cw_sim_free(sim), cw_scenario_free(sc);
    return n > 0 ? 0 : 1;
}
