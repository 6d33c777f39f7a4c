/*
 * client.h — the C client library of Basalt's native protocol (net/native_proto.h): what
 * the `basalt --connect` shell uses, and what a program links to run SQL on a
 * coordinator. It links net/'s frames, storage/'s page decoder and common/, and no engine
 * code (no parser, planner or executor).
 *
 *   BasaltClient *c;
 *   basalt_connect("127.0.0.1", 7070, NULL, &c, &err);
 *   basalt_query(c, sql, len, &cols, &err);         columns, or the statement's error
 *   while (basalt_next(c, &chunk, &err) == BS_OK && chunk) …   rows as they arrive
 *   basalt_done(c)->status                          "SELECT 3", once at the end
 *   basalt_disconnect(c);
 *
 * Calls block the calling thread (on poll(), never busy-waiting); one thread uses a
 * client at a time, except basalt_cancel, which any thread or a signal handler may call.
 * Errors carry the server's SQLSTATE, message, detail, hint and position; a lost
 * connection is 08006, a call on a dead one 08003.
 */
#ifndef BASALT_NET_CLIENT_H
#define BASALT_NET_CLIENT_H

#include "common/error.h"
#include "common/vector.h"

typedef struct BasaltClient BasaltClient;

typedef struct BasaltOptions {
    const char *client_name;     /* sent in HELLO; NULL: "basalt-client" */
    uint64_t connect_timeout_ms; /* 0: 10 s */
} BasaltOptions;

/*
 * Connects to a coordinator (host: a numeric address or a name) and opens a session.
 * On failure *out is NULL and err says why: 08001 when the server cannot be reached,
 * 08P01 when it does not speak this protocol or its version.
 */
Status basalt_connect(const char *host, int port, const BasaltOptions *opts, BasaltClient **out,
                      Error *err);
/* Closes the connection (a running statement is stopped by the server) and frees c. */
void basalt_disconnect(BasaltClient *c);

uint64_t basalt_session_id(const BasaltClient *c);
const char *basalt_server_version(const BasaltClient *c);

/* What a statement produces: its columns (for a query), the session's time zone. */
typedef struct BasaltColumns {
    bool has_rows;
    int n_cols;
    char **names;
    LogicalType *types;
    const char *time_zone; /* an IANA name or offset spec, for TIMESTAMPTZ display */
} BasaltColumns;

/* How it ended: the command tag, the rows, the server's execution time. */
typedef struct BasaltDone {
    const char *status;
    uint64_t n_rows;
    double elapsed_ms;
} BasaltDone;

/*
 * Sends one statement and waits for its columns. BS_ERROR with err set when the
 * statement failed (position: a byte offset into sql) — the client is then ready for the
 * next one — or the connection was lost. A statement still being read is ended first
 * (basalt_end). *cols stays valid until the next basalt_query.
 */
Status basalt_query(BasaltClient *c, const char *sql, size_t len, const BasaltColumns **cols,
                    Error *err);
/*
 * The next chunk of the statement's rows, waiting for it; *out NULL at the end (then
 * basalt_done holds the status). The chunk is valid until the next call. A statement
 * that fails after some rows returns BS_ERROR with err set, and is over.
 */
Status basalt_next(BasaltClient *c, const Chunk **out, Error *err);
/* Once basalt_next has returned NULL: the status. NULL before. */
const BasaltDone *basalt_done(const BasaltClient *c);
/*
 * Ends the current statement early: the server stops producing rows; the rows on their
 * way are dropped. Nothing to do when it has ended. BS_ERROR only when the connection
 * is lost (or the statement failed meanwhile, which is reported and ignored by callers
 * that only wanted to stop).
 */
Status basalt_end(BasaltClient *c, Error *err);
/*
 * Any thread, async-signal-safe: asks the server to cancel the running statement (it
 * fails with 57014). A cancel when no statement runs is dropped.
 */
void basalt_cancel(BasaltClient *c);

#endif
