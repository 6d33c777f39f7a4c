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
#include <stdint.h>
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

/*
 * Every sized allocation starts with a header saying how big it really is and where it
 * lives, so that freeing and growing do the right thing even when a caller's idea of
 * the size is off (a failure halfway through growing several arrays leaves some bigger
 * than their owner records). The data follows it, 64-byte aligned in a mapping.
 */
typedef struct SizedHeader {
    size_t size; /* bytes of data */
    uint32_t mapped;
    uint32_t magic;
    char pad[48];
} SizedHeader;

#define SIZED_MAGIC 0x5a1ed0a1u

_Static_assert(sizeof(SizedHeader) == 64, "the header keeps data 64-byte aligned");

static SizedHeader *header_of(void *ptr)
{
    return (SizedHeader *)((char *)ptr - sizeof(SizedHeader));
}

static void *map_zero(size_t size)
{
    size_t len = page_round(size + sizeof(SizedHeader));
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return NULL;
    advise_huge(p, len);
    SizedHeader *h = p;
    h->size = size;
    h->mapped = 1;
    h->magic = SIZED_MAGIC;
    return h + 1;
}

static void *heap_alloc(size_t size, bool zero)
{
    SizedHeader *h = zero ? calloc(1, sizeof *h + size) : malloc(sizeof *h + size);
    if (!h) return NULL;
    h->size = size;
    h->mapped = 0;
    h->magic = SIZED_MAGIC;
    return h + 1;
}

void *bs_sized_alloc_zero(size_t size)
{
    if (should_fail()) return NULL;
    return size >= SIZED_MAP_BYTES ? map_zero(size) : heap_alloc(size, true);
}

void *bs_sized_realloc(void *ptr, size_t old_size, size_t new_size)
{
    (void)old_size; /* the header knows */
    if (should_fail()) return NULL;
    if (!ptr) return new_size >= SIZED_MAP_BYTES ? map_zero(new_size) : heap_alloc(new_size, false);
    SizedHeader *h = header_of(ptr);
    bool new_mapped = new_size >= SIZED_MAP_BYTES;
    if (!h->mapped && !new_mapped) {
        SizedHeader *g = realloc(h, sizeof *g + new_size);
        if (!g) return NULL;
        g->size = new_size;
        return g + 1;
    }
    if (h->mapped && new_mapped) {
        size_t len = page_round(h->size + sizeof *h), want = page_round(new_size + sizeof *h);
        SizedHeader *g = len == want ? h : mremap(h, len, want, MREMAP_MAYMOVE);
        if (g == MAP_FAILED) return NULL; /* the grown area keeps the advice */
        g->size = new_size;
        return g + 1;
    }
    /* Across the threshold: a new home, a copy, the old one freed. */
    size_t keep = h->size < new_size ? h->size : new_size;
    void *p = new_mapped ? map_zero(new_size) : heap_alloc(new_size, false);
    if (!p) return NULL;
    if (keep) memcpy(p, ptr, keep);
    bs_sized_free(ptr, h->size);
    return p;
}

void bs_sized_free(void *ptr, size_t size)
{
    (void)size; /* the header knows */
    if (!ptr) return;
    SizedHeader *h = header_of(ptr);
    if (h->mapped)
        munmap(h, page_round(h->size + sizeof *h));
    else
        free(h);
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
