/*
 * kernels_cast.c — CAST between types, vectorized. The conversions of single values are
 * those of common/cast.h (shared with the planner's constant folding), so a cast gives
 * the same answer, and the same error, wherever it runs.
 */
#include "exec/kernels.h"

#include "common/cast.h"

#include <string.h>

typedef struct CastData {
    LogicalType from, to;
} CastData;

#define CAST_DATA ((const CastData *)data)

/* Integral or boolean value at a unified position, widened to int64. */
static inline int64_t integral_at(const UnifiedVector *uv, TypeId id, sel_t at)
{
    switch (id) {
    case TYPE_BOOLEAN:
        return ((const uint8_t *)uv->data)[at];
    case TYPE_INTEGER:
    case TYPE_DATE:
        return ((const int32_t *)uv->data)[at];
    default:
        return ((const int64_t *)uv->data)[at];
    }
}

/* INTEGER/BIGINT/BOOLEAN → INTEGER/BIGINT/BOOLEAN/DOUBLE/DECIMAL. */
static Status cast_from_integral(KERNEL_ARGS)
{
    const CastData *cd = CAST_DATA;
    UnifiedVector ua;
    unify(args[0], &ua);
    for (idx_t i = 0; i < count; i++) {
        sel_t row = sel[i];
        int64_t v = integral_at(&ua, (TypeId)cd->from.id, ua.sel[row]);
        switch ((TypeId)cd->to.id) {
        case TYPE_BOOLEAN:
            ((uint8_t *)result->data)[row] = v != 0;
            break;
        case TYPE_INTEGER:
            if (v < INT32_MIN || v > INT32_MAX) return kernel_overflow(cd->to, err);
            ((int32_t *)result->data)[row] = (int32_t)v;
            break;
        case TYPE_BIGINT:
            ((int64_t *)result->data)[row] = v;
            break;
        case TYPE_DOUBLE:
            ((double *)result->data)[row] = (double)v;
            break;
        case TYPE_DECIMAL:
            if (!int64_to_decimal(v, cd->to.precision, cd->to.scale,
                                  &((int64_t *)result->data)[row]))
                return kernel_overflow(cd->to, err);
            break;
        default:
            return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "bad integral cast");
        }
    }
    return BS_OK;
}

static Status cast_from_double(KERNEL_ARGS)
{
    const CastData *cd = CAST_DATA;
    UnifiedVector ua;
    unify(args[0], &ua);
    for (idx_t i = 0; i < count; i++) {
        sel_t row = sel[i];
        double v = ((const double *)ua.data)[ua.sel[row]];
        int64_t n;
        switch ((TypeId)cd->to.id) {
        case TYPE_INTEGER:
            if (!double_to_int64(v, &n) || n < INT32_MIN || n > INT32_MAX)
                return kernel_overflow(cd->to, err);
            ((int32_t *)result->data)[row] = (int32_t)n;
            break;
        case TYPE_BIGINT:
            if (!double_to_int64(v, &n)) return kernel_overflow(cd->to, err);
            ((int64_t *)result->data)[row] = n;
            break;
        case TYPE_DECIMAL:
            if (!double_to_decimal(v, cd->to.precision, cd->to.scale,
                                   &((int64_t *)result->data)[row]))
                return kernel_overflow(cd->to, err);
            break;
        default:
            return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "bad double cast");
        }
    }
    return BS_OK;
}

static Status cast_from_decimal(KERNEL_ARGS)
{
    const CastData *cd = CAST_DATA;
    UnifiedVector ua;
    unify(args[0], &ua);
    int scale = cd->from.scale;
    for (idx_t i = 0; i < count; i++) {
        sel_t row = sel[i];
        int64_t v = ((const int64_t *)ua.data)[ua.sel[row]];
        switch ((TypeId)cd->to.id) {
        case TYPE_INTEGER: {
            int64_t n = decimal_to_int64(v, scale);
            if (n < INT32_MIN || n > INT32_MAX) return kernel_overflow(cd->to, err);
            ((int32_t *)result->data)[row] = (int32_t)n;
            break;
        }
        case TYPE_BIGINT:
            ((int64_t *)result->data)[row] = decimal_to_int64(v, scale);
            break;
        case TYPE_DOUBLE:
            ((double *)result->data)[row] = decimal_to_double(v, scale);
            break;
        case TYPE_DECIMAL:
            if (!decimal_rescale(v, scale, cd->to.scale, cd->to.precision,
                                 &((int64_t *)result->data)[row]))
                return kernel_overflow(cd->to, err);
            break;
        default:
            return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "bad decimal cast");
        }
    }
    return BS_OK;
}

/* An exact number (boolean, integer of any width, unscaled decimal) as int128. */
static inline int128_t exact_at(const UnifiedVector *uv, PhysicalType p, sel_t at)
{
    switch (p) {
    case PHYS_BOOL:
        return ((const uint8_t *)uv->data)[at];
    case PHYS_INT8:
        return ((const int8_t *)uv->data)[at];
    case PHYS_INT16:
        return ((const int16_t *)uv->data)[at];
    case PHYS_INT32:
        return ((const int32_t *)uv->data)[at];
    case PHYS_INT64:
        return ((const int64_t *)uv->data)[at];
    default:
        return ((const int128_t *)uv->data)[at];
    }
}

/*
 * Casts among numbers where one side is 128-bit (HUGEINT, DECIMAL of more than 18 digits)
 * or narrow (TINYINT, SMALLINT, REAL): exact sources through int128 (cast.h's 128-bit
 * helpers), REAL and DOUBLE through double, rounded as value_cast does; integer and REAL
 * targets are range-checked.
 */
static Status cast_wide(KERNEL_ARGS)
{
    const CastData *cd = CAST_DATA;
    UnifiedVector ua;
    unify(args[0], &ua);
    PhysicalType from_p = type_physical(cd->from), to_p = type_physical(cd->to);
    int from_scale = cd->from.id == TYPE_DECIMAL ? cd->from.scale : 0;
    bool from_float = type_is_float(cd->from), to_decimal = cd->to.id == TYPE_DECIMAL;
    for (idx_t i = 0; i < count; i++) {
        sel_t row = sel[i], at = ua.sel[row];
        int128_t v;
        if (from_float) {
            double d = from_p == PHYS_FLOAT ? (double)((const float *)ua.data)[at]
                                            : ((const double *)ua.data)[at];
            if (to_p == PHYS_DOUBLE) {
                ((double *)result->data)[row] = d;
                continue;
            }
            if (to_p == PHYS_FLOAT) {
                if (!double_to_float(d, &((float *)result->data)[row]))
                    return kernel_overflow(cd->to, err);
                continue;
            }
            bool ok = to_decimal ? double_to_decimal128(d, cd->to.precision, cd->to.scale, &v)
                                 : double_to_int128(d, &v);
            if (!ok) return kernel_overflow(cd->to, err);
        } else {
            int128_t x = exact_at(&ua, from_p, at);
            if (to_p == PHYS_DOUBLE || to_p == PHYS_FLOAT) {
                double d = from_scale ? decimal128_to_double(x, from_scale) : (double)x;
                if (to_p == PHYS_DOUBLE)
                    ((double *)result->data)[row] = d;
                else
                    ((float *)result->data)[row] = (float)d; /* |x| < 2^127 fits */
                continue;
            }
            if (to_p == PHYS_BOOL) {
                ((uint8_t *)result->data)[row] = x != 0;
                continue;
            }
            if (to_decimal) {
                if (!decimal128_rescale(x, from_scale, cd->to.scale, cd->to.precision, &v))
                    return kernel_overflow(cd->to, err);
            } else {
                v = from_scale ? int128_div_round(x, POW10_128[from_scale]) : x;
            }
        }
        switch (to_p) {
        case PHYS_INT8:
            if (v < INT8_MIN || v > INT8_MAX) return kernel_overflow(cd->to, err);
            ((int8_t *)result->data)[row] = (int8_t)v;
            break;
        case PHYS_INT16:
            if (v < INT16_MIN || v > INT16_MAX) return kernel_overflow(cd->to, err);
            ((int16_t *)result->data)[row] = (int16_t)v;
            break;
        case PHYS_INT32:
            if (v < INT32_MIN || v > INT32_MAX) return kernel_overflow(cd->to, err);
            ((int32_t *)result->data)[row] = (int32_t)v;
            break;
        case PHYS_INT64:
            if (v < INT64_MIN || v > INT64_MAX) return kernel_overflow(cd->to, err);
            ((int64_t *)result->data)[row] = (int64_t)v;
            break;
        default:
            ((int128_t *)result->data)[row] = v;
            break;
        }
    }
    return BS_OK;
}

static Status cast_date_to_timestamp(KERNEL_ARGS)
{
    UnifiedVector ua;
    unify(args[0], &ua);
    for (idx_t i = 0; i < count; i++) {
        sel_t row = sel[i];
        int64_t *r = &((int64_t *)result->data)[row];
        if (__builtin_mul_overflow((int64_t)((const int32_t *)ua.data)[ua.sel[row]],
                                   MICROS_PER_DAY, r) ||
            !timestamp_is_valid(*r))
            return error_set(err, SQLSTATE_DATETIME_OVERFLOW, -1, "timestamp out of range");
    }
    return BS_OK;
}

static Status cast_timestamp_to_date(KERNEL_ARGS)
{
    UnifiedVector ua;
    unify(args[0], &ua);
    for (idx_t i = 0; i < count; i++) {
        sel_t row = sel[i];
        int64_t us = ((const int64_t *)ua.data)[ua.sel[row]];
        int64_t days = us / MICROS_PER_DAY - (us % MICROS_PER_DAY < 0);
        ((int32_t *)result->data)[row] = (int32_t)days;
    }
    return BS_OK;
}

static Status cast_to_varchar(KERNEL_ARGS)
{
    const CastData *cd = CAST_DATA;
    UnifiedVector ua;
    unify(args[0], &ua);
    size_t width = type_size(cd->from);
    StringView *R = result->data;
    for (idx_t i = 0; i < count; i++) {
        sel_t row = sel[i];
        char buf[VALUE_TEXT_MAX];
        int len = format_physical(cd->from, (const char *)ua.data + width * ua.sel[row], buf);
        BS_TRY(vector_add_string(result, buf, (size_t)len, &R[row], err));
    }
    return BS_OK;
}

static Status cast_from_varchar(KERNEL_ARGS)
{
    const CastData *cd = CAST_DATA;
    UnifiedVector ua;
    unify(args[0], &ua);
    size_t width = type_size(cd->to);
    for (idx_t i = 0; i < count; i++) {
        sel_t row = sel[i];
        const StringView *s = &((const StringView *)ua.data)[ua.sel[row]];
        ParseResult r =
            parse_as_type(sv_data(s), s->len, cd->to, (char *)result->data + width * row);
        if (r != PARSE_OK) return parse_error(err, r, cd->to, sv_data(s), s->len, -1);
    }
    return BS_OK;
}

static Status cast_identity(KERNEL_ARGS)
{
    UnifiedVector ua;
    unify(args[0], &ua);
    size_t width = type_size(result->type);
    for (idx_t i = 0; i < count; i++) {
        sel_t row = sel[i];
        memcpy((char *)result->data + width * row, (const char *)ua.data + width * ua.sel[row],
               width);
    }
    return BS_OK;
}

/* Any conversion through common/cast.h's value_cast, one value at a time (TIME, and
   text to CHAR(n)/VARCHAR(n), which an explicit cast cuts). */
static Status cast_by_value(KERNEL_ARGS)
{
    const CastData *cd = CAST_DATA;
    for (idx_t i = 0; i < count; i++) {
        sel_t row = sel[i];
        Value in, out;
        vector_get_value(args[0], row, &in);
        BS_TRY(value_cast(&in, cd->to, result->arena, &out, -1, err));
        BS_TRY(vector_set_value(result, row, &out, err));
    }
    return BS_OK;
}

/* Strings whose text does not change (VARCHAR(n) → VARCHAR, CHAR → VARCHAR: a CHAR is
   kept without its padding). */
static Status cast_string_view(KERNEL_ARGS)
{
    UnifiedVector ua;
    unify(args[0], &ua);
    StringView *R = result->data;
    for (idx_t i = 0; i < count; i++) {
        sel_t row = sel[i];
        const StringView *s = UV_STR(ua, row);
        BS_TRY(vector_add_string(result, sv_data(s), s->len, &R[row], err));
    }
    return BS_OK;
}

static Status string_fit_fn(KERNEL_ARGS)
{
    (void)n_args;
    (void)data;
    UnifiedVector ua;
    unify(args[0], &ua);
    StringView *R = result->data;
    for (idx_t i = 0; i < count; i++) {
        sel_t row = sel[i];
        const StringView *s = UV_STR(ua, row);
        bool too_long;
        uint32_t len = string_fit(result->type, sv_data(s), s->len, &too_long);
        if (too_long) return string_too_long(result->type, -1, err);
        BS_TRY(vector_add_string(result, sv_data(s), len, &R[row], err));
    }
    return BS_OK;
}

KernelFn string_fit_kernel(void)
{
    return string_fit_fn;
}

Status cast_kernel_lookup(LogicalType from, LogicalType to, Arena *arena, KernelInfo *out,
                          Error *err)
{
    CastData *cd = arena_alloc(arena, sizeof *cd);
    if (!cd) return arena_error(arena, err);
    cd->from = from;
    cd->to = to;
    out->data = cd;
    out->strict = true;
    out->fn = NULL;
    bool from_int = from.id == TYPE_INTEGER || from.id == TYPE_BIGINT || from.id == TYPE_BOOLEAN;
    bool to_num = to.id == TYPE_INTEGER || to.id == TYPE_BIGINT || to.id == TYPE_DOUBLE ||
                  to.id == TYPE_DECIMAL || to.id == TYPE_BOOLEAN;
    PhysicalType pf = type_physical(from), pt = type_physical(to);
    bool wide = pf == PHYS_INT128 || pt == PHYS_INT128 || pf == PHYS_INT8 || pt == PHYS_INT8 ||
                pf == PHYS_INT16 || pt == PHYS_INT16 || pf == PHYS_FLOAT || pt == PHYS_FLOAT;
    bool from_num = type_is_numeric(from) || from.id == TYPE_BOOLEAN;
    bool to_any_num = type_is_numeric(to) || to.id == TYPE_BOOLEAN;
    bool strings = type_is_string(from) && type_is_string(to);
    if (type_equals(from, to))
        out->fn = cast_identity;
    else if (from.id == TYPE_ARRAY || to.id == TYPE_ARRAY)
        return array_cast_kernel_lookup(from, to, arena, out, err);
    else if (cast_needs_zone(from, to))
        out->fn = NULL; /* the binder makes these cast_in_zone calls */
    else if (strings && to.length == 0 && (to.id == TYPE_VARCHAR || from.id == TYPE_CHAR))
        out->fn = cast_string_view;
    else if (type_is_string(to) && (to.length || to.id == TYPE_CHAR))
        out->fn = cast_by_value;
    else if (to.id == TYPE_TIME || from.id == TYPE_TIME)
        out->fn = cast_by_value;
    else if (to.id == TYPE_VARCHAR)
        out->fn = cast_to_varchar;
    else if (type_is_string(from))
        out->fn = cast_from_varchar;
    else if (wide && from_num && to_any_num &&
             !(from.id == TYPE_BOOLEAN && (type_is_float(to) || to.id == TYPE_DECIMAL)) &&
             !(to.id == TYPE_BOOLEAN && (type_is_float(from) || from.id == TYPE_DECIMAL)))
        out->fn = cast_wide;
    else if (from_int && to_num &&
             !(from.id == TYPE_BOOLEAN && (to.id == TYPE_DOUBLE || to.id == TYPE_DECIMAL)))
        out->fn = cast_from_integral;
    else if (from.id == TYPE_DOUBLE && to_num && to.id != TYPE_BOOLEAN && to.id != TYPE_DOUBLE)
        out->fn = cast_from_double;
    else if (from.id == TYPE_DECIMAL && to_num && to.id != TYPE_BOOLEAN)
        out->fn = cast_from_decimal;
    else if (from.id == TYPE_DATE && to.id == TYPE_TIMESTAMP)
        out->fn = cast_date_to_timestamp;
    else if (from.id == TYPE_TIMESTAMP && to.id == TYPE_DATE)
        out->fn = cast_timestamp_to_date;
    if (!out->fn) {
        char a[32], b[32];
        return error_set(err, SQLSTATE_CANNOT_COERCE, -1, "cannot cast type %s to %s",
                         type_format(from, a, sizeof a), type_format(to, b, sizeof b));
    }
    return BS_OK;
}
