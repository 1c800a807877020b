/* fuzz_replay_main.c - runs every file of the given directories (or files) through
 * LLVMFuzzerTestOneInput, so the corpus and past crashes are a ctest on any compiler.
 * SPDX-License-Identifier: MIT */
#define _POSIX_C_SOURCE 200809L

#include "fuzz_target.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Runs one file; returns 0, or -1 after saying why it could not be read. */
static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "fuzz_replay: cannot open %s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t cap = 4096;
    size_t len = 0;
    uint8_t *data = malloc(cap);
    int rc = 0;
    while (data != NULL) {
        len += fread(data + len, 1, cap - len, f);
        if (len < cap) {
            break;
        }
        uint8_t *bigger = cap <= SIZE_MAX / 2 ? realloc(data, cap * 2) : NULL;
        if (bigger == NULL) {
            free(data);
            data = NULL;
            break;
        }
        data = bigger;
        cap *= 2;
    }
    if (data == NULL || ferror(f)) {
        fprintf(stderr, "fuzz_replay: cannot read %s\n", path);
        rc = -1;
    } else {
        LLVMFuzzerTestOneInput(data, len);
    }
    free(data);
    fclose(f);
    return rc;
}

/* Runs a file, or every regular file directly inside a directory. Adds to *n_run. */
static int run_path(const char *path, long *n_run)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "fuzz_replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        (*n_run)++;
        return run_file(path);
    }
    DIR *dir = opendir(path);
    if (dir == NULL) {
        fprintf(stderr, "fuzz_replay: cannot list %s: %s\n", path, strerror(errno));
        return -1;
    }
    int rc = 0;
    struct dirent *ent;
    while ((ent = readdir(dir)) != NULL) {
        if (ent->d_name[0] == '.') {
            continue; /* ".", "..", and hidden files such as .gitkeep */
        }
        char full[4096];
        int n = snprintf(full, sizeof full, "%s/%s", path, ent->d_name);
        if (n < 0 || (size_t)n >= sizeof full) {
            fprintf(stderr, "fuzz_replay: path too long in %s\n", path);
            rc = -1;
            continue;
        }
        if (stat(full, &st) == 0 && S_ISREG(st.st_mode)) {
            (*n_run)++;
            if (run_file(full) != 0) {
                rc = -1;
            }
        }
    }
    closedir(dir);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s DIR_OR_FILE...\n", argv[0]);
        return 2;
    }
    long n_run = 0;
    int rc = 0;
    for (int i = 1; i < argc; i++) {
        if (run_path(argv[i], &n_run) != 0) {
            rc = 1;
        }
    }
    if (n_run == 0) {
        fprintf(stderr, "fuzz_replay: no inputs found: the corpus is missing\n");
        return 1;
    }
    printf("fuzz_replay: %ld inputs ran, %s\n", n_run, rc == 0 ? "all passed" : "some unreadable");
    return rc;
}
