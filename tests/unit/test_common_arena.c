/*
 * Unit tests: arenas, memory trackers and the allocation fault injector.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/alloc.h"
#include "common/arena.h"

#include <string.h>

static void test_alloc_alignment_and_contents(void **state)
{
    (void)state;
    Arena *arena = arena_create(NULL, NULL, 1024);
    assert_non_null(arena);
    char *prev = NULL;
    for (int k = 1; k < 200; k++) {
        char *p = arena_alloc(arena, (size_t)k);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 16, 0);
        memset(p, k, (size_t)k);
        if (prev) assert_int_equal((unsigned char)prev[0], (unsigned char)(k - 1));
        prev = p;
    }
    /* Big allocations get their own block and leave the head usable. */
    char *big = arena_alloc(arena, 100000);
    assert_non_null(big);
    memset(big, 7, 100000);
    char *small = arena_alloc(arena, 8);
    assert_non_null(small);
    assert_true(arena_bytes(arena) >= 100000);
    arena_destroy(arena);
}

static void test_tracker_limit(void **state)
{
    (void)state;
    MemTracker root, query;
    memtracker_init(&root, NULL, "process", 0);
    memtracker_init(&query, &root, "query", 256 * 1024);
    Arena *arena = arena_create(NULL, &query, 64 * 1024);
    int n_ok = 0;
    while (arena_alloc(arena, 60 * 1024))
        n_ok++;
    /* Each 60 kB request gets a block of its own (60 kB + a header): 4 fit in 256 kB. */
    assert_int_equal(n_ok, 4);
    assert_true(memtracker_used(&query) <= 256 * 1024);
    assert_int_equal(memtracker_used(&root), memtracker_used(&query));
    Error err = ERROR_INIT;
    assert_int_equal(arena_error(arena, &err), BS_ERROR);
    assert_string_equal(err.sqlstate, "53200");
    assert_non_null(strstr(err.message, "query memory limit"));
    error_clear(&err);
    arena_destroy(arena);
    assert_int_equal(memtracker_used(&query), 0);
    assert_int_equal(memtracker_used(&root), 0);
    assert_true(atomic_load(&query.peak) > 0);
}

static void test_tree_destroy_frees_children(void **state)
{
    (void)state;
    MemTracker tracker;
    memtracker_init(&tracker, NULL, "t", 0);
    Arena *root = arena_create(NULL, &tracker, 0);
    Arena *a = arena_create(root, NULL, 0);
    Arena *b = arena_create(root, NULL, 0);
    Arena *a1 = arena_create(a, NULL, 0);
    assert_non_null(arena_alloc(a, 10));
    assert_non_null(arena_alloc(b, 10));
    assert_non_null(arena_alloc(a1, 10));
    assert_true(memtracker_used(&tracker) > 0);
    arena_destroy(b); /* a middle sibling goes first */
    arena_destroy(root);
    assert_int_equal(memtracker_used(&tracker), 0);
}

static void test_reset_keeps_one_block(void **state)
{
    (void)state;
    MemTracker tracker;
    memtracker_init(&tracker, NULL, "t", 0);
    Arena *arena = arena_create(NULL, &tracker, 4096);
    for (int k = 0; k < 100; k++)
        assert_non_null(arena_alloc(arena, 512));
    arena_create(arena, NULL, 0); /* a child is freed by reset */
    arena_reset(arena);
    assert_true(arena_bytes(arena) <= 4096 + 64);
    assert_int_equal(memtracker_used(&tracker), (int64_t)arena_bytes(arena));
    assert_non_null(arena_alloc(arena, 100));
    arena_destroy(arena);
    assert_int_equal(memtracker_used(&tracker), 0);
}

static void test_grow_and_strings(void **state)
{
    (void)state;
    Arena *arena = arena_create(NULL, NULL, 4096);
    char *p = arena_alloc(arena, 16);
    memcpy(p, "0123456789abcdef", 16);
    char *q = arena_grow(arena, p, 16, 64);
    assert_ptr_equal(p, q); /* last allocation grows in place */
    assert_memory_equal(q, "0123456789abcdef", 16);
    char *r = arena_grow(arena, q, 64, 10000);
    assert_memory_equal(r, "0123456789abcdef", 16);
    assert_string_equal(arena_strdup(arena, "hello"), "hello");
    assert_string_equal(arena_strndup(arena, "hello", 3), "hel");
    assert_string_equal(arena_sprintf(arena, "%d-%s", 42, "x"), "42-x");
    arena_destroy(arena);
}

static void test_fault_injection(void **state)
{
    (void)state;
    bs_alloc_fail_after(2, 1);
    void *a = bs_malloc(10), *b = bs_malloc(10), *c = bs_malloc(10), *d = bs_malloc(10);
    assert_non_null(a);
    assert_non_null(b);
    assert_null(c);
    assert_non_null(d);
    assert_int_equal(bs_alloc_injected_failures(), 1);
    bs_free(a);
    bs_free(b);
    bs_free(d);
    /* An arena whose block allocation fails reports out of memory. */
    Arena *arena = arena_create(NULL, NULL, 0);
    bs_alloc_fail_after(0, 1);
    assert_null(arena_alloc(arena, 10));
    Error err = ERROR_INIT;
    arena_error(arena, &err);
    assert_string_equal(err.sqlstate, "53200");
    error_clear(&err);
    assert_non_null(arena_alloc(arena, 10));
    arena_destroy(arena);
    bs_alloc_fail_after(-1, 0);
}

static void test_error_first_wins(void **state)
{
    (void)state;
    Error err = ERROR_INIT;
    assert_false(error_is_set(&err));
    assert_int_equal(error_set(&err, "42P01", 14, "relation \"%s\" does not exist", "nope"),
                     BS_ERROR);
    error_set(&err, "42601", 3, "second");
    assert_string_equal(err.sqlstate, "42P01");
    assert_string_equal(err.message, "relation \"nope\" does not exist");
    assert_int_equal(err.position, 14);
    error_prefix(&err, "file.csv:%d", 3);
    assert_string_equal(err.message, "file.csv:3: relation \"nope\" does not exist");
    Error copy = ERROR_INIT;
    error_copy(&copy, &err);
    error_clear(&err);
    assert_string_equal(copy.sqlstate, "42P01");
    assert_false(error_is_set(&err));
    error_clear(&copy);
}

/*
 * Sized allocations (big growing arrays): grown across the mapping threshold and far
 * beyond it, shrunk back, their contents kept; zeroed ones are zero. Growing a mapping
 * that huge-page advice had split in several kernel areas failed at random before.
 */
static void test_sized_allocations(void **state)
{
    (void)state;
    for (int round = 0; round < 8; round++) {
        size_t size = 4096 + (size_t)round * 1000;
        uint32_t *a = bs_sized_realloc(NULL, 0, size);
        assert_non_null(a);
        for (size_t k = 0; k < size / 4; k++)
            a[k] = (uint32_t)k * 2654435761u;
        size_t filled = size / 4;
        while (size < (48u << 20)) {
            size_t bigger = size * 2 + 4096 * (size_t)round;
            uint32_t *b = bs_sized_realloc(a, size, bigger);
            assert_non_null(b);
            for (size_t k = 0; k < filled; k++)
                if (b[k] != (uint32_t)k * 2654435761u) fail_msg("word %zu lost at %zu", k, bigger);
            for (size_t k = filled; k < bigger / 4; k++)
                b[k] = (uint32_t)k * 2654435761u;
            filled = bigger / 4;
            a = b;
            size = bigger;
        }
        /* Back below the threshold. */
        uint32_t *c = bs_sized_realloc(a, size, 64 << 10);
        assert_non_null(c);
        for (size_t k = 0; k < (64 << 10) / 4; k++)
            assert_int_equal(c[k], (uint32_t)k * 2654435761u);
        bs_sized_free(c, 64 << 10);
    }
    uint8_t *z = bs_sized_alloc_zero(3u << 20);
    assert_non_null(z);
    for (size_t k = 0; k < (3u << 20); k += 4093)
        assert_int_equal(z[k], 0);
    bs_sized_free(z, 3u << 20);
    /* Injected failures apply, and leave the array as it was. */
    uint8_t *d = bs_sized_realloc(NULL, 0, 2u << 20);
    d[12345] = 7;
    bs_alloc_fail_after(0, 1);
    assert_null(bs_sized_realloc(d, 2u << 20, 4u << 20));
    assert_int_equal(d[12345], 7);
    bs_sized_free(d, 2u << 20);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sized_allocations),
        cmocka_unit_test(test_alloc_alignment_and_contents),
        cmocka_unit_test(test_tracker_limit),
        cmocka_unit_test(test_tree_destroy_frees_children),
        cmocka_unit_test(test_reset_keeps_one_block),
        cmocka_unit_test(test_grow_and_strings),
        cmocka_unit_test(test_fault_injection),
        cmocka_unit_test(test_error_first_wins),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
