/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * Issue 20: the output-safety checks (outsafe.c) and the cgroup memory
 * limit (alloc.c), on files made here.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "outsafe.h"

static char dir[] = "/tmp/cw-outsafe-XXXXXX";

static void setup(void) { cr_assert_not_null(mkdtemp(dir)); }

static void put(const char *name, const void *bytes, size_t n)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *fp = fopen(p, "wb");
    cr_assert_not_null(fp);
    fwrite(bytes, 1, n, fp);
    fclose(fp);
}

static const char *at(const char *name)
{
    static char p[4][256];
    static int k;
    k = (k + 1) % 4;
    snprintf(p[k], sizeof p[k], "%s/%s", dir, name);
    return p[k];
}

TestSuite(outsafe, .init = setup);

Test(outsafe, kinds_by_signature)
{
    put("h.h5", "\x89HDF\r\n\x1a\nrest", 12);
    put("c.ckpt", "CWCKPT\r\nrest", 12);
    put("t.txt", "precious", 8);
    put("e", "", 0);
    cr_assert_eq(outsafe_kind(at("h.h5")), FK_HDF5);
    cr_assert_eq(outsafe_kind(at("c.ckpt")), FK_CHECKPOINT);
    cr_assert_eq(outsafe_kind(at("t.txt")), FK_OTHER);
    cr_assert_eq(outsafe_kind(at("e")), FK_EMPTY);
    cr_assert_eq(outsafe_kind(at("none")), FK_ABSENT);
    cr_assert_eq(outsafe_kind(dir), FK_DIRECTORY);
    cr_assert_eq(outsafe_kind("/dev/null"), FK_SPECIAL);
}

Test(outsafe, force_overwrites_only_the_own_kind)
{
    char err[512];
    put("h.h5", "\x89HDF\r\n\x1a\nrest", 12);
    put("t.txt", "precious", 8);
    cr_assert_eq(outsafe_target(at("h.h5"), "output", FK_HDF5, 0, err, sizeof err), CW_EEXIST);
    cr_assert_eq(outsafe_target(at("h.h5"), "output", FK_HDF5, 1, err, sizeof err), CW_OK);
    cr_assert_eq(outsafe_target(at("t.txt"), "output", FK_HDF5, 1, err, sizeof err), CW_EINVAL);
    cr_assert_eq(outsafe_target(at("h.h5"), "checkpoint", FK_CHECKPOINT, 1, err, sizeof err), CW_EINVAL);
    cr_assert_eq(outsafe_target("/dev/null", "output", FK_HDF5, 1, err, sizeof err), CW_EINVAL);
    cr_assert_eq(outsafe_target(dir, "output", FK_HDF5, 1, err, sizeof err), CW_EINVAL);
}

Test(outsafe, same_file_by_inode_or_by_canonical_path)
{
    put("a", "x", 1);
    char other[300];
    snprintf(other, sizeof other, "%s/../%s/a", dir, strrchr(dir, '/') + 1);
    cr_assert(outsafe_same(at("a"), other));
    cr_assert(outsafe_same(at("missing"), at("missing")));
    cr_assert(!outsafe_same(at("a"), at("b")));
}

Test(outsafe, a_locked_partial_is_refused)
{
    char err[512];
    int fd1, fd2;
    cr_assert_eq(outsafe_lock(at("p.partial"), FK_HDF5, &fd1, err, sizeof err), CW_OK);
    cr_assert_eq(outsafe_lock(at("p.partial"), FK_HDF5, &fd2, err, sizeof err), CW_EIO);
    cr_assert(strstr(err, "in use by another process"), "%s", err);
    close(fd1);
    cr_assert_eq(outsafe_lock(at("p.partial"), FK_HDF5, &fd2, err, sizeof err), CW_OK);
    close(fd2);
}

Test(outsafe, cgroup_limits_v1_and_v2)
{
    char p[300];
    snprintf(p, sizeof p, "%s/memory/job", dir);
    mkdir(at("memory"), 0755);
    mkdir(p, 0755);
    put("memory/job/memory.limit_in_bytes", "1073741824\n", 11);
    put("cg1", "4:memory:/job\n1:cpu:/\n", 22);
    cr_assert_eq(mem_cgroup_limit(dir, at("cg1")), (size_t)1 << 30);
    put("memory.max", "max\n", 4);
    put("cg2", "0::/\n", 5);
    cr_assert_eq(mem_cgroup_limit(dir, at("cg2")), 0); /* "max": no limit */
    put("memory.max", "536870912\n", 10);
    cr_assert_eq(mem_cgroup_limit(dir, at("cg2")), (size_t)1 << 29);
    cr_assert_eq(mem_cgroup_limit(dir, at("no-such-file")), 0);
}
