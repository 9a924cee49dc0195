/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/* Must NOT compile: a model-layer file that includes the file writer. */
#include "world.h"
#include "output.h"
int layering_probe(void) { return 0; }
