/*
 * client.c — the native protocol's client library (client.h): a blocking TCP socket, net/'s
 * frame codec, and storage/'s page decoder for the rows.
 *
 * A client is in one of these states:
 *
 *   IDLE      no statement; basalt_query sends QUERY            → WAIT_COLUMNS
 *   WAIT_COLUMNS  COLUMNS → ROWS;  ERROR → IDLE (statement failed)
 *   ROWS      PAGE → a chunk;  DONE → IDLE (done set);  ERROR → IDLE
 *             basalt_end sends STOP and reads to DONE or ERROR   → IDLE
 *   DEAD      the connection is lost or broke the protocol: every call fails 08003
 *
 * Cancel: basalt_cancel writes a byte to a pipe (async-signal-safe); every wait polls that
 * pipe with the socket and, while a statement runs, turns the byte into a CANCEL frame.
 * Bytes left from before a statement are drained when it starts, so a late Ctrl-C cannot
 * cancel the next statement.
 */
#include "net/client.h"

#include "common/alloc.h"
#include "common/arena.h"
#include "common/buffer.h"
#include "common/threadpool.h"
#include "net/native_proto.h"
#include "net/net.h"
#include "storage/storage.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define CLIENT_SERVER_VERSION_MAX 64
#define CLIENT_READ_SIZE          (64 * 1024)

typedef enum ClientState { CS_IDLE, CS_WAIT_COLUMNS, CS_ROWS, CS_DEAD } ClientState;

struct BasaltClient {
    int fd;
    int cancel_pipe[2]; /* [1] written by basalt_cancel, [0] polled */
    ClientState state;
    FrameDecoder decoder;
    uint8_t *inbuf; /* bytes read and not yet fed to the decoder */
    size_t in_pos, in_len;
    uint64_t session_id;
    char server_version[CLIENT_SERVER_VERSION_MAX];
    Arena *stmt_arena; /* the current statement's columns, done, chunk */
    BasaltColumns columns;
    BasaltDone done;
    bool has_done;
    PageDecoder *pages;
    Chunk *chunk;
};

/* ---- sockets ---- */

static int64_t now_ms(void)
{
    return clock_now_ns() / 1000000;
}

/* Connects fd to one address within the deadline (non-blocking connect, then poll). */
static int connect_one(const struct addrinfo *ai, int64_t deadline, int *out_errno)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
        *out_errno = errno;
        return -1;
    }
    int flags = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    int rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
        struct pollfd p = {.fd = fd, .events = POLLOUT};
        for (;;) {
            int64_t left = deadline - now_ms();
            if (left <= 0) {
                *out_errno = ETIMEDOUT;
                close(fd);
                return -1;
            }
            rc = poll(&p, 1, (int)left);
            if (rc < 0 && errno == EINTR) continue;
            break;
        }
        int so_error = 0;
        socklen_t len = sizeof so_error;
        if (rc <= 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len) != 0 || so_error) {
            *out_errno = rc == 0 ? ETIMEDOUT : so_error ? so_error : errno;
            close(fd);
            return -1;
        }
    } else if (rc != 0) {
        *out_errno = errno;
        close(fd);
        return -1;
    }
    fcntl(fd, F_SETFL, flags);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static Status open_socket(const char *host, int port, uint64_t timeout_ms, int *out, Error *err)
{
    if (!host || !*host || port <= 0 || port > 65535)
        return error_set(err, SQLSTATE_INVALID_PARAMETER, -1, "invalid server address %s:%d",
                         host ? host : "", port);
    char port_text[16];
    snprintf(port_text, sizeof port_text, "%d", port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    int rc = getaddrinfo(host, port_text, &hints, &res);
    if (rc != 0)
        return error_set(err, NET_SQLSTATE_UNABLE_TO_CONNECT, -1,
                         "could not translate host name \"%s\" to an address: %s", host,
                         gai_strerror(rc));
    int64_t deadline = now_ms() + (int64_t)timeout_ms;
    int fd = -1, last_errno = 0;
    /* IPv4 first, as net/'s connections do. */
    for (int pass = 0; pass < 2 && fd < 0; pass++)
        for (const struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next)
            if ((ai->ai_family == AF_INET) == (pass == 0)) fd = connect_one(ai, deadline, &last_errno);
    freeaddrinfo(res);
    if (fd < 0)
        return error_set(err, NET_SQLSTATE_UNABLE_TO_CONNECT, -1,
                         "could not connect to server at %s:%d: %s", host, port,
                         strerror(last_errno));
    *out = fd;
    return BS_OK;
}

/* The connection is unusable from now on: err gets why (unless it has an error). */
static Status die(BasaltClient *c, Error *err, const char *sqlstate, const char *fmt, ...)
    BS_PRINTF(4, 5);
static Status die(BasaltClient *c, Error *err, const char *sqlstate, const char *fmt, ...)
{
    c->state = CS_DEAD;
    if (c->fd >= 0) {
        close(c->fd);
        c->fd = -1;
    }
    va_list ap;
    va_start(ap, fmt);
    error_setv(err, sqlstate, -1, fmt, ap);
    va_end(ap);
    return BS_ERROR;
}

static Status dead_error(Error *err)
{
    return error_set(err, NET_SQLSTATE_CONNECTION_DOES_NOT_EXIST,
                     -1, "no connection to the server");
}

static void drain_cancels(BasaltClient *c)
{
    char junk[64];
    while (read(c->cancel_pipe[0], junk, sizeof junk) > 0) {
    }
}

static Status send_all(BasaltClient *c, const uint8_t *data, size_t len, Error *err)
{
    while (len > 0) {
        ssize_t n = send(c->fd, data, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0)
            return die(c, err, NET_SQLSTATE_CONNECTION_FAILURE, "connection to server lost: %s",
                       strerror(errno));
        data += n;
        len -= (size_t)n;
    }
    return BS_OK;
}

static Status send_frame(BasaltClient *c, uint8_t type, const Buffer *payload, Error *err)
{
    Buffer b;
    buffer_init(&b);
    Status st = frame_encode(&b, type, 0, payload ? payload->data : NULL, payload ? payload->len : 0,
                             err);
    if (st == BS_OK) st = send_all(c, b.data, b.len, err);
    buffer_free(&b);
    return st;
}

/*
 * Waits for the next frame. While a statement runs, a byte on the cancel pipe becomes a
 * CANCEL frame. A closed or broken connection kills the client.
 */
static Status read_frame(BasaltClient *c, Frame *frame, Error *err)
{
    memset(frame, 0, sizeof *frame);
    for (;;) {
        if (c->in_pos < c->in_len) {
            const uint8_t *p = c->inbuf + c->in_pos;
            size_t left = c->in_len - c->in_pos;
            bool got = false;
            Error e = ERROR_INIT;
            Status st = frame_decoder_feed(&c->decoder, &p, &left, frame, &got, &e);
            c->in_pos = c->in_len - left;
            if (st != BS_OK) {
                die(c, err, e.sqlstate, "bad data from server: %s", e.message);
                error_clear(&e);
                return BS_ERROR;
            }
            if (got) return BS_OK;
            continue;
        }
        struct pollfd p[2] = {{.fd = c->fd, .events = POLLIN},
                              {.fd = c->cancel_pipe[0], .events = POLLIN}};
        int rc = poll(p, 2, -1);
        if (rc < 0) {
            if (errno == EINTR) continue;
            return die(c, err, NET_SQLSTATE_CONNECTION_FAILURE, "poll failed: %s", strerror(errno));
        }
        if (p[1].revents & POLLIN) {
            drain_cancels(c);
            if (c->state == CS_WAIT_COLUMNS || c->state == CS_ROWS)
                BS_TRY(send_frame(c, NP_CANCEL, NULL, err));
        }
        if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        ssize_t n = recv(c->fd, c->inbuf, CLIENT_READ_SIZE, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n == 0)
            return die(c, err, NET_SQLSTATE_CONNECTION_FAILURE,
                       "server closed the connection unexpectedly");
        if (n < 0)
            return die(c, err, NET_SQLSTATE_CONNECTION_FAILURE, "connection to server lost: %s",
                       strerror(errno));
        c->in_pos = 0;
        c->in_len = (size_t)n;
    }
}

static Status unexpected(BasaltClient *c, const Frame *f, const char *when, Error *err)
{
    const char *name = np_message_name(f->type);
    char code[8];
    snprintf(code, sizeof code, "0x%02x", f->type);
    return die(c, err, SQLSTATE_PROTOCOL_VIOLATION, "server sent %s %s", name ? name : code, when);
}

/* ---- the API ---- */

Status basalt_connect(const char *host, int port, const BasaltOptions *opts, BasaltClient **out,
                      Error *err)
{
    *out = NULL;
    BasaltClient *c = bs_calloc(1, sizeof *c);
    if (!c) return error_oom(err);
    c->fd = -1;
    c->cancel_pipe[0] = c->cancel_pipe[1] = -1;
    frame_decoder_init(&c->decoder, FRAME_LIMIT_PAYLOAD); /* pages of long strings */
    c->inbuf = bs_malloc(CLIENT_READ_SIZE);
    c->stmt_arena = arena_create(NULL, NULL, 0);
    Status st = c->inbuf && c->stmt_arena ? BS_OK : error_oom(err);
    if (st == BS_OK && pipe2(c->cancel_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
        st = error_set(err, SQLSTATE_IO_ERROR, -1, "could not create a pipe: %s", strerror(errno));
    if (st == BS_OK) st = page_decoder_create(NULL, &c->pages, err);
    uint64_t timeout = opts && opts->connect_timeout_ms ? opts->connect_timeout_ms : 10000;
    if (st == BS_OK) st = open_socket(host, port, timeout, &c->fd, err);
    if (st == BS_OK) {
        Buffer b;
        buffer_init(&b);
        NpHello hello = {.version = NP_PROTOCOL_VERSION,
                         .vector_size = BASALT_VECTOR_SIZE,
                         .client = opts && opts->client_name ? opts->client_name : "basalt-client"};
        np_put_hello(&b, &hello);
        st = buffer_ok(&b) ? send_frame(c, NP_HELLO, &b, err) : error_oom(err);
        buffer_free(&b);
    }
    Frame f = {0};
    if (st == BS_OK) st = read_frame(c, &f, err);
    if (st == BS_OK && f.type == NP_ERROR) {
        Error e = ERROR_INIT;
        st = np_get_error(f.payload, f.len, &e, err);
        if (st == BS_OK) {
            error_move(err, &e);
            st = BS_ERROR;
        }
    } else if (st == BS_OK && f.type != NP_WELCOME) {
        st = unexpected(c, &f, "instead of WELCOME", err);
    } else if (st == BS_OK) {
        NpWelcome w;
        st = np_get_welcome(f.payload, f.len, c->stmt_arena, &w, err);
        if (st == BS_OK && w.version != NP_PROTOCOL_VERSION)
            st = error_set(err, SQLSTATE_PROTOCOL_VIOLATION, -1,
                           "server speaks protocol version %u, this client %u", w.version,
                           NP_PROTOCOL_VERSION);
        if (st == BS_OK) {
            c->session_id = w.session_id;
            snprintf(c->server_version, sizeof c->server_version, "%s", w.server);
        }
    }
    frame_release(&f);
    arena_reset(c->stmt_arena);
    if (st != BS_OK) {
        basalt_disconnect(c);
        return BS_ERROR;
    }
    c->state = CS_IDLE;
    *out = c;
    return BS_OK;
}

void basalt_disconnect(BasaltClient *c)
{
    if (!c) return;
    if (c->fd >= 0) close(c->fd);
    if (c->cancel_pipe[0] >= 0) close(c->cancel_pipe[0]);
    if (c->cancel_pipe[1] >= 0) close(c->cancel_pipe[1]);
    frame_decoder_free(&c->decoder);
    if (c->chunk) chunk_destroy(c->chunk);
    page_decoder_destroy(c->pages);
    arena_destroy(c->stmt_arena);
    bs_free(c->inbuf);
    bs_free(c);
}

uint64_t basalt_session_id(const BasaltClient *c)
{
    return c->session_id;
}

const char *basalt_server_version(const BasaltClient *c)
{
    return c->server_version;
}

void basalt_cancel(BasaltClient *c)
{
    if (!c || c->cancel_pipe[1] < 0) return;
    char one = 1;
    ssize_t rc = write(c->cancel_pipe[1], &one, 1); /* a full pipe already asks to cancel */
    (void)rc;
}

/* An ERROR frame ends the statement; err gets the server's error. */
static Status statement_error(BasaltClient *c, const Frame *f, Error *err)
{
    c->state = CS_IDLE;
    Error e = ERROR_INIT;
    if (np_get_error(f->payload, f->len, &e, err) != BS_OK) {
        c->state = CS_DEAD;
        return BS_ERROR;
    }
    error_move(err, &e);
    return BS_ERROR;
}

Status basalt_query(BasaltClient *c, const char *sql, size_t len, const BasaltColumns **cols,
                    Error *err)
{
    *cols = NULL;
    if (c->state == CS_ROWS) {
        Error ignored = ERROR_INIT;
        basalt_end(c, &ignored);
        error_clear(&ignored);
    }
    if (c->state == CS_DEAD) return dead_error(err);
    if (c->chunk) {
        chunk_destroy(c->chunk);
        c->chunk = NULL;
    }
    arena_reset(c->stmt_arena);
    c->has_done = false;
    drain_cancels(c);
    Buffer b;
    buffer_init(&b);
    buffer_put_lstring(&b, sql, len);
    Status st = buffer_ok(&b) ? send_frame(c, NP_QUERY, &b, err) : error_oom(err);
    buffer_free(&b);
    BS_TRY(st);
    c->state = CS_WAIT_COLUMNS;
    Frame f;
    BS_TRY(read_frame(c, &f, err));
    if (f.type == NP_ERROR) {
        st = statement_error(c, &f, err);
    } else if (f.type != NP_COLUMNS) {
        st = unexpected(c, &f, "instead of COLUMNS", err);
    } else {
        NpColumns m;
        st = np_get_columns(f.payload, f.len, c->stmt_arena, &m, err);
        c->columns = (BasaltColumns){.has_rows = m.has_rows,
                                     .n_cols = m.n_cols,
                                     .names = m.names,
                                     .types = m.types,
                                     .time_zone = m.time_zone};
        if (st == BS_OK && c->columns.has_rows) {
            c->chunk = chunk_create(NULL, c->columns.types, c->columns.n_cols, err);
            if (!c->chunk) st = BS_ERROR;
        }
        if (st != BS_OK)
            c->state = CS_DEAD;
        else
            c->state = CS_ROWS;
    }
    frame_release(&f);
    if (st == BS_OK) *cols = &c->columns;
    return st;
}

Status basalt_next(BasaltClient *c, const Chunk **out, Error *err)
{
    *out = NULL;
    if (c->state == CS_IDLE) return BS_OK;
    if (c->state != CS_ROWS) return dead_error(err);
    for (;;) {
        Frame f;
        BS_TRY(read_frame(c, &f, err));
        Status st = BS_OK;
        if (f.type == NP_PAGE && c->chunk) {
            Error e = ERROR_INIT;
            st = page_decode(c->pages, f.payload, f.len, c->columns.types, c->columns.n_cols,
                             c->chunk, &e);
            if (st != BS_OK) {
                die(c, err, SQLSTATE_PROTOCOL_VIOLATION, "bad page from server: %s", e.message);
                error_clear(&e);
            } else if (c->chunk->n_rows > 0) {
                *out = c->chunk;
            }
        } else if (f.type == NP_DONE) {
            NpDone m;
            st = np_get_done(f.payload, f.len, c->stmt_arena, &m, err);
            c->done = (BasaltDone){.status = m.status, .n_rows = m.n_rows, .elapsed_ms = m.elapsed_ms};
            c->state = st == BS_OK ? CS_IDLE : CS_DEAD;
            c->has_done = st == BS_OK;
            frame_release(&f);
            return st;
        } else if (f.type == NP_ERROR) {
            st = statement_error(c, &f, err);
        } else {
            st = unexpected(c, &f, "while sending rows", err);
        }
        frame_release(&f);
        if (st != BS_OK || *out) return st;
    }
}

const BasaltDone *basalt_done(const BasaltClient *c)
{
    return c->has_done ? &c->done : NULL;
}

Status basalt_end(BasaltClient *c, Error *err)
{
    if (c->state == CS_IDLE) return BS_OK;
    if (c->state != CS_ROWS) return dead_error(err);
    BS_TRY(send_frame(c, NP_STOP, NULL, err));
    for (;;) {
        const Chunk *chunk;
        BS_TRY(basalt_next(c, &chunk, err));
        if (!chunk) return BS_OK;
    }
}
