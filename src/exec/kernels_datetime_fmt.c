/*
 * kernels_datetime_fmt.c — timestamps to and from text by a format:
 *
 *   strftime(ts, fmt)   DuckDB's (C's) specifiers: %Y %y %m %d %e %H %I %M %S %f %p %j %a
 *                       %A %b %h %B %w %u %F %T %D %%; also %-m %-d %-H %-I %-M %-S %-j
 *                       (no padding). Any other specifier fails with 22007.
 *   strptime(s, fmt)    the same specifiers read back (names in any case; a blank in fmt
 *                       matches any run of blanks); text that does not fit, or a field out
 *                       of range, fails with 22007.
 *   to_char(ts, fmt)    PostgreSQL's patterns: YYYY YYY YY Y, MM, DD, DDD, D, HH HH12 HH24,
 *                       MI, SS, MS, US, AM PM am pm A.M. P.M., Q, Month MONTH month, Mon MON
 *                       mon, Day DAY day, Dy DY dy, the FM prefix (no padding) and "quoted"
 *                       text; other characters are copied, as PostgreSQL does.
 *
 * DATE arguments arrive as TIMESTAMPs (the binder casts them). Results go to the batch
 * arena.
 */
#include "exec/kernels.h"

#include "common/value.h"

#include <stdio.h>
#include <string.h>

static const char *const MONTHS[12] = {"January", "February", "March",     "April",
                                       "May",     "June",     "July",      "August",
                                       "September", "October", "November", "December"};
static const char *const DAYS[7] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                    "Thursday", "Friday", "Saturday"};

typedef struct Parts {
    int64_t year;
    unsigned month, day;
    int hour, minute, second, micros;
    int dow; /* 0 = Sunday */
    int doy; /* 1 … 366 */
} Parts;

static void split_timestamp(int64_t ts, Parts *p)
{
    int64_t days, tod;
    timestamp_split(ts, &days, &tod);
    civil_from_days(days, &p->year, &p->month, &p->day);
    p->hour = (int)(tod / MICROS_PER_HOUR);
    p->minute = (int)(tod / MICROS_PER_MINUTE % 60);
    p->second = (int)(tod / MICROS_PER_SECOND % 60);
    p->micros = (int)(tod % MICROS_PER_SECOND);
    p->dow = date_dow(days);
    p->doy = (int)(days - days_from_civil(p->year, 1, 1) + 1);
}

/* A growing text in the batch arena. */
typedef struct Text {
    Arena *arena;
    char *buf;
    size_t len, cap;
} Text;

static bool put(Text *t, const char *s, size_t n)
{
    if (n == 0) return true;
    if (t->len + n > t->cap) {
        size_t cap = BS_MAX(BS_MAX(t->cap * 2, t->len + n), (size_t)32);
        char *grown = arena_grow(t->arena, t->buf, t->cap, cap);
        if (!grown) return false;
        t->buf = grown;
        t->cap = cap;
    }
    memcpy(t->buf + t->len, s, n);
    t->len += n;
    return true;
}

static bool put_num(Text *t, int64_t v, int width)
{
    char buf[32];
    int n = width > 0 ? snprintf(buf, sizeof buf, "%0*lld", width, (long long)v)
                      : snprintf(buf, sizeof buf, "%lld", (long long)v);
    return put(t, buf, (size_t)n);
}

static bool put_str(Text *t, const char *s)
{
    return put(t, s, strlen(s));
}

static Status bad_format(const char *fmt, size_t len, size_t at, Error *err)
{
    return error_set(err, SQLSTATE_INVALID_DATETIME, -1,
                     "invalid format specifier \"%.*s\" in \"%.*s\"", (int)BS_MIN(len - at, 3),
                     fmt + at, (int)BS_MIN(len, 200), fmt);
}

static inline int hour12(int h)
{
    return h % 12 == 0 ? 12 : h % 12;
}

/* ---- strftime ---- */

static Status strftime_one(const Parts *p, const char *f, size_t flen, Text *t, Error *err)
{
    for (size_t k = 0; k < flen; k++) {
        if (f[k] != '%') {
            if (!put(t, f + k, 1)) return arena_error(t->arena, err);
            continue;
        }
        size_t at = k;
        if (++k >= flen) return bad_format(f, flen, at, err);
        bool pad = true;
        if (f[k] == '-') {
            pad = false;
            if (++k >= flen) return bad_format(f, flen, at, err);
        }
        bool ok;
        switch (f[k]) {
        case 'Y':
            ok = put_num(t, p->year, pad ? 4 : 0);
            break;
        case 'y':
            ok = put_num(t, ((p->year % 100) + 100) % 100, pad ? 2 : 0);
            break;
        case 'm':
            ok = put_num(t, p->month, pad ? 2 : 0);
            break;
        case 'd':
            ok = put_num(t, p->day, pad ? 2 : 0);
            break;
        case 'e': {
            char buf[4];
            snprintf(buf, sizeof buf, "%2u", p->day);
            ok = put_str(t, buf);
            break;
        }
        case 'H':
            ok = put_num(t, p->hour, pad ? 2 : 0);
            break;
        case 'I':
            ok = put_num(t, hour12(p->hour), pad ? 2 : 0);
            break;
        case 'M':
            ok = put_num(t, p->minute, pad ? 2 : 0);
            break;
        case 'S':
            ok = put_num(t, p->second, pad ? 2 : 0);
            break;
        case 'f':
            ok = put_num(t, p->micros, 6);
            break;
        case 'p':
            ok = put_str(t, p->hour < 12 ? "AM" : "PM");
            break;
        case 'j':
            ok = put_num(t, p->doy, pad ? 3 : 0);
            break;
        case 'a':
            ok = put(t, DAYS[p->dow], 3);
            break;
        case 'A':
            ok = put_str(t, DAYS[p->dow]);
            break;
        case 'b':
        case 'h':
            ok = put(t, MONTHS[p->month - 1], 3);
            break;
        case 'B':
            ok = put_str(t, MONTHS[p->month - 1]);
            break;
        case 'w':
            ok = put_num(t, p->dow, 0);
            break;
        case 'u':
            ok = put_num(t, p->dow == 0 ? 7 : p->dow, 0);
            break;
        case 'F':
            ok = put_num(t, p->year, 4) && put(t, "-", 1) && put_num(t, p->month, 2) &&
                 put(t, "-", 1) && put_num(t, p->day, 2);
            break;
        case 'T':
            ok = put_num(t, p->hour, 2) && put(t, ":", 1) && put_num(t, p->minute, 2) &&
                 put(t, ":", 1) && put_num(t, p->second, 2);
            break;
        case 'D':
            ok = put_num(t, p->month, 2) && put(t, "/", 1) && put_num(t, p->day, 2) &&
                 put(t, "/", 1) && put_num(t, ((p->year % 100) + 100) % 100, 2);
            break;
        case '%':
            ok = put(t, "%", 1);
            break;
        default:
            return bad_format(f, flen, at, err);
        }
        if (!ok) return arena_error(t->arena, err);
    }
    return BS_OK;
}

/* ---- strptime ---- */

static inline bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Up to max_digits digits at s[*i] (at least one); false if none. */
static bool read_num(const char *s, size_t len, size_t *i, int max_digits, int64_t *out)
{
    int64_t v = 0;
    int n = 0;
    bool neg = false;
    if (*i < len && (s[*i] == '-' || s[*i] == '+') && max_digits == 4) {
        neg = s[*i] == '-';
        (*i)++;
    }
    while (*i < len && n < max_digits && s[*i] >= '0' && s[*i] <= '9') {
        v = v * 10 + (s[*i] - '0');
        (*i)++;
        n++;
    }
    *out = neg ? -v : v;
    return n > 0;
}

/* The index of the name (full or its first three letters) at s[*i] in names, or -1. */
static int read_name(const char *s, size_t len, size_t *i, const char *const *names, int n)
{
    for (int full = 1; full >= 0; full--) {
        for (int k = 0; k < n; k++) {
            size_t m = full ? strlen(names[k]) : 3;
            if (*i + m <= len && strncasecmp(s + *i, names[k], m) == 0) {
                *i += m;
                return k;
            }
        }
    }
    return -1;
}

static Status strptime_one(const char *s, size_t slen, const char *f, size_t flen, int64_t *out,
                           Error *err)
{
    int64_t year = 1900, month = 1, day = 1, hour = 0, minute = 0, second = 0, micros = 0;
    int64_t doy = -1;
    int pm = -1; /* -1: no %p */
    size_t si = 0;
    for (size_t k = 0; k < flen; k++) {
        if (is_blank(f[k])) {
            while (si < slen && is_blank(s[si]))
                si++;
            continue;
        }
        if (f[k] != '%') {
            if (si >= slen || s[si] != f[k]) goto mismatch;
            si++;
            continue;
        }
        size_t at = k;
        if (++k >= flen) return bad_format(f, flen, at, err);
        if (f[k] == '-' && ++k >= flen) return bad_format(f, flen, at, err);
        int64_t v;
        int idx;
        switch (f[k]) {
        case 'Y':
            if (!read_num(s, slen, &si, 4, &year)) goto mismatch;
            break;
        case 'y':
            if (!read_num(s, slen, &si, 2, &v)) goto mismatch;
            year = v < 69 ? 2000 + v : 1900 + v; /* POSIX's pivot */
            break;
        case 'm':
            if (!read_num(s, slen, &si, 2, &month)) goto mismatch;
            break;
        case 'd':
        case 'e':
            while (f[k] == 'e' && si < slen && s[si] == ' ')
                si++;
            if (!read_num(s, slen, &si, 2, &day)) goto mismatch;
            break;
        case 'H':
        case 'I':
            if (!read_num(s, slen, &si, 2, &hour)) goto mismatch;
            break;
        case 'M':
            if (!read_num(s, slen, &si, 2, &minute)) goto mismatch;
            break;
        case 'S':
            if (!read_num(s, slen, &si, 2, &second)) goto mismatch;
            break;
        case 'f': {
            size_t from = si;
            if (!read_num(s, slen, &si, 6, &micros)) goto mismatch;
            for (size_t n = si - from; n < 6; n++)
                micros *= 10;
            break;
        }
        case 'j':
            if (!read_num(s, slen, &si, 3, &doy)) goto mismatch;
            break;
        case 'p':
            if (si + 2 <= slen && strncasecmp(s + si, "AM", 2) == 0)
                pm = 0;
            else if (si + 2 <= slen && strncasecmp(s + si, "PM", 2) == 0)
                pm = 1;
            else
                goto mismatch;
            si += 2;
            break;
        case 'a':
        case 'A':
            if (read_name(s, slen, &si, DAYS, 7) < 0) goto mismatch;
            break;
        case 'b':
        case 'h':
        case 'B':
            if ((idx = read_name(s, slen, &si, MONTHS, 12)) < 0) goto mismatch;
            month = idx + 1;
            break;
        case '%':
            if (si >= slen || s[si] != '%') goto mismatch;
            si++;
            break;
        default:
            return bad_format(f, flen, at, err);
        }
    }
    if (si != slen) goto mismatch;
    if (pm >= 0) {
        if (hour < 1 || hour > 12) goto out_of_range;
        hour = hour % 12 + (pm ? 12 : 0);
    }
    if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) goto out_of_range;
    if (day < 1 || day > (int64_t)days_in_month(year, (unsigned)month)) goto out_of_range;
    int32_t days;
    if (!date_from_parts(year, month, day, &days)) goto out_of_range;
    if (doy >= 0) {
        if (doy < 1 || doy > (is_leap_year(year) ? 366 : 365)) goto out_of_range;
        days = days_from_civil(year, 1, 1) + (int32_t)doy - 1;
    }
    int64_t ts = (int64_t)days * MICROS_PER_DAY + hour * MICROS_PER_HOUR +
                 minute * MICROS_PER_MINUTE + second * MICROS_PER_SECOND + micros;
    if (!timestamp_is_valid(ts)) goto out_of_range;
    *out = ts;
    return BS_OK;
mismatch:
    return error_set(err, SQLSTATE_INVALID_DATETIME, -1,
                     "could not parse \"%.*s\" according to format \"%.*s\"",
                     (int)BS_MIN(slen, 200), s, (int)BS_MIN(flen, 200), f);
out_of_range:
    return error_set(err, SQLSTATE_INVALID_DATETIME, -1,
                     "date/time field value out of range: \"%.*s\"", (int)BS_MIN(slen, 200), s);
}

static Status strptime_kernel(KERNEL_ARGS)
{
    (void)n_args;
    (void)data;
    UnifiedVector us, uf;
    unify(args[0], &us);
    unify(args[1], &uf);
    int64_t *R = result->data;
    for (idx_t i = 0; i < count; i++) {
        sel_t row = sel[i];
        const StringView *s = UV_STR(us, row), *f = UV_STR(uf, row);
        BS_TRY(strptime_one(sv_data(s), s->len, sv_data(f), f->len, &R[row], err));
    }
    return BS_OK;
}

/* ---- to_char ---- */

/* True when f[k..] starts with pat (case-sensitive). */
static inline bool at_pattern(const char *f, size_t flen, size_t k, const char *pat)
{
    size_t n = strlen(pat);
    return k + n <= flen && memcmp(f + k, pat, n) == 0;
}

/* The same for the numeric patterns, which PostgreSQL reads in any case (yyyy, hh24). */
static inline bool at_pattern_ci(const char *f, size_t flen, size_t k, const char *pat)
{
    size_t n = strlen(pat);
    return k + n <= flen && strncasecmp(f + k, pat, n) == 0;
}

/* A name in the case the pattern asks for: Xx (capitalized), XX (upper), xx (lower). */
static bool put_name(Text *t, const char *name, size_t n, char style, bool fill)
{
    char buf[16];
    for (size_t k = 0; k < n; k++) {
        char c = name[k];
        if (style == 'U' && c >= 'a' && c <= 'z') c = (char)(c - 'a' + 'A');
        if (style == 'L' && c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        buf[k] = c;
    }
    if (!put(t, buf, n)) return false;
    /* full names are blank-padded to 9 characters, as PostgreSQL's */
    for (size_t k = n; fill && k < 9; k++)
        if (!put(t, " ", 1)) return false;
    return true;
}

static Status to_char_one(const Parts *p, const char *f, size_t flen, Text *t, Error *err)
{
    static const struct {
        const char *pat;
        char style; /* C capitalized, U upper, L lower */
    } names[] = {{"Month", 'C'}, {"MONTH", 'U'}, {"month", 'L'}, {"Mon", 'C'}, {"MON", 'U'},
                 {"mon", 'L'},   {"Day", 'C'},   {"DAY", 'U'},   {"day", 'L'}, {"Dy", 'C'},
                 {"DY", 'U'},    {"dy", 'L'}};
    for (size_t k = 0; k < flen;) {
        bool fm = false;
        if (at_pattern(f, flen, k, "FM")) {
            fm = true;
            k += 2;
            if (k >= flen) break;
        }
        bool ok = true;
        size_t used = 0;
        if (f[k] == '"') {
            /* quoted text, \" inside */
            size_t q = k + 1;
            while (q < flen && f[q] != '"') {
                if (f[q] == '\\' && q + 1 < flen) q++;
                ok = ok && put(t, f + q, 1);
                q++;
            }
            used = (q < flen ? q + 1 : q) - k;
        } else if (at_pattern_ci(f, flen, k, "YYYY")) {
            ok = put_num(t, p->year, fm ? 0 : 4), used = 4;
        } else if (at_pattern_ci(f, flen, k, "YYY")) {
            ok = put_num(t, p->year % 1000, fm ? 0 : 3), used = 3;
        } else if (at_pattern_ci(f, flen, k, "YY")) {
            ok = put_num(t, p->year % 100, fm ? 0 : 2), used = 2;
        } else if (at_pattern_ci(f, flen, k, "Y")) {
            ok = put_num(t, p->year % 10, 0), used = 1;
        } else if (at_pattern_ci(f, flen, k, "MM")) {
            ok = put_num(t, p->month, fm ? 0 : 2), used = 2;
        } else if (at_pattern_ci(f, flen, k, "MI")) {
            ok = put_num(t, p->minute, fm ? 0 : 2), used = 2;
        } else if (at_pattern_ci(f, flen, k, "MS")) {
            ok = put_num(t, p->micros / 1000, fm ? 0 : 3), used = 2;
        } else if (at_pattern_ci(f, flen, k, "DDD")) {
            ok = put_num(t, p->doy, fm ? 0 : 3), used = 3;
        } else if (at_pattern_ci(f, flen, k, "DD")) {
            ok = put_num(t, p->day, fm ? 0 : 2), used = 2;
        } else if (at_pattern_ci(f, flen, k, "HH24")) {
            ok = put_num(t, p->hour, fm ? 0 : 2), used = 4;
        } else if (at_pattern_ci(f, flen, k, "HH12")) {
            ok = put_num(t, hour12(p->hour), fm ? 0 : 2), used = 4;
        } else if (at_pattern_ci(f, flen, k, "HH")) {
            ok = put_num(t, hour12(p->hour), fm ? 0 : 2), used = 2;
        } else if (at_pattern_ci(f, flen, k, "SS")) {
            ok = put_num(t, p->second, fm ? 0 : 2), used = 2;
        } else if (at_pattern_ci(f, flen, k, "US")) {
            ok = put_num(t, p->micros, fm ? 0 : 6), used = 2;
        } else if (at_pattern(f, flen, k, "A.M.") || at_pattern(f, flen, k, "P.M.")) {
            ok = put_str(t, p->hour < 12 ? "A.M." : "P.M."), used = 4;
        } else if (at_pattern(f, flen, k, "a.m.") || at_pattern(f, flen, k, "p.m.")) {
            ok = put_str(t, p->hour < 12 ? "a.m." : "p.m."), used = 4;
        } else if (at_pattern(f, flen, k, "AM") || at_pattern(f, flen, k, "PM")) {
            ok = put_str(t, p->hour < 12 ? "AM" : "PM"), used = 2;
        } else if (at_pattern(f, flen, k, "am") || at_pattern(f, flen, k, "pm")) {
            ok = put_str(t, p->hour < 12 ? "am" : "pm"), used = 2;
        } else if (at_pattern_ci(f, flen, k, "Q")) {
            ok = put_num(t, (p->month - 1) / 3 + 1, 0), used = 1;
        } else {
            for (size_t n = 0; n < BS_ARRAY_LEN(names) && !used; n++) {
                if (!at_pattern(f, flen, k, names[n].pat)) continue;
                size_t plen = strlen(names[n].pat);
                bool month = names[n].pat[0] == 'M' || names[n].pat[0] == 'm';
                const char *name = month ? MONTHS[p->month - 1] : DAYS[p->dow];
                bool full = plen > 3 || (!month && plen == 3);
                ok = put_name(t, name, full ? strlen(name) : 3, names[n].style, full && !fm);
                used = plen;
            }
            if (!used && at_pattern(f, flen, k, "D")) {
                ok = put_num(t, p->dow + 1, 0), used = 1;
            }
            if (!used) {
                ok = put(t, f + k, 1), used = 1;
            }
        }
        if (!ok) return arena_error(t->arena, err);
        k += used;
    }
    return BS_OK;
}

/* strftime (pg false) or to_char (pg true) of every row. */
static Status format_rows(KERNEL_ARGS, bool pg)
{
    (void)n_args;
    (void)data;
    UnifiedVector ut, uf;
    unify(args[0], &ut);
    unify(args[1], &uf);
    StringView *R = result->data;
    for (idx_t i = 0; i < count; i++) {
        sel_t row = sel[i];
        Parts p;
        split_timestamp(((const int64_t *)ut.data)[ut.sel[row]], &p);
        const StringView *f = UV_STR(uf, row);
        Text t = {result->arena, NULL, 0, 0};
        BS_TRY(pg ? to_char_one(&p, sv_data(f), f->len, &t, err)
                  : strftime_one(&p, sv_data(f), f->len, &t, err));
        R[row] = sv_make(t.len ? t.buf : "", (uint32_t)t.len);
    }
    return BS_OK;
}

static Status strftime_kernel(KERNEL_ARGS)
{
    return format_rows(args, n_args, sel, count, result, data, err, false);
}

static Status to_char_kernel(KERNEL_ARGS)
{
    return format_rows(args, n_args, sel, count, result, data, err, true);
}

KernelFn datetime_fmt_kernel(ScalarFuncId func, const LogicalType *arg_types, int n_args,
                             LogicalType ret)
{
    if (n_args != 2 || arg_types[1].id != TYPE_VARCHAR) return NULL;
    switch (func) {
    case FN_STRFTIME:
        return arg_types[0].id == TYPE_TIMESTAMP && ret.id == TYPE_VARCHAR ? strftime_kernel
                                                                           : NULL;
    case FN_TO_CHAR:
        return arg_types[0].id == TYPE_TIMESTAMP && ret.id == TYPE_VARCHAR ? to_char_kernel
                                                                           : NULL;
    case FN_STRPTIME:
        return arg_types[0].id == TYPE_VARCHAR && ret.id == TYPE_TIMESTAMP ? strptime_kernel
                                                                           : NULL;
    default:
        return NULL;
    }
}
