/* pty_ioctl_shim.c - TEST ONLY: lets the real libserialport open a pseudo-terminal.
 *
 * libserialport's sp_open reads and sets the modem lines (TIOCMGET, TIOCMBIS,
 * TIOCMBIC, TIOCMSET), which a pty refuses with ENOTTY (TESTING.md). This
 * wrapper answers those four with success when the real call fails with
 * ENOTTY; every other call goes through untouched. libserialport also looks
 * the port up as /sys/class/tty/NAME (lstat, readlink) for /dev/NAME, which a
 * pty link does not have: for NAME starting with "bellows-" those two calls
 * answer as for a USB serial port (with no USB details). And libserialport lists the ports by
 * reading /sys/class/tty (opendir, readdir_r): the names in BELLOWS_SHIM_TTYS (comma separated,
 * each "bellows-...", e.g. "bellows-test-1") are listed after the real ones, so `bellows ports` and
 * a search for the first belt see them as a plugged-in board. Built as a shared object for
 * LD_PRELOAD (integration tests) or linked into a test binary (bench). Never part of the product.
 * SPDX-License-Identifier: MIT */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <dlfcn.h>
#include <stdlib.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

typedef int (*ioctl_fn)(int, unsigned long, ...);
typedef int (*lxstat_fn)(int, const char *, struct stat *);
typedef ssize_t (*readlink_fn)(const char *, char *, size_t);
typedef DIR *(*opendir_fn)(const char *);
typedef int (*readdir_r_fn)(DIR *, struct dirent *, struct dirent **);

static const char FAKE_PREFIX[] = "/sys/class/tty/bellows-";

static void *next_symbol(const char *name) { return dlsym(RTLD_NEXT, name); }

int __lxstat(int ver, const char *path, struct stat *buf);
ssize_t readlink(const char *path, char *buf, size_t len);

int __lxstat(int ver, const char *path, struct stat *buf)
{
    if (strncmp(path, FAKE_PREFIX, sizeof FAKE_PREFIX - 1) == 0) {
        memset(buf, 0, sizeof *buf);
        buf->st_mode = S_IFLNK | 0777;
        return 0;
    }
    lxstat_fn real = NULL;
    void *sym = next_symbol("__lxstat");
    memcpy(&real, &sym, sizeof real);
    if (!real) {
        return lstat(path, buf);
    }
    return real(ver, path, buf);
}

ssize_t readlink(const char *path, char *buf, size_t len)
{
    if (strncmp(path, FAKE_PREFIX, sizeof FAKE_PREFIX - 1) == 0) {
        char target[256];
        int n = snprintf(target, sizeof target, "../../devices/pci0000:00/usb1/1-1/tty/%s",
                         path + sizeof "/sys/class/tty/" - 1);
        size_t m = n < 0 ? 0 : (size_t)n < len ? (size_t)n : len;
        memcpy(buf, target, m);
        return (ssize_t)m;
    }
    readlink_fn real = NULL;
    void *sym = next_symbol("readlink");
    memcpy(&real, &sym, sizeof real);
    if (!real) {
        errno = ENOSYS;
        return -1;
    }
    return real(path, buf, len);
}

/* The listing of /sys/class/tty being read, and how many extra names it gave. */
static DIR *tty_dir;
static int tty_extra_given;

DIR *opendir(const char *path);

DIR *opendir(const char *path)
{
    opendir_fn real = NULL;
    void *sym = next_symbol("opendir");
    memcpy(&real, &sym, sizeof real);
    if (!real) {
        errno = ENOSYS;
        return NULL;
    }
    DIR *d = real(path);
    if (d && strcmp(path, "/sys/class/tty") == 0) {
        tty_dir = d;
        tty_extra_given = 0;
    } else if (d && d == tty_dir) { /* the listing was closed and its memory reused */
        tty_dir = NULL;
    }
    return d;
}

/* The k-th name of BELLOWS_SHIM_TTYS into out; false when there are fewer. */
static bool extra_tty(int k, char *out, size_t len)
{
    const char *list = getenv("BELLOWS_SHIM_TTYS");
    for (int i = 0; list && *list; i++) {
        const char *end = strchr(list, ',');
        size_t n = end ? (size_t)(end - list) : strlen(list);
        if (i == k) {
            if (n == 0 || n >= len || strncmp(list, "bellows-", 8) != 0) {
                return false;
            }
            memcpy(out, list, n);
            out[n] = '\0';
            return true;
        }
        list = end ? end + 1 : list + n;
    }
    return false;
}

int readdir_r(DIR *dir, struct dirent *entry, struct dirent **result);

int readdir_r(DIR *dir, struct dirent *entry, struct dirent **result)
{
    readdir_r_fn real = NULL;
    void *sym = next_symbol("readdir_r");
    memcpy(&real, &sym, sizeof real);
    if (!real) {
        return ENOSYS;
    }
    int rc = real(dir, entry, result);
    if (rc == 0 && *result == NULL && dir == tty_dir &&
        extra_tty(tty_extra_given, entry->d_name, sizeof entry->d_name)) {
        tty_extra_given++;
        entry->d_type = DT_LNK;
        *result = entry;
    }
    return rc;
}

int ioctl(int fd, unsigned long request, ...);

int ioctl(int fd, unsigned long request, ...)
{
    va_list ap;
    va_start(ap, request);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    ioctl_fn real = NULL;
    void *sym = dlsym(RTLD_NEXT, "ioctl");
    memcpy(&real, &sym, sizeof real); /* object to function pointer without a cast warning */
    if (!real) {
        errno = ENOSYS;
        return -1;
    }
    int rc = real(fd, request, arg);
    if (rc < 0 && errno == ENOTTY &&
        (request == TIOCMGET || request == TIOCMBIS || request == TIOCMBIC ||
         request == TIOCMSET)) {
        if (request == TIOCMGET && arg) {
            *(int *)arg = TIOCM_DTR | TIOCM_RTS | TIOCM_CTS | TIOCM_DSR | TIOCM_CD;
        }
        errno = 0;
        return 0;
    }
    return rc;
}
