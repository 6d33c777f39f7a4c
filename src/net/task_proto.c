/*
 * task_proto.c — codecs of the task and exchange messages (layouts in task_proto.h). The
 * decoders trust nothing: lengths are checked against the bytes present, counts against
 * what those bytes could hold, and a payload must be consumed exactly.
 */
#include "net/task_proto.h"

#include "net/native_proto.h"
#include "net/net_int.h"

#include <string.h>

const char *tp_message_name(uint8_t type)
{
    switch (type) {
    case TP_TASK_CREATE:
        return "TASK_CREATE";
    case TP_TASK_CANCEL:
        return "TASK_CANCEL";
    case TP_SPLITS:
        return "SPLITS";
    case TP_TASK_STATUS:
        return "TASK_STATUS";
    case TP_SPLITS_GET:
        return "SPLITS_GET";
    case TP_FILES:
        return "FILES";
    case TP_MEMORY:
        return "MEMORY";
    case TP_BROADCAST_OVER:
        return "BROADCAST_OVER";
    case TP_PAGES_GET:
        return "PAGES_GET";
    case TP_BUFFER_ABORT:
        return "BUFFER_ABORT";
    case TP_PAGES:
        return "PAGES";
    }
    return NULL;
}

void tp_put_task_create(Buffer *buf, const TpTaskCreate *m)
{
    buffer_put_u64(buf, m->query_id);
    buffer_put_u64(buf, m->task_id);
    buffer_put_u32(buf, m->fragment_id);
    buffer_put_u32(buf, m->task_index);
    buffer_put_u32(buf, m->output_partitions);
    buffer_put_u64(buf, m->memory_limit);
    buffer_put_u64(buf, m->buffer_bytes);
    buffer_put_u8(buf, m->zstd_level);
    buffer_put_lstring(buf, (const char *)m->fragment, m->fragment_len);
    buffer_put_uvarint(buf, m->n_inputs);
    for (uint32_t k = 0; k < m->n_inputs; k++) {
        const TpInput *in = &m->inputs[k];
        buffer_put_u32(buf, in->fragment);
        buffer_put_u32(buf, in->partition);
        buffer_put_u64(buf, in->max_bytes);
        buffer_put_uvarint(buf, in->n_producers);
        for (uint32_t p = 0; p < in->n_producers; p++) {
            proto_put_string(buf, in->producers[p].address);
            proto_put_string(buf, in->producers[p].node_id);
            buffer_put_u64(buf, in->producers[p].task_id);
        }
    }
    buffer_put_uvarint(buf, m->n_writes);
    for (uint32_t k = 0; k < m->n_writes; k++) {
        proto_put_string(buf, m->writes[k].table);
        proto_put_string(buf, m->writes[k].abs_dir);
        proto_put_string(buf, m->writes[k].rel_dir);
        proto_put_string(buf, m->writes[k].prefix);
    }
}

void tp_put_query_id(Buffer *buf, uint64_t query_id)
{
    buffer_put_u64(buf, query_id);
}

void tp_put_splits(Buffer *buf, const TpSplits *m)
{
    buffer_put_u64(buf, m->task_id);
    buffer_put_u32(buf, m->node_id);
    buffer_put_u8(buf, m->no_more ? 1 : 0);
    buffer_put_uvarint(buf, m->n);
    for (uint32_t k = 0; k < m->n; k++) {
        proto_put_string(buf, m->splits[k].path);
        buffer_put_u32(buf, m->splits[k].first_row_group);
        buffer_put_u32(buf, m->splits[k].n_row_groups);
    }
}

void tp_put_task_status(Buffer *buf, const TpTaskStatus *m)
{
    buffer_put_u64(buf, m->task_id);
    buffer_put_u8(buf, m->state);
    buffer_put_u64(buf, m->rows_out);
    buffer_put_u64(buf, m->bytes_out);
    buffer_put_u64(buf, m->wall_us);
    buffer_put_u64(buf, m->cpu_us);
    if (m->state == TASK_FAILED) np_put_error(buf, &m->error);
}

void tp_put_splits_get(Buffer *buf, uint64_t task_id, uint32_t node_id, uint32_t max)
{
    buffer_put_u64(buf, task_id);
    buffer_put_u32(buf, node_id);
    buffer_put_u32(buf, max);
}

void tp_put_files(Buffer *buf, const TpFiles *m)
{
    buffer_put_u64(buf, m->task_id);
    buffer_put_uvarint(buf, m->n);
    for (uint32_t k = 0; k < m->n; k++) {
        proto_put_string(buf, m->files[k].table);
        proto_put_string(buf, m->files[k].path);
        buffer_put_u64(buf, m->files[k].rows);
    }
}

void tp_put_memory(Buffer *buf, const TpQueryMemory *entries, uint32_t n)
{
    buffer_put_uvarint(buf, n);
    for (uint32_t k = 0; k < n; k++) {
        buffer_put_u64(buf, entries[k].query_id);
        buffer_put_u64(buf, entries[k].bytes);
    }
}

void tp_put_broadcast_over(Buffer *buf, uint64_t task_id, uint32_t fragment)
{
    buffer_put_u64(buf, task_id);
    buffer_put_u32(buf, fragment);
}

void tp_put_pages_get(Buffer *buf, const TpPagesGet *m)
{
    buffer_put_u64(buf, m->reader_id);
    buffer_put_u64(buf, m->query_id);
    buffer_put_u64(buf, m->task_id);
    buffer_put_u32(buf, m->partition);
    buffer_put_u64(buf, m->token);
    buffer_put_u32(buf, m->max_bytes);
}

void tp_put_buffer_abort(Buffer *buf, uint64_t query_id, uint64_t task_id, uint32_t partition)
{
    buffer_put_u64(buf, query_id);
    buffer_put_u64(buf, task_id);
    buffer_put_u32(buf, partition);
}

void tp_put_pages_header(Buffer *buf, const TpPagesHeader *m)
{
    buffer_put_u64(buf, m->reader_id);
    buffer_put_u64(buf, m->token);
    buffer_put_u8(buf, m->complete ? 1 : 0);
    buffer_put_uvarint(buf, m->n_pages);
}

/* ---- decoding ---- */

/* A count read from r that the bytes left could hold at `min_size` bytes per item. */
static bool get_count(BufReader *r, size_t min_size, uint32_t *out)
{
    uint64_t n = bufreader_uvarint(r);
    if (!bufreader_ok(r) || n > UINT32_MAX || n > bufreader_left(r) / min_size) return false;
    *out = (uint32_t)n;
    return true;
}

Status tp_get_task_create(const uint8_t *data, size_t len, Arena *arena, TpTaskCreate *out,
                          Error *err)
{
    BufReader r;
    bufreader_init(&r, data, len);
    bool oom = false;
    memset(out, 0, sizeof *out);
    out->query_id = bufreader_u64(&r);
    out->task_id = bufreader_u64(&r);
    out->fragment_id = bufreader_u32(&r);
    out->task_index = bufreader_u32(&r);
    out->output_partitions = bufreader_u32(&r);
    out->memory_limit = bufreader_u64(&r);
    out->buffer_bytes = bufreader_u64(&r);
    out->zstd_level = bufreader_u8(&r);
    out->fragment = (const uint8_t *)bufreader_lstring(&r, &out->fragment_len);
    if (!out->fragment || !get_count(&r, 17, &out->n_inputs))
        return proto_malformed(err, "TASK_CREATE");
    out->inputs = arena_alloc_zero(arena, sizeof(TpInput) * (out->n_inputs ? out->n_inputs : 1));
    if (!out->inputs) return arena_error(arena, err);
    for (uint32_t k = 0; k < out->n_inputs; k++) {
        TpInput *in = &out->inputs[k];
        in->fragment = bufreader_u32(&r);
        in->partition = bufreader_u32(&r);
        in->max_bytes = bufreader_u64(&r);
        if (!get_count(&r, 10, &in->n_producers)) return proto_malformed(err, "TASK_CREATE");
        in->producers =
            arena_alloc_zero(arena, sizeof(TpProducer) * (in->n_producers ? in->n_producers : 1));
        if (!in->producers) return arena_error(arena, err);
        for (uint32_t p = 0; p < in->n_producers; p++) {
            in->producers[p].address = proto_get_string(&r, arena, &oom);
            in->producers[p].node_id = proto_get_string(&r, arena, &oom);
            in->producers[p].task_id = bufreader_u64(&r);
            if ((!in->producers[p].address || !in->producers[p].node_id) && !oom)
                return proto_malformed(err, "TASK_CREATE");
        }
    }
    if (!get_count(&r, 4, &out->n_writes)) return proto_malformed(err, "TASK_CREATE");
    out->writes = arena_alloc_zero(arena, sizeof(TpWrite) * (out->n_writes ? out->n_writes : 1));
    if (!out->writes) return arena_error(arena, err);
    for (uint32_t k = 0; k < out->n_writes; k++) {
        TpWrite *w = &out->writes[k];
        w->table = proto_get_string(&r, arena, &oom);
        w->abs_dir = proto_get_string(&r, arena, &oom);
        w->rel_dir = proto_get_string(&r, arena, &oom);
        w->prefix = proto_get_string(&r, arena, &oom);
        if ((!w->table || !w->abs_dir || !w->rel_dir || !w->prefix) && !oom)
            return proto_malformed(err, "TASK_CREATE");
    }
    BS_TRY(proto_finish(&r, arena, oom, "TASK_CREATE", err));
    if (out->output_partitions == 0 || out->zstd_level > 19)
        return proto_malformed(err, "TASK_CREATE");
    return BS_OK;
}

Status tp_get_query_id(const uint8_t *data, size_t len, uint64_t *query_id, Error *err)
{
    BufReader r;
    bufreader_init(&r, data, len);
    *query_id = bufreader_u64(&r);
    if (!bufreader_ok(&r) || bufreader_left(&r) != 0) return proto_malformed(err, "TASK_CANCEL");
    return BS_OK;
}

Status tp_get_splits(const uint8_t *data, size_t len, Arena *arena, TpSplits *out, Error *err)
{
    BufReader r;
    bufreader_init(&r, data, len);
    bool oom = false;
    out->task_id = bufreader_u64(&r);
    out->node_id = bufreader_u32(&r);
    uint8_t no_more = bufreader_u8(&r);
    if (no_more > 1 || !get_count(&r, 9, &out->n)) return proto_malformed(err, "SPLITS");
    out->no_more = no_more == 1;
    out->splits = arena_alloc_zero(arena, sizeof(TpSplit) * (out->n ? out->n : 1));
    if (!out->splits) return arena_error(arena, err);
    for (uint32_t k = 0; k < out->n; k++) {
        out->splits[k].path = proto_get_string(&r, arena, &oom);
        out->splits[k].first_row_group = bufreader_u32(&r);
        out->splits[k].n_row_groups = bufreader_u32(&r);
        if (!out->splits[k].path && !oom) return proto_malformed(err, "SPLITS");
    }
    return proto_finish(&r, arena, oom, "SPLITS", err);
}

Status tp_get_task_status(const uint8_t *data, size_t len, TpTaskStatus *out, Error *err)
{
    BufReader r;
    bufreader_init(&r, data, len);
    out->task_id = bufreader_u64(&r);
    out->state = bufreader_u8(&r);
    out->rows_out = bufreader_u64(&r);
    out->bytes_out = bufreader_u64(&r);
    out->wall_us = bufreader_u64(&r);
    out->cpu_us = bufreader_u64(&r);
    out->error = (Error)ERROR_INIT;
    if (!bufreader_ok(&r) || (out->state != TASK_FINISHED && out->state != TASK_FAILED))
        return proto_malformed(err, "TASK_STATUS");
    size_t used = len - bufreader_left(&r);
    if (out->state == TASK_FINISHED) {
        if (bufreader_left(&r) != 0) return proto_malformed(err, "TASK_STATUS");
        return BS_OK;
    }
    if (np_get_error(data + used, len - used, &out->error, err) != BS_OK) {
        error_clear(err);
        return proto_malformed(err, "TASK_STATUS");
    }
    return BS_OK;
}

Status tp_get_broadcast_over(const uint8_t *data, size_t len, uint64_t *task_id, uint32_t *fragment,
                             Error *err)
{
    BufReader r;
    bufreader_init(&r, data, len);
    *task_id = bufreader_u64(&r);
    *fragment = bufreader_u32(&r);
    if (!bufreader_ok(&r) || bufreader_left(&r) != 0) return proto_malformed(err, "BROADCAST_OVER");
    return BS_OK;
}

Status tp_get_splits_get(const uint8_t *data, size_t len, uint64_t *task_id, uint32_t *node_id,
                         uint32_t *max, Error *err)
{
    BufReader r;
    bufreader_init(&r, data, len);
    *task_id = bufreader_u64(&r);
    *node_id = bufreader_u32(&r);
    *max = bufreader_u32(&r);
    if (!bufreader_ok(&r) || bufreader_left(&r) != 0 || *max == 0)
        return proto_malformed(err, "SPLITS_GET");
    return BS_OK;
}

Status tp_get_files(const uint8_t *data, size_t len, Arena *arena, TpFiles *out, Error *err)
{
    BufReader r;
    bufreader_init(&r, data, len);
    bool oom = false;
    out->task_id = bufreader_u64(&r);
    if (!get_count(&r, 10, &out->n)) return proto_malformed(err, "FILES");
    out->files = arena_alloc_zero(arena, sizeof(TpFile) * (out->n ? out->n : 1));
    if (!out->files) return arena_error(arena, err);
    for (uint32_t k = 0; k < out->n; k++) {
        out->files[k].table = proto_get_string(&r, arena, &oom);
        out->files[k].path = proto_get_string(&r, arena, &oom);
        out->files[k].rows = bufreader_u64(&r);
        if ((!out->files[k].table || !out->files[k].path) && !oom)
            return proto_malformed(err, "FILES");
    }
    return proto_finish(&r, arena, oom, "FILES", err);
}

Status tp_get_memory(const uint8_t *data, size_t len, Arena *arena, TpQueryMemory **entries,
                     uint32_t *n, Error *err)
{
    BufReader r;
    bufreader_init(&r, data, len);
    if (!get_count(&r, 16, n)) return proto_malformed(err, "MEMORY");
    *entries = arena_alloc_zero(arena, sizeof(TpQueryMemory) * (*n ? *n : 1));
    if (!*entries) return arena_error(arena, err);
    for (uint32_t k = 0; k < *n; k++) {
        (*entries)[k].query_id = bufreader_u64(&r);
        (*entries)[k].bytes = bufreader_u64(&r);
    }
    return proto_finish(&r, arena, false, "MEMORY", err);
}

Status tp_get_pages_get(const uint8_t *data, size_t len, TpPagesGet *out, Error *err)
{
    BufReader r;
    bufreader_init(&r, data, len);
    out->reader_id = bufreader_u64(&r);
    out->query_id = bufreader_u64(&r);
    out->task_id = bufreader_u64(&r);
    out->partition = bufreader_u32(&r);
    out->token = bufreader_u64(&r);
    out->max_bytes = bufreader_u32(&r);
    if (!bufreader_ok(&r) || bufreader_left(&r) != 0) return proto_malformed(err, "PAGES_GET");
    return BS_OK;
}

Status tp_get_buffer_abort(const uint8_t *data, size_t len, uint64_t *query_id, uint64_t *task_id,
                           uint32_t *partition, Error *err)
{
    BufReader r;
    bufreader_init(&r, data, len);
    *query_id = bufreader_u64(&r);
    *task_id = bufreader_u64(&r);
    *partition = bufreader_u32(&r);
    if (!bufreader_ok(&r) || bufreader_left(&r) != 0) return proto_malformed(err, "BUFFER_ABORT");
    return BS_OK;
}

Status tp_get_pages_header(const uint8_t *data, size_t len, TpPagesHeader *out, size_t *offset,
                           Error *err)
{
    BufReader r;
    bufreader_init(&r, data, len);
    out->reader_id = bufreader_u64(&r);
    out->token = bufreader_u64(&r);
    uint8_t complete = bufreader_u8(&r);
    if (complete > 1 || !get_count(&r, 1, &out->n_pages)) return proto_malformed(err, "PAGES");
    out->complete = complete == 1;
    *offset = len - bufreader_left(&r);
    return BS_OK;
}

Status tp_next_page(const uint8_t *data, size_t len, size_t *offset, const uint8_t **page,
                    size_t *page_len, Error *err)
{
    if (*offset > len) return proto_malformed(err, "PAGES");
    BufReader r;
    bufreader_init(&r, data + *offset, len - *offset);
    *page = (const uint8_t *)bufreader_lstring(&r, page_len);
    if (!*page) return proto_malformed(err, "PAGES");
    *offset = len - bufreader_left(&r);
    return BS_OK;
}

Status tp_pages_end(size_t len, size_t offset, Error *err)
{
    return offset == len ? BS_OK : proto_malformed(err, "PAGES");
}
