/*
 * op_filter.c — Filter: keeps the rows for which the predicate is TRUE. Rows are not
 * copied: the output shares the input's vectors and carries a selection vector.
 */
#include "exec/exec_int.h"

#include <string.h>

typedef struct FilterOp {
    Operator base;
    ExprState *predicate;
    Chunk *input; /* pending input, NULL when none */
    Chunk *out;   /* view over the input */
    sel_t *sel;
    bool finishing;
} FilterOp;

Chunk *chunk_view_create(Arena *arena, const LogicalType *types, int n_cols, Error *err)
{
    Chunk *c = arena_alloc_zero(arena, sizeof *c);
    Vector *cols = arena_alloc_zero(arena, sizeof(Vector) * (size_t)(n_cols ? n_cols : 1));
    LogicalType *t = arena_alloc(arena, sizeof(LogicalType) * (size_t)(n_cols ? n_cols : 1));
    if (!c || !cols || !t) {
        arena_error(arena, err);
        return NULL;
    }
    for (int k = 0; k < n_cols; k++) {
        t[k] = types[k];
        cols[k].type = types[k];
        cols[k].arena = arena;
    }
    c->n_cols = n_cols;
    c->cols = cols;
    c->types = t;
    return c;
}

static bool filter_needs_input(Operator *op)
{
    FilterOp *f = (FilterOp *)op;
    return !f->input && !f->finishing;
}

static Status filter_add_input(Operator *op, Chunk *in, Error *err)
{
    ((FilterOp *)op)->input = in;
    return BS_OK;
}

static Status filter_get_output(Operator *op, Chunk **out, Error *err)
{
    FilterOp *f = (FilterOp *)op;
    *out = NULL;
    Chunk *in = f->input;
    if (!in) return BS_OK;
    f->input = NULL;
    idx_t n;
    BS_TRY(expr_select(f->predicate, in, f->sel, &n, err));
    if (n == 0) return BS_OK;
    if (n == in->n_rows) {
        *out = in;
        return BS_OK;
    }
    Chunk *o = f->out;
    for (int k = 0; k < in->n_cols; k++)
        vector_reference(&o->cols[k], &in->cols[k]);
    if (in->sel)
        for (idx_t i = 0; i < n; i++)
            f->sel[i] = in->sel[f->sel[i]];
    o->sel = f->sel;
    o->n_rows = n;
    *out = o;
    return BS_OK;
}

static Status filter_finish(Operator *op, Error *err)
{
    ((FilterOp *)op)->finishing = true;
    return BS_OK;
}

static bool filter_is_finished(Operator *op)
{
    FilterOp *f = (FilterOp *)op;
    return f->finishing && !f->input;
}

static const OperatorVtab FILTER_VTAB = {
    .name = "Filter",
    .needs_input = filter_needs_input,
    .add_input = filter_add_input,
    .get_output = filter_get_output,
    .finish = filter_finish,
    .is_finished = filter_is_finished,
};

Status op_filter_create(Driver *d, const PlanNode *node, Operator **out, Error *err)
{
    const PlanNode *child = node->children[0];
    FilterOp *f = (FilterOp *)operator_new(d, node, &FILTER_VTAB, sizeof *f, err);
    if (!f) return BS_ERROR;
    BS_TRY(expr_compile(node->u.filter.predicate, child->n_cols, child->types, f->base.arena,
                        &f->predicate, err));
    f->out = chunk_view_create(f->base.arena, child->types, child->n_cols, err);
    f->sel = arena_alloc(f->base.arena, sizeof(sel_t) * BASALT_VECTOR_SIZE);
    if (!f->out || !f->sel) return arena_error(f->base.arena, err);
    if (node->u.filter.predicate->type.id != TYPE_BOOLEAN)
        return error_set(err, SQLSTATE_INTERNAL_ERROR, -1,
                         "invalid plan: filter predicate is not boolean");
    *out = &f->base;
    return BS_OK;
}
