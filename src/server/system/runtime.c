/*
 * runtime.c — the fill functions of system.runtime.*: what the cluster is made of and
 * what it runs. system.runtime.nodes lists the coordinator and every worker that
 * registered (server/coordinator/nodes.h), those gone with why; an embedded engine lists
 * itself, its one in-process worker. system.runtime.queries lists the statements running
 * and the last ones that ended (query_log.c); system.runtime.tasks the tasks on workers of
 * running queries and of the last ones that ran there (coordinator/scheduler.c) — joined
 * with queries on query_id.
 */
#include "server/system/system_tables.h"

#include "common/threadpool.h"
#include "server/coordinator/nodes.h"
#include "server/coordinator/scheduler.h"
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

Status system_fill_queries(SystemFill *fill, Error *err)
{
    QueryLogEntry *q;
    int n;
    BS_TRY(query_log_snapshot(fill->engine->queries, fill->arena, &q, &n, err));
    int64_t now = clock_wall_us();
    for (int k = 0; k < n; k++) {
        BS_TRY(system_row_add(fill, err));
        system_set_int(fill, 0, (int64_t)q[k].id);
        system_set_int(fill, 1, (int64_t)q[k].session_id);
        BS_TRY(system_set_text(fill, 2,
                               !q[k].ended_us ? "running"
                               : q[k].failed  ? "failed"
                                              : "finished",
                               err));
        BS_TRY(system_set_text(fill, 3, q[k].query, err));
        system_set_int(fill, 4, q[k].created_us);
        if (q[k].ended_us) system_set_int(fill, 5, q[k].ended_us);
        system_set_double(
            fill, 6, (double)((q[k].ended_us ? q[k].ended_us : now) - q[k].created_us) / 1000.0);
        if (q[k].ended_us && !q[k].failed) system_set_int(fill, 7, (int64_t)q[k].rows);
        if (q[k].failed) {
            BS_TRY(system_set_text(fill, 8, q[k].sqlstate, err));
            BS_TRY(system_set_text(fill, 9, q[k].error, err));
        }
    }
    return BS_OK;
}

Status system_fill_tasks(SystemFill *fill, Error *err)
{
    Engine *e = fill->engine;
    if (!e->scheduler) return BS_OK; /* embedded: nothing runs on workers */
    TaskInfo *t;
    int n;
    BS_TRY(scheduler_tasks(e->scheduler, fill->arena, &t, &n, err));
    for (int k = 0; k < n; k++) {
        BS_TRY(system_row_add(fill, err));
        system_set_int(fill, 0, (int64_t)t[k].query_id);
        system_set_int(fill, 1, (int64_t)t[k].task_id);
        system_set_int(fill, 2, t[k].stage);
        system_set_int(fill, 3, t[k].index);
        BS_TRY(system_set_text(fill, 4, t[k].node_id, err));
        BS_TRY(system_set_text(fill, 5, t[k].state, err));
        system_set_int(fill, 6, (int64_t)t[k].rows);
        system_set_int(fill, 7, (int64_t)t[k].bytes);
        system_set_double(fill, 8, t[k].wall_ms);
    }
    return BS_OK;
}
