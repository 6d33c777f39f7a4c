/*
 * query.c — runs a fragmented plan on in-process workers: the scheduler of embedded mode.
 *
 * Fragments reach it serialized and rebuilt from their bytes (plan_round_trip), exactly as
 * a worker would receive them: every plan the engine makes, EXPLAIN's included, thus
 * tests plan serialization. Each fragment runs as fragment->n_tasks tasks (the planned
 * workers; one for the root). A fragment's tasks all send to one in-process exchange with
 * a partition per consumer task (one for a gather); consumer task k reads partition k.
 * The root fragment's output goes to one more exchange, which the client reads — the
 * rows stream: the client sees the first chunk while the rest is computed, and memory
 * stays bounded by the exchanges' limits. A client that stops reading early closes its
 * handle, which tells the producers, transitively, that no more rows are needed.
 *
 * Table scans get their splits — one per row group of every data file that zone maps do
 * not rule out — from a SplitSource that all tasks and drivers of the query share; table
 * writers report their files to a WriteSet, which the statement commits at the end.
 */
#include "server/server_int.h"

#include "common/alloc.h"
#include "server/coordinator/scheduler.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* ---- splits ---- */

typedef struct ScanSplits {
    int node_id;
    const char *table;
    int n_splits;
    Split *splits;
    atomic_int next;
    /* what file zone maps ruled out before any task ran (EXPLAIN ANALYZE) */
    int n_files, files_pruned;
    uint64_t row_groups_pruned;
} ScanSplits;

typedef struct QuerySplits {
    SplitSource base;
    int n_scans, cap_scans;
    ScanSplits *scans;
} QuerySplits;

static SplitNext next_split(SplitSource *source, int node_id, Split *out, Future **blocked)
{
    (void)blocked;
    QuerySplits *qs = (QuerySplits *)source;
    for (int k = 0; k < qs->n_scans; k++) {
        ScanSplits *s = &qs->scans[k];
        if (s->node_id != node_id) continue;
        int i = atomic_fetch_add(&s->next, 1);
        if (i >= s->n_splits) return SPLIT_NONE;
        *out = s->splits[i];
        return SPLIT_READY;
    }
    return SPLIT_NONE;
}

/* A fresh source over the same splits (the nested tasks of a recursive CTE). */
static SplitSource *fork_splits(SplitSource *source, Arena *arena, Error *err)
{
    QuerySplits *qs = (QuerySplits *)source;
    QuerySplits *copy = arena_alloc_zero(arena, sizeof *copy);
    ScanSplits *scans =
        arena_alloc(arena, sizeof(ScanSplits) * (size_t)(qs->n_scans ? qs->n_scans : 1));
    if (!copy || !scans) {
        arena_error(arena, err);
        return NULL;
    }
    for (int k = 0; k < qs->n_scans; k++) {
        const ScanSplits *s = &qs->scans[k];
        scans[k] = (ScanSplits){
            .node_id = s->node_id, .table = s->table, .n_splits = s->n_splits, .splits = s->splits};
        atomic_init(&scans[k].next, 0);
    }
    copy->base.next = next_split;
    copy->base.fork = fork_splits;
    copy->n_scans = copy->cap_scans = qs->n_scans;
    copy->scans = scans;
    return &copy->base;
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
    s->table = scan->u.scan.table;
    s->n_files = table->n_files;
    /* A split per row group, so several drivers share a big file (morsels). */
    size_t n_splits = 0;
    for (int f = 0; f < table->n_files; f++)
        n_splits += table->files[f].n_row_groups ? table->files[f].n_row_groups : 1;
    s->splits = arena_alloc(arena, sizeof(Split) * (n_splits ? n_splits : 1));
    if (!s->splits) return arena_error(arena, err);
    for (int f = 0; f < table->n_files; f++) {
        const DataFileInfo *file = &table->files[f];
        if (file_pruned(scan, table, file)) {
            s->files_pruned++;
            s->row_groups_pruned += file->n_row_groups;
            continue;
        }
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

/* A file a worker wrote and reported (FILES), read back when the statement commits. */
typedef struct RemoteFile {
    char *table;
    char *path; /* relative to the data dir */
    uint64_t rows;
} RemoteFile;

struct WriteSet {
    WriteTarget base;
    Engine *engine;
    MetaTxn *txn;
    Arena *arena;
    pthread_mutex_t lock;
    int n_files, cap_files;
    WrittenEntry *files;
    int n_remote, cap_remote;
    RemoteFile *remote;
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

/* Under ws->lock: a finished file of `table`, its zone maps copied. */
static Status record_file(WriteSet *ws, const char *table, const char *rel_path, uint64_t n_rows,
                          uint64_t n_bytes, uint32_t n_row_groups, int n_cols,
                          const ZoneMap *const *zones, Error *err)
{
    if (ws->n_files == ws->cap_files) {
        int cap = ws->cap_files ? ws->cap_files * 2 : 8;
        WrittenEntry *grown =
            arena_grow(ws->arena, ws->files, sizeof(WrittenEntry) * (size_t)ws->cap_files,
                       sizeof(WrittenEntry) * (size_t)cap);
        if (!grown) return arena_error(ws->arena, err);
        ws->files = grown;
        ws->cap_files = cap;
    }
    WrittenEntry *e = &ws->files[ws->n_files];
    e->table = arena_strdup(ws->arena, table);
    e->info.path = arena_strdup(ws->arena, rel_path);
    e->info.n_rows = n_rows;
    e->info.n_bytes = n_bytes;
    e->info.n_row_groups = n_row_groups;
    e->info.zones = arena_alloc_zero(ws->arena, sizeof(ZoneMap) * (size_t)(n_cols ? n_cols : 1));
    if (!e->table || !e->info.path || !e->info.zones) return arena_error(ws->arena, err);
    for (int c = 0; c < n_cols; c++) {
        ZoneMap *z = &e->info.zones[c];
        *z = *zones[c];
        if (z->has_minmax) {
            BS_TRY(value_copy(ws->arena, &zones[c]->min, &z->min, err));
            BS_TRY(value_copy(ws->arena, &zones[c]->max, &z->max, err));
        }
    }
    ws->n_files++;
    return BS_OK;
}

static Status ws_file_done(WriteTarget *target, const char *table, const WrittenFile *file,
                           Error *err)
{
    WriteSet *ws = (WriteSet *)target;
    const FileSummary *sum = file->summary;
    const ZoneMap **zones = bs_malloc(sizeof(ZoneMap *) * (size_t)(sum->n_cols ? sum->n_cols : 1));
    if (!zones) return error_oom(err);
    for (int c = 0; c < sum->n_cols; c++)
        zones[c] = &sum->zones[c];
    pthread_mutex_lock(&ws->lock);
    Status st = record_file(ws, table, file->rel_path, file->n_rows, file->n_bytes,
                            sum->n_row_groups, sum->n_cols, zones, err);
    pthread_mutex_unlock(&ws->lock);
    bs_free(zones);
    return st;
}

Status writeset_remote_dir(WriteSet *ws, const char *table, Arena *arena, char **abs_dir,
                           char **rel_dir, char **prefix, Error *err)
{
    pthread_mutex_lock(&ws->lock);
    Status st = metatxn_file_prefix(ws->txn, table, arena, abs_dir, rel_dir, prefix, err);
    pthread_mutex_unlock(&ws->lock);
    return st;
}

Status writeset_remote_file(WriteSet *ws, const char *table, const char *prefix,
                            const char *rel_path, uint64_t rows, Error *err)
{
    pthread_mutex_lock(&ws->lock);
    Status st = metatxn_adopt_file(ws->txn, table, prefix, rel_path, err);
    if (st == BS_OK && ws->n_remote == ws->cap_remote) {
        int cap = ws->cap_remote ? ws->cap_remote * 2 : 8;
        RemoteFile *grown =
            arena_grow(ws->arena, ws->remote, sizeof(RemoteFile) * (size_t)ws->cap_remote,
                       sizeof(RemoteFile) * (size_t)cap);
        if (grown) {
            ws->remote = grown;
            ws->cap_remote = cap;
        } else {
            st = arena_error(ws->arena, err);
        }
    }
    if (st == BS_OK) {
        RemoteFile *f = &ws->remote[ws->n_remote];
        f->table = arena_strdup(ws->arena, table);
        f->path = arena_strdup(ws->arena, rel_path);
        f->rows = rows;
        if (f->table && f->path)
            ws->n_remote++;
        else
            st = arena_error(ws->arena, err);
    }
    pthread_mutex_unlock(&ws->lock);
    return st;
}

/*
 * A file a worker wrote: its footer read and verified here (the worker reported its rows),
 * its zone maps recorded like a local writer's. XX001 for a file that does not read back.
 */
static Status load_remote_file(WriteSet *ws, const RemoteFile *f, Error *err)
{
    char *path = arena_sprintf(ws->arena, "%s/%s", ws->engine->data_dir, f->path);
    if (!path) return arena_error(ws->arena, err);
    ColumnFileReader *r;
    BS_TRY(colfile_open(path, NULL, &r, err));
    int n_cols = colfile_n_cols(r);
    const ZoneMap **zones = bs_malloc(sizeof(ZoneMap *) * (size_t)(n_cols ? n_cols : 1));
    struct stat sb;
    Status st = zones ? BS_OK : error_oom(err);
    if (st == BS_OK && stat(path, &sb) != 0)
        st = error_set(err, SQLSTATE_IO_ERROR, -1, "could not stat file \"%s\"", path);
    if (st == BS_OK && colfile_n_rows(r) != f->rows)
        st = error_set(err, SQLSTATE_DATA_CORRUPTED, -1,
                       "file \"%s\" holds %llu rows, but its writer reported %llu", path,
                       (unsigned long long)colfile_n_rows(r), (unsigned long long)f->rows);
    for (int c = 0; st == BS_OK && c < n_cols; c++)
        zones[c] = colfile_zone(r, -1, c);
    if (st == BS_OK) {
        pthread_mutex_lock(&ws->lock);
        st = record_file(ws, f->table, f->path, f->rows, (uint64_t)sb.st_size,
                         colfile_n_row_groups(r), n_cols, zones, err);
        pthread_mutex_unlock(&ws->lock);
    }
    bs_free(zones);
    colfile_close(r);
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
    for (int k = 0; k < ws->n_remote; k++)
        BS_TRY(load_remote_file(ws, &ws->remote[k], err));
    ws->n_remote = 0;
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

/* ---- running ---- */

/*
 * Bytes an exchange between fragments, the client's, and one inside a task buffer before
 * producers wait — less under a small memory limit (an eighth of it each), never below
 * a few chunks' worth.
 */
#define REMOTE_EXCHANGE_BYTES (16 << 20)
#define CLIENT_EXCHANGE_BYTES (8 << 20)
#define LOCAL_EXCHANGE_BYTES  (8 << 20)
#define MIN_EXCHANGE_BYTES    (256 << 10)

static int64_t exchange_bytes(const MemTracker *tracker, int64_t want)
{
    int64_t limit = 0;
    for (const MemTracker *t = tracker; t; t = t->parent)
        if (t->limit > 0 && (limit == 0 || t->limit < limit)) limit = t->limit;
    if (limit > 0 && limit / 8 < want) want = limit / 8;
    return want < MIN_EXCHANGE_BYTES ? MIN_EXCHANGE_BYTES : want;
}

typedef struct TaskSlot {
    TaskInputs inputs; /* first: the task hands it back to us */
    struct QueryRun *run;
    int fragment;
    int index; /* among its fragment's tasks */
    Task *task;
} TaskSlot;

struct QueryRun {
    Engine *engine;
    const atomic_bool *cancel; /* the session's: the client asks the statement to stop */
    const QueryPlan *plan;
    Arena *arena;
    atomic_bool stop;
    QuerySplits splits;
    int n_exchanges;
    LocalExchange **exchanges; /* [k]: fragment k's output; [0]: the client's */
    ExchangeSource *client;
    int n_slots;
    TaskSlot *slots;
    DistRun *dist; /* on a cluster: every fragment but the root runs on the workers */
    bool writes;   /* the statement writes tables (on a cluster: its files come from workers) */
    bool started, done;
};

static void abort_exchanges(QueryRun *run)
{
    for (int k = 0; k < run->n_exchanges; k++)
        if (run->exchanges[k]) local_exchange_abort(run->exchanges[k]);
    if (run->dist) {
        Error e = ERROR_INIT;
        error_set(&e, SQLSTATE_QUERY_CANCELED, -1, "canceling statement due to user request");
        dist_run_cancel(run->dist, &e);
        error_clear(&e);
    }
}

static void on_task_fail(void *ctx)
{
    QueryRun *run = ctx;
    atomic_store(&run->stop, true);
    abort_exchanges(run);
}

static ExchangeSource *open_input(TaskInputs *inputs, int fragment, Error *err)
{
    TaskSlot *slot = (TaskSlot *)inputs;
    QueryRun *run = slot->run;
    if (fragment <= 0 || fragment >= run->n_exchanges ||
        run->plan->fragments[fragment]->consumer != slot->fragment) {
        error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "fragment %d reads unknown fragment %d",
                  slot->fragment, fragment);
        return NULL;
    }
    if (run->dist) return dist_run_open(run->dist, fragment, err);
    const PlanFragment *producer = run->plan->fragments[fragment];
    int queue = producer->output.n_partitions > 1 ? slot->index : 0;
    return local_exchange_source(run->exchanges[fragment], queue, err);
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

/* Partitions of fragment f's output exchange: one per consumer task, or one. */
int plan_output_partitions(const QueryPlan *plan, const PlanFragment *f, Error *err)
{
    if (f->consumer < 0) return 1;
    const PlanFragment *c = plan->fragments[f->consumer];
    switch (f->output.kind) {
    case EXCHANGE_GATHER:
        return 1;
    case EXCHANGE_REPARTITION:
    case EXCHANGE_BROADCAST:
    case EXCHANGE_ROUND_ROBIN:
        if (f->output.n_partitions != c->n_tasks) break;
        return c->n_tasks;
    case EXCHANGE_ORDERED_GATHER:
    case EXCHANGE_KIND_COUNT_:
        break;
    }
    error_set(err, SQLSTATE_INTERNAL_ERROR, -1,
              "fragment %d: output to %d partitions does not match fragment %d's %d tasks", f->id,
              f->output.n_partitions, c->id, c->n_tasks);
    return -1;
}

Status run_start(Session *session, const QueryPlan *plan, MemTracker *tracker, Arena *arena,
                 WriteSet *writes, QueryRun **out, Error *err)
{
    Engine *engine = session->engine;
    int n = plan->n_fragments;
    QueryRun *run = arena_alloc_zero(arena, sizeof *run);
    if (!run) return arena_error(arena, err);
    run->engine = engine;
    run->cancel = &session->cancel;
    run->plan = plan;
    run->arena = arena;
    atomic_init(&run->stop, false);
    run->splits.base.next = next_split;
    run->splits.base.fork = fork_splits;
    run->n_exchanges = n;
    run->exchanges = arena_alloc_zero(arena, sizeof(LocalExchange *) * (size_t)n);
    if (!run->exchanges) return arena_error(arena, err);
    *out = run;
    int n_slots = 0;
    for (int k = 0; k < n; k++) {
        const PlanFragment *f = plan->fragments[k];
        if (f->n_tasks < 1 || (k == 0 && f->n_tasks != 1) ||
            (k > 0 && (f->consumer < 0 || f->consumer >= n)))
            return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "fragment %d: bad task layout", k);
        if (plan_output_partitions(plan, f, err) < 0) return BS_ERROR;
        n_slots += f->n_tasks;
    }
    run->slots = arena_alloc_zero(arena, sizeof(TaskSlot) * (size_t)n_slots);
    if (!run->slots) return arena_error(arena, err);
    for (int k = 0; k < n; k++)
        BS_TRY(collect_scans(engine, &run->splits, plan->fragments[k]->root, arena, err));
    /* On a cluster the root runs here and the other fragments on the workers. */
    run->writes = writes != NULL;
    bool distributed = engine->scheduler && scheduler_can_distribute(plan, writes != NULL) &&
                       scheduler_workers(engine->scheduler) > 0;
    int local_fragments = distributed ? 1 : n;
    /* The client's exchange, then one per other fragment. */
    for (int k = 0; k < local_fragments; k++) {
        const PlanNode *root = plan->fragments[k]->root;
        int parts = plan_output_partitions(plan, plan->fragments[k], err);
        if (parts < 0) return BS_ERROR;
        run->exchanges[k] = local_exchange_create(
            root->types, root->n_cols, parts, false,
            exchange_bytes(tracker, k == 0 ? CLIENT_EXCHANGE_BYTES : REMOTE_EXCHANGE_BYTES),
            tracker, err);
        if (!run->exchanges[k]) return BS_ERROR;
    }
    run->client = local_exchange_source(run->exchanges[0], 0, err);
    if (!run->client) return BS_ERROR;
    if (distributed) {
        /* A broadcast the planner chose by estimate is bounded by the limit it used: past
           it the query switches that join to partitioned (engine.c). */
        DistOptions opts = {
            .zstd_level = session->exchange_zstd ? 1 : 0,
            .memory_limit =
                session->query_max_memory > 0 ? session->query_max_memory : engine->memory_limit,
            .broadcast_limit = session->join_distribution != JOIN_DIST_AUTOMATIC ? 0
                               : session->broadcast_limit_bytes > 0 ? session->broadcast_limit_bytes
                                                                    : PLAN_DEFAULT_BROADCAST_LIMIT};
        run->dist = scheduler_start(engine->scheduler, plan, session->query_id, &run->splits.base,
                                    writes, &opts, tracker, on_task_fail, run, err);
        if (!run->dist) return BS_ERROR;
    }
    for (int k = 0; k < local_fragments; k++) {
        const PlanFragment *f = plan->fragments[k];
        for (int t = 0; t < f->n_tasks; t++) {
            TaskSlot *slot = &run->slots[run->n_slots];
            slot->inputs.open = open_input;
            slot->run = run;
            slot->fragment = k;
            slot->index = t;
            TaskConfig cfg = {
                .pool = engine->pool,
                .max_drivers = engine->threads,
                .tracker = tracker,
                .cancel = &run->stop,
                .splits = &run->splits.base,
                .writes = writes ? (WriteTarget *)writes : NULL,
                .inputs = &slot->inputs,
                .exchange_bytes = exchange_bytes(tracker, LOCAL_EXCHANGE_BYTES),
                .output = local_exchange_sink(run->exchanges[k]),
                .on_fail = on_task_fail,
                .on_fail_ctx = run,
            };
            slot->task = task_create(f, &cfg, err);
            if (!slot->task) return BS_ERROR;
            run->n_slots++;
        }
    }
    /* Producer counts are known once the producing tasks exist. */
    for (int k = 0; k < run->n_slots; k++)
        local_exchange_add_producers(run->exchanges[run->slots[k].fragment],
                                     task_output_producers(run->slots[k].task));
    run->started = true;
    for (int k = run->n_slots - 1; k >= 0; k--)
        task_start(run->slots[k].task);
    return BS_OK;
}

/* Waits for every task (cancelling them when the engine is told to) and returns the first
   real error of any. */
static Status wait_tasks(QueryRun *run, Error *err)
{
    if (!run->started) return BS_OK;
    for (int k = 0; k < run->n_slots; k++) {
        while (!future_wait_for(task_done(run->slots[k].task), 50)) {
            if (atomic_load(run->cancel) && !atomic_exchange(&run->stop, true))
                abort_exchanges(run);
        }
    }
    /* The first real error wins over the cancellations it caused. */
    Error first = ERROR_INIT;
    for (int k = 0; k < run->n_slots; k++) {
        Error e = ERROR_INIT;
        if (task_result(run->slots[k].task, &e) != BS_OK) {
            bool cancel = strcmp(e.sqlstate, SQLSTATE_QUERY_CANCELED) == 0;
            if (!error_is_set(&first) ||
                (strcmp(first.sqlstate, SQLSTATE_QUERY_CANCELED) == 0 && !cancel))
                error_move(&first, &e);
        }
        error_clear(&e);
    }
    /* A statement that writes commits the workers' files: every one must have been
       reported, and they are, once every remote task has reported its end. */
    if (!error_is_set(&first) && run->writes && run->dist)
        dist_run_wait(run->dist, run->cancel, &first);
    if (!error_is_set(&first)) return BS_OK;
    /* A task on a worker failed, or a worker left: that is why the root stopped. */
    Error remote = ERROR_INIT;
    if (run->dist && dist_run_status(run->dist, &remote) != BS_OK) {
        error_clear(&first);
        error_move(&first, &remote);
    }
    error_clear(&remote);
    if (strcmp(first.sqlstate, SQLSTATE_QUERY_CANCELED) == 0 && atomic_load(run->cancel)) {
        error_clear(&first);
        error_set(&first, SQLSTATE_QUERY_CANCELED, -1, "canceling statement due to user request");
    }
    error_move(err, &first);
    return BS_ERROR;
}

Status run_next(QueryRun *run, Chunk **out, Error *err)
{
    *out = NULL;
    if (run->done) return BS_OK;
    for (;;) {
        Future *blocked = NULL;
        Error e = ERROR_INIT;
        if (run->client->next(run->client, out, &blocked, &e) != BS_OK) {
            /* The exchange was aborted: report why (the failed task's error). */
            run->done = true;
            if (wait_tasks(run, err) != BS_OK) {
                error_clear(&e);
                return BS_ERROR;
            }
            error_move(err, &e);
            return BS_ERROR;
        }
        if (*out) return BS_OK;
        if (!blocked) break; /* every producer is done */
        while (!future_wait_for(blocked, 50)) {
            if (atomic_load(run->cancel) && !atomic_exchange(&run->stop, true))
                abort_exchanges(run);
        }
        future_release(blocked);
    }
    run->done = true;
    return wait_tasks(run, err);
}

Status run_finish(QueryRun *run, Buffer *stats, Error *err)
{
    if (!run) return BS_OK;
    Status st = BS_OK;
    if (run->client) run->client->close(run->client); /* no more rows needed */
    if (!run->done) {
        run->done = true;
        st = wait_tasks(run, err);
    }
    if (stats) {
        for (int k = 0; k < run->splits.n_scans; k++) {
            const ScanSplits *sc = &run->splits.scans[k];
            buffer_printf(stats,
                          "scan of %s (node %d): %d files, %d pruned by zone maps (%llu row "
                          "groups), %d row groups to read\n",
                          sc->table, sc->node_id, sc->n_files, sc->files_pruned,
                          (unsigned long long)sc->row_groups_pruned, sc->n_splits);
        }
        for (int k = 0; k < run->n_slots; k++)
            task_stats(run->slots[k].task, stats);
        if (run->dist) dist_run_stats(run->dist, stats);
    }
    return st;
}

/* Whether subtree n holds the remote source reading fragment f. */
static bool reads_fragment(const PlanNode *n, int f)
{
    if (n->kind == PLAN_REMOTE_SOURCE && n->u.remote.fragment == f) return true;
    for (int k = 0; k < n->n_children; k++)
        if (reads_fragment(n->children[k], f)) return true;
    return false;
}

/* The join of subtree n whose build side reads fragment f, or NULL. */
static const PlanNode *join_building_from(const PlanNode *n, int f)
{
    if (n->kind == PLAN_JOIN && n->n_children == 2 && reads_fragment(n->children[1], f)) {
        const PlanNode *inner = join_building_from(n->children[1], f);
        return inner ? inner : n;
    }
    for (int k = 0; k < n->n_children; k++) {
        const PlanNode *found = join_building_from(n->children[k], f);
        if (found) return found;
    }
    return NULL;
}

int run_oversized_join(QueryRun *run)
{
    int f = run && run->dist ? dist_run_oversized(run->dist) : -1;
    if (f <= 0 || f >= run->plan->n_fragments) return -1;
    int consumer = run->plan->fragments[f]->consumer;
    if (consumer < 0) return -1;
    const PlanNode *join = join_building_from(run->plan->fragments[consumer]->root, f);
    return join ? join->id : -1;
}

void run_destroy(QueryRun *run)
{
    if (!run) return;
    if (run->started && !run->done) {
        Error ignored = ERROR_INIT;
        run_finish(run, NULL, &ignored);
        error_clear(&ignored);
    }
    for (int k = 0; k < run->n_slots; k++)
        task_destroy(run->slots[k].task);
    dist_run_destroy(run->dist);
    run->dist = NULL;
    for (int k = 0; k < run->n_exchanges; k++)
        local_exchange_destroy(run->exchanges[k]);
    run->n_slots = 0;
    run->n_exchanges = 0;
}

Status run_plan(Session *session, const QueryPlan *plan, MemTracker *tracker, Arena *arena,
                WriteSet *writes, Result *result, Buffer *stats, Error *err)
{
    QueryRun *run = NULL;
    Status st = run_start(session, plan, tracker, arena, writes, &run, err);
    while (st == BS_OK) {
        Chunk *chunk;
        st = run_next(run, &chunk, err);
        if (st != BS_OK || !chunk) break;
        if (result) st = result_append(result, chunk, err);
    }
    if (run) {
        Error e = ERROR_INIT;
        Status fin = run_finish(run, stats, st == BS_OK ? err : &e);
        error_clear(&e);
        if (st == BS_OK) st = fin;
        run_destroy(run);
    }
    return st;
}
