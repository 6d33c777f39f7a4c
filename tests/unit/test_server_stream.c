/*
 * Unit tests of streaming results and early termination, end to end through the engine:
 * cursors that read everything, that stop after one chunk, that read slowly; results far
 * larger than the exchanges and than the memory limit; sorts merged by several drivers
 * (key ranges) and aggregations over repartitioned groups emitted by several drivers checked row
 * by row. Each runs at 1, 2 and 3 threads, and with 1 and 3 in-process workers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/alloc.h"
#include "common/threadpool.h"
#include "server/engine.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Rows of the test table: 2^18, about 190 bytes each (50 MB: more than any exchange). */
#define N_ROWS (1 << 18)

static char g_dir[64];

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static Engine *open_engine(int threads, int workers, int64_t memory)
{
    EngineConfig cfg = {
        .data_dir = g_dir, .threads = threads, .workers = workers, .memory_limit = memory};
    Error err = ERROR_INIT;
    Engine *e = NULL;
    if (engine_open(&cfg, &e, &err) != BS_OK) fail_msg("engine_open: %s", err.message);
    return e;
}

static void exec_ok(Engine *e, const char *sql)
{
    Result *r = NULL;
    Error err = ERROR_INIT;
    if (engine_execute(e, sql, strlen(sql), &r, &err) != BS_OK)
        fail_msg("%s: %s %s", sql, err.sqlstate, err.message);
    result_free(r);
}

static int64_t query_int(Engine *e, const char *sql)
{
    Result *r = NULL;
    Error err = ERROR_INIT;
    if (engine_execute(e, sql, strlen(sql), &r, &err) != BS_OK)
        fail_msg("%s: %s %s", sql, err.sqlstate, err.message);
    assert_int_equal(r->n_rows, 1);
    Value v;
    result_get(r, 0, 0, &v);
    result_free(r);
    return v.u.i64;
}

/* x: 0 .. N_ROWS-1 (shuffled by the doubling), g = x % 1000, s a long string. */
static int setup(void **state)
{
    (void)state;
    snprintf(g_dir, sizeof g_dir, "/tmp/basalt-stream-XXXXXX");
    if (!mkdtemp(g_dir)) return -1;
    Engine *e = open_engine(2, 1, 0);
    exec_ok(e, "create table t (x bigint, g integer, s varchar)");
    exec_ok(e, "insert into t values (0, 0, 'a string long enough to live outside the view, and "
               "long enough that the table takes more room than any exchange holds 0')");
    for (int64_t n = 1; n < N_ROWS; n *= 2) {
        char sql[256];
        snprintf(sql, sizeof sql,
                 "insert into t select x + %lld, (x + %lld) %% 1000, "
                 "'a string long enough to live outside the view, and long enough that the table "
                 "takes more room than any exchange holds ' || (x + %lld) from t",
                 (long long)n, (long long)n, (long long)n);
        exec_ok(e, sql);
    }
    engine_close(e);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    nftw(g_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}

typedef struct Setting {
    int threads, workers;
} Setting;

static const Setting SETTINGS[] = {{1, 1}, {2, 1}, {3, 1}, {1, 3}, {2, 3}};

/* Reads a cursor to its end; returns the rows, and checks column 0 is a BIGINT. */
static uint64_t read_all(Cursor *c, int64_t *sum0)
{
    Error err = ERROR_INIT;
    uint64_t rows = 0;
    *sum0 = 0;
    for (;;) {
        const Chunk *chunk;
        if (cursor_next(c, &chunk, &err) != BS_OK) fail_msg("cursor_next: %s", err.message);
        if (!chunk) break;
        for (idx_t r = 0; r < chunk->n_rows; r++) {
            Value v;
            vector_get_value(&chunk->cols[0], r, &v);
            *sum0 += v.u.i64;
        }
        rows += chunk->n_rows;
    }
    return rows;
}

static Cursor *start(Engine *e, const char *sql)
{
    Cursor *c = NULL;
    Error err = ERROR_INIT;
    if (engine_start(e, sql, strlen(sql), &c, &err) != BS_OK)
        fail_msg("%s: %s %s", sql, err.sqlstate, err.message);
    return c;
}

static void test_stream_everything(void **state)
{
    (void)state;
    for (size_t k = 0; k < BS_ARRAY_LEN(SETTINGS); k++) {
        Engine *e = open_engine(SETTINGS[k].threads, SETTINGS[k].workers, 0);
        Cursor *c = start(e, "select x, g, s from t");
        const Result *info = cursor_result(c);
        assert_true(info->has_rows);
        assert_int_equal(info->n_cols, 3);
        int64_t sum;
        assert_int_equal(read_all(c, &sum), N_ROWS);
        assert_int_equal(sum, (int64_t)N_ROWS * (N_ROWS - 1) / 2);
        assert_string_equal(cursor_result(c)->status, "SELECT 262144");
        cursor_close(c);
        engine_close(e);
    }
}

/* The client reads one chunk and goes away: the query stops, and the engine is free. */
static void test_client_stops_early(void **state)
{
    (void)state;
    for (size_t k = 0; k < BS_ARRAY_LEN(SETTINGS); k++) {
        Engine *e = open_engine(SETTINGS[k].threads, SETTINGS[k].workers, 0);
        const char *queries[] = {
            "select x, s from t",
            "select x, s from t order by x",
            "select g, count(*), max(s) from t group by g",
            "select x, s from t where g < 500",
            "select x, count(distinct s) from t group by x",
        };
        for (size_t q = 0; q < BS_ARRAY_LEN(queries); q++) {
            Cursor *c = start(e, queries[q]);
            const Chunk *chunk;
            Error err = ERROR_INIT;
            assert_int_equal(cursor_next(c, &chunk, &err), BS_OK);
            assert_non_null(chunk);
            cursor_close(c); /* hangs if the producers are not told */
        }
        /* Never reading at all is fine too. */
        cursor_close(start(e, "select * from t"));
        assert_int_equal(query_int(e, "select count(*) from t"), N_ROWS);
        engine_close(e);
    }
}

/* A slow client: producers wait on full exchanges and resume, nothing is lost. */
/* Reads every row of `sql` slowly (a pause every 16 chunks); checks the count and sum of x. */
static void read_slowly(Engine *e, const char *sql, uint64_t want_rows, int64_t want_sum)
{
    Cursor *c = start(e, sql);
    Error err = ERROR_INIT;
    uint64_t rows = 0;
    int64_t sum = 0;
    for (int n = 0;; n++) {
        const Chunk *chunk;
        assert_int_equal(cursor_next(c, &chunk, &err), BS_OK);
        if (!chunk) break;
        for (idx_t r = 0; r < chunk->n_rows; r++) {
            Value v;
            vector_get_value(&chunk->cols[0], r, &v);
            sum += v.u.i64;
        }
        rows += chunk->n_rows;
        if (n % 16 == 0) usleep(200);
    }
    cursor_close(c);
    assert_int_equal(rows, want_rows);
    assert_int_equal(sum, want_sum);
}

/*
 * A slow client: producers wait on full exchanges and resume, nothing is lost. The scan
 * pipelines end in a filter and a projection that pass the scan's chunk on by reference;
 * a chunk held by the projection while the exchange was full was overwritten by the next
 * scan chunk (one chunk twice, one never) until the driver stopped pulling from upstream
 * while a chunk is still on its way down.
 */
static void test_slow_client(void **state)
{
    (void)state;
    /* x % 1000 == 7 for x = 7, 1007, …: 262 of them below 2^18. */
    int64_t all = (int64_t)N_ROWS * (N_ROWS - 1) / 2, dropped = 0, n_dropped = 0;
    for (int64_t x = 7; x < N_ROWS; x += 1000) {
        dropped += x;
        n_dropped++;
    }
    const Setting slow[] = {{1, 3}, {2, 3}, {2, 1}};
    for (size_t k = 0; k < BS_ARRAY_LEN(slow); k++) {
        Engine *e = open_engine(slow[k].threads, slow[k].workers, 0);
        for (int round = 0; round < 2; round++) {
            read_slowly(e, "select x, s from t where g <> 7", N_ROWS - (uint64_t)n_dropped,
                        all - dropped);
            read_slowly(e, "select x, s from t where g <> 1000", N_ROWS, all);
        }
        engine_close(e);
    }
}

/* Rows stream in less memory than they take (50 MB under a 32 MB limit). */
static void test_stream_beyond_memory_limit(void **state)
{
    (void)state;
    Engine *e = open_engine(1, 1, 32 << 20);
    int64_t sum;
    Cursor *c = start(e, "select x, g, s from t");
    assert_int_equal(read_all(c, &sum), N_ROWS);
    cursor_close(c);
    /* Collecting them all into one result does not fit, and says so. */
    Result *r = NULL;
    Error err = ERROR_INIT;
    const char *sql = "select x, g, s from t";
    assert_int_equal(engine_execute(e, sql, strlen(sql), &r, &err), BS_ERROR);
    assert_string_equal(err.sqlstate, "53200");
    error_clear(&err);
    engine_close(e);
}

/* Sorts merged by several drivers, each a key range: the stream is in order throughout. */
static void test_sorted_ranges(void **state)
{
    (void)state;
    struct {
        const char *sql;
        bool desc;
    } sorts[] = {
        {"select x from t order by x", false},
        {"select x from t order by x desc", true},
        /* Few distinct keys: whole runs of equal keys must not be split across ranges. */
        {"select g, x from t order by g, x", false},
        {"select g from t order by g desc", true},
    };
    for (size_t k = 0; k < BS_ARRAY_LEN(SETTINGS); k++) {
        Engine *e = open_engine(SETTINGS[k].threads, SETTINGS[k].workers, 0);
        for (size_t q = 0; q < BS_ARRAY_LEN(sorts); q++) {
            Cursor *c = start(e, sorts[q].sql);
            Error err = ERROR_INIT;
            uint64_t rows = 0;
            int64_t prev = sorts[q].desc ? INT64_MAX : INT64_MIN, prev2 = INT64_MIN;
            for (;;) {
                const Chunk *chunk;
                assert_int_equal(cursor_next(c, &chunk, &err), BS_OK);
                if (!chunk) break;
                for (idx_t r = 0; r < chunk->n_rows; r++) {
                    Value v, w;
                    vector_get_value(&chunk->cols[0], r, &v);
                    int64_t cur = v.type.id == TYPE_INTEGER ? v.u.i32 : v.u.i64;
                    if (sorts[q].desc)
                        assert_true(cur <= prev);
                    else
                        assert_true(cur >= prev);
                    if (chunk->n_cols > 1) {
                        vector_get_value(&chunk->cols[1], r, &w);
                        if (cur == prev) assert_true(w.u.i64 > prev2);
                        prev2 = w.u.i64;
                    }
                    prev = cur;
                }
                rows += chunk->n_rows;
            }
            assert_int_equal(rows, N_ROWS);
            cursor_close(c);
        }
        engine_close(e);
    }
}

/* Aggregations whose groups are spread over several drivers: every group once, right. */
static void test_partitioned_merge(void **state)
{
    (void)state;
    for (size_t k = 0; k < BS_ARRAY_LEN(SETTINGS); k++) {
        Engine *e = open_engine(SETTINGS[k].threads, SETTINGS[k].workers, 0);
        /* 1000 groups of 262 or 263 rows. */
        Cursor *c = start(e, "select g, count(*), sum(x), min(x) from t group by g");
        Error err = ERROR_INIT;
        bool seen[1000] = {false};
        uint64_t groups = 0;
        for (;;) {
            const Chunk *chunk;
            assert_int_equal(cursor_next(c, &chunk, &err), BS_OK);
            if (!chunk) break;
            for (idx_t r = 0; r < chunk->n_rows; r++) {
                Value g, n, sum, min;
                vector_get_value(&chunk->cols[0], r, &g);
                vector_get_value(&chunk->cols[1], r, &n);
                vector_get_value(&chunk->cols[2], r, &sum);
                vector_get_value(&chunk->cols[3], r, &min);
                assert_true(g.u.i32 >= 0 && g.u.i32 < 1000);
                assert_false(seen[g.u.i32]);
                seen[g.u.i32] = true;
                int64_t want_n = 0, want_sum = 0;
                for (int64_t x = g.u.i32; x < N_ROWS; x += 1000) {
                    want_n++;
                    want_sum += x;
                }
                assert_int_equal(n.u.i64, want_n);
                assert_int_equal(sum.u.i64, want_sum);
                assert_int_equal(min.u.i64, g.u.i32);
                groups++;
            }
        }
        assert_int_equal(groups, 1000);
        cursor_close(c);
        /* One group per row: 2^18 groups. */
        assert_int_equal(
            query_int(e, "select count(*) from (select x, count(*) from t group by x) a"), N_ROWS);
        assert_int_equal(query_int(e, "select count(distinct x) from t"), N_ROWS);
        /* Long string keys through the streaming partial step, flushed many times: every
           key survives intact (the flushed chunks own their strings). */
        assert_int_equal(query_int(e, "select count(*) from (select s, count(*) c from t "
                                      "group by s) a where c = 1"),
                         N_ROWS);
        assert_int_equal(query_int(e, "select count(*) from (select s, count(*) c from t "
                                      "group by s) a where s like 'a string long enough%'"),
                         N_ROWS);
        assert_int_equal(query_int(e, "select count(*) from (select s, count(*) c from t "
                                      "group by s) a where s = 'a string long enough to live "
                                      "outside the view, and long enough that the table takes "
                                      "more room than any exchange holds 123456'"),
                         1);
        assert_int_equal(query_int(e, "select sum(c) from (select g, count(distinct s) c from t "
                                      "group by g) a"),
                         N_ROWS);
        engine_close(e);
    }
}

/* Whether some line of a one-column text result contains `want`. */
static bool result_has_line(const Result *r, const char *want)
{
    for (uint64_t row = 0; row < r->n_rows; row++) {
        Value v;
        result_get(r, row, 0, &v);
        char line[1024];
        size_t n = v.u.str.len < sizeof line - 1 ? v.u.str.len : sizeof line - 1;
        memcpy(line, v.u.str.data, n);
        line[n] = 0;
        if (strstr(line, want)) return true;
    }
    return false;
}

static void explain_analyze_has(Engine *e, const char *sql, const char *want)
{
    Result *r = NULL;
    Error err = ERROR_INIT;
    if (engine_execute(e, sql, strlen(sql), &r, &err) != BS_OK)
        fail_msg("%s: %s %s", sql, err.sqlstate, err.message);
    if (!result_has_line(r, want)) {
        for (uint64_t row = 0; row < r->n_rows; row++) {
            Value v;
            result_get(r, row, 0, &v);
            fprintf(stderr, "%.*s\n", (int)v.u.str.len, v.u.str.data);
        }
        fail_msg("EXPLAIN ANALYZE of %s has no line with \"%s\"", sql, want);
    }
    result_free(r);
}

/*
 * Zone maps end to end: a sorted copy of the table (one writer: one file of two row groups
 * of 131,072 rows, blocks of 16,384) lets scans skip row groups, blocks and whole files,
 * and EXPLAIN ANALYZE says how many.
 */
static void test_pruning_reported(void **state)
{
    (void)state;
    Engine *e = open_engine(1, 1, 0);
    exec_ok(e, "create table sorted as select x from t order by x");
    /* x >= 200000: row group 0 (x < 131072) is skipped, and blocks 0-3 of row group 1
       (x < 196608). */
    explain_analyze_has(e, "explain analyze select count(*) from sorted where x >= 200000",
                        "row groups read 1, row groups skipped 1, blocks skipped 4");
    assert_int_equal(query_int(e, "select count(*) from sorted where x >= 200000"),
                     N_ROWS - 200000);
    /* Nothing can match: the file is ruled out before any task runs. */
    explain_analyze_has(e, "explain analyze select count(*) from sorted where x > 300000",
                        "1 files, 1 pruned by zone maps (2 row groups), 0 row groups to read");
    explain_analyze_has(e, "explain analyze select count(*) from sorted where x > 300000",
                        "row groups read 0, row groups skipped 0");
    /* No condition: everything is read. */
    explain_analyze_has(e, "explain analyze select count(*) from sorted",
                        "row groups read 2, row groups skipped 0, blocks skipped 0");
    exec_ok(e, "drop table sorted");
    engine_close(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stream_everything), cmocka_unit_test(test_client_stops_early),
        cmocka_unit_test(test_slow_client),       cmocka_unit_test(test_stream_beyond_memory_limit),
        cmocka_unit_test(test_sorted_ranges),     cmocka_unit_test(test_partitioned_merge),
        cmocka_unit_test(test_pruning_reported),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
