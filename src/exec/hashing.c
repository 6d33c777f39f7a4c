/*
 * hashing.c — row hashes over key columns, for hash partitioning (exchange sinks). The
 * aggregation table hashes the same way (hash_value_at, hash_combine) as it unifies its
 * key columns, so a group's hash is the same in both. One column at a time: the first column's
 * hashes, then each next column's combined in, with a loop per physical type.
 */
#include "exec/exec_int.h"

/* out[i] = hash of row i (combined into out[i] when `combine`), for values of type T. */
#define HASH_LOOP(T, HASH)                                                                    \
    do {                                                                                      \
        const T *data = uv->data;                                                             \
        if (uv->validity) {                                                                   \
            for (idx_t i = 0; i < n; i++) {                                                   \
                sel_t at = uv->sel[i];                                                        \
                uint64_t h = validity_get(uv->validity, at) ? HASH(data[at]) : NULL_HASH;     \
                out[i] = combine ? hash_combine(out[i], h) : h;                               \
            }                                                                                 \
        } else if (combine) {                                                                 \
            for (idx_t i = 0; i < n; i++)                                                     \
                out[i] = hash_combine(out[i], HASH(data[uv->sel[i]]));                        \
        } else {                                                                              \
            for (idx_t i = 0; i < n; i++)                                                     \
                out[i] = HASH(data[uv->sel[i]]);                                              \
        }                                                                                     \
    } while (0)

#define HASH_INT(x)      hash_u64((uint64_t)(int64_t)(x))
#define HASH_STRING(s)   hash_bytes(sv_data(&(s)), (s).len)
#define HASH_INTERVAL(v) hash_interval(&(v))

void hash_column(PhysicalType p, const UnifiedVector *uv, idx_t n, bool combine, uint64_t *out)
{
    switch (p) {
    case PHYS_BOOL:
        HASH_LOOP(uint8_t, hash_u64);
        return;
    case PHYS_INT32:
        HASH_LOOP(int32_t, HASH_INT);
        return;
    case PHYS_INT64:
        HASH_LOOP(int64_t, HASH_INT);
        return;
    case PHYS_DOUBLE:
        HASH_LOOP(double, hash_double);
        return;
    case PHYS_STRING:
        HASH_LOOP(StringView, HASH_STRING);
        return;
    case PHYS_INTERVAL:
        HASH_LOOP(Interval, HASH_INTERVAL);
        return;
    case PHYS_INT128:
        HASH_LOOP(int128_t, hash_int128);
        return;
    case PHYS_INT8:
        HASH_LOOP(int8_t, HASH_INT);
        return;
    case PHYS_INT16:
        HASH_LOOP(int16_t, HASH_INT);
        return;
    case PHYS_FLOAT: /* as the double it widens to: -0 and 0, every NaN alike */
        HASH_LOOP(float, hash_double);
        return;
    case PHYS_INVALID:
        break;
    }
    for (idx_t i = 0; i < n; i++)
        out[i] = combine ? hash_combine(out[i], 0) : 0;
}

void hash_rows(const Chunk *chunk, const int *cols, int n_cols, uint64_t *out)
{
    idx_t n = chunk->n_rows;
    sel_t scratch[BASALT_VECTOR_SIZE];
    for (int k = 0; k < n_cols; k++) {
        UnifiedVector uv;
        chunk_unify(chunk, cols[k], &uv, scratch);
        hash_column(type_physical(chunk->cols[cols[k]].type), &uv, n, k > 0, out);
    }
    if (n_cols == 0)
        for (idx_t i = 0; i < n; i++)
            out[i] = 0;
}
