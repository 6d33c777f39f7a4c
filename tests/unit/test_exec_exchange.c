/*
 * Unit tests: the in-process exchange — order and completeness across producers,
 * back-pressure futures, the end of input, abort waking every waiter, partitions,
 * broadcast, ordered gathering, and consumers that stop early ("no more rows needed").
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
    LocalExchange *x = local_exchange_create(types, 2, 1, false, 1 << 20, NULL, &err);
    assert_non_null(x);
    local_exchange_add_producers(x, 1);
    ExchangeSink *sink = local_exchange_sink(x);
    ExchangeSource *source = local_exchange_source(x, 0, &err);
    Arena *arena = arena_create(NULL, NULL, 0);
    idx_t n = BASALT_VECTOR_SIZE < 4 ? BASALT_VECTOR_SIZE : 4;
    for (int k = 0; k < 3; k++) {
        Chunk *c = make_chunk(arena, k * 100, n);
        assert_int_equal(sink->send(sink, 0, c, &err), BS_OK);
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
    sink->no_more(sink, 0);
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
    LocalExchange *x = local_exchange_create(types, 2, 1, false, 1, NULL, &err);
    local_exchange_add_producers(x, 2);
    ExchangeSink *sink = local_exchange_sink(x);
    ExchangeSource *source = local_exchange_source(x, 0, &err);
    Arena *arena = arena_create(NULL, NULL, 0);
    assert_null(sink->is_blocked(sink, 0));
    Chunk *c = make_chunk(arena, 0, 1);
    assert_int_equal(sink->send(sink, 0, c, &err), BS_OK);
    Future *full = sink->is_blocked(sink, 0);
    assert_non_null(full);
    assert_false(future_is_done(full));
    Chunk *out;
    Future *blocked;
    assert_int_equal(source->next(source, &out, &blocked, &err), BS_OK);
    assert_non_null(out);
    assert_true(future_is_done(full)); /* taking a chunk makes room */
    future_release(full);
    assert_null(sink->is_blocked(sink, 0));
    /* A consumer waiting on an empty queue is woken by an abort, which then fails reads. */
    assert_int_equal(source->next(source, &out, &blocked, &err), BS_OK);
    assert_non_null(blocked);
    local_exchange_abort(x);
    assert_true(future_is_done(blocked));
    future_release(blocked);
    assert_int_equal(source->next(source, &out, &blocked, &err), BS_ERROR);
    assert_string_equal(err.sqlstate, "57014");
    error_clear(&err);
    assert_int_equal(sink->send(sink, 0, c, &err), BS_ERROR);
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
        while ((f = p->sink->is_blocked(p->sink, 0))) {
            future_wait(f);
            future_release(f);
        }
        Chunk *c =
            make_chunk(arena, (int64_t)p->id * 1000000 + k * 10, 2 <= BASALT_VECTOR_SIZE ? 2 : 1);
        assert_int_equal(p->sink->send(p->sink, 0, c, &err), BS_OK);
        chunk_destroy(c);
    }
    p->sink->no_more(p->sink, p->id);
    arena_destroy(arena);
    return NULL;
}

static void test_many_producers(void **state)
{
    (void)state;
    Error err = ERROR_INIT;
    LogicalType types[2] = {type_make(TYPE_BIGINT), type_make(TYPE_VARCHAR)};
    LocalExchange *x = local_exchange_create(types, 2, 1, false, 4096, NULL, &err);
    local_exchange_add_producers(x, 4);
    ExchangeSink *sink = local_exchange_sink(x);
    ExchangeSource *source = local_exchange_source(x, 0, &err);
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

/* Reads every chunk a source has now, returning the sum of column 0; *ended at the end. */
static int64_t drain(ExchangeSource *source, int *chunks, bool *ended)
{
    Error err = ERROR_INIT;
    int64_t sum = 0;
    *ended = false;
    for (;;) {
        Chunk *out;
        Future *blocked;
        assert_int_equal(source->next(source, &out, &blocked, &err), BS_OK);
        if (blocked) {
            future_release(blocked);
            return sum;
        }
        if (!out) {
            *ended = true;
            return sum;
        }
        (*chunks)++;
        for (idx_t r = 0; r < out->n_rows; r++) {
            Value v;
            vector_get_value(&out->cols[0], r, &v);
            sum += v.u.i64;
        }
    }
}

static void test_partitions_and_broadcast(void **state)
{
    (void)state;
    Error err = ERROR_INIT;
    LogicalType types[2] = {type_make(TYPE_BIGINT), type_make(TYPE_VARCHAR)};
    LocalExchange *x = local_exchange_create(types, 2, 3, false, 1 << 20, NULL, &err);
    assert_non_null(x);
    local_exchange_add_producers(x, 1);
    ExchangeSink *sink = local_exchange_sink(x);
    assert_int_equal(sink->n_partitions, 3);
    ExchangeSource *src[3];
    for (int k = 0; k < 3; k++)
        src[k] = local_exchange_source(x, k, &err);
    assert_null(local_exchange_source(x, 3, &err)); /* no such partition */
    assert_string_equal(err.sqlstate, "XX000");
    error_clear(&err);
    Arena *arena = arena_create(NULL, NULL, 0);
    Chunk *c = make_chunk(arena, 10, 1);
    assert_int_equal(sink->send(sink, 1, c, &err), BS_OK);                       /* to 1 */
    assert_int_equal(sink->send(sink, EXCHANGE_ALL_PARTITIONS, c, &err), BS_OK); /* to all */
    assert_int_equal(sink->send(sink, 3, c, &err), BS_ERROR);
    error_clear(&err);
    sink->no_more(sink, 0);
    int64_t want[3] = {10, 20, 10};
    for (int k = 0; k < 3; k++) {
        int chunks = 0;
        bool ended;
        assert_int_equal(drain(src[k], &chunks, &ended), want[k]);
        assert_true(ended);
        src[k]->close(src[k]);
    }
    local_exchange_destroy(x);
    arena_destroy(arena);
}

static void test_ordered_gather(void **state)
{
    (void)state;
    Error err = ERROR_INIT;
    LogicalType types[2] = {type_make(TYPE_BIGINT), type_make(TYPE_VARCHAR)};
    /* Three producers; the consumer must see producer 0's rows, then 1's, then 2's, whatever
       the order they were sent in. */
    LocalExchange *x = local_exchange_create(types, 2, 3, true, 1 << 20, NULL, &err);
    local_exchange_add_producers(x, 3);
    ExchangeSink *sink = local_exchange_sink(x);
    ExchangeSource *source = local_exchange_source(x, 0, &err);
    Arena *arena = arena_create(NULL, NULL, 0);
    assert_int_equal(sink->send(sink, 2, make_chunk(arena, 200, 1), &err), BS_OK);
    assert_int_equal(sink->send(sink, 1, make_chunk(arena, 100, 1), &err), BS_OK);
    sink->no_more(sink, 2);
    Chunk *out;
    Future *blocked;
    /* Producer 0 has sent nothing and is not done: the consumer waits for it. */
    assert_int_equal(source->next(source, &out, &blocked, &err), BS_OK);
    assert_null(out);
    assert_non_null(blocked);
    assert_int_equal(sink->send(sink, 0, make_chunk(arena, 0, 1), &err), BS_OK);
    assert_true(future_is_done(blocked));
    future_release(blocked);
    sink->no_more(sink, 0);
    int64_t expect[] = {0, 100};
    for (int k = 0; k < 2; k++) {
        assert_int_equal(source->next(source, &out, &blocked, &err), BS_OK);
        assert_non_null(out);
        Value v;
        vector_get_value(&out->cols[0], 0, &v);
        assert_int_equal(v.u.i64, expect[k]);
    }
    /* Producer 1 is not done: wait, even though producer 2's rows are there. */
    assert_int_equal(source->next(source, &out, &blocked, &err), BS_OK);
    assert_null(out);
    assert_non_null(blocked);
    sink->no_more(sink, 1);
    assert_true(future_is_done(blocked));
    future_release(blocked);
    assert_int_equal(source->next(source, &out, &blocked, &err), BS_OK);
    assert_non_null(out);
    Value v;
    vector_get_value(&out->cols[0], 0, &v);
    assert_int_equal(v.u.i64, 200);
    assert_int_equal(source->next(source, &out, &blocked, &err), BS_OK);
    assert_null(out);
    assert_null(blocked);
    source->close(source);
    local_exchange_destroy(x);
    arena_destroy(arena);
}

/*
 * The consumer stops early while producers are parked on a full exchange: closing its
 * handle wakes them, the sink says it is finished, and further rows are dropped — the
 * hang of `select * from lineitem limit 1000000` was this case.
 */
static void test_consumer_stops_early(void **state)
{
    (void)state;
    Error err = ERROR_INIT;
    LogicalType types[2] = {type_make(TYPE_BIGINT), type_make(TYPE_VARCHAR)};
    LocalExchange *x = local_exchange_create(types, 2, 2, false, 2, NULL, &err);
    local_exchange_add_producers(x, 2);
    ExchangeSink *sink = local_exchange_sink(x);
    ExchangeSource *a = local_exchange_source(x, 0, &err);
    ExchangeSource *b = local_exchange_source(x, 0, &err);
    ExchangeSource *c = local_exchange_source(x, 1, &err);
    Arena *arena = arena_create(NULL, NULL, 0);
    Chunk *chunk = make_chunk(arena, 5, 1);
    for (int k = 0; k < 4; k++)
        assert_int_equal(sink->send(sink, k % 2, chunk, &err), BS_OK);
    Future *full0 = sink->is_blocked(sink, 0), *full_any = sink->is_blocked(sink, -1);
    assert_non_null(full0);
    assert_non_null(full_any);
    assert_false(sink->is_finished(sink));
    /* One of partition 0's two readers leaves: the other still needs its rows. */
    a->close(a);
    assert_false(future_is_done(full0));
    b->close(b); /* partition 0 has no readers left: its rows are dropped, producers wake */
    assert_true(future_is_done(full0));
    future_release(full0);
    assert_null(sink->is_blocked(sink, 0));
    assert_false(sink->is_finished(sink));
    assert_int_equal(sink->send(sink, 0, chunk, &err), BS_OK); /* dropped, not an error */
    assert_false(local_exchange_finished(x));
    c->close(c); /* the last reader: the exchange is finished */
    assert_true(sink->is_finished(sink));
    assert_true(local_exchange_finished(x));
    assert_true(future_is_done(full_any));
    future_release(full_any);
    assert_null(sink->is_blocked(sink, -1));
    assert_int_equal(sink->send(sink, 1, chunk, &err), BS_OK);
    sink->no_more(sink, 0);
    sink->no_more(sink, 1);
    local_exchange_destroy(x);
    arena_destroy(arena);
}

typedef struct Flood {
    ExchangeSink *sink;
    int sent;
} Flood;

/* Sends until the sink says nobody needs more, waiting for room like a driver would. */
static void *flood(void *arg)
{
    Flood *f = arg;
    Arena *arena = arena_create(NULL, NULL, 0);
    Error err = ERROR_INIT;
    Chunk *c = make_chunk(arena, 1, BASALT_VECTOR_SIZE);
    while (!f->sink->is_finished(f->sink)) {
        Future *full = f->sink->is_blocked(f->sink, 0);
        if (full) {
            future_wait(full);
            future_release(full);
            continue;
        }
        assert_int_equal(f->sink->send(f->sink, 0, c, &err), BS_OK);
        f->sent++;
    }
    f->sink->no_more(f->sink, 0);
    arena_destroy(arena);
    return NULL;
}

/* Producers that would never end stop once the only reader has had enough. */
static void test_endless_producers_stop(void **state)
{
    (void)state;
    Error err = ERROR_INIT;
    LogicalType types[2] = {type_make(TYPE_BIGINT), type_make(TYPE_VARCHAR)};
    LocalExchange *x = local_exchange_create(types, 2, 1, false, 64 << 10, NULL, &err);
    local_exchange_add_producers(x, 3);
    ExchangeSource *source = local_exchange_source(x, 0, &err);
    pthread_t threads[3];
    Flood floods[3];
    for (int k = 0; k < 3; k++) {
        floods[k] = (Flood){local_exchange_sink(x), 0};
        pthread_create(&threads[k], NULL, flood, &floods[k]);
    }
    int taken = 0;
    while (taken < 50) {
        Chunk *out;
        Future *blocked;
        assert_int_equal(source->next(source, &out, &blocked, &err), BS_OK);
        if (blocked) {
            future_wait(blocked);
            future_release(blocked);
            continue;
        }
        assert_non_null(out);
        taken++;
    }
    source->close(source);
    for (int k = 0; k < 3; k++)
        pthread_join(threads[k], NULL); /* hangs here if the producers are not told */
    int sent = floods[0].sent + floods[1].sent + floods[2].sent;
    assert_true(sent >= 50);
    local_exchange_destroy(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_producer),
        cmocka_unit_test(test_back_pressure_and_abort),
        cmocka_unit_test(test_many_producers),
        cmocka_unit_test(test_partitions_and_broadcast),
        cmocka_unit_test(test_ordered_gather),
        cmocka_unit_test(test_consumer_stops_early),
        cmocka_unit_test(test_endless_producers_stop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
