/*
 * cast.h — conversions between types, one value at a time. The vectorized cast kernels
 * of exec/ and the constant folding of planner/ share these, so a cast gives the same
 * answer wherever it runs. Rounding follows PostgreSQL: numeric → integer and decimal
 * rescaling round half away from zero; double → integer rounds half to even (rint).
 */
#ifndef BASALT_COMMON_CAST_H
#define BASALT_COMMON_CAST_H

#include "common/value.h"

#include <math.h>

/* v with scale `from` → scale `to`, checking it fits `precision` digits. */
static inline bool decimal_rescale(int64_t v, int from, int to, int precision, int64_t *out)
{
    int64_t r;
    if (to >= from) {
        if (__builtin_mul_overflow(v, POW10[to - from], &r)) return false;
    } else {
        int64_t div = POW10[from - to];
        r = v / div;
        int64_t rem = v % div; /* same sign as v; 2*|rem| < 2e18 fits */
        if (rem * 2 >= div)
            r++;
        else if (rem * 2 <= -div)
            r--;
    }
    if (r >= POW10[precision] || r <= -POW10[precision]) return false;
    *out = r;
    return true;
}

/* Integer → DECIMAL(precision, scale). */
static inline bool int64_to_decimal(int64_t v, int precision, int scale, int64_t *out)
{
    return decimal_rescale(v, 0, scale, precision, out);
}

/* DECIMAL(·, scale) → integer, rounding half away from zero. */
static inline int64_t decimal_to_int64(int64_t v, int scale)
{
    if (scale == 0) return v;
    int64_t div = POW10[scale];
    int64_t q = v / div, rem = v % div;
    if (rem * 2 >= div)
        q++;
    else if (rem * 2 <= -div)
        q--;
    return q;
}

static inline double decimal_to_double(int64_t v, int scale)
{
    return (double)v / (double)POW10[scale];
}

/* DOUBLE → DECIMAL(precision, scale) of up to 18 digits; see double_to_decimal128. */
static inline bool double_to_decimal128(double v, int precision, int scale, int128_t *out);
static inline bool double_to_decimal(double v, int precision, int scale, int64_t *out)
{
    int128_t wide;
    if (!double_to_decimal128(v, precision, scale, &wide)) return false;
    *out = (int64_t)wide;
    return true;
}

/* DOUBLE → BIGINT rounding half to even; false if out of range or not finite. */
static inline bool double_to_int64(double v, int64_t *out)
{
    if (!isfinite(v)) return false;
    double r = rint(v);
    if (r < -9223372036854775808.0 || r >= 9223372036854775808.0) return false;
    *out = (int64_t)r;
    return true;
}

/* ---- 128-bit: HUGEINT and DECIMAL of up to 38 digits ---- */

/* True when |v| < 10^digits (digits may be <= 0: then only 0 qualifies). */
static inline bool int128_below_pow10(int128_t v, int digits)
{
    if (digits <= 0) return v == 0;
    if (digits > 38) return true;
    return v < POW10_128[digits] && v > -POW10_128[digits];
}

/* v / div rounded half away from zero (div > 0). */
static inline int128_t int128_div_round(int128_t v, int128_t div)
{
    int128_t q = v / div, rem = v % div; /* same sign as v */
    if (rem > 0 && rem >= div - rem)
        q++;
    else if (rem < 0 && -rem >= div + rem)
        q--;
    return q;
}

/* The 128-bit form of decimal_rescale: any integer or unscaled decimal up to 38 digits. */
static inline bool decimal128_rescale(int128_t v, int from, int to, int precision, int128_t *out)
{
    int128_t r;
    if (to >= from) {
        /* |v| * 10^k < 10^precision exactly when |v| < 10^(precision - k): no overflow */
        if (!int128_below_pow10(v, precision - (to - from))) return false;
        r = v * POW10_128[to - from];
    } else {
        int k = from - to;
        r = k > 38 ? 0 : int128_div_round(v, POW10_128[k]);
        if (!int128_below_pow10(r, precision)) return false;
    }
    *out = r;
    return true;
}

static inline double decimal128_to_double(int128_t v, int scale)
{
    return (double)v / (double)POW10_128[scale];
}

/* DOUBLE → DECIMAL(precision, scale) of any width, rounding half away from zero; false if
   out of range or not finite. */
static inline bool double_to_decimal128(double v, int precision, int scale, int128_t *out)
{
    if (!isfinite(v)) return false;
    double scaled = round(v * (double)POW10_128[scale]);
    if (!(fabs(scaled) < (double)POW10_128[precision])) return false;
    *out = (int128_t)scaled;
    return true;
}

/* DOUBLE → HUGEINT rounding half to even; false if out of range or not finite. */
static inline bool double_to_int128(double v, int128_t *out)
{
    if (!isfinite(v)) return false;
    double r = rint(v);
    /* 2^127 is exact as a double */
    if (r < -1.7014118346046923e38 || r >= 1.7014118346046923e38) return false;
    *out = (int128_t)r;
    return true;
}

/* DOUBLE → REAL, rounding to nearest; false when a finite value overflows to an infinity or
   a non-zero one underflows to 0 (PostgreSQL's float8 → float4). NaN and infinities pass. */
static inline bool double_to_float(double v, float *out)
{
    float f = (float)v;
    if ((isinf(f) && !isinf(v)) || (f == 0 && v != 0)) return false;
    *out = f;
    return true;
}

/*
 * True when values of `from` may be converted to `to` at all (explicit CAST); the
 * conversion may still fail for particular values.
 */
bool cast_is_possible(LogicalType from, LogicalType to);

/*
 * Converts one value. VARCHAR results are allocated in arena. Errors: 22P02 for text
 * that does not parse (22007 for intervals), 22003 for numbers out of range, 22008 for
 * dates out of range, 22015 for interval fields out of range;
 * `position` is attached to the error.
 */
Status value_cast(const Value *in, LogicalType to, Arena *arena, Value *out, int position,
                  Error *err);

/*
 * value_cast for the conversions that read a time zone (cast_needs_zone: timestamptz to
 * and from text, date, timestamp and time), in `zone` (NULL: UTC); any other conversion is
 * value_cast's. value_cast itself converts those in UTC.
 */
struct TimeZone;
Status value_cast_in_zone(const Value *in, LogicalType to, const struct TimeZone *zone,
                          Arena *arena, Value *out, int position, Error *err);
bool cast_needs_zone(LogicalType from, LogicalType to);

/*
 * CHAR(n) / VARCHAR(n): how many bytes of s (len bytes) the type keeps — CHAR drops
 * trailing spaces; beyond n characters the rest is cut, and *too_long tells whether what
 * was cut holds anything but spaces (an assignment then fails, an explicit cast does not).
 */
uint32_t string_fit(LogicalType to, const char *s, uint32_t len, bool *too_long);
/* 22001 "value too long for type character(n)". */
Status string_too_long(LogicalType to, int position, Error *err);

/* Text of a value (any type) in arena; NULL on allocation failure. */
char *value_to_text(const Value *v, Arena *arena, uint32_t *len);

#endif
