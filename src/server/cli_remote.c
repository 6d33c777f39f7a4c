/*
 * cli_remote.c — `basalt --connect HOST:PORT`: the shell's and scripts' CliBackend over a
 * session on a coordinator, through the C client library (net/client.h). Results print
 * exactly as in embedded mode: the same Result header (columns, types, time zone, status,
 * execution time measured by the server) over chunks decoded from the server's pages.
 */
#include "server/roles.h"

#include "common/alloc.h"
#include "common/timezone.h"
#include "net/client.h"
#include "net/native_proto.h"
#include "server/server_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

Status roles_parse_port(const char *text, bool allow_zero, int *out, Error *err)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (end == text || *end || errno || v < (allow_zero ? 0 : 1) || v > 65535)
        return error_set(err, SQLSTATE_INVALID_PARAMETER, -1,
                         "invalid port \"%s\" (expected %d to 65535)", text, allow_zero ? 0 : 1);
    *out = (int)v;
    return BS_OK;
}

Status roles_parse_address(const char *text, char **host, int *port, Error *err)
{
    *host = NULL;
    const char *host_start = text, *host_end, *colon;
    if (text[0] == '[') {
        host_start = text + 1;
        host_end = strchr(host_start, ']');
        if (!host_end || (host_end[1] && host_end[1] != ':'))
            return error_set(err, SQLSTATE_INVALID_PARAMETER, -1,
                             "invalid address \"%s\" (expected HOST:PORT)", text);
        colon = host_end[1] ? host_end + 1 : NULL;
    } else {
        colon = strrchr(text, ':');
        host_end = colon ? colon : text + strlen(text);
    }
    if (host_end == host_start)
        return error_set(err, SQLSTATE_INVALID_PARAMETER, -1,
                         "invalid address \"%s\" (expected HOST:PORT)", text);
    *port = NP_DEFAULT_PORT;
    if (colon) BS_TRY(roles_parse_port(colon + 1, false, port, err));
    size_t len = (size_t)(host_end - host_start);
    *host = bs_malloc(len + 1);
    if (!*host) return error_oom(err);
    memcpy(*host, host_start, len);
    (*host)[len] = '\0';
    return BS_OK;
}

typedef struct RemoteBackend {
    CliBackend base;
    BasaltClient *client;
} RemoteBackend;

typedef struct RemoteStatement {
    RemoteBackend *backend;
    Result *result;
    bool ended;
} RemoteStatement;

/* At the end of a statement: its status, rows and time into the Result. */
static Status take_done(RemoteStatement *st, Error *err)
{
    st->ended = true;
    const BasaltDone *done = basalt_done(st->backend->client);
    if (!done) return BS_OK;
    Result *r = st->result;
    r->status = arena_strdup(r->arena, done->status);
    r->n_rows = done->n_rows;
    r->elapsed_ms = done->elapsed_ms;
    return r->status ? BS_OK : arena_error(r->arena, err);
}

static void remote_close(void *stmt)
{
    RemoteStatement *st = stmt;
    if (!st) return;
    if (!st->ended) {
        Error ignored = ERROR_INIT;
        basalt_end(st->backend->client, &ignored);
        error_clear(&ignored);
    }
    result_free(st->result);
    bs_free(st);
}

static Status remote_start(CliBackend *b, const char *sql, size_t len, void **out, Error *err)
{
    *out = NULL;
    RemoteBackend *rb = (RemoteBackend *)b;
    RemoteStatement *st = bs_calloc(1, sizeof *st);
    if (!st) return error_oom(err);
    st->backend = rb;
    st->result = result_new(NULL, err);
    if (!st->result) {
        bs_free(st);
        return BS_ERROR;
    }
    const BasaltColumns *cols;
    Status status = basalt_query(rb->client, sql, len, &cols, err);
    Result *r = st->result;
    if (status == BS_OK) {
        status = result_set_columns(r, cols->n_cols, cols->names, cols->types, err);
        r->has_rows = cols->has_rows;
        r->zone = cols->time_zone ? tz_find(cols->time_zone, strlen(cols->time_zone)) : NULL;
        if (!r->zone) r->zone = tz_utc();
    }
    if (status == BS_OK && !r->has_rows) {
        /* Nothing to stream: the status follows at once. */
        const Chunk *chunk;
        status = basalt_next(rb->client, &chunk, err);
        if (status == BS_OK) status = take_done(st, err);
    }
    if (status != BS_OK) {
        st->ended = true; /* a failed statement is over */
        remote_close(st);
        return BS_ERROR;
    }
    *out = st;
    return BS_OK;
}

static const Result *remote_result(void *stmt)
{
    return ((RemoteStatement *)stmt)->result;
}

static Status remote_next(void *stmt, const Chunk **out, Error *err)
{
    RemoteStatement *st = stmt;
    *out = NULL;
    if (st->ended) return BS_OK;
    if (basalt_next(st->backend->client, out, err) != BS_OK) {
        st->ended = true;
        return BS_ERROR;
    }
    if (!*out) return take_done(st, err);
    return BS_OK;
}

static void remote_cancel(CliBackend *b)
{
    basalt_cancel(((RemoteBackend *)b)->client);
}

static void remote_destroy(CliBackend *b)
{
    RemoteBackend *rb = (RemoteBackend *)b;
    basalt_disconnect(rb->client);
    bs_free(rb);
}

static const CliBackendOps REMOTE_OPS = {
    .start = remote_start,
    .result = remote_result,
    .next = remote_next,
    .close = remote_close,
    .cancel = remote_cancel,
    .destroy = remote_destroy,
};

CliBackend *cli_backend_connect(const char *address, Error *err)
{
    char *host;
    int port;
    if (roles_parse_address(address, &host, &port, err) != BS_OK) return NULL;
    RemoteBackend *rb = bs_calloc(1, sizeof *rb);
    if (!rb) {
        bs_free(host);
        error_oom(err);
        return NULL;
    }
    rb->base.ops = &REMOTE_OPS;
    BasaltOptions opts = {.client_name = "basalt shell"};
    Status st = basalt_connect(host, port, &opts, &rb->client, err);
    bs_free(host);
    if (st != BS_OK) {
        bs_free(rb);
        return NULL;
    }
    return &rb->base;
}
