/*
 * cast.c — scalar conversions between types (see cast.h for the rounding rules).
 */
#include "common/cast.h"

#include "common/datetime.h"

#include <string.h>

bool cast_is_possible(LogicalType from, LogicalType to)
{
    if (from.id == TYPE_NULL || type_equals(from, to)) return true;
    if (from.id == TYPE_VARCHAR || to.id == TYPE_VARCHAR) return true;
    if (type_is_numeric(from) && type_is_numeric(to)) return true;
    if (from.id == TYPE_BOOLEAN) return to.id == TYPE_INTEGER || to.id == TYPE_BIGINT;
    if (to.id == TYPE_BOOLEAN) return from.id == TYPE_INTEGER || from.id == TYPE_BIGINT;
    if (type_is_temporal(from) && type_is_temporal(to)) return true;
    return false;
}

char *value_to_text(const Value *v, Arena *arena, uint32_t *len)
{
    if (v->type.id == TYPE_VARCHAR) {
        char *s = arena_strndup(arena, v->u.str.data, v->u.str.len);
        if (s) *len = v->u.str.len;
        return s;
    }
    char buf[VALUE_TEXT_MAX];
    int n = format_value(v, buf);
    char *s = arena_strndup(arena, buf, (size_t)n);
    if (s) *len = (uint32_t)n;
    return s;
}

static Status out_of_range(LogicalType to, int position, Error *err)
{
    char name[32];
    type_format(to, name, sizeof name);
    for (char *p = name; *p; p++)
        if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
    if (to.id == TYPE_DECIMAL)
        return error_set(err, SQLSTATE_NUMERIC_OUT_OF_RANGE, position,
                         "numeric field overflow: value does not fit %s", name);
    return error_set(err, SQLSTATE_NUMERIC_OUT_OF_RANGE, position, "%s out of range", name);
}

/* The value as an exact integer (for INTEGER/BIGINT/BOOLEAN sources). */
static int64_t integral_of(const Value *v)
{
    switch ((TypeId)v->type.id) {
    case TYPE_BOOLEAN:
        return v->u.b;
    case TYPE_INTEGER:
        return v->u.i32;
    default:
        return v->u.i64;
    }
}

Status value_cast(const Value *in, LogicalType to, Arena *arena, Value *out, int position,
                  Error *err)
{
    if (in->is_null || in->type.id == TYPE_NULL) {
        *out = value_null(to);
        return BS_OK;
    }
    LogicalType from = in->type;
    if (type_equals(from, to)) {
        *out = *in;
        return BS_OK;
    }
    memset(out, 0, sizeof *out);
    out->type = to;
    if (to.id == TYPE_VARCHAR) {
        uint32_t len = 0;
        char *text = value_to_text(in, arena, &len);
        if (!text) return arena_error(arena, err);
        out->u.str.data = text;
        out->u.str.len = len;
        return BS_OK;
    }
    if (from.id == TYPE_VARCHAR) {
        union {
            uint8_t b;
            int32_t i32;
            int64_t i64;
            double f64;
            Interval iv;
        } raw;
        ParseResult r = parse_as_type(in->u.str.data, in->u.str.len, to, &raw);
        if (r != PARSE_OK) return parse_error(err, r, to, in->u.str.data, in->u.str.len, position);
        switch (type_physical(to)) {
        case PHYS_BOOL:
            out->u.b = raw.b != 0;
            break;
        case PHYS_INT32:
            out->u.i32 = raw.i32;
            break;
        case PHYS_INT64:
            out->u.i64 = raw.i64;
            break;
        case PHYS_DOUBLE:
            out->u.f64 = raw.f64;
            break;
        case PHYS_INTERVAL:
            out->u.iv = raw.iv;
            break;
        default:
            break;
        }
        return BS_OK;
    }
    bool from_int = from.id == TYPE_INTEGER || from.id == TYPE_BIGINT || from.id == TYPE_BOOLEAN;
    switch ((TypeId)to.id) {
    case TYPE_BOOLEAN:
        if (!from_int) break;
        out->u.b = integral_of(in) != 0;
        return BS_OK;
    case TYPE_INTEGER:
    case TYPE_BIGINT: {
        int64_t v;
        if (from_int)
            v = integral_of(in);
        else if (from.id == TYPE_DECIMAL)
            v = decimal_to_int64(in->u.i64, from.scale);
        else if (from.id == TYPE_DOUBLE) {
            if (!double_to_int64(in->u.f64, &v)) return out_of_range(to, position, err);
        } else
            break;
        if (to.id == TYPE_INTEGER) {
            if (v < INT32_MIN || v > INT32_MAX) return out_of_range(to, position, err);
            out->u.i32 = (int32_t)v;
        } else {
            out->u.i64 = v;
        }
        return BS_OK;
    }
    case TYPE_DOUBLE:
        if (from_int)
            out->u.f64 = (double)integral_of(in);
        else if (from.id == TYPE_DECIMAL)
            out->u.f64 = decimal_to_double(in->u.i64, from.scale);
        else
            break;
        return BS_OK;
    case TYPE_DECIMAL: {
        bool ok;
        if (from_int)
            ok = int64_to_decimal(integral_of(in), to.precision, to.scale, &out->u.i64);
        else if (from.id == TYPE_DECIMAL)
            ok = decimal_rescale(in->u.i64, from.scale, to.scale, to.precision, &out->u.i64);
        else if (from.id == TYPE_DOUBLE)
            ok = double_to_decimal(in->u.f64, to.precision, to.scale, &out->u.i64);
        else
            break;
        if (!ok) return out_of_range(to, position, err);
        return BS_OK;
    }
    case TYPE_DATE:
        if (from.id != TYPE_TIMESTAMP) break;
        {
            int64_t days = in->u.i64 / MICROS_PER_DAY;
            if (in->u.i64 % MICROS_PER_DAY < 0) days--;
            out->u.i32 = (int32_t)days;
        }
        return BS_OK;
    case TYPE_TIMESTAMP:
        if (from.id != TYPE_DATE) break;
        if (__builtin_mul_overflow((int64_t)in->u.i32, MICROS_PER_DAY, &out->u.i64) ||
            !timestamp_is_valid(out->u.i64))
            return error_set(err, SQLSTATE_DATETIME_OVERFLOW, -1, "timestamp out of range");
        return BS_OK;
    default:
        break;
    }
    char fname[32], tname[32];
    type_format(from, fname, sizeof fname);
    type_format(to, tname, sizeof tname);
    return error_set(err, SQLSTATE_CANNOT_COERCE, position, "cannot cast type %s to %s", fname,
                     tname);
}
