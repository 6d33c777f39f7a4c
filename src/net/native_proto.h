/*
 * native_proto.h — the native client protocol: the messages a client (the `basalt`
 * shell, the C client library) and a coordinator exchange over net/'s frames, and their
 * codecs. It knows no SQL: statements travel as text, rows as pages (storage/'s page
 * format: per-column encoding, zstd), types as LogicalType's fields.
 *
 * One frame is one message; the frame's type byte says which. Payload integers are
 * little-endian; strings are a varint length then bytes (buffer_put_lstring).
 *
 *   client → coordinator
 *     HELLO     u16 protocol version, u32 vector size, string client name
 *     QUERY     string statement text (one statement)
 *     CANCEL    (empty) the running statement fails with 57014
 *     STOP      (empty) the client has read enough: no more rows; the statement ends
 *               with DONE (its status counts the rows sent)
 *
 *   coordinator → client
 *     WELCOME   u16 protocol version, u64 session id, string server version
 *     COLUMNS   u8 has_rows, string time zone, varint n, n × (string name, type)
 *               where type = u8 id, u8 precision, u8 scale, u8 child, u32 length
 *     PAGE      one page of rows (page_decode with the COLUMNS' types)
 *     DONE      string status ("SELECT 3", "INSERT 5"), u64 rows, f64 elapsed ms
 *     ERROR     5 bytes SQLSTATE, svarint position (-1: none), string message,
 *               string detail, string hint (empty: none)
 *
 *   worker → coordinator (the control plane; a worker's connection sends no QUERY)
 *     REGISTER  u16 protocol version, u32 vector size, string node id, string address
 *               (HOST:PORT where the worker listens), string node version, u32 threads,
 *               u64 memory limit (bytes)
 *     HEARTBEAT u64 memory in use (bytes), u32 running tasks, f64 1-minute load average
 *   coordinator → worker
 *     REGISTERED  u64 node number (unique while the coordinator runs)
 *
 * A session: HELLO → WELCOME, then statements one at a time. A statement is QUERY, then
 * either ERROR, or COLUMNS, PAGE*, and DONE or ERROR (a failure after some rows). CANCEL
 * and STOP may come at any time; when no statement runs they do nothing. A violation of
 * this order, or a payload that does not decode, is a protocol violation (08P01) and
 * closes the connection.
 */
#ifndef BASALT_NET_NATIVE_PROTO_H
#define BASALT_NET_NATIVE_PROTO_H

#include "common/arena.h"
#include "common/buffer.h"
#include "common/error.h"
#include "common/types.h"
#include "net/net.h"

#define NP_PROTOCOL_VERSION 1
#define NP_DEFAULT_PORT     7070

typedef enum NpMessage {
    NP_HELLO = 'H',
    NP_QUERY = 'Q',
    NP_CANCEL = 'C',
    NP_STOP = 'S',
    NP_WELCOME = 'W',
    NP_COLUMNS = 'T',
    NP_PAGE = 'D',
    NP_DONE = 'Z',
    NP_ERROR = 'E',
    NP_REGISTER = 'R',
    NP_HEARTBEAT = 'B',
    NP_REGISTERED = 'r',
} NpMessage;

/* How often a worker sends HEARTBEAT, and how long without one a worker is taken for
   gone (a closed connection is noticed at once). */
#define NP_HEARTBEAT_MS 500
#define NP_NODE_TIMEOUT_MS 3000

/* A message's name for errors ("QUERY"), or NULL for a type that is none of them. */
const char *np_message_name(uint8_t type);

typedef struct NpHello {
    uint16_t version;
    uint32_t vector_size;
    const char *client; /* points into the payload or the arena */
} NpHello;

typedef struct NpWelcome {
    uint16_t version;
    uint64_t session_id;
    const char *server;
} NpWelcome;

typedef struct NpColumns {
    bool has_rows;
    const char *time_zone;
    int n_cols;
    char **names;
    LogicalType *types;
} NpColumns;

typedef struct NpRegister {
    uint16_t version;
    uint32_t vector_size;
    const char *node_id;
    const char *address;
    const char *node_version;
    uint32_t threads;
    uint64_t memory_limit;
} NpRegister;

typedef struct NpHeartbeat {
    uint64_t memory_used;
    uint32_t running_tasks;
    double load;
} NpHeartbeat;

typedef struct NpDone {
    const char *status;
    uint64_t n_rows;
    double elapsed_ms;
} NpDone;

/* Encoders append one payload to buf (check buffer_ok afterwards). */
void np_put_hello(Buffer *buf, const NpHello *m);
void np_put_welcome(Buffer *buf, const NpWelcome *m);
void np_put_columns(Buffer *buf, const NpColumns *m);
void np_put_done(Buffer *buf, const NpDone *m);
void np_put_register(Buffer *buf, const NpRegister *m);
void np_put_heartbeat(Buffer *buf, const NpHeartbeat *m);
void np_put_registered(Buffer *buf, uint64_t node_number);
/* An Error as an ERROR payload (the message "unknown error" when err has none). */
void np_put_error(Buffer *buf, const Error *err);

/*
 * Any thread: queues one message whose payload was encoded into `payload`, which is
 * freed either way. False when it could not be queued (the payload's allocation failed,
 * the connection is closing): callers then drop the connection.
 */
bool np_send(Connection *conn, uint8_t type, Buffer *payload);
/* Any thread: an ERROR message for e (best effort: the connection is usually closing). */
void np_send_error(Connection *conn, const Error *e);

/*
 * Decoders read a whole payload; strings and arrays are copied into arena. Each returns
 * BS_OK, or BS_ERROR with err set to 08P01 naming what is malformed (53200 when the arena
 * is out of memory). Nothing is read beyond len.
 */
Status np_get_hello(const uint8_t *data, size_t len, Arena *arena, NpHello *out, Error *err);
Status np_get_welcome(const uint8_t *data, size_t len, Arena *arena, NpWelcome *out, Error *err);
Status np_get_columns(const uint8_t *data, size_t len, Arena *arena, NpColumns *out, Error *err);
Status np_get_done(const uint8_t *data, size_t len, Arena *arena, NpDone *out, Error *err);
Status np_get_register(const uint8_t *data, size_t len, Arena *arena, NpRegister *out,
                       Error *err);
Status np_get_heartbeat(const uint8_t *data, size_t len, NpHeartbeat *out, Error *err);
Status np_get_registered(const uint8_t *data, size_t len, uint64_t *node_number, Error *err);
/* An ERROR payload into *out (which must be clear); 08P01 when it is malformed. */
Status np_get_error(const uint8_t *data, size_t len, Error *out, Error *err);
/* A QUERY payload: the statement text, pointing into data. */
Status np_get_query(const uint8_t *data, size_t len, const char **sql, size_t *sql_len,
                    Error *err);

#endif
