/*
 * Unit tests: network exchanges (server/worker/remote_exchange.c) over loopback — an
 * OutputBuffer served on a listener, RemoteInputs pulling from it: every row arrives once
 * through a buffer far smaller than the data (the producer waits: back-pressure), a
 * consumer that stops early makes the sink finished, a page sent twice is taken once, a
 * lost connection fails the input naming the worker, and a failed task's buffer never
 * tells its consumers they have everything.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "net/native_proto.h"
#include "server/worker/remote_exchange.h"
#include "storage/storage.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* What the listener serves: one buffer (task 1), or with `resend` pages it makes itself,
   each answer repeating the page before the token (a duplicate the input must drop). */
typedef struct Server {
    EventLoop *loop;
    Listener *listener;
    int port;
    OutputBuffer *buf;
    bool resend;
    int n_pages;       /* resend: pages 0..n_pages-1, page k holds the one value k */
    Connection *last;  /* the last accepted connection (retained) */
    atomic_int aborts; /* BUFFER_ABORTs seen */
} Server;

static Server srv;
static const LogicalType BIGINT_TYPE = {.id = TYPE_BIGINT};

static void encode_value(int64_t v, Buffer *out)
{
    Error err = ERROR_INIT;
    Arena *a = arena_create(NULL, NULL, 0);
    Chunk *c = chunk_create(a, &BIGINT_TYPE, 1, &err);
    ((int64_t *)c->cols[0].data)[0] = v;
    c->n_rows = 1;
    PageEncoder *enc;
    assert_int_equal(page_encoder_create(NULL, NULL, &enc, &err), BS_OK);
    assert_int_equal(page_encode(enc, c, out, &err), BS_OK);
    page_encoder_destroy(enc);
    arena_destroy(a);
}

static void resend_answer(Connection *conn, const TpPagesGet *g)
{
    Buffer out;
    buffer_init(&out);
    uint64_t first = g->token > 0 ? g->token - 1 : 0; /* one page again */
    uint64_t last = g->token + 1 < (uint64_t)srv.n_pages ? g->token + 1 : (uint64_t)srv.n_pages;
    TpPagesHeader h = {.reader_id = g->reader_id,
                       .token = first,
                       .complete = last == (uint64_t)srv.n_pages,
                       .n_pages = (uint32_t)(last - first)};
    tp_put_pages_header(&out, &h);
    for (uint64_t k = first; k < last; k++) {
        Buffer page;
        buffer_init(&page);
        encode_value((int64_t)k, &page);
        buffer_put_lstring(&out, (const char *)page.data, page.len);
        buffer_free(&page);
    }
    Error err = ERROR_INIT;
    conn_send(conn, TP_PAGES, 0, out.data, out.len, &err);
    error_clear(&err);
    buffer_free(&out);
}

static void on_frame(Connection *conn, Frame *f, void *user)
{
    (void)user;
    Error err = ERROR_INIT;
    if (f->type == TP_PAGES_GET) {
        TpPagesGet g;
        assert_int_equal(tp_get_pages_get(f->payload, f->len, &g, &err), BS_OK);
        assert_true(g.task_id == 1 && g.query_id == 9);
        if (srv.resend)
            resend_answer(conn, &g);
        else
            output_buffer_get(srv.buf, conn, &g);
    } else if (f->type == TP_BUFFER_ABORT) {
        uint64_t q, t;
        uint32_t p;
        assert_int_equal(tp_get_buffer_abort(f->payload, f->len, &q, &t, &p, &err), BS_OK);
        atomic_fetch_add(&srv.aborts, 1);
        if (srv.buf) output_buffer_abort_partition(srv.buf, p);
    }
}

static void on_close(Connection *conn, const Error *err, void *user)
{
    (void)err;
    (void)user;
    conn_release(conn);
}

static void on_accept(Listener *l, Connection *conn, void *user)
{
    (void)l;
    (void)user;
    if (srv.last) conn_release(srv.last);
    conn_retain(conn);
    srv.last = conn;
}

static void start_server(OutputBuffer *buf, bool resend, int n_pages)
{
    Error err = ERROR_INIT;
    memset(&srv, 0, sizeof srv);
    srv.buf = buf;
    srv.resend = resend;
    srv.n_pages = n_pages;
    srv.loop = loop_create("test", &err);
    assert_non_null(srv.loop);
    ListenOptions opts = {.on_accept = on_accept,
                          .callbacks = {.on_frame = on_frame, .on_close = on_close}};
    srv.listener = listener_open(srv.loop, "127.0.0.1", 0, &opts, &err);
    assert_non_null(srv.listener);
    srv.port = listener_port(srv.listener);
}

static void stop_server(void)
{
    listener_close(srv.listener);
    if (srv.last) conn_release(srv.last);
    srv.last = NULL;
    loop_destroy(srv.loop);
}

static RemoteInput *open_input(PeerPool *pool, uint32_t partition, int64_t max_bytes)
{
    char address[64];
    snprintf(address, sizeof address, "127.0.0.1:%d", srv.port);
    TpProducer p = {address, "worker-7", 1};
    Error err = ERROR_INIT;
    RemoteInput *in =
        remote_input_create(pool, 9, &p, 1, partition, &BIGINT_TYPE, 1, max_bytes, NULL, &err);
    assert_non_null(in);
    return in;
}

/* Reads one chunk (waiting as the driver would); false at the end; fails the test on error
   unless `want_error` (then *err holds it). */
static bool read_chunk(ExchangeSource *h, Chunk **out, Error *err)
{
    for (;;) {
        Future *blocked = NULL;
        if (h->next(h, out, &blocked, err) != BS_OK) return false;
        if (*out) return true;
        if (!blocked) return false;
        assert_true(future_wait_for(blocked, 10000));
        future_release(blocked);
    }
}

/* One producer buffer of one partition served on loopback, one input reading it and one
   driver's handle on the input (buf NULL: the server makes its own pages, `resend`). */
typedef struct Rig {
    OutputBuffer *buf;
    PeerPool *pool;
    RemoteInput *in;
    ExchangeSource *h;
} Rig;

static Rig open_rig(int64_t buffer_bytes, int64_t input_bytes, bool resend, int n_pages)
{
    Error err = ERROR_INIT;
    Rig r = {0};
    if (buffer_bytes > 0) {
        r.buf = output_buffer_create(1, buffer_bytes, 0, NULL, &err);
        output_buffer_add_producers(r.buf, 1);
    }
    start_server(r.buf, resend, n_pages);
    r.pool = peer_pool_create(srv.loop, &err);
    r.in = open_input(r.pool, 0, input_bytes);
    r.h = remote_input_open(r.in, &err);
    assert_non_null(r.h);
    return r;
}

static void close_rig(Rig *r)
{
    r->h->close(r->h);
    remote_input_destroy(r->in);
    peer_pool_destroy(r->pool);
    stop_server();
    if (r->buf) output_buffer_destroy(r->buf);
}

/* The producer: n chunks of `rows` values each to partition k % parts (all: -1). */
typedef struct Producer {
    OutputBuffer *buf;
    int n_chunks, rows, parts;
    int waits;    /* times it had to wait for room */
    bool stopped; /* the sink said finished */
} Producer;

static void *produce(void *arg)
{
    Producer *p = arg;
    ExchangeSink *sink = output_buffer_sink(p->buf);
    Error err = ERROR_INIT;
    Arena *a = arena_create(NULL, NULL, 0);
    Chunk *c = chunk_create(a, &BIGINT_TYPE, 1, &err);
    int64_t v = 0;
    for (int k = 0; k < p->n_chunks; k++) {
        if (sink->is_finished(sink)) {
            p->stopped = true;
            break;
        }
        int part = p->parts > 1 ? k % p->parts : 0;
        Future *f = sink->is_blocked(sink, part);
        if (f) {
            p->waits++;
            assert_true(future_wait_for(f, 10000));
            future_release(f);
        }
        for (int r = 0; r < p->rows; r++)
            ((int64_t *)c->cols[0].data)[r] = v++;
        c->n_rows = (idx_t)p->rows;
        assert_int_equal(sink->send(sink, part, c, &err), BS_OK);
    }
    sink->no_more(sink, 0);
    arena_destroy(a);
    return NULL;
}

static void test_every_row_once_with_back_pressure(void **state)
{
    (void)state;
    Error err = ERROR_INIT;
    /* 64 KB of buffer for about 16 MB of values, in two partitions. */
    OutputBuffer *buf = output_buffer_create(2, 64 << 10, 0, NULL, &err);
    output_buffer_add_producers(buf, 1);
    start_server(buf, false, 0);
    PeerPool *pool = peer_pool_create(srv.loop, &err);
    RemoteInput *in[2] = {open_input(pool, 0, 32 << 10), open_input(pool, 1, 32 << 10)};
    ExchangeSource *h[2] = {remote_input_open(in[0], &err), remote_input_open(in[1], &err)};
    int rows = BASALT_VECTOR_SIZE < 1024 ? BASALT_VECTOR_SIZE : 1024;
    Producer p = {.buf = buf, .n_chunks = 2048, .rows = rows, .parts = 2};
    pthread_t t;
    pthread_create(&t, NULL, produce, &p);
    int64_t sum = 0, count = 0;
    bool done[2] = {false, false};
    while (!done[0] || !done[1]) {
        for (int k = 0; k < 2; k++) {
            if (done[k]) continue;
            Chunk *c;
            if (!read_chunk(h[k], &c, &err)) {
                assert_false(error_is_set(&err));
                done[k] = true;
                continue;
            }
            for (idx_t r = 0; r < c->n_rows; r++)
                sum += ((int64_t *)c->cols[0].data)[r];
            count += (int64_t)c->n_rows;
        }
        /* The task ends once it has sent everything: only then is a partition complete. */
        if (p.n_chunks && count == (int64_t)p.n_chunks * rows) output_buffer_task_done(buf, true);
    }
    pthread_join(t, NULL);
    int64_t n = (int64_t)p.n_chunks * rows;
    assert_true(count == n);
    assert_true(sum == n * (n - 1) / 2);
    assert_true(p.waits > 0); /* the buffer filled: the producer waited for the consumers */
    for (int k = 0; k < 2; k++) {
        h[k]->close(h[k]);
        remote_input_destroy(in[k]);
    }
    peer_pool_destroy(pool);
    stop_server();
    output_buffer_destroy(buf);
}

static void test_early_close_finishes_the_sink(void **state)
{
    (void)state;
    Error err = ERROR_INIT;
    Rig r = open_rig(64 << 10, 32 << 10, false, 0);
    Producer p = {.buf = r.buf, .n_chunks = 1 << 20, .rows = 1, .parts = 1};
    pthread_t t;
    pthread_create(&t, NULL, produce, &p);
    Chunk *c;
    assert_true(read_chunk(r.h, &c, &err));
    assert_true(((int64_t *)c->cols[0].data)[0] == 0);
    r.h->close(r.h); /* a LIMIT met: no more rows needed (closing again in close_rig is a no-op) */
    pthread_join(t, NULL);
    assert_true(p.stopped); /* the producer stopped long before its million chunks */
    assert_true(atomic_load(&srv.aborts) == 1);
    close_rig(&r);
}

static void test_duplicates_dropped(void **state)
{
    (void)state;
    Error err = ERROR_INIT;
    Rig r = open_rig(0, 1 << 20, true, 50);
    int64_t next = 0;
    Chunk *c;
    while (read_chunk(r.h, &c, &err)) {
        assert_int_equal(c->n_rows, 1);
        assert_true(((int64_t *)c->cols[0].data)[0] == next); /* in order, each once */
        next++;
    }
    assert_false(error_is_set(&err));
    assert_true(next == 50);
    close_rig(&r);
}

static void abort_last(void *arg)
{
    (void)arg;
    conn_abort(srv.last);
}

static void test_lost_connection_names_the_worker(void **state)
{
    (void)state;
    Error err = ERROR_INIT;
    Rig r = open_rig(64 << 10, 32 << 10, false, 0);
    /* Wait for the request to arrive, then the "worker" drops the connection. */
    for (int k = 0; k < 500 && !srv.last; k++)
        usleep(10000);
    assert_non_null(srv.last);
    loop_call(srv.loop, abort_last, NULL);
    Chunk *c;
    assert_false(read_chunk(r.h, &c, &err));
    assert_string_equal(err.sqlstate, NET_SQLSTATE_CONNECTION_FAILURE);
    assert_non_null(strstr(err.message, "worker-7"));
    error_clear(&err);
    close_rig(&r);
}

static void test_failed_task_is_never_complete(void **state)
{
    (void)state;
    Error err = ERROR_INIT;
    Rig r = open_rig(1 << 20, 1 << 20, false, 0);
    Producer p = {.buf = r.buf, .n_chunks = 3, .rows = 1, .parts = 1};
    produce(&p);                           /* its drivers ended: no_more */
    output_buffer_task_done(r.buf, false); /* but the task failed */
    /* Whatever pages arrive, the input must not reach its end. */
    int got = 0;
    for (int k = 0; k < 20; k++) {
        Future *blocked = NULL;
        Chunk *c = NULL;
        assert_int_equal(r.h->next(r.h, &c, &blocked, &err), BS_OK);
        if (c) {
            got++;
            continue;
        }
        assert_non_null(blocked); /* still waiting, never "done" */
        future_wait_for(blocked, 20);
        future_release(blocked);
    }
    assert_true(got <= 3);
    /* The coordinator fails it. */
    Error why = ERROR_INIT;
    error_set(&why, "XX000", -1, "task failed on worker-7");
    remote_input_fail(r.in, &why);
    error_clear(&why);
    Chunk *c;
    assert_false(read_chunk(r.h, &c, &err));
    assert_string_equal(err.message, "task failed on worker-7");
    error_clear(&err);
    close_rig(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_row_once_with_back_pressure),
        cmocka_unit_test(test_early_close_finishes_the_sink),
        cmocka_unit_test(test_duplicates_dropped),
        cmocka_unit_test(test_lost_connection_names_the_worker),
        cmocka_unit_test(test_failed_task_is_never_complete),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
