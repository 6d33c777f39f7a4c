/*
 * functions.c — maps a call in a plan (function id, argument types, result type; for the
 * date/time functions with a unit, the unit too) to the kernel that computes it. A plan that asks
 * for a combination no kernel implements is refused here, at compile time, rather than misread at
 * run time.
 */
#include "exec/kernels.h"

static bool is_timestamp_or_interval(LogicalType t)
{
    return t.id == TYPE_TIMESTAMP || t.id == TYPE_INTERVAL || t.id == TYPE_TIME ||
           t.id == TYPE_TIMESTAMPTZ;
}

/* The scales round, trunc, floor and ceil of a DECIMAL need, as out's data. */
static Status round_data(LogicalType arg, LogicalType ret, Arena *arena, KernelInfo *out,
                         Error *err)
{
    RoundData *rd = arena_alloc_zero(arena, sizeof *rd);
    if (!rd) return arena_error(arena, err);
    rd->in_scale = arg.scale;
    rd->out_scale = ret.scale;
    rd->precision = ret.precision;
    out->data = rd;
    return BS_OK;
}

Status kernel_lookup(ScalarFuncId func, const LogicalType *arg_types, int n_args, LogicalType ret,
                     Arena *arena, KernelInfo *out, Error *err)
{
    out->fn = NULL;
    out->strict = true;
    out->data = NULL;
    if ((func >= FN_ARRAY_VALUE && func <= FN_ARRAY_ALL) ||
        (func >= FN_EQ && func <= FN_GE && n_args == 2 && arg_types[0].id == TYPE_ARRAY))
        return array_kernel_lookup(func, arg_types, n_args, ret, arena, out, err);
    switch (func) {
    case FN_ADD:
    case FN_SUBTRACT:
    case FN_MULTIPLY:
    case FN_DIVIDE:
    case FN_MODULO:
        if (n_args != 2) break;
        if (is_timestamp_or_interval(arg_types[0]) || is_timestamp_or_interval(arg_types[1]) ||
            is_timestamp_or_interval(ret)) {
            out->fn = datetime_arith_kernel(func, arg_types[0], arg_types[1], ret);
            break;
        }
        out->fn = arith_kernel(func, arg_types[0], arg_types[1], ret);
        if (ret.id == TYPE_DECIMAL && out->fn && type_is_wide_decimal(ret)) {
            int128_t *limit = arena_alloc(arena, sizeof *limit);
            if (!limit) return arena_error(arena, err);
            *limit = POW10_128[ret.precision];
            out->data = limit;
        } else if (ret.id == TYPE_DECIMAL && out->fn) {
            int64_t *limit = arena_alloc(arena, sizeof *limit);
            if (!limit) return arena_error(arena, err);
            *limit = POW10[ret.precision];
            out->data = limit;
        }
        break;
    case FN_NEGATE:
        if (n_args != 1 || !type_equals(arg_types[0], ret)) break;
        out->fn = ret.id == TYPE_INTERVAL ? interval_negate_kernel() : negate_kernel(ret);
        break;
    case FN_ABS:
        if (n_args == 1 && type_equals(arg_types[0], ret)) out->fn = abs_kernel(ret);
        break;
    case FN_EQ:
    case FN_NE:
    case FN_LT:
    case FN_LE:
    case FN_GT:
    case FN_GE:
        if (n_args == 2 && type_equals(arg_types[0], arg_types[1]) && ret.id == TYPE_BOOLEAN)
            out->fn = compare_kernel(func, kernel_phys(arg_types[0]));
        break;
    case FN_CONCAT:
    case FN_LIKE:
    case FN_NOT_LIKE:
    case FN_LOWER:
    case FN_UPPER:
    case FN_LENGTH:
    case FN_SUBSTRING: {
        bool ok = n_args >= 1 && arg_types[0].id == TYPE_VARCHAR;
        for (int k = 1; k < n_args && ok; k++)
            ok = func == FN_SUBSTRING ? arg_types[k].id == TYPE_BIGINT
                                      : arg_types[k].id == TYPE_VARCHAR;
        /* The kernels write these types: length an INTEGER, LIKE a BOOLEAN, the rest text. */
        TypeId writes = func == FN_LENGTH                        ? TYPE_INTEGER
                        : func == FN_LIKE || func == FN_NOT_LIKE ? TYPE_BOOLEAN
                                                                 : TYPE_VARCHAR;
        if (ok && ret.id == writes) out->fn = string_kernel(func, n_args);
        break;
    }
    case FN_ROUND: {
        if (n_args < 1 || n_args > 2) break;
        if (n_args == 2 && arg_types[1].id != TYPE_BIGINT) break;
        if (!type_is_numeric(arg_types[0]) || (ret.id != arg_types[0].id)) break;
        BS_TRY(round_data(arg_types[0], ret, arena, out, err));
        out->fn = round_kernel(arg_types[0]);
        break;
    }
    case FN_COALESCE: {
        bool ok = n_args >= 1;
        for (int k = 0; k < n_args && ok; k++)
            ok = type_equals(arg_types[k], ret);
        if (ok) {
            out->fn = coalesce_kernel();
            out->strict = false;
        }
        break;
    }
    case FN_EXTRACT_YEAR:
    case FN_EXTRACT_MONTH:
    case FN_EXTRACT_DAY:
        if (n_args != 1) break;
        out->fn = extract_kernel(func == FN_EXTRACT_YEAR    ? DTF_YEAR
                                 : func == FN_EXTRACT_MONTH ? DTF_MONTH
                                                            : DTF_DAY,
                                 arg_types[0], ret);
        break;
    case FN_MAKE_DATE: {
        bool ok = n_args == 3 && ret.id == TYPE_DATE;
        for (int k = 0; k < n_args && ok; k++)
            ok = arg_types[k].id == TYPE_BIGINT;
        if (ok) out->fn = make_date_kernel();
        break;
    }
    case FN_LAST_DAY:
        if (n_args == 1 && ret.id == TYPE_DATE) out->fn = last_day_kernel(arg_types[0]);
        break;
    case FN_AGE:
        if (n_args == 2 && arg_types[0].id == TYPE_TIMESTAMP && arg_types[1].id == TYPE_TIMESTAMP &&
            ret.id == TYPE_INTERVAL)
            out->fn = age_kernel();
        break;
    case FN_FLOOR:
    case FN_CEIL:
    case FN_TRUNC:
    case FN_SQRT:
    case FN_CBRT:
    case FN_EXP:
    case FN_LN:
    case FN_LOG10:
    case FN_LOG2:
    case FN_LOG:
    case FN_POWER:
    case FN_SIGN:
    case FN_PI:
    case FN_RANDOM:
        out->fn = math_kernel(func, arg_types, n_args, ret);
        if (out->fn && n_args >= 1 && arg_types[0].id == TYPE_DECIMAL)
            BS_TRY(round_data(arg_types[0], ret, arena, out, err));
        break;
    case FN_STRPOS:
    case FN_BTRIM:
    case FN_LTRIM:
    case FN_RTRIM:
    case FN_REPLACE:
    case FN_CONCAT_ARGS:
    case FN_CONCAT_WS:
    case FN_LEFT:
    case FN_RIGHT:
    case FN_LPAD:
    case FN_RPAD:
    case FN_SPLIT_PART:
    case FN_STARTS_WITH:
    case FN_ENDS_WITH:
    case FN_REVERSE:
    case FN_REPEAT:
    case FN_TRANSLATE:
    case FN_INITCAP:
    case FN_MD5:
    case FN_ASCII:
    case FN_CHR:
    case FN_OCTET_LENGTH:
        out->fn = string2_kernel(func, arg_types, n_args, ret, &out->strict);
        break;
    case FN_GREATEST:
    case FN_LEAST:
    case FN_IS_DISTINCT:
    case FN_IS_NOT_DISTINCT:
        out->fn = cond_kernel(func, arg_types, n_args, ret);
        out->strict = false;
        break;
    case FN_REGEXP_MATCHES:
    case FN_REGEXP_REPLACE:
    case FN_REGEXP_EXTRACT:
        out->fn = regex_kernel(func, arg_types, n_args, ret);
        if (out->fn && !(out->data = regex_cache_new(arena))) return arena_error(arena, err);
        break;
    case FN_STRFTIME:
    case FN_STRPTIME:
    case FN_TO_CHAR:
        out->fn = datetime_fmt_kernel(func, arg_types, n_args, ret);
        break;
    case FN_TRY_CAST: {
        if (n_args != 1) break;
        KernelInfo *inner = arena_alloc(arena, sizeof *inner);
        if (!inner) return arena_error(arena, err);
        BS_TRY(cast_kernel_lookup(arg_types[0], ret, arena, inner, err));
        out->fn = try_cast_kernel();
        out->data = inner;
        break;
    }
    case FN_CAST_IN_ZONE:
    case FN_TSTZ_ADD:
    case FN_TSTZ_SUB:
    case FN_ZONE_OFFSET:
        out->fn = timezone_kernel(func, arg_types, n_args, ret);
        break;
    case FN_STRING_FIT:
        if (n_args == 1 && type_is_string(arg_types[0]) && type_is_string(ret))
            out->fn = string_fit_kernel();
        break;
    case FN_DATE_PART: /* their unit picks the kernel: unit_kernel_lookup */
    case FN_DATE_TRUNC:
    case FN_DATE_DIFF:
    case FN_IN: /* a set probe compiled by expr.c, not a kernel */
    case FN_ARRAY_VALUE:
    case FN_ARRAY_EXTRACT:
    case FN_ARRAY_SLICE:
    case FN_CARDINALITY:
    case FN_ARRAY_LENGTH:
    case FN_ARRAY_LOWER:
    case FN_ARRAY_UPPER:
    case FN_ARRAY_POSITION:
    case FN_ARRAY_CONTAINS:
    case FN_ARRAY_HAS_ALL:
    case FN_ARRAY_OVERLAP:
    case FN_ARRAY_APPEND:
    case FN_ARRAY_PREPEND:
    case FN_ARRAY_CAT:
    case FN_ARRAY_REMOVE:
    case FN_ARRAY_TO_STRING:
    case FN_STRING_TO_ARRAY:
    case FN_ARRAY_DISTINCT:
    case FN_ARRAY_SORT:
    case FN_ARRAY_MAX:
    case FN_ARRAY_MIN:
    case FN_ARRAY_ANY:
    case FN_ARRAY_ALL: /* array_kernel_lookup, above */
    case FN_UNNEST:    /* replaced by the binder */
    case FN_GROUPING: /* rewritten by the binder */
    case FN_COUNT_:
        break;
    }
    if (!out->fn) {
        const char *name = scalar_func_name(func);
        return error_set(err, SQLSTATE_INTERNAL_ERROR, -1,
                         "invalid plan: no kernel for %s with these argument types",
                         name ? name : "?");
    }
    return BS_OK;
}

bool kernel_takes_unit(ScalarFuncId func)
{
    return func == FN_DATE_PART || func == FN_DATE_TRUNC || func == FN_DATE_DIFF;
}

Status unit_kernel_lookup(ScalarFuncId func, const char *unit, size_t unit_len,
                          const LogicalType *arg_types, int n_args, LogicalType ret,
                          KernelInfo *out, Error *err)
{
    out->fn = NULL;
    out->strict = true;
    out->data = NULL;
    int field = datetime_field_by_name(unit, unit_len);
    if (field >= 0) {
        switch (func) {
        case FN_DATE_PART:
            if (n_args == 1) out->fn = extract_kernel((DatetimeField)field, arg_types[0], ret);
            break;
        case FN_DATE_TRUNC:
            if (n_args == 1) out->fn = date_trunc_kernel((DatetimeField)field, arg_types[0], ret);
            break;
        case FN_DATE_DIFF:
            if (n_args == 2 && arg_types[0].id == TYPE_TIMESTAMP &&
                arg_types[1].id == TYPE_TIMESTAMP && ret.id == TYPE_BIGINT)
                out->fn = date_diff_kernel((DatetimeField)field);
            break;
        default:
            break;
        }
    }
    if (!out->fn) {
        const char *name = scalar_func_name(func);
        return error_set(err, SQLSTATE_INTERNAL_ERROR, -1,
                         "invalid plan: no kernel for %s('%.*s') with these argument types",
                         name ? name : "?", (int)BS_MIN(unit_len, 40), unit);
    }
    return BS_OK;
}
