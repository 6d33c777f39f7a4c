/*
 * fileio.c — the file-system layer of storage/: every read, write, fsync and rename
 * the column files and the metastore do goes through here, so that each failure
 * becomes an Error naming the file, with a SQLSTATE chosen from errno. Also the
 * accounted heap buffers that readers and writers reuse between blocks.
 */
#include "storage/storage_int.h"

#include "common/alloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

Status io_error(Error *err, int errnum, const char *fmt, ...)
{
    if (error_is_set(err)) return BS_ERROR;
    char what[PATH_MAX + 128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    const char *state = SQLSTATE_IO_ERROR;
    if (errnum == ENOENT)
        state = SQLSTATE_UNDEFINED_FILE;
    else if (errnum == EEXIST)
        state = STORAGE_SQLSTATE_DUPLICATE_FILE;
    else if (errnum == ENOSPC || errnum == EDQUOT)
        state = SQLSTATE_DISK_FULL;
    char msg[256];
    const char *text = strerror_r(errnum, msg, sizeof msg);
    return error_set(err, state, -1, "%s: %s", what, text);
}

Status io_write_all(int fd, const void *data, size_t len, const char *path, Error *err)
{
    const char *p = data;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR) continue;
            return io_error(err, errno, "could not write to file \"%s\"", path);
        }
        if (n == 0) return io_error(err, ENOSPC, "could not write to file \"%s\"", path);
        p += n;
        len -= (size_t)n;
    }
    return BS_OK;
}

Status io_writev_all(int fd, struct iovec *iov, int n_iov, const char *path, Error *err)
{
    while (n_iov > 0) {
        if (iov->iov_len == 0) {
            iov++;
            n_iov--;
            continue;
        }
        ssize_t n = writev(fd, iov, n_iov > IOV_MAX ? IOV_MAX : n_iov);
        if (n < 0) {
            if (errno == EINTR) continue;
            return io_error(err, errno, "could not write to file \"%s\"", path);
        }
        if (n == 0) return io_error(err, ENOSPC, "could not write to file \"%s\"", path);
        size_t done = (size_t)n;
        while (n_iov > 0 && done >= iov->iov_len) {
            done -= iov->iov_len;
            iov++;
            n_iov--;
        }
        if (n_iov > 0) {
            iov->iov_base = (char *)iov->iov_base + done;
            iov->iov_len -= done;
        }
    }
    return BS_OK;
}

Status io_pread_all(int fd, void *data, size_t len, uint64_t offset, size_t *got, const char *path,
                    Error *err)
{
    char *p = data;
    size_t done = 0;
    while (done < len) {
        ssize_t n = pread(fd, p + done, len - done, (off_t)(offset + done));
        if (n < 0) {
            if (errno == EINTR) continue;
            return io_error(err, errno, "could not read file \"%s\"", path);
        }
        if (n == 0) break;
        done += (size_t)n;
    }
    *got = done;
    return BS_OK;
}

Status io_fsync_fd(int fd, const char *path, Error *err)
{
    if (fsync(fd) != 0) return io_error(err, errno, "could not fsync file \"%s\"", path);
    return BS_OK;
}

Status io_fsync_dir(const char *path, Error *err)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return io_error(err, errno, "could not open directory \"%s\"", path);
    Status st = BS_OK;
    if (fsync(fd) != 0) st = io_error(err, errno, "could not fsync directory \"%s\"", path);
    close(fd);
    return st;
}

Status io_mkdir(const char *path, Error *err)
{
    if (mkdir(path, 0755) == 0) return BS_OK;
    int saved = errno;
    struct stat st;
    if (saved == EEXIST && stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode)) return BS_OK;
        return error_set(err, SQLSTATE_IO_ERROR, -1, "\"%s\" exists and is not a directory", path);
    }
    return io_error(err, saved, "could not create directory \"%s\"", path);
}

Status io_remove_tree(const char *path, Error *err)
{
    struct stat st;
    if (lstat(path, &st) != 0) {
        if (errno == ENOENT) return BS_OK;
        return io_error(err, errno, "could not stat \"%s\"", path);
    }
    if (!S_ISDIR(st.st_mode)) {
        if (unlink(path) != 0 && errno != ENOENT)
            return io_error(err, errno, "could not remove file \"%s\"", path);
        return BS_OK;
    }
    DIR *dir = opendir(path);
    if (!dir) return io_error(err, errno, "could not open directory \"%s\"", path);
    Status result = BS_OK;
    struct dirent *ent;
    while ((ent = readdir(dir)) != NULL) {
        if (strcmp(ent->d_name, ".") == 0 || strcmp(ent->d_name, "..") == 0) continue;
        char child[PATH_MAX];
        int n = snprintf(child, sizeof child, "%s/%s", path, ent->d_name);
        if (n < 0 || (size_t)n >= sizeof child) {
            result = io_error(err, ENAMETOOLONG, "could not remove \"%s/%s\"", path, ent->d_name);
            continue;
        }
        if (io_remove_tree(child, err) != BS_OK) result = BS_ERROR;
    }
    closedir(dir);
    if (rmdir(path) != 0 && errno != ENOENT)
        result = io_error(err, errno, "could not remove directory \"%s\"", path);
    return result;
}

void io_dirname(const char *path, char *buf, size_t size)
{
    const char *slash = strrchr(path, '/');
    if (!slash) {
        snprintf(buf, size, ".");
    } else if (slash == path) {
        snprintf(buf, size, "/");
    } else {
        snprintf(buf, size, "%.*s", (int)(slash - path), path);
    }
}

Status io_write_file_atomic(const char *path, const void *data, size_t len, bool *renamed,
                            Error *err)
{
    if (renamed) *renamed = false;
    char tmp[PATH_MAX];
    int n = snprintf(tmp, sizeof tmp, "%s.tmp", path);
    if (n < 0 || (size_t)n >= sizeof tmp)
        return io_error(err, ENAMETOOLONG, "could not create file \"%s.tmp\"", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return io_error(err, errno, "could not create file \"%s\"", tmp);
    if (io_write_all(fd, data, len, tmp, err) != BS_OK || io_fsync_fd(fd, tmp, err) != BS_OK) {
        close(fd);
        unlink(tmp);
        return BS_ERROR;
    }
    if (close(fd) != 0) {
        io_error(err, errno, "could not close file \"%s\"", tmp);
        unlink(tmp);
        return BS_ERROR;
    }
    if (rename(tmp, path) != 0) {
        io_error(err, errno, "could not rename file \"%s\" to \"%s\"", tmp, path);
        unlink(tmp);
        return BS_ERROR;
    }
    if (renamed) *renamed = true;
    char dir[PATH_MAX];
    io_dirname(path, dir, sizeof dir);
    return io_fsync_dir(dir, err);
}

Status io_read_file(const char *path, size_t max_len, char **data, size_t *len, Error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return io_error(err, errno, "could not open file \"%s\"", path);
    struct stat st;
    if (fstat(fd, &st) != 0) {
        io_error(err, errno, "could not stat file \"%s\"", path);
        close(fd);
        return BS_ERROR;
    }
    if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > max_len) {
        close(fd);
        return error_set(err, SQLSTATE_DATA_CORRUPTED, -1,
                         "file \"%s\" is not a regular file of at most %zu bytes", path, max_len);
    }
    size_t size = (size_t)st.st_size;
    char *buf = bs_malloc(size + 1);
    if (!buf) {
        close(fd);
        return error_oom(err);
    }
    size_t got;
    if (io_pread_all(fd, buf, size, 0, &got, path, err) != BS_OK) {
        bs_free(buf);
        close(fd);
        return BS_ERROR;
    }
    close(fd);
    buf[got] = '\0';
    *data = buf;
    *len = got;
    return BS_OK;
}

Status tbuf_reserve(TrackedBuf *buf, size_t need, bool keep, MemTracker *tracker, Error *err)
{
    if (need <= buf->cap) return BS_OK;
    size_t cap = buf->cap ? buf->cap : 4096;
    while (cap < need) {
        if (cap > SIZE_MAX / 2) {
            cap = need;
            break;
        }
        cap *= 2;
    }
    if (cap > (size_t)INT64_MAX) return error_oom(err);
    if (!keep) {
        /* Nothing to keep: free first so that the old and new memory never coexist. */
        tbuf_free(buf, tracker);
    }
    int64_t delta = (int64_t)(cap - buf->cap);
    if (tracker) {
        MemTracker *failed = memtracker_reserve(tracker, delta);
        if (failed) return memtracker_error(failed, delta, err);
    }
    uint8_t *data = bs_realloc(buf->data, cap);
    if (!data) {
        if (tracker) memtracker_release(tracker, delta);
        return error_oom(err);
    }
    buf->data = data;
    buf->cap = cap;
    return BS_OK;
}

void tbuf_free(TrackedBuf *buf, MemTracker *tracker)
{
    if (buf->data) {
        bs_free(buf->data);
        if (tracker) memtracker_release(tracker, (int64_t)buf->cap);
    }
    buf->data = NULL;
    buf->cap = 0;
}
