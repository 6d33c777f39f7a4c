/*
 * optimizer.c — rewrites of the logical plan, applied in order. Each rule lives in its
 * own file (rule_*.c); this file runs them.
 *
 *   rule_simplify       every expression simplified: constants folded (through the
 *                       executor's evaluator), casts moved from columns to constants,
 *                       boolean logic, IN lists, CASE; filters that are always TRUE go
 *   rule_joins          filter conjuncts pushed down to the lowest operator that has their
 *                       columns (into join conditions too); inner joins reordered greedily
 *                       by estimated size; every operator's row estimate set
 *   rule_zone_filters   conjuncts `column op constant` above a scan become zone-map
 *                       conditions of the scan (the filter stays: zone maps only skip);
 *                       they are derived from the simplified predicates
 *   rule_common_subexpr subexpressions a projection or aggregation computes more than
 *                       once are computed once, by a new projection below it
 *   rule_prune_columns  scans read only the columns something above them uses
 */
#include "planner/planner_int.h"

Status planner_optimize(LogicalOp **plan, const ExprEvaluator *evaluator, Arena *arena, Error *err)
{
    BS_TRY(rule_simplify(plan, evaluator, arena, err));
    BS_TRY(rule_joins(plan, arena, err));
    BS_TRY(rule_zone_filters(*plan, arena, err));
    BS_TRY(rule_common_subexpr(*plan, arena, err));
    BS_TRY(rule_prune_columns(*plan, arena, err));
    return logical_resolve_tree(*plan, arena, err);
}
