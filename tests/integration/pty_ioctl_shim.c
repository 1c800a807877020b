/* pty_ioctl_shim.c - TEST ONLY: lets the real libserialport open a pseudo-terminal.
 *
 * libserialport's sp_open reads and sets the modem lines (TIOCMGET, TIOCMBIS,
 * TIOCMBIC, TIOCMSET), which a pty refuses with ENOTTY (TESTING.md). This
 * wrapper answers those four with success when the real call fails with
 * ENOTTY; every other call goes through untouched. libserialport also looks
 * the port up as /sys/class/tty/NAME (lstat, readlink) for /dev/NAME, which a
 * pty link does not have: for NAME starting with "bellows-" those two calls
 * answer as for a virtual tty. Built as a shared object
 * for LD_PRELOAD (integration tests) or linked into a test binary (bench).
 * Never part of the product.
 * SPDX-License-Identifier: MIT */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

typedef int (*ioctl_fn)(int, unsigned long, ...);
typedef int (*lxstat_fn)(int, const char *, struct stat *);
typedef ssize_t (*readlink_fn)(const char *, char *, size_t);

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
        int n = snprintf(target, sizeof target, "../../devices/virtual/tty/%s",
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
