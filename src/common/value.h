/*
 * value.h — single SQL values, and the text forms of every type.
 *
 * A Value is one datum with its type: constants in plans, zone-map bounds, cells of a
 * result. The parse functions turn text into the physical representation of a type
 * (used by CAST, COPY and literals); the format functions write the canonical text form
 * (used by CAST to VARCHAR and by every client-facing output).
 */
#ifndef BASALT_COMMON_VALUE_H
#define BASALT_COMMON_VALUE_H

#include "common/arena.h"
#include "common/error.h"
#include "common/strview.h"
#include "common/types.h"

typedef struct Value {
    LogicalType type;
    bool is_null;
    union {
        bool b;
        int8_t i8;   /* TINYINT */
        int16_t i16; /* SMALLINT */
        float f32;   /* REAL */
        int32_t i32; /* INTEGER, DATE */
        int64_t i64; /* BIGINT, DECIMAL (unscaled), TIMESTAMP, TIME, TIMESTAMPTZ */
        double f64;
        Interval iv;   /* INTERVAL */
        int128_t i128; /* HUGEINT, DECIMAL of more than 18 digits (unscaled) */
        struct {
            const char *data; /* not NUL-terminated; owned by whoever made the Value */
            uint32_t len;
        } str;
    } u;
} Value;

static inline Value value_null(LogicalType type)
{
    Value v;
    memset(&v, 0, sizeof v);
    v.type = type;
    v.is_null = true;
    return v;
}
Value value_boolean(bool b);
Value value_integer(int32_t i);
Value value_bigint(int64_t i);
Value value_double(double d);
/* A DECIMAL of any precision (stored as int64 or int128 as the precision needs). */
Value value_decimal(int64_t unscaled, int precision, int scale);
Value value_decimal128(int128_t unscaled, int precision, int scale);
Value value_hugeint(int128_t i);
Value value_tinyint(int8_t i);
Value value_smallint(int16_t i);
Value value_real(float f);
Value value_date(int32_t days);
Value value_timestamp(int64_t micros);
Value value_time(int64_t micros);
Value value_timestamptz(int64_t micros);
Value value_interval(Interval iv);
/* A VARCHAR value viewing len bytes at data (not copied). */
Value value_varchar(const char *data, uint32_t len);

/* Copies in to out, duplicating string bytes into arena (so out outlives in's memory). */
Status value_copy(Arena *arena, const Value *in, Value *out, Error *err);

/* Equality and order of two values of the same type; NULLs sort last. */
int value_compare(const Value *a, const Value *b);

/* Outcome of parsing text as a type. */
typedef enum ParseResult { PARSE_OK = 0, PARSE_INVALID, PARSE_OUT_OF_RANGE } ParseResult;

/* Text → value. Leading and trailing blanks are allowed, as in PostgreSQL. */
ParseResult parse_boolean(const char *s, size_t len, bool *out);
ParseResult parse_int32(const char *s, size_t len, int32_t *out);
ParseResult parse_int64(const char *s, size_t len, int64_t *out);
ParseResult parse_int128(const char *s, size_t len, int128_t *out);
ParseResult parse_double(const char *s, size_t len, double *out);
ParseResult parse_float(const char *s, size_t len, float *out);
/* Rounds half away from zero to `scale` digits; out of range if more than p-s integer digits. */
ParseResult parse_decimal(const char *s, size_t len, int precision, int scale, int64_t *out);
/* The same for any precision up to 38. */
ParseResult parse_decimal128(const char *s, size_t len, int precision, int scale, int128_t *out);
ParseResult parse_date(const char *s, size_t len, int32_t *out);
ParseResult parse_timestamp(const char *s, size_t len, int64_t *out);
/* value_time.c: TIME (µs since midnight, up to 24:00:00) and TIMESTAMPTZ (UTC µs). */
struct TimeZone;
ParseResult parse_time(const char *s, size_t len, int64_t *out);
/* Text without a zone is local time in `session` (NULL: UTC). */
ParseResult parse_timestamptz(const char *s, size_t len, const struct TimeZone *session,
                              int64_t *out);
/*
 * Parses text as `type` into the physical value at `out` (type_size(type) bytes, aligned
 * for the type). For VARCHAR it stores a view of s (not a copy); INTERVAL is read without
 * a qualifier (common/datetime.h).
 */
ParseResult parse_as_type(const char *s, size_t len, LogicalType type, void *out);
/*
 * The PostgreSQL-style error for a failed parse: 22P02 'invalid input syntax for type
 * integer: "abc"' or 22003 'value "…" is out of range for type integer'; for intervals
 * 22007 'invalid input syntax for type interval: "abc"' and 22015 'interval field value out
 * of range: "…"'.
 */
Status parse_error(Error *err, ParseResult result, LogicalType type, const char *s, size_t len,
                   int position);

/* Upper bound on the formatted length of any non-VARCHAR value, NUL included. */
#define VALUE_TEXT_MAX 96

/* Value → text; each writes a NUL-terminated string into buf and returns its length. */
int format_int64(int64_t v, char *buf);
int format_int128(int128_t v, char *buf);
int format_double(double v, char *buf);
int format_float(float v, char *buf);
int format_decimal(int64_t unscaled, int scale, char *buf);
int format_decimal128(int128_t unscaled, int scale, char *buf);
int format_date(int32_t days, char *buf);
int format_timestamp(int64_t micros, char *buf);
int format_time(int64_t micros, char *buf);
/* In `zone` (NULL: UTC), with its offset: "2020-01-01 01:00:00+01". */
int format_timestamptz(int64_t utc, const struct TimeZone *zone, char *buf);
/* An offset in seconds east as PostgreSQL shows it: "+01", "+05:30", "-00:53:28". */
int format_utc_offset(int32_t offset, char *buf);
/*
 * Formats the physical value at `data` (non-VARCHAR types) into buf
 * (VALUE_TEXT_MAX bytes); returns the length.
 */
int format_physical(LogicalType type, const void *data, char *buf);

/*
 * Formats a non-NULL Value of any type except VARCHAR (its text is its bytes) into buf
 * (VALUE_TEXT_MAX bytes); returns the length. A TIMESTAMPTZ is shown in UTC: clients show
 * it in their session's zone with format_value_in_zone.
 */
int format_value(const Value *v, char *buf);
/* format_value with TIMESTAMPTZ values shown in `zone` (NULL: UTC). */
int format_value_in_zone(const Value *v, const struct TimeZone *zone, char *buf);

/* Calendar arithmetic: days since 1970-01-01 ⇄ civil date (proleptic Gregorian). */
int32_t days_from_civil(int64_t year, unsigned month, unsigned day);
void civil_from_days(int64_t days, int64_t *year, unsigned *month, unsigned *day);

#define MICROS_PER_SECOND INT64_C(1000000)
#define MICROS_PER_DAY    (INT64_C(86400) * MICROS_PER_SECOND)

/* 10^n for 0 <= n <= 18. */
extern const int64_t POW10[19];
/* 10^n for 0 <= n <= 38. */
extern const int128_t POW10_128[39];

/* The unscaled value of a non-NULL DECIMAL (either width), or of any integer, as int128. */
int128_t value_as_int128(const Value *v);

#endif
