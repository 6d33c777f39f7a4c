/*
 * exec.h — the public face of exec/: running plan fragments.
 *
 * A Task runs one fragment instance. It cuts the fragment's operator tree into pipelines
 * at pipeline breakers (hash aggregation, sort), runs each pipeline as one or more
 * drivers on the thread pool (a pipeline that starts with a table scan gets one driver
 * per thread; morsels are splits handed out as drivers ask), and starts a pipeline when
 * the ones it depends on have finished. A driver never blocks a thread: when an operator
 * must wait (an exchange is empty or full), the driver parks on a Future and is
 * resubmitted when it completes.
 *
 * exec/ does not know whether it is distributed: where rows leave and enter a task is an
 * ExchangeSink / ExchangeSource that server/ plugs in (in-process queues here, network
 * transports later). Table writes and splits likewise go through interfaces.
 */
#ifndef BASALT_EXEC_EXEC_H
#define BASALT_EXEC_EXEC_H

#include "common/arena.h"
#include "common/buffer.h"
#include "common/error.h"
#include "common/threadpool.h"
#include "common/vector.h"
#include "planner/plan.h"
#include "storage/storage.h"

#include <stdatomic.h>

/* ---- exchanges ------------------------------------------------------------------------ */

/* send() to every partition (broadcast). */
#define EXCHANGE_ALL_PARTITIONS (-1)

/*
 * Where rows leave a task or a pipeline: n_partitions destinations (the consumer tasks of
 * a repartitioning exchange, the drivers of a consuming pipeline, or 1 for a gather). The
 * sink operator splits each chunk by partition before it sends. All producers share one
 * sink object; each calls no_more once when it is done. Thread-safe.
 */
typedef struct ExchangeSink ExchangeSink;
struct ExchangeSink {
    int n_partitions;
    /*
     * Future to wait on before sending to `partition` (EXCHANGE_ALL_PARTITIONS: to any) —
     * back-pressure; retained for the caller. NULL when the sink can take more now.
     */
    Future *(*is_blocked)(ExchangeSink *sink, int partition);
    /* Takes a copy of the chunk's rows for one partition or all (the caller keeps it). */
    Status (*send)(ExchangeSink *sink, int partition, const Chunk *chunk, Error *err);
    /* One producer is done. `producer` names it where order matters (ordered exchanges). */
    void (*no_more)(ExchangeSink *sink, int producer);
    /* True once no consumer needs more rows: producers stop (and drop what they have). */
    bool (*is_finished)(ExchangeSink *sink);
};

/* Where a task's input rows come from (the output of another fragment). Thread-safe. */
typedef struct ExchangeSource ExchangeSource;
struct ExchangeSource {
    /*
     * Next chunk: *out is valid until the caller's next call to next (or close). When
     * nothing is available yet, *out = NULL and *blocked is a retained future to wait on;
     * when every producer is done, both are NULL.
     */
    Status (*next)(ExchangeSource *source, Chunk **out, Future **blocked, Error *err);
    /*
     * The caller is done reading, whether or not it read everything (returns any chunk it
     * holds). When every consumer of the producers' rows has closed, they are told to stop.
     */
    void (*close)(ExchangeSource *source);
};

/*
 * An in-process exchange: bounded queues of chunks, one per partition, between producer
 * drivers and consumer drivers, passing chunks by pointer (the producer's rows are copied
 * once into a chunk the exchange owns). `max_bytes` bounds what it buffers before
 * producers block. `ordered`: one partition per producer, and one consumer that reads the
 * producers' streams one after the other in producer order.
 */
typedef struct LocalExchange LocalExchange;

LocalExchange *local_exchange_create(const LogicalType *types, int n_cols, int n_partitions,
                                     bool ordered, int64_t max_bytes, MemTracker *tracker,
                                     Error *err);
/* Adds producers before they start (their number is known once their task exists). */
void local_exchange_add_producers(LocalExchange *x, int n);
/* The producer side (one object for all producers). */
ExchangeSink *local_exchange_sink(LocalExchange *x);
/*
 * A new consumer handle reading `partition` (ignored when ordered); freed by
 * local_exchange_destroy. Create every handle before the producers start.
 */
ExchangeSource *local_exchange_source(LocalExchange *x, int partition, Error *err);
/* True once every consumer handle has closed. */
bool local_exchange_finished(LocalExchange *x);
/* Wakes every waiter and makes further sends and reads fail (used when a query fails). */
void local_exchange_abort(LocalExchange *x);
void local_exchange_destroy(LocalExchange *x);

/* ---- constant expressions ---------------------------------------------------------- */

/*
 * Evaluates an expression that reads no column once, exactly as a task would: compiled
 * by the task's expression compiler and run over a one-row chunk. On success *ok = true
 * and *out holds the value (string bytes copied into arena). When the evaluation raises
 * an error (division by zero, overflow, bad text, a plan no kernel implements), *ok =
 * false and the error is dropped. Returns BS_ERROR only when memory runs out. The
 * planner's constant folding goes through this (server/fold.c), so folding at plan time
 * gives the same results as evaluating at run time.
 */
Status expr_eval_constant(const Expr *expr, Arena *arena, Value *out, bool *ok, Error *err);

/* ---- what a task needs from its host ------------------------------------------------- */

/* A morsel of a table scan: row groups of one file. */
typedef struct Split {
    const char *path; /* absolute */
    uint32_t first_row_group;
    uint32_t n_row_groups; /* UINT32_MAX: to the end of the file */
} Split;

/* What SplitSource.next says. */
typedef enum SplitNext {
    SPLIT_NONE,  /* the scan has no more splits */
    SPLIT_READY, /* *out is the next split */
    SPLIT_WAIT,  /* none yet (they are on their way): *blocked is a retained future to wait on */
} SplitNext;

/*
 * Hands out the splits of a scan, one at a time, to whichever driver asks. Thread-safe.
 * A source may have to fetch them (a worker asks the coordinator in small batches): then
 * it answers SPLIT_WAIT rather than block the driver's thread.
 */
typedef struct SplitSource SplitSource;
struct SplitSource {
    /* Next split for the scan node `node_id`. */
    SplitNext (*next)(SplitSource *source, int node_id, Split *out, Future **blocked);
    /*
     * A new source over the same scans that hands every split out again, for a task
     * nested in this one (each evaluation of a WITH RECURSIVE term reads its tables
     * anew). Allocated in `arena`, it lives as long as the arena. NULL on error; may be
     * NULL when the host runs no recursive queries.
     */
    SplitSource *(*fork)(SplitSource *source, Arena *arena, Error *err);
};

/* Describes one data file a table writer finished. */
typedef struct WrittenFile {
    const char *rel_path;
    uint64_t n_rows;
    uint64_t n_bytes;
    const FileSummary *summary; /* zone maps per column */
} WrittenFile;

/* Where table writers get file names and report finished files. Thread-safe. */
typedef struct WriteTarget WriteTarget;
struct WriteTarget {
    /* A new file for table `table`: absolute path to write and the path to record. */
    Status (*new_file)(WriteTarget *target, const char *table, Arena *arena, char **abs_path,
                       char **rel_path, Error *err);
    /* A file is complete; the target records it for the commit. */
    Status (*file_done)(WriteTarget *target, const char *table, const WrittenFile *file,
                        Error *err);
};

/* Where a task's drivers get handles on their inputs (the outputs of other fragments). */
typedef struct TaskInputs TaskInputs;
struct TaskInputs {
    /*
     * A new handle on this task's part of the output of `fragment`, for one driver. The
     * driver closes it when done; the host frees it after the task. NULL on error.
     */
    ExchangeSource *(*open)(TaskInputs *inputs, int fragment, Error *err);
};

typedef struct TaskConfig {
    ThreadPool *pool;
    int max_drivers;        /* drivers per parallel pipeline (the --threads setting) */
    MemTracker *tracker;    /* the query's tracker; the task's is a child of it */
    atomic_bool *cancel;    /* set by anyone to stop the query (Ctrl-C, another task failing) */
    SplitSource *splits;    /* for table scans */
    WriteTarget *writes;    /* for table writers */
    TaskInputs *inputs;     /* for remote sources */
    /* For PLAN_CTE_SCAN leaves: open(id) reads the working table of recursive CTE `id`
       (set by op_recursive_cte.c for the tasks it nests; NULL elsewhere). */
    TaskInputs *working_tables;
    int64_t exchange_bytes; /* what a local exchange buffers before producers wait; 0: 8 MB */
    /* Joins never use a dense index (join_int.h): tests run their joins both ways. */
    bool hashed_joins_only;
    ExchangeSink *output;   /* where the fragment's rows go, partitioned as fragment->output */
    /* Called once when the task fails, so the host can wake whatever waits on it (it
       aborts the query's exchanges). May be NULL. */
    void (*on_fail)(void *ctx);
    void *on_fail_ctx;
} TaskConfig;

typedef struct Task Task;

/*
 * Builds a task for `fragment` (which must stay alive as long as the task). The sink
 * config->output gets exactly task_output_producers() producers. NULL on error.
 */
Task *task_create(const PlanFragment *fragment, const TaskConfig *config, Error *err);
/* How many drivers will write to the output sink (call before task_start). */
int task_output_producers(const Task *task);
/* True once the task's output is not needed any more (its consumers are gone). */
bool task_output_finished(const Task *task);
/* Starts the pipelines that depend on nothing. */
void task_start(Task *task);
/* Completed when every driver has ended (successfully or not). Not retained. */
Future *task_done(Task *task);
/* After task_done: BS_OK, or the first error of any driver copied into err. */
Status task_result(Task *task, Error *err);
/* Per-operator statistics for EXPLAIN ANALYZE: appends lines "node id: rows, time". */
void task_stats(const Task *task, Buffer *out);
/* Frees the task (after task_done has completed, or before task_start). */
void task_destroy(Task *task);

#endif
