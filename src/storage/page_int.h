/*
 * page_int.h — the byte layout of pages (chunks serialized for exchanges and spill
 * files; see page.c), the reference for the encoder, the decoder, their tests and the
 * fuzzer.
 *
 * All integers are little-endian and written field by field.
 *
 *   page     := header column{n_cols}
 *   header   := magic "BSPG" | u8 version (1) | u8 flags (0) | u16 reserved (0) |
 *               u32 n_rows | u32 n_cols | u64 page_len (header included) |
 *               u64 XXH64 (seed 0) of the 24 bytes before it                       32 bytes
 *   column   := cheader payload checksum
 *   cheader  := u8 type id | u8 precision | u8 scale (both 0 unless DECIMAL) |
 *               u8 encoding | u8 compression | u8 flags | u16 reserved (0) |
 *               u32 n_values | u32 raw_len | u32 stored_len                          20 bytes
 *   payload  := stored_len bytes: the encoded column (raw_len bytes) as is
 *               (compression NONE: stored_len == raw_len) or as one zstd frame that
 *               records its content size (ZSTD)
 *   checksum := u64 XXH64 (seed 0) of cheader and payload
 *
 * Encodings; n_rows is the page's, n_values the column header's:
 *   PLAIN       values(n_rows)                          n_values == n_rows
 *   CONSTANT    values(1), the value of every row       n_values == 1
 *   DICTIONARY  indices values(n_values)                1 <= n_values <= n_rows
 *               indices: n_rows entries, each < n_values, of page_index_width(n_values)
 *               bytes; row r is value indices[r]
 *   values(n) := validity data
 *   validity  := when flags has PAGE_FLAG_VALIDITY, ceil(n/8) bytes: bit (k & 7) of byte
 *                (k >> 3) is set when value k is not NULL (padding bits are ignored);
 *                otherwise absent and every value is valid. The encoder sets the flag
 *                only when some value is NULL.
 *   data      := n values: BOOLEAN u8 (0 or 1); INTEGER, DATE i32; BIGINT, DECIMAL
 *                (unscaled), TIMESTAMP i64; DOUBLE the IEEE 754 binary64 bits; INTERVAL
 *                i32 months | i32 days | i64 microseconds (16 bytes); HUGEINT and DECIMAL
 *                of more than 18 digits i128 (low 64 bits first); TINYINT i8, SMALLINT
 *                i16, REAL the binary32 bits; VARCHAR n u32
 *                lengths, then the bytes of all n strings back to back. NULL values hold
 *                zeros (empty strings).
 *
 * What the decoder checks before it uses a field: the header's magic, version, zero
 * fields and checksum; page_len against the input; n_rows against BASALT_VECTOR_SIZE;
 * n_cols against the expected count and the bytes left. Per column: that header,
 * payload and checksum lie inside the page, then the checksum, then every field: type
 * (against the expected one), encoding, compression, flags, n_values for the encoding,
 * raw_len against the size the type and n_values imply (VARCHAR: at least that, and
 * no more than the payload can hold), the zstd frame (one frame, content size raw_len,
 * decompressing to exactly raw_len bytes), every dictionary index, and that string
 * lengths add up to the bytes present.
 */
#ifndef BASALT_STORAGE_PAGE_INT_H
#define BASALT_STORAGE_PAGE_INT_H

#include "common/hash.h"
#include "storage/storage_int.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "pages copy fixed-width values in the host's layout, which must be little-endian"
#endif

#define PAGE_MAGIC         "BSPG"
#define PAGE_MAGIC_LEN     4
#define PAGE_VERSION       1
#define PAGE_CHEADER_SIZE  20
#define PAGE_CHECKSUM_SIZE 8
/* The least bytes a column takes: its header and checksum around an empty payload. */
#define PAGE_COLUMN_MIN_SIZE (PAGE_CHEADER_SIZE + PAGE_CHECKSUM_SIZE)

/* Offsets of header fields. */
#define PAGE_OFF_N_ROWS   8
#define PAGE_OFF_N_COLS   12
#define PAGE_OFF_LEN      16
#define PAGE_OFF_CHECKSUM 24

/* Offsets of column header fields. */
#define PAGE_COFF_ENCODING    3
#define PAGE_COFF_COMPRESSION 4
#define PAGE_COFF_FLAGS       5
#define PAGE_COFF_N_VALUES    8
#define PAGE_COFF_RAW_LEN     12
#define PAGE_COFF_STORED_LEN  16

#define PAGE_ENC_PLAIN      1
#define PAGE_ENC_CONSTANT   2
#define PAGE_ENC_DICTIONARY 3

#define PAGE_COMP_NONE 0
#define PAGE_COMP_ZSTD 1

#define PAGE_FLAG_VALIDITY 1

/*
 * A zstd block holds at most 128 KiB and takes at least 4 bytes (an RLE block), so a
 * frame of n bytes cannot hold more than n * 32768: the decoder rejects a raw_len above
 * that before it allocates for it.
 */
#define PAGE_ZSTD_MAX_EXPANSION 32768

/* Bytes per dictionary index for a dictionary of n_values values. */
static inline uint32_t page_index_width(uint32_t n_values)
{
    return n_values <= 256 ? 1 : n_values <= 65536 ? 2 : 4;
}

/* Bytes of a validity section of n values. */
static inline uint32_t page_validity_bytes(uint32_t n)
{
    return (n + 7) / 8;
}

/*
 * Recomputes the header checksum and the checksum of every column whose section lies
 * inside buf (len bytes), walking the columns by their stored lengths. Only for tests and
 * fuzzers that mutate pages behind the checksums, so that the checks after them run.
 */
static inline void page_reseal(uint8_t *buf, size_t len)
{
    if (len < PAGE_HEADER_SIZE) return;
    store_u64le(buf + PAGE_OFF_CHECKSUM, checksum64(buf, PAGE_OFF_CHECKSUM));
    size_t pos = PAGE_HEADER_SIZE;
    while (len - pos >= PAGE_COLUMN_MIN_SIZE) {
        uint32_t stored = load_u32le(buf + pos + PAGE_COFF_STORED_LEN);
        if (stored > len - pos - PAGE_COLUMN_MIN_SIZE) return;
        size_t body = PAGE_CHEADER_SIZE + (size_t)stored;
        store_u64le(buf + pos + body, checksum64(buf + pos, body));
        pos += body + PAGE_CHECKSUM_SIZE;
    }
}

#endif
