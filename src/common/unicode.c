/*
 * unicode.c — UTF-8 decoding and case mapping (see unicode.h).
 *
 * The C.UTF-8 locale object is made once per process and only read after that (towupper_l
 * and friends take it as an argument: no global locale is changed, so threads may map
 * case at once).
 */
#include "common/unicode.h"

#include <locale.h>
#include <pthread.h>
#include <wctype.h>

static locale_t g_utf8;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

static void open_locale(void)
{
    g_utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
    if (!g_utf8) g_utf8 = newlocale(LC_CTYPE_MASK, "C.utf8", (locale_t)0);
}

static locale_t utf8_locale(void)
{
    pthread_once(&g_once, open_locale);
    return g_utf8;
}

int utf8_decode(const char *s, size_t len, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    unsigned char c = u[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    int n;
    uint32_t v, min;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2, v = c & 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3, v = c & 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4, v = c & 0x07, min = 0x10000;
    } else {
        *cp = UINT32_MAX;
        return 1;
    }
    if ((size_t)n > len) {
        *cp = UINT32_MAX;
        return 1;
    }
    for (int k = 1; k < n; k++) {
        if ((u[k] & 0xC0) != 0x80) {
            *cp = UINT32_MAX;
            return 1;
        }
        v = (v << 6) | (u[k] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
        *cp = UINT32_MAX;
        return 1;
    }
    *cp = v;
    return n;
}

int utf8_encode(uint32_t cp, char *out)
{
    unsigned char *o = (unsigned char *)out;
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | (cp >> 6));
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | (cp >> 12));
        o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | (cp >> 18));
    o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

/* A mapping the library gives must be a valid code point (not a surrogate). */
static uint32_t checked(uint32_t cp, wint_t mapped)
{
    uint32_t m = (uint32_t)mapped;
    return m <= 0x10FFFF && !(m >= 0xD800 && m <= 0xDFFF) ? m : cp;
}

uint32_t unicode_upper(uint32_t cp)
{
    if (cp < 0x80) return cp >= 'a' && cp <= 'z' ? cp - 'a' + 'A' : cp;
    locale_t l = utf8_locale();
    return l ? checked(cp, towupper_l((wint_t)cp, l)) : cp;
}

uint32_t unicode_lower(uint32_t cp)
{
    if (cp < 0x80) return cp >= 'A' && cp <= 'Z' ? cp - 'A' + 'a' : cp;
    locale_t l = utf8_locale();
    return l ? checked(cp, towlower_l((wint_t)cp, l)) : cp;
}

bool unicode_is_alnum(uint32_t cp)
{
    if (cp < 0x80)
        return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9');
    locale_t l = utf8_locale();
    return l ? iswalnum_l((wint_t)cp, l) != 0 : true; /* without tables: part of a word */
}

size_t utf8_map_case(const char *src, size_t len, char *dst, bool upper)
{
    size_t w = 0;
    for (size_t k = 0; k < len;) {
        unsigned char c = (unsigned char)src[k];
        if (c < 0x80) { /* ASCII: no decoding */
            if (upper && c >= 'a' && c <= 'z') c = (unsigned char)(c - 'a' + 'A');
            if (!upper && c >= 'A' && c <= 'Z') c = (unsigned char)(c - 'A' + 'a');
            dst[w++] = (char)c;
            k++;
            continue;
        }
        uint32_t cp;
        int n = utf8_decode(src + k, len - k, &cp);
        if (cp == UINT32_MAX) {
            dst[w++] = src[k++];
            continue;
        }
        w += (size_t)utf8_encode(upper ? unicode_upper(cp) : unicode_lower(cp), dst + w);
        k += (size_t)n;
    }
    return w;
}

size_t utf8_initcap(const char *src, size_t len, char *dst)
{
    size_t w = 0;
    bool in_word = false;
    for (size_t k = 0; k < len;) {
        uint32_t cp;
        int n = utf8_decode(src + k, len - k, &cp);
        if (cp == UINT32_MAX) { /* an invalid byte: kept, and part of a word */
            dst[w++] = src[k++];
            in_word = true;
            continue;
        }
        bool alnum = unicode_is_alnum(cp);
        uint32_t mapped = !alnum ? cp : in_word ? unicode_lower(cp) : unicode_upper(cp);
        w += (size_t)utf8_encode(mapped, dst + w);
        in_word = alnum;
        k += (size_t)n;
    }
    return w;
}
