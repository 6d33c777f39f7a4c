/*
 * tblgen.h — what the benchmark data generators (tpch/tpchgen.c, ssb/ssbgen.c) share:
 * splitmix64 streams seeded per row, buffered .tbl output with fields formatted by hand,
 * TPC-H's word lists (regions, nations, colors, part types and containers, segments,
 * priorities, instructions, ship modes) and its formulas for retail prices and sparse
 * order keys. Header-only (static inline) since each generator is a single-file tool
 * linking nothing of Basalt. Define TBLGEN_NAME (the program's name, for its error
 * messages) before including it.
 */
#ifndef BASALT_BENCH_TBLGEN_H
#define BASALT_BENCH_TBLGEN_H

#include "common/basics.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef TBLGEN_NAME
#error "define TBLGEN_NAME before including tblgen.h"
#endif

/* ---------------------------------------------------------------------------------------
 * Random numbers: splitmix64, one stream per row
 * --------------------------------------------------------------------------------------- */

typedef struct Rng {
    uint64_t state;
} Rng;

static inline uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static inline uint64_t rng_next(Rng *rng)
{
    rng->state += 0x9E3779B97F4A7C15ULL;
    return mix64(rng->state);
}

/* Uniform in [lo, hi]; hi - lo < 2^32. The high 32 bits scaled by the span: a bias of at
 * most span / 2^32, far below what a benchmark can see. */
static inline int64_t rng_range(Rng *rng, int64_t lo, int64_t hi)
{
    uint64_t span = (uint64_t)(hi - lo) + 1;
    return lo + (int64_t)(((rng_next(rng) >> 32) * span) >> 32);
}

/* The stream of row `row` of `table`: independent of every other row and table. */
static inline void rng_seed_row(Rng *rng, uint64_t seed, int table, uint64_t row)
{
    uint64_t table_seed = mix64(seed * 0xD6E8FEB86659FD93ULL + (uint64_t)table + 1);
    rng->state = mix64(table_seed ^ (row * 0xD1B54A32D192ED03ULL));
}

/* ---------------------------------------------------------------------------------------
 * Word lists of the TPC-H specification (clause 4.2.2.13 and 4.2.3)
 * --------------------------------------------------------------------------------------- */

static const char *const REGIONS[5] = {"AFRICA", "AMERICA", "ASIA", "EUROPE", "MIDDLE EAST"};

static const struct {
    const char *name;
    int region;
} NATIONS[25] = {{"ALGERIA", 0},      {"ARGENTINA", 1}, {"BRAZIL", 1}, {"CANADA", 1},
                 {"EGYPT", 4},        {"ETHIOPIA", 0},  {"FRANCE", 3}, {"GERMANY", 3},
                 {"INDIA", 2},        {"INDONESIA", 2}, {"IRAN", 4},   {"IRAQ", 4},
                 {"JAPAN", 2},        {"JORDAN", 4},    {"KENYA", 0},  {"MOROCCO", 0},
                 {"MOZAMBIQUE", 0},   {"PERU", 1},      {"CHINA", 2},  {"ROMANIA", 3},
                 {"SAUDI ARABIA", 4}, {"VIETNAM", 2},   {"RUSSIA", 3}, {"UNITED KINGDOM", 3},
                 {"UNITED STATES", 1}};

static const char *const COLORS[] = {
    "almond",   "antique",   "aquamarine", "azure",      "beige",     "bisque",    "black",
    "blanched", "blue",      "blush",      "brown",      "burlywood", "burnished", "chartreuse",
    "chiffon",  "chocolate", "coral",      "cornflower", "cornsilk",  "cream",     "cyan",
    "dark",     "deep",      "dim",        "dodger",     "drab",      "firebrick", "floral",
    "forest",   "frosted",   "gainsboro",  "ghost",      "goldenrod", "green",     "grey",
    "honeydew", "hot",       "indian",     "ivory",      "khaki",     "lace",      "lavender",
    "lawn",     "lemon",     "light",      "lime",       "linen",     "magenta",   "maroon",
    "medium",   "metallic",  "midnight",   "mint",       "misty",     "moccasin",  "navajo",
    "navy",     "olive",     "orange",     "orchid",     "pale",      "papaya",    "peach",
    "peru",     "pink",      "plum",       "powder",     "puff",      "purple",    "red",
    "rose",     "rosy",      "royal",      "saddle",     "salmon",    "sandy",     "seashell",
    "sienna",   "sky",       "slate",      "smoke",      "snow",      "spring",    "steel",
    "tan",      "thistle",   "tomato",     "turquoise",  "violet",    "wheat",     "white",
    "yellow"};

static const char *const TYPE_SIZE[] = {"STANDARD", "SMALL", "MEDIUM", "LARGE", "ECONOMY", "PROMO"};
static const char *const TYPE_FINISH[] = {"ANODIZED", "BURNISHED", "PLATED", "POLISHED", "BRUSHED"};
static const char *const TYPE_METAL[] = {"TIN", "NICKEL", "BRASS", "STEEL", "COPPER"};
static const char *const CONTAINER_SIZE[] = {"SM", "LG", "MED", "JUMBO", "WRAP"};
static const char *const CONTAINER_KIND[] = {"CASE", "BOX",  "BAG", "JAR",
                                             "PKG",  "PACK", "CAN", "DRUM"};
static const char *const SEGMENTS[] = {"AUTOMOBILE", "BUILDING", "FURNITURE", "MACHINERY",
                                       "HOUSEHOLD"};
static const char *const PRIORITIES[] = {"1-URGENT", "2-HIGH", "3-MEDIUM", "4-NOT SPECIFIED",
                                         "5-LOW"};
static const char *const INSTRUCTIONS[] = {"DELIVER IN PERSON", "COLLECT COD", "NONE",
                                           "TAKE BACK RETURN"};
static const char *const SHIP_MODES[] = {"REG AIR", "AIR", "RAIL", "SHIP", "TRUCK", "MAIL", "FOB"};

/* ---------------------------------------------------------------------------------------
 * Output: one buffered file per table, fields formatted by hand
 * --------------------------------------------------------------------------------------- */

#define OUT_BUF_SIZE ((size_t)1 << 20)
/* Room kept free before a row (or an order's 7 lineitems) is formatted; rows are < 400. */
#define OUT_ROW_ROOM ((size_t)4096)

typedef struct Out {
    int fd;
    char path[4096];
    char *buf;
    size_t len;
    idx_t n_rows;
    idx_t n_bytes;
    bool failed;
} Out;

static inline bool out_open(Out *out, const char *dir, const char *table)
{
    memset(out, 0, sizeof(*out));
    int n = snprintf(out->path, sizeof(out->path), "%s/%s.tbl", dir, table);
    if (n < 0 || (size_t)n >= sizeof(out->path)) {
        fprintf(stderr, TBLGEN_NAME ": output path too long: %s/%s.tbl\n", dir, table);
        return false;
    }
    out->buf = malloc(OUT_BUF_SIZE);
    if (!out->buf) {
        fprintf(stderr, TBLGEN_NAME ": out of memory\n");
        return false;
    }
    out->fd = open(out->path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out->fd < 0) {
        fprintf(stderr, TBLGEN_NAME ": cannot create %s: %s\n", out->path, strerror(errno));
        free(out->buf);
        return false;
    }
    return true;
}

/* Writes len bytes of data (not the buffer: the caller flushed it) and counts n_rows rows;
 * after a failure (reported once) the data is dropped. */
static inline void out_write(Out *out, const char *data, size_t len, idx_t n_rows)
{
    const char *p = data;
    size_t left = len;
    while (left > 0 && !out->failed) {
        ssize_t n = write(out->fd, p, left);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            fprintf(stderr, TBLGEN_NAME ": write to %s failed: %s\n", out->path,
                    n < 0 ? strerror(errno) : "no progress");
            out->failed = true;
            break;
        }
        p += n;
        left -= (size_t)n;
    }
    out->n_bytes += len;
    out->n_rows += n_rows;
}

/* Writes the buffer out; after a failure (reported once) the data is dropped. */
static inline void out_flush(Out *out)
{
    out_write(out, out->buf, out->len, 0);
    out->len = 0;
}

/* Where the next row goes; the caller formats at most OUT_ROW_ROOM bytes there. */
static inline char *out_row_begin(Out *out)
{
    if (out->len + OUT_ROW_ROOM > OUT_BUF_SIZE) out_flush(out);
    return out->buf + out->len;
}

static inline void out_row_end(Out *out, char *end, idx_t n_rows)
{
    out->len = (size_t)(end - out->buf);
    out->n_rows += n_rows;
}

/* Flushes and closes; returns false when any write (or the close) failed. */
static inline bool out_close(Out *out)
{
    out_flush(out);
    if (close(out->fd) != 0 && !out->failed) {
        fprintf(stderr, TBLGEN_NAME ": closing %s failed: %s\n", out->path, strerror(errno));
        out->failed = true;
    }
    free(out->buf);
    return !out->failed;
}

static inline char *put_uint(char *p, uint64_t value)
{
    char tmp[20];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + value % 10);
        value /= 10;
    } while (value != 0);
    while (n > 0)
        *p++ = tmp[--n];
    return p;
}

/* value with 9 digits, zero-padded: the numbers of Supplier#, Customer#, Clerk#. */
static inline char *put_uint9(char *p, uint64_t value)
{
    for (int digit = 8; digit >= 0; digit--) {
        p[digit] = (char)('0' + value % 10);
        value /= 10;
    }
    return p + 9;
}

/* Cents as a decimal with two digits: -12345 -> "-123.45". */
static inline char *put_cents(char *p, int64_t cents)
{
    uint64_t abs_cents = (uint64_t)cents;
    if (cents < 0) {
        *p++ = '-';
        abs_cents = (uint64_t)0 - abs_cents;
    }
    p = put_uint(p, abs_cents / 100);
    *p++ = '.';
    *p++ = (char)('0' + abs_cents / 10 % 10);
    *p++ = (char)('0' + abs_cents % 10);
    return p;
}

static inline char *put_str(char *p, const char *s)
{
    size_t n = strlen(s);
    memcpy(p, s, n);
    return p + n;
}

/* A v-string: random length in [min_len, max_len] over 64 symbols. */
static inline char *put_vstring(char *p, Rng *rng, int min_len, int max_len)
{
    static const char SYMBOLS[65] =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789,.";
    int len = (int)rng_range(rng, min_len, max_len);
    uint64_t bits = 0;
    for (int char_idx = 0; char_idx < len; char_idx++) {
        if (char_idx % 10 == 0) bits = rng_next(rng);
        *p++ = SYMBOLS[bits & 63];
        bits >>= 6;
    }
    return p;
}

/* A phone number: country code nationkey + 10, then 3, 3 and 4 digits. */
static inline char *put_phone(char *p, Rng *rng, int nationkey)
{
    p = put_uint(p, (uint64_t)nationkey + 10);
    *p++ = '-';
    p = put_uint(p, (uint64_t)rng_range(rng, 100, 999));
    *p++ = '-';
    p = put_uint(p, (uint64_t)rng_range(rng, 100, 999));
    *p++ = '-';
    p = put_uint(p, (uint64_t)rng_range(rng, 1000, 9999));
    return p;
}

#define SEP(p) (*(p)++ = '|')

static inline char *end_row(char *p)
{
    *p++ = '|';
    *p++ = '\n';
    return p;
}

/* ---------------------------------------------------------------------------------------
 * TPC-H's formulas
 * --------------------------------------------------------------------------------------- */

/* p_retailprice in cents: 90000 + ((key / 10) mod 20001) + 100 x (key mod 1000). */
static inline int64_t retail_cents(int64_t partkey)
{
    return 90000 + (partkey / 10) % 20001 + 100 * (partkey % 1000);
}

/* Only the first 8 of every 32 order keys are used (as dbgen does): the index's low 3 bits
 * stay, 2 zero bits are inserted above them. */
static inline int64_t sparse_orderkey(int64_t order_idx)
{
    return ((order_idx >> 3) << 5) | (order_idx & 7);
}

static inline double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---------------------------------------------------------------------------------------
 * Scale and command line
 * --------------------------------------------------------------------------------------- */

/* base x sf rounded, at least 1: a table's row count at a scale factor. */
static inline int64_t scaled(double sf, double base)
{
    int64_t n = llround(sf * base);
    return n < 1 ? 1 : n;
}

/* Sets wanted[t] for each of the n_tables names found in the comma-separated list (and
 * clears the others); false, with a message, on an unknown name. */
static inline bool parse_tables(const char *list, const char *const *names, int n_tables,
                                bool *wanted)
{
    memset(wanted, 0, (size_t)n_tables * sizeof(bool));
    const char *p = list;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        bool found = false;
        for (int table = 0; table < n_tables; table++) {
            if (strlen(names[table]) == len && strncmp(names[table], p, len) == 0) {
                wanted[table] = true;
                found = true;
            }
        }
        if (!found && len > 0) {
            fprintf(stderr, TBLGEN_NAME ": unknown table '%.*s'\n", (int)len, p);
            return false;
        }
        p += len + (comma != NULL);
    }
    return true;
}

#endif
