/*
 * join_int.h — what the files of PLAN_JOIN share: the build side's rows and hash index
 * (join_table.c, with the build sink), the probe operator (op_hash_join.c) and the
 * nested-loop pair generator (op_nested_loop_join.c).
 *
 * Build rows. Each build driver appends its rows, row-major, to blocks of its own (no
 * locks) of 2^block_shift rows each — about 16 MB, so that a block is a mapping with huge
 * pages (probes that land at random over hundreds of MB of rows miss the TLB less). A
 * driver's first block grows from a few rows (a small build side stays small); later
 * ones are mapped whole at once and never move (moving a mapping splits its huge pages,
 * which made probes several times slower). When the last driver finishes, the blocks of
 * all drivers are numbered one after the other and a row is named by a 32-bit id: block
 * number × 2^block_shift + position. A row is `row_width` bytes:
 *
 *   next (uint32: id + 1 of the next row of the same key, 0: none) | matched (uint8, FULL)
 *   | a NULL bit per column | padding | the columns' values, each aligned to its size
 *
 * so that a probe finds a row's key, chain link and payload on one or two cache lines.
 * Long strings are copied into the build driver's arena and stay there until the task ends.
 *
 * Dense index (DuckDB's "perfect hash join"): when the only key is an integer (of any
 * width; not null_equal) whose build values lie in a range of at most twice as many numbers
 * as there are build rows (or a small range), the index is an array over that range: slot v
 * holds DUP | id + 1 of the chain of key min + v, or 0. A probe subtracts, compares with the
 * range and reads one slot: no hash, no tag, no key comparison, no probing. Most join keys
 * (surrogate keys, TPC-H's) are such.
 *
 * Index (n_keys > 0). An array of 2^k 64-bit slots, at most half full, probed linearly
 * from the hash's low bits. A slot holds
 *
 *   the hash's bits 33..63 (tag) | DUP (bit 32: the chain has more than one row) | id + 1
 *
 * and its row is the head of the chain of every build row with that key. Rows whose key
 * has a NULL in a column that is not null_equal match nothing and are not in the index
 * (for null-aware MARK joins they are chained from `null_chain` instead). The index is
 * built after the last build driver has finished, in parallel: worker tasks on the thread
 * pool take blocks one at a time and insert their rows with compare-and-swap.
 *
 * Probe drivers only read the index and the rows, except for the matched bytes of FULL
 * joins (relaxed atomic stores, read by the last probe driver after every other one has
 * finished).
 */
#ifndef BASALT_EXEC_JOIN_INT_H
#define BASALT_EXEC_JOIN_INT_H

#include "exec/exec_int.h"

#include <pthread.h>

/* Slot layout. */
#define JOIN_SLOT_DUP      (UINT64_C(1) << 32)
#define JOIN_SLOT_TAG_MASK UINT64_C(0xFFFFFFFE00000000)
#define JOIN_SLOT_ID(e)    ((uint32_t)(e)-1)

/* Row header: next (4 bytes), matched (1 byte), then the NULL bits. */
#define JOIN_ROW_MATCHED 4
#define JOIN_ROW_NULLS   5

/*
 * A block of rows: a sized allocation of cap × row_width bytes, of which `charged` are
 * charged to the tracker (a block mapped whole is charged as its rows are written, in
 * steps of 2 MB: the pages it has not touched cost nothing).
 */
typedef struct JoinBlock {
    char *rows;
    uint32_t n, cap;
    int64_t charged;
} JoinBlock;

typedef struct JoinIndexWorker JoinIndexWorker;

struct BreakerState {
    const PlanNode *node;
    Task *task;
    PlanJoinType type;
    int n_keys;
    const int *probe_keys, *build_keys;
    bool *null_equal; /* per key (never NULL) */
    bool null_aware;
    bool single_match;       /* LEFT: a second match of a probe row is 21000 */
    int np, nb;              /* probe and build columns */
    LogicalType *pair_types; /* probe ++ build: what the residual reads */
    const LogicalType *build_types;
    /* row layout */
    uint32_t row_width, header_bytes;
    uint32_t block_shift, block_mask; /* rows per block: 1 << block_shift */
    uint32_t *col_offset;             /* per build column */
    /* memory: blocks, index and strings are charged here; they outlive the sinks */
    MemTracker tracker;
    Arena *arena; /* parent of the sinks' string arenas */
    /* the build side, complete once every sink has finished */
    pthread_mutex_t lock;
    int n_build_drivers, sinks_done;
    int n_blocks, cap_blocks;
    JoinBlock *blocks;
    uint64_t n_rows;
    bool *col_has_null; /* per build column: some row holds a NULL */
    /* the index */
    uint64_t *slots;
    uint64_t n_slots, mask;
    bool prefetch; /* the index and rows are beyond the caches: probes prefetch */
    /* a dense index: one integer key whose values span at most about twice as many
       numbers as there are rows; slot v is the chain of key key_min + v (no hash, tag or
       key comparison). key_min/key_max/key_seen: the non-NULL keys' range, from the sinks */
    bool dense;
    bool key_seen;
    int64_t key_min, key_max;
    uint32_t null_chain;     /* null-aware MARK: rows whose key is NULL (id + 1 of the first) */
    bool build_has_null_key; /* some build row's key has a NULL that matches nothing */
    bool has_dups;           /* some key has several build rows */
    /* building the index in parallel: workers take morsels (a block's rows, a range of them
       at a time) */
    int n_workers;
    JoinIndexWorker *workers;
    int n_morsels;
    uint32_t *morsels; /* first row id of each */
    atomic_int next_morsel;
    atomic_int workers_left;
    Future *ready_future;  /* completed when the index is built (or failed) */
    atomic_bool ready;     /* the build side may be probed (false if the task stopped) */
    atomic_bool index_cut; /* a worker stopped early: the index is not complete */
    /* probe side */
    int n_probe_drivers;
    atomic_int probes_done; /* probe drivers that finished or stopped */
    atomic_bool probe_cut;  /* a probe driver stopped before the end of its input */
};

typedef struct BreakerState JoinShared;

/* The address of build row `id`. */
static inline char *join_row(const JoinShared *sh, uint32_t id)
{
    return sh->blocks[id >> sh->block_shift].rows + (size_t)(id & sh->block_mask) * sh->row_width;
}

/*
 * join_row's inputs in locals, for loops that also store through pointers: the compiler
 * (-fno-strict-aliasing) would otherwise reload them from the shared state at every row.
 */
typedef struct JoinRowMap {
    const JoinBlock *blocks;
    uint32_t shift, mask, width;
} JoinRowMap;

static inline JoinRowMap join_row_map(const JoinShared *sh)
{
    JoinRowMap m = {sh->blocks, sh->block_shift, sh->block_mask, sh->row_width};
    return m;
}

static inline char *join_row_in(JoinRowMap m, uint32_t id)
{
    return m.blocks[id >> m.shift].rows + (size_t)(id & m.mask) * m.width;
}

/* The id of the row after (block, offset) — block by block over every build row. Returns
   false at the end. */
static inline bool join_next_row(const JoinShared *sh, uint32_t *block, uint32_t *offset,
                                 uint32_t *id)
{
    while (*block < (uint32_t)sh->n_blocks && *offset >= sh->blocks[*block].n) {
        (*block)++;
        *offset = 0;
    }
    if (*block >= (uint32_t)sh->n_blocks) return false;
    *id = (*block << sh->block_shift) | *offset;
    (*offset)++;
    return true;
}

static inline uint32_t join_row_next(const char *row)
{
    uint32_t next;
    memcpy(&next, row, 4);
    return next;
}

static inline bool join_row_is_null(const char *row, int col)
{
    return (row[JOIN_ROW_NULLS + col / 8] >> (col % 8)) & 1;
}

/* Whether a join type needs to know which probe rows had a match. */
static inline bool join_tracks_probe(PlanJoinType t)
{
    return t != PJ_INNER;
}

/*
 * Scratch of one probe driver for join_table_lookup (BASALT_VECTOR_SIZE entries each).
 */
typedef struct JoinLookupScratch {
    uint64_t *pos;    /* per probe row: the slot it is at */
    sel_t *todo;      /* rows still looking */
    sel_t *cand_row;  /* rows whose slot's tag matched */
    uint64_t *cand_e; /* their slot values */
    char **rowp;      /* their build rows */
    uint8_t *eq;      /* whether the keys are equal */
} JoinLookupScratch;

/* Allocates the scratch in arena. */
Status join_lookup_scratch_init(JoinLookupScratch *s, Arena *arena, Error *err);

/*
 * For each probe row rows[0..n) (logical rows of the probe chunk whose keys hold no NULL
 * that matches nothing): heads[r] = the slot of the chain of build rows with equal keys;
 * left as it is (the caller zeroes it) when there is none. kuv: the probe chunk's key columns
 * (sh->n_keys of them); hashes[r]: their row hash (hash_column, as the index hashed the build
 * rows).
 */
void join_table_lookup(const JoinShared *sh, const UnifiedVector *kuv, const uint64_t *hashes,
                       const sel_t *rows, idx_t n, uint64_t *heads, JoinLookupScratch *s);

/* ---- nested-loop pairs (op_nested_loop_join.c) ---- */

/*
 * A generator of (probe row, build row) pairs: the cross product of a list of probe rows
 * with every build row, or with the build rows chained from null_chain, build row by
 * build row (all probe rows with one build row, then the next build row).
 */
typedef struct NlPairs {
    bool chain; /* build rows: the null chain; otherwise all, block by block */
    uint32_t block, offset;
    uint32_t chain_next; /* id + 1 */
    bool have_row;
    uint32_t row;    /* the current build row */
    idx_t probe_pos; /* next probe row of the list to pair with it */
    bool done;
} NlPairs;

void nl_pairs_start(NlPairs *g, const JoinShared *sh, bool null_chain);
/*
 * Up to cap more pairs of probe[0..n_probe) × the build rows: out_probe[k], out_build[k].
 * Returns their count; 0 once every pair has been made. Between calls the caller may
 * change the probe list only where nl_pairs_between_rows() says so.
 */
idx_t nl_pairs_next(NlPairs *g, const JoinShared *sh, const sel_t *probe, idx_t n_probe,
                    sel_t *out_probe, uint32_t *out_build, idx_t cap);
/* True when the next pair starts a new build row (the probe list may then shrink). */
static inline bool nl_pairs_between_rows(const NlPairs *g)
{
    return !g->have_row;
}

#endif
