/*
 * planner.h — the public face of planner/: SQL AST → bound statement (binder) → logical
 * plan → optimized logical plan → physical plan → fragments; EXPLAIN text; and the
 * explicit (de)serialization of fragments.
 *
 * The planner sees tables only through a Catalog (a table of function pointers) that
 * server/ fills from the storage metastore; it never touches files.
 *
 * Everything the planner returns lives in the Arena passed in.
 */
#ifndef BASALT_PLANNER_PLANNER_H
#define BASALT_PLANNER_PLANNER_H

#include "common/buffer.h"
#include "common/error.h"
#include "parser/ast.h"
#include "planner/logical.h"
#include "planner/plan.h"

/* ---- catalog interface --------------------------------------------------------------- */

/* A table as the planner sees it. */
typedef struct CatalogTable {
    char *name;
    uint64_t id;
    uint64_t snapshot;
    int n_cols;
    char **col_names;
    LogicalType *col_types;
    bool *col_not_null;
    double n_rows; /* estimate */
    /* Estimated distinct values per column (NULL: unknown): for integers and dates at most
       the width of their min..max range, else the rows. */
    double *col_ndv;
    /* A view: the text of its query, which the binder parses and binds in its place;
       NULL for a table. col_names/col_types are the view's columns. */
    const char *view_sql;
    /* A system table (information_schema.tables, …): its rows, made by the catalog when
       the statement is bound — one snapshot for the statement. n_system_rows rows of
       n_cols values each, row after row (string bytes in the arena). The binder turns them
       into constant rows, so plans carry them to workers. NULL for tables and views. */
    const Value *system_rows;
    int64_t n_system_rows;
    void *handle; /* the catalog's own data (server/: the storage TableInfo) */
} CatalogTable;

typedef struct Catalog {
    void *ctx;
    /*
     * Finds relation [catalog.][schema.]name: `catalog` and `schema` are NULL when not
     * written (a bare name is a user table or view; the catalog decides which schemas
     * exist). *out = NULL (and BS_OK) when there is none. The CatalogTable is allocated in
     * arena and describes one snapshot, used for the whole statement.
     */
    Status (*get_table)(void *ctx, const char *catalog, const char *schema, const char *name,
                        Arena *arena, CatalogTable **out, Error *err);
    /*
     * Finds schema [catalog.]schema (catalog NULL when not written; both NULL: the schema
     * of bare names) and sets *catalog_out and *schema_out to its names as
     * information_schema spells them; false when there is none. NULL in a catalog without
     * information_schema (SHOW TABLES then fails with 0A000).
     */
    bool (*find_schema)(void *ctx, const char *catalog, const char *schema,
                        const char **catalog_out, const char **schema_out);
    /* The session's TimeZone setting, a name common/timezone.h finds (NULL: UTC): what
       timestamptz literals, casts and arithmetic are bound in. */
    const char *time_zone;
} Catalog;

/* ---- bound statements ----------------------------------------------------------------- */

typedef enum BoundKind {
    BOUND_QUERY,        /* rows to the client */
    BOUND_INSERT,       /* INSERT, COPY FROM, CREATE TABLE AS: rows into a table */
    BOUND_CREATE_TABLE, /* CREATE TABLE without a query */
    BOUND_DROP_TABLE,
    BOUND_EXPLAIN,
    BOUND_CREATE_VIEW, /* table, view_sql, columns (names and types), or_replace */
    BOUND_DROP_VIEW,   /* drop_names, if_exists */
} BoundKind;

typedef struct BoundStatement BoundStatement;

/* What EXPLAIN shows (Trino's EXPLAIN (TYPE …)). */
typedef enum ExplainType {
    EXPLAIN_FRAGMENTS,   /* plain EXPLAIN: every fragment and its operator tree */
    EXPLAIN_LOGICAL,     /* TYPE LOGICAL: one tree, each exchange above what it reads */
    EXPLAIN_DISTRIBUTED, /* TYPE DISTRIBUTED: every fragment as a stage (tasks, output
                            partitioning, remote sources), joins with their distribution */
} ExplainType;

struct BoundStatement {
    BoundKind kind;
    LogicalOp *plan; /* QUERY and INSERT */
    int n_out;       /* QUERY: output columns */
    char **out_names;
    LogicalType *out_types;
    /* INSERT: the target. For CREATE TABLE AS the table is created by the same commit. */
    char *table;
    uint64_t table_id; /* 0 when created by this statement */
    const char *verb;  /* "INSERT", "COPY", "CREATE TABLE AS" — for the status line */
    /* CREATE TABLE (also CREATE TABLE AS): the definition. */
    bool create;
    bool if_not_exists;
    int n_columns;
    PlanColumnDef *columns;
    /* CREATE VIEW */
    const char *view_sql;
    bool or_replace;
    /* DROP TABLE, DROP VIEW */
    int n_drop;
    char **drop_names;
    bool if_exists;
    /* EXPLAIN */
    BoundStatement *explained;
    bool analyze;
    ExplainType explain_type;
};

/*
 * Binds a parsed statement: resolves names through the catalog, types every expression
 * (inserting implicit casts), checks grouping, and builds the logical plan. Errors carry
 * the byte position of the offending node. Not supported constructs fail with 0A000.
 */
Status planner_bind(const AstStatement *stmt, const Catalog *catalog, Arena *arena,
                    BoundStatement **out, Error *err);

/* ---- constant evaluation interface --------------------------------------------------- */

/*
 * Evaluates expressions that read no column, exactly as the executor would: the optimizer
 * folds constants through it, so a folded plan cannot disagree with an unfolded one
 * (overflow errors, decimal scales and date arithmetic are the executor's own). server/
 * fills it with exec's expression evaluator; the planner never evaluates by itself.
 */
typedef struct ExprEvaluator {
    void *ctx;
    /*
     * Evaluates `expr` (no column references, no aggregates) once. On success sets
     * *folded = true and *out to the value, of type expr->type (string bytes in arena).
     * When the evaluation raises an error (division by zero, overflow, text that does not
     * parse), sets *folded = false and returns BS_OK: the expression stays in the plan and
     * fails at run time only if a row reaches it. Returns BS_ERROR only when memory runs
     * out (err filled).
     */
    Status (*eval)(void *ctx, const Expr *expr, Arena *arena, Value *out, bool *folded, Error *err);
} ExprEvaluator;

/*
 * Rewrites the logical plan in place (the rules of optimizer.c): expression
 * simplification and constant folding, zone-map conditions on scans, common
 * subexpressions computed once, column pruning. `evaluator` folds constant expressions;
 * NULL leaves them to the executor (the other rewrites still happen).
 */
Status planner_optimize(LogicalOp **plan, const ExprEvaluator *evaluator, Arena *arena, Error *err);

/* ---- physical plans and fragments -------------------------------------------------- */

typedef struct QueryPlan {
    int n_fragments;
    PlanFragment **fragments; /* fragments[0] is the root (the coordinator's stage) */
    int n_out;
    char **out_names;
    LogicalType *out_types;
} QueryPlan;

/* How equi-joins meet across tasks (the session's join_distribution_type). */
typedef enum JoinDistribution {
    JOIN_DIST_AUTOMATIC,   /* broadcast a build side estimated under the limit, else partition */
    JOIN_DIST_BROADCAST,   /* broadcast the build side wherever the join's semantics allow */
    JOIN_DIST_PARTITIONED, /* repartition both sides on the keys wherever there are keys */
} JoinDistribution;

/* What physical planning needs to know about where the plan will run. */
typedef struct PlanOptions {
    /* Tasks that source and hash-partitioned fragments run as (the workers): with one,
       rows need no repartitioning between tasks. */
    int workers;
    /* WITH RECURSIVE: evaluations of a recursive term before the query fails (54001);
       0: PLAN_DEFAULT_MAX_RECURSION. */
    int64_t max_recursion;
    /* Joins (with workers > 1): broadcast or partitioned. A FULL join is always partitioned
       (its unmatched build rows must come out once) and a join without equality keys, or
       a null-aware MARK join (x IN (subquery)), always broadcast. */
    JoinDistribution join_distribution;
    /* AUTOMATIC broadcasts a build side whose estimated size (rows times a row width
       guessed from its types) is at most this many bytes; 0: PLAN_DEFAULT_BROADCAST_LIMIT. */
    int64_t broadcast_limit_bytes;
    /* Joins (PLAN_JOIN node ids of an earlier plan of the same statement, which a new
       plan keeps) that AUTOMATIC partitions whatever the estimates: their broadcast build
       side proved larger than the limit when the statement ran. */
    const int *partitioned_joins;
    int n_partitioned_joins;
} PlanOptions;

#define PLAN_DEFAULT_MAX_RECURSION 10000
/* 100MB, as Trino's join_max_broadcast_table_size */
#define PLAN_DEFAULT_BROADCAST_LIMIT (100 * 1024 * 1024)

/*
 * Turns an optimized logical plan into a physical plan: gives every node its partitioning
 * (across tasks and across the drivers of a task), inserting exchanges where it must
 * change and splitting aggregations, limits and TopN into partial and final steps; then
 * cuts it into fragments at the remote exchanges. `options` may be NULL (one worker).
 */
Status planner_physical(const BoundStatement *stmt, const PlanOptions *options, Arena *arena,
                        QueryPlan **out, Error *err);

/*
 * Appends the EXPLAIN text of a plan: every fragment with its distribution and output
 * exchange, and its operator tree.
 */
void planner_explain(const QueryPlan *plan, Buffer *out);
/* Appends the text EXPLAIN (TYPE type) shows (EXPLAIN_FRAGMENTS: planner_explain's). */
void planner_explain_as(const QueryPlan *plan, ExplainType type, Buffer *out);

/*
 * Serializes a fragment into bytes (appended to out): an explicit, versioned encoding
 * of every field — never raw structs. Fails only when memory runs out.
 */
Status fragment_serialize(const PlanFragment *fragment, Buffer *out, Error *err);
/*
 * Rebuilds a fragment from bytes into arena. Malformed or truncated input fails with
 * XX001 (never reads out of bounds, never trusts a count without checking it).
 */
Status fragment_deserialize(const uint8_t *data, size_t len, Arena *arena, PlanFragment **out,
                            Error *err);

/* ---- expressions and types (shared with server/ and tests) ----------------------------- */

/* Resolves a written type name ("int", "decimal(15,2)", "varchar(25)") or fails with 42704. */
Status planner_resolve_type(const AstTypeName *name, LogicalType *out, Error *err);
/* Appends a readable rendering of a bound expression (for EXPLAIN). */
void expr_format(const Expr *expr, Buffer *out);

#endif
