/*
 * bench_storage_io — throughput of the storage module on lineitem-like data:
 *   write  5M rows × 16 columns into a column file (zstd level 3);
 *   scan   them back, all columns and a single column (the file is in the page cache, so
 *          this measures checksum + decompression + decoding);
 *   csv    parse the same rows from a '|'-separated file (dbgen's layout).
 * Rows are generated chunk by chunk; only the storage calls are timed. MB/s counts the
 * in-memory size of the values (strings by their length) for write and scan, and the
 * file's bytes for CSV.
 *
 * Usage: bench_storage_io [rows] [dir]   (defaults: 5000000, /tmp)
 * Build in Release to measure:
 *   cmake -S . -B build/storage-rel -G Ninja -DCMAKE_BUILD_TYPE=Release
 *   ninja -C build/storage-rel bench_storage_io
 */
#include "storage/storage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define N_COLS 16

static const char *const NAMES[N_COLS] = {
    "l_orderkey",    "l_partkey",       "l_suppkey",  "l_linenumber",
    "l_quantity",    "l_extendedprice", "l_discount", "l_tax",
    "l_returnflag",  "l_linestatus",    "l_shipdate", "l_commitdate",
    "l_receiptdate", "l_shipinstruct",  "l_shipmode", "l_comment"};

static LogicalType g_types[N_COLS];

static const char *const INSTRUCT[4] = {"DELIVER IN PERSON", "COLLECT COD", "NONE",
                                        "TAKE BACK RETURN"};
static const char *const MODES[7] = {"REG AIR", "AIR", "RAIL", "SHIP", "TRUCK", "MAIL", "FOB"};
static const char *const WORDS[16] = {"furiously", "quickly",  "carefully",   "blithely",
                                      "slyly",     "ironic",   "final",       "pending",
                                      "regular",   "express",  "deposits",    "accounts",
                                      "packages",  "requests", "theodolites", "foxes"};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t g_rng = 88172645463325252ULL;

static uint64_t rnd(void)
{
    g_rng ^= g_rng << 13;
    g_rng ^= g_rng >> 7;
    g_rng ^= g_rng << 17;
    return g_rng;
}

/* One row's values, in text-friendly form. */
typedef struct Row {
    int64_t orderkey;
    int32_t partkey, suppkey, linenumber;
    int64_t quantity, price, discount, tax; /* DECIMAL(15,2) unscaled */
    char returnflag[2], linestatus[2];
    int32_t shipdate, commitdate, receiptdate;
    const char *instruct, *mode;
    char comment[48];
    int comment_len;
} Row;

static void make_row(uint64_t index, Row *r)
{
    r->orderkey = (int64_t)(index / 4) * 4 + 1;
    r->partkey = (int32_t)(rnd() % 200000) + 1;
    r->suppkey = (int32_t)(rnd() % 10000) + 1;
    r->linenumber = (int32_t)(index % 7) + 1;
    r->quantity = (int64_t)(rnd() % 50 + 1) * 100;
    r->price = (int64_t)(rnd() % 10000000) + 90000;
    r->discount = (int64_t)(rnd() % 11);
    r->tax = (int64_t)(rnd() % 9);
    r->returnflag[0] = "ANR"[rnd() % 3];
    r->returnflag[1] = 0;
    r->linestatus[0] = "OF"[rnd() % 2];
    r->linestatus[1] = 0;
    r->shipdate = 8036 + (int32_t)(rnd() % 2526);
    r->commitdate = r->shipdate + (int32_t)(rnd() % 60) - 30;
    r->receiptdate = r->shipdate + (int32_t)(rnd() % 30) + 1;
    r->instruct = INSTRUCT[rnd() % 4];
    r->mode = MODES[rnd() % 7];
    int len = 0, target = 10 + (int)(rnd() % 33);
    while (len < target) {
        const char *w = WORDS[rnd() % 16];
        int n = (int)strlen(w);
        if (len + n + 1 > (int)sizeof r->comment - 1) break;
        if (len) r->comment[len++] = ' ';
        memcpy(r->comment + len, w, (size_t)n);
        len += n;
    }
    r->comment[len] = 0;
    r->comment_len = len;
}

/* Fills chunk with rows [start, start+n); returns their in-memory bytes. */
static uint64_t fill_chunk(Chunk *chunk, uint64_t start, idx_t n)
{
    Error err = ERROR_INIT;
    chunk_reset(chunk);
    uint64_t bytes = 0;
    for (idx_t k = 0; k < n; k++) {
        Row r;
        make_row(start + k, &r);
        ((int64_t *)chunk->cols[0].data)[k] = r.orderkey;
        ((int32_t *)chunk->cols[1].data)[k] = r.partkey;
        ((int32_t *)chunk->cols[2].data)[k] = r.suppkey;
        ((int32_t *)chunk->cols[3].data)[k] = r.linenumber;
        ((int64_t *)chunk->cols[4].data)[k] = r.quantity;
        ((int64_t *)chunk->cols[5].data)[k] = r.price;
        ((int64_t *)chunk->cols[6].data)[k] = r.discount;
        ((int64_t *)chunk->cols[7].data)[k] = r.tax;
        ((int32_t *)chunk->cols[10].data)[k] = r.shipdate;
        ((int32_t *)chunk->cols[11].data)[k] = r.commitdate;
        ((int32_t *)chunk->cols[12].data)[k] = r.receiptdate;
        const char *strs[5] = {r.returnflag, r.linestatus, r.instruct, r.mode, r.comment};
        int cols[5] = {8, 9, 13, 14, 15};
        for (int s = 0; s < 5; s++) {
            size_t len = strlen(strs[s]);
            if (vector_add_string(&chunk->cols[cols[s]], strs[s], len,
                                  &((StringView *)chunk->cols[cols[s]].data)[k], &err) != BS_OK) {
                fprintf(stderr, "%s\n", err.message);
                exit(1);
            }
            bytes += len;
        }
        bytes += 8 * 5 + 4 * 6;
    }
    chunk->n_rows = n;
    return bytes;
}

static void die(Error *err)
{
    fprintf(stderr, "error: %s (%s)\n", err->message, err->sqlstate);
    exit(1);
}

static void report(const char *what, uint64_t rows, uint64_t bytes, double secs)
{
    printf("%-28s %9.3f s %10.2f M rows/s %9.1f MB/s\n", what, secs, (double)rows / secs / 1e6,
           (double)bytes / secs / 1e6);
}

/* Scans `cols` of the file; returns the seconds taken. */
static double scan(const char *path, const int *cols, int n_cols, uint64_t *rows_out)
{
    Error err = ERROR_INIT;
    Arena *arena = arena_create(NULL, NULL, 0);
    LogicalType types[N_COLS];
    for (int k = 0; k < n_cols; k++)
        types[k] = g_types[cols[k]];
    Chunk *chunk = chunk_create(arena, types, n_cols, &err);
    double t0 = now();
    ColumnFileReader *r;
    if (colfile_open(path, NULL, &r, &err) != BS_OK) die(&err);
    ColumnScan *s;
    if (colfile_scan_open(r, cols, n_cols, 0, colfile_n_row_groups(r), NULL, &s, &err) != BS_OK)
        die(&err);
    uint64_t rows = 0;
    int64_t checksum = 0;
    for (;;) {
        chunk_reset(chunk);
        if (colfile_scan_next(s, chunk, &err) != BS_OK) die(&err);
        if (!chunk->n_rows) break;
        rows += chunk->n_rows;
        checksum += ((const int64_t *)chunk->cols[0].data)[0];
    }
    colfile_scan_close(s);
    colfile_close(r);
    double secs = now() - t0;
    if (checksum == 42) printf(" ");
    arena_destroy(arena);
    *rows_out = rows;
    return secs;
}

static void write_csv(const char *path, uint64_t n_rows)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(1);
    }
    char line[512];
    for (uint64_t index = 0; index < n_rows; index++) {
        Row r;
        make_row(index, &r);
        char d1[16], d2[16], d3[16];
        format_date(r.shipdate, d1);
        format_date(r.commitdate, d2);
        format_date(r.receiptdate, d3);
        int len = snprintf(
            line, sizeof line,
            "%lld|%d|%d|%d|%lld.%02lld|%lld.%02lld|0.%02lld|0.%02lld|%s|%s|%s|%s|%s|%s|%s|%s|\n",
            (long long)r.orderkey, r.partkey, r.suppkey, r.linenumber,
            (long long)(r.quantity / 100), (long long)(r.quantity % 100),
            (long long)(r.price / 100), (long long)(r.price % 100), (long long)r.discount,
            (long long)r.tax, r.returnflag, r.linestatus, d1, d2, d3, r.instruct, r.mode,
            r.comment);
        fwrite(line, 1, (size_t)len, f);
    }
    fclose(f);
}

int main(int argc, char **argv)
{
    uint64_t n_rows = argc > 1 ? strtoull(argv[1], NULL, 10) : 5000000;
    const char *dir = argc > 2 ? argv[2] : "/tmp";
    for (int k = 0; k < N_COLS; k++)
        g_types[k] = type_make(TYPE_INTEGER);
    g_types[0] = type_make(TYPE_BIGINT);
    for (int k = 4; k <= 7; k++)
        g_types[k] = type_decimal(15, 2);
    for (int k = 10; k <= 12; k++)
        g_types[k] = type_make(TYPE_DATE);
    g_types[8] = g_types[9] = g_types[13] = g_types[14] = g_types[15] = type_make(TYPE_VARCHAR);
    char path[512], csv_path[512];
    snprintf(path, sizeof path, "%s/bench_storage_%d.bsc", dir, (int)getpid());
    snprintf(csv_path, sizeof csv_path, "%s/bench_storage_%d.csv", dir, (int)getpid());
    Error err = ERROR_INIT;
    Arena *arena = arena_create(NULL, NULL, 0);
    Chunk *chunk = chunk_create(arena, g_types, N_COLS, &err);
    printf("storage I/O benchmark: %llu lineitem-like rows, %d columns, vector size %d\n",
           (unsigned long long)n_rows, N_COLS, BASALT_VECTOR_SIZE);

    /* write */
    ColumnFileWriter *w;
    double t0 = now();
    if (colfile_writer_create(path, g_types, NAMES, N_COLS, NULL, NULL, &w, &err) != BS_OK)
        die(&err);
    double write_secs = now() - t0;
    uint64_t bytes = 0;
    g_rng = 88172645463325252ULL;
    for (uint64_t start = 0; start < n_rows; start += BASALT_VECTOR_SIZE) {
        idx_t n =
            (idx_t)(n_rows - start < BASALT_VECTOR_SIZE ? n_rows - start : BASALT_VECTOR_SIZE);
        bytes += fill_chunk(chunk, start, n);
        t0 = now();
        if (colfile_writer_append(w, chunk, &err) != BS_OK) die(&err);
        write_secs += now() - t0;
    }
    FileSummary summary;
    t0 = now();
    if (colfile_writer_finish(w, arena, &summary, &err) != BS_OK) die(&err);
    write_secs += now() - t0;
    report("write (zstd 3, fsync)", n_rows, bytes, write_secs);
    printf("%-28s %.1f MB in memory -> %.1f MB on disk (%.2fx)\n", "", (double)bytes / 1e6,
           (double)summary.n_bytes / 1e6, (double)bytes / (double)summary.n_bytes);

    /* scans */
    int all[N_COLS];
    for (int k = 0; k < N_COLS; k++)
        all[k] = k;
    uint64_t rows;
    double secs = scan(path, all, N_COLS, &rows);
    report("scan all 16 columns", rows, bytes, secs);
    int one[1] = {5};
    secs = scan(path, one, 1, &rows);
    report("scan l_extendedprice", rows, rows * 8, secs);
    int comment[1] = {15};
    secs = scan(path, comment, 1, &rows);
    report("scan l_comment", rows, rows * 27, secs);

    /* CSV */
    g_rng = 88172645463325252ULL;
    write_csv(csv_path, n_rows);
    CsvOptions opts;
    csv_default_options(&opts);
    opts.delimiter = '|';
    t0 = now();
    CsvReader *reader;
    if (csv_open(csv_path, &opts, g_types, N_COLS, NULL, &reader, &err) != BS_OK) die(&err);
    rows = 0;
    for (;;) {
        chunk_reset(chunk);
        if (csv_next(reader, chunk, &err) != BS_OK) die(&err);
        if (!chunk->n_rows) break;
        rows += chunk->n_rows;
    }
    csv_close(reader);
    secs = now() - t0;
    FILE *f = fopen(csv_path, "r");
    fseek(f, 0, SEEK_END);
    uint64_t csv_bytes = (uint64_t)ftell(f);
    fclose(f);
    report("csv parse (| delimited)", rows, csv_bytes, secs);
    unlink(path);
    unlink(csv_path);
    arena_destroy(arena);
    return rows == n_rows ? 0 : 1;
}
