/*
 * tpchgen — writes the 8 TPC-H tables at a chosen scale factor as dbgen-style .tbl files:
 * fields separated by '|', a '|' after the last field too, dates as YYYY-MM-DD, money with
 * two decimals. Benchmarks and tests run it to get data without downloading anything, then
 * load the files with COPY (bench/tpch/load.sh). It is a tool beside the engine and links
 * nothing of Basalt.
 *
 *   tpchgen [--scale SF] [--dir OUT] [--tables lineitem,orders,...] [--seed N]
 *
 * Written from the TPC-H specification, clause 4.2 (cardinalities, key ranges, value
 * distributions, the lists of words for names, types, containers, segments, priorities,
 * instructions and modes). Comments are random text from our own weighted word list, not
 * from dbgen's text grammar; README-gen.md lists what matches the specification and what
 * does not.
 *
 * Determinism: each row draws from its own splitmix64 stream, seeded from (seed, table,
 * row number), so a table's rows are the same whichever other tables are written, and any
 * row could be made alone. The only state carried from row to row is the exact selection
 * of the supplier rows that get the "Customer ... Complaints/Recommends" phrases. Orders
 * and their lineitems are generated together, order by order, since o_totalprice and
 * o_orderstatus come from the lines; memory stays bounded (the date strings, the
 * vocabulary and one output buffer per file).
 *
 * The random streams, the output buffers and field formatting, the word lists and the
 * price and order-key formulas are in ../tblgen.h, shared with ssbgen.
 *
 * Speed: fields are formatted by hand into a 1 MiB buffer per file, no printf in the row
 * loops; comments are made word by word from a vocabulary that stays in cache.
 */
#define TBLGEN_NAME "tpchgen"
#include "../tblgen.h"

#include <math.h>
#include <sys/stat.h>

/* ---------------------------------------------------------------------------------------
 * Tables and scale
 * --------------------------------------------------------------------------------------- */

enum {
    TPCH_REGION,
    TPCH_NATION,
    TPCH_SUPPLIER,
    TPCH_CUSTOMER,
    TPCH_PART,
    TPCH_PARTSUPP,
    TPCH_ORDERS,
    TPCH_LINEITEM,
    TPCH_N_TABLES
};

static const char *const TABLE_NAMES[TPCH_N_TABLES] = {
    "region", "nation", "supplier", "customer", "part", "partsupp", "orders", "lineitem"};

/* Keys are INTEGER: the largest, o_orderkey, is 6,000,000 x SF. */
#define TPCH_MIN_SCALE 0.01
#define TPCH_MAX_SCALE 300.0

#define DEFAULT_SEED 19920101u

/* Row counts at one scale factor. */
typedef struct Scale {
    double sf;
    int64_t n_supplier; /* 10,000 x SF */
    int64_t n_customer; /* 150,000 x SF */
    int64_t n_part;     /* 200,000 x SF; 4 partsupp rows each */
    int64_t n_orders;   /* 1,500,000 x SF; 1..7 lineitems each */
    int64_t n_clerk;    /* 1,000 x SF */
    int64_t n_complaints;
    int64_t n_recommends; /* supplier comments with the Q16 phrases: 5 x SF each */
} Scale;

/* ---------------------------------------------------------------------------------------
 * Dates: day 0 is 1992-01-01 (STARTDATE), the last is 1998-12-31 (ENDDATE)
 * --------------------------------------------------------------------------------------- */

#define TPCH_N_DAYS         2557 /* 1992..1998, two leap years */
#define TPCH_LAST_ORDER_DAY (TPCH_N_DAYS - 1 - 151)
#define TPCH_CURRENT_YEAR   1995 /* CURRENTDATE 1995-06-17 */
#define TPCH_CURRENT_MONTH  6
#define TPCH_CURRENT_MDAY   17

static char g_date_text[TPCH_N_DAYS][10];
static int g_current_day;

static void dates_init(void)
{
    static const int MONTH_DAYS[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int year = 1992, month = 1, mday = 1;
    for (int day = 0; day < TPCH_N_DAYS; day++) {
        char *text = g_date_text[day];
        text[0] = (char)('0' + year / 1000);
        text[1] = (char)('0' + year / 100 % 10);
        text[2] = (char)('0' + year / 10 % 10);
        text[3] = (char)('0' + year % 10);
        text[4] = '-';
        text[5] = (char)('0' + month / 10);
        text[6] = (char)('0' + month % 10);
        text[7] = '-';
        text[8] = (char)('0' + mday / 10);
        text[9] = (char)('0' + mday % 10);
        if (year == TPCH_CURRENT_YEAR && month == TPCH_CURRENT_MONTH && mday == TPCH_CURRENT_MDAY)
            g_current_day = day;
        bool leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        int month_len = MONTH_DAYS[month - 1] + (month == 2 && leap);
        if (++mday > month_len) {
            mday = 1;
            if (++month > 12) {
                month = 1;
                year++;
            }
        }
    }
}

/* A date as YYYY-MM-DD. */
static char *put_date(char *p, int day)
{
    memcpy(p, g_date_text[day], 10);
    return p + 10;
}

/* ---------------------------------------------------------------------------------------
 * Text: comments are random words from our own vocabulary
 * --------------------------------------------------------------------------------------- */

/*
 * Our own vocabulary of shipping and accounting words; "word*N" weighs a word N times.
 * It is not dbgen's grammar: words follow one another at random, with a comma now and
 * then and a period every 3..12 words. "special" and "requests" are weighted so that
 * about 0.9% of order comments match Q13's '%special%requests%'. "Customer",
 * "Complaints" and "Recommends" must never appear here, so that only the chosen supplier
 * comments match Q16.
 */
static const char VOCABULARY[] =
    /* nouns */
    "requests*4 accounts*3 deposits*3 packages*3 orders*2 shipments*2 pallets invoices crates "
    "parcels ledgers contracts warehouses carriers vendors instructions payments receipts "
    "tariffs manifests cargo freight bundles cartons samples returns quotes claims refunds "
    "batches dockets waybills "
    /* adjectives */
    "special*4 final*2 pending*2 regular*2 express*2 quick careful silent bold even ironic "
    "unusual idle steady slow busy quiet ready fair daily early late prompt urgent formal plain "
    "minor major overdue "
    /* verbs */
    "sleep wake arrive move ship wait settle cross return follow grow stand stack shift drift "
    "pass rest turn pile linger gather clear load haul "
    /* adverbs */
    "quickly*2 carefully*2 slowly quietly steadily boldly evenly finally promptly closely often "
    "always never again soon today furiously "
    /* small words */
    "the*6 a*2 of*2 to*2 and*3 in on at by for with from into about above across after against "
    "along among around before behind beneath beside between beyond despite during inside near "
    "over past through toward under until upon without but or as";

/* The vocabulary parsed into slots, one per unit of weight: a word is a uniform slot. */
#define VOCAB_MAX_SLOTS 512
#define VOCAB_WORD_ROOM 16 /* every word is shorter; copied as a fixed 16 bytes */

typedef struct Vocab {
    char word[VOCAB_MAX_SLOTS][VOCAB_WORD_ROOM];
    uint8_t len[VOCAB_MAX_SLOTS];
    int n_slots;
} Vocab;

static Vocab g_vocab;

static void vocab_init(void)
{
    Vocab *v = &g_vocab;
    for (const char *p = VOCABULARY; *p;) {
        size_t len = strcspn(p, "* ");
        long weight = 1;
        char *next = (char *)p + len;
        if (*next == '*') weight = strtol(next + 1, &next, 10);
        for (long copy = 0; copy < weight && v->n_slots < VOCAB_MAX_SLOTS; copy++) {
            memset(v->word[v->n_slots], ' ', VOCAB_WORD_ROOM);
            memcpy(v->word[v->n_slots], p, len < VOCAB_WORD_ROOM ? len : VOCAB_WORD_ROOM - 1);
            v->len[v->n_slots] = (uint8_t)len;
            v->n_slots++;
        }
        p = next + strspn(next, " ");
    }
}

/*
 * Random text of a length uniform in [min_len, max_len] (max_len <= 200): words drawn
 * from the vocabulary, a comma after 1 word in 16, a period every 3..12 words. It starts
 * at a random place inside its first word, as a substring of a longer text would. (The
 * specification cuts comments out of a 300 MB text; making them word by word from a
 * vocabulary that stays in cache avoids a cache miss per comment and is 2-3x faster.)
 * One draw per word: bits 0-3 the comma, 4-19 the next sentence length, 20-31 where the
 * text starts, 32-63 the word.
 */
static char *put_text(char *p, Rng *rng, int min_len, int max_len)
{
    const Vocab *v = &g_vocab;
    int len = (int)rng_range(rng, min_len, max_len);
    char text[256 + 2 * VOCAB_WORD_ROOM];
    char *t = text;
    int skip = -1;
    int left_in_sentence = 0;
    while (t - text < skip + len) {
        uint64_t bits = rng_next(rng);
        int slot = (int)(((bits >> 32) * (uint64_t)v->n_slots) >> 32);
        if (skip < 0) {
            skip = (int)(((bits >> 20) & 0xFFF) % (v->len[slot] + 1u));
            left_in_sentence = 1 + (int)(((bits >> 4) & 0xFFFF) % 12);
        }
        memcpy(t, v->word[slot], VOCAB_WORD_ROOM);
        t += v->len[slot];
        if (--left_in_sentence == 0) {
            *t++ = '.';
            left_in_sentence = 3 + (int)(((bits >> 4) & 0xFFFF) % 10);
        } else if ((bits & 15) == 0) {
            *t++ = ',';
        }
        *t++ = ' ';
    }
    memcpy(p, text + skip, (size_t)len);
    return p + len;
}

/* ---------------------------------------------------------------------------------------
 * Tables
 * --------------------------------------------------------------------------------------- */

typedef struct Gen {
    Scale scale;
    uint64_t seed;
} Gen;

/* The supplier of `partkey`'s i-th partsupp row (i in 0..3):
 * (partkey + i x (S/4 + (partkey - 1)/S)) mod S + 1. */
static int64_t part_supplier(int64_t partkey, int64_t i, int64_t n_supplier)
{
    return (partkey + i * (n_supplier / 4 + (partkey - 1) / n_supplier)) % n_supplier + 1;
}

static void gen_region(Gen *gen, Out *out)
{
    for (int key = 0; key < 5; key++) {
        Rng rng;
        rng_seed_row(&rng, gen->seed, TPCH_REGION, (uint64_t)key);
        char *p = out_row_begin(out);
        p = put_uint(p, (uint64_t)key);
        SEP(p);
        p = put_str(p, REGIONS[key]);
        SEP(p);
        p = put_text(p, &rng, 31, 115);
        out_row_end(out, end_row(p), 1);
    }
}

static void gen_nation(Gen *gen, Out *out)
{
    for (int key = 0; key < 25; key++) {
        Rng rng;
        rng_seed_row(&rng, gen->seed, TPCH_NATION, (uint64_t)key);
        char *p = out_row_begin(out);
        p = put_uint(p, (uint64_t)key);
        SEP(p);
        p = put_str(p, NATIONS[key].name);
        SEP(p);
        p = put_uint(p, (uint64_t)NATIONS[key].region);
        SEP(p);
        p = put_text(p, &rng, 31, 114);
        out_row_end(out, end_row(p), 1);
    }
}

/*
 * The columns supplier and customer share, each followed by '|': key, name (prefix and
 * the key in 9 digits), address, nationkey, phone and account balance.
 */
static char *put_business(char *p, Rng *rng, const char *name_prefix, int64_t key)
{
    int nationkey = (int)rng_range(rng, 0, 24);
    p = put_uint(p, (uint64_t)key);
    SEP(p);
    p = put_str(p, name_prefix);
    p = put_uint9(p, (uint64_t)key);
    SEP(p);
    p = put_vstring(p, rng, 10, 40);
    SEP(p);
    p = put_uint(p, (uint64_t)nationkey);
    SEP(p);
    p = put_phone(p, rng, nationkey);
    SEP(p);
    p = put_cents(p, rng_range(rng, -99999, 999999));
    SEP(p);
    return p;
}

/*
 * Supplier comments are text [25,100]; exactly n_complaints of them hold "Customer", some
 * text and "Complaints" at a random place, and n_recommends others the same with
 * "Recommends" (Q16). The rows are chosen by sequential sampling: row k is one of the
 * remaining complaints with probability (complaints left) / (rows left), and so on.
 */
static void gen_supplier(Gen *gen, Out *out)
{
    const Scale *sc = &gen->scale;
    int64_t complaints_left = sc->n_complaints;
    int64_t recommends_left = sc->n_recommends;
    for (int64_t key = 1; key <= sc->n_supplier; key++) {
        Rng rng;
        rng_seed_row(&rng, gen->seed, TPCH_SUPPLIER, (uint64_t)key);
        char *p = put_business(out_row_begin(out), &rng, "Supplier#", key);

        char *comment = p;
        p = put_text(p, &rng, 25, 100);
        int64_t rows_left = sc->n_supplier - key + 1;
        int64_t draw = rng_range(&rng, 0, rows_left - 1);
        const char *tail = NULL;
        if (draw < complaints_left) {
            tail = "Complaints";
            complaints_left--;
        } else if (draw < complaints_left + recommends_left) {
            tail = "Recommends";
            recommends_left--;
        }
        if (tail) {
            int64_t len = p - comment;
            int64_t fixed = 8 + 10; /* "Customer" + tail */
            int64_t gap = rng_range(&rng, 0, len - fixed);
            int64_t at = rng_range(&rng, 0, len - fixed - gap);
            memcpy(comment + at, "Customer", 8);
            memcpy(comment + at + 8 + gap, tail, 10);
        }
        out_row_end(out, end_row(p), 1);
    }
}

static void gen_customer(Gen *gen, Out *out)
{
    for (int64_t key = 1; key <= gen->scale.n_customer; key++) {
        Rng rng;
        rng_seed_row(&rng, gen->seed, TPCH_CUSTOMER, (uint64_t)key);
        char *p = put_business(out_row_begin(out), &rng, "Customer#", key);
        p = put_str(p, SEGMENTS[rng_range(&rng, 0, BS_ARRAY_LEN(SEGMENTS) - 1)]);
        SEP(p);
        p = put_text(p, &rng, 29, 116);
        out_row_end(out, end_row(p), 1);
    }
}

static void gen_part(Gen *gen, Out *out)
{
    for (int64_t key = 1; key <= gen->scale.n_part; key++) {
        Rng rng;
        rng_seed_row(&rng, gen->seed, TPCH_PART, (uint64_t)key);
        char *p = out_row_begin(out);
        p = put_uint(p, (uint64_t)key);
        SEP(p);
        /* p_name: 5 distinct colors */
        int picked[5];
        for (int word_idx = 0; word_idx < 5; word_idx++) {
            int color;
            bool dup;
            do {
                color = (int)rng_range(&rng, 0, BS_ARRAY_LEN(COLORS) - 1);
                dup = false;
                for (int prev = 0; prev < word_idx; prev++)
                    dup |= picked[prev] == color;
            } while (dup);
            picked[word_idx] = color;
            if (word_idx > 0) *p++ = ' ';
            p = put_str(p, COLORS[color]);
        }
        SEP(p);
        int mfgr = (int)rng_range(&rng, 1, 5);
        p = put_str(p, "Manufacturer#");
        *p++ = (char)('0' + mfgr);
        SEP(p);
        p = put_str(p, "Brand#");
        *p++ = (char)('0' + mfgr);
        *p++ = (char)('0' + rng_range(&rng, 1, 5));
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
        SEP(p);
        p = put_cents(p, retail_cents(key));
        SEP(p);
        p = put_text(p, &rng, 5, 22);
        out_row_end(out, end_row(p), 1);
    }
}

static void gen_partsupp(Gen *gen, Out *out)
{
    const Scale *sc = &gen->scale;
    for (int64_t partkey = 1; partkey <= sc->n_part; partkey++) {
        Rng rng;
        rng_seed_row(&rng, gen->seed, TPCH_PARTSUPP, (uint64_t)partkey);
        char *p = out_row_begin(out);
        for (int64_t i = 0; i < 4; i++) {
            p = put_uint(p, (uint64_t)partkey);
            SEP(p);
            p = put_uint(p, (uint64_t)part_supplier(partkey, i, sc->n_supplier));
            SEP(p);
            p = put_uint(p, (uint64_t)rng_range(&rng, 1, 9999));
            SEP(p);
            p = put_cents(p, rng_range(&rng, 100, 100000));
            SEP(p);
            p = put_text(p, &rng, 49, 198);
            p = end_row(p);
        }
        out_row_end(out, p, 4);
    }
}

/*
 * Orders and their lineitems, order by order: the lines come first (from the lineitem
 * stream of the order) because o_totalprice and o_orderstatus are computed from them.
 * Either output may be NULL; its rows are then formatted into a scratch buffer and
 * dropped, so the other table's rows do not change.
 */
static void gen_orders_lineitem(Gen *gen, Out *orders, Out *lineitem)
{
    const Scale *sc = &gen->scale;
    static char scratch[2][OUT_ROW_ROOM];
    /* custkeys not divisible by 3: a third of the customers have no orders */
    int64_t n_order_customers = sc->n_customer - sc->n_customer / 3;

    for (int64_t order_idx = 1; order_idx <= sc->n_orders; order_idx++) {
        Rng rng_order, rng_line;
        rng_seed_row(&rng_order, gen->seed, TPCH_ORDERS, (uint64_t)order_idx);
        rng_seed_row(&rng_line, gen->seed, TPCH_LINEITEM, (uint64_t)order_idx);
        int64_t orderkey = sparse_orderkey(order_idx);
        int64_t cust_idx = rng_range(&rng_order, 0, n_order_customers - 1);
        int64_t custkey = cust_idx / 2 * 3 + cust_idx % 2 + 1;
        int orderdate = (int)rng_range(&rng_order, 0, TPCH_LAST_ORDER_DAY);

        char *lp = lineitem ? out_row_begin(lineitem) : scratch[0];
        int64_t n_lines = rng_range(&rng_line, 1, 7);
        /* sum of extendedprice x (100 + tax) x (100 - discount), in 1/1,000,000 */
        int64_t total = 0;
        int n_shipped = 0;
        for (int64_t linenumber = 1; linenumber <= n_lines; linenumber++) {
            int64_t partkey = rng_range(&rng_line, 1, sc->n_part);
            int64_t supp_i = rng_range(&rng_line, 0, 3);
            int64_t quantity = rng_range(&rng_line, 1, 50);
            int64_t extended = quantity * retail_cents(partkey);
            int64_t discount = rng_range(&rng_line, 0, 10);
            int64_t tax = rng_range(&rng_line, 0, 8);
            int shipdate = orderdate + (int)rng_range(&rng_line, 1, 121);
            int commitdate = orderdate + (int)rng_range(&rng_line, 30, 90);
            int receiptdate = shipdate + (int)rng_range(&rng_line, 1, 30);
            char returnflag = 'N';
            if (receiptdate <= g_current_day) returnflag = rng_range(&rng_line, 0, 1) ? 'R' : 'A';
            bool shipped = shipdate <= g_current_day;
            n_shipped += shipped;
            total += extended * (100 + tax) * (100 - discount);

            lp = put_uint(lp, (uint64_t)orderkey);
            SEP(lp);
            lp = put_uint(lp, (uint64_t)partkey);
            SEP(lp);
            lp = put_uint(lp, (uint64_t)part_supplier(partkey, supp_i, sc->n_supplier));
            SEP(lp);
            lp = put_uint(lp, (uint64_t)linenumber);
            SEP(lp);
            lp = put_uint(lp, (uint64_t)quantity); /* dbgen writes the quantity bare */
            SEP(lp);
            lp = put_cents(lp, extended);
            SEP(lp);
            lp = put_cents(lp, discount);
            SEP(lp);
            lp = put_cents(lp, tax);
            SEP(lp);
            *lp++ = returnflag;
            SEP(lp);
            *lp++ = shipped ? 'F' : 'O';
            SEP(lp);
            lp = put_date(lp, shipdate);
            SEP(lp);
            lp = put_date(lp, commitdate);
            SEP(lp);
            lp = put_date(lp, receiptdate);
            SEP(lp);
            lp = put_str(lp, INSTRUCTIONS[rng_range(&rng_line, 0, BS_ARRAY_LEN(INSTRUCTIONS) - 1)]);
            SEP(lp);
            lp = put_str(lp, SHIP_MODES[rng_range(&rng_line, 0, BS_ARRAY_LEN(SHIP_MODES) - 1)]);
            SEP(lp);
            lp = put_text(lp, &rng_line, 10, 43);
            lp = end_row(lp);
        }
        if (lineitem) out_row_end(lineitem, lp, (idx_t)n_lines);

        char status = n_shipped == n_lines ? 'F' : n_shipped == 0 ? 'O' : 'P';
        char *p = orders ? out_row_begin(orders) : scratch[1];
        p = put_uint(p, (uint64_t)orderkey);
        SEP(p);
        p = put_uint(p, (uint64_t)custkey);
        SEP(p);
        *p++ = status;
        SEP(p);
        p = put_cents(p, (total + 5000) / 10000);
        SEP(p);
        p = put_date(p, orderdate);
        SEP(p);
        p = put_str(p, PRIORITIES[rng_range(&rng_order, 0, BS_ARRAY_LEN(PRIORITIES) - 1)]);
        SEP(p);
        p = put_str(p, "Clerk#");
        p = put_uint9(p, (uint64_t)rng_range(&rng_order, 1, sc->n_clerk));
        SEP(p);
        *p++ = '0';
        SEP(p);
        p = put_text(p, &rng_order, 19, 78);
        p = end_row(p);
        if (orders) out_row_end(orders, p, 1);
    }
}

/* ---------------------------------------------------------------------------------------
 * Command line
 * --------------------------------------------------------------------------------------- */

static void usage(FILE *f)
{
    fprintf(f,
            "usage: tpchgen [--scale SF] [--dir OUT] [--tables lineitem,orders,...] "
            "[--seed N]\n"
            "  --scale SF   scale factor, %g to %g (default 1)\n"
            "  --dir OUT    directory for <table>.tbl, created if missing (default .)\n"
            "  --tables T   comma-separated subset of: region, nation, supplier, customer,\n"
            "               part, partsupp, orders, lineitem (default all)\n"
            "  --seed N     seed of the random streams (default %u)\n",
            TPCH_MIN_SCALE, TPCH_MAX_SCALE, DEFAULT_SEED);
}

/*
 * The partsupp formula gives a part 4 distinct suppliers only if no multiple d x step
 * (d = 1..3, step = S/4 + (partkey - 1)/S) is a multiple of S. That holds for every S
 * above 228 and for most smaller ones; check the steps this scale uses.
 */
static bool partsupp_formula_ok(const Scale *sc)
{
    int64_t s = sc->n_supplier;
    if (s < 4) return false;
    for (int64_t step = s / 4; step <= s / 4 + (sc->n_part - 1) / s; step++) {
        for (int64_t d = 1; d <= 3; d++)
            if (d * step % s == 0) return false;
    }
    return true;
}

/*
 * Writes `table` into dir/<table>.tbl and reports rows, size and time on stderr. Orders
 * and lineitem are one job: asking for either runs both generators and writes the ones
 * wanted. Adds the bytes written to *total_bytes; false when a file could not be written.
 */
static bool run_table(Gen *gen, const char *dir, int table, const bool wanted[TPCH_N_TABLES],
                      idx_t *total_bytes)
{
    Out outs[2];
    int tables[2] = {table, -1};
    int n_outs = 1;
    if (table == TPCH_ORDERS || table == TPCH_LINEITEM) {
        tables[0] = wanted[TPCH_ORDERS] ? TPCH_ORDERS : TPCH_LINEITEM;
        if (wanted[TPCH_ORDERS] && wanted[TPCH_LINEITEM]) {
            tables[1] = TPCH_LINEITEM;
            n_outs = 2;
        }
    }
    double started = now_seconds();
    for (int out_idx = 0; out_idx < n_outs; out_idx++) {
        if (!out_open(&outs[out_idx], dir, TABLE_NAMES[tables[out_idx]])) {
            if (out_idx == 1) out_close(&outs[0]);
            return false;
        }
    }
    switch (table) {
    case TPCH_REGION:
        gen_region(gen, &outs[0]);
        break;
    case TPCH_NATION:
        gen_nation(gen, &outs[0]);
        break;
    case TPCH_SUPPLIER:
        gen_supplier(gen, &outs[0]);
        break;
    case TPCH_CUSTOMER:
        gen_customer(gen, &outs[0]);
        break;
    case TPCH_PART:
        gen_part(gen, &outs[0]);
        break;
    case TPCH_PARTSUPP:
        gen_partsupp(gen, &outs[0]);
        break;
    default: {
        Out *orders = tables[0] == TPCH_ORDERS ? &outs[0] : NULL;
        Out *lineitem = tables[0] == TPCH_LINEITEM ? &outs[0] : n_outs == 2 ? &outs[1] : NULL;
        gen_orders_lineitem(gen, orders, lineitem);
        break;
    }
    }
    bool ok = true;
    for (int out_idx = 0; out_idx < n_outs; out_idx++)
        ok &= out_close(&outs[out_idx]);
    double secs = now_seconds() - started;
    for (int out_idx = 0; out_idx < n_outs; out_idx++) {
        *total_bytes += outs[out_idx].n_bytes;
        fprintf(stderr, "  %-8s %10llu rows %9.1f MB %7.2f s%s\n", TABLE_NAMES[tables[out_idx]],
                (unsigned long long)outs[out_idx].n_rows, (double)outs[out_idx].n_bytes / 1e6, secs,
                n_outs == 2 ? " (orders and lineitem together)" : "");
    }
    return ok;
}

int main(int argc, char **argv)
{
    double sf = 1.0;
    const char *dir = ".";
    uint64_t seed = DEFAULT_SEED;
    bool wanted[TPCH_N_TABLES];
    for (int table = 0; table < TPCH_N_TABLES; table++)
        wanted[table] = true;

    for (int arg = 1; arg < argc; arg++) {
        const char *opt = argv[arg];
        if (strcmp(opt, "--help") == 0 || strcmp(opt, "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (arg + 1 >= argc) {
            fprintf(stderr, "tpchgen: %s needs a value\n", opt);
            usage(stderr);
            return 2;
        }
        const char *val = argv[++arg];
        char *end = NULL;
        if (strcmp(opt, "--scale") == 0) {
            sf = strtod(val, &end);
            if (end == val || *end || !(sf >= TPCH_MIN_SCALE && sf <= TPCH_MAX_SCALE)) {
                fprintf(stderr, "tpchgen: --scale must be a number from %g to %g\n", TPCH_MIN_SCALE,
                        TPCH_MAX_SCALE);
                return 2;
            }
        } else if (strcmp(opt, "--dir") == 0) {
            dir = val;
        } else if (strcmp(opt, "--tables") == 0) {
            if (!parse_tables(val, TABLE_NAMES, TPCH_N_TABLES, wanted)) return 2;
        } else if (strcmp(opt, "--seed") == 0) {
            errno = 0;
            seed = strtoull(val, &end, 10);
            if (end == val || *end || errno != 0 || val[0] == '-') {
                fprintf(stderr, "tpchgen: --seed must be a non-negative integer\n");
                return 2;
            }
        } else {
            fprintf(stderr, "tpchgen: unknown option %s\n", opt);
            usage(stderr);
            return 2;
        }
    }

    Gen gen;
    memset(&gen, 0, sizeof(gen));
    gen.seed = seed;
    Scale *sc = &gen.scale;
    sc->sf = sf;
    sc->n_supplier = scaled(sf, 10000);
    sc->n_customer = scaled(sf, 150000);
    sc->n_part = scaled(sf, 200000);
    sc->n_orders = scaled(sf, 1500000);
    sc->n_clerk = scaled(sf, 1000);
    /* 5 x SF each, at least one so that Q16's filter has something to drop at small SF */
    sc->n_complaints = scaled(sf, 5);
    sc->n_recommends = scaled(sf, 5);
    if (!partsupp_formula_ok(sc)) {
        fprintf(stderr,
                "tpchgen: at scale %g (%lld suppliers) the partsupp formula repeats a supplier "
                "for some part; choose another scale factor\n",
                sf, (long long)sc->n_supplier);
        return 2;
    }
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "tpchgen: cannot create %s: %s\n", dir, strerror(errno));
        return 1;
    }

    double started = now_seconds();
    dates_init();
    vocab_init();

    bool ok = true;
    idx_t total_bytes = 0;
    for (int table = 0; table < TPCH_N_TABLES && ok; table++) {
        if (!wanted[table] || (table == TPCH_LINEITEM && wanted[TPCH_ORDERS])) continue;
        ok = run_table(&gen, dir, table, wanted, &total_bytes);
    }
    double secs = now_seconds() - started;
    if (ok)
        fprintf(stderr, "tpchgen: %.1f MB in %.2f s (%.0f MB/s)\n", (double)total_bytes / 1e6, secs,
                (double)total_bytes / 1e6 / secs);
    return ok ? 0 : 1;
}
