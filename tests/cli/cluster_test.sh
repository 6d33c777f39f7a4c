#!/usr/bin/env bash
# End-to-end tests of `basalt cluster` and of `basalt coordinator` + `basalt worker` started
# by hand: workers register (also when started before their coordinator, and again after
# the coordinator restarts); a killed worker is reported; queries run as tasks on the
# workers, Ctrl-C stops every task, and kill -9 of a worker during a query fails it within
# 5 s naming the worker (or, by default, runs again and succeeds); CREATE TABLE AS and
# INSERT write their files on the workers and commit once; a broadcast join whose build
# side proves too big is switched to partitioned; and leave nothing when they
# fail (also when a worker is killed while writing); a query over a worker's
# memory, or over its cluster-wide query_max_memory, fails with 53200 and the workers
# live on; SIGTERM stops every process (no
# orphans, also after kill -9 of the cluster); the worker's port answers cleanly.
# Usage: cluster_test.sh path/to/basalt
set -u
BASALT=$(readlink -f "$1")
. "$(dirname "$(readlink -f "$0")")/checks.sh"
WORK=$(mktemp -d /tmp/basalt-cluster-XXXXXX)
PIDS=
cleanup() {
    # shellcheck disable=SC2086
    [ -n "$PIDS" ] && kill -9 $PIDS 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT
cd "$WORK" || exit 1
# wait_for FILE PATTERN [TENTHS]: until a line of FILE matches (default 10 s).
wait_for() {
    local tenths=${3:-100}
    for _ in $(seq 1 "$tenths"); do
        grep -q "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    fail "waited for \"$2\" in $1: $(cat "$1")"
    return 1
}
# gone PID: true when the process has exited (within 10 s).
gone() {
    for _ in $(seq 1 100); do
        kill -0 "$1" 2>/dev/null || return 0
        sleep 0.1
    done
    return 1
}
children_of() { pgrep -P "$1" | tr '\n' ' '; }

# --- basalt cluster: two workers register; SIGTERM stops all three processes ------------
"$BASALT" cluster --data d --workers 2 --port 0 --threads 1 >cluster.out 2>cluster.err &
cluster=$!
PIDS="$cluster"
wait_for cluster.out "2 of 2 workers registered"
workers=$(children_of $cluster)
PIDS="$PIDS $workers"
expect_eq "cluster worker processes" 2 "$(echo $workers | wc -w)"
checks=$((checks + 1))
grep -q "basalt worker worker-1 listening on 127.0.0.1:" cluster.out || fail "worker-1 listening line"
port=$(sed -n 's/.*coordinator listening on 127\.0\.0\.1:\([0-9]*\) .*/\1/p' cluster.out)
out=$("$BASALT" --connect "127.0.0.1:$port" --format csv -c "select 6 * 7 as x")
expect_eq "query on the cluster" "x
42" "$out"

nodes() {
    "$BASALT" --connect "127.0.0.1:$port" --format csv -c \
        "select node_id, coordinator, state, reason from system.runtime.nodes order by node_id"
}
expect_eq "nodes" "node_id,coordinator,state,reason
coordinator,true,active,
worker-1,false,active,
worker-2,false,active," "$(nodes)"

# A worker killed with -9 is reported, and gone from the coordinator's view within 5 s;
# the cluster keeps serving.
w1=$(pgrep -P $cluster -f "node-id worker-1" | head -1)
start=$(date +%s%N)
kill -9 "$w1"
for _ in $(seq 1 100); do
    nodes | grep -q "^worker-1,false,gone" && break
    sleep 0.05
done
ms=$((($(date +%s%N) - start) / 1000000))
checks=$((checks + 1))
[ $ms -lt 5000 ] || fail "worker-1 seen gone after $ms ms"
expect_eq "killed worker" "worker-1,false,gone,connection closed" "$(nodes | grep '^worker-1')"
wait_for cluster.err "worker-1 (pid $w1) was killed by signal 9"

# A worker that hangs (SIGSTOP: its connection stays open) misses heartbeats and is gone
# within 5 s; once it runs again it registers again.
w2=$(pgrep -P $cluster -f "node-id worker-2" | head -1)
start=$(date +%s%N)
kill -STOP "$w2"
for _ in $(seq 1 100); do
    nodes | grep -q "^worker-2,false,gone" && break
    sleep 0.1
done
ms=$((($(date +%s%N) - start) / 1000000))
checks=$((checks + 1))
[ $ms -lt 5000 ] || fail "stopped worker-2 seen gone after $ms ms"
expect_eq "hung worker" "worker-2,false,gone,no heartbeat for 3000 ms" "$(nodes | grep '^worker-2')"
kill -CONT "$w2"
for _ in $(seq 1 50); do
    nodes | grep -q "^worker-2,false,active" && break
    sleep 0.1
done
expect_eq "resumed worker" "worker-2,false,active," "$(nodes | grep '^worker-2')"
out=$("$BASALT" --connect "127.0.0.1:$port" --format csv -c "select 1 as y")
expect_eq "served after a worker died" "y
1" "$out"

# Garbage on the worker's own port: the connection is closed, the worker lives on.
w2port=$(sed -n 's/.*worker-2 listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' cluster.out)
exec 3<>/dev/tcp/127.0.0.1/"$w2port" && printf 'BSLT\001Q\000\000garbage-and-more-garbage' >&3
timeout 5 cat <&3 >/dev/null
expect_eq "worker port closes on garbage" 0 $?
exec 3<&- 3>&-
w2=$(pgrep -P $cluster -f "node-id worker-2" | head -1)
checks=$((checks + 1))
kill -0 "$w2" 2>/dev/null || fail "worker-2 died of garbage"

kill -TERM $cluster
gone $cluster || fail "cluster still running after SIGTERM"
wait $cluster
expect_eq "cluster exit status" 0 $?
for p in $workers; do
    checks=$((checks + 1))
    gone "$p" || fail "worker $p outlived the cluster"
done

# --- queries run as tasks on the workers; Ctrl-C stops them; kill -9 of a worker ---------
"$BASALT" --data d3 -c "create table big as select i, i % 7 as g, 'v' || i as s from range(0, 300000) r(i)" >/dev/null
"$BASALT" cluster --data d3 --workers 2 --port 0 --threads 1 >cluster3.out 2>cluster3.err &
cluster=$!
PIDS="$cluster"
wait_for cluster3.out "2 of 2 workers registered"
PIDS="$PIDS $(children_of $cluster)"
port=$(sed -n 's/.*coordinator listening on 127\.0\.0\.1:\([0-9]*\) .*/\1/p' cluster3.out)
q() { "$BASALT" --connect "127.0.0.1:$port" --format csv "$@"; }
expect_eq "aggregate on the cluster" "count,sum,n
300000,44999850000,7" "$(q -c "select count(*) as count, sum(i) as sum, count(distinct g) as n from big")"
# Its tasks ran on both workers, as system.runtime.tasks joined with .queries shows.
expect_eq "the query's tasks" "2,finished" "$(q -c "select count(distinct t.node_id) as n, min(t.state) as s from system.runtime.tasks t join system.runtime.queries q on q.query_id = t.query_id where q.query like 'select count(*) as count, sum(i)%'" | tail -1)"
# Both workers ran tasks of it (EXPLAIN ANALYZE lists the remote tasks).
plan=$(q -c "explain analyze select g, count(*) from big group by g")
expect_contains "a task on worker-1" "task 0 on worker-" "$plan"
expect_contains "a task on worker-2" "task 1 on worker-" "$plan"
expect_eq "join on the cluster" "count
300000" "$(q -c "select count(*) as count from big a join big b on a.i = b.i and a.s = b.s")"
# A join broadcast by its estimate whose build side proves bigger than
# join_max_broadcast_table_size at run time is switched to partitioned: the query runs
# again, planned so, and answers (the coordinator logs the switch).
bjoin="select count(*) as n from big a join (select * from big where s like '%1%') b on a.i = b.i"
expect_contains "planned as a broadcast" "Output: BROADCAST" "$(q -c "set join_max_broadcast_table_size = '2MB'" -c "explain $bjoin")"
expect_eq "switched to partitioned" "n
181902" "$(q -c "set join_max_broadcast_table_size = '2MB'" -c "$bjoin")"
expect_contains "the coordinator logs the switch" "running the query again with that join partitioned" "$(cat cluster3.err)"
expect_eq "forced broadcast is not switched" "n
181902" "$(q -c "set join_max_broadcast_table_size = '2MB'" -c "set join_distribution_type = 'broadcast'" -c "$bjoin")"
expect_eq "one switch logged" 1 "$(grep -c "running the query again with that join partitioned" cluster3.err)"
# A task's error reaches the client.
out=$(q -c "select count(*) from big where 1 / (i - 150000) > 0" 2>&1)
expect_contains "a worker's error" "division by zero" "$out"

# CREATE TABLE AS and INSERT on the cluster: each worker writes its own files (named
# PREFIX-N.bsc under the table's directory) and the coordinator commits them once, after
# reading back their footers; a statement that fails on a worker leaves every table and
# the data directory as they were.
bsc_files() { find d3/tables -name '*.bsc' | sort; }
before=$(bsc_files)
# (grouped by i: the writers run in the stage after the repartition, one task per worker,
# and both get rows)
q -c "create table copy as select i, min(g) as g, min(s) as s from big where i % 3 <> 1 group by i"
expect_eq "CTAS on the cluster" "n,s,d
200000,29999900000,200000" "$(q -c "select count(*) as n, sum(i) as s, count(distinct s) as d from copy")"
expect_eq "the CTAS's tasks" "2,finished" "$(q -c "select count(distinct t.node_id) as n, min(t.state) as s from system.runtime.tasks t join system.runtime.queries q on q.query_id = t.query_id where q.query like 'create table copy as%'" | tail -1)"
copy_files=$(bsc_files | grep -v -x -F "$before")
expect_eq "files written by the two workers" 2 "$(echo "$copy_files" | grep -c -- '/data/[0-9a-f]\{32\}-[0-9]*\.bsc$')"
q -c "insert into copy select i, g, s from big where i % 3 = 1 and i < 3000"
expect_eq "INSERT on the cluster" "n,s
201000,30001399500" "$(q -c "select count(*) as n, sum(i) as s from copy")"
expect_eq "the written rows join back" "n
201000" "$(q -c "select count(*) as n from copy c join big b on b.i = c.i and b.s = c.s and b.g = c.g")"
# Zone maps of the workers' files were committed: a selective filter prunes files.
expect_contains "zone maps of written files" "pruned by zone maps" "$(q -c "explain analyze select count(*) from copy where i > 299990")"
before=$(bsc_files)
out=$(q -c "create table bad as select i, 1 / (i - 150000) as x from big" 2>&1)
expect_contains "a failed CTAS" "division by zero" "$out"
out=$(q -c "insert into copy select i, 1 / (i - 150000), s from big" 2>&1)
expect_contains "a failed INSERT" "division by zero" "$out"
expect_contains "the failed CTAS made no table" "42P01" "$(q --format json -c "select * from bad" 2>&1)"
expect_eq "the failed INSERT changed nothing" "n
201000" "$(q -c "select count(*) as n from copy")"
expect_eq "no file left by the failed statements" "$before" "$(bsc_files)"

long="select count(*) from big a join big b on a.g = b.g"
running_tasks() { q -c "select sum(running_tasks) as n from system.runtime.nodes where not coordinator" | tail -1; }
# Ctrl-C cancels the query, and every task of it on the workers stops.
# wait_running: until a task runs on the workers (10 s at most).
wait_running() {
    for _ in $(seq 1 100); do
        [ "$(running_tasks)" -gt 0 ] && return 0
        sleep 0.1
    done
    fail "no task runs on the workers during the long query"
}
"$BASALT" --connect "127.0.0.1:$port" -c "$long" >/dev/null 2>cancel.err &
client=$!
checks=$((checks + 1))
wait_running
sleep 0.5
start=$(date +%s%N)
kill -INT $client
wait $client
status=$?
expect_eq "cancelled query exit" 1 $status
expect_contains "cancelled query" "canceling statement due to user request" "$(cat cancel.err)"
for _ in $(seq 1 50); do
    [ "$(running_tasks)" = 0 ] && break
    sleep 0.1
done
ms=$((($(date +%s%N) - start) / 1000000))
expect_eq "tasks left running after the cancel" 0 "$(running_tasks)"
checks=$((checks + 1))
[ $ms -lt 5000 ] || fail "tasks stopped $ms ms after the cancel"

# SET query_max_memory bounds a query's memory summed over its nodes (the workers report
# theirs with each heartbeat). The limit is taken between one worker's part of this
# broadcast join and the sum of both parts, measured first.
memjoin="select count(*) from big a join big b on a.g = b.g and a.s <> b.s"
"$BASALT" --connect "127.0.0.1:$port" -c "$memjoin" >/dev/null 2>&1 &
client=$!
wait_running
worker_memory() { q -c "select min(memory_used) as lo, max(memory_used) as hi from system.runtime.nodes where not coordinator" | tail -1; }
prev=
for _ in $(seq 1 50); do
    mem=$(worker_memory)
    [ "${mem%,*}" -gt 4000000 ] && [ "${mem%,*}" = "$prev" ] && break
    prev=${mem%,*}
    sleep 0.2
done
kill -INT $client
wait $client
lo=${mem%,*}
hi=${mem#*,}
limit_kb=$(((hi + lo / 2) / 1024))
out=$(timeout 60 "$BASALT" --connect "127.0.0.1:$port" --format json -c "set query_max_memory = '${limit_kb}kB'" -c "$memjoin" 2>&1)
expect_contains "over the cluster-wide memory limit ($lo and $hi bytes on the workers, ${limit_kb}kB)" '"sqlstate":"53200"' "$out"
expect_contains "the cluster-wide limit named" "exceeded across the cluster" "$out"
# One node's part over the limit fails there, with the same SQLSTATE.
out=$(timeout 60 "$BASALT" --connect "127.0.0.1:$port" --format json -c "set query_max_memory = '$((lo / 2048))kB'" -c "$memjoin" 2>&1)
expect_contains "one node over the query's memory limit" '"sqlstate":"53200"' "$out"
expect_contains "the query's limit named" "query memory limit of" "$out"
expect_eq "served after" "n
300000" "$(q -c "set query_max_memory = '${limit_kb}kB'" -c "select count(*) as n from big")"

# kill -9 of a worker during a query fails it within 5 s, naming the worker (with
# retry_policy none; the default runs it again); the cluster keeps serving, on the worker
# left.
"$BASALT" --connect "127.0.0.1:$port" -c "set retry_policy = 'none'" -c "$long" >/dev/null 2>killed.err &
client=$!
checks=$((checks + 1))
wait_running
sleep 0.5
w1=$(pgrep -P $cluster -f "node-id worker-1" | head -1)
start=$(date +%s%N)
kill -9 "$w1"
wait $client
status=$?
ms=$((($(date +%s%N) - start) / 1000000))
expect_eq "query on a killed worker exit" 1 $status
expect_contains "the error names the worker" "worker-1" "$(cat killed.err)"
checks=$((checks + 1))
[ $ms -lt 5000 ] || fail "the query failed $ms ms after the worker died"
for _ in $(seq 1 50); do
    q -c "select state from system.runtime.nodes where node_id = 'worker-1'" | grep -q gone && break
    sleep 0.1
done
expect_eq "served by the worker left" "count
300000" "$(q -c "select count(*) as count from big")"
# With the default retry_policy ('query') a query that loses a worker before any row
# reached the client runs again on what is left (here the coordinator alone) and gives
# the right answer.
medium="select count(*) as n, sum(a.i) as s from big a join big b on a.g = b.g and a.i % 100 = b.i % 100"
"$BASALT" --connect "127.0.0.1:$port" --format csv -c "$medium" >retried.out 2>retried.err &
client=$!
checks=$((checks + 1))
wait_running
w2=$(pgrep -P $cluster -f "node-id worker-2" | head -1)
kill -9 "$w2"
wait $client
expect_eq "retried query exit" 0 $?
expect_eq "retried query's rows" "n,s
128571600,19285675714200" "$(cat retried.out)"
expect_contains "the coordinator logs the retry" "running it again" "$(cat cluster3.err)"
kill -TERM $cluster
gone $cluster || fail "cluster still running after SIGTERM"
wait $cluster
expect_eq "cluster exit status after a worker died" 0 $?

# --- kill -9 of a worker while a CREATE TABLE AS writes: the statement fails naming the
# worker, no table is made, and the files both workers had written are deleted ----------
"$BASALT" cluster --data d3 --workers 2 --port 0 --threads 1 >cluster5.out 2>cluster5.err &
cluster=$!
PIDS="$cluster"
wait_for cluster5.out "2 of 2 workers registered"
PIDS="$PIDS $(children_of $cluster)"
port=$(sed -n 's/.*coordinator listening on 127\.0\.0\.1:\([0-9]*\) .*/\1/p' cluster5.out)
before=$(bsc_files)
"$BASALT" --connect "127.0.0.1:$port" -c "set join_distribution_type = 'partitioned'" -c "create table huge as select a.i, b.i as j from big a join big b on a.g = b.g where (a.i * 7 + b.i) % 1000 = 0" >/dev/null 2>write_killed.err &
client=$!
checks=$((checks + 1))
wait_running
# Until both workers have begun writing files of it (the join is partitioned on g, whose
# values both partitions get).
for _ in $(seq 1 100); do
    [ "$(bsc_files | grep -v -x -F "$before" | wc -l)" -ge 2 ] && break
    sleep 0.1
done
expect_eq "files being written" 2 "$(bsc_files | grep -v -x -F "$before" | wc -l)"
w1=$(pgrep -P $cluster -f "node-id worker-1" | head -1)
start=$(date +%s%N)
kill -9 "$w1"
wait $client
status=$?
ms=$((($(date +%s%N) - start) / 1000000))
expect_eq "CTAS on a killed worker exit" 1 $status
expect_contains "the CTAS's error names the worker" "worker-1" "$(cat write_killed.err)"
checks=$((checks + 1))
[ $ms -lt 5000 ] || fail "the CTAS failed $ms ms after the worker died"
expect_contains "no table from the killed CTAS" "42P01" "$(q --format json -c "select * from huge" 2>&1)"
# worker-2 stops its writer on TASK_CANCEL: the files are gone within moments.
for _ in $(seq 1 50); do
    [ "$(bsc_files)" = "$before" ] && break
    sleep 0.1
done
expect_eq "no file left by the killed CTAS" "$before" "$(bsc_files)"
kill -TERM $cluster
gone $cluster || fail "cluster still running after SIGTERM"
wait $cluster

# --- a query over a worker's memory fails cleanly (53200); the workers live on ------------
"$BASALT" cluster --data d3 --workers 2 --port 0 --threads 1 --memory 16MB >cluster4.out 2>&1 &
cluster=$!
PIDS="$cluster"
wait_for cluster4.out "2 of 2 workers registered"
workers=$(children_of $cluster)
PIDS="$PIDS $workers"
port=$(sed -n 's/.*coordinator listening on 127\.0\.0\.1:\([0-9]*\) .*/\1/p' cluster4.out)
out=$("$BASALT" --connect "127.0.0.1:$port" --format json -c "select count(*) from big a join big b on a.s = b.s" 2>&1)
expect_contains "over the memory limit" '"sqlstate":"53200"' "$out"
expect_contains "the limit named" "memory limit of 16.0 MB exceeded" "$out"
expect_eq "served after" "n
300000" "$("$BASALT" --connect "127.0.0.1:$port" --format csv -c "select count(*) as n from big")"
for p in $workers; do
    checks=$((checks + 1))
    kill -0 "$p" 2>/dev/null || fail "worker $p died of a query over its memory"
done
kill -TERM $cluster
gone $cluster || fail "cluster still running after SIGTERM"
wait $cluster

# --- kill -9 of the cluster takes its workers along (PR_SET_PDEATHSIG) ------------------
"$BASALT" cluster --data d --workers 2 --port 0 --threads 1 >cluster2.out 2>&1 &
cluster=$!
PIDS="$cluster"
wait_for cluster2.out "2 of 2 workers registered"
workers=$(children_of $cluster)
PIDS="$PIDS $workers"
kill -9 $cluster
wait $cluster 2>/dev/null
for p in $workers; do
    checks=$((checks + 1))
    gone "$p" || fail "worker $p is an orphan after kill -9 of the cluster"
done

# --- coordinator and worker by hand; the worker may come first ----------------------------
port=$((20000 + RANDOM % 20000))
"$BASALT" worker --coordinator "127.0.0.1:$port" --port 0 --bind 127.0.0.1 --node-id early \
    >worker.out 2>worker.err &
worker=$!
PIDS="$worker"
wait_for worker.err "cannot reach the coordinator"
"$BASALT" coordinator --data d2 --port "$port" --bind 127.0.0.1 >coord.out 2>&1 &
coord=$!
PIDS="$PIDS $coord"
wait_for worker.out "basalt worker early registered with 127.0.0.1:$port as node 1"
# The coordinator restarts: the worker registers again.
kill -TERM $coord
gone $coord || fail "coordinator still running after SIGTERM"
wait $coord
wait_for worker.err "lost the coordinator"
"$BASALT" coordinator --data d2 --port "$port" --bind 127.0.0.1 >coord2.out 2>&1 &
coord=$!
PIDS="$worker $coord"
for _ in $(seq 1 100); do
    [ "$(grep -c 'registered with' worker.out)" -ge 2 ] && break
    sleep 0.1
done
expect_eq "registrations" 2 "$(grep -c 'registered with' worker.out)"
kill -TERM $worker
gone $worker || fail "worker still running after SIGTERM"
wait $worker
expect_eq "worker exit status" 0 $?
kill -TERM $coord
wait $coord
expect_eq "coordinator exit status" 0 $?
PIDS=

# --- bad usage ---------------------------------------------------------------------------
"$BASALT" worker >/dev/null 2>&1
expect_eq "worker without --coordinator" 2 $?
"$BASALT" cluster --data d >/dev/null 2>&1
expect_eq "cluster without --workers" 2 $?
"$BASALT" cluster --data d --workers 0 >/dev/null 2>&1
expect_eq "cluster of no workers" 2 $?

echo "cluster_test: $checks checks, $failures failures"
[ $failures -eq 0 ]
