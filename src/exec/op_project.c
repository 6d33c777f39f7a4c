/*
 * op_project.c — Project: computes one expression per output column. Column references
 * pass the input's vectors through (or a dictionary over them when the input carries a
 * selection); computed columns are dense vectors owned by the expression states.
 */
#include "exec/exec_int.h"

typedef struct ProjectOp {
    Operator base;
    int n_exprs;
    ExprState **exprs;
    Chunk *input;
    Chunk *out;
    bool finishing;
} ProjectOp;

static bool project_needs_input(Operator *op)
{
    ProjectOp *p = (ProjectOp *)op;
    return !p->input && !p->finishing;
}

static Status project_add_input(Operator *op, Chunk *in, Error *err)
{
    ((ProjectOp *)op)->input = in;
    return BS_OK;
}

static Status project_get_output(Operator *op, Chunk **out, Error *err)
{
    ProjectOp *p = (ProjectOp *)op;
    *out = NULL;
    Chunk *in = p->input;
    if (!in) return BS_OK;
    p->input = NULL;
    for (int k = 0; k < p->n_exprs; k++) {
        Vector *result;
        BS_TRY(expr_eval(p->exprs[k], in, &result, err));
        vector_reference(&p->out->cols[k], result);
    }
    p->out->n_rows = in->n_rows;
    p->out->sel = NULL;
    *out = p->out;
    return BS_OK;
}

static Status project_finish(Operator *op, Error *err)
{
    ((ProjectOp *)op)->finishing = true;
    return BS_OK;
}

static bool project_is_finished(Operator *op)
{
    ProjectOp *p = (ProjectOp *)op;
    return p->finishing && !p->input;
}

static const OperatorVtab PROJECT_VTAB = {
    .name = "Project",
    .needs_input = project_needs_input,
    .add_input = project_add_input,
    .get_output = project_get_output,
    .finish = project_finish,
    .is_finished = project_is_finished,
};

Status op_project_create(Driver *d, const PlanNode *node, Operator **out, Error *err)
{
    const PlanNode *child = node->children[0];
    ProjectOp *p = (ProjectOp *)operator_new(d, node, &PROJECT_VTAB, sizeof *p, err);
    if (!p) return BS_ERROR;
    p->n_exprs = node->n_cols;
    p->exprs =
        arena_alloc(p->base.arena, sizeof(ExprState *) * (size_t)(node->n_cols ? node->n_cols : 1));
    if (!p->exprs) return arena_error(p->base.arena, err);
    for (int k = 0; k < node->n_cols; k++) {
        BS_TRY(expr_compile(node->u.project.exprs[k], child->n_cols, child->types, p->base.arena,
                            &p->exprs[k], err));
        if (!type_equals(node->u.project.exprs[k]->type, node->types[k]))
            return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "invalid plan: projection type");
    }
    p->out = chunk_view_create(p->base.arena, node->types, node->n_cols, err);
    if (!p->out) return BS_ERROR;
    *out = &p->base;
    return BS_OK;
}
