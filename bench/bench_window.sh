#!/usr/bin/env bash
# bench_window.sh — rows/s of window functions: row_number() and a running sum over
# 10M rows partitioned by 1000 keys, at 1 and 2 threads (the Window operator's sort and
# evaluation; results folded by sum() so that output costs nothing).
#   bench/bench_window.sh [path/to/basalt] [rows]
set -euo pipefail
BASALT=${1:-build/release/basalt}
ROWS=${2:-10000000}
DIR=$(mktemp -d /tmp/bench_window.XXXXXX)
trap 'rm -rf "$DIR"' EXIT
"$BASALT" --data "$DIR" -c "create table t as select i % 1000 as p, i as o, i % 97 as v from range(0, $ROWS) r(i)" >/dev/null
run() { # threads label sql
    local best=""
    for _ in 1 2 3; do
        local t0 t1
        t0=$(date +%s%N)
        "$BASALT" --data "$DIR" --threads "$1" -c "$3" >/dev/null
        t1=$(date +%s%N)
        local ms=$(((t1 - t0) / 1000000))
        if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
    done
    awk -v n="$ROWS" -v ms="$best" -v l="$2" -v th="$1" \
        'BEGIN { printf "%-12s threads=%d  %6d ms  %6.2f M rows/s\n", l, th, ms, n / ms / 1000 }'
}
for threads in 1 2; do
    run "$threads" row_number "select sum(x) from (select row_number() over (partition by p order by o) as x from t) s"
    run "$threads" running_sum "select sum(x) from (select sum(v) over (partition by p order by o) as x from t) s"
done
