/*
 * hash.h — hashing for hash tables, partitioning and checksums (xxhash).
 */
#ifndef BASALT_COMMON_HASH_H
#define BASALT_COMMON_HASH_H

#include "common/basics.h"

#include <xxhash.h>

/* 64-bit hash of bytes (XXH3); stable across processes and versions of Basalt. */
static inline uint64_t hash_bytes(const void *data, size_t len)
{
    return XXH3_64bits(data, len);
}

/* Checksum of a block of bytes (XXH64, seed 0); what files and frames store. */
static inline uint64_t checksum64(const void *data, size_t len)
{
    return XXH64(data, len, 0);
}

/* Hash of a 64-bit integer (the murmur3 finalizer): fast and well mixed. */
static inline uint64_t hash_u64(uint64_t x)
{
    x ^= x >> 33;
    x *= UINT64_C(0xff51afd7ed558ccd);
    x ^= x >> 33;
    x *= UINT64_C(0xc4ceb9fe1a85ec53);
    x ^= x >> 33;
    return x;
}

/* Combines a running hash with the hash of the next column. */
static inline uint64_t hash_combine(uint64_t seed, uint64_t h)
{
    return seed ^ (h + UINT64_C(0x9e3779b97f4a7c15) + (seed << 6) + (seed >> 2));
}

#endif
