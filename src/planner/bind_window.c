/*
 * bind_window.c — window functions in the binder: a call with OVER becomes an EXPR_WINDOW
 * (its arguments, partition and order keys bound over the FROM scope, or over the
 * aggregation's outputs once bind_select.c has rewritten them), and once the SELECT's
 * clauses below the projection are planned, bind_plan_windows replaces every window call
 * by a column of a LOP_WINDOW: one per distinct (PARTITION BY, ORDER BY), stacked, so that
 * calls of one window share one sort.
 *
 * Named windows follow SQL's rules (as PostgreSQL applies them): OVER w is window w as it
 * is; OVER (w ORDER BY …) copies w's partitioning and may add an order if w has none,
 * never a partitioning, and w must not have a frame. A WINDOW clause entry may refer to
 * an earlier one under the same rules.
 */
#include "planner/planner_int.h"

#include "common/timezone.h"

#include <stdio.h>
#include <string.h>

#define SQLSTATE_WINDOWING_ERROR   "42P20"
#define SQLSTATE_WRONG_OBJECT_TYPE "42809"
#define SQLSTATE_NULL_VALUE        "22004"
#define SQLSTATE_INVALID_PRECEDING "22013"

static const char *const WINDOW_NAMES[WIN_COUNT_] = {
    [WIN_ROW_NUMBER] = "row_number",   [WIN_RANK] = "rank",
    [WIN_DENSE_RANK] = "dense_rank",   [WIN_PERCENT_RANK] = "percent_rank",
    [WIN_CUME_DIST] = "cume_dist",     [WIN_NTILE] = "ntile",
    [WIN_LAG] = "lag",                 [WIN_LEAD] = "lead",
    [WIN_FIRST_VALUE] = "first_value", [WIN_LAST_VALUE] = "last_value",
    [WIN_NTH_VALUE] = "nth_value",     [WIN_AGGREGATE] = "aggregate",
};

const char *window_func_name(WindowFuncId id)
{
    return (unsigned)id < WIN_COUNT_ ? WINDOW_NAMES[id] : NULL;
}

int window_func_by_name(const char *name)
{
    for (int k = 0; k < WIN_AGGREGATE; k++)
        if (strcmp(WINDOW_NAMES[k], name) == 0) return k;
    return -1;
}

bool binder_is_window_function(const char *name)
{
    return window_func_by_name(name) >= 0;
}

static bool find_window(Expr *e, void *arg)
{
    if (e->kind == EXPR_WINDOW) {
        *(bool *)arg = true;
        return false;
    }
    return true;
}

bool expr_has_window(Expr *e)
{
    bool found = false;
    if (e) expr_visit(e, find_window, &found);
    return found;
}

/* ---- window specifications ---- */

/* The effective parts of a window: from the OVER clause and the windows it names. */
typedef struct Spec {
    const AstList *partition; /* AstExpr* */
    const AstList *order;     /* AstOrderItem* */
    const AstWindowSpec *frame; /* the spec whose frame applies (unit DEFAULT: none) */
} Spec;

static const AstWindowDef *find_def(const AstList *defs, int before, const char *name)
{
    for (int k = 0; defs && k < before; k++) {
        const AstWindowDef *d = defs->items[k];
        if (strcmp(d->name, name) == 0) return d;
    }
    return NULL;
}

/* Resolves spec (a WINDOW clause entry `before` entries in, or an OVER clause: -1). */
static Status resolve_spec(const AstList *defs, int before, const AstWindowSpec *spec, Spec *out,
                           Error *err)
{
    out->partition = &spec->partition_by;
    out->order = &spec->order_by;
    out->frame = spec;
    if (!spec->ref) return BS_OK;
    int limit = before >= 0 ? before : defs ? defs->count : 0;
    const AstWindowDef *def = find_def(defs, limit, spec->ref);
    if (!def)
        return error_set(err, SQLSTATE_UNDEFINED_OBJECT, spec->ref_pos,
                         "window \"%s\" does not exist", spec->ref);
    int index = 0;
    while (defs->items[index] != def)
        index++;
    Spec base;
    BS_TRY(resolve_spec(defs, index, def->spec, &base, err));
    if (spec->bare_ref) {
        *out = base;
        return BS_OK;
    }
    if (spec->partition_by.count > 0)
        return error_set(err, SQLSTATE_WINDOWING_ERROR, spec->ref_pos,
                         "cannot override PARTITION BY clause of window \"%s\"", spec->ref);
    if (spec->order_by.count > 0 && base.order->count > 0)
        return error_set(err, SQLSTATE_WINDOWING_ERROR, spec->ref_pos,
                         "cannot override ORDER BY clause of window \"%s\"", spec->ref);
    if (base.frame->unit != AST_FRAME_DEFAULT)
        return error_set(err, SQLSTATE_WINDOWING_ERROR, spec->ref_pos,
                         "cannot copy window \"%s\" because it has a frame clause", spec->ref);
    out->partition = base.partition;
    if (spec->order_by.count == 0) out->order = base.order;
    return BS_OK;
}

Status binder_check_windows(const AstList *defs, Error *err)
{
    for (int k = 0; defs && k < defs->count; k++) {
        const AstWindowDef *d = defs->items[k];
        if (find_def(defs, k, d->name))
            return error_set(err, SQLSTATE_WINDOWING_ERROR, d->pos,
                             "window \"%s\" is already defined", d->name);
        Spec s;
        BS_TRY(resolve_spec(defs, k, d->spec, &s, err));
    }
    return BS_OK;
}

/* ---- frames ---- */

static bool has_offset(AstFrameBoundKind k)
{
    return k == AST_BOUND_PRECEDING || k == AST_BOUND_FOLLOWING;
}

/* A frame offset: a constant of `type`, not NULL, not negative. */
static Status bind_offset(Binder *b, const AstFrameBound *bound, bool start, LogicalType type,
                          const char *unit, Value *out, Error *err)
{
    Scope empty = {0};
    Expr *e;
    BS_TRY(bind_expr(b, bound->offset, &empty, CLAUSE_LIMIT, &e, err));
    BS_TRY(binder_cast(b, &e, type, false, err));
    if (e->kind != EXPR_CONSTANT)
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, bound->pos,
                         "argument of %s must be a constant", unit);
    if (e->u.constant.is_null)
        return error_set(err, SQLSTATE_NULL_VALUE, bound->pos, "frame %s offset must not be null",
                         start ? "starting" : "ending");
    const Value *v = &e->u.constant;
    bool negative = false;
    switch (type_physical(type)) {
    case PHYS_INT32:
        negative = v->u.i32 < 0;
        break;
    case PHYS_INT64:
        negative = v->u.i64 < 0;
        break;
    case PHYS_DOUBLE:
        negative = !(v->u.f64 >= 0);
        break;
    case PHYS_INTERVAL:
        negative = v->u.iv.months < 0 || v->u.iv.days < 0 || v->u.iv.micros < 0;
        break;
    default:
        break;
    }
    if (negative) {
        if (strcmp(unit, "RANGE") == 0)
            return error_set(err, SQLSTATE_INVALID_PRECEDING, bound->pos,
                             "invalid preceding or following size in window function");
        return error_set(err, SQLSTATE_INVALID_PRECEDING, bound->pos,
                         "frame %s offset must not be negative", start ? "starting" : "ending");
    }
    *out = *v;
    return BS_OK;
}

static Status bind_frame(Binder *b, const AstWindowSpec *s, const WindowCall *call,
                         WindowFrame *frame, Error *err)
{
    memset(frame, 0, sizeof *frame);
    if (s->unit == AST_FRAME_DEFAULT) {
        frame->unit = WFRAME_RANGE;
        frame->start = WBOUND_UNBOUNDED_PRECEDING;
        frame->end = WBOUND_CURRENT_ROW;
        return BS_OK;
    }
    frame->exclude = s->exclude == AST_EXCLUDE_CURRENT_ROW ? WEXCLUDE_CURRENT_ROW
                     : s->exclude == AST_EXCLUDE_GROUP     ? WEXCLUDE_GROUP
                     : s->exclude == AST_EXCLUDE_TIES      ? WEXCLUDE_TIES
                                                           : WEXCLUDE_NONE;
    AstFrameBoundKind st = s->start.kind, en = s->end.kind;
    if (st == AST_BOUND_UNBOUNDED_FOLLOWING)
        return error_set(err, SQLSTATE_WINDOWING_ERROR, s->start.pos,
                         "frame start cannot be UNBOUNDED FOLLOWING");
    if (en == AST_BOUND_UNBOUNDED_PRECEDING)
        return error_set(err, SQLSTATE_WINDOWING_ERROR, s->end.pos,
                         "frame end cannot be UNBOUNDED PRECEDING");
    if (st == AST_BOUND_CURRENT_ROW && en == AST_BOUND_PRECEDING)
        return error_set(err, SQLSTATE_WINDOWING_ERROR, s->end.pos,
                         "frame starting from current row cannot have preceding rows");
    if (st == AST_BOUND_FOLLOWING && (en == AST_BOUND_PRECEDING || en == AST_BOUND_CURRENT_ROW))
        return error_set(err, SQLSTATE_WINDOWING_ERROR, s->end.pos,
                         "frame starting from following row cannot have preceding rows");
    frame->unit = s->unit == AST_FRAME_ROWS    ? WFRAME_ROWS
                  : s->unit == AST_FRAME_RANGE ? WFRAME_RANGE
                                               : WFRAME_GROUPS;
    frame->start = (WindowBound)st;
    frame->end = (WindowBound)en;
    const char *unit = s->unit == AST_FRAME_ROWS    ? "ROWS"
                       : s->unit == AST_FRAME_RANGE ? "RANGE"
                                                    : "GROUPS";
    if (frame->unit == WFRAME_GROUPS && call->n_order == 0)
        return error_set(err, SQLSTATE_WINDOWING_ERROR, s->frame_pos,
                         "GROUPS mode requires an ORDER BY clause");
    LogicalType type = type_make(TYPE_BIGINT);
    if (frame->unit == WFRAME_RANGE && (has_offset(st) || has_offset(en))) {
        if (call->n_order != 1)
            return error_set(err, SQLSTATE_WINDOWING_ERROR, s->frame_pos,
                             "RANGE with offset PRECEDING/FOLLOWING requires exactly one ORDER BY "
                             "column");
        LogicalType key = call->order[0].expr->type;
        /* The Window operator reads numeric keys as INTEGER, BIGINT, DECIMAL(≤18) or DOUBLE. */
        bool narrow = key.id == TYPE_TINYINT || key.id == TYPE_SMALLINT || key.id == TYPE_REAL ||
                      key.id == TYPE_HUGEINT || type_is_wide_decimal(key);
        /* a timestamptz key's days and months would be added in the session's zone
           (PostgreSQL): here only where that is UTC's arithmetic */
        bool utc_tz = key.id == TYPE_TIMESTAMPTZ && tz_is_utc(b->zone ? b->zone : tz_utc());
        if (type_is_numeric(key) && !narrow) {
            type = key;
        } else if (type_is_temporal(key) || utc_tz) {
            type = type_make(TYPE_INTERVAL);
        } else if (key.id == TYPE_TIMESTAMPTZ) {
            return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, s->frame_pos,
                             "RANGE with offset PRECEDING/FOLLOWING over timestamp with time zone "
                             "is supported only in a time zone without an offset from UTC (the "
                             "session's is %s)",
                             tz_name(b->zone));
        } else {
            char t[40];
            return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, s->frame_pos,
                             "RANGE with offset PRECEDING/FOLLOWING is not supported for column "
                             "type %s",
                             type_sql_name(key, t, sizeof t));
        }
    }
    if (has_offset(st)) BS_TRY(bind_offset(b, &s->start, true, type, unit, &frame->start_offset, err));
    if (has_offset(en)) BS_TRY(bind_offset(b, &s->end, false, type, unit, &frame->end_offset, err));
    return BS_OK;
}

/* ---- calls ---- */

static Status fix_untyped(Binder *b, Expr **e, Error *err)
{
    if ((*e)->type.id == TYPE_NULL)
        return binder_cast(b, e, type_make(TYPE_INTEGER), false, err);
    if ((*e)->flags & EXPR_FLAG_UNTYPED)
        return binder_cast(b, e, type_make(TYPE_VARCHAR), false, err);
    return BS_OK;
}

static Status no_such_window_function(const char *name, Expr **args, int n, int pos, Error *err)
{
    char types[160] = "";
    size_t len = 0;
    for (int k = 0; k < n && len < sizeof types; k++) {
        char t[40];
        int w = snprintf(types + len, sizeof types - len, "%s%s", k ? ", " : "",
                         type_sql_name(args[k]->type, t, sizeof t));
        if (w > 0) len += (size_t)w;
    }
    error_set(err, SQLSTATE_UNDEFINED_FUNCTION, pos, "function %s(%s) does not exist", name, types);
    error_set_hint(err, "No function matches the given name and argument types. You might need "
                        "to add explicit type casts.");
    return BS_ERROR;
}

/*
 * An aggregate with OVER: bound as the aggregate it is (bind_aggregate.c: its forms,
 * DISTINCT, FILTER as a CASE around the argument, ORDER BY inside the call), then its
 * argument and ORDER BY keys become the call's arguments. The Window operator computes
 * over BOOLEAN, INTEGER, BIGINT, HUGEINT, DECIMAL, DOUBLE, text, dates, timestamps and
 * intervals: TINYINT and SMALLINT widen to INTEGER and REAL to DOUBLE, and where the
 * result has the argument's type (min, max, quantile_disc) *narrow is set to an
 * expression of the original type, to which the caller casts the result back.
 */
static Status bind_window_aggregate(Binder *b, const AstExpr *ast, const Scope *scope,
                                    WindowCall *call, Expr **narrow, Error *err)
{
    const char *name = ast->u.func.name;
    if (ast->u.func.within_group)
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, ast->pos,
                         "OVER is not supported for ordered-set aggregate %s", name);
    Expr *e;
    BS_TRY(binder_bind_aggregate_call(b, ast, scope, CLAUSE_WINDOW_AGGREGATE, &e, err));
    AggregateCall *agg = e->u.aggregate.call;
    if (agg->n_order + 1 > WINDOW_MAX_ARGS)
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, ast->pos,
                         "%s over a window takes at most %d ORDER BY keys", name,
                         WINDOW_MAX_ARGS - 1);
    AggFuncId func = agg->func;
    LogicalType type = agg->type;
    if (func == AGG_ARRAY_AGG && agg->distinct)
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, ast->pos,
                         "array_agg(DISTINCT …) over a window is not supported yet");
    if (agg->arg && func != AGG_COUNT && func != AGG_APPROX_DISTINCT) {
        TypeId t = agg->arg->type.id;
        LogicalType wide = type_make(t == TYPE_REAL ? TYPE_DOUBLE : TYPE_INTEGER);
        if (t == TYPE_TINYINT || t == TYPE_SMALLINT || t == TYPE_REAL) {
            if (type_equals(type, agg->arg->type)) {
                *narrow = agg->arg; /* its type is what the result is cast back to */
                type = wide;
            }
            BS_TRY(binder_cast(b, &agg->arg, wide, false, err));
        }
    }
    call->agg = func;
    call->type = type;
    call->distinct = agg->distinct;
    call->param = agg->param;
    call->n_args = agg->arg ? 1 : 0;
    if (agg->arg) call->args[0] = agg->arg;
    call->n_agg_order = agg->n_order;
    for (int o = 0; o < agg->n_order; o++) {
        call->args[1 + o] = agg->order[o].expr;
        call->agg_order_desc[o] = agg->order[o].descending;
        call->agg_order_nulls_first[o] = agg->order[o].nulls_first;
        BS_TRY(fix_untyped(b, &call->args[1 + o], err));
    }
    if (agg->n_order > 0) call->n_args = 1 + agg->n_order;
    return BS_OK;
}

Status bind_window_call(Binder *b, const AstExpr *ast, const Scope *scope, Expr **out, Error *err)
{
    const char *name = ast->u.func.name;
    const AstWindowSpec *over = ast->u.func.over;
    WindowCall *call = arena_alloc_zero(b->arena, sizeof *call);
    if (!call) return arena_error(b->arena, err);
    call->pos = ast->pos;
    int id = window_func_by_name(name);
    if (id < 0 && !binder_is_aggregate_name(name)) {
        bool is_agg = false;
        int fid = -1;
        if (binder_lookup_function(name, &is_agg, &fid))
            return error_set(err, SQLSTATE_WRONG_OBJECT_TYPE, ast->pos,
                             "OVER specified, but %s is not a window function nor an aggregate "
                             "function",
                             name);
        return error_set(err, SQLSTATE_UNDEFINED_FUNCTION, ast->pos, "function %s does not exist",
                         name);
    }
    bool ignore_nulls = ast->u.func.nulls == AST_NULLS_IGNORE;
    if (ast->u.func.nulls != AST_NULLS_DEFAULT &&
        (id < 0 || (id != WIN_LAG && id != WIN_LEAD && id != WIN_FIRST_VALUE &&
                    id != WIN_LAST_VALUE && id != WIN_NTH_VALUE)))
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, ast->u.func.nulls_pos,
                         "%s NULLS is supported only by lag, lead, first_value, last_value and "
                         "nth_value, not by %s",
                         ignore_nulls ? "IGNORE" : "RESPECT", name);
    if (id < 0) {
        id = WIN_AGGREGATE;
    } else if (ast->u.func.distinct || ast->u.func.star) {
        return error_set(err, SQLSTATE_WRONG_OBJECT_TYPE, ast->pos,
                         "%s is not an aggregate function", name);
    } else if (ast->u.func.filter) {
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, ast->pos,
                         "FILTER is not implemented for non-aggregate window functions");
    } else if (ast->u.func.order.count > 0) {
        return error_set(err, SQLSTATE_WRONG_OBJECT_TYPE, ast->pos,
                         "%s is not an aggregate function, so it cannot have ORDER BY", name);
    }
    call->ignore_nulls = ignore_nulls;
    call->param = value_null(type_make(TYPE_INVALID));
    call->func = (WindowFuncId)id;
    /* Arguments: aggregates of a grouped query may appear, window calls may not. */
    int n_args = ast->u.func.args.count;
    if (n_args > 3) n_args = 4; /* too many for any of them: reported below */
    Expr *args[4] = {NULL, NULL, NULL, NULL};
    for (int k = 0; call->func != WIN_AGGREGATE && k < n_args && k < ast->u.func.args.count; k++)
        BS_TRY(bind_expr(b, ast->u.func.args.items[k], scope, CLAUSE_WINDOW_ARG, &args[k], err));
    Expr *result = NULL; /* a cast of the call back to a narrow result type */
    LogicalType bigint = type_make(TYPE_BIGINT);
    switch (call->func) {
    case WIN_ROW_NUMBER:
    case WIN_RANK:
    case WIN_DENSE_RANK:
    case WIN_PERCENT_RANK:
    case WIN_CUME_DIST:
        if (n_args != 0) return no_such_window_function(name, args, n_args, ast->pos, err);
        call->type = call->func == WIN_PERCENT_RANK || call->func == WIN_CUME_DIST
                         ? type_make(TYPE_DOUBLE)
                         : bigint;
        break;
    case WIN_NTILE:
        if (n_args != 1) return no_such_window_function(name, args, n_args, ast->pos, err);
        BS_TRY(binder_cast(b, &args[0], bigint, false, err));
        call->type = bigint;
        break;
    case WIN_LAG:
    case WIN_LEAD:
        if (n_args < 1 || n_args > 3)
            return no_such_window_function(name, args, n_args, ast->pos, err);
        if (n_args == 3) {
            LogicalType common;
            if (!binder_common_type(args[0], args[2], &common))
                return no_such_window_function(name, args, n_args, ast->pos, err);
            BS_TRY(binder_cast(b, &args[0], common, false, err));
            BS_TRY(binder_cast(b, &args[2], common, false, err));
        }
        BS_TRY(fix_untyped(b, &args[0], err));
        if (n_args == 3) BS_TRY(binder_cast(b, &args[2], args[0]->type, false, err));
        if (n_args >= 2) {
            BS_TRY(binder_cast(b, &args[1], bigint, false, err));
        } else {
            Value one = value_bigint(1);
            args[1] = expr_new_constant(b->arena, &one, ast->pos);
            if (!args[1]) return arena_error(b->arena, err);
        }
        if (n_args < 3) {
            Value none = value_null(args[0]->type);
            args[2] = expr_new_constant(b->arena, &none, ast->pos);
            if (!args[2]) return arena_error(b->arena, err);
        }
        n_args = 3;
        call->type = args[0]->type;
        break;
    case WIN_FIRST_VALUE:
    case WIN_LAST_VALUE:
        if (n_args != 1) return no_such_window_function(name, args, n_args, ast->pos, err);
        BS_TRY(fix_untyped(b, &args[0], err));
        call->type = args[0]->type;
        break;
    case WIN_NTH_VALUE:
        if (n_args != 2) return no_such_window_function(name, args, n_args, ast->pos, err);
        BS_TRY(fix_untyped(b, &args[0], err));
        BS_TRY(binder_cast(b, &args[1], bigint, false, err));
        call->type = args[0]->type;
        break;
    case WIN_AGGREGATE:
        BS_TRY(bind_window_aggregate(b, ast, scope, call, &result, err));
        break;
    case WIN_COUNT_:
        break;
    }
    if (call->func != WIN_AGGREGATE) {
        call->n_args = n_args;
        for (int k = 0; k < n_args; k++)
            call->args[k] = args[k];
    }
    /* The window. */
    Spec spec;
    BS_TRY(resolve_spec(b->windows, -1, over, &spec, err));
    call->n_partitions = spec.partition->count;
    call->partitions =
        arena_alloc(b->arena, sizeof(Expr *) * (size_t)(call->n_partitions ? call->n_partitions : 1));
    call->n_order = spec.order->count;
    call->order = arena_alloc(b->arena,
                              sizeof(LogicalSortKey) * (size_t)(call->n_order ? call->n_order : 1));
    if (!call->partitions || !call->order) return arena_error(b->arena, err);
    for (int k = 0; k < call->n_partitions; k++) {
        BS_TRY(bind_expr(b, spec.partition->items[k], scope, CLAUSE_WINDOW_ARG,
                         &call->partitions[k], err));
        BS_TRY(fix_untyped(b, &call->partitions[k], err));
    }
    for (int k = 0; k < call->n_order; k++) {
        const AstOrderItem *o = spec.order->items[k];
        LogicalSortKey *key = &call->order[k];
        key->descending = o->descending;
        key->nulls_first = o->nulls == 1 || (o->nulls == 0 && o->descending);
        BS_TRY(bind_expr(b, o->expr, scope, CLAUSE_WINDOW_ARG, &key->expr, err));
        BS_TRY(fix_untyped(b, &key->expr, err));
    }
    BS_TRY(bind_frame(b, spec.frame, call, &call->frame, err));
    *out = expr_new(b->arena, EXPR_WINDOW, call->type, ast->pos);
    if (!*out) return arena_error(b->arena, err);
    (*out)->u.window.call = call;
    if (result) {
        /* min(smallint) OVER …: computed over INTEGER, the result narrowed back (exact) */
        LogicalType want = result->type;
        return binder_cast(b, out, want, true, err);
    }
    return BS_OK;
}

/* ---- planning ---- */

typedef struct Collected {
    Arena *arena;
    Expr **nodes;
    int count, capacity;
    bool failed;
} Collected;

static bool collect_window(Expr *e, void *arg)
{
    Collected *c = arg;
    if (e->kind != EXPR_WINDOW) return true;
    if (c->count == c->capacity) {
        int cap = c->capacity ? c->capacity * 2 : 8;
        Expr **grown = arena_grow(c->arena, c->nodes, sizeof(Expr *) * (size_t)c->capacity,
                                  sizeof(Expr *) * (size_t)cap);
        if (!grown) {
            c->failed = true;
            return false;
        }
        c->nodes = grown;
        c->capacity = cap;
    }
    c->nodes[c->count++] = e;
    return false; /* window calls do not nest */
}

/* Expressions the windows read that are not columns of the input: computed below them. */
typedef struct PreProject {
    Binder *b;
    const LogicalOp *input;
    Expr **exprs;
    int count, capacity;
} PreProject;

static bool is_input_column(const LogicalOp *input, const Expr *e)
{
    if (e->kind != EXPR_COLUMN) return false;
    for (int k = 0; k < input->n_out; k++)
        if (input->bindings[k].table == e->u.column.binding.table &&
            input->bindings[k].column == e->u.column.binding.column)
            return true;
    return false;
}

static Status note_computed(PreProject *pp, Expr *e, Error *err)
{
    if (is_input_column(pp->input, e)) return BS_OK;
    for (int k = 0; k < pp->count; k++)
        if (expr_equal(pp->exprs[k], e)) return BS_OK;
    if (pp->count == pp->capacity) {
        int cap = pp->capacity ? pp->capacity * 2 : 8;
        Expr **grown = arena_grow(pp->b->arena, pp->exprs, sizeof(Expr *) * (size_t)pp->capacity,
                                  sizeof(Expr *) * (size_t)cap);
        if (!grown) return arena_error(pp->b->arena, err);
        pp->exprs = grown;
        pp->capacity = cap;
    }
    pp->exprs[pp->count++] = e;
    return BS_OK;
}

/* The column of the projection `proj` (over input) that computes e. */
static Status projected(Binder *b, const LogicalOp *proj, const LogicalOp *input, Expr **e,
                        Error *err)
{
    int n_in = input->n_out;
    int col = -1;
    for (int k = 0; k < proj->u.project.n_exprs && col < 0; k++)
        if (expr_equal(proj->u.project.exprs[k], *e)) col = k;
    if (col < 0 || col < n_in) {
        /* an input column passed through */
        for (int k = 0; k < n_in && col < 0; k++)
            if ((*e)->kind == EXPR_COLUMN &&
                input->bindings[k].table == (*e)->u.column.binding.table &&
                input->bindings[k].column == (*e)->u.column.binding.column)
                col = k;
    }
    if (col < 0)
        return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "binder: window input not projected");
    *e = expr_new_column(b->arena, proj->bindings[col], proj->types[col], (*e)->pos);
    return *e ? BS_OK : arena_error(b->arena, err);
}

typedef struct Remap {
    const LogicalOp *from, *to; /* to passes from's columns through, in order, first */
} Remap;

static bool remap_column(Expr *e, void *arg)
{
    const Remap *r = arg;
    if (e->kind != EXPR_COLUMN) return true;
    for (int k = 0; k < r->from->n_out; k++)
        if (r->from->bindings[k].table == e->u.column.binding.table &&
            r->from->bindings[k].column == e->u.column.binding.column) {
            e->u.column.binding = r->to->bindings[k];
            break;
        }
    return true;
}

Status binder_row_number(Binder *b, LogicalOp **root, Expr **partitions, int n_partitions,
                         LogicalSortKey *order, int n_order, Error *err)
{
    WindowCall *w = arena_alloc_zero(b->arena, sizeof *w);
    WindowCall **funcs = arena_alloc(b->arena, sizeof(WindowCall *));
    LogicalOp *win = logical_create(b->arena, LOP_WINDOW, *root);
    if (!w || !funcs || !win) return arena_error(b->arena, err);
    w->func = WIN_ROW_NUMBER;
    w->type = type_make(TYPE_BIGINT);
    w->n_partitions = n_partitions;
    w->partitions = partitions;
    w->n_order = n_order;
    w->order = order;
    w->frame.unit = WFRAME_ROWS;
    w->frame.start = WBOUND_UNBOUNDED_PRECEDING;
    w->frame.end = WBOUND_CURRENT_ROW;
    w->pos = -1;
    funcs[0] = w;
    win->u.window.table_index = b->next_table_index++;
    win->u.window.n_funcs = 1;
    win->u.window.funcs = funcs;
    BS_TRY(logical_resolve(win, b->arena, err));
    *root = win;
    return BS_OK;
}

Status bind_plan_windows(Binder *b, LogicalOp **root, Expr **slots[], int n_slots, Error *err)
{
    Collected calls = {.arena = b->arena};
    for (int k = 0; k < n_slots; k++)
        if (*slots[k]) expr_visit(*slots[k], collect_window, &calls);
    if (calls.failed) return arena_error(b->arena, err);
    if (calls.count == 0) return BS_OK;
    LogicalOp *input = *root;
    /* Keys and arguments that are not input columns are computed by a projection that
       also passes every input column through; what is above then reads its columns. */
    PreProject pp = {b, input, NULL, 0, 0};
    for (int c = 0; c < calls.count; c++) {
        WindowCall *w = calls.nodes[c]->u.window.call;
        for (int k = 0; k < w->n_args; k++)
            BS_TRY(note_computed(&pp, w->args[k], err));
        for (int k = 0; k < w->n_partitions; k++)
            BS_TRY(note_computed(&pp, w->partitions[k], err));
        for (int k = 0; k < w->n_order; k++)
            BS_TRY(note_computed(&pp, w->order[k].expr, err));
    }
    if (pp.count > 0) {
        LogicalOp *proj = logical_create(b->arena, LOP_PROJECT, input);
        if (!proj) return arena_error(b->arena, err);
        int n = input->n_out + pp.count;
        proj->u.project.table_index = b->next_table_index++;
        proj->u.project.n_exprs = n;
        proj->u.project.exprs = arena_alloc(b->arena, sizeof(Expr *) * (size_t)n);
        if (!proj->u.project.exprs) return arena_error(b->arena, err);
        for (int k = 0; k < input->n_out; k++) {
            proj->u.project.exprs[k] =
                expr_new_column(b->arena, input->bindings[k], input->types[k], -1);
            if (!proj->u.project.exprs[k]) return arena_error(b->arena, err);
        }
        for (int k = 0; k < pp.count; k++)
            proj->u.project.exprs[input->n_out + k] = pp.exprs[k];
        BS_TRY(logical_resolve(proj, b->arena, err));
        for (int c = 0; c < calls.count; c++) {
            WindowCall *w = calls.nodes[c]->u.window.call;
            for (int k = 0; k < w->n_args; k++)
                BS_TRY(projected(b, proj, input, &w->args[k], err));
            for (int k = 0; k < w->n_partitions; k++)
                BS_TRY(projected(b, proj, input, &w->partitions[k], err));
            for (int k = 0; k < w->n_order; k++)
                BS_TRY(projected(b, proj, input, &w->order[k].expr, err));
        }
        /* The rest of each expression reads the projection's pass-through columns. */
        Remap r = {input, proj};
        for (int k = 0; k < n_slots; k++)
            if (*slots[k]) expr_visit(*slots[k], remap_column, &r);
        *root = proj;
    }
    /* One LOP_WINDOW per distinct (partitioning, order), in order of first appearance;
       equal calls share a column. */
    bool *done = arena_alloc_zero(b->arena, sizeof(bool) * (size_t)calls.count);
    if (!done) return arena_error(b->arena, err);
    for (int c = 0; c < calls.count; c++) {
        if (done[c]) continue;
        const WindowCall *spec = calls.nodes[c]->u.window.call;
        LogicalOp *win = logical_create(b->arena, LOP_WINDOW, *root);
        WindowCall **funcs = arena_alloc(b->arena, sizeof(WindowCall *) * (size_t)calls.count);
        if (!win || !funcs) return arena_error(b->arena, err);
        win->u.window.table_index = b->next_table_index++;
        win->u.window.funcs = funcs;
        for (int d = c; d < calls.count; d++) {
            Expr *node = calls.nodes[d];
            WindowCall *w = node->u.window.call;
            if (done[d] || !window_spec_equal(spec, w)) continue;
            done[d] = true;
            int col = -1;
            for (int k = 0; k < win->u.window.n_funcs && col < 0; k++)
                if (window_call_equal(funcs[k], w)) col = k;
            if (col < 0) {
                col = win->u.window.n_funcs++;
                funcs[col] = w;
            }
            /* The call becomes the window's column, in place (its parent points at it). */
            LogicalType type = w->type;
            int pos = node->pos;
            memset(node, 0, sizeof *node);
            node->kind = EXPR_COLUMN;
            node->type = type;
            node->pos = pos;
            node->u.column.binding = (ColumnBinding){win->u.window.table_index, (uint32_t)col};
        }
        BS_TRY(logical_resolve(win, b->arena, err));
        *root = win;
    }
    return BS_OK;
}
