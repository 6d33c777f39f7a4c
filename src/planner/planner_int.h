/*
 * planner_int.h — what the planner's files share and nobody else sees: the binder's
 * state, name scopes, expression constructors, coercion and the function registry.
 */
#ifndef BASALT_PLANNER_PLANNER_INT_H
#define BASALT_PLANNER_PLANNER_INT_H

#include "planner/planner.h"

/* Deepest nesting of queries and expressions the binder follows before failing (54001). */
#define BINDER_MAX_DEPTH 1000

/* The WITH queries visible while binding: a frame per WITH clause, innermost first. */
typedef struct CteFrame {
    const AstList *ctes; /* AstCte* */
    int n_visible;       /* a CTE sees only the ones before it (and itself, if recursive) */
    struct CteFrame *parent;
    bool recursive; /* WITH RECURSIVE */
} CteFrame;

/*
 * A WITH RECURSIVE query being bound (bind_recursive_cte): where a reference to its own
 * name may appear and what it stands for there (the working table, typed as the anchor).
 */
typedef enum RecursivePart {
    REC_NOT_UNION, /* its query is not anchor UNION [ALL] term: no reference allowed */
    REC_ANCHOR,    /* binding the anchor: no reference allowed */
    REC_TERM,      /* binding the recursive term: one reference, at depth `depth` */
} RecursivePart;

typedef struct RecursiveCte {
    const struct AstCte *cte;
    RecursivePart part;
    int depth; /* the binder's depth in the recursive term's own query */
    uint32_t id;
    int n_cols;
    LogicalType *types;
    char **names;
    int n_refs;
    struct RecursiveCte *parent;
} RecursiveCte;

struct Scope;

typedef struct ViewFrame {
    const char *name;
    const struct ViewFrame *parent;
} ViewFrame;

typedef struct Binder {
    Arena *arena;
    const Catalog *catalog;
    uint32_t next_table_index;
    int depth;
    CteFrame *ctes;
    /* The WITH RECURSIVE queries being bound, innermost first. */
    RecursiveCte *recursive;
    /* The scope a subquery being bound in an expression may refer to (correlation); taken
       by the subquery's SELECT when it starts. */
    const struct Scope *subquery_parent;
    /* The scope chain of the enclosing queries of the SELECT being bound (its scope's
       parent): what its derived tables and ON conditions may read. */
    const struct Scope *outer_scope;
    /* CREATE VIEW: the name being defined, which its query must not read (the view keeps
       its text, so the reference would become one to itself). */
    const char *defining_view;
    /* The views being expanded, innermost first (a damaged metastore could hold a cycle). */
    const struct ViewFrame *views;
    /* What a LATERAL FROM item may read besides the enclosing queries: the FROM items to
       its left (NULL: none). */
    const struct Scope *lateral_scope;
    /* The WINDOW clause of the SELECT being bound (OVER w); NULL outside one. */
    const AstList *windows;
    /* The statement's time (now(), current_date): read once, at first use. */
    bool has_now;
    int64_t now;
    /* The session's time zone, and its name as the plans carry it (cast_in_zone's zone). */
    const struct TimeZone *zone;
    const char *zone_name;
    /* COPY: the text of a field is read as its column's type (assignment takes any text). */
    bool copy_text;
} Binder;

/* A column visible by name while binding: from a FROM item, or a select alias. */
typedef struct ScopeColumn {
    char *qualifier; /* table name or alias; NULL for unnamed subqueries */
    char *name;
    ColumnBinding binding;
    LogicalType type;
    /* A column of a JOIN … USING side: reached only through its qualifier (t.a, t.*);
       the merged column (no qualifier) answers to the plain name and to *. */
    bool qualified_only;
    /* Seen by a LATERAL item across a RIGHT or FULL join: a reference to it is 42P10. */
    bool lateral_invalid;
} ScopeColumn;

typedef struct Scope {
    int n_cols;
    int capacity;
    ScopeColumn *cols;
    const struct Scope *parent; /* the enclosing query's scope (a correlated subquery's) */
} Scope;

typedef enum SubqueryKind {
    SUBQ_SCALAR,     /* (SELECT …): its one value, NULL when it has no row; 21000 for two */
    SUBQ_EXISTS,     /* [NOT] EXISTS (SELECT …) */
    SUBQ_IN,         /* x [NOT] IN (SELECT …) */
    SUBQ_QUANTIFIED, /* x op ANY|ALL (SELECT …) */
} SubqueryKind;

/* A subquery in an expression as bound: replaced by a join before the plan is built. */
typedef struct BoundSubquery {
    SubqueryKind kind;
    bool negated;
    Expr *left;       /* SUBQ_IN, SUBQ_QUANTIFIED: x */
    ScalarFuncId cmp; /* SUBQ_QUANTIFIED: FN_EQ … FN_GE */
    bool all;         /* SUBQ_QUANTIFIED: ALL (else ANY) */
    LogicalOp *plan;  /* the subquery's plan (it may read columns of enclosing queries) */
    int pos;
} BoundSubquery;

/*
 * Replaces the subqueries in *e (bound over the outputs of *root) by joins of *root with
 * their plans and by columns of those joins. `filter`: *e is a WHERE/HAVING predicate,
 * whose top-level conjuncts EXISTS / IN may become semi and anti joins (and are then
 * dropped from *e, which may become NULL). Correlated subqueries are decorrelated when
 * their correlation is a conjunction of conditions in their WHERE; others fail with 0A000.
 */
/*
 * A subquery in the select list, HAVING or ORDER BY of a grouped query reads the outer
 * query's group keys: its references to them are rebound to the aggregation's group
 * columns (42803 for a column that is no group key).
 */
Status binder_rebind_grouped_subquery(Binder *b, BoundSubquery *sub, const LogicalOp *agg,
                                      const Scope *scope, Error *err);
/* *ok: every subquery in e reads, from outside itself, only columns `side` produces. */
Status binder_subqueries_within(Binder *b, Expr *e, const LogicalOp *side, bool *ok, Error *err);
Status bind_plan_subqueries(Binder *b, LogicalOp **root, Expr **e, bool filter, Error *err);
/* Whether e holds a subquery. */
bool expr_has_subquery(Expr *e);
/* Calls fn on every expression of op's tree (every operator's, children included). */
void binder_visit_plan_exprs(const LogicalOp *op, ExprVisitor fn, void *arg);

/* ---- plan copies (logical_copy.c) ---- */
/* Old table index → the copy's. */
typedef struct IndexMap {
    uint32_t *from, *to;
    int count, capacity;
} IndexMap;
/*
 * A deep copy of op's tree whose operators make columns under fresh table indexes (added
 * to *m); its expressions read the copy's columns, and an enclosing query's as before.
 */
Status binder_copy_plan(Binder *b, const LogicalOp *op, IndexMap *m, LogicalOp **out, Error *err);
/* A deep copy of e, its column references rebound through m (NULL: as they are). */
Status binder_copy_expr(Binder *b, const Expr *e, const IndexMap *m, Expr **out, Error *err);

/* ---- dependent joins (bind_dependent_join.c) ---- */
/*
 * A join of *root with a plan that may read *root's columns (a correlated subquery, a
 * LATERAL item): `plan` is evaluated for every row of *root, as it were, and joined with
 * it under `type` and `cond` (over both; NULL: none). It is decorrelated into joins,
 * never run per row. `n_params` more columns the plan reads (placeholders, bindings no
 * operator makes) stand for the expressions `values` over *root. The plan's output
 * bindings stay valid above the join (more columns may follow them). For LJ_MARK
 * `mark_index` names the mark; `single_match` fails a row with two matches (21000).
 */
typedef struct DependentJoin {
    LogicalJoinType type;
    Expr *cond;
    uint32_t mark_index;
    bool single_match;
    int n_params;
    const ColumnBinding *params;
    Expr **values;
    int pos;
} DependentJoin;
Status binder_dependent_join(Binder *b, LogicalOp **root, LogicalOp *plan, const DependentJoin *dj,
                             Error *err);
/*
 * The subqueries of a LEFT or RIGHT join's ON condition (*condition, bound over both
 * sides). Those reading only the side it pads, or only the side it keeps, become joins
 * onto that side (*left or *right replaced, *condition rewritten over their values), and
 * *join is NULL: the caller joins the sides. Otherwise the conjuncts holding subqueries
 * filter the padded side, which the kept side joins as a dependent join on the other
 * conjuncts; *join is that join. A FULL join's fail with 0A000.
 */
Status binder_outer_join_subqueries(Binder *b, LogicalJoinType type, LogicalOp **left,
                                    LogicalOp **right, Expr **condition, int pos, LogicalOp **join,
                                    Error *err);

/* Where an expression is being bound; decides whether aggregates are allowed. */
typedef enum BindClause {
    CLAUSE_SELECT,
    CLAUSE_WHERE,
    CLAUSE_GROUP_BY,
    CLAUSE_HAVING,
    CLAUSE_ORDER_BY,
    CLAUSE_VALUES,
    CLAUSE_LIMIT,
    CLAUSE_JOIN_ON,
    CLAUSE_AGGREGATE_ARG,    /* inside an aggregate: nested aggregates are not allowed */
    CLAUSE_WINDOW_ARG,       /* a window call's arguments and keys: aggregates, no windows */
    CLAUSE_WINDOW_AGGREGATE, /* an aggregate with OVER itself: its arguments are
                                CLAUSE_WINDOW_ARG (bind_window.c → bind_aggregate.c) */
} BindClause;

/* ---- expression construction (expr.c) ---- */
Expr *expr_new(Arena *arena, ExprKind kind, LogicalType type, int pos);
Expr *expr_new_constant(Arena *arena, const Value *value, int pos);
Expr *expr_new_column(Arena *arena, ColumnBinding binding, LogicalType type, int pos);
Expr *expr_new_call(Arena *arena, ScalarFuncId func, LogicalType type, Expr **args, int n_args,
                    int pos);

/*
 * x IN (values…) as one FN_IN call: values[] (n >= 1, of x's type, not changed) are
 * sorted, made distinct, a NULL kept once and last; a single value that is not NULL gives
 * x = value instead. Fails when memory runs out.
 */
Status expr_new_in(Arena *arena, Expr *x, const Value *values, int n, int pos, Expr **out,
                   Error *err);
/* Hash of an expression's structure, consistent with expr_equal (equal ⇒ same hash). */
uint64_t expr_hash(const Expr *e);
/*
 * True when evaluating e may raise an error for some input (overflow, division by zero,
 * a cast that does not fit or parse, …); false when it cannot (comparisons, exact
 * widening casts, double arithmetic, … of inputs that cannot fail). Memory exhaustion is
 * not counted. Rewrites that change which rows an expression sees rely on this.
 */
bool expr_can_fail(const Expr *e);

/* ---- types and coercion (coerce.c) ---- */
/* Lower-case SQL name of a type for messages: "integer", "character varying", "numeric(15,2)". */
const char *type_sql_name(LogicalType type, char *buf, size_t size);
/*
 * Converts *e to `target`: folds literals at once (errors point at them), otherwise wraps
 * an EXPR_CAST. `explicit_cast` allows every possible cast; otherwise only implicit ones.
 */
Status binder_cast(Binder *b, Expr **e, LogicalType target, bool explicit_cast, Error *err);
/*
 * Replaces *e by cast_in_zone(*e, zone) of type target: a conversion that reads a time
 * zone (common/cast.h's cast_needs_zone); zone NULL is the session's.
 */
/*
 * The calls on TIMESTAMPTZ that depend on the session's zone, rewritten (functions_datetime.c):
 * ± interval, date_trunc, date_part/extract (timezone, timezone_hour, timezone_minute),
 * age, to_char, … over the local time. *handled false: not one of them.
 */
Status binder_bind_zoned(Binder *b, ScalarFuncId func, Expr **args, int n_args, int pos, Expr **out,
                         bool *handled, Error *err);
Status binder_cast_in_zone(Binder *b, Expr **e, LogicalType target, Expr *zone, Error *err);
/* The type both a and b convert to implicitly (untyped literals adapt); false if none. */
bool binder_common_type(const Expr *a, const Expr *b, LogicalType *out);
/* The DECIMAL that holds every value of a numeric type: INTEGER (10,0), BIGINT (19,0),
   HUGEINT (38,0) (which holds all but its 39-digit values); a DECIMAL itself. */
LogicalType binder_decimal_of(LogicalType t);
/* Same for a type already chosen and one more expression. */
bool binder_common_type_with(LogicalType have, bool have_untyped, const Expr *e, LogicalType *out);
/* Casts every expression of exprs[] to their common type; 42804 naming `what` if none. */
Status binder_unify_types(Binder *b, Expr **exprs, int n, const char *what, Error *err);
/* Assignment conversion of e to a column of type target (INSERT, COPY). */
Status binder_assign_cast(Binder *b, Expr **e, LogicalType target, const char *column, Error *err);

/* ---- arrays (bind_array.c) ---- */
/* AST_ARRAY, AST_SUBSCRIPT and AST_ANY_ALL. */
Status binder_bind_array_expr(Binder *b, const AstExpr *ast, const Scope *scope, BindClause clause,
                              Expr **out, Error *err);
/* ARRAY[…] (ast); with target (an array type: the CAST around it) the elements are cast to its
   element type and ARRAY[] is an empty array of it. */
Status binder_bind_array_ctor(Binder *b, const AstExpr *ast, const Scope *scope, BindClause clause,
                              const LogicalType *target, Expr **out, Error *err);
/* left || right where one side is an array: array_cat, array_append or array_prepend. */
Status binder_bind_array_concat(Binder *b, Expr *left, Expr *right, int pos, Expr **out,
                                Error *err);
/* ---- unnest (bind_unnest.c) ---- */
/* unnest(…) [WITH ORDINALITY] as a FROM item of its own (over one row). */
Status binder_bind_unnest_from(Binder *b, const AstTableRef *ref, Scope *scope, LogicalOp **plan,
                               Error *err);
/* unnest(…) after earlier FROM items (scope `left`, plan *root): a LOP_UNNEST over *root;
   its columns go into `added`. */
Status binder_bind_unnest_lateral(Binder *b, const AstTableRef *ref, const Scope *left,
                                  LogicalOp **root, Scope *added, Error *err);
/* unnest(a) in a select list: an FN_UNNEST marker (0A000 in other clauses). */
Status binder_bind_unnest_call(Binder *b, const AstExpr *ast, const Scope *scope, BindClause clause,
                               Expr **out, Error *err);
/* Turns the FN_UNNEST markers in *slots[] into columns of a LOP_UNNEST put over *root. */
Status binder_plan_select_unnest(Binder *b, LogicalOp **root, Expr ***slots, int n_slots,
                                 Error *err);
/* The typing rule of the array functions (functions.c's registry entries). */
Status binder_bind_array_fn(Binder *b, ScalarFuncId id, Expr **args, int n_args, int pos,
                            LogicalType *ret, Error *err);

/* ---- functions (functions.c) ---- */
/*
 * Binds a scalar function or operator call on bound args (casts are inserted into args).
 * `op_symbol` names an operator in messages ("+"), NULL for functions.
 */
Status binder_bind_scalar(Binder *b, ScalarFuncId func, Expr **args, int n_args, int pos,
                          Expr **out, Error *err);
/* Looks up a function called by name: a scalar id, or an aggregate id; false if unknown. */
bool binder_lookup_function(const char *name, bool *is_aggregate, int *id);
/* 42883 "function f(types) does not exist" / "operator does not exist: …" for a call. */
Status binder_no_function_match(ScalarFuncId id, Expr **args, int n_args, int pos, Error *err);
/* Whether name is an aggregate (or an alias of one): bound by binder_bind_aggregate_call. */
bool binder_is_aggregate_name(const char *name);
/* Binds an aggregate call (ast, a function call whose name is an aggregate's) in clause:
   its arguments, ORDER BY, WITHIN GROUP and FILTER; *out is its EXPR_AGGREGATE. */
Status binder_bind_aggregate_call(Binder *b, const AstExpr *ast, const Scope *scope,
                                  BindClause clause, Expr **out, Error *err);
/* "WHERE", "GROUP BY", … for messages. */
const char *binder_clause_name(BindClause clause);
/* Types an aggregate call (count, sum, …) on its bound argument (NULL for count(*)). */
Status binder_bind_aggregate(Binder *b, AggFuncId func, Expr *arg, bool distinct, int pos,
                             AggregateCall **out, Error *err);

/* ---- dates, timestamps and intervals (functions_datetime.c) ---- */
/*
 * + - * / with a date, timestamp or interval operand (casts inserted into args): *handled
 * is false when no date/time rule applies (the numeric rules decide then).
 */
Status binder_bind_datetime_arithmetic(Binder *b, ScalarFuncId id, Expr **args, bool *handled,
                                       LogicalType *ret, Error *err);
/* The typing rules of the registry's date/time functions (functions.c's ScalarBindFn). */
Status binder_bind_date_part(Binder *b, ScalarFuncId id, Expr **args, int n_args, int pos,
                             LogicalType *ret, Error *err);
Status binder_bind_date_trunc(Binder *b, ScalarFuncId id, Expr **args, int n_args, int pos,
                              LogicalType *ret, Error *err);
Status binder_bind_date_diff(Binder *b, ScalarFuncId id, Expr **args, int n_args, int pos,
                             LogicalType *ret, Error *err);
Status binder_bind_make_date(Binder *b, ScalarFuncId id, Expr **args, int n_args, int pos,
                             LogicalType *ret, Error *err);
Status binder_bind_last_day(Binder *b, ScalarFuncId id, Expr **args, int n_args, int pos,
                            LogicalType *ret, Error *err);
Status binder_bind_age(Binder *b, ScalarFuncId id, Expr **args, int n_args, int pos,
                       LogicalType *ret, Error *err);
/* EXTRACT(unit FROM arg): extract_year/month/day, or date_part(unit, arg). */
Status binder_bind_extract(Binder *b, const char *unit, Expr *arg, int pos, Expr **out, Error *err);
/*
 * Functions the binder evaluates or rewrites itself (now(), current_date, typeof(),
 * date_part(), date_add(), age(x)); args are bound already.
 */
bool binder_is_special_function(const char *name);
Status binder_bind_special_function(Binder *b, const char *name, Expr **args, int n_args, int pos,
                                    Expr **out, Error *err);

/* ---- expression binding (bind_expr.c) ---- */
Status bind_expr(Binder *b, const AstExpr *ast, const Scope *scope, BindClause clause, Expr **out,
                 Error *err);
/* Casts e to BOOLEAN for a logical context, or 42804 naming `what` ("JOIN/ON"). */
Status binder_require_boolean(Binder *b, Expr **e, const char *what, Error *err);
/* left AND right, flattened; NULL when memory runs out. */
Expr *binder_make_and(Binder *b, Expr *left, Expr *right);
/* Output name of a select item without alias (PostgreSQL's rules): column name, function
   name, or "?column?". */
const char *bind_default_name(const AstExpr *ast);

/* ---- window functions (bind_window.c) ---- */
/* Whether name is a window function (row_number, lag, …; not the aggregates). */
bool binder_is_window_function(const char *name);
bool expr_has_window(Expr *e);
/* Binds a call with OVER (the caller checked that the clause allows windows). */
Status bind_window_call(Binder *b, const AstExpr *ast, const Scope *scope, Expr **out, Error *err);
/* Checks a WINDOW clause: names defined once, references to earlier windows valid. */
Status binder_check_windows(const AstList *defs, Error *err);
/*
 * Replaces every window call in *slots[0..n) (the select list and ORDER BY, bound over
 * *root's outputs) by a column of LOP_WINDOWs put on *root — under them a projection of
 * the keys and arguments that are not columns, in which case the slots' other columns are
 * rebound to it.
 */
/* ---- GROUPING SETS (bind_grouping.c) ---- */
typedef struct GroupingSets {
    AstList asts; /* every grouping expression as written, in order (repeats included) */
    int n_sets;
    uint64_t *sets; /* before merging: bits over asts; after: over the distinct groups */
    bool active;    /* more than the one set of every group: an Expand below the aggregate */
} GroupingSets;

/* GROUP BY items with ROLLUP, CUBE or GROUPING SETS → gs (sets over gs->asts). */
Status binder_expand_grouping_sets(Binder *b, const AstList *items, GroupingSets *gs, Error *err);
/* After binding gs->asts into groups: equal ones merge (*n_groups shrinks), sets restated. */
Status binder_merge_grouping_sets(Binder *b, GroupingSets *gs, Expr **groups, int *n_groups,
                                  Error *err);
/* The Expand under aggregation agg, which then groups by its columns and the set id. */
Status binder_add_expand(Binder *b, LogicalOp *agg, const GroupingSets *gs, Error *err);
/* Empty sets' rows over no input: *root (the aggregation) becomes a projection over a FULL
   join; exprs (slots above the aggregation) are rebound to it. */
Status binder_add_empty_sets(Binder *b, LogicalOp **root, const GroupingSets *gs, Expr ***exprs,
                             int n_exprs, Error *err);
/* grouping(…) call *e over aggregation agg (gs NULL or inactive: 0). */
Status binder_rewrite_grouping(Binder *b, const GroupingSets *gs, const LogicalOp *agg, Expr **e,
                               Error *err);

/* ---- FROM items (bind_from_items.c) ---- */
/* range() / generate_series() in FROM. */
/* range() or generate_series() after earlier FROM items (scope `left`, plan *root): with
   arguments that read columns, a range-mode LOP_UNNEST over *root (*right NULL); else its
   own plan in *right, for the caller to join. Its column goes into `added`. */
Status binder_bind_series_lateral(Binder *b, const AstTableRef *ref, const Scope *left,
                                  LogicalOp **root, Scope *added, LogicalOp **right, Error *err);
/* A [CROSS] JOIN [LATERAL] of range() / generate_series(), or a LEFT JOIN LATERAL of one
   ON true: bound by binder_bind_series_join with `seen` the scope its arguments see; one
   reading columns becomes an Unnest over *left (outer for the LEFT join; *right NULL, an
   inner join's condition to filter above), else its own plan in *right. */
bool binder_is_series_join(const AstTableRef *join);
Status binder_bind_series_join(Binder *b, const AstTableRef *join, const Scope *seen,
                               LogicalOp **left, Scope *rs, LogicalOp **right, Error *err);
Status binder_bind_table_function(Binder *b, const AstTableRef *ref, Scope *scope, LogicalOp **plan,
                                  Error *err);
/* A view in FROM, bound from its stored text. */
Status binder_bind_view(Binder *b, const AstTableRef *ref, const CatalogTable *view,
                        const char *qualifier, Scope *scope, LogicalOp **plan, Error *err);
/* ---- the catalog's names (bind_catalog.c) ---- */
/* Looks up [catalog.][schema.]name; 42P01 at pos (naming it as written) when there is none. */
Status binder_lookup_relation(Binder *b, const char *catalog, const char *schema, const char *name,
                              int pos, CatalogTable **out, Error *err);
/* A table, view or system table in FROM (not a WITH query), added to scope as qualifier. */
Status binder_bind_relation(Binder *b, const AstTableRef *ref, const char *qualifier, Scope *scope,
                            LogicalOp **plan, Error *err);
/* SHOW TABLES [FROM schema]: a query over information_schema.tables. */
Status binder_bind_show_tables(Binder *b, const AstStatement *stmt, BoundStatement *bs, Error *err);
/* DESCRIBE relation | query, SHOW COLUMNS FROM relation: a row per column. */
Status binder_bind_describe(Binder *b, const AstStatement *stmt, BoundStatement *bs, Error *err);

/* Adds op's outputs to scope as columns of qualifier, named names[k]. */
Status binder_scope_add_outputs(Binder *b, Scope *scope, const char *qualifier, LogicalOp *op,
                                char **names, Error *err);

/*
 * Appends row_number() over (partition by partitions order by order) to *root (columns of
 * it): the number is the window's last output. DISTINCT ON and INTERSECT/EXCEPT ALL.
 */
Status binder_row_number(Binder *b, LogicalOp **root, Expr **partitions, int n_partitions,
                         LogicalSortKey *order, int n_order, Error *err);
Status bind_plan_windows(Binder *b, LogicalOp **root, Expr **slots[], int n_slots, Error *err);

/* ---- scopes (binder.c) ---- */
Status scope_add(Binder *b, Scope *scope, const char *qualifier, const char *name,
                 ColumnBinding binding, LogicalType type, Error *err);

/* ---- queries (bind_select.c) ---- */
/*
 * Binds a query into a logical plan, output names and types. `limit_depth`: recursion
 * guard shared with expressions.
 */
Status bind_query(Binder *b, const AstSelect *query, LogicalOp **plan, char ***names, Error *err);
/* ORDER BY / LIMIT over the output of VALUES or a set operation: the keys name its columns. */
Status binder_bind_output_order(Binder *b, const AstSelect *q, LogicalOp **plan, char ***names,
                                Error *err);

/* ---- set operations (bind_setop.c) ---- */
Status binder_bind_setop(Binder *b, const AstSelect *q, LogicalOp **plan, char ***names,
                         Error *err);
/* Applies AS t(a, b, …) column aliases to names[] (a fresh array); 42P10 for too many. */
Status binder_apply_col_aliases(Binder *b, const AstList *aliases, int n_cols, char ***names,
                                const char *what, int pos, Error *err);

/* ---- WITH RECURSIVE (bind_recursive.c) ---- */
/*
 * Binds the WITH query `cte` (entry `index` of `frame`, a WITH RECURSIVE list) where a
 * query reads it: a LOP_RECURSIVE_CTE when its query reads its own name, else the query
 * as any WITH query. *names: its output names before the WITH query's column aliases.
 */
Status bind_recursive_cte(Binder *b, const struct AstCte *cte, const CteFrame *frame, int index,
                          LogicalOp **plan, char ***names, Error *err);
/*
 * A reference to the WITH RECURSIVE query being bound (rc) at `ref`: the working table
 * (a LOP_CTE_SCAN), or 42P19/0A000 where PostgreSQL forbids one. *names: its columns'.
 */
Status bind_recursive_ref(Binder *b, const struct AstTableRef *ref, RecursiveCte *rc,
                          LogicalOp **plan, char ***names, Error *err);

/* Binds one VALUES row (no columns in scope are allowed to be aggregates). */
Status bind_list_values(Binder *b, const AstList *row, const Scope *scope, Expr ***out, Error *err);

/* ---- physical planning ---- */
/*
 * The exchange-placement pass (rule_exchanges.c): derives every node's partitioning and
 * adds remote and local exchanges where a parent's requirement is not met, splitting
 * aggregations, limits and TopN around them. New nodes take ids from *next_id.
 */
Status planner_place_exchanges(PlanNode **root, const PlanOptions *options, Arena *arena,
                               int *next_id, Error *err);
/*
 * Cuts a physical plan at its remote exchanges into fragments (fragmenter.c); [0] is the
 * root. Fragments other than the root run as options->workers tasks.
 */
Status planner_fragment(PlanNode *root, const PlanOptions *options, Arena *arena,
                        PlanFragment ***fragments, int *n_fragments, Error *err);

/* ---- optimizer rules ---- */
/* Simplifies every expression and folds constants (NULL evaluator: no folding); may
   replace *root (a filter that folds to TRUE goes). */
Status rule_simplify(LogicalOp **root, const ExprEvaluator *evaluator, Arena *arena, Error *err);
Status rule_zone_filters(LogicalOp *root, Arena *arena, Error *err);
/* Filter conjuncts pushed down as far as they go; inner joins ordered (rule_joins.c). */
Status rule_joins(LogicalOp **root, Arena *arena, Error *err);
/* Subexpressions a projection or aggregation repeats are computed once, below it. */
Status rule_common_subexpr(LogicalOp *root, Arena *arena, Error *err);
Status rule_prune_columns(LogicalOp *root, Arena *arena, Error *err);

#endif
