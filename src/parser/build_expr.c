/*
 * build_expr.c — the node builders the grammar's expression and type rules call:
 * token values, lists, literals, operators, function calls, the special forms (CASE,
 * CAST, EXTRACT, INTERVAL, typed literals) and type names.
 *
 * Every builder starts with `if (ctx->failed) return NULL`: after the first error its
 * arguments may be NULL and nothing more is built (see parser_int.h). Two foldings
 * happen here, as in PostgreSQL's gram.y: a minus applied to a numeric literal yields a
 * negative literal (so -9223372036854775808 is an integer), and NOT applied to EXISTS
 * sets the EXISTS node's `negated`.
 */
#include "parser/parser_int.h"

#include <string.h>

static AstExpr *new_expr(ParseCtx *ctx, AstExprKind kind, int pos)
{
    AstExpr *e = parser_alloc(ctx, sizeof(AstExpr));
    if (!e) return NULL;
    e->kind = kind;
    e->pos = pos;
    return e;
}

static const char *tok_text(ParseCtx *ctx, Token tok)
{
    return ctx->sql + tok.pos;
}

char *tok_ident(ParseCtx *ctx, Token tok)
{
    if (ctx->failed) return NULL;
    char *name = lexer_ident_value(ctx->arena, ctx->sql, tok);
    if (!name) parser_oom(ctx);
    return name;
}

/* ---- lists ----------------------------------------------------------------------- */

AstList *list_new(ParseCtx *ctx, void *item)
{
    if (ctx->failed) return NULL;
    AstList *list = parser_alloc(ctx, sizeof(AstList));
    if (!list) return NULL;
    return item ? list_add(ctx, list, item) : list;
}

AstList *list_add(ParseCtx *ctx, AstList *list, void *item)
{
    if (ctx->failed) return NULL;
    if (!ast_list_append(ctx->arena, list, item)) {
        parser_oom(ctx);
        return NULL;
    }
    return list;
}

AstList *list_ident(ParseCtx *ctx, AstList *list, Token name)
{
    char *ident = tok_ident(ctx, name);
    if (!ident) return NULL;
    return list_add(ctx, list, ident);
}

/* The list's contents by value (an empty list for NULL). */
static AstList list_value(const AstList *list)
{
    AstList empty = {0, 0, NULL};
    return list ? *list : empty;
}

/* ---- literals and names ---------------------------------------------------------- */

AstExpr *build_int_value(ParseCtx *ctx, int64_t value, int pos)
{
    if (ctx->failed) return NULL;
    AstExpr *e = new_expr(ctx, AST_LITERAL, pos);
    if (!e) return NULL;
    e->u.lit.kind = LIT_INTEGER;
    e->u.lit.ival = value;
    return e;
}

static AstExpr *number_text(ParseCtx *ctx, const char *text, size_t len, int pos)
{
    AstExpr *e = new_expr(ctx, AST_LITERAL, pos);
    if (!e) return NULL;
    e->u.lit.kind = LIT_NUMBER;
    e->u.lit.text = arena_strndup(ctx->arena, text, len);
    if (!e->u.lit.text) {
        parser_oom(ctx);
        return NULL;
    }
    e->u.lit.len = len;
    return e;
}

AstExpr *build_integer(ParseCtx *ctx, Token tok)
{
    if (ctx->failed) return NULL;
    int64_t value;
    if (lexer_integer_value(tok_text(ctx, tok), tok.len, &value))
        return build_int_value(ctx, value, tok.pos);
    return number_text(ctx, tok_text(ctx, tok), (size_t)tok.len, tok.pos);
}

AstExpr *build_number(ParseCtx *ctx, Token tok)
{
    if (ctx->failed) return NULL;
    return number_text(ctx, tok_text(ctx, tok), (size_t)tok.len, tok.pos);
}

AstExpr *build_string(ParseCtx *ctx, Token tok)
{
    if (ctx->failed) return NULL;
    AstExpr *e = new_expr(ctx, AST_LITERAL, tok.pos);
    if (!e) return NULL;
    e->u.lit.kind = LIT_STRING;
    e->u.lit.text = lexer_string_value(ctx->arena, ctx->sql, tok, &e->u.lit.len);
    if (!e->u.lit.text) {
        parser_oom(ctx);
        return NULL;
    }
    return e;
}

AstExpr *build_bool(ParseCtx *ctx, bool value, int pos)
{
    if (ctx->failed) return NULL;
    AstExpr *e = new_expr(ctx, AST_LITERAL, pos);
    if (!e) return NULL;
    e->u.lit.kind = LIT_BOOLEAN;
    e->u.lit.bval = value;
    return e;
}

AstExpr *build_null(ParseCtx *ctx, int pos)
{
    if (ctx->failed) return NULL;
    AstExpr *e = new_expr(ctx, AST_LITERAL, pos);
    if (e) e->u.lit.kind = LIT_NULL;
    return e;
}

AstExpr *build_column(ParseCtx *ctx, const Token *qualifier, Token name)
{
    if (ctx->failed) return NULL;
    AstExpr *e = new_expr(ctx, AST_COLUMN, qualifier ? qualifier->pos : name.pos);
    if (!e) return NULL;
    if (qualifier) e->u.column.qualifier = tok_ident(ctx, *qualifier);
    e->u.column.name = tok_ident(ctx, name);
    return ctx->failed ? NULL : e;
}

AstExpr *build_star(ParseCtx *ctx, const Token *qualifier, int pos)
{
    if (ctx->failed) return NULL;
    AstExpr *e = new_expr(ctx, AST_STAR, pos);
    if (!e) return NULL;
    if (qualifier) e->u.star.qualifier = tok_ident(ctx, *qualifier);
    return ctx->failed ? NULL : e;
}

/* ---- operators -------------------------------------------------------------------- */

/* -literal: negates the literal in place (text "-…" for LIT_NUMBER). */
static AstExpr *negate_literal(ParseCtx *ctx, AstExpr *lit, int pos)
{
    static const char INT64_MIN_DIGITS[] = "9223372036854775808";
    if (lit->u.lit.kind == LIT_INTEGER) {
        if (lit->u.lit.ival == INT64_MIN)
            return number_text(ctx, INT64_MIN_DIGITS, sizeof(INT64_MIN_DIGITS) - 1, pos);
        lit->u.lit.ival = -lit->u.lit.ival;
        lit->pos = pos;
        return lit;
    }
    const char *text = lit->u.lit.text;
    size_t len = lit->u.lit.len;
    if (len > 0 && text[0] == '-') return number_text(ctx, text + 1, len - 1, pos);
    if (strcmp(text, INT64_MIN_DIGITS) == 0) return build_int_value(ctx, INT64_MIN, pos);
    char *neg = arena_alloc(ctx->arena, len + 2);
    if (!neg) {
        parser_oom(ctx);
        return NULL;
    }
    neg[0] = '-';
    memcpy(neg + 1, text, len + 1);
    lit->u.lit.text = neg;
    lit->u.lit.len = len + 1;
    lit->pos = pos;
    return lit;
}

AstExpr *build_unary(ParseCtx *ctx, AstOp op, AstExpr *arg, int pos)
{
    if (ctx->failed) return NULL;
    if (op == OP_NEG && arg->kind == AST_LITERAL &&
        (arg->u.lit.kind == LIT_INTEGER || arg->u.lit.kind == LIT_NUMBER))
        return negate_literal(ctx, arg, pos);
    if (op == OP_NOT && arg->kind == AST_EXISTS) {
        arg->u.exists.negated = !arg->u.exists.negated;
        arg->pos = pos;
        return arg;
    }
    AstExpr *e = new_expr(ctx, AST_UNARY, pos);
    if (!e) return NULL;
    e->u.unary.op = op;
    e->u.unary.arg = arg;
    return e;
}

AstExpr *build_binary(ParseCtx *ctx, AstOp op, AstExpr *left, AstExpr *right, int pos)
{
    if (ctx->failed) return NULL;
    AstExpr *e = new_expr(ctx, AST_BINARY, pos);
    if (!e) return NULL;
    e->u.binary.op = op;
    e->u.binary.left = left;
    e->u.binary.right = right;
    return e;
}

AstExpr *build_is_null(ParseCtx *ctx, AstExpr *arg, bool negated, int pos)
{
    if (ctx->failed) return NULL;
    AstExpr *e = new_expr(ctx, AST_IS_NULL, pos);
    if (!e) return NULL;
    e->u.is_null.arg = arg;
    e->u.is_null.negated = negated;
    return e;
}

AstExpr *build_between(ParseCtx *ctx, AstExpr *arg, AstExpr *low, AstExpr *high, bool negated,
                       int pos)
{
    if (ctx->failed) return NULL;
    AstExpr *e = new_expr(ctx, AST_BETWEEN, pos);
    if (!e) return NULL;
    e->u.between.arg = arg;
    e->u.between.low = low;
    e->u.between.high = high;
    e->u.between.negated = negated;
    return e;
}

AstExpr *build_in_list(ParseCtx *ctx, AstExpr *arg, AstList *list, bool negated, int pos)
{
    if (ctx->failed) return NULL;
    AstExpr *e = new_expr(ctx, AST_IN_LIST, pos);
    if (!e) return NULL;
    e->u.in_list.arg = arg;
    e->u.in_list.list = list_value(list);
    e->u.in_list.negated = negated;
    return e;
}

AstExpr *build_in_select(ParseCtx *ctx, AstExpr *arg, AstSelect *query, bool negated, int pos)
{
    if (ctx->failed) return NULL;
    AstExpr *e = new_expr(ctx, AST_IN_SELECT, pos);
    if (!e) return NULL;
    e->u.in_select.arg = arg;
    e->u.in_select.query = query;
    e->u.in_select.negated = negated;
    return e;
}

AstExpr *build_quantified(ParseCtx *ctx, AstExpr *arg, int op, bool all, AstSelect *query,
                          AstExpr *array, int pos)
{
    if (ctx->failed) return NULL;
    AstExpr *e = new_expr(ctx, AST_QUANTIFIED, pos);
    if (!e) return NULL;
    e->u.quantified.arg = arg;
    e->u.quantified.op = (AstOp)op;
    e->u.quantified.all = all;
    e->u.quantified.query = query;
    e->u.quantified.array = array;
    return e;
}

AstExpr *build_like(ParseCtx *ctx, AstExpr *arg, AstExpr *pattern, AstExpr *escape, bool negated,
                    bool case_insensitive, int pos)
{
    if (ctx->failed) return NULL;
    AstExpr *e = new_expr(ctx, AST_LIKE, pos);
    if (!e) return NULL;
    e->u.like.arg = arg;
    e->u.like.pattern = pattern;
    e->u.like.escape = escape;
    e->u.like.negated = negated;
    e->u.like.case_insensitive = case_insensitive;
    return e;
}

/* ---- special forms ------------------------------------------------------------------ */

AstExpr *build_cast(ParseCtx *ctx, AstExpr *arg, AstTypeName *type, int pos)
{
    if (ctx->failed) return NULL;
    AstExpr *e = new_expr(ctx, AST_CAST, pos);
    if (!e) return NULL;
    e->u.cast.arg = arg;
    e->u.cast.type = type;
    return e;
}

AstExpr *build_try_cast(ParseCtx *ctx, AstExpr *arg, AstTypeName *type, int pos)
{
    AstExpr *e = build_cast(ctx, arg, type, pos);
    if (e) e->u.cast.is_try = true;
    return e;
}

AstExpr *build_typed_literal(ParseCtx *ctx, AstTypeName *type, Token str)
{
    if (ctx->failed) return NULL;
    AstExpr *lit = build_string(ctx, str);
    if (!lit) return NULL;
    AstExpr *e = build_cast(ctx, lit, type, type->pos);
    if (e) e->u.cast.is_literal = true;
    return e;
}

AstExpr *build_function_named(ParseCtx *ctx, const char *name, AstList *args, int pos)
{
    if (ctx->failed) return NULL;
    AstExpr *e = new_expr(ctx, AST_FUNCTION, pos);
    if (!e) return NULL;
    e->u.func.name = arena_strdup(ctx->arena, name);
    if (!e->u.func.name) {
        parser_oom(ctx);
        return NULL;
    }
    e->u.func.args = list_value(args);
    return e;
}

AstExpr *build_function(ParseCtx *ctx, Token name, AstList *args, bool star, bool distinct)
{
    if (ctx->failed) return NULL;
    AstExpr *e = new_expr(ctx, AST_FUNCTION, name.pos);
    if (!e) return NULL;
    e->u.func.name = tok_ident(ctx, name);
    e->u.func.args = list_value(args);
    e->u.func.star = star;
    e->u.func.distinct = distinct;
    return ctx->failed ? NULL : e;
}

AstExpr *build_function_order(ParseCtx *ctx, AstExpr *call, AstList *order)
{
    if (ctx->failed) return NULL;
    if (order) call->u.func.order = list_value(order);
    return call;
}

AstExpr *build_function_suffix(ParseCtx *ctx, AstExpr *call, AstList *within, AstExpr *filter)
{
    if (ctx->failed) return NULL;
    if (within) {
        if (call->u.func.order.count > 0) {
            parser_error_at(ctx, call->pos,
                            "cannot use multiple ORDER BY clauses with WITHIN GROUP");
            return NULL;
        }
        call->u.func.order = list_value(within);
        call->u.func.within_group = true;
    }
    call->u.func.filter = filter;
    return call;
}

AstCaseWhen *build_when(ParseCtx *ctx, AstExpr *when, AstExpr *then)
{
    if (ctx->failed) return NULL;
    AstCaseWhen *w = parser_alloc(ctx, sizeof(AstCaseWhen));
    if (!w) return NULL;
    w->when = when;
    w->then = then;
    return w;
}

AstExpr *build_case(ParseCtx *ctx, AstExpr *operand, AstList *whens, AstExpr *else_expr, int pos)
{
    if (ctx->failed) return NULL;
    AstExpr *e = new_expr(ctx, AST_CASE, pos);
    if (!e) return NULL;
    e->u.case_.operand = operand;
    e->u.case_.whens = list_value(whens);
    e->u.case_.else_expr = else_expr;
    return e;
}

AstExpr *build_exists(ParseCtx *ctx, AstSelect *query, int pos)
{
    if (ctx->failed) return NULL;
    AstExpr *e = new_expr(ctx, AST_EXISTS, pos);
    if (e) e->u.exists.query = query;
    return e;
}

AstExpr *build_subquery(ParseCtx *ctx, AstSelect *query, int pos)
{
    if (ctx->failed) return NULL;
    AstExpr *e = new_expr(ctx, AST_SUBQUERY, pos);
    if (e) e->u.subquery.query = query;
    return e;
}

AstExpr *build_interval(ParseCtx *ctx, Token str, char *unit, int pos)
{
    if (ctx->failed) return NULL;
    AstExpr *e = new_expr(ctx, AST_INTERVAL, pos);
    if (!e) return NULL;
    e->u.interval.text = lexer_string_value(ctx->arena, ctx->sql, str, NULL);
    if (!e->u.interval.text) {
        parser_oom(ctx);
        return NULL;
    }
    e->u.interval.unit = unit;
    return e;
}

AstExpr *build_extract(ParseCtx *ctx, char *field, AstExpr *arg, int pos)
{
    if (ctx->failed) return NULL;
    AstExpr *e = new_expr(ctx, AST_EXTRACT, pos);
    if (!e) return NULL;
    e->u.extract.field = field;
    e->u.extract.arg = arg;
    return e;
}

int expr_start_pos(const AstExpr *expr)
{
    /* A failed build (out of memory: the context has failed) has no position. */
    if (!expr) return -1;
    /* Walks down the left spine: infix nodes sit at their operator. */
    for (;;) {
        const AstExpr *next = NULL;
        switch (expr->kind) {
        case AST_BINARY:
            next = expr->u.binary.left;
            break;
        case AST_IS_NULL:
            next = expr->u.is_null.arg;
            break;
        case AST_BETWEEN:
            next = expr->u.between.arg;
            break;
        case AST_IN_LIST:
            next = expr->u.in_list.arg;
            break;
        case AST_IN_SELECT:
            next = expr->u.in_select.arg;
            break;
        case AST_QUANTIFIED:
            next = expr->u.quantified.arg;
            break;
        case AST_LIKE:
            next = expr->u.like.arg;
            break;
        case AST_CAST:
            next = expr->u.cast.is_literal ? NULL : expr->u.cast.arg;
            break;
        case AST_SUBSCRIPT:
            next = expr->u.subscript.arg;
            break;
        case AST_ANY_ALL:
            next = expr->u.any_all.arg;
            break;
        default:
            break;
        }
        if (!next || next->pos > expr->pos) return expr->pos;
        expr = next;
    }
}

/* ---- type names --------------------------------------------------------------------- */

AstTypeName *build_type(ParseCtx *ctx, Token name)
{
    if (ctx->failed) return NULL;
    AstTypeName *t = parser_alloc(ctx, sizeof(AstTypeName));
    if (!t) return NULL;
    t->name = tok_ident(ctx, name);
    t->pos = name.pos;
    return ctx->failed ? NULL : t;
}

/* An arena copy of a fixed name, so that every name in the tree is writable memory. */
static char *fixed_name(ParseCtx *ctx, const char *name)
{
    char *copy = arena_strdup(ctx->arena, name);
    if (!copy) parser_oom(ctx);
    return copy;
}

/* A syntax error at tok, as if the grammar had rejected it. */
static void reject_token(ParseCtx *ctx, Token tok)
{
    parser_syntax_error(ctx, -1, tok);
}

AstTypeName *build_type_2words(ParseCtx *ctx, Token first, Token second)
{
    AstTypeName *t = build_type(ctx, first);
    char *word = tok_ident(ctx, second);
    if (!t || !word) return NULL;
    const char *name = NULL;
    if (strcmp(word, "precision") == 0 && strcmp(t->name, "double") == 0)
        name = "double precision";
    else if (strcmp(word, "varying") == 0 &&
             (strcmp(t->name, "character") == 0 || strcmp(t->name, "char") == 0))
        name = "character varying";
    if (!name) {
        reject_token(ctx, second);
        return NULL;
    }
    t->name = fixed_name(ctx, name);
    return ctx->failed ? NULL : t;
}

AstTypeName *build_type_param(ParseCtx *ctx, AstTypeName *type, Token param)
{
    if (ctx->failed) return NULL;
    int64_t value;
    if (!lexer_integer_value(tok_text(ctx, param), param.len, &value) || value > INT32_MAX) {
        parser_error_at(ctx, param.pos, "type modifier is out of range");
        return NULL;
    }
    if (type->n_params < 2) type->params[type->n_params++] = value;
    return type;
}

AstTypeName *build_type_zone(ParseCtx *ctx, AstTypeName *type, bool with_zone, Token kw)
{
    if (ctx->failed) return NULL;
    bool is_timestamp = strcmp(type->name, "timestamp") == 0;
    if (!is_timestamp && strcmp(type->name, "time") != 0) {
        reject_token(ctx, kw);
        return NULL;
    }
    if (with_zone)
        type->name =
            fixed_name(ctx, is_timestamp ? "timestamp with time zone" : "time with time zone");
    return ctx->failed ? NULL : type;
}

char *build_unit(ParseCtx *ctx, Token first, const Token *second)
{
    static const char *const UNITS[] = {"year", "month", "day", "hour", "minute", "second"};
    char *a = tok_ident(ctx, first);
    if (!a) return NULL;
    if (!second) return a;
    char *b = tok_ident(ctx, *second);
    if (!b) return NULL;
    int ia = -1, ib = -1;
    for (int k = 0; k < (int)BS_ARRAY_LEN(UNITS); k++) {
        if (strcmp(a, UNITS[k]) == 0) ia = k;
        if (strcmp(b, UNITS[k]) == 0) ib = k;
    }
    /* SQL's ranges: YEAR TO MONTH, and DAY/HOUR/MINUTE TO a smaller unit. */
    bool ok = ia >= 0 && ib > ia && (ia == 0 ? ib == 1 : ia >= 2);
    if (!ok) {
        reject_token(ctx, *second);
        return NULL;
    }
    char *unit = arena_sprintf(ctx->arena, "%s to %s", a, b);
    if (!unit) parser_oom(ctx);
    return unit;
}
