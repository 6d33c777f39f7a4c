#!/bin/bash
# cluster.sh DATA_DIR [BASALT] — TPC-H on `basalt cluster --workers 2 --threads 1` against
# embedded Basalt with --threads 2 over the same data directory (load.sh makes it): per
# query the best of REPEATS (default 3) execution times of each and their ratio, then the
# geometric mean of the ratios (the issue's target: within 1.15). Both runs' checksums
# must agree (same rows). Environment: REPEATS, MEMORY (each side's --memory; default 4GB),
# QUERIES (as run_queries.sh).
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
data=${1:?usage: cluster.sh DATA_DIR [BASALT]}
basalt=${2:-$root/build/release/basalt}
export REPEATS=${REPEATS:-3}
memory=${MEMORY:-4GB}
emb=$(mktemp /tmp/basalt-cl.XXXXXX)
clu=$(mktemp /tmp/basalt-cl.XXXXXX)
log=$(mktemp /tmp/basalt-cl.XXXXXX)
cluster=
trap '[ -n "$cluster" ] && kill $cluster 2>/dev/null; rm -f "$emb" "$clu" "$log"' EXIT

THREADS=2 MEMORY=$memory "$root/bench/run_queries.sh" "$root/bench/tpch/queries" "$data" "$basalt" >"$emb"
"$basalt" cluster --data "$data" --workers 2 --threads 1 --memory "$memory" --port 0 >"$log" 2>&1 &
cluster=$!
for _ in $(seq 1 100); do
    grep -q "2 of 2 workers registered" "$log" && break
    sleep 0.1
done
port=$(sed -n 's/.*coordinator listening on 127\.0\.0\.1:\([0-9]*\) .*/\1/p' "$log")
[ -n "$port" ] || { echo "cluster.sh: the cluster did not start: $(cat "$log")" >&2; exit 1; }
CONNECT=127.0.0.1:$port "$root/bench/run_queries.sh" "$root/bench/tpch/queries" "$data" "$basalt" >"$clu"
kill $cluster
wait $cluster 2>/dev/null
cluster=

printf '%-8s %12s %12s %7s\n' query embedded_ms cluster_ms ratio
join <(awk 'NR > 1 && $1 ~ /^q/ { print $1, $3, $4 }' "$emb" | sort) \
     <(awk 'NR > 1 && $1 ~ /^q/ { print $1, $3, $4 }' "$clu" | sort) |
awk '{ r = $4 / $2; s += log(r); n++
       printf "%-8s %12.1f %12.1f %7.2f%s\n", $1, $2, $4, r, ($3 == $5 ? "" : "  ROWS DIFFER")
       if ($3 != $5) bad++ }
     END { if (n) printf "geomean ratio (cluster / embedded): %.3f over %d queries\n", exp(s / n), n
           exit bad > 0 }'
