/*
 * bench_server_functions.c — throughput of scalar functions over a table of generated
 * rows: LIKE and ILIKE, regular expressions (a constant pattern, compiled once per
 * expression), long IN lists of integers and strings, and a few string functions.
 *
 * The table t(x BIGINT, s VARCHAR) holds x = 0 … rows-1 and s = md5(x) (32 hex digits), made
 * by CREATE TABLE AS from range(). Each query counts rows or sums lengths so the result is
 * one row; the figure is the best of `repeats` runs.
 *
 * Usage: bench_server_functions [rows (default 10000000)] [threads (default: CPUs)] [repeats (3)]
 *                               [only the queries whose name contains this text]
 * Build it in Release: cmake -DCMAKE_BUILD_TYPE=Release, target bench_server_functions.
 */
#include "common/alloc.h"
#include "common/buffer.h"
#include "common/threadpool.h"
#include "server/engine.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static double run(Engine *e, const char *sql, uint64_t *rows_out)
{
    Result *r = NULL;
    Error err = ERROR_INIT;
    int64_t t0 = clock_now_ns();
    if (engine_execute(e, sql, strlen(sql), &r, &err) != BS_OK) {
        fprintf(stderr, "FAILED: %.200s\n  %s: %s\n", sql, err.sqlstate, err.message);
        exit(1);
    }
    double ms = (double)(clock_now_ns() - t0) / 1e6;
    if (rows_out) *rows_out = r->n_rows;
    result_free(r);
    return ms;
}

/* "select count(*) from t where <column> in (v0, v1, …)" with n values, every 7th number. */
static char *in_list_query(int n, bool strings)
{
    Buffer b;
    buffer_init(&b);
    const char *head = strings ? "select count(*) from t where s in (" : "select count(*) from t where x in (";
    buffer_put_bytes(&b, head, strlen(head));
    for (int k = 0; k < n; k++) {
        char v[64];
        int len = strings ? snprintf(v, sizeof v, "%s'%d'", k ? ", " : "", k * 7)
                          : snprintf(v, sizeof v, "%s%d", k ? ", " : "", k * 7919);
        buffer_put_bytes(&b, v, (size_t)len);
    }
    buffer_put_bytes(&b, ")", 1);
    buffer_terminate(&b);
    return (char *)b.data;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 10000000;
    int threads = argc > 2 ? atoi(argv[2]) : 0;
    int repeats = argc > 3 ? atoi(argv[3]) : 3;
    const char *only = argc > 4 ? argv[4] : NULL;
    char dir[] = "/tmp/basalt-bench-XXXXXX";
    if (!mkdtemp(dir)) return 1;
    char data[256];
    snprintf(data, sizeof data, "%s/data", dir);
    EngineConfig cfg = {.data_dir = data, .threads = threads};
    Engine *e;
    Error err = ERROR_INIT;
    if (engine_open(&cfg, &e, &err) != BS_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    printf("rows: %ld, threads: %d, best of %d\n", n, engine_threads(e), repeats);
    char create[256];
    snprintf(create, sizeof create,
             "create table t as select x, md5(x::varchar) as s from range(%ld) r(x)", n);
    double create_ms = run(e, create, NULL);
    printf("%-50s %10.1f ms %8.1f M rows/s\n", "CREATE TABLE AS (md5 per row)", create_ms,
           (double)n / create_ms / 1e3);
    char *in_int = in_list_query(1000, false);
    char *in_str = in_list_query(1000, true);
    const char *queries[][2] = {
        {"count(*) (the scan alone)", "select count(*) from t"},
        {"LIKE '%ab%'", "select count(*) from t where s like '%ab%'"},
        {"LIKE 'ab%'", "select count(*) from t where s like 'ab%'"},
        {"ILIKE '%AB%'", "select count(*) from t where s ilike '%AB%'"},
        {"~ 'a[0-9]b'", "select count(*) from t where s ~ 'a[0-9]b'"},
        {"~* '^AB'", "select count(*) from t where s ~* '^AB'"},
        {"regexp_replace(s, '[0-9]', '', 'g')",
         "select sum(length(regexp_replace(s, '[0-9]', '', 'g'))) from t"},
        {"regexp_extract(s, '[a-f]+')", "select sum(length(regexp_extract(s, '[a-f]+'))) from t"},
        {"x IN (1000 integers)", in_int},
        {"s IN (1000 strings)", in_str},
        {"strpos(s, 'abc') > 0", "select count(*) from t where strpos(s, 'abc') > 0"},
        {"lpad/replace/upper", "select sum(length(lpad(replace(upper(s), 'A', 'xy'), 40, '-'))) from t"},
    };
    for (size_t k = 0; k < sizeof queries / sizeof queries[0]; k++) {
        if (only && !strstr(queries[k][0], only)) continue;
        double best = 1e30;
        uint64_t rows = 0;
        for (int rep = 0; rep < repeats; rep++) {
            double ms = run(e, queries[k][1], &rows);
            if (ms < best) best = ms;
        }
        printf("%-50s %10.1f ms %8.1f M rows/s\n", queries[k][0], best, (double)n / best / 1e3);
    }
    bs_free(in_int);
    bs_free(in_str);
    engine_close(e);
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}
