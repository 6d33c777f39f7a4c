/*
 * config.h — parsing of settings given on the command line or in SET: sizes and counts.
 */
#ifndef BASALT_COMMON_CONFIG_H
#define BASALT_COMMON_CONFIG_H

#include "common/basics.h"
#include "common/error.h"

/*
 * Parses a byte size: "1073741824", "512MB", "4 GB", "1.5GiB", "100kB" (units are
 * powers of 1024, case-insensitive, B optional). 22023 on a malformed or negative size.
 */
Status config_parse_size(const char *text, int64_t *out, Error *err);
/* Parses a positive integer no larger than max. */
Status config_parse_count(const char *text, int64_t max, int64_t *out, Error *err);
/* The largest --threads, and the largest --max-recursion, the command line takes. */
#define CONFIG_MAX_THREADS   1024
#define CONFIG_MAX_RECURSION (INT64_C(1) << 40)

/* The memory limit when none is given: 80% of physical memory (4 GB if unknown). */
int64_t config_default_memory(void);

#endif
