/*
 * native.c — the native client protocol's server side (net/native_proto.h), a thin adapter
 * over the engine's Session API: one Session per connection, its statements run on a
 * thread of the connection's own, their rows streamed as pages while they are computed.
 *
 * Threads: the event loop's thread reads frames (on_frame) and never blocks; it hands a
 * QUERY to the connection's session thread, and turns CANCEL and STOP into
 * session_cancel. The session thread runs the statement and sends COLUMNS, PAGE… and
 * DONE or ERROR with conn_send_buffer; when the connection's write queue is full
 * (conn_writable false) it waits on a condition variable that on_drain signals — the
 * client's reading is the statement's back-pressure, and memory stays bounded whatever
 * the number of rows.
 *
 * A connection's states (under nc->mu):
 *
 *   NEW      until HELLO: WELCOME (or ERROR and close when the versions differ); or
 *            REGISTER from a worker: REGISTERED → WORKER
 *   WORKER   a worker's control connection: HEARTBEATs; no heartbeat for
 *            NP_NODE_TIMEOUT_MS, or the connection closing, makes the node GONE
 *   IDLE     QUERY → RUNNING (the session thread takes it)
 *   RUNNING  CANCEL → the statement fails (57014); STOP → it ends with DONE early;
 *            the thread sends DONE or ERROR → IDLE; a QUERY now is a violation
 *   CLOSED   the connection is gone: a running statement is cancelled, the thread ends
 *
 * Any other message, or one out of order, is a protocol violation (08P01): an ERROR is
 * sent and the connection closed. A NativeConn is freed by the last of its two owners,
 * the loop (on_close) and the session thread.
 */
#include "server/frontends/native.h"

#include "common/alloc.h"
#include "net/native_proto.h"
#include "net/task_proto.h"
#include "server/coordinator/nodes.h"
#include "server/coordinator/scheduler.h"
#include "server/server_int.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

typedef enum NcState { NC_NEW, NC_IDLE, NC_RUNNING, NC_WORKER, NC_CLOSED } NcState;

typedef struct NativeConn {
    NativeServer *server;
    Connection *conn;
    Session *session; /* made at HELLO */
    pthread_mutex_t mu;
    pthread_cond_t cond; /* a query came, the queue drained, the connection closed */
    NcState state;
    char *sql; /* the QUERY handed to the thread (bs_malloc'd) */
    size_t sql_len;
    bool has_query;
    atomic_bool stop;     /* STOP: end the statement with DONE */
    uint64_t node_number; /* WORKER: its handle in the node registry */
    atomic_int refs;      /* the loop's and the thread's */
    bool thread_started;
    struct NativeConn *prev, *next; /* the server's list */
} NativeConn;

struct NativeServer {
    Engine *engine;
    EventLoop *loop;
    NodeRegistry *nodes; /* NULL: workers are refused */
    LoopTimer *stale_timer;
    Listener *listener;
    int port;
    pthread_mutex_t mu;
    pthread_cond_t idle; /* the last connection is gone */
    NativeConn *conns;
    int n_conns;
    bool stopping;
};

static void nc_unref(NativeConn *nc)
{
    if (atomic_fetch_sub(&nc->refs, 1) != 1) return;
    NativeServer *srv = nc->server;
    pthread_mutex_lock(&srv->mu);
    if (nc->prev)
        nc->prev->next = nc->next;
    else
        srv->conns = nc->next;
    if (nc->next) nc->next->prev = nc->prev;
    if (--srv->n_conns == 0) pthread_cond_broadcast(&srv->idle);
    pthread_mutex_unlock(&srv->mu);
    conn_release(nc->conn);
    session_destroy(nc->session);
    bs_free(nc->sql);
    pthread_mutex_destroy(&nc->mu);
    pthread_cond_destroy(&nc->cond);
    bs_free(nc);
}

/* Loop thread: an ERROR frame, then an orderly close. */
static void violation(NativeConn *nc, const char *fmt, ...) BS_PRINTF(2, 3);
static void violation(NativeConn *nc, const char *fmt, ...)
{
    Error e = ERROR_INIT;
    va_list ap;
    va_start(ap, fmt);
    error_setv(&e, SQLSTATE_PROTOCOL_VIOLATION, -1, fmt, ap);
    va_end(ap);
    np_send_error(nc->conn, &e);
    error_clear(&e);
    conn_close(nc->conn);
}

/* ---- the session thread ---- */

/* Sends one message, its payload encoded into `framed` after frame_begin (at `start`);
   the buffer is emptied. Waits while the connection's queue is full. BS_ERROR once the
   connection is gone. */
static Status nc_send(NativeConn *nc, uint8_t type, Buffer *framed, size_t start, Error *err)
{
    /* The payload was encoded after frame_begin: the frame goes without another copy. */
    Status st = buffer_ok(framed) ? frame_end(framed, start, type, 0, err) : error_oom(err);
    if (st == BS_OK) st = conn_send_buffer(nc->conn, framed, err);
    buffer_free(framed);
    BS_TRY(st);
    pthread_mutex_lock(&nc->mu);
    while (nc->state != NC_CLOSED && !conn_writable(nc->conn)) {
        struct timespec deadline;
        clock_gettime(CLOCK_REALTIME, &deadline);
        deadline.tv_nsec += 50 * 1000000L; /* on_drain signals; the timeout is a safety net */
        if (deadline.tv_nsec >= 1000000000L) {
            deadline.tv_sec++;
            deadline.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&nc->cond, &nc->mu, &deadline);
    }
    bool closed = nc->state == NC_CLOSED;
    pthread_mutex_unlock(&nc->mu);
    if (closed)
        return error_set(err, NET_SQLSTATE_CONNECTION_FAILURE, -1, "the client has gone");
    return BS_OK;
}

static Status send_columns(NativeConn *nc, const Result *r, Error *err)
{
    NpColumns m = {.has_rows = r->has_rows,
                   .time_zone = nc->session->time_zone,
                   .n_cols = r->has_rows ? r->n_cols : 0,
                   .names = r->names,
                   .types = r->types};
    Buffer b;
    buffer_init(&b);
    size_t start = frame_begin(&b);
    np_put_columns(&b, &m);
    return nc_send(nc, NP_COLUMNS, &b, start, err);
}

/*
 * Runs one statement and streams its columns and rows. Its last message (DONE or ERROR)
 * is encoded into *last, after the frame header the caller began, for the caller to send
 * once the connection is idle again — the client may send its next QUERY the moment it
 * has it. BS_ERROR only when the connection is gone.
 */
static Status run_statement(NativeConn *nc, PageEncoder *pages, const char *sql, size_t len,
                            uint8_t *last_type, Buffer *last, Error *err)
{
    Cursor *cursor;
    Error stmt_err = ERROR_INIT;
    int64_t t0 = clock_now_ns();
    if (session_start(nc->session, sql, len, &cursor, &stmt_err) != BS_OK) {
        *last_type = NP_ERROR;
        np_put_error(last, &stmt_err);
        error_clear(&stmt_err);
        return BS_OK;
    }
    const Result *r = cursor_result(cursor);
    Status st = send_columns(nc, r, err);
    uint64_t n_rows = 0;
    bool failed = false, stopped = false;
    Buffer page;
    buffer_init(&page);
    while (st == BS_OK && r->has_rows) {
        const Chunk *chunk;
        if (cursor_next(cursor, &chunk, &stmt_err) != BS_OK) {
            failed = true;
            break;
        }
        if (!chunk) break;
        if (atomic_load(&nc->stop)) {
            stopped = true;
            break;
        }
        size_t start = frame_begin(&page);
        if (page_encode(pages, chunk, &page, &stmt_err) != BS_OK) {
            failed = true;
            break;
        }
        n_rows += chunk->n_rows;
        st = nc_send(nc, NP_PAGE, &page, start, err);
    }
    buffer_free(&page);
    if (failed && atomic_load(&nc->stop)) {
        /* The cancel that STOP sent ended the statement: that is its normal end. */
        failed = false;
        stopped = true;
        error_clear(&stmt_err);
    }
    if (failed) {
        *last_type = NP_ERROR;
        np_put_error(last, &stmt_err);
    } else {
        double ms = r->elapsed_ms > 0 ? r->elapsed_ms : (double)(clock_now_ns() - t0) / 1e6;
        char tag[48];
        const char *status = r->status;
        if (stopped || !status) {
            snprintf(tag, sizeof tag, "SELECT %llu", (unsigned long long)n_rows);
            status = tag;
            ms = (double)(clock_now_ns() - t0) / 1e6;
        }
        NpDone done = {.status = status, .n_rows = r->has_rows ? n_rows : r->n_rows, .elapsed_ms = ms};
        *last_type = NP_DONE;
        np_put_done(last, &done);
    }
    error_clear(&stmt_err);
    cursor_close(cursor);
    return st;
}

static void *session_thread(void *arg)
{
    NativeConn *nc = arg;
    PageEncoder *pages = NULL;
    Error err = ERROR_INIT;
    if (page_encoder_create(NULL, NULL, &pages, &err) != BS_OK) {
        error_clear(&err);
        conn_abort(nc->conn);
    }
    for (;;) {
        pthread_mutex_lock(&nc->mu);
        while (!nc->has_query && nc->state != NC_CLOSED)
            pthread_cond_wait(&nc->cond, &nc->mu);
        if (nc->state == NC_CLOSED || !pages) {
            pthread_mutex_unlock(&nc->mu);
            break;
        }
        char *sql = nc->sql;
        size_t len = nc->sql_len;
        nc->sql = NULL;
        nc->has_query = false;
        pthread_mutex_unlock(&nc->mu);
        uint8_t last_type = NP_ERROR;
        Buffer last;
        buffer_init(&last);
        size_t last_start = frame_begin(&last);
        Status st = run_statement(nc, pages, sql, len, &last_type, &last, &err);
        bs_free(sql);
        /* Idle before the last message goes: the client's next QUERY may follow it at once,
           and a CANCEL from now on is not this statement's. */
        pthread_mutex_lock(&nc->mu);
        atomic_store(&nc->stop, false);
        atomic_store(&nc->session->cancel, false);
        if (nc->state == NC_RUNNING) nc->state = NC_IDLE;
        pthread_mutex_unlock(&nc->mu);
        if (st == BS_OK) st = nc_send(nc, last_type, &last, last_start, &err);
        buffer_free(&last);
        error_clear(&err);
        if (st != BS_OK) break;
    }
    page_encoder_destroy(pages);
    nc_unref(nc);
    return NULL;
}

/* ---- the loop thread ---- */

static void on_hello(NativeConn *nc, const Frame *f)
{
    Arena *arena = arena_create(NULL, NULL, 0);
    NpHello hello;
    Error e = ERROR_INIT;
    if (!arena || np_get_hello(f->payload, f->len, arena, &hello, &e) != BS_OK) {
        violation(nc, "%s", error_is_set(&e) ? e.message : "out of memory");
    } else if (hello.version != NP_PROTOCOL_VERSION) {
        violation(nc, "client speaks protocol version %u, this server %u", hello.version,
                  NP_PROTOCOL_VERSION);
    } else if (hello.vector_size != BASALT_VECTOR_SIZE) {
        violation(nc, "client pages hold %u rows, this server's %u: use a client of this build",
                  hello.vector_size, BASALT_VECTOR_SIZE);
    } else if (!(nc->session = session_create(nc->server->engine, &e))) {
        violation(nc, "%s", e.message);
    } else {
        Buffer b;
        buffer_init(&b);
        NpWelcome w = {.version = NP_PROTOCOL_VERSION,
                       .session_id = session_id(nc->session),
                       .server = BASALT_VERSION_STRING};
        np_put_welcome(&b, &w);
        if (np_send(nc->conn, NP_WELCOME, &b))
            nc->state = NC_IDLE;
        else
            conn_abort(nc->conn);
    }
    error_clear(&e);
    arena_destroy(arena);
}

static void on_query(NativeConn *nc, const Frame *f)
{
    const char *sql;
    size_t len;
    Error e = ERROR_INIT;
    if (np_get_query(f->payload, f->len, &sql, &len, &e) != BS_OK) {
        violation(nc, "%s", e.message);
        error_clear(&e);
        return;
    }
    char *copy = bs_malloc(len + 1);
    if (!copy) {
        violation(nc, "out of memory");
        return;
    }
    memcpy(copy, sql, len);
    copy[len] = '\0';
    pthread_mutex_lock(&nc->mu);
    nc->sql = copy;
    nc->sql_len = len;
    nc->has_query = true;
    nc->state = NC_RUNNING;
    pthread_cond_signal(&nc->cond);
    pthread_mutex_unlock(&nc->mu);
}

static void on_register(NativeConn *nc, const Frame *f)
{
    Arena *arena = arena_create(NULL, NULL, 0);
    NpRegister m;
    Error e = ERROR_INIT;
    if (!arena || np_get_register(f->payload, f->len, arena, &m, &e) != BS_OK) {
        violation(nc, "%s", error_is_set(&e) ? e.message : "out of memory");
    } else if (!nc->server->nodes) {
        violation(nc, "this server takes no workers");
    } else if (m.version != NP_PROTOCOL_VERSION || m.vector_size != BASALT_VECTOR_SIZE) {
        violation(nc, "worker %s speaks protocol %u with %u-row pages; this coordinator %u with "
                      "%u-row pages: run the same build",
                  m.node_id, m.version, m.vector_size, NP_PROTOCOL_VERSION, BASALT_VECTOR_SIZE);
    } else if (nodes_register(nc->server->nodes, &m, &nc->node_number, &e) != BS_OK) {
        violation(nc, "%s", e.message);
    } else {
        Buffer b;
        buffer_init(&b);
        np_put_registered(&b, nc->node_number);
        pthread_mutex_lock(&nc->mu);
        nc->state = NC_WORKER;
        pthread_mutex_unlock(&nc->mu);
        if (!np_send(nc->conn, NP_REGISTERED, &b)) {
            conn_abort(nc->conn);
        } else if (nc->server->engine->scheduler) {
            scheduler_worker_up(nc->server->engine->scheduler, nc->node_number, nc->conn,
                                m.node_id, m.address);
        }
    }
    error_clear(&e);
    arena_destroy(arena);
}

static void on_frame(Connection *conn, Frame *f, void *user)
{
    (void)conn;
    NativeConn *nc = user;
    pthread_mutex_lock(&nc->mu);
    NcState state = nc->state;
    pthread_mutex_unlock(&nc->mu);
    const char *name = np_message_name(f->type);
    switch (f->type) {
    case NP_HELLO:
        if (state == NC_NEW) {
            on_hello(nc, f);
            return;
        }
        break;
    case NP_QUERY:
        if (state == NC_IDLE) {
            on_query(nc, f);
            return;
        }
        break;
    case NP_REGISTER:
        if (state == NC_NEW) {
            on_register(nc, f);
            return;
        }
        break;
    case NP_HEARTBEAT:
        if (state == NC_WORKER) {
            NpHeartbeat hb;
            Error e = ERROR_INIT;
            if (np_get_heartbeat(f->payload, f->len, &hb, &e) != BS_OK) {
                violation(nc, "%s", e.message);
                error_clear(&e);
            } else {
                nodes_heartbeat(nc->server->nodes, nc->node_number, &hb);
            }
            return;
        }
        break;
    case NP_STOP:
    case NP_CANCEL:
        if (state == NC_RUNNING || state == NC_IDLE) {
            /* Under the lock: the thread clears the session's cancel flag under it when
               the statement ends, so a late CANCEL cannot reach the next statement. */
            pthread_mutex_lock(&nc->mu);
            if (nc->state == NC_RUNNING) {
                if (f->type == NP_STOP) atomic_store(&nc->stop, true);
                session_cancel(nc->session);
            }
            pthread_mutex_unlock(&nc->mu);
            return;
        }
        break;
    default:
        if (state == NC_WORKER && nc->server->engine->scheduler &&
            scheduler_worker_frame(nc->server->engine->scheduler, nc->node_number, f))
            return;
        name = tp_message_name(f->type);
        break;
    }
    if (!name)
        violation(nc, "unknown message type 0x%02x", f->type);
    else if (state == NC_NEW)
        violation(nc, "expected HELLO, got %s", name);
    else
        violation(nc, "unexpected %s %s", name,
                  state == NC_RUNNING ? "while a statement runs" : "now");
}

static void on_drain(Connection *conn, void *user)
{
    (void)conn;
    NativeConn *nc = user;
    pthread_mutex_lock(&nc->mu);
    pthread_cond_broadcast(&nc->cond);
    pthread_mutex_unlock(&nc->mu);
}

static void on_close(Connection *conn, const Error *err, void *user)
{
    (void)conn;
    NativeConn *nc = user;
    pthread_mutex_lock(&nc->mu);
    bool running = nc->state == NC_RUNNING;
    if (nc->state == NC_WORKER) {
        char reason[200];
        snprintf(reason, sizeof reason, "connection closed%s%s", err ? ": " : "",
                 err && err->message ? err->message : "");
        nodes_lost(nc->server->nodes, nc->node_number, reason);
        if (nc->server->engine->scheduler)
            scheduler_worker_down(nc->server->engine->scheduler, nc->node_number, reason);
    }
    nc->state = NC_CLOSED;
    if (running) session_cancel(nc->session);
    pthread_cond_broadcast(&nc->cond);
    bool thread = nc->thread_started;
    pthread_mutex_unlock(&nc->mu);
    if (!thread) nc_unref(nc); /* the thread's reference: it never ran */
    nc_unref(nc);
}

static void on_accept(Listener *listener, Connection *conn, void *user)
{
    (void)listener;
    NativeServer *srv = user;
    NativeConn *nc = bs_calloc(1, sizeof *nc);
    if (!nc) {
        conn_abort(conn);
        conn_release(conn);
        return;
    }
    nc->server = srv;
    nc->conn = conn;
    nc->state = NC_NEW;
    pthread_mutex_init(&nc->mu, NULL);
    pthread_cond_init(&nc->cond, NULL);
    atomic_init(&nc->refs, 2);
    atomic_init(&nc->stop, false);
    pthread_mutex_lock(&srv->mu);
    nc->next = srv->conns;
    if (srv->conns) srv->conns->prev = nc;
    srv->conns = nc;
    srv->n_conns++;
    bool stopping = srv->stopping;
    pthread_mutex_unlock(&srv->mu);
    conn_set_user(conn, nc);
    pthread_t thread;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (!stopping && pthread_create(&thread, &attr, session_thread, nc) == 0)
        nc->thread_started = true;
    pthread_attr_destroy(&attr);
    if (!nc->thread_started) conn_abort(conn); /* on_close frees it */
}

/* Loop thread, every NP_HEARTBEAT_MS: workers silent for too long are dropped. */
static void check_stale(LoopTimer *timer, void *user)
{
    (void)timer;
    NativeServer *srv = user;
    pthread_mutex_lock(&srv->mu);
    int n = 0;
    Connection **stale = bs_calloc((size_t)(srv->n_conns ? srv->n_conns : 1), sizeof *stale);
    for (NativeConn *nc = srv->conns; nc && stale; nc = nc->next) {
        if (nc->node_number &&
            nodes_is_stale(srv->nodes, nc->node_number, NP_NODE_TIMEOUT_MS)) {
            char reason[64];
            snprintf(reason, sizeof reason, "no heartbeat for %d ms", NP_NODE_TIMEOUT_MS);
            nodes_lost(srv->nodes, nc->node_number, reason);
            if (srv->engine->scheduler)
                scheduler_worker_down(srv->engine->scheduler, nc->node_number, reason);
            conn_retain(nc->conn);
            stale[n++] = nc->conn;
        }
    }
    pthread_mutex_unlock(&srv->mu);
    for (int k = 0; k < n; k++) {
        conn_abort(stale[k]);
        conn_release(stale[k]);
    }
    bs_free(stale);
}

static void start_timer(void *arg)
{
    NativeServer *srv = arg;
    Error err = ERROR_INIT;
    srv->stale_timer = loop_timer_create(srv->loop, check_stale, srv, &err);
    if (srv->stale_timer) loop_timer_start(srv->stale_timer, NP_HEARTBEAT_MS, NP_HEARTBEAT_MS);
    error_clear(&err);
}

static void stop_timer(void *arg)
{
    NativeServer *srv = arg;
    if (srv->stale_timer) loop_timer_close(srv->stale_timer);
    srv->stale_timer = NULL;
}

NativeServer *native_server_start(Engine *engine, NodeRegistry *nodes, EventLoop *loop,
                                  const char *host, int port, Error *err)
{
    NativeServer *srv = bs_calloc(1, sizeof *srv);
    if (!srv) {
        error_oom(err);
        return NULL;
    }
    srv->engine = engine;
    srv->nodes = nodes;
    srv->loop = loop;
    pthread_mutex_init(&srv->mu, NULL);
    pthread_cond_init(&srv->idle, NULL);
    ListenOptions opts = {
        .on_accept = on_accept,
        .user = srv,
        .callbacks = {.on_frame = on_frame, .on_drain = on_drain, .on_close = on_close},
    };
    srv->listener = listener_open(loop, host, port, &opts, err);
    if (!srv->listener) {
        pthread_mutex_destroy(&srv->mu);
        pthread_cond_destroy(&srv->idle);
        bs_free(srv);
        return NULL;
    }
    srv->port = listener_port(srv->listener);
    if (nodes) loop_call(loop, start_timer, srv);
    return srv;
}

int native_server_port(const NativeServer *srv)
{
    return srv->port;
}

static void abort_all(void *arg)
{
    NativeServer *srv = arg;
    pthread_mutex_lock(&srv->mu);
    int n = 0;
    Connection **conns = bs_calloc((size_t)(srv->n_conns ? srv->n_conns : 1), sizeof *conns);
    for (NativeConn *nc = srv->conns; nc && conns; nc = nc->next) {
        conn_retain(nc->conn);
        conns[n++] = nc->conn;
    }
    pthread_mutex_unlock(&srv->mu);
    /* Outside the lock: an abort may run on_close, which takes it. */
    for (int k = 0; k < n; k++) {
        conn_abort(conns[k]);
        conn_release(conns[k]);
    }
    bs_free(conns);
}

void native_server_stop(NativeServer *srv)
{
    if (!srv) return;
    listener_close(srv->listener);
    loop_call(srv->loop, stop_timer, srv);
    pthread_mutex_lock(&srv->mu);
    srv->stopping = true;
    pthread_mutex_unlock(&srv->mu);
    /* On the loop thread, so no on_close runs while the list is walked. */
    loop_call(srv->loop, abort_all, srv);
    pthread_mutex_lock(&srv->mu);
    while (srv->n_conns > 0)
        pthread_cond_wait(&srv->idle, &srv->mu);
    pthread_mutex_unlock(&srv->mu);
    pthread_mutex_destroy(&srv->mu);
    pthread_cond_destroy(&srv->idle);
    bs_free(srv);
}
