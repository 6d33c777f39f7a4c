/*
 * basics.h — the few definitions every Basalt file relies on: index and selection
 * types, the vector size, the Status code and branch hints.
 */
#ifndef BASALT_COMMON_BASICS_H
#define BASALT_COMMON_BASICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Row counts and offsets. */
typedef uint64_t idx_t;
/* One entry of a selection vector: the position of a row inside a vector. */
typedef uint32_t sel_t;

/* Values per vector; a power of two, overridable at build time (CI also builds 2). */
#ifndef BASALT_VECTOR_SIZE
#define BASALT_VECTOR_SIZE 2048
#endif

/* The release: `basalt --version`, and what servers tell their clients. */
#define BASALT_VERSION_STRING "0.1.0"

/* Fallible functions return a Status and fill an Error (common/error.h). */
typedef enum { BS_OK = 0, BS_ERROR = 1 } Status;

#define BS_LIKELY(x)    __builtin_expect(!!(x), 1)
#define BS_UNLIKELY(x)  __builtin_expect(!!(x), 0)
#define BS_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define BS_MIN(a, b)    ((a) < (b) ? (a) : (b))
#define BS_MAX(a, b)    ((a) > (b) ? (a) : (b))
#define BS_UNUSED(x)    ((void)(x))

/* Propagate a failed Status to the caller. */
#define BS_TRY(expr)                                                                               \
    do {                                                                                           \
        if (BS_UNLIKELY((expr) != BS_OK)) return BS_ERROR;                                         \
    } while (0)

#define BS_PRINTF(fmt_idx, args_idx) __attribute__((format(printf, fmt_idx, args_idx)))

#endif
