/*
 * conn.c — Connection: one TCP stream carrying frames, owned by an EventLoop.
 *
 * Where it sits: the exchange transport, the control plane and the native client
 * protocol each hold Connections; they hand frames to conn_send (from any thread) and
 * receive verified frames through on_frame (on the loop thread). A Connection reads into
 * a fixed buffer, feeds a FrameDecoder and delivers complete frames; it writes queued
 * frames with uv_write, counting queued bytes for back-pressure.
 *
 * States (loop thread only; every libuv call happens on the loop thread):
 *
 *   NEW         allocated; outgoing: start task queued; accepted: on_accept running
 *   RESOLVING   host name lookup on libuv's pool (connect timer armed)
 *   CONNECTING  TCP handshake in flight (connect timer armed)
 *   OPEN        reading, decoding, delivering; queued frames are written
 *   SHUTTING    conn_close: frames queued before it are written, then uv_shutdown;
 *               incoming bytes are discarded
 *   LINGER      write side shut; waiting for the peer's EOF (or the linger timer), so
 *               that closing never resets a peer still reading our last frames
 *   CLOSING     uv_close issued on every handle; waiting for their close callbacks
 *   CLOSED      on_close delivered; memory goes at the last conn_release
 *
 *   NEW -> RESOLVING -> CONNECTING -> OPEN     (numeric address: NEW -> CONNECTING)
 *   NEW -> OPEN                                (accepted)
 *   OPEN -> SHUTTING -> LINGER -> CLOSING      (conn_close; LINGER ends at peer EOF/timer)
 *   OPEN -> CLOSING                            (peer EOF at a frame boundary: clean)
 *   any -> CLOSING                             (error, conn_abort, loop shutdown)
 *   CLOSING -> CLOSED                          (all close callbacks ran: on_close)
 *
 * Other threads never change the state: conn_send, conn_close and conn_abort set fields
 * under `lock` and post the `kick` task, which the loop thread turns into state changes.
 * A posted task holds a reference, so the memory outlives it.
 */
#include "net/net_int.h"

#include "common/alloc.h"

#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

/* Bytes read from the socket per read callback. */
#define READ_BUF_SIZE ((size_t)64 << 10)
/* Frames handed to one uv_write (one writev); at most IOV_MAX. */
#define WRITE_BATCH 64

typedef enum {
    CONN_NEW,
    CONN_RESOLVING,
    CONN_CONNECTING,
    CONN_OPEN,
    CONN_SHUTTING,
    CONN_LINGER,
    CONN_CLOSING,
    CONN_CLOSED,
} ConnState;

/* One queued write: an encoded frame (or several) and its libuv request. */
typedef struct WriteItem {
    struct WriteItem *next;
    uv_write_t req;
    struct Connection *conn;
    uint8_t *data; /* inline (just past the struct) or a stolen buffer */
    size_t len;
    bool data_inline;
} WriteItem;

struct Connection {
    LoopResource res;
    EventLoop *loop;
    atomic_int refs;
    ConnCallbacks cb;
    void *user;
    ConnOptions opts;
    char peer[80]; /* immutable once the connection is handed out */
    char *host;    /* outgoing: what to resolve */
    int port;

    /* Shared with other threads, under lock. */
    pthread_mutex_t lock;
    WriteItem *out_head, *out_tail; /* queued by conn_send, not yet given to libuv */
    size_t queued;                  /* bytes in out_* and in libuv's write queue */
    bool send_closed;               /* conn_close/abort or teardown: conn_send fails */
    bool close_requested, abort_requested;
    bool torn_down; /* no more kicks */
    bool kick_posted;
    bool want_drain; /* conn_writable() turned false; on_drain owed */
    LoopTask kick;

    /* Loop thread only. */
    ConnState state;
    LoopTask start;
    LoopTask resume;
    bool resume_posted;
    uv_tcp_t tcp;
    uv_timer_t timer;
    int handles_open;
    bool resolving;
    uv_getaddrinfo_t resolve_req;
    uv_connect_t connect_req;
    uv_shutdown_t shutdown_req;
    bool shutdown_sent;
    bool reading, read_paused;
    FrameDecoder dec;
    uint8_t *read_buf;
    uint8_t *stash; /* bytes read but not yet decoded while reading was paused */
    size_t stash_len;
    Error error; /* the reason on_close reports; unset after an orderly close */
};

static void conn_pump(Connection *c);
static void conn_fail(Connection *c, Error *err);
static void conn_teardown(Connection *c);

/* ---- references and life cycle ----------------------------------------------------- */

/* Frees a chain of write items, returning how many bytes they held. */
static size_t free_items(WriteItem *item)
{
    size_t bytes = 0;
    while (item) {
        WriteItem *next = item->next;
        bytes += item->len;
        if (!item->data_inline) bs_free(item->data);
        bs_free(item);
        item = next;
    }
    return bytes;
}

void conn_retain(Connection *conn)
{
    atomic_fetch_add_explicit(&conn->refs, 1, memory_order_relaxed);
}

void conn_release(Connection *conn)
{
    if (!conn || atomic_fetch_sub_explicit(&conn->refs, 1, memory_order_acq_rel) != 1) return;
    /* The loop's reference goes only in CLOSED: no handle is open, the queue is empty. */
    free_items(conn->out_head);
    pthread_mutex_destroy(&conn->lock);
    bs_free(conn->host);
    bs_free(conn);
}

static void resource_shutdown(LoopResource *res)
{
    Connection *c = NET_CONTAINER_OF(res, Connection, res);
    Error err = ERROR_INIT;
    error_set(&err, NET_SQLSTATE_CONNECTION_FAILURE, -1,
              "connection to %s closed: the event loop is shutting down", c->peer);
    conn_fail(c, &err);
    error_clear(&err);
}

static void kick_run(LoopTask *task, EventLoop *loop);
static void resume_run(LoopTask *task, EventLoop *loop);

/* A connection with two references (the caller's and the loop's), no handles yet. */
static Connection *conn_alloc(EventLoop *loop, const ConnCallbacks *cbs, void *user,
                              const ConnOptions *opts, Error *err)
{
    Connection *c = bs_calloc(1, sizeof *c);
    if (!c) {
        error_oom(err);
        return NULL;
    }
    c->loop = loop;
    atomic_init(&c->refs, 2);
    c->cb = *cbs;
    c->user = user;
    if (opts) c->opts = *opts;
    if (!c->opts.max_frame) c->opts.max_frame = FRAME_DEFAULT_MAX_PAYLOAD;
    c->opts.max_frame = BS_MIN(c->opts.max_frame, FRAME_LIMIT_PAYLOAD);
    if (!c->opts.write_limit) c->opts.write_limit = NET_DEFAULT_WRITE_LIMIT;
    if (!c->opts.connect_timeout_ms) c->opts.connect_timeout_ms = NET_DEFAULT_CONNECT_TIMEOUT_MS;
    if (!c->opts.linger_ms) c->opts.linger_ms = NET_DEFAULT_LINGER_MS;
    c->res.shutdown = resource_shutdown;
    c->res.next = c->res.prev = &c->res;
    pthread_mutex_init(&c->lock, NULL);
    c->kick.run = kick_run;
    c->resume.run = resume_run;
    c->state = CONN_NEW;
    frame_decoder_init(&c->dec, c->opts.max_frame);
    error_init(&c->error);
    return c;
}

static void on_handle_closed(uv_handle_t *handle);

/* Loop thread: initializes the TCP and timer handles and registers with the loop. */
static Status conn_open_handles(Connection *c, Error *err)
{
    loop_add_resource(c->loop, &c->res);
    int rc = uv_tcp_init(loop_uv(c->loop), &c->tcp);
    if (rc != 0)
        return net_uv_error(err, NET_SQLSTATE_CONNECTION_FAILURE, rc,
                            "could not create a socket for %s", c->peer);
    c->tcp.data = c;
    c->handles_open++;
    rc = uv_timer_init(loop_uv(c->loop), &c->timer);
    if (rc != 0)
        return net_uv_error(err, NET_SQLSTATE_CONNECTION_FAILURE, rc,
                            "could not create a timer for %s", c->peer);
    c->timer.data = c;
    c->handles_open++;
    return BS_OK;
}

/* Loop thread: once every handle is closed, reports on_close and drops the loop's ref. */
static void conn_maybe_finish(Connection *c)
{
    if (c->state != CONN_CLOSING || c->handles_open > 0 || c->resolving) return;
    c->state = CONN_CLOSED;
    if (c->res.next != &c->res) loop_remove_resource(c->loop, &c->res);
    frame_decoder_free(&c->dec);
    bs_free(c->read_buf);
    c->read_buf = NULL;
    bs_free(c->stash);
    c->stash = NULL;
    if (c->cb.on_close) c->cb.on_close(c, error_is_set(&c->error) ? &c->error : NULL, c->user);
    error_clear(&c->error);
    conn_release(c);
}

static void on_handle_closed(uv_handle_t *handle)
{
    Connection *c = handle->data;
    c->handles_open--;
    conn_maybe_finish(c);
}

/* Loop thread: closes every handle; on_close follows from the last close callback.
 * Writes in libuv's queue are cancelled (their callbacks run first, with ECANCELED). */
static void conn_teardown(Connection *c)
{
    if (c->state >= CONN_CLOSING) return;
    c->state = CONN_CLOSING;
    pthread_mutex_lock(&c->lock);
    c->send_closed = true;
    c->torn_down = true;
    WriteItem *pending = c->out_head;
    c->out_head = c->out_tail = NULL;
    c->queued -= free_items(pending);
    pthread_mutex_unlock(&c->lock);
    if (c->handles_open > 0) {
        /* handles_open counts only initialized handles; the tcp handle comes first. */
        if (!uv_is_closing((uv_handle_t *)&c->tcp))
            uv_close((uv_handle_t *)&c->tcp, on_handle_closed);
        if (c->handles_open > 1 && !uv_is_closing((uv_handle_t *)&c->timer))
            uv_close((uv_handle_t *)&c->timer, on_handle_closed);
    }
    if (c->resolving) uv_cancel((uv_req_t *)&c->resolve_req);
    conn_maybe_finish(c);
}

/* Loop thread: records err as the reason (the first one wins) and tears down. */
static void conn_fail(Connection *c, Error *err)
{
    if (c->state >= CONN_CLOSING) return;
    if (!error_is_set(&c->error)) error_move(&c->error, err);
    conn_teardown(c);
}

/* Loop thread: conn_fail with a libuv status. */
static void conn_fail_uv(Connection *c, const char *sqlstate, int status, const char *what)
{
    Error err = ERROR_INIT;
    net_uv_error(&err, sqlstate, status, "%s %s", what, c->peer);
    conn_fail(c, &err);
    error_clear(&err);
}

/* ---- reading ----------------------------------------------------------------------- */

static void on_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
    (void)suggested;
    Connection *c = handle->data;
    *buf = uv_buf_init((char *)c->read_buf, (unsigned)READ_BUF_SIZE);
}

/* Loop thread: decodes bytes and delivers frames while the connection is OPEN and
 * reading is not paused; bytes left when reading pauses are stashed for resume. */
static void conn_consume(Connection *c, const uint8_t *data, size_t len)
{
    while (c->state == CONN_OPEN) {
        if (c->read_paused) {
            if (len == 0) return;
            uint8_t *stash = bs_malloc(len);
            if (!stash) {
                Error err = ERROR_INIT;
                error_oom(&err);
                conn_fail(c, &err);
                error_clear(&err);
                return;
            }
            memcpy(stash, data, len);
            bs_free(c->stash);
            c->stash = stash;
            c->stash_len = len;
            return;
        }
        Frame frame = {0};
        bool got = false;
        Error err = ERROR_INIT;
        if (frame_decoder_feed(&c->dec, &data, &len, &frame, &got, &err) != BS_OK) {
            error_prefix(&err, "connection to %s", c->peer);
            conn_fail(c, &err);
            error_clear(&err);
            return;
        }
        if (!got) return;
        c->cb.on_frame(c, &frame, c->user);
        frame_release(&frame);
    }
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
    (void)buf;
    Connection *c = stream->data;
    if (nread == 0 || c->state >= CONN_CLOSING) return;
    if (nread == UV_EOF) {
        if (c->state == CONN_OPEN) {
            /* The peer is done. Between frames that is an orderly close; inside one,
             * the last frame was cut short. */
            Error err = ERROR_INIT;
            if (frame_decoder_finish(&c->dec, &err) != BS_OK) {
                error_prefix(&err, "connection to %s", c->peer);
                conn_fail(c, &err);
                error_clear(&err);
                return;
            }
        }
        conn_teardown(c);
        return;
    }
    if (nread < 0) {
        if (c->state == CONN_LINGER) {
            conn_teardown(c); /* our frames were all sent; the peer reset on its way out */
        } else {
            conn_fail_uv(c, NET_SQLSTATE_CONNECTION_FAILURE, (int)nread, "lost connection to");
        }
        return;
    }
    if (c->state != CONN_OPEN) return; /* closing: incoming frames are discarded */
    conn_consume(c, c->read_buf, (size_t)nread);
}

/* Loop thread: starts reading if the state wants it and it is not running. */
static void conn_read_start(Connection *c)
{
    if (c->reading || c->state < CONN_OPEN || c->state >= CONN_CLOSING) return;
    int rc = uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
    if (rc != 0) {
        conn_fail_uv(c, NET_SQLSTATE_CONNECTION_FAILURE, rc, "could not read from");
        return;
    }
    c->reading = true;
}

static void conn_read_stop(Connection *c)
{
    if (!c->reading) return;
    uv_read_stop((uv_stream_t *)&c->tcp);
    c->reading = false;
}

void conn_pause_reading(Connection *conn)
{
    assert(loop_is_current(conn->loop));
    if (conn->read_paused) return;
    conn->read_paused = true;
    if (conn->state == CONN_OPEN) conn_read_stop(conn);
}

void conn_resume_reading(Connection *conn)
{
    assert(loop_is_current(conn->loop));
    if (!conn->read_paused) return;
    conn->read_paused = false;
    if (conn->state != CONN_OPEN) return;
    if (conn->stash) {
        /* Decode the stash from a task of its own: resume may be called from inside
         * on_frame, and frames must not be delivered re-entrantly. */
        if (!conn->resume_posted) {
            conn->resume_posted = true;
            conn_retain(conn);
            loop_post(conn->loop, &conn->resume);
        }
        return;
    }
    conn_read_start(conn);
}

static void resume_run(LoopTask *task, EventLoop *loop)
{
    (void)loop;
    Connection *c = NET_CONTAINER_OF(task, Connection, resume);
    c->resume_posted = false;
    if (c->state == CONN_OPEN && !c->read_paused) {
        uint8_t *stash = c->stash;
        size_t stash_len = c->stash_len;
        c->stash = NULL;
        c->stash_len = 0;
        if (stash) conn_consume(c, stash, stash_len);
        bs_free(stash);
        if (!c->read_paused) conn_read_start(c);
    }
    conn_release(c);
}

/* ---- writing ----------------------------------------------------------------------- */

static void on_written(uv_write_t *req, int status)
{
    WriteItem *item = NET_CONTAINER_OF(req, WriteItem, req);
    Connection *c = item->conn;
    size_t bytes = free_items(item); /* the whole batch */
    pthread_mutex_lock(&c->lock);
    c->queued -= bytes;
    bool drained = c->want_drain && c->queued <= c->opts.write_limit / 2;
    if (drained) c->want_drain = false;
    pthread_mutex_unlock(&c->lock);
    if (c->state >= CONN_CLOSING) return;
    if (status < 0) {
        conn_fail_uv(c, NET_SQLSTATE_CONNECTION_FAILURE, status, "could not send to");
        return;
    }
    if (drained && c->cb.on_drain) c->cb.on_drain(c, c->user);
}

/* The connection's one timer: the connect timeout, then the linger deadline. */
static void on_timer(uv_timer_t *timer)
{
    Connection *c = timer->data;
    if (c->state == CONN_RESOLVING || c->state == CONN_CONNECTING) {
        Error err = ERROR_INIT;
        error_set(&err, NET_SQLSTATE_UNABLE_TO_CONNECT, -1,
                  "could not connect to %s: timed out after %llu ms", c->peer,
                  (unsigned long long)c->opts.connect_timeout_ms);
        conn_fail(c, &err);
        error_clear(&err);
    } else if (c->state == CONN_LINGER) {
        conn_teardown(c); /* everything was sent; the peer is slow to hang up */
    }
}

static void on_shutdown(uv_shutdown_t *req, int status)
{
    Connection *c = req->data;
    if (c->state >= CONN_CLOSING) return;
    if (status < 0) {
        conn_fail_uv(c, NET_SQLSTATE_CONNECTION_FAILURE, status, "could not finish sending to");
        return;
    }
    c->state = CONN_LINGER;
    uv_timer_start(&c->timer, on_timer, c->opts.linger_ms, 0);
}

/* Loop thread: hands queued frames to libuv, then acts on close/abort requests. Runs
 * after every kick, once connected, and when an accepted connection starts. */
static void conn_pump(Connection *c)
{
    if (c->state >= CONN_CLOSING) return;
    pthread_mutex_lock(&c->lock);
    bool abort = c->abort_requested;
    bool close = c->close_requested;
    bool can_write = c->state == CONN_OPEN || (c->state == CONN_SHUTTING && !c->shutdown_sent);
    WriteItem *list = NULL;
    if (!abort && can_write) {
        list = c->out_head;
        c->out_head = c->out_tail = NULL;
    }
    pthread_mutex_unlock(&c->lock);
    if (abort) {
        conn_teardown(c);
        return;
    }
    while (list) {
        /* Up to WRITE_BATCH frames go out in one uv_write (one writev); the first item's
         * request carries the batch, chained through `next`, and on_written frees it. */
        uv_buf_t bufs[WRITE_BATCH];
        unsigned n_bufs = 0;
        WriteItem *first = list, *last = list;
        while (list && n_bufs < WRITE_BATCH) {
            bufs[n_bufs].base = (char *)list->data;
            bufs[n_bufs].len = list->len; /* size_t: may exceed 4 GiB */
            n_bufs++;
            last = list;
            list = list->next;
        }
        last->next = NULL;
        int rc = uv_write(&first->req, (uv_stream_t *)&c->tcp, bufs, n_bufs, on_written);
        if (rc != 0) {
            last->next = list;
            size_t bytes = free_items(first);
            pthread_mutex_lock(&c->lock);
            c->queued -= bytes;
            pthread_mutex_unlock(&c->lock);
            conn_fail_uv(c, NET_SQLSTATE_CONNECTION_FAILURE, rc, "could not send to");
            return;
        }
    }
    if (close && c->state == CONN_OPEN) {
        /* Frames queued before conn_close are in libuv's queue now; uv_shutdown waits
         * for them, then sends FIN. Until the peer's EOF, incoming bytes are dropped. */
        c->state = CONN_SHUTTING;
        bs_free(c->stash);
        c->stash = NULL;
        c->stash_len = 0;
        c->shutdown_req.data = c;
        int rc = uv_shutdown(&c->shutdown_req, (uv_stream_t *)&c->tcp, on_shutdown);
        if (rc != 0) {
            conn_fail_uv(c, NET_SQLSTATE_CONNECTION_FAILURE, rc, "could not close");
            return;
        }
        c->shutdown_sent = true;
        conn_read_start(c);
    }
}

/* ---- the thread-safe side: sending, closing ----------------------------------------- */

/* Under c->lock: makes sure a kick is on its way to the loop thread. */
static void schedule_kick_locked(Connection *c)
{
    if (c->kick_posted || c->torn_down) return;
    c->kick_posted = true;
    conn_retain(c); /* the queued task's reference */
    /* Posting under the lock orders it before teardown marks torn_down, which happens
     * before the loop stops taking posts. */
    loop_post(c->loop, &c->kick);
}

static void kick_run(LoopTask *task, EventLoop *loop)
{
    (void)loop;
    Connection *c = NET_CONTAINER_OF(task, Connection, kick);
    pthread_mutex_lock(&c->lock);
    c->kick_posted = false;
    pthread_mutex_unlock(&c->lock);
    conn_pump(c);
    conn_release(c);
}

/* Queues an item (taking it in every case). */
static Status conn_enqueue(Connection *c, WriteItem *item, Error *err)
{
    item->conn = c;
    item->next = NULL;
    pthread_mutex_lock(&c->lock);
    if (c->send_closed) {
        pthread_mutex_unlock(&c->lock);
        free_items(item);
        return error_set(err, NET_SQLSTATE_CONNECTION_DOES_NOT_EXIST, -1,
                         "connection to %s is closed", c->peer);
    }
    if (c->out_tail)
        c->out_tail->next = item;
    else
        c->out_head = item;
    c->out_tail = item;
    c->queued += item->len;
    if (c->queued >= c->opts.write_limit) c->want_drain = true;
    schedule_kick_locked(c);
    pthread_mutex_unlock(&c->lock);
    return BS_OK;
}

static Status too_large(const Connection *c, size_t len, Error *err)
{
    return error_set(err, SQLSTATE_PROGRAM_LIMIT, -1,
                     "frame payload of %zu bytes exceeds the limit of %zu bytes for %s", len,
                     c->opts.max_frame, c->peer);
}

Status conn_send(Connection *conn, uint8_t type, uint16_t flags, const void *payload, size_t len,
                 Error *err)
{
    if (len > conn->opts.max_frame) return too_large(conn, len, err);
    WriteItem *item = bs_malloc(sizeof *item + FRAME_HEADER_SIZE + len);
    if (!item) return error_oom(err);
    memset(item, 0, sizeof *item);
    item->data = (uint8_t *)(item + 1);
    item->data_inline = true;
    item->len = FRAME_HEADER_SIZE + len;
    /* Encode in place through a Buffer that already has the room, so the layout is
     * written by frame.c alone. */
    Buffer view = {.data = item->data, .len = 0, .cap = item->len, .failed = false};
    if (frame_encode(&view, type, flags, payload, len, err) != BS_OK) {
        bs_free(item);
        return BS_ERROR;
    }
    return conn_enqueue(conn, item, err);
}

Status conn_send_buffer(Connection *conn, Buffer *encoded, Error *err)
{
    bool failed = !buffer_ok(encoded);
    size_t len;
    uint8_t *data = buffer_steal(encoded, &len);
    if (failed) {
        bs_free(data);
        return error_oom(err);
    }
    /* Our own encoder made these bytes, but a frame the peer would refuse is better
     * refused here, where the sender can be told. */
    for (size_t off = 0; off < len;) {
        if (len - off < FRAME_HEADER_SIZE || memcmp(data + off, FRAME_MAGIC, 4) != 0 ||
            data[off + 4] != FRAME_VERSION) {
            bs_free(data);
            return error_set(err, SQLSTATE_INVALID_PARAMETER, -1,
                             "conn_send_buffer: the buffer does not hold encoded frames "
                             "(bad header at byte %zu)",
                             off);
        }
        size_t payload = load_u32le(data + off + 8);
        if (payload > conn->opts.max_frame) {
            bs_free(data);
            return too_large(conn, payload, err);
        }
        if (payload > len - off - FRAME_HEADER_SIZE) {
            bs_free(data);
            return error_set(err, SQLSTATE_INVALID_PARAMETER, -1,
                             "conn_send_buffer: the last frame of the buffer is incomplete");
        }
        off += FRAME_HEADER_SIZE + payload;
    }
    if (len == 0) {
        bs_free(data);
        return BS_OK;
    }
    WriteItem *item = bs_calloc(1, sizeof *item);
    if (!item) {
        bs_free(data);
        return error_oom(err);
    }
    item->data = data;
    item->len = len;
    return conn_enqueue(conn, item, err);
}

bool conn_writable(Connection *conn)
{
    pthread_mutex_lock(&conn->lock);
    bool writable = conn->queued < conn->opts.write_limit;
    pthread_mutex_unlock(&conn->lock);
    return writable;
}

size_t conn_queued_bytes(Connection *conn)
{
    pthread_mutex_lock(&conn->lock);
    size_t queued = conn->queued;
    pthread_mutex_unlock(&conn->lock);
    return queued;
}

/* Sets a request flag and gets the loop thread to act on it: at once when called on
 * the loop thread (so no further frame is delivered), through a kick otherwise. */
static void conn_request(Connection *conn, bool abort)
{
    pthread_mutex_lock(&conn->lock);
    conn->send_closed = true;
    if (abort)
        conn->abort_requested = true;
    else
        conn->close_requested = true;
    bool direct = loop_is_current(conn->loop);
    if (!direct) schedule_kick_locked(conn);
    pthread_mutex_unlock(&conn->lock);
    if (direct) conn_pump(conn);
}

void conn_close(Connection *conn)
{
    conn_request(conn, false);
}

void conn_abort(Connection *conn)
{
    conn_request(conn, true);
}

void conn_set_user(Connection *conn, void *user)
{
    assert(loop_is_current(conn->loop));
    conn->user = user;
}

void *conn_user(const Connection *conn)
{
    return conn->user;
}

const char *conn_peer(const Connection *conn)
{
    return conn->peer;
}

/* ---- establishing ------------------------------------------------------------------- */

/* Loop thread: the socket is connected (or accepted): start reading and writing. */
static void conn_become_open(Connection *c)
{
    uv_timer_stop(&c->timer);
    c->read_buf = bs_malloc(READ_BUF_SIZE);
    if (!c->read_buf) {
        Error err = ERROR_INIT;
        error_oom(&err);
        conn_fail(c, &err);
        error_clear(&err);
        return;
    }
    uv_tcp_nodelay(&c->tcp, 1); /* frames are whole messages: do not wait to coalesce */
    c->state = CONN_OPEN;
    if (!c->read_paused) conn_read_start(c);
}

static void on_connected(uv_connect_t *req, int status)
{
    Connection *c = req->data;
    if (status == UV_ECANCELED || c->state >= CONN_CLOSING) return;
    if (status < 0) {
        conn_fail_uv(c, NET_SQLSTATE_UNABLE_TO_CONNECT, status, "could not connect to");
        return;
    }
    conn_become_open(c);
    if (c->state != CONN_OPEN) return;
    if (c->cb.on_connect) c->cb.on_connect(c, c->user);
    conn_pump(c);
}

static void conn_do_connect(Connection *c, const struct sockaddr *addr)
{
    c->state = CONN_CONNECTING;
    c->connect_req.data = c;
    int rc = uv_tcp_connect(&c->connect_req, &c->tcp, addr, on_connected);
    if (rc != 0) conn_fail_uv(c, NET_SQLSTATE_UNABLE_TO_CONNECT, rc, "could not connect to");
}

static void on_resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
    Connection *c = req->data;
    c->resolving = false;
    if (c->state >= CONN_CLOSING) {
        uv_freeaddrinfo(res);
        conn_maybe_finish(c);
        return;
    }
    if (status < 0) {
        Error err = ERROR_INIT;
        net_uv_error(&err, NET_SQLSTATE_UNABLE_TO_CONNECT, status,
                     "could not connect to %s: could not resolve host \"%s\"", c->peer, c->host);
        conn_fail(c, &err);
        error_clear(&err);
        uv_freeaddrinfo(res);
        return;
    }
    const struct addrinfo *pick = net_pick_addr(res);
    if (!pick) {
        Error err = ERROR_INIT;
        error_set(&err, NET_SQLSTATE_UNABLE_TO_CONNECT, -1,
                  "could not connect to %s: host \"%s\" has no IPv4 or IPv6 address", c->peer,
                  c->host);
        conn_fail(c, &err);
        error_clear(&err);
    } else {
        struct sockaddr_storage addr;
        memset(&addr, 0, sizeof addr);
        memcpy(&addr, pick->ai_addr, BS_MIN((size_t)pick->ai_addrlen, sizeof addr));
        conn_do_connect(c, (const struct sockaddr *)&addr);
    }
    uv_freeaddrinfo(res);
}

static void start_run(LoopTask *task, EventLoop *loop)
{
    Connection *c = NET_CONTAINER_OF(task, Connection, start);
    Error err = ERROR_INIT;
    if (loop_is_stopping(loop)) {
        error_set(&err, NET_SQLSTATE_UNABLE_TO_CONNECT, -1,
                  "could not connect to %s: the event loop is shutting down", c->peer);
    } else if (conn_open_handles(c, &err) == BS_OK) {
        uv_timer_start(&c->timer, on_timer, c->opts.connect_timeout_ms, 0);
        struct sockaddr_storage addr;
        if (net_parse_numeric(c->host, c->port, &addr)) {
            conn_do_connect(c, (const struct sockaddr *)&addr);
            return;
        }
        char port[16];
        snprintf(port, sizeof port, "%d", c->port);
        struct addrinfo hints;
        memset(&hints, 0, sizeof hints);
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        c->resolve_req.data = c;
        c->state = CONN_RESOLVING;
        int rc = uv_getaddrinfo(loop_uv(loop), &c->resolve_req, on_resolved, c->host, port, &hints);
        if (rc == 0) {
            c->resolving = true;
            return;
        }
        net_uv_error(&err, NET_SQLSTATE_UNABLE_TO_CONNECT, rc,
                     "could not connect to %s: could not resolve host \"%s\"", c->peer, c->host);
    }
    conn_fail(c, &err);
    error_clear(&err);
}

Connection *conn_connect(EventLoop *loop, const char *host, int port,
                         const ConnCallbacks *callbacks, void *user, const ConnOptions *opts,
                         Error *err)
{
    if (!host || !*host || strlen(host) > 255 || port <= 0 || port > 65535 || !callbacks ||
        !callbacks->on_frame) {
        error_set(err, SQLSTATE_INVALID_PARAMETER, -1,
                  "conn_connect: need a host name (at most 255 bytes), a port in 1..65535 "
                  "and an on_frame callback");
        return NULL;
    }
    Connection *c = conn_alloc(loop, callbacks, user, opts, err);
    if (!c) return NULL;
    c->host = bs_strdup(host);
    if (!c->host) {
        frame_decoder_free(&c->dec);
        pthread_mutex_destroy(&c->lock);
        bs_free(c);
        error_oom(err);
        return NULL;
    }
    c->port = port;
    if (strchr(host, ':') && host[0] != '[')
        snprintf(c->peer, sizeof c->peer, "[%s]:%d", host, port);
    else
        snprintf(c->peer, sizeof c->peer, "%s:%d", host, port);
    c->start.run = start_run;
    loop_post(loop, &c->start);
    return c;
}

Connection *conn_accept_from(EventLoop *loop, uv_stream_t *server, const ConnCallbacks *cbs,
                             void *user, const ConnOptions *opts, bool *consumed, Error *err)
{
    *consumed = false;
    Connection *c = conn_alloc(loop, cbs, user, opts, err);
    if (!c) return NULL;
    snprintf(c->peer, sizeof c->peer, "(accepted connection)");
    if (conn_open_handles(c, err) == BS_OK) {
        int rc = uv_accept(server, (uv_stream_t *)&c->tcp);
        *consumed = true; /* uv_accept takes the pending socket, even when it fails */
        if (rc == 0) {
            struct sockaddr_storage addr;
            int addr_len = sizeof addr;
            if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&addr, &addr_len) == 0)
                net_format_addr((const struct sockaddr *)&addr, c->peer, sizeof c->peer);
            return c;
        }
        net_uv_error(err, NET_SQLSTATE_CONNECTION_FAILURE, rc, "could not accept a connection");
    }
    /* Nobody has seen this connection: close it silently and drop the caller's ref. */
    c->cb.on_close = NULL;
    conn_teardown(c);
    conn_release(c);
    return NULL;
}

void conn_start_accepted(Connection *conn)
{
    assert(loop_is_current(conn->loop));
    if (conn->state != CONN_NEW) return; /* aborted inside on_accept */
    conn_become_open(conn);
    conn_pump(conn);
}
