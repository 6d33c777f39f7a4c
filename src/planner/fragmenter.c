/*
 * fragmenter.c — cuts a physical plan into fragments (stages) at its remote exchanges.
 *
 * Every remote PLAN_EXCHANGE becomes a boundary: the subtree below it becomes a fragment
 * of its own whose output is the exchange's partitioning, and the exchange is replaced by
 * a PLAN_REMOTE_SOURCE naming that fragment. Local exchanges stay: they separate
 * pipelines of one task. The fragment above the top exchange is the root (id 0), which
 * runs once, on the coordinator. A fragment that scans a table is DIST_SOURCE (its tasks
 * share the splits), one that reads a repartitioned or broadcast input is DIST_FIXED
 * (task k reads partition k); both run as one task per worker. The others run once
 * (DIST_SINGLE).
 */
#include "planner/planner_int.h"

typedef struct Fragmenter {
    Arena *arena;
    int workers;
    PlanFragment **fragments;
    int count, capacity;
} Fragmenter;

static PlanFragment *new_fragment(Fragmenter *f, Error *err)
{
    if (f->count == f->capacity) {
        int cap = f->capacity ? f->capacity * 2 : 4;
        PlanFragment **grown =
            arena_grow(f->arena, f->fragments, sizeof(PlanFragment *) * (size_t)f->capacity,
                       sizeof(PlanFragment *) * (size_t)cap);
        if (!grown) {
            arena_error(f->arena, err);
            return NULL;
        }
        f->fragments = grown;
        f->capacity = cap;
    }
    PlanFragment *frag = arena_alloc_zero(f->arena, sizeof *frag);
    if (!frag) {
        arena_error(f->arena, err);
        return NULL;
    }
    frag->id = f->count;
    frag->consumer = -1;
    f->fragments[f->count++] = frag;
    return frag;
}

static bool contains_scan(const PlanNode *n)
{
    if (n->kind == PLAN_TABLE_SCAN) return true;
    /* The scans below a recursive CTE read every split in its one task. */
    if (n->kind == PLAN_RECURSIVE_CTE) return false;
    for (int k = 0; k < n->n_children; k++)
        if (contains_scan(n->children[k])) return true;
    return false;
}

/* Whether the fragment reads an input partitioned across its tasks. */
static bool reads_partitioned(const PlanNode *n)
{
    if (n->kind == PLAN_REMOTE_SOURCE)
        return n->u.remote.kind == EXCHANGE_REPARTITION || n->u.remote.kind == EXCHANGE_BROADCAST ||
               n->u.remote.kind == EXCHANGE_ROUND_ROBIN;
    for (int k = 0; k < n->n_children; k++)
        if (reads_partitioned(n->children[k])) return true;
    return false;
}

static Status add_source(Fragmenter *f, PlanFragment *frag, int source, Error *err)
{
    int *grown = arena_grow(f->arena, frag->sources, sizeof(int) * (size_t)frag->n_sources,
                            sizeof(int) * (size_t)(frag->n_sources + 1));
    if (!grown) return arena_error(f->arena, err);
    frag->sources = grown;
    frag->sources[frag->n_sources++] = source;
    return BS_OK;
}

/* Replaces exchanges below *node (inside fragment frag) by remote sources. */
static Status cut(Fragmenter *f, PlanFragment *frag, PlanNode **node, Error *err)
{
    PlanNode *n = *node;
    if (n->kind == PLAN_EXCHANGE && !n->u.exchange.local) {
        PlanFragment *child = new_fragment(f, err);
        if (!child) return BS_ERROR;
        child->root = n->children[0];
        child->output = n->u.exchange.part;
        child->consumer = frag->id;
        BS_TRY(cut(f, child, &child->root, err));
        child->distribution = contains_scan(child->root)       ? DIST_SOURCE
                              : reads_partitioned(child->root) ? DIST_FIXED
                                                               : DIST_SINGLE;
        child->n_tasks = child->distribution == DIST_SINGLE ? 1 : f->workers;
        BS_TRY(add_source(f, frag, child->id, err));
        /* The exchange node becomes the remote source (same id, columns and types). */
        ExchangeKind kind = n->u.exchange.part.kind;
        bool single = n->u.exchange.single;
        n->kind = PLAN_REMOTE_SOURCE;
        n->n_children = 0;
        n->children = NULL;
        n->u.remote.fragment = child->id;
        n->u.remote.kind = kind;
        n->u.remote.single = single;
        return BS_OK;
    }
    for (int k = 0; k < n->n_children; k++)
        BS_TRY(cut(f, frag, &n->children[k], err));
    return BS_OK;
}

Status planner_fragment(PlanNode *root, const PlanOptions *options, Arena *arena,
                        PlanFragment ***fragments, int *n_fragments, Error *err)
{
    Fragmenter f = {.arena = arena, .workers = options->workers > 0 ? options->workers : 1};
    PlanFragment *top = new_fragment(&f, err);
    if (!top) return BS_ERROR;
    top->root = root;
    top->distribution = DIST_SINGLE;
    top->n_tasks = 1;
    top->output = (Partitioning){EXCHANGE_GATHER, 0, NULL, 1};
    BS_TRY(cut(&f, top, &top->root, err));
    *fragments = f.fragments;
    *n_fragments = f.count;
    return BS_OK;
}
