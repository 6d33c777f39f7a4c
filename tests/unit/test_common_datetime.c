/*
 * Unit tests: INTERVAL text input and output, interval arithmetic, timestamp ± interval
 * (month ends, leap years), age, and the fields of extract/date_trunc/date_diff. The
 * expected values are PostgreSQL 15's answers to the same inputs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/datetime.h"

#include <string.h>

/* Parses text with a qualifier ("day", "year to month"; NULL: none) into *out. */
static ParseResult parse_q(const char *text, const char *qualifier, Interval *out)
{
    int range;
    assert_true(interval_range_from_name(qualifier, &range));
    return parse_interval(text, strlen(text), range, out);
}

static void assert_interval_text(const Interval *iv, const char *expected)
{
    char buf[INTERVAL_TEXT_MAX];
    int len = format_interval(iv, buf);
    assert_int_equal(len, (int)strlen(buf));
    assert_string_equal(buf, expected);
}

static void test_interval_input(void **state)
{
    (void)state;
    static const struct {
        const char *text, *qualifier, *expected;
    } cases[] = {
        {"1 day", NULL, "1 day"},
        {"2 hours 30 minutes", NULL, "02:30:00"},
        {"1-2", NULL, "1 year 2 mons"},
        {"3 months", NULL, "3 mons"},
        {"1 year", NULL, "1 year"},
        {"-1 year", NULL, "-1 years"},
        {"1 year 2 mons 3 days 04:05:06", NULL, "1 year 2 mons 3 days 04:05:06"},
        {"-00:00:01", NULL, "-00:00:01"},
        {"0", NULL, "00:00:00"},
        {"-1 day +2 hours", NULL, "-1 days +02:00:00"},
        {"1 day -2 hours", NULL, "1 day -02:00:00"},
        {"-1 year -2 mons +3 days", NULL, "-1 years -2 mons +3 days"},
        {"@ 1 day ago", NULL, "-1 days"},
        {"1 day 2 hours ago", NULL, "-1 days -02:00:00"},
        {"1.5 years", NULL, "1 year 6 mons"},
        {"1.5 months", NULL, "1 mon 15 days"},
        {"1.25 days", NULL, "1 day 06:00:00"},
        {"1.5 weeks", NULL, "10 days 12:00:00"},
        {"90", NULL, "00:01:30"},
        {"1.5", NULL, "00:00:01.5"},
        {"1:30", NULL, "01:30:00"},
        {"100:00:00", NULL, "100:00:00"},
        {"2:03:04.1234567", NULL, "02:03:04.123457"},
        {"3:04.5", NULL, "00:03:04.5"},
        {"-01:02:03", NULL, "-01:02:03"},
        {"+1:30", NULL, "01:30:00"},
        {".5 hours", NULL, "00:30:00"},
        {"1day", NULL, "1 day"},
        {"1 week 2 days", NULL, "9 days"},
        {"1 year 1 hour", NULL, "1 year 01:00:00"},
        {"P1Y2M3DT4H5M6S", NULL, "1 year 2 mons 3 days 04:05:06"},
        {"P1.5Y", NULL, "1 year 6 mons"},
        {"PT1.5S", NULL, "00:00:01.5"},
        {"P-1DT-2H", NULL, "-1 days -02:00:00"},
        {"2147483647 days", NULL, "2147483647 days"},
        {"-2147483648 days", NULL, "-2147483648 days"},
        {"178956970 years", NULL, "178956970 years"},
        {"1 second 1.5 ms", NULL, "00:00:01.0015"},
        {"10 mins 5 secs", NULL, "00:10:05"},
        {"3 yrs 2 mon", NULL, "3 years 2 mons"},
        {"1 millennium 2 centuries 3 decades", NULL, "1230 years"},
        {"1:59:60", NULL, "02:00:00"},
        {"1 day 02:03:04", NULL, "1 day 02:03:04"},
        {"  2 days  ", NULL, "2 days"},
        {"-1.5 days", NULL, "-1 days -12:00:00"},
        {"1 mon -1 day", NULL, "1 mon -1 days"},
        {"90", "day", "90 days"},
        {"3", "month", "3 mons"},
        {"1", "year", "1 year"},
        {"1-2", "year to month", "1 year 2 mons"},
        {"1", "year to month", "1 mon"},
        {"10:30", "hour to minute", "10:30:00"},
        {"1:30", "minute to second", "00:01:30"},
        {"1 2", "day to hour", "1 day 02:00:00"},
        {"1 2:03", "day to hour", "1 day 02:00:00"},
        {"1 2:03:04", "day to minute", "1 day 02:03:00"},
        {"1 2:03:04.5", "day to second", "1 day 02:03:04.5"},
        {"1 2:03", "minute to second", "1 day 00:02:03"},
        {"1 day 2 hours", "day", "1 day"},
        {"1 year 2 months", "year", "1 year"},
        {"999", "month", "83 years 3 mons"},
        {"999", "hour", "999:00:00"},
        {"1.5", "day", "1 day"},
        {"2 hours 30 minutes", "hour", "02:00:00"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        Interval iv;
        ParseResult r = parse_q(cases[k].text, cases[k].qualifier, &iv);
        if (r != PARSE_OK)
            fail_msg("'%s' %s: result %d", cases[k].text,
                     cases[k].qualifier ? cases[k].qualifier : "", (int)r);
        char buf[INTERVAL_TEXT_MAX];
        format_interval(&iv, buf);
        if (strcmp(buf, cases[k].expected) != 0)
            fail_msg("'%s' %s: got '%s', want '%s'", cases[k].text,
                     cases[k].qualifier ? cases[k].qualifier : "", buf, cases[k].expected);
    }
}

static void test_interval_bad_input(void **state)
{
    (void)state;
    static const struct {
        const char *text, *qualifier;
        ParseResult expected;
    } cases[] = {
        {"abc", NULL, PARSE_INVALID},
        {"", NULL, PARSE_INVALID},
        {"ago", NULL, PARSE_INVALID},
        {"1 ago", NULL, PARSE_INVALID},
        {"1 day 2 days", NULL, PARSE_INVALID},
        {"123 11", NULL, PARSE_INVALID},
        {"1 2", NULL, PARSE_INVALID},
        {"1 hour 02:00", NULL, PARSE_INVALID},
        {"1.5 seconds 1 ms", NULL, PARSE_INVALID},
        {"day", NULL, PARSE_INVALID},
        {"1 quarter", NULL, PARSE_INVALID},
        {"1:60", NULL, PARSE_OUT_OF_RANGE},
        {"1:59:61", NULL, PARSE_OUT_OF_RANGE},
        {"2147483648 days", NULL, PARSE_OUT_OF_RANGE},
        {"1-12", NULL, PARSE_OUT_OF_RANGE},
        {"P", NULL, PARSE_INVALID},
        {"1-2-3", NULL, PARSE_INVALID},
        {"1 fortnight", NULL, PARSE_INVALID},
        {"1 2", "day to minute", PARSE_INVALID},
        {"123 11", "day", PARSE_INVALID},
        {"--1 day", NULL, PARSE_INVALID},
        {"1 day -", NULL, PARSE_INVALID},
        {"1 day 2 hours 3 minutes 4 seconds 5 ms 6 us 7 weeks 8 months 9 years 10 decades "
         "11 centuries 12 millennia 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20",
         NULL, PARSE_INVALID},
        {"99999999999999999999 days", NULL, PARSE_OUT_OF_RANGE},
        {"2562047789 hours", NULL, PARSE_OUT_OF_RANGE},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        Interval iv;
        ParseResult r = parse_q(cases[k].text, cases[k].qualifier, &iv);
        if (r != cases[k].expected)
            fail_msg("'%s': result %d, want %d", cases[k].text, (int)r, (int)cases[k].expected);
    }
}

static void test_interval_output(void **state)
{
    (void)state;
    Interval iv = interval_make(0, 0, 0);
    assert_interval_text(&iv, "00:00:00");
    iv = interval_make(0, 0, 500000);
    assert_interval_text(&iv, "00:00:00.5");
    iv = interval_make(0, 0, -1);
    assert_interval_text(&iv, "-00:00:00.000001");
    iv = interval_make(1, 1, 0);
    assert_interval_text(&iv, "1 mon 1 day");
    iv = interval_make(-13, 0, 0);
    assert_interval_text(&iv, "-1 years -1 mons");
    iv = interval_make(0, -1, MICROS_PER_HOUR);
    assert_interval_text(&iv, "-1 days +01:00:00");
    iv = interval_make(INT32_MIN, INT32_MIN, INT64_MIN);
    assert_interval_text(&iv, "-178956970 years -8 mons -2147483648 days -2562047788:00:54.775808");
    iv = interval_make(INT32_MAX, INT32_MAX, INT64_MAX);
    assert_interval_text(&iv, "178956970 years 7 mons 2147483647 days 2562047788:00:54.775807");
    /* The text reads back, extremes included. */
    static const Interval samples[] = {
        {INT32_MIN, INT32_MIN, INT64_MIN},
        {INT32_MAX, INT32_MAX, INT64_MAX},
        {0, 0, -1},
        {-13, 5, 3600000001},
        {7, -1, -86399999999},
        {0, 0, 0},
    };
    for (size_t k = 0; k < sizeof samples / sizeof samples[0]; k++) {
        char buf[INTERVAL_TEXT_MAX];
        int len = format_interval(&samples[k], buf);
        Interval back;
        assert_int_equal(parse_interval(buf, (size_t)len, INTERVAL_FULL_RANGE, &back), PARSE_OK);
        assert_memory_equal(&back, &samples[k], sizeof back);
    }
    Interval min;
    assert_int_equal(parse_interval("-9223372036854775808 us", 23, INTERVAL_FULL_RANGE, &min),
                     PARSE_OK);
    assert_true(min.micros == INT64_MIN);
    assert_int_equal(parse_interval("9223372036854775808 us", 22, INTERVAL_FULL_RANGE, &min),
                     PARSE_OUT_OF_RANGE);
}

static void test_interval_order(void **state)
{
    (void)state;
    Interval month = interval_make(1, 0, 0), days30 = interval_make(0, 30, 0);
    Interval day = interval_make(0, 1, 0), hours24 = interval_make(0, 0, 24 * MICROS_PER_HOUR);
    assert_int_equal(interval_compare(&month, &days30), 0);
    assert_int_equal(interval_compare(&day, &hours24), 0);
    assert_true(interval_compare(&day, &month) < 0);
    Interval big = interval_make(INT32_MAX, INT32_MAX, INT64_MAX);
    Interval small = interval_make(INT32_MIN, INT32_MIN, INT64_MIN);
    assert_true(interval_compare(&small, &big) < 0);
    assert_true(interval_span(&big) > 0 && interval_span(&small) < 0);
}

static void assert_scaled(Interval iv, double f, bool divide, const char *expected)
{
    Interval r;
    assert_true(divide ? interval_div(&iv, f, &r) : interval_mul(&iv, f, &r));
    assert_interval_text(&r, expected);
}

static void test_interval_arithmetic(void **state)
{
    (void)state;
    Interval r, a = interval_make(1, 2, 3), b = interval_make(4, 5, 6);
    assert_true(interval_add(&a, &b, &r));
    assert_true(r.months == 5 && r.days == 7 && r.micros == 9);
    assert_true(interval_sub(&a, &b, &r));
    assert_true(r.months == -3 && r.days == -3 && r.micros == -3);
    Interval max = interval_make(INT32_MAX, 0, 0);
    assert_false(interval_add(&max, &a, &r));
    Interval min = interval_make(0, 0, INT64_MIN);
    assert_false(interval_negate(&min, &r));
    assert_true(interval_negate(&a, &r));
    assert_true(r.months == -1 && r.days == -2 && r.micros == -3);
    /* PostgreSQL's answers */
    assert_scaled(interval_make(1, 0, 0), 0.5, false, "15 days");
    assert_scaled(interval_make(0, 1, 0), 3, true, "08:00:00");
    assert_scaled(interval_make(1, 1, 0), 1.5, false, "1 mon 16 days 12:00:00");
    assert_scaled(interval_make(12, 0, 0), 7, true, "1 mon 21 days 10:17:08.5344");
    assert_scaled(interval_make(-1, 3, 0), 2.3, false, "-2 mons -3 days +21:36:00");
    assert_scaled(interval_make(0, 1, 2 * MICROS_PER_HOUR), -1, false, "-1 days -02:00:00");
    assert_scaled(interval_make(1, 0, 0), 4, true, "7 days 12:00:00");
    assert_scaled(interval_make(0, 29, 86399 * MICROS_PER_SECOND), 1.1, false,
                  "31 days 47:59:58.9");
    assert_false(interval_mul(&max, 2, &r));
    assert_false(interval_mul(&a, 0.0 / 0.0, &r));
    assert_false(interval_mul(&min, 2, &r));
}

static int64_t ts(const char *text)
{
    int64_t v;
    assert_int_equal(parse_timestamp(text, strlen(text), &v), PARSE_OK);
    return v;
}

static void assert_ts(int64_t v, const char *expected)
{
    char buf[VALUE_TEXT_MAX];
    format_timestamp(v, buf);
    assert_string_equal(buf, expected);
}

static void assert_plus(const char *t, Interval iv, const char *expected)
{
    int64_t r;
    assert_true(timestamp_add_interval(ts(t), &iv, &r));
    assert_ts(r, expected);
}

static void test_timestamp_arithmetic(void **state)
{
    (void)state;
    /* month ends clamp; leap years */
    assert_plus("2024-01-31", interval_make(1, 0, 0), "2024-02-29 00:00:00");
    assert_plus("2023-01-31", interval_make(1, 0, 0), "2023-02-28 00:00:00");
    assert_plus("2024-02-29", interval_make(12, 0, 0), "2025-02-28 00:00:00");
    assert_plus("2000-02-29", interval_make(48, 0, 0), "2004-02-29 00:00:00");
    assert_plus("1900-01-29", interval_make(1, 0, 0), "1900-02-28 00:00:00");
    assert_plus("2024-03-31 10:00", interval_make(-1, 0, 0), "2024-02-29 10:00:00");
    assert_plus("2024-05-31", interval_make(-3, 0, 0), "2024-02-29 00:00:00");
    assert_plus("2024-01-31", interval_make(1, 1, 0), "2024-03-01 00:00:00");
    assert_plus("2024-12-31 23:59:59", interval_make(0, 0, MICROS_PER_SECOND),
                "2025-01-01 00:00:00");
    assert_plus("2000-03-01", interval_make(0, -1, 0), "2000-02-29 00:00:00");
    assert_plus("2024-01-01", interval_make(0, 0, 25 * MICROS_PER_HOUR), "2024-01-02 01:00:00");
    assert_plus("1970-01-01", interval_make(-12 * 1970, 0, 0), "0001-01-01 00:00:00 BC");
    int64_t r;
    Interval huge = interval_make(INT32_MAX, 0, 0);
    assert_false(timestamp_add_interval(ts("2024-01-01"), &huge, &r));
    Interval far = interval_make(0, 0, INT64_MAX);
    assert_false(timestamp_add_interval(ts("2024-01-01"), &far, &r));
    Interval back = interval_make(0, -3000000, 0);
    assert_false(timestamp_add_interval(ts("2024-01-01"), &back, &r));
    Interval month = interval_make(1, 0, 0);
    assert_true(timestamp_sub_interval(ts("2024-03-31"), &month, &r));
    assert_ts(r, "2024-02-29 00:00:00");

    Interval d;
    assert_true(timestamp_difference(ts("2024-03-10"), ts("2024-01-01 12:00"), &d));
    assert_interval_text(&d, "68 days 12:00:00");
    assert_true(timestamp_difference(ts("2024-01-01"), ts("2024-03-10 06:30"), &d));
    assert_interval_text(&d, "-69 days -06:30:00");
    assert_false(timestamp_difference(INT64_MAX, TIMESTAMP_MIN_MICROS, &d));

    static const struct {
        const char *a, *b, *expected;
    } ages[] = {
        {"2024-03-01", "2024-01-31", "1 mon 1 day"},
        {"2024-01-31", "2024-03-01", "-1 mons -1 days"},
        {"2024-03-31 10:00", "2023-02-28 12:30:15.5", "1 year 1 mon 2 days 21:29:44.5"},
        {"2000-02-29", "2024-02-28", "-23 years -11 mons -28 days"},
        {"2024-02-28", "2000-02-29", "23 years 11 mons 28 days"},
        {"2024-01-01", "2024-01-01", "00:00:00"},
    };
    for (size_t k = 0; k < sizeof ages / sizeof ages[0]; k++) {
        assert_true(timestamp_age(ts(ages[k].a), ts(ages[k].b), &d));
        assert_interval_text(&d, ages[k].expected);
    }
}

static int field(const char *name)
{
    int f = datetime_field_by_name(name, strlen(name));
    assert_true(f >= 0);
    return f;
}

static void test_fields(void **state)
{
    (void)state;
    assert_int_equal(datetime_field_by_name("YEARS", 5), DTF_YEAR);
    assert_int_equal(datetime_field_by_name("dayofweek", 9), DTF_DOW);
    assert_int_equal(datetime_field_by_name("fortnight", 9), -1);
    int64_t t = ts("2024-03-10 12:34:56.789");
    int32_t day;
    assert_int_equal(parse_date("2024-03-10", 10, &day), PARSE_OK);
    /* PostgreSQL's extract */
    assert_int_equal(timestamp_extract(DTF_YEAR, t), 2024);
    assert_int_equal(timestamp_extract(DTF_QUARTER, t), 1);
    assert_int_equal(timestamp_extract(DTF_HOUR, t), 12);
    assert_int_equal(timestamp_extract(DTF_MINUTE, t), 34);
    assert_int_equal(timestamp_extract(DTF_SECOND, t), 56789000);
    assert_int_equal(date_extract(DTF_DAY, day), 10);
    assert_int_equal(date_extract(DTF_DOW, day), 0);
    assert_int_equal(date_extract(DTF_ISODOW, day), 7);
    assert_int_equal(date_extract(DTF_DECADE, day), 202);
    assert_int_equal(date_extract(DTF_CENTURY, day), 21);
    assert_int_equal(date_extract(DTF_MILLENNIUM, day), 3);
    static const struct {
        const char *date;
        int64_t week, isoyear, doy;
    } weeks[] = {
        {"2024-01-01", 1, 2024, 1},
        {"2021-01-03", 53, 2020, 3},
        {"2024-12-31", 1, 2025, 366},
        {"2020-12-31", 53, 2020, 366},
    };
    for (size_t k = 0; k < sizeof weeks / sizeof weeks[0]; k++) {
        assert_int_equal(parse_date(weeks[k].date, 10, &day), PARSE_OK);
        assert_int_equal(date_extract(DTF_WEEK, day), weeks[k].week);
        assert_int_equal(date_extract(DTF_ISOYEAR, day), weeks[k].isoyear);
        assert_int_equal(date_extract(DTF_DOY, day), weeks[k].doy);
    }
    assert_true(timestamp_epoch(t) == 1710074096.789);
    Interval iv =
        interval_make(38, 40, -(25 * MICROS_PER_HOUR + 30 * MICROS_PER_MINUTE + 15250000));
    assert_int_equal(interval_extract(DTF_YEAR, &iv), 3);
    assert_int_equal(interval_extract(DTF_MONTH, &iv), 2);
    assert_int_equal(interval_extract(DTF_QUARTER, &iv), 1);
    assert_int_equal(interval_extract(DTF_DAY, &iv), 40);
    assert_int_equal(interval_extract(DTF_HOUR, &iv), -25);
    assert_int_equal(interval_extract(DTF_MINUTE, &iv), -30);
    assert_int_equal(interval_extract(DTF_SECOND, &iv), -15250000);
    Interval e = interval_make(14, 3, 14706500000);
    assert_true(interval_epoch(&e) == 37015506.5);
    assert_true(datetime_field_extracts(DTF_HOUR, TYPE_TIMESTAMP));
    assert_false(datetime_field_extracts(DTF_HOUR, TYPE_DATE));
    assert_false(datetime_field_extracts(DTF_WEEK, TYPE_INTERVAL));
    assert_false(datetime_field_extracts(DTF_DOW, TYPE_INTERVAL));

    static const struct {
        const char *unit, *expected;
    } truncs[] = {
        {"year", "2024-01-01 00:00:00"},    {"quarter", "2024-01-01 00:00:00"},
        {"month", "2024-03-01 00:00:00"},   {"week", "2024-03-04 00:00:00"},
        {"day", "2024-03-10 00:00:00"},     {"hour", "2024-03-10 12:00:00"},
        {"minute", "2024-03-10 12:34:00"},  {"second", "2024-03-10 12:34:56"},
        {"ms", "2024-03-10 12:34:56.789"},  {"decade", "2020-01-01 00:00:00"},
        {"century", "2001-01-01 00:00:00"}, {"millennium", "2001-01-01 00:00:00"},
    };
    for (size_t k = 0; k < sizeof truncs / sizeof truncs[0]; k++) {
        int64_t r;
        assert_true(timestamp_trunc((DatetimeField)field(truncs[k].unit), t, &r));
        assert_ts(r, truncs[k].expected);
    }
    int64_t r;
    assert_true(timestamp_trunc(DTF_HOUR, ts("1969-12-31 23:30"), &r));
    assert_ts(r, "1969-12-31 23:00:00");
    assert_false(timestamp_trunc(DTF_DOW, t, &r));
    Interval tr, full = interval_make(14, 3, 4 * MICROS_PER_HOUR + 5 * MICROS_PER_MINUTE + 6000000);
    interval_trunc(DTF_HOUR, &full, &tr);
    assert_interval_text(&tr, "1 year 2 mons 3 days 04:00:00");
    Interval q = interval_make(17, 3, 0);
    interval_trunc(DTF_QUARTER, &q, &tr);
    assert_interval_text(&tr, "1 year 3 mons");

    /* DuckDB's date_diff: unit boundaries between the two */
    static const struct {
        const char *unit, *a, *b;
        int64_t expected;
    } diffs[] = {
        {"month", "2024-01-31", "2024-02-01", 1},
        {"year", "2023-12-31 23:59", "2024-01-01", 1},
        {"day", "2024-01-01 23:00", "2024-01-02 01:00", 1},
        {"hour", "2024-01-01 23:59", "2024-01-02 00:01", 1},
        {"week", "2024-03-10", "2024-03-11", 1},
        {"week", "2024-03-11", "2024-03-17", 0},
        {"quarter", "2024-03-31", "2024-04-01", 1},
        {"minute", "2024-01-01 00:00:59", "2024-01-01 00:01:00", 1},
        {"second", "1969-12-31 23:59:59.5", "1970-01-01 00:00:00.5", 1},
        {"day", "2024-03-01", "2024-01-01", -60},
        {"microseconds", "2024-01-01", "2024-01-01 00:00:01", 1000000},
    };
    for (size_t k = 0; k < sizeof diffs / sizeof diffs[0]; k++) {
        int64_t n;
        assert_true(timestamp_diff_units((DatetimeField)field(diffs[k].unit), ts(diffs[k].a),
                                         ts(diffs[k].b), &n));
        if (n != diffs[k].expected)
            fail_msg("date_diff('%s', %s, %s) = %lld", diffs[k].unit, diffs[k].a, diffs[k].b,
                     (long long)n);
    }
    int64_t n;
    assert_false(timestamp_diff_units(DTF_MICROSECOND, TIMESTAMP_MIN_MICROS, INT64_MAX, &n));
}

static void test_dates(void **state)
{
    (void)state;
    int32_t d;
    char buf[VALUE_TEXT_MAX];
    assert_true(date_from_parts(2024, 2, 29, &d));
    format_date(d, buf);
    assert_string_equal(buf, "2024-02-29");
    assert_false(date_from_parts(2023, 2, 29, &d));
    assert_false(date_from_parts(0, 1, 1, &d));
    assert_false(date_from_parts(2024, 13, 1, &d));
    assert_true(date_from_parts(-44, 3, 15, &d));
    format_date(d, buf);
    assert_string_equal(buf, "0044-03-15 BC");
    assert_true(date_from_parts(2023, 2, 1, &d));
    format_date(date_last_day(d), buf);
    assert_string_equal(buf, "2023-02-28");
    assert_true(date_from_parts(2024, 2, 1, &d));
    format_date(date_last_day(d), buf);
    assert_string_equal(buf, "2024-02-29");
    int range;
    assert_true(interval_range_from_name("day to second", &range));
    assert_int_equal(range, INTERVAL_DAY | INTERVAL_HOUR | INTERVAL_MINUTE | INTERVAL_SECOND);
    assert_false(interval_range_from_name("month to day", &range));
    assert_false(interval_range_from_name("fortnight", &range));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_interval_input),
        cmocka_unit_test(test_interval_bad_input),
        cmocka_unit_test(test_interval_output),
        cmocka_unit_test(test_interval_order),
        cmocka_unit_test(test_interval_arithmetic),
        cmocka_unit_test(test_timestamp_arithmetic),
        cmocka_unit_test(test_fields),
        cmocka_unit_test(test_dates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
