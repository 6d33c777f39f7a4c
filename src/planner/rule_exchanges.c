/*
 * rule_exchanges.c — exchange placement: the pass that decides where rows move.
 *
 * Every node delivers a partitioning at two levels, and may require one of its input:
 *
 *   remote  across the tasks of a fragment:  SINGLE (one task: the root), ANY (arbitrary,
 *           e.g. the splits of a scan), HASH(keys) (rows with equal keys in one task),
 *           BROADCAST (every task has every row)
 *   local   across the drivers of one task:   SINGLE (one driver), ANY, HASH(keys),
 *           RANGE (sorted ranges, one per driver, in driver order)
 *
 * plus whether the rows carry the order the query asks for (`ordered`). Walking the plan
 * bottom-up, the pass adds an exchange only where a child's partitioning does not satisfy
 * its parent's requirement (Trino's AddExchanges and AddLocalExchanges; the enforcers of
 * Cascades planners): a remote exchange becomes a fragment boundary, a local one a
 * boundary between pipelines of a task. HASH(K) is satisfied by SINGLE and by HASH(J)
 * with J a non-empty subset of K; with one worker every remote partitioning but SINGLE
 * holds all rows in one task, so it satisfies HASH too.
 *
 * Where an exchange must go under an operator that can do part of its work first, the
 * operator is split around it:
 *
 *   aggregation   a streaming PARTIAL where the rows are (a small table emitted whenever
 *                 it fills), REPARTITION on the groups across tasks and across drivers,
 *                 FINAL over whole groups; without groups, PARTIAL, GATHER, FINAL.
 *                 DISTINCT aggregates need whole groups in one place, so their input is
 *                 repartitioned on the groups (or, without groups, on the one DISTINCT
 *                 argument, with a PARTIAL/FINAL pair) instead
 *   limit         a partial limit of limit + offset rows per stream, then the limit
 *   TopN          a partial TopN per task, then the final one
 *
 * Per-node rules (child partitioning → requirement → delivered):
 *   TableScan            → remote ANY, local ANY
 *   Values, CsvScan      → SINGLE, SINGLE
 *   Filter, Project      pass their input's (Project renames hash keys, or loses them)
 *   HashAggregate        see above; delivers local HASH(groups): each driver of its source
 *                        emits whole groups
 *   Sort                 needs remote SINGLE; delivers local RANGE, ordered
 *   TopN                 needs remote SINGLE (after partial TopNs); delivers SINGLE, ordered
 *   Limit                needs SINGLE at both levels (after partial limits)
 *   TableWrite           runs in parallel: a single input stream is dealt round-robin to
 *                        the writers
 *   Join                 REPLICATED (build side broadcast to the probe side's tasks) or
 *                        PARTITIONED (both sides on the keys: a side already partitioned
 *                        on some of them stays, the other follows; else both repartitioned),
 *                        see join_partitioned: FULL joins always partitioned, joins without
 *                        keys and NOT IN's null-aware ones always replicated, otherwise the
 *                        session's join_distribution_type, whose AUTOMATIC broadcasts a build
 *                        side estimated within the broadcast limit when that moves fewer
 *                        bytes than partitioning both sides. A probe side in one task
 *                        gets the build side gathered to it. Delivers the probe side's
 *                        partitioning (a FULL join: ANY, its unmatched build rows' probe keys
 *                        are NULL)
 *   Window               HASH(partition keys) at both levels, so that every driver holds
 *                        whole partitions and sorts them itself; SINGLE at both levels
 *                        without partition keys. Delivers what it needs (not ordered)
 *   root                 remote SINGLE; one ordered stream when the query is ordered
 */
#include "planner/planner_int.h"

#include "common/strview.h"

#include <string.h>

typedef enum PartKind { PK_SINGLE, PK_ANY, PK_HASH, PK_BROADCAST, PK_RANGE } PartKind;

typedef struct Part {
    PartKind kind;
    int n_keys;
    const int *keys; /* PK_HASH: output column positions */
} Part;

typedef struct Props {
    Part remote;
    Part local;
    bool ordered;
} Props;

typedef struct Placer {
    Arena *arena;
    int *next_id;
    int workers;
    JoinDistribution join_distribution;
    double broadcast_limit;       /* bytes */
    const int *partitioned_joins; /* PlanOptions' */
    int n_partitioned_joins;
    /* Below a RecursiveCTE: everything runs in its one task (scans read every split
       there), so only local exchanges are placed. */
    bool one_task;
} Placer;

/*
 * Groups a streaming PARTIAL aggregation holds before it emits them: its table (keys,
 * hashes, states and index) then stays within a core's caches, and rows of one group
 * that arrive near each other are still combined.
 */
#define PARTIAL_FLUSH_GROUPS 16384

static const Part SINGLE = {PK_SINGLE, 0, NULL};
static const Part ANY = {PK_ANY, 0, NULL};

static Part hash_part(int n_keys, const int *keys)
{
    return (Part){PK_HASH, n_keys, keys};
}

/* ---- satisfaction ---- */

static bool key_in(int key, int n, const int *keys)
{
    for (int k = 0; k < n; k++)
        if (keys[k] == key) return true;
    return false;
}

static bool satisfies(const Placer *pl, bool remote, Part have, Part want)
{
    switch (want.kind) {
    case PK_ANY:
        return true;
    case PK_SINGLE:
        return have.kind == PK_SINGLE;
    case PK_HASH:
        if (have.kind == PK_SINGLE) return true;
        if (remote && pl->workers == 1 && have.kind != PK_BROADCAST) return true;
        if (have.kind != PK_HASH || have.n_keys == 0) return false;
        for (int k = 0; k < have.n_keys; k++)
            if (!key_in(have.keys[k], want.n_keys, want.keys)) return false;
        return true;
    case PK_BROADCAST:
        return have.kind == PK_BROADCAST;
    case PK_RANGE:
        return have.kind == PK_RANGE || have.kind == PK_SINGLE;
    }
    return false;
}

/* Where key sits in keys (-1: absent). */
static int key_at(int key, int n, const int *keys)
{
    for (int k = 0; k < n; k++)
        if (keys[k] == key) return k;
    return -1;
}

/*
 * Whether two inputs hashed as `a` and `b` deal equal join keys to the same task: both
 * hash the join's keys at the same positions, in the same order (HASH(y) on one side and
 * HASH(x, y) on the other each satisfy HASH(x, y), yet place a key pair apart).
 */
static bool aligned(Part a, const int *akeys, Part b, const int *bkeys, int nk)
{
    if (a.kind != PK_HASH || b.kind != PK_HASH || a.n_keys != b.n_keys) return false;
    for (int k = 0; k < a.n_keys; k++) {
        int at = key_at(a.keys[k], nk, akeys);
        if (at < 0 || at != key_at(b.keys[k], nk, bkeys)) return false;
    }
    return true;
}

/* ---- nodes ---- */

static PlanNode *new_node(Placer *pl, PlanKind kind, PlanNode *child, Error *err)
{
    PlanNode *n = arena_alloc_zero(pl->arena, sizeof *n);
    PlanNode **children = arena_alloc(pl->arena, sizeof(PlanNode *));
    LogicalType *types =
        arena_alloc(pl->arena, sizeof(LogicalType) * (size_t)(child->n_cols ? child->n_cols : 1));
    if (!n || !children || !types) {
        arena_error(pl->arena, err);
        return NULL;
    }
    memcpy(types, child->types, sizeof(LogicalType) * (size_t)child->n_cols);
    children[0] = child;
    n->kind = kind;
    n->id = (*pl->next_id)++;
    n->n_children = 1;
    n->children = children;
    n->n_cols = child->n_cols;
    n->types = types;
    n->est_rows = child->est_rows;
    return n;
}

static int *copy_keys(Placer *pl, int n, const int *keys)
{
    int *copy = arena_alloc(pl->arena, sizeof(int) * (size_t)(n ? n : 1));
    if (copy && n) memcpy(copy, keys, sizeof(int) * (size_t)n);
    return copy;
}

/*
 * Puts an exchange above *child and updates *props to what its consumer sees. `single`
 * (remote GATHER only): the consumer reads it with one driver.
 */
static Status add_exchange(Placer *pl, PlanNode **child, Props *props, bool local,
                           ExchangeKind kind, int n_keys, const int *keys, bool single, Error *err)
{
    PlanNode *x = new_node(pl, PLAN_EXCHANGE, *child, err);
    if (!x) return BS_ERROR;
    int *copy = copy_keys(pl, n_keys, keys);
    if (!copy) return arena_error(pl->arena, err);
    x->u.exchange.local = local;
    x->u.exchange.part.kind = kind;
    x->u.exchange.part.n_keys = n_keys;
    x->u.exchange.part.keys = copy;
    bool to_one = kind == EXCHANGE_GATHER || kind == EXCHANGE_ORDERED_GATHER;
    x->u.exchange.part.n_partitions = local ? 0 : to_one ? 1 : pl->workers;
    x->u.exchange.single = !local && single;
    *child = x;
    Part to = kind == EXCHANGE_REPARTITION ? hash_part(n_keys, copy)
              : kind == EXCHANGE_BROADCAST ? (Part){PK_BROADCAST, 0, NULL}
              : to_one                     ? SINGLE
                                           : ANY;
    if (local) {
        props->local = to;
        props->ordered = kind == EXCHANGE_ORDERED_GATHER && props->ordered;
    } else {
        props->remote = to;
        props->local = single ? SINGLE : ANY;
        props->ordered = false;
    }
    return BS_OK;
}

/* Brings the child to one stream in one task: remote GATHER, then local (ordered) gather. */
static Status to_single(Placer *pl, PlanNode **child, Props *props, Error *err)
{
    if (props->remote.kind != PK_SINGLE)
        BS_TRY(add_exchange(pl, child, props, false, EXCHANGE_GATHER, 0, NULL, true, err));
    if (props->local.kind == PK_RANGE)
        return add_exchange(pl, child, props, true, EXCHANGE_ORDERED_GATHER, 0, NULL, false, err);
    if (props->local.kind != PK_SINGLE)
        return add_exchange(pl, child, props, true, EXCHANGE_GATHER, 0, NULL, false, err);
    return BS_OK;
}

/* ---- expressions ---- */

/* Whether input columns a and b of node hold the same values row by row. */
static bool same_column(const PlanNode *input, int a, int b)
{
    if (a == b) return true;
    if (input->kind != PLAN_PROJECT) return false;
    return expr_equal(input->u.project.exprs[a], input->u.project.exprs[b]);
}

/* A project's output partitioning: hash keys follow the columns it passes through. */
static Status map_through_project(Placer *pl, const PlanNode *project, Part *part, Error *err)
{
    if (part->kind != PK_HASH) return BS_OK;
    int *keys = arena_alloc(pl->arena, sizeof(int) * (size_t)part->n_keys);
    if (!keys) return arena_error(pl->arena, err);
    for (int k = 0; k < part->n_keys; k++) {
        keys[k] = -1;
        for (int c = 0; c < project->n_cols && keys[k] < 0; c++) {
            const Expr *e = project->u.project.exprs[c];
            if (e->kind == EXPR_COLUMN && e->u.column.index == part->keys[k]) keys[k] = c;
        }
        if (keys[k] < 0) {
            *part = ANY;
            return BS_OK;
        }
    }
    part->keys = keys;
    return BS_OK;
}

/* ---- splitting ---- */

/* Partial limit (limit + offset rows per stream) above *child; nothing for LIMIT ALL. */
static Status partial_limit(Placer *pl, const PlanNode *limit, PlanNode **child, Error *err)
{
    if (limit->u.limit.limit < 0) return BS_OK;
    PlanNode *n = new_node(pl, PLAN_LIMIT, *child, err);
    if (!n) return BS_ERROR;
    int64_t l = limit->u.limit.limit, o = limit->u.limit.offset;
    n->u.limit.limit = l > INT64_MAX - o ? INT64_MAX : l + o;
    n->u.limit.offset = 0;
    /* Two rows of a stream are enough to tell that a scalar subquery has too many. */
    if (limit->u.limit.single_row) n->u.limit.limit = 2;
    n->u.limit.single_row = false;
    *child = n;
    return BS_OK;
}

/*
 * Splits aggregation `agg` (mode SINGLE over *child) into a PARTIAL above *child, whose
 * output columns are the groups then each aggregate's state, and turns agg into the FINAL
 * step over it. `distinct_done`: the partial step applies DISTINCT (its input holds every
 * row of each distinct value), so the final step combines plain states.
 */
static Status split_aggregate(Placer *pl, PlanNode *agg, PlanNode **child, bool distinct_done,
                              Error *err)
{
    int n_groups = agg->u.agg.n_groups, n_aggs = agg->u.agg.n_aggs;
    int n_state = n_groups;
    for (int k = 0; k < n_aggs; k++)
        n_state += plan_agg_state_width(&agg->u.agg.aggs[k]);
    PlanNode *partial = new_node(pl, PLAN_HASH_AGGREGATE, *child, err);
    if (!partial) return BS_ERROR;
    LogicalType *types = arena_alloc(pl->arena, sizeof(LogicalType) * (size_t)n_state);
    PlanAggregate *final_aggs = arena_memdup(pl->arena, agg->u.agg.aggs,
                                             sizeof(PlanAggregate) * (size_t)(n_aggs ? n_aggs : 1));
    if (!types || !final_aggs) return arena_error(pl->arena, err);
    for (int k = 0; k < n_groups; k++)
        types[k] = (*child)->types[agg->u.agg.groups[k]];
    int state = n_groups;
    for (int k = 0; k < n_aggs; k++) {
        for (int s = 0; s < plan_agg_state_width(&agg->u.agg.aggs[k]); s++)
            types[state + s] = plan_agg_state_type(&agg->u.agg.aggs[k], s);
        final_aggs[k].arg = state;
        if (distinct_done) final_aggs[k].distinct = false;
        state += plan_agg_state_width(&agg->u.agg.aggs[k]);
    }
    partial->n_cols = n_state;
    partial->types = types;
    partial->u.agg = agg->u.agg;
    partial->u.agg.mode = AGG_PARTIAL;
    partial->u.agg.input_partitioned = false;
    partial->est_rows = agg->est_rows;
    /* The final step reads the groups from the first columns of the partial's output. */
    int *groups = arena_alloc(pl->arena, sizeof(int) * (size_t)(n_groups ? n_groups : 1));
    if (!groups) return arena_error(pl->arena, err);
    for (int k = 0; k < n_groups; k++)
        groups[k] = k;
    agg->u.agg.mode = AGG_FINAL;
    agg->u.agg.groups = groups;
    agg->u.agg.aggs = final_aggs;
    *child = partial;
    return BS_OK;
}

/* The one input column every DISTINCT aggregate reads (up to equal expressions); -1 if none. */
static int common_distinct_arg(const PlanNode *agg, const PlanNode *input)
{
    int arg = -1;
    for (int k = 0; k < agg->u.agg.n_aggs; k++) {
        const PlanAggregate *a = &agg->u.agg.aggs[k];
        if (!a->distinct) continue;
        if (a->arg < 0) return -1;
        if (arg < 0)
            arg = a->arg;
        else if (!same_column(input, arg, a->arg))
            return -1;
    }
    return arg;
}

static Status place(Placer *pl, PlanNode **node, Props *out, Error *err);
static Status place_join(Placer *pl, PlanNode *n, Props *props, Error *err);

static Status place_aggregate(Placer *pl, PlanNode *agg, Props *props, Error *err)
{
    PlanNode **child = &agg->children[0];
    int n_groups = agg->u.agg.n_groups;
    /* DISTINCT and holistic aggregates (string_agg, quantiles) need whole groups. */
    bool distinct = false, holistic = false;
    for (int k = 0; k < agg->u.agg.n_aggs; k++) {
        distinct |= agg->u.agg.aggs[k].distinct;
        holistic |= plan_agg_is_holistic(agg->u.agg.aggs[k].func);
    }
    distinct |= holistic;
    const int *groups = agg->u.agg.groups;
    Part want = hash_part(n_groups, groups);

    if (n_groups == 0 && !distinct) {
        if (props->remote.kind != PK_SINGLE) {
            /* PARTIAL per task, one row each, gathered into the FINAL step. */
            BS_TRY(split_aggregate(pl, agg, child, false, err));
            BS_TRY(add_exchange(pl, child, props, false, EXCHANGE_GATHER, 0, NULL, false, err));
        }
        *props = (Props){SINGLE, SINGLE, false};
        return BS_OK;
    }
    if (n_groups == 0) {
        int arg = holistic ? -1 : common_distinct_arg(agg, *child);
        if (arg < 0) {
            /* DISTINCT over several arguments: every row in one stream. */
            BS_TRY(to_single(pl, child, props, err));
            agg->u.agg.input_partitioned = true;
            *props = (Props){SINGLE, SINGLE, false};
            return BS_OK;
        }
        /* Partition on the distinct argument: each partition's distinct values are its own,
           so partial results over disjoint values combine. */
        Part on_arg = hash_part(1, &arg);
        if (!satisfies(pl, true, props->remote, on_arg))
            BS_TRY(
                add_exchange(pl, child, props, false, EXCHANGE_REPARTITION, 1, &arg, false, err));
        if (!satisfies(pl, false, props->local, on_arg))
            BS_TRY(add_exchange(pl, child, props, true, EXCHANGE_REPARTITION, 1, &arg, false, err));
        BS_TRY(split_aggregate(pl, agg, child, true, err));
        if (props->remote.kind != PK_SINGLE)
            BS_TRY(add_exchange(pl, child, props, false, EXCHANGE_GATHER, 0, NULL, false, err));
        *props = (Props){SINGLE, SINGLE, false};
        return BS_OK;
    }
    bool remote_ok = satisfies(pl, true, props->remote, want);
    bool local_ok = satisfies(pl, false, props->local, want);
    if (!distinct && (!remote_ok || !local_ok)) {
        /* A streaming PARTIAL where the rows are (a small table, flushed when full), a
           REPARTITION on the groups between tasks and between drivers as needed, and the
           FINAL step over whole groups: no table is merged with another. */
        BS_TRY(split_aggregate(pl, agg, child, false, err));
        (*child)->u.agg.flush_groups = PARTIAL_FLUSH_GROUPS;
        if (!remote_ok)
            BS_TRY(add_exchange(pl, child, props, false, EXCHANGE_REPARTITION, n_groups,
                                agg->u.agg.groups, false, err));
        if (!satisfies(pl, false, props->local, hash_part(n_groups, agg->u.agg.groups)))
            BS_TRY(add_exchange(pl, child, props, true, EXCHANGE_REPARTITION, n_groups,
                                agg->u.agg.groups, false, err));
    } else if (distinct) {
        if (!satisfies(pl, true, props->remote, want))
            BS_TRY(add_exchange(pl, child, props, false, EXCHANGE_REPARTITION, n_groups, groups,
                                false, err));
        if (!satisfies(pl, false, props->local, want))
            BS_TRY(add_exchange(pl, child, props, true, EXCHANGE_REPARTITION, n_groups, groups,
                                false, err));
    }
    groups = agg->u.agg.groups; /* the FINAL step's, after a split */
    agg->u.agg.input_partitioned =
        satisfies(pl, false, props->local, hash_part(n_groups, agg->u.agg.groups));
    /*
     * Delivered, in the aggregation's output columns (group k is column k): whole groups
     * per driver; across tasks the input's hashing, carried through the groups — rows
     * hashed on g that are grouped by (g, x) are still hashed on g alone, and a join that
     * takes them for hashed on (g, x) would pair them with the wrong task's rows.
     */
    int *out_keys = arena_alloc(pl->arena, sizeof(int) * (size_t)(n_groups ? n_groups : 1));
    if (!out_keys) return arena_error(pl->arena, err);
    for (int k = 0; k < n_groups; k++)
        out_keys[k] = k;
    Part remote = hash_part(n_groups, out_keys);
    if (props->remote.kind == PK_SINGLE) {
        remote = SINGLE;
    } else if (pl->workers > 1 && props->remote.kind == PK_HASH) {
        int *keys = arena_alloc(pl->arena, sizeof(int) * (size_t)props->remote.n_keys);
        if (!keys) return arena_error(pl->arena, err);
        bool mapped = true;
        for (int k = 0; k < props->remote.n_keys && mapped; k++) {
            keys[k] = key_at(props->remote.keys[k], n_groups, groups);
            mapped = keys[k] >= 0;
        }
        remote = mapped ? hash_part(props->remote.n_keys, keys) : ANY;
    } else if (pl->workers > 1) {
        remote = ANY;
    }
    *props = (Props){remote, hash_part(n_groups, out_keys), false};
    return BS_OK;
}

/* ---- joins ---- */

/*
 * A string's guessed length (no statistics say how long a column's strings are), unless a
 * CHAR(n) / VARCHAR(n) says it is shorter; an array's guessed encoding.
 */
#define EST_STRING_BYTES 24
#define EST_ARRAY_BYTES  64

/*
 * The estimated bytes of a node's output: its rows times a width from its column types
 * (the value's vector width, plus a string's bytes past the 12 its view holds inline,
 * plus a NULL flag). < 0 when its rows are not estimated.
 */
static double estimated_bytes(const PlanNode *n)
{
    if (n->est_rows < 0) return -1;
    double width = 0;
    for (int c = 0; c < n->n_cols; c++) {
        LogicalType t = n->types[c];
        double outside = 0;
        if (type_is_string(t))
            outside = t.length > 0 && t.length < EST_STRING_BYTES ? t.length : EST_STRING_BYTES;
        else if (t.id == TYPE_ARRAY)
            outside = EST_ARRAY_BYTES;
        width += (double)type_size(t) + (outside > STRVIEW_INLINE_LEN ? outside : 0) + 1;
    }
    return n->est_rows * width;
}

/*
 * Whether a join whose probe side is spread over tasks partitions both sides on its keys
 * (else its build side is broadcast). Semantics first: without keys there is nothing to
 * partition on; a FULL join's unmatched build rows must come out once, which a build side
 * copied to every task would not; a null-aware MARK join (x IN (subquery)) answers NULL
 * from whether the whole build side is empty or has a NULL key, which no partition of it
 * can tell. Then the session's choice; AUTOMATIC partitions when the probe side already
 * is on the keys (only the build side moves, once, instead of to every task), when the
 * build side is not estimated within the broadcast limit, and when broadcasting would move
 * more bytes than partitioning (Trino's cost-based choice): a broadcast sends the build
 * side to each of the n tasks, n × build; partitioning sends each side once, probe +
 * build (so a big filtered lineitem under a few orders is partitioned, not copied).
 */
static bool join_partitioned(const Placer *pl, const PlanNode *n, const Props *pp)
{
    int nk = n->u.join.n_keys;
    if (nk == 0) return false;
    if (n->u.join.type == PJ_FULL) return true;
    if (n->u.join.null_aware) return false;
    if (pl->join_distribution == JOIN_DIST_BROADCAST) return false;
    if (pl->join_distribution == JOIN_DIST_PARTITIONED) return true;
    for (int k = 0; k < pl->n_partitioned_joins; k++)
        if (pl->partitioned_joins[k] == n->id) return true; /* its broadcast proved too big */
    if (pp->remote.kind == PK_HASH &&
        satisfies(pl, true, pp->remote, hash_part(nk, n->u.join.probe_keys)))
        return true;
    double bytes = estimated_bytes(n->children[1]);
    if (bytes < 0 || bytes > pl->broadcast_limit) return true;
    double probe = estimated_bytes(n->children[0]);
    return probe >= 0 && bytes * (pl->workers - 1) > probe;
}

/*
 * `have`'s keys (columns of one side, a subset of its join keys `from`) as the other
 * side's join keys `to` at the same places: the partitioning that deals the other side's
 * rows to the tasks holding their matches.
 */
static Status matching_keys(Placer *pl, Part have, const int *from, const int *to, int nk,
                            int **out, Error *err)
{
    int *keys = arena_alloc(pl->arena, sizeof(int) * (size_t)have.n_keys);
    if (!keys) return arena_error(pl->arena, err);
    for (int k = 0; k < have.n_keys; k++)
        keys[k] = to[key_at(have.keys[k], nk, from)];
    *out = keys;
    return BS_OK;
}

/*
 * Deals both sides of a join out by its keys, so that task k joins the rows whose keys
 * hash to partition k. A side already partitioned on (some of) its keys stays where it
 * is and the other follows it; otherwise both are repartitioned on every key. A side in
 * one task is always repartitioned: a single build stream would run in every probe task.
 */
static Status partition_both(Placer *pl, PlanNode *n, Props *pp, Props *bp, Error *err)
{
    int nk = n->u.join.n_keys;
    const int *pkeys = n->u.join.probe_keys, *bkeys = n->u.join.build_keys;
    bool pok = pp->remote.kind == PK_HASH && satisfies(pl, true, pp->remote, hash_part(nk, pkeys));
    bool bok = bp->remote.kind == PK_HASH && satisfies(pl, true, bp->remote, hash_part(nk, bkeys));
    if (pok && bok && aligned(pp->remote, pkeys, bp->remote, bkeys, nk)) return BS_OK;
    if (pok) {
        int *keys;
        BS_TRY(matching_keys(pl, pp->remote, pkeys, bkeys, nk, &keys, err));
        return add_exchange(pl, &n->children[1], bp, false, EXCHANGE_REPARTITION, pp->remote.n_keys,
                            keys, false, err);
    }
    if (bok) {
        int *keys;
        BS_TRY(matching_keys(pl, bp->remote, bkeys, pkeys, nk, &keys, err));
        return add_exchange(pl, &n->children[0], pp, false, EXCHANGE_REPARTITION, bp->remote.n_keys,
                            keys, false, err);
    }
    BS_TRY(
        add_exchange(pl, &n->children[0], pp, false, EXCHANGE_REPARTITION, nk, pkeys, false, err));
    return add_exchange(pl, &n->children[1], bp, false, EXCHANGE_REPARTITION, nk, bkeys, false,
                        err);
}

/*
 * A join. Inside a task every build driver adds to one table that every probe driver
 * reads, so no local exchange is needed. Across tasks (join_partitioned decides):
 * REPLICATED, the build side broadcast to the probe side's tasks; or PARTITIONED, both
 * sides dealt out by the keys (partition_both). A probe side in one task (or a FULL join
 * without keys) gets the build side gathered to it instead.
 *
 * Delivered: the probe side's partitioning (its rows stay in their tasks), except that a
 * FULL join's is ANY: an unmatched build row has NULL probe keys, in the task its build
 * keys hashed to.
 */
static Status place_join(Placer *pl, PlanNode *n, Props *props, Error *err)
{
    Props pp, bp;
    BS_TRY(place(pl, &n->children[0], &pp, err));
    BS_TRY(place(pl, &n->children[1], &bp, err));
    bool full = n->u.join.type == PJ_FULL;
    Part remote = pp.remote;
    n->u.join.distribution = PJD_LOCAL;
    if (pl->workers > 1) {
        if (pp.remote.kind == PK_SINGLE || (full && n->u.join.n_keys == 0)) {
            if (pp.remote.kind != PK_SINGLE)
                BS_TRY(add_exchange(pl, &n->children[0], &pp, false, EXCHANGE_GATHER, 0, NULL,
                                    false, err));
            if (bp.remote.kind != PK_SINGLE)
                BS_TRY(add_exchange(pl, &n->children[1], &bp, false, EXCHANGE_GATHER, 0, NULL,
                                    false, err));
            remote = SINGLE;
            n->u.join.distribution = PJD_SINGLE;
        } else if (join_partitioned(pl, n, &pp)) {
            BS_TRY(partition_both(pl, n, &pp, &bp, err));
            remote = full ? ANY : pp.remote;
            n->u.join.distribution = PJD_PARTITIONED;
        } else {
            if (bp.remote.kind != PK_BROADCAST)
                BS_TRY(add_exchange(pl, &n->children[1], &bp, false, EXCHANGE_BROADCAST, 0, NULL,
                                    false, err));
            n->u.join.distribution = PJD_REPLICATED;
        }
    }
    /* Probe rows stay in their driver, except a FULL join's unmatched build rows. */
    Part local = full || pp.local.kind == PK_RANGE ? ANY : pp.local;
    *props = (Props){remote, local, false};
    return BS_OK;
}

static bool has_remote_exchange(const PlanNode *n)
{
    if (n->kind == PLAN_EXCHANGE && !n->u.exchange.local) return true;
    for (int k = 0; k < n->n_children; k++)
        if (has_remote_exchange(n->children[k])) return true;
    return false;
}

static Status place(Placer *pl, PlanNode **node, Props *props, Error *err)
{
    PlanNode *n = *node;
    if (n->kind != PLAN_TABLE_SCAN && n->kind != PLAN_VALUES && n->kind != PLAN_CSV_SCAN &&
        n->kind != PLAN_RANGE && n->kind != PLAN_CTE_SCAN && n->kind != PLAN_UNION &&
        n->n_children != (n->kind == PLAN_JOIN || n->kind == PLAN_RECURSIVE_CTE ? 2 : 1))
        return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "planner: node %d has %d inputs",
                         n->kind, n->n_children);
    switch (n->kind) {
    case PLAN_TABLE_SCAN:
        *props = (Props){pl->one_task ? SINGLE : ANY, ANY, false};
        return BS_OK;
    case PLAN_CTE_SCAN:
        /* The drivers of the term's task share the working table's chunks. */
        *props = (Props){SINGLE, ANY, false};
        return BS_OK;
    case PLAN_RECURSIVE_CTE: {
        /* One task evaluates it; its children run there as nested tasks of their own. */
        Placer inner = *pl;
        inner.workers = 1;
        inner.one_task = true;
        for (int k = 0; k < 2; k++) {
            Props cp;
            BS_TRY(place(&inner, &n->children[k], &cp, err));
            if (cp.remote.kind != PK_SINGLE || has_remote_exchange(n->children[k]))
                return error_set(err, SQLSTATE_INTERNAL_ERROR, -1,
                                 "planner: a remote exchange below a recursive CTE");
        }
        *props = (Props){SINGLE, SINGLE, false};
        return BS_OK;
    }
    case PLAN_VALUES:
    case PLAN_CSV_SCAN:
    case PLAN_RANGE:
        *props = (Props){SINGLE, SINGLE, false};
        return BS_OK;
    case PLAN_FILTER:
        return place(pl, &n->children[0], props, err);
    case PLAN_UNNEST:
    case PLAN_EXPAND:
        /* Rows stay where they are, but the keys a set nulls no longer partition them. */
        BS_TRY(place(pl, &n->children[0], props, err));
        if (props->remote.kind != PK_SINGLE) props->remote = ANY;
        if (props->local.kind != PK_SINGLE) props->local = ANY;
        props->ordered = false;
        return BS_OK;
    case PLAN_PROJECT:
        BS_TRY(place(pl, &n->children[0], props, err));
        BS_TRY(map_through_project(pl, n, &props->remote, err));
        return map_through_project(pl, n, &props->local, err);
    case PLAN_HASH_AGGREGATE:
        BS_TRY(place(pl, &n->children[0], props, err));
        return place_aggregate(pl, n, props, err);
    case PLAN_SORT:
        BS_TRY(place(pl, &n->children[0], props, err));
        if (props->remote.kind != PK_SINGLE)
            BS_TRY(add_exchange(pl, &n->children[0], props, false, EXCHANGE_GATHER, 0, NULL, false,
                                err));
        *props = (Props){SINGLE, {PK_RANGE, 0, NULL}, true};
        return BS_OK;
    case PLAN_TOPN:
        BS_TRY(place(pl, &n->children[0], props, err));
        if (props->remote.kind != PK_SINGLE) {
            PlanNode *partial = new_node(pl, PLAN_TOPN, n->children[0], err);
            if (!partial) return BS_ERROR;
            partial->u.sort = n->u.sort;
            n->children[0] = partial;
            BS_TRY(add_exchange(pl, &n->children[0], props, false, EXCHANGE_GATHER, 0, NULL, false,
                                err));
        }
        *props = (Props){SINGLE, SINGLE, true};
        return BS_OK;
    case PLAN_LIMIT: {
        BS_TRY(place(pl, &n->children[0], props, err));
        bool ordered = props->ordered;
        if (props->remote.kind != PK_SINGLE || props->local.kind != PK_SINGLE) {
            BS_TRY(partial_limit(pl, n, &n->children[0], err));
            BS_TRY(to_single(pl, &n->children[0], props, err));
        }
        *props = (Props){SINGLE, SINGLE, ordered};
        return BS_OK;
    }
    case PLAN_TABLE_WRITE:
        BS_TRY(place(pl, &n->children[0], props, err));
        /* Writers encode and compress: deal a single stream to several of them. */
        if (props->local.kind == PK_SINGLE)
            BS_TRY(add_exchange(pl, &n->children[0], props, true, EXCHANGE_ROUND_ROBIN, 0, NULL,
                                false, err));
        props->local = ANY;
        props->remote = props->remote.kind == PK_SINGLE ? SINGLE : ANY;
        props->ordered = false;
        return BS_OK;
    case PLAN_JOIN:
        return place_join(pl, n, props, err);
    case PLAN_WINDOW: {
        BS_TRY(place(pl, &n->children[0], props, err));
        int nk = n->u.window.n_partitions;
        const int *keys = n->u.window.partitions;
        if (nk == 0) {
            BS_TRY(to_single(pl, &n->children[0], props, err));
            *props = (Props){SINGLE, SINGLE, false};
            return BS_OK;
        }
        Part want = hash_part(nk, keys);
        if (!satisfies(pl, true, props->remote, want))
            BS_TRY(add_exchange(pl, &n->children[0], props, false, EXCHANGE_REPARTITION, nk, keys,
                                false, err));
        if (!satisfies(pl, false, props->local, want))
            BS_TRY(add_exchange(pl, &n->children[0], props, true, EXCHANGE_REPARTITION, nk, keys,
                                false, err));
        /* The input's columns keep their positions in the output. */
        props->ordered = false;
        if (props->local.kind == PK_RANGE) props->local = ANY;
        return BS_OK;
    }
    case PLAN_UNION: {
        /* Inputs in one task stay there when all are; otherwise a single input is dealt
           to the tasks of the others, so that no row is read twice. */
        Props *cp = arena_alloc(pl->arena, sizeof(Props) * (size_t)n->n_children);
        if (!cp) return arena_error(pl->arena, err);
        bool all_single = true;
        for (int k = 0; k < n->n_children; k++) {
            BS_TRY(place(pl, &n->children[k], &cp[k], err));
            all_single = all_single && cp[k].remote.kind == PK_SINGLE;
        }
        if (!all_single && pl->workers > 1)
            for (int k = 0; k < n->n_children; k++)
                if (cp[k].remote.kind == PK_SINGLE || cp[k].remote.kind == PK_BROADCAST)
                    BS_TRY(add_exchange(pl, &n->children[k], &cp[k], false, EXCHANGE_ROUND_ROBIN, 0,
                                        NULL, false, err));
        *props = (Props){all_single ? SINGLE : ANY, ANY, false};
        return BS_OK;
    }
    case PLAN_EXCHANGE:
    case PLAN_REMOTE_SOURCE:
    case PLAN_KIND_COUNT_:
        break;
    }
    return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "planner: unexpected node %d", n->kind);
}

Status planner_place_exchanges(PlanNode **root, const PlanOptions *options, Arena *arena,
                               int *next_id, Error *err)
{
    int64_t limit = options->broadcast_limit_bytes > 0 ? options->broadcast_limit_bytes
                                                       : PLAN_DEFAULT_BROADCAST_LIMIT;
    Placer pl = {.arena = arena,
                 .next_id = next_id,
                 .workers = options->workers > 0 ? options->workers : 1,
                 .join_distribution = options->join_distribution,
                 .broadcast_limit = (double)limit,
                 .partitioned_joins = options->partitioned_joins,
                 .n_partitioned_joins = options->n_partitioned_joins};
    Props props;
    BS_TRY(place(&pl, root, &props, err));
    /* The client reads one stream from the root fragment: in order when the query is. */
    if (props.remote.kind != PK_SINGLE)
        BS_TRY(add_exchange(&pl, root, &props, false, EXCHANGE_GATHER, 0, NULL, false, err));
    if (props.ordered && props.local.kind == PK_RANGE)
        BS_TRY(add_exchange(&pl, root, &props, true, EXCHANGE_ORDERED_GATHER, 0, NULL, false, err));
    return BS_OK;
}
