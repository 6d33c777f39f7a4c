/*
 * ssbgen — writes the 5 tables of the Star Schema Benchmark (P. O'Neil, E. O'Neil, X. Chen,
 * "Star Schema Benchmark", revision 3, June 2009) at a chosen scale factor as dbgen-style
 * .tbl files: fields separated by '|', a '|' after the last field too, no header.
 * Benchmarks and tests run it to get data without downloading anything, then load the
 * files with COPY (bench/ssb/load.sh). A tool beside the engine: it links nothing of
 * Basalt (libc, libm and pthreads).
 *
 *   ssbgen [--scale SF] [--dir OUT] [--tables lineorder,part,...] [--seed N] [--threads N]
 *
 * Written from the specification's table layouts (section 2): cardinalities, key ranges,
 * the value domains of every column; where it takes a column from TPC-H (lineorder from
 * LINEITEM and ORDERS, part types and containers, nations and regions, phones) it uses
 * TPC-H's rules (clause 4.2.3) and word lists, shared with tpchgen through ../tblgen.h.
 * bench/ssb/README.md lists every rule, and what the specification leaves open and how
 * it is filled here.
 *
 * Determinism: every row draws from its own splitmix64 stream, seeded from (seed, table,
 * row number) — for lineorder, one stream per order, for the order and all its lines —
 * so the output is the same bytes whatever the number of threads and whichever other
 * tables are written.
 *
 * Parallelism (--threads N, lineorder only; the other tables are small): orders are cut
 * into blocks of LO_BLOCK_ORDERS; worker t formats blocks t, t + N, t + 2N, ... into its
 * slots, and the main thread writes the blocks in order as they are ready. There are 2N
 * slots, block b uses slot b mod 2N, so a worker runs at most one block ahead of its turn
 * and memory stays at 2N blocks (about 1.4 MB each).
 */
#define TBLGEN_NAME "ssbgen"
#include "../tblgen.h"

#include <math.h>
#include <pthread.h>
#include <sys/stat.h>

/* ---------------------------------------------------------------------------------------
 * Tables and scale
 * --------------------------------------------------------------------------------------- */

enum { SSB_DATE, SSB_PART, SSB_SUPPLIER, SSB_CUSTOMER, SSB_LINEORDER, SSB_N_TABLES };

/* File names as dbgen writes them; the date table is loaded as `dwdate` (load.sh). */
static const char *const TABLE_NAMES[SSB_N_TABLES] = {"date", "part", "supplier", "customer",
                                                      "lineorder"};

/* Keys are INTEGER: the largest, lo_orderkey, is 6,000,000 x SF (the specification says
 * "int up to SF 300"). */
#define SSB_MIN_SCALE   0.001
#define SSB_MAX_SCALE   300.0
#define SSB_MAX_THREADS 64

#define DEFAULT_SEED 19920101u

typedef struct Scale {
    double sf;
    int64_t n_customer; /* 30,000 x SF */
    int64_t n_supplier; /* 2,000 x SF */
    int64_t n_part;     /* 200,000 x floor(1 + log2 SF) from SF 1; 200,000 x SF below */
    int64_t n_orders;   /* 1,500,000 x SF, 1..7 lines each: lineorder ~ 6,000,000 x SF */
} Scale;

/* The specification's part count, 200,000 x floor(1 + log2 SF), is for SF >= 1 (it grows
 * with the logarithm); below 1, where the formula would be zero or negative, parts scale
 * linearly as TPC-H's do, which meets it at SF 1. */
static int64_t part_count(double sf)
{
    if (sf < 1.0) return scaled(sf, 200000);
    return 200000 * (int64_t)floor(1.0 + log2(sf));
}

/* ---------------------------------------------------------------------------------------
 * The calendar: day 0 is 1992-01-01, the last 1998-12-31 (7 years, 2 of them leap)
 * --------------------------------------------------------------------------------------- */

#define SSB_N_DAYS         2557
#define SSB_LAST_ORDER_DAY (SSB_N_DAYS - 1 - 151) /* 1998-08-02, TPC-H's last order date */

typedef struct Day {
    int year, month, mday; /* month 1..12, mday 1..31 */
    int wday;              /* 1 = Sunday .. 7 = Saturday */
    int yday;              /* 1..366 */
    bool last_in_month;
    char key[8]; /* YYYYMMDD, the text of d_datekey, lo_orderdate and lo_commitdate */
} Day;

static Day g_days[SSB_N_DAYS];

static const char *const MONTH_NAMES[12] = {"January",   "February", "March",    "April",
                                            "May",       "June",     "July",     "August",
                                            "September", "October",  "November", "December"};
static const char *const WEEKDAY_NAMES[7] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                             "Thursday", "Friday", "Saturday"};

static void days_init(void)
{
    static const int MONTH_DAYS[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int year = 1992, month = 1, mday = 1, yday = 1;
    int wday = 4; /* 1992-01-01 was a Wednesday */
    for (int day = 0; day < SSB_N_DAYS; day++) {
        bool leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        int month_len = MONTH_DAYS[month - 1] + (month == 2 && leap);
        Day *d = &g_days[day];
        d->year = year;
        d->month = month;
        d->mday = mday;
        d->wday = wday;
        d->yday = yday;
        d->last_in_month = mday == month_len;
        int key = year * 10000 + month * 100 + mday;
        for (int digit = 7; digit >= 0; digit--) {
            d->key[digit] = (char)('0' + key % 10);
            key /= 10;
        }
        wday = wday % 7 + 1;
        yday++;
        if (++mday > month_len) {
            mday = 1;
            if (++month > 12) {
                month = 1;
                year++;
                yday = 1;
            }
        }
    }
}

static char *put_datekey(char *p, int day)
{
    memcpy(p, g_days[day].key, 8);
    return p + 8;
}

/*
 * d_sellingseason (the specification: "text, size 12 (Christmas, Summer, Winter, Spring
 * ...)", no dates): Winter January-February, Spring March-May, Summer June-August, Fall
 * September-October, Christmas November-December.
 */
static const char *selling_season(int month)
{
    static const char *const SEASON_OF_MONTH[12] = {"Winter", "Winter", "Spring",    "Spring",
                                                    "Spring", "Summer", "Summer",    "Summer",
                                                    "Fall",   "Fall",   "Christmas", "Christmas"};
    return SEASON_OF_MONTH[month - 1];
}

/* d_holidayfl (the specification: "1 bit", no list): the holidays of fixed date — New
 * Year's Day, Independence Day (July 4), Veterans Day (November 11), Christmas Eve,
 * Christmas Day and New Year's Eve. */
static bool is_holiday(int month, int mday)
{
    return (month == 1 && mday == 1) || (month == 7 && mday == 4) || (month == 11 && mday == 11) ||
           (month == 12 && (mday == 24 || mday == 25 || mday == 31));
}

/* ---------------------------------------------------------------------------------------
 * Tables
 * --------------------------------------------------------------------------------------- */

typedef struct Gen {
    Scale scale;
    uint64_t seed;
} Gen;

/*
 * DATE, one row per day:
 *   d_datekey YYYYMMDD | d_date "December 22, 1998" | d_dayofweek | d_month | d_year |
 *   d_yearmonthnum YYYYMM | d_yearmonth "Dec1998" | d_daynuminweek 1 (Sunday)..7 |
 *   d_daynuminmonth | d_daynuminyear | d_monthnuminyear | d_weeknuminyear |
 *   d_sellingseason | d_lastdayinweekfl | d_lastdayinmonthfl | d_holidayfl | d_weekdayfl
 * Weeks of the year are counted from January 1st: days 1-7 are week 1, day 365 or 366
 * week 53. The last day of the week is Saturday; weekdays are Monday to Friday.
 */
static void gen_date(Out *out)
{
    for (int day = 0; day < SSB_N_DAYS; day++) {
        const Day *d = &g_days[day];
        const char *month = MONTH_NAMES[d->month - 1];
        char *p = out_row_begin(out);
        int n = snprintf(
            p, OUT_ROW_ROOM, "%.8s|%s %d, %d|%s|%s|%d|%d|%.3s%d|%d|%d|%d|%d|%d|%s|%d|%d|%d|%d|\n",
            d->key, month, d->mday, d->year, WEEKDAY_NAMES[d->wday - 1], month, d->year,
            d->year * 100 + d->month, month, d->year, d->wday, d->mday, d->yday, d->month,
            (d->yday - 1) / 7 + 1, selling_season(d->month), d->wday == 7, d->last_in_month,
            is_holiday(d->month, d->mday), d->wday >= 2 && d->wday <= 6);
        out_row_end(out, p + n, 1);
    }
}

/*
 * PART: p_partkey | p_name (two distinct colors) | p_mfgr MFGR#m (m 1..5) |
 * p_category MFGR#mc (c 1..5) | p_brand1 MFGR#mcb (b 1..40) | p_color (the first color of
 * p_name) | p_type (TPC-H's 150) | p_size 1..50 | p_container (TPC-H's 40).
 */
static void gen_part(Gen *gen, Out *out)
{
    for (int64_t key = 1; key <= gen->scale.n_part; key++) {
        Rng rng;
        rng_seed_row(&rng, gen->seed, SSB_PART, (uint64_t)key);
        int color = (int)rng_range(&rng, 0, BS_ARRAY_LEN(COLORS) - 1);
        int other = (int)rng_range(&rng, 0, BS_ARRAY_LEN(COLORS) - 2);
        if (other >= color) other++; /* uniform over the other 91 */
        int mfgr = (int)rng_range(&rng, 1, 5);
        int category = (int)rng_range(&rng, 1, 5);
        int brand = (int)rng_range(&rng, 1, 40);

        char *p = out_row_begin(out);
        p = put_uint(p, (uint64_t)key);
        SEP(p);
        p = put_str(p, COLORS[color]);
        *p++ = ' ';
        p = put_str(p, COLORS[other]);
        SEP(p);
        char *mfgr_text = p;
        p = put_str(p, "MFGR#");
        *p++ = (char)('0' + mfgr);
        size_t mfgr_len = (size_t)(p - mfgr_text);
        SEP(p);
        memcpy(p, mfgr_text, mfgr_len);
        p += mfgr_len;
        *p++ = (char)('0' + category);
        SEP(p);
        memcpy(p, mfgr_text, mfgr_len);
        p += mfgr_len;
        *p++ = (char)('0' + category);
        p = put_uint(p, (uint64_t)brand);
        SEP(p);
        p = put_str(p, COLORS[color]);
        SEP(p);
        p = put_str(p, TYPE_SIZE[rng_range(&rng, 0, BS_ARRAY_LEN(TYPE_SIZE) - 1)]);
        *p++ = ' ';
        p = put_str(p, TYPE_FINISH[rng_range(&rng, 0, BS_ARRAY_LEN(TYPE_FINISH) - 1)]);
        *p++ = ' ';
        p = put_str(p, TYPE_METAL[rng_range(&rng, 0, BS_ARRAY_LEN(TYPE_METAL) - 1)]);
        SEP(p);
        p = put_uint(p, (uint64_t)rng_range(&rng, 1, 50));
        SEP(p);
        p = put_str(p, CONTAINER_SIZE[rng_range(&rng, 0, BS_ARRAY_LEN(CONTAINER_SIZE) - 1)]);
        *p++ = ' ';
        p = put_str(p, CONTAINER_KIND[rng_range(&rng, 0, BS_ARRAY_LEN(CONTAINER_KIND) - 1)]);
        out_row_end(out, end_row(p), 1);
    }
}

/*
 * The columns supplier and customer share, each followed by '|': key, name (prefix and
 * the key in 9 digits), address (10..25 characters: the specification's "variable text,
 * size 25"), city, nation, region, phone. The nation is uniform over TPC-H's 25; the city
 * is the nation's name cut or padded with blanks to 9 characters and a digit 0..9
 * ("UNITED KI1", "CHINA    7": 250 cities); the phone's country code is the TPC-H nation
 * key + 10.
 */
static char *put_business(char *p, Rng *rng, const char *name_prefix, int64_t key)
{
    int nation = (int)rng_range(rng, 0, 24);
    int city = (int)rng_range(rng, 0, 9);
    p = put_uint(p, (uint64_t)key);
    SEP(p);
    p = put_str(p, name_prefix);
    p = put_uint9(p, (uint64_t)key);
    SEP(p);
    p = put_vstring(p, rng, 10, 25);
    SEP(p);
    const char *name = NATIONS[nation].name;
    size_t len = strlen(name);
    if (len > 9) len = 9;
    memcpy(p, name, len);
    memset(p + len, ' ', 9 - len);
    p += 9;
    *p++ = (char)('0' + city);
    SEP(p);
    p = put_str(p, name);
    SEP(p);
    p = put_str(p, REGIONS[NATIONS[nation].region]);
    SEP(p);
    p = put_phone(p, rng, nation);
    SEP(p);
    return p;
}

/* SUPPLIER: s_suppkey | s_name Supplier#000000001 | s_address | s_city | s_nation |
 * s_region | s_phone. */
static void gen_supplier(Gen *gen, Out *out)
{
    for (int64_t key = 1; key <= gen->scale.n_supplier; key++) {
        Rng rng;
        rng_seed_row(&rng, gen->seed, SSB_SUPPLIER, (uint64_t)key);
        char *p = put_business(out_row_begin(out), &rng, "Supplier#", key);
        *p++ = '\n';
        out_row_end(out, p, 1);
    }
}

/* CUSTOMER: c_custkey | c_name Customer#000000001 | c_address | c_city | c_nation |
 * c_region | c_phone | c_mktsegment (TPC-H's 5). */
static void gen_customer(Gen *gen, Out *out)
{
    for (int64_t key = 1; key <= gen->scale.n_customer; key++) {
        Rng rng;
        rng_seed_row(&rng, gen->seed, SSB_CUSTOMER, (uint64_t)key);
        char *p = put_business(out_row_begin(out), &rng, "Customer#", key);
        p = put_str(p, SEGMENTS[rng_range(&rng, 0, BS_ARRAY_LEN(SEGMENTS) - 1)]);
        out_row_end(out, end_row(p), 1);
    }
}

/* ---------------------------------------------------------------------------------------
 * LINEORDER
 * --------------------------------------------------------------------------------------- */

#define LO_BLOCK_ORDERS 1024
#define LO_MAX_LINE     192 /* a formatted line is at most ~140 bytes */
#define LO_BLOCK_BYTES  ((size_t)LO_BLOCK_ORDERS * 7 * LO_MAX_LINE)

/*
 * The lines of orders [first, last] (order indexes from 1) into buf; returns the bytes
 * written and adds the lines to *n_rows. An order, as TPC-H's ORDERS and LINEITEM joined:
 *   lo_orderkey   sparse as in TPC-H: the first 8 of every 32 keys
 *   lo_linenumber 1..n, n uniform in 1..7
 *   lo_custkey    uniform over the customers whose key is not a multiple of 3 (TPC-H's
 *                 rule: a third of the customers never order)
 *   lo_partkey, lo_suppkey   uniform over all parts and suppliers, per line
 *   lo_orderdate  uniform in [1992-01-01, 1998-08-02], as a d_datekey (YYYYMMDD)
 *   lo_orderpriority  TPC-H's 5;  lo_shippriority '0'
 *   lo_quantity 1..50;  lo_discount 0..10 and lo_tax 0..8, in percent
 *   lo_extendedprice  quantity x the part's TPC-H retail price, in cents
 *   lo_revenue        extendedprice x (100 - discount) / 100, in cents (truncated)
 *   lo_supplycost     60% of the part's retail price, in cents (truncated): a unit cost
 *   lo_ordtotalprice  the order's sum of revenue x (100 + tax) / 100 (each truncated)
 *   lo_commitdate     orderdate + 30..90 days;  lo_shipmode  TPC-H's 7
 * Money is in integer cents, as dbgen writes it, so every column is an INTEGER.
 */
static size_t gen_lineorder_block(const Gen *gen, int64_t first, int64_t last, char *buf,
                                  idx_t *n_rows)
{
    const Scale *sc = &gen->scale;
    int64_t n_order_customers = sc->n_customer - sc->n_customer / 3;
    char *p = buf;
    for (int64_t order_idx = first; order_idx <= last; order_idx++) {
        Rng rng;
        rng_seed_row(&rng, gen->seed, SSB_LINEORDER, (uint64_t)order_idx);
        int64_t orderkey = sparse_orderkey(order_idx);
        int64_t cust_idx = rng_range(&rng, 0, n_order_customers - 1);
        int64_t custkey = cust_idx / 2 * 3 + cust_idx % 2 + 1;
        int orderdate = (int)rng_range(&rng, 0, SSB_LAST_ORDER_DAY);
        const char *priority = PRIORITIES[rng_range(&rng, 0, BS_ARRAY_LEN(PRIORITIES) - 1)];
        int n_lines = (int)rng_range(&rng, 1, 7);

        struct {
            int64_t partkey, suppkey, quantity, discount, tax, extended, revenue, supplycost;
            int commitdate;
            const char *shipmode;
        } lines[7];
        int64_t total = 0;
        for (int line = 0; line < n_lines; line++) {
            lines[line].partkey = rng_range(&rng, 1, sc->n_part);
            lines[line].suppkey = rng_range(&rng, 1, sc->n_supplier);
            lines[line].quantity = rng_range(&rng, 1, 50);
            lines[line].discount = rng_range(&rng, 0, 10);
            lines[line].tax = rng_range(&rng, 0, 8);
            lines[line].commitdate = orderdate + (int)rng_range(&rng, 30, 90);
            lines[line].shipmode = SHIP_MODES[rng_range(&rng, 0, BS_ARRAY_LEN(SHIP_MODES) - 1)];
            int64_t retail = retail_cents(lines[line].partkey);
            lines[line].extended = lines[line].quantity * retail;
            lines[line].revenue = lines[line].extended * (100 - lines[line].discount) / 100;
            lines[line].supplycost = 6 * retail / 10;
            total += lines[line].revenue * (100 + lines[line].tax) / 100;
        }
        for (int line = 0; line < n_lines; line++) {
            p = put_uint(p, (uint64_t)orderkey);
            SEP(p);
            p = put_uint(p, (uint64_t)line + 1);
            SEP(p);
            p = put_uint(p, (uint64_t)custkey);
            SEP(p);
            p = put_uint(p, (uint64_t)lines[line].partkey);
            SEP(p);
            p = put_uint(p, (uint64_t)lines[line].suppkey);
            SEP(p);
            p = put_datekey(p, orderdate);
            SEP(p);
            p = put_str(p, priority);
            SEP(p);
            *p++ = '0';
            SEP(p);
            p = put_uint(p, (uint64_t)lines[line].quantity);
            SEP(p);
            p = put_uint(p, (uint64_t)lines[line].extended);
            SEP(p);
            p = put_uint(p, (uint64_t)total);
            SEP(p);
            p = put_uint(p, (uint64_t)lines[line].discount);
            SEP(p);
            p = put_uint(p, (uint64_t)lines[line].revenue);
            SEP(p);
            p = put_uint(p, (uint64_t)lines[line].supplycost);
            SEP(p);
            p = put_uint(p, (uint64_t)lines[line].tax);
            SEP(p);
            p = put_datekey(p, lines[line].commitdate);
            SEP(p);
            p = put_str(p, lines[line].shipmode);
            p = end_row(p);
        }
        *n_rows += (idx_t)n_lines;
    }
    return (size_t)(p - buf);
}

/* One block's buffer. States: EMPTY (block `block` may be formatted into it) -> FULL
 * (formatted, waiting for the writer) -> EMPTY again for block + n_slots. */
typedef struct Slot {
    char *buf;
    size_t len;
    idx_t n_rows;
    int64_t block;
    bool full;
} Slot;

typedef struct Pipeline {
    const Gen *gen;
    int n_threads;
    int n_slots;
    int64_t n_blocks;
    Slot *slots;
    bool stop; /* the writer gave up: workers leave */
    pthread_mutex_t lock;
    pthread_cond_t changed;
} Pipeline;

typedef struct Worker {
    Pipeline *pipe;
    int index;
} Worker;

static void *lineorder_worker(void *arg)
{
    Worker *worker = arg;
    Pipeline *pipe = worker->pipe;
    const Scale *sc = &pipe->gen->scale;
    for (int64_t block = worker->index; block < pipe->n_blocks; block += pipe->n_threads) {
        Slot *slot = &pipe->slots[block % pipe->n_slots];
        pthread_mutex_lock(&pipe->lock);
        while (!pipe->stop && (slot->full || slot->block != block))
            pthread_cond_wait(&pipe->changed, &pipe->lock);
        bool stop = pipe->stop;
        pthread_mutex_unlock(&pipe->lock);
        if (stop) break;

        int64_t first = block * LO_BLOCK_ORDERS + 1;
        int64_t last = BS_MIN(first + LO_BLOCK_ORDERS - 1, sc->n_orders);
        slot->n_rows = 0;
        slot->len = gen_lineorder_block(pipe->gen, first, last, slot->buf, &slot->n_rows);

        pthread_mutex_lock(&pipe->lock);
        slot->full = true;
        pthread_cond_broadcast(&pipe->changed);
        pthread_mutex_unlock(&pipe->lock);
    }
    return NULL;
}

/* Writes lineorder with n_threads workers (see the file header); false when a thread or a
 * buffer could not be made (the file's writes report their own failures). */
static bool gen_lineorder(Gen *gen, Out *out, int n_threads)
{
    Pipeline pipe;
    memset(&pipe, 0, sizeof(pipe));
    pipe.gen = gen;
    pipe.n_threads = n_threads;
    pipe.n_slots = 2 * n_threads;
    pipe.n_blocks = (gen->scale.n_orders + LO_BLOCK_ORDERS - 1) / LO_BLOCK_ORDERS;
    pipe.slots = calloc((size_t)pipe.n_slots, sizeof(Slot));
    Worker workers[SSB_MAX_THREADS];
    pthread_t threads[SSB_MAX_THREADS];
    bool ok = pipe.slots != NULL;
    for (int slot_idx = 0; ok && slot_idx < pipe.n_slots; slot_idx++) {
        pipe.slots[slot_idx].block = slot_idx;
        pipe.slots[slot_idx].buf = malloc(LO_BLOCK_BYTES);
        ok = pipe.slots[slot_idx].buf != NULL;
    }
    if (!ok) {
        fprintf(stderr, "ssbgen: out of memory\n");
    } else {
        pthread_mutex_init(&pipe.lock, NULL);
        pthread_cond_init(&pipe.changed, NULL);
        int started = 0;
        for (; started < n_threads; started++) {
            workers[started] = (Worker){&pipe, started};
            if (pthread_create(&threads[started], NULL, lineorder_worker, &workers[started]) != 0) {
                fprintf(stderr, "ssbgen: cannot start a thread\n");
                ok = false;
                break;
            }
        }
        out_flush(out);
        /* Without every worker the blocks of a missing one never come: write none. */
        for (int64_t block = 0; ok && block < pipe.n_blocks; block++) {
            Slot *slot = &pipe.slots[block % pipe.n_slots];
            pthread_mutex_lock(&pipe.lock);
            while (!slot->full || slot->block != block)
                pthread_cond_wait(&pipe.changed, &pipe.lock);
            pthread_mutex_unlock(&pipe.lock);

            out_write(out, slot->buf, slot->len, slot->n_rows);

            pthread_mutex_lock(&pipe.lock);
            slot->full = false;
            slot->block = block + pipe.n_slots;
            pthread_cond_broadcast(&pipe.changed);
            pthread_mutex_unlock(&pipe.lock);
        }
        if (!ok) {
            pthread_mutex_lock(&pipe.lock);
            pipe.stop = true;
            pthread_cond_broadcast(&pipe.changed);
            pthread_mutex_unlock(&pipe.lock);
        }
        for (int worker_idx = 0; worker_idx < started; worker_idx++)
            pthread_join(threads[worker_idx], NULL);
        pthread_cond_destroy(&pipe.changed);
        pthread_mutex_destroy(&pipe.lock);
    }
    if (pipe.slots) {
        for (int slot_idx = 0; slot_idx < pipe.n_slots; slot_idx++)
            free(pipe.slots[slot_idx].buf);
        free(pipe.slots);
    }
    return ok;
}

/* ---------------------------------------------------------------------------------------
 * Command line
 * --------------------------------------------------------------------------------------- */

static void usage(FILE *f)
{
    fprintf(f,
            "usage: ssbgen [--scale SF] [--dir OUT] [--tables lineorder,part,...] [--seed N] "
            "[--threads N]\n"
            "  --scale SF    scale factor, %g to %g (default 1)\n"
            "  --dir OUT     directory for <table>.tbl, created if missing (default .)\n"
            "  --tables T    comma-separated subset of: date, part, supplier, customer,\n"
            "                lineorder (default all)\n"
            "  --seed N      seed of the random streams (default %u)\n"
            "  --threads N   threads formatting lineorder, 1 to %d (default 1); the output\n"
            "                is the same whatever N\n",
            SSB_MIN_SCALE, SSB_MAX_SCALE, DEFAULT_SEED, SSB_MAX_THREADS);
}

/* Writes `table` into dir/<table>.tbl and reports rows, size and time on stderr; adds the
 * bytes written to *total_bytes. False when the file could not be written. */
static bool run_table(Gen *gen, const char *dir, int table, int n_threads, idx_t *total_bytes)
{
    Out out;
    double started = now_seconds();
    if (!out_open(&out, dir, TABLE_NAMES[table])) return false;
    bool ok = true;
    switch (table) {
    case SSB_DATE:
        gen_date(&out);
        break;
    case SSB_PART:
        gen_part(gen, &out);
        break;
    case SSB_SUPPLIER:
        gen_supplier(gen, &out);
        break;
    case SSB_CUSTOMER:
        gen_customer(gen, &out);
        break;
    default:
        ok = gen_lineorder(gen, &out, n_threads);
        break;
    }
    ok &= out_close(&out);
    double secs = now_seconds() - started;
    *total_bytes += out.n_bytes;
    fprintf(stderr, "  %-9s %10llu rows %9.1f MB %7.2f s\n", TABLE_NAMES[table],
            (unsigned long long)out.n_rows, (double)out.n_bytes / 1e6, secs);
    return ok;
}

int main(int argc, char **argv)
{
    double sf = 1.0;
    const char *dir = ".";
    uint64_t seed = DEFAULT_SEED;
    long n_threads = 1;
    bool wanted[SSB_N_TABLES];
    for (int table = 0; table < SSB_N_TABLES; table++)
        wanted[table] = true;

    for (int arg = 1; arg < argc; arg++) {
        const char *opt = argv[arg];
        if (strcmp(opt, "--help") == 0 || strcmp(opt, "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (arg + 1 >= argc) {
            fprintf(stderr, "ssbgen: %s needs a value\n", opt);
            usage(stderr);
            return 2;
        }
        const char *val = argv[++arg];
        char *end = NULL;
        if (strcmp(opt, "--scale") == 0) {
            sf = strtod(val, &end);
            if (end == val || *end || !(sf >= SSB_MIN_SCALE && sf <= SSB_MAX_SCALE)) {
                fprintf(stderr, "ssbgen: --scale must be a number from %g to %g\n", SSB_MIN_SCALE,
                        SSB_MAX_SCALE);
                return 2;
            }
        } else if (strcmp(opt, "--dir") == 0) {
            dir = val;
        } else if (strcmp(opt, "--tables") == 0) {
            if (!parse_tables(val, TABLE_NAMES, SSB_N_TABLES, wanted)) return 2;
        } else if (strcmp(opt, "--seed") == 0) {
            errno = 0;
            seed = strtoull(val, &end, 10);
            if (end == val || *end || errno != 0 || val[0] == '-') {
                fprintf(stderr, "ssbgen: --seed must be a non-negative integer\n");
                return 2;
            }
        } else if (strcmp(opt, "--threads") == 0) {
            n_threads = strtol(val, &end, 10);
            if (end == val || *end || n_threads < 1 || n_threads > SSB_MAX_THREADS) {
                fprintf(stderr, "ssbgen: --threads must be from 1 to %d\n", SSB_MAX_THREADS);
                return 2;
            }
        } else {
            fprintf(stderr, "ssbgen: unknown option %s\n", opt);
            usage(stderr);
            return 2;
        }
    }

    Gen gen;
    memset(&gen, 0, sizeof(gen));
    gen.seed = seed;
    Scale *sc = &gen.scale;
    sc->sf = sf;
    sc->n_customer = scaled(sf, 30000);
    sc->n_supplier = scaled(sf, 2000);
    sc->n_part = part_count(sf);
    sc->n_orders = scaled(sf, 1500000);
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "ssbgen: cannot create %s: %s\n", dir, strerror(errno));
        return 1;
    }

    double started = now_seconds();
    days_init();
    bool ok = true;
    idx_t total_bytes = 0;
    for (int table = 0; table < SSB_N_TABLES && ok; table++) {
        if (wanted[table]) ok = run_table(&gen, dir, table, (int)n_threads, &total_bytes);
    }
    double secs = now_seconds() - started;
    if (ok)
        fprintf(stderr, "ssbgen: %.1f MB in %.2f s (%.0f MB/s)\n", (double)total_bytes / 1e6, secs,
                (double)total_bytes / 1e6 / secs);
    return ok ? 0 : 1;
}
