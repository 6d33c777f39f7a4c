/*
 * roles.h — the processes `basalt` can be besides the embedded shell: `basalt coordinator`
 * (coordinator/coordinator.c), and the client side of `basalt --connect` (cli_remote.c).
 */
#ifndef BASALT_SERVER_ROLES_H
#define BASALT_SERVER_ROLES_H

#include "server/cli.h"

#include <signal.h>

/* `basalt coordinator …` with argv[0] "coordinator": returns the exit status. */
int coordinator_main(int argc, char **argv);
/* `basalt worker …` (worker/worker.c). */
int worker_main(int argc, char **argv);
/* `basalt cluster …` (coordinator/cluster.c). */
int cluster_main(int argc, char **argv, const char *self_path);

/* A running coordinator: the engine over the data directory, the node registry and the
   native endpoint on its event loop. */
typedef struct Coordinator {
    Engine *engine;
    NodeRegistry *nodes;
    struct EventLoop *loop;
    struct NativeServer *native;
    struct Scheduler *scheduler;
    int port; /* where the native endpoint listens */
} Coordinator;

/* Blocks SIGINT and SIGTERM in this thread and every thread made after it (they are
   taken with sigwait), and ignores SIGPIPE. */
void block_stop_signals(sigset_t *set);
/* Opens the engine and listens on bind:port. On failure err is set; coordinator_stop
   still releases what was made. */
Status coordinator_start(Coordinator *co, const EngineConfig *config, const char *bind, int port,
                         Error *err);
/* Closes the endpoint (running statements are cancelled) and the engine. */
void coordinator_stop(Coordinator *co);

/* Parses a TCP port (1..65535; 0 too when allow_zero: "any free port"); 22023 otherwise. */
Status roles_parse_port(const char *text, bool allow_zero, int *out, Error *err);
/* Splits "HOST:PORT" ("[v6addr]:PORT" for IPv6; a missing port is NP_DEFAULT_PORT) into
   host (a heap string, bs_free it) and port. 22023 when malformed. */
Status roles_parse_address(const char *text, char **host, int *port, Error *err);

/*
 * A CliBackend over a session on the coordinator at address (HOST:PORT). NULL with err
 * set when it cannot connect (08001) or the server refuses (08P01).
 */
CliBackend *cli_backend_connect(const char *address, Error *err);

#endif
