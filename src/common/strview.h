/*
 * strview.h — 16-byte string views (the layout of Umbra and DuckDB).
 *
 *   len (4 bytes) | prefix (4 bytes) | rest (8 bytes)
 *
 * Strings of up to 12 bytes live inline in prefix+rest; longer ones keep their first 4
 * bytes in prefix and a pointer to the whole string in rest. The bytes a pointer refers
 * to belong to an arena (normally the chunk's) and are not NUL-terminated. Comparisons
 * look at length and prefix before touching memory.
 */
#ifndef BASALT_COMMON_STRVIEW_H
#define BASALT_COMMON_STRVIEW_H

#include "common/basics.h"

#include <string.h>

#define STRVIEW_INLINE_LEN 12

typedef struct StringView {
    uint32_t len;
    char prefix[4];
    union {
        char inl[8];
        const char *ptr;
    } u;
} StringView;

_Static_assert(sizeof(StringView) == 16, "StringView must be 16 bytes");

static inline bool sv_is_inline(const StringView *s)
{
    return s->len <= STRVIEW_INLINE_LEN;
}

/* The bytes of s; for inline strings a pointer into *s itself. */
static inline const char *sv_data(const StringView *s)
{
    return sv_is_inline(s) ? s->prefix : s->u.ptr;
}

/*
 * A view of len bytes at data. Short strings are copied inline; for long ones the view
 * points at data, which must outlive it.
 */
static inline StringView sv_make(const char *data, uint32_t len)
{
    StringView s;
    memset(&s, 0, sizeof s);
    s.len = len;
    if (len <= STRVIEW_INLINE_LEN) {
        if (len) memcpy(s.prefix, data, len);
    } else {
        memcpy(s.prefix, data, 4);
        s.u.ptr = data;
    }
    return s;
}

static inline StringView sv_from_cstr(const char *cstr)
{
    return sv_make(cstr, (uint32_t)strlen(cstr));
}

static inline bool sv_equal(const StringView *a, const StringView *b)
{
    uint64_t ha, hb;
    memcpy(&ha, a, 8);
    memcpy(&hb, b, 8);
    if (ha != hb) return false; /* length or prefix differ */
    if (a->len <= STRVIEW_INLINE_LEN) return memcmp(a->u.inl, b->u.inl, 8) == 0;
    return memcmp(a->u.ptr, b->u.ptr, a->len) == 0;
}

/* Byte-wise comparison (the C collation): <0, 0, >0. */
static inline int sv_compare(const StringView *a, const StringView *b)
{
    uint32_t min = a->len < b->len ? a->len : b->len;
    uint32_t pre = min < 4 ? min : 4;
    int c = memcmp(a->prefix, b->prefix, pre);
    if (c != 0) return c;
    if (min > 4) {
        c = memcmp(sv_data(a) + 4, sv_data(b) + 4, min - 4);
        if (c != 0) return c;
    }
    return (a->len > b->len) - (a->len < b->len);
}

#endif
