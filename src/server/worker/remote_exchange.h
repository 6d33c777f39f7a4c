/*
 * remote_exchange.h — exchanges over the network (net/task_proto.h): exec/'s ExchangeSink
 * and ExchangeSource implemented with pages pulled across processes. exec/ does not know
 * the difference; in one process exchanges still pass chunks by pointer (exec/'s
 * LocalExchange).
 *
 *   producer task ─ OutputBuffer (per partition: pages numbered 0, 1, 2, …) ◀─ PAGES_GET
 *   consumer task ─ RemoteInput  (one per input fragment; pulls from every producer)
 *
 * The consumer pulls: each PAGES_GET carries a token, the number of the first page it
 * wants, which acknowledges every page before it (the producer frees them); a page that
 * arrives twice is dropped. The producer answers when it has a page at or after the token
 * or knows there will be none (a long poll), so nothing polls. Both sides bound what they
 * hold — the buffer its pages (its producers park on a Future while it is full), the input
 * the pages it has received and not yet handed out (it asks for no more until they are
 * read) — so memory stays bounded and a slow consumer slows its producers down. A consumer
 * that needs no more rows sends BUFFER_ABORT; once every partition of a buffer is aborted
 * its sink reports finished and the producing drivers stop.
 *
 * Threads: connections live on one EventLoop; drivers call into buffers and inputs from
 * the thread pool, and nothing ever waits on a socket — a driver that must wait parks on
 * a Future. Pages are encoded and decoded on driver threads, never on the loop's.
 */
#ifndef BASALT_SERVER_WORKER_REMOTE_EXCHANGE_H
#define BASALT_SERVER_WORKER_REMOTE_EXCHANGE_H

#include "exec/exec.h"
#include "net/net.h"
#include "net/task_proto.h"

/* ---- peers: this process's connections to other nodes' ports ---- */

/*
 * The connections a process keeps to workers' ports, one per address, made on first use
 * and shared by every input reading from that worker; PAGES answers are routed to the
 * input that asked by their reader id. A connection that fails fails every input reading
 * through it (08006, naming the address); the next use connects again.
 */
typedef struct PeerPool PeerPool;

PeerPool *peer_pool_create(EventLoop *loop, Error *err);
/* After every input using it is destroyed. */
void peer_pool_destroy(PeerPool *pool);

/* ---- the consumer side ---- */

typedef struct RemoteInput RemoteInput;

/*
 * An input reading `partition` of the output of producer tasks (address, task id) of
 * query `query_id`, rows typed `types`. It buffers at most about max_bytes of received
 * pages. Requests start at once. NULL on error.
 */
RemoteInput *remote_input_create(PeerPool *pool, uint64_t query_id, const TpProducer *producers,
                                 int n_producers, uint32_t partition, const LogicalType *types,
                                 int n_cols, int64_t max_bytes, MemTracker *tracker, Error *err);
/*
 * A handle for one driver (ExchangeSource): each returns the next page decoded into its
 * own chunk. Closing the last handle tells the producers no more pages are needed. Freed
 * with the input.
 */
ExchangeSource *remote_input_open(RemoteInput *in, Error *err);
/* Fails the input with `error` (copied): every handle's next returns it. Any thread. */
void remote_input_fail(RemoteInput *in, const Error *error);
/* Bounds what the input may bring in all (a broadcast build side): past max_bytes it
   fails with `error` (copied). Before the first read. */
void remote_input_limit_total(RemoteInput *in, int64_t max_bytes, const Error *error);
/* Whether it brought more than that bound. */
bool remote_input_over_limit(RemoteInput *in);
/* Stops its requests and frees it (after the drivers reading it have closed). */
void remote_input_destroy(RemoteInput *in);

/* ---- the producer side ---- */

typedef struct OutputBuffer OutputBuffer;

/*
 * A task's output: n_partitions queues of pages (one per consumer task; one for a
 * gather), holding at most about max_bytes before its producers wait; pages compressed
 * with zstd at zstd_level (0: not compressed). Its sink is what the task's ExchangeSink
 * operators send to.
 */
OutputBuffer *output_buffer_create(int n_partitions, int64_t max_bytes, int zstd_level,
                                   MemTracker *tracker, Error *err);
ExchangeSink *output_buffer_sink(OutputBuffer *buf);
void output_buffer_add_producers(OutputBuffer *buf, int n);
/*
 * The task that sends to it has ended: ok, and the pages in it are all there will be
 * (consumers are told so once they have them); or it failed, and its pages are dropped
 * (its consumers are failed by the coordinator, never told they have everything).
 */
void output_buffer_task_done(OutputBuffer *buf, bool ok);
/* A PAGES_GET for this buffer (loop thread): answered now or when pages come. */
void output_buffer_get(OutputBuffer *buf, Connection *conn, const TpPagesGet *get);
/* BUFFER_ABORT for one partition. */
void output_buffer_abort_partition(OutputBuffer *buf, uint32_t partition);
/* Drops every page and wakes the producers (the task is cancelled). */
void output_buffer_abort(OutputBuffer *buf);
/* Rows and bytes of the pages it was sent (statistics). */
void output_buffer_stats(OutputBuffer *buf, uint64_t *rows, uint64_t *bytes);
void output_buffer_destroy(OutputBuffer *buf);

#endif
