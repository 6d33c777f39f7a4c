/*
 * timezone.c — time zones: the process-wide cache of zones by name, the TZif reader
 * (RFC 8536, version 2+ 64-bit section), POSIX TZ rules (the footer of a TZif file, and
 * zones named by a POSIX specification), and local ⇄ UTC conversion.
 *
 * A zone is a list of transitions (UTC seconds, each starting a local time type: offset,
 * DST flag, abbreviation) followed by an optional POSIX rule for every instant after the
 * last transition. A fixed offset is a zone with no transitions and a rule without DST.
 */
#include "common/timezone.h"

#include "common/alloc.h"
#include "common/datetime.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define TZ_DIR          "/usr/share/zoneinfo/"
#define TZ_NAME_MAX     128
#define TZ_ABBREV_MAX   16
#define TZ_FILE_MAX     (1u << 20)
#define SECONDS_PER_DAY INT64_C(86400)

typedef struct TzType {
    int32_t offset; /* seconds east of UTC */
    bool is_dst;
    char abbrev[TZ_ABBREV_MAX];
} TzType;

/* A POSIX rule's transition date: Jn (1..365, no Feb 29), n (0..365), or Mm.w.d. */
typedef struct RuleDate {
    char kind; /* 'J', 'D' or 'M' */
    int month, week, day, n;
    int32_t secs; /* local time of day of the change, may be negative or past 24h */
} RuleDate;

typedef struct PosixRule {
    bool valid;
    TzType std, dst;
    bool has_dst;
    RuleDate start, end; /* DST starts (in standard time) and ends (in DST) */
} PosixRule;

struct TimeZone {
    char name[TZ_NAME_MAX];
    struct TimeZone *next;
    int n_trans;
    int64_t *trans; /* UTC seconds, ascending */
    uint8_t *trans_type;
    int n_types;
    TzType *types;
    PosixRule rule; /* after the last transition (all of time without transitions) */
};

static pthread_mutex_t tz_lock = PTHREAD_MUTEX_INITIALIZER;
static TimeZone *tz_cache;
static TimeZone tz_utc_zone = {
    .name = "UTC",
    .rule = {.valid = true, .std = {0, false, "UTC"}},
};

const TimeZone *tz_utc(void)
{
    return &tz_utc_zone;
}

bool tz_is_utc(const TimeZone *tz)
{
    for (int k = 0; k < tz->n_types; k++)
        if (tz->types[k].offset != 0) return false;
    return !tz->rule.valid || (!tz->rule.has_dst && tz->rule.std.offset == 0);
}

const char *tz_name(const TimeZone *tz)
{
    return tz->name;
}

/* ---- POSIX TZ rules --------------------------------------------------------------- */

/* [+-]hh[:mm[:ss]] at *p (hours up to max_hours); seconds with the sign as written. */
static bool posix_seconds(const char **p, const char *end, int max_hours, int32_t *out)
{
    const char *s = *p;
    int sign = 1;
    if (s < end && (*s == '+' || *s == '-')) sign = *s++ == '-' ? -1 : 1;
    int parts[3] = {0, 0, 0};
    for (int k = 0; k < 3; k++) {
        if (k > 0) {
            if (s >= end || *s != ':') break;
            s++;
        }
        int digits = 0, v = 0;
        while (s < end && isdigit((unsigned char)*s) && digits < 3) {
            v = v * 10 + (*s++ - '0');
            digits++;
        }
        if (digits == 0 || (k > 0 && (digits != 2 || v > 59))) return false;
        parts[k] = v;
    }
    if (parts[0] > max_hours) return false;
    *out = sign * (parts[0] * 3600 + parts[1] * 60 + parts[2]);
    *p = s;
    return true;
}

/* An abbreviation: letters, or anything between < and >. Empty is allowed (PostgreSQL's
   bare offsets), in which case the abbreviation is the offset as written. */
static bool posix_abbrev(const char **p, const char *end, char *out)
{
    const char *s = *p, *from, *to;
    if (s < end && *s == '<') {
        from = ++s;
        while (s < end && *s != '>')
            s++;
        if (s >= end) return false;
        to = s++;
    } else {
        from = s;
        while (s < end && isalpha((unsigned char)*s))
            s++;
        to = s;
    }
    size_t n = (size_t)(to - from);
    if (n >= TZ_ABBREV_MAX) return false;
    memcpy(out, from, n);
    out[n] = '\0';
    *p = s;
    return true;
}

static bool posix_date(const char **p, const char *end, RuleDate *out)
{
    const char *s = *p;
    int v[3] = {0, 0, 0};
    memset(out, 0, sizeof *out);
    if (s < end && *s == 'M') {
        s++;
        for (int k = 0; k < 3; k++) {
            if (k > 0) {
                if (s >= end || *s != '.') return false;
                s++;
            }
            int digits = 0;
            while (s < end && isdigit((unsigned char)*s) && digits < 2) {
                v[k] = v[k] * 10 + (*s++ - '0');
                digits++;
            }
            if (digits == 0) return false;
        }
        if (v[0] < 1 || v[0] > 12 || v[1] < 1 || v[1] > 5 || v[2] > 6) return false;
        out->kind = 'M';
        out->month = v[0], out->week = v[1], out->day = v[2];
    } else {
        bool julian = s < end && *s == 'J';
        if (julian) s++;
        int digits = 0;
        while (s < end && isdigit((unsigned char)*s) && digits < 3) {
            v[0] = v[0] * 10 + (*s++ - '0');
            digits++;
        }
        if (digits == 0 || v[0] > 365 || (julian && v[0] < 1)) return false;
        out->kind = julian ? 'J' : 'D';
        out->n = v[0];
    }
    out->secs = 2 * 3600;
    if (s < end && *s == '/') {
        s++;
        if (!posix_seconds(&s, end, 167, &out->secs)) return false;
    }
    *p = s;
    return true;
}

/* Parses a POSIX TZ string (or PostgreSQL's bare offset) into *rule. */
static bool posix_parse(const char *s, size_t len, PosixRule *rule)
{
    const char *p = s, *end = s + len;
    memset(rule, 0, sizeof *rule);
    if (!posix_abbrev(&p, end, rule->std.abbrev)) return false;
    bool bare = rule->std.abbrev[0] == '\0';
    if (!bare && strlen(rule->std.abbrev) < 3 && s[0] != '<') return false;
    int32_t west;
    if (!posix_seconds(&p, end, 24, &west)) return false;
    rule->std.offset = -west;
    if (bare) {
        /* PostgreSQL shows a zone without an abbreviation by its ISO offset */
        int32_t east = -west, a = east < 0 ? -east : east;
        if (a % 3600 == 0)
            snprintf(rule->std.abbrev, TZ_ABBREV_MAX, "%c%02d", east < 0 ? '-' : '+', a / 3600);
        else
            snprintf(rule->std.abbrev, TZ_ABBREV_MAX, "%c%02d%02d", east < 0 ? '-' : '+', a / 3600,
                     a / 60 % 60);
    }
    rule->valid = true;
    if (p == end) return true;
    if (bare) return false;
    if (!posix_abbrev(&p, end, rule->dst.abbrev) || rule->dst.abbrev[0] == '\0') return false;
    rule->has_dst = true;
    rule->dst.is_dst = true;
    rule->dst.offset = rule->std.offset + 3600;
    if (p < end && *p != ',') {
        if (!posix_seconds(&p, end, 24, &west)) return false;
        rule->dst.offset = -west;
    }
    if (p == end) {
        /* no rule: the US rules, as PostgreSQL's posixrules default */
        const char *us = ",M3.2.0,M11.1.0";
        p = us;
        end = us + strlen(us);
    }
    if (*p++ != ',') return false;
    if (!posix_date(&p, end, &rule->start)) return false;
    if (p >= end || *p++ != ',') return false;
    if (!posix_date(&p, end, &rule->end)) return false;
    return p == end;
}

/* Seconds since 1970 (local) of a rule date's change in `year`. */
static int64_t rule_local_seconds(const RuleDate *d, int64_t year)
{
    int64_t days;
    if (d->kind == 'M') {
        int64_t first = days_from_civil(year, (unsigned)d->month, 1);
        int dom = 1 + (d->day - date_dow(first) + 7) % 7 + (d->week - 1) * 7;
        int last = (int)days_in_month(year, (unsigned)d->month);
        while (dom > last)
            dom -= 7;
        days = first + dom - 1;
    } else if (d->kind == 'J') {
        days = days_from_civil(year, 1, 1) + d->n - 1;
        if (is_leap_year(year) && d->n >= 60) days++;
    } else {
        days = days_from_civil(year, 1, 1) + d->n;
    }
    return days * SECONDS_PER_DAY + d->secs;
}

static int64_t year_of_seconds(int64_t secs)
{
    int64_t days = secs / SECONDS_PER_DAY - (secs % SECONDS_PER_DAY < 0);
    int64_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    return y;
}

static const TzType *rule_type_at(const PosixRule *r, int64_t utc_secs)
{
    if (!r->has_dst) return &r->std;
    int64_t year = year_of_seconds(utc_secs + r->std.offset);
    int64_t start = rule_local_seconds(&r->start, year) - r->std.offset;
    int64_t end = rule_local_seconds(&r->end, year) - r->dst.offset;
    bool in_dst = start < end ? (utc_secs >= start && utc_secs < end)
                              : !(utc_secs >= end && utc_secs < start);
    return in_dst ? &r->dst : &r->std;
}

/* ---- TZif files ------------------------------------------------------------------- */

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const uint8_t *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

typedef struct TzifHeader {
    uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
} TzifHeader;

static bool tzif_header(const uint8_t *p, size_t avail, TzifHeader *h, int *version)
{
    if (avail < 44 || memcmp(p, "TZif", 4) != 0) return false;
    *version = p[4] ? p[4] - '0' : 1;
    h->isutcnt = be32(p + 20);
    h->isstdcnt = be32(p + 24);
    h->leapcnt = be32(p + 28);
    h->timecnt = be32(p + 32);
    h->typecnt = be32(p + 36);
    h->charcnt = be32(p + 40);
    return h->typecnt >= 1 && h->typecnt <= 256 && h->timecnt < 100000 && h->charcnt < 4096 &&
           h->leapcnt < 10000 && (h->isutcnt == 0 || h->isutcnt == h->typecnt) &&
           (h->isstdcnt == 0 || h->isstdcnt == h->typecnt);
}

static size_t tzif_block_size(const TzifHeader *h, int time_size)
{
    return (size_t)h->timecnt * (size_t)time_size + h->timecnt + (size_t)h->typecnt * 6 +
           h->charcnt + (size_t)h->leapcnt * (size_t)(time_size + 4) + h->isstdcnt + h->isutcnt;
}

static void tz_free(TimeZone *tz)
{
    if (!tz) return;
    bs_free(tz->trans);
    bs_free(tz->trans_type);
    bs_free(tz->types);
    bs_free(tz);
}

/* Parses a TZif file's contents into tz (whose name is set); false when malformed. */
static bool tzif_parse(const uint8_t *data, size_t size, TimeZone *tz)
{
    TzifHeader h;
    int version;
    if (!tzif_header(data, size, &h, &version)) return false;
    size_t at = 44 + tzif_block_size(&h, 4);
    if (version < 2) return false; /* every tzdata since 2005 has the 64-bit section */
    if (at > size || !tzif_header(data + at, size - at, &h, &version)) return false;
    at += 44;
    if (tzif_block_size(&h, 8) > size - at) return false;
    const uint8_t *times = data + at;
    const uint8_t *idx = times + (size_t)h.timecnt * 8;
    const uint8_t *ttinfo = idx + h.timecnt;
    const uint8_t *chars = ttinfo + (size_t)h.typecnt * 6;
    tz->n_trans = (int)h.timecnt;
    tz->n_types = (int)h.typecnt;
    tz->trans = bs_malloc(sizeof(int64_t) * (h.timecnt ? h.timecnt : 1));
    tz->trans_type = bs_malloc(h.timecnt ? h.timecnt : 1);
    tz->types = bs_calloc(h.typecnt, sizeof(TzType));
    if (!tz->trans || !tz->trans_type || !tz->types) return false;
    for (uint32_t k = 0; k < h.timecnt; k++) {
        tz->trans[k] = be64(times + 8 * k);
        if (idx[k] >= h.typecnt || (k > 0 && tz->trans[k] <= tz->trans[k - 1])) return false;
        tz->trans_type[k] = idx[k];
    }
    for (uint32_t k = 0; k < h.typecnt; k++) {
        const uint8_t *t = ttinfo + 6 * k;
        TzType *type = &tz->types[k];
        type->offset = (int32_t)be32(t);
        type->is_dst = t[4] != 0;
        uint8_t ai = t[5];
        if (ai >= h.charcnt || type->offset < -26 * 3600 || type->offset > 26 * 3600) return false;
        size_t n = strnlen((const char *)chars + ai, h.charcnt - ai);
        if (n >= TZ_ABBREV_MAX) n = TZ_ABBREV_MAX - 1;
        memcpy(type->abbrev, chars + ai, n);
        type->abbrev[n] = '\0';
    }
    /* the footer: "\n<POSIX TZ>\n" */
    at += tzif_block_size(&h, 8);
    if (at < size && data[at] == '\n') {
        const uint8_t *from = data + at + 1, *nl = memchr(from, '\n', size - at - 1);
        if (nl && nl > from && !posix_parse((const char *)from, (size_t)(nl - from), &tz->rule))
            return false;
    }
    return true;
}

/* An IANA name is a relative path of letters, digits and "/_+-" without "..". */
static bool iana_name_ok(const char *name, size_t len)
{
    if (len == 0 || len >= TZ_NAME_MAX - sizeof TZ_DIR || name[0] == '/') return false;
    for (size_t k = 0; k < len; k++) {
        char c = name[k];
        if (!isalnum((unsigned char)c) && c != '/' && c != '_' && c != '+' && c != '-')
            return false;
        if (c == '/' && (k + 1 == len || name[k + 1] == '/')) return false;
    }
    return true;
}

static TimeZone *tz_load_file(const char *name, size_t len)
{
    if (!iana_name_ok(name, len)) return NULL;
    char path[TZ_NAME_MAX + sizeof TZ_DIR];
    snprintf(path, sizeof path, "%s%.*s", TZ_DIR, (int)len, name);
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    uint8_t *data = bs_malloc(TZ_FILE_MAX);
    size_t size = data ? fread(data, 1, TZ_FILE_MAX, f) : 0;
    fclose(f);
    TimeZone *tz = data ? bs_calloc(1, sizeof *tz) : NULL;
    bool ok = tz && size < TZ_FILE_MAX && tzif_parse(data, size, tz);
    bs_free(data);
    if (!ok) {
        tz_free(tz);
        return NULL;
    }
    return tz;
}

static bool name_is(const char *name, size_t len, const char *word)
{
    return strlen(word) == len && strncasecmp(name, word, len) == 0;
}

/* A zone not in the cache: UTC's aliases, a file, or a POSIX specification. */
static TimeZone *tz_make(const char *name, size_t len)
{
    static const char *const utc_names[] = {"UTC",     "GMT",     "Z",         "Zulu",     "UCT",
                                            "Etc/UTC", "Etc/GMT", "Universal", "Greenwich"};
    TimeZone *tz = NULL;
    for (size_t k = 0; k < BS_ARRAY_LEN(utc_names); k++) {
        if (name_is(name, len, utc_names[k])) {
            tz = bs_calloc(1, sizeof *tz);
            if (tz) tz->rule = tz_utc_zone.rule;
            break;
        }
    }
    if (!tz) tz = tz_load_file(name, len);
    if (!tz) {
        PosixRule rule;
        if (!posix_parse(name, len, &rule)) return NULL;
        tz = bs_calloc(1, sizeof *tz);
        if (tz) tz->rule = rule;
    }
    if (tz) snprintf(tz->name, sizeof tz->name, "%.*s", (int)len, name);
    return tz;
}

const TimeZone *tz_find(const char *name, size_t len)
{
    if (len == 0 || len >= TZ_NAME_MAX) return NULL;
    pthread_mutex_lock(&tz_lock);
    TimeZone *tz;
    for (tz = tz_cache; tz; tz = tz->next)
        if (strlen(tz->name) == len && memcmp(tz->name, name, len) == 0) break;
    if (!tz) {
        tz = tz_make(name, len);
        if (tz) {
            tz->next = tz_cache;
            tz_cache = tz;
        }
    }
    pthread_mutex_unlock(&tz_lock);
    return tz;
}

/* ---- conversions ------------------------------------------------------------------ */

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static const TzType *type_at(const TimeZone *tz, int64_t utc_secs)
{
    if (tz->n_trans == 0 || utc_secs < tz->trans[0]) {
        if (tz->n_trans == 0 && tz->rule.valid) return rule_type_at(&tz->rule, utc_secs);
        /* before the first transition: the first standard type (RFC 8536 says type 0) */
        return tz->n_types ? &tz->types[0] : &tz->rule.std;
    }
    if (utc_secs >= tz->trans[tz->n_trans - 1] && tz->rule.valid)
        return rule_type_at(&tz->rule, utc_secs);
    int lo = 0, hi = tz->n_trans - 1; /* the last transition at or before utc_secs */
    while (lo < hi) {
        int mid = lo + (hi - lo + 1) / 2;
        if (tz->trans[mid] <= utc_secs)
            lo = mid;
        else
            hi = mid - 1;
    }
    return &tz->types[tz->trans_type[lo]];
}

int32_t tz_offset_at(const TimeZone *tz, int64_t utc)
{
    return type_at(tz, floor_div(utc, MICROS_PER_SECOND))->offset;
}

const char *tz_abbrev_at(const TimeZone *tz, int64_t utc)
{
    return type_at(tz, floor_div(utc, MICROS_PER_SECOND))->abbrev;
}

bool tz_utc_to_local(const TimeZone *tz, int64_t utc, int64_t *local)
{
    return !__builtin_add_overflow(utc, (int64_t)tz_offset_at(tz, utc) * MICROS_PER_SECOND, local);
}

bool tz_local_to_utc(const TimeZone *tz, int64_t local, int64_t *utc)
{
    /* The offsets a day before and after bracket any one transition near `local`. */
    int64_t day = SECONDS_PER_DAY * MICROS_PER_SECOND;
    int64_t before_at, after_at;
    if (__builtin_sub_overflow(local, day, &before_at)) before_at = INT64_MIN;
    if (__builtin_add_overflow(local, day, &after_at)) after_at = INT64_MAX;
    int64_t offs[2] = {(int64_t)tz_offset_at(tz, before_at) * MICROS_PER_SECOND,
                       (int64_t)tz_offset_at(tz, after_at) * MICROS_PER_SECOND};
    int64_t cand[2];
    bool fits[2], valid[2];
    for (int k = 0; k < 2; k++) {
        fits[k] = !__builtin_sub_overflow(local, offs[k], &cand[k]);
        valid[k] = fits[k] && (int64_t)tz_offset_at(tz, cand[k]) * MICROS_PER_SECOND == offs[k];
    }
    int pick = -1;
    if (valid[0] && valid[1])
        pick = cand[1] > cand[0] ? 1 : 0; /* repeated: the later instant */
    else if (valid[0] || valid[1])
        pick = valid[0] ? 0 : 1;
    else if (fits[0] && fits[1])
        pick = cand[1] > cand[0] ? 1 : 0; /* skipped: the later instant (standard time) */
    else if (fits[0] || fits[1])
        pick = fits[0] ? 0 : 1;
    if (pick < 0) return false;
    *utc = cand[pick];
    return true;
}

/* ---- zones in timestamp text ------------------------------------------------------ */

bool tz_parse_suffix(const char *text, size_t len, const TimeZone **zone, int32_t *fixed_offset)
{
    *zone = NULL;
    *fixed_offset = 0;
    if (len == 0) return false;
    if (text[0] == '+' || text[0] == '-') {
        /* ISO 8601: ±hh, ±hh:mm, ±hhmm, ±hh:mm:ss */
        int sign = text[0] == '-' ? -1 : 1;
        int digits[6], n = 0;
        size_t k = 1;
        int colons = 0;
        while (k < len && n < 6) {
            if (isdigit((unsigned char)text[k]))
                digits[n++] = text[k] - '0';
            else if (text[k] == ':' && (n == 2 || n == 4) && colons < 2)
                colons++;
            else
                return false;
            k++;
        }
        if (k != len || n == 0 || n == 3 || n == 5) return false;
        int h = n == 1 ? digits[0] : digits[0] * 10 + digits[1];
        int m = n >= 4 ? digits[2] * 10 + digits[3] : 0;
        int s = n == 6 ? digits[4] * 10 + digits[5] : 0;
        if (n == 1 && colons) return false;
        if (h > 15 || m > 59 || s > 59) return false;
        *fixed_offset = sign * (h * 3600 + m * 60 + s);
        return true;
    }
    if (!isalpha((unsigned char)text[0])) return false;
    *zone = tz_find(text, len);
    return *zone != NULL;
}
