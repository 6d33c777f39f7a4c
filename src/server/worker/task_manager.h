/*
 * task_manager.h — a worker's tasks: the fragments the coordinator sends it (TASK_CREATE),
 * each run by exec/ on the worker's thread pool with its output in an OutputBuffer that
 * consumers pull from (PAGES_GET on the worker's port), its inputs RemoteInputs, and its
 * splits fetched from the coordinator in small batches as its scans ask (SPLITS_GET), so
 * that a faster worker takes more. When a task ends it reports TASK_STATUS; TASK_CANCEL
 * (a query's end, however it ended) stops and drops every task of the query.
 *
 * Loop thread: every task_manager_* call but task_manager_create/destroy/load.
 */
#ifndef BASALT_SERVER_WORKER_TASK_MANAGER_H
#define BASALT_SERVER_WORKER_TASK_MANAGER_H

#include "net/net.h"

typedef struct TaskManager TaskManager;

TaskManager *task_manager_create(EventLoop *loop, int threads, int64_t memory_limit, Error *err);
/* The connection to the coordinator (NULL when it is lost: every task is cancelled). */
void task_manager_set_control(TaskManager *tm, Connection *control);
/* A frame from the coordinator; false when it is not a task message. */
bool task_manager_control_frame(TaskManager *tm, const Frame *f);
/* A frame on the worker's port (PAGES_GET, BUFFER_ABORT); false when it is none of them. */
bool task_manager_data_frame(TaskManager *tm, Connection *conn, const Frame *f);
/* Any thread: tasks running and memory they hold. */
void task_manager_load(TaskManager *tm, uint32_t *running, uint64_t *memory_used);
/* Loop thread: appends a MEMORY payload (the memory each query's tasks hold here) and
   returns true, or false when no query has a task here. */
bool task_manager_memory(TaskManager *tm, Buffer *out);
/* Cancels every task and waits for them to end; then frees it (not on the loop thread). */
void task_manager_destroy(TaskManager *tm);

#endif
