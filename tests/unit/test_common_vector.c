/*
 * Unit tests: vectors (flat, constant, dictionary), validity, chunks, string views.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/vector.h"

#include <stdio.h>
#include <string.h>

#define N_TEST (BASALT_VECTOR_SIZE < 8 ? BASALT_VECTOR_SIZE : 8)

static void test_string_views(void **state)
{
    (void)state;
    const char *long_text = "a string longer than twelve bytes";
    StringView s = sv_from_cstr("hello");
    StringView t = sv_from_cstr("hello");
    StringView l = sv_from_cstr(long_text);
    StringView l2 = sv_make(long_text, (uint32_t)strlen(long_text));
    assert_true(sv_is_inline(&s));
    assert_false(sv_is_inline(&l));
    assert_ptr_equal(sv_data(&l), long_text);
    assert_memory_equal(sv_data(&s), "hello", 5);
    assert_true(sv_equal(&s, &t));
    assert_true(sv_equal(&l, &l2));
    assert_false(sv_equal(&s, &l));
    StringView twelve = sv_from_cstr("exactly12byt");
    assert_true(sv_is_inline(&twelve));
    assert_memory_equal(sv_data(&twelve), "exactly12byt", 12);
    /* ordering: prefix first, then the rest, then length */
    StringView a = sv_from_cstr("abc"), ab = sv_from_cstr("abcd"), b = sv_from_cstr("abd");
    assert_true(sv_compare(&a, &ab) < 0);
    assert_true(sv_compare(&ab, &b) < 0);
    assert_true(sv_compare(&b, &a) > 0);
    StringView x1 = sv_from_cstr("same prefix, then x"), x2 = sv_from_cstr("same prefix, then y");
    assert_true(sv_compare(&x1, &x2) < 0);
    assert_int_equal(sv_compare(&x1, &x1), 0);
    StringView empty = sv_from_cstr("");
    assert_true(sv_compare(&empty, &a) < 0);
    assert_true(sv_equal(&empty, &empty));
}

static void test_flat_constant_dictionary(void **state)
{
    (void)state;
    Error err = ERROR_INIT;
    Arena *arena = arena_create(NULL, NULL, 0);
    LogicalType types[2] = {type_make(TYPE_INTEGER), type_make(TYPE_VARCHAR)};
    Chunk *chunk = chunk_create(arena, types, 2, &err);
    assert_non_null(chunk);
    int32_t *ints = chunk->cols[0].data;
    for (int row = 0; row < N_TEST; row++) {
        ints[row] = row * 10;
        char text[32];
        int len = snprintf(text, sizeof text, "row number %d is long", row);
        StringView sv;
        assert_int_equal(vector_add_string(&chunk->cols[1], text, (size_t)len, &sv, &err), BS_OK);
        ((StringView *)chunk->cols[1].data)[row] = sv;
    }
    assert_int_equal(vector_set_null(&chunk->cols[0], 1, &err), BS_OK);
    chunk->n_rows = N_TEST;

    Value v;
    vector_get_value(&chunk->cols[0], 1, &v);
    assert_true(v.is_null);
    vector_get_value(&chunk->cols[0], N_TEST - 1, &v);
    assert_false(v.is_null);
    assert_int_equal(v.u.i32, (N_TEST - 1) * 10);

    /* A dictionary over rows (last, 1, 0) and a slice of that slice. */
    Vector dict;
    memset(&dict, 0, sizeof dict);
    dict.arena = chunk->batch;
    sel_t sel[3] = {N_TEST - 1, 1, 0};
    assert_int_equal(vector_slice(&dict, &chunk->cols[0], sel, 3, &err), BS_OK);
    UnifiedVector uv;
    sel_t scratch[BASALT_VECTOR_SIZE];
    vector_unify(&dict, NULL, 3, &uv, scratch);
    assert_int_equal(((const int32_t *)uv.data)[uv.sel[0]], (N_TEST - 1) * 10);
    assert_false(validity_get(uv.validity, uv.sel[1]));
    assert_true(validity_get(uv.validity, uv.sel[2]));
    Vector dict2;
    memset(&dict2, 0, sizeof dict2);
    dict2.arena = chunk->batch;
    sel_t sel2[2] = {2, 0};
    assert_int_equal(vector_slice(&dict2, &dict, sel2, 2, &err), BS_OK);
    assert_ptr_equal(dict2.child, &chunk->cols[0]); /* composed, not nested */
    vector_get_value(&dict2, 0, &v);
    assert_int_equal(v.u.i32, 0);
    vector_get_value(&dict2, 1, &v);
    assert_int_equal(v.u.i32, (N_TEST - 1) * 10);

    /* Flatten a dictionary over strings. */
    Vector sdict;
    memset(&sdict, 0, sizeof sdict);
    sdict.arena = chunk->batch;
    assert_int_equal(vector_init(&sdict, types[1], arena, chunk->batch, &err), BS_OK);
    assert_int_equal(vector_slice(&sdict, &chunk->cols[1], sel, 3, &err), BS_OK);
    assert_int_equal(vector_flatten(&sdict, 3, &err), BS_OK);
    assert_int_equal(sdict.kind, VEC_FLAT);
    vector_get_value(&sdict, 2, &v);
    assert_int_equal(v.u.str.len, strlen("row number 0 is long"));
    assert_memory_equal(v.u.str.data, "row number 0 is long", v.u.str.len);

    /* Constants read the same value for every row. */
    Value seven = value_integer(7);
    Vector c;
    assert_int_equal(vector_init(&c, types[0], arena, chunk->batch, &err), BS_OK);
    assert_int_equal(vector_set_constant(&c, &seven, &err), BS_OK);
    vector_unify(&c, NULL, N_TEST, &uv, scratch);
    for (int row = 0; row < N_TEST; row++)
        assert_int_equal(((const int32_t *)uv.data)[uv.sel[row]], 7);
    Value null_int = value_null(types[0]);
    assert_int_equal(vector_set_constant(&c, &null_int, &err), BS_OK);
    vector_get_value(&c, N_TEST - 1, &v);
    assert_true(v.is_null);
    assert_int_equal(vector_flatten(&c, N_TEST, &err), BS_OK);
    vector_get_value(&c, N_TEST - 1, &v);
    assert_true(v.is_null);
    arena_destroy(arena);
}

static void test_chunk_append_with_selection(void **state)
{
    (void)state;
    Error err = ERROR_INIT;
    Arena *arena = arena_create(NULL, NULL, 0);
    LogicalType types[2] = {type_make(TYPE_BIGINT), type_make(TYPE_VARCHAR)};
    Chunk *src = chunk_create(arena, types, 2, &err);
    Chunk *dst = chunk_create(arena, types, 2, &err);
    assert_non_null(src);
    assert_non_null(dst);
    for (int row = 0; row < N_TEST; row++) {
        Value big = value_bigint(row);
        char text[40];
        int len = snprintf(text, sizeof text, "value %d with a long tail", row);
        Value str = value_varchar(text, (uint32_t)len);
        assert_int_equal(vector_set_value(&src->cols[0], (idx_t)row, &big, &err), BS_OK);
        if (row == 0) {
            Value null_str = value_null(types[1]);
            assert_int_equal(vector_set_value(&src->cols[1], 0, &null_str, &err), BS_OK);
        } else {
            assert_int_equal(vector_set_value(&src->cols[1], (idx_t)row, &str, &err), BS_OK);
        }
    }
    src->n_rows = N_TEST;
    static sel_t odd[BASALT_VECTOR_SIZE];
    idx_t n_odd = 0;
    for (int row = 0; row < N_TEST; row++)
        if (row % 2 == 0) odd[n_odd++] = (sel_t)row;
    src->sel = odd;
    src->n_rows = n_odd;
    assert_int_equal(chunk_append(dst, src, 0, n_odd, &err), BS_OK);
    assert_int_equal(dst->n_rows, n_odd);
    chunk_reset(src); /* the copy must not depend on the source's memory */
    Value v;
    vector_get_value(&dst->cols[1], 0, &v);
    assert_true(v.is_null);
    for (idx_t row = 1; row < n_odd; row++) {
        vector_get_value(&dst->cols[0], row, &v);
        assert_int_equal(v.u.i64, (int64_t)(row * 2));
        vector_get_value(&dst->cols[1], row, &v);
        char expect[40];
        snprintf(expect, sizeof expect, "value %d with a long tail", (int)(row * 2));
        assert_int_equal(v.u.str.len, strlen(expect));
        assert_memory_equal(v.u.str.data, expect, v.u.str.len);
    }
    /* chunk_flatten applies a selection */
    dst->sel = (const sel_t[]){0};
    dst->n_rows = n_odd > 1 ? 1 : n_odd;
    assert_int_equal(chunk_flatten(dst, &err), BS_OK);
    assert_null(dst->sel);
    arena_destroy(arena);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_string_views),
        cmocka_unit_test(test_flat_constant_dictionary),
        cmocka_unit_test(test_chunk_append_with_selection),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
