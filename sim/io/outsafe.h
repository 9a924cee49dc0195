/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * Outputs are never opened destructively (issue 20). Every file the
 * program writes (a run's OUT and OUT.partial, a checkpoint, a sweep file)
 * goes through these checks before anything is made:
 *  - an existing path that is not a regular file (a directory, a device,
 *    a FIFO) is refused, --force or not;
 *  - an existing regular file that is not of the program's own kind, by
 *    its signature (HDF5 for outputs, the checkpoint magic for checkpoints),
 *    is refused, --force or not; an empty file counts as none;
 *  - an existing file of the program's own kind needs --force;
 *  - a path that is an input of the run (the scenario, its base files, its
 *    neighbourhood CSV), or another output of the same run, is refused;
 *  - a partial is locked (flock) before it is truncated, so a second run
 *    onto the same output is refused instead of corrupting the first.
 */
#ifndef CW_OUTSAFE_H
#define CW_OUTSAFE_H

#include <stddef.h>

#include "commonweal/commonweal.h"

typedef enum file_kind {
    FK_ABSENT,     /* no such file                         */
    FK_EMPTY,      /* a regular file of 0 bytes            */
    FK_HDF5,       /* HDF5 signature at offset 0           */
    FK_CHECKPOINT, /* commonweal's checkpoint magic        */
    FK_OTHER,      /* a regular file of any other content  */
    FK_DIRECTORY,
    FK_SPECIAL,    /* a device, FIFO, socket               */
    FK_UNREADABLE, /* exists, but cannot be read to tell   */
} file_kind;

file_kind outsafe_kind(const char *path);

/* May path, in the role named (e.g. "output", "checkpoint"), be written,
 * where own is the kind the program writes there? A message on refusal:
 * CW_EEXIST where --force would do, CW_EINVAL where nothing would. */
cw_status outsafe_target(const char *path, const char *role, file_kind own, int force, char *err,
                         size_t errlen);

/* Whether a and b name the same file: by device and inode where both
 * exist, else by their canonical paths (the real directory and the name). */
int outsafe_same(const char *a, const char *b);

/* path made absolute: its directory's real path and its name (the file
 * itself need not exist). */
void outsafe_absolute(const char *path, char *out, size_t n);

/* Whether path is one of the scenario's input files (or its CSV). */
int outsafe_is_input(const cw_scenario *sc, const char *path);

/* Open path for writing without truncating it, and take an exclusive lock
 * (flock, not waiting); refuse a path that another process holds, or that
 * holds a file other than empty or of kind own. *fd: the locked descriptor,
 * to keep open while the file is written and close after. */
cw_status outsafe_lock(const char *path, file_kind own, int *fd, char *err, size_t errlen);

#endif
