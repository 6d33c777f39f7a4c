/*
 * op_limit.c — Limit/Offset: skips `offset` rows, then passes `limit` rows (all when
 * limit is -1), slicing chunks with a selection vector. Once the limit is reached it is
 * finished, which lets the driver stop pulling from upstream.
 *
 * EnforceSingleRow (a Limit with single_row), the value of a scalar subquery: passes its
 * input's one row, fails with 21000 on a second, and emits a row of NULLs at the end when
 * there was none. It runs in one driver over a gathered input.
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

typedef struct SingleRowOp {
    Operator base;
    uint64_t rows;
    Chunk *input;
    Chunk *nulls; /* the row of NULLs, when the input has no row */
    bool finishing, emitted_nulls;
} SingleRowOp;

static bool single_needs_input(Operator *op)
{
    SingleRowOp *s = (SingleRowOp *)op;
    return !s->input && !s->finishing;
}

static Status single_add_input(Operator *op, Chunk *in, Error *err)
{
    SingleRowOp *s = (SingleRowOp *)op;
    s->rows += in->n_rows;
    if (s->rows > 1)
        return error_set(err, SQLSTATE_CARDINALITY_VIOLATION, -1,
                         "more than one row returned by a subquery used as an expression");
    s->input = in->n_rows ? in : NULL;
    return BS_OK;
}

static Status single_get_output(Operator *op, Chunk **out, Error *err)
{
    SingleRowOp *s = (SingleRowOp *)op;
    *out = s->input;
    s->input = NULL;
    if (*out || !s->finishing || s->rows > 0 || s->emitted_nulls) return BS_OK;
    const PlanNode *child = op->node->children[0];
    s->nulls = chunk_create(op->arena, child->types, child->n_cols, err);
    if (!s->nulls) return BS_ERROR;
    for (int k = 0; k < child->n_cols; k++) {
        Value null = {.type = child->types[k], .is_null = true};
        BS_TRY(vector_set_value(&s->nulls->cols[k], 0, &null, err));
    }
    s->nulls->n_rows = 1;
    s->emitted_nulls = true;
    *out = s->nulls;
    return BS_OK;
}

static Status single_finish(Operator *op, Error *err)
{
    ((SingleRowOp *)op)->finishing = true;
    return BS_OK;
}

static bool single_is_finished(Operator *op)
{
    SingleRowOp *s = (SingleRowOp *)op;
    return s->finishing && !s->input && (s->rows > 0 || s->emitted_nulls);
}

static void single_close(Operator *op)
{
    SingleRowOp *s = (SingleRowOp *)op;
    if (s->nulls) chunk_destroy(s->nulls);
    s->nulls = NULL;
}

static const OperatorVtab SINGLE_ROW_VTAB = {
    .name = "EnforceSingleRow",
    .needs_input = single_needs_input,
    .add_input = single_add_input,
    .get_output = single_get_output,
    .finish = single_finish,
    .is_finished = single_is_finished,
    .close = single_close,
};

Status op_limit_create(Driver *d, const PlanNode *node, Operator **out, Error *err)
{
    const PlanNode *child = node->children[0];
    if (node->u.limit.single_row) {
        SingleRowOp *s =
            (SingleRowOp *)operator_new(d, node, &SINGLE_ROW_VTAB, sizeof(SingleRowOp), err);
        if (!s) return BS_ERROR;
        *out = &s->base;
        return BS_OK;
    }
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
