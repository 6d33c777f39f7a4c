/*
 * coerce.c — type names, implicit and explicit conversions, common types.
 *
 * The rules follow PostgreSQL and DuckDB: numbers widen implicitly (integer → bigint →
 * hugeint → decimal → double), dates widen to timestamps, and a string literal or NULL without a
 * type takes the type its context needs (it is parsed at bind time, so a bad literal is reported at
 * its own position). Anything else needs an explicit CAST.
 */
#include "planner/planner_int.h"

#include "common/array.h"
#include "common/cast.h"

#include <ctype.h>
#include <string.h>

const char *type_sql_name(LogicalType type, char *buf, size_t size)
{
    type_format(type, buf, size);
    for (char *p = buf; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return buf;
}

static bool is_untyped(const Expr *e)
{
    return (e->flags & EXPR_FLAG_UNTYPED) != 0 || e->type.id == TYPE_NULL;
}

/* Rank of an integer type in the widening order. */
static int integer_rank(LogicalType t)
{
    switch ((TypeId)t.id) {
    case TYPE_TINYINT:
        return 0;
    case TYPE_SMALLINT:
        return 1;
    case TYPE_INTEGER:
        return 2;
    case TYPE_BIGINT:
        return 3;
    default:
        return 4;
    }
}

/* A string type without its length: what an expression of that type is compared as. */
static LogicalType unlimited(LogicalType t)
{
    if (type_is_string(t)) t.length = 0;
    return t;
}

/* Implicit conversions (without a CAST). */
static bool implicit_castable(LogicalType from, LogicalType to)
{
    if (from.id == TYPE_NULL || type_equals(from, to)) return true;
    /* any text to unlimited text; CHAR and VARCHAR both ways (PostgreSQL's bpchar/text) */
    if (type_is_string(from) && type_is_string(to) && to.length == 0) return true;
    /* timestamp → timestamptz in the session's zone, as PostgreSQL */
    if (to.id == TYPE_TIMESTAMPTZ && type_is_temporal(from)) return true;
    if (from.id == TYPE_ARRAY && to.id == TYPE_ARRAY)
        return implicit_castable(type_array_elem(from), type_array_elem(to));
    switch ((TypeId)from.id) {
    case TYPE_TINYINT:
    case TYPE_SMALLINT:
    case TYPE_INTEGER:
    case TYPE_BIGINT:
    case TYPE_HUGEINT:
        /* up the integer ladder, to any decimal, REAL or DOUBLE */
        return (type_is_integral(to) && integer_rank(to) > integer_rank(from)) ||
               to.id == TYPE_DECIMAL || type_is_float(to);
    case TYPE_DECIMAL:
        return to.id == TYPE_DECIMAL || type_is_float(to);
    case TYPE_REAL:
        return to.id == TYPE_DOUBLE;
    case TYPE_DATE:
        return to.id == TYPE_TIMESTAMP;
    case TYPE_TIME:
        return to.id == TYPE_INTERVAL; /* PostgreSQL's implicit time → interval */
    default:
        return false;
    }
}

LogicalType binder_decimal_of(LogicalType t)
{
    if (t.id == TYPE_DECIMAL) return t;
    if (t.id == TYPE_TINYINT) return type_decimal(3, 0);
    if (t.id == TYPE_SMALLINT) return type_decimal(5, 0);
    if (t.id == TYPE_INTEGER) return type_decimal(10, 0);
    if (t.id == TYPE_BIGINT) return type_decimal(19, 0);
    return type_decimal(DECIMAL_MAX_PRECISION, 0);
}

/* Common type of two typed types, or false. */
static bool common_of_types(LogicalType a, LogicalType b, LogicalType *out)
{
    if (type_equals(a, b)) {
        *out = a;
        return true;
    }
    if (type_is_numeric(a) && type_is_numeric(b)) {
        bool a_real = a.id == TYPE_REAL, b_real = b.id == TYPE_REAL;
        if (a.id == TYPE_DOUBLE || b.id == TYPE_DOUBLE) {
            *out = type_make(TYPE_DOUBLE);
        } else if (a_real || b_real) {
            /* REAL with an integer of up to 32 bits stays REAL (PostgreSQL's int4 + float4);
               with a wider integer or a decimal, whose digits REAL would lose, DOUBLE */
            LogicalType other = a_real ? b : a;
            bool narrow =
                other.id == TYPE_REAL || (type_is_integral(other) && integer_rank(other) <= 2);
            *out = type_make(narrow ? TYPE_REAL : TYPE_DOUBLE);
        } else if (a.id == TYPE_DECIMAL || b.id == TYPE_DECIMAL) {
            LogicalType da = binder_decimal_of(a), db = binder_decimal_of(b);
            int scale = BS_MAX(da.scale, db.scale);
            int digits = BS_MAX(da.precision - da.scale, db.precision - db.scale);
            int precision = BS_MIN(DECIMAL_MAX_PRECISION, digits + scale);
            *out = type_decimal(precision, scale);
        } else {
            *out = integer_rank(a) >= integer_rank(b) ? a : b; /* the wider integer */
        }
        return true;
    }
    if (type_is_temporal(a) && type_is_temporal(b)) {
        *out = type_make(TYPE_TIMESTAMP);
        return true;
    }
    bool a_tz = a.id == TYPE_TIMESTAMPTZ, b_tz = b.id == TYPE_TIMESTAMPTZ;
    if ((a_tz || type_is_temporal(a)) && (b_tz || type_is_temporal(b))) {
        *out = type_make(TYPE_TIMESTAMPTZ);
        return true;
    }
    if (type_is_string(a) && type_is_string(b)) {
        /* CHAR with CHAR stays blank-padded; with VARCHAR it is text (PostgreSQL) */
        *out = type_make(a.id == TYPE_CHAR && b.id == TYPE_CHAR ? TYPE_CHAR : TYPE_VARCHAR);
        return true;
    }
    if (a.id == TYPE_ARRAY && b.id == TYPE_ARRAY) {
        LogicalType elem;
        if (!common_of_types(type_array_elem(a), type_array_elem(b), &elem)) return false;
        *out = type_array_of(elem);
        return true;
    }
    return false;
}

bool binder_common_type_with(LogicalType have, bool have_untyped, const Expr *e, LogicalType *out)
{
    bool e_untyped = is_untyped(e);
    if (have_untyped && e_untyped) {
        /* Two literals without types: strings stay strings; NULL alone is an integer. */
        if (have.id == TYPE_VARCHAR || e->type.id == TYPE_VARCHAR)
            *out = type_make(TYPE_VARCHAR);
        else
            *out = type_make(TYPE_INTEGER);
        return true;
    }
    /* a literal takes the other side's type, without a CHAR(n)/VARCHAR(n) length: 'abcdef'
       compared with a CHAR(3) is not cut to 3 characters */
    if (have_untyped) {
        *out = unlimited(e->type);
        return true;
    }
    if (e_untyped) {
        *out = unlimited(have);
        return true;
    }
    return common_of_types(have, e->type, out);
}

bool binder_common_type(const Expr *a, const Expr *b, LogicalType *out)
{
    return binder_common_type_with(a->type, is_untyped(a), b, out);
}

Status binder_cast(Binder *b, Expr **e, LogicalType target, bool explicit_cast, Error *err)
{
    Expr *in = *e;
    if (type_equals(in->type, target)) {
        in->flags &= (uint8_t)~EXPR_FLAG_UNTYPED;
        return BS_OK;
    }
    char from_name[40], to_name[40];
    if (!cast_is_possible(in->type, target)) goto impossible;
    if (!explicit_cast && !is_untyped(in) && !implicit_castable(in->type, target)) goto impossible;
    if (cast_needs_zone(in->type, target) && in->kind != EXPR_CONSTANT)
        return binder_cast_in_zone(b, e, target, NULL, err);
    if (in->kind == EXPR_CONSTANT) {
        Value folded;
        BS_TRY(
            value_cast_in_zone(&in->u.constant, target, b->zone, b->arena, &folded, in->pos, err));
        Expr *c = expr_new_constant(b->arena, &folded, in->pos);
        if (!c) return arena_error(b->arena, err);
        *e = c;
        return BS_OK;
    }
    Expr *cast = expr_new(b->arena, EXPR_CAST, target, in->pos);
    if (!cast) return arena_error(b->arena, err);
    cast->u.cast.arg = in;
    *e = cast;
    return BS_OK;
impossible:
    return error_set(err, SQLSTATE_CANNOT_COERCE, in->pos, "cannot cast type %s to %s",
                     type_sql_name(in->type, from_name, sizeof from_name),
                     type_sql_name(target, to_name, sizeof to_name));
}

Status binder_cast_in_zone(Binder *b, Expr **e, LogicalType target, Expr *zone, Error *err)
{
    Expr *in = *e;
    if (!zone) {
        Value name = value_varchar(b->zone_name, (uint32_t)strlen(b->zone_name));
        zone = expr_new_constant(b->arena, &name, in->pos);
        if (!zone) return arena_error(b->arena, err);
    }
    Expr **args = arena_alloc(b->arena, 2 * sizeof *args);
    if (!args) return arena_error(b->arena, err);
    args[0] = in;
    args[1] = zone;
    *e = expr_new_call(b->arena, FN_CAST_IN_ZONE, target, args, 2, in->pos);
    return *e ? BS_OK : arena_error(b->arena, err);
}

Status binder_unify_types(Binder *b, Expr **exprs, int n, const char *what, Error *err)
{
    if (n == 0) return BS_OK;
    LogicalType common = exprs[0]->type;
    bool untyped = is_untyped(exprs[0]);
    for (int k = 1; k < n; k++) {
        LogicalType next;
        if (!binder_common_type_with(common, untyped, exprs[k], &next)) {
            char a[40], c[40];
            return error_set(err, SQLSTATE_DATATYPE_MISMATCH, exprs[k]->pos,
                             "%s types %s and %s cannot be matched", what,
                             type_sql_name(common, a, sizeof a),
                             type_sql_name(exprs[k]->type, c, sizeof c));
        }
        untyped = untyped && is_untyped(exprs[k]);
        common = next;
    }
    if (common.id == TYPE_NULL) common = type_make(TYPE_INTEGER);
    for (int k = 0; k < n; k++)
        BS_TRY(binder_cast(b, &exprs[k], common, false, err));
    return BS_OK;
}

/* Conversions allowed when storing a value in a column (PostgreSQL's assignment casts). */
static bool assignment_castable(LogicalType from, LogicalType to)
{
    if (implicit_castable(from, to)) return true;
    if (from.id == TYPE_ARRAY && to.id == TYPE_ARRAY)
        return assignment_castable(type_array_elem(from), type_array_elem(to));
    if (type_is_numeric(from) && type_is_numeric(to)) return true;
    if (type_is_string(to)) return true;
    if (type_is_temporal(from) && type_is_temporal(to)) return true;
    bool from_tz = from.id == TYPE_TIMESTAMPTZ;
    if (from_tz && (type_is_temporal(to) || to.id == TYPE_TIME)) return true;
    if (to.id == TYPE_TIME && from.id == TYPE_TIMESTAMP) return true;
    return false;
}

Status binder_assign_cast(Binder *b, Expr **e, LogicalType target, const char *column, Error *err)
{
    Expr *in = *e;
    if (!is_untyped(in) && !assignment_castable(in->type, target) &&
        !(b->copy_text && type_is_string(in->type))) {
        char a[40], c[40];
        error_set(err, SQLSTATE_DATATYPE_MISMATCH, in->pos,
                  "column \"%s\" is of type %s but expression is of type %s", column,
                  type_sql_name(target, a, sizeof a), type_sql_name(in->type, c, sizeof c));
        error_set_hint(err, "You will need to rewrite or cast the expression.");
        return BS_ERROR;
    }
    if (!type_is_string(target) || target.length == 0) return binder_cast(b, e, target, true, err);
    /* CHAR(n) / VARCHAR(n): a longer value fails (22001) unless the excess is spaces */
    LogicalType text = unlimited(target);
    BS_TRY(binder_cast(b, e, text, true, err));
    in = *e;
    if (in->kind == EXPR_CONSTANT) {
        Value v = in->u.constant;
        v.type = target;
        if (!v.is_null) {
            bool too_long;
            v.u.str.len = string_fit(target, v.u.str.data, v.u.str.len, &too_long);
            if (too_long) return string_too_long(target, in->pos, err);
        }
        Expr *c = expr_new_constant(b->arena, &v, in->pos);
        if (!c) return arena_error(b->arena, err);
        *e = c;
        return BS_OK;
    }
    Expr **args = arena_alloc(b->arena, sizeof *args);
    if (!args) return arena_error(b->arena, err);
    args[0] = in;
    *e = expr_new_call(b->arena, FN_STRING_FIT, target, args, 1, in->pos);
    return *e ? BS_OK : arena_error(b->arena, err);
}

static Status resolve_scalar_type(const AstTypeName *name, LogicalType *out, Error *err);

Status planner_resolve_type(const AstTypeName *name, LogicalType *out, Error *err)
{
    if (name->array_dims == 0) return resolve_scalar_type(name, out, err);
    /* int[], int[][] (PostgreSQL does not enforce dimensions: one type), int ARRAY */
    LogicalType elem;
    BS_TRY(resolve_scalar_type(name, &elem, err));
    if (!array_elem_type_ok(elem))
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, name->pos,
                         "arrays of type %s are not supported", name->name);
    *out = type_array_of(elem);
    return BS_OK;
}

static Status resolve_scalar_type(const AstTypeName *name, LogicalType *out, Error *err)
{
    static const struct {
        const char *name;
        TypeId id;
    } names[] = {
        {"boolean", TYPE_BOOLEAN},
        {"bool", TYPE_BOOLEAN},
        {"integer", TYPE_INTEGER},
        {"int", TYPE_INTEGER},
        {"int4", TYPE_INTEGER},
        {"bigint", TYPE_BIGINT},
        {"int8", TYPE_BIGINT},
        {"long", TYPE_BIGINT},
        {"double", TYPE_DOUBLE},
        {"double precision", TYPE_DOUBLE},
        {"float8", TYPE_DOUBLE},
        {"float", TYPE_DOUBLE},
        {"decimal", TYPE_DECIMAL},
        {"numeric", TYPE_DECIMAL},
        {"varchar", TYPE_VARCHAR},
        {"text", TYPE_VARCHAR},
        {"string", TYPE_VARCHAR},
        {"char", TYPE_CHAR},
        {"character", TYPE_CHAR},
        {"character varying", TYPE_VARCHAR},
        {"bpchar", TYPE_CHAR},
        {"date", TYPE_DATE},
        {"time", TYPE_TIME},
        {"timestamp with time zone", TYPE_TIMESTAMPTZ},
        {"timestamptz", TYPE_TIMESTAMPTZ},
        {"timestamp", TYPE_TIMESTAMP},
        {"datetime", TYPE_TIMESTAMP},
        {"interval", TYPE_INTERVAL},
        {"hugeint", TYPE_HUGEINT},
        {"int128", TYPE_HUGEINT},
        {"smallint", TYPE_SMALLINT},
        {"int2", TYPE_SMALLINT},
        {"short", TYPE_SMALLINT},
        {"tinyint", TYPE_TINYINT},
        {"int1", TYPE_TINYINT},
        {"real", TYPE_REAL},
        {"float4", TYPE_REAL},
    };
    /* float(p) as PostgreSQL: 1-24 bits REAL, 25-53 DOUBLE; a bare float is DOUBLE */
    if (strcmp(name->name, "float") == 0 && name->n_params == 1) {
        if (name->params[0] < 1 || name->params[0] > 53)
            return error_set(err, SQLSTATE_INVALID_PARAMETER, name->pos,
                             "precision for type float must be between 1 and 53 bits");
        *out = type_make(name->params[0] <= 24 ? TYPE_REAL : TYPE_DOUBLE);
        return BS_OK;
    }
    for (size_t k = 0; k < BS_ARRAY_LEN(names); k++) {
        if (strcmp(name->name, names[k].name) != 0) continue;
        TypeId id = names[k].id;
        if (id == TYPE_DECIMAL) {
            int precision = DECIMAL_DEFAULT_PRECISION, scale = DECIMAL_DEFAULT_SCALE;
            if (name->n_params >= 1) {
                if (name->params[0] < 1 || name->params[0] > DECIMAL_MAX_PRECISION)
                    return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, name->pos,
                                     "DECIMAL precision %lld is not supported (1 to %d)",
                                     (long long)name->params[0], DECIMAL_MAX_PRECISION);
                precision = (int)name->params[0];
                int64_t s = name->n_params >= 2 ? name->params[1] : 0;
                if (s < 0 || s > precision)
                    return error_set(err, SQLSTATE_INVALID_PARAMETER, name->pos,
                                     "DECIMAL scale %lld must be between 0 and precision %d",
                                     (long long)s, precision);
                scale = (int)s;
            }
            *out = type_decimal(precision, scale);
            return BS_OK;
        }
        if (id == TYPE_VARCHAR || id == TYPE_CHAR) {
            /* CHAR(n), VARCHAR(n): n from 1 to 10485760 (PostgreSQL's messages); char
               alone is char(1), bpchar alone is unlimited (as PostgreSQL's bpchar) */
            bool text = strcmp(name->name, "text") == 0 || strcmp(name->name, "string") == 0;
            if (name->n_params > 1 || (text && name->n_params))
                return error_set(err, SQLSTATE_SYNTAX_ERROR, name->pos, "type %s does not take %s",
                                 name->name, text ? "parameters" : "two parameters");
            LogicalType t = type_make(id);
            if (name->n_params == 1) {
                int64_t n = name->params[0];
                if (n < 1)
                    return error_set(err, SQLSTATE_INVALID_PARAMETER, name->pos,
                                     "length for type %s must be at least 1",
                                     id == TYPE_CHAR ? "char" : "varchar");
                if (n > (int64_t)TYPE_MAX_LENGTH)
                    return error_set(err, SQLSTATE_INVALID_PARAMETER, name->pos,
                                     "length for type %s cannot exceed %u",
                                     id == TYPE_CHAR ? "char" : "varchar", TYPE_MAX_LENGTH);
                t.length = (uint32_t)n;
            } else if (id == TYPE_CHAR && strcmp(name->name, "bpchar") == 0) {
                t.id = TYPE_VARCHAR; /* unlimited bpchar: text whose spaces count */
            } else if (id == TYPE_CHAR) {
                t.length = 1;
            }
            *out = t;
            return BS_OK;
        } else if (name->n_params > 0 &&
                   !((id == TYPE_TIMESTAMP || id == TYPE_INTERVAL || id == TYPE_TIME ||
                      id == TYPE_TIMESTAMPTZ) &&
                     name->n_params == 1 && name->params[0] >= 0 && name->params[0] <= 6)) {
            return error_set(err, SQLSTATE_SYNTAX_ERROR, name->pos,
                             "type %s does not take parameters", name->name);
        }
        *out = type_make(id);
        return BS_OK;
    }
    if (strcmp(name->name, "time with time zone") == 0 || strcmp(name->name, "timetz") == 0 ||
        strcmp(name->name, "blob") == 0 || strcmp(name->name, "bytea") == 0)
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, name->pos,
                         "type %s is not supported yet", name->name);
    return error_set(err, SQLSTATE_UNDEFINED_OBJECT, name->pos, "type \"%s\" does not exist",
                     name->name);
}
