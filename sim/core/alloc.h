/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * The counting allocator: every byte the simulation holds goes through here,
 * so the library can report memory per resident, refuse a population that
 * would not fit, and (for tests) fail its Nth allocation.
 * Not thread-safe: allocation happens during set-up and between phases only.
 */
#ifndef CW_ALLOC_H
#define CW_ALLOC_H

#include <stddef.h>
#include <stdint.h>

typedef struct cw_mem {
    size_t bytes;        /* held now                                   */
    size_t peak;         /* most held at once                          */
    size_t limit;        /* refuse to go past this (0 = no limit)      */
    uint64_t calls;      /* allocations attempted                      */
    uint64_t fail_at;    /* testing: fail allocation number fail_at    */
} cw_mem;

/* Zeroed block of n bytes (n may be 0), or NULL on failure/injected failure.
 * The caller owns it; release it with mem_free on the same cw_mem. */
void *mem_calloc(cw_mem *m, size_t count, size_t size);

/* Resize a block from mem_calloc; new bytes are zeroed. On failure the old
 * block stays valid and NULL is returned. */
void *mem_realloc(cw_mem *m, void *p, size_t count, size_t size);

/* Release a block from mem_calloc (NULL is fine). */
void mem_free(cw_mem *m, void *p);

/* Bytes of a block from mem_calloc (0 for NULL). */
size_t mem_block_size(const void *p);

/* Physical memory of this machine in bytes (0 if unknown). */
/* Physical memory, or the memory cgroup's limit where that is lower. */
size_t mem_physical(void);
/* The lowest memory limit of this process's cgroups (v1 or v2) as
 * proc_cgroup (/proc/self/cgroup) lists them under sysfs (/sys/fs/cgroup);
 * 0 when there is none. */
size_t mem_cgroup_limit(const char *sysfs, const char *proc_cgroup);

#endif
