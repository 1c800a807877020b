/* privacy.c - private folders and files.
 * SPDX-License-Identifier: MIT */
#include "privacy.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Create one folder 0700. 1: made, 0: it was there (a folder), -1: failed (errno). */
static int make_dir(const char *dir)
{
    if (mkdir(dir, BEL_PRIVACY_DIR_MODE) == 0) {
        /* mkdir applied the umask; a folder we made is exactly 0700. */
        return chmod(dir, BEL_PRIVACY_DIR_MODE) == 0 ? 1 : -1;
    }
    if (errno != EEXIST) {
        return -1;
    }
    struct stat sb;
    if (stat(dir, &sb) != 0) {
        return -1;
    }
    if (!S_ISDIR(sb.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

bel_status bel_privacy_make_dirs(const char *dir, char *err, size_t err_len)
{
    if (err && err_len) {
        err[0] = '\0';
    }
    if (!dir || dir[0] == '\0') {
        return BEL_ERR_ARG;
    }
    size_t len = strlen(dir);
    char *p = malloc(len + 1);
    if (!p) {
        return BEL_ERR_NOMEM;
    }
    memcpy(p, dir, len + 1);
    while (len > 1 && p[len - 1] == '/') {
        p[--len] = '\0';
    }
    bel_status st = BEL_OK;
    for (char *c = p + 1;; c++) {
        const bool end = *c == '\0';
        if (*c != '/' && !end) {
            continue;
        }
        *c = '\0';
        if (c[-1] != '/' && make_dir(p) < 0) {
            if (err && err_len) {
                snprintf(err, err_len, "%s: cannot create the folder: %s", p, strerror(errno));
            }
            st = BEL_ERR_IO;
            break;
        }
        if (end) {
            break;
        }
        *c = '/';
    }
    free(p);
    return st;
}

int bel_privacy_open(const char *path, bool is_new, char *err, size_t err_len)
{
    if (err && err_len) {
        err[0] = '\0';
    }
    if (!path || path[0] == '\0') {
        errno = EINVAL;
        return BEL_ERR_ARG;
    }
    int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (is_new ? O_EXCL : O_TRUNC);
    int fd = open(path, flags, BEL_PRIVACY_FILE_MODE);
    /* The umask may have taken bits away, or the file was there with a wider mode.
     * Only a regular file of ours: never /dev/null or another user's file. */
    struct stat sb;
    if (fd >= 0 && fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_uid == geteuid() &&
        (sb.st_mode & 07777) != BEL_PRIVACY_FILE_MODE && fchmod(fd, BEL_PRIVACY_FILE_MODE) != 0) {
        const int why = errno;
        close(fd);
        errno = why;
        fd = -1;
    }
    if (fd < 0) {
        const int why = errno;
        if (err && err_len) {
            snprintf(err, err_len, "%s: cannot create: %s", path, strerror(why));
        }
        errno = why;
        return BEL_ERR_IO;
    }
    return fd;
}

bel_status bel_privacy_tighten(const char *path)
{
    struct stat sb;
    if (!path || lstat(path, &sb) != 0 || sb.st_uid != geteuid()) {
        return BEL_OK;
    }
    mode_t want;
    if (S_ISDIR(sb.st_mode)) {
        want = BEL_PRIVACY_DIR_MODE;
    } else if (S_ISREG(sb.st_mode)) {
        want = BEL_PRIVACY_FILE_MODE;
    } else {
        return BEL_OK;
    }
    if ((sb.st_mode & 077) == 0) {
        return BEL_OK;
    }
    return chmod(path, want) == 0 ? BEL_OK : BEL_ERR_IO;
}

enum { MAX_CLAIM_EXTS = 8, MAX_CLAIM_TRIES = 9999 };

bel_status bel_privacy_claim_names(const char *stem, const char *const *exts, int n_exts, char *out,
                                   size_t out_len, char *err, size_t err_len)
{
    if (err && err_len) {
        err[0] = '\0';
    }
    if (!stem || !exts || n_exts < 1 || n_exts > MAX_CLAIM_EXTS || !out || out_len == 0) {
        return BEL_ERR_ARG;
    }
    out[0] = '\0';
    for (int k = 1; k <= MAX_CLAIM_TRIES; k++) {
        char name[4096];
        int n =
            k == 1 ? snprintf(out, out_len, "%s", stem) : snprintf(out, out_len, "%s-%d", stem, k);
        if (n < 0 || (size_t)n >= out_len) {
            out[0] = '\0';
            return BEL_ERR_ARG;
        }
        int made = 0;
        bool taken = false;
        for (; made < n_exts; made++) {
            n = snprintf(name, sizeof name, "%s%s", out, exts[made]);
            if (n < 0 || (size_t)n >= sizeof name) {
                out[0] = '\0';
                return BEL_ERR_ARG;
            }
            int fd = bel_privacy_open(name, true, err, err_len);
            if (fd < 0) {
                taken = errno == EEXIST;
                break;
            }
            close(fd);
        }
        if (made == n_exts) {
            return BEL_OK;
        }
        const int why = errno;
        for (int i = 0; i < made; i++) { /* this stem is only partly free: give it back */
            snprintf(name, sizeof name, "%s%s", out, exts[i]);
            unlink(name);
        }
        if (!taken) {
            errno = why;
            out[0] = '\0';
            return BEL_ERR_IO;
        }
    }
    if (err && err_len) {
        snprintf(err, err_len, "%s: no free name after %d tries", stem, MAX_CLAIM_TRIES);
    }
    out[0] = '\0';
    return BEL_ERR_IO;
}
