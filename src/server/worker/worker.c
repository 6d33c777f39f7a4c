/*
 * worker.c — `basalt worker`: a process that joins a coordinator's cluster.
 *
 *   basalt worker --coordinator HOST:PORT [--port P] [--bind ADDR] [--threads N]
 *                 [--memory SIZE] [--node-id ID]
 *
 * It listens on its own port (where the coordinator will reach it), connects to the
 * coordinator's native port, registers (node id, address, version, threads, memory) and
 * sends a heartbeat every NP_HEARTBEAT_MS with its load and memory in use. When the
 * coordinator goes away it tries again every second, so a restarted coordinator gets its
 * workers back; a worker may be started before its coordinator. It runs in the
 * foreground until SIGINT or SIGTERM and then exits 0; a coordinator that refuses it (a
 * different build) makes it exit 1.
 *
 * It prints "basalt worker ID listening on ADDR:PORT" once it listens, and
 * "basalt worker ID registered with HOST:PORT as node N" each time it registers.
 *
 * Tasks: the coordinator sends TASK_CREATE on the control connection; the task manager
 * (task_manager.h) runs them on a pool of --threads threads, within --memory, and serves
 * their output on the worker's port (PAGES_GET), to other workers and the coordinator.
 */
#include "server/roles.h"

#include "common/alloc.h"
#include "common/config.h"
#include "common/threadpool.h"
#include "net/native_proto.h"
#include "net/net.h"
#include "net/task_proto.h"
#include "server/worker/task_manager.h"

#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define WORKER_RETRY_MS 1000

typedef struct Worker {
    EventLoop *loop;
    char *coord_host;
    int coord_port;
    char node_id[160];
    char address[160];
    int threads;
    int64_t memory_limit;
    Connection *control; /* to the coordinator; NULL between attempts */
    bool registered;
    bool stopping;
    bool warned; /* "cannot reach the coordinator" was printed for this outage */
    LoopTimer *heartbeat, *retry;
    TaskManager *tasks;
    atomic_int exit_status; /* 1 once the coordinator refused this worker */
    pid_t main_pid;
} Worker;

static void connect_coordinator(Worker *w);

static void send_register(Worker *w)
{
    Buffer b;
    buffer_init(&b);
    NpRegister m = {.version = NP_PROTOCOL_VERSION,
                    .vector_size = BASALT_VECTOR_SIZE,
                    .node_id = w->node_id,
                    .address = w->address,
                    .node_version = BASALT_VERSION_STRING,
                    .threads = (uint32_t)w->threads,
                    .memory_limit = (uint64_t)w->memory_limit};
    np_put_register(&b, &m);
    if (!np_send(w->control, NP_REGISTER, &b)) conn_abort(w->control);
}

static void on_control_connect(Connection *conn, void *user)
{
    (void)conn;
    send_register(user);
}

static void on_control_frame(Connection *conn, Frame *f, void *user)
{
    Worker *w = user;
    Error err = ERROR_INIT;
    if (f->type == NP_REGISTERED) {
        uint64_t number;
        if (np_get_registered(f->payload, f->len, &number, &err) == BS_OK) {
            w->registered = true;
            w->warned = false;
            task_manager_set_control(w->tasks, conn);
            printf("basalt worker %s registered with %s:%d as node %llu\n", w->node_id,
                   w->coord_host, w->coord_port, (unsigned long long)number);
            fflush(stdout);
        } else {
            conn_abort(conn);
        }
    } else if (w->registered && task_manager_control_frame(w->tasks, f)) {
        /* a task message */
    } else if (f->type == NP_ERROR) {
        Error refused = ERROR_INIT;
        if (np_get_error(f->payload, f->len, &refused, &err) == BS_OK)
            fprintf(stderr, "basalt worker %s: the coordinator refused it: %s\n", w->node_id,
                    refused.message);
        error_clear(&refused);
        /* A coordinator of another build will not take this worker later either. */
        atomic_store(&w->exit_status, 1);
        w->stopping = true;
        kill(w->main_pid, SIGTERM);
    } else {
        conn_abort(conn);
    }
    error_clear(&err);
}

static void on_control_close(Connection *conn, const Error *err, void *user)
{
    Worker *w = user;
    if (w->stopping) {
        /* this worker is leaving */
    } else if (w->registered) {
        fprintf(stderr, "basalt worker %s: lost the coordinator (%s); reconnecting\n", w->node_id,
                err && err->message ? err->message : "it closed the connection");
    } else if (!w->warned && err) {
        fprintf(stderr, "basalt worker %s: cannot reach the coordinator at %s:%d (%s); retrying\n",
                w->node_id, w->coord_host, w->coord_port, err->message);
    }
    w->warned = w->warned || !w->registered;
    if (w->registered) task_manager_set_control(w->tasks, NULL);
    w->registered = false;
    conn_release(conn);
    w->control = NULL;
    if (!w->stopping && w->retry) loop_timer_start(w->retry, WORKER_RETRY_MS, 0);
}

static void connect_coordinator(Worker *w)
{
    ConnCallbacks cb = {.on_connect = on_control_connect,
                        .on_frame = on_control_frame,
                        .on_close = on_control_close};
    Error err = ERROR_INIT;
    w->control = conn_connect(w->loop, w->coord_host, w->coord_port, &cb, w, NULL, &err);
    if (!w->control) {
        fprintf(stderr, "basalt worker %s: %s\n", w->node_id, err.message);
        error_clear(&err);
        loop_timer_start(w->retry, WORKER_RETRY_MS, 0);
    }
}

static void on_retry(LoopTimer *timer, void *user)
{
    (void)timer;
    Worker *w = user;
    if (!w->stopping && !w->control) connect_coordinator(w);
}

static void on_heartbeat(LoopTimer *timer, void *user)
{
    (void)timer;
    Worker *w = user;
    if (!w->control || !w->registered) return;
    double load[1] = {0};
    if (getloadavg(load, 1) < 1) load[0] = 0;
    NpHeartbeat hb = {.load = load[0]};
    task_manager_load(w->tasks, &hb.running_tasks, &hb.memory_used);
    Buffer b;
    buffer_init(&b);
    np_put_heartbeat(&b, &hb);
    np_send(w->control, NP_HEARTBEAT, &b);
    /* What each query holds here: the coordinator sums it over the nodes. */
    Buffer m;
    buffer_init(&m);
    if (task_manager_memory(w->tasks, &m))
        np_send(w->control, TP_MEMORY, &m);
    else
        buffer_free(&m);
}

/* The worker's own port: consumers of its tasks' output. */
static void on_task_frame(Connection *conn, Frame *f, void *user)
{
    Worker *w = user;
    if (task_manager_data_frame(w->tasks, conn, f)) return;
    Error e = ERROR_INIT;
    const char *name = tp_message_name(f->type);
    if (!name) name = np_message_name(f->type);
    if (name)
        error_set(&e, SQLSTATE_PROTOCOL_VIOLATION, -1, "a worker's port takes no %s message", name);
    else
        error_set(&e, SQLSTATE_PROTOCOL_VIOLATION, -1, "unknown message type 0x%02x", f->type);
    np_send_error(conn, &e);
    error_clear(&e);
    conn_close(conn);
}

static void on_task_close(Connection *conn, const Error *err, void *user)
{
    (void)err;
    (void)user;
    conn_release(conn);
}

static void on_task_accept(Listener *listener, Connection *conn, void *user)
{
    (void)listener;
    conn_set_user(conn, user);
}

static void start_on_loop(void *arg)
{
    Worker *w = arg;
    Error err = ERROR_INIT;
    w->heartbeat = loop_timer_create(w->loop, on_heartbeat, w, &err);
    w->retry = w->heartbeat ? loop_timer_create(w->loop, on_retry, w, &err) : NULL;
    error_clear(&err);
    if (!w->retry) return;
    loop_timer_start(w->heartbeat, NP_HEARTBEAT_MS, NP_HEARTBEAT_MS);
    connect_coordinator(w);
}

static void stop_on_loop(void *arg)
{
    Worker *w = arg;
    w->stopping = true;
    /* Its tasks end now: the control connection closes later (on_control_close must not
       reach the task manager, which is freed before the loop). */
    if (w->registered) task_manager_set_control(w->tasks, NULL);
    w->registered = false;
    if (w->control) conn_close(w->control);
}

static void worker_usage(FILE *out)
{
    fprintf(out, "usage: basalt worker --coordinator HOST:PORT [--port P] [--bind ADDR]\n"
                 "                     [--threads N] [--memory SIZE] [--node-id ID]\n");
}

int worker_main(int argc, char **argv)
{
    enum { OPT_COORD = 256, OPT_PORT, OPT_BIND, OPT_THREADS, OPT_MEMORY, OPT_NODE_ID };
    static const struct option long_opts[] = {
        {"coordinator", required_argument, NULL, OPT_COORD},
        {"port", required_argument, NULL, OPT_PORT},
        {"bind", required_argument, NULL, OPT_BIND},
        {"threads", required_argument, NULL, OPT_THREADS},
        {"memory", required_argument, NULL, OPT_MEMORY},
        {"node-id", required_argument, NULL, OPT_NODE_ID},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    Worker w = {.threads = cpu_count(), .main_pid = getpid()};
    atomic_init(&w.exit_status, 0);
    const char *coordinator = NULL, *bind = "0.0.0.0", *node_id = NULL;
    int port = 0;
    Error err = ERROR_INIT;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
        int64_t v;
        switch (c) {
        case OPT_COORD:
            coordinator = optarg;
            break;
        case OPT_PORT:
            if (roles_parse_port(optarg, true, &port, &err) != BS_OK) goto bad_value;
            break;
        case OPT_BIND:
            bind = optarg;
            break;
        case OPT_THREADS:
            if (config_parse_count(optarg, CONFIG_MAX_THREADS, &v, &err) != BS_OK) goto bad_value;
            w.threads = (int)v;
            break;
        case OPT_MEMORY:
            if (config_parse_size(optarg, &v, &err) != BS_OK) goto bad_value;
            w.memory_limit = v;
            break;
        case OPT_NODE_ID:
            node_id = optarg;
            break;
        case 'h':
            worker_usage(stdout);
            return 0;
        default:
            worker_usage(stderr);
            return 2;
        }
        continue;
    bad_value:
        fprintf(stderr, "basalt worker: %s\n", err.message);
        error_clear(&err);
        return 2;
    }
    if (!coordinator || optind < argc) {
        worker_usage(stderr);
        return 2;
    }
    if (roles_parse_address(coordinator, &w.coord_host, &w.coord_port, &err) != BS_OK) {
        fprintf(stderr, "basalt worker: %s\n", err.message);
        error_clear(&err);
        return 2;
    }
    if (w.memory_limit <= 0) w.memory_limit = config_default_memory();
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
    signal(SIGPIPE, SIG_IGN);

    int status = 1;
    Listener *listener = NULL;
    w.loop = loop_create("worker", &err);
    if (w.loop) w.tasks = task_manager_create(w.loop, w.threads, w.memory_limit, &err);
    if (w.tasks) {
        ListenOptions opts = {
            .on_accept = on_task_accept,
            .user = &w,
            .callbacks = {.on_frame = on_task_frame, .on_close = on_task_close},
        };
        listener = listener_open(w.loop, bind, port, &opts, &err);
    }
    if (listener) {
        char host[64];
        if (gethostname(host, sizeof host) != 0) snprintf(host, sizeof host, "localhost");
        host[sizeof host - 1] = '\0';
        const char *advertised = strcmp(bind, "0.0.0.0") == 0 ? host : bind;
        snprintf(w.address, sizeof w.address, "%s:%d", advertised, listener_port(listener));
        snprintf(w.node_id, sizeof w.node_id, "%s", node_id ? node_id : w.address);
        printf("basalt worker %s listening on %s:%d\n", w.node_id, bind, listener_port(listener));
        fflush(stdout);
        loop_call(w.loop, start_on_loop, &w);
        int sig = 0;
        sigwait(&stop_signals, &sig);
        loop_call(w.loop, stop_on_loop, &w);
        status = atomic_load(&w.exit_status);
    } else {
        fprintf(stderr, "basalt worker: %s\n", err.message);
        error_clear(&err);
    }
    if (listener) listener_close(listener);
    task_manager_destroy(w.tasks);
    if (w.loop) loop_destroy(w.loop);
    bs_free(w.coord_host);
    return status;
}
