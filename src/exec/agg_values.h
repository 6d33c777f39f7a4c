/*
 * agg_values.h — the values a holistic aggregate keeps per group (string_agg, quantiles):
 * an append-only list of (group, value, order keys) entries in accounted memory, sorted
 * once when the results are emitted. The hash table (agg_table.c) owns one per such
 * aggregate and passes the group of every row.
 */
#ifndef BASALT_EXEC_AGG_VALUES_H
#define BASALT_EXEC_AGG_VALUES_H

#include "exec/exec_int.h"

typedef struct AggValues AggValues;

/* A list for aggregate `agg` over input columns of in_types; NULL with err set on failure. */
AggValues *agg_values_create(const PlanAggregate *agg, const LogicalType *in_types,
                             MemTracker *tracker, Error *err);
void agg_values_destroy(AggValues *v);
/* Appends the rows of chunk whose argument is not NULL; row i belongs to group row_group[i]. */
Status agg_values_add(AggValues *v, Chunk *chunk, const uint32_t *row_group, Error *err);
/* Appends src's entries (same aggregate), src's group g becoming map[g]. */
Status agg_values_merge(AggValues *dst, const AggValues *src, const uint32_t *map, Error *err);
/*
 * Writes the results of groups [first, first+count) of a table of n_groups groups into rows
 * 0… of out (strings point into memory the list owns). The first call sorts the entries;
 * nothing may be added afterwards.
 */
Status agg_values_emit(AggValues *v, uint32_t n_groups, uint32_t first, uint32_t count, Vector *out,
                       Error *err);

#endif
