/*
 * system_tables.c — the registry of system tables (see system_tables.h): which exist,
 * their columns, and the row builder their fill functions use. catalog.c looks names up
 * here and system_table_open fills a table for the statement being bound.
 */
#include "server/system/system_tables.h"

#include <string.h>

#define VARCHAR                                                                                    \
    {                                                                                              \
        TYPE_VARCHAR, 0, 0, 0, 0                                                                   \
    }
#define INTEGER                                                                                    \
    {                                                                                              \
        TYPE_INTEGER, 0, 0, 0, 0                                                                   \
    }

/* information_schema: PostgreSQL's names and order; sql_identifier and character_data are
   VARCHAR, cardinal_number INTEGER. */
static const SystemColumn tables_columns[] = {
    {"table_catalog", VARCHAR},
    {"table_schema", VARCHAR},
    {"table_name", VARCHAR},
    {"table_type", VARCHAR},
};

static const SystemColumn columns_columns[] = {
    {"table_catalog", VARCHAR},
    {"table_schema", VARCHAR},
    {"table_name", VARCHAR},
    {"column_name", VARCHAR},
    {"ordinal_position", INTEGER},
    {"column_default", VARCHAR},
    {"is_nullable", VARCHAR},
    {"data_type", VARCHAR},
    {"character_maximum_length", INTEGER},
    {"numeric_precision", INTEGER},
    {"numeric_precision_radix", INTEGER},
    {"numeric_scale", INTEGER},
    {"datetime_precision", INTEGER},
};

static const SystemColumn schemata_columns[] = {
    {"catalog_name", VARCHAR},
    {"schema_name", VARCHAR},
};

static const SystemColumn views_columns[] = {
    {"table_catalog", VARCHAR},
    {"table_schema", VARCHAR},
    {"table_name", VARCHAR},
    {"view_definition", VARCHAR},
};

/* system.metadata.catalogs: Trino's columns. */
static const SystemColumn catalogs_columns[] = {
    {"catalog_name", VARCHAR},
    {"connector_id", VARCHAR},
    {"connector_name", VARCHAR},
};

/* The registry: one row per system table. */
static const SystemColumn nodes_columns[] = {
    {"node_id", VARCHAR},
    {"address", VARCHAR},
    {"node_version", VARCHAR},
    {"coordinator", {TYPE_BOOLEAN, 0, 0, 0, 0}},
    {"state", VARCHAR},
    {"threads", INTEGER},
    {"memory_limit", {TYPE_BIGINT, 0, 0, 0, 0}},
    {"memory_used", {TYPE_BIGINT, 0, 0, 0, 0}},
    {"running_tasks", INTEGER},
    {"load", {TYPE_DOUBLE, 0, 0, 0, 0}},
    {"registered", {TYPE_TIMESTAMP, 0, 0, 0, 0}},
    {"last_heartbeat", {TYPE_TIMESTAMP, 0, 0, 0, 0}},
    {"reason", VARCHAR},
};

static const SystemColumn queries_columns[] = {
    {"query_id", {TYPE_BIGINT, 0, 0, 0, 0}},
    {"session_id", {TYPE_BIGINT, 0, 0, 0, 0}},
    {"state", VARCHAR},
    {"query", VARCHAR},
    {"created", {TYPE_TIMESTAMP, 0, 0, 0, 0}},
    {"ended", {TYPE_TIMESTAMP, 0, 0, 0, 0}},
    {"elapsed_ms", {TYPE_DOUBLE, 0, 0, 0, 0}},
    {"rows", {TYPE_BIGINT, 0, 0, 0, 0}},
    {"error_code", VARCHAR},
    {"error", VARCHAR},
};

static const SystemColumn tasks_columns[] = {
    {"query_id", {TYPE_BIGINT, 0, 0, 0, 0}},
    {"task_id", {TYPE_BIGINT, 0, 0, 0, 0}},
    {"stage", INTEGER},
    {"task", INTEGER},
    {"node_id", VARCHAR},
    {"state", VARCHAR},
    {"rows", {TYPE_BIGINT, 0, 0, 0, 0}},
    {"bytes", {TYPE_BIGINT, 0, 0, 0, 0}},
    {"wall_ms", {TYPE_DOUBLE, 0, 0, 0, 0}},
};

static const SystemTable SYSTEM_TABLES[] = {
    {SYSTEM_USER_CATALOG, "information_schema", "tables", SYSTEM_COLUMNS(tables_columns),
     system_fill_tables},
    {SYSTEM_USER_CATALOG, "information_schema", "columns", SYSTEM_COLUMNS(columns_columns),
     system_fill_columns},
    {SYSTEM_USER_CATALOG, "information_schema", "schemata", SYSTEM_COLUMNS(schemata_columns),
     system_fill_schemata},
    {SYSTEM_USER_CATALOG, "information_schema", "views", SYSTEM_COLUMNS(views_columns),
     system_fill_views},
    {"system", "metadata", "catalogs", SYSTEM_COLUMNS(catalogs_columns), system_fill_catalogs},
    {"system", "runtime", "nodes", SYSTEM_COLUMNS(nodes_columns), system_fill_nodes},
    {"system", "runtime", "queries", SYSTEM_COLUMNS(queries_columns), system_fill_queries},
    {"system", "runtime", "tasks", SYSTEM_COLUMNS(tasks_columns), system_fill_tasks},
};

const SystemTable *system_tables(int *n)
{
    *n = (int)(sizeof SYSTEM_TABLES / sizeof SYSTEM_TABLES[0]);
    return SYSTEM_TABLES;
}

const SystemTable *system_table_find(const char *catalog, const char *schema, const char *name)
{
    int n;
    const SystemTable *all = system_tables(&n);
    for (int k = 0; k < n; k++)
        if (strcmp(all[k].catalog, catalog) == 0 && strcmp(all[k].schema, schema) == 0 &&
            strcmp(all[k].name, name) == 0)
            return &all[k];
    return NULL;
}

bool system_schema_exists(const char *catalog, const char *schema)
{
    int n;
    const SystemTable *all = system_tables(&n);
    for (int k = 0; k < n; k++)
        if (strcmp(all[k].catalog, catalog) == 0 && strcmp(all[k].schema, schema) == 0) return true;
    return false;
}

Status system_table_open(Engine *engine, const SystemTable *table, Arena *arena, CatalogTable **out,
                         Error *err)
{
    *out = NULL;
    int n = table->n_cols;
    CatalogTable *t = arena_alloc_zero(arena, sizeof *t);
    if (!t) return arena_error(arena, err);
    t->name = arena_strdup(arena, table->name);
    t->col_names = arena_alloc(arena, sizeof(char *) * (size_t)n);
    t->col_types = arena_alloc(arena, sizeof(LogicalType) * (size_t)n);
    t->col_not_null = arena_alloc_zero(arena, sizeof(bool) * (size_t)n);
    if (!t->name || !t->col_names || !t->col_types || !t->col_not_null)
        return arena_error(arena, err);
    t->n_cols = n;
    for (int k = 0; k < n; k++) {
        t->col_names[k] = arena_strdup(arena, table->cols[k].name);
        if (!t->col_names[k]) return arena_error(arena, err);
        t->col_types[k] = table->cols[k].type;
    }
    SystemFill fill = {engine, table, arena, NULL, 0, 0};
    BS_TRY(table->fill(&fill, err));
    /* A table without rows still has its rows array (its presence marks a system table). */
    if (!fill.values) {
        fill.values = arena_alloc(arena, sizeof(Value));
        if (!fill.values) return arena_error(arena, err);
    }
    t->system_rows = fill.values;
    t->n_system_rows = fill.n_rows;
    t->n_rows = (double)fill.n_rows;
    *out = t;
    return BS_OK;
}

Status system_row_add(SystemFill *fill, Error *err)
{
    int n_cols = fill->table->n_cols;
    if (fill->n_rows == fill->capacity) {
        int64_t cap = fill->capacity ? fill->capacity * 2 : 16;
        size_t row = sizeof(Value) * (size_t)n_cols;
        Value *grown =
            arena_grow(fill->arena, fill->values, row * (size_t)fill->capacity, row * (size_t)cap);
        if (!grown) return arena_error(fill->arena, err);
        fill->values = grown;
        fill->capacity = cap;
    }
    Value *row = &fill->values[fill->n_rows * n_cols];
    for (int c = 0; c < n_cols; c++)
        row[c] = value_null(fill->table->cols[c].type);
    fill->n_rows++;
    return BS_OK;
}

/* Column col of the last row. */
static Value *last_cell(SystemFill *fill, int col)
{
    return &fill->values[(fill->n_rows - 1) * fill->table->n_cols + col];
}

Status system_set_text(SystemFill *fill, int col, const char *text, Error *err)
{
    if (!text) return BS_OK;
    Value *v = last_cell(fill, col);
    size_t len = strlen(text);
    char *copy = arena_strndup(fill->arena, text, len);
    if (!copy) return arena_error(fill->arena, err);
    v->is_null = false;
    v->u.str.data = copy;
    v->u.str.len = (uint32_t)len;
    return BS_OK;
}

void system_set_int(SystemFill *fill, int col, int64_t value)
{
    Value *v = last_cell(fill, col);
    v->is_null = false;
    switch ((TypeId)v->type.id) {
    case TYPE_TINYINT:
        v->u.i8 = (int8_t)value;
        break;
    case TYPE_SMALLINT:
        v->u.i16 = (int16_t)value;
        break;
    case TYPE_INTEGER:
        v->u.i32 = (int32_t)value;
        break;
    default:
        v->u.i64 = value;
        break;
    }
}

void system_set_double(SystemFill *fill, int col, double value)
{
    Value *v = last_cell(fill, col);
    v->is_null = false;
    v->u.f64 = value;
}

void system_set_bool(SystemFill *fill, int col, bool value)
{
    Value *v = last_cell(fill, col);
    v->is_null = false;
    v->u.b = value;
}
