/*
 * logical.h — the logical plan: relational operators whose expressions name their input
 * columns by ColumnBinding (the producing operator's table index and a column number),
 * as DuckDB's logical plans do. Bindings survive rewrites that reorder or prune columns;
 * the physical planner turns them into positions.
 */
#ifndef BASALT_PLANNER_LOGICAL_H
#define BASALT_PLANNER_LOGICAL_H

#include "planner/plan.h"

typedef enum LogicalKind {
    LOP_GET,      /* scan of a stored table */
    LOP_VALUES,   /* constant rows */
    LOP_CSV_READ, /* rows of a CSV file (COPY FROM) */
    LOP_FILTER,
    LOP_PROJECT,
    LOP_AGGREGATE,
    LOP_ORDER,
    LOP_LIMIT,
    LOP_INSERT, /* writes its child's rows (in table column order) into a table */
    LOP_JOIN,   /* children[0] left, children[1] right */
    LOP_UNION,  /* the rows of every child (UNION ALL); children have the same column types */
    LOP_RANGE,  /* range() / generate_series(): one BIGINT column */
    LOP_WINDOW, /* the child's columns, then one per window function (table_index, k) */
    /*
     * GROUPING SETS: each child row once per grouping set; outputs the child's columns,
     * then the grouping expressions (table_index, k), NULL where the set leaves one out,
     * then the set's number (table_index, n_groups) as BIGINT.
     */
    LOP_EXPAND,
    /*
     * WITH RECURSIVE: children[0] the anchor (evaluated once), children[1] the recursive
     * term (evaluated again and again over the rows the previous evaluation produced,
     * which its LOP_CTE_SCAN with the same id reads, until one produces none). Outputs
     * the anchor's types, as (table_index, k); the term's columns have the same types.
     */
    LOP_RECURSIVE_CTE,
    LOP_CTE_SCAN, /* the working table of the LOP_RECURSIVE_CTE `id`: (table_index, k) */
    /*
     * unnest (bind_unnest.c): each child row once per element of the longest of its arrays
     * (none when all are NULL or empty); outputs the child's columns, then one element per
     * array (table_index, k) — NULL past a shorter array's end — then, WITH ORDINALITY, the
     * element's number (table_index, n_arrays) as BIGINT. In a range mode (bind_from_items.c:
     * range() or generate_series() whose arguments read other FROM items or an enclosing
     * query) the three "arrays" are start, stop and step, and the one new column
     * (table_index, 0) is the series' value, BIGINT or TIMESTAMP.
     */
    LOP_UNNEST,
} LogicalKind;

/*
 * Logical join types. Outputs: INNER, LEFT, RIGHT, FULL: the left child's columns, then
 * the right child's; SEMI, ANTI: the left child's (rows of the left with / without a
 * match); MARK: the left child's, then one BOOLEAN (mark_index, 0) telling whether the row
 * has a match (three-valued with null_aware: x IN (subquery)).
 */
typedef enum LogicalJoinType {
    LJ_INNER,
    LJ_LEFT,
    LJ_RIGHT,
    LJ_FULL,
    LJ_SEMI,
    LJ_ANTI,
    LJ_MARK,
} LogicalJoinType;

typedef struct LogicalSortKey {
    Expr *expr;
    bool descending;
    bool nulls_first;
} LogicalSortKey;

/*
 * A window function call as bound. Partition keys, order keys and arguments are
 * expressions over the input while binding; the LOP_WINDOW that computes it reads them as
 * columns of its child. Calls with equal partitions and orders share one LOP_WINDOW.
 */
typedef struct WindowCall {
    WindowFuncId func;
    AggFuncId agg; /* WIN_AGGREGATE */
    int n_args;
    Expr *args[WINDOW_MAX_ARGS]; /* as PlanWindowFunc.args */
    LogicalType type;
    bool distinct, ignore_nulls;
    Value param; /* AggregateCall.param */
    int n_agg_order; /* the aggregate's ORDER BY keys: args[1 .. 1 + n_agg_order) */
    bool agg_order_desc[WINDOW_MAX_ARGS], agg_order_nulls_first[WINDOW_MAX_ARGS];
    int n_partitions;
    Expr **partitions;
    int n_order;
    LogicalSortKey *order;
    WindowFrame frame;
    int pos;
} WindowCall;

struct CatalogTable;

typedef struct LogicalOp LogicalOp;

struct LogicalOp {
    LogicalKind kind;
    int n_children;
    LogicalOp **children;
    /* Output: n_out columns, their types and bindings (filled by logical_resolve). */
    int n_out;
    LogicalType *types;
    ColumnBinding *bindings;
    double est_rows; /* < 0: unknown */
    union {
        struct {
            uint32_t table_index;
            struct CatalogTable *table;
            int n_columns;
            int *columns; /* table column indexes read, in output order */
            int n_zone;
            PlanZoneCond *zone; /* conditions for zone-map pruning (the filter stays above) */
        } get;
        struct {
            uint32_t table_index;
            int n_cols;
            int n_rows;
            Expr ***rows;
            /* The columns' types; NULL: the first row's (a system table may have no rows,
               so it says them here). */
            LogicalType *col_types;
        } values;
        struct {
            uint32_t table_index;
            int n_cols;
            LogicalType *col_types;
            char *path;
            char delimiter, quote, escape;
            bool header;
            char *null_string;
        } csv;
        struct {
            Expr *predicate;
        } filter;
        struct {
            uint32_t table_index;
            int n_exprs;
            Expr **exprs;
        } project;
        struct {
            uint32_t group_index; /* bindings of the group columns */
            uint32_t agg_index;   /* bindings of the aggregate results */
            int n_groups;
            Expr **groups;
            int n_aggs;
            AggregateCall **aggs;
        } aggregate;
        struct {
            int n_keys;
            LogicalSortKey *keys;
        } order;
        struct {
            int64_t limit; /* -1: none */
            int64_t offset;
            /* A scalar subquery's guard: passes at most one row (a second is 21000), and a
               row of NULLs when there is none; limit is 1 and offset 0. */
            bool single_row;
        } limit;
        struct {
            char *table;
            uint64_t table_id; /* 0: created by this statement */
            int n_columns;
            PlanColumnDef *columns;
        } insert;
        struct {
            LogicalJoinType type;
            Expr *condition;     /* over both children's bindings; NULL: every pair */
            uint32_t mark_index; /* LJ_MARK: the table index of the mark column */
            bool null_aware;     /* LJ_MARK over x IN (subquery): see PJ_MARK */
            /* LJ_LEFT of a correlated scalar subquery: a left row matching two right rows
               fails with 21000 (PJ_LEFT's single_match). */
            bool single_match;
            bool null_equal;     /* every equality of the condition matches NULL with NULL
                                    (INTERSECT, EXCEPT) */
        } join;
        struct {
            uint32_t table_index;
        } set;
        struct {
            uint32_t table_index;
            Expr *start, *stop, *step; /* BIGINT, no column references */
            bool inclusive;            /* generate_series: stop is included */
        } range;
        struct {
            uint32_t table_index;
            int n_groups;
            Expr **groups; /* over the child */
            int n_sets;
            uint64_t *sets; /* set s keeps group k when bit k of sets[s] is set */
        } expand;
        struct {
            uint32_t table_index;
            uint32_t id; /* names it for its LOP_CTE_SCAN */
            bool union_all; /* false: UNION drops rows equal to one already produced */
            const char *name;
        } recursive;
        struct {
            uint32_t table_index;
            uint32_t id; /* the LOP_RECURSIVE_CTE it reads the working table of */
            int n_cols;
            LogicalType *types;
            const char *name;
        } cte_scan;
        struct {
            uint32_t table_index;
            int n_arrays;
            Expr **arrays; /* over the child; of array types (range modes: start, stop, step) */
            bool ordinality;
            UnnestMode mode;
            bool outer; /* range modes: an empty series gives one row, its value NULL */
        } unnest;
        struct {
            uint32_t table_index; /* bindings of the function results */
            int n_funcs;
            WindowCall **funcs; /* one partitioning and order (funcs[0]'s); columns of the
                                   child in every partition key, order key and argument */
        } window;
    } u;
};

/* Creates a join of left and right, resolved; NULL on failure (arena_error tells). */
LogicalOp *logical_join(Arena *arena, LogicalJoinType type, LogicalOp *left, LogicalOp *right,
                        Expr *condition);
/*
 * Where the columns e reads come from: *in_a (*in_b) whether one is an output of a (of b;
 * b may be NULL), *other whether one is an output of neither (an aggregate counts as that).
 */
void expr_column_sources(const Expr *e, const LogicalOp *a, const LogicalOp *b, bool *in_a,
                         bool *in_b, bool *other);
/* The largest table index any operator of the tree uses (new ones go above it). */
uint32_t logical_max_table_index(const LogicalOp *op);

/* Creates an operator with the given children (copied), in arena; NULL on failure. */
LogicalOp *logical_create(Arena *arena, LogicalKind kind, LogicalOp *child);
/*
 * Computes n_out, types and bindings of op from its children (which must be resolved).
 * Fails only when memory runs out.
 */
Status logical_resolve(LogicalOp *op, Arena *arena, Error *err);
/* Resolves a whole tree bottom-up. */
Status logical_resolve_tree(LogicalOp *op, Arena *arena, Error *err);

/* Walks every expression node of e (pre-order), calling fn; stops early if fn returns false. */
typedef bool (*ExprVisitor)(Expr *e, void *arg);
bool expr_visit(Expr *e, ExprVisitor fn, void *arg);
/* Visits every expression a LOP_WINDOW reads (arguments, partition and order keys). */
void logical_window_visit(const LogicalOp *op, ExprVisitor fn, void *arg);
/* Same partitioning and order (a LOP_WINDOW computes both calls); same call and frame. */
bool window_spec_equal(const WindowCall *a, const WindowCall *b);
bool window_call_equal(const WindowCall *a, const WindowCall *b);
/* Structural equality of two bound expressions (same kinds, types, bindings, constants). */
bool expr_equal(const Expr *a, const Expr *b);
/* Whether two aggregate calls compute the same thing (function, argument, order, param). */
bool agg_call_equal(const AggregateCall *x, const AggregateCall *y);

#endif
