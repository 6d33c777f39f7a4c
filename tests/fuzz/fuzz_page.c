/*
 * libFuzzer target: pages. The first input byte gives the expected column count (bits
 * 0-2) and a mode (bits 6-7); the next bytes pick each column's type.
 *   mode 0  the rest is a page, decoded as is;
 *   mode 1  the same after repairing the header (magic, version, length, column count)
 *           and recomputing every checksum, so that mutations reach the column checks;
 *   mode 2, 3  the rest drives a generator: rows, compression level, a selection, and per
 *           column a kind (flat, constant, dictionary), NULLs and values. The chunk is
 *           encoded and must decode to the same rows; then bytes named by the input are
 *           changed (and, in mode 3, the checksums recomputed) and decoded again.
 * Whatever decodes must be readable, and must encode again and decode to the same rows;
 * whatever does not must fail with XX001.
 */
#include "common/alloc.h"
#include "storage/page_int.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const LogicalType TYPES[8] = {
    {TYPE_BOOLEAN, 0, 0, 0, 0},  {TYPE_INTEGER, 0, 0, 0, 0}, {TYPE_BIGINT, 0, 0, 0, 0}, {TYPE_DOUBLE, 0, 0, 0, 0},
    {TYPE_DECIMAL, 15, 2, 0, 0}, {TYPE_VARCHAR, 0, 0, 0, 0}, {TYPE_DATE, 0, 0, 0, 0},   {TYPE_TIMESTAMP, 0, 0, 0, 0},
};

/* The input as a stream of bytes; zeros once it runs out. */
typedef struct Stream {
    const uint8_t *p, *end;
} Stream;

static uint32_t next_byte(Stream *s)
{
    return s->p < s->end ? *s->p++ : 0;
}

static uint32_t next_u16(Stream *s)
{
    uint32_t lo = next_byte(s);
    return lo | next_byte(s) << 8;
}

/* Whether two values are the same, doubles by their bits. */
static bool same_value(const Value *a, const Value *b)
{
    if (a->is_null || b->is_null) return a->is_null == b->is_null;
    switch (type_physical(a->type)) {
    case PHYS_BOOL:
        return a->u.b == b->u.b;
    case PHYS_INT32:
        return a->u.i32 == b->u.i32;
    case PHYS_INT64:
        return a->u.i64 == b->u.i64;
    case PHYS_DOUBLE:
        return memcmp(&a->u.f64, &b->u.f64, 8) == 0;
    case PHYS_STRING:
        return a->u.str.len == b->u.str.len &&
               (a->u.str.len == 0 || memcmp(a->u.str.data, b->u.str.data, a->u.str.len) == 0);
    case PHYS_INTERVAL:
        return memcmp(&a->u.iv, &b->u.iv, sizeof a->u.iv) == 0;
    case PHYS_INT128:
        return a->u.i128 == b->u.i128;
    case PHYS_INT8:
        return a->u.i8 == b->u.i8;
    case PHYS_INT16:
        return a->u.i16 == b->u.i16;
    case PHYS_FLOAT:
        return memcmp(&a->u.f32, &b->u.f32, 4) == 0;
    case PHYS_INVALID:
        break;
    }
    return false;
}

/* Traps unless b holds a's rows (each read through its selection). */
static void check_same_rows(const Chunk *a, const Chunk *b)
{
    if (a->n_rows != b->n_rows || a->n_cols != b->n_cols) __builtin_trap();
    for (int col = 0; col < a->n_cols; col++)
        for (idx_t row = 0; row < a->n_rows; row++) {
            Value va, vb;
            vector_get_value(&a->cols[col], a->sel ? a->sel[row] : row, &va);
            vector_get_value(&b->cols[col], b->sel ? b->sel[row] : row, &vb);
            if (!same_value(&va, &vb)) __builtin_trap();
        }
}

/* An encoder per level (0, 1 or 3), kept for the process as real users keep theirs. */
static PageEncoder *encoder(int level)
{
    static PageEncoder *encoders[4];
    if (!encoders[level]) {
        Error err = ERROR_INIT;
        PageOptions opts = {level, 64, 90};
        if (page_encoder_create(&opts, NULL, &encoders[level], &err) != BS_OK) __builtin_trap();
    }
    return encoders[level];
}

/* Encodes chunk and decodes it into a new chunk, which must hold the same rows. */
static void check_roundtrip(const Chunk *chunk, const LogicalType *types, int n_cols, int level,
                            PageDecoder *dec, Arena *arena, Buffer *page)
{
    Error err = ERROR_INIT;
    PageEncoder *enc = encoder(level);
    Chunk *again = chunk_create(arena, types, n_cols, &err);
    if (!again) __builtin_trap();
    buffer_clear(page);
    if (page_encode(enc, chunk, page, &err) != BS_OK ||
        page_decode(dec, page->data, page->len, types, n_cols, again, &err) != BS_OK)
        __builtin_trap();
    check_same_rows(chunk, again);
    error_clear(&err);
}

/* Decodes len bytes at page; success must give a readable chunk, failure XX001. */
static void decode_any(const uint8_t *page, size_t len, const LogicalType *types, int n_cols,
                       PageDecoder *dec, Arena *arena)
{
    Error err = ERROR_INIT;
    /* An exact-size copy, so that the sanitizer sees any read past the page. */
    uint8_t *copy = malloc(len ? len : 1);
    Chunk *out = chunk_create(arena, types, n_cols, &err);
    if (!copy || !out) __builtin_trap();
    memcpy(copy, page, len);
    PageInfo info;
    Status peeked = page_peek(copy, len, &info, &err);
    error_clear(&err);
    if (page_decode(dec, copy, len, types, n_cols, out, &err) == BS_OK) {
        if (peeked != BS_OK || info.page_len != len || info.n_rows != out->n_rows) __builtin_trap();
        memset(copy, 0, len); /* the chunk must not point into the page */
        Buffer again;
        buffer_init(&again);
        check_roundtrip(out, types, n_cols, 1, dec, arena, &again);
        buffer_free(&again);
    } else if (strcmp(err.sqlstate, SQLSTATE_DATA_CORRUPTED) != 0) {
        __builtin_trap();
    }
    error_clear(&err);
    free(copy);
}

/* A value of `type` drawn from the stream: small ranges, so repeats and runs occur. */
static Value next_value(Stream *s, LogicalType type, char *buf)
{
    int8_t small = (int8_t)next_byte(s);
    switch ((TypeId)type.id) {
    case TYPE_BOOLEAN:
        return value_boolean(small & 1);
    case TYPE_INTEGER:
        return value_integer(small * 1000);
    case TYPE_DATE:
        return value_date(small);
    case TYPE_BIGINT:
        return value_bigint((int64_t)small * (INT64_C(1) << 40));
    case TYPE_TIMESTAMP:
        return value_timestamp((int64_t)small * 1000000);
    case TYPE_DECIMAL:
        return value_decimal(small * 125, 15, 2);
    case TYPE_DOUBLE:
        return value_double(small == -128 ? __builtin_nan("") : small / 4.0);
    case TYPE_VARCHAR: {
        uint32_t len = (uint32_t)(small & 31);
        for (uint32_t k = 0; k < len; k++)
            buf[k] = (char)('a' + next_byte(s) % 4);
        return value_varchar(buf, len);
    }
    default:
        return value_null(type);
    }
}

/* Fills v with n values from the stream; nulls 0: none, 1: some, 2: all. */
static void next_values(Stream *s, Vector *v, idx_t n, uint32_t nulls)
{
    Error err = ERROR_INIT;
    char buf[32];
    for (idx_t row = 0; row < n; row++) {
        Value value = next_value(s, v->type, buf);
        if (nulls == 2 || (nulls == 1 && next_byte(s) % 4 == 0)) value = value_null(v->type);
        if (vector_set_value(v, row, &value, &err) != BS_OK) __builtin_trap();
    }
}

/* Builds a chunk from the stream, checks its round trip, then decodes mutated pages of it. */
static void generated(Stream *s, const LogicalType *types, int n_cols, bool reseal,
                      PageDecoder *dec, Arena *arena)
{
    static const int levels[3] = {0, 1, 3};
    Error err = ERROR_INIT;
    idx_t n_rows = next_u16(s) % (BASALT_VECTOR_SIZE + 1);
    int level = levels[next_byte(s) % 3];
    Chunk *chunk = chunk_create(arena, types, n_cols, &err);
    if (!chunk) __builtin_trap();
    for (int col = 0; col < n_cols; col++) {
        Vector *v = &chunk->cols[col];
        uint32_t kind = next_byte(s) % 3, nulls = next_byte(s) % 3;
        if (kind == 0) {
            next_values(s, v, n_rows, nulls);
        } else if (kind == 1) {
            Vector one;
            if (vector_init_sized(&one, types[col], 1, arena, arena, &err) != BS_OK)
                __builtin_trap();
            next_values(s, &one, 1, nulls);
            Value value;
            vector_get_value(&one, 0, &value);
            if (vector_set_constant(v, &value, &err) != BS_OK) __builtin_trap();
        } else {
            idx_t child_len = 1 + next_u16(s) % BASALT_VECTOR_SIZE;
            Vector *child = arena_alloc(arena, sizeof *child);
            sel_t *idx = arena_alloc(arena, sizeof(sel_t) * BASALT_VECTOR_SIZE);
            if (!child || !idx || vector_init(child, types[col], arena, arena, &err) != BS_OK)
                __builtin_trap();
            next_values(s, child, child_len, nulls);
            for (idx_t row = 0; row < n_rows; row++)
                idx[row] = (sel_t)(next_byte(s) % child_len);
            v->kind = VEC_DICTIONARY;
            v->data = idx;
            v->validity = NULL;
            v->child = child;
        }
    }
    chunk->n_rows = n_rows;
    sel_t *sel = arena_alloc(arena, sizeof(sel_t) * BASALT_VECTOR_SIZE);
    if (!sel) __builtin_trap();
    if (next_byte(s) & 1) {
        idx_t n_sel = 0;
        for (idx_t row = 0; row < n_rows; row++)
            if (next_byte(s) & 1) sel[n_sel++] = (sel_t)row;
        chunk->sel = sel;
        chunk->n_rows = n_sel;
    }
    Buffer page;
    buffer_init(&page);
    check_roundtrip(chunk, types, n_cols, level, dec, arena, &page);
    uint32_t n_changes = next_byte(s) % 5;
    for (uint32_t k = 0; k < n_changes; k++) {
        size_t pos = next_u16(s) % page.len;
        page.data[pos] ^= (uint8_t)(next_byte(s) | 1);
    }
    if (reseal) page_reseal(page.data, page.len);
    if (n_changes) decode_any(page.data, page.len, types, n_cols, dec, arena);
    buffer_free(&page);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    int n_cols = data[0] & 7;
    int mode = data[0] >> 6;
    if (size < 1 + (size_t)n_cols) return 0;
    LogicalType types[8];
    for (int col = 0; col < n_cols; col++)
        types[col] = TYPES[data[1 + col] & 7];
    Stream s = {data + 1 + n_cols, data + size};
    size_t len = size - 1 - (size_t)n_cols;

    Error err = ERROR_INIT;
    static PageDecoder *dec;
    if (!dec && page_decoder_create(NULL, &dec, &err) != BS_OK) __builtin_trap();
    Arena *arena = arena_create(NULL, NULL, 0);
    if (!arena) __builtin_trap();
    if (mode >= 2) {
        generated(&s, types, n_cols, mode == 3, dec, arena);
    } else {
        uint8_t *page = malloc(len ? len : 1);
        if (!page) __builtin_trap();
        memcpy(page, s.p, len);
        if (mode == 1 && len >= PAGE_HEADER_SIZE) {
            memcpy(page, PAGE_MAGIC, PAGE_MAGIC_LEN);
            page[4] = PAGE_VERSION;
            page[5] = page[6] = page[7] = 0;
            store_u32le(page + PAGE_OFF_N_COLS, (uint32_t)n_cols);
            store_u64le(page + PAGE_OFF_LEN, len);
            page_reseal(page, len);
        }
        decode_any(page, len, types, n_cols, dec, arena);
        free(page);
    }
    arena_destroy(arena);
    error_clear(&err);
    return 0;
}
