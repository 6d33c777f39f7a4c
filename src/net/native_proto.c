/*
 * native_proto.c — encoders and decoders of the native client protocol's payloads
 * (layouts in native_proto.h). The decoders trust nothing: every length is checked
 * against the bytes present, every count against what those bytes could hold, and a
 * payload must be consumed exactly.
 */
#include "net/native_proto.h"

#include "net/net_int.h"

#include "common/alloc.h"

#include <string.h>

const char *np_message_name(uint8_t type)
{
    switch (type) {
    case NP_HELLO:
        return "HELLO";
    case NP_QUERY:
        return "QUERY";
    case NP_CANCEL:
        return "CANCEL";
    case NP_STOP:
        return "STOP";
    case NP_WELCOME:
        return "WELCOME";
    case NP_COLUMNS:
        return "COLUMNS";
    case NP_PAGE:
        return "PAGE";
    case NP_DONE:
        return "DONE";
    case NP_ERROR:
        return "ERROR";
    case NP_REGISTER:
        return "REGISTER";
    case NP_HEARTBEAT:
        return "HEARTBEAT";
    case NP_REGISTERED:
        return "REGISTERED";
    }
    return NULL;
}

void proto_put_string(Buffer *buf, const char *s)
{
    buffer_put_lstring(buf, s ? s : "", s ? strlen(s) : 0);
}

static void put_type(Buffer *buf, LogicalType t)
{
    buffer_put_u8(buf, t.id);
    buffer_put_u8(buf, t.precision);
    buffer_put_u8(buf, t.scale);
    buffer_put_u8(buf, t.child);
    buffer_put_u32(buf, t.length);
}

void np_put_hello(Buffer *buf, const NpHello *m)
{
    buffer_put_u16(buf, m->version);
    buffer_put_u32(buf, m->vector_size);
    proto_put_string(buf, m->client);
}

void np_put_welcome(Buffer *buf, const NpWelcome *m)
{
    buffer_put_u16(buf, m->version);
    buffer_put_u64(buf, m->session_id);
    proto_put_string(buf, m->server);
}

void np_put_columns(Buffer *buf, const NpColumns *m)
{
    buffer_put_u8(buf, m->has_rows ? 1 : 0);
    proto_put_string(buf, m->time_zone);
    buffer_put_uvarint(buf, (uint64_t)m->n_cols);
    for (int k = 0; k < m->n_cols; k++) {
        proto_put_string(buf, m->names[k]);
        put_type(buf, m->types[k]);
    }
}

void np_put_done(Buffer *buf, const NpDone *m)
{
    proto_put_string(buf, m->status);
    buffer_put_u64(buf, m->n_rows);
    buffer_put_f64(buf, m->elapsed_ms);
}

void np_put_register(Buffer *buf, const NpRegister *m)
{
    buffer_put_u16(buf, m->version);
    buffer_put_u32(buf, m->vector_size);
    proto_put_string(buf, m->node_id);
    proto_put_string(buf, m->address);
    proto_put_string(buf, m->node_version);
    buffer_put_u32(buf, m->threads);
    buffer_put_u64(buf, m->memory_limit);
}

void np_put_heartbeat(Buffer *buf, const NpHeartbeat *m)
{
    buffer_put_u64(buf, m->memory_used);
    buffer_put_u32(buf, m->running_tasks);
    buffer_put_f64(buf, m->load);
}

void np_put_registered(Buffer *buf, uint64_t node_number)
{
    buffer_put_u64(buf, node_number);
}

void np_put_error(Buffer *buf, const Error *err)
{
    const char *state = error_is_set(err) ? err->sqlstate : SQLSTATE_INTERNAL_ERROR;
    buffer_put_bytes(buf, state, 5);
    buffer_put_svarint(buf, err->position);
    proto_put_string(buf, err->message ? err->message : "unknown error");
    proto_put_string(buf, err->detail);
    proto_put_string(buf, err->hint);
}

bool np_send(Connection *conn, uint8_t type, Buffer *payload)
{
    Error err = ERROR_INIT;
    bool sent = buffer_ok(payload) &&
                conn_send(conn, type, 0, payload->data, payload->len, &err) == BS_OK;
    error_clear(&err);
    buffer_free(payload);
    return sent;
}

void np_send_error(Connection *conn, const Error *e)
{
    Buffer b;
    buffer_init(&b);
    np_put_error(&b, e);
    np_send(conn, NP_ERROR, &b);
}

/* ---- decoding ---- */

Status proto_malformed(Error *err, const char *what)
{
    return error_set(err, SQLSTATE_PROTOCOL_VIOLATION, -1, "malformed %s message", what);
}

char *proto_get_string(BufReader *r, Arena *arena, bool *oom)
{
    size_t len;
    const char *s = bufreader_lstring(r, &len);
    if (!s) return NULL;
    char *copy = arena_alloc(arena, len + 1);
    if (!copy) {
        *oom = true;
        return NULL;
    }
    memcpy(copy, s, len);
    copy[len] = '\0';
    return copy;
}

Status proto_finish(const BufReader *r, Arena *arena, bool oom, const char *what, Error *err)
{
    if (oom) return arena_error(arena, err);
    if (!bufreader_ok(r) || bufreader_left(r) != 0) return proto_malformed(err, what);
    return BS_OK;
}

Status np_get_hello(const uint8_t *data, size_t len, Arena *arena, NpHello *out, Error *err)
{
    BufReader r;
    bufreader_init(&r, data, len);
    bool oom = false;
    out->version = bufreader_u16(&r);
    out->vector_size = bufreader_u32(&r);
    out->client = proto_get_string(&r, arena, &oom);
    return proto_finish(&r, arena, oom, "HELLO", err);
}

Status np_get_welcome(const uint8_t *data, size_t len, Arena *arena, NpWelcome *out, Error *err)
{
    BufReader r;
    bufreader_init(&r, data, len);
    bool oom = false;
    out->version = bufreader_u16(&r);
    out->session_id = bufreader_u64(&r);
    out->server = proto_get_string(&r, arena, &oom);
    return proto_finish(&r, arena, oom, "WELCOME", err);
}

/* The types a page can carry: scalar ids, and arrays of them. */
static bool type_valid(LogicalType t)
{
    bool scalar = t.id >= TYPE_NULL && t.id <= TYPE_CHAR;
    if (t.id == TYPE_ARRAY) return t.child >= TYPE_NULL && t.child <= TYPE_CHAR;
    return scalar && t.child == 0;
}

Status np_get_columns(const uint8_t *data, size_t len, Arena *arena, NpColumns *out, Error *err)
{
    BufReader r;
    bufreader_init(&r, data, len);
    bool oom = false;
    memset(out, 0, sizeof *out);
    out->has_rows = bufreader_u8(&r) != 0;
    out->time_zone = proto_get_string(&r, arena, &oom);
    uint64_t n = bufreader_uvarint(&r);
    /* Each column takes at least 9 bytes (an empty name and a type). */
    if (!bufreader_ok(&r) || n > bufreader_left(&r) / 9 || n > INT32_MAX)
        return oom ? arena_error(arena, err) : proto_malformed(err, "COLUMNS");
    out->n_cols = (int)n;
    out->names = arena_alloc(arena, sizeof(char *) * (size_t)(n ? n : 1));
    out->types = arena_alloc(arena, sizeof(LogicalType) * (size_t)(n ? n : 1));
    if (!out->names || !out->types) return arena_error(arena, err);
    for (uint64_t k = 0; k < n && bufreader_ok(&r) && !oom; k++) {
        out->names[k] = proto_get_string(&r, arena, &oom);
        LogicalType t;
        t.id = bufreader_u8(&r);
        t.precision = bufreader_u8(&r);
        t.scale = bufreader_u8(&r);
        t.child = bufreader_u8(&r);
        t.length = bufreader_u32(&r);
        if (bufreader_ok(&r) && !type_valid(t)) return proto_malformed(err, "COLUMNS");
        out->types[k] = t;
    }
    return proto_finish(&r, arena, oom, "COLUMNS", err);
}

Status np_get_done(const uint8_t *data, size_t len, Arena *arena, NpDone *out, Error *err)
{
    BufReader r;
    bufreader_init(&r, data, len);
    bool oom = false;
    out->status = proto_get_string(&r, arena, &oom);
    out->n_rows = bufreader_u64(&r);
    out->elapsed_ms = bufreader_f64(&r);
    return proto_finish(&r, arena, oom, "DONE", err);
}

Status np_get_register(const uint8_t *data, size_t len, Arena *arena, NpRegister *out,
                       Error *err)
{
    BufReader r;
    bufreader_init(&r, data, len);
    bool oom = false;
    out->version = bufreader_u16(&r);
    out->vector_size = bufreader_u32(&r);
    out->node_id = proto_get_string(&r, arena, &oom);
    out->address = proto_get_string(&r, arena, &oom);
    out->node_version = proto_get_string(&r, arena, &oom);
    out->threads = bufreader_u32(&r);
    out->memory_limit = bufreader_u64(&r);
    BS_TRY(proto_finish(&r, arena, oom, "REGISTER", err));
    if (!out->node_id[0]) return proto_malformed(err, "REGISTER");
    return BS_OK;
}

Status np_get_heartbeat(const uint8_t *data, size_t len, NpHeartbeat *out, Error *err)
{
    BufReader r;
    bufreader_init(&r, data, len);
    out->memory_used = bufreader_u64(&r);
    out->running_tasks = bufreader_u32(&r);
    out->load = bufreader_f64(&r);
    if (!bufreader_ok(&r) || bufreader_left(&r) != 0) return proto_malformed(err, "HEARTBEAT");
    return BS_OK;
}

Status np_get_registered(const uint8_t *data, size_t len, uint64_t *node_number, Error *err)
{
    BufReader r;
    bufreader_init(&r, data, len);
    *node_number = bufreader_u64(&r);
    if (!bufreader_ok(&r) || bufreader_left(&r) != 0) return proto_malformed(err, "REGISTERED");
    return BS_OK;
}

/* A string of the ERROR payload as a heap copy (NULL when empty). */
static Status error_string(BufReader *r, char **out)
{
    *out = NULL;
    size_t len;
    const char *s = bufreader_lstring(r, &len);
    if (!s || len == 0) return BS_OK;
    *out = bs_malloc(len + 1);
    if (!*out) return BS_ERROR;
    memcpy(*out, s, len);
    (*out)[len] = '\0';
    return BS_OK;
}

Status np_get_error(const uint8_t *data, size_t len, Error *out, Error *err)
{
    BufReader r;
    bufreader_init(&r, data, len);
    const uint8_t *state = bufreader_bytes(&r, 5);
    int64_t pos = bufreader_svarint(&r);
    char *message, *detail, *hint;
    bool oom = error_string(&r, &message) != BS_OK;
    oom |= error_string(&r, &detail) != BS_OK;
    oom |= error_string(&r, &hint) != BS_OK;
    bool ok = bufreader_ok(&r) && bufreader_left(&r) == 0 && pos >= -1 && pos <= INT32_MAX;
    for (int k = 0; ok && k < 5; k++)
        ok = (state[k] >= '0' && state[k] <= '9') || (state[k] >= 'A' && state[k] <= 'Z');
    if (!ok || oom || !message) {
        bs_free(message);
        bs_free(detail);
        bs_free(hint);
        return oom ? error_oom(err) : proto_malformed(err, "ERROR");
    }
    error_clear(out);
    memcpy(out->sqlstate, state, 5);
    out->sqlstate[5] = '\0';
    out->message = message;
    out->detail = detail;
    out->hint = hint;
    out->position = (int)pos;
    return BS_OK;
}

Status np_get_query(const uint8_t *data, size_t len, const char **sql, size_t *sql_len,
                    Error *err)
{
    BufReader r;
    bufreader_init(&r, data, len);
    *sql = bufreader_lstring(&r, sql_len);
    if (!*sql || bufreader_left(&r) != 0) return proto_malformed(err, "QUERY");
    return BS_OK;
}
