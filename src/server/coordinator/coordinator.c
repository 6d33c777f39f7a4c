/*
 * coordinator.c — `basalt coordinator`: the process that owns the data directory's
 * metastore, accepts clients on the native protocol's port and runs their statements.
 *
 *   basalt coordinator --data DIR [--port P] [--bind ADDR] [--threads N] [--memory SIZE]
 *                      [--max-recursion N] [--local-workers N]
 *
 * It runs in the foreground until SIGINT or SIGTERM; then it stops accepting, cancels the
 * running statements, closes every connection and exits 0. Once it listens it prints one
 * line to stdout, "basalt coordinator listening on ADDR:PORT (native protocol)", which
 * scripts can wait for (with --port 0 it names the port the system chose).
 *
 * Statements run on this process's threads (--local-workers in-process workers) until
 * remote workers register with it; then every query's fragments but its root run as tasks
 * on the workers (scheduler.h), and the root here. Statements that write tables, read CSV
 * files or recurse still run here, planned for as many in-process tasks as there are
 * workers.
 */
#include "server/roles.h"

#include "common/config.h"
#include "net/native_proto.h"
#include "server/coordinator/nodes.h"
#include "server/coordinator/scheduler.h"
#include "server/frontends/native.h"
#include "server/server_int.h"

#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

void block_stop_signals(sigset_t *set)
{
    /* Every thread made from here on inherits the mask: only sigwait sees them. */
    sigemptyset(set);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, set, NULL);
    signal(SIGPIPE, SIG_IGN);
}

Status coordinator_start(Coordinator *co, const EngineConfig *config, const char *bind, int port,
                         Error *err)
{
    memset(co, 0, sizeof *co);
    BS_TRY(engine_open(config, &co->engine, err));
    NodeInfo self = {.threads = (uint32_t)engine_threads(co->engine),
                     .memory_limit = (uint64_t)co->engine->memory_limit};
    snprintf(self.version, sizeof self.version, "%s", BASALT_VERSION_STRING);
    co->loop = loop_create("native", err);
    if (!co->loop) return BS_ERROR;
    co->scheduler = scheduler_create(co->loop, err);
    if (!co->scheduler) return BS_ERROR;
    engine_set_scheduler(co->engine, co->scheduler);
    co->native = NULL;
    /* The coordinator's own row: its address is known once it listens. */
    co->nodes = nodes_create(&self);
    if (!co->nodes) return error_oom(err);
    co->native = native_server_start(co->engine, co->nodes, co->loop, bind, port, err);
    if (!co->native) return BS_ERROR;
    co->port = native_server_port(co->native);
    nodes_set_coordinator_address(co->nodes, bind, co->port);
    engine_set_nodes(co->engine, co->nodes);
    return BS_OK;
}

void coordinator_stop(Coordinator *co)
{
    native_server_stop(co->native);
    if (co->engine) engine_set_scheduler(co->engine, NULL);
    scheduler_destroy(co->scheduler);
    if (co->loop) loop_destroy(co->loop);
    engine_close(co->engine);
    nodes_destroy(co->nodes);
    memset(co, 0, sizeof *co);
}

static void coordinator_usage(FILE *out)
{
    fprintf(out,
            "usage: basalt coordinator --data DIR [--port P] [--bind ADDR] [--threads N]\n"
            "                          [--memory SIZE] [--max-recursion N]\n"
            "\n"
            "  --data DIR       data directory (default ./basalt-data)\n"
            "  --port P         native protocol port (default %d; 0: any free port)\n"
            "  --bind ADDR      address to listen on (default 0.0.0.0: every interface)\n"
            "  --threads N      worker threads (default: number of CPUs)\n"
            "  --memory SIZE    memory limit per query, e.g. 2GB (default: 80%% of RAM)\n"
            "  --local-workers N  in-process workers: tasks per source or partitioned stage,\n"
            "                   exchanging rows as a cluster's would (default 1; for tests)\n",
            NP_DEFAULT_PORT);
}

int coordinator_main(int argc, char **argv)
{
    enum { OPT_DATA = 256, OPT_PORT, OPT_BIND, OPT_THREADS, OPT_MEMORY, OPT_RECURSION,
           OPT_HTTP, OPT_PG, OPT_LOCAL_WORKERS };
    static const struct option long_opts[] = {
        {"data", required_argument, NULL, OPT_DATA},
        {"port", required_argument, NULL, OPT_PORT},
        {"bind", required_argument, NULL, OPT_BIND},
        {"threads", required_argument, NULL, OPT_THREADS},
        {"memory", required_argument, NULL, OPT_MEMORY},
        {"max-recursion", required_argument, NULL, OPT_RECURSION},
        {"http-port", required_argument, NULL, OPT_HTTP},
        {"pg-port", required_argument, NULL, OPT_PG},
        {"local-workers", required_argument, NULL, OPT_LOCAL_WORKERS},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    EngineConfig config = {.data_dir = "basalt-data"};
    const char *bind = "0.0.0.0";
    int port = NP_DEFAULT_PORT;
    Error err = ERROR_INIT;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
        int64_t v;
        switch (c) {
        case OPT_DATA:
            config.data_dir = optarg;
            break;
        case OPT_PORT:
            if (roles_parse_port(optarg, true, &port, &err) != BS_OK) goto bad_value;
            break;
        case OPT_BIND:
            bind = optarg;
            break;
        case OPT_THREADS:
            if (config_parse_count(optarg, CONFIG_MAX_THREADS, &v, &err) != BS_OK) goto bad_value;
            config.threads = (int)v;
            break;
        case OPT_MEMORY:
            if (config_parse_size(optarg, &v, &err) != BS_OK) goto bad_value;
            config.memory_limit = v;
            break;
        case OPT_RECURSION:
            if (config_parse_count(optarg, CONFIG_MAX_RECURSION, &v, &err) != BS_OK) goto bad_value;
            config.max_recursion = v;
            break;
        case OPT_LOCAL_WORKERS:
            if (config_parse_count(optarg, 64, &v, &err) != BS_OK) goto bad_value;
            config.workers = (int)v;
            break;
        case OPT_HTTP:
        case OPT_PG:
            fprintf(stderr, "basalt coordinator: --%s is not supported yet (the %s endpoint)\n",
                    c == OPT_HTTP ? "http-port" : "pg-port",
                    c == OPT_HTTP ? "HTTP" : "PostgreSQL");
            return 2;
        case 'h':
            coordinator_usage(stdout);
            return 0;
        default:
            coordinator_usage(stderr);
            return 2;
        }
        continue;
    bad_value:
        fprintf(stderr, "basalt coordinator: %s\n", err.message);
        error_clear(&err);
        return 2;
    }
    if (optind < argc) {
        fprintf(stderr, "basalt coordinator: unexpected argument \"%s\"\n", argv[optind]);
        return 2;
    }
    Coordinator co;
    sigset_t stop_signals;
    block_stop_signals(&stop_signals);
    if (coordinator_start(&co, &config, bind, port, &err) != BS_OK) {
        fprintf(stderr, "basalt coordinator: %s\n", err.message);
        error_clear(&err);
        coordinator_stop(&co);
        return 1;
    }
    printf("basalt coordinator listening on %s:%d (native protocol), data in %s\n", bind,
           co.port, engine_data_dir(co.engine));
    fflush(stdout);
    int sig = 0;
    sigwait(&stop_signals, &sig);
    coordinator_stop(&co);
    return 0;
}
