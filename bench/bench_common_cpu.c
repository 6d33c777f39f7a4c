/*
 * bench_common_cpu.c — how much parallel work this machine does: the same loop on 1, 2, …
 * N threads, each thread doing the same amount. With N real cores and memory that keeps up
 * the wall time stays flat; on hyper-threads, a host that shares its cores with other
 * machines, or a memory system that one core already saturates, it grows. Prints the
 * throughput of N threads relative to one: the ceiling for the engine's own scaling
 * figures measured on the same machine.
 *
 * Two loops: an integer loop in registers (the ceiling for compute-bound work such as Q1),
 * and read-modify-writes at random places of a private array of 512 KB, 8 MB and 128 MB per
 * thread (the access pattern of a hash table: in cache, in the last-level cache, in DRAM —
 * the ceiling for an aggregation or a join whose table is that large).
 *
 * Usage: bench_common_cpu [max threads (default 2)] [repeats (default 3)]
 */
#include "common/threadpool.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SPIN_LOOP 600000000UL
#define RANDOM_UPDATES 20000000L

typedef struct Work {
    size_t array_bytes; /* 0: the integer loop */
    uint64_t result;
} Work;

static void *spin(void *arg)
{
    volatile unsigned long x = 0;
    for (unsigned long i = 0; i < SPIN_LOOP; i++)
        x += i * i;
    ((Work *)arg)->result = x;
    return NULL;
}

/* RANDOM_UPDATES increments at xorshift-random places of an array of array_bytes. */
static void *random_updates(void *arg)
{
    Work *w = arg;
    size_t n = w->array_bytes / sizeof(uint64_t); /* a power of two */
    uint64_t *a = malloc(n * sizeof *a);
    if (!a) return NULL;
    memset(a, 1, n * sizeof *a);
    uint64_t x = 88172645463325252ULL;
    for (long i = 0; i < RANDOM_UPDATES; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        a[x & (n - 1)] += (uint64_t)i;
    }
    w->result = a[n / 2];
    free(a);
    return NULL;
}

/* Best wall time in ms of `repeats` runs of n threads doing one Work each. */
static double run(int n, int repeats, size_t array_bytes)
{
    double best = 1e30;
    for (int r = 0; r < repeats; r++) {
        pthread_t threads[256];
        Work work[256];
        int64_t t0 = clock_now_ns();
        for (int k = 0; k < n; k++) {
            work[k].array_bytes = array_bytes;
            pthread_create(&threads[k], NULL, array_bytes ? random_updates : spin, &work[k]);
        }
        for (int k = 0; k < n; k++)
            pthread_join(threads[k], NULL);
        double ms = (double)(clock_now_ns() - t0) / 1e6;
        if (ms < best) best = ms;
    }
    return best;
}

int main(int argc, char **argv)
{
    int max = argc > 1 ? atoi(argv[1]) : 2;
    int repeats = argc > 2 ? atoi(argv[2]) : 3;
    if (max < 1 || max > 256 || repeats < 1) return 2;
    static const size_t sizes[] = {0, 512u << 10, 8u << 20, 128u << 20};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        if (sizes[s] == 0)
            printf("integer loop in registers:\n");
        else
            printf("random updates of a %zu KB array per thread:\n", sizes[s] >> 10);
        double base = 0;
        for (int n = 1; n <= max; n++) {
            double best = run(n, repeats, sizes[s]);
            if (n == 1) base = best;
            printf("  %d thread%s: %.1f ms for %d× the work: %.2f× the throughput of one\n", n,
                   n == 1 ? " " : "s", best, n, (double)n * base / best);
        }
    }
    return 0;
}
