/*
 * op_csv_scan.c — reads a CSV file (COPY FROM) through storage's CSV reader, which
 * converts every field to its column's type and reports bad input as file:line:column.
 */
#include "exec/exec_int.h"

typedef struct CsvScanOp {
    Operator base;
    CsvReader *reader;
    Chunk *out;
    bool finished;
} CsvScanOp;

static bool csv_needs_input(Operator *op)
{
    return false;
}

static Status csv_add_input(Operator *op, Chunk *in, Error *err)
{
    return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "CsvScan takes no input");
}

static Status csv_get_output(Operator *op, Chunk **out, Error *err)
{
    CsvScanOp *c = (CsvScanOp *)op;
    const PlanNode *n = op->node;
    *out = NULL;
    if (c->finished) return BS_OK;
    if (task_should_stop(op->task)) return task_cancelled_error(err);
    if (!c->reader) {
        CsvOptions opts;
        csv_default_options(&opts);
        opts.delimiter = n->u.csv.delimiter;
        opts.quote = n->u.csv.quote;
        opts.escape = n->u.csv.escape ? n->u.csv.escape : n->u.csv.quote;
        opts.header = n->u.csv.header;
        opts.null_string = n->u.csv.null_string ? n->u.csv.null_string : "";
        BS_TRY(csv_open(n->u.csv.path, &opts, n->types, n->n_cols, &op->tracker, &c->reader, err));
    }
    chunk_reset(c->out);
    BS_TRY(csv_next(c->reader, c->out, err));
    if (c->out->n_rows == 0) {
        c->finished = true;
        csv_close(c->reader);
        c->reader = NULL;
        return BS_OK;
    }
    *out = c->out;
    return BS_OK;
}

static Status csv_finish(Operator *op, Error *err)
{
    return BS_OK;
}

static bool csv_is_finished(Operator *op)
{
    return ((CsvScanOp *)op)->finished;
}

static void csv_op_close(Operator *op)
{
    CsvScanOp *c = (CsvScanOp *)op;
    if (c->reader) csv_close(c->reader);
    c->reader = NULL;
}

static const OperatorVtab CSV_VTAB = {
    .name = "CsvScan",
    .needs_input = csv_needs_input,
    .add_input = csv_add_input,
    .get_output = csv_get_output,
    .finish = csv_finish,
    .is_finished = csv_is_finished,
    .close = csv_op_close,
};

Status op_csv_scan_create(Driver *d, const PlanNode *node, Operator **out, Error *err)
{
    CsvScanOp *c = (CsvScanOp *)operator_new(d, node, &CSV_VTAB, sizeof *c, err);
    if (!c) return BS_ERROR;
    c->out = chunk_create(c->base.arena, node->types, node->n_cols, err);
    if (!c->out) return BS_ERROR;
    *out = &c->base;
    return BS_OK;
}
