/*
 * settings.c — the session's settings: SET, RESET and SHOW (statements the engine runs
 * itself, before binding). A setting is a row of SETTINGS: its name (matched without
 * regard to case, as PostgreSQL does), how SHOW names its column, its default, and a
 * function that checks a new value and stores it in the Session. Adding a setting is
 * adding a row.
 *
 * Unknown names fail as in PostgreSQL: 42704 'unrecognized configuration parameter "x"'.
 */
#include "server/server_int.h"

#include "common/timezone.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct Setting {
    const char *name;    /* lower case */
    const char *display; /* SHOW's column name */
    const char *default_value;
    /* Checks value (NULL: the default) and stores it; 22023 for a bad value. */
    Status (*set)(Session *e, const char *value, bool is_number, int pos, Error *err);
    const char *(*get)(const Session *e);
} Setting;

static Status set_time_zone(Session *e, const char *value, bool is_number, int pos, Error *err)
{
    char spec[sizeof e->time_zone];
    if (!value) value = "UTC";
    if (is_number) {
        /* SET TIME ZONE -5: hours east of UTC (ISO), as the POSIX zone <-05>+05 */
        char *end;
        double hours = strtod(value, &end);
        if (*end || hours < -15 || hours > 15)
            return error_set(err, SQLSTATE_INVALID_PARAMETER, pos,
                             "invalid value for parameter \"TimeZone\": \"%s\"", value);
        int secs = (int)(hours * 3600 + (hours < 0 ? -0.5 : 0.5));
        char east[24], west[24];
        format_utc_offset(secs, east);
        format_utc_offset(-secs, west);
        snprintf(spec, sizeof spec, "<%s>%s", east, west);
        value = spec;
    }
    if (strlen(value) >= sizeof e->time_zone || !tz_find(value, strlen(value))) {
        error_set(err, SQLSTATE_INVALID_PARAMETER, pos,
                  "invalid value for parameter \"TimeZone\": \"%s\"", value);
        error_set_detail(err, "Time zone \"%s\" is not recognized.", value);
        return BS_ERROR;
    }
    snprintf(e->time_zone, sizeof e->time_zone, "%s", value);
    return BS_OK;
}

static const char *get_time_zone(const Session *e)
{
    return e->time_zone;
}

static const Setting SETTINGS[] = {
    {"timezone", "TimeZone", "UTC", set_time_zone, get_time_zone},
};

static const Setting *setting_find(const char *name)
{
    for (size_t k = 0; k < BS_ARRAY_LEN(SETTINGS); k++)
        if (strcasecmp(SETTINGS[k].name, name) == 0) return &SETTINGS[k];
    return NULL;
}

static Status unrecognized(const char *name, int pos, Error *err)
{
    return error_set(err, SQLSTATE_UNDEFINED_OBJECT, pos,
                     "unrecognized configuration parameter \"%s\"", name);
}

Status settings_run(Session *e, const AstStatement *stmt, Result *res, Error *err)
{
    const char *name = stmt->u.set.name;
    if (stmt->kind == STMT_SHOW) {
        if (strcmp(name, "all") == 0)
            return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, stmt->pos,
                             "SHOW ALL is not supported yet");
        const Setting *s = setting_find(name);
        if (!s) return unrecognized(name, stmt->pos, err);
        const char *value = s->get(e);
        BS_TRY(result_from_lines(res, s->display, value, strlen(value), err));
        res->status = arena_strdup(res->arena, "SHOW");
        return res->status ? BS_OK : error_oom(err);
    }
    if (strcmp(name, "all") == 0) {
        for (size_t k = 0; k < BS_ARRAY_LEN(SETTINGS); k++)
            BS_TRY(SETTINGS[k].set(e, NULL, false, stmt->pos, err));
    } else {
        const Setting *s = setting_find(name);
        if (!s) return unrecognized(name, stmt->pos, err);
        BS_TRY(s->set(e, stmt->u.set.value, stmt->u.set.is_number, stmt->u.set.value_pos, err));
    }
    res->status = arena_strdup(res->arena, stmt->u.set.value ? "SET" : "RESET");
    return res->status ? BS_OK : error_oom(err);
}
