/*
 * kernels_string.c — string functions: ||, LIKE [ESCAPE], lower, upper, length, substring.
 *
 * Strings are UTF-8. length and substring count characters (a character is a lead byte
 * and its continuation bytes); LIKE's `_` matches one character, `%` any run of them.
 * lower and upper map every letter by Unicode's simple case mapping (common/unicode.h). New strings
 * are allocated in the result vector's batch arena.
 */
#include "exec/kernels.h"

#include "common/unicode.h"

#include <string.h>

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

/*
 * LIKE matching with % and _, and an optional escape character (esc, esc_len bytes; none
 * when esc_len is 0) that makes the character after it literal. Iterative with one
 * backtrack point per %, so it runs in O(len(s) * len(p)) at worst, never exponentially.
 * Returns 1 on a match, 0 without, -1 when matching reaches an escape character that ends
 * the pattern (PostgreSQL's error; a mismatch found before that is no error).
 */
static int like_match(const char *s, size_t slen, const char *p, size_t plen, const char *esc,
                      size_t esc_len)
{
    size_t si = 0, pi = 0;
    size_t star_p = SIZE_MAX, star_s = 0;
    while (si < slen) {
        bool escaped = esc_len && pi + esc_len <= plen && memcmp(p + pi, esc, esc_len) == 0;
        if (escaped) {
            if (pi + esc_len == plen) return -1;
            /* the escaped character, compared whole */
            size_t from = pi + esc_len, to = from;
            next_char(p, plen, &to);
            size_t n = to - from;
            if (si + n <= slen && memcmp(s + si, p + from, n) == 0) {
                si += n;
                pi = to;
                continue;
            }
        } else if (pi < plen && p[pi] == '%') {
            while (pi < plen && p[pi] == '%')
                pi++;
            if (pi == plen) return 1;
            star_p = pi;
            star_s = si;
            continue;
        } else if (pi < plen && p[pi] == '_') {
            next_char(s, slen, &si);
            next_char(p, plen, &pi);
            continue;
        } else if (pi < plen && p[pi] == s[si]) {
            si++;
            pi++;
            continue;
        }
        if (star_p == SIZE_MAX) return 0;
        /* Let the last % swallow one more character and retry. */
        next_char(s, slen, &star_s);
        si = star_s;
        pi = star_p;
    }
    while (pi < plen && p[pi] == '%')
        pi++;
    return pi == plen;
}

/* like(s, pattern[, escape]): the escape must be empty or one character (22025). */
static Status like_kernel_impl(KERNEL_ARGS, bool negate)
{
    UnifiedVector ua, ub, ue;
    unify(args[0], &ua);
    unify(args[1], &ub);
    if (n_args == 3) unify(args[2], &ue);
    uint8_t *R = result->data;
    for (idx_t i = 0; i < count; i++) {
        sel_t row = sel[i];
        const StringView *a = &((const StringView *)ua.data)[ua.sel[row]];
        const StringView *b = &((const StringView *)ub.data)[ub.sel[row]];
        const char *esc = NULL;
        size_t esc_len = 0;
        if (n_args == 3) {
            const StringView *e = &((const StringView *)ue.data)[ue.sel[row]];
            esc = sv_data(e);
            esc_len = e->len;
            if (esc_len && char_count(esc, esc_len) != 1) {
                error_set(err, "22025", -1, "invalid escape string");
                error_set_hint(err, "Escape string must be empty or one character.");
                return BS_ERROR;
            }
        }
        int m = like_match(sv_data(a), a->len, sv_data(b), b->len, esc, esc_len);
        if (m < 0)
            return error_set(err, "22025", -1, "LIKE pattern must not end with escape character");
        R[row] = (m == 1) != negate;
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
        size_t cap = utf8_case_bound(a->len);
        if (cap > UINT32_MAX) cap = UINT32_MAX;
        char *p = string_space(result, cap, err);
        if (!p) return BS_ERROR;
        size_t w = utf8_map_case(sv_data(a), a->len, p, upper);
        if (w > UINT32_MAX)
            return error_set(err, SQLSTATE_PROGRAM_LIMIT, -1, "string is too long");
        R[row] = sv_make(p, (uint32_t)w);
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

DEFINE_UNARY(length_kernel, StringView, int32_t, { *r = (int32_t)char_count(sv_data(&a), a.len); })

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
        return n_args == 2 || n_args == 3 ? like_kernel : NULL;
    case FN_NOT_LIKE:
        return n_args == 2 || n_args == 3 ? not_like_kernel : NULL;
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
