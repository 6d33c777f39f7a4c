/*
 * arena.h — memory accounting and arenas.
 *
 * MemTracker: a node in the accounting tree (process → query → operator). Reserving
 * bytes charges the node and every ancestor; a reservation that would take any node
 * past its limit fails and charges nothing. Trackers are thread-safe.
 *
 * Arena: a bump allocator in a tree (session → query → operator → chunk), in the manner
 * of PostgreSQL's memory contexts. Destroying or resetting an arena frees its children
 * too; arena memory is never freed piecemeal. Each arena charges its blocks to a tracker.
 * One arena is used by one thread at a time; creating and destroying children of one
 * parent from several threads is safe.
 */
#ifndef BASALT_COMMON_ARENA_H
#define BASALT_COMMON_ARENA_H

#include "common/basics.h"
#include "common/error.h"

#include <stdatomic.h>

typedef struct MemTracker {
    struct MemTracker *parent;
    _Atomic int64_t used;
    _Atomic int64_t peak;
    int64_t limit; /* bytes; 0 means unlimited */
    char name[40];
} MemTracker;

/* Initializes a tracker under `parent` (may be NULL) with `limit` bytes (0: none). */
void memtracker_init(MemTracker *t, MemTracker *parent, const char *name, int64_t limit);
/*
 * Charges `bytes` to t and its ancestors. On success returns NULL; when some node's
 * limit would be exceeded, charges nothing and returns that node.
 */
MemTracker *memtracker_reserve(MemTracker *t, int64_t bytes);
/* Returns bytes to t and its ancestors. */
void memtracker_release(MemTracker *t, int64_t bytes);
static inline int64_t memtracker_used(MemTracker *t)
{
    return atomic_load(&t->used);
}
/*
 * Heap memory outside arenas, charged to a tracker: growable arrays of hash tables and
 * the like (common/alloc.h's sized allocations: big ones are mappings of their own).
 * memtracker_realloc returns NULL (and leaves ptr as it was) when the limit is reached
 * or memory is short; memtracker_free releases `size` bytes, which must be the size the
 * memory was last given.
 */
void *memtracker_realloc(MemTracker *t, void *ptr, size_t old_size, size_t new_size,
                         MemTracker **failed);
/* A zeroed allocation of `size` bytes charged to t; freed with memtracker_free. */
void *memtracker_alloc_zero(MemTracker *t, size_t size, MemTracker **failed);
void memtracker_free(MemTracker *t, void *ptr, size_t size);
/* Fills err with the out-of-memory error for a failed reservation of `requested` bytes. */
Status memtracker_error(MemTracker *failed, int64_t requested, Error *err);
/* Formats a byte count as "12.3 MB" into buf. */
void format_bytes(int64_t bytes, char *buf, size_t size);

typedef struct Arena Arena;

/* Default size of an arena's blocks. */
#define ARENA_DEFAULT_BLOCK (64 * 1024)

/*
 * Creates an arena under `parent` (NULL for a root) charging `tracker` (NULL: the
 * parent's tracker, or none). block_size 0 takes ARENA_DEFAULT_BLOCK. NULL on failure.
 */
Arena *arena_create(Arena *parent, MemTracker *tracker, size_t block_size);
/* Frees the arena, its children and all their memory; unlinks it from its parent. */
void arena_destroy(Arena *arena);
/* Frees all memory and all children, keeping the arena (and its first block) for reuse. */
void arena_reset(Arena *arena);

/*
 * Allocates size bytes aligned to 16. Returns NULL when the tracker's limit is reached or
 * the system is out of memory; arena_error() then tells which.
 */
void *arena_alloc(Arena *arena, size_t size);
void *arena_alloc_zero(Arena *arena, size_t size);
/* Copies of strings into the arena; NULL on failure. */
char *arena_strdup(Arena *arena, const char *s);
char *arena_strndup(Arena *arena, const char *s, size_t n);
char *arena_sprintf(Arena *arena, const char *fmt, ...) BS_PRINTF(2, 3);
void *arena_memdup(Arena *arena, const void *src, size_t size);
/*
 * Grows an allocation made from this arena (old_size bytes) to new_size, copying.
 * The old memory stays in the arena until it dies. NULL on failure.
 */
void *arena_grow(Arena *arena, void *old, size_t old_size, size_t new_size);

/* Bytes of blocks this arena holds (not counting children). */
size_t arena_bytes(const Arena *arena);
MemTracker *arena_tracker(const Arena *arena);
/* Fills err with why the last allocation from this arena failed (53200). */
Status arena_error(Arena *arena, Error *err);

#endif
