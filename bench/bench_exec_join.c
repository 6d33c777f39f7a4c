/*
 * bench_exec_join.c — the hash join as a task runs it: a PLAN_JOIN whose build side is
 * N rows (BIGINT key, BIGINT payload) and whose probe side is P rows of keys drawn
 * uniformly from the build side's (every probe row has one match), both made on the fly by sources
 * the benchmark plugs in as remote inputs (so each side runs as many drivers as threads),
 * the output (probe key, build key, payload) counted by a sink that keeps nothing.
 *
 * Build time runs from the task's start to the probe side's first request for rows (the
 * probe pipeline starts only once the index is complete); probe time from then to the end.
 * Figures are per core: rows / s / threads. Each setting runs `repeats` times; the best
 * run is reported. The machine may be shared: a run during which other processes used more
 * than a tenth of a core (from /proc/stat, less this process's own time) does not count,
 * and is tried again (up to 5 × repeats runs); a figure with only such runs is marked '?'.
 *
 * Usage: bench_exec_join [probe rows in millions (default 100)] [repeats (default 3)]
 *                        [max threads (default 2)] [only this build size]
 */
#include "exec/exec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/* CPU seconds the whole machine spent busy so far, and this process. */
static double machine_busy_s(void)
{
    FILE *f = fopen("/proc/stat", "r");
    if (!f) return 0;
    unsigned long long v[8] = {0};
    int n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
                   &v[4], &v[5], &v[6], &v[7]);
    fclose(f);
    if (n < 4) return 0;
    unsigned long long busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
    return (double)busy / (double)sysconf(_SC_CLK_TCK);
}

static double self_busy_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* ---- the sides ---- */

/* Probe keys come from a table of this many random keys, made before the run. */
#define PROBE_KEYS (1 << 24)

typedef struct Gen {
    int fragment;
    const int64_t *keys;   /* probe: PROBE_KEYS random keys in [0, n_keys) */
    bool probe;            /* keys at random in [0, n_keys); otherwise key i, payload 2i */
    uint64_t n_rows;       /* rows to make */
    uint64_t n_keys;       /* probe: the build side's keys */
    uint64_t spread;       /* key i is i × spread: 1 (dense keys) or a large odd number */
    atomic_ullong next;    /* rows handed out */
    atomic_llong first_ns; /* when the first chunk was asked for */
} Gen;

typedef struct GenHandle {
    ExchangeSource base;
    Gen *gen;
    Chunk *chunk;
} GenHandle;

static const LogicalType BIGINTS[2] = {{TYPE_BIGINT, 0, 0, 0, 0}, {TYPE_BIGINT, 0, 0, 0, 0}};

static Status gen_next(ExchangeSource *source, Chunk **out, Future **blocked, Error *err)
{
    GenHandle *h = (GenHandle *)source;
    Gen *g = h->gen;
    *blocked = NULL;
    *out = NULL;
    int64_t unset = 0;
    atomic_compare_exchange_strong(&g->first_ns, &unset, clock_now_ns());
    uint64_t first = atomic_fetch_add(&g->next, BASALT_VECTOR_SIZE);
    if (first >= g->n_rows) return BS_OK;
    uint64_t n = g->n_rows - first < BASALT_VECTOR_SIZE ? g->n_rows - first : BASALT_VECTOR_SIZE;
    Chunk *c = h->chunk;
    chunk_reset(c);
    int64_t *keys = c->cols[0].data;
    if (g->probe) {
        /* a view of the random keys: the probe side costs next to nothing */
        c->cols[0].data = (void *)(g->keys + first % PROBE_KEYS);
    } else {
        int64_t *payload = c->cols[1].data;
        for (uint64_t i = 0; i < n; i++) {
            keys[i] = (int64_t)((first + i) * g->spread);
            payload[i] = 2 * (int64_t)(first + i);
        }
    }
    c->n_rows = n;
    *out = c;
    return BS_OK;
}

static void gen_close(ExchangeSource *source)
{
    (void)source;
}

typedef struct Inputs {
    TaskInputs base;
    Gen *gens[2];
    GenHandle handles[64];
    atomic_int n_handles;
} Inputs;

static ExchangeSource *inputs_open(TaskInputs *base, int fragment, Error *err)
{
    Inputs *in = (Inputs *)base;
    int k = atomic_fetch_add(&in->n_handles, 1);
    if (k >= 64) {
        error_set(err, SQLSTATE_INTERNAL_ERROR, -1, "too many handles");
        return NULL;
    }
    GenHandle *h = &in->handles[k];
    h->gen = in->gens[fragment];
    h->base.next = gen_next;
    h->base.close = gen_close;
    h->chunk = chunk_create(NULL, BIGINTS, h->gen->probe ? 1 : 2, err);
    return h->chunk ? &h->base : NULL;
}

/* ---- the output: counted ---- */

typedef struct Count {
    ExchangeSink base;
    atomic_ullong rows;
} Count;

static Future *count_is_blocked(ExchangeSink *sink, int partition)
{
    return NULL;
}

static Status count_send(ExchangeSink *sink, int partition, const Chunk *chunk, Error *err)
{
    atomic_fetch_add(&((Count *)sink)->rows, chunk->n_rows);
    return BS_OK;
}

static void count_no_more(ExchangeSink *sink, int producer)
{
}

static bool count_is_finished(ExchangeSink *sink)
{
    return false;
}

/* ---- one run ---- */

typedef struct Timing {
    double build_ms, probe_ms;
    double other_cores; /* what other processes used meanwhile, in cores */
    uint64_t rows_out;
    int64_t peak_bytes;
} Timing;

static PlanNode *source_node(Arena *a, int fragment, int n_cols)
{
    PlanNode *n = arena_alloc_zero(a, sizeof *n);
    n->kind = PLAN_REMOTE_SOURCE;
    n->n_cols = n_cols;
    n->types = arena_memdup(a, BIGINTS, sizeof(LogicalType) * (size_t)n_cols);
    n->u.remote.fragment = fragment;
    n->u.remote.kind = EXCHANGE_GATHER;
    n->est_rows = -1;
    return n;
}

static int run(ThreadPool *pool, int threads, uint64_t build_rows, uint64_t probe_rows,
               const int64_t *probe_keys, uint64_t spread, Timing *t)
{
    Arena *a = arena_create(NULL, NULL, 0);
    static int zero = 0;
    PlanNode *j = arena_alloc_zero(a, sizeof *j);
    j->kind = PLAN_JOIN;
    j->n_children = 2;
    j->children = arena_alloc(a, sizeof(PlanNode *) * 2);
    j->children[0] = source_node(a, 0, 1);
    j->children[1] = source_node(a, 1, 2);
    j->n_cols = 3;
    LogicalType out_types[3] = {BIGINTS[0], BIGINTS[0], BIGINTS[0]};
    j->types = arena_memdup(a, out_types, sizeof out_types);
    j->est_rows = -1;
    j->u.join.type = PJ_INNER;
    j->u.join.n_keys = 1;
    j->u.join.probe_keys = &zero;
    j->u.join.build_keys = &zero;
    PlanFragment frag = {.root = j, .consumer = -1, .n_tasks = 1};
    frag.output.kind = EXCHANGE_GATHER;

    Gen probe = {.fragment = 0,
                 .keys = probe_keys,
                 .probe = true,
                 .n_rows = probe_rows,
                 .n_keys = build_rows};
    Gen build = {.fragment = 1, .probe = false, .n_rows = build_rows, .spread = spread};
    Inputs inputs;
    memset(&inputs, 0, sizeof inputs);
    inputs.base.open = inputs_open;
    inputs.gens[0] = &probe;
    inputs.gens[1] = &build;
    Count count;
    memset(&count, 0, sizeof count);
    count.base.n_partitions = 1;
    count.base.is_blocked = count_is_blocked;
    count.base.send = count_send;
    count.base.no_more = count_no_more;
    count.base.is_finished = count_is_finished;
    MemTracker tracker;
    memtracker_init(&tracker, NULL, "query", 0);
    TaskConfig cfg = {.pool = pool,
                      .max_drivers = threads,
                      .tracker = &tracker,
                      .inputs = &inputs.base,
                      .output = &count.base};
    Error err = ERROR_INIT;
    Task *task = task_create(&frag, &cfg, &err);
    if (!task) {
        fprintf(stderr, "task_create: %s\n", err.message);
        return 1;
    }
    double machine0 = machine_busy_s(), self0 = self_busy_s();
    int64_t t0 = clock_now_ns();
    task_start(task);
    future_wait(task_done(task));
    int64_t t1 = clock_now_ns();
    double other = (machine_busy_s() - machine0) - (self_busy_s() - self0);
    t->other_cores = other / ((double)(t1 - t0) / 1e9);
    int rc = 0;
    if (task_result(task, &err) != BS_OK) {
        fprintf(stderr, "join: %s %s\n", err.sqlstate, err.message);
        rc = 1;
    }
    task_destroy(task);
    int64_t probe_start = atomic_load(&probe.first_ns);
    if (!probe_start) probe_start = t1;
    t->build_ms = (double)(probe_start - t0) / 1e6;
    t->probe_ms = (double)(t1 - probe_start) / 1e6;
    t->rows_out = atomic_load(&count.rows);
    t->peak_bytes = atomic_load(&tracker.peak);
    for (int k = 0; k < atomic_load(&inputs.n_handles) && k < 64; k++)
        chunk_destroy(inputs.handles[k].chunk);
    arena_destroy(a);
    if (t->rows_out != probe_rows) {
        fprintf(stderr, "join: %llu rows out for %llu probe rows\n",
                (unsigned long long)t->rows_out, (unsigned long long)probe_rows);
        rc = 1;
    }
    return rc;
}

int main(int argc, char **argv)
{
    uint64_t probe_m = argc > 1 ? strtoull(argv[1], NULL, 10) : 100;
    int repeats = argc > 2 ? atoi(argv[2]) : 3;
    int max_threads = argc > 3 ? atoi(argv[3]) : 2;
    uint64_t only = argc > 4 ? strtoull(argv[4], NULL, 10) : 0;
    if (probe_m < 1 || repeats < 1 || max_threads < 1 || max_threads > 32) return 2;
    static const uint64_t builds[] = {1000, 1000000, 10000000};
    printf("hash join: build N rows (BIGINT key, BIGINT payload), probe %llu M rows, one match "
           "each; best of %d\n",
           (unsigned long long)probe_m, repeats);
    int64_t *keys = malloc(sizeof(int64_t) * (PROBE_KEYS + BASALT_VECTOR_SIZE));
    if (!keys) return 1;
    /* Dense keys 0..N-1 (surrogate keys: the join indexes them as an array over their
       range) and sparse ones, i × a large odd number (hashed). */
    static const uint64_t spreads[] = {1, 0x9E3779B97F4A7C15ULL};
    for (size_t layout = 0; layout < 2; layout++)
        for (size_t b = 0; b < sizeof builds / sizeof builds[0]; b++) {
            if (only && builds[b] != only) continue;
            uint64_t spread = spreads[layout];
            /* xorshift, reduced to [0, n) by a multiply; the tail repeats the head so a chunk
               may start anywhere */
            uint64_t x = 88172645463325252ULL;
            for (size_t i = 0; i < PROBE_KEYS; i++) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                keys[i] = (int64_t)((uint64_t)(((unsigned __int128)x * builds[b]) >> 64) * spread);
            }
            memcpy(keys + PROBE_KEYS, keys, sizeof(int64_t) * BASALT_VECTOR_SIZE);
            for (int threads = 1; threads <= max_threads; threads++) {
                Error err = ERROR_INIT;
                ThreadPool *pool = threadpool_create(threads, &err);
                if (!pool) return 1;
                Timing best = {1e30, 1e30, 0, 0, 0}, any = best;
                int clean = 0;
                for (int r = 0; r < 5 * repeats && clean < repeats; r++) {
                    Timing t;
                    if (run(pool, threads, builds[b], probe_m * 1000000, keys, spread, &t) != 0)
                        return 1;
                    Timing *into = t.other_cores < 0.1 ? &best : &any;
                    clean += t.other_cores < 0.1;
                    if (t.build_ms < into->build_ms) into->build_ms = t.build_ms;
                    if (t.probe_ms < into->probe_ms) into->probe_ms = t.probe_ms;
                    into->peak_bytes = t.peak_bytes;
                }
                const char *mark = clean ? " " : "?";
                if (!clean) best = any;
                threadpool_destroy(pool);
                double build_rate = (double)builds[b] / (best.build_ms / 1e3) / threads;
                double probe_rate = (double)(probe_m * 1000000) / (best.probe_ms / 1e3) / threads;
                char peak[32];
                format_bytes(best.peak_bytes, peak, sizeof peak);
                printf("%s %s keys, build %8llu rows, %d thread%s: build %8.1f ms (%6.1f M "
                       "rows/s/core), "
                       "probe %8.1f ms (%6.1f M rows/s/core), peak %s\n",
                       mark, layout ? "sparse" : "dense ", (unsigned long long)builds[b], threads,
                       threads == 1 ? " " : "s", best.build_ms, build_rate / 1e6, best.probe_ms,
                       probe_rate / 1e6, peak);
                fflush(stdout);
            }
        }
    free(keys);
    return 0;
}
