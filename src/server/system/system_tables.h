/*
 * system_tables.h — the registry of system tables: tables whose rows server/ makes when a
 * statement that reads one is bound (a snapshot for that statement), and that the planner
 * sees as any other table of the Catalog (catalog.c), with its rows attached
 * (CatalogTable.system_rows). The binder turns those rows into constants, so system tables
 * take every SQL construct, join each other and user tables, and travel to workers inside
 * the plan.
 *
 * A system table is a row of the registry (SYSTEM_TABLES in system_tables.c): its
 * catalog, schema and name, its columns, and the function that fills its rows. To add
 * one, write the columns and the fill function (in a file of its own for a new family,
 * declared below) and add the row:
 *
 *     static const SystemColumn nodes_columns[] = {
 *         {"node_id", {TYPE_VARCHAR}}, {"state", {TYPE_VARCHAR}}, {"threads", {TYPE_INTEGER}},
 *     };
 *     Status system_fill_nodes(SystemFill *fill, Error *err)
 *     {
 *         Engine *e = fill->engine;
 *         for (each node of e) {
 *             BS_TRY(system_row_add(fill, err));          // a row of NULLs
 *             BS_TRY(system_set_text(fill, 0, id, err));  // copied into the statement
 *             BS_TRY(system_set_text(fill, 1, "active", err));
 *             system_set_int(fill, 2, threads);
 *         }
 *         return BS_OK;
 *     }
 *     // in SYSTEM_TABLES:
 *     {"system", "runtime", "nodes", SYSTEM_COLUMNS(nodes_columns), system_fill_nodes},
 *
 * It is then `SELECT * FROM system.runtime.nodes`, and it shows in information_schema.tables
 * and .columns and in DESCRIBE. Names are lower case (identifiers are folded).
 */
#ifndef BASALT_SERVER_SYSTEM_TABLES_H
#define BASALT_SERVER_SYSTEM_TABLES_H

#include "common/value.h"
#include "planner/planner.h"
#include "server/engine.h"

/* The catalog of the user tables and of information_schema, and the user tables' schema
   (bare names; `main` is another name for it, as in DuckDB). */
#define SYSTEM_USER_CATALOG "basalt"
#define SYSTEM_USER_SCHEMA  "public"

typedef struct SystemColumn {
    const char *name;
    LogicalType type;
} SystemColumn;

typedef struct SystemTable SystemTable;

/* What a fill function works with; it appends rows through system_row_add. */
typedef struct SystemFill {
    Engine *engine;
    const SystemTable *table;
    Arena *arena; /* the statement's: the rows and their strings live here */
    /* the rows so far: n_rows of table->n_cols values, row after row */
    Value *values;
    int64_t n_rows;
    int64_t capacity;
} SystemFill;

/* Appends the table's rows to fill; fails only as the engine's own lookups do. */
typedef Status (*SystemFillFn)(SystemFill *fill, Error *err);

struct SystemTable {
    const char *catalog;
    const char *schema;
    const char *name;
    int n_cols;
    const SystemColumn *cols;
    SystemFillFn fill;
};

/* The n_cols, cols pair of a registry row from an array of columns. */
#define SYSTEM_COLUMNS(array) (int)(sizeof(array) / sizeof((array)[0])), (array)

/* Every system table, in registry order; *n receives their number. */
const SystemTable *system_tables(int *n);
/* The system table catalog.schema.name; NULL when there is none. */
const SystemTable *system_table_find(const char *catalog, const char *schema, const char *name);
/* Whether some system table lives in catalog.schema. */
bool system_schema_exists(const char *catalog, const char *schema);
/*
 * Fills `table` now and describes it as the planner sees it, rows attached; everything in
 * arena. On error *out is NULL.
 */
Status system_table_open(Engine *engine, const SystemTable *table, Arena *arena, CatalogTable **out,
                         Error *err);

/* ---- for fill functions ---------------------------------------------------------------- */

/* Appends a row whose every value is NULL (of its column's type); the set functions below
   then write the row's columns. */
Status system_row_add(SystemFill *fill, Error *err);
/* Column `col` of the last row: a string (copied into the arena; NULL text leaves NULL). */
Status system_set_text(SystemFill *fill, int col, const char *text, Error *err);
/* Column `col` of the last row: an integer of the column's type (TINYINT … BIGINT). */
void system_set_int(SystemFill *fill, int col, int64_t value);
void system_set_bool(SystemFill *fill, int col, bool value);
/* Column `col` of the last row: a DOUBLE. */
void system_set_double(SystemFill *fill, int col, double value);

/* ---- the fill functions (information_schema.c) ----------------------------------------- */

Status system_fill_tables(SystemFill *fill, Error *err);   /* information_schema.tables */
Status system_fill_columns(SystemFill *fill, Error *err);  /* information_schema.columns */
Status system_fill_schemata(SystemFill *fill, Error *err); /* information_schema.schemata */
Status system_fill_views(SystemFill *fill, Error *err);    /* information_schema.views */
Status system_fill_catalogs(SystemFill *fill, Error *err); /* system.metadata.catalogs */
Status system_fill_nodes(SystemFill *fill, Error *err);    /* system.runtime.nodes (runtime.c) */
Status system_fill_queries(SystemFill *fill, Error *err);  /* system.runtime.queries */
Status system_fill_tasks(SystemFill *fill, Error *err);    /* system.runtime.tasks */

#endif
