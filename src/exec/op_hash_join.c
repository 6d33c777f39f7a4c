/*
 * op_hash_join.c — JoinProbe, the probe side of PLAN_JOIN: an operator in the middle of
 * the probe pipeline (children[0]'s operators below it, whatever is above the join after
 * it), one per driver, all reading the build side that join_table.c collected and indexed
 * before this pipeline started.
 *
 * Each probe chunk yields candidate pairs (probe row, build row), in batches of at most a
 * vector: with keys, the rows of the chain of equal keys that join_table_lookup finds for
 * each probe row (hashed column at a time, probed with prefetching and tags, keys compared
 * with a loop per type); without keys, the cross product (op_nested_loop_join.c). A batch
 * becomes a chunk of probe ++ build columns — the probe columns as dictionaries over the
 * input, the build columns gathered from the rows — over which the residual predicate
 * selects the pairs that match. INNER, LEFT and FULL emit the matching pairs as they go;
 * one probe chunk may give many output chunks (duplicate keys), so the operator keeps its
 * place and emits over several get_output calls, taking no input meanwhile.
 *
 * States of one probe chunk (PP_*):
 *   IDLE         needs input; add_input hashes and looks up the chunk → PAIRS (or FINAL
 *                when no pair needs to be seen: SEMI, ANTI, MARK without a residual)
 *   PAIRS        batches of candidate pairs; matching pairs mark their probe row (and for
 *                FULL their build row); INNER/LEFT/FULL emit them → NULL_PROBE / FINAL
 *   NULL_PROBE   null-aware MARK with a residual: probe rows with a NULL key × every build
 *                row; one that passes makes the mark NULL → NULL_BUILD
 *   NULL_BUILD   …: probe rows without a match × build rows with a NULL key → FINAL
 *   FINAL        LEFT/FULL: the probe rows without a match, build columns NULL; SEMI, ANTI:
 *                the rows with / without a match; MARK: every row and its mark → IDLE
 * After its input (finish), a FULL join's probe operator counts itself done; the last of
 * the task's probe drivers to do so emits the build rows no probe row matched
 * (BUILD_UNMATCHED) — unless a probe driver stopped early (a LIMIT above it was met), when
 * that list would be wrong and nobody needs it. Then DONE.
 */
#include "exec/join_int.h"

#include <string.h>

enum { PROBE_ROWS, PROBE_PAIRS, PROBE_MATCHES, PROBE_UNMATCHED_BUILD };

typedef enum ProbePhase {
    PP_IDLE,
    PP_PAIRS,
    PP_NULL_PROBE,
    PP_NULL_BUILD,
    PP_FINAL,
    PP_BUILD_UNMATCHED,
    PP_DONE,
} ProbePhase;

typedef struct JoinProbeOp {
    Operator base;
    JoinShared *sh;
    PlanJoinType type;
    bool emits_pairs;  /* INNER, LEFT, FULL */
    bool unique_build; /* every build key has one row */
    ExprState *residual;
    bool *probe_needed, *build_needed; /* columns a batch of pairs carries */
    ProbePhase phase;
    bool input_done, finished, arrived;
    /* the probe chunk */
    Chunk *in;
    idx_t n;
    sel_t *phys; /* logical row → position in in's vectors */
    UnifiedVector *kuv;
    sel_t *kuv_scratch;
    uint64_t *hashes, *heads;
    uint8_t *matched;   /* the row has a match */
    uint8_t *key_null;  /* its key holds a NULL that matches nothing */
    uint8_t *mark_null; /* null-aware MARK: its mark is NULL unless it has a match */
    /* hash pairs: the rows with a chain, and where we are in it */
    sel_t *list;
    idx_t n_list, list_pos;
    uint32_t chain; /* id + 1 of the next build row of list[list_pos] */
    /* nested-loop pairs: the probe rows still undecided */
    sel_t *active;
    idx_t n_active;
    bool dirty; /* a row was decided since the list was last narrowed */
    NlPairs nl;
    JoinLookupScratch lookup;
    /* a batch of pairs */
    sel_t *pair_probe;
    uint32_t *pair_build;
    char **pair_rowp;
    sel_t *pair_phys;
    sel_t *pass;
    sel_t *out_sel;
    Chunk *pairs; /* probe ++ build columns */
    Chunk *out;   /* SEMI, ANTI, MARK: the node's columns */
    /* FULL, last driver: where the scan for unmatched build rows is */
    uint32_t scan_block, scan_offset;
} JoinProbeOp;

/* ---- building batches ---- */

/* v (of build column c) = the column's values in rows rowp[0..n). */
static Status gather_build(const JoinShared *sh, Vector *v, int c, char *const *rowp, idx_t n,
                           Error *err)
{
    uint32_t off = sh->col_offset[c];
    switch (type_size(sh->build_types[c])) {
    case 1:
        for (idx_t k = 0; k < n; k++)
            ((uint8_t *)v->data)[k] = *(const uint8_t *)(rowp[k] + off);
        break;
    case 2:
        for (idx_t k = 0; k < n; k++)
            ((int16_t *)v->data)[k] = *(const int16_t *)(rowp[k] + off);
        break;
    case 4:
        for (idx_t k = 0; k < n; k++)
            ((int32_t *)v->data)[k] = *(const int32_t *)(rowp[k] + off);
        break;
    case 8:
        for (idx_t k = 0; k < n; k++)
            ((int64_t *)v->data)[k] = *(const int64_t *)(rowp[k] + off);
        break;
    default:
        for (idx_t k = 0; k < n; k++)
            ((StringView *)v->data)[k] = *(const StringView *)(rowp[k] + off);
        break;
    }
    if (sh->col_has_null[c])
        for (idx_t k = 0; k < n; k++)
            if (join_row_is_null(rowp[k], c)) BS_TRY(vector_set_null(v, k, err));
    return BS_OK;
}

/* v = NULL for every row (a padded side). */
static Status set_null_column(Vector *v, Error *err)
{
    Value null = value_null(v->type);
    BS_TRY(vector_set_constant(v, &null, err));
    memset(v->data, 0, type_size(v->type));
    return BS_OK;
}

/* ---- pairs ---- */

static void list_advance(JoinProbeOp *j)
{
    j->list_pos++;
    j->chain = j->list_pos < j->n_list ? (uint32_t)j->heads[j->list[j->list_pos]] : 0;
}

/* The next batch of pairs along the chains of equal keys. */
static idx_t hash_next_pairs(JoinProbeOp *j)
{
    const JoinShared *sh = j->sh;
    bool skip_matched = !j->emits_pairs; /* one match decides SEMI, ANTI and MARK */
    idx_t k = 0;
    if (j->unique_build && !skip_matched) {
        /* Every key has one build row: a pair per listed probe row. */
        idx_t m = j->n_list - j->list_pos;
        if (m > BASALT_VECTOR_SIZE) m = BASALT_VECTOR_SIZE;
        const sel_t *list = j->list + j->list_pos;
        const JoinRowMap rm = join_row_map(sh);
        const uint64_t *heads = j->heads;
        sel_t *pair_probe = j->pair_probe;
        uint32_t *pair_build = j->pair_build;
        char **pair_rowp = j->pair_rowp;
        for (idx_t t = 0; t < m; t++) {
            sel_t r = list[t];
            uint32_t id = JOIN_SLOT_ID(heads[r]);
            pair_probe[t] = r;
            pair_build[t] = id;
            pair_rowp[t] = join_row_in(rm, id);
        }
        j->list_pos += m;
        return m;
    }
    while (k < BASALT_VECTOR_SIZE && j->list_pos < j->n_list) {
        sel_t r = j->list[j->list_pos];
        if (skip_matched && j->matched[r]) {
            list_advance(j);
            continue;
        }
        uint32_t id = j->chain - 1;
        char *row = join_row(sh, id);
        j->pair_probe[k] = r;
        j->pair_build[k] = id;
        j->pair_rowp[k++] = row;
        /* A head without DUP is alone: its chain link need not be read. */
        uint64_t head = j->heads[r];
        uint32_t next =
            j->chain != (uint32_t)head || (head & JOIN_SLOT_DUP) ? join_row_next(row) : 0;
        if (next)
            j->chain = next;
        else
            list_advance(j);
    }
    return k;
}

/* The next batch of a nested loop, dropping the decided probe rows between build rows. */
static idx_t nl_next_pairs(JoinProbeOp *j)
{
    uint8_t *flags = j->phase == PP_PAIRS ? j->matched : j->mark_null;
    bool drop = j->phase != PP_PAIRS || !j->emits_pairs;
    if (drop && j->dirty && nl_pairs_between_rows(&j->nl)) {
        idx_t kept = 0;
        for (idx_t k = 0; k < j->n_active; k++)
            if (!flags[j->active[k]]) j->active[kept++] = j->active[k];
        j->n_active = kept;
        j->dirty = false;
    }
    return nl_pairs_next(&j->nl, j->sh, j->active, j->n_active, j->pair_probe, j->pair_build,
                         BASALT_VECTOR_SIZE);
}

static idx_t next_pairs(JoinProbeOp *j)
{
    if (j->phase == PP_PAIRS && j->sh->n_keys > 0) return hash_next_pairs(j);
    return nl_next_pairs(j);
}

/*
 * A batch of n pairs: evaluates the residual over them, records which probe rows (and for
 * FULL which build rows) matched, and for INNER/LEFT/FULL points *out at the matching
 * pairs (NULL when none).
 */
static Status process_pairs(JoinProbeOp *j, idx_t n, Chunk **out, Error *err)
{
    JoinShared *sh = j->sh;
    Chunk *p = j->pairs;
    bool emit = j->phase == PP_PAIRS && j->emits_pairs;
    j->base.counters[PROBE_PAIRS] += n;
    bool hashed = j->phase == PP_PAIRS && sh->n_keys > 0; /* pair_rowp is filled */
    if (!hashed && (emit || j->residual || sh->type == PJ_FULL))
        for (idx_t k = 0; k < n; k++)
            j->pair_rowp[k] = join_row(sh, j->pair_build[k]);
    if (emit || j->residual) {
        chunk_reset(p);
        const sel_t *phys = j->pair_probe;
        if (j->in->sel) {
            for (idx_t k = 0; k < n; k++)
                j->pair_phys[k] = j->phys[j->pair_probe[k]];
            phys = j->pair_phys;
        }
        for (int c = 0; c < sh->np; c++)
            if (j->probe_needed[c])
                BS_TRY(vector_slice(&p->cols[c], &j->in->cols[c], phys, n, err));
        for (int c = 0; c < sh->nb; c++)
            if (j->build_needed[c])
                BS_TRY(gather_build(sh, &p->cols[sh->np + c], c, j->pair_rowp, n, err));
        p->n_rows = n;
    }
    const sel_t *pass = SEL_IDENTITY;
    idx_t n_pass = n;
    if (j->residual) {
        BS_TRY(expr_select(j->residual, p, j->pass, &n_pass, err));
        pass = j->pass;
    }
    j->base.counters[PROBE_MATCHES] += n_pass;
    if (sh->type != PJ_INNER && n_pass) {
        uint8_t *flags = j->phase == PP_PAIRS ? j->matched : j->mark_null;
        if (sh->single_match) {
            for (idx_t k = 0; k < n_pass; k++) {
                sel_t r = j->pair_probe[pass[k]];
                if (flags[r])
                    return error_set(err, SQLSTATE_CARDINALITY_VIOLATION, -1,
                                     "more than one row returned by a subquery used as an "
                                     "expression");
                flags[r] = 1;
            }
        }
        for (idx_t k = 0; k < n_pass; k++)
            flags[j->pair_probe[pass[k]]] = 1;
        j->dirty = true;
    }
    if (sh->type == PJ_FULL) {
        for (idx_t k = 0; k < n_pass; k++) {
            char *m = j->pair_rowp[pass[k]] + JOIN_ROW_MATCHED;
            if (!__atomic_load_n(m, __ATOMIC_RELAXED)) __atomic_store_n(m, 1, __ATOMIC_RELAXED);
        }
    }
    if (emit && n_pass) {
        if (n_pass < n) {
            p->sel = j->pass;
            p->n_rows = n_pass;
        }
        *out = p;
    }
    return BS_OK;
}

/* ---- the probe chunk ---- */

/*
 * The build side is complete and indexed: *go. It is not when the task stopped before its
 * index was done: cancelled, or — nobody needing its rows — finished without output.
 */
static Status check_ready(JoinProbeOp *j, bool *go, Error *err)
{
    *go = true;
    if (atomic_load(&j->sh->ready)) return BS_OK;
    if (task_should_stop(j->base.task)) return task_cancelled_error(err);
    if (task_output_finished(j->base.task)) {
        *go = false;
        j->in = NULL;
        j->phase = PP_DONE;
        j->finished = true;
        return BS_OK;
    }
    return error_set(err, SQLSTATE_INTERNAL_ERROR, -1,
                     "join probed before its build side was ready");
}

/* Hashes the chunk's keys and finds each row's chain. */
static void start_hash(JoinProbeOp *j)
{
    JoinShared *sh = j->sh;
    Chunk *in = j->in;
    idx_t n = j->n;
    for (int k = 0; k < sh->n_keys; k++) {
        int col = sh->probe_keys[k];
        chunk_unify(in, col, &j->kuv[k],
                    in->sel ? j->kuv_scratch + (size_t)k * BASALT_VECTOR_SIZE : NULL);
        if (!sh->dense) /* (a dense index needs no hash) */
            hash_column(type_physical(in->cols[col].type), &j->kuv[k], n, k > 0, j->hashes);
    }
    /* (local pointers: stores through them cannot change them) */
    uint8_t *key_null = j->key_null;
    sel_t *list = j->list;
    uint64_t *heads = j->heads;
    bool nullable = false;
    for (int k = 0; k < sh->n_keys; k++) {
        const UnifiedVector *uv = &j->kuv[k];
        if (sh->null_equal[k] || !uv->validity) continue;
        nullable = true;
        for (idx_t r = 0; r < n; r++)
            key_null[r] |= !validity_get(uv->validity, uv->sel[r]);
    }
    const sel_t *look = SEL_IDENTITY;
    idx_t n_look = n;
    if (nullable) {
        n_look = 0;
        for (idx_t r = 0; r < n; r++) {
            list[n_look] = (sel_t)r;
            n_look += !key_null[r];
        }
        look = list;
    }
    memset(heads, 0, sizeof(uint64_t) * n);
    join_table_lookup(sh, j->kuv, j->hashes, look, n_look, heads, &j->lookup);
    idx_t n_list = 0;
    for (idx_t k = 0; k < n_look; k++) {
        sel_t r = look[k];
        list[n_list] = r;
        n_list += heads[r] != 0;
    }
    j->n_list = n_list;
    j->list_pos = 0;
    j->unique_build = !__atomic_load_n(&sh->has_dups, __ATOMIC_RELAXED);
    j->chain = n_list ? (uint32_t)j->heads[j->list[0]] : 0;
    if (!j->residual && !j->emits_pairs) {
        /* SEMI, ANTI, MARK: an equal key is a match. */
        for (idx_t k = 0; k < n_list; k++)
            j->matched[j->list[k]] = 1;
        j->base.counters[PROBE_MATCHES] += n_list;
        j->phase = PP_FINAL;
    }
}

static void start_nested_loop(JoinProbeOp *j)
{
    for (idx_t r = 0; r < j->n; r++)
        j->active[r] = (sel_t)r;
    j->n_active = j->n;
    j->dirty = false;
    nl_pairs_start(&j->nl, j->sh, false);
    if (!j->residual && !j->emits_pairs) {
        /* SEMI, ANTI, MARK: any build row is a match. */
        if (j->sh->n_rows) memset(j->matched, 1, j->n);
        j->phase = PP_FINAL;
    }
}

/* After the chunk's pairs: the null-aware passes of a MARK join with a residual, or FINAL. */
static void next_phase(JoinProbeOp *j)
{
    JoinShared *sh = j->sh;
    bool aware = sh->type == PJ_MARK && sh->null_aware && j->residual;
    if (j->phase == PP_PAIRS && aware) {
        j->n_active = 0;
        for (idx_t r = 0; r < j->n; r++)
            if (j->key_null[r]) j->active[j->n_active++] = (sel_t)r;
        j->phase = PP_NULL_PROBE;
        if (j->n_active && sh->n_rows) {
            j->dirty = false;
            nl_pairs_start(&j->nl, sh, false);
            return;
        }
    }
    if (j->phase == PP_NULL_PROBE) {
        j->n_active = 0;
        for (idx_t r = 0; r < j->n; r++)
            if (!j->key_null[r] && !j->matched[r]) j->active[j->n_active++] = (sel_t)r;
        j->phase = PP_NULL_BUILD;
        if (j->n_active && __atomic_load_n(&sh->null_chain, __ATOMIC_RELAXED)) {
            j->dirty = false;
            nl_pairs_start(&j->nl, sh, true);
            return;
        }
    }
    j->phase = PP_FINAL;
}

/* The rows a probe chunk yields once all its pairs are seen (*out NULL: none). */
static Status emit_final(JoinProbeOp *j, Chunk **out, Error *err)
{
    JoinShared *sh = j->sh;
    Chunk *in = j->in;
    idx_t n = j->n;
    switch (sh->type) {
    case PJ_LEFT:
    case PJ_FULL: {
        idx_t u = 0;
        for (idx_t r = 0; r < n; r++) {
            j->pair_phys[u] = j->phys[r];
            u += !j->matched[r];
        }
        if (!u) return BS_OK;
        Chunk *p = j->pairs;
        chunk_reset(p);
        for (int c = 0; c < sh->np; c++)
            BS_TRY(vector_slice(&p->cols[c], &in->cols[c], j->pair_phys, u, err));
        for (int c = 0; c < sh->nb; c++)
            BS_TRY(set_null_column(&p->cols[sh->np + c], err));
        p->n_rows = u;
        *out = p;
        return BS_OK;
    }
    case PJ_SEMI:
    case PJ_ANTI: {
        uint8_t want = sh->type == PJ_SEMI;
        idx_t m = 0;
        for (idx_t r = 0; r < n; r++) {
            j->out_sel[m] = j->phys[r];
            m += j->matched[r] == want;
        }
        if (!m) return BS_OK;
        if (m == n) {
            *out = in;
            return BS_OK;
        }
        Chunk *o = j->out;
        chunk_reset(o);
        for (int c = 0; c < sh->np; c++)
            vector_reference(&o->cols[c], &in->cols[c]);
        o->sel = j->out_sel;
        o->n_rows = m;
        *out = o;
        return BS_OK;
    }
    case PJ_MARK: {
        Chunk *o = j->out;
        chunk_reset(o);
        for (int c = 0; c < sh->np; c++) {
            if (in->sel)
                BS_TRY(vector_slice(&o->cols[c], &in->cols[c], in->sel, n, err));
            else
                vector_reference(&o->cols[c], &in->cols[c]);
        }
        Vector *mark = &o->cols[sh->np];
        uint8_t *marks = mark->data;
        bool build_rows = sh->n_rows > 0;
        bool null_keys = __atomic_load_n(&sh->build_has_null_key, __ATOMIC_RELAXED);
        for (idx_t r = 0; r < n; r++) {
            marks[r] = j->matched[r];
            if (j->matched[r] || !sh->null_aware) continue;
            /* x IN (subquery): unknown when x is NULL and the subquery has rows, or when
               the subquery has a NULL (with a residual: rows that pass it). */
            bool unknown = j->residual ? j->mark_null[r] : j->key_null[r] ? build_rows : null_keys;
            if (unknown) BS_TRY(vector_set_null(mark, r, err));
        }
        o->n_rows = n;
        *out = o;
        return BS_OK;
    }
    case PJ_INNER:
    case PJ_COUNT_:
        break;
    }
    return BS_OK;
}

/* The probe side's input has ended for this driver (and its last chunk is done). */
static void end_of_input(JoinProbeOp *j)
{
    JoinShared *sh = j->sh;
    if (sh->type == PJ_FULL && !j->arrived) {
        j->arrived = true;
        bool last = atomic_fetch_add(&sh->probes_done, 1) + 1 == sh->n_probe_drivers;
        if (last && !atomic_load(&sh->probe_cut)) {
            j->phase = PP_BUILD_UNMATCHED;
            j->scan_block = j->scan_offset = 0;
            return;
        }
    }
    j->phase = PP_DONE;
    j->finished = true;
}

static void release_input(JoinProbeOp *j)
{
    j->in = NULL;
    j->n = 0;
    j->phase = PP_IDLE;
    if (j->input_done) end_of_input(j);
}

/* FULL, last probe driver: the next vector of build rows that nothing matched. */
static Status emit_build_unmatched(JoinProbeOp *j, Chunk **out, Error *err)
{
    JoinShared *sh = j->sh;
    idx_t m = 0;
    uint32_t id;
    uint64_t scanned = 0;
    while (m < BASALT_VECTOR_SIZE && join_next_row(sh, &j->scan_block, &j->scan_offset, &id)) {
        char *row = join_row(sh, id);
        j->pair_rowp[m] = row;
        m += !__atomic_load_n(row + JOIN_ROW_MATCHED, __ATOMIC_RELAXED);
        /* Most rows may have matched: a long scan stays cancellable. */
        if (++scanned % (1u << 16) == 0 && task_should_stop(j->base.task))
            return task_cancelled_error(err);
    }
    if (!m) {
        j->phase = PP_DONE;
        j->finished = true;
        return BS_OK;
    }
    Chunk *p = j->pairs;
    chunk_reset(p);
    for (int c = 0; c < sh->np; c++)
        BS_TRY(set_null_column(&p->cols[c], err));
    for (int c = 0; c < sh->nb; c++)
        BS_TRY(gather_build(sh, &p->cols[sh->np + c], c, j->pair_rowp, m, err));
    p->n_rows = m;
    j->base.counters[PROBE_UNMATCHED_BUILD] += m;
    *out = p;
    return BS_OK;
}

/* ---- the operator ---- */

static bool probe_needs_input(Operator *op)
{
    JoinProbeOp *j = (JoinProbeOp *)op;
    return j->phase == PP_IDLE && !j->input_done && !j->finished;
}

static Status probe_add_input(Operator *op, Chunk *in, Error *err)
{
    JoinProbeOp *j = (JoinProbeOp *)op;
    if (task_should_stop(op->task)) return task_cancelled_error(err);
    bool go;
    BS_TRY(check_ready(j, &go, err));
    if (!go) return BS_OK;
    idx_t n = in->n_rows;
    op->counters[PROBE_ROWS] += n;
    if (n == 0) return BS_OK;
    j->in = in;
    j->n = n;
    sel_t *phys = j->phys;
    if (in->sel)
        memcpy(phys, in->sel, sizeof(sel_t) * n);
    else
        memcpy(phys, SEL_IDENTITY, sizeof(sel_t) * n);
    memset(j->matched, 0, n);
    memset(j->key_null, 0, n);
    memset(j->mark_null, 0, n);
    j->phase = PP_PAIRS;
    if (j->sh->n_keys > 0)
        start_hash(j);
    else
        start_nested_loop(j);
    return BS_OK;
}

static Status probe_get_output(Operator *op, Chunk **out, Error *err)
{
    JoinProbeOp *j = (JoinProbeOp *)op;
    *out = NULL;
    if (j->finished || j->phase == PP_IDLE) return BS_OK;
    if (task_should_stop(op->task)) return task_cancelled_error(err);
    for (;;) {
        switch (j->phase) {
        case PP_IDLE:
        case PP_DONE:
            return BS_OK;
        case PP_PAIRS:
        case PP_NULL_PROBE:
        case PP_NULL_BUILD: {
            idx_t n = next_pairs(j);
            if (!n) {
                next_phase(j);
                break;
            }
            BS_TRY(process_pairs(j, n, out, err));
            if (*out) return BS_OK;
            /* A long run of pairs that do not match: stay cancellable. */
            if (task_should_stop(op->task)) return task_cancelled_error(err);
            break;
        }
        case PP_FINAL:
            BS_TRY(emit_final(j, out, err));
            release_input(j);
            if (*out) return BS_OK;
            break;
        case PP_BUILD_UNMATCHED:
            return emit_build_unmatched(j, out, err);
        }
    }
}

static Status probe_finish(Operator *op, Error *err)
{
    JoinProbeOp *j = (JoinProbeOp *)op;
    if (j->input_done) return BS_OK;
    j->input_done = true;
    bool go;
    BS_TRY(check_ready(j, &go, err));
    if (go && j->phase == PP_IDLE) end_of_input(j);
    return BS_OK;
}

static bool probe_is_finished(Operator *op)
{
    return ((JoinProbeOp *)op)->finished;
}

static void probe_close(Operator *op)
{
    JoinProbeOp *j = (JoinProbeOp *)op;
    if (j->sh->type == PJ_FULL && !j->arrived) {
        /* Stopped before the end of its input: the unmatched build rows are unknown. */
        j->arrived = true;
        atomic_store(&j->sh->probe_cut, true);
        atomic_fetch_add(&j->sh->probes_done, 1);
    }
}

static const OperatorVtab HASH_PROBE_VTAB = {
    .name = "HashJoinProbe",
    .needs_input = probe_needs_input,
    .add_input = probe_add_input,
    .get_output = probe_get_output,
    .finish = probe_finish,
    .is_finished = probe_is_finished,
    .close = probe_close,
};

static const OperatorVtab NESTED_LOOP_PROBE_VTAB = {
    .name = "NestedLoopJoin",
    .needs_input = probe_needs_input,
    .add_input = probe_add_input,
    .get_output = probe_get_output,
    .finish = probe_finish,
    .is_finished = probe_is_finished,
    .close = probe_close,
};

/* Marks the columns an expression reads (probe columns first, then build columns). */
static void mark_columns(const Expr *e, JoinProbeOp *j)
{
    if (!e) return;
    switch (e->kind) {
    case EXPR_COLUMN: {
        int c = e->u.column.index;
        if (c >= 0 && c < j->sh->np)
            j->probe_needed[c] = true;
        else if (c >= j->sh->np && c < j->sh->np + j->sh->nb)
            j->build_needed[c - j->sh->np] = true;
        break;
    }
    case EXPR_CALL:
        for (int k = 0; k < e->u.call.n_args; k++)
            mark_columns(e->u.call.args[k], j);
        break;
    case EXPR_CAST:
        mark_columns(e->u.cast.arg, j);
        break;
    case EXPR_AND:
    case EXPR_OR:
        for (int k = 0; k < e->u.conj.n_args; k++)
            mark_columns(e->u.conj.args[k], j);
        break;
    case EXPR_NOT:
    case EXPR_IS_NULL:
    case EXPR_IS_NOT_NULL:
        mark_columns(e->u.unary.arg, j);
        break;
    case EXPR_CASE:
        for (int k = 0; k < e->u.case_.n_whens; k++) {
            mark_columns(e->u.case_.whens[k], j);
            mark_columns(e->u.case_.thens[k], j);
        }
        mark_columns(e->u.case_.else_expr, j);
        break;
    case EXPR_CONSTANT:
    case EXPR_SUBQUERY:
    case EXPR_AGGREGATE:
    case EXPR_WINDOW:
        break;
    }
}

Status op_join_probe_create(Driver *d, const PlanNode *node, BreakerState *shared, Operator **out,
                            Error *err)
{
    JoinShared *sh = shared;
    JoinProbeOp *j = (JoinProbeOp *)operator_new(
        d, node, sh->n_keys ? &HASH_PROBE_VTAB : &NESTED_LOOP_PROBE_VTAB, sizeof *j, err);
    if (!j) return BS_ERROR;
    Arena *a = j->base.arena;
    j->sh = sh;
    j->type = sh->type;
    j->emits_pairs = sh->type == PJ_INNER || sh->type == PJ_LEFT || sh->type == PJ_FULL;
    j->probe_needed = arena_alloc_zero(a, sizeof(bool) * (size_t)(sh->np + 1));
    j->build_needed = arena_alloc_zero(a, sizeof(bool) * (size_t)(sh->nb + 1));
    if (!j->probe_needed || !j->build_needed) return arena_error(a, err);
    if (node->u.join.residual) {
        BS_TRY(expr_compile(node->u.join.residual, sh->np + sh->nb, sh->pair_types, a, &j->residual,
                            err));
        mark_columns(node->u.join.residual, j);
    }
    if (j->emits_pairs) {
        memset(j->probe_needed, 1, (size_t)sh->np);
        memset(j->build_needed, 1, (size_t)sh->nb);
    }
    size_t vs = BASALT_VECTOR_SIZE, nk = (size_t)(sh->n_keys ? sh->n_keys : 1);
    j->phys = arena_alloc(a, sizeof(sel_t) * vs);
    j->kuv = arena_alloc(a, sizeof(UnifiedVector) * nk);
    j->kuv_scratch = arena_alloc(a, sizeof(sel_t) * vs * nk);
    j->hashes = arena_alloc(a, sizeof(uint64_t) * vs);
    j->heads = arena_alloc(a, sizeof(uint64_t) * vs);
    j->matched = arena_alloc(a, vs);
    j->key_null = arena_alloc(a, vs);
    j->mark_null = arena_alloc(a, vs);
    j->list = arena_alloc(a, sizeof(sel_t) * vs);
    j->active = arena_alloc(a, sizeof(sel_t) * vs);
    j->pair_probe = arena_alloc(a, sizeof(sel_t) * vs);
    j->pair_build = arena_alloc(a, sizeof(uint32_t) * vs);
    j->pair_rowp = arena_alloc(a, sizeof(char *) * vs);
    j->pair_phys = arena_alloc(a, sizeof(sel_t) * vs);
    j->pass = arena_alloc(a, sizeof(sel_t) * vs);
    j->out_sel = arena_alloc(a, sizeof(sel_t) * vs);
    if (!j->phys || !j->kuv || !j->kuv_scratch || !j->hashes || !j->heads || !j->matched ||
        !j->key_null || !j->mark_null || !j->list || !j->active || !j->pair_probe ||
        !j->pair_build || !j->pair_rowp || !j->pair_phys || !j->pass || !j->out_sel)
        return arena_error(a, err);
    if (sh->n_keys) BS_TRY(join_lookup_scratch_init(&j->lookup, a, err));
    j->pairs = chunk_create(a, sh->pair_types, sh->np + sh->nb, err);
    if (!j->pairs) return BS_ERROR;
    if (!j->emits_pairs) {
        j->out = chunk_create(a, node->types, node->n_cols, err);
        if (!j->out) return BS_ERROR;
    }
    j->base.counter_names[PROBE_ROWS] = "probe rows";
    j->base.counter_names[PROBE_PAIRS] = "candidate pairs";
    j->base.counter_names[PROBE_MATCHES] = "matches";
    if (sh->type == PJ_FULL) j->base.counter_names[PROBE_UNMATCHED_BUILD] = "unmatched build rows";
    *out = &j->base;
    return BS_OK;
}
