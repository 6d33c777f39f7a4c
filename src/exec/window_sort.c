/*
 * window_sort.c — the Window operator's partitions: rows numbered by a hash table of their
 * partition keys and copied into flat columns partition after partition, and each
 * partition sorted alone by its order keys (the first one encoded as an unsigned integer
 * and radix-sorted; the row comparator breaks the ties it leaves) with its peer groups.
 */
#include "exec/window_int.h"

#include <stdlib.h>

/* ---- sorting ---- */

static int compare_rows_on(const WindowOp *w, int col, bool desc, bool nulls_first, uint32_t a,
                           uint32_t b)
{
    uint32_t ra, rb;
    const Vector *va = col_at(w, col, a, &ra), *vb = col_at(w, col, b, &rb);
    UnifiedVector ua = {va->data, SEL_IDENTITY, va->validity};
    UnifiedVector ub = {vb->data, SEL_IDENTITY, vb->validity};
    int c = compare_values_at(va->type, &ua, ra, &ub, rb, nulls_first);
    if (c && desc && validity_get(va->validity, ra) && validity_get(vb->validity, rb)) c = -c;
    return c;
}

static bool same_partition(const WindowOp *w, uint32_t a, uint32_t b)
{
    const PlanNode *n = w->base.node;
    for (int k = 0; k < n->u.window.n_partitions; k++)
        if (compare_rows_on(w, n->u.window.partitions[k], false, true, a, b)) return false;
    return true;
}

static bool same_peers(const WindowOp *w, uint32_t a, uint32_t b)
{
    const PlanNode *n = w->base.node;
    for (int k = 0; k < n->u.window.n_order; k++)
        if (compare_rows_on(w, n->u.window.order[k].column, false, true, a, b)) return false;
    return true;
}

static int compare_perm(const void *pa, const void *pb, void *arg)
{
    const WindowOp *w = arg;
    const PlanNode *n = w->base.node;
    uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
    for (int k = 0; k < n->u.window.n_partitions; k++) {
        int c = compare_rows_on(w, n->u.window.partitions[k], false, true, a, b);
        if (c) return c;
    }
    for (int k = 0; k < n->u.window.n_order; k++) {
        const SortKey *key = &n->u.window.order[k];
        int c = compare_rows_on(w, key->column, key->descending, key->nulls_first, a, b);
        if (c) return c;
    }
    return (a > b) - (a < b);
}

/*
 * The sort, in two steps. Partitions need only be grouped, not ordered: each row gets a
 * dense partition number from a hash table of partition keys (in order of first arrival),
 * and a counting sort by that number puts every partition's rows together in arrival
 * order. Each partition is then sorted alone, in cache, by its first order key encoded
 * as an unsigned 64-bit integer (NULLs set apart first): a stable LSD radix sort over the
 * bytes that vary, so ties keep arrival order. Keys the integer does not decide (later
 * order keys, string prefixes, intervals) break its ties with the row comparator.
 */

/* Order-preserving encoding of the first order key's value at (chunk vector v, row at). */
static inline uint64_t encode_key(PhysicalType p, const Vector *v, uint32_t at)
{
    switch (p) {
    case PHYS_BOOL:
        return ((const uint8_t *)v->data)[at];
    case PHYS_INT32:
        return (uint64_t)(uint32_t)((const int32_t *)v->data)[at] ^ UINT64_C(0x80000000);
    case PHYS_INT64:
        return (uint64_t)((const int64_t *)v->data)[at] ^ (UINT64_C(1) << 63);
    case PHYS_DOUBLE: {
        double d = ((const double *)v->data)[at];
        if (isnan(d)) return UINT64_MAX; /* NaN above every number */
        if (d == 0) d = 0;               /* -0.0 equals 0.0 */
        uint64_t bits;
        memcpy(&bits, &d, sizeof bits);
        return bits >> 63 ? ~bits : bits | (UINT64_C(1) << 63);
    }
    case PHYS_STRING: {
        /* the first 8 bytes, zero-padded: a <= b implies prefix(a) <= prefix(b) */
        const StringView *s = &((const StringView *)v->data)[at];
        uint8_t b[8] = {0};
        memcpy(b, sv_data(s), s->len < 8 ? s->len : 8);
        uint64_t k = 0;
        for (int q = 0; q < 8; q++)
            k = k << 8 | b[q];
        return k;
    }
    default:
        return 0; /* intervals: the comparator decides */
    }
}

/*
 * Copies every row into w->flat at its partition's next position (part_bounds[p] serves
 * as partition p's cursor and is shifted back after): the chunks are read in order and
 * each partition's rows written one after the other. String views keep pointing into the
 * chunks, which stay.
 */
static Status flatten_rows(WindowOp *w, const uint32_t *pid, Error *err)
{
    idx_t n = w->n_rows;
    const LogicalType *types = w->base.node->children[0]->types;
    Vector *flat =
        arena_alloc_zero(w->base.arena, sizeof(Vector) * (size_t)(w->n_in ? w->n_in : 1));
    if (!flat) return arena_error(w->base.arena, err);
    size_t words = (n + 63) / 64 + 1;
    for (int col = 0; col < w->n_in; col++) {
        flat[col] = w->chunks[0]->cols[col];
        flat[col].type = types[col];
        flat[col].kind = VEC_FLAT;
        flat[col].child = NULL;
        flat[col].own_data = NULL;
        flat[col].arena = w->base.arena;
        if (!(flat[col].data = window_big_alloc(w, type_size(types[col]) * n, err)))
            return BS_ERROR;
        flat[col].validity = NULL;
        for (uint32_t c = 0; c < w->n_chunks && !flat[col].validity; c++)
            if (w->chunks[c]->cols[col].validity) {
                if (!(flat[col].validity = window_big_alloc(w, sizeof(uint64_t) * words, err)))
                    return BS_ERROR;
                memset(flat[col].validity, 0xff, sizeof(uint64_t) * words);
            }
    }
    uint32_t dst[BASALT_VECTOR_SIZE];
    for (uint32_t c = 0; c < w->n_chunks; c++) {
        const Chunk *chunk = w->chunks[c];
        const uint32_t *cp = pid + ((idx_t)c << w->shift);
        idx_t rows = chunk->n_rows;
        for (idx_t r = 0; r < rows; r++)
            dst[r] = (uint32_t)w->part_bounds[cp[r]]++;
        for (int col = 0; col < w->n_in; col++) {
            const Vector *v = &chunk->cols[col];
            Vector *f = &flat[col];
#define SCATTER(T)                                                                                 \
    for (idx_t r = 0; r < rows; r++)                                                               \
        ((T *)f->data)[dst[r]] = ((const T *)v->data)[r];
            switch (type_size(types[col])) {
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
            case 16:
                SCATTER(StringView);
                break;
            default:
                return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "window: column width");
            }
#undef SCATTER
            if (v->validity)
                for (idx_t r = 0; r < rows; r++)
                    if (!validity_get(v->validity, r)) validity_set_invalid(f->validity, dst[r]);
        }
    }
    for (idx_t p = w->n_parts; p > 0; p--)
        w->part_bounds[p] = w->part_bounds[p - 1];
    w->part_bounds[0] = 0;
    w->flat = flat;
    bool has_strings = false;
    for (int col = 0; col < w->n_in; col++)
        has_strings |= type_physical(types[col]) == PHYS_STRING;
    if (!has_strings) {
        arena_destroy(w->rows_arena);
        w->rows_arena = NULL;
        w->chunks = NULL;
        w->n_chunks = w->cap_chunks = 0;
    }
    return BS_OK;
}

/* Hash table slot of partition numbering: hash, a row of the partition, its number. */
typedef struct PartSlot {
    uint64_t hash;
    uint32_t row, pid;
} PartSlot;

/*
 * Numbers the partitions, fills w->part_bounds[0..n_parts] with where each starts and
 * w->max_part, and (with partition keys) copies the rows into w->flat partition after
 * partition; perm is then the identity over the flat positions (without keys: over the
 * chunks' rows). Uses w->group_of as the rows' partition numbers (it is per sorted
 * position later).
 */
Status window_partition_rows(WindowOp *w, Error *err)
{
    const PlanNode *node = w->base.node;
    Arena *arena = w->base.arena;
    idx_t n = w->n_rows;
    int n_keys = node->u.window.n_partitions;
    if (n_keys == 0 || n == 0) {
        for (idx_t i = 0; i < n; i++)
            w->perm[i] = (uint32_t)i;
        w->n_parts = n ? 1 : 0;
        w->part_bounds = arena_alloc(arena, sizeof(idx_t) * 2);
        if (!w->part_bounds) return arena_error(arena, err);
        w->part_bounds[0] = 0;
        w->part_bounds[1] = n;
        w->max_part = n;
        return BS_OK;
    }
    uint32_t *pid = w->group_of;
    idx_t cap = 1024, used = 0;
    PartSlot *slots = arena_alloc(arena, sizeof(PartSlot) * cap);
    if (!slots) return arena_error(arena, err);
    for (idx_t k = 0; k < cap; k++)
        slots[k].row = UINT32_MAX;
    uint64_t hashes[BASALT_VECTOR_SIZE];
    for (uint32_t c = 0; c < w->n_chunks; c++) {
        const Chunk *chunk = w->chunks[c];
        hash_rows(chunk, node->u.window.partitions, n_keys, hashes);
        uint32_t base = c << w->shift;
        for (idx_t r = 0; r < chunk->n_rows; r++) {
            uint32_t row = base + (uint32_t)r;
            uint64_t h = hashes[r];
            idx_t at = h & (cap - 1);
            while (slots[at].row != UINT32_MAX &&
                   (slots[at].hash != h || !same_partition(w, slots[at].row, row)))
                at = (at + 1) & (cap - 1);
            if (slots[at].row == UINT32_MAX) {
                slots[at] = (PartSlot){h, row, (uint32_t)used++};
                if (used * 2 > cap) {
                    /* grow: reinsert by hash (numbers stay) */
                    idx_t ncap = cap * 2;
                    PartSlot *grown = arena_alloc(arena, sizeof(PartSlot) * ncap);
                    if (!grown) return arena_error(arena, err);
                    for (idx_t k = 0; k < ncap; k++)
                        grown[k].row = UINT32_MAX;
                    for (idx_t k = 0; k < cap; k++) {
                        if (slots[k].row == UINT32_MAX) continue;
                        idx_t to = slots[k].hash & (ncap - 1);
                        while (grown[to].row != UINT32_MAX)
                            to = (to + 1) & (ncap - 1);
                        grown[to] = slots[k];
                    }
                    slots = grown;
                    cap = ncap;
                    pid[row] = (uint32_t)(used - 1);
                    continue;
                }
            }
            pid[row] = slots[at].pid;
        }
        if ((c & 63) == 63 && task_should_stop(w->base.task)) return task_cancelled_error(err);
    }
    w->n_parts = used;
    w->part_bounds = arena_alloc_zero(arena, sizeof(idx_t) * (used + 1));
    if (!w->part_bounds) return arena_error(arena, err);
    for (idx_t i = 0; i < n; i++)
        w->part_bounds[pid[i] + 1]++;
    for (idx_t p = 0; p < used; p++)
        w->part_bounds[p + 1] += w->part_bounds[p];
    BS_TRY(flatten_rows(w, pid, err));
    for (idx_t i = 0; i < n; i++)
        w->perm[i] = (uint32_t)i;
    for (idx_t p = 0; p < used; p++)
        if (w->part_bounds[p + 1] - w->part_bounds[p] > w->max_part)
            w->max_part = w->part_bounds[p + 1] - w->part_bounds[p];
    return BS_OK;
}

/* A row and its encoded first order key. */
struct KeyRow {
    uint64_t key;
    uint32_t row, pad;
};

/* Stable LSD radix sort of a[0..n) by key over the bytes in which keys differ; tmp: n. */
static void radix_sort_keys(KeyRow *a, KeyRow *tmp, idx_t n)
{
    if (n < 2) return;
    uint64_t diff = 0;
    bool sorted = true;
    for (idx_t i = 1; i < n; i++) {
        diff |= a[i].key ^ a[0].key;
        sorted &= a[i - 1].key <= a[i].key;
    }
    if (sorted) return;
    if (n <= 32) {
        for (idx_t i = 1; i < n; i++) {
            KeyRow x = a[i];
            idx_t j = i;
            for (; j > 0 && a[j - 1].key > x.key; j--)
                a[j] = a[j - 1];
            a[j] = x;
        }
        return;
    }
    KeyRow *src = a, *dst = tmp;
    for (int shift = 0; shift < 64; shift += 8) {
        if (!((diff >> shift) & 0xff)) continue;
        idx_t count[256] = {0};
        for (idx_t i = 0; i < n; i++)
            count[(src[i].key >> shift) & 0xff]++;
        idx_t sum = 0;
        for (int b = 0; b < 256; b++) {
            idx_t c = count[b];
            count[b] = sum;
            sum += c;
        }
        for (idx_t i = 0; i < n; i++)
            dst[count[(src[i].key >> shift) & 0xff]++] = src[i];
        KeyRow *t = src;
        src = dst;
        dst = t;
    }
    if (src != a) memcpy(a, src, sizeof(KeyRow) * n);
}

/* Sorts perm[ps..pe) (one partition, arrival order) and fills its peer groups. */
Status window_sort_partition(WindowOp *w, idx_t ps, idx_t pe, SortScratch *s, Error *err)
{
    const PlanNode *node = w->base.node;
    idx_t len = pe - ps;
    uint32_t *perm = w->perm + ps;
    int n_order = node->u.window.n_order;
    if (n_order == 0) {
        if (!w->need_peers) return BS_OK;
        for (idx_t i = ps; i < pe; i++) {
            w->peer_lo[i] = (uint32_t)ps;
            w->peer_hi[i] = (uint32_t)pe;
            w->group_of[i] = 0;
        }
        w->group_start[ps] = (uint32_t)ps;
        return BS_OK;
    }
    if (len > s->cap) {
        idx_t cap = len > w->max_part ? len : w->max_part;
        if (!(s->keys = window_big_alloc(w, sizeof(KeyRow) * cap, err))) return BS_ERROR;
        if (!(s->tmp = window_big_alloc(w, sizeof(KeyRow) * cap, err))) return BS_ERROR;
        if (!(s->nulls = window_big_alloc(w, sizeof(uint32_t) * cap, err))) return BS_ERROR;
        s->cap = cap;
    }
    const SortKey *first = &node->u.window.order[0];
    PhysicalType p = type_physical(node->children[0]->types[first->column]);
    if (node->children[0]->types[first->column].id == TYPE_ARRAY)
        p = PHYS_INVALID; /* an array's bytes are not in its order: the comparator decides */
    bool exact =
        n_order == 1 && (p == PHYS_BOOL || p == PHYS_INT32 || p == PHYS_INT64 || p == PHYS_DOUBLE);
    uint64_t flip = first->descending ? UINT64_MAX : 0;
    idx_t n_valid = 0, n_null = 0;
    for (idx_t i = 0; i < len; i++) {
        uint32_t at;
        const Vector *v = col_at(w, first->column, perm[i], &at);
        if (!validity_get(v->validity, at)) {
            s->nulls[n_null++] = perm[i];
            continue;
        }
        s->keys[n_valid++] = (KeyRow){encode_key(p, v, at) ^ flip, perm[i], 0};
    }
    radix_sort_keys(s->keys, s->tmp, n_valid);
    idx_t valid_at = first->nulls_first ? n_null : 0, null_at = first->nulls_first ? 0 : n_valid;
    for (idx_t i = 0; i < n_valid; i++)
        perm[valid_at + i] = s->keys[i].row;
    memcpy(perm + null_at, s->nulls, sizeof(uint32_t) * n_null);
    if (!exact) {
        /* runs of equal encoded keys (and the NULLs) by the full comparator */
        if (n_null > 1) qsort_r(perm + null_at, n_null, sizeof(uint32_t), compare_perm, w);
        for (idx_t i = 0; i < n_valid;) {
            idx_t j = i + 1;
            while (j < n_valid && s->keys[j].key == s->keys[i].key)
                j++;
            if (j - i > 1) qsort_r(perm + valid_at + i, j - i, sizeof(uint32_t), compare_perm, w);
            i = j;
        }
    }
    /* peer groups: a new one where the encoded key or NULLness changes, or (not exact)
       where the comparator says so */
    if (!w->need_peers) return BS_OK;
    uint32_t g = 0;
    idx_t gs = ps;
    w->group_start[ps] = (uint32_t)ps;
    for (idx_t i = ps; i < pe; i++) {
        if (i > ps) {
            idx_t k = i - ps;
            bool in_nulls = k >= null_at && k < null_at + n_null;
            bool prev_nulls = k - 1 >= null_at && k - 1 < null_at + n_null;
            bool boundary;
            if (in_nulls != prev_nulls)
                boundary = true;
            else if (!in_nulls && s->keys[k - valid_at].key != s->keys[k - 1 - valid_at].key)
                boundary = true;
            else
                boundary = !exact && !same_peers(w, w->perm[i - 1], w->perm[i]);
            if (boundary) {
                for (idx_t q = gs; q < i; q++)
                    w->peer_hi[q] = (uint32_t)i;
                gs = i;
                w->group_start[ps + ++g] = (uint32_t)i;
            }
        }
        w->peer_lo[i] = (uint32_t)gs;
        w->group_of[i] = g;
    }
    for (idx_t q = gs; q < pe; q++)
        w->peer_hi[q] = (uint32_t)pe;
    return BS_OK;
}
