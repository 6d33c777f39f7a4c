/* libFuzzer target: the native protocol's payload decoders (net/native_proto.c). The first
   byte picks the message; the rest is its payload. */
#include "net/native_proto.h"

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
    switch (data[0] % 6) {
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
