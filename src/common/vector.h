/*
 * vector.h — Vector (one column of up to BASALT_VECTOR_SIZE values) and Chunk (a batch
 * of rows: a vector per column), the units that operators pass each other.
 *
 * A vector is flat (data[row]), constant (data[0] stands for every row) or dictionary
 * (data holds sel_t indices into a flat child). Validity is a bitmap, bit set = valid;
 * a NULL validity pointer means no NULLs. Kernels read any kind through a UnifiedVector:
 * value of row i = data[sel[i]], valid when its bit at sel[i] is set.
 *
 * A chunk may carry a selection vector: its rows are then cols[c] at sel[0..n_rows).
 * Memory: a chunk's column buffers are allocated once (chunk_init); strings, validity
 * and dictionary indices of the current batch come from the chunk's batch arena, which
 * chunk_reset() empties. Vectors referenced by a chunk (dictionaries, references) stay
 * valid only until the producer's next call.
 */
#ifndef BASALT_COMMON_VECTOR_H
#define BASALT_COMMON_VECTOR_H

#include "common/arena.h"
#include "common/error.h"
#include "common/strview.h"
#include "common/types.h"
#include "common/value.h"

typedef enum VectorKind { VEC_FLAT = 0, VEC_CONSTANT, VEC_DICTIONARY } VectorKind;

#define VALIDITY_WORDS ((BASALT_VECTOR_SIZE + 63) / 64)

typedef struct Vector {
    LogicalType type;
    VectorKind kind;
    void *data;                 /* values; for VEC_DICTIONARY the sel_t indices into child */
    uint64_t *validity;         /* VALIDITY_WORDS words; NULL: all valid */
    const struct Vector *child; /* VEC_DICTIONARY: the flat vector indexed */
    Arena *arena;               /* where validity, indices and string bytes are allocated */
    void *own_data;             /* the vector's own flat buffer (BASALT_VECTOR_SIZE values) */
} Vector;

/* A read-only view of any vector kind: value of row i is data[sel[i]]. */
typedef struct UnifiedVector {
    const void *data;
    const sel_t *sel;
    const uint64_t *validity; /* indexed by sel[i]; NULL: all valid */
} UnifiedVector;

/* sel vectors with 0,1,2,... and with all zeros (BASALT_VECTOR_SIZE entries); read-only. */
extern sel_t SEL_IDENTITY[BASALT_VECTOR_SIZE];
extern sel_t SEL_ZERO[BASALT_VECTOR_SIZE];

static inline bool validity_get(const uint64_t *validity, idx_t row)
{
    return !validity || ((validity[row >> 6] >> (row & 63)) & 1);
}
static inline void validity_set_invalid(uint64_t *validity, idx_t row)
{
    validity[row >> 6] &= ~(UINT64_C(1) << (row & 63));
}
static inline void validity_set_valid(uint64_t *validity, idx_t row)
{
    validity[row >> 6] |= UINT64_C(1) << (row & 63);
}

/*
 * Makes v a flat vector of `type` with its own buffer of BASALT_VECTOR_SIZE values from
 * `buffer_arena`; later per-batch allocations come from `batch_arena`.
 */
Status vector_init(Vector *v, LogicalType type, Arena *buffer_arena, Arena *batch_arena,
                   Error *err);
/*
 * As vector_init with room for only `capacity` values (0: no buffer of its own — for a
 * vector that only ever refers to others' data, or a constant that holds one value).
 */
Status vector_init_sized(Vector *v, LogicalType type, idx_t capacity, Arena *buffer_arena,
                         Arena *batch_arena, Error *err);
/* Returns v to flat over its own buffer with no NULLs (the start of a new batch). */
void vector_reset(Vector *v);
/* Ensures a validity bitmap (all valid) exists for a flat or constant vector. */
Status vector_ensure_validity(Vector *v, Error *err);
/* Marks row null (allocating the bitmap as needed). */
Status vector_set_null(Vector *v, idx_t row, Error *err);
static inline bool vector_is_valid_flat(const Vector *v, idx_t row)
{
    return validity_get(v->validity, row);
}
/*
 * Makes v a constant vector holding `value` (of v's type) or NULL. Strings are referenced,
 * not copied.
 */
Status vector_set_constant(Vector *v, const Value *value, Error *err);
/* Makes dst a shallow reference to src (same kind, data and validity). */
void vector_reference(Vector *dst, const Vector *src);
/*
 * Makes dst (of src's type) a dictionary over src's rows sel[0..count): row i of dst is
 * row sel[i] of src. A dictionary source is composed, a constant stays constant.
 * Indices are allocated from dst->arena.
 */
Status vector_slice(Vector *dst, const Vector *src, const sel_t *sel, idx_t count, Error *err);
/*
 * Fills uv to read rows [0, count) of v; with a non-NULL chunk_sel, row i means
 * v's row chunk_sel[i]. `scratch` (BASALT_VECTOR_SIZE entries) may be used for composed
 * indices and must live as long as uv.
 */
void vector_unify(const Vector *v, const sel_t *chunk_sel, idx_t count, UnifiedVector *uv,
                  sel_t *scratch);
/* Turns v into a flat vector over its own buffer (copying values; strings referenced). */
Status vector_flatten(Vector *v, idx_t count, Error *err);
/*
 * Copies rows sel[0..count) of src (sel NULL: 0..count) to flat dst at rows
 * [dst_offset, dst_offset+count). Long strings are copied into dst->arena.
 */
Status vector_copy(const Vector *src, const sel_t *sel, idx_t count, Vector *dst, idx_t dst_offset,
                   Error *err);
/* Reads row `row` of any vector kind into a Value (strings are viewed, not copied). */
void vector_get_value(const Vector *v, idx_t row, Value *out);
/* Writes a Value into row `row` of flat v; strings are copied into v->arena. */
Status vector_set_value(Vector *v, idx_t row, const Value *value, Error *err);
/* Copies `len` string bytes into v's arena and returns a view of them. */
Status vector_add_string(Vector *v, const char *data, size_t len, StringView *out, Error *err);

typedef struct Chunk {
    idx_t n_rows;
    const sel_t *sel; /* NULL: rows are 0..n_rows-1 of every column */
    int n_cols;
    Vector *cols;
    LogicalType *types;
    Arena *fixed; /* column buffers (lives as long as the chunk) */
    Arena *batch; /* per-batch memory; emptied by chunk_reset */
} Chunk;

/*
 * Creates a chunk with flat columns of `types` under `parent` (its arenas are children
 * of parent). NULL on failure with err set.
 */
Chunk *chunk_create(Arena *parent, const LogicalType *types, int n_cols, Error *err);
/* Frees the chunk and all its memory. */
void chunk_destroy(Chunk *chunk);
/* Starts a new batch: no rows, no selection, flat columns, batch memory freed. */
void chunk_reset(Chunk *chunk);
/*
 * Appends src's rows [offset, offset+count) (through src->sel) to the flat columns of dst
 * after dst->n_rows, copying long strings into dst's batch arena. dst must have room.
 */
Status chunk_append(Chunk *dst, const Chunk *src, idx_t offset, idx_t count, Error *err);
/* Reads column col of chunk through its selection. */
static inline void chunk_unify(const Chunk *chunk, int col, UnifiedVector *uv, sel_t *scratch)
{
    vector_unify(&chunk->cols[col], chunk->sel, chunk->n_rows, uv, scratch);
}
/* Makes every column flat and drops the selection (copying as needed). */
Status chunk_flatten(Chunk *chunk, Error *err);
/* Bytes this chunk's memory holds (both arenas). */
size_t chunk_bytes(const Chunk *chunk);

#endif
