/*
 * op_unnest.c — Unnest, the rows of unnest(array, …) in FROM and in select lists: each
 * input row goes out once per element of the longest of its arrays (the input's last
 * n_arrays columns), its other columns as dictionaries over the input (no copy), one
 * column per array holding that array's element (NULL past a shorter array's end, as
 * PostgreSQL zips set-returning functions), and with ordinality the element's number.
 * A row whose arrays are all NULL or empty produces nothing. An input row may span
 * several output chunks: the operator keeps its place (row, element) between calls.
 *
 * In a range mode the last three input columns are the start, stop and step of a
 * range() or generate_series() per row (op_range.c's series): each row goes out once per
 * value, that value its new column; a NULL bound gives none, a zero step 22023. A row of
 * 10^8 values streams a vector at a time.
 */
#include "exec/exec_int.h"

#include "common/array.h"

typedef struct UnnestOp {
    Operator base;
    int n_pass;   /* input columns passed through */
    int n_arrays; /* the input's last columns */
    bool ordinality;
    UnnestMode mode;
    bool outer;    /* range modes: an empty series gives one row, its value NULL */
    Series series; /* range modes: the open row's */
    LogicalType *elems;
    UnifiedVector *arrays; /* of the held chunk */
    sel_t *scratch;        /* n_arrays * BASALT_VECTOR_SIZE */
    ArrayView *views;      /* the arrays of the open row */
    bool *valid;
    Chunk *in;
    idx_t row;     /* next input row (logical) */
    uint64_t pos;  /* next element of that row (a series may pass 2^32 values) */
    uint32_t len;  /* elements of that row (the longest array) */
    bool row_open; /* len is known for `row` */
    Chunk *out;
    sel_t rows[BASALT_VECTOR_SIZE]; /* physical input row of each output row */
    bool finishing;
} UnnestOp;

static bool unnest_needs_input(Operator *op)
{
    UnnestOp *u = (UnnestOp *)op;
    return !u->in && !u->finishing;
}

static Status unnest_add_input(Operator *op, Chunk *in, Error *err)
{
    UnnestOp *u = (UnnestOp *)op;
    u->in = in;
    u->row = 0;
    u->pos = 0;
    u->row_open = false;
    for (int k = 0; k < u->n_arrays; k++)
        chunk_unify(in, u->n_pass + k, &u->arrays[k], u->scratch + (size_t)k * BASALT_VECTOR_SIZE);
    return BS_OK;
}

static Status view_of(const UnnestOp *u, int k, idx_t row, ArrayView *av, bool *valid, Error *err)
{
    const UnifiedVector *uv = &u->arrays[k];
    sel_t at = uv->sel[row];
    *valid = validity_get(uv->validity, at);
    if (!*valid) return BS_OK;
    const StringView *s = &((const StringView *)uv->data)[at];
    if (!array_view_init(av, u->elems[k], sv_data(s), s->len))
        return error_set(err, SQLSTATE_DATA_CORRUPTED, -1, "damaged array value");
    return BS_OK;
}

static void bound_of(const UnnestOp *u, int k, idx_t row, Value *v)
{
    const UnifiedVector *uv = &u->arrays[k];
    sel_t at = uv->sel[row];
    memset(v, 0, sizeof *v);
    v->is_null = !validity_get(uv->validity, at);
    if (v->is_null) return;
    if (k == 2 && u->series.timestamps)
        v->u.iv = ((const Interval *)uv->data)[at];
    else
        v->u.i64 = ((const int64_t *)uv->data)[at];
}

/* Range modes: each row's series, a vector at a time. */
static Status ranges_get_output(UnnestOp *u, Chunk **out, Error *err)
{
    Chunk *in = u->in;
    if (task_should_stop(u->base.task)) return task_cancelled_error(err);
    Chunk *o = u->out;
    chunk_reset(o);
    int64_t *data = o->cols[u->n_pass].data;
    idx_t n = 0;
    while (n < BASALT_VECTOR_SIZE && u->row < in->n_rows) {
        if (!u->row_open) {
            Value a, z, step;
            bound_of(u, 0, u->row, &a);
            bound_of(u, 1, u->row, &z);
            bound_of(u, 2, u->row, &step);
            BS_TRY(series_start(&u->series, u->series.timestamps, u->mode == UNNEST_SERIES, &a, &z,
                                &step, err));
            u->pos = 0;
            u->row_open = true;
            if (u->series.finished && u->outer) { /* kept, NULL-extended */
                u->rows[n] = in->sel ? in->sel[u->row] : (sel_t)u->row;
                BS_TRY(vector_set_null(&o->cols[u->n_pass], n, err));
                if (u->ordinality) BS_TRY(vector_set_null(&o->cols[u->n_pass + 1], n, err));
                n++;
                u->row++;
                u->row_open = false;
                continue;
            }
        }
        sel_t phys = in->sel ? in->sel[u->row] : (sel_t)u->row;
        idx_t m = series_fill(&u->series, data + n, BASALT_VECTOR_SIZE - n);
        for (idx_t k = 0; k < m; k++) {
            u->rows[n + k] = phys;
            if (u->ordinality)
                ((int64_t *)o->cols[u->n_pass + 1].data)[n + k] = (int64_t)u->pos + (int64_t)k + 1;
        }
        u->pos += m;
        n += m;
        if (u->series.finished) {
            u->row++;
            u->row_open = false;
        }
    }
    if (u->row >= in->n_rows) u->in = NULL;
    if (n == 0) return BS_OK;
    for (int c = 0; c < u->n_pass; c++)
        BS_TRY(vector_slice(&o->cols[c], &in->cols[c], u->rows, n, err));
    o->n_rows = n;
    *out = o;
    return BS_OK;
}

static Status unnest_get_output(Operator *op, Chunk **out, Error *err)
{
    UnnestOp *u = (UnnestOp *)op;
    if (u->mode != UNNEST_ARRAYS) {
        *out = NULL;
        return u->in ? ranges_get_output(u, out, err) : BS_OK;
    }
    *out = NULL;
    Chunk *in = u->in;
    if (!in) return BS_OK;
    Chunk *o = u->out;
    chunk_reset(o);
    idx_t n = 0;
    while (n < BASALT_VECTOR_SIZE && u->row < in->n_rows) {
        if (!u->row_open) {
            u->len = 0;
            for (int k = 0; k < u->n_arrays; k++) {
                BS_TRY(view_of(u, k, u->row, &u->views[k], &u->valid[k], err));
                if (u->valid[k] && u->views[k].n > u->len) u->len = u->views[k].n;
            }
            u->pos = 0;
            u->row_open = true;
        }
        sel_t phys = in->sel ? in->sel[u->row] : (sel_t)u->row;
        while (u->pos < u->len && n < BASALT_VECTOR_SIZE) {
            u->rows[n] = phys;
            for (int k = 0; k < u->n_arrays; k++) {
                Vector *v = &o->cols[u->n_pass + k];
                const ArrayView *av = &u->views[k];
                if (!u->valid[k] || u->pos >= av->n || array_elem_is_null(av, u->pos)) {
                    BS_TRY(vector_set_null(v, n, err));
                    continue;
                }
                uint32_t len;
                const uint8_t *p = array_elem_bytes(av, u->pos, &len);
                if (type_physical(u->elems[k]) == PHYS_STRING) /* views the input's bytes */
                    ((StringView *)v->data)[n] = sv_make((const char *)p, len);
                else
                    memcpy((char *)v->data + (size_t)len * n, p, len);
            }
            if (u->ordinality)
                ((int64_t *)o->cols[u->n_pass + u->n_arrays].data)[n] = (int64_t)u->pos + 1;
            u->pos++;
            n++;
        }
        if (u->pos >= u->len) {
            u->row++;
            u->row_open = false;
        }
    }
    if (u->row >= in->n_rows) u->in = NULL;
    if (n == 0) return BS_OK;
    for (int c = 0; c < u->n_pass; c++)
        BS_TRY(vector_slice(&o->cols[c], &in->cols[c], u->rows, n, err));
    o->n_rows = n;
    *out = o;
    return BS_OK;
}

static Status unnest_finish(Operator *op, Error *err)
{
    ((UnnestOp *)op)->finishing = true;
    return BS_OK;
}

static bool unnest_is_finished(Operator *op)
{
    UnnestOp *u = (UnnestOp *)op;
    return u->finishing && !u->in;
}

static const OperatorVtab UNNEST_VTAB = {
    .name = "Unnest",
    .needs_input = unnest_needs_input,
    .add_input = unnest_add_input,
    .get_output = unnest_get_output,
    .finish = unnest_finish,
    .is_finished = unnest_is_finished,
};

Status op_unnest_create(Driver *d, const PlanNode *node, Operator **out, Error *err)
{
    if (node->n_children != 1)
        return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "invalid plan: unnest arity");
    const PlanNode *child = node->children[0];
    int na = node->u.unnest.n_arrays, n_pass = child->n_cols - na;
    bool ord = node->u.unnest.ordinality;
    UnnestMode mode = node->u.unnest.mode;
    bool ranges = mode != UNNEST_ARRAYS;
    int n_new = ranges ? 1 : na;
    if (na < 1 || n_pass < 0 || node->n_cols != n_pass + n_new + (ord ? 1 : 0) ||
        (ranges && na != 3))
        return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "invalid plan: unnest columns");
    for (int k = 0; k < n_pass; k++)
        if (!type_equals(node->types[k], child->types[k]))
            return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "invalid plan: unnest types");
    TypeId tt = ranges && node->n_cols > n_pass ? (TypeId)node->types[n_pass].id : TYPE_INVALID;
    bool times = tt == TYPE_TIMESTAMP || tt == TYPE_TIMESTAMPTZ; /* (see op_range.c) */
    for (int k = 0; k < na && ranges; k++) {
        TypeId want = !times ? TYPE_BIGINT : k < 2 ? tt : TYPE_INTERVAL;
        if (child->types[n_pass + k].id != want ||
            (!times && node->types[n_pass].id != TYPE_BIGINT))
            return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "invalid plan: unnest range types");
    }
    for (int k = 0; k < na && !ranges; k++) {
        LogicalType a = child->types[n_pass + k];
        if (a.id != TYPE_ARRAY || !type_equals(node->types[n_pass + k], type_array_elem(a)))
            return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "invalid plan: unnest types");
    }
    if (ord && node->types[n_pass + n_new].id != TYPE_BIGINT)
        return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "invalid plan: unnest ordinality");
    UnnestOp *u = (UnnestOp *)operator_new(d, node, &UNNEST_VTAB, sizeof *u, err);
    if (!u) return BS_ERROR;
    Arena *a = u->base.arena;
    u->n_pass = n_pass;
    u->n_arrays = na;
    u->ordinality = ord;
    u->mode = mode;
    u->outer = ranges && node->u.unnest.outer;
    u->series.timestamps = times;
    u->elems = arena_alloc(a, sizeof(LogicalType) * (size_t)na);
    u->arrays = arena_alloc_zero(a, sizeof(UnifiedVector) * (size_t)na);
    u->scratch = arena_alloc(a, sizeof(sel_t) * BASALT_VECTOR_SIZE * (size_t)na);
    u->views = arena_alloc_zero(a, sizeof(ArrayView) * (size_t)na);
    u->valid = arena_alloc_zero(a, sizeof(bool) * (size_t)na);
    if (!u->elems || !u->arrays || !u->scratch || !u->views || !u->valid)
        return arena_error(a, err);
    for (int k = 0; k < na; k++) /* range modes: the bounds' types, unused */
        u->elems[k] = ranges ? child->types[n_pass + k] : node->types[n_pass + k];
    u->out = chunk_create(a, node->types, node->n_cols, err);
    if (!u->out) return BS_ERROR;
    *out = &u->base;
    return BS_OK;
}
