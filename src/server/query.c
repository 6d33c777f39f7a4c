/*
 * query.c — runs a fragmented plan on the in-process worker: the scheduler of embedded
 * mode.
 *
 * Fragments reach it serialized and rebuilt from their bytes (plan_round_trip), exactly as
 * a worker would receive them: every plan the engine makes, EXPLAIN's included, thus
 * tests plan serialization. Fragments are wired by
 * local exchanges (the consumer reads chunks the producers' drivers send); the root
 * fragment's output is collected into the Result. Table scans get their splits — one
 * per data file that zone maps do not rule out — from a shared SplitSource; table writers
 * report their files to a WriteSet, which the statement commits at the end.
 */
#include "server/server_int.h"

#include "common/alloc.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* ---- splits ---- */

typedef struct ScanSplits {
    int node_id;
    int n_splits;
    Split *splits;
    atomic_int next;
} ScanSplits;

typedef struct QuerySplits {
    SplitSource base;
    int n_scans, cap_scans;
    ScanSplits *scans;
} QuerySplits;

static bool next_split(SplitSource *source, int node_id, Split *out)
{
    QuerySplits *qs = (QuerySplits *)source;
    for (int k = 0; k < qs->n_scans; k++) {
        ScanSplits *s = &qs->scans[k];
        if (s->node_id != node_id) continue;
        int i = atomic_fetch_add(&s->next, 1);
        if (i >= s->n_splits) return false;
        *out = s->splits[i];
        return true;
    }
    return false;
}

static ZoneOp to_zone_op(PlanZoneOp op)
{
    static const ZoneOp map[] = {ZONE_EQ, ZONE_LT,      ZONE_LE,         ZONE_GT,
                                 ZONE_GE, ZONE_IS_NULL, ZONE_IS_NOT_NULL};
    return map[op];
}

/* True when the file's zone maps say no row can pass the scan's conditions. */
static bool file_pruned(const PlanNode *scan, const TableInfo *table, const DataFileInfo *file)
{
    if (!file->zones) return false;
    for (int k = 0; k < scan->u.scan.n_zone; k++) {
        const PlanZoneCond *pc = &scan->u.scan.zone[k];
        if (pc->column < 0 || pc->column >= table->n_cols) continue;
        ZoneCond cond = {pc->column, to_zone_op(pc->op), pc->value};
        if (!zone_may_match(&file->zones[pc->column], &cond)) return true;
    }
    return false;
}

static Status add_scan_splits(Engine *engine, QuerySplits *qs, const PlanNode *scan, Arena *arena,
                              Error *err)
{
    TableInfo *table;
    BS_TRY(metastore_get_table(engine->metastore, scan->u.scan.table, arena, &table, err));
    if (!table || table->id != scan->u.scan.table_id)
        return error_set(err, SQLSTATE_UNDEFINED_TABLE, -1,
                         "relation \"%s\" was dropped while the statement ran", scan->u.scan.table);
    if (qs->n_scans == qs->cap_scans) {
        int cap = qs->cap_scans ? qs->cap_scans * 2 : 4;
        ScanSplits *grown = arena_grow(arena, qs->scans, sizeof(ScanSplits) * (size_t)qs->cap_scans,
                                       sizeof(ScanSplits) * (size_t)cap);
        if (!grown) return arena_error(arena, err);
        qs->scans = grown;
        qs->cap_scans = cap;
    }
    ScanSplits *s = &qs->scans[qs->n_scans++];
    memset(s, 0, sizeof *s);
    s->node_id = scan->id;
    /* A split per row group, so several drivers share a big file (morsels). */
    size_t n_splits = 0;
    for (int f = 0; f < table->n_files; f++)
        n_splits += table->files[f].n_row_groups ? table->files[f].n_row_groups : 1;
    s->splits = arena_alloc(arena, sizeof(Split) * (n_splits ? n_splits : 1));
    if (!s->splits) return arena_error(arena, err);
    for (int f = 0; f < table->n_files; f++) {
        const DataFileInfo *file = &table->files[f];
        if (file_pruned(scan, table, file)) continue;
        char *path = arena_sprintf(arena, "%s/%s", engine->data_dir, file->path);
        if (!path) return arena_error(arena, err);
        if (file->n_row_groups == 0) {
            s->splits[s->n_splits++] = (Split){path, 0, UINT32_MAX};
            continue;
        }
        for (uint32_t rg = 0; rg < file->n_row_groups; rg++)
            s->splits[s->n_splits++] = (Split){path, rg, 1};
    }
    return BS_OK;
}

static Status collect_scans(Engine *engine, QuerySplits *qs, const PlanNode *node, Arena *arena,
                            Error *err)
{
    if (node->kind == PLAN_TABLE_SCAN) BS_TRY(add_scan_splits(engine, qs, node, arena, err));
    for (int k = 0; k < node->n_children; k++)
        BS_TRY(collect_scans(engine, qs, node->children[k], arena, err));
    return BS_OK;
}

/* ---- table writes ---- */

typedef struct WrittenEntry {
    char *table;
    DataFileInfo info;
} WrittenEntry;

struct WriteSet {
    WriteTarget base;
    Engine *engine;
    MetaTxn *txn;
    Arena *arena;
    pthread_mutex_t lock;
    int n_files, cap_files;
    WrittenEntry *files;
};

static Status ws_new_file(WriteTarget *target, const char *table, Arena *arena, char **abs_path,
                          char **rel_path, Error *err)
{
    WriteSet *ws = (WriteSet *)target;
    pthread_mutex_lock(&ws->lock);
    Status st = metatxn_new_file(ws->txn, table, arena, abs_path, rel_path, err);
    pthread_mutex_unlock(&ws->lock);
    return st;
}

static Status ws_file_done(WriteTarget *target, const char *table, const WrittenFile *file,
                           Error *err)
{
    WriteSet *ws = (WriteSet *)target;
    Status st = BS_OK;
    pthread_mutex_lock(&ws->lock);
    if (ws->n_files == ws->cap_files) {
        int cap = ws->cap_files ? ws->cap_files * 2 : 8;
        WrittenEntry *grown =
            arena_grow(ws->arena, ws->files, sizeof(WrittenEntry) * (size_t)ws->cap_files,
                       sizeof(WrittenEntry) * (size_t)cap);
        if (!grown) {
            st = arena_error(ws->arena, err);
            goto done;
        }
        ws->files = grown;
        ws->cap_files = cap;
    }
    WrittenEntry *e = &ws->files[ws->n_files];
    e->table = arena_strdup(ws->arena, table);
    e->info.path = arena_strdup(ws->arena, file->rel_path);
    e->info.n_rows = file->n_rows;
    e->info.n_bytes = file->n_bytes;
    e->info.n_row_groups = file->summary->n_row_groups;
    int n_cols = file->summary->n_cols;
    e->info.zones = arena_alloc_zero(ws->arena, sizeof(ZoneMap) * (size_t)(n_cols ? n_cols : 1));
    if (!e->table || !e->info.path || !e->info.zones) {
        st = arena_error(ws->arena, err);
        goto done;
    }
    for (int c = 0; c < n_cols && st == BS_OK; c++) {
        ZoneMap *z = &e->info.zones[c];
        *z = file->summary->zones[c];
        if (z->has_minmax) {
            st = value_copy(ws->arena, &file->summary->zones[c].min, &z->min, err);
            if (st == BS_OK) st = value_copy(ws->arena, &file->summary->zones[c].max, &z->max, err);
        }
    }
    if (st == BS_OK) ws->n_files++;
done:
    pthread_mutex_unlock(&ws->lock);
    return st;
}

WriteSet *writeset_create(Engine *engine, MetaTxn *txn, Arena *arena, Error *err)
{
    WriteSet *ws = arena_alloc_zero(arena, sizeof *ws);
    if (!ws) {
        arena_error(arena, err);
        return NULL;
    }
    ws->base.new_file = ws_new_file;
    ws->base.file_done = ws_file_done;
    ws->engine = engine;
    ws->txn = txn;
    ws->arena = arena_create(arena, NULL, 0);
    if (!ws->arena) {
        error_oom(err);
        return NULL;
    }
    pthread_mutex_init(&ws->lock, NULL);
    return ws;
}

Status writeset_apply(WriteSet *ws, Error *err)
{
    /* One append per table, with all its files. */
    for (int k = 0; k < ws->n_files; k++) {
        if (!ws->files[k].table) continue;
        const char *table = ws->files[k].table;
        int n = 0;
        DataFileInfo *infos = arena_alloc(ws->arena, sizeof(DataFileInfo) * (size_t)ws->n_files);
        if (!infos) return arena_error(ws->arena, err);
        for (int j = k; j < ws->n_files; j++) {
            if (ws->files[j].table && strcmp(ws->files[j].table, table) == 0) {
                infos[n++] = ws->files[j].info;
                if (j != k) ws->files[j].table = NULL;
            }
        }
        BS_TRY(metatxn_append_files(ws->txn, table, infos, n, err));
    }
    return BS_OK;
}

void writeset_destroy(WriteSet *ws)
{
    if (ws) pthread_mutex_destroy(&ws->lock);
}

/* ---- result collection ---- */

typedef struct ResultSink {
    ExchangeSink base;
    pthread_mutex_t lock;
    Result *result;
} ResultSink;

static Future *rs_is_blocked(ExchangeSink *sink)
{
    return NULL;
}

static Status rs_send(ExchangeSink *sink, const Chunk *chunk, Error *err)
{
    ResultSink *rs = (ResultSink *)sink;
    pthread_mutex_lock(&rs->lock);
    Status st = result_append(rs->result, chunk, err);
    pthread_mutex_unlock(&rs->lock);
    return st;
}

static void rs_no_more(ExchangeSink *sink)
{
}

/* ---- running ---- */

typedef struct Run {
    atomic_bool stop;
    int n_exchanges;
    LocalExchange **exchanges;
} Run;

static void abort_exchanges(Run *run)
{
    for (int k = 0; k < run->n_exchanges; k++)
        if (run->exchanges[k]) local_exchange_abort(run->exchanges[k]);
}

static void on_task_fail(void *ctx)
{
    Run *run = ctx;
    atomic_store(&run->stop, true);
    abort_exchanges(run);
}

/* Serializes a fragment and rebuilds it; the rebuilt one must serialize identically. */
static Status round_trip_fragment(const PlanFragment *in, Arena *arena, PlanFragment **out,
                                  Error *err)
{
    Buffer a, b;
    buffer_init(&a);
    buffer_init(&b);
    Status st = fragment_serialize(in, &a, err);
    if (st == BS_OK) st = fragment_deserialize(a.data, a.len, arena, out, err);
    if (st == BS_OK) st = fragment_serialize(*out, &b, err);
    if (st == BS_OK && (a.len != b.len || memcmp(a.data, b.data, a.len) != 0))
        st = error_set(err, SQLSTATE_INTERNAL_ERROR, -1,
                       "plan fragment %d does not survive serialization", in->id);
    buffer_free(&a);
    buffer_free(&b);
    return st;
}

Status plan_round_trip(QueryPlan *plan, Arena *arena, Error *err)
{
    for (int k = 0; k < plan->n_fragments; k++) {
        if (plan->fragments[k]->id != k)
            return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "fragment ids out of order");
        PlanFragment *rebuilt;
        BS_TRY(round_trip_fragment(plan->fragments[k], arena, &rebuilt, err));
        plan->fragments[k] = rebuilt;
    }
    return BS_OK;
}

Status run_plan(Engine *engine, const QueryPlan *plan, MemTracker *tracker, Arena *arena,
                WriteSet *writes, Result *result, Buffer *stats, Error *err)
{
    int n = plan->n_fragments;
    Status st = BS_OK;
    PlanFragment *const *frags = plan->fragments;
    Task **tasks = arena_alloc_zero(arena, sizeof(Task *) * (size_t)n);
    Run run;
    atomic_init(&run.stop, false);
    run.n_exchanges = n;
    run.exchanges = arena_alloc_zero(arena, sizeof(LocalExchange *) * (size_t)n);
    QuerySplits splits = {.base.next = next_split};
    ResultSink sink = {.base = {rs_is_blocked, rs_send, rs_no_more}, .result = result};
    pthread_mutex_init(&sink.lock, NULL);
    if (!tasks || !run.exchanges) {
        pthread_mutex_destroy(&sink.lock);
        return arena_error(arena, err);
    }
    for (int k = 0; k < n && st == BS_OK; k++) {
        st = collect_scans(engine, &splits, frags[k]->root, arena, err);
    }
    for (int k = 1; k < n && st == BS_OK; k++) {
        const PlanNode *root = frags[k]->root;
        run.exchanges[k] =
            local_exchange_create(root->types, root->n_cols, 0, 16 << 20, tracker, err);
        if (!run.exchanges[k]) st = BS_ERROR;
    }
    for (int k = 0; k < n && st == BS_OK; k++) {
        const PlanFragment *f = frags[k];
        ExchangeSource **sources = arena_alloc_zero(
            arena, sizeof(ExchangeSource *) * (size_t)(f->n_sources ? f->n_sources : 1));
        if (!sources) {
            st = arena_error(arena, err);
            break;
        }
        for (int s = 0; s < f->n_sources && st == BS_OK; s++) {
            int src = f->sources[s];
            if (src <= 0 || src >= n) {
                st = error_set(err, SQLSTATE_INTERNAL_ERROR, -1,
                               "fragment %d reads unknown fragment %d", k, src);
                break;
            }
            sources[s] = local_exchange_source(run.exchanges[src], err);
            if (!sources[s]) st = BS_ERROR;
        }
        if (st != BS_OK) break;
        TaskConfig cfg = {
            .pool = engine->pool,
            .max_drivers = engine->threads,
            .tracker = tracker,
            .cancel = &run.stop,
            .splits = &splits.base,
            .writes = writes ? (WriteTarget *)writes : NULL,
            .n_sources = f->n_sources,
            .source_ids = f->sources,
            .sources = sources,
            .output = k == 0 ? &sink.base : local_exchange_sink(run.exchanges[k]),
            .on_fail = on_task_fail,
            .on_fail_ctx = &run,
        };
        tasks[k] = task_create(f, &cfg, err);
        if (!tasks[k]) {
            st = BS_ERROR;
            break;
        }
    }
    if (st == BS_OK) {
        /* Producer counts are known once the producing tasks exist. */
        for (int k = 1; k < n; k++)
            local_exchange_add_producers(run.exchanges[k], task_output_producers(tasks[k]));
        for (int k = n - 1; k >= 0; k--)
            task_start(tasks[k]);
        for (int k = 0; k < n; k++) {
            while (!future_wait_for(task_done(tasks[k]), 50)) {
                if (atomic_load(&engine->cancel) && !atomic_exchange(&run.stop, true))
                    abort_exchanges(&run);
            }
        }
        /* The first real error wins over the cancellations it caused. */
        Error first = ERROR_INIT;
        for (int k = 0; k < n; k++) {
            Error e = ERROR_INIT;
            if (task_result(tasks[k], &e) != BS_OK) {
                bool cancel = strcmp(e.sqlstate, SQLSTATE_QUERY_CANCELED) == 0;
                if (!error_is_set(&first) ||
                    (strcmp(first.sqlstate, SQLSTATE_QUERY_CANCELED) == 0 && !cancel))
                    error_move(&first, &e);
            }
            error_clear(&e);
        }
        if (error_is_set(&first)) {
            if (strcmp(first.sqlstate, SQLSTATE_QUERY_CANCELED) == 0 &&
                atomic_load(&engine->cancel)) {
                error_clear(&first);
                error_set(&first, SQLSTATE_QUERY_CANCELED, -1,
                          "canceling statement due to user request");
            }
            error_move(err, &first);
            st = BS_ERROR;
        }
        if (stats)
            for (int k = 0; k < n; k++)
                task_stats(tasks[k], stats);
    }
    for (int k = 0; k < n; k++)
        task_destroy(tasks[k]);
    for (int k = 1; k < n; k++)
        local_exchange_destroy(run.exchanges[k]);
    pthread_mutex_destroy(&sink.lock);
    return st;
}
