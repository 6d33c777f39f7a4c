/*
 * colfile_writer.c — writes column files (layout in colfile_int.h). The table writer
 * operator feeds it chunks; it keeps one row group in memory (charged to the tracker),
 * and when the row group is full cuts it into blocks, computes each block's zone map,
 * encodes (PLAIN), compresses (zstd, or raw when that does not help) and writes the
 * blocks with write(2). finish() writes the footer and fsyncs.
 *
 * The file is created with O_EXCL and removed again on any failure, so a path either
 * holds a complete, fsynced file or nothing (the metastore only references files whose
 * writer finished).
 */
#include "storage/colfile_int.h"

#include "common/alloc.h"
#include "common/hash.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

/* One column's rows of the current row group. */
typedef struct WriterCol {
    LogicalType type;
    PhysicalType phys;
    size_t width;        /* bytes per value; 4 (the u32 length) for VARCHAR */
    TrackedBuf values;   /* row_group_rows values, or u32 lengths for VARCHAR */
    TrackedBuf validity; /* row_group_rows bits, allocated at the first NULL */
    bool has_nulls;      /* validity holds a cleared bit in this row group */
    TrackedBuf bytes;    /* VARCHAR: the strings back to back */
    size_t bytes_len;
} WriterCol;

struct ColumnFileWriter {
    char *path;
    int fd;
    MemTracker *tracker;
    ColumnFileOptions opts;
    int n_cols;
    LogicalType *types;
    char **names;
    WriterCol *cols;
    uint32_t rg_len; /* rows in the current row group */
    uint64_t n_rows; /* rows in finished row groups */
    uint32_t n_row_groups;
    uint64_t pos;        /* bytes written so far */
    Buffer rg_meta;      /* footer entries of finished row groups */
    ZoneMap *file_zones; /* n_cols; string bounds in meta */
    Arena *meta;
    ColBlockMeta *block_tmp; /* one column's blocks of the row group being flushed */
    TrackedBuf raw;          /* a VARCHAR block's PLAIN bytes */
    TrackedBuf block;        /* the block being written */
    ZSTD_CCtx *cctx;
    bool failed;
};

void colfile_default_options(ColumnFileOptions *opts)
{
    opts->row_group_rows = COLFILE_DEFAULT_ROW_GROUP_ROWS;
    opts->block_rows = COLFILE_DEFAULT_BLOCK_ROWS;
    opts->zstd_level = COLFILE_DEFAULT_ZSTD_LEVEL;
}

static void writer_free(ColumnFileWriter *w)
{
    if (!w) return;
    if (w->fd >= 0) close(w->fd);
    for (int col = 0; col < w->n_cols && w->cols; col++) {
        tbuf_free(&w->cols[col].values, w->tracker);
        tbuf_free(&w->cols[col].validity, w->tracker);
        tbuf_free(&w->cols[col].bytes, w->tracker);
    }
    tbuf_free(&w->raw, w->tracker);
    tbuf_free(&w->block, w->tracker);
    buffer_free(&w->rg_meta);
    ZSTD_freeCCtx(w->cctx);
    arena_destroy(w->meta); /* holds w itself: last */
}

static Status check_options(const ColumnFileOptions *opts, int n_cols, Error *err)
{
    if (n_cols < 1 || n_cols > COLFILE_MAX_COLS)
        return error_set(err, SQLSTATE_INVALID_PARAMETER, -1,
                         "a column file holds 1 to %d columns, not %d", COLFILE_MAX_COLS, n_cols);
    if (opts->row_group_rows < 1 || opts->row_group_rows > COLFILE_MAX_ROW_GROUP_ROWS)
        return error_set(err, SQLSTATE_INVALID_PARAMETER, -1,
                         "row group size must be between 1 and %u rows",
                         COLFILE_MAX_ROW_GROUP_ROWS);
    if (opts->block_rows < 1 || opts->block_rows > COLFILE_MAX_BLOCK_ROWS)
        return error_set(err, SQLSTATE_INVALID_PARAMETER, -1,
                         "block size must be between 1 and %u rows", COLFILE_MAX_BLOCK_ROWS);
    if (opts->zstd_level < ZSTD_minCLevel() || opts->zstd_level > ZSTD_maxCLevel())
        return error_set(err, SQLSTATE_INVALID_PARAMETER, -1,
                         "zstd level must be between %d and %d", ZSTD_minCLevel(),
                         ZSTD_maxCLevel());
    return BS_OK;
}

Status colfile_writer_create(const char *path, const LogicalType *types, const char *const *names,
                             int n_cols, const ColumnFileOptions *opts, MemTracker *tracker,
                             ColumnFileWriter **out, Error *err)
{
    *out = NULL;
    ColumnFileOptions defaults;
    colfile_default_options(&defaults);
    if (!opts) opts = &defaults;
    BS_TRY(check_options(opts, n_cols, err));
    for (int col = 0; col < n_cols; col++) {
        if (!storage_type_valid(types[col]))
            return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, -1,
                             "column files cannot store type %d", types[col].id);
        if (!names || !names[col])
            return error_set(err, SQLSTATE_INVALID_PARAMETER, -1, "column %d has no name", col + 1);
    }
    Arena *meta = arena_create(NULL, tracker, 0);
    if (!meta) return error_oom(err);
    ColumnFileWriter *w = arena_alloc_zero(meta, sizeof *w);
    if (!w) {
        arena_error(meta, err);
        arena_destroy(meta);
        return BS_ERROR;
    }
    w->meta = meta;
    w->fd = -1;
    w->tracker = tracker;
    w->opts = *opts;
    if (w->opts.block_rows > w->opts.row_group_rows) w->opts.block_rows = w->opts.row_group_rows;
    buffer_init(&w->rg_meta);
    uint32_t max_blocks = (w->opts.row_group_rows + w->opts.block_rows - 1) / w->opts.block_rows;
    w->path = arena_strdup(meta, path);
    w->types = arena_memdup(meta, types, sizeof(LogicalType) * (size_t)n_cols);
    w->names = arena_alloc(meta, sizeof(char *) * (size_t)n_cols);
    w->cols = arena_alloc_zero(meta, sizeof(WriterCol) * (size_t)n_cols);
    w->file_zones = arena_alloc(meta, sizeof(ZoneMap) * (size_t)n_cols);
    w->block_tmp = arena_alloc(meta, sizeof(ColBlockMeta) * max_blocks);
    if (!w->path || !w->types || !w->names || !w->cols || !w->file_zones || !w->block_tmp) {
        arena_error(meta, err);
        arena_destroy(meta);
        return BS_ERROR;
    }
    for (int col = 0; col < n_cols; col++) {
        w->names[col] = arena_strdup(meta, names[col]);
        if (!w->names[col]) {
            arena_error(meta, err);
            arena_destroy(meta);
            return BS_ERROR;
        }
        WriterCol *wc = &w->cols[col];
        wc->type = types[col];
        wc->phys = type_physical(types[col]);
        wc->width = wc->phys == PHYS_STRING ? 4 : type_size(types[col]);
        zone_init(&w->file_zones[col], types[col]);
    }
    w->n_cols = n_cols;
    if (opts->zstd_level != 0) {
        w->cctx = ZSTD_createCCtx();
        if (!w->cctx) {
            writer_free(w);
            return error_oom(err);
        }
    }
    w->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (w->fd < 0) {
        io_error(err, errno, "could not create file \"%s\"", path);
        writer_free(w);
        return BS_ERROR;
    }
    uint8_t header[COLFILE_HEADER_SIZE];
    memcpy(header, COLFILE_MAGIC, COLFILE_MAGIC_LEN);
    store_u32le(header + 8, COLFILE_VERSION);
    store_u32le(header + 12, 0);
    if (io_write_all(w->fd, header, sizeof header, path, err) != BS_OK) {
        unlink(path);
        writer_free(w);
        return BS_ERROR;
    }
    w->pos = COLFILE_HEADER_SIZE;
    *out = w;
    return BS_OK;
}

/* ---- buffering rows ------------------------------------------------------------------ */

/* Makes sure wc can take rows up to row_group_rows (values) at the first append. */
static Status col_reserve(ColumnFileWriter *w, WriterCol *wc, Error *err)
{
    size_t need = (size_t)w->opts.row_group_rows * wc->width;
    return tbuf_reserve(&wc->values, need, true, w->tracker, err);
}

static Status col_mark_null(ColumnFileWriter *w, WriterCol *wc, uint32_t row, Error *err)
{
    if (!wc->has_nulls) {
        size_t words = ((size_t)w->opts.row_group_rows + 63) / 64;
        BS_TRY(tbuf_reserve(&wc->validity, words * 8, false, w->tracker, err));
        memset(wc->validity.data, 0xff, words * 8);
        wc->has_nulls = true;
    }
    validity_set_invalid((uint64_t *)wc->validity.data, row);
    return BS_OK;
}

/* Appends rows [offset, offset+count) of a unified vector to wc at row w->rg_len. */
static Status col_append(ColumnFileWriter *w, WriterCol *wc, const UnifiedVector *uv, idx_t offset,
                         uint32_t count, Error *err)
{
    BS_TRY(col_reserve(w, wc, err));
    const sel_t *sel = uv->sel + offset;
    uint32_t base = w->rg_len;
    switch (wc->phys) {
    case PHYS_BOOL: {
        const uint8_t *src = uv->data;
        uint8_t *dst = wc->values.data + base;
        for (uint32_t k = 0; k < count; k++)
            dst[k] = src[sel[k]] != 0;
        break;
    }
    case PHYS_INT32: {
        const int32_t *src = uv->data;
        int32_t *dst = (int32_t *)wc->values.data + base;
        if (uv->sel == SEL_IDENTITY)
            memcpy(dst, src + offset, (size_t)count * 4);
        else
            for (uint32_t k = 0; k < count; k++)
                dst[k] = src[sel[k]];
        break;
    }
    case PHYS_INT64:
    case PHYS_DOUBLE: {
        const int64_t *src = uv->data;
        int64_t *dst = (int64_t *)wc->values.data + base;
        if (uv->sel == SEL_IDENTITY)
            memcpy(dst, src + offset, (size_t)count * 8);
        else
            for (uint32_t k = 0; k < count; k++)
                dst[k] = src[sel[k]];
        break;
    }
    case PHYS_STRING: {
        const StringView *src = uv->data;
        uint32_t *lens = (uint32_t *)wc->values.data + base;
        size_t total = 0;
        for (uint32_t k = 0; k < count; k++)
            if (validity_get(uv->validity, sel[k])) total += src[sel[k]].len;
        BS_TRY(tbuf_reserve(&wc->bytes, wc->bytes_len + total + 1, true, w->tracker, err));
        char *dst = (char *)wc->bytes.data + wc->bytes_len;
        for (uint32_t k = 0; k < count; k++) {
            const StringView *s = &src[sel[k]];
            if (!validity_get(uv->validity, sel[k])) {
                lens[k] = 0;
                continue;
            }
            lens[k] = s->len;
            memcpy(dst, sv_data(s), s->len);
            dst += s->len;
        }
        wc->bytes_len += total;
        break;
    }
    case PHYS_INT8: {
        const int8_t *src = uv->data;
        int8_t *dst = (int8_t *)wc->values.data + base;
        for (uint32_t k = 0; k < count; k++)
            dst[k] = src[sel[k]];
        break;
    }
    case PHYS_INT16: {
        const int16_t *src = uv->data;
        int16_t *dst = (int16_t *)wc->values.data + base;
        for (uint32_t k = 0; k < count; k++)
            dst[k] = src[sel[k]];
        break;
    }
    case PHYS_FLOAT: {
        const int32_t *src = uv->data; /* bits */
        int32_t *dst = (int32_t *)wc->values.data + base;
        for (uint32_t k = 0; k < count; k++)
            dst[k] = src[sel[k]];
        break;
    }
    case PHYS_INT128: {
        const int128_t *src = uv->data;
        int128_t *dst = (int128_t *)wc->values.data + base;
        if (uv->sel == SEL_IDENTITY)
            memcpy(dst, src + offset, (size_t)count * 16);
        else
            for (uint32_t k = 0; k < count; k++)
                dst[k] = src[sel[k]];
        break;
    }
    case PHYS_INTERVAL: {
        const Interval *src = uv->data;
        Interval *dst = (Interval *)wc->values.data + base;
        for (uint32_t k = 0; k < count; k++)
            dst[k] = src[sel[k]];
        break;
    }
    case PHYS_INVALID:
        break;
    }
    if (uv->validity) {
        for (uint32_t k = 0; k < count; k++) {
            if (validity_get(uv->validity, sel[k])) continue;
            BS_TRY(col_mark_null(w, wc, base + k, err));
            /* NULL slots hold zero so that equal data compresses to equal bytes. */
            memset(wc->values.data + (size_t)(base + k) * wc->width, 0, wc->width);
        }
    }
    return BS_OK;
}

/* ---- writing blocks ------------------------------------------------------------------ */

#define VALID_AT(validity, row) (((validity)[(row) >> 6] >> ((row)&63)) & 1)

/* min/max of rows [b0, b0+n) of a fixed-width column; some row must be valid. */
#define MINMAX_FIXED(T, FIELD)                                                                     \
    do {                                                                                           \
        const T *v = (const T *)wc->values.data;                                                   \
        uint64_t row = b0, end = b0 + n;                                                           \
        if (validity)                                                                              \
            while (!VALID_AT(validity, row))                                                       \
                row++;                                                                             \
        T mn = v[row], mx = v[row];                                                                \
        if (!validity) {                                                                           \
            for (row++; row < end; row++) {                                                        \
                mn = v[row] < mn ? v[row] : mn;                                                    \
                mx = v[row] > mx ? v[row] : mx;                                                    \
            }                                                                                      \
        } else {                                                                                   \
            for (row++; row < end; row++) {                                                        \
                if (!VALID_AT(validity, row)) continue;                                            \
                mn = v[row] < mn ? v[row] : mn;                                                    \
                mx = v[row] > mx ? v[row] : mx;                                                    \
            }                                                                                      \
        }                                                                                          \
        zm->min.u.FIELD = mn;                                                                      \
        zm->max.u.FIELD = mx;                                                                      \
    } while (0)

/* min/max of a REAL or DOUBLE column: NaN sorts above every number (PostgreSQL's order). */
#define DEFINE_MINMAX_FLOATING(NAME, T, FIELD, NAN_VALUE)                                          \
    static void NAME(const WriterCol *wc, const uint64_t *validity, uint64_t b0, uint32_t n,       \
                     ZoneMap *zm)                                                                  \
    {                                                                                              \
        const T *v = (const T *)wc->values.data;                                                   \
        T mn = 0, mx = 0;                                                                          \
        bool any = false, nan = false;                                                             \
        for (uint64_t row = b0; row < b0 + n; row++) {                                             \
            if (validity && !VALID_AT(validity, row)) continue;                                    \
            T x = v[row];                                                                          \
            if (x != x) {                                                                          \
                nan = true;                                                                        \
            } else if (!any) {                                                                     \
                mn = mx = x;                                                                       \
                any = true;                                                                        \
            } else {                                                                               \
                mn = x < mn ? x : mn;                                                              \
                mx = x > mx ? x : mx;                                                              \
            }                                                                                      \
        }                                                                                          \
        if (nan) mx = NAN_VALUE;                                                                   \
        if (!any) mn = mx;                                                                         \
        zm->min.u.FIELD = mn;                                                                      \
        zm->max.u.FIELD = mx;                                                                      \
    }
DEFINE_MINMAX_FLOATING(minmax_double, double, f64, __builtin_nan(""))
DEFINE_MINMAX_FLOATING(minmax_float, float, f32, __builtin_nanf(""))

static void minmax_string(const WriterCol *wc, const uint64_t *validity, uint64_t b0, uint32_t n,
                          uint64_t byte0, ZoneMap *zm)
{
    const uint32_t *lens = (const uint32_t *)wc->values.data;
    const char *bytes = (const char *)wc->bytes.data;
    const char *mn = NULL, *mx = NULL;
    uint32_t mn_len = 0, mx_len = 0;
    uint64_t off = byte0;
    for (uint64_t row = b0; row < b0 + n; row++) {
        uint32_t len = lens[row];
        const char *s = bytes + off;
        off += len;
        if (validity && !VALID_AT(validity, row)) continue;
        if (!mn) {
            mn = mx = s;
            mn_len = mx_len = len;
            continue;
        }
        uint32_t m = len < mn_len ? len : mn_len;
        int c = m ? memcmp(s, mn, m) : 0;
        if (c < 0 || (c == 0 && len < mn_len)) {
            mn = s;
            mn_len = len;
        }
        m = len < mx_len ? len : mx_len;
        c = m ? memcmp(s, mx, m) : 0;
        if (c > 0 || (c == 0 && len > mx_len)) {
            mx = s;
            mx_len = len;
        }
    }
    zm->min.u.str.data = mn ? mn : "";
    zm->min.u.str.len = mn_len;
    zm->max.u.str.data = mx ? mx : "";
    zm->max.u.str.len = mx_len;
}

/* The zone map of rows [b0, b0+n) of wc; byte0 is where row b0's string starts. */
static void block_zone(const WriterCol *wc, uint64_t b0, uint32_t n, uint64_t byte0, ZoneMap *zm)
{
    zone_init(zm, wc->type);
    zm->row_count = n;
    const uint64_t *validity = wc->has_nulls ? (const uint64_t *)wc->validity.data : NULL;
    zm->null_count = validity ? n - bits_count(validity, b0, n) : 0;
    if (zm->null_count == n) return;
    if (validity && zm->null_count == 0) validity = NULL;
    zm->has_minmax = true;
    switch (wc->phys) {
    case PHYS_BOOL:
        MINMAX_FIXED(uint8_t, b);
        break;
    case PHYS_INT32:
        MINMAX_FIXED(int32_t, i32);
        break;
    case PHYS_INT64:
        MINMAX_FIXED(int64_t, i64);
        break;
    case PHYS_DOUBLE:
        minmax_double(wc, validity, b0, n, zm);
        break;
    case PHYS_STRING:
        minmax_string(wc, validity, b0, n, byte0, zm);
        break;
    case PHYS_INT128:
        MINMAX_FIXED(int128_t, i128);
        break;
    case PHYS_INT8:
        MINMAX_FIXED(int8_t, i8);
        break;
    case PHYS_INT16:
        MINMAX_FIXED(int16_t, i16);
        break;
    case PHYS_FLOAT:
        minmax_float(wc, validity, b0, n, zm);
        break;
    case PHYS_INTERVAL: /* no bounds: zone filters never skip a block of intervals */
        zm->has_minmax = false;
        break;
    case PHYS_INVALID:
        break;
    }
}

/*
 * Encodes, compresses and writes rows [b0, b0+n) of column wc as one block whose zone
 * map is zm; records where it went in bm.
 */
static Status write_block(ColumnFileWriter *w, WriterCol *wc, uint64_t b0, uint32_t n,
                          uint64_t byte0, uint64_t byte_len, ColBlockMeta *bm, Error *err)
{
    const uint8_t *raw;
    size_t raw_len;
    if (wc->phys == PHYS_STRING) {
        raw_len = (size_t)n * 4 + byte_len;
        if (raw_len > UINT32_MAX)
            return error_set(err, SQLSTATE_PROGRAM_LIMIT, -1,
                             "block of %u strings in file \"%s\" exceeds 4 GB", n, w->path);
        BS_TRY(tbuf_reserve(&w->raw, raw_len, false, w->tracker, err));
        memcpy(w->raw.data, (const uint32_t *)wc->values.data + b0, (size_t)n * 4);
        if (byte_len) memcpy(w->raw.data + (size_t)n * 4, wc->bytes.data + byte0, byte_len);
        raw = w->raw.data;
    } else {
        raw_len = (size_t)n * wc->width;
        raw = wc->values.data + b0 * wc->width;
    }
    uint32_t vbytes = bm->zone.null_count ? colfile_validity_bytes(n) : 0;
    size_t bound = w->cctx ? ZSTD_compressBound(raw_len) : raw_len;
    if (bound < raw_len) bound = raw_len;
    size_t cap = COLFILE_BHEADER_SIZE + vbytes + bound + COLFILE_CHECKSUM_SIZE;
    BS_TRY(tbuf_reserve(&w->block, cap, false, w->tracker, err));
    uint8_t *blk = w->block.data;
    if (vbytes)
        bits_to_bytes((const uint64_t *)wc->validity.data, b0, n, blk + COLFILE_BHEADER_SIZE);
    uint8_t *data = blk + COLFILE_BHEADER_SIZE + vbytes;
    size_t stored = raw_len;
    uint8_t compression = COLFILE_COMP_NONE;
    if (w->cctx && raw_len > 0) {
        size_t got = ZSTD_compressCCtx(w->cctx, data, bound, raw, raw_len, w->opts.zstd_level);
        if (ZSTD_isError(got))
            return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "zstd compression failed: %s",
                             ZSTD_getErrorName(got));
        if (got < raw_len) {
            stored = got;
            compression = COLFILE_COMP_ZSTD;
        }
    }
    if (compression == COLFILE_COMP_NONE && raw_len) memcpy(data, raw, raw_len);
    blk[0] = COLFILE_ENC_PLAIN;
    blk[1] = compression;
    blk[2] = wc->type.id;
    blk[3] = 0;
    store_u32le(blk + 4, n);
    store_u32le(blk + 8, (uint32_t)bm->zone.null_count);
    store_u32le(blk + 12, vbytes);
    store_u32le(blk + 16, (uint32_t)stored);
    store_u32le(blk + 20, (uint32_t)raw_len);
    size_t body = COLFILE_BHEADER_SIZE + vbytes + stored;
    store_u64le(blk + body, checksum64(blk, body));
    size_t total = body + COLFILE_CHECKSUM_SIZE;
    BS_TRY(io_write_all(w->fd, blk, total, w->path, err));
    bm->offset = w->pos;
    bm->size = (uint32_t)total;
    w->pos += total;
    return BS_OK;
}

/* Writes the buffered row group: all blocks of column 0, then of column 1, ... */
static Status flush_row_group(ColumnFileWriter *w, Error *err)
{
    uint32_t rows = w->rg_len;
    uint32_t block_rows = w->opts.block_rows;
    uint32_t n_blocks = (rows + block_rows - 1) / block_rows;
    Buffer *meta = &w->rg_meta;
    buffer_put_uvarint(meta, rows);
    buffer_put_uvarint(meta, n_blocks);
    for (uint32_t b = 0; b < n_blocks; b++)
        buffer_put_uvarint(meta, BS_MIN(block_rows, rows - b * block_rows));
    for (int col = 0; col < w->n_cols; col++) {
        WriterCol *wc = &w->cols[col];
        ZoneMap rg_zone;
        zone_init(&rg_zone, wc->type);
        uint64_t byte0 = 0;
        for (uint32_t b = 0; b < n_blocks; b++) {
            uint64_t b0 = (uint64_t)b * block_rows;
            uint32_t n = BS_MIN(block_rows, rows - (uint32_t)b0);
            uint64_t byte_len = 0;
            if (wc->phys == PHYS_STRING) {
                const uint32_t *lens = (const uint32_t *)wc->values.data;
                for (uint64_t row = b0; row < b0 + n; row++)
                    byte_len += lens[row];
            }
            ColBlockMeta *bm = &w->block_tmp[b];
            block_zone(wc, b0, n, byte0, &bm->zone);
            BS_TRY(write_block(w, wc, b0, n, byte0, byte_len, bm, err));
            zone_merge(&rg_zone, &bm->zone);
            byte0 += byte_len;
        }
        zone_put(meta, wc->type, &rg_zone);
        for (uint32_t b = 0; b < n_blocks; b++) {
            buffer_put_uvarint(meta, w->block_tmp[b].offset);
            buffer_put_uvarint(meta, w->block_tmp[b].size);
            zone_put(meta, wc->type, &w->block_tmp[b].zone);
        }
        /* The file zone outlives this row group's buffers: keep copies of its bounds. */
        ZoneMap merged = w->file_zones[col];
        zone_merge(&merged, &rg_zone);
        BS_TRY(zone_copy(&w->file_zones[col], &merged, w->meta, err));
        wc->has_nulls = false;
        wc->bytes_len = 0;
    }
    if (!buffer_ok(meta)) return error_oom(err);
    w->n_rows += rows;
    w->n_row_groups++;
    w->rg_len = 0;
    return BS_OK;
}

Status colfile_writer_append(ColumnFileWriter *w, const Chunk *chunk, Error *err)
{
    if (w->failed)
        return error_set(err, SQLSTATE_INTERNAL_ERROR, -1,
                         "column file \"%s\" cannot take rows after a failed write", w->path);
    if (chunk->n_cols != w->n_cols)
        return error_set(err, SQLSTATE_INTERNAL_ERROR, -1,
                         "chunk of %d columns appended to column file \"%s\" of %d columns",
                         chunk->n_cols, w->path, w->n_cols);
    if (chunk->n_rows > BASALT_VECTOR_SIZE)
        return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "chunk of %llu rows is too large",
                         (unsigned long long)chunk->n_rows);
    for (int col = 0; col < w->n_cols; col++) {
        LogicalType have = chunk->cols[col].type, want = w->types[col];
        if (have.id != want.id || have.child != want.child ||
            ((want.id == TYPE_DECIMAL || want.child == TYPE_DECIMAL) && have.scale != want.scale))
            return error_set(err, SQLSTATE_DATATYPE_MISMATCH, -1,
                             "column \"%s\" of file \"%s\" cannot take values of another type",
                             w->names[col], w->path);
    }
    idx_t n = chunk->n_rows;
    idx_t offset = 0;
    sel_t scratch[BASALT_VECTOR_SIZE];
    while (offset < n) {
        uint32_t take = (uint32_t)BS_MIN(n - offset, (idx_t)(w->opts.row_group_rows - w->rg_len));
        for (int col = 0; col < w->n_cols; col++) {
            UnifiedVector uv;
            chunk_unify(chunk, col, &uv, scratch);
            if (col_append(w, &w->cols[col], &uv, offset, take, err) != BS_OK) {
                w->failed = true;
                return BS_ERROR;
            }
        }
        w->rg_len += take;
        offset += take;
        if (w->rg_len == w->opts.row_group_rows && flush_row_group(w, err) != BS_OK) {
            w->failed = true;
            return BS_ERROR;
        }
    }
    return BS_OK;
}

/* Writes footer and trailer; returns with the file complete but not yet fsynced. */
static Status write_footer(ColumnFileWriter *w, Error *err)
{
    Buffer footer;
    buffer_init(&footer);
    buffer_put_uvarint(&footer, (uint64_t)w->n_cols);
    for (int col = 0; col < w->n_cols; col++) {
        buffer_put_lstring(&footer, w->names[col], strlen(w->names[col]));
        LogicalType t = w->types[col];
        bool is_decimal = t.id == TYPE_DECIMAL || (t.id == TYPE_ARRAY && t.child == TYPE_DECIMAL);
        buffer_put_u8(&footer, t.id);
        buffer_put_u8(&footer, is_decimal ? t.precision : 0);
        buffer_put_u8(&footer, is_decimal ? t.scale : 0);
        if (t.id == TYPE_ARRAY) buffer_put_u8(&footer, t.child); /* arrays only: older files stay */
    }
    buffer_put_uvarint(&footer, w->n_rows);
    buffer_put_uvarint(&footer, w->opts.row_group_rows);
    buffer_put_uvarint(&footer, w->opts.block_rows);
    buffer_put_uvarint(&footer, w->n_row_groups);
    buffer_put_bytes(&footer, w->rg_meta.data, w->rg_meta.len);
    for (int col = 0; col < w->n_cols; col++)
        zone_put(&footer, w->types[col], &w->file_zones[col]);
    uint8_t trailer[COLFILE_TRAILER_SIZE];
    store_u64le(trailer, footer.len);
    store_u64le(trailer + 8, buffer_ok(&footer) ? checksum64(footer.data, footer.len) : 0);
    store_u32le(trailer + 16, COLFILE_VERSION);
    store_u32le(trailer + 20, 0);
    memcpy(trailer + 24, COLFILE_MAGIC, COLFILE_MAGIC_LEN);
    if (!buffer_ok(&footer)) {
        buffer_free(&footer);
        return error_oom(err);
    }
    struct iovec iov[2] = {{footer.data, footer.len}, {trailer, sizeof trailer}};
    Status st = io_writev_all(w->fd, iov, 2, w->path, err);
    if (st == BS_OK) w->pos += footer.len + sizeof trailer;
    buffer_free(&footer);
    return st;
}

Status colfile_writer_finish(ColumnFileWriter *w, Arena *arena, FileSummary *summary, Error *err)
{
    memset(summary, 0, sizeof *summary);
    Status st = BS_OK;
    if (w->failed)
        st = error_set(err, SQLSTATE_INTERNAL_ERROR, -1,
                       "column file \"%s\" cannot be finished after a failed write", w->path);
    if (st == BS_OK && w->rg_len > 0) st = flush_row_group(w, err);
    if (st == BS_OK) st = write_footer(w, err);
    if (st == BS_OK) st = io_fsync_fd(w->fd, w->path, err);
    if (st == BS_OK) {
        int fd = w->fd;
        w->fd = -1;
        if (close(fd) != 0) st = io_error(err, errno, "could not close file \"%s\"", w->path);
    }
    ZoneMap *zones = NULL;
    if (st == BS_OK) {
        zones = arena_alloc(arena, sizeof(ZoneMap) * (size_t)w->n_cols);
        if (!zones) st = arena_error(arena, err);
        for (int col = 0; st == BS_OK && col < w->n_cols; col++)
            st = zone_copy(&zones[col], &w->file_zones[col], arena, err);
    }
    if (st != BS_OK) {
        unlink(w->path);
        writer_free(w);
        return BS_ERROR;
    }
    summary->n_rows = w->n_rows;
    summary->n_bytes = w->pos;
    summary->n_row_groups = w->n_row_groups;
    summary->n_cols = w->n_cols;
    summary->zones = zones;
    writer_free(w);
    return BS_OK;
}

void colfile_writer_abort(ColumnFileWriter *w)
{
    if (!w) return;
    unlink(w->path);
    writer_free(w);
}
