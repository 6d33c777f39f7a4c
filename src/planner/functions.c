/*
 * functions.c — the function registry: names of scalar functions, operators and
 * aggregates, and the typing rule of each (which argument types it takes, which casts the
 * binder inserts, what it returns). The kernels that compute them live in exec/; plans
 * name functions by the names here.
 */
#include "planner/planner_int.h"

#include <stdio.h>
#include <string.h>

typedef Status (*ScalarBindFn)(Binder *b, ScalarFuncId id, Expr **args, int n_args, int pos,
                               LogicalType *ret, Error *err);

typedef struct ScalarDef {
    const char *name;     /* serialized name */
    const char *symbol;   /* operator symbol for messages, NULL for functions */
    const char *sql_name; /* name users call it by; NULL: not callable by name */
    int min_args, max_args;
    ScalarBindFn bind;
} ScalarDef;

static Status bind_arithmetic(Binder *, ScalarFuncId, Expr **, int, int, LogicalType *, Error *);
static Status bind_comparison(Binder *, ScalarFuncId, Expr **, int, int, LogicalType *, Error *);
static Status bind_concat(Binder *, ScalarFuncId, Expr **, int, int, LogicalType *, Error *);
static Status bind_like(Binder *, ScalarFuncId, Expr **, int, int, LogicalType *, Error *);
static Status bind_numeric_unary(Binder *, ScalarFuncId, Expr **, int, int, LogicalType *, Error *);
static Status bind_string_fn(Binder *, ScalarFuncId, Expr **, int, int, LogicalType *, Error *);
static Status bind_round(Binder *, ScalarFuncId, Expr **, int, int, LogicalType *, Error *);
static Status bind_coalesce(Binder *, ScalarFuncId, Expr **, int, int, LogicalType *, Error *);
static Status bind_extract(Binder *, ScalarFuncId, Expr **, int, int, LogicalType *, Error *);
static Status bind_in(Binder *, ScalarFuncId, Expr **, int, int, LogicalType *, Error *);
static Status bind_floor(Binder *, ScalarFuncId, Expr **, int, int, LogicalType *, Error *);
static Status bind_double_fn(Binder *, ScalarFuncId, Expr **, int, int, LogicalType *, Error *);
static Status bind_sign(Binder *, ScalarFuncId, Expr **, int, int, LogicalType *, Error *);
static Status bind_string2(Binder *, ScalarFuncId, Expr **, int, int, LogicalType *, Error *);
static Status bind_concat_args(Binder *, ScalarFuncId, Expr **, int, int, LogicalType *, Error *);
static Status bind_extreme(Binder *, ScalarFuncId, Expr **, int, int, LogicalType *, Error *);
static Status bind_regex(Binder *, ScalarFuncId, Expr **, int, int, LogicalType *, Error *);
static Status bind_format(Binder *, ScalarFuncId, Expr **, int, int, LogicalType *, Error *);

static const ScalarDef SCALARS[FN_COUNT_] = {
    [FN_ADD] = {"add", "+", NULL, 2, 2, bind_arithmetic},
    [FN_SUBTRACT] = {"subtract", "-", NULL, 2, 2, bind_arithmetic},
    [FN_MULTIPLY] = {"multiply", "*", NULL, 2, 2, bind_arithmetic},
    [FN_DIVIDE] = {"divide", "/", NULL, 2, 2, bind_arithmetic},
    [FN_MODULO] = {"modulo", "%", NULL, 2, 2, bind_arithmetic},
    [FN_NEGATE] = {"negate", "-", NULL, 1, 1, bind_numeric_unary},
    [FN_EQ] = {"eq", "=", NULL, 2, 2, bind_comparison},
    [FN_NE] = {"ne", "<>", NULL, 2, 2, bind_comparison},
    [FN_LT] = {"lt", "<", NULL, 2, 2, bind_comparison},
    [FN_LE] = {"le", "<=", NULL, 2, 2, bind_comparison},
    [FN_GT] = {"gt", ">", NULL, 2, 2, bind_comparison},
    [FN_GE] = {"ge", ">=", NULL, 2, 2, bind_comparison},
    [FN_CONCAT] = {"concat", "||", NULL, 2, 2, bind_concat},
    [FN_LIKE] = {"like", "~~", NULL, 2, 3, bind_like},
    [FN_NOT_LIKE] = {"not_like", "!~~", NULL, 2, 3, bind_like},
    [FN_ABS] = {"abs", NULL, "abs", 1, 1, bind_numeric_unary},
    [FN_LOWER] = {"lower", NULL, "lower", 1, 1, bind_string_fn},
    [FN_UPPER] = {"upper", NULL, "upper", 1, 1, bind_string_fn},
    [FN_LENGTH] = {"length", NULL, "length", 1, 1, bind_string_fn},
    [FN_SUBSTRING] = {"substring", NULL, "substring", 2, 3, bind_string_fn},
    [FN_ROUND] = {"round", NULL, "round", 1, 2, bind_round},
    [FN_COALESCE] = {"coalesce", NULL, "coalesce", 1, 100, bind_coalesce},
    [FN_EXTRACT_YEAR] = {"extract_year", NULL, NULL, 1, 1, bind_extract},
    [FN_EXTRACT_MONTH] = {"extract_month", NULL, NULL, 1, 1, bind_extract},
    [FN_EXTRACT_DAY] = {"extract_day", NULL, NULL, 1, 1, bind_extract},
    [FN_DATE_PART] = {"date_part", NULL, NULL, 2, 2, binder_bind_date_part},
    [FN_DATE_TRUNC] = {"date_trunc", NULL, "date_trunc", 2, 2, binder_bind_date_trunc},
    [FN_DATE_DIFF] = {"date_diff", NULL, "date_diff", 3, 3, binder_bind_date_diff},
    [FN_MAKE_DATE] = {"make_date", NULL, "make_date", 3, 3, binder_bind_make_date},
    [FN_LAST_DAY] = {"last_day", NULL, "last_day", 1, 1, binder_bind_last_day},
    [FN_AGE] = {"age", NULL, NULL, 2, 2, binder_bind_age},
    [FN_FLOOR] = {"floor", NULL, "floor", 1, 1, bind_floor},
    [FN_CEIL] = {"ceil", NULL, "ceil", 1, 1, bind_floor},
    [FN_TRUNC] = {"trunc", NULL, "trunc", 1, 2, bind_round},
    [FN_SQRT] = {"sqrt", NULL, "sqrt", 1, 1, bind_double_fn},
    [FN_CBRT] = {"cbrt", NULL, "cbrt", 1, 1, bind_double_fn},
    [FN_EXP] = {"exp", NULL, "exp", 1, 1, bind_double_fn},
    [FN_LN] = {"ln", NULL, "ln", 1, 1, bind_double_fn},
    [FN_LOG10] = {"log10", NULL, "log10", 1, 1, bind_double_fn},
    [FN_LOG2] = {"log2", NULL, "log2", 1, 1, bind_double_fn},
    [FN_LOG] = {"log", NULL, "log", 1, 2, bind_double_fn},
    [FN_POWER] = {"power", NULL, "power", 2, 2, bind_double_fn},
    [FN_SIGN] = {"sign", NULL, "sign", 1, 1, bind_sign},
    [FN_PI] = {"pi", NULL, "pi", 0, 0, bind_double_fn},
    [FN_RANDOM] = {"random", NULL, "random", 0, 0, bind_double_fn},
    [FN_STRPOS] = {"strpos", NULL, "strpos", 2, 2, bind_string2},
    [FN_BTRIM] = {"btrim", NULL, "btrim", 1, 2, bind_string2},
    [FN_LTRIM] = {"ltrim", NULL, "ltrim", 1, 2, bind_string2},
    [FN_RTRIM] = {"rtrim", NULL, "rtrim", 1, 2, bind_string2},
    [FN_REPLACE] = {"replace", NULL, "replace", 3, 3, bind_string2},
    [FN_CONCAT_ARGS] = {"concat_args", NULL, "concat", 1, 100, bind_concat_args},
    [FN_CONCAT_WS] = {"concat_ws", NULL, "concat_ws", 2, 100, bind_concat_args},
    [FN_LEFT] = {"left", NULL, "left", 2, 2, bind_string2},
    [FN_RIGHT] = {"right", NULL, "right", 2, 2, bind_string2},
    [FN_LPAD] = {"lpad", NULL, "lpad", 2, 3, bind_string2},
    [FN_RPAD] = {"rpad", NULL, "rpad", 2, 3, bind_string2},
    [FN_SPLIT_PART] = {"split_part", NULL, "split_part", 3, 3, bind_string2},
    [FN_STARTS_WITH] = {"starts_with", NULL, "starts_with", 2, 2, bind_string2},
    [FN_ENDS_WITH] = {"ends_with", NULL, "ends_with", 2, 2, bind_string2},
    [FN_REVERSE] = {"reverse", NULL, "reverse", 1, 1, bind_string2},
    [FN_REPEAT] = {"repeat", NULL, "repeat", 2, 2, bind_string2},
    [FN_TRANSLATE] = {"translate", NULL, "translate", 3, 3, bind_string2},
    [FN_INITCAP] = {"initcap", NULL, "initcap", 1, 1, bind_string2},
    [FN_MD5] = {"md5", NULL, "md5", 1, 1, bind_string2},
    [FN_ASCII] = {"ascii", NULL, "ascii", 1, 1, bind_string2},
    [FN_CHR] = {"chr", NULL, "chr", 1, 1, bind_string2},
    [FN_OCTET_LENGTH] = {"octet_length", NULL, "octet_length", 1, 1, bind_string2},
    [FN_GREATEST] = {"greatest", NULL, "greatest", 1, 100, bind_extreme},
    [FN_LEAST] = {"least", NULL, "least", 1, 100, bind_extreme},
    [FN_IS_DISTINCT] = {"is_distinct", "IS DISTINCT FROM", NULL, 2, 2, bind_comparison},
    [FN_IS_NOT_DISTINCT] = {"is_not_distinct", "IS NOT DISTINCT FROM", NULL, 2, 2, bind_comparison},
    [FN_REGEXP_MATCHES] = {"regexp_matches", NULL, "regexp_matches", 2, 3, bind_regex},
    [FN_REGEXP_REPLACE] = {"regexp_replace", NULL, "regexp_replace", 3, 4, bind_regex},
    [FN_REGEXP_EXTRACT] = {"regexp_extract", NULL, "regexp_extract", 2, 3, bind_regex},
    [FN_STRFTIME] = {"strftime", NULL, "strftime", 2, 2, bind_format},
    [FN_STRPTIME] = {"strptime", NULL, "strptime", 2, 2, bind_format},
    [FN_TO_CHAR] = {"to_char", NULL, "to_char", 2, 2, bind_format},
    [FN_CAST_IN_ZONE] = {"cast_in_zone", NULL, NULL, 2, 2, bind_in},
    [FN_TSTZ_ADD] = {"tstz_add", NULL, NULL, 3, 3, bind_in},
    [FN_TSTZ_SUB] = {"tstz_sub", NULL, NULL, 3, 3, bind_in},
    [FN_ZONE_OFFSET] = {"zone_offset", NULL, NULL, 2, 2, bind_in},
    [FN_STRING_FIT] = {"string_fit", NULL, NULL, 1, 1, bind_in},
    [FN_TRY_CAST] = {"try_cast", NULL, NULL, 1, 1, bind_in},
    [FN_IN] = {"in", "IN", NULL, 2, INT32_MAX, bind_in},
    [FN_GROUPING] = {"grouping", NULL, NULL, 1, 31, NULL},
    [FN_ARRAY_VALUE] = {"array_value", NULL, NULL, 0, INT32_MAX, binder_bind_array_fn},
    [FN_ARRAY_EXTRACT] = {"array_extract", NULL, "array_extract", 2, 2, binder_bind_array_fn},
    [FN_ARRAY_SLICE] = {"array_slice", NULL, "array_slice", 3, 3, binder_bind_array_fn},
    [FN_CARDINALITY] = {"cardinality", NULL, "cardinality", 1, 1, binder_bind_array_fn},
    [FN_ARRAY_LENGTH] = {"array_length", NULL, "array_length", 1, 2, binder_bind_array_fn},
    [FN_ARRAY_LOWER] = {"array_lower", NULL, "array_lower", 2, 2, binder_bind_array_fn},
    [FN_ARRAY_UPPER] = {"array_upper", NULL, "array_upper", 2, 2, binder_bind_array_fn},
    [FN_ARRAY_POSITION] = {"array_position", NULL, "array_position", 2, 2, binder_bind_array_fn},
    [FN_ARRAY_CONTAINS] = {"array_contains", NULL, "array_contains", 2, 2, binder_bind_array_fn},
    [FN_ARRAY_HAS_ALL] = {"array_has_all", "@>", "array_has_all", 2, 2, binder_bind_array_fn},
    [FN_ARRAY_OVERLAP] = {"array_overlap", "&&", "arrays_overlap", 2, 2, binder_bind_array_fn},
    [FN_ARRAY_APPEND] = {"array_append", NULL, "array_append", 2, 2, binder_bind_array_fn},
    [FN_ARRAY_PREPEND] = {"array_prepend", NULL, "array_prepend", 2, 2, binder_bind_array_fn},
    [FN_ARRAY_CAT] = {"array_cat", NULL, "array_cat", 2, 2, binder_bind_array_fn},
    [FN_ARRAY_REMOVE] = {"array_remove", NULL, "array_remove", 2, 2, binder_bind_array_fn},
    [FN_ARRAY_TO_STRING] = {"array_to_string", NULL, "array_to_string", 2, 3, binder_bind_array_fn},
    [FN_STRING_TO_ARRAY] = {"string_to_array", NULL, "string_to_array", 2, 3, binder_bind_array_fn},
    [FN_ARRAY_DISTINCT] = {"array_distinct", NULL, "array_distinct", 1, 1, binder_bind_array_fn},
    [FN_ARRAY_SORT] = {"array_sort", NULL, "array_sort", 1, 1, binder_bind_array_fn},
    [FN_ARRAY_MAX] = {"array_max", NULL, "array_max", 1, 1, binder_bind_array_fn},
    [FN_ARRAY_MIN] = {"array_min", NULL, "array_min", 1, 1, binder_bind_array_fn},
    [FN_ARRAY_ANY] = {"array_any", "ANY", NULL, 3, 3, binder_bind_array_fn},
    [FN_ARRAY_ALL] = {"array_all", "ALL", NULL, 3, 3, binder_bind_array_fn},
    [FN_UNNEST] = {"unnest", NULL, NULL, 1, 1, binder_bind_array_fn},
};

static const char *const AGG_NAMES[AGG_COUNT_] = {
    [AGG_COUNT_STAR] = "count_star",
    [AGG_COUNT] = "count",
    [AGG_SUM] = "sum",
    [AGG_MIN] = "min",
    [AGG_MAX] = "max",
    [AGG_AVG] = "avg",
    [AGG_VAR_SAMP] = "var_samp",
    [AGG_VAR_POP] = "var_pop",
    [AGG_STDDEV_SAMP] = "stddev_samp",
    [AGG_STDDEV_POP] = "stddev_pop",
    [AGG_BOOL_AND] = "bool_and",
    [AGG_BOOL_OR] = "bool_or",
    [AGG_APPROX_DISTINCT] = "approx_distinct",
    [AGG_STRING_AGG] = "string_agg",
    [AGG_QUANTILE_CONT] = "quantile_cont",
    [AGG_QUANTILE_DISC] = "quantile_disc",
    [AGG_ARRAY_AGG] = "array_agg",
};

const char *scalar_func_name(ScalarFuncId id)
{
    return (unsigned)id < FN_COUNT_ ? SCALARS[id].name : NULL;
}

const char *agg_func_name(AggFuncId id)
{
    return (unsigned)id < AGG_COUNT_ ? AGG_NAMES[id] : NULL;
}

int scalar_func_by_name(const char *name)
{
    for (int k = 0; k < FN_COUNT_; k++)
        if (strcmp(SCALARS[k].name, name) == 0) return k;
    return -1;
}

bool scalar_func_is_strict(ScalarFuncId id)
{
    switch (id) {
    case FN_COALESCE:
    case FN_CONCAT_ARGS:
    case FN_CONCAT_WS:
    case FN_GREATEST:
    case FN_LEAST:
    case FN_IS_DISTINCT:
    case FN_IS_NOT_DISTINCT:
    case FN_ARRAY_VALUE:
    case FN_ARRAY_POSITION:
    case FN_ARRAY_APPEND:
    case FN_ARRAY_PREPEND:
    case FN_ARRAY_CAT:
    case FN_ARRAY_REMOVE:
    case FN_ARRAY_TO_STRING:
    case FN_STRING_TO_ARRAY:
    case FN_ARRAY_ANY:
    case FN_ARRAY_ALL:
        return false;
    default:
        return true;
    }
}

int agg_func_by_name(const char *name)
{
    for (int k = 0; k < AGG_COUNT_; k++)
        if (strcmp(AGG_NAMES[k], name) == 0) return k;
    return -1;
}

bool binder_lookup_function(const char *name, bool *is_aggregate, int *id)
{
    static const struct {
        const char *alias;
        ScalarFuncId id;
    } aliases[] = {{"substr", FN_SUBSTRING},
                   {"char_length", FN_LENGTH},
                   {"character_length", FN_LENGTH},
                   {"lcase", FN_LOWER},
                   {"ucase", FN_UPPER},
                   {"datetrunc", FN_DATE_TRUNC},
                   {"datediff", FN_DATE_DIFF},
                   {"ceiling", FN_CEIL},
                   {"pow", FN_POWER},
                   {"mod", FN_MODULO},
                   {"trim", FN_BTRIM},
                   {"instr", FN_STRPOS},
                   {"regexp_like", FN_REGEXP_MATCHES},
                   {"prefix", FN_STARTS_WITH},
                   {"suffix", FN_ENDS_WITH},
                   {"strlen", FN_OCTET_LENGTH},
                   /* arrays: DuckDB's list_* and Trino's names */
                   {"list_extract", FN_ARRAY_EXTRACT},
                   {"list_element", FN_ARRAY_EXTRACT},
                   {"element_at", FN_ARRAY_EXTRACT},
                   {"list_slice", FN_ARRAY_SLICE},
                   {"len", FN_CARDINALITY},
                   {"array_size", FN_CARDINALITY},
                   {"list_position", FN_ARRAY_POSITION},
                   {"array_indexof", FN_ARRAY_POSITION},
                   {"list_indexof", FN_ARRAY_POSITION},
                   {"contains", FN_ARRAY_CONTAINS},
                   {"list_contains", FN_ARRAY_CONTAINS},
                   {"array_has", FN_ARRAY_CONTAINS},
                   {"list_has", FN_ARRAY_CONTAINS},
                   {"list_has_all", FN_ARRAY_HAS_ALL},
                   {"list_has_any", FN_ARRAY_OVERLAP},
                   {"array_has_any", FN_ARRAY_OVERLAP},
                   {"list_append", FN_ARRAY_APPEND},
                   {"array_push_back", FN_ARRAY_APPEND},
                   {"list_prepend", FN_ARRAY_PREPEND},
                   {"array_push_front", FN_ARRAY_PREPEND},
                   {"list_concat", FN_ARRAY_CAT},
                   {"list_cat", FN_ARRAY_CAT},
                   {"array_concat", FN_ARRAY_CAT},
                   {"array_join", FN_ARRAY_TO_STRING},
                   {"list_distinct", FN_ARRAY_DISTINCT},
                   {"list_sort", FN_ARRAY_SORT},
                   {"list_max", FN_ARRAY_MAX},
                   {"list_min", FN_ARRAY_MIN},
                   {"string_split", FN_STRING_TO_ARRAY},
                   {"str_split", FN_STRING_TO_ARRAY}};
    for (int k = 0; k < AGG_COUNT_; k++) {
        if (k != AGG_COUNT_STAR && strcmp(AGG_NAMES[k], name) == 0) {
            *is_aggregate = true;
            *id = k;
            return true;
        }
    }
    *is_aggregate = false;
    for (int k = 0; k < FN_COUNT_; k++) {
        if (SCALARS[k].sql_name && strcmp(SCALARS[k].sql_name, name) == 0) {
            *id = k;
            return true;
        }
    }
    for (size_t k = 0; k < BS_ARRAY_LEN(aliases); k++) {
        if (strcmp(aliases[k].alias, name) == 0) {
            *id = aliases[k].id;
            return true;
        }
    }
    return false;
}

/* "integer, character varying" into buf. */
static void format_arg_types(Expr **args, int n_args, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int k = 0; k < n_args && len < size; k++) {
        char name[40];
        const char *t = args[k]->type.id == TYPE_NULL ? "unknown"
                        : (args[k]->flags & EXPR_FLAG_UNTYPED)
                            ? "unknown"
                            : type_sql_name(args[k]->type, name, sizeof name);
        int n = snprintf(buf + len, size - len, "%s%s", k ? ", " : "", t);
        if (n < 0) break;
        len += (size_t)n;
    }
}

/* 42883: no operator/function for these argument types. */
Status binder_no_function_match(ScalarFuncId id, Expr **args, int n_args, int pos, Error *err)
{
    const ScalarDef *def = &SCALARS[id];
    char types[160];
    if (def->symbol && n_args == 2) {
        char a[40], c[40];
        format_arg_types(&args[0], 1, a, sizeof a);
        format_arg_types(&args[1], 1, c, sizeof c);
        error_set(err, SQLSTATE_UNDEFINED_FUNCTION, pos, "operator does not exist: %s %s %s", a,
                  def->symbol, c);
        error_set_hint(err, "No operator matches the given name and argument types. You might "
                            "need to add explicit type casts.");
        return BS_ERROR;
    }
    if (def->symbol) {
        format_arg_types(args, n_args, types, sizeof types);
        error_set(err, SQLSTATE_UNDEFINED_FUNCTION, pos, "operator does not exist: %s %s",
                  def->symbol, types);
        return BS_ERROR;
    }
    format_arg_types(args, n_args, types, sizeof types);
    error_set(err, SQLSTATE_UNDEFINED_FUNCTION, pos, "function %s(%s) does not exist",
              def->sql_name ? def->sql_name : def->name, types);
    error_set_hint(err, "No function matches the given name and argument types. You might need "
                        "to add explicit type casts.");
    return BS_ERROR;
}

static Status no_match(ScalarFuncId id, Expr **args, int n_args, int pos, Error *err)
{
    return binder_no_function_match(id, args, n_args, pos, err);
}

static bool untyped(const Expr *e)
{
    return (e->flags & EXPR_FLAG_UNTYPED) || e->type.id == TYPE_NULL;
}

static Status bind_arithmetic(Binder *b, ScalarFuncId id, Expr **args, int n_args, int pos,
                              LogicalType *ret, Error *err)
{
    LogicalType lt = args[0]->type, rt = args[1]->type;
    /* date ± integer → date; date - date → integer (PostgreSQL, which reads date - 'text'
       as date - date); date + 'text' is date + integer. */
    if ((id == FN_ADD || id == FN_SUBTRACT) && lt.id == TYPE_DATE &&
        (type_is_integral(rt) || (untyped(args[1]) && id == FN_ADD))) {
        BS_TRY(binder_cast(b, &args[1], type_make(TYPE_INTEGER), false, err));
        *ret = type_make(TYPE_DATE);
        return BS_OK;
    }
    if (id == FN_ADD && rt.id == TYPE_DATE && (type_is_integral(lt) || untyped(args[0]))) {
        BS_TRY(binder_cast(b, &args[0], type_make(TYPE_INTEGER), false, err));
        *ret = type_make(TYPE_DATE);
        return BS_OK;
    }
    if (id == FN_SUBTRACT && lt.id == TYPE_DATE && (rt.id == TYPE_DATE || untyped(args[1]))) {
        BS_TRY(binder_cast(b, &args[1], type_make(TYPE_DATE), false, err));
        *ret = type_make(TYPE_INTEGER);
        return BS_OK;
    }
    /* Timestamps and intervals (functions_datetime.c). */
    bool handled;
    BS_TRY(binder_bind_datetime_arithmetic(b, id, args, &handled, ret, err));
    if (handled) return BS_OK;
    /* Untyped operands take the other side's numeric type. */
    LogicalType common;
    if (!binder_common_type(args[0], args[1], &common)) return no_match(id, args, n_args, pos, err);
    if (untyped(args[0]) && untyped(args[1]) && common.id == TYPE_VARCHAR)
        return no_match(id, args, n_args, pos, err);
    if (!type_is_numeric(common)) return no_match(id, args, n_args, pos, err);
    if (common.id != TYPE_DECIMAL || id == FN_MODULO) {
        if (id == FN_DIVIDE && common.id == TYPE_DECIMAL) common = type_make(TYPE_DOUBLE);
        BS_TRY(binder_cast(b, &args[0], common, false, err));
        BS_TRY(binder_cast(b, &args[1], common, false, err));
        *ret = common;
        return BS_OK;
    }
    /* Decimal arithmetic: operands become decimals; the result's scale follows the operator. */
    if (id == FN_DIVIDE) {
        /* Decimal division yields DOUBLE (as DuckDB does). */
        BS_TRY(binder_cast(b, &args[0], type_make(TYPE_DOUBLE), false, err));
        BS_TRY(binder_cast(b, &args[1], type_make(TYPE_DOUBLE), false, err));
        *ret = type_make(TYPE_DOUBLE);
        return BS_OK;
    }
    LogicalType da = untyped(args[0]) ? common : args[0]->type;
    LogicalType db = untyped(args[1]) ? common : args[1]->type;
    da = binder_decimal_of(da);
    db = binder_decimal_of(db);
    if (id == FN_MULTIPLY) {
        int scale = da.scale + db.scale;
        if (scale > DECIMAL_MAX_PRECISION) {
            BS_TRY(binder_cast(b, &args[0], type_make(TYPE_DOUBLE), false, err));
            BS_TRY(binder_cast(b, &args[1], type_make(TYPE_DOUBLE), false, err));
            *ret = type_make(TYPE_DOUBLE);
            return BS_OK;
        }
        BS_TRY(binder_cast(b, &args[0], da, false, err));
        BS_TRY(binder_cast(b, &args[1], db, false, err));
        *ret = type_decimal(BS_MIN(DECIMAL_MAX_PRECISION, da.precision + db.precision), scale);
        return BS_OK;
    }
    /* + and -: both operands rescaled to the larger scale. */
    int scale = BS_MAX(da.scale, db.scale);
    int digits = BS_MAX(da.precision - da.scale, db.precision - db.scale);
    LogicalType ca =
        type_decimal(BS_MIN(DECIMAL_MAX_PRECISION, da.precision - da.scale + scale), scale);
    LogicalType cb =
        type_decimal(BS_MIN(DECIMAL_MAX_PRECISION, db.precision - db.scale + scale), scale);
    BS_TRY(binder_cast(b, &args[0], ca, false, err));
    BS_TRY(binder_cast(b, &args[1], cb, false, err));
    *ret = type_decimal(BS_MIN(DECIMAL_MAX_PRECISION, digits + scale + 1), scale);
    return BS_OK;
}

static Status bind_comparison(Binder *b, ScalarFuncId id, Expr **args, int n_args, int pos,
                              LogicalType *ret, Error *err)
{
    LogicalType common;
    if (!binder_common_type(args[0], args[1], &common)) return no_match(id, args, n_args, pos, err);
    if (common.id == TYPE_NULL) common = type_make(TYPE_INTEGER);
    BS_TRY(binder_cast(b, &args[0], common, false, err));
    BS_TRY(binder_cast(b, &args[1], common, false, err));
    *ret = type_make(TYPE_BOOLEAN);
    return BS_OK;
}

static Status bind_concat(Binder *b, ScalarFuncId id, Expr **args, int n_args, int pos,
                          LogicalType *ret, Error *err)
{
    /* text || anything: the other side is converted to text (PostgreSQL's anynonarray). */
    if (args[0]->type.id != TYPE_VARCHAR && args[1]->type.id != TYPE_VARCHAR && !untyped(args[0]) &&
        !untyped(args[1]))
        return no_match(id, args, n_args, pos, err);
    BS_TRY(binder_cast(b, &args[0], type_make(TYPE_VARCHAR), true, err));
    BS_TRY(binder_cast(b, &args[1], type_make(TYPE_VARCHAR), true, err));
    *ret = type_make(TYPE_VARCHAR);
    return BS_OK;
}

static Status require_varchar(Binder *b, ScalarFuncId id, Expr **args, int n_args, int k, int pos,
                              Error *err)
{
    if (args[k]->type.id != TYPE_VARCHAR && !untyped(args[k]))
        return no_match(id, args, n_args, pos, err);
    return binder_cast(b, &args[k], type_make(TYPE_VARCHAR), false, err);
}

static Status require_integer(Binder *b, ScalarFuncId id, Expr **args, int n_args, int k, int pos,
                              Error *err)
{
    if (!type_is_integral(args[k]->type) && !untyped(args[k]))
        return no_match(id, args, n_args, pos, err);
    return binder_cast(b, &args[k], type_make(TYPE_BIGINT), false, err);
}

static Status bind_like(Binder *b, ScalarFuncId id, Expr **args, int n_args, int pos,
                        LogicalType *ret, Error *err)
{
    for (int k = 0; k < n_args; k++)
        BS_TRY(require_varchar(b, id, args, n_args, k, pos, err));
    *ret = type_make(TYPE_BOOLEAN);
    return BS_OK;
}

static Status bind_numeric_unary(Binder *b, ScalarFuncId id, Expr **args, int n_args, int pos,
                                 LogicalType *ret, Error *err)
{
    if (id == FN_NEGATE && args[0]->type.id == TYPE_INTERVAL && !untyped(args[0])) {
        *ret = args[0]->type; /* -interval */
        return BS_OK;
    }
    if (untyped(args[0])) BS_TRY(binder_cast(b, &args[0], type_make(TYPE_DOUBLE), false, err));
    if (!type_is_numeric(args[0]->type)) return no_match(id, args, n_args, pos, err);
    *ret = args[0]->type;
    return BS_OK;
}

static Status bind_string_fn(Binder *b, ScalarFuncId id, Expr **args, int n_args, int pos,
                             LogicalType *ret, Error *err)
{
    BS_TRY(require_varchar(b, id, args, n_args, 0, pos, err));
    for (int k = 1; k < n_args; k++)
        BS_TRY(require_integer(b, id, args, n_args, k, pos, err));
    *ret = type_make(id == FN_LENGTH ? TYPE_INTEGER : TYPE_VARCHAR);
    return BS_OK;
}

/* The numbers round, floor, ceil, trunc and sign have kernels for: TINYINT and SMALLINT widen to
   INTEGER, REAL to DOUBLE, HUGEINT to DECIMAL(38,0). */
static Status widen_for_math(Binder *b, Expr **arg, Error *err)
{
    TypeId t = (*arg)->type.id;
    if (t == TYPE_TINYINT || t == TYPE_SMALLINT)
        return binder_cast(b, arg, type_make(TYPE_INTEGER), false, err);
    if (t == TYPE_REAL) return binder_cast(b, arg, type_make(TYPE_DOUBLE), false, err);
    if (t == TYPE_HUGEINT) return binder_cast(b, arg, type_decimal(38, 0), false, err);
    return BS_OK;
}

static Status bind_round(Binder *b, ScalarFuncId id, Expr **args, int n_args, int pos,
                         LogicalType *ret, Error *err)
{
    if (untyped(args[0])) BS_TRY(binder_cast(b, &args[0], type_make(TYPE_DOUBLE), false, err));
    if (!type_is_numeric(args[0]->type)) return no_match(id, args, n_args, pos, err);
    /* round() has a 128-bit kernel: a HUGEINT stays one */
    if (id != FN_ROUND || args[0]->type.id != TYPE_HUGEINT)
        BS_TRY(widen_for_math(b, &args[0], err));
    LogicalType t = args[0]->type;
    int64_t digits = 0;
    const char *name = SCALARS[id].name;
    if (n_args == 2) {
        BS_TRY(require_integer(b, id, args, n_args, 1, pos, err));
        if (args[1]->kind != EXPR_CONSTANT || args[1]->u.constant.is_null)
            return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, args[1]->pos,
                             "%s() needs a constant number of digits", name);
        digits = args[1]->u.constant.u.i64;
        if (digits < -18 || digits > 18)
            return error_set(err, SQLSTATE_INVALID_PARAMETER, args[1]->pos,
                             "%s() digits must be between -18 and 18", name);
    }
    if (t.id == TYPE_DECIMAL) {
        int scale = (int)BS_MAX(0, BS_MIN(digits, (int64_t)t.scale));
        *ret = type_decimal(t.precision, scale);
    } else {
        *ret = t; /* integers stay integers, doubles stay doubles */
    }
    return BS_OK;
}

static Status bind_coalesce(Binder *b, ScalarFuncId id, Expr **args, int n_args, int pos,
                            LogicalType *ret, Error *err)
{
    BS_TRY(binder_unify_types(b, args, n_args, "COALESCE", err));
    *ret = args[0]->type;
    return BS_OK;
}

static Status bind_extract(Binder *b, ScalarFuncId id, Expr **args, int n_args, int pos,
                           LogicalType *ret, Error *err)
{
    if (untyped(args[0])) BS_TRY(binder_cast(b, &args[0], type_make(TYPE_TIMESTAMP), false, err));
    if (!type_is_temporal(args[0]->type) && args[0]->type.id != TYPE_INTERVAL)
        return no_match(id, args, n_args, pos, err);
    *ret = type_make(TYPE_BIGINT);
    return BS_OK;
}

/* floor, ceil: integers stay, DECIMAL(p,s) becomes DECIMAL(p,0), the rest is DOUBLE. */
static Status bind_floor(Binder *b, ScalarFuncId id, Expr **args, int n_args, int pos,
                         LogicalType *ret, Error *err)
{
    if (untyped(args[0])) BS_TRY(binder_cast(b, &args[0], type_make(TYPE_DOUBLE), false, err));
    if (!type_is_numeric(args[0]->type)) return no_match(id, args, n_args, pos, err);
    BS_TRY(widen_for_math(b, &args[0], err));
    LogicalType t = args[0]->type;
    *ret = t.id == TYPE_DECIMAL ? type_decimal(t.precision, 0) : t;
    return BS_OK;
}

/* Functions of DOUBLEs (sqrt, ln, power, …): numeric arguments become DOUBLE. */
static Status bind_double_fn(Binder *b, ScalarFuncId id, Expr **args, int n_args, int pos,
                             LogicalType *ret, Error *err)
{
    for (int k = 0; k < n_args; k++) {
        if (!untyped(args[k]) && !type_is_numeric(args[k]->type))
            return no_match(id, args, n_args, pos, err);
        BS_TRY(binder_cast(b, &args[k], type_make(TYPE_DOUBLE), false, err));
    }
    *ret = type_make(TYPE_DOUBLE);
    return BS_OK;
}

/* sign: integers and DOUBLE keep their type; a DECIMAL's sign is DECIMAL(1,0) (-1, 0, 1). */
static Status bind_sign(Binder *b, ScalarFuncId id, Expr **args, int n_args, int pos,
                        LogicalType *ret, Error *err)
{
    if (untyped(args[0])) BS_TRY(binder_cast(b, &args[0], type_make(TYPE_DOUBLE), false, err));
    if (!type_is_numeric(args[0]->type)) return no_match(id, args, n_args, pos, err);
    BS_TRY(widen_for_math(b, &args[0], err));
    LogicalType t = args[0]->type;
    *ret = t.id == TYPE_DECIMAL ? type_decimal(1, 0) : t;
    return BS_OK;
}

/* The string functions of kernels_string2.c: text arguments, BIGINT counts. */
static Status bind_string2(Binder *b, ScalarFuncId id, Expr **args, int n_args, int pos,
                           LogicalType *ret, Error *err)
{
    const char *sig; /* one letter per argument: S text, I integer */
    TypeId type = TYPE_VARCHAR;
    switch (id) {
    case FN_LEFT:
    case FN_RIGHT:
    case FN_REPEAT:
        sig = "SI";
        break;
    case FN_LPAD:
    case FN_RPAD:
        sig = "SIS";
        break;
    case FN_SPLIT_PART:
        sig = "SSI";
        break;
    case FN_CHR:
        sig = "I";
        break;
    default:
        sig = "SSS";
        break;
    }
    for (int k = 0; k < n_args; k++) {
        if (sig[k] == 'I')
            BS_TRY(require_integer(b, id, args, n_args, k, pos, err));
        else
            BS_TRY(require_varchar(b, id, args, n_args, k, pos, err));
    }
    if (id == FN_STRPOS || id == FN_ASCII || id == FN_OCTET_LENGTH) type = TYPE_INTEGER;
    if (id == FN_STARTS_WITH || id == FN_ENDS_WITH) type = TYPE_BOOLEAN;
    *ret = type_make(type);
    return BS_OK;
}

/* concat(…), concat_ws(sep, …): any arguments, converted to text as || does. */
static Status bind_concat_args(Binder *b, ScalarFuncId id, Expr **args, int n_args, int pos,
                               LogicalType *ret, Error *err)
{
    if (id == FN_CONCAT_WS) BS_TRY(require_varchar(b, id, args, n_args, 0, pos, err));
    for (int k = 0; k < n_args; k++)
        BS_TRY(binder_cast(b, &args[k], type_make(TYPE_VARCHAR), true, err));
    *ret = type_make(TYPE_VARCHAR);
    return BS_OK;
}

/* greatest, least: the arguments' common type (as COALESCE's), which must be ordered. */
static Status bind_extreme(Binder *b, ScalarFuncId id, Expr **args, int n_args, int pos,
                           LogicalType *ret, Error *err)
{
    BS_TRY(binder_unify_types(b, args, n_args, id == FN_GREATEST ? "GREATEST" : "LEAST", err));
    if (args[0]->type.id == TYPE_ARRAY) /* (its kernels order by physical type: bytes) */
        return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, pos,
                         "%s of arrays is not supported yet",
                         id == FN_GREATEST ? "greatest" : "least");
    *ret = args[0]->type;
    return BS_OK;
}

/* regexp_matches(s, p[, flags]), regexp_replace(s, p, r[, flags]), regexp_extract(s, p[, g]). */
static Status bind_regex(Binder *b, ScalarFuncId id, Expr **args, int n_args, int pos,
                         LogicalType *ret, Error *err)
{
    for (int k = 0; k < n_args; k++) {
        if (id == FN_REGEXP_EXTRACT && k == 2)
            BS_TRY(require_integer(b, id, args, n_args, k, pos, err));
        else
            BS_TRY(require_varchar(b, id, args, n_args, k, pos, err));
    }
    *ret = type_make(id == FN_REGEXP_MATCHES ? TYPE_BOOLEAN : TYPE_VARCHAR);
    return BS_OK;
}

/* strftime(ts, fmt), to_char(ts, fmt): a DATE or TIMESTAMP; strptime(text, fmt). */
static Status bind_format(Binder *b, ScalarFuncId id, Expr **args, int n_args, int pos,
                          LogicalType *ret, Error *err)
{
    BS_TRY(require_varchar(b, id, args, n_args, 1, pos, err));
    if (id == FN_STRPTIME) {
        BS_TRY(require_varchar(b, id, args, n_args, 0, pos, err));
        *ret = type_make(TYPE_TIMESTAMP);
        return BS_OK;
    }
    TypeId t = args[0]->type.id;
    if (t == TYPE_TIME && !untyped(args[0])) {
        /* a time is formatted as the timestamp of that time on 1970-01-01 */
        Value epoch = value_date(0);
        Expr *sum[2] = {expr_new_constant(b->arena, &epoch, pos), args[0]};
        if (!sum[0]) return arena_error(b->arena, err);
        BS_TRY(binder_bind_scalar(b, FN_ADD, sum, 2, pos, &args[0], err));
        t = TYPE_TIMESTAMP;
    }
    if (!untyped(args[0]) && t != TYPE_DATE && t != TYPE_TIMESTAMP)
        return no_match(id, args, n_args, pos, err);
    BS_TRY(binder_cast(b, &args[0], type_make(TYPE_TIMESTAMP), false, err));
    *ret = type_make(TYPE_VARCHAR);
    return BS_OK;
}

/* IN lists are built by expr_new_in from constants already of x's type, never by name;
   try_cast by the binder (bind_expr.c). */
static Status bind_in(Binder *b, ScalarFuncId id, Expr **args, int n_args, int pos,
                      LogicalType *ret, Error *err)
{
    (void)b;
    (void)args;
    (void)n_args;
    (void)ret;
    return error_set(err, SQLSTATE_INTERNAL_ERROR, pos, "planner: %s is built directly",
                     SCALARS[id].name);
}

Status binder_bind_scalar(Binder *b, ScalarFuncId func, Expr **args, int n_args, int pos,
                          Expr **out, Error *err)
{
    const ScalarDef *def = &SCALARS[func];
    if (n_args < def->min_args || n_args > def->max_args)
        return no_match(func, args, n_args, pos, err);
    bool zoned;
    BS_TRY(binder_bind_zoned(b, func, args, n_args, pos, out, &zoned, err));
    if (zoned) return BS_OK;
    /* A CHAR is kept without its padding, so as text it is itself: functions and
       operators see VARCHAR (PostgreSQL's bpchar → text drops the padding too); coalesce,
       greatest and least keep the type of their arguments. */
    if (func != FN_COALESCE && func != FN_GREATEST && func != FN_LEAST)
        for (int k = 0; k < n_args; k++)
            if (args[k]->type.id == TYPE_CHAR ||
                (args[k]->type.id == TYPE_VARCHAR && args[k]->type.length))
                BS_TRY(binder_cast(b, &args[k], type_make(TYPE_VARCHAR), false, err));
    LogicalType ret;
    BS_TRY(def->bind(b, func, args, n_args, pos, &ret, err));
    *out = expr_new_call(b->arena, func, ret, args, n_args, pos);
    if (!*out) return arena_error(b->arena, err);
    return BS_OK;
}

Status binder_bind_aggregate(Binder *b, AggFuncId func, Expr *arg, bool distinct, int pos,
                             AggregateCall **out, Error *err)
{
    AggregateCall *call = arena_alloc_zero(b->arena, sizeof *call);
    if (!call) return arena_error(b->arena, err);
    call->func = func;
    call->distinct = distinct;
    call->arg = arg;
    if (arg && untyped(arg)) {
        /* count('x'), min(NULL): a literal without a type is text (NULL: integer). */
        LogicalType t =
            arg->type.id == TYPE_NULL ? type_make(TYPE_INTEGER) : type_make(TYPE_VARCHAR);
        if (func == AGG_SUM || func == AGG_AVG ||
            (func >= AGG_VAR_SAMP && func <= AGG_STDDEV_POP) || func == AGG_QUANTILE_CONT)
            t = type_make(TYPE_DOUBLE);
        if (func == AGG_BOOL_AND || func == AGG_BOOL_OR) t = type_make(TYPE_BOOLEAN);
        BS_TRY(binder_cast(b, &call->arg, t, false, err));
        arg = call->arg;
    }
    LogicalType t = arg ? arg->type : type_make(TYPE_BIGINT);
    call->arg_type = t;
    char name[40];
    switch (func) {
    case AGG_COUNT_STAR:
    case AGG_COUNT:
        call->type = type_make(TYPE_BIGINT);
        break;
    case AGG_SUM:
    case AGG_AVG:
        /* intervals add field by field (months, days, µs), as PostgreSQL's; avg divides
           the sum as interval / number does */
        if (t.id == TYPE_INTERVAL) {
            call->type = t;
            break;
        }
        if (func == AGG_AVG) {
            if (!type_is_numeric(t)) goto no_match;
            /* avg of a DECIMAL(p,s) is exact, rounded half away from zero to at least 6
               digits after the point: DECIMAL(p - s + max(s, 6), max(s, 6)) while that fits
               38 digits (PostgreSQL gives more digits than the input, Trino the same
               scale); of anything else DOUBLE */
            if (t.id == TYPE_DECIMAL) {
                int int_digits = t.precision - t.scale;
                int scale = BS_MAX(t.scale, BS_MIN(6, DECIMAL_MAX_PRECISION - int_digits));
                call->type = type_decimal(int_digits + scale, scale);
            } else {
                call->type = type_make(TYPE_DOUBLE);
            }
            break;
        }
        /* Integers sum to HUGEINT (DuckDB's rule; PostgreSQL's numeric): no overflow below
           2^127, however many BIGINTs are added. */
        if (type_is_integral(t))
            call->type = type_make(TYPE_HUGEINT);
        else if (t.id == TYPE_DECIMAL)
            call->type = type_decimal(DECIMAL_MAX_PRECISION, t.scale);
        else if (type_is_float(t))
            call->type = type_make(TYPE_DOUBLE); /* sum(real) is a DOUBLE, as in DuckDB */
        else
            goto no_match;
        break;
    case AGG_MIN:
    case AGG_MAX:
        call->type = t;
        break;
    case AGG_VAR_SAMP:
    case AGG_VAR_POP:
    case AGG_STDDEV_SAMP:
    case AGG_STDDEV_POP:
        if (!type_is_numeric(t)) goto no_match;
        call->type = type_make(TYPE_DOUBLE);
        break;
    case AGG_BOOL_AND:
    case AGG_BOOL_OR:
        if (t.id != TYPE_BOOLEAN) goto no_match;
        call->type = t;
        break;
    case AGG_APPROX_DISTINCT:
        call->type = type_make(TYPE_BIGINT);
        break;
    case AGG_STRING_AGG:
        if (t.id != TYPE_VARCHAR) goto no_match;
        call->type = t;
        break;
    case AGG_QUANTILE_CONT:
        /* Timestamps interpolate to the microsecond (DuckDB), intervals as PostgreSQL's
           lo + (hi - lo) * fraction. */
        if (t.id == TYPE_TIMESTAMP || t.id == TYPE_INTERVAL) {
            call->type = t;
            break;
        }
        if (t.id == TYPE_DATE)
            return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, pos,
                             "interpolating percentiles of dates is not supported yet; cast "
                             "them to timestamp, or use percentile_disc or quantile_disc");
        if (!type_is_numeric(t)) goto no_match;
        call->type = type_make(TYPE_DOUBLE);
        break;
    case AGG_QUANTILE_DISC:
        if (t.id == TYPE_ARRAY) /* (its values sort by physical type: an array's bytes) */
            return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, pos,
                             "%s of arrays is not supported yet", AGG_NAMES[func]);
        call->type = t;
        break;
    case AGG_ARRAY_AGG:
        if (t.id != TYPE_ARRAY) goto no_match;
        call->type = t;
        break;
    case AGG_COUNT_:
        goto no_match;
    }
    *out = call;
    return BS_OK;
no_match:
    error_set(err, SQLSTATE_UNDEFINED_FUNCTION, pos, "function %s(%s) does not exist",
              AGG_NAMES[func], type_sql_name(t, name, sizeof name));
    error_set_hint(err, "No function matches the given name and argument types. You might need "
                        "to add explicit type casts.");
    return BS_ERROR;
}

/* The type of the running sum an aggregate keeps (sum and avg). */
static LogicalType sum_state_type(LogicalType arg)
{
    if (type_is_integral(arg)) return type_make(TYPE_HUGEINT);
    if (arg.id == TYPE_DECIMAL) return type_decimal(DECIMAL_MAX_PRECISION, arg.scale);
    if (arg.id == TYPE_INTERVAL) return arg;
    return type_make(TYPE_DOUBLE);
}

int plan_agg_state_width(const PlanAggregate *agg)
{
    /* avg: (sum, count) for DOUBLE; (sum's high and low 64 bits, count) otherwise, so an
       exact sum beyond BIGINT survives the exchange between partial and final steps */
    if (agg->func >= AGG_VAR_SAMP && agg->func <= AGG_STDDEV_POP) return 3; /* n, mean, M2 */
    if (agg->func != AGG_AVG) return 1;
    return type_is_float(agg->arg_type) || agg->arg_type.id == TYPE_INTERVAL ? 2 : 3;
}

bool plan_agg_is_holistic(AggFuncId func)
{
    return func == AGG_STRING_AGG || func == AGG_QUANTILE_CONT || func == AGG_QUANTILE_DISC ||
           func == AGG_ARRAY_AGG;
}

LogicalType plan_agg_state_type(const PlanAggregate *agg, int k)
{
    switch (agg->func) {
    case AGG_COUNT_STAR:
    case AGG_COUNT:
        return type_make(TYPE_BIGINT);
    case AGG_SUM:
        return sum_state_type(agg->arg_type);
    case AGG_MIN:
    case AGG_MAX:
        return agg->arg_type;
    case AGG_AVG: /* (sum, count); an exact sum as two BIGINTs (high, low) */
        if (type_is_float(agg->arg_type) && k == 0) return type_make(TYPE_DOUBLE);
        if (agg->arg_type.id == TYPE_INTERVAL && k == 0) return agg->arg_type;
        return type_make(TYPE_BIGINT);
    case AGG_VAR_SAMP:
    case AGG_VAR_POP:
    case AGG_STDDEV_SAMP:
    case AGG_STDDEV_POP:
        return type_make(k == 0 ? TYPE_BIGINT : TYPE_DOUBLE);
    case AGG_BOOL_AND:
    case AGG_BOOL_OR:
        return type_make(TYPE_BOOLEAN);
    case AGG_APPROX_DISTINCT:
        return type_make(TYPE_VARCHAR); /* the registers, one printable byte each */
    case AGG_STRING_AGG:
    case AGG_QUANTILE_CONT:
    case AGG_QUANTILE_DISC:
    case AGG_ARRAY_AGG:
        return agg->type; /* never split */
    case AGG_COUNT_:
        break;
    }
    return type_make(TYPE_INVALID);
}
