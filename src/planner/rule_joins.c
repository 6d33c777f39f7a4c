/*
 * rule_joins.c — predicates go down and inner joins get an order.
 *
 * Filter pushdown: the conjuncts of every filter (WHERE, HAVING, a filter over a derived
 * table) travel down the plan to the lowest operator that has every column they read:
 * through projections and aggregations (on group columns only) by substituting the
 * expressions those compute, into either side of a join where that keeps its meaning
 * (the preserved side of an outer join only for conditions above it; the null-supplying
 * side only for conditions from its ON), and into the conditions of inner joins. What
 * cannot go further becomes a filter right there.
 *
 * Join order: a tree of inner (and cross) joins is flattened into its relations and
 * conditions, and rebuilt left-deep by a greedy choice: start from the connected pair
 * whose join is estimated smallest, then add, each time, the relation connected to what is
 * joined so far whose join is estimated smallest (a relation connected to nothing comes
 * last, as a cross join). Each condition is attached to the first join that has all its
 * columns. Estimates: a table's rows, times a selectivity per filter conjunct (equality
 * 0.1, range 0.3, other 0.5), and for an equality join |l| |r| / max(V(l), V(r)) with V
 * a side's distinct keys: its column's distinct values in the table (bounded by the range
 * of an integer column's zone maps), at most the side's rows. Every operator's est_rows is
 * set for the physical planner, which builds the smaller side of each join.
 */
#include "planner/planner_int.h"

#include <string.h>

typedef struct Rewriter {
    Arena *arena;
    Error *err;
    uint32_t next_table;
} Rewriter;

typedef struct ExprList {
    Expr **items;
    int count, capacity;
} ExprList;

static Status oom(Rewriter *rw)
{
    return arena_error(rw->arena, rw->err);
}

static Status list_add(Rewriter *rw, ExprList *l, Expr *e)
{
    if (l->count == l->capacity) {
        int cap = l->capacity ? l->capacity * 2 : 8;
        Expr **grown = arena_grow(rw->arena, l->items, sizeof(Expr *) * (size_t)l->capacity,
                                  sizeof(Expr *) * (size_t)cap);
        if (!grown) return oom(rw);
        l->items = grown;
        l->capacity = cap;
    }
    l->items[l->count++] = e;
    return BS_OK;
}

static Status add_conjuncts(Rewriter *rw, ExprList *l, Expr *e);
static Status conjunction(Rewriter *rw, Expr **items, int n, Expr **out);

/* The arguments of e as a conjunction (e itself when it is not an AND). */
static void conjuncts_of(Expr *e, Expr ***items, int *n)
{
    if (e->kind == EXPR_AND) {
        *items = e->u.conj.args;
        *n = e->u.conj.n_args;
    } else {
        *items = NULL;
        *n = 1;
    }
}

/*
 * (a AND b) OR (a AND c) → a AND (b OR c): a conjunct every disjunct has is taken out, so
 * that a join condition written inside each branch of an OR (TPC-H Q19) is a join
 * condition. Adds the pieces to l.
 */
static Status add_disjunction(Rewriter *rw, ExprList *l, Expr *e)
{
    int n = e->u.conj.n_args;
    Expr **first;
    int n_first;
    conjuncts_of(e->u.conj.args[0], &first, &n_first);
    ExprList common = {0};
    for (int i = 0; i < n_first; i++) {
        Expr *c = first ? first[i] : e->u.conj.args[0];
        bool everywhere = true;
        for (int d = 1; d < n && everywhere; d++) {
            Expr **items;
            int m;
            conjuncts_of(e->u.conj.args[d], &items, &m);
            bool found = false;
            for (int j = 0; j < m && !found; j++)
                found = expr_equal(items ? items[j] : e->u.conj.args[d], c);
            everywhere = found;
        }
        if (everywhere) BS_TRY(list_add(rw, &common, c));
    }
    if (common.count == 0) return list_add(rw, l, e);
    /* What is left of each disjunct; a disjunct left empty makes the OR true. */
    Expr *rest = expr_new(rw->arena, EXPR_OR, type_make(TYPE_BOOLEAN), e->pos);
    Expr **args = arena_alloc(rw->arena, sizeof(Expr *) * (size_t)n);
    if (!rest || !args) return oom(rw);
    bool always = false;
    for (int d = 0; d < n && !always; d++) {
        Expr **items;
        int m;
        conjuncts_of(e->u.conj.args[d], &items, &m);
        ExprList left = {0};
        for (int j = 0; j < m; j++) {
            Expr *c = items ? items[j] : e->u.conj.args[d];
            bool shared = false;
            for (int k = 0; k < common.count && !shared; k++)
                shared = expr_equal(common.items[k], c);
            if (!shared) BS_TRY(list_add(rw, &left, c));
        }
        if (left.count == 0) always = true;
        BS_TRY(conjunction(rw, left.items, left.count, &args[d]));
    }
    for (int k = 0; k < common.count; k++)
        BS_TRY(add_conjuncts(rw, l, common.items[k]));
    if (always) return BS_OK;
    rest->u.conj.n_args = n;
    rest->u.conj.args = args;
    return list_add(rw, l, rest);
}

static Status add_conjuncts(Rewriter *rw, ExprList *l, Expr *e)
{
    if (!e) return BS_OK;
    if (e->kind == EXPR_AND) {
        for (int k = 0; k < e->u.conj.n_args; k++)
            BS_TRY(add_conjuncts(rw, l, e->u.conj.args[k]));
        return BS_OK;
    }
    if (e->kind == EXPR_OR && e->u.conj.n_args > 1) return add_disjunction(rw, l, e);
    return list_add(rw, l, e);
}

/* AND of items (NULL when there are none). */
static Status conjunction(Rewriter *rw, Expr **items, int n, Expr **out)
{
    *out = NULL;
    if (n == 0) return BS_OK;
    if (n == 1) {
        *out = items[0];
        return BS_OK;
    }
    Expr *e = expr_new(rw->arena, EXPR_AND, type_make(TYPE_BOOLEAN), items[0]->pos);
    Expr **args = arena_memdup(rw->arena, items, sizeof(Expr *) * (size_t)n);
    if (!e || !args) return oom(rw);
    e->u.conj.n_args = n;
    e->u.conj.args = args;
    *out = e;
    return BS_OK;
}

/* ---- column references ---- */

/* Whether every column e reads is an output of op. */
static bool bound_by(Expr *e, const LogicalOp *op)
{
    bool in, unused, other;
    expr_column_sources(e, op, NULL, &in, &unused, &other);
    return !other;
}

static bool references_any(Expr *e)
{
    bool unused_a, unused_b, other;
    expr_column_sources(e, NULL, NULL, &unused_a, &unused_b, &other);
    return other;
}

/* Whether condition c joins a and b: it reads columns of both and of nothing else. */
static bool joins(Expr *c, const LogicalOp *a, const LogicalOp *b)
{
    bool in_a, in_b, other;
    expr_column_sources(c, a, b, &in_a, &in_b, &other);
    return in_a && in_b && !other;
}

/* ---- substitution (through projections and aggregations) ---- */

/*
 * A copy of e in which each column of `table` is replaced by exprs[column] (the path to
 * each replaced column is copied; the rest is shared). *ok false when a column of `table`
 * has no replacement (exprs[column] NULL).
 */
static Status substitute(Rewriter *rw, Expr *e, uint32_t table, Expr **exprs, int n_exprs,
                         Expr **out, bool *ok)
{
    if (e->kind == EXPR_COLUMN) {
        *out = e;
        if (e->u.column.binding.table != table) return BS_OK;
        uint32_t c = e->u.column.binding.column;
        if ((int)c >= n_exprs || !exprs[c]) {
            *ok = false;
            return BS_OK;
        }
        *out = exprs[c];
        return BS_OK;
    }
    Expr *copy = arena_memdup(rw->arena, e, sizeof *e);
    if (!copy) return oom(rw);
    switch (e->kind) {
    case EXPR_CONSTANT:
    case EXPR_COLUMN:
    case EXPR_AGGREGATE:
    case EXPR_SUBQUERY:
    case EXPR_WINDOW:
        *out = e;
        return BS_OK;
    case EXPR_CALL:
        copy->u.call.args =
            arena_memdup(rw->arena, e->u.call.args, sizeof(Expr *) * (size_t)e->u.call.n_args);
        if (e->u.call.n_args && !copy->u.call.args) return oom(rw);
        for (int k = 0; k < e->u.call.n_args; k++)
            BS_TRY(substitute(rw, e->u.call.args[k], table, exprs, n_exprs, &copy->u.call.args[k],
                              ok));
        break;
    case EXPR_CAST:
        BS_TRY(substitute(rw, e->u.cast.arg, table, exprs, n_exprs, &copy->u.cast.arg, ok));
        break;
    case EXPR_AND:
    case EXPR_OR:
        copy->u.conj.args =
            arena_memdup(rw->arena, e->u.conj.args, sizeof(Expr *) * (size_t)e->u.conj.n_args);
        if (!copy->u.conj.args) return oom(rw);
        for (int k = 0; k < e->u.conj.n_args; k++)
            BS_TRY(substitute(rw, e->u.conj.args[k], table, exprs, n_exprs, &copy->u.conj.args[k],
                              ok));
        break;
    case EXPR_NOT:
    case EXPR_IS_NULL:
    case EXPR_IS_NOT_NULL:
        BS_TRY(substitute(rw, e->u.unary.arg, table, exprs, n_exprs, &copy->u.unary.arg, ok));
        break;
    case EXPR_CASE: {
        int n = e->u.case_.n_whens;
        copy->u.case_.whens = arena_memdup(rw->arena, e->u.case_.whens, sizeof(Expr *) * (size_t)n);
        copy->u.case_.thens = arena_memdup(rw->arena, e->u.case_.thens, sizeof(Expr *) * (size_t)n);
        if (!copy->u.case_.whens || !copy->u.case_.thens) return oom(rw);
        for (int k = 0; k < n; k++) {
            BS_TRY(substitute(rw, e->u.case_.whens[k], table, exprs, n_exprs,
                              &copy->u.case_.whens[k], ok));
            BS_TRY(substitute(rw, e->u.case_.thens[k], table, exprs, n_exprs,
                              &copy->u.case_.thens[k], ok));
        }
        BS_TRY(substitute(rw, e->u.case_.else_expr, table, exprs, n_exprs, &copy->u.case_.else_expr,
                          ok));
        break;
    }
    }
    *out = copy;
    return BS_OK;
}

/* ---- estimates ---- */

static double conjunct_selectivity(const Expr *e)
{
    if (e->kind == EXPR_CALL) {
        switch (e->u.call.func) {
        case FN_EQ:
            return 0.1;
        case FN_LT:
        case FN_LE:
        case FN_GT:
        case FN_GE:
            return 0.3;
        case FN_IN:
            return 0.2;
        case FN_LIKE:
            return 0.1;
        default:
            break;
        }
    }
    if (e->kind == EXPR_AND) {
        double s = 1;
        for (int k = 0; k < e->u.conj.n_args; k++)
            s *= conjunct_selectivity(e->u.conj.args[k]);
        return s;
    }
    return 0.5;
}

/* The scan below op that produces binding b; NULL if it comes from elsewhere. */
static const LogicalOp *source_scan(const LogicalOp *op, ColumnBinding b)
{
    if (op->kind == LOP_GET) return op->u.get.table_index == b.table ? op : NULL;
    if (op->kind == LOP_PROJECT || op->kind == LOP_AGGREGATE) return NULL;
    for (int k = 0; k < op->n_children; k++) {
        const LogicalOp *s = source_scan(op->children[k], b);
        if (s) return s;
    }
    return NULL;
}

/* Distinct values of key expression e among side's rows: its column's distinct values
   in the table (catalog estimate), at most the side's rows. */
static double key_ndv(const LogicalOp *side, const Expr *key)
{
    double rows = side->est_rows < 1 ? 1 : side->est_rows;
    double ndv = rows;
    if (key->kind == EXPR_COLUMN) {
        const LogicalOp *scan = source_scan(side, key->u.column.binding);
        if (scan && scan->u.get.table) {
            const CatalogTable *t = scan->u.get.table;
            uint32_t c = key->u.column.binding.column;
            ndv = t->col_ndv && (int)c < t->n_cols ? t->col_ndv[c] : t->n_rows;
        }
    }
    return ndv < rows ? (ndv < 1 ? 1 : ndv) : rows;
}

/* Estimated rows of l ⋈ r under the conditions of list[] that join them: for the most
   selective equality, |l| |r| / max(distinct keys of l, distinct keys of r). */
static double join_estimate(const LogicalOp *l, const LogicalOp *r, Expr **list, int n)
{
    double le = l->est_rows < 1 ? 1 : l->est_rows, re = r->est_rows < 1 ? 1 : r->est_rows;
    double best = le * re;
    for (int k = 0; k < n; k++) {
        Expr *c = list[k];
        if (c->kind != EXPR_CALL ||
            (c->u.call.func != FN_EQ && c->u.call.func != FN_IS_NOT_DISTINCT) ||
            c->u.call.n_args != 2)
            continue;
        Expr *a = c->u.call.args[0], *b = c->u.call.args[1];
        if (!(bound_by(a, l) && bound_by(b, r))) {
            Expr *t = a;
            a = b;
            b = t;
        }
        if (!(bound_by(a, l) && bound_by(b, r) && references_any(a) && references_any(b)))
            continue;
        double va = key_ndv(l, a), vb = key_ndv(r, b);
        double est = le * re / (va > vb ? va : vb);
        if (est < best) best = est;
    }
    return best;
}

/* Sets est_rows of op from its children (children first). */
static void estimate(LogicalOp *op)
{
    for (int k = 0; k < op->n_children; k++)
        estimate(op->children[k]);
    switch (op->kind) {
    case LOP_GET:
        op->est_rows = op->u.get.table ? (double)op->u.get.table->n_rows : -1;
        break;
    case LOP_VALUES:
        op->est_rows = op->u.values.n_rows;
        break;
    case LOP_RANGE: {
        const Expr *a = op->u.range.start, *z = op->u.range.stop, *s = op->u.range.step;
        op->est_rows = 1000;
        if (a->kind == EXPR_CONSTANT && z->kind == EXPR_CONSTANT && s->kind == EXPR_CONSTANT &&
            !a->u.constant.is_null && !z->u.constant.is_null && !s->u.constant.is_null &&
            s->u.constant.u.i64 != 0) {
            double n = ((double)z->u.constant.u.i64 - (double)a->u.constant.u.i64) /
                       (double)s->u.constant.u.i64;
            op->est_rows = n < 0 ? 0 : n + 1;
        }
        break;
    }
    case LOP_FILTER: {
        double s = conjunct_selectivity(op->u.filter.predicate);
        op->est_rows = op->children[0]->est_rows < 0 ? -1 : op->children[0]->est_rows * s;
        break;
    }
    case LOP_AGGREGATE:
        op->est_rows = op->u.aggregate.n_groups == 0 ? 1
                       : op->children[0]->est_rows < 0 ? -1
                                                        : op->children[0]->est_rows / 2;
        break;
    case LOP_LIMIT: {
        double c = op->children[0]->est_rows;
        double l = (double)op->u.limit.limit;
        op->est_rows = op->u.limit.limit >= 0 && (c < 0 || l < c) ? l : c;
        break;
    }
    case LOP_JOIN: {
        const LogicalOp *l = op->children[0], *r = op->children[1];
        if (l->est_rows < 0 || r->est_rows < 0) {
            op->est_rows = -1;
            break;
        }
        switch (op->u.join.type) {
        case LJ_SEMI:
        case LJ_ANTI:
            op->est_rows = l->est_rows * 0.5;
            break;
        case LJ_MARK:
            op->est_rows = l->est_rows;
            break;
        default: {
            Expr *cond = op->u.join.condition;
            double est = l->est_rows * r->est_rows;
            if (cond && cond->kind == EXPR_AND)
                est = join_estimate(l, r, cond->u.conj.args, cond->u.conj.n_args);
            else if (cond)
                est = join_estimate(l, r, &cond, 1);
            if (op->u.join.type == LJ_LEFT && est < l->est_rows) est = l->est_rows;
            if (op->u.join.type == LJ_RIGHT && est < r->est_rows) est = r->est_rows;
            op->est_rows = est;
        }
        }
        break;
    }
    case LOP_UNNEST: /* a guess: a few elements per array */
        op->est_rows = op->children[0]->est_rows < 0 ? -1 : op->children[0]->est_rows * 4;
        break;
    case LOP_EXPAND:
        op->est_rows = op->children[0]->est_rows < 0
                           ? -1
                           : op->children[0]->est_rows * op->u.expand.n_sets;
        break;
    case LOP_RECURSIVE_CTE:
        /* No way to tell how many iterations: a guess of ten times the anchor. */
        op->est_rows = op->children[0]->est_rows < 0 ? -1 : op->children[0]->est_rows * 10;
        break;
    case LOP_CTE_SCAN:
        op->est_rows = 1000;
        break;
    default:
        op->est_rows = op->n_children ? op->children[0]->est_rows : -1;
        break;
    }
}

/* ---- pushdown ---- */

static Status push(Rewriter *rw, LogicalOp **slot, ExprList *pending);

/* Puts the pending conjuncts as a filter over *slot (nothing when there are none). */
static Status apply_here(Rewriter *rw, LogicalOp **slot, ExprList *pending)
{
    if (pending->count == 0) return BS_OK;
    Expr *pred;
    BS_TRY(conjunction(rw, pending->items, pending->count, &pred));
    LogicalOp *filter = logical_create(rw->arena, LOP_FILTER, *slot);
    if (!filter) return oom(rw);
    filter->u.filter.predicate = pred;
    BS_TRY(logical_resolve(filter, rw->arena, rw->err));
    *slot = filter;
    pending->count = 0;
    return BS_OK;
}

/* Pushes into a child the pending conjuncts it binds, keeping the others in `pending`. */
static Status push_into(Rewriter *rw, LogicalOp **child, ExprList *pending, bool *taken_mask)
{
    ExprList mine = {0};
    for (int k = 0; k < pending->count; k++)
        if (!taken_mask[k] && bound_by(pending->items[k], *child)) {
            BS_TRY(list_add(rw, &mine, pending->items[k]));
            taken_mask[k] = true;
        }
    return push(rw, child, &mine);
}

/* Removes the conjuncts marked taken from the list. */
static void drop_taken(ExprList *l, const bool *taken)
{
    int kept = 0;
    for (int k = 0; k < l->count; k++)
        if (!taken[k]) l->items[kept++] = l->items[k];
    l->count = kept;
}

typedef struct Relations {
    LogicalOp **items;
    int count, capacity;
} Relations;

static Status relations_add(Rewriter *rw, Relations *r, LogicalOp *op)
{
    if (r->count == r->capacity) {
        int cap = r->capacity ? r->capacity * 2 : 8;
        LogicalOp **grown = arena_grow(rw->arena, r->items, sizeof(LogicalOp *) * (size_t)r->capacity,
                                       sizeof(LogicalOp *) * (size_t)cap);
        if (!grown) return oom(rw);
        r->items = grown;
        r->capacity = cap;
    }
    r->items[r->count++] = op;
    return BS_OK;
}

/* Flattens a tree of inner joins into its relations and conditions. */
static Status flatten(Rewriter *rw, LogicalOp *op, Relations *rels, ExprList *conds)
{
    if (op->kind == LOP_JOIN && op->u.join.type == LJ_INNER) {
        BS_TRY(add_conjuncts(rw, conds, op->u.join.condition));
        BS_TRY(flatten(rw, op->children[0], rels, conds));
        return flatten(rw, op->children[1], rels, conds);
    }
    return relations_add(rw, rels, op);
}

/* Reorders a flattened set of inner joins (relations already pushed into and estimated). */
static Status order_joins(Rewriter *rw, Relations *rels, ExprList *conds, LogicalOp **out)
{
    int n = rels->count;
    bool *used = arena_alloc_zero(rw->arena, sizeof(bool) * (size_t)n);
    bool *applied = arena_alloc_zero(rw->arena, sizeof(bool) * (size_t)(conds->count + 1));
    if (!used || !applied) return oom(rw);
    /* The conditions that join a (joined so far) and b. */
    LogicalOp *cur = NULL;
    int first = -1, second = -1;
    double best = -1;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            if (i == j) continue;
            bool connected = false;
            for (int k = 0; k < conds->count && !connected; k++)
                connected = joins(conds->items[k], rels->items[i], rels->items[j]);
            if (!connected) continue;
            double est = join_estimate(rels->items[i], rels->items[j], conds->items, conds->count);
            if (best < 0 || est < best) {
                best = est;
                first = i;
                second = j;
            }
        }
    if (first < 0) {
        /* Nothing connects any pair: start from the smallest relation. */
        first = 0;
        for (int i = 1; i < n; i++)
            if (rels->items[i]->est_rows < rels->items[first]->est_rows) first = i;
    }
    cur = rels->items[first];
    used[first] = true;
    int remaining = n - 1;
    int next = second;
    while (remaining > 0) {
        if (next < 0) {
            /* The connected relation whose join is estimated smallest; else the smallest. */
            double nbest = -1;
            for (int j = 0; j < n; j++) {
                if (used[j]) continue;
                bool connected = false;
                for (int k = 0; k < conds->count && !connected; k++)
                    connected = !applied[k] && joins(conds->items[k], cur, rels->items[j]);
                if (!connected) continue;
                double est = join_estimate(cur, rels->items[j], conds->items, conds->count);
                if (nbest < 0 || est < nbest) {
                    nbest = est;
                    next = j;
                }
            }
            if (next < 0) {
                for (int j = 0; j < n; j++)
                    if (!used[j] && (next < 0 || rels->items[j]->est_rows < rels->items[next]->est_rows))
                        next = j;
            }
        }
        LogicalOp *join = logical_join(rw->arena, LJ_INNER, cur, rels->items[next], NULL);
        if (!join) return oom(rw);
        ExprList on = {0};
        for (int k = 0; k < conds->count; k++)
            if (!applied[k] && bound_by(conds->items[k], join)) {
                BS_TRY(list_add(rw, &on, conds->items[k]));
                applied[k] = true;
            }
        BS_TRY(conjunction(rw, on.items, on.count, &join->u.join.condition));
        estimate(join);
        used[next] = true;
        cur = join;
        remaining--;
        next = -1;
    }
    /* Conditions no join took (none read a column: constants) stay above. */
    ExprList rest = {0};
    for (int k = 0; k < conds->count; k++)
        if (!applied[k]) BS_TRY(list_add(rw, &rest, conds->items[k]));
    *out = cur;
    return apply_here(rw, out, &rest);
}

static Status push_join(Rewriter *rw, LogicalOp **slot, ExprList *pending)
{
    LogicalOp *op = *slot;
    LogicalJoinType t = op->u.join.type;
    if (t == LJ_INNER) {
        Relations rels = {0};
        ExprList conds = {0};
        BS_TRY(flatten(rw, op, &rels, &conds));
        for (int k = 0; k < pending->count; k++)
            BS_TRY(list_add(rw, &conds, pending->items[k]));
        pending->count = 0;
        /* Conditions on one relation go into it. */
        bool *taken = arena_alloc_zero(rw->arena, sizeof(bool) * (size_t)(conds.count + 1));
        if (!taken) return oom(rw);
        for (int r = 0; r < rels.count; r++) {
            BS_TRY(push_into(rw, &rels.items[r], &conds, taken));
            estimate(rels.items[r]);
        }
        drop_taken(&conds, taken);
        if (rels.count == 1) {
            *slot = rels.items[0];
            return apply_here(rw, slot, &conds);
        }
        return order_joins(rw, &rels, &conds, slot);
    }
    bool *taken = arena_alloc_zero(rw->arena, sizeof(bool) * (size_t)(pending->count + 1));
    if (!taken) return oom(rw);
    ExprList none = {0};
    if (t == LJ_FULL) {
        BS_TRY(push(rw, &op->children[0], &none));
        BS_TRY(push(rw, &op->children[1], &none));
    } else {
        /* Conditions above a LEFT (SEMI, ANTI, MARK) join on its left side go into it; ON
           conditions on the right side alone go into the right (RIGHT: mirrored). */
        int kept = t == LJ_RIGHT ? 1 : 0, other = 1 - kept;
        BS_TRY(push_into(rw, &op->children[kept], pending, taken));
        ExprList on = {0}, right_only = {0}, stay = {0};
        BS_TRY(add_conjuncts(rw, &on, op->u.join.condition));
        /* (Not under a null-aware MARK join: `x IN (select v …)` is NULL, not false, when
           some v is NULL, so its `x = v` must see every row, NULLs too.) */
        bool keep_on = t == LJ_MARK && op->u.join.null_aware;
        for (int k = 0; k < on.count; k++)
            BS_TRY(list_add(rw, !keep_on && bound_by(on.items[k], op->children[other]) &&
                                        references_any(on.items[k])
                                    ? &right_only
                                    : &stay,
                            on.items[k]));
        BS_TRY(push(rw, &op->children[other], &right_only));
        BS_TRY(conjunction(rw, stay.items, stay.count, &op->u.join.condition));
    }
    drop_taken(pending, taken);
    BS_TRY(logical_resolve(op, rw->arena, rw->err));
    estimate(op);
    return apply_here(rw, slot, pending);
}

static Status push(Rewriter *rw, LogicalOp **slot, ExprList *pending)
{
    LogicalOp *op = *slot;
    switch (op->kind) {
    case LOP_FILTER: {
        BS_TRY(add_conjuncts(rw, pending, op->u.filter.predicate));
        *slot = op->children[0];
        return push(rw, slot, pending);
    }
    case LOP_JOIN:
        return push_join(rw, slot, pending);
    case LOP_PROJECT:
    case LOP_AGGREGATE: {
        /* Conjuncts over computed columns become conjuncts over the input. */
        bool agg = op->kind == LOP_AGGREGATE;
        uint32_t table = agg ? op->u.aggregate.group_index : op->u.project.table_index;
        Expr **exprs = agg ? op->u.aggregate.groups : op->u.project.exprs;
        int n_exprs = agg ? op->u.aggregate.n_groups : op->u.project.n_exprs;
        ExprList below = {0}, stay = {0};
        for (int k = 0; k < pending->count; k++) {
            Expr *c = pending->items[k], *sub = NULL;
            bool ok = bound_by(c, op) && references_any(c);
            if (ok) BS_TRY(substitute(rw, c, table, exprs, n_exprs, &sub, &ok));
            /* Over an aggregation only conjuncts on group columns go below it. */
            if (ok) ok = bound_by(sub, op->children[0]);
            BS_TRY(list_add(rw, ok ? &below : &stay, ok ? sub : c));
        }
        BS_TRY(push(rw, &op->children[0], &below));
        pending->items = stay.items;
        pending->count = stay.count;
        pending->capacity = stay.capacity;
        return apply_here(rw, slot, pending);
    }
    case LOP_ORDER: {
        BS_TRY(push(rw, &op->children[0], pending));
        return BS_OK;
    }
    default: {
        ExprList none = {0};
        for (int k = 0; k < op->n_children; k++)
            BS_TRY(push(rw, &op->children[k], &none));
        return apply_here(rw, slot, pending);
    }
    }
}

Status rule_joins(LogicalOp **root, Arena *arena, Error *err)
{
    Rewriter rw = {arena, err, logical_max_table_index(*root) + 1};
    estimate(*root);
    ExprList pending = {0};
    BS_TRY(push(&rw, root, &pending));
    BS_TRY(logical_resolve_tree(*root, arena, err));
    estimate(*root);
    return BS_OK;
}
