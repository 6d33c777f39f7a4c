/*
 * binder.c — binds whole statements: queries, INSERT, COPY, CREATE TABLE [AS], DROP
 * TABLE and EXPLAIN. Data-changing statements become a logical plan that ends in a
 * LOP_INSERT whose child yields rows in the table's column order; DDL without a query
 * is described in the BoundStatement for server/ to carry out.
 */
#include "planner/planner_int.h"

#include "common/timezone.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static Status bind_statement(Binder *b, const AstStatement *stmt, BoundStatement **out, Error *err);

static BoundStatement *new_bound(Binder *b, BoundKind kind)
{
    BoundStatement *bs = arena_alloc_zero(b->arena, sizeof *bs);
    if (bs) bs->kind = kind;
    return bs;
}

static Status bind_select_stmt(Binder *b, const AstSelect *query, BoundStatement *bs, Error *err)
{
    char **names;
    BS_TRY(bind_query(b, query, &bs->plan, &names, err));
    bs->n_out = bs->plan->n_out;
    bs->out_names = names;
    bs->out_types = bs->plan->types;
    return BS_OK;
}

/* Resolves a column list of `table` (empty: all columns) into table column indexes. */
static Status bind_target_columns(Binder *b, const CatalogTable *table, const AstList *names,
                                  int pos, int **cols_out, int *n_out, Error *err)
{
    int n = names->count ? names->count : table->n_cols;
    int *cols = arena_alloc(b->arena, sizeof(int) * (size_t)(n ? n : 1));
    if (!cols) return arena_error(b->arena, err);
    for (int k = 0; k < n; k++) {
        if (!names->count) {
            cols[k] = k;
            continue;
        }
        const char *name = names->items[k];
        cols[k] = -1;
        for (int c = 0; c < table->n_cols; c++)
            if (strcmp(table->col_names[c], name) == 0) cols[k] = c;
        if (cols[k] < 0)
            return error_set(err, SQLSTATE_UNDEFINED_COLUMN, pos,
                             "column \"%s\" of relation \"%s\" does not exist", name, table->name);
        for (int j = 0; j < k; j++)
            if (cols[j] == cols[k])
                return error_set(err, SQLSTATE_DUPLICATE_COLUMN, pos,
                                 "column \"%s\" specified more than once", name);
    }
    *cols_out = cols;
    *n_out = n;
    return BS_OK;
}

static Status lookup_table(Binder *b, const char *name, int pos, CatalogTable **out, Error *err)
{
    BS_TRY(b->catalog->get_table(b->catalog->ctx, NULL, NULL, name, b->arena, out, err));
    if (!*out)
        return error_set(err, SQLSTATE_UNDEFINED_TABLE, pos, "relation \"%s\" does not exist",
                         name);
    if ((*out)->view_sql) {
        error_set(err, SQLSTATE_WRONG_OBJECT_TYPE, pos, "cannot change view \"%s\"", name);
        error_set_detail(err, "Views are not updatable; write to the tables it reads.");
        return BS_ERROR;
    }
    return BS_OK;
}

/* Table columns as the writer sees them. */
static PlanColumnDef *plan_columns_of(Binder *b, const CatalogTable *table)
{
    PlanColumnDef *cols =
        arena_alloc(b->arena, sizeof(PlanColumnDef) * (size_t)(table->n_cols ? table->n_cols : 1));
    if (!cols) return NULL;
    for (int k = 0; k < table->n_cols; k++) {
        cols[k].name = table->col_names[k];
        cols[k].type = table->col_types[k];
        cols[k].not_null = table->col_not_null[k];
    }
    return cols;
}

/*
 * Puts a LOP_INSERT over `source`, whose n_src columns go to table columns target[],
 * through a projection into table order (NULL for columns not given).
 */
static Status finish_insert(Binder *b, BoundStatement *bs, const char *table_name,
                            uint64_t table_id, PlanColumnDef *columns, int n_columns,
                            LogicalOp *source, const int *target, bool cast_sources, Error *err)
{
    LogicalOp *project = logical_create(b->arena, LOP_PROJECT, source);
    if (!project) return arena_error(b->arena, err);
    project->u.project.table_index = b->next_table_index++;
    project->u.project.n_exprs = n_columns;
    project->u.project.exprs =
        arena_alloc(b->arena, sizeof(Expr *) * (size_t)(n_columns ? n_columns : 1));
    if (!project->u.project.exprs) return arena_error(b->arena, err);
    for (int c = 0; c < n_columns; c++) {
        int src = -1;
        for (int k = 0; k < source->n_out; k++)
            if (target[k] == c) src = k;
        Expr *e;
        if (src < 0) {
            Value null = value_null(columns[c].type);
            e = expr_new_constant(b->arena, &null, -1);
            if (!e) return arena_error(b->arena, err);
        } else {
            e = expr_new_column(b->arena, source->bindings[src], source->types[src], -1);
            if (!e) return arena_error(b->arena, err);
            if (cast_sources)
                BS_TRY(binder_assign_cast(b, &e, columns[c].type, columns[c].name, err));
        }
        project->u.project.exprs[c] = e;
    }
    BS_TRY(logical_resolve(project, b->arena, err));
    LogicalOp *insert = logical_create(b->arena, LOP_INSERT, project);
    if (!insert) return arena_error(b->arena, err);
    insert->u.insert.table = arena_strdup(b->arena, table_name);
    insert->u.insert.table_id = table_id;
    insert->u.insert.n_columns = n_columns;
    insert->u.insert.columns = columns;
    if (!insert->u.insert.table) return arena_error(b->arena, err);
    BS_TRY(logical_resolve(insert, b->arena, err));
    bs->plan = insert;
    bs->table = insert->u.insert.table;
    bs->table_id = table_id;
    bs->n_out = 1;
    bs->out_types = insert->types;
    return BS_OK;
}

static Status bind_insert(Binder *b, const AstStatement *stmt, BoundStatement *bs, Error *err)
{
    CatalogTable *table;
    BS_TRY(lookup_table(b, stmt->u.insert.table, stmt->u.insert.table_pos, &table, err));
    int *target, n_target;
    BS_TRY(bind_target_columns(b, table, &stmt->u.insert.columns, stmt->u.insert.table_pos, &target,
                               &n_target, err));
    PlanColumnDef *columns = plan_columns_of(b, table);
    if (!columns) return arena_error(b->arena, err);
    const AstSelect *q = stmt->u.insert.query;
    LogicalOp *source;
    bool plain_values = q->values && q->ctes.count == 0 && q->order_by.count == 0 && !q->limit &&
                        !q->offset && q->set_op == SETOP_NONE;
    if (plain_values) {
        /* VALUES rows convert straight to the column types, so literals are checked here. */
        const AstList *rows = q->values;
        LogicalOp *values = logical_create(b->arena, LOP_VALUES, NULL);
        Expr ***bound = arena_alloc(b->arena, sizeof(Expr **) * (size_t)rows->count);
        if (!values || !bound) return arena_error(b->arena, err);
        Scope empty = {0};
        for (int r = 0; r < rows->count; r++) {
            const AstList *row = rows->items[r];
            if (row->count != n_target) {
                int pos = row->count ? ((AstExpr *)row->items[0])->pos : q->pos;
                return error_set(err, SQLSTATE_SYNTAX_ERROR, pos,
                                 row->count > n_target
                                     ? "INSERT has more expressions than target columns"
                                     : "INSERT has more target columns than expressions");
            }
            BS_TRY(bind_list_values(b, row, &empty, &bound[r], err));
            for (int k = 0; k < n_target; k++)
                BS_TRY(binder_assign_cast(b, &bound[r][k], columns[target[k]].type,
                                          columns[target[k]].name, err));
        }
        /* Rows with subqueries are planned as a query (joins onto each row). */
        for (int r = 0; r < rows->count && plain_values; r++)
            for (int k = 0; k < n_target && plain_values; k++)
                plain_values = !expr_has_subquery(bound[r][k]);
        values->u.values.table_index = b->next_table_index++;
        values->u.values.n_cols = n_target;
        values->u.values.n_rows = rows->count;
        values->u.values.rows = bound;
        BS_TRY(logical_resolve(values, b->arena, err));
        source = values;
    }
    if (!plain_values) {
        char **names;
        BS_TRY(bind_query(b, q, &source, &names, err));
        if (source->n_out != n_target)
            return error_set(err, SQLSTATE_SYNTAX_ERROR, q->pos,
                             source->n_out > n_target
                                 ? "INSERT has more expressions than target columns"
                                 : "INSERT has more target columns than expressions");
    }
    bs->verb = "INSERT";
    return finish_insert(b, bs, table->name, table->id, columns, table->n_cols, source, target,
                         !plain_values, err);
}

/* A one-character COPY option value. */
static Status copy_char_option(const AstOption *opt, const char *value, char *out, Error *err)
{
    if (strlen(value) != 1)
        return error_set(err, SQLSTATE_INVALID_PARAMETER, opt->pos,
                         "COPY %s must be a single one-byte character", opt->name);
    *out = value[0];
    return BS_OK;
}

/* The text of an option's value (string, word, number or boolean). */
static const char *option_text(const AstOption *opt, char *buf, size_t size)
{
    const AstExpr *v = opt->value;
    if (!v) return NULL;
    if (v->kind == AST_COLUMN) return v->u.column.name;
    if (v->kind != AST_LITERAL) return NULL;
    switch (v->u.lit.kind) {
    case LIT_STRING:
    case LIT_NUMBER:
        return v->u.lit.text;
    case LIT_BOOLEAN:
        return v->u.lit.bval ? "true" : "false";
    case LIT_INTEGER:
        snprintf(buf, size, "%lld", (long long)v->u.lit.ival);
        return buf;
    case LIT_NULL:
        return NULL;
    }
    return NULL;
}

static Status bind_copy(Binder *b, const AstStatement *stmt, BoundStatement *bs, Error *err)
{
    CatalogTable *table;
    BS_TRY(lookup_table(b, stmt->u.copy.table, stmt->u.copy.table_pos, &table, err));
    int *target, n_target;
    BS_TRY(bind_target_columns(b, table, &stmt->u.copy.columns, stmt->u.copy.table_pos, &target,
                               &n_target, err));
    LogicalOp *csv = logical_create(b->arena, LOP_CSV_READ, NULL);
    if (!csv) return arena_error(b->arena, err);
    csv->u.csv.delimiter = ',';
    csv->u.csv.quote = '"';
    csv->u.csv.escape = 0; /* same as quote */
    csv->u.csv.null_string = "";
    for (int k = 0; k < stmt->u.copy.options.count; k++) {
        const AstOption *opt = stmt->u.copy.options.items[k];
        char buf[32];
        const char *value = option_text(opt, buf, sizeof buf);
        if (strcmp(opt->name, "header") == 0) {
            bool on = true;
            if (value) {
                ParseResult r = parse_boolean(value, strlen(value), &on);
                if (r != PARSE_OK)
                    return error_set(err, SQLSTATE_INVALID_PARAMETER, opt->pos,
                                     "header requires a Boolean value");
            }
            csv->u.csv.header = on;
            continue;
        }
        if (!value)
            return error_set(err, SQLSTATE_INVALID_PARAMETER, opt->pos,
                             "COPY option \"%s\" needs a value", opt->name);
        if (strcmp(opt->name, "format") == 0) {
            if (strcmp(value, "csv") != 0)
                return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, opt->pos,
                                 "COPY format \"%s\" is not supported yet (only csv)", value);
        } else if (strcmp(opt->name, "delimiter") == 0) {
            BS_TRY(copy_char_option(opt, value, &csv->u.csv.delimiter, err));
        } else if (strcmp(opt->name, "quote") == 0) {
            BS_TRY(copy_char_option(opt, value, &csv->u.csv.quote, err));
        } else if (strcmp(opt->name, "escape") == 0) {
            BS_TRY(copy_char_option(opt, value, &csv->u.csv.escape, err));
        } else if (strcmp(opt->name, "null") == 0) {
            csv->u.csv.null_string = arena_strdup(b->arena, value);
            if (!csv->u.csv.null_string) return arena_error(b->arena, err);
        } else {
            return error_set(err, SQLSTATE_SYNTAX_ERROR, opt->pos, "option \"%s\" not recognized",
                             opt->name);
        }
    }
    if (csv->u.csv.delimiter == csv->u.csv.quote || csv->u.csv.delimiter == '\n' ||
        csv->u.csv.delimiter == '\r')
        return error_set(err, SQLSTATE_INVALID_PARAMETER, stmt->pos,
                         "COPY delimiter cannot be a quote or a newline");
    csv->u.csv.path = stmt->u.copy.path;
    csv->u.csv.table_index = b->next_table_index++;
    csv->u.csv.n_cols = n_target;
    csv->u.csv.col_types =
        arena_alloc(b->arena, sizeof(LogicalType) * (size_t)(n_target ? n_target : 1));
    if (!csv->u.csv.col_types) return arena_error(b->arena, err);
    /* Text read as the column's type; a timestamptz (read in the session's zone) and a
       CHAR(n)/VARCHAR(n) (checked against n) are read as text and assigned. */
    for (int k = 0; k < n_target; k++) {
        LogicalType t = table->col_types[target[k]];
        bool assigned =
            t.id == TYPE_TIMESTAMPTZ || (type_is_string(t) && (t.length || t.id == TYPE_CHAR));
        csv->u.csv.col_types[k] = assigned ? type_make(TYPE_VARCHAR) : t;
    }
    BS_TRY(logical_resolve(csv, b->arena, err));
    PlanColumnDef *columns = plan_columns_of(b, table);
    if (!columns) return arena_error(b->arena, err);
    bs->verb = "COPY";
    b->copy_text = true;
    Status st = finish_insert(b, bs, table->name, table->id, columns, table->n_cols, csv, target,
                              true, err);
    b->copy_text = false;
    return st;
}

static Status check_new_table(Binder *b, const char *name, int pos, bool if_not_exists,
                              bool *exists, Error *err)
{
    CatalogTable *table;
    BS_TRY(b->catalog->get_table(b->catalog->ctx, NULL, NULL, name, b->arena, &table, err));
    *exists = table != NULL;
    if (table && !if_not_exists)
        return error_set(err, SQLSTATE_DUPLICATE_TABLE, pos, "relation \"%s\" already exists",
                         name);
    return BS_OK;
}

static Status bind_create_table(Binder *b, const AstStatement *stmt, BoundStatement *bs, Error *err)
{
    const char *name = stmt->u.create_table.name;
    bool exists;
    BS_TRY(check_new_table(b, name, stmt->pos, stmt->u.create_table.if_not_exists, &exists, err));
    bs->table = arena_strdup(b->arena, name);
    if (!bs->table) return arena_error(b->arena, err);
    bs->create = true;
    bs->if_not_exists = stmt->u.create_table.if_not_exists;
    if (exists) {
        /* IF NOT EXISTS on an existing table: nothing to do. */
        bs->kind = BOUND_CREATE_TABLE;
        bs->n_columns = -1;
        return BS_OK;
    }
    if (stmt->u.create_table.query) {
        char **names;
        LogicalOp *source;
        BS_TRY(bind_query(b, stmt->u.create_table.query, &source, &names, err));
        PlanColumnDef *columns = arena_alloc(
            b->arena, sizeof(PlanColumnDef) * (size_t)(source->n_out ? source->n_out : 1));
        int *target =
            arena_alloc(b->arena, sizeof(int) * (size_t)(source->n_out ? source->n_out : 1));
        if (!columns || !target) return arena_error(b->arena, err);
        for (int k = 0; k < source->n_out; k++) {
            for (int j = 0; j < k; j++)
                if (strcmp(names[j], names[k]) == 0)
                    return error_set(err, SQLSTATE_DUPLICATE_COLUMN,
                                     stmt->u.create_table.query->pos,
                                     "column \"%s\" specified more than once", names[k]);
            columns[k].name = names[k];
            columns[k].type = source->types[k];
            columns[k].not_null = false;
            target[k] = k;
        }
        bs->kind = BOUND_INSERT;
        bs->verb = "CREATE TABLE AS";
        bs->n_columns = source->n_out;
        bs->columns = columns;
        return finish_insert(b, bs, name, 0, columns, source->n_out, source, target, false, err);
    }
    int n = stmt->u.create_table.columns.count;
    if (n == 0)
        return error_set(err, SQLSTATE_SYNTAX_ERROR, stmt->pos,
                         "a table needs at least one column");
    PlanColumnDef *columns = arena_alloc(b->arena, sizeof(PlanColumnDef) * (size_t)n);
    if (!columns) return arena_error(b->arena, err);
    for (int k = 0; k < n; k++) {
        const AstColumnDef *def = stmt->u.create_table.columns.items[k];
        for (int j = 0; j < k; j++)
            if (strcmp(columns[j].name, def->name) == 0)
                return error_set(err, SQLSTATE_DUPLICATE_COLUMN, def->pos,
                                 "column \"%s\" specified more than once", def->name);
        columns[k].name = def->name;
        columns[k].not_null = def->not_null;
        BS_TRY(planner_resolve_type(def->type, &columns[k].type, err));
    }
    bs->kind = BOUND_CREATE_TABLE;
    bs->n_columns = n;
    bs->columns = columns;
    return BS_OK;
}

static Status bind_create_view(Binder *b, const AstStatement *stmt, BoundStatement *bs, Error *err)
{
    const char *name = stmt->u.create_view.name;
    CatalogTable *existing;
    BS_TRY(b->catalog->get_table(b->catalog->ctx, NULL, NULL, name, b->arena, &existing, err));
    if (existing && !stmt->u.create_view.or_replace)
        return error_set(err, SQLSTATE_DUPLICATE_TABLE, stmt->pos, "relation \"%s\" already exists",
                         name);
    if (existing && !existing->view_sql)
        return error_set(err, SQLSTATE_WRONG_OBJECT_TYPE, stmt->pos, "\"%s\" is not a view", name);
    /* The query must bind now, and must not read the name it defines. */
    char **names;
    LogicalOp *query;
    b->defining_view = name;
    Status st = bind_query(b, stmt->u.create_view.query, &query, &names, err);
    b->defining_view = NULL;
    BS_TRY(st);
    const AstList *cols = &stmt->u.create_view.columns;
    if (cols->count > query->n_out)
        return error_set(err, SQLSTATE_SYNTAX_ERROR, stmt->pos,
                         "CREATE VIEW specifies more column names (%d) than columns (%d)",
                         cols->count, query->n_out);
    PlanColumnDef *columns = arena_alloc(b->arena, sizeof(PlanColumnDef) * (size_t)query->n_out);
    if (!columns) return arena_error(b->arena, err);
    for (int k = 0; k < query->n_out; k++) {
        columns[k].name = k < cols->count ? cols->items[k] : names[k];
        columns[k].type = query->types[k];
        columns[k].not_null = false;
        for (int j = 0; j < k; j++)
            if (strcmp(columns[j].name, columns[k].name) == 0)
                return error_set(err, SQLSTATE_DUPLICATE_COLUMN, stmt->pos,
                                 "column \"%s\" specified more than once", columns[k].name);
    }
    if (existing) {
        /* As in PostgreSQL, a replacement keeps the view's columns (views that read this
           one rely on them) and may add columns after them. */
        int pos = stmt->pos;
        if (query->n_out < existing->n_cols)
            return error_set(err, SQLSTATE_INVALID_TABLE_DEF, pos,
                             "cannot drop columns from view \"%s\"", name);
        for (int k = 0; k < existing->n_cols; k++) {
            if (strcmp(existing->col_names[k], columns[k].name) != 0)
                return error_set(err, SQLSTATE_INVALID_TABLE_DEF, pos,
                                 "cannot change name of view column \"%s\" to \"%s\"",
                                 existing->col_names[k], columns[k].name);
            if (!type_equals(existing->col_types[k], columns[k].type)) {
                char was[32], now[32];
                return error_set(err, SQLSTATE_INVALID_TABLE_DEF, pos,
                                 "cannot change data type of view column \"%s\" from %s to %s",
                                 columns[k].name,
                                 type_format(existing->col_types[k], was, sizeof was),
                                 type_format(columns[k].type, now, sizeof now));
            }
        }
    }
    bs->kind = BOUND_CREATE_VIEW;
    bs->table = arena_strdup(b->arena, name);
    if (!bs->table) return arena_error(b->arena, err);
    bs->view_sql = stmt->u.create_view.sql;
    bs->or_replace = stmt->u.create_view.or_replace;
    bs->n_columns = query->n_out;
    bs->columns = columns;
    return BS_OK;
}

/*
 * EXPLAIN's options, Trino's: TYPE LOGICAL | DISTRIBUTED (IO and VALIDATE: 0A000) and
 * FORMAT TEXT (JSON, GRAPHVIZ: 0A000). Each at most once; others fail with 42601 at their
 * name, bad values at the value.
 */
static Status bind_explain_options(const AstStatement *stmt, BoundStatement *bs, Error *err)
{
    bool seen_type = false, seen_format = false;
    for (int k = 0; k < stmt->u.explain.options.count; k++) {
        const AstOption *opt = stmt->u.explain.options.items[k];
        char buf[32], upper[32];
        const char *value = option_text(opt, buf, sizeof buf);
        int at = opt->value ? opt->value->pos : opt->pos;
        /* The value as Trino writes it, for messages. */
        size_t len = value ? strlen(value) : 0;
        if (len >= sizeof upper) len = sizeof upper - 1;
        for (size_t c = 0; c < len; c++)
            upper[c] = (char)toupper((unsigned char)value[c]);
        upper[len] = '\0';
        bool is_type = strcmp(opt->name, "type") == 0;
        bool is_format = strcmp(opt->name, "format") == 0;
        if (!is_type && !is_format)
            return error_set(err, SQLSTATE_SYNTAX_ERROR, opt->pos,
                             "unrecognized EXPLAIN option \"%s\"", opt->name);
        if (is_type ? seen_type : seen_format)
            return error_set(err, SQLSTATE_SYNTAX_ERROR, opt->pos,
                             "EXPLAIN option \"%s\" given more than once", opt->name);
        seen_type |= is_type;
        seen_format |= is_format;
        if (!value)
            return error_set(err, SQLSTATE_SYNTAX_ERROR, opt->pos,
                             "EXPLAIN option \"%s\" needs a value", opt->name);
        if (is_type) {
            if (strcasecmp(value, "logical") == 0)
                bs->explain_type = EXPLAIN_LOGICAL;
            else if (strcasecmp(value, "distributed") == 0)
                bs->explain_type = EXPLAIN_DISTRIBUTED;
            else if (strcasecmp(value, "io") == 0 || strcasecmp(value, "validate") == 0)
                return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, at,
                                 "EXPLAIN (TYPE %s) is not supported (only LOGICAL and "
                                 "DISTRIBUTED)",
                                 upper);
            else
                return error_set(err, SQLSTATE_SYNTAX_ERROR, at,
                                 "unknown EXPLAIN type \"%s\" (LOGICAL, DISTRIBUTED)", upper);
        } else if (strcasecmp(value, "json") == 0 || strcasecmp(value, "graphviz") == 0) {
            return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, at,
                             "EXPLAIN (FORMAT %s) is not supported (only TEXT)", upper);
        } else if (strcasecmp(value, "text") != 0) {
            return error_set(err, SQLSTATE_SYNTAX_ERROR, at, "unknown EXPLAIN format \"%s\" (TEXT)",
                             upper);
        }
    }
    return BS_OK;
}

static Status bind_statement(Binder *b, const AstStatement *stmt, BoundStatement **out, Error *err)
{
    BoundStatement *bs = new_bound(b, BOUND_QUERY);
    if (!bs) return arena_error(b->arena, err);
    *out = bs;
    switch (stmt->kind) {
    case STMT_SELECT:
        return bind_select_stmt(b, stmt->u.select.query, bs, err);
    case STMT_INSERT:
        bs->kind = BOUND_INSERT;
        return bind_insert(b, stmt, bs, err);
    case STMT_COPY:
        bs->kind = BOUND_INSERT;
        return bind_copy(b, stmt, bs, err);
    case STMT_CREATE_TABLE:
        return bind_create_table(b, stmt, bs, err);
    case STMT_CREATE_VIEW:
        return bind_create_view(b, stmt, bs, err);
    case STMT_DROP_TABLE:
    case STMT_DROP_VIEW:
        bs->kind = stmt->kind == STMT_DROP_VIEW ? BOUND_DROP_VIEW : BOUND_DROP_TABLE;
        bs->n_drop = stmt->u.drop_table.names.count;
        bs->drop_names = (char **)stmt->u.drop_table.names.items;
        bs->if_exists = stmt->u.drop_table.if_exists;
        return BS_OK;
    case STMT_EXPLAIN:
        bs->kind = BOUND_EXPLAIN;
        bs->analyze = stmt->u.explain.analyze;
        if (stmt->u.explain.stmt->kind == STMT_EXPLAIN)
            return error_set(err, SQLSTATE_SYNTAX_ERROR, stmt->u.explain.stmt->pos,
                             "EXPLAIN of EXPLAIN is not allowed");
        if (stmt->u.explain.stmt->kind == STMT_SET || stmt->u.explain.stmt->kind == STMT_SHOW)
            return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, stmt->u.explain.stmt->pos,
                             "EXPLAIN shows plans of queries, INSERT, COPY and CREATE TABLE AS "
                             "only");
        BS_TRY(bind_explain_options(stmt, bs, err));
        BS_TRY(bind_statement(b, stmt->u.explain.stmt, &bs->explained, err));
        if (bs->explained->kind != BOUND_QUERY && bs->explained->kind != BOUND_INSERT)
            return error_set(
                err, SQLSTATE_FEATURE_NOT_SUPPORTED, stmt->u.explain.stmt->pos,
                "EXPLAIN shows plans of queries, INSERT, COPY and CREATE TABLE AS only");
        return BS_OK;
    case STMT_SHOW_TABLES:
        return binder_bind_show_tables(b, stmt, bs, err);
    case STMT_DESCRIBE:
        return binder_bind_describe(b, stmt, bs, err);
    case STMT_SET: /* settings are the session's: server/settings.c runs these */
    case STMT_SHOW:
        break;
    }
    return error_set(err, SQLSTATE_INTERNAL_ERROR, stmt->pos, "unknown statement kind %d",
                     stmt->kind);
}

Status planner_bind(const AstStatement *stmt, const Catalog *catalog, Arena *arena,
                    BoundStatement **out, Error *err)
{
    Binder b = {
        .arena = arena, .catalog = catalog, .next_table_index = 1, .depth = 0, .ctes = NULL};
    b.zone = catalog->time_zone ? tz_find(catalog->time_zone, strlen(catalog->time_zone)) : NULL;
    if (!b.zone) b.zone = tz_utc();
    b.zone_name = tz_name(b.zone);
    return bind_statement(&b, stmt, out, err);
}
