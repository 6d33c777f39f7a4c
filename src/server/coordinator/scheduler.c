/*
 * scheduler.c — placing a query's fragments on workers (see scheduler.h).
 *
 * Placement: the tasks of a SOURCE or FIXED fragment go one per worker in registration
 * order (task t on worker t mod n; the plan was made for the workers there were, so this
 * is one each unless one left meanwhile); a SINGLE fragment's one task goes to worker
 * (fragment id mod n), spreading single stages. Task ids and query ids are unique while
 * the coordinator runs.
 */
#include "server/coordinator/scheduler.h"

#include "common/alloc.h"
#include "net/native_proto.h"
#include "net/task_proto.h"
#include "server/server_int.h"
#include "server/worker/remote_exchange.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* What an exchange between tasks buffers, on either side, before it pushes back. */
#define TASK_BUFFER_BYTES (16 << 20)
#define ROOT_INPUT_BYTES  (8 << 20)

typedef struct WorkerLink {
    uint64_t number;
    Connection *conn; /* retained */
    char node_id[128];
    char address[160];
    bool up;
    struct WorkerLink *next;
} WorkerLink;

typedef struct RemoteTask {
    uint64_t task_id;
    int fragment, index;
    WorkerLink *worker; /* links are never freed before the scheduler */
    bool done;
    uint8_t state;
    uint64_t rows_out, bytes_out, wall_us;
    uint32_t n_writes;
    TpWrite *writes; /* where its table writers write (in the run's arena) */
} RemoteTask;

struct DistRun {
    Scheduler *s;
    uint64_t query_id;
    const QueryPlan *plan;
    SplitSource *splits;
    WriteSet *writes; /* a statement that writes tables: its files are adopted here */
    Arena *arena;
    pthread_mutex_t mu;
    pthread_cond_t changed; /* a task ended, or the run failed */
    int n_done;
    MemTracker *tracker;  /* the statement's here (the root's memory) */
    int64_t memory_limit; /* over every node (0: none) */
    int n_nodes;
    WorkerLink **nodes;      /* the workers with a task of it */
    uint64_t *node_bytes;    /* what each last said the query holds there (MEMORY) */
    int64_t broadcast_limit; /* what a broadcast input may bring a task (0: no bound) */
    int oversized;           /* the fragment whose broadcast passed it (BROADCAST_OVER), or -1 */
    int n_tasks;
    RemoteTask *tasks;
    int n_inputs;
    int *input_fragment;
    RemoteInput **inputs; /* the root's, one per fragment it reads */
    int zstd_level;
    uint64_t log_id; /* the engine's id of the statement */
    bool failed;
    Error failure;
    void (*on_fail)(void *ctx);
    void *ctx;
    DistRun *next;
};

struct Scheduler {
    EventLoop *loop;
    PeerPool *peers;
    pthread_mutex_t mu; /* workers, runs, history */
    WorkerLink *workers;
    DistRun *runs;
    uint64_t next_query, next_task;
    /* The tasks of the last SCHEDULER_HISTORY runs that ended, oldest first. */
    TaskInfo *history[SCHEDULER_HISTORY];
    int history_n[SCHEDULER_HISTORY];
    int n_history;
};

/* Under run->mu: a task as system.runtime.tasks shows it. */
static TaskInfo task_info(const DistRun *run, const RemoteTask *t, bool ended)
{
    TaskInfo info = {.query_id = run->log_id,
                     .task_id = t->task_id,
                     .stage = t->fragment,
                     .index = t->index,
                     .rows = t->rows_out,
                     .bytes = t->bytes_out,
                     .wall_ms = (double)t->wall_us / 1000.0};
    snprintf(info.node_id, sizeof info.node_id, "%s", t->worker->node_id);
    info.state = t->done ? (t->state == TASK_FINISHED ? "finished" : "failed")
                 : ended ? "abandoned"
                         : "running";
    return info;
}

Status scheduler_tasks(Scheduler *s, Arena *arena, TaskInfo **out, int *n, Error *err)
{
    pthread_mutex_lock(&s->mu);
    int total = 0;
    for (int k = 0; k < s->n_history; k++)
        total += s->history_n[k];
    for (DistRun *run = s->runs; run; run = run->next)
        total += run->n_tasks;
    TaskInfo *rows = arena_alloc(arena, sizeof(TaskInfo) * (size_t)(total ? total : 1));
    if (!rows) {
        pthread_mutex_unlock(&s->mu);
        return arena_error(arena, err);
    }
    int m = 0;
    for (int k = 0; k < s->n_history; k++)
        for (int j = 0; j < s->history_n[k]; j++)
            rows[m++] = s->history[k][j];
    for (DistRun *run = s->runs; run; run = run->next) {
        pthread_mutex_lock(&run->mu);
        for (int j = 0; j < run->n_tasks; j++)
            rows[m++] = task_info(run, &run->tasks[j], false);
        pthread_mutex_unlock(&run->mu);
    }
    pthread_mutex_unlock(&s->mu);
    *out = rows;
    *n = m;
    return BS_OK;
}

/* Under s->mu: keeps the ended run's tasks for system.runtime.tasks. */
static void remember(Scheduler *s, DistRun *run)
{
    TaskInfo *tasks = bs_calloc((size_t)(run->n_tasks ? run->n_tasks : 1), sizeof *tasks);
    if (!tasks) return;
    pthread_mutex_lock(&run->mu);
    for (int k = 0; k < run->n_tasks; k++)
        tasks[k] = task_info(run, &run->tasks[k], true);
    pthread_mutex_unlock(&run->mu);
    if (s->n_history == SCHEDULER_HISTORY) {
        bs_free(s->history[0]);
        memmove(s->history, s->history + 1, sizeof s->history[0] * (SCHEDULER_HISTORY - 1));
        memmove(s->history_n, s->history_n + 1, sizeof s->history_n[0] * (SCHEDULER_HISTORY - 1));
        s->n_history--;
    }
    s->history[s->n_history] = tasks;
    s->history_n[s->n_history++] = run->n_tasks;
}

Scheduler *scheduler_create(EventLoop *loop, Error *err)
{
    Scheduler *s = bs_calloc(1, sizeof *s);
    if (!s) {
        error_oom(err);
        return NULL;
    }
    s->loop = loop;
    s->peers = peer_pool_create(loop, err);
    if (!s->peers) {
        bs_free(s);
        return NULL;
    }
    pthread_mutex_init(&s->mu, NULL);
    return s;
}

void scheduler_destroy(Scheduler *s)
{
    if (!s) return;
    peer_pool_destroy(s->peers);
    for (WorkerLink *w = s->workers, *next; w; w = next) {
        next = w->next;
        if (w->conn) conn_release(w->conn);
        bs_free(w);
    }
    for (int k = 0; k < s->n_history; k++)
        bs_free(s->history[k]);
    pthread_mutex_destroy(&s->mu);
    bs_free(s);
}

void scheduler_worker_up(Scheduler *s, uint64_t number, Connection *conn, const char *node_id,
                         const char *address)
{
    WorkerLink *w = bs_calloc(1, sizeof *w);
    if (!w) return; /* out of memory: the worker takes no tasks */
    w->number = number;
    w->conn = conn;
    conn_retain(conn);
    snprintf(w->node_id, sizeof w->node_id, "%s", node_id);
    snprintf(w->address, sizeof w->address, "%s", address);
    w->up = true;
    pthread_mutex_lock(&s->mu);
    /* Registration order: appended. */
    WorkerLink **pp = &s->workers;
    while (*pp)
        pp = &(*pp)->next;
    *pp = w;
    pthread_mutex_unlock(&s->mu);
}

static void fail_run(DistRun *run, const Error *error)
{
    pthread_mutex_lock(&run->mu);
    bool first = !run->failed;
    if (first) {
        run->failed = true;
        error_copy(&run->failure, error);
        pthread_cond_broadcast(&run->changed);
    }
    pthread_mutex_unlock(&run->mu);
    if (!first) return;
    for (int k = 0; k < run->n_inputs; k++)
        remote_input_fail(run->inputs[k], error);
    if (run->on_fail) run->on_fail(run->ctx);
}

void scheduler_worker_down(Scheduler *s, uint64_t number, const char *reason)
{
    pthread_mutex_lock(&s->mu);
    WorkerLink *w = s->workers;
    while (w && !(w->number == number && w->up))
        w = w->next;
    if (!w) {
        pthread_mutex_unlock(&s->mu);
        return;
    }
    w->up = false;
    Error e = ERROR_INIT;
    error_set(&e, NET_SQLSTATE_CONNECTION_FAILURE, -1, "worker %s (%s) is gone: %s", w->node_id,
              w->address, reason);
    /* Runs stay registered until destroyed, which takes s->mu: failing under it is safe. */
    for (DistRun *run = s->runs; run; run = run->next) {
        bool uses = false;
        for (int k = 0; k < run->n_tasks && !uses; k++)
            uses = run->tasks[k].worker == w;
        if (uses) fail_run(run, &e);
    }
    pthread_mutex_unlock(&s->mu);
    error_clear(&e);
}

int scheduler_workers(Scheduler *s)
{
    pthread_mutex_lock(&s->mu);
    int n = 0;
    for (WorkerLink *w = s->workers; w; w = w->next)
        n += w->up;
    pthread_mutex_unlock(&s->mu);
    return n;
}

/* Under s->mu: the run and task a task id names. */
static DistRun *find_task(Scheduler *s, uint64_t task_id, RemoteTask **task)
{
    for (DistRun *run = s->runs; run; run = run->next)
        for (int k = 0; k < run->n_tasks; k++)
            if (run->tasks[k].task_id == task_id) {
                *task = &run->tasks[k];
                return run;
            }
    return NULL;
}

static void on_task_status(Scheduler *s, const Frame *f)
{
    TpTaskStatus st;
    Error e = ERROR_INIT;
    if (tp_get_task_status(f->payload, f->len, &st, &e) != BS_OK) {
        error_clear(&e);
        return;
    }
    pthread_mutex_lock(&s->mu);
    RemoteTask *task;
    DistRun *run = find_task(s, st.task_id, &task);
    if (run) {
        pthread_mutex_lock(&run->mu);
        if (!task->done) run->n_done++;
        pthread_cond_broadcast(&run->changed);
        task->done = true;
        task->state = st.state;
        task->rows_out = st.rows_out;
        task->bytes_out = st.bytes_out;
        task->wall_us = st.wall_us;
        pthread_mutex_unlock(&run->mu);
        if (st.state == TASK_FAILED) fail_run(run, &st.error);
    }
    pthread_mutex_unlock(&s->mu);
    error_clear(&st.error);
}

static void on_splits_get(Scheduler *s, uint64_t number, const Frame *f)
{
    uint64_t task_id;
    uint32_t node_id, max;
    Error e = ERROR_INIT;
    if (tp_get_splits_get(f->payload, f->len, &task_id, &node_id, &max, &e) != BS_OK) {
        error_clear(&e);
        return;
    }
    if (max > 64) max = 64;
    pthread_mutex_lock(&s->mu);
    RemoteTask *task;
    DistRun *run = find_task(s, task_id, &task);
    WorkerLink *w = s->workers;
    while (w && w->number != number)
        w = w->next;
    if (run && w && w->up && task->worker == w) {
        TpSplit splits[64];
        TpSplits m = {.task_id = task_id, .node_id = node_id, .splits = splits};
        while (m.n < max) {
            Split sp;
            Future *blocked = NULL;
            SplitNext got = run->splits->next(run->splits, (int)node_id, &sp, &blocked);
            if (got != SPLIT_READY) {
                if (blocked) future_release(blocked);
                m.no_more = true; /* the coordinator's source never makes a scan wait */
                break;
            }
            splits[m.n++] = (TpSplit){sp.path, sp.first_row_group, sp.n_row_groups};
        }
        Buffer b;
        buffer_init(&b);
        tp_put_splits(&b, &m);
        np_send(w->conn, TP_SPLITS, &b);
    }
    pthread_mutex_unlock(&s->mu);
}

/* FILES: a task's writer finished files; the statement adopts them (or fails). */
static void on_files(Scheduler *s, uint64_t number, const Frame *f)
{
    Arena *scratch = arena_create(NULL, NULL, 0);
    TpFiles m;
    Error e = ERROR_INIT;
    if (!scratch) return;
    if (tp_get_files(f->payload, f->len, scratch, &m, &e) != BS_OK) {
        error_clear(&e);
        arena_destroy(scratch);
        return;
    }
    pthread_mutex_lock(&s->mu);
    RemoteTask *task;
    DistRun *run = find_task(s, m.task_id, &task);
    if (run && task->worker->number == number) {
        Status st = BS_OK;
        for (uint32_t k = 0; k < m.n && st == BS_OK; k++) {
            const TpWrite *w = NULL;
            for (uint32_t j = 0; j < task->n_writes && !w; j++)
                if (strcmp(task->writes[j].table, m.files[k].table) == 0) w = &task->writes[j];
            if (!w || !run->writes)
                st = error_set(&e, SQLSTATE_PROTOCOL_VIOLATION, -1,
                               "worker %s reported a file of table \"%s\", which its task "
                               "does not write",
                               task->worker->node_id, m.files[k].table);
            else
                st = writeset_remote_file(run->writes, w->table, w->prefix, m.files[k].path,
                                          m.files[k].rows, &e);
        }
        if (st != BS_OK) fail_run(run, &e);
    }
    pthread_mutex_unlock(&s->mu);
    error_clear(&e);
    arena_destroy(scratch);
}

/* "12.5 MB" */
static void format_mb(uint64_t bytes, char *out, size_t size)
{
    snprintf(out, size, "%.1f MB", (double)bytes / (1024.0 * 1024.0));
}

/*
 * MEMORY: what each query holds on a worker. A query whose memory summed over its nodes
 * (the workers' last reports and the root's here) is over its limit fails with 53200.
 */
static void on_memory(Scheduler *s, uint64_t number, const Frame *f)
{
    Arena *scratch = arena_create(NULL, NULL, 0);
    TpQueryMemory *entries;
    uint32_t n;
    Error e = ERROR_INIT;
    if (!scratch) return;
    if (tp_get_memory(f->payload, f->len, scratch, &entries, &n, &e) != BS_OK) {
        error_clear(&e);
        arena_destroy(scratch);
        return;
    }
    pthread_mutex_lock(&s->mu);
    for (uint32_t k = 0; k < n; k++) {
        DistRun *run = s->runs;
        while (run && run->query_id != entries[k].query_id)
            run = run->next;
        if (!run) continue;
        pthread_mutex_lock(&run->mu);
        uint64_t total = 0;
        int busy = 0;
        for (int j = 0; j < run->n_nodes; j++) {
            if (run->nodes[j]->number == number) run->node_bytes[j] = entries[k].bytes;
            total += run->node_bytes[j];
            busy += run->node_bytes[j] > 0;
        }
        int64_t here = memtracker_used(run->tracker);
        if (here > 0) {
            total += (uint64_t)here;
            busy++;
        }
        bool over = run->memory_limit > 0 && total > (uint64_t)run->memory_limit && !run->failed;
        pthread_mutex_unlock(&run->mu);
        if (over) {
            char limit[32], used[32];
            format_mb((uint64_t)run->memory_limit, limit, sizeof limit);
            format_mb(total, used, sizeof used);
            error_set(&e, SQLSTATE_OUT_OF_MEMORY, -1,
                      "out of memory: query memory limit of %s exceeded across the cluster "
                      "(%s in use on %d node%s)",
                      limit, used, busy, busy == 1 ? "" : "s");
            error_set_hint(&e, "Raise the limit with SET query_max_memory, or make the query "
                               "use less memory.");
            fail_run(run, &e);
            error_clear(&e);
        }
    }
    pthread_mutex_unlock(&s->mu);
    arena_destroy(scratch);
}

/* BROADCAST_OVER: a task's broadcast input passed its bound (its failure follows). */
static void on_broadcast_over(Scheduler *s, const Frame *f)
{
    uint64_t task_id;
    uint32_t fragment;
    Error e = ERROR_INIT;
    if (tp_get_broadcast_over(f->payload, f->len, &task_id, &fragment, &e) != BS_OK) {
        error_clear(&e);
        return;
    }
    pthread_mutex_lock(&s->mu);
    RemoteTask *task;
    DistRun *run = find_task(s, task_id, &task);
    if (run && fragment > 0 && (int)fragment < run->plan->n_fragments) {
        pthread_mutex_lock(&run->mu);
        if (run->oversized < 0) run->oversized = (int)fragment;
        pthread_mutex_unlock(&run->mu);
    }
    pthread_mutex_unlock(&s->mu);
}

bool scheduler_worker_frame(Scheduler *s, uint64_t number, const Frame *f)
{
    switch (f->type) {
    case TP_BROADCAST_OVER:
        on_broadcast_over(s, f);
        return true;
    case TP_MEMORY:
        on_memory(s, number, f);
        return true;
    case TP_FILES:
        on_files(s, number, f);
        return true;
    case TP_TASK_STATUS:
        on_task_status(s, f);
        return true;
    case TP_SPLITS_GET:
        on_splits_get(s, number, f);
        return true;
    }
    return false;
}

static bool fragment_distributable(const PlanNode *n, bool writes, bool *scans)
{
    if ((n->kind == PLAN_TABLE_WRITE && !writes) || n->kind == PLAN_CSV_SCAN ||
        n->kind == PLAN_RECURSIVE_CTE || n->kind == PLAN_CTE_SCAN)
        return false;
    if (n->kind == PLAN_TABLE_SCAN) *scans = true;
    for (int k = 0; k < n->n_children; k++)
        if (!fragment_distributable(n->children[k], writes, scans)) return false;
    return true;
}

bool scheduler_can_distribute(const QueryPlan *plan, bool writes)
{
    /* A plan that reads no table (constants, series, system tables, whose rows the
       coordinator made) has nothing to spread: it runs here, and answers while a worker
       is slow or gone. */
    bool scans = false;
    if (plan->n_fragments < 2) return false;
    for (int k = 1; k < plan->n_fragments; k++)
        if (!fragment_distributable(plan->fragments[k]->root, writes, &scans)) return false;
    return scans;
}

/* Partitions of fragment f's output (run_start checked the layout: no error here). */
static int output_partitions(const QueryPlan *plan, const PlanFragment *f)
{
    Error ignored = ERROR_INIT;
    int n = plan_output_partitions(plan, f, &ignored);
    error_clear(&ignored);
    return n;
}

static Status send_task(DistRun *run, const RemoteTask *task, Error *err)
{
    const QueryPlan *plan = run->plan;
    const PlanFragment *f = plan->fragments[task->fragment];
    Buffer frag, msg;
    buffer_init(&frag);
    buffer_init(&msg);
    Status st = fragment_serialize(f, &frag, err);
    TpInput *inputs = bs_calloc((size_t)(f->n_sources ? f->n_sources : 1), sizeof(TpInput));
    TpProducer *producers = NULL;
    int n_producers = 0;
    for (int k = 0; k < f->n_sources; k++)
        n_producers += plan->fragments[f->sources[k]]->n_tasks;
    producers = bs_calloc((size_t)(n_producers ? n_producers : 1), sizeof(TpProducer));
    if (st == BS_OK && (!inputs || !producers)) st = error_oom(err);
    int used = 0;
    for (int k = 0; st == BS_OK && k < f->n_sources; k++) {
        const PlanFragment *src = plan->fragments[f->sources[k]];
        inputs[k].fragment = (uint32_t)src->id;
        inputs[k].partition = output_partitions(plan, src) > 1 ? (uint32_t)task->index : 0;
        if (src->output.kind == EXCHANGE_BROADCAST)
            inputs[k].max_bytes = (uint64_t)run->broadcast_limit;
        inputs[k].producers = &producers[used];
        for (int j = 0; j < run->n_tasks; j++) {
            const RemoteTask *p = &run->tasks[j];
            if (p->fragment != src->id) continue;
            producers[used++] = (TpProducer){p->worker->address, p->worker->node_id, p->task_id};
            inputs[k].n_producers++;
        }
    }
    if (st == BS_OK) {
        TpTaskCreate m = {.query_id = run->query_id,
                          .task_id = task->task_id,
                          .fragment_id = (uint32_t)f->id,
                          .task_index = (uint32_t)task->index,
                          .output_partitions = (uint32_t)output_partitions(plan, f),
                          .memory_limit = (uint64_t)run->memory_limit,
                          .buffer_bytes = TASK_BUFFER_BYTES,
                          .zstd_level = (uint8_t)run->zstd_level,
                          .fragment = frag.data,
                          .fragment_len = frag.len,
                          .n_inputs = (uint32_t)f->n_sources,
                          .inputs = inputs,
                          .n_writes = task->n_writes,
                          .writes = task->writes};
        tp_put_task_create(&msg, &m);
        if (!buffer_ok(&msg)) st = error_oom(err);
    }
    if (st == BS_OK && !np_send(task->worker->conn, TP_TASK_CREATE, &msg))
        st = error_set(err, NET_SQLSTATE_CONNECTION_FAILURE, -1,
                       "cannot send a task to worker %s (%s)", task->worker->node_id,
                       task->worker->address);
    buffer_free(&msg);
    buffer_free(&frag);
    bs_free(inputs);
    bs_free(producers);
    return st;
}

static void free_run(DistRun *run)
{
    for (int k = 0; k < run->n_inputs; k++)
        remote_input_destroy(run->inputs[k]);
    bs_free(run->inputs);
    bs_free(run->input_fragment);
    bs_free(run->tasks);
    bs_free(run->nodes);
    bs_free(run->node_bytes);
    error_clear(&run->failure);
    arena_destroy(run->arena);
    pthread_cond_destroy(&run->changed);
    pthread_mutex_destroy(&run->mu);
    bs_free(run);
}

/* The tables the writers of fragment subtree n write, each once, appended to task. */
static Status task_writes(DistRun *run, RemoteTask *task, const PlanNode *n, Error *err)
{
    if (n->kind == PLAN_TABLE_WRITE) {
        const char *table = n->u.write.table;
        bool known = false;
        for (uint32_t k = 0; k < task->n_writes && !known; k++)
            known = strcmp(task->writes[k].table, table) == 0;
        if (!known) {
            if (!run->writes)
                return error_set(err, SQLSTATE_INTERNAL_ERROR, -1,
                                 "a plan that writes table \"%s\" has no write set", table);
            TpWrite *grown = arena_grow(run->arena, task->writes, sizeof(TpWrite) * task->n_writes,
                                        sizeof(TpWrite) * (task->n_writes + 1));
            if (!grown) return arena_error(run->arena, err);
            task->writes = grown;
            TpWrite *w = &task->writes[task->n_writes];
            char *abs_dir, *rel_dir, *prefix;
            BS_TRY(writeset_remote_dir(run->writes, table, run->arena, &abs_dir, &rel_dir, &prefix,
                                       err));
            *w = (TpWrite){arena_strdup(run->arena, table), abs_dir, rel_dir, prefix};
            if (!w->table) return arena_error(run->arena, err);
            task->n_writes++;
        }
    }
    for (int k = 0; k < n->n_children; k++)
        BS_TRY(task_writes(run, task, n->children[k], err));
    return BS_OK;
}

DistRun *scheduler_start(Scheduler *s, const QueryPlan *plan, uint64_t query_id,
                         SplitSource *splits, WriteSet *writes, const DistOptions *options,
                         MemTracker *tracker, void (*on_fail)(void *ctx), void *ctx, Error *err)
{
    DistRun *run = bs_calloc(1, sizeof *run);
    if (!run) {
        error_oom(err);
        return NULL;
    }
    run->s = s;
    run->plan = plan;
    run->splits = splits;
    run->on_fail = on_fail;
    run->zstd_level = options->zstd_level;
    run->broadcast_limit = options->broadcast_limit;
    run->oversized = -1;
    run->log_id = query_id;
    run->ctx = ctx;
    run->failure = (Error)ERROR_INIT;
    run->writes = writes;
    run->tracker = tracker;
    run->memory_limit = options->memory_limit;
    pthread_mutex_init(&run->mu, NULL);
    pthread_cond_init(&run->changed, NULL);
    run->arena = arena_create(NULL, NULL, 0);
    int n_tasks = 0;
    for (int k = 1; k < plan->n_fragments; k++)
        n_tasks += plan->fragments[k]->n_tasks;
    const PlanFragment *root = plan->fragments[0];
    run->tasks = bs_calloc((size_t)(n_tasks ? n_tasks : 1), sizeof(RemoteTask));
    run->inputs = bs_calloc((size_t)(root->n_sources ? root->n_sources : 1), sizeof(RemoteInput *));
    run->nodes = bs_calloc((size_t)(n_tasks ? n_tasks : 1), sizeof(WorkerLink *));
    run->node_bytes = bs_calloc((size_t)(n_tasks ? n_tasks : 1), sizeof(uint64_t));
    run->input_fragment = bs_calloc((size_t)(root->n_sources ? root->n_sources : 1), sizeof(int));
    if (!run->tasks || !run->inputs || !run->input_fragment || !run->arena || !run->nodes ||
        !run->node_bytes) {
        error_oom(err);
        free_run(run);
        return NULL;
    }
    pthread_mutex_lock(&s->mu);
    WorkerLink *up[256];
    int n_up = 0;
    for (WorkerLink *w = s->workers; w && n_up < 256; w = w->next)
        if (w->up) up[n_up++] = w;
    if (n_up == 0) {
        pthread_mutex_unlock(&s->mu);
        error_set(err, NET_SQLSTATE_CONNECTION_FAILURE, -1,
                  "no worker is available to run the query");
        free_run(run);
        return NULL;
    }
    run->query_id = ++s->next_query;
    for (int k = 1; k < plan->n_fragments; k++) {
        const PlanFragment *f = plan->fragments[k];
        for (int t = 0; t < f->n_tasks; t++) {
            RemoteTask *task = &run->tasks[run->n_tasks++];
            task->task_id = ++s->next_task;
            task->fragment = k;
            task->index = t;
            int slot = f->distribution == DIST_SINGLE ? k : t;
            task->worker = up[slot % n_up];
            bool known = false;
            for (int j = 0; j < run->n_nodes && !known; j++)
                known = run->nodes[j] == task->worker;
            if (!known) run->nodes[run->n_nodes++] = task->worker;
        }
    }
    pthread_mutex_unlock(&s->mu);
    Status st = BS_OK;
    for (int k = 0; k < run->n_tasks && st == BS_OK; k++)
        st = task_writes(run, &run->tasks[k], plan->fragments[run->tasks[k].fragment]->root, err);
    /* The root's inputs first: their requests wait on the workers until the tasks come. */
    for (int k = 0; k < root->n_sources && st == BS_OK; k++) {
        const PlanFragment *src = plan->fragments[root->sources[k]];
        TpProducer *producers =
            bs_calloc((size_t)(src->n_tasks ? src->n_tasks : 1), sizeof *producers);
        if (!producers) {
            st = error_oom(err);
            break;
        }
        int n = 0;
        for (int j = 0; j < run->n_tasks; j++)
            if (run->tasks[j].fragment == src->id)
                producers[n++] = (TpProducer){run->tasks[j].worker->address,
                                              run->tasks[j].worker->node_id, run->tasks[j].task_id};
        run->input_fragment[k] = src->id;
        run->inputs[k] =
            remote_input_create(s->peers, run->query_id, producers, n, 0, src->root->types,
                                src->root->n_cols, ROOT_INPUT_BYTES, tracker, err);
        bs_free(producers);
        if (!run->inputs[k])
            st = BS_ERROR;
        else
            run->n_inputs++;
    }
    if (st != BS_OK) {
        free_run(run);
        return NULL;
    }
    /* Registered before any task can report. */
    pthread_mutex_lock(&s->mu);
    run->next = s->runs;
    s->runs = run;
    pthread_mutex_unlock(&s->mu);
    for (int k = 0; k < run->n_tasks && st == BS_OK; k++)
        st = send_task(run, &run->tasks[k], err);
    if (st != BS_OK) {
        dist_run_destroy(run);
        return NULL;
    }
    return run;
}

ExchangeSource *dist_run_open(DistRun *run, int fragment, Error *err)
{
    for (int k = 0; k < run->n_inputs; k++)
        if (run->input_fragment[k] == fragment) return remote_input_open(run->inputs[k], err);
    error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "the root does not read fragment %d", fragment);
    return NULL;
}

Status dist_run_status(DistRun *run, Error *err)
{
    pthread_mutex_lock(&run->mu);
    Status st = BS_OK;
    if (run->failed) {
        error_copy(err, &run->failure);
        st = BS_ERROR;
    }
    pthread_mutex_unlock(&run->mu);
    return st;
}

Status dist_run_wait(DistRun *run, const atomic_bool *cancel, Error *err)
{
    pthread_mutex_lock(&run->mu);
    while (!run->failed && run->n_done < run->n_tasks && !atomic_load(cancel)) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 50 * 1000000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&run->changed, &run->mu, &ts);
    }
    Status st = BS_OK;
    if (run->failed) {
        error_copy(err, &run->failure);
        st = BS_ERROR;
    } else if (run->n_done < run->n_tasks) {
        st = error_set(err, SQLSTATE_QUERY_CANCELED, -1, "canceling statement due to user request");
    }
    pthread_mutex_unlock(&run->mu);
    return st;
}

int dist_run_oversized(DistRun *run)
{
    pthread_mutex_lock(&run->mu);
    int f = run->oversized;
    pthread_mutex_unlock(&run->mu);
    return f;
}

void dist_run_cancel(DistRun *run, const Error *error)
{
    /* Not the run's failure: the caller reports the cancel itself. */
    for (int k = 0; k < run->n_inputs; k++)
        remote_input_fail(run->inputs[k], error);
}

void dist_run_stats(DistRun *run, Buffer *out)
{
    pthread_mutex_lock(&run->mu);
    for (int k = 0; k < run->n_tasks; k++) {
        const RemoteTask *t = &run->tasks[k];
        buffer_printf(out, "fragment %d task %d on %s: %s, %llu rows, %llu bytes out, %.3f ms\n",
                      t->fragment, t->index, t->worker->node_id,
                      !t->done                    ? "running"
                      : t->state == TASK_FINISHED ? "finished"
                                                  : "failed",
                      (unsigned long long)t->rows_out, (unsigned long long)t->bytes_out,
                      (double)t->wall_us / 1000.0);
    }
    pthread_mutex_unlock(&run->mu);
}

void dist_run_destroy(DistRun *run)
{
    if (!run) return;
    Scheduler *s = run->s;
    pthread_mutex_lock(&s->mu);
    for (DistRun **pp = &s->runs; *pp; pp = &(*pp)->next)
        if (*pp == run) {
            *pp = run->next;
            remember(s, run);
            break;
        }
    /* Every worker that got a task drops the query's tasks and pages. */
    for (int k = 0; k < run->n_tasks; k++) {
        WorkerLink *w = run->tasks[k].worker;
        bool told = false;
        for (int j = 0; j < k && !told; j++)
            told = run->tasks[j].worker == w;
        if (told || !w->up) continue;
        Buffer b;
        buffer_init(&b);
        tp_put_query_id(&b, run->query_id);
        np_send(w->conn, TP_TASK_CANCEL, &b);
    }
    pthread_mutex_unlock(&s->mu);
    free_run(run);
}
