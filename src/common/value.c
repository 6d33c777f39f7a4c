/*
 * value.c — Values, and the text ⇄ value conversions of every type.
 *
 * The text forms follow PostgreSQL: integers and decimals in plain notation, doubles in
 * the shortest form that reads back exactly ("Infinity", "NaN" for the specials),
 * dates as YYYY-MM-DD and timestamps as YYYY-MM-DD HH:MM:SS[.ffffff] without trailing
 * zeros in the fraction; intervals as PostgreSQL's IntervalStyle postgres (datetime.c).
 */
#include "common/value.h"

#include "common/array.h"
#include "common/datetime.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const int64_t POW10[19] = {1LL,
                           10LL,
                           100LL,
                           1000LL,
                           10000LL,
                           100000LL,
                           1000000LL,
                           10000000LL,
                           100000000LL,
                           1000000000LL,
                           10000000000LL,
                           100000000000LL,
                           1000000000000LL,
                           10000000000000LL,
                           100000000000000LL,
                           1000000000000000LL,
                           10000000000000000LL,
                           100000000000000000LL,
                           1000000000000000000LL};

const int128_t POW10_128[39] = {
    (int128_t)1LL,
    (int128_t)10LL,
    (int128_t)100LL,
    (int128_t)1000LL,
    (int128_t)10000LL,
    (int128_t)100000LL,
    (int128_t)1000000LL,
    (int128_t)10000000LL,
    (int128_t)100000000LL,
    (int128_t)1000000000LL,
    (int128_t)10000000000LL,
    (int128_t)100000000000LL,
    (int128_t)1000000000000LL,
    (int128_t)10000000000000LL,
    (int128_t)100000000000000LL,
    (int128_t)1000000000000000LL,
    (int128_t)10000000000000000LL,
    (int128_t)100000000000000000LL,
    (int128_t)1000000000000000000LL,
    (int128_t)1000000000000000000LL * 10LL,
    (int128_t)1000000000000000000LL * 100LL,
    (int128_t)1000000000000000000LL * 1000LL,
    (int128_t)1000000000000000000LL * 10000LL,
    (int128_t)1000000000000000000LL * 100000LL,
    (int128_t)1000000000000000000LL * 1000000LL,
    (int128_t)1000000000000000000LL * 10000000LL,
    (int128_t)1000000000000000000LL * 100000000LL,
    (int128_t)1000000000000000000LL * 1000000000LL,
    (int128_t)1000000000000000000LL * 10000000000LL,
    (int128_t)1000000000000000000LL * 100000000000LL,
    (int128_t)1000000000000000000LL * 1000000000000LL,
    (int128_t)1000000000000000000LL * 10000000000000LL,
    (int128_t)1000000000000000000LL * 100000000000000LL,
    (int128_t)1000000000000000000LL * 1000000000000000LL,
    (int128_t)1000000000000000000LL * 10000000000000000LL,
    (int128_t)1000000000000000000LL * 100000000000000000LL,
    (int128_t)1000000000000000000LL * 1000000000000000000LL,
    (int128_t)1000000000000000000LL * 1000000000000000000LL * 10LL,
    (int128_t)1000000000000000000LL * 1000000000000000000LL * 100LL,
};

_Static_assert(INTERVAL_TEXT_MAX <= VALUE_TEXT_MAX, "VALUE_TEXT_MAX holds every interval");

static Value value_of(TypeId id)
{
    Value v;
    memset(&v, 0, sizeof v);
    v.type = type_make(id);
    return v;
}

Value value_boolean(bool b)
{
    Value v = value_of(TYPE_BOOLEAN);
    v.u.b = b;
    return v;
}

Value value_integer(int32_t i)
{
    Value v = value_of(TYPE_INTEGER);
    v.u.i32 = i;
    return v;
}

Value value_bigint(int64_t i)
{
    Value v = value_of(TYPE_BIGINT);
    v.u.i64 = i;
    return v;
}

Value value_double(double d)
{
    Value v = value_of(TYPE_DOUBLE);
    v.u.f64 = d;
    return v;
}

Value value_decimal(int64_t unscaled, int precision, int scale)
{
    Value v = value_of(TYPE_DECIMAL);
    v.type = type_decimal(precision, scale);
    v.u.i64 = unscaled;
    return v;
}

Value value_decimal128(int128_t unscaled, int precision, int scale)
{
    Value v = value_of(TYPE_DECIMAL);
    v.type = type_decimal(precision, scale);
    if (precision > DECIMAL_INT64_PRECISION)
        v.u.i128 = unscaled;
    else
        v.u.i64 = (int64_t)unscaled;
    return v;
}

Value value_tinyint(int8_t i)
{
    Value v = value_of(TYPE_TINYINT);
    v.u.i8 = i;
    return v;
}

Value value_smallint(int16_t i)
{
    Value v = value_of(TYPE_SMALLINT);
    v.u.i16 = i;
    return v;
}

Value value_real(float f)
{
    Value v = value_of(TYPE_REAL);
    v.u.f32 = f;
    return v;
}

Value value_hugeint(int128_t i)
{
    Value v = value_of(TYPE_HUGEINT);
    v.u.i128 = i;
    return v;
}

int128_t value_as_int128(const Value *v)
{
    switch (type_physical(v->type)) {
    case PHYS_BOOL:
        return v->u.b;
    case PHYS_INT8:
        return v->u.i8;
    case PHYS_INT16:
        return v->u.i16;
    case PHYS_INT32:
        return v->u.i32;
    case PHYS_INT64:
        return v->u.i64;
    case PHYS_INT128:
        return v->u.i128;
    default:
        return 0;
    }
}

Value value_date(int32_t days)
{
    Value v = value_of(TYPE_DATE);
    v.u.i32 = days;
    return v;
}

Value value_timestamp(int64_t micros)
{
    Value v = value_of(TYPE_TIMESTAMP);
    v.u.i64 = micros;
    return v;
}

Value value_time(int64_t micros)
{
    Value v = value_of(TYPE_TIME);
    v.u.i64 = micros;
    return v;
}

Value value_timestamptz(int64_t micros)
{
    Value v = value_of(TYPE_TIMESTAMPTZ);
    v.u.i64 = micros;
    return v;
}

Value value_interval(Interval iv)
{
    Value v = value_of(TYPE_INTERVAL);
    v.u.iv = iv;
    return v;
}

Value value_varchar(const char *data, uint32_t len)
{
    Value v = value_of(TYPE_VARCHAR);
    v.u.str.data = data;
    v.u.str.len = len;
    return v;
}

Status value_copy(Arena *arena, const Value *in, Value *out, Error *err)
{
    *out = *in;
    if (!in->is_null && type_physical(in->type) == PHYS_STRING) {
        char *copy = arena_alloc(arena, in->u.str.len ? in->u.str.len : 1);
        if (!copy) return arena_error(arena, err);
        if (in->u.str.len) memcpy(copy, in->u.str.data, in->u.str.len);
        out->u.str.data = copy;
    }
    return BS_OK;
}

#define CMP3(a, b) (((a) > (b)) - ((a) < (b)))

int value_compare(const Value *a, const Value *b)
{
    if (a->is_null || b->is_null) return (int)a->is_null - (int)b->is_null;
    if (a->type.id == TYPE_ARRAY)
        return array_compare(a->type, a->u.str.data, a->u.str.len, b->u.str.data, b->u.str.len);
    switch (type_physical(a->type)) {
    case PHYS_BOOL:
        return CMP3(a->u.b, b->u.b);
    case PHYS_INT32:
        return CMP3(a->u.i32, b->u.i32);
    case PHYS_INT64:
        return CMP3(a->u.i64, b->u.i64);
    case PHYS_DOUBLE: {
        /* NaN sorts above everything, as in PostgreSQL. */
        bool na = isnan(a->u.f64), nb = isnan(b->u.f64);
        if (na || nb) return (int)na - (int)nb;
        return CMP3(a->u.f64, b->u.f64);
    }
    case PHYS_STRING: {
        uint32_t min = BS_MIN(a->u.str.len, b->u.str.len);
        int c = min ? memcmp(a->u.str.data, b->u.str.data, min) : 0;
        if (c) return c;
        return CMP3(a->u.str.len, b->u.str.len);
    }
    case PHYS_INTERVAL:
        return interval_compare(&a->u.iv, &b->u.iv);
    case PHYS_INT128:
        return CMP3(a->u.i128, b->u.i128);
    case PHYS_INT8:
        return CMP3(a->u.i8, b->u.i8);
    case PHYS_INT16:
        return CMP3(a->u.i16, b->u.i16);
    case PHYS_FLOAT: {
        bool na = isnan(a->u.f32), nb = isnan(b->u.f32);
        if (na || nb) return (int)na - (int)nb;
        return CMP3(a->u.f32, b->u.f32);
    }
    case PHYS_INVALID:
        break;
    }
    return 0;
}

/* ---- parsing ---------------------------------------------------------------------- */

static void trim(const char **s, size_t *len)
{
    const char *p = *s;
    size_t n = *len;
    while (n && isspace((unsigned char)*p)) {
        p++;
        n--;
    }
    while (n && isspace((unsigned char)p[n - 1]))
        n--;
    *s = p;
    *len = n;
}

static bool word_eq(const char *s, size_t len, const char *word)
{
    return strlen(word) == len && strncasecmp(s, word, len) == 0;
}

ParseResult parse_boolean(const char *s, size_t len, bool *out)
{
    trim(&s, &len);
    static const char *yes[] = {"true", "t", "yes", "y", "on", "1"};
    static const char *no[] = {"false", "f", "no", "n", "off", "0"};
    for (size_t k = 0; k < BS_ARRAY_LEN(yes); k++) {
        if (word_eq(s, len, yes[k])) {
            *out = true;
            return PARSE_OK;
        }
        if (word_eq(s, len, no[k])) {
            *out = false;
            return PARSE_OK;
        }
    }
    return PARSE_INVALID;
}

ParseResult parse_int128(const char *s, size_t len, int128_t *out)
{
    trim(&s, &len);
    if (len == 0) return PARSE_INVALID;
    size_t pos = 0;
    bool neg = false;
    if (s[0] == '+' || s[0] == '-') {
        neg = s[0] == '-';
        pos++;
    }
    if (pos == len) return PARSE_INVALID;
    int128_t acc = 0; /* negative, so that the minimum is representable */
    bool overflow = false;
    for (; pos < len; pos++) {
        char c = s[pos];
        if (c < '0' || c > '9') return PARSE_INVALID;
        int digit = c - '0';
        if (acc < (INT128_MIN_VALUE + digit) / 10) overflow = true;
        if (!overflow) acc = acc * 10 - digit;
    }
    if (overflow) return PARSE_OUT_OF_RANGE;
    if (!neg) {
        if (acc == INT128_MIN_VALUE) return PARSE_OUT_OF_RANGE;
        acc = -acc;
    }
    *out = acc;
    return PARSE_OK;
}

ParseResult parse_int64(const char *s, size_t len, int64_t *out)
{
    int128_t wide;
    ParseResult r = parse_int128(s, len, &wide);
    if (r != PARSE_OK) return r;
    if (wide < INT64_MIN || wide > INT64_MAX) return PARSE_OUT_OF_RANGE;
    *out = (int64_t)wide;
    return PARSE_OK;
}

ParseResult parse_int32(const char *s, size_t len, int32_t *out)
{
    int64_t wide;
    ParseResult r = parse_int64(s, len, &wide);
    if (r != PARSE_OK) return r;
    if (wide < INT32_MIN || wide > INT32_MAX) return PARSE_OUT_OF_RANGE;
    *out = (int32_t)wide;
    return PARSE_OK;
}

ParseResult parse_double(const char *s, size_t len, double *out)
{
    trim(&s, &len);
    if (len == 0) return PARSE_INVALID;
    char local[128];
    char *buf = local;
    if (len >= sizeof local) {
        buf = malloc(len + 1);
        if (!buf) return PARSE_INVALID;
    }
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *end;
    errno = 0;
    double d = strtod(buf, &end);
    ParseResult r = PARSE_OK;
    if (end != buf + len || end == buf)
        r = PARSE_INVALID;
    else if (errno == ERANGE && isinf(d))
        r = PARSE_OUT_OF_RANGE;
    if (buf != local) free(buf);
    if (r == PARSE_OK) *out = d;
    return r;
}

ParseResult parse_float(const char *s, size_t len, float *out)
{
    double d;
    ParseResult r = parse_double(s, len, &d);
    if (r != PARSE_OK) return r;
    /* overflow to an infinity or underflow to 0 is out of range (PostgreSQL's real) */
    float f = (float)d;
    if ((isinf(f) && !isinf(d)) || (f == 0 && d != 0)) return PARSE_OUT_OF_RANGE;
    *out = f;
    return PARSE_OK;
}

ParseResult parse_decimal(const char *s, size_t len, int precision, int scale, int64_t *out)
{
    int128_t wide;
    ParseResult r = parse_decimal128(s, len, precision, scale, &wide);
    if (r == PARSE_OK) *out = (int64_t)wide;
    return r;
}

ParseResult parse_decimal128(const char *s, size_t len, int precision, int scale, int128_t *out)
{
    trim(&s, &len);
    size_t pos = 0;
    bool neg = false;
    if (pos < len && (s[pos] == '+' || s[pos] == '-')) {
        neg = s[pos] == '-';
        pos++;
    }
    const char *int_digits = s + pos;
    size_t n_int = 0;
    while (pos < len && isdigit((unsigned char)s[pos])) {
        pos++;
        n_int++;
    }
    const char *frac_digits = s + pos;
    size_t n_frac = 0;
    if (pos < len && s[pos] == '.') {
        pos++;
        frac_digits = s + pos;
        while (pos < len && isdigit((unsigned char)s[pos])) {
            pos++;
            n_frac++;
        }
    }
    if (n_int + n_frac == 0) return PARSE_INVALID;
    long exponent = 0;
    if (pos < len && (s[pos] == 'e' || s[pos] == 'E')) {
        pos++;
        bool exp_neg = false;
        if (pos < len && (s[pos] == '+' || s[pos] == '-')) {
            exp_neg = s[pos] == '-';
            pos++;
        }
        if (pos == len) return PARSE_INVALID;
        while (pos < len && isdigit((unsigned char)s[pos])) {
            if (exponent < 100000) exponent = exponent * 10 + (s[pos] - '0');
            pos++;
        }
        if (exp_neg) exponent = -exponent;
    }
    if (pos != len) return PARSE_INVALID;

    /* The digits int++frac, with the decimal point after `point` of them. */
    size_t n_all = n_int + n_frac;
#define DIGIT_AT(k)                                                                                \
    ((k) < 0 || (size_t)(k) >= n_all                                                               \
         ? 0                                                                                       \
         : ((size_t)(k) < n_int ? int_digits[(k)] - '0' : frac_digits[(k)-n_int] - '0'))
    long point = (long)n_int + exponent;
    long first_nonzero = 0;
    while ((size_t)first_nonzero < n_all && DIGIT_AT(first_nonzero) == 0)
        first_nonzero++;
    if ((size_t)first_nonzero == n_all) {
        *out = 0;
        return PARSE_OK;
    }
    long integer_digits = point - first_nonzero;
    if (integer_digits > precision - scale) return PARSE_OUT_OF_RANGE;
    int128_t acc = 0;          /* at most `precision` (<= 38) digits, plus one for rounding */
    long last = point + scale; /* digits [first_nonzero, last) make up the unscaled value */
    for (long k = BS_MAX(first_nonzero, 0); k < last; k++)
        acc = acc * 10 + DIGIT_AT(k);
    if (DIGIT_AT(last) >= 5) acc++;
#undef DIGIT_AT
    if (acc >= POW10_128[precision]) return PARSE_OUT_OF_RANGE;
    *out = neg ? -acc : acc;
    return PARSE_OK;
}

int32_t days_from_civil(int64_t year, unsigned month, unsigned day)
{
    /* Era-based algorithm over 400-year cycles (proleptic Gregorian calendar). */
    year -= month <= 2;
    int64_t era = (year >= 0 ? year : year - 399) / 400;
    unsigned yoe = (unsigned)(year - era * 400);
    unsigned doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int32_t)(era * 146097 + (int64_t)doe - 719468);
}

void civil_from_days(int64_t days, int64_t *year, unsigned *month, unsigned *day)
{
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    unsigned doe = (unsigned)(days - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned d = doy - (153 * mp + 2) / 5 + 1;
    unsigned m = mp < 10 ? mp + 3 : mp - 9;
    *year = y + (m <= 2);
    *month = m;
    *day = d;
}

/* Reads 1..max_digits decimal digits at s[*pos]; false if none. */
static bool read_number(const char *s, size_t len, size_t *pos, int max_digits, int64_t *out)
{
    int64_t v = 0;
    int n = 0;
    while (*pos < len && n < max_digits && isdigit((unsigned char)s[*pos])) {
        v = v * 10 + (s[*pos] - '0');
        (*pos)++;
        n++;
    }
    *out = v;
    return n > 0;
}

/* Parses YYYY-MM-DD at s[*pos]. */
static ParseResult parse_date_part(const char *s, size_t len, size_t *pos, int32_t *out)
{
    int64_t year, month, day;
    if (!read_number(s, len, pos, 6, &year)) return PARSE_INVALID;
    if (*pos >= len || s[*pos] != '-') return PARSE_INVALID;
    (*pos)++;
    if (!read_number(s, len, pos, 2, &month)) return PARSE_INVALID;
    if (*pos >= len || s[*pos] != '-') return PARSE_INVALID;
    (*pos)++;
    if (!read_number(s, len, pos, 2, &day)) return PARSE_INVALID;
    if (month < 1 || month > 12 || day < 1) return PARSE_OUT_OF_RANGE;
    if (year < 1 || year > 294276) return PARSE_OUT_OF_RANGE;
    if ((unsigned)day > days_in_month(year, (unsigned)month)) return PARSE_OUT_OF_RANGE;
    *out = days_from_civil(year, (unsigned)month, (unsigned)day);
    return PARSE_OK;
}

ParseResult parse_date(const char *s, size_t len, int32_t *out)
{
    trim(&s, &len);
    size_t pos = 0;
    ParseResult r = parse_date_part(s, len, &pos, out);
    if (r != PARSE_OK) return r;
    return pos == len ? PARSE_OK : PARSE_INVALID;
}

ParseResult parse_timestamp(const char *s, size_t len, int64_t *out)
{
    trim(&s, &len);
    size_t pos = 0;
    int32_t days;
    ParseResult r = parse_date_part(s, len, &pos, &days);
    if (r != PARSE_OK) return r;
    int64_t micros = 0;
    if (pos < len) {
        if (s[pos] != ' ' && s[pos] != 'T') return PARSE_INVALID;
        pos++;
        while (pos < len && s[pos] == ' ')
            pos++;
        int64_t hour, minute, second = 0, frac = 0;
        if (!read_number(s, len, &pos, 2, &hour)) return PARSE_INVALID;
        if (pos >= len || s[pos] != ':') return PARSE_INVALID;
        pos++;
        if (!read_number(s, len, &pos, 2, &minute)) return PARSE_INVALID;
        if (pos < len && s[pos] == ':') {
            pos++;
            if (!read_number(s, len, &pos, 2, &second)) return PARSE_INVALID;
            if (pos < len && s[pos] == '.') {
                pos++;
                int n_digits = 0;
                bool round_up = false;
                while (pos < len && isdigit((unsigned char)s[pos])) {
                    if (n_digits < 6)
                        frac = frac * 10 + (s[pos] - '0');
                    else if (n_digits == 6)
                        round_up = s[pos] >= '5';
                    n_digits++;
                    pos++;
                }
                if (n_digits == 0) return PARSE_INVALID;
                for (int k = n_digits; k < 6; k++)
                    frac *= 10;
                if (round_up) frac++;
            }
        }
        if (pos != len) return PARSE_INVALID;
        if (hour > 23 || minute > 59 || second > 59) return PARSE_OUT_OF_RANGE;
        micros = ((hour * 60 + minute) * 60 + second) * MICROS_PER_SECOND + frac;
    }
    /* Past int64's microseconds (beyond 294247 AD) is out of range, not a wrapped value. */
    __int128 total = (__int128)days * MICROS_PER_DAY + micros;
    if (total > INT64_MAX || !timestamp_is_valid((int64_t)total)) return PARSE_OUT_OF_RANGE;
    *out = (int64_t)total;
    return PARSE_OK;
}

ParseResult parse_as_type(const char *s, size_t len, LogicalType type, void *out)
{
    switch ((TypeId)type.id) {
    case TYPE_BOOLEAN: {
        bool b;
        ParseResult r = parse_boolean(s, len, &b);
        if (r == PARSE_OK) *(uint8_t *)out = b;
        return r;
    }
    case TYPE_INTEGER:
        return parse_int32(s, len, out);
    case TYPE_BIGINT:
        return parse_int64(s, len, out);
    case TYPE_DOUBLE:
        return parse_double(s, len, out);
    case TYPE_DECIMAL:
        if (type.precision > DECIMAL_INT64_PRECISION)
            return parse_decimal128(s, len, type.precision, type.scale, out);
        return parse_decimal(s, len, type.precision, type.scale, out);
    case TYPE_HUGEINT:
        return parse_int128(s, len, out);
    case TYPE_TINYINT:
    case TYPE_SMALLINT: {
        int64_t wide;
        ParseResult r = parse_int64(s, len, &wide);
        if (r != PARSE_OK) return r;
        if (type.id == TYPE_TINYINT) {
            if (wide < INT8_MIN || wide > INT8_MAX) return PARSE_OUT_OF_RANGE;
            *(int8_t *)out = (int8_t)wide;
        } else {
            if (wide < INT16_MIN || wide > INT16_MAX) return PARSE_OUT_OF_RANGE;
            *(int16_t *)out = (int16_t)wide;
        }
        return PARSE_OK;
    }
    case TYPE_REAL:
        return parse_float(s, len, out);
    case TYPE_DATE:
        return parse_date(s, len, out);
    case TYPE_TIMESTAMP:
        return parse_timestamp(s, len, out);
    case TYPE_TIME:
        return parse_time(s, len, out);
    case TYPE_TIMESTAMPTZ:
        return parse_timestamptz(s, len, NULL, out);
    case TYPE_INTERVAL:
        return parse_interval(s, len, INTERVAL_FULL_RANGE, out);
    case TYPE_VARCHAR:
    case TYPE_CHAR:
        if (len > UINT32_MAX) return PARSE_OUT_OF_RANGE;
        *(StringView *)out = sv_make(s, (uint32_t)len);
        return PARSE_OK;
    case TYPE_ARRAY: /* needs memory: array_parse */
    case TYPE_NULL:
    case TYPE_INVALID:
    case TYPE_COUNT_:
        break;
    }
    return PARSE_INVALID;
}

Status parse_error(Error *err, ParseResult result, LogicalType type, const char *s, size_t len,
                   int position)
{
    char tname[32];
    type_format(type, tname, sizeof tname);
    for (char *p = tname; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    int shown = len > 200 ? 200 : (int)len;
    const char *more = len > 200 ? "..." : "";
    if (type.id == TYPE_INTERVAL) {
        if (result == PARSE_OUT_OF_RANGE)
            return error_set(err, SQLSTATE_INTERVAL_OVERFLOW, position,
                             "interval field value out of range: \"%.*s%s\"", shown, s, more);
        return error_set(err, SQLSTATE_INVALID_DATETIME, position,
                         "invalid input syntax for type interval: \"%.*s%s\"", shown, s, more);
    }
    if (type.id == TYPE_TIME || type.id == TYPE_TIMESTAMPTZ) {
        const char *name =
            type.id == TYPE_TIME ? "time without time zone" : "timestamp with time zone";
        if (result == PARSE_OUT_OF_RANGE)
            return error_set(err, SQLSTATE_DATETIME_OVERFLOW, position,
                             "date/time field value out of range: \"%.*s%s\"", shown, s, more);
        return error_set(err, SQLSTATE_INVALID_DATETIME, position,
                         "invalid input syntax for type %s: \"%.*s%s\"", name, shown, s, more);
    }
    if (result == PARSE_OUT_OF_RANGE) {
        if (type.id == TYPE_DATE || type.id == TYPE_TIMESTAMP)
            return error_set(err, SQLSTATE_DATETIME_OVERFLOW, position,
                             "date/time field value out of range: \"%.*s%s\"", shown, s, more);
        return error_set(err, SQLSTATE_NUMERIC_OUT_OF_RANGE, position,
                         "value \"%.*s%s\" is out of range for type %s", shown, s, more, tname);
    }
    return error_set(err, SQLSTATE_INVALID_TEXT, position,
                     "invalid input syntax for type %s: \"%.*s%s\"", tname, shown, s, more);
}

/* ---- formatting ------------------------------------------------------------------- */

int format_int64(int64_t v, char *buf)
{
    char tmp[24];
    int n = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    int len = 0;
    if (v < 0) buf[len++] = '-';
    while (n)
        buf[len++] = tmp[--n];
    buf[len] = '\0';
    return len;
}

int format_int128(int128_t v, char *buf)
{
    char tmp[48];
    int n = 0;
    uint128_t u = v < 0 ? (uint128_t)0 - (uint128_t)v : (uint128_t)v;
    do {
        tmp[n++] = (char)('0' + (int)(u % 10));
        u /= 10;
    } while (u);
    int len = 0;
    if (v < 0) buf[len++] = '-';
    while (n)
        buf[len++] = tmp[--n];
    buf[len] = '\0';
    return len;
}

int format_double(double v, char *buf)
{
    if (isnan(v)) return sprintf(buf, "NaN");
    if (isinf(v)) return sprintf(buf, v > 0 ? "Infinity" : "-Infinity");
    int len = 0;
    for (int prec = 15; prec <= 17; prec++) {
        len = snprintf(buf, VALUE_TEXT_MAX, "%.*g", prec, v);
        if (strtod(buf, NULL) == v) break;
    }
    return len;
}

int format_decimal(int64_t unscaled, int scale, char *buf)
{
    if (scale == 0) return format_int64(unscaled, buf);
    uint64_t u = unscaled < 0 ? (uint64_t)0 - (uint64_t)unscaled : (uint64_t)unscaled;
    uint64_t ip = u / (uint64_t)POW10[scale], fp = u % (uint64_t)POW10[scale];
    return sprintf(buf, "%s%llu.%0*llu", unscaled < 0 ? "-" : "", (unsigned long long)ip, scale,
                   (unsigned long long)fp);
}

int format_float(float v, char *buf)
{
    if (isnan(v)) return sprintf(buf, "NaN");
    if (isinf(v)) return sprintf(buf, v > 0 ? "Infinity" : "-Infinity");
    int len = 0;
    /* the shortest text that reads back as the same float (PostgreSQL 12+'s output) */
    for (int prec = 1; prec <= 9; prec++) {
        len = snprintf(buf, VALUE_TEXT_MAX, "%.*g", prec, (double)v);
        if (strtof(buf, NULL) == v) break;
    }
    return len;
}

int format_decimal128(int128_t unscaled, int scale, char *buf)
{
    char digits[48]; /* the magnitude's digits, most significant first */
    int n = 0;
    uint128_t u = unscaled < 0 ? (uint128_t)0 - (uint128_t)unscaled : (uint128_t)unscaled;
    char rev[48];
    do {
        rev[n++] = (char)('0' + (int)(u % 10));
        u /= 10;
    } while (u);
    /* at least scale + 1 digits, so there is a 0 before the point */
    while (n <= scale)
        rev[n++] = '0';
    for (int k = 0; k < n; k++)
        digits[k] = rev[n - 1 - k];
    int len = 0;
    if (unscaled < 0) buf[len++] = '-';
    memcpy(buf + len, digits, (size_t)(n - scale));
    len += n - scale;
    if (scale) {
        buf[len++] = '.';
        memcpy(buf + len, digits + n - scale, (size_t)scale);
        len += scale;
    }
    buf[len] = '\0';
    return len;
}

int format_date(int32_t days, char *buf)
{
    int64_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    if (y <= 0) return sprintf(buf, "%04lld-%02u-%02u BC", (long long)(1 - y), m, d);
    return sprintf(buf, "%04lld-%02u-%02u", (long long)y, m, d);
}

int format_timestamp(int64_t micros, char *buf)
{
    int64_t days = micros / MICROS_PER_DAY;
    int64_t rest = micros % MICROS_PER_DAY;
    if (rest < 0) {
        rest += MICROS_PER_DAY;
        days--;
    }
    int64_t y;
    unsigned mo, d;
    civil_from_days(days, &y, &mo, &d);
    int64_t secs = rest / MICROS_PER_SECOND, frac = rest % MICROS_PER_SECOND;
    /* Years before 1 AD as PostgreSQL shows them: year 0 is 1 BC. */
    int len = sprintf(buf, "%04lld-%02u-%02u %02d:%02d:%02d", (long long)(y > 0 ? y : 1 - y), mo, d,
                      (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
    if (frac) {
        len += sprintf(buf + len, ".%06d", (int)frac);
        while (buf[len - 1] == '0')
            buf[--len] = '\0';
    }
    if (y <= 0) len += sprintf(buf + len, " BC");
    return len;
}

int format_value(const Value *v, char *buf)
{
    switch (type_physical(v->type)) {
    case PHYS_BOOL: {
        uint8_t b = v->u.b;
        return format_physical(v->type, &b, buf);
    }
    case PHYS_INT32:
        return format_physical(v->type, &v->u.i32, buf);
    case PHYS_INT64:
        return format_physical(v->type, &v->u.i64, buf);
    case PHYS_DOUBLE:
        return format_physical(v->type, &v->u.f64, buf);
    case PHYS_INTERVAL:
        return format_physical(v->type, &v->u.iv, buf);
    case PHYS_INT128:
        return format_physical(v->type, &v->u.i128, buf);
    case PHYS_INT8:
        return format_physical(v->type, &v->u.i8, buf);
    case PHYS_INT16:
        return format_physical(v->type, &v->u.i16, buf);
    case PHYS_FLOAT:
        return format_physical(v->type, &v->u.f32, buf);
    case PHYS_STRING:
    case PHYS_INVALID:
        break;
    }
    buf[0] = '\0';
    return 0;
}

int format_physical(LogicalType type, const void *data, char *buf)
{
    switch ((TypeId)type.id) {
    case TYPE_BOOLEAN:
        return sprintf(buf, "%s", *(const uint8_t *)data ? "true" : "false");
    case TYPE_INTEGER:
        return format_int64(*(const int32_t *)data, buf);
    case TYPE_BIGINT:
        return format_int64(*(const int64_t *)data, buf);
    case TYPE_DOUBLE:
        return format_double(*(const double *)data, buf);
    case TYPE_DECIMAL:
        if (type.precision > DECIMAL_INT64_PRECISION) {
            int128_t v;
            memcpy(&v, data, sizeof v);
            return format_decimal128(v, type.scale, buf);
        }
        return format_decimal(*(const int64_t *)data, type.scale, buf);
    case TYPE_HUGEINT: {
        int128_t v;
        memcpy(&v, data, sizeof v);
        return format_int128(v, buf);
    }
    case TYPE_TINYINT:
        return format_int64(*(const int8_t *)data, buf);
    case TYPE_SMALLINT:
        return format_int64(*(const int16_t *)data, buf);
    case TYPE_REAL:
        return format_float(*(const float *)data, buf);
    case TYPE_DATE:
        return format_date(*(const int32_t *)data, buf);
    case TYPE_TIMESTAMP:
        return format_timestamp(*(const int64_t *)data, buf);
    case TYPE_TIME:
        return format_time(*(const int64_t *)data, buf);
    case TYPE_TIMESTAMPTZ:
        return format_timestamptz(*(const int64_t *)data, NULL, buf);
    case TYPE_INTERVAL: {
        Interval iv;
        memcpy(&iv, data, sizeof iv);
        return format_interval(&iv, buf);
    }
    case TYPE_VARCHAR:
    case TYPE_CHAR:
    case TYPE_ARRAY: /* variable length: array_format */
    case TYPE_NULL:
    case TYPE_INVALID:
    case TYPE_COUNT_:
        break;
    }
    buf[0] = '\0';
    return 0;
}

int format_value_in_zone(const Value *v, const struct TimeZone *zone, char *buf)
{
    if (v->type.id == TYPE_TIMESTAMPTZ) return format_timestamptz(v->u.i64, zone, buf);
    return format_value(v, buf);
}
