/*
 * kernels.h — the macros the kernel files generate their loops with, and the kernel
 * tables they export to functions.c.
 *
 * Every kernel computes R[row] for row = sel[i], i < count, reading its arguments through
 * UnifiedVectors (any vector kind). When the selection and all arguments are the plain
 * identity (flat vectors, every row), a second loop indexes arrays directly, which the
 * compiler can vectorize.
 */
#ifndef BASALT_EXEC_KERNELS_H
#define BASALT_EXEC_KERNELS_H

#include "common/datetime.h"
#include "exec/exec_int.h"

#define KERNEL_ARGS                                                                                \
    Vector **args, int n_args, const sel_t *sel, idx_t count, Vector *result, const void *data,    \
        Error *err

/*
 * A binary kernel: TA/TB argument C types, TR result C type. BODY reads `a`, `b`, writes
 * `*r`, and may `return` an error (it runs inside the loop).
 */
#define DEFINE_BINARY(NAME, TA, TB, TR, BODY)                                                      \
    static Status NAME(KERNEL_ARGS)                                                                \
    {                                                                                              \
        (void)n_args;                                                                              \
        (void)data;                                                                                \
        (void)err;                                                                                 \
        UnifiedVector ua, ub;                                                                      \
        unify(args[0], &ua);                                                                       \
        unify(args[1], &ub);                                                                       \
        const TA *A = ua.data;                                                                     \
        const TB *B = ub.data;                                                                     \
        TR *R = result->data;                                                                      \
        if (sel == SEL_IDENTITY && ua.sel == SEL_IDENTITY && ub.sel == SEL_IDENTITY) {             \
            for (idx_t row = 0; row < count; row++) {                                              \
                TA a = A[row];                                                                     \
                TB b = B[row];                                                                     \
                TR *r = &R[row];                                                                   \
                BODY                                                                               \
            }                                                                                      \
        } else {                                                                                   \
            for (idx_t i = 0; i < count; i++) {                                                    \
                sel_t row = sel[i];                                                                \
                TA a = A[ua.sel[row]];                                                             \
                TB b = B[ub.sel[row]];                                                             \
                TR *r = &R[row];                                                                   \
                BODY                                                                               \
            }                                                                                      \
        }                                                                                          \
        return BS_OK;                                                                              \
    }

/* A unary kernel: `a` in, `*r` out. */
#define DEFINE_UNARY(NAME, TA, TR, BODY)                                                           \
    static Status NAME(KERNEL_ARGS)                                                                \
    {                                                                                              \
        (void)n_args;                                                                              \
        (void)data;                                                                                \
        (void)err;                                                                                 \
        UnifiedVector ua;                                                                          \
        unify(args[0], &ua);                                                                       \
        const TA *A = ua.data;                                                                     \
        TR *R = result->data;                                                                      \
        for (idx_t i = 0; i < count; i++) {                                                        \
            sel_t row = sel[i];                                                                    \
            TA a = A[ua.sel[row]];                                                                 \
            TR *r = &R[row];                                                                       \
            BODY                                                                                   \
        }                                                                                          \
        return BS_OK;                                                                              \
    }

/* ---- UTF-8 strings (kernels_string*.c) ---- */

static inline bool is_continuation(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

/* Advances over one UTF-8 character at s[*i]. */
static inline void next_char(const char *s, size_t len, size_t *i)
{
    (*i)++;
    while (*i < len && is_continuation((unsigned char)s[*i]))
        (*i)++;
}

static inline size_t char_count(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t k = 0; k < len; k++)
        n += !is_continuation((unsigned char)s[k]);
    return n;
}

/* Byte offset of character number `chars` (0-based) in s, or len if past the end. */
static inline size_t char_offset(const char *s, size_t len, int64_t chars)
{
    size_t i = 0;
    while (chars > 0 && i < len) {
        next_char(s, len, &i);
        chars--;
    }
    return i;
}

/* Allocates len bytes for a result string in the result's batch arena; NULL with err set. */
static inline char *string_space(Vector *result, size_t len, Error *err)
{
    char *p = arena_alloc(result->arena, len ? len : 1);
    if (!p) arena_error(result->arena, err);
    return p;
}

/* The string and integer at a logical row of a unified vector. */
#define UV_STR(u, row) (&((const StringView *)(u).data)[(u).sel[row]])
#define UV_I64(u, row) (((const int64_t *)(u).data)[(u).sel[row]])

/* Errors the kernels raise. */
Status kernel_overflow(LogicalType type, Error *err);
Status kernel_division_by_zero(Error *err);

/* Tables of kernels by physical type, exported by the kernel files. */
typedef enum KernelPhys {
    KP_BOOL,
    KP_I32,
    KP_I64,
    KP_F64,
    KP_STR,
    KP_IV,
    KP_I128,
    KP_I8,
    KP_I16,
    KP_F32,
    KP_COUNT_
} KernelPhys;
KernelPhys kernel_phys(LogicalType type);

/* kernels_arith.c */
KernelFn arith_kernel(ScalarFuncId func, LogicalType left, LogicalType right, LogicalType ret);
KernelFn negate_kernel(LogicalType type);
KernelFn abs_kernel(LogicalType type);
KernelFn compare_kernel(ScalarFuncId func, KernelPhys phys);
/* kernels_string.c */
KernelFn string_kernel(ScalarFuncId func, int n_args);
/* kernels_string2.c; *strict false for concat and concat_ws (they skip NULLs). */
KernelFn string2_kernel(ScalarFuncId func, const LogicalType *arg_types, int n_args,
                        LogicalType ret, bool *strict);
/* kernels_misc.c; round() of a decimal needs its scales. */
typedef struct RoundData {
    int in_scale, out_scale, precision;
} RoundData;
KernelFn round_kernel(LogicalType type);
KernelFn coalesce_kernel(void);
/* kernels_datetime.c; NULL when the combination has no kernel. */
KernelFn datetime_arith_kernel(ScalarFuncId func, LogicalType left, LogicalType right,
                               LogicalType ret);
KernelFn interval_negate_kernel(void);
KernelFn age_kernel(void);
KernelFn extract_kernel(DatetimeField field, LogicalType arg, LogicalType ret);
KernelFn date_trunc_kernel(DatetimeField field, LogicalType arg, LogicalType ret);
KernelFn date_diff_kernel(DatetimeField field);
KernelFn make_date_kernel(void);
KernelFn last_day_kernel(LogicalType arg);
/* kernels_datetime_fmt.c: strftime, strptime, to_char. */
KernelFn datetime_fmt_kernel(ScalarFuncId func, const LogicalType *arg_types, int n_args,
                             LogicalType ret);
/* kernels_timezone.c: cast_in_zone, tstz_add, tstz_sub, zone_offset; NULL when the types
   do not fit. */
KernelFn timezone_kernel(ScalarFuncId func, const LogicalType *arg_types, int n_args,
                         LogicalType ret);
/* kernels_cast.c: string_fit (assignment to CHAR(n)/VARCHAR(n)). */
KernelFn string_fit_kernel(void);
/* kernels_cond.c: greatest, least, IS [NOT] DISTINCT FROM (not strict). */
/* kernels_cond.c: try_cast, over the cast's KernelInfo (its data). */
KernelFn try_cast_kernel(void);
KernelFn cond_kernel(ScalarFuncId func, const LogicalType *arg_types, int n_args, LogicalType ret);
/* kernels_array.c: the FN_ARRAY_* functions and comparisons of arrays; out->fn NULL when
   the combination has no kernel. */
Status array_kernel_lookup(ScalarFuncId func, const LogicalType *arg_types, int n_args,
                           LogicalType ret, Arena *arena, KernelInfo *out, Error *err);
/* Casts VARCHAR → array, array → VARCHAR and between arrays; out->fn NULL otherwise. */
Status array_cast_kernel_lookup(LogicalType from, LogicalType to, Arena *arena, KernelInfo *out,
                                Error *err);
/* kernels_regex.c; the kernel's data is a RegexCache from regex_cache_new. */
KernelFn regex_kernel(ScalarFuncId func, const LogicalType *arg_types, int n_args, LogicalType ret);
void *regex_cache_new(Arena *arena);
/* kernels_math.c; floor, ceil and trunc of a DECIMAL take a RoundData. */
KernelFn math_kernel(ScalarFuncId func, const LogicalType *arg_types, int n_args, LogicalType ret);

#endif
