/*
 * Unit tests of the embedded engine: cancellation from another thread, the memory limit,
 * the data directory lock, and allocation failures injected at every point of a few
 * statements — each must fail cleanly (or succeed) and leave the tables as they were.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/alloc.h"
#include "common/threadpool.h"
#include "server/engine.h"

#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char g_dir[64];

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int setup(void **state)
{
    (void)state;
    snprintf(g_dir, sizeof g_dir, "/tmp/basalt-engine-XXXXXX");
    if (!mkdtemp(g_dir)) return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    nftw(g_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}

static Engine *open_engine(const char *sub, int64_t memory)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", g_dir, sub);
    EngineConfig cfg = {.data_dir = path, .threads = 2, .memory_limit = memory};
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
        fail_msg("%s: %s", sql, err.message);
    assert_true(r->n_rows == 1);
    Value v;
    result_get(r, 0, 0, &v);
    int64_t out = v.type.id == TYPE_INTEGER ? v.u.i32 : v.u.i64;
    result_free(r);
    return out;
}

/* A table of 2^k * 4 rows with x = 1, 2, 3, …, doubled with INSERT … SELECT. */
static void make_big(Engine *e, int doublings)
{
    exec_ok(e, "create table big (x bigint, s varchar)");
    exec_ok(e, "insert into big values (1, 'one'), (2, 'two'), (3, 'three'), (4, 'four')");
    for (int k = 0; k < doublings; k++) {
        char sql[128];
        snprintf(sql, sizeof sql, "insert into big select x + %lld, s || 'x' from big", 4LL << k);
        exec_ok(e, sql);
    }
}

typedef struct Canceller {
    Engine *engine;
    int delay_ms;
} Canceller;

static void *cancel_later(void *arg)
{
    Canceller *c = arg;
    usleep((useconds_t)c->delay_ms * 1000);
    engine_cancel(c->engine);
    return NULL;
}

static void test_cancel(void **state)
{
    (void)state;
    Engine *e = open_engine("cancel", 0);
    make_big(e, 18); /* 1M rows */
    const char *slow = "select x, s from big order by s desc, x";
    Canceller c = {e, 50};
    pthread_t thread;
    pthread_create(&thread, NULL, cancel_later, &c);
    int64_t t0 = clock_now_ns();
    Result *r = NULL;
    Error err = ERROR_INIT;
    Status st = engine_execute(e, slow, strlen(slow), &r, &err);
    double ms = (double)(clock_now_ns() - t0) / 1e6;
    pthread_join(thread, NULL);
    assert_int_equal(st, BS_ERROR);
    assert_string_equal(err.sqlstate, "57014");
    assert_string_equal(err.message, "canceling statement due to user request");
    /* It stops at the next chunk or sorted run: well under the time the sort takes. */
    assert_true(ms < 5000);
    error_clear(&err);
    /* The engine is usable afterwards, and the next statement is not cancelled. */
    assert_int_equal(query_int(e, "select count(*) from big"), 4 << 18);
    engine_close(e);
}

/* One session of a shared engine: runs `rounds` queries, each checked, in its own zone. */
typedef struct SessionRun {
    Engine *engine;
    int index;
    int rounds;
    int64_t rows; /* of big: x = 1..rows */
    int ok;
} SessionRun;

static void *session_main(void *arg)
{
    SessionRun *run = arg;
    Error err = ERROR_INIT;
    Session *s = session_create(run->engine, &err);
    if (!s) return NULL;
    char sql[160];
    Result *r = NULL;
    snprintf(sql, sizeof sql, "set time zone '%s'", run->index % 2 ? "Asia/Tokyo" : "UTC");
    if (session_execute(s, sql, strlen(sql), &r, &err) == BS_OK) result_free(r);
    for (int k = 0; k < run->rounds; k++) {
        snprintf(sql, sizeof sql, "select count(*), sum(x) from big where x %% %d = 0",
                 run->index + 2);
        r = NULL;
        if (session_execute(s, sql, strlen(sql), &r, &err) != BS_OK) {
            error_clear(&err);
            continue;
        }
        Value count, sum;
        result_get(r, 0, 0, &count);
        result_get(r, 0, 1, &sum);
        int64_t m = run->index + 2, n = run->rows / m; /* multiples of m in 1..rows */
        if (count.u.i64 == n && sum.u.i64 == m * n * (n + 1) / 2) run->ok++;
        result_free(r);
    }
    /* Its settings are its own: SHOW gives this session's zone. */
    r = NULL;
    if (session_execute(s, "show timezone", 13, &r, &err) == BS_OK) {
        Value v;
        result_get(r, 0, 0, &v);
        const char *want = run->index % 2 ? "Asia/Tokyo" : "UTC";
        if (v.u.str.len != strlen(want) || memcmp(v.u.str.data, want, v.u.str.len) != 0)
            run->ok = -1000;
        result_free(r);
    }
    error_clear(&err);
    session_destroy(s);
    return NULL;
}

static void test_sessions(void **state)
{
    (void)state;
    Engine *e = open_engine("sessions", 0);
    make_big(e, 14); /* 65,536 rows */
    enum { N = 4 };
    SessionRun runs[N];
    pthread_t threads[N];
    for (int k = 0; k < N; k++) {
        runs[k] = (SessionRun){.engine = e, .index = k, .rounds = 20, .rows = 4 << 14};
        pthread_create(&threads[k], NULL, session_main, &runs[k]);
    }
    for (int k = 0; k < N; k++) {
        pthread_join(threads[k], NULL);
        assert_int_equal(runs[k].ok, 20);
    }
    /* The engine's own session is untouched by theirs. */
    Result *r = NULL;
    Error err = ERROR_INIT;
    assert_int_equal(engine_execute(e, "show timezone", 13, &r, &err), BS_OK);
    Value v;
    result_get(r, 0, 0, &v);
    assert_int_equal(v.u.str.len, 3);
    assert_memory_equal(v.u.str.data, "UTC", 3);
    result_free(r);
    engine_close(e);
}

static void *cancel_engine_session_later(void *arg)
{
    usleep(50 * 1000);
    engine_cancel(arg);
    return NULL;
}

/* Cancelling one session's statement leaves another's running statement alone. */
static void test_session_cancel(void **state)
{
    (void)state;
    Engine *e = open_engine("session_cancel", 0);
    make_big(e, 18);
    SessionRun other = {.engine = e, .index = 1, .rounds = 5, .rows = 4 << 18};
    pthread_t thread, canceller;
    pthread_create(&thread, NULL, session_main, &other);
    pthread_create(&canceller, NULL, cancel_engine_session_later, e);
    const char *slow = "select x, s from big order by s desc, x";
    Result *r = NULL;
    Error err = ERROR_INIT;
    Status st = engine_execute(e, slow, strlen(slow), &r, &err);
    pthread_join(canceller, NULL);
    pthread_join(thread, NULL);
    assert_int_equal(st, BS_ERROR);
    assert_string_equal(err.sqlstate, "57014");
    error_clear(&err);
    assert_int_equal(other.ok, 5);
    engine_close(e);
}

static void test_memory_limit(void **state)
{
    (void)state;
    Engine *e = open_engine("memory", 24 << 20);
    make_big(e, 18);
    /* 1M groups of a bigint and a string of up to 21 bytes: some 50 MB however the
       aggregation lays them out */
    const char *sql = "select x, s, count(*) from big group by x, s";
    Result *r = NULL;
    Error err = ERROR_INIT;
    assert_int_equal(engine_execute(e, sql, strlen(sql), &r, &err), BS_ERROR);
    assert_string_equal(err.sqlstate, "53200");
    assert_non_null(strstr(err.message, "query memory limit of 24.0 MB exceeded"));
    error_clear(&err);
    assert_int_equal(query_int(e, "select count(*) from big"), 4 << 18);
    engine_close(e);
}

/* A long IN list costs memory in proportion to its length (it was quadratic once). */
static void test_long_in_list(void **state)
{
    (void)state;
    Engine *e = open_engine("inlist", 256 << 20);
    make_big(e, 10); /* x = 1 … 4096 */
    size_t cap = 400000, len = 0;
    char *sql = bs_malloc(cap);
    assert_non_null(sql);
    len += (size_t)snprintf(sql, cap, "select count(*) from big where x in (");
    for (int k = 0; k < 30000; k++)
        len += (size_t)snprintf(sql + len, cap - len, "%s%d", k ? "," : "", k * 2);
    snprintf(sql + len, cap - len, ")");
    assert_int_equal(query_int(e, sql), 2048); /* the even x of 1 … 4096 */
    bs_free(sql);
    engine_close(e);
}

static void test_lock(void **state)
{
    (void)state;
    Engine *e = open_engine("lock", 0);
    char path[128];
    snprintf(path, sizeof path, "%s/lock", g_dir);
    EngineConfig cfg = {.data_dir = path};
    Engine *second = NULL;
    Error err = ERROR_INIT;
    assert_int_equal(engine_open(&cfg, &second, &err), BS_ERROR);
    assert_string_equal(err.sqlstate, "55P03");
    error_clear(&err);
    engine_close(e);
    /* Once closed, it opens again. */
    e = open_engine("lock", 0);
    engine_close(e);
}

/* Runs sql with the n-th allocation failing; true when the injection happened. */
static bool run_with_failure(Engine *e, const char *sql, long n, Status *st_out, Error *err)
{
    Result *r = NULL;
    bs_alloc_fail_after(n, 1);
    Status st = engine_execute(e, sql, strlen(sql), &r, err);
    bool injected = bs_alloc_injected_failures() > 0;
    bs_alloc_fail_after(-1, 0);
    result_free(r);
    *st_out = st;
    return injected;
}

static void test_injected_failures(void **state)
{
    (void)state;
    Engine *e = open_engine("faults", 0);
    exec_ok(e, "create table t (a integer not null, b varchar, c decimal(10,2))");
    exec_ok(e, "insert into t values (1, 'one', 1.5), (2, 'a string longer than twelve', 2.5), (3, "
               "null, null)");
    static const char *statements[] = {
        "insert into t select a + 10, b || '!', c * 2 from t",
        "select b, count(*), sum(c), count(distinct a) from t group by b order by b",
        "select a, b from t where a > 1 order by a desc limit 2",
        "create table t2 as select a, b from t",
    };
    for (size_t k = 0; k < BS_ARRAY_LEN(statements); k++) {
        int failures = 0;
        for (long n = 0;; n += n < 400 ? 1 : 7) {
            Status st;
            Error err = ERROR_INIT;
            bool injected = run_with_failure(e, statements[k], n, &st, &err);
            if (st != BS_OK) {
                failures++;
                if (query_int(e, "select count(*) from t") != 3)
                    fail_msg("statement %zu failed at allocation %ld (%s) but changed t", k, n,
                             err.message);
                /* An injected failure surfaces as an error, never as a wrong answer. */
                assert_true(error_is_set(&err));
                error_clear(&err);
                /* Nothing changed: t still holds its 3 rows, t2 does not exist. */
                assert_int_equal(query_int(e, "select count(*) from t"), 3);
                Result *r = NULL;
                Status exists = engine_execute(e, "select * from t2", 16, &r, &err);
                result_free(r);
                assert_int_equal(exists, BS_ERROR);
                error_clear(&err);
            } else {
                /* A write that succeeded: undo it to keep the next runs comparable. */
                if (k == 0) {
                    exec_ok(e, "create table keep as select * from t where a < 10");
                    exec_ok(e, "drop table t");
                    exec_ok(e, "create table t as select * from keep");
                    exec_ok(e, "drop table keep");
                }
                if (k == 3) exec_ok(e, "drop table t2");
                if (!injected) break; /* the statement made fewer than n allocations */
            }
        }
        printf("statement %zu: %d injected failures\n", k, failures);
        assert_true(failures > 0);
    }
    engine_close(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cancel),
        cmocka_unit_test(test_sessions),
        cmocka_unit_test(test_session_cancel),
        cmocka_unit_test(test_memory_limit),
        cmocka_unit_test(test_long_in_list),
        cmocka_unit_test(test_lock),
        cmocka_unit_test(test_injected_failures),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
