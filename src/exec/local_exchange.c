/*
 * local_exchange.c — an exchange inside one process: a bounded FIFO of chunks between
 * producer drivers and consumer drivers.
 *
 * A producer's rows are copied once into a chunk the exchange owns (from a free list, so
 * steady state allocates nothing); the consumer gets that chunk by pointer and hands it
 * back on its next call. Back-pressure: once `max_bytes` are queued, is_blocked() gives
 * producers a Future that completes when a consumer takes a chunk. A consumer that finds
 * the queue empty gets a Future that completes on the next send, the last no_more, or an
 * abort. Futures are completed outside the lock.
 */
#include "exec/exec.h"

#include "common/alloc.h"

#include <pthread.h>
#include <string.h>

typedef struct Queued {
    struct Queued *next;
    Chunk *chunk;
    size_t bytes;
} Queued;

typedef struct LocalSource {
    ExchangeSource base;
    struct LocalExchange *x;
    Queued *held; /* the chunk the consumer is reading */
    struct LocalSource *next_source;
} LocalSource;

struct LocalExchange {
    ExchangeSink sink;
    pthread_mutex_t lock;
    MemTracker tracker;
    Arena *arena;
    LogicalType *types;
    int n_cols;
    Queued *head, *tail;
    Queued *free_list;
    int64_t bytes, max_bytes;
    int producers_left;
    bool aborted;
    Future *not_empty; /* consumers wait on it */
    Future *not_full;  /* producers wait on it */
    LocalSource *sources;
};

#define X_OF_SINK(s) ((LocalExchange *)(s))

static Future *take_future(Future **slot)
{
    Future *f = *slot;
    *slot = NULL;
    return f;
}

static void complete_and_release(Future *f)
{
    if (!f) return;
    future_complete(f);
    future_release(f);
}

/* Returns a future in *slot (creating it) retained once more for the caller; NULL on OOM. */
static Future *wait_on(Future **slot)
{
    if (!*slot) *slot = future_create();
    if (!*slot) return NULL;
    future_retain(*slot);
    return *slot;
}

static Future *lx_is_blocked(ExchangeSink *sink)
{
    LocalExchange *x = X_OF_SINK(sink);
    Future *f = NULL;
    pthread_mutex_lock(&x->lock);
    if (!x->aborted && x->bytes >= x->max_bytes) f = wait_on(&x->not_full);
    pthread_mutex_unlock(&x->lock);
    return f;
}

static Status lx_send(ExchangeSink *sink, const Chunk *chunk, Error *err)
{
    LocalExchange *x = X_OF_SINK(sink);
    if (chunk->n_rows == 0) return BS_OK;
    pthread_mutex_lock(&x->lock);
    if (x->aborted) {
        pthread_mutex_unlock(&x->lock);
        return error_set(err, SQLSTATE_QUERY_CANCELED, -1, "query was aborted");
    }
    Queued *q = x->free_list;
    if (q) x->free_list = q->next;
    pthread_mutex_unlock(&x->lock);
    if (!q) {
        q = bs_calloc(1, sizeof *q);
        if (!q) return error_oom(err);
        /* chunk creation takes the lock-free path: the arena's child list is thread-safe */
        q->chunk = chunk_create(x->arena, x->types, x->n_cols, err);
        if (!q->chunk) {
            bs_free(q);
            return BS_ERROR;
        }
    }
    chunk_reset(q->chunk);
    if (chunk_append(q->chunk, chunk, 0, chunk->n_rows, err) != BS_OK) {
        pthread_mutex_lock(&x->lock);
        q->next = x->free_list;
        x->free_list = q;
        pthread_mutex_unlock(&x->lock);
        return BS_ERROR;
    }
    q->bytes = chunk_bytes(q->chunk);
    q->next = NULL;
    pthread_mutex_lock(&x->lock);
    if (x->tail)
        x->tail->next = q;
    else
        x->head = q;
    x->tail = q;
    x->bytes += (int64_t)q->bytes;
    Future *wake = take_future(&x->not_empty);
    pthread_mutex_unlock(&x->lock);
    complete_and_release(wake);
    return BS_OK;
}

static void lx_no_more(ExchangeSink *sink)
{
    LocalExchange *x = X_OF_SINK(sink);
    pthread_mutex_lock(&x->lock);
    Future *wake = NULL;
    if (x->producers_left > 0 && --x->producers_left == 0) wake = take_future(&x->not_empty);
    pthread_mutex_unlock(&x->lock);
    complete_and_release(wake);
}

/* Gives the consumer's previous chunk back to the free list (lock held). */
static void release_held(LocalExchange *x, LocalSource *s)
{
    if (!s->held) return;
    s->held->next = x->free_list;
    x->free_list = s->held;
    s->held = NULL;
}

static Status lx_next(ExchangeSource *source, Chunk **out, Future **blocked, Error *err)
{
    LocalSource *s = (LocalSource *)source;
    LocalExchange *x = s->x;
    *out = NULL;
    *blocked = NULL;
    Future *wake = NULL;
    pthread_mutex_lock(&x->lock);
    release_held(x, s);
    if (x->aborted) {
        pthread_mutex_unlock(&x->lock);
        return error_set(err, SQLSTATE_QUERY_CANCELED, -1, "query was aborted");
    }
    if (x->head) {
        Queued *q = x->head;
        x->head = q->next;
        if (!x->head) x->tail = NULL;
        x->bytes -= (int64_t)q->bytes;
        s->held = q;
        *out = q->chunk;
        if (x->bytes < x->max_bytes) wake = take_future(&x->not_full);
    } else if (x->producers_left > 0) {
        *blocked = wait_on(&x->not_empty);
        if (!*blocked) {
            pthread_mutex_unlock(&x->lock);
            return error_oom(err);
        }
    }
    pthread_mutex_unlock(&x->lock);
    complete_and_release(wake);
    return BS_OK;
}

static void lx_close(ExchangeSource *source)
{
    LocalSource *s = (LocalSource *)source;
    pthread_mutex_lock(&s->x->lock);
    release_held(s->x, s);
    pthread_mutex_unlock(&s->x->lock);
}

LocalExchange *local_exchange_create(const LogicalType *types, int n_cols, int n_producers,
                                     int64_t max_bytes, MemTracker *tracker, Error *err)
{
    LocalExchange *x = bs_calloc(1, sizeof *x);
    if (!x) {
        error_oom(err);
        return NULL;
    }
    memtracker_init(&x->tracker, tracker, "exchange", 0);
    x->arena = arena_create(NULL, &x->tracker, 0);
    x->types = bs_malloc(sizeof(LogicalType) * (size_t)(n_cols ? n_cols : 1));
    if (!x->arena || !x->types) {
        arena_destroy(x->arena);
        bs_free(x->types);
        bs_free(x);
        error_oom(err);
        return NULL;
    }
    memcpy(x->types, types, sizeof(LogicalType) * (size_t)n_cols);
    x->n_cols = n_cols;
    x->producers_left = n_producers;
    x->max_bytes = max_bytes > 0 ? max_bytes : 16 << 20;
    pthread_mutex_init(&x->lock, NULL);
    x->sink.is_blocked = lx_is_blocked;
    x->sink.send = lx_send;
    x->sink.no_more = lx_no_more;
    return x;
}

void local_exchange_add_producers(LocalExchange *x, int n)
{
    pthread_mutex_lock(&x->lock);
    x->producers_left += n;
    pthread_mutex_unlock(&x->lock);
}

ExchangeSink *local_exchange_sink(LocalExchange *x)
{
    return &x->sink;
}

ExchangeSource *local_exchange_source(LocalExchange *x, Error *err)
{
    LocalSource *s = bs_calloc(1, sizeof *s);
    if (!s) {
        error_oom(err);
        return NULL;
    }
    s->base.next = lx_next;
    s->base.close = lx_close;
    s->x = x;
    pthread_mutex_lock(&x->lock);
    s->next_source = x->sources;
    x->sources = s;
    pthread_mutex_unlock(&x->lock);
    return &s->base;
}

void local_exchange_abort(LocalExchange *x)
{
    pthread_mutex_lock(&x->lock);
    x->aborted = true;
    Future *a = take_future(&x->not_empty), *b = take_future(&x->not_full);
    pthread_mutex_unlock(&x->lock);
    complete_and_release(a);
    complete_and_release(b);
}

static void free_queue(Queued *q)
{
    while (q) {
        Queued *next = q->next;
        bs_free(q); /* chunks die with the exchange's arena */
        q = next;
    }
}

void local_exchange_destroy(LocalExchange *x)
{
    if (!x) return;
    for (LocalSource *s = x->sources; s;) {
        LocalSource *next = s->next_source;
        if (s->held) bs_free(s->held);
        bs_free(s);
        s = next;
    }
    free_queue(x->head);
    free_queue(x->free_list);
    complete_and_release(x->not_empty);
    complete_and_release(x->not_full);
    arena_destroy(x->arena);
    pthread_mutex_destroy(&x->lock);
    bs_free(x->types);
    bs_free(x);
}
