/*
 * Unit tests: the native protocol's payload codecs (net/native_proto.c) — round trips of
 * every message, every truncation of each, trailing bytes, hostile counts and types.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "net/native_proto.h"

#include <string.h>

static void assert_malformed(Error *err, const char *what)
{
    assert_string_equal(err->sqlstate, SQLSTATE_PROTOCOL_VIOLATION);
    assert_non_null(strstr(err->message, what));
    error_clear(err);
}

static void test_hello_welcome(void **state)
{
    (void)state;
    Arena *arena = arena_create(NULL, NULL, 0);
    Buffer b;
    buffer_init(&b);
    NpHello hello = {.version = 7, .vector_size = 2048, .client = "psql-ish"};
    np_put_hello(&b, &hello);
    NpHello got;
    Error err = ERROR_INIT;
    assert_int_equal(np_get_hello(b.data, b.len, arena, &got, &err), BS_OK);
    assert_int_equal(got.version, 7);
    assert_int_equal(got.vector_size, 2048);
    assert_string_equal(got.client, "psql-ish");
    for (size_t len = 0; len < b.len; len++) {
        assert_int_equal(np_get_hello(b.data, len, arena, &got, &err), BS_ERROR);
        assert_malformed(&err, "HELLO");
    }
    buffer_clear(&b);
    NpWelcome w = {.version = 1, .session_id = UINT64_C(1) << 40, .server = "0.1.0"};
    np_put_welcome(&b, &w);
    buffer_put_u8(&b, 0); /* one byte too many */
    NpWelcome gw;
    assert_int_equal(np_get_welcome(b.data, b.len, arena, &gw, &err), BS_ERROR);
    assert_malformed(&err, "WELCOME");
    assert_int_equal(np_get_welcome(b.data, b.len - 1, arena, &gw, &err), BS_OK);
    assert_true(gw.session_id == UINT64_C(1) << 40);
    assert_string_equal(gw.server, "0.1.0");
    buffer_free(&b);
    arena_destroy(arena);
}

static void test_columns(void **state)
{
    (void)state;
    Arena *arena = arena_create(NULL, NULL, 0);
    char *names[] = {"a", "", "naïve col"};
    LogicalType types[] = {type_make(TYPE_INTEGER), type_decimal(38, 4), type_make(TYPE_ARRAY)};
    types[2].child = TYPE_VARCHAR;
    NpColumns m = {.has_rows = true, .time_zone = "Europe/Paris", .n_cols = 3, .names = names,
                   .types = types};
    Buffer b;
    buffer_init(&b);
    np_put_columns(&b, &m);
    NpColumns got;
    Error err = ERROR_INIT;
    assert_int_equal(np_get_columns(b.data, b.len, arena, &got, &err), BS_OK);
    assert_true(got.has_rows);
    assert_string_equal(got.time_zone, "Europe/Paris");
    assert_int_equal(got.n_cols, 3);
    for (int k = 0; k < 3; k++) {
        assert_string_equal(got.names[k], names[k]);
        assert_true(type_equals(got.types[k], types[k]));
        assert_int_equal(got.types[k].length, types[k].length);
    }
    for (size_t len = 0; len < b.len; len++) {
        assert_int_equal(np_get_columns(b.data, len, arena, &got, &err), BS_ERROR);
        assert_malformed(&err, "COLUMNS");
    }
    /* A type id that is no type. */
    size_t type_at = b.len - 8;
    uint8_t saved = b.data[type_at];
    b.data[type_at] = 99;
    assert_int_equal(np_get_columns(b.data, b.len, arena, &got, &err), BS_ERROR);
    assert_malformed(&err, "COLUMNS");
    b.data[type_at] = saved;
    /* A column count the bytes cannot hold. */
    buffer_clear(&b);
    buffer_put_u8(&b, 1);
    buffer_put_lstring(&b, "UTC", 3);
    buffer_put_uvarint(&b, UINT64_C(1) << 40);
    assert_int_equal(np_get_columns(b.data, b.len, arena, &got, &err), BS_ERROR);
    assert_malformed(&err, "COLUMNS");
    buffer_free(&b);
    arena_destroy(arena);
}

static void test_done_and_error(void **state)
{
    (void)state;
    Arena *arena = arena_create(NULL, NULL, 0);
    Buffer b;
    buffer_init(&b);
    NpDone d = {.status = "INSERT 5", .n_rows = 5, .elapsed_ms = 1.25};
    np_put_done(&b, &d);
    NpDone gd;
    Error err = ERROR_INIT;
    assert_int_equal(np_get_done(b.data, b.len, arena, &gd, &err), BS_OK);
    assert_string_equal(gd.status, "INSERT 5");
    assert_true(gd.n_rows == 5);
    assert_true(gd.elapsed_ms == 1.25);
    for (size_t len = 0; len < b.len; len++) {
        assert_int_equal(np_get_done(b.data, len, arena, &gd, &err), BS_ERROR);
        assert_malformed(&err, "DONE");
    }

    buffer_clear(&b);
    Error e = ERROR_INIT;
    error_set(&e, SQLSTATE_UNDEFINED_TABLE, 14, "relation \"%s\" does not exist", "nope");
    error_set_hint(&e, "create it first");
    np_put_error(&b, &e);
    Error got = ERROR_INIT;
    assert_int_equal(np_get_error(b.data, b.len, &got, &err), BS_OK);
    assert_string_equal(got.sqlstate, "42P01");
    assert_string_equal(got.message, "relation \"nope\" does not exist");
    assert_null(got.detail);
    assert_string_equal(got.hint, "create it first");
    assert_int_equal(got.position, 14);
    error_clear(&got);
    for (size_t len = 0; len < b.len; len++) {
        assert_int_equal(np_get_error(b.data, len, &got, &err), BS_ERROR);
        assert_malformed(&err, "ERROR");
        assert_false(error_is_set(&got));
    }
    /* A SQLSTATE of lower-case letters is no SQLSTATE. */
    b.data[0] = 'x';
    assert_int_equal(np_get_error(b.data, b.len, &got, &err), BS_ERROR);
    assert_malformed(&err, "ERROR");
    error_clear(&e);

    buffer_clear(&b);
    buffer_put_lstring(&b, "select 1", 8);
    const char *sql;
    size_t sql_len;
    assert_int_equal(np_get_query(b.data, b.len, &sql, &sql_len, &err), BS_OK);
    assert_int_equal(sql_len, 8);
    assert_memory_equal(sql, "select 1", 8);
    assert_int_equal(np_get_query(b.data, b.len - 1, &sql, &sql_len, &err), BS_ERROR);
    assert_malformed(&err, "QUERY");
    buffer_free(&b);
    arena_destroy(arena);
}

static void test_message_names(void **state)
{
    (void)state;
    assert_string_equal(np_message_name(NP_QUERY), "QUERY");
    assert_string_equal(np_message_name(NP_PAGE), "PAGE");
    assert_null(np_message_name(0));
    assert_null(np_message_name('q'));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hello_welcome),
        cmocka_unit_test(test_columns),
        cmocka_unit_test(test_done_and_error),
        cmocka_unit_test(test_message_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
