/*
 * op_table_write.c — TableWrite: writes its input rows into a new columnar file of the
 * target table (one file per driver), checking NOT NULL constraints on the way. When its
 * input ends it finishes the file, reports it to the task's WriteTarget (which records it
 * for the statement's commit), and emits one row: the number of rows it wrote. Nothing is
 * visible to readers until the statement commits.
 */
#include "exec/exec_int.h"

typedef struct WriteOp {
    Operator base;
    ColumnFileWriter *writer;
    char *abs_path, *rel_path;
    uint64_t rows;
    Chunk *out;
    bool finishing, emitted;
} WriteOp;

static bool write_needs_input(Operator *op)
{
    return !((WriteOp *)op)->finishing;
}

/* 23502 when a NOT NULL column receives a NULL. */
static Status check_not_null(WriteOp *w, Chunk *in, Error *err)
{
    const PlanNode *n = w->base.node;
    for (int c = 0; c < n->u.write.n_columns; c++) {
        if (!n->u.write.columns[c].not_null) continue;
        sel_t scratch[BASALT_VECTOR_SIZE];
        UnifiedVector uv;
        chunk_unify(in, c, &uv, scratch);
        if (!uv.validity) continue;
        for (idx_t i = 0; i < in->n_rows; i++) {
            if (!validity_get(uv.validity, uv.sel[i])) {
                error_set(
                    err, SQLSTATE_NOT_NULL_VIOLATION, -1,
                    "null value in column \"%s\" of relation \"%s\" violates not-null constraint",
                    n->u.write.columns[c].name, n->u.write.table);
                return BS_ERROR;
            }
        }
    }
    return BS_OK;
}

static Status write_add_input(Operator *op, Chunk *in, Error *err)
{
    WriteOp *w = (WriteOp *)op;
    const PlanNode *n = op->node;
    if (task_should_stop(op->task)) return task_cancelled_error(err);
    BS_TRY(check_not_null(w, in, err));
    if (!w->writer) {
        WriteTarget *target = task_config(op->task)->writes;
        if (!target)
            return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "no write target for this task");
        BS_TRY(
            target->new_file(target, n->u.write.table, op->arena, &w->abs_path, &w->rel_path, err));
        const char **names = arena_alloc(op->arena, sizeof(char *) * (size_t)n->u.write.n_columns);
        LogicalType *types =
            arena_alloc(op->arena, sizeof(LogicalType) * (size_t)n->u.write.n_columns);
        if (!names || !types) return arena_error(op->arena, err);
        for (int c = 0; c < n->u.write.n_columns; c++) {
            names[c] = n->u.write.columns[c].name;
            types[c] = n->u.write.columns[c].type;
        }
        BS_TRY(colfile_writer_create(w->abs_path, types, names, n->u.write.n_columns, NULL,
                                     &op->tracker, &w->writer, err));
    }
    BS_TRY(colfile_writer_append(w->writer, in, err));
    w->rows += in->n_rows;
    return BS_OK;
}

static Status write_finish(Operator *op, Error *err)
{
    WriteOp *w = (WriteOp *)op;
    if (w->finishing) return BS_OK;
    w->finishing = true;
    if (!w->writer) return BS_OK;
    FileSummary summary;
    ColumnFileWriter *writer = w->writer;
    w->writer = NULL;
    BS_TRY(colfile_writer_finish(writer, op->arena, &summary, err));
    WrittenFile file = {w->rel_path, summary.n_rows, summary.n_bytes, &summary};
    WriteTarget *target = task_config(op->task)->writes;
    return target->file_done(target, op->node->u.write.table, &file, err);
}

static Status write_get_output(Operator *op, Chunk **out, Error *err)
{
    WriteOp *w = (WriteOp *)op;
    *out = NULL;
    if (!w->finishing || w->emitted) return BS_OK;
    w->emitted = true;
    chunk_reset(w->out);
    ((int64_t *)w->out->cols[0].data)[0] = (int64_t)w->rows;
    w->out->n_rows = 1;
    *out = w->out;
    return BS_OK;
}

static bool write_is_finished(Operator *op)
{
    return ((WriteOp *)op)->emitted;
}

static void write_close(Operator *op)
{
    WriteOp *w = (WriteOp *)op;
    if (w->writer) colfile_writer_abort(w->writer);
    w->writer = NULL;
}

static const OperatorVtab WRITE_VTAB = {
    .name = "TableWrite",
    .needs_input = write_needs_input,
    .add_input = write_add_input,
    .get_output = write_get_output,
    .finish = write_finish,
    .is_finished = write_is_finished,
    .close = write_close,
};

Status op_table_write_create(Driver *d, const PlanNode *node, Operator **out, Error *err)
{
    const PlanNode *child = node->children[0];
    if (child->n_cols != node->u.write.n_columns)
        return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "invalid plan: writer columns");
    for (int c = 0; c < child->n_cols; c++)
        if (!type_equals(child->types[c], node->u.write.columns[c].type))
            return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "invalid plan: writer column type");
    WriteOp *w = (WriteOp *)operator_new(d, node, &WRITE_VTAB, sizeof *w, err);
    if (!w) return BS_ERROR;
    w->out = chunk_create(w->base.arena, node->types, 1, err);
    if (!w->out) return BS_ERROR;
    *out = &w->base;
    return BS_OK;
}
