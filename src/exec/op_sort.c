/*
 * op_sort.c — Sort, as a pair of operators around a shared state:
 *
 *   SortSink (one per driver of the input pipeline) copies its rows into chunks it owns;
 *   every SORT_RUN_ROWS rows it sorts references to them (chunk, row) into a run, so no
 *   single sort step is long (the task can stop between them) and runs stay cache-sized.
 *   SortSource (started when every sink is done) merges the runs with a heap and gathers
 *   rows into output chunks in order. It runs as several drivers, each merging one range
 *   of keys: the first to start samples the runs, picks splitters at even quantiles of
 *   the samples and cuts every run at them by binary search (rows equal to a splitter go
 *   to the range below it, so equal keys stay together). Driver k emits range k in
 *   order; an ordered gather above puts the ranges one after the other.
 *
 * NULLs sort first or last per key as the plan says; doubles put NaN above every number;
 * strings compare bytewise; intervals by their span ('1 mon' = '30 days'). Ties are broken by
 * arrival order, so equal keys keep their input order within a run.
 */
#include "exec/sort_int.h"
#include "common/array.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Rows per sorted run. */
#define SORT_RUN_ROWS (128 * 1024)

BreakerState *sort_shared_create(Task *task, const PlanNode *node, Error *err)
{
    BreakerState *s = bs_calloc(1, sizeof *s);
    if (!s) {
        error_oom(err);
        return NULL;
    }
    s->node = node;
    pthread_mutex_init(&s->lock, NULL);
    memtracker_init(&s->tracker, task_tracker(task), "Sort", 0);
    s->arena = arena_create(NULL, &s->tracker, 0);
    if (!s->arena) {
        sort_shared_destroy(s);
        error_oom(err);
        return NULL;
    }
    return s;
}

void sort_shared_destroy(BreakerState *s)
{
    if (!s) return;
    arena_destroy(s->arena);
    bs_free(s->runs);
    pthread_mutex_destroy(&s->lock);
    bs_free(s);
}

int compare_values_at(LogicalType type, const UnifiedVector *a, sel_t ra, const UnifiedVector *b,
                      sel_t rb, bool nulls_first)
{
    bool va = validity_get(a->validity, ra), vb = validity_get(b->validity, rb);
    if (!va || !vb) {
        if (va == vb) return 0;
        return (!va ? -1 : 1) * (nulls_first ? 1 : -1);
    }
    switch (type_physical(type)) {
    case PHYS_BOOL: {
        uint8_t x = ((const uint8_t *)a->data)[ra], y = ((const uint8_t *)b->data)[rb];
        return (x > y) - (x < y);
    }
    case PHYS_INT32: {
        int32_t x = ((const int32_t *)a->data)[ra], y = ((const int32_t *)b->data)[rb];
        return (x > y) - (x < y);
    }
    case PHYS_INT64: {
        int64_t x = ((const int64_t *)a->data)[ra], y = ((const int64_t *)b->data)[rb];
        return (x > y) - (x < y);
    }
    case PHYS_DOUBLE: {
        double x = ((const double *)a->data)[ra], y = ((const double *)b->data)[rb];
        if (isnan(x) || isnan(y)) return isnan(x) - isnan(y);
        return (x > y) - (x < y);
    }
    case PHYS_STRING: {
        const StringView *x = &((const StringView *)a->data)[ra];
        const StringView *y = &((const StringView *)b->data)[rb];
        if (type.id == TYPE_ARRAY) return array_compare(type, sv_data(x), x->len, sv_data(y), y->len);
        return sv_compare(x, y);
    }
    case PHYS_INTERVAL:
        return interval_compare(&((const Interval *)a->data)[ra], &((const Interval *)b->data)[rb]);
    case PHYS_INT128: {
        int128_t x = ((const int128_t *)a->data)[ra], y = ((const int128_t *)b->data)[rb];
        return (x > y) - (x < y);
    }
    case PHYS_INT8: {
        int8_t x = ((const int8_t *)a->data)[ra], y = ((const int8_t *)b->data)[rb];
        return (x > y) - (x < y);
    }
    case PHYS_INT16: {
        int16_t x = ((const int16_t *)a->data)[ra], y = ((const int16_t *)b->data)[rb];
        return (x > y) - (x < y);
    }
    case PHYS_FLOAT: {
        float x = ((const float *)a->data)[ra], y = ((const float *)b->data)[rb];
        if (isnan(x) || isnan(y)) return isnan(x) - isnan(y);
        return (x > y) - (x < y);
    }
    case PHYS_INVALID:
        break;
    }
    return 0;
}

typedef struct SortContext {
    const PlanNode *node;
    const Run *run;
} SortContext;

/* Compares row x of run a with row y of run b by the sort keys. */
int sort_compare_rows(const PlanNode *node, const Run *ra, RowRef x, const Run *rb, RowRef y)
{
    for (int k = 0; k < node->u.sort.n_keys; k++) {
        const SortKey *key = &node->u.sort.keys[k];
        const Vector *va = &ra->chunks[x.chunk]->cols[key->column];
        const Vector *vb = &rb->chunks[y.chunk]->cols[key->column];
        UnifiedVector ua = {va->data, SEL_IDENTITY, va->validity};
        UnifiedVector ub = {vb->data, SEL_IDENTITY, vb->validity};
        int c = compare_values_at(va->type, &ua, x.row, &ub, y.row, key->nulls_first);
        bool both_valid = validity_get(va->validity, x.row) && validity_get(vb->validity, y.row);
        if (c) return key->descending && both_valid ? -c : c;
    }
    return 0;
}

static int compare_refs(const void *pa, const void *pb, void *arg)
{
    const SortContext *ctx = arg;
    const RowRef *a = pa, *b = pb;
    int c = sort_compare_rows(ctx->node, ctx->run, *a, ctx->run, *b);
    if (c) return c;
    if (a->chunk != b->chunk) return a->chunk < b->chunk ? -1 : 1;
    return (a->row > b->row) - (a->row < b->row);
}

/* ---- sink ---- */

typedef struct SortSinkOp {
    Operator base;
    BreakerState *shared;
    Arena *arena;   /* a child of the shared arena: runs outlive this operator */
    Chunk **chunks; /* of the run being filled */
    uint32_t n_chunks, cap_chunks;
    idx_t n_rows;
    bool finished;
} SortSinkOp;

static bool sort_sink_needs_input(Operator *op)
{
    return !((SortSinkOp *)op)->finished;
}

Status sort_make_run(const PlanNode *node, Arena *arena, Chunk **chunks, uint32_t n_chunks,
                     idx_t n_rows, Run **out, Error *err)
{
    Run *run = arena_alloc_zero(arena, sizeof *run);
    if (!run) return arena_error(arena, err);
    run->chunks = chunks;
    run->n_chunks = n_chunks;
    run->n_refs = n_rows;
    run->refs = arena_alloc(arena, sizeof(RowRef) * (n_rows ? n_rows : 1));
    if (!run->refs) return arena_error(arena, err);
    idx_t k = 0;
    for (uint32_t c = 0; c < n_chunks; c++)
        for (uint32_t r = 0; r < chunks[c]->n_rows; r++)
            run->refs[k++] = (RowRef){c, r};
    SortContext ctx = {node, run};
    qsort_r(run->refs, run->n_refs, sizeof(RowRef), compare_refs, &ctx);
    *out = run;
    return BS_OK;
}

Status sort_add_run(BreakerState *sh, Run *run, Error *err)
{
    pthread_mutex_lock(&sh->lock);
    if (sh->n_runs == sh->cap_runs) {
        int cap = sh->cap_runs ? sh->cap_runs * 2 : 8;
        Run **grown = bs_realloc(sh->runs, sizeof(Run *) * (size_t)cap);
        if (!grown) {
            pthread_mutex_unlock(&sh->lock);
            return error_oom(err);
        }
        sh->runs = grown;
        sh->cap_runs = cap;
    }
    sh->runs[sh->n_runs++] = run;
    pthread_mutex_unlock(&sh->lock);
    return BS_OK;
}

/* Sorts the rows gathered so far into a run and hands it to the shared state. */
static Status seal_run(SortSinkOp *s, Error *err)
{
    if (s->n_rows == 0) return BS_OK;
    Run *run;
    BS_TRY(sort_make_run(s->base.node, s->arena, s->chunks, s->n_chunks, s->n_rows, &run, err));
    s->chunks = NULL;
    s->n_chunks = s->cap_chunks = 0;
    s->n_rows = 0;
    return sort_add_run(s->shared, run, err);
}

static Status sort_sink_add_input(Operator *op, Chunk *in, Error *err)
{
    SortSinkOp *s = (SortSinkOp *)op;
    if (task_should_stop(op->task)) return task_cancelled_error(err);
    const PlanNode *child = op->node->children[0];
    idx_t offset = 0;
    while (offset < in->n_rows) {
        Chunk *cur = s->n_chunks ? s->chunks[s->n_chunks - 1] : NULL;
        if (!cur || cur->n_rows == BASALT_VECTOR_SIZE) {
            if (s->n_chunks == s->cap_chunks) {
                uint32_t cap = s->cap_chunks ? s->cap_chunks * 2 : 16;
                Chunk **grown = arena_grow(s->arena, s->chunks, sizeof(Chunk *) * s->cap_chunks,
                                           sizeof(Chunk *) * cap);
                if (!grown) return arena_error(s->arena, err);
                s->chunks = grown;
                s->cap_chunks = cap;
            }
            cur = chunk_create(s->arena, child->types, child->n_cols, err);
            if (!cur) return BS_ERROR;
            s->chunks[s->n_chunks++] = cur;
        }
        idx_t n = BS_MIN(in->n_rows - offset, BASALT_VECTOR_SIZE - cur->n_rows);
        BS_TRY(chunk_append(cur, in, offset, n, err));
        offset += n;
        s->n_rows += n;
        if (s->n_rows >= SORT_RUN_ROWS) BS_TRY(seal_run(s, err));
    }
    return BS_OK;
}

static Status sort_sink_get_output(Operator *op, Chunk **out, Error *err)
{
    *out = NULL;
    return BS_OK;
}

static Status sort_sink_finish(Operator *op, Error *err)
{
    SortSinkOp *s = (SortSinkOp *)op;
    if (s->finished) return BS_OK;
    s->finished = true;
    return seal_run(s, err);
}

static bool sort_sink_is_finished(Operator *op)
{
    return ((SortSinkOp *)op)->finished;
}

static const OperatorVtab SORT_SINK_VTAB = {
    .name = "SortSink",
    .needs_input = sort_sink_needs_input,
    .add_input = sort_sink_add_input,
    .get_output = sort_sink_get_output,
    .finish = sort_sink_finish,
    .is_finished = sort_sink_is_finished,
};

Status op_sort_sink_create(Driver *d, const PlanNode *node, BreakerState *shared, Operator **out,
                           Error *err)
{
    const PlanNode *child = node->children[0];
    for (int k = 0; k < node->u.sort.n_keys; k++)
        if (node->u.sort.keys[k].column < 0 || node->u.sort.keys[k].column >= child->n_cols)
            return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "invalid plan: sort key column");
    SortSinkOp *s = (SortSinkOp *)operator_new(d, node, &SORT_SINK_VTAB, sizeof *s, err);
    if (!s) return BS_ERROR;
    s->shared = shared;
    s->arena = arena_create(shared->arena, NULL, 0);
    if (!s->arena) return error_oom(err);
    *out = &s->base;
    return BS_OK;
}

/* ---- source ---- */

typedef struct SortSourceOp {
    Operator base;
    BreakerState *shared;
    idx_t *pos; /* next ref of each run */
    idx_t *end; /* end of this driver's range in each run */
    int *heap;  /* runs with rows left, ordered by their next row */
    int heap_size;
    int n_drivers; /* of the source pipeline: the key ranges wanted */
    bool started, finished;
    Chunk *out;
} SortSourceOp;

/* Samples taken per range when cutting key ranges. */
#define SAMPLES_PER_RANGE 64

typedef struct Sample {
    int run;
    idx_t ref;
} Sample;

static int compare_samples(const void *pa, const void *pb, void *arg)
{
    const BreakerState *sh = arg;
    const Sample *a = pa, *b = pb;
    const Run *ra = sh->runs[a->run], *rb = sh->runs[b->run];
    return sort_compare_rows(sh->node, ra, ra->refs[a->ref], rb, rb->refs[b->ref]);
}

/* First position in run r whose row sorts after the splitter sample. */
static idx_t upper_bound(const BreakerState *sh, int r, const Sample *splitter)
{
    const Run *run = sh->runs[r], *sr = sh->runs[splitter->run];
    RowRef key = sr->refs[splitter->ref];
    idx_t lo = 0, hi = run->n_refs;
    while (lo < hi) {
        idx_t mid = lo + (hi - lo) / 2;
        if (sort_compare_rows(sh->node, run, run->refs[mid], sr, key) <= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Cuts the runs into n_ranges key ranges (lock held; once). */
static Status cut_ranges(BreakerState *sh, int n_ranges, Error *err)
{
    int n_runs = sh->n_runs;
    idx_t total = 0;
    for (int r = 0; r < n_runs; r++)
        total += sh->runs[r]->n_refs;
    /* Small inputs are not worth splitting. */
    if (total < (idx_t)n_ranges * 2 * BASALT_VECTOR_SIZE || total < 4096) n_ranges = 1;
    idx_t *bounds = arena_alloc(sh->arena, sizeof(idx_t) * (size_t)(n_runs ? n_runs : 1) *
                                               (size_t)(n_ranges + 1));
    if (!bounds) return arena_error(sh->arena, err);
    for (int r = 0; r < n_runs; r++) {
        bounds[(size_t)r * (size_t)(n_ranges + 1)] = 0;
        bounds[(size_t)r * (size_t)(n_ranges + 1) + (size_t)n_ranges] = sh->runs[r]->n_refs;
    }
    if (n_ranges > 1) {
        size_t want = (size_t)n_ranges * SAMPLES_PER_RANGE, n_samples = 0;
        Sample *samples = arena_alloc(sh->arena, sizeof(Sample) * (want + (size_t)n_runs));
        if (!samples) return arena_error(sh->arena, err);
        for (int r = 0; r < n_runs; r++) {
            idx_t len = sh->runs[r]->n_refs;
            idx_t take = (idx_t)((double)want * (double)len / (double)total) + 1;
            if (take > len) take = len;
            for (idx_t i = 0; i < take; i++)
                samples[n_samples++] =
                    (Sample){r, (idx_t)((double)(i + 0.5) * (double)len / (double)take)};
        }
        qsort_r(samples, n_samples, sizeof(Sample), compare_samples, sh);
        for (int k = 1; k < n_ranges; k++) {
            const Sample *splitter = &samples[(size_t)k * n_samples / (size_t)n_ranges];
            for (int r = 0; r < n_runs; r++)
                bounds[(size_t)r * (size_t)(n_ranges + 1) + (size_t)k] =
                    upper_bound(sh, r, splitter);
        }
    }
    sh->bounds = bounds;
    sh->n_ranges = n_ranges;
    sh->ranges_cut = true;
    return BS_OK;
}

static bool heap_less(SortSourceOp *s, int a, int b)
{
    Run *ra = s->shared->runs[a], *rb = s->shared->runs[b];
    int c = sort_compare_rows(s->base.node, ra, ra->refs[s->pos[a]], rb, rb->refs[s->pos[b]]);
    return c < 0 || (c == 0 && a < b);
}

static void heap_sift_down(SortSourceOp *s, int i)
{
    for (;;) {
        int l = 2 * i + 1, r = l + 1, m = i;
        if (l < s->heap_size && heap_less(s, s->heap[l], s->heap[m])) m = l;
        if (r < s->heap_size && heap_less(s, s->heap[r], s->heap[m])) m = r;
        if (m == i) return;
        int tmp = s->heap[i];
        s->heap[i] = s->heap[m];
        s->heap[m] = tmp;
        i = m;
    }
}

static bool sort_source_needs_input(Operator *op)
{
    return false;
}

static Status sort_source_add_input(Operator *op, Chunk *in, Error *err)
{
    return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "SortSource takes no input");
}

Status sort_copy_row(Chunk *out, idx_t at, const Chunk *src, uint32_t row, bool copy_strings,
                     Error *err)
{
    for (int c = 0; c < out->n_cols; c++) {
        const Vector *from = &src->cols[c];
        Vector *to = &out->cols[c];
        size_t w = type_size(to->type);
        if (!validity_get(from->validity, row)) {
            BS_TRY(vector_set_null(to, at, err));
            continue;
        }
        if (to->validity) validity_set_valid(to->validity, at);
        memcpy((char *)to->data + w * at, (const char *)from->data + w * row, w);
        if (copy_strings && type_physical(to->type) == PHYS_STRING) {
            StringView *sv = &((StringView *)to->data)[at];
            if (!sv_is_inline(sv)) BS_TRY(vector_add_string(to, sv->u.ptr, sv->len, sv, err));
        }
    }
    return BS_OK;
}

static Status sort_source_get_output(Operator *op, Chunk **out, Error *err)
{
    SortSourceOp *s = (SortSourceOp *)op;
    BreakerState *sh = s->shared;
    *out = NULL;
    if (s->finished) return BS_OK;
    if (task_should_stop(op->task)) return task_cancelled_error(err);
    if (!s->started) {
        s->started = true;
        pthread_mutex_lock(&sh->lock);
        Status st = sh->ranges_cut ? BS_OK : cut_ranges(sh, s->n_drivers, err);
        pthread_mutex_unlock(&sh->lock);
        BS_TRY(st);
        int range = op->driver_index;
        if (range >= sh->n_ranges) {
            s->finished = true; /* fewer ranges than drivers */
            return BS_OK;
        }
        size_t n = (size_t)(sh->n_runs ? sh->n_runs : 1);
        s->pos = arena_alloc_zero(op->arena, sizeof(idx_t) * n);
        s->end = arena_alloc_zero(op->arena, sizeof(idx_t) * n);
        s->heap = arena_alloc(op->arena, sizeof(int) * n);
        if (!s->pos || !s->end || !s->heap) return arena_error(op->arena, err);
        for (int r = 0; r < sh->n_runs; r++) {
            const idx_t *b = sh->bounds + (size_t)r * (size_t)(sh->n_ranges + 1);
            s->pos[r] = b[range];
            s->end[r] = b[range + 1];
            if (s->pos[r] < s->end[r]) s->heap[s->heap_size++] = r;
        }
        for (int i = s->heap_size / 2 - 1; i >= 0; i--)
            heap_sift_down(s, i);
    }
    chunk_reset(s->out);
    idx_t n = 0;
    if (s->heap_size == 1) {
        /* One run left: copy straight from it. */
        Run *run = sh->runs[s->heap[0]];
        idx_t *p = &s->pos[s->heap[0]], end = s->end[s->heap[0]];
        while (n < BASALT_VECTOR_SIZE && *p < end) {
            RowRef ref = run->refs[(*p)++];
            BS_TRY(sort_copy_row(s->out, n++, run->chunks[ref.chunk], ref.row, false, err));
        }
        if (*p == end) s->heap_size = 0;
    } else {
        while (n < BASALT_VECTOR_SIZE && s->heap_size > 1) {
            int r = s->heap[0];
            Run *run = sh->runs[r];
            RowRef ref = run->refs[s->pos[r]++];
            BS_TRY(sort_copy_row(s->out, n++, run->chunks[ref.chunk], ref.row, false, err));
            if (s->pos[r] == s->end[r]) s->heap[0] = s->heap[--s->heap_size];
            heap_sift_down(s, 0);
        }
    }
    if (s->heap_size == 0) s->finished = true;
    s->out->n_rows = n;
    if (n) *out = s->out;
    return BS_OK;
}

static Status sort_source_finish(Operator *op, Error *err)
{
    return BS_OK;
}

static bool sort_source_is_finished(Operator *op)
{
    return ((SortSourceOp *)op)->finished;
}

static const OperatorVtab SORT_SOURCE_VTAB = {
    .name = "SortSource",
    .needs_input = sort_source_needs_input,
    .add_input = sort_source_add_input,
    .get_output = sort_source_get_output,
    .finish = sort_source_finish,
    .is_finished = sort_source_is_finished,
};

Status op_sort_source_create(Driver *d, const PlanNode *node, BreakerState *shared, int n_drivers,
                             Operator **out, Error *err)
{
    SortSourceOp *s = (SortSourceOp *)operator_new(d, node, &SORT_SOURCE_VTAB, sizeof *s, err);
    if (!s) return BS_ERROR;
    s->shared = shared;
    s->n_drivers = n_drivers;
    s->out = chunk_create(s->base.arena, node->types, node->n_cols, err);
    if (!s->out) return BS_ERROR;
    *out = &s->base;
    return BS_OK;
}
