/*
 * op_nested_loop_join.c — the pairs of a nested-loop join: the cross product of a probe
 * chunk's rows with the build side's rows, made in batches of at most a vector of pairs
 * for the probe operator (op_hash_join.c), which evaluates the join's residual predicate
 * over each batch and decides the output as for a hash join's candidate pairs. A join
 * without keys (n_keys == 0) gets all its pairs from here; a null-aware MARK join with a
 * residual also pairs its probe rows with a NULL key against every build row, and its rows
 * without a match against the build rows with a NULL key.
 *
 * The product is made build row by build row — one build row with every probe row still
 * in the list, then the next build row — so that between build rows the operator can drop
 * the probe rows that are decided (SEMI, ANTI and MARK need one match per row).
 */
#include "exec/join_int.h"

void nl_pairs_start(NlPairs *g, const JoinShared *sh, bool null_chain)
{
    memset(g, 0, sizeof *g);
    g->chain = null_chain;
    g->chain_next = null_chain ? __atomic_load_n(&sh->null_chain, __ATOMIC_RELAXED) : 0;
}

/* The next build row to pair; false at the end. */
static bool next_build_row(NlPairs *g, const JoinShared *sh)
{
    if (g->chain) {
        if (!g->chain_next) return false;
        g->row = g->chain_next - 1;
        g->chain_next = join_row_next(join_row(sh, g->row));
        return true;
    }
    return join_next_row(sh, &g->block, &g->offset, &g->row);
}

idx_t nl_pairs_next(NlPairs *g, const JoinShared *sh, const sel_t *probe, idx_t n_probe,
                    sel_t *out_probe, uint32_t *out_build, idx_t cap)
{
    idx_t k = 0;
    if (n_probe == 0) g->done = true;
    while (k < cap && !g->done) {
        if (!g->have_row) {
            if (!next_build_row(g, sh)) {
                g->done = true;
                break;
            }
            g->have_row = true;
            g->probe_pos = 0;
        }
        idx_t take = n_probe - g->probe_pos;
        if (take > cap - k) take = cap - k;
        const sel_t *from = probe + g->probe_pos;
        uint32_t row = g->row;
        for (idx_t t = 0; t < take; t++) {
            out_probe[k + t] = from[t];
            out_build[k + t] = row;
        }
        k += take;
        g->probe_pos += take;
        if (g->probe_pos >= n_probe) g->have_row = false;
    }
    return k;
}
