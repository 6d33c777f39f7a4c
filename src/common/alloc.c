/*
 * alloc.c — the allocation wrapper and its fault injector.
 *
 * Sized allocations from SIZED_MAP_BYTES on are mappings of their own, so that growing
 * them is a mremap (no copy, and no page touched twice: glibc's realloc copies into fresh
 * memory below its mmap threshold, and that threshold moves), and they are asked to be
 * backed by transparent huge pages where the system offers them on request
 * (MADV_HUGEPAGE): the first touch of fresh memory costs a page fault per 4 KB page
 * otherwise, which on some virtual machines took a quarter of a hash aggregation's time.
 * The advice covers the whole mapping — advising part of it would split it in several
 * kernel areas, and mremap moves only one.
 */
#include "common/alloc.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* Asks for huge pages over a whole mapping of ours (page-aligned start and length). */
static void advise_huge(void *p, size_t len)
{
#ifdef MADV_HUGEPAGE
    (void)madvise(p, len, MADV_HUGEPAGE);
#else
    (void)p;
    (void)len;
#endif
}

static atomic_bool g_enabled = false;
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static long g_countdown, g_repeat, g_injected;

void bs_alloc_fail_after(long countdown, long repeat)
{
    pthread_mutex_lock(&g_lock);
    g_countdown = countdown;
    g_repeat = repeat;
    g_injected = 0;
    atomic_store(&g_enabled, countdown >= 0 && repeat != 0);
    pthread_mutex_unlock(&g_lock);
}

long bs_alloc_injected_failures(void)
{
    pthread_mutex_lock(&g_lock);
    long n = g_injected;
    pthread_mutex_unlock(&g_lock);
    return n;
}

/* True when this allocation must fail by injection. The fast path is one relaxed load. */
static bool should_fail(void)
{
    if (BS_LIKELY(!atomic_load_explicit(&g_enabled, memory_order_relaxed))) return false;
    bool fail = false;
    pthread_mutex_lock(&g_lock);
    if (!atomic_load(&g_enabled)) {
        /* disabled meanwhile */
    } else if (g_countdown > 0) {
        g_countdown--;
    } else {
        fail = true;
        g_injected++;
        if (g_repeat > 0 && --g_repeat == 0) atomic_store(&g_enabled, false);
    }
    pthread_mutex_unlock(&g_lock);
    return fail;
}

void *bs_malloc(size_t size)
{
    if (should_fail()) return NULL;
    return malloc(size ? size : 1);
}

void *bs_calloc(size_t count, size_t size)
{
    if (should_fail()) return NULL;
    return calloc(count ? count : 1, size ? size : 1);
}

void *bs_realloc(void *ptr, size_t size)
{
    if (should_fail()) return NULL;
    return realloc(ptr, size ? size : 1);
}

void bs_free(void *ptr)
{
    free(ptr);
}

static size_t page_round(size_t n)
{
    return (n + 4095) & ~(size_t)4095;
}

static void *map_zero(size_t size)
{
    void *p =
        mmap(NULL, page_round(size), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return NULL;
    advise_huge(p, page_round(size));
    return p;
}

void *bs_sized_alloc_zero(size_t size)
{
    if (should_fail()) return NULL;
    if (size >= SIZED_MAP_BYTES) return map_zero(size);
    return calloc(1, size ? size : 1);
}

void *bs_sized_realloc(void *ptr, size_t old_size, size_t new_size)
{
    if (should_fail()) return NULL;
    if (!ptr) old_size = 0;
    bool old_mapped = old_size >= SIZED_MAP_BYTES, new_mapped = new_size >= SIZED_MAP_BYTES;
    if (!old_mapped && !new_mapped) {
        void *p = realloc(ptr, new_size ? new_size : 1);
        return p;
    }
    if (old_mapped && new_mapped) {
        void *p = mremap(ptr, page_round(old_size), page_round(new_size), MREMAP_MAYMOVE);
        return p == MAP_FAILED ? NULL : p; /* the grown area keeps the advice */
    }
    /* Across the threshold: a new home, a copy, the old one freed. */
    size_t keep = old_size < new_size ? old_size : new_size;
    void *p = new_mapped ? map_zero(new_size) : malloc(new_size ? new_size : 1);
    if (!p) return NULL;
    if (keep) memcpy(p, ptr, keep);
    if (old_mapped)
        munmap(ptr, page_round(old_size));
    else
        free(ptr);
    return p;
}

void bs_sized_free(void *ptr, size_t size)
{
    if (!ptr) return;
    if (size >= SIZED_MAP_BYTES)
        munmap(ptr, page_round(size));
    else
        free(ptr);
}

char *bs_strndup(const char *s, size_t n)
{
    char *copy = bs_malloc(n + 1);
    if (!copy) return NULL;
    memcpy(copy, s, n);
    copy[n] = '\0';
    return copy;
}

char *bs_strdup(const char *s)
{
    return bs_strndup(s, strlen(s));
}
