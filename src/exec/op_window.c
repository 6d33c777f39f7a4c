/*
 * op_window.c — Window: window functions over partitions of its driver's input.
 *
 * The planner puts a local repartition on the partition keys below it (or brings every
 * row to one driver when there are none), so each driver's operator sees whole
 * partitions and works alone. States:
 *
 *   COLLECTING  add_input copies each chunk into full chunks of a vector each (row g is
 *               row g % VECTOR_SIZE of chunk g / VECTOR_SIZE)
 *   EVALUATING  (first get_output after finish) numbers partitions by a hash table of
 *               their keys and copies the rows into flat columns grouped by partition
 *               (arrival order within each); sorts each partition by its order keys
 *               (window_sort.c) and finds its peer groups; gathers each function's
 *               arguments in sorted order; computes every function for every row into
 *               result columns in sorted order
 *   EMITTING    chunks of the input's columns gathered in sorted order, then the results
 *   DONE
 *
 * Frames: ROWS by arithmetic, GROUPS through the start of each peer group, RANGE with an
 * offset by binary search of the one order key (int64, double, or microseconds for DATE
 * and TIMESTAMP keys with INTERVAL offsets). Aggregates: count from prefix counts;
 * integer and decimal sum/avg from exact 128-bit prefix sums; double sums and min/max
 * incrementally when the frame starts at the partition's start, otherwise by a segment
 * tree per partition (O(n log n)); count/sum/avg from the partition's start to the current
 * row in one pass. Every other aggregate, DISTINCT and EXCLUDE are window_agg.c's, as are
 * lag/lead/first/last/nth_value with IGNORE NULLS or EXCLUDE. All memory is the operator's (its
 * arena, and per-row arrays charged to its tracker); past the query's limit evaluation fails with
 * 53200.
 */
#include "exec/window_int.h"

#include <stdlib.h>

/*
 * A zeroed array of `size` bytes charged to the operator's tracker: big ones are mappings
 * of their own backed by huge pages where the system offers them (a page fault per 4 KB
 * of the per-row arrays took a quarter of the time on the test machine). Freed by close.
 * On failure sets err (53200 past the limit) and returns NULL.
 */
void *window_big_alloc(WindowOp *w, size_t size, Error *err)
{
    BigArray *b = arena_alloc(w->base.arena, sizeof *b);
    if (!b) {
        arena_error(w->base.arena, err);
        return NULL;
    }
    MemTracker *failed = NULL;
    b->p = memtracker_alloc_zero(&w->base.tracker, size ? size : 1, &failed);
    if (!b->p) {
        memtracker_error(failed, (int64_t)size, err);
        return NULL;
    }
    b->size = size ? size : 1;
    b->next = w->big;
    w->big = b;
    return b->p;
}

/* ---- collecting ---- */

static bool window_needs_input(Operator *op)
{
    return ((WindowOp *)op)->state == WS_COLLECTING;
}

static Status window_add_input(Operator *op, Chunk *in, Error *err)
{
    WindowOp *w = (WindowOp *)op;
    if (task_should_stop(op->task)) return task_cancelled_error(err);
    idx_t done = 0;
    while (done < in->n_rows) {
        Chunk *last = w->n_chunks ? w->chunks[w->n_chunks - 1] : NULL;
        if (!last || last->n_rows == BASALT_VECTOR_SIZE) {
            if (w->n_rows + BASALT_VECTOR_SIZE > UINT32_MAX)
                return error_set(err, SQLSTATE_PROGRAM_LIMIT, -1,
                                 "a window partition set holds more than 4 billion rows");
            if (w->n_chunks == w->cap_chunks) {
                uint32_t cap = w->cap_chunks ? w->cap_chunks * 2 : 64;
                Chunk **grown = arena_grow(w->rows_arena, w->chunks,
                                           sizeof(Chunk *) * w->cap_chunks, sizeof(Chunk *) * cap);
                if (!grown) return arena_error(w->rows_arena, err);
                w->chunks = grown;
                w->cap_chunks = cap;
            }
            last = chunk_create(w->rows_arena, op->node->children[0]->types, w->n_in, err);
            if (!last) return BS_ERROR;
            w->chunks[w->n_chunks++] = last;
        }
        idx_t take = BASALT_VECTOR_SIZE - last->n_rows;
        if (take > in->n_rows - done) take = in->n_rows - done;
        BS_TRY(chunk_append(last, in, done, take, err));
        done += take;
        w->n_rows += take;
    }
    return BS_OK;
}

static Status window_finish(Operator *op, Error *err)
{
    WindowOp *w = (WindowOp *)op;
    if (w->state == WS_COLLECTING) w->state = WS_EVALUATING;
    return BS_OK;
}

/* ---- sorted columns ---- */

static Status sorted_alloc(WindowOp *w, LogicalType type, SortedCol *out, Error *err)
{
    out->p = type_physical(type);
    out->width = type_size(type);
    if (!(out->data = window_big_alloc(w, out->width * (w->n_rows ? w->n_rows : 1), err)))
        return BS_ERROR;
    if (!(out->valid = window_big_alloc(w, sizeof(uint64_t) * ((w->n_rows + 63) / 64 + 1), err)))
        return BS_ERROR;
    memset(out->valid, 0xff, sizeof(uint64_t) * ((w->n_rows + 63) / 64 + 1));
    return BS_OK;
}

/* Input column `col` in sorted order. */
static Status sorted_gather(WindowOp *w, int col, SortedCol *out, Error *err)
{
    BS_TRY(sorted_alloc(w, w->base.node->children[0]->types[col], out, err));
    /* a loop per width: a memcpy of a variable width per row was a libc call */
#define GATHER_LOOP(T)                                                                             \
    for (idx_t i = 0; i < w->n_rows; i++) {                                                        \
        uint32_t at;                                                                               \
        const Vector *v = col_at(w, col, w->perm[i], &at);                                         \
        if (!validity_get(v->validity, at)) validity_set_invalid(out->valid, i);                   \
        ((T *)out->data)[i] = ((const T *)v->data)[at];                                            \
    }
    switch (out->width) {
    case 1:
        GATHER_LOOP(uint8_t);
        break;
    case 2:
        GATHER_LOOP(int16_t);
        break;
    case 4:
        GATHER_LOOP(int32_t);
        break;
    case 8:
        GATHER_LOOP(int64_t);
        break;
    case 16:
        GATHER_LOOP(StringView);
        break;
    default:
        return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "window: column width");
    }
#undef GATHER_LOOP
    return BS_OK;
}

/* Copies values src[idx[i]] (or fallback[i] where idx[i] < 0; NULL when fallback is NULL)
   to out[base + i], i < n: a loop per width. */
static void sc_pick(const SortedCol *src, const int64_t *idx, const SortedCol *fallback,
                    SortedCol *out, idx_t base, idx_t n)
{
#define PICK_LOOP(T)                                                                               \
    for (idx_t i = 0; i < n; i++) {                                                                \
        const SortedCol *from = idx[i] >= 0 ? src : fallback;                                      \
        idx_t at = idx[i] >= 0 ? (idx_t)idx[i] : base + i;                                         \
        if (!from || !sc_valid(from, at)) {                                                        \
            validity_set_invalid(out->valid, base + i);                                            \
            continue;                                                                              \
        }                                                                                          \
        ((T *)out->data)[base + i] = ((const T *)from->data)[at];                                  \
    }
    switch (out->width) {
    case 1:
        PICK_LOOP(uint8_t);
        break;
    case 2:
        PICK_LOOP(int16_t);
        break;
    case 4:
        PICK_LOOP(int32_t);
        break;
    case 8:
        PICK_LOOP(int64_t);
        break;
    case 16:
        PICK_LOOP(StringView);
        break;
    default:
        break;
    }
#undef PICK_LOOP
}

/* ---- frames ---- */

static inline int64_t sat_add(int64_t a, int64_t b)
{
    int64_t r;
    if (__builtin_add_overflow(a, b, &r)) return b > 0 ? INT64_MAX : INT64_MIN;
    return r;
}

/* The RANGE order key as a number: int64 (integers, decimals, or microseconds of a date or
   timestamp) or double. */
typedef struct RangeKey {
    const SortedCol *col;
    bool is_double, is_date, is_time;
    bool desc;
} RangeKey;

static inline int64_t rk_i64(const RangeKey *k, idx_t i)
{
    int64_t v = sc_i64(k->col, i);
    return k->is_date ? v * INT64_C(86400000000) : v;
}

/* v ± offset (sign +1/-1) of the key's kind, saturating. */
static Status rk_shift_i64(const RangeKey *k, int64_t v, const Value *off, int sign, int64_t *out,
                           Error *err)
{
    if (k->is_time) {
        bool ok = sign > 0 ? timestamp_add_interval(v, &off->u.iv, out)
                           : timestamp_sub_interval(v, &off->u.iv, out);
        if (!ok) *out = sign > 0 ? INT64_MAX : INT64_MIN;
        return BS_OK;
    }
    int64_t o = type_physical(off->type) == PHYS_INT32 ? off->u.i32 : off->u.i64;
    *out = sign > 0 ? sat_add(v, o) : (o == INT64_MIN ? INT64_MAX : sat_add(v, -o));
    (void)err;
    return BS_OK;
}

/*
 * The first position p in [lo, hi) whose key is "past" t: for an ascending key, key >= t
 * (strict: key > t); for a descending key, key <= t (strict: key < t). hi if none.
 */
static idx_t rk_search_i64(const RangeKey *k, idx_t lo, idx_t hi, int64_t t, bool strict)
{
    while (lo < hi) {
        idx_t mid = lo + (hi - lo) / 2;
        int64_t v = rk_i64(k, mid);
        bool past = !k->desc ? (strict ? v > t : v >= t) : (strict ? v < t : v <= t);
        if (past)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

static idx_t rk_search_f64(const RangeKey *k, idx_t lo, idx_t hi, double t, bool strict)
{
    const double *d = k->col->data;
    while (lo < hi) {
        idx_t mid = lo + (hi - lo) / 2;
        double v = d[mid];
        bool past = !k->desc ? (strict ? v > t : v >= t) : (strict ? v < t : v <= t);
        if (past)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* One RANGE bound with an offset for row i of partition [ps, pe) (absolute positions). */
static Status range_bound(WindowOp *w, const RangeKey *k, idx_t ps, idx_t pe, idx_t i,
                          WindowBound kind, const Value *off, bool is_end, int64_t *out, Error *err)
{
    if (!sc_valid(k->col, i)) {
        /* A NULL key's offset bounds are its peer group's (the NULLs). */
        *out = is_end ? w->peer_hi[i] : w->peer_lo[i];
        return BS_OK;
    }
    /* The non-NULL keys of the partition: [a, b). */
    idx_t a = ps, b = pe;
    if (!sc_valid(k->col, ps)) a = w->peer_hi[ps];
    if (!sc_valid(k->col, pe - 1)) b = w->peer_lo[pe - 1];
    /* PRECEDING moves against the order, FOLLOWING with it. */
    int sign = (kind == WBOUND_FOLLOWING) != k->desc ? 1 : -1;
    if (k->is_double) {
        double o = off->u.f64, v = ((const double *)k->col->data)[i];
        *out = (int64_t)rk_search_f64(k, a, b, sign > 0 ? v + o : v - o, is_end);
        return BS_OK;
    }
    int64_t t;
    BS_TRY(rk_shift_i64(k, rk_i64(k, i), off, sign, &t, err));
    *out = (int64_t)rk_search_i64(k, a, b, t, is_end);
    return BS_OK;
}

/* Frames [frame_lo, frame_hi) of every row of partition [ps, pe), absolute positions. */
static Status compute_frames(WindowOp *w, const PlanWindowFunc *f, const RangeKey *key, idx_t ps,
                             idx_t pe, Error *err)
{
    const WindowFrame *fr = &f->frame;
    int64_t so = 0, eo = 0;
    if (fr->unit != WFRAME_RANGE) {
        if (fr->start == WBOUND_PRECEDING || fr->start == WBOUND_FOLLOWING)
            so = fr->start_offset.u.i64;
        if (fr->end == WBOUND_PRECEDING || fr->end == WBOUND_FOLLOWING) eo = fr->end_offset.u.i64;
    }
    int64_t lo = (int64_t)ps, hi = (int64_t)pe;
    uint32_t n_groups = w->group_of[pe - 1] + 1;
    for (idx_t i = ps; i < pe; i++) {
        int64_t s = lo, e = hi, pos = (int64_t)i;
        uint32_t g = w->group_of[i];
        switch (fr->start) {
        case WBOUND_UNBOUNDED_PRECEDING:
            s = lo;
            break;
        case WBOUND_CURRENT_ROW:
            s = fr->unit == WFRAME_ROWS ? pos : (int64_t)w->peer_lo[i];
            break;
        case WBOUND_PRECEDING:
        case WBOUND_FOLLOWING: {
            bool prec = fr->start == WBOUND_PRECEDING;
            if (fr->unit == WFRAME_ROWS) {
                s = prec ? sat_add(pos, -so) : sat_add(pos, so);
            } else if (fr->unit == WFRAME_GROUPS) {
                int64_t gg = prec ? (int64_t)g - so : sat_add((int64_t)g, so);
                s = gg < 0 ? lo : gg >= (int64_t)n_groups ? hi : (int64_t)w->group_start[ps + gg];
            } else {
                BS_TRY(
                    range_bound(w, key, ps, pe, i, fr->start, &fr->start_offset, false, &s, err));
            }
            break;
        }
        case WBOUND_UNBOUNDED_FOLLOWING:
            s = hi;
            break;
        }
        switch (fr->end) {
        case WBOUND_UNBOUNDED_FOLLOWING:
            e = hi;
            break;
        case WBOUND_CURRENT_ROW:
            e = fr->unit == WFRAME_ROWS ? pos + 1 : (int64_t)w->peer_hi[i];
            break;
        case WBOUND_PRECEDING:
        case WBOUND_FOLLOWING: {
            bool prec = fr->end == WBOUND_PRECEDING;
            if (fr->unit == WFRAME_ROWS) {
                e = sat_add(prec ? sat_add(pos, -eo) : sat_add(pos, eo), 1);
            } else if (fr->unit == WFRAME_GROUPS) {
                int64_t gg = prec ? (int64_t)g - eo : sat_add((int64_t)g, eo);
                e = gg < 0                    ? lo
                    : gg >= (int64_t)n_groups ? hi
                                              : (int64_t)w->peer_hi[w->group_start[ps + gg]];
            } else {
                BS_TRY(range_bound(w, key, ps, pe, i, fr->end, &fr->end_offset, true, &e, err));
            }
            break;
        }
        case WBOUND_UNBOUNDED_PRECEDING:
            e = lo;
            break;
        }
        if (s < lo) s = lo;
        if (s > hi) s = hi;
        if (e < lo) e = lo;
        if (e > hi) e = hi;
        if (e < s) e = s;
        w->frame_lo[i] = s;
        w->frame_hi[i] = e;
    }
    return BS_OK;
}

/* ---- aggregates over frames ---- */

/* min/max: a segment tree of positions (-1: none) over [ps, pe); one instance per type. */
#define SEGTREE(NAME, T, LESS)                                                                     \
    static void NAME##_build(const SortedCol *c, idx_t ps, idx_t n, int64_t *tree, bool is_max)    \
    {                                                                                              \
        const T *v = c->data;                                                                      \
        for (idx_t i = 0; i < n; i++)                                                              \
            tree[n + i] = sc_valid(c, ps + i) ? (int64_t)(ps + i) : -1;                            \
        for (idx_t k = n - 1; k >= 1; k--) {                                                       \
            int64_t a = tree[2 * k], b = tree[2 * k + 1];                                          \
            if (a < 0 || b < 0) {                                                                  \
                tree[k] = a < 0 ? b : a;                                                           \
                continue;                                                                          \
            }                                                                                      \
            bool b_better = is_max ? LESS(v[a], v[b]) : LESS(v[b], v[a]);                          \
            tree[k] = b_better ? b : a;                                                            \
        }                                                                                          \
    }                                                                                              \
    static int64_t NAME##_query(const SortedCol *c, idx_t ps, idx_t n, const int64_t *tree,        \
                                int64_t l, int64_t r, bool is_max)                                 \
    {                                                                                              \
        const T *v = c->data;                                                                      \
        int64_t best = -1;                                                                         \
        l += (int64_t)(n - ps);                                                                    \
        r += (int64_t)(n - ps);                                                                    \
        while (l < r) {                                                                            \
            int64_t cand[2] = {-1, -1};                                                            \
            if (l & 1) cand[0] = tree[l++];                                                        \
            if (r & 1) cand[1] = tree[--r];                                                        \
            for (int q = 0; q < 2; q++) {                                                          \
                int64_t x = cand[q];                                                               \
                if (x < 0) continue;                                                               \
                if (best < 0 || (is_max ? LESS(v[best], v[x]) : LESS(v[x], v[best]))) best = x;    \
            }                                                                                      \
            l >>= 1;                                                                               \
            r >>= 1;                                                                               \
        }                                                                                          \
        return best;                                                                               \
    }

#define LESS_NUM(a, b) ((a) < (b))
#define LESS_DBL(a, b) (isnan(b) ? !isnan(a) : (a) < (b))
#define LESS_STR(a, b) (sv_compare(&(a), &(b)) < 0)
#define LESS_IV(a, b)  (interval_compare(&(a), &(b)) < 0)
SEGTREE(seg_u8, uint8_t, LESS_NUM)
SEGTREE(seg_i32, int32_t, LESS_NUM)
SEGTREE(seg_i64, int64_t, LESS_NUM)
SEGTREE(seg_f64, double, LESS_DBL)
SEGTREE(seg_str, StringView, LESS_STR)
SEGTREE(seg_iv, Interval, LESS_IV)

/*
 * Ties between segments: the tree keeps the first of equal values, queries too (left
 * candidates come first when they win strictly). Either is equal, which is all min/max
 * needs.
 */
static Status eval_minmax(WindowOp *w, const PlanWindowFunc *f, const SortedCol *arg,
                          SortedCol *res, idx_t ps, idx_t pe, int64_t *idx, int64_t *tree)
{
    idx_t n = pe - ps;
    bool is_max = f->agg == AGG_MAX;
    bool running = f->frame.start == WBOUND_UNBOUNDED_PRECEDING;
    if (running) {
        /* Frames grow from the partition's start: the best so far at each end. */
        int64_t best = -1;
        idx_t upto = ps;
        for (idx_t i = ps; i < pe; i++) {
            idx_t e = (idx_t)w->frame_hi[i];
            for (; upto < e; upto++) {
                if (!sc_valid(arg, upto)) continue;
                if (best < 0) {
                    best = (int64_t)upto;
                    continue;
                }
                bool better = false;
#define BETTER(T, LESS)                                                                            \
    {                                                                                              \
        const T *v = arg->data;                                                                    \
        better = is_max ? LESS(v[best], v[upto]) : LESS(v[upto], v[best]);                         \
    }
                switch (arg->p) {
                case PHYS_BOOL:
                    BETTER(uint8_t, LESS_NUM);
                    break;
                case PHYS_INT32:
                    BETTER(int32_t, LESS_NUM);
                    break;
                case PHYS_INT64:
                    BETTER(int64_t, LESS_NUM);
                    break;
                case PHYS_DOUBLE:
                    BETTER(double, LESS_DBL);
                    break;
                case PHYS_STRING:
                    BETTER(StringView, LESS_STR);
                    break;
                case PHYS_INTERVAL:
                    BETTER(Interval, LESS_IV);
                    break;
                case PHYS_INT8: /* min/max of these are not bound over windows */
                case PHYS_INT16:
                case PHYS_INT128:
                case PHYS_FLOAT:
                case PHYS_INVALID:
                    break;
                }
#undef BETTER
                if (better) best = (int64_t)upto;
            }
            idx[i - ps] = w->frame_lo[i] < w->frame_hi[i] ? best : -1;
        }
    } else {
        switch (arg->p) {
#define SEG_CASE(P, NAME)                                                                          \
    case P:                                                                                        \
        NAME##_build(arg, ps, n, tree, is_max);                                                    \
        for (idx_t i = ps; i < pe; i++)                                                            \
            idx[i - ps] = NAME##_query(arg, ps, n, tree, w->frame_lo[i], w->frame_hi[i], is_max);  \
        break;
            SEG_CASE(PHYS_BOOL, seg_u8)
            SEG_CASE(PHYS_INT32, seg_i32)
            SEG_CASE(PHYS_INT64, seg_i64)
            SEG_CASE(PHYS_DOUBLE, seg_f64)
            SEG_CASE(PHYS_STRING, seg_str)
            SEG_CASE(PHYS_INTERVAL, seg_iv)
#undef SEG_CASE
        case PHYS_INT8: /* min/max of these are not bound over windows */
        case PHYS_INT16:
        case PHYS_INT128:
        case PHYS_FLOAT:
        case PHYS_INVALID:
            break;
        }
    }
    sc_pick(arg, idx, NULL, res, ps, n);
    return BS_OK;
}

/* count, sum, avg over [frame_lo, frame_hi) of every row of [ps, pe). */
static Status eval_sum_count(WindowOp *w, const PlanWindowFunc *f, const SortedCol *arg,
                             SortedCol *res, idx_t ps, idx_t pe, __int128 *prefix, int64_t *counts,
                             double *dtree, Error *err)
{
    idx_t n = pe - ps;
    /* counts[k]: valid values among the first k rows of the partition */
    counts[0] = 0;
    for (idx_t k = 0; k < n; k++)
        counts[k + 1] = counts[k] + (f->agg == AGG_COUNT_STAR || sc_valid(arg, ps + k));
    if (f->agg == AGG_COUNT_STAR || f->agg == AGG_COUNT) {
        int64_t *out = res->data;
        for (idx_t i = ps; i < pe; i++)
            out[i] = counts[w->frame_hi[i] - (int64_t)ps] - counts[w->frame_lo[i] - (int64_t)ps];
        return BS_OK;
    }
    bool is_double = arg->p == PHYS_DOUBLE;
    double scale = 1;
    if (f->arg_type.id == TYPE_DECIMAL) scale = pow(10.0, f->arg_type.scale);
    if (!is_double && arg->p == PHYS_INT128) {
        /* 128-bit inputs: a prefix past int128 is an overflow (checked, never wrapped). */
        const __int128 *v = arg->data;
        prefix[0] = 0;
        for (idx_t k = 0; k < n; k++)
            if (__builtin_add_overflow(prefix[k], sc_valid(arg, ps + k) ? v[ps + k] : 0,
                                       &prefix[k + 1]))
                return kernel_overflow(f->type, err);
    } else if (!is_double) {
        prefix[0] = 0;
        for (idx_t k = 0; k < n; k++)
            prefix[k + 1] = prefix[k] + (sc_valid(arg, ps + k) ? sc_i64(arg, ps + k) : 0);
    }
    const double *dv = arg->data;
    bool running = f->frame.start == WBOUND_UNBOUNDED_PRECEDING;
    if (is_double && !running) {
        /* a segment tree of sums */
        for (idx_t k = 0; k < n; k++)
            dtree[n + k] = sc_valid(arg, ps + k) ? dv[ps + k] : 0;
        for (idx_t k = n - 1; k >= 1; k--)
            dtree[k] = dtree[2 * k] + dtree[2 * k + 1];
    }
    double run = 0;
    idx_t upto = ps;
    for (idx_t i = ps; i < pe; i++) {
        int64_t l = w->frame_lo[i] - (int64_t)ps, r = w->frame_hi[i] - (int64_t)ps;
        int64_t cnt = counts[r] - counts[l];
        if (cnt == 0) {
            validity_set_invalid(res->valid, i);
            continue;
        }
        if (is_double) {
            double sum;
            if (running) {
                for (; upto < (idx_t)w->frame_hi[i]; upto++)
                    if (sc_valid(arg, upto)) run += dv[upto];
                sum = run;
            } else {
                sum = 0;
                int64_t a = l + (int64_t)n, b = r + (int64_t)n;
                double left = 0, right = 0;
                while (a < b) {
                    if (a & 1) left += dtree[a++];
                    if (b & 1) right = dtree[--b] + right;
                    a >>= 1;
                    b >>= 1;
                }
                sum = left + right;
            }
            ((double *)res->data)[i] = f->agg == AGG_AVG ? sum / (double)cnt : sum;
            continue;
        }
        __int128 s = prefix[r] - prefix[l];
        if (f->agg == AGG_AVG) {
            ((double *)res->data)[i] = (double)s / scale / (double)cnt;
            continue;
        }
        if (res->p == PHYS_INT128) {
            /* HUGEINT, or DECIMAL(38,s): the grouped sum's types */
            if (f->type.id == TYPE_DECIMAL &&
                (s >= POW10_128[f->type.precision] || s <= -POW10_128[f->type.precision]))
                return kernel_overflow(f->type, err);
            ((__int128 *)res->data)[i] = s;
            continue;
        }
        bool fits = s <= INT64_MAX && s >= INT64_MIN;
        if (fits && f->type.id == TYPE_DECIMAL)
            fits = (int64_t)s < POW10[f->type.precision] && (int64_t)s > -POW10[f->type.precision];
        if (!fits) return kernel_overflow(f->type, err);
        ((int64_t *)res->data)[i] = (int64_t)s;
    }
    return BS_OK;
}

/*
 * count, sum and avg over frames from the partition's start to the current row (ROWS) or
 * to the end of its peer group (RANGE, GROUPS): one pass a peer group at a time, without
 * frame arrays or prefix sums. The results are eval_sum_count's: integer sums exact in
 * 128 bits (an error where one does not fit the result), doubles added in row order.
 */
static Status eval_running(WindowOp *w, const PlanWindowFunc *f, const SortedCol *arg,
                           SortedCol *res, idx_t ps, idx_t pe, Error *err)
{
    bool rows = f->frame.unit == WFRAME_ROWS;
    bool star = f->agg == AGG_COUNT_STAR, is_count = star || f->agg == AGG_COUNT;
    bool is_double = !is_count && arg->p == PHYS_DOUBLE;
    bool is_avg = f->agg == AGG_AVG;
    double scale = 1;
    if (!is_count && f->arg_type.id == TYPE_DECIMAL) scale = pow(10.0, f->arg_type.scale);
    __int128 lim = f->type.id == TYPE_DECIMAL ? POW10_128[f->type.precision] : 0;
    bool wide_in = !is_count && arg->p == PHYS_INT128;
    bool wide_out = res->p == PHYS_INT128; /* HUGEINT, DECIMAL(38,s): the grouped sum's types */
    const __int128 *v128 = arg->data;
    int64_t *out64 = res->data;
    double *outd = res->data;
    const double *dv = arg->data;
    int64_t cnt = 0;
    __int128 sum = 0;
    double dsum = 0;
    for (idx_t i = ps; i < pe;) {
        idx_t end = rows ? i + 1 : w->peer_hi[i];
        for (idx_t k = i; k < end; k++) {
            if (star) {
                cnt++;
                continue;
            }
            if (!sc_valid(arg, k)) continue;
            cnt++;
            if (is_count) continue;
            if (is_double)
                dsum += dv[k];
            else if (wide_in) {
                if (__builtin_add_overflow(sum, v128[k], &sum))
                    return kernel_overflow(f->type, err);
            } else
                sum += sc_i64(arg, k);
        }
        if (is_count) {
            for (idx_t k = i; k < end; k++)
                out64[k] = cnt;
        } else if (cnt == 0) {
            for (idx_t k = i; k < end; k++)
                validity_set_invalid(res->valid, k);
        } else if (is_double || is_avg) {
            double v = is_double ? (is_avg ? dsum / (double)cnt : dsum)
                                 : (double)sum / scale / (double)cnt;
            for (idx_t k = i; k < end; k++)
                outd[k] = v;
        } else if (wide_out) {
            if (lim && (sum >= lim || sum <= -lim)) return kernel_overflow(f->type, err);
            for (idx_t k = i; k < end; k++)
                ((__int128 *)res->data)[k] = sum;
        } else {
            bool fits = sum <= INT64_MAX && sum >= INT64_MIN;
            if (fits && lim) fits = sum < lim && sum > -lim;
            if (!fits) return kernel_overflow(f->type, err);
            for (idx_t k = i; k < end; k++)
                out64[k] = (int64_t)sum;
        }
        i = end;
    }
    return BS_OK;
}

/* ---- evaluation ---- */

typedef struct Scratch {
    int64_t *idx;
    int64_t *tree;
    double *dtree;
    __int128 *prefix;
    int64_t *counts;
} Scratch;

static Status eval_function(WindowOp *w, const PlanWindowFunc *f, const SortedCol *args,
                            SortedCol *res, const RangeKey *key, idx_t ps, idx_t pe, Scratch *s,
                            Error *err)
{
    idx_t n = pe - ps;
    int64_t *out64 = res->data;
    double *outd = res->data;
    switch (f->func) {
    case WIN_ROW_NUMBER:
        for (idx_t i = ps; i < pe; i++)
            out64[i] = (int64_t)(i - ps + 1);
        return BS_OK;
    case WIN_RANK:
        for (idx_t i = ps; i < pe; i++)
            out64[i] = (int64_t)(w->peer_lo[i] - ps + 1);
        return BS_OK;
    case WIN_DENSE_RANK:
        for (idx_t i = ps; i < pe; i++)
            out64[i] = (int64_t)w->group_of[i] + 1;
        return BS_OK;
    case WIN_PERCENT_RANK:
        for (idx_t i = ps; i < pe; i++)
            outd[i] = n > 1 ? (double)(w->peer_lo[i] - ps) / (double)(n - 1) : 0;
        return BS_OK;
    case WIN_CUME_DIST:
        for (idx_t i = ps; i < pe; i++)
            outd[i] = (double)(w->peer_hi[i] - ps) / (double)n;
        return BS_OK;
    case WIN_NTILE:
        for (idx_t i = ps; i < pe; i++) {
            if (!sc_valid(&args[0], i)) {
                validity_set_invalid(res->valid, i);
                continue;
            }
            int64_t k = sc_i64(&args[0], i);
            if (k <= 0)
                return error_set(err, "22014", -1, "argument of ntile must be greater than zero");
            int64_t rows = (int64_t)n, j = (int64_t)(i - ps);
            if (k > rows) k = rows;
            int64_t q = rows / k, r = rows % k;
            int64_t big = r * (q + 1);
            out64[i] = j < big ? j / (q + 1) + 1 : r + (j - big) / q + 1;
        }
        return BS_OK;
    case WIN_LAG:
    case WIN_LEAD:
        if (f->ignore_nulls) return window_value_eval(w, f, args, res, ps, pe, err);
        for (idx_t i = ps; i < pe; i++) {
            if (!sc_valid(&args[1], i)) {
                s->idx[i - ps] = -1;
                validity_set_invalid(res->valid, i); /* marked; skipped below */
                continue;
            }
            int64_t off = sc_i64(&args[1], i);
            int64_t t = f->func == WIN_LAG
                            ? sat_add((int64_t)i, off == INT64_MIN ? INT64_MAX : -off)
                            : sat_add((int64_t)i, off);
            s->idx[i - ps] = t >= (int64_t)ps && t < (int64_t)pe ? t : -1;
        }
        {
            /* rows with a NULL offset stay NULL: pick without fallback for them */
            for (idx_t i = ps; i < pe; i++) {
                if (!validity_get(res->valid, i)) continue;
                int64_t one = s->idx[i - ps];
                sc_pick(&args[0], &one, &args[2], res, i, 1);
            }
        }
        return BS_OK;
    case WIN_FIRST_VALUE:
    case WIN_LAST_VALUE:
    case WIN_NTH_VALUE:
        BS_TRY(compute_frames(w, f, key, ps, pe, err));
        if (f->ignore_nulls || f->frame.exclude != WEXCLUDE_NONE)
            return window_value_eval(w, f, args, res, ps, pe, err);
        for (idx_t i = ps; i < pe; i++) {
            int64_t lo = w->frame_lo[i], hi = w->frame_hi[i], at = -1;
            if (f->func == WIN_FIRST_VALUE) {
                at = lo < hi ? lo : -1;
            } else if (f->func == WIN_LAST_VALUE) {
                at = lo < hi ? hi - 1 : -1;
            } else if (!sc_valid(&args[1], i)) {
                at = -1;
            } else {
                int64_t nth = sc_i64(&args[1], i);
                if (nth <= 0)
                    return error_set(err, "22016", -1,
                                     "argument of nth_value must be greater than zero");
                at = nth <= hi - lo ? lo + nth - 1 : -1;
            }
            s->idx[i - ps] = at;
        }
        sc_pick(&args[0], s->idx, NULL, res, ps, n);
        return BS_OK;
    case WIN_AGGREGATE:
        if (window_agg_is_general(f)) {
            BS_TRY(compute_frames(w, f, key, ps, pe, err));
            return window_agg_eval(w, f, args, res, ps, pe, err);
        }
        if (f->agg != AGG_MIN && f->agg != AGG_MAX &&
            f->frame.start == WBOUND_UNBOUNDED_PRECEDING && f->frame.end == WBOUND_CURRENT_ROW)
            return eval_running(w, f, &args[0], res, ps, pe, err);
        BS_TRY(compute_frames(w, f, key, ps, pe, err));
        if (f->agg == AGG_MIN || f->agg == AGG_MAX)
            return eval_minmax(w, f, &args[0], res, ps, pe, s->idx, s->tree);
        return eval_sum_count(w, f, &args[0], res, ps, pe, s->prefix, s->counts, s->dtree, err);
    case WIN_COUNT_:
        break;
    }
    return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "window: unknown function");
}

static Status evaluate(WindowOp *w, Error *err)
{
    const PlanNode *node = w->base.node;
    Arena *arena = w->base.arena;
    idx_t n = w->n_rows;
    idx_t alloc_n = n ? n : 1;
    /* Peer groups only for functions that read them; frame_lo/hi are touched only by
       functions that compute frames. group_of also holds the partition numbers. */
    w->need_peers = false;
    for (int fi = 0; fi < node->u.window.n_funcs; fi++) {
        WindowFuncId id = node->u.window.funcs[fi].func;
        w->need_peers |= id != WIN_ROW_NUMBER && id != WIN_NTILE && id != WIN_LAG && id != WIN_LEAD;
    }
    if (!(w->perm = window_big_alloc(w, sizeof(uint32_t) * alloc_n, err)) ||
        !(w->group_of = window_big_alloc(w, sizeof(uint32_t) * alloc_n, err)))
        return BS_ERROR;
    if (w->need_peers &&
        (!(w->peer_lo = window_big_alloc(w, sizeof(uint32_t) * alloc_n, err)) ||
         !(w->peer_hi = window_big_alloc(w, sizeof(uint32_t) * alloc_n, err)) ||
         !(w->group_start = window_big_alloc(w, sizeof(uint32_t) * (alloc_n + 1), err))))
        return BS_ERROR;
    if (!(w->frame_lo = window_big_alloc(w, sizeof(int64_t) * alloc_n, err)) ||
        !(w->frame_hi = window_big_alloc(w, sizeof(int64_t) * alloc_n, err)))
        return BS_ERROR;
    w->results = arena_alloc_zero(arena, sizeof(SortedCol) * (size_t)node->u.window.n_funcs);
    if (!w->results) return arena_error(arena, err);
    if (task_should_stop(w->base.task)) return task_cancelled_error(err);
    BS_TRY(window_partition_rows(w, err));
    SortScratch ss = {0};
    for (idx_t p = 0; p < w->n_parts; p++) {
        if ((p & 63) == 0 && task_should_stop(w->base.task)) return task_cancelled_error(err);
        BS_TRY(window_sort_partition(w, w->part_bounds[p], w->part_bounds[p + 1], &ss, err));
    }
    if (task_should_stop(w->base.task)) return task_cancelled_error(err);
    /* Arguments (and the RANGE key) in sorted order. */
    int n_funcs = node->u.window.n_funcs;
    SortedCol *args =
        arena_alloc_zero(arena, sizeof(SortedCol) * WINDOW_MAX_ARGS * (size_t)n_funcs);
    if (!args) return arena_error(arena, err);
    SortedCol key_col = {0};
    RangeKey key = {0};
    bool need_key = false;
    for (int fi = 0; fi < n_funcs; fi++) {
        const PlanWindowFunc *f = &node->u.window.funcs[fi];
        for (int a = 0; a < f->n_args; a++) {
            /* an argument another function gathered already is shared */
            bool shared = false;
            for (int pf = 0; pf < fi && !shared; pf++)
                for (int pa = 0; pa < node->u.window.funcs[pf].n_args && !shared; pa++)
                    if (node->u.window.funcs[pf].args[pa] == f->args[a]) {
                        args[fi * WINDOW_MAX_ARGS + a] = args[pf * WINDOW_MAX_ARGS + pa];
                        shared = true;
                    }
            if (!shared) BS_TRY(sorted_gather(w, f->args[a], &args[fi * WINDOW_MAX_ARGS + a], err));
        }
        BS_TRY(sorted_alloc(w, f->type, &w->results[fi], err));
        bool offsets = f->frame.start == WBOUND_PRECEDING || f->frame.start == WBOUND_FOLLOWING ||
                       f->frame.end == WBOUND_PRECEDING || f->frame.end == WBOUND_FOLLOWING;
        need_key |= f->frame.unit == WFRAME_RANGE && offsets;
    }
    if (need_key) {
        if (node->u.window.n_order != 1)
            return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "window: RANGE needs one key");
        int col = node->u.window.order[0].column;
        LogicalType kt = node->children[0]->types[col];
        BS_TRY(sorted_gather(w, col, &key_col, err));
        key.col = &key_col;
        key.desc = node->u.window.order[0].descending;
        key.is_double = kt.id == TYPE_DOUBLE;
        key.is_date = kt.id == TYPE_DATE;
        key.is_time = kt.id == TYPE_DATE || kt.id == TYPE_TIMESTAMP || kt.id == TYPE_TIMESTAMPTZ;
    }
    /* Scratch sized for the largest partition: found as we go, grown when needed. */
    Scratch s = {0};
    idx_t scratch_n = 0;
    for (idx_t p = 0; p < w->n_parts; p++) {
        if (task_should_stop(w->base.task)) return task_cancelled_error(err);
        idx_t ps = w->part_bounds[p], pe = w->part_bounds[p + 1];
        idx_t len = pe - ps;
        if (len > scratch_n) {
            idx_t cap = w->max_part;
            if (!(s.idx = window_big_alloc(w, sizeof(int64_t) * cap, err)) ||
                !(s.tree = window_big_alloc(w, sizeof(int64_t) * 2 * cap, err)) ||
                !(s.dtree = window_big_alloc(w, sizeof(double) * 2 * cap, err)) ||
                !(s.prefix = window_big_alloc(w, sizeof(__int128) * (cap + 1), err)) ||
                !(s.counts = window_big_alloc(w, sizeof(int64_t) * (cap + 1), err)))
                return BS_ERROR;
            scratch_n = cap;
        }
        for (int fi = 0; fi < n_funcs; fi++)
            BS_TRY(eval_function(w, &node->u.window.funcs[fi], &args[fi * WINDOW_MAX_ARGS],
                                 &w->results[fi], &key, ps, pe, &s, err));
    }
    return BS_OK;
}

/* ---- emitting ---- */

static Status emit(WindowOp *w, Chunk **out, Error *err)
{
    const PlanNode *node = w->base.node;
    Chunk *c = w->out;
    chunk_reset(c);
    idx_t take = w->n_rows - w->emit_pos;
    if (take > BASALT_VECTOR_SIZE) take = BASALT_VECTOR_SIZE;
    const uint32_t *perm = w->perm + w->emit_pos;
    for (int col = 0; col < w->n_in; col++) {
        Vector *dst = &c->cols[col];
        size_t width = type_size(dst->type);
#define GATHER(T)                                                                                  \
    for (idx_t i = 0; i < take; i++) {                                                             \
        uint32_t at;                                                                               \
        const Vector *v = col_at(w, col, perm[i], &at);                                            \
        ((T *)dst->data)[i] = ((const T *)v->data)[at];                                            \
        if (BS_UNLIKELY(v->validity && !validity_get(v->validity, at)))                            \
            BS_TRY(vector_set_null(dst, i, err));                                                  \
    }
        switch (width) {
        case 1:
            GATHER(uint8_t);
            break;
        case 2:
            GATHER(int16_t);
            break;
        case 4:
            GATHER(int32_t);
            break;
        case 8:
            GATHER(int64_t);
            break;
        case 16:
            GATHER(StringView);
            break;
        default:
            return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "window: column width");
        }
#undef GATHER
    }
    for (int fi = 0; fi < node->u.window.n_funcs; fi++) {
        Vector *dst = &c->cols[w->n_in + fi];
        const SortedCol *r = &w->results[fi];
        memcpy(dst->data, (const char *)r->data + w->emit_pos * r->width, take * r->width);
        for (idx_t i = 0; i < take; i++)
            if (!validity_get(r->valid, w->emit_pos + i)) BS_TRY(vector_set_null(dst, i, err));
    }
    c->n_rows = take;
    w->emit_pos += take;
    if (w->emit_pos == w->n_rows) w->state = WS_DONE;
    *out = c;
    return BS_OK;
}

static Status window_get_output(Operator *op, Chunk **out, Error *err)
{
    WindowOp *w = (WindowOp *)op;
    *out = NULL;
    if (w->state == WS_EVALUATING) {
        BS_TRY(evaluate(w, err));
        w->state = w->n_rows ? WS_EMITTING : WS_DONE;
    }
    if (w->state != WS_EMITTING) return BS_OK;
    if (task_should_stop(op->task)) return task_cancelled_error(err);
    return emit(w, out, err);
}

static bool window_is_finished(Operator *op)
{
    return ((WindowOp *)op)->state == WS_DONE;
}

static void window_close(Operator *op)
{
    WindowOp *w = (WindowOp *)op;
    for (BigArray *b = w->big; b; b = b->next)
        memtracker_free(&op->tracker, b->p, b->size);
    w->big = NULL;
}

static const OperatorVtab WINDOW_VTAB = {
    .name = "Window",
    .needs_input = window_needs_input,
    .add_input = window_add_input,
    .get_output = window_get_output,
    .finish = window_finish,
    .is_finished = window_is_finished,
    .close = window_close,
};

/* Checks what a plan from the wire says against the input (plans are not trusted). */
static Status check_node(const PlanNode *node, Error *err)
{
    const PlanNode *child = node->children[0];
    int nc = child->n_cols;
    bool ok = node->n_cols == nc + node->u.window.n_funcs;
    for (int k = 0; ok && k < node->u.window.n_partitions; k++)
        ok = node->u.window.partitions[k] >= 0 && node->u.window.partitions[k] < nc;
    for (int k = 0; ok && k < node->u.window.n_order; k++)
        ok = node->u.window.order[k].column >= 0 && node->u.window.order[k].column < nc;
    for (int k = 0; ok && k < nc; k++)
        ok = type_equals(node->types[k], child->types[k]);
    for (int fi = 0; ok && fi < node->u.window.n_funcs; fi++) {
        const PlanWindowFunc *f = &node->u.window.funcs[fi];
        static const int8_t arity[WIN_COUNT_] = {0, 0, 0, 0, 0, 1, 3, 3, 1, 1, 2, -1};
        ok = (unsigned)f->func < WIN_COUNT_ && type_equals(node->types[nc + fi], f->type);
        if (ok && f->func == WIN_AGGREGATE)
            ok = (unsigned)f->agg < AGG_COUNT_ &&
                 f->n_args == (f->agg == AGG_COUNT_STAR ? 0 : 1) + f->n_agg_order &&
                 (f->n_agg_order == 0 || f->agg == AGG_STRING_AGG || f->agg == AGG_ARRAY_AGG) &&
                 (f->agg != AGG_ARRAY_AGG ||
                  (f->arg_type.id == TYPE_ARRAY && type_equals(f->type, f->arg_type))) &&
                 (f->agg != AGG_STRING_AGG ||
                  (f->arg_type.id == TYPE_VARCHAR && f->param.type.id == TYPE_VARCHAR)) &&
                 ((f->agg != AGG_QUANTILE_CONT && f->agg != AGG_QUANTILE_DISC) ||
                  f->param.type.id == TYPE_DOUBLE);
        else if (ok)
            ok = f->n_args == arity[f->func];
        for (int a = 0; ok && a < f->n_args; a++)
            ok = f->args[a] >= 0 && f->args[a] < nc;
        if (ok && f->n_args) ok = type_equals(child->types[f->args[0]], f->arg_type);
        /* integer arguments: ntile's buckets, lag/lead's offset, nth_value's n */
        if (ok && (f->func == WIN_NTILE)) ok = child->types[f->args[0]].id == TYPE_BIGINT;
        if (ok && (f->func == WIN_LAG || f->func == WIN_LEAD || f->func == WIN_NTH_VALUE))
            ok = child->types[f->args[1]].id == TYPE_BIGINT;
        if (ok && (f->func == WIN_LAG || f->func == WIN_LEAD))
            ok = type_equals(child->types[f->args[2]], f->arg_type) &&
                 type_equals(f->type, f->arg_type);
        bool offsets = f->frame.start == WBOUND_PRECEDING || f->frame.start == WBOUND_FOLLOWING ||
                       f->frame.end == WBOUND_PRECEDING || f->frame.end == WBOUND_FOLLOWING;
        if (ok && offsets && f->frame.unit == WFRAME_RANGE) {
            ok = node->u.window.n_order == 1;
            if (ok) {
                LogicalType kt = child->types[node->u.window.order[0].column];
                bool time = type_is_temporal(kt) || kt.id == TYPE_TIMESTAMPTZ;
                TypeId want = time ? TYPE_INTERVAL : (TypeId)kt.id;
                ok = type_is_numeric(kt) || time;
                if (ok &&
                    (f->frame.start == WBOUND_PRECEDING || f->frame.start == WBOUND_FOLLOWING))
                    ok = f->frame.start_offset.type.id == want && !f->frame.start_offset.is_null;
                if (ok && (f->frame.end == WBOUND_PRECEDING || f->frame.end == WBOUND_FOLLOWING))
                    ok = f->frame.end_offset.type.id == want && !f->frame.end_offset.is_null;
            }
        } else if (ok && offsets) {
            if (f->frame.start == WBOUND_PRECEDING || f->frame.start == WBOUND_FOLLOWING)
                ok = f->frame.start_offset.type.id == TYPE_BIGINT &&
                     f->frame.start_offset.u.i64 >= 0;
            if (ok && (f->frame.end == WBOUND_PRECEDING || f->frame.end == WBOUND_FOLLOWING))
                ok = f->frame.end_offset.type.id == TYPE_BIGINT && f->frame.end_offset.u.i64 >= 0;
        }
    }
    if (!ok) return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "invalid plan: window node");
    return BS_OK;
}

Status op_window_create(Driver *d, const PlanNode *node, Operator **out, Error *err)
{
    if (node->n_children != 1)
        return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "invalid plan: arity");
    BS_TRY(check_node(node, err));
    WindowOp *w = (WindowOp *)operator_new(d, node, &WINDOW_VTAB, sizeof *w, err);
    if (!w) return BS_ERROR;
    w->n_in = node->children[0]->n_cols;
    w->shift = __builtin_ctz(BASALT_VECTOR_SIZE);
    w->mask = BASALT_VECTOR_SIZE - 1;
    w->out = chunk_create(w->base.arena, node->types, node->n_cols, err);
    if (!w->out) return BS_ERROR;
    w->rows_arena = arena_create(w->base.arena, NULL, 0);
    if (!w->rows_arena) return error_oom(err);
    *out = &w->base;
    return BS_OK;
}
