/*
 * window_int.h — the Window operator's state, shared by op_window.c (collecting,
 * evaluating, emitting) and window_sort.c (numbering partitions, flattening the rows and
 * sorting each partition). See op_window.c for the operator as a whole.
 */
#ifndef BASALT_EXEC_WINDOW_INT_H
#define BASALT_EXEC_WINDOW_INT_H

#include "common/cast.h"
#include "exec/exec_int.h"
#include "exec/kernels.h"

typedef enum WindowState { WS_COLLECTING, WS_EVALUATING, WS_EMITTING, WS_DONE } WindowState;

/* A column in sorted order: n values of its physical type, validity (NULL: all valid). */
typedef struct SortedCol {
    PhysicalType p;
    size_t width;
    void *data;
    uint64_t *valid;
} SortedCol;

/* A per-row array outside the arena (see big_alloc). */
typedef struct BigArray {
    struct BigArray *next;
    void *p;
    size_t size;
} BigArray;

typedef struct WinAggScratch WinAggScratch;

typedef struct WindowOp {
    Operator base;
    WindowState state;
    int n_in;
    Arena *rows_arena; /* the collected chunks and their array; destroyed once the rows are
                          flat unless string views point into it */
    Chunk **chunks;
    uint32_t n_chunks, cap_chunks;
    idx_t n_rows;
    int shift;
    idx_t mask;
    uint32_t *perm; /* sorted position → row number */
    idx_t n_parts;
    idx_t *part_bounds; /* partition p is perm[part_bounds[p] .. part_bounds[p + 1]) */
    idx_t max_part;     /* rows of the largest partition */
    /* per function: its result in sorted order */
    SortedCol *results;
    idx_t emit_pos;
    Chunk *out;
    /* scratch over all rows (filled per partition) */
    uint32_t *peer_lo, *peer_hi, *group_start, *group_of;
    bool need_peers; /* peer_lo/hi and group_start exist (some function reads them) */
    int64_t *frame_lo, *frame_hi;
    BigArray *big; /* every big_alloc, freed by close */
    /* Once partitions are numbered: the rows copied into one flat array per column (these
       Vectors, n_rows long), partition after partition, so that sorting, evaluating and
       emitting a partition read memory close together; row numbers are then positions
       in them. NULL before (row numbers index the chunks). */
    Vector *flat;
    WinAggScratch *agg; /* window_agg.c's scratch, made at its first use */
} WindowOp;

static inline bool sc_valid(const SortedCol *c, idx_t i)
{
    return validity_get(c->valid, i);
}

static inline int64_t sc_i64(const SortedCol *c, idx_t i)
{
    switch (c->p) {
    case PHYS_BOOL:
        return ((const uint8_t *)c->data)[i];
    case PHYS_INT32:
        return ((const int32_t *)c->data)[i];
    default:
        return ((const int64_t *)c->data)[i];
    }
}

/* Whether window_agg_eval computes aggregate f (op_window.c has faster paths for plain
   count, sum, avg, min and max). */
bool window_agg_is_general(const PlanWindowFunc *f);
/*
 * Aggregate f over the frames [frame_lo, frame_hi) of every row of partition [ps, pe) (less
 * the rows EXCLUDE takes out) into res: args are its argument and ORDER BY keys in sorted
 * order. Combinable aggregates fold once (whole partition), incrementally (frames from the
 * partition's start) or through a segment tree of their states; DISTINCT, quantiles,
 * string_agg and approx_distinct follow the frame's rows as they enter and leave it.
 */
Status window_agg_eval(WindowOp *w, const PlanWindowFunc *f, const SortedCol *args,
                       SortedCol *res, idx_t ps, idx_t pe, Error *err);

static inline const Vector *col_at(const WindowOp *w, int col, uint32_t row, uint32_t *at)
{
    if (w->flat) {
        *at = row;
        return &w->flat[col];
    }
    *at = (uint32_t)(row & w->mask);
    return &w->chunks[row >> w->shift]->cols[col];
}

/* A zeroed per-row array of `size` bytes charged to the operator (see op_window.c). */
void *window_big_alloc(WindowOp *w, size_t size, Error *err);

typedef struct KeyRow KeyRow;

/* Sort scratch, grown to the largest partition. */
typedef struct SortScratch {
    KeyRow *keys, *tmp;
    uint32_t *nulls;
    idx_t cap;
} SortScratch;

/* Numbers partitions and copies the rows into flat columns grouped by partition: sets
   perm, n_parts, part_bounds and max_part. */
Status window_partition_rows(WindowOp *w, Error *err);
/* Sorts perm[ps..pe) (one partition, arrival order) and fills its peer groups. */
Status window_sort_partition(WindowOp *w, idx_t ps, idx_t pe, SortScratch *s, Error *err);

/* lag, lead (IGNORE NULLS), first_value, last_value, nth_value (EXCLUDE, IGNORE NULLS) of
   partition [ps, pe) into res; frames computed (not needed by lag and lead). */
Status window_value_eval(WindowOp *w, const PlanWindowFunc *f, const SortedCol *args,
                         SortedCol *res, idx_t ps, idx_t pe, Error *err);

#endif
