/*
 * kernels_arith.c — arithmetic and comparison kernels.
 *
 * Integer arithmetic is checked (PostgreSQL raises "integer out of range" rather than
 * wrapping); division truncates toward zero and fails on a zero divisor, for doubles too.
 * DECIMAL values are unscaled numbers, int64 up to 18 digits and int128 beyond: the
 * binder has already brought operands of + and - to one scale, and the result must stay
 * below 10^precision (`data` points at that bound, an int64 for a result of up to 18
 * digits, an int128 beyond). Operands of a 128-bit result may be of either width, so that
 * DECIMAL(15,2) * DECIMAL(15,2) multiplies two int64s into an int128 without casts.
 */
#include "exec/kernels.h"

#include <math.h>

Status kernel_overflow(LogicalType type, Error *err)
{
    switch ((TypeId)type.id) {
    case TYPE_INTEGER:
        return error_set(err, SQLSTATE_NUMERIC_OUT_OF_RANGE, -1, "integer out of range");
    case TYPE_BIGINT:
        return error_set(err, SQLSTATE_NUMERIC_OUT_OF_RANGE, -1, "bigint out of range");
    case TYPE_SMALLINT:
        return error_set(err, SQLSTATE_NUMERIC_OUT_OF_RANGE, -1, "smallint out of range");
    case TYPE_TINYINT:
        return error_set(err, SQLSTATE_NUMERIC_OUT_OF_RANGE, -1, "tinyint out of range");
    case TYPE_REAL:
        return error_set(err, SQLSTATE_NUMERIC_OUT_OF_RANGE, -1, "real out of range");
    case TYPE_HUGEINT:
        return error_set(err, SQLSTATE_NUMERIC_OUT_OF_RANGE, -1, "hugeint out of range");
    case TYPE_DATE:
        return error_set(err, SQLSTATE_DATETIME_OVERFLOW, -1, "date out of range");
    case TYPE_TIMESTAMP:
        return error_set(err, SQLSTATE_DATETIME_OVERFLOW, -1, "timestamp out of range");
    case TYPE_INTERVAL:
        return error_set(err, SQLSTATE_DATETIME_OVERFLOW, -1, "interval out of range");
    case TYPE_DECIMAL:
        return error_set(err, SQLSTATE_NUMERIC_OUT_OF_RANGE, -1,
                         "numeric field overflow: result does not fit DECIMAL(%d,%d)",
                         type.precision, type.scale);
    default:
        return error_set(err, SQLSTATE_NUMERIC_OUT_OF_RANGE, -1, "value out of range");
    }
}

Status kernel_division_by_zero(Error *err)
{
    return error_set(err, SQLSTATE_DIVISION_BY_ZERO, -1, "division by zero");
}

KernelPhys kernel_phys(LogicalType type)
{
    switch (type_physical(type)) {
    case PHYS_BOOL:
        return KP_BOOL;
    case PHYS_INT32:
        return KP_I32;
    case PHYS_INT64:
        return KP_I64;
    case PHYS_DOUBLE:
        return KP_F64;
    case PHYS_STRING:
        return KP_STR;
    case PHYS_INTERVAL:
        return KP_IV;
    case PHYS_INT128:
        return KP_I128;
    case PHYS_INT8:
        return KP_I8;
    case PHYS_INT16:
        return KP_I16;
    case PHYS_FLOAT:
        return KP_F32;
    case PHYS_INVALID:
        break;
    }
    return KP_COUNT_;
}

#define INT_OP(T, TYPEID, OPFN)                                                                    \
    {                                                                                              \
        if (__builtin_##OPFN##_overflow(a, b, r)) return kernel_overflow(type_make(TYPEID), err);  \
    }

/* ---- INTEGER ---- */
DEFINE_BINARY(add_i32, int32_t, int32_t, int32_t, INT_OP(int32_t, TYPE_INTEGER, add))
DEFINE_BINARY(sub_i32, int32_t, int32_t, int32_t, INT_OP(int32_t, TYPE_INTEGER, sub))
DEFINE_BINARY(mul_i32, int32_t, int32_t, int32_t, INT_OP(int32_t, TYPE_INTEGER, mul))
DEFINE_BINARY(div_i32, int32_t, int32_t, int32_t, {
    if (b == 0) return kernel_division_by_zero(err);
    if (a == INT32_MIN && b == -1) return kernel_overflow(type_make(TYPE_INTEGER), err);
    *r = a / b;
})
DEFINE_BINARY(mod_i32, int32_t, int32_t, int32_t, {
    if (b == 0) return kernel_division_by_zero(err);
    *r = b == -1 ? 0 : a % b;
})
/* DATE ± INTEGER, DATE - DATE: day arithmetic on int32. */
DEFINE_BINARY(add_date, int32_t, int32_t, int32_t, INT_OP(int32_t, TYPE_DATE, add))
DEFINE_BINARY(sub_date, int32_t, int32_t, int32_t, INT_OP(int32_t, TYPE_DATE, sub))

/* ---- BIGINT ---- */
DEFINE_BINARY(add_i64, int64_t, int64_t, int64_t, INT_OP(int64_t, TYPE_BIGINT, add))
DEFINE_BINARY(sub_i64, int64_t, int64_t, int64_t, INT_OP(int64_t, TYPE_BIGINT, sub))
DEFINE_BINARY(mul_i64, int64_t, int64_t, int64_t, INT_OP(int64_t, TYPE_BIGINT, mul))
DEFINE_BINARY(div_i64, int64_t, int64_t, int64_t, {
    if (b == 0) return kernel_division_by_zero(err);
    if (a == INT64_MIN && b == -1) return kernel_overflow(type_make(TYPE_BIGINT), err);
    *r = a / b;
})
DEFINE_BINARY(mod_i64, int64_t, int64_t, int64_t, {
    if (b == 0) return kernel_division_by_zero(err);
    *r = b == -1 ? 0 : a % b;
})

/* ---- TINYINT, SMALLINT: checked, as PostgreSQL's int2 ---- */
#define SMALL_INT_KERNELS(SUFFIX, T, MIN, TYPEID)                                                  \
    DEFINE_BINARY(add_##SUFFIX, T, T, T, INT_OP(T, TYPEID, add))                                   \
    DEFINE_BINARY(sub_##SUFFIX, T, T, T, INT_OP(T, TYPEID, sub))                                   \
    DEFINE_BINARY(mul_##SUFFIX, T, T, T, INT_OP(T, TYPEID, mul))                                   \
    DEFINE_BINARY(div_##SUFFIX, T, T, T, {                                                         \
        if (b == 0) return kernel_division_by_zero(err);                                           \
        if (a == MIN && b == -1) return kernel_overflow(type_make(TYPEID), err);                   \
        *r = (T)(a / b);                                                                           \
    })                                                                                             \
    DEFINE_BINARY(mod_##SUFFIX, T, T, T, {                                                         \
        if (b == 0) return kernel_division_by_zero(err);                                           \
        *r = b == -1 ? 0 : (T)(a % b);                                                             \
    })                                                                                             \
    DEFINE_UNARY(neg_##SUFFIX, T, T, {                                                             \
        if (a == MIN) return kernel_overflow(type_make(TYPEID), err);                              \
        *r = (T)-a;                                                                                \
    })                                                                                             \
    DEFINE_UNARY(abs_##SUFFIX, T, T, {                                                             \
        if (a == MIN) return kernel_overflow(type_make(TYPEID), err);                              \
        *r = (T)(a < 0 ? -a : a);                                                                  \
    })
SMALL_INT_KERNELS(i8, int8_t, INT8_MIN, TYPE_TINYINT)
SMALL_INT_KERNELS(i16, int16_t, INT16_MIN, TYPE_SMALLINT)

/* ---- REAL: float arithmetic; a finite result beyond the range is 22003 (PostgreSQL) ---- */
#define F32_CHECK                                                                                  \
    if (isinf(*r) && !isinf(a) && !isinf(b)) return kernel_overflow(type_make(TYPE_REAL), err);
DEFINE_BINARY(add_f32, float, float, float, {
    *r = a + b;
    F32_CHECK
})
DEFINE_BINARY(sub_f32, float, float, float, {
    *r = a - b;
    F32_CHECK
})
DEFINE_BINARY(mul_f32, float, float, float, {
    *r = a * b;
    F32_CHECK
})
DEFINE_BINARY(div_f32, float, float, float, {
    if (b == 0) return kernel_division_by_zero(err);
    *r = a / b;
    F32_CHECK
})
DEFINE_BINARY(mod_f32, float, float, float, {
    if (b == 0) return kernel_division_by_zero(err);
    *r = fmodf(a, b);
})
DEFINE_UNARY(neg_f32, float, float, { *r = -a; })
DEFINE_UNARY(abs_f32, float, float, { *r = fabsf(a); })

/* ---- HUGEINT ---- */
DEFINE_BINARY(add_i128, int128_t, int128_t, int128_t, INT_OP(int128_t, TYPE_HUGEINT, add))
DEFINE_BINARY(sub_i128, int128_t, int128_t, int128_t, INT_OP(int128_t, TYPE_HUGEINT, sub))
DEFINE_BINARY(mul_i128, int128_t, int128_t, int128_t, INT_OP(int128_t, TYPE_HUGEINT, mul))
DEFINE_BINARY(div_i128, int128_t, int128_t, int128_t, {
    if (b == 0) return kernel_division_by_zero(err);
    if (a == INT128_MIN_VALUE && b == -1) return kernel_overflow(type_make(TYPE_HUGEINT), err);
    *r = a / b;
})
DEFINE_BINARY(mod_i128, int128_t, int128_t, int128_t, {
    if (b == 0) return kernel_division_by_zero(err);
    *r = b == -1 ? 0 : a % b;
})

/* ---- DOUBLE ---- */
DEFINE_BINARY(add_f64, double, double, double, { *r = a + b; })
DEFINE_BINARY(sub_f64, double, double, double, { *r = a - b; })
DEFINE_BINARY(mul_f64, double, double, double, { *r = a * b; })
DEFINE_BINARY(div_f64, double, double, double, {
    if (b == 0) return kernel_division_by_zero(err);
    *r = a / b;
})
DEFINE_BINARY(mod_f64, double, double, double, {
    if (b == 0) return kernel_division_by_zero(err);
    *r = fmod(a, b);
})

/* ---- DECIMAL: int64 with a bound of 10^precision (in *data) ---- */
#define DEC_OP(OPFN)                                                                               \
    {                                                                                              \
        int64_t limit = *(const int64_t *)data;                                                    \
        if (__builtin_##OPFN##_overflow(a, b, r) || *r >= limit || *r <= -limit)                   \
            return error_set(err, SQLSTATE_NUMERIC_OUT_OF_RANGE, -1, "numeric field overflow");    \
    }
DEFINE_BINARY(add_dec, int64_t, int64_t, int64_t, DEC_OP(add))
DEFINE_BINARY(sub_dec, int64_t, int64_t, int64_t, DEC_OP(sub))
DEFINE_BINARY(mul_dec, int64_t, int64_t, int64_t, DEC_OP(mul))

/* ---- DECIMAL with a 128-bit result: operands of either width, a bound of 10^p (int128) ---- */
#define DEC128_FAIL()                                                                              \
    return error_set(err, SQLSTATE_NUMERIC_OUT_OF_RANGE, -1, "numeric field overflow")
#define DEC128_OP(OPFN)                                                                            \
    {                                                                                              \
        int128_t limit = *(const int128_t *)data;                                                  \
        if (__builtin_##OPFN##_overflow((int128_t)a, (int128_t)b, r) || *r >= limit ||             \
            *r <= -limit)                                                                          \
            DEC128_FAIL();                                                                         \
    }
/* Two int64 factors: the product always fits 128 bits (one widening multiply). */
#define DEC128_MUL64                                                                               \
    {                                                                                              \
        int128_t limit = *(const int128_t *)data;                                                  \
        *r = (int128_t)a * b;                                                                      \
        if (*r >= limit || *r <= -limit) DEC128_FAIL();                                            \
    }
/* clang-format off */
#define DEC128_KERNELS(SUFFIX, TA, TB, MUL)                                                        \
    DEFINE_BINARY(add_dec128_##SUFFIX, TA, TB, int128_t, DEC128_OP(add))                           \
    DEFINE_BINARY(sub_dec128_##SUFFIX, TA, TB, int128_t, DEC128_OP(sub))                           \
    DEFINE_BINARY(mul_dec128_##SUFFIX, TA, TB, int128_t, MUL)
/* clang-format on */
DEC128_KERNELS(ll, int64_t, int64_t, DEC128_MUL64)
DEC128_KERNELS(lw, int64_t, int128_t, DEC128_OP(mul))
DEC128_KERNELS(wl, int128_t, int64_t, DEC128_OP(mul))
DEC128_KERNELS(ww, int128_t, int128_t, DEC128_OP(mul))

/* The kernel of a DECIMAL result of more than 18 digits (+, -, * by operand widths). */
static KernelFn dec128_kernel(ScalarFuncId func, LogicalType left, LogicalType right)
{
    static const KernelFn table[3][4] = {
        {add_dec128_ll, add_dec128_lw, add_dec128_wl, add_dec128_ww},
        {sub_dec128_ll, sub_dec128_lw, sub_dec128_wl, sub_dec128_ww},
        {mul_dec128_ll, mul_dec128_lw, mul_dec128_wl, mul_dec128_ww},
    };
    int op = func == FN_ADD ? 0 : func == FN_SUBTRACT ? 1 : func == FN_MULTIPLY ? 2 : -1;
    if (op < 0) return NULL;
    return table[op][type_is_wide_decimal(left) * 2 + type_is_wide_decimal(right)];
}

KernelFn arith_kernel(ScalarFuncId func, LogicalType left, LogicalType right, LogicalType ret)
{
    if (ret.id == TYPE_DATE || (left.id == TYPE_DATE && right.id == TYPE_DATE)) {
        bool date_int = left.id == TYPE_DATE && right.id == TYPE_INTEGER;
        bool int_date = left.id == TYPE_INTEGER && right.id == TYPE_DATE;
        bool date_date = left.id == TYPE_DATE && right.id == TYPE_DATE;
        if (func == FN_ADD && (date_int || int_date) && ret.id == TYPE_DATE) return add_date;
        if (func == FN_SUBTRACT && date_int && ret.id == TYPE_DATE) return sub_date;
        if (func == FN_SUBTRACT && date_date && ret.id == TYPE_INTEGER) return sub_i32;
        return NULL;
    }
    if (!type_equals(left, right)) {
        /* Decimals of different precision (and, for *, scale) combine; checked below. */
        if (!(left.id == TYPE_DECIMAL && right.id == TYPE_DECIMAL)) return NULL;
    }
    switch ((TypeId)ret.id) {
    case TYPE_INTEGER:
        if (left.id != TYPE_INTEGER) return NULL;
        switch (func) {
        case FN_ADD:
            return add_i32;
        case FN_SUBTRACT:
            return sub_i32;
        case FN_MULTIPLY:
            return mul_i32;
        case FN_DIVIDE:
            return div_i32;
        case FN_MODULO:
            return mod_i32;
        default:
            return NULL;
        }
    case TYPE_BIGINT:
        if (left.id != TYPE_BIGINT) return NULL;
        switch (func) {
        case FN_ADD:
            return add_i64;
        case FN_SUBTRACT:
            return sub_i64;
        case FN_MULTIPLY:
            return mul_i64;
        case FN_DIVIDE:
            return div_i64;
        case FN_MODULO:
            return mod_i64;
        default:
            return NULL;
        }
    case TYPE_TINYINT:
    case TYPE_SMALLINT:
    case TYPE_REAL: {
        if (left.id != ret.id) return NULL;
        static const KernelFn small[3][5] = {
            {add_i8, sub_i8, mul_i8, div_i8, mod_i8},
            {add_i16, sub_i16, mul_i16, div_i16, mod_i16},
            {add_f32, sub_f32, mul_f32, div_f32, mod_f32},
        };
        int t = ret.id == TYPE_TINYINT ? 0 : ret.id == TYPE_SMALLINT ? 1 : 2;
        switch (func) {
        case FN_ADD:
            return small[t][0];
        case FN_SUBTRACT:
            return small[t][1];
        case FN_MULTIPLY:
            return small[t][2];
        case FN_DIVIDE:
            return small[t][3];
        case FN_MODULO:
            return small[t][4];
        default:
            return NULL;
        }
    }
    case TYPE_HUGEINT:
        if (left.id != TYPE_HUGEINT) return NULL;
        switch (func) {
        case FN_ADD:
            return add_i128;
        case FN_SUBTRACT:
            return sub_i128;
        case FN_MULTIPLY:
            return mul_i128;
        case FN_DIVIDE:
            return div_i128;
        case FN_MODULO:
            return mod_i128;
        default:
            return NULL;
        }
    case TYPE_DOUBLE:
        if (left.id != TYPE_DOUBLE) return NULL;
        switch (func) {
        case FN_ADD:
            return add_f64;
        case FN_SUBTRACT:
            return sub_f64;
        case FN_MULTIPLY:
            return mul_f64;
        case FN_DIVIDE:
            return div_f64;
        case FN_MODULO:
            return mod_f64;
        default:
            return NULL;
        }
    case TYPE_DECIMAL:
        if (left.id != TYPE_DECIMAL || right.id != TYPE_DECIMAL) return NULL;
        if (type_is_wide_decimal(ret)) {
            bool same_scale = left.scale == ret.scale && right.scale == ret.scale;
            if (func == FN_MODULO)
                return same_scale && type_is_wide_decimal(left) && type_is_wide_decimal(right)
                           ? mod_i128
                           : NULL;
            if (func == FN_MULTIPLY ? left.scale + right.scale != ret.scale : !same_scale)
                return NULL;
            return dec128_kernel(func, left, right);
        }
        if (type_is_wide_decimal(left) || type_is_wide_decimal(right)) return NULL;
        switch (func) {
        case FN_ADD:
            return left.scale == ret.scale && right.scale == ret.scale ? add_dec : NULL;
        case FN_SUBTRACT:
            return left.scale == ret.scale && right.scale == ret.scale ? sub_dec : NULL;
        case FN_MULTIPLY:
            return left.scale + right.scale == ret.scale ? mul_dec : NULL;
        case FN_MODULO:
            return left.scale == ret.scale && right.scale == ret.scale ? mod_i64 : NULL;
        default:
            return NULL;
        }
    default:
        return NULL;
    }
}

DEFINE_UNARY(neg_i32, int32_t, int32_t, {
    if (a == INT32_MIN) return kernel_overflow(type_make(TYPE_INTEGER), err);
    *r = -a;
})
DEFINE_UNARY(neg_i64, int64_t, int64_t, {
    if (a == INT64_MIN) return kernel_overflow(type_make(TYPE_BIGINT), err);
    *r = -a;
})
DEFINE_UNARY(neg_i128, int128_t, int128_t, {
    if (a == INT128_MIN_VALUE) return kernel_overflow(type_make(TYPE_HUGEINT), err);
    *r = -a;
})
DEFINE_UNARY(abs_i128, int128_t, int128_t, {
    if (a == INT128_MIN_VALUE) return kernel_overflow(type_make(TYPE_HUGEINT), err);
    *r = a < 0 ? -a : a;
})
DEFINE_UNARY(neg_f64, double, double, { *r = -a; })
DEFINE_UNARY(abs_i32, int32_t, int32_t, {
    if (a == INT32_MIN) return kernel_overflow(type_make(TYPE_INTEGER), err);
    *r = a < 0 ? -a : a;
})
DEFINE_UNARY(abs_i64, int64_t, int64_t, {
    if (a == INT64_MIN) return kernel_overflow(type_make(TYPE_BIGINT), err);
    *r = a < 0 ? -a : a;
})
DEFINE_UNARY(abs_f64, double, double, { *r = fabs(a); })

KernelFn negate_kernel(LogicalType type)
{
    switch ((TypeId)type.id) {
    case TYPE_INTEGER:
        return neg_i32;
    case TYPE_HUGEINT:
        return neg_i128;
    case TYPE_TINYINT:
        return neg_i8;
    case TYPE_SMALLINT:
        return neg_i16;
    case TYPE_REAL:
        return neg_f32;
    case TYPE_DECIMAL:
        return type_is_wide_decimal(type) ? neg_i128 : neg_i64;
    case TYPE_BIGINT:
        return neg_i64;
    case TYPE_DOUBLE:
        return neg_f64;
    default:
        return NULL;
    }
}

KernelFn abs_kernel(LogicalType type)
{
    switch ((TypeId)type.id) {
    case TYPE_INTEGER:
        return abs_i32;
    case TYPE_HUGEINT:
        return abs_i128;
    case TYPE_TINYINT:
        return abs_i8;
    case TYPE_SMALLINT:
        return abs_i16;
    case TYPE_REAL:
        return abs_f32;
    case TYPE_DECIMAL:
        return type_is_wide_decimal(type) ? abs_i128 : abs_i64;
    case TYPE_BIGINT:
        return abs_i64;
    case TYPE_DOUBLE:
        return abs_f64;
    default:
        return NULL;
    }
}

/* ---- comparisons ---- */

#define CMP_KERNELS(SUFFIX, T, LT, EQ)                                                             \
    DEFINE_BINARY(eq_##SUFFIX, T, T, uint8_t, { *r = (EQ(a, b)); })                                \
    DEFINE_BINARY(ne_##SUFFIX, T, T, uint8_t, { *r = !(EQ(a, b)); })                               \
    DEFINE_BINARY(lt_##SUFFIX, T, T, uint8_t, { *r = (LT(a, b)); })                                \
    DEFINE_BINARY(le_##SUFFIX, T, T, uint8_t, { *r = !(LT(b, a)); })                               \
    DEFINE_BINARY(gt_##SUFFIX, T, T, uint8_t, { *r = (LT(b, a)); })                                \
    DEFINE_BINARY(ge_##SUFFIX, T, T, uint8_t, { *r = !(LT(a, b)); })

#define PLAIN_LT(a, b) ((a) < (b))
#define PLAIN_EQ(a, b) ((a) == (b))
/* Doubles order NaN above everything and equal to itself, as PostgreSQL does. */
#define F64_LT(a, b) (isnan(b) ? !isnan(a) : (a) < (b))
#define F64_EQ(a, b) (isnan(a) ? isnan(b) : (a) == (b))
#define STR_LT(a, b) (sv_compare(&(a), &(b)) < 0)
#define STR_EQ(a, b) (sv_equal(&(a), &(b)))
/* Intervals compare by their span: '1 mon' = '30 days' (common/datetime.h). */
#define IV_LT(a, b) (interval_compare(&(a), &(b)) < 0)
#define IV_EQ(a, b) (interval_compare(&(a), &(b)) == 0)

CMP_KERNELS(bool, uint8_t, PLAIN_LT, PLAIN_EQ)
CMP_KERNELS(i32, int32_t, PLAIN_LT, PLAIN_EQ)
CMP_KERNELS(i64, int64_t, PLAIN_LT, PLAIN_EQ)
CMP_KERNELS(f64, double, F64_LT, F64_EQ)
CMP_KERNELS(str, StringView, STR_LT, STR_EQ)
CMP_KERNELS(iv, Interval, IV_LT, IV_EQ)
CMP_KERNELS(i128, int128_t, PLAIN_LT, PLAIN_EQ)
CMP_KERNELS(i8, int8_t, PLAIN_LT, PLAIN_EQ)
CMP_KERNELS(i16, int16_t, PLAIN_LT, PLAIN_EQ)
CMP_KERNELS(f32, float, F64_LT, F64_EQ)

KernelFn compare_kernel(ScalarFuncId func, KernelPhys phys)
{
    static const KernelFn table[KP_COUNT_][6] = {
        [KP_BOOL] = {eq_bool, ne_bool, lt_bool, le_bool, gt_bool, ge_bool},
        [KP_I32] = {eq_i32, ne_i32, lt_i32, le_i32, gt_i32, ge_i32},
        [KP_I64] = {eq_i64, ne_i64, lt_i64, le_i64, gt_i64, ge_i64},
        [KP_F64] = {eq_f64, ne_f64, lt_f64, le_f64, gt_f64, ge_f64},
        [KP_STR] = {eq_str, ne_str, lt_str, le_str, gt_str, ge_str},
        [KP_IV] = {eq_iv, ne_iv, lt_iv, le_iv, gt_iv, ge_iv},
        [KP_I128] = {eq_i128, ne_i128, lt_i128, le_i128, gt_i128, ge_i128},
        [KP_I8] = {eq_i8, ne_i8, lt_i8, le_i8, gt_i8, ge_i8},
        [KP_I16] = {eq_i16, ne_i16, lt_i16, le_i16, gt_i16, ge_i16},
        [KP_F32] = {eq_f32, ne_f32, lt_f32, le_f32, gt_f32, ge_f32},
    };
    if (phys >= KP_COUNT_ || func < FN_EQ || func > FN_GE) return NULL;
    return table[phys][func - FN_EQ];
}
