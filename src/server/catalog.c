/*
 * catalog.c — the planner's Catalog, filled from the storage metastore and the registry of
 * system tables. Each lookup of a table copies one snapshot of it (columns and files); the
 * statement uses that snapshot from binding to the end, so it reads a consistent table even
 * if another commit lands. A system table is filled at its lookup, for the statement.
 *
 * Names: a bare name, public.name, main.name (DuckDB's) and basalt.public.name are the user
 * relation; [basalt.]information_schema.name and system.schema.name are system tables.
 */
#include "server/server_int.h"
#include "server/system/system_tables.h"

#include <string.h>

/* Whether [catalog.]schema is the user relations' schema (NULL schema: a bare name). */
static bool is_user_schema(const char *catalog, const char *schema)
{
    if (catalog && strcmp(catalog, SYSTEM_USER_CATALOG) != 0) return false;
    return !schema || strcmp(schema, SYSTEM_USER_SCHEMA) == 0 || strcmp(schema, "main") == 0;
}

static Status get_table(void *ctx, const char *catalog, const char *schema, const char *name,
                        Arena *arena, CatalogTable **out, Error *err)
{
    Engine *engine = ctx;
    TableInfo *info;
    *out = NULL;
    if (!is_user_schema(catalog, schema)) {
        const SystemTable *system =
            system_table_find(catalog ? catalog : SYSTEM_USER_CATALOG, schema, name);
        return system ? system_table_open(engine, system, arena, out, err) : BS_OK;
    }
    BS_TRY(metastore_get_table(engine->metastore, name, arena, &info, err));
    if (!info) return BS_OK;
    CatalogTable *t = arena_alloc_zero(arena, sizeof *t);
    int n = info->n_cols;
    if (!t) return arena_error(arena, err);
    t->col_names = arena_alloc(arena, sizeof(char *) * (size_t)(n ? n : 1));
    t->col_types = arena_alloc(arena, sizeof(LogicalType) * (size_t)(n ? n : 1));
    t->col_not_null = arena_alloc(arena, sizeof(bool) * (size_t)(n ? n : 1));
    if (!t->col_names || !t->col_types || !t->col_not_null) return arena_error(arena, err);
    t->name = info->name;
    t->id = info->id;
    t->snapshot = info->snapshot;
    t->n_cols = n;
    for (int k = 0; k < n; k++) {
        t->col_names[k] = info->cols[k].name;
        t->col_types[k] = info->cols[k].type;
        t->col_not_null[k] = info->cols[k].not_null;
    }
    t->view_sql = info->view_sql;
    t->n_rows = (double)info->n_rows;
    t->col_ndv = arena_alloc(arena, sizeof(double) * (size_t)(n ? n : 1));
    if (!t->col_ndv) return arena_error(arena, err);
    for (int k = 0; k < n; k++) {
        /* The union of the files' min..max ranges bounds an integer column's values. */
        double ndv = t->n_rows;
        PhysicalType p = type_physical(t->col_types[k]);
        bool exact = t->col_types[k].id != TYPE_DECIMAL && (p == PHYS_INT32 || p == PHYS_INT64);
        int64_t lo = INT64_MAX, hi = INT64_MIN;
        for (int f = 0; exact && f < info->n_files; f++) {
            const ZoneMap *z = info->files[f].zones ? &info->files[f].zones[k] : NULL;
            if (!z) {
                exact = false;
                break;
            }
            if (!z->has_minmax) continue;
            int64_t mn = p == PHYS_INT32 ? z->min.u.i32 : z->min.u.i64;
            int64_t mx = p == PHYS_INT32 ? z->max.u.i32 : z->max.u.i64;
            if (mn < lo) lo = mn;
            if (mx > hi) hi = mx;
        }
        if (exact && hi >= lo && (double)hi - (double)lo + 1 < ndv) ndv = (double)hi - (double)lo + 1;
        t->col_ndv[k] = ndv < 1 ? 1 : ndv;
    }
    t->handle = info;
    *out = t;
    return BS_OK;
}

static bool find_schema(void *ctx, const char *catalog, const char *schema,
                        const char **catalog_out, const char **schema_out)
{
    (void)ctx;
    if (is_user_schema(catalog, schema)) {
        *catalog_out = SYSTEM_USER_CATALOG;
        *schema_out = SYSTEM_USER_SCHEMA;
        return true;
    }
    *catalog_out = catalog ? catalog : SYSTEM_USER_CATALOG;
    *schema_out = schema;
    return system_schema_exists(*catalog_out, schema);
}

void catalog_init(Catalog *catalog, Session *session)
{
    catalog->ctx = session->engine;
    catalog->get_table = get_table;
    catalog->find_schema = find_schema;
    catalog->time_zone = session->time_zone;
}
