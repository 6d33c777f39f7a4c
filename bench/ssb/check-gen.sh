#!/bin/sh
# check-gen.sh TBL_DIR SF — checks ssbgen's output against the Star Schema Benchmark's
# table layouts (revision 3, section 2) and the rules README.md lists: cardinalities, key
# uniqueness and density, every foreign key, value domains and formats, the columns
# computed from others (prices, revenue, supply cost, the order total), the columns an
# order's lines share, and every column of the date dimension against SQLite's own
# calendar. Loads the .tbl files into a throw-away SQLite database (sqlite3 does the joins
# Basalt cannot do yet), prints one line per check with the number of rows that break it,
# and exits 1 if any check fails. SF 1 takes about a minute.
set -eu

if [ $# -ne 2 ]; then
    echo "usage: $0 TBL_DIR SF" >&2
    exit 2
fi
tbl_dir=$1
sf=$2
command -v sqlite3 >/dev/null || { echo "$0: sqlite3 not found" >&2; exit 2; }
for t in date part supplier customer lineorder; do
    [ -f "$tbl_dir/$t.tbl" ] || { echo "$0: missing $tbl_dir/$t.tbl" >&2; exit 2; }
done

db=$(mktemp /tmp/ssb-check.XXXXXX)
trap 'rm -f "$db" "$db.failed"' EXIT

# Each table has one extra column, end_, for the empty field after dbgen's trailing '|'.
sqlite3 "$db" <<EOF
.bail on
CREATE TABLE dwdate (d_datekey INTEGER, d_date TEXT, d_dayofweek TEXT, d_month TEXT,
                     d_year INTEGER, d_yearmonthnum INTEGER, d_yearmonth TEXT,
                     d_daynuminweek INTEGER, d_daynuminmonth INTEGER, d_daynuminyear INTEGER,
                     d_monthnuminyear INTEGER, d_weeknuminyear INTEGER, d_sellingseason TEXT,
                     d_lastdayinweekfl INTEGER, d_lastdayinmonthfl INTEGER, d_holidayfl INTEGER,
                     d_weekdayfl INTEGER, end_ TEXT);
CREATE TABLE part (p_partkey INTEGER, p_name TEXT, p_mfgr TEXT, p_category TEXT, p_brand1 TEXT,
                   p_color TEXT, p_type TEXT, p_size INTEGER, p_container TEXT, end_ TEXT);
CREATE TABLE supplier (s_suppkey INTEGER, s_name TEXT, s_address TEXT, s_city TEXT,
                       s_nation TEXT, s_region TEXT, s_phone TEXT, end_ TEXT);
CREATE TABLE customer (c_custkey INTEGER, c_name TEXT, c_address TEXT, c_city TEXT,
                       c_nation TEXT, c_region TEXT, c_phone TEXT, c_mktsegment TEXT, end_ TEXT);
CREATE TABLE lineorder (lo_orderkey INTEGER, lo_linenumber INTEGER, lo_custkey INTEGER,
                        lo_partkey INTEGER, lo_suppkey INTEGER, lo_orderdate INTEGER,
                        lo_orderpriority TEXT, lo_shippriority TEXT, lo_quantity INTEGER,
                        lo_extendedprice INTEGER, lo_ordtotalprice INTEGER, lo_discount INTEGER,
                        lo_revenue INTEGER, lo_supplycost INTEGER, lo_tax INTEGER,
                        lo_commitdate INTEGER, lo_shipmode TEXT, end_ TEXT);
.mode list
.separator |
.import $tbl_dir/date.tbl dwdate
.import $tbl_dir/part.tbl part
.import $tbl_dir/supplier.tbl supplier
.import $tbl_dir/customer.tbl customer
.import $tbl_dir/lineorder.tbl lineorder
CREATE UNIQUE INDEX dwdate_pk ON dwdate (d_datekey);
CREATE UNIQUE INDEX part_pk ON part (p_partkey);
CREATE UNIQUE INDEX supplier_pk ON supplier (s_suppkey);
CREATE UNIQUE INDEX customer_pk ON customer (c_custkey);
CREATE UNIQUE INDEX lineorder_pk ON lineorder (lo_orderkey, lo_linenumber);
-- TPC-H's nations (their keys make the phones' country codes) and regions
CREATE TABLE nation (n_key INTEGER, n_name TEXT, n_region TEXT);
INSERT INTO nation VALUES (0, 'ALGERIA', 'AFRICA'), (1, 'ARGENTINA', 'AMERICA'),
    (2, 'BRAZIL', 'AMERICA'), (3, 'CANADA', 'AMERICA'), (4, 'EGYPT', 'MIDDLE EAST'),
    (5, 'ETHIOPIA', 'AFRICA'), (6, 'FRANCE', 'EUROPE'), (7, 'GERMANY', 'EUROPE'),
    (8, 'INDIA', 'ASIA'), (9, 'INDONESIA', 'ASIA'), (10, 'IRAN', 'MIDDLE EAST'),
    (11, 'IRAQ', 'MIDDLE EAST'), (12, 'JAPAN', 'ASIA'), (13, 'JORDAN', 'MIDDLE EAST'),
    (14, 'KENYA', 'AFRICA'), (15, 'MOROCCO', 'AFRICA'), (16, 'MOZAMBIQUE', 'AFRICA'),
    (17, 'PERU', 'AMERICA'), (18, 'CHINA', 'ASIA'), (19, 'ROMANIA', 'EUROPE'),
    (20, 'SAUDI ARABIA', 'MIDDLE EAST'), (21, 'VIETNAM', 'ASIA'), (22, 'RUSSIA', 'EUROPE'),
    (23, 'UNITED KINGDOM', 'EUROPE'), (24, 'UNITED STATES', 'AMERICA');
-- one row per order, for the order-level checks
CREATE TABLE orders AS SELECT lo_orderkey AS o_key, count(*) AS n, min(lo_linenumber) AS lo,
    max(lo_linenumber) AS hi, count(DISTINCT lo_custkey) AS custs,
    count(DISTINCT lo_orderdate) AS dates, count(DISTINCT lo_orderpriority) AS prios,
    count(DISTINCT lo_shippriority) AS sprios, count(DISTINCT lo_ordtotalprice) AS totals,
    max(lo_ordtotalprice) AS total, sum(lo_revenue * (100 + lo_tax) / 100) AS computed
    FROM lineorder GROUP BY lo_orderkey;
EOF

# Counts of the specification: parts grow with log2(SF) from SF 1 (linearly below).
parts=$(awk -v sf="$sf" 'BEGIN { if (sf < 1) { n = int(sf * 200000 + 0.5); if (n < 1) n = 1 }
                                  else n = 200000 * int(1 + log(sf) / log(2) + 1e-9); print n }')
orders=$(awk -v sf="$sf" 'BEGIN { n = int(sf * 1500000 + 0.5); print n < 1 ? 1 : n }')
scaled() { awk -v sf="$sf" -v b="$1" 'BEGIN { n = int(sf * b + 0.5); print n < 1 ? 1 : n }'; }
suppliers=$(scaled 2000)
customers=$(scaled 30000)
max_orderkey=$(( orders / 8 * 32 + orders % 8 ))
# a date key as an SQLite date: 19920101 -> '1992-01-01'
d() { echo "(substr($1, 1, 4) || '-' || substr($1, 5, 2) || '-' || substr($1, 7, 2))"; }
retail="(90000 + (lo_partkey / 10) % 20001 + 100 * (lo_partkey % 1000))"

# Each query returns the number of rows that break the rule (0 when it holds).
# (The unique indexes above already failed the script if a key repeats.)
checks=$(cat <<EOF
cardinality date: 7 years of days|SELECT abs(count(*) - 2557) FROM dwdate
cardinality part: 200,000 x floor(1 + log2 SF)|SELECT abs(count(*) - $parts) FROM part
cardinality supplier: 2,000 x SF|SELECT abs(count(*) - $suppliers) FROM supplier
cardinality customer: 30,000 x SF|SELECT abs(count(*) - $customers) FROM customer
orders: 1,500,000 x SF|SELECT abs(count(*) - $orders) FROM orders
lineorder ~ 6,000,000 x SF (within 1% + 100)|SELECT abs(count(*) - 4 * $orders) > 0.01 * 4 * $orders + 100 FROM lineorder
lines 1..7 per order, linenumber 1..n|SELECT count(*) FROM orders WHERE n < 1 OR n > 7 OR lo <> 1 OR hi <> n
dense keys 1..n|SELECT (SELECT max(p_partkey) <> count(*) OR min(p_partkey) <> 1 FROM part) + (SELECT max(s_suppkey) <> count(*) OR min(s_suppkey) <> 1 FROM supplier) + (SELECT max(c_custkey) <> count(*) OR min(c_custkey) <> 1 FROM customer)
orderkey sparse: first 8 of every 32 keys, max $max_orderkey|SELECT (SELECT count(*) FROM orders WHERE o_key % 32 >= 8 OR o_key < 1) + (SELECT max(o_key) <> $max_orderkey FROM orders)
an order's lines share custkey, dates, priorities, total|SELECT count(*) FROM orders WHERE custs <> 1 OR dates <> 1 OR prios <> 1 OR sprios <> 1 OR totals <> 1
lo_custkey -> customer, never a multiple of 3|SELECT count(*) FROM lineorder WHERE lo_custkey NOT IN (SELECT c_custkey FROM customer) OR lo_custkey % 3 = 0
lo_partkey -> part, lo_suppkey -> supplier|SELECT count(*) FROM lineorder WHERE lo_partkey NOT IN (SELECT p_partkey FROM part) OR lo_suppkey NOT IN (SELECT s_suppkey FROM supplier)
lo_orderdate, lo_commitdate -> date|SELECT count(*) FROM lineorder WHERE lo_orderdate NOT IN (SELECT d_datekey FROM dwdate) OR lo_commitdate NOT IN (SELECT d_datekey FROM dwdate)
lo_orderdate in [1992-01-01, 1998-08-02]|SELECT count(*) FROM lineorder WHERE lo_orderdate < 19920101 OR lo_orderdate > 19980802
lo_commitdate = orderdate + 30..90 days|SELECT count(*) FROM lineorder WHERE julianday($(d lo_commitdate)) - julianday($(d lo_orderdate)) NOT BETWEEN 30 AND 90
quantity 1..50, discount 0..10, tax 0..8|SELECT count(*) FROM lineorder WHERE lo_quantity NOT BETWEEN 1 AND 50 OR lo_discount NOT BETWEEN 0 AND 10 OR lo_tax NOT BETWEEN 0 AND 8
extendedprice = quantity x retail price (cents)|SELECT count(*) FROM lineorder WHERE lo_extendedprice <> lo_quantity * $retail
revenue = extendedprice x (100 - discount) / 100|SELECT count(*) FROM lineorder WHERE lo_revenue <> lo_extendedprice * (100 - lo_discount) / 100
supplycost = 6 x retail price / 10|SELECT count(*) FROM lineorder WHERE lo_supplycost <> 6 * $retail / 10
ordtotalprice = sum(revenue x (100 + tax) / 100)|SELECT count(*) FROM orders WHERE total <> computed
lists: priority, shippriority, shipmode, segment|SELECT (SELECT count(*) FROM lineorder WHERE lo_orderpriority NOT IN ('1-URGENT', '2-HIGH', '3-MEDIUM', '4-NOT SPECIFIED', '5-LOW') OR lo_shippriority <> '0' OR lo_shipmode NOT IN ('REG AIR', 'AIR', 'RAIL', 'SHIP', 'TRUCK', 'MAIL', 'FOB')) + (SELECT count(*) FROM customer WHERE c_mktsegment NOT IN ('AUTOMOBILE', 'BUILDING', 'FURNITURE', 'MACHINERY', 'HOUSEHOLD'))
p_mfgr MFGR#1-5, p_category = mfgr + 1-5, p_brand1 = category + 1-40|SELECT count(*) FROM part WHERE p_mfgr NOT GLOB 'MFGR#[1-5]' OR substr(p_category, 1, 6) <> p_mfgr OR length(p_category) <> 7 OR substr(p_category, 7) NOT GLOB '[1-5]' OR substr(p_brand1, 1, 7) <> p_category OR substr(p_brand1, 8) NOT GLOB '[1-9]*' OR CAST(substr(p_brand1, 8) AS INTEGER) NOT BETWEEN 1 AND 40 OR substr(p_brand1, 8) <> CAST(CAST(substr(p_brand1, 8) AS INTEGER) AS TEXT)
p_name two distinct colors, p_color the first|SELECT count(*) FROM part WHERE length(p_name) - length(replace(p_name, ' ', '')) <> 1 OR p_name NOT LIKE p_color || ' %' OR p_name = p_color || ' ' || p_color OR length(p_name) > 22 OR length(p_color) > 11
p_size 1..50, p_type 3 words, p_container 2 words|SELECT count(*) FROM part WHERE p_size NOT BETWEEN 1 AND 50 OR length(p_type) - length(replace(p_type, ' ', '')) <> 2 OR length(p_container) - length(replace(p_container, ' ', '')) <> 1 OR length(p_type) > 25 OR length(p_container) > 10
part cardinalities: mfgr 5, category 25, brand <= 1000, type <= 150, container <= 40, color <= 92|SELECT (SELECT count(DISTINCT p_mfgr) > 5 OR count(DISTINCT p_category) > 25 OR count(DISTINCT p_brand1) > 1000 OR count(DISTINCT p_type) > 150 OR count(DISTINCT p_container) > 40 OR count(DISTINCT p_color) > 92 FROM part) + (SELECT $parts >= 200000 AND (count(DISTINCT p_mfgr) <> 5 OR count(DISTINCT p_category) <> 25 OR count(DISTINCT p_brand1) <> 1000 OR count(DISTINCT p_type) <> 150 OR count(DISTINCT p_container) <> 40 OR count(DISTINCT p_color) <> 92) FROM part)
names Supplier#/Customer# with 9 digits|SELECT (SELECT count(*) FROM supplier WHERE s_name <> 'Supplier#' || printf('%09d', s_suppkey)) + (SELECT count(*) FROM customer WHERE c_name <> 'Customer#' || printf('%09d', c_custkey))
nation, region, city (nation's 9 first characters, blank-padded, and a digit)|SELECT (SELECT count(*) FROM supplier LEFT JOIN nation ON n_name = s_nation WHERE n_region IS NULL OR s_region <> n_region OR substr(s_city, 1, 9) <> substr(s_nation || '         ', 1, 9) OR length(s_city) <> 10 OR substr(s_city, 10) NOT GLOB '[0-9]') + (SELECT count(*) FROM customer LEFT JOIN nation ON n_name = c_nation WHERE n_region IS NULL OR c_region <> n_region OR substr(c_city, 1, 9) <> substr(c_nation || '         ', 1, 9) OR length(c_city) <> 10 OR substr(c_city, 10) NOT GLOB '[0-9]')
phone CC-XXX-XXX-XXXX, CC = nation key + 10|SELECT (SELECT count(*) FROM supplier JOIN nation ON n_name = s_nation WHERE s_phone NOT GLOB '[1-3][0-9]-[1-9][0-9][0-9]-[1-9][0-9][0-9]-[1-9][0-9][0-9][0-9]' OR CAST(substr(s_phone, 1, 2) AS INTEGER) <> n_key + 10) + (SELECT count(*) FROM customer JOIN nation ON n_name = c_nation WHERE c_phone NOT GLOB '[1-3][0-9]-[1-9][0-9][0-9]-[1-9][0-9][0-9]-[1-9][0-9][0-9][0-9]' OR CAST(substr(c_phone, 1, 2) AS INTEGER) <> n_key + 10)
addresses: 10..25 characters|SELECT (SELECT count(*) FROM supplier WHERE length(s_address) NOT BETWEEN 10 AND 25) + (SELECT count(*) FROM customer WHERE length(c_address) NOT BETWEEN 10 AND 25)
date: every day of 1992..1998, once|SELECT (SELECT min(d_datekey) <> 19920101 OR max(d_datekey) <> 19981231 FROM dwdate) + (SELECT count(*) FROM dwdate WHERE date($(d d_datekey)) IS NULL OR date($(d d_datekey)) <> $(d d_datekey))
date: d_year, d_monthnuminyear, d_daynuminmonth, d_yearmonthnum|SELECT count(*) FROM dwdate WHERE d_year <> d_datekey / 10000 OR d_monthnuminyear <> d_datekey / 100 % 100 OR d_daynuminmonth <> d_datekey % 100 OR d_yearmonthnum <> d_datekey / 100
date: d_month, d_yearmonth, d_date "Month D, YYYY"|SELECT count(*) FROM dwdate WHERE d_month <> CASE d_monthnuminyear WHEN 1 THEN 'January' WHEN 2 THEN 'February' WHEN 3 THEN 'March' WHEN 4 THEN 'April' WHEN 5 THEN 'May' WHEN 6 THEN 'June' WHEN 7 THEN 'July' WHEN 8 THEN 'August' WHEN 9 THEN 'September' WHEN 10 THEN 'October' WHEN 11 THEN 'November' ELSE 'December' END OR d_yearmonth <> substr(d_month, 1, 3) || d_year OR d_date <> d_month || ' ' || d_daynuminmonth || ', ' || d_year
date: day of week (1 = Sunday), weekday and last-day-of-week flags|SELECT count(*) FROM dwdate WHERE d_daynuminweek <> CAST(strftime('%w', $(d d_datekey)) AS INTEGER) + 1 OR d_dayofweek <> CASE d_daynuminweek WHEN 1 THEN 'Sunday' WHEN 2 THEN 'Monday' WHEN 3 THEN 'Tuesday' WHEN 4 THEN 'Wednesday' WHEN 5 THEN 'Thursday' WHEN 6 THEN 'Friday' ELSE 'Saturday' END OR d_weekdayfl <> (d_daynuminweek BETWEEN 2 AND 6) OR d_lastdayinweekfl <> (d_daynuminweek = 7)
date: day and week of the year, last day of the month|SELECT count(*) FROM dwdate WHERE d_daynuminyear <> CAST(strftime('%j', $(d d_datekey)) AS INTEGER) OR d_weeknuminyear <> (d_daynuminyear - 1) / 7 + 1 OR d_weeknuminyear NOT BETWEEN 1 AND 53 OR d_lastdayinmonthfl <> (strftime('%d', $(d d_datekey), '+1 day') = '01')
date: selling season and holidays|SELECT count(*) FROM dwdate WHERE d_sellingseason <> CASE WHEN d_monthnuminyear <= 2 THEN 'Winter' WHEN d_monthnuminyear <= 5 THEN 'Spring' WHEN d_monthnuminyear <= 8 THEN 'Summer' WHEN d_monthnuminyear <= 10 THEN 'Fall' ELSE 'Christmas' END OR d_holidayfl <> (d_datekey % 10000 IN (101, 704, 1111, 1224, 1225, 1231))
nothing after the trailing delimiter|SELECT (SELECT count(*) FROM lineorder WHERE end_ <> '') + (SELECT count(*) FROM dwdate WHERE end_ <> '') + (SELECT count(*) FROM part WHERE end_ <> '') + (SELECT count(*) FROM supplier WHERE end_ <> '') + (SELECT count(*) FROM customer WHERE end_ <> '')
EOF
)

printf '%s\n' "$checks" | while IFS='|' read -r name query; do
    bad=$(sqlite3 "$db" "$query")
    if [ "$bad" = 0 ]; then
        printf 'ok    %s\n' "$name"
    else
        printf 'FAIL  %s: %s rows\n' "$name" "$bad"
        echo fail >>"$db.failed"
    fi
done

# Distributions, for a look (not checked).
sqlite3 -header -column "$db" <<'EOF'
SELECT count(*) AS lines, count(DISTINCT lo_orderkey) AS orders,
       round(avg(lo_quantity), 2) AS avg_qty, round(avg(lo_discount), 2) AS avg_disc,
       round(avg(lo_tax), 2) AS avg_tax, max(lo_extendedprice) AS max_ext,
       max(lo_ordtotalprice) AS max_total, min(lo_orderdate) AS first, max(lo_orderdate) AS last
FROM lineorder;
SELECT d_year, count(*) AS lines FROM lineorder JOIN dwdate ON d_datekey = lo_orderdate
GROUP BY d_year ORDER BY d_year;
EOF

if [ -f "$db.failed" ]; then
    rm -f "$db.failed"
    exit 1
fi
