/*
 * fold.c — the planner's constant evaluator (planner.h's ExprEvaluator), backed by the
 * executor's own expression evaluation. The optimizer folds constant expressions through
 * it, so that a folded constant is exactly what the query would have computed at run
 * time: the same decimal scales, the same date arithmetic, and an expression that would
 * fail (1/0, overflow) is not folded, so it fails only if a row reaches it.
 */
#include "server/server_int.h"

static Status fold_eval(void *ctx, const Expr *expr, Arena *arena, Value *out, bool *folded,
                        Error *err)
{
    (void)ctx;
    return expr_eval_constant(expr, arena, out, folded, err);
}

void evaluator_init(ExprEvaluator *evaluator)
{
    evaluator->ctx = NULL;
    evaluator->eval = fold_eval;
}
