/*
 * firstrow.c — runs a command and reports when its output's first lines arrived and when
 * it ended, measured from just before it started, and its peak memory: what a user of a
 * streaming client sees. A tool for bench/tpch/bench.sh, not a benchmark of its own.
 *
 * Usage: firstrow LINES COMMAND [ARG...]
 * Prints: "first LINES lines after X ms, end after Y ms, peak RSS Z MB, W bytes out".
 * The command's output is read and thrown away; its exit status is returned.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: firstrow LINES COMMAND [ARG...]\n");
        return 2;
    }
    long want = atol(argv[1]);
    int fds[2];
    if (pipe(fds) != 0) {
        perror("pipe");
        return 2;
    }
    double t0 = now_ms();
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 2;
    }
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        execvp(argv[2], argv + 2);
        perror(argv[2]);
        _exit(127);
    }
    close(fds[1]);
    char buf[1 << 16];
    long lines = 0;
    unsigned long long bytes = 0;
    double first = -1;
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof buf)) > 0) {
        bytes += (unsigned long long)n;
        if (first < 0) {
            for (ssize_t k = 0; k < n; k++)
                if (buf[k] == '\n' && ++lines >= want) {
                    first = now_ms() - t0;
                    break;
                }
        }
    }
    int status = 0;
    struct rusage ru;
    wait4(pid, &status, 0, &ru);
    double end = now_ms() - t0;
    printf("first %ld lines after %.1f ms, end after %.1f ms, peak RSS %.1f MB, %llu bytes out\n",
           want, first, end, (double)ru.ru_maxrss / 1024.0, bytes);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
