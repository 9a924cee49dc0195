/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
#include "alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Each block carries its size in a header aligned for any type. */
typedef union header {
    size_t size;
    max_align_t align;
} header;

static int mul_overflows(size_t a, size_t b, size_t *out)
{
    if (b != 0 && a > (SIZE_MAX - sizeof(header)) / b) return 1;
    *out = a * b;
    return 0;
}

static int refuse(cw_mem *m, size_t grow)
{
    m->calls++;
    if (m->fail_at && m->calls == m->fail_at) return 1;
    if (m->limit && m->bytes + grow > m->limit) return 1;
    return 0;
}

void *mem_calloc(cw_mem *m, size_t count, size_t size)
{
    size_t n;
    if (mul_overflows(count, size, &n) || refuse(m, n)) return NULL;
    header *h = calloc(1, sizeof(header) + n);
    if (!h) return NULL;
    h->size = n;
    m->bytes += n;
    if (m->bytes > m->peak) m->peak = m->bytes;
    return h + 1;
}

void *mem_realloc(cw_mem *m, void *p, size_t count, size_t size)
{
    if (!p) return mem_calloc(m, count, size);
    header *h = (header *)p - 1;
    size_t old = h->size, n;
    if (mul_overflows(count, size, &n) || refuse(m, n > old ? n - old : 0)) return NULL;
    header *nh = realloc(h, sizeof(header) + n);
    if (!nh) return NULL;
    if (n > old) memset((char *)(nh + 1) + old, 0, n - old);
    nh->size = n;
    m->bytes = m->bytes - old + n;
    if (m->bytes > m->peak) m->peak = m->bytes;
    return nh + 1;
}

void mem_free(cw_mem *m, void *p)
{
    if (!p) return;
    header *h = (header *)p - 1;
    m->bytes -= h->size;
    free(h);
}

size_t mem_block_size(const void *p)
{
    return p ? ((const header *)p - 1)->size : 0;
}

/* The first number in file path, or 0 ("max", absent, unreadable). */
static size_t read_limit(const char *path)
{
    FILE *fp = fopen(path, "r");
    if (!fp) return 0;
    unsigned long long v = 0;
    int ok = fscanf(fp, "%llu", &v) == 1;
    fclose(fp);
    return ok && v < (unsigned long long)SIZE_MAX ? (size_t)v : 0;
}

size_t mem_cgroup_limit(const char *sysfs, const char *proc_cgroup)
{
    char line[1024], path[2048];
    size_t best = 0;
    FILE *fp = fopen(proc_cgroup, "r");
    while (fp && fgets(line, sizeof line, fp)) {
        line[strcspn(line, "\n")] = '\0';
        const char *rel = NULL, *file = NULL;
        if (strncmp(line, "0::", 3) == 0) rel = line + 3, file = "memory.max";  /* v2 */
        else if ((rel = strstr(line, ":memory:"))) rel += 8, file = "memory/memory.limit_in_bytes"; /* v1 */
        if (!rel) continue;
        /* the cgroup's own file, else (a namespaced view) the root's */
        const char *v1 = strcmp(file, "memory.max") == 0 ? "" : "memory/";
        snprintf(path, sizeof path, "%s/%s%s/%s", sysfs, v1, rel, *v1 ? "memory.limit_in_bytes" : file);
        size_t v = read_limit(path);
        if (!v) {
            snprintf(path, sizeof path, "%s/%s", sysfs, file);
            v = read_limit(path);
        }
        if (v && (!best || v < best)) best = v;
    }
    if (fp) fclose(fp);
    return best;
}

size_t mem_physical(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || page <= 0) return 0;
    size_t phys = (size_t)pages * (size_t)page;
    size_t cg = mem_cgroup_limit("/sys/fs/cgroup", "/proc/self/cgroup");
    return cg && cg < phys ? cg : phys; /* a container's limit, where it is lower */
}
