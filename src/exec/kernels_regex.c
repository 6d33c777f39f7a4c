/*
 * kernels_regex.c — regular expressions through PCRE2: regexp_matches(s, p[, flags])
 * (also regexp_like and the ~ operators), regexp_replace(s, p, r[, flags]) and
 * regexp_extract(s, p[, group]) (DuckDB's: '' without a match or without that group).
 *
 * A pattern is compiled when a kernel first meets it and kept in the call's RegexCache:
 * a constant pattern (and flags) is compiled once per compiled expression, in the
 * expression's arena; a pattern that varies by row is compiled into the batch arena and
 * reused while consecutive rows repeat it. PCRE2 allocates through a general context
 * over those arenas, so its memory is accounted and dies with them. (No JIT: its
 * executable memory lives outside any arena and would outlive the expression.)
 *
 * Flags, as PostgreSQL's: i case-insensitive, c case-sensitive, g every match
 * (regexp_replace only), n or m newline-sensitive (. excludes newlines, ^ and $ match at
 * them), s the default (. matches newlines), x extended syntax. Any other letter fails with
 * 22023; a bad pattern with 2201B and PCRE2's message. Strings are UTF-8; a string that is
 * not valid UTF-8 simply does not match at the bad bytes (PCRE2_MATCH_INVALID_UTF).
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "exec/kernels.h"

#include <pcre2.h>
#include <string.h>

#define SQLSTATE_INVALID_REGEX "2201B"

typedef struct RegexCache {
    Arena *arena;              /* the expression's: for patterns compiled once */
    pcre2_code *code;          /* NULL: nothing cached */
    pcre2_match_data *match;   /* for code */
    bool in_batch;             /* code lives in a batch arena: valid for one call only */
    char *pattern;             /* a copy, to recognize the next row's pattern */
    uint32_t pattern_len;
    uint32_t options;
    bool global;               /* the g flag */
} RegexCache;

static void *arena_malloc(PCRE2_SIZE size, void *data)
{
    return arena_alloc(data, size);
}

static void arena_nofree(void *ptr, void *data)
{
    (void)ptr;
    (void)data;
}

void *regex_cache_new(Arena *arena)
{
    RegexCache *c = arena_alloc_zero(arena, sizeof *c);
    if (c) c->arena = arena;
    return c;
}

/* Reads PostgreSQL's flag letters into PCRE2 options. */
static Status parse_flags(const StringView *flags, bool allow_global, uint32_t *options,
                          bool *global, Error *err)
{
    *options = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_DOTALL;
    *global = false;
    const char *f = flags ? sv_data(flags) : "";
    uint32_t n = flags ? flags->len : 0;
    for (uint32_t k = 0; k < n; k++) {
        switch (f[k]) {
        case 'i':
            *options |= PCRE2_CASELESS;
            break;
        case 'c':
            *options &= ~PCRE2_CASELESS;
            break;
        case 'n':
        case 'm':
            *options = (*options & ~PCRE2_DOTALL) | PCRE2_MULTILINE;
            break;
        case 's':
            *options = (*options | PCRE2_DOTALL) & ~PCRE2_MULTILINE;
            break;
        case 'x':
            *options |= PCRE2_EXTENDED;
            break;
        case 'g':
            if (allow_global) {
                *global = true;
                break;
            }
            /* fall through */
        default: {
            size_t len = 1;
            next_char(f, n, &len);
            len = BS_MIN(len, (size_t)(n - k));
            return error_set(err, SQLSTATE_INVALID_PARAMETER, -1,
                             "invalid regular expression option: \"%.*s\"", (int)len, f + k);
        }
        }
    }
    return BS_OK;
}

/*
 * The compiled pattern for this row: the cached one when the pattern and options match,
 * else a new one (into the expression's arena when `once`, the batch arena otherwise).
 */
static Status regex_get(RegexCache *c, const StringView *pattern, uint32_t options, bool once,
                        Arena *batch, Error *err)
{
    const char *p = sv_data(pattern);
    if (c->code && c->options == options && c->pattern_len == pattern->len &&
        memcmp(c->pattern, p, pattern->len) == 0)
        return BS_OK;
    Arena *arena = once ? c->arena : batch;
    pcre2_general_context *gc = pcre2_general_context_create(arena_malloc, arena_nofree, arena);
    pcre2_compile_context *cc = gc ? pcre2_compile_context_create(gc) : NULL;
    char *copy = arena_alloc(arena, pattern->len ? pattern->len : 1);
    if (!gc || !cc || !copy) return arena_error(arena, err);
    int code_err;
    PCRE2_SIZE offset;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)p, pattern->len, options, &code_err, &offset, cc);
    if (!code) {
        if (code_err == PCRE2_ERROR_NOMEMORY) return arena_error(arena, err);
        PCRE2_UCHAR message[256];
        pcre2_get_error_message(code_err, message, sizeof message);
        return error_set(err, SQLSTATE_INVALID_REGEX, -1,
                         "invalid regular expression: %s (at offset %zu of the pattern)",
                         (const char *)message, (size_t)offset);
    }
    pcre2_match_data *match = pcre2_match_data_create_from_pattern(code, gc);
    if (!match) return arena_error(arena, err);
    memcpy(copy, p, pattern->len);
    c->code = code;
    c->match = match;
    c->in_batch = !once;
    c->pattern = copy;
    c->pattern_len = pattern->len;
    c->options = options;
    return BS_OK;
}

/* One match of c's pattern in s from byte `start`: 1 found, 0 not, error otherwise. */
static int regex_match(RegexCache *c, const char *s, size_t len, size_t start, uint32_t opts,
                       Error *err)
{
    int rc = pcre2_match(c->code, (PCRE2_SPTR)s, len, start, opts, c->match, NULL);
    if (rc >= 0) return 1;
    if (rc == PCRE2_ERROR_NOMATCH) return 0;
    PCRE2_UCHAR message[256];
    pcre2_get_error_message(rc, message, sizeof message);
    error_set(err, SQLSTATE_INVALID_REGEX, -1, "regular expression failed: %s",
              (const char *)message);
    return -1;
}

/* Whether argument k is the same value on every row (a constant vector). */
static inline bool is_constant_arg(Vector **args, int n_args, int k)
{
    return k >= n_args || args[k]->kind == VEC_CONSTANT;
}

/* ---- regexp_matches(s, p[, flags]): a match anywhere in s ---- */

static Status regexp_matches_kernel(KERNEL_ARGS)
{
    RegexCache *c = (RegexCache *)data; /* the call's own cache: mutable by design */
    if (c->in_batch) c->code = NULL;    /* the previous batch's arena is gone */
    UnifiedVector us, up, uf;
    unify(args[0], &us);
    unify(args[1], &up);
    if (n_args == 3) unify(args[2], &uf);
    bool once = is_constant_arg(args, n_args, 1) && is_constant_arg(args, n_args, 2);
    uint8_t *R = result->data;
    for (idx_t i = 0; i < count; i++) {
        sel_t row = sel[i];
        uint32_t options;
        bool global;
        BS_TRY(parse_flags(n_args == 3 ? UV_STR(uf, row) : NULL, false, &options, &global, err));
        BS_TRY(regex_get(c, UV_STR(up, row), options, once, result->arena, err));
        const StringView *s = UV_STR(us, row);
        int m = regex_match(c, sv_data(s), s->len, 0, 0, err);
        if (m < 0) return BS_ERROR;
        R[row] = (uint8_t)m;
    }
    return BS_OK;
}

/* ---- regexp_replace(s, p, r[, flags]) ---- */

/* Appends bytes to a growing output in the batch arena. */
typedef struct Out {
    Arena *arena;
    char *buf;
    size_t len, cap;
} Out;

static bool out_put(Out *o, const char *p, size_t n)
{
    if (n == 0) return true;
    if (o->len + n > o->cap) {
        size_t cap = BS_MAX(o->cap * 2, o->len + n);
        if (cap < 64) cap = 64;
        char *grown = arena_grow(o->arena, o->buf, o->cap, cap);
        if (!grown) return false;
        o->buf = grown;
        o->cap = cap;
    }
    memcpy(o->buf + o->len, p, n);
    o->len += n;
    return true;
}

/* The replacement for one match: \1 … \9 the groups, \& the whole match, \\ a backslash. */
static bool put_replacement(Out *o, const char *s, const PCRE2_SIZE *ov, uint32_t n_groups,
                            const char *r, size_t rlen)
{
    for (size_t k = 0; k < rlen; k++) {
        if (r[k] == '\\' && k + 1 < rlen) {
            char nx = r[k + 1];
            if ((nx >= '1' && nx <= '9') || nx == '&') {
                uint32_t g = nx == '&' ? 0 : (uint32_t)(nx - '0');
                if (g < n_groups && ov[2 * g] != PCRE2_UNSET &&
                    !out_put(o, s + ov[2 * g], ov[2 * g + 1] - ov[2 * g]))
                    return false;
                k++;
                continue;
            }
            if (nx == '\\') {
                if (!out_put(o, "\\", 1)) return false;
                k++;
                continue;
            }
        }
        if (!out_put(o, r + k, 1)) return false;
    }
    return true;
}

static Status regexp_replace_kernel(KERNEL_ARGS)
{
    RegexCache *c = (RegexCache *)data;
    if (c->in_batch) c->code = NULL;
    UnifiedVector us, up, ur, uf;
    unify(args[0], &us);
    unify(args[1], &up);
    unify(args[2], &ur);
    if (n_args == 4) unify(args[3], &uf);
    bool once = is_constant_arg(args, n_args, 1) && is_constant_arg(args, n_args, 3);
    StringView *R = result->data;
    for (idx_t i = 0; i < count; i++) {
        sel_t row = sel[i];
        uint32_t options;
        bool global;
        BS_TRY(parse_flags(n_args == 4 ? UV_STR(uf, row) : NULL, true, &options, &global, err));
        BS_TRY(regex_get(c, UV_STR(up, row), options, once, result->arena, err));
        const StringView *sv = UV_STR(us, row), *rv = UV_STR(ur, row);
        const char *s = sv_data(sv), *r = sv_data(rv);
        size_t len = sv->len, done = 0, at = 0;
        Out o = {result->arena, NULL, 0, 0};
        uint32_t n_groups = pcre2_get_ovector_count(c->match);
        bool changed = false;
        while (at <= len) {
            int m = regex_match(c, s, len, at, 0, err);
            if (m < 0) return BS_ERROR;
            if (m == 0) break;
            const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(c->match);
            if (!out_put(&o, s + done, ov[0] - done) ||
                !put_replacement(&o, s, ov, n_groups, r, rv->len))
                return arena_error(result->arena, err);
            changed = true;
            done = ov[1];
            if (!global) break;
            if (ov[1] == ov[0]) {
                /* an empty match: copy one character and look again after it */
                if (ov[1] >= len) break;
                size_t next = ov[1];
                next_char(s, len, &next);
                if (!out_put(&o, s + ov[1], next - ov[1])) return arena_error(result->arena, err);
                done = at = next;
            } else {
                at = ov[1];
            }
        }
        if (!changed) {
            R[row] = *sv;
            continue;
        }
        if (!out_put(&o, s + done, len - done)) return arena_error(result->arena, err);
        if (o.len > UINT32_MAX)
            return error_set(err, SQLSTATE_PROGRAM_LIMIT, -1, "requested length too large");
        R[row] = sv_make(o.buf, (uint32_t)o.len);
    }
    return BS_OK;
}

/* ---- regexp_extract(s, p[, group]): the group of the first match, '' without one ---- */

static Status regexp_extract_kernel(KERNEL_ARGS)
{
    RegexCache *c = (RegexCache *)data;
    if (c->in_batch) c->code = NULL;
    UnifiedVector us, up, ug;
    unify(args[0], &us);
    unify(args[1], &up);
    if (n_args == 3) unify(args[2], &ug);
    bool once = is_constant_arg(args, n_args, 1);
    StringView *R = result->data;
    for (idx_t i = 0; i < count; i++) {
        sel_t row = sel[i];
        uint32_t options;
        bool global;
        BS_TRY(parse_flags(NULL, false, &options, &global, err));
        BS_TRY(regex_get(c, UV_STR(up, row), options, once, result->arena, err));
        int64_t group = n_args == 3 ? UV_I64(ug, row) : 0;
        uint32_t n_captures;
        pcre2_pattern_info(c->code, PCRE2_INFO_CAPTURECOUNT, &n_captures);
        if (group < 0)
            return error_set(err, SQLSTATE_INVALID_PARAMETER, -1,
                             "regexp_extract: group %lld is negative", (long long)group);
        const StringView *sv = UV_STR(us, row);
        const char *s = sv_data(sv);
        int m = regex_match(c, s, sv->len, 0, 0, err);
        if (m < 0) return BS_ERROR;
        const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(c->match);
        /* a group the pattern does not have is '' (DuckDB) */
        if (m == 0 || group > (int64_t)n_captures || ov[2 * group] == PCRE2_UNSET) {
            R[row] = sv_make("", 0);
            continue;
        }
        /* a view into s, which lives as long as this batch's result */
        R[row] = sv_make(s + ov[2 * group], (uint32_t)(ov[2 * group + 1] - ov[2 * group]));
    }
    return BS_OK;
}

KernelFn regex_kernel(ScalarFuncId func, const LogicalType *arg_types, int n_args, LogicalType ret)
{
    for (int k = 0; k < n_args; k++) {
        bool integer = func == FN_REGEXP_EXTRACT && k == 2;
        if (arg_types[k].id != (integer ? TYPE_BIGINT : TYPE_VARCHAR)) return NULL;
    }
    switch (func) {
    case FN_REGEXP_MATCHES:
        return (n_args == 2 || n_args == 3) && ret.id == TYPE_BOOLEAN ? regexp_matches_kernel
                                                                       : NULL;
    case FN_REGEXP_REPLACE:
        return (n_args == 3 || n_args == 4) && ret.id == TYPE_VARCHAR ? regexp_replace_kernel
                                                                       : NULL;
    case FN_REGEXP_EXTRACT:
        return (n_args == 2 || n_args == 3) && ret.id == TYPE_VARCHAR ? regexp_extract_kernel
                                                                       : NULL;
    default:
        return NULL;
    }
}
