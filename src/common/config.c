/*
 * config.c — parsing of sizes and counts in settings.
 */
#include "common/config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

Status config_parse_size(const char *text, int64_t *out, Error *err)
{
    errno = 0;
    char *end;
    double number = strtod(text, &end);
    if (end == text || errno != 0 || !isfinite(number) || number < 0)
        return error_set(err, SQLSTATE_INVALID_PARAMETER, -1, "invalid size: \"%s\"", text);
    while (isspace((unsigned char)*end))
        end++;
    static const struct {
        const char *unit;
        double factor;
    } units[] = {{"", 1},
                 {"b", 1},
                 {"k", 1024.0},
                 {"kb", 1024.0},
                 {"kib", 1024.0},
                 {"m", 1048576.0},
                 {"mb", 1048576.0},
                 {"mib", 1048576.0},
                 {"g", 1073741824.0},
                 {"gb", 1073741824.0},
                 {"gib", 1073741824.0},
                 {"t", 1099511627776.0},
                 {"tb", 1099511627776.0},
                 {"tib", 1099511627776.0}};
    for (size_t k = 0; k < BS_ARRAY_LEN(units); k++) {
        if (strcasecmp(end, units[k].unit) == 0) {
            double bytes = number * units[k].factor;
            if (bytes >= 9.2e18)
                return error_set(err, SQLSTATE_INVALID_PARAMETER, -1, "size too large: \"%s\"",
                                 text);
            *out = (int64_t)bytes;
            return BS_OK;
        }
    }
    return error_set(err, SQLSTATE_INVALID_PARAMETER, -1,
                     "invalid size: \"%s\" (use a number with B, kB, MB, GB or TB)", text);
}

Status config_parse_count(const char *text, int64_t max, int64_t *out, Error *err)
{
    errno = 0;
    char *end;
    long long v = strtoll(text, &end, 10);
    if (end == text || *end != '\0' || errno != 0 || v < 1 || v > max)
        return error_set(err, SQLSTATE_INVALID_PARAMETER, -1,
                         "invalid number: \"%s\" (expected 1 to %lld)", text, (long long)max);
    *out = v;
    return BS_OK;
}

int64_t config_default_memory(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
    return pages > 0 && page > 0 ? (int64_t)pages * page / 10 * 8 : INT64_C(4) << 30;
}
