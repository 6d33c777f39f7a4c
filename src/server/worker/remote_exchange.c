/*
 * remote_exchange.c — network exchanges: the peer pool, the consumer's RemoteInput and
 * the producer's OutputBuffer (the protocol and the threading rules are in
 * remote_exchange.h).
 */
#include "server/worker/remote_exchange.h"

#include "common/alloc.h"
#include "net/native_proto.h"
#include "storage/storage.h"

#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What one PAGES_GET asks for at most (the producer always sends at least one page). */
#define GET_MAX_BYTES (1u << 20)

/* ==== peers ==== */

typedef struct Peer {
    PeerPool *pool;
    char *address;
    Connection *conn;
    struct Peer *next;
} Peer;

typedef struct Producer Producer;

#define READER_BUCKETS 256

struct PeerPool {
    EventLoop *loop;
    pthread_mutex_t mu; /* peers, the reader table */
    Peer *peers;        /* loop thread only */
    Producer *readers[READER_BUCKETS];
    uint64_t next_reader;
};

static void input_retain(RemoteInput *in);
static void input_release(RemoteInput *in);
static void input_fail_locked_then_wake(RemoteInput *in, const Error *error);
static void on_pages(PeerPool *pool, Frame *f);

PeerPool *peer_pool_create(EventLoop *loop, Error *err)
{
    PeerPool *pool = bs_calloc(1, sizeof *pool);
    if (!pool) {
        error_oom(err);
        return NULL;
    }
    pool->loop = loop;
    pthread_mutex_init(&pool->mu, NULL);
    return pool;
}

static void close_peers(void *arg)
{
    PeerPool *pool = arg;
    for (Peer *p = pool->peers; p; p = p->next) {
        p->pool = NULL; /* its on_close frees it */
        conn_abort(p->conn);
    }
    pool->peers = NULL;
}

void peer_pool_destroy(PeerPool *pool)
{
    if (!pool) return;
    loop_call(pool->loop, close_peers, pool);
    pthread_mutex_destroy(&pool->mu);
    bs_free(pool);
}

static void peer_on_frame(Connection *conn, Frame *f, void *user)
{
    Peer *peer = user;
    if (!peer->pool) return;
    if (f->type == TP_PAGES) {
        on_pages(peer->pool, f);
        return;
    }
    /* A worker answers nothing else on this connection. */
    conn_abort(conn);
}

struct Producer {
    RemoteInput *in;
    uint64_t reader_id;
    char *address;
    char *node_id;
    uint64_t task_id;
    uint64_t token;
    bool in_flight, done;
    Peer *peer; /* the connection its last request went on (loop thread) */
    Producer *hnext;
};

static void peer_on_close(Connection *conn, const Error *err, void *user)
{
    Peer *peer = user;
    PeerPool *pool = peer->pool;
    if (pool) {
        for (Peer **pp = &pool->peers; *pp; pp = &(*pp)->next)
            if (*pp == peer) {
                *pp = peer->next;
                break;
            }
        /* Every input still waiting for a page through it has lost its producer. */
        Error e = ERROR_INIT;
        RemoteInput **failed = NULL;
        const char *node = NULL;
        int n_failed = 0, cap = 0;
        pthread_mutex_lock(&pool->mu);
        for (int b = 0; b < READER_BUCKETS; b++)
            for (Producer *p = pool->readers[b]; p; p = p->hnext) {
                if (p->peer != peer) continue;
                p->peer = NULL;
                bool seen = false;
                for (int k = 0; k < n_failed; k++)
                    seen |= failed[k] == p->in;
                if (seen) continue;
                if (n_failed == cap) {
                    int grown_cap = cap ? cap * 2 : 8;
                    RemoteInput **grown = bs_realloc(failed, sizeof *failed * (size_t)grown_cap);
                    if (!grown) continue; /* out of memory: its own failure will show */
                    failed = grown;
                    cap = grown_cap;
                }
                input_retain(p->in);
                failed[n_failed++] = p->in;
                if (!node && p->node_id[0]) node = p->node_id;
            }
        error_set(&e, NET_SQLSTATE_CONNECTION_FAILURE, -1,
                  "lost the connection to worker %s (%s): %s", node ? node : peer->address,
                  peer->address, err && err->message ? err->message : "it closed the connection");
        pthread_mutex_unlock(&pool->mu);
        for (int k = 0; k < n_failed; k++) {
            input_fail_locked_then_wake(failed[k], &e);
            input_release(failed[k]);
        }
        bs_free(failed);
        error_clear(&e);
    }
    conn_release(conn);
    bs_free(peer->address);
    bs_free(peer);
}

/* Loop thread: the connection to `address`, made if there is none. NULL with err set. */
static Peer *peer_get(PeerPool *pool, const char *address, Error *err)
{
    for (Peer *p = pool->peers; p; p = p->next)
        if (strcmp(p->address, address) == 0) return p;
    const char *colon = strrchr(address, ':');
    char *end = NULL;
    long port = colon ? strtol(colon + 1, &end, 10) : 0;
    if (!colon || colon == address || !end || *end || port <= 0 || port > 65535) {
        error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "bad worker address \"%s\"", address);
        return NULL;
    }
    char host[160];
    snprintf(host, sizeof host, "%.*s", (int)(colon - address), address);
    Peer *peer = bs_calloc(1, sizeof *peer);
    if (peer) peer->address = bs_strdup(address);
    if (!peer || !peer->address) {
        bs_free(peer);
        error_oom(err);
        return NULL;
    }
    peer->pool = pool;
    ConnCallbacks cb = {.on_frame = peer_on_frame, .on_close = peer_on_close};
    peer->conn = conn_connect(pool->loop, host, (int)port, &cb, peer, NULL, err);
    if (!peer->conn) {
        bs_free(peer->address);
        bs_free(peer);
        return NULL;
    }
    peer->next = pool->peers;
    pool->peers = peer;
    return peer;
}

static void register_reader(PeerPool *pool, Producer *p)
{
    pthread_mutex_lock(&pool->mu);
    p->reader_id = ++pool->next_reader;
    Producer **bucket = &pool->readers[p->reader_id % READER_BUCKETS];
    p->hnext = *bucket;
    *bucket = p;
    pthread_mutex_unlock(&pool->mu);
}

static void unregister_reader(PeerPool *pool, Producer *p)
{
    pthread_mutex_lock(&pool->mu);
    for (Producer **pp = &pool->readers[p->reader_id % READER_BUCKETS]; *pp; pp = &(*pp)->hnext)
        if (*pp == p) {
            *pp = p->hnext;
            break;
        }
    pthread_mutex_unlock(&pool->mu);
}

/* ==== the consumer side ==== */

/* A PAGES payload, shared by the pages in it until the last is read. */
typedef struct PagesBlock {
    atomic_int refs;
    uint8_t *payload; /* the frame's (taken from it) */
} PagesBlock;

typedef struct PageItem {
    struct PageItem *next;
    size_t len;
    const uint8_t *data; /* in block */
    PagesBlock *block;
} PageItem;

static void block_release(PagesBlock *b)
{
    if (b && atomic_fetch_sub(&b->refs, 1) == 1) {
        bs_free(b->payload);
        bs_free(b);
    }
}

static void item_free(PageItem *it)
{
    block_release(it->block);
    bs_free(it);
}

typedef struct InputHandle {
    ExchangeSource base;
    RemoteInput *in;
    PageDecoder *decoder;
    Chunk *chunk;
    bool closed;
} InputHandle;

struct RemoteInput {
    PeerPool *pool;
    uint64_t query_id;
    uint32_t partition;
    LogicalType *types;
    int n_cols;
    int64_t max_bytes;
    MemTracker *tracker;
    Arena *arena;
    atomic_int refs; /* the owner's, and one per loop callback in flight */
    pthread_mutex_t mu;
    PageItem *head, *tail;
    int64_t queued_bytes;
    int64_t total_bytes, total_limit; /* brought in all, and its bound (0: none) */
    Error over_limit;                 /* the failure when total_bytes passes total_limit */
    int n_producers, n_done;
    Producer *producers;
    Future *waiting; /* completed when a page comes, every producer is done, or it fails */
    bool failed, destroyed, posted, aborted, abort_posted;
    LoopTask issue_task, abort_task; /* posted to the loop (never loop_call: a driver may
                                        hold mu, which the loop's callbacks take) */
    Error failure;
    int n_handles, n_open;
    InputHandle **handles;
};

static void input_retain(RemoteInput *in)
{
    atomic_fetch_add(&in->refs, 1);
}

static void free_queue(RemoteInput *in)
{
    for (PageItem *it = in->head, *next; it; it = next) {
        next = it->next;
        if (in->tracker) memtracker_release(in->tracker, (int64_t)it->len);
        item_free(it);
    }
    in->head = in->tail = NULL;
    in->queued_bytes = 0;
}

/* Frees what is charged to the query's tracker, which may go away once the input is
   destroyed, even while a loop callback still holds a reference. */
static void free_tracked(RemoteInput *in)
{
    free_queue(in);
    for (int k = 0; k < in->n_handles; k++)
        page_decoder_destroy(in->handles[k]->decoder);
    in->n_handles = 0;
    arena_destroy(in->arena);
    in->arena = NULL;
    in->tracker = NULL;
}

static void input_release(RemoteInput *in)
{
    if (atomic_fetch_sub(&in->refs, 1) != 1) return;
    free_tracked(in);
    for (int k = 0; k < in->n_producers; k++) {
        bs_free(in->producers[k].address);
        bs_free(in->producers[k].node_id);
    }
    bs_free(in->producers);
    bs_free(in->handles);
    bs_free(in->types);
    error_clear(&in->failure);
    error_clear(&in->over_limit);
    pthread_mutex_destroy(&in->mu);
    bs_free(in);
}

/* Takes the waiting future out (under in->mu), to complete after unlocking. */
static Future *take_waiting(RemoteInput *in)
{
    Future *f = in->waiting;
    in->waiting = NULL;
    return f;
}

static void wake(Future *f)
{
    if (!f) return;
    future_complete(f);
    future_release(f);
}

static void input_fail_locked_then_wake(RemoteInput *in, const Error *error)
{
    pthread_mutex_lock(&in->mu);
    Future *f = NULL;
    if (!in->failed && !in->destroyed && !in->aborted) {
        in->failed = true;
        error_copy(&in->failure, error);
        f = take_waiting(in);
    }
    pthread_mutex_unlock(&in->mu);
    wake(f);
}

void remote_input_limit_total(RemoteInput *in, int64_t max_bytes, const Error *error)
{
    pthread_mutex_lock(&in->mu);
    in->total_limit = max_bytes;
    error_copy(&in->over_limit, error);
    pthread_mutex_unlock(&in->mu);
}

bool remote_input_over_limit(RemoteInput *in)
{
    pthread_mutex_lock(&in->mu);
    bool over = in->total_limit > 0 && in->total_bytes > in->total_limit;
    pthread_mutex_unlock(&in->mu);
    return over;
}

void remote_input_fail(RemoteInput *in, const Error *error)
{
    input_fail_locked_then_wake(in, error);
}

/* Loop thread: sends PAGES_GET to every producer that has none in flight, while the
   input has room. */
static void issue_requests(RemoteInput *in)
{
    pthread_mutex_lock(&in->mu);
    if (in->failed || in->destroyed || in->aborted) {
        pthread_mutex_unlock(&in->mu);
        return;
    }
    int active = in->n_producers - in->n_done;
    int64_t room = in->max_bytes - in->queued_bytes;
    uint32_t ask = active > 0 && room > 0 ? (uint32_t)(room / active) : 0;
    if (ask > GET_MAX_BYTES) ask = GET_MAX_BYTES;
    if (ask < 64 * 1024) ask = 64 * 1024;
    Error e = ERROR_INIT;
    bool fail = false;
    for (int k = 0; k < in->n_producers && room > 0 && !fail; k++) {
        Producer *p = &in->producers[k];
        if (p->done || p->in_flight) continue;
        Peer *peer = peer_get(in->pool, p->address, &e);
        if (!peer) {
            fail = true;
            break;
        }
        Buffer b;
        buffer_init(&b);
        TpPagesGet get = {.reader_id = p->reader_id,
                          .query_id = in->query_id,
                          .task_id = p->task_id,
                          .partition = in->partition,
                          .token = p->token,
                          .max_bytes = ask};
        tp_put_pages_get(&b, &get);
        Status st = buffer_ok(&b) ? conn_send(peer->conn, TP_PAGES_GET, 0, b.data, b.len, &e)
                                  : error_oom(&e);
        buffer_free(&b);
        if (st != BS_OK) {
            fail = true;
            break;
        }
        pthread_mutex_lock(&in->pool->mu);
        p->peer = peer;
        pthread_mutex_unlock(&in->pool->mu);
        p->in_flight = true;
    }
    pthread_mutex_unlock(&in->mu);
    if (fail) {
        error_prefix(&e, "cannot reach a worker: ");
        input_fail_locked_then_wake(in, &e);
    }
    error_clear(&e);
}

static void issue_on_loop(LoopTask *task, EventLoop *loop)
{
    (void)loop;
    RemoteInput *in = (RemoteInput *)((char *)task - offsetof(RemoteInput, issue_task));
    pthread_mutex_lock(&in->mu);
    in->posted = false;
    pthread_mutex_unlock(&in->mu);
    issue_requests(in);
    input_release(in);
}

/* Any thread, under in->mu: have the loop send what requests it can. */
static void post_requests(RemoteInput *in)
{
    if (in->posted || in->failed || in->destroyed || in->aborted) return;
    in->posted = true;
    atomic_fetch_add(&in->refs, 1);
    in->issue_task.run = issue_on_loop;
    loop_post(in->pool->loop, &in->issue_task);
}

/* Loop thread: a PAGES answer. */
static void on_pages(PeerPool *pool, Frame *f)
{
    TpPagesHeader h;
    size_t off;
    const uint8_t *payload = f->payload; /* stays valid: the pages' block takes it */
    Error e = ERROR_INIT;
    if (tp_get_pages_header(f->payload, f->len, &h, &off, &e) != BS_OK) {
        error_clear(&e);
        return;
    }
    pthread_mutex_lock(&pool->mu);
    Producer *p = pool->readers[h.reader_id % READER_BUCKETS];
    while (p && p->reader_id != h.reader_id)
        p = p->hnext;
    RemoteInput *in = p ? p->in : NULL;
    if (in) atomic_fetch_add(&in->refs, 1);
    pthread_mutex_unlock(&pool->mu);
    if (!in) return; /* the input is gone: nothing wants these pages */
    pthread_mutex_lock(&in->mu);
    Status st = BS_OK;
    bool drop = in->failed || in->destroyed || in->aborted;
    p->in_flight = false;
    if (!drop && h.token > p->token)
        st = error_set(&e, SQLSTATE_PROTOCOL_VIOLATION, -1, "worker %s skipped pages %llu to %llu",
                       p->address, (unsigned long long)p->token, (unsigned long long)h.token - 1);
    uint64_t seq = h.token;
    PagesBlock *block = NULL; /* made for the first page kept */
    for (uint32_t k = 0; k < h.n_pages && st == BS_OK; k++, seq++) {
        const uint8_t *page;
        size_t len;
        st = tp_next_page(payload, f->len, &off, &page, &len, &e);
        if (st != BS_OK || drop || seq < p->token) continue; /* a page we have: a duplicate */
        MemTracker *over = in->tracker ? memtracker_reserve(in->tracker, (int64_t)len) : NULL;
        if (over) {
            st = memtracker_error(over, (int64_t)len, &e);
            break;
        }
        if (!block) {
            block = bs_malloc(sizeof *block);
            if (block) {
                atomic_init(&block->refs, 1); /* this function's, dropped below */
                block->payload = f->payload;
                f->payload = NULL; /* the pages point into it: taken from the frame */
            }
        }
        PageItem *it = block ? bs_malloc(sizeof *it) : NULL;
        if (!it) {
            if (in->tracker) memtracker_release(in->tracker, (int64_t)len);
            st = error_oom(&e);
            break;
        }
        atomic_fetch_add(&block->refs, 1);
        it->next = NULL;
        it->len = len;
        it->data = page;
        it->block = block;
        if (in->tail)
            in->tail->next = it;
        else
            in->head = it;
        in->tail = it;
        in->queued_bytes += (int64_t)len;
        in->total_bytes += (int64_t)len;
        p->token = seq + 1;
        if (in->total_limit > 0 && in->total_bytes > in->total_limit) {
            error_copy(&e, &in->over_limit);
            st = BS_ERROR;
        }
    }
    if (st == BS_OK) st = tp_pages_end(f->len, off, &e);
    block_release(block);
    if (st == BS_OK && !drop && h.complete && seq >= p->token && !p->done) {
        p->done = true;
        in->n_done++;
    }
    Future *w = st == BS_OK && !drop ? take_waiting(in) : NULL;
    pthread_mutex_unlock(&in->mu);
    wake(w);
    if (st != BS_OK)
        input_fail_locked_then_wake(in, &e);
    else if (!drop)
        issue_requests(in);
    error_clear(&e);
    input_release(in);
}

static Status handle_next(ExchangeSource *source, Chunk **out, Future **blocked, Error *err)
{
    InputHandle *h = (InputHandle *)source;
    RemoteInput *in = h->in;
    *out = NULL;
    *blocked = NULL;
    pthread_mutex_lock(&in->mu);
    if (in->failed) {
        error_copy(err, &in->failure);
        pthread_mutex_unlock(&in->mu);
        return BS_ERROR;
    }
    PageItem *it = in->head;
    if (it) {
        in->head = it->next;
        if (!in->head) in->tail = NULL;
        in->queued_bytes -= (int64_t)it->len;
        post_requests(in);
        pthread_mutex_unlock(&in->mu);
        Status st =
            page_decode(h->decoder, it->data, it->len, in->types, in->n_cols, h->chunk, err);
        if (in->tracker) memtracker_release(in->tracker, (int64_t)it->len);
        item_free(it);
        BS_TRY(st);
        *out = h->chunk;
        return BS_OK;
    }
    if (in->n_done < in->n_producers) {
        if (!in->waiting) in->waiting = future_create();
        if (!in->waiting) {
            pthread_mutex_unlock(&in->mu);
            return error_oom(err);
        }
        future_retain(in->waiting);
        *blocked = in->waiting;
    }
    pthread_mutex_unlock(&in->mu);
    return BS_OK;
}

/* Loop thread: BUFFER_ABORT to the producers, which need not send the rest. */
static void abort_on_loop(LoopTask *task, EventLoop *loop)
{
    (void)loop;
    RemoteInput *in = (RemoteInput *)((char *)task - offsetof(RemoteInput, abort_task));
    for (int k = 0; k < in->n_producers; k++) {
        Producer *p = &in->producers[k];
        Error e = ERROR_INIT;
        Peer *peer = peer_get(in->pool, p->address, &e);
        if (peer) {
            Buffer b;
            buffer_init(&b);
            tp_put_buffer_abort(&b, in->query_id, p->task_id, in->partition);
            if (buffer_ok(&b)) conn_send(peer->conn, TP_BUFFER_ABORT, 0, b.data, b.len, &e);
            buffer_free(&b);
        }
        error_clear(&e);
    }
    input_release(in);
}

/* Under in->mu: have the loop tell the producers (once). */
static void post_abort(RemoteInput *in)
{
    if (in->abort_posted) return;
    in->abort_posted = true;
    atomic_fetch_add(&in->refs, 1);
    in->abort_task.run = abort_on_loop;
    loop_post(in->pool->loop, &in->abort_task);
}

static void handle_close(ExchangeSource *source)
{
    InputHandle *h = (InputHandle *)source;
    RemoteInput *in = h->in;
    pthread_mutex_lock(&in->mu);
    bool abort_now = false;
    if (!h->closed) {
        h->closed = true;
        if (--in->n_open == 0 && in->n_done < in->n_producers && !in->failed) {
            /* No driver reads any more: the producers need not send the rest. */
            in->aborted = true;
            abort_now = true;
            free_queue(in);
        }
    }
    Future *w = abort_now ? take_waiting(in) : NULL;
    if (abort_now) post_abort(in);
    pthread_mutex_unlock(&in->mu);
    wake(w);
}

RemoteInput *remote_input_create(PeerPool *pool, uint64_t query_id, const TpProducer *producers,
                                 int n_producers, uint32_t partition, const LogicalType *types,
                                 int n_cols, int64_t max_bytes, MemTracker *tracker, Error *err)
{
    RemoteInput *in = bs_calloc(1, sizeof *in);
    if (!in) {
        error_oom(err);
        return NULL;
    }
    in->pool = pool;
    in->query_id = query_id;
    in->partition = partition;
    in->n_cols = n_cols;
    in->max_bytes = max_bytes > 0 ? max_bytes : 8 << 20;
    in->tracker = tracker;
    in->failure = (Error)ERROR_INIT;
    in->over_limit = (Error)ERROR_INIT;
    atomic_init(&in->refs, 1);
    pthread_mutex_init(&in->mu, NULL);
    in->arena = arena_create(NULL, tracker, 0);
    in->types = bs_malloc(sizeof(LogicalType) * (size_t)(n_cols ? n_cols : 1));
    in->producers = bs_calloc((size_t)(n_producers ? n_producers : 1), sizeof(Producer));
    if (!in->arena || !in->types || !in->producers) {
        error_oom(err);
        input_release(in);
        return NULL;
    }
    memcpy(in->types, types, sizeof(LogicalType) * (size_t)n_cols);
    in->n_producers = n_producers;
    for (int k = 0; k < n_producers; k++) {
        Producer *p = &in->producers[k];
        p->in = in;
        p->task_id = producers[k].task_id;
        p->address = bs_strdup(producers[k].address);
        p->node_id = bs_strdup(producers[k].node_id ? producers[k].node_id : "");
        if (!p->address || !p->node_id) {
            error_oom(err);
            in->n_producers = k + 1; /* its strings too */
            remote_input_destroy(in);
            return NULL;
        }
    }
    for (int k = 0; k < n_producers; k++)
        register_reader(pool, &in->producers[k]);
    pthread_mutex_lock(&in->mu);
    post_requests(in);
    pthread_mutex_unlock(&in->mu);
    return in;
}

ExchangeSource *remote_input_open(RemoteInput *in, Error *err)
{
    InputHandle *h = arena_alloc_zero(in->arena, sizeof *h);
    if (!h) {
        arena_error(in->arena, err);
        return NULL;
    }
    h->base.next = handle_next;
    h->base.close = handle_close;
    h->in = in;
    h->chunk = chunk_create(in->arena, in->types, in->n_cols, err);
    if (!h->chunk) return NULL;
    if (page_decoder_create(in->tracker, &h->decoder, err) != BS_OK) return NULL;
    pthread_mutex_lock(&in->mu);
    InputHandle **grown =
        bs_realloc(in->handles, sizeof(InputHandle *) * (size_t)(in->n_handles + 1));
    if (grown) {
        in->handles = grown;
        in->handles[in->n_handles++] = h;
        in->n_open++;
    }
    pthread_mutex_unlock(&in->mu);
    if (!grown) {
        page_decoder_destroy(h->decoder);
        error_oom(err);
        return NULL;
    }
    return &h->base;
}

void remote_input_destroy(RemoteInput *in)
{
    if (!in) return;
    for (int k = 0; k < in->n_producers; k++)
        unregister_reader(in->pool, &in->producers[k]);
    pthread_mutex_lock(&in->mu);
    bool tell = !in->aborted && !in->failed && in->n_done < in->n_producers;
    in->destroyed = true;
    free_tracked(in);
    Future *w = take_waiting(in);
    if (tell) post_abort(in);
    pthread_mutex_unlock(&in->mu);
    wake(w);
    input_release(in);
}

/* ==== the producer side ==== */

typedef struct BufPage {
    atomic_int refs; /* one per partition queue holding it */
    size_t len;
    uint8_t *data; /* the encoder's buffer, taken as is (bs_malloc'd) */
} BufPage;

typedef struct PendingGet {
    Connection *conn; /* retained; NULL: none */
    uint64_t reader_id;
    uint32_t max_bytes;
} PendingGet;

typedef struct BufPartition {
    BufPage **pages; /* pages[0] is number `base` */
    size_t n, cap;
    uint64_t base;
    uint64_t acked; /* the highest token seen */
    bool aborted;
    PendingGet pending;
} BufPartition;

struct OutputBuffer {
    ExchangeSink sink; /* first */
    pthread_mutex_t mu;
    int n_parts;
    int zstd_level;
    BufPartition *parts;
    int64_t max_bytes, bytes;
    int producers, producers_done;
    int n_aborted;
    bool aborted, succeeded;
    Future *blocked;
    MemTracker *tracker;
    PageEncoder **encoders; /* idle encoders, reused by whichever driver sends */
    int n_encoders, cap_encoders;
    uint64_t rows_sent, bytes_sent;
};

/* Whether every page there will be is in: the producers are done and the task that
   made them finished (a failed task's drivers end too, but what they sent is not all). */
static bool buffer_complete(const OutputBuffer *b)
{
    return b->succeeded && b->producers_done >= b->producers;
}

static void page_release(OutputBuffer *b, BufPage *pg)
{
    if (atomic_fetch_sub(&pg->refs, 1) == 1) {
        if (b->tracker) memtracker_release(b->tracker, (int64_t)pg->len);
        bs_free(pg->data);
        bs_free(pg);
    }
}

/* Under b->mu: drops the pages of partition p before `token`. */
static void ack(OutputBuffer *b, BufPartition *p, uint64_t token)
{
    size_t drop = 0;
    while (drop < p->n && p->base + drop < token) {
        b->bytes -= (int64_t)p->pages[drop]->len;
        page_release(b, p->pages[drop++]);
    }
    if (!drop) return;
    memmove(p->pages, p->pages + drop, sizeof(BufPage *) * (p->n - drop));
    p->n -= drop;
    p->base += drop;
}

/* Under b->mu: answers partition p's pending request if it can be answered now. */
static void serve(OutputBuffer *b, BufPartition *p)
{
    PendingGet *g = &p->pending;
    if (!g->conn) return;
    if (b->aborted || p->aborted) {
        /* Nobody will read it: the query is ending. */
        conn_release(g->conn);
        g->conn = NULL;
        return;
    }
    uint64_t token = p->acked;
    size_t first = token > p->base ? (size_t)(token - p->base) : 0;
    if (first > p->n) first = p->n;
    bool done = buffer_complete(b);
    if (first == p->n && !done) return; /* keep waiting */
    size_t last = first, bytes = 0;
    while (last < p->n && (last == first || bytes + p->pages[last]->len <= g->max_bytes))
        bytes += p->pages[last++]->len;
    Buffer out;
    buffer_init(&out);
    buffer_reserve(&out, FRAME_HEADER_SIZE + 32 + bytes + 10 * (last - first)); /* no regrowth */
    size_t start = frame_begin(&out);
    TpPagesHeader h = {.reader_id = g->reader_id,
                       .token = p->base + first,
                       .complete = done && last == p->n,
                       .n_pages = (uint32_t)(last - first)};
    tp_put_pages_header(&out, &h);
    for (size_t k = first; k < last; k++)
        buffer_put_lstring(&out, (const char *)p->pages[k]->data, p->pages[k]->len);
    Error e = ERROR_INIT;
    if (buffer_ok(&out) && frame_end(&out, start, TP_PAGES, 0, &e) == BS_OK)
        conn_send_buffer(g->conn, &out, &e);
    buffer_free(&out);
    error_clear(&e);
    conn_release(g->conn);
    g->conn = NULL;
}

/* Under b->mu: the future to complete when the buffer has room again (or never will fill). */
static Future *take_unblocked(OutputBuffer *b)
{
    if (!b->blocked) return NULL;
    if (b->bytes >= b->max_bytes && !b->aborted && b->n_aborted < b->n_parts) return NULL;
    Future *f = b->blocked;
    b->blocked = NULL;
    return f;
}

static Future *ob_is_blocked(ExchangeSink *sink, int partition)
{
    (void)partition;
    OutputBuffer *b = (OutputBuffer *)sink;
    pthread_mutex_lock(&b->mu);
    Future *f = NULL;
    if (b->bytes >= b->max_bytes && !b->aborted && b->n_aborted < b->n_parts) {
        if (!b->blocked) b->blocked = future_create();
        f = b->blocked;
        if (f) future_retain(f);
    }
    pthread_mutex_unlock(&b->mu);
    return f;
}

static PageEncoder *take_encoder(OutputBuffer *b, Error *err)
{
    pthread_mutex_lock(&b->mu);
    PageEncoder *enc = b->n_encoders ? b->encoders[--b->n_encoders] : NULL;
    pthread_mutex_unlock(&b->mu);
    PageOptions po;
    page_default_options(&po);
    po.zstd_level = b->zstd_level;
    if (!enc && page_encoder_create(&po, b->tracker, &enc, err) != BS_OK) return NULL;
    return enc;
}

static void give_encoder(OutputBuffer *b, PageEncoder *enc)
{
    pthread_mutex_lock(&b->mu);
    if (b->n_encoders == b->cap_encoders) {
        int cap = b->cap_encoders ? b->cap_encoders * 2 : 4;
        PageEncoder **grown = bs_realloc(b->encoders, sizeof(PageEncoder *) * (size_t)cap);
        if (grown) {
            b->encoders = grown;
            b->cap_encoders = cap;
        }
    }
    if (b->n_encoders < b->cap_encoders) {
        b->encoders[b->n_encoders++] = enc;
        enc = NULL;
    }
    pthread_mutex_unlock(&b->mu);
    page_encoder_destroy(enc);
}

static bool push_page(BufPartition *p, BufPage *pg)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 16;
        BufPage **grown = bs_realloc(p->pages, sizeof(BufPage *) * cap);
        if (!grown) return false;
        p->pages = grown;
        p->cap = cap;
    }
    p->pages[p->n++] = pg;
    return true;
}

static Status ob_send(ExchangeSink *sink, int partition, const Chunk *chunk, Error *err)
{
    OutputBuffer *b = (OutputBuffer *)sink;
    if (chunk->n_rows == 0) return BS_OK;
    PageEncoder *enc = take_encoder(b, err);
    if (!enc) return BS_ERROR;
    Buffer encoded;
    buffer_init(&encoded);
    Status st = page_encode(enc, chunk, &encoded, err);
    give_encoder(b, enc);
    if (st != BS_OK) {
        buffer_free(&encoded);
        return BS_ERROR;
    }
    size_t len = encoded.len;
    MemTracker *over = b->tracker ? memtracker_reserve(b->tracker, (int64_t)len) : NULL;
    if (over) {
        buffer_free(&encoded);
        return memtracker_error(over, (int64_t)len, err);
    }
    BufPage *pg = bs_malloc(sizeof *pg);
    if (!pg) {
        buffer_free(&encoded);
        if (b->tracker) memtracker_release(b->tracker, (int64_t)len);
        return error_oom(err);
    }
    pg->data = encoded.data; /* no copy: the page is the encoder's output */
    pg->len = len;
    atomic_init(&pg->refs, 1); /* ours until it is queued */
    pthread_mutex_lock(&b->mu);
    int lo = partition == EXCHANGE_ALL_PARTITIONS ? 0 : partition;
    int hi = partition == EXCHANGE_ALL_PARTITIONS ? b->n_parts - 1 : partition;
    if (lo < 0 || hi >= b->n_parts) {
        pthread_mutex_unlock(&b->mu);
        page_release(b, pg);
        return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "output partition %d of %d", partition,
                         b->n_parts);
    }
    b->rows_sent += chunk->n_rows;
    b->bytes_sent += len;
    bool oom = false;
    for (int k = lo; k <= hi && !b->aborted; k++) {
        BufPartition *p = &b->parts[k];
        if (p->aborted) continue;
        if (!push_page(p, pg)) {
            oom = true;
            break;
        }
        atomic_fetch_add(&pg->refs, 1);
        b->bytes += (int64_t)len;
        serve(b, p);
    }
    page_release(b, pg); /* ours */
    pthread_mutex_unlock(&b->mu);
    return oom ? error_oom(err) : BS_OK;
}

static void ob_no_more(ExchangeSink *sink, int producer)
{
    (void)producer;
    OutputBuffer *b = (OutputBuffer *)sink;
    pthread_mutex_lock(&b->mu);
    b->producers_done++;
    if (buffer_complete(b))
        for (int k = 0; k < b->n_parts; k++)
            serve(b, &b->parts[k]);
    pthread_mutex_unlock(&b->mu);
}

void output_buffer_task_done(OutputBuffer *b, bool ok)
{
    if (!ok) {
        output_buffer_abort(b);
        return;
    }
    pthread_mutex_lock(&b->mu);
    b->succeeded = true;
    for (int k = 0; k < b->n_parts; k++)
        serve(b, &b->parts[k]);
    pthread_mutex_unlock(&b->mu);
}

static bool ob_is_finished(ExchangeSink *sink)
{
    OutputBuffer *b = (OutputBuffer *)sink;
    pthread_mutex_lock(&b->mu);
    bool finished = b->aborted || b->n_aborted == b->n_parts;
    pthread_mutex_unlock(&b->mu);
    return finished;
}

OutputBuffer *output_buffer_create(int n_partitions, int64_t max_bytes, int zstd_level,
                                   MemTracker *tracker, Error *err)
{
    OutputBuffer *b = bs_calloc(1, sizeof *b);
    if (b)
        b->parts = bs_calloc((size_t)(n_partitions > 0 ? n_partitions : 1), sizeof(BufPartition));
    if (!b || !b->parts) {
        bs_free(b);
        error_oom(err);
        return NULL;
    }
    b->sink.n_partitions = n_partitions;
    b->sink.is_blocked = ob_is_blocked;
    b->sink.send = ob_send;
    b->sink.no_more = ob_no_more;
    b->sink.is_finished = ob_is_finished;
    b->n_parts = n_partitions;
    b->zstd_level = zstd_level;
    b->max_bytes = max_bytes > 0 ? max_bytes : 16 << 20;
    b->tracker = tracker;
    pthread_mutex_init(&b->mu, NULL);
    return b;
}

ExchangeSink *output_buffer_sink(OutputBuffer *b)
{
    return &b->sink;
}

void output_buffer_add_producers(OutputBuffer *b, int n)
{
    pthread_mutex_lock(&b->mu);
    b->producers += n;
    pthread_mutex_unlock(&b->mu);
}

void output_buffer_get(OutputBuffer *b, Connection *conn, const TpPagesGet *get)
{
    pthread_mutex_lock(&b->mu);
    if (get->partition >= (uint32_t)b->n_parts) {
        pthread_mutex_unlock(&b->mu);
        Error e = ERROR_INIT;
        error_set(&e, SQLSTATE_PROTOCOL_VIOLATION, -1, "PAGES_GET for partition %u of %d",
                  get->partition, b->n_parts);
        np_send_error(conn, &e);
        error_clear(&e);
        conn_close(conn);
        return;
    }
    BufPartition *p = &b->parts[get->partition];
    if (get->token > p->acked) p->acked = get->token;
    ack(b, p, p->acked);
    Future *room = take_unblocked(b);
    if (p->pending.conn) conn_release(p->pending.conn); /* superseded (a resent request) */
    conn_retain(conn);
    p->pending =
        (PendingGet){conn, get->reader_id, get->max_bytes ? get->max_bytes : GET_MAX_BYTES};
    serve(b, p);
    pthread_mutex_unlock(&b->mu);
    wake(room);
}

void output_buffer_abort_partition(OutputBuffer *b, uint32_t partition)
{
    pthread_mutex_lock(&b->mu);
    Future *room = NULL;
    if (partition < (uint32_t)b->n_parts && !b->parts[partition].aborted) {
        BufPartition *p = &b->parts[partition];
        ack(b, p, UINT64_MAX);
        p->aborted = true;
        b->n_aborted++;
        if (p->pending.conn) conn_release(p->pending.conn);
        p->pending.conn = NULL;
        room = take_unblocked(b);
    }
    pthread_mutex_unlock(&b->mu);
    wake(room);
}

void output_buffer_abort(OutputBuffer *b)
{
    pthread_mutex_lock(&b->mu);
    b->aborted = true;
    for (int k = 0; k < b->n_parts; k++) {
        BufPartition *p = &b->parts[k];
        ack(b, p, UINT64_MAX);
        if (p->pending.conn) conn_release(p->pending.conn);
        p->pending.conn = NULL;
    }
    Future *room = take_unblocked(b);
    pthread_mutex_unlock(&b->mu);
    wake(room);
}

void output_buffer_stats(OutputBuffer *b, uint64_t *rows, uint64_t *bytes)
{
    pthread_mutex_lock(&b->mu);
    *rows = b->rows_sent;
    *bytes = b->bytes_sent;
    pthread_mutex_unlock(&b->mu);
}

void output_buffer_destroy(OutputBuffer *b)
{
    if (!b) return;
    output_buffer_abort(b);
    for (int k = 0; k < b->n_parts; k++)
        bs_free(b->parts[k].pages);
    for (int k = 0; k < b->n_encoders; k++)
        page_encoder_destroy(b->encoders[k]);
    bs_free(b->encoders);
    bs_free(b->parts);
    if (b->blocked) {
        future_complete(b->blocked);
        future_release(b->blocked);
    }
    pthread_mutex_destroy(&b->mu);
    bs_free(b);
}
