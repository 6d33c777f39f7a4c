/*
 * hashing.c — row hashes over key columns, for hash partitioning (exchange sinks). The
 * aggregation table hashes the same way (hash_value_at, hash_combine) as it unifies its
 * key columns, so a group's hash is the same in both. One column at a time: the first column's
 * hashes, then each next column's combined in, with a loop per physical type.
 */
#include "exec/exec_int.h"

void hash_rows(const Chunk *chunk, const int *cols, int n_cols, uint64_t *out)
{
    idx_t n = chunk->n_rows;
    sel_t scratch[BASALT_VECTOR_SIZE];
    for (int k = 0; k < n_cols; k++) {
        UnifiedVector uv;
        chunk_unify(chunk, cols[k], &uv, scratch);
        PhysicalType p = type_physical(chunk->cols[cols[k]].type);
        if (k == 0) {
            for (idx_t i = 0; i < n; i++)
                out[i] = hash_value_at(p, &uv, uv.sel[i]);
        } else {
            for (idx_t i = 0; i < n; i++)
                out[i] = hash_combine(out[i], hash_value_at(p, &uv, uv.sel[i]));
        }
    }
    if (n_cols == 0)
        for (idx_t i = 0; i < n; i++)
            out[i] = 0;
}
