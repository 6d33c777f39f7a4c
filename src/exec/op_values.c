/*
 * op_values.c — Values: emits constant rows (VALUES lists, SELECT without FROM). Each
 * cell is an expression without column references, evaluated once per row.
 */
#include "exec/exec_int.h"

#include <string.h>

typedef struct ValuesOp {
    Operator base;
    int n_rows, n_cols;
    ExprState ***cells;
    int next_row;
    Chunk *out;
    Chunk *dummy; /* one row, no columns: the input of the cell expressions */
} ValuesOp;

static bool values_needs_input(Operator *op)
{
    return false;
}

static Status values_add_input(Operator *op, Chunk *in, Error *err)
{
    return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "Values takes no input");
}

static Status values_get_output(Operator *op, Chunk **out, Error *err)
{
    ValuesOp *v = (ValuesOp *)op;
    *out = NULL;
    if (v->next_row >= v->n_rows) return BS_OK;
    if (task_should_stop(op->task)) return task_cancelled_error(err);
    chunk_reset(v->out);
    idx_t n = 0;
    while (v->next_row < v->n_rows && n < BASALT_VECTOR_SIZE) {
        for (int c = 0; c < v->n_cols; c++) {
            Vector *result;
            BS_TRY(expr_eval(v->cells[v->next_row][c], v->dummy, &result, err));
            Value value;
            vector_get_value(result, 0, &value);
            BS_TRY(vector_set_value(&v->out->cols[c], n, &value, err));
        }
        v->next_row++;
        n++;
    }
    v->out->n_rows = n;
    /* SELECT without FROM: rows without columns still count. */
    *out = v->out;
    return BS_OK;
}

static Status values_finish(Operator *op, Error *err)
{
    return BS_OK;
}

static bool values_is_finished(Operator *op)
{
    ValuesOp *v = (ValuesOp *)op;
    return v->next_row >= v->n_rows;
}

static const OperatorVtab VALUES_VTAB = {
    .name = "Values",
    .needs_input = values_needs_input,
    .add_input = values_add_input,
    .get_output = values_get_output,
    .finish = values_finish,
    .is_finished = values_is_finished,
};

Status op_values_create(Driver *d, const PlanNode *node, Operator **out, Error *err)
{
    ValuesOp *v = (ValuesOp *)operator_new(d, node, &VALUES_VTAB, sizeof *v, err);
    if (!v) return BS_ERROR;
    Arena *arena = v->base.arena;
    v->n_rows = node->u.values.n_rows;
    v->n_cols = node->n_cols;
    v->cells = arena_alloc(arena, sizeof(ExprState **) * (size_t)(v->n_rows ? v->n_rows : 1));
    if (!v->cells) return arena_error(arena, err);
    for (int r = 0; r < v->n_rows; r++) {
        v->cells[r] = arena_alloc(arena, sizeof(ExprState *) * (size_t)(v->n_cols ? v->n_cols : 1));
        if (!v->cells[r]) return arena_error(arena, err);
        for (int c = 0; c < v->n_cols; c++) {
            const Expr *e = node->u.values.rows[r][c];
            BS_TRY(expr_compile(e, 0, NULL, arena, &v->cells[r][c], err));
            if (!type_equals(e->type, node->types[c]))
                return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "invalid plan: VALUES type");
        }
    }
    v->out = chunk_create(arena, node->types, node->n_cols, err);
    v->dummy = chunk_view_create(arena, NULL, 0, err);
    if (!v->out || !v->dummy) return BS_ERROR;
    v->dummy->n_rows = 1;
    *out = &v->base;
    return BS_OK;
}
