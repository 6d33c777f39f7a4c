/*
 * op_expand.c — Expand, the rows of GROUPING SETS / ROLLUP / CUBE: each input chunk goes
 * out once per grouping set, its columns referenced (no copy), the key columns the set
 * leaves out replaced by a constant NULL, and the set's number appended as a constant
 * BIGINT. The aggregation above groups by the keys and the set number, so one scan and
 * one hash aggregation compute every set.
 */
#include "exec/exec_int.h"

typedef struct ExpandOp {
    Operator base;
    int n_in;   /* input columns */
    int n_keys; /* key columns a set may null */
    const int *keys;
    int n_sets;
    const uint64_t *sets;
    Vector *nulls;   /* per key: a constant NULL of the key's type */
    Vector *set_ids; /* per set: a constant BIGINT */
    Chunk *in;
    int next_set; /* the set the held chunk goes out as next */
    Chunk *out;
    bool finishing;
} ExpandOp;

static bool expand_needs_input(Operator *op)
{
    ExpandOp *x = (ExpandOp *)op;
    return !x->in && !x->finishing;
}

static Status expand_add_input(Operator *op, Chunk *in, Error *err)
{
    ExpandOp *x = (ExpandOp *)op;
    x->in = in;
    x->next_set = 0;
    return BS_OK;
}

static Status expand_get_output(Operator *op, Chunk **out, Error *err)
{
    ExpandOp *x = (ExpandOp *)op;
    *out = NULL;
    Chunk *in = x->in;
    if (!in) return BS_OK;
    int s = x->next_set++;
    Chunk *o = x->out;
    for (int c = 0; c < x->n_in; c++)
        vector_reference(&o->cols[c], &in->cols[c]);
    uint64_t kept = x->sets[s];
    for (int k = 0; k < x->n_keys; k++)
        if (!(kept >> k & 1)) vector_reference(&o->cols[x->keys[k]], &x->nulls[k]);
    vector_reference(&o->cols[x->n_in], &x->set_ids[s]);
    o->sel = in->sel;
    o->n_rows = in->n_rows;
    if (x->next_set == x->n_sets) x->in = NULL;
    *out = o;
    return BS_OK;
}

static Status expand_finish(Operator *op, Error *err)
{
    ((ExpandOp *)op)->finishing = true;
    return BS_OK;
}

static bool expand_is_finished(Operator *op)
{
    ExpandOp *x = (ExpandOp *)op;
    return x->finishing && !x->in;
}

static const OperatorVtab EXPAND_VTAB = {
    .name = "Expand",
    .needs_input = expand_needs_input,
    .add_input = expand_add_input,
    .get_output = expand_get_output,
    .finish = expand_finish,
    .is_finished = expand_is_finished,
};

Status op_expand_create(Driver *d, const PlanNode *node, Operator **out, Error *err)
{
    const PlanNode *child = node->children[0];
    int n_in = child->n_cols, n_keys = node->u.expand.n_keys;
    if (node->n_cols != n_in + 1 || node->types[n_in].id != TYPE_BIGINT || n_keys > 64 ||
        node->u.expand.n_sets < 1)
        return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "invalid plan: expand columns");
    for (int k = 0; k < n_keys; k++)
        if (node->u.expand.keys[k] < 0 || node->u.expand.keys[k] >= n_in)
            return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "invalid plan: expand key");
    ExpandOp *x = (ExpandOp *)operator_new(d, node, &EXPAND_VTAB, sizeof *x, err);
    if (!x) return BS_ERROR;
    Arena *a = x->base.arena;
    x->n_in = n_in;
    x->n_keys = n_keys;
    x->keys = node->u.expand.keys;
    x->n_sets = node->u.expand.n_sets;
    x->sets = node->u.expand.sets;
    x->out = chunk_view_create(a, node->types, node->n_cols, err);
    if (!x->out) return BS_ERROR;
    x->nulls = arena_alloc_zero(a, sizeof(Vector) * (size_t)(n_keys ? n_keys : 1));
    x->set_ids = arena_alloc_zero(a, sizeof(Vector) * (size_t)x->n_sets);
    if (!x->nulls || !x->set_ids) return arena_error(a, err);
    for (int k = 0; k < n_keys; k++) {
        LogicalType t = child->types[node->u.expand.keys[k]];
        BS_TRY(vector_init_sized(&x->nulls[k], t, 1, a, a, err));
        Value null = {.type = t, .is_null = true};
        BS_TRY(vector_set_constant(&x->nulls[k], &null, err));
    }
    for (int s = 0; s < x->n_sets; s++) {
        BS_TRY(vector_init_sized(&x->set_ids[s], type_make(TYPE_BIGINT), 1, a, a, err));
        Value id = value_bigint(s);
        BS_TRY(vector_set_constant(&x->set_ids[s], &id, err));
    }
    *out = &x->base;
    return BS_OK;
}
