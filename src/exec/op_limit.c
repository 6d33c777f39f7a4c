/*
 * op_limit.c — Limit/Offset: skips `offset` rows, then passes `limit` rows (all when
 * limit is -1), slicing chunks with a selection vector. Once the limit is reached it is
 * finished, which lets the driver stop pulling from upstream.
 */
#include "exec/exec_int.h"

typedef struct LimitOp {
    Operator base;
    int64_t limit, offset;
    int64_t skipped, emitted;
    Chunk *input;
    Chunk *out;
    sel_t *sel;
    bool finishing;
} LimitOp;

static bool limit_done(const LimitOp *l)
{
    return l->limit >= 0 && l->emitted >= l->limit;
}

static bool limit_needs_input(Operator *op)
{
    LimitOp *l = (LimitOp *)op;
    return !l->input && !l->finishing && !limit_done(l);
}

static Status limit_add_input(Operator *op, Chunk *in, Error *err)
{
    ((LimitOp *)op)->input = in;
    return BS_OK;
}

static Status limit_get_output(Operator *op, Chunk **out, Error *err)
{
    LimitOp *l = (LimitOp *)op;
    *out = NULL;
    Chunk *in = l->input;
    if (!in) return BS_OK;
    l->input = NULL;
    idx_t first = 0, n = in->n_rows;
    if (l->skipped < l->offset) {
        int64_t skip = BS_MIN(l->offset - l->skipped, (int64_t)n);
        l->skipped += skip;
        first = (idx_t)skip;
        n -= (idx_t)skip;
    }
    if (l->limit >= 0 && (int64_t)n > l->limit - l->emitted) n = (idx_t)(l->limit - l->emitted);
    if (n == 0) return BS_OK;
    l->emitted += (int64_t)n;
    if (first == 0 && n == in->n_rows) {
        *out = in;
        return BS_OK;
    }
    Chunk *o = l->out;
    for (int k = 0; k < in->n_cols; k++)
        vector_reference(&o->cols[k], &in->cols[k]);
    for (idx_t i = 0; i < n; i++)
        l->sel[i] = in->sel ? in->sel[first + i] : (sel_t)(first + i);
    o->sel = l->sel;
    o->n_rows = n;
    *out = o;
    return BS_OK;
}

static Status limit_finish(Operator *op, Error *err)
{
    ((LimitOp *)op)->finishing = true;
    return BS_OK;
}

static bool limit_is_finished(Operator *op)
{
    LimitOp *l = (LimitOp *)op;
    return !l->input && (l->finishing || limit_done(l));
}

static const OperatorVtab LIMIT_VTAB = {
    .name = "Limit",
    .needs_input = limit_needs_input,
    .add_input = limit_add_input,
    .get_output = limit_get_output,
    .finish = limit_finish,
    .is_finished = limit_is_finished,
};

Status op_limit_create(Driver *d, const PlanNode *node, Operator **out, Error *err)
{
    const PlanNode *child = node->children[0];
    LimitOp *l = (LimitOp *)operator_new(d, node, &LIMIT_VTAB, sizeof *l, err);
    if (!l) return BS_ERROR;
    l->limit = node->u.limit.limit;
    l->offset = node->u.limit.offset;
    l->out = chunk_view_create(l->base.arena, child->types, child->n_cols, err);
    l->sel = arena_alloc(l->base.arena, sizeof(sel_t) * BASALT_VECTOR_SIZE);
    if (!l->out || !l->sel) return arena_error(l->base.arena, err);
    *out = &l->base;
    return BS_OK;
}
