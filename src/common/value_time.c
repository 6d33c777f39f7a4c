/*
 * value_time.c — the text forms of TIME and TIMESTAMP WITH TIME ZONE (value.h), as
 * PostgreSQL reads and writes them:
 *
 *   TIME         '12:34', '12:34:56.789', '24:00:00', '1:02:03 PM', and a timestamp's
 *                text (its date and zone are ignored); output '12:34:56.5'
 *   TIMESTAMPTZ  a timestamp's text with an optional zone: '+02', '-05:30', 'Z', 'UTC',
 *                'Europe/Berlin' (ISO 8601 signs: positive east); without one the local
 *                time is read in the session's zone. Output in the session's zone with
 *                its offset: '2020-01-01 01:00:00+01', '… 05:30:00+05:30'.
 */
#include "common/datetime.h"
#include "common/timezone.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static void trim_blanks(const char **s, size_t *len)
{
    while (*len && isspace((unsigned char)**s)) {
        (*s)++;
        (*len)--;
    }
    while (*len && isspace((unsigned char)(*s)[*len - 1]))
        (*len)--;
}

/* Where a timestamp's time of day ends (after its first ':' and the digits, ':' and '.'
   that follow); len when there is no time of day. */
static size_t time_end(const char *s, size_t len, size_t *colon)
{
    const char *c = memchr(s, ':', len);
    if (!c) {
        *colon = len;
        return len;
    }
    size_t p = (size_t)(c - s);
    *colon = p;
    while (p < len && (isdigit((unsigned char)s[p]) || s[p] == ':' || s[p] == '.'))
        p++;
    return p;
}

ParseResult parse_time(const char *s, size_t len, int64_t *out)
{
    trim_blanks(&s, &len);
    size_t colon;
    size_t end = time_end(s, len, &colon);
    if (colon == len) return PARSE_INVALID;
    /* the hour starts after the date, if there is one */
    size_t start = colon;
    while (start > 0 && isdigit((unsigned char)s[start - 1]))
        start--;
    if (start > 0 && s[start - 1] != ' ' && s[start - 1] != 'T') return PARSE_INVALID;
    if (start > 0) {
        int32_t days;
        size_t dl = start - 1;
        while (dl > 0 && s[dl - 1] == ' ')
            dl--;
        ParseResult r = parse_date(s, dl, &days);
        if (r != PARSE_OK) return r;
    }
    int64_t part[3] = {0, 0, 0}, frac = 0;
    size_t p = start;
    int n_parts = 0;
    while (n_parts < 3) {
        int digits = 0;
        int64_t v = 0;
        while (p < end && isdigit((unsigned char)s[p]) && digits < 3) {
            v = v * 10 + (s[p++] - '0');
            digits++;
        }
        if (digits == 0 || digits > 2) return PARSE_INVALID;
        part[n_parts++] = v;
        if (p < end && s[p] == ':' && n_parts < 3) {
            p++;
            continue;
        }
        break;
    }
    if (n_parts < 2) return PARSE_INVALID;
    if (p < end && s[p] == '.') {
        p++;
        int n_digits = 0;
        bool round_up = false;
        while (p < end && isdigit((unsigned char)s[p])) {
            if (n_digits < 6)
                frac = frac * 10 + (s[p] - '0');
            else if (n_digits == 6)
                round_up = s[p] >= '5';
            n_digits++;
            p++;
        }
        if (n_digits == 0) return PARSE_INVALID;
        for (int k = n_digits; k < 6; k++)
            frac *= 10;
        if (round_up) frac++;
    }
    if (p != end) return PARSE_INVALID;
    /* what follows: AM/PM, then an optional zone (ignored, as PostgreSQL's time does) */
    const char *rest = s + end;
    size_t rest_len = len - end;
    trim_blanks(&rest, &rest_len);
    if (rest_len >= 2 && (strncasecmp(rest, "AM", 2) == 0 || strncasecmp(rest, "PM", 2) == 0) &&
        (rest_len == 2 || !isalpha((unsigned char)rest[2]))) {
        bool pm = toupper((unsigned char)rest[0]) == 'P';
        if (part[0] < 1 || part[0] > 12) return PARSE_OUT_OF_RANGE;
        part[0] = part[0] % 12 + (pm ? 12 : 0);
        rest += 2;
        rest_len -= 2;
        trim_blanks(&rest, &rest_len);
    }
    if (rest_len) {
        const TimeZone *zone;
        int32_t offset;
        if (!tz_parse_suffix(rest, rest_len, &zone, &offset)) return PARSE_INVALID;
    }
    if (part[1] > 59 || part[2] > 59) return PARSE_OUT_OF_RANGE;
    int64_t micros = ((part[0] * 60 + part[1]) * 60 + part[2]) * MICROS_PER_SECOND + frac;
    if (micros > MICROS_PER_DAY) return PARSE_OUT_OF_RANGE;
    *out = micros;
    return PARSE_OK;
}

int format_time(int64_t micros, char *buf)
{
    int64_t secs = micros / MICROS_PER_SECOND, frac = micros % MICROS_PER_SECOND;
    int len =
        sprintf(buf, "%02d:%02d:%02d", (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
    if (frac) {
        len += sprintf(buf + len, ".%06d", (int)frac);
        while (buf[len - 1] == '0')
            buf[--len] = '\0';
    }
    return len;
}

ParseResult parse_timestamptz(const char *s, size_t len, const TimeZone *session, int64_t *out)
{
    trim_blanks(&s, &len);
    size_t colon;
    size_t end = time_end(s, len, &colon);
    if (colon == len) {
        /* a date alone (midnight), perhaps with a zone name after a blank */
        const char *blank = memchr(s, ' ', len);
        end = blank ? (size_t)(blank - s) : len;
    }
    size_t ts_len = end;
    const char *zone_text = s + end;
    size_t zone_len = len - end;
    trim_blanks(&zone_text, &zone_len);
    int64_t local;
    ParseResult r = parse_timestamp(s, ts_len, &local);
    if (r != PARSE_OK) return r;
    const TimeZone *zone = session ? session : tz_utc();
    int32_t offset = 0;
    if (zone_len && !tz_parse_suffix(zone_text, zone_len, &zone, &offset)) return PARSE_INVALID;
    int64_t utc;
    if (zone) {
        if (!tz_local_to_utc(zone, local, &utc)) return PARSE_OUT_OF_RANGE;
    } else if (__builtin_sub_overflow(local, (int64_t)offset * MICROS_PER_SECOND, &utc)) {
        return PARSE_OUT_OF_RANGE;
    }
    if (!timestamp_is_valid(utc)) return PARSE_OUT_OF_RANGE;
    *out = utc;
    return PARSE_OK;
}

int format_utc_offset(int32_t offset, char *buf)
{
    int32_t a = offset < 0 ? -offset : offset;
    char sign = offset < 0 ? '-' : '+';
    if (a % 60) return sprintf(buf, "%c%02d:%02d:%02d", sign, a / 3600, a / 60 % 60, a % 60);
    if (a % 3600) return sprintf(buf, "%c%02d:%02d", sign, a / 3600, a / 60 % 60);
    return sprintf(buf, "%c%02d", sign, a / 3600);
}

int format_timestamptz(int64_t utc, const TimeZone *zone, char *buf)
{
    if (!zone) zone = tz_utc();
    int32_t offset = tz_offset_at(zone, utc);
    int64_t local;
    if (__builtin_add_overflow(utc, (int64_t)offset * MICROS_PER_SECOND, &local)) {
        local = utc;
        offset = 0;
    }
    int len = format_timestamp(local, buf);
    bool bc = len > 3 && strcmp(buf + len - 3, " BC") == 0;
    if (bc) len -= 3;
    len += format_utc_offset(offset, buf + len);
    if (bc) len += sprintf(buf + len, " BC");
    return len;
}
