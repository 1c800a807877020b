/* fuzz_file.h - a fuzz input as a file without touching the disk (memfd), for the readers
 * that take a path. Include after defining _GNU_SOURCE (memfd_create).
 * SPDX-License-Identifier: MIT */
#ifndef BELLOWS_FUZZ_FILE_H
#define BELLOWS_FUZZ_FILE_H

#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_target.h"

/** A memory file holding size bytes of data, named in path ("/proc/self/fd/N"; len bytes);
 *  returns its descriptor (close it when done). Any failure is a crash. */
static inline int fuzz_file(const uint8_t *data, size_t size, char *path, size_t len)
{
    int fd = memfd_create("fuzz-input", MFD_CLOEXEC);
    CHECK(fd >= 0);
    for (size_t done = 0; done < size;) {
        ssize_t n = write(fd, data + done, size - done);
        CHECK(n > 0);
        done += (size_t)n;
    }
    snprintf(path, len, "/proc/self/fd/%d", fd);
    return fd;
}

#endif
