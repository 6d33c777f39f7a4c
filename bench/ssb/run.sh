#!/bin/sh
# run.sh DATA_DIR [BASALT] — runs the 13 Star Schema Benchmark queries (queries/q1.1.sql …
# q4.3.sql) against a Basalt data directory made by ssbgen and load.sh, and prints per
# query its row count, execution time (`basalt --timing`, best of REPEATS) and a checksum
# of its result (bench/run_queries.sh says how it is made), then the total. Environment:
# REPEATS, THREADS, QUERIES (e.g. QUERIES=q1.1,q2.1). Exits 1 if a query failed.
here=$(cd "$(dirname "$0")" && pwd)
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: $0 DATA_DIR [BASALT]" >&2
    exit 2
fi
exec "$here/../run_queries.sh" "$here/queries" "$@"
