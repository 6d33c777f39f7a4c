/*
 * build_window.c — node builders for window calls: OVER clauses, window specifications,
 * frames and the WINDOW clause (called by sql.y's actions, as build_expr.c's are).
 *
 * The parser records what was written; merging a specification with the named window it
 * refers to, and every check of frames against the SQL rules, are the binder's
 * (planner/bind_window.c).
 */
#include "parser/parser_int.h"

static AstList list_value(const AstList *list)
{
    AstList empty = {0, 0, NULL};
    return list ? *list : empty;
}

AstExpr *build_over(ParseCtx *ctx, AstExpr *func, AstWindowSpec *spec, bool bare, int pos)
{
    if (ctx->failed) return NULL;
    (void)pos;
    spec->bare_ref = bare;
    func->u.func.over = spec;
    return func;
}

AstExpr *build_null_treatment(ParseCtx *ctx, AstExpr *func, Token treatment)
{
    if (ctx->failed) return NULL;
    if (func->u.func.nulls != AST_NULLS_DEFAULT) {
        parser_error_at(ctx, treatment.pos, "a null treatment is given twice");
        return NULL;
    }
    func->u.func.nulls = (uint8_t)treatment.len;
    func->u.func.nulls_pos = treatment.pos;
    return func;
}

AstWindowSpec *build_window_spec(ParseCtx *ctx, Token ref, AstList *partition, AstList *order,
                                 AstWindowSpec *frame)
{
    if (ctx->failed) return NULL;
    AstWindowSpec *s = frame;
    if (!s) {
        s = parser_alloc(ctx, sizeof(AstWindowSpec));
        if (!s) return NULL;
        s->unit = AST_FRAME_DEFAULT;
        s->frame_pos = -1;
        s->exclude_pos = -1;
    }
    s->pos = ref.pos;
    s->ref_pos = ref.pos;
    if (ref.pos >= 0) {
        s->ref = tok_ident(ctx, ref);
        if (!s->ref) return NULL;
    }
    s->partition_by = list_value(partition);
    s->order_by = list_value(order);
    if (s->pos < 0 && partition && partition->count)
        s->pos = expr_start_pos(partition->items[0]);
    if (s->pos < 0 && order && order->count) s->pos = ((AstOrderItem *)order->items[0])->pos;
    if (s->pos < 0) s->pos = s->frame_pos;
    return s;
}

AstWindowSpec *build_window_frame(ParseCtx *ctx, Token unit, AstFrameBound *start,
                                  AstFrameBound *end, Token exclude)
{
    if (ctx->failed) return NULL;
    AstWindowSpec *s = parser_alloc(ctx, sizeof(AstWindowSpec));
    if (!s) return NULL;
    s->unit = (AstFrameUnit)unit.len;
    s->frame_pos = unit.pos;
    s->start = *start;
    if (end) {
        s->end = *end;
    } else {
        s->end.kind = AST_BOUND_CURRENT_ROW;
        s->end.pos = unit.pos;
    }
    s->exclude = (AstFrameExclude)exclude.len;
    s->exclude_pos = exclude.pos;
    return s;
}

AstFrameBound *build_frame_bound(ParseCtx *ctx, AstFrameBoundKind kind, AstExpr *offset, int pos)
{
    if (ctx->failed) return NULL;
    AstFrameBound *b = parser_alloc(ctx, sizeof(AstFrameBound));
    if (!b) return NULL;
    b->kind = kind;
    b->offset = offset;
    b->pos = pos >= 0 ? pos : expr_start_pos(offset);
    return b;
}

AstWindowDef *build_window_def(ParseCtx *ctx, Token name, AstWindowSpec *spec)
{
    if (ctx->failed) return NULL;
    AstWindowDef *d = parser_alloc(ctx, sizeof(AstWindowDef));
    if (!d) return NULL;
    d->name = tok_ident(ctx, name);
    d->spec = spec;
    d->pos = name.pos;
    return d->name ? d : NULL;
}

AstSelect *build_select_windows(ParseCtx *ctx, AstSelect *select, AstList *windows)
{
    if (ctx->failed) return NULL;
    select->windows = list_value(windows);
    return select;
}
