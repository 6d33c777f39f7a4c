/*
 * datetime.h — the calendar and INTERVAL arithmetic that the executor's kernels and the
 * planner's constant folding share, so that a date computation gives the same answer
 * (and the same error) wherever it runs:
 *
 *   intervals   text ⇄ value (PostgreSQL's input forms, IntervalStyle postgres output),
 *               the order of intervals, + - * / and negation
 *   timestamps  ± interval (months first, clamped to the end of the month; then days;
 *               then microseconds), timestamp - timestamp, age()
 *   fields      the units of extract/date_part, date_trunc and date_diff
 *
 * Dates are int32 days and timestamps int64 microseconds since 1970-01-01 (value.h);
 * years are astronomical (1 BC is year 0) inside, as in the proleptic Gregorian
 * calendar of days_from_civil. Functions that can overflow return false and leave the
 * error to the caller, which knows the SQL type to name.
 */
#ifndef BASALT_COMMON_DATETIME_H
#define BASALT_COMMON_DATETIME_H

#include "common/value.h"

#define MICROS_PER_MINUTE (INT64_C(60) * MICROS_PER_SECOND)
#define MICROS_PER_HOUR   (INT64_C(60) * MICROS_PER_MINUTE)
#define DAYS_PER_MONTH    30 /* what a month counts in comparisons and fractions */
#define MONTHS_PER_YEAR   12

/* PostgreSQL's earliest timestamp, 4714-11-24 00:00:00 BC; the latest is int64's limit. */
#define TIMESTAMP_MIN_MICROS (INT64_C(-210866803200) * MICROS_PER_SECOND)

static inline bool timestamp_is_valid(int64_t micros)
{
    return micros >= TIMESTAMP_MIN_MICROS;
}

/* Days since 1970 (rounded down) and microseconds into that day. */
static inline void timestamp_split(int64_t ts, int64_t *days, int64_t *time_of_day)
{
    int64_t d = ts / MICROS_PER_DAY, t = ts % MICROS_PER_DAY;
    if (t < 0) {
        t += MICROS_PER_DAY;
        d--;
    }
    *days = d;
    *time_of_day = t;
}

bool is_leap_year(int64_t year);
unsigned days_in_month(int64_t year, unsigned month);

/* ---- intervals ------------------------------------------------------------------------ */

static inline Interval interval_make(int32_t months, int32_t days, int64_t micros)
{
    Interval iv = {months, days, micros};
    return iv;
}

/* The total an interval compares by: microseconds, with a month of 30 days of 24 hours. */
static inline __int128 interval_span(const Interval *iv)
{
    return ((__int128)iv->months * DAYS_PER_MONTH + iv->days) * MICROS_PER_DAY + iv->micros;
}

/* <0, 0, >0 by span: '1 mon' = '30 days' and '1 day' = '24 hours', as in PostgreSQL. */
static inline int interval_compare(const Interval *a, const Interval *b)
{
    __int128 x = interval_span(a), y = interval_span(b);
    return (x > y) - (x < y);
}

/* The units an interval literal's qualifier keeps (INTERVAL '…' DAY TO SECOND). */
enum {
    INTERVAL_YEAR = 1 << 0,
    INTERVAL_MONTH = 1 << 1,
    INTERVAL_DAY = 1 << 2,
    INTERVAL_HOUR = 1 << 3,
    INTERVAL_MINUTE = 1 << 4,
    INTERVAL_SECOND = 1 << 5,
    INTERVAL_FULL_RANGE = 0x3f, /* no qualifier */
};

/*
 * The range of a qualifier as the parser spells it ("day", "year to month", "minute to
 * second"; NULL for none) into *range; false when it is not one of SQL's ranges.
 */
bool interval_range_from_name(const char *qualifier, int *range);

/*
 * Text → interval, as PostgreSQL reads it: `[@] quantity unit [quantity unit …] [ago]`
 * (units singular, plural or abbreviated, quantities signed and fractional: '1.5 days'),
 * `[+|-]H:MM[:SS[.f]]`, SQL's 'Y-M' and 'D H:M:S', ISO 8601's 'P1Y2M3DT4H5M6S', and a
 * bare number, which counts the range's last unit (seconds without a qualifier). The
 * qualifier `range` also truncates: INTERVAL '1 day 2 hours' DAY is '1 day'.
 * PARSE_INVALID for text that is not an interval (22007), PARSE_OUT_OF_RANGE when a
 * field does not fit (22015).
 */
ParseResult parse_interval(const char *s, size_t len, int range, Interval *out);

/* Upper bound of format_interval's output, NUL included. */
#define INTERVAL_TEXT_MAX 96
/*
 * IntervalStyle postgres: '1 year 2 mons 3 days 04:05:06', '-1 days +02:00:00',
 * '00:00:00.5', '00:00:00' for zero. Writes a NUL-terminated string; returns its length.
 */
int format_interval(const Interval *iv, char *buf);

/* Arithmetic; each returns false when a field would overflow ("interval out of range"). */
bool interval_add(const Interval *a, const Interval *b, Interval *out);
bool interval_sub(const Interval *a, const Interval *b, Interval *out);
bool interval_negate(const Interval *a, Interval *out);
/*
 * a * factor and a / divisor (not 0: the caller reports division by zero): months and
 * days scale separately and their fractions cascade down (a fractional month as 30 days,
 * a fractional day as 24 hours), rounded to the microsecond, as in PostgreSQL.
 */
bool interval_mul(const Interval *a, double factor, Interval *out);
bool interval_div(const Interval *a, double divisor, Interval *out);

/* ---- timestamps and intervals ------------------------------------------------------- */

/*
 * ts + iv: the months first (the day of the month is kept, or clamped to the month's
 * last: '2024-01-31' + 1 month = '2024-02-29'), then the days, then the microseconds.
 * False when the result is not a valid timestamp ("timestamp out of range").
 */
bool timestamp_add_interval(int64_t ts, const Interval *iv, int64_t *out);
/* ts - iv; false as above (or when iv cannot be negated). */
bool timestamp_sub_interval(int64_t ts, const Interval *iv, int64_t *out);
/* a - b as days and microseconds ('1 day 02:00:00'); false when it does not fit. */
bool timestamp_difference(int64_t a, int64_t b, Interval *out);
/*
 * PostgreSQL's age(a, b): a - b in years, months and days by the calendar (each field
 * subtracted, borrowing from the next), then hours to microseconds.
 */
bool timestamp_age(int64_t a, int64_t b, Interval *out);

/* ---- fields ------------------------------------------------------------------------- */

/* Units of extract/date_part, date_trunc and date_diff. */
typedef enum DatetimeField {
    DTF_MICROSECOND,
    DTF_MILLISECOND,
    DTF_SECOND,
    DTF_MINUTE,
    DTF_HOUR,
    DTF_DAY,
    DTF_WEEK,
    DTF_MONTH,
    DTF_QUARTER,
    DTF_YEAR,
    DTF_DECADE,
    DTF_CENTURY,
    DTF_MILLENNIUM,
    DTF_DOW,     /* 0 (Sunday) to 6 */
    DTF_ISODOW,  /* 1 (Monday) to 7 */
    DTF_DOY,     /* 1 to 366 */
    DTF_ISOYEAR, /* the ISO 8601 week-numbering year */
    DTF_EPOCH,   /* seconds since 1970-01-01 (of an interval: its length in seconds) */
    DTF_COUNT_   /* not a field */
} DatetimeField;

/*
 * The field a unit name denotes — PostgreSQL's names, plurals and abbreviations
 * ('year', 'years', 'y', 'yr', 'mon', 'msec', …) and DuckDB's ('dayofweek', 'dayofyear',
 * 'weekday', 'dayofmonth'), case-insensitive; -1 when unknown.
 */
int datetime_field_by_name(const char *s, size_t len);
/* The canonical name of a field ("year", "microseconds"). */
const char *datetime_field_name(DatetimeField field);
/* Whether extract(field from …) is defined on a DATE, a TIMESTAMP, an INTERVAL. */
bool datetime_field_extracts(DatetimeField field, TypeId type);
/*
 * The type of extract(field from …): BIGINT, but DECIMAL(8,6) for SECOND and DECIMAL(8,3)
 * for MILLISECOND (seconds and milliseconds with their fraction, as PostgreSQL shows them:
 * 56.789000) and DOUBLE for EPOCH.
 */
LogicalType datetime_extract_type(DatetimeField field);

/*
 * extract(field from …) as an integer: for SECOND and MILLISECOND the microseconds within
 * the minute (the unscaled value of the DECIMAL(8,6) / DECIMAL(8,3) results); EPOCH is
 * separate (double). Only fields datetime_field_extracts() allows.
 */
int64_t date_extract(DatetimeField field, int32_t days);
int64_t timestamp_extract(DatetimeField field, int64_t ts);
int64_t interval_extract(DatetimeField field, const Interval *iv);
double timestamp_epoch(int64_t ts);
double interval_epoch(const Interval *iv);

/* Whether date_trunc(field, …) is defined on a TIMESTAMP (every unit but the day-of and
   ISO ones) and on an INTERVAL (not WEEK, as in PostgreSQL). */
bool datetime_field_truncates(DatetimeField field, TypeId type);
/* date_trunc; false when the result is out of range. */
bool timestamp_trunc(DatetimeField field, int64_t ts, int64_t *out);
void interval_trunc(DatetimeField field, const Interval *iv, Interval *out);

/* Whether date_diff(field, …) is defined (the units of date_trunc). */
bool datetime_field_diffs(DatetimeField field);
/*
 * DuckDB's date_diff(field, a, b): how many boundaries of the unit lie between a and b
 * (b's count minus a's: date_diff('month', '2024-01-31', '2024-02-01') = 1). False when
 * the count does not fit (microseconds only).
 */
bool timestamp_diff_units(DatetimeField field, int64_t a, int64_t b, int64_t *out);

/* The day of the week of a date: 0 = Sunday … 6 = Saturday. */
static inline int date_dow(int64_t days)
{
    int64_t d = (days + 4) % 7; /* 1970-01-01 was a Thursday */
    return (int)(d < 0 ? d + 7 : d);
}

/* The date of the last day of days' month. */
int32_t date_last_day(int32_t days);
/*
 * make_date(year, month, day): PostgreSQL's years (negative ones BC, no year 0); false
 * when there is no such date or it is out of the supported range.
 */
bool date_from_parts(int64_t year, int64_t month, int64_t day, int32_t *out);

#endif
