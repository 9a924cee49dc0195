/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/* Must NOT compile: a model-layer file that reaches for HDF5 (tests/CMakeLists.txt, layering.*). */
#include "world.h"
#include <hdf5.h>
int layering_probe(void) { return (int)sizeof(hid_t); }
