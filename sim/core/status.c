/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
#include "commonweal/commonweal.h"
#include "version.h"

#define CW_SCHEMA_VERSION 1

const char *cw_strstatus(cw_status st)
{
    switch (st) {
#define CW_STATUS_CASE(name, msg) \
    case name: return msg;
        CW_STATUS_TABLE(CW_STATUS_CASE)
#undef CW_STATUS_CASE
    case CW_STATUS_COUNT: break;
    }
    return "unknown status";
}

const char *cw_version(void) { return CW_VERSION_STRING; }
int cw_schema_version(void) { return CW_SCHEMA_VERSION; }
