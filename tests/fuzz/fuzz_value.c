/*
 * libFuzzer target: text → value for every type (the parsers behind CAST, COPY and
 * literals), intervals also under every qualifier. An interval that parses must format
 * and parse back to the same fields.
 */
#include "common/datetime.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    static const TypeId ids[] = {TYPE_BOOLEAN, TYPE_INTEGER, TYPE_BIGINT,   TYPE_DOUBLE,
                                 TYPE_DECIMAL, TYPE_DATE,    TYPE_TIMESTAMP};
    for (size_t k = 0; k < sizeof ids / sizeof ids[0]; k++) {
        LogicalType t = ids[k] == TYPE_DECIMAL ? type_decimal(15, 2) : type_make(ids[k]);
        union {
            uint8_t b;
            int32_t i32;
            int64_t i64;
            double f64;
        } v;
        if (parse_as_type(s, size, t, &v) == PARSE_OK) {
            char buf[VALUE_TEXT_MAX];
            format_physical(t, &v, buf);
        }
    }
    static const char *const qualifiers[] = {
        NULL,
        "year",
        "month",
        "day",
        "hour",
        "minute",
        "second",
        "year to month",
        "day to hour",
        "day to minute",
        "day to second",
        "hour to minute",
        "hour to second",
        "minute to second",
    };
    for (size_t k = 0; k < sizeof qualifiers / sizeof qualifiers[0]; k++) {
        int range;
        if (!interval_range_from_name(qualifiers[k], &range)) __builtin_trap();
        Interval iv, back;
        if (parse_interval(s, size, range, &iv) != PARSE_OK) continue;
        char buf[INTERVAL_TEXT_MAX];
        int len = format_interval(&iv, buf);
        if (len <= 0 || len >= INTERVAL_TEXT_MAX ||
            parse_interval(buf, (size_t)len, INTERVAL_FULL_RANGE, &back) != PARSE_OK ||
            memcmp(&iv, &back, sizeof iv) != 0)
            __builtin_trap();
    }
    return 0;
}
