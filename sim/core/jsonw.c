/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/* JSON strings and numbers (jsonw.h). */
#include "jsonw.h"

#include <math.h>

#include "commonweal/commonweal.h"

void jsonw_str(FILE *fp, const char *s)
{
    if (!s) {
        fputs("null", fp);
        return;
    }
    fputc('"', fp);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", fp); break;
        case '\\': fputs("\\\\", fp); break;
        case '\n': fputs("\\n", fp); break;
        case '\r': fputs("\\r", fp); break;
        case '\t': fputs("\\t", fp); break;
        default:
            if (*p < 0x20) fprintf(fp, "\\u%04x", *p);
            else fputc(*p, fp);
        }
    }
    fputc('"', fp);
}

void jsonw_num(FILE *fp, double v)
{
    char buf[40];
    if (isfinite(v)) fputs(cw_format_double(v, buf, sizeof buf), fp); /* shortest that reads back */
    else fputs("null", fp);
}
