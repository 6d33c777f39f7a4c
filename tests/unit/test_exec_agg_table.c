/*
 * Unit tests: the aggregation hash table (exec/agg_table.h) driven through its public
 * functions with hand-made PLAN_HASH_AGGREGATE nodes — grouping by every kind of key
 * (integers, inline and long strings, several columns, NULLs, -0.0 and NaN), every
 * aggregate over every type, DISTINCT, PARTIAL states fed to FINAL, merging tables,
 * hundreds of thousands of groups, the one row of an aggregation without groups, sum
 * overflow, cancellation and memory limits. Groups are compared as sorted text, so the
 * tests do not depend on the order in which the table emits them.
 *
 * Input is added in chunks of at most BASALT_VECTOR_SIZE rows and emitted in as many, so
 * the tests also run with a vector size of 2.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "exec/agg_table.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static Arena *arena;       /* the test's memory: nodes, chunks, copies of output */
static MemTracker tracker; /* what the tables charge; back to 0 after each test */

static int setup(void **state)
{
    (void)state;
    arena = arena_create(NULL, NULL, 0);
    memtracker_init(&tracker, NULL, "HashAggregate", 0);
    return arena ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    arena_destroy(arena);
    arena = NULL;
    /* Every table was destroyed: nothing may still be charged. */
    assert_int_equal(memtracker_used(&tracker), 0);
    return 0;
}

/* ---- values ---------------------------------------------------------------------------- */

#define T_INT     type_make(TYPE_INTEGER)
#define T_BIGINT  type_make(TYPE_BIGINT)
#define T_DOUBLE  type_make(TYPE_DOUBLE)
#define T_VARCHAR type_make(TYPE_VARCHAR)
#define T_BOOL    type_make(TYPE_BOOLEAN)
#define T_DATE    type_make(TYPE_DATE)
#define T_TS      type_make(TYPE_TIMESTAMP)

static Value vstr(const char *s)
{
    return value_varchar(s, (uint32_t)strlen(s));
}

static Value vnull(LogicalType t)
{
    return value_null(t);
}

static Value vdate(const char *text)
{
    int32_t days;
    assert_int_equal(parse_date(text, strlen(text), &days), PARSE_OK);
    return value_date(days);
}

/* Text of a value: NULL, strings as they are, everything else in its canonical form. */
static void value_text(const Value *v, char *buf, size_t size)
{
    if (v->is_null) {
        snprintf(buf, size, "NULL");
    } else if (v->type.id == TYPE_VARCHAR) {
        snprintf(buf, size, "%.*s", (int)v->u.str.len, v->u.str.data);
    } else {
        char tmp[VALUE_TEXT_MAX];
        format_value(v, tmp);
        snprintf(buf, size, "%s", tmp);
    }
}

/* ---- plan nodes ------------------------------------------------------------------------ */

/* The result type the binder gives an aggregate of an argument of type t. */
static LogicalType result_type(AggFuncId func, LogicalType t)
{
    switch (func) {
    case AGG_COUNT_STAR:
    case AGG_COUNT:
        return T_BIGINT;
    case AGG_SUM:
        if (t.id == TYPE_DECIMAL) return type_decimal(DECIMAL_MAX_PRECISION, t.scale);
        return t.id == TYPE_DOUBLE ? T_DOUBLE : type_make(TYPE_HUGEINT);
    case AGG_AVG:
        if (t.id == TYPE_DECIMAL) {
            int scale = t.scale > 6 ? t.scale : 6;
            return type_decimal(t.precision - t.scale + scale, scale);
        }
        return T_DOUBLE;
    default:
        return t;
    }
}

static PlanAggregate agg(AggFuncId func, int arg, LogicalType arg_type)
{
    PlanAggregate a;
    memset(&a, 0, sizeof a);
    a.func = func;
    a.arg = arg;
    a.arg_type = arg_type;
    a.type = result_type(func, arg_type);
    return a;
}

static PlanAggregate agg_distinct(AggFuncId func, int arg, LogicalType arg_type)
{
    PlanAggregate a = agg(func, arg, arg_type);
    a.distinct = true;
    return a;
}

static PlanAggregate count_star(void)
{
    return agg(AGG_COUNT_STAR, -1, T_BIGINT);
}

/*
 * A hash aggregation node grouping by input columns `groups` of in_types, with its output
 * types: the keys, then per aggregate its result (SINGLE, FINAL) or its state columns
 * (PARTIAL).
 */
static PlanNode *agg_node(AggMode mode, int n_groups, const int *groups,
                          const LogicalType *in_types, int n_aggs, const PlanAggregate *aggs)
{
    PlanNode *n = arena_alloc_zero(arena, sizeof *n);
    n->kind = PLAN_HASH_AGGREGATE;
    n->u.agg.mode = mode;
    n->u.agg.n_groups = n_groups;
    n->u.agg.groups = arena_alloc_zero(arena, sizeof(int) * (size_t)(n_groups ? n_groups : 1));
    if (n_groups) memcpy(n->u.agg.groups, groups, sizeof(int) * (size_t)n_groups);
    n->u.agg.n_aggs = n_aggs;
    n->u.agg.aggs =
        arena_memdup(arena, aggs, sizeof(PlanAggregate) * (size_t)(n_aggs ? n_aggs : 1));
    n->types = arena_alloc_zero(arena, sizeof(LogicalType) * 64);
    for (int k = 0; k < n_groups; k++)
        n->types[n->n_cols++] = in_types[groups[k]];
    for (int a = 0; a < n_aggs; a++) {
        if (mode == AGG_PARTIAL) {
            for (int s = 0; s < plan_agg_state_width(&aggs[a]); s++)
                n->types[n->n_cols++] = plan_agg_state_type(&aggs[a], s);
        } else {
            n->types[n->n_cols++] = aggs[a].type;
        }
    }
    return n;
}

/*
 * The FINAL node reading a PARTIAL node's output: keys first, then each aggregate from
 * its state columns.
 */
static PlanNode *final_node(const PlanNode *partial)
{
    int n_groups = partial->u.agg.n_groups, n_aggs = partial->u.agg.n_aggs;
    int groups[8] = {0};
    PlanAggregate aggs[16];
    memset(aggs, 0, sizeof aggs);
    for (int k = 0; k < n_groups; k++)
        groups[k] = k;
    int col = n_groups;
    for (int a = 0; a < n_aggs; a++) {
        aggs[a] = partial->u.agg.aggs[a];
        aggs[a].arg = col;
        col += plan_agg_state_width(&aggs[a]);
    }
    return agg_node(AGG_FINAL, n_groups, groups, partial->types, n_aggs, aggs);
}

static AggTable *table_for(const PlanNode *node, const LogicalType *in_types)
{
    Error err = ERROR_INIT;
    AggTable *t = agg_table_create(node, in_types, &tracker, &err);
    if (!t) fail_msg("agg_table_create: %s", err.message);
    return t;
}

/* ---- input ----------------------------------------------------------------------------- */

/* Adds rows (row-major, n_cols values each) in chunks of at most BASALT_VECTOR_SIZE. */
static Status add_rows_status(AggTable *t, const LogicalType *types, int n_cols, const Value *rows,
                              idx_t n_rows, Error *err)
{
    Chunk *c = chunk_create(arena, types, n_cols, err);
    assert_non_null(c);
    Status st = BS_OK;
    for (idx_t first = 0; first < n_rows && st == BS_OK; first += BASALT_VECTOR_SIZE) {
        chunk_reset(c);
        idx_t n = BS_MIN((idx_t)BASALT_VECTOR_SIZE, n_rows - first);
        for (idx_t r = 0; r < n; r++)
            for (int col = 0; col < n_cols; col++)
                assert_int_equal(vector_set_value(&c->cols[col], r,
                                                  &rows[(first + r) * (idx_t)n_cols + col], err),
                                 BS_OK);
        c->n_rows = n;
        st = agg_table_add(t, c, err);
    }
    /* The table must have copied whatever it keeps (ASan sees a use after this). */
    chunk_destroy(c);
    return st;
}

static void add_rows(AggTable *t, const LogicalType *types, int n_cols, const Value *rows,
                     idx_t n_rows)
{
    Error err = ERROR_INIT;
    if (add_rows_status(t, types, n_cols, rows, n_rows, &err) != BS_OK)
        fail_msg("agg_table_add: %s %s", err.sqlstate, err.message);
}

/* ---- output ---------------------------------------------------------------------------- */

/* Emits every group, BASALT_VECTOR_SIZE at a time, calling fn(row values) for each. */
typedef void (*RowFn)(const Value *row, int n_cols, void *ctx);

static Status emit_all_status(AggTable *t, const PlanNode *node, RowFn fn, void *ctx, Error *err)
{
    Chunk *out = chunk_create(arena, node->types, node->n_cols, err);
    assert_non_null(out);
    uint32_t n_groups = agg_table_groups(t);
    Value row[64];
    Status st = BS_OK;
    for (uint32_t first = 0; first < n_groups && st == BS_OK; first += BASALT_VECTOR_SIZE) {
        uint32_t n = (uint32_t)BS_MIN((idx_t)BASALT_VECTOR_SIZE, (idx_t)(n_groups - first));
        chunk_reset(out);
        st = agg_table_emit(t, first, n, out, err);
        if (st != BS_OK) break;
        assert_int_equal(out->n_rows, n);
        for (uint32_t r = 0; r < n; r++) {
            for (int c = 0; c < node->n_cols; c++)
                vector_get_value(&out->cols[c], r, &row[c]);
            fn(row, node->n_cols, ctx);
        }
    }
    chunk_destroy(out);
    return st;
}

typedef struct Lines {
    char **items;
    int count, cap;
} Lines;

static void collect_line(const Value *row, int n_cols, void *ctx)
{
    Lines *lines = ctx;
    char line[1024] = "";
    size_t len = 0;
    for (int c = 0; c < n_cols; c++) {
        char text[512];
        value_text(&row[c], text, sizeof text);
        len += (size_t)snprintf(line + len, sizeof line - len, "%s%s", c ? "|" : "", text);
    }
    if (lines->count == lines->cap) {
        lines->cap = lines->cap ? lines->cap * 2 : 16;
        lines->items = realloc(lines->items, sizeof(char *) * (size_t)lines->cap);
    }
    lines->items[lines->count++] = strdup(line);
}

static int compare_lines(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_lines(Lines *lines)
{
    for (int k = 0; k < lines->count; k++)
        free(lines->items[k]);
    free(lines->items);
    memset(lines, 0, sizeof *lines);
}

/* The groups as sorted lines "key|…|value|…". */
static Lines group_lines(AggTable *t, const PlanNode *node)
{
    Lines lines = {0};
    Error err = ERROR_INIT;
    if (emit_all_status(t, node, collect_line, &lines, &err) != BS_OK)
        fail_msg("agg_table_emit: %s %s", err.sqlstate, err.message);
    qsort(lines.items, (size_t)lines.count, sizeof(char *), compare_lines);
    return lines;
}

/* The table's groups are exactly `expected` (in any order). */
static void expect_groups(AggTable *t, const PlanNode *node, const char *const *expected, int n)
{
    Lines actual = group_lines(t, node);
    const char **want = malloc(sizeof(char *) * (size_t)(n ? n : 1));
    memcpy(want, expected, sizeof(char *) * (size_t)n);
    qsort(want, (size_t)n, sizeof(char *), compare_lines);
    bool same = actual.count == n;
    for (int k = 0; same && k < n; k++)
        same = strcmp(actual.items[k], want[k]) == 0;
    if (!same) {
        fprintf(stderr, "expected %d groups:\n", n);
        for (int k = 0; k < n; k++)
            fprintf(stderr, "  %s\n", want[k]);
        fprintf(stderr, "actual %d:\n", actual.count);
        for (int k = 0; k < actual.count; k++)
            fprintf(stderr, "  %s\n", actual.items[k]);
    }
    free(want);
    free_lines(&actual);
    assert_true(same);
}

#define EXPECT_GROUPS(t, node, ...)                                                                \
    do {                                                                                           \
        const char *const want_[] = {__VA_ARGS__};                                                 \
        expect_groups(t, node, want_, (int)(sizeof want_ / sizeof want_[0]));                      \
    } while (0)

/* ---- grouping -------------------------------------------------------------------------- */

static void test_group_by_integer(void **state)
{
    (void)state;
    LogicalType in[2] = {T_INT, T_INT};
    int groups[1] = {0};
    PlanAggregate aggs[6] = {count_star(),           agg(AGG_COUNT, 1, T_INT),
                             agg(AGG_SUM, 1, T_INT), agg(AGG_MIN, 1, T_INT),
                             agg(AGG_MAX, 1, T_INT), agg(AGG_AVG, 1, T_INT)};
    PlanNode *node = agg_node(AGG_SINGLE, 1, groups, in, 6, aggs);
    AggTable *t = table_for(node, in);
    Value rows[] = {value_integer(1),  value_integer(10), value_integer(2), value_integer(20),
                    value_integer(1),  vnull(T_INT),      value_integer(1), value_integer(30),
                    value_integer(3),  vnull(T_INT),      value_integer(2), value_integer(-5),
                    value_integer(-7), value_integer(0)};
    add_rows(t, in, 2, rows, 7);
    assert_int_equal(agg_table_groups(t), 4);
    EXPECT_GROUPS(t, node, "1|3|2|40|10|30|20", "2|2|2|15|-5|20|7.5", "3|1|0|NULL|NULL|NULL|NULL",
                  "-7|1|1|0|0|0|0");
    /* More rows for the same groups update them; a new key makes a new group. */
    Value more[] = {value_integer(3), value_integer(4), value_integer(4), value_integer(4)};
    add_rows(t, in, 2, more, 2);
    EXPECT_GROUPS(t, node, "1|3|2|40|10|30|20", "2|2|2|15|-5|20|7.5", "3|2|1|4|4|4|4",
                  "-7|1|1|0|0|0|0", "4|1|1|4|4|4|4");
    agg_table_destroy(t);
}

static void test_group_by_varchar(void **state)
{
    (void)state;
    LogicalType in[2] = {T_VARCHAR, T_VARCHAR};
    int groups[1] = {0};
    PlanAggregate aggs[3] = {count_star(), agg(AGG_MIN, 1, T_VARCHAR), agg(AGG_MAX, 1, T_VARCHAR)};
    PlanNode *node = agg_node(AGG_SINGLE, 1, groups, in, 3, aggs);
    AggTable *t = table_for(node, in);
    /* Inline (up to 12 bytes) and long keys; long keys that share their 4-byte prefix and
       their first 12 bytes; the same long key from different buffers. */
    char copy[64];
    snprintf(copy, sizeof copy, "%s", "a long key that is not inline");
    Value rows[] = {
        vstr("a"),
        vstr("zebra"),
        vstr(""),
        vstr("x"),
        vstr("twelve bytes"),
        vstr("a value much longer than twelve bytes"),
        vstr("a long key that is not inline"),
        vstr("m"),
        vstr("a long key that is NOT inline"),
        vstr("n"),
        vstr("a"),
        vstr("apple"),
        value_varchar(copy, (uint32_t)strlen(copy)),
        vstr("a value much longer than twelve bytes, and then some"),
        vstr("twelve byteS"),
        vnull(T_VARCHAR),
        vstr("a"),
        vnull(T_VARCHAR),
    };
    add_rows(t, in, 2, rows, 9);
    assert_int_equal(agg_table_groups(t), 6);
    EXPECT_GROUPS(t, node, "a|3|apple|zebra", "|1|x|x",
                  "twelve bytes|1|a value much longer than twelve bytes|a value much longer than "
                  "twelve bytes",
                  "a long key that is not inline|2|a value much longer than twelve bytes, and then "
                  "some|m",
                  "a long key that is NOT inline|1|n|n", "twelve byteS|1|NULL|NULL");
    agg_table_destroy(t);
}

static void test_multiple_keys(void **state)
{
    (void)state;
    LogicalType in[4] = {T_INT, T_INT, T_VARCHAR, T_DATE};
    int groups[3] = {0, 1, 3};
    PlanAggregate aggs[2] = {count_star(), agg(AGG_MAX, 2, T_VARCHAR)};
    PlanNode *node = agg_node(AGG_SINGLE, 3, groups, in, 2, aggs);
    AggTable *t = table_for(node, in);
    Value d1 = vdate("2024-01-02"), d2 = vdate("1999-12-31");
    Value rows[] = {
        value_integer(1), value_integer(2), vstr("p"), d1, /* (1,2,d1) */
        value_integer(2), value_integer(1), vstr("q"), d1, /* (2,1,d1): not (1,2,d1) */
        value_integer(1), value_integer(2), vstr("r"), d2, /* (1,2,d2) */
        value_integer(1), value_integer(2), vstr("s"), d1, /* (1,2,d1) again */
        value_integer(2), value_integer(1), vstr("a"), d1, /* (2,1,d1) again */
    };
    add_rows(t, in, 4, rows, 5);
    EXPECT_GROUPS(t, node, "1|2|2024-01-02|2|s", "2|1|2024-01-02|2|q", "1|2|1999-12-31|1|r");
    agg_table_destroy(t);
}

static void test_null_keys(void **state)
{
    (void)state;
    LogicalType in[3] = {T_INT, T_VARCHAR, T_BIGINT};
    int groups[2] = {0, 1};
    PlanAggregate aggs[2] = {count_star(), agg(AGG_SUM, 2, T_BIGINT)};
    PlanNode *node = agg_node(AGG_SINGLE, 2, groups, in, 2, aggs);
    AggTable *t = table_for(node, in);
    /* NULL is one group of its own: not 0, not the empty string. */
    Value rows[] = {vnull(T_INT),     vstr("a"),       value_bigint(1),  value_integer(0),
                    vstr("a"),        value_bigint(2), vnull(T_INT),     vstr("a"),
                    value_bigint(4),  vnull(T_INT),    vnull(T_VARCHAR), value_bigint(8),
                    vnull(T_INT),     vstr(""),        value_bigint(16), vnull(T_INT),
                    vnull(T_VARCHAR), value_bigint(32)};
    add_rows(t, in, 3, rows, 6);
    EXPECT_GROUPS(t, node, "NULL|a|2|5", "0|a|1|2", "NULL|NULL|2|40", "NULL||1|16");

    /* A NULL key appearing only after many groups (the validity grows with the table). */
    AggTable *t2 = table_for(node, in);
    int n = 3000;
    Value *many = calloc((size_t)(n + 1) * 3, sizeof(Value));
    for (int k = 0; k < n; k++) {
        many[k * 3] = value_integer(k);
        many[k * 3 + 1] = vstr("k");
        many[k * 3 + 2] = value_bigint(k);
    }
    many[n * 3] = vnull(T_INT);
    many[n * 3 + 1] = vstr("k");
    many[n * 3 + 2] = value_bigint(-1);
    add_rows(t2, in, 3, many, (idx_t)n + 1);
    assert_int_equal(agg_table_groups(t2), n + 1);
    Lines lines = group_lines(t2, node);
    int nulls = 0;
    for (int k = 0; k < lines.count; k++)
        nulls += strcmp(lines.items[k], "NULL|k|1|-1") == 0;
    assert_int_equal(nulls, 1);
    free_lines(&lines);
    free(many);
    agg_table_destroy(t2);
    agg_table_destroy(t);
}

typedef struct DoubleGroups {
    int zero, nan, other, rows;
} DoubleGroups;

static void classify_double(const Value *row, int n_cols, void *ctx)
{
    (void)n_cols;
    DoubleGroups *g = ctx;
    g->rows++;
    double key = row[0].u.f64;
    if (isnan(key)) {
        assert_int_equal(row[1].u.i64, 3);
        g->nan++;
    } else if (key == 0) {
        assert_int_equal(row[1].u.i64, 2);
        g->zero++;
    } else {
        assert_true(key == 1.5);
        assert_int_equal(row[1].u.i64, 1);
        g->other++;
    }
}

static void test_double_keys(void **state)
{
    (void)state;
    LogicalType in[1] = {T_DOUBLE};
    int groups[1] = {0};
    PlanAggregate aggs[1] = {count_star()};
    PlanNode *node = agg_node(AGG_SINGLE, 1, groups, in, 1, aggs);
    AggTable *t = table_for(node, in);
    /* -0.0 and 0.0 are one group; every NaN (whatever its sign and payload) is one. */
    double neg_nan = -NAN;
    uint64_t bits = UINT64_C(0x7ff8000000000123);
    double payload_nan;
    memcpy(&payload_nan, &bits, sizeof payload_nan);
    Value rows[] = {value_double(0.0),     value_double(NAN), value_double(-0.0),
                    value_double(neg_nan), value_double(1.5), value_double(payload_nan)};
    add_rows(t, in, 1, rows, 6);
    assert_int_equal(agg_table_groups(t), 3);
    DoubleGroups g = {0};
    Error err = ERROR_INIT;
    assert_int_equal(emit_all_status(t, node, classify_double, &g, &err), BS_OK);
    assert_int_equal(g.rows, 3);
    assert_int_equal(g.zero, 1);
    assert_int_equal(g.nan, 1);
    assert_int_equal(g.other, 1);
    agg_table_destroy(t);
}

/* Selections, constant and dictionary vectors in the input chunk. */
static void test_vector_kinds_and_selection(void **state)
{
    (void)state;
    LogicalType in[2] = {T_VARCHAR, T_BIGINT};
    int groups[1] = {0};
    PlanAggregate aggs[2] = {count_star(), agg(AGG_SUM, 1, T_BIGINT)};
    PlanNode *node = agg_node(AGG_SINGLE, 1, groups, in, 2, aggs);
    AggTable *t = table_for(node, in);
    Error err = ERROR_INIT;
    Chunk *c = chunk_create(arena, in, 2, &err);
    assert_non_null(c);
    idx_t n = BASALT_VECTOR_SIZE;

    /* A constant key over flat values: one group. */
    Value key = vstr("constant key, long enough to be stored by pointer");
    assert_int_equal(vector_set_constant(&c->cols[0], &key, &err), BS_OK);
    for (idx_t r = 0; r < n; r++)
        ((int64_t *)c->cols[1].data)[r] = (int64_t)r + 1;
    c->n_rows = n;
    assert_int_equal(agg_table_add(t, c, &err), BS_OK);

    /* A selection with gaps: only the odd rows (or row 1 alone) count. */
    chunk_reset(c);
    for (idx_t r = 0; r < n; r++) {
        Value v = vstr(r % 2 ? "odd" : "even");
        assert_int_equal(vector_set_value(&c->cols[0], r, &v, &err), BS_OK);
        ((int64_t *)c->cols[1].data)[r] = 100;
    }
    sel_t *sel = arena_alloc(arena, sizeof(sel_t) * BASALT_VECTOR_SIZE);
    idx_t n_sel = 0;
    for (idx_t r = 1; r < n; r += 2)
        sel[n_sel++] = (sel_t)r;
    c->sel = sel;
    c->n_rows = n_sel;
    assert_int_equal(agg_table_add(t, c, &err), BS_OK);

    /* A dictionary key and a dictionary argument, with a selection on top. */
    chunk_reset(c);
    Vector dict_child;
    assert_int_equal(vector_init(&dict_child, T_VARCHAR, arena, arena, &err), BS_OK);
    Value words[2] = {vstr("dictionary word number zero"), vstr("dict one")};
    for (idx_t r = 0; r < BS_MIN(n, (idx_t)2); r++)
        assert_int_equal(vector_set_value(&dict_child, r, &words[r], &err), BS_OK);
    sel_t *indices = arena_alloc(arena, sizeof(sel_t) * BASALT_VECTOR_SIZE);
    for (idx_t r = 0; r < n; r++)
        indices[r] = (sel_t)(n >= 2 ? (r + 1) % 2 : 0); /* row 0 → word 1 (when there is one) */
    c->cols[0].kind = VEC_DICTIONARY;
    c->cols[0].data = indices;
    c->cols[0].child = &dict_child;
    Vector values_child;
    assert_int_equal(vector_init(&values_child, T_BIGINT, arena, arena, &err), BS_OK);
    ((int64_t *)values_child.data)[0] = 1000;
    c->cols[1].kind = VEC_DICTIONARY;
    c->cols[1].data = SEL_ZERO;
    c->cols[1].child = &values_child;
    sel[0] = 0;
    c->sel = sel;
    c->n_rows = 1;
    assert_int_equal(agg_table_add(t, c, &err), BS_OK);

    char constant_group[128], odd_group[64], dict_group[64];
    long long sum = (long long)n * ((long long)n + 1) / 2;
    snprintf(constant_group, sizeof constant_group,
             "constant key, long enough to be stored by pointer|%llu|%lld", (unsigned long long)n,
             sum);
    snprintf(odd_group, sizeof odd_group, "odd|%llu|%llu", (unsigned long long)n_sel,
             (unsigned long long)n_sel * 100);
    snprintf(dict_group, sizeof dict_group, "%s|1|1000",
             n >= 2 ? "dict one" : "dictionary word number zero");
    EXPECT_GROUPS(t, node, constant_group, odd_group, dict_group);
    agg_table_destroy(t);
}

/* ---- aggregates over each type --------------------------------------------------------- */

static void test_aggregates_over_each_type(void **state)
{
    (void)state;
    LogicalType dec = type_decimal(10, 2);
    LogicalType in[8] = {T_BIGINT, T_DOUBLE, dec, T_VARCHAR, T_DATE, T_TS, T_BOOL, T_INT};
    PlanAggregate aggs[] = {
        agg(AGG_SUM, 0, T_BIGINT),
        agg(AGG_AVG, 0, T_BIGINT),
        agg(AGG_MIN, 0, T_BIGINT),
        agg(AGG_MAX, 0, T_BIGINT),
        agg(AGG_SUM, 1, T_DOUBLE),
        agg(AGG_AVG, 1, T_DOUBLE),
        agg(AGG_MIN, 1, T_DOUBLE),
        agg(AGG_MAX, 1, T_DOUBLE),
        agg(AGG_SUM, 2, dec),
        agg(AGG_AVG, 2, dec),
        agg(AGG_MIN, 2, dec),
        agg(AGG_MAX, 2, dec),
        agg(AGG_COUNT, 3, T_VARCHAR),
        agg(AGG_MIN, 3, T_VARCHAR),
        agg(AGG_MAX, 3, T_VARCHAR),
        agg(AGG_MIN, 4, T_DATE),
        agg(AGG_MAX, 4, T_DATE),
        agg(AGG_MIN, 5, T_TS),
        agg(AGG_MAX, 5, T_TS),
        agg(AGG_MIN, 6, T_BOOL),
        agg(AGG_MAX, 6, T_BOOL),
        agg(AGG_COUNT, 7, T_INT),
        count_star(),
    };
    int n_aggs = (int)(sizeof aggs / sizeof aggs[0]);
    PlanNode *node = agg_node(AGG_SINGLE, 0, NULL, in, n_aggs, aggs);
    AggTable *t = table_for(node, in);
    Value rows[] = {
        value_bigint(INT64_C(5000000000)),
        value_double(1.5),
        value_decimal(125, 10, 2),
        vstr("pear, a fruit with a long name"),
        vdate("2024-02-29"),
        value_timestamp(INT64_C(1000000)),
        value_boolean(true),
        vnull(T_INT),

        value_bigint(-2),
        value_double(-0.25),
        value_decimal(-50, 10, 2),
        vstr("apple"),
        vdate("1970-01-01"),
        value_timestamp(INT64_C(-1)),
        value_boolean(false),
        value_integer(3),

        vnull(T_BIGINT),
        vnull(T_DOUBLE),
        vnull(type_decimal(10, 2)),
        vnull(T_VARCHAR),
        vnull(T_DATE),
        vnull(T_TS),
        vnull(T_BOOL),
        vnull(T_INT),

        value_bigint(0),
        value_double(4.0),
        value_decimal(250, 10, 2),
        vstr("pear, a fruit with a long name!"),
        vdate("2000-06-15"),
        value_timestamp(INT64_C(86400000000)),
        value_boolean(true),
        value_integer(0),
    };
    add_rows(t, in, 8, rows, 4);
    assert_int_equal(agg_table_groups(t), 1);
    EXPECT_GROUPS(t, node,
                  "4999999998|1666666666|-2|5000000000|"            /* bigint */
                  "5.25|1.75|-0.25|4|"                              /* double */
                  "3.25|1.083333|-0.50|2.50|"             /* decimal(10,2) */
                  "3|apple|pear, a fruit with a long name!|"        /* varchar */
                  "1970-01-01|2024-02-29|"                          /* date */
                  "1969-12-31 23:59:59.999999|1970-01-02 00:00:00|" /* timestamp */
                  "false|true|"                                     /* boolean */
                  "2|4");
    agg_table_destroy(t);
}

static void test_min_max_nan(void **state)
{
    (void)state;
    LogicalType in[1] = {T_DOUBLE};
    PlanAggregate aggs[3] = {agg(AGG_MIN, 0, T_DOUBLE), agg(AGG_MAX, 0, T_DOUBLE),
                             agg(AGG_SUM, 0, T_DOUBLE)};
    PlanNode *node = agg_node(AGG_SINGLE, 0, NULL, in, 3, aggs);
    AggTable *t = table_for(node, in);
    /* NaN sorts above every number (as in PostgreSQL), whatever comes first. */
    Value rows[] = {value_double(2), value_double(NAN), value_double(-1e300), value_double(1e300)};
    add_rows(t, in, 1, rows, 4);
    EXPECT_GROUPS(t, node, "-1e+300|NaN|NaN");
    agg_table_destroy(t);
}

/* ---- DISTINCT -------------------------------------------------------------------------- */

static void test_distinct(void **state)
{
    (void)state;
    LogicalType in[4] = {T_INT, T_INT, T_VARCHAR, T_DOUBLE};
    int groups[1] = {0};
    PlanAggregate aggs[] = {
        agg_distinct(AGG_COUNT, 1, T_INT),     agg_distinct(AGG_SUM, 1, T_INT),
        agg_distinct(AGG_AVG, 1, T_INT),       agg(AGG_SUM, 1, T_INT),
        agg_distinct(AGG_COUNT, 2, T_VARCHAR), agg_distinct(AGG_COUNT, 3, T_DOUBLE),
        agg_distinct(AGG_MAX, 2, T_VARCHAR),   count_star(),
    };
    int n_aggs = (int)(sizeof aggs / sizeof aggs[0]);
    PlanNode *node = agg_node(AGG_SINGLE, 1, groups, in, n_aggs, aggs);
    AggTable *t = table_for(node, in);
    const char *long1 = "a distinct long string value";
    char long1_copy[64];
    snprintf(long1_copy, sizeof long1_copy, "%s", long1);
    Value rows[] = {
        /* group 1: ints 5, 5, 7, NULL; strings long1 twice (two buffers) and "b";
           doubles 0.0, -0.0, NaN, NaN → 2 distinct */
        value_integer(1),
        value_integer(5),
        vstr(long1),
        value_double(0.0),
        value_integer(1),
        value_integer(5),
        value_varchar(long1_copy, (uint32_t)strlen(long1)),
        value_double(-0.0),
        value_integer(1),
        value_integer(7),
        vstr("b"),
        value_double(NAN),
        value_integer(1),
        vnull(T_INT),
        vnull(T_VARCHAR),
        value_double(-NAN),
        /* group 2: the same values count again in another group */
        value_integer(2),
        value_integer(5),
        vstr("b"),
        value_double(0.0),
        value_integer(2),
        value_integer(5),
        vstr("b"),
        vnull(T_DOUBLE),
        /* group 3: only NULLs */
        value_integer(3),
        vnull(T_INT),
        vnull(T_VARCHAR),
        vnull(T_DOUBLE),
    };
    add_rows(t, in, 4, rows, 7);
    EXPECT_GROUPS(t, node, "1|2|12|6|17|2|2|b|4", "2|1|5|5|10|1|1|b|2",
                  "3|0|NULL|NULL|NULL|0|0|NULL|1");
    agg_table_destroy(t);
}

/* ---- PARTIAL → FINAL ------------------------------------------------------------------- */

typedef struct Feed {
    AggTable *final;
    Chunk *chunk;
} Feed;

/* Appends one emitted state row to the FINAL table's input chunk, adding it when full. */
static void feed_final(const Value *row, int n_cols, void *ctx)
{
    Feed *f = ctx;
    Error err = ERROR_INIT;
    for (int c = 0; c < n_cols; c++)
        assert_int_equal(vector_set_value(&f->chunk->cols[c], f->chunk->n_rows, &row[c], &err),
                         BS_OK);
    if (++f->chunk->n_rows == BASALT_VECTOR_SIZE) {
        assert_int_equal(agg_table_add(f->final, f->chunk, &err), BS_OK);
        chunk_reset(f->chunk);
    }
}

/* Emits partial's states and adds them to final. */
static void partial_to_final(AggTable *partial, const PlanNode *partial_node, AggTable *final)
{
    Error err = ERROR_INIT;
    Feed f = {final, chunk_create(arena, partial_node->types, partial_node->n_cols, &err)};
    assert_non_null(f.chunk);
    assert_int_equal(emit_all_status(partial, partial_node, feed_final, &f, &err), BS_OK);
    if (f.chunk->n_rows) assert_int_equal(agg_table_add(final, f.chunk, &err), BS_OK);
    chunk_destroy(f.chunk);
}

static void test_partial_final_round_trip(void **state)
{
    (void)state;
    LogicalType dec = type_decimal(12, 3);
    LogicalType in[6] = {T_VARCHAR, T_INT, T_DOUBLE, dec, T_DATE, T_VARCHAR};
    int groups[1] = {0};
    PlanAggregate aggs[] = {
        count_star(),
        agg(AGG_COUNT, 1, T_INT),
        agg(AGG_SUM, 1, T_INT),
        agg(AGG_AVG, 1, T_INT),
        agg(AGG_SUM, 2, T_DOUBLE),
        agg(AGG_AVG, 2, T_DOUBLE),
        agg(AGG_SUM, 3, dec),
        agg(AGG_AVG, 3, dec),
        agg(AGG_MIN, 4, T_DATE),
        agg(AGG_MAX, 4, T_DATE),
        agg(AGG_MIN, 5, T_VARCHAR),
        agg(AGG_MAX, 5, T_VARCHAR),
    };
    int n_aggs = (int)(sizeof aggs / sizeof aggs[0]);
    PlanNode *single = agg_node(AGG_SINGLE, 1, groups, in, n_aggs, aggs);
    PlanNode *partial = agg_node(AGG_PARTIAL, 1, groups, in, n_aggs, aggs);
    PlanNode *final = final_node(partial);
    /* avg has three state columns over exact numbers (the sum's high and low 64 bits,
       the count) and two over doubles (sum, count); everything else one. */
    assert_int_equal(partial->n_cols, 1 + n_aggs + 2 + 1 + 2);
    assert_int_equal(final->n_cols, 1 + n_aggs);

    int n = 40;
    Value *rows = calloc((size_t)n * 6, sizeof(Value));
    char(*names)[48] = calloc((size_t)n, 48);
    for (int k = 0; k < n; k++) {
        Value *r = &rows[k * 6];
        r[0] = vstr(k % 3 == 0   ? "group zero, long enough for a pointer"
                    : k % 3 == 1 ? "one"
                                 : "two");
        r[1] = k % 5 == 0 ? vnull(T_INT) : value_integer(k * 10 - 100);
        r[2] = value_double(k * 0.5);
        r[3] = k % 4 == 0 ? vnull(dec) : value_decimal(k * 1001, 12, 3);
        r[4] = value_date(k * 100 - 2000);
        snprintf(names[k], sizeof names[k], "name %02d, stored out of line", (k * 7) % n);
        r[5] = vstr(names[k]);
    }
    /* A group whose arguments are all NULL: its states say "nothing seen". */
    Value nothing[6] = {vstr("nulls"), vnull(T_INT),  vnull(T_DOUBLE),
                        vnull(dec),    vnull(T_DATE), vnull(T_VARCHAR)};

    AggTable *t_single = table_for(single, in);
    add_rows(t_single, in, 6, rows, (idx_t)n);
    add_rows(t_single, in, 6, nothing, 1);

    /* Two PARTIAL tables (two workers), each with part of the rows, into one FINAL. */
    AggTable *p1 = table_for(partial, in), *p2 = table_for(partial, in);
    add_rows(p1, in, 6, rows, (idx_t)n / 2);
    add_rows(p2, in, 6, rows + (n / 2) * 6, (idx_t)(n - n / 2));
    add_rows(p2, in, 6, nothing, 1);
    AggTable *t_final = table_for(final, partial->types);
    partial_to_final(p1, partial, t_final);
    partial_to_final(p2, partial, t_final);
    agg_table_destroy(p1);
    agg_table_destroy(p2);

    Lines a = group_lines(t_single, single), b = group_lines(t_final, final);
    assert_int_equal(a.count, 4);
    assert_int_equal(b.count, 4);
    for (int k = 0; k < a.count; k++)
        assert_string_equal(a.items[k], b.items[k]);
    /* And the values themselves (sorted: "group zero…", "nulls", "one", "two"); "one" is
       k = 1, 4, …, 37. */
    assert_string_equal(a.items[1], "nulls|1|0|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL");
    assert_string_equal(a.items[2], "one|13|11|1020|92.72727272727273|123.5|9.5|199.199|"
                                    "19.919900|1964-10-19|1974-08-28|"
                                    "name 07, stored out of line|name 38, stored out of line");
    free_lines(&a);
    free_lines(&b);
    free(rows);
    free(names);
    agg_table_destroy(t_single);
    agg_table_destroy(t_final);
}

/* ---- merging --------------------------------------------------------------------------- */

/* ---- a task to merge under ------------------------------------------------------------- */

/* A task over an empty VALUES fragment, never started: what merge checks for cancellation. */
static Task *make_task(atomic_bool *cancel, LocalExchange **x_out)
{
    Error err = ERROR_INIT;
    LogicalType types[1] = {T_INT};
    PlanNode *values = arena_alloc_zero(arena, sizeof *values);
    values->kind = PLAN_VALUES;
    values->n_cols = 1;
    values->types = arena_memdup(arena, types, sizeof types);
    values->u.values.n_rows = 0;
    PlanFragment *frag = arena_alloc_zero(arena, sizeof *frag);
    frag->root = values;
    frag->consumer = -1;
    frag->n_tasks = 1;
    frag->output.kind = EXCHANGE_GATHER;
    LocalExchange *x = local_exchange_create(types, 1, 1, false, 1 << 20, NULL, &err);
    assert_non_null(x);
    TaskConfig cfg = {.max_drivers = 1, .cancel = cancel, .output = local_exchange_sink(x)};
    Task *task = task_create(frag, &cfg, &err);
    if (!task) fail_msg("task_create: %s", err.message);
    *x_out = x;
    return task;
}

static void free_task(Task *task, LocalExchange *x)
{
    task_destroy(task);
    local_exchange_destroy(x);
}

static void test_merge(void **state)
{
    (void)state;
    LogicalType in[2] = {T_VARCHAR, T_INT};
    int groups[1] = {0};
    PlanAggregate aggs[] = {count_star(),
                            agg(AGG_SUM, 1, T_INT),
                            agg(AGG_MIN, 1, T_INT),
                            agg(AGG_MAX, 0, T_VARCHAR),
                            agg_distinct(AGG_COUNT, 1, T_INT),
                            agg(AGG_AVG, 1, T_INT)};
    int n_aggs = (int)(sizeof aggs / sizeof aggs[0]);
    PlanNode *node = agg_node(AGG_SINGLE, 1, groups, in, n_aggs, aggs);
    AggTable *dst = table_for(node, in), *src = table_for(node, in);
    const char *shared = "a group both tables have, stored out of line";
    const char *only_src = "a group only the second table has";
    Value rows_dst[] = {vstr(shared),     value_integer(1), vstr("d"),    value_integer(2),
                        vnull(T_VARCHAR), value_integer(3), vstr(shared), value_integer(4)};
    Value rows_src[] = {vstr(shared),     value_integer(4), vstr(only_src), value_integer(10),
                        vnull(T_VARCHAR), vnull(T_INT),     vstr(shared),   value_integer(-1)};
    add_rows(dst, in, 2, rows_dst, 4);
    add_rows(src, in, 2, rows_src, 4);

    atomic_bool cancel = false;
    LocalExchange *x;
    Task *task = make_task(&cancel, &x);
    Error err = ERROR_INIT;
    assert_int_equal(agg_table_merge(dst, src, task, &err), BS_OK);
    /* src is unchanged */
    EXPECT_GROUPS(
        src, node,
        "a group both tables have, stored out of line|2|3|-1|"
        "a group both tables have, stored out of line|2|1.5",
        "a group only the second table has|1|10|10|a group only the second table has|1|10",
        "NULL|1|NULL|NULL|NULL|0|NULL");
    /* dst's strings must not point into src */
    agg_table_destroy(src);
    EXPECT_GROUPS(
        dst, node,
        "a group both tables have, stored out of line|4|8|-1|"
        "a group both tables have, stored out of line|3|2",
        "a group only the second table has|1|10|10|a group only the second table has|1|10",
        "d|1|2|2|d|1|2", "NULL|2|3|3|NULL|1|3");

    /* Merging into a table without groups, and from an empty one. */
    PlanNode *flat = agg_node(AGG_SINGLE, 0, NULL, in, n_aggs, aggs);
    AggTable *a = table_for(flat, in), *b = table_for(flat, in), *empty = table_for(flat, in);
    add_rows(a, in, 2, rows_dst, 4);
    add_rows(b, in, 2, rows_src, 4);
    assert_int_equal(agg_table_merge(a, b, task, &err), BS_OK);
    assert_int_equal(agg_table_merge(a, empty, task, &err), BS_OK);
    EXPECT_GROUPS(a, flat, "8|23|-1|d|6|3.2857142857142856");
    assert_int_equal(agg_table_merge(empty, empty, task, &err), BS_OK);
    EXPECT_GROUPS(empty, flat, "0|NULL|NULL|NULL|0|NULL");

    /* A cancelled query stops the merge with 57014. */
    atomic_store(&cancel, true);
    assert_int_equal(agg_table_merge(b, a, task, &err), BS_ERROR);
    assert_string_equal(err.sqlstate, SQLSTATE_QUERY_CANCELED);
    error_clear(&err);

    agg_table_destroy(a);
    agg_table_destroy(b);
    agg_table_destroy(empty);
    agg_table_destroy(dst);
    free_task(task, x);
}

/* ---- many groups ----------------------------------------------------------------------- */

typedef struct ManyCheck {
    uint8_t *seen;
    int64_t n_keys;
    int64_t rows;
    int64_t twice_from, twice_to; /* keys added by both tables: counts and sums double */
} ManyCheck;

/* Keys are k * 7919 for k in [0, n_keys); each table adds every key of its range twice,
   with x = k and x = 2k: count 2 and sum 3k per table. */
static void check_many(const Value *row, int n_cols, void *ctx)
{
    (void)n_cols;
    ManyCheck *m = ctx;
    int64_t key = row[0].u.i64;
    assert_int_equal(key % 7919, 0);
    int64_t k = key / 7919;
    assert_true(k >= 0 && k < m->n_keys);
    assert_false(m->seen[k]);
    m->seen[k] = 1;
    int64_t times = k >= m->twice_from && k < m->twice_to ? 2 : 1;
    assert_int_equal(row[1].u.i64, 2 * times);
    assert_int_equal(row[2].u.i64, 3 * k * times);
    m->rows++;
}

static void add_many(AggTable *t, const LogicalType *in, int64_t from, int64_t to)
{
    Error err = ERROR_INIT;
    Chunk *c = chunk_create(arena, in, 2, &err);
    assert_non_null(c);
    for (int pass = 1; pass <= 2; pass++) {
        for (int64_t first = from; first < to; first += BASALT_VECTOR_SIZE) {
            chunk_reset(c);
            idx_t n = (idx_t)BS_MIN((int64_t)BASALT_VECTOR_SIZE, to - first);
            for (idx_t r = 0; r < n; r++) {
                int64_t k = first + (int64_t)r;
                ((int64_t *)c->cols[0].data)[r] = k * 7919;
                ((int64_t *)c->cols[1].data)[r] = k * pass;
            }
            c->n_rows = n;
            assert_int_equal(agg_table_add(t, c, &err), BS_OK);
        }
    }
    chunk_destroy(c);
}

static void test_many_groups(void **state)
{
    (void)state;
    LogicalType in[2] = {T_BIGINT, T_BIGINT};
    int groups[1] = {0};
    PlanAggregate aggs[2] = {count_star(), agg(AGG_SUM, 1, T_BIGINT)};
    PlanNode *node = agg_node(AGG_SINGLE, 1, groups, in, 2, aggs);
    int64_t n = 150000;
    AggTable *t = table_for(node, in);
    add_many(t, in, 0, n);
    assert_int_equal(agg_table_groups(t), n);
    ManyCheck m = {calloc((size_t)(n + n / 2), 1), n, 0, 0, 0};
    Error err = ERROR_INIT;
    assert_int_equal(emit_all_status(t, node, check_many, &m, &err), BS_OK);
    assert_int_equal(m.rows, n);

    /* Merge a table with keys [n/2, 3n/2): half shared, half new (dst grows in the merge). */
    AggTable *u = table_for(node, in);
    add_many(u, in, n / 2, n + n / 2);
    atomic_bool cancel = false;
    LocalExchange *x;
    Task *task = make_task(&cancel, &x);
    assert_int_equal(agg_table_merge(t, u, task, &err), BS_OK);
    free_task(task, x);
    agg_table_destroy(u);
    assert_int_equal(agg_table_groups(t), n + n / 2);
    memset(m.seen, 0, (size_t)(n + n / 2));
    m.n_keys = n + n / 2;
    m.rows = 0;
    m.twice_from = n / 2;
    m.twice_to = n;
    assert_int_equal(emit_all_status(t, node, check_many, &m, &err), BS_OK);
    assert_int_equal(m.rows, n + n / 2);
    free(m.seen);
    agg_table_destroy(t);
}

/* ---- no groups, overflow, memory --------------------------------------------------------- */

static void test_no_groups_no_rows(void **state)
{
    (void)state;
    LogicalType in[2] = {T_INT, T_VARCHAR};
    PlanAggregate aggs[] = {count_star(),
                            agg(AGG_COUNT, 0, T_INT),
                            agg(AGG_SUM, 0, T_INT),
                            agg(AGG_MIN, 0, T_INT),
                            agg(AGG_MAX, 1, T_VARCHAR),
                            agg(AGG_AVG, 0, T_INT),
                            agg_distinct(AGG_COUNT, 1, T_VARCHAR)};
    int n_aggs = (int)(sizeof aggs / sizeof aggs[0]);
    PlanNode *node = agg_node(AGG_SINGLE, 0, NULL, in, n_aggs, aggs);
    AggTable *t = table_for(node, in);
    /* One group before any input, and after a chunk of no rows. */
    assert_int_equal(agg_table_groups(t), 1);
    EXPECT_GROUPS(t, node, "0|0|NULL|NULL|NULL|NULL|0");
    add_rows(t, in, 2, NULL, 0);
    Error err = ERROR_INIT;
    Chunk *c = chunk_create(arena, in, 2, &err);
    c->n_rows = 0;
    assert_int_equal(agg_table_add(t, c, &err), BS_OK);
    chunk_destroy(c);
    assert_int_equal(agg_table_groups(t), 1);
    EXPECT_GROUPS(t, node, "0|0|NULL|NULL|NULL|NULL|0");

    /* The same through PARTIAL and FINAL: the empty states make the same row. */
    PlanNode *partial = agg_node(AGG_PARTIAL, 0, NULL, in, n_aggs - 1, aggs);
    PlanNode *final = final_node(partial);
    AggTable *p = table_for(partial, in), *f = table_for(final, partial->types);
    assert_int_equal(agg_table_groups(p), 1);
    partial_to_final(p, partial, f);
    EXPECT_GROUPS(f, final, "0|0|NULL|NULL|NULL|NULL");
    agg_table_destroy(p);
    agg_table_destroy(f);

    /* With groups, no rows make no groups. */
    int groups[1] = {0};
    PlanNode *grouped = agg_node(AGG_SINGLE, 1, groups, in, n_aggs, aggs);
    AggTable *g = table_for(grouped, in);
    add_rows(g, in, 2, NULL, 0);
    assert_int_equal(agg_table_groups(g), 0);
    agg_table_destroy(g);
    agg_table_destroy(t);
}

static void test_sum_overflow(void **state)
{
    (void)state;
    LogicalType in[2] = {T_BIGINT, T_INT};
    PlanAggregate sum_big[1] = {agg(AGG_SUM, 0, T_BIGINT)};
    PlanNode *node = agg_node(AGG_SINGLE, 0, NULL, in, 1, sum_big);
    Error err = ERROR_INIT;

    /* A sum of BIGINTs is a HUGEINT: passing INT64_MAX moves the int64 part into the
       128-bit sum (the fast loop). */
    AggTable *t = table_for(node, in);
    Value rows[] = {value_bigint(INT64_MAX - 1), value_integer(0), value_bigint(2),
                    value_integer(0)};
    add_rows(t, in, 2, rows, 2);
    EXPECT_GROUPS(t, node, "9223372036854775808");
    agg_table_destroy(t);

    /* The negative way, with NULLs among the values (the general loop). */
    t = table_for(node, in);
    Value neg[] = {value_bigint(INT64_MIN + 1),
                   value_integer(0),
                   vnull(T_BIGINT),
                   value_integer(0),
                   value_bigint(-2),
                   value_integer(0)};
    add_rows(t, in, 2, neg, 3);
    EXPECT_GROUPS(t, node, "-9223372036854775809");
    agg_table_destroy(t);

    /* Two tables merged, and FINAL from two partial states, each past INT64_MAX. */
    atomic_bool cancel = false;
    LocalExchange *x;
    Task *task = make_task(&cancel, &x);
    AggTable *a = table_for(node, in), *b = table_for(node, in);
    Value half[] = {value_bigint(INT64_MAX / 2 + 1), value_integer(0)};
    add_rows(a, in, 2, half, 1);
    add_rows(b, in, 2, half, 1);
    assert_int_equal(agg_table_merge(a, b, task, &err), BS_OK);
    EXPECT_GROUPS(a, node, "9223372036854775808");
    agg_table_destroy(a);
    agg_table_destroy(b);

    PlanNode *partial = agg_node(AGG_PARTIAL, 0, NULL, in, 1, sum_big);
    PlanNode *final = final_node(partial);
    AggTable *p = table_for(partial, in), *f = table_for(final, partial->types);
    add_rows(p, in, 2, half, 1);
    partial_to_final(p, partial, f);
    Chunk *states = chunk_create(arena, partial->types, partial->n_cols, &err);
    assert_int_equal(agg_table_emit(p, 0, 1, states, &err), BS_OK);
    assert_int_equal(agg_table_add(f, states, &err), BS_OK);
    EXPECT_GROUPS(f, final, "9223372036854775808");
    chunk_destroy(states);
    agg_table_destroy(p);
    agg_table_destroy(f);
    free_task(task, x);

    /* A HUGEINT sum fails past 2^127 - 1. */
    LogicalType huge_in[1] = {type_make(TYPE_HUGEINT)};
    PlanAggregate sum_huge[1] = {agg(AGG_SUM, 0, type_make(TYPE_HUGEINT))};
    PlanNode *huge_node = agg_node(AGG_SINGLE, 0, NULL, huge_in, 1, sum_huge);
    t = table_for(huge_node, huge_in);
    Value huge[] = {value_hugeint(INT128_MAX_VALUE), value_hugeint(1)};
    assert_int_equal(add_rows_status(t, huge_in, 1, huge, 2, &err), BS_ERROR);
    assert_string_equal(err.sqlstate, SQLSTATE_NUMERIC_OUT_OF_RANGE);
    assert_non_null(strstr(err.message, "hugeint out of range"));
    error_clear(&err);
    agg_table_destroy(t);

    /* A BIGINT-typed sum (the planner's sum of INSERT counts) still checks int64. */
    PlanAggregate sum_count[1] = {agg(AGG_SUM, 0, T_BIGINT)};
    sum_count[0].type = T_BIGINT;
    PlanNode *count_node = agg_node(AGG_SINGLE, 0, NULL, in, 1, sum_count);
    t = table_for(count_node, in);
    assert_int_equal(add_rows_status(t, in, 2, rows, 2, &err), BS_ERROR);
    assert_string_equal(err.sqlstate, SQLSTATE_NUMERIC_OUT_OF_RANGE);
    assert_non_null(strstr(err.message, "bigint out of range"));
    error_clear(&err);
    agg_table_destroy(t);

    /* sum(integer) is a hugeint: no overflow at 32 bits (the INTEGER fast loop). */
    PlanAggregate sum_int[1] = {agg(AGG_SUM, 1, T_INT)};
    PlanNode *int_node = agg_node(AGG_SINGLE, 0, NULL, in, 1, sum_int);
    t = table_for(int_node, in);
    Value big_ints[] = {value_bigint(0), value_integer(INT32_MAX),
                        value_bigint(0), value_integer(INT32_MAX),
                        value_bigint(0), value_integer(INT32_MAX)};
    add_rows(t, in, 2, big_ints, 3);
    EXPECT_GROUPS(t, int_node, "6442450941");
    agg_table_destroy(t);

    /* A sum of DECIMAL(18,0) is a DECIMAL(38,0): 11 × 9e17 passes INT64_MAX and stays exact
       (the int64 part moves into the 128-bit sum when it would overflow). */
    LogicalType dec18_in[1] = {type_decimal(18, 0)};
    PlanAggregate sum_dec18[1] = {agg(AGG_SUM, 0, type_decimal(18, 0))};
    PlanNode *dec18_node = agg_node(AGG_SINGLE, 0, NULL, dec18_in, 1, sum_dec18);
    t = table_for(dec18_node, dec18_in);
    Value d18[11];
    for (int k = 0; k < 11; k++)
        d18[k] = value_decimal(INT64_C(900000000000000000), 18, 0);
    add_rows(t, dec18_in, 1, d18, 11);
    EXPECT_GROUPS(t, dec18_node, "9900000000000000000");
    agg_table_destroy(t);

    /* A DECIMAL sum must fit DECIMAL(38,s): 2 × 6e37 fits an int128 but not 38 digits. */
    LogicalType dec_in[1] = {type_decimal(38, 0)};
    PlanAggregate sum_dec[1] = {agg(AGG_SUM, 0, type_decimal(38, 0))};
    PlanNode *dec_node = agg_node(AGG_SINGLE, 0, NULL, dec_in, 1, sum_dec);
    t = table_for(dec_node, dec_in);
    Value decs[] = {value_decimal128(POW10_128[37] * 6, 38, 0),
                    value_decimal128(POW10_128[37] * 6, 38, 0)};
    add_rows(t, dec_in, 1, decs, 2);
    Lines lines = {0};
    assert_int_equal(emit_all_status(t, dec_node, collect_line, &lines, &err), BS_ERROR);
    assert_string_equal(err.sqlstate, SQLSTATE_NUMERIC_OUT_OF_RANGE);
    error_clear(&err);
    free_lines(&lines);
    agg_table_destroy(t);
}

static void test_memory_limit(void **state)
{
    (void)state;
    MemTracker limited;
    memtracker_init(&limited, &tracker, "HashAggregate", 256 * 1024);
    LogicalType in[2] = {T_BIGINT, T_VARCHAR};
    int groups[1] = {0};
    PlanAggregate aggs[2] = {count_star(), agg(AGG_MAX, 1, T_VARCHAR)};
    PlanNode *node = agg_node(AGG_SINGLE, 1, groups, in, 2, aggs);
    Error err = ERROR_INIT;

    /* Groups until the limit: a clean 53200, and every byte given back on destroy. */
    AggTable *t = agg_table_create(node, in, &limited, &err);
    assert_non_null(t);
    Chunk *c = chunk_create(arena, in, 2, &err);
    Status st = BS_OK;
    int64_t key = 0;
    for (int iter = 0; iter < 1000000 && st == BS_OK; iter++) {
        chunk_reset(c);
        for (idx_t r = 0; r < BASALT_VECTOR_SIZE; r++) {
            ((int64_t *)c->cols[0].data)[r] = key++;
            Value v = vstr("a string long enough to be copied into the table");
            assert_int_equal(vector_set_value(&c->cols[1], r, &v, &err), BS_OK);
        }
        c->n_rows = BASALT_VECTOR_SIZE;
        st = agg_table_add(t, c, &err);
    }
    assert_int_equal(st, BS_ERROR);
    assert_string_equal(err.sqlstate, SQLSTATE_OUT_OF_MEMORY);
    assert_non_null(strstr(err.message, "HashAggregate"));
    error_clear(&err);
    assert_true(memtracker_used(&limited) <= 256 * 1024);
    agg_table_destroy(t);
    assert_int_equal(memtracker_used(&limited), 0);

    /* One group, many distinct values: the distinct set hits the limit. */
    PlanAggregate dist[1] = {agg_distinct(AGG_COUNT, 0, T_BIGINT)};
    PlanNode *dnode = agg_node(AGG_SINGLE, 0, NULL, in, 1, dist);
    t = agg_table_create(dnode, in, &limited, &err);
    assert_non_null(t);
    st = BS_OK;
    for (int iter = 0; iter < 1000000 && st == BS_OK; iter++) {
        chunk_reset(c);
        for (idx_t r = 0; r < BASALT_VECTOR_SIZE; r++)
            ((int64_t *)c->cols[0].data)[r] = key++;
        c->n_rows = BASALT_VECTOR_SIZE;
        st = agg_table_add(t, c, &err);
    }
    assert_int_equal(st, BS_ERROR);
    assert_string_equal(err.sqlstate, SQLSTATE_OUT_OF_MEMORY);
    error_clear(&err);
    agg_table_destroy(t);
    assert_int_equal(memtracker_used(&limited), 0);

    /* Whichever allocation the limit stops (group arrays, index, strings, distinct sets),
       the error is clean and destroying the table gives every byte back. */
    PlanAggregate both[3] = {count_star(), agg(AGG_MAX, 1, T_VARCHAR),
                             agg_distinct(AGG_SUM, 0, T_BIGINT)};
    PlanNode *bnode = agg_node(AGG_SINGLE, 1, groups, in, 3, both);
    for (int64_t limit = 8 * 1024; limit <= 320 * 1024; limit += 1000) {
        MemTracker lim;
        memtracker_init(&lim, &tracker, "HashAggregate", limit);
        t = agg_table_create(bnode, in, &lim, &err);
        st = t ? BS_OK : BS_ERROR;
        for (int iter = 0; iter < 1000000 && st == BS_OK; iter++) {
            chunk_reset(c);
            for (idx_t r = 0; r < BASALT_VECTOR_SIZE; r++) {
                ((int64_t *)c->cols[0].data)[r] = key++;
                Value v = vstr("a string long enough to be copied into the table");
                assert_int_equal(vector_set_value(&c->cols[1], r, &v, &err), BS_OK);
            }
            c->n_rows = BASALT_VECTOR_SIZE;
            st = agg_table_add(t, c, &err);
        }
        assert_int_equal(st, BS_ERROR);
        assert_string_equal(err.sqlstate, SQLSTATE_OUT_OF_MEMORY);
        error_clear(&err);
        agg_table_destroy(t);
        if (memtracker_used(&lim) != 0)
            fail_msg("limit %lld: %lld bytes still charged after destroy", (long long)limit,
                     (long long)memtracker_used(&lim));
    }

    /* The same for the arrays of a distinct set alone. */
    for (int64_t limit = 4 * 1024; limit <= 200 * 1024; limit += 512) {
        MemTracker lim;
        memtracker_init(&lim, &tracker, "HashAggregate", limit);
        t = agg_table_create(dnode, in, &lim, &err);
        st = t ? BS_OK : BS_ERROR;
        for (int iter = 0; iter < 1000000 && st == BS_OK; iter++) {
            chunk_reset(c);
            for (idx_t r = 0; r < BASALT_VECTOR_SIZE; r++)
                ((int64_t *)c->cols[0].data)[r] = key++;
            c->n_rows = BASALT_VECTOR_SIZE;
            st = agg_table_add(t, c, &err);
        }
        assert_int_equal(st, BS_ERROR);
        assert_string_equal(err.sqlstate, SQLSTATE_OUT_OF_MEMORY);
        error_clear(&err);
        agg_table_destroy(t);
        if (memtracker_used(&lim) != 0)
            fail_msg("distinct, limit %lld: %lld bytes still charged after destroy",
                     (long long)limit, (long long)memtracker_used(&lim));
    }

    /* A limit too small for the table's first allocations: creation fails cleanly. */
    MemTracker tiny;
    memtracker_init(&tiny, &tracker, "HashAggregate", 64);
    assert_null(agg_table_create(node, in, &tiny, &err));
    assert_string_equal(err.sqlstate, SQLSTATE_OUT_OF_MEMORY);
    error_clear(&err);
    assert_int_equal(memtracker_used(&tiny), 0);
    chunk_destroy(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_group_by_integer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_group_by_varchar, setup, teardown),
        cmocka_unit_test_setup_teardown(test_multiple_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_null_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_double_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vector_kinds_and_selection, setup, teardown),
        cmocka_unit_test_setup_teardown(test_aggregates_over_each_type, setup, teardown),
        cmocka_unit_test_setup_teardown(test_min_max_nan, setup, teardown),
        cmocka_unit_test_setup_teardown(test_distinct, setup, teardown),
        cmocka_unit_test_setup_teardown(test_partial_final_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_merge, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_groups, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_groups_no_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sum_overflow, setup, teardown),
        cmocka_unit_test_setup_teardown(test_memory_limit, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
