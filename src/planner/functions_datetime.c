/*
 * functions_datetime.c — the typing rules of dates, timestamps and intervals, as
 * PostgreSQL has them (with functions.c's registry, which calls these):
 *
 *   + - * /        date ± interval → timestamp (the date becomes a timestamp), timestamp ±
 *                  interval → timestamp, interval ± interval → interval, timestamp -
 *                  timestamp → interval, interval * and / a number → interval (the number
 *                  as a double); untyped literals take the type the other side calls for
 *   extract(unit from x), date_part(unit, x)   of dates, timestamps and intervals
 *   date_trunc(unit, x), date_diff(unit, a, b), make_date, last_day, age, date_add
 *
 * and the functions the binder evaluates itself, because their value is fixed for the
 * statement: now(), current_date, current_timestamp, localtimestamp, today() — read from
 * the clock once per statement (UTC: there are no time zones yet), so every reference and
 * every worker sees one value — and typeof(x) / pg_typeof(x), the name of x's type (x is
 * evaluated all the same, as in PostgreSQL, when it holds an aggregate or may fail).
 *
 * The unit of extract/date_part/date_trunc/date_diff must be a constant: it decides the
 * result type and the kernel. Unknown units fail with 22023, units a type does not have
 * (the hour of a date) with 0A000, both at bind time.
 */
#include "planner/planner_int.h"

#include "common/datetime.h"
#include "common/timezone.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static bool untyped(const Expr *e)
{
    return (e->flags & EXPR_FLAG_UNTYPED) || e->type.id == TYPE_NULL;
}

/* e has type `id` (an untyped literal has none yet). */
static bool is_type(const Expr *e, TypeId id)
{
    return !untyped(e) && e->type.id == id;
}

/* A point in time: a date or a timestamp. */
static bool is_point(const Expr *e)
{
    return is_type(e, TYPE_DATE) || is_type(e, TYPE_TIMESTAMP);
}

static Status cast_to(Binder *b, Expr **e, TypeId id, Error *err)
{
    return binder_cast(b, e, type_make(id), false, err);
}

Status binder_bind_datetime_arithmetic(Binder *b, ScalarFuncId id, Expr **args, bool *handled,
                                       LogicalType *ret, Error *err)
{
    Expr *l = args[0], *r = args[1];
    bool l_iv = is_type(l, TYPE_INTERVAL), r_iv = is_type(r, TYPE_INTERVAL);
    bool ul = untyped(l), ur = untyped(r);
    TypeId a = TYPE_INVALID, c = TYPE_INVALID, result = TYPE_INVALID;
    bool l_time = is_type(l, TYPE_TIME), r_time = is_type(r, TYPE_TIME);
    bool l_tz = is_type(l, TYPE_TIMESTAMPTZ), r_tz = is_type(r, TYPE_TIMESTAMPTZ);
    switch (id) {
    case FN_ADD:
        if (l_time && (r_iv || ur)) {
            a = TYPE_TIME, c = TYPE_INTERVAL, result = TYPE_TIME; /* wraps around midnight */
        } else if ((l_iv || ul) && r_time) {
            a = TYPE_INTERVAL, c = TYPE_TIME, result = TYPE_TIME;
        } else if (is_type(l, TYPE_DATE) && r_time) {
            a = TYPE_DATE, c = TYPE_TIME, result = TYPE_TIMESTAMP;
        } else if (l_time && is_type(r, TYPE_DATE)) {
            a = TYPE_TIME, c = TYPE_DATE, result = TYPE_TIMESTAMP;
        } else if (is_point(l) && (r_iv || ur)) {
            a = TYPE_TIMESTAMP, c = TYPE_INTERVAL, result = TYPE_TIMESTAMP;
        } else if ((l_iv || ul) && is_point(r)) {
            a = TYPE_INTERVAL, c = TYPE_TIMESTAMP, result = TYPE_TIMESTAMP;
        } else if ((l_iv && (r_iv || ur)) || (ul && r_iv)) {
            a = c = result = TYPE_INTERVAL;
        }
        break;
    case FN_SUBTRACT:
        if (l_time && r_iv) {
            a = TYPE_TIME, c = TYPE_INTERVAL, result = TYPE_TIME;
        } else if ((l_time && (r_time || ur)) || (ul && r_time)) {
            a = c = TYPE_TIME, result = TYPE_INTERVAL;
        } else if ((l_tz && (r_tz || is_point(r) || ur)) || (r_tz && (is_point(l) || ul))) {
            a = c = TYPE_TIMESTAMPTZ, result = TYPE_INTERVAL; /* the other side in the zone */
        } else if (is_point(l) && r_iv) {
            a = TYPE_TIMESTAMP, c = TYPE_INTERVAL, result = TYPE_TIMESTAMP;
        } else if ((is_point(l) && is_point(r)) || (is_type(l, TYPE_TIMESTAMP) && ur) ||
                   (ul && is_type(r, TYPE_TIMESTAMP))) {
            a = c = TYPE_TIMESTAMP, result = TYPE_INTERVAL; /* date - date is handled before */
        } else if (ul && is_type(r, TYPE_DATE)) {
            a = c = TYPE_DATE, result = TYPE_INTEGER;
        } else if ((l_iv && (r_iv || ur)) || (ul && r_iv)) {
            a = c = result = TYPE_INTERVAL;
        }
        break;
    case FN_MULTIPLY:
        if (l_iv && (type_is_numeric(r->type) || ur)) {
            a = TYPE_INTERVAL, c = TYPE_DOUBLE, result = TYPE_INTERVAL;
        } else if ((type_is_numeric(l->type) || ul) && r_iv) {
            a = TYPE_DOUBLE, c = TYPE_INTERVAL, result = TYPE_INTERVAL;
        }
        break;
    case FN_DIVIDE:
        if (l_iv && (type_is_numeric(r->type) || ur))
            a = TYPE_INTERVAL, c = TYPE_DOUBLE, result = TYPE_INTERVAL;
        break;
    default:
        break;
    }
    *handled = result != TYPE_INVALID;
    if (!*handled) return BS_OK;
    BS_TRY(cast_to(b, &args[0], a, err));
    BS_TRY(cast_to(b, &args[1], c, err));
    *ret = type_make(result);
    return BS_OK;
}

/* ---- functions with a unit ---------------------------------------------------------- */

static const char *func_sql_name(ScalarFuncId id)
{
    return id == FN_DATE_TRUNC ? "date_trunc" : id == FN_DATE_DIFF ? "date_diff" : "date_part";
}

/*
 * The unit of a call (args[0], a constant string) as a field; *field = -1 and BS_OK when
 * it names none (the caller reports it for its argument type).
 */
static Status unit_of(Binder *b, ScalarFuncId id, Expr **args, int *field, Error *err)
{
    Expr *u = args[0];
    if (u->kind != EXPR_CONSTANT)
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, u->pos, "%s() needs a constant unit",
                         func_sql_name(id));
    if (u->u.constant.is_null)
        return error_set(err, SQLSTATE_INVALID_PARAMETER, u->pos, "the unit of %s() is NULL",
                         func_sql_name(id));
    if (!untyped(u) && u->type.id != TYPE_VARCHAR) {
        char name[40];
        return error_set(err, SQLSTATE_UNDEFINED_FUNCTION, u->pos,
                         "the unit of %s() must be text, not %s", func_sql_name(id),
                         type_sql_name(u->type, name, sizeof name));
    }
    BS_TRY(cast_to(b, &args[0], TYPE_VARCHAR, err));
    *field = datetime_field_by_name(args[0]->u.constant.u.str.data, args[0]->u.constant.u.str.len);
    return BS_OK;
}

/* 22023 for an unknown unit, 0A000 for one `type` does not have (PostgreSQL's messages). */
static Status bad_unit(const Expr *unit, int field, LogicalType type, Error *err)
{
    char name[40];
    type_sql_name(type, name, sizeof name);
    const Value *v = &unit->u.constant;
    int len = (int)BS_MIN(v->u.str.len, 60u);
    if (field < 0)
        return error_set(err, SQLSTATE_INVALID_PARAMETER, unit->pos,
                         "unit \"%.*s\" not recognized for type %s", len, v->u.str.data, name);
    error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, unit->pos,
              "unit \"%.*s\" not supported for type %s", len, v->u.str.data, name);
    if (field == DTF_WEEK && type.id == TYPE_INTERVAL)
        error_set_detail(err, "Months usually have fractional weeks.");
    return BS_ERROR;
}

/* Replaces the unit by the field's canonical name, so plans and EXPLAIN show one spelling. */
static Status canonical_unit(Binder *b, Expr **args, int field, Error *err)
{
    const char *name = datetime_field_name((DatetimeField)field);
    Value v = value_varchar(name, (uint32_t)strlen(name));
    Expr *c = expr_new_constant(b->arena, &v, args[0]->pos);
    if (!c) return arena_error(b->arena, err);
    args[0] = c;
    return BS_OK;
}

Status binder_bind_date_part(Binder *b, ScalarFuncId id, Expr **args, int n_args, int pos,
                             LogicalType *ret, Error *err)
{
    if (untyped(args[1])) BS_TRY(cast_to(b, &args[1], TYPE_TIMESTAMP, err));
    TypeId t = (TypeId)args[1]->type.id;
    if (t == TYPE_TIME) {
        /* a time's fields are those of the interval since midnight (24:00:00 has hour 24) */
        int field;
        BS_TRY(unit_of(b, id, args, &field, err));
        if (field < 0 || (field > DTF_HOUR && field != DTF_EPOCH))
            return bad_unit(args[0], field, args[1]->type, err);
        BS_TRY(cast_to(b, &args[1], TYPE_INTERVAL, err));
        *ret = datetime_extract_type((DatetimeField)field);
        return canonical_unit(b, args, field, err);
    }
    if (t != TYPE_DATE && t != TYPE_TIMESTAMP && t != TYPE_INTERVAL)
        return binder_no_function_match(id, args, n_args, pos, err);
    int field;
    BS_TRY(unit_of(b, id, args, &field, err));
    if (field < 0 || !datetime_field_extracts((DatetimeField)field, t))
        return bad_unit(args[0], field, args[1]->type, err);
    *ret = datetime_extract_type((DatetimeField)field);
    return canonical_unit(b, args, field, err);
}

Status binder_bind_date_trunc(Binder *b, ScalarFuncId id, Expr **args, int n_args, int pos,
                              LogicalType *ret, Error *err)
{
    /* A date is truncated as the timestamp of its midnight (PostgreSQL gives a timestamp). */
    if (untyped(args[1]) || is_type(args[1], TYPE_DATE))
        BS_TRY(cast_to(b, &args[1], TYPE_TIMESTAMP, err));
    /* a time is truncated as an interval, giving an interval (PostgreSQL's implicit
       time → interval) */
    if (is_type(args[1], TYPE_TIME)) BS_TRY(cast_to(b, &args[1], TYPE_INTERVAL, err));
    TypeId t = (TypeId)args[1]->type.id;
    if (t != TYPE_TIMESTAMP && t != TYPE_INTERVAL)
        return binder_no_function_match(id, args, n_args, pos, err);
    int field;
    BS_TRY(unit_of(b, id, args, &field, err));
    if (field < 0 || !datetime_field_truncates((DatetimeField)field, t))
        return bad_unit(args[0], field, args[1]->type, err);
    *ret = args[1]->type;
    return canonical_unit(b, args, field, err);
}

Status binder_bind_date_diff(Binder *b, ScalarFuncId id, Expr **args, int n_args, int pos,
                             LogicalType *ret, Error *err)
{
    for (int k = 1; k <= 2; k++) {
        if (!untyped(args[k]) && !is_point(args[k]))
            return binder_no_function_match(id, args, n_args, pos, err);
        BS_TRY(cast_to(b, &args[k], TYPE_TIMESTAMP, err));
    }
    int field;
    BS_TRY(unit_of(b, id, args, &field, err));
    if (field < 0 || !datetime_field_diffs((DatetimeField)field))
        return bad_unit(args[0], field, args[1]->type, err);
    *ret = type_make(TYPE_BIGINT);
    return canonical_unit(b, args, field, err);
}

/* ---- other functions ------------------------------------------------------------------ */

Status binder_bind_make_date(Binder *b, ScalarFuncId id, Expr **args, int n_args, int pos,
                             LogicalType *ret, Error *err)
{
    for (int k = 0; k < n_args; k++) {
        if (!untyped(args[k]) && !type_is_integral(args[k]->type))
            return binder_no_function_match(id, args, n_args, pos, err);
        BS_TRY(cast_to(b, &args[k], TYPE_BIGINT, err));
    }
    *ret = type_make(TYPE_DATE);
    return BS_OK;
}

Status binder_bind_last_day(Binder *b, ScalarFuncId id, Expr **args, int n_args, int pos,
                            LogicalType *ret, Error *err)
{
    if (untyped(args[0])) BS_TRY(cast_to(b, &args[0], TYPE_DATE, err));
    if (!is_point(args[0])) return binder_no_function_match(id, args, n_args, pos, err);
    *ret = type_make(TYPE_DATE);
    return BS_OK;
}

Status binder_bind_age(Binder *b, ScalarFuncId id, Expr **args, int n_args, int pos,
                       LogicalType *ret, Error *err)
{
    for (int k = 0; k < n_args; k++) {
        if (!untyped(args[k]) && !is_point(args[k]))
            return binder_no_function_match(id, args, n_args, pos, err);
        BS_TRY(cast_to(b, &args[k], TYPE_TIMESTAMP, err));
    }
    *ret = type_make(TYPE_INTERVAL);
    return BS_OK;
}

/* ---- functions the binder evaluates or rewrites ------------------------------------- */

/* The statement's time: read from the clock at its first use, then fixed. */
static int64_t statement_time(Binder *b)
{
    if (!b->has_now) {
        struct timespec t;
        clock_gettime(CLOCK_REALTIME, &t);
        b->now = (int64_t)t.tv_sec * MICROS_PER_SECOND + t.tv_nsec / 1000;
        b->has_now = true;
    }
    return b->now;
}

/* The statement's time as a local timestamp in the session's zone. */
static int64_t statement_local(Binder *b)
{
    int64_t local;
    if (!tz_utc_to_local(b->zone, statement_time(b), &local)) local = statement_time(b);
    return local;
}

/* Midnight (local) of the statement's day. */
static int64_t statement_midnight(Binder *b)
{
    int64_t days, time_of_day;
    timestamp_split(statement_local(b), &days, &time_of_day);
    return days * MICROS_PER_DAY;
}

static Status new_constant(Binder *b, const Value *v, int pos, Expr **out, Error *err)
{
    *out = expr_new_constant(b->arena, v, pos);
    return *out ? BS_OK : arena_error(b->arena, err);
}

/* pg_typeof's names. */
static const char *pg_type_name(const Expr *e)
{
    if (untyped(e)) return "unknown";
    switch ((TypeId)e->type.id) {
    case TYPE_BOOLEAN:
        return "boolean";
    case TYPE_INTEGER:
        return "integer";
    case TYPE_BIGINT:
        return "bigint";
    case TYPE_DOUBLE:
        return "double precision";
    case TYPE_DECIMAL:
        return "numeric";
    case TYPE_HUGEINT:
        return "hugeint";
    case TYPE_SMALLINT:
        return "smallint";
    case TYPE_TINYINT:
        return "tinyint";
    case TYPE_REAL:
        return "real";
    case TYPE_VARCHAR:
        return "text";
    case TYPE_DATE:
        return "date";
    case TYPE_TIMESTAMP:
        return "timestamp without time zone";
    case TYPE_INTERVAL:
        return "interval";
    case TYPE_TIME:
        return "time without time zone";
    case TYPE_TIMESTAMPTZ:
        return "timestamp with time zone";
    case TYPE_CHAR:
        return "character";
    default:
        return "unknown";
    }
}

static bool not_aggregate(Expr *e, void *arg)
{
    (void)arg;
    return e->kind != EXPR_AGGREGATE;
}

typedef enum Special {
    SPECIAL_NOW,            /* now(), current_timestamp, …: TIMESTAMPTZ */
    SPECIAL_LOCALTIMESTAMP, /* the statement's time in the session's zone: TIMESTAMP */
    SPECIAL_LOCALTIME,      /* current_time, localtime: TIME in the session's zone */
    SPECIAL_CURRENT_DATE,   /* current_date, today() */
    SPECIAL_TIMEZONE,       /* timezone(zone, x), x AT TIME ZONE zone */
    SPECIAL_TYPEOF,
    SPECIAL_PG_TYPEOF,
    SPECIAL_DATE_PART,
    SPECIAL_DATE_ADD,
    SPECIAL_AGE,
} Special;

static const struct {
    const char *name;
    Special kind;
    int min_args, max_args;
} SPECIALS[] = {
    {"now", SPECIAL_NOW, 0, 0},
    {"current_timestamp", SPECIAL_NOW, 0, 0},
    {"localtimestamp", SPECIAL_LOCALTIMESTAMP, 0, 0},
    {"current_time", SPECIAL_LOCALTIME, 0, 0},
    {"localtime", SPECIAL_LOCALTIME, 0, 0},
    {"timezone", SPECIAL_TIMEZONE, 2, 2},
    {"transaction_timestamp", SPECIAL_NOW, 0, 0},
    {"statement_timestamp", SPECIAL_NOW, 0, 0},
    {"get_current_timestamp", SPECIAL_NOW, 0, 0},
    {"current_date", SPECIAL_CURRENT_DATE, 0, 0},
    {"today", SPECIAL_CURRENT_DATE, 0, 0},
    {"typeof", SPECIAL_TYPEOF, 1, 1},
    {"pg_typeof", SPECIAL_PG_TYPEOF, 1, 1},
    {"date_part", SPECIAL_DATE_PART, 2, 2},
    {"datepart", SPECIAL_DATE_PART, 2, 2},
    {"date_add", SPECIAL_DATE_ADD, 2, 2},
    {"age", SPECIAL_AGE, 1, 2},
};

static int special_index(const char *name)
{
    for (int k = 0; k < (int)BS_ARRAY_LEN(SPECIALS); k++)
        if (strcmp(SPECIALS[k].name, name) == 0) return k;
    return -1;
}

/* A zone argument: text; a constant one must name a zone (22023 at its position). */
static Status zone_arg(Binder *b, Expr **zone, Error *err)
{
    Expr *z = *zone;
    if (!untyped(z) && !type_is_string(z->type)) {
        char name[40];
        return error_set(err, SQLSTATE_UNDEFINED_FUNCTION, z->pos,
                         "the time zone must be text, not %s",
                         type_sql_name(z->type, name, sizeof name));
    }
    BS_TRY(cast_to(b, zone, TYPE_VARCHAR, err));
    z = *zone;
    if (z->kind == EXPR_CONSTANT && !z->u.constant.is_null &&
        !tz_find(z->u.constant.u.str.data, z->u.constant.u.str.len)) {
        int len = (int)BS_MIN(z->u.constant.u.str.len, 100u);
        return error_set(err, SQLSTATE_INVALID_PARAMETER, z->pos,
                         "time zone \"%.*s\" not recognized", len, z->u.constant.u.str.data);
    }
    return BS_OK;
}

/* timezone(zone, x): a timestamptz's wall-clock time in zone, or a timestamp read in zone. */
static Status bind_timezone(Binder *b, Expr **args, int pos, Expr **out, Error *err)
{
    BS_TRY(zone_arg(b, &args[0], err));
    Expr *x = args[1];
    /* a date or a literal is a timestamptz (the preferred type, as in PostgreSQL) */
    if (untyped(x) || is_type(x, TYPE_DATE)) BS_TRY(cast_to(b, &args[1], TYPE_TIMESTAMPTZ, err));
    x = args[1];
    TypeId to;
    if (is_type(x, TYPE_TIMESTAMPTZ))
        to = TYPE_TIMESTAMP;
    else if (is_type(x, TYPE_TIMESTAMP))
        to = TYPE_TIMESTAMPTZ;
    else if (is_type(x, TYPE_TIME))
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, pos,
                         "time AT TIME ZONE is not supported: it gives a time with time zone, "
                         "which is not supported");
    else {
        char name[40];
        return error_set(err, SQLSTATE_UNDEFINED_FUNCTION, pos,
                         "function timezone(text, %s) does not exist",
                         type_sql_name(x->type, name, sizeof name));
    }
    *out = x;
    return binder_cast_in_zone(b, out, type_make(to), args[0], err);
}

/* A zone-name constant: the session's (NULL) or `name`. */
static Status zone_constant(Binder *b, const char *name, int pos, Expr **out, Error *err)
{
    if (!name) name = b->zone_name;
    Value v = value_varchar(name, (uint32_t)strlen(name));
    return new_constant(b, &v, pos, out, err);
}

/* A timestamptz as the local timestamp of the session's zone (or of UTC). */
static Status to_local(Binder *b, Expr **e, bool utc, Error *err)
{
    Expr *zone = NULL;
    if (utc) BS_TRY(zone_constant(b, "UTC", (*e)->pos, &zone, err));
    return binder_cast_in_zone(b, e, type_make(TYPE_TIMESTAMP), zone, err);
}

/* The unit constant of a call, lower case, or NULL. */
static const char *unit_text(Binder *b, const Expr *u)
{
    if (u->kind != EXPR_CONSTANT || u->u.constant.is_null || !type_is_string(u->type)) return NULL;
    char *t = arena_strndup(b->arena, u->u.constant.u.str.data, u->u.constant.u.str.len);
    for (char *p = t; p && *p; p++)
        if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
    return t;
}

/* extract(timezone…) of a timestamptz: its UTC offset in the session's zone. */
static Status bind_zone_field(Binder *b, const char *unit, Expr *x, int pos, Expr **out, Error *err)
{
    Expr **args = arena_alloc(b->arena, 2 * sizeof *args);
    if (!args) return arena_error(b->arena, err);
    args[0] = x;
    BS_TRY(zone_constant(b, NULL, pos, &args[1], err));
    Expr *offset = expr_new_call(b->arena, FN_ZONE_OFFSET, type_make(TYPE_BIGINT), args, 2, pos);
    if (!offset) return arena_error(b->arena, err);
    if (strcmp(unit, "timezone") == 0) {
        *out = offset;
        return BS_OK;
    }
    /* hours and minutes keep the offset's sign: -03:30 is -3 hours and -30 minutes */
    bool hours = strcmp(unit, "timezone_hour") == 0;
    Value v = value_bigint(hours ? 3600 : 60);
    Expr *div[2] = {offset, NULL};
    BS_TRY(new_constant(b, &v, pos, &div[1], err));
    BS_TRY(binder_bind_scalar(b, FN_DIVIDE, div, 2, pos, out, err));
    if (hours) return BS_OK;
    Expr *mod[2] = {*out, NULL};
    v = value_bigint(60);
    BS_TRY(new_constant(b, &v, pos, &mod[1], err));
    return binder_bind_scalar(b, FN_MODULO, mod, 2, pos, out, err);
}

Status binder_bind_zoned(Binder *b, ScalarFuncId func, Expr **args, int n_args, int pos, Expr **out,
                         bool *handled, Error *err)
{
    *handled = false;
    bool tz0 = n_args > 0 && is_type(args[0], TYPE_TIMESTAMPTZ);
    bool tz1 = n_args > 1 && is_type(args[1], TYPE_TIMESTAMPTZ);
    if (!tz0 && !tz1) return BS_OK;
    switch (func) {
    case FN_ADD:
    case FN_SUBTRACT: {
        /* timestamptz ± interval: the calendar part in local time */
        Expr *ts = tz0 ? args[0] : args[1], *iv = tz0 ? args[1] : args[0];
        bool iv_ok = is_type(iv, TYPE_INTERVAL) || (untyped(iv) && func == FN_ADD);
        if (!iv_ok || (func == FN_SUBTRACT && !tz0)) return BS_OK;
        BS_TRY(cast_to(b, &iv, TYPE_INTERVAL, err));
        Expr **call = arena_alloc(b->arena, 3 * sizeof *call);
        if (!call) return arena_error(b->arena, err);
        call[0] = ts;
        call[1] = iv;
        BS_TRY(zone_constant(b, NULL, pos, &call[2], err));
        *out = expr_new_call(b->arena, func == FN_ADD ? FN_TSTZ_ADD : FN_TSTZ_SUB,
                             type_make(TYPE_TIMESTAMPTZ), call, 3, pos);
        *handled = true;
        return *out ? BS_OK : arena_error(b->arena, err);
    }
    case FN_DATE_TRUNC:
        if (!tz1) return BS_OK;
        /* truncated in local time, read back in the zone (PostgreSQL's timestamptz_trunc) */
        BS_TRY(to_local(b, &args[1], false, err));
        BS_TRY(binder_bind_scalar(b, FN_DATE_TRUNC, args, n_args, pos, out, err));
        *handled = true;
        return binder_cast_in_zone(b, out, type_make(TYPE_TIMESTAMPTZ), NULL, err);
    case FN_DATE_PART: {
        if (!tz1) return BS_OK;
        const char *unit = unit_text(b, args[0]);
        if (unit && strncmp(unit, "timezone", 8) == 0 &&
            (unit[8] == '\0' || strcmp(unit + 8, "_hour") == 0 ||
             strcmp(unit + 8, "_minute") == 0)) {
            *handled = true;
            return bind_zone_field(b, unit, args[1], pos, out, err);
        }
        int field = unit ? datetime_field_by_name(unit, strlen(unit)) : -1;
        BS_TRY(to_local(b, &args[1], field == DTF_EPOCH, err));
        *handled = true;
        return binder_bind_scalar(b, func, args, n_args, pos, out, err);
    }
    case FN_EXTRACT_YEAR:
    case FN_EXTRACT_MONTH:
    case FN_EXTRACT_DAY:
    case FN_LAST_DAY:
    case FN_AGE:
    case FN_DATE_DIFF:
    case FN_STRFTIME:
    case FN_TO_CHAR:
        /* fields and formats of the local time */
        for (int k = 0; k < n_args; k++)
            if (is_type(args[k], TYPE_TIMESTAMPTZ)) BS_TRY(to_local(b, &args[k], false, err));
        *handled = true;
        return binder_bind_scalar(b, func, args, n_args, pos, out, err);
    default:
        return BS_OK;
    }
}

bool binder_is_special_function(const char *name)
{
    return special_index(name) >= 0;
}

Status binder_bind_extract(Binder *b, const char *unit, Expr *arg, int pos, Expr **out, Error *err)
{
    int field = datetime_field_by_name(unit, strlen(unit));
    if ((field == DTF_YEAR || field == DTF_MONTH || field == DTF_DAY) && !is_type(arg, TYPE_TIME)) {
        /* The common fields have their own functions (which the optimizer knows cannot fail). */
        ScalarFuncId f = field == DTF_YEAR    ? FN_EXTRACT_YEAR
                         : field == DTF_MONTH ? FN_EXTRACT_MONTH
                                              : FN_EXTRACT_DAY;
        Expr *args1[1] = {arg};
        return binder_bind_scalar(b, f, args1, 1, pos, out, err);
    }
    Value v = value_varchar(unit, (uint32_t)strlen(unit));
    Expr *args[2] = {NULL, arg};
    BS_TRY(new_constant(b, &v, pos, &args[0], err));
    args[0]->flags = EXPR_FLAG_UNTYPED;
    return binder_bind_scalar(b, FN_DATE_PART, args, 2, pos, out, err);
}

Status binder_bind_special_function(Binder *b, const char *name, Expr **args, int n_args, int pos,
                                    Expr **out, Error *err)
{
    int k = special_index(name);
    if (k < 0)
        return error_set(err, SQLSTATE_INTERNAL_ERROR, pos, "planner: %s is not special", name);
    if (n_args < SPECIALS[k].min_args || n_args > SPECIALS[k].max_args) {
        /* PostgreSQL's "function now(integer) does not exist" */
        char types[160] = "";
        size_t len = 0;
        for (int a = 0; a < n_args && len < sizeof types; a++) {
            char t[40];
            int w =
                snprintf(types + len, sizeof types - len, "%s%s", a ? ", " : "",
                         untyped(args[a]) ? "unknown" : type_sql_name(args[a]->type, t, sizeof t));
            if (w > 0) len += (size_t)w;
        }
        error_set(err, SQLSTATE_UNDEFINED_FUNCTION, pos, "function %s(%s) does not exist", name,
                  types);
        error_set_hint(err, "No function matches the given name and argument types. You might "
                            "need to add explicit type casts.");
        return BS_ERROR;
    }
    Value v;
    switch (SPECIALS[k].kind) {
    case SPECIAL_NOW:
        v = value_timestamptz(statement_time(b));
        return new_constant(b, &v, pos, out, err);
    case SPECIAL_LOCALTIMESTAMP:
        v = value_timestamp(statement_local(b));
        return new_constant(b, &v, pos, out, err);
    case SPECIAL_LOCALTIME: {
        int64_t days, time_of_day;
        timestamp_split(statement_local(b), &days, &time_of_day);
        v = value_time(time_of_day);
        return new_constant(b, &v, pos, out, err);
    }
    case SPECIAL_TIMEZONE:
        return bind_timezone(b, args, pos, out, err);
    case SPECIAL_CURRENT_DATE:
        v = value_date((int32_t)(statement_midnight(b) / MICROS_PER_DAY));
        return new_constant(b, &v, pos, out, err);
    case SPECIAL_TYPEOF:
    case SPECIAL_PG_TYPEOF: {
        char buf[40];
        const char *text = SPECIALS[k].kind == SPECIAL_PG_TYPEOF ? pg_type_name(args[0])
                           : args[0]->type.id == TYPE_NULL       ? "NULL"
                           : untyped(args[0])                    ? "VARCHAR"
                                              : type_format(args[0]->type, buf, sizeof buf);
        char *copy = arena_strdup(b->arena, text);
        if (!copy) return arena_error(b->arena, err);
        v = value_varchar(copy, (uint32_t)strlen(copy));
        Expr *name_expr;
        BS_TRY(new_constant(b, &v, pos, &name_expr, err));
        if (!expr_can_fail(args[0]) && expr_visit(args[0], not_aggregate, NULL)) {
            *out = name_expr;
            return BS_OK;
        }
        /* x is still evaluated, as PostgreSQL's pg_typeof does: an aggregate in it keeps
           the query an aggregation, an error in it is raised. */
        Expr *test = expr_new(b->arena, EXPR_IS_NULL, type_make(TYPE_BOOLEAN), pos);
        Expr *c = expr_new(b->arena, EXPR_CASE, name_expr->type, pos);
        Expr **whens = arena_alloc(b->arena, sizeof(Expr *));
        Expr **thens = arena_alloc(b->arena, sizeof(Expr *));
        if (!test || !c || !whens || !thens) return arena_error(b->arena, err);
        test->u.unary.arg = args[0];
        whens[0] = test;
        thens[0] = name_expr;
        c->u.case_.n_whens = 1;
        c->u.case_.whens = whens;
        c->u.case_.thens = thens;
        c->u.case_.else_expr = name_expr;
        *out = c;
        return BS_OK;
    }
    case SPECIAL_DATE_PART:
        if (args[0]->kind != EXPR_CONSTANT || args[0]->u.constant.is_null ||
            (!untyped(args[0]) && args[0]->type.id != TYPE_VARCHAR))
            return binder_bind_scalar(b, FN_DATE_PART, args, 2, pos, out, err); /* its error */
        {
            /* extract's functions for year, month, day; date_part for the rest */
            const Value *u = &args[0]->u.constant;
            char *unit = arena_strndup(b->arena, u->u.str.data, u->u.str.len);
            if (!unit) return arena_error(b->arena, err);
            for (char *p = unit; *p; p++)
                if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
            int field = datetime_field_by_name(unit, strlen(unit));
            if (field == DTF_YEAR || field == DTF_MONTH || field == DTF_DAY)
                return binder_bind_extract(b, unit, args[1], pos, out, err);
            return binder_bind_scalar(b, FN_DATE_PART, args, 2, pos, out, err);
        }
    case SPECIAL_DATE_ADD:
        /* DuckDB's date_add(date or timestamp, interval): their sum */
        if ((!untyped(args[0]) && !is_point(args[0])) ||
            (!untyped(args[1]) && !is_type(args[1], TYPE_INTERVAL))) {
            char a[40], c[40];
            return error_set(
                err, SQLSTATE_UNDEFINED_FUNCTION, pos, "function date_add(%s, %s) does not exist",
                untyped(args[0]) ? "unknown" : type_sql_name(args[0]->type, a, sizeof a),
                untyped(args[1]) ? "unknown" : type_sql_name(args[1]->type, c, sizeof c));
        }
        BS_TRY(cast_to(b, &args[1], TYPE_INTERVAL, err));
        if (untyped(args[0])) BS_TRY(cast_to(b, &args[0], TYPE_TIMESTAMP, err));
        return binder_bind_scalar(b, FN_ADD, args, 2, pos, out, err);
    case SPECIAL_AGE: {
        if (n_args == 2) return binder_bind_scalar(b, FN_AGE, args, 2, pos, out, err);
        /* age(x) is age(current_date, x) */
        Expr *both[2] = {NULL, args[0]};
        v = value_timestamp(statement_midnight(b));
        BS_TRY(new_constant(b, &v, pos, &both[0], err));
        return binder_bind_scalar(b, FN_AGE, both, 2, pos, out, err);
    }
    }
    return error_set(err, SQLSTATE_INTERNAL_ERROR, pos, "planner: unknown special function");
}
