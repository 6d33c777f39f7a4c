/*
 * engine.h — the embedded engine: the coordinator and one in-process worker in one
 * object. It owns the data directory (metastore), the thread pool and the memory
 * accounting, and runs statements through the whole query path:
 *
 *   text → parser → binder → optimizer → physical plan → fragments
 *        → (serialized, rebuilt as a worker would) → tasks on the thread pool
 *        → results, or a commit of written files
 *
 * One statement runs at a time per Engine (engine_execute is not reentrant); another
 * thread may call engine_cancel while it runs.
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
} EngineConfig;

typedef struct Engine Engine;

/* Opens (creating if needed) the data directory. 55P03 if another process has it. */
Status engine_open(const EngineConfig *config, Engine **out, Error *err);
void engine_close(Engine *engine);
/* Asks the running statement to stop (async-signal-safe): it fails with 57014. */
void engine_cancel(Engine *engine);

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
} Result;

void result_free(Result *result);
/* The value of row `row` (0-based, across chunks) and column col. */
void result_get(const Result *result, uint64_t row, int col, Value *out);

/*
 * Runs one statement (text without a trailing ';' is fine; a text with several statements
 * is refused with 42601 — split scripts with parser_split first). On success *out holds
 * the result; on failure err is set, with `position` a byte offset into `sql`, and every
 * table is as it was before the statement.
 */
Status engine_execute(Engine *engine, const char *sql, size_t len, Result **out, Error *err);

/* ---- settings (for tests and tools) ---- */
int engine_threads(const Engine *engine);
int engine_workers(const Engine *engine);
const char *engine_data_dir(const Engine *engine);

#endif
