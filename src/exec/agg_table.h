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
/* The same with the rows' key hashes already computed (hash_rows over the group columns). */
Status agg_table_add_hashed(AggTable *t, Chunk *chunk, const uint64_t *hashes, Error *err);
/* The radix partition [0, n_parts) of a group with this key hash (as agg_table_partition). */
uint32_t agg_table_radix_partition(uint64_t hash, uint32_t n_parts);
/*
 * Folds all of src's groups into dst (same node); src is left unchanged. Stops with 57014
 * when `task` is stopping (checked every few thousand groups).
 */
Status agg_table_merge(AggTable *dst, AggTable *src, const Task *task, Error *err);
/* Like agg_table_merge for src's groups groups[0..n) only (no DISTINCT aggregates). */
Status agg_table_merge_groups(AggTable *dst, const AggTable *src, const uint32_t *groups,
                              uint32_t n, const Task *task, Error *err);
uint32_t agg_table_groups(const AggTable *t);
/*
 * Splits the groups into n_parts radix partitions by their hash (once, when no more rows
 * come): equal keys fall in the same partition in every table, so partition k of all the
 * tables of an aggregation can be merged apart from the others. A table without keys has
 * its one group in partition 0.
 */
Status agg_table_partition(AggTable *t, uint32_t n_parts, Error *err);
/* The groups of partition `part` (after agg_table_partition): their count, *groups set. */
uint32_t agg_table_partition_groups(const AggTable *t, uint32_t part, const uint32_t **groups);
/*
 * Writes groups [first, first+count) into out (the node's output columns, or for PARTIAL
 * its state columns): keys, then one value (or state) per aggregate.
 */
Status agg_table_emit(AggTable *t, uint32_t first, uint32_t count, Chunk *out, Error *err);
/* As agg_table_emit for the groups groups[0..count). */
Status agg_table_emit_list(AggTable *t, const uint32_t *groups, uint32_t count, Chunk *out,
                           Error *err);

#endif
