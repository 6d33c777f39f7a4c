#!/usr/bin/env bash
# End-to-end tests of the `basalt` command: the command-line contract (exit status,
# formats, scripts, --bail, --timing), the acceptance path of the walking skeleton and a
# 100,000-row COPY checked against the file with awk.
# Usage: cli_test.sh path/to/basalt
set -u
BASALT=$(readlink -f "$1")
. "$(dirname "$(readlink -f "$0")")/checks.sh"
WORK=$(mktemp -d /tmp/basalt-cli-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK" || exit 1

# --- acceptance: create, insert, select; a new process sees the data -------------
out=$("$BASALT" --data d -c "create table t (a integer, b varchar, c double, d date)" \
    -c "insert into t values (1,'x',1.5,date '2024-01-02'), (2,null,null,null)" \
    -c "select * from t where a >= 2" 2>&1)
expect_eq "acceptance exit" 0 $?
expect_contains "acceptance second row" " 2 | NULL | NULL | NULL" "$out"
expect_contains "acceptance row count" "(1 row)" "$out"
out=$("$BASALT" --data d --format csv -c "select * from t order by a")
expect_eq "new process sees the data" $'a,b,c,d\n1,x,1.5,2024-01-02\n2,,,' "$out"

# --- errors: SQLSTATE, exit status, caret -------------------------------------------
out=$("$BASALT" --data d -c "select * from nope" 2>&1)
expect_eq "missing table exit" 1 $?
expect_contains "missing table message" 'ERROR:  relation "nope" does not exist' "$out"
out=$("$BASALT" --data d --format json -c "select * from nope")
expect_eq "missing table json" '{"error":{"sqlstate":"42P01","message":"relation \"nope\" does not exist","position":15}}' "$out"
# Unknown qualified names point at the name's first part; DESCRIBE and SHOW TABLES FROM too.
out=$("$BASALT" --data d --format json -c "select * from t, nosuch.t")
expect_eq "missing schema json" '{"error":{"sqlstate":"42P01","message":"relation \"nosuch.t\" does not exist","position":18}}' "$out"
out=$("$BASALT" --data d --format json -c "describe  public.nope")
expect_eq "describe missing json" '{"error":{"sqlstate":"42P01","message":"relation \"public.nope\" does not exist","position":11}}' "$out"
out=$("$BASALT" --data d --format json -c "show tables from nosuch")
expect_eq "show tables missing schema json" '{"error":{"sqlstate":"3F000","message":"schema \"nosuch\" does not exist","position":18}}' "$out"
out=$("$BASALT" --data d -c "select a frm t" 2>&1)
expect_eq "syntax error exit" 1 $?
expect_eq "syntax error caret" $'ERROR:  syntax error at or near "t"\nLINE 1: select a frm t\n                     ^' "$out"
out=$("$BASALT" --data d -c "select 1;
select a
  frm t" 2>&1)
expect_contains "caret on the second line" $'LINE 2:   frm t\n              ^' "$out"

# --- json contract -----------------------------------------------------------------------
out=$("$BASALT" --data d --format json -c "select a, b, c, d, true as e, cast(1.50 as decimal(5,2)) as f, cast(9007199254740993 as bigint) as g, timestamp '2024-01-02 03:04:05.5' as h from t order by a" \
    -c "insert into t values (3, 'q\"uote', 2, '2024-03-04')" -c "create table j (x int)" -c "drop table j")
expected='{"columns":["a","b","c","d","e","f","g","h"],"types":["INTEGER","VARCHAR","DOUBLE","DATE","BOOLEAN","DECIMAL(5,2)","BIGINT","TIMESTAMP"],"rows":[[1,"x",1.5,"2024-01-02",true,1.50,"9007199254740993","2024-01-02T03:04:05.5"],[2,null,null,null,true,1.50,"9007199254740993","2024-01-02T03:04:05.5"]]}
{"status":"INSERT 1"}
{"status":"CREATE TABLE"}
{"status":"DROP TABLE"}'
expect_eq "json output" "$expected" "$out"

# --- the types of time zones, times and padded strings in every format -------------------
"$BASALT" --data d -c "create table ty (t time, z timestamptz, c char(4), v varchar(3), i interval)" \
    -c "insert into ty values ('12:34:56.5', '2020-01-01 00:00:00+00', 'ab', 'xyz', '1 day 02:00:00')" >/dev/null
out=$("$BASALT" --data d --format json -c "set time zone 'Asia/Kolkata'" -c "select * from ty")
expect_eq "json types" '{"status":"SET"}
{"columns":["t","z","c","v","i"],"types":["TIME","TIMESTAMP WITH TIME ZONE","CHAR(4)","VARCHAR(3)","INTERVAL"],"rows":[["12:34:56.5","2020-01-01T05:30:00+05:30","ab  ","xyz","1 day 02:00:00"]]}' "$out"
out=$("$BASALT" --data d --format csv -c "set time zone 'Europe/Berlin'" -c "select * from ty")
expect_eq "csv types" $'t,z,c,v,i\n12:34:56.5,2020-01-01 01:00:00+01,ab  ,xyz,1 day 02:00:00' "$(printf '%s' "$out" | tail -2)"
out=$("$BASALT" --data d --format tsv -c "select * from ty")
expect_eq "tsv types" $'t\tz\tc\tv\ti\n12:34:56.5\t2020-01-01 00:00:00+00\tab  \txyz\t1 day 02:00:00' "$out"
out=$("$BASALT" --data d -c "select c || '|' as c, z from ty")
expect_eq "table types" $'  c  |           z           \n-----+------------------------\n ab| | 2020-01-01 00:00:00+00\n(1 row)' "$out"
# arrays: a JSON array of the elements' JSON values; the type with []
out=$("$BASALT" --data d --format json -c "select ARRAY[1, NULL] as a, ARRAY['x', 'y\"z'] as b, ARRAY[timestamp '2024-01-02 03:04:05'] as c, ARRAY[]::bigint[] as e")
expect_eq "json arrays" '{"columns":["a","b","c","e"],"types":["INTEGER[]","VARCHAR[]","TIMESTAMP[]","BIGINT[]"],"rows":[[[1,null],["x","y\"z"],["2024-01-02T03:04:05"],[]]]}' "$out"
out=$("$BASALT" --data d --format csv -c "select ARRAY['a b', 'c'] as a, ARRAY[1, 2] as b")
expect_eq "csv arrays" $'a,b\n"{""a b"",c}","{1,2}"' "$out"

# --- csv and tsv ------------------------------------------------------------------------
out=$("$BASALT" --data d --format csv -c "select b, 'a,b' as q, '' as e from t where a = 3")
expect_eq "csv quoting" $'b,q,e\n"q""uote","a,b",""' "$out"
out=$("$BASALT" --data d --format tsv -c "select a, b from t where a <= 2 order by a")
expect_eq "tsv" $'a\tb\n1\tx\n2\t' "$out"

# --- scripts: errors reported, script goes on; --bail stops ------------------------------
printf 'select 1 as one;\nselect * from nope;\nselect 2 as two;\n' > script.sql
out=$("$BASALT" --data d --format csv -f script.sql 2>err.txt)
expect_eq "script exit" 1 $?
expect_eq "script goes on" $'one\n1\ntwo\n2' "$out"
expect_contains "script error reported" 'relation "nope" does not exist' "$(cat err.txt)"
out=$("$BASALT" --data d --format csv --bail -f script.sql 2>/dev/null)
expect_eq "bail exit" 1 $?
expect_eq "bail stops" $'one\n1' "$out"
out=$(printf 'select 40 + 2 as answer;\n' | "$BASALT" --data d --format csv)
expect_eq "stdin script" $'answer\n42' "$out"
out=$("$BASALT" --data d --format csv -c "select 1 as a; select 2 as b")
expect_eq "two statements in one -c" $'a\n1\nb\n2' "$out"

# --- timing ---------------------------------------------------------------------------------
"$BASALT" --data d --timing -c "select 1" >/dev/null 2>err.txt
checks=$((checks + 1))
grep -Eq '^Time: [0-9]+\.[0-9]{3} ms$' err.txt || fail "timing line"

# --- a data directory that cannot be one ------------------------------------------------
touch not-a-dir
out=$("$BASALT" --data not-a-dir -c "select 1" 2>&1)
expect_eq "data dir is a file exit" 1 $?
expect_eq "data dir is a file message" 'basalt: "not-a-dir" exists and is not a directory' "$out"

# --- bad usage exits 2 ---------------------------------------------------------------------
"$BASALT" --format xml -c "select 1" >/dev/null 2>&1
expect_eq "bad format exit" 2 $?

# --- COPY of a 100,000-row CSV with a header, checked against the file ---------------------
awk 'BEGIN {
    srand(42);
    print "id,name,amount,day";
    for (i = 1; i <= 100000; i++) {
        printf "%d,name%d,%d.%02d,2024-%02d-%02d\n", i, i % 977, int(rand() * 100000), i % 100, (i % 12) + 1, (i % 28) + 1;
    }
}' > big.csv
"$BASALT" --data d -c "create table big (id integer, name varchar, amount decimal(12,2), day date)" \
    -c "copy big from 'big.csv' with (format csv, header true)" >/dev/null
expect_eq "copy exit" 0 $?
want=$(awk -F, 'NR > 1 && $3 + 0 > 50000 {
        n++; names[$2] = 1; if ($1 + 0 > max) max = $1 + 0
    } END { d = 0; for (k in names) d++; printf "%d,%d,%d", n, d, max }' big.csv)
got=$("$BASALT" --data d --format csv -c "select count(*), count(distinct name), max(id) from big where amount > 50000" | tail -1)
expect_eq "copy aggregates agree with the file" "$want" "$got"
got=$("$BASALT" --data d --format csv --threads 1 -c "select count(*), sum(amount) from big" | tail -1)
want=$(awk -F, 'NR > 1 { n++; s += $3 } END { printf "%d,%.2f", n, s }' big.csv)
expect_eq "copy count and sum" "$want" "$got"

# --- --threads sets the drivers of parallel pipelines -------------------------------------
out=$("$BASALT" --data d --threads 3 -c "explain analyze select count(*) from big")
expect_contains "threads honoured" "TableScan (node 0): 100000 rows out" "$out"
expect_contains "threads honoured (drivers)" "3 drivers" "$out"
"$BASALT" --data d --threads 0 -c "select 1" >/dev/null 2>&1
expect_eq "bad thread count exit" 2 $?

# --- a malformed line fails the COPY with file:line:column; the table stays as it was ----
{ echo "id,name,amount,day"; echo "1,a,1.00,2024-01-01"; echo "2,b,notanumber,2024-01-01"; } > bad.csv
out=$("$BASALT" --data d -c "copy big from 'bad.csv' with (header true)" 2>&1)
expect_eq "bad copy exit" 1 $?
expect_contains "bad copy location" "bad.csv:3:3" "$out"
got=$("$BASALT" --data d --format csv -c "select count(*) from big" | tail -1)
expect_eq "bad copy changed nothing" 100000 "$got"

# --- the memory limit fails a query cleanly ------------------------------------------------
out=$("$BASALT" --data d --memory 2MB -c "select id, count(*) from big group by id order by 2 desc limit 1" 2>&1)
expect_eq "memory limit exit" 1 $?
expect_contains "memory limit message" "memory limit of 2.0 MB exceeded" "$out"

echo "$checks checks, $failures failures"
[ "$failures" -eq 0 ]
