/*
 * Unit tests: the in-process exchange — order and completeness across producers,
 * back-pressure futures, the end of input, abort waking every waiter.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "exec/exec.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

static Chunk *make_chunk(Arena *arena, int64_t first, idx_t n)
{
    Error err = ERROR_INIT;
    LogicalType types[2] = {type_make(TYPE_BIGINT), type_make(TYPE_VARCHAR)};
    Chunk *c = chunk_create(arena, types, 2, &err);
    assert_non_null(c);
    for (idx_t k = 0; k < n; k++) {
        ((int64_t *)c->cols[0].data)[k] = first + (int64_t)k;
        char text[64];
        int len = snprintf(text, sizeof text, "value number %lld, long enough",
                           (long long)(first + (int64_t)k));
        assert_int_equal(vector_add_string(&c->cols[1], text, (size_t)len,
                                           &((StringView *)c->cols[1].data)[k], &err),
                         BS_OK);
    }
    c->n_rows = n;
    return c;
}

static void test_single_producer(void **state)
{
    (void)state;
    Error err = ERROR_INIT;
    LogicalType types[2] = {type_make(TYPE_BIGINT), type_make(TYPE_VARCHAR)};
    LocalExchange *x = local_exchange_create(types, 2, 0, 1 << 20, NULL, &err);
    assert_non_null(x);
    local_exchange_add_producers(x, 1);
    ExchangeSink *sink = local_exchange_sink(x);
    ExchangeSource *source = local_exchange_source(x, &err);
    Arena *arena = arena_create(NULL, NULL, 0);
    idx_t n = BASALT_VECTOR_SIZE < 4 ? BASALT_VECTOR_SIZE : 4;
    for (int k = 0; k < 3; k++) {
        Chunk *c = make_chunk(arena, k * 100, n);
        assert_int_equal(sink->send(sink, c, &err), BS_OK);
        chunk_reset(c); /* the exchange copied it */
    }
    Chunk *out;
    Future *blocked;
    for (int k = 0; k < 3; k++) {
        assert_int_equal(source->next(source, &out, &blocked, &err), BS_OK);
        assert_non_null(out);
        assert_null(blocked);
        assert_int_equal(out->n_rows, n);
        Value v;
        vector_get_value(&out->cols[0], n - 1, &v);
        assert_int_equal(v.u.i64, k * 100 + (int64_t)n - 1);
        vector_get_value(&out->cols[1], 0, &v);
        char want[64];
        snprintf(want, sizeof want, "value number %d, long enough", k * 100);
        assert_int_equal(v.u.str.len, strlen(want));
        assert_memory_equal(v.u.str.data, want, v.u.str.len);
    }
    /* Empty but a producer is still there: a future to wait on. */
    assert_int_equal(source->next(source, &out, &blocked, &err), BS_OK);
    assert_null(out);
    assert_non_null(blocked);
    assert_false(future_is_done(blocked));
    sink->no_more(sink);
    assert_true(future_is_done(blocked)); /* the end of input wakes the consumer */
    future_release(blocked);
    assert_int_equal(source->next(source, &out, &blocked, &err), BS_OK);
    assert_null(out);
    assert_null(blocked); /* finished */
    source->close(source);
    local_exchange_destroy(x);
    arena_destroy(arena);
}

static void test_back_pressure_and_abort(void **state)
{
    (void)state;
    Error err = ERROR_INIT;
    LogicalType types[2] = {type_make(TYPE_BIGINT), type_make(TYPE_VARCHAR)};
    /* A tiny limit: one chunk fills it. */
    LocalExchange *x = local_exchange_create(types, 2, 2, 1, NULL, &err);
    ExchangeSink *sink = local_exchange_sink(x);
    ExchangeSource *source = local_exchange_source(x, &err);
    Arena *arena = arena_create(NULL, NULL, 0);
    assert_null(sink->is_blocked(sink));
    Chunk *c = make_chunk(arena, 0, 1);
    assert_int_equal(sink->send(sink, c, &err), BS_OK);
    Future *full = sink->is_blocked(sink);
    assert_non_null(full);
    assert_false(future_is_done(full));
    Chunk *out;
    Future *blocked;
    assert_int_equal(source->next(source, &out, &blocked, &err), BS_OK);
    assert_non_null(out);
    assert_true(future_is_done(full)); /* taking a chunk makes room */
    future_release(full);
    assert_null(sink->is_blocked(sink));
    /* A consumer waiting on an empty queue is woken by an abort, which then fails reads. */
    assert_int_equal(source->next(source, &out, &blocked, &err), BS_OK);
    assert_non_null(blocked);
    local_exchange_abort(x);
    assert_true(future_is_done(blocked));
    future_release(blocked);
    assert_int_equal(source->next(source, &out, &blocked, &err), BS_ERROR);
    assert_string_equal(err.sqlstate, "57014");
    error_clear(&err);
    assert_int_equal(sink->send(sink, c, &err), BS_ERROR);
    error_clear(&err);
    source->close(source);
    local_exchange_destroy(x);
    arena_destroy(arena);
}

typedef struct Producer {
    ExchangeSink *sink;
    int id;
    int chunks;
} Producer;

static void *produce(void *arg)
{
    Producer *p = arg;
    Arena *arena = arena_create(NULL, NULL, 0);
    Error err = ERROR_INIT;
    for (int k = 0; k < p->chunks; k++) {
        /* Wait for room like a driver would (here by blocking on the future). */
        Future *f;
        while ((f = p->sink->is_blocked(p->sink))) {
            future_wait(f);
            future_release(f);
        }
        Chunk *c =
            make_chunk(arena, (int64_t)p->id * 1000000 + k * 10, 2 <= BASALT_VECTOR_SIZE ? 2 : 1);
        assert_int_equal(p->sink->send(p->sink, c, &err), BS_OK);
        chunk_destroy(c);
    }
    p->sink->no_more(p->sink);
    arena_destroy(arena);
    return NULL;
}

static void test_many_producers(void **state)
{
    (void)state;
    Error err = ERROR_INIT;
    LogicalType types[2] = {type_make(TYPE_BIGINT), type_make(TYPE_VARCHAR)};
    LocalExchange *x = local_exchange_create(types, 2, 4, 4096, NULL, &err);
    ExchangeSink *sink = local_exchange_sink(x);
    ExchangeSource *source = local_exchange_source(x, &err);
    pthread_t threads[4];
    Producer producers[4];
    for (int k = 0; k < 4; k++) {
        producers[k] = (Producer){sink, k, 500};
        pthread_create(&threads[k], NULL, produce, &producers[k]);
    }
    int next[4] = {0, 0, 0, 0};
    int total = 0;
    for (;;) {
        Chunk *out;
        Future *blocked;
        assert_int_equal(source->next(source, &out, &blocked, &err), BS_OK);
        if (blocked) {
            future_wait(blocked);
            future_release(blocked);
            continue;
        }
        if (!out) break;
        Value v;
        vector_get_value(&out->cols[0], 0, &v);
        int producer = (int)(v.u.i64 / 1000000), k = (int)(v.u.i64 % 1000000) / 10;
        assert_int_equal(k, next[producer]); /* each producer's chunks arrive in order */
        next[producer]++;
        total++;
    }
    for (int k = 0; k < 4; k++)
        pthread_join(threads[k], NULL);
    assert_int_equal(total, 2000);
    source->close(source);
    local_exchange_destroy(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_producer),
        cmocka_unit_test(test_back_pressure_and_abort),
        cmocka_unit_test(test_many_producers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
