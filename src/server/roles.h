/*
 * roles.h — the processes `basalt` can be besides the embedded shell: `basalt coordinator`
 * (coordinator/coordinator.c), and the client side of `basalt --connect` (cli_remote.c).
 */
#ifndef BASALT_SERVER_ROLES_H
#define BASALT_SERVER_ROLES_H

#include "server/cli.h"

/* `basalt coordinator …` with argv[0] "coordinator": returns the exit status. */
int coordinator_main(int argc, char **argv);

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
