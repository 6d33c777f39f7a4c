/*
 * Unit tests: PLAN_JOIN run by real tasks on a thread pool (exec/task.c, join_table.c,
 * op_hash_join.c, op_nested_loop_join.c). Plans are built by hand: each side of a join is
 * a PLAN_REMOTE_SOURCE whose rows the test serves (to as many drivers as the task runs),
 * the task's output goes to a sink that collects the rows as text. Results are compared
 * as sorted lines, so the tests do not depend on the order of rows.
 *
 * Covered: every join type over the same rows, with and without a residual predicate
 * (which changes the rows that count as unmatched), NULL keys, IS NOT DISTINCT FROM keys,
 * several keys of every physical type (long strings, -0.0 and NaN), duplicate build keys
 * giving more than a vector of rows from one probe chunk, empty sides, null-aware MARK
 * joins, FULL joins with several probe drivers (the last one emits the unmatched build
 * rows), a build side big enough to be indexed by several workers, nested loops, inputs
 * with selection vectors, a join probing the output of another, the memory limit, a LIMIT
 * above an endless probe side, a consumer that stops early, cancellation, invalid plans
 * and the EXPLAIN ANALYZE counters. Inputs are cut into chunks of at most a vector, so
 * the tests also run with a vector size of 2.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "exec/exec.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T_INT     type_make(TYPE_INTEGER)
#define T_BIGINT  type_make(TYPE_BIGINT)
#define T_DOUBLE  type_make(TYPE_DOUBLE)
#define T_VARCHAR type_make(TYPE_VARCHAR)
#define T_BOOL    type_make(TYPE_BOOLEAN)
#define T_DATE    type_make(TYPE_DATE)

static Arena *arena; /* plans, input chunks */
static ThreadPool *pool;
static MemTracker query; /* what tasks charge; back to 0 after each run */

static int setup(void **state)
{
    (void)state;
    Error err = ERROR_INIT;
    arena = arena_create(NULL, NULL, 0);
    pool = threadpool_create(2, &err);
    memtracker_init(&query, NULL, "query", 0);
    return arena && pool ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    threadpool_destroy(pool);
    arena_destroy(arena);
    assert_int_equal(memtracker_used(&query), 0);
    return 0;
}

/* ---- values ---------------------------------------------------------------------------- */

static Value vi(int32_t x)
{
    return value_integer(x);
}
static Value vb(int64_t x)
{
    return value_bigint(x);
}
static Value vs(const char *s)
{
    return value_varchar(s, (uint32_t)strlen(s));
}
static Value vn(LogicalType t)
{
    return value_null(t);
}

/* ---- inputs: rows served to a task as the output of a fragment ------------------------ */

/* The rows of one side: served as chunks, each to whichever driver asks first. */
typedef struct Source {
    int fragment;
    int n_cols;
    LogicalType types[8];
    Chunk **chunks;
    int n_chunks;
    atomic_int next;
    /* endless: chunks made on demand: column 0 (BIGINT) = row number % modulo, other
       BIGINT columns the row number, VARCHAR columns a long text */
    bool endless;
    int64_t modulo;
    atomic_llong made;
    int fail_after; /* > 0: the call after this many fails with XX000 */
    atomic_int calls;
} Source;

typedef struct Handle {
    ExchangeSource base;
    Source *src;
    Chunk *chunk; /* endless sources: the handle's own chunk */
} Handle;

#define MAX_HANDLES 64

typedef struct Inputs {
    TaskInputs base;
    Source **sources;
    int n_sources;
    pthread_mutex_t lock;
    Handle *handles[MAX_HANDLES];
    int n_handles;
} Inputs;

static Status fill_endless(Handle *h, Error *err)
{
    Source *s = h->src;
    Chunk *c = h->chunk;
    chunk_reset(c);
    int64_t first = atomic_fetch_add(&s->made, BASALT_VECTOR_SIZE);
    for (idx_t r = 0; r < BASALT_VECTOR_SIZE; r++) {
        int64_t row = first + (int64_t)r;
        for (int col = 0; col < s->n_cols; col++) {
            Value v;
            char text[64];
            if (s->types[col].id == TYPE_VARCHAR) {
                snprintf(text, sizeof text, "endless row number %lld", (long long)row);
                v = vs(text);
            } else {
                v = vb(col == 0 ? row % s->modulo : row);
            }
            BS_TRY(vector_set_value(&c->cols[col], r, &v, err));
        }
    }
    c->n_rows = BASALT_VECTOR_SIZE;
    return BS_OK;
}

static Status handle_next(ExchangeSource *source, Chunk **out, Future **blocked, Error *err)
{
    Handle *h = (Handle *)source;
    *blocked = NULL;
    *out = NULL;
    if (h->src->fail_after > 0 && atomic_fetch_add(&h->src->calls, 1) >= h->src->fail_after)
        return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "the test's source failed");
    if (h->src->endless) {
        BS_TRY(fill_endless(h, err));
        *out = h->chunk;
        return BS_OK;
    }
    int k = atomic_fetch_add(&h->src->next, 1);
    if (k < h->src->n_chunks) *out = h->src->chunks[k];
    return BS_OK;
}

static void handle_close(ExchangeSource *source)
{
    (void)source;
}

static ExchangeSource *inputs_open(TaskInputs *base, int fragment, Error *err)
{
    Inputs *in = (Inputs *)base;
    for (int k = 0; k < in->n_sources; k++) {
        Source *s = in->sources[k];
        if (s->fragment != fragment) continue;
        Handle *h = calloc(1, sizeof *h);
        assert_non_null(h);
        h->base.next = handle_next;
        h->base.close = handle_close;
        h->src = s;
        if (s->endless) {
            h->chunk = chunk_create(NULL, s->types, s->n_cols, err);
            assert_non_null(h->chunk);
        }
        pthread_mutex_lock(&in->lock);
        assert_true(in->n_handles < MAX_HANDLES);
        in->handles[in->n_handles++] = h;
        pthread_mutex_unlock(&in->lock);
        return &h->base;
    }
    error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "no input %d", fragment);
    return NULL;
}

/*
 * A side of n_rows rows (cells row by row), in chunks of at most `per_chunk` rows. With
 * `with_sel`, each chunk holds junk rows between the real ones and a selection vector
 * that picks the real ones.
 */
static Source *source_rows(int fragment, int n_cols, const LogicalType *types, int n_rows,
                           const Value *cells, int per_chunk, bool with_sel)
{
    Error err = ERROR_INIT;
    Source *s = arena_alloc_zero(arena, sizeof *s);
    s->fragment = fragment;
    s->n_cols = n_cols;
    memcpy(s->types, types, sizeof(LogicalType) * (size_t)n_cols);
    int cap = with_sel ? BASALT_VECTOR_SIZE / 2 : BASALT_VECTOR_SIZE;
    if (cap < 1) cap = 1;
    if (per_chunk <= 0 || per_chunk > cap) per_chunk = cap;
    int n_chunks = (n_rows + per_chunk - 1) / per_chunk;
    s->chunks = arena_alloc_zero(arena, sizeof(Chunk *) * (size_t)(n_chunks ? n_chunks : 1));
    for (int k = 0; k < n_chunks; k++) {
        Chunk *c = chunk_create(arena, types, n_cols, &err);
        assert_non_null(c);
        int first = k * per_chunk, m = n_rows - first < per_chunk ? n_rows - first : per_chunk;
        sel_t *sel = with_sel ? arena_alloc(arena, sizeof(sel_t) * (size_t)m) : NULL;
        for (int r = 0; r < m; r++) {
            idx_t at = with_sel ? (idx_t)(2 * r + 1) : (idx_t)r;
            for (int col = 0; col < n_cols; col++) {
                const Value *v = &cells[(size_t)(first + r) * (size_t)n_cols + (size_t)col];
                assert_int_equal(vector_set_value(&c->cols[col], at, v, &err), BS_OK);
                if (with_sel) {
                    /* a junk row that must never be read */
                    Value junk = vn(types[col]);
                    assert_int_equal(vector_set_value(&c->cols[col], at - 1, &junk, &err), BS_OK);
                }
            }
            if (sel) sel[r] = (sel_t)at;
        }
        c->n_rows = (idx_t)m;
        c->sel = sel;
        s->chunks[k] = c;
    }
    s->n_chunks = n_chunks;
    return s;
}

static Source *source_endless(int fragment, int n_cols, const LogicalType *types, int64_t modulo)
{
    Source *s = arena_alloc_zero(arena, sizeof *s);
    s->fragment = fragment;
    s->n_cols = n_cols;
    memcpy(s->types, types, sizeof(LogicalType) * (size_t)n_cols);
    s->endless = true;
    s->modulo = modulo;
    return s;
}

/* ---- output: the rows a task produced, as text --------------------------------------- */

typedef struct Collect {
    ExchangeSink base;
    pthread_mutex_t lock;
    bool keep_lines;
    char **lines;
    int n_lines, cap_lines;
    int64_t rows;
    int sum_col; /* -1: none */
    int64_t sum;
    int64_t stop_after;   /* > 0: finished once this many rows came */
    int64_t cancel_after; /* > 0: set *cancel once this many rows came */
    atomic_bool *cancel;
    atomic_bool finished;
} Collect;

static void value_text(const Value *v, char *buf, size_t size)
{
    if (v->is_null) {
        snprintf(buf, size, "NULL");
    } else if (v->type.id == TYPE_VARCHAR) {
        snprintf(buf, size, "%.*s", (int)v->u.str.len, v->u.str.data);
    } else {
        char tmp[VALUE_TEXT_MAX];
        format_value(v, tmp);
        snprintf(buf, size, "%s", tmp);
    }
}

static Status collect_send(ExchangeSink *sink, int partition, const Chunk *chunk, Error *err)
{
    Collect *c = (Collect *)sink;
    assert_true(chunk->n_rows <= BASALT_VECTOR_SIZE);
    pthread_mutex_lock(&c->lock);
    for (idx_t r = 0; r < chunk->n_rows; r++) {
        idx_t at = chunk->sel ? chunk->sel[r] : r;
        char line[1024];
        size_t len = 0;
        line[0] = 0;
        for (int col = 0; col < chunk->n_cols; col++) {
            Value v;
            vector_get_value(&chunk->cols[col], at, &v);
            char text[512];
            value_text(&v, text, sizeof text);
            len += (size_t)snprintf(line + len, sizeof line - len, "%s%s", col ? "|" : "", text);
            if (col == c->sum_col && !v.is_null)
                c->sum += v.type.id == TYPE_INTEGER ? v.u.i32 : v.u.i64;
        }
        if (c->keep_lines) {
            if (c->n_lines == c->cap_lines) {
                c->cap_lines = c->cap_lines ? c->cap_lines * 2 : 64;
                c->lines = realloc(c->lines, sizeof(char *) * (size_t)c->cap_lines);
                assert_non_null(c->lines);
            }
            c->lines[c->n_lines++] = strdup(line);
        }
        c->rows++;
    }
    if (c->stop_after > 0 && c->rows >= c->stop_after) atomic_store(&c->finished, true);
    if (c->cancel_after > 0 && c->rows >= c->cancel_after) atomic_store(c->cancel, true);
    pthread_mutex_unlock(&c->lock);
    return BS_OK;
}

static Future *collect_is_blocked(ExchangeSink *sink, int partition)
{
    return NULL;
}

static void collect_no_more(ExchangeSink *sink, int producer)
{
}

static bool collect_is_finished(ExchangeSink *sink)
{
    return atomic_load(&((Collect *)sink)->finished);
}

static void collect_init(Collect *c)
{
    memset(c, 0, sizeof *c);
    c->base.n_partitions = 1;
    c->base.is_blocked = collect_is_blocked;
    c->base.send = collect_send;
    c->base.no_more = collect_no_more;
    c->base.is_finished = collect_is_finished;
    pthread_mutex_init(&c->lock, NULL);
    c->keep_lines = true;
    c->sum_col = -1;
}

static void collect_free(Collect *c)
{
    for (int k = 0; k < c->n_lines; k++)
        free(c->lines[k]);
    free(c->lines);
    pthread_mutex_destroy(&c->lock);
}

/* ---- running a plan -------------------------------------------------------------------- */

/* Every test runs twice: with dense indexes where the keys allow, then hashed only. */
static bool g_hashed_only;

typedef struct RunOpts {
    int max_drivers;
    MemTracker *tracker; /* NULL: the test's query tracker */
    atomic_bool *cancel;
    Buffer *stats; /* EXPLAIN ANALYZE lines, if wanted */
} RunOpts;

/* Runs a fragment whose root is `root` to the end; its rows go to `out`. */
static Status run_plan(PlanNode *root, Source **sources, int n_sources, const RunOpts *opts,
                       Collect *out, Error *err)
{
    PlanFragment *frag = arena_alloc_zero(arena, sizeof *frag);
    frag->root = root;
    frag->consumer = -1;
    frag->n_tasks = 1;
    frag->output.kind = EXCHANGE_GATHER;
    Inputs inputs = {0};
    inputs.base.open = inputs_open;
    inputs.sources = sources;
    inputs.n_sources = n_sources;
    pthread_mutex_init(&inputs.lock, NULL);
    for (int k = 0; k < n_sources; k++) {
        atomic_store(&sources[k]->next, 0);
        atomic_store(&sources[k]->made, 0);
        atomic_store(&sources[k]->calls, 0);
    }
    TaskConfig cfg = {
        .pool = pool,
        .max_drivers = opts && opts->max_drivers ? opts->max_drivers : 2,
        .tracker = opts && opts->tracker ? opts->tracker : &query,
        .cancel = opts ? opts->cancel : NULL,
        .inputs = &inputs.base,
        .output = &out->base,
        .hashed_joins_only = g_hashed_only,
    };
    Status st = BS_ERROR;
    Task *task = task_create(frag, &cfg, err);
    if (task) {
        task_start(task);
        future_wait(task_done(task));
        st = task_result(task, err);
        if (opts && opts->stats) task_stats(task, opts->stats);
        task_destroy(task);
    }
    for (int k = 0; k < inputs.n_handles; k++) {
        chunk_destroy(inputs.handles[k]->chunk);
        free(inputs.handles[k]);
    }
    pthread_mutex_destroy(&inputs.lock);
    assert_int_equal(memtracker_used(cfg.tracker), 0);
    return st;
}

/* ---- plans ----------------------------------------------------------------------------- */

static PlanNode *new_node(PlanKind kind, int n_cols, const LogicalType *types)
{
    PlanNode *n = arena_alloc_zero(arena, sizeof *n);
    n->kind = kind;
    n->n_cols = n_cols;
    n->types = arena_alloc(arena, sizeof(LogicalType) * (size_t)(n_cols + 1));
    if (n_cols) memcpy(n->types, types, sizeof(LogicalType) * (size_t)n_cols);
    n->est_rows = -1;
    return n;
}

static PlanNode *remote(const Source *s, bool single)
{
    PlanNode *n = new_node(PLAN_REMOTE_SOURCE, s->n_cols, s->types);
    n->u.remote.fragment = s->fragment;
    n->u.remote.kind = EXCHANGE_GATHER;
    n->u.remote.single = single;
    return n;
}

static int node_ids = 100;

static PlanNode *join_node(PlanJoinType type, PlanNode *probe, PlanNode *build, int n_keys,
                           const int *pk, const int *bk, const bool *null_equal, Expr *residual,
                           bool null_aware)
{
    LogicalType types[32];
    int n = 0;
    for (int c = 0; c < probe->n_cols; c++)
        types[n++] = probe->types[c];
    if (type == PJ_MARK)
        types[n++] = T_BOOL;
    else if (type != PJ_SEMI && type != PJ_ANTI)
        for (int c = 0; c < build->n_cols; c++)
            types[n++] = build->types[c];
    PlanNode *j = new_node(PLAN_JOIN, n, types);
    j->id = node_ids++;
    j->n_children = 2;
    j->children = arena_alloc(arena, sizeof(PlanNode *) * 2);
    j->children[0] = probe;
    j->children[1] = build;
    j->u.join.type = type;
    j->u.join.n_keys = n_keys;
    j->u.join.probe_keys = arena_memdup(arena, pk ? pk : (const int[]){0},
                                        sizeof(int) * (size_t)(n_keys ? n_keys : 1));
    j->u.join.build_keys = arena_memdup(arena, bk ? bk : (const int[]){0},
                                        sizeof(int) * (size_t)(n_keys ? n_keys : 1));
    j->u.join.null_equal =
        null_equal ? arena_memdup(arena, null_equal, sizeof(bool) * (size_t)n_keys) : NULL;
    j->u.join.residual = residual;
    j->u.join.null_aware = null_aware;
    return j;
}

static PlanNode *limit_node(PlanNode *child, int64_t limit)
{
    PlanNode *n = new_node(PLAN_LIMIT, child->n_cols, child->types);
    n->n_children = 1;
    n->children = arena_alloc(arena, sizeof(PlanNode *));
    n->children[0] = child;
    n->u.limit.limit = limit;
    n->u.limit.offset = 0;
    return n;
}

static Expr *e_col(int index, LogicalType t)
{
    Expr *e = arena_alloc_zero(arena, sizeof *e);
    e->kind = EXPR_COLUMN;
    e->type = t;
    e->pos = -1;
    e->u.column.index = index;
    return e;
}

static Expr *e_const(Value v)
{
    Expr *e = arena_alloc_zero(arena, sizeof *e);
    e->kind = EXPR_CONSTANT;
    e->type = v.type;
    e->pos = -1;
    e->u.constant = v;
    return e;
}

static Expr *e_cmp(ScalarFuncId f, Expr *a, Expr *b)
{
    Expr *e = arena_alloc_zero(arena, sizeof *e);
    e->kind = EXPR_CALL;
    e->type = T_BOOL;
    e->pos = -1;
    e->u.call.func = f;
    e->u.call.n_args = 2;
    e->u.call.args = arena_alloc(arena, sizeof(Expr *) * 2);
    e->u.call.args[0] = a;
    e->u.call.args[1] = b;
    return e;
}

/* ---- checking results ------------------------------------------------------------------ */

static int compare_lines(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void expect_lines(Collect *c, const char *const *want, int n_want)
{
    if (c->n_lines) qsort(c->lines, (size_t)c->n_lines, sizeof(char *), compare_lines);
    const char **sorted = malloc(sizeof(char *) * (size_t)(n_want ? n_want : 1));
    if (n_want) memcpy(sorted, want, sizeof(char *) * (size_t)n_want);
    if (n_want) qsort(sorted, (size_t)n_want, sizeof(char *), compare_lines);
    bool same = c->n_lines == n_want;
    for (int k = 0; same && k < n_want; k++)
        same = strcmp(c->lines[k], sorted[k]) == 0;
    if (!same) {
        fprintf(stderr, "got %d lines:\n", c->n_lines);
        for (int k = 0; k < c->n_lines; k++)
            fprintf(stderr, "  %s\n", c->lines[k]);
        fprintf(stderr, "want %d lines:\n", n_want);
        for (int k = 0; k < n_want; k++)
            fprintf(stderr, "  %s\n", sorted[k]);
    }
    free(sorted);
    assert_true(same);
}

/* Runs the plan (every source parallel unless the plan says) and checks its rows. */
static void run_expect(PlanNode *root, Source **sources, int n_sources, int max_drivers,
                       const char *const *want, int n_want)
{
    Collect out;
    collect_init(&out);
    Error err = ERROR_INIT;
    RunOpts opts = {.max_drivers = max_drivers};
    Status st = run_plan(root, sources, n_sources, &opts, &out, &err);
    if (st != BS_OK) fail_msg("run: %s %s", err.sqlstate, err.message);
    expect_lines(&out, want, n_want);
    collect_free(&out);
}

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ---- the rows most tests join ---------------------------------------------------------- */

/* probe (k INTEGER, p VARCHAR); build (k INTEGER, v BIGINT) */
static const LogicalType PROBE_T[2] = {{TYPE_INTEGER, 0, 0, 0, 0}, {TYPE_VARCHAR, 0, 0, 0, 0}};
static const LogicalType BUILD_T[2] = {{TYPE_INTEGER, 0, 0, 0, 0}, {TYPE_BIGINT, 0, 0, 0, 0}};

static Source *probe_side(int fragment, bool with_sel)
{
    Value cells[] = {vi(1), vs("a"), vi(2),     vs("b"), vi(2), vs("b2"),
                     vi(3), vs("c"), vn(T_INT), vs("n"), vi(5), vs("e")};
    return source_rows(fragment, 2, PROBE_T, N(cells) / 2, cells, 2, with_sel);
}

static Source *build_side(int fragment, bool with_sel)
{
    Value cells[] = {vi(1), vb(10), vi(2), vb(20), vi(2), vb(21), vi(4), vb(40), vn(T_INT), vb(99)};
    return source_rows(fragment, 2, BUILD_T, N(cells) / 2, cells, 2, with_sel);
}

/* Joins the standard sides on k with `type` and checks the rows. */
static void check_standard(PlanJoinType type, Expr *residual, bool null_aware,
                           const char *const *want, int n_want)
{
    for (int variant = 0; variant < 4; variant++) {
        /* with and without selection vectors, one and two drivers */
        bool with_sel = variant & 1;
        int drivers = variant & 2 ? 2 : 1;
        Source *sources[2] = {probe_side(1, with_sel), build_side(2, with_sel)};
        int key = 0;
        PlanNode *j = join_node(type, remote(sources[0], false), remote(sources[1], false), 1, &key,
                                &key, NULL, residual, null_aware);
        run_expect(j, sources, 2, drivers, want, n_want);
    }
}

static void test_inner(void **state)
{
    (void)state;
    const char *want[] = {"1|a|1|10", "2|b|2|20", "2|b|2|21", "2|b2|2|20", "2|b2|2|21"};
    check_standard(PJ_INNER, NULL, false, want, N(want));
}

static void test_left(void **state)
{
    (void)state;
    const char *want[] = {"1|a|1|10",  "2|b|2|20",      "2|b|2|21",         "2|b2|2|20",
                          "2|b2|2|21", "3|c|NULL|NULL", "NULL|n|NULL|NULL", "5|e|NULL|NULL"};
    check_standard(PJ_LEFT, NULL, false, want, N(want));
}

static void test_full(void **state)
{
    (void)state;
    const char *want[] = {"1|a|1|10",       "2|b|2|20",         "2|b|2|21",         "2|b2|2|20",
                          "2|b2|2|21",      "3|c|NULL|NULL",    "NULL|n|NULL|NULL", "5|e|NULL|NULL",
                          "NULL|NULL|4|40", "NULL|NULL|NULL|99"};
    check_standard(PJ_FULL, NULL, false, want, N(want));
}

static void test_semi(void **state)
{
    (void)state;
    const char *want[] = {"1|a", "2|b", "2|b2"};
    check_standard(PJ_SEMI, NULL, false, want, N(want));
}

static void test_anti(void **state)
{
    (void)state;
    const char *want[] = {"3|c", "NULL|n", "5|e"};
    check_standard(PJ_ANTI, NULL, false, want, N(want));
}

static void test_mark(void **state)
{
    (void)state;
    const char *want[] = {"1|a|true",  "2|b|true",     "2|b2|true",
                          "3|c|false", "NULL|n|false", "5|e|false"};
    check_standard(PJ_MARK, NULL, false, want, N(want));
}

/* build.v > 20: the pairs (1, 10) and (2, 20) no longer match. */
static Expr *v_over_20(void)
{
    return e_cmp(FN_GT, e_col(3, T_BIGINT), e_const(vb(20)));
}

static void test_residual_every_type(void **state)
{
    (void)state;
    const char *inner[] = {"2|b|2|21", "2|b2|2|21"};
    check_standard(PJ_INNER, v_over_20(), false, inner, N(inner));
    const char *left[] = {"2|b|2|21",      "2|b2|2|21",        "1|a|NULL|NULL",
                          "3|c|NULL|NULL", "NULL|n|NULL|NULL", "5|e|NULL|NULL"};
    check_standard(PJ_LEFT, v_over_20(), false, left, N(left));
    const char *full[] = {
        "2|b|2|21",      "2|b2|2|21",      "1|a|NULL|NULL",  "3|c|NULL|NULL",  "NULL|n|NULL|NULL",
        "5|e|NULL|NULL", "NULL|NULL|1|10", "NULL|NULL|2|20", "NULL|NULL|4|40", "NULL|NULL|NULL|99"};
    check_standard(PJ_FULL, v_over_20(), false, full, N(full));
    const char *semi[] = {"2|b", "2|b2"};
    check_standard(PJ_SEMI, v_over_20(), false, semi, N(semi));
    const char *anti[] = {"1|a", "3|c", "NULL|n", "5|e"};
    check_standard(PJ_ANTI, v_over_20(), false, anti, N(anti));
    const char *mark[] = {"1|a|false", "2|b|true",     "2|b2|true",
                          "3|c|false", "NULL|n|false", "5|e|false"};
    check_standard(PJ_MARK, v_over_20(), false, mark, N(mark));
    /* A residual over probe and build columns: p <> 'b2' AND v < 21. */
    Expr *both = arena_alloc_zero(arena, sizeof *both);
    both->kind = EXPR_AND;
    both->type = T_BOOL;
    both->u.conj.n_args = 2;
    both->u.conj.args = arena_alloc(arena, sizeof(Expr *) * 2);
    both->u.conj.args[0] = e_cmp(FN_NE, e_col(1, T_VARCHAR), e_const(vs("b2")));
    both->u.conj.args[1] = e_cmp(FN_LT, e_col(3, T_BIGINT), e_const(vb(21)));
    const char *left2[] = {"1|a|1|10",      "2|b|2|20",         "2|b2|NULL|NULL",
                           "3|c|NULL|NULL", "NULL|n|NULL|NULL", "5|e|NULL|NULL"};
    check_standard(PJ_LEFT, both, false, left2, N(left2));
}

static void test_mark_null_aware(void **state)
{
    (void)state;
    /* The build side has a NULL key: no match is unknown; a NULL probe key is unknown. */
    const char *want[] = {"1|a|true", "2|b|true",    "2|b2|true",
                          "3|c|NULL", "NULL|n|NULL", "5|e|NULL"};
    check_standard(PJ_MARK, NULL, true, want, N(want));

    /* A build side without NULL keys: FALSE for no match, NULL only for a NULL probe key. */
    Value build[] = {vi(1), vb(10), vi(4), vb(40)};
    Source *sources[2] = {probe_side(1, false), source_rows(2, 2, BUILD_T, 2, build, 0, false)};
    int key = 0;
    PlanNode *j = join_node(PJ_MARK, remote(sources[0], false), remote(sources[1], false), 1, &key,
                            &key, NULL, NULL, true);
    const char *want2[] = {"1|a|true",  "2|b|false",   "2|b2|false",
                           "3|c|false", "NULL|n|NULL", "5|e|false"};
    run_expect(j, sources, 2, 2, want2, N(want2));

    /* An empty build side: FALSE even for a NULL probe key. */
    Source *empty[2] = {probe_side(1, false), source_rows(2, 2, BUILD_T, 0, NULL, 0, false)};
    j = join_node(PJ_MARK, remote(empty[0], false), remote(empty[1], false), 1, &key, &key, NULL,
                  NULL, true);
    const char *want3[] = {"1|a|false", "2|b|false",    "2|b2|false",
                           "3|c|false", "NULL|n|false", "5|e|false"};
    run_expect(j, empty, 2, 2, want3, N(want3));

    /* Only NULL keys on the build side. */
    Value nulls[] = {vn(T_INT), vb(1), vn(T_INT), vb(2)};
    Source *only_null[2] = {probe_side(1, true), source_rows(2, 2, BUILD_T, 2, nulls, 0, false)};
    j = join_node(PJ_MARK, remote(only_null[0], false), remote(only_null[1], false), 1, &key, &key,
                  NULL, NULL, true);
    const char *want4[] = {"1|a|NULL", "2|b|NULL",    "2|b2|NULL",
                           "3|c|NULL", "NULL|n|NULL", "5|e|NULL"};
    run_expect(j, only_null, 2, 2, want4, N(want4));
}

static void test_mark_null_aware_residual(void **state)
{
    (void)state;
    /* v > 20: the NULL-key build row (99) passes it, so every row without a match is
       unknown; (1, 10) fails it, so 1 has no match. */
    const char *want[] = {"1|a|NULL", "2|b|true",    "2|b2|true",
                          "3|c|NULL", "NULL|n|NULL", "5|e|NULL"};
    check_standard(PJ_MARK, v_over_20(), true, want, N(want));
    /* v < 50: the NULL-key build row fails it: no match is FALSE; the NULL probe key still
       meets build rows that pass. */
    Expr *under_50 = e_cmp(FN_LT, e_col(3, T_BIGINT), e_const(vb(50)));
    const char *want2[] = {"1|a|true",  "2|b|true",    "2|b2|true",
                           "3|c|false", "NULL|n|NULL", "5|e|false"};
    check_standard(PJ_MARK, under_50, true, want2, N(want2));
    /* p = 'c' (a probe column): only the row 'c' sees build rows that pass — its mark is
       unknown through the NULL-key build row; the NULL probe key 'n' sees none: FALSE. */
    Expr *is_c = e_cmp(FN_EQ, e_col(1, T_VARCHAR), e_const(vs("c")));
    const char *want3[] = {"1|a|false", "2|b|false",    "2|b2|false",
                           "3|c|NULL",  "NULL|n|false", "5|e|false"};
    check_standard(PJ_MARK, is_c, true, want3, N(want3));
}

static void test_null_equal_keys(void **state)
{
    (void)state;
    LogicalType pt[2] = {T_INT, T_VARCHAR}, bt[3] = {T_INT, T_VARCHAR, T_INT};
    Value probe[] = {vn(T_INT), vs("x"), vi(1), vs("x"), vn(T_INT), vn(T_VARCHAR), vi(2), vs("y")};
    Value build[] = {vn(T_INT), vs("x"),       vi(1), vi(1), vs("x"), vi(2),
                     vn(T_INT), vn(T_VARCHAR), vi(3), vi(2), vs("z"), vi(4)};
    int keys[2] = {0, 1};
    for (int with_sel = 0; with_sel < 2; with_sel++) {
        Source *sources[2] = {source_rows(1, 2, pt, 4, probe, 0, with_sel),
                              source_rows(2, 3, bt, 4, build, 0, with_sel)};
        /* k1 IS NOT DISTINCT FROM, k2 = */
        bool one[2] = {true, false};
        PlanNode *j = join_node(PJ_INNER, remote(sources[0], false), remote(sources[1], false), 2,
                                keys, keys, one, NULL, false);
        const char *want[] = {"NULL|x|NULL|x|1", "1|x|1|x|2"};
        run_expect(j, sources, 2, 2, want, N(want));
        /* both IS NOT DISTINCT FROM */
        bool both[2] = {true, true};
        j = join_node(PJ_INNER, remote(sources[0], false), remote(sources[1], false), 2, keys, keys,
                      both, NULL, false);
        const char *want2[] = {"NULL|x|NULL|x|1", "1|x|1|x|2", "NULL|NULL|NULL|NULL|3"};
        run_expect(j, sources, 2, 2, want2, N(want2));
        /* neither: NULLs match nothing, on either side */
        j = join_node(PJ_FULL, remote(sources[0], false), remote(sources[1], false), 2, keys, keys,
                      NULL, NULL, false);
        const char *want3[] = {
            "1|x|1|x|2",          "NULL|x|NULL|NULL|NULL", "NULL|NULL|NULL|NULL|NULL",
            "2|y|NULL|NULL|NULL", "NULL|NULL|NULL|x|1",    "NULL|NULL|NULL|NULL|3",
            "NULL|NULL|2|z|4"};
        run_expect(j, sources, 2, 2, want3, N(want3));
    }
}

static void test_multi_key_all_types(void **state)
{
    (void)state;
    /* keys: a long string, a BIGINT, a DOUBLE, a BOOLEAN, a DATE; payload INTEGER */
    LogicalType pt[5] = {T_VARCHAR, T_BIGINT, T_DOUBLE, T_BOOL, T_DATE};
    LogicalType bt[6] = {T_VARCHAR, T_BIGINT, T_DOUBLE, T_BOOL, T_DATE, T_INT};
    const char *s1 = "a string longer than twelve bytes, number one";
    const char *s2 = "a string longer than twelve bytes, number two"; /* same length, prefix */
    Value probe[] = {
        vs(s1),      vb(1), value_double(0.0),  value_boolean(true),  value_date(100),
        vs(s2),      vb(1), value_double(-0.0), value_boolean(true),  value_date(100),
        vs(s1),      vb(2), value_double(NAN),  value_boolean(false), value_date(7),
        vs(s1),      vb(1), value_double(0.0),  value_boolean(false), value_date(100),
        vs("short"), vb(3), value_double(1.5),  value_boolean(true),  value_date(-1),
    };
    Value build[] = {
        vs(s1),      vb(1), value_double(-0.0), value_boolean(true),  value_date(100), vi(1),
        vs(s2),      vb(1), value_double(0.0),  value_boolean(true),  value_date(100), vi(2),
        vs(s1),      vb(2), value_double(NAN),  value_boolean(false), value_date(7),   vi(3),
        vs(s1),      vb(2), value_double(NAN),  value_boolean(false), value_date(8),   vi(4),
        vs("short"), vb(3), value_double(1.5),  value_boolean(true),  value_date(-1),  vi(5),
        vs("shorT"), vb(3), value_double(1.5),  value_boolean(true),  value_date(-1),  vi(6),
    };
    int keys[5] = {0, 1, 2, 3, 4};
    for (int with_sel = 0; with_sel < 2; with_sel++) {
        Source *sources[2] = {source_rows(1, 5, pt, 5, probe, 2, with_sel),
                              source_rows(2, 6, bt, 6, build, 3, with_sel)};
        PlanNode *j = join_node(PJ_LEFT, remote(sources[0], false), remote(sources[1], false), 5,
                                keys, keys, NULL, NULL, false);
        char l1[256], l2[256], l3[256], l4[256], l5[256];
        snprintf(l1, sizeof l1, "%s|1|0|true|1970-04-11|%s|1|-0|true|1970-04-11|1", s1, s1);
        snprintf(l2, sizeof l2, "%s|1|-0|true|1970-04-11|%s|1|0|true|1970-04-11|2", s2, s2);
        snprintf(l3, sizeof l3, "%s|2|NaN|false|1970-01-08|%s|2|NaN|false|1970-01-08|3", s1, s1);
        snprintf(l4, sizeof l4, "%s|1|0|false|1970-04-11|NULL|NULL|NULL|NULL|NULL|NULL", s1);
        snprintf(l5, sizeof l5, "short|3|1.5|true|1969-12-31|short|3|1.5|true|1969-12-31|5");
        const char *want[] = {l1, l2, l3, l4, l5};
        run_expect(j, sources, 2, 2, want, N(want));
    }
}

static void test_duplicates_beyond_a_vector(void **state)
{
    (void)state;
    /* 3000 build rows of key 7 and 100 of other keys; probe rows 7, 7, 7, 1, 8 in one
       chunk (at full vector size): 9002 rows, most from a single probe chunk. */
    int n_build = 3100;
    Value *build = malloc(sizeof(Value) * 2 * (size_t)n_build);
    int64_t want_sum = 0;
    for (int r = 0; r < n_build; r++) {
        int64_t key = r < 3000 ? 7 : r - 3000 + 100;
        if (r == 3000) key = 1;
        if (r == 3001) key = 8;
        build[2 * r] = vb(key);
        build[2 * r + 1] = vb(r);
        if (key == 7) want_sum += 3 * (int64_t)r;
        if (key == 1 || key == 8) want_sum += r;
    }
    LogicalType bt[2] = {T_BIGINT, T_BIGINT}, pt[1] = {T_BIGINT};
    Value probe[] = {vb(7), vb(7), vb(7), vb(1), vb(8), vb(9)};
    for (int type = 0; type < 3; type++) {
        PlanJoinType jt = type == 0 ? PJ_INNER : type == 1 ? PJ_LEFT : PJ_FULL;
        Source *sources[2] = {source_rows(1, 1, pt, 6, probe, 0, false),
                              source_rows(2, 2, bt, n_build, build, 0, false)};
        int pk = 0, bk = 0;
        PlanNode *j = join_node(jt, remote(sources[0], true), remote(sources[1], false), 1, &pk,
                                &bk, NULL, NULL, false);
        Collect out;
        collect_init(&out);
        out.keep_lines = false;
        out.sum_col = 2;
        Error err = ERROR_INIT;
        RunOpts opts = {.max_drivers = 2};
        assert_int_equal(run_plan(j, sources, 2, &opts, &out, &err), BS_OK);
        /* LEFT adds 9 padded; FULL also adds the 98 build rows of keys 100.. */
        int64_t rows = 9002 + (jt != PJ_INNER) + (jt == PJ_FULL ? 98 : 0);
        int64_t sum = want_sum;
        if (jt == PJ_FULL)
            for (int r = 3002; r < n_build; r++)
                sum += r;
        assert_int_equal(out.rows, rows);
        assert_int_equal(out.sum, sum);
        collect_free(&out);
    }
    /* With a residual that keeps every other duplicate. */
    Source *sources[2] = {source_rows(1, 1, pt, 6, probe, 0, false),
                          source_rows(2, 2, bt, n_build, build, 0, false)};
    int pk = 0, bk = 0;
    Expr *res = e_cmp(FN_LT, e_col(2, T_BIGINT), e_const(vb(1500)));
    PlanNode *j = join_node(PJ_INNER, remote(sources[0], true), remote(sources[1], false), 1, &pk,
                            &bk, NULL, res, false);
    Collect out;
    collect_init(&out);
    out.keep_lines = false;
    out.sum_col = 2;
    Error err = ERROR_INIT;
    assert_int_equal(run_plan(j, sources, 2, NULL, &out, &err), BS_OK);
    assert_int_equal(out.rows, 3 * 1500);
    assert_int_equal(out.sum, 3 * (int64_t)1499 * 1500 / 2);
    collect_free(&out);
    free(build);
}

static void test_empty_build(void **state)
{
    (void)state;
    for (int keyed = 0; keyed < 2; keyed++) {
        int key = 0;
        for (int t = 0; t < PJ_COUNT_; t++) {
            Source *sources[2] = {probe_side(1, false),
                                  source_rows(2, 2, BUILD_T, 0, NULL, 0, false)};
            PlanNode *j =
                join_node((PlanJoinType)t, remote(sources[0], false), remote(sources[1], false),
                          keyed, &key, &key, NULL, NULL, false);
            const char *none[1] = {NULL};
            const char *padded[] = {"1|a|NULL|NULL", "2|b|NULL|NULL",    "2|b2|NULL|NULL",
                                    "3|c|NULL|NULL", "NULL|n|NULL|NULL", "5|e|NULL|NULL"};
            const char *all[] = {"1|a", "2|b", "2|b2", "3|c", "NULL|n", "5|e"};
            const char *marks[] = {"1|a|false", "2|b|false",    "2|b2|false",
                                   "3|c|false", "NULL|n|false", "5|e|false"};
            switch ((PlanJoinType)t) {
            case PJ_INNER:
            case PJ_SEMI:
                run_expect(j, sources, 2, 2, none, 0);
                break;
            case PJ_LEFT:
            case PJ_FULL:
                run_expect(j, sources, 2, 2, padded, N(padded));
                break;
            case PJ_ANTI:
                run_expect(j, sources, 2, 2, all, N(all));
                break;
            case PJ_MARK:
                run_expect(j, sources, 2, 2, marks, N(marks));
                break;
            case PJ_COUNT_:
                break;
            }
        }
    }
}

static void test_empty_probe(void **state)
{
    (void)state;
    for (int keyed = 0; keyed < 2; keyed++) {
        int key = 0;
        for (int t = 0; t < PJ_COUNT_; t++) {
            Source *sources[2] = {source_rows(1, 2, PROBE_T, 0, NULL, 0, false),
                                  build_side(2, false)};
            PlanNode *j =
                join_node((PlanJoinType)t, remote(sources[0], false), remote(sources[1], false),
                          keyed, &key, &key, NULL, NULL, t == PJ_MARK && keyed);
            const char *build_rows[] = {"NULL|NULL|1|10", "NULL|NULL|2|20", "NULL|NULL|2|21",
                                        "NULL|NULL|4|40", "NULL|NULL|NULL|99"};
            if (t == PJ_FULL)
                run_expect(j, sources, 2, 2, build_rows, N(build_rows));
            else
                run_expect(j, sources, 2, 2, NULL, 0);
        }
    }
}

static void test_full_two_probe_drivers(void **state)
{
    (void)state;
    /* Probe keys 0..499 in many chunks read by 2 drivers; build keys 250..749: build rows
       500..749 match nothing and must come out exactly once. */
    LogicalType pt[1] = {T_BIGINT}, bt[2] = {T_BIGINT, T_BIGINT};
    Value probe[500], build[1000];
    for (int r = 0; r < 500; r++) {
        probe[r] = vb(r);
        build[2 * r] = vb(250 + r);
        build[2 * r + 1] = vb(1000 + r);
    }
    for (int rep = 0; rep < 20; rep++) {
        Source *sources[2] = {source_rows(1, 1, pt, 500, probe, 7, rep & 1),
                              source_rows(2, 2, bt, 500, build, 13, false)};
        int key = 0;
        PlanNode *j = join_node(PJ_FULL, remote(sources[0], false), remote(sources[1], false), 1,
                                &key, &key, NULL, NULL, false);
        Collect out;
        collect_init(&out);
        Error err = ERROR_INIT;
        RunOpts opts = {.max_drivers = 2};
        assert_int_equal(run_plan(j, sources, 2, &opts, &out, &err), BS_OK);
        assert_int_equal(out.n_lines, 750);
        qsort(out.lines, (size_t)out.n_lines, sizeof(char *), compare_lines);
        int padded_probe = 0, padded_build = 0, pairs = 0;
        for (int k = 0; k < out.n_lines; k++) {
            if (k) assert_string_not_equal(out.lines[k], out.lines[k - 1]); /* no duplicates */
            if (strncmp(out.lines[k], "NULL|", 5) == 0)
                padded_build++;
            else if (strstr(out.lines[k], "|NULL|NULL"))
                padded_probe++;
            else
                pairs++;
        }
        assert_int_equal(pairs, 250);
        assert_int_equal(padded_probe, 250);
        assert_int_equal(padded_build, 250);
        collect_free(&out);
    }
}

static void test_parallel_index(void **state)
{
    (void)state;
    /* Enough build rows for several blocks, so two workers index them; every key four
       times, the duplicates in different blocks. */
    int n_build = 8 * BASALT_VECTOR_SIZE + 1000, n_keys = n_build / 4;
    LogicalType bt[2] = {T_BIGINT, T_BIGINT}, pt[1] = {T_BIGINT};
    Value *build = malloc(sizeof(Value) * 2 * (size_t)n_build);
    Value *probe = malloc(sizeof(Value) * (size_t)(n_keys + 500));
    for (int r = 0; r < n_build; r++) {
        build[2 * r] = vb(r % n_keys);
        build[2 * r + 1] = vb(r);
    }
    for (int r = 0; r < n_keys + 500; r++)
        probe[r] = vb(r);
    int64_t sum_all = (int64_t)(n_build - 1) * n_build / 2;
    int64_t covered = (int64_t)n_keys * 4;
    struct {
        PlanJoinType type;
        int64_t rows, sum;
    } cases[] = {
        {PJ_INNER, covered, (int64_t)(covered - 1) * covered / 2},
        {PJ_LEFT, covered + 500, (int64_t)(covered - 1) * covered / 2},
        {PJ_FULL, n_build + 500, sum_all},
        {PJ_SEMI, n_keys, (int64_t)(n_keys - 1) * n_keys / 2},
        {PJ_ANTI, 500, 0},
    };
    for (size_t c = 0; c < BS_ARRAY_LEN(cases); c++) {
        Source *sources[2] = {source_rows(1, 1, pt, n_keys + 500, probe, 0, false),
                              source_rows(2, 2, bt, n_build, build, 0, false)};
        int key = 0;
        PlanNode *j = join_node(cases[c].type, remote(sources[0], false), remote(sources[1], false),
                                1, &key, &key, NULL, NULL, false);
        Collect out;
        collect_init(&out);
        out.keep_lines = false;
        out.sum_col = cases[c].type == PJ_SEMI || cases[c].type == PJ_ANTI ? 0 : 2;
        Error err = ERROR_INIT;
        RunOpts opts = {.max_drivers = 2};
        assert_int_equal(run_plan(j, sources, 2, &opts, &out, &err), BS_OK);
        assert_int_equal(out.rows, cases[c].rows);
        if (cases[c].type == PJ_ANTI) {
            int64_t s = 0;
            for (int r = n_keys; r < n_keys + 500; r++)
                s += r;
            assert_int_equal(out.sum, s);
        } else {
            assert_int_equal(out.sum, cases[c].sum);
        }
        collect_free(&out);
    }
    free(build);
    free(probe);
}

static void test_many_keys(void **state)
{
    (void)state;
    /* Distinct keys of each type, a small index (in cache) and a big one (probed with
       prefetching); the probe side has every key and as many that miss. */
    LogicalType key_types[3] = {T_INT, T_BIGINT, T_VARCHAR};
    int sizes[2] = {5000, 100000};
    for (int t = 0; t < 3; t++) {
        for (int z = 0; z < 2; z++) {
            int n = sizes[z];
            LogicalType bt[2] = {key_types[t], T_BIGINT}, pt[1] = {key_types[t]};
            Value *build = malloc(sizeof(Value) * 2 * (size_t)n);
            Value *probe = malloc(sizeof(Value) * 2 * (size_t)n);
            char *text = malloc(32 * 2 * (size_t)n);
            for (int r = 0; r < 2 * n; r++) {
                int64_t key = r / 2 * 7 + (r & 1); /* odd rows miss */
                if (t == 2) {
                    snprintf(text + 32 * r, 32, "key %lld, a long string", (long long)key);
                    probe[r] = vs(text + 32 * r);
                } else {
                    probe[r] = t == 0 ? vi((int32_t)key) : vb(key);
                }
                if (r & 1) continue;
                build[r] = probe[r];
                build[r + 1] = vb(r / 2);
            }
            Source *sources[2] = {source_rows(1, 1, pt, 2 * n, probe, 0, false),
                                  source_rows(2, 2, bt, n, build, 0, false)};
            int key = 0;
            PlanNode *j = join_node(PJ_INNER, remote(sources[0], false), remote(sources[1], false),
                                    1, &key, &key, NULL, NULL, false);
            Collect out;
            collect_init(&out);
            out.keep_lines = false;
            out.sum_col = 2;
            Error err = ERROR_INIT;
            assert_int_equal(run_plan(j, sources, 2, NULL, &out, &err), BS_OK);
            assert_int_equal(out.rows, n);
            assert_int_equal(out.sum, (int64_t)(n - 1) * n / 2);
            collect_free(&out);
            free(build);
            free(probe);
            free(text);
        }
    }
}

static void test_nested_loop(void **state)
{
    (void)state;
    LogicalType pt[1] = {T_INT}, bt[1] = {T_INT};
    Value probe[] = {vi(1), vi(2), vi(3), vn(T_INT)};
    Value build[] = {vi(2), vi(3), vi(4)};
    for (int with_sel = 0; with_sel < 2; with_sel++) {
        Source *sources[2] = {source_rows(1, 1, pt, 4, probe, 3, with_sel),
                              source_rows(2, 1, bt, 3, build, 2, with_sel)};
        PlanNode *p = remote(sources[0], false), *b = remote(sources[1], false);
        /* a cross join */
        const char *cross[] = {"1|2", "1|3", "1|4", "2|2",    "2|3",    "2|4",
                               "3|2", "3|3", "3|4", "NULL|2", "NULL|3", "NULL|4"};
        run_expect(join_node(PJ_INNER, p, b, 0, NULL, NULL, NULL, NULL, false), sources, 2, 2,
                   cross, N(cross));
        /* a > b */
        Expr *gt = e_cmp(FN_GT, e_col(0, T_INT), e_col(1, T_INT));
        const char *inner[] = {"3|2"};
        run_expect(join_node(PJ_INNER, p, b, 0, NULL, NULL, NULL, gt, false), sources, 2, 2, inner,
                   N(inner));
        const char *left[] = {"3|2", "1|NULL", "2|NULL", "NULL|NULL"};
        run_expect(join_node(PJ_LEFT, p, b, 0, NULL, NULL, NULL, gt, false), sources, 2, 2, left,
                   N(left));
        const char *full[] = {"3|2", "1|NULL", "2|NULL", "NULL|NULL", "NULL|3", "NULL|4"};
        run_expect(join_node(PJ_FULL, p, b, 0, NULL, NULL, NULL, gt, false), sources, 2, 2, full,
                   N(full));
        const char *semi[] = {"3"};
        run_expect(join_node(PJ_SEMI, p, b, 0, NULL, NULL, NULL, gt, false), sources, 2, 2, semi,
                   N(semi));
        const char *anti[] = {"1", "2", "NULL"};
        run_expect(join_node(PJ_ANTI, p, b, 0, NULL, NULL, NULL, gt, false), sources, 2, 2, anti,
                   N(anti));
        const char *mark[] = {"1|false", "2|false", "3|true", "NULL|false"};
        run_expect(join_node(PJ_MARK, p, b, 0, NULL, NULL, NULL, gt, false), sources, 2, 2, mark,
                   N(mark));
        /* no residual */
        const char *semi_all[] = {"1", "2", "3", "NULL"};
        run_expect(join_node(PJ_SEMI, p, b, 0, NULL, NULL, NULL, NULL, false), sources, 2, 2,
                   semi_all, N(semi_all));
        run_expect(join_node(PJ_ANTI, p, b, 0, NULL, NULL, NULL, NULL, false), sources, 2, 2, NULL,
                   0);
        const char *mark_all[] = {"1|true", "2|true", "3|true", "NULL|true"};
        run_expect(join_node(PJ_MARK, p, b, 0, NULL, NULL, NULL, NULL, false), sources, 2, 2,
                   mark_all, N(mark_all));
    }
    /* A product of more than a vector of rows per probe chunk: 300 × 300. */
    Value many[300];
    for (int r = 0; r < 300; r++)
        many[r] = vi(r);
    Source *sources[2] = {source_rows(1, 1, pt, 300, many, 0, false),
                          source_rows(2, 1, bt, 300, many, 0, false)};
    Collect out;
    collect_init(&out);
    out.keep_lines = false;
    out.sum_col = 1;
    Error err = ERROR_INIT;
    PlanNode *j = join_node(PJ_INNER, remote(sources[0], false), remote(sources[1], false), 0, NULL,
                            NULL, NULL, NULL, false);
    assert_int_equal(run_plan(j, sources, 2, NULL, &out, &err), BS_OK);
    assert_int_equal(out.rows, 90000);
    assert_int_equal(out.sum, 300 * (int64_t)299 * 300 / 2);
    collect_free(&out);
    /* SEMI with a residual true for one build row per probe row: a + b = 299 */
    collect_init(&out);
    out.keep_lines = false;
    out.sum_col = 0;
    Expr *sum = arena_alloc_zero(arena, sizeof *sum);
    sum->kind = EXPR_CALL;
    sum->type = T_INT;
    sum->u.call.func = FN_ADD;
    sum->u.call.n_args = 2;
    sum->u.call.args = arena_alloc(arena, sizeof(Expr *) * 2);
    sum->u.call.args[0] = e_col(0, T_INT);
    sum->u.call.args[1] = e_col(1, T_INT);
    j = join_node(PJ_SEMI, remote(sources[0], false), remote(sources[1], false), 0, NULL, NULL,
                  NULL, e_cmp(FN_EQ, sum, e_const(vi(299))), false);
    assert_int_equal(run_plan(j, sources, 2, NULL, &out, &err), BS_OK);
    assert_int_equal(out.rows, 300);
    assert_int_equal(out.sum, (int64_t)299 * 300 / 2);
    collect_free(&out);
}

static void test_join_of_a_join(void **state)
{
    (void)state;
    /* (probe ⋈ build) ⋈ third: the probe pipeline waits for two build pipelines. */
    LogicalType tt[2] = {T_BIGINT, T_VARCHAR};
    Value third[] = {vb(10),     vs("ten, a string long enough"), vb(21), vs("twenty-one"), vb(99),
                     vs("never")};
    Source *sources[3] = {probe_side(1, false), build_side(2, true),
                          source_rows(3, 2, tt, 3, third, 1, false)};
    int key = 0, v = 3;
    PlanNode *inner = join_node(PJ_INNER, remote(sources[0], false), remote(sources[1], false), 1,
                                &key, &key, NULL, NULL, false);
    PlanNode *outer =
        join_node(PJ_LEFT, inner, remote(sources[2], false), 1, &v, &key, NULL, NULL, false);
    const char *want[] = {"1|a|1|10|10|ten, a string long enough", "2|b|2|20|NULL|NULL",
                          "2|b|2|21|21|twenty-one", "2|b2|2|20|NULL|NULL",
                          "2|b2|2|21|21|twenty-one"};
    run_expect(outer, sources, 3, 2, want, N(want));
}

static void test_memory_limit(void **state)
{
    (void)state;
    /* An endless build side: its rows reach the query's limit, hashed or not. */
    LogicalType pt[1] = {T_BIGINT}, bt[2] = {T_BIGINT, T_VARCHAR};
    Value probe[] = {vb(1), vb(2), vb(3)};
    for (int keyed = 0; keyed < 2; keyed++) {
        MemTracker limited;
        memtracker_init(&limited, &query, "query", 8 << 20);
        Source *sources[2] = {source_rows(1, 1, pt, 3, probe, 0, false),
                              source_endless(2, 2, bt, INT64_MAX)};
        int key = 0;
        Expr *res = keyed ? NULL : e_cmp(FN_EQ, e_col(1, T_BIGINT), e_const(vb(1)));
        PlanNode *j = join_node(PJ_INNER, remote(sources[0], false), remote(sources[1], false),
                                keyed, &key, &key, NULL, res, false);
        Collect out;
        collect_init(&out);
        Error err = ERROR_INIT;
        RunOpts opts = {.max_drivers = 2, .tracker = &limited};
        assert_int_equal(run_plan(j, sources, 2, &opts, &out, &err), BS_ERROR);
        assert_string_equal(err.sqlstate, SQLSTATE_OUT_OF_MEMORY);
        error_clear(&err);
        assert_int_equal(out.rows, 0);
        collect_free(&out);
        assert_int_equal(memtracker_used(&limited), 0);
    }
    /* The index over the limit: a build side that fits, whose slots do not. */
    MemTracker limited;
    int n_build = 20000;
    Value *build = malloc(sizeof(Value) * (size_t)n_build);
    for (int r = 0; r < n_build; r++)
        build[r] = vb(r);
    Source *sources[2] = {source_rows(1, 1, pt, 10, build, 0, false),
                          source_rows(2, 1, pt, n_build, build, 0, false)};
    int key = 0;
    PlanNode *j = join_node(PJ_INNER, remote(sources[0], false), remote(sources[1], false), 1, &key,
                            &key, NULL, NULL, false);
    /* Without a limit the join works: its peak is with the index (65536 slots, 512 kB). */
    Collect out;
    collect_init(&out);
    Error err = ERROR_INIT;
    memtracker_init(&limited, &query, "query", 0);
    RunOpts opts = {.max_drivers = 2, .tracker = &limited};
    assert_int_equal(run_plan(j, sources, 2, &opts, &out, &err), BS_OK);
    assert_int_equal(out.rows, 10);
    collect_free(&out);
    /* Half the index (256 kB) below the peak: whatever else is held at the peak varies with
       scheduling by more than 128 kB (the test once passed at load 15 under ASan). */
    int64_t peak = atomic_load(&limited.peak);
    memtracker_init(&limited, &query, "query", peak - 256 * 1024);
    collect_init(&out);
    assert_int_equal(run_plan(j, sources, 2, &opts, &out, &err), BS_ERROR);
    assert_string_equal(err.sqlstate, SQLSTATE_OUT_OF_MEMORY);
    error_clear(&err);
    assert_int_equal(out.rows, 0);
    collect_free(&out);
    assert_int_equal(memtracker_used(&limited), 0);
    free(build);
}

static void test_limit_stops_endless_probe(void **state)
{
    (void)state;
    /* LIMIT 10 above a join whose probe side never ends: the task must finish. */
    LogicalType pt[1] = {T_BIGINT}, bt[2] = {T_BIGINT, T_BIGINT};
    Value build[200];
    for (int r = 0; r < 100; r++) {
        build[2 * r] = vb(r);
        build[2 * r + 1] = vb(r * 10);
    }
    PlanJoinType types[] = {PJ_INNER, PJ_LEFT, PJ_FULL, PJ_SEMI, PJ_ANTI, PJ_MARK};
    for (size_t t = 0; t < BS_ARRAY_LEN(types); t++) {
        for (int single = 0; single < 2; single++) {
            Source *sources[2] = {source_endless(1, 1, pt, 200),
                                  source_rows(2, 2, bt, 100, build, 0, false)};
            int key = 0;
            PlanNode *j = join_node(types[t], remote(sources[0], single), remote(sources[1], false),
                                    1, &key, &key, NULL, NULL, false);
            Collect out;
            collect_init(&out);
            Error err = ERROR_INIT;
            RunOpts opts = {.max_drivers = 2};
            assert_int_equal(run_plan(limit_node(j, 10), sources, 2, &opts, &out, &err), BS_OK);
            /* each probe driver has its own LIMIT */
            if (single)
                assert_int_equal(out.rows, 10);
            else
                assert_true(out.rows >= 10 && out.rows <= 20);
            /* FULL: no build row is reported unmatched, since the probe side was cut short
               (probe keys are never NULL: a line starting with NULL pads a build row) */
            for (int k = 0; k < out.n_lines; k++)
                assert_true(strncmp(out.lines[k], "NULL|", 5) != 0);
            collect_free(&out);
        }
    }
}

static void test_consumer_stops_and_cancel(void **state)
{
    (void)state;
    LogicalType pt[1] = {T_BIGINT}, bt[2] = {T_BIGINT, T_BIGINT};
    Value build[200];
    for (int r = 0; r < 100; r++) {
        build[2 * r] = vb(r);
        build[2 * r + 1] = vb(r);
    }
    int key = 0;
    /* The consumer needs no more rows after 5000: drivers stop. */
    Source *sources[2] = {source_endless(1, 1, pt, 100),
                          source_rows(2, 2, bt, 100, build, 0, false)};
    PlanNode *j = join_node(PJ_INNER, remote(sources[0], false), remote(sources[1], false), 1, &key,
                            &key, NULL, NULL, false);
    Collect out;
    collect_init(&out);
    out.keep_lines = false;
    out.stop_after = 5000;
    Error err = ERROR_INIT;
    assert_int_equal(run_plan(j, sources, 2, NULL, &out, &err), BS_OK);
    assert_true(out.rows >= 5000);
    collect_free(&out);
    /* Cancelled halfway: 57014. A nested loop whose residual never holds, too. */
    for (int nl = 0; nl < 2; nl++) {
        atomic_bool cancel = false;
        collect_init(&out);
        out.keep_lines = false;
        out.cancel = &cancel;
        out.cancel_after = 3000;
        Expr *never = e_cmp(FN_LT, e_col(1, T_BIGINT), e_const(vb(-1)));
        j = nl ? join_node(PJ_LEFT, remote(sources[0], false), remote(sources[1], false), 0, NULL,
                           NULL, NULL, never, false)
               : j;
        RunOpts opts = {.max_drivers = 2, .cancel = &cancel};
        assert_int_equal(run_plan(j, sources, 2, &opts, &out, &err), BS_ERROR);
        assert_string_equal(err.sqlstate, SQLSTATE_QUERY_CANCELED);
        error_clear(&err);
        collect_free(&out);
    }
}

static void test_failure_while_indexing(void **state)
{
    (void)state;
    /* (probe ⋈ big) ⋈ failing: the failing side's pipeline runs alongside the big side's
       and fails at various points, also while the big side's index is being built by the
       pool's workers; the task must end with that error and free everything. */
    int n_big = 60000;
    LogicalType bt[2] = {T_BIGINT, T_BIGINT}, pt[1] = {T_BIGINT};
    Value *big = malloc(sizeof(Value) * 2 * (size_t)n_big);
    for (int r = 0; r < n_big; r++) {
        big[2 * r] = vb(r);
        big[2 * r + 1] = vb(r);
    }
    Value probe[] = {vb(1), vb(2), vb(3)};
    for (int fail_after = 1; fail_after < 400; fail_after = fail_after * 3 / 2 + 1) {
        Source *sources[3] = {source_rows(1, 1, pt, 3, probe, 0, false),
                              source_rows(2, 2, bt, n_big, big, 0, false),
                              source_endless(3, 1, pt, 1000)};
        sources[2]->fail_after = fail_after;
        int key = 0;
        PlanNode *inner = join_node(PJ_INNER, remote(sources[0], false), remote(sources[1], false),
                                    1, &key, &key, NULL, NULL, false);
        PlanNode *outer =
            join_node(PJ_INNER, inner, remote(sources[2], false), 1, &key, &key, NULL, NULL, false);
        Collect out;
        collect_init(&out);
        Error err = ERROR_INIT;
        assert_int_equal(run_plan(outer, sources, 3, NULL, &out, &err), BS_ERROR);
        assert_string_equal(err.sqlstate, SQLSTATE_INTERNAL_ERROR);
        assert_non_null(strstr(err.message, "the test's source failed"));
        error_clear(&err);
        collect_free(&out);
    }
    free(big);
}

static void expect_invalid(PlanNode *j, Source **sources)
{
    Collect out;
    collect_init(&out);
    Error err = ERROR_INIT;
    assert_int_equal(run_plan(j, sources, 2, NULL, &out, &err), BS_ERROR);
    assert_string_equal(err.sqlstate, SQLSTATE_INTERNAL_ERROR);
    assert_non_null(strstr(err.message, "invalid plan"));
    error_clear(&err);
    collect_free(&out);
}

static void test_invalid_plans(void **state)
{
    (void)state;
    Source *sources[2] = {probe_side(1, false), build_side(2, false)};
    PlanNode *p = remote(sources[0], false), *b = remote(sources[1], false);
    int key = 0, bad = 5, text = 1;
    expect_invalid(join_node(PJ_INNER, p, b, 1, &bad, &key, NULL, NULL, false), sources);
    expect_invalid(join_node(PJ_INNER, p, b, 1, &key, &bad, NULL, NULL, false), sources);
    /* INTEGER = VARCHAR */
    expect_invalid(join_node(PJ_INNER, p, b, 1, &text, &key, NULL, NULL, false), sources);
    /* null-aware only for MARK with one key */
    expect_invalid(join_node(PJ_SEMI, p, b, 1, &key, &key, NULL, NULL, true), sources);
    expect_invalid(join_node(PJ_MARK, p, b, 0, NULL, NULL, NULL, NULL, true), sources);
    /* output columns that do not match the join type */
    PlanNode *j = join_node(PJ_INNER, p, b, 1, &key, &key, NULL, NULL, false);
    j->types[3] = T_INT;
    expect_invalid(j, sources);
    j = join_node(PJ_SEMI, p, b, 1, &key, &key, NULL, NULL, false);
    j->n_cols = 3;
    expect_invalid(j, sources);
    j = join_node(PJ_MARK, p, b, 1, &key, &key, NULL, NULL, false);
    j->types[2] = T_INT;
    expect_invalid(j, sources);
    /* a residual that is not boolean, or reads a column that is not there */
    expect_invalid(join_node(PJ_INNER, p, b, 1, &key, &key, NULL, e_col(3, T_BIGINT), false),
                   sources);
    expect_invalid(join_node(PJ_INNER, p, b, 1, &key, &key, NULL,
                             e_cmp(FN_LT, e_col(7, T_BIGINT), e_const(vb(1))), false),
                   sources);
    j = join_node(PJ_INNER, p, b, 1, &key, &key, NULL, NULL, false);
    j->u.join.type = PJ_COUNT_;
    expect_invalid(j, sources);
}

static void test_explain_counters(void **state)
{
    (void)state;
    Source *sources[2] = {probe_side(1, false), build_side(2, false)};
    int key = 0;
    PlanNode *j = join_node(PJ_FULL, remote(sources[0], false), remote(sources[1], false), 1, &key,
                            &key, NULL, NULL, false);
    Collect out;
    collect_init(&out);
    Error err = ERROR_INIT;
    Buffer stats;
    buffer_init(&stats);
    RunOpts opts = {.max_drivers = 2, .stats = &stats};
    assert_int_equal(run_plan(j, sources, 2, &opts, &out, &err), BS_OK);
    buffer_terminate(&stats);
    const char *text = (const char *)stats.data;
    assert_non_null(strstr(text, "HashJoinBuild"));
    assert_non_null(strstr(text, "build rows 5"));
    /* keys 1, 2, 2, 4: a dense index over 1..4, or 32 hashed slots (a quarter full) */
    assert_non_null(strstr(text, g_hashed_only ? "hash slots 32" : "dense slots 4"));
    assert_non_null(strstr(text, "HashJoinProbe"));
    assert_non_null(strstr(text, "probe rows 6"));
    assert_non_null(strstr(text, "matches 5"));
    assert_non_null(strstr(text, "unmatched build rows 2"));
    buffer_free(&stats);
    collect_free(&out);
    /* A nested loop names itself. */
    j = join_node(PJ_INNER, remote(sources[0], false), remote(sources[1], false), 0, NULL, NULL,
                  NULL, NULL, false);
    collect_init(&out);
    buffer_init(&stats);
    assert_int_equal(run_plan(j, sources, 2, &opts, &out, &err), BS_OK);
    buffer_terminate(&stats);
    assert_non_null(strstr((const char *)stats.data, "NestedLoopJoin"));
    assert_non_null(strstr((const char *)stats.data, "candidate pairs 30"));
    assert_int_equal(out.rows, 30);
    buffer_free(&stats);
    collect_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_inner),
        cmocka_unit_test(test_left),
        cmocka_unit_test(test_full),
        cmocka_unit_test(test_semi),
        cmocka_unit_test(test_anti),
        cmocka_unit_test(test_mark),
        cmocka_unit_test(test_residual_every_type),
        cmocka_unit_test(test_mark_null_aware),
        cmocka_unit_test(test_mark_null_aware_residual),
        cmocka_unit_test(test_null_equal_keys),
        cmocka_unit_test(test_multi_key_all_types),
        cmocka_unit_test(test_duplicates_beyond_a_vector),
        cmocka_unit_test(test_empty_build),
        cmocka_unit_test(test_empty_probe),
        cmocka_unit_test(test_full_two_probe_drivers),
        cmocka_unit_test(test_parallel_index),
        cmocka_unit_test(test_many_keys),
        cmocka_unit_test(test_nested_loop),
        cmocka_unit_test(test_join_of_a_join),
        cmocka_unit_test(test_memory_limit),
        cmocka_unit_test(test_limit_stops_endless_probe),
        cmocka_unit_test(test_consumer_stops_and_cancel),
        cmocka_unit_test(test_failure_while_indexing),
        cmocka_unit_test(test_invalid_plans),
        cmocka_unit_test(test_explain_counters),
    };
    int failed = cmocka_run_group_tests_name("dense indexes where they fit", tests, setup,
                                             teardown);
    g_hashed_only = true;
    failed += cmocka_run_group_tests_name("hashed indexes only", tests, setup, teardown);
    return failed;
}
