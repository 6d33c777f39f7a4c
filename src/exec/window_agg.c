/*
 * window_agg.c — aggregates over window frames beyond op_window.c's fast paths (plain
 * count, sum, avg, min and max): the variances, bool_and/bool_or, min/max of 128-bit
 * values, DECIMAL averages, sums and averages of intervals, DISTINCT, EXCLUDE, string_agg, the
 * quantiles and approx_distinct. op_window.c has sorted the partition and computed every row's
 * frame [frame_lo, frame_hi) before it calls window_agg_eval.
 *
 * Combinable aggregates (count, sum, avg, min, max, bool_and/or, variances) keep a 32-byte
 * state per row that two states combine into (Welford's for variances, combined by Chan
 * et al.'s formula). A frame that is the whole partition folds once; frames from the
 * partition's start fold incrementally as they grow; any other frame — sliding, or with
 * EXCLUDE — is at most three ranges of rows (before the excluded rows, the current row
 * EXCLUDE TIES keeps, after them) answered by a segment tree of the states over the
 * partition (DuckDB's approach): O(log n) combines per range, and no state is ever
 * "removed", so floating point results do not drift.
 *
 * The others follow the frame's members as it moves (frames' bounds only move forward
 * for constant offsets, so every row enters and leaves at most once per bound; a Cursor
 * recomputes membership only of the rows between a bound's old and new place):
 *   DISTINCT combinables: the partition's values numbered in value order (equal values
 *     one id); a multiplicity per id, and a segment tree over the ids whose leaf is the
 *     value's state while it is present, so the root is the aggregate of the distinct
 *     values, in an order independent of history;
 *   quantile_cont/quantile_disc (median, percentile_*): a Fenwick tree over the values'
 *     ranks (or, DISTINCT, over ids), whose k-th member is found in O(log n);
 *   approx_distinct: the HyperLogLog registers (agg_table.c's hash and estimate) with
 *     a count per register and rank, so a register falls back when its largest rank
 *     leaves; the estimate reads a histogram of the registers;
 *   string_agg in the window's order with no DISTINCT and no EXCLUDE: the partition's
 *     values joined once, and each frame's result a view of the part between its first
 *     and last value; otherwise each frame's values sorted by the aggregate's ORDER BY,
 *     joined per row (unless the frame equals the previous row's).
 * Results equal the aggregate's over the same rows (agg_table.c, agg_values.c): integer
 * sums exact in 128 bits with 22003 where a result does not fit, averages of DECIMAL
 * rounded half away from zero, quantiles as PostgreSQL's.
 */
#include "exec/agg_table.h"
#include "common/array.h"
#include "exec/window_int.h"

#include <math.h>
#include <stdlib.h>

typedef struct WState {
    union {
        int64_t i64;
        double f64;
        int128_t i128;
        StringView sv;
        Interval iv;
        double w[2]; /* Welford: mean, sum of squared deviations */
    } v;
    int64_t count; /* rows aggregated (min/max: > 0 once a value was seen) */
} WState;

struct WinAggScratch {
    idx_t cap;
    WState *tree;      /* 2 × cap */
    uint32_t *order;   /* valid rows (partition-relative) in value or ORDER BY order */
    uint32_t *rank;    /* row → its place in order, or its distinct id */
    uint32_t *rep;     /* id → a row with that value */
    uint32_t *mult;    /* id → rows with that value in the frame */
    int32_t *fen;      /* Fenwick tree, cap + 1 */
    uint8_t *in;       /* row → member of the current frame */
    uint32_t *members; /* a frame's rows */
    uint32_t *cntv;    /* cntv[k]: valid rows among the partition's first k, cap + 1 */
    uint32_t *vpos;    /* the valid rows' positions, in order */
    uint16_t *hslot;   /* approx_distinct: each row's register and rank */
    uint8_t *hrank;
    uint32_t *hll_cnt; /* AGG_HLL_REGISTERS × AGG_HLL_RANKS */
    uint8_t *regs;     /* AGG_HLL_REGISTERS */
};

/* ---- values ---- */

static inline int cmp_f64(double x, double y)
{
    if (isnan(x) || isnan(y)) return isnan(x) - isnan(y); /* NaN last, as in PostgreSQL */
    return (x > y) - (x < y);
}

/* <0, 0, >0 comparing rows a and b (both valid) of c. */
static int cmp_rows(const SortedCol *c, idx_t a, idx_t b)
{
    switch (c->p) {
    case PHYS_BOOL: {
        const uint8_t *v = c->data;
        return (v[a] > v[b]) - (v[a] < v[b]);
    }
    case PHYS_INT8: {
        const int8_t *v = c->data;
        return (v[a] > v[b]) - (v[a] < v[b]);
    }
    case PHYS_INT16: {
        const int16_t *v = c->data;
        return (v[a] > v[b]) - (v[a] < v[b]);
    }
    case PHYS_INT32: {
        const int32_t *v = c->data;
        return (v[a] > v[b]) - (v[a] < v[b]);
    }
    case PHYS_INT64: {
        const int64_t *v = c->data;
        return (v[a] > v[b]) - (v[a] < v[b]);
    }
    case PHYS_INT128: {
        const int128_t *v = c->data;
        return (v[a] > v[b]) - (v[a] < v[b]);
    }
    case PHYS_FLOAT: {
        const float *v = c->data;
        return cmp_f64(v[a], v[b]);
    }
    case PHYS_DOUBLE: {
        const double *v = c->data;
        return cmp_f64(v[a], v[b]);
    }
    case PHYS_STRING: {
        const StringView *v = c->data;
        return sv_compare(&v[a], &v[b]);
    }
    case PHYS_INTERVAL: {
        const Interval *v = c->data;
        return interval_compare(&v[a], &v[b]);
    }
    case PHYS_INVALID:
        break;
    }
    return 0;
}

/* res[i] = src[r] (a value of the same physical type), or NULL when r < 0 or src[r] is. */
static void copy_value(const SortedCol *src, int64_t r, SortedCol *res, idx_t i)
{
    if (r < 0 || !sc_valid(src, (idx_t)r)) {
        validity_set_invalid(res->valid, i);
        return;
    }
    memcpy((char *)res->data + i * res->width, (const char *)src->data + (idx_t)r * src->width,
           res->width);
}

/* A numeric value as a double, decimals scaled (agg_values.c's as_double). */
static double value_as_double(const SortedCol *c, LogicalType t, idx_t r)
{
    double x;
    switch (c->p) {
    case PHYS_INT32:
        x = ((const int32_t *)c->data)[r];
        break;
    case PHYS_INT64:
        x = (double)((const int64_t *)c->data)[r];
        break;
    case PHYS_INT128:
        x = (double)((const int128_t *)c->data)[r];
        break;
    case PHYS_INT16:
        x = ((const int16_t *)c->data)[r];
        break;
    case PHYS_INT8:
        x = ((const int8_t *)c->data)[r];
        break;
    case PHYS_FLOAT:
        x = ((const float *)c->data)[r];
        break;
    default:
        x = ((const double *)c->data)[r];
        break;
    }
    if (t.id == TYPE_DECIMAL) x /= pow(10.0, t.scale);
    return x;
}

/* ---- combinable states ---- */

typedef enum StateKind {
    SK_COUNT,
    SK_SUM_INT,
    SK_SUM_DBL,
    SK_SUM_IV, /* intervals: months, days and µs added apart */
    SK_MIN,
    SK_MAX,
    SK_VAR
} StateKind;

typedef struct Agg {
    const PlanWindowFunc *f;
    const SortedCol *arg;
    StateKind kind;
    bool star;
} Agg;

static StateKind state_kind(const PlanWindowFunc *f, const SortedCol *arg)
{
    switch (f->agg) {
    case AGG_SUM:
    case AGG_AVG:
        return arg->p == PHYS_DOUBLE     ? SK_SUM_DBL
               : arg->p == PHYS_INTERVAL ? SK_SUM_IV
                                         : SK_SUM_INT;
    case AGG_MIN:
    case AGG_BOOL_AND:
        return SK_MIN;
    case AGG_MAX:
    case AGG_BOOL_OR:
        return SK_MAX;
    case AGG_VAR_SAMP:
    case AGG_VAR_POP:
    case AGG_STDDEV_SAMP:
    case AGG_STDDEV_POP:
        return SK_VAR;
    default:
        return SK_COUNT;
    }
}

static inline void state_leaf(const Agg *a, idx_t r, WState *st)
{
    memset(st, 0, sizeof *st);
    if (a->star) {
        st->count = 1;
        return;
    }
    if (!sc_valid(a->arg, r)) return;
    st->count = 1;
    const SortedCol *c = a->arg;
    switch (a->kind) {
    case SK_COUNT:
        break;
    case SK_SUM_INT:
        st->v.i128 = c->p == PHYS_INT128 ? ((const int128_t *)c->data)[r] : sc_i64(c, r);
        break;
    case SK_SUM_DBL:
        st->v.f64 = ((const double *)c->data)[r];
        break;
    case SK_SUM_IV:
        st->v.iv = ((const Interval *)c->data)[r];
        break;
    case SK_MIN:
    case SK_MAX:
        memcpy(&st->v, (const char *)c->data + r * c->width, c->width);
        break;
    case SK_VAR:
        st->v.w[0] = value_as_double(c, a->f->arg_type, r);
        st->v.w[1] = 0;
        break;
    }
}

/* <0, 0, >0 comparing the values two min/max states hold. */
static int state_cmp(PhysicalType p, const WState *x, const WState *y)
{
    switch (p) {
    case PHYS_BOOL:
        return (x->v.i64 & 0xff) > (y->v.i64 & 0xff)   ? 1
               : (x->v.i64 & 0xff) < (y->v.i64 & 0xff) ? -1
                                                       : 0;
    case PHYS_INT32: {
        int32_t a, b;
        memcpy(&a, &x->v, 4);
        memcpy(&b, &y->v, 4);
        return (a > b) - (a < b);
    }
    case PHYS_INT64:
        return (x->v.i64 > y->v.i64) - (x->v.i64 < y->v.i64);
    case PHYS_INT128:
        return (x->v.i128 > y->v.i128) - (x->v.i128 < y->v.i128);
    case PHYS_DOUBLE:
        return cmp_f64(x->v.f64, y->v.f64);
    case PHYS_STRING:
        return sv_compare(&x->v.sv, &y->v.sv);
    case PHYS_INTERVAL:
        return interval_compare(&x->v.iv, &y->v.iv);
    default:
        return 0;
    }
}

/* into = into ⊕ from (into's rows come first); false on a 128-bit overflow. */
/* state_cmp for a's argument: arrays in PostgreSQL's order, not their bytes'. */
static int agg_state_cmp(const Agg *a, const WState *x, const WState *y)
{
    if (a->f->arg_type.id == TYPE_ARRAY)
        return array_compare(a->f->arg_type, sv_data(&x->v.sv), x->v.sv.len, sv_data(&y->v.sv),
                             y->v.sv.len);
    return state_cmp(a->arg->p, x, y);
}

static inline bool state_combine(const Agg *a, WState *into, const WState *from)
{
    if (!from->count) return true;
    if (!into->count) {
        *into = *from;
        return true;
    }
    switch (a->kind) {
    case SK_COUNT:
        break;
    case SK_SUM_INT:
        if (__builtin_add_overflow(into->v.i128, from->v.i128, &into->v.i128)) return false;
        break;
    case SK_SUM_DBL:
        into->v.f64 += from->v.f64;
        break;
    case SK_SUM_IV:
        if (!interval_add(&into->v.iv, &from->v.iv, &into->v.iv)) return false;
        break;
    case SK_MIN:
        if (agg_state_cmp(a, from, into) < 0) into->v = from->v;
        return true; /* count stays > 0 */
    case SK_MAX:
        if (agg_state_cmp(a, from, into) > 0) into->v = from->v;
        return true;
    case SK_VAR: {
        double na = (double)into->count, nb = (double)from->count, n = na + nb;
        double d = from->v.w[0] - into->v.w[0];
        into->v.w[0] += d * nb / n;
        into->v.w[1] += from->v.w[1] + d * d * na * nb / n;
        break;
    }
    }
    into->count += from->count;
    return true;
}

/* The result of a state into res[i]. */
static Status state_final(const Agg *a, const WState *st, SortedCol *res, idx_t i, Error *err)
{
    const PlanWindowFunc *f = a->f;
    if (f->agg == AGG_COUNT || f->agg == AGG_COUNT_STAR) {
        ((int64_t *)res->data)[i] = st->count;
        return BS_OK;
    }
    if (!st->count) {
        validity_set_invalid(res->valid, i);
        return BS_OK;
    }
    switch (f->agg) {
    case AGG_SUM:
        if (a->kind == SK_SUM_DBL) {
            ((double *)res->data)[i] = st->v.f64;
        } else if (a->kind == SK_SUM_IV) {
            ((Interval *)res->data)[i] = st->v.iv;
        } else {
            int128_t s = st->v.i128;
            if (f->type.id == TYPE_DECIMAL &&
                (s >= POW10_128[f->type.precision] || s <= -POW10_128[f->type.precision]))
                return kernel_overflow(f->type, err);
            if (res->p == PHYS_INT128)
                ((int128_t *)res->data)[i] = s;
            else if (s > INT64_MAX || s < INT64_MIN)
                return kernel_overflow(f->type, err);
            else
                ((int64_t *)res->data)[i] = (int64_t)s;
        }
        return BS_OK;
    case AGG_AVG:
        if (a->kind == SK_SUM_IV) { /* the sum / count, as interval / number divides */
            if (!interval_div(&st->v.iv, (double)st->count, &((Interval *)res->data)[i]))
                return kernel_overflow(f->type, err);
        } else if (f->type.id == TYPE_DECIMAL) {
            /* sum · 10^k / count rounded half away from zero (agg_table.c's) */
            int k = f->type.scale - f->arg_type.scale;
            int128_t q = st->v.i128 / st->count, rem = st->v.i128 % st->count;
            int128_t mean = q * POW10_128[k] + int128_div_round(rem * POW10_128[k], st->count);
            if (res->p == PHYS_INT128)
                ((int128_t *)res->data)[i] = mean;
            else
                ((int64_t *)res->data)[i] = (int64_t)mean;
        } else {
            double sum = a->kind == SK_SUM_DBL ? st->v.f64 : (double)st->v.i128;
            if (f->arg_type.id == TYPE_DECIMAL) sum /= (double)POW10_128[f->arg_type.scale];
            ((double *)res->data)[i] = sum / (double)st->count;
        }
        return BS_OK;
    case AGG_VAR_SAMP:
    case AGG_VAR_POP:
    case AGG_STDDEV_SAMP:
    case AGG_STDDEV_POP: {
        bool samp = f->agg == AGG_VAR_SAMP || f->agg == AGG_STDDEV_SAMP;
        if (st->count < (samp ? 2 : 1)) {
            validity_set_invalid(res->valid, i);
            return BS_OK;
        }
        double var = st->v.w[1] / (double)(st->count - (samp ? 1 : 0));
        if (var < 0) var = 0;
        bool dev = f->agg == AGG_STDDEV_SAMP || f->agg == AGG_STDDEV_POP;
        ((double *)res->data)[i] = dev ? sqrt(var) : var;
        return BS_OK;
    }
    default: /* min, max, bool_and, bool_or */
        memcpy((char *)res->data + i * res->width, &st->v, res->width);
        return BS_OK;
    }
}

/* ---- frames less EXCLUDE ---- */

/* The excluded rows of row i: [*el, *eh), and *keep the one of them that stays (-1). */
static inline void excluded(const WindowOp *w, const PlanWindowFunc *f, idx_t i, idx_t *el,
                            idx_t *eh, int64_t *keep)
{
    *keep = -1;
    *el = *eh = i;
    switch (f->frame.exclude) {
    case WEXCLUDE_NONE:
        return;
    case WEXCLUDE_CURRENT_ROW:
        *el = i;
        *eh = i + 1;
        return;
    case WEXCLUDE_TIES:
        *keep = (int64_t)i;
        /* fall through */
    case WEXCLUDE_GROUP:
        *el = w->peer_lo[i];
        *eh = w->peer_hi[i];
        return;
    }
}

/* The frame of row i less its excluded rows as ranges [rs[k], re[k]) in order; their count. */
static int frame_ranges(const WindowOp *w, const PlanWindowFunc *f, idx_t i, idx_t *rs, idx_t *re)
{
    idx_t lo = (idx_t)w->frame_lo[i], hi = (idx_t)w->frame_hi[i];
    if (lo >= hi) return 0;
    idx_t el, eh;
    int64_t keep;
    excluded(w, f, i, &el, &eh, &keep);
    if (el >= eh || eh <= lo || el >= hi) {
        rs[0] = lo;
        re[0] = hi;
        return 1;
    }
    int n = 0;
    if (lo < el) {
        rs[n] = lo;
        re[n++] = el;
    }
    if (keep >= (int64_t)lo && keep < (int64_t)hi) {
        rs[n] = (idx_t)keep;
        re[n++] = (idx_t)keep + 1;
    }
    if (eh < hi) {
        rs[n] = eh;
        re[n++] = hi;
    }
    return n;
}

/* ---- scratch ---- */

static Status scratch_get(WindowOp *w, WinAggScratch **out, Error *err)
{
    if (!w->agg) {
        WinAggScratch *s = arena_alloc_zero(w->base.arena, sizeof *s);
        if (!s) return arena_error(w->base.arena, err);
        idx_t cap = w->max_part ? w->max_part : 1;
        s->cap = cap;
        if (!(s->tree = window_big_alloc(w, sizeof(WState) * 2 * cap, err)) ||
            !(s->order = window_big_alloc(w, sizeof(uint32_t) * cap, err)) ||
            !(s->rank = window_big_alloc(w, sizeof(uint32_t) * cap, err)) ||
            !(s->rep = window_big_alloc(w, sizeof(uint32_t) * cap, err)) ||
            !(s->mult = window_big_alloc(w, sizeof(uint32_t) * cap, err)) ||
            !(s->fen = window_big_alloc(w, sizeof(int32_t) * (cap + 1), err)) ||
            !(s->in = window_big_alloc(w, cap, err)) ||
            !(s->members = window_big_alloc(w, sizeof(uint32_t) * cap, err)) ||
            !(s->cntv = window_big_alloc(w, sizeof(uint32_t) * (cap + 1), err)) ||
            !(s->vpos = window_big_alloc(w, sizeof(uint32_t) * cap, err)))
            return BS_ERROR;
        w->agg = s;
    }
    *out = w->agg;
    return BS_OK;
}

/* ---- sorting a partition's values ---- */

typedef struct SortCtx {
    const PlanWindowFunc *f;
    const SortedCol *args;
    idx_t ps;
    bool by_keys;  /* the aggregate's ORDER BY keys first */
    bool by_value; /* then the value */
} SortCtx;

static int cmp_sorted(const void *x, const void *y, void *arg)
{
    const SortCtx *c = arg;
    idx_t a = c->ps + *(const uint32_t *)x, b = c->ps + *(const uint32_t *)y;
    for (int o = 0; c->by_keys && o < c->f->n_agg_order; o++) {
        const SortedCol *k = &c->args[1 + o];
        bool va = sc_valid(k, a), vb = sc_valid(k, b);
        int r;
        if (!va || !vb) {
            if (va == vb) continue;
            r = (!va) == c->f->agg_order_nulls_first[o] ? -1 : 1;
            return r;
        }
        r = cmp_rows(k, a, b);
        if (c->f->agg_order_desc[o]) r = -r;
        if (r) return r;
    }
    if (c->by_value) {
        int r = cmp_rows(&c->args[0], a, b);
        if (r) return r;
    }
    return (a > b) - (a < b);
}

/*
 * The valid rows of the partition into s->order (partition-relative), sorted as ctx says;
 * their number. rank[r] is each one's place, or with `ids` the number of its value among
 * the distinct values (rep[id] one of its rows); *n_ids the distinct values' count.
 */
static idx_t sort_values(WinAggScratch *s, const SortCtx *ctx, idx_t n, bool ids, idx_t *n_ids)
{
    idx_t m = 0;
    for (idx_t k = 0; k < n; k++)
        if (sc_valid(&ctx->args[0], ctx->ps + k)) s->order[m++] = (uint32_t)k;
    qsort_r(s->order, m, sizeof(uint32_t), cmp_sorted, (void *)ctx);
    idx_t id = 0;
    for (idx_t k = 0; k < m; k++) {
        if (!ids) {
            s->rank[s->order[k]] = (uint32_t)k;
            continue;
        }
        bool fresh =
            k == 0 || cmp_rows(&ctx->args[0], ctx->ps + s->order[k - 1], ctx->ps + s->order[k]);
        if (fresh && k > 0) id++;
        if (fresh) s->rep[id] = s->order[k];
        s->rank[s->order[k]] = (uint32_t)id;
    }
    *n_ids = m ? id + 1 : 0;
    return m;
}

/* ---- the frame's members ---- */

typedef struct Cursor {
    idx_t lo, hi, el, eh;
    int64_t keep;
} Cursor;

static inline bool cursor_has(const Cursor *c, idx_t r)
{
    return r >= c->lo && r < c->hi && (r < c->el || r >= c->eh || (int64_t)r == c->keep);
}

typedef struct Members Members;
typedef Status (*MemberFn)(Members *m, idx_t r, bool add, Error *err);

struct Members {
    WindowOp *w;
    WinAggScratch *s;
    const PlanWindowFunc *f;
    const SortedCol *arg;
    Agg agg;
    idx_t ps;
    idx_t n_ids;
    idx_t n_in; /* valid values in the frame (distinct: distinct values) */
    MemberFn fn;
    uint32_t hist[AGG_HLL_RANKS];
};

/* Moves the cursor to row i's frame, telling fn about every row that enters or leaves. */
static Status cursor_move(Members *m, Cursor *c, idx_t i, Error *err)
{
    Cursor nc;
    nc.lo = (idx_t)m->w->frame_lo[i];
    nc.hi = (idx_t)m->w->frame_hi[i];
    if (nc.hi < nc.lo) nc.hi = nc.lo;
    excluded(m->w, m->f, i, &nc.el, &nc.eh, &nc.keep);
    idx_t from[6], to[6];
    int n = 0;
#define SPAN(A, B)                                                                                 \
    if ((A) != (B)) {                                                                              \
        from[n] = (A) < (B) ? (A) : (B);                                                           \
        to[n++] = (A) < (B) ? (B) : (A);                                                           \
    }
    SPAN(c->lo, nc.lo)
    SPAN(c->hi, nc.hi)
    SPAN(c->el, nc.el)
    SPAN(c->eh, nc.eh)
#undef SPAN
    if (c->keep >= 0) {
        from[n] = (idx_t)c->keep;
        to[n++] = (idx_t)c->keep + 1;
    }
    if (nc.keep >= 0) {
        from[n] = (idx_t)nc.keep;
        to[n++] = (idx_t)nc.keep + 1;
    }
    uint8_t *in = m->s->in;
    for (int k = 0; k < n; k++)
        for (idx_t r = from[k]; r < to[k]; r++) {
            bool now = cursor_has(&nc, r);
            if (now == (in[r - m->ps] != 0)) continue;
            in[r - m->ps] = now;
            if (sc_valid(m->arg, r)) BS_TRY(m->fn(m, r, now, err));
        }
    *c = nc;
    return BS_OK;
}

/* ---- Fenwick tree of counts ---- */

static inline void fen_add(int32_t *fen, idx_t n, idx_t k, int32_t d)
{
    for (idx_t x = k + 1; x <= n; x += x & (~x + 1))
        fen[x] += d;
}

/* The position of the k-th (0-based) present entry. */
static inline idx_t fen_find(const int32_t *fen, idx_t n, int64_t k)
{
    idx_t pos = 0, step = 1;
    while (step * 2 <= n)
        step *= 2;
    for (; step; step >>= 1)
        if (pos + step <= n && fen[pos + step] <= k) {
            pos += step;
            k -= fen[pos];
        }
    return pos;
}

/* ---- combinable aggregates without DISTINCT ---- */

static Status combinable_eval(WindowOp *w, const PlanWindowFunc *f, const SortedCol *args,
                              SortedCol *res, idx_t ps, idx_t pe, Error *err)
{
    Agg a = {f, &args[0], SK_COUNT, f->agg == AGG_COUNT_STAR};
    if (!a.star) a.kind = state_kind(f, &args[0]);
    const WindowFrame *fr = &f->frame;
    idx_t n = pe - ps;
    bool from_start = fr->start == WBOUND_UNBOUNDED_PRECEDING && fr->exclude == WEXCLUDE_NONE;
    for (idx_t i = ps + 1; from_start && i < pe; i++)
        from_start = w->frame_hi[i] >= w->frame_hi[i - 1]; /* frames that only grow */
    if (from_start) {
        /* whole partition: one fold; otherwise frames growing from the start */
        WState acc, leaf;
        memset(&acc, 0, sizeof acc);
        idx_t upto = ps;
        for (idx_t i = ps; i < pe; i++) {
            for (idx_t e = (idx_t)w->frame_hi[i]; upto < e; upto++) {
                state_leaf(&a, upto, &leaf);
                if (!state_combine(&a, &acc, &leaf)) return kernel_overflow(f->type, err);
            }
            BS_TRY(state_final(&a, &acc, res, i, err));
        }
        return BS_OK;
    }
    WinAggScratch *s;
    BS_TRY(scratch_get(w, &s, err));
    WState *tree = s->tree;
    for (idx_t k = 0; k < n; k++)
        state_leaf(&a, ps + k, &tree[n + k]);
    for (idx_t k = n - 1; k >= 1; k--) {
        tree[k] = tree[2 * k];
        if (!state_combine(&a, &tree[k], &tree[2 * k + 1])) return kernel_overflow(f->type, err);
    }
    for (idx_t i = ps; i < pe; i++) {
        idx_t rs[3], re[3];
        int nr = frame_ranges(w, f, i, rs, re);
        WState acc;
        memset(&acc, 0, sizeof acc);
        for (int q = 0; q < nr; q++) {
            WState left, right;
            memset(&left, 0, sizeof left);
            memset(&right, 0, sizeof right);
            idx_t l = rs[q] - ps + n, r = re[q] - ps + n;
            bool ok = true;
            while (l < r) {
                if (l & 1) ok &= state_combine(&a, &left, &tree[l++]);
                if (r & 1) {
                    WState t = tree[--r];
                    ok &= state_combine(&a, &t, &right);
                    right = t;
                }
                l >>= 1;
                r >>= 1;
            }
            ok &= state_combine(&a, &left, &right);
            ok &= state_combine(&a, &acc, &left);
            if (!ok) return kernel_overflow(f->type, err);
        }
        BS_TRY(state_final(&a, &acc, res, i, err));
    }
    return BS_OK;
}

/* ---- DISTINCT combinables: a segment tree over the distinct values ---- */

static Status distinct_member(Members *m, idx_t r, bool add, Error *err)
{
    WinAggScratch *s = m->s;
    uint32_t id = s->rank[r - m->ps];
    if (add ? s->mult[id]++ != 0 : --s->mult[id] != 0) return BS_OK;
    idx_t n = m->n_ids;
    idx_t k = n + id;
    if (add)
        state_leaf(&m->agg, m->ps + s->rep[id], &s->tree[k]);
    else
        memset(&s->tree[k], 0, sizeof(WState));
    for (k >>= 1; k >= 1; k >>= 1) {
        s->tree[k] = s->tree[2 * k];
        if (!state_combine(&m->agg, &s->tree[k], &s->tree[2 * k + 1]))
            return kernel_overflow(m->f->type, err);
    }
    return BS_OK;
}

/* ---- quantiles ---- */

static Status quantile_member(Members *m, idx_t r, bool add, Error *err)
{
    WinAggScratch *s = m->s;
    uint32_t k = s->rank[r - m->ps];
    if (m->f->distinct && (add ? s->mult[k]++ != 0 : --s->mult[k] != 0)) return BS_OK;
    fen_add(s->fen, m->n_ids, k, add ? 1 : -1);
    m->n_in += add ? 1 : (idx_t)-1;
    (void)err;
    return BS_OK;
}

/* The k-th (0-based) smallest value in the frame: its row. */
static inline idx_t quantile_row(const Members *m, int64_t k)
{
    const WinAggScratch *s = m->s;
    idx_t at = fen_find(s->fen, m->n_ids, k);
    return m->ps + (m->f->distinct ? s->rep[at] : s->order[at]);
}

static Status quantile_result(const Members *m, SortedCol *res, idx_t i, Error *err)
{
    const PlanWindowFunc *f = m->f;
    idx_t n = m->n_in;
    if (n == 0 || f->param.is_null) {
        validity_set_invalid(res->valid, i);
        return BS_OK;
    }
    double q = f->param.u.f64;
    if (f->agg == AGG_QUANTILE_DISC) {
        double pos = ceil(q * (double)n);
        idx_t k = pos < 1 ? 0 : (idx_t)pos - 1;
        if (k >= n) k = n - 1;
        copy_value(m->arg, (int64_t)quantile_row(m, (int64_t)k), res, i);
        return BS_OK;
    }
    double pos = q * (double)(n - 1);
    idx_t lo = (idx_t)floor(pos), hi = (idx_t)ceil(pos);
    if (hi >= n) hi = n - 1;
    idx_t ra = quantile_row(m, (int64_t)lo), rb = lo == hi ? ra : quantile_row(m, (int64_t)hi);
    double frac = pos - (double)lo;
    if (f->arg_type.id == TYPE_TIMESTAMP) {
        int64_t va = ((const int64_t *)m->arg->data)[ra], vb = ((const int64_t *)m->arg->data)[rb];
        int64_t step = llround(((double)vb - (double)va) * frac);
        ((int64_t *)res->data)[i] = lo == hi ? va : va + step;
    } else if (f->arg_type.id == TYPE_INTERVAL) {
        const Interval *va = &((const Interval *)m->arg->data)[ra];
        const Interval *vb = &((const Interval *)m->arg->data)[rb];
        Interval diff, part, out = *va;
        if (lo != hi && (!interval_sub(vb, va, &diff) || !interval_mul(&diff, frac, &part) ||
                         !interval_add(va, &part, &out)))
            return error_set(err, SQLSTATE_INTERVAL_OVERFLOW, -1, "interval out of range");
        ((Interval *)res->data)[i] = out;
    } else {
        double a = value_as_double(m->arg, f->arg_type, ra);
        double b = value_as_double(m->arg, f->arg_type, rb);
        ((double *)res->data)[i] = lo == hi ? a : a + frac * (b - a);
    }
    return BS_OK;
}

/* ---- approx_distinct ---- */

static Status hll_member(Members *m, idx_t r, bool add, Error *err)
{
    WinAggScratch *s = m->s;
    uint32_t j = s->hslot[r - m->ps];
    uint8_t rank = s->hrank[r - m->ps];
    uint32_t *cnt = &s->hll_cnt[(size_t)j * AGG_HLL_RANKS];
    uint8_t reg = s->regs[j];
    if (add) {
        cnt[rank]++;
        if (rank > reg) {
            m->hist[reg]--;
            m->hist[rank]++;
            s->regs[j] = rank;
        }
    } else if (--cnt[rank] == 0 && rank == reg) {
        uint8_t lower = rank;
        while (lower > 0 && cnt[lower] == 0)
            lower--;
        m->hist[reg]--;
        m->hist[lower]++;
        s->regs[j] = lower;
    }
    m->n_in += add ? 1 : (idx_t)-1;
    (void)err;
    return BS_OK;
}

/* ---- string_agg ---- */

/* string_agg in the window's order, no DISTINCT, no EXCLUDE: views of one joined string. */
static Status string_agg_views(WindowOp *w, const PlanWindowFunc *f, const SortedCol *arg,
                               SortedCol *res, idx_t ps, idx_t pe, WinAggScratch *s, Error *err)
{
    const StringView *v = arg->data;
    uint32_t sep_len = f->param.is_null ? 0 : f->param.u.str.len;
    idx_t n = pe - ps;
    uint64_t len = 0;
    idx_t m = 0;
    s->cntv[0] = 0;
    for (idx_t k = 0; k < n; k++) {
        bool ok = sc_valid(arg, ps + k);
        if (ok) {
            len += v[ps + k].len + (m ? sep_len : 0);
            s->vpos[m++] = (uint32_t)k;
        }
        s->cntv[k + 1] = (uint32_t)m;
    }
    if (len > UINT32_MAX / 2)
        return error_set(err, SQLSTATE_PROGRAM_LIMIT, -1, "string_agg result too long");
    char *buf = arena_alloc(w->base.arena, len ? len : 1);
    if (!buf) return arena_error(w->base.arena, err);
    /* rank[j]: where the j-th value starts in buf; its end is rank[j] + its length */
    char *p = buf;
    for (idx_t j = 0; j < m; j++) {
        if (j && sep_len) {
            memcpy(p, f->param.u.str.data, sep_len);
            p += sep_len;
        }
        const StringView *sv = &v[ps + s->vpos[j]];
        s->rank[j] = (uint32_t)(p - buf);
        memcpy(p, sv_data(sv), sv->len);
        p += sv->len;
    }
    for (idx_t i = ps; i < pe; i++) {
        int64_t lo = w->frame_lo[i] - (int64_t)ps, hi = w->frame_hi[i] - (int64_t)ps;
        if (lo >= hi || s->cntv[lo] == s->cntv[hi]) {
            validity_set_invalid(res->valid, i);
            continue;
        }
        uint32_t first = s->cntv[lo], last = s->cntv[hi] - 1;
        uint32_t start = s->rank[first];
        uint32_t end = s->rank[last] + v[ps + s->vpos[last]].len;
        ((StringView *)res->data)[i] = sv_make(buf + start, end - start);
    }
    return BS_OK;
}

static int cmp_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return (a > b) - (a < b);
}

/*
 * Row i of an aggregate built per frame (string_agg, array_agg) over StringView results:
 * false when the row already has its result — the previous row's, for the same frame
 * (prev holds the last frame seen), or NULL for a frame without values — else true with
 * the frame's non-NULL values in s->members[0..*cnt) as places of s->order, sorted by them
 * when `sorted`.
 */
static bool frame_members(WindowOp *w, const PlanWindowFunc *f, const SortedCol *arg,
                          SortedCol *res, WinAggScratch *s, idx_t ps, idx_t i, bool sorted,
                          int64_t prev[2], idx_t *cnt)
{
    if (f->frame.exclude == WEXCLUDE_NONE && w->frame_lo[i] == prev[0] &&
        w->frame_hi[i] == prev[1] && i > ps) {
        if (!sc_valid(res, i - 1))
            validity_set_invalid(res->valid, i);
        else
            ((StringView *)res->data)[i] = ((StringView *)res->data)[i - 1];
        return false;
    }
    prev[0] = w->frame_lo[i];
    prev[1] = w->frame_hi[i];
    idx_t rs[3], re[3];
    int nr = frame_ranges(w, f, i, rs, re);
    idx_t n = 0;
    for (int q = 0; q < nr; q++)
        for (idx_t r = rs[q]; r < re[q]; r++)
            if (sc_valid(arg, r)) s->members[n++] = s->rank[r - ps];
    if (n == 0) {
        validity_set_invalid(res->valid, i);
        return false;
    }
    if (sorted) qsort(s->members, n, sizeof(uint32_t), cmp_u32);
    *cnt = n;
    return true;
}

/* string_agg with ORDER BY, DISTINCT or EXCLUDE: each frame's values sorted and joined. */
static Status string_agg_general(WindowOp *w, const PlanWindowFunc *f, const SortedCol *args,
                                 SortedCol *res, idx_t ps, idx_t pe, WinAggScratch *s, Error *err)
{
    const SortedCol *arg = &args[0];
    const StringView *v = arg->data;
    uint32_t sep_len = f->param.is_null ? 0 : f->param.u.str.len;
    SortCtx ctx = {f, args, ps, f->n_agg_order > 0, f->distinct};
    idx_t n_ids;
    sort_values(s, &ctx, pe - ps, false, &n_ids);
    int64_t prev[2] = {-1, -1};
    for (idx_t i = ps; i < pe; i++) {
        idx_t cnt;
        if (!frame_members(w, f, arg, res, s, ps, i, ctx.by_keys || ctx.by_value, prev, &cnt))
            continue;
        /* members are places in order; DISTINCT drops values equal to the one before */
        uint64_t len = 0;
        idx_t kept = 0;
        for (idx_t k = 0; k < cnt; k++) {
            idx_t r = ps + s->order[s->members[k]];
            if (f->distinct && kept && cmp_rows(arg, r, ps + s->order[s->members[kept - 1]]) == 0)
                continue;
            s->members[kept++] = s->members[k];
            len += v[r].len + (kept > 1 ? sep_len : 0);
        }
        if (len > UINT32_MAX / 2)
            return error_set(err, SQLSTATE_PROGRAM_LIMIT, -1, "string_agg result too long");
        char *buf = arena_alloc(w->base.arena, len ? len : 1);
        if (!buf) return arena_error(w->base.arena, err);
        char *p = buf;
        for (idx_t k = 0; k < kept; k++) {
            if (k && sep_len) {
                memcpy(p, f->param.u.str.data, sep_len);
                p += sep_len;
            }
            const StringView *sv = &v[ps + s->order[s->members[k]]];
            memcpy(p, sv_data(sv), sv->len);
            p += sv->len;
        }
        ((StringView *)res->data)[i] = sv_make(buf, (uint32_t)len);
    }
    return BS_OK;
}

/* ---- array_agg ---- */

/*
 * array_agg over a frame: its argument is ARRAY[x] (bind_aggregate.c: never NULL, so NULL
 * values stay elements, and NULL only where FILTER dropped the row); each frame's arrays,
 * in the window's order or the call's ORDER BY, become one array of their elements. A
 * frame equal to the previous row's reuses its result.
 */
static Status array_agg_frames(WindowOp *w, const PlanWindowFunc *f, const SortedCol *args,
                               SortedCol *res, idx_t ps, idx_t pe, WinAggScratch *s, Error *err)
{
    const SortedCol *arg = &args[0];
    const StringView *v = arg->data;
    LogicalType elem = type_array_elem(f->type);
    SortCtx ctx = {f, args, ps, f->n_agg_order > 0, false};
    idx_t n_ids;
    sort_values(s, &ctx, pe - ps, false, &n_ids);
    ArrayBuilder ab;
    array_builder_init(&ab, elem);
    Status st = BS_OK;
    int64_t prev[2] = {-1, -1};
    for (idx_t i = ps; i < pe && st == BS_OK; i++) {
        idx_t cnt;
        if (!frame_members(w, f, arg, res, s, ps, i, ctx.by_keys, prev, &cnt)) continue;
        array_builder_reset(&ab);
        for (idx_t k = 0; k < cnt; k++) {
            const StringView *one = &v[ps + s->order[s->members[k]]];
            ArrayView av;
            if (!array_view_init(&av, elem, sv_data(one), one->len) || av.n != 1) {
                st = error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "array_agg: bad element");
                break;
            }
            array_builder_add_from(&ab, &av, 0);
        }
        const char *bytes;
        uint32_t len;
        if (st == BS_OK) st = array_builder_finish(&ab, w->base.arena, &bytes, &len, err);
        if (st == BS_OK) ((StringView *)res->data)[i] = sv_make(bytes, len);
    }
    array_builder_free(&ab);
    return st;
}

/* ---- value functions with EXCLUDE or IGNORE NULLS ---- */

/* cntv[k]: valid values among the partition's first k rows; vpos: their positions. */
static void count_valid(WinAggScratch *s, const SortedCol *c, idx_t ps, idx_t pe)
{
    uint32_t m = 0;
    s->cntv[0] = 0;
    for (idx_t k = 0; k < pe - ps; k++) {
        if (sc_valid(c, ps + k)) s->vpos[m++] = (uint32_t)k;
        s->cntv[k + 1] = m;
    }
}

Status window_value_eval(WindowOp *w, const PlanWindowFunc *f, const SortedCol *args,
                         SortedCol *res, idx_t ps, idx_t pe, Error *err)
{
    WinAggScratch *s;
    BS_TRY(scratch_get(w, &s, err));
    const SortedCol *arg = &args[0];
    bool skip = f->ignore_nulls;
    if (skip) count_valid(s, arg, ps, pe);
    for (idx_t i = ps; i < pe; i++) {
        int64_t at = -1;
        if (f->func == WIN_LAG || f->func == WIN_LEAD) {
            if (!sc_valid(&args[1], i)) {
                validity_set_invalid(res->valid, i);
                continue;
            }
            int64_t off = sc_i64(&args[1], i);
            bool back = (f->func == WIN_LAG) == (off >= 0);
            uint64_t k = off >= 0 ? (uint64_t)off : 0 - (uint64_t)off;
            if (k == 0) {
                at = (int64_t)i;
            } else if (back) {
                uint32_t c = s->cntv[i - ps]; /* valid rows before i */
                if (k <= c) at = (int64_t)(ps + s->vpos[c - k]);
            } else {
                uint64_t c = s->cntv[i - ps + 1], total = s->cntv[pe - ps];
                if (k <= total - c) at = (int64_t)(ps + s->vpos[c + k - 1]);
            }
            if (at >= 0)
                copy_value(arg, at, res, i);
            else if (sc_valid(&args[2], i))
                copy_value(&args[2], (int64_t)i, res, i);
            else
                validity_set_invalid(res->valid, i);
            continue;
        }
        idx_t rs[3], re[3];
        int nr = frame_ranges(w, f, i, rs, re);
        if (f->func == WIN_LAST_VALUE) {
            for (int q = nr - 1; q >= 0 && at < 0; q--) {
                if (!skip)
                    at = (int64_t)re[q] - 1;
                else if (s->cntv[re[q] - ps] > s->cntv[rs[q] - ps])
                    at = (int64_t)(ps + s->vpos[s->cntv[re[q] - ps] - 1]);
            }
            copy_value(arg, at, res, i);
            continue;
        }
        uint64_t k = 1;
        if (f->func == WIN_NTH_VALUE) {
            if (!sc_valid(&args[1], i)) {
                validity_set_invalid(res->valid, i);
                continue;
            }
            int64_t nth = sc_i64(&args[1], i);
            if (nth <= 0)
                return error_set(err, "22016", -1,
                                 "argument of nth_value must be greater than zero");
            k = (uint64_t)nth;
        }
        for (int q = 0; q < nr && at < 0; q++) {
            uint64_t have = skip ? s->cntv[re[q] - ps] - s->cntv[rs[q] - ps] : re[q] - rs[q];
            if (k > have) {
                k -= have;
                continue;
            }
            at = skip ? (int64_t)(ps + s->vpos[s->cntv[rs[q] - ps] + k - 1])
                      : (int64_t)(rs[q] + k - 1);
        }
        copy_value(arg, at, res, i);
    }
    return BS_OK;
}

/* ---- dispatch ---- */

bool window_agg_is_general(const PlanWindowFunc *f)
{
    if (f->distinct || f->frame.exclude != WEXCLUDE_NONE) return true;
    switch (f->agg) {
    case AGG_COUNT_STAR:
    case AGG_COUNT:
        return false;
    case AGG_SUM:
        return f->type.id == TYPE_INTERVAL;
    case AGG_AVG:
        return f->type.id == TYPE_DECIMAL || f->type.id == TYPE_INTERVAL;
    case AGG_MIN:
    case AGG_MAX:
        return type_physical(f->arg_type) == PHYS_INT128 || f->arg_type.id == TYPE_ARRAY;
    default:
        return true;
    }
}

/* The rows of the frames one after another through the Members' function; after each
   row's frame, `result` writes its value. */
typedef Status (*ResultFn)(const Members *m, SortedCol *res, idx_t i, Error *err);

static Status follow_frames(Members *m, SortedCol *res, idx_t ps, idx_t pe, ResultFn result,
                            Error *err)
{
    memset(m->s->in, 0, pe - ps);
    Cursor c = {ps, ps, ps, ps, -1};
    for (idx_t i = ps; i < pe; i++) {
        if ((i & 0xffff) == 0 && task_should_stop(m->w->base.task))
            return task_cancelled_error(err);
        BS_TRY(cursor_move(m, &c, i, err));
        BS_TRY(result(m, res, i, err));
    }
    /* leave the structures empty for the next partition */
    for (idx_t r = ps; r < pe; r++)
        if (m->s->in[r - ps]) {
            m->s->in[r - ps] = 0;
            if (sc_valid(m->arg, r)) BS_TRY(m->fn(m, r, false, err));
        }
    return BS_OK;
}

static Status distinct_result(const Members *m, SortedCol *res, idx_t i, Error *err)
{
    return state_final(&m->agg, &m->s->tree[1], res, i, err); /* the root (tree zeroed) */
}

static Status hll_result(const Members *m, SortedCol *res, idx_t i, Error *err)
{
    ((int64_t *)res->data)[i] = m->n_in ? agg_hll_estimate(m->hist) : 0;
    (void)err;
    return BS_OK;
}

Status window_agg_eval(WindowOp *w, const PlanWindowFunc *f, const SortedCol *args, SortedCol *res,
                       idx_t ps, idx_t pe, Error *err)
{
    idx_t n = pe - ps;
    if (n == 0) return BS_OK;
    bool holistic = f->agg == AGG_STRING_AGG || f->agg == AGG_QUANTILE_CONT ||
                    f->agg == AGG_QUANTILE_DISC || f->agg == AGG_APPROX_DISTINCT ||
                    f->agg == AGG_ARRAY_AGG;
    if (!holistic && !f->distinct) return combinable_eval(w, f, args, res, ps, pe, err);
    WinAggScratch *s;
    BS_TRY(scratch_get(w, &s, err));
    if (f->agg == AGG_ARRAY_AGG) return array_agg_frames(w, f, args, res, ps, pe, s, err);
    if (f->agg == AGG_STRING_AGG) {
        if (!f->distinct && f->n_agg_order == 0 && f->frame.exclude == WEXCLUDE_NONE)
            return string_agg_views(w, f, &args[0], res, ps, pe, s, err);
        return string_agg_general(w, f, args, res, ps, pe, s, err);
    }
    Members m;
    memset(&m, 0, sizeof m);
    m.w = w;
    m.s = s;
    m.f = f;
    m.arg = &args[0];
    m.ps = ps;
    m.agg = (Agg){f, &args[0], state_kind(f, &args[0]), false};
    if (f->agg == AGG_APPROX_DISTINCT) {
        if (!s->hll_cnt) {
            if (!(s->hll_cnt = window_big_alloc(
                      w, sizeof(uint32_t) * AGG_HLL_REGISTERS * AGG_HLL_RANKS, err)) ||
                !(s->regs = window_big_alloc(w, AGG_HLL_REGISTERS, err)) ||
                !(s->hslot = window_big_alloc(w, sizeof(uint16_t) * s->cap, err)) ||
                !(s->hrank = window_big_alloc(w, s->cap, err)))
                return BS_ERROR;
        }
        for (idx_t k = 0; k < n; k++) {
            if (!sc_valid(m.arg, ps + k)) continue;
            UnifiedVector uv = {(const char *)m.arg->data + (ps + k) * m.arg->width, SEL_IDENTITY,
                                NULL};
            uint8_t rank;
            s->hslot[k] = (uint16_t)agg_hll_slot(hash_value_at(m.arg->p, &uv, 0), &rank);
            s->hrank[k] = rank;
        }
        m.hist[0] = AGG_HLL_REGISTERS;
        m.fn = hll_member;
        return follow_frames(&m, res, ps, pe, hll_result, err);
    }
    SortCtx ctx = {f, args, ps, false, true};
    idx_t n_ids;
    idx_t n_valid = sort_values(s, &ctx, n, f->distinct, &n_ids);
    m.n_ids = f->distinct ? n_ids : n_valid;
    if (f->distinct) memset(s->mult, 0, sizeof(uint32_t) * m.n_ids);
    if (f->agg == AGG_QUANTILE_CONT || f->agg == AGG_QUANTILE_DISC) {
        memset(s->fen, 0, sizeof(int32_t) * (m.n_ids + 1));
        m.fn = quantile_member;
        return follow_frames(&m, res, ps, pe, quantile_result, err);
    }
    /* DISTINCT combinables: an empty tree over the ids */
    memset(s->tree, 0, sizeof(WState) * 2 * (m.n_ids ? m.n_ids : 1));
    m.fn = distinct_member;
    return follow_frames(&m, res, ps, pe, distinct_result, err);
}
