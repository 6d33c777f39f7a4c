/*
 * Unit tests: text ⇄ value conversions, calendar arithmetic, sizes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/config.h"
#include "common/value.h"

#include <math.h>
#include <string.h>

#define P(fn, text, out) fn(text, strlen(text), out)

static void test_integers(void **state)
{
    (void)state;
    int32_t i;
    int64_t l;
    assert_int_equal(P(parse_int32, "42", &i), PARSE_OK);
    assert_int_equal(i, 42);
    assert_int_equal(P(parse_int32, "  -17 ", &i), PARSE_OK);
    assert_int_equal(i, -17);
    assert_int_equal(P(parse_int32, "2147483647", &i), PARSE_OK);
    assert_int_equal(P(parse_int32, "-2147483648", &i), PARSE_OK);
    assert_int_equal(i, INT32_MIN);
    assert_int_equal(P(parse_int32, "2147483648", &i), PARSE_OUT_OF_RANGE);
    assert_int_equal(P(parse_int32, "12a", &i), PARSE_INVALID);
    assert_int_equal(P(parse_int32, "", &i), PARSE_INVALID);
    assert_int_equal(P(parse_int32, "-", &i), PARSE_INVALID);
    assert_int_equal(P(parse_int64, "-9223372036854775808", &l), PARSE_OK);
    assert_true(l == INT64_MIN);
    assert_int_equal(P(parse_int64, "9223372036854775808", &l), PARSE_OUT_OF_RANGE);
    assert_int_equal(P(parse_int64, "99999999999999999999999", &l), PARSE_OUT_OF_RANGE);
    char buf[VALUE_TEXT_MAX];
    format_int64(INT64_MIN, buf);
    assert_string_equal(buf, "-9223372036854775808");
    format_int64(0, buf);
    assert_string_equal(buf, "0");
}

static void test_decimals(void **state)
{
    (void)state;
    int64_t d;
    char buf[VALUE_TEXT_MAX];
    assert_int_equal(parse_decimal("12.345", 6, 15, 2, &d), PARSE_OK);
    assert_int_equal(d, 1235); /* half away from zero */
    assert_int_equal(parse_decimal("-12.345", 7, 15, 2, &d), PARSE_OK);
    assert_int_equal(d, -1235);
    assert_int_equal(parse_decimal(".5", 2, 3, 1, &d), PARSE_OK);
    assert_int_equal(d, 5);
    assert_int_equal(parse_decimal("1e3", 3, 10, 2, &d), PARSE_OK);
    assert_int_equal(d, 100000);
    assert_int_equal(parse_decimal("1.5E-1", 6, 10, 2, &d), PARSE_OK);
    assert_int_equal(d, 15);
    assert_int_equal(parse_decimal("999.99", 6, 5, 2, &d), PARSE_OK);
    assert_int_equal(parse_decimal("1000", 4, 5, 2, &d), PARSE_OUT_OF_RANGE);
    assert_int_equal(parse_decimal("999.995", 7, 5, 2, &d), PARSE_OUT_OF_RANGE);
    assert_int_equal(parse_decimal("0000000000000000000000001", 25, 5, 2, &d), PARSE_OK);
    assert_int_equal(d, 100);
    assert_int_equal(parse_decimal("1.2.3", 5, 5, 2, &d), PARSE_INVALID);
    assert_int_equal(parse_decimal(".", 1, 5, 2, &d), PARSE_INVALID);
    format_decimal(-5, 2, buf);
    assert_string_equal(buf, "-0.05");
    format_decimal(123456, 3, buf);
    assert_string_equal(buf, "123.456");
    format_decimal(7, 0, buf);
    assert_string_equal(buf, "7");
}

static void test_doubles(void **state)
{
    (void)state;
    double f;
    char buf[VALUE_TEXT_MAX];
    assert_int_equal(P(parse_double, "1.5", &f), PARSE_OK);
    assert_true(f == 1.5);
    assert_int_equal(P(parse_double, "-inf", &f), PARSE_OK);
    assert_true(isinf(f) && f < 0);
    assert_int_equal(P(parse_double, "1e999", &f), PARSE_OUT_OF_RANGE);
    assert_int_equal(P(parse_double, "x", &f), PARSE_INVALID);
    format_double(0.1 + 0.2, buf);
    assert_string_equal(buf, "0.30000000000000004");
    format_double(1.5, buf);
    assert_string_equal(buf, "1.5");
    format_double(1e20, buf);
    assert_string_equal(buf, "1e+20");
    format_double(NAN, buf);
    assert_string_equal(buf, "NaN");
    format_double(-INFINITY, buf);
    assert_string_equal(buf, "-Infinity");
}

static void test_dates_and_timestamps(void **state)
{
    (void)state;
    int32_t days;
    int64_t ts;
    char buf[VALUE_TEXT_MAX];
    assert_int_equal(P(parse_date, "1970-01-01", &days), PARSE_OK);
    assert_int_equal(days, 0);
    assert_int_equal(P(parse_date, "2024-01-02", &days), PARSE_OK);
    assert_int_equal(days, 19724);
    assert_int_equal(P(parse_date, "1969-12-31", &days), PARSE_OK);
    assert_int_equal(days, -1);
    assert_int_equal(P(parse_date, "2024-02-30", &days), PARSE_OUT_OF_RANGE);
    assert_int_equal(P(parse_date, "2023-02-29", &days), PARSE_OUT_OF_RANGE);
    assert_int_equal(P(parse_date, "2024-02-29", &days), PARSE_OK);
    assert_int_equal(P(parse_date, "2024/01/02", &days), PARSE_INVALID);
    for (int32_t d = -719162; d < 800000; d += 997) {
        format_date(d, buf);
        int32_t back;
        assert_int_equal(P(parse_date, buf, &back), PARSE_OK);
        assert_int_equal(back, d);
    }
    format_date(19724, buf);
    assert_string_equal(buf, "2024-01-02");
    assert_int_equal(P(parse_timestamp, "2024-01-02 03:04:05.5", &ts), PARSE_OK);
    format_timestamp(ts, buf);
    assert_string_equal(buf, "2024-01-02 03:04:05.5");
    assert_int_equal(P(parse_timestamp, "2024-01-02T03:04", &ts), PARSE_OK);
    format_timestamp(ts, buf);
    assert_string_equal(buf, "2024-01-02 03:04:00");
    assert_int_equal(P(parse_timestamp, "1969-12-31 23:59:59.999999", &ts), PARSE_OK);
    assert_true(ts == -1);
    format_timestamp(ts, buf);
    assert_string_equal(buf, "1969-12-31 23:59:59.999999");
    assert_int_equal(P(parse_timestamp, "2024-01-02 25:00:00", &ts), PARSE_OUT_OF_RANGE);
    assert_int_equal(P(parse_timestamp, "2024-01-02 10:00:00+05", &ts), PARSE_INVALID);
}

static void test_booleans_and_errors(void **state)
{
    (void)state;
    bool b;
    assert_int_equal(P(parse_boolean, " TRUE ", &b), PARSE_OK);
    assert_true(b);
    assert_int_equal(P(parse_boolean, "off", &b), PARSE_OK);
    assert_false(b);
    assert_int_equal(P(parse_boolean, "maybe", &b), PARSE_INVALID);
    Error err = ERROR_INIT;
    parse_error(&err, PARSE_INVALID, type_make(TYPE_INTEGER), "abc", 3, -1);
    assert_string_equal(err.sqlstate, "22P02");
    assert_string_equal(err.message, "invalid input syntax for type integer: \"abc\"");
    error_clear(&err);
    parse_error(&err, PARSE_OUT_OF_RANGE, type_make(TYPE_INTEGER), "9999999999", 10, -1);
    assert_string_equal(err.sqlstate, "22003");
    error_clear(&err);
}

static void test_sizes(void **state)
{
    (void)state;
    Error err = ERROR_INIT;
    int64_t v;
    assert_int_equal(config_parse_size("4GB", &v, &err), BS_OK);
    assert_true(v == INT64_C(4) << 30);
    assert_int_equal(config_parse_size("512 mb", &v, &err), BS_OK);
    assert_true(v == INT64_C(512) << 20);
    assert_int_equal(config_parse_size("100", &v, &err), BS_OK);
    assert_true(v == 100);
    assert_int_equal(config_parse_size("12 parsecs", &v, &err), BS_ERROR);
    assert_string_equal(err.sqlstate, "22023");
    error_clear(&err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_integers),
        cmocka_unit_test(test_decimals),
        cmocka_unit_test(test_doubles),
        cmocka_unit_test(test_dates_and_timestamps),
        cmocka_unit_test(test_booleans_and_errors),
        cmocka_unit_test(test_sizes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
