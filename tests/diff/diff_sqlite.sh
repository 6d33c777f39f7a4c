#!/usr/bin/env bash
# Differential test against SQLite: random tables and queries from diffgen (seeded, so a
# failure reproduces), run by `basalt` and by `sqlite3`, results compared as sorted rows
# with numbers normalized. Usage: diff_sqlite.sh BASALT DIFFGEN [SEEDS] [QUERIES]
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
normalize() {
    awk -F, 'BEGIN { OFS = "," }
        { for (i = 1; i <= NF; i++) if ($i ~ /^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$/) $i = sprintf("%.10g", $i + 0); print }' | LC_ALL=C sort
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
        total=$((total + 1))
        sql="$dir/q$q.sql"
        ours=$("$BASALT" --data "$dir/db" --format csv -f "$sql" 2>"$dir/err" | tail -n +2 | normalize)
        if [ -s "$dir/err" ]; then
            failures=$((failures + 1))
            echo "seed $seed query $q failed in basalt: $(cat "$sql")"
            head -3 "$dir/err"
            continue
        fi
        theirs=$(sqlite3 -csv "$dir/lite.db" < "$sql" | normalize)
        if [ "$ours" != "$theirs" ]; then
            failures=$((failures + 1))
            echo "seed $seed query $q differs: $(cat "$sql")"
            diff <(echo "$ours") <(echo "$theirs") | head -8
        fi
    done
done
echo "$total queries, $failures differences"
[ "$failures" -eq 0 ]
