/*
 * engine.h — the embedded engine: the coordinator and one in-process worker in one
 * object. It owns the data directory (metastore), the thread pool and the memory
 * accounting, and runs statements through the whole query path:
 *
 *   text → parser → binder → optimizer → physical plan → fragments
 *        → (serialized, rebuilt as a worker would) → tasks on the thread pool
 *        → results, or a commit of written files
 *
 * An Engine serves many sessions at once: each Session (a client's connection, say) has
 * its own settings and runs one statement at a time, with its own cancel, memory limit
 * and statistics; statements of different sessions run concurrently on the shared thread
 * pool. engine_start, engine_execute and engine_cancel use the engine's own session.
 */
#ifndef BASALT_SERVER_ENGINE_H
#define BASALT_SERVER_ENGINE_H

#include "common/arena.h"
#include "common/buffer.h"
#include "common/error.h"
#include "common/vector.h"

typedef struct EngineConfig {
    const char *data_dir;
    int threads;          /* drivers per parallel pipeline and pool threads; 0: CPUs */
    int workers;          /* in-process workers: tasks per source or hash-partitioned
                             fragment, exchanging rows as a cluster would; 0: 1 */
    int64_t memory_limit; /* bytes per query; 0: 80% of physical memory */
    int64_t max_recursion; /* evaluations of a WITH RECURSIVE term before the query fails
                              (54001); 0: PLAN_DEFAULT_MAX_RECURSION (10000) */
} EngineConfig;

typedef struct Engine Engine;
typedef struct Session Session;
typedef struct NodeRegistry NodeRegistry;

/* Opens (creating if needed) the data directory. 55P03 if another process has it. */
Status engine_open(const EngineConfig *config, Engine **out, Error *err);
void engine_close(Engine *engine);
/* Asks the running statement of the engine's session to stop (async-signal-safe): it
 * fails with 57014. */
void engine_cancel(Engine *engine);

/*
 * A new session over the engine, with the default settings. Any thread; the session is
 * then used by one thread at a time (session_cancel excepted). NULL with err set (53200).
 */
Session *session_create(Engine *engine, Error *err);
/* Ends a session; its cursor, if any, must be closed first. NULL is fine. */
void session_destroy(Session *session);
/* The session's number, unique in the engine (1 is the engine's own session). */
uint64_t session_id(const Session *session);
/*
 * Any thread, async-signal-safe: the session's running statement fails with 57014. When
 * no statement runs, the next one does (it is stopped as soon as it starts): callers
 * cancel only while they have a statement in flight.
 */
void session_cancel(Session *session);

/* What one statement produced. Lives until result_free. */
typedef struct Result {
    Arena *arena;
    bool has_rows; /* a query (or EXPLAIN): columns and rows */
    int n_cols;
    char **names;
    LogicalType *types;
    int n_chunks;
    Chunk **chunks; /* flat, no selection */
    uint64_t n_rows;
    char *status;      /* command tag: "SELECT 3", "INSERT 5", "CREATE TABLE", … */
    double elapsed_ms; /* execution time measured inside the engine */
    /* The session's time zone when the statement ran (common/timezone.h; never NULL): the
       zone TIMESTAMPTZ values are shown in (format_value_in_zone). */
    const struct TimeZone *zone;
} Result;

void result_free(Result *result);
/* The value of row `row` (0-based, across chunks) and column col. */
void result_get(const Result *result, uint64_t row, int col, Value *out);

/*
 * Runs one statement (text without a trailing ';' is fine; a text with several statements
 * is refused with 42601 — split scripts with parser_split first) and collects its rows.
 * On success *out holds the result; on failure err is set, with `position` a byte offset
 * into `sql`, and every table is as it was before the statement. For results of any size,
 * use a cursor instead.
 */
Status engine_execute(Engine *engine, const char *sql, size_t len, Result **out, Error *err);

/*
 * The client's side of a running statement. A query's rows stream: they are computed as
 * the client reads them, in memory bounded by the engine's exchanges whatever their
 * number, and the first rows arrive while the rest are computed. Other statements have
 * completed when engine_start returns. No other statement may start in the session until
 * the cursor is closed.
 */
typedef struct Cursor Cursor;

/* Starts one statement (as engine_execute). On failure *out is NULL and err is set. */
Status engine_start(Engine *engine, const char *sql, size_t len, Cursor **out, Error *err);
/* The same in a session: 55000 while the session's previous cursor is still open. */
Status session_start(Session *session, const char *sql, size_t len, Cursor **out, Error *err);
Status session_execute(Session *session, const char *sql, size_t len, Result **out, Error *err);
/*
 * What the statement produces: has_rows, the columns' names and types, and — once
 * cursor_next has reached the end — n_rows, the status ("SELECT 3") and elapsed_ms. Its
 * `chunks` are not the rows of a query: read those with cursor_next.
 */
const Result *cursor_result(const Cursor *cursor);
/*
 * The next chunk of rows (flat columns, no selection), waiting for it; NULL at the end.
 * Valid until the next call. A statement may fail after some rows (err set; the cursor is
 * then at its end). Ctrl-C (engine_cancel) fails it with 57014.
 */
Status cursor_next(Cursor *cursor, const Chunk **out, Error *err);
/* Ends the statement — a query whose rows were not all read is stopped — and frees it. */
void cursor_close(Cursor *cursor);

/* A coordinator's node registry (server/coordinator/nodes.h), for system.runtime.nodes;
   the caller keeps it alive while the engine is open. */
void engine_set_nodes(Engine *engine, NodeRegistry *nodes);
/* A coordinator's scheduler (server/coordinator/scheduler.h): with workers registered,
   queries are planned for them and run on them. NULL: every task runs in this process. */
struct Scheduler;
void engine_set_scheduler(Engine *engine, struct Scheduler *scheduler);

/* ---- settings (for tests and tools) ---- */
int engine_threads(const Engine *engine);
int engine_workers(const Engine *engine);
const char *engine_data_dir(const Engine *engine);

#endif
