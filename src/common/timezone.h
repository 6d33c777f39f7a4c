/*
 * timezone.h — time zones for TIMESTAMP WITH TIME ZONE: the session's TimeZone setting,
 * AT TIME ZONE, and the zones written in timestamptz text.
 *
 * A zone is found by name, as PostgreSQL finds one:
 *   - 'UTC', 'GMT', 'Z', 'Zulu', 'UCT' (any case): UTC;
 *   - an IANA name ('Europe/Berlin', 'America/New_York'), read from the TZif file under
 *     /usr/share/zoneinfo (version 2+ 64-bit data; the footer's POSIX rule beyond the
 *     last transition), with its daylight-saving history;
 *   - a POSIX TZ specification ('EST5EDT,M3.2.0,M11.1.0', 'UTC+3', and PostgreSQL's
 *     bare offsets '+02:00', '-05'): note that POSIX counts offsets positive WEST of
 *     Greenwich, so 'UTC+3' and '+03' are three hours behind UTC, as in PostgreSQL.
 * Zones are parsed once and cached for the life of the process (thread-safe); a found
 * zone is never freed, so its pointer may be kept anywhere.
 *
 * Times here are microseconds: UTC instants (timestamptz) and local wall-clock times
 * (timestamp). Offsets are seconds EAST of UTC (ISO 8601): local = utc + offset.
 */
#ifndef BASALT_COMMON_TIMEZONE_H
#define BASALT_COMMON_TIMEZONE_H

#include "common/basics.h"

typedef struct TimeZone TimeZone;

/* The zone named by name[0..len), or NULL when no zone has that name. */
const TimeZone *tz_find(const char *name, size_t len);
/* UTC (never NULL). */
const TimeZone *tz_utc(void);
/* The name the zone was found by (NUL-terminated). */
const char *tz_name(const TimeZone *tz);
/* The zone is UTC's time at every instant: no offset, no transitions, no daylight saving. */
bool tz_is_utc(const TimeZone *tz);

/* The offset (seconds east) in force at the UTC instant `utc`. */
int32_t tz_offset_at(const TimeZone *tz, int64_t utc);
/* The abbreviation in force at `utc` ("CET", "EDT", "+03"); never NULL. */
const char *tz_abbrev_at(const TimeZone *tz, int64_t utc);
/*
 * The UTC instant of local wall-clock time `local`. A local time that a transition skips
 * (spring forward) or repeats (fall back) gets PostgreSQL's answer: the offset that gives
 * the later instant (the standard time in both cases). False when the instant does not
 * fit in int64.
 */
bool tz_local_to_utc(const TimeZone *tz, int64_t local, int64_t *utc);
/* UTC instant → local wall-clock time; false when it does not fit in int64. */
bool tz_utc_to_local(const TimeZone *tz, int64_t utc, int64_t *local);

/*
 * Reads a time zone written after a timestamp ("+02", "-05:30", "+0530", "Z", "UTC",
 * "Europe/Berlin") as ISO 8601 offsets (positive east). On success *zone is the zone
 * (NULL with *fixed_offset set for a numeric offset) and returns true; false when the text
 * is not a zone. text must not have surrounding blanks.
 */
bool tz_parse_suffix(const char *text, size_t len, const TimeZone **zone, int32_t *fixed_offset);

#endif
