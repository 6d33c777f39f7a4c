#!/bin/sh
# check-gen.sh TBL_DIR SF — checks tpchgen's output against the rules of TPC-H clause 4.2:
# cardinalities, key uniqueness, referential integrity, value ranges, the date rules and
# flags, and the prices computed from other columns. Loads the .tbl files into a
# throw-away SQLite database (sqlite3 does the joins Basalt cannot do yet) and prints one
# line per check with the number of rows that break it; exits 1 if any check fails.
# SF 1 takes about a minute.
set -eu

if [ $# -ne 2 ]; then
    echo "usage: $0 TBL_DIR SF" >&2
    exit 2
fi
tbl_dir=$1
sf=$2
command -v sqlite3 >/dev/null || { echo "$0: sqlite3 not found" >&2; exit 2; }
for t in region nation supplier customer part partsupp orders lineitem; do
    [ -f "$tbl_dir/$t.tbl" ] || { echo "$0: missing $tbl_dir/$t.tbl" >&2; exit 2; }
done

db=$(mktemp /tmp/tpch-check.XXXXXX)
trap 'rm -f "$db" "$db.failed"' EXIT

# Each table has one extra column, end_, for the empty field after dbgen's trailing '|'.
sqlite3 "$db" <<EOF
.bail on
CREATE TABLE region (r_regionkey INTEGER, r_name TEXT, r_comment TEXT, end_ TEXT);
CREATE TABLE nation (n_nationkey INTEGER, n_name TEXT, n_regionkey INTEGER, n_comment TEXT,
                     end_ TEXT);
CREATE TABLE supplier (s_suppkey INTEGER, s_name TEXT, s_address TEXT, s_nationkey INTEGER,
                       s_phone TEXT, s_acctbal REAL, s_comment TEXT, end_ TEXT);
CREATE TABLE customer (c_custkey INTEGER, c_name TEXT, c_address TEXT, c_nationkey INTEGER,
                       c_phone TEXT, c_acctbal REAL, c_mktsegment TEXT, c_comment TEXT,
                       end_ TEXT);
CREATE TABLE part (p_partkey INTEGER, p_name TEXT, p_mfgr TEXT, p_brand TEXT, p_type TEXT,
                   p_size INTEGER, p_container TEXT, p_retailprice REAL, p_comment TEXT,
                   end_ TEXT);
CREATE TABLE partsupp (ps_partkey INTEGER, ps_suppkey INTEGER, ps_availqty INTEGER,
                       ps_supplycost REAL, ps_comment TEXT, end_ TEXT);
CREATE TABLE orders (o_orderkey INTEGER, o_custkey INTEGER, o_orderstatus TEXT,
                     o_totalprice REAL, o_orderdate TEXT, o_orderpriority TEXT, o_clerk TEXT,
                     o_shippriority INTEGER, o_comment TEXT, end_ TEXT);
CREATE TABLE lineitem (l_orderkey INTEGER, l_partkey INTEGER, l_suppkey INTEGER,
                       l_linenumber INTEGER, l_quantity REAL, l_extendedprice REAL,
                       l_discount REAL, l_tax REAL, l_returnflag TEXT, l_linestatus TEXT,
                       l_shipdate TEXT, l_commitdate TEXT, l_receiptdate TEXT,
                       l_shipinstruct TEXT, l_shipmode TEXT, l_comment TEXT, end_ TEXT);
.mode list
.separator |
.import $tbl_dir/region.tbl region
.import $tbl_dir/nation.tbl nation
.import $tbl_dir/supplier.tbl supplier
.import $tbl_dir/customer.tbl customer
.import $tbl_dir/part.tbl part
.import $tbl_dir/partsupp.tbl partsupp
.import $tbl_dir/orders.tbl orders
.import $tbl_dir/lineitem.tbl lineitem
CREATE UNIQUE INDEX part_pk ON part (p_partkey);
CREATE UNIQUE INDEX supplier_pk ON supplier (s_suppkey);
CREATE UNIQUE INDEX customer_pk ON customer (c_custkey);
CREATE UNIQUE INDEX partsupp_pk ON partsupp (ps_partkey, ps_suppkey);
CREATE UNIQUE INDEX orders_pk ON orders (o_orderkey);
CREATE UNIQUE INDEX lineitem_pk ON lineitem (l_orderkey, l_linenumber);
EOF

# Each query returns the number of rows that break the rule (0 when it holds).
# (The unique indexes above already failed the script if a key repeats.)
checks=$(cat <<EOF
cardinality region|SELECT abs(count(*) - 5) FROM region
cardinality nation|SELECT abs(count(*) - 25) FROM nation
cardinality supplier|SELECT abs(count(*) - CAST(round($sf * 10000) AS INTEGER)) FROM supplier
cardinality customer|SELECT abs(count(*) - CAST(round($sf * 150000) AS INTEGER)) FROM customer
cardinality part|SELECT abs(count(*) - CAST(round($sf * 200000) AS INTEGER)) FROM part
cardinality partsupp = 4 x part|SELECT abs(count(*) - 4 * CAST(round($sf * 200000) AS INTEGER)) FROM partsupp
cardinality orders|SELECT abs(count(*) - CAST(round($sf * 1500000) AS INTEGER)) FROM orders
lineitem 1..7 per order, linenumber 1..n|SELECT count(*) FROM (SELECT l_orderkey, count(*) n, min(l_linenumber) lo, max(l_linenumber) hi FROM lineitem GROUP BY l_orderkey) WHERE n < 1 OR n > 7 OR lo <> 1 OR hi <> n
dense keys 1..n|SELECT (SELECT max(s_suppkey) <> count(*) FROM supplier) + (SELECT max(c_custkey) <> count(*) FROM customer) + (SELECT max(p_partkey) <> count(*) FROM part)
orderkey sparse: key mod 32 < 8, max = 6M x SF|SELECT (SELECT count(*) FROM orders WHERE o_orderkey % 32 >= 8 OR o_orderkey < 1) + (SELECT max(o_orderkey) <> round($sf * 6000000) FROM orders)
nation -> region|SELECT count(*) FROM nation WHERE n_regionkey NOT IN (SELECT r_regionkey FROM region)
supplier -> nation|SELECT count(*) FROM supplier WHERE s_nationkey NOT IN (SELECT n_nationkey FROM nation)
customer -> nation|SELECT count(*) FROM customer WHERE c_nationkey NOT IN (SELECT n_nationkey FROM nation)
partsupp -> part, supplier|SELECT count(*) FROM partsupp WHERE ps_partkey NOT IN (SELECT p_partkey FROM part) OR ps_suppkey NOT IN (SELECT s_suppkey FROM supplier)
partsupp suppkey formula|SELECT count(*) FROM partsupp, (SELECT count(*) s FROM supplier) WHERE ps_suppkey NOT IN (ps_partkey % s + 1, (ps_partkey + (s / 4 + (ps_partkey - 1) / s)) % s + 1, (ps_partkey + 2 * (s / 4 + (ps_partkey - 1) / s)) % s + 1, (ps_partkey + 3 * (s / 4 + (ps_partkey - 1) / s)) % s + 1)
orders -> customer, custkey not a multiple of 3|SELECT count(*) FROM orders WHERE o_custkey NOT IN (SELECT c_custkey FROM customer) OR o_custkey % 3 = 0
lineitem -> orders|SELECT count(*) FROM lineitem WHERE l_orderkey NOT IN (SELECT o_orderkey FROM orders)
lineitem -> partsupp|SELECT count(*) FROM lineitem LEFT JOIN partsupp ON ps_partkey = l_partkey AND ps_suppkey = l_suppkey WHERE ps_partkey IS NULL
o_orderdate in [1992-01-01, 1998-08-02]|SELECT count(*) FROM orders WHERE o_orderdate < '1992-01-01' OR o_orderdate > '1998-08-02' OR date(o_orderdate) IS NULL
l_shipdate = orderdate + 1..121|SELECT count(*) FROM lineitem JOIN orders ON o_orderkey = l_orderkey WHERE julianday(l_shipdate) - julianday(o_orderdate) NOT BETWEEN 1 AND 121
l_commitdate = orderdate + 30..90|SELECT count(*) FROM lineitem JOIN orders ON o_orderkey = l_orderkey WHERE julianday(l_commitdate) - julianday(o_orderdate) NOT BETWEEN 30 AND 90
l_receiptdate = shipdate + 1..30|SELECT count(*) FROM lineitem WHERE julianday(l_receiptdate) - julianday(l_shipdate) NOT BETWEEN 1 AND 30
l_returnflag|SELECT count(*) FROM lineitem WHERE CASE WHEN l_receiptdate <= '1995-06-17' THEN l_returnflag NOT IN ('R', 'A') ELSE l_returnflag <> 'N' END
l_linestatus|SELECT count(*) FROM lineitem WHERE l_linestatus <> CASE WHEN l_shipdate > '1995-06-17' THEN 'O' ELSE 'F' END
o_orderstatus from the lines|SELECT count(*) FROM orders JOIN (SELECT l_orderkey, sum(l_linestatus = 'F') f, count(*) n FROM lineitem GROUP BY l_orderkey) ON l_orderkey = o_orderkey WHERE o_orderstatus <> CASE WHEN f = n THEN 'F' WHEN f = 0 THEN 'O' ELSE 'P' END
l_quantity 1..50, l_discount 0..0.10, l_tax 0..0.08|SELECT count(*) FROM lineitem WHERE l_quantity NOT BETWEEN 1 AND 50 OR l_quantity <> round(l_quantity) OR l_discount NOT BETWEEN 0 AND 0.1 OR l_tax NOT BETWEEN 0 AND 0.08
p_retailprice formula|SELECT count(*) FROM part WHERE abs(p_retailprice - (90000 + (p_partkey / 10) % 20001 + 100 * (p_partkey % 1000)) / 100.0) > 0.001
l_extendedprice = quantity x retailprice|SELECT count(*) FROM lineitem JOIN part ON p_partkey = l_partkey WHERE abs(l_extendedprice - l_quantity * p_retailprice) > 0.001
o_totalprice = sum(ext x (1 + tax) x (1 - disc))|SELECT count(*) FROM orders JOIN (SELECT l_orderkey, sum(l_extendedprice * (1 + l_tax) * (1 - l_discount)) t FROM lineitem GROUP BY l_orderkey) ON l_orderkey = o_orderkey WHERE abs(o_totalprice - t) > 0.0051
lists: priority, shippriority, instruct, mode, segment|SELECT (SELECT count(*) FROM orders WHERE o_orderpriority NOT IN ('1-URGENT', '2-HIGH', '3-MEDIUM', '4-NOT SPECIFIED', '5-LOW') OR o_shippriority <> 0) + (SELECT count(*) FROM lineitem WHERE l_shipinstruct NOT IN ('DELIVER IN PERSON', 'COLLECT COD', 'NONE', 'TAKE BACK RETURN') OR l_shipmode NOT IN ('REG AIR', 'AIR', 'RAIL', 'SHIP', 'TRUCK', 'MAIL', 'FOB')) + (SELECT count(*) FROM customer WHERE c_mktsegment NOT IN ('AUTOMOBILE', 'BUILDING', 'FURNITURE', 'MACHINERY', 'HOUSEHOLD'))
o_clerk Clerk#000000001..1000 x SF|SELECT count(*) FROM orders WHERE o_clerk NOT GLOB 'Clerk#[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]' OR CAST(substr(o_clerk, 7) AS INTEGER) NOT BETWEEN 1 AND max(1, CAST(round($sf * 1000) AS INTEGER))
names Supplier#/Customer# with 9 digits|SELECT (SELECT count(*) FROM supplier WHERE s_name <> 'Supplier#' || printf('%09d', s_suppkey)) + (SELECT count(*) FROM customer WHERE c_name <> 'Customer#' || printf('%09d', c_custkey))
phone CC-XXX-XXX-XXXX, CC = nationkey + 10|SELECT (SELECT count(*) FROM supplier WHERE s_phone NOT GLOB '[1-3][0-9]-[1-9][0-9][0-9]-[1-9][0-9][0-9]-[1-9][0-9][0-9][0-9]' OR CAST(substr(s_phone, 1, 2) AS INTEGER) <> s_nationkey + 10) + (SELECT count(*) FROM customer WHERE c_phone NOT GLOB '[1-3][0-9]-[1-9][0-9][0-9]-[1-9][0-9][0-9]-[1-9][0-9][0-9][0-9]' OR CAST(substr(c_phone, 1, 2) AS INTEGER) <> c_nationkey + 10)
acctbal -999.99..9999.99, nationkey 0..24|SELECT (SELECT count(*) FROM supplier WHERE s_acctbal NOT BETWEEN -999.99 AND 9999.99 OR s_nationkey NOT BETWEEN 0 AND 24) + (SELECT count(*) FROM customer WHERE c_acctbal NOT BETWEEN -999.99 AND 9999.99 OR c_nationkey NOT BETWEEN 0 AND 24)
addresses: 10..40 characters|SELECT (SELECT count(*) FROM supplier WHERE length(s_address) NOT BETWEEN 10 AND 40) + (SELECT count(*) FROM customer WHERE length(c_address) NOT BETWEEN 10 AND 40)
part: mfgr, brand, size, type, container|SELECT count(*) FROM part WHERE p_mfgr NOT GLOB 'Manufacturer#[1-5]' OR p_brand NOT GLOB 'Brand#[1-5][1-5]' OR substr(p_brand, 7, 1) <> substr(p_mfgr, 14, 1) OR p_size NOT BETWEEN 1 AND 50 OR p_type NOT GLOB '* * *' OR p_container NOT GLOB '* *'
p_name: 5 words|SELECT count(*) FROM part WHERE length(p_name) - length(replace(p_name, ' ', '')) <> 4
ps_availqty 1..9999, ps_supplycost 1..1000|SELECT count(*) FROM partsupp WHERE ps_availqty NOT BETWEEN 1 AND 9999 OR ps_supplycost NOT BETWEEN 1 AND 1000
comment lengths|SELECT (SELECT count(*) FROM region WHERE length(r_comment) NOT BETWEEN 31 AND 115) + (SELECT count(*) FROM nation WHERE length(n_comment) NOT BETWEEN 31 AND 114) + (SELECT count(*) FROM supplier WHERE length(s_comment) NOT BETWEEN 25 AND 100) + (SELECT count(*) FROM customer WHERE length(c_comment) NOT BETWEEN 29 AND 116) + (SELECT count(*) FROM part WHERE length(p_comment) NOT BETWEEN 5 AND 22) + (SELECT count(*) FROM partsupp WHERE length(ps_comment) NOT BETWEEN 49 AND 198) + (SELECT count(*) FROM orders WHERE length(o_comment) NOT BETWEEN 19 AND 78) + (SELECT count(*) FROM lineitem WHERE length(l_comment) NOT BETWEEN 10 AND 43)
Q16: Customer%Complaints and Customer%Recommends, 5 x SF each|SELECT abs((SELECT count(*) FROM supplier WHERE s_comment LIKE '%Customer%Complaints%') - max(1, CAST(round($sf * 5) AS INTEGER))) + abs((SELECT count(*) FROM supplier WHERE s_comment LIKE '%Customer%Recommends%') - max(1, CAST(round($sf * 5) AS INTEGER))) + (SELECT count(*) FROM supplier WHERE s_comment LIKE '%Customer%Complaints%' AND s_comment LIKE '%Customer%Recommends%')
nothing after the trailing delimiter|SELECT (SELECT count(*) FROM lineitem WHERE end_ <> '') + (SELECT count(*) FROM orders WHERE end_ <> '') + (SELECT count(*) FROM partsupp WHERE end_ <> '')
EOF
)

failed=0
printf '%s\n' "$checks" | while IFS='|' read -r name query; do
    bad=$(sqlite3 "$db" "$query")
    if [ "$bad" = 0 ]; then
        printf 'ok    %s\n' "$name"
    else
        printf 'FAIL  %s: %s rows\n' "$name" "$bad"
        echo fail >>"$db.failed"
    fi
done

# p_name's 5 words are distinct colors (awk: SQLite has no split).
bad=$(awk -F'|' '{ n = split($2, w, " "); delete seen; d = 0
                   for (k = 1; k <= n; k++) if (!(w[k] in seen)) { seen[w[k]] = 1; d++ }
                   if (d != 5) bad++ } END { print bad + 0 }' "$tbl_dir/part.tbl")
if [ "$bad" = 0 ]; then
    printf 'ok    p_name: 5 distinct words\n'
else
    printf 'FAIL  p_name: 5 distinct words: %s rows\n' "$bad"
    echo fail >>"$db.failed"
fi

# Distributions, for a look (not checked).
sqlite3 -header -column "$db" <<'EOF'
SELECT round(100.0 * avg(o_comment LIKE '%special%requests%'), 2) AS "Q13 orders %",
       round(100.0 * avg(o_orderstatus = 'F'), 1) AS "F %",
       round(100.0 * avg(o_orderstatus = 'O'), 1) AS "O %",
       round(100.0 * avg(o_orderstatus = 'P'), 1) AS "P %",
       min(o_orderdate) AS first, max(o_orderdate) AS last
FROM orders;
SELECT l_returnflag, l_linestatus, count(*) AS n, round(avg(l_quantity), 2) AS avg_qty,
       round(avg(l_discount), 4) AS avg_disc
FROM lineitem GROUP BY 1, 2 ORDER BY 1, 2;
EOF

if [ -f "$db.failed" ]; then
    rm -f "$db.failed"
    exit 1
fi
