/* libFuzzer target: the CSV reader (every column type) on an arbitrary file. */
#include "storage/storage.h"

#include <stdio.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/basalt-fuzz-csv-%d.csv", (int)getpid());
    FILE *f = fopen(path, "wb");
    if (!f) return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    LogicalType types[7] = {type_make(TYPE_INTEGER),  type_make(TYPE_VARCHAR),
                            type_decimal(10, 2),      type_make(TYPE_DATE),
                            type_make(TYPE_DOUBLE),   type_make(TYPE_BOOLEAN),
                            type_make(TYPE_TIMESTAMP)};
    CsvOptions opts;
    csv_default_options(&opts);
    opts.header = size > 0 && data[0] & 1;
    opts.delimiter = size > 1 && data[1] & 1 ? '|' : ',';
    Error err = ERROR_INIT;
    CsvReader *r;
    Arena *arena = arena_create(NULL, NULL, 0);
    Chunk *chunk = arena ? chunk_create(arena, types, 7, &err) : NULL;
    if (chunk && csv_open(path, &opts, types, 7, NULL, &r, &err) == BS_OK) {
        for (;;) {
            chunk_reset(chunk);
            if (csv_next(r, chunk, &err) != BS_OK || chunk->n_rows == 0) break;
        }
        csv_close(r);
    }
    error_clear(&err);
    arena_destroy(arena);
    unlink(path);
    return 0;
}
