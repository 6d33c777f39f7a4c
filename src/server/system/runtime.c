/*
 * runtime.c — the fill functions of system.runtime.*: what the cluster is made of and
 * what it runs. system.runtime.nodes lists the coordinator and every worker that
 * registered (server/coordinator/nodes.h), those gone with why; an embedded engine lists
 * itself, its one in-process worker.
 */
#include "server/system/system_tables.h"

#include "common/threadpool.h"
#include "server/coordinator/nodes.h"
#include "server/server_int.h"

#include <string.h>

/* The columns are in system_tables.c (nodes_columns): node_id, address, node_version,
   coordinator, state, threads, memory_limit, memory_used, running_tasks, load,
   registered, last_heartbeat, reason. */
static Status node_row(SystemFill *fill, const NodeInfo *n, Error *err)
{
    BS_TRY(system_row_add(fill, err));
    BS_TRY(system_set_text(fill, 0, n->node_id, err));
    BS_TRY(system_set_text(fill, 1, n->address, err));
    BS_TRY(system_set_text(fill, 2, n->version, err));
    system_set_bool(fill, 3, n->coordinator);
    BS_TRY(system_set_text(fill, 4, n->state == NODE_ACTIVE ? "active" : "gone", err));
    system_set_int(fill, 5, n->threads);
    system_set_int(fill, 6, (int64_t)n->memory_limit);
    system_set_int(fill, 7, (int64_t)n->memory_used);
    system_set_int(fill, 8, n->running_tasks);
    system_set_double(fill, 9, n->load);
    system_set_int(fill, 10, n->registered_us);
    system_set_int(fill, 11, n->heartbeat_us);
    if (n->state == NODE_GONE) BS_TRY(system_set_text(fill, 12, n->reason, err));
    return BS_OK;
}

Status system_fill_nodes(SystemFill *fill, Error *err)
{
    Engine *e = fill->engine;
    if (!e->nodes) {
        NodeInfo self;
        memset(&self, 0, sizeof self);
        strcpy(self.node_id, "local");
        strcpy(self.address, "embedded");
        strcpy(self.version, BASALT_VERSION_STRING);
        self.coordinator = true;
        self.state = NODE_ACTIVE;
        self.threads = (uint32_t)e->threads;
        self.memory_limit = (uint64_t)e->memory_limit;
        self.memory_used = (uint64_t)atomic_load(&e->tracker.used);
        self.registered_us = self.heartbeat_us = clock_wall_us();
        return node_row(fill, &self, err);
    }
    NodeInfo *nodes;
    int n;
    BS_TRY(nodes_snapshot(e->nodes, fill->arena, &nodes, &n, err));
    for (int k = 0; k < n; k++) {
        if (k == 0) nodes[k].memory_used = (uint64_t)atomic_load(&e->tracker.used);
        BS_TRY(node_row(fill, &nodes[k], err));
    }
    return BS_OK;
}
