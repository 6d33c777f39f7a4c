/*
 * array.c — the canonical encoding of one-dimensional arrays (see array.h), their order
 * and PostgreSQL's text forms (array_in / array_out).
 *
 * Callers: exec/'s array kernels and cast kernels, the planner's constant folding (through
 * value_cast), the server's output formats and storage's CSV reader.
 */
#include "common/array.h"

#include "common/cast.h"
#include "common/datetime.h"

#include <math.h>
#include <string.h>

#define ARRAY_MAX_BYTES (UINT32_MAX / 2)

bool array_elem_type_ok(LogicalType elem)
{
    return elem.id != TYPE_ARRAY && elem.id != TYPE_NULL && type_physical(elem) != PHYS_INVALID;
}

static uint32_t elem_width(LogicalType elem)
{
    return type_physical(elem) == PHYS_STRING ? 0 : (uint32_t)type_size(elem);
}

bool array_view_init(ArrayView *av, LogicalType elem, const char *bytes, size_t len)
{
    memset(av, 0, sizeof *av);
    const uint8_t *p = (const uint8_t *)bytes;
    if (len < 4) return false;
    uint32_t n = array_load_u32(p);
    size_t nb = ((size_t)n + 7) / 8;
    av->n = n;
    av->width = elem_width(elem);
    if (len - 4 < nb) return false;
    av->nulls = p + 4;
    size_t rest = len - 4 - nb;
    const uint8_t *q = p + 4 + nb;
    if (av->width) {
        if (rest != (size_t)n * av->width) return false;
        av->data = q;
        return true;
    }
    if (rest < (size_t)n * 4) return false;
    av->ends = q;
    av->data = q + (size_t)n * 4;
    size_t bytes_len = rest - (size_t)n * 4;
    uint32_t prev = 0;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t e = array_load_u32(av->ends + 4 * (size_t)k);
        if (e < prev) return false;
        prev = e;
    }
    return prev == bytes_len;
}

void array_get_value(const ArrayView *av, LogicalType elem, uint32_t k, Value *out)
{
    memset(out, 0, sizeof *out);
    out->type = elem;
    if (array_elem_is_null(av, k)) {
        out->is_null = true;
        return;
    }
    uint32_t len;
    const uint8_t *p = array_elem_bytes(av, k, &len);
    switch (type_physical(elem)) {
    case PHYS_BOOL:
        out->u.b = *p != 0;
        break;
    case PHYS_STRING:
        out->u.str.data = (const char *)p;
        out->u.str.len = len;
        break;
    case PHYS_INT8:
        memcpy(&out->u.i8, p, 1);
        break;
    case PHYS_INT16:
        memcpy(&out->u.i16, p, 2);
        break;
    case PHYS_INT32:
        memcpy(&out->u.i32, p, 4);
        break;
    case PHYS_FLOAT:
        memcpy(&out->u.f32, p, 4);
        break;
    case PHYS_INT64:
        memcpy(&out->u.i64, p, 8);
        break;
    case PHYS_DOUBLE:
        memcpy(&out->u.f64, p, 8);
        break;
    case PHYS_INT128:
        memcpy(&out->u.i128, p, 16);
        break;
    case PHYS_INTERVAL:
        memcpy(&out->u.iv, p, sizeof(Interval));
        break;
    case PHYS_INVALID:
        break;
    }
}

/* ---- building ---- */

void array_builder_init(ArrayBuilder *b, LogicalType elem)
{
    memset(b, 0, sizeof *b);
    b->elem = elem;
    b->width = elem_width(elem);
    buffer_init(&b->nulls);
    buffer_init(&b->ends);
    buffer_init(&b->data);
}

void array_builder_reset(ArrayBuilder *b)
{
    b->n = 0;
    buffer_clear(&b->nulls);
    buffer_clear(&b->ends);
    buffer_clear(&b->data);
}

void array_builder_free(ArrayBuilder *b)
{
    buffer_free(&b->nulls);
    buffer_free(&b->ends);
    buffer_free(&b->data);
}

static void add_slot(ArrayBuilder *b, bool is_null)
{
    if ((b->n & 7) == 0) buffer_put_u8(&b->nulls, 0);
    if (is_null && b->nulls.len) b->nulls.data[b->n >> 3] |= (uint8_t)(1u << (b->n & 7));
    b->n++;
}

void array_builder_add_null(ArrayBuilder *b)
{
    add_slot(b, true);
    if (b->width) {
        static const uint8_t zeros[32];
        buffer_put_bytes(&b->data, zeros, b->width);
    } else {
        buffer_put_u32(&b->ends, (uint32_t)b->data.len);
    }
}

void array_builder_add_bytes(ArrayBuilder *b, const void *bytes, uint32_t len)
{
    add_slot(b, false);
    buffer_put_bytes(&b->data, bytes, b->width ? b->width : len);
    if (!b->width) buffer_put_u32(&b->ends, (uint32_t)b->data.len);
}

void array_builder_add_physical(ArrayBuilder *b, const void *p)
{
    if (b->width) {
        if (type_physical(b->elem) == PHYS_BOOL) {
            uint8_t v = *(const uint8_t *)p != 0;
            array_builder_add_bytes(b, &v, 1);
        } else {
            array_builder_add_bytes(b, p, b->width);
        }
        return;
    }
    const StringView *sv = p;
    array_builder_add_bytes(b, sv_data(sv), sv->len);
}

void array_builder_add_value(ArrayBuilder *b, const Value *v)
{
    if (v->is_null) {
        array_builder_add_null(b);
        return;
    }
    switch (type_physical(b->elem)) {
    case PHYS_BOOL: {
        uint8_t x = v->u.b;
        array_builder_add_bytes(b, &x, 1);
        break;
    }
    case PHYS_STRING:
        array_builder_add_bytes(b, v->u.str.data, v->u.str.len);
        break;
    case PHYS_INT8:
        array_builder_add_bytes(b, &v->u.i8, 1);
        break;
    case PHYS_INT16:
        array_builder_add_bytes(b, &v->u.i16, 2);
        break;
    case PHYS_INT32:
        array_builder_add_bytes(b, &v->u.i32, 4);
        break;
    case PHYS_FLOAT:
        array_builder_add_bytes(b, &v->u.f32, 4);
        break;
    case PHYS_INT64:
        array_builder_add_bytes(b, &v->u.i64, 8);
        break;
    case PHYS_DOUBLE:
        array_builder_add_bytes(b, &v->u.f64, 8);
        break;
    case PHYS_INT128:
        array_builder_add_bytes(b, &v->u.i128, 16);
        break;
    case PHYS_INTERVAL:
        array_builder_add_bytes(b, &v->u.iv, sizeof(Interval));
        break;
    case PHYS_INVALID:
        array_builder_add_null(b);
        break;
    }
}

void array_builder_add_from(ArrayBuilder *b, const ArrayView *av, uint32_t k)
{
    if (array_elem_is_null(av, k)) {
        array_builder_add_null(b);
        return;
    }
    uint32_t len;
    const uint8_t *p = array_elem_bytes(av, k, &len);
    array_builder_add_bytes(b, p, len);
}

Status array_builder_finish(ArrayBuilder *b, Arena *arena, const char **out, uint32_t *len,
                            Error *err)
{
    if (!buffer_ok(&b->nulls) || !buffer_ok(&b->ends) || !buffer_ok(&b->data))
        return error_set(err, SQLSTATE_OUT_OF_MEMORY, -1, "out of memory building an array");
    size_t total = 4 + b->nulls.len + b->ends.len + b->data.len;
    if (total > ARRAY_MAX_BYTES)
        return error_set(err, SQLSTATE_PROGRAM_LIMIT, -1, "array size exceeds the maximum allowed");
    char *dst = arena_alloc(arena, total);
    if (!dst) return arena_error(arena, err);
    uint8_t *p = (uint8_t *)dst;
    p[0] = (uint8_t)b->n;
    p[1] = (uint8_t)(b->n >> 8);
    p[2] = (uint8_t)(b->n >> 16);
    p[3] = (uint8_t)(b->n >> 24);
    p += 4;
    if (b->nulls.len) memcpy(p, b->nulls.data, b->nulls.len);
    p += b->nulls.len;
    if (b->ends.len) memcpy(p, b->ends.data, b->ends.len);
    p += b->ends.len;
    if (b->data.len) memcpy(p, b->data.data, b->data.len);
    *out = dst;
    *len = (uint32_t)total;
    return BS_OK;
}

/* ---- order ---- */

#define CMP3(a, b) (((a) > (b)) - ((a) < (b)))

int array_elem_compare(LogicalType elem, const uint8_t *a, const uint8_t *b, uint32_t la,
                       uint32_t lb)
{
    switch (type_physical(elem)) {
    case PHYS_BOOL:
    case PHYS_INT8: {
        int8_t x, y;
        memcpy(&x, a, 1);
        memcpy(&y, b, 1);
        return elem.id == TYPE_BOOLEAN ? CMP3((uint8_t)x, (uint8_t)y) : CMP3(x, y);
    }
    case PHYS_INT16: {
        int16_t x, y;
        memcpy(&x, a, 2);
        memcpy(&y, b, 2);
        return CMP3(x, y);
    }
    case PHYS_INT32: {
        int32_t x, y;
        memcpy(&x, a, 4);
        memcpy(&y, b, 4);
        return CMP3(x, y);
    }
    case PHYS_INT64: {
        int64_t x, y;
        memcpy(&x, a, 8);
        memcpy(&y, b, 8);
        return CMP3(x, y);
    }
    case PHYS_INT128: {
        int128_t x, y;
        memcpy(&x, a, 16);
        memcpy(&y, b, 16);
        return CMP3(x, y);
    }
    case PHYS_FLOAT: {
        float x, y;
        memcpy(&x, a, 4);
        memcpy(&y, b, 4);
        if (isnan(x) || isnan(y)) return isnan(x) - isnan(y);
        return CMP3(x, y);
    }
    case PHYS_DOUBLE: {
        double x, y;
        memcpy(&x, a, 8);
        memcpy(&y, b, 8);
        if (isnan(x) || isnan(y)) return isnan(x) - isnan(y);
        return CMP3(x, y);
    }
    case PHYS_INTERVAL: {
        Interval x, y;
        memcpy(&x, a, sizeof x);
        memcpy(&y, b, sizeof y);
        return interval_compare(&x, &y);
    }
    case PHYS_STRING: {
        uint32_t min = la < lb ? la : lb;
        int c = min ? memcmp(a, b, min) : 0;
        if (c) return c < 0 ? -1 : 1;
        return CMP3(la, lb);
    }
    case PHYS_INVALID:
        break;
    }
    return 0;
}

int array_compare(LogicalType type, const char *a, size_t la, const char *b, size_t lb)
{
    LogicalType elem = type_array_elem(type);
    ArrayView x, y;
    if (!array_view_init(&x, elem, a, la) || !array_view_init(&y, elem, b, lb)) {
        /* damaged bytes: order them as bytes so that sorting still terminates */
        size_t min = la < lb ? la : lb;
        int c = min ? memcmp(a, b, min) : 0;
        return c ? (c < 0 ? -1 : 1) : CMP3(la, lb);
    }
    uint32_t n = x.n < y.n ? x.n : y.n;
    for (uint32_t k = 0; k < n; k++) {
        bool nx = array_elem_is_null(&x, k), ny = array_elem_is_null(&y, k);
        if (nx || ny) {
            if (nx != ny) return nx ? 1 : -1;
            continue;
        }
        uint32_t lx, ly;
        const uint8_t *px = array_elem_bytes(&x, k, &lx), *py = array_elem_bytes(&y, k, &ly);
        int c = array_elem_compare(elem, px, py, lx, ly);
        if (c) return c;
    }
    return CMP3(x.n, y.n);
}

/* ---- text input (PostgreSQL's array_in) ---- */

static bool is_array_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static Status malformed(const char *s, size_t len, int position, const char *detail, Error *err)
{
    int shown = len > 200 ? 200 : (int)len;
    error_set(err, SQLSTATE_INVALID_TEXT, position, "malformed array literal: \"%.*s%s\"", shown, s,
              len > 200 ? "..." : "");
    error_set_detail(err, "%s", detail);
    return BS_ERROR;
}

/* Parses element text (unescaped) as the element type and appends it. */
static Status add_parsed(ArrayBuilder *b, const char *text, size_t len, int position, Error *err)
{
    union {
        uint8_t b;
        int8_t i8;
        int16_t i16;
        int32_t i32;
        float f32;
        int64_t i64;
        double f64;
        Interval iv;
        int128_t i128;
        StringView sv;
    } raw;
    memset(&raw, 0, sizeof raw);
    if (type_physical(b->elem) == PHYS_STRING) {
        if (len > ARRAY_MAX_BYTES)
            return error_set(err, SQLSTATE_PROGRAM_LIMIT, position, "array element too long");
        array_builder_add_bytes(b, text, (uint32_t)len);
        return BS_OK;
    }
    ParseResult r = parse_as_type(text, len, b->elem, &raw);
    if (r != PARSE_OK) return parse_error(err, r, b->elem, text, len, position);
    array_builder_add_physical(b, &raw);
    return BS_OK;
}

Status array_parse(const char *s, size_t len, LogicalType type, Arena *arena, const char **out,
                   uint32_t *out_len, int position, Error *err)
{
    LogicalType elem = type_array_elem(type);
    ArrayBuilder b;
    array_builder_init(&b, elem);
    Buffer text;
    buffer_init(&text);
    Status st = BS_OK;
    size_t p = 0;
    while (p < len && is_array_space(s[p]))
        p++;
    if (p < len && s[p] == '[') {
        st = error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, position,
                       "array literals with explicit bounds are not supported: \"%.*s\"",
                       (int)(len > 200 ? 200 : len), s);
        goto done;
    }
    if (p >= len || s[p] != '{') {
        st = malformed(s, len, position, "Array value must start with \"{\" or dimension "
                                         "information.", err);
        goto done;
    }
    p++;
    while (p < len && is_array_space(s[p]))
        p++;
    if (p < len && s[p] == '}') {
        p++;
    } else {
        for (;;) {
            while (p < len && is_array_space(s[p]))
                p++;
            if (p >= len) {
                st = malformed(s, len, position, "Unexpected end of input.", err);
                goto done;
            }
            if (s[p] == '{') {
                st = error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, position,
                               "multidimensional arrays are not supported");
                goto done;
            }
            buffer_clear(&text);
            bool quoted = false, any = false;
            size_t keep = 0; /* text length without trailing unquoted blanks */
            while (p < len) {
                char c = s[p];
                if (c == '"' && !any) {
                    quoted = true;
                    any = true;
                    p++;
                    while (p < len && s[p] != '"') {
                        if (s[p] == '\\' && p + 1 < len) p++;
                        buffer_put_u8(&text, (uint8_t)s[p]);
                        p++;
                    }
                    if (p >= len) {
                        st = malformed(s, len, position, "Unexpected end of input.", err);
                        goto done;
                    }
                    p++; /* closing quote */
                    keep = text.len;
                    while (p < len && is_array_space(s[p]))
                        p++;
                    break;
                }
                if (c == ',' || c == '}') break;
                if (c == '"' || c == '{') {
                    st = malformed(s, len, position, "Unexpected array element.", err);
                    goto done;
                }
                if (c == '\\') {
                    if (p + 1 >= len) {
                        st = malformed(s, len, position, "Unexpected end of input.", err);
                        goto done;
                    }
                    p++;
                    buffer_put_u8(&text, (uint8_t)s[p]);
                    keep = text.len;
                    any = true;
                    p++;
                    continue;
                }
                if (!(is_array_space(c) && !any)) {
                    buffer_put_u8(&text, (uint8_t)c);
                    if (!is_array_space(c)) keep = text.len;
                    any = true;
                }
                p++;
            }
            if (p >= len) {
                st = malformed(s, len, position, "Unexpected end of input.", err);
                goto done;
            }
            if (!any) {
                st = malformed(s, len, position, "Unexpected \",\" character.", err);
                if (s[p] == '}') error_set_detail(err, "Unexpected \"}\" character.");
                goto done;
            }
            if (!buffer_ok(&text)) {
                st = error_set(err, SQLSTATE_OUT_OF_MEMORY, position, "out of memory");
                goto done;
            }
            const char *t = (const char *)text.data;
            if (!quoted && keep == 4 && (t[0] | 32) == 'n' && (t[1] | 32) == 'u' &&
                (t[2] | 32) == 'l' && (t[3] | 32) == 'l') {
                array_builder_add_null(&b);
            } else if ((st = add_parsed(&b, keep ? t : "", keep, position, err)) != BS_OK) {
                goto done;
            }
            char sep = s[p++];
            if (sep == '}') break;
            if (sep != ',') {
                st = malformed(s, len, position, "Unexpected array element.", err);
                goto done;
            }
        }
    }
    while (p < len && is_array_space(s[p]))
        p++;
    if (p < len) {
        st = malformed(s, len, position, "Junk after closing right brace.", err);
        goto done;
    }
    st = array_builder_finish(&b, arena, out, out_len, err);
done:
    buffer_free(&text);
    array_builder_free(&b);
    return st;
}

/* ---- text output (PostgreSQL's array_out) ---- */

static bool needs_quotes(const char *s, size_t len)
{
    if (len == 0) return true;
    if (len == 4 && (s[0] | 32) == 'n' && (s[1] | 32) == 'u' && (s[2] | 32) == 'l' &&
        (s[3] | 32) == 'l')
        return true;
    for (size_t k = 0; k < len; k++) {
        char c = s[k];
        if (c == '{' || c == '}' || c == ',' || c == '"' || c == '\\' || is_array_space(c))
            return true;
    }
    return false;
}

void array_format(Buffer *buf, LogicalType type, const char *bytes, size_t len)
{
    LogicalType elem = type_array_elem(type);
    ArrayView av;
    if (!array_view_init(&av, elem, bytes, len)) {
        buffer_printf(buf, "{?}");
        return;
    }
    buffer_put_u8(buf, '{');
    for (uint32_t k = 0; k < av.n; k++) {
        if (k) buffer_put_u8(buf, ',');
        if (array_elem_is_null(&av, k)) {
            buffer_printf(buf, "NULL");
            continue;
        }
        Value v;
        array_get_value(&av, elem, k, &v);
        char tmp[VALUE_TEXT_MAX];
        const char *s = tmp;
        size_t n;
        if (type_physical(elem) == PHYS_STRING) {
            s = v.u.str.data;
            n = v.u.str.len;
        } else {
            n = (size_t)format_value(&v, tmp);
        }
        if (!needs_quotes(s, n)) {
            buffer_put_bytes(buf, s, n);
            continue;
        }
        buffer_put_u8(buf, '"');
        for (size_t q = 0; q < n; q++) {
            if (s[q] == '"' || s[q] == '\\') buffer_put_u8(buf, '\\');
            buffer_put_u8(buf, (uint8_t)s[q]);
        }
        buffer_put_u8(buf, '"');
    }
    buffer_put_u8(buf, '}');
}

char *array_to_text(LogicalType type, const char *bytes, size_t len, Arena *arena,
                    uint32_t *out_len)
{
    Buffer buf;
    buffer_init(&buf);
    array_format(&buf, type, bytes, len);
    char *s = NULL;
    if (buffer_ok(&buf) && buf.len <= ARRAY_MAX_BYTES) {
        s = arena_strndup(arena, buf.len ? (const char *)buf.data : "", buf.len);
        if (s) *out_len = (uint32_t)buf.len;
    }
    buffer_free(&buf);
    return s;
}

/* ---- casts between element types ---- */

Status array_cast(const char *bytes, size_t len, LogicalType from, LogicalType to, Arena *arena,
                  const char **out, uint32_t *out_len, int position, Error *err)
{
    LogicalType fe = type_array_elem(from), te = type_array_elem(to);
    ArrayView av;
    if (!array_view_init(&av, fe, bytes, len))
        return error_set(err, SQLSTATE_DATA_CORRUPTED, position, "damaged array value");
    ArrayBuilder b;
    array_builder_init(&b, te);
    Arena *tmp = arena_create(NULL, NULL, 0);
    Status st = tmp ? BS_OK : error_oom(err);
    for (uint32_t k = 0; k < av.n && st == BS_OK; k++) {
        Value v, c;
        array_get_value(&av, fe, k, &v);
        if ((st = value_cast(&v, te, tmp, &c, position, err)) != BS_OK) break;
        array_builder_add_value(&b, &c);
        if ((k & 1023) == 1023) arena_reset(tmp);
    }
    if (st == BS_OK) st = array_builder_finish(&b, arena, out, out_len, err);
    arena_destroy(tmp);
    array_builder_free(&b);
    return st;
}
