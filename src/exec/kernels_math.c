/*
 * kernels_math.c — math functions: floor, ceil, trunc, sqrt, cbrt, exp, ln, log10, log2,
 * log(b, x), power, sign, pi and random.
 *
 * The functions of DOUBLEs fail as PostgreSQL's do: a square root of a negative number or
 * a negative number to a non-integer power with 2201F, a logarithm of zero or of a
 * negative number with 2201E, a result beyond DOUBLE's range (or flushed to zero from a
 * non-zero one) with 22003. NaN and infinities in give NaN and infinities out.
 */
#include "exec/kernels.h"

#include "common/cast.h"

#include <math.h>
#include <stdint.h>
#include <time.h>

static Status domain_error(const char *sqlstate, const char *message, Error *err)
{
    return error_set(err, sqlstate, -1, "%s", message);
}

static Status float_overflow(Error *err)
{
    return error_set(err, SQLSTATE_NUMERIC_OUT_OF_RANGE, -1, "value out of range: overflow");
}

static Status float_underflow(Error *err)
{
    return error_set(err, SQLSTATE_NUMERIC_OUT_OF_RANGE, -1, "value out of range: underflow");
}

#define LOG_ZERO     "cannot take logarithm of zero"
#define LOG_NEGATIVE "cannot take logarithm of a negative number"
#define SQLSTATE_INVALID_LOG      "2201E"
#define SQLSTATE_INVALID_POWER    "2201F"

/* ---- floor and ceil ---- */

DEFINE_UNARY(floor_f64, double, double, { *r = floor(a); })
DEFINE_UNARY(ceil_f64, double, double, { *r = ceil(a); })
DEFINE_UNARY(ident_i32, int32_t, int32_t, { *r = a; })
DEFINE_UNARY(ident_i64, int64_t, int64_t, { *r = a; })

/* Decimals of either width (int64 up to 18 digits, int128 beyond), read and written
   through int128. */
static inline int128_t dec_read(const UnifiedVector *u, bool wide, sel_t at)
{
    return wide ? ((const int128_t *)u->data)[at] : ((const int64_t *)u->data)[at];
}

static inline void dec_write(Vector *r, bool wide, sel_t row, int128_t v)
{
    if (wide)
        ((int128_t *)r->data)[row] = v;
    else
        ((int64_t *)r->data)[row] = (int64_t)v;
}

/* A decimal of scale s (data: its RoundData) to the integer below or above it. */
static Status floor_ceil_dec(KERNEL_ARGS, bool up)
{
    const RoundData *rd = data;
    int128_t unit = POW10_128[rd->in_scale];
    bool in_wide = type_physical(args[0]->type) == PHYS_INT128;
    bool out_wide = type_physical(result->type) == PHYS_INT128;
    UnifiedVector ua;
    unify(args[0], &ua);
    (void)n_args;
    for (idx_t i = 0; i < count; i++) {
        sel_t row = sel[i];
        int128_t a = dec_read(&ua, in_wide, ua.sel[row]);
        int128_t q = a / unit, rem = a % unit;
        if (up && rem > 0) q++;
        if (!up && rem < 0) q--;
        if (q >= POW10_128[rd->precision] || q <= -POW10_128[rd->precision])
            return kernel_overflow(result->type, err);
        dec_write(result, out_wide, row, q);
    }
    return BS_OK;
}

static Status floor_dec(KERNEL_ARGS)
{
    return floor_ceil_dec(args, n_args, sel, count, result, data, err, false);
}

static Status ceil_dec(KERNEL_ARGS)
{
    return floor_ceil_dec(args, n_args, sel, count, result, data, err, true);
}

/* ---- trunc(x[, digits]) ---- */

static inline int64_t trunc_digits(int n_args, const UnifiedVector *ud, sel_t row)
{
    if (n_args < 2) return 0;
    int64_t d = ((const int64_t *)ud->data)[ud->sel[row]];
    return d < -18 ? -18 : d > 18 ? 18 : d;
}

static Status trunc_f64(KERNEL_ARGS)
{
    UnifiedVector ua, ud = {0};
    unify(args[0], &ua);
    if (n_args == 2) unify(args[1], &ud);
    (void)data;
    (void)err;
    double *R = result->data;
    for (idx_t i = 0; i < count; i++) {
        sel_t row = sel[i];
        double a = ((const double *)ua.data)[ua.sel[row]];
        int64_t digits = trunc_digits(n_args, &ud, row);
        double scale = pow(10.0, (double)digits);
        R[row] = digits == 0 ? trunc(a) : trunc(a * scale) / scale;
    }
    return BS_OK;
}

static Status trunc_int(KERNEL_ARGS)
{
    UnifiedVector ua, ud = {0};
    unify(args[0], &ua);
    if (n_args == 2) unify(args[1], &ud);
    (void)data;
    (void)err;
    bool wide = result->type.id == TYPE_BIGINT;
    for (idx_t i = 0; i < count; i++) {
        sel_t row = sel[i];
        int64_t a = wide ? ((const int64_t *)ua.data)[ua.sel[row]]
                         : ((const int32_t *)ua.data)[ua.sel[row]];
        int64_t digits = trunc_digits(n_args, &ud, row);
        /* toward zero: the magnitude only shrinks, so nothing overflows */
        int64_t v = digits < 0 ? a / POW10[-digits] * POW10[-digits] : a;
        if (wide)
            ((int64_t *)result->data)[row] = v;
        else
            ((int32_t *)result->data)[row] = (int32_t)v;
    }
    return BS_OK;
}

static Status trunc_dec(KERNEL_ARGS)
{
    const RoundData *rd = data;
    bool in_wide = type_physical(args[0]->type) == PHYS_INT128;
    bool out_wide = type_physical(result->type) == PHYS_INT128;
    UnifiedVector ua, ud = {0};
    unify(args[0], &ua);
    if (n_args == 2) unify(args[1], &ud);
    int128_t limit = POW10_128[rd->precision];
    for (idx_t i = 0; i < count; i++) {
        sel_t row = sel[i];
        int128_t a = dec_read(&ua, in_wide, ua.sel[row]);
        int64_t digits = n_args < 2 ? 0 : ((const int64_t *)ud.data)[ud.sel[row]];
        if (digits < -38) digits = -38;
        if (digits > 38) digits = 38;
        int128_t v;
        if (digits < rd->in_scale) {
            int drop = (int)(rd->in_scale - digits);
            int128_t q = drop > 38 ? 0 : a / POW10_128[drop];
            int lift = (int)(rd->out_scale - digits);
            if (lift > 38 || __builtin_mul_overflow(q, POW10_128[lift], &v))
                return kernel_overflow(result->type, err);
        } else {
            int lift = rd->out_scale - rd->in_scale;
            if (lift < 0 || lift > 38 || __builtin_mul_overflow(a, POW10_128[lift], &v))
                return kernel_overflow(result->type, err);
        }
        if (v >= limit || v <= -limit) return kernel_overflow(result->type, err);
        dec_write(result, out_wide, row, v);
    }
    return BS_OK;
}

/* ---- functions of DOUBLEs ---- */

DEFINE_UNARY(sqrt_f64, double, double, {
    if (a < 0)
        return domain_error(SQLSTATE_INVALID_POWER, "cannot take square root of a negative number",
                            err);
    *r = sqrt(a);
})
DEFINE_UNARY(cbrt_f64, double, double, { *r = cbrt(a); })
DEFINE_UNARY(exp_f64, double, double, {
    double v = exp(a);
    if (isinf(v) && isfinite(a)) return float_overflow(err);
    if (v == 0 && isfinite(a)) return float_underflow(err);
    *r = v;
})

#define LOG_KERNEL(NAME, FN)                                                                       \
    DEFINE_UNARY(NAME, double, double, {                                                           \
        if (a == 0) return domain_error(SQLSTATE_INVALID_LOG, LOG_ZERO, err);                      \
        if (a < 0) return domain_error(SQLSTATE_INVALID_LOG, LOG_NEGATIVE, err);                   \
        *r = FN(a);                                                                                \
    })
LOG_KERNEL(ln_f64, log)
LOG_KERNEL(log10_f64, log10)
LOG_KERNEL(log2_f64, log2)

/* log(b, x): the logarithm of x to base b. */
DEFINE_BINARY(log_base_f64, double, double, double, {
    if (a == 0 || b == 0) return domain_error(SQLSTATE_INVALID_LOG, LOG_ZERO, err);
    if (a < 0 || b < 0) return domain_error(SQLSTATE_INVALID_LOG, LOG_NEGATIVE, err);
    if (a == 1) return kernel_division_by_zero(err);
    *r = log(b) / log(a);
})

DEFINE_BINARY(power_f64, double, double, double, {
    if (a == 0 && b < 0)
        return domain_error(SQLSTATE_INVALID_POWER, "zero raised to a negative power is undefined",
                            err);
    if (a < 0 && isfinite(b) && floor(b) != b)
        return domain_error(SQLSTATE_INVALID_POWER,
                            "a negative number raised to a non-integer power yields a complex "
                            "result",
                            err);
    double v = pow(a, b);
    if (isinf(v) && isfinite(a) && isfinite(b)) return float_overflow(err);
    if (v == 0 && a != 0 && isfinite(a) && isfinite(b)) return float_underflow(err);
    *r = v;
})

/* ---- sign ---- */

DEFINE_UNARY(sign_i32, int32_t, int32_t, { *r = (a > 0) - (a < 0); })
DEFINE_UNARY(sign_i64, int64_t, int64_t, { *r = (a > 0) - (a < 0); })
DEFINE_UNARY(sign_f64, double, double, { *r = isnan(a) ? a : (double)((a > 0) - (a < 0)); })

/* ---- pi() and random() ---- */

static Status pi_kernel(KERNEL_ARGS)
{
    (void)args;
    (void)n_args;
    (void)data;
    (void)err;
    double *R = result->data;
    for (idx_t i = 0; i < count; i++)
        R[sel[i]] = M_PI;
    return BS_OK;
}

/*
 * random(): xoshiro256** per thread, seeded from the clock and the state's address the
 * first time a thread draws. Not for cryptography.
 */
static _Thread_local uint64_t rng_state[4];
static _Thread_local bool rng_seeded;

static inline uint64_t rotl64(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static void rng_seed(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    uint64_t x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)(uintptr_t)rng_state;
    for (int k = 0; k < 4; k++)
        rng_state[k] = splitmix64(&x);
    rng_seeded = true;
}

static inline uint64_t rng_next(void)
{
    uint64_t *s = rng_state;
    uint64_t out = rotl64(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl64(s[3], 45);
    return out;
}

static Status random_kernel(KERNEL_ARGS)
{
    (void)args;
    (void)n_args;
    (void)data;
    (void)err;
    if (!rng_seeded) rng_seed();
    double *R = result->data;
    for (idx_t i = 0; i < count; i++)
        R[sel[i]] = (double)(rng_next() >> 11) * 0x1.0p-53; /* 53 random bits in [0, 1) */
    return BS_OK;
}

/* The sign of a 128-bit decimal, as a DECIMAL(1,0) (an int64). */
DEFINE_UNARY(sign_dec128, int128_t, int64_t, { *r = (a > 0) - (a < 0); })

KernelFn math_kernel(ScalarFuncId func, const LogicalType *arg_types, int n_args, LogicalType ret)
{
    TypeId t = n_args > 0 ? (TypeId)arg_types[0].id : TYPE_INVALID;
    bool f64 = t == TYPE_DOUBLE && ret.id == TYPE_DOUBLE;
    switch (func) {
    case FN_FLOOR:
    case FN_CEIL:
        if (n_args != 1) return NULL;
        if (f64) return func == FN_FLOOR ? floor_f64 : ceil_f64;
        if (t == TYPE_DECIMAL && ret.id == TYPE_DECIMAL) return func == FN_FLOOR ? floor_dec : ceil_dec;
        if (t == TYPE_INTEGER && ret.id == t) return ident_i32;
        if (t == TYPE_BIGINT && ret.id == t) return ident_i64;
        return NULL;
    case FN_TRUNC:
        if (n_args < 1 || n_args > 2 || ret.id != t) return NULL;
        if (n_args == 2 && arg_types[1].id != TYPE_BIGINT) return NULL;
        if (t == TYPE_DOUBLE) return trunc_f64;
        if (t == TYPE_DECIMAL) return trunc_dec;
        if (t == TYPE_INTEGER || t == TYPE_BIGINT) return trunc_int;
        return NULL;
    case FN_SQRT:
        return n_args == 1 && f64 ? sqrt_f64 : NULL;
    case FN_CBRT:
        return n_args == 1 && f64 ? cbrt_f64 : NULL;
    case FN_EXP:
        return n_args == 1 && f64 ? exp_f64 : NULL;
    case FN_LN:
        return n_args == 1 && f64 ? ln_f64 : NULL;
    case FN_LOG10:
        return n_args == 1 && f64 ? log10_f64 : NULL;
    case FN_LOG2:
        return n_args == 1 && f64 ? log2_f64 : NULL;
    case FN_LOG:
        if (n_args == 1 && f64) return log10_f64;
        return n_args == 2 && f64 && arg_types[1].id == TYPE_DOUBLE ? log_base_f64 : NULL;
    case FN_POWER:
        return n_args == 2 && f64 && arg_types[1].id == TYPE_DOUBLE ? power_f64 : NULL;
    case FN_SIGN:
        if (n_args != 1) return NULL;
        if (f64) return sign_f64;
        if (t == TYPE_INTEGER && ret.id == t) return sign_i32;
        if (t == TYPE_BIGINT && ret.id == t) return sign_i64;
        if (t == TYPE_DECIMAL && ret.id == TYPE_DECIMAL && ret.scale == 0)
            return type_physical(arg_types[0]) == PHYS_INT128 ? sign_dec128 : sign_i64;
        return NULL;
    case FN_PI:
        return n_args == 0 && ret.id == TYPE_DOUBLE ? pi_kernel : NULL;
    case FN_RANDOM:
        return n_args == 0 && ret.id == TYPE_DOUBLE ? random_kernel : NULL;
    default:
        return NULL;
    }
}
