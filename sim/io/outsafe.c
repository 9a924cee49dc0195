/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * Outputs are never opened destructively: the checks of outsafe.h, shared
 * by run, resume and sweep (and cw_check_outputs, which the CLI calls
 * before it builds anything).
 */
#define _DEFAULT_SOURCE /* realpath, flock */
#include "outsafe.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scenario.h"

static const unsigned char hdf5_magic[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
static const char ckpt_magic[8] = "CWCKPT\r\n";

static file_kind kind_of_fd(int fd, const struct stat *sb)
{
    if (S_ISDIR(sb->st_mode)) return FK_DIRECTORY;
    if (!S_ISREG(sb->st_mode)) return FK_SPECIAL;
    if (sb->st_size == 0) return FK_EMPTY;
    unsigned char head[8];
    ssize_t n = pread(fd, head, sizeof head, 0);
    if (n < 0) return FK_UNREADABLE;
    if (n == 8 && memcmp(head, hdf5_magic, 8) == 0) return FK_HDF5;
    if (n == 8 && memcmp(head, ckpt_magic, 8) == 0) return FK_CHECKPOINT;
    return FK_OTHER;
}

file_kind outsafe_kind(const char *path)
{
    struct stat sb;
    if (stat(path, &sb) != 0) return errno == ENOENT || errno == ENOTDIR ? FK_ABSENT : FK_UNREADABLE;
    if (S_ISDIR(sb.st_mode)) return FK_DIRECTORY;
    if (!S_ISREG(sb.st_mode)) return FK_SPECIAL; /* not opened: a FIFO would block */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return FK_UNREADABLE;
    file_kind k = kind_of_fd(fd, &sb);
    close(fd);
    return k;
}

static const char *kind_name(file_kind k)
{
    switch (k) {
    case FK_HDF5: return "an HDF5 file";
    case FK_EMPTY: return "an empty file";
    case FK_CHECKPOINT: return "a commonweal checkpoint";
    case FK_OTHER: return "a file of another kind";
    default: return "a file";
    }
}

static cw_status refuse_kind(const char *path, const char *role, file_kind k, file_kind own, char *err,
                             size_t errlen)
{
    switch (k) {
    case FK_DIRECTORY:
        snprintf(err, errlen, "%s: the %s is a directory: name a file in it, e.g. %s/out.h5", path, role, path);
        return CW_EINVAL;
    case FK_SPECIAL:
        snprintf(err, errlen, "%s: the %s is not a regular file (a device, FIFO or socket): refusing to "
                 "write it, with --force or without", path, role);
        return CW_EINVAL;
    case FK_UNREADABLE:
        snprintf(err, errlen, "%s: the %s exists and cannot be read to tell what it is: %s", path, role,
                 strerror(errno));
        return CW_EINVAL;
    default:
        snprintf(err, errlen, "%s: the %s exists and is %s, not %s: refusing to overwrite it, with --force "
                 "or without", path, role, kind_name(k), kind_name(own));
        return CW_EINVAL;
    }
}

cw_status outsafe_target(const char *path, const char *role, file_kind own, int force, char *err,
                         size_t errlen)
{
    file_kind k = outsafe_kind(path);
    if (k == FK_ABSENT) return CW_OK;
    if (k != FK_EMPTY && k != own) return refuse_kind(path, role, k, own, err, errlen);
    if (force) return CW_OK;
    if (own == FK_CHECKPOINT)
        snprintf(err, errlen, "%s exists: the checkpoint of an earlier run (continue it with 'commonweal "
                 "resume %s', or use --force to start again)", path, path);
    else
        snprintf(err, errlen, "%s exists (use --force to overwrite)", path);
    return CW_EEXIST;
}

/* The real directory of path and its last name, joined. */
void outsafe_absolute(const char *path, char *out, size_t n)
{
    char dir[PATH_MAX], real[PATH_MAX];
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    if (!slash) snprintf(dir, sizeof dir, ".");
    else if (slash == path) snprintf(dir, sizeof dir, "/");
    else snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    if (!realpath(dir, real)) snprintf(real, sizeof real, "%s", dir);
    snprintf(out, n, "%s/%s", strcmp(real, "/") == 0 ? "" : real, base);
}

int outsafe_same(const char *a, const char *b)
{
    struct stat sa, sb;
    if (stat(a, &sa) == 0 && stat(b, &sb) == 0) return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    char ca[2 * PATH_MAX + 2], cb[2 * PATH_MAX + 2];
    outsafe_absolute(a, ca, sizeof ca);
    outsafe_absolute(b, cb, sizeof cb);
    return strcmp(ca, cb) == 0;
}

int outsafe_is_input(const cw_scenario *sc, const char *path)
{
    struct stat sb;
    if (!sc || stat(path, &sb) != 0) return 0;
    for (int i = 0; i < sc->n_inputs; i++)
        if (sc->input_dev[i] == (uint64_t)sb.st_dev && sc->input_ino[i] == (uint64_t)sb.st_ino) return 1;
    const char *csv = sc->params.population_neighbourhoods_csv;
    return csv[0] && outsafe_same(csv, path);
}

cw_status outsafe_lock(const char *path, file_kind own, int *fd, char *err, size_t errlen)
{
    *fd = -1;
    struct stat sb;
    if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode))
        return refuse_kind(path, "partial output", S_ISDIR(sb.st_mode) ? FK_DIRECTORY : FK_SPECIAL, own, err,
                           errlen);
    int f = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (f < 0) {
        snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
        return CW_EIO;
    }
    if (flock(f, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        close(f);
        if (e == EWOULDBLOCK)
            snprintf(err, errlen, "%s is in use by another process (another run writing the same output?): "
                     "wait for it to finish, or choose another output", path);
        else
            snprintf(err, errlen, "cannot lock %s: %s", path, strerror(e));
        return CW_EIO;
    }
    file_kind k = fstat(f, &sb) == 0 ? kind_of_fd(f, &sb) : FK_UNREADABLE;
    if (k != FK_EMPTY && k != own) {
        close(f);
        return refuse_kind(path, "partial output", k, own, err, errlen);
    }
    *fd = f;
    return CW_OK;
}

cw_status cw_check_outputs(const cw_scenario *sc, const char *out, const char *checkpoint, int force, char *err,
                           size_t errlen)
{
    if (!out || !*out) {
        snprintf(err, errlen, "no output path");
        return CW_EINVAL;
    }
    size_t n = strlen(out) + (checkpoint ? strlen(checkpoint) : 0) + 16;
    char *partial = malloc(n), *tmp = malloc(n);
    if (!partial || !tmp) {
        free(partial);
        free(tmp);
        snprintf(err, errlen, "out of memory");
        return CW_ENOMEM;
    }
    snprintf(partial, n, "%s.partial", out);
    snprintf(tmp, n, "%s.tmp", checkpoint ? checkpoint : "");
    const char *path[4] = {out, partial, checkpoint, checkpoint ? tmp : NULL};
    static const char *const role[4] = {"output", "partial output", "checkpoint",
                                         "checkpoint's temporary file"};
    cw_status st = CW_OK;
    for (int i = 0; i < 4 && !st; i++) {
        if (!path[i]) continue;
        if (outsafe_is_input(sc, path[i])) {
            snprintf(err, errlen, "%s: the %s would overwrite an input of the run (the scenario, one of "
                     "its base files or its neighbourhood CSV): choose another path", path[i], role[i]);
            st = CW_EINVAL;
        }
        for (int j = 0; j < i && !st; j++)
            if (path[j] && outsafe_same(path[i], path[j])) {
                snprintf(err, errlen, "%s: the %s would be the run's %s too: choose another path", path[i],
                         role[i], role[j]);
                st = CW_EINVAL;
            }
    }
    if (!st) st = outsafe_target(out, "output", FK_HDF5, force, err, errlen);
    if (!st) st = outsafe_target(partial, "partial output", FK_HDF5, 1, err, errlen);
    if (!st && checkpoint) st = outsafe_target(checkpoint, "checkpoint", FK_CHECKPOINT, force, err, errlen);
    if (!st && checkpoint) st = outsafe_target(tmp, "checkpoint's temporary file", FK_CHECKPOINT, 1, err, errlen);
    free(partial);
    free(tmp);
    return st;
}
