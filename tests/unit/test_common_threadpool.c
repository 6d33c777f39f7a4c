/*
 * Unit tests: thread pool, futures, buffers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/buffer.h"
#include "common/threadpool.h"

#include <stdatomic.h>
#include <string.h>

typedef struct CountTask {
    PoolTask task;
    atomic_int *counter;
    int resubmits; /* run this many more times */
    ThreadPool *pool;
} CountTask;

static void count_run(PoolTask *task)
{
    CountTask *ct = (CountTask *)task;
    atomic_fetch_add(ct->counter, 1);
    if (ct->resubmits-- > 0) threadpool_submit(ct->pool, &ct->task);
}

static void test_pool_runs_everything(void **state)
{
    (void)state;
    Error err = ERROR_INIT;
    ThreadPool *pool = threadpool_create(3, &err);
    assert_non_null(pool);
    atomic_int counter = 0;
    CountTask tasks[100];
    for (int k = 0; k < 100; k++) {
        tasks[k] =
            (CountTask){.task.run = count_run, .counter = &counter, .resubmits = 4, .pool = pool};
        threadpool_submit(pool, &tasks[k].task);
    }
    threadpool_destroy(pool); /* waits for all, including resubmitted ones */
    assert_int_equal(atomic_load(&counter), 500);
}

typedef struct Woken {
    FutureWaiter waiter;
    atomic_int calls;
} Woken;

static void woken_cb(FutureWaiter *w)
{
    atomic_fetch_add(&((Woken *)w)->calls, 1);
}

static void test_futures(void **state)
{
    (void)state;
    Future *f = future_create();
    assert_non_null(f);
    Woken a = {.waiter.callback = woken_cb}, b = {.waiter.callback = woken_cb};
    assert_true(future_add_waiter(f, &a.waiter));
    assert_true(future_add_waiter(f, &b.waiter));
    assert_false(future_wait_for(f, 10));
    future_complete(f);
    future_complete(f); /* idempotent */
    assert_int_equal(atomic_load(&a.calls), 1);
    assert_int_equal(atomic_load(&b.calls), 1);
    assert_true(future_is_done(f));
    Woken c = {.waiter.callback = woken_cb};
    assert_false(future_add_waiter(f, &c.waiter)); /* already done: not registered */
    future_wait(f);
    future_release(f);
}

static void test_buffer_roundtrip(void **state)
{
    (void)state;
    Buffer buf;
    buffer_init(&buf);
    buffer_put_u8(&buf, 7);
    buffer_put_u32(&buf, 0xdeadbeef);
    buffer_put_u64(&buf, UINT64_C(0x0123456789abcdef));
    buffer_put_svarint(&buf, -123456789);
    buffer_put_uvarint(&buf, UINT64_MAX);
    buffer_put_f64(&buf, 2.5);
    buffer_put_lstring(&buf, "hello", 5);
    buffer_put_cstr(&buf, NULL);
    buffer_printf(&buf, "%d", 42);
    assert_true(buffer_ok(&buf));
    BufReader r;
    bufreader_init(&r, buf.data, buf.len);
    assert_int_equal(bufreader_u8(&r), 7);
    assert_int_equal(bufreader_u32(&r), 0xdeadbeef);
    assert_true(bufreader_u64(&r) == UINT64_C(0x0123456789abcdef));
    assert_true(bufreader_svarint(&r) == -123456789);
    assert_true(bufreader_uvarint(&r) == UINT64_MAX);
    assert_true(bufreader_f64(&r) == 2.5);
    size_t len;
    const char *s = bufreader_lstring(&r, &len);
    assert_int_equal(len, 5);
    assert_memory_equal(s, "hello", 5);
    assert_int_equal(bufreader_u8(&r), 0);
    assert_memory_equal(bufreader_bytes(&r, 2), "42", 2);
    assert_true(bufreader_ok(&r));
    /* Every truncation fails cleanly instead of reading past the end. */
    for (size_t cut = 0; cut < buf.len - 2; cut++) {
        bufreader_init(&r, buf.data, cut);
        bufreader_u8(&r);
        bufreader_u32(&r);
        bufreader_u64(&r);
        bufreader_svarint(&r);
        bufreader_uvarint(&r);
        bufreader_f64(&r);
        bufreader_lstring(&r, &len);
        bufreader_u8(&r);
        assert_false(bufreader_ok(&r));
    }
    /* A huge length prefix is refused, not trusted. */
    Buffer bad;
    buffer_init(&bad);
    buffer_put_uvarint(&bad, UINT64_C(1) << 40);
    bufreader_init(&r, bad.data, bad.len);
    assert_null(bufreader_lstring(&r, &len));
    assert_false(bufreader_ok(&r));
    buffer_free(&bad);
    buffer_free(&buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pool_runs_everything),
        cmocka_unit_test(test_futures),
        cmocka_unit_test(test_buffer_roundtrip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
