/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * Helpers every command of the program shares (one copy each): the stop
 * flag the signals set, a monotonic clock, the default output name, whole
 * numbers from options, and JSON strings and numbers on standard output.
 */
#ifndef CW_CLI_UTIL_H
#define CW_CLI_UTIL_H

#include <signal.h>
#include <stddef.h>

/* Set by SIGINT, SIGTERM and SIGHUP once cli_catch_stop_signals() ran (the
 * commands stop after the current week or member); commands may set it too. */
extern volatile sig_atomic_t cli_stop_requested;
void cli_catch_stop_signals(void);

double cli_now_seconds(void); /* monotonic, seconds */

/* The input's file name with .h5, in the current directory. */
void cli_default_output(const char *input, char *buf, size_t n);

/* A whole number in [lo, hi] from option opt's text; else a one-line message
 * "commonweal CMD: OPT expects a whole number in [LO, HI], not 'TEXT'" and 0. */
int cli_parse_long(const char *cmd, const char *opt, const char *text, long long lo, long long hi,
                   long long *out);

/* JSON on standard output: a string, escaped; a number in the shortest form
 * that reads back exactly, null for NaN and infinities. */
void cli_json_str(const char *s);
void cli_json_num(double v);

#endif
