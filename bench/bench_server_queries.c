/*
 * bench_server_queries.c — end-to-end figures for the engine's hot paths on a
 * lineitem-like table: COPY (CSV parsing and file writing), scans, filters with zone maps,
 * hash aggregation with few and many groups, count(distinct), sort, INSERT … SELECT.
 *
 * Usage: bench_server_queries [rows (default 4000000)] [threads (default: CPUs)] [repeats (3)]
 * Prints, per query, the best of `repeats` runs in ms and the input rows per second.
 * Build it in Release: cmake -DCMAKE_BUILD_TYPE=Release, target bench_server_queries.
 */
#include "common/alloc.h"
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
        fprintf(stderr, "FAILED: %s\n  %s: %s\n", sql, err.sqlstate, err.message);
        exit(1);
    }
    double ms = (double)(clock_now_ns() - t0) / 1e6;
    if (rows_out) *rows_out = r->n_rows;
    result_free(r);
    return ms;
}

/* Writes a CSV of n lineitem-like rows; returns its size in bytes. */
static long write_csv(const char *path, long n)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(1);
    }
    static const char *flags = "ANR", *status = "OF";
    static const char *modes[] = {"AIR", "FOB", "MAIL", "RAIL", "REG AIR", "SHIP", "TRUCK"};
    uint64_t seed = 42;
    for (long i = 0; i < n; i++) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        uint32_t r = (uint32_t)(seed >> 32);
        long orderkey = i / 4 + 1;
        int quantity = (int)(r % 50) + 1;
        long price_cents = (long)quantity * (90000 + (long)(r % 10000000) / 100);
        int discount = (int)((r >> 8) % 11);
        int tax = (int)((r >> 12) % 9);
        int day = (int)((r >> 4) % 2526); /* 1992-01-02 .. 1998-12-01 */
        int y = 1992 + day / 366, m = 1 + (day / 31) % 12, d = 1 + day % 28;
        fprintf(f, "%ld,%ld,%d,%ld.%02ld,0.%02d,0.%02d,%c,%c,%04d-%02d-%02d,%s,comment %u\n",
                orderkey, (long)(r % 200000) + 1, quantity, price_cents / 100, price_cents % 100,
                discount, tax, flags[r % 3], status[(r >> 3) % 2], y, m, d, modes[(r >> 5) % 7],
                r % 100000);
    }
    long size = ftell(f);
    fclose(f);
    return size;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 4000000;
    int threads = argc > 2 ? atoi(argv[2]) : 0;
    int repeats = argc > 3 ? atoi(argv[3]) : 3;
    char dir[] = "/tmp/basalt-bench-XXXXXX";
    if (!mkdtemp(dir)) return 1;
    char csv[256], data[256];
    snprintf(csv, sizeof csv, "%s/lineitem.csv", dir);
    snprintf(data, sizeof data, "%s/data", dir);
    long bytes = write_csv(csv, n);
    EngineConfig cfg = {.data_dir = data, .threads = threads};
    Engine *e;
    Error err = ERROR_INIT;
    if (engine_open(&cfg, &e, &err) != BS_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    printf("rows: %ld, threads: %d, best of %d\n", n, engine_threads(e), repeats);
    run(e,
        "create table lineitem (l_orderkey bigint, l_partkey integer, l_quantity integer, "
        "l_extendedprice decimal(15,2), l_discount decimal(15,2), l_tax decimal(15,2), "
        "l_returnflag varchar, l_linestatus varchar, l_shipdate date, l_shipmode varchar, "
        "l_comment varchar)",
        NULL);
    char copy[512];
    snprintf(copy, sizeof copy, "copy lineitem from '%s' with (format csv)", csv);
    double copy_ms = run(e, copy, NULL);
    printf("%-58s %10.1f ms %8.1f M rows/s %7.1f MB/s\n", "COPY lineitem FROM csv", copy_ms,
           (double)n / copy_ms / 1e3, (double)bytes / copy_ms / 1e3);
    static const char *queries[][2] = {
        {"count(*)", "select count(*) from lineitem"},
        {"sum(decimal)", "select sum(l_extendedprice) from lineitem"},
        {"filter + sum (Q6-like)", "select sum(l_extendedprice * l_discount) from lineitem where "
                                   "l_shipdate >= date '1994-01-01' "
                                   "and l_shipdate < date '1995-01-01' and l_discount between 0.05 "
                                   "and 0.07 and l_quantity < 24"},
        {"Q6 as written (folded constants)",
         "select sum(l_extendedprice * l_discount) from lineitem where "
         "l_shipdate >= date '1994-01-01' and l_shipdate < date '1994-01-01' + 365 and "
         "l_discount between 0.06 - 0.01 and 0.06 + 0.01 and l_quantity < 24"},
        {"IN list, 12 integers", "select count(*) from lineitem where l_quantity in (1, 5, 9, 13, "
                                 "17, 21, 25, 29, 33, 37, 41, 45)"},
        {"IN list, 3 strings",
         "select count(*) from lineitem where l_shipmode in ('MAIL', 'SHIP', 'REG AIR')"},
        {"group by 2 keys, 8 aggregates (Q1-like)",
         "select l_returnflag, l_linestatus, sum(l_quantity), sum(l_extendedprice), "
         "sum(l_extendedprice * (1 - l_discount)), sum(l_extendedprice * (1 - l_discount) * (1 + "
         "l_tax)), "
         "avg(l_quantity), avg(l_extendedprice), avg(l_discount), count(*) from lineitem "
         "where l_shipdate <= date '1998-09-02' group by l_returnflag, l_linestatus "
         "order by l_returnflag, l_linestatus"},
        {"group by high cardinality (orders)",
         "select l_orderkey, sum(l_quantity) from lineitem group by l_orderkey"},
        {"count(distinct)", "select count(distinct l_partkey) from lineitem"},
        {"group by string",
         "select l_shipmode, count(*), max(l_comment) from lineitem group by l_shipmode"},
        {"order by + limit",
         "select l_orderkey, l_extendedprice from lineitem order by l_extendedprice desc limit 10"},
        {"sort 1M rows",
         "select l_partkey from lineitem where l_orderkey <= 250000 order by l_partkey"},
        {"like on strings", "select count(*) from lineitem where l_comment like '%99%'"},
    };
    for (size_t k = 0; k < sizeof queries / sizeof queries[0]; k++) {
        double best = 1e30;
        uint64_t rows = 0;
        for (int rep = 0; rep < repeats; rep++) {
            double ms = run(e, queries[k][1], &rows);
            if (ms < best) best = ms;
        }
        printf("%-58s %10.1f ms %8.1f M rows/s  (%llu rows out)\n", queries[k][0], best,
               (double)n / best / 1e3, (unsigned long long)rows);
    }
    double insert_ms = run(e, "create table copy as select * from lineitem", NULL);
    printf("%-58s %10.1f ms %8.1f M rows/s\n", "CREATE TABLE AS SELECT * (write)", insert_ms,
           (double)n / insert_ms / 1e3);
    engine_close(e);
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}
