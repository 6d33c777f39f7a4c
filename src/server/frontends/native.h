/*
 * native.h — the coordinator's native-protocol endpoint (net/native_proto.h): it accepts
 * client connections on an event loop and serves each with its own engine Session.
 */
#ifndef BASALT_SERVER_FRONTENDS_NATIVE_H
#define BASALT_SERVER_FRONTENDS_NATIVE_H

#include "net/net.h"
#include "server/engine.h"

typedef struct NativeServer NativeServer;
typedef struct NodeRegistry NodeRegistry;

/*
 * Listens on host:port (port 0: any free port) on `loop` and serves clients with sessions
 * of `engine`, and workers' control connections into `nodes` (NULL: workers are refused).
 * NULL with err set when the address cannot be bound (58030 naming it).
 */
NativeServer *native_server_start(Engine *engine, NodeRegistry *nodes, EventLoop *loop,
                                  const char *host, int port, Error *err);
/* The port it listens on. */
int native_server_port(const NativeServer *server);
/*
 * Stops accepting, closes every client connection (their running statements are
 * cancelled) and waits until every session has ended; then frees the server. Call from a
 * thread other than the loop's, before loop_destroy. NULL is fine.
 */
void native_server_stop(NativeServer *server);

#endif
