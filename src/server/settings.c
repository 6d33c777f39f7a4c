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

/* join_distribution_type: how equi-joins meet across workers (PlanOptions). */
static const char *const JOIN_DISTRIBUTIONS[] = {"automatic", "broadcast", "partitioned"};

static Status set_join_distribution(Session *e, const char *value, bool is_number, int pos,
                                    Error *err)
{
    (void)is_number;
    if (!value) {
        e->join_distribution = JOIN_DIST_AUTOMATIC;
        return BS_OK;
    }
    for (size_t k = 0; k < BS_ARRAY_LEN(JOIN_DISTRIBUTIONS); k++)
        if (strcasecmp(value, JOIN_DISTRIBUTIONS[k]) == 0) {
            e->join_distribution = (JoinDistribution)k;
            return BS_OK;
        }
    error_set(err, SQLSTATE_INVALID_PARAMETER, pos,
              "invalid value for parameter \"join_distribution_type\": \"%s\"", value);
    error_set_hint(err, "Available values: automatic, broadcast, partitioned.");
    return BS_ERROR;
}

static const char *get_join_distribution(const Session *e)
{
    unsigned k = (unsigned)e->join_distribution;
    return k < BS_ARRAY_LEN(JOIN_DISTRIBUTIONS) ? JOIN_DISTRIBUTIONS[k] : "automatic";
}

/* exchange_compression: whether pages between tasks on different nodes are zstd-compressed
   (Trino's exchange.compression-codec). Off by default: on loopback and fast networks the
   CPU it costs is more than the bytes it saves (bench/tpch/cluster.sh). */
static Status set_exchange_compression(Session *e, const char *value, bool is_number, int pos,
                                       Error *err)
{
    (void)is_number;
    if (!value || strcasecmp(value, "none") == 0) {
        e->exchange_zstd = false;
        return BS_OK;
    }
    if (strcasecmp(value, "zstd") == 0) {
        e->exchange_zstd = true;
        return BS_OK;
    }
    error_set(err, SQLSTATE_INVALID_PARAMETER, pos,
              "invalid value for parameter \"exchange_compression\": \"%s\"", value);
    error_set_hint(err, "Available values: none, zstd.");
    return BS_ERROR;
}

static const char *get_exchange_compression(const Session *e)
{
    return e->exchange_zstd ? "zstd" : "none";
}

/* retry_policy: 'query' (the default) runs a query that lost a worker before any row
   reached the client again on the workers left; 'none' fails it (engine.c). */
static Status set_retry_policy(Session *e, const char *value, bool is_number, int pos, Error *err)
{
    (void)is_number;
    if (!value || strcasecmp(value, "query") == 0) {
        e->retry_query = true;
        return BS_OK;
    }
    if (strcasecmp(value, "none") == 0) {
        e->retry_query = false;
        return BS_OK;
    }
    error_set(err, SQLSTATE_INVALID_PARAMETER, pos,
              "invalid value for parameter \"retry_policy\": \"%s\"", value);
    error_set_hint(err, "Available values: query, none.");
    return BS_ERROR;
}

static const char *get_retry_policy(const Session *e)
{
    return e->retry_query ? "query" : "none";
}

/* Memory units as PostgreSQL writes them, smallest first (powers of 1024). */
static const char *const SIZE_UNITS[] = {"B", "kB", "MB", "GB", "TB"};

/* "100MB": the largest unit that holds bytes exactly. */
static void format_size(int64_t bytes, char *out, size_t size)
{
    size_t unit = 0;
    while (unit + 1 < BS_ARRAY_LEN(SIZE_UNITS) && bytes % 1024 == 0) {
        bytes /= 1024;
        unit++;
    }
    snprintf(out, size, "%lld%s", (long long)bytes, SIZE_UNITS[unit]);
}

/*
 * A size setting's value: '100MB', '1.5GB', '512kB' (units case-blind, powers of 1024,
 * blanks allowed before them), or a number of bytes; at least 1 byte. 22023 naming the
 * parameter otherwise.
 */
static Status parse_size(const char *name, const char *value, int pos, int64_t *out, Error *err)
{
    char *end;
    double n = strtod(value, &end);
    bool ok = end != value && n == n; /* (not NaN) */
    while (ok && *end == ' ')
        end++;
    double scale = 1; /* no unit: bytes */
    if (ok && *end) {
        ok = false;
        for (size_t k = 0; k < BS_ARRAY_LEN(SIZE_UNITS); k++) {
            if (strcasecmp(end, SIZE_UNITS[k]) == 0) {
                ok = true;
                break;
            }
            scale *= 1024;
        }
    }
    if (!ok) {
        error_set(err, SQLSTATE_INVALID_PARAMETER, pos,
                  "invalid value for parameter \"%s\": \"%s\"", name, value);
        error_set_hint(err, "Valid units for this parameter are \"B\", \"kB\", \"MB\", \"GB\", "
                            "and \"TB\".");
        return BS_ERROR;
    }
    double bytes = n * scale + 0.5;
    if (!(bytes >= 1 && bytes < 9.2e18))
        return error_set(err, SQLSTATE_INVALID_PARAMETER, pos,
                         "%s is outside the valid range for parameter \"%s\" (1B .. 8EB)", value,
                         name);
    *out = (int64_t)bytes;
    return BS_OK;
}

/* join_max_broadcast_table_size: a size (parse_size). */
static Status set_broadcast_limit(Session *e, const char *value, bool is_number, int pos,
                                  Error *err)
{
    (void)is_number;
    if (!value) {
        e->broadcast_limit_bytes = 0;
        e->broadcast_limit_text[0] = '\0';
        return BS_OK;
    }
    BS_TRY(parse_size("join_max_broadcast_table_size", value, pos, &e->broadcast_limit_bytes, err));
    format_size(e->broadcast_limit_bytes, e->broadcast_limit_text, sizeof e->broadcast_limit_text);
    return BS_OK;
}

/*
 * query_max_memory: what one statement may hold, summed over every node it runs on (a
 * size, parse_size); by default the engine's --memory (in whole MB).
 */
static Status set_query_max_memory(Session *e, const char *value, bool is_number, int pos,
                                   Error *err)
{
    (void)is_number;
    /* The default as a value SET takes back: whole megabytes. */
    int64_t bytes = e->engine->memory_limit;
    if (bytes > (1 << 20)) bytes -= bytes % (1 << 20);
    if (value) BS_TRY(parse_size("query_max_memory", value, pos, &bytes, err));
    /* Embedded, a statement runs in this process only: --memory bounds it. On a cluster it
       is the sum over the nodes (each node still bounds its part by its own --memory). */
    if (value && !e->engine->scheduler && bytes > e->engine->memory_limit) {
        char limit[32];
        int64_t mem = e->engine->memory_limit;
        format_size(mem > (1 << 20) ? mem - mem % (1 << 20) : mem, limit, sizeof limit);
        return error_set(err, SQLSTATE_INVALID_PARAMETER, pos,
                         "query_max_memory cannot be more than the memory limit (--memory) of %s",
                         limit);
    }
    e->query_max_memory = value ? bytes : 0;
    format_size(bytes, e->query_max_memory_text, sizeof e->query_max_memory_text);
    return BS_OK;
}

static const char *get_query_max_memory(const Session *e)
{
    return e->query_max_memory_text;
}

_Static_assert(PLAN_DEFAULT_BROADCAST_LIMIT == 100 * 1024 * 1024, "SHOW's default is 100MB");

static const char *get_broadcast_limit(const Session *e)
{
    return e->broadcast_limit_text[0] ? e->broadcast_limit_text : "100MB";
}

static const Setting SETTINGS[] = {
    {"timezone", "TimeZone", "UTC", set_time_zone, get_time_zone},
    {"join_distribution_type", "join_distribution_type", "automatic", set_join_distribution,
     get_join_distribution},
    {"join_max_broadcast_table_size", "join_max_broadcast_table_size", "100MB", set_broadcast_limit,
     get_broadcast_limit},
    {"exchange_compression", "exchange_compression", "none", set_exchange_compression,
     get_exchange_compression},
    {"retry_policy", "retry_policy", "query", set_retry_policy, get_retry_policy},
    {"query_max_memory", "query_max_memory", "the engine's --memory", set_query_max_memory,
     get_query_max_memory},
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

void settings_defaults(Session *s)
{
    for (size_t k = 0; k < BS_ARRAY_LEN(SETTINGS); k++) {
        Error ignored = ERROR_INIT;
        SETTINGS[k].set(s, NULL, false, -1, &ignored); /* defaults always take */
        error_clear(&ignored);
    }
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
