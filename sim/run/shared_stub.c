/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * libcommonweal.so is the static library's objects, linked whole
 * (CMakeLists.txt, "shared library"); CMake wants a source of its own.
 */
#include "commonweal/commonweal.h"

CW_API int cw_shared_library(void);
/* 1: the calling code is linked to the shared library (the Python binding asks). */
int cw_shared_library(void) { return 1; }
