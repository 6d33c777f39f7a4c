/*
 * nodes.c — the node registry (nodes.h): an array of NodeInfo under a mutex. Workers are
 * few (tens), so lookups are linear.
 */
#include "server/coordinator/nodes.h"

#include "common/alloc.h"
#include "common/threadpool.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

struct NodeRegistry {
    pthread_mutex_t mu;
    NodeInfo *nodes;
    int n_nodes, cap;
    uint64_t next_number;
    int64_t *seen_ms; /* per node: monotonic ms of its last message */
};

/* Milliseconds of the monotonic clock. */
static int64_t mono_ms(void)
{
    return clock_now_ns() / 1000000;
}

NodeRegistry *nodes_create(const NodeInfo *self)
{
    NodeRegistry *reg = bs_calloc(1, sizeof *reg);
    if (!reg) return NULL;
    pthread_mutex_init(&reg->mu, NULL);
    reg->cap = 8;
    reg->nodes = bs_calloc((size_t)reg->cap, sizeof *reg->nodes);
    reg->seen_ms = bs_calloc((size_t)reg->cap, sizeof *reg->seen_ms);
    if (!reg->nodes || !reg->seen_ms) {
        nodes_destroy(reg);
        return NULL;
    }
    reg->nodes[0] = *self;
    reg->nodes[0].number = 0;
    reg->nodes[0].coordinator = true;
    reg->nodes[0].state = NODE_ACTIVE;
    reg->nodes[0].registered_us = reg->nodes[0].heartbeat_us = clock_wall_us();
    reg->n_nodes = 1;
    reg->next_number = 1;
    return reg;
}

void nodes_destroy(NodeRegistry *reg)
{
    if (!reg) return;
    pthread_mutex_destroy(&reg->mu);
    bs_free(reg->nodes);
    bs_free(reg->seen_ms);
    bs_free(reg);
}

void nodes_set_coordinator_address(NodeRegistry *reg, const char *host, int port)
{
    pthread_mutex_lock(&reg->mu);
    snprintf(reg->nodes[0].address, sizeof reg->nodes[0].address, "%s:%d", host, port);
    snprintf(reg->nodes[0].node_id, sizeof reg->nodes[0].node_id, "coordinator");
    pthread_mutex_unlock(&reg->mu);
}

static int find_number(const NodeRegistry *reg, uint64_t number)
{
    for (int k = 1; k < reg->n_nodes; k++)
        if (reg->nodes[k].number == number) return k;
    return -1;
}

static void mark_gone(NodeInfo *node, const char *reason)
{
    if (node->state == NODE_GONE) return;
    node->state = NODE_GONE;
    snprintf(node->reason, sizeof node->reason, "%s", reason);
}

Status nodes_register(NodeRegistry *reg, const NpRegister *m, uint64_t *number, Error *err)
{
    pthread_mutex_lock(&reg->mu);
    /* A node of that id, gone or still listed as active, is replaced in place. */
    int slot = -1;
    for (int k = 1; k < reg->n_nodes; k++)
        if (strcmp(reg->nodes[k].node_id, m->node_id) == 0) slot = k;
    if (slot < 0) {
        if (reg->n_nodes == reg->cap) {
            int cap = reg->cap * 2;
            NodeInfo *nodes = bs_realloc(reg->nodes, sizeof *nodes * (size_t)cap);
            if (nodes) reg->nodes = nodes;
            int64_t *seen = nodes ? bs_realloc(reg->seen_ms, sizeof *seen * (size_t)cap) : NULL;
            if (seen) reg->seen_ms = seen;
            if (!nodes || !seen) {
                pthread_mutex_unlock(&reg->mu);
                return error_oom(err);
            }
            reg->cap = cap;
        }
        slot = reg->n_nodes++;
    }
    NodeInfo *node = &reg->nodes[slot];
    memset(node, 0, sizeof *node);
    node->number = reg->next_number++;
    snprintf(node->node_id, sizeof node->node_id, "%s", m->node_id);
    snprintf(node->address, sizeof node->address, "%s", m->address);
    snprintf(node->version, sizeof node->version, "%s", m->node_version);
    node->state = NODE_ACTIVE;
    node->threads = m->threads;
    node->memory_limit = m->memory_limit;
    node->registered_us = node->heartbeat_us = clock_wall_us();
    reg->seen_ms[slot] = mono_ms();
    *number = node->number;
    pthread_mutex_unlock(&reg->mu);
    return BS_OK;
}

void nodes_heartbeat(NodeRegistry *reg, uint64_t number, const NpHeartbeat *m)
{
    pthread_mutex_lock(&reg->mu);
    int k = find_number(reg, number);
    if (k >= 0 && reg->nodes[k].state == NODE_ACTIVE) {
        NodeInfo *node = &reg->nodes[k];
        node->memory_used = m->memory_used;
        node->running_tasks = m->running_tasks;
        node->load = m->load;
        node->heartbeat_us = clock_wall_us();
        reg->seen_ms[k] = mono_ms();
    }
    pthread_mutex_unlock(&reg->mu);
}

void nodes_lost(NodeRegistry *reg, uint64_t number, const char *reason)
{
    pthread_mutex_lock(&reg->mu);
    int k = find_number(reg, number);
    if (k >= 0) mark_gone(&reg->nodes[k], reason);
    pthread_mutex_unlock(&reg->mu);
}

bool nodes_is_stale(NodeRegistry *reg, uint64_t number, uint64_t timeout_ms)
{
    pthread_mutex_lock(&reg->mu);
    int k = find_number(reg, number);
    bool stale = k >= 0 && reg->nodes[k].state == NODE_ACTIVE &&
                 mono_ms() - reg->seen_ms[k] > (int64_t)timeout_ms;
    pthread_mutex_unlock(&reg->mu);
    return stale;
}

Status nodes_snapshot(NodeRegistry *reg, Arena *arena, NodeInfo **out, int *n, Error *err)
{
    pthread_mutex_lock(&reg->mu);
    NodeInfo *copy = arena_alloc(arena, sizeof *copy * (size_t)reg->n_nodes);
    if (copy) memcpy(copy, reg->nodes, sizeof *copy * (size_t)reg->n_nodes);
    int count = reg->n_nodes;
    pthread_mutex_unlock(&reg->mu);
    if (!copy) return arena_error(arena, err);
    *out = copy;
    *n = count;
    return BS_OK;
}

int nodes_active_workers(NodeRegistry *reg)
{
    pthread_mutex_lock(&reg->mu);
    int n = 0;
    for (int k = 1; k < reg->n_nodes; k++)
        n += reg->nodes[k].state == NODE_ACTIVE;
    pthread_mutex_unlock(&reg->mu);
    return n;
}
