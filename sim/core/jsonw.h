/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * Writing JSON (the CLI's --json outputs): strings escaped per RFC 8259,
 * numbers that JSON can hold (non-finite ones as null).
 */
#ifndef CW_JSONW_H
#define CW_JSONW_H

#include <stdio.h>

void jsonw_str(FILE *fp, const char *s);   /* "..." with escapes; NULL as null */
void jsonw_num(FILE *fp, double v);        /* %.17g, or null when not finite  */

#endif
