/*
 * task_manager.c — a worker's tasks (see task_manager.h).
 *
 * A task's life: TASK_CREATE builds it (fragment decoded from its bytes, output buffer,
 * inputs, split source) and starts it; when its drivers end, a pool thread posts to the
 * loop, which reports TASK_STATUS (FINISHED, or FAILED with the error). Its output
 * buffer keeps serving consumers after that. TASK_CANCEL of its query stops it if it
 * still runs (cancel flag; every future a driver may park on is completed) and drops it
 * once its drivers have ended. A PAGES_GET may come before the TASK_CREATE it reads
 * (they travel on different connections): it waits for the task; one for a query
 * already dropped is ignored.
 */
#include "server/worker/task_manager.h"

#include "common/alloc.h"
#include "common/datetime.h"
#include "exec/exec.h"
#include "net/native_proto.h"
#include "net/task_proto.h"
#include "planner/planner.h"
#include "server/worker/remote_exchange.h"

#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

/* Splits asked for at once, and when to ask again (queued splits left). */
#define SPLIT_BATCH 2
#define SPLIT_LOW   1
/* What the queries a worker no longer runs are remembered for (late PAGES_GET). */
#define DROPPED_QUERIES 256

typedef struct ScanQueue {
    int node_id;
    Split *splits;
    int n, cap, head;
    bool no_more, requested;
    Future *waiting;
} ScanQueue;

typedef struct WorkerTask WorkerTask;

typedef struct TaskSplits {
    SplitSource base;
    WorkerTask *task;
    pthread_mutex_t mu;
    int n_scans;
    ScanQueue *scans;
} TaskSplits;

typedef struct TaskInput {
    uint32_t fragment;
    RemoteInput *input;
} TaskInput;

typedef struct TaskInputsImpl {
    TaskInputs base;
    WorkerTask *task;
} TaskInputsImpl;

/* Where the task's table writers put their files (TASK_CREATE's writes), and how they
   report them (FILES on the control connection, before the task's TASK_STATUS). */
typedef struct TaskWrites {
    WriteTarget base;
    WorkerTask *task;
    uint32_t n;
    TpWrite *writes;       /* in the task's arena */
    atomic_uint next_file; /* N of PREFIX-N.bsc */
} TaskWrites;

/* The memory of one query's tasks on this worker: their trackers' parent, limited by the
   query's memory limit (TASK_CREATE). Loop thread; freed with its last task. */
typedef struct QueryMemory {
    uint64_t query_id;
    MemTracker tracker;
    int tasks;
    struct QueryMemory *next;
} QueryMemory;

struct WorkerTask {
    TaskManager *tm;
    QueryMemory *memory;
    uint64_t query_id, task_id;
    Arena *arena;
    PlanFragment *fragment;
    MemTracker tracker;
    OutputBuffer *out;
    TaskInputsImpl inputs;
    int n_inputs;
    TaskInput *input;
    TaskSplits splits;
    TaskWrites writes;
    atomic_bool cancel;
    Task *task;
    FutureWaiter done_waiter;
    LoopTask ended_task;
    bool ended, dropped;
    int64_t start_ns;
    WorkerTask *next;
};

typedef struct PendingGet {
    Connection *conn;
    TpPagesGet get;
    struct PendingGet *next;
} PendingGet;

struct TaskManager {
    EventLoop *loop;
    ThreadPool *pool;
    int threads;
    MemTracker tracker; /* the worker's: --memory */
    PeerPool *peers;
    pthread_mutex_t mu; /* control, tasks (for the load), running */
    Connection *control;
    WorkerTask *tasks;    /* loop thread */
    QueryMemory *queries; /* loop thread */
    PendingGet *pending;
    uint64_t dropped[DROPPED_QUERIES];
    int n_dropped;
    int running;
    pthread_cond_t idle;
};

/* ---- sending to the coordinator (any thread) ---- */

static void send_control(TaskManager *tm, uint8_t type, Buffer *payload)
{
    pthread_mutex_lock(&tm->mu);
    Connection *c = tm->control;
    if (c) conn_retain(c);
    pthread_mutex_unlock(&tm->mu);
    if (c) {
        np_send(c, type, payload);
        conn_release(c);
    } else {
        buffer_free(payload);
    }
}

/* ---- splits ---- */

static ScanQueue *find_scan(TaskSplits *ts, int node_id)
{
    for (int k = 0; k < ts->n_scans; k++)
        if (ts->scans[k].node_id == node_id) return &ts->scans[k];
    return NULL;
}

/* Under ts->mu: asks the coordinator for more when few are left. */
static void maybe_request(TaskSplits *ts, ScanQueue *q)
{
    if (q->no_more || q->requested || q->n - q->head > SPLIT_LOW) return;
    if (atomic_load(&ts->task->cancel)) return;
    q->requested = true;
    Buffer b;
    buffer_init(&b);
    tp_put_splits_get(&b, ts->task->task_id, (uint32_t)q->node_id, SPLIT_BATCH);
    send_control(ts->task->tm, TP_SPLITS_GET, &b);
}

static SplitNext splits_next(SplitSource *source, int node_id, Split *out, Future **blocked)
{
    TaskSplits *ts = (TaskSplits *)source;
    pthread_mutex_lock(&ts->mu);
    ScanQueue *q = find_scan(ts, node_id);
    SplitNext r = SPLIT_NONE;
    if (q && q->head < q->n) {
        *out = q->splits[q->head++];
        r = SPLIT_READY;
        maybe_request(ts, q);
    } else if (q && !q->no_more && !atomic_load(&ts->task->cancel)) {
        maybe_request(ts, q);
        if (!q->waiting) q->waiting = future_create();
        if (q->waiting) {
            future_retain(q->waiting);
            *blocked = q->waiting;
            r = SPLIT_WAIT;
        }
    }
    pthread_mutex_unlock(&ts->mu);
    return r;
}

/* Under ts->mu: wakes the drivers waiting for splits of q. */
static void wake_scan(ScanQueue *q)
{
    if (!q->waiting) return;
    future_complete(q->waiting);
    future_release(q->waiting);
    q->waiting = NULL;
}

static Status collect_scans(TaskSplits *ts, const PlanNode *n, Arena *arena, Error *err)
{
    if (n->kind == PLAN_TABLE_SCAN && !find_scan(ts, n->id)) {
        ScanQueue *grown = arena_grow(arena, ts->scans, sizeof(ScanQueue) * (size_t)ts->n_scans,
                                      sizeof(ScanQueue) * (size_t)(ts->n_scans + 1));
        if (!grown) return arena_error(arena, err);
        ts->scans = grown;
        ts->scans[ts->n_scans++] = (ScanQueue){.node_id = n->id};
    }
    for (int k = 0; k < n->n_children; k++)
        BS_TRY(collect_scans(ts, n->children[k], arena, err));
    return BS_OK;
}

/* ---- inputs ---- */

static ExchangeSource *open_input(TaskInputs *inputs, int fragment, Error *err)
{
    WorkerTask *t = ((TaskInputsImpl *)inputs)->task;
    for (int k = 0; k < t->n_inputs; k++)
        if ((int)t->input[k].fragment == fragment) return remote_input_open(t->input[k].input, err);
    error_set(err, SQLSTATE_INTERNAL_ERROR, -1,
              "task %llu reads fragment %d, which it was not given", (unsigned long long)t->task_id,
              fragment);
    return NULL;
}

/* ---- the tasks ---- */

static void stop_task(WorkerTask *t)
{
    atomic_store(&t->cancel, true);
    if (t->out) output_buffer_abort(t->out);
    Error e = ERROR_INIT;
    error_set(&e, SQLSTATE_QUERY_CANCELED, -1, "canceling statement due to user request");
    for (int k = 0; k < t->n_inputs; k++)
        if (t->input[k].input) remote_input_fail(t->input[k].input, &e);
    error_clear(&e);
    pthread_mutex_lock(&t->splits.mu);
    for (int k = 0; k < t->splits.n_scans; k++)
        wake_scan(&t->splits.scans[k]);
    pthread_mutex_unlock(&t->splits.mu);
}

/* Loop thread: the memory of query `query_id` here, made with limit `limit` (0: none but
   the worker's) for its first task. NULL when out of memory. */
static QueryMemory *query_memory(TaskManager *tm, uint64_t query_id, int64_t limit)
{
    for (QueryMemory *q = tm->queries; q; q = q->next)
        if (q->query_id == query_id) {
            q->tasks++;
            return q;
        }
    QueryMemory *q = bs_calloc(1, sizeof *q);
    if (!q) return NULL;
    q->query_id = query_id;
    q->tasks = 1;
    memtracker_init(&q->tracker, &tm->tracker, "query", limit > 0 ? limit : 0);
    q->next = tm->queries;
    tm->queries = q;
    return q;
}

static void release_query_memory(TaskManager *tm, QueryMemory *q)
{
    if (!q || --q->tasks > 0) return;
    for (QueryMemory **pp = &tm->queries; *pp; pp = &(*pp)->next)
        if (*pp == q) {
            *pp = q->next;
            break;
        }
    bs_free(q);
}

static void free_task(WorkerTask *t)
{
    if (t->task) task_destroy(t->task);
    for (int k = 0; k < t->n_inputs; k++)
        remote_input_destroy(t->input[k].input);
    output_buffer_destroy(t->out);
    pthread_mutex_lock(&t->splits.mu);
    for (int k = 0; k < t->splits.n_scans; k++)
        wake_scan(&t->splits.scans[k]);
    pthread_mutex_unlock(&t->splits.mu);
    pthread_mutex_destroy(&t->splits.mu);
    arena_destroy(t->arena);
    release_query_memory(t->tm, t->memory);
    bs_free(t);
}

static void unlink_task(TaskManager *tm, WorkerTask *t)
{
    for (WorkerTask **pp = &tm->tasks; *pp; pp = &(*pp)->next)
        if (*pp == t) {
            *pp = t->next;
            return;
        }
}

/* Loop thread: the task's drivers have all ended. */
static void task_ended(LoopTask *task, EventLoop *loop)
{
    (void)loop;
    WorkerTask *t = (WorkerTask *)((char *)task - offsetof(WorkerTask, ended_task));
    TaskManager *tm = t->tm;
    t->ended = true;
    pthread_mutex_lock(&tm->mu);
    tm->running--;
    pthread_cond_broadcast(&tm->idle);
    pthread_mutex_unlock(&tm->mu);
    if (!t->dropped) {
        TpTaskStatus st = {.task_id = t->task_id, .state = TASK_FINISHED, .error = ERROR_INIT};
        if (task_result(t->task, &st.error) != BS_OK) st.state = TASK_FAILED;
        /* Which broadcast input was too big: the coordinator partitions that join. */
        for (int k = 0; st.state == TASK_FAILED && k < t->n_inputs; k++)
            if (remote_input_over_limit(t->input[k].input)) {
                Buffer o;
                buffer_init(&o);
                tp_put_broadcast_over(&o, t->task_id, t->input[k].fragment);
                send_control(tm, TP_BROADCAST_OVER, &o);
                break;
            }
        output_buffer_task_done(t->out, st.state == TASK_FINISHED);
        output_buffer_stats(t->out, &st.rows_out, &st.bytes_out);
        st.wall_us = (uint64_t)((clock_now_ns() - t->start_ns) / 1000);
        Buffer b;
        buffer_init(&b);
        tp_put_task_status(&b, &st);
        send_control(tm, TP_TASK_STATUS, &b);
        error_clear(&st.error);
        return;
    }
    unlink_task(tm, t);
    free_task(t);
}

static void on_task_done(FutureWaiter *w)
{
    WorkerTask *t = (WorkerTask *)((char *)w - offsetof(WorkerTask, done_waiter));
    t->ended_task.run = task_ended;
    loop_post(t->tm->loop, &t->ended_task);
}

static WorkerTask *find_task(TaskManager *tm, uint64_t task_id)
{
    for (WorkerTask *t = tm->tasks; t; t = t->next)
        if (t->task_id == task_id) return t;
    return NULL;
}

static bool query_dropped(const TaskManager *tm, uint64_t query_id)
{
    int n = tm->n_dropped < DROPPED_QUERIES ? tm->n_dropped : DROPPED_QUERIES;
    for (int k = 0; k < n; k++)
        if (tm->dropped[k] == query_id) return true;
    return false;
}

static void report_failure(TaskManager *tm, uint64_t task_id, const Error *e)
{
    TpTaskStatus st = {.task_id = task_id, .state = TASK_FAILED};
    st.error = *e;
    Buffer b;
    buffer_init(&b);
    tp_put_task_status(&b, &st);
    send_control(tm, TP_TASK_STATUS, &b);
}

/* The node of the fragment that reads fragment `source` (it gives the rows' types). */
static const PlanNode *find_remote_source(const PlanNode *n, int source)
{
    if (n->kind == PLAN_REMOTE_SOURCE && n->u.remote.fragment == source) return n;
    for (int k = 0; k < n->n_children; k++) {
        const PlanNode *found = find_remote_source(n->children[k], source);
        if (found) return found;
    }
    return NULL;
}

/* ---- table writes ---- */

static const TpWrite *find_write(const TaskWrites *w, const char *table, Error *err)
{
    for (uint32_t k = 0; k < w->n; k++)
        if (strcmp(w->writes[k].table, table) == 0) return &w->writes[k];
    error_set(err, SQLSTATE_PROTOCOL_VIOLATION, -1,
              "the task writes table \"%s\", for which TASK_CREATE gave no directory", table);
    return NULL;
}

/* Any driver thread. */
static Status writes_new_file(WriteTarget *target, const char *table, Arena *arena, char **abs_path,
                              char **rel_path, Error *err)
{
    TaskWrites *w = (TaskWrites *)target;
    const TpWrite *d = find_write(w, table, err);
    if (!d) return BS_ERROR;
    unsigned n = atomic_fetch_add(&w->next_file, 1);
    *abs_path = arena_sprintf(arena, "%s/%s-%u.bsc", d->abs_dir, d->prefix, n);
    *rel_path = arena_sprintf(arena, "%s/%s-%u.bsc", d->rel_dir, d->prefix, n);
    if (!*abs_path || !*rel_path) return arena_error(arena, err);
    return BS_OK;
}

/* Any driver thread: the file is on disk (fsynced); the coordinator adopts it. */
static Status writes_file_done(WriteTarget *target, const char *table, const WrittenFile *file,
                               Error *err)
{
    TaskWrites *w = (TaskWrites *)target;
    if (!find_write(w, table, err)) return BS_ERROR;
    TpFile f = {table, file->rel_path, file->n_rows};
    Buffer b;
    buffer_init(&b);
    tp_put_files(&b, &(TpFiles){.task_id = w->task->task_id, .n = 1, .files = &f});
    if (!buffer_ok(&b)) {
        buffer_free(&b);
        return error_oom(err);
    }
    send_control(w->task->tm, TP_FILES, &b);
    return BS_OK;
}

/* The writes of TASK_CREATE, copied into the task's arena. */
static Status copy_writes(WorkerTask *t, const TpTaskCreate *m, Error *err)
{
    TaskWrites *w = &t->writes;
    w->base.new_file = writes_new_file;
    w->base.file_done = writes_file_done;
    w->task = t;
    atomic_init(&w->next_file, 0);
    w->n = m->n_writes;
    w->writes = arena_alloc_zero(t->arena, sizeof(TpWrite) * (m->n_writes ? m->n_writes : 1));
    if (!w->writes) return arena_error(t->arena, err);
    for (uint32_t k = 0; k < m->n_writes; k++) {
        const TpWrite *in = &m->writes[k];
        TpWrite *out = &w->writes[k];
        out->table = arena_strdup(t->arena, in->table);
        out->abs_dir = arena_strdup(t->arena, in->abs_dir);
        out->rel_dir = arena_strdup(t->arena, in->rel_dir);
        out->prefix = arena_strdup(t->arena, in->prefix);
        if (!out->table || !out->abs_dir || !out->rel_dir || !out->prefix)
            return arena_error(t->arena, err);
        /* The prefix becomes part of a file name: nothing that could leave the directory. */
        if (!*out->prefix || strchr(out->prefix, '/') || strstr(out->rel_dir, ".."))
            return error_set(err, SQLSTATE_PROTOCOL_VIOLATION, -1,
                             "TASK_CREATE gives table \"%s\" a bad file prefix", out->table);
    }
    return BS_OK;
}

static Status build_task(TaskManager *tm, WorkerTask *t, const TpTaskCreate *m, Error *err)
{
    BS_TRY(fragment_deserialize(m->fragment, m->fragment_len, t->arena, &t->fragment, err));
    if (t->fragment->id != (int)m->fragment_id)
        return error_set(err, SQLSTATE_PROTOCOL_VIOLATION, -1,
                         "TASK_CREATE for fragment %u holds "
                         "fragment %d",
                         m->fragment_id, t->fragment->id);
    t->out = output_buffer_create((int)m->output_partitions, (int64_t)m->buffer_bytes,
                                  m->zstd_level, &t->tracker, err);
    if (!t->out) return BS_ERROR;
    t->n_inputs = (int)m->n_inputs;
    t->input = arena_alloc_zero(t->arena, sizeof(TaskInput) * (m->n_inputs ? m->n_inputs : 1));
    if (!t->input) return arena_error(t->arena, err);
    for (uint32_t k = 0; k < m->n_inputs; k++) {
        const TpInput *in = &m->inputs[k];
        const PlanNode *src = find_remote_source(t->fragment->root, (int)in->fragment);
        if (!src)
            return error_set(
                err, SQLSTATE_PROTOCOL_VIOLATION, -1,
                "TASK_CREATE names input fragment %u, which the fragment does not read",
                in->fragment);
        t->input[k].fragment = in->fragment;
        t->input[k].input = remote_input_create(
            tm->peers, m->query_id, in->producers, (int)in->n_producers, in->partition, src->types,
            src->n_cols, (int64_t)m->buffer_bytes, &t->tracker, err);
        if (!t->input[k].input) return BS_ERROR;
        if (in->max_bytes > 0) {
            Error over = ERROR_INIT;
            error_set(&over, SQLSTATE_BROADCAST_TOO_LARGE, -1,
                      "the broadcast build side of a join (fragment %u) holds more than "
                      "join_max_broadcast_table_size (%.1f MB)",
                      in->fragment, (double)in->max_bytes / (1024.0 * 1024.0));
            error_set_hint(&over, "SET join_distribution_type = 'partitioned' partitions every "
                                  "join instead.");
            remote_input_limit_total(t->input[k].input, (int64_t)in->max_bytes, &over);
            error_clear(&over);
        }
    }
    t->splits.base.next = splits_next;
    t->splits.base.fork = NULL;
    t->splits.task = t;
    BS_TRY(collect_scans(&t->splits, t->fragment->root, t->arena, err));
    t->inputs.base.open = open_input;
    t->inputs.task = t;
    BS_TRY(copy_writes(t, m, err));
    TaskConfig cfg = {
        .pool = tm->pool,
        .max_drivers = tm->threads,
        .tracker = &t->tracker,
        .cancel = &t->cancel,
        .splits = &t->splits.base,
        .inputs = &t->inputs.base,
        .writes = t->writes.n ? &t->writes.base : NULL,
        .output = output_buffer_sink(t->out),
    };
    t->task = task_create(t->fragment, &cfg, err);
    if (!t->task) return BS_ERROR;
    output_buffer_add_producers(t->out, task_output_producers(t->task));
    return BS_OK;
}

/* Loop thread: PAGES_GETs that came before their task. */
static void attach_pending(TaskManager *tm, WorkerTask *t)
{
    for (PendingGet **pp = &tm->pending; *pp;) {
        PendingGet *g = *pp;
        if (g->get.task_id != t->task_id) {
            pp = &g->next;
            continue;
        }
        *pp = g->next;
        output_buffer_get(t->out, g->conn, &g->get);
        conn_release(g->conn);
        bs_free(g);
    }
}

static void on_task_create(TaskManager *tm, const Frame *f)
{
    Error e = ERROR_INIT;
    Arena *scratch = arena_create(NULL, NULL, 0);
    TpTaskCreate m;
    if (!scratch) return;
    if (tp_get_task_create(f->payload, f->len, scratch, &m, &e) != BS_OK) {
        /* Nothing names the task reliably: the coordinator's query times out on the
           connection it broke. */
        fprintf(stderr, "basalt worker: %s\n", e.message);
        error_clear(&e);
        arena_destroy(scratch);
        return;
    }
    WorkerTask *t = bs_calloc(1, sizeof *t);
    if (!t) {
        error_oom(&e);
        report_failure(tm, m.task_id, &e);
        error_clear(&e);
        arena_destroy(scratch);
        return;
    }
    t->tm = tm;
    t->query_id = m.query_id;
    t->task_id = m.task_id;
    atomic_init(&t->cancel, false);
    pthread_mutex_init(&t->splits.mu, NULL);
    t->memory = query_memory(tm, m.query_id, (int64_t)m.memory_limit);
    memtracker_init(&t->tracker, t->memory ? &t->memory->tracker : &tm->tracker, "task", 0);
    t->arena = t->memory ? arena_create(NULL, &t->tracker, 0) : NULL;
    Status st = t->arena ? build_task(tm, t, &m, &e) : error_oom(&e);
    arena_destroy(scratch);
    if (st != BS_OK) {
        report_failure(tm, m.task_id, &e);
        error_clear(&e);
        free_task(t);
        return;
    }
    t->next = tm->tasks;
    tm->tasks = t;
    attach_pending(tm, t);
    pthread_mutex_lock(&tm->mu);
    tm->running++;
    pthread_mutex_unlock(&tm->mu);
    t->start_ns = clock_now_ns();
    task_start(t->task);
    t->done_waiter.callback = on_task_done;
    if (!future_add_waiter(task_done(t->task), &t->done_waiter)) on_task_done(&t->done_waiter);
}

static void drop_query(TaskManager *tm, uint64_t query_id)
{
    if (!query_dropped(tm, query_id)) tm->dropped[tm->n_dropped++ % DROPPED_QUERIES] = query_id;
    for (PendingGet **pp = &tm->pending; *pp;) {
        PendingGet *g = *pp;
        if (g->get.query_id != query_id) {
            pp = &g->next;
            continue;
        }
        *pp = g->next;
        conn_release(g->conn);
        bs_free(g);
    }
    for (WorkerTask *t = tm->tasks, *next; t; t = next) {
        next = t->next;
        if (t->query_id != query_id || t->dropped) continue;
        t->dropped = true;
        if (t->ended) {
            unlink_task(tm, t);
            free_task(t);
        } else {
            stop_task(t); /* freed when its drivers have ended */
        }
    }
}

static void on_splits(TaskManager *tm, const Frame *f)
{
    Arena *scratch = arena_create(NULL, NULL, 0);
    TpSplits m;
    Error e = ERROR_INIT;
    if (!scratch) return;
    if (tp_get_splits(f->payload, f->len, scratch, &m, &e) == BS_OK) {
        WorkerTask *t = find_task(tm, m.task_id);
        if (t && !t->dropped) {
            TaskSplits *ts = &t->splits;
            pthread_mutex_lock(&ts->mu);
            ScanQueue *q = find_scan(ts, (int)m.node_id);
            bool oom = false;
            if (q) {
                /* Drop what was handed out before appending. */
                if (q->head > 0) {
                    memmove(q->splits, q->splits + q->head,
                            sizeof(Split) * (size_t)(q->n - q->head));
                    q->n -= q->head;
                    q->head = 0;
                }
                for (uint32_t k = 0; k < m.n && !oom; k++) {
                    if (q->n == q->cap) {
                        int cap = q->cap ? q->cap * 2 : 8;
                        Split *grown =
                            arena_grow(t->arena, q->splits, sizeof(Split) * (size_t)q->cap,
                                       sizeof(Split) * (size_t)cap);
                        if (!grown) {
                            oom = true;
                            break;
                        }
                        q->splits = grown;
                        q->cap = cap;
                    }
                    char *path = arena_strdup(t->arena, m.splits[k].path);
                    if (!path) {
                        oom = true;
                        break;
                    }
                    q->splits[q->n++] =
                        (Split){path, m.splits[k].first_row_group, m.splits[k].n_row_groups};
                }
                q->no_more = m.no_more || oom;
                q->requested = false;
                wake_scan(q);
            }
            pthread_mutex_unlock(&ts->mu);
            if (oom) {
                /* Its scans would miss rows: the task must fail, not finish. */
                atomic_store(&t->cancel, true);
                error_oom(&e);
                report_failure(tm, t->task_id, &e);
            }
        }
    } else {
        fprintf(stderr, "basalt worker: %s\n", e.message);
    }
    error_clear(&e);
    arena_destroy(scratch);
}

bool task_manager_control_frame(TaskManager *tm, const Frame *f)
{
    uint64_t query_id;
    Error e = ERROR_INIT;
    switch (f->type) {
    case TP_TASK_CREATE:
        on_task_create(tm, f);
        return true;
    case TP_TASK_CANCEL:
        if (tp_get_query_id(f->payload, f->len, &query_id, &e) == BS_OK) drop_query(tm, query_id);
        error_clear(&e);
        return true;
    case TP_SPLITS:
        on_splits(tm, f);
        return true;
    }
    return false;
}

bool task_manager_data_frame(TaskManager *tm, Connection *conn, const Frame *f)
{
    Error e = ERROR_INIT;
    if (f->type == TP_PAGES_GET) {
        TpPagesGet get;
        if (tp_get_pages_get(f->payload, f->len, &get, &e) != BS_OK) {
            np_send_error(conn, &e);
            error_clear(&e);
            conn_close(conn);
            return true;
        }
        WorkerTask *t = find_task(tm, get.task_id);
        if (t && t->out && !t->dropped) {
            output_buffer_get(t->out, conn, &get);
        } else if (!t && !query_dropped(tm, get.query_id)) {
            PendingGet *g = bs_calloc(1, sizeof *g);
            if (g) {
                conn_retain(conn);
                g->conn = conn;
                g->get = get;
                g->next = tm->pending;
                tm->pending = g;
            }
        }
        return true;
    }
    if (f->type == TP_BUFFER_ABORT) {
        uint64_t query_id, task_id;
        uint32_t partition;
        if (tp_get_buffer_abort(f->payload, f->len, &query_id, &task_id, &partition, &e) != BS_OK) {
            np_send_error(conn, &e);
            error_clear(&e);
            conn_close(conn);
            return true;
        }
        WorkerTask *t = find_task(tm, task_id);
        if (t && t->out) output_buffer_abort_partition(t->out, partition);
        return true;
    }
    return false;
}

void task_manager_set_control(TaskManager *tm, Connection *control)
{
    pthread_mutex_lock(&tm->mu);
    if (tm->control) conn_release(tm->control);
    tm->control = control;
    if (control) conn_retain(control);
    pthread_mutex_unlock(&tm->mu);
    if (control) return;
    /* The coordinator is gone, and with it every query these tasks ran for — and those
       whose tasks had not come yet. */
    for (PendingGet *g = tm->pending, *next; g; g = next) {
        next = g->next;
        conn_release(g->conn);
        bs_free(g);
    }
    tm->pending = NULL;
    while (tm->tasks) {
        WorkerTask *t = tm->tasks;
        while (t && t->dropped)
            t = t->next;
        if (!t) break;
        drop_query(tm, t->query_id);
    }
}

bool task_manager_memory(TaskManager *tm, Buffer *out)
{
    uint32_t n = 0;
    for (QueryMemory *q = tm->queries; q; q = q->next)
        n++;
    if (n == 0) return false;
    TpQueryMemory *entries = bs_calloc(n, sizeof *entries);
    if (!entries) return false;
    uint32_t k = 0;
    for (QueryMemory *q = tm->queries; q; q = q->next) {
        int64_t used = memtracker_used(&q->tracker);
        entries[k++] = (TpQueryMemory){q->query_id, used > 0 ? (uint64_t)used : 0};
    }
    tp_put_memory(out, entries, n);
    bs_free(entries);
    return true;
}

void task_manager_load(TaskManager *tm, uint32_t *running, uint64_t *memory_used)
{
    pthread_mutex_lock(&tm->mu);
    *running = (uint32_t)tm->running;
    pthread_mutex_unlock(&tm->mu);
    int64_t used = memtracker_used(&tm->tracker);
    *memory_used = used > 0 ? (uint64_t)used : 0;
}

TaskManager *task_manager_create(EventLoop *loop, int threads, int64_t memory_limit, Error *err)
{
    TaskManager *tm = bs_calloc(1, sizeof *tm);
    if (!tm) {
        error_oom(err);
        return NULL;
    }
    tm->loop = loop;
    tm->threads = threads > 0 ? threads : 1;
    memtracker_init(&tm->tracker, NULL, "worker", memory_limit);
    pthread_mutex_init(&tm->mu, NULL);
    pthread_cond_init(&tm->idle, NULL);
    tm->pool = threadpool_create(tm->threads, err);
    tm->peers = tm->pool ? peer_pool_create(loop, err) : NULL;
    if (!tm->peers) {
        threadpool_destroy(tm->pool);
        pthread_mutex_destroy(&tm->mu);
        pthread_cond_destroy(&tm->idle);
        bs_free(tm);
        return NULL;
    }
    return tm;
}

static void drop_all(void *arg)
{
    task_manager_set_control(arg, NULL);
}

static void free_all(void *arg)
{
    TaskManager *tm = arg;
    while (tm->tasks) {
        WorkerTask *t = tm->tasks;
        tm->tasks = t->next;
        free_task(t);
    }
    for (PendingGet *g = tm->pending, *next; g; g = next) {
        next = g->next;
        conn_release(g->conn);
        bs_free(g);
    }
    tm->pending = NULL;
}

void task_manager_destroy(TaskManager *tm)
{
    if (!tm) return;
    loop_call(tm->loop, drop_all, tm);
    pthread_mutex_lock(&tm->mu);
    while (tm->running > 0)
        pthread_cond_wait(&tm->idle, &tm->mu);
    pthread_mutex_unlock(&tm->mu);
    loop_call(tm->loop, free_all, tm);
    peer_pool_destroy(tm->peers);
    threadpool_destroy(tm->pool);
    pthread_mutex_destroy(&tm->mu);
    pthread_cond_destroy(&tm->idle);
    bs_free(tm);
}
