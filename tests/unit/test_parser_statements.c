/*
 * Unit tests: the statements other than SELECT — CREATE TABLE (columns, type names,
 * NULL/NOT NULL, IF NOT EXISTS, AS query), DROP TABLE, INSERT, COPY with its options,
 * EXPLAIN [ANALYZE] [(options)], SHOW TABLES, DESCRIBE / SHOW COLUMNS, qualified relation names —
 * checked both through ast_format and field by field.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "parser/parser.h"

#include <stdio.h>
#include <string.h>

/* Parses sql; returns the statements formatted ("; "-joined) or "ERROR <state> @<pos>: msg". */
static const char *parse_fmt(const char *sql)
{
    static char result[16384];
    Arena *arena = arena_create(NULL, NULL, 0);
    ParsedStatement *stmts;
    int n;
    Error err = ERROR_INIT;
    if (parser_parse(sql, strlen(sql), arena, &stmts, &n, &err) != BS_OK) {
        snprintf(result, sizeof(result), "ERROR %s @%d: %s", err.sqlstate, err.position,
                 err.message);
    } else {
        Buffer b;
        buffer_init(&b);
        for (int k = 0; k < n; k++) {
            if (k) buffer_printf(&b, "; ");
            ast_format_statement(stmts[k].stmt, &b);
        }
        buffer_terminate(&b);
        snprintf(result, sizeof(result), "%s", b.len ? (char *)b.data : "");
        buffer_free(&b);
    }
    error_clear(&err);
    arena_destroy(arena);
    return result;
}

/* Parses one statement that must succeed. */
static AstStatement *parse_one(Arena *arena, const char *sql)
{
    ParsedStatement *stmts;
    int n;
    Error err = ERROR_INIT;
    Status st = parser_parse(sql, strlen(sql), arena, &stmts, &n, &err);
    if (st != BS_OK) fprintf(stderr, "parse failed: %s\n", err.message);
    assert_int_equal(st, BS_OK);
    assert_int_equal(n, 1);
    error_clear(&err);
    return stmts[0].stmt;
}

static void test_create_table(void **state)
{
    (void)state;
    assert_string_equal(parse_fmt("create table t (a int)"), "CREATE TABLE t (a int)");
    assert_string_equal(
        parse_fmt("CREATE TABLE IF NOT EXISTS Lineitem (l_orderkey BIGINT NOT NULL, "
                  "l_price DECIMAL(15,2) null, l_comment VARCHAR(44), l_flag CHAR(1) NOT NULL)"),
        "CREATE TABLE IF NOT EXISTS lineitem (l_orderkey bigint NOT NULL, l_price decimal(15, 2), "
        "l_comment varchar(44), l_flag char(1) NOT NULL)");
    assert_string_equal(parse_fmt("create table t (a double precision, b character varying(10), "
                                  "c char varying, d timestamp without time zone, e timestamp "
                                  "with time zone, f time with time zone, g timestamp(6))"),
                        "CREATE TABLE t (a double precision, b character varying(10), c character "
                        "varying, d timestamp, e timestamp with time zone, f time with time zone, "
                        "g timestamp(6))");
    assert_string_equal(parse_fmt("create table t (\"Mixed\" text, \"select\" int)"),
                        "CREATE TABLE t (Mixed text, select int)");
    assert_string_equal(parse_fmt("create table t as select a, b from u where c"),
                        "CREATE TABLE t AS SELECT a, b FROM u WHERE c");
    assert_string_equal(parse_fmt("create table if not exists t as with x as (select 1) select * "
                                  "from x"),
                        "CREATE TABLE IF NOT EXISTS t AS WITH x AS (SELECT 1) SELECT * FROM x");
    assert_string_equal(parse_fmt("create table t as values (1)"), "CREATE TABLE t AS VALUES (1)");

    Arena *arena = arena_create(NULL, NULL, 0);
    AstStatement *s = parse_one(arena, "create table t (a decimal(15, 2) not null, b text)");
    assert_int_equal(s->kind, STMT_CREATE_TABLE);
    assert_int_equal(s->pos, 0);
    assert_string_equal(s->u.create_table.name, "t");
    assert_false(s->u.create_table.if_not_exists);
    assert_null(s->u.create_table.query);
    assert_int_equal(s->u.create_table.columns.count, 2);
    AstColumnDef *a = s->u.create_table.columns.items[0];
    assert_string_equal(a->name, "a");
    assert_int_equal(a->pos, 16);
    assert_true(a->not_null);
    assert_string_equal(a->type->name, "decimal");
    assert_int_equal(a->type->n_params, 2);
    assert_int_equal(a->type->params[0], 15);
    assert_int_equal(a->type->params[1], 2);
    assert_int_equal(a->type->pos, 18);
    AstColumnDef *b = s->u.create_table.columns.items[1];
    assert_false(b->not_null);
    assert_int_equal(b->type->n_params, 0);
    arena_destroy(arena);
}

static void test_create_table_errors(void **state)
{
    (void)state;
    assert_string_equal(parse_fmt("create table t (a int null not null)"),
                        "ERROR 42601 @31: conflicting NULL/NOT NULL declarations");
    assert_string_equal(parse_fmt("create table t (a int not null null)"),
                        "ERROR 42601 @31: conflicting NULL/NOT NULL declarations");
    assert_string_equal(parse_fmt("create table t (a int not null not null)"),
                        "CREATE TABLE t (a int NOT NULL)");
    assert_string_equal(parse_fmt("create table t ()"),
                        "ERROR 42601 @16: syntax error at or near \")\"");
    assert_string_equal(parse_fmt("create table t (a)"),
                        "ERROR 42601 @17: syntax error at or near \")\"");
    assert_string_equal(parse_fmt("create table t (a float precision)"),
                        "ERROR 42601 @24: syntax error at or near \"precision\"");
    assert_string_equal(parse_fmt("create table t (a int with time zone)"),
                        "ERROR 42601 @22: syntax error at or near \"with\"");
    assert_string_equal(parse_fmt("create table t (a varchar(99999999999))"),
                        "ERROR 42601 @26: type modifier is out of range");
    assert_string_equal(parse_fmt("create table t (a numeric(1, 2, 3))"),
                        "ERROR 42601 @30: syntax error at or near \",\"");
    assert_string_equal(parse_fmt("create table t"),
                        "ERROR 42601 @14: syntax error at end of input");
}

static void test_drop_table(void **state)
{
    (void)state;
    assert_string_equal(parse_fmt("drop table t"), "DROP TABLE t");
    assert_string_equal(parse_fmt("DROP TABLE IF EXISTS a, \"B\", c"),
                        "DROP TABLE IF EXISTS a, B, c");
    assert_string_equal(parse_fmt("drop table"), "ERROR 42601 @10: syntax error at end of input");

    Arena *arena = arena_create(NULL, NULL, 0);
    AstStatement *s = parse_one(arena, "drop table if exists x, y");
    assert_int_equal(s->kind, STMT_DROP_TABLE);
    assert_true(s->u.drop_table.if_exists);
    assert_int_equal(s->u.drop_table.names.count, 2);
    assert_string_equal(s->u.drop_table.names.items[1], "y");
    arena_destroy(arena);
}

static void test_insert(void **state)
{
    (void)state;
    assert_string_equal(parse_fmt("insert into t values (1, 'a'), (2, 'b')"),
                        "INSERT INTO t VALUES (1, 'a'), (2, 'b')");
    assert_string_equal(parse_fmt("insert into t (a, b) values (1, -2.5)"),
                        "INSERT INTO t (a, b) VALUES (1, -2.5)");
    assert_string_equal(parse_fmt("insert into t select * from u where x"),
                        "INSERT INTO t SELECT * FROM u WHERE x");
    assert_string_equal(parse_fmt("insert into t (a) (select 1)"), "INSERT INTO t (a) SELECT 1");
    assert_string_equal(parse_fmt("insert into t (select 1 union select 2)"),
                        "INSERT INTO t (SELECT 1) UNION (SELECT 2)");
    assert_string_equal(parse_fmt("insert into t with x as (select 1) select * from x"),
                        "INSERT INTO t WITH x AS (SELECT 1) SELECT * FROM x");
    assert_string_equal(parse_fmt("insert into t values (1), (2, 3)"),
                        "ERROR 42601 @27: VALUES lists must all be the same length");
    assert_string_equal(parse_fmt("insert into t (a, b)"),
                        "ERROR 42601 @20: syntax error at end of input");

    Arena *arena = arena_create(NULL, NULL, 0);
    AstStatement *s = parse_one(arena, "INSERT INTO Tab (x) VALUES (1)");
    assert_int_equal(s->kind, STMT_INSERT);
    assert_string_equal(s->u.insert.table, "tab");
    assert_int_equal(s->u.insert.table_pos, 12);
    assert_int_equal(s->u.insert.columns.count, 1);
    assert_string_equal(s->u.insert.columns.items[0], "x");
    assert_non_null(s->u.insert.query->values);
    assert_int_equal(s->u.insert.query->values->count, 1);
    arena_destroy(arena);
}

static void test_copy(void **state)
{
    (void)state;
    assert_string_equal(parse_fmt("copy t from '/data/t.csv'"), "COPY t FROM '/data/t.csv'");
    assert_string_equal(
        parse_fmt("COPY lineitem FROM '/d/l.tbl' WITH (FORMAT csv, DELIMITER '|', HEADER false)"),
        "COPY lineitem FROM '/d/l.tbl' (format csv, delimiter '|', header FALSE)");
    assert_string_equal(parse_fmt("copy t (a, b) from 'it''s.csv' (header, null '', quote '\"', "
                                  "escape '\\', header true, skip 2, ratio -1.5, force_null on)"),
                        "COPY t (a, b) FROM 'it''s.csv' (header, null '', quote '\"', escape "
                        "'\\', header TRUE, skip 2, ratio -1.5, force_null TRUE)");
    assert_string_equal(parse_fmt("copy t from 'f' (format)"), "COPY t FROM 'f' (format)");
    assert_string_equal(parse_fmt("copy t from 'f' ()"),
                        "ERROR 42601 @17: syntax error at or near \")\"");
    assert_string_equal(parse_fmt("copy t to 'f'"),
                        "ERROR 42601 @7: syntax error at or near \"to\"");
    assert_string_equal(parse_fmt("copy t from f"),
                        "ERROR 42601 @12: syntax error at or near \"f\"");

    Arena *arena = arena_create(NULL, NULL, 0);
    AstStatement *s = parse_one(arena, "copy T (x) from '/a b.csv' (FORMAT CSV, Header, NULL 'n', "
                                       "DELIMITER E'\\t', max 10)");
    assert_int_equal(s->kind, STMT_COPY);
    assert_string_equal(s->u.copy.table, "t");
    assert_int_equal(s->u.copy.table_pos, 5);
    assert_int_equal(s->u.copy.columns.count, 1);
    assert_string_equal(s->u.copy.path, "/a b.csv");
    assert_int_equal(s->u.copy.path_pos, 16);
    assert_int_equal(s->u.copy.options.count, 5);
    AstOption *o = s->u.copy.options.items[0];
    assert_string_equal(o->name, "format");
    assert_int_equal(o->pos, 28);
    assert_int_equal(o->value->kind, AST_COLUMN);
    assert_string_equal(o->value->u.column.name, "csv");
    o = s->u.copy.options.items[1];
    assert_string_equal(o->name, "header");
    assert_null(o->value);
    o = s->u.copy.options.items[2];
    assert_string_equal(o->name, "null");
    assert_int_equal(o->value->u.lit.kind, LIT_STRING);
    assert_string_equal(o->value->u.lit.text, "n");
    o = s->u.copy.options.items[3];
    assert_string_equal(o->name, "delimiter");
    assert_string_equal(o->value->u.lit.text, "\t");
    o = s->u.copy.options.items[4];
    assert_int_equal(o->value->u.lit.kind, LIT_INTEGER);
    assert_int_equal(o->value->u.lit.ival, 10);
    arena_destroy(arena);
}

static void test_explain(void **state)
{
    (void)state;
    assert_string_equal(parse_fmt("explain select 1"), "EXPLAIN SELECT 1");
    assert_string_equal(parse_fmt("EXPLAIN ANALYZE select a from t"),
                        "EXPLAIN ANALYZE SELECT a FROM t");
    assert_string_equal(parse_fmt("explain insert into t values (1)"),
                        "EXPLAIN INSERT INTO t VALUES (1)");
    assert_string_equal(parse_fmt("explain create table t as select 1"),
                        "EXPLAIN CREATE TABLE t AS SELECT 1");
    assert_string_equal(parse_fmt("explain explain select 1"),
                        "ERROR 42601 @8: syntax error at or near \"explain\"");
    assert_string_equal(parse_fmt("explain analyze"),
                        "ERROR 42601 @15: syntax error at end of input");
    /* Trino's options; the binder checks their names and values. */
    assert_string_equal(parse_fmt("explain (type distributed, format text) select 1"),
                        "EXPLAIN (type distributed, format text) SELECT 1");
    assert_string_equal(parse_fmt("explain analyze (TYPE 'logical') select 1"),
                        "EXPLAIN ANALYZE (type 'logical') SELECT 1");
    /* A parenthesized query is still a query. */
    assert_string_equal(parse_fmt("explain (select 1)"), "EXPLAIN SELECT 1");
    assert_string_equal(parse_fmt("explain () select 1"),
                        "ERROR 42601 @9: syntax error at or near \")\"");
    assert_string_equal(parse_fmt("explain (type distributed)"),
                        "ERROR 42601 @26: syntax error at end of input");

    Arena *arena = arena_create(NULL, NULL, 0);
    AstStatement *s = parse_one(arena, "  explain analyze select 1");
    assert_int_equal(s->kind, STMT_EXPLAIN);
    assert_int_equal(s->pos, 2);
    assert_true(s->u.explain.analyze);
    assert_int_equal(s->u.explain.stmt->kind, STMT_SELECT);
    assert_int_equal(s->u.explain.stmt->pos, 18);
    arena_destroy(arena);
}

static void test_script(void **state)
{
    (void)state;
    assert_string_equal(parse_fmt("create table t (a int); insert into t values (1);\n"
                                  "select * from t; drop table t"),
                        "CREATE TABLE t (a int); INSERT INTO t VALUES (1); SELECT * FROM t; DROP "
                        "TABLE t");
    /* An error in any statement fails the whole script. */
    assert_string_equal(parse_fmt("select 1; selec 2; select 3"),
                        "ERROR 42601 @10: syntax error at or near \"selec\"");
}

static void test_catalog_statements(void **state)
{
    (void)state;
    assert_string_equal(parse_fmt("show tables"), "SHOW TABLES");
    assert_string_equal(parse_fmt("SHOW TABLES FROM Information_Schema"),
                        "SHOW TABLES FROM information_schema");
    assert_string_equal(parse_fmt("show tables from system.runtime"),
                        "SHOW TABLES FROM system.runtime");
    assert_string_equal(parse_fmt("describe t"), "DESCRIBE t");
    assert_string_equal(parse_fmt("show columns from basalt.public.t"), "DESCRIBE basalt.public.t");
    assert_string_equal(parse_fmt("describe select 1"), "DESCRIBE SELECT 1");
    assert_string_equal(parse_fmt("select * from system.runtime.nodes n, public.t"),
                        "SELECT * FROM system.runtime.nodes AS n, public.t");
    /* DESCRIBE is not reserved; SHOW of another word is a setting. */
    assert_string_equal(parse_fmt("select describe from describe"),
                        "SELECT describe FROM describe");
    assert_string_equal(parse_fmt("show work_mem"), "SHOW work_mem");
    assert_string_equal(parse_fmt("show rows from t"),
                        "ERROR 42601 @5: SHOW ... FROM takes TABLES or COLUMNS");
    assert_string_equal(parse_fmt("show tables from a.b.c"),
                        "ERROR 42601 @17: SHOW TABLES FROM takes [catalog.]schema");
    assert_true(strncmp(parse_fmt("select * from a.b.c.d"), "ERROR 42601", 11) == 0);

    Arena *arena = arena_create(NULL, NULL, 0);
    AstStatement *s = parse_one(arena, "describe  Sys.Meta.\"T\"");
    assert_int_equal(s->kind, STMT_DESCRIBE);
    assert_string_equal(s->u.describe.catalog, "sys");
    assert_string_equal(s->u.describe.schema, "meta");
    assert_string_equal(s->u.describe.name, "T");
    assert_int_equal(s->u.describe.name_pos, 10);
    s = parse_one(arena, "show tables from x");
    assert_int_equal(s->kind, STMT_SHOW_TABLES);
    assert_null(s->u.describe.catalog);
    assert_string_equal(s->u.describe.schema, "x");
    assert_null(s->u.describe.name);
    s = parse_one(arena, "select * from c.s.t");
    const AstTableRef *ref = s->u.select.query->from.items[0];
    assert_string_equal(ref->u.table.catalog, "c");
    assert_string_equal(ref->u.table.schema, "s");
    assert_string_equal(ref->u.table.name, "t");
    assert_int_equal(ref->pos, 14);
    arena_destroy(arena);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_table), cmocka_unit_test(test_create_table_errors),
        cmocka_unit_test(test_drop_table),   cmocka_unit_test(test_insert),
        cmocka_unit_test(test_copy),         cmocka_unit_test(test_explain),
        cmocka_unit_test(test_script),       cmocka_unit_test(test_catalog_statements),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
