# checks.sh — sourced by the tests/cli/*.sh scripts: the counters and the assertions they
# share. Each assertion counts one check; a failed one prints what differed to stderr.
failures=0
checks=0

fail() {
    echo "FAILED: $1" >&2
    failures=$((failures + 1))
}

# expect_eq NAME EXPECTED ACTUAL
expect_eq() {
    checks=$((checks + 1))
    if [ "$2" != "$3" ]; then
        fail "$1"
        printf '  expected: %s\n  actual:   %s\n' "$2" "$3" >&2
    fi
}

# expect_contains NAME NEEDLE HAYSTACK
expect_contains() {
    checks=$((checks + 1))
    case "$3" in
        *"$2"*) ;;
        *) fail "$1"; printf '  wanted: %s\n  in:     %s\n' "$2" "$3" >&2 ;;
    esac
}
