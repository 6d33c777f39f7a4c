/*
 * kernels_datetime.c — kernels of date, timestamp and interval arithmetic and functions:
 *
 *   timestamp ± interval, interval ± interval, timestamp - timestamp, interval * / double,
 *   -interval, age(ts, ts)
 *   extract / date_part   a kernel per unit and input type (DATE, TIMESTAMP, INTERVAL)
 *   date_trunc            a kernel per unit (TIMESTAMP, INTERVAL)
 *   date_diff             a kernel per unit (TIMESTAMP, TIMESTAMP)
 *   make_date, last_day
 *
 * The unit of extract/date_trunc/date_diff is a constant: it picks the kernel when the
 * expression is compiled, so every loop is specialised for one unit and one type (the
 * unit reaches common/datetime.c's field functions as a constant). The calendar itself
 * is common/datetime.c's, shared with constant folding.
 */
#include "exec/kernels.h"

#include "common/datetime.h"

#include <stdio.h>

static Status timestamp_out_of_range(Error *err)
{
    return kernel_overflow(type_make(TYPE_TIMESTAMP), err);
}

static Status interval_out_of_range(Error *err)
{
    return kernel_overflow(type_make(TYPE_INTERVAL), err);
}

/* ---- arithmetic ------------------------------------------------------------------------ */

DEFINE_BINARY(add_ts_iv, int64_t, Interval, int64_t, {
    if (!timestamp_add_interval(a, &b, r)) return timestamp_out_of_range(err);
})
DEFINE_BINARY(add_iv_ts, Interval, int64_t, int64_t, {
    if (!timestamp_add_interval(b, &a, r)) return timestamp_out_of_range(err);
})
DEFINE_BINARY(sub_ts_iv, int64_t, Interval, int64_t, {
    if (!timestamp_sub_interval(a, &b, r)) return timestamp_out_of_range(err);
})
DEFINE_BINARY(sub_ts_ts, int64_t, int64_t, Interval, {
    if (!timestamp_difference(a, b, r)) return interval_out_of_range(err);
})
DEFINE_BINARY(add_iv_iv, Interval, Interval, Interval, {
    if (!interval_add(&a, &b, r)) return interval_out_of_range(err);
})
DEFINE_BINARY(sub_iv_iv, Interval, Interval, Interval, {
    if (!interval_sub(&a, &b, r)) return interval_out_of_range(err);
})
DEFINE_BINARY(mul_iv_f64, Interval, double, Interval, {
    if (!interval_mul(&a, b, r)) return interval_out_of_range(err);
})
DEFINE_BINARY(mul_f64_iv, double, Interval, Interval, {
    if (!interval_mul(&b, a, r)) return interval_out_of_range(err);
})
DEFINE_BINARY(div_iv_f64, Interval, double, Interval, {
    if (b == 0) return kernel_division_by_zero(err);
    if (!interval_div(&a, b, r)) return interval_out_of_range(err);
})
DEFINE_UNARY(neg_iv, Interval, Interval, {
    if (!interval_negate(&a, r)) return interval_out_of_range(err);
})
DEFINE_BINARY(age_ts_ts, int64_t, int64_t, Interval, {
    if (!timestamp_age(a, b, r)) return interval_out_of_range(err);
})

/* time ± interval: the interval's time part, wrapped around midnight (PostgreSQL ignores
   its days and months) */
static inline int64_t time_wrap(int64_t micros)
{
    micros %= MICROS_PER_DAY;
    return micros < 0 ? micros + MICROS_PER_DAY : micros;
}
DEFINE_BINARY(add_time_iv, int64_t, Interval, int64_t,
              { *r = time_wrap(a + b.micros % MICROS_PER_DAY); })
DEFINE_BINARY(add_iv_time, Interval, int64_t, int64_t,
              { *r = time_wrap(b + a.micros % MICROS_PER_DAY); })
DEFINE_BINARY(sub_time_iv, int64_t, Interval, int64_t,
              { *r = time_wrap(a - b.micros % MICROS_PER_DAY); })
DEFINE_BINARY(sub_time_time, int64_t, int64_t, Interval, { *r = interval_make(0, 0, a - b); })
DEFINE_BINARY(add_date_time, int32_t, int64_t, int64_t, {
    if (__builtin_add_overflow((int64_t)a * MICROS_PER_DAY, b, r) || !timestamp_is_valid(*r))
        return timestamp_out_of_range(err);
})
DEFINE_BINARY(add_time_date, int64_t, int32_t, int64_t, {
    if (__builtin_add_overflow((int64_t)b * MICROS_PER_DAY, a, r) || !timestamp_is_valid(*r))
        return timestamp_out_of_range(err);
})

KernelFn datetime_arith_kernel(ScalarFuncId func, LogicalType left, LogicalType right,
                               LogicalType ret)
{
    TypeId l = (TypeId)left.id, r = (TypeId)right.id, t = (TypeId)ret.id;
    if (l == TYPE_TIME || r == TYPE_TIME) {
        if (func == FN_ADD && l == TYPE_TIME && r == TYPE_INTERVAL && t == TYPE_TIME)
            return add_time_iv;
        if (func == FN_ADD && l == TYPE_INTERVAL && r == TYPE_TIME && t == TYPE_TIME)
            return add_iv_time;
        if (func == FN_SUBTRACT && l == TYPE_TIME && r == TYPE_INTERVAL && t == TYPE_TIME)
            return sub_time_iv;
        if (func == FN_SUBTRACT && l == TYPE_TIME && r == TYPE_TIME && t == TYPE_INTERVAL)
            return sub_time_time;
        if (func == FN_ADD && l == TYPE_DATE && r == TYPE_TIME && t == TYPE_TIMESTAMP)
            return add_date_time;
        if (func == FN_ADD && l == TYPE_TIME && r == TYPE_DATE && t == TYPE_TIMESTAMP)
            return add_time_date;
        return NULL;
    }
    /* timestamptz - timestamptz is the difference of the instants, as for timestamps */
    if (func == FN_SUBTRACT && l == TYPE_TIMESTAMPTZ && r == TYPE_TIMESTAMPTZ && t == TYPE_INTERVAL)
        return sub_ts_ts;
    switch (func) {
    case FN_ADD:
        if (l == TYPE_TIMESTAMP && r == TYPE_INTERVAL && t == TYPE_TIMESTAMP) return add_ts_iv;
        if (l == TYPE_INTERVAL && r == TYPE_TIMESTAMP && t == TYPE_TIMESTAMP) return add_iv_ts;
        if (l == TYPE_INTERVAL && r == TYPE_INTERVAL && t == TYPE_INTERVAL) return add_iv_iv;
        return NULL;
    case FN_SUBTRACT:
        if (l == TYPE_TIMESTAMP && r == TYPE_INTERVAL && t == TYPE_TIMESTAMP) return sub_ts_iv;
        if (l == TYPE_TIMESTAMP && r == TYPE_TIMESTAMP && t == TYPE_INTERVAL) return sub_ts_ts;
        if (l == TYPE_INTERVAL && r == TYPE_INTERVAL && t == TYPE_INTERVAL) return sub_iv_iv;
        return NULL;
    case FN_MULTIPLY:
        if (t != TYPE_INTERVAL) return NULL;
        if (l == TYPE_INTERVAL && r == TYPE_DOUBLE) return mul_iv_f64;
        if (l == TYPE_DOUBLE && r == TYPE_INTERVAL) return mul_f64_iv;
        return NULL;
    case FN_DIVIDE:
        return l == TYPE_INTERVAL && r == TYPE_DOUBLE && t == TYPE_INTERVAL ? div_iv_f64 : NULL;
    default:
        return NULL;
    }
}

KernelFn interval_negate_kernel(void)
{
    return neg_iv;
}

KernelFn age_kernel(void)
{
    return age_ts_ts;
}

/* ---- extract --------------------------------------------------------------------------- */

/* The units of date_trunc and date_diff. */
#define TRUNC_UNITS(X)                                                                             \
    X(DTF_MICROSECOND, us)                                                                         \
    X(DTF_MILLISECOND, ms)                                                                         \
    X(DTF_SECOND, second)                                                                          \
    X(DTF_MINUTE, minute)                                                                          \
    X(DTF_HOUR, hour)                                                                              \
    X(DTF_DAY, day)                                                                                \
    X(DTF_WEEK, week)                                                                              \
    X(DTF_MONTH, month)                                                                            \
    X(DTF_QUARTER, quarter)                                                                        \
    X(DTF_YEAR, year)                                                                              \
    X(DTF_DECADE, decade)                                                                          \
    X(DTF_CENTURY, century)                                                                        \
    X(DTF_MILLENNIUM, millennium)

/* The units of extract with an integer result, as (field, kernel name suffix). */
#define EXTRACT_UNITS(X)                                                                           \
    TRUNC_UNITS(X)                                                                                 \
    X(DTF_DOW, dow)                                                                                \
    X(DTF_ISODOW, isodow)                                                                          \
    X(DTF_DOY, doy)                                                                                \
    X(DTF_ISOYEAR, isoyear)

#define EXTRACT_KERNELS(F, NAME)                                                                   \
    DEFINE_UNARY(x_date_##NAME, int32_t, int64_t, { *r = date_extract(F, a); })                    \
    DEFINE_UNARY(x_ts_##NAME, int64_t, int64_t, { *r = timestamp_extract(F, a); })                 \
    DEFINE_UNARY(x_iv_##NAME, Interval, int64_t, { *r = interval_extract(F, &a); })
EXTRACT_UNITS(EXTRACT_KERNELS)

DEFINE_UNARY(x_date_epoch, int32_t, double, { *r = (double)a * 86400.0; })
DEFINE_UNARY(x_ts_epoch, int64_t, double, { *r = timestamp_epoch(a); })
DEFINE_UNARY(x_iv_epoch, Interval, double, { *r = interval_epoch(&a); })

#define DATE_ENTRY(F, NAME)     [F] = x_date_##NAME,
#define TS_ENTRY(F, NAME)       [F] = x_ts_##NAME,
#define INTERVAL_ENTRY(F, NAME) [F] = x_iv_##NAME,

KernelFn extract_kernel(DatetimeField field, LogicalType arg, LogicalType ret)
{
    static const KernelFn by_date[DTF_COUNT_] = {EXTRACT_UNITS(DATE_ENTRY)[DTF_EPOCH] =
                                                     x_date_epoch};
    static const KernelFn by_ts[DTF_COUNT_] = {EXTRACT_UNITS(TS_ENTRY)[DTF_EPOCH] = x_ts_epoch};
    static const KernelFn by_iv[DTF_COUNT_] = {EXTRACT_UNITS(INTERVAL_ENTRY)[DTF_EPOCH] =
                                                   x_iv_epoch};
    if ((unsigned)field >= DTF_COUNT_ || !datetime_field_extracts(field, (TypeId)arg.id) ||
        !type_equals(ret, datetime_extract_type(field)))
        return NULL;
    switch ((TypeId)arg.id) {
    case TYPE_DATE:
        return by_date[field];
    case TYPE_TIMESTAMP:
        return by_ts[field];
    case TYPE_INTERVAL:
        return by_iv[field];
    default:
        return NULL;
    }
}

/* ---- date_trunc and date_diff -------------------------------------------------------- */

#define TRUNC_KERNELS(F, NAME)                                                                     \
    DEFINE_UNARY(trunc_ts_##NAME, int64_t, int64_t, {                                              \
        if (!timestamp_trunc(F, a, r)) return timestamp_out_of_range(err);                         \
    })                                                                                             \
    DEFINE_UNARY(trunc_iv_##NAME, Interval, Interval, { interval_trunc(F, &a, r); })               \
    DEFINE_BINARY(diff_##NAME, int64_t, int64_t, int64_t, {                                        \
        if (!timestamp_diff_units(F, a, b, r))                                                     \
            return kernel_overflow(type_make(TYPE_BIGINT), err);                                   \
    })
TRUNC_UNITS(TRUNC_KERNELS)

#define TRUNC_TS_ENTRY(F, NAME) [F] = trunc_ts_##NAME,
#define TRUNC_IV_ENTRY(F, NAME) [F] = trunc_iv_##NAME,
#define DIFF_ENTRY(F, NAME)     [F] = diff_##NAME,

KernelFn date_trunc_kernel(DatetimeField field, LogicalType arg, LogicalType ret)
{
    static const KernelFn by_ts[DTF_COUNT_] = {TRUNC_UNITS(TRUNC_TS_ENTRY)};
    static const KernelFn by_iv[DTF_COUNT_] = {TRUNC_UNITS(TRUNC_IV_ENTRY)};
    if ((unsigned)field >= DTF_COUNT_ || !datetime_field_truncates(field, (TypeId)arg.id) ||
        !type_equals(arg, ret))
        return NULL;
    return arg.id == TYPE_TIMESTAMP ? by_ts[field] : by_iv[field];
}

KernelFn date_diff_kernel(DatetimeField field)
{
    static const KernelFn by_unit[DTF_COUNT_] = {TRUNC_UNITS(DIFF_ENTRY)};
    return (unsigned)field < DTF_COUNT_ && datetime_field_diffs(field) ? by_unit[field] : NULL;
}

/* ---- make_date, last_day ------------------------------------------------------------- */

/* make_date(year, month, day) over BIGINTs → DATE. */
static Status make_date_impl(KERNEL_ARGS)
{
    (void)n_args;
    (void)data;
    UnifiedVector uy, um, ud;
    unify(args[0], &uy);
    unify(args[1], &um);
    unify(args[2], &ud);
    const int64_t *Y = uy.data, *M = um.data, *D = ud.data;
    int32_t *R = result->data;
    for (idx_t i = 0; i < count; i++) {
        sel_t row = sel[i];
        int64_t y = Y[uy.sel[row]], m = M[um.sel[row]], d = D[ud.sel[row]];
        if (!date_from_parts(y, m, d, &R[row]))
            return error_set(err, SQLSTATE_DATETIME_OVERFLOW, -1,
                             "date field value out of range: %lld-%02lld-%02lld", (long long)y,
                             (long long)m, (long long)d);
    }
    return BS_OK;
}

KernelFn make_date_kernel(void)
{
    return make_date_impl;
}

DEFINE_UNARY(last_day_date, int32_t, int32_t, { *r = date_last_day(a); })
/* The date of a timestamp (its day, rounded down). */
static inline int32_t date_of(int64_t ts)
{
    int64_t days;
    int64_t time_of_day;
    timestamp_split(ts, &days, &time_of_day);
    return (int32_t)days;
}

DEFINE_UNARY(last_day_ts, int64_t, int32_t, { *r = date_last_day(date_of(a)); })

KernelFn last_day_kernel(LogicalType arg)
{
    return arg.id == TYPE_DATE ? last_day_date : arg.id == TYPE_TIMESTAMP ? last_day_ts : NULL;
}
