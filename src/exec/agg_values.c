/*
 * agg_values.c — the kept values of holistic aggregates: string_agg, quantile_cont/disc
 * (median, percentile_cont/disc).
 *
 * Entries are fixed-size records appended as rows arrive: the group, a sequence number (the
 * arrival order, which string_agg keeps among equal ORDER BY keys and without one), the value
 * and, for string_agg's ORDER BY, one key per order column. Strings are copied into the
 * list's arena. When the results are emitted the entries are sorted once by (group, keys or
 * value, sequence), so each group's entries are one run, in the order the aggregate reads
 * them; DISTINCT drops the repeats of each run (its ORDER BY keys are the argument).
 *
 * Quantiles follow PostgreSQL: percentile_cont's value at position f·(n−1) of the sorted
 * values, interpolated linearly between its neighbours (DOUBLE; for intervals PostgreSQL's
 * lo + (hi − lo)·frac, for timestamps DuckDB's, to the microsecond rounded half away from
 * zero); percentile_disc's the first
 * value whose position reaches f·n, i.e. index ⌈f·n⌉−1 (at least 0), in the input type.
 * All memory is charged to the tracker; over the limit, adding fails with 53200.
 */
#include "exec/agg_values.h"

#include "common/array.h"
#include "common/datetime.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef union Datum {
    uint8_t b;
    int8_t i8;
    int16_t i16;
    int32_t i32;
    float f32;
    int128_t i128;
    int64_t i64;
    double f64;
    StringView sv;
    Interval iv;
} Datum;

typedef struct Key {
    Datum v;
    bool valid;
} Key;

typedef struct Entry {
    uint32_t group;
    uint32_t seq;
    Datum v;
    Key keys[]; /* n_order of them */
} Entry;

struct AggValues {
    const PlanAggregate *agg;
    MemTracker *tracker;
    Arena *strings;
    PhysicalType phys;      /* of the argument */
    PhysicalType *key_phys; /* of each order key */
    size_t entry_size;
    char *entries;
    uint64_t n_entries, cap_entries;
    uint32_t *starts; /* after sorting: group g's run is [starts[g], starts[g+1]) */
    uint32_t n_starts;
    bool sorted;
};

/* Whether the aggregate keeps its ORDER BY keys (the others' order is their value's). */
static inline bool keeps_order(const PlanAggregate *agg)
{
    return agg->func == AGG_STRING_AGG || agg->func == AGG_ARRAY_AGG;
}

static inline Entry *entry_at(const AggValues *v, uint64_t k)
{
    return (Entry *)(v->entries + k * v->entry_size);
}

AggValues *agg_values_create(const PlanAggregate *agg, const LogicalType *in_types,
                             MemTracker *tracker, Error *err)
{
    AggValues *v = bs_calloc(1, sizeof *v);
    if (!v) {
        error_oom(err);
        return NULL;
    }
    v->agg = agg;
    v->tracker = tracker;
    v->phys = type_physical(agg->arg_type);
    v->strings = arena_create(NULL, tracker, 0);
    v->key_phys = bs_calloc((size_t)agg->n_order + 1, sizeof(PhysicalType));
    if (!v->strings || !v->key_phys) {
        agg_values_destroy(v);
        error_oom(err);
        return NULL;
    }
    for (int o = 0; o < agg->n_order; o++)
        v->key_phys[o] = type_physical(in_types[agg->order[o].column]);
    /* A percentile's order key is its argument: the sort direction is all it adds. */
    int n_keys = keeps_order(agg) ? agg->n_order : 0;
    v->entry_size = sizeof(Entry) + sizeof(Key) * (size_t)n_keys;
    return v;
}

void agg_values_destroy(AggValues *v)
{
    if (!v) return;
    memtracker_free(v->tracker, v->entries, v->entry_size * v->cap_entries);
    memtracker_free(v->tracker, v->starts, sizeof(uint32_t) * v->n_starts);
    arena_destroy(v->strings);
    bs_free(v->key_phys);
    bs_free(v);
}

static Status reserve(AggValues *v, uint64_t more, Error *err)
{
    if (v->n_entries + more <= v->cap_entries) return BS_OK;
    if (v->n_entries + more >= UINT32_MAX)
        return error_set(err, SQLSTATE_PROGRAM_LIMIT, -1, "too many values in one aggregate");
    uint64_t cap = v->cap_entries ? v->cap_entries : 256;
    while (cap < v->n_entries + more)
        cap *= 2;
    MemTracker *failed;
    void *p = memtracker_realloc(v->tracker, v->entries, v->entry_size * v->cap_entries,
                                 v->entry_size * cap, &failed);
    if (!p) return memtracker_error(failed, (int64_t)(v->entry_size * (cap - v->cap_entries)), err);
    v->entries = p;
    v->cap_entries = cap;
    return BS_OK;
}

static inline Status keep_string(AggValues *v, StringView *s, Error *err)
{
    if (sv_is_inline(s)) return BS_OK;
    char *copy = arena_alloc(v->strings, s->len);
    if (!copy) return arena_error(v->strings, err);
    memcpy(copy, s->u.ptr, s->len);
    *s = sv_make(copy, s->len);
    return BS_OK;
}

static inline void load(PhysicalType p, const UnifiedVector *uv, sel_t at, Datum *out)
{
    switch (p) {
    case PHYS_BOOL:
        out->b = ((const uint8_t *)uv->data)[at];
        break;
    case PHYS_INT8:
        out->i8 = ((const int8_t *)uv->data)[at];
        break;
    case PHYS_INT16:
        out->i16 = ((const int16_t *)uv->data)[at];
        break;
    case PHYS_INT128:
        out->i128 = ((const int128_t *)uv->data)[at];
        break;
    case PHYS_FLOAT:
        out->f32 = ((const float *)uv->data)[at];
        break;
    case PHYS_INT32:
        out->i32 = ((const int32_t *)uv->data)[at];
        break;
    case PHYS_INT64:
        out->i64 = ((const int64_t *)uv->data)[at];
        break;
    case PHYS_DOUBLE:
        out->f64 = ((const double *)uv->data)[at];
        break;
    case PHYS_STRING:
        out->sv = ((const StringView *)uv->data)[at];
        break;
    case PHYS_INTERVAL:
        out->iv = ((const Interval *)uv->data)[at];
        break;
    case PHYS_INVALID:
        break;
    }
}

Status agg_values_add(AggValues *v, Chunk *chunk, const uint32_t *row_group, Error *err)
{
    const PlanAggregate *agg = v->agg;
    idx_t n = chunk->n_rows;
    BS_TRY(reserve(v, n, err));
    sel_t scratch[BASALT_VECTOR_SIZE];
    UnifiedVector uv;
    chunk_unify(chunk, agg->arg, &uv, scratch);
    uint64_t first = v->n_entries;
    /* The values: a loop per physical type. */
#define APPEND_LOOP(FIELD, CTYPE)                                                                  \
    for (idx_t i = 0; i < n; i++) {                                                                \
        sel_t at = uv.sel[i];                                                                      \
        if (!validity_get(uv.validity, at)) continue;                                              \
        Entry *e = entry_at(v, v->n_entries);                                                      \
        e->group = row_group[i];                                                                   \
        e->seq = (uint32_t)v->n_entries++;                                                         \
        e->v.FIELD = ((const CTYPE *)uv.data)[at];                                                 \
    }
    switch (v->phys) {
    case PHYS_BOOL:
        APPEND_LOOP(b, uint8_t)
        break;
    case PHYS_INT8:
        APPEND_LOOP(i8, int8_t)
        break;
    case PHYS_INT16:
        APPEND_LOOP(i16, int16_t)
        break;
    case PHYS_INT128:
        APPEND_LOOP(i128, int128_t)
        break;
    case PHYS_FLOAT:
        APPEND_LOOP(f32, float)
        break;
    case PHYS_INT32:
        APPEND_LOOP(i32, int32_t)
        break;
    case PHYS_INT64:
        APPEND_LOOP(i64, int64_t)
        break;
    case PHYS_DOUBLE:
        APPEND_LOOP(f64, double)
        break;
    case PHYS_STRING:
        APPEND_LOOP(sv, StringView)
        for (uint64_t k = first; k < v->n_entries; k++)
            BS_TRY(keep_string(v, &entry_at(v, k)->v.sv, err));
        break;
    case PHYS_INTERVAL:
        APPEND_LOOP(iv, Interval)
        break;
    case PHYS_INVALID:
        break;
    }
#undef APPEND_LOOP
    if (!keeps_order(agg) || agg->n_order == 0 || v->n_entries == first) return BS_OK;
    /* string_agg's ORDER BY keys of the rows just appended (those with a value). */
    sel_t rows[BASALT_VECTOR_SIZE];
    idx_t m = 0;
    for (idx_t i = 0; i < n; i++)
        if (validity_get(uv.validity, uv.sel[i])) rows[m++] = (sel_t)i;
    for (int o = 0; o < agg->n_order; o++) {
        sel_t kscratch[BASALT_VECTOR_SIZE];
        UnifiedVector ku;
        chunk_unify(chunk, agg->order[o].column, &ku, kscratch);
        for (idx_t j = 0; j < m; j++) {
            Entry *e = entry_at(v, first + j);
            sel_t at = ku.sel[rows[j]];
            e->keys[o].valid = validity_get(ku.validity, at);
            memset(&e->keys[o].v, 0, sizeof(Datum));
            if (!e->keys[o].valid) continue;
            load(v->key_phys[o], &ku, at, &e->keys[o].v);
            if (v->key_phys[o] == PHYS_STRING) BS_TRY(keep_string(v, &e->keys[o].v.sv, err));
        }
    }
    return BS_OK;
}

Status agg_values_merge(AggValues *dst, const AggValues *src, const uint32_t *map, Error *err)
{
    BS_TRY(reserve(dst, src->n_entries, err));
    for (uint64_t k = 0; k < src->n_entries; k++) {
        Entry *e = entry_at(dst, dst->n_entries);
        memcpy(e, entry_at(src, k), dst->entry_size);
        e->group = map ? map[e->group] : e->group;
        e->seq = (uint32_t)dst->n_entries++;
        if (dst->phys == PHYS_STRING) BS_TRY(keep_string(dst, &e->v.sv, err));
        for (int o = 0; keeps_order(dst->agg) && o < dst->agg->n_order; o++)
            if (dst->key_phys[o] == PHYS_STRING && e->keys[o].valid)
                BS_TRY(keep_string(dst, &e->keys[o].v.sv, err));
    }
    return BS_OK;
}

/* ---- sorting ---- */

static int compare_datum(PhysicalType p, const Datum *a, const Datum *b)
{
    switch (p) {
    case PHYS_BOOL:
        return (a->b > b->b) - (a->b < b->b);
    case PHYS_INT8:
        return (a->i8 > b->i8) - (a->i8 < b->i8);
    case PHYS_INT16:
        return (a->i16 > b->i16) - (a->i16 < b->i16);
    case PHYS_INT128:
        return (a->i128 > b->i128) - (a->i128 < b->i128);
    case PHYS_FLOAT:
        if (isnan(a->f32) || isnan(b->f32)) return isnan(a->f32) - isnan(b->f32);
        return (a->f32 > b->f32) - (a->f32 < b->f32);
    case PHYS_INT32:
        return (a->i32 > b->i32) - (a->i32 < b->i32);
    case PHYS_INT64:
        return (a->i64 > b->i64) - (a->i64 < b->i64);
    case PHYS_DOUBLE: /* NaN sorts last, as in PostgreSQL */
        if (isnan(a->f64) || isnan(b->f64)) return isnan(a->f64) - isnan(b->f64);
        return (a->f64 > b->f64) - (a->f64 < b->f64);
    case PHYS_STRING:
        return sv_compare(&a->sv, &b->sv);
    case PHYS_INTERVAL:
        return interval_compare(&a->iv, &b->iv);
    case PHYS_INVALID:
        break;
    }
    return 0;
}

static int compare_entries(const void *x, const void *y, void *arg)
{
    const AggValues *v = arg;
    const Entry *a = x, *b = y;
    if (a->group != b->group) return a->group < b->group ? -1 : 1;
    const PlanAggregate *agg = v->agg;
    int c = 0;
    if (keeps_order(agg)) {
        for (int o = 0; o < agg->n_order && !c; o++) {
            const Key *ka = &a->keys[o], *kb = &b->keys[o];
            if (!ka->valid || !kb->valid) {
                if (ka->valid != kb->valid) c = (!ka->valid) == agg->order[o].nulls_first ? -1 : 1;
                continue;
            }
            c = compare_datum(v->key_phys[o], &ka->v, &kb->v);
            if (agg->order[o].descending) c = -c;
        }
        /* DISTINCT compares the values themselves (its keys are the argument anyway). */
        if (!c && agg->distinct) c = compare_datum(v->phys, &a->v, &b->v);
    } else {
        c = compare_datum(v->phys, &a->v, &b->v);
        if (agg->n_order > 0 && agg->order[0].descending) c = -c;
    }
    if (c) return c;
    return (a->seq > b->seq) - (a->seq < b->seq);
}

static Status sort_entries(AggValues *v, uint32_t n_groups, Error *err)
{
    if (v->n_entries > 1) qsort_r(v->entries, v->n_entries, v->entry_size, compare_entries, v);
    if (v->agg->distinct && v->n_entries > 1) {
        uint64_t w = 1;
        for (uint64_t k = 1; k < v->n_entries; k++) {
            Entry *prev = entry_at(v, w - 1), *e = entry_at(v, k);
            if (e->group == prev->group && compare_datum(v->phys, &e->v, &prev->v) == 0) continue;
            if (w != k) memcpy(entry_at(v, w), e, v->entry_size);
            w++;
        }
        v->n_entries = w;
    }
    MemTracker *failed;
    size_t size = sizeof(uint32_t) * ((size_t)n_groups + 1);
    v->starts = memtracker_realloc(v->tracker, NULL, 0, size, &failed);
    if (!v->starts) return memtracker_error(failed, (int64_t)size, err);
    v->n_starts = n_groups + 1;
    uint64_t k = 0;
    for (uint32_t g = 0; g <= n_groups; g++) {
        while (k < v->n_entries && entry_at(v, k)->group < g)
            k++;
        v->starts[g] = (uint32_t)k;
    }
    v->sorted = true;
    return BS_OK;
}

/* ---- results ---- */

/* array_agg: the elements of the group's one-element arrays, in their order. */
static Status emit_array_agg(AggValues *v, uint32_t s, uint32_t e, Vector *out, idx_t row,
                             Error *err)
{
    LogicalType elem = type_array_elem(v->agg->type);
    ArrayBuilder b;
    array_builder_init(&b, elem);
    Status st = BS_OK;
    for (uint32_t k = s; k < e && st == BS_OK; k++) {
        const StringView *sv = &entry_at(v, k)->v.sv;
        ArrayView av;
        if (!array_view_init(&av, elem, sv_data(sv), sv->len) || av.n != 1)
            st = error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "array_agg: bad element");
        else
            array_builder_add_from(&b, &av, 0);
    }
    const char *p;
    uint32_t len;
    if (st == BS_OK) st = array_builder_finish(&b, v->strings, &p, &len, err);
    array_builder_free(&b);
    BS_TRY(st);
    ((StringView *)out->data)[row] = sv_make(p, len);
    return BS_OK;
}

/* A numeric value as a double (decimals scaled). */
static inline double as_double(const AggValues *v, const Datum *d)
{
    double x;
    switch (v->phys) {
    case PHYS_INT8:
        x = d->i8;
        break;
    case PHYS_INT16:
        x = d->i16;
        break;
    case PHYS_INT32:
        x = d->i32;
        break;
    case PHYS_INT64:
        x = (double)d->i64;
        break;
    case PHYS_INT128:
        x = (double)d->i128;
        break;
    case PHYS_FLOAT:
        x = d->f32;
        break;
    default:
        x = d->f64;
        break;
    }
    if (v->agg->arg_type.id == TYPE_DECIMAL) x /= pow(10.0, v->agg->arg_type.scale);
    return x;
}

static Status emit_string_agg(AggValues *v, uint32_t s, uint32_t e, Vector *out, idx_t row,
                              Error *err)
{
    const Value *sep = &v->agg->param;
    uint32_t sep_len = sep->is_null ? 0 : sep->u.str.len;
    uint64_t len = 0;
    for (uint32_t k = s; k < e; k++)
        len += entry_at(v, k)->v.sv.len + (k > s ? sep_len : 0);
    if (len > UINT32_MAX / 2)
        return error_set(err, SQLSTATE_PROGRAM_LIMIT, -1, "string_agg result too long");
    char *buf = arena_alloc(v->strings, len ? len : 1);
    if (!buf) return arena_error(v->strings, err);
    char *p = buf;
    for (uint32_t k = s; k < e; k++) {
        if (k > s && sep_len) {
            memcpy(p, sep->u.str.data, sep_len);
            p += sep_len;
        }
        const StringView *sv = &entry_at(v, k)->v.sv;
        memcpy(p, sv_data(sv), sv->len);
        p += sv->len;
    }
    ((StringView *)out->data)[row] = sv_make(buf, (uint32_t)len);
    return BS_OK;
}

static void emit_datum(PhysicalType p, const Datum *d, Vector *out, idx_t row)
{
    switch (p) {
    case PHYS_BOOL:
        ((uint8_t *)out->data)[row] = d->b;
        break;
    case PHYS_INT8:
        ((int8_t *)out->data)[row] = d->i8;
        break;
    case PHYS_INT16:
        ((int16_t *)out->data)[row] = d->i16;
        break;
    case PHYS_INT128:
        ((int128_t *)out->data)[row] = d->i128;
        break;
    case PHYS_FLOAT:
        ((float *)out->data)[row] = d->f32;
        break;
    case PHYS_INT32:
        ((int32_t *)out->data)[row] = d->i32;
        break;
    case PHYS_INT64:
        ((int64_t *)out->data)[row] = d->i64;
        break;
    case PHYS_DOUBLE:
        ((double *)out->data)[row] = d->f64;
        break;
    case PHYS_STRING:
        ((StringView *)out->data)[row] = d->sv;
        break;
    case PHYS_INTERVAL:
        ((Interval *)out->data)[row] = d->iv;
        break;
    case PHYS_INVALID:
        break;
    }
}

Status agg_values_emit(AggValues *v, uint32_t n_groups, uint32_t first, uint32_t count, Vector *out,
                       Error *err)
{
    if (!v->sorted) BS_TRY(sort_entries(v, n_groups, err));
    const PlanAggregate *agg = v->agg;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t g = first + i;
        uint32_t s = g < n_groups ? v->starts[g] : 0, e = g < n_groups ? v->starts[g + 1] : 0;
        if (s == e || (!keeps_order(agg) && agg->param.is_null)) {
            BS_TRY(vector_set_null(out, i, err));
            continue;
        }
        uint32_t n = e - s;
        double f = agg->param.u.f64;
        switch (agg->func) {
        case AGG_STRING_AGG:
            BS_TRY(emit_string_agg(v, s, e, out, i, err));
            break;
        case AGG_ARRAY_AGG:
            BS_TRY(emit_array_agg(v, s, e, out, i, err));
            break;
        case AGG_QUANTILE_CONT: {
            double pos = f * (double)(n - 1);
            uint32_t lo = (uint32_t)floor(pos), hi = (uint32_t)ceil(pos);
            if (hi >= n) hi = n - 1;
            const Datum *da = &entry_at(v, s + lo)->v, *db = &entry_at(v, s + hi)->v;
            double frac = pos - (double)lo;
            if (agg->arg_type.id == TYPE_TIMESTAMP) {
                /* a + (b - a)·frac, the step rounded half away from zero */
                int64_t step = llround(((double)db->i64 - (double)da->i64) * frac);
                ((int64_t *)out->data)[i] = lo == hi ? da->i64 : da->i64 + step;
            } else if (agg->arg_type.id == TYPE_INTERVAL) {
                Interval diff, part, res = da->iv;
                if (lo != hi &&
                    (!interval_sub(&db->iv, &da->iv, &diff) || !interval_mul(&diff, frac, &part) ||
                     !interval_add(&da->iv, &part, &res)))
                    return error_set(err, SQLSTATE_INTERVAL_OVERFLOW, -1, "interval out of range");
                ((Interval *)out->data)[i] = res;
            } else {
                double a = as_double(v, da), b = as_double(v, db);
                ((double *)out->data)[i] = lo == hi ? a : a + frac * (b - a);
            }
            break;
        }
        case AGG_QUANTILE_DISC: {
            double pos = ceil(f * (double)n);
            uint32_t k = pos < 1 ? 0 : (uint32_t)pos - 1;
            if (k >= n) k = n - 1;
            emit_datum(v->phys, &entry_at(v, s + k)->v, out, i);
            break;
        }
        default:
            return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "not a holistic aggregate");
        }
    }
    return BS_OK;
}
