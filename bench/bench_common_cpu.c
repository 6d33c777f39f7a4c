/*
 * bench_common_cpu.c — how much parallel work this machine does: the same integer loop
 * on 1, 2, … N threads, each thread doing the same amount. With N real cores the wall
 * time stays flat; on hyper-threads or a host that shares its cores with other machines
 * it grows. Prints the throughput of N threads relative to one: the ceiling for the
 * engine's own scaling figures measured on the same machine.
 *
 * Usage: bench_common_cpu [max threads (default 2)] [repeats (default 3)]
 */
#include "common/threadpool.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define LOOP 600000000UL

static void *spin(void *arg)
{
    volatile unsigned long x = 0;
    for (unsigned long i = 0; i < LOOP; i++)
        x += i * i;
    *(unsigned long *)arg = x;
    return NULL;
}

int main(int argc, char **argv)
{
    int max = argc > 1 ? atoi(argv[1]) : 2;
    int repeats = argc > 2 ? atoi(argv[2]) : 3;
    if (max < 1 || max > 256 || repeats < 1) return 2;
    double base = 0;
    for (int n = 1; n <= max; n++) {
        double best = 1e30;
        for (int r = 0; r < repeats; r++) {
            pthread_t threads[256];
            unsigned long sink[256];
            int64_t t0 = clock_now_ns();
            for (int k = 0; k < n; k++)
                pthread_create(&threads[k], NULL, spin, &sink[k]);
            for (int k = 0; k < n; k++)
                pthread_join(threads[k], NULL);
            double ms = (double)(clock_now_ns() - t0) / 1e6;
            if (ms < best) best = ms;
        }
        if (n == 1) base = best;
        printf("%d thread%s: %.1f ms for %d× the work: %.2f× the throughput of one\n", n,
               n == 1 ? " " : "s", best, n, (double)n * base / best);
    }
    return 0;
}
