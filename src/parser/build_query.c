/*
 * build_query.c — the node builders the grammar's query and statement rules call:
 * SELECT cores, VALUES, set operations, ORDER BY / LIMIT / OFFSET, WITH, the FROM
 * clause (tables, subqueries, joins) and the statements (CREATE TABLE, DROP TABLE,
 * INSERT, COPY, EXPLAIN).
 *
 * Besides building, these functions raise the errors PostgreSQL's grammar actions
 * raise: a query that gets a second ORDER BY, LIMIT, OFFSET or WITH through
 * parentheses, VALUES rows of different lengths, and conflicting NULL/NOT NULL.
 * Like every builder, each returns NULL at once when the context has failed.
 */
#include "parser/parser_int.h"

#include <stdio.h>
#include <string.h>

static AstSelect *new_select(ParseCtx *ctx, int pos)
{
    AstSelect *s = parser_alloc(ctx, sizeof(AstSelect));
    if (s) s->pos = pos;
    return s;
}

static AstList list_value(const AstList *list)
{
    AstList empty = {0, 0, NULL};
    return list ? *list : empty;
}

/* ---- SELECT ------------------------------------------------------------------------ */

AstSelectItem *build_select_item(ParseCtx *ctx, AstExpr *expr, Token alias)
{
    if (ctx->failed) return NULL;
    AstSelectItem *item = parser_alloc(ctx, sizeof(AstSelectItem));
    if (!item) return NULL;
    item->expr = expr;
    item->pos = expr_start_pos(expr);
    if (alias.pos >= 0) item->alias = tok_ident(ctx, alias);
    return ctx->failed ? NULL : item;
}

AstSelect *build_select_core(ParseCtx *ctx, int pos, bool distinct, AstList *items, AstList *from,
                             AstExpr *where, AstList *group_by, AstExpr *having)
{
    if (ctx->failed) return NULL;
    AstSelect *s = new_select(ctx, pos);
    if (!s) return NULL;
    s->distinct = distinct;
    s->select_list = list_value(items);
    s->from = list_value(from);
    s->where = where;
    bool extended = false;
    AstList *groups = group_by ? build_group_by(ctx, group_by, &extended) : NULL;
    if (extended)
        s->group_items = list_value(groups);
    else
        s->group_by = list_value(groups);
    s->having = having;
    return ctx->failed ? NULL : s;
}

AstSelect *build_distinct_on(ParseCtx *ctx, AstSelect *s, AstList *on)
{
    if (ctx->failed || !s) return NULL;
    s->distinct_on = list_value(on);
    return s;
}

AstGroupItem *build_group_item(ParseCtx *ctx, AstGroupKind kind, AstExpr *expr, AstList *items,
                               int pos)
{
    if (ctx->failed) return NULL;
    AstGroupItem *g = parser_alloc(ctx, sizeof *g);
    if (!g) return NULL;
    g->kind = kind;
    g->pos = pos;
    g->expr = expr;
    g->items = list_value(items);
    return g;
}

/* GROUP BY items: plain expressions stay a plain list; any ROLLUP, CUBE or GROUPING SETS
   makes the whole clause a list of group items. */
AstList *build_group_by(ParseCtx *ctx, AstList *items, bool *extended)
{
    if (ctx->failed) return NULL;
    bool any = false;
    for (int k = 0; k < items->count; k++)
        any |= ((AstGroupItem *)items->items[k])->kind != GROUP_EXPR;
    *extended = any;
    if (any) return items;
    AstList *plain = NULL;
    for (int k = 0; k < items->count; k++) {
        AstExpr *e = ((AstGroupItem *)items->items[k])->expr;
        plain = plain ? list_add(ctx, plain, e) : list_new(ctx, e);
    }
    return plain;
}

AstSelect *build_values(ParseCtx *ctx, AstList *rows, int pos)
{
    if (ctx->failed) return NULL;
    const AstList *first = rows->items[0];
    for (int r = 1; r < rows->count; r++) {
        const AstList *row = rows->items[r];
        if (row->count != first->count) {
            parser_error_at(ctx, expr_start_pos(row->items[0]),
                            "VALUES lists must all be the same length");
            return NULL;
        }
    }
    AstSelect *s = new_select(ctx, pos);
    if (s) s->values = rows;
    return s;
}

AstSelect *build_setop(ParseCtx *ctx, AstSetOp op, bool all, AstSelect *left, AstSelect *right)
{
    if (ctx->failed) return NULL;
    AstSelect *s = new_select(ctx, left->pos);
    if (!s) return NULL;
    s->set_op = op;
    s->set_all = all;
    s->left = left;
    s->right = right;
    return s;
}

AstOrderItem *build_order_item(ParseCtx *ctx, AstExpr *expr, bool desc, int nulls)
{
    if (ctx->failed) return NULL;
    AstOrderItem *item = parser_alloc(ctx, sizeof(AstOrderItem));
    if (!item) return NULL;
    item->expr = expr;
    item->descending = desc;
    item->nulls = nulls;
    item->pos = expr_start_pos(expr);
    return item;
}

OrderClause *build_order_clause(ParseCtx *ctx, AstList *items, int pos)
{
    if (ctx->failed) return NULL;
    OrderClause *c = parser_alloc(ctx, sizeof(OrderClause));
    if (!c) return NULL;
    c->items = items;
    c->pos = pos;
    return c;
}

LimitClause *build_limit(ParseCtx *ctx, AstExpr *value, bool is_limit, int pos)
{
    if (ctx->failed) return NULL;
    LimitClause *c = parser_alloc(ctx, sizeof(LimitClause));
    if (!c) return NULL;
    if (is_limit) {
        c->has_limit = true;
        c->limit = value;
        c->limit_pos = pos;
    } else {
        c->has_offset = true;
        c->offset = value;
        c->offset_pos = pos;
    }
    return c;
}

LimitClause *limit_merge(ParseCtx *ctx, LimitClause *limit, LimitClause *offset)
{
    if (ctx->failed) return NULL;
    limit->has_offset = true;
    limit->offset = offset->offset;
    limit->offset_pos = offset->offset_pos;
    return limit;
}

AstSelect *build_select_tail(ParseCtx *ctx, AstSelect *query, OrderClause *order_by,
                             LimitClause *limit)
{
    if (ctx->failed) return NULL;
    if (order_by) {
        if (query->order_by.count > 0) {
            parser_error_at(ctx, order_by->pos, "multiple ORDER BY clauses not allowed");
            return NULL;
        }
        query->order_by = *order_by->items;
    }
    if (limit && limit->has_limit) {
        if (query->limit) {
            parser_error_at(ctx, limit->limit_pos, "multiple LIMIT clauses not allowed");
            return NULL;
        }
        query->limit = limit->limit;
    }
    if (limit && limit->has_offset) {
        if (query->offset) {
            parser_error_at(ctx, limit->offset_pos, "multiple OFFSET clauses not allowed");
            return NULL;
        }
        query->offset = limit->offset;
    }
    return query;
}

AstCte *build_cte(ParseCtx *ctx, Token name, AstList *cols, AstSelect *query)
{
    if (ctx->failed) return NULL;
    AstCte *cte = parser_alloc(ctx, sizeof(AstCte));
    if (!cte) return NULL;
    cte->name = tok_ident(ctx, name);
    cte->col_aliases = list_value(cols);
    cte->query = query;
    cte->pos = name.pos;
    return ctx->failed ? NULL : cte;
}

AstSelect *build_select_with(ParseCtx *ctx, AstSelect *query, AstList *ctes, bool recursive,
                             int pos)
{
    if (ctx->failed) return NULL;
    if (query->ctes.count > 0) {
        parser_error_at(ctx, pos, "multiple WITH clauses not allowed");
        return NULL;
    }
    query->ctes = *ctes;
    query->ctes_recursive = recursive;
    query->pos = pos;
    return query;
}

/* ---- FROM ---------------------------------------------------------------------------- */

AliasClause *build_alias(ParseCtx *ctx, Token name, AstList *cols)
{
    if (ctx->failed) return NULL;
    AliasClause *a = parser_alloc(ctx, sizeof(AliasClause));
    if (!a) return NULL;
    a->name = tok_ident(ctx, name);
    a->cols = list_value(cols);
    return ctx->failed ? NULL : a;
}

static void apply_alias(AstTableRef *ref, const AliasClause *alias)
{
    if (!alias) return;
    ref->alias = alias->name;
    ref->col_aliases = alias->cols;
}

QualName qual_name(const Token *catalog, const Token *schema, Token name)
{
    QualName q;
    q.catalog = catalog ? *catalog : (Token){-1, 0};
    q.schema = schema ? *schema : (Token){-1, 0};
    q.name = name;
    return q;
}

/* The start of a qualified name (its first part). */
static int qual_pos(const QualName *q)
{
    return q->catalog.pos >= 0 ? q->catalog.pos : q->schema.pos >= 0 ? q->schema.pos : q->name.pos;
}

AstTableRef *build_table_ref(ParseCtx *ctx, QualName name, AliasClause *alias)
{
    if (ctx->failed) return NULL;
    AstTableRef *ref = parser_alloc(ctx, sizeof(AstTableRef));
    if (!ref) return NULL;
    ref->kind = TREF_TABLE;
    ref->pos = qual_pos(&name);
    if (name.catalog.pos >= 0) ref->u.table.catalog = tok_ident(ctx, name.catalog);
    if (name.schema.pos >= 0) ref->u.table.schema = tok_ident(ctx, name.schema);
    ref->u.table.name = tok_ident(ctx, name.name);
    apply_alias(ref, alias);
    return ctx->failed ? NULL : ref;
}

AstTableRef *build_function_ref(ParseCtx *ctx, Token name, AstList *args, AliasClause *alias)
{
    if (ctx->failed) return NULL;
    AstTableRef *ref = parser_alloc(ctx, sizeof(AstTableRef));
    if (!ref) return NULL;
    ref->kind = TREF_FUNCTION;
    ref->pos = name.pos;
    ref->u.func.name = tok_ident(ctx, name);
    if (args) ref->u.func.args = *args;
    apply_alias(ref, alias);
    return ctx->failed ? NULL : ref;
}

AstTableRef *build_lateral(ParseCtx *ctx, AstTableRef *ref, int pos)
{
    if (ctx->failed || !ref) return NULL;
    ref->lateral = true;
    ref->pos = pos;
    return ref;
}

AstTableRef *build_subquery_ref(ParseCtx *ctx, AstSelect *query, AliasClause *alias, int pos)
{
    if (ctx->failed) return NULL;
    AstTableRef *ref = parser_alloc(ctx, sizeof(AstTableRef));
    if (!ref) return NULL;
    /* A bare VALUES list (no ORDER BY, LIMIT or WITH of its own) is a TREF_VALUES. */
    bool bare_values = query->values && query->order_by.count == 0 && !query->limit &&
                       !query->offset && query->ctes.count == 0;
    ref->kind = bare_values ? TREF_VALUES : TREF_SUBQUERY;
    ref->pos = pos;
    ref->u.subquery.query = query;
    apply_alias(ref, alias);
    return ref;
}

AstTableRef *build_join(ParseCtx *ctx, AstJoinType type, bool natural, AstTableRef *left,
                        AstTableRef *right, AstExpr *on, AstList *using_cols, int pos)
{
    if (ctx->failed) return NULL;
    AstTableRef *ref = parser_alloc(ctx, sizeof(AstTableRef));
    if (!ref) return NULL;
    ref->kind = TREF_JOIN;
    ref->pos = pos;
    ref->u.join.type = type;
    ref->u.join.natural = natural;
    ref->u.join.left = left;
    ref->u.join.right = right;
    ref->u.join.on = on;
    ref->u.join.using = list_value(using_cols);
    return ref;
}

AstTableRef *build_paren_join(ParseCtx *ctx, AstTableRef *join, AliasClause *alias)
{
    if (ctx->failed) return NULL;
    apply_alias(join, alias);
    return join;
}

/* ---- statements ---------------------------------------------------------------------- */

static AstStatement *new_stmt(ParseCtx *ctx, AstStmtKind kind, int pos)
{
    AstStatement *s = parser_alloc(ctx, sizeof(AstStatement));
    if (!s) return NULL;
    s->kind = kind;
    s->pos = pos;
    return s;
}

AstStatement *build_stmt_select(ParseCtx *ctx, AstSelect *query)
{
    if (ctx->failed) return NULL;
    AstStatement *s = new_stmt(ctx, STMT_SELECT, query->pos);
    if (s) s->u.select.query = query;
    return s;
}

int build_nullability(ParseCtx *ctx, int prev, int next, int pos)
{
    if (ctx->failed) return next;
    if (prev != 0 && prev != next)
        parser_error_at(ctx, pos, "conflicting NULL/NOT NULL declarations");
    return next;
}

AstColumnDef *build_column_def(ParseCtx *ctx, Token name, AstTypeName *type, int nullability)
{
    if (ctx->failed) return NULL;
    AstColumnDef *col = parser_alloc(ctx, sizeof(AstColumnDef));
    if (!col) return NULL;
    col->name = tok_ident(ctx, name);
    col->type = type;
    col->not_null = nullability == 1;
    col->pos = name.pos;
    return ctx->failed ? NULL : col;
}

AstStatement *build_create_table(ParseCtx *ctx, Token name, bool if_not_exists, AstList *columns,
                                 AstSelect *query, int pos)
{
    if (ctx->failed) return NULL;
    AstStatement *s = new_stmt(ctx, STMT_CREATE_TABLE, pos);
    if (!s) return NULL;
    s->u.create_table.name = tok_ident(ctx, name);
    s->u.create_table.if_not_exists = if_not_exists;
    s->u.create_table.columns = list_value(columns);
    s->u.create_table.query = query;
    return ctx->failed ? NULL : s;
}

AstStatement *build_create_view(ParseCtx *ctx, Token name, bool or_replace, AstList *columns,
                                AstSelect *query, Token as, int pos)
{
    if (ctx->failed) return NULL;
    AstStatement *s = new_stmt(ctx, STMT_CREATE_VIEW, pos);
    if (!s) return NULL;
    s->u.create_view.name = tok_ident(ctx, name);
    s->u.create_view.or_replace = or_replace;
    s->u.create_view.columns = list_value(columns);
    s->u.create_view.query = query;
    s->u.create_view.query_start = as.pos + as.len; /* the driver cuts the text at the end */
    return ctx->failed ? NULL : s;
}

AstStatement *build_set(ParseCtx *ctx, AstStmtKind kind, const char *name, const Token *name_tok,
                        int value_kind, const Token *value, bool negative, int pos)
{
    if (ctx->failed) return NULL;
    AstStatement *s = new_stmt(ctx, kind, pos);
    if (!s) return NULL;
    s->u.set.name = name ? arena_strdup(ctx->arena, name) : tok_ident(ctx, *name_tok);
    if (!s->u.set.name) {
        parser_oom(ctx);
        return NULL;
    }
    s->u.set.value_pos = value ? value->pos : pos;
    if (value_kind == 0) {
        size_t len;
        s->u.set.value = lexer_string_value(ctx->arena, ctx->sql, *value, &len);
    } else if (value_kind == 1) {
        s->u.set.value = tok_ident(ctx, *value);
        if (s->u.set.value &&
            (strcmp(s->u.set.value, "default") == 0 ||
             (strcmp(s->u.set.value, "local") == 0 && strcmp(s->u.set.name, "timezone") == 0)))
            return s->u.set.value = NULL, s;
    } else if (value_kind == 2) {
        s->u.set.is_number = true;
        s->u.set.value = arena_alloc(ctx->arena, (size_t)value->len + 2);
        if (s->u.set.value)
            snprintf(s->u.set.value, (size_t)value->len + 2, "%s%.*s", negative ? "-" : "",
                     value->len, ctx->sql + value->pos);
    } else {
        return s;
    }
    if (!s->u.set.value) {
        if (!ctx->failed) parser_oom(ctx);
        return NULL;
    }
    return s;
}

/* Fills u.describe from a qualified name. */
static void describe_name(ParseCtx *ctx, AstStatement *s, const QualName *q)
{
    if (q->catalog.pos >= 0) s->u.describe.catalog = tok_ident(ctx, q->catalog);
    if (q->schema.pos >= 0) s->u.describe.schema = tok_ident(ctx, q->schema);
    s->u.describe.name = tok_ident(ctx, q->name);
    s->u.describe.name_pos = qual_pos(q);
}

AstStatement *build_show(ParseCtx *ctx, Token name, int pos)
{
    if (ctx->failed) return NULL;
    char *word = tok_ident(ctx, name);
    if (!word) return NULL;
    if (strcmp(word, "tables") != 0)
        return build_set(ctx, STMT_SHOW, NULL, &name, -1, NULL, false, pos);
    AstStatement *s = new_stmt(ctx, STMT_SHOW_TABLES, pos);
    if (s) s->u.describe.name_pos = name.pos;
    return s;
}

AstStatement *build_show_from(ParseCtx *ctx, Token what, QualName from, int pos)
{
    if (ctx->failed) return NULL;
    char *word = tok_ident(ctx, what);
    if (!word) return NULL;
    bool tables = strcmp(word, "tables") == 0;
    if (!tables && strcmp(word, "columns") != 0) {
        parser_error_at(ctx, what.pos, "SHOW ... FROM takes TABLES or COLUMNS");
        return NULL;
    }
    AstStatement *s = new_stmt(ctx, tables ? STMT_SHOW_TABLES : STMT_DESCRIBE, pos);
    if (!s) return NULL;
    if (tables) {
        /* FROM names a schema: [catalog.]schema, so its parts move up by one. */
        if (from.catalog.pos >= 0) {
            parser_error_at(ctx, from.catalog.pos, "SHOW TABLES FROM takes [catalog.]schema");
            return NULL;
        }
        if (from.schema.pos >= 0) s->u.describe.catalog = tok_ident(ctx, from.schema);
        s->u.describe.schema = tok_ident(ctx, from.name);
        s->u.describe.name_pos = qual_pos(&from);
    } else {
        describe_name(ctx, s, &from);
    }
    return ctx->failed ? NULL : s;
}

AstStatement *build_describe(ParseCtx *ctx, const QualName *name, AstSelect *query, int pos)
{
    if (ctx->failed) return NULL;
    AstStatement *s = new_stmt(ctx, STMT_DESCRIBE, pos);
    if (!s) return NULL;
    if (name)
        describe_name(ctx, s, name);
    else
        s->u.describe.query = query;
    return ctx->failed ? NULL : s;
}

AstStatement *build_drop_table(ParseCtx *ctx, AstList *names, bool if_exists, bool view, int pos)
{
    if (ctx->failed) return NULL;
    AstStatement *s = new_stmt(ctx, view ? STMT_DROP_VIEW : STMT_DROP_TABLE, pos);
    if (!s) return NULL;
    s->u.drop_table.names = list_value(names);
    s->u.drop_table.if_exists = if_exists;
    return s;
}

AstStatement *build_insert(ParseCtx *ctx, Token table, AstList *columns, AstSelect *query, int pos)
{
    if (ctx->failed) return NULL;
    AstStatement *s = new_stmt(ctx, STMT_INSERT, pos);
    if (!s) return NULL;
    s->u.insert.table = tok_ident(ctx, table);
    s->u.insert.table_pos = table.pos;
    s->u.insert.columns = list_value(columns);
    s->u.insert.query = query;
    return ctx->failed ? NULL : s;
}

AstOption *build_option(ParseCtx *ctx, Token name, AstExpr *value)
{
    if (ctx->failed) return NULL;
    AstOption *opt = parser_alloc(ctx, sizeof(AstOption));
    if (!opt) return NULL;
    opt->name = lexer_ident_value(ctx->arena, ctx->sql, name);
    if (!opt->name) {
        parser_oom(ctx);
        return NULL;
    }
    opt->value = value;
    opt->pos = name.pos;
    return opt;
}

AstStatement *build_copy(ParseCtx *ctx, Token table, AstList *columns, Token path, AstList *options,
                         int pos)
{
    if (ctx->failed) return NULL;
    AstStatement *s = new_stmt(ctx, STMT_COPY, pos);
    if (!s) return NULL;
    s->u.copy.table = tok_ident(ctx, table);
    s->u.copy.table_pos = table.pos;
    s->u.copy.columns = list_value(columns);
    s->u.copy.path = lexer_string_value(ctx->arena, ctx->sql, path, NULL);
    if (!s->u.copy.path) parser_oom(ctx);
    s->u.copy.path_pos = path.pos;
    s->u.copy.options = list_value(options);
    return ctx->failed ? NULL : s;
}

AstStatement *build_explain(ParseCtx *ctx, AstStatement *stmt, bool analyze, AstList *options,
                            int pos)
{
    if (ctx->failed) return NULL;
    AstStatement *s = new_stmt(ctx, STMT_EXPLAIN, pos);
    if (!s) return NULL;
    s->u.explain.stmt = stmt;
    s->u.explain.analyze = analyze;
    s->u.explain.options = list_value(options);
    return s;
}
