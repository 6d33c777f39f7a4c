/*
 * scheduler.h — the coordinator's scheduler: a query's fragments, but its root, become
 * tasks on the registered workers (TASK_CREATE on their control connections), all at
 * once, so that stages run pipelined; the root runs on the coordinator (query.c) and
 * reads its inputs through RemoteInputs. Source tasks get their splits in small batches
 * as they ask (SPLITS_GET), from the query's one split source, so a faster worker takes
 * more. Tasks report TASK_STATUS; the first failure fails the query (every input of the
 * root fails with it). A worker that leaves (its connection closes, or its heartbeats
 * stop) fails every query with a task on it, naming it. When a query ends, however it
 * ends, its workers get TASK_CANCEL, which drops its tasks and their buffered pages.
 *
 * Thread-safe; the worker_* calls and scheduler_worker_frame come from the loop thread.
 */
#ifndef BASALT_SERVER_COORDINATOR_SCHEDULER_H
#define BASALT_SERVER_COORDINATOR_SCHEDULER_H

#include "exec/exec.h"
#include "net/net.h"
#include "planner/planner.h"

typedef struct Scheduler Scheduler;
typedef struct DistRun DistRun;
typedef struct WriteSet WriteSet; /* server_int.h */

Scheduler *scheduler_create(EventLoop *loop, Error *err);
/* After every run has finished. */
void scheduler_destroy(Scheduler *s);

/* A worker registered on `conn` (its control connection), listening at `address`. */
void scheduler_worker_up(Scheduler *s, uint64_t number, Connection *conn, const char *node_id,
                         const char *address);
/* It left, for `reason`: every run with a task on it fails. */
void scheduler_worker_down(Scheduler *s, uint64_t number, const char *reason);
/* A frame from a worker's control connection (TASK_STATUS, SPLITS_GET); false if neither. */
bool scheduler_worker_frame(Scheduler *s, uint64_t number, const Frame *f);
/* Workers that can take tasks now. */
int scheduler_workers(Scheduler *s);

/*
 * Whether the plan's fragments but the root may run on workers: they read a table, and
 * none reads a CSV file (a path on the coordinator) or holds a recursive CTE (whose
 * nested tasks read their splits again), or writes a table unless `writes` (the statement
 * has a WriteSet to commit the workers' files through).
 */
bool scheduler_can_distribute(const QueryPlan *plan, bool writes);

/* How a run's tasks work. */
typedef struct DistOptions {
    int zstd_level;          /* of the pages tasks send (0: not compressed) */
    int64_t memory_limit;    /* the query's (0: none) */
    int64_t broadcast_limit; /* what a broadcast input may bring a task (0: no bound) */
} DistOptions;

/*
 * Starts every fragment but the root on the workers; `query_id` is the statement's in the
 * engine's query log (system.runtime.tasks names it). `splits` hands out the query's
 * splits (it must outlive the run); `writes` (NULL for a query) gives the tasks that
 * write tables their directories and adopts the files they report (FILES). The options'
 * `memory_limit` (0: none) bounds the query's
 * memory on each worker (its tasks there together) and summed over the nodes: `tracker`
 * (the statement's, here) and what the workers report with their heartbeats (MEMORY);
 * over it, the run fails with 53200. Each task's memory also counts against its worker's
 * --memory. A task whose broadcast input brings more than `broadcast_limit` fails with
 * 53I01 (dist_run_oversized names the input). `on_fail(ctx)` is called once, from any thread, when
 * the run fails (a task failed or a worker left): the caller stops its root task. NULL with err set
 * when no worker can take the tasks.
 */
DistRun *scheduler_start(Scheduler *s, const QueryPlan *plan, uint64_t query_id,
                         SplitSource *splits, WriteSet *writes, const DistOptions *options,
                         MemTracker *tracker, void (*on_fail)(void *ctx), void *ctx, Error *err);
/* The root's handle on the output of fragment `fragment` (one per driver). */
ExchangeSource *dist_run_open(DistRun *run, int fragment, Error *err);
/* BS_ERROR with the run's first failure copied into err, if it failed. */
Status dist_run_status(DistRun *run, Error *err);
/*
 * Waits until every task has reported its end (for a statement that writes: every file is
 * reported before its task's end), the run failed (its error), or *cancel is set (57014).
 */
Status dist_run_wait(DistRun *run, const atomic_bool *cancel, Error *err);
/* The fragment whose broadcast to a task passed the bound (BROADCAST_OVER), or -1. */
int dist_run_oversized(DistRun *run);
/* Fails the run with `error` (the client cancelled): the root's inputs return it. */
void dist_run_cancel(DistRun *run, const Error *error);
/* Appends a line per remote task (rows, bytes, wall time) for EXPLAIN ANALYZE. */
void dist_run_stats(DistRun *run, Buffer *out);
/* Ends the run: TASK_CANCEL to its workers, its inputs freed. After the root task ended. */
void dist_run_destroy(DistRun *run);

/* A remote task as system.runtime.tasks shows it: of a running query, or of one of the
   last SCHEDULER_HISTORY queries that ran on workers. */
typedef struct TaskInfo {
    uint64_t query_id, task_id;
    int stage, index;
    char node_id[128];
    const char *state; /* "running", "finished", "failed", "abandoned" (its query ended first) */
    uint64_t rows, bytes;
    double wall_ms;
} TaskInfo;
#define SCHEDULER_HISTORY 32
Status scheduler_tasks(Scheduler *s, Arena *arena, TaskInfo **out, int *n, Error *err);

#endif
