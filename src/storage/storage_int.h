/*
 * storage_int.h — helpers shared inside storage/ and nowhere else: file I/O that turns
 * errno into Errors, accounted heap buffers, and zone-map arithmetic (comparison,
 * merging, serialization, copying). The column files, the metastore and the CSV reader
 * are all built on these.
 */
#ifndef BASALT_STORAGE_STORAGE_INT_H
#define BASALT_STORAGE_STORAGE_INT_H

#include "common/buffer.h"
#include "storage/storage.h"

#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>

/* SQLSTATEs storage raises that common/error.h does not list (PostgreSQL's codes). */
#define STORAGE_SQLSTATE_DUPLICATE_FILE "58P02"
#define STORAGE_SQLSTATE_SERIALIZATION  "40001"

/* ---- errors and files (fileio.c) ----------------------------------------------------- */

/*
 * Fills err with "<what>: <strerror(errnum)>" where the SQLSTATE follows errnum: 58P01
 * for ENOENT, 58P02 for EEXIST, 53100 for ENOSPC/EDQUOT, 58030 otherwise. Returns
 * BS_ERROR.
 */
Status io_error(Error *err, int errnum, const char *fmt, ...) BS_PRINTF(3, 4);
/* Writes all of data (retrying short writes and EINTR); path names the file in errors. */
Status io_write_all(int fd, const void *data, size_t len, const char *path, Error *err);
/* Like io_write_all for an iovec array (which it may modify). */
Status io_writev_all(int fd, struct iovec *iov, int n_iov, const char *path, Error *err);
/*
 * Reads up to len bytes at offset; *got is how many were read (short only at end of
 * file).
 */
Status io_pread_all(int fd, void *data, size_t len, uint64_t offset, size_t *got, const char *path,
                    Error *err);
Status io_fsync_fd(int fd, const char *path, Error *err);
/* Opens the directory path and fsyncs it, so that entries created in it are durable. */
Status io_fsync_dir(const char *path, Error *err);
/* Creates directory path (mode 0755); an existing directory is fine. */
Status io_mkdir(const char *path, Error *err);
/*
 * Removes path and everything below it (a missing path is fine). Best effort: returns
 * BS_ERROR with the first failure but keeps removing what it can.
 */
Status io_remove_tree(const char *path, Error *err);
/*
 * Replaces the file at path atomically with data: writes path.tmp, fsyncs it, renames
 * it over path and fsyncs the directory. On failure before the rename, path is unchanged
 * and the temporary file is removed; *renamed (may be NULL) tells whether the rename
 * happened, i.e. whether a failure came from the final fsync of the directory.
 */
Status io_write_file_atomic(const char *path, const void *data, size_t len, bool *renamed,
                            Error *err);
/*
 * Reads the whole file at path (at most max_len bytes, else XX001) into a NUL-terminated
 * heap buffer that the caller frees with bs_free.
 */
Status io_read_file(const char *path, size_t max_len, char **data, size_t *len, Error *err);
/* The directory part of path ("." when none) into buf. */
void io_dirname(const char *path, char *buf, size_t size);

/* ---- accounted heap buffers (fileio.c) ------------------------------------------------ */

/* A heap buffer whose capacity is charged to a MemTracker (which may be NULL). */
typedef struct TrackedBuf {
    uint8_t *data;
    size_t cap;
} TrackedBuf;

/*
 * Ensures cap >= need, keeping the contents when keep is true (when false the old
 * contents are gone either way). Grows geometrically. On failure 53200; a kept buffer
 * is then unchanged.
 */
Status tbuf_reserve(TrackedBuf *buf, size_t need, bool keep, MemTracker *tracker, Error *err);
void tbuf_free(TrackedBuf *buf, MemTracker *tracker);

/* ---- zone maps (zonemap.c) ------------------------------------------------------------- */

/* Longest string bound a zone map stores; longer bounds are widened (see zone_put). */
#define ZONE_STRING_MAX 64

/*
 * Orders two non-NULL values the way zone maps do: DECIMAL by unscaled value (rescaled
 * when the scales differ), DOUBLE with NaN greatest, strings bytewise, and the integer
 * types (INTEGER, BIGINT, DECIMAL) against each other numerically. Returns <0, 0, >0,
 * or sets *comparable false (and returns 0) for types that cannot be compared.
 */
int zone_value_compare(const Value *a, const Value *b, bool *comparable);
/*
 * True when zm is a consistent zone map of `rows` values of `type`: counts agree,
 * bounds present exactly when some value is not NULL, of the type, and min <= max.
 */
bool zone_valid(const ZoneMap *zm, LogicalType type, uint64_t rows);
/* An empty zone map (no rows) whose bounds have `type`. */
void zone_init(ZoneMap *zm, LogicalType type);
/*
 * Folds src into acc (row and null counts add, bounds widen). Strings in acc then view
 * src's memory: the caller keeps src alive or copies (zone_copy) afterwards.
 */
void zone_merge(ZoneMap *acc, const ZoneMap *src);
/*
 * Deep copy of src into dst with string bounds copied into arena and cut to
 * ZONE_STRING_MAX bytes (min stays a lower bound, max an upper bound). 53200 on failure.
 */
Status zone_copy(ZoneMap *dst, const ZoneMap *src, Arena *arena, Error *err);
/*
 * Serializes zm (bounds of `type`) into buf: counts, a presence flag, then min and max
 * in the type's binary form. String bounds are cut as zone_copy does.
 */
void zone_put(Buffer *buf, LogicalType type, const ZoneMap *zm);
/*
 * Reads what zone_put wrote. String bounds view the reader's input (which must outlive
 * zm). Returns false when the input is short or inconsistent (null_count > row_count, a
 * bound on an all-NULL zone, NaN-free ordering violated: min > max).
 */
bool zone_get(BufReader *rd, LogicalType type, ZoneMap *zm);

/* ---- bitmaps (validity) --------------------------------------------------------------- */

/* Number of set bits in bits [start, start+n) of words. */
static inline uint64_t bits_count(const uint64_t *words, uint64_t start, uint64_t n)
{
    uint64_t count = 0, end = start + n;
    uint64_t pos = start;
    while (pos < end && (pos & 63)) {
        count += (words[pos >> 6] >> (pos & 63)) & 1;
        pos++;
    }
    for (; pos + 64 <= end; pos += 64)
        count += (uint64_t)__builtin_popcountll(words[pos >> 6]);
    for (; pos < end; pos++)
        count += (words[pos >> 6] >> (pos & 63)) & 1;
    return count;
}

/*
 * Copies bits [start, start+n) of words to ceil(n/8) bytes at dst (bit j of byte k is
 * bit start + 8k + j), with the padding bits of the last byte cleared. The byte form is
 * what files and pages store; the word form is the host's (storage/ requires little-endian).
 */
static inline void bits_to_bytes(const uint64_t *words, uint64_t start, uint32_t n, uint8_t *dst)
{
    uint32_t n_bytes = (n + 7) / 8;
    if ((start & 7) == 0) {
        memcpy(dst, (const uint8_t *)words + (start >> 3), n_bytes);
    } else {
        memset(dst, 0, n_bytes);
        for (uint32_t k = 0; k < n; k++)
            if ((words[(start + k) >> 6] >> ((start + k) & 63)) & 1)
                dst[k >> 3] |= (uint8_t)(1u << (k & 7));
    }
    if (n & 7) dst[n_bytes - 1] &= (uint8_t)((1u << (n & 7)) - 1);
}

/* True when type is one a column file or table can hold. */
bool storage_type_valid(LogicalType type);

#endif
