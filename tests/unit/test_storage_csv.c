/*
 * Unit tests: the CSV reader — quoting, embedded delimiters and newlines, doubled quotes
 * and escapes, CRLF, headers, custom delimiters, NULL string against quoted empty
 * strings, dbgen's trailing '|', the last line without newline, empty lines, every
 * error with its exact message and line:column, a file larger than the read buffer,
 * and allocation failures.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/alloc.h"
#include "storage/storage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char g_dir[256];
static char g_path[300];

static int setup(void **state)
{
    (void)state;
    snprintf(g_dir, sizeof g_dir, "/tmp/basalt_csv_XXXXXX");
    assert_non_null(mkdtemp(g_dir));
    snprintf(g_path, sizeof g_path, "%s/data.csv", g_dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", g_dir);
    assert_int_equal(system(cmd), 0);
    return 0;
}

static void write_text(const char *text, size_t len)
{
    FILE *f = fopen(g_path, "wb");
    assert_non_null(f);
    if (len) assert_int_equal(fwrite(text, 1, len, f), len);
    fclose(f);
}

/* A growable text the rows are rendered into. */
typedef struct Text {
    char *data;
    size_t len, cap;
} Text;

static void text_add(Text *t, const char *s, size_t len)
{
    if (t->len + len + 1 > t->cap) {
        t->cap = (t->len + len + 1) * 2;
        t->data = realloc(t->data, t->cap);
    }
    memcpy(t->data + t->len, s, len);
    t->len += len;
    t->data[t->len] = '\0';
}

/*
 * Reads the whole file; renders rows as "f1|f2\n" with NULL as <NULL>. Returns the status;
 * the rendered text (malloc'd) in *out.
 */
static Status read_all(const CsvOptions *opts, const LogicalType *types, int n_cols, char **out,
                       Error *err)
{
    Arena *arena = arena_create(NULL, NULL, 0);
    if (!arena) return error_oom(err);
    Text text = {NULL, 0, 0};
    text_add(&text, "", 0);
    CsvReader *r;
    Chunk *chunk = NULL;
    Status st = csv_open(g_path, opts, types, n_cols, NULL, &r, err);
    if (st == BS_OK) {
        chunk = chunk_create(arena, types, n_cols, err);
        if (!chunk) st = BS_ERROR;
    }
    while (st == BS_OK) {
        chunk_reset(chunk);
        st = csv_next(r, chunk, err);
        if (st != BS_OK || chunk->n_rows == 0) break;
        assert_true(chunk->n_rows <= BASALT_VECTOR_SIZE);
        for (idx_t row = 0; row < chunk->n_rows; row++) {
            for (int col = 0; col < n_cols; col++) {
                if (col) text_add(&text, "|", 1);
                Value v;
                vector_get_value(&chunk->cols[col], row, &v);
                if (v.is_null) {
                    text_add(&text, "<NULL>", 6);
                } else if (types[col].id == TYPE_VARCHAR) {
                    text_add(&text, v.u.str.data, v.u.str.len);
                } else {
                    char buf[VALUE_TEXT_MAX];
                    const void *data =
                        (const char *)chunk->cols[col].data + type_size(types[col]) * row;
                    int len = format_physical(types[col], data, buf);
                    text_add(&text, buf, (size_t)len);
                }
            }
            text_add(&text, "\n", 1);
        }
    }
    csv_close(r);
    arena_destroy(arena);
    *out = text.data;
    return st;
}

static void expect_rows(const char *input, const CsvOptions *opts, const LogicalType *types,
                        int n_cols, const char *want)
{
    write_text(input, strlen(input));
    Error err = ERROR_INIT;
    char *got;
    Status st = read_all(opts, types, n_cols, &got, &err);
    if (st != BS_OK) fail_msg("unexpected error: %s", err.message);
    assert_string_equal(got, want);
    free(got);
}

/* Expects the error "<path>:<where>: <message>" with sqlstate. */
static void expect_error(const char *input, size_t len, const CsvOptions *opts,
                         const LogicalType *types, int n_cols, const char *sqlstate,
                         const char *where_and_message)
{
    write_text(input, len);
    Error err = ERROR_INIT;
    char *got;
    assert_int_equal(read_all(opts, types, n_cols, &got, &err), BS_ERROR);
    free(got);
    char want[600];
    snprintf(want, sizeof want, "%s:%s", g_path, where_and_message);
    assert_string_equal(err.message, want);
    assert_string_equal(err.sqlstate, sqlstate);
    error_clear(&err);
}

#define INT type_make(TYPE_INTEGER)
#define BIG type_make(TYPE_BIGINT)
#define STR type_make(TYPE_VARCHAR)

static void test_basic_and_quoting(void **state)
{
    (void)state;
    LogicalType t3[3] = {INT, STR, type_decimal(10, 2)};
    expect_rows("1,abc,2.50\n2,,\n-3,x y ,7\n", NULL, t3, 3,
                "1|abc|2.50\n2|<NULL>|<NULL>\n-3|x y |7.00\n");
    LogicalType t4[4] = {INT, STR, STR, STR};
    expect_rows("1,\"a,b\",\"x\"\"y\",\"\"\n2,\"multi\nline\",\"\"\"\",plain\n", NULL, t4, 4,
                "1|a,b|x\"y|\n2|multi\nline|\"|plain\n");
    /* A quote in the middle of a field opens a quoted section, as in PostgreSQL. */
    LogicalType t2[2] = {STR, STR};
    expect_rows("ab\"c,d\"e,f\n", NULL, t2, 2, "abc,de|f\n");
    /* Quoted numbers parse after unquoting. */
    LogicalType ti[2] = {INT, BIG};
    expect_rows("\"12\",\"-9000000000\"\n", NULL, ti, 2, "12|-9000000000\n");
}

static void test_line_ends(void **state)
{
    (void)state;
    LogicalType t2[2] = {INT, STR};
    expect_rows("1,a\r\n2,b\r\n", NULL, t2, 2, "1|a\n2|b\n");
    /* CRLF inside quotes is data; a lone CR is data; no final newline. */
    expect_rows("1,\"x\r\ny\"\r\n2,a\rb\r\n3,last", NULL, t2, 2, "1|x\r\ny\n2|a\rb\n3|last\n");
    expect_rows("1,\"q\"", NULL, t2, 2, "1|q\n");
    expect_rows("1,a\n2,b\r", NULL, t2, 2, "1|a\n2|b\r\n");
    /* A byte order mark is skipped. */
    expect_rows("\xEF\xBB\xBF"
                "1,a\n",
                NULL, t2, 2, "1|a\n");
    expect_rows("", NULL, t2, 2, "");
}

static void test_header_delimiter_null(void **state)
{
    (void)state;
    LogicalType t2[2] = {INT, STR};
    CsvOptions opts;
    csv_default_options(&opts);
    opts.header = true;
    expect_rows("id,name\n1,a\n2,b\n", &opts, t2, 2, "1|a\n2|b\n");
    expect_rows("id,\"multi\nline header\"\n1,a\n", &opts, t2, 2, "1|a\n");
    expect_rows("id,name\n", &opts, t2, 2, "");
    /* dbgen: '|' with one trailing delimiter, last line without newline. */
    csv_default_options(&opts);
    opts.delimiter = '|';
    LogicalType t3[3] = {INT, STR, type_make(TYPE_DATE)};
    expect_rows("1|Customer#1|1995-03-15|\n2|x,y|1996-02-29|", &opts, t3, 3,
                "1|Customer#1|1995-03-15\n2|x,y|1996-02-29\n");
    /* The NULL string against a quoted one, and against a quoted empty string. */
    opts.null_string = "\\N";
    expect_rows("1|\\N|\\N\n2|\"\\N\"|2000-01-01\n3||2000-01-02\n", &opts, t3, 3,
                "1|<NULL>|<NULL>\n2|\\N|2000-01-01\n3||2000-01-02\n");
    csv_default_options(&opts);
    expect_rows("1,\"\"\n2,\n,x\n", &opts, t2, 2, "1|\n2|<NULL>\n<NULL>|x\n");
    /* Empty lines: skipped with several columns; one column makes them NULL rows. */
    expect_rows("1,a\n\n2,b\n\r\n\n", NULL, t2, 2, "1|a\n2|b\n");
    LogicalType t1[1] = {STR};
    expect_rows("a\n\nb\n\"\"\n", NULL, t1, 1, "a\n<NULL>\nb\n\n");
}

static void test_escape(void **state)
{
    (void)state;
    CsvOptions opts;
    csv_default_options(&opts);
    opts.escape = '\\';
    LogicalType t4[4] = {STR, STR, STR, STR};
    expect_rows("\"a\\\"b\",\"c\\\\d\",\"e\\f\",g\\h\n", &opts, t4, 4, "a\"b|c\\d|e\\f|g\\h\n");
    /* With a distinct escape, "" closes and reopens: no quote is produced. */
    expect_rows("\"x\"\"y\",b,c,d\n", &opts, t4, 4, "xy|b|c|d\n");
    opts.quote = '\'';
    opts.escape = '\'';
    opts.delimiter = ';';
    expect_rows("'it''s';'a;b';\"q\";x\n", &opts, t4, 4, "it's|a;b|\"q\"|x\n");
}

static void test_all_types(void **state)
{
    (void)state;
    LogicalType t[8] = {type_make(TYPE_BOOLEAN),
                        INT,
                        BIG,
                        type_make(TYPE_DOUBLE),
                        type_decimal(12, 2),
                        STR,
                        type_make(TYPE_DATE),
                        type_make(TYPE_TIMESTAMP)};
    expect_rows(
        "t,+42, 7 ,1.5e3,1.005,s,2024-02-29,2024-01-02 03:04:05.5\n"
        "false,-2147483648,-9223372036854775808,-0.25,-0.5,,0001-01-01,1999-12-31T23:59:59\n"
        "1,0007,123456789012345678,NaN,.5,x,2000-1-2,2000-01-01\n",
        NULL, t, 8,
        "true|42|7|1500|1.01|s|2024-02-29|2024-01-02 03:04:05.5\n"
        "false|-2147483648|-9223372036854775808|-0.25|-0.50|<NULL>|0001-01-01|1999-12-31 23:59:59\n"
        "true|7|123456789012345678|NaN|0.50|x|2000-01-02|2000-01-01 00:00:00\n");
}

/* The reader's fast paths agree with parse_as_type on every shape of number and date. */
static void test_fast_paths_agree(void **state)
{
    (void)state;
    const char *ints[] = {"0",
                          "-0",
                          "12",
                          "-12",
                          "2147483647",
                          "-2147483648",
                          "999999999999999999",
                          "-999999999999999999",
                          "1000000000000000000",
                          "0000000000000000000001"};
    const char *decs[] = {"0",  "1",  "-1",    "1.5",           "-1.25",     "123456.78",
                          ".1", "1.", "-0.01", "9999999999.99", "000001.10", "0.00"};
    const char *dates[] = {"2024-02-29", "2023-12-31", "0001-01-01", "1970-01-01",
                           "9999-12-31", "2000-02-29", "1900-02-28"};
    LogicalType types[3] = {BIG, type_decimal(12, 2), type_make(TYPE_DATE)};
    for (size_t k = 0; k < BS_ARRAY_LEN(ints); k++) {
        for (int col = 0; col < 3; col++) {
            const char *text = col == 0   ? ints[k]
                               : col == 1 ? decs[k % BS_ARRAY_LEN(decs)]
                                          : dates[k % BS_ARRAY_LEN(dates)];
            write_text(text, strlen(text));
            Error err = ERROR_INIT;
            char *got;
            int64_t want = 0;
            ParseResult pr = parse_as_type(text, strlen(text), types[col], &want);
            Status st = read_all(NULL, &types[col], 1, &got, &err);
            assert_int_equal(st == BS_OK, pr == PARSE_OK);
            if (st == BS_OK) {
                char buf[VALUE_TEXT_MAX];
                format_physical(types[col], &want, buf);
                strcat(buf, "\n");
                assert_string_equal(got, buf);
            }
            free(got);
            error_clear(&err);
        }
    }
}

static void test_errors(void **state)
{
    (void)state;
    LogicalType t2[2] = {INT, INT};
    LogicalType t3[3] = {INT, INT, INT};
#define ERR(input, types, n, state, msg)                                                           \
    expect_error(input, strlen(input), NULL, types, n, state, msg)
    ERR("1,2\n3,x\n", t2, 2, "22P02", "2:2: invalid input syntax for type integer: \"x\"");
    ERR("1,99999999999\n", t2, 2, "22003",
        "1:2: value \"99999999999\" is out of range for type integer");
    ERR("1,2,3\n1,2\n", t3, 3, "22P04", "2:3: missing data for column 3");
    ERR("1\n", t3, 3, "22P04", "1:2: missing data for column 2");
    ERR("1,2,3,4\n", t3, 3, "22P04", "1:4: extra data after last expected column");
    ERR("1,2,3,,\n", t3, 3, "22P04", "1:4: extra data after last expected column");
    ERR("1,2,3,\"\"\n", t3, 3, "22P04", "1:4: extra data after last expected column");
    ERR("1,\"2\n", t2, 2, "22P04", "1:2: unterminated quoted field");
    ERR("1,2\n\"3,4\nmore\n", t2, 2, "22P04", "2:1: unterminated quoted field");
    /* The line of a record after a record with embedded newlines. */
    LogicalType ts[2] = {STR, INT};
    ERR("\"a\nb\nc\",1\nd,x\n", ts, 2, "22P02",
        "4:2: invalid input syntax for type integer: \"x\"");
    /* A quoted empty string is not NULL, so it is not an integer. */
    ERR("1,\"\"\n", t2, 2, "22P02", "1:2: invalid input syntax for type integer: \"\"");
    LogicalType td[1] = {type_make(TYPE_DATE)};
    ERR("2023-02-29\n", td, 1, "22008", "1:1: date/time field value out of range: \"2023-02-29\"");
    LogicalType tdec[1] = {type_decimal(5, 2)};
    ERR("1234.5\n", tdec, 1, "22003",
        "1:1: value \"1234.5\" is out of range for type decimal(5,2)");
#undef ERR
    /* An error is sticky: the same record fails again. */
    write_text("1,x\n", 4);
    CsvReader *r;
    Error err = ERROR_INIT;
    assert_int_equal(csv_open(g_path, NULL, t2, 2, NULL, &r, &err), BS_OK);
    Arena *arena = arena_create(NULL, NULL, 0);
    Chunk *chunk = chunk_create(arena, t2, 2, &err);
    for (int k = 0; k < 2; k++) {
        chunk_reset(chunk);
        assert_int_equal(csv_next(r, chunk, &err), BS_ERROR);
        assert_string_equal(err.sqlstate, "22P02");
        error_clear(&err);
    }
    csv_close(r);
    arena_destroy(arena);
    /* A missing file, a directory, bad options. */
    char missing[300];
    snprintf(missing, sizeof missing, "%s/none.csv", g_dir);
    assert_int_equal(csv_open(missing, NULL, t2, 2, NULL, &r, &err), BS_ERROR);
    assert_string_equal(err.sqlstate, "58P01");
    char want[400];
    snprintf(want, sizeof want, "could not open file \"%s\" for reading: No such file or directory",
             missing);
    assert_string_equal(err.message, want);
    error_clear(&err);
    assert_int_equal(csv_open(g_dir, NULL, t2, 2, NULL, &r, &err), BS_ERROR);
    assert_string_equal(err.sqlstate, "58030");
    error_clear(&err);
    CsvOptions opts;
    csv_default_options(&opts);
    opts.delimiter = '"';
    assert_int_equal(csv_open(g_path, &opts, t2, 2, NULL, &r, &err), BS_ERROR);
    assert_string_equal(err.sqlstate, "22023");
    error_clear(&err);
}

/* ~5 MB with quoted multi-line fields, one 3 MB field: records span buffer boundaries. */
static void test_large_file(void **state)
{
    (void)state;
    FILE *f = fopen(g_path, "wb");
    assert_non_null(f);
    const int n_rows = 60000;
    int64_t sum = 0;
    size_t big = 3u << 20;
    char *huge = malloc(big);
    for (size_t k = 0; k < big; k++)
        huge[k] = (char)('a' + k % 26);
    for (int row = 0; row < n_rows; row++) {
        sum += row;
        if (row == 33333) {
            fprintf(f, "%d|\"", row);
            fwrite(huge, 1, big, f);
            fprintf(f, "\"|2020-01-01|\n");
        } else if (row % 3 == 0) {
            fprintf(f, "%d|\"line one\nline \"\"two\"\" of row %d|with a | bar\"|1995-03-%02d|\r\n",
                    row, row, 1 + row % 28);
        } else {
            fprintf(f, "%d|plain text for row %d, padded to be longer than inline|1996-%02d-01|\n",
                    row, row, 1 + row % 12);
        }
    }
    fclose(f);
    CsvOptions opts;
    csv_default_options(&opts);
    opts.delimiter = '|';
    LogicalType types[3] = {BIG, STR, type_make(TYPE_DATE)};
    Error err = ERROR_INIT;
    CsvReader *r;
    MemTracker tracker;
    memtracker_init(&tracker, NULL, "csv", 0);
    assert_int_equal(csv_open(g_path, &opts, types, 3, &tracker, &r, &err), BS_OK);
    Arena *arena = arena_create(NULL, NULL, 0);
    Chunk *chunk = chunk_create(arena, types, 3, &err);
    int seen = 0;
    int64_t got_sum = 0;
    for (;;) {
        chunk_reset(chunk);
        assert_int_equal(csv_next(r, chunk, &err), BS_OK);
        if (!chunk->n_rows) break;
        for (idx_t k = 0; k < chunk->n_rows; k++, seen++) {
            Value id, s;
            vector_get_value(&chunk->cols[0], k, &id);
            vector_get_value(&chunk->cols[1], k, &s);
            assert_int_equal(id.u.i64, seen);
            got_sum += id.u.i64;
            char want[200];
            if (seen == 33333) {
                assert_int_equal(s.u.str.len, big);
                assert_memory_equal(s.u.str.data, huge, big);
            } else if (seen % 3 == 0) {
                int len = snprintf(want, sizeof want,
                                   "line one\nline \"two\" of row %d|with a | bar", seen);
                assert_int_equal(s.u.str.len, len);
                assert_memory_equal(s.u.str.data, want, (size_t)len);
            } else {
                int len = snprintf(want, sizeof want,
                                   "plain text for row %d, padded to be longer than inline", seen);
                assert_int_equal(s.u.str.len, len);
                assert_memory_equal(s.u.str.data, want, (size_t)len);
            }
        }
    }
    assert_int_equal(seen, n_rows);
    assert_int_equal(got_sum, sum);
    assert_true(memtracker_used(&tracker) >= (int64_t)big);
    csv_close(r);
    assert_int_equal(memtracker_used(&tracker), 0);
    arena_destroy(arena);
    free(huge);
}

/*
 * Property: random strings (any bytes: quotes, delimiters, CR, LF, NUL) written the way
 * RFC 4180 writers do come back unchanged; unquoted empty fields come back NULL.
 */
static void test_roundtrip_random(void **state)
{
    (void)state;
    srand(7);
    const char alphabet[] = "ab,\"\r\n|\\ \x00\xff";
    LogicalType types[3] = {STR, STR, STR};
    for (int round = 0; round < 200; round++) {
        int n_rows = rand() % 20;
        Text file = {NULL, 0, 0}, want = {NULL, 0, 0};
        text_add(&file, "", 0);
        text_add(&want, "", 0);
        for (int row = 0; row < n_rows; row++) {
            for (int col = 0; col < 3; col++) {
                if (col) {
                    text_add(&file, ",", 1);
                    text_add(&want, "|", 1);
                }
                if (rand() % 8 == 0) {
                    text_add(&want, "<NULL>", 6);
                    continue;
                }
                int len = rand() % 12;
                text_add(&file, "\"", 1);
                for (int k = 0; k < len; k++) {
                    char c = alphabet[rand() % (int)(sizeof alphabet - 1)];
                    if (c == '"') text_add(&file, "\"", 1);
                    text_add(&file, &c, 1);
                    text_add(&want, &c, 1);
                }
                text_add(&file, "\"", 1);
            }
            if (rand() % 2)
                text_add(&file, "\r\n", 2);
            else
                text_add(&file, "\n", 1);
            text_add(&want, "\n", 1);
        }
        write_text(file.data, file.len);
        Error err = ERROR_INIT;
        char *got;
        if (read_all(NULL, types, 3, &got, &err) != BS_OK)
            fail_msg("round %d: %s", round, err.message);
        /* A row of three NULLs is ",,", not a blank line, so every row survives. */
        assert_int_equal(strlen(got), strlen(want.data));
        assert_memory_equal(got, want.data, strlen(want.data));
        free(got);
        free(file.data);
        free(want.data);
    }
}

/* Random bytes never crash the reader: it returns rows or a 22P04/22P02 error. */
static void test_garbage_input(void **state)
{
    (void)state;
    srand(11);
    const char alphabet[] = "a1,\"\r\n| \\";
    LogicalType types[2] = {STR, INT};
    CsvOptions opts;
    for (int round = 0; round < 500; round++) {
        char buf[300];
        size_t len = (size_t)(rand() % (int)sizeof buf);
        for (size_t k = 0; k < len; k++)
            buf[k] = alphabet[rand() % (int)(sizeof alphabet - 1)];
        write_text(buf, len);
        csv_default_options(&opts);
        if (round % 2) opts.escape = '\\';
        if (round % 3 == 0) opts.delimiter = '|';
        Error err = ERROR_INIT;
        char *got;
        if (read_all(&opts, types, 2, &got, &err) != BS_OK) {
            if (strcmp(err.sqlstate, "22P04") != 0 && strcmp(err.sqlstate, "22P02") != 0 &&
                strcmp(err.sqlstate, "22003") != 0)
                fail_msg("round %d: %s %s", round, err.sqlstate, err.message);
            assert_non_null(strstr(err.message, g_path));
        }
        free(got);
        error_clear(&err);
    }
}

static void test_fault_injection(void **state)
{
    (void)state;
    Text text = {NULL, 0, 0};
    for (int row = 0; row < 50; row++) {
        char line[200];
        int len = snprintf(line, sizeof line, "%d,\"quoted, long string number %d\",%d.5\n", row,
                           row, row);
        text_add(&text, line, (size_t)len);
    }
    write_text(text.data, text.len);
    free(text.data);
    LogicalType types[3] = {INT, STR, type_make(TYPE_DOUBLE)};
    int failures = 0;
    for (long countdown = 0; countdown < 200; countdown++) {
        Error err = ERROR_INIT;
        char *got = NULL;
        bs_alloc_fail_after(countdown, 1);
        Status st = read_all(NULL, types, 3, &got, &err);
        bool injected = bs_alloc_injected_failures() > 0;
        bs_alloc_fail_after(-1, 0);
        free(got);
        if (st != BS_OK) {
            failures++;
            assert_true(injected);
            assert_string_equal(err.sqlstate, "53200");
        } else if (!injected) {
            break;
        }
        error_clear(&err);
    }
    assert_true(failures >= 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic_and_quoting),
        cmocka_unit_test(test_line_ends),
        cmocka_unit_test(test_header_delimiter_null),
        cmocka_unit_test(test_escape),
        cmocka_unit_test(test_all_types),
        cmocka_unit_test(test_fast_paths_agree),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_large_file),
        cmocka_unit_test(test_roundtrip_random),
        cmocka_unit_test(test_garbage_input),
        cmocka_unit_test(test_fault_injection),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
