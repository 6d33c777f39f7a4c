/*
 * Unit tests: the EventLoop (net/loop.c) — posting from many threads, loop_call, timers,
 * and shutdown with work still open.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/threadpool.h"
#include "net/net.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- a counter other threads can wait on, with a deadline ---------------------------- */

typedef struct Waiter {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int count;
} Waiter;

static void waiter_init(Waiter *w)
{
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->cond, NULL);
    w->count = 0;
}

static void waiter_destroy(Waiter *w)
{
    pthread_cond_destroy(&w->cond);
    pthread_mutex_destroy(&w->lock);
}

static void waiter_add(Waiter *w)
{
    pthread_mutex_lock(&w->lock);
    w->count++;
    pthread_cond_broadcast(&w->cond);
    pthread_mutex_unlock(&w->lock);
}

/* True when count reached target within timeout_ms. */
static bool waiter_wait(Waiter *w, int target, int timeout_ms)
{
    int64_t deadline = clock_now_ns() + (int64_t)timeout_ms * 1000000;
    pthread_mutex_lock(&w->lock);
    while (w->count < target && clock_now_ns() < deadline) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 10 * 1000000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&w->cond, &w->lock, &ts);
    }
    bool ok = w->count >= target;
    pthread_mutex_unlock(&w->lock);
    return ok;
}

static EventLoop *make_loop(void)
{
    Error err = ERROR_INIT;
    EventLoop *loop = loop_create("test-loop", &err);
    if (!loop) fail_msg("loop_create: %s", err.message);
    return loop;
}

/* ---- posting ------------------------------------------------------------------------ */

#define POST_THREADS     4
#define POSTS_PER_THREAD 20000

typedef struct PostState PostState;

typedef struct CountTask {
    LoopTask task;
    PostState *st;
    int thread, seq;
} CountTask;

struct PostState {
    EventLoop *loop;
    CountTask tasks[POST_THREADS][POSTS_PER_THREAD];
    /* Loop thread only: plain ints, so TSan flags any access from elsewhere. */
    int last_seq[POST_THREADS];
    int ran, out_of_order, off_loop;
};

static void count_run(LoopTask *task, EventLoop *loop)
{
    CountTask *ct = (CountTask *)task;
    PostState *st = ct->st;
    if (!loop_is_current(loop) || loop != st->loop) st->off_loop++;
    if (ct->seq != st->last_seq[ct->thread] + 1) st->out_of_order++;
    st->last_seq[ct->thread] = ct->seq;
    st->ran++;
}

typedef struct PosterArg {
    PostState *st;
    int thread;
} PosterArg;

static void *poster_main(void *arg)
{
    PosterArg *pa = arg;
    for (int seq = 0; seq < POSTS_PER_THREAD; seq++) {
        CountTask *ct = &pa->st->tasks[pa->thread][seq];
        *ct = (CountTask){.task.run = count_run, .st = pa->st, .thread = pa->thread, .seq = seq};
        loop_post(pa->st->loop, &ct->task);
    }
    return NULL;
}

typedef struct Snapshot {
    PostState *st;
    int ran, out_of_order, off_loop;
    int last_seq[POST_THREADS];
    bool was_current;
} Snapshot;

static void snapshot_fn(void *arg)
{
    Snapshot *snap = arg;
    snap->ran = snap->st->ran;
    snap->out_of_order = snap->st->out_of_order;
    snap->off_loop = snap->st->off_loop;
    memcpy(snap->last_seq, snap->st->last_seq, sizeof snap->last_seq);
    snap->was_current = loop_is_current(snap->st->loop);
}

static void test_post_from_many_threads(void **state)
{
    (void)state;
    PostState *st = calloc(1, sizeof *st);
    assert_non_null(st);
    st->loop = make_loop();
    for (int t = 0; t < POST_THREADS; t++)
        st->last_seq[t] = -1;
    assert_false(loop_is_current(st->loop));
    pthread_t threads[POST_THREADS];
    PosterArg args[POST_THREADS];
    for (int t = 0; t < POST_THREADS; t++) {
        args[t] = (PosterArg){.st = st, .thread = t};
        assert_int_equal(pthread_create(&threads[t], NULL, poster_main, &args[t]), 0);
    }
    for (int t = 0; t < POST_THREADS; t++)
        pthread_join(threads[t], NULL);
    /* The queue is FIFO: a call posted after every post returned runs after them all. */
    Snapshot snap = {.st = st};
    loop_call(st->loop, snapshot_fn, &snap);
    assert_true(snap.was_current);
    assert_int_equal(snap.ran, POST_THREADS * POSTS_PER_THREAD);
    assert_int_equal(snap.out_of_order, 0);
    assert_int_equal(snap.off_loop, 0);
    for (int t = 0; t < POST_THREADS; t++)
        assert_int_equal(snap.last_seq[t], POSTS_PER_THREAD - 1);
    loop_destroy(st->loop);
    free(st);
}

/* A task that posts itself again until it has run `left` more times. */
typedef struct RepostTask {
    LoopTask task;
    int left, runs;
    Waiter *done;
} RepostTask;

static void repost_run(LoopTask *task, EventLoop *loop)
{
    RepostTask *rt = (RepostTask *)task;
    rt->runs++;
    if (rt->left-- > 0)
        loop_post(loop, task);
    else
        waiter_add(rt->done);
}

typedef struct Nested {
    EventLoop *loop;
    bool inner_ran, inner_was_current;
} Nested;

static void nested_inner(void *arg)
{
    Nested *n = arg;
    n->inner_ran = true;
    n->inner_was_current = loop_is_current(n->loop);
}

static void nested_outer(void *arg)
{
    Nested *n = arg;
    loop_call(n->loop, nested_inner, n); /* on the loop thread: runs inline, no deadlock */
}

static void test_repost_and_nested_call(void **state)
{
    (void)state;
    EventLoop *loop = make_loop();
    Waiter done;
    waiter_init(&done);
    RepostTask rt = {.task.run = repost_run, .left = 1000, .done = &done};
    loop_post(loop, &rt.task);
    assert_true(waiter_wait(&done, 1, 10000));
    Nested n = {.loop = loop};
    loop_call(loop, nested_outer, &n);
    assert_true(n.inner_ran);
    assert_true(n.inner_was_current);
    loop_destroy(loop);
    assert_int_equal(rt.runs, 1001);
    waiter_destroy(&done);
}

/* ---- timers ------------------------------------------------------------------------- */

typedef struct TimerState {
    EventLoop *loop;
    LoopTimer *once, *repeat, *forgotten;
    uint64_t started_ms, once_fired_ms;
    int once_fires, repeat_fires;
    Waiter done;
} TimerState;

static void once_fired(LoopTimer *timer, void *user)
{
    TimerState *ts = user;
    assert_ptr_equal(timer, ts->once);
    ts->once_fires++;
    ts->once_fired_ms = loop_now_ms(ts->loop);
    waiter_add(&ts->done);
}

static void repeat_fired(LoopTimer *timer, void *user)
{
    TimerState *ts = user;
    if (++ts->repeat_fires == 5) {
        loop_timer_close(timer); /* closing from its own callback: never fires again */
        waiter_add(&ts->done);
    }
}

static void never_fired(LoopTimer *timer, void *user)
{
    (void)timer;
    (void)user;
    fail_msg("a timer an hour away fired");
}

static void timers_start(void *arg)
{
    TimerState *ts = arg;
    Error err = ERROR_INIT;
    ts->once = loop_timer_create(ts->loop, once_fired, ts, &err);
    ts->repeat = loop_timer_create(ts->loop, repeat_fired, ts, &err);
    ts->forgotten = loop_timer_create(ts->loop, never_fired, ts, &err);
    assert_non_null(ts->once);
    assert_non_null(ts->repeat);
    assert_non_null(ts->forgotten);
    ts->started_ms = loop_now_ms(ts->loop);
    loop_timer_start(ts->once, 30, 0);
    loop_timer_start(ts->repeat, 1, 2);
    loop_timer_start(ts->forgotten, 3600 * 1000, 0);
}

typedef struct TimerCounts {
    TimerState *ts;
    int once_fires, repeat_fires;
} TimerCounts;

static void timers_read(void *arg)
{
    TimerCounts *tc = arg;
    tc->once_fires = tc->ts->once_fires;
    tc->repeat_fires = tc->ts->repeat_fires;
    /* Re-arming after firing works; stopping before it fires keeps it silent. */
    loop_timer_start(tc->ts->once, 10, 0);
    loop_timer_stop(tc->ts->once);
}

static void test_timers(void **state)
{
    (void)state;
    TimerState *ts = calloc(1, sizeof *ts);
    assert_non_null(ts);
    ts->loop = make_loop();
    waiter_init(&ts->done);
    loop_call(ts->loop, timers_start, ts);
    assert_true(waiter_wait(&ts->done, 2, 10000));
    TimerCounts tc = {.ts = ts};
    loop_call(ts->loop, timers_read, &tc);
    assert_int_equal(tc.once_fires, 1);
    assert_int_equal(tc.repeat_fires, 5);
    assert_true(ts->once_fired_ms - ts->started_ms >= 30);
    /* Give a stray fire a chance to show up before the loop goes. */
    struct timespec pause = {0, 50 * 1000000};
    nanosleep(&pause, NULL);
    loop_call(ts->loop, timers_read, &tc);
    assert_int_equal(tc.once_fires, 1);
    assert_int_equal(tc.repeat_fires, 5);
    /* `once` and `forgotten` are still open: loop_destroy closes and frees them. */
    loop_destroy(ts->loop);
    waiter_destroy(&ts->done);
    free(ts);
}

static void test_create_destroy_idle(void **state)
{
    (void)state;
    for (int k = 0; k < 20; k++)
        loop_destroy(make_loop());
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_destroy_idle),
        cmocka_unit_test(test_post_from_many_threads),
        cmocka_unit_test(test_repost_and_nested_call),
        cmocka_unit_test(test_timers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
