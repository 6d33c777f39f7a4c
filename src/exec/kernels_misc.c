/*
 * kernels_misc.c — round and coalesce.
 */
#include "exec/kernels.h"

#include "common/cast.h"

#include <math.h>

/* Digits of round(x, digits) at a row (0 without a second argument). */
static inline int64_t round_digits(int n_args, const UnifiedVector *ud, sel_t row)
{
    if (n_args < 2) return 0;
    int64_t d = ((const int64_t *)ud->data)[ud->sel[row]];
    return d < -18 ? -18 : d > 18 ? 18 : d;
}

/* Rounds an integer v to a multiple of 10^drop, half away from zero; false on overflow. */
static bool round_to_unit(int64_t v, int drop, int64_t *q_out)
{
    if (drop > 18) {
        *q_out = 0;
        return true;
    }
    int64_t unit = POW10[drop];
    int64_t q = v / unit, rem = v % unit;
    if (rem * 2 >= unit)
        q++;
    else if (rem * 2 <= -unit)
        q--;
    *q_out = q;
    return true;
}

static Status round_f64(KERNEL_ARGS)
{
    UnifiedVector ua, ud = {0};
    unify(args[0], &ua);
    if (n_args == 2) unify(args[1], &ud);
    double *R = result->data;
    for (idx_t i = 0; i < count; i++) {
        sel_t row = sel[i];
        double a = ((const double *)ua.data)[ua.sel[row]];
        int64_t digits = round_digits(n_args, &ud, row);
        /* Half away from zero, as round() on numerics; DuckDB and Trino do it for doubles. */
        double scale = pow(10.0, (double)digits);
        R[row] = digits == 0 ? round(a) : round(a * scale) / scale;
    }
    return BS_OK;
}

static Status round_dec(KERNEL_ARGS)
{
    const RoundData *rd = data;
    UnifiedVector ua, ud = {0};
    unify(args[0], &ua);
    if (n_args == 2) unify(args[1], &ud);
    int64_t *R = result->data;
    for (idx_t i = 0; i < count; i++) {
        sel_t row = sel[i];
        int64_t a = ((const int64_t *)ua.data)[ua.sel[row]];
        int64_t digits = round_digits(n_args, &ud, row);
        int64_t v;
        if (digits < rd->in_scale) {
            /* Round to units of 10^-digits, then express the result with out_scale digits. */
            int64_t q;
            round_to_unit(a, (int)(rd->in_scale - digits), &q);
            int up = (int)(rd->out_scale - digits);
            if (up > 18 || __builtin_mul_overflow(q, POW10[up], &v) || v >= POW10[rd->precision] ||
                v <= -POW10[rd->precision])
                return kernel_overflow(result->type, err);
        } else if (!decimal_rescale(a, rd->in_scale, rd->out_scale, rd->precision, &v)) {
            return kernel_overflow(result->type, err);
        }
        R[row] = v;
    }
    return BS_OK;
}

/* round() of a DECIMAL of more than 18 digits or of a HUGEINT (scale 0): 128-bit values. */
static Status round_128(KERNEL_ARGS)
{
    const RoundData *rd = data;
    UnifiedVector ua, ud = {0};
    unify(args[0], &ua);
    if (n_args == 2) unify(args[1], &ud);
    bool is_decimal = result->type.id == TYPE_DECIMAL;
    int128_t *R = result->data;
    for (idx_t i = 0; i < count; i++) {
        sel_t row = sel[i];
        int128_t a = ((const int128_t *)ua.data)[ua.sel[row]], v;
        int64_t digits = round_digits(n_args, &ud, row);
        bool ok = true;
        if (digits < rd->in_scale) {
            /* to units of 10^-digits, then expressed with out_scale digits (cast.h) */
            int drop = (int)(rd->in_scale - digits), up = (int)(rd->out_scale - digits);
            int128_t q = drop > 38 ? 0 : int128_div_round(a, POW10_128[drop]);
            if (is_decimal)
                ok = decimal128_rescale(q, 0, up, rd->precision, &v);
            else
                ok = !__builtin_mul_overflow(q, POW10_128[up], &v);
        } else if (is_decimal) {
            ok = decimal128_rescale(a, rd->in_scale, rd->out_scale, rd->precision, &v);
        } else {
            v = a;
        }
        if (!ok) return kernel_overflow(result->type, err);
        R[row] = v;
    }
    return BS_OK;
}

static Status round_int(KERNEL_ARGS)
{
    UnifiedVector ua, ud = {0};
    unify(args[0], &ua);
    if (n_args == 2) unify(args[1], &ud);
    bool wide = result->type.id == TYPE_BIGINT;
    for (idx_t i = 0; i < count; i++) {
        sel_t row = sel[i];
        int64_t a = wide ? ((const int64_t *)ua.data)[ua.sel[row]]
                         : ((const int32_t *)ua.data)[ua.sel[row]];
        int64_t digits = round_digits(n_args, &ud, row);
        int64_t v = a;
        if (digits < 0) {
            int64_t q;
            round_to_unit(a, (int)-digits, &q);
            if (__builtin_mul_overflow(q, POW10[-digits], &v))
                return kernel_overflow(result->type, err);
        }
        if (wide) {
            ((int64_t *)result->data)[row] = v;
        } else {
            if (v < INT32_MIN || v > INT32_MAX) return kernel_overflow(result->type, err);
            ((int32_t *)result->data)[row] = (int32_t)v;
        }
    }
    return BS_OK;
}

KernelFn round_kernel(LogicalType type)
{
    switch ((TypeId)type.id) {
    case TYPE_DOUBLE:
        return round_f64;
    case TYPE_DECIMAL:
        return type_is_wide_decimal(type) ? round_128 : round_dec;
    case TYPE_HUGEINT:
        return round_128;
    case TYPE_INTEGER:
    case TYPE_BIGINT:
        return round_int;
    default:
        return NULL;
    }
}

/* coalesce(a, b, …): the first non-NULL argument (not strict). */
static Status coalesce_impl(KERNEL_ARGS)
{
    size_t width = type_size(result->type);
    char *R = result->data;
    for (idx_t i = 0; i < count; i++) {
        sel_t row = sel[i];
        bool found = false;
        for (int k = 0; k < n_args && !found; k++) {
            UnifiedVector uv;
            unify(args[k], &uv);
            sel_t at = uv.sel[row];
            if (validity_get(uv.validity, at)) {
                memcpy(R + width * row, (const char *)uv.data + width * at, width);
                found = true;
            }
        }
        if (!found)
            BS_TRY(vector_set_null(result, row, err));
        else if (result->validity)
            validity_set_valid(result->validity, row);
    }
    return BS_OK;
}

KernelFn coalesce_kernel(void)
{
    return coalesce_impl;
}
