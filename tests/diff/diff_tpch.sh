#!/usr/bin/env bash
# Differential test of the 22 TPC-H queries against DuckDB (diff_bench.mjs), as ctest runs
# it: TPC-H at SF 0.01 from the project's tpchgen, loaded into Basalt (bench/tpch/load.sh)
# and into DuckDB (the npm package @duckdb/node-api, which ./dev/setup installs into
# tests/diff/node_modules), every query run in both and every row compared.
#
#   diff_tpch.sh BASALT TPCHGEN WORK_DIR [diff_bench.mjs options...]
#   diff_tpch.sh --selftest BASALT TPCHGEN WORK_DIR    the harness's own checks
#
# WORK_DIR is emptied first; it keeps the generated data, Basalt's data directory and the
# SQL that ran when a query fails.
set -u
here=$(cd "$(dirname "$0")" && pwd)
script=diff_bench.mjs
if [ "${1:-}" = "--selftest" ]; then
    script=diff_bench_selftest.mjs
    shift
fi
if [ $# -lt 3 ]; then
    echo "usage: $0 [--selftest] BASALT TPCHGEN WORK_DIR [options...]" >&2
    exit 2
fi
basalt=$1 gen=$2 work=$3
shift 3
if ! command -v node >/dev/null 2>&1; then
    echo "$0: node is missing (./dev/setup installs Node.js)" >&2
    exit 2
fi
if [ ! -f "$here/node_modules/@duckdb/node-api/package.json" ]; then
    echo "$0: @duckdb/node-api is not installed in $here/node_modules (run ./dev/setup)" >&2
    exit 2
fi
exec node "$here/$script" --basalt "$basalt" --gen "$gen" --work "$work" "$@"
