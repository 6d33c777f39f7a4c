/*
 * Unit tests: column files — write/read round trips of every type with NULLs across
 * row groups and blocks, any vector kind and chunk selections on the way in, zone maps
 * (per block, row group, file and in the writer's summary), scans that skip row groups
 * and blocks by zone maps, and damaged files (flipped bytes, truncation, zeros,
 * garbage, bad magic) that must fail cleanly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/alloc.h"
#include "common/buffer.h"
#include "common/hash.h"
#include "storage/storage.h"

#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define N_COLS 8

static char g_dir[256];

static const LogicalType *all_types(void)
{
    static LogicalType types[N_COLS];
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

static const char *const g_names[N_COLS] = {"b", "i", "l", "d", "dec", "s", "dt", "ts"};

static int setup(void **state)
{
    (void)state;
    snprintf(g_dir, sizeof g_dir, "/tmp/basalt_colfile_XXXXXX");
    assert_non_null(mkdtemp(g_dir));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", g_dir);
    assert_int_equal(system(cmd), 0);
    return 0;
}

static void path_of(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", g_dir, name);
}

/* The string of row `row`: 0..39 bytes, so both inline and pointer views occur. */
static uint32_t string_of(uint64_t row, char *buf)
{
    uint32_t len = (uint32_t)((row * 7) % 40);
    for (uint32_t k = 0; k < len; k++)
        buf[k] = (char)('a' + (row + k) % 26);
    return len;
}

/* The value of column col in row `row` of the generated data set (buf for strings). */
static Value expected(int col, uint64_t row, char *buf)
{
    const LogicalType *types = all_types();
    Value v = value_null(types[col]);
    switch (col) {
    case 0:
        if (row % 11 == 5) return v;
        return value_boolean(row % 3 == 0);
    case 1:
        if (row % 7 == 3) return v;
        return value_integer((int32_t)((row * 37) % 1000) - 500);
    case 2:
        return value_bigint((int64_t)row * 1000003 - INT64_C(5000000000));
    case 3:
        if (row % 13 == 0) return v;
        if (row == 17) return value_double(-0.0);
        if (row == 500) return value_double(NAN);
        return value_double((double)row * 0.5 - 100.0);
    case 4:
        if (row % 5 == 1) return v;
        return value_decimal((int64_t)row * 123 - 40000, 15, 2);
    case 5:
        if (row % 9 == 4) return v;
        return value_varchar(buf, string_of(row, buf));
    case 6:
        return value_date(10000 + (int32_t)row);
    case 7:
        if (row % 17 == 2) return v;
        return value_timestamp((int64_t)row * INT64_C(3600000000) + 12345);
    }
    return v;
}

static void assert_value_equal(const Value *got, const Value *want, uint64_t row, int col)
{
    if (got->is_null != want->is_null)
        fail_msg("row %llu col %d: NULL mismatch", (unsigned long long)row, col);
    if (got->is_null) return;
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
        if (isnan(want->u.f64)) {
            assert_true(isnan(got->u.f64));
        } else {
            assert_memory_equal(&got->u.f64, &want->u.f64, 8); /* -0.0 stays -0.0 */
        }
        break;
    case PHYS_STRING:
        assert_int_equal(got->u.str.len, want->u.str.len);
        if (want->u.str.len)
            assert_memory_equal(got->u.str.data, want->u.str.data, want->u.str.len);
        break;
    case PHYS_INTERVAL: /* column files do not store intervals */
    case PHYS_INVALID:
        fail();
    }
}

/* Fills flat chunk columns with rows [start, start+n) of the data set. */
static void fill_chunk(Chunk *chunk, uint64_t start, idx_t n)
{
    Error err = ERROR_INIT;
    chunk_reset(chunk);
    char buf[64];
    for (idx_t k = 0; k < n; k++)
        for (int col = 0; col < N_COLS; col++) {
            Value v = expected(col, start + k, buf);
            assert_int_equal(vector_set_value(&chunk->cols[col], k, &v, &err), BS_OK);
        }
    chunk->n_rows = n;
}

static void write_dataset(const char *path, uint64_t n_rows, const ColumnFileOptions *opts,
                          Arena *arena, FileSummary *summary)
{
    Error err = ERROR_INIT;
    ColumnFileWriter *w;
    assert_int_equal(
        colfile_writer_create(path, all_types(), g_names, N_COLS, opts, NULL, &w, &err), BS_OK);
    Chunk *chunk = chunk_create(arena, all_types(), N_COLS, &err);
    assert_non_null(chunk);
    for (uint64_t start = 0; start < n_rows; start += BASALT_VECTOR_SIZE) {
        idx_t n = BS_MIN((uint64_t)BASALT_VECTOR_SIZE, n_rows - start);
        fill_chunk(chunk, start, n);
        assert_int_equal(colfile_writer_append(w, chunk, &err), BS_OK);
    }
    assert_int_equal(colfile_writer_finish(w, arena, summary, &err), BS_OK);
    chunk_destroy(chunk);
}

/* Scans `columns` of the whole file and checks every row against the data set. */
static uint64_t scan_and_check(ColumnFileReader *r, const int *columns, int n_columns,
                               uint32_t first_rg, uint32_t n_rg, const ZoneFilter *filter,
                               uint64_t *rows_seen, uint64_t n_rows_seen_max, Arena *arena)
{
    Error err = ERROR_INIT;
    LogicalType types[N_COLS];
    for (int k = 0; k < n_columns; k++)
        types[k] = colfile_col_type(r, columns[k]);
    Chunk *chunk = chunk_create(arena, types, n_columns, &err);
    assert_non_null(chunk);
    ColumnScan *scan;
    assert_int_equal(colfile_scan_open(r, columns, n_columns, first_rg, n_rg, filter, &scan, &err),
                     BS_OK);
    /* Without column 2 rows cannot be identified; callers always include it first. */
    uint64_t total = 0;
    char buf[64];
    for (;;) {
        chunk_reset(chunk);
        assert_int_equal(colfile_scan_next(scan, chunk, &err), BS_OK);
        if (chunk->n_rows == 0) break;
        assert_true(chunk->n_rows <= BASALT_VECTOR_SIZE);
        for (idx_t k = 0; k < chunk->n_rows; k++) {
            Value id;
            vector_get_value(&chunk->cols[0], k, &id);
            assert_int_equal(columns[0], 2);
            uint64_t row = (uint64_t)((id.u.i64 + INT64_C(5000000000)) / 1000003);
            if (rows_seen && total < n_rows_seen_max) rows_seen[total] = row;
            for (int c = 1; c < n_columns; c++) {
                Value got, want = expected(columns[c], row, buf);
                vector_get_value(&chunk->cols[c], k, &got);
                assert_value_equal(&got, &want, row, columns[c]);
            }
            total++;
        }
    }
    colfile_scan_close(scan);
    chunk_destroy(chunk);
    return total;
}

static void roundtrip(int zstd_level, uint64_t n_rows, uint32_t rg_rows, uint32_t block_rows)
{
    char path[300];
    path_of(path, sizeof path, "roundtrip.bsc");
    unlink(path);
    Arena *arena = arena_create(NULL, NULL, 0);
    MemTracker tracker;
    memtracker_init(&tracker, NULL, "test", 0);
    ColumnFileOptions opts = {rg_rows, block_rows, zstd_level};
    FileSummary summary;
    write_dataset(path, n_rows, &opts, arena, &summary);
    assert_int_equal(summary.n_rows, n_rows);
    assert_int_equal(summary.n_cols, N_COLS);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(summary.n_bytes, (uint64_t)st.st_size);

    Error err = ERROR_INIT;
    ColumnFileReader *r;
    assert_int_equal(colfile_open(path, &tracker, &r, &err), BS_OK);
    assert_int_equal(colfile_n_rows(r), n_rows);
    assert_int_equal(colfile_n_cols(r), N_COLS);
    uint32_t expect_rgs = (uint32_t)((n_rows + rg_rows - 1) / rg_rows);
    assert_int_equal(colfile_n_row_groups(r), expect_rgs);
    for (uint32_t rg = 0; rg < expect_rgs; rg++)
        assert_int_equal(colfile_row_group_rows(r, rg),
                         BS_MIN(rg_rows, n_rows - (uint64_t)rg * rg_rows));
    for (int col = 0; col < N_COLS; col++) {
        assert_string_equal(colfile_col_name(r, col), g_names[col]);
        assert_true(type_equals(colfile_col_type(r, col), all_types()[col]));
    }
    int every[N_COLS] = {2, 0, 1, 3, 4, 5, 6, 7};
    assert_int_equal(scan_and_check(r, every, N_COLS, 0, expect_rgs, NULL, NULL, 0, arena), n_rows);
    int strings_only[2] = {2, 5};
    assert_int_equal(scan_and_check(r, strings_only, 2, 0, expect_rgs, NULL, NULL, 0, arena),
                     n_rows);
    assert_true(memtracker_used(&tracker) > 0);
    colfile_close(r);
    assert_int_equal(memtracker_used(&tracker), 0);
    arena_destroy(arena);
    unlink(path);
}

static void test_roundtrip_compressed(void **state)
{
    (void)state;
    roundtrip(3, 1000, 300, 64);
}

static void test_roundtrip_uncompressed(void **state)
{
    (void)state;
    roundtrip(0, 1000, 300, 64);
}

static void test_roundtrip_odd_sizes(void **state)
{
    (void)state;
    /* Blocks that do not start on a byte of the validity bitmap; one-row blocks. */
    roundtrip(1, 257, 100, 7);
    roundtrip(3, 40, 5, 1);
    /* Defaults: one row group, one block. */
    roundtrip(3, 5000, 131072, 65536);
}

static void test_empty_file(void **state)
{
    (void)state;
    char path[300];
    path_of(path, sizeof path, "empty.bsc");
    Arena *arena = arena_create(NULL, NULL, 0);
    FileSummary summary;
    write_dataset(path, 0, NULL, arena, &summary);
    assert_int_equal(summary.n_rows, 0);
    assert_int_equal(summary.zones[1].row_count, 0);
    assert_false(summary.zones[1].has_minmax);
    Error err = ERROR_INIT;
    ColumnFileReader *r;
    assert_int_equal(colfile_open(path, NULL, &r, &err), BS_OK);
    assert_int_equal(colfile_n_rows(r), 0);
    assert_int_equal(colfile_n_row_groups(r), 0);
    int cols[1] = {2};
    assert_int_equal(scan_and_check(r, cols, 1, 0, 0, NULL, NULL, 0, arena), 0);
    colfile_close(r);
    arena_destroy(arena);
    unlink(path);
}

/* Chunks with a selection vector and constant and dictionary vectors go in unchanged. */
static void test_vector_kinds_and_selection(void **state)
{
    (void)state;
    char path[300];
    path_of(path, sizeof path, "kinds.bsc");
    Error err = ERROR_INIT;
    Arena *arena = arena_create(NULL, NULL, 0);
    LogicalType types[3] = {type_make(TYPE_BIGINT), type_make(TYPE_VARCHAR),
                            type_make(TYPE_INTEGER)};
    const char *names[3] = {"id", "s", "k"};
    ColumnFileOptions opts = {10, 3, 3};
    ColumnFileWriter *w;
    assert_int_equal(colfile_writer_create(path, types, names, 3, &opts, NULL, &w, &err), BS_OK);
    Chunk *src = chunk_create(arena, types, 3, &err);
    Chunk *in = chunk_create(arena, types, 3, &err);
    assert_non_null(src);
    assert_non_null(in);
    idx_t n = BS_MIN(BASALT_VECTOR_SIZE, 8);
    const char *words[4] = {"alpha", "a considerably longer string", "", "zeta"};
    for (int round = 0; round < 6; round++) {
        chunk_reset(src);
        for (idx_t k = 0; k < n; k++) {
            Value id = value_bigint((int64_t)(round * 100 + (int)k));
            Value s = value_varchar(words[k % 4], (uint32_t)strlen(words[k % 4]));
            assert_int_equal(vector_set_value(&src->cols[0], k, &id, &err), BS_OK);
            assert_int_equal(vector_set_value(&src->cols[1], k, &s, &err), BS_OK);
        }
        assert_int_equal(vector_set_null(&src->cols[1], n - 1, &err), BS_OK);
        src->n_rows = n;
        chunk_reset(in);
        /* id: flat reference; s: dictionary reversed; k: constant (NULL on odd rounds). */
        vector_reference(&in->cols[0], &src->cols[0]);
        sel_t rev[BASALT_VECTOR_SIZE];
        for (idx_t k = 0; k < n; k++)
            rev[k] = (sel_t)(n - 1 - k);
        assert_int_equal(vector_slice(&in->cols[1], &src->cols[1], rev, n, &err), BS_OK);
        Value kv = round % 2 ? value_null(types[2]) : value_integer(round);
        assert_int_equal(vector_set_constant(&in->cols[2], &kv, &err), BS_OK);
        /* The chunk's selection keeps the even rows. */
        static sel_t even[BASALT_VECTOR_SIZE];
        idx_t n_sel = 0;
        for (idx_t k = 0; k < n; k += 2)
            even[n_sel++] = (sel_t)k;
        in->sel = even;
        in->n_rows = n_sel;
        assert_int_equal(colfile_writer_append(w, in, &err), BS_OK);
    }
    FileSummary summary;
    assert_int_equal(colfile_writer_finish(w, arena, &summary, &err), BS_OK);
    idx_t per_round = (n + 1) / 2;
    assert_int_equal(summary.n_rows, per_round * 6);

    ColumnFileReader *r;
    assert_int_equal(colfile_open(path, NULL, &r, &err), BS_OK);
    int cols[3] = {0, 1, 2};
    ColumnScan *scan;
    assert_int_equal(colfile_scan_open(r, cols, 3, 0, colfile_n_row_groups(r), NULL, &scan, &err),
                     BS_OK);
    Chunk *out = chunk_create(arena, types, 3, &err);
    uint64_t seen = 0;
    for (;;) {
        chunk_reset(out);
        assert_int_equal(colfile_scan_next(scan, out, &err), BS_OK);
        if (!out->n_rows) break;
        for (idx_t k = 0; k < out->n_rows; k++, seen++) {
            int round = (int)(seen / per_round);
            idx_t row = (seen % per_round) * 2; /* the source row in src */
            Value id, s, kv;
            vector_get_value(&out->cols[0], k, &id);
            vector_get_value(&out->cols[1], k, &s);
            vector_get_value(&out->cols[2], k, &kv);
            assert_int_equal(id.u.i64, round * 100 + (int)row);
            idx_t src_row = n - 1 - row;
            if (src_row == n - 1) {
                assert_true(s.is_null);
            } else {
                const char *want = words[src_row % 4];
                assert_false(s.is_null);
                assert_int_equal(s.u.str.len, strlen(want));
                assert_memory_equal(s.u.str.data, want, s.u.str.len);
            }
            if (round % 2) {
                assert_true(kv.is_null);
            } else {
                assert_false(kv.is_null);
                assert_int_equal(kv.u.i32, round);
            }
        }
    }
    assert_int_equal(seen, per_round * 6);
    colfile_scan_close(scan);
    colfile_close(r);
    arena_destroy(arena);
    unlink(path);
}

static void assert_zone_i64(const ZoneMap *zm, uint64_t rows, uint64_t nulls, int64_t min,
                            int64_t max)
{
    assert_int_equal(zm->row_count, rows);
    assert_int_equal(zm->null_count, nulls);
    assert_true(zm->has_minmax);
    assert_int_equal(zm->min.u.i64, min);
    assert_int_equal(zm->max.u.i64, max);
}

static void test_zone_maps(void **state)
{
    (void)state;
    char path[300];
    path_of(path, sizeof path, "zones.bsc");
    Arena *arena = arena_create(NULL, NULL, 0);
    ColumnFileOptions opts = {300, 64, 3};
    FileSummary summary;
    write_dataset(path, 1000, &opts, arena, &summary);
    Error err = ERROR_INIT;
    ColumnFileReader *r;
    assert_int_equal(colfile_open(path, NULL, &r, &err), BS_OK);

    /* BIGINT id: increasing, no NULLs. */
    const ZoneMap *zm = colfile_zone(r, 1, 2);
    assert_zone_i64(zm, 300, 0, 300 * 1000003LL - 5000000000LL, 599 * 1000003LL - 5000000000LL);
    assert_zone_i64(colfile_zone(r, -1, 2), 1000, 0, -5000000000LL, 999 * 1000003LL - 5000000000LL);
    assert_zone_i64(&summary.zones[2], 1000, 0, -5000000000LL, 999 * 1000003LL - 5000000000LL);

    /* INTEGER: NULL when row % 7 == 3; values (row*37)%1000-500 span [-500, 499]. */
    zm = colfile_zone(r, -1, 1);
    uint64_t nulls = 0;
    for (uint64_t row = 0; row < 1000; row++)
        nulls += row % 7 == 3;
    assert_int_equal(zm->null_count, nulls);
    assert_int_equal(zm->min.u.i32, -500);
    assert_int_equal(zm->max.u.i32, 499);
    assert_int_equal(summary.zones[1].null_count, nulls);

    /* DOUBLE with a NaN in row 500 (row group 1): max is NaN there, and in the file. */
    zm = colfile_zone(r, 1, 3);
    assert_true(isnan(zm->max.u.f64));
    assert_true(zm->min.u.f64 == 300 * 0.5 - 100.0 || zm->min.u.f64 == 301 * 0.5 - 100.0);
    zm = colfile_zone(r, 0, 3);
    assert_false(isnan(zm->max.u.f64));
    assert_true(zm->max.u.f64 == 298 * 0.5 - 100.0); /* row 299 is NULL */
    assert_true(zm->min.u.f64 == 1 * 0.5 - 100.0);   /* row 0 is NULL */
    assert_true(isnan(summary.zones[3].max.u.f64));

    /* DECIMAL: unscaled. Row 0 is fine (0 % 5 != 1). */
    zm = colfile_zone(r, -1, 4);
    assert_int_equal(zm->min.u.i64, -40000);
    assert_int_equal(zm->max.u.i64, 999 * 123 - 40000);
    assert_int_equal(zm->min.type.scale, 2);

    /* VARCHAR: the empty string (row 0) is the min; the max starts with 'z'. */
    zm = colfile_zone(r, -1, 5);
    assert_int_equal(zm->min.u.str.len, 0);
    assert_true(zm->max.u.str.len > 0 && zm->max.u.str.data[0] == 'z');
    /* BOOLEAN and DATE. */
    zm = colfile_zone(r, -1, 0);
    assert_int_equal(zm->min.u.b, false);
    assert_int_equal(zm->max.u.b, true);
    zm = colfile_zone(r, 2, 6);
    assert_int_equal(zm->min.u.i32, 10600);
    assert_int_equal(zm->max.u.i32, 10899);
    assert_null(colfile_zone(r, 4, 0));
    assert_null(colfile_zone(r, 0, N_COLS));
    colfile_close(r);
    arena_destroy(arena);
    unlink(path);
}

/* Long string bounds are cut: min stays a lower bound and max an upper bound. */
static void test_long_string_bounds(void **state)
{
    (void)state;
    char path[300];
    path_of(path, sizeof path, "long.bsc");
    Error err = ERROR_INIT;
    Arena *arena = arena_create(NULL, NULL, 0);
    LogicalType types[1] = {type_make(TYPE_VARCHAR)};
    const char *names[1] = {"s"};
    ColumnFileWriter *w;
    assert_int_equal(colfile_writer_create(path, types, names, 1, NULL, NULL, &w, &err), BS_OK);
    Chunk *chunk = chunk_create(arena, types, 1, &err);
    char lo[200], hi[200];
    memset(lo, 'b', sizeof lo);
    memset(hi, 'y', sizeof hi);
    hi[100] = (char)0xff; /* inside the cut: must stay an upper bound */
    memset(hi + 64, 0xff, 10);
    const char *vals[2] = {lo, hi};
    for (int k = 0; k < 2; k++) {
        chunk_reset(chunk);
        Value v = value_varchar(vals[k], 200);
        assert_int_equal(vector_set_value(&chunk->cols[0], 0, &v, &err), BS_OK);
        chunk->n_rows = 1;
        assert_int_equal(colfile_writer_append(w, chunk, &err), BS_OK);
    }
    FileSummary summary;
    assert_int_equal(colfile_writer_finish(w, arena, &summary, &err), BS_OK);
    ColumnFileReader *r;
    assert_int_equal(colfile_open(path, NULL, &r, &err), BS_OK);
    const ZoneMap *zones[2] = {colfile_zone(r, -1, 0), &summary.zones[0]};
    for (int k = 0; k < 2; k++) {
        const ZoneMap *zm = zones[k];
        assert_true(zm->min.u.str.len <= 64);
        assert_true(zm->max.u.str.len <= 64);
        Value vlo = value_varchar(lo, 200), vhi = value_varchar(hi, 200);
        assert_true(value_compare(&zm->min, &vlo) <= 0);
        assert_true(value_compare(&zm->max, &vhi) >= 0);
        /* An equality test on either stored value still matches. */
        ZoneCond eq_lo = {0, ZONE_EQ, vlo}, eq_hi = {0, ZONE_EQ, vhi};
        assert_true(zone_may_match(zm, &eq_lo));
        assert_true(zone_may_match(zm, &eq_hi));
        Value above = value_varchar("z", 1), below = value_varchar("a", 1);
        ZoneCond gt = {0, ZONE_GE, above}, lt = {0, ZONE_LE, below};
        assert_false(zone_may_match(zm, &gt));
        assert_false(zone_may_match(zm, &lt));
    }
    colfile_close(r);
    arena_destroy(arena);
    unlink(path);
}

static ZoneMap zone_i32(uint64_t rows, uint64_t nulls, int32_t min, int32_t max)
{
    ZoneMap zm;
    memset(&zm, 0, sizeof zm);
    zm.row_count = rows;
    zm.null_count = nulls;
    zm.has_minmax = nulls < rows;
    zm.min = value_integer(min);
    zm.max = value_integer(max);
    return zm;
}

static void test_zone_may_match(void **state)
{
    (void)state;
    ZoneMap zm = zone_i32(10, 2, 10, 20);
    struct {
        ZoneOp op;
        int32_t v;
        bool want;
    } cases[] = {
        {ZONE_EQ, 9, false},  {ZONE_EQ, 10, true}, {ZONE_EQ, 20, true}, {ZONE_EQ, 21, false},
        {ZONE_LT, 10, false}, {ZONE_LT, 11, true}, {ZONE_LE, 10, true}, {ZONE_LE, 9, false},
        {ZONE_GT, 20, false}, {ZONE_GT, 19, true}, {ZONE_GE, 20, true}, {ZONE_GE, 21, false},
    };
    for (size_t k = 0; k < BS_ARRAY_LEN(cases); k++) {
        ZoneCond cond = {0, cases[k].op, value_integer(cases[k].v)};
        assert_int_equal(zone_may_match(&zm, &cond), cases[k].want);
    }
    ZoneCond is_null = {0, ZONE_IS_NULL, value_null(type_make(TYPE_INTEGER))};
    ZoneCond not_null = {0, ZONE_IS_NOT_NULL, value_null(type_make(TYPE_INTEGER))};
    ZoneCond eq_null = {0, ZONE_EQ, value_null(type_make(TYPE_INTEGER))};
    assert_true(zone_may_match(&zm, &is_null));
    assert_true(zone_may_match(&zm, &not_null));
    assert_false(zone_may_match(&zm, &eq_null));
    ZoneMap no_nulls = zone_i32(10, 0, 1, 2), all_nulls = zone_i32(10, 10, 0, 0);
    ZoneCond eq1 = {0, ZONE_EQ, value_integer(1)};
    assert_false(zone_may_match(&no_nulls, &is_null));
    assert_false(zone_may_match(&all_nulls, &not_null));
    assert_true(zone_may_match(&all_nulls, &is_null));
    assert_false(zone_may_match(&all_nulls, &eq1));
    ZoneMap empty = zone_i32(0, 0, 0, 0);
    assert_false(zone_may_match(&empty, &eq1));
    assert_false(zone_may_match(&empty, &is_null));

    /* DECIMAL compares unscaled, and across scales by value. */
    ZoneMap dec;
    memset(&dec, 0, sizeof dec);
    dec.row_count = 5;
    dec.has_minmax = true;
    dec.min = value_decimal(150, 10, 2); /* 1.50 */
    dec.max = value_decimal(275, 10, 2); /* 2.75 */
    ZoneCond d1 = {0, ZONE_EQ, value_decimal(275, 10, 2)};
    ZoneCond d2 = {0, ZONE_GT, value_decimal(28, 10, 1)};   /* > 2.8 */
    ZoneCond d3 = {0, ZONE_GE, value_decimal(2750, 10, 3)}; /* >= 2.750 */
    ZoneCond d4 = {0, ZONE_LT, value_integer(2)};           /* < 2 */
    ZoneCond d5 = {0, ZONE_LT, value_integer(1)};
    assert_true(zone_may_match(&dec, &d1));
    assert_false(zone_may_match(&dec, &d2));
    assert_true(zone_may_match(&dec, &d3));
    assert_true(zone_may_match(&dec, &d4));
    assert_false(zone_may_match(&dec, &d5));

    /* DOUBLE: NaN is the greatest value. */
    ZoneMap dbl;
    memset(&dbl, 0, sizeof dbl);
    dbl.row_count = 3;
    dbl.has_minmax = true;
    dbl.min = value_double(-1.0);
    dbl.max = value_double(5.0);
    ZoneCond nan_eq = {0, ZONE_EQ, value_double(NAN)};
    ZoneCond gt4 = {0, ZONE_GT, value_double(4.5)};
    ZoneCond lt_nan = {0, ZONE_LT, value_double(NAN)};
    assert_false(zone_may_match(&dbl, &nan_eq));
    assert_true(zone_may_match(&dbl, &gt4));
    assert_true(zone_may_match(&dbl, &lt_nan));
    dbl.max = value_double(NAN);
    assert_true(zone_may_match(&dbl, &nan_eq));
    ZoneCond gt_big = {0, ZONE_GT, value_double(1e300)};
    assert_true(zone_may_match(&dbl, &gt_big)); /* NaN > 1e300 */

    /* Strings bytewise: "b" < "ba" < "c"; bytes >= 0x80 sort high. */
    ZoneMap str;
    memset(&str, 0, sizeof str);
    str.row_count = 2;
    str.has_minmax = true;
    str.min = value_varchar("b", 1);
    str.max = value_varchar("ba", 2);
    ZoneCond s1 = {0, ZONE_EQ, value_varchar("bb", 2)};
    ZoneCond s2 = {0, ZONE_EQ, value_varchar("b\x01", 2)};
    ZoneCond s3 = {0, ZONE_GT, value_varchar("b\xc3", 2)};
    assert_false(zone_may_match(&str, &s1));
    assert_true(zone_may_match(&str, &s2));
    assert_false(zone_may_match(&str, &s3));
    /* DATE against TIMESTAMP compares instants. */
    ZoneMap dates;
    memset(&dates, 0, sizeof dates);
    dates.row_count = 1;
    dates.has_minmax = true;
    dates.min = value_date(100);
    dates.max = value_date(200);
    ZoneCond ts = {0, ZONE_GT, value_timestamp(200 * MICROS_PER_DAY)};
    ZoneCond ts2 = {0, ZONE_GT, value_timestamp(200 * MICROS_PER_DAY - 1)};
    assert_false(zone_may_match(&dates, &ts));
    assert_true(zone_may_match(&dates, &ts2));
    /* Incomparable types never skip. */
    ZoneCond odd = {0, ZONE_EQ, value_varchar("x", 1)};
    assert_true(zone_may_match(&dates, &odd));
}

static void test_scan_skips(void **state)
{
    (void)state;
    char path[300];
    path_of(path, sizeof path, "skip.bsc");
    Arena *arena = arena_create(NULL, NULL, 0);
    /* Row groups of 300 rows, blocks of 64: rg0 = 0..299 (blocks at 0,64,128,192,256). */
    ColumnFileOptions opts = {300, 64, 3};
    FileSummary summary;
    write_dataset(path, 1000, &opts, arena, &summary);
    Error err = ERROR_INIT;
    ColumnFileReader *r;
    assert_int_equal(colfile_open(path, NULL, &r, &err), BS_OK);
    int cols[3] = {2, 5, 7};
    uint64_t seen[1000];

    /* id >= id(700): skips rg0, rg1 and in rg2 (600..899) blocks 600-663 and 664-727 has 700. */
    Value v700 = value_bigint(700 * 1000003LL - 5000000000LL);
    ZoneCond ge = {2, ZONE_GE, v700};
    ZoneFilter filter = {1, &ge};
    ColumnScan *scan;
    assert_int_equal(colfile_scan_open(r, cols, 3, 0, 4, &filter, &scan, &err), BS_OK);
    uint64_t n = scan_and_check(r, cols, 3, 0, 4, &filter, seen, 1000, arena);
    /* Returned: blocks 664..727 onwards = rows 664..999. */
    assert_int_equal(n, 1000 - 664);
    for (uint64_t k = 0; k < n; k++)
        assert_int_equal(seen[k], 664 + k);
    Chunk *chunk = chunk_create(
        arena,
        (LogicalType[]){type_make(TYPE_BIGINT), type_make(TYPE_VARCHAR), type_make(TYPE_TIMESTAMP)},
        3, &err);
    do {
        chunk_reset(chunk);
        assert_int_equal(colfile_scan_next(scan, chunk, &err), BS_OK);
    } while (chunk->n_rows);
    uint64_t rgs, blocks;
    colfile_scan_stats(scan, &rgs, &blocks);
    assert_int_equal(rgs, 2);
    assert_int_equal(blocks, 1);
    colfile_scan_close(scan);

    /* id = id(130) AND ts IS NOT NULL: only block 128..191 of rg0; rg1..3 skipped. */
    Value v130 = value_bigint(130 * 1000003LL - 5000000000LL);
    ZoneCond conds[2] = {{2, ZONE_EQ, v130},
                         {7, ZONE_IS_NOT_NULL, value_null(type_make(TYPE_TIMESTAMP))}};
    ZoneFilter f2 = {2, conds};
    n = scan_and_check(r, cols, 3, 0, 4, &f2, seen, 1000, arena);
    assert_int_equal(n, 64);
    assert_int_equal(seen[0], 128);
    assert_int_equal(seen[63], 191);
    assert_int_equal(colfile_scan_open(r, cols, 3, 0, 4, &f2, &scan, &err), BS_OK);
    do {
        chunk_reset(chunk);
        assert_int_equal(colfile_scan_next(scan, chunk, &err), BS_OK);
    } while (chunk->n_rows);
    colfile_scan_stats(scan, &rgs, &blocks);
    assert_int_equal(rgs, 3);
    assert_int_equal(blocks, 4);
    colfile_scan_close(scan);

    /* A split of row groups 1..2 without a filter: rows 300..899. */
    n = scan_and_check(r, cols, 3, 1, 2, NULL, seen, 1000, arena);
    assert_int_equal(n, 600);
    assert_int_equal(seen[0], 300);
    assert_int_equal(seen[599], 899);

    /* id IS NULL: nothing can match; every row group is skipped. */
    ZoneCond isnull = {2, ZONE_IS_NULL, value_null(type_make(TYPE_BIGINT))};
    ZoneFilter f3 = {1, &isnull};
    assert_int_equal(scan_and_check(r, cols, 3, 0, 4, &f3, NULL, 0, arena), 0);

    /* A count(*)-style scan of no columns still yields the row counts. */
    assert_int_equal(colfile_scan_open(r, NULL, 0, 0, 4, &filter, &scan, &err), BS_OK);
    Chunk *none = chunk_create(arena, NULL, 0, &err);
    uint64_t total = 0;
    do {
        chunk_reset(none);
        assert_int_equal(colfile_scan_next(scan, none, &err), BS_OK);
        total += none->n_rows;
    } while (none->n_rows);
    assert_int_equal(total, 1000 - 664);
    colfile_scan_close(scan);

    /* Bad arguments are errors, not crashes. */
    assert_int_equal(colfile_scan_open(r, cols, 3, 3, 2, NULL, &scan, &err), BS_ERROR);
    assert_string_equal(err.sqlstate, "22023");
    error_clear(&err);
    int bad_col[1] = {N_COLS};
    assert_int_equal(colfile_scan_open(r, bad_col, 1, 0, 1, NULL, &scan, &err), BS_ERROR);
    error_clear(&err);
    colfile_close(r);
    arena_destroy(arena);
    unlink(path);
}

/* ---- damaged files ------------------------------------------------------------------ */

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    if (len) assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
}

static uint8_t *read_whole(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *data = malloc(*len);
    assert_int_equal(fread(data, 1, *len, f), *len);
    fclose(f);
    return data;
}

/* Opens and fully scans path; returns the status and leaves the error in err. */
static Status open_and_scan(const char *path, Error *err)
{
    Arena *arena = arena_create(NULL, NULL, 0);
    if (!arena) return error_oom(err);
    ColumnFileReader *r;
    if (colfile_open(path, NULL, &r, err) != BS_OK) {
        arena_destroy(arena);
        return BS_ERROR;
    }
    int n = colfile_n_cols(r);
    int cols[N_COLS];
    LogicalType types[N_COLS];
    for (int k = 0; k < n && k < N_COLS; k++) {
        cols[k] = k;
        types[k] = colfile_col_type(r, k);
    }
    Chunk *chunk = chunk_create(arena, types, n, err);
    if (!chunk) {
        colfile_close(r);
        arena_destroy(arena);
        return BS_ERROR;
    }
    ColumnScan *scan;
    Status st = colfile_scan_open(r, cols, n, 0, colfile_n_row_groups(r), NULL, &scan, err);
    while (st == BS_OK) {
        chunk_reset(chunk);
        st = colfile_scan_next(scan, chunk, err);
        if (st == BS_OK && chunk->n_rows == 0) break;
    }
    if (scan) colfile_scan_close(scan);
    colfile_close(r);
    arena_destroy(arena);
    return st;
}

static void test_damaged_files(void **state)
{
    (void)state;
    char path[300], bad[300];
    path_of(path, sizeof path, "good.bsc");
    path_of(bad, sizeof bad, "bad.bsc");
    Arena *arena = arena_create(NULL, NULL, 0);
    ColumnFileOptions opts = {20, 8, 3};
    FileSummary summary;
    write_dataset(path, 50, &opts, arena, &summary);
    size_t len;
    uint8_t *good = read_whole(path, &len);
    Error err = ERROR_INIT;
    assert_int_equal(open_and_scan(path, &err), BS_OK);

    /* Every single flipped byte is detected when the file is opened or scanned. */
    uint8_t *copy = malloc(len);
    for (size_t pos = 0; pos < len; pos++) {
        memcpy(copy, good, len);
        copy[pos] ^= 0x5a;
        write_file(bad, copy, len);
        if (open_and_scan(bad, &err) != BS_ERROR) fail_msg("flip at byte %zu not detected", pos);
        assert_string_equal(err.sqlstate, "XX001");
        assert_non_null(strstr(err.message, bad));
        error_clear(&err);
    }
    /* A flipped byte inside the first block: the scan reports the checksum. */
    memcpy(copy, good, len);
    copy[16 + 30] ^= 1;
    write_file(bad, copy, len);
    ColumnFileReader *r;
    assert_int_equal(colfile_open(bad, NULL, &r, &err), BS_OK);
    colfile_close(r);
    assert_int_equal(open_and_scan(bad, &err), BS_ERROR);
    assert_string_equal(err.sqlstate, "XX001");
    char want[400];
    snprintf(want, sizeof want,
             "column file \"%s\" is damaged: checksum mismatch in block 0 of column \"b\" in row "
             "group 0",
             bad);
    assert_string_equal(err.message, want);
    error_clear(&err);

    /* Every truncation fails cleanly. */
    for (size_t cut = 0; cut < len; cut++) {
        write_file(bad, good, cut);
        assert_int_equal(open_and_scan(bad, &err), BS_ERROR);
        assert_string_equal(err.sqlstate, "XX001");
        error_clear(&err);
    }
    /* Zeros, garbage, and a bad magic number. */
    uint8_t *junk = calloc(1, 4096);
    write_file(bad, junk, 4096);
    assert_int_equal(open_and_scan(bad, &err), BS_ERROR);
    snprintf(want, sizeof want, "column file \"%s\" is damaged: bad magic number", bad);
    assert_string_equal(err.message, want);
    error_clear(&err);
    srand(42);
    for (int round = 0; round < 200; round++) {
        size_t n = (size_t)(rand() % 4096);
        for (size_t k = 0; k < n; k++)
            junk[k] = (uint8_t)rand();
        if (round % 2 && n >= 48) {
            /* Plausible ends, so that the footer parser sees garbage. */
            memcpy(junk, "BSLTCOLF\1\0\0\0\0\0\0\0", 16);
            memcpy(junk + n - 8, "BSLTCOLF", 8);
            memset(junk + n - 16, 0, 8);
            junk[n - 16] = 1;
        }
        write_file(bad, junk, n);
        assert_int_equal(open_and_scan(bad, &err), BS_ERROR);
        assert_string_equal(err.sqlstate, "XX001");
        error_clear(&err);
    }
    memcpy(copy, good, len);
    memcpy(copy + len - 8, "PAR1PAR1", 8);
    write_file(bad, copy, len);
    assert_int_equal(colfile_open(bad, NULL, &r, &err), BS_ERROR);
    assert_string_equal(err.message, want);
    error_clear(&err);
    /* Missing file and a directory. */
    char missing[300];
    path_of(missing, sizeof missing, "no_such.bsc");
    assert_int_equal(colfile_open(missing, NULL, &r, &err), BS_ERROR);
    assert_string_equal(err.sqlstate, "58P01");
    assert_non_null(strstr(err.message, missing));
    error_clear(&err);
    assert_int_equal(colfile_open(g_dir, NULL, &r, &err), BS_ERROR);
    assert_string_equal(err.sqlstate, "XX001");
    error_clear(&err);
    free(junk);
    free(copy);
    free(good);
    arena_destroy(arena);
    unlink(path);
    unlink(bad);
}

/*
 * Mutations that keep every checksum valid reach the footer parser and the block
 * decoder: whatever they do, the file is read or rejected with XX001, never crashes.
 */
static void fuzz_one_column(LogicalType type, int zstd_level, unsigned seed)
{
    char path[300], bad[300];
    path_of(path, sizeof path, "fuzz_good.bsc");
    path_of(bad, sizeof bad, "fuzz_bad.bsc");
    unlink(path);
    Error err = ERROR_INIT;
    Arena *arena = arena_create(NULL, NULL, 0);
    const char *names[1] = {"c"};
    ColumnFileOptions opts = {1000, 1000, zstd_level};
    ColumnFileWriter *w;
    assert_int_equal(colfile_writer_create(path, &type, names, 1, &opts, NULL, &w, &err), BS_OK);
    Chunk *chunk = chunk_create(arena, &type, 1, &err);
    char buf[64];
    for (uint64_t start = 0; start < 60; start += BASALT_VECTOR_SIZE) {
        chunk_reset(chunk);
        idx_t n = BS_MIN((uint64_t)BASALT_VECTOR_SIZE, 60 - start);
        for (idx_t k = 0; k < n; k++) {
            Value v = expected(type.id == TYPE_VARCHAR ? 5 : 1, start + k, buf);
            assert_int_equal(vector_set_value(&chunk->cols[0], k, &v, &err), BS_OK);
        }
        chunk->n_rows = n;
        assert_int_equal(colfile_writer_append(w, chunk, &err), BS_OK);
    }
    FileSummary summary;
    assert_int_equal(colfile_writer_finish(w, arena, &summary, &err), BS_OK);
    size_t len;
    uint8_t *good = read_whole(path, &len);
    uint8_t *copy = malloc(len);
    uint64_t footer_len = load_u64le(good + len - 32);
    size_t footer_off = len - 32 - (size_t)footer_len;
    srand(seed);
    int rejected = 0;
    for (int round = 0; round < 1500; round++) {
        memcpy(copy, good, len);
        bool in_footer = round % 2;
        size_t lo = in_footer ? footer_off : 16, hi = in_footer ? len - 32 : footer_off - 8;
        int n_flips = 1 + rand() % 3;
        for (int k = 0; k < n_flips; k++) {
            size_t pos = lo + (size_t)rand() % (hi - lo);
            copy[pos] = (uint8_t)(rand() % 4 == 0 ? copy[pos] + 1 : rand());
        }
        if (in_footer)
            store_u64le(copy + len - 24, checksum64(copy + footer_off, footer_len));
        else
            store_u64le(copy + footer_off - 8, checksum64(copy + 16, footer_off - 8 - 16));
        write_file(bad, copy, len);
        if (open_and_scan(bad, &err) != BS_OK) {
            assert_string_equal(err.sqlstate, "XX001");
            rejected++;
        }
        error_clear(&err);
    }
    assert_true(rejected > 100);
    free(copy);
    free(good);
    arena_destroy(arena);
    unlink(path);
    unlink(bad);
}

static void test_fuzz_checksummed(void **state)
{
    (void)state;
    fuzz_one_column(type_make(TYPE_VARCHAR), 3, 1);
    fuzz_one_column(type_make(TYPE_VARCHAR), 0, 2);
    fuzz_one_column(type_make(TYPE_INTEGER), 0, 3);
    fuzz_one_column(type_make(TYPE_INTEGER), 3, 4);
}

static void test_writer_errors(void **state)
{
    (void)state;
    char path[300];
    path_of(path, sizeof path, "exists.bsc");
    write_file(path, "x", 1);
    Error err = ERROR_INIT;
    ColumnFileWriter *w;
    assert_int_equal(
        colfile_writer_create(path, all_types(), g_names, N_COLS, NULL, NULL, &w, &err), BS_ERROR);
    assert_string_equal(err.sqlstate, "58P02");
    error_clear(&err);
    unlink(path);
    ColumnFileOptions bad = {0, 10, 3};
    assert_int_equal(
        colfile_writer_create(path, all_types(), g_names, N_COLS, &bad, NULL, &w, &err), BS_ERROR);
    assert_string_equal(err.sqlstate, "22023");
    error_clear(&err);
    assert_int_equal(access(path, F_OK), -1);
    /* Abort removes the file. */
    assert_int_equal(
        colfile_writer_create(path, all_types(), g_names, N_COLS, NULL, NULL, &w, &err), BS_OK);
    assert_int_equal(access(path, F_OK), 0);
    colfile_writer_abort(w);
    assert_int_equal(access(path, F_OK), -1);
    /* A memory limit below one row group fails the append cleanly; finish removes the file. */
    MemTracker tracker;
    memtracker_init(&tracker, NULL, "writer", 256 * 1024);
    Arena *arena = arena_create(NULL, NULL, 0);
    assert_int_equal(
        colfile_writer_create(path, all_types(), g_names, N_COLS, NULL, &tracker, &w, &err), BS_OK);
    Chunk *chunk = chunk_create(arena, all_types(), N_COLS, &err);
    fill_chunk(chunk, 0, BS_MIN(BASALT_VECTOR_SIZE, 4));
    assert_int_equal(colfile_writer_append(w, chunk, &err), BS_ERROR);
    assert_string_equal(err.sqlstate, "53200");
    error_clear(&err);
    FileSummary summary;
    assert_int_equal(colfile_writer_finish(w, arena, &summary, &err), BS_ERROR);
    error_clear(&err);
    assert_int_equal(access(path, F_OK), -1);
    assert_int_equal(memtracker_used(&tracker), 0);
    arena_destroy(arena);
}

/* Allocation failures anywhere in writing, opening and scanning are clean errors. */
static void test_fault_injection(void **state)
{
    (void)state;
    char path[300];
    path_of(path, sizeof path, "faults.bsc");
    ColumnFileOptions opts = {50, 16, 3};
    int failures = 0;
    for (long countdown = 0; countdown < 400; countdown++) {
        unlink(path);
        Error err = ERROR_INIT;
        Arena *arena = arena_create(NULL, NULL, 0);
        Chunk *chunk = chunk_create(arena, all_types(), N_COLS, &err);
        ColumnFileWriter *w = NULL;
        bs_alloc_fail_after(countdown, 1);
        Status st =
            colfile_writer_create(path, all_types(), g_names, N_COLS, &opts, NULL, &w, &err);
        for (uint64_t start = 0; st == BS_OK && start < 120; start += BASALT_VECTOR_SIZE) {
            bs_alloc_fail_after(-1, 0);
            fill_chunk(chunk, start, BS_MIN((uint64_t)BASALT_VECTOR_SIZE, 120 - start));
            bs_alloc_fail_after(countdown, 1);
            st = colfile_writer_append(w, chunk, &err);
        }
        FileSummary summary;
        if (w) {
            Status fin = colfile_writer_finish(w, arena, &summary, &err);
            if (st == BS_OK) st = fin;
        }
        if (st == BS_OK) {
            st = open_and_scan(path, &err);
        }
        bool injected = bs_alloc_injected_failures() > 0;
        bs_alloc_fail_after(-1, 0);
        if (st != BS_OK) {
            failures++;
            assert_true(injected);
            assert_true(error_is_set(&err));
            if (strcmp(err.sqlstate, "53200") != 0)
                fail_msg("countdown %ld: %s %s", countdown, err.sqlstate, err.message);
        } else if (!injected) {
            arena_destroy(arena);
            error_clear(&err);
            break;
        }
        error_clear(&err);
        arena_destroy(arena);
    }
    assert_true(failures > 10);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_compressed),
        cmocka_unit_test(test_roundtrip_uncompressed),
        cmocka_unit_test(test_roundtrip_odd_sizes),
        cmocka_unit_test(test_empty_file),
        cmocka_unit_test(test_vector_kinds_and_selection),
        cmocka_unit_test(test_zone_maps),
        cmocka_unit_test(test_long_string_bounds),
        cmocka_unit_test(test_zone_may_match),
        cmocka_unit_test(test_scan_skips),
        cmocka_unit_test(test_damaged_files),
        cmocka_unit_test(test_fuzz_checksummed),
        cmocka_unit_test(test_writer_errors),
        cmocka_unit_test(test_fault_injection),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
