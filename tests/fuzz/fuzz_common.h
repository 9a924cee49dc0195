/* SPDX-FileCopyrightText: The Commonweal authors */
/* SPDX-License-Identifier: MIT */
/*
 * Shared by the libFuzzer targets: each input is written to a file in a
 * private directory that also links every shipped scenario (so `base:`
 * chains resolve), then handed to a loader that reads a path.
 */
#ifndef CW_FUZZ_COMMON_H
#define CW_FUZZ_COMMON_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char fuzz_dir[256];

/* Link every file of src into fuzz_dir (best effort). */
static void fuzz_link_dir(const char *src)
{
    DIR *d = opendir(src);
    if (!d) return;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (e->d_name[0] == '.') continue;
        char from[1024], to[1024];
        snprintf(from, sizeof from, "%s/%s", src, e->d_name);
        snprintf(to, sizeof to, "%s/%s", fuzz_dir, e->d_name);
        if (symlink(from, to) != 0) { /* a name already linked: keep the first */ }
    }
    closedir(d);
}

static void fuzz_setup(void)
{
    if (fuzz_dir[0]) return;
    snprintf(fuzz_dir, sizeof fuzz_dir, "/tmp/commonweal-fuzz-XXXXXX");
    if (!mkdtemp(fuzz_dir)) abort();
    fuzz_link_dir(CW_SOURCE_DIR "/scenarios");
    fuzz_link_dir(CW_SOURCE_DIR "/tests/data/scenarios");
    fuzz_link_dir(CW_SOURCE_DIR "/tests/data/csv");
}

/* Write the input to fuzz_dir/name; returns the path (static storage). */
static const char *fuzz_write(const char *name, const uint8_t *data, size_t size)
{
    static char path[512];
    fuzz_setup();
    snprintf(path, sizeof path, "%s/%s", fuzz_dir, name);
    FILE *f = fopen(path, "wb");
    if (!f) abort();
    if (size && fwrite(data, 1, size, f) != size) abort();
    fclose(f);
    return path;
}

#endif
