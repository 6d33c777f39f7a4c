/*
 * catalog.c — the planner's Catalog, filled from the storage metastore. Each lookup
 * copies one snapshot of the table (columns and files); the statement uses that snapshot
 * from binding to the end, so it reads a consistent table even if another commit lands.
 */
#include "server/server_int.h"

static Status get_table(void *ctx, const char *name, Arena *arena, CatalogTable **out, Error *err)
{
    Engine *engine = ctx;
    TableInfo *info;
    *out = NULL;
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
    t->n_rows = (double)info->n_rows;
    t->handle = info;
    *out = t;
    return BS_OK;
}

void catalog_init(Catalog *catalog, Engine *engine)
{
    catalog->ctx = engine;
    catalog->get_table = get_table;
}
