/*
 * diffgen.c — writes a seeded, random differential test: three tables of random integers
 * and strings (with NULLs and duplicate keys), and queries in the subset where Basalt and
 * SQLite agree on semantics, so their answers can be compared row by row (see
 * diff_sqlite.sh). PostgreSQL's semantics are the reference; where SQLite's differ, the
 * generator stays out of that corner.
 *
 * Tables (the same seed always writes the same rows):
 *   t (a integer, b integer, c varchar)   300–1000 rows, a in -20..20, b in -10..10
 *   u (a integer, d integer, e varchar)    20–60 rows,  a in -12..12, d in -10..10
 *   w (a integer, f integer)                5–20 rows,  a in -6..6,   f in -5..5
 * Every column is NULL in about one row of eight; the `a` columns overlap, so joins on
 * them match some rows once, some many times and some not at all, and USING (a) works.
 *
 * Queries:
 *   - single-table: projections and filters, global and grouped aggregates, DISTINCT,
 *     grouping by an expression, ORDER BY every output column with LIMIT/OFFSET;
 *   - joins of two tables: [INNER] JOIN, LEFT [OUTER], RIGHT, FULL, CROSS, comma joins
 *     with the condition in WHERE, USING (a), ON with an equality plus a condition on
 *     one side or across both (so LEFT/RIGHT/FULL keep rows an ON filter rejected),
 *     ON with only an inequality, ON with an OR of equalities; projections, DISTINCT,
 *     GROUP BY [HAVING] over the join, ORDER BY every output column with LIMIT;
 *   - joins of three tables (inner and left chains, a right or full join at the end);
 *   - subqueries: [NOT] IN (SELECT …) over columns with NULLs (three-valued: x NOT IN a
 *     set holding NULL is never true), as a conjunct, under OR/NOT, and as a value in a
 *     CASE; [NOT] EXISTS, uncorrelated and correlated (equalities with the outer row,
 *     plus an inequality or an inner filter); scalar subqueries that are aggregates
 *     without GROUP BY (count(*), count, sum, min, max), uncorrelated or correlated by an
 *     equality, in the select list, in WHERE and in HAVING; subqueries inside subqueries,
 *     several in one query, correlated with either side of a join; subqueries and CTEs in
 *     FROM, grouped or joined;
 *   - correlated subqueries in general shapes (dependent joins): correlation by
 *     inequalities, inside ORs and expressions over both rows, in a nested subquery that
 *     reads the outermost row, in a derived table, a grouped derived table or a UNION
 *     [ALL] of the subquery, under a LIMIT over a total order (or one ordered by the one
 *     column it returns, whose ties are equal); as values in the select list, an
 *     expression over two of them, predicates in WHERE (under OR and NOT), [NOT] IN and
 *     EXISTS as values, in HAVING and the select list of a grouped query (reading its
 *     keys), over a join (reading both sides), and in a LEFT or RIGHT join's ON reading
 *     the side it keeps (alone or with the other);
 *   - set operations: UNION, UNION ALL, INTERSECT, EXCEPT of two queries over different
 *     tables, chains of three UNION [ALL]/EXCEPT, a set operation in FROM under an
 *     aggregate, and ORDER BY every column with LIMIT over a set operation.
 *
 * What is avoided, and why:
 *   - division by zero (SQLite gives NULL; PostgreSQL 22012): divisors are constants;
 *   - LIKE (SQLite's ignores case), booleans as values (SQLite's are 0/1: a predicate in
 *     a select list is written as CASE WHEN p THEN 1 WHEN NOT p THEN 0 ELSE 2 END),
 *     empty strings, overflow (values stay small), avg (a DOUBLE printed two ways);
 *   - comparisons of a number with a string (SQLite's affinities order them);
 *   - scalar subqueries that may return two rows (PostgreSQL and Basalt fail with 21000,
 *     SQLite takes the first row): only aggregates without GROUP BY;
 *   - INTERSECT next to UNION/EXCEPT in one chain (PostgreSQL binds INTERSECT tighter;
 *     SQLite's compound operators have equal precedence, left to right), parenthesized
 *     operands of a set operation (SQLite's grammar has none), INTERSECT/EXCEPT ALL
 *     (SQLite has neither);
 *   - an unqualified USING column after RIGHT/FULL joins, and USING after a right or full
 *     join (PostgreSQL's merged column is coalesce(left, right); SQLite 3.40 reads one
 *     side), so select lists always qualify columns;
 *   - subqueries in a FULL join's ON condition: Basalt refuses them with 0A000 today
 *     (subqueries in an inner or LEFT join's ON reading its padded side, and correlated
 *     subqueries over a grouped query's keys, are generated: bugs this generator found,
 *     since fixed);
 *   - ANY/SOME/ALL and LATERAL (SQLite has neither);
 *   - LIMIT without a total order: ORDER BY names every output column, so ties are
 *     equal rows and any subset of them is the same multiset.
 * Every result is compared as a sorted multiset.
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
    char buf[16384];
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

/* The columns the expression generators may read: integer ones and string ones. */
typedef struct Scope {
    const char *ints[8];
    int n_ints;
    const char *strs[4];
    int n_strs;
} Scope;

static const Scope SCOPE_T = {{"a", "b"}, 2, {"c"}, 1};
static const Scope SCOPE_TQ = {{"t.a", "t.b"}, 2, {"t.c"}, 1};
static const Scope SCOPE_UQ = {{"u.a", "u.d"}, 2, {"u.e"}, 1};
static const Scope SCOPE_WQ = {{"w.a", "w.f"}, 2, {NULL}, 0};
static const Scope SCOPE_TU = {{"t.a", "t.b", "u.a", "u.d"}, 4, {"t.c", "u.e"}, 2};
static const Scope SCOPE_UW = {{"u.a", "u.d", "w.a", "w.f"}, 4, {"u.e"}, 1};
static const Scope SCOPE_TUW = {{"t.a", "t.b", "u.a", "u.d", "w.a", "w.f"}, 6, {"t.c", "u.e"}, 2};

static const Scope *g_scope = &SCOPE_T;

static const char *int_col(void)
{
    return g_scope->ints[pick(g_scope->n_ints)];
}

/* A string column, or a string-valued constant when the scope has none. */
static const char *str_col(void)
{
    return g_scope->n_strs ? g_scope->strs[pick(g_scope->n_strs)] : "'eel'";
}

static void bool_expr(Text *t, int depth);

/* An integer-valued expression over the scope's columns (depth-limited). */
static void int_expr(Text *t, int depth)
{
    int choice = depth <= 0 ? pick(3) : pick(11);
    switch (choice) {
    case 0:
    case 1:
        put(t, "%s", int_col());
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
        bool_expr(t, depth - 1);
        put(t, " then ");
        int_expr(t, depth - 1);
        put(t, " else ");
        int_expr(t, depth - 1);
        put(t, " end");
        break;
    default:
        put(t, "length(%s)", str_col());
        break;
    }
}

static void str_expr(Text *t, int depth)
{
    const char *c = str_col();
    switch (depth <= 0 ? 0 : pick(5)) {
    case 0:
        put(t, "%s", c);
        break;
    case 1:
        put(t, "upper(%s)", c);
        break;
    case 4:
        put(t, "substr(%s, %d, %d)", c, 1 + pick(3), 1 + pick(3));
        break;
    case 2:
        put(t, "(%s || '%s')", c, WORDS[pick(8)]);
        break;
    default:
        put(t, "coalesce(%s, '%s')", c, WORDS[pick(8)]);
        break;
    }
}

static void bool_expr(Text *t, int depth)
{
    static const char *cmp[] = {"=", "<>", "<", "<=", ">", ">="};
    switch (depth <= 0 ? pick(3) : pick(9)) {
    case 0:
        int_expr(t, 1);
        put(t, " %s %d", cmp[pick(6)], pick(21) - 10);
        break;
    case 1:
        put(t, "%s is %snull", pick(2) || !g_scope->n_strs ? int_col() : str_col(),
            pick(2) ? "not " : "");
        break;
    case 2:
        if (g_scope->n_strs)
            put(t, "%s %s '%s'", str_col(), cmp[pick(6)], WORDS[pick(8)]);
        else
            put(t, "%s %s %d", int_col(), cmp[pick(6)], pick(11) - 5);
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
        put(t, "%s %sbetween %d and %d", int_col(), pick(2) ? "not " : "", lo, lo + pick(10));
        break;
    }
    case 7:
        put(t, "%s %sin (%d, %d, %d)", int_col(), pick(2) ? "not " : "", pick(21) - 10,
            pick(21) - 10, pick(21) - 10);
        break;
    default:
        int_expr(t, depth - 1);
        put(t, " %s ", cmp[pick(6)]);
        int_expr(t, depth - 1);
        break;
    }
}

/* A filter over one scope's columns, restoring the previous scope. */
static void bool_in(Text *t, const Scope *scope, int depth)
{
    const Scope *saved = g_scope;
    g_scope = scope;
    bool_expr(t, depth);
    g_scope = saved;
}

static void int_in(Text *t, const Scope *scope, int depth)
{
    const Scope *saved = g_scope;
    g_scope = scope;
    int_expr(t, depth);
    g_scope = saved;
}

/* ---- the single-table queries over t ---- */

static void query_single(Text *t, int kind)
{
    g_scope = &SCOPE_T;
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

/* ---- joins ---- */

static const char *join_kw(int allow_outer_right)
{
    static const char *kw[] = {"join", "inner join", "left join", "left outer join", "right join",
                               "full join", "full outer join"};
    return kw[pick(allow_outer_right ? 7 : 4)];
}

/*
 * The condition of a join of t with u (both qualified): an equality on a, alone or with a
 * filter on either side or across both, an equality on b with an inequality on a, an OR of
 * equalities; USING (a) when allow_using.
 */
static void join_cond_tu(Text *t, int allow_using)
{
    switch (pick(8)) {
    case 0:
    case 1:
        put(t, " on t.a = u.a");
        break;
    case 2:
        if (allow_using) {
            put(t, " using (a)");
            break;
        }
        put(t, " on u.a = t.a");
        break;
    case 3:
        put(t, " on t.a = u.a and ");
        bool_in(t, pick(2) ? &SCOPE_UQ : &SCOPE_TQ, 1);
        break;
    case 4:
        put(t, " on t.a = u.a and t.b %s u.d", pick(2) ? "<" : ">=");
        break;
    case 5:
        put(t, " on t.b = u.d and t.a %s u.a", pick(2) ? "<" : "<>");
        break;
    case 6:
        put(t, " on (t.a = u.a or t.b = u.d)");
        break;
    default:
        put(t, " on t.a = u.a + %d and t.c %s u.e", pick(3) - 1, pick(2) ? "=" : "<>");
        break;
    }
}

/* `from t <join> u <cond>`; comma and cross joins put their condition into `where`. */
static void from_tu(Text *t, int *has_where)
{
    *has_where = 0;
    int form = pick(10);
    if (form == 0) {
        put(t, " from t, u where t.a = u.a");
        *has_where = 1;
    } else if (form == 1) {
        put(t, " from t cross join u where t.b = u.d");
        *has_where = 1;
    } else if (form == 2) {
        put(t, " from u %s t", join_kw(1));
        join_cond_tu(t, 0);
    } else {
        const char *kw = join_kw(1);
        put(t, " from t %s u", kw);
        join_cond_tu(t, kw[0] != 'r' && kw[0] != 'f');
    }
}

static void where_more(Text *t, int has_where, const Scope *scope)
{
    if (pick(3) == 0) return;
    put(t, has_where ? " and " : " where ");
    bool_in(t, scope, 1);
}

static void query_join(Text *t, int kind)
{
    int has_where;
    if (kind == 0) {
        /* projection over a join of t and u */
        put(t, "select %st.a, t.b, u.a, u.d, ", pick(5) == 0 ? "distinct " : "");
        g_scope = &SCOPE_TU;
        if (pick(2))
            int_expr(t, 1);
        else
            str_expr(t, 1);
        from_tu(t, &has_where);
        where_more(t, has_where, &SCOPE_TU);
    } else if (kind == 1) {
        /* GROUP BY over a join */
        static const char *keys[] = {"t.b", "u.d", "t.c", "u.e", "t.b, u.e", "u.a"};
        const char *key = keys[pick(6)];
        put(t, "select %s, count(*), count(u.d), sum(t.b), min(u.e), max(t.c), count(distinct t.a)",
            key);
        from_tu(t, &has_where);
        where_more(t, has_where, &SCOPE_TU);
        put(t, " group by %s", key);
        if (pick(2)) put(t, " having count(*) > %d", pick(6));
    } else if (kind == 2) {
        /* three tables: inner and left chains, a right or full join only at the end */
        g_scope = &SCOPE_TUW;
        if (pick(2))
            put(t, "select t.a, t.b, u.d, w.a, w.f");
        else
            put(t, "select count(*), count(w.f), sum(u.d), min(t.c), max(u.e)");
        int form = pick(6);
        if (form == 0)
            put(t, " from t join u using (a) %s w using (a)", pick(2) ? "join" : "left join");
        else if (form == 1)
            put(t, " from t, u, w where t.a = u.a and u.d = w.f");
        else if (form == 2)
            put(t, " from t %s u on t.a = u.a %s w on w.a = u.a", pick(2) ? "join" : "left join",
                join_kw(1));
        else if (form == 3)
            put(t, " from t %s u on t.a = u.a %s w on t.b = w.f and w.a %s u.d",
                pick(2) ? "join" : "left join", join_kw(1), pick(2) ? "<" : ">");
        else if (form == 4)
            put(t, " from w %s u on w.a = u.a %s t on t.a = u.a and t.b = w.f", join_kw(1),
                pick(2) ? "join" : "left join");
        else
            put(t, " from t %s (u %s w on u.d = w.f) on t.a = u.a", pick(2) ? "join" : "left join",
                pick(2) ? "join" : "left join");
        where_more(t, form == 1, &SCOPE_TUW);
    } else if (kind == 3) {
        /* ORDER BY every output column with LIMIT over a join */
        put(t, "select t.a, t.b, t.c, u.a, u.d, u.e");
        from_tu(t, &has_where);
        where_more(t, has_where, &SCOPE_TU);
        const char *nulls = pick(2) ? "first" : "last";
        const char *dir = pick(2) ? "desc" : "asc";
        put(t,
            " order by u.d %s nulls %s, t.a nulls %s, t.b %s nulls %s, t.c nulls %s, u.a nulls "
            "%s, u.e desc nulls %s limit %d",
            dir, nulls, nulls, dir, nulls, nulls, nulls, nulls, 1 + pick(30));
        if (pick(2)) put(t, " offset %d", pick(10));
    } else {
        /* cross, comma and inequality joins of the small tables, and aggregates over t × w */
        g_scope = &SCOPE_UW;
        int form = pick(4);
        if (form == 0) {
            put(t, "select u.a, u.d, w.a, w.f from u cross join w where ");
            bool_expr(t, 1);
        } else if (form == 1) {
            put(t, "select u.a, u.e, w.f, ");
            int_expr(t, 1);
            put(t, " from u, w where u.d %s w.f", pick(2) ? "<" : "=");
            where_more(t, 1, &SCOPE_UW);
        } else if (form == 2) {
            put(t, "select count(*), sum(t.b * w.f), min(t.c), max(w.a) from t cross join w where ");
            bool_in(t, &SCOPE_WQ, 1);
        } else {
            put(t, "select u.a, w.a, u.d - w.f from u %s w on u.a %s w.a", join_kw(1),
                pick(2) ? "<" : "<>");
            where_more(t, 0, &SCOPE_UW);
        }
    }
}

/* ---- subqueries ---- */

/* [NOT] IN (SELECT …) or [NOT] EXISTS (…) as a predicate over t's row. */
static void subquery_pred(Text *t)
{
    switch (pick(8)) {
    case 0:
        put(t, "t.a %sin (select u.a from u", pick(2) ? "not " : "");
        if (pick(2)) {
            put(t, " where ");
            bool_in(t, &SCOPE_UQ, 1);
        }
        put(t, ")");
        break;
    case 1:
        put(t, "t.b %sin (select w.f from w%s)", pick(2) ? "not " : "",
            pick(2) ? " where w.f is not null" : "");
        break;
    case 2:
        put(t, "t.c %sin (select u.e from u where u.d %s %d)", pick(2) ? "not " : "",
            pick(2) ? "<" : ">", pick(11) - 5);
        break;
    case 3:
        put(t, "(t.a + %d) %sin (select ", pick(3) - 1, pick(2) ? "not " : "");
        int_in(t, &SCOPE_UQ, 1);
        put(t, " from u)");
        break;
    case 4:
        put(t, "%sexists (select * from u where u.a = t.a)", pick(2) ? "not " : "");
        break;
    case 5:
        put(t, "%sexists (select 1 from u where u.a = t.a and u.d %s t.b)", pick(2) ? "not " : "",
            pick(2) ? ">" : "<=");
        break;
    case 6:
        put(t, "%sexists (select * from w where w.a = t.a and ", pick(2) ? "not " : "");
        bool_in(t, &SCOPE_WQ, 0);
        put(t, ")");
        break;
    default:
        put(t, "%sexists (select * from w where ", pick(2) ? "not " : "");
        bool_in(t, &SCOPE_WQ, 1);
        put(t, ")");
        break;
    }
}

/* A scalar subquery that is provably one row: an aggregate without GROUP BY. */
static void scalar_subquery(Text *t)
{
    static const char *aggs[] = {"count(*)", "count(u.d)", "sum(u.d)", "min(u.d)", "max(u.d)"};
    switch (pick(4)) {
    case 0:
        put(t, "(select %s from u)", aggs[pick(5)]);
        break;
    case 1:
        put(t, "(select %s from w where w.f > %d)", pick(2) ? "max(w.a)" : "count(*)", pick(7) - 3);
        break;
    default:
        put(t, "(select %s from u where u.a = t.a", aggs[pick(5)]);
        if (pick(3) == 0) put(t, " and u.d > %d", pick(11) - 5);
        put(t, ")");
        break;
    }
}

static void query_subquery(Text *t, int kind)
{
    g_scope = &SCOPE_TQ;
    if (kind == 0) {
        /* IN / EXISTS in WHERE: alone, with a filter, under OR, under NOT */
        put(t, "select t.a, t.b, t.c from t where ");
        switch (pick(4)) {
        case 0:
            subquery_pred(t);
            break;
        case 1:
            bool_expr(t, 1);
            put(t, " and ");
            subquery_pred(t);
            break;
        case 2:
            put(t, "(");
            bool_expr(t, 1);
            put(t, " or ");
            subquery_pred(t);
            put(t, ")");
            break;
        default:
            put(t, "not (");
            subquery_pred(t);
            put(t, ")");
            break;
        }
    } else if (kind == 1) {
        /* a predicate as a value: true, false or NULL told apart without booleans */
        Text p = {.len = 0};
        subquery_pred(&p);
        put(t, "select t.a, t.b, case when %s then 1 when not (%s) then 0 else 2 end from t", p.buf,
            p.buf);
        if (pick(2)) {
            put(t, " where ");
            bool_expr(t, 1);
        }
    } else if (kind == 2) {
        /* scalar subqueries in the select list and in WHERE */
        put(t, "select t.a, t.b, ");
        scalar_subquery(t);
        if (pick(2)) {
            put(t, " + t.b");
        }
        put(t, " from t");
        if (pick(2)) {
            put(t, " where t.b %s ", pick(2) ? "<" : "=");
            scalar_subquery(t);
        }
    } else if (kind == 3) {
        /* subqueries and CTEs in FROM */
        switch (pick(4)) {
        case 0:
            put(t, "select g.a, g.n, g.s, u.d from (select a, count(*) as n, sum(b) as s from t");
            if (pick(2)) {
                put(t, " where ");
                bool_in(t, &SCOPE_T, 1);
            }
            put(t, " group by a) as g %s u on g.a = u.a", join_kw(1));
            break;
        case 1:
            put(t, "with g as (select a, max(f) as m from w group by a) select t.a, t.b, g.m from t "
                   "%s g on t.a = g.a where t.b > %d",
                join_kw(0), pick(11) - 5);
            break;
        case 2:
            put(t, "select x.k, count(*), sum(x.v), min(x.s) from (select t.a as k, u.d as v, t.c "
                   "as s from t %s u on t.a = u.a",
                join_kw(1));
            put(t, ") as x group by x.k");
            break;
        default:
            put(t, "with x as (select a, b from t where ");
            bool_in(t, &SCOPE_T, 1);
            put(t, "), y as (select a, d from u where d is not null) select x.a, x.b, y.d from x "
                   "%s y on x.a = y.a and x.b <> y.d",
                join_kw(1));
            break;
        }
    } else if (kind == 5) {
        /* subqueries inside subqueries, several in one query, subqueries over joins, in ON,
           and correlated with a grouped query's keys */
        switch (pick(10)) {
        case 0:
            put(t, "select t.a, t.b from t where t.a %sin (select u.a from u where %sexists (select * "
                   "from w where w.a = u.a and w.f %s u.d))",
                pick(2) ? "not " : "", pick(2) ? "not " : "", pick(2) ? ">" : "<=");
            break;
        case 1:
            put(t, "select t.b, count(*), sum(t.a) from t group by t.b having count(*) %s (select "
                   "count(*) from %s)",
                pick(2) ? ">" : "<=", pick(2) ? "w" : "u");
            break;
        case 2:
            put(t, "select t.a, u.d, (select count(*) from w where w.a = u.a), (select max(w.f) from "
                   "w where w.a = t.a) from t %s u on t.a = u.a",
                join_kw(1));
            break;
        case 3:
            put(t, "select t.a, u.d from t %s u on t.a = u.a where %sexists (select * from w where "
                   "w.a = t.a and w.f = u.d)",
                join_kw(0), pick(2) ? "not " : "");
            break;
        case 4:
            put(t, "select t.a, t.b, u.d from t %s u on t.a = u.a where u.d %s (select %s(w.f) from "
                   "w where w.a = t.a)",
                join_kw(0), pick(2) ? ">" : "<", pick(2) ? "min" : "max");
            break;
        case 5:
            put(t, "select t.b, count(*) from t where t.a %sin (select u.a from u) %s t.b %sin "
                   "(select w.f from w) group by t.b",
                pick(2) ? "not " : "", pick(2) ? "or" : "and", pick(2) ? "not " : "");
            break;
        case 6:
            put(t, "select u.a, (select max(t.b) from t where t.a = u.a) - (select min(t.b) from t "
                   "where t.a = u.a), (select count(*) from w where w.a = u.a) from u where (select "
                   "count(*) from t where t.a = u.a) > %d",
                pick(20));
            break;
        case 8:
            put(t, "select t.a, count(*), (select count(*) from u where u.a = t.a) from t group by "
                   "t.a");
            if (pick(2))
                put(t, " having (select %s from u where u.a = t.a) %s %d",
                    pick(2) ? "count(*)" : "sum(u.d)", pick(2) ? ">" : "<=", pick(5));
            break;
        case 9:
            /* inner: a filter; left: the subquery reads only the padded side (u) */
            put(t, "select t.a, t.b, u.d from t %s u on t.a = u.a and ", pick(2) ? "join" : "left join");
            if (pick(2))
                put(t, "u.d %sin (select w.f from w)", pick(2) ? "not " : "");
            else
                put(t, "(select %s from w) %s %d", pick(2) ? "max(w.f)" : "count(*)",
                    pick(2) ? ">" : "<", pick(11) - 3);
            break;
        default:
            put(t, "select t.a, t.b from t where t.b %s %d or %sexists (select * from u where u.a = "
                   "t.a and u.d %s t.b)",
                pick(2) ? ">" : "=", pick(11) - 5, pick(2) ? "not " : "", pick(2) ? "=" : "<");
            break;
        }
    } else {
        /* the outer query over u, correlated with t */
        put(t, "select u.a, u.d, (select count(*) from t where t.a = u.a), (select %s from t "
               "where t.a = u.a) from u",
            pick(2) ? "min(t.c)" : "sum(t.b)");
        if (pick(2)) put(t, " where exists (select * from t where t.a = u.a and t.b = u.d)");
    }
}

/* ---- correlated subqueries in general (decorrelated by dependent joins) ---- */

/* A comparison of an inner column with an outer one, for correlation other than `=`. */
static const char *corr_cmp(void)
{
    static const char *ops[] = {"<", "<=", ">", ">=", "<>", "="};
    return ops[pick(6)];
}

/*
 * A scalar subquery over u (or w) correlated with t's row in one of the general shapes:
 * an inequality, an OR, an expression over both rows, a derived table or a set operation
 * reading t, a nested subquery reading t, a LIMIT under a total order. Always one row:
 * an aggregate without GROUP BY, or a LIMIT 1 of one column ordered by that column (ties
 * hold the same value).
 */
static void corr_scalar(Text *t)
{
    static const char *aggs[] = {"count(*)", "count(u.d)", "sum(u.d)", "min(u.d)", "max(u.d)"};
    switch (pick(12)) {
    case 0:
    case 1:
        put(t, "(select %s from u where u.a %s t.a)", aggs[pick(5)], corr_cmp());
        break;
    case 2:
        put(t, "(select %s from u where u.a = t.a or u.d %s t.b)", aggs[pick(5)], corr_cmp());
        break;
    case 3:
        put(t, "(select %s from u where u.d + t.b %s %d and u.a %s %d)", aggs[pick(5)],
            corr_cmp(), pick(11) - 5, pick(2) ? "<" : ">", pick(11) - 5);
        break;
    case 4:
        put(t, "(select %s(s.x) from (select u.d - t.b as x from u where u.a %s t.a) as s)",
            pick(2) ? "max" : "sum", corr_cmp());
        break;
    case 5:
        put(t, "(select count(*) from (select u.a from u where u.d %s t.b %s select w.a from w "
               "where w.f %s t.a) as s)",
            corr_cmp(), pick(2) ? "union" : "union all", corr_cmp());
        break;
    case 6:
        put(t, "(select count(*) from u where u.a = t.a and %sexists (select * from w where w.a = "
               "u.d and w.f %s t.b))",
            pick(2) ? "not " : "", corr_cmp());
        break;
    case 7:
        put(t, "(select max(s.n) from (select count(*) as n from u where u.d %s t.b group by u.a) "
               "as s)",
            corr_cmp());
        break;
    case 8: {
        const char *dir = pick(2) ? "desc" : "asc";
        put(t, "(select u.d from u where u.a %s t.a order by u.d %s nulls %s limit 1%s)", corr_cmp(),
            dir, pick(2) ? "first" : "last", pick(3) == 0 ? " offset 1" : "");
        break;
    }
    case 9:
        put(t, "(select sum(s.d) from (select u.d from u where u.a %s t.a order by u.d %s nulls "
               "%s, u.e nulls first, u.a nulls first limit %d) as s)",
            corr_cmp(), pick(2) ? "desc" : "asc", pick(2) ? "first" : "last", 1 + pick(4));
        break;
    case 10:
        put(t, "(select count(*) from w where w.f %s (select min(u.d) from u where u.a = t.a))",
            corr_cmp());
        break;
    default:
        put(t, "(select %s from u where u.a = t.a and u.d %s (select max(w.f) from w where w.a "
               "%s t.b))",
            aggs[pick(5)], corr_cmp(), corr_cmp());
        break;
    }
}

/* A predicate over t's row with a subquery correlated in a general shape. */
static void corr_pred(Text *t)
{
    switch (pick(7)) {
    case 0:
        put(t, "t.a %sin (select u.a from u where u.d %s t.b)", pick(2) ? "not " : "", corr_cmp());
        break;
    case 1:
        put(t, "t.b %sin (select u.d from u where u.a = t.a or u.a is null)", pick(2) ? "not " : "");
        break;
    case 2:
        put(t, "%sexists (select * from u where u.a = t.a or u.d %s t.b)", pick(2) ? "not " : "",
            corr_cmp());
        break;
    case 3:
        put(t, "t.a %sin (select u.a from u where u.d %s t.b union select w.a from w where w.f %s "
               "t.b)",
            pick(2) ? "not " : "", corr_cmp(), corr_cmp());
        break;
    case 4:
        put(t, "%sexists (select * from u where u.a %s t.a and exists (select * from w where w.a = "
               "u.a and w.f %s t.b))",
            pick(2) ? "not " : "", corr_cmp(), corr_cmp());
        break;
    case 5:
        put(t, "t.b %sin (select u.d from u where u.a %s t.a order by u.d %s nulls last, u.e nulls "
               "last, u.a nulls last limit %d)",
            pick(2) ? "not " : "", corr_cmp(), pick(2) ? "asc" : "desc", 1 + pick(3));
        break;
    default:
        corr_scalar(t);
        put(t, " %s t.b", corr_cmp());
        break;
    }
}

static void query_correlated(Text *t)
{
    g_scope = &SCOPE_TQ;
    switch (pick(7)) {
    case 0:
        /* in the select list */
        put(t, "select t.a, t.b, ");
        corr_scalar(t);
        put(t, " from t");
        if (pick(2)) {
            put(t, " where ");
            bool_expr(t, 1);
        }
        break;
    case 1:
        /* in WHERE, alone or under OR / NOT */
        put(t, "select t.a, t.b, t.c from t where ");
        if (pick(2)) {
            corr_pred(t);
        } else {
            put(t, "(");
            bool_expr(t, 1);
            put(t, " %s ", pick(2) ? "or" : "and not");
            corr_pred(t);
            put(t, ")");
        }
        break;
    case 2: {
        /* a predicate as a value: true, false or NULL told apart */
        Text p = {.len = 0};
        corr_pred(&p);
        put(t, "select t.a, t.b, case when %s then 1 when not (%s) then 0 else 2 end from t", p.buf,
            p.buf);
        break;
    }
    case 3:
        /* in HAVING and the select list of a grouped query, reading its keys */
        put(t, "select t.b, count(*), (select count(*) from u where u.d %s t.b) from t group by "
               "t.b having (select %s from u where u.a %s t.b or u.d = t.b) %s %d",
            corr_cmp(), pick(2) ? "count(*)" : "coalesce(sum(u.d), 0)", corr_cmp(),
            pick(2) ? ">" : "<=", pick(8));
        break;
    case 4:
        /* the outer query over a join, correlated with both sides */
        put(t, "select t.a, w.f, (select count(*) from u where u.a %s t.a and u.d %s w.f) from t "
               "join w on t.a = w.a",
            corr_cmp(), corr_cmp());
        break;
    case 5:
        /* in an outer join's ON, reading the side it keeps (and the other) */
        if (pick(2)) {
            put(t, "select t.a, t.b, u.a, u.d from t left join u on u.a = t.a and ");
            if (pick(2))
                put(t, "u.d %s (select count(*) from w where w.a %s t.a%s)", corr_cmp(), corr_cmp(),
                    pick(2) ? " or w.f = u.d" : "");
            else
                put(t, "%sexists (select * from w where w.f = u.d and w.a %s t.b)",
                    pick(2) ? "not " : "", corr_cmp());
        } else {
            put(t, "select u.a, u.d, w.a, w.f from u right join w on %s and w.f %sin (select t.b "
                   "from t where t.a %s w.a%s)",
                pick(2) ? "u.a = w.a" : "u.d < w.f", pick(2) ? "not " : "", corr_cmp(),
                pick(2) ? " and t.b <> u.d" : "");
        }
        break;
    default:
        /* an expression over two subqueries */
        put(t, "select t.a, coalesce(");
        corr_scalar(t);
        put(t, ", 0) - coalesce(");
        corr_scalar(t);
        put(t, ", 0) from t where t.a between %d and %d", pick(11) - 10, pick(11));
        break;
    }
}

/* ---- set operations ---- */

/* One operand of a set operation over table 0 (t), 1 (u) or 2 (w); alias names column 1. */
static void set_operand(Text *t, int shape, int table, const char *alias)
{
    static const Scope *scopes[] = {&SCOPE_TQ, &SCOPE_UQ, &SCOPE_WQ};
    static const char *names[] = {"t", "u", "w"};
    static const char *ints[][2] = {{"t.a", "t.b"}, {"u.a", "u.d"}, {"w.a", "w.f"}};
    static const char *strs[] = {"t.c", "u.e", "'eel'"};
    put(t, "select %s%s", ints[table][shape == 1 ? 0 : pick(2)], alias);
    if (shape == 1)
        put(t, ", %s", ints[table][1]);
    else if (shape == 2)
        put(t, ", %s", strs[table]);
    put(t, " from %s", names[table]);
    if (pick(3)) {
        put(t, " where ");
        bool_in(t, scopes[table], 1);
    }
}

static void query_setop(Text *t)
{
    static const char *ops[] = {"union", "union all", "except", "intersect"};
    int shape = pick(3);
    int form = pick(5);
    if (form == 0) {
        /* under an aggregate, in FROM */
        put(t, "select count(*), count(s.x), sum(s.x), min(s.x) from (");
        set_operand(t, 0, pick(3), " as x");
        put(t, " %s ", ops[pick(4)]);
        set_operand(t, 0, pick(3), "");
        put(t, ") as s");
    } else if (form == 1) {
        /* a chain of three, of operators of equal precedence in both engines (no INTERSECT) */
        set_operand(t, shape, pick(3), "");
        put(t, " %s ", ops[pick(3)]);
        set_operand(t, shape, pick(3), "");
        put(t, " %s ", ops[pick(3)]);
        set_operand(t, shape, pick(3), "");
    } else {
        set_operand(t, shape, pick(3), "");
        put(t, " %s ", ops[pick(4)]);
        set_operand(t, shape, pick(3), "");
        if (form == 2) {
            const char *nulls = pick(2) ? "first" : "last";
            put(t, " order by 1 %s nulls %s", pick(2) ? "desc" : "asc", nulls);
            if (shape) put(t, ", 2 nulls %s", nulls);
            put(t, " limit %d", 1 + pick(15));
        }
    }
}

static void query(Text *t)
{
    int kind = pick(25);
    if (kind >= 22)
        query_correlated(t);
    else if (kind < 5)
        query_single(t, kind);
    else if (kind < 12)
        query_join(t, kind == 11 ? pick(5) : (kind - 5) % 5);
    else if (kind < 18)
        query_subquery(t, kind - 12);
    else
        query_setop(t);
}

static const char *maybe_null(char *buf, size_t size, int null_one_in, const char *fmt, int v)
{
    if (pick(null_one_in) == 0) return "null";
    snprintf(buf, size, fmt, v);
    return buf;
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
    fprintf(f, "create table u (a integer, d integer, e varchar);\ninsert into u values ");
    rows = 20 + pick(41);
    for (int r = 0; r < rows; r++) {
        char a[16], d[16], e[16];
        const char *av = maybe_null(a, sizeof a, 8, "%d", pick(25) - 12);
        const char *dv = maybe_null(d, sizeof d, 8, "%d", pick(21) - 10);
        const char *ev = "null";
        if (pick(8)) {
            snprintf(e, sizeof e, "'%s'", WORDS[pick(8)]);
            ev = e;
        }
        fprintf(f, "%s(%s, %s, %s)", r ? ", " : "", av, dv, ev);
    }
    fprintf(f, ";\ncreate table w (a integer, f integer);\ninsert into w values ");
    rows = 5 + pick(16);
    for (int r = 0; r < rows; r++) {
        char a[16], v[16];
        const char *av = maybe_null(a, sizeof a, 8, "%d", pick(13) - 6);
        const char *fv = maybe_null(v, sizeof v, 8, "%d", pick(11) - 5);
        fprintf(f, "%s(%s, %s)", r ? ", " : "", av, fv);
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
