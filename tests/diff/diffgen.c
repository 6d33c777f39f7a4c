/*
 * diffgen.c — writes a seeded, random differential test: a table of random integers and
 * strings (with NULLs), and queries in the subset where Basalt and SQLite agree on
 * semantics, so their answers can be compared row by row (see diff_sqlite.sh).
 *
 * The subset avoids what the two define differently: division by zero (SQLite gives
 * NULL), LIKE (SQLite's ignores case), booleans as values (SQLite's are 0/1), empty
 * strings, and overflow (values stay small). Every result is compared as a sorted set.
 *
 * Usage: diffgen SEED N_QUERIES DIR   → DIR/setup.sql, DIR/q<k>.sql
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t g_state;

static uint32_t rnd(void)
{
    g_state = g_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(g_state >> 33);
}

static int pick(int n)
{
    return (int)(rnd() % (uint32_t)n);
}

typedef struct Text {
    char buf[8192];
    size_t len;
} Text;

static void put(Text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->buf + t->len, sizeof t->buf - t->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        t->len += (size_t)n < sizeof t->buf - t->len ? (size_t)n : sizeof t->buf - t->len - 1;
}

static const char *WORDS[] = {"ant", "bee", "cat", "dog", "eel", "fox", "gnu", "hen"};

/* An integer-valued expression over a, b (depth-limited). */
static void int_expr(Text *t, int depth)
{
    int choice = depth <= 0 ? pick(3) : pick(11);
    switch (choice) {
    case 0:
        put(t, "a");
        break;
    case 1:
        put(t, "b");
        break;
    case 2:
        put(t, "%d", pick(21) - 10);
        break;
    case 3:
    case 4:
    case 5: {
        static const char *ops[] = {"+", "-", "*"};
        put(t, "(");
        int_expr(t, depth - 1);
        put(t, " %s ", ops[choice - 3]);
        int_expr(t, depth - 1);
        put(t, ")");
        break;
    }
    case 6:
        put(t, "(");
        int_expr(t, depth - 1);
        put(t, " %s %d)", pick(2) ? "/" : "%", pick(5) + 2); /* constant non-zero divisors */
        break;
    case 7:
        put(t, "abs(");
        int_expr(t, depth - 1);
        put(t, ")");
        break;
    case 8:
        put(t, "coalesce(");
        int_expr(t, depth - 1);
        put(t, ", %d)", pick(10));
        break;
    case 9:
        put(t, "case when ");
        void bool_expr(Text *, int);
        bool_expr(t, depth - 1);
        put(t, " then ");
        int_expr(t, depth - 1);
        put(t, " else ");
        int_expr(t, depth - 1);
        put(t, " end");
        break;
    default:
        put(t, "length(c)");
        break;
    }
}

static void str_expr(Text *t, int depth)
{
    switch (depth <= 0 ? 0 : pick(5)) {
    case 0:
        put(t, "c");
        break;
    case 1:
        put(t, "upper(c)");
        break;
    case 4:
        put(t, "substr(c, %d, %d)", 1 + pick(3), 1 + pick(3));
        break;
    case 2:
        put(t, "(c || '%s')", WORDS[pick(8)]);
        break;
    default:
        put(t, "coalesce(c, '%s')", WORDS[pick(8)]);
        break;
    }
}

void bool_expr(Text *t, int depth);

void bool_expr(Text *t, int depth)
{
    static const char *cmp[] = {"=", "<>", "<", "<=", ">", ">="};
    switch (depth <= 0 ? pick(3) : pick(9)) {
    case 0:
        int_expr(t, 1);
        put(t, " %s %d", cmp[pick(6)], pick(21) - 10);
        break;
    case 1:
        put(t, "%s is %snull", pick(2) ? "a" : "c", pick(2) ? "not " : "");
        break;
    case 2:
        put(t, "c %s '%s'", cmp[pick(6)], WORDS[pick(8)]);
        break;
    case 3:
    case 4:
        put(t, "(");
        bool_expr(t, depth - 1);
        put(t, " %s ", pick(2) ? "and" : "or");
        bool_expr(t, depth - 1);
        put(t, ")");
        break;
    case 5:
        put(t, "not (");
        bool_expr(t, depth - 1);
        put(t, ")");
        break;
    case 6: {
        int lo = pick(21) - 10;
        put(t, "b %sbetween %d and %d", pick(2) ? "not " : "", lo, lo + pick(10));
        break;
    }
    case 7:
        put(t, "a %sin (%d, %d, %d)", pick(2) ? "not " : "", pick(21) - 10, pick(21) - 10,
            pick(21) - 10);
        break;
    default:
        int_expr(t, depth - 1);
        put(t, " %s ", cmp[pick(6)]);
        int_expr(t, depth - 1);
        break;
    }
}

static void query(Text *t)
{
    int kind = pick(5);
    if (kind == 0) {
        /* projection and filter */
        put(t, "select ");
        int n = 1 + pick(3);
        for (int k = 0; k < n; k++) {
            if (k) put(t, ", ");
            if (pick(3) == 0)
                str_expr(t, 1);
            else
                int_expr(t, 2);
        }
        put(t, " from t where ");
        bool_expr(t, 2);
    } else if (kind == 1) {
        /* global aggregates */
        static const char *aggs[] = {"count(*)", "count(a)",          "sum(a)", "min(b)",
                                     "max(a)",   "count(distinct b)", "min(c)", "max(c)",
                                     "sum(b)",   "count(distinct c)"};
        put(t, "select ");
        int n = 1 + pick(4);
        for (int k = 0; k < n; k++)
            put(t, "%s%s", k ? ", " : "", aggs[pick(10)]);
        put(t, " from t where ");
        bool_expr(t, 2);
    } else if (kind == 2) {
        /* grouped aggregates */
        const char *key = pick(2) ? "b" : "c";
        put(t, "select %s, count(*), sum(a), min(a), max(c) from t", key);
        if (pick(2)) {
            put(t, " where ");
            bool_expr(t, 1);
        }
        put(t, " group by %s", key);
        if (pick(2)) put(t, " having count(*) > %d", pick(8));
    } else if (kind == 3) {
        /* ORDER BY every output column (a total order on distinct rows) with LIMIT/OFFSET */
        put(t, "select a, b, c, ");
        int_expr(t, 1);
        put(t, " from t where ");
        bool_expr(t, 1);
        const char *nulls = pick(2) ? "first" : "last";
        put(t, " order by %s %s nulls %s, a nulls %s, b nulls %s, c desc nulls %s limit %d",
            pick(2) ? "a" : "4", pick(2) ? "desc" : "asc", nulls, nulls, nulls, nulls,
            1 + pick(20));
        if (pick(2)) put(t, " offset %d", pick(10));
    } else {
        /* distinct, and grouping by an expression */
        if (pick(2)) {
            put(t, "select distinct ");
            int_expr(t, 1);
            put(t, " from t");
        } else {
            put(t, "select (a %% 4), count(*), sum(b) from t group by (a %% 4)");
        }
    }
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: diffgen SEED N_QUERIES DIR\n");
        return 2;
    }
    g_state = strtoull(argv[1], NULL, 10) * 2654435761ULL + 1;
    int n_queries = atoi(argv[2]);
    char path[4096];
    snprintf(path, sizeof path, "%s/setup.sql", argv[3]);
    FILE *f = fopen(path, "w");
    if (!f) return 1;
    fprintf(f, "create table t (a integer, b integer, c varchar);\n");
    int rows = 300 + pick(700);
    for (int r = 0; r < rows; r++) {
        if (r % 100 == 0)
            fprintf(f, "%sinsert into t values ", r ? ";\n" : "");
        else
            fprintf(f, ", ");
        char a[16], b[16], c[16];
        if (pick(10) == 0)
            snprintf(a, sizeof a, "null");
        else
            snprintf(a, sizeof a, "%d", pick(41) - 20);
        if (pick(10) == 0)
            snprintf(b, sizeof b, "null");
        else
            snprintf(b, sizeof b, "%d", pick(21) - 10);
        if (pick(10) == 0)
            snprintf(c, sizeof c, "null");
        else
            snprintf(c, sizeof c, "'%s'", WORDS[pick(8)]);
        fprintf(f, "(%s, %s, %s)", a, b, c);
    }
    fprintf(f, ";\n");
    fclose(f);
    for (int q = 0; q < n_queries; q++) {
        Text t = {.len = 0};
        query(&t);
        snprintf(path, sizeof path, "%s/q%d.sql", argv[3], q);
        f = fopen(path, "w");
        if (!f) return 1;
        fprintf(f, "%s;\n", t.buf);
        fclose(f);
    }
    return 0;
}
