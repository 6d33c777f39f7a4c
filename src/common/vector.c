/*
 * vector.c — vectors and chunks: construction, unified access, slicing, copying.
 */
#include "common/vector.h"

#include <string.h>

/* Filled once by a constructor; read-only afterwards. */
sel_t SEL_ZERO[BASALT_VECTOR_SIZE];
sel_t SEL_IDENTITY[BASALT_VECTOR_SIZE];

__attribute__((constructor)) static void init_sel_identity(void)
{
    for (sel_t k = 0; k < BASALT_VECTOR_SIZE; k++)
        SEL_IDENTITY[k] = k;
}

Status vector_init_sized(Vector *v, LogicalType type, idx_t capacity, Arena *buffer_arena,
                         Arena *batch_arena, Error *err)
{
    memset(v, 0, sizeof *v);
    v->type = type;
    v->kind = VEC_FLAT;
    v->arena = batch_arena;
    if (capacity == 0) return BS_OK;
    v->own_data = arena_alloc(buffer_arena, type_size(type) * capacity);
    if (!v->own_data) return arena_error(buffer_arena, err);
    v->data = v->own_data;
    return BS_OK;
}

Status vector_init(Vector *v, LogicalType type, Arena *buffer_arena, Arena *batch_arena,
                   Error *err)
{
    return vector_init_sized(v, type, BASALT_VECTOR_SIZE, buffer_arena, batch_arena, err);
}

void vector_reset(Vector *v)
{
    v->kind = VEC_FLAT;
    v->data = v->own_data;
    v->validity = NULL;
    v->child = NULL;
}

Status vector_ensure_validity(Vector *v, Error *err)
{
    if (v->validity) return BS_OK;
    v->validity = arena_alloc(v->arena, VALIDITY_WORDS * sizeof(uint64_t));
    if (!v->validity) return arena_error(v->arena, err);
    memset(v->validity, 0xff, VALIDITY_WORDS * sizeof(uint64_t));
    return BS_OK;
}

Status vector_set_null(Vector *v, idx_t row, Error *err)
{
    BS_TRY(vector_ensure_validity(v, err));
    validity_set_invalid(v->validity, row);
    return BS_OK;
}

/* Stores a Value's payload at dst (type_size bytes). Strings are viewed. */
static void store_value(LogicalType type, const Value *value, void *dst)
{
    switch (type_physical(type)) {
    case PHYS_BOOL:
        *(uint8_t *)dst = value->u.b;
        break;
    case PHYS_INT32:
        *(int32_t *)dst = value->u.i32;
        break;
    case PHYS_INT64:
        *(int64_t *)dst = value->u.i64;
        break;
    case PHYS_DOUBLE:
        *(double *)dst = value->u.f64;
        break;
    case PHYS_STRING:
        *(StringView *)dst = sv_make(value->u.str.data, value->u.str.len);
        break;
    case PHYS_INTERVAL:
        *(Interval *)dst = value->u.iv;
        break;
    case PHYS_INT128:
        *(int128_t *)dst = value->u.i128;
        break;
    case PHYS_INT8:
        *(int8_t *)dst = value->u.i8;
        break;
    case PHYS_INT16:
        *(int16_t *)dst = value->u.i16;
        break;
    case PHYS_FLOAT:
        *(float *)dst = value->u.f32;
        break;
    case PHYS_INVALID:
        break;
    }
}

Status vector_set_constant(Vector *v, const Value *value, Error *err)
{
    vector_reset(v);
    v->kind = VEC_CONSTANT;
    if (value->is_null) return vector_set_null(v, 0, err);
    store_value(v->type, value, v->data);
    return BS_OK;
}

void vector_reference(Vector *dst, const Vector *src)
{
    dst->type = src->type;
    dst->kind = src->kind;
    dst->data = src->data;
    dst->validity = src->validity;
    dst->child = src->child;
}

Status vector_slice(Vector *dst, const Vector *src, const sel_t *sel, idx_t count, Error *err)
{
    if (src->kind == VEC_CONSTANT) {
        vector_reference(dst, src);
        return BS_OK;
    }
    sel_t *indices = arena_alloc(dst->arena, sizeof(sel_t) * (count ? count : 1));
    if (!indices) return arena_error(dst->arena, err);
    const Vector *base = src;
    if (src->kind == VEC_DICTIONARY) {
        const sel_t *inner = src->data;
        for (idx_t row = 0; row < count; row++)
            indices[row] = inner[sel[row]];
        base = src->child;
    } else {
        memcpy(indices, sel, sizeof(sel_t) * count);
    }
    dst->type = src->type;
    dst->kind = VEC_DICTIONARY;
    dst->data = indices;
    dst->validity = NULL;
    dst->child = base;
    return BS_OK;
}

void vector_unify(const Vector *v, const sel_t *chunk_sel, idx_t count, UnifiedVector *uv,
                  sel_t *scratch)
{
    switch (v->kind) {
    case VEC_FLAT:
        uv->data = v->data;
        uv->validity = v->validity;
        uv->sel = chunk_sel ? chunk_sel : SEL_IDENTITY;
        break;
    case VEC_CONSTANT:
        uv->data = v->data;
        uv->validity = v->validity;
        uv->sel = SEL_ZERO;
        break;
    case VEC_DICTIONARY: {
        const sel_t *indices = v->data;
        uv->data = v->child->data;
        uv->validity = v->child->validity;
        if (chunk_sel) {
            for (idx_t row = 0; row < count; row++)
                scratch[row] = indices[chunk_sel[row]];
            uv->sel = scratch;
        } else {
            uv->sel = indices;
        }
        break;
    }
    }
}

Status vector_copy(const Vector *src, const sel_t *sel, idx_t count, Vector *dst, idx_t dst_offset,
                   Error *err)
{
    sel_t scratch[BASALT_VECTOR_SIZE];
    UnifiedVector uv = {0};
    vector_unify(src, sel, count, &uv, scratch);
    size_t width = type_size(src->type);
    char *out = (char *)dst->data + width * dst_offset;
    const char *in = uv.data;
    PhysicalType phys = type_physical(src->type);
    switch (width) {
    case 1:
        for (idx_t row = 0; row < count; row++)
            out[row] = in[uv.sel[row]];
        break;
    case 2:
        for (idx_t row = 0; row < count; row++)
            ((int16_t *)out)[row] = ((const int16_t *)in)[uv.sel[row]];
        break;
    case 4:
        for (idx_t row = 0; row < count; row++)
            ((int32_t *)out)[row] = ((const int32_t *)in)[uv.sel[row]];
        break;
    case 8:
        for (idx_t row = 0; row < count; row++)
            ((int64_t *)out)[row] = ((const int64_t *)in)[uv.sel[row]];
        break;
    case 16:
        if (phys == PHYS_STRING)
            for (idx_t row = 0; row < count; row++)
                ((StringView *)out)[row] = ((const StringView *)in)[uv.sel[row]];
        else if (phys == PHYS_INT128)
            for (idx_t row = 0; row < count; row++)
                ((int128_t *)out)[row] = ((const int128_t *)in)[uv.sel[row]];
        else
            for (idx_t row = 0; row < count; row++)
                ((Interval *)out)[row] = ((const Interval *)in)[uv.sel[row]];
        break;
    default:
        break;
    }
    if (uv.validity) {
        for (idx_t row = 0; row < count; row++) {
            if (!validity_get(uv.validity, uv.sel[row]))
                BS_TRY(vector_set_null(dst, dst_offset + row, err));
            else if (dst->validity)
                validity_set_valid(dst->validity, dst_offset + row);
        }
    } else if (dst->validity) {
        for (idx_t row = 0; row < count; row++)
            validity_set_valid(dst->validity, dst_offset + row);
    }
    if (phys == PHYS_STRING) {
        StringView *strs = (StringView *)out;
        for (idx_t row = 0; row < count; row++) {
            if (strs[row].len > STRVIEW_INLINE_LEN && validity_get(dst->validity, dst_offset + row))
                BS_TRY(vector_add_string(dst, strs[row].u.ptr, strs[row].len, &strs[row], err));
        }
    }
    return BS_OK;
}

Status vector_flatten(Vector *v, idx_t count, Error *err)
{
    if (v->kind == VEC_FLAT) return BS_OK;
    sel_t scratch[BASALT_VECTOR_SIZE];
    UnifiedVector uv = {0};
    vector_unify(v, NULL, count, &uv, scratch);
    /* The source may live in own_data (a constant); gather into a fresh buffer then. */
    size_t width = type_size(v->type);
    char *out = v->own_data;
    if (uv.data == v->own_data) {
        out = arena_alloc(v->arena, width * BASALT_VECTOR_SIZE);
        if (!out) return arena_error(v->arena, err);
    }
    const char *in = uv.data;
    for (idx_t row = 0; row < count; row++)
        memcpy(out + row * width, in + uv.sel[row] * width, width);
    uint64_t *validity = NULL;
    if (uv.validity) {
        validity = arena_alloc(v->arena, VALIDITY_WORDS * sizeof(uint64_t));
        if (!validity) return arena_error(v->arena, err);
        memset(validity, 0xff, VALIDITY_WORDS * sizeof(uint64_t));
        for (idx_t row = 0; row < count; row++)
            if (!validity_get(uv.validity, uv.sel[row])) validity_set_invalid(validity, row);
    }
    v->kind = VEC_FLAT;
    v->data = out;
    v->validity = validity;
    v->child = NULL;
    return BS_OK;
}

void vector_get_value(const Vector *v, idx_t row, Value *out)
{
    sel_t scratch[1];
    UnifiedVector uv = {0};
    sel_t one = (sel_t)row;
    vector_unify(v, &one, 1, &uv, scratch);
    sel_t pos = uv.sel[0];
    memset(out, 0, sizeof *out);
    out->type = v->type;
    if (!validity_get(uv.validity, pos)) {
        out->is_null = true;
        return;
    }
    switch (type_physical(v->type)) {
    case PHYS_BOOL:
        out->u.b = ((const uint8_t *)uv.data)[pos] != 0;
        break;
    case PHYS_INT32:
        out->u.i32 = ((const int32_t *)uv.data)[pos];
        break;
    case PHYS_INT64:
        out->u.i64 = ((const int64_t *)uv.data)[pos];
        break;
    case PHYS_DOUBLE:
        out->u.f64 = ((const double *)uv.data)[pos];
        break;
    case PHYS_STRING: {
        const StringView *s = &((const StringView *)uv.data)[pos];
        out->u.str.data = sv_data(s);
        out->u.str.len = s->len;
        break;
    }
    case PHYS_INTERVAL:
        out->u.iv = ((const Interval *)uv.data)[pos];
        break;
    case PHYS_INT128:
        out->u.i128 = ((const int128_t *)uv.data)[pos];
        break;
    case PHYS_INT8:
        out->u.i8 = ((const int8_t *)uv.data)[pos];
        break;
    case PHYS_INT16:
        out->u.i16 = ((const int16_t *)uv.data)[pos];
        break;
    case PHYS_FLOAT:
        out->u.f32 = ((const float *)uv.data)[pos];
        break;
    case PHYS_INVALID:
        break;
    }
}

Status vector_add_string(Vector *v, const char *data, size_t len, StringView *out, Error *err)
{
    if (len > UINT32_MAX)
        return error_set(err, SQLSTATE_PROGRAM_LIMIT, -1, "string of %zu bytes is too long", len);
    if (len <= STRVIEW_INLINE_LEN) {
        *out = sv_make(data, (uint32_t)len);
        return BS_OK;
    }
    char *copy = arena_alloc(v->arena, len);
    if (!copy) return arena_error(v->arena, err);
    memcpy(copy, data, len);
    *out = sv_make(copy, (uint32_t)len);
    return BS_OK;
}

Status vector_set_value(Vector *v, idx_t row, const Value *value, Error *err)
{
    if (value->is_null) return vector_set_null(v, row, err);
    if (v->validity) validity_set_valid(v->validity, row);
    if (type_physical(v->type) == PHYS_STRING)
        return vector_add_string(v, value->u.str.data, value->u.str.len,
                                 &((StringView *)v->data)[row], err);
    store_value(v->type, value, (char *)v->data + type_size(v->type) * row);
    return BS_OK;
}

/* Bytes a chunk's fixed arena needs: the Chunk, its arrays and its column buffers. */
static size_t chunk_fixed_bytes(const LogicalType *types, int n_cols)
{
#define ROUND16(n) (((n) + 15) & ~(size_t)15)
    size_t n = (size_t)(n_cols ? n_cols : 1);
    size_t bytes = ROUND16(sizeof(Chunk)) + ROUND16(sizeof(Vector) * n) + ROUND16(sizeof(LogicalType) * n);
    for (int col = 0; col < n_cols; col++) {
        size_t size = type_size(types[col]) * BASALT_VECTOR_SIZE;
        bytes += ROUND16(size ? size : 8);
    }
    return bytes;
#undef ROUND16
}

/* Block size of a chunk's batch arena (strings, validity): small vectors, small blocks. */
#define CHUNK_BATCH_BLOCK BS_MIN(64 * 1024, BS_MAX(4 * 1024, BASALT_VECTOR_SIZE * 8))

Chunk *chunk_create(Arena *parent, const LogicalType *types, int n_cols, Error *err)
{
    /* One block holds everything fixed, so a chunk costs what it needs, not a 64 kB block
       (which matters with many small chunks, and with tiny vector sizes). */
    Arena *fixed = arena_create(parent, NULL, chunk_fixed_bytes(types, n_cols));
    if (!fixed) {
        error_oom(err);
        return NULL;
    }
    Chunk *chunk = arena_alloc_zero(fixed, sizeof *chunk);
    Arena *batch = chunk ? arena_create(fixed, NULL, CHUNK_BATCH_BLOCK) : NULL;
    if (!chunk || !batch) {
        arena_error(fixed, err);
        arena_destroy(fixed);
        return NULL;
    }
    chunk->fixed = fixed;
    chunk->batch = batch;
    chunk->n_cols = n_cols;
    chunk->cols = arena_alloc_zero(fixed, sizeof(Vector) * (size_t)(n_cols ? n_cols : 1));
    chunk->types = arena_alloc_zero(fixed, sizeof(LogicalType) * (size_t)(n_cols ? n_cols : 1));
    if (!chunk->cols || !chunk->types) {
        arena_error(fixed, err);
        arena_destroy(fixed);
        return NULL;
    }
    for (int col = 0; col < n_cols; col++) {
        chunk->types[col] = types[col];
        if (vector_init(&chunk->cols[col], types[col], fixed, batch, err) != BS_OK) {
            arena_destroy(fixed);
            return NULL;
        }
    }
    return chunk;
}

void chunk_destroy(Chunk *chunk)
{
    if (chunk) arena_destroy(chunk->fixed);
}

void chunk_reset(Chunk *chunk)
{
    chunk->n_rows = 0;
    chunk->sel = NULL;
    for (int col = 0; col < chunk->n_cols; col++)
        vector_reset(&chunk->cols[col]);
    arena_reset(chunk->batch);
}

Status chunk_append(Chunk *dst, const Chunk *src, idx_t offset, idx_t count, Error *err)
{
    sel_t local[BASALT_VECTOR_SIZE];
    const sel_t *sel;
    if (src->sel) {
        sel = src->sel + offset;
    } else {
        for (idx_t row = 0; row < count; row++)
            local[row] = (sel_t)(offset + row);
        sel = local;
    }
    for (int col = 0; col < dst->n_cols; col++)
        BS_TRY(vector_copy(&src->cols[col], sel, count, &dst->cols[col], dst->n_rows, err));
    dst->n_rows += count;
    return BS_OK;
}

Status chunk_flatten(Chunk *chunk, Error *err)
{
    if (!chunk->sel) {
        for (int col = 0; col < chunk->n_cols; col++)
            BS_TRY(vector_flatten(&chunk->cols[col], chunk->n_rows, err));
        return BS_OK;
    }
    for (int col = 0; col < chunk->n_cols; col++) {
        Vector *v = &chunk->cols[col];
        Vector source = *v; /* the slice's child while flattening */
        BS_TRY(vector_slice(v, &source, chunk->sel, chunk->n_rows, err));
        BS_TRY(vector_flatten(v, chunk->n_rows, err));
    }
    chunk->sel = NULL;
    return BS_OK;
}

size_t chunk_bytes(const Chunk *chunk)
{
    return arena_bytes(chunk->fixed) + arena_bytes(chunk->batch);
}
