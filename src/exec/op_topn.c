/*
 * op_topn.c — TopN: ORDER BY … LIMIT n without sorting everything.
 *
 * TopNSink (one per driver) keeps at most n rows. Once it holds n rows, its worst kept
 * row is a boundary: an incoming row that does not sort before it is dropped at once with
 * one comparison, which is what most rows of a big input meet. Rows that pass are
 * appended; when 2n (at least a few thousand) rows have piled up, they are sorted, the
 * best n kept (copied into fresh memory, the old freed) and the boundary moves. At the
 * end the kept rows form one sorted run for the shared state; the Sort source merges the
 * runs of all drivers, and the Limit above it takes the first n.
 */
#include "exec/sort_int.h"

#include <string.h>

typedef struct TopNSinkOp {
    Operator base;
    BreakerState *shared;
    int64_t limit;
    Arena *gen; /* memory of the rows held now; replaced at each compaction */
    Chunk **chunks;
    uint32_t n_chunks, cap_chunks;
    idx_t n_rows; /* rows held: the first `n_kept` are sorted, the rest arrived since */
    idx_t n_kept;
    bool have_boundary; /* n_kept == limit: row n_kept-1 is the worst kept row */
    Arena *scratch;     /* emptied for every input chunk */
    sel_t *pass;
    Chunk *passing; /* a view of the input restricted to rows that beat the boundary */
    bool finished;
} TopNSinkOp;

static bool topn_needs_input(Operator *op)
{
    return !((TopNSinkOp *)op)->finished;
}

static Status append_chunk(TopNSinkOp *t, Error *err)
{
    if (t->n_chunks == t->cap_chunks) {
        uint32_t cap = t->cap_chunks ? t->cap_chunks * 2 : 16;
        Chunk **grown =
            arena_grow(t->gen, t->chunks, sizeof(Chunk *) * t->cap_chunks, sizeof(Chunk *) * cap);
        if (!grown) return arena_error(t->gen, err);
        t->chunks = grown;
        t->cap_chunks = cap;
    }
    const PlanNode *child = t->base.node->children[0];
    Chunk *c = chunk_create(t->gen, child->types, child->n_cols, err);
    if (!c) return BS_ERROR;
    t->chunks[t->n_chunks++] = c;
    return BS_OK;
}

/* Sorts what is held and keeps the best `limit` rows, in order, in fresh memory. */
static Status compact(TopNSinkOp *t, Error *err)
{
    if (t->n_rows == 0) return BS_OK;
    Run *run;
    BS_TRY(sort_make_run(t->base.node, t->gen, t->chunks, t->n_chunks, t->n_rows, &run, err));
    idx_t keep = t->n_rows < (idx_t)t->limit ? t->n_rows : (idx_t)t->limit;
    Arena *old = t->gen;
    t->gen = arena_create(t->shared->arena, NULL, 0);
    if (!t->gen) {
        t->gen = old;
        return error_oom(err);
    }
    t->chunks = NULL;
    t->n_chunks = t->cap_chunks = 0;
    Status st = BS_OK;
    for (idx_t k = 0; k < keep && st == BS_OK; k++) {
        if (k % BASALT_VECTOR_SIZE == 0 && (st = append_chunk(t, err)) != BS_OK) break;
        Chunk *dst = t->chunks[t->n_chunks - 1];
        RowRef ref = run->refs[k];
        st = sort_copy_row(dst, dst->n_rows, run->chunks[ref.chunk], ref.row, true, err);
        dst->n_rows++;
    }
    arena_destroy(old);
    BS_TRY(st);
    t->n_rows = t->n_kept = keep;
    t->have_boundary = keep == (idx_t)t->limit && keep > 0;
    return BS_OK;
}

/* Rows of `in` that sort strictly before the boundary row (all rows without one). */
static Status select_passing(TopNSinkOp *t, Chunk *in, idx_t *n_pass, Error *err)
{
    if (!t->have_boundary) {
        *n_pass = in->n_rows;
        for (idx_t i = 0; i < in->n_rows; i++)
            t->pass[i] = (sel_t)i;
        return BS_OK;
    }
    const PlanNode *node = t->base.node;
    idx_t b = t->n_kept - 1;
    const Chunk *bchunk = t->chunks[b / BASALT_VECTOR_SIZE];
    sel_t brow = (sel_t)(b % BASALT_VECTOR_SIZE);
    /* Start with every row; each key decides the rows it can and passes on the ties. */
    idx_t n = 0;
    for (idx_t i = 0; i < in->n_rows; i++)
        t->pass[n++] = (sel_t)i;
    sel_t *undecided = arena_alloc(t->scratch, sizeof(sel_t) * BASALT_VECTOR_SIZE);
    if (!undecided) return arena_error(t->scratch, err);
    idx_t n_better = 0;
    sel_t *better = arena_alloc(t->scratch, sizeof(sel_t) * BASALT_VECTOR_SIZE);
    if (!better) return arena_error(t->scratch, err);
    for (int k = 0; k < node->u.sort.n_keys && n > 0; k++) {
        const SortKey *key = &node->u.sort.keys[k];
        sel_t scratch[BASALT_VECTOR_SIZE];
        UnifiedVector uin;
        chunk_unify(in, key->column, &uin, scratch);
        const Vector *bv = &bchunk->cols[key->column];
        UnifiedVector ub = {bv->data, SEL_IDENTITY, bv->validity};
        bool bvalid = validity_get(bv->validity, brow);
        idx_t n_tie = 0;
        for (idx_t i = 0; i < n; i++) {
            sel_t row = t->pass[i];
            int c = compare_values_at(bv->type, &uin, uin.sel[row], &ub, brow, key->nulls_first);
            if (key->descending && c && validity_get(uin.validity, uin.sel[row]) && bvalid) c = -c;
            if (c < 0)
                better[n_better++] = row;
            else if (c == 0)
                undecided[n_tie++] = row;
        }
        memcpy(t->pass, undecided, sizeof(sel_t) * n_tie);
        n = n_tie;
    }
    /* Rows equal to the boundary on every key are not needed: n rows are already kept. */
    /* `better` gathered rows key by key; restore input order for determinism. */
    uint8_t *mark = arena_alloc_zero(t->scratch, BASALT_VECTOR_SIZE);
    if (!mark) return arena_error(t->scratch, err);
    for (idx_t i = 0; i < n_better; i++)
        mark[better[i]] = 1;
    idx_t m = 0;
    for (idx_t i = 0; i < in->n_rows; i++)
        if (mark[i]) t->pass[m++] = (sel_t)i;
    *n_pass = m;
    return BS_OK;
}

static Status topn_add_input(Operator *op, Chunk *in, Error *err)
{
    TopNSinkOp *t = (TopNSinkOp *)op;
    if (task_should_stop(op->task)) return task_cancelled_error(err);
    if (t->limit == 0) return BS_OK;
    arena_reset(t->scratch);
    idx_t n_pass = 0;
    BS_TRY(select_passing(t, in, &n_pass, err));
    if (n_pass == 0) return BS_OK;
    /* A view of the passing rows (composing the input's own selection). */
    Chunk *v = t->passing;
    for (int c = 0; c < in->n_cols; c++)
        vector_reference(&v->cols[c], &in->cols[c]);
    sel_t *sel = arena_alloc(t->scratch, sizeof(sel_t) * n_pass);
    if (!sel) return arena_error(t->scratch, err);
    for (idx_t i = 0; i < n_pass; i++)
        sel[i] = in->sel ? in->sel[t->pass[i]] : t->pass[i];
    v->sel = sel;
    v->n_rows = n_pass;
    idx_t offset = 0;
    while (offset < n_pass) {
        Chunk *cur = t->n_chunks ? t->chunks[t->n_chunks - 1] : NULL;
        if (!cur || cur->n_rows == BASALT_VECTOR_SIZE) {
            BS_TRY(append_chunk(t, err));
            cur = t->chunks[t->n_chunks - 1];
        }
        idx_t n = BS_MIN(n_pass - offset, BASALT_VECTOR_SIZE - cur->n_rows);
        BS_TRY(chunk_append(cur, v, offset, n, err));
        offset += n;
        t->n_rows += n;
    }
    idx_t threshold = (idx_t)t->limit * 2 > 4096 ? (idx_t)t->limit * 2 : 4096;
    if (t->n_rows >= threshold) BS_TRY(compact(t, err));
    return BS_OK;
}

static Status topn_get_output(Operator *op, Chunk **out, Error *err)
{
    *out = NULL;
    return BS_OK;
}

static Status topn_finish(Operator *op, Error *err)
{
    TopNSinkOp *t = (TopNSinkOp *)op;
    if (t->finished) return BS_OK;
    t->finished = true;
    BS_TRY(compact(t, err));
    if (t->n_rows == 0) return BS_OK;
    Run *run;
    BS_TRY(sort_make_run(op->node, t->gen, t->chunks, t->n_chunks, t->n_rows, &run, err));
    return sort_add_run(t->shared, run, err);
}

static bool topn_is_finished(Operator *op)
{
    return ((TopNSinkOp *)op)->finished;
}

static const OperatorVtab TOPN_SINK_VTAB = {
    .name = "TopNSink",
    .needs_input = topn_needs_input,
    .add_input = topn_add_input,
    .get_output = topn_get_output,
    .finish = topn_finish,
    .is_finished = topn_is_finished,
};

Status op_topn_sink_create(Driver *d, const PlanNode *node, BreakerState *shared, Operator **out,
                           Error *err)
{
    const PlanNode *child = node->children[0];
    for (int k = 0; k < node->u.sort.n_keys; k++)
        if (node->u.sort.keys[k].column < 0 || node->u.sort.keys[k].column >= child->n_cols)
            return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "invalid plan: sort key column");
    if (node->u.sort.limit < 0)
        return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "invalid plan: TopN limit");
    TopNSinkOp *t = (TopNSinkOp *)operator_new(d, node, &TOPN_SINK_VTAB, sizeof *t, err);
    if (!t) return BS_ERROR;
    t->shared = shared;
    t->limit = node->u.sort.limit;
    t->gen = arena_create(shared->arena, NULL, 0);
    t->scratch = arena_create(t->base.arena, NULL, 0);
    t->pass = arena_alloc(t->base.arena, sizeof(sel_t) * BASALT_VECTOR_SIZE);
    if (!t->gen || !t->scratch || !t->pass) return error_oom(err);
    t->passing = chunk_view_create(t->base.arena, child->types, child->n_cols, err);
    if (!t->passing) return BS_ERROR;
    *out = &t->base;
    return BS_OK;
}
