/*
 * buffer.c — growable byte buffer and bounds-checked reader.
 */
#include "common/buffer.h"

#include "common/alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void buffer_init(Buffer *buf)
{
    buf->data = NULL;
    buf->len = buf->cap = 0;
    buf->failed = false;
}

void buffer_free(Buffer *buf)
{
    bs_free(buf->data);
    buffer_init(buf);
}

void buffer_clear(Buffer *buf)
{
    buf->len = 0;
    buf->failed = false;
}

bool buffer_reserve(Buffer *buf, size_t extra)
{
    if (buf->failed) return false;
    if (extra <= buf->cap - buf->len) return true;
    if (extra > SIZE_MAX / 2 - buf->len) {
        buf->failed = true;
        return false;
    }
    size_t cap = buf->cap ? buf->cap : 64;
    while (cap - buf->len < extra)
        cap *= 2;
    uint8_t *data = bs_realloc(buf->data, cap);
    if (!data) {
        buf->failed = true;
        return false;
    }
    buf->data = data;
    buf->cap = cap;
    return true;
}

void buffer_put_bytes(Buffer *buf, const void *data, size_t len)
{
    if (!len || !buffer_reserve(buf, len)) return;
    memcpy(buf->data + buf->len, data, len);
    buf->len += len;
}

void buffer_put_u8(Buffer *buf, uint8_t v)
{
    buffer_put_bytes(buf, &v, 1);
}

void buffer_put_u16(Buffer *buf, uint16_t v)
{
    uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    buffer_put_bytes(buf, b, 2);
}

void buffer_put_u32(Buffer *buf, uint32_t v)
{
    uint8_t b[4];
    store_u32le(b, v);
    buffer_put_bytes(buf, b, 4);
}

void buffer_put_u64(Buffer *buf, uint64_t v)
{
    uint8_t b[8];
    store_u64le(b, v);
    buffer_put_bytes(buf, b, 8);
}

void buffer_put_f64(Buffer *buf, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, 8);
    buffer_put_u64(buf, bits);
}

void buffer_put_uvarint(Buffer *buf, uint64_t v)
{
    uint8_t b[10];
    int n = 0;
    while (v >= 0x80) {
        b[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    b[n++] = (uint8_t)v;
    buffer_put_bytes(buf, b, (size_t)n);
}

void buffer_put_svarint(Buffer *buf, int64_t v)
{
    buffer_put_uvarint(buf, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

void buffer_put_lstring(Buffer *buf, const char *s, size_t len)
{
    buffer_put_uvarint(buf, len);
    buffer_put_bytes(buf, s, len);
}

void buffer_put_cstr(Buffer *buf, const char *s)
{
    buffer_put_u8(buf, s != NULL);
    if (s) buffer_put_lstring(buf, s, strlen(s));
}

void buffer_printf(Buffer *buf, const char *fmt, ...)
{
    va_list ap, copy;
    va_start(ap, fmt);
    va_copy(copy, ap);
    int len = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (len >= 0 && buffer_reserve(buf, (size_t)len + 1)) {
        vsnprintf((char *)buf->data + buf->len, (size_t)len + 1, fmt, ap);
        buf->len += (size_t)len;
    }
    va_end(ap);
}

void buffer_terminate(Buffer *buf)
{
    if (!buffer_reserve(buf, 1)) return;
    buf->data[buf->len] = '\0';
}

void buffer_patch_u32(Buffer *buf, size_t offset, uint32_t v)
{
    if (buf->failed || offset + 4 > buf->len) return;
    store_u32le(buf->data + offset, v);
}

uint8_t *buffer_steal(Buffer *buf, size_t *len)
{
    uint8_t *data = buf->data;
    *len = buf->len;
    buffer_init(buf);
    return data;
}

const uint8_t *bufreader_bytes(BufReader *r, size_t len)
{
    if (r->failed || len > (size_t)(r->end - r->p)) {
        r->failed = true;
        return NULL;
    }
    const uint8_t *p = r->p;
    r->p += len;
    return p;
}

uint8_t bufreader_u8(BufReader *r)
{
    const uint8_t *p = bufreader_bytes(r, 1);
    return p ? p[0] : 0;
}

uint16_t bufreader_u16(BufReader *r)
{
    const uint8_t *p = bufreader_bytes(r, 2);
    return p ? (uint16_t)(p[0] | p[1] << 8) : 0;
}

uint32_t bufreader_u32(BufReader *r)
{
    const uint8_t *p = bufreader_bytes(r, 4);
    return p ? load_u32le(p) : 0;
}

uint64_t bufreader_u64(BufReader *r)
{
    const uint8_t *p = bufreader_bytes(r, 8);
    return p ? load_u64le(p) : 0;
}

double bufreader_f64(BufReader *r)
{
    uint64_t bits = bufreader_u64(r);
    double v;
    memcpy(&v, &bits, 8);
    return v;
}

uint64_t bufreader_uvarint(BufReader *r)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        const uint8_t *p = bufreader_bytes(r, 1);
        if (!p) return 0;
        v |= (uint64_t)(p[0] & 0x7f) << shift;
        if (!(p[0] & 0x80)) return v;
    }
    r->failed = true; /* more than 10 bytes: garbage */
    return 0;
}

int64_t bufreader_svarint(BufReader *r)
{
    uint64_t u = bufreader_uvarint(r);
    return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

const char *bufreader_lstring(BufReader *r, size_t *len)
{
    uint64_t n = bufreader_uvarint(r);
    if (r->failed || n > bufreader_left(r)) {
        r->failed = true;
        *len = 0;
        return NULL;
    }
    *len = (size_t)n;
    return (const char *)bufreader_bytes(r, (size_t)n);
}
