/*
 * task_proto.h — the cluster's task and exchange messages: what a coordinator and its
 * workers, and workers among themselves, say to run a query's fragments as tasks. Like
 * native_proto.h it knows no plans: a fragment travels as the bytes the planner
 * serialized, rows as storage/'s pages.
 *
 * One frame is one message. Integers little-endian; strings and byte strings a varint
 * length then bytes.
 *
 *   coordinator → worker (on the worker's control connection, after REGISTERED)
 *     TASK_CREATE  u64 query id, u64 task id, u32 fragment id, u32 task index,
 *                  u32 output partitions, u64 query memory limit (bytes, 0: the worker's),
 *                  u64 output buffer bytes, u8 zstd level of its output pages (0: none),
 *                  bytes fragment (fragment_serialize),
 *                  varint n inputs × (u32 fragment id, u32 partition to read, u64 most
 *                  bytes it may bring in all (0: no bound; a broadcast build side's
 *                  limit), varint n producers × (string address HOST:PORT, string node id,
 *                  u64 task id)),
 *                  varint n writes × (string table, string absolute directory, string
 *                  directory relative to the data dir, string file name prefix): where the
 *                  task's table writers put their files, named PREFIX-N.bsc
 *     TASK_CANCEL  u64 query id: every task of the query stops and is dropped, with its
 *                  buffered output (sent when a query ends, however it ends)
 *     SPLITS       u64 task id, u32 scan node id, u8 no more, varint n ×
 *                  (string path, u32 first row group, u32 row groups)
 *   worker → coordinator
 *     TASK_STATUS  u64 task id, u8 state (TASK_FINISHED, TASK_FAILED), u64 rows out,
 *                  u64 bytes out, u64 wall µs, u64 cpu µs, then for TASK_FAILED an
 *                  ERROR payload (native_proto.h)
 *     SPLITS_GET   u64 task id, u32 scan node id, u32 at most this many
 *     MEMORY       varint n × (u64 query id, u64 bytes): the memory each query's tasks
 *                  hold on the worker, sent with every HEARTBEAT while it runs tasks; the
 *                  coordinator sums it over the nodes against the query's limit
 *     BROADCAST_OVER u64 task id, u32 fragment: the task's input from that fragment
 *                  brought more than its bound (the task then fails with 53I01)
 *     FILES        u64 task id, varint n × (string table, string path relative to the
 *                  data dir, u64 rows): data files the task's writers finished, sent as
 *                  they finish and before the task's TASK_STATUS; the coordinator reads
 *                  their footers and commits them with the statement
 *
 *   consumer (a task on any node) → producer's worker (on the worker's port)
 *     PAGES_GET    u64 reader id, u64 query id, u64 task id, u32 partition, u64 token,
 *                  u32 max bytes. The token is the sequence number of the first page
 *                  wanted; it acknowledges every page before it, which the producer then
 *                  frees. The answer waits until there is a page at or after the token,
 *                  or the partition is complete (a long poll).
 *     BUFFER_ABORT u64 query id, u64 task id, u32 partition: no more pages are needed.
 *   producer → consumer
 *     PAGES        u64 reader id, u64 token (the first page's sequence number), u8 complete
 *                  (no page follows these), varint n × bytes page. A consumer drops pages
 *                  below the token it expects: a page sent twice is taken once.
 *
 * A payload that does not decode exactly is a protocol violation (08P01).
 */
#ifndef BASALT_NET_TASK_PROTO_H
#define BASALT_NET_TASK_PROTO_H

#include "common/arena.h"
#include "common/buffer.h"
#include "common/error.h"

typedef enum TpMessage {
    TP_TASK_CREATE = 'n',
    TP_TASK_CANCEL = 'x',
    TP_SPLITS = 's',
    TP_TASK_STATUS = 't',
    TP_SPLITS_GET = 'g',
    TP_FILES = 'w',
    TP_MEMORY = 'm',
    TP_BROADCAST_OVER = 'o',
    TP_PAGES_GET = 'p',
    TP_BUFFER_ABORT = 'a',
    TP_PAGES = 'P',
} TpMessage;

/* TASK_STATUS states. */
enum { TASK_FINISHED = 1, TASK_FAILED = 2 };

/* A message's name, or NULL for a type that is none of them. */
const char *tp_message_name(uint8_t type);

typedef struct TpProducer {
    const char *address;
    const char *node_id; /* for errors: the worker's name */
    uint64_t task_id;
} TpProducer;

typedef struct TpInput {
    uint32_t fragment;
    uint32_t partition;
    uint64_t max_bytes; /* 0: none */
    uint32_t n_producers;
    TpProducer *producers;
} TpInput;

/* Where a task writes the files of one table. */
typedef struct TpWrite {
    const char *table;
    const char *abs_dir, *rel_dir;
    const char *prefix;
} TpWrite;

typedef struct TpTaskCreate {
    uint64_t query_id, task_id;
    uint32_t fragment_id, task_index, output_partitions;
    uint64_t memory_limit, buffer_bytes;
    uint8_t zstd_level;
    const uint8_t *fragment;
    size_t fragment_len;
    uint32_t n_inputs;
    TpInput *inputs;
    uint32_t n_writes;
    TpWrite *writes;
} TpTaskCreate;

typedef struct TpQueryMemory {
    uint64_t query_id;
    uint64_t bytes;
} TpQueryMemory;

typedef struct TpFile {
    const char *table;
    const char *path; /* relative to the data dir */
    uint64_t rows;
} TpFile;

typedef struct TpFiles {
    uint64_t task_id;
    uint32_t n;
    TpFile *files;
} TpFiles;

typedef struct TpSplit {
    const char *path;
    uint32_t first_row_group, n_row_groups;
} TpSplit;

typedef struct TpSplits {
    uint64_t task_id;
    uint32_t node_id;
    bool no_more;
    uint32_t n;
    TpSplit *splits;
} TpSplits;

typedef struct TpTaskStatus {
    uint64_t task_id;
    uint8_t state;
    uint64_t rows_out, bytes_out, wall_us, cpu_us;
    Error error; /* TASK_FAILED; the decoder fills it (error_clear it) */
} TpTaskStatus;

typedef struct TpPagesGet {
    uint64_t reader_id, query_id, task_id;
    uint32_t partition;
    uint64_t token;
    uint32_t max_bytes;
} TpPagesGet;

typedef struct TpPagesHeader {
    uint64_t reader_id, token;
    bool complete;
    uint32_t n_pages;
} TpPagesHeader;

/* Encoders append one payload (check buffer_ok afterwards). */
void tp_put_task_create(Buffer *buf, const TpTaskCreate *m);
void tp_put_query_id(Buffer *buf, uint64_t query_id); /* TASK_CANCEL */
void tp_put_splits(Buffer *buf, const TpSplits *m);
void tp_put_task_status(Buffer *buf, const TpTaskStatus *m);
void tp_put_splits_get(Buffer *buf, uint64_t task_id, uint32_t node_id, uint32_t max);
void tp_put_broadcast_over(Buffer *buf, uint64_t task_id, uint32_t fragment);
void tp_put_files(Buffer *buf, const TpFiles *m);
void tp_put_memory(Buffer *buf, const TpQueryMemory *entries, uint32_t n);
void tp_put_pages_get(Buffer *buf, const TpPagesGet *m);
void tp_put_buffer_abort(Buffer *buf, uint64_t query_id, uint64_t task_id, uint32_t partition);
/* PAGES: the header; then each page with buffer_put_lstring. */
void tp_put_pages_header(Buffer *buf, const TpPagesHeader *m);

/* Decoders: 08P01 naming the message when the payload is malformed; strings and arrays
   in arena, byte strings pointing into data. */
Status tp_get_task_create(const uint8_t *data, size_t len, Arena *arena, TpTaskCreate *out,
                          Error *err);
Status tp_get_query_id(const uint8_t *data, size_t len, uint64_t *query_id, Error *err);
Status tp_get_splits(const uint8_t *data, size_t len, Arena *arena, TpSplits *out, Error *err);
Status tp_get_task_status(const uint8_t *data, size_t len, TpTaskStatus *out, Error *err);
Status tp_get_broadcast_over(const uint8_t *data, size_t len, uint64_t *task_id, uint32_t *fragment,
                             Error *err);
Status tp_get_splits_get(const uint8_t *data, size_t len, uint64_t *task_id, uint32_t *node_id,
                         uint32_t *max, Error *err);
Status tp_get_files(const uint8_t *data, size_t len, Arena *arena, TpFiles *out, Error *err);
Status tp_get_memory(const uint8_t *data, size_t len, Arena *arena, TpQueryMemory **entries,
                     uint32_t *n, Error *err);
Status tp_get_pages_get(const uint8_t *data, size_t len, TpPagesGet *out, Error *err);
Status tp_get_buffer_abort(const uint8_t *data, size_t len, uint64_t *query_id, uint64_t *task_id,
                           uint32_t *partition, Error *err);
/*
 * PAGES: the header, then calls to tp_next_page for each of its n_pages pages (pointing
 * into data). *offset starts at 0 for the header and is carried between calls.
 */
Status tp_get_pages_header(const uint8_t *data, size_t len, TpPagesHeader *out, size_t *offset,
                           Error *err);
Status tp_next_page(const uint8_t *data, size_t len, size_t *offset, const uint8_t **page,
                    size_t *page_len, Error *err);
/* After the last page: the payload must be consumed exactly. */
Status tp_pages_end(size_t len, size_t offset, Error *err);

#endif
