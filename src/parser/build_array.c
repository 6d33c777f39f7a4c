/*
 * build_array.c — node builders for arrays: ARRAY[…] and ARRAY(subquery) constructors,
 * subscripts and slices, `op ANY|SOME|ALL (array)`, and array type names.
 */
#include "parser/parser_int.h"

static AstExpr *new_node(ParseCtx *ctx, AstExprKind kind, int pos)
{
    AstExpr *e = parser_alloc(ctx, sizeof(AstExpr));
    if (!e) return NULL;
    e->kind = kind;
    e->pos = pos;
    return e;
}

AstExpr *build_array(ParseCtx *ctx, AstList *elems, AstSelect *query, int pos)
{
    if (ctx->failed) return NULL;
    AstExpr *e = new_node(ctx, AST_ARRAY, pos);
    if (!e) return NULL;
    if (elems) e->u.array.elems = *elems;
    e->u.array.query = query;
    return e;
}

AstExpr *build_subscript(ParseCtx *ctx, AstExpr *arg, AstExpr *lower, AstExpr *upper, bool slice,
                         int pos)
{
    if (ctx->failed) return NULL;
    AstExpr *e = new_node(ctx, AST_SUBSCRIPT, pos);
    if (!e) return NULL;
    e->u.subscript.arg = arg;
    e->u.subscript.lower = lower;
    e->u.subscript.upper = upper;
    e->u.subscript.slice = slice;
    return e;
}

AstExpr *build_any_all(ParseCtx *ctx, AstOp op, bool all, AstExpr *arg, AstExpr *array, int pos)
{
    if (ctx->failed) return NULL;
    AstExpr *e = new_node(ctx, AST_ANY_ALL, pos);
    if (!e) return NULL;
    e->u.any_all.op = op;
    e->u.any_all.all = all;
    e->u.any_all.arg = arg;
    e->u.any_all.array = array;
    return e;
}

AstTypeName *build_type_array(ParseCtx *ctx, AstTypeName *type)
{
    if (ctx->failed) return NULL;
    type->array_dims++;
    return type;
}

AstTableRef *build_ordinality(ParseCtx *ctx, AstTableRef *ref)
{
    if (ctx->failed) return NULL;
    ref->u.func.ordinality = true;
    return ref;
}
