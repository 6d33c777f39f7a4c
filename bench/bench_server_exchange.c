/*
 * bench_server_exchange — throughput of a repartitioning network exchange on loopback:
 * MB/s of pages and rows/s from a producer's OutputBuffer to RemoteInputs, as between two
 * workers (each side has its own event loop, as two processes would; the bytes go through
 * the kernel's TCP loopback).
 *
 * The producer thread makes chunks of lineitem-like rows (three BIGINTs, a DOUBLE, a short
 * VARCHAR), hashes them into 2 partitions on the first column as the exchange sink does,
 * (the hash differs from the sink operator's; the split is as even) and sends each slice
 * (page_encode on its thread, as on a driver's); one consumer thread per partition pulls and
 * decodes. Printed per page compression (none, zstd 1).
 *
 *   bench_server_exchange [million-rows]     (default 20)
 */
#include "common/alloc.h"
#include "common/hash.h"
#include "server/worker/remote_exchange.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PARTS 2

typedef struct Serve {
    OutputBuffer *buf;
} Serve;

static void on_frame(Connection *conn, Frame *f, void *user)
{
    Serve *s = user;
    Error err = ERROR_INIT;
    if (f->type == TP_PAGES_GET) {
        TpPagesGet g;
        if (tp_get_pages_get(f->payload, f->len, &g, &err) == BS_OK)
            output_buffer_get(s->buf, conn, &g);
    } else if (f->type == TP_BUFFER_ABORT) {
        uint64_t q, t;
        uint32_t p;
        if (tp_get_buffer_abort(f->payload, f->len, &q, &t, &p, &err) == BS_OK)
            output_buffer_abort_partition(s->buf, p);
    }
    error_clear(&err);
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
    conn_set_user(conn, user);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const LogicalType TYPES[5] = {{.id = TYPE_BIGINT},
                                     {.id = TYPE_BIGINT},
                                     {.id = TYPE_BIGINT},
                                     {.id = TYPE_DOUBLE},
                                     {.id = TYPE_VARCHAR}};

typedef struct Produce {
    OutputBuffer *buf;
    int64_t rows;
} Produce;

static void *produce(void *arg)
{
    Produce *p = arg;
    ExchangeSink *sink = output_buffer_sink(p->buf);
    Error err = ERROR_INIT;
    Arena *a = arena_create(NULL, NULL, 0);
    Chunk *c = chunk_create(a, TYPES, 5, &err);
    Chunk *slice = chunk_create(a, TYPES, 5, &err);
    static const char *modes[] = {"AIR", "MAIL", "RAIL", "SHIP", "TRUCK", "REG AIR", "FOB"};
    sel_t sel[BASALT_VECTOR_SIZE];
    uint64_t state = 42;
    for (int64_t done = 0; done < p->rows;) {
        idx_t n = BASALT_VECTOR_SIZE;
        if ((int64_t)n > p->rows - done) n = (idx_t)(p->rows - done);
        chunk_reset(c);
        for (idx_t r = 0; r < n; r++) {
            state = state * 6364136223846793005ULL + 1442695040888963407ULL;
            int64_t key = done + (int64_t)r;
            ((int64_t *)c->cols[0].data)[r] = key;
            ((int64_t *)c->cols[1].data)[r] = (int64_t)(state >> 44);
            ((int64_t *)c->cols[2].data)[r] = (int64_t)(state >> 58) + 1;
            ((double *)c->cols[3].data)[r] = (double)(state >> 40) / 100.0;
            const char *m = modes[(state >> 33) % 7];
            StringView sv;
            vector_add_string(&c->cols[4], m, strlen(m), &sv, &err);
            ((StringView *)c->cols[4].data)[r] = sv;
        }
        c->n_rows = n;
        for (int part = 0; part < PARTS; part++) {
            idx_t m = 0;
            for (idx_t r = 0; r < n; r++)
                if (hash_u64((uint64_t)((int64_t *)c->cols[0].data)[r]) % PARTS == (uint64_t)part)
                    sel[m++] = (sel_t)r;
            for (int k = 0; k < 5; k++)
                vector_reference(&slice->cols[k], &c->cols[k]);
            slice->sel = sel;
            slice->n_rows = m;
            Future *f;
            while ((f = sink->is_blocked(sink, part))) {
                future_wait(f);
                future_release(f);
            }
            if (sink->send(sink, part, slice, &err) != BS_OK) {
                fprintf(stderr, "send: %s\n", err.message);
                exit(1);
            }
        }
        done += (int64_t)n;
    }
    sink->no_more(sink, 0);
    output_buffer_task_done(p->buf, true);
    arena_destroy(a);
    return NULL;
}

typedef struct Consume {
    RemoteInput *in;
    int64_t rows;
} Consume;

static void *consume(void *arg)
{
    Consume *c = arg;
    Error err = ERROR_INIT;
    ExchangeSource *h = remote_input_open(c->in, &err);
    for (;;) {
        Chunk *out = NULL;
        Future *blocked = NULL;
        if (h->next(h, &out, &blocked, &err) != BS_OK) {
            fprintf(stderr, "next: %s\n", err.message);
            exit(1);
        }
        if (out) {
            c->rows += (int64_t)out->n_rows;
            continue;
        }
        if (!blocked) break;
        future_wait(blocked);
        future_release(blocked);
    }
    h->close(h);
    return NULL;
}

static void run(int64_t rows, int zstd_level)
{
    Error err = ERROR_INIT;
    EventLoop *producer_loop = loop_create("producer", &err);
    EventLoop *consumer_loop = loop_create("consumer", &err);
    OutputBuffer *buf = output_buffer_create(PARTS, 16 << 20, zstd_level, NULL, &err);
    output_buffer_add_producers(buf, 1);
    Serve serve = {buf};
    ListenOptions opts = {.on_accept = on_accept,
                          .user = &serve,
                          .callbacks = {.on_frame = on_frame, .on_close = on_close}};
    Listener *l = listener_open(producer_loop, "127.0.0.1", 0, &opts, &err);
    if (!producer_loop || !consumer_loop || !buf || !l) {
        fprintf(stderr, "setup: %s\n", err.message);
        exit(1);
    }
    char address[64];
    snprintf(address, sizeof address, "127.0.0.1:%d", listener_port(l));
    PeerPool *pool = peer_pool_create(consumer_loop, &err);
    TpProducer prod = {address, "producer", 1};
    Consume cons[PARTS];
    pthread_t threads[PARTS + 1];
    double t0 = now_s();
    for (int k = 0; k < PARTS; k++) {
        cons[k] = (Consume){
            remote_input_create(pool, 1, &prod, 1, (uint32_t)k, TYPES, 5, 8 << 20, NULL, &err), 0};
        pthread_create(&threads[k], NULL, consume, &cons[k]);
    }
    Produce p = {buf, rows};
    pthread_create(&threads[PARTS], NULL, produce, &p);
    for (int k = 0; k <= PARTS; k++)
        pthread_join(threads[k], NULL);
    double secs = now_s() - t0;
    uint64_t sent_rows, bytes;
    output_buffer_stats(buf, &sent_rows, &bytes);
    int64_t got = 0;
    for (int k = 0; k < PARTS; k++)
        got += cons[k].rows;
    printf("repartition to %d, pages %-6s: %lld rows in %.3f s, %.1f M rows/s, %.1f MB of pages, "
           "%.0f MB/s%s\n",
           PARTS, zstd_level ? "zstd 1" : "plain", (long long)got, secs, (double)got / secs / 1e6,
           (double)bytes / 1e6, (double)bytes / 1e6 / secs, got == rows ? "" : "  ROWS LOST");
    for (int k = 0; k < PARTS; k++)
        remote_input_destroy(cons[k].in);
    peer_pool_destroy(pool);
    listener_close(l);
    loop_destroy(consumer_loop);
    loop_destroy(producer_loop);
    output_buffer_destroy(buf);
}

int main(int argc, char **argv)
{
    int64_t rows = (int64_t)(argc > 1 ? atof(argv[1]) : 20) * 1000000;
    run(rows, 0);
    run(rows, 1);
    return 0;
}
