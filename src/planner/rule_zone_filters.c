/*
 * rule_zone_filters.c — finds filter conjuncts that zone maps can decide and attaches
 * them to the scan below: `col op constant` (either side), `col IS [NOT] NULL`, and
 * `col IN (constants)` as `col >= smallest AND col <= largest`. It runs after
 * rule_simplify, so folded constants and casts moved off columns count. The scan
 * skips row groups and blocks whose min/max/null counts rule a condition out; the filter
 * above still evaluates every row that is read.
 */
#include "planner/planner_int.h"

static PlanZoneOp flip(PlanZoneOp op)
{
    switch (op) {
    case PZ_LT:
        return PZ_GT;
    case PZ_LE:
        return PZ_GE;
    case PZ_GT:
        return PZ_LT;
    case PZ_GE:
        return PZ_LE;
    default:
        return op;
    }
}

static bool comparison_op(ScalarFuncId func, PlanZoneOp *op)
{
    switch (func) {
    case FN_EQ:
        *op = PZ_EQ;
        return true;
    case FN_LT:
        *op = PZ_LT;
        return true;
    case FN_LE:
        *op = PZ_LE;
        return true;
    case FN_GT:
        *op = PZ_GT;
        return true;
    case FN_GE:
        *op = PZ_GE;
        return true;
    default:
        return false;
    }
}

/* The table column of `get` that e reads directly, or -1. */
static int scan_column(const LogicalOp *get, const Expr *e)
{
    if (e->kind != EXPR_COLUMN || e->u.column.binding.table != get->u.get.table_index) return -1;
    return (int)e->u.column.binding.column;
}

static Status append(LogicalOp *get, const PlanZoneCond *cond, Arena *arena, int *capacity,
                     Error *err)
{
    if (get->u.get.n_zone == *capacity) {
        int cap = *capacity ? *capacity * 2 : 4;
        PlanZoneCond *grown =
            arena_grow(arena, get->u.get.zone, sizeof(PlanZoneCond) * (size_t)*capacity,
                       sizeof(PlanZoneCond) * (size_t)cap);
        if (!grown) return arena_error(arena, err);
        get->u.get.zone = grown;
        *capacity = cap;
    }
    get->u.get.zone[get->u.get.n_zone++] = *cond;
    return BS_OK;
}

/* Appends the zone conditions of one conjunct, if it has any. */
static Status add_condition(LogicalOp *get, const Expr *e, Arena *arena, int *capacity, Error *err)
{
    PlanZoneCond cond;
    if (e->kind == EXPR_IS_NULL || e->kind == EXPR_IS_NOT_NULL) {
        cond.column = scan_column(get, e->u.unary.arg);
        if (cond.column < 0) return BS_OK;
        cond.op = e->kind == EXPR_IS_NULL ? PZ_IS_NULL : PZ_IS_NOT_NULL;
        cond.value = value_null(e->u.unary.arg->type);
        return append(get, &cond, arena, capacity, err);
    }
    if (e->kind == EXPR_CALL && e->u.call.func == FN_IN && e->u.call.n_args >= 2) {
        /* col IN (a, …, z): the values are sorted, so col >= a AND col <= z (a NULL in the
           list, always last, matches nothing). */
        cond.column = scan_column(get, e->u.call.args[0]);
        int last = e->u.call.n_args - 1;
        if (e->u.call.args[last]->u.constant.is_null) last--;
        if (cond.column < 0 || last < 1) return BS_OK;
        if (!type_equals(e->u.call.args[0]->type, get->u.get.table->col_types[cond.column]))
            return BS_OK;
        cond.op = PZ_GE;
        cond.value = e->u.call.args[1]->u.constant;
        BS_TRY(append(get, &cond, arena, capacity, err));
        cond.op = PZ_LE;
        cond.value = e->u.call.args[last]->u.constant;
        return append(get, &cond, arena, capacity, err);
    }
    if (e->kind != EXPR_CALL || e->u.call.n_args != 2 || !comparison_op(e->u.call.func, &cond.op))
        return BS_OK;
    const Expr *l = e->u.call.args[0], *r = e->u.call.args[1];
    if (scan_column(get, l) >= 0 && r->kind == EXPR_CONSTANT) {
        cond.column = scan_column(get, l);
        cond.value = r->u.constant;
    } else if (scan_column(get, r) >= 0 && l->kind == EXPR_CONSTANT) {
        cond.column = scan_column(get, r);
        cond.value = l->u.constant;
        cond.op = flip(cond.op);
    } else {
        return BS_OK;
    }
    /* Comparing with NULL is never true: zone maps cannot say more than the filter. */
    if (cond.value.is_null) return BS_OK;
    if (!type_equals(cond.value.type, get->u.get.table->col_types[cond.column])) return BS_OK;
    return append(get, &cond, arena, capacity, err);
}

Status rule_zone_filters(LogicalOp *root, Arena *arena, Error *err)
{
    for (int k = 0; k < root->n_children; k++)
        BS_TRY(rule_zone_filters(root->children[k], arena, err));
    if (root->kind != LOP_FILTER || root->children[0]->kind != LOP_GET) return BS_OK;
    LogicalOp *get = root->children[0];
    int capacity = get->u.get.n_zone;
    const Expr *pred = root->u.filter.predicate;
    if (pred->kind == EXPR_AND) {
        for (int k = 0; k < pred->u.conj.n_args; k++)
            BS_TRY(add_condition(get, pred->u.conj.args[k], arena, &capacity, err));
    } else {
        BS_TRY(add_condition(get, pred, arena, &capacity, err));
    }
    return BS_OK;
}
