/*
 * agg_table.h — the hash table of a hash aggregation: groups (their key values, stored
 * column-wise), an open-addressing index over them, and a fixed-size state per group and
 * aggregate. DISTINCT aggregates also keep a set of (group, value) pairs so that each
 * value counts once. Memory is charged to the owning operator's tracker.
 */
#ifndef BASALT_EXEC_AGG_TABLE_H
#define BASALT_EXEC_AGG_TABLE_H

#include "exec/exec_int.h"

typedef struct AggTable AggTable;

/*
 * A table for aggregation node `node` (its mode, groups and aggregates) over input columns
 * of in_types. A table without groups holds its single group from the start, so an
 * aggregation of no rows still yields its one row.
 */
AggTable *agg_table_create(const PlanNode *node, const LogicalType *in_types, MemTracker *tracker,
                           Error *err);
void agg_table_destroy(AggTable *t);
/* Empties the table (no groups; a table without keys gets its one group back), keeping
   its memory for the next batch of groups. Not for DISTINCT aggregates. */
void agg_table_clear(AggTable *t);
/* Adds the rows of chunk: finds or creates each row's group and updates its states. */
Status agg_table_add(AggTable *t, Chunk *chunk, Error *err);
/*
 * Folds all of src's groups into dst (same node); src is left unchanged. Stops with 57014
 * when `task` is stopping (checked every few thousand groups).
 */
Status agg_table_merge(AggTable *dst, AggTable *src, const Task *task, Error *err);
uint32_t agg_table_groups(const AggTable *t);
/*
 * Writes groups [first, first+count) into out (the node's output columns, or for PARTIAL
 * its state columns): keys, then one value (or state) per aggregate.
 */
Status agg_table_emit(AggTable *t, uint32_t first, uint32_t count, Chunk *out, Error *err);

/*
 * approx_distinct's HyperLogLog, for the Window operator's: AGG_HLL_REGISTERS registers,
 * each the largest rank (1 … AGG_HLL_RANKS - 1; 0: none) of the hashes it received.
 * agg_hll_slot gives a value hash's register and rank; agg_hll_estimate the estimate from
 * hist[r], the number of registers holding r (a histogram of AGG_HLL_RANKS entries).
 */
enum { AGG_HLL_REGISTERS = 4096, AGG_HLL_RANKS = 64 };
uint32_t agg_hll_slot(uint64_t hash, uint8_t *rank);
int64_t agg_hll_estimate(const uint32_t *hist);

#endif
