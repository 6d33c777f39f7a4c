#!/usr/bin/env bash
# Differential test against SQLite: random tables and queries from diffgen (seeded, so a
# failure reproduces), run by `basalt` and by `sqlite3`, results compared as sorted rows
# with numbers normalized. Usage: diff_sqlite.sh BASALT DIFFGEN [SEEDS] [QUERIES]
#
# Each engine runs a seed's queries in one process, each query after a marker row
# (`select '@@K' as marker_`) that tells the queries' rows apart; a seed where Basalt
# reports an error is run again one process per query, to name the queries that failed.
set -u
BASALT=$(readlink -f "$1")
GEN=$(readlink -f "$2")
SEEDS=${3:-5}
QUERIES=${4:-60}
if ! command -v sqlite3 >/dev/null 2>&1; then
    echo "sqlite3 is missing (dev/setup installs it)" >&2
    exit 1
fi
WORK=$(mktemp -d /tmp/basalt-diff-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
# tag_rows HEADERS < output: each row as "K<TAB>row" with numbers normalized, where K is
# the query whose marker (a row "@@K") came last, plus a row "K<TAB>@@" per marker, so a
# query whose output is missing differs; with HEADERS=1 the first line after a marker
# (the query's column names) is dropped. Sorted, so rows compare as multisets.
tag_rows() {
    awk -F, -v headers="$1" 'BEGIN { OFS = "," }
        /^"?@@[0-9]+"?$/ { gsub(/[@"]/, ""); q = $0; print q "\t@@"; skip = headers; next }
        $0 == "marker_" { next }
        skip { skip = 0; next }
        q != "" {
            for (i = 1; i <= NF; i++)
                if ($i ~ /^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$/) $i = sprintf("%.10g", $i + 0)
            print q "\t" $0
        }' | LC_ALL=C sort
}
failures=0
total=0
for seed in $(seq 1 "$SEEDS"); do
    dir="$WORK/$seed"
    mkdir -p "$dir"
    "$GEN" "$seed" "$QUERIES" "$dir" || exit 1
    "$BASALT" --data "$dir/db" --bail -f "$dir/setup.sql" >/dev/null || { echo "seed $seed: setup failed in basalt"; exit 1; }
    sqlite3 "$dir/lite.db" < "$dir/setup.sql" || { echo "seed $seed: setup failed in sqlite3"; exit 1; }
    for q in $(seq 0 $((QUERIES - 1))); do
        echo "select '@@$q' as marker_;"
        cat "$dir/q$q.sql"
    done > "$dir/all.sql"
    "$BASALT" --data "$dir/db" --format csv -f "$dir/all.sql" 2>"$dir/err" | tag_rows 1 > "$dir/ours"
    sqlite3 -csv "$dir/lite.db" < "$dir/all.sql" 2>"$dir/lite-err" | tag_rows 0 > "$dir/theirs"
    if [ -s "$dir/lite-err" ]; then
        echo "seed $seed: sqlite3 failed: $(head -3 "$dir/lite-err")"
        exit 1
    fi
    total=$((total + QUERIES))
    failed=" "
    if [ -s "$dir/err" ]; then
        # name the queries that failed: this seed again, one process per query
        for q in $(seq 0 $((QUERIES - 1))); do
            "$BASALT" --data "$dir/db" --format csv -f "$dir/q$q.sql" >/dev/null 2>"$dir/err1"
            if [ -s "$dir/err1" ]; then
                failures=$((failures + 1))
                failed="$failed$q "
                echo "seed $seed query $q failed in basalt: $(cat "$dir/q$q.sql")"
                head -3 "$dir/err1"
            fi
        done
    fi
    for q in $(diff "$dir/ours" "$dir/theirs" | sed -n 's/^[<>] \([0-9]*\)\t.*/\1/p' | sort -un); do
        case "$failed" in *" $q "*) continue ;; esac
        failures=$((failures + 1))
        echo "seed $seed query $q differs: $(cat "$dir/q$q.sql")"
        diff <(grep "^$q	" "$dir/ours") <(grep "^$q	" "$dir/theirs") | head -8
    done
done
echo "$total queries, $failures differences"
[ "$failures" -eq 0 ]
