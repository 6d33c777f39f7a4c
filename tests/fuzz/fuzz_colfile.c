/* libFuzzer target: opening and scanning an arbitrary column file (footer, blocks). */
#include "common/alloc.h"
#include "storage/storage.h"

#include <stdio.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/basalt-fuzz-colfile-%d.bsc", (int)getpid());
    FILE *f = fopen(path, "wb");
    if (!f) return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    Error err = ERROR_INIT;
    ColumnFileReader *r;
    if (colfile_open(path, NULL, &r, &err) == BS_OK) {
        int n = colfile_n_cols(r);
        int *cols = n > 0 && n < 1024 ? bs_malloc(sizeof(int) * (size_t)n) : NULL;
        LogicalType *types = cols ? bs_malloc(sizeof(LogicalType) * (size_t)n) : NULL;
        Arena *arena = arena_create(NULL, NULL, 0);
        if (cols && types && arena) {
            for (int k = 0; k < n; k++) {
                cols[k] = k;
                types[k] = colfile_col_type(r, k);
            }
            Chunk *chunk = chunk_create(arena, types, n, &err);
            ColumnScan *scan;
            if (chunk && colfile_scan_open(r, cols, n, 0, colfile_n_row_groups(r), NULL, &scan,
                                           &err) == BS_OK) {
                for (;;) {
                    chunk_reset(chunk);
                    if (colfile_scan_next(scan, chunk, &err) != BS_OK || chunk->n_rows == 0) break;
                }
                colfile_scan_close(scan);
            }
        }
        arena_destroy(arena);
        bs_free(cols);
        bs_free(types);
        colfile_close(r);
    }
    error_clear(&err);
    unlink(path);
    return 0;
}
