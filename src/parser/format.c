/*
 * format.c — AST → canonical SQL text, for tests and debugging (`EXPLAIN` may show it).
 *
 * The rendering is fully parenthesized so that a test can assert the shape of a tree
 * with one string: every binary operator, IS [NOT] NULL, BETWEEN, IN and LIKE is wrapped
 * in parentheses, e.g. `SELECT (a + (b * 2)) AS x FROM t WHERE (c = 'it''s')`. Keywords
 * are upper case; identifiers, type names and EXTRACT fields are printed as stored
 * (folded, unquoted); strings are re-quoted with '' for a quote. Set-operation operands
 * are parenthesized, joins are `(left JOIN right ON cond)`.
 *
 * Trees from the parser are at most PARSER_MAX_DEPTH deep; for hand-built trees the
 * recursion stops at FORMAT_MAX_DEPTH and prints "...".
 */
#include "parser/parser.h"

#include <string.h>

#define FORMAT_MAX_DEPTH (4 * PARSER_MAX_DEPTH)

static void fmt_expr(const AstExpr *e, Buffer *out, int depth);
static void fmt_select(const AstSelect *s, Buffer *out, int depth);
static void fmt_stmt(const AstStatement *stmt, Buffer *out, int depth);

static void put(Buffer *out, const char *s)
{
    buffer_printf(out, "%s", s);
}

static void put_exprs(Buffer *out, const AstList *list, int depth);

static void fmt_group_item(const AstGroupItem *g, Buffer *out, int depth)
{
    static const char *const names[] = {"", "", "", "ROLLUP", "CUBE", "GROUPING SETS"};
    switch (g->kind) {
    case GROUP_EXPR:
        fmt_expr(g->expr, out, depth);
        return;
    case GROUP_EMPTY:
        put(out, "()");
        return;
    case GROUP_LIST:
        put(out, "(");
        put_exprs(out, &g->items, depth);
        put(out, ")");
        return;
    case GROUP_ROLLUP:
    case GROUP_CUBE:
    case GROUP_SETS:
        put(out, names[g->kind]);
        put(out, "(");
        for (int k = 0; k < g->items.count; k++) {
            if (k) put(out, ", ");
            fmt_group_item(g->items.items[k], out, depth + 1);
        }
        put(out, ")");
        return;
    }
}

static void put_string(Buffer *out, const char *text, size_t len)
{
    buffer_put_u8(out, '\'');
    for (size_t k = 0; k < len; k++) {
        if (text[k] == '\'') buffer_put_u8(out, '\'');
        buffer_put_u8(out, (uint8_t)text[k]);
    }
    buffer_put_u8(out, '\'');
}

static void put_upper(Buffer *out, const char *s)
{
    for (; *s; s++)
        buffer_put_u8(out, (uint8_t)((*s >= 'a' && *s <= 'z') ? *s - 'a' + 'A' : *s));
}

static void put_names(Buffer *out, const AstList *names)
{
    for (int k = 0; k < names->count; k++) {
        if (k) put(out, ", ");
        put(out, names->items[k] ? (const char *)names->items[k] : "?");
    }
}

static void put_exprs(Buffer *out, const AstList *list, int depth)
{
    for (int k = 0; k < list->count; k++) {
        if (k) put(out, ", ");
        fmt_expr(list->items[k], out, depth);
    }
}

/* ORDER BY items: expr [DESC] [NULLS FIRST|LAST], separated by commas. */
static void put_order_items(Buffer *out, const AstList *items, int d)
{
    for (int k = 0; k < items->count; k++) {
        const AstOrderItem *item = items->items[k];
        if (k) put(out, ", ");
        fmt_expr(item->expr, out, d);
        if (item->descending) put(out, " DESC");
        if (item->nulls == 1) put(out, " NULLS FIRST");
        if (item->nulls == 2) put(out, " NULLS LAST");
    }
}

static void fmt_type(const AstTypeName *t, Buffer *out)
{
    if (!t) {
        put(out, "?");
        return;
    }
    /* `timestamp(3) with time zone`: the precision goes after the first word. */
    const char *name = t->name ? t->name : "?";
    const char *zone = strstr(name, " with time zone");
    int base_len = zone ? (int)(zone - name) : (int)strlen(name);
    buffer_printf(out, "%.*s", base_len, name);
    if (t->n_params == 1) buffer_printf(out, "(%lld)", (long long)t->params[0]);
    if (t->n_params == 2)
        buffer_printf(out, "(%lld, %lld)", (long long)t->params[0], (long long)t->params[1]);
    if (zone) put(out, zone);
    for (int k = 0; k < t->array_dims; k++)
        put(out, "[]");
}

static const char *op_text(AstOp op)
{
    switch (op) {
    case OP_ADD:
        return "+";
    case OP_SUB:
        return "-";
    case OP_MUL:
        return "*";
    case OP_DIV:
        return "/";
    case OP_MOD:
        return "%";
    case OP_CONCAT:
        return "||";
    case OP_EQ:
        return "=";
    case OP_NE:
        return "<>";
    case OP_LT:
        return "<";
    case OP_LE:
        return "<=";
    case OP_GT:
        return ">";
    case OP_GE:
        return ">=";
    case OP_AND:
        return "AND";
    case OP_OR:
        return "OR";
    case OP_NOT:
        return "NOT ";
    case OP_NEG:
        return "-";
    case OP_PLUS:
        return "+";
    case OP_IS_DISTINCT:
        return "IS DISTINCT FROM";
    case OP_IS_NOT_DISTINCT:
        return "IS NOT DISTINCT FROM";
    case OP_MATCH:
        return "~";
    case OP_NOT_MATCH:
        return "!~";
    case OP_IMATCH:
        return "~*";
    case OP_NOT_IMATCH:
        return "!~*";
    case OP_ARRAY_CONTAINS:
        return "@>";
    case OP_ARRAY_CONTAINED:
        return "<@";
    case OP_ARRAY_OVERLAP:
        return "&&";
    }
    return "?";
}

static void fmt_literal(const AstExpr *e, Buffer *out)
{
    switch (e->u.lit.kind) {
    case LIT_NULL:
        put(out, "NULL");
        return;
    case LIT_BOOLEAN:
        put(out, e->u.lit.bval ? "TRUE" : "FALSE");
        return;
    case LIT_INTEGER:
        buffer_printf(out, "%lld", (long long)e->u.lit.ival);
        return;
    case LIT_NUMBER:
        put(out, e->u.lit.text ? e->u.lit.text : "?");
        return;
    case LIT_STRING:
        put_string(out, e->u.lit.text ? e->u.lit.text : "", e->u.lit.len);
        return;
    }
}

static void fmt_subquery(const AstSelect *s, Buffer *out, int depth)
{
    put(out, "(");
    fmt_select(s, out, depth);
    put(out, ")");
}

static void fmt_expr(const AstExpr *e, Buffer *out, int depth)
{
    if (!e) {
        put(out, "?");
        return;
    }
    if (depth > FORMAT_MAX_DEPTH) {
        put(out, "...");
        return;
    }
    int d = depth + 1;
    switch (e->kind) {
    case AST_LITERAL:
        fmt_literal(e, out);
        return;
    case AST_COLUMN:
        if (e->u.column.qualifier) buffer_printf(out, "%s.", e->u.column.qualifier);
        put(out, e->u.column.name ? e->u.column.name : "?");
        return;
    case AST_STAR:
        if (e->u.star.qualifier) buffer_printf(out, "%s.", e->u.star.qualifier);
        put(out, "*");
        return;
    case AST_UNARY:
        buffer_printf(out, "(%s", op_text(e->u.unary.op));
        fmt_expr(e->u.unary.arg, out, d);
        put(out, ")");
        return;
    case AST_BINARY:
        put(out, "(");
        fmt_expr(e->u.binary.left, out, d);
        buffer_printf(out, " %s ", op_text(e->u.binary.op));
        fmt_expr(e->u.binary.right, out, d);
        put(out, ")");
        return;
    case AST_IS_NULL:
        put(out, "(");
        fmt_expr(e->u.is_null.arg, out, d);
        put(out, e->u.is_null.negated ? " IS NOT NULL)" : " IS NULL)");
        return;
    case AST_CAST:
        if (e->u.cast.is_literal) {
            fmt_type(e->u.cast.type, out);
            put(out, " ");
            fmt_expr(e->u.cast.arg, out, d);
            return;
        }
        put(out, e->u.cast.is_try ? "TRY_CAST(" : "CAST(");
        fmt_expr(e->u.cast.arg, out, d);
        put(out, " AS ");
        fmt_type(e->u.cast.type, out);
        put(out, ")");
        return;
    case AST_FUNCTION:
        if (e->u.func.name && e->u.func.args.count == 0 && !e->u.func.star &&
            (strcmp(e->u.func.name, "current_date") == 0 ||
             strcmp(e->u.func.name, "current_timestamp") == 0 ||
             strcmp(e->u.func.name, "localtimestamp") == 0)) {
            put_upper(out, e->u.func.name); /* keywords, called without parentheses */
            return;
        }
        buffer_printf(out, "%s(", e->u.func.name ? e->u.func.name : "?");
        if (e->u.func.star) put(out, "*");
        if (e->u.func.distinct) put(out, "DISTINCT ");
        put_exprs(out, &e->u.func.args, d);
        if (e->u.func.order.count > 0 && !e->u.func.within_group) {
            put(out, " ORDER BY ");
            put_order_items(out, &e->u.func.order, d);
        }
        put(out, ")");
        if (e->u.func.within_group) {
            put(out, " WITHIN GROUP (ORDER BY ");
            put_order_items(out, &e->u.func.order, d);
            put(out, ")");
        }
        if (e->u.func.filter) {
            put(out, " FILTER (WHERE ");
            fmt_expr(e->u.func.filter, out, d);
            put(out, ")");
        }
        return;
    case AST_BETWEEN:
        put(out, "(");
        fmt_expr(e->u.between.arg, out, d);
        put(out, e->u.between.negated ? " NOT BETWEEN " : " BETWEEN ");
        fmt_expr(e->u.between.low, out, d);
        put(out, " AND ");
        fmt_expr(e->u.between.high, out, d);
        put(out, ")");
        return;
    case AST_IN_LIST:
        put(out, "(");
        fmt_expr(e->u.in_list.arg, out, d);
        put(out, e->u.in_list.negated ? " NOT IN (" : " IN (");
        put_exprs(out, &e->u.in_list.list, d);
        put(out, "))");
        return;
    case AST_QUANTIFIED:
        put(out, "(");
        fmt_expr(e->u.quantified.arg, out, d);
        buffer_printf(out, " %s %s ", op_text(e->u.quantified.op),
                      e->u.quantified.all ? "ALL" : "ANY");
        if (e->u.quantified.query) {
            fmt_subquery(e->u.quantified.query, out, d);
        } else {
            put(out, "(");
            fmt_expr(e->u.quantified.array, out, d);
            put(out, ")");
        }
        put(out, ")");
        return;
    case AST_IN_SELECT:
        put(out, "(");
        fmt_expr(e->u.in_select.arg, out, d);
        put(out, e->u.in_select.negated ? " NOT IN " : " IN ");
        fmt_subquery(e->u.in_select.query, out, d);
        put(out, ")");
        return;
    case AST_LIKE:
        put(out, "(");
        fmt_expr(e->u.like.arg, out, d);
        put(out, e->u.like.negated ? " NOT" : "");
        put(out, e->u.like.case_insensitive ? " ILIKE " : " LIKE ");
        fmt_expr(e->u.like.pattern, out, d);
        if (e->u.like.escape) {
            put(out, " ESCAPE ");
            fmt_expr(e->u.like.escape, out, d);
        }
        put(out, ")");
        return;
    case AST_CASE:
        put(out, "CASE ");
        if (e->u.case_.operand) {
            fmt_expr(e->u.case_.operand, out, d);
            put(out, " ");
        }
        for (int k = 0; k < e->u.case_.whens.count; k++) {
            const AstCaseWhen *w = e->u.case_.whens.items[k];
            put(out, "WHEN ");
            fmt_expr(w ? w->when : NULL, out, d);
            put(out, " THEN ");
            fmt_expr(w ? w->then : NULL, out, d);
            put(out, " ");
        }
        if (e->u.case_.else_expr) {
            put(out, "ELSE ");
            fmt_expr(e->u.case_.else_expr, out, d);
            put(out, " ");
        }
        put(out, "END");
        return;
    case AST_EXISTS:
        put(out, e->u.exists.negated ? "NOT EXISTS " : "EXISTS ");
        fmt_subquery(e->u.exists.query, out, d);
        return;
    case AST_SUBQUERY:
        fmt_subquery(e->u.subquery.query, out, d);
        return;
    case AST_INTERVAL:
        put(out, "INTERVAL ");
        put_string(out, e->u.interval.text ? e->u.interval.text : "",
                   e->u.interval.text ? strlen(e->u.interval.text) : 0);
        if (e->u.interval.unit) {
            put(out, " ");
            put_upper(out, e->u.interval.unit);
        }
        return;
    case AST_EXTRACT:
        buffer_printf(out, "EXTRACT(%s FROM ", e->u.extract.field ? e->u.extract.field : "?");
        fmt_expr(e->u.extract.arg, out, d);
        put(out, ")");
        return;
    case AST_ARRAY:
        if (e->u.array.query) {
            put(out, "ARRAY");
            fmt_subquery(e->u.array.query, out, d);
            return;
        }
        put(out, "ARRAY[");
        for (int k = 0; k < e->u.array.elems.count; k++) {
            if (k) put(out, ", ");
            fmt_expr(e->u.array.elems.items[k], out, d);
        }
        put(out, "]");
        return;
    case AST_SUBSCRIPT:
        put(out, "(");
        fmt_expr(e->u.subscript.arg, out, d);
        put(out, ")[");
        if (e->u.subscript.lower) fmt_expr(e->u.subscript.lower, out, d);
        if (e->u.subscript.slice) put(out, ":");
        if (e->u.subscript.upper) fmt_expr(e->u.subscript.upper, out, d);
        put(out, "]");
        return;
    case AST_ANY_ALL:
        put(out, "(");
        fmt_expr(e->u.any_all.arg, out, d);
        buffer_printf(out, " %s %s (", op_text(e->u.any_all.op), e->u.any_all.all ? "ALL" : "ANY");
        fmt_expr(e->u.any_all.array, out, d);
        put(out, "))");
        return;
    }
    put(out, "?");
}

static void fmt_alias(const char *alias, const AstList *cols, Buffer *out)
{
    if (alias) buffer_printf(out, " AS %s", alias);
    if (cols->count > 0) {
        put(out, alias ? "(" : " (");
        put_names(out, cols);
        put(out, ")");
    }
}

static const char *join_text(AstJoinType type)
{
    switch (type) {
    case JOIN_INNER:
        return "JOIN";
    case JOIN_LEFT:
        return "LEFT JOIN";
    case JOIN_RIGHT:
        return "RIGHT JOIN";
    case JOIN_FULL:
        return "FULL JOIN";
    case JOIN_CROSS:
        return "CROSS JOIN";
    }
    return "?";
}

static void fmt_ref(const AstTableRef *ref, Buffer *out, int depth)
{
    if (!ref) {
        put(out, "?");
        return;
    }
    if (depth > FORMAT_MAX_DEPTH) {
        put(out, "...");
        return;
    }
    int d = depth + 1;
    if (ref->lateral) put(out, "LATERAL ");
    switch (ref->kind) {
    case TREF_TABLE:
        if (ref->u.table.catalog) buffer_printf(out, "%s.", ref->u.table.catalog);
        if (ref->u.table.schema) buffer_printf(out, "%s.", ref->u.table.schema);
        put(out, ref->u.table.name ? ref->u.table.name : "?");
        break;
    case TREF_SUBQUERY:
    case TREF_VALUES:
        fmt_subquery(ref->u.subquery.query, out, d);
        break;
    case TREF_FUNCTION:
        buffer_printf(out, "%s(", ref->u.func.name);
        for (int k = 0; k < ref->u.func.args.count; k++) {
            if (k) put(out, ", ");
            fmt_expr(ref->u.func.args.items[k], out, d);
        }
        put(out, ref->u.func.ordinality ? ") WITH ORDINALITY" : ")");
        break;
    case TREF_JOIN:
        put(out, "(");
        fmt_ref(ref->u.join.left, out, d);
        buffer_printf(out, " %s%s ", ref->u.join.natural ? "NATURAL " : "",
                      join_text(ref->u.join.type));
        fmt_ref(ref->u.join.right, out, d);
        if (ref->u.join.on) {
            put(out, " ON ");
            fmt_expr(ref->u.join.on, out, d);
        }
        if (ref->u.join.using.count > 0) {
            put(out, " USING (");
            put_names(out, &ref->u.join.using);
            put(out, ")");
        }
        put(out, ")");
        break;
    }
    fmt_alias(ref->alias, &ref->col_aliases, out);
}

static void fmt_core(const AstSelect *s, Buffer *out, int d)
{
    put(out, s->distinct ? "SELECT DISTINCT " : "SELECT ");
    if (s->distinct_on.count > 0) {
        put(out, "DISTINCT ON (");
        put_exprs(out, &s->distinct_on, d);
        put(out, ") ");
    }
    for (int k = 0; k < s->select_list.count; k++) {
        const AstSelectItem *item = s->select_list.items[k];
        if (k) put(out, ", ");
        fmt_expr(item ? item->expr : NULL, out, d);
        if (item && item->alias) buffer_printf(out, " AS %s", item->alias);
    }
    if (s->from.count > 0) {
        put(out, " FROM ");
        for (int k = 0; k < s->from.count; k++) {
            if (k) put(out, ", ");
            fmt_ref(s->from.items[k], out, d);
        }
    }
    if (s->where) {
        put(out, " WHERE ");
        fmt_expr(s->where, out, d);
    }
    if (s->group_by.count > 0) {
        put(out, " GROUP BY ");
        put_exprs(out, &s->group_by, d);
    }
    if (s->group_items.count > 0) {
        put(out, " GROUP BY ");
        for (int k = 0; k < s->group_items.count; k++) {
            if (k) put(out, ", ");
            fmt_group_item(s->group_items.items[k], out, d);
        }
    }
    if (s->having) {
        put(out, " HAVING ");
        fmt_expr(s->having, out, d);
    }
}

static const char *setop_text(AstSetOp op)
{
    switch (op) {
    case SETOP_UNION:
        return "UNION";
    case SETOP_INTERSECT:
        return "INTERSECT";
    case SETOP_EXCEPT:
        return "EXCEPT";
    case SETOP_NONE:
        break;
    }
    return "?";
}

static void fmt_select(const AstSelect *s, Buffer *out, int depth)
{
    if (!s) {
        put(out, "?");
        return;
    }
    if (depth > FORMAT_MAX_DEPTH) {
        put(out, "...");
        return;
    }
    int d = depth + 1;
    if (s->ctes.count > 0) {
        put(out, s->ctes_recursive ? "WITH RECURSIVE " : "WITH ");
        for (int k = 0; k < s->ctes.count; k++) {
            const AstCte *cte = s->ctes.items[k];
            if (k) put(out, ", ");
            put(out, cte->name ? cte->name : "?");
            if (cte->col_aliases.count > 0) {
                put(out, "(");
                put_names(out, &cte->col_aliases);
                put(out, ")");
            }
            put(out, " AS ");
            fmt_subquery(cte->query, out, d);
        }
        put(out, " ");
    }
    if (s->set_op != SETOP_NONE) {
        fmt_subquery(s->left, out, d);
        buffer_printf(out, " %s%s ", setop_text(s->set_op), s->set_all ? " ALL" : "");
        fmt_subquery(s->right, out, d);
    } else if (s->values) {
        put(out, "VALUES ");
        for (int r = 0; r < s->values->count; r++) {
            if (r) put(out, ", ");
            put(out, "(");
            put_exprs(out, s->values->items[r], d);
            put(out, ")");
        }
    } else {
        fmt_core(s, out, d);
    }
    if (s->order_by.count > 0) {
        put(out, " ORDER BY ");
        put_order_items(out, &s->order_by, d);
    }
    if (s->limit) {
        put(out, " LIMIT ");
        fmt_expr(s->limit, out, d);
    }
    if (s->offset) {
        put(out, " OFFSET ");
        fmt_expr(s->offset, out, d);
    }
}

static void fmt_create(const AstStatement *stmt, Buffer *out, int d)
{
    buffer_printf(out, "CREATE TABLE %s%s",
                  stmt->u.create_table.if_not_exists ? "IF NOT EXISTS " : "",
                  stmt->u.create_table.name ? stmt->u.create_table.name : "?");
    if (stmt->u.create_table.query) {
        put(out, " AS ");
        fmt_select(stmt->u.create_table.query, out, d);
        return;
    }
    put(out, " (");
    for (int k = 0; k < stmt->u.create_table.columns.count; k++) {
        const AstColumnDef *col = stmt->u.create_table.columns.items[k];
        if (k) put(out, ", ");
        buffer_printf(out, "%s ", col->name ? col->name : "?");
        fmt_type(col->type, out);
        if (col->not_null) put(out, " NOT NULL");
    }
    put(out, ")");
}

/* "(name value, name)": the options of COPY and EXPLAIN. */
static void put_options(Buffer *out, const AstList *options, int d)
{
    put(out, "(");
    for (int k = 0; k < options->count; k++) {
        const AstOption *opt = options->items[k];
        if (k) put(out, ", ");
        put(out, opt->name ? opt->name : "?");
        if (opt->value) {
            put(out, " ");
            fmt_expr(opt->value, out, d);
        }
    }
    put(out, ")");
}

static void fmt_copy(const AstStatement *stmt, Buffer *out, int d)
{
    buffer_printf(out, "COPY %s", stmt->u.copy.table ? stmt->u.copy.table : "?");
    if (stmt->u.copy.columns.count > 0) {
        put(out, " (");
        put_names(out, &stmt->u.copy.columns);
        put(out, ")");
    }
    put(out, " FROM ");
    const char *path = stmt->u.copy.path ? stmt->u.copy.path : "";
    put_string(out, path, strlen(path));
    if (stmt->u.copy.options.count > 0) {
        put(out, " ");
        put_options(out, &stmt->u.copy.options, d);
    }
}

static void fmt_stmt(const AstStatement *stmt, Buffer *out, int depth)
{
    if (!stmt) {
        put(out, "?");
        return;
    }
    if (depth > FORMAT_MAX_DEPTH) {
        put(out, "...");
        return;
    }
    int d = depth + 1;
    switch (stmt->kind) {
    case STMT_SELECT:
        fmt_select(stmt->u.select.query, out, d);
        return;
    case STMT_CREATE_TABLE:
        fmt_create(stmt, out, d);
        return;
    case STMT_DROP_TABLE:
    case STMT_DROP_VIEW:
        put(out, stmt->kind == STMT_DROP_VIEW ? "DROP VIEW " : "DROP TABLE ");
        if (stmt->u.drop_table.if_exists) put(out, "IF EXISTS ");
        put_names(out, &stmt->u.drop_table.names);
        return;
    case STMT_CREATE_VIEW:
        put(out, stmt->u.create_view.or_replace ? "CREATE OR REPLACE VIEW " : "CREATE VIEW ");
        put(out, stmt->u.create_view.name ? stmt->u.create_view.name : "?");
        if (stmt->u.create_view.columns.count > 0) {
            put(out, " (");
            put_names(out, &stmt->u.create_view.columns);
            put(out, ")");
        }
        put(out, " AS ");
        fmt_select(stmt->u.create_view.query, out, d);
        return;
    case STMT_INSERT:
        buffer_printf(out, "INSERT INTO %s ", stmt->u.insert.table ? stmt->u.insert.table : "?");
        if (stmt->u.insert.columns.count > 0) {
            put(out, "(");
            put_names(out, &stmt->u.insert.columns);
            put(out, ") ");
        }
        fmt_select(stmt->u.insert.query, out, d);
        return;
    case STMT_COPY:
        fmt_copy(stmt, out, d);
        return;
    case STMT_EXPLAIN:
        put(out, stmt->u.explain.analyze ? "EXPLAIN ANALYZE " : "EXPLAIN ");
        if (stmt->u.explain.options.count > 0) {
            put_options(out, &stmt->u.explain.options, d);
            put(out, " ");
        }
        fmt_stmt(stmt->u.explain.stmt, out, d);
        return;
    case STMT_SET:
    case STMT_SHOW:
        put(out, stmt->kind == STMT_SHOW ? "SHOW " : stmt->u.set.value ? "SET " : "RESET ");
        put(out, stmt->u.set.name);
        if (stmt->kind == STMT_SET && stmt->u.set.value) {
            put(out, " = ");
            if (stmt->u.set.is_number)
                put(out, stmt->u.set.value);
            else
                put_string(out, stmt->u.set.value, strlen(stmt->u.set.value));
        }
        return;
    case STMT_SHOW_TABLES:
    case STMT_DESCRIBE:
        if (stmt->u.describe.query) {
            put(out, "DESCRIBE ");
            fmt_select(stmt->u.describe.query, out, d);
            return;
        }
        put(out, stmt->kind == STMT_SHOW_TABLES ? "SHOW TABLES" : "DESCRIBE ");
        if (stmt->kind == STMT_SHOW_TABLES && stmt->u.describe.schema) put(out, " FROM ");
        if (stmt->u.describe.catalog) buffer_printf(out, "%s.", stmt->u.describe.catalog);
        if (stmt->u.describe.schema)
            buffer_printf(out, stmt->u.describe.name ? "%s." : "%s", stmt->u.describe.schema);
        if (stmt->u.describe.name) put(out, stmt->u.describe.name);
        return;
    }
    put(out, "?");
}

void ast_format_statement(const AstStatement *stmt, Buffer *out)
{
    fmt_stmt(stmt, out, 0);
}

void ast_format_expr(const AstExpr *expr, Buffer *out)
{
    fmt_expr(expr, out, 0);
}
