/*
 * sort_int.h — what Sort and TopN share: sorted runs of row references into chunks, the
 * state their sinks hand runs to, the row comparison and the merging source.
 */
#ifndef BASALT_EXEC_SORT_INT_H
#define BASALT_EXEC_SORT_INT_H

#include "exec/exec_int.h"

#include <pthread.h>

typedef struct RowRef {
    uint32_t chunk, row;
} RowRef;

/* Rows in chunks, and references to them in sorted order. */
typedef struct Run {
    Chunk **chunks;
    uint32_t n_chunks;
    RowRef *refs;
    idx_t n_refs;
} Run;

/* Sort's (and TopN's) shared state: the runs the sinks produced, for the source. */
struct BreakerState {
    const PlanNode *node;
    pthread_mutex_t lock;
    MemTracker tracker;
    Arena *arena; /* runs live here until the task ends */
    int n_runs, cap_runs;
    Run **runs;
    /* The source's key ranges, one per driver, cut by the first driver that starts:
       range k of run r is refs[bounds[r * (n_ranges + 1) + k] .. bounds[… + k + 1]). */
    int n_ranges;
    bool ranges_cut;
    idx_t *bounds;
};

/* Compares row x of run a with row y of run b by the node's sort keys. */
int sort_compare_rows(const PlanNode *node, const Run *ra, RowRef x, const Run *rb, RowRef y);
/*
 * Makes a run of the rows of chunks[0..n_chunks) (n_rows in all) sorted by the node's
 * keys, ties in arrival order. The run and its references are allocated in arena.
 */
Status sort_make_run(const PlanNode *node, Arena *arena, Chunk **chunks, uint32_t n_chunks,
                     idx_t n_rows, Run **out, Error *err);
/* Hands a run to the shared state (thread-safe). */
Status sort_add_run(BreakerState *shared, Run *run, Error *err);
/*
 * Copies row `row` of src to row `at` of out (flat columns of the same types). String
 * bytes are copied into out's batch arena when copy_strings, else referenced.
 */
Status sort_copy_row(Chunk *out, idx_t at, const Chunk *src, uint32_t row, bool copy_strings,
                     Error *err);

#endif
