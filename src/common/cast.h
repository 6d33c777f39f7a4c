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

/* DOUBLE → DECIMAL(precision, scale), rounding half away from zero; false if out of range. */
static inline bool double_to_decimal(double v, int precision, int scale, int64_t *out)
{
    if (!isfinite(v)) return false;
    double scaled = round(v * (double)POW10[scale]);
    if (!(fabs(scaled) < (double)POW10[precision])) return false;
    *out = (int64_t)scaled;
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

/* Text of a value (any type) in arena; NULL on allocation failure. */
char *value_to_text(const Value *v, Arena *arena, uint32_t *len);

#endif
