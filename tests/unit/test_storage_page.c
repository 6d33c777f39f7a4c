/*
 * Unit tests: pages (chunks serialized for exchanges and spill files) — round trips of
 * every type as flat, constant and dictionary vectors, through selections, with no, some
 * and only NULLs, compressed and not, with zero rows and zero columns and full vectors;
 * framing with page_peek; options; and a decoder that rejects every truncation,
 * corruption, type mismatch and garbage with XX001, or (behind valid checksums) decodes
 * to a chunk that is safe to read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/alloc.h"
#include "storage/page_int.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define N_TYPES     8
#define COL_BOOL    0
#define COL_VARCHAR 5

static const LogicalType *all_types(void)
{
    static LogicalType types[N_TYPES];
    types[0] = type_make(TYPE_BOOLEAN);
    types[1] = type_make(TYPE_INTEGER);
    types[2] = type_make(TYPE_BIGINT);
    types[3] = type_make(TYPE_DOUBLE);
    types[4] = type_decimal(15, 2);
    types[5] = type_make(TYPE_VARCHAR);
    types[6] = type_make(TYPE_DATE);
    types[7] = type_make(TYPE_TIMESTAMP);
    return types;
}

typedef enum Nulls { NULLS_NONE, NULLS_SOME, NULLS_ALL } Nulls;

/* Row r's string: empty, inline (up to exactly 12 bytes) and long ones in turn. */
static uint32_t string_of(uint64_t row, char *buf)
{
    static const uint32_t lens[] = {0, 1, 5, 11, 12, 13, 40, 200, 3};
    uint32_t len = lens[row % BS_ARRAY_LEN(lens)];
    for (uint32_t k = 0; k < len; k++)
        buf[k] = (char)('a' + (row * 7 + k) % 26);
    return len;
}

static double double_of(uint64_t row)
{
    uint64_t quiet_payload = UINT64_C(0x7ff8000000000123),
             negative_nan = UINT64_C(0xfff8000000000000);
    double special[10] = {NAN, -0.0, INFINITY, -INFINITY, 0.0, DBL_MIN, DBL_MAX, 5e-324};
    memcpy(&special[8], &quiet_payload, 8);
    memcpy(&special[9], &negative_nan, 8);
    return row < 10 ? special[row] : (double)row * 0.25 - 7;
}

/* The value of column col (of all_types) in row `row` of the test data; buf holds strings. */
static Value value_at(int col, uint64_t row, Nulls nulls, char *buf)
{
    LogicalType type = all_types()[col];
    if (nulls == NULLS_ALL || (nulls == NULLS_SOME && (row * 7 + (uint64_t)col) % 5 == 2))
        return value_null(type);
    switch (col) {
    case 0:
        return value_boolean(row % 3 == 1);
    case 1:
        return value_integer(row == 1   ? INT32_MIN
                             : row == 2 ? INT32_MAX
                                        : (int32_t)row * 37 - 1000);
    case 2:
        return value_bigint(row == 3 ? INT64_MIN : (int64_t)row * 1000003 - INT64_C(5000000000));
    case 3:
        return value_double(double_of(row));
    case 4:
        return value_decimal((int64_t)row * 12345 - 99999, 15, 2);
    case 5:
        return value_varchar(buf, string_of(row, buf));
    case 6:
        return value_date(10957 + (int32_t)row);
    default:
        return value_timestamp((int64_t)row * INT64_C(3600000000) + 123);
    }
}

/* Exact equality: doubles compare by their bits (NaN payloads, -0). */
static void assert_same_value(const Value *got, const Value *want, idx_t row, int col)
{
    if (got->is_null != want->is_null)
        fail_msg("row %llu col %d: NULL %d, expected %d", (unsigned long long)row, col,
                 got->is_null, want->is_null);
    if (want->is_null) return;
    switch (type_physical(want->type)) {
    case PHYS_BOOL:
        assert_int_equal(got->u.b, want->u.b);
        break;
    case PHYS_INT32:
        assert_int_equal(got->u.i32, want->u.i32);
        break;
    case PHYS_INT64:
        assert_int_equal(got->u.i64, want->u.i64);
        break;
    case PHYS_INT128:
        assert_true(got->u.i128 == want->u.i128);
        break;
    case PHYS_INT8:
        assert_int_equal(got->u.i8, want->u.i8);
        break;
    case PHYS_INT16:
        assert_int_equal(got->u.i16, want->u.i16);
        break;
    case PHYS_FLOAT:
        assert_memory_equal(&got->u.f32, &want->u.f32, sizeof(float));
        break;
    case PHYS_DOUBLE:
        if (memcmp(&got->u.f64, &want->u.f64, 8) != 0)
            fail_msg("row %llu col %d: %g, expected %g", (unsigned long long)row, col, got->u.f64,
                     want->u.f64);
        break;
    case PHYS_STRING:
        assert_int_equal(got->u.str.len, want->u.str.len);
        if (want->u.str.len)
            assert_memory_equal(got->u.str.data, want->u.str.data, want->u.str.len);
        break;
    case PHYS_INTERVAL:
        assert_memory_equal(&got->u.iv, &want->u.iv, sizeof want->u.iv);
        break;
    case PHYS_INVALID:
        fail();
    }
}

/* Row `row` of chunk column col, through the chunk's selection. */
static Value chunk_value(const Chunk *chunk, int col, idx_t row)
{
    Value v;
    vector_get_value(&chunk->cols[col], chunk->sel ? chunk->sel[row] : row, &v);
    return v;
}

/* Every string of a decoded column is a well-formed view: inline ones zero-padded. */
static void assert_views_valid(const Chunk *chunk, int col)
{
    sel_t scratch[BASALT_VECTOR_SIZE];
    UnifiedVector uv;
    chunk_unify(chunk, col, &uv, scratch);
    for (idx_t row = 0; row < chunk->n_rows; row++) {
        sel_t pos = uv.sel[row];
        if (!validity_get(uv.validity, pos)) continue;
        const StringView *s = &((const StringView *)uv.data)[pos];
        if (s->len <= STRVIEW_INLINE_LEN) {
            const char *inl = s->prefix;
            for (uint32_t k = s->len; k < STRVIEW_INLINE_LEN; k++)
                assert_int_equal(inl[k], 0);
        } else {
            assert_memory_equal(s->prefix, s->u.ptr, 4);
        }
    }
}

/* Fills flat columns of all_types with rows [start, start+n) of the test data. */
static void fill_chunk(Chunk *chunk, uint64_t start, idx_t n, Nulls nulls)
{
    Error err = ERROR_INIT;
    chunk_reset(chunk);
    char buf[256];
    for (idx_t k = 0; k < n; k++)
        for (int col = 0; col < N_TYPES; col++) {
            Value v = value_at(col, start + k, nulls, buf);
            assert_int_equal(vector_set_value(&chunk->cols[col], k, &v, &err), BS_OK);
        }
    chunk->n_rows = n;
}

static PageEncoder *new_encoder(int level, uint32_t min_bytes, uint32_t max_percent)
{
    PageOptions opts = {level, min_bytes, max_percent};
    PageEncoder *enc;
    Error err = ERROR_INIT;
    assert_int_equal(page_encoder_create(&opts, NULL, &enc, &err), BS_OK);
    return enc;
}

static PageDecoder *new_decoder(void)
{
    PageDecoder *dec;
    Error err = ERROR_INIT;
    assert_int_equal(page_decoder_create(NULL, &dec, &err), BS_OK);
    return dec;
}

/* What most tests use: chunks of all_types, an encoder, a decoder, a page buffer. */
typedef struct Fixture {
    Arena *arena;
    Chunk *in, *out;
    PageEncoder *enc;
    PageDecoder *dec;
    Buffer page;
    Vector children[N_TYPES]; /* dictionaries' children (fill_children) */
    sel_t idx[BASALT_VECTOR_SIZE];
} Fixture;

static void fixture_setup(Fixture *f, int level, uint32_t min_bytes, uint32_t max_percent)
{
    Error err = ERROR_INIT;
    memset(f, 0, sizeof *f);
    f->arena = arena_create(NULL, NULL, 0);
    f->in = chunk_create(f->arena, all_types(), N_TYPES, &err);
    f->out = chunk_create(f->arena, all_types(), N_TYPES, &err);
    assert_true(f->in && f->out);
    f->enc = new_encoder(level, min_bytes, max_percent);
    f->dec = new_decoder();
    buffer_init(&f->page);
}

static void fixture_teardown(Fixture *f)
{
    buffer_free(&f->page);
    page_encoder_destroy(f->enc);
    page_decoder_destroy(f->dec);
    arena_destroy(f->arena);
}

/* Encodes chunk as the only page of `page` (cleared first). */
static void encode_one(PageEncoder *enc, const Chunk *chunk, Buffer *page)
{
    Error err = ERROR_INIT;
    buffer_clear(page);
    if (page_encode(enc, chunk, page, &err) != BS_OK) fail_msg("encode: %s", err.message);
    assert_true(buffer_ok(page));
}

/*
 * Decodes len bytes at data from an exact-size heap copy (so that the sanitizer sees any
 * read past the end). Returns the status; err is filled on failure.
 */
static Status decode_copy(PageDecoder *dec, const uint8_t *data, size_t len,
                          const LogicalType *types, int n_cols, Chunk *out, Error *err)
{
    uint8_t *copy = malloc(len ? len : 1);
    if (len) memcpy(copy, data, len);
    Status st = page_decode(dec, copy, len, types, n_cols, out, err);
    memset(copy, 0xa5, len); /* nothing may point into the page after decoding */
    free(copy);
    return st;
}

static void decode_ok(PageDecoder *dec, const Buffer *page, const LogicalType *types, int n_cols,
                      Chunk *out)
{
    Error err = ERROR_INIT;
    if (decode_copy(dec, page->data, page->len, types, n_cols, out, &err) != BS_OK)
        fail_msg("decode: %s %s", err.sqlstate, err.message);
}

/* What the header of column col of a page says. */
typedef struct ColInfo {
    uint8_t encoding, compression, flags;
    uint32_t n_values, raw_len, stored_len;
} ColInfo;

static ColInfo column_info(const Buffer *page, int col)
{
    size_t pos = PAGE_HEADER_SIZE;
    for (int k = 0;; k++) {
        assert_true(pos + PAGE_COLUMN_MIN_SIZE <= page->len);
        const uint8_t *h = page->data + pos;
        ColInfo info = {h[PAGE_COFF_ENCODING],
                        h[PAGE_COFF_COMPRESSION],
                        h[PAGE_COFF_FLAGS],
                        load_u32le(h + PAGE_COFF_N_VALUES),
                        load_u32le(h + PAGE_COFF_RAW_LEN),
                        load_u32le(h + PAGE_COFF_STORED_LEN)};
        if (k == col) return info;
        pos += PAGE_COLUMN_MIN_SIZE + info.stored_len;
    }
}

/* Checks every row of every column of out against the test data rows first_row + k. */
static void assert_rows(const Chunk *out, uint64_t first_row, Nulls nulls)
{
    char buf[256];
    for (int col = 0; col < N_TYPES; col++) {
        for (idx_t row = 0; row < out->n_rows; row++) {
            Value got = chunk_value(out, col, row),
                  want = value_at(col, first_row + row, nulls, buf);
            assert_same_value(&got, &want, first_row + row, col);
        }
    }
    assert_views_valid(out, COL_VARCHAR);
}

/* ---- round trips ---------------------------------------------------------------------- */

/* Flat columns of every type over max(BASALT_VECTOR_SIZE, 64) rows in full chunks. */
static void roundtrip_flat(int level, Nulls nulls)
{
    Fixture f;
    Error err = ERROR_INIT;
    fixture_setup(&f, level, 256, 90);
    uint64_t total = BS_MAX(BASALT_VECTOR_SIZE, 64);
    bool any_compressed = false;
    for (uint64_t start = 0; start < total; start += BASALT_VECTOR_SIZE) {
        idx_t n = BS_MIN((uint64_t)BASALT_VECTOR_SIZE, total - start);
        fill_chunk(f.in, start, n, nulls);
        encode_one(f.enc, f.in, &f.page);
        PageInfo info;
        assert_int_equal(page_peek(f.page.data, f.page.len, &info, &err), BS_OK);
        assert_int_equal(info.page_len, f.page.len);
        assert_int_equal(info.n_rows, n);
        assert_int_equal(info.n_cols, N_TYPES);
        decode_ok(f.dec, &f.page, all_types(), N_TYPES, f.out);
        assert_int_equal(f.out->n_rows, n);
        assert_null(f.out->sel);
        assert_rows(f.out, start, nulls);
        for (int col = 0; col < N_TYPES; col++) {
            ColInfo ci = column_info(&f.page, col);
            assert_int_equal(ci.encoding, PAGE_ENC_PLAIN);
            assert_int_equal(f.out->cols[col].kind, VEC_FLAT);
            /* The validity travels only when there is a NULL. */
            char buf[256];
            bool has_null = false;
            for (idx_t row = 0; row < n; row++)
                has_null |= value_at(col, start + row, nulls, buf).is_null;
            assert_int_equal(ci.flags, has_null ? PAGE_FLAG_VALIDITY : 0);
            if (!has_null) assert_null(f.out->cols[col].validity);
            if (level == 0) assert_int_equal(ci.compression, PAGE_COMP_NONE);
            any_compressed |= ci.compression == PAGE_COMP_ZSTD;
        }
    }
    /* Full 2048-row columns of dates or all-NULL data compress well. */
    if (level > 0 && BASALT_VECTOR_SIZE >= 1024) assert_true(any_compressed);
    fixture_teardown(&f);
}

static void test_roundtrip_uncompressed(void **state)
{
    (void)state;
    roundtrip_flat(0, NULLS_NONE);
    roundtrip_flat(0, NULLS_SOME);
    roundtrip_flat(0, NULLS_ALL);
}

static void test_roundtrip_compressed(void **state)
{
    (void)state;
    roundtrip_flat(1, NULLS_NONE);
    roundtrip_flat(3, NULLS_SOME);
    roundtrip_flat(3, NULLS_ALL);
}

/* Row counts around the validity's byte and word boundaries, in one decoder and chunk. */
static void test_odd_sizes(void **state)
{
    (void)state;
    Fixture f;
    fixture_setup(&f, 3, 0, 100);
    const idx_t sizes[] = {1, 2, 3, 7, 8, 9, 63, 64, 65, 127, 129, 1000, BASALT_VECTOR_SIZE - 1};
    for (size_t k = 0; k < BS_ARRAY_LEN(sizes); k++) {
        idx_t n = sizes[k];
        if (n < 1 || n > BASALT_VECTOR_SIZE) continue;
        fill_chunk(f.in, 100 + k, n, NULLS_SOME);
        encode_one(f.enc, f.in, &f.page);
        decode_ok(f.dec, &f.page, all_types(), N_TYPES, f.out);
        assert_int_equal(f.out->n_rows, n);
        assert_rows(f.out, 100 + k, NULLS_SOME);
    }
    fixture_teardown(&f);
}

/* Constant vectors stay constant: one value on the wire, whatever the row count. */
static void constants(bool null_constant, int level)
{
    Fixture f;
    Error err = ERROR_INIT;
    fixture_setup(&f, level, 0, 100);
    char buf[256];
    const uint64_t source_row = 7; /* a 200-byte string */
    Nulls nulls = null_constant ? NULLS_ALL : NULLS_NONE;
    for (int col = 0; col < N_TYPES; col++) {
        Value v = value_at(col, source_row, nulls, buf);
        assert_int_equal(vector_set_constant(&f.in->cols[col], &v, &err), BS_OK);
    }
    f.in->n_rows = BASALT_VECTOR_SIZE;
    encode_one(f.enc, f.in, &f.page);
    assert_true(f.page.len < PAGE_HEADER_SIZE + N_TYPES * (PAGE_COLUMN_MIN_SIZE + 9) + 205);
    decode_ok(f.dec, &f.page, all_types(), N_TYPES, f.out);
    assert_int_equal(f.out->n_rows, BASALT_VECTOR_SIZE);
    for (int col = 0; col < N_TYPES; col++) {
        ColInfo ci = column_info(&f.page, col);
        assert_int_equal(ci.encoding, PAGE_ENC_CONSTANT);
        assert_int_equal(ci.n_values, 1);
        assert_int_equal(ci.flags, null_constant ? PAGE_FLAG_VALIDITY : 0);
        assert_int_equal(f.out->cols[col].kind, VEC_CONSTANT);
        Value want = value_at(col, source_row, nulls, buf);
        for (idx_t row = 0; row < f.out->n_rows; row++) {
            Value got = chunk_value(f.out, col, row);
            assert_same_value(&got, &want, row, col);
        }
    }
    assert_views_valid(f.out, COL_VARCHAR);
    fixture_teardown(&f);
}

static void test_constant_vectors(void **state)
{
    (void)state;
    constants(false, 0);
    constants(false, 3);
    constants(true, 0);
    constants(true, 1);
}

/* Fills f->children: flat vectors of BASALT_VECTOR_SIZE values of every type, with NULLs. */
static void fill_children(Fixture *f)
{
    Error err = ERROR_INIT;
    char buf[256];
    for (int col = 0; col < N_TYPES; col++) {
        Vector *child = &f->children[col];
        assert_int_equal(vector_init(child, all_types()[col], f->arena, f->arena, &err), BS_OK);
        for (idx_t row = 0; row < BASALT_VECTOR_SIZE; row++) {
            Value v = value_at(col, row, NULLS_SOME, buf);
            assert_int_equal(vector_set_value(child, row, &v, &err), BS_OK);
        }
    }
}

/* Makes every column of f->in a dictionary over its child with the indices f->idx. */
static void dict_columns(Fixture *f, idx_t n_rows)
{
    chunk_reset(f->in);
    for (int col = 0; col < N_TYPES; col++) {
        Vector *v = &f->in->cols[col];
        v->kind = VEC_DICTIONARY;
        v->data = f->idx;
        v->validity = NULL;
        v->child = &f->children[col];
    }
    f->in->n_rows = n_rows;
}

/* Checks f->out against the children through `indices` (row r is child row indices[r]). */
static void dict_check(Fixture *f, const sel_t *indices)
{
    char buf[256];
    for (int col = 0; col < N_TYPES; col++)
        for (idx_t row = 0; row < f->out->n_rows; row++) {
            Value got = chunk_value(f->out, col, row);
            Value want = value_at(col, indices[row], NULLS_SOME, buf);
            assert_same_value(&got, &want, row, col);
        }
    assert_views_valid(f->out, COL_VARCHAR);
}

static void dictionaries(int level)
{
    Fixture f;
    fixture_setup(&f, level, 256, 90);
    fill_children(&f);
    /* Each value twice in a row, from a window of the child that need not start at 0. */
    uint32_t distinct = BS_MAX(1, BS_MIN(10, BASALT_VECTOR_SIZE / 4));
    uint32_t base = BASALT_VECTOR_SIZE > 16 ? 5 : 0;
    for (uint32_t row = 0; row < BASALT_VECTOR_SIZE; row++)
        f.idx[row] = base + (row / 2) % distinct;
    dict_columns(&f, BASALT_VECTOR_SIZE);
    encode_one(f.enc, f.in, &f.page);
    decode_ok(f.dec, &f.page, all_types(), N_TYPES, f.out);
    assert_int_equal(f.out->n_rows, BASALT_VECTOR_SIZE);
    dict_check(&f, f.idx);
    for (int col = 0; col < N_TYPES; col++) {
        ColInfo ci = column_info(&f.page, col);
        if (col == COL_BOOL) {
            /* One-byte values: codes are never smaller than the values themselves. */
            assert_int_equal(ci.encoding, PAGE_ENC_PLAIN);
            assert_int_equal(f.out->cols[col].kind, VEC_FLAT);
            continue;
        }
        assert_int_equal(ci.encoding, PAGE_ENC_DICTIONARY);
        assert_int_equal(ci.n_values, distinct); /* only the values used travel */
        assert_int_equal(f.out->cols[col].kind, VEC_DICTIONARY);
        assert_int_equal(f.out->cols[col].child->kind, VEC_FLAT);
        const sel_t *codes = f.out->cols[col].data;
        for (idx_t row = 0; row < f.out->n_rows; row++)
            assert_true(codes[row] < distinct);
    }
    /* Some used child values are NULL, so the child's validity travels. */
    bool child_nulls = false;
    for (uint32_t k = 0; k < distinct; k++)
        child_nulls |= !validity_get(f.children[1].validity, base + k);
    if (child_nulls) {
        assert_int_equal(column_info(&f.page, 1).flags, PAGE_FLAG_VALIDITY);
        assert_non_null(f.out->cols[1].child->validity);
    }

    /* Two values far apart in the child: compacted to two values. */
    for (uint32_t row = 0; row < BASALT_VECTOR_SIZE; row++)
        f.idx[row] = row % 2 ? BASALT_VECTOR_SIZE - 1 : 0;
    dict_columns(&f, BASALT_VECTOR_SIZE);
    encode_one(f.enc, f.in, &f.page);
    decode_ok(f.dec, &f.page, all_types(), N_TYPES, f.out);
    dict_check(&f, f.idx);
    if (BASALT_VECTOR_SIZE >= 8) {
        assert_int_equal(column_info(&f.page, 2).encoding, PAGE_ENC_DICTIONARY);
        assert_int_equal(column_info(&f.page, 2).n_values, 2);
    }

    /* Every row a different value (a filter's slice): sent flat. */
    for (uint32_t row = 0; row < BASALT_VECTOR_SIZE; row++)
        f.idx[row] = BASALT_VECTOR_SIZE - 1 - row;
    dict_columns(&f, BASALT_VECTOR_SIZE);
    encode_one(f.enc, f.in, &f.page);
    decode_ok(f.dec, &f.page, all_types(), N_TYPES, f.out);
    dict_check(&f, f.idx);
    for (int col = 0; col < N_TYPES; col++) {
        assert_int_equal(column_info(&f.page, col).encoding, PAGE_ENC_PLAIN);
        assert_int_equal(f.out->cols[col].kind, VEC_FLAT);
    }

    /* A child wider than any vector whose used values lie too far apart to compact
       with a table of the span between them: sent PLAIN. */
    enum { WIDE = 70000 };
    Error err = ERROR_INIT;
    Vector wide;
    assert_int_equal(vector_init_sized(&wide, all_types()[2], WIDE, f.arena, f.arena, &err), BS_OK);
    int64_t *wide_values = wide.data;
    for (uint32_t k = 0; k < WIDE; k++)
        wide_values[k] = (int64_t)k * 3;
    sel_t wide_idx[BASALT_VECTOR_SIZE];
    for (uint32_t row = 0; row < BASALT_VECTOR_SIZE; row++)
        wide_idx[row] = row % 2 ? WIDE - 1 : 1;
    dict_columns(&f, BASALT_VECTOR_SIZE); /* the other columns keep the indices above */
    f.in->cols[2].data = wide_idx;
    f.in->cols[2].child = &wide;
    encode_one(f.enc, f.in, &f.page);
    decode_ok(f.dec, &f.page, all_types(), N_TYPES, f.out);
    assert_int_equal(column_info(&f.page, 2).encoding, PAGE_ENC_PLAIN);
    for (idx_t row = 0; row < f.out->n_rows; row++)
        assert_int_equal(chunk_value(f.out, 2, row).u.i64, (int64_t)wide_idx[row] * 3);

    /* A dictionary with zero rows. */
    dict_columns(&f, 0);
    encode_one(f.enc, f.in, &f.page);
    decode_ok(f.dec, &f.page, all_types(), N_TYPES, f.out);
    assert_int_equal(f.out->n_rows, 0);
    fixture_teardown(&f);
}

static void test_dictionary_vectors(void **state)
{
    (void)state;
    dictionaries(0);
    dictionaries(3);
}

/* A selection picks rows of flat, constant and dictionary columns alike. */
static void test_selection(void **state)
{
    (void)state;
    Fixture f;
    fixture_setup(&f, 1, 256, 90);
    fill_children(&f);
    Error err = ERROR_INIT;
    char buf[256];
    sel_t sel[BASALT_VECTOR_SIZE];
    idx_t n = BS_MAX(1, BASALT_VECTOR_SIZE / 2);
    for (idx_t k = 0; k < n; k++)
        sel[k] = (sel_t)(BASALT_VECTOR_SIZE - 1 - 2 * k);
    for (uint32_t row = 0; row < BASALT_VECTOR_SIZE; row++)
        f.idx[row] = (row * 5) % BS_MAX(1, BASALT_VECTOR_SIZE / 8);

    /* Flat columns. */
    fill_chunk(f.in, 0, BASALT_VECTOR_SIZE, NULLS_SOME);
    f.in->sel = sel;
    f.in->n_rows = n;
    encode_one(f.enc, f.in, &f.page);
    decode_ok(f.dec, &f.page, all_types(), N_TYPES, f.out);
    assert_int_equal(f.out->n_rows, n);
    assert_null(f.out->sel);
    for (int col = 0; col < N_TYPES; col++)
        for (idx_t row = 0; row < n; row++) {
            Value got = chunk_value(f.out, col, row),
                  want = value_at(col, sel[row], NULLS_SOME, buf);
            assert_same_value(&got, &want, row, col);
        }
    assert_views_valid(f.out, COL_VARCHAR);

    /* Dictionaries: the selection composes with the indices. */
    dict_columns(&f, n);
    f.in->sel = sel;
    encode_one(f.enc, f.in, &f.page);
    decode_ok(f.dec, &f.page, all_types(), N_TYPES, f.out);
    sel_t composed[BASALT_VECTOR_SIZE];
    for (idx_t k = 0; k < n; k++)
        composed[k] = f.idx[sel[k]];
    dict_check(&f, composed);

    /* Constants ignore it. */
    chunk_reset(f.in);
    for (int col = 0; col < N_TYPES; col++) {
        Value v = value_at(col, 5, NULLS_NONE, buf);
        assert_int_equal(vector_set_constant(&f.in->cols[col], &v, &err), BS_OK);
    }
    f.in->sel = sel;
    f.in->n_rows = n;
    encode_one(f.enc, f.in, &f.page);
    decode_ok(f.dec, &f.page, all_types(), N_TYPES, f.out);
    for (int col = 0; col < N_TYPES; col++) {
        assert_int_equal(f.out->cols[col].kind, VEC_CONSTANT);
        Value got = chunk_value(f.out, col, n - 1), want = value_at(col, 5, NULLS_NONE, buf);
        assert_same_value(&got, &want, n - 1, col);
    }
    fixture_teardown(&f);
}

static void test_zero_rows_and_columns(void **state)
{
    (void)state;
    Fixture f;
    Error err = ERROR_INIT;
    fixture_setup(&f, 3, 0, 100);
    fill_chunk(f.in, 0, 0, NULLS_NONE);
    encode_one(f.enc, f.in, &f.page);
    assert_int_equal(f.page.len, PAGE_HEADER_SIZE + N_TYPES * PAGE_COLUMN_MIN_SIZE);
    fill_chunk(f.out, 0, BS_MIN(BASALT_VECTOR_SIZE, 3), NULLS_SOME); /* the decoder resets it */
    decode_ok(f.dec, &f.page, all_types(), N_TYPES, f.out);
    assert_int_equal(f.out->n_rows, 0);

    /* A chunk without columns still carries its row count (count(*) over a projection). */
    Chunk *none_in = chunk_create(f.arena, all_types(), 0, &err);
    Chunk *none_out = chunk_create(f.arena, all_types(), 0, &err);
    assert_non_null(none_in);
    none_in->n_rows = BASALT_VECTOR_SIZE;
    encode_one(f.enc, none_in, &f.page);
    assert_int_equal(f.page.len, PAGE_HEADER_SIZE);
    decode_ok(f.dec, &f.page, all_types(), 0, none_out);
    assert_int_equal(none_out->n_rows, BASALT_VECTOR_SIZE);
    fixture_teardown(&f);
}

/* Compression is used where it pays and only there. */
static void test_compression_thresholds(void **state)
{
    (void)state;
    Error err = ERROR_INIT;
    LogicalType type = type_make(TYPE_VARCHAR);
    Arena *arena = arena_create(NULL, NULL, 0);
    Chunk *in = chunk_create(arena, &type, 1, &err);
    Chunk *out = chunk_create(arena, &type, 1, &err);
    PageDecoder *dec = new_decoder();
    Buffer page;
    buffer_init(&page);
    enum { LONG = 20000 };
    idx_t n = BS_MIN(BASALT_VECTOR_SIZE, 2);
    char *text = malloc(n * LONG);
    uint64_t rng = 42;
    for (int incompressible = 0; incompressible < 2; incompressible++) {
        /* Random bytes differ from row to row, or the second row would repeat the first. */
        for (size_t k = 0; k < n * LONG; k++) {
            rng = rng * UINT64_C(6364136223846793005) + 1442695040888963407u;
            text[k] = incompressible ? (char)(rng >> 56) : (char)('x' + k % 3);
        }
        chunk_reset(in);
        for (idx_t row = 0; row < n; row++) {
            Value v = value_varchar(text + row * LONG, LONG);
            assert_int_equal(vector_set_value(&in->cols[0], row, &v, &err), BS_OK);
        }
        in->n_rows = n;
        uint32_t raw = (uint32_t)(n * (4 + LONG));
        struct {
            int level;
            uint32_t min_bytes, max_percent;
            bool compressed;
        } cases[] = {
            {0, 0, 100, false},
            {1, 0, 90, !incompressible},
            {3, raw, 90, !incompressible}, /* exactly the minimum */
            {3, raw + 1, 90, false},       /* one byte short of it */
            {-5, 0, 90, !incompressible},  /* zstd's fast levels */
            {1, 0, 100, !incompressible},
        };
        for (size_t c = 0; c < BS_ARRAY_LEN(cases); c++) {
            PageEncoder *enc =
                new_encoder(cases[c].level, cases[c].min_bytes, cases[c].max_percent);
            encode_one(enc, in, &page);
            page_encoder_destroy(enc);
            ColInfo ci = column_info(&page, 0);
            assert_int_equal(ci.raw_len, raw);
            assert_int_equal(ci.compression, cases[c].compressed ? PAGE_COMP_ZSTD : PAGE_COMP_NONE);
            if (cases[c].compressed)
                assert_true(ci.stored_len * 10 < raw);
            else
                assert_int_equal(ci.stored_len, raw);
            decode_ok(dec, &page, &type, 1, out);
            for (idx_t row = 0; row < n; row++) {
                Value got = chunk_value(out, 0, row);
                assert_int_equal(got.u.str.len, LONG);
                assert_memory_equal(got.u.str.data, text + row * LONG, LONG);
            }
        }
    }
    free(text);
    buffer_free(&page);
    page_decoder_destroy(dec);
    arena_destroy(arena);
}

/* Equal data gives equal bytes: whatever NULL rows hold, and booleans other than 0/1. */
static void test_canonical_bytes(void **state)
{
    (void)state;
    Error err = ERROR_INIT;
    LogicalType types[3] = {type_make(TYPE_BIGINT), type_make(TYPE_BOOLEAN),
                            type_make(TYPE_VARCHAR)};
    Arena *arena = arena_create(NULL, NULL, 0);
    PageEncoder *enc = new_encoder(0, 0, 100);
    Buffer pages[2];
    idx_t n = BS_MIN(BASALT_VECTOR_SIZE, 20);
    for (int variant = 0; variant < 2; variant++) {
        Chunk *in = chunk_create(arena, types, 3, &err);
        int64_t *longs = in->cols[0].data;
        uint8_t *bools = in->cols[1].data;
        StringView *strs = in->cols[2].data;
        for (idx_t row = 0; row < n; row++) {
            bool is_null = row % 2 == 1;
            longs[row] = is_null && variant ? -12345 : (int64_t)row;
            bools[row] = (uint8_t)(row % 3 == 0 ? 0 : variant ? 7 : 1);
            strs[row] = sv_make("0123456789abcdef", is_null && variant ? 16 : (uint32_t)(row % 3));
            if (is_null)
                for (int col = 0; col < 3; col++)
                    assert_int_equal(vector_set_null(&in->cols[col], row, &err), BS_OK);
        }
        in->n_rows = n;
        buffer_init(&pages[variant]);
        encode_one(enc, in, &pages[variant]);
    }
    assert_int_equal(pages[0].len, pages[1].len);
    assert_memory_equal(pages[0].data, pages[1].data, pages[0].len);
    buffer_free(&pages[0]);
    buffer_free(&pages[1]);
    page_encoder_destroy(enc);
    arena_destroy(arena);
}

static void test_options(void **state)
{
    (void)state;
    Error err = ERROR_INIT;
    PageEncoder *enc;
    PageOptions opts;
    page_default_options(&opts);
    assert_int_equal(opts.zstd_level, 1);
    opts.zstd_level = 1000;
    assert_int_equal(page_encoder_create(&opts, NULL, &enc, &err), BS_ERROR);
    assert_string_equal(err.sqlstate, "22023");
    assert_null(enc);
    error_clear(&err);
    page_default_options(&opts);
    opts.compress_max_percent = 0;
    assert_int_equal(page_encoder_create(&opts, NULL, &enc, &err), BS_ERROR);
    assert_string_equal(err.sqlstate, "22023");
    error_clear(&err);
    assert_int_equal(page_encoder_create(NULL, NULL, &enc, &err), BS_OK);
    page_encoder_destroy(enc);
    page_encoder_destroy(NULL);
    page_decoder_destroy(NULL);
}

/* Several pages in one buffer, framed by page_peek. */
static void test_peek_and_framing(void **state)
{
    (void)state;
    Error err = ERROR_INIT;
    Arena *arena = arena_create(NULL, NULL, 0);
    Chunk *in = chunk_create(arena, all_types(), N_TYPES, &err);
    Chunk *out = chunk_create(arena, all_types(), N_TYPES, &err);
    PageEncoder *enc = new_encoder(1, 256, 90);
    PageDecoder *dec = new_decoder();
    Buffer stream;
    buffer_init(&stream);
    buffer_put_bytes(&stream, "prefix", 6);
    const int n_pages = 5;
    for (int k = 0; k < n_pages; k++) {
        fill_chunk(in, (uint64_t)k * 100, BS_MIN(BASALT_VECTOR_SIZE, 10 + k * 7), NULLS_SOME);
        size_t before = stream.len;
        assert_int_equal(page_encode(enc, in, &stream, &err), BS_OK);
        assert_true(stream.len > before);
    }
    assert_memory_equal(stream.data, "prefix", 6);
    size_t pos = 6;
    for (int k = 0; k < n_pages; k++) {
        PageInfo info;
        assert_int_equal(page_peek(stream.data + pos, PAGE_HEADER_SIZE, &info, &err), BS_OK);
        assert_int_equal(info.n_rows, BS_MIN(BASALT_VECTOR_SIZE, 10 + k * 7));
        assert_int_equal(info.n_cols, N_TYPES);
        assert_true(pos + info.page_len <= stream.len);
        /* One byte more or less than the page is not a page. */
        assert_int_equal(
            decode_copy(dec, stream.data + pos, info.page_len - 1, all_types(), N_TYPES, out, &err),
            BS_ERROR);
        assert_string_equal(err.sqlstate, "XX001");
        error_clear(&err);
        if (k < n_pages - 1) {
            assert_int_equal(decode_copy(dec, stream.data + pos, info.page_len + 1, all_types(),
                                         N_TYPES, out, &err),
                             BS_ERROR);
            assert_string_equal(err.sqlstate, "XX001");
            error_clear(&err);
        }
        assert_int_equal(
            decode_copy(dec, stream.data + pos, info.page_len, all_types(), N_TYPES, out, &err),
            BS_OK);
        assert_rows(out, (uint64_t)k * 100, NULLS_SOME);
        pos += info.page_len;
    }
    assert_int_equal(pos, stream.len);
    PageInfo info;
    assert_int_equal(page_peek(stream.data + 6, PAGE_HEADER_SIZE - 1, &info, &err), BS_ERROR);
    assert_string_equal(err.sqlstate, "XX001");
    error_clear(&err);
    buffer_free(&stream);
    page_encoder_destroy(enc);
    page_decoder_destroy(dec);
    arena_destroy(arena);
}

/* A page decodes only as the types it holds; a chunk of other types is the caller's bug. */
static void test_type_mismatch(void **state)
{
    (void)state;
    Error err = ERROR_INIT;
    LogicalType two[2] = {type_make(TYPE_INTEGER), type_decimal(15, 2)};
    Arena *arena = arena_create(NULL, NULL, 0);
    Chunk *in = chunk_create(arena, two, 2, &err);
    Value a = value_integer(5), b = value_decimal(12345, 15, 2);
    assert_int_equal(vector_set_value(&in->cols[0], 0, &a, &err), BS_OK);
    assert_int_equal(vector_set_value(&in->cols[1], 0, &b, &err), BS_OK);
    in->n_rows = 1;
    PageEncoder *enc = new_encoder(0, 0, 100);
    PageDecoder *dec = new_decoder();
    Buffer page;
    buffer_init(&page);
    encode_one(enc, in, &page);
    struct {
        LogicalType types[2];
        int n_cols;
        const char *message;
    } cases[] = {
        {{type_make(TYPE_BIGINT), type_decimal(15, 2)},
         2,
         "page is damaged: column 1 holds INTEGER where BIGINT was expected"},
        {{type_make(TYPE_INTEGER), type_decimal(15, 3)},
         2,
         "page is damaged: column 2 holds DECIMAL(15,2) where DECIMAL(15,3) was expected"},
        {{type_make(TYPE_INTEGER), type_decimal(18, 2)},
         2,
         "page is damaged: column 2 holds DECIMAL(15,2) where DECIMAL(18,2) was expected"},
        {{type_make(TYPE_INTEGER), type_make(TYPE_VARCHAR)},
         2,
         "page is damaged: column 2 holds DECIMAL(15,2) where VARCHAR was expected"},
        {{type_make(TYPE_INTEGER)}, 1, "page is damaged: 2 columns where 1 were expected"},
    };
    for (size_t k = 0; k < BS_ARRAY_LEN(cases); k++) {
        Chunk *out = chunk_create(arena, cases[k].types, cases[k].n_cols, &err);
        assert_int_equal(
            decode_copy(dec, page.data, page.len, cases[k].types, cases[k].n_cols, out, &err),
            BS_ERROR);
        assert_string_equal(err.sqlstate, "XX001");
        assert_string_equal(err.message, cases[k].message);
        assert_int_equal(out->n_rows, 0);
        error_clear(&err);
    }
    /* The chunk does not have the types the caller expects. */
    Chunk *wrong = chunk_create(arena, all_types(), 2, &err);
    assert_int_equal(decode_copy(dec, page.data, page.len, two, 2, wrong, &err), BS_ERROR);
    assert_string_equal(err.sqlstate, "XX000");
    error_clear(&err);
    buffer_free(&page);
    page_encoder_destroy(enc);
    page_decoder_destroy(dec);
    arena_destroy(arena);
}

/* ---- damaged pages -------------------------------------------------------------------- */

/* A page of every vector kind and type with NULLs: flat, then a constant, then dictionaries. */
static void mixed_page(int level, idx_t n_rows, Buffer *page, Arena *arena)
{
    Error err = ERROR_INIT;
    Chunk *in = chunk_create(arena, all_types(), N_TYPES, &err);
    fill_chunk(in, 3, n_rows, NULLS_SOME);
    char buf[256];
    Value constant = value_at(3, 0, NULLS_NONE, buf);
    assert_int_equal(vector_set_constant(&in->cols[3], &constant, &err), BS_OK);
    Vector *child = arena_alloc(arena, sizeof *child);
    sel_t *idx = arena_alloc(arena, sizeof(sel_t) * BASALT_VECTOR_SIZE);
    assert_int_equal(vector_init(child, all_types()[COL_VARCHAR], arena, arena, &err), BS_OK);
    vector_copy(&in->cols[COL_VARCHAR], NULL, n_rows, child, 0, &err);
    for (idx_t row = 0; row < n_rows; row++)
        idx[row] = (sel_t)((row * 3) % BS_MAX(1, n_rows / 4));
    Vector *v = &in->cols[COL_VARCHAR];
    v->kind = VEC_DICTIONARY;
    v->data = idx;
    v->validity = NULL;
    v->child = child;
    PageEncoder *enc = new_encoder(level, 64, 95);
    encode_one(enc, in, page);
    page_encoder_destroy(enc);
}

/* Reads every value of every row of a decoded chunk (the sanitizer watches). */
static uint64_t touch_chunk(const Chunk *chunk)
{
    uint64_t sum = 0;
    for (int col = 0; col < chunk->n_cols; col++)
        for (idx_t row = 0; row < chunk->n_rows; row++) {
            Value v = chunk_value(chunk, col, row);
            if (v.is_null) continue;
            if (type_physical(v.type) == PHYS_STRING)
                for (uint32_t k = 0; k < v.u.str.len; k++)
                    sum += (uint8_t)v.u.str.data[k];
            else
                sum += (uint64_t)v.u.i64;
        }
    return sum;
}

static void expect_damaged(PageDecoder *dec, const uint8_t *data, size_t len, Chunk *out)
{
    Error err = ERROR_INIT;
    if (decode_copy(dec, data, len, all_types(), N_TYPES, out, &err) == BS_OK)
        fail_msg("a damaged page of %zu bytes decoded", len);
    assert_string_equal(err.sqlstate, "XX001");
    assert_true(strncmp(err.message, "page is damaged: ", 17) == 0);
    assert_int_equal(out->n_rows, 0);
    error_clear(&err);
}

/* Every prefix of a page fails, also when its header is rewritten to claim that length. */
static void test_truncation(void **state)
{
    (void)state;
    Fixture f;
    fixture_setup(&f, 0, 0, 100);
    for (int level = 0; level <= 3; level += 3) {
        mixed_page(level, BS_MIN(BASALT_VECTOR_SIZE, 100), &f.page, f.arena);
        decode_ok(f.dec, &f.page, all_types(), N_TYPES, f.out);
        uint8_t *cut = malloc(f.page.len);
        for (size_t len = 0; len < f.page.len; len++) {
            expect_damaged(f.dec, f.page.data, len, f.out);
            if (len < PAGE_HEADER_SIZE) continue;
            memcpy(cut, f.page.data, len);
            store_u64le(cut + PAGE_OFF_LEN, len);
            page_reseal(cut, len);
            expect_damaged(f.dec, cut, len, f.out);
        }
        free(cut);
    }
    fixture_teardown(&f);
}

static uint64_t xorshift(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *state = x;
}

/* Changes 1 to 3 bytes of copy (len bytes): a flipped bit, a random byte or one more. */
static void mutate(uint8_t *copy, size_t len, uint64_t *rng)
{
    int n_changes = 1 + (int)(xorshift(rng) % 3);
    for (int k = 0; k < n_changes; k++) {
        size_t pos = (size_t)(xorshift(rng) % len);
        switch (xorshift(rng) % 3) {
        case 0:
            copy[pos] ^= (uint8_t)(1u << (xorshift(rng) % 8));
            break;
        case 1:
            copy[pos] = (uint8_t)xorshift(rng);
            break;
        default:
            copy[pos]++;
            break;
        }
    }
}

/* Every byte of a page is under a checksum: any change is caught. */
static void test_random_corruption(void **state)
{
    (void)state;
    Fixture f;
    fixture_setup(&f, 0, 0, 100);
    uint64_t rng = 0x9e3779b97f4a7c15u;
    for (int level = 0; level <= 1; level++) {
        mixed_page(level, BS_MIN(BASALT_VECTOR_SIZE, 300), &f.page, f.arena);
        uint8_t *copy = malloc(f.page.len);
        int rejected = 0;
        for (int round = 0; round < 3000; round++) {
            memcpy(copy, f.page.data, f.page.len);
            mutate(copy, f.page.len, &rng);
            if (memcmp(copy, f.page.data, f.page.len) == 0) continue; /* changes undid each other */
            expect_damaged(f.dec, copy, f.page.len, f.out);
            rejected++;
        }
        assert_true(rejected > 2900);
        free(copy);
    }
    fixture_teardown(&f);
}

/*
 * Mutations behind valid checksums reach every check after them: the page is rejected
 * with XX001 or decodes to a chunk whose every value can be read.
 */
static void test_resealed_corruption(void **state)
{
    (void)state;
    Fixture f;
    Error err = ERROR_INIT;
    fixture_setup(&f, 0, 0, 100);
    uint64_t rng = 12345;
    for (int level = 0; level <= 1; level++) {
        for (int size = 0; size < 2; size++) {
            mixed_page(level, size ? BS_MIN(BASALT_VECTOR_SIZE, 64) : 1, &f.page, f.arena);
            uint8_t *copy = malloc(f.page.len);
            int rejected = 0, accepted = 0;
            for (int round = 0; round < 4000; round++) {
                memcpy(copy, f.page.data, f.page.len);
                mutate(copy, f.page.len, &rng);
                page_reseal(copy, f.page.len);
                Status st = decode_copy(f.dec, copy, f.page.len, all_types(), N_TYPES, f.out, &err);
                if (st == BS_OK) {
                    assert_true(f.out->n_rows <= BASALT_VECTOR_SIZE);
                    touch_chunk(f.out);
                    assert_views_valid(f.out, COL_VARCHAR);
                    accepted++;
                } else {
                    if (strcmp(err.sqlstate, "XX001") != 0)
                        fail_msg("round %d: %s %s", round, err.sqlstate, err.message);
                    rejected++;
                }
                error_clear(&err);
            }
            assert_true(rejected > 400);
            assert_true(accepted > 0); /* changed values are still values */
            free(copy);
        }
    }
    fixture_teardown(&f);
}

/* Specific defects behind valid checksums, each with its message. */
static void test_targeted_damage(void **state)
{
    (void)state;
    Error err = ERROR_INIT;
    LogicalType types[2] = {type_make(TYPE_BIGINT), type_make(TYPE_VARCHAR)};
    Arena *arena = arena_create(NULL, NULL, 0);
    Chunk *in = chunk_create(arena, types, 2, &err);
    Chunk *out = chunk_create(arena, types, 2, &err);
    idx_t n = BS_MIN(BASALT_VECTOR_SIZE, 4);
    for (idx_t row = 0; row < n; row++) {
        Value a = value_bigint(7), b = value_varchar("a long string, stored out of line", 33);
        assert_int_equal(vector_set_value(&in->cols[0], row, &a, &err), BS_OK);
        assert_int_equal(vector_set_value(&in->cols[1], row, &b, &err), BS_OK);
    }
    in->n_rows = n;
    PageEncoder *enc = new_encoder(0, 0, 100);
    PageDecoder *dec = new_decoder();
    Buffer page;
    buffer_init(&page);
    encode_one(enc, in, &page);
    size_t col0 = PAGE_HEADER_SIZE, col1 = col0 + PAGE_COLUMN_MIN_SIZE + 8 * n;
    assert_int_equal(page.data[col1 + PAGE_COFF_ENCODING], PAGE_ENC_PLAIN);
    uint8_t *copy = malloc(page.len);
    struct {
        size_t offset;
        int width;
        uint64_t value;
        const char *message;
    } cases[] = {
        {0, 1, 'X', "page is damaged: bad magic"},
        {4, 1, 2, "page is damaged: unknown version 2"},
        {5, 1, 1, "page is damaged: bad header flags"},
        {PAGE_OFF_N_ROWS, 4, BASALT_VECTOR_SIZE + 1, "rows, more than a vector holds"},
        {PAGE_OFF_N_COLS, 4, 1000000, "cannot hold 1000000 columns"},
        {PAGE_OFF_LEN, 8, 10, "page is damaged: length 10 cannot hold 2 columns"},
        {col0, 1, TYPE_TIMESTAMP,
         "page is damaged: column 1 holds TIMESTAMP where BIGINT was expected"},
        {col0, 1, 200, "page is damaged: column 1: bad type"},
        {col0 + 1, 1, 3, "page is damaged: column 1: bad type"},
        {col0 + PAGE_COFF_ENCODING, 1, 9, "page is damaged: column 1: bad column header"},
        {col0 + PAGE_COFF_COMPRESSION, 1, 2, "page is damaged: column 1: bad column header"},
        {col0 + PAGE_COFF_FLAGS, 1, 2, "page is damaged: column 1: bad column header"},
        {col0 + 6, 1, 1, "page is damaged: column 1: bad column header"},
        {col0 + PAGE_COFF_ENCODING, 1, PAGE_ENC_CONSTANT,
         "page is damaged: column 1: bad value count"},
        {col0 + PAGE_COFF_N_VALUES, 4, n + 1, "page is damaged: column 1: bad value count"},
        {col0 + PAGE_COFF_RAW_LEN, 4, 8 * n + 1, "page is damaged: column 1: bad data size"},
        {col0 + PAGE_COFF_FLAGS, 1, PAGE_FLAG_VALIDITY, "page is damaged: column 1: bad data size"},
        {col0 + PAGE_COFF_COMPRESSION, 1, PAGE_COMP_ZSTD,
         "page is damaged: column 1: bad compressed frame"},
        {col0 + PAGE_COFF_STORED_LEN, 4, 1000000, "page is damaged: column 1 is cut short"},
        {col0 + PAGE_COFF_STORED_LEN, 4, 8 * n - 1, "page is damaged: column 1: bad data size"},
        {col1 + PAGE_CHEADER_SIZE, 4, 34,
         "page is damaged: column 2: string lengths do not match the data size"},
        {col1 + PAGE_CHEADER_SIZE, 4, 0,
         "page is damaged: column 2: string lengths do not match the data size"},
    };
    for (size_t k = 0; k < BS_ARRAY_LEN(cases); k++) {
        memcpy(copy, page.data, page.len);
        for (int b = 0; b < cases[k].width; b++)
            copy[cases[k].offset + (size_t)b] = (uint8_t)(cases[k].value >> (8 * b));
        page_reseal(copy, page.len);
        Status st = decode_copy(dec, copy, page.len, types, 2, out, &err);
        if (st == BS_OK) fail_msg("case %zu decoded", k);
        assert_string_equal(err.sqlstate, "XX001");
        if (cases[k].message && !strstr(err.message, cases[k].message))
            fail_msg("case %zu: %s", k, err.message);
        error_clear(&err);
    }
    /* Bytes after the last column, counted in the page's length. */
    uint8_t *longer = malloc(page.len + 5);
    memcpy(longer, page.data, page.len);
    memset(longer + page.len, 0, 5);
    store_u64le(longer + PAGE_OFF_LEN, page.len + 5);
    page_reseal(longer, page.len + 5);
    assert_int_equal(decode_copy(dec, longer, page.len + 5, types, 2, out, &err), BS_ERROR);
    assert_string_equal(err.message, "page is damaged: 5 bytes after the last column");
    error_clear(&err);
    free(longer);
    /* A checksum that does not match names the column. */
    memcpy(copy, page.data, page.len);
    copy[col1 + PAGE_CHEADER_SIZE + 4 * n] ^= 1;
    assert_int_equal(decode_copy(dec, copy, page.len, types, 2, out, &err), BS_ERROR);
    assert_string_equal(err.message, "page is damaged: column 2: checksum mismatch");
    error_clear(&err);
    copy[col1 + PAGE_CHEADER_SIZE + 4 * n] ^= 1;
    copy[PAGE_OFF_N_ROWS] ^= 1;
    assert_int_equal(decode_copy(dec, copy, page.len, types, 2, out, &err), BS_ERROR);
    assert_string_equal(err.message, "page is damaged: header checksum mismatch");
    error_clear(&err);
    free(copy);
    buffer_free(&page);

    /* A dictionary index out of range, a zstd frame claiming more than it can hold. */
    if (BASALT_VECTOR_SIZE >= 4) {
        sel_t idx[BASALT_VECTOR_SIZE] = {0};
        Vector child = in->cols[1];
        in->cols[1].kind = VEC_DICTIONARY;
        in->cols[1].data = idx;
        in->cols[1].child = &child;
        encode_one(enc, in, &page);
        assert_int_equal(page.data[col1 + PAGE_COFF_ENCODING], PAGE_ENC_DICTIONARY);
        assert_int_equal(load_u32le(page.data + col1 + PAGE_COFF_N_VALUES), 1);
        page.data[col1 + PAGE_CHEADER_SIZE + 2] = 1; /* the third row's index */
        page_reseal(page.data, page.len);
        assert_int_equal(decode_copy(dec, page.data, page.len, types, 2, out, &err), BS_ERROR);
        assert_string_equal(err.message,
                            "page is damaged: column 2: dictionary index 1 out of 1 values");
        error_clear(&err);
    }
    page_encoder_destroy(enc);
    enc = new_encoder(3, 0, 100);
    Chunk *big = chunk_create(arena, types, 2, &err);
    for (idx_t row = 0; row < n; row++) {
        char text[3000];
        memset(text, 'q', sizeof text);
        Value a = value_bigint(0), b = value_varchar(text, sizeof text);
        assert_int_equal(vector_set_value(&big->cols[0], row, &a, &err), BS_OK);
        assert_int_equal(vector_set_value(&big->cols[1], row, &b, &err), BS_OK);
    }
    big->n_rows = n;
    encode_one(enc, big, &page);
    size_t big_col1 =
        col0 + PAGE_COLUMN_MIN_SIZE + load_u32le(page.data + col0 + PAGE_COFF_STORED_LEN);
    assert_int_equal(page.data[big_col1 + PAGE_COFF_COMPRESSION], PAGE_COMP_ZSTD);
    uint32_t stored = load_u32le(page.data + big_col1 + PAGE_COFF_STORED_LEN);
    store_u32le(page.data + big_col1 + PAGE_COFF_RAW_LEN, stored * PAGE_ZSTD_MAX_EXPANSION + 1);
    page_reseal(page.data, page.len);
    assert_int_equal(decode_copy(dec, page.data, page.len, types, 2, out, &err), BS_ERROR);
    assert_true(strstr(err.message, "cannot hold") != NULL);
    error_clear(&err);
    /* The frame's own content size disagrees. */
    store_u32le(page.data + big_col1 + PAGE_COFF_RAW_LEN, (uint32_t)(n * 3004 + 1));
    page_reseal(page.data, page.len);
    assert_int_equal(decode_copy(dec, page.data, page.len, types, 2, out, &err), BS_ERROR);
    assert_string_equal(err.message, "page is damaged: column 2: bad compressed frame");
    error_clear(&err);
    buffer_free(&page);
    page_encoder_destroy(enc);
    page_decoder_destroy(dec);
    arena_destroy(arena);
}

/* Empty input, zeros, random bytes and headers followed by junk all fail cleanly. */
static void test_garbage(void **state)
{
    (void)state;
    Error err = ERROR_INIT;
    Arena *arena = arena_create(NULL, NULL, 0);
    Chunk *out = chunk_create(arena, all_types(), N_TYPES, &err);
    PageDecoder *dec = new_decoder();
    uint8_t junk[4096];
    uint64_t rng = 777;
    expect_damaged(dec, junk, 0, out);
    memset(junk, 0, sizeof junk);
    expect_damaged(dec, junk, sizeof junk, out);
    memset(junk, 0xff, sizeof junk);
    expect_damaged(dec, junk, sizeof junk, out);
    for (int round = 0; round < 2000; round++) {
        size_t len = (size_t)(xorshift(&rng) % sizeof junk);
        for (size_t k = 0; k < len; k++)
            junk[k] = (uint8_t)xorshift(&rng);
        if (round % 2 && len >= PAGE_HEADER_SIZE) {
            /* A valid header over junk columns. */
            memcpy(junk, PAGE_MAGIC, PAGE_MAGIC_LEN);
            junk[4] = PAGE_VERSION;
            junk[5] = junk[6] = junk[7] = 0;
            store_u32le(junk + PAGE_OFF_N_ROWS,
                        (uint32_t)(xorshift(&rng) % (BASALT_VECTOR_SIZE + 1)));
            store_u32le(junk + PAGE_OFF_N_COLS, N_TYPES);
            store_u64le(junk + PAGE_OFF_LEN, len);
            store_u64le(junk + PAGE_OFF_CHECKSUM, checksum64(junk, PAGE_OFF_CHECKSUM));
            if (round % 4 == 1) page_reseal(junk, len);
        }
        expect_damaged(dec, junk, len, out);
        PageInfo info;
        if (page_peek(junk, len, &info, &err) == BS_OK) assert_int_equal(info.page_len, len);
        error_clear(&err);
    }
    page_decoder_destroy(dec);
    arena_destroy(arena);
}

/* ---- errors and memory ----------------------------------------------------------------- */

/* A failed encode leaves the buffer as it was; a type pages cannot carry is refused. */
static void test_encode_errors(void **state)
{
    (void)state;
    Error err = ERROR_INIT;
    Arena *arena = arena_create(NULL, NULL, 0);
    Chunk *in = chunk_create(arena, all_types(), N_TYPES, &err);
    fill_chunk(in, 0, BS_MIN(BASALT_VECTOR_SIZE, 10), NULLS_SOME);
    in->cols[6].type = type_make(TYPE_NULL);
    PageEncoder *enc = new_encoder(1, 0, 100);
    Buffer page;
    buffer_init(&page);
    buffer_put_bytes(&page, "abc", 3);
    assert_int_equal(page_encode(enc, in, &page, &err), BS_ERROR);
    assert_string_equal(err.sqlstate, "0A000");
    assert_int_equal(page.len, 3);
    error_clear(&err);
    in->cols[6].type = all_types()[6];

    /* Scratch memory over the tracker's limit fails the encode, not the process. */
    MemTracker tracker;
    memtracker_init(&tracker, NULL, "pages", 1024);
    PageOptions opts = {3, 0, 100};
    PageEncoder *tight;
    assert_int_equal(page_encoder_create(&opts, &tracker, &tight, &err), BS_OK);
    if (BASALT_VECTOR_SIZE >= 256) {
        fill_chunk(in, 0, BASALT_VECTOR_SIZE, NULLS_NONE);
        assert_int_equal(page_encode(tight, in, &page, &err), BS_ERROR);
        assert_string_equal(err.sqlstate, "53200");
        assert_int_equal(page.len, 3);
        error_clear(&err);
    }
    page_encoder_destroy(tight);
    assert_int_equal(memtracker_used(&tracker), 0);
    assert_int_equal(page_encode(enc, in, &page, &err), BS_OK);
    assert_memory_equal(page.data, "abc", 3);

    /* The decoder's scratch is charged while it lives. */
    PageDecoder *dec;
    memtracker_init(&tracker, NULL, "pages", 0);
    assert_int_equal(page_decoder_create(&tracker, &dec, &err), BS_OK);
    Chunk *out = chunk_create(arena, all_types(), N_TYPES, &err);
    assert_int_equal(page_decode(dec, page.data + 3, page.len - 3, all_types(), N_TYPES, out, &err),
                     BS_OK);
    if (BASALT_VECTOR_SIZE >= 256) assert_true(memtracker_used(&tracker) > 0);
    page_decoder_destroy(dec);
    assert_int_equal(memtracker_used(&tracker), 0);
    buffer_free(&page);
    page_encoder_destroy(enc);
    arena_destroy(arena);
}

/* Allocation failures anywhere in encoding and decoding are clean 53200 errors. */
static void test_fault_injection(void **state)
{
    (void)state;
    int failures = 0;
    for (long countdown = 0; countdown < 2000; countdown++) {
        Error err = ERROR_INIT;
        Arena *arena = arena_create(NULL, NULL, 0);
        Buffer page;
        buffer_init(&page);
        mixed_page(0, BS_MIN(BASALT_VECTOR_SIZE, 200), &page, arena);
        Chunk *out = chunk_create(arena, all_types(), N_TYPES, &err);
        Chunk *in = chunk_create(arena, all_types(), N_TYPES, &err);
        fill_chunk(in, 0, BS_MIN(BASALT_VECTOR_SIZE, 200), NULLS_SOME);
        Buffer again;
        buffer_init(&again);
        PageEncoder *enc = NULL;
        PageDecoder *dec = NULL;
        PageOptions opts = {1, 0, 100};
        bs_alloc_fail_after(countdown, 1);
        Status st = page_encoder_create(&opts, NULL, &enc, &err);
        if (st == BS_OK) st = page_encode(enc, in, &again, &err);
        if (st == BS_OK) st = page_decoder_create(NULL, &dec, &err);
        if (st == BS_OK)
            st = page_decode(dec, page.data, page.len, all_types(), N_TYPES, out, &err);
        if (st == BS_OK)
            st = page_decode(dec, again.data, again.len, all_types(), N_TYPES, out, &err);
        bool injected = bs_alloc_injected_failures() > 0;
        bs_alloc_fail_after(-1, 0);
        if (st != BS_OK) {
            failures++;
            assert_true(injected);
            if (strcmp(err.sqlstate, "53200") != 0)
                fail_msg("countdown %ld: %s %s", countdown, err.sqlstate, err.message);
        } else {
            assert_rows(out, 0, NULLS_SOME);
        }
        page_encoder_destroy(enc);
        page_decoder_destroy(dec);
        buffer_free(&page);
        buffer_free(&again);
        error_clear(&err);
        arena_destroy(arena);
        if (st == BS_OK && !injected) break;
    }
    assert_true(failures >= 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_uncompressed),
        cmocka_unit_test(test_roundtrip_compressed),
        cmocka_unit_test(test_odd_sizes),
        cmocka_unit_test(test_constant_vectors),
        cmocka_unit_test(test_dictionary_vectors),
        cmocka_unit_test(test_selection),
        cmocka_unit_test(test_zero_rows_and_columns),
        cmocka_unit_test(test_compression_thresholds),
        cmocka_unit_test(test_canonical_bytes),
        cmocka_unit_test(test_options),
        cmocka_unit_test(test_peek_and_framing),
        cmocka_unit_test(test_type_mismatch),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_random_corruption),
        cmocka_unit_test(test_resealed_corruption),
        cmocka_unit_test(test_targeted_damage),
        cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_encode_errors),
        cmocka_unit_test(test_fault_injection),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
