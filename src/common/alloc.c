/*
 * alloc.c — the allocation wrapper and its fault injector.
 */
#include "common/alloc.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

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
