/*
 * threadpool.c — the worker thread pool and futures.
 */
#include "common/threadpool.h"

#include "common/alloc.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct ThreadPool {
    pthread_mutex_t lock;
    pthread_cond_t has_work; /* signalled when a task is queued or on shutdown */
    pthread_cond_t idle;     /* signalled when the queue empties and nothing runs */
    PoolTask *head, *tail;
    int running; /* tasks being run right now */
    bool shutdown;
    int n_threads;
    pthread_t *threads;
};

static void *pool_main(void *arg)
{
    ThreadPool *pool = arg;
    pthread_mutex_lock(&pool->lock);
    for (;;) {
        while (!pool->head && !pool->shutdown)
            pthread_cond_wait(&pool->has_work, &pool->lock);
        if (!pool->head) break; /* shutdown and drained */
        PoolTask *task = pool->head;
        pool->head = task->next;
        if (!pool->head) pool->tail = NULL;
        task->next = NULL;
        pool->running++;
        pthread_mutex_unlock(&pool->lock);
        task->run(task);
        pthread_mutex_lock(&pool->lock);
        pool->running--;
        if (!pool->head && pool->running == 0) pthread_cond_broadcast(&pool->idle);
    }
    pthread_mutex_unlock(&pool->lock);
    return NULL;
}

ThreadPool *threadpool_create(int n_threads, Error *err)
{
    if (n_threads < 1) n_threads = 1;
    ThreadPool *pool = bs_calloc(1, sizeof *pool);
    pthread_t *threads = bs_calloc((size_t)n_threads, sizeof(pthread_t));
    if (!pool || !threads) {
        bs_free(pool);
        bs_free(threads);
        error_oom(err);
        return NULL;
    }
    pthread_mutex_init(&pool->lock, NULL);
    pthread_cond_init(&pool->has_work, NULL);
    pthread_cond_init(&pool->idle, NULL);
    pool->threads = threads;
    for (int k = 0; k < n_threads; k++) {
        int rc = pthread_create(&pool->threads[k], NULL, pool_main, pool);
        if (rc != 0) {
            pool->n_threads = k;
            threadpool_destroy(pool);
            error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "could not start thread: %s", strerror(rc));
            return NULL;
        }
    }
    pool->n_threads = n_threads;
    return pool;
}

void threadpool_destroy(ThreadPool *pool)
{
    if (!pool) return;
    pthread_mutex_lock(&pool->lock);
    while (pool->head || pool->running)
        pthread_cond_wait(&pool->idle, &pool->lock);
    pool->shutdown = true;
    pthread_cond_broadcast(&pool->has_work);
    pthread_mutex_unlock(&pool->lock);
    for (int k = 0; k < pool->n_threads; k++)
        pthread_join(pool->threads[k], NULL);
    pthread_mutex_destroy(&pool->lock);
    pthread_cond_destroy(&pool->has_work);
    pthread_cond_destroy(&pool->idle);
    bs_free(pool->threads);
    bs_free(pool);
}

void threadpool_submit(ThreadPool *pool, PoolTask *task)
{
    task->next = NULL;
    pthread_mutex_lock(&pool->lock);
    if (pool->tail)
        pool->tail->next = task;
    else
        pool->head = task;
    pool->tail = task;
    pthread_cond_signal(&pool->has_work);
    pthread_mutex_unlock(&pool->lock);
}

int threadpool_size(const ThreadPool *pool)
{
    return pool->n_threads;
}

struct Future {
    pthread_mutex_t lock;
    pthread_cond_t done_cond;
    atomic_int refs;
    bool done;
    FutureWaiter *waiters;
};

Future *future_create(void)
{
    Future *f = bs_calloc(1, sizeof *f);
    if (!f) return NULL;
    pthread_mutex_init(&f->lock, NULL);
    pthread_cond_init(&f->done_cond, NULL);
    atomic_store(&f->refs, 1);
    return f;
}

void future_retain(Future *f)
{
    atomic_fetch_add(&f->refs, 1);
}

void future_release(Future *f)
{
    if (!f) return;
    if (atomic_fetch_sub(&f->refs, 1) != 1) return;
    pthread_mutex_destroy(&f->lock);
    pthread_cond_destroy(&f->done_cond);
    bs_free(f);
}

void future_complete(Future *f)
{
    pthread_mutex_lock(&f->lock);
    if (f->done) {
        pthread_mutex_unlock(&f->lock);
        return;
    }
    f->done = true;
    FutureWaiter *waiters = f->waiters;
    f->waiters = NULL;
    pthread_cond_broadcast(&f->done_cond);
    /* Keep f alive while callbacks run: a callback may drop the last outside reference. */
    future_retain(f);
    pthread_mutex_unlock(&f->lock);
    while (waiters) {
        FutureWaiter *next = waiters->next;
        waiters->next = NULL;
        waiters->callback(waiters);
        waiters = next;
    }
    future_release(f);
}

bool future_is_done(Future *f)
{
    pthread_mutex_lock(&f->lock);
    bool done = f->done;
    pthread_mutex_unlock(&f->lock);
    return done;
}

bool future_add_waiter(Future *f, FutureWaiter *waiter)
{
    pthread_mutex_lock(&f->lock);
    if (f->done) {
        pthread_mutex_unlock(&f->lock);
        return false;
    }
    waiter->next = f->waiters;
    f->waiters = waiter;
    pthread_mutex_unlock(&f->lock);
    return true;
}

void future_wait(Future *f)
{
    pthread_mutex_lock(&f->lock);
    while (!f->done)
        pthread_cond_wait(&f->done_cond, &f->lock);
    pthread_mutex_unlock(&f->lock);
}

bool future_wait_for(Future *f, int64_t timeout_ms)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += timeout_ms / 1000;
    deadline.tv_nsec += (timeout_ms % 1000) * 1000000;
    if (deadline.tv_nsec >= 1000000000) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&f->lock);
    while (!f->done) {
        if (pthread_cond_timedwait(&f->done_cond, &f->lock, &deadline) == ETIMEDOUT) break;
    }
    bool done = f->done;
    pthread_mutex_unlock(&f->lock);
    return done;
}

int64_t clock_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t clock_wall_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}
