/*
 * Unit tests: the vectorized kernels, reached the way expressions reach them — through
 * kernel_lookup and cast_kernel_lookup (exec/exec_int.h). Arithmetic with its overflow
 * (22003) and division-by-zero (22012) errors, comparisons of every type, casts between
 * every pair that has one (and their invalid input), string functions, round, extract and
 * coalesce.
 *
 * Every case runs in four layouts of its arguments: flat vectors over all rows (the
 * kernels' direct loop), flat vectors read through a selection with gaps (the rows
 * between hold values that would fail or show if a kernel touched them), dictionary
 * vectors, and constant vectors. Result rows outside the selection must stay as they
 * were. Batches hold at most BASALT_VECTOR_SIZE rows, so the tests run with any vector
 * size, 2 included.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "exec/exec_int.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static Arena *arena;

static int setup(void **state)
{
    (void)state;
    arena = arena_create(NULL, NULL, 0);
    return arena ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    arena_destroy(arena);
    return 0;
}

/* ---- values ---------------------------------------------------------------------------- */

#define T_INT     type_make(TYPE_INTEGER)
#define T_BIGINT  type_make(TYPE_BIGINT)
#define T_DOUBLE  type_make(TYPE_DOUBLE)
#define T_VARCHAR type_make(TYPE_VARCHAR)
#define T_BOOL    type_make(TYPE_BOOLEAN)
#define T_DATE    type_make(TYPE_DATE)
#define T_TS      type_make(TYPE_TIMESTAMP)

#define I32(x)       value_integer(x)
#define I64(x)       value_bigint(x)
#define F64(x)       value_double(x)
#define DEC(u, p, s) value_decimal(u, p, s)
#define BOOLV(b)     value_boolean(b)
#define NUL(t)       value_null(t)
#define STR(s)       value_varchar(s, (uint32_t)strlen(s))

static Value date_of(const char *text)
{
    int32_t days;
    assert_int_equal(parse_date(text, strlen(text), &days), PARSE_OK);
    return value_date(days);
}

static Value ts_of(const char *text)
{
    int64_t micros;
    assert_int_equal(parse_timestamp(text, strlen(text), &micros), PARSE_OK);
    return value_timestamp(micros);
}

static void describe(const Value *v, char *buf, size_t size)
{
    char type[32];
    type_format(v->type, type, sizeof type);
    if (v->is_null) {
        snprintf(buf, size, "NULL::%s", type);
    } else if (v->type.id == TYPE_VARCHAR) {
        snprintf(buf, size, "'%.*s'", (int)v->u.str.len, v->u.str.data);
    } else {
        char text[VALUE_TEXT_MAX];
        format_value(v, text);
        snprintf(buf, size, "%s::%s", text, type);
    }
}

/* Same type, same NULL-ness, same value (doubles bit for bit but for NaN). */
static bool same_value(const Value *a, const Value *b)
{
    if (!type_equals(a->type, b->type) || a->is_null != b->is_null) return false;
    if (a->is_null) return true;
    switch (type_physical(a->type)) {
    case PHYS_BOOL:
        return a->u.b == b->u.b;
    case PHYS_INT32:
        return a->u.i32 == b->u.i32;
    case PHYS_INT64:
        return a->u.i64 == b->u.i64;
    case PHYS_INT128:
        return a->u.i128 == b->u.i128;
    case PHYS_INT8:
        return a->u.i8 == b->u.i8;
    case PHYS_INT16:
        return a->u.i16 == b->u.i16;
    case PHYS_FLOAT:
        return a->u.f32 == b->u.f32 || (isnan(a->u.f32) && isnan(b->u.f32));
    case PHYS_DOUBLE:
        if (isnan(a->u.f64) || isnan(b->u.f64)) return isnan(a->u.f64) && isnan(b->u.f64);
        return a->u.f64 == b->u.f64 && signbit(a->u.f64) == signbit(b->u.f64);
    case PHYS_STRING:
        return a->u.str.len == b->u.str.len &&
               memcmp(a->u.str.data, b->u.str.data, a->u.str.len) == 0;
    case PHYS_INTERVAL:
        return a->u.iv.months == b->u.iv.months && a->u.iv.days == b->u.iv.days &&
               a->u.iv.micros == b->u.iv.micros;
    case PHYS_INVALID:
        break;
    }
    return false;
}

/* ---- running a kernel -------------------------------------------------------------------- */

typedef enum Layout { LAYOUT_FLAT, LAYOUT_GAPS, LAYOUT_DICT, LAYOUT_CONST, LAYOUT_COUNT_ } Layout;

static const char *const LAYOUT_NAMES[] = {"flat", "selection with gaps", "dictionary", "constant"};

#define MAX_ARGS 4
#define SENTINEL 0xA5

static const char POISON_TEXT[] = "poison: a kernel read a row it was not given";

/*
 * What sits in rows a kernel must not read: a value that fails (a zero divisor, the largest
 * number, which overflows) or shows in the result if the kernel uses it.
 */
static Value poison(LogicalType type, int arg)
{
    switch ((TypeId)type.id) {
    case TYPE_BOOLEAN:
        return value_boolean(true);
    case TYPE_INTEGER:
        return value_integer(arg == 0 ? INT32_MAX : 0);
    case TYPE_BIGINT:
        return value_bigint(arg == 0 ? INT64_MAX : 0);
    case TYPE_DOUBLE:
        return value_double(arg == 0 ? DBL_MAX : 0.0);
    case TYPE_DECIMAL:
        return value_decimal(arg == 0 ? POW10[type.precision] - 1 : 0, type.precision, type.scale);
    case TYPE_DATE:
        return value_date(arg == 0 ? INT32_MAX : 0);
    case TYPE_TIMESTAMP:
        return value_timestamp(arg == 0 ? INT64_MAX : 0);
    case TYPE_INTERVAL:
        return value_interval(interval_make(arg == 0 ? INT32_MAX : 0, 0, arg == 0 ? INT64_MAX : 0));
    default:
        return value_varchar(POISON_TEXT, (uint32_t)strlen(POISON_TEXT));
    }
}

/* Writes value (or, for NULL, the poison under a cleared validity bit) at row pos of v. */
static void put(Vector *v, idx_t pos, const Value *value, int arg)
{
    Error err = ERROR_INIT;
    if (value->is_null) {
        Value p = poison(v->type, arg);
        assert_int_equal(vector_set_value(v, pos, &p, &err), BS_OK);
        assert_int_equal(vector_set_null(v, pos, &err), BS_OK);
    } else {
        assert_int_equal(vector_set_value(v, pos, value, &err), BS_OK);
    }
}

/*
 * Runs kernel k on n rows of arguments (row-major: args[row * n_args + a]) laid out as
 * `layout`, in batches of at most BASALT_VECTOR_SIZE rows, and copies the results to out.
 * A strict kernel is not given rows with a NULL argument (their result is NULL), as
 * expressions do it. Returns the kernel's status; on error out is incomplete.
 */
static Status run_kernel(const KernelInfo *k, int n_args, const LogicalType *types,
                         const Value *args, idx_t n, LogicalType ret, Layout layout, Value *out,
                         Error *err)
{
    idx_t per_batch = layout == LAYOUT_CONST  ? 1
                      : layout == LAYOUT_GAPS ? BS_MAX((idx_t)BASALT_VECTOR_SIZE / 2, (idx_t)1)
                                              : (idx_t)BASALT_VECTOR_SIZE;
    for (idx_t first = 0; first < n; first += per_batch) {
        idx_t m = BS_MIN(per_batch, n - first);
        Vector vecs[MAX_ARGS], children[MAX_ARGS];
        Vector *argv[MAX_ARGS];
        sel_t *indices[MAX_ARGS];
        for (int a = 0; a < n_args; a++) {
            assert_int_equal(vector_init(&vecs[a], types[a], arena, arena, err), BS_OK);
            argv[a] = &vecs[a];
            /* Poison in every row first; the rows of this batch overwrite theirs. */
            Value p = poison(types[a], a);
            for (idx_t pos = 0; pos < BASALT_VECTOR_SIZE; pos++)
                assert_int_equal(vector_set_value(&vecs[a], pos, &p, err), BS_OK);
            switch (layout) {
            case LAYOUT_FLAT:
                for (idx_t i = 0; i < m; i++)
                    put(&vecs[a], i, &args[(first + i) * (idx_t)n_args + (idx_t)a], a);
                break;
            case LAYOUT_GAPS:
                for (idx_t i = 0; i < m; i++)
                    put(&vecs[a], 2 * i + 1, &args[(first + i) * (idx_t)n_args + (idx_t)a], a);
                break;
            case LAYOUT_DICT:
                /* Row i of the dictionary is row m-1-i of its child. */
                assert_int_equal(vector_init(&children[a], types[a], arena, arena, err), BS_OK);
                indices[a] = arena_alloc(arena, sizeof(sel_t) * BASALT_VECTOR_SIZE);
                for (idx_t pos = 0; pos < BASALT_VECTOR_SIZE; pos++)
                    indices[a][pos] = (sel_t)pos;
                for (idx_t i = 0; i < m; i++) {
                    put(&children[a], m - 1 - i, &args[(first + i) * (idx_t)n_args + (idx_t)a], a);
                    indices[a][i] = (sel_t)(m - 1 - i);
                }
                vecs[a].kind = VEC_DICTIONARY;
                vecs[a].data = indices[a];
                vecs[a].child = &children[a];
                break;
            case LAYOUT_CONST:
                assert_int_equal(
                    vector_set_constant(&vecs[a], &args[first * (idx_t)n_args + (idx_t)a], err),
                    BS_OK);
                break;
            case LAYOUT_COUNT_:
                break;
            }
        }
        /* Positions of this batch's rows, and the selection the kernel gets. */
        sel_t pos_of[BASALT_VECTOR_SIZE];
        for (idx_t i = 0; i < m; i++)
            pos_of[i] = (sel_t)(layout == LAYOUT_GAPS    ? 2 * i + 1
                                : layout == LAYOUT_CONST ? BASALT_VECTOR_SIZE - 1
                                                         : i);
        sel_t sel[BASALT_VECTOR_SIZE];
        bool given[BASALT_VECTOR_SIZE] = {false};
        idx_t count = 0;
        for (idx_t i = 0; i < m; i++) {
            bool any_null = false;
            for (int a = 0; a < n_args; a++)
                any_null |= args[(first + i) * (idx_t)n_args + (idx_t)a].is_null;
            if (k->strict && any_null) continue;
            sel[count++] = pos_of[i];
            given[pos_of[i]] = true;
        }
        bool identity = layout == LAYOUT_FLAT && count == m;
        Vector result;
        assert_int_equal(vector_init(&result, ret, arena, arena, err), BS_OK);
        memset(result.data, SENTINEL, type_size(ret) * BASALT_VECTOR_SIZE);
        if (count) {
            Status st =
                k->fn(argv, n_args, identity ? SEL_IDENTITY : sel, count, &result, k->data, err);
            if (st != BS_OK) return st;
        }
        /* Rows the kernel was not given are as they were. */
        size_t width = type_size(ret);
        for (idx_t pos = 0; pos < BASALT_VECTOR_SIZE; pos++) {
            if (given[pos]) continue;
            const unsigned char *bytes = (const unsigned char *)result.data + width * pos;
            for (size_t b = 0; b < width; b++)
                if (bytes[b] != SENTINEL)
                    fail_msg("%s layout: the kernel wrote row %u, which it was not given",
                             LAYOUT_NAMES[layout], (unsigned)pos);
        }
        for (idx_t i = 0; i < m; i++) {
            Value v;
            if (!given[pos_of[i]]) {
                v = value_null(ret);
            } else {
                vector_get_value(&result, pos_of[i], &v);
            }
            assert_int_equal(value_copy(arena, &v, &out[first + i], err), BS_OK);
        }
    }
    return BS_OK;
}

/* Checks every row's result (cases: n rows of n_args arguments then the expected value). */
static void check_kernel(const KernelInfo *k, const char *what, int n_args,
                         const LogicalType *types, LogicalType ret, const Value *cases, int n)
{
    int stride = n_args + 1;
    Value *args = arena_alloc(arena, sizeof(Value) * (size_t)(n * n_args + 1));
    for (int r = 0; r < n; r++)
        for (int a = 0; a < n_args; a++)
            args[r * n_args + a] = cases[r * stride + a];
    Value *out = arena_alloc(arena, sizeof(Value) * (size_t)n);
    for (int layout = 0; layout < LAYOUT_COUNT_; layout++) {
        Error err = ERROR_INIT;
        Status st = run_kernel(k, n_args, types, args, (idx_t)n, ret, (Layout)layout, out, &err);
        if (st != BS_OK)
            fail_msg("%s, %s layout: unexpected error %s: %s", what, LAYOUT_NAMES[layout],
                     err.sqlstate, err.message);
        for (int r = 0; r < n; r++) {
            const Value *want = &cases[r * stride + n_args];
            if (!same_value(&out[r], want)) {
                char got_text[256], want_text[256], arg_text[MAX_ARGS][256];
                describe(&out[r], got_text, sizeof got_text);
                describe(want, want_text, sizeof want_text);
                for (int a = 0; a < n_args; a++)
                    describe(&args[r * n_args + a], arg_text[a], sizeof arg_text[a]);
                fail_msg("%s(%s%s%s%s%s), %s layout: got %s, want %s", what, arg_text[0],
                         n_args > 1 ? ", " : "", n_args > 1 ? arg_text[1] : "",
                         n_args > 2 ? ", " : "", n_args > 2 ? arg_text[2] : "",
                         LAYOUT_NAMES[layout], got_text, want_text);
            }
        }
    }
}

/* Checks that a row fails with sqlstate (and a message containing msg) in every layout. A
   valid row goes first (ok_row, may be NULL), so the error comes from the middle of a batch. */
static void check_kernel_error(const KernelInfo *k, const char *what, int n_args,
                               const LogicalType *types, LogicalType ret, const Value *ok_row,
                               const Value *bad_row, const char *sqlstate, const char *msg)
{
    Value args[2 * MAX_ARGS];
    int n = 0;
    if (ok_row) {
        memcpy(args, ok_row, sizeof(Value) * (size_t)n_args);
        n++;
    }
    memcpy(args + n * n_args, bad_row, sizeof(Value) * (size_t)n_args);
    n++;
    Value out[2];
    for (int layout = 0; layout < LAYOUT_COUNT_; layout++) {
        Error err = ERROR_INIT;
        Status st = run_kernel(k, n_args, types, args, (idx_t)n, ret, (Layout)layout, out, &err);
        if (st != BS_ERROR) fail_msg("%s, %s layout: no error", what, LAYOUT_NAMES[layout]);
        if (strcmp(err.sqlstate, sqlstate) != 0 || (msg && !strstr(err.message, msg)))
            fail_msg("%s, %s layout: got %s \"%s\", want %s \"%s\"", what, LAYOUT_NAMES[layout],
                     err.sqlstate, err.message, sqlstate, msg ? msg : "");
        error_clear(&err);
    }
}

static KernelInfo lookup(ScalarFuncId func, int n_args, const LogicalType *types, LogicalType ret)
{
    KernelInfo k;
    Error err = ERROR_INIT;
    if (kernel_lookup(func, types, n_args, ret, arena, &k, &err) != BS_OK)
        fail_msg("kernel_lookup(%s): %s", scalar_func_name(func), err.message);
    return k;
}

static void expect_no_kernel(ScalarFuncId func, int n_args, const LogicalType *types,
                             LogicalType ret)
{
    KernelInfo k;
    Error err = ERROR_INIT;
    if (kernel_lookup(func, types, n_args, ret, arena, &k, &err) != BS_ERROR)
        fail_msg("kernel_lookup(%s) accepted a combination it has no kernel for",
                 scalar_func_name(func));
    assert_string_equal(err.sqlstate, SQLSTATE_INTERNAL_ERROR);
    assert_non_null(strstr(err.message, "invalid plan"));
    error_clear(&err);
}

/* func over cases of two arguments of types a and b. */
static void check2(ScalarFuncId func, LogicalType a, LogicalType b, LogicalType ret,
                   const Value *cases, int n)
{
    LogicalType types[2] = {a, b};
    KernelInfo k = lookup(func, 2, types, ret);
    check_kernel(&k, scalar_func_name(func), 2, types, ret, cases, n);
}

static void check2_error(ScalarFuncId func, LogicalType a, LogicalType b, LogicalType ret, Value x,
                         Value y, const char *sqlstate, const char *msg)
{
    LogicalType types[2] = {a, b};
    KernelInfo k = lookup(func, 2, types, ret);
    Value ok_row[2] = {poison(a, 1), poison(b, 0)}; /* e.g. 0 / MAX: always fine */
    if (a.id == TYPE_VARCHAR || a.id == TYPE_BOOLEAN) ok_row[0] = x;
    if (b.id == TYPE_VARCHAR || b.id == TYPE_BOOLEAN) ok_row[1] = y;
    Value bad_row[2] = {x, y};
    check_kernel_error(&k, scalar_func_name(func), 2, types, ret, ok_row, bad_row, sqlstate, msg);
}

#define N_CASES(arr, n_args) ((int)(sizeof(arr) / sizeof((arr)[0])) / ((n_args) + 1))

/* ---- arithmetic ------------------------------------------------------------------------ */

static void test_integer_arithmetic(void **state)
{
    (void)state;
    LogicalType t = T_INT;
    Value add[] = {I32(1),         I32(2), I32(3),         I32(-5),        I32(3), I32(-2),
                   I32(INT32_MAX), I32(0), I32(INT32_MAX), I32(INT32_MIN), I32(0), I32(INT32_MIN),
                   NUL(t),         I32(1), NUL(t),         I32(1),         NUL(t), NUL(t)};
    check2(FN_ADD, t, t, t, add, N_CASES(add, 2));
    Value sub[] = {I32(1),         I32(2),  I32(-1),        I32(INT32_MIN + 1), I32(1),
                   I32(INT32_MIN), I32(-1), I32(INT32_MAX), I32(INT32_MIN)};
    check2(FN_SUBTRACT, t, t, t, sub, N_CASES(sub, 2));
    Value mul[] = {I32(-4),         I32(5), I32(-20),       I32(46341), I32(46340),
                   I32(2147441940), I32(0), I32(INT32_MIN), I32(0)};
    check2(FN_MULTIPLY, t, t, t, mul, N_CASES(mul, 2));
    /* Division truncates toward zero; the remainder has the dividend's sign. */
    Value div[] = {I32(7), I32(2),  I32(3),  I32(-7),        I32(2), I32(-3),
                   I32(7), I32(-2), I32(-3), I32(INT32_MIN), I32(1), I32(INT32_MIN),
                   I32(0), I32(5),  I32(0),  I32(5),         NUL(t), NUL(t)};
    check2(FN_DIVIDE, t, t, t, div, N_CASES(div, 2));
    Value mod[] = {I32(7), I32(3),  I32(1), I32(-7),        I32(3),  I32(-1),
                   I32(7), I32(-3), I32(1), I32(INT32_MIN), I32(-1), I32(0)};
    check2(FN_MODULO, t, t, t, mod, N_CASES(mod, 2));

    check2_error(FN_ADD, t, t, t, I32(INT32_MAX), I32(1), "22003", "integer out of range");
    check2_error(FN_SUBTRACT, t, t, t, I32(INT32_MIN), I32(1), "22003", "integer out of range");
    check2_error(FN_MULTIPLY, t, t, t, I32(65536), I32(65536), "22003", "integer out of range");
    check2_error(FN_DIVIDE, t, t, t, I32(INT32_MIN), I32(-1), "22003", "integer out of range");
    check2_error(FN_DIVIDE, t, t, t, I32(1), I32(0), "22012", "division by zero");
    check2_error(FN_MODULO, t, t, t, I32(1), I32(0), "22012", "division by zero");
}

static void test_bigint_arithmetic(void **state)
{
    (void)state;
    LogicalType t = T_BIGINT;
    Value add[] = {I64(INT64_C(5000000000)),
                   I64(5000000000),
                   I64(10000000000),
                   I64(INT64_MAX),
                   I64(INT64_MIN),
                   I64(-1),
                   NUL(t),
                   I64(1),
                   NUL(t)};
    check2(FN_ADD, t, t, t, add, N_CASES(add, 2));
    Value sub[] = {I64(INT64_MIN + 1), I64(1),         I64(INT64_MIN), I64(0),
                   I64(INT64_MAX),     I64(-INT64_MAX)};
    check2(FN_SUBTRACT, t, t, t, sub, N_CASES(sub, 2));
    Value mul[] = {
        I64(INT64_C(3037000499)), I64(3037000499), I64(INT64_C(9223372030926249001)), I64(-1),
        I64(INT64_MAX),           I64(-INT64_MAX)};
    check2(FN_MULTIPLY, t, t, t, mul, N_CASES(mul, 2));
    Value div[] = {I64(-9), I64(4), I64(-2), I64(INT64_MIN), I64(2), I64(INT64_MIN / 2)};
    check2(FN_DIVIDE, t, t, t, div, N_CASES(div, 2));
    Value mod[] = {I64(-9), I64(4), I64(-1), I64(INT64_MIN), I64(-1), I64(0)};
    check2(FN_MODULO, t, t, t, mod, N_CASES(mod, 2));

    check2_error(FN_ADD, t, t, t, I64(INT64_MAX), I64(1), "22003", "bigint out of range");
    check2_error(FN_SUBTRACT, t, t, t, I64(INT64_MIN), I64(1), "22003", "bigint out of range");
    check2_error(FN_MULTIPLY, t, t, t, I64(INT64_C(4294967296)), I64(INT64_C(4294967296)), "22003",
                 "bigint out of range");
    check2_error(FN_DIVIDE, t, t, t, I64(INT64_MIN), I64(-1), "22003", "bigint out of range");
    check2_error(FN_DIVIDE, t, t, t, I64(1), I64(0), "22012", NULL);
    check2_error(FN_MODULO, t, t, t, I64(1), I64(0), "22012", NULL);
}

static void test_double_arithmetic(void **state)
{
    (void)state;
    LogicalType t = T_DOUBLE;
    Value add[] = {F64(1.5), F64(2.25), F64(3.75), F64(0.1), F64(0.2), F64(0.1 + 0.2),
                   F64(NAN), F64(1),    F64(NAN),  NUL(t),   F64(1),   NUL(t)};
    check2(FN_ADD, t, t, t, add, N_CASES(add, 2));
    Value sub[] = {F64(0.1), F64(0.3), F64(0.1 - 0.3), F64(0.0), F64(0.0), F64(0.0)};
    check2(FN_SUBTRACT, t, t, t, sub, N_CASES(sub, 2));
    Value mul[] = {F64(-1.5), F64(4), F64(-6), F64(-0.0), F64(5), F64(-0.0)};
    check2(FN_MULTIPLY, t, t, t, mul, N_CASES(mul, 2));
    Value div[] = {F64(1), F64(4), F64(0.25), F64(-1), F64(3), F64(-1.0 / 3)};
    check2(FN_DIVIDE, t, t, t, div, N_CASES(div, 2));
    Value mod[] = {F64(5.5), F64(2), F64(1.5), F64(-5.5), F64(2), F64(-1.5)};
    check2(FN_MODULO, t, t, t, mod, N_CASES(mod, 2));
    /* Division by zero fails for doubles too (as in PostgreSQL), -0.0 included. */
    check2_error(FN_DIVIDE, t, t, t, F64(1), F64(0.0), "22012", "division by zero");
    check2_error(FN_DIVIDE, t, t, t, F64(1), F64(-0.0), "22012", NULL);
    check2_error(FN_MODULO, t, t, t, F64(1), F64(0.0), "22012", NULL);
}

static void test_decimal_arithmetic(void **state)
{
    (void)state;
    LogicalType d52 = type_decimal(5, 2), d62 = type_decimal(6, 2);
    /* + and - take operands of one scale; the result must fit the result's precision. */
    Value add[] = {DEC(12345, 5, 2),  DEC(155, 5, 2),    DEC(12500, 6, 2),
                   DEC(-99999, 5, 2), DEC(-99999, 5, 2), DEC(-199998, 6, 2),
                   NUL(d52),          DEC(1, 5, 2),      NUL(d62)};
    check2(FN_ADD, d52, d52, d62, add, N_CASES(add, 2));
    Value sub[] = {DEC(100, 5, 2), DEC(12345, 5, 2), DEC(-12245, 6, 2)};
    check2(FN_SUBTRACT, d52, d52, d62, sub, N_CASES(sub, 2));
    /* * adds the scales: DECIMAL(5,2) * DECIMAL(3,1) → scale 3. */
    LogicalType d31 = type_decimal(3, 1), d93 = type_decimal(9, 3);
    Value mul[] = {DEC(150, 5, 2),    DEC(25, 3, 1),  DEC(3750, 9, 3),
                   DEC(-12345, 5, 2), DEC(999, 3, 1), DEC(-12332655, 9, 3)};
    check2(FN_MULTIPLY, d52, d31, d93, mul, N_CASES(mul, 2));
    Value mod[] = {DEC(750, 5, 2),  DEC(200, 5, 2), DEC(150, 5, 2),
                   DEC(-750, 5, 2), DEC(200, 5, 2), DEC(-150, 5, 2)};
    check2(FN_MODULO, d52, d52, d52, mod, N_CASES(mod, 2));

    LogicalType d42 = type_decimal(4, 2);
    check2_error(FN_ADD, d42, d42, d42, DEC(9999, 4, 2), DEC(1, 4, 2), "22003",
                 "numeric field overflow");
    check2_error(FN_SUBTRACT, d42, d42, d42, DEC(-9999, 4, 2), DEC(1, 4, 2), "22003", NULL);
    LogicalType d18 = type_decimal(18, 0);
    check2_error(FN_MULTIPLY, d18, d18, d18, DEC(INT64_C(100000000000000000), 18, 0),
                 DEC(100, 18, 0), "22003", NULL); /* past int64 */
    check2_error(FN_MULTIPLY, d18, d18, d18, DEC(1000000000, 18, 0), DEC(1000000000, 18, 0),
                 "22003", NULL); /* 10^18: past 18 digits */
    check2_error(FN_MODULO, d52, d52, d52, DEC(100, 5, 2), DEC(0, 5, 2), "22012", NULL);

    /* No kernel: different scales for +, decimal division, scales that do not add up. */
    LogicalType d53 = type_decimal(5, 3);
    expect_no_kernel(FN_ADD, 2, (LogicalType[]){d52, d53}, type_decimal(6, 3));
    expect_no_kernel(FN_DIVIDE, 2, (LogicalType[]){d52, d52}, d52);
    expect_no_kernel(FN_MULTIPLY, 2, (LogicalType[]){d52, d31}, type_decimal(9, 2));
    /* % of unscaled values is right only when both have the result's scale: 7.50 % 2.000
       read as 750 % 2000 would be 7.50. */
    expect_no_kernel(FN_MODULO, 2, (LogicalType[]){d52, d53}, d52);
    expect_no_kernel(FN_MODULO, 2, (LogicalType[]){d53, d52}, d52);
}

static void test_date_arithmetic(void **state)
{
    (void)state;
    LogicalType d = T_DATE, i = T_INT;
    Value add[] = {date_of("2024-02-28"), I32(2),  date_of("2024-03-01"),
                   date_of("2000-01-01"), I32(-1), date_of("1999-12-31"),
                   date_of("2024-01-01"), NUL(i),  NUL(d)};
    check2(FN_ADD, d, i, d, add, N_CASES(add, 2));
    Value add_rev[] = {I32(366), date_of("2023-03-01"), date_of("2024-03-01")};
    check2(FN_ADD, i, d, d, add_rev, N_CASES(add_rev, 2));
    Value sub[] = {date_of("2024-03-01"), I32(1), date_of("2024-02-29")};
    check2(FN_SUBTRACT, d, i, d, sub, N_CASES(sub, 2));
    Value diff[] = {date_of("2024-03-01"), date_of("2023-03-01"), I32(366),
                    date_of("1970-01-01"), date_of("1970-01-02"), I32(-1)};
    check2(FN_SUBTRACT, d, d, i, diff, N_CASES(diff, 2));
    check2_error(FN_ADD, d, i, d, value_date(INT32_MAX), I32(1), "22008", "date out of range");
    expect_no_kernel(FN_MULTIPLY, 2, (LogicalType[]){d, i}, d);
    expect_no_kernel(FN_ADD, 2, (LogicalType[]){d, d}, d);
}

static void test_negate_abs(void **state)
{
    (void)state;
    struct {
        ScalarFuncId func;
        LogicalType type;
        Value in, out;
    } cases[] = {
        {FN_NEGATE, T_INT, I32(5), I32(-5)},
        {FN_NEGATE, T_INT, I32(INT32_MAX), I32(-INT32_MAX)},
        {FN_NEGATE, T_BIGINT, I64(INT64_MAX), I64(-INT64_MAX)},
        {FN_NEGATE, T_DOUBLE, F64(0.0), F64(-0.0)},
        {FN_NEGATE, type_decimal(5, 2), DEC(125, 5, 2), DEC(-125, 5, 2)},
        {FN_ABS, T_INT, I32(-7), I32(7)},
        {FN_ABS, T_BIGINT, I64(-INT64_MAX), I64(INT64_MAX)},
        {FN_ABS, T_DOUBLE, F64(-2.5), F64(2.5)},
        {FN_ABS, type_decimal(5, 2), DEC(-125, 5, 2), DEC(125, 5, 2)},
        {FN_ABS, T_INT, NUL(T_INT), NUL(T_INT)},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        KernelInfo k = lookup(cases[c].func, 1, &cases[c].type, cases[c].type);
        Value row[2] = {cases[c].in, cases[c].out};
        check_kernel(&k, scalar_func_name(cases[c].func), 1, &cases[c].type, cases[c].type, row, 1);
    }
    KernelInfo k = lookup(FN_NEGATE, 1, (LogicalType[]){T_INT}, T_INT);
    Value ok = I32(1);
    check_kernel_error(&k, "negate", 1, (LogicalType[]){T_INT}, T_INT, &ok,
                       (Value[]){I32(INT32_MIN)}, "22003", "integer out of range");
    k = lookup(FN_ABS, 1, (LogicalType[]){T_BIGINT}, T_BIGINT);
    ok = I64(1);
    check_kernel_error(&k, "abs", 1, (LogicalType[]){T_BIGINT}, T_BIGINT, &ok,
                       (Value[]){I64(INT64_MIN)}, "22003", "bigint out of range");
    expect_no_kernel(FN_NEGATE, 1, (LogicalType[]){T_INT}, T_BIGINT);
    expect_no_kernel(FN_ABS, 1, (LogicalType[]){T_VARCHAR}, T_VARCHAR);
}

static void test_round_and_extract(void **state)
{
    (void)state;
    /* round: half away from zero, for decimals, doubles and integers. */
    LogicalType d53 = type_decimal(5, 3), d50 = type_decimal(5, 0), d21 = type_decimal(2, 1);
    Value r_dec[] = {DEC(2345, 5, 3),  DEC(2, 5, 0),  DEC(2500, 5, 3),  DEC(3, 5, 0),
                     DEC(-2500, 5, 3), DEC(-3, 5, 0), DEC(-2499, 5, 3), DEC(-2, 5, 0)};
    check_kernel((KernelInfo[]){lookup(FN_ROUND, 1, &d53, d50)}, "round", 1, &d53, d50, r_dec,
                 N_CASES(r_dec, 1));
    Value r_dec2[] = {DEC(2345, 5, 3),  I64(2),          DEC(2350, 5, 3), DEC(-2345, 5, 3), I64(2),
                      DEC(-2350, 5, 3), DEC(2345, 5, 3), I64(5),          DEC(2345, 5, 3)};
    check2(FN_ROUND, d53, T_BIGINT, d53, r_dec2, N_CASES(r_dec2, 2));
    Value r_half[] = {DEC(25, 2, 1), DEC(3, 2, 0), DEC(-25, 2, 1), DEC(-3, 2, 0)};
    LogicalType d20 = type_decimal(2, 0);
    check_kernel((KernelInfo[]){lookup(FN_ROUND, 1, &d21, d20)}, "round", 1, &d21, d20, r_half,
                 N_CASES(r_half, 1));
    Value r_dbl[] = {F64(2.5),    I64(0), F64(3),    F64(-2.5),   I64(0),  F64(-3),
                     F64(1.2345), I64(2), F64(1.23), F64(1234.5), I64(-2), F64(1200)};
    check2(FN_ROUND, T_DOUBLE, T_BIGINT, T_DOUBLE, r_dbl, N_CASES(r_dbl, 2));
    Value r_int[] = {I32(1234),  I64(-2), I32(1200),  I32(1250), I64(-2), I32(1300),
                     I32(-1250), I64(-2), I32(-1300), I32(77),   I64(3),  I32(77)};
    check2(FN_ROUND, T_INT, T_BIGINT, T_INT, r_int, N_CASES(r_int, 2));
    check2_error(FN_ROUND, T_INT, T_BIGINT, T_INT, I32(INT32_MAX), I64(-1), "22003", NULL);

    /* extract(year|month|day from date|timestamp) */
    Value dates[] = {date_of("2024-02-29"), date_of("1969-12-31"), date_of("0001-01-01")};
    Value tss[] = {ts_of("2024-02-29 23:59:59.999999"), value_timestamp(-1),
                   ts_of("2000-01-01 00:00:00")};
    int64_t want[3][3] = {{2024, 2, 29}, {1969, 12, 31}, {1, 1, 1}};
    int64_t want_ts[3][3] = {{2024, 2, 29}, {1969, 12, 31}, {2000, 1, 1}};
    ScalarFuncId fields[3] = {FN_EXTRACT_YEAR, FN_EXTRACT_MONTH, FN_EXTRACT_DAY};
    for (int f = 0; f < 3; f++) {
        Value cases[6], cases_ts[6];
        for (int r = 0; r < 3; r++) {
            cases[r * 2] = dates[r];
            cases[r * 2 + 1] = I64(want[r][f]);
            cases_ts[r * 2] = tss[r];
            cases_ts[r * 2 + 1] = I64(want_ts[r][f]);
        }
        KernelInfo k = lookup(fields[f], 1, (LogicalType[]){T_DATE}, T_BIGINT);
        check_kernel(&k, scalar_func_name(fields[f]), 1, (LogicalType[]){T_DATE}, T_BIGINT, cases,
                     3);
        k = lookup(fields[f], 1, (LogicalType[]){T_TS}, T_BIGINT);
        check_kernel(&k, scalar_func_name(fields[f]), 1, (LogicalType[]){T_TS}, T_BIGINT, cases_ts,
                     3);
    }
    expect_no_kernel(FN_EXTRACT_YEAR, 1, (LogicalType[]){T_INT}, T_BIGINT);
    expect_no_kernel(FN_EXTRACT_YEAR, 1, (LogicalType[]){T_DATE}, T_INT);
}

/* ---- comparisons ----------------------------------------------------------------------- */

/* Checks all six comparisons of pairs (a, b) whose order is given: -1 a < b, 0, 1 a > b. */
static void check_order(LogicalType type, const Value *pairs, const int *order, int n)
{
    static const ScalarFuncId ops[6] = {FN_EQ, FN_NE, FN_LT, FN_LE, FN_GT, FN_GE};
    Value *cases = arena_alloc(arena, sizeof(Value) * (size_t)(n + 1) * 3);
    for (int o = 0; o < 6; o++) {
        for (int r = 0; r < n; r++) {
            int c = order[r];
            bool want = ops[o] == FN_EQ   ? c == 0
                        : ops[o] == FN_NE ? c != 0
                        : ops[o] == FN_LT ? c < 0
                        : ops[o] == FN_LE ? c <= 0
                        : ops[o] == FN_GT ? c > 0
                                          : c >= 0;
            cases[r * 3] = pairs[r * 2];
            cases[r * 3 + 1] = pairs[r * 2 + 1];
            cases[r * 3 + 2] = BOOLV(want);
        }
        /* And a NULL on either side gives NULL (the kernels are strict). */
        cases[n * 3] = pairs[0];
        cases[n * 3 + 1] = value_null(type);
        cases[n * 3 + 2] = value_null(T_BOOL);
        check2(ops[o], type, type, T_BOOL, cases, n + 1);
    }
}

static void test_comparisons(void **state)
{
    (void)state;
    Value bools[] = {BOOLV(false), BOOLV(true), BOOLV(true),
                     BOOLV(true),  BOOLV(true), BOOLV(false)};
    check_order(T_BOOL, bools, (int[]){-1, 0, 1}, 3);
    Value ints[] = {I32(-1), I32(1), I32(INT32_MIN), I32(INT32_MAX),
                    I32(7),  I32(7), I32(0),         I32(-1)};
    check_order(T_INT, ints, (int[]){-1, -1, 0, 1}, 4);
    Value bigs[] = {I64(INT64_MIN), I64(INT64_MAX), I64(INT64_C(4294967296)),
                    I64(0),         I64(-5),        I64(-5)};
    check_order(T_BIGINT, bigs, (int[]){-1, 1, 0}, 3);
    /* -0.0 = 0.0; NaN equals itself and is above every number, infinity included. */
    Value dbls[] = {F64(-0.0), F64(0.0),       F64(NAN), F64(NAN),  F64(INFINITY), F64(NAN),
                    F64(NAN),  F64(-INFINITY), F64(1.5), F64(1.25), F64(-1e308),   F64(1e-308)};
    check_order(T_DOUBLE, dbls, (int[]){0, 0, -1, 1, 1, -1}, 6);
    LogicalType dec = type_decimal(10, 2);
    Value decs[] = {DEC(-1, 10, 2), DEC(1, 10, 2), DEC(12345, 10, 2), DEC(12345, 10, 2)};
    check_order(dec, decs, (int[]){-1, 0}, 2);
    Value dates[] = {date_of("1969-12-31"), date_of("1970-01-01"), date_of("2024-02-29"),
                     date_of("2024-02-29")};
    check_order(T_DATE, dates, (int[]){-1, 0}, 2);
    Value tss[] = {value_timestamp(-1), value_timestamp(0), ts_of("2024-01-02 03:04:05.000001"),
                   ts_of("2024-01-02 03:04:05")};
    check_order(T_TS, tss, (int[]){-1, 1}, 2);

    /* Strings: byte order; inline (up to 12 bytes) and long, equal prefixes, equal first 12
       bytes, the same long text in two buffers, bytes above 0x7f. */
    static char buf_a[] = "the same long text, twice";
    static char buf_b[] = "the same long text, twice";
    Value strs[] = {
        STR(""),
        STR("a"),
        STR("abc"),
        STR("abd"),
        STR("abc"),
        STR("abcd"),
        STR("abcd"),
        STR("abce"),
        STR("twelve bytes"),
        STR("twelve bytes!"),
        STR("same first twelve X"),
        STR("same first twelve Y"),
        value_varchar(buf_a, (uint32_t)strlen(buf_a)),
        value_varchar(buf_b, (uint32_t)strlen(buf_b)),
        STR("long strings that differ in the prefix"),
        STR("LONG strings that differ in the prefix"),
        STR("a long string and its extension"),
        STR("a long string and its extension, longer"),
        STR("\xc3\xa9"),
        STR("z"),
        STR("Z"),
        STR("a"),
        STR("inline"),
        STR("inline"),
    };
    check_order(T_VARCHAR, strs, (int[]){-1, -1, -1, -1, -1, -1, 0, 1, -1, 1, -1, 0}, 12);

    expect_no_kernel(FN_EQ, 2, (LogicalType[]){T_INT, T_BIGINT}, T_BOOL);
    expect_no_kernel(FN_LT, 2, (LogicalType[]){T_INT, T_INT}, T_INT);
    expect_no_kernel(FN_GE, 2, (LogicalType[]){dec, type_decimal(10, 3)}, T_BOOL);
}

/* ---- casts ----------------------------------------------------------------------------- */

static KernelInfo cast_lookup(LogicalType from, LogicalType to)
{
    KernelInfo k;
    Error err = ERROR_INIT;
    if (cast_kernel_lookup(from, to, arena, &k, &err) != BS_OK)
        fail_msg("cast_kernel_lookup: %s", err.message);
    assert_true(k.strict);
    return k;
}

static void check_cast(LogicalType from, LogicalType to, const Value *cases, int n)
{
    KernelInfo k = cast_lookup(from, to);
    char what[80], a[32], b[32];
    snprintf(what, sizeof what, "cast %s → %s", type_format(from, a, sizeof a),
             type_format(to, b, sizeof b));
    check_kernel(&k, what, 1, &from, to, cases, n);
}

static void check_cast_error(LogicalType from, LogicalType to, Value in, const char *sqlstate,
                             const char *msg)
{
    KernelInfo k = cast_lookup(from, to);
    char what[80], a[32], b[32];
    snprintf(what, sizeof what, "cast %s → %s", type_format(from, a, sizeof a),
             type_format(to, b, sizeof b));
    check_kernel_error(&k, what, 1, &from, to, NULL, &in, sqlstate, msg);
}

static void test_casts_between_numbers(void **state)
{
    (void)state;
    Value i2b[] = {I32(5), I64(5), I32(INT32_MIN), I64(INT32_MIN), NUL(T_INT), NUL(T_BIGINT)};
    check_cast(T_INT, T_BIGINT, i2b, N_CASES(i2b, 1));
    Value b2i[] = {I64(INT32_MAX), I32(INT32_MAX), I64(-3), I32(-3)};
    check_cast(T_BIGINT, T_INT, b2i, N_CASES(b2i, 1));
    check_cast_error(T_BIGINT, T_INT, I64(INT64_C(2147483648)), "22003", "integer out of range");
    check_cast_error(T_BIGINT, T_INT, I64(INT64_C(-2147483649)), "22003", NULL);

    Value i2d[] = {I32(-3), F64(-3)};
    check_cast(T_INT, T_DOUBLE, i2d, N_CASES(i2d, 1));
    Value b2d[] = {I64((INT64_C(1) << 53) + 1), F64(9007199254740992.0)};
    check_cast(T_BIGINT, T_DOUBLE, b2d, N_CASES(b2d, 1));
    /* double → integer rounds half to even (rint), as PostgreSQL does. */
    Value d2i[] = {F64(2.5),  I32(2), F64(3.5),          I32(4),        F64(-2.5), I32(-2),
                   F64(-0.4), I32(0), F64(2147483647.4), I32(INT32_MAX)};
    check_cast(T_DOUBLE, T_INT, d2i, N_CASES(d2i, 1));
    check_cast_error(T_DOUBLE, T_INT, F64(2147483648.0), "22003", NULL);
    check_cast_error(T_DOUBLE, T_INT, F64(NAN), "22003", NULL);
    Value d2b[] = {F64(1e18), I64(INT64_C(1000000000000000000)), F64(-0.5), I64(0)};
    check_cast(T_DOUBLE, T_BIGINT, d2b, N_CASES(d2b, 1));
    check_cast_error(T_DOUBLE, T_BIGINT, F64(9.3e18), "22003", "bigint out of range");
    check_cast_error(T_DOUBLE, T_BIGINT, F64(-INFINITY), "22003", NULL);

    LogicalType d52 = type_decimal(5, 2);
    Value i2dec[] = {I32(123), DEC(12300, 5, 2), I32(-999), DEC(-99900, 5, 2)};
    check_cast(T_INT, d52, i2dec, N_CASES(i2dec, 1));
    check_cast_error(T_INT, d52, I32(1000), "22003", "numeric field overflow");
    check_cast_error(T_BIGINT, type_decimal(18, 0), I64(INT64_MAX), "22003", NULL);
    /* decimal → integer rounds half away from zero. */
    Value dec2i[] = {DEC(250, 5, 2), I32(3), DEC(-250, 5, 2), I32(-3), DEC(249, 5, 2), I32(2)};
    check_cast(d52, T_INT, dec2i, N_CASES(dec2i, 1));
    check_cast_error(type_decimal(18, 0), T_INT, DEC(3000000000, 18, 0), "22003", NULL);
    Value dec2b[] = {DEC(12345, 5, 2), I64(123), DEC(-12350, 5, 2), I64(-124)};
    check_cast(d52, T_BIGINT, dec2b, N_CASES(dec2b, 1));
    Value dec2d[] = {DEC(12345, 5, 2), F64(123.45), DEC(-1, 5, 2), F64(-0.01)};
    check_cast(d52, T_DOUBLE, dec2d, N_CASES(dec2d, 1));
    /* decimal → decimal: rescaled, rounding half away from zero; must fit. */
    LogicalType d53 = type_decimal(5, 3), d42 = type_decimal(4, 2), d74 = type_decimal(7, 4);
    Value rescale_down[] = {DEC(1235, 5, 3), DEC(124, 4, 2),  DEC(-1235, 5, 3),
                            DEC(-124, 4, 2), DEC(1234, 5, 3), DEC(123, 4, 2)};
    check_cast(d53, d42, rescale_down, N_CASES(rescale_down, 1));
    Value rescale_up[] = {DEC(12345, 5, 2), DEC(1234500, 7, 4)};
    check_cast(d52, d74, rescale_up, N_CASES(rescale_up, 1));
    check_cast_error(d52, type_decimal(5, 4), DEC(12345, 5, 2), "22003", NULL);
    /* double → decimal: half away from zero. */
    Value d2dec[] = {F64(0.125),     DEC(13, 4, 2), F64(-0.125),
                     DEC(-13, 4, 2), F64(99.99),    DEC(9999, 4, 2)};
    check_cast(T_DOUBLE, d42, d2dec, N_CASES(d2dec, 1));
    check_cast_error(T_DOUBLE, d42, F64(99.996), "22003", NULL);
    check_cast_error(T_DOUBLE, d42, F64(NAN), "22003", NULL);

    Value b2int[] = {BOOLV(true), I32(1), BOOLV(false), I32(0)};
    check_cast(T_BOOL, T_INT, b2int, N_CASES(b2int, 1));
    Value int2b[] = {I32(0), BOOLV(false), I32(-5), BOOLV(true)};
    check_cast(T_INT, T_BOOL, int2b, N_CASES(int2b, 1));
    Value big2b[] = {I64(INT64_MIN), BOOLV(true), I64(0), BOOLV(false)};
    check_cast(T_BIGINT, T_BOOL, big2b, N_CASES(big2b, 1));
    Value same[] = {I32(42), I32(42), NUL(T_INT), NUL(T_INT)};
    check_cast(T_INT, T_INT, same, N_CASES(same, 1));
}

static void test_casts_from_text(void **state)
{
    (void)state;
    LogicalType v = T_VARCHAR;
    Value to_int[] = {STR("42"),          I32(42),        STR(" -7 "), I32(-7),   STR("+3"), I32(3),
                      STR("-2147483648"), I32(INT32_MIN), NUL(v),      NUL(T_INT)};
    check_cast(v, T_INT, to_int, N_CASES(to_int, 1));
    check_cast_error(v, T_INT, STR("4x"), "22P02", "invalid input syntax for type integer: \"4x\"");
    check_cast_error(v, T_INT, STR(""), "22P02", NULL);
    check_cast_error(v, T_INT, STR("2147483648"), "22003", "out of range for type integer");
    Value to_big[] = {STR("9223372036854775807"), I64(INT64_MAX), STR("-9223372036854775808"),
                      I64(INT64_MIN)};
    check_cast(v, T_BIGINT, to_big, N_CASES(to_big, 1));
    check_cast_error(v, T_BIGINT, STR("9223372036854775808"), "22003", NULL);
    Value to_dbl[] = {STR("1.5e3"), F64(1500), STR(" -0.25 "), F64(-0.25)};
    check_cast(v, T_DOUBLE, to_dbl, N_CASES(to_dbl, 1));
    check_cast_error(v, T_DOUBLE, STR("abc"), "22P02", NULL);
    check_cast_error(v, T_DOUBLE, STR("1e400"), "22003", NULL);
    LogicalType d52 = type_decimal(5, 2);
    Value to_dec[] = {STR("123.456"), DEC(12346, 5, 2), STR("-0.005"), DEC(-1, 5, 2),
                      STR("1e2"),     DEC(10000, 5, 2), STR(".5"),     DEC(50, 5, 2)};
    check_cast(v, d52, to_dec, N_CASES(to_dec, 1));
    check_cast_error(v, d52, STR("1000"), "22003", NULL);
    check_cast_error(v, d52, STR("1.2.3"), "22P02", NULL);
    Value to_date[] = {STR("2024-02-29"),     date_of("2024-02-29"), STR(" 1999-12-31 "),
                       date_of("1999-12-31"), STR("2024-1-5"),       date_of("2024-01-05")};
    check_cast(v, T_DATE, to_date, N_CASES(to_date, 1));
    check_cast_error(v, T_DATE, STR("2023-02-29"), "22008", "out of range");
    check_cast_error(v, T_DATE, STR("2024-13-01"), "22008", NULL);
    check_cast_error(v, T_DATE, STR("yesterday"), "22P02", "invalid input syntax for type date");
    Value to_ts[] = {STR("2024-01-02 03:04:05"),
                     value_timestamp(INT64_C(1704164645000000)),
                     STR("2024-01-02T03:04:05.5"),
                     value_timestamp(INT64_C(1704164645500000)),
                     STR("2024-01-02"),
                     value_timestamp(INT64_C(1704153600000000)),
                     STR("2024-01-02 03:04:05.1234567"),
                     value_timestamp(INT64_C(1704164645123457))};
    check_cast(v, T_TS, to_ts, N_CASES(to_ts, 1));
    check_cast_error(v, T_TS, STR("2024-01-02 24:00:00"), "22008", NULL);
    check_cast_error(v, T_TS, STR("2024-01-02 noon"), "22P02", NULL);
    Value to_bool[] = {STR("true"), BOOLV(true),  STR("T"),   BOOLV(true),
                       STR("off"),  BOOLV(false), STR(" 0 "), BOOLV(false)};
    check_cast(v, T_BOOL, to_bool, N_CASES(to_bool, 1));
    check_cast_error(v, T_BOOL, STR("maybe"), "22P02", "invalid input syntax for type boolean");
}

static void test_casts_to_text_and_time(void **state)
{
    (void)state;
    LogicalType v = T_VARCHAR;
    Value from_int[] = {I32(-42), STR("-42"), I32(0), STR("0")};
    check_cast(T_INT, v, from_int, N_CASES(from_int, 1));
    Value from_big[] = {I64(INT64_MIN), STR("-9223372036854775808")};
    check_cast(T_BIGINT, v, from_big, N_CASES(from_big, 1));
    Value from_dbl[] = {F64(0.1),  STR("0.1"),  F64(1e20),      STR("1e+20"),
                        F64(NAN),  STR("NaN"),  F64(-INFINITY), STR("-Infinity"),
                        F64(-2.5), STR("-2.5"), NUL(T_DOUBLE),  NUL(v)};
    check_cast(T_DOUBLE, v, from_dbl, N_CASES(from_dbl, 1));
    Value from_dec[] = {DEC(-5, 5, 2), STR("-0.05"), DEC(12345, 5, 2), STR("123.45")};
    check_cast(type_decimal(5, 2), v, from_dec, N_CASES(from_dec, 1));
    Value from_date[] = {date_of("2024-02-29"), STR("2024-02-29")};
    check_cast(T_DATE, v, from_date, N_CASES(from_date, 1));
    Value from_ts[] = {ts_of("2024-01-02 03:04:05.5"), STR("2024-01-02 03:04:05.5"),
                       value_timestamp(-1), STR("1969-12-31 23:59:59.999999")};
    check_cast(T_TS, v, from_ts, N_CASES(from_ts, 1));
    Value from_bool[] = {BOOLV(true), STR("true"), BOOLV(false), STR("false")};
    check_cast(T_BOOL, v, from_bool, N_CASES(from_bool, 1));

    Value d2t[] = {date_of("2024-01-02"), ts_of("2024-01-02 00:00:00"), date_of("1969-12-31"),
                   value_timestamp(-INT64_C(86400000000))};
    check_cast(T_DATE, T_TS, d2t, N_CASES(d2t, 1));
    /* timestamp → date takes the day the instant is in, before 1970 too. */
    Value t2d[] = {ts_of("2024-01-02 23:59:59.999999"),
                   date_of("2024-01-02"),
                   ts_of("1969-12-31 23:00:00"),
                   date_of("1969-12-31"),
                   value_timestamp(0),
                   date_of("1970-01-01")};
    check_cast(T_TS, T_DATE, t2d, N_CASES(t2d, 1));

    /* Pairs without a cast. */
    LogicalType no_cast[][2] = {{T_DATE, T_INT},
                                {T_INT, T_DATE},
                                {T_BOOL, T_DOUBLE},
                                {T_DOUBLE, T_BOOL},
                                {type_decimal(5, 2), T_BOOL},
                                {T_TS, T_BIGINT},
                                {T_BOOL, type_decimal(5, 2)}};
    for (size_t p = 0; p < sizeof no_cast / sizeof no_cast[0]; p++) {
        KernelInfo k;
        Error err = ERROR_INIT;
        assert_int_equal(cast_kernel_lookup(no_cast[p][0], no_cast[p][1], arena, &k, &err),
                         BS_ERROR);
        assert_string_equal(err.sqlstate, SQLSTATE_CANNOT_COERCE);
        assert_non_null(strstr(err.message, "cannot cast type"));
        error_clear(&err);
    }
}

/* ---- strings --------------------------------------------------------------------------- */

static void check_string_fn(ScalarFuncId func, int n_args, LogicalType ret, const Value *cases,
                            int n)
{
    LogicalType types[3] = {T_VARCHAR, func == FN_SUBSTRING ? T_BIGINT : T_VARCHAR,
                            func == FN_SUBSTRING ? T_BIGINT : T_VARCHAR};
    KernelInfo k = lookup(func, n_args, types, ret);
    assert_true(k.strict);
    check_kernel(&k, scalar_func_name(func), n_args, types, ret, cases, n);
}

static void test_lower_upper_length(void **state)
{
    (void)state;
    Value lower[] = {STR("HeLLo"),
                     STR("hello"),
                     STR(""),
                     STR(""),
                     STR("\xc3\x84"
                         "bC"),
                     STR("\xc3\xa4"
                         "bc"), /* Unicode letters too: 'Ä' → 'ä' */
                     STR("A Much Longer String Than Twelve"),
                     STR("a much longer string than twelve"),
                     NUL(T_VARCHAR),
                     NUL(T_VARCHAR)};
    check_string_fn(FN_LOWER, 1, T_VARCHAR, lower, N_CASES(lower, 1));
    Value upper[] = {STR("HeLLo"),
                     STR("HELLO"),
                     STR("\xc3\xa4"
                         "bc"),
                     STR("\xc3\x84"
                         "BC"),
                     /* 'ȿ' (2 bytes) → 'Ȿ' (3 bytes): the result grows */
                     STR("\xc8\xbfx"),
                     STR("\xe2\xb1\xbeX"),
                     STR("mixed 123 and more than twelve"),
                     STR("MIXED 123 AND MORE THAN TWELVE")};
    check_string_fn(FN_UPPER, 1, T_VARCHAR, upper, N_CASES(upper, 1));
    /* length counts characters, not bytes. */
    Value length[] = {STR("hello"),
                      I32(5),
                      STR("h\xc3\xa9llo"),
                      I32(5),
                      STR(""),
                      I32(0),
                      STR("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e"),
                      I32(3),
                      STR("a string of exactly thirty-two!!"),
                      I32(32)};
    check_string_fn(FN_LENGTH, 1, T_INT, length, N_CASES(length, 1));
}

static void test_substring(void **state)
{
    (void)state;
    /* PostgreSQL's rules: 1-based, a start before 1 still counts toward the length. */
    Value two[] = {
        STR("hello"),        I64(2),  STR("ello"),       STR("hello"), I64(5), STR("o"),
        STR("hello"),        I64(6),  STR(""),           STR("hello"), I64(0), STR("hello"),
        STR("hello"),        I64(-3), STR("hello"),      STR(""),      I64(1), STR(""),
        STR("h\xc3\xa9llo"), I64(2),  STR("\xc3\xa9llo")};
    check_string_fn(FN_SUBSTRING, 2, T_VARCHAR, two, N_CASES(two, 2));
    const char *alphabet = "abcdefghijklmnopqrstuvwxyz";
    Value three[] = {
        STR("hello"),        I64(2),         I64(3),         STR("ell"),
        STR("hello"),        I64(0),         I64(3),         STR("he"),
        STR("hello"),        I64(-1),        I64(3),         STR("h"),
        STR("hello"),        I64(-5),        I64(3),         STR(""),
        STR("hello"),        I64(100),       I64(2),         STR(""),
        STR("hello"),        I64(1),         I64(0),         STR(""),
        STR("hello"),        I64(3),         I64(100),       STR("llo"),
        STR("hello"),        I64(2),         I64(INT64_MAX), STR("ello"),
        STR("hello"),        I64(INT64_MIN), I64(5),         STR(""),
        STR("h\xc3\xa9llo"), I64(2),         I64(2),         STR("\xc3\xa9l"),
        STR(alphabet),       I64(3),         I64(20),        STR("cdefghijklmnopqrstuv"),
        STR(alphabet),       I64(20),        I64(3),         STR("tuv"),
        STR("hello"),        NUL(T_BIGINT),  I64(1),         NUL(T_VARCHAR),
    };
    check_string_fn(FN_SUBSTRING, 3, T_VARCHAR, three, N_CASES(three, 3));
    LogicalType types[3] = {T_VARCHAR, T_BIGINT, T_BIGINT};
    KernelInfo k = lookup(FN_SUBSTRING, 3, types, T_VARCHAR);
    Value ok[3] = {STR("hello"), I64(1), I64(1)}, bad[3] = {STR("hello"), I64(1), I64(-1)};
    check_kernel_error(&k, "substring", 3, types, T_VARCHAR, ok, bad, "22011",
                       "negative substring length not allowed");
    expect_no_kernel(FN_SUBSTRING, 2, (LogicalType[]){T_VARCHAR, T_INT}, T_VARCHAR);
}

static void test_concat(void **state)
{
    (void)state;
    const char *long1 = "a string longer than twelve bytes";
    Value cases[] = {STR("ab"),
                     STR("cd"),
                     STR("abcd"),
                     STR(""),
                     STR(""),
                     STR(""),
                     STR("seven77"),
                     STR("seven77"),
                     STR("seven77seven77"),
                     STR(long1),
                     STR("!"),
                     STR("a string longer than twelve bytes!"),
                     STR(long1),
                     STR(long1),
                     STR("a string longer than twelve bytesa string longer than twelve bytes"),
                     STR("\xc3\xa9"),
                     STR("x"),
                     STR("\xc3\xa9x"),
                     NUL(T_VARCHAR),
                     STR("x"),
                     NUL(T_VARCHAR)};
    check_string_fn(FN_CONCAT, 2, T_VARCHAR, cases, N_CASES(cases, 2));
    expect_no_kernel(FN_CONCAT, 2, (LogicalType[]){T_VARCHAR, T_INT}, T_VARCHAR);
}

static void test_like(void **state)
{
    (void)state;
    struct {
        const char *s, *pattern;
        bool match;
    } cases[] = {
        {"abc", "abc", true},
        {"abc", "ab", false},
        {"ab", "abc", false},
        {"abc", "a%", true},
        {"abc", "%c", true},
        {"abc", "%b%", true},
        {"abc", "%", true},
        {"", "%", true},
        {"", "", true},
        {"a", "", false},
        {"", "_", false},
        {"abc", "a_c", true},
        {"ac", "a_c", false},
        {"abc", "___", true},
        {"abc", "____", false},
        {"\xc3\xa9", "_", true}, /* one character of two bytes */
        {"a\xc3\xa9"
         "b",
         "a_b", true},
        {"aaab", "%ab", true},
        {"abab", "%ab%ab", true},
        {"mississippi", "%iss%ppi", true},
        {"mississippi", "m%issip%", true},
        {"mississippi", "%iss%iss%iss%", false},
        {"abcabd", "%abd", true},
        {"xyz", "%a%", false},
        {"ABC", "abc", false}, /* case matters */
        {"a.c", "a.c", true},  /* no character but % and _ is special */
        {"abc", "a.c", false},
        {"a*c", "a*c", true},
        {"a[b]", "a[b]", true},
        {"a\\b", "a\\b", true}, /* and there is no escape character: \ is itself */
        {"a%", "a\\%", false},
        {"a\\x", "a\\%", true},
        {"a value much longer than twelve bytes", "%twelve%", true},
        {"a value much longer than twelve bytes", "a value%bytes", true},
        {"a value much longer than twelve bytes", "a value%bytes_", false},
    };
    int n = (int)(sizeof cases / sizeof cases[0]);
    Value *like = arena_alloc(arena, sizeof(Value) * (size_t)(n + 1) * 3);
    Value *not_like = arena_alloc(arena, sizeof(Value) * (size_t)(n + 1) * 3);
    for (int k = 0; k < n; k++) {
        like[k * 3] = not_like[k * 3] = STR(cases[k].s);
        like[k * 3 + 1] = not_like[k * 3 + 1] = STR(cases[k].pattern);
        like[k * 3 + 2] = BOOLV(cases[k].match);
        not_like[k * 3 + 2] = BOOLV(!cases[k].match);
    }
    like[n * 3] = not_like[n * 3] = STR("x");
    like[n * 3 + 1] = not_like[n * 3 + 1] = NUL(T_VARCHAR);
    like[n * 3 + 2] = not_like[n * 3 + 2] = NUL(T_BOOL);
    check_string_fn(FN_LIKE, 2, T_BOOL, like, n + 1);
    check_string_fn(FN_NOT_LIKE, 2, T_BOOL, not_like, n + 1);
}

/* A flat column against a constant pattern, in one batch of the full vector size. */
static void test_flat_with_constant(void **state)
{
    (void)state;
    Error err = ERROR_INIT;
    LogicalType types[2] = {T_VARCHAR, T_VARCHAR};
    KernelInfo like = lookup(FN_LIKE, 2, types, T_BOOL);
    Vector s, p, result;
    assert_int_equal(vector_init(&s, T_VARCHAR, arena, arena, &err), BS_OK);
    assert_int_equal(vector_init(&p, T_VARCHAR, arena, arena, &err), BS_OK);
    assert_int_equal(vector_init(&result, T_BOOL, arena, arena, &err), BS_OK);
    for (idx_t r = 0; r < BASALT_VECTOR_SIZE; r++) {
        char text[64];
        snprintf(text, sizeof text, "row %llu of a column with long values", (unsigned long long)r);
        Value v = STR(text);
        assert_int_equal(vector_set_value(&s, r, &v, &err), BS_OK);
    }
    Value pattern = STR("row %7 of%");
    assert_int_equal(vector_set_constant(&p, &pattern, &err), BS_OK);
    Vector *args[2] = {&s, &p};
    assert_int_equal(like.fn(args, 2, SEL_IDENTITY, BASALT_VECTOR_SIZE, &result, like.data, &err),
                     BS_OK);
    for (idx_t r = 0; r < BASALT_VECTOR_SIZE; r++)
        assert_int_equal(((uint8_t *)result.data)[r], r % 10 == 7);

    /* An INTEGER column plus a constant, overflowing in the last row only. */
    LogicalType ints[2] = {T_INT, T_INT};
    KernelInfo add = lookup(FN_ADD, 2, ints, T_INT);
    Vector a, b, sum;
    assert_int_equal(vector_init(&a, T_INT, arena, arena, &err), BS_OK);
    assert_int_equal(vector_init(&b, T_INT, arena, arena, &err), BS_OK);
    assert_int_equal(vector_init(&sum, T_INT, arena, arena, &err), BS_OK);
    for (idx_t r = 0; r < BASALT_VECTOR_SIZE; r++)
        ((int32_t *)a.data)[r] = (int32_t)r;
    Value ten = I32(10);
    assert_int_equal(vector_set_constant(&b, &ten, &err), BS_OK);
    Vector *add_args[2] = {&a, &b};
    assert_int_equal(add.fn(add_args, 2, SEL_IDENTITY, BASALT_VECTOR_SIZE, &sum, add.data, &err),
                     BS_OK);
    for (idx_t r = 0; r < BASALT_VECTOR_SIZE; r++)
        assert_int_equal(((int32_t *)sum.data)[r], (int32_t)r + 10);
    ((int32_t *)a.data)[BASALT_VECTOR_SIZE - 1] = INT32_MAX - 5;
    assert_int_equal(add.fn(add_args, 2, SEL_IDENTITY, BASALT_VECTOR_SIZE, &sum, add.data, &err),
                     BS_ERROR);
    assert_string_equal(err.sqlstate, "22003");
    error_clear(&err);
}

/*
 * A plan is not trusted: a string function whose result type is not the one its kernel
 * writes has no kernel (lower() typed INTEGER would write 16-byte strings into a vector
 * of 4-byte integers).
 */
static void test_string_result_types(void **state)
{
    (void)state;
    LogicalType s1[1] = {T_VARCHAR}, s2[2] = {T_VARCHAR, T_VARCHAR};
    LogicalType sub[3] = {T_VARCHAR, T_BIGINT, T_BIGINT};
    expect_no_kernel(FN_LOWER, 1, s1, T_INT);
    expect_no_kernel(FN_UPPER, 1, s1, T_BIGINT);
    expect_no_kernel(FN_LENGTH, 1, s1, T_BIGINT);
    expect_no_kernel(FN_LENGTH, 1, s1, T_VARCHAR);
    expect_no_kernel(FN_CONCAT, 2, s2, T_BOOL);
    expect_no_kernel(FN_LIKE, 2, s2, T_INT);
    expect_no_kernel(FN_NOT_LIKE, 2, s2, T_VARCHAR);
    expect_no_kernel(FN_SUBSTRING, 3, sub, T_DATE);
    /* The types the binder gives them still have kernels. */
    lookup(FN_LOWER, 1, s1, T_VARCHAR);
    lookup(FN_LENGTH, 1, s1, T_INT);
    lookup(FN_CONCAT, 2, s2, T_VARCHAR);
    lookup(FN_LIKE, 2, s2, T_BOOL);
    lookup(FN_SUBSTRING, 3, sub, T_VARCHAR);
}

/* ---- coalesce and strictness ----------------------------------------------------------- */

static void test_coalesce(void **state)
{
    (void)state;
    LogicalType types[3] = {T_INT, T_INT, T_INT};
    KernelInfo k = lookup(FN_COALESCE, 3, types, T_INT);
    assert_false(k.strict); /* it sees the NULLs itself */
    Value cases[] = {NUL(T_INT), I32(2),     I32(3),     I32(2),     I32(1),
                     NUL(T_INT), NUL(T_INT), I32(1),     NUL(T_INT), NUL(T_INT),
                     NUL(T_INT), NUL(T_INT), NUL(T_INT), NUL(T_INT), I32(3),
                     I32(3),     I32(0),     I32(9),     I32(9),     I32(0)};
    check_kernel(&k, "coalesce", 3, types, T_INT, cases, N_CASES(cases, 3));
    LogicalType strs[2] = {T_VARCHAR, T_VARCHAR};
    KernelInfo ks = lookup(FN_COALESCE, 2, strs, T_VARCHAR);
    Value scases[] = {NUL(T_VARCHAR),
                      STR("the second, a long string"),
                      STR("the second, a long string"),
                      STR("first"),
                      STR("second"),
                      STR("first"),
                      NUL(T_VARCHAR),
                      NUL(T_VARCHAR),
                      NUL(T_VARCHAR)};
    check_kernel(&ks, "coalesce", 2, strs, T_VARCHAR, scases, N_CASES(scases, 2));
    expect_no_kernel(FN_COALESCE, 2, (LogicalType[]){T_INT, T_BIGINT}, T_BIGINT);
    expect_no_kernel(FN_COALESCE, 0, NULL, T_INT);
}

/* ---- dates, timestamps and intervals ------------------------------------------------ */

#define T_IV type_make(TYPE_INTERVAL)

static Value iv_of(const char *text)
{
    Interval iv;
    assert_int_equal(parse_interval(text, strlen(text), INTERVAL_FULL_RANGE, &iv), PARSE_OK);
    return value_interval(iv);
}

static KernelInfo unit_lookup(ScalarFuncId func, const char *unit, int n_args,
                              const LogicalType *types, LogicalType ret)
{
    KernelInfo k;
    Error err = ERROR_INIT;
    if (unit_kernel_lookup(func, unit, strlen(unit), types, n_args, ret, &k, &err) != BS_OK)
        fail_msg("unit_kernel_lookup(%s, %s): %s", scalar_func_name(func), unit, err.message);
    return k;
}

static void expect_no_unit_kernel(ScalarFuncId func, const char *unit, int n_args,
                                  const LogicalType *types, LogicalType ret)
{
    KernelInfo k;
    Error err = ERROR_INIT;
    if (unit_kernel_lookup(func, unit, strlen(unit), types, n_args, ret, &k, &err) != BS_ERROR)
        fail_msg("unit_kernel_lookup(%s, %s) accepted a combination it has no kernel for",
                 scalar_func_name(func), unit);
    assert_string_equal(err.sqlstate, SQLSTATE_INTERNAL_ERROR);
    error_clear(&err);
}

static void test_datetime_arithmetic(void **state)
{
    (void)state;
    /* months first, clamped to the end of the month; then days; then time */
    Value ts_plus[] = {ts_of("2024-01-31 10:00"),
                       iv_of("1 mon"),
                       ts_of("2024-02-29 10:00"),
                       ts_of("2023-01-31"),
                       iv_of("1 mon"),
                       ts_of("2023-02-28"),
                       ts_of("2024-02-29"),
                       iv_of("1 year"),
                       ts_of("2025-02-28"),
                       ts_of("2024-01-31"),
                       iv_of("1 mon 1 day"),
                       ts_of("2024-03-01"),
                       ts_of("2024-12-31 23:59:59"),
                       iv_of("1 second"),
                       ts_of("2025-01-01"),
                       ts_of("2024-03-31"),
                       iv_of("-1 mon"),
                       ts_of("2024-02-29"),
                       NUL(T_TS),
                       iv_of("1 day"),
                       NUL(T_TS),
                       ts_of("2024-01-01"),
                       NUL(T_IV),
                       NUL(T_TS)};
    check2(FN_ADD, T_TS, T_IV, T_TS, ts_plus, N_CASES(ts_plus, 2));
    Value iv_plus[] = {iv_of("1 day"), ts_of("2024-02-28"), ts_of("2024-02-29")};
    check2(FN_ADD, T_IV, T_TS, T_TS, iv_plus, N_CASES(iv_plus, 2));
    Value ts_minus[] = {ts_of("2024-03-31 10:00"), iv_of("1 mon"), ts_of("2024-02-29 10:00"),
                        ts_of("2000-03-01"),       iv_of("1 day"), ts_of("2000-02-29")};
    check2(FN_SUBTRACT, T_TS, T_IV, T_TS, ts_minus, N_CASES(ts_minus, 2));
    Value diff[] = {ts_of("2024-03-10"), ts_of("2024-01-01 12:00"), iv_of("68 days 12:00:00"),
                    ts_of("2024-01-01"), ts_of("2024-03-10 06:30"), iv_of("-69 days -06:30:00")};
    check2(FN_SUBTRACT, T_TS, T_TS, T_IV, diff, N_CASES(diff, 2));
    Value ivs[] = {iv_of("1 mon"),  iv_of("2 days"), iv_of("1 mon 2 days"),
                   iv_of("-1 day"), iv_of("1 day"),  iv_of("0")};
    check2(FN_ADD, T_IV, T_IV, T_IV, ivs, N_CASES(ivs, 2));
    Value ivs_minus[] = {iv_of("1 day"), iv_of("1 mon"), iv_of("-1 mon +1 day")};
    check2(FN_SUBTRACT, T_IV, T_IV, T_IV, ivs_minus, N_CASES(ivs_minus, 2));
    Value mul[] = {iv_of("1 mon"),       F64(0.5), iv_of("15 days"),
                   iv_of("1 mon 1 day"), F64(1.5), iv_of("1 mon 16 days 12:00:00"),
                   iv_of("1 day 02:00"), F64(-1),  iv_of("-1 days -02:00:00")};
    check2(FN_MULTIPLY, T_IV, T_DOUBLE, T_IV, mul, N_CASES(mul, 2));
    Value mul2[] = {F64(2), iv_of("1 hour"), iv_of("02:00:00")};
    check2(FN_MULTIPLY, T_DOUBLE, T_IV, T_IV, mul2, N_CASES(mul2, 2));
    Value div[] = {iv_of("1 day"),  F64(3), iv_of("08:00:00"),
                   iv_of("1 year"), F64(7), iv_of("1 mon 21 days 10:17:08.5344")};
    check2(FN_DIVIDE, T_IV, T_DOUBLE, T_IV, div, N_CASES(div, 2));
    Value neg[] = {iv_of("1 day 02:00"), iv_of("-1 days -02:00:00"), NUL(T_IV), NUL(T_IV)};
    check_kernel((KernelInfo[]){lookup(FN_NEGATE, 1, (LogicalType[]){T_IV}, T_IV)}, "negate", 1,
                 (LogicalType[]){T_IV}, T_IV, neg, N_CASES(neg, 1));
    Value age[] = {ts_of("2024-03-01"), ts_of("2024-01-31"), iv_of("1 mon 1 day"),
                   ts_of("2024-01-31"), ts_of("2024-03-01"), iv_of("-1 mons -1 days")};
    check2(FN_AGE, T_TS, T_TS, T_IV, age, N_CASES(age, 2));

    /* errors in the middle of a batch */
    LogicalType ts_iv[2] = {T_TS, T_IV}, iv_f[2] = {T_IV, T_DOUBLE}, iv_iv[2] = {T_IV, T_IV};
    Value ok_ts[2] = {ts_of("2024-01-01"), iv_of("1 day")};
    Value far[2] = {ts_of("2024-01-01"), iv_of("300000 years")};
    check_kernel_error((KernelInfo[]){lookup(FN_ADD, 2, ts_iv, T_TS)}, "ts + iv", 2, ts_iv, T_TS,
                       ok_ts, far, "22008", "timestamp out of range");
    Value ok_div[2] = {iv_of("1 day"), F64(2)}, by_zero[2] = {iv_of("1 day"), F64(0)};
    check_kernel_error((KernelInfo[]){lookup(FN_DIVIDE, 2, iv_f, T_IV)}, "iv / 0", 2, iv_f, T_IV,
                       ok_div, by_zero, "22012", "division by zero");
    Value ok_iv[2] = {iv_of("1 day"), iv_of("1 day")};
    Value big[2] = {iv_of("2147483647 days"), iv_of("1 day")};
    check_kernel_error((KernelInfo[]){lookup(FN_ADD, 2, iv_iv, T_IV)}, "iv + iv", 2, iv_iv, T_IV,
                       ok_iv, big, "22008", "interval out of range");

    expect_no_kernel(FN_ADD, 2, (LogicalType[]){T_DATE, T_IV}, T_TS); /* the binder casts */
    expect_no_kernel(FN_ADD, 2, (LogicalType[]){T_TS, T_TS}, T_TS);
    expect_no_kernel(FN_MULTIPLY, 2, (LogicalType[]){T_IV, T_INT}, T_IV);
    expect_no_kernel(FN_MODULO, 2, (LogicalType[]){T_IV, T_DOUBLE}, T_IV);
    expect_no_kernel(FN_SUBTRACT, 2, (LogicalType[]){T_TS, T_TS}, T_TS);

    /* intervals compare by their span: '1 mon' = '30 days' */
    Value cmp[] = {iv_of("1 mon"),           iv_of("30 days"),         iv_of("1 day"),
                   iv_of("24:00:00.000001"), iv_of("-1 year"),         iv_of("-364 days"),
                   iv_of("178956970 years"), iv_of("-178956970 years")};
    check_order(T_IV, cmp, (int[]){0, -1, 1, 1}, 4); /* a year is 360 days here */
}

static void test_datetime_units(void **state)
{
    (void)state;
    /* extract: a kernel per unit and type */
    Value dow[] = {date_of("2024-03-10"), I64(0),       date_of("2024-03-11"), I64(1),
                   NUL(T_DATE),           NUL(T_BIGINT)};
    KernelInfo k = unit_lookup(FN_DATE_PART, "dow", 1, (LogicalType[]){T_DATE}, T_BIGINT);
    check_kernel(&k, "date_part(dow)", 1, (LogicalType[]){T_DATE}, T_BIGINT, dow, N_CASES(dow, 1));
    LogicalType sec = type_decimal(8, 6);
    Value seconds[] = {ts_of("2024-03-10 12:34:56.789"), DEC(56789000, 8, 6),
                       ts_of("1969-12-31 23:59:59.5"), DEC(59500000, 8, 6)};
    k = unit_lookup(FN_DATE_PART, "second", 1, (LogicalType[]){T_TS}, sec);
    check_kernel(&k, "date_part(second)", 1, (LogicalType[]){T_TS}, sec, seconds,
                 N_CASES(seconds, 1));
    Value hours[] = {iv_of("-25:30:15.25"), I64(-25), iv_of("3 days 01:00"), I64(1)};
    k = unit_lookup(FN_DATE_PART, "hours", 1, (LogicalType[]){T_IV}, T_BIGINT);
    check_kernel(&k, "date_part(hour)", 1, (LogicalType[]){T_IV}, T_BIGINT, hours,
                 N_CASES(hours, 1));
    Value years[] = {iv_of("2 years 14 months"), I64(3)};
    check_kernel((KernelInfo[]){lookup(FN_EXTRACT_YEAR, 1, (LogicalType[]){T_IV}, T_BIGINT)},
                 "extract_year", 1, (LogicalType[]){T_IV}, T_BIGINT, years, N_CASES(years, 1));
    Value epoch[] = {ts_of("2001-02-16 20:38:40.12"), F64(982355920.12)};
    k = unit_lookup(FN_DATE_PART, "epoch", 1, (LogicalType[]){T_TS}, T_DOUBLE);
    check_kernel(&k, "date_part(epoch)", 1, (LogicalType[]){T_TS}, T_DOUBLE, epoch,
                 N_CASES(epoch, 1));
    expect_no_unit_kernel(FN_DATE_PART, "hour", 1, (LogicalType[]){T_DATE}, T_BIGINT);
    expect_no_unit_kernel(FN_DATE_PART, "second", 1, (LogicalType[]){T_TS}, T_BIGINT);
    expect_no_unit_kernel(FN_DATE_PART, "fortnight", 1, (LogicalType[]){T_TS}, T_BIGINT);
    expect_no_kernel(FN_DATE_PART, 2, (LogicalType[]){T_VARCHAR, T_TS}, T_BIGINT);

    /* date_trunc */
    Value month[] = {ts_of("2024-03-10 12:34"), ts_of("2024-03-01"), ts_of("1969-12-31 23:00"),
                     ts_of("1969-12-01")};
    k = unit_lookup(FN_DATE_TRUNC, "month", 1, (LogicalType[]){T_TS}, T_TS);
    check_kernel(&k, "date_trunc(month)", 1, (LogicalType[]){T_TS}, T_TS, month, N_CASES(month, 1));
    Value week[] = {ts_of("2024-03-10 12:34"), ts_of("2024-03-04")};
    k = unit_lookup(FN_DATE_TRUNC, "week", 1, (LogicalType[]){T_TS}, T_TS);
    check_kernel(&k, "date_trunc(week)", 1, (LogicalType[]){T_TS}, T_TS, week, N_CASES(week, 1));
    Value iv_hour[] = {iv_of("1 year 2 mons 3 days 04:05:06"), iv_of("1 year 2 mons 3 days 04:00")};
    k = unit_lookup(FN_DATE_TRUNC, "hour", 1, (LogicalType[]){T_IV}, T_IV);
    check_kernel(&k, "date_trunc(hour)", 1, (LogicalType[]){T_IV}, T_IV, iv_hour,
                 N_CASES(iv_hour, 1));
    expect_no_unit_kernel(FN_DATE_TRUNC, "week", 1, (LogicalType[]){T_IV}, T_IV);
    expect_no_unit_kernel(FN_DATE_TRUNC, "dow", 1, (LogicalType[]){T_TS}, T_TS);
    expect_no_unit_kernel(FN_DATE_TRUNC, "day", 1, (LogicalType[]){T_DATE}, T_DATE);

    /* date_diff: unit boundaries from a to b */
    LogicalType two_ts[2] = {T_TS, T_TS};
    Value months[] = {ts_of("2024-01-31"), ts_of("2024-02-01"), I64(1),
                      ts_of("2024-03-01"), ts_of("2023-03-31"), I64(-12)};
    k = unit_lookup(FN_DATE_DIFF, "month", 2, two_ts, T_BIGINT);
    check_kernel(&k, "date_diff(month)", 2, two_ts, T_BIGINT, months, N_CASES(months, 2));
    Value hrs[] = {ts_of("2024-01-01 23:59"), ts_of("2024-01-02 00:01"), I64(1)};
    k = unit_lookup(FN_DATE_DIFF, "hour", 2, two_ts, T_BIGINT);
    check_kernel(&k, "date_diff(hour)", 2, two_ts, T_BIGINT, hrs, N_CASES(hrs, 2));
    expect_no_unit_kernel(FN_DATE_DIFF, "dow", 2, two_ts, T_BIGINT);
    expect_no_unit_kernel(FN_DATE_DIFF, "day", 2, (LogicalType[]){T_DATE, T_DATE}, T_BIGINT);

    /* make_date, last_day */
    LogicalType three[3] = {T_BIGINT, T_BIGINT, T_BIGINT};
    Value md[] = {I64(2024), I64(2),  I64(29), date_of("2024-02-29"),
                  I64(2023), I64(12), I64(31), date_of("2023-12-31")};
    k = lookup(FN_MAKE_DATE, 3, three, T_DATE);
    check_kernel(&k, "make_date", 3, three, T_DATE, md, N_CASES(md, 3));
    Value ok_md[3] = {I64(2024), I64(1), I64(1)}, bad_md[3] = {I64(2023), I64(2), I64(29)};
    check_kernel_error(&k, "make_date", 3, three, T_DATE, ok_md, bad_md, "22008",
                       "date field value out of range: 2023-02-29");
    Value ld[] = {date_of("2023-02-10"), date_of("2023-02-28"), date_of("2024-02-10"),
                  date_of("2024-02-29")};
    check_kernel((KernelInfo[]){lookup(FN_LAST_DAY, 1, (LogicalType[]){T_DATE}, T_DATE)},
                 "last_day", 1, (LogicalType[]){T_DATE}, T_DATE, ld, N_CASES(ld, 1));
    Value ld_ts[] = {ts_of("2024-12-31 23:00"), date_of("2024-12-31")};
    check_kernel((KernelInfo[]){lookup(FN_LAST_DAY, 1, (LogicalType[]){T_TS}, T_DATE)}, "last_day",
                 1, (LogicalType[]){T_TS}, T_DATE, ld_ts, N_CASES(ld_ts, 1));
    expect_no_kernel(FN_LAST_DAY, 1, (LogicalType[]){T_IV}, T_DATE);
}

/* Every kernel but coalesce is strict: its caller handles the NULLs. */
static void test_strictness(void **state)
{
    (void)state;
    struct {
        ScalarFuncId func;
        int n_args;
        LogicalType args[3], ret;
    } calls[] = {
        {FN_ADD, 2, {T_INT, T_INT}, T_INT},
        {FN_DIVIDE, 2, {T_DOUBLE, T_DOUBLE}, T_DOUBLE},
        {FN_EQ, 2, {T_VARCHAR, T_VARCHAR}, T_BOOL},
        {FN_LIKE, 2, {T_VARCHAR, T_VARCHAR}, T_BOOL},
        {FN_LOWER, 1, {T_VARCHAR}, T_VARCHAR},
        {FN_SUBSTRING, 3, {T_VARCHAR, T_BIGINT, T_BIGINT}, T_VARCHAR},
        {FN_ROUND, 1, {T_DOUBLE}, T_DOUBLE},
        {FN_EXTRACT_DAY, 1, {T_DATE}, T_BIGINT},
        {FN_NEGATE, 1, {T_BIGINT}, T_BIGINT},
    };
    for (size_t c = 0; c < sizeof calls / sizeof calls[0]; c++) {
        KernelInfo k = lookup(calls[c].func, calls[c].n_args, calls[c].args, calls[c].ret);
        assert_true(k.strict);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_integer_arithmetic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bigint_arithmetic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_double_arithmetic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_decimal_arithmetic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_date_arithmetic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_negate_abs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_round_and_extract, setup, teardown),
        cmocka_unit_test_setup_teardown(test_comparisons, setup, teardown),
        cmocka_unit_test_setup_teardown(test_casts_between_numbers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_casts_from_text, setup, teardown),
        cmocka_unit_test_setup_teardown(test_casts_to_text_and_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lower_upper_length, setup, teardown),
        cmocka_unit_test_setup_teardown(test_substring, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concat, setup, teardown),
        cmocka_unit_test_setup_teardown(test_like, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flat_with_constant, setup, teardown),
        cmocka_unit_test_setup_teardown(test_string_result_types, setup, teardown),
        cmocka_unit_test_setup_teardown(test_coalesce, setup, teardown),
        cmocka_unit_test_setup_teardown(test_datetime_arithmetic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_datetime_units, setup, teardown),
        cmocka_unit_test_setup_teardown(test_strictness, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
