/*
 * arena.c — memory trackers and the arena tree.
 *
 * An arena is a list of blocks; allocation bumps a pointer in the newest block and starts
 * a new block when it is full. Requests larger than a quarter of the block size get a
 * block of their own, so a big allocation does not waste the rest of a normal block.
 */
#include "common/arena.h"

#include "common/alloc.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

void memtracker_init(MemTracker *t, MemTracker *parent, const char *name, int64_t limit)
{
    t->parent = parent;
    atomic_store(&t->used, 0);
    atomic_store(&t->peak, 0);
    t->limit = limit;
    snprintf(t->name, sizeof t->name, "%s", name ? name : "");
}

MemTracker *memtracker_reserve(MemTracker *t, int64_t bytes)
{
    for (MemTracker *node = t; node; node = node->parent) {
        int64_t now = atomic_fetch_add(&node->used, bytes) + bytes;
        if (node->limit > 0 && now > node->limit) {
            /* Undo this node and those below it. */
            for (MemTracker *undo = t; undo != node->parent; undo = undo->parent)
                atomic_fetch_sub(&undo->used, bytes);
            return node;
        }
        int64_t peak = atomic_load(&node->peak);
        while (now > peak && !atomic_compare_exchange_weak(&node->peak, &peak, now)) {
        }
    }
    return NULL;
}

void memtracker_release(MemTracker *t, int64_t bytes)
{
    for (MemTracker *node = t; node; node = node->parent)
        atomic_fetch_sub(&node->used, bytes);
}

void *memtracker_realloc(MemTracker *t, void *ptr, size_t old_size, size_t new_size,
                         MemTracker **failed)
{
    int64_t delta = (int64_t)new_size - (int64_t)old_size;
    *failed = NULL;
    if (delta > 0 && t) {
        *failed = memtracker_reserve(t, delta);
        if (*failed) return NULL;
    }
    void *p = bs_sized_realloc(ptr, old_size, new_size);
    if (!p) {
        if (delta > 0 && t) memtracker_release(t, delta);
        return NULL;
    }
    if (delta < 0 && t) memtracker_release(t, -delta);
    return p;
}

void *memtracker_alloc_zero(MemTracker *t, size_t size, MemTracker **failed)
{
    *failed = NULL;
    if (t) {
        *failed = memtracker_reserve(t, (int64_t)size);
        if (*failed) return NULL;
    }
    void *p = bs_sized_alloc_zero(size);
    if (!p && t) memtracker_release(t, (int64_t)size);
    return p;
}

void memtracker_free(MemTracker *t, void *ptr, size_t size)
{
    if (!ptr) return;
    bs_sized_free(ptr, size);
    if (t) memtracker_release(t, (int64_t)size);
}

void format_bytes(int64_t bytes, char *buf, size_t size)
{
    static const char *units[] = {"bytes", "kB", "MB", "GB", "TB"};
    double value = (double)bytes;
    int unit = 0;
    while (value >= 1024.0 && unit < 4) {
        value /= 1024.0;
        unit++;
    }
    if (unit == 0)
        snprintf(buf, size, "%lld bytes", (long long)bytes);
    else
        snprintf(buf, size, "%.1f %s", value, units[unit]);
}

Status memtracker_error(MemTracker *failed, int64_t requested, Error *err)
{
    if (!failed) return error_oom(err);
    char limit[32], used[32], req[32];
    format_bytes(failed->limit, limit, sizeof limit);
    format_bytes(atomic_load(&failed->used), used, sizeof used);
    format_bytes(requested, req, sizeof req);
    error_set(err, SQLSTATE_OUT_OF_MEMORY, -1,
              "out of memory: %s memory limit of %s exceeded (%s in use, %s requested)",
              failed->name[0] ? failed->name : "memory", limit, used, req);
    if (strcmp(failed->name, "query") == 0)
        error_set_hint(err, "Raise the limit with SET query_max_memory (up to --memory), or make "
                            "the query use less memory.");
    else
        error_set_hint(err, "Raise the limit with --memory, or make the query use less memory.");
    return BS_ERROR;
}

typedef struct ArenaBlock {
    struct ArenaBlock *next;
    size_t size; /* usable bytes in data[] */
    size_t used;
    _Alignas(16) char data[];
} ArenaBlock;

struct Arena {
    Arena *parent;
    Arena *first_child;
    Arena *prev_sibling, *next_sibling;
    pthread_mutex_t child_lock; /* guards first_child and the children's sibling links */
    MemTracker *tracker;
    ArenaBlock *blocks; /* newest first */
    size_t block_size;
    size_t total;           /* bytes of blocks held */
    MemTracker *failed;     /* tracker that refused the last failed allocation, or NULL */
    int64_t failed_request; /* its size */
};

#define ALIGN16(n) (((n) + 15) & ~(size_t)15)

Arena *arena_create(Arena *parent, MemTracker *tracker, size_t block_size)
{
    Arena *arena = bs_calloc(1, sizeof *arena);
    if (!arena) return NULL;
    pthread_mutex_init(&arena->child_lock, NULL);
    arena->parent = parent;
    arena->tracker = tracker ? tracker : (parent ? parent->tracker : NULL);
    arena->block_size = block_size ? block_size : ARENA_DEFAULT_BLOCK;
    if (parent) {
        pthread_mutex_lock(&parent->child_lock);
        arena->next_sibling = parent->first_child;
        if (parent->first_child) parent->first_child->prev_sibling = arena;
        parent->first_child = arena;
        pthread_mutex_unlock(&parent->child_lock);
    }
    return arena;
}

static void free_blocks(Arena *arena, ArenaBlock *keep)
{
    ArenaBlock *block = arena->blocks;
    while (block) {
        ArenaBlock *next = block->next;
        if (block != keep) {
            size_t bytes = sizeof(ArenaBlock) + block->size;
            if (arena->tracker) memtracker_release(arena->tracker, (int64_t)bytes);
            arena->total -= bytes;
            bs_free(block);
        }
        block = next;
    }
    arena->blocks = keep;
    if (keep) {
        keep->next = NULL;
        keep->used = 0;
    }
}

static void destroy_children(Arena *arena)
{
    for (;;) {
        pthread_mutex_lock(&arena->child_lock);
        Arena *child = arena->first_child;
        pthread_mutex_unlock(&arena->child_lock);
        if (!child) break;
        arena_destroy(child);
    }
}

void arena_destroy(Arena *arena)
{
    if (!arena) return;
    destroy_children(arena);
    if (arena->parent) {
        Arena *parent = arena->parent;
        pthread_mutex_lock(&parent->child_lock);
        if (arena->prev_sibling)
            arena->prev_sibling->next_sibling = arena->next_sibling;
        else
            parent->first_child = arena->next_sibling;
        if (arena->next_sibling) arena->next_sibling->prev_sibling = arena->prev_sibling;
        pthread_mutex_unlock(&parent->child_lock);
    }
    free_blocks(arena, NULL);
    pthread_mutex_destroy(&arena->child_lock);
    bs_free(arena);
}

void arena_reset(Arena *arena)
{
    destroy_children(arena);
    /* Keep the oldest normal-sized block for reuse. */
    ArenaBlock *keep = NULL;
    for (ArenaBlock *block = arena->blocks; block; block = block->next)
        if (block->size == arena->block_size) keep = block;
    free_blocks(arena, keep);
    arena->failed = NULL;
}

static ArenaBlock *new_block(Arena *arena, size_t size)
{
    size_t bytes = sizeof(ArenaBlock) + size;
    if (arena->tracker) {
        MemTracker *failed = memtracker_reserve(arena->tracker, (int64_t)bytes);
        if (failed) {
            arena->failed = failed;
            arena->failed_request = (int64_t)bytes;
            return NULL;
        }
    }
    ArenaBlock *block = bs_malloc(bytes);
    if (!block) {
        if (arena->tracker) memtracker_release(arena->tracker, (int64_t)bytes);
        arena->failed = NULL;
        arena->failed_request = (int64_t)bytes;
        return NULL;
    }
    block->size = size;
    block->used = 0;
    arena->total += bytes;
    return block;
}

void *arena_alloc(Arena *arena, size_t size)
{
    size = ALIGN16(size ? size : 1);
    ArenaBlock *head = arena->blocks;
    if (BS_LIKELY(head && head->size - head->used >= size)) {
        void *p = head->data + head->used;
        head->used += size;
        return p;
    }
    if (size > arena->block_size / 4) {
        /* A block of its own, linked behind the head so the head keeps filling. */
        ArenaBlock *big = new_block(arena, size);
        if (!big) return NULL;
        big->used = size;
        if (head) {
            big->next = head->next;
            head->next = big;
        } else {
            big->next = NULL;
            arena->blocks = big;
        }
        return big->data;
    }
    ArenaBlock *block = new_block(arena, arena->block_size);
    if (!block) return NULL;
    block->next = head;
    arena->blocks = block;
    block->used = size;
    return block->data;
}

void *arena_alloc_zero(Arena *arena, size_t size)
{
    void *p = arena_alloc(arena, size);
    if (p) memset(p, 0, size);
    return p;
}

void *arena_memdup(Arena *arena, const void *src, size_t size)
{
    void *p = arena_alloc(arena, size);
    if (p && size) memcpy(p, src, size);
    return p;
}

char *arena_strndup(Arena *arena, const char *s, size_t n)
{
    char *p = arena_alloc(arena, n + 1);
    if (!p) return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_strdup(Arena *arena, const char *s)
{
    return arena_strndup(arena, s, strlen(s));
}

char *arena_sprintf(Arena *arena, const char *fmt, ...)
{
    va_list ap, copy;
    va_start(ap, fmt);
    va_copy(copy, ap);
    int len = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    char *p = len >= 0 ? arena_alloc(arena, (size_t)len + 1) : NULL;
    if (p) vsnprintf(p, (size_t)len + 1, fmt, ap);
    va_end(ap);
    return p;
}

void *arena_grow(Arena *arena, void *old, size_t old_size, size_t new_size)
{
    if (new_size <= old_size) return old;
    ArenaBlock *head = arena->blocks;
    /* Extend in place when old is the last allocation of the head block. */
    if (old && head && (char *)old + ALIGN16(old_size) == head->data + head->used &&
        head->used - ALIGN16(old_size) + ALIGN16(new_size) <= head->size) {
        head->used = head->used - ALIGN16(old_size) + ALIGN16(new_size);
        return old;
    }
    void *p = arena_alloc(arena, new_size);
    if (p && old && old_size) memcpy(p, old, old_size);
    return p;
}

size_t arena_bytes(const Arena *arena)
{
    return arena->total;
}

MemTracker *arena_tracker(const Arena *arena)
{
    return arena->tracker;
}

Status arena_error(Arena *arena, Error *err)
{
    return memtracker_error(arena->failed, arena->failed_request, err);
}
