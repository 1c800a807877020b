/* outfile.c - checked output file.
 * SPDX-License-Identifier: MIT */
#include "outfile.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

#include "privacy.h"

/* Large stdio buffer: recordings are written a line at a time. */
enum { OUTFILE_BUF_BYTES = 1 << 16 };

struct bel_outfile {
    FILE *fp;
    char *path;
    char *tmp_path; /* a whole document's temporary name, until it is put in place; else NULL */
    bel_status status;
    char err[BEL_IO_ERR_LEN];
};

static bel_status fail(bel_outfile *f, const char *what, int errnum)
{
    if (f->status == BEL_OK) {
        f->status = BEL_ERR_IO;
        snprintf(f->err, sizeof f->err, "%s: cannot %s: %s", f->path, what,
                 errnum ? strerror(errnum) : "unknown error");
    }
    return f->status;
}

/* An outfile named path, written through the file made at open_path (path itself, or a
 * new name beside it: is_new, which must not be there). */
static bel_status create_at(const char *path, const char *open_path, bool is_new, bel_outfile **out,
                            char *err, size_t err_len)
{
    bel_outfile *f = NULL;
    *out = NULL;
    if (err && err_len) {
        err[0] = '\0';
    }
    f = calloc(1, sizeof *f);
    if (!f) {
        goto nomem;
    }
    f->path = malloc(strlen(path) + 1);
    if (!f->path) {
        goto nomem;
    }
    strcpy(f->path, path);
    int fd = bel_privacy_open(open_path, is_new, err, err_len);
    if (fd < 0) {
        bel_outfile_destroy(f);
        return BEL_ERR_IO;
    }
    f->fp = fdopen(fd, "w");
    if (!f->fp) {
        if (err && err_len) {
            snprintf(err, err_len, "%s: cannot create: %s", path, strerror(errno));
        }
        close(fd);
        bel_outfile_destroy(f);
        return BEL_ERR_IO;
    }
    /* setvbuf failing only costs speed. */
    (void)setvbuf(f->fp, NULL, _IOFBF, OUTFILE_BUF_BYTES);
    *out = f;
    return BEL_OK;

nomem:
    if (err && err_len) {
        snprintf(err, err_len, "%s: out of memory", path);
    }
    bel_outfile_destroy(f);
    return BEL_ERR_NOMEM;
}

bel_status bel_outfile_create(const char *path, bel_outfile **out, char *err, size_t err_len)
{
    if (out) {
        *out = NULL;
    }
    if (!path || !out) {
        return BEL_ERR_ARG;
    }
    return create_at(path, path, false, out, err, err_len);
}

bel_status bel_outfile_create_whole(const char *path, bel_outfile **out, char *err, size_t err_len)
{
    if (out) {
        *out = NULL;
    }
    if (!path || !out) {
        return BEL_ERR_ARG;
    }
    struct stat sb;
    if (lstat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
        return bel_outfile_create(path, out, err, err_len);
    }
    const size_t n = strlen(path) + 32;
    char *tmp = malloc(n);
    if (!tmp) {
        if (err && err_len) {
            snprintf(err, err_len, "%s: out of memory", path);
        }
        return BEL_ERR_NOMEM;
    }
    snprintf(tmp, n, "%s.part-%ld", path, (long)getpid());
    unlink(tmp); /* our own leftover, from a process long gone with this pid */
    if (create_at(path, tmp, true, out, NULL, 0) != BEL_OK) {
        /* No other name in that folder (it is not ours to write): the file itself. */
        unlink(tmp);
        free(tmp);
        return bel_outfile_create(path, out, err, err_len);
    }
    if (err && err_len) {
        err[0] = '\0';
    }
    (*out)->tmp_path = tmp;
    return BEL_OK;
}

bel_status bel_outfile_write(bel_outfile *f, const char *data, size_t len)
{
    if (!f || (!data && len)) {
        return BEL_ERR_ARG;
    }
    if (f->status != BEL_OK) {
        return f->status;
    }
    if (!f->fp) {
        return fail(f, "write (file already closed)", 0);
    }
    errno = 0;
    if (len && fwrite(data, 1, len, f->fp) != len) {
        return fail(f, "write", errno);
    }
    return BEL_OK;
}

bel_status bel_outfile_printf(bel_outfile *f, const char *fmt, ...)
{
    va_list ap;
    int n;
    if (!f || !fmt) {
        return BEL_ERR_ARG;
    }
    if (f->status != BEL_OK) {
        return f->status;
    }
    if (!f->fp) {
        return fail(f, "write (file already closed)", 0);
    }
    errno = 0;
    va_start(ap, fmt);
    n = vfprintf(f->fp, fmt, ap);
    va_end(ap);
    if (n < 0) {
        return fail(f, "write", errno);
    }
    return BEL_OK;
}

bel_status bel_outfile_flush(bel_outfile *f)
{
    if (!f) {
        return BEL_ERR_ARG;
    }
    if (f->status != BEL_OK || !f->fp) {
        return f->status;
    }
    errno = 0;
    if (fflush(f->fp) != 0) {
        return fail(f, "write", errno);
    }
    return BEL_OK;
}

bel_status bel_outfile_close(bel_outfile *f)
{
    if (!f) {
        return BEL_ERR_ARG;
    }
    if (f->fp) {
        FILE *fp = f->fp;
        int flush_rc;
        int flush_errno;
        f->fp = NULL;
        errno = 0;
        flush_rc = fflush(fp);
        flush_errno = errno;
        if (flush_rc != 0) {
            fail(f, "write", flush_errno);
        }
        /* A document replacing another is on the disk before the other goes. */
        errno = 0;
        if (f->tmp_path && f->status == BEL_OK && fsync(fileno(fp)) != 0) {
            fail(f, "write", errno);
        }
        errno = 0;
        if (fclose(fp) != 0) {
            fail(f, "close", errno);
        }
    }
    if (f->tmp_path) {
        errno = 0;
        if (f->status == BEL_OK && rename(f->tmp_path, f->path) != 0) {
            fail(f, "replace", errno);
        }
        if (f->status != BEL_OK) {
            unlink(f->tmp_path);
        }
        free(f->tmp_path);
        f->tmp_path = NULL;
    }
    return f->status;
}

/* End the file at its last complete line: a write that failed half way (a full disk)
 * leaves the start of a line, which a reader would take for a damaged row. Shrinking a
 * file needs no space. */
static void trim_to_last_line(const char *path)
{
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        return;
    }
    struct stat sb;
    if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode)) {
        char buf[4096];
        off_t end = sb.st_size;
        bool is_done = false;
        while (end > 0 && !is_done) {
            size_t n = end > (off_t)sizeof buf ? sizeof buf : (size_t)end;
            off_t at = end - (off_t)n;
            if (pread(fd, buf, n, at) != (ssize_t)n) {
                break;
            }
            for (size_t i = n; i > 0 && !is_done; i--) {
                if (buf[i - 1] == '\n') {
                    is_done = true;
                    const off_t keep = at + (off_t)i;
                    if (keep < sb.st_size && ftruncate(fd, keep) != 0) {
                        /* left as it is: a reader reports the cut line after the rows */
                    }
                }
            }
            end = at;
        }
    }
    close(fd);
}

bel_status bel_outfile_close_lines(bel_outfile *f)
{
    bel_status st = bel_outfile_close(f);
    if (st == BEL_ERR_IO && f && f->path) {
        trim_to_last_line(f->path);
    }
    return st;
}

void bel_outfile_destroy(bel_outfile *f)
{
    if (!f) {
        return;
    }
    if (f->fp) {
        fclose(f->fp);
    }
    if (f->tmp_path) { /* never closed: no document to put in place */
        unlink(f->tmp_path);
        free(f->tmp_path);
    }
    free(f->path);
    free(f);
}

const char *bel_outfile_get_error(const bel_outfile *f) { return f ? f->err : ""; }

const char *bel_outfile_get_path(const bel_outfile *f) { return f && f->path ? f->path : ""; }
