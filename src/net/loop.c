/*
 * loop.c — the EventLoop: one libuv loop on its own thread, a task queue other threads
 * post to, timers, and an orderly shutdown.
 *
 * Where it sits: every socket of a Basalt process (exchange transport, control plane,
 * client protocols) lives on an EventLoop; executor threads never wait on a socket, they
 * post work here and are woken through futures. Only the loop thread touches libuv
 * handles.
 *
 * The task queue is a mutex-protected FIFO of embedded LoopTask nodes plus one
 * uv_async_t to wake the loop, so posting never allocates and never fails.
 *
 * Shutdown (loop_destroy, from another thread) posts the stop task behind everything
 * already queued. On the loop thread it:
 *   1. marks the loop stopping (nothing new may open),
 *   2. calls shutdown() on every registered resource — listeners and timers close,
 *      connections abort and report on_close — which starts their uv_close,
 *   3. runs the tasks still queued, then refuses further posts,
 *   4. closes the wakeup handle; uv_run returns once every close callback has run,
 * after which the destroying thread joins the loop thread and frees the loop. Memory of
 * a handle is released only in or after its close callback (libuv's rule).
 */
#include "net/net_int.h"

#include "common/alloc.h"

#include <assert.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct EventLoop {
    uv_loop_t uv;
    uv_async_t wakeup;
    pthread_t thread;
    char name[16];

    /* The task queue, shared with every posting thread. */
    pthread_mutex_t lock;
    LoopTask *head, *tail;
    bool refusing_posts; /* set in shutdown step 3 */

    /* Loop thread only. */
    LoopTask stop_task;
    bool stopping;
    LoopResource resources; /* sentinel of a circular list */
};

/* The loop whose thread this is; NULL on other threads. */
static _Thread_local EventLoop *tls_loop;

/* ---- libuv memory goes through the Basalt allocator ----------------------------------- */

static pthread_once_t g_allocator_once = PTHREAD_ONCE_INIT;

static void install_allocator(void)
{
    /* Fails only when libuv has already allocated; then it keeps malloc, which bs_free
     * (free) matches anyway. */
    (void)uv_replace_allocator(bs_malloc, bs_realloc, bs_calloc, bs_free);
}

/* ---- helpers shared by net/ ------------------------------------------------------------ */

Status net_uv_error(Error *err, const char *sqlstate, int status, const char *fmt, ...)
{
    if (error_is_set(err)) return BS_ERROR;
    va_list ap;
    va_start(ap, fmt);
    char *what = bs_vasprintf(fmt, ap);
    va_end(ap);
    error_set(err, sqlstate, -1, "%s: %s", what ? what : "network error", uv_strerror(status));
    bs_free(what);
    return BS_ERROR;
}

bool net_parse_numeric(const char *host, int port, struct sockaddr_storage *addr)
{
    if (port < 0 || port > 65535) return false;
    memset(addr, 0, sizeof *addr);
    if (uv_ip4_addr(host, port, (struct sockaddr_in *)addr) == 0) return true;
    /* uv_ip6_addr accepts "[::1]"-less forms only; strip brackets if given. */
    char bare[64];
    size_t n = strlen(host);
    if (n >= 2 && host[0] == '[' && host[n - 1] == ']' && n - 2 < sizeof bare) {
        memcpy(bare, host + 1, n - 2);
        bare[n - 2] = '\0';
        host = bare;
    }
    return uv_ip6_addr(host, port, (struct sockaddr_in6 *)addr) == 0;
}

const struct addrinfo *net_pick_addr(const struct addrinfo *res)
{
    const struct addrinfo *pick = NULL;
    for (const struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        if (ai->ai_family == AF_INET) return ai;
        if (!pick && ai->ai_family == AF_INET6) pick = ai;
    }
    return pick;
}

void net_format_addr(const struct sockaddr *addr, char *out, size_t out_size)
{
    char ip[64] = "?";
    if (addr->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)addr;
        uv_ip4_name(in, ip, sizeof ip);
        snprintf(out, out_size, "%s:%u", ip, (unsigned)ntohs(in->sin_port));
    } else if (addr->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)addr;
        uv_ip6_name(in6, ip, sizeof ip);
        snprintf(out, out_size, "[%s]:%u", ip, (unsigned)ntohs(in6->sin6_port));
    } else {
        snprintf(out, out_size, "(address family %d)", (int)addr->sa_family);
    }
}

/* ---- resources --------------------------------------------------------------------- */

void loop_add_resource(EventLoop *loop, LoopResource *res)
{
    assert(loop_is_current(loop) && res->shutdown);
    res->prev = &loop->resources;
    res->next = loop->resources.next;
    loop->resources.next->prev = res;
    loop->resources.next = res;
}

void loop_remove_resource(EventLoop *loop, LoopResource *res)
{
    assert(loop_is_current(loop));
    (void)loop;
    res->prev->next = res->next;
    res->next->prev = res->prev;
    res->next = res->prev = res;
}

bool loop_is_stopping(const EventLoop *loop)
{
    return loop->stopping;
}

uv_loop_t *loop_uv(EventLoop *loop)
{
    return &loop->uv;
}

bool loop_is_current(const EventLoop *loop)
{
    return tls_loop == loop;
}

uint64_t loop_now_ms(const EventLoop *loop)
{
    return uv_now(&loop->uv);
}

/* ---- the task queue ---------------------------------------------------------------- */

void loop_post(EventLoop *loop, LoopTask *task)
{
    task->next = NULL;
    pthread_mutex_lock(&loop->lock);
    /* Posting to a loop that is being destroyed is a programmer error: the contract of
     * loop_destroy is that all other threads have stopped posting. */
    assert(!loop->refusing_posts);
    if (loop->refusing_posts) {
        pthread_mutex_unlock(&loop->lock);
        return;
    }
    bool was_empty = loop->head == NULL;
    if (loop->tail)
        loop->tail->next = task;
    else
        loop->head = task;
    loop->tail = task;
    /* Signal while holding the lock: once refusing_posts is set the handle may be
     * closing, and uv_async_send must never touch a closed handle. One wakeup per
     * non-empty queue is enough: the callback drains everything. */
    if (was_empty) uv_async_send(&loop->wakeup);
    pthread_mutex_unlock(&loop->lock);
}

/* Loop thread: runs every task queued so far (tasks they post run in a later round). */
static void run_posted(EventLoop *loop)
{
    pthread_mutex_lock(&loop->lock);
    LoopTask *list = loop->head;
    loop->head = loop->tail = NULL;
    pthread_mutex_unlock(&loop->lock);
    while (list) {
        LoopTask *task = list;
        list = task->next; /* read before run: the task may be freed or reposted */
        task->next = NULL;
        task->run(task, loop);
    }
}

static void on_wakeup(uv_async_t *handle)
{
    run_posted(handle->data);
}

typedef struct SyncCall {
    LoopTask task;
    void (*fn)(void *arg);
    void *arg;
    pthread_mutex_t lock;
    pthread_cond_t done_cond;
    bool done;
} SyncCall;

static void sync_call_run(LoopTask *task, EventLoop *loop)
{
    (void)loop;
    SyncCall *call = NET_CONTAINER_OF(task, SyncCall, task);
    call->fn(call->arg);
    pthread_mutex_lock(&call->lock);
    call->done = true;
    pthread_cond_signal(&call->done_cond);
    pthread_mutex_unlock(&call->lock);
}

void loop_call(EventLoop *loop, void (*fn)(void *arg), void *arg)
{
    if (loop_is_current(loop)) {
        fn(arg);
        return;
    }
    SyncCall call = {.task.run = sync_call_run, .fn = fn, .arg = arg, .done = false};
    pthread_mutex_init(&call.lock, NULL);
    pthread_cond_init(&call.done_cond, NULL);
    loop_post(loop, &call.task);
    pthread_mutex_lock(&call.lock);
    while (!call.done)
        pthread_cond_wait(&call.done_cond, &call.lock);
    pthread_mutex_unlock(&call.lock);
    pthread_cond_destroy(&call.done_cond);
    pthread_mutex_destroy(&call.lock);
}

/* ---- life cycle -------------------------------------------------------------------- */

static void loop_stop_run(LoopTask *task, EventLoop *loop)
{
    (void)task;
    loop->stopping = true;
    /* shutdown() only starts closing; unregistering happens in close callbacks, later. */
    for (LoopResource *res = loop->resources.next; res != &loop->resources;) {
        LoopResource *next = res->next;
        res->shutdown(res);
        res = next;
    }
    for (;;) {
        pthread_mutex_lock(&loop->lock);
        if (!loop->head) {
            loop->refusing_posts = true;
            pthread_mutex_unlock(&loop->lock);
            break;
        }
        pthread_mutex_unlock(&loop->lock);
        run_posted(loop);
    }
    uv_close((uv_handle_t *)&loop->wakeup, NULL);
}

static void *loop_main(void *arg)
{
    EventLoop *loop = arg;
    tls_loop = loop;
    /* A write to a socket the peer has reset raises SIGPIPE, which would kill the
     * process; blocked in this thread (the only one that writes sockets), the write just
     * fails with EPIPE. The process-wide disposition is left alone. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    pthread_setname_np(pthread_self(), loop->name);
    uv_run(&loop->uv, UV_RUN_DEFAULT);
    tls_loop = NULL;
    return NULL;
}

EventLoop *loop_create(const char *name, Error *err)
{
    pthread_once(&g_allocator_once, install_allocator);
    EventLoop *loop = bs_calloc(1, sizeof *loop);
    if (!loop) {
        error_oom(err);
        return NULL;
    }
    snprintf(loop->name, sizeof loop->name, "%s", name ? name : "basalt-net");
    loop->resources.next = loop->resources.prev = &loop->resources;
    loop->stop_task.run = loop_stop_run;
    int rc = uv_loop_init(&loop->uv);
    if (rc != 0) {
        net_uv_error(err, SQLSTATE_IO_ERROR, rc, "could not create event loop \"%s\"", loop->name);
        bs_free(loop);
        return NULL;
    }
    rc = uv_async_init(&loop->uv, &loop->wakeup, on_wakeup);
    if (rc != 0) {
        net_uv_error(err, SQLSTATE_IO_ERROR, rc, "could not create event loop \"%s\"", loop->name);
        uv_loop_close(&loop->uv);
        bs_free(loop);
        return NULL;
    }
    loop->wakeup.data = loop;
    pthread_mutex_init(&loop->lock, NULL);
    rc = pthread_create(&loop->thread, NULL, loop_main, loop);
    if (rc != 0) {
        error_set(err, SQLSTATE_IO_ERROR, -1, "could not start event loop thread \"%s\": %s",
                  loop->name, strerror(rc));
        /* No thread runs the loop: close the async handle here and let it finish. */
        uv_close((uv_handle_t *)&loop->wakeup, NULL);
        uv_run(&loop->uv, UV_RUN_DEFAULT);
        uv_loop_close(&loop->uv);
        pthread_mutex_destroy(&loop->lock);
        bs_free(loop);
        return NULL;
    }
    return loop;
}

void loop_destroy(EventLoop *loop)
{
    if (!loop) return;
    assert(!loop_is_current(loop)); /* a thread cannot join itself */
    loop_post(loop, &loop->stop_task);
    pthread_join(loop->thread, NULL);
    int rc = uv_loop_close(&loop->uv);
    assert(rc == 0); /* every handle was closed by its owner's shutdown() */
    (void)rc;
    pthread_mutex_destroy(&loop->lock);
    bs_free(loop);
}

/* ---- timers ------------------------------------------------------------------------ */

struct LoopTimer {
    LoopResource res;
    EventLoop *loop;
    uv_timer_t handle;
    LoopTimerFn fn;
    void *user;
    bool closing;
};

static void timer_fired(uv_timer_t *handle)
{
    LoopTimer *timer = handle->data;
    timer->fn(timer, timer->user);
}

static void timer_closed(uv_handle_t *handle)
{
    LoopTimer *timer = handle->data;
    loop_remove_resource(timer->loop, &timer->res);
    bs_free(timer);
}

static void timer_shutdown(LoopResource *res)
{
    loop_timer_close(NET_CONTAINER_OF(res, LoopTimer, res));
}

LoopTimer *loop_timer_create(EventLoop *loop, LoopTimerFn fn, void *user, Error *err)
{
    assert(loop_is_current(loop) && fn);
    if (loop->stopping) {
        error_set(err, NET_SQLSTATE_CONNECTION_FAILURE, -1, "event loop \"%s\" is shutting down",
                  loop->name);
        return NULL;
    }
    LoopTimer *timer = bs_calloc(1, sizeof *timer);
    if (!timer) {
        error_oom(err);
        return NULL;
    }
    int rc = uv_timer_init(&loop->uv, &timer->handle);
    if (rc != 0) {
        bs_free(timer);
        net_uv_error(err, SQLSTATE_IO_ERROR, rc, "could not create a timer");
        return NULL;
    }
    timer->loop = loop;
    timer->fn = fn;
    timer->user = user;
    timer->handle.data = timer;
    timer->res.shutdown = timer_shutdown;
    loop_add_resource(loop, &timer->res);
    return timer;
}

void loop_timer_start(LoopTimer *timer, uint64_t timeout_ms, uint64_t repeat_ms)
{
    assert(loop_is_current(timer->loop));
    if (timer->closing) return;
    uv_timer_start(&timer->handle, timer_fired, timeout_ms, repeat_ms);
}

void loop_timer_stop(LoopTimer *timer)
{
    assert(loop_is_current(timer->loop));
    if (timer->closing) return;
    uv_timer_stop(&timer->handle);
}

void loop_timer_close(LoopTimer *timer)
{
    assert(loop_is_current(timer->loop));
    if (timer->closing) return;
    timer->closing = true;
    uv_close((uv_handle_t *)&timer->handle, timer_closed);
}
