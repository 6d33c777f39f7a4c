/*
 * net_int.h — what the files of net/ share and nobody else sees: the loop's resource
 * registry (so loop_destroy can close every handle), access to the libuv loop, and the
 * libuv error helper.
 */
#ifndef BASALT_NET_NET_INT_H
#define BASALT_NET_NET_INT_H

#include "common/arena.h"
#include "common/buffer.h"
#include "net/net.h"

#include <stddef.h>
#include <uv.h>

/* ---- payload codecs (native_proto.c), shared by the protocols' files ---- */

/* A string as a varint length then its bytes (NULL: empty). */
void proto_put_string(Buffer *buf, const char *s);
/* 08P01 "malformed WHAT message". */
Status proto_malformed(Error *err, const char *what);
/* A string copied into arena (NUL-terminated); NULL when short, or with *oom set when
   out of memory. */
char *proto_get_string(BufReader *r, Arena *arena, bool *oom);
/* The end of a decode: the whole payload read, nothing short, no allocation failed. */
Status proto_finish(const BufReader *r, Arena *arena, bool oom, const char *what, Error *err);

/* The struct that embeds `member` at address ptr. */
#define NET_CONTAINER_OF(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))

/*
 * Something on the loop that owns libuv handles: a connection, a listener, a timer. It is
 * registered while its handles are open; at loop_destroy the loop calls shutdown(res) on
 * every registered resource, which must start closing its handles (uv_close) and
 * unregister once they are closed. Loop thread only.
 */
typedef struct LoopResource {
    struct LoopResource *next, *prev;
    void (*shutdown)(struct LoopResource *res);
} LoopResource;

/* Loop thread: registers res (res->shutdown must be set). */
void loop_add_resource(EventLoop *loop, LoopResource *res);
/* Loop thread: unregisters res (after its handles are closed). */
void loop_remove_resource(EventLoop *loop, LoopResource *res);
/* Loop thread: true once loop_destroy has begun; nothing new may be opened. */
bool loop_is_stopping(const EventLoop *loop);
/* Loop thread: the libuv loop. */
uv_loop_t *loop_uv(EventLoop *loop);

/*
 * Sets err (unless already set) to "<formatted text>: <libuv's description of status>"
 * with the given SQLSTATE. Always returns BS_ERROR.
 */
Status net_uv_error(Error *err, const char *sqlstate, int status, const char *fmt, ...)
    BS_PRINTF(4, 5);

/*
 * Resolves a numeric IPv4 or IPv6 address (no name lookup) into *addr. Returns false when
 * host is not a numeric address or port is out of range.
 */
bool net_parse_numeric(const char *host, int port, struct sockaddr_storage *addr);

/* The address to use from a getaddrinfo result: the first IPv4 one (a server listening
 * on 0.0.0.0 is the common case, and "localhost" often resolves to ::1 first), else the
 * first IPv6 one; NULL when there is neither. */
const struct addrinfo *net_pick_addr(const struct addrinfo *res);

/* Formats addr as "a.b.c.d:port" or "[v6]:port" into out (at least 64 bytes). */
void net_format_addr(const struct sockaddr *addr, char *out, size_t out_size);

/*
 * Loop thread: accepts the pending connection of `server` (a listening uv_tcp_t) into a
 * new Connection with two references (the caller's and the loop's). Returns NULL with err
 * set on failure; *consumed then says whether the pending socket was taken (and closed)
 * — when it was not, the caller must reject it another way or the listener stalls.
 */
Connection *conn_accept_from(EventLoop *loop, uv_stream_t *server, const ConnCallbacks *cbs,
                             void *user, const ConnOptions *opts, bool *consumed, Error *err);
/* Loop thread: starts reading on an accepted connection (after on_accept returned). */
void conn_start_accepted(Connection *conn);

#endif
