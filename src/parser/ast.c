/*
 * ast.c — helpers on the tree of ast.h: list growth, and the depth check the driver
 * runs on every statement it returns.
 *
 * The depth check is what lets the rest of the engine (binder, formatter) recurse over
 * an AST without a stack guard: left-deep chains such as `a + a + ... + a` or a long
 * UNION sequence are built by the LALR parser without any recursion or parser stack,
 * so only a walk of the finished tree can bound them.
 */
#include "parser/parser.h"
#include "parser/parser_int.h"

bool ast_list_append(Arena *arena, AstList *list, void *item)
{
    if (list->count == list->capacity) {
        if (list->capacity > INT32_MAX / 2) return false;
        int cap = list->capacity ? list->capacity * 2 : 4;
        void **grown = arena_grow(arena, list->items, sizeof(void *) * (size_t)list->capacity,
                                  sizeof(void *) * (size_t)cap);
        if (!grown) return false;
        list->items = grown;
        list->capacity = cap;
    }
    list->items[list->count++] = item;
    return true;
}

/* ---- depth check -------------------------------------------------------------------- */

typedef struct DepthCheck {
    int max;
    Error *err;
} DepthCheck;

static bool check_select(DepthCheck *dc, const AstSelect *s, int depth);
static bool check_expr(DepthCheck *dc, const AstExpr *e, int depth);

static bool too_deep(DepthCheck *dc, int depth, int pos)
{
    if (depth <= dc->max) return false;
    parser_error_too_complex(dc->err, pos);
    return true;
}

static bool check_exprs(DepthCheck *dc, const AstList *list, int depth)
{
    for (int k = 0; k < list->count; k++)
        if (!check_expr(dc, list->items[k], depth)) return false;
    return true;
}

static bool check_expr(DepthCheck *dc, const AstExpr *e, int depth)
{
    if (!e) return true;
    if (too_deep(dc, depth, e->pos)) return false;
    int d = depth + 1;
    switch (e->kind) {
    case AST_LITERAL:
    case AST_COLUMN:
    case AST_STAR:
    case AST_INTERVAL:
        return true;
    case AST_UNARY:
        return check_expr(dc, e->u.unary.arg, d);
    case AST_BINARY:
        return check_expr(dc, e->u.binary.left, d) && check_expr(dc, e->u.binary.right, d);
    case AST_IS_NULL:
        return check_expr(dc, e->u.is_null.arg, d);
    case AST_CAST:
        return check_expr(dc, e->u.cast.arg, d);
    case AST_FUNCTION:
        for (int k = 0; k < e->u.func.order.count; k++)
            if (!check_expr(dc, ((AstOrderItem *)e->u.func.order.items[k])->expr, d)) return false;
        if (e->u.func.filter && !check_expr(dc, e->u.func.filter, d)) return false;
        return check_exprs(dc, &e->u.func.args, d);
    case AST_BETWEEN:
        return check_expr(dc, e->u.between.arg, d) && check_expr(dc, e->u.between.low, d) &&
               check_expr(dc, e->u.between.high, d);
    case AST_IN_LIST:
        return check_expr(dc, e->u.in_list.arg, d) && check_exprs(dc, &e->u.in_list.list, d);
    case AST_IN_SELECT:
        return check_expr(dc, e->u.in_select.arg, d) && check_select(dc, e->u.in_select.query, d);
    case AST_QUANTIFIED:
        return check_expr(dc, e->u.quantified.arg, d) &&
               (e->u.quantified.query ? check_select(dc, e->u.quantified.query, d)
                                      : check_expr(dc, e->u.quantified.array, d));
    case AST_LIKE:
        return check_expr(dc, e->u.like.arg, d) && check_expr(dc, e->u.like.pattern, d) &&
               check_expr(dc, e->u.like.escape, d);
    case AST_CASE:
        if (!check_expr(dc, e->u.case_.operand, d)) return false;
        for (int k = 0; k < e->u.case_.whens.count; k++) {
            const AstCaseWhen *w = e->u.case_.whens.items[k];
            if (!check_expr(dc, w->when, d) || !check_expr(dc, w->then, d)) return false;
        }
        return check_expr(dc, e->u.case_.else_expr, d);
    case AST_EXISTS:
        return check_select(dc, e->u.exists.query, d);
    case AST_SUBQUERY:
        return check_select(dc, e->u.subquery.query, d);
    case AST_EXTRACT:
        return check_expr(dc, e->u.extract.arg, d);
    case AST_ARRAY:
        for (int k = 0; k < e->u.array.elems.count; k++)
            if (!check_expr(dc, e->u.array.elems.items[k], d)) return false;
        return check_select(dc, e->u.array.query, d);
    case AST_SUBSCRIPT:
        return check_expr(dc, e->u.subscript.arg, d) && check_expr(dc, e->u.subscript.lower, d) &&
               check_expr(dc, e->u.subscript.upper, d);
    case AST_ANY_ALL:
        return check_expr(dc, e->u.any_all.arg, d) && check_expr(dc, e->u.any_all.array, d);
    }
    return true;
}

static bool check_ref(DepthCheck *dc, const AstTableRef *ref, int depth)
{
    if (!ref) return true;
    if (too_deep(dc, depth, ref->pos)) return false;
    switch (ref->kind) {
    case TREF_TABLE:
        return true;
    case TREF_SUBQUERY:
    case TREF_VALUES:
        return check_select(dc, ref->u.subquery.query, depth + 1);
    case TREF_FUNCTION:
        for (int k = 0; k < ref->u.func.args.count; k++)
            if (!check_expr(dc, ref->u.func.args.items[k], depth + 1)) return false;
        return true;
    case TREF_JOIN:
        return check_ref(dc, ref->u.join.left, depth + 1) &&
               check_ref(dc, ref->u.join.right, depth + 1) &&
               check_expr(dc, ref->u.join.on, depth + 1);
    }
    return true;
}

static bool check_group_item(DepthCheck *dc, const AstGroupItem *g, int depth);

static bool check_select(DepthCheck *dc, const AstSelect *s, int depth)
{
    if (!s) return true;
    if (too_deep(dc, depth, s->pos)) return false;
    int d = depth + 1;
    for (int k = 0; k < s->ctes.count; k++) {
        const AstCte *cte = s->ctes.items[k];
        if (!check_select(dc, cte->query, d)) return false;
    }
    for (int k = 0; k < s->select_list.count; k++) {
        const AstSelectItem *item = s->select_list.items[k];
        if (!check_expr(dc, item->expr, d)) return false;
    }
    for (int k = 0; k < s->from.count; k++)
        if (!check_ref(dc, s->from.items[k], d)) return false;
    if (!check_expr(dc, s->where, d) || !check_exprs(dc, &s->group_by, d) ||
        !check_expr(dc, s->having, d))
        return false;
    for (int k = 0; k < s->group_items.count; k++)
        if (!check_group_item(dc, s->group_items.items[k], d)) return false;
    if (!check_exprs(dc, &s->distinct_on, d)) return false;
    if (s->values)
        for (int r = 0; r < s->values->count; r++)
            if (!check_exprs(dc, s->values->items[r], d)) return false;
    if (!check_select(dc, s->left, d) || !check_select(dc, s->right, d)) return false;
    for (int k = 0; k < s->order_by.count; k++) {
        const AstOrderItem *item = s->order_by.items[k];
        if (!check_expr(dc, item->expr, d)) return false;
    }
    return check_expr(dc, s->limit, d) && check_expr(dc, s->offset, d);
}

static bool check_group_item(DepthCheck *dc, const AstGroupItem *g, int depth)
{
    if (too_deep(dc, depth, g->pos)) return false;
    if (g->kind == GROUP_EXPR) return check_expr(dc, g->expr, depth + 1);
    if (g->kind == GROUP_LIST) return check_exprs(dc, &g->items, depth + 1);
    for (int k = 0; k < g->items.count; k++)
        if (!check_group_item(dc, g->items.items[k], depth + 1)) return false;
    return true;
}

static bool check_stmt(DepthCheck *dc, const AstStatement *stmt, int depth)
{
    if (!stmt) return true;
    if (too_deep(dc, depth, stmt->pos)) return false;
    switch (stmt->kind) {
    case STMT_SELECT:
        return check_select(dc, stmt->u.select.query, depth + 1);
    case STMT_CREATE_TABLE:
        return check_select(dc, stmt->u.create_table.query, depth + 1);
    case STMT_INSERT:
        return check_select(dc, stmt->u.insert.query, depth + 1);
    case STMT_EXPLAIN:
        return check_stmt(dc, stmt->u.explain.stmt, depth + 1);
    case STMT_CREATE_VIEW:
        return check_select(dc, stmt->u.create_view.query, depth + 1);
    case STMT_DESCRIBE:
        return check_select(dc, stmt->u.describe.query, depth + 1);
    case STMT_SHOW_TABLES:
    case STMT_DROP_TABLE:
    case STMT_DROP_VIEW:
    case STMT_COPY:
    case STMT_SET:
    case STMT_SHOW:
        return true;
    }
    return true;
}

Status ast_check_depth(const AstStatement *stmt, int max_depth, Error *err)
{
    DepthCheck dc = {max_depth, err};
    return check_stmt(&dc, stmt, 0) ? BS_OK : BS_ERROR;
}
