/*
 * net.h — the network layer's public API: event loops, framing, TCP connections.
 *
 * net/ moves frames and pages; it knows no plans and no SQL. The distributed runtime
 * (exchange transport, coordinator <-> worker control plane) and the client protocols
 * are built on the three pieces declared here:
 *
 *   EventLoop   a libuv loop on its own thread. Other threads talk to it by posting
 *               LoopTasks (embedded nodes, so posting never fails) or by loop_call.
 *   Frame       a length-prefixed, versioned, checksummed message (layout below), with
 *               an encoder into a Buffer and an incremental decoder that trusts nothing.
 *   Connection  a TCP stream that decodes incoming bytes into frames and queues frames
 *               to write, reporting back-pressure; Listener accepts them.
 *
 * Threading: every callback (on_frame, on_close, on_accept, timers, posted tasks) runs
 * on the loop thread. Functions marked "any thread" may be called from anywhere; the
 * others only on the loop thread (from a callback or a posted task). Only the loop
 * thread ever touches a libuv handle.
 */
#ifndef BASALT_NET_NET_H
#define BASALT_NET_NET_H

#include "common/basics.h"
#include "common/buffer.h"
#include "common/error.h"

/* Connection exceptions (PostgreSQL's class 08) that common/error.h does not define. */
#define NET_SQLSTATE_CONNECTION_EXCEPTION      "08000"
#define NET_SQLSTATE_CONNECTION_DOES_NOT_EXIST "08003"
#define NET_SQLSTATE_CONNECTION_FAILURE        "08006"
#define NET_SQLSTATE_UNABLE_TO_CONNECT         "08001"

/* ------------------------------------------------------------------------------------ */
/* Frames                                                                               */
/* ------------------------------------------------------------------------------------ */

/*
 * Frame layout (all integers little-endian), a 24-byte header then the payload:
 *
 *   offset size  field
 *        0    4  magic         'B' 'S' 'L' 'T'
 *        4    1  version       FRAME_VERSION (1)
 *        5    1  type          message type; owned by the protocol above net/
 *        6    2  flags         owned by the protocol above net/ (passed through untouched)
 *        8    4  length        payload bytes (0 allowed), at most the receiver's maximum
 *       12    8  checksum      XXH64 (seed 0) of the payload bytes
 *       20    4  header check  low 32 bits of XXH64 (seed 0) of header bytes 0..19
 *       24    *  payload
 *
 * The decoder checks magic and version as soon as their bytes arrive (so a client
 * speaking HTTP or the PostgreSQL protocol to this port is refused at once), the header
 * check once the header is complete (so a damaged length is caught before the decoder
 * waits for bytes that will never come, and damaged type or flags are caught at all),
 * the length against its maximum before it buffers any payload, and the checksum once
 * the payload is complete. What type and flags mean is for the protocol above to check.
 */
#define FRAME_HEADER_SIZE 24
#define FRAME_MAGIC       "BSLT"
#define FRAME_VERSION     1
/* Default largest payload a decoder accepts (per connection, configurable). */
#define FRAME_DEFAULT_MAX_PAYLOAD ((size_t)64 << 20)
/* The largest payload the 32-bit length field can describe. */
#define FRAME_LIMIT_PAYLOAD ((size_t)UINT32_MAX)

/* One decoded frame. payload is bs_malloc'd and owned by whoever holds the Frame; it is
 * NULL when len is 0. */
typedef struct Frame {
    uint8_t type;
    uint16_t flags;
    uint32_t len;
    uint8_t *payload;
} Frame;

/* Frees the payload (if any) and zeroes the frame. Safe on a zeroed frame. */
void frame_release(Frame *frame);

/*
 * Appends one complete frame (header and a copy of payload) to buf. payload may be NULL
 * when len is 0. Returns BS_OK; on failure returns BS_ERROR with err set — 54000 when
 * len exceeds FRAME_LIMIT_PAYLOAD, 53200 when buf cannot grow — and buf's length is
 * restored to what it was (buf->failed stays set after an allocation failure).
 */
Status frame_encode(Buffer *buf, uint8_t type, uint16_t flags, const void *payload, size_t len,
                    Error *err);

/*
 * Two-step encoding for payloads serialized straight into the buffer (no copy):
 * frame_begin appends a placeholder header and returns its offset; the caller appends the
 * payload; frame_end fills in the header for everything appended after it. frame_end
 * fails like frame_encode (and restores buf->len to `start`).
 */
size_t frame_begin(Buffer *buf);
Status frame_end(Buffer *buf, size_t start, uint8_t type, uint16_t flags, Error *err);

/* Decoder states: HEADER (collecting the 24 header bytes; magic and version are checked
 * as they arrive) -> PAYLOAD (collecting `length` bytes; skipped when length is 0) ->
 * a frame is returned and the decoder is back in HEADER. Any violation -> FAILED, which
 * is final: every later call returns the same error. */
typedef enum { FRAME_DEC_HEADER, FRAME_DEC_PAYLOAD, FRAME_DEC_FAILED } FrameDecState;

/* An incremental frame decoder. Embed it anywhere; the fields are private. */
typedef struct FrameDecoder {
    FrameDecState state;
    size_t max_payload;
    uint8_t header[FRAME_HEADER_SIZE];
    size_t header_len; /* header bytes collected */
    uint8_t type;
    uint16_t flags;
    uint32_t len;      /* declared payload length */
    uint64_t checksum; /* declared checksum */
    uint8_t *payload;  /* grows with the bytes that arrive, never beyond len */
    size_t payload_len, payload_cap;
    uint64_t n_frames; /* frames decoded so far, for messages */
    Error error;       /* set in FRAME_DEC_FAILED */
} FrameDecoder;

/* Prepares a decoder that accepts payloads up to max_payload bytes (0: the default,
 * FRAME_DEFAULT_MAX_PAYLOAD; values above FRAME_LIMIT_PAYLOAD are clamped to it). */
void frame_decoder_init(FrameDecoder *dec, size_t max_payload);
/* Releases a partly collected payload and the stored error. */
void frame_decoder_free(FrameDecoder *dec);

/*
 * Consumes bytes from *data (advancing *data and decreasing *len) until one frame is
 * complete or the input runs out. Returns BS_OK with *got_frame true and *frame filled
 * (the caller owns frame->payload) when a frame completed — call again with the rest of
 * the input; BS_OK with *got_frame false when all input was consumed without completing
 * a frame. Returns BS_ERROR with err set (SQLSTATE 08P01 for a protocol violation, 53200
 * when out of memory) when the input is invalid; the decoder is then FAILED for good.
 */
Status frame_decoder_feed(FrameDecoder *dec, const uint8_t **data, size_t *len, Frame *frame,
                          bool *got_frame, Error *err);

/* At end of input: BS_OK when the decoder sits between frames; otherwise BS_ERROR with
 * 08P01 "truncated frame" (or the decoder's earlier error). */
Status frame_decoder_finish(FrameDecoder *dec, Error *err);

/* True when no partial frame is buffered (and the decoder has not failed). */
bool frame_decoder_at_boundary(const FrameDecoder *dec);

/* ------------------------------------------------------------------------------------ */
/* Event loop                                                                           */
/* ------------------------------------------------------------------------------------ */

typedef struct EventLoop EventLoop;

/* A unit of work for the loop thread, embedded in its owner so posting never allocates.
 * A task may be posted again once its run has started. */
typedef struct LoopTask {
    struct LoopTask *next;
    void (*run)(struct LoopTask *task, EventLoop *loop);
} LoopTask;

/*
 * Creates a loop and starts its thread (named `name`, at most 15 characters are kept).
 * Returns NULL with err set (53200, or 58030 naming the libuv failure) on failure.
 */
EventLoop *loop_create(const char *name, Error *err);

/*
 * Stops the loop: closes every listener and timer, aborts every open connection (their
 * on_close gets 08006 "event loop is shutting down"), runs the tasks already posted,
 * joins the thread and frees the loop. Call from any thread but the loop's own, once,
 * after every other thread has stopped posting to it. Connections the caller still holds
 * a reference to stay valid (closed) until conn_release.
 */
void loop_destroy(EventLoop *loop);

/* Any thread: queues task to run on the loop thread, in posting order. Never fails. */
void loop_post(EventLoop *loop, LoopTask *task);

/* Any thread: runs fn(arg) on the loop thread and returns when it has returned. Called
 * on the loop thread itself, runs fn at once. */
void loop_call(EventLoop *loop, void (*fn)(void *arg), void *arg);

/* Any thread: true when the caller is this loop's thread. */
bool loop_is_current(const EventLoop *loop);

/* Loop thread: the loop's clock in milliseconds (cached at each loop iteration). */
uint64_t loop_now_ms(const EventLoop *loop);

typedef struct LoopTimer LoopTimer;
typedef void (*LoopTimerFn)(LoopTimer *timer, void *user);

/* Loop thread: a stopped timer that calls fn(timer, user) when it fires. NULL with err
 * set when out of memory. The loop closes it at loop_destroy if the owner has not. */
LoopTimer *loop_timer_create(EventLoop *loop, LoopTimerFn fn, void *user, Error *err);
/* Loop thread: (re)arms the timer: first after timeout_ms, then every repeat_ms (0: once). */
void loop_timer_start(LoopTimer *timer, uint64_t timeout_ms, uint64_t repeat_ms);
/* Loop thread: disarms the timer; it can be started again. */
void loop_timer_stop(LoopTimer *timer);
/* Loop thread: stops the timer and frees it once libuv is done with it (it never fires
 * again, even if closed from its own callback). */
void loop_timer_close(LoopTimer *timer);

/* ------------------------------------------------------------------------------------ */
/* Connections                                                                          */
/* ------------------------------------------------------------------------------------ */

typedef struct Connection Connection;
typedef struct Listener Listener;

/* What a connection reports. All run on the loop thread; all but on_frame are optional. */
typedef struct ConnCallbacks {
    /* An outgoing connection is established (not called for accepted ones). */
    void (*on_connect)(Connection *conn, void *user);
    /* A complete, verified frame. The callee may take frame->payload (set it to NULL);
     * whatever it leaves is freed when the callback returns. */
    void (*on_frame)(Connection *conn, Frame *frame, void *user);
    /* Queued bytes fell to half the write limit after conn_writable() had been false. */
    void (*on_drain)(Connection *conn, void *user);
    /* Called exactly once, last: err is NULL after an orderly close (by either side) and
     * the reason otherwise (08001 could not connect, 08006 connection lost, 08P01
     * protocol violation, 53200 out of memory). No callback follows it. */
    void (*on_close)(Connection *conn, const Error *err, void *user);
} ConnCallbacks;

typedef struct ConnOptions {
    size_t max_frame;            /* largest incoming payload; 0: FRAME_DEFAULT_MAX_PAYLOAD */
    size_t write_limit;          /* queued bytes at which conn_writable() turns false;
                                    0: NET_DEFAULT_WRITE_LIMIT */
    uint64_t connect_timeout_ms; /* 0: NET_DEFAULT_CONNECT_TIMEOUT_MS */
    uint64_t linger_ms;          /* after conn_close, how long to wait for the peer to
                                    close its side; 0: NET_DEFAULT_LINGER_MS */
} ConnOptions;

#define NET_DEFAULT_WRITE_LIMIT        ((size_t)8 << 20)
#define NET_DEFAULT_CONNECT_TIMEOUT_MS 10000
#define NET_DEFAULT_LINGER_MS          5000

/*
 * Any thread: starts connecting to host:port (a numeric IPv4/IPv6 address or a name,
 * resolved on libuv's thread pool, IPv4 preferred). Returns the connection with one
 * reference owned by the caller (conn_release it); frames may be sent at once and are
 * written once connected. A failure to connect is reported through on_close. Returns
 * NULL with err set only for bad arguments (22023) or no memory (53200). `callbacks` is
 * copied; `opts` may be NULL for defaults.
 */
Connection *conn_connect(EventLoop *loop, const char *host, int port,
                         const ConnCallbacks *callbacks, void *user, const ConnOptions *opts,
                         Error *err);

/*
 * Any thread: queues one frame (a copy of payload) for writing. Returns BS_OK when queued
 * — check conn_writable() for back-pressure; BS_ERROR with err set when the connection
 * is closing or closed (08003), the payload is larger than the connection's max_frame
 * (54000), or out of memory (53200).
 */
Status conn_send(Connection *conn, uint8_t type, uint16_t flags, const void *payload, size_t len,
                 Error *err);

/*
 * Any thread: queues bytes already encoded with frame_encode / frame_begin+frame_end,
 * without copying: the buffer's memory is taken and *encoded is left empty, whether or
 * not the call succeeds. Fails like conn_send.
 */
Status conn_send_buffer(Connection *conn, Buffer *encoded, Error *err);

/* Any thread: false while the queued bytes are at or above the write limit. */
bool conn_writable(Connection *conn);
/* Any thread: bytes queued and not yet written to the socket. */
size_t conn_queued_bytes(Connection *conn);

/*
 * Any thread: orderly close. No more frames are accepted by conn_send; those already
 * queued are written, then the write side is shut down and the connection waits (up to
 * linger_ms) for the peer to close its side. Incoming frames are no longer delivered —
 * called on the loop thread (from on_frame, say), not even those already read. on_close
 * follows. Idempotent; safe after the connection has closed.
 */
void conn_close(Connection *conn);
/* Any thread: immediate close; queued frames are dropped. on_close(NULL) follows. */
void conn_abort(Connection *conn);

/* Loop thread: stop or restart reading (receive-side back-pressure). */
void conn_pause_reading(Connection *conn);
void conn_resume_reading(Connection *conn);

/* Loop thread: the user pointer passed to the callbacks (accepted connections start with
 * the listener's). */
void conn_set_user(Connection *conn, void *user);
void *conn_user(const Connection *conn);
/* Any thread: "host:port" of the peer, valid while a reference is held. */
const char *conn_peer(const Connection *conn);

/* Any thread: reference counting. The last release frees the connection's memory; it
 * does not close it (close first). */
void conn_retain(Connection *conn);
void conn_release(Connection *conn);

typedef struct ListenOptions {
    /* Called for each accepted connection with one reference the callee owns (release it,
     * e.g. in on_close). Required. Reading starts when it returns. */
    void (*on_accept)(Listener *listener, Connection *conn, void *user);
    void *user;              /* for on_accept, and the accepted connections' user */
    ConnCallbacks callbacks; /* for accepted connections; on_connect is unused */
    ConnOptions conn_opts;   /* for accepted connections (zeros: defaults) */
    int backlog;             /* 0: 128 */
} ListenOptions;

/*
 * Any thread: listens on host:port (port 0: the system picks one; see listener_port).
 * Blocks until the socket is listening; a host name (rather than a numeric address) is
 * resolved on the calling thread, so prefer numeric addresses on the loop thread. Returns NULL with
 * err set on failure (22023 bad arguments, 58030 naming the address and the system's reason, 53200
 * out of memory).
 */
Listener *listener_open(EventLoop *loop, const char *host, int port, const ListenOptions *opts,
                        Error *err);
/* Any thread: the port the listener is bound to. */
int listener_port(const Listener *listener);
/* Any thread: stops accepting; when it returns, on_accept will not be called again. The
 * listener is freed by the loop; do not use it afterwards. Accepted connections stay. */
void listener_close(Listener *listener);

#endif
