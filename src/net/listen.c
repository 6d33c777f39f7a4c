/*
 * listen.c — Listener: a listening TCP socket that turns each incoming connection into
 * a Connection (conn.c) and hands it to its owner's on_accept.
 *
 * Where it sits: the coordinator and workers listen for the control plane and exchange
 * fetches; the coordinator also for native clients. listener_open and listener_close may
 * be called from any thread: they run their libuv part on the loop thread through
 * loop_call and wait for it, so the caller learns the bound port (or the error) at once.
 *
 * When memory for a new Connection cannot be found, the pending socket is still taken
 * (into `reject`) and closed: libuv stops watching a listener until its pending socket
 * is accepted, so leaving it would stall every later client.
 */
#include "net/net_int.h"

#include "common/alloc.h"

#include <assert.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>

struct Listener {
    LoopResource res;
    EventLoop *loop;
    ListenOptions opts;
    char addr[80]; /* "host:port" as bound, for messages */
    int port;

    /* Loop thread only. */
    uv_tcp_t tcp;
    uv_tcp_t reject;
    bool reject_busy;    /* reject is open (closing) */
    bool accept_pending; /* a connection waits while reject is busy */
    bool closing;
    int handles_open;
};

static void on_connection(uv_stream_t *server, int status);

static void on_listener_handle_closed(uv_handle_t *handle)
{
    Listener *l = handle->data;
    if (handle == (uv_handle_t *)&l->reject) l->reject_busy = false;
    if (--l->handles_open > 0) {
        if (handle == (uv_handle_t *)&l->reject && l->accept_pending && !l->closing) {
            l->accept_pending = false;
            /* Retry the connection that waited for the reject handle. */
            on_connection((uv_stream_t *)&l->tcp, 0);
        }
        return;
    }
    loop_remove_resource(l->loop, &l->res);
    bs_free(l);
}

/* Loop thread: takes the pending socket into the reject handle and closes it. */
static void reject_pending(Listener *l)
{
    if (l->reject_busy) {
        l->accept_pending = true;
        return;
    }
    if (uv_tcp_init(loop_uv(l->loop), &l->reject) != 0) {
        l->accept_pending = true; /* cannot happen on Linux: no socket is created yet */
        return;
    }
    l->reject.data = l;
    l->reject_busy = true;
    l->handles_open++;
    uv_accept((uv_stream_t *)&l->tcp, (uv_stream_t *)&l->reject);
    uv_close((uv_handle_t *)&l->reject, on_listener_handle_closed);
}

static void on_connection(uv_stream_t *server, int status)
{
    Listener *l = server->data;
    /* A failed accept (out of file descriptors, say) is transient: libuv keeps
     * listening and calls again. There is nobody to report it to but the client. */
    if (status < 0 || l->closing) return;
    Error err = ERROR_INIT;
    bool consumed = false;
    Connection *conn = conn_accept_from(l->loop, server, &l->opts.callbacks, l->opts.user,
                                        &l->opts.conn_opts, &consumed, &err);
    error_clear(&err);
    if (!conn) {
        if (!consumed) reject_pending(l);
        return;
    }
    l->opts.on_accept(l, conn, l->opts.user);
    conn_start_accepted(conn);
}

/* Loop thread: starts closing; freed by the last close callback. */
static void listener_close_on_loop(void *arg)
{
    Listener *l = arg;
    if (l->closing) return;
    l->closing = true;
    uv_close((uv_handle_t *)&l->tcp, on_listener_handle_closed);
}

static void listener_shutdown(LoopResource *res)
{
    listener_close_on_loop(NET_CONTAINER_OF(res, Listener, res));
}

typedef struct OpenCall {
    Listener *listener;
    const struct sockaddr *addr;
    Error *err;
    Status status;
} OpenCall;

static void listener_open_on_loop(void *arg)
{
    OpenCall *call = arg;
    Listener *l = call->listener;
    call->status = BS_ERROR;
    if (loop_is_stopping(l->loop)) {
        error_set(call->err, SQLSTATE_IO_ERROR, -1,
                  "could not listen on %s: the event loop is shutting down", l->addr);
        bs_free(l);
        return;
    }
    int rc = uv_tcp_init(loop_uv(l->loop), &l->tcp);
    if (rc != 0) {
        net_uv_error(call->err, SQLSTATE_IO_ERROR, rc, "could not listen on %s", l->addr);
        bs_free(l);
        return;
    }
    l->tcp.data = l;
    l->handles_open = 1;
    l->res.shutdown = listener_shutdown;
    loop_add_resource(l->loop, &l->res);
    rc = uv_tcp_bind(&l->tcp, call->addr, 0);
    if (rc == 0) rc = uv_listen((uv_stream_t *)&l->tcp, l->opts.backlog, on_connection);
    struct sockaddr_storage bound;
    int bound_len = sizeof bound;
    if (rc == 0) rc = uv_tcp_getsockname(&l->tcp, (struct sockaddr *)&bound, &bound_len);
    if (rc != 0) {
        net_uv_error(call->err, SQLSTATE_IO_ERROR, rc, "could not listen on %s", l->addr);
        listener_close_on_loop(l); /* freed in the close callback */
        return;
    }
    net_format_addr((const struct sockaddr *)&bound, l->addr, sizeof l->addr);
    l->port = bound.ss_family == AF_INET6 ? ntohs(((const struct sockaddr_in6 *)&bound)->sin6_port)
                                          : ntohs(((const struct sockaddr_in *)&bound)->sin_port);
    call->status = BS_OK;
}

/* Resolves host for binding: numeric forms directly, names with getaddrinfo on the
 * calling thread (IPv4 preferred). */
static Status resolve_for_bind(const char *host, int port, struct sockaddr_storage *addr,
                               Error *err)
{
    if (net_parse_numeric(host, port, addr)) return BS_OK;
    char port_text[16];
    snprintf(port_text, sizeof port_text, "%d", port);
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    int rc = getaddrinfo(host, port_text, &hints, &res);
    if (rc != 0)
        return error_set(err, SQLSTATE_IO_ERROR, -1,
                         "could not listen on %s:%d: could not resolve host: %s", host, port,
                         gai_strerror(rc));
    const struct addrinfo *pick = net_pick_addr(res);
    if (pick) {
        memset(addr, 0, sizeof *addr);
        memcpy(addr, pick->ai_addr, BS_MIN((size_t)pick->ai_addrlen, sizeof *addr));
    }
    freeaddrinfo(res);
    if (!pick)
        return error_set(err, SQLSTATE_IO_ERROR, -1,
                         "could not listen on %s:%d: host has no IPv4 or IPv6 address", host, port);
    return BS_OK;
}

Listener *listener_open(EventLoop *loop, const char *host, int port, const ListenOptions *opts,
                        Error *err)
{
    if (!host || !*host || port < 0 || port > 65535 || !opts || !opts->on_accept ||
        !opts->callbacks.on_frame) {
        error_set(err, SQLSTATE_INVALID_PARAMETER, -1,
                  "listener_open: need a host, a port in 0..65535, on_accept and on_frame");
        return NULL;
    }
    struct sockaddr_storage addr;
    if (resolve_for_bind(host, port, &addr, err) != BS_OK) return NULL;
    Listener *l = bs_calloc(1, sizeof *l);
    if (!l) {
        error_oom(err);
        return NULL;
    }
    l->loop = loop;
    l->opts = *opts;
    if (l->opts.backlog <= 0) l->opts.backlog = 128;
    l->res.next = l->res.prev = &l->res;
    net_format_addr((const struct sockaddr *)&addr, l->addr, sizeof l->addr);
    OpenCall call = {.listener = l, .addr = (const struct sockaddr *)&addr, .err = err};
    loop_call(loop, listener_open_on_loop, &call);
    return call.status == BS_OK ? l : NULL;
}

int listener_port(const Listener *listener)
{
    return listener->port;
}

void listener_close(Listener *listener)
{
    loop_call(listener->loop, listener_close_on_loop, listener);
}
