/*
 * bench_net_frames — frames/s and MB/s through a loopback Connection.
 *
 * Two event loops (as two processes would have), a client that sends N frames of one
 * size with conn_send from the main thread, pausing on back-pressure until on_drain, and
 * a server that counts and checks what arrives. Prints one line per frame size.
 *
 *   bench_net_frames [seconds-per-size]     (default 2)
 */
#include "common/alloc.h"
#include "common/threadpool.h"
#include "net/net.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct Counter {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    uint64_t frames, bytes, drains;
    int closes;
    bool bad;
    Connection *server_conn;
} Counter;

static void counter_bump(Counter *c, uint64_t frames, uint64_t bytes, uint64_t drains, int closes)
{
    pthread_mutex_lock(&c->lock);
    c->frames += frames;
    c->bytes += bytes;
    c->drains += drains;
    c->closes += closes;
    pthread_cond_broadcast(&c->cond);
    pthread_mutex_unlock(&c->lock);
}

static void on_frame(Connection *conn, Frame *frame, void *user)
{
    (void)conn;
    Counter *c = user;
    if (frame->type != 1) c->bad = true;
    counter_bump(c, 1, frame->len, 0, 0);
}

static void on_drain(Connection *conn, void *user)
{
    (void)conn;
    counter_bump(user, 0, 0, 1, 0);
}

static void on_close(Connection *conn, const Error *err, void *user)
{
    (void)conn;
    if (err) fprintf(stderr, "bench: connection closed: %s\n", err->message);
    counter_bump(user, 0, 0, 0, 1);
}

static void on_accept(Listener *l, Connection *conn, void *user)
{
    (void)l;
    ((Counter *)user)->server_conn = conn;
}

static void counter_init(Counter *c)
{
    memset(c, 0, sizeof *c);
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->cond, NULL);
}

/* Waits until pred holds, re-checking on every broadcast. */
#define COUNTER_WAIT(c, pred)                                                                      \
    do {                                                                                           \
        pthread_mutex_lock(&(c)->lock);                                                            \
        while (!(pred))                                                                            \
            pthread_cond_wait(&(c)->cond, &(c)->lock);                                             \
        pthread_mutex_unlock(&(c)->lock);                                                          \
    } while (0)

static int run_size(EventLoop *server_loop, EventLoop *client_loop, size_t size, double seconds)
{
    Counter server, client;
    counter_init(&server);
    counter_init(&client);
    ListenOptions lo = {.on_accept = on_accept,
                        .user = &server,
                        .callbacks = {.on_frame = on_frame, .on_close = on_close}};
    Error err = ERROR_INIT;
    Listener *l = listener_open(server_loop, "127.0.0.1", 0, &lo, &err);
    if (!l) {
        fprintf(stderr, "bench: %s\n", err.message);
        return 1;
    }
    ConnCallbacks cb = {.on_frame = on_frame, .on_drain = on_drain, .on_close = on_close};
    Connection *conn =
        conn_connect(client_loop, "127.0.0.1", listener_port(l), &cb, &client, NULL, &err);
    if (!conn) {
        fprintf(stderr, "bench: %s\n", err.message);
        return 1;
    }
    uint8_t *payload = bs_malloc(size ? size : 1);
    for (size_t k = 0; k < size; k++)
        payload[k] = (uint8_t)(k * 131);
    int64_t start = clock_now_ns();
    int64_t stop = start + (int64_t)(seconds * 1e9);
    uint64_t sent = 0;
    while (clock_now_ns() < stop) {
        for (int k = 0; k < 256; k++) {
            if (conn_send(conn, 1, 0, payload, size, &err) != BS_OK) {
                fprintf(stderr, "bench: %s\n", err.message);
                return 1;
            }
            sent++;
        }
        if (!conn_writable(conn)) {
            pthread_mutex_lock(&client.lock);
            uint64_t drains = client.drains;
            pthread_mutex_unlock(&client.lock);
            if (!conn_writable(conn))
                COUNTER_WAIT(&client, client.drains > drains || conn_writable(conn));
        }
    }
    COUNTER_WAIT(&server, server.frames == sent);
    int64_t elapsed = clock_now_ns() - start;
    double secs = (double)elapsed / 1e9;
    double mb = (double)sent * (double)(size + FRAME_HEADER_SIZE) / (1 << 20) / secs;
    printf("payload %8zu B: %9.0f frames/s  %8.1f MiB/s  (%llu frames in %.2f s)%s\n", size,
           (double)sent / secs, mb, (unsigned long long)sent, secs,
           server.bad ? "  BAD FRAMES" : "");
    conn_close(conn);
    COUNTER_WAIT(&client, client.closes == 1);
    COUNTER_WAIT(&server, server.closes == 1);
    conn_release(conn);
    conn_release(server.server_conn);
    listener_close(l);
    bs_free(payload);
    return server.bad;
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 2.0;
    if (seconds <= 0) seconds = 2.0;
    Error err = ERROR_INIT;
    EventLoop *server_loop = loop_create("bench-server", &err);
    EventLoop *client_loop = loop_create("bench-client", &err);
    if (!server_loop || !client_loop) {
        fprintf(stderr, "bench: %s\n", err.message);
        return 1;
    }
    const size_t sizes[] = {0, 64, 1024, 16384, 262144, 4194304};
    int bad = 0;
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++)
        bad |= run_size(server_loop, client_loop, sizes[k], seconds);
    loop_destroy(client_loop);
    loop_destroy(server_loop);
    return bad;
}
