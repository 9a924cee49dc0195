/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/* Must NOT compile: the program reaching past include/commonweal into the library. */
#include "commonweal/commonweal.h"
#include "world.h"
int layering_probe(void) { return 0; }
