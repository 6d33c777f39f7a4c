/*
 * bind_expr.c — binds AST expressions: resolves column names through a Scope, types
 * literals, resolves operators and functions through the registry (inserting implicit
 * casts), folds casts of literals, and turns sugar (BETWEEN, IN lists, simple CASE,
 * ILIKE) into the core expression kinds. Aggregate calls become EXPR_AGGREGATE nodes
 * that the query binder later replaces by columns of the aggregation.
 */
#include "planner/planner_int.h"

#include "common/cast.h"
#include "common/datetime.h"

#include <stdio.h>
#include <string.h>

static Status bind_list(Binder *b, const AstList *list, const Scope *scope, BindClause clause,
                        Expr ***out, Error *err)
{
    Expr **exprs = arena_alloc(b->arena, sizeof(Expr *) * (size_t)(list->count ? list->count : 1));
    if (!exprs) return arena_error(b->arena, err);
    for (int k = 0; k < list->count; k++)
        BS_TRY(bind_expr(b, list->items[k], scope, clause, &exprs[k], err));
    *out = exprs;
    return BS_OK;
}

/* Finds a column by [qualifier.]name in scope. */
static Status scope_find_local(const Scope *scope, const char *qualifier, const char *name,
                               int pos, const ScopeColumn **out, bool *qualifier_seen,
                               Error *err)
{
    *out = NULL;
    for (int k = 0; k < scope->n_cols; k++) {
        const ScopeColumn *col = &scope->cols[k];
        if (qualifier) {
            if (!col->qualifier || strcmp(col->qualifier, qualifier) != 0) continue;
            *qualifier_seen = true;
        } else if (col->qualified_only) {
            continue;
        }
        if (strcmp(col->name, name) != 0) continue;
        if (*out)
            return error_set(err, SQLSTATE_AMBIGUOUS_COLUMN, pos,
                             "column reference \"%s\" is ambiguous", name);
        *out = col;
    }
    return BS_OK;
}

/* Finds a column by name in the scope, else in the enclosing queries' scopes. */
static Status scope_find(const Scope *scope, const char *qualifier, const char *name, int pos,
                         const ScopeColumn **out, Error *err)
{
    bool qualifier_seen = false;
    for (const Scope *s = scope; s; s = s->parent) {
        bool seen_here = false;
        BS_TRY(scope_find_local(s, qualifier, name, pos, out, &seen_here, err));
        if (*out && (*out)->lateral_invalid) {
            error_set(err, SQLSTATE_INVALID_COLUMN_REF, pos,
                      "invalid reference to FROM-clause entry for table \"%s\"",
                      (*out)->qualifier ? (*out)->qualifier : name);
            error_set_detail(err, "The combining JOIN type must be INNER or LEFT for a LATERAL "
                                  "reference.");
            return BS_ERROR;
        }
        if (*out) return BS_OK;
        /* t.x where t is here but has no x: not a reference to an outer t. */
        if (seen_here) {
            qualifier_seen = true;
            break;
        }
    }
    if (qualifier && !qualifier_seen)
        return error_set(err, SQLSTATE_UNDEFINED_TABLE, pos,
                         "missing FROM-clause entry for table \"%s\"", qualifier);
    if (qualifier)
        return error_set(err, SQLSTATE_UNDEFINED_COLUMN, pos, "column %s.%s does not exist",
                         qualifier, name);
    return error_set(err, SQLSTATE_UNDEFINED_COLUMN, pos, "column \"%s\" does not exist", name);
}

/* Types a numeric literal written with a point or exponent (DECIMAL(p,s) up to 38 digits,
   else DOUBLE), or an integer beyond BIGINT (HUGEINT as in DuckDB, else DOUBLE). */
static Status bind_number(Binder *b, const AstExpr *ast, Expr **out, Error *err)
{
    const char *text = ast->u.lit.text;
    size_t len = strlen(text);
    Value v;
    bool has_exp = strpbrk(text, "eE") != NULL;
    int int_digits = 0, frac_digits = 0;
    const char *dot = strchr(text, '.');
    if (!has_exp) {
        const char *p = text;
        while (p < (dot ? dot : text + len) && *p == '0')
            p++; /* leading zeros */
        int_digits = (int)((dot ? dot : text + len) - p);
        frac_digits = dot ? (int)(text + len - dot - 1) : 0;
    }
    if (!has_exp && !dot && parse_int128(text, len, &v.u.i128) == PARSE_OK) {
        v = value_hugeint(v.u.i128);
    } else if (!has_exp && int_digits + frac_digits <= DECIMAL_MAX_PRECISION) {
        int precision = BS_MAX(1, int_digits + frac_digits);
        int128_t unscaled;
        if (parse_decimal128(text, len, precision, frac_digits, &unscaled) != PARSE_OK)
            return parse_error(err, PARSE_INVALID, type_decimal(precision, frac_digits), text, len,
                               ast->pos);
        v = value_decimal128(unscaled, precision, frac_digits);
    } else {
        double d;
        ParseResult r = parse_double(text, len, &d);
        if (r != PARSE_OK) return parse_error(err, r, type_make(TYPE_DOUBLE), text, len, ast->pos);
        v = value_double(d);
    }
    *out = expr_new_constant(b->arena, &v, ast->pos);
    return *out ? BS_OK : arena_error(b->arena, err);
}

static Status bind_literal(Binder *b, const AstExpr *ast, Expr **out, Error *err)
{
    Value v;
    uint8_t flags = 0;
    switch (ast->u.lit.kind) {
    case LIT_NULL:
        v = value_null(type_make(TYPE_NULL));
        flags = EXPR_FLAG_UNTYPED;
        break;
    case LIT_BOOLEAN:
        v = value_boolean(ast->u.lit.bval);
        break;
    case LIT_INTEGER:
        if (ast->u.lit.ival >= INT32_MIN && ast->u.lit.ival <= INT32_MAX)
            v = value_integer((int32_t)ast->u.lit.ival);
        else
            v = value_bigint(ast->u.lit.ival);
        break;
    case LIT_NUMBER:
        return bind_number(b, ast, out, err);
    case LIT_STRING: {
        if (ast->u.lit.len > UINT32_MAX)
            return error_set(err, SQLSTATE_PROGRAM_LIMIT, ast->pos, "string literal is too long");
        char *copy = arena_strndup(b->arena, ast->u.lit.text, ast->u.lit.len);
        if (!copy) return arena_error(b->arena, err);
        v = value_varchar(copy, (uint32_t)ast->u.lit.len);
        flags = EXPR_FLAG_UNTYPED;
        break;
    }
    default:
        return error_set(err, SQLSTATE_INTERNAL_ERROR, ast->pos, "unknown literal kind");
    }
    *out = expr_new_constant(b->arena, &v, ast->pos);
    if (!*out) return arena_error(b->arena, err);
    (*out)->flags = flags;
    return BS_OK;
}

/* INTERVAL 'text' [qualifier]: parsed now, so a bad literal fails at its own position. */
static Status bind_interval(Binder *b, const AstExpr *ast, Expr **out, Error *err)
{
    const char *text = ast->u.interval.text;
    int range;
    if (!interval_range_from_name(ast->u.interval.unit, &range))
        return error_set(err, SQLSTATE_SYNTAX_ERROR, ast->pos, "invalid INTERVAL qualifier %s",
                         ast->u.interval.unit);
    Interval iv;
    ParseResult r = parse_interval(text, strlen(text), range, &iv);
    if (r != PARSE_OK)
        return parse_error(err, r, type_make(TYPE_INTERVAL), text, strlen(text), ast->pos);
    Value v = value_interval(iv);
    *out = expr_new_constant(b->arena, &v, ast->pos);
    return *out ? BS_OK : arena_error(b->arena, err);
}

/* Casts e to BOOLEAN for a logical context (`what` names it in the error). */
static Status require_boolean(Binder *b, Expr **e, const char *what, Error *err)
{
    if ((*e)->type.id == TYPE_BOOLEAN) return BS_OK;
    if ((*e)->flags & EXPR_FLAG_UNTYPED || (*e)->type.id == TYPE_NULL)
        return binder_cast(b, e, type_make(TYPE_BOOLEAN), false, err);
    char name[40];
    return error_set(err, SQLSTATE_DATATYPE_MISMATCH, (*e)->pos,
                     "argument of %s must be type boolean, not type %s", what,
                     type_sql_name((*e)->type, name, sizeof name));
}

static Expr *make_conj(Binder *b, ExprKind kind, Expr *left, Expr *right, int pos)
{
    /* Flatten nested ANDs/ORs into one n-ary node. */
    int n = (left->kind == kind ? left->u.conj.n_args : 1) +
            (right->kind == kind ? right->u.conj.n_args : 1);
    Expr *e = expr_new(b->arena, kind, type_make(TYPE_BOOLEAN), pos);
    if (!e) return NULL;
    e->u.conj.args = arena_alloc(b->arena, sizeof(Expr *) * (size_t)n);
    if (!e->u.conj.args) return NULL;
    Expr *parts[2] = {left, right};
    for (int side = 0; side < 2; side++) {
        Expr *p = parts[side];
        if (p->kind == kind)
            for (int k = 0; k < p->u.conj.n_args; k++)
                e->u.conj.args[e->u.conj.n_args++] = p->u.conj.args[k];
        else
            e->u.conj.args[e->u.conj.n_args++] = p;
    }
    return e;
}

static Expr *make_unary(Binder *b, ExprKind kind, Expr *arg, int pos)
{
    Expr *e = expr_new(b->arena, kind, type_make(TYPE_BOOLEAN), pos);
    if (e) e->u.unary.arg = arg;
    return e;
}

static ScalarFuncId op_function(AstOp op)
{
    switch (op) {
    case OP_ADD:
        return FN_ADD;
    case OP_SUB:
        return FN_SUBTRACT;
    case OP_MUL:
        return FN_MULTIPLY;
    case OP_DIV:
        return FN_DIVIDE;
    case OP_MOD:
        return FN_MODULO;
    case OP_CONCAT:
        return FN_CONCAT;
    case OP_EQ:
        return FN_EQ;
    case OP_NE:
        return FN_NE;
    case OP_LT:
        return FN_LT;
    case OP_LE:
        return FN_LE;
    case OP_GT:
        return FN_GT;
    case OP_GE:
        return FN_GE;
    case OP_IS_DISTINCT:
        return FN_IS_DISTINCT;
    case OP_IS_NOT_DISTINCT:
        return FN_IS_NOT_DISTINCT;
    case OP_MATCH:
    case OP_NOT_MATCH:
    case OP_IMATCH:
    case OP_NOT_IMATCH:
        return FN_REGEXP_MATCHES;
    case OP_ARRAY_CONTAINS:
    case OP_ARRAY_CONTAINED: /* b <@ a is a @> b */
        return FN_ARRAY_HAS_ALL;
    case OP_ARRAY_OVERLAP:
        return FN_ARRAY_OVERLAP;
    default:
        return FN_COUNT_;
    }
}

/* Two-argument call of an operator on bound operands. */
static Status call2(Binder *b, ScalarFuncId func, Expr *left, Expr *right, int pos, Expr **out,
                    Error *err)
{
    Expr *args[2] = {left, right};
    return binder_bind_scalar(b, func, args, 2, pos, out, err);
}

/*
 * TRY_CAST(x AS t): the call try_cast(x) of type t, which runs the cast's kernel and
 * yields NULL on the rows where it fails. A literal is text first (so 'abc' is not cast
 * at bind time, where it would fail); types that never convert fail as CAST does.
 */
static Status bind_try_cast(Binder *b, Expr *arg, LogicalType target, int pos, Expr **out,
                            Error *err)
{
    if (arg->type.id == TYPE_NULL) {
        BS_TRY(binder_cast(b, &arg, target, true, err));
        *out = arg;
        return BS_OK;
    }
    if (arg->flags & EXPR_FLAG_UNTYPED)
        BS_TRY(binder_cast(b, &arg, type_make(TYPE_VARCHAR), true, err));
    if (type_equals(arg->type, target)) {
        *out = arg;
        return BS_OK;
    }
    if (!cast_is_possible(arg->type, target)) {
        char from_name[40], to_name[40];
        return error_set(err, SQLSTATE_CANNOT_COERCE, arg->pos, "cannot cast type %s to %s",
                         type_sql_name(arg->type, from_name, sizeof from_name),
                         type_sql_name(target, to_name, sizeof to_name));
    }
    Expr *args[1] = {arg};
    *out = expr_new_call(b->arena, FN_TRY_CAST, target, args, 1, pos);
    return *out ? BS_OK : arena_error(b->arena, err);
}

/* s ~ p, s ~* p, s !~ p, s !~* p. */
static Status bind_regex_operator(Binder *b, AstOp op, Expr *left, Expr *right, int pos,
                                  Expr **out, Error *err)
{
    Expr *args[3] = {left, right, NULL};
    int n = 2;
    if (op == OP_IMATCH || op == OP_NOT_IMATCH) {
        Value flag = value_varchar("i", 1);
        args[2] = expr_new_constant(b->arena, &flag, pos);
        if (!args[2]) return arena_error(b->arena, err);
        n = 3;
    }
    BS_TRY(binder_bind_scalar(b, FN_REGEXP_MATCHES, args, n, pos, out, err));
    if (op == OP_NOT_MATCH || op == OP_NOT_IMATCH) {
        *out = make_unary(b, EXPR_NOT, *out, pos);
        if (!*out) return arena_error(b->arena, err);
    }
    return BS_OK;
}

/* -constant folded at bind time, so that -2147483648 and zone maps work on literals. */
static Status negate(Binder *b, Expr *arg, int pos, Expr **out, Error *err)
{
    if (arg->kind == EXPR_CONSTANT && !arg->u.constant.is_null && type_is_numeric(arg->type)) {
        Value v = arg->u.constant;
        bool overflow = false;
        char tname[40];
        switch ((TypeId)v.type.id) {
        case TYPE_INTEGER:
            overflow = v.u.i32 == INT32_MIN;
            v.u.i32 = -v.u.i32;
            break;
        case TYPE_BIGINT:
            if (v.u.i64 == INT64_MIN)
                overflow = true;
            else
                v.u.i64 = -v.u.i64;
            /* -2147483648 is an INTEGER, as in PostgreSQL */
            if (!overflow && v.u.i64 == INT32_MIN) v = value_integer(INT32_MIN);
            break;
        case TYPE_DECIMAL:
            if (type_is_wide_decimal(v.type))
                v.u.i128 = -v.u.i128;
            else
                v.u.i64 = -v.u.i64;
            break;
        case TYPE_HUGEINT:
            if (v.u.i128 == INT128_MIN_VALUE)
                overflow = true;
            else
                v.u.i128 = -v.u.i128;
            break;
        case TYPE_DOUBLE:
            v.u.f64 = -v.u.f64;
            break;
        case TYPE_REAL:
            v.u.f32 = -v.u.f32;
            break;
        case TYPE_SMALLINT:
            overflow = v.u.i16 == INT16_MIN;
            v.u.i16 = (int16_t)-v.u.i16;
            break;
        case TYPE_TINYINT:
            overflow = v.u.i8 == INT8_MIN;
            v.u.i8 = (int8_t)-v.u.i8;
            break;
        default:
            break;
        }
        if (overflow)
            return error_set(err, SQLSTATE_NUMERIC_OUT_OF_RANGE, pos, "%s out of range",
                             type_sql_name(arg->type, tname, sizeof tname));
        *out = expr_new_constant(b->arena, &v, pos);
        return *out ? BS_OK : arena_error(b->arena, err);
    }
    Expr *args[1] = {arg};
    return binder_bind_scalar(b, FN_NEGATE, args, 1, pos, out, err);
}

/* (SELECT …), EXISTS (…), x IN (…): the subquery is bound with this scope as its parent. */
static Status bind_subquery_expr(Binder *b, const AstExpr *ast, const Scope *scope,
                                 BindClause clause, Expr **out, Error *err)
{
    BoundSubquery *sub = arena_alloc_zero(b->arena, sizeof *sub);
    if (!sub) return arena_error(b->arena, err);
    sub->pos = ast->pos;
    const AstSelect *query;
    if (ast->kind == AST_EXISTS) {
        sub->kind = SUBQ_EXISTS;
        sub->negated = ast->u.exists.negated;
        query = ast->u.exists.query;
    } else if (ast->kind == AST_IN_SELECT) {
        sub->kind = SUBQ_IN;
        sub->negated = ast->u.in_select.negated;
        query = ast->u.in_select.query;
        BS_TRY(bind_expr(b, ast->u.in_select.arg, scope, clause, &sub->left, err));
    } else if (ast->kind == AST_QUANTIFIED) {
        static const ScalarFuncId cmps[] = {FN_EQ, FN_NE, FN_LT, FN_LE, FN_GT, FN_GE};
        if (!ast->u.quantified.query)
            return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, ast->pos,
                             "ANY/ALL over an array is not supported yet");
        sub->kind = SUBQ_QUANTIFIED;
        sub->cmp = cmps[ast->u.quantified.op - OP_EQ];
        sub->all = ast->u.quantified.all;
        /* = ANY is IN, <> ALL is NOT IN. */
        if (sub->cmp == FN_EQ && !sub->all) {
            sub->kind = SUBQ_IN;
        } else if (sub->cmp == FN_NE && sub->all) {
            sub->kind = SUBQ_IN;
            sub->negated = true;
        }
        query = ast->u.quantified.query;
        BS_TRY(bind_expr(b, ast->u.quantified.arg, scope, clause, &sub->left, err));
    } else {
        sub->kind = SUBQ_SCALAR;
        query = ast->u.subquery.query;
    }
    char **names;
    const Scope *saved = b->subquery_parent;
    b->subquery_parent = scope;
    Status st = bind_query(b, query, &sub->plan, &names, err);
    b->subquery_parent = saved;
    BS_TRY(st);
    LogicalType type = type_make(TYPE_BOOLEAN);
    if (sub->kind != SUBQ_EXISTS) {
        if (sub->plan->n_out != 1)
            return error_set(err, SQLSTATE_SYNTAX_ERROR, ast->pos,
                             sub->kind != SUBQ_SCALAR ? "subquery has too many columns"
                                                  : "subquery must return only one column");
        if (sub->kind == SUBQ_SCALAR) type = sub->plan->types[0];
    }
    if (sub->kind == SUBQ_IN || sub->kind == SUBQ_QUANTIFIED) {
        /* x and the subquery's column compared in their common type. */
        Expr *probe = expr_new_column(b->arena, sub->plan->bindings[0], sub->plan->types[0], ast->pos);
        if (!probe) return arena_error(b->arena, err);
        LogicalType common;
        if (!binder_common_type(sub->left, probe, &common)) {
            char lt[40], rt[40];
            return error_set(err, SQLSTATE_UNDEFINED_FUNCTION, ast->pos,
                             "operator does not exist: %s %s %s",
                             type_sql_name(sub->left->type, lt, sizeof lt),
                             sub->cmp == FN_NE   ? "<>"
                             : sub->cmp == FN_LT ? "<"
                             : sub->cmp == FN_LE ? "<="
                             : sub->cmp == FN_GT ? ">"
                             : sub->cmp == FN_GE ? ">="
                                                 : "=",
                             type_sql_name(sub->plan->types[0], rt, sizeof rt));
        }
        BS_TRY(binder_cast(b, &sub->left, common, false, err));
    }
    *out = expr_new(b->arena, EXPR_SUBQUERY, type, ast->pos);
    if (!*out) return arena_error(b->arena, err);
    (*out)->u.subquery.sub = sub;
    return BS_OK;
}

const char *binder_clause_name(BindClause clause)
{
    switch (clause) {
    case CLAUSE_WHERE:
        return "WHERE";
    case CLAUSE_GROUP_BY:
        return "GROUP BY";
    case CLAUSE_VALUES:
        return "VALUES";
    case CLAUSE_LIMIT:
        return "LIMIT";
    case CLAUSE_JOIN_ON:
        return "JOIN conditions";
    default:
        return "this context";
    }
}

/* CASE WHEN cond THEN a ELSE c END, a and c of their common type. */
static Status make_case1(Binder *b, Expr *cond, Expr *a, Expr *c, int pos, Expr **out, Error *err)
{
    Expr *e = expr_new(b->arena, EXPR_CASE, type_make(TYPE_INVALID), pos);
    Expr **whens = arena_alloc(b->arena, sizeof(Expr *));
    Expr **results = arena_alloc(b->arena, sizeof(Expr *) * 2);
    if (!e || !whens || !results) return arena_error(b->arena, err);
    whens[0] = cond;
    results[0] = a;
    results[1] = c;
    BS_TRY(binder_unify_types(b, results, 2, "CASE", err));
    e->u.case_.n_whens = 1;
    e->u.case_.whens = whens;
    e->u.case_.thens = results;
    e->u.case_.else_expr = results[1];
    e->type = results[1]->type;
    *out = e;
    return BS_OK;
}

/*
 * nullif(a, b) is CASE WHEN a = b THEN NULL ELSE a END (of a's type); if(c, a, b) and
 * iif(c, a, b) are CASE WHEN c THEN a ELSE b END. False in *handled for other names.
 */
static Status bind_conditional(Binder *b, const AstExpr *ast, const Scope *scope,
                               BindClause clause, bool *handled, Expr **out, Error *err)
{
    const char *name = ast->u.func.name;
    bool is_nullif = strcmp(name, "nullif") == 0;
    *handled = is_nullif || strcmp(name, "if") == 0 || strcmp(name, "iif") == 0;
    if (!*handled) return BS_OK;
    int n = ast->u.func.args.count;
    Expr **args;
    BS_TRY(bind_list(b, &ast->u.func.args, scope, clause, &args, err));
    if (ast->u.func.star || ast->u.func.distinct || n != (is_nullif ? 2 : 3)) {
        char types[160] = "";
        size_t len = 0;
        for (int k = 0; k < n && len < sizeof types; k++) {
            char t[40];
            int w = snprintf(types + len, sizeof types - len, "%s%s", k ? ", " : "",
                             (args[k]->flags & EXPR_FLAG_UNTYPED)
                                 ? "unknown"
                                 : type_sql_name(args[k]->type, t, sizeof t));
            if (w > 0) len += (size_t)w;
        }
        error_set(err, SQLSTATE_UNDEFINED_FUNCTION, ast->pos, "function %s(%s) does not exist",
                  name, types);
        error_set_hint(err, "No function matches the given name and argument types. You might "
                            "need to add explicit type casts.");
        return BS_ERROR;
    }
    if (!is_nullif) {
        BS_TRY(require_boolean(b, &args[0], name, err));
        return make_case1(b, args[0], args[1], args[2], ast->pos, out, err);
    }
    Expr *a = args[0];
    if (a->type.id == TYPE_NULL) BS_TRY(binder_cast(b, &a, type_make(TYPE_INTEGER), false, err));
    if (a->flags & EXPR_FLAG_UNTYPED) BS_TRY(binder_cast(b, &a, type_make(TYPE_VARCHAR), false, err));
    Expr *eq;
    BS_TRY(call2(b, FN_EQ, a, args[1], ast->pos, &eq, err));
    Value null = value_null(a->type);
    Expr *null_expr = expr_new_constant(b->arena, &null, ast->pos);
    if (!null_expr) return arena_error(b->arena, err);
    return make_case1(b, eq, null_expr, a, ast->pos, out, err);
}

static Status bind_function(Binder *b, const AstExpr *ast, const Scope *scope, BindClause clause,
                            Expr **out, Error *err)
{
    bool handled;
    BS_TRY(bind_conditional(b, ast, scope, clause, &handled, out, err));
    if (handled) return BS_OK;
    const char *name = ast->u.func.name;
    bool is_agg;
    int id;
    if (!ast->u.func.over && ast->u.func.nulls != AST_NULLS_DEFAULT)
        return error_set(err, SQLSTATE_SYNTAX_ERROR, ast->u.func.nulls_pos,
                         "%s NULLS is allowed only on a window function with OVER",
                         ast->u.func.nulls == AST_NULLS_IGNORE ? "IGNORE" : "RESPECT");
    if (ast->u.func.over) {
        if (clause == CLAUSE_AGGREGATE_ARG)
            return error_set(err, SQLSTATE_GROUPING_ERROR, ast->pos,
                             "aggregate function calls cannot contain window function calls");
        if (clause == CLAUSE_WINDOW_ARG)
            return error_set(err, "42P20", ast->pos, "window function calls cannot be nested");
        if (clause != CLAUSE_SELECT && clause != CLAUSE_ORDER_BY)
            return error_set(err, "42P20", ast->pos, "window functions are not allowed in %s",
                             clause == CLAUSE_HAVING ? "HAVING" : binder_clause_name(clause));
        return bind_window_call(b, ast, scope, out, err);
    }
    if (strcmp(name, "grouping") == 0 && !ast->u.func.star && !ast->u.func.distinct) {
        /* grouping(e, …): bits telling which arguments the row's grouping set left out */
        if (clause != CLAUSE_SELECT && clause != CLAUSE_HAVING && clause != CLAUSE_ORDER_BY)
            return error_set(err, SQLSTATE_GROUPING_ERROR, ast->pos,
                             "grouping operations are not allowed in %s", binder_clause_name(clause));
        int n = ast->u.func.args.count;
        if (n < 1 || n > 31)
            return error_set(err, SQLSTATE_PROGRAM_LIMIT, ast->pos,
                             "GROUPING must have between 1 and 31 arguments");
        Expr **args;
        BS_TRY(bind_list(b, &ast->u.func.args, scope, clause, &args, err));
        *out = expr_new_call(b->arena, FN_GROUPING, type_make(TYPE_INTEGER), args, n, ast->pos);
        return *out ? BS_OK : arena_error(b->arena, err);
    }
    if (binder_is_window_function(name))
        return error_set(err, "42809", ast->pos, "window function %s requires an OVER clause",
                         name);
    if (binder_is_special_function(name)) {
        /* now(), current_date, typeof(), date_part(), …: evaluated or rewritten here */
        if (ast->u.func.star || ast->u.func.distinct || ast->u.func.order.count > 0 ||
            ast->u.func.filter)
            return error_set(err, SQLSTATE_SYNTAX_ERROR, ast->pos,
                             "%s is not an aggregate function", name);
        Expr **args;
        BS_TRY(bind_list(b, &ast->u.func.args, scope, clause, &args, err));
        return binder_bind_special_function(b, name, args, ast->u.func.args.count, ast->pos, out,
                                            err);
    }
    if (binder_is_aggregate_name(name))
        return binder_bind_aggregate_call(b, ast, scope, clause, out, err);
    if (strcmp(name, "unnest") == 0) return binder_bind_unnest_call(b, ast, scope, clause, out, err);
    if (!binder_lookup_function(name, &is_agg, &id)) {
        Expr **args;
        BS_TRY(bind_list(b, &ast->u.func.args, scope, clause, &args, err));
        char types[160] = "";
        size_t len = 0;
        for (int k = 0; k < ast->u.func.args.count && len < sizeof types; k++) {
            char t[40];
            int n = snprintf(types + len, sizeof types - len, "%s%s", k ? ", " : "",
                             (args[k]->flags & EXPR_FLAG_UNTYPED)
                                 ? "unknown"
                                 : type_sql_name(args[k]->type, t, sizeof t));
            if (n > 0) len += (size_t)n;
        }
        error_set(err, SQLSTATE_UNDEFINED_FUNCTION, ast->pos, "function %s(%s) does not exist",
                  name, types);
        error_set_hint(err, "No function matches the given name and argument types. You might "
                            "need to add explicit type casts.");
        return BS_ERROR;
    }
    if (is_agg) /* aggregates are bound by binder_bind_aggregate_call */
        return error_set(err, SQLSTATE_INTERNAL_ERROR, ast->pos, "aggregate %s not bound", name);
    if (ast->u.func.order.count > 0 || ast->u.func.filter)
        return error_set(err, SQLSTATE_SYNTAX_ERROR, ast->pos,
                         "%s is not an aggregate function: ORDER BY, WITHIN GROUP and FILTER "
                         "are for aggregates",
                         name);
    if (ast->u.func.star || ast->u.func.distinct)
        return error_set(err, SQLSTATE_SYNTAX_ERROR, ast->pos, "%s is not an aggregate function",
                         name);
    Expr **args;
    BS_TRY(bind_list(b, &ast->u.func.args, scope, clause, &args, err));
    return binder_bind_scalar(b, (ScalarFuncId)id, args, ast->u.func.args.count, ast->pos, out,
                              err);
}

static Status bind_case(Binder *b, const AstExpr *ast, const Scope *scope, BindClause clause,
                        Expr **out, Error *err)
{
    int n = ast->u.case_.whens.count;
    Expr *e = expr_new(b->arena, EXPR_CASE, type_make(TYPE_INVALID), ast->pos);
    Expr **results = arena_alloc(b->arena, sizeof(Expr *) * (size_t)(n + 1));
    if (!e || !results) return arena_error(b->arena, err);
    e->u.case_.n_whens = n;
    e->u.case_.whens = arena_alloc(b->arena, sizeof(Expr *) * (size_t)n);
    if (!e->u.case_.whens) return arena_error(b->arena, err);
    Expr *operand = NULL;
    if (ast->u.case_.operand)
        BS_TRY(bind_expr(b, ast->u.case_.operand, scope, clause, &operand, err));
    for (int k = 0; k < n; k++) {
        const AstCaseWhen *w = ast->u.case_.whens.items[k];
        Expr *cond;
        BS_TRY(bind_expr(b, w->when, scope, clause, &cond, err));
        if (operand) BS_TRY(call2(b, FN_EQ, operand, cond, w->when->pos, &cond, err));
        BS_TRY(require_boolean(b, &cond, "CASE/WHEN", err));
        e->u.case_.whens[k] = cond;
        BS_TRY(bind_expr(b, w->then, scope, clause, &results[k], err));
    }
    if (ast->u.case_.else_expr) {
        BS_TRY(bind_expr(b, ast->u.case_.else_expr, scope, clause, &results[n], err));
    } else {
        Value null = value_null(type_make(TYPE_NULL));
        results[n] = expr_new_constant(b->arena, &null, ast->pos);
        if (!results[n]) return arena_error(b->arena, err);
        results[n]->flags = EXPR_FLAG_UNTYPED;
    }
    BS_TRY(binder_unify_types(b, results, n + 1, "CASE", err));
    e->u.case_.thens = results;
    e->u.case_.else_expr = results[n];
    e->type = results[n]->type;
    *out = e;
    return BS_OK;
}

static Status bind_in_list(Binder *b, const AstExpr *ast, const Scope *scope, BindClause clause,
                           Expr **out, Error *err)
{
    int n = ast->u.in_list.list.count;
    Expr **all = arena_alloc(b->arena, sizeof(Expr *) * (size_t)(n + 1));
    if (!all) return arena_error(b->arena, err);
    BS_TRY(bind_expr(b, ast->u.in_list.arg, scope, clause, &all[0], err));
    for (int k = 0; k < n; k++)
        BS_TRY(bind_expr(b, ast->u.in_list.list.items[k], scope, clause, &all[k + 1], err));
    BS_TRY(binder_unify_types(b, all, n + 1, "IN", err));
    /* A list of constants is one set-membership test (sorted, without duplicates);
       otherwise one n-ary OR of equalities (built at once: pairwise would be quadratic). */
    bool constants = true;
    for (int k = 1; k <= n && constants; k++)
        constants = all[k]->kind == EXPR_CONSTANT;
    Expr *result;
    if (n >= 2 && constants) {
        Value *values = arena_alloc(b->arena, sizeof(Value) * (size_t)n);
        if (!values) return arena_error(b->arena, err);
        for (int k = 0; k < n; k++)
            values[k] = all[k + 1]->u.constant;
        BS_TRY(expr_new_in(b->arena, all[0], values, n, ast->pos, &result, err));
    } else if (n == 1) {
        BS_TRY(call2(b, FN_EQ, all[0], all[1], all[1]->pos, &result, err));
    } else {
        result = expr_new(b->arena, EXPR_OR, type_make(TYPE_BOOLEAN), ast->pos);
        Expr **args = arena_alloc(b->arena, sizeof(Expr *) * (size_t)n);
        if (!result || !args) return arena_error(b->arena, err);
        for (int k = 1; k <= n; k++)
            BS_TRY(call2(b, FN_EQ, all[0], all[k], all[k]->pos, &args[k - 1], err));
        result->u.conj.n_args = n;
        result->u.conj.args = args;
    }
    if (ast->u.in_list.negated) result = make_unary(b, EXPR_NOT, result, ast->pos);
    *out = result;
    return result ? BS_OK : arena_error(b->arena, err);
}

Status bind_expr(Binder *b, const AstExpr *ast, const Scope *scope, BindClause clause, Expr **out,
                 Error *err)
{
    if (++b->depth > BINDER_MAX_DEPTH) {
        b->depth--;
        return error_set(err, SQLSTATE_PROGRAM_LIMIT, ast->pos,
                         "expression is too deeply nested (more than %d levels)", BINDER_MAX_DEPTH);
    }
    Status st = BS_OK;
    Expr *left, *right, *third;
    switch (ast->kind) {
    case AST_LITERAL:
        st = bind_literal(b, ast, out, err);
        break;
    case AST_COLUMN: {
        const ScopeColumn *col = NULL;
        st = scope_find(scope, ast->u.column.qualifier, ast->u.column.name, ast->pos, &col, err);
        if (st != BS_OK) break;
        *out = expr_new_column(b->arena, col->binding, col->type, ast->pos);
        if (!*out) st = arena_error(b->arena, err);
        break;
    }
    case AST_STAR:
        st = error_set(err, SQLSTATE_SYNTAX_ERROR, ast->pos, "* is not allowed here");
        break;
    case AST_UNARY:
        if ((st = bind_expr(b, ast->u.unary.arg, scope, clause, &left, err)) != BS_OK) break;
        if (ast->u.unary.op == OP_NOT) {
            if ((st = require_boolean(b, &left, "NOT", err)) != BS_OK) break;
            *out = make_unary(b, EXPR_NOT, left, ast->pos);
            if (!*out) st = arena_error(b->arena, err);
        } else if (ast->u.unary.op == OP_NEG) {
            st = negate(b, left, ast->pos, out, err);
        } else {
            if (!type_is_numeric(left->type) && !(left->flags & EXPR_FLAG_UNTYPED)) {
                char t[40];
                st = error_set(err, SQLSTATE_UNDEFINED_FUNCTION, ast->pos,
                               "operator does not exist: + %s",
                               type_sql_name(left->type, t, sizeof t));
            } else {
                *out = left;
            }
        }
        break;
    case AST_BINARY:
        if ((st = bind_expr(b, ast->u.binary.left, scope, clause, &left, err)) != BS_OK) break;
        if ((st = bind_expr(b, ast->u.binary.right, scope, clause, &right, err)) != BS_OK) break;
        if (ast->u.binary.op == OP_AND || ast->u.binary.op == OP_OR) {
            const char *what = ast->u.binary.op == OP_AND ? "AND" : "OR";
            if ((st = require_boolean(b, &left, what, err)) != BS_OK) break;
            if ((st = require_boolean(b, &right, what, err)) != BS_OK) break;
            *out = make_conj(b, ast->u.binary.op == OP_AND ? EXPR_AND : EXPR_OR, left, right,
                             ast->pos);
            if (!*out) st = arena_error(b->arena, err);
        } else {
            AstOp op = ast->u.binary.op;
            ScalarFuncId func = op_function(op);
            if (func == FN_COUNT_) {
                st = error_set(err, SQLSTATE_INTERNAL_ERROR, ast->pos, "unknown operator");
            } else if (op == OP_ARRAY_CONTAINED) {
                st = call2(b, func, right, left, ast->pos, out, err);
            } else if (func == FN_CONCAT &&
                       (left->type.id == TYPE_ARRAY || right->type.id == TYPE_ARRAY)) {
                st = binder_bind_array_concat(b, left, right, ast->pos, out, err);
            } else if (func == FN_REGEXP_MATCHES) {
                /* s ~ p is regexp_matches(s, p); ~* adds the flag i; !~ and !~* negate */
                st = bind_regex_operator(b, op, left, right, ast->pos, out, err);
            } else {
                st = call2(b, func, left, right, ast->pos, out, err);
            }
        }
        break;
    case AST_IS_NULL:
        if ((st = bind_expr(b, ast->u.is_null.arg, scope, clause, &left, err)) != BS_OK) break;
        if (left->type.id == TYPE_NULL &&
            (st = binder_cast(b, &left, type_make(TYPE_INTEGER), false, err)) != BS_OK)
            break;
        *out =
            make_unary(b, ast->u.is_null.negated ? EXPR_IS_NOT_NULL : EXPR_IS_NULL, left, ast->pos);
        if (!*out) st = arena_error(b->arena, err);
        break;
    case AST_CAST: {
        LogicalType target;
        if ((st = planner_resolve_type(ast->u.cast.type, &target, err)) != BS_OK) break;
        if (ast->u.cast.arg->kind == AST_ARRAY && target.id == TYPE_ARRAY && !ast->u.cast.is_try) {
            /* ARRAY[…]::t[]: the elements are cast (and ARRAY[] gets its type) */
            st = binder_bind_array_ctor(b, ast->u.cast.arg, scope, clause, &target, out, err);
            break;
        }
        if ((st = bind_expr(b, ast->u.cast.arg, scope, clause, &left, err)) != BS_OK) break;
        if (ast->u.cast.is_try) {
            st = bind_try_cast(b, left, target, ast->pos, out, err);
            break;
        }
        st = binder_cast(b, &left, target, true, err);
        *out = left;
        break;
    }
    case AST_FUNCTION:
        st = bind_function(b, ast, scope, clause, out, err);
        break;
    case AST_BETWEEN: {
        if ((st = bind_expr(b, ast->u.between.arg, scope, clause, &left, err)) != BS_OK) break;
        if ((st = bind_expr(b, ast->u.between.low, scope, clause, &right, err)) != BS_OK) break;
        if ((st = bind_expr(b, ast->u.between.high, scope, clause, &third, err)) != BS_OK) break;
        Expr *ge, *le;
        if ((st = call2(b, FN_GE, left, right, ast->pos, &ge, err)) != BS_OK) break;
        if ((st = call2(b, FN_LE, left, third, ast->pos, &le, err)) != BS_OK) break;
        *out = make_conj(b, EXPR_AND, ge, le, ast->pos);
        if (*out && ast->u.between.negated) *out = make_unary(b, EXPR_NOT, *out, ast->pos);
        if (!*out) st = arena_error(b->arena, err);
        break;
    }
    case AST_IN_LIST:
        st = bind_in_list(b, ast, scope, clause, out, err);
        break;
    case AST_LIKE: {
        if ((st = bind_expr(b, ast->u.like.arg, scope, clause, &left, err)) != BS_OK) break;
        if ((st = bind_expr(b, ast->u.like.pattern, scope, clause, &right, err)) != BS_OK) break;
        third = NULL;
        if (ast->u.like.escape &&
            (st = bind_expr(b, ast->u.like.escape, scope, clause, &third, err)) != BS_OK)
            break;
        if (ast->u.like.case_insensitive) {
            Expr *args[1] = {left};
            if ((st = binder_bind_scalar(b, FN_LOWER, args, 1, ast->pos, &left, err)) != BS_OK)
                break;
            args[0] = right;
            if ((st = binder_bind_scalar(b, FN_LOWER, args, 1, ast->pos, &right, err)) != BS_OK)
                break;
        }
        Expr **like_args = arena_alloc(b->arena, sizeof(Expr *) * 3);
        if (!like_args) {
            st = arena_error(b->arena, err);
            break;
        }
        like_args[0] = left;
        like_args[1] = right;
        like_args[2] = third;
        st = binder_bind_scalar(b, ast->u.like.negated ? FN_NOT_LIKE : FN_LIKE, like_args,
                                third ? 3 : 2, ast->pos, out, err);
        break;
    }
    case AST_CASE:
        st = bind_case(b, ast, scope, clause, out, err);
        break;
    case AST_IN_SELECT:
    case AST_QUANTIFIED:
    case AST_EXISTS:
    case AST_SUBQUERY:
        st = bind_subquery_expr(b, ast, scope, clause, out, err);
        break;
    case AST_INTERVAL:
        st = bind_interval(b, ast, out, err);
        break;
    case AST_EXTRACT:
        if ((st = bind_expr(b, ast->u.extract.arg, scope, clause, &left, err)) != BS_OK) break;
        st = binder_bind_extract(b, ast->u.extract.field, left, ast->pos, out, err);
        break;
    case AST_ARRAY:
    case AST_SUBSCRIPT:
    case AST_ANY_ALL:
        st = binder_bind_array_expr(b, ast, scope, clause, out, err);
        break;
    }
    b->depth--;
    return st;
}

const char *bind_default_name(const AstExpr *ast)
{
    switch (ast->kind) {
    case AST_COLUMN:
        return ast->u.column.name;
    case AST_FUNCTION:
        return ast->u.func.name;
    case AST_CAST:
        if (!ast->u.cast.is_literal) {
            const char *inner = bind_default_name(ast->u.cast.arg);
            if (strcmp(inner, "?column?") != 0) return inner;
        }
        return ast->u.cast.type->name;
    case AST_CASE:
        return "case";
    case AST_EXTRACT:
        return "extract";
    case AST_ARRAY:
        return "array";
    case AST_INTERVAL:
        return "interval";
    case AST_EXISTS:
        return "exists";
    default:
        return "?column?";
    }
}

Status binder_require_boolean(Binder *b, Expr **e, const char *what, Error *err)
{
    return require_boolean(b, e, what, err);
}

Expr *binder_make_and(Binder *b, Expr *left, Expr *right)
{
    return make_conj(b, EXPR_AND, left, right, left->pos);
}
