#!/bin/sh
# load.sh DATA_DIR TBL_DIR [BASALT] — creates the 8 TPC-H tables in the Basalt data
# directory DATA_DIR (replacing tables of the same names) and loads TBL_DIR/<table>.tbl
# into them with COPY (dbgen's format, as tpchgen writes it: '|'-separated, a trailing
# '|', no header). BASALT is the basalt binary, by default build/release/basalt of this
# checkout. Prints each statement's result and time, then the total.
#
# Types: INTEGER keys and counts, DECIMAL(15,2) for money and quantities, DATE, and
# VARCHAR for the specification's CHAR(n) and VARCHAR(n) columns (Basalt has no CHAR).
set -eu

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
    echo "usage: $0 DATA_DIR TBL_DIR [BASALT]" >&2
    exit 2
fi
data_dir=$1
tbl_dir=$(cd "$2" && pwd)
root=$(cd "$(dirname "$0")/../.." && pwd)
basalt=${3:-$root/build/release/basalt}

[ -x "$basalt" ] || { echo "$0: $basalt is not an executable (build it, or pass BASALT)" >&2; exit 2; }
tables="region nation supplier customer part partsupp orders lineitem"
for t in $tables; do
    [ -f "$tbl_dir/$t.tbl" ] || { echo "$0: missing $tbl_dir/$t.tbl" >&2; exit 2; }
done

script=$(mktemp /tmp/tpch-load.XXXXXX)
trap 'rm -f "$script"' EXIT

cat >"$script" <<'EOF'
DROP TABLE IF EXISTS region, nation, supplier, customer, part, partsupp, orders, lineitem;
CREATE TABLE region (
    r_regionkey   INTEGER NOT NULL,
    r_name        VARCHAR NOT NULL,
    r_comment     VARCHAR);
CREATE TABLE nation (
    n_nationkey   INTEGER NOT NULL,
    n_name        VARCHAR NOT NULL,
    n_regionkey   INTEGER NOT NULL,
    n_comment     VARCHAR);
CREATE TABLE supplier (
    s_suppkey     INTEGER NOT NULL,
    s_name        VARCHAR NOT NULL,
    s_address     VARCHAR NOT NULL,
    s_nationkey   INTEGER NOT NULL,
    s_phone       VARCHAR NOT NULL,
    s_acctbal     DECIMAL(15,2) NOT NULL,
    s_comment     VARCHAR NOT NULL);
CREATE TABLE customer (
    c_custkey     INTEGER NOT NULL,
    c_name        VARCHAR NOT NULL,
    c_address     VARCHAR NOT NULL,
    c_nationkey   INTEGER NOT NULL,
    c_phone       VARCHAR NOT NULL,
    c_acctbal     DECIMAL(15,2) NOT NULL,
    c_mktsegment  VARCHAR NOT NULL,
    c_comment     VARCHAR NOT NULL);
CREATE TABLE part (
    p_partkey     INTEGER NOT NULL,
    p_name        VARCHAR NOT NULL,
    p_mfgr        VARCHAR NOT NULL,
    p_brand       VARCHAR NOT NULL,
    p_type        VARCHAR NOT NULL,
    p_size        INTEGER NOT NULL,
    p_container   VARCHAR NOT NULL,
    p_retailprice DECIMAL(15,2) NOT NULL,
    p_comment     VARCHAR NOT NULL);
CREATE TABLE partsupp (
    ps_partkey    INTEGER NOT NULL,
    ps_suppkey    INTEGER NOT NULL,
    ps_availqty   INTEGER NOT NULL,
    ps_supplycost DECIMAL(15,2) NOT NULL,
    ps_comment    VARCHAR NOT NULL);
CREATE TABLE orders (
    o_orderkey      INTEGER NOT NULL,
    o_custkey       INTEGER NOT NULL,
    o_orderstatus   VARCHAR NOT NULL,
    o_totalprice    DECIMAL(15,2) NOT NULL,
    o_orderdate     DATE NOT NULL,
    o_orderpriority VARCHAR NOT NULL,
    o_clerk         VARCHAR NOT NULL,
    o_shippriority  INTEGER NOT NULL,
    o_comment       VARCHAR NOT NULL);
CREATE TABLE lineitem (
    l_orderkey      INTEGER NOT NULL,
    l_partkey       INTEGER NOT NULL,
    l_suppkey       INTEGER NOT NULL,
    l_linenumber    INTEGER NOT NULL,
    l_quantity      DECIMAL(15,2) NOT NULL,
    l_extendedprice DECIMAL(15,2) NOT NULL,
    l_discount      DECIMAL(15,2) NOT NULL,
    l_tax           DECIMAL(15,2) NOT NULL,
    l_returnflag    VARCHAR NOT NULL,
    l_linestatus    VARCHAR NOT NULL,
    l_shipdate      DATE NOT NULL,
    l_commitdate    DATE NOT NULL,
    l_receiptdate   DATE NOT NULL,
    l_shipinstruct  VARCHAR NOT NULL,
    l_shipmode      VARCHAR NOT NULL,
    l_comment       VARCHAR NOT NULL);
EOF

# A path inside a SQL string literal: double its single quotes.
sql_dir=$(printf '%s' "$tbl_dir" | sed "s/'/''/g")
for t in $tables; do
    printf "COPY %s FROM '%s/%s.tbl' WITH (FORMAT csv, DELIMITER '|', HEADER false);\n" \
        "$t" "$sql_dir" "$t" >>"$script"
done

start=$(date +%s.%N)
"$basalt" --data "$data_dir" --bail --timing -f "$script" 2>&1
end=$(date +%s.%N)
awk -v s="$start" -v e="$end" 'BEGIN { printf "loaded in %.1f s\n", e - s }'
