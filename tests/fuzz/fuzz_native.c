/* libFuzzer target: the native protocol's and the task protocol's payload decoders
   (net/native_proto.c, net/task_proto.c). The first byte picks the message; the rest is
   its payload. */
#include "net/native_proto.h"
#include "net/task_proto.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0;
    Arena *arena = arena_create(NULL, NULL, 0);
    if (!arena) return 0;
    const uint8_t *p = data + 1;
    size_t len = size - 1;
    Error err = ERROR_INIT;
    switch (data[0] % 12) {
    case 0: {
        NpHello m;
        np_get_hello(p, len, arena, &m, &err);
        break;
    }
    case 1: {
        NpWelcome m;
        np_get_welcome(p, len, arena, &m, &err);
        break;
    }
    case 2: {
        NpColumns m;
        if (np_get_columns(p, len, arena, &m, &err) == BS_OK)
            for (int k = 0; k < m.n_cols; k++)
                (void)m.names[k][0];
        break;
    }
    case 3: {
        NpDone m;
        np_get_done(p, len, arena, &m, &err);
        break;
    }
    case 4: {
        Error got = ERROR_INIT;
        np_get_error(p, len, &got, &err);
        error_clear(&got);
        break;
    }
    case 6: {
        TpTaskCreate m;
        if (tp_get_task_create(p, len, arena, &m, &err) == BS_OK) {
            for (uint32_t k = 0; k < m.n_inputs; k++)
                for (uint32_t j = 0; j < m.inputs[k].n_producers; j++)
                    (void)m.inputs[k].producers[j].address[0];
            for (uint32_t k = 0; k < m.n_writes; k++)
                (void)m.writes[k].prefix[0];
        }
        break;
    }
    case 7: {
        TpSplits m;
        if (tp_get_splits(p, len, arena, &m, &err) == BS_OK)
            for (uint32_t k = 0; k < m.n; k++)
                (void)m.splits[k].path[0];
        error_clear(&err);
        TpFiles f;
        if (tp_get_files(p, len, arena, &f, &err) == BS_OK)
            for (uint32_t k = 0; k < f.n; k++)
                (void)f.files[k].path[0];
        error_clear(&err);
        TpQueryMemory *mem;
        uint32_t n_mem;
        if (tp_get_memory(p, len, arena, &mem, &n_mem, &err) == BS_OK && n_mem)
            (void)mem[n_mem - 1].bytes;
        break;
    }
    case 8: {
        TpTaskStatus m;
        tp_get_task_status(p, len, &m, &err);
        error_clear(&m.error);
        break;
    }
    case 9: {
        TpPagesGet m;
        tp_get_pages_get(p, len, &m, &err);
        uint64_t a, b;
        uint32_t c, d;
        error_clear(&err);
        tp_get_splits_get(p, len, &a, &c, &d, &err);
        error_clear(&err);
        tp_get_buffer_abort(p, len, &a, &b, &c, &err);
        error_clear(&err);
        tp_get_broadcast_over(p, len, &a, &c, &err);
        break;
    }
    case 10: {
        TpPagesHeader h;
        size_t off;
        if (tp_get_pages_header(p, len, &h, &off, &err) == BS_OK) {
            for (uint32_t k = 0; k < h.n_pages; k++) {
                const uint8_t *page;
                size_t page_len;
                if (tp_next_page(p, len, &off, &page, &page_len, &err) != BS_OK) break;
                if (page_len) (void)page[page_len - 1];
            }
        }
        break;
    }
    default: {
        const char *sql;
        size_t sql_len;
        np_get_query(p, len, &sql, &sql_len, &err);
        break;
    }
    }
    error_clear(&err);
    arena_destroy(arena);
    return 0;
}
