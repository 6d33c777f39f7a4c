/*
 * alloc.h — the one allocation wrapper. Every heap allocation in Basalt goes through
 * these functions so that tests can inject failures (as SQLite's faultsim does) and so
 * that an allocation failure is an error the caller reports, never a crash.
 */
#ifndef BASALT_COMMON_ALLOC_H
#define BASALT_COMMON_ALLOC_H

#include "common/basics.h"

/* Like malloc/calloc/realloc/free; return NULL on failure (including injected ones). */
void *bs_malloc(size_t size);
void *bs_calloc(size_t count, size_t size);
void *bs_realloc(void *ptr, size_t size);
void bs_free(void *ptr);
/* A heap copy of s (or of its first n bytes, NUL-terminated); NULL on failure. */
char *bs_strdup(const char *s);
char *bs_strndup(const char *s, size_t n);

/*
 * Fault injection for tests: after `countdown` more successful allocations, the next
 * `repeat` allocations fail (repeat < 0: all following ones). countdown < 0 disables.
 * Applies to all threads.
 */
void bs_alloc_fail_after(long countdown, long repeat);
/* How many allocations have failed by injection since the last bs_alloc_fail_after. */
long bs_alloc_injected_failures(void);

#endif
