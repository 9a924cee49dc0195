/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/* Must compile: the control for the layering probes (same flags, allowed headers only). */
#include "world.h"
#include "events.h"
int layering_probe(void) { return (int)sizeof(world); }
