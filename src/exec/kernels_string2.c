/*
 * kernels_string2.c — the string functions beyond kernels_string.c's: strpos, the trims,
 * replace, concat and concat_ws, left, right, lpad, rpad, split_part, starts_with,
 * ends_with, reverse, repeat, translate, initcap, md5, ascii, chr and octet_length.
 *
 * Positions, lengths and the characters of trim sets and translate count UTF-8
 * characters, as PostgreSQL does in a UTF-8 database; initcap maps case as lower and upper
 * do (common/unicode.h). Results that are a piece of an argument are views into it; new
 * strings go to the result's batch arena. A result longer than STRING_MAX_LEN fails with
 * 54000, as PostgreSQL's "requested length too large".
 */
#include "exec/kernels.h"

#include "common/unicode.h"

#include <math.h>
#include <string.h>

#define STRING_MAX_LEN ((size_t)1 << 30)

static Status too_long(Error *err)
{
    return error_set(err, SQLSTATE_PROGRAM_LIMIT, -1, "requested length too large");
}

/* Length in bytes of the UTF-8 character starting at s[i] (1 for stray bytes). */
static inline size_t char_len_at(const char *s, size_t len, size_t i)
{
    size_t j = i;
    next_char(s, len, &j);
    return j - i;
}

/* ---- strpos(s, sub), position(sub IN s) ---- */

static Status strpos_kernel(KERNEL_ARGS)
{
    UnifiedVector us, ub;
    unify(args[0], &us);
    unify(args[1], &ub);
    int32_t *R = result->data;
    for (idx_t i = 0; i < count; i++) {
        sel_t row = sel[i];
        const StringView *s = UV_STR(us, row), *b = UV_STR(ub, row);
        const char *text = sv_data(s);
        const char *hit = b->len == 0 ? text : memmem(text, s->len, sv_data(b), b->len);
        R[row] = hit ? (int32_t)char_count(text, (size_t)(hit - text)) + 1 : 0;
    }
    return BS_OK;
}

/* ---- trim, ltrim, rtrim ---- */

/* True when the character s[i .. i+n) is one of set's characters. */
static inline bool in_char_set(const char *c, size_t n, const char *set, size_t set_len)
{
    if (n == 1) return memchr(set, c[0], set_len) != NULL;
    for (size_t k = 0; k < set_len;) {
        size_t m = char_len_at(set, set_len, k);
        if (m == n && memcmp(set + k, c, n) == 0) return true;
        k += m;
    }
    return false;
}

static Status trim_impl(KERNEL_ARGS, bool left, bool right)
{
    UnifiedVector us, uc;
    unify(args[0], &us);
    if (n_args == 2) unify(args[1], &uc);
    StringView *R = result->data;
    for (idx_t i = 0; i < count; i++) {
        sel_t row = sel[i];
        const StringView *s = UV_STR(us, row);
        const char *set = " ";
        size_t set_len = 1;
        if (n_args == 2) {
            set = sv_data(UV_STR(uc, row));
            set_len = UV_STR(uc, row)->len;
        }
        const char *text = sv_data(s);
        size_t from = 0, to = s->len;
        if (left) {
            while (from < to) {
                size_t n = char_len_at(text, to, from);
                if (!in_char_set(text + from, n, set, set_len)) break;
                from += n;
            }
        }
        if (right) {
            while (to > from) {
                size_t start = to - 1;
                while (start > from && is_continuation((unsigned char)text[start]))
                    start--;
                if (!in_char_set(text + start, to - start, set, set_len)) break;
                to = start;
            }
        }
        R[row] = sv_make(text + from, (uint32_t)(to - from));
    }
    return BS_OK;
}

static Status btrim_kernel(KERNEL_ARGS)
{
    return trim_impl(args, n_args, sel, count, result, data, err, true, true);
}

static Status ltrim_kernel(KERNEL_ARGS)
{
    return trim_impl(args, n_args, sel, count, result, data, err, true, false);
}

static Status rtrim_kernel(KERNEL_ARGS)
{
    return trim_impl(args, n_args, sel, count, result, data, err, false, true);
}

/* ---- replace(s, from, to) ---- */

static Status replace_kernel(KERNEL_ARGS)
{
    UnifiedVector us, uf, ut;
    unify(args[0], &us);
    unify(args[1], &uf);
    unify(args[2], &ut);
    StringView *R = result->data;
    for (idx_t i = 0; i < count; i++) {
        sel_t row = sel[i];
        const StringView *s = UV_STR(us, row), *f = UV_STR(uf, row), *t = UV_STR(ut, row);
        const char *text = sv_data(s), *find = sv_data(f), *with = sv_data(t);
        size_t hits = 0;
        if (f->len > 0) {
            for (const char *p = text, *end = text + s->len;
                 (p = memmem(p, (size_t)(end - p), find, f->len)) != NULL; p += f->len)
                hits++;
        }
        if (hits == 0) {
            R[row] = *s;
            continue;
        }
        size_t len = s->len - hits * f->len + hits * t->len;
        if (len > STRING_MAX_LEN) return too_long(err);
        char *out = string_space(result, len, err);
        if (!out) return BS_ERROR;
        char *w = out;
        const char *p = text, *end = text + s->len;
        for (const char *hit; (hit = memmem(p, (size_t)(end - p), find, f->len)) != NULL;
             p = hit + f->len) {
            memcpy(w, p, (size_t)(hit - p));
            w += hit - p;
            memcpy(w, with, t->len);
            w += t->len;
        }
        memcpy(w, p, (size_t)(end - p));
        R[row] = sv_make(out, (uint32_t)len);
    }
    return BS_OK;
}

/* ---- concat(…), concat_ws(sep, …): NULL arguments are skipped (not strict) ---- */

static Status concat_impl(KERNEL_ARGS, bool with_sep)
{
    UnifiedVector stack[8];
    UnifiedVector *uv = stack;
    if (n_args > 8) {
        uv = arena_alloc(result->arena, sizeof *uv * (size_t)n_args);
        if (!uv) return arena_error(result->arena, err);
    }
    for (int k = 0; k < n_args; k++)
        unify(args[k], &uv[k]);
    StringView *R = result->data;
    int first = with_sep ? 1 : 0;
    for (idx_t i = 0; i < count; i++) {
        sel_t row = sel[i];
        const StringView *sep = NULL;
        if (with_sep) {
            if (!validity_get(uv[0].validity, uv[0].sel[row])) {
                BS_TRY(vector_set_null(result, row, err));
                continue;
            }
            sep = UV_STR(uv[0], row);
        }
        size_t len = 0;
        int parts = 0;
        for (int k = first; k < n_args; k++) {
            if (!validity_get(uv[k].validity, uv[k].sel[row])) continue;
            len += UV_STR(uv[k], row)->len + (parts++ && sep ? sep->len : 0);
        }
        if (len > STRING_MAX_LEN) return too_long(err);
        char *out = string_space(result, len, err);
        if (!out) return BS_ERROR;
        char *w = out;
        parts = 0;
        for (int k = first; k < n_args; k++) {
            if (!validity_get(uv[k].validity, uv[k].sel[row])) continue;
            if (parts++ && sep) {
                memcpy(w, sv_data(sep), sep->len);
                w += sep->len;
            }
            const StringView *a = UV_STR(uv[k], row);
            memcpy(w, sv_data(a), a->len);
            w += a->len;
        }
        R[row] = sv_make(out, (uint32_t)len);
        if (result->validity) validity_set_valid(result->validity, row);
    }
    return BS_OK;
}

static Status concat_args_kernel(KERNEL_ARGS)
{
    return concat_impl(args, n_args, sel, count, result, data, err, false);
}

static Status concat_ws_kernel(KERNEL_ARGS)
{
    return concat_impl(args, n_args, sel, count, result, data, err, true);
}

/* ---- left(s, n), right(s, n): n < 0 drops |n| characters from the other end ---- */

static Status left_right_impl(KERNEL_ARGS, bool right)
{
    UnifiedVector us, un;
    unify(args[0], &us);
    unify(args[1], &un);
    StringView *R = result->data;
    for (idx_t i = 0; i < count; i++) {
        sel_t row = sel[i];
        const StringView *s = UV_STR(us, row);
        int64_t n = UV_I64(un, row);
        const char *text = sv_data(s);
        size_t chars = char_count(text, s->len);
        int64_t keep = n >= 0 ? BS_MIN(n, (int64_t)chars) : BS_MAX(0, (int64_t)chars + n);
        size_t from = right ? char_offset(text, s->len, (int64_t)chars - keep) : 0;
        size_t to = right ? s->len : char_offset(text, s->len, keep);
        R[row] = sv_make(text + from, (uint32_t)(to - from));
    }
    return BS_OK;
}

static Status left_kernel(KERNEL_ARGS)
{
    return left_right_impl(args, n_args, sel, count, result, data, err, false);
}

static Status right_kernel(KERNEL_ARGS)
{
    return left_right_impl(args, n_args, sel, count, result, data, err, true);
}

/* ---- lpad(s, n[, fill]), rpad: to n characters, cut or filled (fill ' ' by default) ---- */

static Status pad_impl(KERNEL_ARGS, bool at_left)
{
    UnifiedVector us, un, uf;
    unify(args[0], &us);
    unify(args[1], &un);
    if (n_args == 3) unify(args[2], &uf);
    StringView *R = result->data;
    for (idx_t i = 0; i < count; i++) {
        sel_t row = sel[i];
        const StringView *s = UV_STR(us, row);
        int64_t n = UV_I64(un, row);
        const char *fill = " ";
        size_t fill_len = 1;
        if (n_args == 3) {
            fill = sv_data(UV_STR(uf, row));
            fill_len = UV_STR(uf, row)->len;
        }
        const char *text = sv_data(s);
        if (n <= 0) {
            R[row] = sv_make("", 0);
            continue;
        }
        size_t chars = char_count(text, s->len);
        if ((size_t)n <= chars || fill_len == 0) {
            /* cut to n characters (both pads keep the start) */
            R[row] = sv_make(text, (uint32_t)char_offset(text, s->len, n));
            continue;
        }
        size_t need = (size_t)n - chars; /* characters of fill */
        size_t fill_chars = char_count(fill, fill_len);
        /* bytes of `need` characters of the repeated fill */
        size_t whole = need / fill_chars, part = need % fill_chars;
        if (whole > STRING_MAX_LEN / fill_len) return too_long(err);
        size_t part_bytes = char_offset(fill, fill_len, (int64_t)part);
        size_t pad_bytes = whole * fill_len + part_bytes;
        size_t len = s->len + pad_bytes;
        if (len > STRING_MAX_LEN) return too_long(err);
        char *out = string_space(result, len, err);
        if (!out) return BS_ERROR;
        char *pad = at_left ? out : out + s->len;
        for (size_t k = 0; k < whole; k++)
            memcpy(pad + k * fill_len, fill, fill_len);
        memcpy(pad + whole * fill_len, fill, part_bytes);
        memcpy(at_left ? out + pad_bytes : out, text, s->len);
        R[row] = sv_make(out, (uint32_t)len);
    }
    return BS_OK;
}

static Status lpad_kernel(KERNEL_ARGS)
{
    return pad_impl(args, n_args, sel, count, result, data, err, true);
}

static Status rpad_kernel(KERNEL_ARGS)
{
    return pad_impl(args, n_args, sel, count, result, data, err, false);
}

/* ---- split_part(s, delimiter, n): field n (from the end when n < 0) ---- */

static Status split_part_kernel(KERNEL_ARGS)
{
    UnifiedVector us, ud, un;
    unify(args[0], &us);
    unify(args[1], &ud);
    unify(args[2], &un);
    StringView *R = result->data;
    for (idx_t i = 0; i < count; i++) {
        sel_t row = sel[i];
        const StringView *s = UV_STR(us, row), *d = UV_STR(ud, row);
        int64_t n = UV_I64(un, row);
        if (n == 0)
            return error_set(err, SQLSTATE_INVALID_PARAMETER, -1,
                             "field position must not be zero");
        const char *text = sv_data(s), *delim = sv_data(d);
        if (d->len == 0) {
            /* the whole string is the only field */
            R[row] = n == 1 || n == -1 ? *s : sv_make("", 0);
            continue;
        }
        /* count the fields, then take field n counted from the start */
        int64_t fields = 1;
        for (const char *p = text, *end = text + s->len;
             (p = memmem(p, (size_t)(end - p), delim, d->len)) != NULL; p += d->len)
            fields++;
        int64_t want = n > 0 ? n : fields + n + 1; /* 1-based */
        if (want < 1 || want > fields) {
            R[row] = sv_make("", 0);
            continue;
        }
        const char *start = text, *end = text + s->len;
        for (int64_t k = 1; k < want; k++)
            start = (const char *)memmem(start, (size_t)(end - start), delim, d->len) + d->len;
        const char *stop = memmem(start, (size_t)(end - start), delim, d->len);
        if (!stop) stop = end;
        R[row] = sv_make(start, (uint32_t)(stop - start));
    }
    return BS_OK;
}

/* ---- starts_with, ends_with ---- */

DEFINE_BINARY(starts_with_kernel, StringView, StringView, uint8_t, {
    *r = b.len <= a.len && memcmp(sv_data(&a), sv_data(&b), b.len) == 0;
})
DEFINE_BINARY(ends_with_kernel, StringView, StringView, uint8_t, {
    *r = b.len <= a.len && memcmp(sv_data(&a) + (a.len - b.len), sv_data(&b), b.len) == 0;
})

/* ---- reverse(s): characters in reverse order ---- */

static Status reverse_kernel(KERNEL_ARGS)
{
    UnifiedVector us;
    unify(args[0], &us);
    StringView *R = result->data;
    for (idx_t i = 0; i < count; i++) {
        sel_t row = sel[i];
        const StringView *s = UV_STR(us, row);
        const char *text = sv_data(s);
        char *out = string_space(result, s->len, err);
        if (!out) return BS_ERROR;
        for (size_t k = 0; k < s->len;) {
            size_t n = char_len_at(text, s->len, k);
            memcpy(out + s->len - k - n, text + k, n);
            k += n;
        }
        R[row] = sv_make(out, s->len);
    }
    return BS_OK;
}

/* ---- repeat(s, n) ---- */

static Status repeat_kernel(KERNEL_ARGS)
{
    UnifiedVector us, un;
    unify(args[0], &us);
    unify(args[1], &un);
    StringView *R = result->data;
    for (idx_t i = 0; i < count; i++) {
        sel_t row = sel[i];
        const StringView *s = UV_STR(us, row);
        int64_t n = UV_I64(un, row);
        if (n <= 0 || s->len == 0) {
            R[row] = sv_make("", 0);
            continue;
        }
        if ((uint64_t)n > STRING_MAX_LEN / s->len) return too_long(err);
        size_t len = (size_t)n * s->len;
        char *out = string_space(result, len, err);
        if (!out) return BS_ERROR;
        const char *text = sv_data(s);
        for (int64_t k = 0; k < n; k++)
            memcpy(out + (size_t)k * s->len, text, s->len);
        R[row] = sv_make(out, (uint32_t)len);
    }
    return BS_OK;
}

/* ---- translate(s, from, to): each character of from becomes to's character at the same
   place, or is dropped when to is shorter ---- */

static Status translate_kernel(KERNEL_ARGS)
{
    UnifiedVector us, uf, ut;
    unify(args[0], &us);
    unify(args[1], &uf);
    unify(args[2], &ut);
    StringView *R = result->data;
    for (idx_t i = 0; i < count; i++) {
        sel_t row = sel[i];
        const StringView *s = UV_STR(us, row), *f = UV_STR(uf, row), *t = UV_STR(ut, row);
        const char *text = sv_data(s), *from = sv_data(f), *to = sv_data(t);
        /* a character grows at most from 1 to 4 bytes */
        size_t cap = (size_t)s->len * 4;
        if (cap > STRING_MAX_LEN) return too_long(err);
        char *out = string_space(result, cap, err);
        if (!out) return BS_ERROR;
        size_t w = 0;
        for (size_t k = 0; k < s->len;) {
            size_t n = char_len_at(text, s->len, k);
            /* the first occurrence of the character in from */
            int64_t at = -1, idx = 0;
            for (size_t q = 0; q < f->len; idx++) {
                size_t m = char_len_at(from, f->len, q);
                if (m == n && memcmp(from + q, text + k, n) == 0) {
                    at = idx;
                    break;
                }
                q += m;
            }
            if (at < 0) {
                memcpy(out + w, text + k, n);
                w += n;
            } else {
                size_t q = char_offset(to, t->len, at);
                if (q < t->len) {
                    size_t m = char_len_at(to, t->len, q);
                    memcpy(out + w, to + q, m);
                    w += m;
                }
            }
            k += n;
        }
        R[row] = sv_make(out, (uint32_t)w);
    }
    return BS_OK;
}

/* ---- initcap(s): the first letter or digit of each run of them upper case, the rest
   lower case (Unicode letters and digits, common/unicode.h) ---- */

static Status initcap_kernel(KERNEL_ARGS)
{
    UnifiedVector us;
    unify(args[0], &us);
    StringView *R = result->data;
    for (idx_t i = 0; i < count; i++) {
        sel_t row = sel[i];
        const StringView *s = UV_STR(us, row);
        size_t cap = utf8_case_bound(s->len);
        if (cap > UINT32_MAX) cap = UINT32_MAX;
        char *out = string_space(result, cap, err);
        if (!out) return BS_ERROR;
        size_t w = utf8_initcap(sv_data(s), s->len, out);
        if (w > UINT32_MAX)
            return error_set(err, SQLSTATE_PROGRAM_LIMIT, -1, "string is too long");
        R[row] = sv_make(out, (uint32_t)w);
    }
    return BS_OK;
}

/* ---- md5(s): RFC 1321, as 32 lower-case hex digits ---- */

typedef struct Md5 {
    uint32_t k[64]; /* floor(|sin(i + 1)| * 2^32) */
} Md5;

static void md5_init(Md5 *m)
{
    for (int i = 0; i < 64; i++)
        m->k[i] = (uint32_t)(fabs(sin((double)(i + 1))) * 4294967296.0);
}

static inline uint32_t rotl32(uint32_t x, int c)
{
    return (x << c) | (x >> (32 - c));
}

static void md5_block(const Md5 *m, uint32_t h[4], const unsigned char *block)
{
    static const int shift[4][4] = {{7, 12, 17, 22}, {5, 9, 14, 20}, {4, 11, 16, 23}, {6, 10, 15, 21}};
    uint32_t w[16];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)block[4 * i] | (uint32_t)block[4 * i + 1] << 8 |
               (uint32_t)block[4 * i + 2] << 16 | (uint32_t)block[4 * i + 3] << 24;
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3];
    for (int i = 0; i < 64; i++) {
        uint32_t f;
        int g;
        switch (i / 16) {
        case 0:
            f = (b & c) | (~b & d);
            g = i;
            break;
        case 1:
            f = (d & b) | (~d & c);
            g = (5 * i + 1) % 16;
            break;
        case 2:
            f = b ^ c ^ d;
            g = (3 * i + 5) % 16;
            break;
        default:
            f = c ^ (b | ~d);
            g = (7 * i) % 16;
            break;
        }
        f += a + m->k[i] + w[g];
        a = d;
        d = c;
        c = b;
        b += rotl32(f, shift[i / 16][i % 4]);
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
}

static void md5_hex(const Md5 *m, const char *data, size_t len, char out[32])
{
    uint32_t h[4] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
    size_t full = len / 64 * 64;
    for (size_t off = 0; off < full; off += 64)
        md5_block(m, h, (const unsigned char *)data + off);
    /* the tail, 0x80, zeros to 56 mod 64, then the bit length (little-endian) */
    unsigned char tail[128] = {0};
    size_t rest = len - full;
    memcpy(tail, data + full, rest);
    tail[rest] = 0x80;
    size_t tail_len = rest < 56 ? 64 : 128;
    uint64_t bits = (uint64_t)len * 8;
    for (int k = 0; k < 8; k++)
        tail[tail_len - 8 + (size_t)k] = (unsigned char)(bits >> (8 * k));
    for (size_t off = 0; off < tail_len; off += 64)
        md5_block(m, h, tail + off);
    static const char hex[] = "0123456789abcdef";
    for (int k = 0; k < 16; k++) {
        unsigned char byte = (unsigned char)(h[k / 4] >> (8 * (k % 4)));
        out[2 * k] = hex[byte >> 4];
        out[2 * k + 1] = hex[byte & 15];
    }
}

static Status md5_kernel(KERNEL_ARGS)
{
    Md5 m;
    md5_init(&m);
    UnifiedVector us;
    unify(args[0], &us);
    StringView *R = result->data;
    for (idx_t i = 0; i < count; i++) {
        sel_t row = sel[i];
        const StringView *s = UV_STR(us, row);
        char *out = string_space(result, 32, err);
        if (!out) return BS_ERROR;
        md5_hex(&m, sv_data(s), s->len, out);
        R[row] = sv_make(out, 32);
    }
    return BS_OK;
}

/* ---- ascii(s), chr(n), octet_length(s) ---- */

/* The code point of the UTF-8 character at s (len ≥ 1); a stray byte is its own value. */
static int32_t decode_utf8(const unsigned char *s, size_t len)
{
    unsigned char c = s[0];
    int n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    if ((size_t)n > len) return c;
    int32_t cp = n == 1 ? c : c & (0x3F >> (n - 1));
    for (int k = 1; k < n; k++)
        cp = (cp << 6) | (s[k] & 0x3F);
    return cp;
}

DEFINE_UNARY(ascii_kernel, StringView, int32_t, {
    *r = a.len == 0 ? 0 : decode_utf8((const unsigned char *)sv_data(&a), a.len);
})

DEFINE_UNARY(octet_length_kernel, StringView, int32_t, { *r = (int32_t)a.len; })

static Status chr_kernel(KERNEL_ARGS)
{
    UnifiedVector un;
    unify(args[0], &un);
    StringView *R = result->data;
    for (idx_t i = 0; i < count; i++) {
        sel_t row = sel[i];
        int64_t cp = UV_I64(un, row);
        if (cp < 0)
            return error_set(err, SQLSTATE_INVALID_PARAMETER, -1,
                             "character number must be positive");
        if (cp == 0) return error_set(err, SQLSTATE_PROGRAM_LIMIT, -1, "null character not permitted");
        if (cp > 0x10FFFF)
            return error_set(err, SQLSTATE_PROGRAM_LIMIT, -1,
                             "requested character too large for encoding: %lld", (long long)cp);
        if (cp >= 0xD800 && cp <= 0xDFFF)
            return error_set(err, SQLSTATE_PROGRAM_LIMIT, -1,
                             "requested character not valid for encoding: %lld", (long long)cp);
        char buf[4];
        uint32_t n;
        if (cp < 0x80) {
            buf[0] = (char)cp;
            n = 1;
        } else if (cp < 0x800) {
            buf[0] = (char)(0xC0 | (cp >> 6));
            buf[1] = (char)(0x80 | (cp & 0x3F));
            n = 2;
        } else if (cp < 0x10000) {
            buf[0] = (char)(0xE0 | (cp >> 12));
            buf[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
            buf[2] = (char)(0x80 | (cp & 0x3F));
            n = 3;
        } else {
            buf[0] = (char)(0xF0 | (cp >> 18));
            buf[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
            buf[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
            buf[3] = (char)(0x80 | (cp & 0x3F));
            n = 4;
        }
        R[row] = sv_make(buf, n); /* at most 4 bytes: stored inline */
    }
    return BS_OK;
}

/* ---- the table ---- */

/* True when the arguments are VARCHAR except at the positions sig marks 'I' (BIGINT). */
static bool args_match(const LogicalType *arg_types, int n_args, const char *sig)
{
    for (int k = 0; k < n_args; k++) {
        char want = sig[k < (int)strlen(sig) ? k : (int)strlen(sig) - 1];
        TypeId t = want == 'I' ? TYPE_BIGINT : TYPE_VARCHAR;
        if (arg_types[k].id != t) return false;
    }
    return true;
}

KernelFn string2_kernel(ScalarFuncId func, const LogicalType *arg_types, int n_args,
                        LogicalType ret, bool *strict)
{
    *strict = true;
    KernelFn fn = NULL;
    const char *sig = "S";
    TypeId writes = TYPE_VARCHAR;
    int min_args = 1, max_args = 1;
    switch (func) {
    case FN_STRPOS:
        fn = strpos_kernel, writes = TYPE_INTEGER, min_args = max_args = 2;
        break;
    case FN_BTRIM:
        fn = btrim_kernel, max_args = 2;
        break;
    case FN_LTRIM:
        fn = ltrim_kernel, max_args = 2;
        break;
    case FN_RTRIM:
        fn = rtrim_kernel, max_args = 2;
        break;
    case FN_REPLACE:
        fn = replace_kernel, min_args = max_args = 3;
        break;
    case FN_CONCAT_ARGS:
        fn = concat_args_kernel, max_args = INT32_MAX;
        *strict = false;
        break;
    case FN_CONCAT_WS:
        fn = concat_ws_kernel, min_args = 2, max_args = INT32_MAX;
        *strict = false;
        break;
    case FN_LEFT:
        fn = left_kernel, sig = "SI", min_args = max_args = 2;
        break;
    case FN_RIGHT:
        fn = right_kernel, sig = "SI", min_args = max_args = 2;
        break;
    case FN_LPAD:
        fn = lpad_kernel, sig = "SIS", min_args = 2, max_args = 3;
        break;
    case FN_RPAD:
        fn = rpad_kernel, sig = "SIS", min_args = 2, max_args = 3;
        break;
    case FN_SPLIT_PART:
        fn = split_part_kernel, sig = "SSI", min_args = max_args = 3;
        break;
    case FN_STARTS_WITH:
        fn = starts_with_kernel, writes = TYPE_BOOLEAN, min_args = max_args = 2;
        break;
    case FN_ENDS_WITH:
        fn = ends_with_kernel, writes = TYPE_BOOLEAN, min_args = max_args = 2;
        break;
    case FN_REVERSE:
        fn = reverse_kernel;
        break;
    case FN_REPEAT:
        fn = repeat_kernel, sig = "SI", min_args = max_args = 2;
        break;
    case FN_TRANSLATE:
        fn = translate_kernel, min_args = max_args = 3;
        break;
    case FN_INITCAP:
        fn = initcap_kernel;
        break;
    case FN_MD5:
        fn = md5_kernel;
        break;
    case FN_ASCII:
        fn = ascii_kernel, writes = TYPE_INTEGER;
        break;
    case FN_CHR:
        fn = chr_kernel, sig = "I";
        break;
    case FN_OCTET_LENGTH:
        fn = octet_length_kernel, writes = TYPE_INTEGER;
        break;
    default:
        return NULL;
    }
    if (n_args < min_args || n_args > max_args || ret.id != writes) return NULL;
    if (!args_match(arg_types, n_args, sig)) return NULL;
    return fn;
}
