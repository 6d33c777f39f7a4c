/*
 * server_int.h — what the engine's files share: the Engine itself, the catalog adapter
 * over the metastore, and the runner that executes a fragmented plan.
 */
#ifndef BASALT_SERVER_SERVER_INT_H
#define BASALT_SERVER_SERVER_INT_H

#include "common/threadpool.h"
#include "exec/exec.h"
#include "planner/planner.h"
#include "server/engine.h"
#include "storage/storage.h"

#include <stdatomic.h>

/* The statements an engine runs and ran (query_log.c), for system.runtime.queries. */
typedef struct QueryLogEntry {
    uint64_t id, session_id;
    char *query;
    int64_t created_us, ended_us; /* ended 0: running */
    uint64_t rows;
    bool failed;
    char sqlstate[6];
    char *error;
} QueryLogEntry;
typedef struct QueryLog QueryLog;
QueryLog *query_log_create(void);
void query_log_destroy(QueryLog *log);
/* A statement starts: its id (0 when log is NULL). */
uint64_t query_log_begin(QueryLog *log, uint64_t session_id, const char *sql, size_t len);
/* It ended, with `rows` (queries) or err set (failed). Once per id; later calls do nothing. */
void query_log_end(QueryLog *log, uint64_t id, uint64_t rows, const Error *err);
/* A copy of every entry in arena, oldest first. */
Status query_log_snapshot(QueryLog *log, Arena *arena, QueryLogEntry **out, int *n, Error *err);

struct Engine {
    char *data_dir;
    Metastore *metastore;
    ThreadPool *pool;
    int threads;
    int workers;           /* tasks per source or hash-partitioned fragment */
    int64_t max_recursion; /* WITH RECURSIVE iteration limit (0: the planner's default) */
    int64_t memory_limit;
    MemTracker tracker;          /* the process: every query's tracker is a child */
    MemTracker results;          /* rows held in Results handed to the client */
    Session *session;            /* the session of engine_start, engine_execute and engine_cancel */
    NodeRegistry *nodes;         /* a coordinator's workers (NULL: embedded) */
    struct Scheduler *scheduler; /* a coordinator's: runs fragments on workers (NULL: none) */
    QueryLog *queries;           /* system.runtime.queries */
    atomic_uint_fast64_t next_session_id;
};

/* A client's session: its settings, and the cancel flag of the statement it runs. */
struct Session {
    Engine *engine;
    uint64_t id;
    atomic_bool cancel; /* set by session_cancel: the running statement stops (57014) */
    atomic_bool busy;   /* a statement runs (or its cursor is open) */
    /* The session's settings (settings.c): the TimeZone setting's value, as set. */
    char time_zone[128];
    /* join_distribution_type and join_max_broadcast_table_size (0: the planner's default;
       its text as SHOW gives it, empty then), planned with every statement. */
    JoinDistribution join_distribution;
    bool exchange_zstd; /* exchange_compression = 'zstd': pages between nodes compressed */
    bool retry_query;   /* retry_policy = 'query' (the default): see engine.c */
    uint64_t query_id;  /* the running statement's id in the engine's query log */
    int64_t broadcast_limit_bytes;
    char broadcast_limit_text[32];
    /* query_max_memory (0: the engine's memory limit), and as SHOW gives it */
    int64_t query_max_memory;
    char query_max_memory_text[32];
};

/* A Catalog whose tables come from the metastore (their TableInfo is the handle). */
void catalog_init(Catalog *catalog, Session *session);

/* The planner's constant evaluator, backed by exec's expression evaluation (fold.c). */
void evaluator_init(ExprEvaluator *evaluator);

/* Where a running statement's table writers put their files. */
typedef struct WriteSet WriteSet;

/* Partitions of fragment f's output exchange: one per consumer task, or one (a gather,
   the root). -1 with err set when the plan's layout does not allow it (run_start checks
   every fragment before anything runs). */
int plan_output_partitions(const QueryPlan *plan, const PlanFragment *f, Error *err);
/*
 * Replaces every fragment of plan by one rebuilt from its serialized bytes (as a worker
 * would receive it), checking that the rebuilt fragment serializes to the same bytes.
 */
Status plan_round_trip(QueryPlan *plan, Arena *arena, Error *err);

/* A fragmented plan running on the in-process workers (query.c). */
typedef struct QueryRun QueryRun;

/*
 * Starts a fragmented plan (rebuilt by plan_round_trip): wires the fragments together with
 * in-process exchanges, creates fragment->n_tasks tasks per fragment and starts them.
 * `writes` receives files written by table writers (may be NULL). *out is set even on
 * failure; release it with run_destroy. The run lives in arena.
 */
Status run_start(Session *session, const QueryPlan *plan, MemTracker *tracker, Arena *arena,
                 WriteSet *writes, QueryRun **out, Error *err);
/*
 * The next chunk of the root fragment's rows, waiting for it (a Ctrl-C cancels). *out is
 * NULL at the end, once every task has finished, or on error (the first real error of any
 * task). The chunk stays valid until the next call.
 */
Status run_next(QueryRun *run, Chunk **out, Error *err);
/*
 * Ends the run: when rows are left unread, tells the producers no more are needed; waits
 * for every task and returns the first error of any. `stats` (may be NULL) receives
 * per-operator statistics (EXPLAIN ANALYZE).
 */
Status run_finish(QueryRun *run, Buffer *stats, Error *err);
/* Frees the run's tasks and exchanges (finishing it first if needed). NULL is fine. */
void run_destroy(QueryRun *run);
/*
 * Runs a plan to its end: the root fragment's rows are appended to *result (if not NULL),
 * statistics to `stats` (may be NULL).
 */
Status run_plan(Session *session, const QueryPlan *plan, MemTracker *tracker, Arena *arena,
                WriteSet *writes, Result *result, Buffer *stats, Error *err);

/* A WriteSet over a metastore transaction; files are added to it as writers finish. */
WriteSet *writeset_create(Engine *engine, MetaTxn *txn, Arena *arena, Error *err);
/* Adds the files written for each table to the transaction (before its commit). */
Status writeset_apply(WriteSet *ws, Error *err);
/* After a run failed with 53I01: the id of the join whose broadcast build side passed the
   limit, or -1. */
int run_oversized_join(QueryRun *run);
/* For a task on a worker that writes `table`: the directory and file name prefix it
   writes under (metatxn_file_prefix). Thread-safe. */
Status writeset_remote_dir(WriteSet *ws, const char *table, Arena *arena, char **abs_dir,
                           char **rel_dir, char **prefix, Error *err);
/* A file such a task finished (FILES): adopted now (deleted unless the statement
   commits), read back and verified at writeset_apply. Thread-safe. */
Status writeset_remote_file(WriteSet *ws, const char *table, const char *prefix,
                            const char *rel_path, uint64_t rows, Error *err);
void writeset_destroy(WriteSet *ws);

/* Result helpers (result.c). */
Result *result_new(MemTracker *tracker, Error *err);
/* Copies n output columns (names NULL: all "?column?") into the result; sets has_rows. */
Status result_set_columns(Result *res, int n, char *const *names, const LogicalType *types,
                          Error *err);
/* Appends a copy of chunk's rows. */
Status result_append(Result *result, const Chunk *chunk, Error *err);
/* A one-column VARCHAR result of text lines (EXPLAIN). */
/* Runs SET / RESET / SHOW (settings.c): a setting of the session, or its value as a row. */
Status settings_run(Session *s, const AstStatement *stmt, Result *res, Error *err);
/* Gives every setting of a new session its default. */
void settings_defaults(Session *s);

Status result_from_lines(Result *result, const char *column, const char *text, size_t len,
                         Error *err);

#endif
