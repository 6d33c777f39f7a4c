#!/usr/bin/env bash
# bench_window.sh — rows/s of window functions over ROWS rows (default 10M) in 1000
# partitions by p: row_number() and a running sum (the Window operator's sort and
# evaluation), then aggregates over sliding frames of 201 rows (sum, avg, stddev, median),
# a running count(DISTINCT) and a whole-partition median, at 1 and 2 threads. Results are
# folded by sum() so that output costs nothing. With a second binary OLD, every query runs
# on both, alternating, best of 3 each (the machine is shared: compare within one run).
#   bench/bench_window.sh [path/to/basalt] [rows] [path/to/old/basalt]
set -euo pipefail
BASALT=${1:-build/release/basalt}
ROWS=${2:-10000000}
OLD=${3:-}
DIR=$(mktemp -d /tmp/bench_window.XXXXXX)
trap 'rm -rf "$DIR"' EXIT
"$BASALT" --data "$DIR" -c "create table t as select i % 1000 as p, i as o, i % 97 as v from range(0, $ROWS) r(i)" >/dev/null
once() { # binary threads sql → ms
    local t0 t1
    t0=$(date +%s%N)
    "$1" --data "$DIR" --threads "$2" -c "$3" >/dev/null
    t1=$(date +%s%N)
    echo $(((t1 - t0) / 1000000))
}
run() { # threads label sql
    local best="" best_old=""
    for _ in 1 2 3; do
        local ms
        ms=$(once "$BASALT" "$1" "$3")
        if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
        if [ -n "$OLD" ]; then
            ms=$(once "$OLD" "$1" "$3")
            if [ -z "$best_old" ] || [ "$ms" -lt "$best_old" ]; then best_old=$ms; fi
        fi
    done
    awk -v n="$ROWS" -v ms="$best" -v l="$2" -v th="$1" \
        'BEGIN { printf "%-16s threads=%d  %6d ms  %6.2f M rows/s", l, th, ms, n / ms / 1000 }'
    if [ -n "$OLD" ]; then
        awk -v n="$ROWS" -v ms="$best_old" \
            'BEGIN { printf "   old: %6d ms  %6.2f M rows/s", ms, n / ms / 1000 }'
    fi
    echo
}
W="partition by p order by o"
S="$W rows between 100 preceding and 100 following"
for threads in 1 2; do
    run "$threads" row_number "select sum(x) from (select row_number() over ($W) as x from t) s"
    run "$threads" running_sum "select sum(x) from (select sum(v) over ($W) as x from t) s"
    if [ -z "$OLD" ]; then # the old binary may not have these
        run "$threads" sliding_sum "select sum(x) from (select sum(v) over ($S) as x from t) s"
        run "$threads" sliding_avg "select sum(x) from (select avg(v) over ($S) as x from t) s"
        run "$threads" sliding_stddev "select sum(x) from (select stddev(v) over ($S) as x from t) s"
        run "$threads" sliding_median "select sum(x) from (select median(v) over ($S) as x from t) s"
        run "$threads" running_distinct "select sum(x) from (select count(distinct v) over ($W) as x from t) s"
        run "$threads" whole_median "select sum(x) from (select median(v) over (partition by p) as x from t) s"
    fi
done
