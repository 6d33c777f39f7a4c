/*
 * ast.h — the abstract syntax tree the parser produces and the binder consumes.
 *
 * Every node is allocated in the Arena passed to the parser and dies with it. Every node
 * carries `pos`: the byte offset in the whole input text of the token that starts it (or,
 * for operators, the operator token), which is where errors about the node point.
 * Identifiers are folded to lower case unless they were double-quoted (PostgreSQL rules).
 * String contents are unescaped and NUL-terminated; `len` is their byte length.
 *
 * The grammar accepts more than the engine executes (joins, subqueries, set operations,
 * CTEs…): the binder rejects what is not supported yet with 0A000 at the
 * node's position, so that later work extends the binder and executor, not the syntax.
 */
#ifndef BASALT_PARSER_AST_H
#define BASALT_PARSER_AST_H

#include "common/arena.h"

/* A growable array of node pointers, allocated in the parse arena. */
typedef struct AstList {
    int count;
    int capacity;
    void **items;
} AstList;

typedef struct AstExpr AstExpr;
typedef struct AstSelect AstSelect;
typedef struct AstTableRef AstTableRef;

/* A type as written: `decimal(15, 2)`, `varchar(25)`, `double precision`. */
typedef struct AstTypeName {
    char *name;   /* lower case, multi-word names joined by one space: "double precision" */
    int n_params; /* 0..2 */
    int64_t params[2];
    int array_dims; /* `[]` (or ARRAY) suffixes: > 0 makes it an array of the named type */
    int pos;
} AstTypeName;

typedef enum AstExprKind {
    AST_LITERAL,   /* a constant: number, string, boolean, NULL */
    AST_COLUMN,    /* [qualifier.]name */
    AST_STAR,      /* * or qualifier.* (select lists, count(*)) */
    AST_UNARY,     /* op arg */
    AST_BINARY,    /* left op right */
    AST_IS_NULL,   /* arg IS [NOT] NULL */
    AST_CAST,      /* CAST(arg AS type), arg::type, or a typed literal DATE '…' */
    AST_FUNCTION,  /* name([DISTINCT] args) or name(*) */
    AST_BETWEEN,   /* arg [NOT] BETWEEN low AND high */
    AST_IN_LIST,   /* arg [NOT] IN (list) */
    AST_IN_SELECT, /* arg [NOT] IN (subquery) */
    AST_LIKE,      /* arg [NOT] LIKE pattern */
    AST_CASE,      /* CASE [operand] WHEN … THEN … [ELSE …] END */
    AST_EXISTS,    /* [NOT] EXISTS (subquery) */
    AST_SUBQUERY,  /* (subquery) used as a scalar */
    AST_INTERVAL,  /* INTERVAL 'text' [unit] */
    AST_EXTRACT,   /* EXTRACT(field FROM arg) */
    AST_QUANTIFIED, /* arg op ANY|SOME|ALL (subquery), or (array expression) */
    AST_ARRAY,     /* ARRAY[elems] or ARRAY(subquery) */
    AST_SUBSCRIPT, /* arg[index] or arg[lower:upper] (either bound may be omitted) */
    AST_ANY_ALL,   /* arg op ANY|SOME|ALL (array) */
} AstExprKind;

typedef enum AstLiteralKind {
    LIT_NULL,
    LIT_BOOLEAN,
    LIT_INTEGER, /* digits only, fits in int64: `ival` */
    LIT_NUMBER,  /* has '.' or exponent, or too big for int64: `text` as written */
    LIT_STRING,  /* 'text' (escapes resolved): `text`, `len` */
} AstLiteralKind;

typedef enum AstOp {
    OP_ADD,
    OP_SUB,
    OP_MUL,
    OP_DIV,
    OP_MOD,
    OP_CONCAT, /* + - * / % || */
    OP_EQ,
    OP_NE,
    OP_LT,
    OP_LE,
    OP_GT,
    OP_GE, /* = <> (and !=) < <= > >= */
    OP_AND,
    OP_OR,
    OP_NOT,
    OP_NEG,
    OP_PLUS, /* unary */
    OP_IS_DISTINCT,
    OP_IS_NOT_DISTINCT, /* IS [NOT] DISTINCT FROM */
    OP_MATCH,
    OP_NOT_MATCH,
    OP_IMATCH,
    OP_NOT_IMATCH, /* ~ !~ ~* !~* (POSIX-style regular expression matches) */
    OP_ARRAY_CONTAINS,  /* @> */
    OP_ARRAY_CONTAINED, /* <@ */
    OP_ARRAY_OVERLAP,   /* && */
} AstOp;

/* A window function's null treatment (lag(x) IGNORE NULLS OVER …). */
enum { AST_NULLS_DEFAULT, AST_NULLS_IGNORE, AST_NULLS_RESPECT };

/* Window frames (OVER (… ROWS|RANGE|GROUPS BETWEEN start AND end [EXCLUDE …])). */
typedef enum AstFrameUnit {
    AST_FRAME_DEFAULT, /* no frame clause: RANGE UNBOUNDED PRECEDING .. CURRENT ROW */
    AST_FRAME_ROWS,
    AST_FRAME_RANGE,
    AST_FRAME_GROUPS,
} AstFrameUnit;

typedef enum AstFrameBoundKind {
    AST_BOUND_UNBOUNDED_PRECEDING,
    AST_BOUND_PRECEDING, /* offset PRECEDING */
    AST_BOUND_CURRENT_ROW,
    AST_BOUND_FOLLOWING, /* offset FOLLOWING */
    AST_BOUND_UNBOUNDED_FOLLOWING,
} AstFrameBoundKind;

typedef enum AstFrameExclude {
    AST_EXCLUDE_NONE, /* also EXCLUDE NO OTHERS */
    AST_EXCLUDE_CURRENT_ROW,
    AST_EXCLUDE_GROUP,
    AST_EXCLUDE_TIES,
} AstFrameExclude;

typedef struct AstFrameBound {
    AstFrameBoundKind kind;
    AstExpr *offset; /* PRECEDING / FOLLOWING only */
    int pos;
} AstFrameBound;

/*
 * A window specification: OVER (ref PARTITION BY … ORDER BY … frame), or OVER ref
 * (`bare_ref`: the named window as it is). `ref` names a window of the WINDOW clause
 * (NULL: none).
 */
typedef struct AstWindowSpec {
    char *ref;
    int ref_pos;
    bool bare_ref;
    AstList partition_by; /* AstExpr* */
    AstList order_by;     /* AstOrderItem* */
    AstFrameUnit unit;
    AstFrameBound start, end; /* without BETWEEN, end is CURRENT ROW */
    AstFrameExclude exclude;
    int frame_pos;   /* the ROWS/RANGE/GROUPS keyword; -1 without a frame */
    int exclude_pos; /* -1 without EXCLUDE */
    int pos;
} AstWindowSpec;

/* WINDOW name AS (spec). */
typedef struct AstWindowDef {
    char *name;
    AstWindowSpec *spec;
    int pos;
} AstWindowDef;

typedef struct AstCaseWhen {
    AstExpr *when;
    AstExpr *then;
} AstCaseWhen;

struct AstExpr {
    AstExprKind kind;
    int pos;
    union {
        struct {
            AstLiteralKind kind;
            bool bval;
            int64_t ival;
            char *text; /* LIT_NUMBER and LIT_STRING */
            size_t len;
        } lit;
        struct {
            char *qualifier; /* NULL when unqualified */
            char *name;
        } column;
        struct {
            char *qualifier; /* NULL for a bare * */
        } star;
        struct {
            AstOp op;
            AstExpr *arg;
        } unary;
        struct {
            AstOp op;
            AstExpr *left, *right;
        } binary;
        struct {
            AstExpr *arg;
            bool negated; /* IS NOT NULL */
        } is_null;
        struct {
            AstExpr *arg;
            AstTypeName *type;
            bool is_literal; /* DATE '…' / TIMESTAMP '…' form */
            bool is_try;     /* TRY_CAST: NULL where the conversion fails */
        } cast;
        struct {
            char *name;    /* lower case */
            AstList args;  /* AstExpr*; empty for name(*) */
            bool star;     /* name(*) */
            bool distinct; /* name(DISTINCT …) */
            AstWindowSpec *over; /* OVER …: a window call; NULL otherwise */
            AstList order; /* AstOrderItem*: name(args ORDER BY …) or WITHIN GROUP (…) */
            bool within_group; /* order came from WITHIN GROUP (ORDER BY …) */
            AstExpr *filter;   /* FILTER (WHERE …); NULL when none */
            uint8_t nulls;     /* AST_NULLS_DEFAULT, _IGNORE, _RESPECT: f(x) IGNORE NULLS */
            int nulls_pos;     /* where IGNORE/RESPECT NULLS was written (-1: not) */
        } func;
        struct {
            AstExpr *arg, *low, *high;
            bool negated;
        } between;
        struct {
            AstExpr *arg;
            AstList list; /* AstExpr* */
            bool negated;
        } in_list;
        struct {
            AstExpr *arg;
            AstSelect *query;
            bool negated;
        } in_select;
        struct {
            AstExpr *arg, *pattern;
            AstExpr *escape; /* NULL without ESCAPE */
            bool negated;
            bool case_insensitive; /* ILIKE */
        } like;
        struct {
            AstExpr *operand;   /* NULL for a searched CASE */
            AstList whens;      /* AstCaseWhen* */
            AstExpr *else_expr; /* NULL: ELSE NULL */
        } case_;
        struct {
            AstSelect *query;
            bool negated;
        } exists;
        struct {
            AstSelect *query;
        } subquery;
        struct {
            char *text; /* the quoted text: '90', '1 year' */
            char *unit; /* lower case: "day", "month", "year", …; NULL if none */
        } interval;
        struct {
            char *field; /* lower case: "year", "month", "day", … */
            AstExpr *arg;
        } extract;
        struct {
            AstExpr *arg;
            AstOp op;         /* OP_EQ … OP_GE */
            bool all;         /* ALL; ANY and SOME are the same */
            AstSelect *query; /* op ANY (SELECT …) */
            AstExpr *array;   /* op ANY (expression): an array; NULL with a query */
        } quantified;
        struct {
            AstList elems;   /* AstExpr*; empty for ARRAY[] */
            AstSelect *query; /* ARRAY(subquery); NULL for ARRAY[…] */
        } array;
        struct {
            AstExpr *arg;
            AstExpr *lower, *upper; /* a slice's bounds, NULL when omitted; index: lower */
            bool slice;
        } subscript;
        struct {
            AstOp op; /* a comparison: OP_EQ … OP_GE */
            bool all; /* ALL; false for ANY and SOME */
            AstExpr *arg, *array;
        } any_all;
    } u;
};

typedef struct AstSelectItem {
    AstExpr *expr; /* AST_STAR for * and t.* */
    char *alias;   /* NULL when none */
    int pos;
} AstSelectItem;

typedef struct AstOrderItem {
    AstExpr *expr;
    bool descending;
    int nulls; /* 0: default (NULLS LAST for ASC, FIRST for DESC), 1: FIRST, 2: LAST */
    int pos;
} AstOrderItem;

typedef enum AstJoinType { JOIN_INNER, JOIN_LEFT, JOIN_RIGHT, JOIN_FULL, JOIN_CROSS } AstJoinType;

/* TREF_VALUES is `(VALUES ...) [AS] alias(cols)`: u.subquery.query holds the VALUES query. */
typedef enum AstTableRefKind {
    TREF_TABLE,
    TREF_SUBQUERY,
    TREF_JOIN,
    TREF_VALUES,
    TREF_FUNCTION, /* a table function: range(…), generate_series(…) */
} AstTableRefKind;

struct AstTableRef {
    AstTableRefKind kind;
    int pos;
    bool lateral;        /* LATERAL (subquery) or LATERAL f(…): reads FROM items to its left */
    char *alias;         /* NULL when none */
    AstList col_aliases; /* char*: AS t(a, b) */
    union {
        struct {
            char *catalog; /* catalog.schema.name; NULL when not written */
            char *schema;  /* NULL when unqualified */
            char *name;
        } table;
        struct {
            AstSelect *query;
        } subquery;
        struct {
            AstJoinType type;
            AstTableRef *left, *right;
            AstExpr *on;   /* NULL for CROSS and USING joins */
            AstList using; /* char* */
            bool natural;
        } join;
        struct {
            char *name; /* lower case */
            AstList args; /* AstExpr* */
            bool ordinality; /* WITH ORDINALITY */
        } func;
    } u;
};

typedef struct AstCte {
    char *name;
    AstList col_aliases; /* char* */
    AstSelect *query;
    int pos;
} AstCte;

typedef enum AstSetOp { SETOP_NONE, SETOP_UNION, SETOP_INTERSECT, SETOP_EXCEPT } AstSetOp;

/*
 * A query. Either a SELECT core (select_list …), a VALUES list (values != NULL), or a
 * set operation (set_op != SETOP_NONE: left and right are the operands). ORDER BY,
 * LIMIT and OFFSET apply to the whole query in every form.
 */
/* An element of GROUP BY … ROLLUP / CUBE / GROUPING SETS. */
typedef enum AstGroupKind {
    GROUP_EXPR,   /* expr: one grouping expression */
    GROUP_LIST,   /* (a, b): several, as one set (inside GROUPING SETS) */
    GROUP_EMPTY,  /* (): the empty set */
    GROUP_ROLLUP, /* ROLLUP(items) */
    GROUP_CUBE,   /* CUBE(items) */
    GROUP_SETS,   /* GROUPING SETS(items) */
} AstGroupKind;

typedef struct AstGroupItem {
    AstGroupKind kind;
    int pos;
    AstExpr *expr; /* GROUP_EXPR */
    AstList items; /* GROUP_LIST: AstExpr*; ROLLUP, CUBE: AstGroupItem* (EXPR or LIST);
                      SETS: AstGroupItem* */
} AstGroupItem;

struct AstSelect {
    int pos;
    AstList ctes; /* AstCte*: WITH … */
    bool ctes_recursive; /* WITH RECURSIVE: each WITH query sees itself */
    bool distinct;
    AstList select_list; /* AstSelectItem* */
    AstList from;        /* AstTableRef*; several entries mean a comma (cross) join */
    AstExpr *where;
    AstList distinct_on; /* AstExpr*: SELECT DISTINCT ON (…); empty otherwise */
    AstList group_by; /* AstExpr*: plain GROUP BY a, b */
    /* GROUP BY with ROLLUP, CUBE or GROUPING SETS: every item as an AstGroupItem* (and
       group_by empty); the binder expands them into grouping sets. */
    AstList group_items;
    AstExpr *having;
    AstList windows; /* AstWindowDef*: WINDOW … */
    AstList *values; /* VALUES rows: an AstList of AstList of AstExpr*; NULL otherwise */
    AstSetOp set_op;
    bool set_all; /* UNION ALL */
    AstSelect *left, *right;
    AstList order_by; /* AstOrderItem* */
    AstExpr *limit;   /* NULL: none (LIMIT ALL too) */
    AstExpr *offset;
};

typedef struct AstColumnDef {
    char *name;
    AstTypeName *type;
    bool not_null;
    int pos;
} AstColumnDef;

/* A COPY/WITH option: name and its value (an identifier, string, number or boolean). */
typedef struct AstOption {
    char *name;     /* lower case */
    AstExpr *value; /* AST_LITERAL, or AST_COLUMN for a bare word (FORMAT csv); NULL if none */
    int pos;
} AstOption;

typedef enum AstStmtKind {
    STMT_SELECT,
    STMT_CREATE_TABLE,
    STMT_DROP_TABLE,
    STMT_INSERT,
    STMT_COPY,
    STMT_EXPLAIN,
    STMT_CREATE_VIEW,
    STMT_DROP_VIEW, /* u.drop_table */
    STMT_SET,       /* SET name = value, SET name TO value, SET TIME ZONE value, RESET name */
    STMT_SHOW,      /* SHOW name, SHOW TIME ZONE, SHOW ALL (u.set.name "all") */
    STMT_SHOW_TABLES, /* SHOW TABLES [FROM [catalog.]schema]: u.describe, name NULL */
    STMT_DESCRIBE,    /* DESCRIBE name, SHOW COLUMNS FROM name (u.describe), DESCRIBE query */
} AstStmtKind;

typedef struct AstStatement {
    AstStmtKind kind;
    int pos;
    union {
        struct {
            AstSelect *query;
        } select;
        struct {
            char *name;
            bool if_not_exists;
            AstList columns;  /* AstColumnDef* */
            AstSelect *query; /* CREATE TABLE … AS query; NULL otherwise */
        } create_table;
        struct {
            AstList names; /* char* */
            bool if_exists;
        } drop_table;
        struct {
            char *name;
            bool or_replace;
            AstList columns; /* char*: the view's column names; empty: the query's */
            AstSelect *query;
            char *sql;       /* the query's text as written (what the metastore keeps) */
            int query_start; /* its byte offset in the statement text */
        } create_view;
        struct {
            char *table;
            int table_pos;
            AstList columns;  /* char*; empty: all, in table order */
            AstSelect *query; /* VALUES or SELECT */
        } insert;
        struct {
            char *table;
            int table_pos;
            AstList columns; /* char*; empty: all */
            char *path;      /* the file name, unescaped */
            int path_pos;
            AstList options; /* AstOption* */
        } copy;
        struct {
            struct AstStatement *stmt;
            bool analyze;
            AstList options; /* AstOption*: EXPLAIN (TYPE DISTRIBUTED, …) */
        } explain;
        struct {
            char *name;     /* lower case; TIME ZONE is "timezone"; RESET ALL is "all" */
            char *value;    /* the value as text; NULL: DEFAULT, LOCAL or RESET */
            bool is_number; /* SET TIME ZONE -5 (an offset in hours) */
            int value_pos;
        } set;
        struct {
            /* [catalog.][schema.]name as written (NULL when not written); SHOW TABLES
               names a schema only (name NULL, `schema` its last part). */
            char *catalog, *schema, *name;
            int name_pos;     /* where the name starts */
            AstSelect *query; /* DESCRIBE query: its columns; NULL otherwise */
        } describe;
    } u;
} AstStatement;

/* Appends item to list (growing it in arena); false on allocation failure. */
bool ast_list_append(Arena *arena, AstList *list, void *item);

#endif
