/*
 * buffer.h — a growable byte buffer for serialization, and a bounds-checked reader.
 *
 * Integers are little-endian; varints are LEB128 (unsigned) and zigzag (signed).
 * Writers never fail part-way visibly: an allocation failure makes the buffer `failed`
 * and later writes do nothing; check buffer_ok() once at the end. A reader that runs
 * past its end (truncated or garbage input) becomes `failed` and returns zeros; check
 * bufreader_ok() once at the end. Neither ever reads or writes out of bounds.
 */
#ifndef BASALT_COMMON_BUFFER_H
#define BASALT_COMMON_BUFFER_H

#include "common/basics.h"
#include "common/error.h"

typedef struct Buffer {
    uint8_t *data; /* bs_malloc'd */
    size_t len, cap;
    bool failed;
} Buffer;

void buffer_init(Buffer *buf);
void buffer_free(Buffer *buf);
void buffer_clear(Buffer *buf); /* len = 0, keeps memory */
/* Ensures room for `extra` more bytes; false (and failed) on allocation failure. */
bool buffer_reserve(Buffer *buf, size_t extra);
static inline bool buffer_ok(const Buffer *buf)
{
    return !buf->failed;
}
void buffer_put_bytes(Buffer *buf, const void *data, size_t len);
void buffer_put_u8(Buffer *buf, uint8_t v);
void buffer_put_u16(Buffer *buf, uint16_t v);
void buffer_put_u32(Buffer *buf, uint32_t v);
void buffer_put_u64(Buffer *buf, uint64_t v);
void buffer_put_f64(Buffer *buf, double v);
void buffer_put_uvarint(Buffer *buf, uint64_t v);
void buffer_put_svarint(Buffer *buf, int64_t v);
/* A varint length followed by the bytes. */
void buffer_put_lstring(Buffer *buf, const char *s, size_t len);
/* A NUL-terminated string (NULL allowed) as an lstring with a presence flag. */
void buffer_put_cstr(Buffer *buf, const char *s);
/* Appends printf-formatted text (no NUL terminator is counted in len). */
void buffer_printf(Buffer *buf, const char *fmt, ...) BS_PRINTF(2, 3);
/* Appends a NUL after the contents without counting it, so data is a C string. */
void buffer_terminate(Buffer *buf);
/* Overwrites 4 bytes at offset (for lengths known only at the end). */
void buffer_patch_u32(Buffer *buf, size_t offset, uint32_t v);
/* Moves the bytes out: the caller owns *data (bs_free); the buffer is left empty. */
uint8_t *buffer_steal(Buffer *buf, size_t *len);

typedef struct BufReader {
    const uint8_t *p, *end;
    bool failed;
} BufReader;

static inline void bufreader_init(BufReader *r, const void *data, size_t len)
{
    r->p = data;
    r->end = r->p + len;
    r->failed = false;
}
static inline bool bufreader_ok(const BufReader *r)
{
    return !r->failed;
}
static inline size_t bufreader_left(const BufReader *r)
{
    return (size_t)(r->end - r->p);
}
/* Returns a pointer to the next len bytes and skips them; NULL (and failed) if short. */
const uint8_t *bufreader_bytes(BufReader *r, size_t len);
uint8_t bufreader_u8(BufReader *r);
uint16_t bufreader_u16(BufReader *r);
uint32_t bufreader_u32(BufReader *r);
uint64_t bufreader_u64(BufReader *r);
double bufreader_f64(BufReader *r);
uint64_t bufreader_uvarint(BufReader *r);
int64_t bufreader_svarint(BufReader *r);
/* An lstring: returns a view into the input and its length; NULL (failed) if short. */
const char *bufreader_lstring(BufReader *r, size_t *len);

/* Little-endian loads and stores on unaligned memory. */
static inline uint32_t load_u32le(const void *p)
{
    const uint8_t *b = p;
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}
static inline uint64_t load_u64le(const void *p)
{
    const uint8_t *b = p;
    return (uint64_t)load_u32le(b) | (uint64_t)load_u32le(b + 4) << 32;
}
static inline void store_u32le(void *p, uint32_t v)
{
    uint8_t *b = p;
    b[0] = (uint8_t)v;
    b[1] = (uint8_t)(v >> 8);
    b[2] = (uint8_t)(v >> 16);
    b[3] = (uint8_t)(v >> 24);
}
static inline void store_u64le(void *p, uint64_t v)
{
    store_u32le(p, (uint32_t)v);
    store_u32le((uint8_t *)p + 4, (uint32_t)(v >> 32));
}

#endif
