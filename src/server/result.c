/*
 * result.c — the rows and command tag of one statement, as handed to clients.
 */
#include "server/server_int.h"

#include "common/timezone.h"

#include "common/alloc.h"

#include <string.h>

Result *result_new(MemTracker *tracker, Error *err)
{
    Arena *arena = arena_create(NULL, tracker, 0);
    Result *r = arena ? arena_alloc_zero(arena, sizeof *r) : NULL;
    if (!r) {
        arena_destroy(arena);
        error_oom(err);
        return NULL;
    }
    r->arena = arena;
    r->zone = tz_utc();
    return r;
}

Status result_set_columns(Result *res, int n, char *const *names, const LogicalType *types,
                          Error *err)
{
    res->has_rows = true;
    res->n_cols = n;
    res->names = arena_alloc(res->arena, sizeof(char *) * (size_t)(n ? n : 1));
    res->types = arena_alloc(res->arena, sizeof(LogicalType) * (size_t)(n ? n : 1));
    if (!res->names || !res->types) return arena_error(res->arena, err);
    for (int k = 0; k < n; k++) {
        res->names[k] = arena_strdup(res->arena, names ? names[k] : "?column?");
        if (!res->names[k]) return arena_error(res->arena, err);
        res->types[k] = types[k];
    }
    return BS_OK;
}

void result_free(Result *result)
{
    if (result) arena_destroy(result->arena);
}

Status result_append(Result *r, const Chunk *chunk, Error *err)
{
    if (chunk->n_rows == 0) return BS_OK;
    Chunk **grown = arena_grow(r->arena, r->chunks, sizeof(Chunk *) * (size_t)r->n_chunks,
                               sizeof(Chunk *) * (size_t)(r->n_chunks + 1));
    if (!grown) return arena_error(r->arena, err);
    r->chunks = grown;
    Chunk *copy = chunk_create(r->arena, r->types, r->n_cols, err);
    if (!copy) return BS_ERROR;
    BS_TRY(chunk_append(copy, chunk, 0, chunk->n_rows, err));
    r->chunks[r->n_chunks++] = copy;
    r->n_rows += chunk->n_rows;
    return BS_OK;
}

void result_get(const Result *r, uint64_t row, int col, Value *out)
{
    /* Chunks hold BASALT_VECTOR_SIZE rows except the last of each sender; walk them. */
    for (int k = 0; k < r->n_chunks; k++) {
        if (row < r->chunks[k]->n_rows) {
            vector_get_value(&r->chunks[k]->cols[col], row, out);
            return;
        }
        row -= r->chunks[k]->n_rows;
    }
    *out = value_null(r->types[col]);
}

Status result_from_lines(Result *r, const char *column, const char *text, size_t len, Error *err)
{
    r->has_rows = true;
    r->n_cols = 1;
    r->names = arena_alloc(r->arena, sizeof(char *));
    r->types = arena_alloc(r->arena, sizeof(LogicalType));
    if (!r->names || !r->types) return arena_error(r->arena, err);
    r->names[0] = arena_strdup(r->arena, column);
    r->types[0] = type_make(TYPE_VARCHAR);
    if (!r->names[0]) return arena_error(r->arena, err);
    Chunk *chunk = chunk_create(r->arena, r->types, 1, err);
    if (!chunk) return BS_ERROR;
    size_t pos = 0;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t line_len = nl ? (size_t)(nl - (text + pos)) : len - pos;
        if (chunk->n_rows == BASALT_VECTOR_SIZE) {
            BS_TRY(result_append(r, chunk, err));
            chunk_reset(chunk);
        }
        Value v = value_varchar(text + pos, (uint32_t)line_len);
        BS_TRY(vector_set_value(&chunk->cols[0], chunk->n_rows, &v, err));
        chunk->n_rows++;
        pos += line_len + (nl ? 1 : 0);
    }
    return result_append(r, chunk, err);
}
