/*
 * cluster.c — `basalt cluster`: a coordinator and N worker processes on loopback, in the
 * foreground, for one machine.
 *
 *   basalt cluster --data DIR --workers N [--port P] [--threads N] [--memory SIZE]
 *
 * The coordinator runs in this process (as `basalt coordinator` would); each worker is a
 * child process running `basalt worker --coordinator 127.0.0.1:P`, which prints where it
 * listens. Once all have registered the cluster says so. SIGINT or SIGTERM stops them
 * all: the workers get SIGTERM (SIGKILL after 5 s), then the coordinator stops. No
 * process outlives the cluster: every worker asks the kernel for SIGTERM when its parent
 * dies (PR_SET_PDEATHSIG), so even a `kill -9` of the cluster takes its workers along.
 * A worker that dies is reported and not restarted (the coordinator notices and marks it
 * gone); the rest keep serving.
 */
#include "server/roles.h"

#include "common/config.h"
#include "common/threadpool.h"
#include "net/native_proto.h"
#include "server/coordinator/nodes.h"

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define CLUSTER_MAX_WORKERS 64

static void cluster_usage(FILE *out)
{
    fprintf(out, "usage: basalt cluster --data DIR --workers N [--port P] [--threads N]\n"
                 "                      [--memory SIZE] [--max-recursion N]\n");
}

static int64_t mono_ms(void)
{
    return clock_now_ns() / 1000000;
}

/* Starts worker k; its pid, or -1. Only async-signal-safe calls between fork and exec. */
static pid_t spawn_worker(const char *self, char *const *argv, const sigset_t *old_mask)
{
    pid_t pid = fork();
    if (pid != 0) return pid;
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() == 1) _exit(1); /* the cluster died before prctl took effect */
    sigprocmask(SIG_SETMASK, old_mask, NULL);
    execv(self, argv);
    _exit(127);
}

int cluster_main(int argc, char **argv, const char *self_path)
{
    enum { OPT_DATA = 256, OPT_WORKERS, OPT_PORT, OPT_THREADS, OPT_MEMORY, OPT_HTTP, OPT_PG,
           OPT_RECURSION };
    static const struct option long_opts[] = {
        {"data", required_argument, NULL, OPT_DATA},
        {"workers", required_argument, NULL, OPT_WORKERS},
        {"port", required_argument, NULL, OPT_PORT},
        {"threads", required_argument, NULL, OPT_THREADS},
        {"memory", required_argument, NULL, OPT_MEMORY},
        {"max-recursion", required_argument, NULL, OPT_RECURSION},
        {"http-port", required_argument, NULL, OPT_HTTP},
        {"pg-port", required_argument, NULL, OPT_PG},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    EngineConfig config = {.data_dir = "basalt-data"};
    int n_workers = -1, port = NP_DEFAULT_PORT;
    const char *threads = NULL, *memory = NULL;
    Error err = ERROR_INIT;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
        int64_t v;
        switch (c) {
        case OPT_DATA:
            config.data_dir = optarg;
            break;
        case OPT_WORKERS:
            if (config_parse_count(optarg, CLUSTER_MAX_WORKERS, &v, &err) != BS_OK) goto bad_value;
            n_workers = (int)v;
            break;
        case OPT_PORT:
            if (roles_parse_port(optarg, true, &port, &err) != BS_OK) goto bad_value;
            break;
        case OPT_THREADS:
            if (config_parse_count(optarg, CONFIG_MAX_THREADS, &v, &err) != BS_OK) goto bad_value;
            threads = optarg;
            config.threads = (int)v;
            break;
        case OPT_MEMORY:
            if (config_parse_size(optarg, &v, &err) != BS_OK) goto bad_value;
            memory = optarg;
            config.memory_limit = v;
            break;
        case OPT_RECURSION:
            if (config_parse_count(optarg, CONFIG_MAX_RECURSION, &v, &err) != BS_OK) goto bad_value;
            config.max_recursion = v;
            break;
        case OPT_HTTP:
        case OPT_PG:
            fprintf(stderr, "basalt cluster: --%s is not supported yet\n",
                    c == OPT_HTTP ? "http-port" : "pg-port");
            return 2;
        case 'h':
            cluster_usage(stdout);
            return 0;
        default:
            cluster_usage(stderr);
            return 2;
        }
        continue;
    bad_value:
        fprintf(stderr, "basalt cluster: %s\n", err.message);
        error_clear(&err);
        return 2;
    }
    if (n_workers < 1 || optind < argc) {
        cluster_usage(stderr);
        return 2;
    }
    sigset_t old_mask, stop_signals;
    pthread_sigmask(SIG_SETMASK, NULL, &old_mask);
    block_stop_signals(&stop_signals);
    sigaddset(&stop_signals, SIGCHLD);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);

    Coordinator co;
    if (coordinator_start(&co, &config, "127.0.0.1", port, &err) != BS_OK) {
        fprintf(stderr, "basalt cluster: %s\n", err.message);
        error_clear(&err);
        coordinator_stop(&co);
        return 1;
    }
    printf("basalt cluster: coordinator listening on 127.0.0.1:%d (native protocol), data in %s\n",
           co.port, engine_data_dir(co.engine));
    fflush(stdout);

    char address[32], names[CLUSTER_MAX_WORKERS][24];
    snprintf(address, sizeof address, "127.0.0.1:%d", co.port);
    pid_t pids[CLUSTER_MAX_WORKERS];
    int alive = 0;
    for (int k = 0; k < n_workers; k++) {
        snprintf(names[k], sizeof names[k], "worker-%d", k + 1);
        char *wargv[16] = {"basalt", "worker", "--coordinator", address, "--bind", "127.0.0.1",
                           "--node-id", names[k]};
        int n = 8;
        if (threads) {
            wargv[n++] = "--threads";
            wargv[n++] = (char *)threads;
        }
        if (memory) {
            wargv[n++] = "--memory";
            wargv[n++] = (char *)memory;
        }
        wargv[n] = NULL;
        pids[k] = spawn_worker(self_path, wargv, &old_mask);
        if (pids[k] < 0)
            fprintf(stderr, "basalt cluster: cannot start %s: %s\n", names[k], strerror(errno));
        else
            alive++;
    }
    /* Wait (up to 10 s) for every worker to register. */
    int64_t deadline = mono_ms() + 10000;
    while (nodes_active_workers(co.nodes) < alive && mono_ms() < deadline)
        usleep(10000);
    int registered = nodes_active_workers(co.nodes);
    printf("basalt cluster: %d of %d workers registered\n", registered, n_workers);
    fflush(stdout);

    for (;;) {
        int sig = 0;
        sigwait(&stop_signals, &sig);
        if (sig != SIGCHLD) break;
        int status;
        pid_t pid;
        while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
            for (int k = 0; k < n_workers; k++) {
                if (pids[k] != pid) continue;
                pids[k] = -1;
                alive--;
                if (WIFSIGNALED(status))
                    fprintf(stderr, "basalt cluster: %s (pid %d) was killed by signal %d\n",
                            names[k], (int)pid, WTERMSIG(status));
                else
                    fprintf(stderr, "basalt cluster: %s (pid %d) exited with status %d\n",
                            names[k], (int)pid, WEXITSTATUS(status));
            }
        }
    }
    for (int k = 0; k < n_workers; k++)
        if (pids[k] > 0) kill(pids[k], SIGTERM);
    deadline = mono_ms() + 5000;
    while (alive > 0) {
        int status;
        pid_t pid = waitpid(-1, &status, WNOHANG);
        if (pid > 0) {
            for (int k = 0; k < n_workers; k++)
                if (pids[k] == pid) {
                    pids[k] = -1;
                    alive--;
                }
            continue;
        }
        if (pid < 0 && errno == ECHILD) break;
        if (mono_ms() > deadline) {
            for (int k = 0; k < n_workers; k++)
                if (pids[k] > 0) kill(pids[k], SIGKILL);
            deadline = INT64_MAX;
        }
        usleep(10000);
    }
    coordinator_stop(&co);
    return 0;
}
