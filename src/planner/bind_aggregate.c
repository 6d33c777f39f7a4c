/*
 * bind_aggregate.c — binds aggregate calls: the names and aliases of the aggregates, the
 * shapes of their arguments (string_agg's separator, a quantile's fraction, PostgreSQL's
 * ordered-set form `percentile_cont(f) WITHIN GROUP (ORDER BY x)`), ORDER BY inside the
 * call, and FILTER (WHERE …), which becomes a CASE around the argument: every aggregate
 * skips NULL inputs, so `agg(x) FILTER (WHERE c)` is `agg(CASE WHEN c THEN x END)` and
 * `count(*) FILTER (WHERE c)` is `count(CASE WHEN c THEN TRUE END)`.
 * The typing of each aggregate is functions.c's (binder_bind_aggregate).
 */
#include "planner/planner_int.h"

#include <string.h>

/* How a call's arguments are written. */
typedef enum AggForm {
    FORM_ONE,        /* agg(x) */
    FORM_STRING_AGG, /* string_agg(x [, separator]) */
    FORM_MEDIAN,     /* median(x): quantile_cont(x, 0.5) */
    FORM_QUANTILE,   /* quantile_cont(x, fraction) (DuckDB) */
    FORM_PERCENTILE, /* percentile_cont(fraction) WITHIN GROUP (ORDER BY x) (PostgreSQL) */
    FORM_ARRAY,      /* array_agg(x [ORDER BY …]) */
} AggForm;

static const struct {
    const char *name;
    AggFuncId func;
    AggForm form;
} AGGREGATES[] = {
    {"count", AGG_COUNT, FORM_ONE},
    {"sum", AGG_SUM, FORM_ONE},
    {"min", AGG_MIN, FORM_ONE},
    {"max", AGG_MAX, FORM_ONE},
    {"avg", AGG_AVG, FORM_ONE},
    {"var_samp", AGG_VAR_SAMP, FORM_ONE},
    {"variance", AGG_VAR_SAMP, FORM_ONE},
    {"var_pop", AGG_VAR_POP, FORM_ONE},
    {"stddev_samp", AGG_STDDEV_SAMP, FORM_ONE},
    {"stddev", AGG_STDDEV_SAMP, FORM_ONE},
    {"stddev_pop", AGG_STDDEV_POP, FORM_ONE},
    {"bool_and", AGG_BOOL_AND, FORM_ONE},
    {"every", AGG_BOOL_AND, FORM_ONE},
    {"bool_or", AGG_BOOL_OR, FORM_ONE},
    {"approx_distinct", AGG_APPROX_DISTINCT, FORM_ONE},
    {"approx_count_distinct", AGG_APPROX_DISTINCT, FORM_ONE},
    {"string_agg", AGG_STRING_AGG, FORM_STRING_AGG},
    {"listagg", AGG_STRING_AGG, FORM_STRING_AGG},
    {"group_concat", AGG_STRING_AGG, FORM_STRING_AGG},
    {"median", AGG_QUANTILE_CONT, FORM_MEDIAN},
    {"quantile_cont", AGG_QUANTILE_CONT, FORM_QUANTILE},
    {"quantile_disc", AGG_QUANTILE_DISC, FORM_QUANTILE},
    {"quantile", AGG_QUANTILE_DISC, FORM_QUANTILE},
    {"percentile_cont", AGG_QUANTILE_CONT, FORM_PERCENTILE},
    {"percentile_disc", AGG_QUANTILE_DISC, FORM_PERCENTILE},
    {"array_agg", AGG_ARRAY_AGG, FORM_ARRAY},
    {"list", AGG_ARRAY_AGG, FORM_ARRAY},
    {"array_accum", AGG_ARRAY_AGG, FORM_ARRAY},
};

static int find_aggregate(const char *name)
{
    for (int k = 0; k < (int)BS_ARRAY_LEN(AGGREGATES); k++)
        if (strcmp(AGGREGATES[k].name, name) == 0) return k;
    return -1;
}

bool binder_is_aggregate_name(const char *name)
{
    return find_aggregate(name) >= 0;
}

/* A constant fraction in [0, 1] (a NULL gives a NULL result) into *param. */
static Status bind_fraction(const char *name, const Expr *e, Value *param, Error *err)
{
    if (e->kind != EXPR_CONSTANT)
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, e->pos,
                         "the fraction of %s must be a constant", name);
    const Value *v = &e->u.constant;
    if (v->is_null) {
        *param = value_null(type_make(TYPE_DOUBLE));
        return BS_OK;
    }
    double f;
    switch (v->type.id) {
    case TYPE_INTEGER:
        f = v->u.i32;
        break;
    case TYPE_BIGINT:
        f = (double)v->u.i64;
        break;
    case TYPE_DOUBLE:
        f = v->u.f64;
        break;
    case TYPE_DECIMAL:
        f = (double)v->u.i64 / (double)POW10[v->type.scale];
        break;
    default:
        return error_set(err, SQLSTATE_DATATYPE_MISMATCH, e->pos,
                         "the fraction of %s must be a number", name);
    }
    if (!(f >= 0 && f <= 1))
        return error_set(err, SQLSTATE_NUMERIC_OUT_OF_RANGE, e->pos,
                         "percentile value %g is not between 0 and 1", f);
    *param = value_double(f);
    return BS_OK;
}

/* string_agg's separator: a constant string (NULL: none). */
static Status bind_separator(Binder *b, const char *name, Expr *e, Value *param, Error *err)
{
    if (e->kind != EXPR_CONSTANT)
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, e->pos,
                         "the separator of %s must be a constant", name);
    if (e->u.constant.is_null) {
        *param = value_varchar("", 0);
        return BS_OK;
    }
    if (e->type.id != TYPE_VARCHAR) BS_TRY(binder_cast(b, &e, type_make(TYPE_VARCHAR), false, err));
    if (e->kind != EXPR_CONSTANT || e->type.id != TYPE_VARCHAR)
        return error_set(err, SQLSTATE_DATATYPE_MISMATCH, e->pos,
                         "the separator of %s must be a string", name);
    *param = e->u.constant;
    return BS_OK;
}

/*
 * array_agg's argument x becomes ARRAY[x], never NULL, so that NULL values are kept while
 * FILTER's CASE (NULL for the rows it skips) still drops rows. DISTINCT without ORDER BY
 * orders by x, as PostgreSQL's sort-based DISTINCT returns the values.
 */
static Status wrap_array_agg_arg(Binder *b, const AstExpr *ast, Expr **arg, AggOrderKey **order,
                                 int *n_order, Error *err)
{
    if ((*arg)->flags & EXPR_FLAG_UNTYPED || (*arg)->type.id == TYPE_NULL)
        BS_TRY(binder_cast(b, arg, type_make((*arg)->type.id == TYPE_NULL ? TYPE_INTEGER
                                                                          : TYPE_VARCHAR),
                           false, err));
    if ((*arg)->type.id == TYPE_ARRAY)
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, ast->pos,
                         "array_agg of arrays is not supported: arrays of arrays are not");
    if (ast->u.func.distinct && *n_order == 0) {
        (*order)[0].expr = *arg;
        (*order)[0].descending = false;
        (*order)[0].nulls_first = false;
        *n_order = 1;
    }
    Expr **args = arena_alloc(b->arena, sizeof(Expr *));
    if (!args) return arena_error(b->arena, err);
    args[0] = *arg;
    return binder_bind_scalar(b, FN_ARRAY_VALUE, args, 1, ast->pos, arg, err);
}

Status binder_bind_aggregate_call(Binder *b, const AstExpr *ast, const Scope *scope,
                                  BindClause clause, Expr **out, Error *err)
{
    const char *name = ast->u.func.name;
    int k = find_aggregate(name);
    if (k < 0) return error_set(err, SQLSTATE_INTERNAL_ERROR, ast->pos, "not an aggregate");
    AggFuncId func = AGGREGATES[k].func;
    AggForm form = AGGREGATES[k].form;
    if (clause == CLAUSE_AGGREGATE_ARG)
        return error_set(err, SQLSTATE_GROUPING_ERROR, ast->pos,
                         "aggregate function calls cannot be nested");
    /* CLAUSE_WINDOW_ARG: sum(sum(x)) OVER (…) over a grouped query; CLAUSE_WINDOW_AGGREGATE:
       the window aggregate itself, whose arguments may hold aggregates of the query */
    BindClause arg_clause =
        clause == CLAUSE_WINDOW_AGGREGATE ? CLAUSE_WINDOW_ARG : CLAUSE_AGGREGATE_ARG;
    if (clause != CLAUSE_SELECT && clause != CLAUSE_HAVING && clause != CLAUSE_ORDER_BY &&
        clause != CLAUSE_WINDOW_ARG && clause != CLAUSE_WINDOW_AGGREGATE)
        return error_set(err, SQLSTATE_GROUPING_ERROR, ast->pos,
                         "aggregate functions are not allowed in %s", binder_clause_name(clause));
    if (ast->u.func.star && func != AGG_COUNT)
        return error_set(err, SQLSTATE_SYNTAX_ERROR, ast->pos,
                         "%s(*) is not allowed; only count(*)", name);
    bool within = ast->u.func.within_group;
    if (form == FORM_PERCENTILE && !within)
        return error_set(err, SQLSTATE_SYNTAX_ERROR, ast->pos,
                         "WITHIN GROUP is required for ordered-set aggregate %s", name);
    if (form != FORM_PERCENTILE && within)
        return error_set(err, SQLSTATE_SYNTAX_ERROR, ast->pos,
                         "%s is not an ordered-set aggregate, so it cannot have WITHIN GROUP",
                         name);
    int n_args = ast->u.func.args.count;
    int min_args = 1, max_args = 1;
    if (form == FORM_STRING_AGG) max_args = 2;
    if (form == FORM_QUANTILE) min_args = max_args = 2;
    if (!ast->u.func.star && (n_args < min_args || n_args > max_args))
        return error_set(
            err, SQLSTATE_UNDEFINED_FUNCTION, ast->pos, "function %s takes %s %d argument%s", name,
            min_args == max_args ? "exactly" : "at most", max_args, max_args == 1 ? "" : "s");
    if (form == FORM_PERCENTILE && ast->u.func.order.count != 1)
        return error_set(err, SQLSTATE_UNDEFINED_FUNCTION, ast->pos,
                         "%s takes exactly one ORDER BY key in WITHIN GROUP", name);
    if (form == FORM_PERCENTILE && ast->u.func.distinct)
        return error_set(err, SQLSTATE_SYNTAX_ERROR, ast->pos,
                         "cannot use DISTINCT with WITHIN GROUP");

    Value param = value_null(type_make(TYPE_INVALID));
    Expr *arg = NULL;
    if (form == FORM_PERCENTILE) {
        Expr *fraction;
        BS_TRY(
            bind_expr(b, ast->u.func.args.items[0], scope, arg_clause, &fraction, err));
        BS_TRY(bind_fraction(name, fraction, &param, err));
        const AstOrderItem *item = ast->u.func.order.items[0];
        BS_TRY(bind_expr(b, item->expr, scope, arg_clause, &arg, err));
    } else if (!ast->u.func.star) {
        BS_TRY(bind_expr(b, ast->u.func.args.items[0], scope, arg_clause, &arg, err));
        if (form == FORM_MEDIAN) param = value_double(0.5);
        if (form == FORM_QUANTILE) {
            Expr *fraction;
            BS_TRY(bind_expr(b, ast->u.func.args.items[1], scope, arg_clause, &fraction,
                             err));
            BS_TRY(bind_fraction(name, fraction, &param, err));
        }
        if (form == FORM_STRING_AGG) {
            /* Any value is written as text (DuckDB); a missing separator is ','. */
            if (arg->type.id != TYPE_VARCHAR && !(arg->flags & EXPR_FLAG_UNTYPED))
                BS_TRY(binder_cast(b, &arg, type_make(TYPE_VARCHAR), true, err));
            param = value_varchar(",", 1);
            if (n_args == 2) {
                Expr *sep;
                BS_TRY(bind_expr(b, ast->u.func.args.items[1], scope, arg_clause, &sep,
                                 err));
                BS_TRY(bind_separator(b, name, sep, &param, err));
            }
        }
    }
    if (ast->u.func.star) func = AGG_COUNT_STAR;

    /* ORDER BY among the arguments: kept where the order matters (string_agg), bound (and
       so checked) but dropped for the others, whose results do not depend on it. */
    int n_order = ast->u.func.order.count;
    AggOrderKey *order =
        arena_alloc_zero(b->arena, sizeof(AggOrderKey) * (size_t)(n_order ? n_order : 1));
    if (!order) return arena_error(b->arena, err);
    for (int o = 0; o < n_order; o++) {
        const AstOrderItem *item = ast->u.func.order.items[o];
        order[o].descending = item->descending;
        order[o].nulls_first = item->nulls == 0 ? item->descending : item->nulls == 1;
        if (form == FORM_PERCENTILE) {
            order[o].expr = arg;
        } else {
            BS_TRY(bind_expr(b, item->expr, scope, arg_clause, &order[o].expr, err));
            if (order[o].expr->flags & EXPR_FLAG_UNTYPED)
                BS_TRY(binder_cast(b, &order[o].expr, type_make(TYPE_VARCHAR), false, err));
        }
    }
    if (form != FORM_STRING_AGG && form != FORM_PERCENTILE && form != FORM_ARRAY) n_order = 0;
    if (ast->u.func.distinct && n_order > 0) {
        /* PostgreSQL: with DISTINCT, every ORDER BY key is the argument (here also the
           value string_agg casts to text: equal keys are then equal values). */
        for (int o = 0; o < n_order; o++)
            if (!expr_equal(order[o].expr, arg) &&
                !(arg->kind == EXPR_CAST && expr_equal(order[o].expr, arg->u.cast.arg)))
                return error_set(err, SQLSTATE_INVALID_COLUMN_REF, order[o].expr->pos,
                                 "in an aggregate with DISTINCT, ORDER BY expressions must "
                                 "appear in argument list");
    }

    if (form == FORM_ARRAY)
        BS_TRY(wrap_array_agg_arg(b, ast, &arg, &order, &n_order, err));
    AggregateCall *call;
    BS_TRY(binder_bind_aggregate(b, func, arg, ast->u.func.distinct, ast->pos, &call, err));
    call->param = param;
    call->n_order = n_order;
    call->order = order;
    if (form == FORM_PERCENTILE) order[0].expr = call->arg; /* after its implicit casts */

    if (ast->u.func.filter) {
        Expr *cond;
        BS_TRY(bind_expr(b, ast->u.func.filter, scope, arg_clause, &cond, err));
        BS_TRY(binder_require_boolean(b, &cond, "FILTER", err));
        Expr *value = call->arg;
        if (!value) {
            Value t = value_boolean(true);
            value = expr_new_constant(b->arena, &t, ast->pos);
            if (!value) return arena_error(b->arena, err);
            call->func = AGG_COUNT;
            call->arg_type = value->type;
        }
        Expr *e = expr_new(b->arena, EXPR_CASE, value->type, ast->pos);
        Expr **whens = arena_alloc(b->arena, sizeof(Expr *));
        Expr **thens = arena_alloc(b->arena, sizeof(Expr *) * 2);
        Value null = value_null(value->type);
        Expr *else_expr = expr_new_constant(b->arena, &null, ast->pos);
        if (!e || !whens || !thens || !else_expr) return arena_error(b->arena, err);
        whens[0] = cond;
        thens[0] = value;
        thens[1] = else_expr;
        e->u.case_.n_whens = 1;
        e->u.case_.whens = whens;
        e->u.case_.thens = thens;
        e->u.case_.else_expr = else_expr;
        call->arg = e;
    }
    *out = expr_new(b->arena, EXPR_AGGREGATE, call->type, ast->pos);
    if (!*out) return arena_error(b->arena, err);
    (*out)->u.aggregate.call = call;
    return BS_OK;
}
