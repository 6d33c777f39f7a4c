/*
 * serialize.c — explicit, versioned encoding of plan fragments (what a coordinator sends
 * a worker). Every field is written one by one — never a raw struct — so the bytes do not
 * depend on the compiler, and reading validates everything: enum ranges, type
 * parameters, counts against the bytes left, nesting depth. Bad input fails with XX001.
 *
 *   fragment := "BSPF" u32 | version u8 | id | distribution u8 | n_tasks | output
 *               | consumer | n_sources | sources… | node
 *   output   := kind u8 | n_keys | key… | n_partitions   (a Partitioning)
 *   node     := kind u8 | id | n_cols | type… | est_rows f64 | payload(kind)
 *               | n_children | node…
 *   expr     := kind u8 | type | payload(kind)
 *   value    := type | is_null u8 | payload(physical type; INTERVAL: months | days | micros;
 *               HUGEINT and DECIMAL(19..38, s): u64 low | u64 high; REAL: u32 bits)
 *   type     := id u8 | precision u8 | scale u8 | child u8 | length uvarint
 * Integers are varints (signed ones zigzag); strings are length-prefixed.
 */
#include "planner/planner_int.h"

#include "common/datetime.h"

#include <string.h>

#define FRAGMENT_MAGIC   0x46505342u /* "BSPF" little-endian */
#define FRAGMENT_VERSION 7
#define MAX_NESTING      2000

/* ---- writing ---- */

static void put_type(Buffer *b, LogicalType t)
{
    buffer_put_u8(b, t.id);
    buffer_put_u8(b, t.precision);
    buffer_put_u8(b, t.scale);
    buffer_put_u8(b, t.child);
    buffer_put_uvarint(b, t.length);
}

static void put_value(Buffer *b, const Value *v)
{
    put_type(b, v->type);
    buffer_put_u8(b, v->is_null);
    if (v->is_null) return;
    switch (type_physical(v->type)) {
    case PHYS_BOOL:
        buffer_put_u8(b, v->u.b);
        break;
    case PHYS_INT32:
        buffer_put_svarint(b, v->u.i32);
        break;
    case PHYS_INT64:
        buffer_put_svarint(b, v->u.i64);
        break;
    case PHYS_DOUBLE:
        buffer_put_f64(b, v->u.f64);
        break;
    case PHYS_STRING:
        buffer_put_lstring(b, v->u.str.data, v->u.str.len);
        break;
    case PHYS_INTERVAL:
        buffer_put_svarint(b, v->u.iv.months);
        buffer_put_svarint(b, v->u.iv.days);
        buffer_put_svarint(b, v->u.iv.micros);
        break;
    case PHYS_INT8:
        buffer_put_svarint(b, v->u.i8);
        break;
    case PHYS_INT16:
        buffer_put_svarint(b, v->u.i16);
        break;
    case PHYS_FLOAT: {
        uint32_t bits;
        memcpy(&bits, &v->u.f32, sizeof bits);
        buffer_put_u32(b, bits);
        break;
    }
    case PHYS_INT128: /* low then high 64 bits */
        buffer_put_u64(b, (uint64_t)v->u.i128);
        buffer_put_u64(b, (uint64_t)((uint128_t)v->u.i128 >> 64));
        break;
    case PHYS_INVALID:
        break;
    }
}

static void put_partitioning(Buffer *b, const Partitioning *p)
{
    buffer_put_u8(b, (uint8_t)p->kind);
    buffer_put_uvarint(b, (uint64_t)p->n_keys);
    for (int k = 0; k < p->n_keys; k++)
        buffer_put_svarint(b, p->keys[k]);
    buffer_put_svarint(b, p->n_partitions);
}

static void put_expr(Buffer *b, const Expr *e)
{
    buffer_put_u8(b, (uint8_t)e->kind);
    put_type(b, e->type);
    switch (e->kind) {
    case EXPR_CONSTANT:
        put_value(b, &e->u.constant);
        break;
    case EXPR_COLUMN:
        buffer_put_svarint(b, e->u.column.index);
        break;
    case EXPR_CALL:
        buffer_put_cstr(b, scalar_func_name(e->u.call.func));
        buffer_put_uvarint(b, (uint64_t)e->u.call.n_args);
        for (int k = 0; k < e->u.call.n_args; k++)
            put_expr(b, e->u.call.args[k]);
        break;
    case EXPR_CAST:
        buffer_put_u8(b, e->u.cast.try_cast);
        put_expr(b, e->u.cast.arg);
        break;
    case EXPR_AND:
    case EXPR_OR:
        buffer_put_uvarint(b, (uint64_t)e->u.conj.n_args);
        for (int k = 0; k < e->u.conj.n_args; k++)
            put_expr(b, e->u.conj.args[k]);
        break;
    case EXPR_NOT:
    case EXPR_IS_NULL:
    case EXPR_IS_NOT_NULL:
        put_expr(b, e->u.unary.arg);
        break;
    case EXPR_CASE:
        buffer_put_uvarint(b, (uint64_t)e->u.case_.n_whens);
        for (int k = 0; k < e->u.case_.n_whens; k++) {
            put_expr(b, e->u.case_.whens[k]);
            put_expr(b, e->u.case_.thens[k]);
        }
        put_expr(b, e->u.case_.else_expr);
        break;
    case EXPR_AGGREGATE:
    case EXPR_SUBQUERY:
    case EXPR_WINDOW:
        break; /* never in a physical plan */
    }
}

static void put_node(Buffer *b, const PlanNode *n)
{
    buffer_put_u8(b, (uint8_t)n->kind);
    buffer_put_svarint(b, n->id);
    buffer_put_uvarint(b, (uint64_t)n->n_cols);
    for (int k = 0; k < n->n_cols; k++)
        put_type(b, n->types[k]);
    buffer_put_f64(b, n->est_rows);
    switch (n->kind) {
    case PLAN_TABLE_SCAN:
        buffer_put_cstr(b, n->u.scan.table);
        buffer_put_uvarint(b, n->u.scan.table_id);
        buffer_put_uvarint(b, n->u.scan.snapshot);
        buffer_put_uvarint(b, (uint64_t)n->u.scan.n_columns);
        for (int k = 0; k < n->u.scan.n_columns; k++) {
            buffer_put_svarint(b, n->u.scan.columns[k]);
            buffer_put_cstr(b, n->u.scan.column_names[k]);
        }
        buffer_put_uvarint(b, (uint64_t)n->u.scan.n_zone);
        for (int k = 0; k < n->u.scan.n_zone; k++) {
            buffer_put_svarint(b, n->u.scan.zone[k].column);
            buffer_put_u8(b, (uint8_t)n->u.scan.zone[k].op);
            put_value(b, &n->u.scan.zone[k].value);
        }
        break;
    case PLAN_VALUES:
        buffer_put_uvarint(b, (uint64_t)n->u.values.n_rows);
        for (int r = 0; r < n->u.values.n_rows; r++)
            for (int c = 0; c < n->n_cols; c++)
                put_expr(b, n->u.values.rows[r][c]);
        break;
    case PLAN_FILTER:
        put_expr(b, n->u.filter.predicate);
        break;
    case PLAN_PROJECT:
        for (int k = 0; k < n->n_cols; k++)
            put_expr(b, n->u.project.exprs[k]);
        break;
    case PLAN_HASH_AGGREGATE:
        buffer_put_u8(b, (uint8_t)n->u.agg.mode);
        buffer_put_uvarint(b, (uint64_t)n->u.agg.n_groups);
        for (int k = 0; k < n->u.agg.n_groups; k++)
            buffer_put_svarint(b, n->u.agg.groups[k]);
        buffer_put_uvarint(b, (uint64_t)n->u.agg.n_aggs);
        for (int k = 0; k < n->u.agg.n_aggs; k++) {
            const PlanAggregate *a = &n->u.agg.aggs[k];
            buffer_put_cstr(b, agg_func_name(a->func));
            buffer_put_u8(b, a->distinct);
            buffer_put_svarint(b, a->arg);
            put_type(b, a->arg_type);
            put_type(b, a->type);
            buffer_put_u8(b, a->param.type.id != TYPE_INVALID);
            if (a->param.type.id != TYPE_INVALID) put_value(b, &a->param);
            buffer_put_uvarint(b, (uint64_t)a->n_order);
            for (int o = 0; o < a->n_order; o++) {
                buffer_put_svarint(b, a->order[o].column);
                buffer_put_u8(b, a->order[o].descending);
                buffer_put_u8(b, a->order[o].nulls_first);
            }
        }
        buffer_put_u8(b, n->u.agg.input_partitioned);
        buffer_put_svarint(b, n->u.agg.flush_groups);
        break;
    case PLAN_UNNEST:
        buffer_put_uvarint(b, (uint64_t)n->u.unnest.n_arrays);
        buffer_put_u8(b, n->u.unnest.ordinality);
        buffer_put_u8(b, (uint8_t)n->u.unnest.mode);
        buffer_put_u8(b, n->u.unnest.outer);
        break;
    case PLAN_EXPAND:
        buffer_put_uvarint(b, (uint64_t)n->u.expand.n_keys);
        for (int k = 0; k < n->u.expand.n_keys; k++)
            buffer_put_svarint(b, n->u.expand.keys[k]);
        buffer_put_uvarint(b, (uint64_t)n->u.expand.n_sets);
        for (int k = 0; k < n->u.expand.n_sets; k++)
            buffer_put_u64(b, n->u.expand.sets[k]);
        break;
    case PLAN_WINDOW:
        buffer_put_uvarint(b, (uint64_t)n->u.window.n_partitions);
        for (int k = 0; k < n->u.window.n_partitions; k++)
            buffer_put_svarint(b, n->u.window.partitions[k]);
        buffer_put_uvarint(b, (uint64_t)n->u.window.n_order);
        for (int k = 0; k < n->u.window.n_order; k++) {
            buffer_put_svarint(b, n->u.window.order[k].column);
            buffer_put_u8(b, n->u.window.order[k].descending);
            buffer_put_u8(b, n->u.window.order[k].nulls_first);
        }
        buffer_put_uvarint(b, (uint64_t)n->u.window.n_funcs);
        for (int k = 0; k < n->u.window.n_funcs; k++) {
            const PlanWindowFunc *f = &n->u.window.funcs[k];
            buffer_put_cstr(b, f->func == WIN_AGGREGATE ? agg_func_name(f->agg)
                                                        : window_func_name(f->func));
            buffer_put_u8(b, f->func == WIN_AGGREGATE);
            buffer_put_svarint(b, f->n_args);
            for (int a = 0; a < f->n_args; a++)
                buffer_put_svarint(b, f->args[a]);
            put_type(b, f->arg_type);
            put_type(b, f->type);
            buffer_put_u8(b, (uint8_t)f->frame.unit);
            buffer_put_u8(b, (uint8_t)f->frame.start);
            buffer_put_u8(b, (uint8_t)f->frame.end);
            if (f->frame.start == WBOUND_PRECEDING || f->frame.start == WBOUND_FOLLOWING)
                put_value(b, &f->frame.start_offset);
            if (f->frame.end == WBOUND_PRECEDING || f->frame.end == WBOUND_FOLLOWING)
                put_value(b, &f->frame.end_offset);
            buffer_put_u8(b, (uint8_t)f->frame.exclude);
            buffer_put_u8(b, (uint8_t)(f->distinct | f->ignore_nulls << 1));
            buffer_put_u8(b, f->param.type.id != TYPE_INVALID);
            if (f->param.type.id != TYPE_INVALID) put_value(b, &f->param);
            buffer_put_svarint(b, f->n_agg_order);
            for (int o = 0; o < f->n_agg_order; o++)
                buffer_put_u8(b,
                              (uint8_t)(f->agg_order_desc[o] | f->agg_order_nulls_first[o] << 1));
        }
        break;
    case PLAN_SORT:
    case PLAN_TOPN:
        buffer_put_svarint(b, n->u.sort.limit);
        buffer_put_uvarint(b, (uint64_t)n->u.sort.n_keys);
        for (int k = 0; k < n->u.sort.n_keys; k++) {
            buffer_put_svarint(b, n->u.sort.keys[k].column);
            buffer_put_u8(b, n->u.sort.keys[k].descending);
            buffer_put_u8(b, n->u.sort.keys[k].nulls_first);
        }
        break;
    case PLAN_LIMIT:
        buffer_put_svarint(b, n->u.limit.limit);
        buffer_put_svarint(b, n->u.limit.offset);
        buffer_put_u8(b, n->u.limit.single_row);
        break;
    case PLAN_EXCHANGE:
        put_partitioning(b, &n->u.exchange.part);
        buffer_put_u8(b, n->u.exchange.local);
        buffer_put_u8(b, n->u.exchange.single);
        break;
    case PLAN_REMOTE_SOURCE:
        buffer_put_svarint(b, n->u.remote.fragment);
        buffer_put_u8(b, (uint8_t)n->u.remote.kind);
        buffer_put_u8(b, n->u.remote.single);
        break;
    case PLAN_TABLE_WRITE:
        buffer_put_cstr(b, n->u.write.table);
        buffer_put_uvarint(b, n->u.write.table_id);
        buffer_put_uvarint(b, (uint64_t)n->u.write.n_columns);
        for (int k = 0; k < n->u.write.n_columns; k++) {
            buffer_put_cstr(b, n->u.write.columns[k].name);
            put_type(b, n->u.write.columns[k].type);
            buffer_put_u8(b, n->u.write.columns[k].not_null);
        }
        break;
    case PLAN_CSV_SCAN:
        buffer_put_cstr(b, n->u.csv.path);
        buffer_put_u8(b, (uint8_t)n->u.csv.delimiter);
        buffer_put_u8(b, (uint8_t)n->u.csv.quote);
        buffer_put_u8(b, (uint8_t)n->u.csv.escape);
        buffer_put_u8(b, n->u.csv.header);
        buffer_put_cstr(b, n->u.csv.null_string);
        break;
    case PLAN_JOIN:
        buffer_put_u8(b, (uint8_t)n->u.join.type);
        buffer_put_uvarint(b, (uint64_t)n->u.join.n_keys);
        for (int k = 0; k < n->u.join.n_keys; k++) {
            buffer_put_svarint(b, n->u.join.probe_keys[k]);
            buffer_put_svarint(b, n->u.join.build_keys[k]);
            buffer_put_u8(b, n->u.join.null_equal && n->u.join.null_equal[k]);
        }
        buffer_put_u8(b, n->u.join.residual != NULL);
        if (n->u.join.residual) put_expr(b, n->u.join.residual);
        buffer_put_u8(b, n->u.join.null_aware);
        buffer_put_u8(b, n->u.join.single_match);
        buffer_put_u8(b, (uint8_t)n->u.join.distribution);
        break;
    case PLAN_UNION:
        break;
    case PLAN_RECURSIVE_CTE:
        buffer_put_svarint(b, n->u.recursive.id);
        buffer_put_u8(b, n->u.recursive.union_all);
        buffer_put_svarint(b, n->u.recursive.max_iterations);
        buffer_put_cstr(b, n->u.recursive.name);
        break;
    case PLAN_CTE_SCAN:
        buffer_put_svarint(b, n->u.cte_scan.id);
        buffer_put_cstr(b, n->u.cte_scan.name);
        break;
    case PLAN_RANGE:
        put_expr(b, n->u.range.start);
        put_expr(b, n->u.range.stop);
        put_expr(b, n->u.range.step);
        buffer_put_u8(b, n->u.range.inclusive);
        break;
    case PLAN_KIND_COUNT_:
        break;
    }
    buffer_put_uvarint(b, (uint64_t)n->n_children);
    for (int k = 0; k < n->n_children; k++)
        put_node(b, n->children[k]);
}

Status fragment_serialize(const PlanFragment *f, Buffer *out, Error *err)
{
    buffer_put_u32(out, FRAGMENT_MAGIC);
    buffer_put_u8(out, FRAGMENT_VERSION);
    buffer_put_svarint(out, f->id);
    buffer_put_u8(out, (uint8_t)f->distribution);
    buffer_put_svarint(out, f->n_tasks);
    put_partitioning(out, &f->output);
    buffer_put_svarint(out, f->consumer);
    buffer_put_uvarint(out, (uint64_t)f->n_sources);
    for (int k = 0; k < f->n_sources; k++)
        buffer_put_svarint(out, f->sources[k]);
    put_node(out, f->root);
    if (!buffer_ok(out)) return error_oom(err);
    return BS_OK;
}

/* ---- reading ---- */

typedef struct Reader {
    BufReader r;
    Arena *arena;
    Error *err;
    int depth;
} Reader;

static Status bad(Reader *rd, const char *what)
{
    return error_set(rd->err, SQLSTATE_DATA_CORRUPTED, -1, "malformed plan fragment: %s", what);
}

#define CHECK(rd, cond, what)                                                                      \
    do {                                                                                           \
        if (!bufreader_ok(&(rd)->r)) return bad(rd, "truncated");                                  \
        if (!(cond)) return bad(rd, what);                                                         \
    } while (0)

static void *get_alloc(Reader *rd, size_t size)
{
    void *p = arena_alloc_zero(rd->arena, size ? size : 1);
    if (!p) arena_error(rd->arena, rd->err);
    return p;
}

/* A count that must fit in what is left (each element takes at least `min_bytes`). */
static Status get_count(Reader *rd, size_t min_bytes, int *out)
{
    uint64_t n = bufreader_uvarint(&rd->r);
    CHECK(rd, n <= INT32_MAX && n * min_bytes <= bufreader_left(&rd->r), "count too large");
    *out = (int)n;
    return BS_OK;
}

static Status get_int(Reader *rd, int64_t min, int64_t max, int *out)
{
    int64_t v = bufreader_svarint(&rd->r);
    CHECK(rd, v >= min && v <= max, "integer out of range");
    *out = (int)v;
    return BS_OK;
}

static Status get_type(Reader *rd, LogicalType *t)
{
    t->id = bufreader_u8(&rd->r);
    t->precision = bufreader_u8(&rd->r);
    t->scale = bufreader_u8(&rd->r);
    t->child = bufreader_u8(&rd->r);
    uint64_t length = bufreader_uvarint(&rd->r);
    CHECK(rd, length <= UINT32_MAX, "bad type length");
    t->length = (uint32_t)length;
    CHECK(rd, t->id > TYPE_NULL && t->id < TYPE_COUNT_, "bad type");
    CHECK(rd, t->child < TYPE_COUNT_, "bad element type");
    if (t->id == TYPE_DECIMAL)
        CHECK(rd,
              t->precision >= 1 && t->precision <= DECIMAL_MAX_PRECISION &&
                  t->scale <= t->precision,
              "bad decimal type");
    return BS_OK;
}

/* A string that may be absent; copied into the arena, NUL-terminated. */
static Status get_cstr(Reader *rd, char **out)
{
    uint8_t present = bufreader_u8(&rd->r);
    CHECK(rd, present <= 1, "bad string flag");
    *out = NULL;
    if (!present) return BS_OK;
    size_t len;
    const char *s = bufreader_lstring(&rd->r, &len);
    CHECK(rd, s != NULL, "bad string");
    *out = arena_strndup(rd->arena, s, len);
    if (!*out) return arena_error(rd->arena, rd->err);
    return BS_OK;
}

static Status get_value(Reader *rd, Value *v)
{
    memset(v, 0, sizeof *v);
    BS_TRY(get_type(rd, &v->type));
    uint8_t is_null = bufreader_u8(&rd->r);
    CHECK(rd, is_null <= 1, "bad null flag");
    v->is_null = is_null;
    if (is_null) return BS_OK;
    switch (type_physical(v->type)) {
    case PHYS_BOOL:
        v->u.b = bufreader_u8(&rd->r) != 0;
        break;
    case PHYS_INT32: {
        int64_t x = bufreader_svarint(&rd->r);
        CHECK(rd, x >= INT32_MIN && x <= INT32_MAX, "bad int32");
        v->u.i32 = (int32_t)x;
        break;
    }
    case PHYS_INT64:
        v->u.i64 = bufreader_svarint(&rd->r);
        break;
    case PHYS_DOUBLE:
        v->u.f64 = bufreader_f64(&rd->r);
        break;
    case PHYS_STRING: {
        size_t len;
        const char *s = bufreader_lstring(&rd->r, &len);
        CHECK(rd, s != NULL && len <= UINT32_MAX, "bad string value");
        char *copy = arena_alloc(rd->arena, len ? len : 1);
        if (!copy) return arena_error(rd->arena, rd->err);
        if (len) memcpy(copy, s, len);
        v->u.str.data = copy;
        v->u.str.len = (uint32_t)len;
        break;
    }
    case PHYS_INTERVAL: {
        int64_t months = bufreader_svarint(&rd->r), days = bufreader_svarint(&rd->r);
        CHECK(rd,
              months >= INT32_MIN && months <= INT32_MAX && days >= INT32_MIN && days <= INT32_MAX,
              "bad interval");
        v->u.iv = interval_make((int32_t)months, (int32_t)days, bufreader_svarint(&rd->r));
        break;
    }
    case PHYS_INT8: {
        int64_t x = bufreader_svarint(&rd->r);
        CHECK(rd, x >= INT8_MIN && x <= INT8_MAX, "bad int8");
        v->u.i8 = (int8_t)x;
        break;
    }
    case PHYS_INT16: {
        int64_t x = bufreader_svarint(&rd->r);
        CHECK(rd, x >= INT16_MIN && x <= INT16_MAX, "bad int16");
        v->u.i16 = (int16_t)x;
        break;
    }
    case PHYS_FLOAT: {
        uint32_t bits = bufreader_u32(&rd->r);
        memcpy(&v->u.f32, &bits, sizeof bits);
        break;
    }
    case PHYS_INT128: {
        uint64_t lo = bufreader_u64(&rd->r), hi = bufreader_u64(&rd->r);
        v->u.i128 = (int128_t)(((uint128_t)hi << 64) | lo);
        break;
    }
    case PHYS_INVALID:
        return bad(rd, "bad value type");
    }
    CHECK(rd, true, "");
    return BS_OK;
}

static Status get_expr(Reader *rd, Expr **out);

static Status get_expr_list(Reader *rd, int n, Expr ***out)
{
    Expr **list = get_alloc(rd, sizeof(Expr *) * (size_t)n);
    if (!list) return BS_ERROR;
    for (int k = 0; k < n; k++)
        BS_TRY(get_expr(rd, &list[k]));
    *out = list;
    return BS_OK;
}

/* An IN list: x, then constants of x's type, ascending and distinct, a NULL only last. */
static Status check_in_list(Reader *rd, const Expr *e)
{
    int n = e->u.call.n_args;
    CHECK(rd, n >= 2 && e->type.id == TYPE_BOOLEAN, "bad IN list");
    LogicalType t = e->u.call.args[0]->type;
    for (int k = 1; k < n; k++) {
        const Expr *c = e->u.call.args[k];
        CHECK(rd, c->kind == EXPR_CONSTANT && type_equals(c->type, t), "bad IN list value");
        CHECK(rd, !c->u.constant.is_null || k == n - 1, "NULL inside an IN list");
        if (k > 1)
            CHECK(rd, value_compare(&e->u.call.args[k - 1]->u.constant, &c->u.constant) < 0,
                  "IN list out of order");
    }
    return BS_OK;
}

static Status get_expr(Reader *rd, Expr **out)
{
    if (++rd->depth > MAX_NESTING) return bad(rd, "nested too deeply");
    Expr *e = get_alloc(rd, sizeof *e);
    if (!e) return BS_ERROR;
    e->pos = -1;
    uint8_t kind = bufreader_u8(&rd->r);
    CHECK(rd, kind <= EXPR_CASE, "bad expression kind");
    e->kind = (ExprKind)kind;
    BS_TRY(get_type(rd, &e->type));
    switch (e->kind) {
    case EXPR_CONSTANT:
        BS_TRY(get_value(rd, &e->u.constant));
        CHECK(rd, type_equals(e->u.constant.type, e->type), "constant type mismatch");
        break;
    case EXPR_COLUMN:
        BS_TRY(get_int(rd, 0, INT32_MAX, &e->u.column.index));
        break;
    case EXPR_CALL: {
        char *name;
        BS_TRY(get_cstr(rd, &name));
        int func = name ? scalar_func_by_name(name) : -1;
        CHECK(rd, func >= 0, "unknown function");
        e->u.call.func = (ScalarFuncId)func;
        BS_TRY(get_count(rd, 4, &e->u.call.n_args));
        BS_TRY(get_expr_list(rd, e->u.call.n_args, &e->u.call.args));
        if (e->u.call.func == FN_IN) BS_TRY(check_in_list(rd, e));
        break;
    }
    case EXPR_CAST: {
        uint8_t try_cast = bufreader_u8(&rd->r);
        CHECK(rd, try_cast <= 1, "bad cast flag");
        e->u.cast.try_cast = try_cast;
        BS_TRY(get_expr(rd, &e->u.cast.arg));
        break;
    }
    case EXPR_AND:
    case EXPR_OR:
        BS_TRY(get_count(rd, 4, &e->u.conj.n_args));
        CHECK(rd, e->u.conj.n_args >= 1, "empty conjunction");
        BS_TRY(get_expr_list(rd, e->u.conj.n_args, &e->u.conj.args));
        break;
    case EXPR_NOT:
    case EXPR_IS_NULL:
    case EXPR_IS_NOT_NULL:
        BS_TRY(get_expr(rd, &e->u.unary.arg));
        break;
    case EXPR_CASE: {
        int n;
        BS_TRY(get_count(rd, 8, &n));
        CHECK(rd, n >= 1, "CASE without WHEN");
        e->u.case_.n_whens = n;
        e->u.case_.whens = get_alloc(rd, sizeof(Expr *) * (size_t)n);
        e->u.case_.thens = get_alloc(rd, sizeof(Expr *) * (size_t)n);
        if (!e->u.case_.whens || !e->u.case_.thens) return BS_ERROR;
        for (int k = 0; k < n; k++) {
            BS_TRY(get_expr(rd, &e->u.case_.whens[k]));
            BS_TRY(get_expr(rd, &e->u.case_.thens[k]));
        }
        BS_TRY(get_expr(rd, &e->u.case_.else_expr));
        break;
    }
    case EXPR_AGGREGATE:
    case EXPR_SUBQUERY:
    case EXPR_WINDOW:
        return bad(rd, "aggregate expression");
    }
    rd->depth--;
    *out = e;
    return BS_OK;
}

static Status get_node(Reader *rd, PlanNode **out);

static Status get_partitioning(Reader *rd, Partitioning *p)
{
    uint8_t kind = bufreader_u8(&rd->r);
    CHECK(rd, kind < EXCHANGE_KIND_COUNT_, "bad exchange kind");
    p->kind = (ExchangeKind)kind;
    BS_TRY(get_count(rd, 1, &p->n_keys));
    CHECK(rd, (p->kind == EXCHANGE_REPARTITION) == (p->n_keys > 0), "bad partitioning keys");
    p->keys = get_alloc(rd, sizeof(int) * (size_t)p->n_keys);
    if (!p->keys) return BS_ERROR;
    for (int k = 0; k < p->n_keys; k++)
        BS_TRY(get_int(rd, 0, INT32_MAX, &p->keys[k]));
    return get_int(rd, 0, 1 << 16, &p->n_partitions);
}

static Status get_node_payload(Reader *rd, PlanNode *n)
{
    switch (n->kind) {
    case PLAN_TABLE_SCAN: {
        BS_TRY(get_cstr(rd, &n->u.scan.table));
        CHECK(rd, n->u.scan.table != NULL, "scan without table");
        n->u.scan.table_id = bufreader_uvarint(&rd->r);
        n->u.scan.snapshot = bufreader_uvarint(&rd->r);
        BS_TRY(get_count(rd, 2, &n->u.scan.n_columns));
        CHECK(rd, n->u.scan.n_columns == n->n_cols, "scan columns mismatch");
        n->u.scan.columns = get_alloc(rd, sizeof(int) * (size_t)n->u.scan.n_columns);
        n->u.scan.column_names = get_alloc(rd, sizeof(char *) * (size_t)n->u.scan.n_columns);
        if (!n->u.scan.columns || !n->u.scan.column_names) return BS_ERROR;
        for (int k = 0; k < n->u.scan.n_columns; k++) {
            BS_TRY(get_int(rd, 0, INT32_MAX, &n->u.scan.columns[k]));
            BS_TRY(get_cstr(rd, &n->u.scan.column_names[k]));
        }
        BS_TRY(get_count(rd, 6, &n->u.scan.n_zone));
        n->u.scan.zone = get_alloc(rd, sizeof(PlanZoneCond) * (size_t)n->u.scan.n_zone);
        if (!n->u.scan.zone) return BS_ERROR;
        for (int k = 0; k < n->u.scan.n_zone; k++) {
            BS_TRY(get_int(rd, 0, INT32_MAX, &n->u.scan.zone[k].column));
            uint8_t op = bufreader_u8(&rd->r);
            CHECK(rd, op <= PZ_IS_NOT_NULL, "bad zone operator");
            n->u.scan.zone[k].op = (PlanZoneOp)op;
            BS_TRY(get_value(rd, &n->u.scan.zone[k].value));
        }
        return BS_OK;
    }
    case PLAN_VALUES:
        BS_TRY(get_count(rd, n->n_cols ? 4 : 0, &n->u.values.n_rows));
        CHECK(rd, n->n_cols > 0 || n->u.values.n_rows <= 1000000, "too many empty rows");
        n->u.values.rows = get_alloc(rd, sizeof(Expr **) * (size_t)n->u.values.n_rows);
        if (!n->u.values.rows) return BS_ERROR;
        for (int r = 0; r < n->u.values.n_rows; r++)
            BS_TRY(get_expr_list(rd, n->n_cols, &n->u.values.rows[r]));
        return BS_OK;
    case PLAN_FILTER:
        return get_expr(rd, &n->u.filter.predicate);
    case PLAN_PROJECT:
        return get_expr_list(rd, n->n_cols, &n->u.project.exprs);
    case PLAN_HASH_AGGREGATE: {
        uint8_t mode = bufreader_u8(&rd->r);
        CHECK(rd, mode <= AGG_FINAL, "bad aggregation mode");
        n->u.agg.mode = (AggMode)mode;
        BS_TRY(get_count(rd, 1, &n->u.agg.n_groups));
        n->u.agg.groups = get_alloc(rd, sizeof(int) * (size_t)n->u.agg.n_groups);
        if (!n->u.agg.groups) return BS_ERROR;
        for (int k = 0; k < n->u.agg.n_groups; k++)
            BS_TRY(get_int(rd, 0, INT32_MAX, &n->u.agg.groups[k]));
        BS_TRY(get_count(rd, 8, &n->u.agg.n_aggs));
        n->u.agg.aggs = get_alloc(rd, sizeof(PlanAggregate) * (size_t)n->u.agg.n_aggs);
        if (!n->u.agg.aggs) return BS_ERROR;
        for (int k = 0; k < n->u.agg.n_aggs; k++) {
            PlanAggregate *a = &n->u.agg.aggs[k];
            char *name;
            BS_TRY(get_cstr(rd, &name));
            int func = name ? agg_func_by_name(name) : -1;
            CHECK(rd, func >= 0, "unknown aggregate");
            a->func = (AggFuncId)func;
            uint8_t distinct = bufreader_u8(&rd->r);
            CHECK(rd, distinct <= 1, "bad distinct flag");
            a->distinct = distinct;
            BS_TRY(get_int(rd, -1, INT32_MAX, &a->arg));
            BS_TRY(get_type(rd, &a->arg_type));
            BS_TRY(get_type(rd, &a->type));
            uint8_t has_param = bufreader_u8(&rd->r);
            CHECK(rd, has_param <= 1, "bad aggregate parameter flag");
            a->param = value_null(type_make(TYPE_INVALID));
            if (has_param) {
                BS_TRY(get_value(rd, &a->param));
                CHECK(rd, a->param.type.id == TYPE_DOUBLE || a->param.type.id == TYPE_VARCHAR,
                      "bad aggregate parameter");
            }
            BS_TRY(get_count(rd, 3, &a->n_order));
            CHECK(rd, a->n_order == 0 || n->u.agg.mode == AGG_SINGLE,
                  "an ordered aggregate is not split");
            a->order = get_alloc(rd, sizeof(SortKey) * (size_t)(a->n_order + 1));
            if (!a->order) return BS_ERROR;
            for (int o = 0; o < a->n_order; o++) {
                BS_TRY(get_int(rd, 0, INT32_MAX, &a->order[o].column));
                uint8_t desc = bufreader_u8(&rd->r), nulls = bufreader_u8(&rd->r);
                CHECK(rd, desc <= 1 && nulls <= 1, "bad aggregate order key");
                a->order[o].descending = desc;
                a->order[o].nulls_first = nulls;
            }
            CHECK(rd, !plan_agg_is_holistic(a->func) || n->u.agg.mode == AGG_SINGLE,
                  "a holistic aggregate is not split");
            CHECK(rd,
                  (a->func != AGG_STRING_AGG && a->func != AGG_QUANTILE_CONT &&
                   a->func != AGG_QUANTILE_DISC) ||
                      a->param.type.id != TYPE_INVALID,
                  "aggregate parameter missing");
        }
        /* Groups, then one column per aggregate (its state columns when PARTIAL). */
        int64_t width = n->u.agg.n_groups;
        for (int k = 0; k < n->u.agg.n_aggs; k++)
            width += n->u.agg.mode == AGG_PARTIAL ? plan_agg_state_width(&n->u.agg.aggs[k]) : 1;
        CHECK(rd, width == n->n_cols, "aggregate columns mismatch");
        uint8_t partitioned = bufreader_u8(&rd->r);
        CHECK(rd, partitioned <= 1, "bad partitioned flag");
        n->u.agg.input_partitioned = partitioned;
        BS_TRY(get_int(rd, 0, 1 << 24, &n->u.agg.flush_groups));
        CHECK(rd, n->u.agg.flush_groups == 0 || n->u.agg.mode == AGG_PARTIAL,
              "only a partial aggregation streams");
        return BS_OK;
    }
    case PLAN_SORT:
    case PLAN_TOPN:
        n->u.sort.limit = bufreader_svarint(&rd->r);
        CHECK(rd, n->kind == PLAN_SORT ? n->u.sort.limit == -1 : n->u.sort.limit >= 0,
              "bad sort limit");
        BS_TRY(get_count(rd, 3, &n->u.sort.n_keys));
        n->u.sort.keys = get_alloc(rd, sizeof(SortKey) * (size_t)n->u.sort.n_keys);
        if (!n->u.sort.keys) return BS_ERROR;
        for (int k = 0; k < n->u.sort.n_keys; k++) {
            BS_TRY(get_int(rd, 0, INT32_MAX, &n->u.sort.keys[k].column));
            n->u.sort.keys[k].descending = bufreader_u8(&rd->r) != 0;
            n->u.sort.keys[k].nulls_first = bufreader_u8(&rd->r) != 0;
        }
        CHECK(rd, true, "");
        return BS_OK;
    case PLAN_LIMIT:
        n->u.limit.limit = bufreader_svarint(&rd->r);
        n->u.limit.offset = bufreader_svarint(&rd->r);
        n->u.limit.single_row = bufreader_u8(&rd->r) != 0;
        CHECK(rd, n->u.limit.limit >= -1 && n->u.limit.offset >= 0, "bad limit");
        return BS_OK;
    case PLAN_EXCHANGE: {
        BS_TRY(get_partitioning(rd, &n->u.exchange.part));
        uint8_t local = bufreader_u8(&rd->r), single = bufreader_u8(&rd->r);
        CHECK(rd, local <= 1 && single <= 1, "bad exchange flags");
        n->u.exchange.local = local;
        n->u.exchange.single = single;
        return BS_OK;
    }
    case PLAN_REMOTE_SOURCE: {
        BS_TRY(get_int(rd, 0, INT32_MAX, &n->u.remote.fragment));
        uint8_t kind = bufreader_u8(&rd->r), single = bufreader_u8(&rd->r);
        CHECK(rd, kind < EXCHANGE_KIND_COUNT_ && single <= 1, "bad remote source");
        n->u.remote.kind = (ExchangeKind)kind;
        n->u.remote.single = single;
        return BS_OK;
    }
    case PLAN_TABLE_WRITE:
        BS_TRY(get_cstr(rd, &n->u.write.table));
        CHECK(rd, n->u.write.table != NULL, "write without table");
        n->u.write.table_id = bufreader_uvarint(&rd->r);
        BS_TRY(get_count(rd, 5, &n->u.write.n_columns));
        n->u.write.columns = get_alloc(rd, sizeof(PlanColumnDef) * (size_t)n->u.write.n_columns);
        if (!n->u.write.columns) return BS_ERROR;
        for (int k = 0; k < n->u.write.n_columns; k++) {
            BS_TRY(get_cstr(rd, &n->u.write.columns[k].name));
            CHECK(rd, n->u.write.columns[k].name != NULL, "column without name");
            BS_TRY(get_type(rd, &n->u.write.columns[k].type));
            n->u.write.columns[k].not_null = bufreader_u8(&rd->r) != 0;
        }
        CHECK(rd, true, "");
        return BS_OK;
    case PLAN_CSV_SCAN:
        BS_TRY(get_cstr(rd, &n->u.csv.path));
        CHECK(rd, n->u.csv.path != NULL, "CSV scan without path");
        n->u.csv.delimiter = (char)bufreader_u8(&rd->r);
        n->u.csv.quote = (char)bufreader_u8(&rd->r);
        n->u.csv.escape = (char)bufreader_u8(&rd->r);
        n->u.csv.header = bufreader_u8(&rd->r) != 0;
        BS_TRY(get_cstr(rd, &n->u.csv.null_string));
        CHECK(rd, true, "");
        return BS_OK;
    case PLAN_JOIN: {
        uint8_t type = bufreader_u8(&rd->r);
        CHECK(rd, type < PJ_COUNT_, "bad join type");
        n->u.join.type = (PlanJoinType)type;
        BS_TRY(get_count(rd, 3, &n->u.join.n_keys));
        int nk = n->u.join.n_keys;
        n->u.join.probe_keys = get_alloc(rd, sizeof(int) * (size_t)(nk ? nk : 1));
        n->u.join.build_keys = get_alloc(rd, sizeof(int) * (size_t)(nk ? nk : 1));
        n->u.join.null_equal = get_alloc(rd, sizeof(bool) * (size_t)(nk ? nk : 1));
        if (!n->u.join.probe_keys || !n->u.join.build_keys || !n->u.join.null_equal)
            return BS_ERROR;
        for (int k = 0; k < nk; k++) {
            BS_TRY(get_int(rd, 0, INT32_MAX, &n->u.join.probe_keys[k]));
            BS_TRY(get_int(rd, 0, INT32_MAX, &n->u.join.build_keys[k]));
            uint8_t eq = bufreader_u8(&rd->r);
            CHECK(rd, eq <= 1, "bad join key flag");
            n->u.join.null_equal[k] = eq;
        }
        uint8_t has_residual = bufreader_u8(&rd->r);
        CHECK(rd, has_residual <= 1, "bad join filter flag");
        n->u.join.residual = NULL;
        if (has_residual) BS_TRY(get_expr(rd, &n->u.join.residual));
        uint8_t null_aware = bufreader_u8(&rd->r);
        CHECK(rd, null_aware <= 1, "bad null-aware flag");
        n->u.join.null_aware = null_aware;
        uint8_t single = bufreader_u8(&rd->r);
        CHECK(rd, single <= 1 && (!single || n->u.join.type == PJ_LEFT), "bad single-match flag");
        n->u.join.single_match = single;
        uint8_t dist = bufreader_u8(&rd->r);
        CHECK(rd, dist < PJD_COUNT_, "bad join distribution");
        n->u.join.distribution = (PlanJoinDistribution)dist;
        return BS_OK;
    }
    case PLAN_UNION:
        return BS_OK;
    case PLAN_RECURSIVE_CTE: {
        BS_TRY(get_int(rd, 0, INT32_MAX, &n->u.recursive.id));
        uint8_t all = bufreader_u8(&rd->r);
        CHECK(rd, all <= 1, "bad recursive CTE");
        n->u.recursive.union_all = all;
        n->u.recursive.max_iterations = bufreader_svarint(&rd->r);
        CHECK(rd, n->u.recursive.max_iterations > 0, "bad recursive CTE limit");
        return get_cstr(rd, &n->u.recursive.name);
    }
    case PLAN_CTE_SCAN:
        BS_TRY(get_int(rd, 0, INT32_MAX, &n->u.cte_scan.id));
        return get_cstr(rd, &n->u.cte_scan.name);
    case PLAN_RANGE: {
        BS_TRY(get_expr(rd, &n->u.range.start));
        BS_TRY(get_expr(rd, &n->u.range.stop));
        BS_TRY(get_expr(rd, &n->u.range.step));
        uint8_t inclusive = bufreader_u8(&rd->r);
        CHECK(rd, inclusive <= 1 && n->n_cols == 1, "bad range");
        n->u.range.inclusive = inclusive;
        return BS_OK;
    }
    case PLAN_UNNEST: {
        BS_TRY(get_count(rd, 1, &n->u.unnest.n_arrays));
        uint8_t ord = bufreader_u8(&rd->r);
        uint8_t mode = bufreader_u8(&rd->r);
        uint8_t outer = bufreader_u8(&rd->r);
        CHECK(rd, ord <= 1 && n->u.unnest.n_arrays >= 1 && mode <= UNNEST_SERIES && outer <= 1,
              "bad unnest");
        n->u.unnest.outer = outer;
        n->u.unnest.ordinality = ord;
        n->u.unnest.mode = (UnnestMode)mode;
        return BS_OK;
    }
    case PLAN_EXPAND: {
        BS_TRY(get_count(rd, 1, &n->u.expand.n_keys));
        CHECK(rd, n->u.expand.n_keys <= 64 && n->n_cols >= n->u.expand.n_keys + 1, "bad expand");
        n->u.expand.keys = get_alloc(rd, sizeof(int) * (size_t)(n->u.expand.n_keys + 1));
        if (!n->u.expand.keys) return BS_ERROR;
        for (int k = 0; k < n->u.expand.n_keys; k++)
            BS_TRY(get_int(rd, 0, n->n_cols - 2, &n->u.expand.keys[k]));
        BS_TRY(get_count(rd, 8, &n->u.expand.n_sets));
        CHECK(rd, n->u.expand.n_sets >= 1, "bad expand");
        n->u.expand.sets = get_alloc(rd, sizeof(uint64_t) * (size_t)n->u.expand.n_sets);
        if (!n->u.expand.sets) return BS_ERROR;
        for (int k = 0; k < n->u.expand.n_sets; k++)
            n->u.expand.sets[k] = bufreader_u64(&rd->r);
        CHECK(rd, true, "");
        return BS_OK;
    }
    case PLAN_WINDOW: {
        BS_TRY(get_count(rd, 1, &n->u.window.n_partitions));
        n->u.window.partitions = get_alloc(rd, sizeof(int) * (size_t)n->u.window.n_partitions);
        if (!n->u.window.partitions) return BS_ERROR;
        for (int k = 0; k < n->u.window.n_partitions; k++)
            BS_TRY(get_int(rd, 0, INT32_MAX, &n->u.window.partitions[k]));
        BS_TRY(get_count(rd, 3, &n->u.window.n_order));
        n->u.window.order = get_alloc(rd, sizeof(SortKey) * (size_t)n->u.window.n_order);
        if (!n->u.window.order) return BS_ERROR;
        for (int k = 0; k < n->u.window.n_order; k++) {
            BS_TRY(get_int(rd, 0, INT32_MAX, &n->u.window.order[k].column));
            n->u.window.order[k].descending = bufreader_u8(&rd->r) != 0;
            n->u.window.order[k].nulls_first = bufreader_u8(&rd->r) != 0;
        }
        BS_TRY(get_count(rd, 8, &n->u.window.n_funcs));
        n->u.window.funcs = get_alloc(rd, sizeof(PlanWindowFunc) * (size_t)n->u.window.n_funcs);
        if (!n->u.window.funcs) return BS_ERROR;
        for (int k = 0; k < n->u.window.n_funcs; k++) {
            PlanWindowFunc *f = &n->u.window.funcs[k];
            char *name;
            BS_TRY(get_cstr(rd, &name));
            uint8_t is_agg = bufreader_u8(&rd->r);
            int id = !name ? -1 : is_agg ? agg_func_by_name(name) : window_func_by_name(name);
            CHECK(rd, id >= 0 && is_agg <= 1, "unknown window function");
            f->func = is_agg ? WIN_AGGREGATE : (WindowFuncId)id;
            f->agg = is_agg ? (AggFuncId)id : AGG_COUNT_STAR;
            BS_TRY(get_int(rd, 0, WINDOW_MAX_ARGS, &f->n_args));
            for (int a = 0; a < f->n_args; a++)
                BS_TRY(get_int(rd, 0, INT32_MAX, &f->args[a]));
            BS_TRY(get_type(rd, &f->arg_type));
            BS_TRY(get_type(rd, &f->type));
            uint8_t unit = bufreader_u8(&rd->r), start = bufreader_u8(&rd->r),
                    end = bufreader_u8(&rd->r);
            CHECK(rd, unit <= WFRAME_GROUPS && start <= WBOUND_UNBOUNDED_FOLLOWING &&
                          end <= WBOUND_UNBOUNDED_FOLLOWING,
                  "bad window frame");
            f->frame.unit = (WindowFrameUnit)unit;
            f->frame.start = (WindowBound)start;
            f->frame.end = (WindowBound)end;
            if (start == WBOUND_PRECEDING || start == WBOUND_FOLLOWING)
                BS_TRY(get_value(rd, &f->frame.start_offset));
            if (end == WBOUND_PRECEDING || end == WBOUND_FOLLOWING)
                BS_TRY(get_value(rd, &f->frame.end_offset));
            uint8_t exclude = bufreader_u8(&rd->r), flags = bufreader_u8(&rd->r);
            CHECK(rd, exclude <= WEXCLUDE_TIES && flags <= 3, "bad window frame");
            f->frame.exclude = (WindowExclude)exclude;
            f->distinct = flags & 1;
            f->ignore_nulls = (flags & 2) != 0;
            f->param = value_null(type_make(TYPE_INVALID));
            if (bufreader_u8(&rd->r)) BS_TRY(get_value(rd, &f->param));
            BS_TRY(get_int(rd, 0, f->n_args > 0 ? f->n_args - 1 : 0, &f->n_agg_order));
            for (int o = 0; o < f->n_agg_order; o++) {
                uint8_t of = bufreader_u8(&rd->r);
                CHECK(rd, of <= 3, "bad window order");
                f->agg_order_desc[o] = of & 1;
                f->agg_order_nulls_first[o] = (of & 2) != 0;
            }
        }
        return BS_OK;
    }
    case PLAN_KIND_COUNT_:
        break;
    }
    return bad(rd, "bad node kind");
}

/* Whether a node of this kind may have n children (what explain and exec assume). */
static bool children_fit(PlanKind kind, int n)
{
    switch (kind) {
    case PLAN_TABLE_SCAN:
    case PLAN_VALUES:
    case PLAN_REMOTE_SOURCE:
    case PLAN_CSV_SCAN:
    case PLAN_RANGE:
    case PLAN_CTE_SCAN:
        return n == 0;
    case PLAN_JOIN:
    case PLAN_RECURSIVE_CTE:
        return n == 2;
    case PLAN_UNION:
        return n >= 1;
    case PLAN_FILTER:
    case PLAN_PROJECT:
    case PLAN_HASH_AGGREGATE:
    case PLAN_SORT:
    case PLAN_TOPN:
    case PLAN_LIMIT:
    case PLAN_EXCHANGE:
    case PLAN_TABLE_WRITE:
    case PLAN_WINDOW:
    case PLAN_EXPAND:
    case PLAN_UNNEST:
        return n == 1;
    case PLAN_KIND_COUNT_:
        break;
    }
    return false;
}

static Status get_node(Reader *rd, PlanNode **out)
{
    if (++rd->depth > MAX_NESTING) return bad(rd, "nested too deeply");
    PlanNode *n = get_alloc(rd, sizeof *n);
    if (!n) return BS_ERROR;
    uint8_t kind = bufreader_u8(&rd->r);
    CHECK(rd, kind < PLAN_KIND_COUNT_, "bad node kind");
    n->kind = (PlanKind)kind;
    BS_TRY(get_int(rd, 0, INT32_MAX, &n->id));
    BS_TRY(get_count(rd, 3, &n->n_cols));
    n->types = get_alloc(rd, sizeof(LogicalType) * (size_t)n->n_cols);
    if (!n->types) return BS_ERROR;
    for (int k = 0; k < n->n_cols; k++)
        BS_TRY(get_type(rd, &n->types[k]));
    n->est_rows = bufreader_f64(&rd->r);
    BS_TRY(get_node_payload(rd, n));
    BS_TRY(get_count(rd, 4, &n->n_children));
    CHECK(rd, children_fit(n->kind, n->n_children), "bad number of children");
    n->children = get_alloc(rd, sizeof(PlanNode *) * (size_t)n->n_children);
    if (!n->children) return BS_ERROR;
    for (int k = 0; k < n->n_children; k++)
        BS_TRY(get_node(rd, &n->children[k]));
    rd->depth--;
    *out = n;
    return BS_OK;
}

Status fragment_deserialize(const uint8_t *data, size_t len, Arena *arena, PlanFragment **out,
                            Error *err)
{
    Reader rd = {.arena = arena, .err = err};
    bufreader_init(&rd.r, data, len);
    CHECK(&rd, bufreader_u32(&rd.r) == FRAGMENT_MAGIC, "bad magic");
    CHECK(&rd, bufreader_u8(&rd.r) == FRAGMENT_VERSION, "unsupported version");
    PlanFragment *f = get_alloc(&rd, sizeof *f);
    if (!f) return BS_ERROR;
    BS_TRY(get_int(&rd, 0, INT32_MAX, &f->id));
    uint8_t dist = bufreader_u8(&rd.r);
    CHECK(&rd, dist <= DIST_FIXED, "bad fragment kind");
    f->distribution = (FragmentDistribution)dist;
    BS_TRY(get_int(&rd, 1, 1 << 16, &f->n_tasks));
    BS_TRY(get_partitioning(&rd, &f->output));
    BS_TRY(get_int(&rd, -1, INT32_MAX, &f->consumer));
    BS_TRY(get_count(&rd, 1, &f->n_sources));
    f->sources = get_alloc(&rd, sizeof(int) * (size_t)f->n_sources);
    if (!f->sources) return BS_ERROR;
    for (int k = 0; k < f->n_sources; k++)
        BS_TRY(get_int(&rd, 0, INT32_MAX, &f->sources[k]));
    BS_TRY(get_node(&rd, &f->root));
    CHECK(&rd, bufreader_left(&rd.r) == 0, "trailing bytes");
    *out = f;
    return BS_OK;
}
