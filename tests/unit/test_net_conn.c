/*
 * Unit tests: Connection and Listener over loopback (net/conn.c, net/listen.c) —
 * frames both ways in order (including multi-megabyte ones), close from either side,
 * connection errors, hostile peers on raw sockets, back-pressure, senders on many
 * threads, and loop shutdown with connections open. Every wait has a deadline, so a
 * frame that never arrives fails the test instead of hanging it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/alloc.h"
#include "common/threadpool.h"
#include "net/net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define WAIT_MS     30000
#define MAX_SENDERS 4
#define TYPE_EMPTY  200
#define BIG_SEQ     7
#define BIG_LEN     (((size_t)5 << 20) + 3)

/* ---- the test's view of one end of a connection ---------------------------------------- */

typedef struct Peer {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    Connection *conn; /* the test's reference */
    /* Written on the loop thread under lock, read by the test under lock. */
    int frames, empties, bad, closes, connects, drains, accepts;
    size_t bytes;
    char close_state[6];
    char close_msg[512];
    int next_seq[MAX_SENDERS];
    /* Behaviour. */
    int n_senders;          /* senders whose streams this peer receives */
    int send_on_accept;     /* server: frames to send from on_accept */
    bool close_after_send;  /* server: conn_close after those */
    bool pause_on_accept;   /* server: start with reading paused */
    bool pause_each_frame;  /* pause after every frame, resume from a posted task */
    bool big;               /* streams include one BIG_LEN frame */
    int close_after_frames; /* conn_close from on_frame after this many frames */
    EventLoop *loop;
    LoopTask resume_task;
    bool resume_posted; /* loop thread only */
} Peer;

static void peer_init(Peer *p, EventLoop *loop)
{
    memset(p, 0, sizeof *p);
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->cond, NULL);
    p->n_senders = 1;
    p->loop = loop;
}

static void peer_destroy(Peer *p)
{
    conn_release(p->conn);
    pthread_cond_destroy(&p->cond);
    pthread_mutex_destroy(&p->lock);
}

/* Waits until *field (a counter of p) reaches target; false at the deadline. */
static bool peer_wait(Peer *p, const int *field, int target)
{
    int64_t deadline = clock_now_ns() + (int64_t)WAIT_MS * 1000000;
    pthread_mutex_lock(&p->lock);
    while (*field < target && clock_now_ns() < deadline) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 20 * 1000000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&p->cond, &p->lock, &ts);
    }
    bool ok = *field >= target;
    pthread_mutex_unlock(&p->lock);
    return ok;
}

static int peer_get(Peer *p, const int *field)
{
    pthread_mutex_lock(&p->lock);
    int v = *field;
    pthread_mutex_unlock(&p->lock);
    return v;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

/* ---- the frame streams ---------------------------------------------------------------- */

static size_t payload_len(int seq, bool big)
{
    if (big && seq == BIG_SEQ) return BIG_LEN;
    if (seq % 13 == 0) return 100000 + (size_t)seq;
    return 8 + (size_t)(seq * 37) % 2000;
}

static uint8_t content_byte(int sender, int seq, size_t k)
{
    return (uint8_t)(seq * 131 + sender * 17 + k * 7 + (k >> 9));
}

static void fill_payload(uint8_t *p, size_t len, int sender, int seq)
{
    store_u32le(p, (uint32_t)sender);
    store_u32le(p + 4, (uint32_t)seq);
    for (size_t k = 8; k < len; k++)
        p[k] = content_byte(sender, seq, k);
}

/* Sends an empty frame, then n numbered frames from `sender`. Any thread. */
static void send_stream(Connection *conn, int sender, int n, bool big)
{
    Error err = ERROR_INIT;
    if (conn_send(conn, TYPE_EMPTY, 0, NULL, 0, &err) != BS_OK) fail_msg("send: %s", err.message);
    uint8_t *buf = bs_malloc(BIG_LEN);
    assert_non_null(buf);
    for (int seq = 0; seq < n; seq++) {
        size_t len = payload_len(seq, big);
        fill_payload(buf, len, sender, seq);
        if (conn_send(conn, (uint8_t)seq == TYPE_EMPTY ? 1 : (uint8_t)seq,
                      (uint16_t)(seq * 3 + sender), buf, len, &err) != BS_OK)
            fail_msg("send: %s", err.message);
    }
    bs_free(buf);
}

/* Loop thread: checks a frame against the stream it should belong to. */
static bool frame_ok(Peer *p, const Frame *f)
{
    if (f->len < 8 || !f->payload) return false;
    uint32_t sender = load_u32le(f->payload), seq = load_u32le(f->payload + 4);
    if (sender >= (uint32_t)p->n_senders) return false;
    if ((int)seq != p->next_seq[sender]) return false;
    p->next_seq[sender]++;
    if (f->len != payload_len((int)seq, p->big)) return false;
    if (f->type != ((uint8_t)seq == TYPE_EMPTY ? 1 : (uint8_t)seq)) return false;
    if (f->flags != (uint16_t)(seq * 3 + sender)) return false;
    for (size_t k = 8; k < f->len; k++)
        if (f->payload[k] != content_byte((int)sender, (int)seq, k)) return false;
    return true;
}

static void resume_run(LoopTask *task, EventLoop *loop)
{
    (void)loop;
    Peer *p = (Peer *)((char *)task - offsetof(Peer, resume_task));
    p->resume_posted = false;
    pthread_mutex_lock(&p->lock);
    Connection *conn = p->conn;
    pthread_mutex_unlock(&p->lock);
    conn_resume_reading(conn);
}

static void on_frame(Connection *conn, Frame *frame, void *user)
{
    Peer *p = user;
    bool empty = frame->type == TYPE_EMPTY && frame->len == 0 && frame->payload == NULL;
    bool ok = empty || frame_ok(p, frame);
    pthread_mutex_lock(&p->lock);
    if (empty)
        p->empties++;
    else
        p->frames++;
    if (!ok) p->bad++;
    p->bytes += frame->len;
    pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->lock);
    /* Keep one payload to check that taking it is allowed (and then freed by us). */
    if (frame->len == BIG_LEN) {
        uint8_t *mine = frame->payload;
        frame->payload = NULL;
        bs_free(mine);
    }
    pthread_mutex_lock(&p->lock);
    bool close_now = p->close_after_frames && p->frames + p->empties == p->close_after_frames;
    pthread_mutex_unlock(&p->lock);
    if (close_now) conn_close(conn);
    if (p->pause_each_frame) {
        conn_pause_reading(conn);
        if (!p->resume_posted) {
            p->resume_posted = true;
            loop_post(p->loop, &p->resume_task);
        }
    }
}

static void on_close(Connection *conn, const Error *err, void *user)
{
    (void)conn;
    Peer *p = user;
    pthread_mutex_lock(&p->lock);
    p->closes++;
    if (err) {
        snprintf(p->close_state, sizeof p->close_state, "%s", err->sqlstate);
        snprintf(p->close_msg, sizeof p->close_msg, "%s", err->message ? err->message : "");
    }
    pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->lock);
}

static void on_connect(Connection *conn, void *user)
{
    (void)conn;
    Peer *p = user;
    pthread_mutex_lock(&p->lock);
    p->connects++;
    pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->lock);
}

static void on_drain(Connection *conn, void *user)
{
    (void)conn;
    Peer *p = user;
    pthread_mutex_lock(&p->lock);
    p->drains++;
    pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->lock);
}

static void on_accept(Listener *listener, Connection *conn, void *user)
{
    (void)listener;
    Peer *p = user;
    pthread_mutex_lock(&p->lock);
    assert_null(p->conn); /* each test accepts one connection per server peer */
    p->conn = conn;       /* the reference on_accept hands over */
    p->accepts++;
    pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->lock);
    p->resume_task.run = resume_run;
    if (p->pause_on_accept) conn_pause_reading(conn);
    if (p->send_on_accept) send_stream(conn, 0, p->send_on_accept, p->big);
    if (p->close_after_send) conn_close(conn);
}

static const ConnCallbacks callbacks = {
    .on_connect = on_connect, .on_frame = on_frame, .on_drain = on_drain, .on_close = on_close};

static EventLoop *make_loop(void)
{
    Error err = ERROR_INIT;
    EventLoop *loop = loop_create("test-conn", &err);
    if (!loop) fail_msg("loop_create: %s", err.message);
    return loop;
}

static Listener *listen_local(EventLoop *loop, Peer *server, const ConnOptions *opts)
{
    ListenOptions lo = {.on_accept = on_accept, .user = server, .callbacks = callbacks};
    if (opts) lo.conn_opts = *opts;
    Error err = ERROR_INIT;
    Listener *l = listener_open(loop, "127.0.0.1", 0, &lo, &err);
    if (!l) fail_msg("listener_open: %s", err.message);
    assert_true(listener_port(l) > 0);
    return l;
}

static Connection *connect_local(EventLoop *loop, int port, Peer *client, const ConnOptions *opts)
{
    Error err = ERROR_INIT;
    Connection *c = conn_connect(loop, "127.0.0.1", port, &callbacks, client, opts, &err);
    if (!c) fail_msg("conn_connect: %s", err.message);
    client->conn = c;
    client->resume_task.run = resume_run;
    return c;
}

/* A loop and one or two fresh peers on it (client may be NULL). */
static EventLoop *start_pair(Peer *server, Peer *client)
{
    EventLoop *loop = make_loop();
    peer_init(server, loop);
    if (client) peer_init(client, loop);
    return loop;
}

/* Closes the listener (if any), destroys the loop, then drops the peers' references. */
static void finish(EventLoop *loop, Listener *l, Peer *server, Peer *client)
{
    if (l) listener_close(l);
    loop_destroy(loop);
    peer_destroy(server);
    if (client) peer_destroy(client);
}

/* conn_close, then both ends must report their close. */
static void close_and_wait(Connection *c, Peer *server, Peer *client)
{
    conn_close(c);
    assert_true(peer_wait(server, &server->closes, 1));
    assert_true(peer_wait(client, &client->closes, 1));
}

/* ---- tests ---------------------------------------------------------------------------- */

/* Frames both ways, in order, then a close by `client_closes` ? client : server. */
static void exchange_and_close(bool client_closes, bool pause_each_frame)
{
    const int n = 600;
    Peer server, client;
    EventLoop *loop = start_pair(&server, &client);
    server.send_on_accept = n;
    server.big = client.big = true;
    server.pause_each_frame = client.pause_each_frame = pause_each_frame;
    Listener *l = listen_local(loop, &server, NULL);
    Connection *c = connect_local(loop, listener_port(l), &client, NULL);
    send_stream(c, 0, n, true); /* queued before the connection is even established */
    assert_true(peer_wait(&server, &server.frames, n));
    assert_true(peer_wait(&client, &client.frames, n));
    assert_int_equal(peer_get(&server, &server.bad), 0);
    assert_int_equal(peer_get(&client, &client.bad), 0);
    assert_int_equal(peer_get(&server, &server.empties), 1);
    assert_int_equal(peer_get(&client, &client.empties), 1);
    assert_int_equal(peer_get(&client, &client.connects), 1);
    assert_int_equal(peer_get(&server, &server.connects), 0); /* accepted: no on_connect */
    assert_int_equal(peer_get(&server, &server.accepts), 1);
    pthread_mutex_lock(&server.lock);
    Connection *server_conn = server.conn;
    pthread_mutex_unlock(&server.lock);
    char want_peer[32];
    snprintf(want_peer, sizeof want_peer, "127.0.0.1:%d", listener_port(l));
    assert_string_equal(conn_peer(c), want_peer);
    assert_non_null(strstr(conn_peer(server_conn), "127.0.0.1:"));

    conn_close(client_closes ? c : server_conn);
    assert_true(peer_wait(&client, &client.closes, 1));
    assert_true(peer_wait(&server, &server.closes, 1));
    sleep_ms(50);
    assert_int_equal(peer_get(&client, &client.closes), 1);
    assert_int_equal(peer_get(&server, &server.closes), 1);
    assert_string_equal(client.close_state, ""); /* orderly on both sides */
    assert_string_equal(server.close_state, "");
    /* Sending on a closed connection is refused, not lost silently. */
    Error err = ERROR_INIT;
    assert_int_equal(conn_send(c, 1, 0, "x", 1, &err), BS_ERROR);
    assert_string_equal(err.sqlstate, NET_SQLSTATE_CONNECTION_DOES_NOT_EXIST);
    assert_non_null(strstr(err.message, "is closed"));
    error_clear(&err);
    conn_close(c); /* idempotent after close */
    conn_abort(c);
    finish(loop, l, &server, &client);
}

static void test_exchange_client_closes(void **state)
{
    (void)state;
    exchange_and_close(true, false);
}

static void test_exchange_server_closes(void **state)
{
    (void)state;
    exchange_and_close(false, false);
}

static void test_exchange_paused_after_each_frame(void **state)
{
    (void)state;
    exchange_and_close(true, true);
}

static void test_server_sends_then_closes(void **state)
{
    (void)state;
    /* Everything queued before conn_close reaches the peer before it sees the close. */
    Peer server, client;
    EventLoop *loop = start_pair(&server, &client);
    server.send_on_accept = 300;
    server.close_after_send = true;
    Listener *l = listen_local(loop, &server, NULL);
    connect_local(loop, listener_port(l), &client, NULL);
    assert_true(peer_wait(&client, &client.closes, 1));
    assert_int_equal(peer_get(&client, &client.frames), 300);
    assert_int_equal(peer_get(&client, &client.bad), 0);
    assert_string_equal(client.close_state, "");
    assert_true(peer_wait(&server, &server.closes, 1));
    assert_string_equal(server.close_state, "");
    finish(loop, l, &server, &client);
}

typedef struct SenderArg {
    Connection *conn;
    int sender, n;
} SenderArg;

static void *sender_main(void *arg)
{
    SenderArg *sa = arg;
    send_stream(sa->conn, sa->sender, sa->n, false);
    return NULL;
}

static void test_senders_on_many_threads(void **state)
{
    (void)state;
    const int n = 1500;
    Peer server, client;
    EventLoop *loop = start_pair(&server, &client);
    server.n_senders = MAX_SENDERS;
    Listener *l = listen_local(loop, &server, NULL);
    Connection *c = connect_local(loop, listener_port(l), &client, NULL);
    pthread_t threads[MAX_SENDERS];
    SenderArg args[MAX_SENDERS];
    for (int t = 0; t < MAX_SENDERS; t++) {
        args[t] = (SenderArg){.conn = c, .sender = t, .n = n};
        assert_int_equal(pthread_create(&threads[t], NULL, sender_main, &args[t]), 0);
    }
    for (int t = 0; t < MAX_SENDERS; t++)
        pthread_join(threads[t], NULL);
    assert_true(peer_wait(&server, &server.frames, n * MAX_SENDERS));
    assert_int_equal(peer_get(&server, &server.empties), MAX_SENDERS);
    assert_int_equal(peer_get(&server, &server.bad), 0); /* each thread's frames in order */
    close_and_wait(c, &server, &client);
    finish(loop, l, &server, &client);
}

static void test_connect_refused(void **state)
{
    (void)state;
    Peer server, client;
    EventLoop *loop = start_pair(&server, &client);
    Listener *l = listen_local(loop, &server, NULL);
    int port = listener_port(l);
    listener_close(l); /* nothing listens on `port` any more */
    Connection *c = connect_local(loop, port, &client, NULL);
    Error err = ERROR_INIT;
    assert_int_equal(conn_send(c, 1, 0, "queued", 6, &err), BS_OK);
    assert_true(peer_wait(&client, &client.closes, 1));
    assert_int_equal(peer_get(&client, &client.connects), 0);
    assert_string_equal(client.close_state, NET_SQLSTATE_UNABLE_TO_CONNECT);
    char want[64];
    snprintf(want, sizeof want, "could not connect to 127.0.0.1:%d", port);
    if (!strstr(client.close_msg, want) || !strstr(client.close_msg, "refused"))
        fail_msg("unexpected message: %s", client.close_msg);
    assert_int_equal(conn_queued_bytes(c), 0); /* the queued frame was dropped */
    sleep_ms(20);
    assert_int_equal(peer_get(&client, &client.closes), 1);
    finish(loop, NULL, &server, &client);
}

static void test_connect_by_name_and_bad_arguments(void **state)
{
    (void)state;
    Peer server, client;
    EventLoop *loop = start_pair(&server, &client);
    Listener *l = listen_local(loop, &server, NULL);
    Error err = ERROR_INIT;
    client.conn =
        conn_connect(loop, "localhost", listener_port(l), &callbacks, &client, NULL, &err);
    assert_non_null(client.conn);
    assert_true(peer_wait(&client, &client.connects, 1));
    char want_peer[32];
    snprintf(want_peer, sizeof want_peer, "localhost:%d", listener_port(l));
    assert_string_equal(conn_peer(client.conn), want_peer);
    assert_true(peer_wait(&server, &server.accepts, 1));

    /* Unknown host: reported through on_close, as any connection failure. */
    Peer nowhere;
    peer_init(&nowhere, loop);
    nowhere.conn =
        conn_connect(loop, "no-such-host.invalid", 7070, &callbacks, &nowhere, NULL, &err);
    assert_non_null(nowhere.conn);
    assert_true(peer_wait(&nowhere, &nowhere.closes, 1));
    assert_string_equal(nowhere.close_state, NET_SQLSTATE_UNABLE_TO_CONNECT);
    assert_non_null(strstr(nowhere.close_msg, "could not resolve host \"no-such-host.invalid\""));

    /* Refused at once: bad port, missing on_frame, bad listen address. */
    assert_null(conn_connect(loop, "127.0.0.1", 0, &callbacks, NULL, NULL, &err));
    assert_string_equal(err.sqlstate, SQLSTATE_INVALID_PARAMETER);
    error_clear(&err);
    ConnCallbacks no_frame = {0};
    assert_null(conn_connect(loop, "127.0.0.1", 80, &no_frame, NULL, NULL, &err));
    assert_string_equal(err.sqlstate, SQLSTATE_INVALID_PARAMETER);
    error_clear(&err);
    ListenOptions lo = {.on_accept = on_accept, .user = &server, .callbacks = callbacks};
    assert_null(listener_open(loop, "127.0.0.1", listener_port(l), &lo, &err));
    assert_string_equal(err.sqlstate, SQLSTATE_IO_ERROR);
    assert_non_null(strstr(err.message, "could not listen on 127.0.0.1:"));
    assert_non_null(strstr(err.message, "address already in use"));
    error_clear(&err);
    /* Listening by name resolves it (IPv4 preferred) and reports the chosen port. */
    Listener *by_name = listener_open(loop, "localhost", 0, &lo, &err);
    if (!by_name) fail_msg("listener_open(localhost): %s", err.message);
    assert_true(listener_port(by_name) > 0 && listener_port(by_name) != listener_port(l));
    listener_close(by_name);

    conn_abort(client.conn);
    assert_true(peer_wait(&client, &client.closes, 1));
    assert_string_equal(client.close_state, ""); /* a local abort is not an error */
    assert_true(peer_wait(&server, &server.closes, 1));
    finish(loop, l, &server, &client);
    peer_destroy(&nowhere);
}

/* ---- hostile peers, on raw sockets ------------------------------------------------------ */

static int raw_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&addr, sizeof addr), 0);
    struct timeval tv = {WAIT_MS / 1000, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd;
}

/* Sends bytes (optionally half-closing), expects the server to report sqlstate and
 * substring, and to hang up on us. */
static void hostile(const void *bytes, size_t len, bool half_close, size_t max_frame,
                    const char *substring)
{
    Peer server;
    EventLoop *loop = start_pair(&server, NULL);
    ConnOptions opts = {.max_frame = max_frame};
    Listener *l = listen_local(loop, &server, &opts);
    int fd = raw_connect(listener_port(l));
    assert_int_equal(send(fd, bytes, len, MSG_NOSIGNAL), (ssize_t)len);
    if (half_close) shutdown(fd, SHUT_WR);
    assert_true(peer_wait(&server, &server.closes, 1));
    assert_string_equal(server.close_state, SQLSTATE_PROTOCOL_VIOLATION);
    if (!strstr(server.close_msg, substring))
        fail_msg("message \"%s\" lacks \"%s\"", server.close_msg, substring);
    assert_non_null(strstr(server.close_msg, "connection to 127.0.0.1:"));
    /* The server closed the socket: we read EOF (or a reset), not a timeout. */
    char sink[256];
    ssize_t got;
    while ((got = recv(fd, sink, sizeof sink, 0)) > 0) {
    }
    assert_true(got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK));
    close(fd);
    finish(loop, l, &server, NULL);
}

static void test_hostile_http_client(void **state)
{
    (void)state;
    const char *req = "GET /v1/statement HTTP/1.1\r\nHost: localhost\r\n\r\n";
    hostile(req, strlen(req), false, 0, "bad frame magic \"GET \"");
}

static void test_hostile_truncated_frame(void **state)
{
    (void)state;
    Buffer buf;
    buffer_init(&buf);
    Error err = ERROR_INIT;
    uint8_t payload[1000] = {1, 2, 3};
    assert_int_equal(frame_encode(&buf, 1, 0, payload, sizeof payload, &err), BS_OK);
    hostile(buf.data, 500, true, 0, "truncated frame");
    hostile(buf.data, 10, true, 0, "in the middle of a frame header (10 of 24 bytes)");
    buffer_free(&buf);
}

static void test_hostile_oversize_and_checksum(void **state)
{
    (void)state;
    Buffer buf;
    buffer_init(&buf);
    Error err = ERROR_INIT;
    uint8_t payload[2000] = {9};
    assert_int_equal(frame_encode(&buf, 1, 0, payload, sizeof payload, &err), BS_OK);
    hostile(buf.data, buf.len, false, 1024,
            "frame payload of 2000 bytes exceeds the limit of 1024 bytes");
    buf.data[buf.len - 1] ^= 1;
    hostile(buf.data, buf.len, false, 0, "frame checksum mismatch");
    buffer_free(&buf);
}

static void test_close_from_on_frame_stops_delivery(void **state)
{
    (void)state;
    /* The client's 400 empty frames (24 bytes each) arrive in a few reads; closing from
     * inside on_frame must stop delivery at once, even for frames already read. */
    Peer server, client;
    EventLoop *loop = start_pair(&server, &client);
    server.close_after_frames = 10;
    Listener *l = listen_local(loop, &server, NULL);
    Connection *c = connect_local(loop, listener_port(l), &client, NULL);
    /* One buffer, queued at once: the server may close before a loop of conn_send
     * calls would have finished. */
    Error err = ERROR_INIT;
    Buffer buf;
    buffer_init(&buf);
    for (int k = 0; k < 400; k++)
        assert_int_equal(frame_encode(&buf, TYPE_EMPTY, 0, NULL, 0, &err), BS_OK);
    assert_int_equal(conn_send_buffer(c, &buf, &err), BS_OK);
    buffer_free(&buf);
    assert_true(peer_wait(&server, &server.closes, 1));
    assert_true(peer_wait(&client, &client.closes, 1));
    assert_int_equal(peer_get(&server, &server.empties), 10);
    assert_int_equal(peer_get(&server, &server.frames), 0);
    assert_string_equal(server.close_state, "");
    finish(loop, l, &server, &client);
}

static void test_accept_out_of_memory_rejects_then_recovers(void **state)
{
    (void)state;
    Peer server;
    EventLoop *loop = start_pair(&server, NULL);
    Listener *l = listen_local(loop, &server, NULL);
    /* The next allocation anywhere is the new Connection's: it fails, and the pending
     * socket must still be taken and closed, or the listener would stall. */
    bs_alloc_fail_after(0, 1);
    int fd = raw_connect(listener_port(l));
    char byte;
    assert_int_equal(recv(fd, &byte, 1, 0), 0); /* EOF: rejected, not left hanging */
    close(fd);
    assert_int_equal(bs_alloc_injected_failures(), 1);
    bs_alloc_fail_after(-1, 0);
    assert_int_equal(peer_get(&server, &server.accepts), 0);
    fd = raw_connect(listener_port(l));
    assert_true(peer_wait(&server, &server.accepts, 1));
    close(fd);
    assert_true(peer_wait(&server, &server.closes, 1));
    finish(loop, l, &server, NULL);
}

static void test_linger_ends_when_peer_never_hangs_up(void **state)
{
    (void)state;
    Peer server;
    EventLoop *loop = start_pair(&server, NULL);
    server.send_on_accept = 5;
    server.close_after_send = true;
    ConnOptions opts = {.linger_ms = 150};
    Listener *l = listen_local(loop, &server, &opts);
    int fd = raw_connect(listener_port(l));
    int64_t start = clock_now_ns();
    /* The frames, then EOF: the server shut its write side after sending. */
    FrameDecoder dec;
    frame_decoder_init(&dec, 0);
    int frames = 0;
    uint8_t buf[4096];
    ssize_t got;
    while ((got = recv(fd, buf, sizeof buf, 0)) > 0) {
        const uint8_t *data = buf;
        size_t len = (size_t)got;
        Error err = ERROR_INIT;
        for (;;) {
            Frame f = {0};
            bool have = false;
            assert_int_equal(frame_decoder_feed(&dec, &data, &len, &f, &have, &err), BS_OK);
            if (!have) break;
            frames++;
            frame_release(&f);
        }
    }
    assert_int_equal(got, 0);
    assert_int_equal(frames, 1 + 5); /* the empty frame and five numbered ones */
    frame_decoder_free(&dec);
    /* We keep our socket open: the server gives up waiting after linger_ms. */
    assert_true(peer_wait(&server, &server.closes, 1));
    assert_true(clock_now_ns() - start >= 100 * 1000000);
    assert_string_equal(server.close_state, "");
    close(fd);
    finish(loop, l, &server, NULL);
}

/* ---- back-pressure ---------------------------------------------------------------------- */

static void resume_fn(void *arg)
{
    conn_resume_reading(arg);
}

static void test_back_pressure(void **state)
{
    (void)state;
    const int n = 128;
    const size_t frame = (size_t)256 << 10;
    Peer server, client;
    EventLoop *loop = start_pair(&server, &client);
    server.pause_on_accept = true;
    Listener *l = listen_local(loop, &server, NULL);
    ConnOptions opts = {.write_limit = frame};
    Connection *c = connect_local(loop, listener_port(l), &client, &opts);
    assert_true(peer_wait(&client, &client.connects, 1));
    assert_true(conn_writable(c));
    uint8_t *buf = bs_malloc(frame);
    assert_non_null(buf);
    for (int seq = 0; seq < n; seq++) {
        fill_payload(buf, frame, 0, seq);
        Error err = ERROR_INIT;
        assert_int_equal(conn_send(c, 5, 0, buf, frame, &err), BS_OK);
    }
    bs_free(buf);
    /* 32 MB cannot all fit in the kernel's buffers while the server is not reading. */
    sleep_ms(300);
    assert_int_equal(peer_get(&server, &server.frames), 0);
    assert_false(conn_writable(c));
    assert_true(conn_queued_bytes(c) >= frame);
    /* Drains may have fired while the kernel buffers were filling; one more is owed. */
    int drains_before = peer_get(&client, &client.drains);
    pthread_mutex_lock(&server.lock);
    Connection *server_conn = server.conn;
    pthread_mutex_unlock(&server.lock);
    loop_call(loop, resume_fn, server_conn);
    assert_true(peer_wait(&client, &client.drains, drains_before + 1));
    assert_true(peer_wait(&server, &server.frames, n));
    assert_true(conn_writable(c));
    assert_int_equal(conn_queued_bytes(c), 0);
    pthread_mutex_lock(&server.lock);
    assert_true(server.bytes == (size_t)n * frame);
    pthread_mutex_unlock(&server.lock);
    close_and_wait(c, &server, &client);
    finish(loop, l, &server, &client);
}

static void test_send_limits_and_encoded_buffers(void **state)
{
    (void)state;
    Peer server, client;
    EventLoop *loop = start_pair(&server, &client);
    Listener *l = listen_local(loop, &server, NULL);
    ConnOptions opts = {.max_frame = 200000};
    Connection *c = connect_local(loop, listener_port(l), &client, &opts);
    Error err = ERROR_INIT;
    uint8_t *payload = bs_calloc(1, 300000);
    assert_non_null(payload);
    assert_int_equal(conn_send(c, 1, 0, payload, 200001, &err), BS_ERROR);
    assert_string_equal(err.sqlstate, SQLSTATE_PROGRAM_LIMIT);
    assert_non_null(strstr(err.message, "exceeds the limit of 200000 bytes"));
    error_clear(&err);

    /* Out of memory while queueing: an error for the sender, the connection goes on. */
    assert_true(peer_wait(&client, &client.connects, 1));
    bs_alloc_fail_after(0, 1);
    assert_int_equal(conn_send(c, 1, 0, payload, 100, &err), BS_ERROR);
    bs_alloc_fail_after(-1, 0);
    assert_string_equal(err.sqlstate, SQLSTATE_OUT_OF_MEMORY);
    error_clear(&err);

    /* Several frames serialized straight into one buffer, sent without a copy. */
    Buffer buf;
    buffer_init(&buf);
    for (int seq = 0; seq < 3; seq++) {
        size_t len = payload_len(seq, false);
        fill_payload(payload, len, 0, seq);
        size_t start = frame_begin(&buf);
        buffer_put_bytes(&buf, payload, len);
        assert_int_equal(frame_end(&buf, start, (uint8_t)seq, (uint16_t)(seq * 3), &err), BS_OK);
    }
    /* One frame over this connection's limit makes the whole buffer refused. */
    Buffer over;
    buffer_init(&over);
    size_t start = frame_begin(&over);
    buffer_put_bytes(&over, payload, 250000);
    assert_int_equal(frame_end(&over, start, 1, 0, &err), BS_OK);
    assert_int_equal(conn_send_buffer(c, &over, &err), BS_ERROR);
    assert_string_equal(err.sqlstate, SQLSTATE_PROGRAM_LIMIT);
    error_clear(&err);
    assert_null(over.data);
    bs_free(payload);
    assert_int_equal(conn_send_buffer(c, &buf, &err), BS_OK);
    assert_null(buf.data); /* taken */

    /* Bytes that are not frames are refused before they reach the wire. */
    buffer_put_bytes(&buf, "not a frame at all, no no no", 28);
    assert_int_equal(conn_send_buffer(c, &buf, &err), BS_ERROR);
    assert_string_equal(err.sqlstate, SQLSTATE_INVALID_PARAMETER);
    assert_non_null(strstr(err.message, "does not hold encoded frames"));
    error_clear(&err);
    assert_null(buf.data);
    buffer_free(&buf);
    assert_true(peer_wait(&server, &server.frames, 3));
    assert_int_equal(peer_get(&server, &server.bad), 0);
    conn_close(c);
    assert_true(peer_wait(&client, &client.closes, 1));
    assert_true(peer_wait(&server, &server.closes, 1));
    assert_int_equal(peer_get(&server, &server.frames), 3);
    finish(loop, l, &server, &client);
}

static void test_loop_shutdown_with_open_connections(void **state)
{
    (void)state;
    Peer server, client;
    EventLoop *loop = start_pair(&server, &client);
    Listener *l = listen_local(loop, &server, NULL);
    Connection *c = connect_local(loop, listener_port(l), &client, NULL);
    assert_true(peer_wait(&client, &client.connects, 1));
    assert_true(peer_wait(&server, &server.accepts, 1));
    (void)l; /* closed by loop_destroy */
    loop_destroy(loop);
    /* Both ends were told, exactly once, and the references are still ours. */
    assert_int_equal(client.closes, 1);
    assert_int_equal(server.closes, 1);
    assert_string_equal(client.close_state, NET_SQLSTATE_CONNECTION_FAILURE);
    assert_non_null(strstr(client.close_msg, "event loop is shutting down"));
    assert_string_equal(server.close_state, NET_SQLSTATE_CONNECTION_FAILURE);
    Error err = ERROR_INIT;
    assert_int_equal(conn_send(c, 1, 0, NULL, 0, &err), BS_ERROR);
    assert_string_equal(err.sqlstate, NET_SQLSTATE_CONNECTION_DOES_NOT_EXIST);
    error_clear(&err);
    conn_close(c); /* a no-op now, not a post to a dead loop */
    peer_destroy(&server);
    peer_destroy(&client);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exchange_client_closes),
        cmocka_unit_test(test_exchange_server_closes),
        cmocka_unit_test(test_exchange_paused_after_each_frame),
        cmocka_unit_test(test_server_sends_then_closes),
        cmocka_unit_test(test_senders_on_many_threads),
        cmocka_unit_test(test_connect_refused),
        cmocka_unit_test(test_connect_by_name_and_bad_arguments),
        cmocka_unit_test(test_hostile_http_client),
        cmocka_unit_test(test_hostile_truncated_frame),
        cmocka_unit_test(test_hostile_oversize_and_checksum),
        cmocka_unit_test(test_close_from_on_frame_stops_delivery),
        cmocka_unit_test(test_accept_out_of_memory_rejects_then_recovers),
        cmocka_unit_test(test_linger_ends_when_peer_never_hangs_up),
        cmocka_unit_test(test_back_pressure),
        cmocka_unit_test(test_send_limits_and_encoded_buffers),
        cmocka_unit_test(test_loop_shutdown_with_open_connections),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
