#!/bin/sh
# load.sh DATA_DIR TBL_DIR [BASALT] — creates the 5 Star Schema Benchmark tables of
# schema.sql in the Basalt data directory DATA_DIR (replacing tables of the same names)
# and loads TBL_DIR/<file>.tbl into them with COPY (dbgen's format, as ssbgen writes it:
# '|'-separated, a trailing '|', no header; the date dimension's file is date.tbl, its
# table dwdate). BASALT is the basalt binary, by default build/release/basalt of this
# checkout. Prints each statement's result and time, then the total.
set -eu

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
    echo "usage: $0 DATA_DIR TBL_DIR [BASALT]" >&2
    exit 2
fi
data_dir=$1
tbl_dir=$(cd "$2" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
basalt=${3:-$root/build/release/basalt}

[ -x "$basalt" ] || { echo "$0: $basalt is not an executable (build it, or pass BASALT)" >&2; exit 2; }
# table:file pairs
pairs="part:part supplier:supplier customer:customer dwdate:date lineorder:lineorder"
for pair in $pairs; do
    [ -f "$tbl_dir/${pair#*:}.tbl" ] || { echo "$0: missing $tbl_dir/${pair#*:}.tbl" >&2; exit 2; }
done

script=$(mktemp /tmp/ssb-load.XXXXXX)
trap 'rm -f "$script"' EXIT

echo "DROP TABLE IF EXISTS lineorder, part, supplier, customer, dwdate;" >"$script"
cat "$here/schema.sql" >>"$script"
# A path inside a SQL string literal: double its single quotes.
sql_dir=$(printf '%s' "$tbl_dir" | sed "s/'/''/g")
for pair in $pairs; do
    printf "COPY %s FROM '%s/%s.tbl' WITH (FORMAT csv, DELIMITER '|', HEADER false);\n" \
        "${pair%%:*}" "$sql_dir" "${pair#*:}" >>"$script"
done

start=$(date +%s.%N)
"$basalt" --data "$data_dir" --bail --timing -f "$script" 2>&1
end=$(date +%s.%N)
awk -v s="$start" -v e="$end" 'BEGIN { printf "loaded in %.1f s\n", e - s }'
