/*
 * threadpool.h — a fixed pool of worker threads, and one-shot futures.
 *
 * The pool runs PoolTasks in FIFO order. A PoolTask is embedded in its owner (a driver,
 * say), so submitting never allocates and never fails; a task may be resubmitted once it
 * has started running. Drivers never block a pool thread: when an operator must wait,
 * the driver returns and registers on a Future, whose completion resubmits it.
 *
 * A Future is a one-shot, reference-counted event. Waiters are embedded structs too, so
 * registering cannot fail. Completion runs the waiters' callbacks on the completing
 * thread, outside any lock.
 */
#ifndef BASALT_COMMON_THREADPOOL_H
#define BASALT_COMMON_THREADPOOL_H

#include "common/basics.h"
#include "common/error.h"

typedef struct PoolTask {
    struct PoolTask *next;
    void (*run)(struct PoolTask *task);
} PoolTask;

typedef struct ThreadPool ThreadPool;

/* Starts n_threads threads (at least 1). NULL with err set on failure. */
ThreadPool *threadpool_create(int n_threads, Error *err);
/* Waits for every queued and running task to finish, then joins and frees the pool. */
void threadpool_destroy(ThreadPool *pool);
/* Queues task; task->run(task) will be called on a pool thread. */
void threadpool_submit(ThreadPool *pool, PoolTask *task);
int threadpool_size(const ThreadPool *pool);

typedef struct FutureWaiter {
    struct FutureWaiter *next;
    void (*callback)(struct FutureWaiter *waiter);
} FutureWaiter;

typedef struct Future Future;

/* A pending future with one reference; NULL when out of memory. */
Future *future_create(void);
void future_retain(Future *f);
/* Drops a reference; the last one frees the future. */
void future_release(Future *f);
/* Completes the future (idempotent) and runs the registered callbacks. */
void future_complete(Future *f);
bool future_is_done(Future *f);
/*
 * Registers waiter->callback to run when f completes. Returns false, registering
 * nothing, when f is already complete (the caller proceeds at once).
 */
bool future_add_waiter(Future *f, FutureWaiter *waiter);
/* Blocks the calling thread until f completes (never call from a pool thread). */
void future_wait(Future *f);
/* As future_wait with a timeout in milliseconds; true when complete. */
bool future_wait_for(Future *f, int64_t timeout_ms);

/* Monotonic clock in nanoseconds. */
int64_t clock_now_ns(void);
/* Wall clock: microseconds since 1970-01-01 UTC (TIMESTAMP's unit). */
int64_t clock_wall_us(void);
/* Number of CPUs available to this process. */
int cpu_count(void);

#endif
