/*
 * unicode.h — UTF-8 code points and their case, for lower, upper, initcap and ILIKE.
 *
 * Case mapping is Unicode's simple (one code point to one) mapping, as PostgreSQL's libc
 * provider applies it in a UTF-8 database: 'é' ↔ 'É', 'σ' ↔ 'Σ', 'ß' stays 'ß' (its full
 * upper case "SS" is two characters). The tables are the C library's, through a C.UTF-8
 * locale object (Debian's libc-bin has it); without one, only ASCII letters change.
 * Bytes that are not valid UTF-8 pass through unchanged.
 */
#ifndef BASALT_COMMON_UNICODE_H
#define BASALT_COMMON_UNICODE_H

#include "common/basics.h"

/* Decodes the code point at s (len > 0 bytes left): returns its length in bytes and sets
   *cp, or returns 1 with *cp = UINT32_MAX for a byte that does not start valid UTF-8. */
int utf8_decode(const char *s, size_t len, uint32_t *cp);

/* Writes cp as UTF-8 to out (room for 4 bytes); returns the bytes written. */
int utf8_encode(uint32_t cp, char *out);

uint32_t unicode_upper(uint32_t cp);
uint32_t unicode_lower(uint32_t cp);
/* A letter or a digit (initcap's word characters). */
bool unicode_is_alnum(uint32_t cp);

/* Most bytes a case mapping of len bytes may need (a 2-byte character's mapping may take 3). */
static inline size_t utf8_case_bound(size_t len)
{
    return len + len / 2 + 4;
}

/* Maps src (len bytes) to upper or lower case into dst (utf8_case_bound(len) bytes);
   returns the bytes written. */
size_t utf8_map_case(const char *src, size_t len, char *dst, bool upper);

/* initcap: the first letter or digit of each run of them upper case, the rest lower. */
size_t utf8_initcap(const char *src, size_t len, char *dst);

#endif
