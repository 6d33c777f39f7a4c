/*
 * colfile_int.h — the on-disk layout of Basalt column files (*.bsc) and the reader's
 * in-memory form of a file's footer, shared by the writer, the reader and the scan.
 *
 * All integers are little-endian; "uvarint"/"svarint" are LEB128 / zigzag LEB128 and
 * "lstring" is a uvarint length followed by the bytes (common/buffer.h).
 *
 *   file     := header block* footer trailer
 *   header   := magic "BSLTCOLF" (8 bytes) | u32 version (1) | u32 flags (0)      16 bytes
 *   trailer  := u64 footer_len | u64 footer_xxh64 | u32 version | u32 flags |
 *               magic "BSLTCOLF"                                                    32 bytes
 *
 * Blocks are laid out row group by row group; inside a row group column by column (a
 * column chunk); inside a column chunk block by block. Every column of a row group is
 * cut at the same row boundaries, so block k of all columns covers the same rows.
 *
 *   block    := bheader validity data checksum
 *   bheader  := u8 encoding (1 = PLAIN) | u8 compression (0 = NONE, 1 = ZSTD) |
 *               u8 type id | u8 reserved (0) | u32 value_count | u32 null_count |
 *               u32 validity_bytes | u32 stored_bytes | u32 raw_bytes              24 bytes
 *   validity := validity_bytes bytes, bit (row & 7) of byte (row >> 3) set when the row
 *               is not NULL; absent (0 bytes) when null_count == 0, else
 *               ceil(value_count / 8) bytes
 *   data     := stored_bytes bytes: the PLAIN encoding (raw_bytes long), as is or as
 *               one zstd frame
 *   checksum := u64 XXH64 (seed 0) of bheader, validity and data
 *
 * PLAIN encoding, value_count values (NULL rows hold 0, or an empty string):
 *   BOOLEAN                     u8 each (0 or 1)
 *   INTEGER, DATE               i32 each
 *   BIGINT, DECIMAL, TIMESTAMP  i64 each (DECIMAL unscaled, precision <= 18)
 *   HUGEINT, DECIMAL(19..38,s)  i128 each, low 64 bits first (DECIMAL unscaled)
 *   TINYINT, SMALLINT           i8, i16 each
 *   REAL                        IEEE 754 binary32 each
 *   DOUBLE                      IEEE 754 binary64 each
 *   VARCHAR                     u32 length each, then all the bytes back to back
 *
 * The footer (footer_len bytes, checksummed by the trailer):
 *   uvarint n_cols
 *   n_cols × (lstring name | u8 type id | u8 precision | u8 scale)
 *   uvarint n_rows | uvarint row_group_rows | uvarint block_rows (writer options)
 *   uvarint n_row_groups
 *   n_row_groups × (
 *       uvarint n_rows | uvarint n_blocks | n_blocks × uvarint block_rows
 *       n_cols × ( zone (row group) | n_blocks × (uvarint offset | uvarint size | zone) ) )
 *   n_cols × zone (file)
 *   zone := see zone_put (storage_int.h): uvarint rows | uvarint nulls | u8 has_minmax |
 *           [min | max] in the type's form (u8, svarint, f64 bits, lstring; for the
 *           128-bit types u64 low | u64 high)
 *
 * What the reader validates before trusting it: magic and version at both ends, the
 * footer checksum, every count against the bytes that remain, types, that block rows
 * add up to row-group rows and those to the file's rows, that each block lies between
 * header and footer; and for each block it reads: the checksum, then every header
 * field against the footer and against the sizes the type implies, the zstd frame's
 * decompressed size, the validity's null count, and that string lengths add up.
 */
#ifndef BASALT_STORAGE_COLFILE_INT_H
#define BASALT_STORAGE_COLFILE_INT_H

#include "storage/storage_int.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "column files store values in the host's layout, which must be little-endian"
#endif

#define COLFILE_MAGIC         "BSLTCOLF"
#define COLFILE_MAGIC_LEN     8
#define COLFILE_VERSION       1
#define COLFILE_HEADER_SIZE   16
#define COLFILE_TRAILER_SIZE  32
#define COLFILE_BHEADER_SIZE  24
#define COLFILE_CHECKSUM_SIZE 8

#define COLFILE_ENC_PLAIN 1
#define COLFILE_COMP_NONE 0
#define COLFILE_COMP_ZSTD 1

/* Limits the writer enforces and the reader checks (they bound reader memory). */
#define COLFILE_MAX_BLOCK_ROWS     (1u << 20)
#define COLFILE_MAX_ROW_GROUP_ROWS (1u << 26)
#define COLFILE_MAX_COLS           16384

#define COLFILE_DEFAULT_ROW_GROUP_ROWS 131072
#define COLFILE_DEFAULT_BLOCK_ROWS     16384
#define COLFILE_DEFAULT_ZSTD_LEVEL     3

/* Where one column's block of a row group lies, and what it holds. */
typedef struct ColBlockMeta {
    uint64_t offset;
    uint32_t size;
    ZoneMap zone;
} ColBlockMeta;

typedef struct RowGroupMeta {
    uint64_t first_row;
    uint64_t n_rows;
    uint32_t n_blocks;
    uint32_t *block_rows; /* n_blocks */
    ZoneMap *zones;       /* n_cols: the column over the whole row group */
    ColBlockMeta *blocks; /* n_cols × n_blocks, column-major: [col * n_blocks + block] */
} RowGroupMeta;

/* An open file: its descriptor and its parsed, validated footer (immutable). */
struct ColumnFileReader {
    int fd;
    char *path; /* arena */
    MemTracker *tracker;
    Arena *arena; /* footer bytes and everything parsed from them */
    uint64_t file_size;
    uint64_t footer_offset;
    uint64_t n_rows;
    int n_cols;
    char **names;
    LogicalType *types;
    uint32_t n_row_groups;
    RowGroupMeta *row_groups;
    ZoneMap *file_zones; /* n_cols */
};

/* Bytes of a block's validity bitmap for n rows. */
static inline uint32_t colfile_validity_bytes(uint32_t n_rows)
{
    return (n_rows + 7) / 8;
}

#endif
