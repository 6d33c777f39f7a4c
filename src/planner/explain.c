/*
 * explain.c — the text of EXPLAIN: each fragment (stage) with its distribution and the
 * exchange its output goes through, then its operator tree, children indented. Columns
 * are shown by position (#0, #1, …) in their operator's input.
 *
 * EXPLAIN (TYPE DISTRIBUTED) shows each fragment as Trino does a stage: its task count,
 * its output partitioning in Trino's words, the fragments it reads, and each join's
 * distribution (REPLICATED, PARTITIONED; SINGLE when both sides were gathered to one
 * task). EXPLAIN (TYPE LOGICAL) is one tree: a remote source is shown as the exchange,
 * with the tree of the fragment it reads below it.
 */
#include "planner/planner_int.h"

#include "common/array.h"

#include <string.h>

static const char *func_symbol(ScalarFuncId f)
{
    switch (f) {
    case FN_ADD:
        return "+";
    case FN_SUBTRACT:
        return "-";
    case FN_MULTIPLY:
        return "*";
    case FN_DIVIDE:
        return "/";
    case FN_MODULO:
        return "%";
    case FN_EQ:
        return "=";
    case FN_NE:
        return "<>";
    case FN_LT:
        return "<";
    case FN_LE:
        return "<=";
    case FN_GT:
        return ">";
    case FN_GE:
        return ">=";
    case FN_CONCAT:
        return "||";
    case FN_LIKE:
        return "LIKE";
    case FN_NOT_LIKE:
        return "NOT LIKE";
    default:
        return NULL;
    }
}

static void explain_value(const Value *v, Buffer *out)
{
    if (v->is_null) {
        buffer_printf(out, "NULL");
        return;
    }
    char buf[VALUE_TEXT_MAX];
    switch ((TypeId)v->type.id) {
    case TYPE_VARCHAR:
        buffer_put_u8(out, '\'');
        for (uint32_t k = 0; k < v->u.str.len; k++) {
            if (v->u.str.data[k] == '\'') buffer_put_u8(out, '\'');
            buffer_put_u8(out, (uint8_t)v->u.str.data[k]);
        }
        buffer_put_u8(out, '\'');
        return;
    case TYPE_BOOLEAN:
        buffer_printf(out, "%s", v->u.b ? "true" : "false");
        return;
    case TYPE_ARRAY: { /* '{1,2}'::integer[] */
        Buffer text;
        buffer_init(&text);
        array_format(&text, v->type, v->u.str.data, v->u.str.len);
        buffer_put_u8(out, '\'');
        for (size_t k = 0; k < text.len; k++) {
            if (text.data[k] == '\'') buffer_put_u8(out, '\'');
            buffer_put_u8(out, text.data[k]);
        }
        buffer_free(&text);
        buffer_printf(out, "'::%s", type_sql_name(v->type, buf, sizeof buf));
        return;
    }
    default:
        format_value(v, buf);
        break;
    }
    if (v->type.id == TYPE_DATE)
        buffer_printf(out, "DATE '%s'", buf);
    else if (v->type.id == TYPE_TIMESTAMP)
        buffer_printf(out, "TIMESTAMP '%s'", buf);
    else if (v->type.id == TYPE_INTERVAL)
        buffer_printf(out, "INTERVAL '%s'", buf);
    else
        buffer_printf(out, "%s", buf);
}

static void format_list(Expr *const *args, int n, const char *sep, Buffer *out)
{
    for (int k = 0; k < n; k++) {
        if (k) buffer_printf(out, "%s", sep);
        expr_format(args[k], out);
    }
}

/* EXPLAIN shows this many values of a long IN list, then how many more there are. */
#define EXPLAIN_IN_VALUES 20

/* (x IN (a, b, …)) or, negated, (x NOT IN (…)). */
static void format_in(const Expr *in, bool negated, Buffer *out)
{
    int n = in->u.call.n_args - 1;
    buffer_printf(out, "(");
    expr_format(in->u.call.args[0], out);
    buffer_printf(out, negated ? " NOT IN (" : " IN (");
    int shown = n <= EXPLAIN_IN_VALUES + 1 ? n : EXPLAIN_IN_VALUES;
    format_list(in->u.call.args + 1, shown, ", ", out);
    if (shown < n) buffer_printf(out, ", … %d more", n - shown);
    buffer_printf(out, "))");
}

void expr_format(const Expr *e, Buffer *out)
{
    char tname[32];
    switch (e->kind) {
    case EXPR_CONSTANT:
        explain_value(&e->u.constant, out);
        return;
    case EXPR_COLUMN:
        buffer_printf(out, "#%d", e->u.column.index);
        return;
    case EXPR_CALL: {
        const char *sym = func_symbol(e->u.call.func);
        if (e->u.call.func == FN_IN && e->u.call.n_args >= 2) {
            format_in(e, false, out);
        } else if (sym && e->u.call.n_args == 2) {
            buffer_printf(out, "(");
            expr_format(e->u.call.args[0], out);
            buffer_printf(out, " %s ", sym);
            expr_format(e->u.call.args[1], out);
            buffer_printf(out, ")");
        } else if (e->u.call.func == FN_NEGATE) {
            buffer_printf(out, "(-");
            expr_format(e->u.call.args[0], out);
            buffer_printf(out, ")");
        } else {
            buffer_printf(out, "%s(", scalar_func_name(e->u.call.func));
            format_list(e->u.call.args, e->u.call.n_args, ", ", out);
            buffer_printf(out, ")");
        }
        return;
    }
    case EXPR_CAST:
        buffer_printf(out, "CAST(");
        expr_format(e->u.cast.arg, out);
        buffer_printf(out, " AS %s)", type_format(e->type, tname, sizeof tname));
        return;
    case EXPR_AND:
    case EXPR_OR:
        buffer_printf(out, "(");
        format_list(e->u.conj.args, e->u.conj.n_args, e->kind == EXPR_AND ? " AND " : " OR ", out);
        buffer_printf(out, ")");
        return;
    case EXPR_NOT:
        if (e->u.unary.arg->kind == EXPR_CALL && e->u.unary.arg->u.call.func == FN_IN &&
            e->u.unary.arg->u.call.n_args >= 2) {
            format_in(e->u.unary.arg, true, out);
            return;
        }
        buffer_printf(out, "(NOT ");
        expr_format(e->u.unary.arg, out);
        buffer_printf(out, ")");
        return;
    case EXPR_IS_NULL:
    case EXPR_IS_NOT_NULL:
        buffer_printf(out, "(");
        expr_format(e->u.unary.arg, out);
        buffer_printf(out, e->kind == EXPR_IS_NULL ? " IS NULL)" : " IS NOT NULL)");
        return;
    case EXPR_CASE:
        buffer_printf(out, "CASE");
        for (int k = 0; k < e->u.case_.n_whens; k++) {
            buffer_printf(out, " WHEN ");
            expr_format(e->u.case_.whens[k], out);
            buffer_printf(out, " THEN ");
            expr_format(e->u.case_.thens[k], out);
        }
        buffer_printf(out, " ELSE ");
        expr_format(e->u.case_.else_expr, out);
        buffer_printf(out, " END");
        return;
    case EXPR_AGGREGATE:
        buffer_printf(out, "%s(…)", agg_func_name(e->u.aggregate.call->func));
        return;
    case EXPR_SUBQUERY:
        buffer_printf(out, "(subquery)");
        return;
    case EXPR_WINDOW:
        buffer_printf(out, "%s(…) OVER (…)", window_func_name(e->u.window.call->func));
        return;
    }
}

static const char *exchange_name(ExchangeKind kind)
{
    switch (kind) {
    case EXCHANGE_GATHER:
        return "GATHER";
    case EXCHANGE_REPARTITION:
        return "REPARTITION";
    case EXCHANGE_BROADCAST:
        return "BROADCAST";
    case EXCHANGE_ROUND_ROBIN:
        return "ROUND_ROBIN";
    case EXCHANGE_ORDERED_GATHER:
        return "ORDERED_GATHER";
    case EXCHANGE_KIND_COUNT_:
        break;
    }
    return "?";
}

static const char *zone_op_name(PlanZoneOp op)
{
    static const char *names[] = {"=", "<", "<=", ">", ">=", "IS NULL", "IS NOT NULL"};
    return (unsigned)op <= PZ_IS_NOT_NULL ? names[op] : "?";
}

/* "REPARTITION(#0, #1)", "GATHER", … */
static void explain_partitioning(const Partitioning *p, Buffer *out)
{
    buffer_printf(out, "%s", exchange_name(p->kind));
    if (p->n_keys) {
        buffer_printf(out, "(");
        for (int k = 0; k < p->n_keys; k++)
            buffer_printf(out, "%s#%d", k ? ", " : "", p->keys[k]);
        buffer_printf(out, ")");
    }
}

static void indent(Buffer *out, int depth)
{
    for (int k = 0; k < depth; k++)
        buffer_printf(out, "  ");
}

static void explain_bound(WindowBound kind, const Value *offset, Buffer *out)
{
    switch (kind) {
    case WBOUND_UNBOUNDED_PRECEDING:
        buffer_printf(out, "UNBOUNDED PRECEDING");
        return;
    case WBOUND_CURRENT_ROW:
        buffer_printf(out, "CURRENT ROW");
        return;
    case WBOUND_UNBOUNDED_FOLLOWING:
        buffer_printf(out, "UNBOUNDED FOLLOWING");
        return;
    case WBOUND_PRECEDING:
    case WBOUND_FOLLOWING:
        explain_value(offset, out);
        buffer_printf(out, kind == WBOUND_PRECEDING ? " PRECEDING" : " FOLLOWING");
        return;
    }
}

/* "Window[partition: #0, order: #1 ASC NULLS LAST, rank(), sum(#2) ROWS BETWEEN …]" */
static void explain_window(const PlanNode *n, Buffer *out)
{
    static const char *units[] = {"ROWS", "RANGE", "GROUPS"};
    buffer_printf(out, "Window[");
    if (n->u.window.n_partitions) {
        buffer_printf(out, "partition: ");
        for (int k = 0; k < n->u.window.n_partitions; k++)
            buffer_printf(out, "%s#%d", k ? ", " : "", n->u.window.partitions[k]);
        buffer_printf(out, ", ");
    }
    if (n->u.window.n_order) {
        buffer_printf(out, "order: ");
        for (int k = 0; k < n->u.window.n_order; k++)
            buffer_printf(out, "%s#%d %s NULLS %s", k ? ", " : "", n->u.window.order[k].column,
                          n->u.window.order[k].descending ? "DESC" : "ASC",
                          n->u.window.order[k].nulls_first ? "FIRST" : "LAST");
        buffer_printf(out, ", ");
    }
    for (int k = 0; k < n->u.window.n_funcs; k++) {
        const PlanWindowFunc *f = &n->u.window.funcs[k];
        buffer_printf(out, "%s%s(", k ? ", " : "",
                      f->func == WIN_AGGREGATE ? agg_func_name(f->agg) : window_func_name(f->func));
        if (f->func == WIN_AGGREGATE && f->agg == AGG_COUNT_STAR) buffer_printf(out, "*");
        for (int a = 0; a < f->n_args; a++)
            buffer_printf(out, "%s#%d", a ? ", " : "", f->args[a]);
        buffer_printf(out, ")");
        bool framed = f->func == WIN_AGGREGATE || f->func == WIN_FIRST_VALUE ||
                      f->func == WIN_LAST_VALUE || f->func == WIN_NTH_VALUE;
        if (!framed) continue;
        buffer_printf(out, " %s BETWEEN ",
                      (unsigned)f->frame.unit <= WFRAME_GROUPS ? units[f->frame.unit] : "?");
        explain_bound(f->frame.start, &f->frame.start_offset, out);
        buffer_printf(out, " AND ");
        explain_bound(f->frame.end, &f->frame.end_offset, out);
    }
    buffer_printf(out, "]");
}

/* What a plan's text is made from: the plan (its fragments) and the kind of EXPLAIN. */
typedef struct Explainer {
    const QueryPlan *plan;
    ExplainType type;
    int fragment; /* the id of the fragment whose tree is being written */
} Explainer;

static const PlanFragment *fragment_by_id(const QueryPlan *plan, int id)
{
    for (int k = 0; k < plan->n_fragments; k++)
        if (plan->fragments[k]->id == id) return plan->fragments[k];
    return NULL;
}

/* Trino's names of a fragment's output partitioning: "HASH [#0, #1]", "SINGLE", … */
static void explain_output_partitioning(const Partitioning *p, Buffer *out)
{
    switch (p->kind) {
    case EXCHANGE_REPARTITION:
        buffer_printf(out, "HASH [");
        for (int k = 0; k < p->n_keys; k++)
            buffer_printf(out, "%s#%d", k ? ", " : "", p->keys[k]);
        buffer_printf(out, "]");
        return;
    case EXCHANGE_GATHER:
        buffer_printf(out, "SINGLE");
        return;
    case EXCHANGE_ORDERED_GATHER:
        buffer_printf(out, "SINGLE, ordered");
        return;
    case EXCHANGE_BROADCAST:
    case EXCHANGE_ROUND_ROBIN:
    case EXCHANGE_KIND_COUNT_:
        buffer_printf(out, "%s", exchange_name(p->kind));
        return;
    }
}

static void explain_node(Explainer *ex, const PlanNode *n, int depth, Buffer *out)
{
    indent(out, depth + 2);
    switch (n->kind) {
    case PLAN_TABLE_SCAN:
        buffer_printf(out, "TableScan[%s", n->u.scan.table);
        buffer_printf(out, ", columns: ");
        for (int k = 0; k < n->u.scan.n_columns; k++)
            buffer_printf(out, "%s%s", k ? ", " : "", n->u.scan.column_names[k]);
        if (n->u.scan.n_zone > 0) {
            buffer_printf(out, ", zone maps: ");
            for (int k = 0; k < n->u.scan.n_zone; k++) {
                const PlanZoneCond *z = &n->u.scan.zone[k];
                const char *col = "?";
                for (int c = 0; c < n->u.scan.n_columns; c++)
                    if (n->u.scan.columns[c] == z->column) col = n->u.scan.column_names[c];
                buffer_printf(out, "%s%s %s", k ? " AND " : "", strcmp(col, "?") ? col : "column",
                              zone_op_name(z->op));
                if (z->op < PZ_IS_NULL) {
                    buffer_printf(out, " ");
                    explain_value(&z->value, out);
                }
            }
        }
        buffer_printf(out, "]");
        break;
    case PLAN_VALUES:
        buffer_printf(out, "Values[%d rows]", n->u.values.n_rows);
        break;
    case PLAN_FILTER:
        buffer_printf(out, "Filter[");
        expr_format(n->u.filter.predicate, out);
        buffer_printf(out, "]");
        break;
    case PLAN_PROJECT:
        buffer_printf(out, "Project[");
        format_list(n->u.project.exprs, n->n_cols, ", ", out);
        buffer_printf(out, "]");
        break;
    case PLAN_HASH_AGGREGATE: {
        static const char *modes[] = {"SINGLE", "PARTIAL", "FINAL"};
        buffer_printf(out, "HashAggregate[%s", modes[n->u.agg.mode]);
        if (n->u.agg.n_groups) {
            buffer_printf(out, ", groups: ");
            for (int k = 0; k < n->u.agg.n_groups; k++)
                buffer_printf(out, "%s#%d", k ? ", " : "", n->u.agg.groups[k]);
        }
        for (int k = 0; k < n->u.agg.n_aggs; k++) {
            const PlanAggregate *a = &n->u.agg.aggs[k];
            buffer_printf(out, "%s%s(%s", k ? ", " : ", aggregates: ", agg_func_name(a->func),
                          a->distinct ? "DISTINCT " : "");
            if (a->arg >= 0) buffer_printf(out, "#%d", a->arg);
            if (a->param.type.id == TYPE_DOUBLE && a->param.is_null)
                buffer_printf(out, ", NULL");
            else if (a->param.type.id == TYPE_DOUBLE)
                buffer_printf(out, ", %g", a->param.u.f64);
            else if (a->param.type.id == TYPE_VARCHAR)
                buffer_printf(out, ", '%.*s'", (int)a->param.u.str.len, a->param.u.str.data);
            for (int o = 0; o < a->n_order; o++)
                buffer_printf(out, "%s#%d%s", o ? ", " : " ORDER BY ", a->order[o].column,
                              a->order[o].descending ? " DESC" : "");
            buffer_printf(out, ")");
        }
        if (n->u.agg.input_partitioned) buffer_printf(out, ", input partitioned");
        if (n->u.agg.flush_groups) buffer_printf(out, ", streaming");
        buffer_printf(out, "]");
        break;
    }
    case PLAN_SORT:
    case PLAN_TOPN:
        if (n->kind == PLAN_TOPN)
            buffer_printf(out, "TopN[%lld, ", (long long)n->u.sort.limit);
        else
            buffer_printf(out, "Sort[");
        for (int k = 0; k < n->u.sort.n_keys; k++)
            buffer_printf(out, "%s#%d %s NULLS %s", k ? ", " : "", n->u.sort.keys[k].column,
                          n->u.sort.keys[k].descending ? "DESC" : "ASC",
                          n->u.sort.keys[k].nulls_first ? "FIRST" : "LAST");
        buffer_printf(out, "]");
        break;
    case PLAN_LIMIT:
        if (n->u.limit.single_row) {
            buffer_printf(out, "EnforceSingleRow");
            break;
        }
        buffer_printf(out, "Limit[");
        if (n->u.limit.limit >= 0)
            buffer_printf(out, "%lld", (long long)n->u.limit.limit);
        else
            buffer_printf(out, "ALL");
        if (n->u.limit.offset) buffer_printf(out, ", offset %lld", (long long)n->u.limit.offset);
        buffer_printf(out, "]");
        break;
    case PLAN_EXCHANGE:
        buffer_printf(out, "%s[", n->u.exchange.local ? "LocalExchange" : "Exchange");
        explain_partitioning(&n->u.exchange.part, out);
        buffer_printf(out, "]");
        break;
    case PLAN_REMOTE_SOURCE: {
        const PlanFragment *source = fragment_by_id(ex->plan, n->u.remote.fragment);
        /* (A fragment reads fragments of higher ids only; a plan decoded from bad bytes
           may say otherwise, and is not followed round in circles.) */
        if (ex->type == EXPLAIN_LOGICAL && source && source->id > ex->fragment) {
            /* The exchange, and what it reads below it, as before fragmenting. */
            buffer_printf(out, "RemoteExchange[");
            explain_partitioning(&source->output, out);
            buffer_printf(out, "%s]\n", n->u.remote.single ? ", one reader" : "");
            int reader = ex->fragment;
            ex->fragment = source->id;
            explain_node(ex, source->root, depth + 1, out);
            ex->fragment = reader;
            return;
        }
        buffer_printf(out, "RemoteSource[fragment %d, %s%s]", n->u.remote.fragment,
                      exchange_name(n->u.remote.kind), n->u.remote.single ? ", one reader" : "");
        break;
    }
    case PLAN_TABLE_WRITE:
        buffer_printf(out, "TableWrite[%s]", n->u.write.table);
        break;
    case PLAN_CSV_SCAN:
        buffer_printf(out, "CsvScan['%s']", n->u.csv.path);
        break;
    case PLAN_JOIN: {
        static const char *types[] = {"INNER", "LEFT", "FULL", "SEMI", "ANTI", "MARK"};
        const int np = n->children[0]->n_cols;
        buffer_printf(out, "%s[%s", n->u.join.n_keys ? "HashJoin" : "NestedLoopJoin",
                      n->u.join.single_match                ? "SINGLE"
                      : (unsigned)n->u.join.type < PJ_COUNT_ ? types[n->u.join.type]
                                                             : "?");
        for (int k = 0; k < n->u.join.n_keys; k++)
            buffer_printf(out, "%s#%d %s #%d", k ? " AND " : ", ", n->u.join.probe_keys[k],
                          n->u.join.null_equal && n->u.join.null_equal[k] ? "IS NOT DISTINCT FROM"
                                                                          : "=",
                          np + n->u.join.build_keys[k]);
        if (n->u.join.residual) {
            buffer_printf(out, ", filter: ");
            expr_format(n->u.join.residual, out);
        }
        if (n->u.join.null_aware) buffer_printf(out, ", null-aware");
        /* Trino's names: the build side REPLICATED (broadcast), or both PARTITIONED. */
        static const char *dists[] = {NULL, "REPLICATED", "PARTITIONED", "SINGLE"};
        if (ex->type != EXPLAIN_FRAGMENTS && (unsigned)n->u.join.distribution < PJD_COUNT_ &&
            dists[n->u.join.distribution])
            buffer_printf(out, ", distribution: %s", dists[n->u.join.distribution]);
        buffer_printf(out, "]");
        break;
    }
    case PLAN_UNION:
        buffer_printf(out, "Union[%d inputs]", n->n_children);
        break;
    case PLAN_RECURSIVE_CTE:
        buffer_printf(out, "RecursiveCTE[%s, %s]", n->u.recursive.name ? n->u.recursive.name : "?",
                      n->u.recursive.union_all ? "UNION ALL" : "UNION");
        break;
    case PLAN_CTE_SCAN:
        buffer_printf(out, "CteScan[%s]", n->u.cte_scan.name ? n->u.cte_scan.name : "?");
        break;
    case PLAN_RANGE:
        buffer_printf(out, "%s[", n->u.range.inclusive ? "GenerateSeries" : "Range");
        expr_format(n->u.range.start, out);
        buffer_printf(out, ", ");
        expr_format(n->u.range.stop, out);
        buffer_printf(out, ", ");
        expr_format(n->u.range.step, out);
        buffer_printf(out, "]");
        break;
    case PLAN_WINDOW:
        explain_window(n, out);
        break;
    case PLAN_UNNEST:
        if (n->u.unnest.mode != UNNEST_ARRAYS) { /* start, stop, step: the input's last */
            buffer_printf(out, "Unnest[%s per row%s]",
                          n->u.unnest.mode == UNNEST_SERIES ? "generate_series" : "range",
                          n->u.unnest.outer ? ", outer" : "");
            break;
        }
        buffer_printf(out, "Unnest[%d array%s%s]", n->u.unnest.n_arrays,
                      n->u.unnest.n_arrays == 1 ? "" : "s",
                      n->u.unnest.ordinality ? ", ordinality" : "");
        break;
    case PLAN_EXPAND:
        buffer_printf(out, "Expand[");
        for (int s = 0; s < n->u.expand.n_sets; s++) {
            buffer_printf(out, "%s(", s ? ", " : "");
            bool first = true;
            for (int k = 0; k < n->u.expand.n_keys; k++)
                if (n->u.expand.sets[s] >> k & 1) {
                    buffer_printf(out, "%s#%d", first ? "" : ", ", n->u.expand.keys[k]);
                    first = false;
                }
            buffer_printf(out, ")");
        }
        buffer_printf(out, "]");
        break;
    case PLAN_KIND_COUNT_:
        break;
    }
    buffer_printf(out, "\n");
    for (int k = 0; k < n->n_children; k++)
        explain_node(ex, n->children[k], depth + 1, out);
}

/* FragmentDistribution's names. */
static const char *const FRAGMENT_DISTRIBUTIONS[] = {"SINGLE", "SOURCE", "FIXED"};

/* A stage of EXPLAIN (TYPE DISTRIBUTED): tasks, output partitioning, remote sources. */
static void explain_stage(Explainer *ex, const PlanFragment *f, Buffer *out)
{
    buffer_printf(out, "Fragment %d [%s, %d task%s]\n", f->id,
                  FRAGMENT_DISTRIBUTIONS[f->distribution], f->n_tasks, f->n_tasks == 1 ? "" : "s");
    buffer_printf(out, "    Output partitioning: ");
    explain_output_partitioning(&f->output, out);
    if (f->consumer < 0)
        buffer_printf(out, " (to the client)\n");
    else if (f->output.n_partitions > 1)
        buffer_printf(out, " (to fragment %d, %d partitions)\n", f->consumer,
                      f->output.n_partitions);
    else
        buffer_printf(out, " (to fragment %d)\n", f->consumer);
    for (int k = 0; k < f->n_sources; k++) {
        const PlanFragment *source = fragment_by_id(ex->plan, f->sources[k]);
        buffer_printf(out, "%sfragment %d (%s)", k ? ", " : "    Remote sources: ", f->sources[k],
                      source ? exchange_name(source->output.kind) : "?");
    }
    if (f->n_sources) buffer_printf(out, "\n");
    explain_node(ex, f->root, 0, out);
}

void planner_explain_as(const QueryPlan *plan, ExplainType type, Buffer *out)
{
    Explainer ex = {plan, type, 0};
    if (type == EXPLAIN_LOGICAL) {
        if (plan->n_fragments > 0) {
            ex.fragment = plan->fragments[0]->id;
            explain_node(&ex, plan->fragments[0]->root, -2, out);
        }
        return;
    }
    for (int k = 0; k < plan->n_fragments; k++) {
        const PlanFragment *f = plan->fragments[k];
        ex.fragment = f->id;
        if (k) buffer_printf(out, "\n");
        if (type == EXPLAIN_DISTRIBUTED) {
            explain_stage(&ex, f, out);
            continue;
        }
        buffer_printf(out, "Fragment %d [%s", f->id, FRAGMENT_DISTRIBUTIONS[f->distribution]);
        if (f->n_tasks > 1) buffer_printf(out, ", %d tasks", f->n_tasks);
        buffer_printf(out, "]\n");
        if (f->consumer < 0) {
            buffer_printf(out, "    Output: to the client\n");
        } else {
            buffer_printf(out, "    Output: ");
            explain_partitioning(&f->output, out);
            buffer_printf(out, " to fragment %d", f->consumer);
            if (f->output.n_partitions > 1)
                buffer_printf(out, " (%d partitions)", f->output.n_partitions);
            buffer_printf(out, "\n");
        }
        explain_node(&ex, f->root, 0, out);
    }
}

void planner_explain(const QueryPlan *plan, Buffer *out)
{
    planner_explain_as(plan, EXPLAIN_FRAGMENTS, out);
}
