/*
 * Unit tests: plan fragments survive serialization byte for byte, and the decoder refuses
 * truncated and corrupted bytes without reading out of bounds (ASan watches).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/alloc.h"
#include "parser/parser.h"
#include "planner/planner.h"

#include <string.h>

/* Two tables: t(a INTEGER NOT NULL, b VARCHAR, c DECIMAL(15,2), d DATE, e DOUBLE, f TIMESTAMP). */
static Status fake_get_table(void *ctx, const char *catalog, const char *schema, const char *name,
                             Arena *arena, CatalogTable **out, Error *err)
{
    (void)ctx;
    *out = NULL;
    if (catalog || schema) return BS_OK;
    if (strcmp(name, "t") != 0 && strcmp(name, "u") != 0) return BS_OK;
    static char *names[] = {"a", "b", "c", "d", "e", "f"};
    static LogicalType types[6];
    static bool not_null[6] = {true, false, false, false, false, false};
    types[0] = type_make(TYPE_INTEGER);
    types[1] = type_make(TYPE_VARCHAR);
    types[2] = type_decimal(15, 2);
    types[3] = type_make(TYPE_DATE);
    types[4] = type_make(TYPE_DOUBLE);
    types[5] = type_make(TYPE_TIMESTAMP);
    CatalogTable *t = arena_alloc_zero(arena, sizeof *t);
    if (!t) return arena_error(arena, err);
    t->name = arena_strdup(arena, name);
    t->id = strcmp(name, "t") == 0 ? 1 : 2;
    t->snapshot = 7;
    t->n_cols = 6;
    t->col_names = names;
    t->col_types = types;
    t->col_not_null = not_null;
    t->n_rows = 1000;
    *out = t;
    return BS_OK;
}

static const char *STATEMENTS[] = {
    "select * from t",
    "select a, b from t where a > 5 and b like 'x%' or c between 1.5 and 2.5",
    "select b, count(*), sum(c), avg(e), min(d), max(f), count(distinct a) from t group by b "
    "having count(*) > 1",
    "select a + 1 as x, -a, a * 2 - 3, a / 2, a % 3, c * c, e / 3 from t order by x desc nulls "
    "last limit 10 offset 2",
    "select distinct b from t",
    "select case when a > 1 then 'big' when a is null then null else 'small' end from t",
    "select cast(a as varchar) || b, lower(b), upper(b), length(b), substring(b, 2, 3), "
    "coalesce(b, 'z') from t",
    "select round(c, 1), abs(e), extract(year from d), d + 1, d - date '2024-01-01' from t",
    "select * from (values (1, 'a'), (2, null)) v(x, y)",
    "select 1, 'two', 3.5, date '2024-01-02', timestamp '2024-01-02 03:04:05', true, null",
    "insert into t values (1, 'x', 1.5, '2024-01-01', 2.5, '2024-01-01 00:00:00')",
    "insert into u select * from t where b in ('a', 'b', 'c')",
    "copy t from '/tmp/x.csv' with (format csv, delimiter '|', header true, null 'N')",
    "create table w as select a, sum(e) s from t group by a",
    "select b, var_samp(a), stddev_pop(c), bool_and(a > 1), approx_distinct(d), "
    "count(*) filter (where a > 2), string_agg(b, '; ' order by a desc nulls last, d), "
    "median(e), quantile_disc(c, 0.25), percentile_cont(0.9) within group (order by f desc) "
    "from t group by b",
    "select string_agg(distinct b, ','), percentile_disc(null) within group (order by a), "
    "stddev(a) from t",
    "with q as (select a from t where a < 3) select count(*) from q",
    "select a from t where not (a <> 3) and b is not null and d >= '2024-01-01'",
    "select a in (1, 2, null), b not in ('x', 'y'), e in (1.5e0, 2.5e0), d in (date '2024-01-01', "
    "date '2024-01-02') from t where a = 1 or a = 2 or a = 3",
    "select a from t where a < 24.5 and c between 0.06 - 0.01 and 0.06 + 0.01",
    "select d + interval '1 mon 2 days 03:04:05.5', f - d, (f - d) * 2, "
    "interval '-1 year' < f - d, date_part('dow', f), date_trunc('week', d), date_diff('day', d, "
    "f), make_date(a, 1, 1), "
    "last_day(f), age(f, d), extract(second from f) from t where f >= d - interval '90' day",
};

/* The first FN_IN call under e (pre-order), or NULL. */
static Expr *find_in(Expr *e)
{
    if (e->kind == EXPR_CALL && e->u.call.func == FN_IN) return e;
    if (e->kind == EXPR_CALL)
        for (int k = 0; k < e->u.call.n_args; k++) {
            Expr *found = find_in(e->u.call.args[k]);
            if (found) return found;
        }
    if (e->kind == EXPR_NOT) return find_in(e->u.unary.arg);
    return NULL;
}

static PlanNode *find_filter(PlanNode *n)
{
    if (n->kind == PLAN_FILTER) return n;
    for (int k = 0; k < n->n_children; k++) {
        PlanNode *found = find_filter(n->children[k]);
        if (found) return found;
    }
    return NULL;
}

static Catalog fake_catalog(void)
{
    Catalog c = {NULL, fake_get_table, NULL, NULL};
    return c;
}

/* Plans a statement; returns its fragments. */
static QueryPlan *plan_sql(const char *sql, Arena *arena)
{
    Error err = ERROR_INIT;
    ParsedStatement *stmts;
    int n;
    assert_int_equal(parser_parse(sql, strlen(sql), arena, &stmts, &n, &err), BS_OK);
    assert_int_equal(n, 1);
    Catalog catalog = fake_catalog();
    BoundStatement *bs;
    if (planner_bind(stmts[0].stmt, &catalog, arena, &bs, &err) != BS_OK)
        fail_msg("%s: %s", sql, err.message);
    assert_int_equal(planner_optimize(&bs->plan, NULL, arena, &err), BS_OK);
    QueryPlan *plan;
    if (planner_physical(bs, NULL, arena, &plan, &err) != BS_OK) fail_msg("%s: %s", sql, err.message);
    return plan;
}

static void test_round_trip(void **state)
{
    (void)state;
    for (size_t k = 0; k < BS_ARRAY_LEN(STATEMENTS); k++) {
        Arena *arena = arena_create(NULL, NULL, 0);
        QueryPlan *plan = plan_sql(STATEMENTS[k], arena);
        assert_true(plan->n_fragments >= 1);
        for (int f = 0; f < plan->n_fragments; f++) {
            Error err = ERROR_INIT;
            Buffer a, b;
            buffer_init(&a);
            buffer_init(&b);
            assert_int_equal(fragment_serialize(plan->fragments[f], &a, &err), BS_OK);
            PlanFragment *back;
            if (fragment_deserialize(a.data, a.len, arena, &back, &err) != BS_OK)
                fail_msg("%s, fragment %d: %s", STATEMENTS[k], f, err.message);
            assert_int_equal(back->id, plan->fragments[f]->id);
            assert_int_equal(back->n_sources, plan->fragments[f]->n_sources);
            assert_int_equal(fragment_serialize(back, &b, &err), BS_OK);
            assert_int_equal(a.len, b.len);
            assert_memory_equal(a.data, b.data, a.len);
            /* EXPLAIN of the rebuilt fragment reads the same as the original's. */
            QueryPlan one = {.n_fragments = 1, .fragments = &plan->fragments[f]};
            QueryPlan two = {.n_fragments = 1, .fragments = &back};
            Buffer e1, e2;
            buffer_init(&e1);
            buffer_init(&e2);
            planner_explain(&one, &e1);
            planner_explain(&two, &e2);
            assert_int_equal(e1.len, e2.len);
            assert_memory_equal(e1.data, e2.data, e1.len);
            buffer_free(&e1);
            buffer_free(&e2);
            buffer_free(&a);
            buffer_free(&b);
        }
        arena_destroy(arena);
    }
}

static void test_truncated_and_corrupted(void **state)
{
    (void)state;
    uint64_t seed = 12345;
    for (size_t k = 0; k < BS_ARRAY_LEN(STATEMENTS); k++) {
        Arena *arena = arena_create(NULL, NULL, 0);
        QueryPlan *plan = plan_sql(STATEMENTS[k], arena);
        Buffer a;
        buffer_init(&a);
        Error err = ERROR_INIT;
        assert_int_equal(fragment_serialize(plan->fragments[plan->n_fragments - 1], &a, &err),
                         BS_OK);
        /* Every proper prefix is refused. */
        for (size_t cut = 0; cut < a.len; cut++) {
            Arena *scratch = arena_create(NULL, NULL, 0);
            PlanFragment *f;
            assert_int_equal(fragment_deserialize(a.data, cut, scratch, &f, &err), BS_ERROR);
            assert_string_equal(err.sqlstate, "XX001");
            error_clear(&err);
            arena_destroy(scratch);
        }
        /* Random corruptions either fail cleanly or decode to something (never crash). */
        uint8_t *copy = bs_malloc(a.len);
        for (int round = 0; round < 300; round++) {
            memcpy(copy, a.data, a.len);
            int flips = 1 + round % 4;
            for (int i = 0; i < flips; i++) {
                seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
                copy[(seed >> 33) % a.len] ^= (uint8_t)(1u << ((seed >> 20) % 8));
            }
            Arena *scratch = arena_create(NULL, NULL, 0);
            PlanFragment *f;
            if (fragment_deserialize(copy, a.len, scratch, &f, &err) != BS_OK) {
                assert_string_equal(err.sqlstate, "XX001");
                error_clear(&err);
            }
            arena_destroy(scratch);
        }
        bs_free(copy);
        buffer_free(&a);
        arena_destroy(arena);
    }
}

/* Re-encodes a fragment whose IN list was tampered with; the decoder must refuse it. */
static void expect_refused(PlanFragment *f, Arena *arena, const char *what)
{
    Buffer a;
    buffer_init(&a);
    Error err = ERROR_INIT;
    assert_int_equal(fragment_serialize(f, &a, &err), BS_OK);
    PlanFragment *back;
    assert_int_equal(fragment_deserialize(a.data, a.len, arena, &back, &err), BS_ERROR);
    assert_string_equal(err.sqlstate, "XX001");
    if (!strstr(err.message, what)) fail_msg("expected \"%s\" in: %s", what, err.message);
    error_clear(&err);
    buffer_free(&a);
}

static void test_bad_in_lists(void **state)
{
    (void)state;
    Arena *arena = arena_create(NULL, NULL, 0);
    QueryPlan *plan = plan_sql("select a from t where a in (1, 2, 3, null)", arena);
    PlanFragment *f = plan->fragments[plan->n_fragments - 1];
    PlanNode *filter = find_filter(f->root);
    assert_non_null(filter);
    Expr *in = find_in(filter->u.filter.predicate);
    assert_non_null(in);
    assert_int_equal(in->u.call.n_args, 5);
    Expr **args = in->u.call.args;
    Expr *one = args[1], *two = args[2], *null = args[4];
    /* out of order */
    args[1] = two;
    args[2] = one;
    expect_refused(f, arena, "IN list out of order");
    /* a repeated value */
    args[2] = two;
    expect_refused(f, arena, "IN list out of order");
    /* NULL before the end */
    args[1] = one;
    args[2] = null;
    expect_refused(f, arena, "NULL inside an IN list");
    /* a value of another type than x */
    Value big = value_bigint(2);
    Expr wrong = *two;
    wrong.type = big.type;
    wrong.u.constant = big;
    args[2] = &wrong;
    expect_refused(f, arena, "bad IN list value");
    /* a column among the values */
    args[2] = args[0];
    expect_refused(f, arena, "bad IN list value");
    arena_destroy(arena);
}

/* The magic and version bytes a fragment starts with (from a real one: they stay right
   when the version moves). */
static void fragment_header(uint8_t header[5])
{
    Arena *arena = arena_create(NULL, NULL, 0);
    QueryPlan *plan = plan_sql(STATEMENTS[0], arena);
    Buffer a;
    buffer_init(&a);
    Error err = ERROR_INIT;
    assert_int_equal(fragment_serialize(plan->fragments[0], &a, &err), BS_OK);
    assert_true(a.len >= 5);
    memcpy(header, a.data, 5);
    buffer_free(&a);
    arena_destroy(arena);
}

/*
 * A node with the wrong number of children for its kind is refused: a join with none
 * (found by fuzz_plan) made EXPLAIN read children[0].
 */
static void test_children_count(void **state)
{
    (void)state;
    uint8_t bytes[] = {0x42, 0x53, 0x50, 0x46, 0x06, 0x00, 0x00, 0x30, 0x00, 0x00, 0x02, 0x00,
                       0x00, 0x0c, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0xe0,
                       0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
    fragment_header(bytes);
    Arena *scratch = arena_create(NULL, NULL, 0);
    PlanFragment *f;
    Error err = ERROR_INIT;
    assert_int_equal(fragment_deserialize(bytes, sizeof bytes, scratch, &f, &err), BS_ERROR);
    if (!strstr(err.message, "children")) fail_msg("unexpected error: %s", err.message);
    error_clear(&err);
    arena_destroy(scratch);
}

static void test_garbage(void **state)
{
    (void)state;
    uint8_t header[5];
    fragment_header(header);
    uint64_t seed = 99;
    uint8_t bytes[512];
    for (int round = 0; round < 2000; round++) {
        size_t len = (size_t)(round % 512);
        for (size_t i = 0; i < len; i++) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            bytes[i] = (uint8_t)(seed >> 56);
        }
        /* Half of them start with a valid header so the decoder goes deeper. */
        if (round % 2 && len >= 5) memcpy(bytes, header, 5);
        Arena *scratch = arena_create(NULL, NULL, 0);
        PlanFragment *f;
        Error err = ERROR_INIT;
        if (fragment_deserialize(bytes, len, scratch, &f, &err) != BS_OK) error_clear(&err);
        arena_destroy(scratch);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_truncated_and_corrupted),
        cmocka_unit_test(test_bad_in_lists),
        cmocka_unit_test(test_children_count),
        cmocka_unit_test(test_garbage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
