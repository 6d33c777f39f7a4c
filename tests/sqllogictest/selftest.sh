#!/usr/bin/env bash
# Checks the sqllogictest runner itself: a record whose type letters do not match the
# result's column types fails, with a message naming both, while records with the right
# letters pass. Usage: selftest.sh path/to/basalt_sqltest
set -u
RUNNER=$(readlink -f "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
FILE="$HERE/selftest/wrong_types.test"
failures=0

fail() {
    echo "FAILED: $1" >&2
    failures=$((failures + 1))
}

out=$("$RUNNER" "$FILE" 2>&1)
status=$?
[ "$status" -eq 1 ] || fail "the runner exits 1 when records fail (got $status)"

# The lines that must be reported, each with the message it must carry.
expect_report() { # LINE MESSAGE
    if ! printf '%s\n' "$out" | grep -q "wrong_types.test:$1: FAILED"; then
        fail "line $1 is not reported"
    elif ! printf '%s\n' "$out" | grep -A2 "wrong_types.test:$1: FAILED" | grep -qF "$2"; then
        fail "line $1: no \"$2\" in the report"
    fi
}
expect_report 12 "expected column types T, got I (INTEGER)"
expect_report 18 "expected column types I, got R (DECIMAL(2,1))"
expect_report 24 "expected column types I, got T (VARCHAR)"
expect_report 30 "expected column types II, got IT (INTEGER, BOOLEAN)"
expect_report 36 "expected column types R, got I (BIGINT)"
expect_report 42 "expected column types R, got T (DATE)"
expect_report 48 "expected 1 columns, got 2"

reported=$(printf '%s\n' "$out" | grep -c ": FAILED")
[ "$reported" -eq 7 ] || fail "7 records fail, not $reported (the right ones must pass)"
printf '%s\n' "$out" | grep -q "wrong_types.test: 9 records, 7 failures" ||
    fail "summary line: 9 records, 7 failures"

if [ "$failures" -ne 0 ]; then
    printf '%s\n' "--- runner output:" "$out" >&2
    exit 1
fi
echo "runner self-test: ok"
