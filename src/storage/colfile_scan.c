/*
 * colfile_scan.c — reads the columns a table scan needs from a range of row groups of
 * an open column file (a split), skipping row groups and then blocks whose zone maps
 * rule out the scan's filter, verifying each block it reads (checksum, then every
 * header field) and decoding it into reusable buffers. colfile_scan_next hands out
 * slices of the decoded block as flat vectors without copying: a vector's data points
 * into the scan's buffers until the next call.
 *
 * State machine of a scan (colfile_scan_next):
 *   ENTER_RG   at a row group not yet tested: test its zone maps; skip it, or go to
 *              NEXT_BLOCK at block 0.
 *   NEXT_BLOCK test block k's zone maps (all filtered columns); skip it (k+1), or load
 *              block k of every requested column and go to EMIT. Past the last block:
 *              ENTER_RG at the next row group; past the last row group: DONE.
 *   EMIT       hand out up to BASALT_VECTOR_SIZE rows of the loaded block per call; when
 *              it is used up, NEXT_BLOCK.
 */
#include "storage/colfile_int.h"

#include "common/hash.h"

#include <string.h>
#include <zstd.h>

/* One requested column: where its current block was read and decoded. */
typedef struct ScanCol {
    int col; /* index in the file */
    LogicalType type;
    PhysicalType phys;
    size_t width;        /* bytes per decoded value (16 for StringView) */
    TrackedBuf io;       /* the block as read from disk */
    TrackedBuf values;   /* decoded values, or StringViews */
    TrackedBuf strings;  /* VARCHAR: the decompressed PLAIN data the views point into */
    TrackedBuf validity; /* the block's validity as words; valid when has_nulls */
    bool has_nulls;
} ScanCol;

struct ColumnScan {
    ColumnFileReader *r;
    Arena *arena;
    int n_cols;
    ScanCol *cols;
    int n_conds;
    ZoneCond *conds; /* copies, strings in arena */
    uint32_t rg, rg_end;
    uint32_t block;  /* next block of rg to consider */
    bool rg_entered; /* rg's own zone maps were tested */
    bool loaded;     /* a block is decoded */
    uint32_t block_rows;
    uint32_t offset; /* rows of the loaded block already handed out */
    ZSTD_DCtx *dctx;
    uint64_t rgs_skipped, blocks_skipped;
};

Status colfile_scan_open(ColumnFileReader *r, const int *columns, int n_columns,
                         uint32_t first_row_group, uint32_t n_row_groups, const ZoneFilter *filter,
                         ColumnScan **out, Error *err)
{
    *out = NULL;
    if (n_columns < 0 || first_row_group > r->n_row_groups ||
        n_row_groups > r->n_row_groups - first_row_group)
        return error_set(err, SQLSTATE_INVALID_PARAMETER, -1,
                         "row groups %u..%u requested from column file \"%s\" of %u row groups",
                         first_row_group, first_row_group + n_row_groups, r->path, r->n_row_groups);
    for (int k = 0; k < n_columns; k++)
        if (columns[k] < 0 || columns[k] >= r->n_cols)
            return error_set(err, SQLSTATE_INVALID_PARAMETER, -1,
                             "column %d requested from column file \"%s\" of %d columns",
                             columns[k], r->path, r->n_cols);
    int n_conds = filter ? filter->n_conds : 0;
    for (int k = 0; k < n_conds; k++)
        if (filter->conds[k].column < 0 || filter->conds[k].column >= r->n_cols)
            return error_set(err, SQLSTATE_INVALID_PARAMETER, -1,
                             "filter on column %d of column file \"%s\" of %d columns",
                             filter->conds[k].column, r->path, r->n_cols);
    Arena *arena = arena_create(NULL, r->tracker, 4096);
    if (!arena) return error_oom(err);
    ColumnScan *s = arena_alloc_zero(arena, sizeof *s);
    if (!s) goto fail_arena;
    s->arena = arena;
    s->r = r;
    s->n_cols = n_columns;
    s->cols = arena_alloc_zero(arena, sizeof(ScanCol) * (size_t)(n_columns ? n_columns : 1));
    s->conds = arena_alloc(arena, sizeof(ZoneCond) * (size_t)(n_conds ? n_conds : 1));
    if (!s->cols || !s->conds) goto fail_arena;
    for (int k = 0; k < n_conds; k++) {
        s->conds[k] = filter->conds[k];
        Value *v = &s->conds[k].value;
        if (!v->is_null && type_physical(v->type) == PHYS_STRING) {
            char *copy = arena_memdup(arena, v->u.str.data, v->u.str.len ? v->u.str.len : 1);
            if (!copy) goto fail_arena;
            v->u.str.data = copy;
        }
    }
    s->n_conds = n_conds;
    for (int k = 0; k < n_columns; k++) {
        ScanCol *sc = &s->cols[k];
        sc->col = columns[k];
        sc->type = r->types[columns[k]];
        sc->phys = type_physical(sc->type);
        sc->width = type_size(sc->type);
    }
    s->rg = first_row_group;
    s->rg_end = first_row_group + n_row_groups;
    s->dctx = ZSTD_createDCtx();
    if (!s->dctx) {
        arena_destroy(arena);
        return error_oom(err);
    }
    *out = s;
    return BS_OK;
fail_arena:
    arena_error(arena, err);
    arena_destroy(arena);
    return BS_ERROR;
}

void colfile_scan_close(ColumnScan *s)
{
    if (!s) return;
    for (int k = 0; k < s->n_cols; k++) {
        ScanCol *sc = &s->cols[k];
        tbuf_free(&sc->io, s->r->tracker);
        tbuf_free(&sc->values, s->r->tracker);
        tbuf_free(&sc->strings, s->r->tracker);
        tbuf_free(&sc->validity, s->r->tracker);
    }
    ZSTD_freeDCtx(s->dctx);
    arena_destroy(s->arena);
}

void colfile_scan_stats(const ColumnScan *s, uint64_t *row_groups_skipped, uint64_t *blocks_skipped)
{
    if (row_groups_skipped) *row_groups_skipped = s->rgs_skipped;
    if (blocks_skipped) *blocks_skipped = s->blocks_skipped;
}

/* ---- reading a block --------------------------------------------------------------------- */

static Status block_damaged(const ColumnScan *s, const ScanCol *sc, uint32_t b, const char *what,
                            Error *err)
{
    return error_set(err, SQLSTATE_DATA_CORRUPTED, -1,
                     "column file \"%s\" is damaged: %s in block %u of column \"%s\" in row "
                     "group %u",
                     s->r->path, what, b, s->r->names[sc->col], s->rg);
}

/* The block's data section (PLAIN bytes, raw_bytes long) into dst. */
static Status unpack_data(ColumnScan *s, const ScanCol *sc, uint32_t b, uint8_t compression,
                          const uint8_t *src, size_t stored, uint8_t *dst, size_t raw, Error *err)
{
    if (compression == COLFILE_COMP_NONE) {
        if (stored != raw) return block_damaged(s, sc, b, "bad data size", err);
        if (raw) memcpy(dst, src, raw);
        return BS_OK;
    }
    unsigned long long content = ZSTD_getFrameContentSize(src, stored);
    if (content == ZSTD_CONTENTSIZE_ERROR ||
        (content != ZSTD_CONTENTSIZE_UNKNOWN && content != raw))
        return block_damaged(s, sc, b, "bad compressed frame", err);
    size_t got = ZSTD_decompressDCtx(s->dctx, dst, raw, src, stored);
    if (ZSTD_isError(got) || got != raw) return block_damaged(s, sc, b, "bad compressed data", err);
    return BS_OK;
}

/* Builds the StringViews of a decoded VARCHAR block (PLAIN data in sc->strings). */
static Status decode_strings(ColumnScan *s, ScanCol *sc, uint32_t b, uint32_t rows, size_t raw,
                             Error *err)
{
    if (raw < (size_t)rows * 4) return block_damaged(s, sc, b, "bad data size", err);
    const uint8_t *lens = sc->strings.data;
    const char *bytes = (const char *)sc->strings.data + (size_t)rows * 4;
    uint64_t total = 0;
    for (uint32_t row = 0; row < rows; row++)
        total += load_u32le(lens + (size_t)row * 4);
    if (total != raw - (size_t)rows * 4)
        return block_damaged(s, sc, b, "string lengths do not match the data size", err);
    BS_TRY(tbuf_reserve(&sc->values, (size_t)rows * sizeof(StringView), false, s->r->tracker, err));
    StringView *views = (StringView *)sc->values.data;
    uint64_t off = 0;
    for (uint32_t row = 0; row < rows; row++) {
        uint32_t len = load_u32le(lens + (size_t)row * 4);
        views[row] = sv_make(bytes + off, len);
        off += len;
    }
    return BS_OK;
}

/* Reads, verifies and decodes block b of the current row group for column sc. */
static Status load_block(ColumnScan *s, ScanCol *sc, const RowGroupMeta *rg, uint32_t b, Error *err)
{
    const ColBlockMeta *bm = &rg->blocks[(size_t)sc->col * rg->n_blocks + b];
    uint32_t rows = rg->block_rows[b];
    MemTracker *tracker = s->r->tracker;
    BS_TRY(tbuf_reserve(&sc->io, bm->size, false, tracker, err));
    size_t got;
    BS_TRY(io_pread_all(s->r->fd, sc->io.data, bm->size, bm->offset, &got, s->r->path, err));
    if (got != bm->size) return block_damaged(s, sc, b, "unexpected end of file", err);
    const uint8_t *blk = sc->io.data;
    size_t body = bm->size - COLFILE_CHECKSUM_SIZE;
    if (checksum64(blk, body) != load_u64le(blk + body))
        return block_damaged(s, sc, b, "checksum mismatch", err);
    uint8_t encoding = blk[0], compression = blk[1], type_id = blk[2], reserved = blk[3];
    uint32_t count = load_u32le(blk + 4), nulls = load_u32le(blk + 8);
    uint32_t vbytes = load_u32le(blk + 12), stored = load_u32le(blk + 16);
    uint32_t raw = load_u32le(blk + 20);
    if (encoding != COLFILE_ENC_PLAIN || compression > COLFILE_COMP_ZSTD ||
        type_id != sc->type.id || reserved != 0)
        return block_damaged(s, sc, b, "bad block header", err);
    if (count != rows || nulls != bm->zone.null_count)
        return block_damaged(s, sc, b, "block header does not match the footer", err);
    if (vbytes != (nulls ? colfile_validity_bytes(rows) : 0) ||
        (uint64_t)COLFILE_BHEADER_SIZE + vbytes + stored != body)
        return block_damaged(s, sc, b, "bad block sizes", err);
    if (sc->phys != PHYS_STRING && raw != (uint64_t)rows * sc->width)
        return block_damaged(s, sc, b, "bad data size", err);

    sc->has_nulls = nulls != 0;
    if (nulls) {
        size_t words = ((size_t)rows + 63) / 64;
        BS_TRY(tbuf_reserve(&sc->validity, words * 8, false, tracker, err));
        uint64_t *validity = (uint64_t *)sc->validity.data;
        validity[words - 1] = 0;
        memcpy(validity, blk + COLFILE_BHEADER_SIZE, vbytes);
        if (rows & 63) validity[words - 1] &= (UINT64_C(1) << (rows & 63)) - 1;
        uint64_t valid = 0;
        for (size_t w = 0; w < words; w++)
            valid += (uint64_t)__builtin_popcountll(validity[w]);
        if (valid != rows - nulls)
            return block_damaged(s, sc, b, "validity does not match the null count", err);
    }
    const uint8_t *data = blk + COLFILE_BHEADER_SIZE + vbytes;
    if (sc->phys == PHYS_STRING) {
        BS_TRY(tbuf_reserve(&sc->strings, raw ? raw : 1, false, tracker, err));
        BS_TRY(unpack_data(s, sc, b, compression, data, stored, sc->strings.data, raw, err));
        return decode_strings(s, sc, b, rows, raw, err);
    }
    BS_TRY(tbuf_reserve(&sc->values, raw ? raw : 1, false, tracker, err));
    BS_TRY(unpack_data(s, sc, b, compression, data, stored, sc->values.data, raw, err));
    if (sc->phys == PHYS_BOOL) {
        uint8_t *v = sc->values.data;
        for (uint32_t row = 0; row < rows; row++)
            v[row] = v[row] != 0;
    }
    return BS_OK;
}

/* ---- walking row groups and blocks --------------------------------------------------- */

static bool zones_match(const ColumnScan *s, const RowGroupMeta *rg, int block)
{
    for (int k = 0; k < s->n_conds; k++) {
        const ZoneCond *cond = &s->conds[k];
        const ZoneMap *zone =
            block < 0 ? &rg->zones[cond->column]
                      : &rg->blocks[(size_t)cond->column * rg->n_blocks + (uint32_t)block].zone;
        if (!zone_may_match(zone, cond)) return false;
    }
    return true;
}

static void next_row_group(ColumnScan *s)
{
    s->rg++;
    s->block = 0;
    s->rg_entered = false;
}

/* Moves to the next block that may match and loads it; s->loaded false at the end. */
static Status advance(ColumnScan *s, Error *err)
{
    s->loaded = false;
    while (s->rg < s->rg_end) {
        const RowGroupMeta *rg = &s->r->row_groups[s->rg];
        if (!s->rg_entered) {
            s->rg_entered = true;
            if (!zones_match(s, rg, -1)) {
                s->rgs_skipped++;
                next_row_group(s);
                continue;
            }
        }
        if (s->block >= rg->n_blocks) {
            next_row_group(s);
            continue;
        }
        uint32_t b = s->block++;
        if (!zones_match(s, rg, (int)b)) {
            s->blocks_skipped++;
            continue;
        }
        for (int k = 0; k < s->n_cols; k++)
            BS_TRY(load_block(s, &s->cols[k], rg, b, err));
        s->block_rows = rg->block_rows[b];
        s->offset = 0;
        s->loaded = true;
        return BS_OK;
    }
    return BS_OK;
}

/* Points v at rows [offset, offset+n) of the decoded block of sc. */
static Status emit_column(const ScanCol *sc, Vector *v, uint32_t offset, uint32_t n, Error *err)
{
    v->kind = VEC_FLAT;
    v->child = NULL;
    v->data = sc->values.data + (size_t)offset * sc->width;
    v->validity = NULL;
    if (!sc->has_nulls) return BS_OK;
    const uint64_t *src = (const uint64_t *)sc->validity.data;
    uint64_t *dst = arena_alloc(v->arena, VALIDITY_WORDS * sizeof(uint64_t));
    if (!dst) return arena_error(v->arena, err);
    memset(dst, 0xff, VALIDITY_WORDS * sizeof(uint64_t));
    bool any_null = false;
    if ((offset & 63) == 0) {
        size_t words = ((size_t)n + 63) / 64;
        memcpy(dst, src + offset / 64, words * 8);
        if (n & 63) dst[words - 1] |= ~((UINT64_C(1) << (n & 63)) - 1);
        for (size_t w = 0; w < words; w++)
            any_null |= dst[w] != UINT64_MAX;
    } else {
        for (uint32_t row = 0; row < n; row++) {
            uint64_t pos = (uint64_t)offset + row;
            if (!((src[pos >> 6] >> (pos & 63)) & 1)) {
                validity_set_invalid(dst, row);
                any_null = true;
            }
        }
    }
    if (any_null) v->validity = dst;
    return BS_OK;
}

Status colfile_scan_next(ColumnScan *s, Chunk *out, Error *err)
{
    out->n_rows = 0;
    out->sel = NULL;
    if (out->n_cols != s->n_cols)
        return error_set(err, SQLSTATE_INTERNAL_ERROR, -1,
                         "scan of %d columns given a chunk of %d columns", s->n_cols, out->n_cols);
    for (int k = 0; k < s->n_cols; k++)
        if (type_physical(out->cols[k].type) != s->cols[k].phys)
            return error_set(err, SQLSTATE_INTERNAL_ERROR, -1,
                             "scan output column %d has the wrong type", k + 1);
    if (!s->loaded || s->offset >= s->block_rows) BS_TRY(advance(s, err));
    if (!s->loaded) return BS_OK;
    uint32_t n = BS_MIN((uint32_t)BASALT_VECTOR_SIZE, s->block_rows - s->offset);
    for (int k = 0; k < s->n_cols; k++)
        BS_TRY(emit_column(&s->cols[k], &out->cols[k], s->offset, n, err));
    s->offset += n;
    out->n_rows = n;
    return BS_OK;
}
