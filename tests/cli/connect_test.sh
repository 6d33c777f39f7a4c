#!/usr/bin/env bash
# End-to-end tests of `basalt coordinator` and `basalt --connect`: the same results,
# formats, errors and exit statuses as embedded mode; results larger than every buffer;
# a client that stops reading early; Ctrl-C; many clients at once; garbage and truncated
# frames on the port; a coordinator stopped under a running query; restarts.
# Usage: connect_test.sh path/to/basalt
set -u
BASALT=$(readlink -f "$1")
. "$(dirname "$(readlink -f "$0")")/checks.sh"
WORK=$(mktemp -d /tmp/basalt-connect-XXXXXX)
COORD_PID=
cleanup() {
    [ -n "$COORD_PID" ] && kill -9 "$COORD_PID" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT
cd "$WORK" || exit 1

# start_coordinator DIR: starts it on a free port; sets COORD_PID and ADDR.
start_coordinator() {
    rm -f coord.out
    "$BASALT" coordinator --data "$1" --port 0 --bind 127.0.0.1 --threads 2 >coord.out 2>coord.err &
    COORD_PID=$!
    for _ in $(seq 1 100); do
        grep -q "listening on" coord.out 2>/dev/null && break
        sleep 0.05
    done
    local port
    port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\) .*/\1/p' coord.out)
    ADDR=127.0.0.1:$port
    [ -n "$port" ] || fail "coordinator did not start: $(cat coord.out coord.err)"
}

# stop_coordinator: SIGTERM, and it must exit 0 within 10 s.
stop_coordinator() {
    kill -TERM "$COORD_PID"
    local waited=0
    while kill -0 "$COORD_PID" 2>/dev/null && [ $waited -lt 200 ]; do
        sleep 0.05
        waited=$((waited + 1))
    done
    if kill -0 "$COORD_PID" 2>/dev/null; then
        fail "coordinator still running 10 s after SIGTERM"
        kill -9 "$COORD_PID"
    fi
    wait "$COORD_PID"
    expect_eq "coordinator exit status" 0 $?
    COORD_PID=
}

start_coordinator remote

# --- parity with embedded mode: every format, errors, exit status ---------------------
cat >script.sql <<'SQL'
create table t (a integer, b varchar, c double, d date, e decimal(10,2), f timestamp);
insert into t values (1, 'x', 1.5, date '2024-01-02', 3.25, timestamp '2024-01-02 03:04:05'),
  (2, null, null, null, null, null), (3, 'tab	and "quote"', -0.0, date '1999-12-31', -1.00, null);
select * from t order by a;
select count(*), sum(e), avg(c) from t;
select nosuch from t;
select 1/0;
create table t (x int);
set time zone 'America/New_York';
select timestamptz '2024-06-01 12:00:00+00' as ts, 'é'::char(3) as ch;
explain select a from t where a > 1;
select a, b from t where a > 100;
drop table t;
SQL
for fmt in table csv tsv json; do
    rm -rf emb
    "$BASALT" --data emb --format "$fmt" -f script.sql >emb.out 2>emb.err
    emb_status=$?
    "$BASALT" --connect "$ADDR" --format "$fmt" -f script.sql >rem.out 2>rem.err
    rem_status=$?
    expect_eq "exit status ($fmt)" "$emb_status" "$rem_status"
    expect_eq "stdout ($fmt)" "$(cat emb.out)" "$(cat rem.out)"
    expect_eq "stderr ($fmt)" "$(cat emb.err)" "$(cat rem.err)"
done
expect_eq "embedded script exit status" 1 "$emb_status"

# -c, --bail and --timing
out=$("$BASALT" --connect "$ADDR" -c "select 41 + 1 as answer" 2>&1)
expect_eq "-c exit" 0 $?
expect_eq "-c output" " answer
--------
     42
(1 row)" "$out"
"$BASALT" --connect "$ADDR" --bail -c "select 1/0" -c "select 2" >out.txt 2>err.txt
expect_eq "--bail exit" 1 $?
expect_eq "--bail stops" "" "$(cat out.txt)"
"$BASALT" --connect "$ADDR" --timing -c "select 1" >/dev/null 2>err.txt
checks=$((checks + 1))
grep -Eq '^Time: [0-9]+\.[0-9]{3} ms$' err.txt || fail "timing line: $(cat err.txt)"

# --- a result larger than every buffer, streamed: 3,000,000 rows -----------------------
"$BASALT" --connect "$ADDR" --format csv -c \
    "select x, 'row ' || x as s from range(3000000) r(x)" >big.csv
expect_eq "big result exit" 0 $?
expect_eq "big result rows and sum" "3000001 4499998500000 row 2999999" \
    "$(awk -F, 'NR > 1 { s += $1; last = $2 } END { printf "%d %d %s", NR, s, last }' big.csv)"

# --- a consumer that stops early: head closes the pipe, the query is stopped -----------
start=$(date +%s%N)
first=$("$BASALT" --connect "$ADDR" --format csv -c "select x from range(1000000000000) r(x)" | head -3 | tail -1)
ms=$((($(date +%s%N) - start) / 1000000))
expect_eq "early stop row" "1" "$first"
checks=$((checks + 1))
[ $ms -lt 10000 ] || fail "early stop took $ms ms"
out=$("$BASALT" --connect "$ADDR" --format csv -c "select 7")
expect_eq "served after early stop" "?column?
7" "$out"

# --- Ctrl-C cancels the running statement on the coordinator ---------------------------
"$BASALT" --connect "$ADDR" -c "select count(*) from range(100000000000) r(x)" >out.txt 2>err.txt &
client=$!
sleep 0.5
start=$(date +%s%N)
kill -INT $client
wait $client
status=$?
ms=$((($(date +%s%N) - start) / 1000000))
expect_eq "cancel exit" 1 $status
expect_contains "cancel message" "canceling statement due to user request" "$(cat err.txt)"
checks=$((checks + 1))
[ $ms -lt 5000 ] || fail "cancel took $ms ms"

# --- many clients at once, each in its own session -------------------------------------
clients=
for k in $(seq 1 8); do
    "$BASALT" --connect "$ADDR" --format csv -c "create table c$k (x bigint)" \
        -c "insert into c$k select x from range($k * 10000) r(x)" \
        -c "set time zone 'Asia/Tokyo'" \
        -c "select count(*), sum(x) from c$k" >"c$k.out" 2>&1 &
    clients="$clients $!"
done
# shellcheck disable=SC2086
wait $clients
for k in $(seq 1 8); do
    n=$((k * 10000))
    expect_eq "client $k" "count,sum
$n,$((n * (n - 1) / 2))" "$(cat c$k.out)"
done
out=$("$BASALT" --connect "$ADDR" -c "show time zone" --format csv)
expect_eq "settings are per session" "TimeZone
UTC" "$out"

# --- garbage and truncated frames never hurt the coordinator ---------------------------
port=${ADDR##*:}
send_bytes() { # bytes (printf format) → the reply (up to 2 s)
    exec 3<>/dev/tcp/127.0.0.1/"$port" || return
    printf "$1" >&3
    timeout 2 cat <&3 | head -c 300 | tr -d '\0' | tr -c '[:print:]\n' '.'
    exec 3<&- 3>&-
}
reply=$(send_bytes 'GET / HTTP/1.1\r\nHost: x\r\n\r\n')
expect_eq "HTTP on the native port gets no answer but a close" "" "$reply"
send_bytes 'BSLT\001H\000\000' >/dev/null           # a truncated header, then close
send_bytes 'BSLT\001Q\000\000\377\377\377\377garbage' >/dev/null
head -c 100000 /dev/urandom >noise.bin
exec 3<>/dev/tcp/127.0.0.1/"$port" && cat noise.bin >&3 2>/dev/null; exec 3<&- 3>&-
checks=$((checks + 1))
kill -0 "$COORD_PID" 2>/dev/null || fail "coordinator died of garbage"
out=$("$BASALT" --connect "$ADDR" --format csv -c "select 'alive'")
expect_eq "served after garbage" "?column?
alive" "$out"

# --- a server that is not there ---------------------------------------------------------
out=$("$BASALT" --connect 127.0.0.1:1 -c "select 1" 2>&1)
expect_eq "unreachable exit" 1 $?
expect_contains "unreachable message" "could not connect to server at 127.0.0.1:1" "$out"
out=$("$BASALT" --connect "nohost:notaport" -c "select 1" 2>&1)
expect_eq "bad address exit" 1 $?
expect_contains "bad address message" 'invalid port "notaport"' "$out"

# --- SIGTERM while a query runs: the client gets an error, the coordinator exits 0 -----
"$BASALT" --connect "$ADDR" -c "create table keep (x int)" -c "insert into keep values (1), (2)" >/dev/null
"$BASALT" --connect "$ADDR" -c "select count(*) from range(100000000000) r(x)" >out.txt 2>err.txt &
client=$!
sleep 0.5
stop_coordinator
wait $client
expect_eq "client of a stopped coordinator exit" 1 $?
expect_contains "client of a stopped coordinator message" "server closed the connection" "$(cat err.txt)"

# --- a restarted coordinator has the data; the data dir is locked meanwhile ------------
start_coordinator remote
out=$("$BASALT" --connect "$ADDR" --format csv -c "select sum(x) from keep")
expect_eq "data after restart" "sum
3" "$out"
out=$("$BASALT" --data remote -c "select 1" 2>&1)
expect_eq "embedded on a served data dir exit" 1 $?
stop_coordinator

echo "connect_test: $checks checks, $failures failures"
[ $failures -eq 0 ]
