/*
 * bind_array.c — binds the array expressions: ARRAY[…] constructors (typed by the common
 * type of their elements, or by the cast around an empty one), subscripts and slices,
 * `x op ANY|SOME|ALL (array)`, `||` between arrays and elements, and the typing rules of
 * the array functions of the registry (functions.c points its entries here).
 *
 * Element types follow PostgreSQL's polymorphic rules: an element argument and an array's
 * elements are brought to their common type (casting the array when the element is wider:
 * array_position(ARRAY[1,2], 2.5) compares as numeric). Nested arrays are 0A000.
 */
#include "planner/planner_int.h"

#include "common/array.h"

#include <string.h>

#define SQLSTATE_INDETERMINATE_DATATYPE "42P18"

static bool is_untyped(const Expr *e)
{
    return (e->flags & EXPR_FLAG_UNTYPED) != 0 || e->type.id == TYPE_NULL;
}

static Status nested_error(int pos, Error *err)
{
    return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, pos,
                     "arrays of arrays are not supported");
}

/* An array argument: a typed array, or an untyped literal/NULL that takes type `hint`. */
static Status require_array(Binder *b, ScalarFuncId id, Expr **args, int n_args, int k,
                            const LogicalType *hint, int pos, Error *err)
{
    if (args[k]->type.id == TYPE_ARRAY) return BS_OK;
    if (is_untyped(args[k]) && hint && hint->id == TYPE_ARRAY)
        return binder_cast(b, &args[k], *hint, false, err);
    if (is_untyped(args[k])) {
        error_set(err, SQLSTATE_INDETERMINATE_DATATYPE, args[k]->pos,
                  "could not determine polymorphic type because input has type unknown");
        return BS_ERROR;
    }
    return binder_no_function_match(id, args, n_args, pos, err);
}

/* Brings args[a] (an array) and args[x] (an element) to one element type. */
static Status unify_elem(Binder *b, ScalarFuncId id, Expr **args, int n_args, int a, int x, int pos,
                         Error *err)
{
    LogicalType elem = type_array_elem(args[a]->type), common;
    if (args[x]->type.id == TYPE_ARRAY) return nested_error(args[x]->pos, err);
    if (!binder_common_type_with(elem, false, args[x], &common))
        return binder_no_function_match(id, args, n_args, pos, err);
    if (!type_equals(common, elem))
        BS_TRY(binder_cast(b, &args[a], type_array_of(common), false, err));
    return binder_cast(b, &args[x], common, false, err);
}

/* Brings two arrays to their common type (untyped sides take the other's). */
static Status unify_arrays(Binder *b, ScalarFuncId id, Expr **args, int n_args, int pos, Error *err)
{
    const LogicalType *hint0 = args[1]->type.id == TYPE_ARRAY ? &args[1]->type : NULL;
    const LogicalType *hint1 = args[0]->type.id == TYPE_ARRAY ? &args[0]->type : NULL;
    BS_TRY(require_array(b, id, args, n_args, 0, hint0, pos, err));
    BS_TRY(require_array(b, id, args, n_args, 1, hint1, pos, err));
    LogicalType common;
    if (!binder_common_type(args[0], args[1], &common))
        return binder_no_function_match(id, args, n_args, pos, err);
    BS_TRY(binder_cast(b, &args[0], common, false, err));
    return binder_cast(b, &args[1], common, false, err);
}

static Status cast_to(Binder *b, Expr **e, TypeId id, Error *err)
{
    return binder_cast(b, e, type_make(id), false, err);
}

Status binder_bind_array_fn(Binder *b, ScalarFuncId id, Expr **args, int n_args, int pos,
                            LogicalType *ret, Error *err)
{
    switch (id) {
    case FN_ARRAY_VALUE:
        if (n_args < 1) break;
        if (args[0]->type.id == TYPE_ARRAY) return nested_error(args[0]->pos, err);
        BS_TRY(binder_unify_types(b, args, n_args, "ARRAY", err));
        *ret = type_array_of(args[0]->type);
        return BS_OK;
    case FN_ARRAY_EXTRACT:
    case FN_ARRAY_SLICE:
        BS_TRY(require_array(b, id, args, n_args, 0, NULL, pos, err));
        for (int k = 1; k < n_args; k++)
            BS_TRY(cast_to(b, &args[k], TYPE_BIGINT, err));
        *ret = id == FN_ARRAY_EXTRACT ? type_array_elem(args[0]->type) : args[0]->type;
        return BS_OK;
    case FN_CARDINALITY:
    case FN_ARRAY_LENGTH:
    case FN_ARRAY_LOWER:
    case FN_ARRAY_UPPER:
        BS_TRY(require_array(b, id, args, n_args, 0, NULL, pos, err));
        if (n_args == 2) BS_TRY(cast_to(b, &args[1], TYPE_BIGINT, err));
        *ret = type_make(TYPE_INTEGER);
        return BS_OK;
    case FN_ARRAY_POSITION:
    case FN_ARRAY_CONTAINS:
    case FN_ARRAY_APPEND:
    case FN_ARRAY_REMOVE:
        BS_TRY(require_array(b, id, args, n_args, 0, NULL, pos, err));
        BS_TRY(unify_elem(b, id, args, n_args, 0, 1, pos, err));
        *ret = id == FN_ARRAY_POSITION   ? type_make(TYPE_INTEGER)
               : id == FN_ARRAY_CONTAINS ? type_make(TYPE_BOOLEAN)
                                         : args[0]->type;
        return BS_OK;
    case FN_ARRAY_PREPEND:
        BS_TRY(require_array(b, id, args, n_args, 1, NULL, pos, err));
        BS_TRY(unify_elem(b, id, args, n_args, 1, 0, pos, err));
        *ret = args[1]->type;
        return BS_OK;
    case FN_ARRAY_HAS_ALL:
    case FN_ARRAY_OVERLAP:
    case FN_ARRAY_CAT:
        BS_TRY(unify_arrays(b, id, args, n_args, pos, err));
        *ret = id == FN_ARRAY_CAT ? args[0]->type : type_make(TYPE_BOOLEAN);
        return BS_OK;
    case FN_ARRAY_TO_STRING:
        BS_TRY(require_array(b, id, args, n_args, 0, NULL, pos, err));
        for (int k = 1; k < n_args; k++)
            BS_TRY(cast_to(b, &args[k], TYPE_VARCHAR, err));
        *ret = type_make(TYPE_VARCHAR);
        return BS_OK;
    case FN_STRING_TO_ARRAY:
        for (int k = 0; k < n_args; k++)
            BS_TRY(cast_to(b, &args[k], TYPE_VARCHAR, err));
        *ret = type_array_of(type_make(TYPE_VARCHAR));
        return BS_OK;
    case FN_UNNEST:
    case FN_ARRAY_DISTINCT:
    case FN_ARRAY_SORT:
    case FN_ARRAY_MAX:
    case FN_ARRAY_MIN:
        BS_TRY(require_array(b, id, args, n_args, 0, NULL, pos, err));
        *ret = (id == FN_ARRAY_MAX || id == FN_ARRAY_MIN || id == FN_UNNEST)
                   ? type_array_elem(args[0]->type)
                                                          : args[0]->type;
        return BS_OK;
    case FN_ARRAY_ANY:
    case FN_ARRAY_ALL:
        if (args[0]->kind != EXPR_CONSTANT || args[0]->type.id != TYPE_INTEGER) break;
        BS_TRY(require_array(b, id, args, n_args, 2, NULL, pos, err));
        BS_TRY(unify_elem(b, id, args, n_args, 2, 1, pos, err));
        *ret = type_make(TYPE_BOOLEAN);
        return BS_OK;
    default:
        break;
    }
    return binder_no_function_match(id, args, n_args, pos, err);
}

Status binder_bind_array_concat(Binder *b, Expr *left, Expr *right, int pos, Expr **out,
                                Error *err)
{
    Expr **args = arena_alloc(b->arena, sizeof(Expr *) * 2);
    if (!args) return arena_error(b->arena, err);
    args[0] = left;
    args[1] = right;
    ScalarFuncId id = FN_ARRAY_CAT;
    bool la = left->type.id == TYPE_ARRAY, ra = right->type.id == TYPE_ARRAY;
    /* An untyped literal next to an array is an array of its type (PostgreSQL's anyarray). */
    if (la && !ra && !is_untyped(right)) id = FN_ARRAY_APPEND;
    if (ra && !la && !is_untyped(left)) id = FN_ARRAY_PREPEND;
    return binder_bind_scalar(b, id, args, 2, pos, out, err);
}

/* An empty array constant of type t. */
static Status empty_array(Binder *b, LogicalType t, int pos, Expr **out, Error *err)
{
    ArrayBuilder ab;
    array_builder_init(&ab, type_array_elem(t));
    Value v = value_null(t);
    v.is_null = false;
    uint32_t len;
    Status st = array_builder_finish(&ab, b->arena, &v.u.str.data, &len, err);
    array_builder_free(&ab);
    BS_TRY(st);
    v.u.str.len = len;
    *out = expr_new_constant(b->arena, &v, pos);
    return *out ? BS_OK : arena_error(b->arena, err);
}

Status binder_bind_array_ctor(Binder *b, const AstExpr *ast, const Scope *scope, BindClause clause,
                              const LogicalType *target, Expr **out, Error *err)
{
    if (ast->u.array.query)
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, ast->pos,
                         "ARRAY(subquery) is not supported yet: use array_agg in a subquery");
    int n = ast->u.array.elems.count;
    if (n == 0) {
        if (!target) {
            error_set(err, SQLSTATE_INDETERMINATE_DATATYPE, ast->pos,
                      "cannot determine type of empty array");
            error_set_hint(err, "Explicitly cast to the desired type, for example "
                                "ARRAY[]::integer[].");
            return BS_ERROR;
        }
        return empty_array(b, *target, ast->pos, out, err);
    }
    Expr **args = arena_alloc(b->arena, sizeof(Expr *) * (size_t)n);
    if (!args) return arena_error(b->arena, err);
    for (int k = 0; k < n; k++) {
        const AstExpr *e = ast->u.array.elems.items[k];
        if (e->kind == AST_ARRAY) return nested_error(e->pos, err);
        BS_TRY(bind_expr(b, e, scope, clause, &args[k], err));
        if (args[k]->type.id == TYPE_ARRAY) return nested_error(args[k]->pos, err);
        /* ARRAY['1', '2']::int[]: elements take the cast's element type */
        if (target) BS_TRY(binder_cast(b, &args[k], type_array_elem(*target), true, err));
    }
    return binder_bind_scalar(b, FN_ARRAY_VALUE, args, n, ast->pos, out, err);
}

static Status bind_subscript(Binder *b, const AstExpr *ast, const Scope *scope, BindClause clause,
                             Expr **out, Error *err)
{
    Expr *arr;
    BS_TRY(bind_expr(b, ast->u.subscript.arg, scope, clause, &arr, err));
    if (arr->type.id != TYPE_ARRAY) {
        char t[40];
        return error_set(err, SQLSTATE_DATATYPE_MISMATCH, ast->pos,
                         "cannot subscript type %s because it does not support subscripting",
                         is_untyped(arr) ? "unknown" : type_sql_name(arr->type, t, sizeof t));
    }
    Expr **args = arena_alloc(b->arena, sizeof(Expr *) * 3);
    if (!args) return arena_error(b->arena, err);
    args[0] = arr;
    const AstExpr *bounds[2] = {ast->u.subscript.lower, ast->u.subscript.upper};
    int n = ast->u.subscript.slice ? 3 : 2;
    for (int k = 1; k < n; k++) {
        const AstExpr *bound = bounds[k - 1];
        if (bound) {
            BS_TRY(bind_expr(b, bound, scope, clause, &args[k], err));
            if (!type_is_integral(args[k]->type) && !is_untyped(args[k]))
                return error_set(err, SQLSTATE_DATATYPE_MISMATCH, args[k]->pos,
                                 "array subscript must have type integer");
        } else {
            Value v = value_bigint(k == 1 ? 1 : INT64_MAX);
            if (!(args[k] = expr_new_constant(b->arena, &v, ast->pos)))
                return arena_error(b->arena, err);
        }
    }
    return binder_bind_scalar(b, n == 3 ? FN_ARRAY_SLICE : FN_ARRAY_EXTRACT, args, n, ast->pos, out,
                              err);
}

static Status bind_any_all(Binder *b, const AstExpr *ast, const Scope *scope, BindClause clause,
                           Expr **out, Error *err)
{
    Expr **args = arena_alloc(b->arena, sizeof(Expr *) * 3);
    if (!args) return arena_error(b->arena, err);
    int op;
    switch (ast->u.any_all.op) {
    case OP_EQ:
        op = 0;
        break;
    case OP_NE:
        op = 1;
        break;
    case OP_LT:
        op = 2;
        break;
    case OP_LE:
        op = 3;
        break;
    case OP_GT:
        op = 4;
        break;
    default:
        op = 5;
        break;
    }
    Value v = value_integer(op);
    if (!(args[0] = expr_new_constant(b->arena, &v, ast->pos))) return arena_error(b->arena, err);
    BS_TRY(bind_expr(b, ast->u.any_all.arg, scope, clause, &args[1], err));
    BS_TRY(bind_expr(b, ast->u.any_all.array, scope, clause, &args[2], err));
    if (args[2]->type.id != TYPE_ARRAY && is_untyped(args[2])) {
        /* x = ANY ('{1,2}'): the literal is an array of x's type */
        LogicalType elem = is_untyped(args[1]) ? type_make(TYPE_VARCHAR) : args[1]->type;
        if (elem.id == TYPE_ARRAY) return nested_error(args[1]->pos, err);
        BS_TRY(binder_cast(b, &args[2], type_array_of(elem), false, err));
    }
    if (args[2]->type.id != TYPE_ARRAY)
        return error_set(err, SQLSTATE_WRONG_OBJECT_TYPE, args[2]->pos,
                         "op ANY/ALL (array) requires array on right side");
    return binder_bind_scalar(b, ast->u.any_all.all ? FN_ARRAY_ALL : FN_ARRAY_ANY, args, 3,
                              ast->pos, out, err);
}

Status binder_bind_array_expr(Binder *b, const AstExpr *ast, const Scope *scope, BindClause clause,
                              Expr **out, Error *err)
{
    switch (ast->kind) {
    case AST_ARRAY:
        return binder_bind_array_ctor(b, ast, scope, clause, NULL, out, err);
    case AST_SUBSCRIPT:
        return bind_subscript(b, ast, scope, clause, out, err);
    case AST_ANY_ALL:
        return bind_any_all(b, ast, scope, clause, out, err);
    default:
        break;
    }
    return error_set(err, SQLSTATE_INTERNAL_ERROR, ast->pos, "not an array expression");
}
