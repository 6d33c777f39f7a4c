/*
 * bind_from_items.c — FROM items that are not stored tables or subqueries: the table
 * functions range() and generate_series(), and views (their stored query, parsed and
 * bound in place of the name).
 */
#include "planner/planner_int.h"

#include "common/timezone.h"

#include "parser/parser.h"

#include <string.h>

/*
 * range([start,] stop [, step]) — DuckDB's: start to stop excluded, start 0 and step 1 by
 * default — and generate_series(start, stop [, step]) — PostgreSQL's: stop included. One
 * BIGINT column named after the function (TIMESTAMP for a series of dates or timestamps).
 * Constant arguments make a LOP_RANGE. Arguments that read other FROM items (an implicit
 * LATERAL, as PostgreSQL allows) or an enclosing query make a LOP_UNNEST in a range mode:
 * over the FROM items to its left when it follows them in a FROM list, else over one row
 * of no columns, correlated (the dependent join flattens it like unnest's).
 */
static bool find_column(Expr *e, void *arg)
{
    if (e->kind == EXPR_COLUMN) {
        *(bool *)arg = true;
        return false;
    }
    return true;
}

static bool expr_reads_columns(Expr *e)
{
    bool found = false;
    expr_visit(e, find_column, &found);
    return found;
}

/* The bound arguments of a series: start, stop, step, cast to their types. */
typedef struct SeriesArgs {
    const char *name;
    bool inclusive;
    bool reads_columns; /* of the scope or an enclosing one */
    Expr *start, *stop, *step;
} SeriesArgs;

static Status bind_series_args(Binder *b, const AstTableRef *ref, const Scope *scope,
                               SeriesArgs *sa, Error *err)
{
    const char *name = ref->u.func.name;
    bool inclusive = strcmp(name, "generate_series") == 0;
    if (!inclusive && strcmp(name, "range") != 0)
        return error_set(err, SQLSTATE_UNDEFINED_FUNCTION, ref->pos,
                         "function %s(…) does not exist as a table function", name);
    int n = ref->u.func.args.count;
    if (n < (inclusive ? 2 : 1) || n > 3)
        return error_set(err, SQLSTATE_UNDEFINED_FUNCTION, ref->pos,
                         "%s takes %s arguments, not %d", name, inclusive ? "2 or 3" : "1 to 3", n);
    Expr *args[3];
    bool reads = false;
    for (int k = 0; k < n; k++) {
        BS_TRY(bind_expr(b, ref->u.func.args.items[k], scope, CLAUSE_VALUES, &args[k], err));
        reads |= expr_reads_columns(args[k]);
    }
    for (int k = 0; k < n; k++)
        if (expr_has_subquery(args[k]))
            return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, args[k]->pos,
                             "subqueries in the arguments of %s are not supported yet", name);
    /* A series of timestamps: bounds of DATE or TIMESTAMP, a step of INTERVAL; of
       TIMESTAMPTZ when a bound is one. Its days and months are added in the session's
       zone (PostgreSQL): done here only where that is UTC's arithmetic, a zone without
       offset or daylight saving time. */
    bool times = false, tz = false;
    for (int k = 0; k < n && k < 2; k++) {
        TypeId id = args[k]->type.id;
        times |= id == TYPE_DATE || id == TYPE_TIMESTAMP || id == TYPE_TIMESTAMPTZ;
        tz |= id == TYPE_TIMESTAMPTZ;
    }
    if (tz && !tz_is_utc(b->zone ? b->zone : tz_utc()))
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, ref->pos,
                         "%s of timestamp with time zone is supported only in a time zone "
                         "without an offset from UTC (the session's is %s; SET TIME ZONE "
                         "'UTC', or use timestamp bounds)",
                         name, tz_name(b->zone ? b->zone : tz_utc()));
    TypeId time_type = tz ? TYPE_TIMESTAMPTZ : TYPE_TIMESTAMP;
    if (times) {
        if (n != 3)
            return error_set(err, SQLSTATE_UNDEFINED_FUNCTION, ref->pos,
                             "%s of dates or timestamps takes a start, a stop and an interval "
                             "step",
                             name);
        for (int k = 0; k < 3; k++) {
            TypeId id = args[k]->type.id;
            bool untyped = id == TYPE_NULL || (args[k]->flags & EXPR_FLAG_UNTYPED);
            bool ok = k < 2 ? id == TYPE_DATE || id == TYPE_TIMESTAMP || id == TYPE_TIMESTAMPTZ
                            : id == TYPE_INTERVAL;
            if (!ok && !untyped) {
                char t[40];
                return error_set(err, SQLSTATE_UNDEFINED_FUNCTION, args[k]->pos,
                                 "%s(timestamp, timestamp, interval) does not take %s as its %s "
                                 "argument",
                                 name, type_sql_name(args[k]->type, t, sizeof t),
                                 k == 0   ? "first"
                                 : k == 1 ? "second"
                                          : "third");
            }
            BS_TRY(
                binder_cast(b, &args[k], type_make(k < 2 ? time_type : TYPE_INTERVAL), false, err));
        }
    }
    for (int k = 0; k < n && !times; k++) {
        if (!type_is_numeric(args[k]->type) || type_is_float(args[k]->type) ||
            args[k]->type.id == TYPE_DECIMAL || args[k]->type.id == TYPE_HUGEINT) {
            if (args[k]->type.id != TYPE_NULL && !(args[k]->flags & EXPR_FLAG_UNTYPED)) {
                char t[40];
                return error_set(err, SQLSTATE_UNDEFINED_FUNCTION, args[k]->pos,
                                 "%s of %s is not supported yet (integers, dates and timestamps "
                                 "only)",
                                 name, type_sql_name(args[k]->type, t, sizeof t));
            }
        }
        BS_TRY(binder_cast(b, &args[k], type_make(TYPE_BIGINT), false, err));
    }
    Value zero = value_bigint(0), one = value_bigint(1);
    sa->name = name;
    sa->inclusive = inclusive;
    sa->reads_columns = reads;
    sa->start = n >= 2 ? args[0] : expr_new_constant(b->arena, &zero, ref->pos);
    sa->stop = n >= 2 ? args[1] : args[0];
    sa->step = n == 3 ? args[2] : expr_new_constant(b->arena, &one, ref->pos);
    if (!sa->start || !sa->step) return arena_error(b->arena, err);
    return BS_OK;
}

/* VALUES of one row and no column: what a series expands when no FROM item feeds it. */
static Status one_empty_row(Binder *b, LogicalOp **out, Error *err)
{
    LogicalOp *one = logical_create(b->arena, LOP_VALUES, NULL);
    if (!one) return arena_error(b->arena, err);
    one->u.values.table_index = b->next_table_index++;
    one->u.values.n_rows = 1;
    one->u.values.rows = arena_alloc_zero(b->arena, sizeof(Expr **));
    if (!one->u.values.rows) return arena_error(b->arena, err);
    BS_TRY(logical_resolve(one, b->arena, err));
    *out = one;
    return BS_OK;
}

/* The series' plan (a LOP_RANGE, or over `child` a range-mode LOP_UNNEST); its column (and
   WITH ORDINALITY the value's number) goes into scope. */
static Status make_series(Binder *b, const AstTableRef *ref, const SeriesArgs *sa, LogicalOp *child,
                          Scope *scope, LogicalOp **out, Error *err)
{
    LogicalOp *op;
    bool ord = ref->u.func.ordinality;
    if (!child && ord) /* numbered: the per-row expansion of one row of no columns */
        BS_TRY(one_empty_row(b, &child, err));
    if (child) {
        op = logical_create(b->arena, LOP_UNNEST, child);
        if (!op) return arena_error(b->arena, err);
        op->u.unnest.table_index = b->next_table_index++;
        op->u.unnest.mode = sa->inclusive ? UNNEST_SERIES : UNNEST_RANGE;
        op->u.unnest.n_arrays = 3;
        op->u.unnest.arrays = arena_alloc(b->arena, sizeof(Expr *) * 3);
        if (!op->u.unnest.arrays) return arena_error(b->arena, err);
        op->u.unnest.arrays[0] = sa->start;
        op->u.unnest.arrays[1] = sa->stop;
        op->u.unnest.arrays[2] = sa->step;
        op->u.unnest.ordinality = ord;
    } else {
        op = arena_alloc_zero(b->arena, sizeof *op);
        if (!op) return arena_error(b->arena, err);
        op->kind = LOP_RANGE;
        op->est_rows = -1;
        op->u.range.table_index = b->next_table_index++;
        op->u.range.inclusive = sa->inclusive;
        op->u.range.start = sa->start;
        op->u.range.stop = sa->stop;
        op->u.range.step = sa->step;
    }
    BS_TRY(logical_resolve(op, b->arena, err));
    int n_new = ord ? 2 : 1;
    char **names = arena_alloc(b->arena, sizeof(char *) * 2);
    if (!names) return arena_error(b->arena, err);
    /* PostgreSQL names generate_series' column after a table alias without column aliases
       (`generate_series(1, 3) g` is g.g); DuckDB's range keeps its name. WITH ORDINALITY
       adds the number of the value, "ordinality". */
    names[0] =
        sa->inclusive && ref->alias && ref->col_aliases.count == 0 ? ref->alias : (char *)sa->name;
    names[1] = "ordinality";
    const char *qualifier = ref->alias ? ref->alias : sa->name;
    BS_TRY(binder_apply_col_aliases(b, &ref->col_aliases, n_new, &names, qualifier, ref->pos, err));
    /* the new columns only: a view of the op's last outputs */
    LogicalOp tail = *op;
    tail.n_out = n_new;
    tail.types = op->types + (op->n_out - n_new);
    tail.bindings = op->bindings + (op->n_out - n_new);
    *out = op;
    return binder_scope_add_outputs(b, scope, qualifier, &tail, names, err);
}

Status binder_bind_table_function(Binder *b, const AstTableRef *ref, Scope *scope, LogicalOp **plan,
                                  Error *err)
{
    if (strcmp(ref->u.func.name, "unnest") == 0)
        return binder_bind_unnest_from(b, ref, scope, plan, err);
    /* Its arguments see the FROM items to its left (implicitly LATERAL, as in PostgreSQL)
       and the enclosing queries' columns. */
    Scope empty = {0};
    empty.parent = b->lateral_scope ? b->lateral_scope : b->outer_scope;
    SeriesArgs sa;
    BS_TRY(bind_series_args(b, ref, &empty, &sa, err));
    LogicalOp *one = NULL;
    if (sa.reads_columns) /* a correlated expansion of one row of no columns */
        BS_TRY(one_empty_row(b, &one, err));
    return make_series(b, ref, &sa, one, scope, plan, err);
}

bool binder_is_series_join(const AstTableRef *join)
{
    const AstTableRef *r = join->u.join.right;
    const AstExpr *on = join->u.join.on;
    bool on_true = on && on->kind == AST_LITERAL && on->u.lit.kind == LIT_BOOLEAN && on->u.lit.bval;
    AstJoinType t = join->u.join.type;
    return r->kind == TREF_FUNCTION && !join->u.join.natural && join->u.join.using.count == 0 &&
           (strcmp(r->u.func.name, "generate_series") == 0 ||
            strcmp(r->u.func.name, "range") == 0) &&
           (t == JOIN_INNER || t == JOIN_CROSS || (t == JOIN_LEFT && on_true));
}

Status binder_bind_series_join(Binder *b, const AstTableRef *join, const Scope *seen,
                               LogicalOp **left, Scope *rs, LogicalOp **right, Error *err)
{
    rs->parent = seen->parent;
    BS_TRY(binder_bind_series_lateral(b, join->u.join.right, seen, left, rs, right, err));
    if (!*right && join->u.join.type == JOIN_LEFT) { /* ON true: keeps empty series */
        (*left)->u.unnest.outer = true;
        BS_TRY(logical_resolve(*left, b->arena, err));
    }
    return BS_OK;
}

Status binder_bind_series_lateral(Binder *b, const AstTableRef *ref, const Scope *left,
                                  LogicalOp **root, Scope *added, LogicalOp **right, Error *err)
{
    SeriesArgs sa;
    BS_TRY(bind_series_args(b, ref, left, &sa, err));
    *right = NULL;
    if (sa.reads_columns) return make_series(b, ref, &sa, *root, added, root, err);
    return make_series(b, ref, &sa, NULL, added, right, err);
}

/*
 * A view in FROM: its stored query, parsed and bound in place of the name, in a context
 * of its own (it sees no WITH query and no outer column of the statement that reads it).
 * Errors inside it point at the reference.
 */
Status binder_bind_view(Binder *b, const AstTableRef *ref, const CatalogTable *view,
                        const char *qualifier, Scope *scope, LogicalOp **plan, Error *err)
{
    for (const ViewFrame *f = b->views; f; f = f->parent)
        if (strcmp(f->name, view->name) == 0)
            return error_set(err, SQLSTATE_INVALID_OBJECT_DEF, ref->pos,
                             "infinite recursion detected in view \"%s\"", view->name);
    ParsedStatement *stmts;
    int n_stmts;
    Status st =
        parser_parse(view->view_sql, strlen(view->view_sql), b->arena, &stmts, &n_stmts, err);
    if (st == BS_OK && (n_stmts != 1 || stmts[0].stmt->kind != STMT_SELECT))
        st = error_set(err, SQLSTATE_INVALID_OBJECT_DEF, -1, "its text is not one query");
    char **names = NULL;
    if (st == BS_OK) {
        ViewFrame frame = {view->name, b->views};
        CteFrame *saved_ctes = b->ctes;
        RecursiveCte *saved_recursive = b->recursive;
        const Scope *saved_parent = b->subquery_parent;
        const ViewFrame *saved_views = b->views;
        b->ctes = NULL;
        b->recursive = NULL;
        b->subquery_parent = NULL;
        b->views = &frame;
        st = bind_query(b, stmts[0].stmt->u.select.query, plan, &names, err);
        b->ctes = saved_ctes;
        b->recursive = saved_recursive;
        b->subquery_parent = saved_parent;
        b->views = saved_views;
    }
    if (st == BS_OK && (*plan)->n_out != view->n_cols)
        st = error_set(err, SQLSTATE_INVALID_OBJECT_DEF, -1,
                       "its query now returns %d columns where the view has %d", (*plan)->n_out,
                       view->n_cols);
    for (int k = 0; st == BS_OK && k < view->n_cols; k++)
        if (!type_equals((*plan)->types[k], view->col_types[k])) {
            char now[32], then[32];
            st = error_set(err, SQLSTATE_INVALID_OBJECT_DEF, -1,
                           "its column \"%s\" is now %s, not %s", view->col_names[k],
                           type_format((*plan)->types[k], now, sizeof now),
                           type_format(view->col_types[k], then, sizeof then));
        }
    if (st != BS_OK) {
        /* Positions inside the view's text mean nothing in this statement's. */
        err->position = ref->pos;
        if (strcmp(err->sqlstate, SQLSTATE_OUT_OF_MEMORY) != 0 &&
            strcmp(err->sqlstate, SQLSTATE_PROGRAM_LIMIT) != 0) {
            error_prefix(err, "view \"%s\"", view->name);
            if (strcmp(err->sqlstate, SQLSTATE_INVALID_OBJECT_DEF) == 0 && !err->hint)
                error_set_hint(err, "Re-create the view with CREATE OR REPLACE VIEW.");
        }
        return BS_ERROR;
    }
    names = view->col_names;
    BS_TRY(binder_apply_col_aliases(b, &ref->col_aliases, view->n_cols, &names, qualifier, ref->pos,
                                    err));
    return binder_scope_add_outputs(b, scope, qualifier, *plan, names, err);
}
