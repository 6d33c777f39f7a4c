/*
 * join_table.c — the build side of PLAN_JOIN: the shared state between the build and
 * probe pipelines, the JoinBuild sink that appends each build driver's rows to blocks of
 * its own, the hash index over all of them (built in parallel once the last sink is done)
 * and the lookup the probe operator (op_hash_join.c) runs per probe chunk. The layout of
 * rows and slots is in join_int.h.
 *
 * JoinBuild sink states:
 *   collecting  needs input; each chunk is appended to the driver's rows
 *   finish()    its rows go to the shared state; a sink that is not the last is finished
 *   indexing    the last sink builds the index: inline for a small build side, otherwise
 *               it starts one worker task per thread on the pool and is blocked on
 *               `ready_future` until they are done (so the build pipeline, which the probe
 *               pipeline waits for, ends only when the index is complete)
 *   finished
 *
 * Inserting and probing work on batches of rows, column at a time: hash the keys
 * (hash_column, as everywhere), find for each row the first slot that is empty or holds
 * its tag (prefetching slots ahead), compare the keys of the rows whose tags matched with
 * one loop per key column and type, and go round again for the rows whose keys differed.
 * Inserting then claims each row's slot with a compare-and-swap: an empty slot becomes the
 * head of a new chain; a slot of the same key gets the row pushed in front of its chain. A
 * failed compare-and-swap (another worker was first) sends the row round again.
 */
#include "exec/join_int.h"

#include "common/datetime.h"

#include <math.h>
#include <string.h>

/* Rows whose slots are fetched ahead of their probe. */
#define SLOT_PREFETCH 16

/* A build driver's first rows; its first block doubles from there. */
#define FIRST_ROWS 64

/* Bytes of a block (at most), and the steps in which a block mapped whole is charged. */
#define BLOCK_BYTES  (16u << 20)
#define CHARGE_BYTES (2u << 20)

/* Rows an index worker takes at a time. */
#define MORSEL_ROWS (1u << 16)

/* Build sides of fewer rows are indexed by the last sink alone. */
#define PARALLEL_INDEX_ROWS (4 * BASALT_VECTOR_SIZE)

/* An index up to this size is kept a quarter full. */
#define SMALL_INDEX_BYTES (1 << 20)

/* Index and rows above this many bytes are probed with prefetching. */
#define PREFETCH_BYTES (1 << 20)

/* A dense index may always span this many key values (8 KB of slots). */
#define DENSE_SMALL_RANGE 1024

enum { BUILD_ROWS, BUILD_SLOTS, BUILD_DENSE_SLOTS };

/* The join may have a dense index: one integer key that only equal values match. */
static bool dense_key(const JoinShared *sh)
{
    if (sh->n_keys != 1 || sh->null_equal[0]) return false;
    switch (type_physical(sh->build_types[sh->build_keys[0]])) {
    case PHYS_INT8:
    case PHYS_INT16:
    case PHYS_INT32:
    case PHYS_INT64:
        return true;
    default:
        return false;
    }
}

struct JoinIndexWorker {
    PoolTask pool_task; /* first: the pool hands it back to us */
    JoinShared *sh;
    bool concurrent; /* other workers insert at the same time: compare-and-swap */
    char *mem;       /* the scratch below, one allocation */
    size_t mem_bytes;
    uint64_t *hashes;
    uint64_t *pos;
    sel_t *todo;
    sel_t *cand;
    uint64_t *expect;
    uint8_t *state;
    char **rowp;
    uint8_t *eq;
    UnifiedVector *kuv;
};

/* ---- the shared state ---- */

static Status bad_plan(const char *what, Error *err)
{
    return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "invalid plan: join %s", what);
}

/* Checks the join node against its children (a plan from the wire is not trusted). */
static Status check_node(const PlanNode *node, Error *err)
{
    if (node->n_children != 2 || !node->children || !node->children[0] || !node->children[1])
        return bad_plan("arity", err);
    if ((unsigned)node->u.join.type >= PJ_COUNT_) return bad_plan("type", err);
    const PlanNode *probe = node->children[0], *build = node->children[1];
    int np = probe->n_cols, nb = build->n_cols, nk = node->u.join.n_keys;
    if (np < 0 || nb < 0 || nk < 0) return bad_plan("columns", err);
    if (nk > 0 && (!node->u.join.probe_keys || !node->u.join.build_keys))
        return bad_plan("keys", err);
    for (int k = 0; k < nk; k++) {
        int pc = node->u.join.probe_keys[k], bc = node->u.join.build_keys[k];
        if (pc < 0 || pc >= np || bc < 0 || bc >= nb) return bad_plan("key column", err);
        if (!type_equals(probe->types[pc], build->types[bc]) ||
            type_physical(probe->types[pc]) == PHYS_INVALID)
            return bad_plan("key types", err);
    }
    if (node->u.join.null_aware && (node->u.join.type != PJ_MARK || nk != 1 ||
                                    (node->u.join.null_equal && node->u.join.null_equal[0])))
        return bad_plan("null-aware flag", err);
    int want;
    switch (node->u.join.type) {
    case PJ_SEMI:
    case PJ_ANTI:
        want = np;
        break;
    case PJ_MARK:
        want = np + 1;
        break;
    default:
        want = np + nb;
        break;
    }
    if (node->n_cols != want || (want > 0 && !node->types)) return bad_plan("output columns", err);
    for (int c = 0; c < np && c < want; c++)
        if (!type_equals(node->types[c], probe->types[c])) return bad_plan("output types", err);
    if (node->u.join.type == PJ_MARK && node->types[np].id != TYPE_BOOLEAN)
        return bad_plan("mark type", err);
    bool with_build = node->u.join.type == PJ_INNER || node->u.join.type == PJ_LEFT ||
                      node->u.join.type == PJ_FULL;
    if (with_build)
        for (int c = 0; c < nb; c++)
            if (!type_equals(node->types[np + c], build->types[c]))
                return bad_plan("output types", err);
    for (int c = 0; c < nb; c++)
        if (type_physical(build->types[c]) == PHYS_INVALID) return bad_plan("column type", err);
    for (int c = 0; c < np; c++)
        if (type_physical(probe->types[c]) == PHYS_INVALID) return bad_plan("column type", err);
    if (node->u.join.residual && node->u.join.residual->type.id != TYPE_BOOLEAN)
        return bad_plan("filter type", err);
    return BS_OK;
}

/* Lays out a build row: header, then the columns by decreasing size, each aligned. */
static void layout_rows(JoinShared *sh)
{
    uint32_t at = JOIN_ROW_NULLS + (uint32_t)(sh->nb + 7) / 8;
    sh->header_bytes = at;
    static const uint32_t sizes[] = {16, 8, 4, 2, 1};
    for (size_t s = 0; s < BS_ARRAY_LEN(sizes); s++) {
        for (int c = 0; c < sh->nb; c++) {
            uint32_t w = (uint32_t)type_size(sh->build_types[c]);
            if (w != sizes[s]) continue;
            uint32_t align = w > 8 ? 8 : w;
            at = (at + align - 1) / align * align;
            sh->col_offset[c] = at;
            at += w;
        }
    }
    sh->row_width = (at + 7) / 8 * 8;
    /* Blocks of about BLOCK_BYTES; tiny ones with tiny vectors, to test their boundaries. */
    uint32_t shift = 12;
    if (BASALT_VECTOR_SIZE < 1024)
        shift = (uint32_t)__builtin_ctz(2 * BASALT_VECTOR_SIZE);
    else
        while (shift < 24 && ((uint64_t)sh->row_width << (shift + 1)) <= BLOCK_BYTES)
            shift++;
    sh->block_shift = shift;
    sh->block_mask = (1u << shift) - 1;
}

BreakerState *join_shared_create(Task *task, const PlanNode *node, Error *err)
{
    if (check_node(node, err) != BS_OK) return NULL;
    JoinShared *sh = bs_calloc(1, sizeof *sh);
    if (!sh) {
        error_oom(err);
        return NULL;
    }
    sh->node = node;
    sh->task = task;
    sh->type = node->u.join.type;
    sh->n_keys = node->u.join.n_keys;
    sh->probe_keys = node->u.join.probe_keys;
    sh->build_keys = node->u.join.build_keys;
    sh->null_aware = node->u.join.null_aware;
    sh->single_match = node->u.join.single_match;
    sh->np = node->children[0]->n_cols;
    sh->nb = node->children[1]->n_cols;
    sh->build_types = node->children[1]->types;
    pthread_mutex_init(&sh->lock, NULL);
    memtracker_init(&sh->tracker, task_tracker(task),
                    sh->n_keys ? "HashJoinBuild" : "NestedLoopJoinBuild", 0);
    atomic_init(&sh->next_morsel, 0);
    atomic_init(&sh->workers_left, 0);
    atomic_init(&sh->ready, false);
    atomic_init(&sh->index_cut, false);
    atomic_init(&sh->probes_done, 0);
    atomic_init(&sh->probe_cut, false);
    size_t nk = (size_t)(sh->n_keys ? sh->n_keys : 1), nb = (size_t)(sh->nb ? sh->nb : 1);
    sh->null_equal = bs_calloc(nk, sizeof(bool));
    sh->pair_types = bs_calloc((size_t)(sh->np + sh->nb) + 1, sizeof(LogicalType));
    sh->col_offset = bs_calloc(nb, sizeof(uint32_t));
    sh->col_has_null = bs_calloc(nb, sizeof(bool));
    sh->arena = arena_create(NULL, &sh->tracker, 0);
    if (!sh->null_equal || !sh->pair_types || !sh->col_offset || !sh->col_has_null || !sh->arena) {
        join_shared_destroy(sh);
        error_oom(err);
        return NULL;
    }
    for (int k = 0; k < sh->n_keys; k++)
        sh->null_equal[k] = node->u.join.null_equal && node->u.join.null_equal[k];
    for (int c = 0; c < sh->np; c++)
        sh->pair_types[c] = node->children[0]->types[c];
    for (int c = 0; c < sh->nb; c++)
        sh->pair_types[sh->np + c] = sh->build_types[c];
    layout_rows(sh);
    return sh;
}

void join_shared_set_drivers(BreakerState *sh, int n_build, int n_probe)
{
    sh->n_build_drivers = n_build;
    sh->n_probe_drivers = n_probe;
}

static void free_blocks(JoinShared *sh, JoinBlock *blocks, int n)
{
    for (int k = 0; k < n; k++) {
        bs_sized_free(blocks[k].rows, (size_t)blocks[k].cap * sh->row_width);
        memtracker_release(&sh->tracker, blocks[k].charged);
    }
}

void join_shared_destroy(BreakerState *sh)
{
    if (!sh) return;
    free_blocks(sh, sh->blocks, sh->n_blocks);
    bs_free(sh->blocks);
    bs_free(sh->morsels);
    if (sh->slots)
        memtracker_free(&sh->tracker, sh->slots,
                        sizeof(uint64_t) * (sh->n_slots ? sh->n_slots : 1));
    for (int k = 0; sh->workers && k < sh->n_workers; k++) {
        bs_free(sh->workers[k].mem);
        memtracker_release(&sh->tracker, (int64_t)sh->workers[k].mem_bytes);
    }
    bs_free(sh->workers);
    future_release(sh->ready_future);
    if (sh->arena) arena_destroy(sh->arena);
    bs_free(sh->null_equal);
    bs_free(sh->pair_types);
    bs_free(sh->col_offset);
    bs_free(sh->col_has_null);
    pthread_mutex_destroy(&sh->lock);
    bs_free(sh);
}

/* ---- comparing keys ---- */

#define EQ_PLAIN(a, b)    ((a) == (b))
#define EQ_DOUBLE(a, b)   ((a) == (b) || (isnan(a) && isnan(b)))
#define EQ_INTERVAL(a, b) (interval_compare(&(a), &(b)) == 0)
#define EQ_STRING(a, b)   sv_equal(&(a), &(b))
/* 128-bit integers as their two halves (a row keeps them 8-byte aligned only). */
typedef struct Bits128 {
    uint64_t w[2];
} Bits128;
#define EQ_BITS128(a, b) ((a).w[0] == (b).w[0] && (a).w[1] == (b).w[1])

/* eq[i] &= key value of probe row rows[i] equals build row rowp[i]'s, values of type T. */
#define EQ_LOOP(T, EQ)                                                                             \
    do {                                                                                           \
        const T *pv = uv->data;                                                                    \
        if (!nulls) {                                                                              \
            for (idx_t i = 0; i < n; i++) {                                                        \
                T bv = *(const T *)(rowp[i] + off);                                                \
                eq[i] &= EQ(bv, pv[uv->sel[rows[i]]]);                                             \
            }                                                                                      \
        } else {                                                                                   \
            for (idx_t i = 0; i < n; i++) {                                                        \
                sel_t at = uv->sel[rows[i]];                                                       \
                bool pn = !validity_get(uv->validity, at), bn = join_row_is_null(rowp[i], bc);     \
                if (pn || bn) {                                                                    \
                    eq[i] &= pn == bn;                                                             \
                } else {                                                                           \
                    T bv = *(const T *)(rowp[i] + off);                                            \
                    eq[i] &= EQ(bv, pv[at]);                                                       \
                }                                                                                  \
            }                                                                                      \
        }                                                                                          \
    } while (0)

/*
 * eq[i] = whether the keys of probe row rows[i] (logical rows of kuv, one unified vector
 * per key) equal those of build row rowp[i], for i < n. Keys that are not null_equal hold
 * no NULL on either side here (such rows are neither indexed nor looked up).
 */
static void keys_equal(const JoinShared *sh, const UnifiedVector *kuv, const sel_t *rows,
                       char *const *rowp, idx_t n, uint8_t *eq)
{
    memset(eq, 1, n);
    for (int k = 0; k < sh->n_keys; k++) {
        int bc = sh->build_keys[k];
        uint32_t off = sh->col_offset[bc];
        const UnifiedVector *uv = &kuv[k];
        bool nulls = sh->null_equal[k] && (uv->validity || sh->col_has_null[bc]);
        switch (type_physical(sh->build_types[bc])) {
        case PHYS_BOOL:
            EQ_LOOP(uint8_t, EQ_PLAIN);
            break;
        case PHYS_INT32:
            EQ_LOOP(int32_t, EQ_PLAIN);
            break;
        case PHYS_INT64:
            EQ_LOOP(int64_t, EQ_PLAIN);
            break;
        case PHYS_DOUBLE:
            EQ_LOOP(double, EQ_DOUBLE);
            break;
        case PHYS_STRING:
            EQ_LOOP(StringView, EQ_STRING);
            break;
        case PHYS_INTERVAL:
            EQ_LOOP(Interval, EQ_INTERVAL);
            break;
        case PHYS_INT128: /* build rows align 16-byte values to 8: compared as two words */
            EQ_LOOP(Bits128, EQ_BITS128);
            break;
        case PHYS_INT8:
            EQ_LOOP(int8_t, EQ_PLAIN);
            break;
        case PHYS_INT16:
            EQ_LOOP(int16_t, EQ_PLAIN);
            break;
        case PHYS_FLOAT:
            EQ_LOOP(float, EQ_DOUBLE);
            break;
        case PHYS_INVALID:
            memset(eq, 0, n);
            break;
        }
    }
}

/* ---- lookup (probe side) ---- */

Status join_lookup_scratch_init(JoinLookupScratch *s, Arena *arena, Error *err)
{
    s->pos = arena_alloc(arena, sizeof(uint64_t) * BASALT_VECTOR_SIZE);
    s->todo = arena_alloc(arena, sizeof(sel_t) * BASALT_VECTOR_SIZE);
    s->cand_row = arena_alloc(arena, sizeof(sel_t) * BASALT_VECTOR_SIZE);
    s->cand_e = arena_alloc(arena, sizeof(uint64_t) * BASALT_VECTOR_SIZE);
    s->rowp = arena_alloc(arena, sizeof(char *) * BASALT_VECTOR_SIZE);
    s->eq = arena_alloc(arena, BASALT_VECTOR_SIZE);
    if (!s->pos || !s->todo || !s->cand_row || !s->cand_e || !s->rowp || !s->eq)
        return arena_error(arena, err);
    return BS_OK;
}

/*
 * A lookup on one key in an index that fits in the cache, in three passes that branch
 * little: the home slot of every row (its tag, or empty), then the key of the row that
 * slot names, then — for the few rows whose home slot held another key — linear probing
 * from the next slot, comparing tags and keys as it goes.
 */
#define DEFINE_LOOKUP_DIRECT(NAME, T)                                                              \
    static void NAME(const JoinShared *sh, const UnifiedVector *uv, const uint64_t *hashes,        \
                     const sel_t *rows, idx_t n, uint64_t *heads, JoinLookupScratch *s)            \
    {                                                                                              \
        if (!sh->n_rows) return;                                                                   \
        const uint64_t *slots = sh->slots;                                                         \
        const JoinRowMap rm = join_row_map(sh);                                                    \
        const uint64_t mask = sh->mask;                                                            \
        const uint32_t off = sh->col_offset[sh->build_keys[0]];                                    \
        const T *pv = uv->data;                                                                    \
        uint64_t *home = s->cand_e;                                                                \
        sel_t *slow = s->todo;                                                                     \
        idx_t n_slow = 0;                                                                          \
        for (idx_t k = 0; k < n; k++) {                                                            \
            uint64_t h = hashes[rows[k]];                                                          \
            uint64_t e = slots[h & mask];                                                          \
            /* (& rather than &&: no branches on random outcomes) */                               \
            uint64_t full = e != 0, same = full & (((e ^ h) & JOIN_SLOT_TAG_MASK) == 0);           \
            home[k] = e & (0 - same);                                                              \
            slow[n_slow] = (sel_t)k;                                                               \
            n_slow += full & !same;                                                                \
        }                                                                                          \
        for (idx_t k = 0; k < n; k++) {                                                            \
            uint64_t e = home[k];                                                                  \
            sel_t r = rows[k];                                                                     \
            const char *row = join_row_in(rm, e ? JOIN_SLOT_ID(e) : 0);                            \
            uint64_t eq = *(const T *)(row + off) == pv[uv->sel[r]];                               \
            heads[r] = e & (0 - eq);                                                               \
            slow[n_slow] = (sel_t)k;                                                               \
            n_slow += (e != 0) & !eq;                                                              \
        }                                                                                          \
        for (idx_t t = 0; t < n_slow; t++) {                                                       \
            sel_t r = rows[slow[t]];                                                               \
            uint64_t h = hashes[r], tag = h & JOIN_SLOT_TAG_MASK;                                  \
            T key = pv[uv->sel[r]];                                                                \
            for (uint64_t at = (h + 1) & mask;; at = (at + 1) & mask) {                            \
                uint64_t e = slots[at];                                                            \
                if (!e) break;                                                                     \
                if ((e & JOIN_SLOT_TAG_MASK) == tag &&                                             \
                    *(const T *)(join_row_in(rm, JOIN_SLOT_ID(e)) + off) == key) {                 \
                    heads[r] = e;                                                                  \
                    break;                                                                         \
                }                                                                                  \
            }                                                                                      \
        }                                                                                          \
    }

DEFINE_LOOKUP_DIRECT(lookup_direct_i32, int32_t)
DEFINE_LOOKUP_DIRECT(lookup_direct_i64, int64_t)

/*
 * A lookup in a dense index: slot key - key_min when that is in range. Out of the caches,
 * the slot of row k + DENSE_AHEAD is prefetched, and the build row of row k (which the
 * pairs read next).
 */
#define DENSE_AHEAD 16
#define DEFINE_LOOKUP_DENSE(NAME, T, PREFETCH)                                                     \
    static void NAME(const JoinShared *sh, const UnifiedVector *uv, const sel_t *rows, idx_t n,    \
                     uint64_t *heads)                                                              \
    {                                                                                              \
        const uint64_t *slots = sh->slots;                                                         \
        const JoinRowMap rm = join_row_map(sh);                                                    \
        const uint64_t range = sh->n_slots, min = (uint64_t)sh->key_min;                           \
        const T *pv = uv->data;                                                                    \
        const sel_t *sel = uv->sel;                                                                \
        for (idx_t k = 0; k < n; k++) {                                                            \
            if (PREFETCH && k + DENSE_AHEAD < n) {                                                 \
                uint64_t va = (uint64_t)(int64_t)pv[sel[rows[k + DENSE_AHEAD]]] - min;             \
                __builtin_prefetch(&slots[va < range ? va : 0]);                                   \
            }                                                                                      \
            uint64_t v = (uint64_t)(int64_t)pv[sel[rows[k]]] - min;                                \
            uint64_t in = v < range;                                                               \
            uint64_t e = slots[in ? v : 0] & (0 - in);                                             \
            if (PREFETCH) __builtin_prefetch(join_row_in(rm, e ? JOIN_SLOT_ID(e) : 0));            \
            heads[rows[k]] = e;                                                                    \
        }                                                                                          \
    }

DEFINE_LOOKUP_DENSE(lookup_dense_i8, int8_t, false)
DEFINE_LOOKUP_DENSE(lookup_dense_i16, int16_t, false)
DEFINE_LOOKUP_DENSE(lookup_dense_i32, int32_t, false)
DEFINE_LOOKUP_DENSE(lookup_dense_i64, int64_t, false)
DEFINE_LOOKUP_DENSE(lookup_dense_i32_prefetch, int32_t, true)
DEFINE_LOOKUP_DENSE(lookup_dense_i64_prefetch, int64_t, true)

static void lookup_dense(const JoinShared *sh, const UnifiedVector *uv, const sel_t *rows, idx_t n,
                         uint64_t *heads)
{
    if (!sh->n_slots) return; /* every build key was NULL */
    switch (type_physical(sh->build_types[sh->build_keys[0]])) {
    case PHYS_INT8:
        lookup_dense_i8(sh, uv, rows, n, heads);
        break;
    case PHYS_INT16:
        lookup_dense_i16(sh, uv, rows, n, heads);
        break;
    case PHYS_INT32:
        (sh->prefetch ? lookup_dense_i32_prefetch : lookup_dense_i32)(sh, uv, rows, n, heads);
        break;
    default:
        (sh->prefetch ? lookup_dense_i64_prefetch : lookup_dense_i64)(sh, uv, rows, n, heads);
        break;
    }
}

void join_table_lookup(const JoinShared *sh, const UnifiedVector *kuv, const uint64_t *hashes,
                       const sel_t *rows, idx_t n, uint64_t *heads, JoinLookupScratch *s)
{
    if (sh->dense) {
        lookup_dense(sh, kuv, rows, n, heads);
        return;
    }
    if (!sh->prefetch && sh->n_keys == 1 && !sh->null_equal[0]) {
        switch (type_physical(sh->build_types[sh->build_keys[0]])) {
        case PHYS_INT32:
            lookup_direct_i32(sh, kuv, hashes, rows, n, heads, s);
            return;
        case PHYS_INT64:
            lookup_direct_i64(sh, kuv, hashes, rows, n, heads, s);
            return;
        default:
            break;
        }
    }
    const uint64_t *slots = sh->slots;
    const uint64_t mask = sh->mask;
    const bool prefetch = sh->prefetch;
    uint64_t *pos = s->pos;
    /* Round 0 starts at each row's home slot; a row whose tag matched another key's goes
       round again from the slot after. */
    const sel_t *todo = rows;
    idx_t n_todo = n;
    bool first = true;
    while (n_todo > 0) {
        if (prefetch)
            for (idx_t k = 0; k < n_todo && k < SLOT_PREFETCH; k++)
                __builtin_prefetch(&slots[first ? hashes[todo[k]] & mask : pos[todo[k]]]);
        /* The first slot that is empty or holds the row's tag. */
        idx_t n_cand = 0;
        for (idx_t k = 0; k < n_todo; k++) {
            if (prefetch && k + SLOT_PREFETCH < n_todo) {
                sel_t ahead = todo[k + SLOT_PREFETCH];
                __builtin_prefetch(&slots[first ? hashes[ahead] & mask : pos[ahead]]);
            }
            sel_t r = todo[k];
            uint64_t h = hashes[r];
            uint64_t tag = h & JOIN_SLOT_TAG_MASK;
            uint64_t at = first ? h & mask : pos[r];
            for (;;) {
                uint64_t e = slots[at];
                if (!e) break;
                if ((e & JOIN_SLOT_TAG_MASK) == tag) {
                    char *row = join_row(sh, JOIN_SLOT_ID(e));
                    if (prefetch) __builtin_prefetch(row);
                    pos[r] = at;
                    s->cand_row[n_cand] = r;
                    s->cand_e[n_cand] = e;
                    s->rowp[n_cand++] = row;
                    break;
                }
                at = (at + 1) & mask;
            }
        }
        if (n_cand == 0) break;
        keys_equal(sh, kuv, s->cand_row, s->rowp, n_cand, s->eq);
        /* Equal keys found their chain; the others go on from the next slot. */
        idx_t n_next = 0;
        for (idx_t k = 0; k < n_cand; k++) {
            sel_t r = s->cand_row[k];
            if (s->eq[k]) {
                heads[r] = s->cand_e[k];
            } else {
                pos[r] = (pos[r] + 1) & mask;
                s->todo[n_next++] = r;
            }
        }
        todo = s->todo;
        n_todo = n_next;
        first = false;
    }
}

/* ---- building the index ---- */

/* Copies column col of rows [0, m) of a block (at `rows`) into a flat array, with validity. */
static void gather_column(const JoinShared *sh, const char *rows, idx_t m, int col, void *dst,
                          uint64_t *validity)
{
    uint32_t w = sh->row_width, off = sh->col_offset[col];
    switch (type_size(sh->build_types[col])) {
    case 1:
        for (idx_t i = 0; i < m; i++)
            ((uint8_t *)dst)[i] = *(const uint8_t *)(rows + i * w + off);
        break;
    case 2:
        for (idx_t i = 0; i < m; i++)
            ((int16_t *)dst)[i] = *(const int16_t *)(rows + i * w + off);
        break;
    case 4:
        for (idx_t i = 0; i < m; i++)
            ((int32_t *)dst)[i] = *(const int32_t *)(rows + i * w + off);
        break;
    case 8:
        for (idx_t i = 0; i < m; i++)
            ((int64_t *)dst)[i] = *(const int64_t *)(rows + i * w + off);
        break;
    default:
        for (idx_t i = 0; i < m; i++)
            ((StringView *)dst)[i] = *(const StringView *)(rows + i * w + off);
        break;
    }
    if (validity) {
        memset(validity, 0xff, sizeof(uint64_t) * VALIDITY_WORDS);
        for (idx_t i = 0; i < m; i++)
            if (join_row_is_null(rows + i * w, col)) validity_set_invalid(validity, i);
    }
}

/* Pushes row id on the chain of rows with a NULL key (null-aware MARK joins). */
static void push_null_row(JoinShared *sh, uint32_t id, char *row)
{
    uint32_t head = __atomic_load_n(&sh->null_chain, __ATOMIC_RELAXED);
    do {
        memcpy(row, &head, 4);
    } while (!__atomic_compare_exchange_n(&sh->null_chain, &head, id + 1, true, __ATOMIC_RELEASE,
                                          __ATOMIC_RELAXED));
}

enum { SLOT_EMPTY, SLOT_SAME_TAG, SLOT_OTHER_KEY };

/* Inserts rows [first, first + m) (m <= BASALT_VECTOR_SIZE, all in one block). */
static void index_rows(JoinShared *sh, JoinIndexWorker *w, uint32_t first, idx_t m)
{
    char *base = join_row(sh, first);
    uint32_t width = sh->row_width;
    char *keys = (char *)(((uintptr_t)(w->kuv + sh->n_keys) + 15) & ~(uintptr_t)15);
    /* The keys as flat vectors, hashed as the probe side hashes its own. */
    for (int k = 0; k < sh->n_keys; k++) {
        int bc = sh->build_keys[k];
        void *data = keys + (size_t)k * 16 * BASALT_VECTOR_SIZE;
        uint64_t *validity =
            (uint64_t *)(keys + (size_t)sh->n_keys * 16 * BASALT_VECTOR_SIZE) + k * VALIDITY_WORDS;
        gather_column(sh, base, m, bc, data, sh->col_has_null[bc] ? validity : NULL);
        w->kuv[k] = (UnifiedVector){data, SEL_IDENTITY, sh->col_has_null[bc] ? validity : NULL};
        hash_column(type_physical(sh->build_types[bc]), &w->kuv[k], m, k > 0, w->hashes);
    }
    /* Rows whose key holds a NULL that matches nothing stay out of the index. */
    uint8_t *ok = w->eq;
    memset(ok, 1, m);
    for (int k = 0; k < sh->n_keys; k++) {
        if (sh->null_equal[k] || !w->kuv[k].validity) continue;
        for (idx_t i = 0; i < m; i++)
            ok[i] &= validity_get(w->kuv[k].validity, i);
    }
    idx_t n_todo = 0;
    bool null_key = false;
    for (idx_t i = 0; i < m; i++) {
        if (ok[i]) {
            w->todo[n_todo++] = (sel_t)i;
            w->pos[i] = w->hashes[i] & sh->mask;
            continue;
        }
        null_key = true;
        if (sh->null_aware) push_null_row(sh, first + (uint32_t)i, base + i * width);
    }
    if (null_key) __atomic_store_n(&sh->build_has_null_key, true, __ATOMIC_RELAXED);
    uint64_t *slots = sh->slots;
    const uint64_t mask = sh->mask;
    bool dups = false;
    while (n_todo > 0) {
        /* The first slot that is empty or holds the row's tag. */
        idx_t n_cand = 0;
        for (idx_t t = 0; t < n_todo; t++) {
            if (t + SLOT_PREFETCH < n_todo)
                __builtin_prefetch(&slots[w->pos[w->todo[t + SLOT_PREFETCH]]], 1);
            sel_t i = w->todo[t];
            uint64_t tag = w->hashes[i] & JOIN_SLOT_TAG_MASK;
            uint64_t at = w->pos[i];
            for (;;) {
                uint64_t e = __atomic_load_n(&slots[at], __ATOMIC_RELAXED);
                if (!e) {
                    w->state[i] = SLOT_EMPTY;
                    break;
                }
                if ((e & JOIN_SLOT_TAG_MASK) == tag) {
                    w->state[i] = SLOT_SAME_TAG;
                    w->expect[i] = e;
                    w->cand[n_cand] = i;
                    w->rowp[n_cand++] = join_row(sh, JOIN_SLOT_ID(e));
                    break;
                }
                at = (at + 1) & mask;
            }
            w->pos[i] = at;
        }
        /* Same tag: the same key, or a different key that goes on to the next slot. */
        if (n_cand) {
            uint8_t *eq = w->eq;
            keys_equal(sh, w->kuv, w->cand, w->rowp, n_cand, eq);
            for (idx_t k = 0; k < n_cand; k++) {
                if (eq[k]) continue;
                sel_t i = w->cand[k];
                w->state[i] = SLOT_OTHER_KEY;
                w->pos[i] = (w->pos[i] + 1) & mask;
            }
        }
        /* Claim the slots; whoever loses a race goes round again. */
        idx_t n_retry = 0;
        for (idx_t t = 0; t < n_todo; t++) {
            sel_t i = w->todo[t];
            if (w->state[i] == SLOT_OTHER_KEY) {
                w->todo[n_retry++] = i;
                continue;
            }
            uint32_t id = first + (uint32_t)i;
            uint64_t tag = w->hashes[i] & JOIN_SLOT_TAG_MASK;
            uint64_t expect = 0, desired = tag | (uint64_t)(id + 1);
            uint32_t next = 0;
            if (w->state[i] == SLOT_SAME_TAG) {
                expect = w->expect[i];
                next = (uint32_t)expect; /* the old head's id + 1 */
                desired |= JOIN_SLOT_DUP;
            }
            /* A slot may have changed since it was read: an earlier row of this batch, or
               another worker, claimed it. */
            bool claimed;
            if (!w->concurrent) {
                claimed = slots[w->pos[i]] == expect;
                if (claimed) slots[w->pos[i]] = desired;
            } else {
                claimed = __atomic_compare_exchange_n(&slots[w->pos[i]], &expect, desired, false,
                                                      __ATOMIC_RELEASE, __ATOMIC_RELAXED);
            }
            if (!claimed) {
                w->todo[n_retry++] = i;
                continue;
            }
            memcpy(base + i * width, &next, 4);
            dups |= next != 0;
        }
        n_todo = n_retry;
    }
    if (dups) __atomic_store_n(&sh->has_dups, true, __ATOMIC_RELAXED);
}

/* The dense index's insert: each row is pushed in front of its key's chain. */
static void index_rows_dense(JoinShared *sh, JoinIndexWorker *w, uint32_t first, idx_t m)
{
    char *base = join_row(sh, first);
    uint32_t width = sh->row_width;
    int bc = sh->build_keys[0];
    uint32_t off = sh->col_offset[bc];
    bool nullable = sh->col_has_null[bc], null_key = false, dups = false;
    PhysicalType p = type_physical(sh->build_types[bc]);
    uint64_t *slots = sh->slots;
    const uint64_t min = (uint64_t)sh->key_min;
    for (idx_t i = 0; i < m; i++) {
        char *row = base + i * width;
        if (nullable && join_row_is_null(row, bc)) {
            null_key = true;
            if (sh->null_aware) push_null_row(sh, first + (uint32_t)i, row);
            continue;
        }
        int64_t key;
        switch (p) {
        case PHYS_INT8:
            key = *(const int8_t *)(row + off);
            break;
        case PHYS_INT16:
            key = *(const int16_t *)(row + off);
            break;
        case PHYS_INT32:
            key = *(const int32_t *)(row + off);
            break;
        default:
            memcpy(&key, row + off, 8);
            break;
        }
        uint64_t *slot = &slots[(uint64_t)key - min];
        uint64_t id1 = (uint64_t)(first + (uint32_t)i) + 1;
        uint64_t old = __atomic_load_n(slot, __ATOMIC_RELAXED), desired;
        do {
            desired = id1 | (old ? JOIN_SLOT_DUP : 0);
            uint32_t next = (uint32_t)old; /* the old head's id + 1 */
            memcpy(row, &next, 4);
            if (!w->concurrent) {
                *slot = desired;
                break;
            }
        } while (!__atomic_compare_exchange_n(slot, &old, desired, false, __ATOMIC_RELEASE,
                                              __ATOMIC_RELAXED));
        dups |= old != 0;
    }
    if (null_key) __atomic_store_n(&sh->build_has_null_key, true, __ATOMIC_RELAXED);
    if (dups) __atomic_store_n(&sh->has_dups, true, __ATOMIC_RELAXED);
}

/* Inserts the rows of one morsel: MORSEL_ROWS from `first`, or to the end of its block. */
static void index_morsel(JoinShared *sh, JoinIndexWorker *w, uint32_t first)
{
    uint32_t b = first >> sh->block_shift, off = first & sh->block_mask;
    uint32_t end = sh->blocks[b].n - off < MORSEL_ROWS ? sh->blocks[b].n : off + MORSEL_ROWS;
    for (uint32_t at = off; at < end; at += BASALT_VECTOR_SIZE) {
        uint32_t m = end - at < BASALT_VECTOR_SIZE ? end - at : BASALT_VECTOR_SIZE;
        (sh->dense ? index_rows_dense : index_rows)(sh, w, (b << sh->block_shift) | at, m);
    }
}

/* Takes morsels until none is left; false when it stopped first (nobody needs the join). */
static bool index_blocks(JoinShared *sh, JoinIndexWorker *w)
{
    for (;;) {
        if (task_should_stop(sh->task) || task_output_finished(sh->task)) return false;
        int m = atomic_fetch_add(&sh->next_morsel, 1);
        if (m >= sh->n_morsels) return true;
        index_morsel(sh, w, sh->morsels[m]);
    }
}

static void index_worker_run(PoolTask *pool_task)
{
    JoinIndexWorker *w = (JoinIndexWorker *)pool_task;
    JoinShared *sh = w->sh;
    if (!index_blocks(sh, w)) atomic_store(&sh->index_cut, true);
    if (atomic_fetch_sub(&sh->workers_left, 1) != 1) return;
    Task *task = sh->task;
    if (!atomic_load(&sh->index_cut)) atomic_store(&sh->ready, true);
    future_complete(sh->ready_future); /* wakes the sink */
    /* The last thing done with the task: it may end (and the shared state go) after this. */
    task_release(task);
}

/* Scratch for one worker: per row hashes, slots and lists, and the keys as flat vectors. */
static Status worker_init(JoinShared *sh, JoinIndexWorker *w, Error *err)
{
    size_t vs = BASALT_VECTOR_SIZE, nk = (size_t)sh->n_keys;
    size_t bytes = vs * (sizeof(uint64_t) * 3 + sizeof(sel_t) * 2 + sizeof(char *) + 2) + 32 +
                   sizeof(UnifiedVector) * nk + nk * 16 * vs +
                   nk * sizeof(uint64_t) * VALIDITY_WORDS;
    MemTracker *failed = memtracker_reserve(&sh->tracker, (int64_t)bytes);
    if (failed) return memtracker_error(failed, (int64_t)bytes, err);
    char *mem = bs_malloc(bytes);
    if (!mem) {
        memtracker_release(&sh->tracker, (int64_t)bytes);
        return error_oom(err);
    }
    w->sh = sh;
    w->mem = mem;
    w->mem_bytes = bytes;
    w->pool_task.run = index_worker_run;
    w->hashes = (uint64_t *)mem;
    w->pos = w->hashes + vs;
    w->expect = w->pos + vs;
    w->rowp = (char **)(w->expect + vs);
    w->todo = (sel_t *)(w->rowp + vs);
    w->cand = w->todo + vs;
    w->state = (uint8_t *)(w->cand + vs);
    w->eq = w->state + vs;
    /* UnifiedVectors, then the key values (16 bytes per value at most, 16-byte aligned for
       128-bit keys: index_rows rounds up), then validity */
    w->kuv = (UnifiedVector *)(((uintptr_t)(w->eq + vs) + 15) & ~(uintptr_t)15);
    return BS_OK;
}

/*
 * The last sink's part: numbers every block, then builds the index — in this call for a
 * small build side, otherwise in worker tasks on the pool (*started then tells the sink to
 * wait for ready_future).
 */
static Status build_index(JoinShared *sh, Operator *op, bool *started, Error *err)
{
    *started = false;
    if (sh->n_keys == 0) {
        atomic_store(&sh->ready, true); /* a nested loop reads the rows as they are */
        return BS_OK;
    }
    if ((uint64_t)sh->n_blocks << sh->block_shift >= UINT32_MAX)
        return error_set(err, SQLSTATE_PROGRAM_LIMIT, -1,
                         "the build side of a join holds more than %u rows", UINT32_MAX - 1);
    /* The workers' morsels. */
    int n_morsels = 0;
    for (int b = 0; b < sh->n_blocks; b++)
        n_morsels += (int)((sh->blocks[b].n + MORSEL_ROWS - 1) / MORSEL_ROWS);
    sh->morsels = bs_malloc(sizeof(uint32_t) * (size_t)(n_morsels ? n_morsels : 1));
    if (!sh->morsels) return error_oom(err);
    for (int b = 0; b < sh->n_blocks; b++)
        for (uint32_t at = 0; at < sh->blocks[b].n; at += MORSEL_ROWS)
            sh->morsels[sh->n_morsels++] = ((uint32_t)b << sh->block_shift) | at;
    /* Dense over the keys' range when that is at most twice the rows (or small); else
       hashed, at most half full — a quarter while that fits in the cache, where probes are
       bound by the branches of linear probing rather than by memory. */
    uint64_t n_slots = 16, fill = sh->n_rows * 8 <= SMALL_INDEX_BYTES / 4 ? 4 : 2;
    if (dense_key(sh) && !task_config(sh->task)->hashed_joins_only) {
        uint64_t range = sh->key_seen ? (uint64_t)sh->key_max - (uint64_t)sh->key_min + 1 : 0;
        /* (range 0 with key_seen: the whole 64-bit span, which wrapped) */
        sh->dense =
            (range > 0 || !sh->key_seen) && (range <= 2 * sh->n_rows || range <= DENSE_SMALL_RANGE);
        if (sh->dense) n_slots = range;
    }
    if (!sh->dense)
        while (n_slots < fill * sh->n_rows)
            n_slots <<= 1;
    MemTracker *failed;
    size_t bytes = sizeof(uint64_t) * n_slots;
    sh->slots = memtracker_alloc_zero(&sh->tracker, bytes ? bytes : sizeof(uint64_t), &failed);
    if (!sh->slots) return memtracker_error(failed, (int64_t)bytes, err);
    sh->n_slots = n_slots;
    sh->mask = sh->dense ? 0 : n_slots - 1;
    sh->prefetch = bytes + sh->n_rows * sh->row_width > PREFETCH_BYTES;
    op->counters[sh->dense ? BUILD_DENSE_SLOTS : BUILD_SLOTS] += n_slots;
    const TaskConfig *cfg = task_config(sh->task);
    int n_workers = cfg->max_drivers > 1 ? cfg->max_drivers : 1;
    if (n_workers > sh->n_morsels) n_workers = sh->n_morsels;
    if (n_workers < 1 || !cfg->pool || sh->n_rows < PARALLEL_INDEX_ROWS) n_workers = 1;
    sh->workers = bs_calloc((size_t)n_workers, sizeof(JoinIndexWorker));
    if (!sh->workers) return error_oom(err);
    for (int k = 0; k < n_workers; k++) {
        BS_TRY(worker_init(sh, &sh->workers[k], err));
        sh->n_workers = k + 1;
    }
    if (n_workers == 1) {
        if (index_blocks(sh, &sh->workers[0])) atomic_store(&sh->ready, true);
        if (task_should_stop(sh->task)) return task_cancelled_error(err);
        return BS_OK; /* not ready if nobody needs the join any more: its drivers stop */
    }
    sh->ready_future = future_create();
    if (!sh->ready_future) return error_oom(err);
    for (int k = 0; k < n_workers; k++)
        sh->workers[k].concurrent = true;
    atomic_store(&sh->workers_left, n_workers);
    *started = true;
    /* The workers keep the task from ending until they are done, whatever its drivers do. */
    task_hold(sh->task);
    for (int k = 0; k < n_workers; k++)
        threadpool_submit(cfg->pool, &sh->workers[k].pool_task);
    return BS_OK;
}

/* ---- the JoinBuild sink ---- */

typedef struct JoinBuildOp {
    Operator base;
    JoinShared *sh;
    int n_blocks, cap_blocks;
    JoinBlock *blocks;
    uint64_t n_rows;
    Arena *strings;    /* long strings of this driver's rows */
    bool *has_null;    /* per column */
    UnifiedVector *uv; /* per column of the current input */
    sel_t *uv_scratch; /* BASALT_VECTOR_SIZE per column */
    bool key_seen;     /* a dense-eligible key: the range of its non-NULL values so far */
    int64_t key_min, key_max;
    bool finished; /* finish() came */
    bool handed;   /* the blocks belong to the shared state */
    bool waiting;  /* the index is being built by workers */
} JoinBuildOp;

/*
 * Makes room in the last block for up to `want` more rows (*room: how many): grows the
 * first block, or starts a new block, mapped whole, when the last one is full.
 */
static Status reserve_rows(JoinBuildOp *b, idx_t want, idx_t *room, Error *err)
{
    JoinShared *sh = b->sh;
    uint32_t full = 1u << sh->block_shift;
    size_t width = sh->row_width;
    JoinBlock *blk = b->n_blocks ? &b->blocks[b->n_blocks - 1] : NULL;
    if (!blk || blk->n == full) {
        if (b->n_blocks == b->cap_blocks) {
            int cap = b->cap_blocks ? b->cap_blocks * 2 : 4;
            JoinBlock *grown = bs_realloc(b->blocks, sizeof(JoinBlock) * (size_t)cap);
            if (!grown) return error_oom(err);
            b->blocks = grown;
            b->cap_blocks = cap;
        }
        blk = &b->blocks[b->n_blocks++];
        *blk = (JoinBlock){NULL, 0, 0, 0};
        if (b->n_blocks > 1) {
            /* A whole block at once, charged as it fills. */
            blk->rows = bs_sized_realloc(NULL, 0, (size_t)full * width);
            if (!blk->rows) {
                b->n_blocks--;
                return error_oom(err);
            }
            blk->cap = full;
        }
    }
    if (blk->cap - blk->n < want && blk->cap < full) {
        /* The first block grows (a small build side stays small). */
        uint32_t cap = blk->cap ? blk->cap : FIRST_ROWS;
        while (cap - blk->n < want && cap < full)
            cap *= 2;
        if (cap > full) cap = full;
        size_t old_bytes = (size_t)blk->cap * width, bytes = (size_t)cap * width;
        MemTracker *failed = memtracker_reserve(&sh->tracker, (int64_t)(bytes - old_bytes));
        if (failed) return memtracker_error(failed, (int64_t)(bytes - old_bytes), err);
        char *rows = bs_sized_realloc(blk->rows, old_bytes, bytes);
        if (!rows) {
            memtracker_release(&sh->tracker, (int64_t)(bytes - old_bytes));
            return error_oom(err);
        }
        blk->rows = rows;
        blk->cap = cap;
        blk->charged = (int64_t)bytes;
    }
    *room = blk->cap - blk->n < want ? blk->cap - blk->n : want;
    /* Charge the rows about to be written. */
    int64_t need = (int64_t)((blk->n + *room) * width);
    if (need > blk->charged) {
        int64_t step = need - blk->charged;
        step = (step + CHARGE_BYTES - 1) / CHARGE_BYTES * CHARGE_BYTES;
        if (blk->charged + step > (int64_t)((size_t)blk->cap * width))
            step = (int64_t)((size_t)blk->cap * width) - blk->charged;
        MemTracker *failed = memtracker_reserve(&sh->tracker, step);
        if (failed) return memtracker_error(failed, step, err);
        blk->charged += step;
    }
    return BS_OK;
}

/* dst row k's column at `off` = src[sel[k]] for k < m, values of type T. */
#define SCATTER(T)                                                                                 \
    do {                                                                                           \
        const T *src = uv->data;                                                                   \
        for (idx_t k = 0; k < m; k++)                                                              \
            *(T *)(dst + k * width + off) = src[sel[k]];                                           \
    } while (0)

/* Appends rows [from, from + m) of the unified columns to the last block (it has room). */
static Status append_rows(JoinBuildOp *b, idx_t from, idx_t m, Error *err)
{
    JoinShared *sh = b->sh;
    JoinBlock *blk = &b->blocks[b->n_blocks - 1];
    uint32_t width = sh->row_width;
    char *dst = blk->rows + (size_t)blk->n * width;
    for (idx_t k = 0; k < m; k++)
        memset(dst + k * width, 0, sh->header_bytes);
    for (int c = 0; c < sh->nb; c++) {
        const UnifiedVector *uv = &b->uv[c];
        const sel_t *sel = uv->sel + from;
        uint32_t off = sh->col_offset[c];
        size_t size = type_size(sh->build_types[c]);
        switch (size) {
        case 1:
            SCATTER(uint8_t);
            break;
        case 2:
            SCATTER(int16_t);
            break;
        case 4:
            SCATTER(int32_t);
            break;
        case 8:
            SCATTER(int64_t);
            break;
        default:
            SCATTER(StringView);
            break;
        }
        if (uv->validity) {
            for (idx_t k = 0; k < m; k++) {
                if (validity_get(uv->validity, sel[k])) continue;
                char *row = dst + k * width;
                row[JOIN_ROW_NULLS + c / 8] |= (char)(1 << (c % 8));
                memset(row + off, 0, size);
                b->has_null[c] = true;
            }
        }
        if (type_physical(sh->build_types[c]) == PHYS_STRING) {
            for (idx_t k = 0; k < m; k++) {
                StringView *sv = (StringView *)(dst + k * width + off);
                if (sv_is_inline(sv)) continue;
                char *copy = arena_alloc(b->strings, sv->len);
                if (!copy) return arena_error(b->strings, err);
                memcpy(copy, sv->u.ptr, sv->len);
                *sv = sv_make(copy, sv->len);
            }
        }
    }
    blk->n += (uint32_t)m;
    return BS_OK;
}

static bool build_needs_input(Operator *op)
{
    return !((JoinBuildOp *)op)->finished;
}

/* Widens the sink's key range by the key's non-NULL values among the n unified rows. */
#define KEY_RANGE_LOOP(T)                                                                          \
    do {                                                                                           \
        const T *v = uv->data;                                                                     \
        for (idx_t k = 0; k < n; k++) {                                                            \
            sel_t at = uv->sel[k];                                                                 \
            if (uv->validity && !validity_get(uv->validity, at)) continue;                         \
            int64_t x = v[at];                                                                     \
            lo = x < lo ? x : lo;                                                                  \
            hi = x > hi ? x : hi;                                                                  \
            seen = true;                                                                           \
        }                                                                                          \
    } while (0)

static void track_key_range(JoinBuildOp *b, idx_t n)
{
    const JoinShared *sh = b->sh;
    int bc = sh->build_keys[0];
    const UnifiedVector *uv = &b->uv[bc];
    int64_t lo = b->key_seen ? b->key_min : INT64_MAX, hi = b->key_seen ? b->key_max : INT64_MIN;
    bool seen = b->key_seen;
    switch (type_physical(sh->build_types[bc])) {
    case PHYS_INT8:
        KEY_RANGE_LOOP(int8_t);
        break;
    case PHYS_INT16:
        KEY_RANGE_LOOP(int16_t);
        break;
    case PHYS_INT32:
        KEY_RANGE_LOOP(int32_t);
        break;
    default:
        KEY_RANGE_LOOP(int64_t);
        break;
    }
    b->key_seen = seen;
    b->key_min = lo;
    b->key_max = hi;
}

static Status build_add_input(Operator *op, Chunk *in, Error *err)
{
    JoinBuildOp *b = (JoinBuildOp *)op;
    if (task_should_stop(op->task)) return task_cancelled_error(err);
    idx_t n = in->n_rows;
    for (int c = 0; c < b->sh->nb; c++)
        chunk_unify(in, c, &b->uv[c],
                    in->sel ? b->uv_scratch + (size_t)c * BASALT_VECTOR_SIZE : NULL);
    if (dense_key(b->sh)) track_key_range(b, n);
    for (idx_t done = 0; done < n;) {
        idx_t room = 0;
        BS_TRY(reserve_rows(b, n - done, &room, err));
        BS_TRY(append_rows(b, done, room, err));
        done += room;
    }
    b->n_rows += n;
    op->counters[BUILD_ROWS] += n;
    return BS_OK;
}

static Status build_get_output(Operator *op, Chunk **out, Error *err)
{
    *out = NULL;
    return BS_OK;
}

/* Grows an array of n elements of `size` bytes to hold `more` more; false when out of memory. */
static bool grow_array(void **array, int n, int *cap, int more, size_t size)
{
    if (n + more <= *cap) return true;
    int want = *cap ? *cap : 8;
    while (want < n + more)
        want *= 2;
    void *grown = bs_realloc(*array, size * (size_t)want);
    if (!grown) return false;
    *array = grown;
    *cap = want;
    return true;
}

/* Hands this sink's blocks to the shared state, numbered after the blocks of the sinks
   that finished before; the last sink builds the index. */
static Status build_finish(Operator *op, Error *err)
{
    JoinBuildOp *b = (JoinBuildOp *)op;
    JoinShared *sh = b->sh;
    if (b->finished) return BS_OK;
    b->finished = true;
    pthread_mutex_lock(&sh->lock);
    if (!grow_array((void **)&sh->blocks, sh->n_blocks, &sh->cap_blocks, b->n_blocks,
                    sizeof(JoinBlock))) {
        pthread_mutex_unlock(&sh->lock);
        return error_oom(err);
    }
    if (b->n_blocks)
        memcpy(sh->blocks + sh->n_blocks, b->blocks, sizeof(JoinBlock) * (size_t)b->n_blocks);
    sh->n_blocks += b->n_blocks;
    sh->n_rows += b->n_rows;
    for (int c = 0; c < sh->nb; c++)
        sh->col_has_null[c] |= b->has_null[c];
    if (b->key_seen) {
        sh->key_min = !sh->key_seen || b->key_min < sh->key_min ? b->key_min : sh->key_min;
        sh->key_max = !sh->key_seen || b->key_max > sh->key_max ? b->key_max : sh->key_max;
        sh->key_seen = true;
    }
    bool last = ++sh->sinks_done == sh->n_build_drivers;
    pthread_mutex_unlock(&sh->lock);
    bs_free(b->blocks);
    b->blocks = NULL;
    b->n_blocks = 0;
    b->handed = true;
    if (!last) return BS_OK;
    return build_index(sh, op, &b->waiting, err);
}

/* The workers' future, not their count: the last one is done with the shared state (and
   the task may end) only once it has completed the future. */
static bool build_is_finished(Operator *op)
{
    JoinBuildOp *b = (JoinBuildOp *)op;
    return b->finished && (!b->waiting || future_is_done(b->sh->ready_future));
}

static Future *build_is_blocked(Operator *op)
{
    JoinBuildOp *b = (JoinBuildOp *)op;
    if (!b->waiting || future_is_done(b->sh->ready_future)) return NULL;
    future_retain(b->sh->ready_future);
    return b->sh->ready_future;
}

static void build_close(Operator *op)
{
    JoinBuildOp *b = (JoinBuildOp *)op;
    if (!b->handed) free_blocks(b->sh, b->blocks, b->n_blocks);
    bs_free(b->blocks);
    b->blocks = NULL;
    b->n_blocks = 0;
}

static const OperatorVtab HASH_BUILD_VTAB = {
    .name = "HashJoinBuild",
    .needs_input = build_needs_input,
    .add_input = build_add_input,
    .get_output = build_get_output,
    .finish = build_finish,
    .is_finished = build_is_finished,
    .is_blocked = build_is_blocked,
    .close = build_close,
};

static const OperatorVtab NESTED_LOOP_BUILD_VTAB = {
    .name = "NestedLoopJoinBuild",
    .needs_input = build_needs_input,
    .add_input = build_add_input,
    .get_output = build_get_output,
    .finish = build_finish,
    .is_finished = build_is_finished,
    .is_blocked = build_is_blocked,
    .close = build_close,
};

Status op_join_build_create(Driver *d, const PlanNode *node, BreakerState *shared, Operator **out,
                            Error *err)
{
    JoinShared *sh = shared;
    JoinBuildOp *b = (JoinBuildOp *)operator_new(
        d, node, sh->n_keys ? &HASH_BUILD_VTAB : &NESTED_LOOP_BUILD_VTAB, sizeof *b, err);
    if (!b) return BS_ERROR;
    b->sh = sh;
    size_t nb = (size_t)(sh->nb ? sh->nb : 1);
    b->has_null = arena_alloc_zero(b->base.arena, sizeof(bool) * nb);
    b->uv = arena_alloc(b->base.arena, sizeof(UnifiedVector) * nb);
    b->uv_scratch = arena_alloc(b->base.arena, sizeof(sel_t) * BASALT_VECTOR_SIZE * nb);
    if (!b->has_null || !b->uv || !b->uv_scratch) return arena_error(b->base.arena, err);
    /* The strings outlive the sink: probes read them. */
    b->strings = arena_create(sh->arena, NULL, 0);
    if (!b->strings) return error_oom(err);
    b->base.counter_names[BUILD_ROWS] = "build rows";
    if (sh->n_keys) {
        b->base.counter_names[BUILD_SLOTS] = "hash slots";
        b->base.counter_names[BUILD_DENSE_SLOTS] = "dense slots";
    }
    *out = &b->base;
    return BS_OK;
}
