/*
 * engine.c — the statement lifecycle of the embedded engine.
 *
 *   parse → bind → (DDL: a metastore transaction)
 *                → optimize → physical plan + fragments → run_start
 *                → queries: rows streamed to the cursor as they are computed
 *                → writes: files into a metastore transaction, committed at the end
 *
 * A Cursor is the client's side of a statement. For a query, engine_start returns once the
 * plan runs; cursor_next hands out the root fragment's chunks as they arrive, and
 * cursor_close stops what is left (a client that has read enough). Every other statement
 * has run to its end when engine_start returns (EXPLAIN's lines are read like rows).
 *
 * Atomicity: a statement that writes opens one metastore transaction. Its files are
 * written first and become visible only through the commit; if anything fails before,
 * the transaction is aborted and its files deleted, so every table stays as it was.
 */
#include "server/server_int.h"

#include "common/alloc.h"
#include "common/config.h"
#include "common/timezone.h"
#include "net/net.h"
#include "parser/parser.h"
#include "server/coordinator/scheduler.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

Status engine_open(const EngineConfig *config, Engine **out, Error *err)
{
    Engine *e = bs_calloc(1, sizeof *e);
    if (!e) return error_oom(err);
    e->threads = config->threads > 0 ? config->threads : cpu_count();
    atomic_init(&e->next_session_id, 1);
    e->workers = config->workers > 0 ? config->workers : 1;
    e->max_recursion = config->max_recursion > 0 ? config->max_recursion : 0;
    int64_t memory = config->memory_limit > 0 ? config->memory_limit : config_default_memory();
    e->memory_limit = memory;
    memtracker_init(&e->tracker, NULL, "process", 0);
    memtracker_init(&e->results, NULL, "result", memory);
    e->data_dir = bs_strdup(config->data_dir ? config->data_dir : "basalt-data");
    if (!e->data_dir) {
        bs_free(e);
        return error_oom(err);
    }
    if (metastore_open(e->data_dir, &e->metastore, err) != BS_OK) {
        engine_close(e);
        return BS_ERROR;
    }
    e->pool = threadpool_create(e->threads, err);
    if (!e->pool) {
        engine_close(e);
        return BS_ERROR;
    }
    e->queries = query_log_create();
    e->session = e->queries ? session_create(e, err) : NULL;
    if (!e->session) {
        if (!e->queries) error_oom(err);
        engine_close(e);
        return BS_ERROR;
    }
    *out = e;
    return BS_OK;
}

void engine_close(Engine *e)
{
    if (!e) return;
    session_destroy(e->session);
    threadpool_destroy(e->pool);
    query_log_destroy(e->queries);
    if (e->metastore) metastore_close(e->metastore);
    bs_free(e->data_dir);
    bs_free(e);
}

void engine_cancel(Engine *e)
{
    session_cancel(e->session);
}

Session *session_create(Engine *e, Error *err)
{
    Session *s = bs_calloc(1, sizeof *s);
    if (!s) {
        error_oom(err);
        return NULL;
    }
    s->engine = e;
    s->id = atomic_fetch_add(&e->next_session_id, 1);
    atomic_init(&s->cancel, false);
    atomic_init(&s->busy, false);
    settings_defaults(s);
    return s;
}

void session_destroy(Session *s)
{
    bs_free(s);
}

uint64_t session_id(const Session *s)
{
    return s->id;
}

void session_cancel(Session *s)
{
    atomic_store(&s->cancel, true);
}

void engine_set_nodes(Engine *e, NodeRegistry *nodes)
{
    e->nodes = nodes;
}

void engine_set_scheduler(Engine *e, struct Scheduler *scheduler)
{
    e->scheduler = scheduler;
}

int engine_threads(const Engine *e)
{
    return e->threads;
}

int engine_workers(const Engine *e)
{
    return e->workers;
}

const char *engine_data_dir(const Engine *e)
{
    return e->data_dir;
}

static Status set_status(Result *res, Error *err, const char *fmt, ...) BS_PRINTF(3, 4);
static Status set_status(Result *res, Error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = bs_vasprintf(fmt, ap);
    va_end(ap);
    if (!s) return error_oom(err);
    res->status = arena_strdup(res->arena, s);
    bs_free(s);
    return res->status ? BS_OK : arena_error(res->arena, err);
}

/* Physical plan and fragments of an optimized statement, for the workers there are now. */
/* Joins a statement's runs found too big to broadcast (53I01): partitioned from then on. */
typedef struct ForcedJoins {
    int n;
    int ids[8];
} ForcedJoins;

static Status plan_physical(Session *s, BoundStatement *bs, const ForcedJoins *forced, Arena *arena,
                            QueryPlan **plan, Error *err)
{
    Engine *e = s->engine;
    /* On a coordinator with workers, plans have a task per worker in their parallel
       stages. */
    int workers = e->scheduler ? scheduler_workers(e->scheduler) : 0;
    PlanOptions options = {.workers = workers > 0 ? workers : e->workers,
                           .max_recursion = e->max_recursion,
                           .join_distribution = s->join_distribution,
                           .broadcast_limit_bytes = s->broadcast_limit_bytes,
                           .partitioned_joins = forced ? forced->ids : NULL,
                           .n_partitioned_joins = forced ? forced->n : 0};
    BS_TRY(planner_physical(bs, &options, arena, plan, err));
    return plan_round_trip(*plan, arena, err);
}

static Status plan_statement(Session *s, BoundStatement *bs, Arena *arena, QueryPlan **plan,
                             Error *err)
{
    ExprEvaluator evaluator;
    evaluator_init(&evaluator);
    BS_TRY(planner_optimize(&bs->plan, &evaluator, arena, err));
    return plan_physical(s, bs, NULL, arena, plan, err);
}

static void column_defs(const BoundStatement *bs, Arena *arena, ColumnDef **out)
{
    ColumnDef *cols =
        arena_alloc(arena, sizeof(ColumnDef) * (size_t)(bs->n_columns > 0 ? bs->n_columns : 1));
    if (cols)
        for (int k = 0; k < bs->n_columns; k++) {
            cols[k].name = bs->columns[k].name;
            cols[k].type = bs->columns[k].type;
            cols[k].not_null = bs->columns[k].not_null;
        }
    *out = cols;
}

static Status run_ddl(Engine *e, BoundStatement *bs, Arena *arena, Result *res, Error *err)
{
    if (bs->kind == BOUND_CREATE_TABLE && bs->n_columns < 0) /* IF NOT EXISTS, and it does */
        return set_status(res, err, "CREATE TABLE");
    MetaTxn *txn = metastore_begin(e->metastore, err);
    if (!txn) return BS_ERROR;
    Status st = BS_OK;
    const char *status = "DROP TABLE";
    if (bs->kind == BOUND_CREATE_TABLE || bs->kind == BOUND_CREATE_VIEW) {
        ColumnDef *cols;
        column_defs(bs, arena, &cols);
        bool created;
        if (!cols)
            st = arena_error(arena, err);
        else if (bs->kind == BOUND_CREATE_VIEW)
            st = metatxn_create_view(txn, bs->table, bs->view_sql, cols, bs->n_columns,
                                     bs->or_replace, err);
        else
            st = metatxn_create_table(txn, bs->table, cols, bs->n_columns, bs->if_not_exists,
                                      &created, err);
        status = bs->kind == BOUND_CREATE_VIEW ? "CREATE VIEW" : "CREATE TABLE";
    } else {
        bool view = bs->kind == BOUND_DROP_VIEW;
        for (int k = 0; k < bs->n_drop && st == BS_OK; k++)
            st = view ? metatxn_drop_view(txn, bs->drop_names[k], bs->if_exists, err)
                      : metatxn_drop_table(txn, bs->drop_names[k], bs->if_exists, err);
        if (view) status = "DROP VIEW";
    }
    /* The status is made before the commit: nothing may fail after it. */
    if (st == BS_OK) st = set_status(res, err, "%s", status);
    if (st != BS_OK) {
        metastore_abort(txn);
        return BS_ERROR;
    }
    return metastore_commit(txn, err);
}

/* INSERT, COPY and CREATE TABLE AS: write files, then commit them (and the new table). */
static Status run_write(Session *s, BoundStatement *bs, MemTracker *tracker, Arena *arena,
                        Result *res, Error *err)
{
    Engine *e = s->engine;
    MetaTxn *txn = metastore_begin(e->metastore, err);
    if (!txn) return BS_ERROR;
    Status st = BS_OK;
    if (bs->create) {
        ColumnDef *cols;
        column_defs(bs, arena, &cols);
        bool created;
        st = cols ? metatxn_create_table(txn, bs->table, cols, bs->n_columns, false, &created, err)
                  : arena_error(arena, err);
    }
    QueryPlan *plan = NULL;
    if (st == BS_OK) st = plan_statement(s, bs, arena, &plan, err);
    WriteSet *ws = st == BS_OK ? writeset_create(e, txn, arena, err) : NULL;
    if (st == BS_OK && !ws) st = BS_ERROR;
    Result *counts = st == BS_OK ? result_new(tracker, err) : NULL;
    if (st == BS_OK && !counts) st = BS_ERROR;
    if (st == BS_OK) st = result_set_columns(counts, 1, NULL, plan->out_types, err);
    if (st == BS_OK) st = run_plan(s, plan, tracker, arena, ws, counts, NULL, err);
    if (st == BS_OK) st = writeset_apply(ws, err);
    int64_t rows = 0;
    if (st == BS_OK && counts->n_rows == 1) {
        Value v;
        result_get(counts, 0, 0, &v);
        rows = v.is_null ? 0 : v.u.i64;
    }
    result_free(counts);
    writeset_destroy(ws);
    /* The status is made before the commit: nothing may fail after it. */
    if (st == BS_OK)
        st = bs->create ? set_status(res, err, "SELECT %lld", (long long)rows)
                        : set_status(res, err, "%s %lld", bs->verb, (long long)rows);
    if (st != BS_OK) {
        metastore_abort(txn);
        return BS_ERROR;
    }
    return metastore_commit(txn, err);
}

static Status run_explain(Session *s, BoundStatement *bs, MemTracker *tracker, Arena *arena,
                          Result *res, Error *err)
{
    BoundStatement *inner = bs->explained;
    if (bs->analyze && inner->kind != BOUND_QUERY)
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, -1,
                         "EXPLAIN ANALYZE runs queries only (it would change the table)");
    QueryPlan *plan;
    BS_TRY(plan_statement(s, inner, arena, &plan, err));
    Buffer text;
    buffer_init(&text);
    planner_explain_as(plan, bs->explain_type, &text);
    Status st = BS_OK;
    if (bs->analyze) {
        Result *rows = result_new(tracker, err);
        if (!rows) st = BS_ERROR;
        if (st == BS_OK)
            st = result_set_columns(rows, inner->n_out, inner->out_names, inner->out_types, err);
        int64_t t0 = clock_now_ns();
        buffer_printf(&text, "\nExecution:\n");
        if (st == BS_OK) st = run_plan(s, plan, tracker, arena, NULL, rows, &text, err);
        if (st == BS_OK)
            buffer_printf(&text, "%llu rows in %.3f ms, peak memory %lld bytes\n",
                          (unsigned long long)rows->n_rows, (double)(clock_now_ns() - t0) / 1e6,
                          (long long)atomic_load(&tracker->peak));
        result_free(rows);
    }
    if (st == BS_OK && !buffer_ok(&text)) st = error_oom(err);
    if (st == BS_OK) {
        /* Drop the final newline so the last line is not an empty row. */
        size_t len = text.len;
        while (len && text.data[len - 1] == '\n')
            len--;
        st = result_from_lines(res, "QUERY PLAN", (const char *)text.data, len, err);
    }
    buffer_free(&text);
    BS_TRY(st);
    return set_status(res, err, "EXPLAIN");
}

struct Cursor {
    Engine *engine;
    Session *session;
    MemTracker tracker; /* the statement's memory */
    Arena *arena;       /* the statement's plans and state */
    Result *result;     /* columns, status; the rows of statements that are not queries */
    QueryRun *run;      /* a query's running plan */
    BoundStatement *bs; /* a query's, optimized: planned again for a retry */
    int retries;        /* runs retried after a worker was lost */
    ForcedJoins forced; /* joins switched to partitioned after their broadcast proved too big */
    uint64_t query_id;  /* in the engine's query log */
    int next_chunk;     /* reading result->chunks */
    uint64_t n_rows;
    int64_t t0;
    bool done;
};

/* Plans a query and starts it; its rows are read through the cursor. */
static Status start_query(Cursor *c, BoundStatement *bs, Error *err)
{
    QueryPlan *plan;
    BS_TRY(plan_statement(c->session, bs, c->arena, &plan, err));
    BS_TRY(result_set_columns(c->result, bs->n_out, bs->out_names, bs->out_types, err));
    c->bs = bs;
    return run_start(c->session, plan, &c->tracker, c->arena, NULL, &c->run, err);
}

/* Runs of a query after a lost worker, with retry_policy = 'query', before it fails. */
#define QUERY_RETRIES 3

/*
 * Whether a failed run is run again, planned anew, before any of its rows reached the
 * client (which then sees only the run that succeeds):
 *   - retry_policy = 'query': a run that lost a worker (08006: it died, or stopped
 *     answering) is planned for the workers left; at most QUERY_RETRIES times, a little
 *     later each time (the coordinator may not have noticed the loss yet);
 *   - a join that the planner broadcast by its estimate but whose build side proved
 *     larger than join_max_broadcast_table_size (53I01) is partitioned instead (Trino
 *     would fail the query); at most as many joins as ForcedJoins holds.
 */
static bool retry_query(Cursor *c, Error *err)
{
    if (!c->bs || c->n_rows > 0 || atomic_load(&c->session->cancel)) return false;
    if (strcmp(err->sqlstate, SQLSTATE_BROADCAST_TOO_LARGE) == 0) {
        int join = run_oversized_join(c->run);
        bool known = false;
        for (int k = 0; k < c->forced.n && !known; k++)
            known = c->forced.ids[k] == join;
        if (join < 0 || known || c->forced.n == BS_ARRAY_LEN(c->forced.ids)) return false;
        c->forced.ids[c->forced.n++] = join;
        fprintf(stderr,
                "basalt: session %llu: the broadcast side of join node %d is over the limit; "
                "running the query again with that join partitioned\n",
                (unsigned long long)c->session->id, join);
    } else {
        if (!c->session->retry_query || c->retries >= QUERY_RETRIES ||
            strcmp(err->sqlstate, NET_SQLSTATE_CONNECTION_FAILURE) != 0)
            return false;
        c->retries++;
        /* For whoever runs the coordinator: the client sees nothing of it. */
        fprintf(stderr, "basalt: session %llu: query run %d failed (%s); running it again\n",
                (unsigned long long)c->session->id, c->retries, err->message);
        struct timespec pause = {0, 200L * 1000000L * c->retries};
        nanosleep(&pause, NULL);
    }
    run_destroy(c->run);
    c->run = NULL;
    QueryPlan *plan;
    Error again = ERROR_INIT;
    if (plan_physical(c->session, c->bs, &c->forced, c->arena, &plan, &again) != BS_OK ||
        run_start(c->session, plan, &c->tracker, c->arena, NULL, &c->run, &again) != BS_OK) {
        /* The first failure is the one to report. */
        error_clear(&again);
        return false;
    }
    error_clear(err);
    return true;
}

void cursor_close(Cursor *c)
{
    if (!c) return;
    /* Ended now if not before (a client that read enough): it did not fail. */
    query_log_end(c->engine->queries, c->query_id, c->n_rows, NULL);
    c->session->query_id = 0;
    run_destroy(c->run); /* stops a query whose rows were not all read */
    result_free(c->result);
    arena_destroy(c->arena);
    /* A cancel meant for this statement must not reach the next one. */
    atomic_store(&c->session->cancel, false);
    atomic_store(&c->session->busy, false);
    bs_free(c);
}

Status engine_start(Engine *e, const char *sql, size_t len, Cursor **out, Error *err)
{
    return session_start(e->session, sql, len, out, err);
}

Status session_start(Session *s, const char *sql, size_t len, Cursor **out, Error *err)
{
    *out = NULL;
    Engine *e = s->engine;
    if (atomic_exchange(&s->busy, true))
        return error_set(err, SQLSTATE_OBJECT_NOT_IN_STATE, -1,
                         "the session's previous statement is still open");
    Cursor *c = bs_calloc(1, sizeof *c);
    if (!c) {
        atomic_store(&s->busy, false);
        return error_oom(err);
    }
    c->engine = e;
    c->session = s;
    c->t0 = clock_now_ns();
    c->query_id = query_log_begin(e->queries, s->id, sql, len);
    s->query_id = c->query_id;
    /* Its part here; on a cluster the scheduler bounds the sum over the nodes. */
    int64_t limit = s->query_max_memory > 0 ? s->query_max_memory : e->memory_limit;
    memtracker_init(&c->tracker, &e->tracker, "query", BS_MIN(limit, e->memory_limit));
    c->arena = arena_create(NULL, &c->tracker, 0);
    c->result = result_new(&e->results, err);
    if (!c->arena || !c->result) {
        cursor_close(c);
        return error_oom(err);
    }
    ParsedStatement *stmts;
    int n = 0;
    Arena *arena = c->arena;
    Result *res = c->result;
    Status st = parser_parse(sql, len, arena, &stmts, &n, err);
    if (st == BS_OK && n > 1)
        st = error_set(err, SQLSTATE_SYNTAX_ERROR, stmts[1].start,
                       "cannot run several statements in one call; split the script first");
    if (st == BS_OK && n == 1 &&
        (stmts[0].stmt->kind == STMT_SET || stmts[0].stmt->kind == STMT_SHOW)) {
        st = settings_run(s, stmts[0].stmt, res, err);
    } else if (st == BS_OK && n == 1) {
        Catalog catalog;
        catalog_init(&catalog, s);
        BoundStatement *bs;
        st = planner_bind(stmts[0].stmt, &catalog, arena, &bs, err);
        if (st == BS_OK) {
            switch (bs->kind) {
            case BOUND_QUERY:
                st = start_query(c, bs, err);
                break;
            case BOUND_INSERT:
                st = run_write(s, bs, &c->tracker, arena, res, err);
                break;
            case BOUND_CREATE_TABLE:
            case BOUND_DROP_TABLE:
            case BOUND_CREATE_VIEW:
            case BOUND_DROP_VIEW:
                st = run_ddl(e, bs, arena, res, err);
                break;
            case BOUND_EXPLAIN:
                st = run_explain(s, bs, &c->tracker, arena, res, err);
                break;
            }
        }
    }
    if (st != BS_OK) {
        query_log_end(e->queries, c->query_id, 0, err);
        cursor_close(c);
        return BS_ERROR;
    }
    if (!c->run) query_log_end(e->queries, c->query_id, res->n_rows, NULL);
    res->zone = tz_find(s->time_zone, strlen(s->time_zone));
    if (!res->zone) res->zone = tz_utc();
    if (!c->run) {
        c->n_rows = res->n_rows;
        res->elapsed_ms = (double)(clock_now_ns() - c->t0) / 1e6;
    }
    *out = c;
    return BS_OK;
}

const Result *cursor_result(const Cursor *c)
{
    return c->result;
}

Status cursor_next(Cursor *c, const Chunk **out, Error *err)
{
    *out = NULL;
    if (c->done) return BS_OK;
    if (!c->run) {
        if (c->next_chunk < c->result->n_chunks) {
            *out = c->result->chunks[c->next_chunk++];
            return BS_OK;
        }
        c->done = true;
        return BS_OK;
    }
    Chunk *chunk;
    Status st;
    while ((st = run_next(c->run, &chunk, err)) != BS_OK && retry_query(c, err)) {
    }
    if (st != BS_OK || !c->run) {
        c->done = true;
        query_log_end(c->engine->queries, c->query_id, c->n_rows, err);
        return BS_ERROR;
    }
    if (chunk) {
        c->n_rows += chunk->n_rows;
        *out = chunk;
        return BS_OK;
    }
    /* The end: the status is made now, and nothing fails after it. */
    c->done = true;
    query_log_end(c->engine->queries, c->query_id, c->n_rows, NULL);
    c->result->n_rows = c->n_rows;
    c->result->elapsed_ms = (double)(clock_now_ns() - c->t0) / 1e6;
    return set_status(c->result, err, "SELECT %llu", (unsigned long long)c->n_rows);
}

Status engine_execute(Engine *e, const char *sql, size_t len, Result **out, Error *err)
{
    return session_execute(e->session, sql, len, out, err);
}

Status session_execute(Session *s, const char *sql, size_t len, Result **out, Error *err)
{
    *out = NULL;
    Cursor *c;
    BS_TRY(session_start(s, sql, len, &c, err));
    if (!c->run) {
        /* Nothing to stream: hand over the result as it is. */
        *out = c->result;
        c->result = NULL;
        cursor_close(c);
        return BS_OK;
    }
    Status st = BS_OK;
    for (;;) {
        const Chunk *chunk;
        st = cursor_next(c, &chunk, err);
        if (st != BS_OK || !chunk) break;
        st = result_append(c->result, chunk, err);
        if (st != BS_OK) break;
    }
    if (st == BS_OK) {
        c->result->elapsed_ms = (double)(clock_now_ns() - c->t0) / 1e6;
        *out = c->result;
        c->result = NULL;
    }
    cursor_close(c);
    return st;
}
