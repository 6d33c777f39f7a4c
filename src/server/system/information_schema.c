/*
 * information_schema.c — the fill functions of the catalog's own metadata:
 * information_schema.tables, .columns, .schemata and .views (PostgreSQL's names, types and
 * spellings), and system.metadata.catalogs (Trino's). They read the metastore's current
 * relations and the registry of system tables, which list themselves too.
 */
#include "server/server_int.h"
#include "server/system/system_tables.h"

#include <string.h>

/* Calls fn for every user relation (tables and views of schema public), sorted by name. */
typedef Status (*RelationFn)(SystemFill *fill, const TableInfo *info, Error *err);

static Status each_relation(SystemFill *fill, RelationFn fn, Error *err)
{
    char **names;
    int n;
    BS_TRY(metastore_list_tables(fill->engine->metastore, fill->arena, &names, &n, err));
    for (int k = 0; k < n; k++) {
        TableInfo *info;
        BS_TRY(metastore_get_table(fill->engine->metastore, names[k], fill->arena, &info, err));
        if (info) BS_TRY(fn(fill, info, err)); /* dropped since the listing: gone */
    }
    return BS_OK;
}

/* The first columns of most tables: catalog, schema, name. */
static Status put_name(SystemFill *fill, const char *catalog, const char *schema, const char *name,
                       Error *err)
{
    BS_TRY(system_row_add(fill, err));
    BS_TRY(system_set_text(fill, 0, catalog, err));
    BS_TRY(system_set_text(fill, 1, schema, err));
    return system_set_text(fill, 2, name, err);
}

/* ---- information_schema.tables ----------------------------------------------------------- */

static Status table_row(SystemFill *fill, const TableInfo *info, Error *err)
{
    BS_TRY(put_name(fill, SYSTEM_USER_CATALOG, SYSTEM_USER_SCHEMA, info->name, err));
    return system_set_text(fill, 3, info->view_sql ? "VIEW" : "BASE TABLE", err);
}

Status system_fill_tables(SystemFill *fill, Error *err)
{
    BS_TRY(each_relation(fill, table_row, err));
    int n;
    const SystemTable *all = system_tables(&n);
    for (int k = 0; k < n; k++) {
        BS_TRY(put_name(fill, all[k].catalog, all[k].schema, all[k].name, err));
        BS_TRY(system_set_text(fill, 3, "BASE TABLE", err));
    }
    return BS_OK;
}

/* ---- information_schema.columns ---------------------------------------------------------- */

/* PostgreSQL's data_type for a type (its information_schema spelling); names PostgreSQL
   lacks are DuckDB's, in lower case. */
static const char *pg_data_type(LogicalType type)
{
    switch ((TypeId)type.id) {
    case TYPE_BOOLEAN:
        return "boolean";
    case TYPE_TINYINT:
        return "tinyint";
    case TYPE_SMALLINT:
        return "smallint";
    case TYPE_INTEGER:
        return "integer";
    case TYPE_BIGINT:
        return "bigint";
    case TYPE_HUGEINT:
        return "hugeint";
    case TYPE_REAL:
        return "real";
    case TYPE_DOUBLE:
        return "double precision";
    case TYPE_DECIMAL:
        return "numeric";
    case TYPE_VARCHAR:
        return "character varying";
    case TYPE_CHAR:
        return "character";
    case TYPE_DATE:
        return "date";
    case TYPE_TIME:
        return "time without time zone";
    case TYPE_TIMESTAMP:
        return "timestamp without time zone";
    case TYPE_TIMESTAMPTZ:
        return "timestamp with time zone";
    case TYPE_INTERVAL:
        return "interval";
    case TYPE_ARRAY:
        return "ARRAY";
    case TYPE_NULL:
        return "unknown";
    case TYPE_INVALID:
    case TYPE_COUNT_:
        break;
    }
    return "unknown";
}

enum {
    COL_NAME = 3,
    COL_ORDINAL,
    COL_DEFAULT,
    COL_NULLABLE,
    COL_DATA_TYPE,
    COL_CHAR_LENGTH,
    COL_PRECISION,
    COL_RADIX,
    COL_SCALE,
    COL_DATETIME_PRECISION,
};

/* The size columns, as PostgreSQL fills them for each type (NULL where it does not apply). */
static void put_type_sizes(SystemFill *fill, LogicalType type)
{
    int bits = 0;
    switch ((TypeId)type.id) {
    case TYPE_TINYINT:
        bits = 8;
        break;
    case TYPE_SMALLINT:
        bits = 16;
        break;
    case TYPE_INTEGER:
        bits = 32;
        break;
    case TYPE_BIGINT:
        bits = 64;
        break;
    case TYPE_HUGEINT:
        bits = 128;
        break;
    case TYPE_REAL:
    case TYPE_DOUBLE:
        system_set_int(fill, COL_PRECISION, type.id == TYPE_REAL ? 24 : 53);
        system_set_int(fill, COL_RADIX, 2);
        return;
    case TYPE_DECIMAL:
        system_set_int(fill, COL_PRECISION, type.precision);
        system_set_int(fill, COL_RADIX, 10);
        system_set_int(fill, COL_SCALE, type.scale);
        return;
    case TYPE_VARCHAR:
    case TYPE_CHAR:
        if (type.length) system_set_int(fill, COL_CHAR_LENGTH, type.length);
        return;
    case TYPE_DATE:
        system_set_int(fill, COL_DATETIME_PRECISION, 0);
        return;
    case TYPE_TIME:
    case TYPE_TIMESTAMP:
    case TYPE_TIMESTAMPTZ:
    case TYPE_INTERVAL:
        system_set_int(fill, COL_DATETIME_PRECISION, 6);
        return;
    default:
        return;
    }
    system_set_int(fill, COL_PRECISION, bits);
    system_set_int(fill, COL_RADIX, 2);
    system_set_int(fill, COL_SCALE, 0);
}

static Status column_row(SystemFill *fill, const char *catalog, const char *schema,
                         const char *table, int ordinal, const char *name, LogicalType type,
                         bool not_null, Error *err)
{
    BS_TRY(put_name(fill, catalog, schema, table, err));
    BS_TRY(system_set_text(fill, COL_NAME, name, err));
    system_set_int(fill, COL_ORDINAL, ordinal);
    /* column_default stays NULL: columns have no defaults. */
    BS_TRY(system_set_text(fill, COL_NULLABLE, not_null ? "NO" : "YES", err));
    BS_TRY(system_set_text(fill, COL_DATA_TYPE, pg_data_type(type), err));
    put_type_sizes(fill, type);
    return BS_OK;
}

static Status relation_columns(SystemFill *fill, const TableInfo *info, Error *err)
{
    for (int k = 0; k < info->n_cols; k++)
        BS_TRY(column_row(fill, SYSTEM_USER_CATALOG, SYSTEM_USER_SCHEMA, info->name, k + 1,
                          info->cols[k].name, info->cols[k].type, info->cols[k].not_null, err));
    return BS_OK;
}

Status system_fill_columns(SystemFill *fill, Error *err)
{
    BS_TRY(each_relation(fill, relation_columns, err));
    int n;
    const SystemTable *all = system_tables(&n);
    for (int k = 0; k < n; k++)
        for (int c = 0; c < all[k].n_cols; c++)
            BS_TRY(column_row(fill, all[k].catalog, all[k].schema, all[k].name, c + 1,
                              all[k].cols[c].name, all[k].cols[c].type, false, err));
    return BS_OK;
}

/* ---- information_schema.schemata, .views --------------------------------------------------- */

Status system_fill_schemata(SystemFill *fill, Error *err)
{
    BS_TRY(system_row_add(fill, err));
    BS_TRY(system_set_text(fill, 0, SYSTEM_USER_CATALOG, err));
    BS_TRY(system_set_text(fill, 1, SYSTEM_USER_SCHEMA, err));
    int n;
    const SystemTable *all = system_tables(&n);
    for (int k = 0; k < n; k++) {
        bool seen = false;
        for (int j = 0; j < k && !seen; j++)
            seen = strcmp(all[j].catalog, all[k].catalog) == 0 &&
                   strcmp(all[j].schema, all[k].schema) == 0;
        if (seen) continue;
        BS_TRY(system_row_add(fill, err));
        BS_TRY(system_set_text(fill, 0, all[k].catalog, err));
        BS_TRY(system_set_text(fill, 1, all[k].schema, err));
    }
    return BS_OK;
}

static Status view_row(SystemFill *fill, const TableInfo *info, Error *err)
{
    if (!info->view_sql) return BS_OK;
    BS_TRY(put_name(fill, SYSTEM_USER_CATALOG, SYSTEM_USER_SCHEMA, info->name, err));
    return system_set_text(fill, 3, info->view_sql, err);
}

Status system_fill_views(SystemFill *fill, Error *err)
{
    return each_relation(fill, view_row, err);
}

/* ---- system.metadata.catalogs ------------------------------------------------------------ */

Status system_fill_catalogs(SystemFill *fill, Error *err)
{
    /* The user tables' catalog (information_schema is in it), then the system tables'. */
    int n;
    const SystemTable *all = system_tables(&n);
    for (int k = -1; k < n; k++) {
        const char *name = k < 0 ? SYSTEM_USER_CATALOG : all[k].catalog;
        bool seen = k >= 0 && strcmp(name, SYSTEM_USER_CATALOG) == 0;
        for (int j = 0; j < k && !seen; j++)
            seen = strcmp(all[j].catalog, name) == 0;
        if (seen) continue;
        BS_TRY(system_row_add(fill, err));
        for (int c = 0; c < 3; c++)
            BS_TRY(system_set_text(fill, c, name, err));
    }
    return BS_OK;
}
