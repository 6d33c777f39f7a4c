/*
 * kernels_string.c — string functions: ||, LIKE, lower, upper, length, substring.
 *
 * Strings are UTF-8. length and substring count characters (a character is a lead byte
 * and its continuation bytes); LIKE's `_` matches one character, `%` any run of them.
 * lower and upper map ASCII letters and leave other characters as they are. New strings
 * are allocated in the result vector's batch arena.
 */
#include "exec/kernels.h"

#include <string.h>

static inline bool is_continuation(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

/* Allocates len bytes for a result string. */
static char *string_space(Vector *result, size_t len, Error *err)
{
    char *p = arena_alloc(result->arena, len ? len : 1);
    if (!p) arena_error(result->arena, err);
    return p;
}

static Status concat_kernel(KERNEL_ARGS)
{
    UnifiedVector ua, ub;
    unify(args[0], &ua);
    unify(args[1], &ub);
    StringView *R = result->data;
    for (idx_t i = 0; i < count; i++) {
        sel_t row = sel[i];
        const StringView *a = &((const StringView *)ua.data)[ua.sel[row]];
        const StringView *b = &((const StringView *)ub.data)[ub.sel[row]];
        size_t len = (size_t)a->len + b->len;
        if (len > UINT32_MAX)
            return error_set(err, SQLSTATE_PROGRAM_LIMIT, -1, "string is too long");
        char *p = string_space(result, len, err);
        if (!p) return BS_ERROR;
        memcpy(p, sv_data(a), a->len);
        memcpy(p + a->len, sv_data(b), b->len);
        R[row] = sv_make(p, (uint32_t)len);
    }
    return BS_OK;
}

/* Advances over one UTF-8 character at s[*i]. */
static inline void next_char(const char *s, size_t len, size_t *i)
{
    (*i)++;
    while (*i < len && is_continuation((unsigned char)s[*i]))
        (*i)++;
}

/*
 * LIKE matching with % and _ (no escape character). Iterative with one backtrack point
 * per %, so it runs in O(len(s) * len(p)) at worst, never exponentially.
 */
static bool like_match(const char *s, size_t slen, const char *p, size_t plen)
{
    size_t si = 0, pi = 0;
    size_t star_p = SIZE_MAX, star_s = 0;
    while (si < slen) {
        if (pi < plen && p[pi] == '%') {
            while (pi < plen && p[pi] == '%')
                pi++;
            if (pi == plen) return true;
            star_p = pi;
            star_s = si;
        } else if (pi < plen && p[pi] == '_') {
            next_char(s, slen, &si);
            next_char(p, plen, &pi);
        } else if (pi < plen && p[pi] == s[si]) {
            si++;
            pi++;
        } else if (star_p != SIZE_MAX) {
            /* Let the last % swallow one more character and retry. */
            next_char(s, slen, &star_s);
            si = star_s;
            pi = star_p;
        } else {
            return false;
        }
    }
    while (pi < plen && p[pi] == '%')
        pi++;
    return pi == plen;
}

static Status like_kernel_impl(KERNEL_ARGS, bool negate)
{
    UnifiedVector ua, ub;
    unify(args[0], &ua);
    unify(args[1], &ub);
    uint8_t *R = result->data;
    for (idx_t i = 0; i < count; i++) {
        sel_t row = sel[i];
        const StringView *a = &((const StringView *)ua.data)[ua.sel[row]];
        const StringView *b = &((const StringView *)ub.data)[ub.sel[row]];
        R[row] = like_match(sv_data(a), a->len, sv_data(b), b->len) != negate;
    }
    return BS_OK;
}

static Status like_kernel(KERNEL_ARGS)
{
    return like_kernel_impl(args, n_args, sel, count, result, data, err, false);
}

static Status not_like_kernel(KERNEL_ARGS)
{
    return like_kernel_impl(args, n_args, sel, count, result, data, err, true);
}

static Status case_kernel(KERNEL_ARGS, bool upper)
{
    UnifiedVector ua;
    unify(args[0], &ua);
    StringView *R = result->data;
    for (idx_t i = 0; i < count; i++) {
        sel_t row = sel[i];
        const StringView *a = &((const StringView *)ua.data)[ua.sel[row]];
        char *p = string_space(result, a->len, err);
        if (!p) return BS_ERROR;
        const char *src = sv_data(a);
        for (uint32_t k = 0; k < a->len; k++) {
            char c = src[k];
            if (upper && c >= 'a' && c <= 'z') c = (char)(c - 'a' + 'A');
            if (!upper && c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
            p[k] = c;
        }
        R[row] = sv_make(p, a->len);
    }
    return BS_OK;
}

static Status lower_kernel(KERNEL_ARGS)
{
    return case_kernel(args, n_args, sel, count, result, data, err, false);
}

static Status upper_kernel(KERNEL_ARGS)
{
    return case_kernel(args, n_args, sel, count, result, data, err, true);
}

static size_t char_count(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t k = 0; k < len; k++)
        n += !is_continuation((unsigned char)s[k]);
    return n;
}

DEFINE_UNARY(length_kernel, StringView, int32_t, { *r = (int32_t)char_count(sv_data(&a), a.len); })

/* Byte offset of character number `chars` (0-based) in s, or len if past the end. */
static size_t char_offset(const char *s, size_t len, int64_t chars)
{
    size_t i = 0;
    while (chars > 0 && i < len) {
        next_char(s, len, &i);
        chars--;
    }
    return i;
}

/* substring(s, start [, length]) with 1-based character positions (PostgreSQL's rules). */
static Status substring_kernel(KERNEL_ARGS)
{
    UnifiedVector us, ustart, ulen;
    unify(args[0], &us);
    unify(args[1], &ustart);
    if (n_args == 3) unify(args[2], &ulen);
    StringView *R = result->data;
    for (idx_t i = 0; i < count; i++) {
        sel_t row = sel[i];
        const StringView *s = &((const StringView *)us.data)[us.sel[row]];
        int64_t start = ((const int64_t *)ustart.data)[ustart.sel[row]];
        int64_t end = INT64_MAX; /* exclusive, 1-based */
        if (n_args == 3) {
            int64_t len = ((const int64_t *)ulen.data)[ulen.sel[row]];
            if (len < 0)
                return error_set(err, "22011", -1, "negative substring length not allowed");
            end = __builtin_add_overflow(start, len, &end) ? INT64_MAX : end;
        }
        if (start < 1) start = 1;
        const char *text = sv_data(s);
        if (end <= start) {
            R[row] = sv_make("", 0);
            continue;
        }
        size_t from = char_offset(text, s->len, start - 1);
        size_t to =
            end == INT64_MAX ? s->len : from + char_offset(text + from, s->len - from, end - start);
        /* A view into the argument: its bytes live as long as this batch's result. Short
           results are copied inline by sv_make, so an inline argument is safe too. */
        R[row] = sv_make(text + from, (uint32_t)(to - from));
    }
    return BS_OK;
}

KernelFn string_kernel(ScalarFuncId func, int n_args)
{
    switch (func) {
    case FN_CONCAT:
        return n_args == 2 ? concat_kernel : NULL;
    case FN_LIKE:
        return n_args == 2 ? like_kernel : NULL;
    case FN_NOT_LIKE:
        return n_args == 2 ? not_like_kernel : NULL;
    case FN_LOWER:
        return n_args == 1 ? lower_kernel : NULL;
    case FN_UPPER:
        return n_args == 1 ? upper_kernel : NULL;
    case FN_LENGTH:
        return n_args == 1 ? length_kernel : NULL;
    case FN_SUBSTRING:
        return n_args == 2 || n_args == 3 ? substring_kernel : NULL;
    default:
        return NULL;
    }
}
