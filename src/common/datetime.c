/*
 * datetime.c — INTERVAL text forms and arithmetic, timestamp ± interval, and the fields
 * of dates, timestamps and intervals (see datetime.h for the contracts).
 *
 * Interval input follows PostgreSQL's reading (its documentation, "Interval Input"): the
 * text is cut into items — numbers (signed, fractional), SQL's 'Y-M', times 'H:M[:S]' and
 * unit words — which are read from right to left, so that a unit word gives its unit to
 * the number before it, a time makes a bare number before it count days ('1 02:00'), and
 * a bare number at the end counts the qualifier's last unit. Each unit may appear once.
 */
#include "common/datetime.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

bool is_leap_year(int64_t year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

unsigned days_in_month(int64_t year, unsigned month)
{
    static const unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && is_leap_year(year) ? 29 : days[month - 1];
}

/* a / b rounded towards minus infinity (b > 0). */
static inline int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b < 0) ? q - 1 : q;
}

/* ---- field names -------------------------------------------------------------------- */

static const struct {
    const char *name;
    int8_t field;
} FIELD_NAMES[] = {
    {"microsecond", DTF_MICROSECOND},
    {"microseconds", DTF_MICROSECOND},
    {"us", DTF_MICROSECOND},
    {"usec", DTF_MICROSECOND},
    {"usecs", DTF_MICROSECOND},
    {"usecond", DTF_MICROSECOND},
    {"useconds", DTF_MICROSECOND},
    {"millisecond", DTF_MILLISECOND},
    {"milliseconds", DTF_MILLISECOND},
    {"ms", DTF_MILLISECOND},
    {"msec", DTF_MILLISECOND},
    {"msecs", DTF_MILLISECOND},
    {"msecond", DTF_MILLISECOND},
    {"mseconds", DTF_MILLISECOND},
    {"second", DTF_SECOND},
    {"seconds", DTF_SECOND},
    {"s", DTF_SECOND},
    {"sec", DTF_SECOND},
    {"secs", DTF_SECOND},
    {"minute", DTF_MINUTE},
    {"minutes", DTF_MINUTE},
    {"m", DTF_MINUTE},
    {"min", DTF_MINUTE},
    {"mins", DTF_MINUTE},
    {"hour", DTF_HOUR},
    {"hours", DTF_HOUR},
    {"h", DTF_HOUR},
    {"hr", DTF_HOUR},
    {"hrs", DTF_HOUR},
    {"day", DTF_DAY},
    {"days", DTF_DAY},
    {"d", DTF_DAY},
    {"dayofmonth", DTF_DAY},
    {"week", DTF_WEEK},
    {"weeks", DTF_WEEK},
    {"w", DTF_WEEK},
    {"month", DTF_MONTH},
    {"months", DTF_MONTH},
    {"mon", DTF_MONTH},
    {"mons", DTF_MONTH},
    {"quarter", DTF_QUARTER},
    {"quarters", DTF_QUARTER},
    {"qtr", DTF_QUARTER},
    {"year", DTF_YEAR},
    {"years", DTF_YEAR},
    {"y", DTF_YEAR},
    {"yr", DTF_YEAR},
    {"yrs", DTF_YEAR},
    {"decade", DTF_DECADE},
    {"decades", DTF_DECADE},
    {"dec", DTF_DECADE},
    {"decs", DTF_DECADE},
    {"century", DTF_CENTURY},
    {"centuries", DTF_CENTURY},
    {"c", DTF_CENTURY},
    {"cent", DTF_CENTURY},
    {"millennium", DTF_MILLENNIUM},
    {"millennia", DTF_MILLENNIUM},
    {"millenniums", DTF_MILLENNIUM},
    {"mil", DTF_MILLENNIUM},
    {"mils", DTF_MILLENNIUM},
    {"dow", DTF_DOW},
    {"dayofweek", DTF_DOW},
    {"weekday", DTF_DOW},
    {"isodow", DTF_ISODOW},
    {"doy", DTF_DOY},
    {"dayofyear", DTF_DOY},
    {"isoyear", DTF_ISOYEAR},
    {"epoch", DTF_EPOCH},
};

int datetime_field_by_name(const char *s, size_t len)
{
    for (size_t k = 0; k < BS_ARRAY_LEN(FIELD_NAMES); k++) {
        const char *name = FIELD_NAMES[k].name;
        if (strlen(name) == len && strncasecmp(s, name, len) == 0) return FIELD_NAMES[k].field;
    }
    return -1;
}

const char *datetime_field_name(DatetimeField field)
{
    static const char *const names[DTF_COUNT_] = {
        [DTF_MICROSECOND] = "microseconds",
        [DTF_MILLISECOND] = "milliseconds",
        [DTF_SECOND] = "second",
        [DTF_MINUTE] = "minute",
        [DTF_HOUR] = "hour",
        [DTF_DAY] = "day",
        [DTF_WEEK] = "week",
        [DTF_MONTH] = "month",
        [DTF_QUARTER] = "quarter",
        [DTF_YEAR] = "year",
        [DTF_DECADE] = "decade",
        [DTF_CENTURY] = "century",
        [DTF_MILLENNIUM] = "millennium",
        [DTF_DOW] = "dow",
        [DTF_ISODOW] = "isodow",
        [DTF_DOY] = "doy",
        [DTF_ISOYEAR] = "isoyear",
        [DTF_EPOCH] = "epoch",
    };
    return (unsigned)field < DTF_COUNT_ ? names[field] : "?";
}

/* ---- interval input ------------------------------------------------------------------ */

bool interval_range_from_name(const char *qualifier, int *range)
{
    static const char *const UNITS[] = {"year", "month", "day", "hour", "minute", "second"};
    if (!qualifier) {
        *range = INTERVAL_FULL_RANGE;
        return true;
    }
    const char *to = strstr(qualifier, " to ");
    size_t first_len = to ? (size_t)(to - qualifier) : strlen(qualifier);
    int first = -1, last = -1;
    for (int k = 0; k < (int)BS_ARRAY_LEN(UNITS); k++) {
        if (strlen(UNITS[k]) == first_len && strncmp(qualifier, UNITS[k], first_len) == 0)
            first = k;
        if (to && strcmp(to + 4, UNITS[k]) == 0) last = k;
    }
    if (!to) last = first;
    /* SQL's ranges: a single unit, YEAR TO MONTH, and DAY/HOUR/MINUTE TO a smaller one. */
    if (first < 0 || last < first || (to && last == first) || (first <= 1 && last > 1) ||
        (first == 0 && to && last != 1))
        return false;
    int bits = 0;
    for (int k = first; k <= last; k++)
        bits |= 1 << k;
    *range = bits;
    return true;
}

/* One item of interval text. */
typedef enum ItemKind { ITEM_NUMBER, ITEM_YEAR_MONTH, ITEM_TIME, ITEM_WORD } ItemKind;

typedef struct Item {
    ItemKind kind;
    const char *p;
    size_t n;
} Item;

/* More items than any sensible interval has (PostgreSQL allows 25 fields). */
#define MAX_ITEMS 32

/* The accumulated fields while parsing, wide enough to see overflows. */
typedef struct Acc {
    int64_t months, days, micros;
    unsigned seen; /* 1 << DatetimeField of each unit given */
} Acc;

/* Cuts s into items; false on a character that cannot start one. */
static bool split_items(const char *s, size_t len, Item *items, int *n_items)
{
    int n = 0;
    size_t pos = 0;
    while (pos < len) {
        unsigned char c = (unsigned char)s[pos];
        if (isspace(c)) {
            pos++;
            continue;
        }
        if (n == MAX_ITEMS) return false;
        Item *it = &items[n++];
        it->p = s + pos;
        size_t start = pos;
        if (isalpha(c) || c == '@') {
            it->kind = ITEM_WORD;
            pos++;
            if (c != '@')
                while (pos < len && isalpha((unsigned char)s[pos]))
                    pos++;
            it->n = pos - start;
            continue;
        }
        if (c == '+' || c == '-') pos++;
        bool digits = false;
        while (pos < len && isdigit((unsigned char)s[pos])) {
            pos++;
            digits = true;
        }
        it->kind = ITEM_NUMBER;
        if (pos < len && s[pos] == ':' && digits) {
            it->kind = ITEM_TIME;
            while (pos < len && (isdigit((unsigned char)s[pos]) || s[pos] == ':' || s[pos] == '.'))
                pos++;
        } else if (pos + 1 < len && s[pos] == '-' && digits && isdigit((unsigned char)s[pos + 1])) {
            it->kind = ITEM_YEAR_MONTH;
            pos++;
            while (pos < len && isdigit((unsigned char)s[pos]))
                pos++;
            if (pos < len && !isspace((unsigned char)s[pos])) return false; /* '1-2-3' */
        } else if (pos < len && s[pos] == '.') {
            pos++;
            while (pos < len && isdigit((unsigned char)s[pos])) {
                pos++;
                digits = true;
            }
        }
        if (!digits) return false;
        it->n = pos - start;
    }
    *n_items = n;
    return true;
}

/* Largest magnitude read_digits reads: that of INT64_MIN. */
#define DIGITS_MAX ((uint64_t)INT64_MAX + 1)

/* Reads digits at p[*pos] into *out (at most DIGITS_MAX, else *overflow); false if none. */
static bool read_digits(const char *p, size_t n, size_t *pos, uint64_t *out, bool *overflow)
{
    uint64_t v = 0;
    size_t start = *pos;
    while (*pos < n && isdigit((unsigned char)p[*pos])) {
        unsigned d = (unsigned)(p[*pos] - '0');
        if (v > (DIGITS_MAX - d) / 10) *overflow = true;
        if (!*overflow) v = v * 10 + d;
        (*pos)++;
    }
    *out = v;
    return *pos > start;
}

/* The signed value of a magnitude read_digits read; false when it does not fit int64. */
static bool signed_of(uint64_t magnitude, bool negative, int64_t *out)
{
    if (magnitude == DIGITS_MAX) {
        *out = INT64_MIN;
        return negative;
    }
    *out = negative ? -(int64_t)magnitude : (int64_t)magnitude;
    return true;
}

/* The digits after a decimal point as a fraction in [0, 1). */
static double read_fraction(const char *p, size_t n, size_t *pos)
{
    double f = 0, scale = 0.1;
    while (*pos < n && isdigit((unsigned char)p[*pos])) {
        f += (p[*pos] - '0') * scale;
        scale /= 10;
        (*pos)++;
    }
    return f;
}

/* The digits after a decimal point as microseconds, rounded at the seventh digit. */
static int64_t read_fraction_micros(const char *p, size_t n, size_t *pos)
{
    int64_t us = 0;
    int digits = 0;
    bool round_up = false;
    while (*pos < n && isdigit((unsigned char)p[*pos])) {
        if (digits < 6)
            us = us * 10 + (p[*pos] - '0');
        else if (digits == 6)
            round_up = p[*pos] >= '5';
        digits++;
        (*pos)++;
    }
    for (int k = digits; k < 6; k++)
        us *= 10;
    return us + round_up;
}

/* A signed number with an optional fraction: whole part and fraction (same sign). */
static ParseResult parse_number(const char *p, size_t n, int64_t *whole, double *frac)
{
    size_t pos = 0;
    bool negative = false, overflow = false;
    if (pos < n && (p[pos] == '+' || p[pos] == '-')) negative = p[pos++] == '-';
    uint64_t w = 0;
    read_digits(p, n, &pos, &w, &overflow);
    double f = 0;
    if (pos < n && p[pos] == '.') {
        pos++;
        f = read_fraction(p, n, &pos);
    }
    if (pos != n) return PARSE_INVALID;
    if (overflow || !signed_of(w, negative, whole)) return PARSE_OUT_OF_RANGE;
    *frac = negative ? -f : f;
    return PARSE_OK;
}

static bool add_checked(int64_t *acc, int64_t v)
{
    return !__builtin_add_overflow(*acc, v, acc);
}

/* acc += whole * unit + round(frac * unit), checked. */
static bool add_scaled(int64_t *acc, int64_t whole, double frac, int64_t unit)
{
    int64_t w;
    if (__builtin_mul_overflow(whole, unit, &w) || !add_checked(acc, w)) return false;
    double f = rint(frac * (double)unit);
    return f > -9.2e18 && f < 9.2e18 && add_checked(acc, (int64_t)f);
}

/* A fraction of a day (or of `days` days) cascading into whole days and microseconds. */
static bool add_fraction_of_days(Acc *acc, double frac_days)
{
    double whole = trunc(frac_days);
    return add_checked(&acc->days, (int64_t)whole) &&
           add_scaled(&acc->micros, 0, frac_days - whole, MICROS_PER_DAY);
}

/* Adds `whole` + `frac` of unit `field` to acc; false on overflow. */
static bool add_unit(Acc *acc, DatetimeField field, int64_t whole, double frac)
{
    int64_t years;
    switch (field) {
    case DTF_MICROSECOND:
        return add_scaled(&acc->micros, whole, frac, 1);
    case DTF_MILLISECOND:
        return add_scaled(&acc->micros, whole, frac, 1000);
    case DTF_SECOND:
        return add_scaled(&acc->micros, whole, frac, MICROS_PER_SECOND);
    case DTF_MINUTE:
        return add_scaled(&acc->micros, whole, frac, MICROS_PER_MINUTE);
    case DTF_HOUR:
        return add_scaled(&acc->micros, whole, frac, MICROS_PER_HOUR);
    case DTF_DAY:
        return add_checked(&acc->days, whole) && add_scaled(&acc->micros, 0, frac, MICROS_PER_DAY);
    case DTF_WEEK:
        return !__builtin_mul_overflow(whole, 7, &whole) && add_checked(&acc->days, whole) &&
               add_fraction_of_days(acc, frac * 7);
    case DTF_MONTH:
        return add_checked(&acc->months, whole) && add_fraction_of_days(acc, frac * DAYS_PER_MONTH);
    case DTF_YEAR:
        years = 1;
        break;
    case DTF_DECADE:
        years = 10;
        break;
    case DTF_CENTURY:
        years = 100;
        break;
    case DTF_MILLENNIUM:
        years = 1000;
        break;
    default:
        return false;
    }
    /* A fraction of a year counts whole months (PostgreSQL rounds it). */
    return add_scaled(&acc->months, whole, frac, years * MONTHS_PER_YEAR);
}

/*
 * A time item ([+-]H:M, H:M:S[.f], or M:S.f; M:S for a MINUTE TO SECOND qualifier) as
 * signed microseconds.
 */
static ParseResult parse_time_item(const char *p, size_t n, int range, int64_t *out)
{
    size_t pos = 0;
    bool negative = false, overflow = false;
    if (p[0] == '+' || p[0] == '-') negative = p[pos++] == '-';
    uint64_t h, m, sec = 0, frac = 0;
    if (!read_digits(p, n, &pos, &h, &overflow) || pos >= n || p[pos] != ':') return PARSE_INVALID;
    pos++;
    if (!read_digits(p, n, &pos, &m, &overflow)) return PARSE_INVALID;
    if (pos == n) {
        if (range == (INTERVAL_MINUTE | INTERVAL_SECOND)) {
            sec = m;
            m = h;
            h = 0;
        }
    } else if (p[pos] == '.') {
        pos++;
        frac = (uint64_t)read_fraction_micros(p, n, &pos);
        sec = m;
        m = h;
        h = 0;
    } else if (p[pos] == ':') {
        pos++;
        if (!read_digits(p, n, &pos, &sec, &overflow)) return PARSE_INVALID;
        if (pos < n && p[pos] == '.') {
            pos++;
            frac = (uint64_t)read_fraction_micros(p, n, &pos);
        }
    }
    if (pos != n) return PARSE_INVALID;
    if (overflow || m > 59 || sec > 60) return PARSE_OUT_OF_RANGE;
    /* In 128 bits, so that -2562047788:00:54.775808 (INT64_MIN) reads back. */
    __int128 micros = (__int128)h * MICROS_PER_HOUR +
                      (__int128)((m * 60 + sec) * (uint64_t)MICROS_PER_SECOND + frac);
    if (negative) micros = -micros;
    if (micros < INT64_MIN || micros > INT64_MAX) return PARSE_OUT_OF_RANGE;
    *out = (int64_t)micros;
    return PARSE_OK;
}

/* 'Y-M' (SQL's year-month form), signed, as months. */
static ParseResult parse_year_month(const char *p, size_t n, int64_t *months)
{
    size_t pos = 0;
    bool negative = false, overflow = false;
    if (p[0] == '+' || p[0] == '-') negative = p[pos++] == '-';
    uint64_t y, m;
    read_digits(p, n, &pos, &y, &overflow);
    pos++; /* the '-' split_items saw */
    read_digits(p, n, &pos, &m, &overflow);
    if (pos != n) return PARSE_INVALID;
    /* far within int64 (the caller checks int32's range) */
    if (overflow || m > 11 || y > (uint64_t)INT32_MAX) return PARSE_OUT_OF_RANGE;
    int64_t v = (int64_t)(y * MONTHS_PER_YEAR + m);
    *months = negative ? -v : v;
    return PARSE_OK;
}

/* The unit a bare number at the end counts: the qualifier's last unit (seconds if none). */
static DatetimeField last_unit_of(int range)
{
    if (range & INTERVAL_SECOND) return DTF_SECOND;
    if (range & INTERVAL_MINUTE) return DTF_MINUTE;
    if (range & INTERVAL_HOUR) return DTF_HOUR;
    if (range & INTERVAL_DAY) return DTF_DAY;
    if (range & INTERVAL_MONTH) return DTF_MONTH;
    return DTF_YEAR;
}

/* Units an interval's text may name (not quarters or the day-of fields). */
static bool is_interval_unit(int field)
{
    return field >= DTF_MICROSECOND && field <= DTF_MILLENNIUM && field != DTF_QUARTER;
}

#define TIME_UNITS                                                                                 \
    ((1u << DTF_HOUR) | (1u << DTF_MINUTE) | (1u << DTF_SECOND) | (1u << DTF_MILLISECOND) |        \
     (1u << DTF_MICROSECOND))

/* Marks `units` as given; false if one of them was given before. */
static bool mark_units(Acc *acc, unsigned units)
{
    if (acc->seen & units) return false;
    acc->seen |= units;
    return true;
}

/* The units a number of `field` claims: a fractional second also claims its parts. */
static unsigned units_of(DatetimeField field, double frac)
{
    if (field == DTF_SECOND && frac != 0)
        return (1u << DTF_SECOND) | (1u << DTF_MILLISECOND) | (1u << DTF_MICROSECOND);
    return 1u << field;
}

/* PostgreSQL's verbose and SQL forms, read right to left (see the file comment). */
static ParseResult parse_items(const char *s, size_t len, int range, Acc *acc)
{
    Item items[MAX_ITEMS];
    int n;
    if (!split_items(s, len, items, &n)) return PARSE_INVALID;
    int current = last_unit_of(range); /* what a bare number counts; -1: nothing */
    int pending = -1;                  /* a unit word waiting for its number */
    bool ago = false;
    for (int i = n - 1; i >= 0; i--) {
        const Item *it = &items[i];
        ParseResult r;
        switch (it->kind) {
        case ITEM_WORD: {
            if (it->n == 1 && it->p[0] == '@') continue;
            if (it->n == 3 && strncasecmp(it->p, "ago", 3) == 0) {
                if (i != n - 1) return PARSE_INVALID;
                ago = true;
                current = -1;
                continue;
            }
            int field = datetime_field_by_name(it->p, it->n);
            if (!is_interval_unit(field) || pending >= 0) return PARSE_INVALID;
            pending = field;
            continue;
        }
        case ITEM_TIME: {
            int64_t micros;
            if ((r = parse_time_item(it->p, it->n, range, &micros)) != PARSE_OK) return r;
            if (!mark_units(acc, TIME_UNITS)) return PARSE_INVALID;
            if (!add_checked(&acc->micros, micros)) return PARSE_OUT_OF_RANGE;
            current = DTF_DAY; /* '1 02:00' is a day and two hours */
            pending = -1;
            continue;
        }
        case ITEM_YEAR_MONTH: {
            int64_t months;
            if ((r = parse_year_month(it->p, it->n, &months)) != PARSE_OK) return r;
            if (!mark_units(acc, 1u << DTF_MONTH)) return PARSE_INVALID;
            if (!add_checked(&acc->months, months)) return PARSE_OUT_OF_RANGE;
            current = DTF_MONTH;
            pending = -1;
            continue;
        }
        case ITEM_NUMBER: {
            int field = pending >= 0 ? pending : current;
            pending = -1;
            if (field < 0) return PARSE_INVALID;
            int64_t whole;
            double frac;
            if ((r = parse_number(it->p, it->n, &whole, &frac)) != PARSE_OK) return r;
            if (!mark_units(acc, units_of((DatetimeField)field, frac))) return PARSE_INVALID;
            if (!add_unit(acc, (DatetimeField)field, whole, frac)) return PARSE_OUT_OF_RANGE;
            current = field == DTF_HOUR ? DTF_DAY : field;
            continue;
        }
        }
    }
    if (pending >= 0 || acc->seen == 0) return PARSE_INVALID;
    if (ago) {
        if (acc->months == INT64_MIN || acc->days == INT64_MIN || acc->micros == INT64_MIN)
            return PARSE_OUT_OF_RANGE;
        acc->months = -acc->months;
        acc->days = -acc->days;
        acc->micros = -acc->micros;
    }
    return PARSE_OK;
}

/* ISO 8601's format with designators: P[nY][nM][nW][nD][T[nH][nM][nS]]. */
static ParseResult parse_iso8601(const char *s, size_t len, Acc *acc)
{
    size_t pos = 1;
    bool in_time = false;
    while (pos < len) {
        if (s[pos] == 'T') {
            if (in_time) return PARSE_INVALID;
            in_time = true;
            pos++;
            continue;
        }
        size_t start = pos;
        if (s[pos] == '+' || s[pos] == '-') pos++;
        while (pos < len && (isdigit((unsigned char)s[pos]) || s[pos] == '.'))
            pos++;
        if (pos == start || pos >= len) return PARSE_INVALID;
        int64_t whole;
        double frac;
        ParseResult r = parse_number(s + start, pos - start, &whole, &frac);
        if (r != PARSE_OK) return r;
        int field;
        switch (s[pos++]) {
        case 'Y':
            field = in_time ? -1 : DTF_YEAR;
            break;
        case 'M':
            field = in_time ? DTF_MINUTE : DTF_MONTH;
            break;
        case 'W':
            field = in_time ? -1 : DTF_WEEK;
            break;
        case 'D':
            field = in_time ? -1 : DTF_DAY;
            break;
        case 'H':
            field = in_time ? DTF_HOUR : -1;
            break;
        case 'S':
            field = in_time ? DTF_SECOND : -1;
            break;
        default:
            field = -1;
            break;
        }
        if (field < 0 || !mark_units(acc, units_of((DatetimeField)field, frac)))
            return PARSE_INVALID;
        if (!add_unit(acc, (DatetimeField)field, whole, frac)) return PARSE_OUT_OF_RANGE;
    }
    return acc->seen ? PARSE_OK : PARSE_INVALID;
}

/* What a qualifier keeps: the units below its last one are cut off (PostgreSQL's typmod). */
static void apply_range(Interval *iv, int range)
{
    if (range == INTERVAL_FULL_RANGE || (range & INTERVAL_SECOND)) return;
    if (range == INTERVAL_YEAR) {
        iv->months = iv->months / MONTHS_PER_YEAR * MONTHS_PER_YEAR;
        iv->days = 0;
        iv->micros = 0;
    } else if (range & INTERVAL_MONTH) {
        iv->days = 0;
        iv->micros = 0;
    } else if (range & INTERVAL_MINUTE) {
        iv->micros = iv->micros / MICROS_PER_MINUTE * MICROS_PER_MINUTE;
    } else if (range & INTERVAL_HOUR) {
        iv->micros = iv->micros / MICROS_PER_HOUR * MICROS_PER_HOUR;
    } else {
        iv->micros = 0; /* DAY */
    }
}

ParseResult parse_interval(const char *s, size_t len, int range, Interval *out)
{
    while (len && isspace((unsigned char)*s)) {
        s++;
        len--;
    }
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    if (len == 0) return PARSE_INVALID;
    Acc acc = {0, 0, 0, 0};
    ParseResult r = s[0] == 'P' ? parse_iso8601(s, len, &acc) : parse_items(s, len, range, &acc);
    if (r != PARSE_OK) return r;
    if (acc.months < INT32_MIN || acc.months > INT32_MAX || acc.days < INT32_MIN ||
        acc.days > INT32_MAX)
        return PARSE_OUT_OF_RANGE;
    Interval iv = interval_make((int32_t)acc.months, (int32_t)acc.days, acc.micros);
    apply_range(&iv, range);
    *out = iv;
    return PARSE_OK;
}

/* ---- interval output ----------------------------------------------------------------- */

/* One " <n> <unit>[s]" part; after a negative part, a positive one shows its '+'. */
static char *put_part(char *p, int64_t value, const char *unit, bool *any, bool *after_negative)
{
    if (value == 0) return p;
    p += sprintf(p, "%s%s%lld %s%s", *any ? " " : "", *after_negative && value > 0 ? "+" : "",
                 (long long)value, unit, value == 1 ? "" : "s");
    *after_negative = value < 0;
    *any = true;
    return p;
}

int format_interval(const Interval *iv, char *buf)
{
    char *p = buf;
    bool any = false, after_negative = false;
    p = put_part(p, iv->months / MONTHS_PER_YEAR, "year", &any, &after_negative);
    p = put_part(p, iv->months % MONTHS_PER_YEAR, "mon", &any, &after_negative);
    p = put_part(p, iv->days, "day", &any, &after_negative);
    if (!any || iv->micros != 0) {
        /* |micros| as unsigned: INT64_MIN has no positive int64 */
        uint64_t u = iv->micros < 0 ? (uint64_t)0 - (uint64_t)iv->micros : (uint64_t)iv->micros;
        const char *sign = iv->micros < 0 ? "-" : after_negative ? "+" : "";
        uint64_t hours = u / (uint64_t)MICROS_PER_HOUR;
        uint64_t rest = u % (uint64_t)MICROS_PER_HOUR;
        p += sprintf(p, "%s%s%02llu:%02u:%02u", any ? " " : "", sign, (unsigned long long)hours,
                     (unsigned)(rest / (uint64_t)MICROS_PER_MINUTE),
                     (unsigned)(rest / (uint64_t)MICROS_PER_SECOND % 60));
        unsigned frac = (unsigned)(rest % (uint64_t)MICROS_PER_SECOND);
        if (frac) {
            p += sprintf(p, ".%06u", frac);
            while (p[-1] == '0')
                p--;
            *p = '\0';
        }
    }
    return (int)(p - buf);
}

/* ---- interval arithmetic ------------------------------------------------------------- */

bool interval_add(const Interval *a, const Interval *b, Interval *out)
{
    Interval r;
    if (__builtin_add_overflow(a->months, b->months, &r.months) ||
        __builtin_add_overflow(a->days, b->days, &r.days) ||
        __builtin_add_overflow(a->micros, b->micros, &r.micros))
        return false;
    *out = r;
    return true;
}

bool interval_sub(const Interval *a, const Interval *b, Interval *out)
{
    Interval r;
    if (__builtin_sub_overflow(a->months, b->months, &r.months) ||
        __builtin_sub_overflow(a->days, b->days, &r.days) ||
        __builtin_sub_overflow(a->micros, b->micros, &r.micros))
        return false;
    *out = r;
    return true;
}

bool interval_negate(const Interval *a, Interval *out)
{
    if (a->months == INT32_MIN || a->days == INT32_MIN || a->micros == INT64_MIN) return false;
    *out = interval_make(-a->months, -a->days, -a->micros);
    return true;
}

static bool fits_int32(double d)
{
    return d >= (double)INT32_MIN && d <= (double)INT32_MAX; /* false for NaN */
}

/* Rounds to the microsecond of a day (6 decimals), as PostgreSQL's TSROUND. */
static double round_micro(double x)
{
    return rint(x * 1e6) / 1e6;
}

/* a * f (or a / f): each field scaled, fractions of months and days cascading down. */
static bool interval_scale(const Interval *a, double f, bool divide, Interval *out)
{
    double months = divide ? a->months / f : a->months * f;
    double days = divide ? a->days / f : a->days * f;
    if (!fits_int32(months) || !fits_int32(days)) return false;
    int32_t whole_months = (int32_t)months;
    int64_t whole_days = (int32_t)days;
    double month_days = round_micro((months - whole_months) * DAYS_PER_MONTH);
    double seconds =
        round_micro((days - (double)whole_days + month_days - (int32_t)month_days) * 86400.0);
    if (fabs(seconds) >= 86400.0) {
        int64_t extra = (int64_t)(seconds / 86400.0);
        whole_days += extra;
        seconds -= (double)extra * 86400.0;
    }
    whole_days += (int32_t)month_days;
    double micros = rint((divide ? (double)a->micros / f : (double)a->micros * f) + seconds * 1e6);
    if (!(micros >= -9223372036854775808.0 && micros < 9223372036854775808.0) ||
        whole_days < INT32_MIN || whole_days > INT32_MAX)
        return false;
    *out = interval_make(whole_months, (int32_t)whole_days, (int64_t)micros);
    return true;
}

bool interval_mul(const Interval *a, double factor, Interval *out)
{
    return interval_scale(a, factor, false, out);
}

bool interval_div(const Interval *a, double divisor, Interval *out)
{
    return interval_scale(a, divisor, true, out);
}

/* ---- timestamps and intervals -------------------------------------------------------- */

/* Years days_from_civil handles without overflow, beyond every valid timestamp. */
#define CIVIL_YEAR_MIN (-5000)
#define CIVIL_YEAR_MAX 300000

bool timestamp_add_interval(int64_t ts, const Interval *iv, int64_t *out)
{
    if (iv->months != 0) {
        int64_t days, time_of_day, year;
        unsigned month, day;
        timestamp_split(ts, &days, &time_of_day);
        civil_from_days(days, &year, &month, &day);
        int64_t total = year * MONTHS_PER_YEAR + (month - 1) + iv->months;
        year = floor_div(total, MONTHS_PER_YEAR);
        month = (unsigned)(total - year * MONTHS_PER_YEAR) + 1;
        if (year < CIVIL_YEAR_MIN || year > CIVIL_YEAR_MAX) return false;
        unsigned last = days_in_month(year, month);
        if (day > last) day = last;
        int64_t d = days_from_civil(year, month, day);
        if (__builtin_mul_overflow(d, MICROS_PER_DAY, &ts) ||
            __builtin_add_overflow(ts, time_of_day, &ts))
            return false;
    }
    int64_t day_micros;
    if (__builtin_mul_overflow((int64_t)iv->days, MICROS_PER_DAY, &day_micros) ||
        __builtin_add_overflow(ts, day_micros, &ts) ||
        __builtin_add_overflow(ts, iv->micros, &ts) || !timestamp_is_valid(ts))
        return false;
    *out = ts;
    return true;
}

bool timestamp_sub_interval(int64_t ts, const Interval *iv, int64_t *out)
{
    Interval neg;
    return interval_negate(iv, &neg) && timestamp_add_interval(ts, &neg, out);
}

bool timestamp_difference(int64_t a, int64_t b, Interval *out)
{
    int64_t diff;
    if (__builtin_sub_overflow(a, b, &diff)) return false;
    /* Whole days move out of the microseconds (justify_hours); both keep diff's sign. */
    *out = interval_make(0, (int32_t)(diff / MICROS_PER_DAY), diff % MICROS_PER_DAY);
    return true;
}

/* A timestamp's calendar fields. */
typedef struct Civil {
    int64_t year;
    int64_t month, day, hour, minute, second, micros;
} Civil;

static Civil civil_of(int64_t ts)
{
    int64_t days, t, y;
    unsigned m, d;
    timestamp_split(ts, &days, &t);
    civil_from_days(days, &y, &m, &d);
    Civil c = {y,
               m,
               d,
               t / MICROS_PER_HOUR,
               t / MICROS_PER_MINUTE % 60,
               t / MICROS_PER_SECOND % 60,
               t % MICROS_PER_SECOND};
    return c;
}

bool timestamp_age(int64_t a, int64_t b, Interval *out)
{
    Civil x = civil_of(a), y = civil_of(b);
    int64_t f[7] = {x.micros - y.micros, x.second - y.second, x.minute - y.minute, x.hour - y.hour,
                    x.day - y.day,       x.month - y.month,   x.year - y.year};
    /* Work on the positive difference; the borrowing below then goes one way. */
    bool before = a < b;
    if (before)
        for (int k = 0; k < 7; k++)
            f[k] = -f[k];
    static const int64_t carry[4] = {MICROS_PER_SECOND, 60, 60, 24};
    for (int k = 0; k < 4; k++)
        while (f[k] < 0) {
            f[k] += carry[k];
            f[k + 1]--;
        }
    /* A negative day count borrows the length of the earlier timestamp's month. */
    const Civil *earlier_month = before ? &x : &y;
    while (f[4] < 0) {
        f[4] += days_in_month(earlier_month->year, (unsigned)earlier_month->month);
        f[5]--;
    }
    while (f[5] < 0) {
        f[5] += MONTHS_PER_YEAR;
        f[6]--;
    }
    if (before)
        for (int k = 0; k < 7; k++)
            f[k] = -f[k];
    int64_t months = f[6] * MONTHS_PER_YEAR + f[5];
    if (months < INT32_MIN || months > INT32_MAX) return false;
    *out = interval_make((int32_t)months, (int32_t)f[4],
                         ((f[3] * 60 + f[2]) * 60 + f[1]) * MICROS_PER_SECOND + f[0]);
    return true;
}

/* ---- fields ----------------------------------------------------------------------------- */

bool datetime_field_extracts(DatetimeField field, TypeId type)
{
    switch (type) {
    case TYPE_DATE:
        return field > DTF_HOUR && field < DTF_COUNT_;
    case TYPE_TIMESTAMP:
        return field < DTF_COUNT_;
    case TYPE_INTERVAL:
        return (field <= DTF_MILLENNIUM && field != DTF_WEEK) || field == DTF_EPOCH;
    default:
        return false;
    }
}

LogicalType datetime_extract_type(DatetimeField field)
{
    switch (field) {
    case DTF_SECOND:
        return type_decimal(8, 6);
    case DTF_MILLISECOND:
        return type_decimal(8, 3);
    case DTF_EPOCH:
        return type_make(TYPE_DOUBLE);
    default:
        return type_make(TYPE_BIGINT);
    }
}

/* PostgreSQL's year of an astronomical year: there is no year 0 (1 BC is -1). */
static int64_t sql_year(int64_t year)
{
    return year > 0 ? year : year - 1;
}

/* The Monday of the ISO week holding `days`. */
static int64_t monday_of(int64_t days)
{
    int dow = date_dow(days);
    return days - (dow == 0 ? 6 : dow - 1);
}

/* ISO 8601 week-numbering year and week of a date. */
static void iso_week(int64_t days, int64_t *iso_year, int64_t *week)
{
    int64_t thursday = monday_of(days) + 3, y;
    unsigned m, d;
    civil_from_days(thursday, &y, &m, &d);
    *iso_year = y;
    *week = (thursday - days_from_civil(y, 1, 1)) / 7 + 1;
}

int64_t date_extract(DatetimeField field, int32_t days)
{
    int64_t y, v;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    switch (field) {
    case DTF_DAY:
        return d;
    case DTF_MONTH:
        return m;
    case DTF_QUARTER:
        return (m - 1) / 3 + 1;
    case DTF_YEAR:
        return sql_year(y);
    case DTF_DECADE:
        return y >= 0 ? y / 10 : -((8 - (y - 1)) / 10);
    case DTF_CENTURY:
        return y > 0 ? (y + 99) / 100 : -((99 - (y - 1)) / 100);
    case DTF_MILLENNIUM:
        return y > 0 ? (y + 999) / 1000 : -((999 - (y - 1)) / 1000);
    case DTF_DOW:
        return date_dow(days);
    case DTF_ISODOW:
        v = date_dow(days);
        return v == 0 ? 7 : v;
    case DTF_DOY:
        return days - days_from_civil(y, 1, 1) + 1;
    case DTF_WEEK:
        iso_week(days, &y, &v);
        return v;
    case DTF_ISOYEAR:
        iso_week(days, &y, &v);
        return sql_year(y);
    case DTF_EPOCH:
        return (int64_t)days * 86400;
    default:
        return 0;
    }
}

int64_t timestamp_extract(DatetimeField field, int64_t ts)
{
    int64_t days, t;
    timestamp_split(ts, &days, &t);
    switch (field) {
    case DTF_MICROSECOND:
    case DTF_MILLISECOND:
    case DTF_SECOND:
        return t % MICROS_PER_MINUTE;
    case DTF_MINUTE:
        return t / MICROS_PER_MINUTE % 60;
    case DTF_HOUR:
        return t / MICROS_PER_HOUR;
    default:
        return date_extract(field, (int32_t)days);
    }
}

int64_t interval_extract(DatetimeField field, const Interval *iv)
{
    int64_t years = iv->months / MONTHS_PER_YEAR;
    switch (field) {
    case DTF_MICROSECOND:
    case DTF_MILLISECOND:
    case DTF_SECOND:
        return iv->micros % MICROS_PER_MINUTE;
    case DTF_MINUTE:
        return iv->micros / MICROS_PER_MINUTE % 60;
    case DTF_HOUR:
        return iv->micros / MICROS_PER_HOUR;
    case DTF_DAY:
        return iv->days;
    case DTF_MONTH:
        return iv->months % MONTHS_PER_YEAR;
    case DTF_QUARTER:
        return iv->months % MONTHS_PER_YEAR / 3 + 1;
    case DTF_YEAR:
        return years;
    case DTF_DECADE:
        return years / 10;
    case DTF_CENTURY:
        return years / 100;
    case DTF_MILLENNIUM:
        return years / 1000;
    default:
        return 0;
    }
}

double timestamp_epoch(int64_t ts)
{
    return (double)ts / (double)MICROS_PER_SECOND;
}

double interval_epoch(const Interval *iv)
{
    /* A year counts 365.25 days, the months beyond whole years 30 days (PostgreSQL). */
    int64_t seconds = (int64_t)(iv->months / MONTHS_PER_YEAR) * 31557600 +
                      (int64_t)(iv->months % MONTHS_PER_YEAR) * DAYS_PER_MONTH * 86400 +
                      (int64_t)iv->days * 86400 + iv->micros / MICROS_PER_SECOND;
    return (double)seconds + (double)(iv->micros % MICROS_PER_SECOND) / (double)MICROS_PER_SECOND;
}

bool datetime_field_truncates(DatetimeField field, TypeId type)
{
    if (field > DTF_MILLENNIUM) return false;
    return type == TYPE_TIMESTAMP || (type == TYPE_INTERVAL && field != DTF_WEEK);
}

/* The first year of the decade, century or millennium of `year` (PostgreSQL's rules). */
static int64_t trunc_years(DatetimeField field, int64_t y)
{
    switch (field) {
    case DTF_DECADE:
        return y > 0 ? y / 10 * 10 : -((8 - (y - 1)) / 10) * 10;
    case DTF_CENTURY:
        return y > 0 ? (y + 99) / 100 * 100 - 99 : -((99 - (y - 1)) / 100) * 100 + 1;
    case DTF_MILLENNIUM:
        return y > 0 ? (y + 999) / 1000 * 1000 - 999 : -((999 - (y - 1)) / 1000) * 1000 + 1;
    default:
        return y;
    }
}

/* Microseconds in one of the units from a millisecond to a day; 0 for the others. */
static int64_t fixed_unit_micros(DatetimeField field)
{
    switch (field) {
    case DTF_MILLISECOND:
        return 1000;
    case DTF_SECOND:
        return MICROS_PER_SECOND;
    case DTF_MINUTE:
        return MICROS_PER_MINUTE;
    case DTF_HOUR:
        return MICROS_PER_HOUR;
    case DTF_DAY:
        return MICROS_PER_DAY;
    default:
        return 0;
    }
}

bool timestamp_trunc(DatetimeField field, int64_t ts, int64_t *out)
{
    int64_t days, t, y, unit = fixed_unit_micros(field);
    unsigned m, d;
    timestamp_split(ts, &days, &t);
    switch (field) {
    case DTF_MICROSECOND:
        *out = ts;
        return true;
    case DTF_MILLISECOND:
    case DTF_SECOND:
    case DTF_MINUTE:
    case DTF_HOUR:
    case DTF_DAY:
        break;
    case DTF_WEEK:
        days = monday_of(days);
        goto whole_days;
    case DTF_MONTH:
    case DTF_QUARTER:
    case DTF_YEAR:
    case DTF_DECADE:
    case DTF_CENTURY:
    case DTF_MILLENNIUM:
        civil_from_days(days, &y, &m, &d);
        if (field == DTF_MONTH)
            days = days_from_civil(y, m, 1);
        else if (field == DTF_QUARTER)
            days = days_from_civil(y, (m - 1) / 3 * 3 + 1, 1);
        else
            days = days_from_civil(trunc_years(field, y), 1, 1);
        goto whole_days;
    default:
        return false;
    }
    /* ts - (ts mod unit), rounding down: a unit boundary at or before ts */
    *out = ts - (ts % unit + unit) % unit;
    return timestamp_is_valid(*out);
whole_days:
    if (__builtin_mul_overflow(days, MICROS_PER_DAY, out)) return false;
    return timestamp_is_valid(*out);
}

void interval_trunc(DatetimeField field, const Interval *iv, Interval *out)
{
    int64_t years = iv->months / MONTHS_PER_YEAR, months = iv->months % MONTHS_PER_YEAR;
    int64_t days = iv->days, micros = iv->micros;
    switch (field) {
    case DTF_MILLENNIUM:
    case DTF_CENTURY:
    case DTF_DECADE: {
        int64_t unit = field == DTF_MILLENNIUM ? 1000 : field == DTF_CENTURY ? 100 : 10;
        years = years / unit * unit;
    }
        /* fall through */
    case DTF_YEAR:
        months = 0;
        /* fall through */
    case DTF_QUARTER:
        months = months / 3 * 3;
        /* fall through */
    case DTF_MONTH:
        days = 0;
        /* fall through */
    case DTF_DAY:
        micros = 0;
        break;
    case DTF_HOUR:
        micros = micros / MICROS_PER_HOUR * MICROS_PER_HOUR;
        break;
    case DTF_MINUTE:
        micros = micros / MICROS_PER_MINUTE * MICROS_PER_MINUTE;
        break;
    case DTF_SECOND:
        micros = micros / MICROS_PER_SECOND * MICROS_PER_SECOND;
        break;
    case DTF_MILLISECOND:
        micros = micros / 1000 * 1000;
        break;
    default:
        break;
    }
    *out = interval_make((int32_t)(years * MONTHS_PER_YEAR + months), (int32_t)days, micros);
}

bool datetime_field_diffs(DatetimeField field)
{
    return field <= DTF_MILLENNIUM;
}

bool timestamp_diff_units(DatetimeField field, int64_t a, int64_t b, int64_t *out)
{
    int64_t da, db, ta, tb, ya, yb, unit = fixed_unit_micros(field);
    unsigned ma, mb, dd;
    timestamp_split(a, &da, &ta);
    timestamp_split(b, &db, &tb);
    switch (field) {
    case DTF_MICROSECOND:
        return !__builtin_sub_overflow(b, a, out);
    case DTF_MILLISECOND:
    case DTF_SECOND:
    case DTF_MINUTE:
    case DTF_HOUR:
        break;
    case DTF_DAY:
        *out = db - da;
        return true;
    case DTF_WEEK:
        *out = (monday_of(db) - monday_of(da)) / 7;
        return true;
    default:
        civil_from_days(da, &ya, &ma, &dd);
        civil_from_days(db, &yb, &mb, &dd);
        switch (field) {
        case DTF_MONTH:
            *out = (yb * 12 + mb) - (ya * 12 + ma);
            return true;
        case DTF_QUARTER:
            *out = (yb * 4 + (mb - 1) / 3) - (ya * 4 + (ma - 1) / 3);
            return true;
        case DTF_YEAR:
            *out = yb - ya;
            return true;
        case DTF_DECADE:
            *out = yb / 10 - ya / 10;
            return true;
        case DTF_CENTURY:
            *out = yb / 100 - ya / 100;
            return true;
        case DTF_MILLENNIUM:
            *out = yb / 1000 - ya / 1000;
            return true;
        default:
            *out = 0;
            return false;
        }
    }
    *out = floor_div(b, unit) - floor_div(a, unit);
    return true;
}

int32_t date_last_day(int32_t days)
{
    int64_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    return days_from_civil(y, m, days_in_month(y, m));
}

bool date_from_parts(int64_t year, int64_t month, int64_t day, int32_t *out)
{
    if (year == 0 || year < -4714 || year > 294276 || month < 1 || month > 12 || day < 1)
        return false;
    int64_t y = year < 0 ? year + 1 : year; /* astronomical: 1 BC is year 0 */
    if (day > days_in_month(y, (unsigned)month)) return false;
    int32_t days = days_from_civil(y, (unsigned)month, (unsigned)day);
    if ((int64_t)days * MICROS_PER_DAY < TIMESTAMP_MIN_MICROS) return false;
    *out = days;
    return true;
}
