/*
 * bind_catalog.c — names the catalog resolves, and the statements that read the catalog.
 *
 * FROM [catalog.][schema.]name becomes what the Catalog returns for it: a stored table (a
 * LOP_GET), a view (its text, bound in place), or a system table. A system table's rows
 * were made by the catalog when it was looked up (one snapshot for the statement); they
 * become constant rows (a LOP_VALUES), so that the plan carries them to the workers like
 * any VALUES, and every SQL construct works on them. The planner knows no system table by
 * name: which ones exist and what they hold is server/'s business.
 *
 * SHOW TABLES [FROM [catalog.]schema] is a query over information_schema.tables (the SQL
 * standard's view of the catalog); DESCRIBE and SHOW COLUMNS FROM list a relation's (or a
 * query's) columns as DuckDB does: column_name, column_type, null, key, default, extra.
 */
#include "planner/planner_int.h"

#include "common/alloc.h"
#include "parser/parser.h"

#include <string.h>

/* [catalog.][schema.]name as written, for messages (in the binder's arena). */
static const char *written_name(Binder *b, const char *catalog, const char *schema,
                                const char *name)
{
    const char *text =
        arena_sprintf(b->arena, "%s%s%s%s%s", catalog ? catalog : "", catalog ? "." : "",
                      schema ? schema : "", schema ? "." : "", name);
    return text ? text : name;
}

Status binder_lookup_relation(Binder *b, const char *catalog, const char *schema, const char *name,
                              int pos, CatalogTable **out, Error *err)
{
    BS_TRY(b->catalog->get_table(b->catalog->ctx, catalog, schema, name, b->arena, out, err));
    if (*out) return BS_OK;
    return error_set(err, SQLSTATE_UNDEFINED_TABLE, pos, "relation \"%s\" does not exist",
                     written_name(b, catalog, schema, name));
}

/* A system table's rows as a LOP_VALUES of constants, typed as its columns. */
static Status system_values(Binder *b, const CatalogTable *table, LogicalOp **out, Error *err)
{
    int n_cols = table->n_cols;
    int64_t n_rows = table->n_system_rows;
    if (n_rows > INT32_MAX)
        return error_set(err, SQLSTATE_PROGRAM_LIMIT, -1,
                         "system table \"%s\" has too many rows (%lld)", table->name,
                         (long long)n_rows);
    LogicalOp *op = logical_create(b->arena, LOP_VALUES, NULL);
    Expr ***rows = arena_alloc(b->arena, sizeof(Expr **) * (size_t)(n_rows ? n_rows : 1));
    if (!op || !rows) return arena_error(b->arena, err);
    for (int64_t r = 0; r < n_rows; r++) {
        rows[r] = arena_alloc(b->arena, sizeof(Expr *) * (size_t)(n_cols ? n_cols : 1));
        if (!rows[r]) return arena_error(b->arena, err);
        for (int c = 0; c < n_cols; c++) {
            const Value *v = &table->system_rows[r * n_cols + c];
            if (!type_equals(v->type, table->col_types[c]))
                return error_set(err, SQLSTATE_INTERNAL_ERROR, -1,
                                 "system table \"%s\": a value of column \"%s\" has another type",
                                 table->name, table->col_names[c]);
            rows[r][c] = expr_new_constant(b->arena, v, -1);
            if (!rows[r][c]) return arena_error(b->arena, err);
        }
    }
    op->u.values.table_index = b->next_table_index++;
    op->u.values.n_cols = n_cols;
    op->u.values.n_rows = (int)n_rows;
    op->u.values.rows = rows;
    op->u.values.col_types = table->col_types;
    BS_TRY(logical_resolve(op, b->arena, err));
    op->est_rows = (double)n_rows;
    *out = op;
    return BS_OK;
}

Status binder_bind_relation(Binder *b, const AstTableRef *ref, const char *qualifier, Scope *scope,
                            LogicalOp **plan, Error *err)
{
    const char *catalog = ref->u.table.catalog, *schema = ref->u.table.schema;
    const char *name = ref->u.table.name;
    if (!schema && b->defining_view && strcmp(b->defining_view, name) == 0)
        return error_set(err, SQLSTATE_INVALID_OBJECT_DEF, ref->pos,
                         "view \"%s\" cannot read itself", name);
    CatalogTable *table;
    BS_TRY(binder_lookup_relation(b, catalog, schema, name, ref->pos, &table, err));
    /* A qualified name of the view being defined (CREATE OR REPLACE VIEW v … public.v). */
    if (!table->system_rows && b->defining_view && strcmp(b->defining_view, table->name) == 0)
        return error_set(err, SQLSTATE_INVALID_OBJECT_DEF, ref->pos,
                         "view \"%s\" cannot read itself", table->name);
    if (table->view_sql) return binder_bind_view(b, ref, table, qualifier, scope, plan, err);
    LogicalOp *op = NULL;
    if (table->system_rows) {
        BS_TRY(system_values(b, table, &op, err));
    } else {
        op = logical_create(b->arena, LOP_GET, NULL);
        if (!op) return arena_error(b->arena, err);
        op->u.get.table_index = b->next_table_index++;
        op->u.get.table = table;
        op->u.get.n_columns = table->n_cols;
        op->u.get.columns =
            arena_alloc(b->arena, sizeof(int) * (size_t)(table->n_cols ? table->n_cols : 1));
        if (!op->u.get.columns) return arena_error(b->arena, err);
        for (int k = 0; k < table->n_cols; k++)
            op->u.get.columns[k] = k;
        op->est_rows = table->n_rows;
        BS_TRY(logical_resolve(op, b->arena, err));
    }
    char **names = table->col_names;
    BS_TRY(binder_apply_col_aliases(b, &ref->col_aliases, table->n_cols, &names, qualifier,
                                    ref->pos, err));
    *plan = op;
    return binder_scope_add_outputs(b, scope, qualifier, op, names, err);
}

/* ---- SHOW TABLES ----------------------------------------------------------------------- */

/* Appends s as an SQL string literal. */
static void put_literal(Buffer *out, const char *s)
{
    buffer_put_u8(out, '\'');
    for (; *s; s++) {
        if (*s == '\'') buffer_put_u8(out, '\'');
        buffer_put_u8(out, (uint8_t)*s);
    }
    buffer_put_u8(out, '\'');
}

/* Binds the query `sql` (text the binder wrote) as the statement's rows. */
static Status bind_generated_query(Binder *b, Buffer *sql, BoundStatement *bs, Error *err)
{
    buffer_terminate(sql);
    if (!buffer_ok(sql)) {
        buffer_free(sql);
        return error_oom(err);
    }
    size_t len;
    char *text = (char *)buffer_steal(sql, &len);
    char *copy = text ? arena_strndup(b->arena, text, len) : NULL;
    bs_free(text);
    if (!copy) return arena_error(b->arena, err);
    ParsedStatement *stmts;
    int n_stmts;
    BS_TRY(parser_parse(copy, len, b->arena, &stmts, &n_stmts, err));
    if (n_stmts != 1 || stmts[0].stmt->kind != STMT_SELECT)
        return error_set(err, SQLSTATE_INTERNAL_ERROR, -1,
                         "generated catalog query is not one query");
    char **names;
    BS_TRY(bind_query(b, stmts[0].stmt->u.select.query, &bs->plan, &names, err));
    bs->n_out = bs->plan->n_out;
    bs->out_names = names;
    bs->out_types = bs->plan->types;
    return BS_OK;
}

Status binder_bind_show_tables(Binder *b, const AstStatement *stmt, BoundStatement *bs, Error *err)
{
    const char *catalog = stmt->u.describe.catalog, *schema = stmt->u.describe.schema;
    const char *found_catalog, *found_schema;
    if (!b->catalog->find_schema)
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, stmt->pos,
                         "SHOW TABLES is not supported by this catalog");
    if (!b->catalog->find_schema(b->catalog->ctx, catalog, schema, &found_catalog, &found_schema))
        return error_set(err, SQLSTATE_INVALID_SCHEMA_NAME, stmt->u.describe.name_pos,
                         "schema \"%s\" does not exist",
                         catalog ? written_name(b, NULL, catalog, schema) : schema);
    Buffer sql;
    buffer_init(&sql);
    buffer_printf(&sql, "SELECT table_name AS name FROM information_schema.tables WHERE "
                        "table_catalog = ");
    put_literal(&sql, found_catalog);
    buffer_printf(&sql, " AND table_schema = ");
    put_literal(&sql, found_schema);
    buffer_printf(&sql, " ORDER BY table_name");
    Status st = bind_generated_query(b, &sql, bs, err);
    /* Positions inside the generated text mean nothing in the statement's. */
    if (st != BS_OK) err->position = stmt->pos;
    return st;
}

/* ---- DESCRIBE ------------------------------------------------------------------------- */

/* One DESCRIBE row: column_name, column_type, null ('YES'/'NO'), key, default, extra. */
static Status describe_row(Binder *b, const char *name, LogicalType type, bool not_null,
                           Expr ***row_out, Error *err)
{
    enum { N_DESCRIBE = 6 };
    Expr **row = arena_alloc(b->arena, sizeof(Expr *) * N_DESCRIBE);
    char buf[64];
    type_format(type, buf, sizeof buf);
    const char *type_text = arena_strdup(b->arena, buf);
    if (!row || !type_text) return arena_error(b->arena, err);
    const char *texts[3] = {name, type_text, not_null ? "NO" : "YES"};
    for (int c = 0; c < N_DESCRIBE; c++) {
        Value v = c < 3 ? value_varchar(texts[c], (uint32_t)strlen(texts[c]))
                        : value_null(type_make(TYPE_VARCHAR));
        row[c] = expr_new_constant(b->arena, &v, -1);
        if (!row[c]) return arena_error(b->arena, err);
    }
    *row_out = row;
    return BS_OK;
}

Status binder_bind_describe(Binder *b, const AstStatement *stmt, BoundStatement *bs, Error *err)
{
    static char *names[] = {"column_name", "column_type", "null", "key", "default", "extra"};
    int n_cols;
    char **col_names;
    LogicalType *col_types;
    const bool *not_null = NULL;
    if (stmt->u.describe.query) {
        LogicalOp *query;
        BS_TRY(bind_query(b, stmt->u.describe.query, &query, &col_names, err));
        n_cols = query->n_out;
        col_types = query->types;
    } else {
        CatalogTable *table;
        BS_TRY(binder_lookup_relation(b, stmt->u.describe.catalog, stmt->u.describe.schema,
                                      stmt->u.describe.name, stmt->u.describe.name_pos, &table,
                                      err));
        n_cols = table->n_cols;
        col_names = table->col_names;
        col_types = table->col_types;
        not_null = table->col_not_null;
    }
    LogicalOp *op = logical_create(b->arena, LOP_VALUES, NULL);
    Expr ***rows = arena_alloc(b->arena, sizeof(Expr **) * (size_t)(n_cols ? n_cols : 1));
    LogicalType *types = arena_alloc(b->arena, sizeof(LogicalType) * 6);
    if (!op || !rows || !types) return arena_error(b->arena, err);
    for (int k = 0; k < n_cols; k++)
        BS_TRY(describe_row(b, col_names[k], col_types[k], not_null && not_null[k], &rows[k], err));
    for (int c = 0; c < 6; c++)
        types[c] = type_make(TYPE_VARCHAR);
    op->u.values.table_index = b->next_table_index++;
    op->u.values.n_cols = 6;
    op->u.values.n_rows = n_cols;
    op->u.values.rows = rows;
    op->u.values.col_types = types;
    BS_TRY(logical_resolve(op, b->arena, err));
    op->est_rows = n_cols;
    bs->plan = op;
    bs->n_out = 6;
    bs->out_names = names;
    bs->out_types = op->types;
    return BS_OK;
}
