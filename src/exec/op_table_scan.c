/*
 * op_table_scan.c — TableScan: reads the splits of a table (row-group ranges of its
 * columnar files) that the task's SplitSource hands out, one at a time, so that several
 * drivers share a scan and the fastest take the most (morsel-driven parallelism). Row
 * groups and blocks are skipped by zone maps (the node's zone conditions); EXPLAIN ANALYZE
 * shows how many were read and skipped.
 */
#include "exec/exec_int.h"

#include <string.h>

typedef struct ScanOp {
    Operator base;
    ColumnFileReader *reader;
    char *reader_path;
    ColumnScan *scan;
    Chunk *out;
    ZoneCond *conds;
    ZoneFilter filter;
    Future *waiting; /* for the split source */
    bool finished;
} ScanOp;

static bool scan_needs_input(Operator *op)
{
    return false;
}

static Status scan_add_input(Operator *op, Chunk *in, Error *err)
{
    return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "TableScan takes no input");
}

/* What the counters of a scan count. */
enum { SCAN_RG_READ, SCAN_RG_SKIPPED, SCAN_BLOCKS_SKIPPED };

/* Ends the current split's scan, adding what it skipped to the counters. */
static void end_scan(ScanOp *s)
{
    if (!s->scan) return;
    uint64_t rgs_skipped, blocks_skipped;
    colfile_scan_stats(s->scan, &rgs_skipped, &blocks_skipped);
    s->base.counters[SCAN_RG_SKIPPED] += rgs_skipped;
    s->base.counters[SCAN_RG_READ] -= rgs_skipped; /* counted as read when opened */
    s->base.counters[SCAN_BLOCKS_SKIPPED] += blocks_skipped;
    colfile_scan_close(s->scan);
    s->scan = NULL;
}

static void close_reader(ScanOp *s)
{
    end_scan(s);
    if (s->reader) colfile_close(s->reader);
    s->reader = NULL;
    bs_free(s->reader_path);
    s->reader_path = NULL;
}

/* Opens the next split; false when there are none left. */
static Status open_next_split(ScanOp *s, bool *have, Error *err)
{
    const PlanNode *n = s->base.node;
    SplitSource *splits = task_config(s->base.task)->splits;
    Split split;
    *have = false;
    SplitNext got = SPLIT_NONE;
    if (splits) got = splits->next(splits, n->id, &split, &s->waiting);
    if (got == SPLIT_WAIT) return BS_OK; /* the driver parks on s->waiting */
    if (got != SPLIT_READY) {
        s->finished = true;
        return BS_OK;
    }
    *have = true;
    if (!s->reader || strcmp(s->reader_path, split.path) != 0) {
        close_reader(s);
        BS_TRY(colfile_open(split.path, &s->base.tracker, &s->reader, err));
        s->reader_path = bs_strdup(split.path);
        if (!s->reader_path) return error_oom(err);
        int n_file_cols = colfile_n_cols(s->reader);
        for (int k = 0; k < n->u.scan.n_columns; k++) {
            int col = n->u.scan.columns[k];
            LogicalType want = n->types[k];
            want.length = 0; /* files keep CHAR(n)/VARCHAR(n) values without their n */
            if (col >= n_file_cols || !type_equals(colfile_col_type(s->reader, col), want))
                return error_set(err, SQLSTATE_DATA_CORRUPTED, -1,
                                 "data file \"%s\" does not match table \"%s\" (column %d)",
                                 split.path, n->u.scan.table, col);
        }
    }
    uint32_t n_groups = colfile_n_row_groups(s->reader);
    uint32_t first = split.first_row_group;
    if (first >= n_groups) return BS_OK; /* an empty range: the caller asks again */
    uint32_t count = split.n_row_groups == UINT32_MAX || split.n_row_groups > n_groups - first
                         ? n_groups - first
                         : split.n_row_groups;
    BS_TRY(colfile_scan_open(s->reader, n->u.scan.columns, n->u.scan.n_columns, first, count,
                             s->filter.n_conds ? &s->filter : NULL, &s->scan, err));
    s->base.counters[SCAN_RG_READ] += count;
    return BS_OK;
}

static Status scan_get_output(Operator *op, Chunk **out, Error *err)
{
    ScanOp *s = (ScanOp *)op;
    *out = NULL;
    if (s->finished) return BS_OK;
    if (task_should_stop(op->task)) return task_cancelled_error(err);
    for (;;) {
        if (!s->scan) {
            if (s->waiting) return BS_OK;
            bool have;
            BS_TRY(open_next_split(s, &have, err));
            if (!have) {
                if (s->finished) close_reader(s);
                return BS_OK;
            }
            if (!s->scan) continue;
        }
        chunk_reset(s->out);
        BS_TRY(colfile_scan_next(s->scan, s->out, err));
        if (s->out->n_rows > 0) {
            *out = s->out;
            return BS_OK;
        }
        end_scan(s);
    }
}

static Status scan_finish(Operator *op, Error *err)
{
    return BS_OK;
}

static bool scan_is_finished(Operator *op)
{
    return ((ScanOp *)op)->finished;
}

static Future *scan_is_blocked(Operator *op)
{
    ScanOp *s = (ScanOp *)op;
    if (!s->waiting) return NULL;
    if (future_is_done(s->waiting)) {
        future_release(s->waiting);
        s->waiting = NULL;
        return NULL;
    }
    future_retain(s->waiting);
    return s->waiting;
}

static void scan_close(Operator *op)
{
    ScanOp *s = (ScanOp *)op;
    if (s->waiting) future_release(s->waiting);
    s->waiting = NULL;
    close_reader(s);
}

static const OperatorVtab SCAN_VTAB = {
    .name = "TableScan",
    .needs_input = scan_needs_input,
    .add_input = scan_add_input,
    .get_output = scan_get_output,
    .finish = scan_finish,
    .is_finished = scan_is_finished,
    .is_blocked = scan_is_blocked,
    .close = scan_close,
};

static ZoneOp zone_op(PlanZoneOp op)
{
    switch (op) {
    case PZ_EQ:
        return ZONE_EQ;
    case PZ_LT:
        return ZONE_LT;
    case PZ_LE:
        return ZONE_LE;
    case PZ_GT:
        return ZONE_GT;
    case PZ_GE:
        return ZONE_GE;
    case PZ_IS_NULL:
        return ZONE_IS_NULL;
    case PZ_IS_NOT_NULL:
        return ZONE_IS_NOT_NULL;
    }
    return ZONE_IS_NOT_NULL;
}

Status op_table_scan_create(Driver *d, const PlanNode *node, Operator **out, Error *err)
{
    ScanOp *s = (ScanOp *)operator_new(d, node, &SCAN_VTAB, sizeof *s, err);
    if (!s) return BS_ERROR;
    s->out = chunk_create(s->base.arena, node->types, node->n_cols, err);
    if (!s->out) return BS_ERROR;
    int n = node->u.scan.n_zone;
    s->conds = arena_alloc(s->base.arena, sizeof(ZoneCond) * (size_t)(n ? n : 1));
    if (!s->conds) return arena_error(s->base.arena, err);
    for (int k = 0; k < n; k++) {
        s->conds[k].column = node->u.scan.zone[k].column;
        s->conds[k].op = zone_op(node->u.scan.zone[k].op);
        s->conds[k].value = node->u.scan.zone[k].value;
    }
    s->filter.n_conds = n;
    s->filter.conds = s->conds;
    s->base.counter_names[SCAN_RG_READ] = "row groups read";
    s->base.counter_names[SCAN_RG_SKIPPED] = "row groups skipped";
    s->base.counter_names[SCAN_BLOCKS_SKIPPED] = "blocks skipped";
    *out = &s->base;
    return BS_OK;
}
