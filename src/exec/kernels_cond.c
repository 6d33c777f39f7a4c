/*
 * kernels_cond.c — conditional functions that see NULLs (not strict): greatest and least,
 * which skip NULL arguments (NULL only when all are, as PostgreSQL's), and
 * IS [NOT] DISTINCT FROM, which treats NULL as a value and never returns NULL; and
 * try_cast, which runs a cast's kernel and makes NULL of the rows where it fails.
 *
 * One loop per physical type (a macro); values compare as ORDER BY does: NaN above every
 * other DOUBLE, intervals by their span, strings bytewise.
 */
#include "exec/kernels.h"

#include <math.h>
#include <string.h>

#define LT_PLAIN(a, b) ((a) < (b))
#define EQ_PLAIN(a, b) ((a) == (b))
#define LT_F64(a, b)   (isnan(b) ? !isnan(a) : (a) < (b))
#define EQ_F64(a, b)   (isnan(a) ? isnan(b) : (a) == (b))
#define LT_STR(a, b)   (sv_compare(&(a), &(b)) < 0)
#define EQ_STR(a, b)   (sv_equal(&(a), &(b)))
#define LT_IV(a, b)    (interval_compare(&(a), &(b)) < 0)
#define EQ_IV(a, b)    (interval_compare(&(a), &(b)) == 0)

/*
 * greatest/least over n_args arguments of one type T: per row, the largest (smallest)
 * non-NULL argument. BETTER(a, b) is true when a should replace b.
 */
#define DEFINE_EXTREME(NAME, T, LT, GREATEST)                                                      \
    static Status NAME(KERNEL_ARGS)                                                                \
    {                                                                                              \
        (void)data;                                                                                \
        UnifiedVector stack[8];                                                                    \
        UnifiedVector *uv = stack;                                                                 \
        if (n_args > 8) {                                                                          \
            uv = arena_alloc(result->arena, sizeof *uv * (size_t)n_args);                          \
            if (!uv) return arena_error(result->arena, err);                                       \
        }                                                                                          \
        for (int k = 0; k < n_args; k++)                                                           \
            unify(args[k], &uv[k]);                                                                \
        T *R = result->data;                                                                       \
        for (idx_t i = 0; i < count; i++) {                                                        \
            sel_t row = sel[i];                                                                    \
            bool found = false;                                                                    \
            T best;                                                                                \
            memset(&best, 0, sizeof best);                                                         \
            for (int k = 0; k < n_args; k++) {                                                     \
                sel_t at = uv[k].sel[row];                                                         \
                if (!validity_get(uv[k].validity, at)) continue;                                   \
                T v = ((const T *)uv[k].data)[at];                                                 \
                if (!found || (GREATEST ? LT(best, v) : LT(v, best))) best = v;                    \
                found = true;                                                                      \
            }                                                                                      \
            if (!found) {                                                                          \
                BS_TRY(vector_set_null(result, row, err));                                         \
            } else {                                                                               \
                R[row] = best;                                                                     \
                if (result->validity) validity_set_valid(result->validity, row);                   \
            }                                                                                      \
        }                                                                                          \
        return BS_OK;                                                                              \
    }

DEFINE_EXTREME(greatest_bool, uint8_t, LT_PLAIN, true)
DEFINE_EXTREME(greatest_i32, int32_t, LT_PLAIN, true)
DEFINE_EXTREME(greatest_i64, int64_t, LT_PLAIN, true)
DEFINE_EXTREME(greatest_f64, double, LT_F64, true)
DEFINE_EXTREME(greatest_str, StringView, LT_STR, true)
DEFINE_EXTREME(greatest_iv, Interval, LT_IV, true)
DEFINE_EXTREME(least_bool, uint8_t, LT_PLAIN, false)
DEFINE_EXTREME(least_i32, int32_t, LT_PLAIN, false)
DEFINE_EXTREME(least_i64, int64_t, LT_PLAIN, false)
DEFINE_EXTREME(least_f64, double, LT_F64, false)
DEFINE_EXTREME(least_str, StringView, LT_STR, false)
DEFINE_EXTREME(least_iv, Interval, LT_IV, false)
DEFINE_EXTREME(greatest_i128, int128_t, LT_PLAIN, true)
DEFINE_EXTREME(greatest_i8, int8_t, LT_PLAIN, true)
DEFINE_EXTREME(greatest_i16, int16_t, LT_PLAIN, true)
DEFINE_EXTREME(greatest_f32, float, LT_F64, true)
DEFINE_EXTREME(least_i128, int128_t, LT_PLAIN, false)
DEFINE_EXTREME(least_i8, int8_t, LT_PLAIN, false)
DEFINE_EXTREME(least_i16, int16_t, LT_PLAIN, false)
DEFINE_EXTREME(least_f32, float, LT_F64, false)

/* a IS [NOT] DISTINCT FROM b: two NULLs are not distinct, one NULL is. */
#define DEFINE_DISTINCT(NAME, T, EQ, NEGATE)                                                       \
    static Status NAME(KERNEL_ARGS)                                                                \
    {                                                                                              \
        (void)n_args;                                                                              \
        (void)data;                                                                                \
        (void)err;                                                                                 \
        UnifiedVector ua, ub;                                                                      \
        unify(args[0], &ua);                                                                       \
        unify(args[1], &ub);                                                                       \
        const T *A = ua.data;                                                                      \
        const T *B = ub.data;                                                                      \
        uint8_t *R = result->data;                                                                 \
        for (idx_t i = 0; i < count; i++) {                                                        \
            sel_t row = sel[i];                                                                    \
            sel_t ia = ua.sel[row], ib = ub.sel[row];                                              \
            bool va = validity_get(ua.validity, ia), vb = validity_get(ub.validity, ib);           \
            bool distinct = va != vb || (va && !(EQ(A[ia], B[ib])));                               \
            R[row] = distinct != NEGATE;                                                           \
            if (result->validity) validity_set_valid(result->validity, row);                      \
        }                                                                                          \
        return BS_OK;                                                                              \
    }

DEFINE_DISTINCT(distinct_bool, uint8_t, EQ_PLAIN, false)
DEFINE_DISTINCT(distinct_i32, int32_t, EQ_PLAIN, false)
DEFINE_DISTINCT(distinct_i64, int64_t, EQ_PLAIN, false)
DEFINE_DISTINCT(distinct_f64, double, EQ_F64, false)
DEFINE_DISTINCT(distinct_str, StringView, EQ_STR, false)
DEFINE_DISTINCT(distinct_iv, Interval, EQ_IV, false)
DEFINE_DISTINCT(not_distinct_bool, uint8_t, EQ_PLAIN, true)
DEFINE_DISTINCT(not_distinct_i32, int32_t, EQ_PLAIN, true)
DEFINE_DISTINCT(not_distinct_i64, int64_t, EQ_PLAIN, true)
DEFINE_DISTINCT(not_distinct_f64, double, EQ_F64, true)
DEFINE_DISTINCT(not_distinct_str, StringView, EQ_STR, true)
DEFINE_DISTINCT(not_distinct_iv, Interval, EQ_IV, true)
DEFINE_DISTINCT(distinct_i128, int128_t, EQ_PLAIN, false)
DEFINE_DISTINCT(distinct_i8, int8_t, EQ_PLAIN, false)
DEFINE_DISTINCT(distinct_i16, int16_t, EQ_PLAIN, false)
DEFINE_DISTINCT(distinct_f32, float, EQ_F64, false)
DEFINE_DISTINCT(not_distinct_i128, int128_t, EQ_PLAIN, true)
DEFINE_DISTINCT(not_distinct_i8, int8_t, EQ_PLAIN, true)
DEFINE_DISTINCT(not_distinct_i16, int16_t, EQ_PLAIN, true)
DEFINE_DISTINCT(not_distinct_f32, float, EQ_F64, true)

static const KernelFn GREATEST[KP_COUNT_] = {
    [KP_BOOL] = greatest_bool, [KP_I32] = greatest_i32,   [KP_I64] = greatest_i64,
    [KP_F64] = greatest_f64,   [KP_STR] = greatest_str,   [KP_IV] = greatest_iv,
    [KP_I128] = greatest_i128, [KP_I8] = greatest_i8,     [KP_I16] = greatest_i16,
    [KP_F32] = greatest_f32};
static const KernelFn LEAST[KP_COUNT_] = {
    [KP_BOOL] = least_bool, [KP_I32] = least_i32, [KP_I64] = least_i64, [KP_F64] = least_f64,
    [KP_STR] = least_str,   [KP_IV] = least_iv,   [KP_I128] = least_i128, [KP_I8] = least_i8,
    [KP_I16] = least_i16,   [KP_F32] = least_f32};
static const KernelFn DISTINCT[KP_COUNT_] = {
    [KP_BOOL] = distinct_bool, [KP_I32] = distinct_i32,   [KP_I64] = distinct_i64,
    [KP_F64] = distinct_f64,   [KP_STR] = distinct_str,   [KP_IV] = distinct_iv,
    [KP_I128] = distinct_i128, [KP_I8] = distinct_i8,     [KP_I16] = distinct_i16,
    [KP_F32] = distinct_f32};
static const KernelFn NOT_DISTINCT[KP_COUNT_] = {
    [KP_BOOL] = not_distinct_bool, [KP_I32] = not_distinct_i32,   [KP_I64] = not_distinct_i64,
    [KP_F64] = not_distinct_f64,   [KP_STR] = not_distinct_str,   [KP_IV] = not_distinct_iv,
    [KP_I128] = not_distinct_i128, [KP_I8] = not_distinct_i8,     [KP_I16] = not_distinct_i16,
    [KP_F32] = not_distinct_f32};

KernelFn cond_kernel(ScalarFuncId func, const LogicalType *arg_types, int n_args, LogicalType ret)
{
    if (n_args < 1) return NULL;
    for (int k = 1; k < n_args; k++)
        if (!type_equals(arg_types[k], arg_types[0])) return NULL;
    KernelPhys phys = kernel_phys(arg_types[0]);
    if ((unsigned)phys >= KP_COUNT_) return NULL;
    switch (func) {
    case FN_GREATEST:
        return type_equals(ret, arg_types[0]) ? GREATEST[phys] : NULL;
    case FN_LEAST:
        return type_equals(ret, arg_types[0]) ? LEAST[phys] : NULL;
    case FN_IS_DISTINCT:
        return n_args == 2 && ret.id == TYPE_BOOLEAN ? DISTINCT[phys] : NULL;
    case FN_IS_NOT_DISTINCT:
        return n_args == 2 && ret.id == TYPE_BOOLEAN ? NOT_DISTINCT[phys] : NULL;
    default:
        return NULL;
    }
}

/*
 * try_cast(x): the cast's kernel over all rows at once; only when that fails, again row by
 * row, and the rows that fail with a data exception (class 22) become NULL. A batch without bad values costs one cast.
 */
static Status try_cast_impl(KERNEL_ARGS)
{
    const KernelInfo *cast = data;
    Error local = ERROR_INIT;
    if (cast->fn(args, n_args, sel, count, result, cast->data, &local) == BS_OK) return BS_OK;
    error_clear(&local);
    for (idx_t i = 0; i < count; i++) {
        if (cast->fn(args, n_args, &sel[i], 1, result, cast->data, &local) != BS_OK) {
            if (strncmp(local.sqlstate, "22", 2) != 0) {
                /* not a data exception (memory, limits): the query fails */
                error_move(err, &local);
                return BS_ERROR;
            }
            error_clear(&local);
            BS_TRY(vector_set_null(result, sel[i], err));
        }
    }
    return BS_OK;
}

KernelFn try_cast_kernel(void)
{
    return try_cast_impl;
}
