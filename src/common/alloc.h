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
/*
 * Sized allocations for big growing arrays (hash tables and the like): the caller gives
 * the size back on every call. From SIZED_MAP_BYTES on they are mappings of their own,
 * grown in place by the kernel (mremap: nothing is copied, nothing touched twice) and
 * backed by huge pages where the system offers them; smaller ones use malloc.
 * bs_sized_alloc_zero returns zeroed memory; bs_sized_realloc leaves the new part as it
 * is. NULL on failure, with `ptr` unchanged. Each allocation records its own size, so a
 * caller whose size is off (for accounting) still frees and grows it right.
 */
#define SIZED_MAP_BYTES (1u << 20)
void *bs_sized_alloc_zero(size_t size);
void *bs_sized_realloc(void *ptr, size_t old_size, size_t new_size);
void bs_sized_free(void *ptr, size_t size);

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
