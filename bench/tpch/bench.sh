#!/bin/bash
# bench.sh DATA_DIR [BASALT ...] — end-to-end figures on a TPC-H data directory (made by
# tpchgen and load.sh) for one or more basalt binaries, measured in the same run so that
# their figures compare (pass the binary of a commit before a change and the one after):
#
#   streaming  `select * from lineitem` to --format csv: when the first row is out, when
#              the last is, and the process's peak memory; `… limit 1000000` likewise
#   queries    TPC-H Q1 and Q6 (with `- 90` / `+ 365` for their intervals), a 1.5 M-group
#              aggregation, count(DISTINCT), a TopN and a sort cut by a limit: the best of
#              REPEATS runs of the engine's own execution time (--timing), at 1 and 2
#              threads, and the 2-thread speed-up
#
# Also prints what the machine itself gains from a second thread (bench_common_cpu): the
# ceiling for any speed-up measured here. Environment: REPEATS (default 3), THREADS
# (default "1 2"). Needs build/release/bench/firstrow (and bench_common_cpu).
set -u
if [ $# -lt 1 ]; then
    echo "usage: $0 DATA_DIR [BASALT ...]" >&2
    exit 2
fi
root=$(cd "$(dirname "$0")/../.." && pwd)
data=$1
shift
binaries=("$@")
[ ${#binaries[@]} -gt 0 ] || binaries=("$root/build/release/basalt")
firstrow=$root/build/release/bench/firstrow
cpu=$root/build/release/bench/bench_common_cpu
repeats=${REPEATS:-3}
threads=${THREADS:-"1 2"}

q1="select l_returnflag, l_linestatus, sum(l_quantity) as sum_qty, sum(l_extendedprice) as sum_base_price, sum(l_extendedprice * (1 - l_discount)) as sum_disc_price, sum(l_extendedprice * (1 - l_discount) * (1 + l_tax)) as sum_charge, avg(l_quantity) as avg_qty, avg(l_extendedprice) as avg_price, avg(l_discount) as avg_disc, count(*) as count_order from lineitem where l_shipdate <= date '1998-12-01' - 90 group by l_returnflag, l_linestatus order by l_returnflag, l_linestatus"
q6="select sum(l_extendedprice * l_discount) as revenue from lineitem where l_shipdate >= date '1994-01-01' and l_shipdate < date '1994-01-01' + 365 and l_discount between 0.06 - 0.01 and 0.06 + 0.01 and l_quantity < 24"
groups="select count(*), sum(s) from (select l_orderkey, sum(l_quantity) s from lineitem group by l_orderkey) x"
distinct="select count(distinct l_partkey) from lineitem"
topn="select l_orderkey, l_extendedprice from lineitem order by l_extendedprice desc limit 10"
sort="select count(*), max(k) from (select l_partkey k from lineitem order by l_partkey limit 1000000) s"
names=(q1 q6 groups_1.5M count_distinct topn sort_1M)
queries=("$q1" "$q6" "$groups" "$distinct" "$topn" "$sort")

# best_ms BASALT THREADS SQL: the best --timing figure of $repeats runs
best_ms() {
    local best=""
    for _ in $(seq "$repeats"); do
        local ms out
        out=$("$1" --data "$data" --threads "$2" --timing -c "$3" 2>&1 >/dev/null)
        ms=$(echo "$out" | awk '/^Time:/ {print $2}')
        if [ -z "$ms" ] || echo "$out" | grep -q '^ERROR'; then
            echo "$out" | grep -v '^Time:' | head -3 >&2
            echo "failed"
            return
        fi
        if [ -z "$best" ] || awk "BEGIN {exit !($ms < $best)}"; then best=$ms; fi
    done
    echo "$best"
}

[ -x "$cpu" ] && "$cpu" 2 "$repeats"
for b in "${binaries[@]}"; do
    echo "== $b"
    echo -n "select * from lineitem, csv:        "
    "$firstrow" 2 "$b" --data "$data" --threads 2 --format csv -c "select * from lineitem"
    echo -n "select * … limit 1000000, csv:      "
    timeout 60 "$firstrow" 2 "$b" --data "$data" --threads 2 --format csv \
        -c "select * from lineitem limit 1000000" || echo "(did not finish in 60 s)"
    printf "%-16s" "query"
    for t in $threads; do printf "%12s" "${t} thr ms"; done
    printf "%10s\n" "speed-up"
    for k in "${!names[@]}"; do
        printf "%-16s" "${names[$k]}"
        first=""
        last=""
        for t in $threads; do
            ms=$(best_ms "$b" "$t" "${queries[$k]}")
            printf "%12s" "$ms"
            [ -n "$first" ] || first=$ms
            last=$ms
        done
        if [ "$first" != "failed" ] && [ "$last" != "failed" ]; then
            awk "BEGIN {printf \"%9.2fx\n\", $first / $last}"
        else
            echo
        fi
    done
done
