/*
 * nodes.h — the coordinator's node registry: the coordinator itself and every worker that
 * registered, with what their heartbeats say (load, memory), and the workers that left or
 * died, with why. The native endpoint (frontends/native.c) feeds it; system.runtime.nodes
 * reads it.
 *
 * A worker is ACTIVE from its REGISTER until its connection closes, it stops sending
 * heartbeats for NP_NODE_TIMEOUT_MS; it is then GONE, and stays listed as such, with why,
 * until a worker of the same node id registers. All functions are thread-safe.
 */
#ifndef BASALT_SERVER_COORDINATOR_NODES_H
#define BASALT_SERVER_COORDINATOR_NODES_H

#include "common/arena.h"
#include "common/error.h"
#include "net/native_proto.h"

typedef enum NodeState { NODE_ACTIVE, NODE_GONE } NodeState;

/* One node as a snapshot shows it. Times are wall-clock microseconds since 1970. */
typedef struct NodeInfo {
    uint64_t number; /* the registry's handle; 0 for the coordinator */
    char node_id[128];
    char address[160];
    char version[32];
    bool coordinator;
    NodeState state;
    uint32_t threads;
    uint64_t memory_limit, memory_used;
    uint32_t running_tasks;
    double load;
    int64_t registered_us, heartbeat_us;
    char reason[160]; /* why it is GONE */
} NodeInfo;

typedef struct NodeRegistry NodeRegistry;

/* A registry listing `self` (the coordinator) first. NULL when out of memory. */
NodeRegistry *nodes_create(const NodeInfo *self);
void nodes_destroy(NodeRegistry *reg);
/* Sets the coordinator's address (known once it listens). */
void nodes_set_coordinator_address(NodeRegistry *reg, const char *host, int port);
/* A worker registers: *number is its handle. A node listed under the same id (a restarted
   worker) is replaced: its old handle no longer names anything. 53200 when out of memory. */
Status nodes_register(NodeRegistry *reg, const NpRegister *m, uint64_t *number, Error *err);
void nodes_heartbeat(NodeRegistry *reg, uint64_t number, const NpHeartbeat *m);
/* The worker is GONE (if it was not already), for `reason`. */
void nodes_lost(NodeRegistry *reg, uint64_t number, const char *reason);
/* True when the ACTIVE worker `number` has sent nothing for timeout_ms. */
bool nodes_is_stale(NodeRegistry *reg, uint64_t number, uint64_t timeout_ms);
/* A copy of every node (arena-allocated), the coordinator first. */
Status nodes_snapshot(NodeRegistry *reg, Arena *arena, NodeInfo **out, int *n, Error *err);
/* ACTIVE workers. */
int nodes_active_workers(NodeRegistry *reg);

#endif
