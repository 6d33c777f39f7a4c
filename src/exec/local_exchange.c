/*
 * local_exchange.c — an exchange inside one process: bounded queues of chunks between
 * producer drivers and consumer drivers.
 *
 * The exchange has n_partitions queues. A producer sends rows to one partition (the
 * sink operator has already split a chunk by hash of its keys), or to every partition
 * (broadcast). Consumers are handles on one queue each; several handles may share a queue
 * (the drivers of one consuming pipeline or task take whichever chunk is next). In
 * ordered mode there is one queue per producer and a single consumer that drains queue 0
 * to the end of its producer, then queue 1, and so on: producers' streams concatenated
 * in order (sorted ranges stay sorted).
 *
 * A producer's rows are copied once into a chunk the exchange owns (from a free list, so
 * steady state allocates little); the consumer gets that chunk by pointer and hands it
 * back on its next call.
 *
 * Flow control, both ways:
 *   back-pressure   once a queue holds its share of `max_bytes`, is_blocked() gives its
 *                   producers a Future that completes when a consumer takes a chunk
 *   no more needed  when every handle of a queue is closed, the queue drops what it holds
 *                   and ignores further rows; when every queue is closed the exchange is
 *                   finished: is_finished() says so, blocked producers are woken, and they
 *                   stop (Presto's "no more pages needed")
 * A consumer that finds its queue empty gets a Future that completes on the next send to
 * it, the end of its producers, or an abort. Futures are completed outside the lock.
 */
#include "exec/exec.h"

#include "common/alloc.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

typedef struct Queued {
    struct Queued *next;
    Chunk *chunk;
    size_t bytes;
} Queued;

typedef struct Queue {
    Queued *head, *tail;
    int64_t bytes;
    int n_consumers, n_closed; /* handles reading this queue, and how many are closed */
    bool producer_done;        /* ordered mode: the queue's producer called no_more */
    Future *not_empty;         /* its consumers wait on it */
    Future *not_full;          /* producers wait on it for room */
} Queue;

typedef struct LocalSource {
    ExchangeSource base;
    struct LocalExchange *x;
    int queue;    /* ordered mode: the queue being drained */
    Queued *held; /* the chunk the consumer is reading */
    bool closed;
    struct LocalSource *next_source;
} LocalSource;

struct LocalExchange {
    ExchangeSink sink;
    pthread_mutex_t lock;
    MemTracker tracker;
    Arena *arena;
    LogicalType *types;
    int n_cols;
    bool ordered;
    int n_queues;
    Queue *queues;
    int64_t queue_limit; /* bytes a queue holds before its producers block */
    Queued *free_list;
    int n_free;
    int producers_left;
    bool aborted;
    /* every queue is closed: no consumer needs more rows. Set under the lock, read without
       it: every driver of a producing pipeline asks at every step. */
    atomic_bool finished;
    LocalSource *sources;
};

/* Chunks kept for reuse; beyond this, returned chunks are freed. */
#define FREE_LIST_MAX(x) (2 * (x)->n_queues + 4)

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

/* A queue whose every consumer is gone (lock held). */
static bool queue_dead(const Queue *q)
{
    return q->n_consumers > 0 && q->n_closed == q->n_consumers;
}

/* Returns a chunk to the free list, or frees it when the list is long (lock held). */
static void recycle(LocalExchange *x, Queued *q)
{
    if (x->n_free < FREE_LIST_MAX(x)) {
        q->next = x->free_list;
        x->free_list = q;
        x->n_free++;
        return;
    }
    chunk_destroy(q->chunk);
    bs_free(q);
}

/* Drops what a dead queue holds (lock held). Wakes its waiting producers through *wake. */
static void drain_queue(LocalExchange *x, Queue *q, Future **wake_full)
{
    while (q->head) {
        Queued *next = q->head->next;
        recycle(x, q->head);
        q->head = next;
    }
    q->tail = NULL;
    q->bytes = 0;
    *wake_full = take_future(&q->not_full);
}

static Future *lx_is_blocked(ExchangeSink *sink, int partition)
{
    LocalExchange *x = X_OF_SINK(sink);
    Future *f = NULL;
    pthread_mutex_lock(&x->lock);
    if (!x->aborted && !atomic_load(&x->finished)) {
        int first = partition >= 0 ? partition : 0;
        int last = partition >= 0 ? partition : x->n_queues - 1;
        for (int k = first; k <= last && k < x->n_queues; k++) {
            Queue *q = &x->queues[k];
            if (!queue_dead(q) && q->bytes >= x->queue_limit) {
                f = wait_on(&q->not_full);
                break;
            }
        }
    }
    pthread_mutex_unlock(&x->lock);
    return f;
}

/* Takes a chunk from the free list or makes one; the caller fills it outside the lock. */
static Queued *acquire(LocalExchange *x, Error *err)
{
    pthread_mutex_lock(&x->lock);
    Queued *q = x->free_list;
    if (q) {
        x->free_list = q->next;
        x->n_free--;
    }
    pthread_mutex_unlock(&x->lock);
    if (!q) {
        q = bs_calloc(1, sizeof *q);
        if (!q) {
            error_oom(err);
            return NULL;
        }
        /* chunk creation takes the lock-free path: the arena's child list is thread-safe */
        q->chunk = chunk_create(x->arena, x->types, x->n_cols, err);
        if (!q->chunk) {
            bs_free(q);
            return NULL;
        }
    }
    chunk_reset(q->chunk);
    return q;
}

/* Copies chunk's rows into an exchange chunk and appends it to queue k. */
static Status enqueue(LocalExchange *x, int k, const Chunk *chunk, Error *err)
{
    Queued *q = acquire(x, err);
    if (!q) return BS_ERROR;
    if (chunk_append(q->chunk, chunk, 0, chunk->n_rows, err) != BS_OK) {
        pthread_mutex_lock(&x->lock);
        recycle(x, q);
        pthread_mutex_unlock(&x->lock);
        return BS_ERROR;
    }
    q->bytes = chunk_bytes(q->chunk);
    q->next = NULL;
    Future *wake = NULL;
    pthread_mutex_lock(&x->lock);
    Queue *queue = &x->queues[k];
    if (atomic_load(&x->finished) || queue_dead(queue)) {
        recycle(x, q); /* nobody will read it */
    } else {
        if (queue->tail)
            queue->tail->next = q;
        else
            queue->head = q;
        queue->tail = q;
        queue->bytes += (int64_t)q->bytes;
        wake = take_future(&queue->not_empty);
    }
    pthread_mutex_unlock(&x->lock);
    complete_and_release(wake);
    return BS_OK;
}

static Status lx_send(ExchangeSink *sink, int partition, const Chunk *chunk, Error *err)
{
    LocalExchange *x = X_OF_SINK(sink);
    if (chunk->n_rows == 0) return BS_OK;
    pthread_mutex_lock(&x->lock);
    bool aborted = x->aborted, finished = atomic_load(&x->finished);
    pthread_mutex_unlock(&x->lock);
    if (aborted) return error_set(err, SQLSTATE_QUERY_CANCELED, -1, "query was aborted");
    if (finished) return BS_OK;
    if (partition >= x->n_queues)
        return error_set(err, SQLSTATE_INTERNAL_ERROR, -1,
                         "exchange: partition %d of %d does not exist", partition, x->n_queues);
    if (partition >= 0) return enqueue(x, partition, chunk, err);
    for (int k = 0; k < x->n_queues; k++)
        BS_TRY(enqueue(x, k, chunk, err));
    return BS_OK;
}

static void lx_no_more(ExchangeSink *sink, int producer)
{
    LocalExchange *x = X_OF_SINK(sink);
    Future *wake_one = NULL;
    Future **wake_all = NULL;
    int n_wake = 0;
    pthread_mutex_lock(&x->lock);
    if (x->ordered && producer >= 0 && producer < x->n_queues) {
        x->queues[producer].producer_done = true;
        wake_one = take_future(&x->queues[producer].not_empty);
    }
    if (x->producers_left > 0 && --x->producers_left == 0) {
        wake_all = bs_malloc(sizeof(Future *) * (size_t)x->n_queues);
        for (int k = 0; wake_all && k < x->n_queues; k++) {
            Future *f = take_future(&x->queues[k].not_empty);
            if (f) wake_all[n_wake++] = f;
        }
        if (!wake_all) {
            /* Out of memory: wake waiters with the lock held (callbacks only resubmit). */
            for (int k = 0; k < x->n_queues; k++)
                complete_and_release(take_future(&x->queues[k].not_empty));
        }
    }
    pthread_mutex_unlock(&x->lock);
    complete_and_release(wake_one);
    for (int k = 0; k < n_wake; k++)
        complete_and_release(wake_all[k]);
    bs_free(wake_all);
}

static bool lx_is_finished(ExchangeSink *sink)
{
    return atomic_load_explicit(&X_OF_SINK(sink)->finished, memory_order_acquire);
}

/* Gives the consumer's previous chunk back (lock held). */
static void release_held(LocalExchange *x, LocalSource *s)
{
    if (!s->held) return;
    recycle(x, s->held);
    s->held = NULL;
}

static Status lx_next(ExchangeSource *source, Chunk **out, Future **blocked, Error *err)
{
    LocalSource *s = (LocalSource *)source;
    LocalExchange *x = s->x;
    *out = NULL;
    *blocked = NULL;
    Future *wake = NULL;
    Status st = BS_OK;
    pthread_mutex_lock(&x->lock);
    release_held(x, s);
    if (x->aborted) {
        pthread_mutex_unlock(&x->lock);
        return error_set(err, SQLSTATE_QUERY_CANCELED, -1, "query was aborted");
    }
    while (s->queue < x->n_queues) {
        Queue *q = &x->queues[s->queue];
        if (q->head) {
            Queued *item = q->head;
            q->head = item->next;
            if (!q->head) q->tail = NULL;
            bool was_full = q->bytes >= x->queue_limit;
            q->bytes -= (int64_t)item->bytes;
            s->held = item;
            *out = item->chunk;
            if (was_full && q->bytes < x->queue_limit) wake = take_future(&q->not_full);
            break;
        }
        bool producers_done = x->producers_left == 0 || (x->ordered && q->producer_done);
        if (!producers_done) {
            *blocked = wait_on(&q->not_empty);
            if (!*blocked) st = error_oom(err);
            break;
        }
        if (!x->ordered) break; /* this queue is at its end */
        s->queue++;             /* ordered: the next producer's stream */
    }
    pthread_mutex_unlock(&x->lock);
    complete_and_release(wake);
    return st;
}

static void lx_close(ExchangeSource *source)
{
    LocalSource *s = (LocalSource *)source;
    LocalExchange *x = s->x;
    Future **wake = NULL;
    int n_wake = 0;
    pthread_mutex_lock(&x->lock);
    release_held(x, s);
    if (!s->closed) {
        s->closed = true;
        wake = bs_malloc(sizeof(Future *) * (size_t)(x->n_queues + 1));
        int first = x->ordered ? 0 : s->queue;
        int last = x->ordered ? x->n_queues - 1 : s->queue;
        for (int k = first; k <= last; k++) {
            Queue *q = &x->queues[k];
            q->n_closed++;
            if (queue_dead(q)) {
                Future *f;
                drain_queue(x, q, &f);
                if (f && wake)
                    wake[n_wake++] = f;
                else
                    complete_and_release(f); /* out of memory: with the lock held */
            }
        }
        bool all_dead = true;
        for (int k = 0; k < x->n_queues && all_dead; k++)
            all_dead = queue_dead(&x->queues[k]);
        if (all_dead) atomic_store_explicit(&x->finished, true, memory_order_release);
    }
    pthread_mutex_unlock(&x->lock);
    for (int k = 0; k < n_wake; k++)
        complete_and_release(wake[k]);
    bs_free(wake);
}

LocalExchange *local_exchange_create(const LogicalType *types, int n_cols, int n_partitions,
                                     bool ordered, int64_t max_bytes, MemTracker *tracker,
                                     Error *err)
{
    if (n_partitions < 1) n_partitions = 1;
    LocalExchange *x = bs_calloc(1, sizeof *x);
    if (!x) {
        error_oom(err);
        return NULL;
    }
    memtracker_init(&x->tracker, tracker, "exchange", 0);
    x->arena = arena_create(NULL, &x->tracker, 0);
    x->types = bs_malloc(sizeof(LogicalType) * (size_t)(n_cols ? n_cols : 1));
    x->queues = bs_calloc((size_t)n_partitions, sizeof(Queue));
    if (!x->arena || !x->types || !x->queues) {
        arena_destroy(x->arena);
        bs_free(x->types);
        bs_free(x->queues);
        bs_free(x);
        error_oom(err);
        return NULL;
    }
    memcpy(x->types, types, sizeof(LogicalType) * (size_t)n_cols);
    x->n_cols = n_cols;
    x->ordered = ordered;
    x->n_queues = n_partitions;
    if (max_bytes <= 0) max_bytes = 16 << 20;
    x->queue_limit = max_bytes / n_partitions > 0 ? max_bytes / n_partitions : 1;
    pthread_mutex_init(&x->lock, NULL);
    x->sink.n_partitions = n_partitions;
    x->sink.is_blocked = lx_is_blocked;
    x->sink.send = lx_send;
    x->sink.no_more = lx_no_more;
    x->sink.is_finished = lx_is_finished;
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

ExchangeSource *local_exchange_source(LocalExchange *x, int partition, Error *err)
{
    if (partition < 0 || partition >= x->n_queues) {
        error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "exchange: no partition %d of %d", partition,
                  x->n_queues);
        return NULL;
    }
    LocalSource *s = bs_calloc(1, sizeof *s);
    if (!s) {
        error_oom(err);
        return NULL;
    }
    s->base.next = lx_next;
    s->base.close = lx_close;
    s->x = x;
    pthread_mutex_lock(&x->lock);
    s->queue = x->ordered ? 0 : partition;
    if (x->ordered)
        for (int k = 0; k < x->n_queues; k++)
            x->queues[k].n_consumers++;
    else
        x->queues[partition].n_consumers++;
    s->next_source = x->sources;
    x->sources = s;
    pthread_mutex_unlock(&x->lock);
    return &s->base;
}

void local_exchange_abort(LocalExchange *x)
{
    int n = x->n_queues;
    Future **wake = bs_malloc(sizeof(Future *) * (size_t)(2 * n));
    int n_wake = 0;
    pthread_mutex_lock(&x->lock);
    x->aborted = true;
    for (int k = 0; k < n; k++) {
        Future *a = take_future(&x->queues[k].not_empty), *b = take_future(&x->queues[k].not_full);
        if (wake) {
            if (a) wake[n_wake++] = a;
            if (b) wake[n_wake++] = b;
        } else {
            complete_and_release(a);
            complete_and_release(b);
        }
    }
    pthread_mutex_unlock(&x->lock);
    for (int k = 0; k < n_wake; k++)
        complete_and_release(wake[k]);
    bs_free(wake);
}

bool local_exchange_finished(LocalExchange *x)
{
    return lx_is_finished(&x->sink);
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
    for (int k = 0; k < x->n_queues; k++) {
        free_queue(x->queues[k].head);
        complete_and_release(x->queues[k].not_empty);
        complete_and_release(x->queues[k].not_full);
    }
    free_queue(x->free_list);
    arena_destroy(x->arena);
    pthread_mutex_destroy(&x->lock);
    bs_free(x->queues);
    bs_free(x->types);
    bs_free(x);
}
