#!/bin/bash
# run_queries.sh QUERY_DIR DATA_DIR [BASALT] — runs every QUERY_DIR/*.sql (one statement
# each, in natural order: q1.1 < q1.2 < q2.1, q01 < q02) against the Basalt data
# directory DATA_DIR and prints per query its row count, the engine's own execution time
# (`basalt --timing`, the best of REPEATS runs) and a checksum of its result, then the
# total time of the queries that ran. bench/tpch/run.sh and bench/ssb/run.sh call it.
#
# The checksum is the first 16 hex digits of the MD5 of the result as CSV, header
# included, with numbers rounded to 12 significant digits (a DOUBLE summed in another
# order changes in its last digits) and the rows sorted (ties of the ORDER BY may come in
# any order); two runs, builds or thread counts that agree print the same checksum.
#
# Environment: REPEATS (default 1), THREADS (passed as --threads; default the engine's),
# MEMORY (passed as --memory, e.g. 4GB), CONNECT (HOST:PORT: run on that coordinator with
# --connect instead of embedded over DATA_DIR; THREADS and MEMORY are then the cluster's),
# QUERIES (comma-separated names, e.g. q01,q06; default all). A query that fails prints
# ERROR and its message; the script then exits 1 after the others ran.
set -u
if [ $# -lt 2 ] || [ $# -gt 3 ]; then
    echo "usage: $0 QUERY_DIR DATA_DIR [BASALT]" >&2
    exit 2
fi
root=$(cd "$(dirname "$0")/.." && pwd)
qdir=$1
data=$2
basalt=${3:-$root/build/release/basalt}
repeats=${REPEATS:-1}
[ -x "$basalt" ] || { echo "$0: $basalt is not an executable (build it, or pass BASALT)" >&2; exit 2; }
[ -d "$data" ] || { echo "$0: no data directory $data (load.sh makes it)" >&2; exit 2; }
[ -d "$qdir" ] || { echo "$0: no query directory $qdir" >&2; exit 2; }

if [ -n "${CONNECT:-}" ]; then
    args=(--connect "$CONNECT" --format csv --timing)
else
    args=(--data "$data" --format csv --timing)
    [ -n "${THREADS:-}" ] && args+=(--threads "$THREADS")
    [ -n "${MEMORY:-}" ] && args+=(--memory "$MEMORY")
fi

out=$(mktemp /tmp/basalt-run.XXXXXX)
err=$(mktemp /tmp/basalt-run.XXXXXX)
trap 'rm -f "$out" "$err"' EXIT

# checksum FILE: see the header comment
checksum() {
    awk -F, 'BEGIN { OFS = "," }
        NR == 1 { print; next }
        { for (i = 1; i <= NF; i++)
              if ($i ~ /^-?[0-9]+\.[0-9]+([eE][-+]?[0-9]+)?$/ || $i ~ /^-?[0-9]+[eE][-+]?[0-9]+$/)
                  $i = sprintf("%.12g", $i + 0)
          print | "LC_ALL=C sort" }' "$1" | md5sum | cut -c1-16
}

printf '%-8s %8s %12s  %s\n' query rows ms checksum
failures=0
ran=0
total=0
for file in $(ls "$qdir"/*.sql | sort -V); do
    name=$(basename "$file" .sql)
    if [ -n "${QUERIES:-}" ] && ! printf ',%s,' "$QUERIES" | grep -q ",$name,"; then
        continue
    fi
    best=""
    failed=""
    for _ in $(seq "$repeats"); do
        "$basalt" "${args[@]}" -f "$file" >"$out" 2>"$err"
        status=$?
        ms=$(awk '/^Time:/ { t = $2 } END { print t }' "$err")
        if [ $status -ne 0 ] || grep -q '^ERROR' "$err"; then
            failed=$(grep -m1 '^ERROR' "$err" || grep -v '^Time:' "$err" | head -1)
            [ -n "$failed" ] || failed="exit status $status"
            break
        fi
        if [ -z "$best" ] || awk "BEGIN { exit !($ms < $best) }"; then best=$ms; fi
    done
    if [ -n "$failed" ]; then
        printf '%-8s %8s %12s  %s\n' "$name" ERROR "" "$failed"
        failures=$((failures + 1))
        continue
    fi
    rows=$(($(wc -l <"$out") - 1))
    printf '%-8s %8d %12.1f  %s\n' "$name" "$rows" "$best" "$(checksum "$out")"
    ran=$((ran + 1))
    total=$(awk -v a="$total" -v b="$best" 'BEGIN { print a + b }')
done
printf 'total    %8s %12.1f  (%d queries ran, %d failed; best of %d)\n' "" "$total" "$ran" "$failures" "$repeats"
[ "$failures" -eq 0 ]
