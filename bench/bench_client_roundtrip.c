/*
 * bench_client_roundtrip — the native protocol end to end, through the C client library:
 *
 *   1. `SELECT 1` round trips (median, p90 and p99 of N, default 1000), each the whole
 *      path: QUERY → parse, plan, run on the coordinator → COLUMNS, PAGE, DONE;
 *   2. a streamed result of 20 M rows × 2 BIGINT columns: rows/s and MB/s of values
 *      received, against the time the coordinator itself measured.
 *
 * Usage: bench_client_roundtrip path/to/basalt [N]
 * It starts `basalt coordinator --threads 2` over a fresh directory on a free loopback
 * port and stops it at the end.
 */
#include "net/client.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Starts the coordinator; returns its port (0 on failure) and its pid in *pid. */
static int start_coordinator(const char *basalt, const char *dir, pid_t *pid)
{
    int out[2];
    if (pipe(out) != 0) return 0;
    *pid = fork();
    if (*pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        dup2(out[1], STDOUT_FILENO);
        close(out[0]);
        execl(basalt, basalt, "coordinator", "--data", dir, "--port", "0", "--bind", "127.0.0.1",
              "--threads", "2", (char *)NULL);
        _exit(127);
    }
    close(out[1]);
    char line[512];
    size_t len = 0;
    while (len + 1 < sizeof line && read(out[0], line + len, 1) == 1 && line[len] != '\n')
        len++;
    line[len] = '\0';
    close(out[0]);
    const char *at = strstr(line, "127.0.0.1:");
    return at ? atoi(at + 10) : 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_client_roundtrip path/to/basalt [N]\n");
        return 2;
    }
    int n = argc > 2 ? atoi(argv[2]) : 1000;
    if (n < 1) n = 1000;
    char dir[] = "/tmp/basalt-bench-rt-XXXXXX";
    if (!mkdtemp(dir)) return 1;
    char data[sizeof dir + 8];
    snprintf(data, sizeof data, "%s/db", dir);
    pid_t pid;
    int port = start_coordinator(argv[1], data, &pid);
    int status = 1;
    BasaltClient *c = NULL;
    Error err = ERROR_INIT;
    if (!port) {
        fprintf(stderr, "the coordinator did not start\n");
        goto done;
    }
    if (basalt_connect("127.0.0.1", port, NULL, &c, &err) != BS_OK) goto failed;

    double *times = malloc(sizeof(double) * (size_t)n);
    for (int k = -10; k < n; k++) { /* 10 warm-up rounds */
        double t0 = now_ms();
        const BasaltColumns *cols;
        const Chunk *chunk;
        if (basalt_query(c, "select 1", 8, &cols, &err) != BS_OK) goto failed;
        do {
            if (basalt_next(c, &chunk, &err) != BS_OK) goto failed;
        } while (chunk);
        if (k >= 0) times[k] = now_ms() - t0;
    }
    qsort(times, (size_t)n, sizeof *times, cmp_double);
    printf("SELECT 1 round trip over %d: median %.3f ms, p90 %.3f ms, p99 %.3f ms\n", n,
           times[n / 2], times[n * 9 / 10], times[n * 99 / 100]);
    free(times);

    const char *sql = "select x, x * 2 from range(20000000) r(x)";
    double t0 = now_ms();
    const BasaltColumns *cols;
    if (basalt_query(c, sql, strlen(sql), &cols, &err) != BS_OK) goto failed;
    uint64_t rows = 0;
    for (;;) {
        const Chunk *chunk;
        if (basalt_next(c, &chunk, &err) != BS_OK) goto failed;
        if (!chunk) break;
        rows += chunk->n_rows;
    }
    double ms = now_ms() - t0;
    const BasaltDone *done = basalt_done(c);
    printf("streamed %llu rows x 2 BIGINT in %.1f ms: %.1f M rows/s, %.0f MB/s of values "
           "(coordinator's own time %.1f ms)\n",
           (unsigned long long)rows, ms, rows / ms / 1e3, rows * 16.0 / ms / 1e3,
           done ? done->elapsed_ms : 0.0);
    status = 0;
    goto done;
failed:
    fprintf(stderr, "error: %s %s\n", err.sqlstate, err.message ? err.message : "");
    error_clear(&err);
done:
    basalt_disconnect(c);
    if (port) {
        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
    }
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) status = 1;
    return status;
}
