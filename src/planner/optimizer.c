/*
 * optimizer.c — rewrites of the logical plan, applied in order. Each rule lives in its
 * own file (rule_*.c); this file runs them.
 *
 *   rule_zone_filters   conjuncts `column op constant` above a scan become zone-map
 *                       conditions of the scan (the filter stays: zone maps only skip)
 *   rule_prune_columns  scans read only the columns something above them uses
 */
#include "planner/planner_int.h"

Status planner_optimize(LogicalOp **plan, Arena *arena, Error *err)
{
    BS_TRY(rule_zone_filters(*plan, arena, err));
    BS_TRY(rule_prune_columns(*plan, arena, err));
    return logical_resolve_tree(*plan, arena, err);
}
