/*
 * page.c — pages: a chunk serialized for the wire and for spill files, and back. An
 * exchange sink or a spilling operator turns each chunk it sends away into a page with
 * page_encode; the exchange source or spill reader on the other side frames the bytes
 * with page_peek and turns them back into a chunk with page_decode. The layout is in
 * page_int.h; PLAIN is the column files' encoding (colfile_int.h), and CONSTANT and
 * DICTIONARY carry a vector's kind across, so a constant stays one value and a
 * dictionary stays codes over a small set of values.
 *
 * Encoding a column: choose the encoding from the vector's kind (a dictionary is
 * compacted to the child values its indices use, or flattened when that is smaller),
 * size the result, write it straight into the output buffer, then try zstd on those
 * bytes and keep the frame when it pays. Fixed-width flat columns without a selection
 * are one memcpy. Decoding trusts nothing: page_int.h lists what it checks, and every
 * defect is XX001 "page is damaged: <what>".
 */
#include "storage/page_int.h"

#include "common/alloc.h"
#include "common/hash.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <zstd.h>
#include <zstd_errors.h>

/* Types a page carries: those of column files, and intervals (which tables do not store
   yet, but exchanges move). */
static bool page_type_valid(LogicalType type)
{
    return storage_type_valid(type) ||
           (type.id == TYPE_INTERVAL && type.precision == 0 && type.scale == 0);
}

/* Dictionaries whose indices span more child values than this are sent PLAIN. */
#define PAGE_DICT_MAX_SPAN 65536

struct PageEncoder {
    PageOptions opts;
    MemTracker *tracker;
    ZSTD_CCtx *cctx;  /* NULL when zstd_level is 0 */
    TrackedBuf frame; /* one column's zstd frame */
    TrackedBuf remap; /* dictionary compaction: one u32 per child value in the indices' span */
    sel_t idx[BASALT_VECTOR_SIZE];  /* a dictionary's indices composed with the selection */
    sel_t used[BASALT_VECTOR_SIZE]; /* the child values a dictionary uses, ascending */
};

struct PageDecoder {
    MemTracker *tracker;
    ZSTD_DCtx *dctx;
    TrackedBuf raw; /* one column's decompressed payload */
};

void page_default_options(PageOptions *opts)
{
    opts->zstd_level = 1;
    opts->compress_min_bytes = 256;
    opts->compress_max_percent = 90;
}

Status page_encoder_create(const PageOptions *opts, MemTracker *tracker, PageEncoder **out,
                           Error *err)
{
    *out = NULL;
    PageOptions defaults;
    page_default_options(&defaults);
    if (!opts) opts = &defaults;
    if (opts->zstd_level != 0 &&
        (opts->zstd_level < ZSTD_minCLevel() || opts->zstd_level > ZSTD_maxCLevel()))
        return error_set(err, SQLSTATE_INVALID_PARAMETER, -1,
                         "zstd level must be 0 (off) or between %d and %d", ZSTD_minCLevel(),
                         ZSTD_maxCLevel());
    if (opts->compress_max_percent < 1 || opts->compress_max_percent > 100)
        return error_set(err, SQLSTATE_INVALID_PARAMETER, -1,
                         "page compression threshold must be between 1 and 100 percent, not %u",
                         opts->compress_max_percent);
    PageEncoder *enc = bs_calloc(1, sizeof *enc);
    if (!enc) return error_oom(err);
    enc->opts = *opts;
    enc->tracker = tracker;
    if (opts->zstd_level != 0) {
        enc->cctx = ZSTD_createCCtx();
        if (!enc->cctx) {
            bs_free(enc);
            return error_oom(err);
        }
    }
    *out = enc;
    return BS_OK;
}

void page_encoder_destroy(PageEncoder *enc)
{
    if (!enc) return;
    tbuf_free(&enc->frame, enc->tracker);
    tbuf_free(&enc->remap, enc->tracker);
    ZSTD_freeCCtx(enc->cctx);
    bs_free(enc);
}

/* ---- encoding ---------------------------------------------------------------------- */

/* One column as it will be written: value k is data[sel[k]] (data[k] when sel is NULL). */
typedef struct ColPlan {
    uint8_t encoding;
    PhysicalType phys;
    size_t width; /* bytes per value in memory */
    const void *data;
    const sel_t *sel;
    const uint64_t *validity; /* indexed like data; NULL: all valid */
    uint32_t n_values;
    const sel_t *ids;      /* DICTIONARY: n_rows indices < n_values */
    bool has_nulls;        /* some value written is NULL */
    uint64_t string_bytes; /* VARCHAR: bytes of the values written */
} ColPlan;

static bool any_null(const uint64_t *validity, const sel_t *sel, uint32_t n)
{
    if (!validity) return false;
    if (!sel) return bits_count(validity, 0, n) != n;
    for (uint32_t k = 0; k < n; k++)
        if (!validity_get(validity, sel[k])) return true;
    return false;
}

/* Bytes of the non-NULL strings among data[sel[k]], k < n. */
static uint64_t sum_string_bytes(const StringView *data, const sel_t *sel, const uint64_t *validity,
                                 uint32_t n)
{
    uint64_t total = 0;
    for (uint32_t k = 0; k < n; k++) {
        sel_t pos = sel ? sel[k] : k;
        if (validity_get(validity, pos)) total += data[pos].len;
    }
    return total;
}

/*
 * Plans a dictionary column: composes its indices with the chunk's selection, finds the
 * child values they use (a Vector does not know its child's length: the indices' span
 * is what may be read), and chooses DICTIONARY over just those values, or PLAIN through
 * the indices when that would not be smaller.
 */
static Status plan_dictionary(PageEncoder *enc, const Vector *v, const sel_t *chunk_sel,
                              uint32_t n_rows, ColPlan *plan, Error *err)
{
    const Vector *child = v->child;
    assert(child && child->kind == VEC_FLAT);
    const sel_t *indices = v->data;
    sel_t *idx = enc->idx;
    sel_t lo = UINT32_MAX, hi = 0;
    for (uint32_t row = 0; row < n_rows; row++) {
        sel_t i = indices[chunk_sel ? chunk_sel[row] : row];
        idx[row] = i;
        lo = i < lo ? i : lo;
        hi = i > hi ? i : hi;
    }
    plan->encoding = PAGE_ENC_PLAIN;
    plan->data = child->data;
    plan->validity = child->validity;
    plan->sel = idx;
    plan->n_values = n_rows;
    bool is_string = plan->phys == PHYS_STRING;
    if (is_string) plan->string_bytes = sum_string_bytes(child->data, idx, child->validity, n_rows);
    if (n_rows == 0 || hi - lo >= PAGE_DICT_MAX_SPAN) return BS_OK;

    uint32_t span = hi - lo + 1;
    BS_TRY(tbuf_reserve(&enc->remap, (size_t)span * 4, false, enc->tracker, err));
    uint32_t *remap = (uint32_t *)enc->remap.data;
    memset(remap, 0, (size_t)span * 4);
    for (uint32_t row = 0; row < n_rows; row++)
        remap[idx[row] - lo] = 1;
    uint32_t n_used = 0;
    for (uint32_t s = 0; s < span; s++) {
        if (!remap[s]) continue;
        enc->used[n_used] = lo + s;
        remap[s] = n_used++;
    }
    uint64_t value_width = is_string ? 4 : plan->width;
    uint64_t plain = (uint64_t)n_rows * value_width + plan->string_bytes;
    uint64_t dict_strings =
        is_string ? sum_string_bytes(child->data, enc->used, child->validity, n_used) : 0;
    uint64_t dict =
        (uint64_t)n_rows * page_index_width(n_used) + n_used * value_width + dict_strings;
    if (dict >= plain) return BS_OK;
    for (uint32_t row = 0; row < n_rows; row++)
        idx[row] = remap[idx[row] - lo];
    plan->encoding = PAGE_ENC_DICTIONARY;
    plan->ids = idx;
    plan->sel = enc->used;
    plan->n_values = n_used;
    plan->string_bytes = dict_strings;
    return BS_OK;
}

static Status plan_column(PageEncoder *enc, const Chunk *chunk, int col, ColPlan *plan, Error *err)
{
    const Vector *v = &chunk->cols[col];
    uint32_t n_rows = (uint32_t)chunk->n_rows;
    memset(plan, 0, sizeof *plan);
    plan->phys = type_physical(v->type);
    plan->width = type_size(v->type);
    switch (v->kind) {
    case VEC_FLAT:
        plan->encoding = PAGE_ENC_PLAIN;
        plan->data = v->data;
        plan->sel = chunk->sel;
        plan->validity = v->validity;
        plan->n_values = n_rows;
        break;
    case VEC_CONSTANT:
        plan->encoding = PAGE_ENC_CONSTANT;
        plan->data = v->data;
        plan->validity = v->validity;
        plan->n_values = 1;
        break;
    case VEC_DICTIONARY:
        BS_TRY(plan_dictionary(enc, v, chunk->sel, n_rows, plan, err));
        break;
    }
    plan->has_nulls = any_null(plan->validity, plan->sel, plan->n_values);
    if (plan->phys == PHYS_STRING && v->kind != VEC_DICTIONARY)
        plan->string_bytes =
            sum_string_bytes(plan->data, plan->sel, plan->validity, plan->n_values);
    return BS_OK;
}

static uint8_t *put_indices(uint8_t *dst, const sel_t *ids, uint32_t n, uint32_t width)
{
    switch (width) {
    case 1:
        for (uint32_t k = 0; k < n; k++)
            dst[k] = (uint8_t)ids[k];
        break;
    case 2:
        for (uint32_t k = 0; k < n; k++) {
            dst[2 * k] = (uint8_t)ids[k];
            dst[2 * k + 1] = (uint8_t)(ids[k] >> 8);
        }
        break;
    default:
        for (uint32_t k = 0; k < n; k++)
            store_u32le(dst + 4 * (size_t)k, ids[k]);
        break;
    }
    return dst + (size_t)n * width;
}

/* The validity section of the plan's values (some of which are NULL). */
static void put_validity(uint8_t *dst, const ColPlan *plan)
{
    if (!plan->sel) {
        bits_to_bytes(plan->validity, 0, plan->n_values, dst);
        return;
    }
    memset(dst, 0, page_validity_bytes(plan->n_values));
    for (uint32_t k = 0; k < plan->n_values; k++)
        if (validity_get(plan->validity, plan->sel[k])) dst[k >> 3] |= (uint8_t)(1u << (k & 7));
}

#define BYTE_BIT(bytes, k) (((bytes)[(k) >> 3] >> ((k)&7)) & 1)

/* Zeroes the values of NULL rows (per the validity section vb) so equal data gives equal bytes. */
static void zero_nulls(uint8_t *dst, const uint8_t *vb, uint32_t n, size_t width)
{
    uint32_t n_bytes = page_validity_bytes(n);
    for (uint32_t b = 0; b < n_bytes; b++) {
        if (vb[b] == 0xff) continue;
        for (uint32_t k = b * 8; k < b * 8 + 8 && k < n; k++)
            if (!BYTE_BIT(vb, k)) memset(dst + (size_t)k * width, 0, width);
    }
}

/* Gathers fixed-width values of type T: one memcpy without a selection. */
#define GATHER_FIXED(T)                                                                            \
    do {                                                                                           \
        const T *src = plan->data;                                                                 \
        if (!sel) {                                                                                \
            memcpy(dst, src, (size_t)n * sizeof(T));                                               \
        } else {                                                                                   \
            for (uint32_t k = 0; k < n; k++)                                                       \
                memcpy(dst + (size_t)k * sizeof(T), &src[sel[k]], sizeof(T));                      \
        }                                                                                          \
    } while (0)

/* The data section of the plan's values; vb is their validity section (NULL: none). */
static void put_data(uint8_t *dst, const ColPlan *plan, const uint8_t *vb)
{
    const sel_t *sel = plan->sel;
    uint32_t n = plan->n_values;
    switch (plan->phys) {
    case PHYS_BOOL: {
        const uint8_t *src = plan->data;
        if (!sel)
            for (uint32_t k = 0; k < n; k++)
                dst[k] = src[k] != 0;
        else
            for (uint32_t k = 0; k < n; k++)
                dst[k] = src[sel[k]] != 0;
        break;
    }
    case PHYS_INT32:
        GATHER_FIXED(int32_t);
        break;
    case PHYS_INT64:
    case PHYS_DOUBLE: /* copied as bits: NaN payloads and -0 survive */
        GATHER_FIXED(int64_t);
        break;
    case PHYS_INTERVAL:
        GATHER_FIXED(Interval);
        break;
    case PHYS_INT128:
        GATHER_FIXED(int128_t);
        break;
    case PHYS_INT8:
        GATHER_FIXED(int8_t);
        break;
    case PHYS_INT16:
        GATHER_FIXED(int16_t);
        break;
    case PHYS_FLOAT: /* as bits */
        GATHER_FIXED(int32_t);
        break;
    case PHYS_STRING: {
        const StringView *src = plan->data;
        uint8_t *lens = dst;
        uint8_t *bytes = dst + (size_t)n * 4;
        for (uint32_t k = 0; k < n; k++) {
            uint32_t len = 0;
            if (!vb || BYTE_BIT(vb, k)) {
                const StringView *s = &src[sel ? sel[k] : k];
                len = s->len;
                /* An inline string is copied as all 12 inline bytes, a fixed-size move; what
                   lies past it is overwritten next or falls in the slack write_column keeps. */
                if (len <= STRVIEW_INLINE_LEN)
                    memcpy(bytes, sv_data(s), STRVIEW_INLINE_LEN);
                else
                    memcpy(bytes, s->u.ptr, len);
                bytes += len;
            }
            store_u32le(lens + 4 * (size_t)k, len);
        }
        return;
    }
    case PHYS_INVALID:
        return;
    }
    if (vb) zero_nulls(dst, vb, n, plan->width);
}

static Status zstd_failed(size_t code, Error *err)
{
    if (ZSTD_getErrorCode(code) == ZSTD_error_memory_allocation) return error_oom(err);
    return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "zstd compression failed: %s",
                     ZSTD_getErrorName(code));
}

/* Appends one column section as planned: header, payload (compressed if it pays), checksum. */
static Status write_column(PageEncoder *enc, const ColPlan *plan, LogicalType type, uint32_t n_rows,
                           Buffer *out, Error *err)
{
    uint32_t index_width =
        plan->encoding == PAGE_ENC_DICTIONARY ? page_index_width(plan->n_values) : 0;
    uint32_t vbytes = plan->has_nulls ? page_validity_bytes(plan->n_values) : 0;
    uint64_t value_width = plan->phys == PHYS_STRING ? 4 : plan->width;
    uint64_t raw_len = (uint64_t)n_rows * index_width + vbytes +
                       (uint64_t)plan->n_values * value_width + plan->string_bytes;
    if (raw_len > UINT32_MAX)
        return error_set(err, SQLSTATE_PROGRAM_LIMIT, -1,
                         "a page column holds at most 4 GB, not %llu bytes",
                         (unsigned long long)raw_len);
    /* Slack after the checksum for put_data's fixed-size copies of inline strings. */
    size_t room = PAGE_CHEADER_SIZE + (size_t)raw_len + PAGE_CHECKSUM_SIZE + STRVIEW_INLINE_LEN;
    if (!buffer_reserve(out, room)) return error_oom(err);
    uint8_t *col = out->data + out->len;
    uint8_t *raw = col + PAGE_CHEADER_SIZE;
    uint8_t *p = raw;
    if (index_width) p = put_indices(p, plan->ids, n_rows, index_width);
    const uint8_t *vb = NULL;
    if (vbytes) {
        put_validity(p, plan);
        vb = p;
        p += vbytes;
    }
    put_data(p, plan, vb);

    uint32_t stored = (uint32_t)raw_len;
    uint8_t compression = PAGE_COMP_NONE;
    if (enc->cctx && raw_len > 0 && raw_len >= enc->opts.compress_min_bytes) {
        size_t bound = ZSTD_compressBound((size_t)raw_len);
        BS_TRY(tbuf_reserve(&enc->frame, bound, false, enc->tracker, err));
        size_t got = ZSTD_compressCCtx(enc->cctx, enc->frame.data, bound, raw, (size_t)raw_len,
                                       enc->opts.zstd_level);
        if (ZSTD_isError(got)) return zstd_failed(got, err);
        if ((uint64_t)got * 100 <= raw_len * enc->opts.compress_max_percent) {
            memcpy(raw, enc->frame.data, got);
            stored = (uint32_t)got;
            compression = PAGE_COMP_ZSTD;
        }
    }
    bool is_decimal = type.id == TYPE_DECIMAL || (type.id == TYPE_ARRAY && type.child == TYPE_DECIMAL);
    col[0] = type.id;
    col[1] = is_decimal ? type.precision : 0;
    col[2] = is_decimal ? type.scale : 0;
    col[PAGE_COFF_ENCODING] = plan->encoding;
    col[PAGE_COFF_COMPRESSION] = compression;
    col[PAGE_COFF_FLAGS] = vbytes ? PAGE_FLAG_VALIDITY : 0;
    col[6] = type.id == TYPE_ARRAY ? type.child : 0; /* an array's element type */
    col[7] = 0;
    store_u32le(col + PAGE_COFF_N_VALUES, plan->n_values);
    store_u32le(col + PAGE_COFF_RAW_LEN, (uint32_t)raw_len);
    store_u32le(col + PAGE_COFF_STORED_LEN, stored);
    size_t body = PAGE_CHEADER_SIZE + stored;
    store_u64le(col + body, checksum64(col, body));
    out->len += body + PAGE_CHECKSUM_SIZE;
    return BS_OK;
}

Status page_encode(PageEncoder *enc, const Chunk *chunk, Buffer *out, Error *err)
{
    if (chunk->n_rows > BASALT_VECTOR_SIZE || chunk->n_cols < 0)
        return error_set(err, SQLSTATE_INTERNAL_ERROR, -1,
                         "chunk of %llu rows and %d columns cannot become a page",
                         (unsigned long long)chunk->n_rows, chunk->n_cols);
    for (int col = 0; col < chunk->n_cols; col++) {
        LogicalType type = chunk->cols[col].type;
        if (!page_type_valid(type)) {
            char name[64];
            return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, -1,
                             "pages cannot carry values of type %s",
                             type_format(type, name, sizeof name));
        }
    }
    if (!buffer_reserve(out, PAGE_HEADER_SIZE)) return error_oom(err);
    size_t start = out->len;
    out->len += PAGE_HEADER_SIZE;
    for (int col = 0; col < chunk->n_cols; col++) {
        ColPlan plan;
        if (plan_column(enc, chunk, col, &plan, err) != BS_OK ||
            write_column(enc, &plan, chunk->cols[col].type, (uint32_t)chunk->n_rows, out, err) !=
                BS_OK) {
            out->len = start;
            return BS_ERROR;
        }
    }
    uint8_t *h = out->data + start;
    memcpy(h, PAGE_MAGIC, PAGE_MAGIC_LEN);
    h[4] = PAGE_VERSION;
    h[5] = h[6] = h[7] = 0;
    store_u32le(h + PAGE_OFF_N_ROWS, (uint32_t)chunk->n_rows);
    store_u32le(h + PAGE_OFF_N_COLS, (uint32_t)chunk->n_cols);
    store_u64le(h + PAGE_OFF_LEN, out->len - start);
    store_u64le(h + PAGE_OFF_CHECKSUM, checksum64(h, PAGE_OFF_CHECKSUM));
    return BS_OK;
}

/* ---- decoding ---------------------------------------------------------------------- */

Status page_decoder_create(MemTracker *tracker, PageDecoder **out, Error *err)
{
    *out = NULL;
    PageDecoder *dec = bs_calloc(1, sizeof *dec);
    if (!dec) return error_oom(err);
    dec->tracker = tracker;
    dec->dctx = ZSTD_createDCtx();
    if (!dec->dctx) {
        bs_free(dec);
        return error_oom(err);
    }
    *out = dec;
    return BS_OK;
}

void page_decoder_destroy(PageDecoder *dec)
{
    if (!dec) return;
    tbuf_free(&dec->raw, dec->tracker);
    ZSTD_freeDCtx(dec->dctx);
    bs_free(dec);
}

static Status damaged(Error *err, const char *fmt, ...) BS_PRINTF(2, 3);

static Status damaged(Error *err, const char *fmt, ...)
{
    char what[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return error_set(err, SQLSTATE_DATA_CORRUPTED, -1, "page is damaged: %s", what);
}

Status page_peek(const uint8_t *data, size_t len, PageInfo *info, Error *err)
{
    memset(info, 0, sizeof *info);
    if (len < PAGE_HEADER_SIZE)
        return damaged(err, "%zu bytes are too short for a page header", len);
    if (memcmp(data, PAGE_MAGIC, PAGE_MAGIC_LEN) != 0) return damaged(err, "bad magic");
    if (data[4] != PAGE_VERSION) return damaged(err, "unknown version %u", data[4]);
    if (checksum64(data, PAGE_OFF_CHECKSUM) != load_u64le(data + PAGE_OFF_CHECKSUM))
        return damaged(err, "header checksum mismatch");
    if (data[5] || data[6] || data[7]) return damaged(err, "bad header flags");
    uint32_t n_rows = load_u32le(data + PAGE_OFF_N_ROWS);
    uint32_t n_cols = load_u32le(data + PAGE_OFF_N_COLS);
    uint64_t page_len = load_u64le(data + PAGE_OFF_LEN);
    if (n_rows > BASALT_VECTOR_SIZE)
        return damaged(err, "%u rows, more than a vector holds (%d)", n_rows, BASALT_VECTOR_SIZE);
    if (page_len < PAGE_HEADER_SIZE ||
        (page_len - PAGE_HEADER_SIZE) / PAGE_COLUMN_MIN_SIZE < n_cols)
        return damaged(err, "length %llu cannot hold %u columns", (unsigned long long)page_len,
                       n_cols);
    info->page_len = page_len;
    info->n_rows = n_rows;
    info->n_cols = n_cols;
    return BS_OK;
}

/* Decompresses a column's zstd frame into dec->raw; raw_len is checked before allocating. */
static Status unpack_zstd(PageDecoder *dec, int col, const uint8_t *src, uint32_t stored,
                          uint32_t raw_len, const uint8_t **raw, Error *err)
{
    if ((uint64_t)raw_len > (uint64_t)stored * PAGE_ZSTD_MAX_EXPANSION)
        return damaged(err, "column %d: %u compressed bytes cannot hold %u", col + 1, stored,
                       raw_len);
    /* Error codes are huge values, so they fail these comparisons too. */
    if (ZSTD_getFrameContentSize(src, stored) != raw_len ||
        ZSTD_findFrameCompressedSize(src, stored) != stored)
        return damaged(err, "column %d: bad compressed frame", col + 1);
    BS_TRY(tbuf_reserve(&dec->raw, raw_len ? raw_len : 1, false, dec->tracker, err));
    size_t got = ZSTD_decompressDCtx(dec->dctx, dec->raw.data, raw_len, src, stored);
    if (ZSTD_isError(got) || got != raw_len)
        return damaged(err, "column %d: bad compressed data", col + 1);
    *raw = dec->raw.data;
    return BS_OK;
}

/* Reads n dictionary indices of `width` bytes into dst, each of which must be < n_values. */
static Status get_indices(const uint8_t *src, uint32_t n, uint32_t width, uint32_t n_values,
                          sel_t *dst, int col, Error *err)
{
    sel_t max = 0;
    switch (width) {
    case 1:
        for (uint32_t k = 0; k < n; k++)
            dst[k] = src[k];
        break;
    case 2:
        for (uint32_t k = 0; k < n; k++)
            dst[k] = (sel_t)(src[2 * k] | src[2 * k + 1] << 8);
        break;
    default:
        for (uint32_t k = 0; k < n; k++)
            dst[k] = load_u32le(src + 4 * (size_t)k);
        break;
    }
    for (uint32_t k = 0; k < n; k++)
        max = dst[k] > max ? dst[k] : max;
    if (n && max >= n_values)
        return damaged(err, "column %d: dictionary index %u out of %u values", col + 1, max,
                       n_values);
    return BS_OK;
}

/*
 * The inline view of the len (<= 12) bytes at p, where 12 bytes may be read: a fixed-size
 * load with the bytes past len masked off (views are zero-padded).
 */
static StringView inline_view(const uint8_t *p, uint32_t len)
{
    uint32_t head;
    uint64_t tail;
    memcpy(&head, p, 4);
    memcpy(&tail, p + 4, 8);
    head &= len >= 4 ? UINT32_MAX : (UINT32_C(1) << (8 * len)) - 1;
    tail &= len >= 12 ? UINT64_MAX : len <= 4 ? 0 : (UINT64_C(1) << (8 * (len - 4))) - 1;
    StringView view;
    view.len = len;
    memcpy(view.prefix, &head, 4);
    memcpy(view.u.inl, &tail, 8);
    return view;
}

/* Fills the n StringViews of v from a VARCHAR data section of len bytes (len >= 4n). */
static Status get_strings(Vector *v, const uint8_t *src, size_t len, uint32_t n, int col,
                          Error *err)
{
    const uint8_t *bytes = src + (size_t)n * 4;
    uint64_t total = 0, long_total = 0;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t slen = load_u32le(src + 4 * (size_t)k);
        total += slen;
        if (slen > STRVIEW_INLINE_LEN) long_total += slen;
    }
    if (total != len - (size_t)n * 4)
        return damaged(err, "column %d: string lengths do not match the data size", col + 1);
    char *copy = NULL;
    if (long_total) {
        copy = arena_alloc(v->arena, (size_t)long_total);
        if (!copy) return arena_error(v->arena, err);
    }
    StringView *views = v->data;
    const uint8_t *end = src + len;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t slen = load_u32le(src + 4 * (size_t)k);
        if (slen <= STRVIEW_INLINE_LEN) {
            if ((size_t)(end - bytes) >= STRVIEW_INLINE_LEN)
                views[k] = inline_view(bytes, slen);
            else
                views[k] = sv_make((const char *)bytes, slen);
        } else {
            memcpy(copy, bytes, slen);
            views[k] = sv_make(copy, slen);
            copy += slen;
        }
        bytes += slen;
    }
    return BS_OK;
}

/*
 * Decodes a values section of n values (validity vb, NULL when absent, then the data
 * section of len bytes, whose size the caller checked) into v's buffer and validity.
 */
static Status get_values(Vector *v, const uint8_t *vb, const uint8_t *src, size_t len, uint32_t n,
                         int col, Error *err)
{
    if (vb) {
        uint64_t *validity = arena_alloc(v->arena, VALIDITY_WORDS * sizeof(uint64_t));
        if (!validity) return arena_error(v->arena, err);
        memset(validity, 0xff, VALIDITY_WORDS * sizeof(uint64_t));
        uint32_t n_bytes = page_validity_bytes(n);
        memcpy(validity, vb, n_bytes);
        for (uint32_t k = n; k < n_bytes * 8; k++) /* padding bits */
            validity_set_valid(validity, k);
        v->validity = validity;
    }
    switch (type_physical(v->type)) {
    case PHYS_BOOL: {
        uint8_t *dst = v->data;
        for (uint32_t k = 0; k < n; k++)
            dst[k] = src[k] != 0;
        break;
    }
    case PHYS_INT32:
    case PHYS_INT64:
    case PHYS_DOUBLE:
    case PHYS_INTERVAL:
    case PHYS_INT128:
    case PHYS_INT8:
    case PHYS_INT16:
    case PHYS_FLOAT:
        memcpy(v->data, src, len);
        break;
    case PHYS_STRING:
        return get_strings(v, src, len, n, col, err);
    case PHYS_INVALID:
        break;
    }
    return BS_OK;
}

/* Reads, verifies and decodes column col (of `type`) from rd into v. */
static Status decode_column(PageDecoder *dec, BufReader *rd, int col, LogicalType type,
                            uint32_t n_rows, Vector *v, Error *err)
{
    const uint8_t *h = bufreader_bytes(rd, PAGE_CHEADER_SIZE);
    uint32_t stored = h ? load_u32le(h + PAGE_COFF_STORED_LEN) : 0;
    const uint8_t *payload = h ? bufreader_bytes(rd, stored) : NULL;
    const uint8_t *checksum = payload ? bufreader_bytes(rd, PAGE_CHECKSUM_SIZE) : NULL;
    if (!checksum) return damaged(err, "column %d is cut short", col + 1);
    if (checksum64(h, PAGE_CHEADER_SIZE + (size_t)stored) != load_u64le(checksum))
        return damaged(err, "column %d: checksum mismatch", col + 1);

    LogicalType got = {h[0], h[1], h[2], h[0] == TYPE_ARRAY ? h[6] : 0, 0};
    if (!page_type_valid(got) ||
        (got.id != TYPE_DECIMAL && got.child != TYPE_DECIMAL && (got.precision || got.scale)))
        return damaged(err, "column %d: bad type", col + 1);
    /* A page does not carry CHAR(n)/VARCHAR(n)'s n: the values are the same either way,
       and the column's type (with its n) is the caller's. */
    got.length = type.length;
    if (!type_equals(got, type)) {
        char have[64], want[64];
        return damaged(err, "column %d holds %s where %s was expected", col + 1,
                       type_format(got, have, sizeof have), type_format(type, want, sizeof want));
    }
    uint8_t encoding = h[PAGE_COFF_ENCODING], compression = h[PAGE_COFF_COMPRESSION];
    uint8_t flags = h[PAGE_COFF_FLAGS];
    uint32_t n_values = load_u32le(h + PAGE_COFF_N_VALUES);
    uint32_t raw_len = load_u32le(h + PAGE_COFF_RAW_LEN);
    if (encoding < PAGE_ENC_PLAIN || encoding > PAGE_ENC_DICTIONARY ||
        compression > PAGE_COMP_ZSTD || (flags & ~PAGE_FLAG_VALIDITY) ||
        (h[6] && h[0] != TYPE_ARRAY) || h[7])
        return damaged(err, "column %d: bad column header", col + 1);
    bool count_ok = encoding == PAGE_ENC_PLAIN      ? n_values == n_rows
                    : encoding == PAGE_ENC_CONSTANT ? n_values == 1
                                                    : n_values >= 1 && n_values <= n_rows;
    if (!count_ok) return damaged(err, "column %d: bad value count %u", col + 1, n_values);

    bool is_string = type_physical(type) == PHYS_STRING;
    uint32_t index_width = encoding == PAGE_ENC_DICTIONARY ? page_index_width(n_values) : 0;
    uint64_t index_bytes = (uint64_t)n_rows * index_width;
    uint64_t vbytes = (flags & PAGE_FLAG_VALIDITY) ? page_validity_bytes(n_values) : 0;
    uint64_t fixed = index_bytes + vbytes + (uint64_t)n_values * (is_string ? 4 : type_size(type));
    if (is_string ? raw_len < fixed : raw_len != fixed)
        return damaged(err, "column %d: bad data size", col + 1);
    const uint8_t *raw = payload;
    if (compression == PAGE_COMP_NONE) {
        if (stored != raw_len) return damaged(err, "column %d: bad data size", col + 1);
    } else {
        BS_TRY(unpack_zstd(dec, col, payload, stored, raw_len, &raw, err));
    }
    const uint8_t *vb = vbytes ? raw + index_bytes : NULL;
    const uint8_t *values = raw + index_bytes + vbytes;
    size_t values_len = raw_len - (size_t)(index_bytes + vbytes);

    if (encoding != PAGE_ENC_DICTIONARY) {
        BS_TRY(get_values(v, vb, values, values_len, n_values, col, err));
        v->kind = encoding == PAGE_ENC_CONSTANT ? VEC_CONSTANT : VEC_FLAT;
        return BS_OK;
    }
    Vector *child = arena_alloc(v->arena, sizeof *child);
    sel_t *indices = arena_alloc(v->arena, sizeof(sel_t) * n_rows);
    if (!child || !indices) return arena_error(v->arena, err);
    BS_TRY(vector_init_sized(child, type, n_values, v->arena, v->arena, err));
    BS_TRY(get_values(child, vb, values, values_len, n_values, col, err));
    BS_TRY(get_indices(raw, n_rows, index_width, n_values, indices, col, err));
    v->kind = VEC_DICTIONARY;
    v->data = indices;
    v->validity = NULL;
    v->child = child;
    return BS_OK;
}

Status page_decode(PageDecoder *dec, const uint8_t *data, size_t len, const LogicalType *types,
                   int n_cols, Chunk *out, Error *err)
{
    chunk_reset(out);
    bool fits = out->n_cols == n_cols;
    for (int col = 0; fits && col < n_cols; col++)
        fits = type_equals(out->types[col], types[col]);
    if (!fits)
        return error_set(err, SQLSTATE_INTERNAL_ERROR, -1,
                         "page decoded into a chunk of other columns than expected");
    PageInfo info;
    BS_TRY(page_peek(data, len, &info, err));
    if (info.page_len != len)
        return damaged(err, "%zu bytes given for a page of %llu", len,
                       (unsigned long long)info.page_len);
    if (info.n_cols != (uint32_t)n_cols)
        return damaged(err, "%u columns where %d were expected", info.n_cols, n_cols);
    BufReader rd;
    bufreader_init(&rd, data + PAGE_HEADER_SIZE, len - PAGE_HEADER_SIZE);
    for (int col = 0; col < n_cols; col++) {
        if (decode_column(dec, &rd, col, types[col], info.n_rows, &out->cols[col], err) != BS_OK) {
            chunk_reset(out);
            return BS_ERROR;
        }
    }
    if (bufreader_left(&rd) != 0) {
        chunk_reset(out);
        return damaged(err, "%zu bytes after the last column", bufreader_left(&rd));
    }
    out->n_rows = info.n_rows;
    return BS_OK;
}
