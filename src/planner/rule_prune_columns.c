/*
 * rule_prune_columns.c — a scan reads only the table columns that some expression above
 * it references. When none is (count(*)), it keeps its narrowest column so that it still
 * yields the right number of rows.
 */
#include "planner/planner_int.h"

typedef struct Used {
    ColumnBinding *items;
    int count, capacity;
    Arena *arena;
    bool failed;
} Used;

static bool note_column(Expr *e, void *arg)
{
    Used *used = arg;
    if (e->kind != EXPR_COLUMN) return true;
    if (used->count == used->capacity) {
        int cap = used->capacity ? used->capacity * 2 : 32;
        ColumnBinding *grown =
            arena_grow(used->arena, used->items, sizeof(ColumnBinding) * (size_t)used->capacity,
                       sizeof(ColumnBinding) * (size_t)cap);
        if (!grown) {
            used->failed = true;
            return false;
        }
        used->items = grown;
        used->capacity = cap;
    }
    used->items[used->count++] = e->u.column.binding;
    return true;
}

/* Records every column referenced anywhere in the plan. */
static void collect(LogicalOp *op, Used *used)
{
    switch (op->kind) {
    case LOP_FILTER:
        expr_visit(op->u.filter.predicate, note_column, used);
        break;
    case LOP_PROJECT:
        for (int k = 0; k < op->u.project.n_exprs; k++)
            expr_visit(op->u.project.exprs[k], note_column, used);
        break;
    case LOP_AGGREGATE:
        for (int k = 0; k < op->u.aggregate.n_groups; k++)
            expr_visit(op->u.aggregate.groups[k], note_column, used);
        for (int k = 0; k < op->u.aggregate.n_aggs; k++) {
            expr_visit(op->u.aggregate.aggs[k]->arg, note_column, used);
            for (int o = 0; o < op->u.aggregate.aggs[k]->n_order; o++)
                expr_visit(op->u.aggregate.aggs[k]->order[o].expr, note_column, used);
        }
        break;
    case LOP_ORDER:
        for (int k = 0; k < op->u.order.n_keys; k++)
            expr_visit(op->u.order.keys[k].expr, note_column, used);
        break;
    case LOP_WINDOW:
        logical_window_visit(op, note_column, used);
        break;
    case LOP_EXPAND:
        for (int k = 0; k < op->u.expand.n_groups; k++)
            expr_visit(op->u.expand.groups[k], note_column, used);
        break;
    case LOP_UNNEST:
        for (int k = 0; k < op->u.unnest.n_arrays; k++)
            expr_visit(op->u.unnest.arrays[k], note_column, used);
        break;
    case LOP_JOIN:
        expr_visit(op->u.join.condition, note_column, used);
        break;
    case LOP_RECURSIVE_CTE:
        /* Both children produce the working table's every column. */
        for (int c = 0; c < op->n_children; c++)
            for (int k = 0; k < op->children[c]->n_out; k++) {
                Expr col = {.kind = EXPR_COLUMN};
                col.u.column.binding = op->children[c]->bindings[k];
                note_column(&col, used);
            }
        break;
    default:
        break;
    }
    for (int k = 0; k < op->n_children; k++)
        collect(op->children[k], used);
}

static bool is_used(const Used *used, uint32_t table, uint32_t column)
{
    for (int k = 0; k < used->count; k++)
        if (used->items[k].table == table && used->items[k].column == column) return true;
    return false;
}

static void prune(LogicalOp *op, const Used *used)
{
    for (int k = 0; k < op->n_children; k++)
        prune(op->children[k], used);
    if (op->kind != LOP_GET) return;
    int kept = 0, narrowest = -1;
    size_t narrowest_size = SIZE_MAX;
    for (int k = 0; k < op->u.get.n_columns; k++) {
        int col = op->u.get.columns[k];
        size_t size = type_size(op->u.get.table->col_types[col]);
        if (size < narrowest_size) {
            narrowest_size = size;
            narrowest = col;
        }
        if (is_used(used, op->u.get.table_index, (uint32_t)col)) op->u.get.columns[kept++] = col;
    }
    if (kept == 0 && narrowest >= 0) op->u.get.columns[kept++] = narrowest;
    op->u.get.n_columns = kept;
}

Status rule_prune_columns(LogicalOp *root, Arena *arena, Error *err)
{
    Used used = {.arena = arena};
    collect(root, &used);
    if (used.failed) return arena_error(arena, err);
    /* The root's own outputs are needed as they are (a scan at the root keeps all). */
    if (root->kind == LOP_GET) return BS_OK;
    prune(root, &used);
    return BS_OK;
}
