/*
 * expr.c — compiled expressions: a tree of ExprStates, one per node of the plan's
 * expression, each with its result vector and (for calls and casts) its kernel.
 *
 * Evaluation works on a selection of the chunk's logical rows and writes each result at
 * the row's own position, so narrowing never renumbers rows:
 *
 *   AND   evaluates its next argument only on rows not yet FALSE
 *   OR    evaluates its next argument only on rows not yet TRUE
 *   CASE  evaluates THEN only where its WHEN holds, ELSE on the rows left
 *   IN    probes the list's constants: a loop over short lists; long ones of integers or
 *         strings through a hash set built at compile time, of other types by binary
 *         search in the sorted array
 *
 * which is also what keeps `x <> 0 AND 10 / x > 1` from dividing by zero. Subtrees whose
 * inputs are all constant are evaluated once, at compile time.
 */
#include "exec/exec_int.h"

#include <math.h>
#include <string.h>

typedef enum StateKind {
    ST_CONSTANT,
    ST_COLUMN,
    ST_CALL,
    ST_AND,
    ST_OR,
    ST_NOT,
    ST_IS_NULL,
    ST_IS_NOT_NULL,
    ST_CASE,
    ST_IN
} StateKind;

/* The constants of an IN list (FN_IN), as physical values in ascending order. */
typedef struct InList {
    PhysicalType phys;
    int n;         /* values that are not NULL */
    bool has_null; /* the list holds a NULL: no match gives NULL, not FALSE */
    void *values;  /* n values: uint8_t, int32_t, int64_t, double, StringView or Interval */
    uint32_t *slots; /* long lists of INT32, INT64, STRING: open addressing, value index + 1
                        (0: empty), at least twice n slots; NULL otherwise */
    uint32_t mask;   /* slots - 1 */
} InList;

/* Up to this many values a linear scan beats binary search. */
#define IN_LINEAR_MAX 16

struct ExprState {
    StateKind kind;
    LogicalType type;
    Vector result;
    Arena *batch; /* shared by the whole tree; emptied at each top-level evaluation */
    int n_children;
    ExprState **children; /* CASE: when0, then0, when1, then1, …, else */
    KernelInfo kernel;
    int column;
    Value constant;
    sel_t *scratch;  /* AND, OR, CASE: rows still undecided (BASALT_VECTOR_SIZE entries) */
    sel_t *scratch2; /* CASE: rows of the current branch */
    sel_t *call_sel; /* calls: rows without NULL arguments; one array shared by the tree,
                        as a call uses it only after its arguments are done */
    InList *in;      /* ST_IN */
};

/* ---- compilation ---- */

/* What all states of one compiled tree share. */
typedef struct TreeShared {
    Arena *batch;
    sel_t *call_sel;
} TreeShared;

/*
 * A state with just the memory its kind needs: a column only refers to its input (no
 * buffer), a constant holds one value; narrowing kinds get their row lists. Expressions
 * with thousands of nodes (long IN lists) stay small this way.
 */
static Status new_state(Arena *arena, const TreeShared *tree, StateKind kind, LogicalType type,
                        int n_children, ExprState **out, Error *err)
{
    ExprState *s = arena_alloc_zero(arena, sizeof *s);
    if (!s) return arena_error(arena, err);
    s->kind = kind;
    s->type = type;
    s->batch = tree->batch;
    s->call_sel = tree->call_sel;
    idx_t capacity = kind == ST_COLUMN ? 0 : kind == ST_CONSTANT ? 1 : BASALT_VECTOR_SIZE;
    BS_TRY(vector_init_sized(&s->result, type, capacity, arena, tree->batch, err));
    s->n_children = n_children;
    if (n_children) {
        s->children = arena_alloc_zero(arena, sizeof(ExprState *) * (size_t)n_children);
        if (!s->children) return arena_error(arena, err);
    }
    if (kind == ST_AND || kind == ST_OR || kind == ST_CASE) {
        s->scratch = arena_alloc(arena, sizeof(sel_t) * BASALT_VECTOR_SIZE);
        if (!s->scratch) return arena_error(arena, err);
    }
    if (kind == ST_CASE) {
        s->scratch2 = arena_alloc(arena, sizeof(sel_t) * BASALT_VECTOR_SIZE);
        if (!s->scratch2) return arena_error(arena, err);
    }
    *out = s;
    return BS_OK;
}

static Status bad_plan(const char *what, Error *err)
{
    return error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "invalid plan: %s", what);
}

static Status eval(ExprState *s, Chunk *chunk, const sel_t *sel, idx_t count, Error *err);

static bool all_constant(const ExprState *s)
{
    for (int k = 0; k < s->n_children; k++)
        if (s->children[k]->kind != ST_CONSTANT) return false;
    return s->n_children > 0;
}

/* Evaluates a node whose inputs are constant once; keeps it as is if that fails. */
static Status try_fold(ExprState *s, Arena *arena, Error *err)
{
    if (!all_constant(s)) return BS_OK;
    Chunk dummy;
    memset(&dummy, 0, sizeof dummy);
    dummy.n_rows = 1;
    Error local = ERROR_INIT;
    sel_t zero = 0;
    arena_reset(s->batch);
    if (eval(s, &dummy, &zero, 1, &local) != BS_OK) {
        /* e.g. 1/0 in a branch that may never run: report it only if it does run */
        error_clear(&local);
        return BS_OK;
    }
    Value v;
    vector_get_value(&s->result, 0, &v);
    BS_TRY(value_copy(arena, &v, &s->constant, err));
    s->kind = ST_CONSTANT;
    s->n_children = 0;
    return BS_OK;
}

static Status compile(const Expr *e, int n_cols, const LogicalType *types, Arena *arena,
                      const TreeShared *tree, ExprState **out, Error *err);

static inline uint64_t in_hash_i32(int32_t v)
{
    return hash_u64((uint64_t)(int64_t)v);
}

static inline uint64_t in_hash_i64(int64_t v)
{
    return hash_u64((uint64_t)v);
}

static inline uint64_t in_hash_str(StringView v)
{
    return hash_bytes(sv_data(&v), v.len);
}

/* The hash set over a long list's values (distinct: the plan guarantees it). */
static Status in_build_hash(InList *in, Arena *arena, Error *err)
{
    uint32_t cap = 64;
    while (cap < (uint32_t)in->n * 2)
        cap *= 2;
    in->slots = arena_alloc_zero(arena, sizeof(uint32_t) * cap);
    if (!in->slots) return arena_error(arena, err);
    in->mask = cap - 1;
    for (int k = 0; k < in->n; k++) {
        uint64_t h = in->phys == PHYS_INT32   ? in_hash_i32(((const int32_t *)in->values)[k])
                     : in->phys == PHYS_INT64 ? in_hash_i64(((const int64_t *)in->values)[k])
                                              : in_hash_str(((const StringView *)in->values)[k]);
        uint32_t at = (uint32_t)h & in->mask;
        while (in->slots[at])
            at = (at + 1) & in->mask;
        in->slots[at] = (uint32_t)k + 1;
    }
    return BS_OK;
}

/*
 * x IN (constants): x becomes the only child; the constants (of x's type, ascending and
 * distinct, a NULL at most once and last — checked, the plan may come from the wire)
 * become a sorted array of physical values.
 */
static Status compile_in(const Expr *e, int n_cols, const LogicalType *types, Arena *arena,
                         const TreeShared *tree, ExprState **out, Error *err)
{
    int n = e->u.call.n_args;
    if (n < 2 || e->type.id != TYPE_BOOLEAN) return bad_plan("IN list", err);
    ExprState *s;
    BS_TRY(new_state(arena, tree, ST_IN, e->type, 1, &s, err));
    BS_TRY(compile(e->u.call.args[0], n_cols, types, arena, tree, &s->children[0], err));
    LogicalType t = s->children[0]->type;
    InList *in = arena_alloc_zero(arena, sizeof *in);
    if (!in) return arena_error(arena, err);
    in->phys = type_physical(t);
    size_t width = type_size(t);
    if (in->phys == PHYS_INVALID) return bad_plan("IN list type", err);
    in->values = arena_alloc(arena, width * (size_t)(n - 1));
    if (!in->values) return arena_error(arena, err);
    for (int k = 1; k < n; k++) {
        const Expr *c = e->u.call.args[k];
        if (c->kind != EXPR_CONSTANT || !type_equals(c->type, t) ||
            !type_equals(c->u.constant.type, t))
            return bad_plan("IN list value", err);
        const Value *v = &c->u.constant;
        if (k > 1 && value_compare(&e->u.call.args[k - 1]->u.constant, v) >= 0)
            return bad_plan("IN list order", err);
        if (v->is_null) {
            if (k != n - 1) return bad_plan("IN list NULL", err);
            in->has_null = true;
            continue;
        }
        char *slot = (char *)in->values + width * (size_t)in->n++;
        switch (in->phys) {
        case PHYS_BOOL:
            *(uint8_t *)slot = v->u.b;
            break;
        case PHYS_INT32:
            memcpy(slot, &v->u.i32, 4);
            break;
        case PHYS_INT64:
            memcpy(slot, &v->u.i64, 8);
            break;
        case PHYS_DOUBLE:
            memcpy(slot, &v->u.f64, 8);
            break;
        case PHYS_STRING: {
            char *bytes = arena_memdup(arena, v->u.str.len ? v->u.str.data : "", v->u.str.len);
            if (!bytes) return arena_error(arena, err);
            StringView sv = sv_make(bytes, v->u.str.len);
            memcpy(slot, &sv, sizeof sv);
            break;
        }
        case PHYS_INTERVAL:
            memcpy(slot, &v->u.iv, sizeof v->u.iv);
            break;
        case PHYS_INT128:
            memcpy(slot, &v->u.i128, sizeof v->u.i128);
            break;
        case PHYS_INT8:
            memcpy(slot, &v->u.i8, 1);
            break;
        case PHYS_INT16:
            memcpy(slot, &v->u.i16, 2);
            break;
        case PHYS_FLOAT:
            memcpy(slot, &v->u.f32, 4);
            break;
        case PHYS_INVALID:
            break;
        }
    }
    if (in->n > IN_LINEAR_MAX &&
        (in->phys == PHYS_INT32 || in->phys == PHYS_INT64 || in->phys == PHYS_STRING))
        BS_TRY(in_build_hash(in, arena, err));
    s->in = in;
    *out = s;
    return BS_OK;
}

static Status compile(const Expr *e, int n_cols, const LogicalType *types, Arena *arena,
                      const TreeShared *tree, ExprState **out, Error *err)
{
    ExprState *s = NULL;
    if (e->type.id <= TYPE_NULL || e->type.id >= TYPE_COUNT_)
        return bad_plan("expression type", err);
    switch (e->kind) {
    case EXPR_CONSTANT:
        BS_TRY(new_state(arena, tree, ST_CONSTANT, e->type, 0, &s, err));
        if (!type_equals(e->u.constant.type, e->type)) return bad_plan("constant type", err);
        BS_TRY(value_copy(arena, &e->u.constant, &s->constant, err));
        break;
    case EXPR_COLUMN:
        if (e->u.column.index < 0 || e->u.column.index >= n_cols)
            return bad_plan("column index out of range", err);
        if (!type_equals(types[e->u.column.index], e->type)) return bad_plan("column type", err);
        BS_TRY(new_state(arena, tree, ST_COLUMN, e->type, 0, &s, err));
        s->column = e->u.column.index;
        break;
    case EXPR_CALL: {
        if (e->u.call.func == FN_IN) {
            BS_TRY(compile_in(e, n_cols, types, arena, tree, &s, err));
            break;
        }
        int n = e->u.call.n_args;
        BS_TRY(new_state(arena, tree, ST_CALL, e->type, n, &s, err));
        LogicalType arg_types[8];
        LogicalType *at = n <= 8 ? arg_types : arena_alloc(arena, sizeof(LogicalType) * (size_t)n);
        if (!at) return arena_error(arena, err);
        for (int k = 0; k < n; k++) {
            BS_TRY(compile(e->u.call.args[k], n_cols, types, arena, tree, &s->children[k], err));
            at[k] = s->children[k]->type;
        }
        if (kernel_takes_unit(e->u.call.func)) {
            /* date_part('year', x): the unit picks the kernel and is no argument of it */
            const ExprState *unit = s->children[0];
            if (n < 2 || unit->kind != ST_CONSTANT || unit->type.id != TYPE_VARCHAR ||
                unit->constant.is_null)
                return bad_plan("unit of a date/time function", err);
            BS_TRY(unit_kernel_lookup(e->u.call.func, unit->constant.u.str.data,
                                      unit->constant.u.str.len, at + 1, n - 1, e->type, &s->kernel,
                                      err));
            s->children++;
            s->n_children--;
            break;
        }
        BS_TRY(kernel_lookup(e->u.call.func, at, n, e->type, arena, &s->kernel, err));
        break;
    }
    case EXPR_CAST:
        BS_TRY(new_state(arena, tree, ST_CALL, e->type, 1, &s, err));
        BS_TRY(compile(e->u.cast.arg, n_cols, types, arena, tree, &s->children[0], err));
        BS_TRY(cast_kernel_lookup(s->children[0]->type, e->type, arena, &s->kernel, err));
        break;
    case EXPR_AND:
    case EXPR_OR:
        if (e->type.id != TYPE_BOOLEAN || e->u.conj.n_args < 1) return bad_plan("conjunction", err);
        BS_TRY(new_state(arena, tree, e->kind == EXPR_AND ? ST_AND : ST_OR, e->type,
                         e->u.conj.n_args, &s, err));
        for (int k = 0; k < e->u.conj.n_args; k++) {
            BS_TRY(compile(e->u.conj.args[k], n_cols, types, arena, tree, &s->children[k], err));
            if (s->children[k]->type.id != TYPE_BOOLEAN)
                return bad_plan("conjunction argument", err);
        }
        break;
    case EXPR_NOT:
    case EXPR_IS_NULL:
    case EXPR_IS_NOT_NULL: {
        StateKind kind = e->kind == EXPR_NOT       ? ST_NOT
                         : e->kind == EXPR_IS_NULL ? ST_IS_NULL
                                                   : ST_IS_NOT_NULL;
        if (e->type.id != TYPE_BOOLEAN) return bad_plan("boolean operator type", err);
        BS_TRY(new_state(arena, tree, kind, e->type, 1, &s, err));
        BS_TRY(compile(e->u.unary.arg, n_cols, types, arena, tree, &s->children[0], err));
        if (kind == ST_NOT && s->children[0]->type.id != TYPE_BOOLEAN)
            return bad_plan("NOT argument", err);
        break;
    }
    case EXPR_CASE: {
        int n = e->u.case_.n_whens;
        BS_TRY(new_state(arena, tree, ST_CASE, e->type, 2 * n + 1, &s, err));
        for (int k = 0; k < n; k++) {
            BS_TRY(
                compile(e->u.case_.whens[k], n_cols, types, arena, tree, &s->children[2 * k], err));
            BS_TRY(compile(e->u.case_.thens[k], n_cols, types, arena, tree, &s->children[2 * k + 1],
                           err));
            if (s->children[2 * k]->type.id != TYPE_BOOLEAN ||
                !type_equals(s->children[2 * k + 1]->type, e->type))
                return bad_plan("CASE branch types", err);
        }
        BS_TRY(compile(e->u.case_.else_expr, n_cols, types, arena, tree, &s->children[2 * n], err));
        if (!type_equals(s->children[2 * n]->type, e->type)) return bad_plan("CASE ELSE type", err);
        break;
    }
    default:
        return bad_plan("expression kind", err);
    }
    BS_TRY(try_fold(s, arena, err));
    *out = s;
    return BS_OK;
}

Status expr_compile(const Expr *expr, int n_cols, const LogicalType *types, Arena *arena,
                    ExprState **out, Error *err)
{
    TreeShared tree = {arena_create(arena, NULL, 0),
                       arena_alloc(arena, sizeof(sel_t) * BASALT_VECTOR_SIZE)};
    if (!tree.batch || !tree.call_sel) return arena_error(arena, err);
    return compile(expr, n_cols, types, arena, &tree, out, err);
}

bool expr_constant_value(const ExprState *state, Value *out)
{
    if (state->kind != ST_CONSTANT) return false;
    *out = state->constant;
    return true;
}

/* ---- evaluation ---- */

/* Rows of sel where every child result is valid go to valid_sel; returns their count.
   Rows with a NULL argument are marked NULL in s->result. */
static Status split_nulls(ExprState *s, const sel_t *sel, idx_t count, sel_t *valid_sel,
                          idx_t *n_valid, Error *err)
{
    bool any_validity = false;
    UnifiedVector uv[8];
    int n = s->n_children;
    for (int k = 0; k < n && k < 8; k++) {
        unify(&s->children[k]->result, &uv[k]);
        any_validity |= uv[k].validity != NULL;
    }
    if (n > 8) any_validity = true;
    if (!any_validity) {
        *n_valid = count;
        if (sel != valid_sel) memcpy(valid_sel, sel, sizeof(sel_t) * count);
        return BS_OK;
    }
    idx_t kept = 0;
    for (idx_t i = 0; i < count; i++) {
        sel_t row = sel[i];
        bool valid = true;
        for (int k = 0; k < n && valid; k++) {
            if (k < 8) {
                valid = validity_get(uv[k].validity, uv[k].sel[row]);
            } else {
                UnifiedVector extra;
                unify(&s->children[k]->result, &extra);
                valid = validity_get(extra.validity, extra.sel[row]);
            }
        }
        if (valid) {
            valid_sel[kept++] = row;
        } else {
            BS_TRY(vector_set_null(&s->result, row, err));
        }
    }
    *n_valid = kept;
    return BS_OK;
}

static Status eval_call(ExprState *s, Chunk *chunk, const sel_t *sel, idx_t count, Error *err)
{
    for (int k = 0; k < s->n_children; k++)
        BS_TRY(eval(s->children[k], chunk, sel, count, err));
    vector_reset(&s->result);
    Vector *args[8];
    Vector **argv =
        s->n_children <= 8 ? args : arena_alloc(s->batch, sizeof(Vector *) * (size_t)s->n_children);
    if (!argv) return arena_error(s->batch, err);
    for (int k = 0; k < s->n_children; k++)
        argv[k] = &s->children[k]->result;
    if (!s->kernel.strict)
        return s->kernel.fn(argv, s->n_children, sel, count, &s->result, s->kernel.data, err);
    idx_t n_valid;
    BS_TRY(split_nulls(s, sel, count, s->call_sel, &n_valid, err));
    if (n_valid == 0) return BS_OK;
    return s->kernel.fn(argv, s->n_children, s->call_sel, n_valid, &s->result, s->kernel.data, err);
}

/* AND / OR with SQL's three-valued logic; `decisive` is FALSE for AND, TRUE for OR. */
static Status eval_conj(ExprState *s, Chunk *chunk, const sel_t *sel, idx_t count, bool decisive,
                        Error *err)
{
    vector_reset(&s->result);
    uint8_t *out = s->result.data;
    for (idx_t i = 0; i < count; i++)
        out[sel[i]] = !decisive;
    /* Rows still undecided. */
    sel_t *rows = s->scratch;
    memcpy(rows, sel, sizeof(sel_t) * count);
    idx_t n_rows = count;
    for (int k = 0; k < s->n_children && n_rows > 0; k++) {
        ExprState *c = s->children[k];
        BS_TRY(eval(c, chunk, rows, n_rows, err));
        UnifiedVector uv;
        unify(&c->result, &uv);
        const uint8_t *v = uv.data;
        idx_t kept = 0;
        for (idx_t i = 0; i < n_rows; i++) {
            sel_t row = rows[i];
            sel_t at = uv.sel[row];
            if (!validity_get(uv.validity, at)) {
                BS_TRY(vector_set_null(&s->result, row, err));
                rows[kept++] = row;
            } else if ((v[at] != 0) == decisive) {
                out[row] = decisive;
                if (s->result.validity) validity_set_valid(s->result.validity, row);
            } else {
                rows[kept++] = row;
            }
        }
        n_rows = kept;
    }
    return BS_OK;
}

static Status eval_case(ExprState *s, Chunk *chunk, const sel_t *sel, idx_t count, Error *err)
{
    vector_reset(&s->result);
    sel_t *remaining = s->scratch, *matched = s->scratch2;
    memcpy(remaining, sel, sizeof(sel_t) * count);
    idx_t n_remaining = count;
    int n_whens = (s->n_children - 1) / 2;
    size_t width = type_size(s->type);
    for (int k = 0; k <= n_whens && n_remaining > 0; k++) {
        idx_t n_matched;
        ExprState *branch;
        if (k < n_whens) {
            ExprState *when = s->children[2 * k];
            BS_TRY(eval(when, chunk, remaining, n_remaining, err));
            UnifiedVector uw;
            unify(&when->result, &uw);
            idx_t kept = 0;
            n_matched = 0;
            for (idx_t i = 0; i < n_remaining; i++) {
                sel_t row = remaining[i];
                sel_t at = uw.sel[row];
                if (validity_get(uw.validity, at) && ((const uint8_t *)uw.data)[at])
                    matched[n_matched++] = row;
                else
                    remaining[kept++] = row;
            }
            n_remaining = kept;
            branch = s->children[2 * k + 1];
        } else {
            memcpy(matched, remaining, sizeof(sel_t) * n_remaining);
            n_matched = n_remaining;
            n_remaining = 0;
            branch = s->children[2 * n_whens];
        }
        if (n_matched == 0) continue;
        BS_TRY(eval(branch, chunk, matched, n_matched, err));
        UnifiedVector ub;
        unify(&branch->result, &ub);
        char *dst = s->result.data;
        const char *src = ub.data;
        for (idx_t i = 0; i < n_matched; i++) {
            sel_t row = matched[i];
            sel_t at = ub.sel[row];
            if (!validity_get(ub.validity, at)) {
                BS_TRY(vector_set_null(&s->result, row, err));
            } else {
                memcpy(dst + width * row, src + width * at, width);
                if (s->result.validity) validity_set_valid(s->result.validity, row);
            }
        }
    }
    return BS_OK;
}

/*
 * One probe loop per physical type: TRUE when x is in the list; otherwise NULL when x is
 * NULL or the list holds a NULL, else FALSE.
 */
#define DEFINE_IN_PROBE(NAME, T, LT, EQ)                                                           \
    static Status NAME(ExprState *s, const UnifiedVector *uv, const sel_t *sel, idx_t count,       \
                       Error *err)                                                                 \
    {                                                                                              \
        const InList *in = s->in;                                                                  \
        const T *vals = in->values;                                                                \
        const T *X = uv->data;                                                                     \
        int n = in->n;                                                                             \
        uint8_t *out = s->result.data;                                                             \
        for (idx_t i = 0; i < count; i++) {                                                        \
            sel_t row = sel[i];                                                                    \
            sel_t at = uv->sel[row];                                                               \
            if (!validity_get(uv->validity, at)) {                                                 \
                BS_TRY(vector_set_null(&s->result, row, err));                                     \
                continue;                                                                          \
            }                                                                                      \
            T x = X[at];                                                                           \
            bool found = false;                                                                    \
            if (n <= IN_LINEAR_MAX) {                                                              \
                for (int k = 0; k < n; k++)                                                        \
                    found |= EQ(vals[k], x);                                                       \
            } else {                                                                               \
                /* the last value <= x, without branches on the data */                            \
                const T *base = vals;                                                              \
                int len = n;                                                                       \
                while (len > 1) {                                                                  \
                    int half = len / 2;                                                            \
                    base = LT(x, base[half]) ? base : base + half;                                 \
                    len -= half;                                                                   \
                }                                                                                  \
                found = EQ(*base, x);                                                              \
            }                                                                                      \
            if (found || !in->has_null)                                                            \
                out[row] = found;                                                                  \
            else                                                                                   \
                BS_TRY(vector_set_null(&s->result, row, err));                                     \
        }                                                                                          \
        return BS_OK;                                                                              \
    }

#define IN_LT(a, b) ((a) < (b))
#define IN_EQ(a, b) ((a) == (b))
/* The order of value_compare (the list's order): NaN above everything, equal to itself. */
#define IN_F64_LT(a, b) (isnan(b) ? !isnan(a) : (a) < (b))
#define IN_F64_EQ(a, b) (isnan(a) ? isnan(b) : (a) == (b))
#define IN_STR_LT(a, b) (sv_compare(&(a), &(b)) < 0)
#define IN_STR_EQ(a, b) (sv_equal(&(a), &(b)))
#define IN_IV_LT(a, b)  (interval_compare(&(a), &(b)) < 0)
#define IN_IV_EQ(a, b)  (interval_compare(&(a), &(b)) == 0)

/* The same through the hash set of a long list. */
#define DEFINE_IN_HASH_PROBE(NAME, T, HASH, EQ)                                                    \
    static Status NAME(ExprState *s, const UnifiedVector *uv, const sel_t *sel, idx_t count,       \
                       Error *err)                                                                 \
    {                                                                                              \
        const InList *in = s->in;                                                                  \
        const T *vals = in->values;                                                                \
        const T *X = uv->data;                                                                     \
        const uint32_t *slots = in->slots;                                                         \
        uint32_t mask = in->mask;                                                                  \
        uint8_t *out = s->result.data;                                                             \
        for (idx_t i = 0; i < count; i++) {                                                        \
            sel_t row = sel[i];                                                                    \
            sel_t at = uv->sel[row];                                                               \
            if (!validity_get(uv->validity, at)) {                                                 \
                BS_TRY(vector_set_null(&s->result, row, err));                                     \
                continue;                                                                          \
            }                                                                                      \
            T x = X[at];                                                                           \
            bool found = false;                                                                    \
            for (uint32_t slot = (uint32_t)HASH(x) & mask; slots[slot] && !found;                  \
                 slot = (slot + 1) & mask)                                                         \
                found = EQ(vals[slots[slot] - 1], x);                                              \
            if (found || !in->has_null)                                                            \
                out[row] = found;                                                                  \
            else                                                                                   \
                BS_TRY(vector_set_null(&s->result, row, err));                                     \
        }                                                                                          \
        return BS_OK;                                                                              \
    }

DEFINE_IN_HASH_PROBE(in_hash_probe_i32, int32_t, in_hash_i32, IN_EQ)
DEFINE_IN_HASH_PROBE(in_hash_probe_i64, int64_t, in_hash_i64, IN_EQ)
DEFINE_IN_HASH_PROBE(in_hash_probe_str, StringView, in_hash_str, IN_STR_EQ)

DEFINE_IN_PROBE(in_probe_bool, uint8_t, IN_LT, IN_EQ)
DEFINE_IN_PROBE(in_probe_i32, int32_t, IN_LT, IN_EQ)
DEFINE_IN_PROBE(in_probe_i64, int64_t, IN_LT, IN_EQ)
DEFINE_IN_PROBE(in_probe_f64, double, IN_F64_LT, IN_F64_EQ)
DEFINE_IN_PROBE(in_probe_str, StringView, IN_STR_LT, IN_STR_EQ)
DEFINE_IN_PROBE(in_probe_iv, Interval, IN_IV_LT, IN_IV_EQ)
DEFINE_IN_PROBE(in_probe_i128, int128_t, IN_LT, IN_EQ)
DEFINE_IN_PROBE(in_probe_i8, int8_t, IN_LT, IN_EQ)
DEFINE_IN_PROBE(in_probe_i16, int16_t, IN_LT, IN_EQ)
DEFINE_IN_PROBE(in_probe_f32, float, IN_F64_LT, IN_F64_EQ)

/* Arrays: the list is in the arrays' order, not their bytes'; equal arrays are equal bytes,
   so a short list is scanned (a long one goes through the hash set). */
static Status in_scan_array(ExprState *s, const UnifiedVector *uv, const sel_t *sel, idx_t count,
                            Error *err)
{
    const InList *in = s->in;
    const StringView *vals = in->values, *X = uv->data;
    uint8_t *out = s->result.data;
    for (idx_t i = 0; i < count; i++) {
        sel_t row = sel[i];
        sel_t at = uv->sel[row];
        if (!validity_get(uv->validity, at)) {
            BS_TRY(vector_set_null(&s->result, row, err));
            continue;
        }
        bool found = false;
        for (int k = 0; k < in->n && !found; k++)
            found = sv_equal(&vals[k], &X[at]);
        if (found || !in->has_null)
            out[row] = found;
        else
            BS_TRY(vector_set_null(&s->result, row, err));
    }
    return BS_OK;
}

static Status eval_in(ExprState *s, Chunk *chunk, const sel_t *sel, idx_t count, Error *err)
{
    ExprState *c = s->children[0];
    BS_TRY(eval(c, chunk, sel, count, err));
    vector_reset(&s->result);
    UnifiedVector uv;
    unify(&c->result, &uv);
    switch (s->in->phys) {
    case PHYS_BOOL:
        return in_probe_bool(s, &uv, sel, count, err);
    case PHYS_INT32:
        return s->in->slots ? in_hash_probe_i32(s, &uv, sel, count, err)
                            : in_probe_i32(s, &uv, sel, count, err);
    case PHYS_INT64:
        return s->in->slots ? in_hash_probe_i64(s, &uv, sel, count, err)
                            : in_probe_i64(s, &uv, sel, count, err);
    case PHYS_DOUBLE:
        return in_probe_f64(s, &uv, sel, count, err);
    case PHYS_STRING:
        if (!s->in->slots && c->result.type.id == TYPE_ARRAY)
            return in_scan_array(s, &uv, sel, count, err);
        return s->in->slots ? in_hash_probe_str(s, &uv, sel, count, err)
                            : in_probe_str(s, &uv, sel, count, err);
    case PHYS_INTERVAL:
        return in_probe_iv(s, &uv, sel, count, err);
    case PHYS_INT128:
        return in_probe_i128(s, &uv, sel, count, err);
    case PHYS_INT8:
        return in_probe_i8(s, &uv, sel, count, err);
    case PHYS_INT16:
        return in_probe_i16(s, &uv, sel, count, err);
    case PHYS_FLOAT:
        return in_probe_f32(s, &uv, sel, count, err);
    case PHYS_INVALID:
        break;
    }
    return bad_plan("IN list type", err);
}

static Status eval(ExprState *s, Chunk *chunk, const sel_t *sel, idx_t count, Error *err)
{
    switch (s->kind) {
    case ST_CONSTANT:
        return vector_set_constant(&s->result, &s->constant, err);
    case ST_COLUMN: {
        const Vector *col = &chunk->cols[s->column];
        vector_reset(&s->result);
        if (chunk->sel) return vector_slice(&s->result, col, chunk->sel, chunk->n_rows, err);
        vector_reference(&s->result, col);
        return BS_OK;
    }
    case ST_CALL:
        return eval_call(s, chunk, sel, count, err);
    case ST_AND:
        return eval_conj(s, chunk, sel, count, false, err);
    case ST_OR:
        return eval_conj(s, chunk, sel, count, true, err);
    case ST_NOT:
    case ST_IS_NULL:
    case ST_IS_NOT_NULL: {
        ExprState *c = s->children[0];
        BS_TRY(eval(c, chunk, sel, count, err));
        vector_reset(&s->result);
        UnifiedVector uv;
        unify(&c->result, &uv);
        uint8_t *out = s->result.data;
        for (idx_t i = 0; i < count; i++) {
            sel_t row = sel[i];
            sel_t at = uv.sel[row];
            bool valid = validity_get(uv.validity, at);
            if (s->kind == ST_IS_NULL) {
                out[row] = !valid;
            } else if (s->kind == ST_IS_NOT_NULL) {
                out[row] = valid;
            } else if (!valid) {
                BS_TRY(vector_set_null(&s->result, row, err));
            } else {
                out[row] = !((const uint8_t *)uv.data)[at];
            }
        }
        return BS_OK;
    }
    case ST_CASE:
        return eval_case(s, chunk, sel, count, err);
    case ST_IN:
        return eval_in(s, chunk, sel, count, err);
    }
    return bad_plan("expression state", err);
}

Status expr_eval(ExprState *state, Chunk *chunk, Vector **result, Error *err)
{
    arena_reset(state->batch);
    BS_TRY(eval(state, chunk, SEL_IDENTITY, chunk->n_rows, err));
    *result = &state->result;
    return BS_OK;
}

/* Rows of sel (count) where the boolean result of s is TRUE, into out. */
static idx_t pick_true(ExprState *s, const sel_t *sel, idx_t count, sel_t *out)
{
    UnifiedVector uv;
    unify(&s->result, &uv);
    const uint8_t *v = uv.data;
    idx_t n = 0;
    if (!uv.validity) {
        for (idx_t i = 0; i < count; i++) {
            sel_t row = sel[i];
            out[n] = row;
            n += v[uv.sel[row]] != 0;
        }
    } else {
        for (idx_t i = 0; i < count; i++) {
            sel_t row = sel[i];
            sel_t at = uv.sel[row];
            out[n] = row;
            n += validity_get(uv.validity, at) && v[at];
        }
    }
    return n;
}

static Status select_rows(ExprState *s, Chunk *chunk, const sel_t *sel, idx_t count, sel_t *out,
                          idx_t *n_out, Error *err)
{
    if (s->kind == ST_AND) {
        /* Each conjunct narrows the rows the next one sees. */
        const sel_t *cur = sel;
        idx_t n = count;
        for (int k = 0; k < s->n_children && n > 0; k++) {
            BS_TRY(select_rows(s->children[k], chunk, cur, n, out, &n, err));
            cur = out;
        }
        if (cur != out) memcpy(out, cur, sizeof(sel_t) * n);
        *n_out = n;
        return BS_OK;
    }
    if (s->kind == ST_OR) {
        /* A row is in once any disjunct holds; later disjuncts see the rest. */
        uint8_t *taken = arena_alloc_zero(s->batch, BASALT_VECTOR_SIZE);
        sel_t *rest = arena_alloc(s->batch, sizeof(sel_t) * BASALT_VECTOR_SIZE);
        sel_t *hits = arena_alloc(s->batch, sizeof(sel_t) * BASALT_VECTOR_SIZE);
        if (!taken || !rest || !hits) return arena_error(s->batch, err);
        memcpy(rest, sel, sizeof(sel_t) * count);
        idx_t n_rest = count;
        for (int k = 0; k < s->n_children && n_rest > 0; k++) {
            idx_t n_hits;
            BS_TRY(select_rows(s->children[k], chunk, rest, n_rest, hits, &n_hits, err));
            for (idx_t i = 0; i < n_hits; i++)
                taken[hits[i]] = 1;
            idx_t kept = 0;
            for (idx_t i = 0; i < n_rest; i++)
                if (!taken[rest[i]]) rest[kept++] = rest[i];
            n_rest = kept;
        }
        idx_t n = 0;
        for (idx_t i = 0; i < count; i++)
            if (taken[sel[i]]) out[n++] = sel[i];
        *n_out = n;
        return BS_OK;
    }
    BS_TRY(eval(s, chunk, sel, count, err));
    *n_out = pick_true(s, sel, count, out);
    return BS_OK;
}

Status expr_select(ExprState *state, Chunk *chunk, sel_t *out_sel, idx_t *n_out, Error *err)
{
    arena_reset(state->batch);
    return select_rows(state, chunk, SEL_IDENTITY, chunk->n_rows, out_sel, n_out, err);
}

Status expr_eval_constant(const Expr *expr, Arena *arena, Value *out, bool *ok, Error *err)
{
    *ok = false;
    Arena *scratch = arena_create(arena, NULL, 0);
    if (!scratch) return arena_error(arena, err);
    Error local = ERROR_INIT;
    ExprState *state;
    Vector *result = NULL;
    Status st = expr_compile(expr, 0, NULL, scratch, &state, &local);
    if (st == BS_OK) {
        Chunk one;
        memset(&one, 0, sizeof one);
        one.n_rows = 1;
        st = expr_eval(state, &one, &result, &local);
    }
    if (st == BS_OK) {
        Value v;
        vector_get_value(result, 0, &v);
        st = value_copy(arena, &v, out, &local);
        *ok = st == BS_OK;
    }
    bool out_of_memory = st != BS_OK && strcmp(local.sqlstate, SQLSTATE_OUT_OF_MEMORY) == 0;
    if (out_of_memory)
        error_move(err, &local);
    else
        error_clear(&local);
    arena_destroy(scratch);
    return out_of_memory ? BS_ERROR : BS_OK;
}
