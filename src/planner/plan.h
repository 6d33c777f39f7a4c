/*
 * plan.h — the data the planner hands to the executor: bound expressions, physical plan
 * nodes and plan fragments. Data only: no behaviour lives here, and nothing here points
 * outside the arena it was built in, so a fragment can be serialized explicitly
 * (serialize.c) and rebuilt on another node.
 *
 * Expressions read their input by position (EXPR_COLUMN.index) in the physical plan; in
 * the logical plan (logical.h) the same nodes name their input by ColumnBinding, and the
 * physical planner turns bindings into positions.
 */
#ifndef BASALT_PLANNER_PLAN_H
#define BASALT_PLANNER_PLAN_H

#include "common/arena.h"
#include "common/types.h"
#include "common/value.h"

/* ---- functions ----------------------------------------------------------------------- */

/* Scalar functions and operators. The names (functions.c) are what plans serialize. */
typedef enum ScalarFuncId {
    FN_ADD,
    FN_SUBTRACT,
    FN_MULTIPLY,
    FN_DIVIDE,
    FN_MODULO,
    FN_NEGATE,
    FN_EQ,
    FN_NE,
    FN_LT,
    FN_LE,
    FN_GT,
    FN_GE,
    FN_CONCAT,
    FN_LIKE,     /* (s, pattern[, escape]) */
    FN_NOT_LIKE, /* (s, pattern[, escape]) */
    FN_ABS,
    FN_LOWER,
    FN_UPPER,
    FN_LENGTH,
    FN_SUBSTRING,
    FN_ROUND,
    FN_COALESCE,
    FN_EXTRACT_YEAR, /* of a DATE, TIMESTAMP or INTERVAL */
    FN_EXTRACT_MONTH,
    FN_EXTRACT_DAY,
    /*
     * Date/time functions with a unit: args[0] is the unit, a VARCHAR constant
     * (common/datetime.h's names), which picks the kernel; the other arguments follow.
     *   date_part(unit, x)    extract: DATE/TIMESTAMP/INTERVAL → datetime_extract_type
     *   date_trunc(unit, x)   TIMESTAMP → TIMESTAMP, INTERVAL → INTERVAL
     *   date_diff(unit, a, b) TIMESTAMP, TIMESTAMP → BIGINT (unit boundaries from a to b)
     */
    FN_DATE_PART,
    FN_DATE_TRUNC,
    FN_DATE_DIFF,
    FN_MAKE_DATE, /* (BIGINT, BIGINT, BIGINT) → DATE */
    FN_LAST_DAY,  /* DATE or TIMESTAMP → DATE */
    FN_AGE,       /* (TIMESTAMP, TIMESTAMP) → INTERVAL */
    /* Math (kernels_math.c). DOUBLE → DOUBLE unless noted. */
    FN_FLOOR, /* numeric → same type; DECIMAL(p,s) → DECIMAL(p,0) */
    FN_CEIL,  /* as floor */
    FN_TRUNC, /* (numeric[, BIGINT constant digits]) → as round */
    FN_SQRT,  /* negative → 2201F */
    FN_CBRT,
    FN_EXP, /* overflow, underflow → 22003 */
    FN_LN,  /* zero or negative → 2201E */
    FN_LOG10,
    FN_LOG2,
    FN_LOG,    /* log(base, x) */
    FN_POWER,  /* (DOUBLE, DOUBLE) */
    FN_SIGN,   /* integers → same type, DOUBLE → DOUBLE, DECIMAL → DECIMAL(1,0) */
    FN_PI,     /* () */
    FN_RANDOM, /* () → [0, 1), a new value per row; never folded */
    /* Strings (kernels_string2.c); VARCHAR in, VARCHAR out unless noted; n is BIGINT. */
    FN_STRPOS, /* (s, sub) → INTEGER, 1-based character position, 0 if absent */
    FN_BTRIM,  /* (s[, characters]) */
    FN_LTRIM,
    FN_RTRIM,
    FN_REPLACE,     /* (s, from, to) */
    FN_CONCAT_ARGS, /* concat(VARCHAR, …): NULLs skipped, not strict */
    FN_CONCAT_WS,   /* (sep, VARCHAR, …): NULL when sep is NULL, other NULLs skipped */
    FN_LEFT,        /* (s, n) */
    FN_RIGHT,       /* (s, n) */
    FN_LPAD,        /* (s, n[, fill]) */
    FN_RPAD,
    FN_SPLIT_PART,  /* (s, delimiter, n) */
    FN_STARTS_WITH, /* (s, prefix) → BOOLEAN */
    FN_ENDS_WITH,   /* (s, suffix) → BOOLEAN */
    FN_REVERSE,
    FN_REPEAT,    /* (s, n) */
    FN_TRANSLATE, /* (s, from, to) */
    FN_INITCAP,
    FN_MD5,
    FN_ASCII,        /* → INTEGER */
    FN_CHR,          /* (BIGINT) */
    FN_OCTET_LENGTH, /* → INTEGER */
    /* Conditionals (kernels_cond.c), not strict. */
    FN_GREATEST,        /* (T, T, …) → T: the largest non-NULL argument */
    FN_LEAST,           /* (T, T, …) → T */
    FN_IS_DISTINCT,     /* (T, T) → BOOLEAN, never NULL */
    FN_IS_NOT_DISTINCT, /* (T, T) → BOOLEAN, never NULL */
    /* Regular expressions (kernels_regex.c, PCRE2); flags as PostgreSQL's letters. */
    FN_REGEXP_MATCHES, /* (s, pattern[, flags]) → BOOLEAN; ~ and ~* */
    FN_REGEXP_REPLACE, /* (s, pattern, replacement[, flags]) */
    FN_REGEXP_EXTRACT, /* (s, pattern[, BIGINT group]) → VARCHAR, '' without a match */
    /* Timestamps and text by a format (kernels_datetime_fmt.c). */
    FN_STRFTIME, /* (TIMESTAMP, fmt) → VARCHAR, C/DuckDB specifiers */
    FN_STRPTIME, /* (VARCHAR, fmt) → TIMESTAMP */
    FN_TO_CHAR,  /* (TIMESTAMP, fmt) → VARCHAR, PostgreSQL patterns */
    /* Built by the binder for what reads the session's time zone (never called by name):
       cast_in_zone(x, zone VARCHAR) → t, the conversions of common/cast.h's
       cast_needs_zone in that zone (also timezone(zone, x) and AT TIME ZONE);
       tstz_add/tstz_sub(TIMESTAMPTZ, INTERVAL, zone) → TIMESTAMPTZ, months and days in local
       time, microseconds in absolute time (PostgreSQL's timestamptz ± interval);
       zone_offset(TIMESTAMPTZ, zone) → BIGINT, the UTC offset in seconds east. */
    FN_CAST_IN_ZONE,
    FN_TSTZ_ADD,
    FN_TSTZ_SUB,
    FN_ZONE_OFFSET,
    /* string_fit(x VARCHAR) → CHAR(n)/VARCHAR(n): an assignment to a column of that type,
       22001 for a value longer than n unless the excess is spaces (cut). */
    FN_STRING_FIT,
    /* try_cast(x AS t): (x) → t, the cast's kernel, NULL on the rows where it fails.
       Built by the binder from TRY_CAST, never called by name. */
    FN_TRY_CAST,
    /*
     * x IN (constants): args[0] is x, args[1..] are constants of x's type, in ascending
     * order (value_compare) and distinct, a NULL at most once and last. TRUE when x equals
     * one of them; otherwise NULL when x is NULL or the list holds a NULL, else FALSE.
     * Built by the binder and the optimizer (expr_new_in), never called by name.
     */
    FN_IN,
    FN_GROUPING, /* grouping(…): binder only, rewritten over the aggregation's set id */
    /*
     * Arrays (kernels_array.c). A is an array, T its element type; positions are BIGINT,
     * 1-based. Strict unless noted.
     */
    FN_ARRAY_VALUE,     /* ARRAY[x, …] (T, …) → T[]; not strict: NULL arguments are elements */
    FN_ARRAY_EXTRACT,   /* a[i] (A, i) → T; NULL out of range */
    FN_ARRAY_SLICE,     /* a[i:j] (A, i, j) → A; bounds clamped, empty when i > j */
    FN_CARDINALITY,     /* (A) → INTEGER */
    FN_ARRAY_LENGTH,    /* (A[, dim]) → INTEGER; with dim PostgreSQL's: NULL for empty or dim ≠ 1 */
    FN_ARRAY_LOWER,     /* (A, dim) → INTEGER: 1, NULL for empty or dim ≠ 1 */
    FN_ARRAY_UPPER,     /* (A, dim) → INTEGER: the length, NULL for empty or dim ≠ 1 */
    FN_ARRAY_POSITION,  /* (A, x) → INTEGER: first k with a[k] IS NOT DISTINCT FROM x; not strict in x */
    FN_ARRAY_CONTAINS,  /* (A, x) → BOOLEAN: whether some element equals x */
    FN_ARRAY_HAS_ALL,   /* a @> b (A, A) → BOOLEAN: every element of b equals one of a */
    FN_ARRAY_OVERLAP,   /* a && b (A, A) → BOOLEAN: some element of b equals one of a */
    FN_ARRAY_APPEND,    /* (A, x) → A; a NULL array is empty (not strict) */
    FN_ARRAY_PREPEND,   /* (x, A) → A; as append */
    FN_ARRAY_CAT,       /* a || b (A, A) → A; NULL only when both are */
    FN_ARRAY_REMOVE,    /* (A, x) → A without the elements NOT DISTINCT FROM x; not strict in x */
    FN_ARRAY_TO_STRING, /* (A, sep[, null_text]) → VARCHAR; NULLs skipped without null_text */
    FN_STRING_TO_ARRAY, /* (s, sep[, null_text]) → VARCHAR[]; sep NULL: one element per
                           character; not strict in sep and null_text */
    FN_ARRAY_DISTINCT,  /* (A) → A: first occurrences in order (NULL kept once) */
    FN_ARRAY_SORT,      /* (A) → A ascending, NULLs last */
    FN_ARRAY_MAX,       /* (A) → T: largest non-NULL element; NULL when none */
    FN_ARRAY_MIN,
    /* x op ANY (a) / x op ALL (a): (INTEGER op, T, A) → BOOLEAN, op 0..5 for = <> < <= > >=
       (a constant); PostgreSQL's three-valued results. Not strict in x. */
    FN_ARRAY_ANY,
    FN_ARRAY_ALL,
    FN_UNNEST, /* unnest(A) in a select list: binder only, replaced by a LOP_UNNEST column */
    FN_COUNT_ /* number of functions; not a function */
} ScalarFuncId;

typedef enum AggFuncId {
    AGG_COUNT_STAR,
    AGG_COUNT,
    AGG_SUM,
    AGG_MIN,
    AGG_MAX,
    AGG_AVG,
    AGG_VAR_SAMP, /* the variances and deviations: one Welford state (count, mean, M2) */
    AGG_VAR_POP,
    AGG_STDDEV_SAMP,
    AGG_STDDEV_POP,
    AGG_BOOL_AND,
    AGG_BOOL_OR,
    AGG_APPROX_DISTINCT, /* HyperLogLog; its partial state is the registers as text */
    /* Holistic aggregates: their values are kept per group (plan_agg_is_holistic), so they
       are never split into PARTIAL/FINAL steps. */
    AGG_STRING_AGG,
    AGG_QUANTILE_CONT, /* median, quantile_cont, percentile_cont */
    AGG_QUANTILE_DISC, /* quantile_disc, percentile_disc */
    /* array_agg(x [ORDER BY …]): its argument is ARRAY[x] (never NULL, so that FILTER's CASE
       can tell skipped rows from NULL values); the result concatenates them. */
    AGG_ARRAY_AGG,
    AGG_COUNT_         /* not a function */
} AggFuncId;

/* Window functions. WIN_AGGREGATE is an aggregate (AggFuncId) over the frame. */
typedef enum WindowFuncId {
    WIN_ROW_NUMBER,
    WIN_RANK,
    WIN_DENSE_RANK,
    WIN_PERCENT_RANK,
    WIN_CUME_DIST,
    WIN_NTILE,       /* args: buckets (BIGINT) */
    WIN_LAG,         /* args: value, offset (BIGINT), default (value's type) */
    WIN_LEAD,        /* as lag */
    WIN_FIRST_VALUE, /* args: value */
    WIN_LAST_VALUE,
    WIN_NTH_VALUE, /* args: value, n (BIGINT) */
    WIN_AGGREGATE, /* args: the aggregate's argument (none for count(*)) */
    WIN_COUNT_     /* not a function */
} WindowFuncId;

/* A window frame: ROWS, RANGE or GROUPS BETWEEN start AND end. */
typedef enum WindowFrameUnit { WFRAME_ROWS, WFRAME_RANGE, WFRAME_GROUPS } WindowFrameUnit;

typedef enum WindowBound {
    WBOUND_UNBOUNDED_PRECEDING,
    WBOUND_PRECEDING, /* offset PRECEDING */
    WBOUND_CURRENT_ROW,
    WBOUND_FOLLOWING, /* offset FOLLOWING */
    WBOUND_UNBOUNDED_FOLLOWING,
} WindowBound;

/*
 * Offsets are constants, never NULL or negative: BIGINT for ROWS and GROUPS; for RANGE
 * of the one ORDER BY key's type, or INTERVAL when the key is a DATE or TIMESTAMP.
 */
/* EXCLUDE: which rows of the frame around the current row leave it (PostgreSQL's). */
typedef enum WindowExclude {
    WEXCLUDE_NONE,        /* also EXCLUDE NO OTHERS */
    WEXCLUDE_CURRENT_ROW, /* the current row */
    WEXCLUDE_GROUP,       /* the current row and its peers */
    WEXCLUDE_TIES,        /* its peers, not the row itself */
} WindowExclude;

typedef struct WindowFrame {
    WindowFrameUnit unit;
    WindowBound start, end;
    Value start_offset, end_offset;
    WindowExclude exclude;
} WindowFrame;

/* A window function's argument columns: the aggregate's argument and then its ORDER BY
   keys (string_agg(x, ',' ORDER BY y) OVER …), or the fixed arguments of WindowFuncId. */
#define WINDOW_MAX_ARGS 8

/* The serialized name of a window function ("row_number"); NULL for an invalid id. */
const char *window_func_name(WindowFuncId id);
/* Inverse of window_func_name (not WIN_AGGREGATE); -1 when unknown. */
int window_func_by_name(const char *name);
/* The serialized name of a function ("add", "count"); NULL for an invalid id. */
const char *scalar_func_name(ScalarFuncId id);
const char *agg_func_name(AggFuncId id);
/* Inverse of the above; -1 when unknown. */
int scalar_func_by_name(const char *name);
/* False for the functions whose result is not NULL just because an argument is (coalesce,
   concat, concat_ws, …): the simplifier folds NULL arguments of the others to NULL. */
bool scalar_func_is_strict(ScalarFuncId id);
int agg_func_by_name(const char *name);

/* ---- expressions --------------------------------------------------------------------- */

/* A column produced by a logical operator: (the operator's table index, column). */
typedef struct ColumnBinding {
    uint32_t table;
    uint32_t column;
} ColumnBinding;

typedef enum ExprKind {
    EXPR_CONSTANT,
    EXPR_COLUMN,
    EXPR_CALL, /* scalar function or operator */
    EXPR_CAST, /* arg converted to type */
    EXPR_AND,  /* n-ary */
    EXPR_OR,   /* n-ary */
    EXPR_NOT,
    EXPR_IS_NULL,
    EXPR_IS_NOT_NULL,
    EXPR_CASE,      /* searched CASE: WHEN conds THEN results ELSE */
    EXPR_AGGREGATE, /* only while binding: replaced by a column of the aggregate */
    EXPR_SUBQUERY,  /* only while binding: replaced by a join and a column of it */
    EXPR_WINDOW,    /* only while binding: replaced by a column of a LOP_WINDOW */
} ExprKind;

typedef struct Expr Expr;
typedef struct AggregateCall AggregateCall;

/* Expr.flags (binder only; not serialized). */
#define EXPR_FLAG_UNTYPED 1 /* a string literal or NULL whose type comes from its context */

struct Expr {
    ExprKind kind;
    LogicalType type; /* of the result */
    int pos;          /* byte offset in the SQL text, -1 if none (not serialized) */
    uint8_t flags;
    union {
        Value constant; /* strings are in the plan arena */
        struct {
            ColumnBinding binding; /* logical plans */
            int index;             /* physical plans: position in the input chunk */
        } column;
        struct {
            ScalarFuncId func;
            int n_args;
            Expr **args;
        } call;
        struct {
            Expr *arg;
            bool try_cast; /* reserved: NULL instead of an error */
        } cast;
        struct {
            int n_args;
            Expr **args;
        } conj; /* AND, OR */
        struct {
            Expr *arg;
        } unary; /* NOT, IS [NOT] NULL */
        struct {
            int n_whens;
            Expr **whens, **thens;
            Expr *else_expr; /* never NULL after binding (a NULL constant) */
        } case_;
        struct {
            AggregateCall *call;
        } aggregate;
        struct {
            struct BoundSubquery *sub; /* planner_int.h */
        } subquery;
        struct {
            struct WindowCall *call; /* logical.h */
        } window;
    } u;
};

/* An ORDER BY key of an aggregate call: string_agg(x, ',' ORDER BY key DESC). */
typedef struct AggOrderKey {
    Expr *expr;
    bool descending;
    bool nulls_first;
} AggOrderKey;

/*
 * An aggregate call as bound: func(DISTINCT? arg [ORDER BY order]). FILTER (WHERE c) is
 * already folded into arg as CASE WHEN c THEN arg END (every aggregate skips NULLs;
 * count(*) FILTER counts CASE WHEN c THEN TRUE END).
 */
struct AggregateCall {
    AggFuncId func;
    bool distinct;
    Expr *arg;            /* NULL for count(*) */
    LogicalType arg_type; /* type of arg (after implicit casts) */
    LogicalType type;     /* result type */
    /* string_agg's separator (VARCHAR), a quantile's fraction (DOUBLE); type INVALID for
       the others. A NULL fraction gives NULL. */
    Value param;
    int n_order; /* string_agg's ORDER BY; a percentile's WITHIN GROUP key (its arg) */
    AggOrderKey *order;
};

/* ---- physical plan ------------------------------------------------------------------ */

/* What PLAN_UNNEST / LOP_UNNEST expand: arrays, or a per-row range() (stop excluded) or
   generate_series() (stop included) series. */
typedef enum UnnestMode { UNNEST_ARRAYS, UNNEST_RANGE, UNNEST_SERIES } UnnestMode;

typedef enum PlanKind {
    PLAN_TABLE_SCAN,
    PLAN_VALUES,
    PLAN_FILTER,
    PLAN_PROJECT,
    PLAN_HASH_AGGREGATE,
    PLAN_SORT,
    PLAN_TOPN, /* the first `limit` rows by the sort keys (ORDER BY … LIMIT) */
    PLAN_LIMIT,
    PLAN_EXCHANGE,      /* before fragmenting: a stage boundary */
    PLAN_REMOTE_SOURCE, /* after fragmenting: reads another fragment's output */
    PLAN_TABLE_WRITE,
    PLAN_CSV_SCAN,
    PLAN_JOIN, /* children[0] probe, children[1] build; hash join on keys, else nested loop */
    PLAN_UNION, /* the rows of every child, in no particular order (children: same types) */
    PLAN_RANGE, /* start, start + step, … up to stop (excluded, or included): one BIGINT */
    PLAN_WINDOW, /* the input's columns, then one per window function (see u.window) */
    /* GROUPING SETS: each input row once per set, the key columns a set leaves out NULL,
       and the set's number appended (BIGINT); see u.expand */
    PLAN_EXPAND,
    /*
     * WITH RECURSIVE: children[0] (the anchor) once, then children[1] (the recursive term)
     * again and again over the rows the previous evaluation produced — which its
     * PLAN_CTE_SCAN with the same id reads — until one produces none; the rows of every
     * evaluation (UNION: those not produced before). Both children run inside the task of
     * the node, in nested tasks of their own: no remote exchange below it. See u.recursive.
     */
    PLAN_RECURSIVE_CTE,
    PLAN_CTE_SCAN, /* the working table of the PLAN_RECURSIVE_CTE u.cte_scan.id above it */
    /* unnest: the input's last u.unnest.n_arrays columns are arrays; each row goes out once
       per element of the longest (none when all are NULL or empty) as its other columns,
       then one element per array (NULL past its end), then with ordinality the element's
       number (BIGINT). In a range mode (u.unnest.mode) they are start, stop and step
       (BIGINT, or TIMESTAMP with an INTERVAL step) and each row goes out once per value of
       its range() / generate_series() series, that value its one new column. */
    PLAN_UNNEST,
    PLAN_KIND_COUNT_ /* not a kind */
} PlanKind;

/*
 * Join types of PLAN_JOIN. The probe side (children[0]) is the "left" of LEFT/SEMI/ANTI/
 * MARK: its rows are the ones kept, marked or padded. A right join is planned as a left
 * join with the sides swapped.
 */
typedef enum PlanJoinType {
    PJ_INNER, /* probe ++ build columns of each matching pair */
    PJ_LEFT,  /* as INNER, plus each probe row without a match, build columns NULL */
    PJ_FULL,  /* as LEFT, plus each build row without a match, probe columns NULL */
    PJ_SEMI,  /* probe columns of each probe row with at least one match, once */
    PJ_ANTI,  /* probe columns of each probe row without any match */
    /*
     * Probe columns ++ one BOOLEAN per probe row: TRUE when it has a match; otherwise, with
     * null_aware (x IN (subquery) semantics over one key), NULL when its key is NULL and the
     * build side is not empty, or when a build row that passes the residual has a NULL key;
     * otherwise FALSE.
     */
    PJ_MARK,
    PJ_COUNT_ /* not a type */
} PlanJoinType;

/*
 * How a join's inputs meet across tasks (rule_exchanges.c decides; EXPLAIN shows it).
 * Inside one task, or with one worker, there is nothing to choose: PJD_LOCAL.
 */
typedef enum PlanJoinDistribution {
    PJD_LOCAL,       /* both sides in the same tasks as they are (one task, one worker) */
    PJD_REPLICATED,  /* the build side broadcast to every task of the probe side */
    PJD_PARTITIONED, /* both sides hash-partitioned on the keys, task k joins partition k */
    PJD_SINGLE,      /* both sides gathered to one task (the probe side was there) */
    PJD_COUNT_       /* not a distribution */
} PlanJoinDistribution;

typedef enum AggMode {
    AGG_SINGLE,  /* input rows → final values */
    AGG_PARTIAL, /* input rows → intermediate states */
    AGG_FINAL,   /* intermediate states → final values */
} AggMode;

typedef enum ExchangeKind {
    EXCHANGE_GATHER,         /* every producer → one consumer stream */
    EXCHANGE_REPARTITION,    /* rows to partitions by hash of keys */
    EXCHANGE_BROADCAST,      /* every consumer partition gets every row */
    EXCHANGE_ROUND_ROBIN,    /* chunks dealt to consumers as they ask (arbitrary) */
    EXCHANGE_ORDERED_GATHER, /* one consumer reads the producers' streams one after the other,
                                in producer order (sorted ranges → one sorted stream) */
    EXCHANGE_KIND_COUNT_     /* not a kind */
} ExchangeKind;

/*
 * How an exchange routes rows: its kind, for REPARTITION the input columns whose values
 * are hashed, and the number of partitions (for a remote exchange the consumer fragment's
 * tasks; 0 inside a task, where the consumer's drivers decide).
 */
typedef struct Partitioning {
    ExchangeKind kind;
    int n_keys;
    int *keys;
    int n_partitions;
} Partitioning;

typedef struct SortKey {
    int column;
    bool descending;
    bool nulls_first;
} SortKey;

/* One aggregate of a PLAN_HASH_AGGREGATE. */
typedef struct PlanAggregate {
    AggFuncId func;
    bool distinct;
    int arg;              /* input column: the argument (SINGLE, PARTIAL) or the first state
                             column (FINAL); -1 for count(*) in SINGLE/PARTIAL */
    LogicalType arg_type; /* of the argument */
    LogicalType type;     /* of the final result */
    Value param;          /* AggregateCall.param (strings in the plan arena) */
    int n_order;          /* holistic aggregates: order keys, input columns (SINGLE only) */
    SortKey *order;
} PlanAggregate;

/* One function of a PLAN_WINDOW. */
typedef struct PlanWindowFunc {
    WindowFuncId func;
    AggFuncId agg; /* WIN_AGGREGATE */
    int n_args;
    int args[WINDOW_MAX_ARGS]; /* input columns (see WindowFuncId); for an aggregate its
                                  argument, then its n_order ORDER BY keys */
    LogicalType arg_type;      /* of args[0]; BIGINT when there is none */
    LogicalType type;          /* of the result */
    WindowFrame frame;
    bool distinct;     /* aggregate(DISTINCT x) */
    bool ignore_nulls; /* lag/lead/first/last/nth_value IGNORE NULLS */
    Value param;       /* the aggregate's PlanAggregate.param (separator, fraction) */
    int n_agg_order;   /* ORDER BY keys inside the aggregate: args[1 .. 1 + n_agg_order) */
    bool agg_order_desc[WINDOW_MAX_ARGS], agg_order_nulls_first[WINDOW_MAX_ARGS];
} PlanWindowFunc;

/* Comparisons a scan can check against zone maps (min/max/null counts). */
typedef enum PlanZoneOp {
    PZ_EQ,
    PZ_LT,
    PZ_LE,
    PZ_GT,
    PZ_GE,
    PZ_IS_NULL,
    PZ_IS_NOT_NULL,
} PlanZoneOp;

/* A zone-map condition on a scanned table column: column op value. */
typedef struct PlanZoneCond {
    int column; /* table column index */
    PlanZoneOp op;
    Value value; /* of the column's type; unused for the NULL tests */
} PlanZoneCond;

/* A column of a table being written, with its constraint. */
typedef struct PlanColumnDef {
    char *name;
    LogicalType type;
    bool not_null;
} PlanColumnDef;

typedef struct PlanNode PlanNode;

struct PlanNode {
    PlanKind kind;
    int id; /* unique in the query; names the node in EXPLAIN and statistics */
    int n_children;
    PlanNode **children;
    int n_cols; /* output columns */
    LogicalType *types;
    double est_rows; /* estimate, < 0 when unknown */
    union {
        struct {
            char *table;
            uint64_t table_id;
            uint64_t snapshot;
            int n_columns;
            int *columns; /* table column indexes, in output order */
            char **column_names;
            int n_zone;
            PlanZoneCond *zone;
        } scan;
        struct {
            int n_rows;
            Expr ***rows; /* n_rows arrays of n_cols expressions (no column refs) */
        } values;
        struct {
            Expr *predicate;
        } filter;
        struct {
            Expr **exprs; /* n_cols of them */
        } project;
        struct {
            AggMode mode;
            int n_groups;
            int *groups; /* input columns; they come first in the output */
            int n_aggs;
            PlanAggregate *aggs;
            /* Each driver's input holds whole groups (it was partitioned on a subset of the
               group keys): drivers' tables are disjoint and need no merging. */
            bool input_partitioned;
            /* PARTIAL only: > 0 makes it streaming — not a pipeline breaker but an operator
               that emits its groups' states whenever it holds this many, and at its end.
               Its table stays small (in cache); the FINAL step combines the states. */
            int flush_groups;
        } agg;
        struct {
            int n_keys;
            SortKey *keys;
            int64_t limit; /* PLAN_TOPN: rows kept; -1 for PLAN_SORT */
        } sort;            /* PLAN_SORT and PLAN_TOPN */
        struct {
            int64_t limit; /* -1: none */
            int64_t offset;
            /* EnforceSingleRow (a scalar subquery): at most one row, a second fails with
               21000; a row of NULLs when the input has none. limit 1, offset 0. */
            bool single_row;
        } limit;
        struct {
            Partitioning part;
            bool local;  /* between pipelines of one task; otherwise between fragments */
            bool single; /* remote: the consumer reads it with one driver */
        } exchange;
        struct {
            int fragment; /* the producing fragment */
            ExchangeKind kind;
            bool single; /* read by one driver (order or a single stream is needed above) */
        } remote;
        struct {
            char *table;
            uint64_t table_id;
            int n_columns;
            PlanColumnDef *columns; /* the input's columns, in table order */
        } write;
        struct {
            char *path;
            char delimiter, quote, escape;
            bool header;
            char *null_string;
        } csv;
        struct {
            Expr *start, *stop, *step; /* constant expressions, evaluated once */
            bool inclusive;
        } range;
        struct {
            PlanJoinType type;
            /* Equality keys: probe column probe_keys[k] = build column build_keys[k]. A key
               of NULL matches nothing, unless null_equal[k] (IS NOT DISTINCT FROM; NULL
               array: no such key). No keys: a nested-loop join over every pair. */
            int n_keys;
            int *probe_keys;
            int *build_keys;
            bool *null_equal;
            /* NULL, or a BOOLEAN predicate a pair must also satisfy (TRUE), over the
               concatenated row: probe columns 0..np-1, then build columns np..np+nb-1. */
            Expr *residual;
            bool null_aware; /* PJ_MARK only, with one key: see PJ_MARK */
            /* PJ_LEFT only: a probe row may match one build row at most; a second match
               fails with 21000 (a correlated scalar subquery; a "single" join). */
            bool single_match;
            PlanJoinDistribution distribution; /* informative: exec does not read it */
        } join;
        struct {
            /* Rows of equal partition keys (NULLs equal) form a partition, ordered by the
               order keys; each driver's input holds whole partitions. */
            int n_partitions;
            int *partitions; /* input columns */
            int n_order;
            SortKey *order;
            int n_funcs;
            PlanWindowFunc *funcs;
        } window;
        struct {
            int id;
            bool union_all;         /* false: rows equal to one produced before are dropped */
            int64_t max_iterations; /* evaluations of the term before it fails (54001) */
            char *name;             /* of the WITH query, for EXPLAIN and errors */
        } recursive;
        struct {
            int id;
            char *name;
        } cte_scan;
        struct {
            int n_arrays;
            bool ordinality;
            UnnestMode mode;
            bool outer; /* range modes: an empty series gives one row, its value NULL */
        } unnest;
        struct {
            int n_keys;
            int *keys; /* input columns a set may replace by NULL */
            int n_sets;
            uint64_t *sets; /* set s keeps keys[k] when bit k of sets[s] is set */
        } expand;
    } u;
};

/* Columns of intermediate state that PARTIAL emits (and FINAL reads) for an aggregate. */
int plan_agg_state_width(const PlanAggregate *agg);
/* Type of state column k (0 <= k < plan_agg_state_width) of an aggregate. */
LogicalType plan_agg_state_type(const PlanAggregate *agg, int k);
/* Whether an aggregate keeps its group's values (string_agg, quantiles): never split. */
bool plan_agg_is_holistic(AggFuncId func);

/* ---- fragments ----------------------------------------------------------------------- */

typedef enum FragmentDistribution {
    DIST_SINGLE, /* one task (the coordinator's root stage, VALUES, …) */
    DIST_SOURCE, /* tasks over the splits of a table scan */
    DIST_FIXED,  /* N hash partitions (joins and aggregations to come) */
} FragmentDistribution;

typedef struct PlanFragment {
    int id;
    PlanNode *root;
    FragmentDistribution distribution;
    int n_tasks;         /* task instances: 1 for SINGLE, the planned partitions otherwise */
    Partitioning output; /* how its output reaches its consumer */
    int consumer;        /* fragment that reads this one's output; -1 for the root */
    int n_sources;
    int *sources; /* fragments this one reads (through PLAN_REMOTE_SOURCE) */
} PlanFragment;

#endif
