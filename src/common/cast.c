/*
 * cast.c — scalar conversions between types (see cast.h for the rounding rules).
 */
#include "common/cast.h"

#include "common/array.h"
#include "common/datetime.h"
#include "common/timezone.h"

#include <string.h>

bool cast_is_possible(LogicalType from, LogicalType to)
{
    if (from.id == TYPE_NULL || type_equals(from, to)) return true;
    if (from.id == TYPE_ARRAY && to.id == TYPE_ARRAY)
        return cast_is_possible(type_array_elem(from), type_array_elem(to));
    if (type_is_string(from) || type_is_string(to)) return true;
    if (from.id == TYPE_ARRAY || to.id == TYPE_ARRAY) return false;
    if (type_is_numeric(from) && type_is_numeric(to)) return true;
    if (from.id == TYPE_BOOLEAN) return type_is_integral(to);
    if (to.id == TYPE_BOOLEAN) return type_is_integral(from);
    if (type_is_temporal(from) && type_is_temporal(to)) return true;
    bool from_tz = from.id == TYPE_TIMESTAMPTZ, to_tz = to.id == TYPE_TIMESTAMPTZ;
    if ((from_tz && (type_is_temporal(to) || to.id == TYPE_TIME)) ||
        (to_tz && type_is_temporal(from)))
        return true;
    if (to.id == TYPE_TIME) return from.id == TYPE_TIMESTAMP || from.id == TYPE_INTERVAL;
    if (from.id == TYPE_TIME) return to.id == TYPE_INTERVAL;
    return false;
}

bool cast_needs_zone(LogicalType from, LogicalType to)
{
    if (from.id == TYPE_TIMESTAMPTZ && to.id == TYPE_TIMESTAMPTZ) return false;
    if (from.id == TYPE_TIMESTAMPTZ)
        return type_is_string(to) || type_is_temporal(to) || to.id == TYPE_TIME;
    if (to.id == TYPE_TIMESTAMPTZ) return type_is_string(from) || type_is_temporal(from);
    return false;
}

/* Bytes of the first n characters of s (all of it when shorter). */
static uint32_t prefix_bytes(const char *s, uint32_t len, uint32_t n)
{
    uint32_t at = 0;
    while (at < len && n > 0) {
        at++;
        while (at < len && ((unsigned char)s[at] & 0xC0) == 0x80)
            at++;
        n--;
    }
    return at;
}

uint32_t string_fit(LogicalType to, const char *s, uint32_t len, bool *too_long)
{
    *too_long = false;
    if (to.id == TYPE_CHAR)
        while (len && s[len - 1] == ' ')
            len--;
    if (to.length == 0) return len;
    uint32_t cut = prefix_bytes(s, len, to.length);
    if (cut == len) return len;
    for (uint32_t k = cut; k < len; k++)
        if (s[k] != ' ') *too_long = true;
    if (to.id == TYPE_CHAR)
        while (cut && s[cut - 1] == ' ')
            cut--;
    return cut;
}

Status string_too_long(LogicalType to, int position, Error *err)
{
    return error_set(err, SQLSTATE_STRING_TRUNCATION, position, "value too long for type %s(%u)",
                     to.id == TYPE_CHAR ? "character" : "character varying", to.length);
}

char *value_to_text(const Value *v, Arena *arena, uint32_t *len)
{
    if (type_is_string(v->type)) {
        char *s = arena_strndup(arena, v->u.str.data, v->u.str.len);
        if (s) *len = v->u.str.len;
        return s;
    }
    if (v->type.id == TYPE_ARRAY) return array_to_text(v->type, v->u.str.data, v->u.str.len, arena, len);
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

static Status datetime_overflow(int position, Error *err)
{
    return error_set(err, SQLSTATE_DATETIME_OVERFLOW, position, "timestamp out of range");
}

/* The conversions that read the session's time zone (cast_needs_zone). */
static Status cast_in_zone(const Value *in, LogicalType to, const TimeZone *zone, Arena *arena,
                           Value *out, int position, Error *err)
{
    LogicalType from = in->type;
    if (from.id == TYPE_TIMESTAMPTZ && type_is_string(to)) {
        char buf[VALUE_TEXT_MAX];
        int n = format_timestamptz(in->u.i64, zone, buf);
        char *copy = arena_strndup(arena, buf, (size_t)n);
        if (!copy) return arena_error(arena, err);
        Value text = value_varchar(copy, (uint32_t)n);
        return value_cast(&text, to, arena, out, position, err);
    }
    if (type_is_string(from)) {
        ParseResult r = parse_timestamptz(in->u.str.data, in->u.str.len, zone, &out->u.i64);
        if (r != PARSE_OK) return parse_error(err, r, to, in->u.str.data, in->u.str.len, position);
        return BS_OK;
    }
    if (from.id == TYPE_TIMESTAMPTZ) {
        int64_t local, days, time_of_day;
        if (!tz_utc_to_local(zone, in->u.i64, &local)) return datetime_overflow(position, err);
        timestamp_split(local, &days, &time_of_day);
        if (to.id == TYPE_TIMESTAMP)
            out->u.i64 = local;
        else if (to.id == TYPE_DATE)
            out->u.i32 = (int32_t)days;
        else
            out->u.i64 = time_of_day;
        return BS_OK;
    }
    int64_t local = in->u.i64;
    if (from.id == TYPE_DATE && __builtin_mul_overflow((int64_t)in->u.i32, MICROS_PER_DAY, &local))
        return datetime_overflow(position, err);
    if (!tz_local_to_utc(zone, local, &out->u.i64) || !timestamp_is_valid(out->u.i64))
        return datetime_overflow(position, err);
    return BS_OK;
}

Status value_cast_in_zone(const Value *in, LogicalType to, const TimeZone *zone, Arena *arena,
                          Value *out, int position, Error *err)
{
    if (in->is_null || in->type.id == TYPE_NULL || !cast_needs_zone(in->type, to))
        return value_cast(in, to, arena, out, position, err);
    memset(out, 0, sizeof *out);
    out->type = to;
    return cast_in_zone(in, to, zone ? zone : tz_utc(), arena, out, position, err);
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
    if (cast_needs_zone(from, to)) return cast_in_zone(in, to, tz_utc(), arena, out, position, err);
    if (to.id == TYPE_ARRAY && (type_is_string(from) || from.id == TYPE_ARRAY)) {
        const char *bytes;
        uint32_t len;
        if (type_is_string(from))
            BS_TRY(array_parse(in->u.str.data, in->u.str.len, to, arena, &bytes, &len, position,
                               err));
        else
            BS_TRY(array_cast(in->u.str.data, in->u.str.len, from, to, arena, &bytes, &len,
                              position, err));
        out->u.str.data = bytes;
        out->u.str.len = len;
        return BS_OK;
    }
    if (type_is_string(to)) {
        uint32_t len = 0;
        char *text;
        if (type_is_string(from)) {
            text = (char *)in->u.str.data; /* trimmed below, copied after */
            len = in->u.str.len;
        } else {
            text = value_to_text(in, arena, &len);
            if (!text) return arena_error(arena, err);
        }
        bool too_long;
        len = string_fit(to, text, len, &too_long); /* an explicit cast truncates */
        if (type_is_string(from)) {
            text = arena_strndup(arena, text, len);
            if (!text) return arena_error(arena, err);
        }
        out->u.str.data = text;
        out->u.str.len = len;
        return BS_OK;
    }
    if (type_is_string(from)) {
        union {
            uint8_t b;
            int32_t i32;
            int64_t i64;
            double f64;
            Interval iv;
            int128_t i128;
            int8_t i8;
            int16_t i16;
            float f32;
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
        case PHYS_INT128:
            out->u.i128 = raw.i128;
            break;
        case PHYS_INT8:
            out->u.i8 = raw.i8;
            break;
        case PHYS_INT16:
            out->u.i16 = raw.i16;
            break;
        case PHYS_FLOAT:
            out->u.f32 = raw.f32;
            break;
        default:
            break;
        }
        return BS_OK;
    }
    /* Exact numbers (integers of any width, decimals) go through int128 and a scale. */
    bool from_int = type_is_integral(from) || from.id == TYPE_BOOLEAN;
    bool from_exact = from_int || from.id == TYPE_DECIMAL;
    int from_scale = from.id == TYPE_DECIMAL ? from.scale : 0;
    int128_t exact = from_exact ? value_as_int128(in) : 0;
    bool from_float = type_is_float(from);
    double fl = from.id == TYPE_REAL ? (double)in->u.f32 : in->u.f64;
    switch ((TypeId)to.id) {
    case TYPE_BOOLEAN:
        if (!from_int) break;
        out->u.b = exact != 0;
        return BS_OK;
    case TYPE_TINYINT:
    case TYPE_SMALLINT:
    case TYPE_INTEGER:
    case TYPE_BIGINT:
    case TYPE_HUGEINT: {
        int128_t v;
        if (from_exact)
            v = from_scale ? int128_div_round(exact, POW10_128[from_scale]) : exact;
        else if (from_float) {
            if (!double_to_int128(fl, &v)) return out_of_range(to, position, err);
        } else
            break;
        if (to.id == TYPE_TINYINT) {
            if (v < INT8_MIN || v > INT8_MAX) return out_of_range(to, position, err);
            out->u.i8 = (int8_t)v;
        } else if (to.id == TYPE_SMALLINT) {
            if (v < INT16_MIN || v > INT16_MAX) return out_of_range(to, position, err);
            out->u.i16 = (int16_t)v;
        } else if (to.id == TYPE_INTEGER) {
            if (v < INT32_MIN || v > INT32_MAX) return out_of_range(to, position, err);
            out->u.i32 = (int32_t)v;
        } else if (to.id == TYPE_BIGINT) {
            if (v < INT64_MIN || v > INT64_MAX) return out_of_range(to, position, err);
            out->u.i64 = (int64_t)v;
        } else {
            out->u.i128 = v;
        }
        return BS_OK;
    }
    case TYPE_DOUBLE:
    case TYPE_REAL: {
        double d;
        if (from_exact)
            d = from_scale ? decimal128_to_double(exact, from_scale) : (double)exact;
        else if (from_float)
            d = fl;
        else
            break;
        if (to.id == TYPE_DOUBLE) {
            out->u.f64 = d;
        } else {
            if (!double_to_float(d, &out->u.f32)) return out_of_range(to, position, err);
        }
        return BS_OK;
    }
    case TYPE_DECIMAL: {
        bool ok;
        int128_t v = 0;
        if (from_exact)
            ok = decimal128_rescale(exact, from_scale, to.scale, to.precision, &v);
        else if (from_float)
            ok = double_to_decimal128(fl, to.precision, to.scale, &v);
        else
            break;
        if (!ok) return out_of_range(to, position, err);
        if (type_is_wide_decimal(to))
            out->u.i128 = v;
        else
            out->u.i64 = (int64_t)v;
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
    case TYPE_TIME:
        if (from.id == TYPE_TIMESTAMP) {
            int64_t days;
            timestamp_split(in->u.i64, &days, &out->u.i64);
            return BS_OK;
        }
        if (from.id != TYPE_INTERVAL) break;
        /* PostgreSQL's interval → time: the time part, modulo a day */
        out->u.i64 = in->u.iv.micros % MICROS_PER_DAY;
        if (out->u.i64 < 0) out->u.i64 += MICROS_PER_DAY;
        return BS_OK;
    case TYPE_INTERVAL:
        if (from.id != TYPE_TIME) break;
        out->u.iv = interval_make(0, 0, in->u.i64);
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
