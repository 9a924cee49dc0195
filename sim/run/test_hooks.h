/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * Hooks for the tests, not the public API: tests/unit includes this header
 * (through commonweal_internal); nothing installed declares them. Internal
 * symbols of the library carry the prefix cw__ (STYLE.md, "Names").
 */
#ifndef CW_TEST_HOOKS_H
#define CW_TEST_HOOKS_H

#include <stdint.h>

/* The next cw_sim_create or cw_sim_resume of this process fails its Nth
 * counted allocation with CW_ENOMEM (0 = never; the hook is then cleared).
 * Not thread-safe: for single-threaded test drivers. */
void cw__test_fail_allocation_at(uint64_t n);

/* The hook's value, cleared: what sim_create and cw_sim_resume read. */
uint64_t cw__test_take_fail_allocation(void);

#endif
