/*
 * Unit tests: queries and expressions — the shape of the tree (asserted through the
 * canonical, fully parenthesized ast_format rendering), operator precedence, every
 * SELECT form (DISTINCT, FROM, joins, subqueries, VALUES, set operations, WITH, ORDER BY,
 * LIMIT/OFFSET/FETCH), node positions and statement spans.
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

/* The formatted expression of `SELECT <text>` (its first select item). */
static const char *expr_fmt(const char *text)
{
    static char result[8192];
    char sql[4096];
    snprintf(sql, sizeof(sql), "SELECT %s", text);
    Arena *arena = arena_create(NULL, NULL, 0);
    ParsedStatement *stmts;
    int n;
    Error err = ERROR_INIT;
    if (parser_parse(sql, strlen(sql), arena, &stmts, &n, &err) != BS_OK) {
        snprintf(result, sizeof(result), "ERROR %s @%d: %s", err.sqlstate, err.position,
                 err.message);
    } else {
        AstSelectItem *item = stmts[0].stmt->u.select.query->select_list.items[0];
        Buffer b;
        buffer_init(&b);
        ast_format_expr(item->expr, &b);
        buffer_terminate(&b);
        snprintf(result, sizeof(result), "%s", (char *)b.data);
        buffer_free(&b);
    }
    error_clear(&err);
    arena_destroy(arena);
    return result;
}

static void test_precedence(void **state)
{
    (void)state;
    assert_string_equal(expr_fmt("1 + 2 * 3"), "(1 + (2 * 3))");
    assert_string_equal(expr_fmt("(1 + 2) * 3"), "((1 + 2) * 3)");
    assert_string_equal(expr_fmt("1 - 2 - 3"), "((1 - 2) - 3)");
    assert_string_equal(expr_fmt("8 / 4 % 3 * 2"), "(((8 / 4) % 3) * 2)");
    assert_string_equal(expr_fmt("not a = b and c"), "((NOT (a = b)) AND c)");
    assert_string_equal(expr_fmt("a or b and c"), "(a OR (b AND c))");
    assert_string_equal(expr_fmt("a and b or c and d"), "((a AND b) OR (c AND d))");
    assert_string_equal(expr_fmt("not not a"), "(NOT (NOT a))");
    assert_string_equal(expr_fmt("a || b = c"), "((a || b) = c)");
    assert_string_equal(expr_fmt("a || b + c"), "(a || (b + c))");
    assert_string_equal(expr_fmt("a || b || c"), "((a || b) || c)");
    assert_string_equal(expr_fmt("-a * b"), "((-a) * b)");
    assert_string_equal(expr_fmt("-a::int"), "(-CAST(a AS int))");
    assert_string_equal(expr_fmt("a + b::int"), "(a + CAST(b AS int))");
    assert_string_equal(expr_fmt("+a"), "(+a)");
    assert_string_equal(expr_fmt("a = b is null"), "((a = b) IS NULL)");
    assert_string_equal(expr_fmt("not a is not null"), "(NOT (a IS NOT NULL))");
    assert_string_equal(expr_fmt("a = b like c"), "(a = (b LIKE c))");
    assert_string_equal(expr_fmt("a = b not like c"), "(a = (b NOT LIKE c))");
    assert_string_equal(expr_fmt("not a like b"), "(NOT (a LIKE b))");
    assert_string_equal(expr_fmt("a like b || c"), "(a LIKE (b || c))");
    assert_string_equal(expr_fmt("a between 1 and 2 and b"), "((a BETWEEN 1 AND 2) AND b)");
    assert_string_equal(expr_fmt("a between b + 1 and c * 2"), "(a BETWEEN (b + 1) AND (c * 2))");
    assert_string_equal(expr_fmt("a not between 1 and 2 or c"), "((a NOT BETWEEN 1 AND 2) OR c)");
    assert_string_equal(expr_fmt("a in (1, 2) = b"), "((a IN (1, 2)) = b)");
    assert_string_equal(expr_fmt("a < b = c"), "ERROR 42601 @13: syntax error at or near \"=\"");
    assert_string_equal(expr_fmt("a + b < c * d or e"), "(((a + b) < (c * d)) OR e)");
}

static void test_expression_forms(void **state)
{
    (void)state;
    assert_string_equal(expr_fmt("f(a, b)"), "f(a, b)");
    assert_string_equal(expr_fmt("now()"), "now()");
    assert_string_equal(expr_fmt("count(*)"), "count(*)");
    assert_string_equal(expr_fmt("COUNT(DISTINCT a)"), "count(DISTINCT a)");
    assert_string_equal(expr_fmt("sum(ALL a)"), "sum(a)");
    assert_string_equal(expr_fmt("count(*) filter (where a > 1)"),
                        "count(*) FILTER (WHERE (a > 1))");
    assert_string_equal(expr_fmt("string_agg(DISTINCT a, ',' ORDER BY a DESC NULLS FIRST, b)"),
                        "string_agg(DISTINCT a, ',' ORDER BY a DESC NULLS FIRST, b)");
    assert_string_equal(expr_fmt("percentile_cont(0.5) within group (order by x desc) "
                                 "filter (where y)"),
                        "percentile_cont(0.5) WITHIN GROUP (ORDER BY x DESC) FILTER (WHERE y)");
    assert_string_equal(expr_fmt("filter + within"), "(filter + within)"); /* non-reserved */
    assert_string_equal(expr_fmt("f(a order by b) within group (order by c)"),
                        "ERROR 42601 @7: cannot use multiple ORDER BY clauses with WITHIN GROUP");
    assert_string_equal(expr_fmt("count(*) filter (a)"),
                        "ERROR 42601 @24: syntax error at or near \"a\"");
    assert_string_equal(expr_fmt("left(s, 2) || right(s, 1)"), "(left(s, 2) || right(s, 1))");
    assert_string_equal(expr_fmt("year(d)"), "year(d)");
    assert_string_equal(expr_fmt("cast(a as decimal(15, 2))"), "CAST(a AS decimal(15, 2))");
    assert_string_equal(expr_fmt("a::varchar(10)::text"), "CAST(CAST(a AS varchar(10)) AS text)");
    assert_string_equal(expr_fmt("a::double precision"), "CAST(a AS double precision)");
    assert_string_equal(expr_fmt("a::character varying(5)"), "CAST(a AS character varying(5))");
    assert_string_equal(expr_fmt("a::timestamp(3) with time zone"),
                        "CAST(a AS timestamp(3) with time zone)");
    assert_string_equal(expr_fmt("case when a then 1 when b then 2 end"),
                        "CASE WHEN a THEN 1 WHEN b THEN 2 END");
    assert_string_equal(expr_fmt("case x + 1 when 1 then 'a' else 'b' end"),
                        "CASE (x + 1) WHEN 1 THEN 'a' ELSE 'b' END");
    assert_string_equal(expr_fmt("extract(year from l_shipdate)"), "EXTRACT(year FROM l_shipdate)");
    assert_string_equal(expr_fmt("extract(epoch from t)"), "EXTRACT(epoch FROM t)");
    assert_string_equal(expr_fmt("substring(c_phone from 1 for 2)"), "substring(c_phone, 1, 2)");
    assert_string_equal(expr_fmt("substring(s from 3)"), "substring(s, 3)");
    assert_string_equal(expr_fmt("substring(s for 3)"), "substring(s, 1, 3)");
    assert_string_equal(expr_fmt("substring(s, 2, 3)"), "substring(s, 2, 3)");
    assert_string_equal(expr_fmt("date '1998-12-01' - interval '90' day"),
                        "(date '1998-12-01' - INTERVAL '90' DAY)");
    assert_string_equal(expr_fmt("interval '3' month"), "INTERVAL '3' MONTH");
    assert_string_equal(expr_fmt("interval '1 day 2 hours'"), "INTERVAL '1 day 2 hours'");
    assert_string_equal(expr_fmt("interval '1:2' hour to second"), "INTERVAL '1:2' HOUR TO SECOND");
    assert_string_equal(expr_fmt("x in (1, 2, 3)"), "(x IN (1, 2, 3))");
    assert_string_equal(expr_fmt("x not in ('a')"), "(x NOT IN ('a'))");
    assert_string_equal(expr_fmt("x in (select a from t)"), "(x IN (SELECT a FROM t))");
    assert_string_equal(expr_fmt("x not in (select a from t)"), "(x NOT IN (SELECT a FROM t))");
    assert_string_equal(expr_fmt("x in ((select 1), 2)"), "(x IN ((SELECT 1), 2))");
    assert_string_equal(expr_fmt("exists (select * from t)"), "EXISTS (SELECT * FROM t)");
    assert_string_equal(expr_fmt("not exists (select 1)"), "NOT EXISTS (SELECT 1)");
    assert_string_equal(expr_fmt("(select max(a) from t) + 1"), "((SELECT max(a) FROM t) + 1)");
    assert_string_equal(expr_fmt("((select 1))"), "(SELECT 1)");
    assert_string_equal(expr_fmt("a like 'x%' escape '!'"), "(a LIKE 'x%' ESCAPE '!')");
    assert_string_equal(expr_fmt("a not ilike 'x%'"), "(a NOT ILIKE 'x%')");
    assert_string_equal(expr_fmt("a ilike b"), "(a ILIKE b)");
    assert_string_equal(expr_fmt("a is null"), "(a IS NULL)");
    assert_string_equal(expr_fmt("a is not null"), "(a IS NOT NULL)");
    assert_string_equal(expr_fmt("t.a"), "t.a");
    assert_string_equal(expr_fmt("*"), "*");
    assert_string_equal(expr_fmt("t.*"), "t.*");
}

static void test_expression_nodes(void **state)
{
    (void)state;
    const char *sql = "SELECT a + b * 2 AS x, count(DISTINCT c), y NOT BETWEEN 1 AND 2 FROM t";
    Arena *arena = arena_create(NULL, NULL, 0);
    ParsedStatement *stmts;
    int n;
    Error err = ERROR_INIT;
    assert_int_equal(parser_parse(sql, strlen(sql), arena, &stmts, &n, &err), BS_OK);
    AstSelect *q = stmts[0].stmt->u.select.query;
    assert_int_equal(q->select_list.count, 3);

    AstSelectItem *item = q->select_list.items[0];
    assert_string_equal(item->alias, "x");
    assert_int_equal(item->pos, 7); /* the item starts at `a` */
    AstExpr *add = item->expr;
    assert_int_equal(add->kind, AST_BINARY);
    assert_int_equal(add->u.binary.op, OP_ADD);
    assert_int_equal(add->pos, 9); /* operators sit at their token */
    assert_int_equal(add->u.binary.left->kind, AST_COLUMN);
    assert_string_equal(add->u.binary.left->u.column.name, "a");
    AstExpr *mul = add->u.binary.right;
    assert_int_equal(mul->u.binary.op, OP_MUL);
    assert_int_equal(mul->pos, 13);
    assert_int_equal(mul->u.binary.right->u.lit.ival, 2);

    item = q->select_list.items[1];
    assert_null(item->alias);
    assert_int_equal(item->expr->kind, AST_FUNCTION);
    assert_string_equal(item->expr->u.func.name, "count");
    assert_true(item->expr->u.func.distinct);
    assert_false(item->expr->u.func.star);
    assert_int_equal(item->expr->u.func.args.count, 1);
    assert_int_equal(item->expr->pos, 23);

    item = q->select_list.items[2];
    assert_int_equal(item->expr->kind, AST_BETWEEN);
    assert_true(item->expr->u.between.negated);
    assert_int_equal(item->pos, 42);

    AstTableRef *ref = q->from.items[0];
    assert_int_equal(ref->kind, TREF_TABLE);
    assert_null(ref->u.table.schema);
    assert_string_equal(ref->u.table.name, "t");
    assert_int_equal(ref->pos, 69);
    assert_null(q->where);
    assert_null(q->values);
    assert_int_equal(q->set_op, SETOP_NONE);
    arena_destroy(arena);
}

static void test_select_clauses(void **state)
{
    (void)state;
    assert_string_equal(parse_fmt("select 1"), "SELECT 1");
    assert_string_equal(parse_fmt("select distinct a, b as c, d e from t"),
                        "SELECT DISTINCT a, b AS c, d AS e FROM t");
    assert_string_equal(parse_fmt("select all a from t"), "SELECT a FROM t");
    assert_string_equal(
        parse_fmt("select a, sum(b) from t where c > 1 group by a, d having sum(b) > 2"),
        "SELECT a, sum(b) FROM t WHERE (c > 1) GROUP BY a, d HAVING (sum(b) > 2)");
    assert_string_equal(
        parse_fmt("select a from t order by a desc, b asc nulls first, c nulls last"),
        "SELECT a FROM t ORDER BY a DESC, b NULLS FIRST, c NULLS LAST");
    assert_string_equal(parse_fmt("select a from t limit 10"), "SELECT a FROM t LIMIT 10");
    assert_string_equal(parse_fmt("select a from t limit all"), "SELECT a FROM t");
    assert_string_equal(parse_fmt("select a from t limit 10 offset 5"),
                        "SELECT a FROM t LIMIT 10 OFFSET 5");
    assert_string_equal(parse_fmt("select a from t offset 5 rows limit 10"),
                        "SELECT a FROM t LIMIT 10 OFFSET 5");
    assert_string_equal(parse_fmt("select a from t offset 2 row fetch first 3 rows only"),
                        "SELECT a FROM t LIMIT 3 OFFSET 2");
    assert_string_equal(parse_fmt("select a from t fetch next row only"),
                        "SELECT a FROM t LIMIT 1");
    assert_string_equal(parse_fmt("select a from t order by 1 limit 2 + 3"),
                        "SELECT a FROM t ORDER BY 1 LIMIT (2 + 3)");
    assert_string_equal(parse_fmt("select * from s.t as x (a, b) where x.a = 1"),
                        "SELECT * FROM s.t AS x(a, b) WHERE (x.a = 1)");
    assert_string_equal(parse_fmt("select t.*, u.* from t, u"), "SELECT t.*, u.* FROM t, u");
}

static void test_joins(void **state)
{
    (void)state;
    assert_string_equal(parse_fmt("select * from a join b on a.x = b.x"),
                        "SELECT * FROM (a JOIN b ON (a.x = b.x))");
    assert_string_equal(parse_fmt("select * from a inner join b using (x, y)"),
                        "SELECT * FROM (a JOIN b USING (x, y))");
    assert_string_equal(parse_fmt("select * from a left join b on true right outer join c on "
                                  "false full join d using (k)"),
                        "SELECT * FROM (((a LEFT JOIN b ON TRUE) RIGHT JOIN c ON FALSE) FULL "
                        "JOIN d USING (k))");
    assert_string_equal(
        parse_fmt("select * from a cross join b natural join c natural left join d"),
        "SELECT * FROM (((a CROSS JOIN b) NATURAL JOIN c) NATURAL LEFT JOIN d)");
    assert_string_equal(parse_fmt("select * from a, b x join c y on x.k = y.k, d"),
                        "SELECT * FROM a, (b AS x JOIN c AS y ON (x.k = y.k)), d");
    assert_string_equal(parse_fmt("select * from a join (b join c on p) on q"),
                        "SELECT * FROM (a JOIN (b JOIN c ON p) ON q)");
    assert_string_equal(parse_fmt("select * from (a join b on p) as j"),
                        "SELECT * FROM (a JOIN b ON p) AS j");

    const char *sql = "select * from a left join b using (k)";
    Arena *arena = arena_create(NULL, NULL, 0);
    ParsedStatement *stmts;
    int n;
    Error err = ERROR_INIT;
    assert_int_equal(parser_parse(sql, strlen(sql), arena, &stmts, &n, &err), BS_OK);
    AstTableRef *join = stmts[0].stmt->u.select.query->from.items[0];
    assert_int_equal(join->kind, TREF_JOIN);
    assert_int_equal(join->u.join.type, JOIN_LEFT);
    assert_false(join->u.join.natural);
    assert_null(join->u.join.on);
    assert_int_equal(join->u.join.using.count, 1);
    assert_string_equal(join->u.join.using.items[0], "k");
    assert_int_equal(join->pos, 21); /* the JOIN keyword */
    assert_string_equal(join->u.join.left->u.table.name, "a");
    assert_string_equal(join->u.join.right->u.table.name, "b");
    arena_destroy(arena);
}

static void test_subqueries_in_from(void **state)
{
    (void)state;
    assert_string_equal(parse_fmt("select * from (select a from t) as s"),
                        "SELECT * FROM (SELECT a FROM t) AS s");
    assert_string_equal(parse_fmt("select * from (select a from t) s (x)"),
                        "SELECT * FROM (SELECT a FROM t) AS s(x)");
    assert_string_equal(parse_fmt("select * from (select 1)"), "SELECT * FROM (SELECT 1)");
    assert_string_equal(parse_fmt("select * from (values (1, 'a'), (2, 'b')) as v(n, s)"),
                        "SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS v(n, s)");
    assert_string_equal(parse_fmt("select * from ((select 1)) x"), "SELECT * FROM (SELECT 1) AS x");

    const char *sql = "select * from (values (1)) v, (select 1) s";
    Arena *arena = arena_create(NULL, NULL, 0);
    ParsedStatement *stmts;
    int n;
    Error err = ERROR_INIT;
    assert_int_equal(parser_parse(sql, strlen(sql), arena, &stmts, &n, &err), BS_OK);
    AstSelect *q = stmts[0].stmt->u.select.query;
    AstTableRef *v = q->from.items[0];
    assert_int_equal(v->kind, TREF_VALUES);
    assert_string_equal(v->alias, "v");
    assert_non_null(v->u.subquery.query->values);
    assert_int_equal(v->pos, 14);
    AstTableRef *s = q->from.items[1];
    assert_int_equal(s->kind, TREF_SUBQUERY);
    assert_string_equal(s->alias, "s");
    arena_destroy(arena);
}

static void test_set_operations(void **state)
{
    (void)state;
    assert_string_equal(parse_fmt("select 1 union select 2"), "(SELECT 1) UNION (SELECT 2)");
    assert_string_equal(parse_fmt("select 1 union all select 2 union select 3"),
                        "((SELECT 1) UNION ALL (SELECT 2)) UNION (SELECT 3)");
    assert_string_equal(parse_fmt("select 1 union select 2 intersect select 3"),
                        "(SELECT 1) UNION ((SELECT 2) INTERSECT (SELECT 3))");
    assert_string_equal(parse_fmt("select 1 except distinct select 2 except all select 3"),
                        "((SELECT 1) EXCEPT (SELECT 2)) EXCEPT ALL (SELECT 3)");
    assert_string_equal(parse_fmt("select 1 intersect all select 2 union select 3"),
                        "((SELECT 1) INTERSECT ALL (SELECT 2)) UNION (SELECT 3)");
    assert_string_equal(parse_fmt("select a from t union select b from u order by 1 limit 3"),
                        "(SELECT a FROM t) UNION (SELECT b FROM u) ORDER BY 1 LIMIT 3");
    assert_string_equal(parse_fmt("(select a from t order by a limit 1) union (select 2)"),
                        "(SELECT a FROM t ORDER BY a LIMIT 1) UNION (SELECT 2)");
    assert_string_equal(parse_fmt("select 1 union (select 2 union select 3)"),
                        "(SELECT 1) UNION ((SELECT 2) UNION (SELECT 3))");
    assert_string_equal(parse_fmt("(select 1)"), "SELECT 1");
    assert_string_equal(parse_fmt("((select 1) order by 1)"), "SELECT 1 ORDER BY 1");
    assert_string_equal(parse_fmt("values (1), (2) union values (3)"),
                        "(VALUES (1), (2)) UNION (VALUES (3))");
}

static void test_values_and_with(void **state)
{
    (void)state;
    assert_string_equal(parse_fmt("values (1, 'a'), (2, null)"), "VALUES (1, 'a'), (2, NULL)");
    assert_string_equal(parse_fmt("values (1) order by 1 limit 1"),
                        "VALUES (1) ORDER BY 1 LIMIT 1");
    assert_string_equal(parse_fmt("with x as (select 1) select * from x"),
                        "WITH x AS (SELECT 1) SELECT * FROM x");
    assert_string_equal(parse_fmt("with x (a, b) as (select 1, 2), y as (values (3)) select * from "
                                  "x, y"),
                        "WITH x(a, b) AS (SELECT 1, 2), y AS (VALUES (3)) SELECT * FROM x, y");
    assert_string_equal(parse_fmt("with x as (select 1) select * from x union select 2"),
                        "WITH x AS (SELECT 1) (SELECT * FROM x) UNION (SELECT 2)");
    assert_string_equal(parse_fmt("select (with x as (select 1) select * from x)"),
                        "SELECT (WITH x AS (SELECT 1) SELECT * FROM x)");

    const char *sql = "with r (n) as (select 1) select n from r";
    Arena *arena = arena_create(NULL, NULL, 0);
    ParsedStatement *stmts;
    int n;
    Error err = ERROR_INIT;
    assert_int_equal(parser_parse(sql, strlen(sql), arena, &stmts, &n, &err), BS_OK);
    AstSelect *q = stmts[0].stmt->u.select.query;
    assert_int_equal(q->pos, 0);
    assert_int_equal(q->ctes.count, 1);
    AstCte *cte = q->ctes.items[0];
    assert_string_equal(cte->name, "r");
    assert_int_equal(cte->pos, 5);
    assert_int_equal(cte->col_aliases.count, 1);
    assert_string_equal(cte->col_aliases.items[0], "n");
    assert_int_equal(cte->query->select_list.count, 1);
    arena_destroy(arena);
}

static void test_statement_spans(void **state)
{
    (void)state;
    const char *sql = "  select 1 ;\n;; /* c */ select a\n from t -- end\n;select 3";
    Arena *arena = arena_create(NULL, NULL, 0);
    ParsedStatement *stmts;
    int n;
    Error err = ERROR_INIT;
    assert_int_equal(parser_parse(sql, strlen(sql), arena, &stmts, &n, &err), BS_OK);
    assert_int_equal(n, 3);
    assert_int_equal(stmts[0].start, 2);
    assert_int_equal(stmts[0].end, 10);
    assert_int_equal(stmts[0].stmt->pos, 2);
    assert_int_equal(stmts[1].start, 24);
    assert_int_equal(stmts[1].end, 40);
    assert_memory_equal(sql + stmts[1].start, "select a\n from t", 16);
    assert_int_equal(stmts[2].start, 49);
    assert_int_equal(stmts[2].end, (int)strlen(sql));
    assert_int_equal(stmts[2].stmt->kind, STMT_SELECT);
    arena_destroy(arena);

    assert_string_equal(parse_fmt("select 1; select 2;"), "SELECT 1; SELECT 2");
    assert_string_equal(parse_fmt(";;select 1;;"), "SELECT 1");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_precedence),
        cmocka_unit_test(test_expression_forms),
        cmocka_unit_test(test_expression_nodes),
        cmocka_unit_test(test_select_clauses),
        cmocka_unit_test(test_joins),
        cmocka_unit_test(test_subqueries_in_from),
        cmocka_unit_test(test_set_operations),
        cmocka_unit_test(test_values_and_with),
        cmocka_unit_test(test_statement_spans),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
