/*
 * bench_storage_page — page encode and decode throughput on lineitem-like chunks:
 * 16 columns (BIGINT and INTEGER keys, four DECIMAL(15,2), three DATEs, one-letter flags,
 * short and medium VARCHARs), full chunks of BASALT_VECTOR_SIZE rows, flat vectors.
 * For zstd off, level 1 and level 3 it encodes every chunk repeatedly for a while, then
 * decodes the pages repeatedly, and prints MB/s (of the values in memory: fixed widths,
 * strings by their length), rows/s and how much smaller the pages are than the values.
 * A last line encodes through a selection of every other row (the gather path).
 * Times are the benchmark thread's CPU time, so the figures are per core and hold on a
 * machine shared with other work (wall time there measures the neighbours).
 *
 * Usage: bench_storage_page [seconds per figure] [chunks] [zstd level]
 *        (defaults: 1, 64, and all of off, 1, 3 and the selection)
 * Build in Release to measure:
 *   cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release
 *   ninja -C build/release bench_storage_page
 */
#include "storage/storage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define N_COLS 16

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t g_state = 0x2545f4914f6cdd1dULL;

static uint32_t rand_below(uint32_t n)
{
    g_state = g_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)((g_state >> 33) % n);
}

static const char *const FLAGS[3] = {"A", "N", "R"};
static const char *const STATUS[2] = {"O", "F"};
static const char *const INSTRUCTIONS[4] = {"DELIVER IN PERSON", "COLLECT COD", "NONE",
                                            "TAKE BACK RETURN"};
static const char *const MODES[7] = {"REG AIR", "AIR", "RAIL", "SHIP", "TRUCK", "MAIL", "FOB"};
static const char *const VOCABULARY[12] = {"final",   "ironic",   "pending",  "carefully",
                                           "quickly", "deposits", "accounts", "requests",
                                           "slyly",   "regular",  "express",  "packages"};

static void set_text(Vector *v, idx_t row, const char *text, uint64_t *bytes)
{
    Error err = ERROR_INIT;
    Value value = value_varchar(text, (uint32_t)strlen(text));
    if (vector_set_value(v, row, &value, &err) != BS_OK) {
        fprintf(stderr, "bench: %s\n", err.message);
        exit(1);
    }
    *bytes += strlen(text);
}

/* Fills chunk with BASALT_VECTOR_SIZE lineitem-like rows starting at order `order`. */
static uint64_t fill_lineitems(Chunk *chunk, uint64_t *order)
{
    uint64_t string_bytes = 0;
    int line = 1;
    for (idx_t row = 0; row < BASALT_VECTOR_SIZE; row++) {
        if (line > 1 + (int)rand_below(7)) {
            ++*order;
            line = 1;
        }
        ((int64_t *)chunk->cols[0].data)[row] = (int64_t)*order * 4;
        ((int32_t *)chunk->cols[1].data)[row] = 1 + (int32_t)rand_below(200000);
        ((int32_t *)chunk->cols[2].data)[row] = 1 + (int32_t)rand_below(10000);
        ((int32_t *)chunk->cols[3].data)[row] = line++;
        int64_t quantity = 1 + rand_below(50);
        ((int64_t *)chunk->cols[4].data)[row] = quantity * 100;
        ((int64_t *)chunk->cols[5].data)[row] = quantity * (90000 + rand_below(110000));
        ((int64_t *)chunk->cols[6].data)[row] = rand_below(11);
        ((int64_t *)chunk->cols[7].data)[row] = rand_below(9);
        set_text(&chunk->cols[8], row, FLAGS[rand_below(3)], &string_bytes);
        set_text(&chunk->cols[9], row, STATUS[rand_below(2)], &string_bytes);
        int32_t ship = 8036 + (int32_t)rand_below(2526);
        ((int32_t *)chunk->cols[10].data)[row] = ship;
        ((int32_t *)chunk->cols[11].data)[row] = ship - 30 + (int32_t)rand_below(60);
        ((int32_t *)chunk->cols[12].data)[row] = ship + 1 + (int32_t)rand_below(30);
        set_text(&chunk->cols[13], row, INSTRUCTIONS[rand_below(4)], &string_bytes);
        set_text(&chunk->cols[14], row, MODES[rand_below(7)], &string_bytes);
        char comment[64] = "";
        size_t target = 10 + rand_below(34), len = 0;
        while (len < target) {
            const char *word = VOCABULARY[rand_below(12)];
            len += (size_t)snprintf(comment + len, sizeof comment - len, len ? " %s" : "%s", word);
        }
        comment[target] = '\0';
        set_text(&chunk->cols[15], row, comment, &string_bytes);
    }
    chunk->n_rows = BASALT_VECTOR_SIZE;
    return string_bytes;
}

static void check(Status st, const Error *err)
{
    if (st != BS_OK) {
        fprintf(stderr, "bench: %s %s\n", err->sqlstate, err->message);
        exit(1);
    }
}

/* Encodes every chunk (through sel when given) for about `seconds`; returns passes/s. */
static double time_encode(PageEncoder *enc, Chunk **chunks, int n_chunks, const sel_t *sel,
                          Buffer *pages, double seconds)
{
    Error err = ERROR_INIT;
    int passes = 0;
    double start = now(), elapsed;
    do {
        for (int k = 0; k < n_chunks; k++) {
            chunks[k]->sel = sel;
            if (sel) chunks[k]->n_rows = BASALT_VECTOR_SIZE / 2;
            buffer_clear(&pages[k]);
            check(page_encode(enc, chunks[k], &pages[k], &err), &err);
            chunks[k]->sel = NULL;
            chunks[k]->n_rows = BASALT_VECTOR_SIZE;
        }
        passes++;
        elapsed = now() - start;
    } while (elapsed < seconds);
    return passes / elapsed;
}

static double time_decode(PageDecoder *dec, const Buffer *pages, int n_chunks,
                          const LogicalType *types, Chunk *out, double seconds)
{
    Error err = ERROR_INIT;
    int passes = 0;
    double start = now(), elapsed;
    do {
        for (int k = 0; k < n_chunks; k++)
            check(page_decode(dec, pages[k].data, pages[k].len, types, N_COLS, out, &err), &err);
        passes++;
        elapsed = now() - start;
    } while (elapsed < seconds);
    return passes / elapsed;
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 1.0;
    int n_chunks = argc > 2 ? atoi(argv[2]) : 64;
    int only_level = argc > 3 ? atoi(argv[3]) : -1;
    if (seconds <= 0 || n_chunks < 1) {
        fprintf(stderr, "usage: bench_storage_page [seconds per figure] [chunks] [zstd level]\n");
        return 2;
    }
    LogicalType types[N_COLS];
    for (int col = 0; col < N_COLS; col++)
        types[col] = type_make(TYPE_VARCHAR);
    types[0] = type_make(TYPE_BIGINT);
    types[1] = types[2] = types[3] = type_make(TYPE_INTEGER);
    types[4] = types[5] = types[6] = types[7] = type_decimal(15, 2);
    types[10] = types[11] = types[12] = type_make(TYPE_DATE);

    Error err = ERROR_INIT;
    Arena *arena = arena_create(NULL, NULL, 0);
    Chunk **chunks = calloc((size_t)n_chunks, sizeof *chunks);
    Buffer *pages = calloc((size_t)n_chunks, sizeof *pages);
    uint64_t value_bytes = 0, order = 1;
    size_t fixed_row = 8 + 3 * 4 + 4 * 8 + 3 * 4;
    for (int k = 0; k < n_chunks; k++) {
        chunks[k] = chunk_create(arena, types, N_COLS, &err);
        if (!chunks[k]) check(BS_ERROR, &err);
        value_bytes += fill_lineitems(chunks[k], &order) + fixed_row * BASALT_VECTOR_SIZE;
        buffer_init(&pages[k]);
    }
    Chunk *out = chunk_create(arena, types, N_COLS, &err);
    PageDecoder *dec;
    check(page_decoder_create(NULL, &dec, &err), &err);
    sel_t every_other[BASALT_VECTOR_SIZE];
    for (idx_t k = 0; k < BASALT_VECTOR_SIZE / 2; k++)
        every_other[k] = (sel_t)(2 * k + 1);

    double rows = (double)n_chunks * BASALT_VECTOR_SIZE, mb = (double)value_bytes / 1e6;
    printf("%d chunks of %d rows, %d columns, %.1f MB of values (%.1f bytes a row)\n", n_chunks,
           BASALT_VECTOR_SIZE, N_COLS, mb, (double)value_bytes / rows);
    printf("%-22s %11s %11s %11s %11s %8s\n", "", "enc MB/s", "enc Mrows/s", "dec MB/s",
           "dec Mrows/s", "ratio");
    const int levels[3] = {0, 1, 3};
    for (int config = 0; config < 4; config++) {
        bool selected = config == 3;
        int level = selected ? 0 : levels[config];
        if (only_level >= 0 && (level != only_level || selected)) continue;
        PageOptions opts;
        page_default_options(&opts);
        opts.zstd_level = level;
        PageEncoder *enc;
        check(page_encoder_create(&opts, NULL, &enc, &err), &err);
        double enc_rate =
            time_encode(enc, chunks, n_chunks, selected ? every_other : NULL, pages, seconds);
        double dec_rate = time_decode(dec, pages, n_chunks, types, out, seconds);
        uint64_t page_bytes = 0;
        for (int k = 0; k < n_chunks; k++)
            page_bytes += pages[k].len;
        double part = selected ? 0.5 : 1.0; /* a selection carries half the rows */
        char label[40];
        snprintf(label, sizeof label, selected ? "zstd off, half selected" : "zstd %d", level);
        if (!selected && level == 0) snprintf(label, sizeof label, "zstd off");
        printf("%-22s %11.0f %11.1f %11.0f %11.1f %7.2fx\n", label, enc_rate * mb * part,
               enc_rate * rows * part / 1e6, dec_rate * mb * part, dec_rate * rows * part / 1e6,
               (double)value_bytes * part / (double)page_bytes);
        page_encoder_destroy(enc);
    }
    page_decoder_destroy(dec);
    for (int k = 0; k < n_chunks; k++)
        buffer_free(&pages[k]);
    free(pages);
    free(chunks);
    arena_destroy(arena);
    return 0;
}
