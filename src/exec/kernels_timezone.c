/*
 * kernels_timezone.c — the kernels that read a time zone (functions.c maps the binder's
 * calls to them): cast_in_zone(x, zone), tstz_add/tstz_sub(ts, interval, zone) and
 * zone_offset(ts, zone). The zone is an argument like any other (usually a constant: the
 * session's, or AT TIME ZONE's); each kernel finds it once per run of equal names.
 */
#include "exec/kernels.h"

#include "common/cast.h"
#include "common/timezone.h"

#include <string.h>

/* The zones of the rows of a zone argument, found once per distinct name in a row. */
typedef struct ZoneCursor {
    UnifiedVector uv;
    const char *last;
    uint32_t last_len;
    const TimeZone *zone;
} ZoneCursor;

static void zone_cursor_init(ZoneCursor *zc, Vector *v)
{
    unify(v, &zc->uv);
    zc->last = NULL;
    zc->last_len = 0;
    zc->zone = NULL;
}

static Status zone_at(ZoneCursor *zc, sel_t row, const TimeZone **out, Error *err)
{
    const StringView *s = UV_STR(zc->uv, row);
    const char *name = sv_data(s);
    if (!zc->zone || s->len != zc->last_len || memcmp(name, zc->last, s->len) != 0) {
        zc->zone = tz_find(name, s->len);
        zc->last = name;
        zc->last_len = s->len;
        if (!zc->zone) {
            int shown = s->len > 100 ? 100 : (int)s->len;
            return error_set(err, SQLSTATE_INVALID_PARAMETER, -1,
                             "time zone \"%.*s\" not recognized", shown, name);
        }
    }
    *out = zc->zone;
    return BS_OK;
}

static Status cast_in_zone_kernel(KERNEL_ARGS)
{
    (void)n_args;
    (void)data;
    ZoneCursor zc;
    zone_cursor_init(&zc, args[1]);
    for (idx_t i = 0; i < count; i++) {
        sel_t row = sel[i];
        const TimeZone *zone;
        BS_TRY(zone_at(&zc, row, &zone, err));
        Value in, out;
        vector_get_value(args[0], row, &in);
        BS_TRY(value_cast_in_zone(&in, result->type, zone, result->arena, &out, -1, err));
        BS_TRY(vector_set_value(result, row, &out, err));
    }
    return BS_OK;
}

static Status tstz_overflow(Error *err)
{
    return error_set(err, SQLSTATE_DATETIME_OVERFLOW, -1, "timestamp out of range");
}

/* ts + iv in zone: months and days on the local calendar, then the time in absolute time. */
static Status tstz_plus(int64_t ts, Interval iv, const TimeZone *zone, int64_t *out, Error *err)
{
    int64_t t = ts;
    if (iv.months || iv.days) {
        int64_t local;
        Interval calendar = interval_make(iv.months, iv.days, 0);
        if (!tz_utc_to_local(zone, ts, &local) ||
            !timestamp_add_interval(local, &calendar, &local) || !tz_local_to_utc(zone, local, &t))
            return tstz_overflow(err);
    }
    if (__builtin_add_overflow(t, iv.micros, out) || !timestamp_is_valid(*out))
        return tstz_overflow(err);
    return BS_OK;
}

static Status tstz_add_sub(Vector **args, const sel_t *sel, idx_t count, Vector *result,
                           bool subtract, Error *err)
{
    UnifiedVector ut, ui;
    unify(args[0], &ut);
    unify(args[1], &ui);
    ZoneCursor zc;
    zone_cursor_init(&zc, args[2]);
    int64_t *R = result->data;
    for (idx_t i = 0; i < count; i++) {
        sel_t row = sel[i];
        const TimeZone *zone;
        BS_TRY(zone_at(&zc, row, &zone, err));
        Interval iv = ((const Interval *)ui.data)[ui.sel[row]];
        if (subtract && !interval_negate(&iv, &iv))
            return error_set(err, SQLSTATE_DATETIME_OVERFLOW, -1, "interval out of range");
        BS_TRY(tstz_plus(UV_I64(ut, row), iv, zone, &R[row], err));
    }
    return BS_OK;
}

static Status tstz_add_kernel(KERNEL_ARGS)
{
    (void)n_args;
    (void)data;
    return tstz_add_sub(args, sel, count, result, false, err);
}

static Status tstz_sub_kernel(KERNEL_ARGS)
{
    (void)n_args;
    (void)data;
    return tstz_add_sub(args, sel, count, result, true, err);
}

static Status zone_offset_kernel(KERNEL_ARGS)
{
    (void)n_args;
    (void)data;
    UnifiedVector ut;
    unify(args[0], &ut);
    ZoneCursor zc;
    zone_cursor_init(&zc, args[1]);
    int64_t *R = result->data;
    for (idx_t i = 0; i < count; i++) {
        sel_t row = sel[i];
        const TimeZone *zone;
        BS_TRY(zone_at(&zc, row, &zone, err));
        R[row] = tz_offset_at(zone, UV_I64(ut, row));
    }
    return BS_OK;
}

KernelFn timezone_kernel(ScalarFuncId func, const LogicalType *arg_types, int n_args,
                         LogicalType ret)
{
    switch (func) {
    case FN_CAST_IN_ZONE:
        if (n_args == 2 && type_is_string(arg_types[1]) && cast_needs_zone(arg_types[0], ret))
            return cast_in_zone_kernel;
        return NULL;
    case FN_TSTZ_ADD:
    case FN_TSTZ_SUB:
        if (n_args != 3 || arg_types[0].id != TYPE_TIMESTAMPTZ ||
            arg_types[1].id != TYPE_INTERVAL || !type_is_string(arg_types[2]) ||
            ret.id != TYPE_TIMESTAMPTZ)
            return NULL;
        return func == FN_TSTZ_ADD ? tstz_add_kernel : tstz_sub_kernel;
    case FN_ZONE_OFFSET:
        if (n_args == 2 && arg_types[0].id == TYPE_TIMESTAMPTZ && type_is_string(arg_types[1]) &&
            ret.id == TYPE_BIGINT)
            return zone_offset_kernel;
        return NULL;
    default:
        return NULL;
    }
}
