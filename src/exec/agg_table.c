/*
 * agg_table.c — the aggregation hash table.
 *
 * Layout. Group g has its key values at keys[c][g] (typed arrays, one per key column,
 * with a validity bitmap once a NULL key appears), its hash at hashes[g], and its states
 * at states[g * n_aggs + a] (one 32-byte AggState per aggregate). The index is an array
 * of 64-bit slots holding g + 1 (0 = empty) in the low half and the group hash's high 32
 * bits in the high half — a tag, so a probe touches a group's keys only when the tags
 * match — probed linearly, kept at most half full.
 *
 * A batch is processed column at a time: hash every row's key, then find or insert each
 * row's group (comparing hashes before keys), then update every aggregate over all rows
 * with a loop specialised for its function and type.
 */
#include "exec/agg_table.h"
#include "exec/agg_values.h"
#include "exec/kernels.h"

#include "common/cast.h"
#include "common/array.h"
#include "common/hash.h"

#include <math.h>
#include <string.h>

typedef struct AggState {
    union {
        int64_t i64;
        double f64;
        __int128 i128;
        int32_t i32;
        uint8_t b;
        int8_t i8;
        int16_t i16;
        float f32;
        StringView sv;
        Interval iv;
        double w[2];   /* variances: Welford's running mean and sum of squared deviations */
        uint8_t *regs; /* approx_distinct: HLL_REGISTERS registers, one printable byte each */
    } v;
    int64_t count; /* rows counted; for sum, min and max: > 0 once a value was seen */
    int64_t aux;   /* a 128-bit sum of 64-bit values: the part not yet added to v.i128 */
} AggState;

_Static_assert(sizeof(AggState) == 32, "AggState is 32 bytes");

/* The distinct values of one DISTINCT aggregate, per group. */
typedef struct DistinctSet {
    uint32_t *slots; /* entry + 1 */
    uint32_t n_slots;
    uint32_t n_entries, cap_entries;
    uint32_t *groups;
    uint64_t *hashes;
    AggState *values; /* v holds the value */
} DistinctSet;

struct AggTable {
    const PlanNode *node;
    AggMode mode;
    MemTracker *tracker;
    Arena *strings; /* key and min/max string bytes */
    int n_keys;
    LogicalType *key_types;
    uint32_t *key_width; /* type_size of each key */
    int *key_cols;
    void **keys;
    uint64_t **key_validity;
    uint64_t *hashes;
    uint32_t n_groups, cap_groups;
    uint64_t *slots; /* (hash >> 32) << 32 | (group + 1); 0: empty */
    uint32_t n_slots;
    int n_aggs;
    const PlanAggregate *aggs;
    AggState *states;
    DistinctSet **distinct;
    AggValues **values; /* holistic aggregates' kept values */
    /* per-batch scratch */
    sel_t *key_scratch; /* n_keys × BASALT_VECTOR_SIZE, for chunks with a selection */
    uint64_t *row_hash;
    uint32_t *row_group;
    MemTracker *failed;
    size_t failed_bytes;
};

/* ---- memory ---- */

/* Grows an array; the new part is not initialized (every entry is written when used). */
static Status grow(AggTable *t, void **ptr, size_t old_size, size_t new_size, Error *err)
{
    MemTracker *failed;
    void *p = memtracker_realloc(t->tracker, *ptr, old_size, new_size, &failed);
    if (!p) return memtracker_error(failed, (int64_t)(new_size - old_size), err);
    *ptr = p;
    return BS_OK;
}

static void release(AggTable *t, void *ptr, size_t size)
{
    memtracker_free(t->tracker, ptr, size);
}

/* ---- hashing and key comparison ---- */

static inline bool doubles_equal(double a, double b)
{
    return a == b || (isnan(a) && isnan(b));
}

/* Equality of group g's key column c with the value at `at`. */
static inline bool key_equal(const AggTable *t, int c, uint32_t g, const UnifiedVector *uv,
                             sel_t at)
{
    bool g_valid = !t->key_validity[c] || validity_get(t->key_validity[c], g);
    bool r_valid = validity_get(uv->validity, at);
    if (!g_valid || !r_valid) return g_valid == r_valid;
    switch (type_physical(t->key_types[c])) {
    case PHYS_BOOL:
        return ((const uint8_t *)t->keys[c])[g] == ((const uint8_t *)uv->data)[at];
    case PHYS_INT32:
        return ((const int32_t *)t->keys[c])[g] == ((const int32_t *)uv->data)[at];
    case PHYS_INT64:
        return ((const int64_t *)t->keys[c])[g] == ((const int64_t *)uv->data)[at];
    case PHYS_DOUBLE:
        return doubles_equal(((const double *)t->keys[c])[g], ((const double *)uv->data)[at]);
    case PHYS_STRING:
        return sv_equal(&((const StringView *)t->keys[c])[g], &((const StringView *)uv->data)[at]);
    case PHYS_INTERVAL: /* by span, as they hash: '1 mon' and '30 days' are one group */
        return interval_compare(&((const Interval *)t->keys[c])[g],
                                &((const Interval *)uv->data)[at]) == 0;
    case PHYS_INT128:
        return ((const int128_t *)t->keys[c])[g] == ((const int128_t *)uv->data)[at];
    case PHYS_INT8:
        return ((const int8_t *)t->keys[c])[g] == ((const int8_t *)uv->data)[at];
    case PHYS_INT16:
        return ((const int16_t *)t->keys[c])[g] == ((const int16_t *)uv->data)[at];
    case PHYS_FLOAT:
        return doubles_equal(((const float *)t->keys[c])[g], ((const float *)uv->data)[at]);
    case PHYS_INVALID:
        break;
    }
    return false;
}

/* Copies a string into the table's arena when it does not fit inline. */
static Status keep_string(AggTable *t, StringView *s, Error *err)
{
    if (sv_is_inline(s)) return BS_OK;
    char *copy = arena_alloc(t->strings, s->len);
    if (!copy) return arena_error(t->strings, err);
    memcpy(copy, s->u.ptr, s->len);
    *s = sv_make(copy, s->len);
    return BS_OK;
}

/* ---- groups ---- */

/*
 * grow() that adds what it charged to *charged. Arrays that grow together use it so that,
 * when one of them cannot, the caller can give back what the others took: they keep their
 * larger buffers but are charged for their old capacity again, which is what
 * agg_table_destroy releases.
 */
static Status grow_counted(AggTable *t, void **ptr, size_t old_size, size_t new_size,
                           int64_t *charged, Error *err)
{
    BS_TRY(grow(t, ptr, old_size, new_size, err));
    *charged += (int64_t)(new_size - old_size);
    return BS_OK;
}

/* Grows the group arrays to hold `cap` groups (more than they hold). */
static Status grow_groups_to(AggTable *t, uint32_t cap, Error *err)
{
    if (cap <= t->cap_groups) return error_set(err, SQLSTATE_PROGRAM_LIMIT, -1, "too many groups");
    int64_t charged = 0;
    Status st = BS_OK;
    for (int c = 0; c < t->n_keys && st == BS_OK; c++) {
        size_t w = type_size(t->key_types[c]);
        st = grow_counted(t, &t->keys[c], w * t->cap_groups, w * cap, &charged, err);
        if (st == BS_OK && t->key_validity[c]) {
            size_t old_words = (t->cap_groups + 63) / 64, words = (cap + 63) / 64;
            st = grow_counted(t, (void **)&t->key_validity[c], old_words * 8, words * 8, &charged,
                              err);
            if (st == BS_OK) memset(t->key_validity[c] + old_words, 0xff, (words - old_words) * 8);
        }
    }
    if (st == BS_OK)
        st = grow_counted(t, (void **)&t->hashes, sizeof(uint64_t) * t->cap_groups,
                          sizeof(uint64_t) * cap, &charged, err);
    size_t per_group = sizeof(AggState) * (size_t)(t->n_aggs ? t->n_aggs : 1);
    if (st == BS_OK)
        st = grow_counted(t, (void **)&t->states, per_group * t->cap_groups, per_group * cap,
                          &charged, err);
    if (st != BS_OK) {
        memtracker_release(t->tracker, charged);
        return st;
    }
    t->cap_groups = cap;
    return BS_OK;
}

static Status grow_groups(AggTable *t, Error *err)
{
    return grow_groups_to(t, t->cap_groups ? t->cap_groups * 2 : 1024, err);
}

/* A slot's value for group g of hash h, and the tag a probe for hash h compares. */
static inline uint64_t slot_of(uint64_t h, uint32_t g)
{
    return (h & UINT64_C(0xFFFFFFFF00000000)) | (uint64_t)(g + 1);
}
#define SLOT_TAG(x)   ((x)&UINT64_C(0xFFFFFFFF00000000))
#define SLOT_GROUP(x) ((uint32_t)(x)-1)

static Status rehash(AggTable *t, uint32_t n_slots, Error *err)
{
    MemTracker *failed;
    uint64_t *slots = memtracker_alloc_zero(t->tracker, sizeof(uint64_t) * n_slots, &failed);
    if (!slots) return memtracker_error(failed, (int64_t)(sizeof(uint64_t) * n_slots), err);
    uint32_t mask = n_slots - 1;
    for (uint32_t g = 0; g < t->n_groups; g++) {
        uint32_t s = (uint32_t)t->hashes[g] & mask;
        while (slots[s])
            s = (s + 1) & mask;
        slots[s] = slot_of(t->hashes[g], g);
    }
    release(t, t->slots, sizeof(uint64_t) * t->n_slots);
    t->slots = slots;
    t->n_slots = n_slots;
    return BS_OK;
}

/* Makes room for `groups` groups in all: arrays and a half-full index. */
static Status reserve_groups(AggTable *t, uint64_t groups, Error *err)
{
    if (groups >= UINT32_MAX / 2)
        return error_set(err, SQLSTATE_PROGRAM_LIMIT, -1, "too many groups");
    if (groups > t->cap_groups) {
        uint32_t cap = t->cap_groups ? t->cap_groups : 1024;
        while (cap < groups)
            cap *= 2;
        BS_TRY(grow_groups_to(t, cap, err));
    }
    uint32_t n_slots = t->n_slots;
    while ((groups + 1) * 2 > n_slots)
        n_slots *= 2;
    return n_slots != t->n_slots ? rehash(t, n_slots, err) : BS_OK;
}

/* Appends a new group with the keys of the row at `at` of each key vector. */
static Status new_group(AggTable *t, const UnifiedVector *key_uv, sel_t row, uint64_t hash,
                        uint32_t *out, Error *err)
{
    if (t->n_groups == t->cap_groups) BS_TRY(grow_groups(t, err));
    uint32_t g = t->n_groups;
    for (int c = 0; c < t->n_keys; c++) {
        const UnifiedVector *uv = &key_uv[c];
        sel_t at = uv->sel[row];
        size_t w = t->key_width[c];
        if (!validity_get(uv->validity, at)) {
            if (!t->key_validity[c]) {
                size_t words = (t->cap_groups + 63) / 64;
                BS_TRY(grow(t, (void **)&t->key_validity[c], 0, words * 8, err));
                memset(t->key_validity[c], 0xff, words * 8);
            }
            validity_set_invalid(t->key_validity[c], g);
            memset((char *)t->keys[c] + w * g, 0, w);
            continue;
        }
        if (w == 4) {
            ((int32_t *)t->keys[c])[g] = ((const int32_t *)uv->data)[at];
            continue;
        }
        memcpy((char *)t->keys[c] + w * g, (const char *)uv->data + w * at, w);
        if (type_physical(t->key_types[c]) == PHYS_STRING)
            BS_TRY(keep_string(t, &((StringView *)t->keys[c])[g], err));
    }
    t->hashes[g] = hash;
    AggState *states = &t->states[(size_t)g * (size_t)t->n_aggs];
    for (int a = 0; a < t->n_aggs; a++)
        states[a] = (AggState){0};
    t->n_groups++;
    *out = g;
    return BS_OK;
}

/* ---- distinct sets ---- */

static bool distinct_value_equal(PhysicalType p, const AggState *a, const AggState *b)
{
    switch (p) {
    case PHYS_BOOL:
        return a->v.b == b->v.b;
    case PHYS_INT32:
        return a->v.i32 == b->v.i32;
    case PHYS_INT64:
        return a->v.i64 == b->v.i64;
    case PHYS_DOUBLE:
        return doubles_equal(a->v.f64, b->v.f64);
    case PHYS_STRING:
        return sv_equal(&a->v.sv, &b->v.sv);
    case PHYS_INTERVAL:
        return interval_compare(&a->v.iv, &b->v.iv) == 0;
    case PHYS_INT128:
        return a->v.i128 == b->v.i128;
    case PHYS_INT8:
        return a->v.i8 == b->v.i8;
    case PHYS_INT16:
        return a->v.i16 == b->v.i16;
    case PHYS_FLOAT:
        return doubles_equal(a->v.f32, b->v.f32);
    case PHYS_INVALID:
        break;
    }
    return false;
}

/* Adds (group, value) to the set; *is_new tells whether it was not there yet. */
static Status distinct_insert(AggTable *t, DistinctSet *ds, PhysicalType p, uint32_t group,
                              const AggState *value, uint64_t value_hash, bool *is_new, Error *err)
{
    uint64_t h = hash_combine(hash_u64(group), value_hash);
    if ((ds->n_entries + 1) * 2 > ds->n_slots) {
        uint32_t n_slots = ds->n_slots ? ds->n_slots * 2 : 1024;
        MemTracker *failed;
        uint32_t *slots = memtracker_alloc_zero(t->tracker, sizeof(uint32_t) * n_slots, &failed);
        if (!slots) return memtracker_error(failed, (int64_t)(sizeof(uint32_t) * n_slots), err);
        for (uint32_t e = 0; e < ds->n_entries; e++) {
            uint32_t s = (uint32_t)ds->hashes[e] & (n_slots - 1);
            while (slots[s])
                s = (s + 1) & (n_slots - 1);
            slots[s] = e + 1;
        }
        release(t, ds->slots, sizeof(uint32_t) * ds->n_slots);
        ds->slots = slots;
        ds->n_slots = n_slots;
    }
    uint32_t mask = ds->n_slots - 1;
    uint32_t s = (uint32_t)h & mask;
    while (ds->slots[s]) {
        uint32_t e = ds->slots[s] - 1;
        if (ds->hashes[e] == h && ds->groups[e] == group &&
            distinct_value_equal(p, &ds->values[e], value)) {
            *is_new = false;
            return BS_OK;
        }
        s = (s + 1) & mask;
    }
    if (ds->n_entries == ds->cap_entries) {
        uint32_t cap = ds->cap_entries ? ds->cap_entries * 2 : 1024;
        int64_t charged = 0;
        Status st = grow_counted(t, (void **)&ds->groups, sizeof(uint32_t) * ds->cap_entries,
                                 sizeof(uint32_t) * cap, &charged, err);
        if (st == BS_OK)
            st = grow_counted(t, (void **)&ds->hashes, sizeof(uint64_t) * ds->cap_entries,
                              sizeof(uint64_t) * cap, &charged, err);
        if (st == BS_OK)
            st = grow_counted(t, (void **)&ds->values, sizeof(AggState) * ds->cap_entries,
                              sizeof(AggState) * cap, &charged, err);
        if (st != BS_OK) {
            memtracker_release(t->tracker, charged);
            return st;
        }
        ds->cap_entries = cap;
    }
    uint32_t e = ds->n_entries++;
    ds->groups[e] = group;
    ds->hashes[e] = h;
    ds->values[e] = *value;
    if (p == PHYS_STRING) BS_TRY(keep_string(t, &ds->values[e].v.sv, err));
    ds->slots[s] = e + 1;
    *is_new = true;
    return BS_OK;
}

/* ---- creation ---- */

AggTable *agg_table_create(const PlanNode *node, const LogicalType *in_types, MemTracker *tracker,
                           Error *err)
{
    AggTable *t = bs_calloc(1, sizeof *t);
    if (!t) {
        error_oom(err);
        return NULL;
    }
    t->node = node;
    t->mode = node->u.agg.mode;
    t->tracker = tracker;
    t->n_keys = node->u.agg.n_groups;
    t->n_aggs = node->u.agg.n_aggs;
    t->aggs = node->u.agg.aggs;
    t->strings = arena_create(NULL, tracker, 0);
    int nk = t->n_keys ? t->n_keys : 1, na = t->n_aggs ? t->n_aggs : 1;
    t->key_types = bs_calloc((size_t)nk, sizeof(LogicalType));
    t->key_cols = bs_calloc((size_t)nk, sizeof(int));
    t->key_width = bs_calloc((size_t)nk, sizeof(uint32_t));
    t->keys = bs_calloc((size_t)nk, sizeof(void *));
    t->key_validity = bs_calloc((size_t)nk, sizeof(uint64_t *));
    t->distinct = bs_calloc((size_t)na, sizeof(DistinctSet *));
    t->values = bs_calloc((size_t)na, sizeof(AggValues *));
    t->row_hash = bs_malloc(sizeof(uint64_t) * BASALT_VECTOR_SIZE);
    t->row_group = bs_malloc(sizeof(uint32_t) * BASALT_VECTOR_SIZE);
    if (!t->strings || !t->key_types || !t->key_cols || !t->key_width || !t->keys ||
        !t->key_validity || !t->distinct || !t->values || !t->row_hash || !t->row_group) {
        agg_table_destroy(t);
        error_oom(err);
        return NULL;
    }
    for (int c = 0; c < t->n_keys; c++) {
        t->key_cols[c] = node->u.agg.groups[c];
        t->key_types[c] = in_types[t->key_cols[c]];
        t->key_width[c] = (uint32_t)type_size(t->key_types[c]);
    }
    for (int a = 0; a < t->n_aggs; a++) {
        if (plan_agg_is_holistic(t->aggs[a].func)) {
            /* DISTINCT too: the list drops repeats when it sorts */
            t->values[a] = agg_values_create(&t->aggs[a], in_types, tracker, err);
            if (!t->values[a]) {
                agg_table_destroy(t);
                return NULL;
            }
            continue;
        }
        if (!t->aggs[a].distinct) continue;
        t->distinct[a] = bs_calloc(1, sizeof(DistinctSet));
        if (!t->distinct[a]) {
            agg_table_destroy(t);
            error_oom(err);
            return NULL;
        }
    }
    if (rehash(t, 1024, err) != BS_OK) {
        agg_table_destroy(t);
        return NULL;
    }
    if (t->n_keys == 0) {
        uint32_t g;
        if (new_group(t, NULL, 0, 0, &g, err) != BS_OK) {
            agg_table_destroy(t);
            return NULL;
        }
    }
    return t;
}

void agg_table_destroy(AggTable *t)
{
    if (!t) return;
    for (int c = 0; t->keys && t->key_types && t->key_validity && c < t->n_keys; c++) {
        release(t, t->keys[c], type_size(t->key_types[c]) * t->cap_groups);
        if (t->key_validity[c]) release(t, t->key_validity[c], (t->cap_groups + 63) / 64 * 8);
    }
    release(t, t->hashes, sizeof(uint64_t) * t->cap_groups);
    release(t, t->states, sizeof(AggState) * (size_t)(t->n_aggs ? t->n_aggs : 1) * t->cap_groups);
    release(t, t->slots, sizeof(uint64_t) * t->n_slots);
    for (int a = 0; t->distinct && a < t->n_aggs; a++) {
        DistinctSet *ds = t->distinct[a];
        if (!ds) continue;
        release(t, ds->slots, sizeof(uint32_t) * ds->n_slots);
        release(t, ds->groups, sizeof(uint32_t) * ds->cap_entries);
        release(t, ds->hashes, sizeof(uint64_t) * ds->cap_entries);
        release(t, ds->values, sizeof(AggState) * ds->cap_entries);
        bs_free(ds);
    }
    bs_free(t->distinct);
    for (int a = 0; t->values && a < t->n_aggs; a++)
        agg_values_destroy(t->values[a]);
    bs_free(t->values);
    bs_free(t->key_types);
    bs_free(t->key_cols);
    bs_free(t->key_width);
    bs_free(t->keys);
    bs_free(t->key_validity);
    bs_free(t->key_scratch);
    bs_free(t->row_hash);
    bs_free(t->row_group);
    arena_destroy(t->strings);
    bs_free(t);
}

void agg_table_clear(AggTable *t)
{
    memset(t->slots, 0, sizeof(uint64_t) * t->n_slots);
    for (int c = 0; c < t->n_keys; c++)
        if (t->key_validity[c]) memset(t->key_validity[c], 0xff, (t->cap_groups + 63) / 64 * 8);
    arena_reset(t->strings);
    t->n_groups = 0;
    if (t->n_keys == 0) {
        AggState *states = t->states;
        for (int a = 0; a < t->n_aggs; a++)
            states[a] = (AggState){0};
        t->hashes[0] = 0;
        t->n_groups = 1;
    }
}

uint32_t agg_table_groups(const AggTable *t)
{
    return t->n_groups;
}

/* ---- updates ---- */

static inline AggState *state_of(AggTable *t, uint32_t g, int a)
{
    return &t->states[(size_t)g * (size_t)t->n_aggs + (size_t)a];
}

static Status sum_overflow(const PlanAggregate *agg, Error *err)
{
    return kernel_overflow(agg->type, err);
}

/*
 * A sum whose result is 128-bit (HUGEINT, DECIMAL(38,s)). Over 64-bit inputs it adds into
 * the int64 `aux` with an overflow check and moves aux into v.i128 only when that add
 * would overflow, so the common case costs what a BIGINT sum does; over 128-bit inputs it
 * adds into v.i128. The sum is v.i128 + aux.
 */
static inline bool sum_is_wide(const PlanAggregate *agg)
{
    return type_physical(agg->type) == PHYS_INT128;
}

static inline void sum_add_int64(AggState *st, int64_t x)
{
    int64_t s;
    if (__builtin_add_overflow(st->aux, x, &s)) {
        st->v.i128 += st->aux; /* at most one per 2^63 of magnitude: cannot overflow */
        st->aux = x;
    } else {
        st->aux = s;
    }
}

static inline bool sum_total(const AggState *st, int128_t *out)
{
    return !__builtin_add_overflow(st->v.i128, (int128_t)st->aux, out);
}

/* Loads the value at `at` of a unified vector into an AggState's v. */
static inline void load_value(PhysicalType p, const UnifiedVector *uv, sel_t at, AggState *out)
{
    switch (p) {
    case PHYS_BOOL:
        out->v.b = ((const uint8_t *)uv->data)[at];
        break;
    case PHYS_INT32:
        out->v.i32 = ((const int32_t *)uv->data)[at];
        break;
    case PHYS_INT64:
        out->v.i64 = ((const int64_t *)uv->data)[at];
        break;
    case PHYS_DOUBLE:
        out->v.f64 = ((const double *)uv->data)[at];
        break;
    case PHYS_STRING:
        out->v.sv = ((const StringView *)uv->data)[at];
        break;
    case PHYS_INTERVAL:
        out->v.iv = ((const Interval *)uv->data)[at];
        break;
    case PHYS_INT128:
        out->v.i128 = ((const int128_t *)uv->data)[at];
        break;
    case PHYS_INT8:
        out->v.i8 = ((const int8_t *)uv->data)[at];
        break;
    case PHYS_INT16:
        out->v.i16 = ((const int16_t *)uv->data)[at];
        break;
    case PHYS_FLOAT:
        out->v.f32 = ((const float *)uv->data)[at];
        break;
    case PHYS_INVALID:
        break;
    }
}

/* <0, 0, >0 comparing two values of physical type p held in AggStates. */
static inline int compare_state_values(PhysicalType p, const AggState *a, const AggState *b)
{
    switch (p) {
    case PHYS_BOOL:
        return (a->v.b > b->v.b) - (a->v.b < b->v.b);
    case PHYS_INT32:
        return (a->v.i32 > b->v.i32) - (a->v.i32 < b->v.i32);
    case PHYS_INT64:
        return (a->v.i64 > b->v.i64) - (a->v.i64 < b->v.i64);
    case PHYS_DOUBLE: {
        double x = a->v.f64, y = b->v.f64;
        if (isnan(x) || isnan(y)) return isnan(x) - isnan(y);
        return (x > y) - (x < y);
    }
    case PHYS_STRING:
        return sv_compare(&a->v.sv, &b->v.sv);
    case PHYS_INTERVAL:
        return interval_compare(&a->v.iv, &b->v.iv);
    case PHYS_INT128:
        return (a->v.i128 > b->v.i128) - (a->v.i128 < b->v.i128);
    case PHYS_INT8:
        return (a->v.i8 > b->v.i8) - (a->v.i8 < b->v.i8);
    case PHYS_INT16:
        return (a->v.i16 > b->v.i16) - (a->v.i16 < b->v.i16);
    case PHYS_FLOAT: {
        float x = a->v.f32, y = b->v.f32;
        if (isnan(x) || isnan(y)) return isnan(x) - isnan(y);
        return (x > y) - (x < y);
    }
    case PHYS_INVALID:
        break;
    }
    return 0;
}

/* ---- variances (Welford; Chan et al. to combine) and HyperLogLog ---- */

/* A numeric argument as a double (decimals scaled). */
static inline double numeric_as_double(const PlanAggregate *agg, PhysicalType p,
                                       const AggState *value)
{
    double x = p == PHYS_INT32    ? value->v.i32
               : p == PHYS_INT64  ? (double)value->v.i64
               : p == PHYS_INT8   ? value->v.i8
               : p == PHYS_INT16  ? value->v.i16
               : p == PHYS_INT128 ? (double)value->v.i128
               : p == PHYS_FLOAT  ? value->v.f32
                                  : value->v.f64;
    if (agg->arg_type.id == TYPE_DECIMAL) x /= pow(10.0, agg->arg_type.scale);
    return x;
}

static inline void welford_add(AggState *st, double x)
{
    st->count++;
    double d = x - st->v.w[0];
    st->v.w[0] += d / (double)st->count;
    st->v.w[1] += d * (x - st->v.w[0]);
}

static inline void welford_combine(AggState *st, const AggState *src)
{
    if (!src->count) return;
    if (!st->count) {
        *st = *src;
        return;
    }
    double na = (double)st->count, nb = (double)src->count, n = na + nb;
    double d = src->v.w[0] - st->v.w[0];
    st->v.w[0] += d * nb / n;
    st->v.w[1] += src->v.w[1] + d * d * na * nb / n;
    st->count += src->count;
}

/* HyperLogLog (Flajolet et al. 2007) with 2^12 registers: standard error 1.04/sqrt(4096),
   about 1.6%. Register j holds '0' + the largest rank seen, so the registers are their own
   printable partial state, and merging is a bytewise maximum. */
enum { HLL_BITS = 12, HLL_REGISTERS = 1 << HLL_BITS };

static Status hll_registers(AggTable *t, AggState *st, Error *err)
{
    if (st->v.regs) return BS_OK;
    st->v.regs = arena_alloc(t->strings, HLL_REGISTERS);
    if (!st->v.regs) return arena_error(t->strings, err);
    memset(st->v.regs, '0', HLL_REGISTERS);
    st->count = 1;
    return BS_OK;
}

_Static_assert((int)HLL_REGISTERS == (int)AGG_HLL_REGISTERS, "one HyperLogLog for both");

uint32_t agg_hll_slot(uint64_t hash, uint8_t *rank)
{
    uint64_t h = hash_u64(hash); /* mixed once more: HLL reads both ends of the hash */
    uint64_t rest = (h << HLL_BITS) | (UINT64_C(1) << (HLL_BITS - 1));
    *rank = (uint8_t)(__builtin_clzll(rest) + 1);
    return (uint32_t)(h >> (64 - HLL_BITS));
}

static inline void hll_add(uint8_t *regs, uint64_t hash)
{
    uint8_t rank;
    uint32_t j = agg_hll_slot(hash, &rank);
    if (regs[j] < '0' + rank) regs[j] = (uint8_t)('0' + rank);
}

int64_t agg_hll_estimate(const uint32_t *hist)
{
    /* from the histogram, ranks in order: the same sum whichever way the registers came */
    double sum = 0;
    for (int r = 0; r < AGG_HLL_RANKS; r++)
        if (hist[r]) sum += ldexp((double)hist[r], -r);
    double m = HLL_REGISTERS, alpha = 0.7213 / (1 + 1.079 / m);
    double e = alpha * m * m / sum;
    uint32_t zeros = hist[0];
    if (e <= 2.5 * m && zeros) e = m * log(m / zeros); /* linear counting for small sets */
    return (int64_t)llround(e);
}

static int64_t hll_estimate(const uint8_t *regs)
{
    uint32_t hist[AGG_HLL_RANKS] = {0};
    for (int j = 0; j < HLL_REGISTERS; j++)
        hist[regs[j] - '0']++;
    return agg_hll_estimate(hist);
}

/* REAL and DOUBLE: their sums and averages are kept as doubles. */
static inline bool phys_is_float(PhysicalType p)
{
    return p == PHYS_DOUBLE || p == PHYS_FLOAT;
}

static inline double float_of(PhysicalType p, const AggState *v)
{
    return p == PHYS_FLOAT ? (double)v->v.f32 : v->v.f64;
}

/* A 64-bit-or-narrower integer value (TINYINT … BIGINT, narrow DECIMAL) as int64. */
static inline int64_t int_of(PhysicalType p, const AggState *v)
{
    switch (p) {
    case PHYS_INT8:
        return v->v.i8;
    case PHYS_INT16:
        return v->v.i16;
    case PHYS_INT32:
        return v->v.i32;
    default:
        return v->v.i64;
    }
}

/* Applies one (non-NULL) value to a state: the heart of SINGLE/PARTIAL updates. */
static Status interval_overflow(Error *err)
{
    return error_set(err, SQLSTATE_DATETIME_OVERFLOW, -1, "interval out of range");
}

static inline Status apply_value(AggTable *t, const PlanAggregate *agg, PhysicalType p,
                                 AggState *st, const AggState *value, Error *err)
{
    switch (agg->func) {
    case AGG_COUNT_STAR:
    case AGG_COUNT:
        st->count++;
        return BS_OK;
    case AGG_SUM:
        if (phys_is_float(p)) {
            st->v.f64 += float_of(p, value);
        } else if (p == PHYS_INTERVAL) {
            if (!interval_add(&st->v.iv, &value->v.iv, &st->v.iv)) return interval_overflow(err);
        } else if (p == PHYS_INT128) {
            if (__builtin_add_overflow(st->v.i128, value->v.i128, &st->v.i128))
                return sum_overflow(agg, err);
        } else if (sum_is_wide(agg)) {
            sum_add_int64(st, int_of(p, value));
        } else {
            if (__builtin_add_overflow(st->v.i64, int_of(p, value), &st->v.i64))
                return sum_overflow(agg, err);
        }
        st->count++;
        return BS_OK;
    case AGG_AVG:
        if (phys_is_float(p))
            st->v.f64 += float_of(p, value);
        else if (p == PHYS_INTERVAL) {
            if (!interval_add(&st->v.iv, &value->v.iv, &st->v.iv)) return interval_overflow(err);
        } else if (p == PHYS_INT128) {
            if (__builtin_add_overflow(st->v.i128, value->v.i128, &st->v.i128))
                return kernel_overflow(agg->arg_type, err);
        } else
            st->v.i128 += int_of(p, value);
        st->count++;
        return BS_OK;
    case AGG_MIN:
    case AGG_MAX:
    case AGG_BOOL_AND:
    case AGG_BOOL_OR: {
        int c = !st->count ? 0
                : agg->arg_type.id == TYPE_ARRAY
                    ? array_compare(agg->arg_type, sv_data(&value->v.sv), value->v.sv.len,
                                    sv_data(&st->v.sv), st->v.sv.len)
                    : compare_state_values(p, value, st);
        bool lowest = agg->func == AGG_MIN || agg->func == AGG_BOOL_AND;
        if (!st->count || (lowest ? c < 0 : c > 0)) {
            st->v = value->v;
            if (p == PHYS_STRING) BS_TRY(keep_string(t, &st->v.sv, err));
        }
        st->count = 1;
        return BS_OK;
    }
    case AGG_VAR_SAMP:
    case AGG_VAR_POP:
    case AGG_STDDEV_SAMP:
    case AGG_STDDEV_POP:
        welford_add(st, numeric_as_double(agg, p, value));
        return BS_OK;
    case AGG_APPROX_DISTINCT: /* its hash is applied by update_rows and merging */
    case AGG_STRING_AGG:      /* holistic: kept in t->values */
    case AGG_ARRAY_AGG:
    case AGG_QUANTILE_CONT:
    case AGG_QUANTILE_DISC:
    case AGG_COUNT_:
        break;
    }
    return BS_OK;
}

/* SINGLE/PARTIAL: aggregate `a` over the input rows. */
static Status update_rows(AggTable *t, int a, Chunk *chunk, Error *err)
{
    const PlanAggregate *agg = &t->aggs[a];
    idx_t n = chunk->n_rows;
    if (agg->func == AGG_COUNT_STAR) {
        for (idx_t i = 0; i < n; i++)
            state_of(t, t->row_group[i], a)->count++;
        return BS_OK;
    }
    if (t->values[a]) return agg_values_add(t->values[a], chunk, t->row_group, err);
    sel_t scratch[BASALT_VECTOR_SIZE];
    UnifiedVector uv;
    chunk_unify(chunk, agg->arg, &uv, scratch);
    PhysicalType p = type_physical(agg->arg_type);
    if (agg->func == AGG_APPROX_DISTINCT) { /* DISTINCT changes nothing */
        uint64_t *hashes = t->row_hash;     /* the keys' hashes are no longer needed */
        hash_column(p, &uv, n, false, hashes);
        for (idx_t i = 0; i < n; i++) {
            if (!validity_get(uv.validity, uv.sel[i])) continue;
            AggState *st = state_of(t, t->row_group[i], a);
            if (!st->v.regs) BS_TRY(hll_registers(t, st, err));
            hll_add(st->v.regs, hashes[i]);
        }
        return BS_OK;
    }
    if (!agg->distinct && p != PHYS_STRING && agg->func >= AGG_VAR_SAMP &&
        agg->func <= AGG_STDDEV_POP) {
        /* A loop per type. */
        double scale = agg->arg_type.id == TYPE_DECIMAL ? pow(10.0, agg->arg_type.scale) : 1;
#define WELFORD_LOOP(T)                                                                    \
    for (idx_t i = 0; i < n; i++) {                                                        \
        sel_t at = uv.sel[i];                                                              \
        if (!validity_get(uv.validity, at)) continue;                                      \
        double x = (double)((const T *)uv.data)[at];                                       \
        welford_add(state_of(t, t->row_group[i], a), scale == 1 ? x : x / scale);          \
    }
        switch (p) {
        case PHYS_INT8: WELFORD_LOOP(int8_t) break;
        case PHYS_INT16: WELFORD_LOOP(int16_t) break;
        case PHYS_INT32: WELFORD_LOOP(int32_t) break;
        case PHYS_INT64: WELFORD_LOOP(int64_t) break;
        case PHYS_INT128: WELFORD_LOOP(int128_t) break;
        case PHYS_FLOAT: WELFORD_LOOP(float) break;
        case PHYS_DOUBLE: WELFORD_LOOP(double) break;
        default:
            return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "variance of a non-number");
        }
#undef WELFORD_LOOP
        return BS_OK;
    }
    /* Fast paths for the common non-distinct sums and counts. */
    if (!agg->distinct && agg->func == AGG_COUNT && !uv.validity) {
        for (idx_t i = 0; i < n; i++)
            state_of(t, t->row_group[i], a)->count++;
        return BS_OK;
    }
    if (!agg->distinct && agg->func == AGG_SUM && p == PHYS_INT64 && !uv.validity &&
        sum_is_wide(agg)) {
        const int64_t *v = uv.data;
        for (idx_t i = 0; i < n; i++) {
            AggState *st = state_of(t, t->row_group[i], a);
            sum_add_int64(st, v[uv.sel[i]]);
            st->count++;
        }
        return BS_OK;
    }
    if (!agg->distinct && agg->func == AGG_SUM && p == PHYS_INT32 && !uv.validity &&
        sum_is_wide(agg)) {
        const int32_t *v = uv.data;
        for (idx_t i = 0; i < n; i++) {
            AggState *st = state_of(t, t->row_group[i], a);
            sum_add_int64(st, v[uv.sel[i]]);
            st->count++;
        }
        return BS_OK;
    }
    if (!agg->distinct && agg->func == AGG_SUM && p == PHYS_INT64 && !uv.validity) {
        const int64_t *v = uv.data;
        for (idx_t i = 0; i < n; i++) {
            AggState *st = state_of(t, t->row_group[i], a);
            if (__builtin_add_overflow(st->v.i64, v[uv.sel[i]], &st->v.i64))
                return sum_overflow(agg, err);
            st->count++;
        }
        return BS_OK;
    }
    if (!agg->distinct && agg->func == AGG_SUM && p == PHYS_DOUBLE && !uv.validity) {
        const double *v = uv.data;
        for (idx_t i = 0; i < n; i++) {
            AggState *st = state_of(t, t->row_group[i], a);
            st->v.f64 += v[uv.sel[i]];
            st->count++;
        }
        return BS_OK;
    }
    for (idx_t i = 0; i < n; i++) {
        sel_t at = uv.sel[i];
        if (!validity_get(uv.validity, at)) continue;
        AggState value;
        load_value(p, &uv, at, &value);
        uint32_t g = t->row_group[i];
        if (agg->distinct) {
            bool is_new;
            BS_TRY(distinct_insert(t, t->distinct[a], p, g, &value, hash_value_at(p, &uv, at),
                                   &is_new, err));
            if (!is_new) continue;
        }
        BS_TRY(apply_value(t, agg, p, state_of(t, g, a), &value, err));
    }
    return BS_OK;
}

/* Combines a partial state into st (FINAL input and merging tables). */
static Status combine_state(AggTable *t, const PlanAggregate *agg, AggState *st,
                            const AggState *src, Error *err)
{
    PhysicalType p = type_physical(agg->arg_type);
    switch (agg->func) {
    case AGG_COUNT_STAR:
    case AGG_COUNT:
        st->count += src->count;
        return BS_OK;
    case AGG_SUM:
        if (!src->count) return BS_OK;
        if (phys_is_float(p)) {
            st->v.f64 += src->v.f64;
        } else if (p == PHYS_INTERVAL) {
            if (!interval_add(&st->v.iv, &src->v.iv, &st->v.iv)) return interval_overflow(err);
        } else if (sum_is_wide(agg)) {
            int128_t add;
            if (!sum_total(src, &add) || __builtin_add_overflow(st->v.i128, add, &st->v.i128))
                return sum_overflow(agg, err);
        } else if (__builtin_add_overflow(st->v.i64, src->v.i64, &st->v.i64)) {
            return sum_overflow(agg, err);
        }
        st->count += src->count;
        return BS_OK;
    case AGG_AVG:
        if (phys_is_float(p))
            st->v.f64 += src->v.f64;
        else if (p == PHYS_INTERVAL) {
            if (!interval_add(&st->v.iv, &src->v.iv, &st->v.iv)) return interval_overflow(err);
        } else if (__builtin_add_overflow(st->v.i128, src->v.i128, &st->v.i128))
            return kernel_overflow(agg->arg_type, err);
        st->count += src->count;
        return BS_OK;
    case AGG_MIN:
    case AGG_MAX:
    case AGG_BOOL_AND:
    case AGG_BOOL_OR:
        if (!src->count) return BS_OK;
        return apply_value(t, agg, p, st, src, err);
    case AGG_VAR_SAMP:
    case AGG_VAR_POP:
    case AGG_STDDEV_SAMP:
    case AGG_STDDEV_POP:
        welford_combine(st, src);
        return BS_OK;
    case AGG_APPROX_DISTINCT:
        if (!src->count || !src->v.regs) return BS_OK;
        BS_TRY(hll_registers(t, st, err));
        for (int j = 0; j < HLL_REGISTERS; j++)
            st->v.regs[j] = st->v.regs[j] > src->v.regs[j] ? st->v.regs[j] : src->v.regs[j];
        return BS_OK;
    case AGG_STRING_AGG: /* merged by agg_table_merge */
    case AGG_ARRAY_AGG:
    case AGG_QUANTILE_CONT:
    case AGG_QUANTILE_DISC:
    case AGG_COUNT_:
        break;
    }
    return BS_OK;
}

/* FINAL: aggregate `a` from its state columns. */
static Status update_from_states(AggTable *t, int a, Chunk *chunk, Error *err)
{
    const PlanAggregate *agg = &t->aggs[a];
    sel_t scratch[BASALT_VECTOR_SIZE], scratch2[BASALT_VECTOR_SIZE], scratch3[BASALT_VECTOR_SIZE];
    UnifiedVector u0, u1, u2;
    chunk_unify(chunk, agg->arg, &u0, scratch);
    int width = plan_agg_state_width(agg);
    if (width >= 2) chunk_unify(chunk, agg->arg + 1, &u1, scratch2);
    if (width >= 3) chunk_unify(chunk, agg->arg + 2, &u2, scratch3);
    PhysicalType p0 = type_physical(plan_agg_state_type(agg, 0));
    for (idx_t i = 0; i < chunk->n_rows; i++) {
        sel_t at = u0.sel[i];
        AggState src;
        memset(&src, 0, sizeof src);
        bool valid = validity_get(u0.validity, at);
        switch (agg->func) {
        case AGG_COUNT_STAR:
        case AGG_COUNT:
            if (!valid) continue;
            src.count = ((const int64_t *)u0.data)[at];
            break;
        case AGG_AVG: {
            /* DOUBLE: (sum, count); exact numbers: (sum's high 64 bits, low 64, count). */
            sel_t at1 = u1.sel[i];
            if (!valid || !validity_get(u1.validity, at1)) continue;
            if (p0 == PHYS_DOUBLE) {
                src.v.f64 = ((const double *)u0.data)[at];
                src.count = ((const int64_t *)u1.data)[at1];
            } else if (p0 == PHYS_INTERVAL) {
                src.v.iv = ((const Interval *)u0.data)[at];
                src.count = ((const int64_t *)u1.data)[at1];
            } else {
                sel_t at2 = u2.sel[i];
                if (!validity_get(u2.validity, at2)) continue;
                uint64_t lo = (uint64_t)((const int64_t *)u1.data)[at1];
                src.v.i128 =
                    (__int128)(((unsigned __int128)(uint64_t)((const int64_t *)u0.data)[at] << 64) |
                               lo);
                src.count = ((const int64_t *)u2.data)[at2];
            }
            break;
        }
        case AGG_VAR_SAMP:
        case AGG_VAR_POP:
        case AGG_STDDEV_SAMP:
        case AGG_STDDEV_POP: {
            sel_t at1 = u1.sel[i], at2 = u2.sel[i];
            if (!valid || !validity_get(u1.validity, at1) || !validity_get(u2.validity, at2))
                continue;
            src.count = ((const int64_t *)u0.data)[at];
            src.v.w[0] = ((const double *)u1.data)[at1];
            src.v.w[1] = ((const double *)u2.data)[at2];
            break;
        }
        case AGG_APPROX_DISTINCT: {
            if (!valid) continue;
            const StringView *sv = &((const StringView *)u0.data)[at];
            if (sv->len != HLL_REGISTERS)
                return error_set(err, SQLSTATE_INTERNAL_ERROR, -1,
                                 "approx_distinct: bad partial state");
            src.v.regs = (uint8_t *)sv_data(sv);
            src.count = 1;
            break;
        }
        default:
            if (!valid) continue;
            load_value(p0, &u0, at, &src);
            if (agg->func == AGG_SUM && p0 == PHYS_INT32) src.v.i64 = src.v.i32;
            src.count = 1;
            break;
        }
        BS_TRY(combine_state(t, agg, state_of(t, t->row_group[i], a), &src, err));
    }
    return BS_OK;
}

Status agg_table_add(AggTable *t, Chunk *chunk, Error *err)
{
    idx_t n = chunk->n_rows;
    if (t->n_keys == 0) {
        memset(t->row_group, 0, sizeof(uint32_t) * n);
    } else {
        UnifiedVector key_uv[16];
        sel_t *scratch = NULL;
        UnifiedVector *kuv =
            t->n_keys <= 16 ? key_uv : bs_malloc(sizeof(UnifiedVector) * (size_t)t->n_keys);
        if (!kuv) return error_oom(err);
        if (chunk->sel) {
            if (!t->key_scratch) {
                t->key_scratch = bs_malloc(sizeof(sel_t) * BASALT_VECTOR_SIZE * (size_t)t->n_keys);
                if (!t->key_scratch) {
                    if (kuv != key_uv) bs_free(kuv);
                    return error_oom(err);
                }
            }
            scratch = t->key_scratch;
        }
        for (int c = 0; c < t->n_keys; c++) {
            chunk_unify(chunk, t->key_cols[c], &kuv[c],
                        scratch ? scratch + (size_t)c * BASALT_VECTOR_SIZE : NULL);
            hash_column(type_physical(t->key_types[c]), &kuv[c], n, c > 0, t->row_hash);
        }
        Status st = BS_OK;
        /* Rows whose slots are fetched ahead of their probe: new groups land at random
           slots, and a table beyond the caches would otherwise wait on each. */
        enum { PREFETCH_AHEAD = 16 };
        for (idx_t i = 0; i < n && i < PREFETCH_AHEAD; i++)
            __builtin_prefetch(&t->slots[(uint32_t)t->row_hash[i] & (t->n_slots - 1)]);
        for (idx_t i = 0; i < n && st == BS_OK; i++) {
            if ((t->n_groups + 1) * 2 > t->n_slots &&
                (st = rehash(t, t->n_slots * 2, err)) != BS_OK)
                break;
            if (i + PREFETCH_AHEAD < n)
                __builtin_prefetch(
                    &t->slots[(uint32_t)t->row_hash[i + PREFETCH_AHEAD] & (t->n_slots - 1)]);
            uint64_t h = t->row_hash[i];
            uint32_t mask = t->n_slots - 1;
            uint32_t s = (uint32_t)h & mask;
            for (;;) {
                uint64_t e = t->slots[s];
                if (!e) {
                    uint32_t g;
                    st = new_group(t, kuv, (sel_t)i, h, &g, err);
                    if (st == BS_OK) {
                        t->slots[s] = slot_of(h, g);
                        t->row_group[i] = g;
                    }
                    break;
                }
                uint32_t g = SLOT_GROUP(e);
                if (SLOT_TAG(e) == SLOT_TAG(h)) {
                    bool eq = true;
                    for (int c = 0; c < t->n_keys && eq; c++)
                        eq = key_equal(t, c, g, &kuv[c], kuv[c].sel[i]);
                    if (eq) {
                        t->row_group[i] = g;
                        break;
                    }
                }
                s = (s + 1) & mask;
            }
        }
        if (kuv != key_uv) bs_free(kuv);
        BS_TRY(st);
    }
    for (int a = 0; a < t->n_aggs; a++) {
        if (t->mode == AGG_FINAL)
            BS_TRY(update_from_states(t, a, chunk, err));
        else
            BS_TRY(update_rows(t, a, chunk, err));
    }
    return BS_OK;
}

/*
 * Finds or creates in dst the group of src's group g (hash h); *out is its number in dst.
 * dst has room for one more group (reserve_groups). `kuv` views src's keys, its sel
 * pointing at `*at`, which is set to g here.
 */
static inline Status find_group_of(AggTable *dst, const AggTable *src, uint32_t g, uint64_t h,
                                   UnifiedVector *kuv, sel_t *at, uint32_t *out, Error *err)
{
    if (dst->n_keys == 0) {
        *out = 0;
        return BS_OK;
    }
    *at = (sel_t)g;
    uint32_t mask = dst->n_slots - 1;
    uint32_t s = (uint32_t)h & mask;
    for (;;) {
        uint64_t e = dst->slots[s];
        if (!e) {
            BS_TRY(new_group(dst, kuv, 0, h, out, err));
            dst->slots[s] = slot_of(h, *out);
            return BS_OK;
        }
        uint32_t d = SLOT_GROUP(e);
        if (SLOT_TAG(e) == SLOT_TAG(h)) {
            bool eq = true;
            for (int c = 0; c < dst->n_keys && eq; c++)
                eq = key_equal(dst, c, d, &kuv[c], *at);
            if (eq) {
                *out = d;
                return BS_OK;
            }
        }
        s = (s + 1) & mask;
    }
}

Status agg_table_merge(AggTable *dst, AggTable *src, const Task *task, Error *err)
{
    uint32_t n = src->n_groups;
    uint32_t *map = NULL;
    MemTracker *failed;
    bool distinct = false;
    for (int a = 0; a < dst->n_aggs; a++)
        distinct |= dst->aggs[a].distinct || dst->values[a];
    /* The distinct values refer to src's group numbers: map them all. */
    size_t map_size = sizeof(uint32_t) * (src->n_groups ? src->n_groups : 1);
    if (distinct) {
        map = memtracker_realloc(dst->tracker, NULL, 0, map_size, &failed);
        if (!map) return memtracker_error(failed, (int64_t)map_size, err);
    }
    /* Room for every group at once: no growing or rehashing halfway. */
    Status st = reserve_groups(dst, dst->n_groups + n, err);
    /* src's keys as unified vectors whose selection is one row, moved group by group. */
    UnifiedVector kuv_small[16];
    UnifiedVector *kuv =
        dst->n_keys <= 16 ? kuv_small : bs_malloc(sizeof(UnifiedVector) * (size_t)dst->n_keys);
    sel_t at = 0;
    if (!kuv) st = error_oom(err);
    for (int c = 0; kuv && c < dst->n_keys; c++) {
        kuv[c].data = src->keys[c];
        kuv[c].validity = src->key_validity[c];
        kuv[c].sel = &at;
    }
    /* In batches: the index slots of a batch are fetched while the one before is merged. */
    enum { BATCH = 16 };
    uint32_t batch_groups[BATCH], dst_groups[BATCH];
    uint64_t batch_hashes[BATCH];
    uint32_t mask = dst->n_slots - 1;
    for (uint32_t i0 = 0; i0 < n && st == BS_OK; i0 += BATCH) {
        if ((i0 & 4095) < BATCH && task_should_stop(task)) {
            st = task_cancelled_error(err);
            break;
        }
        uint32_t m = n - i0 < BATCH ? n - i0 : BATCH;
        for (uint32_t j = 0; j < m; j++) {
            uint32_t g = i0 + j;
            batch_groups[j] = g;
            batch_hashes[j] = src->hashes[g];
            __builtin_prefetch(&dst->slots[(uint32_t)batch_hashes[j] & mask]);
        }
        for (uint32_t j = 0; j < m && st == BS_OK; j++)
            st = find_group_of(dst, src, batch_groups[j], batch_hashes[j], kuv, &at, &dst_groups[j],
                               err);
        for (uint32_t j = 0; j < m && st == BS_OK; j++) {
            uint32_t g = batch_groups[j], d = dst_groups[j];
            if (map) map[g] = d;
            for (int a = 0; a < dst->n_aggs && st == BS_OK; a++)
                if (!dst->aggs[a].distinct || dst->aggs[a].func == AGG_APPROX_DISTINCT)
                    st = combine_state(dst, &dst->aggs[a], state_of(dst, d, a),
                                       state_of((AggTable *)src, g, a), err);
        }
    }
    if (kuv && kuv != kuv_small) bs_free(kuv);
    /* DISTINCT aggregates: re-apply src's distinct values to dst's groups. */
    for (int a = 0; a < dst->n_aggs && st == BS_OK && distinct; a++) {
        if (dst->values[a]) {
            st = agg_values_merge(dst->values[a], src->values[a], map, err);
            continue;
        }
        if (!dst->aggs[a].distinct || !dst->distinct[a]) continue;
        DistinctSet *sds = src->distinct[a];
        PhysicalType p = type_physical(dst->aggs[a].arg_type);
        for (uint32_t e = 0; e < sds->n_entries && st == BS_OK; e++) {
            uint32_t g = map[sds->groups[e]];
            UnifiedVector one = {&sds->values[e].v, SEL_ZERO, NULL};
            bool is_new;
            st = distinct_insert(dst, dst->distinct[a], p, g, &sds->values[e],
                                 hash_value_at(p, &one, 0), &is_new, err);
            if (st == BS_OK && is_new)
                st = apply_value(dst, &dst->aggs[a], p, state_of(dst, g, a), &sds->values[e], err);
        }
    }
    if (map) memtracker_free(dst->tracker, map, map_size);
    return st;
}

/* ---- output ---- */

/* Writes a state's value (or NULL) as the given type at row of out vector v. */
static Status emit_value(Vector *v, idx_t row, PhysicalType p, const AggState *st, Error *err)
{
    if (!st->count) return vector_set_null(v, row, err);
    switch (p) {
    case PHYS_BOOL:
        ((uint8_t *)v->data)[row] = st->v.b;
        break;
    case PHYS_INT32:
        ((int32_t *)v->data)[row] = st->v.i32;
        break;
    case PHYS_INT64:
        ((int64_t *)v->data)[row] = st->v.i64;
        break;
    case PHYS_DOUBLE:
        ((double *)v->data)[row] = st->v.f64;
        break;
    case PHYS_STRING:
        ((StringView *)v->data)[row] = st->v.sv;
        break;
    case PHYS_INTERVAL:
        ((Interval *)v->data)[row] = st->v.iv;
        break;
    case PHYS_INT128:
        ((int128_t *)v->data)[row] = st->v.i128;
        break;
    case PHYS_INT8:
        ((int8_t *)v->data)[row] = st->v.i8;
        break;
    case PHYS_INT16:
        ((int16_t *)v->data)[row] = st->v.i16;
        break;
    case PHYS_FLOAT:
        ((float *)v->data)[row] = st->v.f32;
        break;
    case PHYS_INVALID:
        break;
    }
    return BS_OK;
}

/*
 * The partial state of an average at row of out's columns col…: a DOUBLE sum and the
 * count, or the int128 sum as its high and low 64 bits and the count (exact at any size).
 */
static void emit_avg_state(const PlanAggregate *agg, Chunk *out, int col, idx_t row,
                           const AggState *st)
{
    if (phys_is_float(type_physical(agg->arg_type))) {
        ((double *)out->cols[col].data)[row] = st->v.f64;
        ((int64_t *)out->cols[col + 1].data)[row] = st->count;
        return;
    }
    if (agg->arg_type.id == TYPE_INTERVAL) {
        ((Interval *)out->cols[col].data)[row] = st->v.iv;
        ((int64_t *)out->cols[col + 1].data)[row] = st->count;
        return;
    }
    unsigned __int128 bits = (unsigned __int128)st->v.i128;
    ((int64_t *)out->cols[col].data)[row] = (int64_t)(uint64_t)(bits >> 64);
    ((int64_t *)out->cols[col + 1].data)[row] = (int64_t)(uint64_t)bits;
    ((int64_t *)out->cols[col + 2].data)[row] = st->count;
}

Status agg_table_emit(AggTable *t, uint32_t first, uint32_t count, Chunk *out, Error *err)
{
    for (int c = 0; c < t->n_keys; c++) {
        Vector *v = &out->cols[c];
        size_t w = type_size(t->key_types[c]);
        memcpy(v->data, (const char *)t->keys[c] + w * first, w * count);
        if (t->key_validity[c])
            for (uint32_t i = 0; i < count; i++)
                if (!validity_get(t->key_validity[c], first + i))
                    BS_TRY(vector_set_null(v, i, err));
    }
    int col = t->n_keys;
    for (int a = 0; a < t->n_aggs; a++) {
        const PlanAggregate *agg = &t->aggs[a];
        PhysicalType p = type_physical(agg->arg_type);
        Vector *v = &out->cols[col];
        for (uint32_t i = 0; i < count; i++) {
            const AggState *st = state_of(t, first + i, a);
            switch (agg->func) {
            case AGG_COUNT_STAR:
            case AGG_COUNT:
                ((int64_t *)v->data)[i] = st->count;
                break;
            case AGG_SUM:
                if (sum_is_wide(agg)) {
                    /* A partial state may pass 10^38 on the way; the final sum may not. */
                    AggState total = *st;
                    if (st->count && (!sum_total(st, &total.v.i128) ||
                                      (t->mode != AGG_PARTIAL && agg->type.id == TYPE_DECIMAL &&
                                       !int128_below_pow10(total.v.i128, agg->type.precision))))
                        return kernel_overflow(agg->type, err);
                    BS_TRY(emit_value(v, i, PHYS_INT128, &total, err));
                    break;
                }
                BS_TRY(emit_value(v, i,
                                  phys_is_float(p)        ? PHYS_DOUBLE
                                  : p == PHYS_INTERVAL    ? PHYS_INTERVAL
                                                          : PHYS_INT64,
                                  st, err));
                break;
            case AGG_MIN:
            case AGG_MAX:
                BS_TRY(emit_value(v, i, p, st, err));
                break;
            case AGG_AVG:
                if (t->mode == AGG_PARTIAL) {
                    emit_avg_state(agg, out, col, i, st);
                } else if (!st->count) {
                    BS_TRY(vector_set_null(v, i, err));
                } else if (agg->type.id == TYPE_INTERVAL) {
                    /* the sum / count, as interval / number divides */
                    if (!interval_div(&st->v.iv, (double)st->count, &((Interval *)v->data)[i]))
                        return interval_overflow(err);
                } else if (agg->type.id == TYPE_DECIMAL) {
                    /* sum * 10^k / count, k the scale it gains (at most 6), rounded half
                       away from zero: the quotient and the remainder apart, so nothing
                       overflows (|quotient| < 10^p, |remainder| < count) */
                    int k = agg->type.scale - agg->arg_type.scale;
                    int128_t q = st->v.i128 / st->count, rem = st->v.i128 % st->count;
                    int128_t mean =
                        q * POW10_128[k] + int128_div_round(rem * POW10_128[k], st->count);
                    if (type_is_wide_decimal(agg->type))
                        ((int128_t *)v->data)[i] = mean;
                    else
                        ((int64_t *)v->data)[i] = (int64_t)mean;
                } else {
                    double sum = phys_is_float(p) ? st->v.f64 : (double)st->v.i128;
                    if (agg->arg_type.id == TYPE_DECIMAL)
                        sum /= (double)POW10_128[agg->arg_type.scale];
                    ((double *)v->data)[i] = sum / (double)st->count;
                }
                break;
            case AGG_BOOL_AND:
            case AGG_BOOL_OR:
                BS_TRY(emit_value(v, i, PHYS_BOOL, st, err));
                break;
            case AGG_VAR_SAMP:
            case AGG_VAR_POP:
            case AGG_STDDEV_SAMP:
            case AGG_STDDEV_POP:
                if (t->mode == AGG_PARTIAL) {
                    ((int64_t *)v->data)[i] = st->count;
                    ((double *)out->cols[col + 1].data)[i] = st->v.w[0];
                    ((double *)out->cols[col + 2].data)[i] = st->v.w[1];
                } else {
                    bool samp = agg->func == AGG_VAR_SAMP || agg->func == AGG_STDDEV_SAMP;
                    if (st->count < (samp ? 2 : 1)) {
                        BS_TRY(vector_set_null(v, i, err));
                        break;
                    }
                    double var = st->v.w[1] / (double)(st->count - (samp ? 1 : 0));
                    if (var < 0) var = 0; /* rounding */
                    bool dev = agg->func == AGG_STDDEV_SAMP || agg->func == AGG_STDDEV_POP;
                    ((double *)v->data)[i] = dev ? sqrt(var) : var;
                }
                break;
            case AGG_APPROX_DISTINCT:
                if (t->mode == AGG_PARTIAL) {
                    if (!st->count)
                        BS_TRY(vector_set_null(v, i, err));
                    else
                        ((StringView *)v->data)[i] =
                            sv_make((const char *)st->v.regs, HLL_REGISTERS);
                } else {
                    ((int64_t *)v->data)[i] = st->count ? hll_estimate(st->v.regs) : 0;
                }
                break;
            case AGG_STRING_AGG:
            case AGG_ARRAY_AGG:
            case AGG_QUANTILE_CONT:
            case AGG_QUANTILE_DISC:
                i = count; /* all rows at once */
                BS_TRY(agg_values_emit(t->values[a], t->n_groups, first, count, v, err));
                break;
            case AGG_COUNT_:
                break;
            }
        }
        col += t->mode == AGG_PARTIAL ? plan_agg_state_width(agg) : 1;
    }
    out->n_rows = count;
    return BS_OK;
}
