#!/usr/bin/env python3
"""Generates aggregates.test: every aggregate over every frame kind, expected rows computed
here by brute force (each row's frame built from PostgreSQL's definitions, then the
aggregate over its rows), independently of the engine; the count/sum/avg/min/max/
group_concat columns of the small table are also checked against SQLite's window
functions (which have EXCLUDE and FILTER).

Run from this directory: python3 gen_aggregates.py > aggregates.test
"""
import math
import random
import sqlite3
from fractions import Fraction

random.seed(11)
rows = []  # (id, g, o, x, s, d)  d: DECIMAL(10,2) as an integer of hundredths
for i in range(40):
    g = "abcd"[i % 4] if i < 36 else "e"      # e: a partition of 4 rows
    o = None if i % 13 == 5 else random.randint(0, 6)  # ties and NULLs
    x = None if i % 7 == 3 else random.randint(-5, 9)
    s = None if i % 9 == 4 else "s%d" % random.randint(0, 5)
    d = None if i % 11 == 2 else random.randint(-500, 2000)
    rows.append((i, g, o, x, s, d))
rows.append((40, "f", 1, None, None, None))    # a partition without values

def fmt(v):
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        if v == int(v) and abs(v) < 1e15:
            return str(int(v))
        return repr(v)
    return str(v)

def round6(v):
    if v is None:
        return None
    f = float(v)
    r = math.floor(abs(f) * 1e6 + 0.5) / 1e6
    return math.copysign(r, f) if r != 0 else 0.0

def dec_str(hundredths):
    sign = "-" if hundredths < 0 else ""
    a = abs(hundredths)
    return "%s%d.%02d" % (sign, a // 100, a % 100)

def avg_dec(vals):
    # DECIMAL(10,2) average: scale 6, rounded half away from zero
    if not vals:
        return None
    q = Fraction(sum(vals), len(vals) * 100) * 10**6
    n = math.floor(abs(q) + Fraction(1, 2))
    n = -n if q < 0 else n
    sign = "-" if n < 0 else ""
    n = abs(n)
    return "%s%d.%06d" % (sign, n // 10**6, n % 10**6)

# ---- frames ----

def key_o(r):
    return (r[2] is None, r[2] if r[2] is not None else 0)

def frames(part, unit, start, end, exclude, unique):
    """part sorted; returns per position the list of positions in its frame."""
    n = len(part)
    keys = [(key_o(r), r[0]) if unique else key_o(r) for r in part]
    peer_lo, peer_hi, grp = [0] * n, [0] * n, [0] * n
    gstart = []
    for p in range(n):
        if p == 0 or keys[p] != keys[p - 1]:
            gstart.append(p)
        grp[p] = len(gstart) - 1
    gstart.append(n)
    for p in range(n):
        peer_lo[p], peer_hi[p] = gstart[grp[p]], gstart[grp[p] + 1]
    out = []
    for p in range(n):
        def bound(b, is_end):
            kind, off = b
            if kind == "up":
                return 0
            if kind == "uf":
                return n
            if kind == "cur":
                return p + 1 if (unit == "rows" and is_end) else (p if unit == "rows" else (peer_hi[p] if is_end else peer_lo[p]))
            sign = -1 if kind == "pre" else 1
            if unit == "rows":
                t = p + sign * off
                return max(0, min(n, t + 1 if is_end else t))
            if unit == "groups":
                gi = grp[p] + sign * off
                if is_end:
                    return 0 if gi < 0 else gstart[min(gi, len(gstart) - 2) + 1]
                return n if gi >= len(gstart) - 1 else gstart[max(gi, 0)]
            v = part[p][2]
            if v is None:
                return peer_hi[p] if is_end else peer_lo[p]
            t = v + sign * off
            nn = [q for q in range(n) if part[q][2] is not None]
            if is_end:
                ok = [q for q in nn if part[q][2] <= t]
                return ok[-1] + 1 if ok else 0
            ok = [q for q in nn if part[q][2] >= t]
            return ok[0] if ok else nn[-1] + 1
        lo, hi = bound(start, False), bound(end, True)
        members = list(range(lo, hi)) if lo < hi else []
        if exclude == "current row":
            members = [q for q in members if q != p]
        elif exclude == "group":
            members = [q for q in members if not (peer_lo[p] <= q < peer_hi[p])]
        elif exclude == "ties":
            members = [q for q in members if q == p or not (peer_lo[p] <= q < peer_hi[p])]
        out.append(members)
    return out

def quantile_cont(vals, f):
    if not vals:
        return None
    v = sorted(vals)
    pos = f * (len(v) - 1)
    lo, hi = math.floor(pos), math.ceil(pos)
    return float(v[lo] + (pos - lo) * (v[hi] - v[lo]))

def quantile_disc(vals, f):
    if not vals:
        return None
    v = sorted(vals)
    k = max(math.ceil(f * len(v)) - 1, 0)
    return v[min(k, len(v) - 1)]

def variance(vals, samp):
    n = len(vals)
    if n < (2 if samp else 1):
        return None
    m = Fraction(sum(vals), n)
    return sum((Fraction(x) - m) ** 2 for x in vals) / (n - 1 if samp else n)

# Each aggregate: (SQL, type letter, function of the frame's rows in window order)
def xs(rs):
    return [r[3] for r in rs if r[3] is not None]

AGGS = [
    ("count(x)", "I", lambda rs: len(xs(rs))),
    ("count(*)", "I", lambda rs: len(rs)),
    ("sum(x)", "I", lambda rs: sum(xs(rs)) if xs(rs) else None),
    ("round(avg(x) @, 6)", "R", lambda rs: round6(Fraction(sum(xs(rs)), len(xs(rs)))) if xs(rs) else None),
    ("min(x)", "I", lambda rs: min(xs(rs)) if xs(rs) else None),
    ("max(s)", "T", lambda rs: max([r[4] for r in rs if r[4] is not None], default=None)),
    ("round(var_samp(x) @, 6)", "R", lambda rs: round6(variance(xs(rs), True))),
    ("round(var_pop(x) @, 6)", "R", lambda rs: round6(variance(xs(rs), False))),
    ("round(stddev(x) @, 6)", "R", lambda rs: round6(math.sqrt(variance(xs(rs), True))) if variance(xs(rs), True) is not None else None),
    ("round(stddev_pop(x) @, 6)", "R", lambda rs: round6(math.sqrt(variance(xs(rs), False))) if variance(xs(rs), False) is not None else None),
    ("bool_and(x > 0)", "T", lambda rs: all(v > 0 for v in xs(rs)) if xs(rs) else None),
    ("bool_or(x > 6)", "T", lambda rs: any(v > 6 for v in xs(rs)) if xs(rs) else None),
    ("median(x)", "R", lambda rs: quantile_cont(xs(rs), 0.5)),
    ("quantile_cont(x, 0.25)", "R", lambda rs: quantile_cont(xs(rs), 0.25)),
    ("quantile_disc(x, 0.75)", "I", lambda rs: quantile_disc(xs(rs), 0.75)),
    ("approx_distinct(x)", "I", lambda rs: len(set(xs(rs)))),
    ("count(distinct x)", "I", lambda rs: len(set(xs(rs)))),
    ("sum(distinct x)", "I", lambda rs: sum(set(xs(rs))) if xs(rs) else None),
    ("round(avg(distinct x) @, 6)", "R", lambda rs: round6(Fraction(sum(set(xs(rs))), len(set(xs(rs))))) if xs(rs) else None),
    ("string_agg(distinct s, ',')", "T", lambda rs: ",".join(sorted(set(r[4] for r in rs if r[4] is not None))) or None),
    ("string_agg(s, '|' order by s desc)", "T", lambda rs: "|".join(sorted([r[4] for r in rs if r[4] is not None], reverse=True)) or None),
    ("sum(x) filter (where id % 2 = 0)", "I", lambda rs: sum(r[3] for r in rs if r[3] is not None and r[0] % 2 == 0) if any(r[3] is not None and r[0] % 2 == 0 for r in rs) else None),
    ("count(*) filter (where x > 2)", "I", lambda rs: sum(1 for r in rs if r[3] is not None and r[3] > 2)),
    ("sum(d)", "R", lambda rs: dec_str(sum(r[5] for r in rs if r[5] is not None)) if any(r[5] is not None for r in rs) else None),
    ("avg(d)", "R", lambda rs: avg_dec([r[5] for r in rs if r[5] is not None])),
    ("min(cast(x as hugeint) * 100000000000000000000)", "I", lambda rs: str(min(xs(rs)) * 10**20) if xs(rs) else None),
]
# in the window's order: only over frames whose order has no ties
ORDERED_AGGS = [
    ("string_agg(s, ',')", "T", lambda rs: ",".join(r[4] for r in rs if r[4] is not None) or None),
]

FRAMES = [
    # (name, window, unit, start, end, exclude, unique order)
    ("whole partition", "partition by g", "range", ("up", 0), ("uf", 0), None, False),
    ("running RANGE", "partition by g order by o", "range", ("up", 0), ("cur", 0), None, False),
    ("running ROWS", "partition by g order by o, id rows between unbounded preceding and current row", "rows", ("up", 0), ("cur", 0), None, True),
    ("sliding ROWS", "partition by g order by o, id rows between 2 preceding and 1 following", "rows", ("pre", 2), ("fol", 1), None, True),
    ("ROWS to the end", "partition by g order by o, id rows between 1 following and unbounded following", "rows", ("fol", 1), ("uf", 0), None, True),
    ("empty ROWS frames", "partition by g order by o, id rows between 2 following and 1 following", "rows", ("fol", 2), ("fol", 1), None, True),
    ("RANGE with offsets", "partition by g order by o range between 2 preceding and 1 following", "range", ("pre", 2), ("fol", 1), None, False),
    ("GROUPS", "partition by g order by o groups between 1 preceding and current row", "groups", ("pre", 1), ("cur", 0), None, False),
    ("EXCLUDE CURRENT ROW", "partition by g order by o, id rows between 2 preceding and 2 following exclude current row", "rows", ("pre", 2), ("fol", 2), "current row", True),
    ("EXCLUDE GROUP", "partition by g order by o range between 1 preceding and 1 following exclude group", "range", ("pre", 1), ("fol", 1), "group", False),
    ("EXCLUDE TIES", "partition by g order by o groups between 1 preceding and 1 following exclude ties", "groups", ("pre", 1), ("fol", 1), "ties", False),
    ("whole partition EXCLUDE CURRENT ROW", "partition by g order by o rows between unbounded preceding and unbounded following exclude current row", "rows", ("up", 0), ("uf", 0), "current row", False),
]

def results(window_unique, unit, start, end, exclude, aggs):
    by_g = {}
    for r in rows:
        by_g.setdefault(r[1], []).append(r)
    res = {}
    for g, part in by_g.items():
        part.sort(key=lambda r: (key_o(r), r[0]) if window_unique else key_o(r))
        # rows with tied keys: the frame (and so results) do not depend on their order
        # except for EXCLUDE CURRENT ROW/TIES, which name the row itself
        fr = frames(part, unit, start, end, exclude, window_unique)
        for p, r in enumerate(part):
            rs = [part[q] for q in fr[p]]
            res[r[0]] = [f(rs) for (_, _, f) in aggs]
    return res

out = []
out.append("# Every aggregate over every frame kind (whole partition, running, sliding ROWS,")
out.append("# RANGE with offsets, GROUPS, EXCLUDE), with NULLs, ties, empty frames, a partition")
out.append("# without values, DISTINCT, FILTER and ORDER BY inside the call. Generated by")
out.append("# gen_aggregates.py (expected values computed there by brute force).")
out.append("")
out.append("statement ok")
out.append("create table w (id integer, g varchar, o integer, x integer, s varchar, d decimal(10,2))")
out.append("")
vals = []
for (i, g, o, x, s, d) in rows:
    f = lambda v: "NULL" if v is None else str(v)
    vals.append("(%d, '%s', %s, %s, %s, %s)" % (i, g, f(o), f(x), "NULL" if s is None else "'%s'" % s,
                                              "NULL" if d is None else dec_str(d)))
out.append("statement ok")
out.append("insert into w values " + ", ".join(vals))
out.append("")

db = sqlite3.connect(":memory:")
db.execute("create table w (id integer, g text, o integer, x integer, s text, d integer)")
db.executemany("insert into w values (?,?,?,?,?,?)", rows)

for (name, window, unit, start, end, exclude, unique) in FRAMES:
    aggs = AGGS + (ORDERED_AGGS if unique else [])
    res = results(unique, unit, start, end, exclude, aggs)
    # SQLite cross-check of the aggregates it has (NULLs sort first there: spell it out)
    sw = window.replace("order by o", "order by o nulls last")
    lite = db.execute("select id, count(x) over w, count(*) over w, sum(x) over w, min(x) over w, "
                      "sum(x) filter (where id %% 2 = 0) over w from w window w as (%s) order by id"
                      % sw).fetchall()
    for (i, c, cs, sm, mn, sf) in lite:
        mine = res[i]
        assert (mine[0], mine[1], mine[2], mine[4], mine[21]) == (c, cs, sm, mn, sf), (name, i, mine, (c, cs, sm, mn, sf))
    # in chunks of columns, so each query stays readable
    for c0 in range(0, len(aggs), 7):
        chunk = aggs[c0:c0 + 7]
        out.append("# %s" % name)
        out.append("query I%s nosort" % "".join(t for (_, t, _) in chunk))
        out.append("select id, %s from w window w as (%s) order by id" %
                   (", ".join(sql.replace("@", "over w") if "@" in sql else sql + " over w"
                              for (sql, _, _) in chunk), window))
        out.append("----")
        for i in sorted(res):
            out.append("\t".join([str(i)] + [fmt(v) for v in res[i][c0:c0 + 7]]))
        out.append("")

# ---- a partition over many vectors ----
N = 50000
out.append("# one partition of 50,000 rows: sliding, running and whole-partition frames")
xsb = [i % 1000 for i in range(N)]
def sliding(fn, before, after):
    return [fn(xsb[max(0, i - before):min(N, i + after + 1)]) for i in range(N)]
med = sliding(lambda v: quantile_cont(v, 0.5), 50, 50)
out.append("query RI")
out.append("select sum(m), count(*) from (select median(x % 1000) over (order by x rows between 50 preceding and 50 following) m from range(0, 50000) t(x))")
out.append("----")
out.append("%s\t%d" % (fmt(sum(med)), N))
out.append("")
cd = sliding(lambda v: len(set(y % 100 for y in v)), 500, 0)
out.append("query I")
out.append("select sum(c) from (select count(distinct x % 100) over (order by x rows between 500 preceding and current row) c from range(0, 50000) t(x))")
out.append("----")
out.append(str(sum(cd)))
out.append("")
sd = sliding(lambda v: round6(math.sqrt(variance(v, True))) if len(v) > 1 else None, 100, 100)
out.append("query I")
out.append("select sum(cast(round(s * 1000000) as bigint)) from (select round(stddev(x % 1000) over (order by x rows between 100 preceding and 100 following), 6) s from range(0, 50000) t(x))")
out.append("----")
out.append(str(sum(int(round(v * 1e6)) for v in sd if v is not None)))
out.append("")
run_var = []
n = 0
sm = 0
sq = 0
tot = 0
for i in range(N):
    v = xsb[i]
    n += 1
    sm += v
    sq += v * v
    if n > 1:
        var = Fraction(sq * n - sm * sm, n * (n - 1))
        tot += int(math.floor(float(var) + 0.5))
out.append("query I")
out.append("select sum(cast(round(v) as bigint)) from (select var_samp(x % 1000) over (order by x) v from range(0, 50000) t(x))")
out.append("----")
out.append(str(tot))
out.append("")
lens = sliding(lambda v: sum(len(str(y)) for y in v) + len(v) - 1, 3, 0)
out.append("query I")
out.append("select sum(length(s)) from (select string_agg(cast(x % 1000 as varchar), ',') over (order by x rows between 3 preceding and current row) s from range(0, 50000) t(x))")
out.append("----")
out.append(str(sum(lens)))
out.append("")
print("\n".join(out))
