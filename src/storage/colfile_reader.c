/*
 * colfile_reader.c — opens column files: checks the magic and version at both ends,
 * verifies the footer's checksum and parses it into the reader's metadata (schema,
 * row groups, block offsets, zone maps), validating every count, size and offset
 * before anything is allocated or read by it. Scans (colfile_scan.c) then read blocks
 * through that metadata only.
 *
 * Every defect found in a file's bytes is reported as XX001 "column file "<path>" is
 * damaged: <what>"; a file that does not exist as 58P01.
 */
#include "storage/colfile_int.h"

#include "common/hash.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Fills err with XX001 for a damaged file. */
static Status damaged(Error *err, const char *path, const char *fmt, ...) BS_PRINTF(3, 4);

static Status damaged(Error *err, const char *path, const char *fmt, ...)
{
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return error_set(err, SQLSTATE_DATA_CORRUPTED, -1, "column file \"%s\" is damaged: %s", path,
                     what);
}

/* Parses the schema part of the footer. */
static Status parse_schema(ColumnFileReader *r, BufReader *rd, Error *err)
{
    uint64_t n_cols = bufreader_uvarint(rd);
    /* Each column takes at least 4 bytes (empty name, 3 type bytes). */
    if (!bufreader_ok(rd) || n_cols < 1 || n_cols > COLFILE_MAX_COLS ||
        n_cols > bufreader_left(rd) / 4)
        return damaged(err, r->path, "bad column count");
    r->n_cols = (int)n_cols;
    r->names = arena_alloc(r->arena, sizeof(char *) * n_cols);
    r->types = arena_alloc(r->arena, sizeof(LogicalType) * n_cols);
    r->file_zones = arena_alloc(r->arena, sizeof(ZoneMap) * n_cols);
    if (!r->names || !r->types || !r->file_zones) return arena_error(r->arena, err);
    for (int col = 0; col < r->n_cols; col++) {
        size_t len;
        const char *name = bufreader_lstring(rd, &len);
        LogicalType type = {0};
        type.id = bufreader_u8(rd);
        type.precision = bufreader_u8(rd);
        type.scale = bufreader_u8(rd);
        if (type.id == TYPE_ARRAY) type.child = bufreader_u8(rd);
        if (!bufreader_ok(rd) || (len && memchr(name, '\0', len)))
            return damaged(err, r->path, "bad name of column %d", col + 1);
        if (!storage_type_valid(type) ||
            (type.id != TYPE_DECIMAL && type.child != TYPE_DECIMAL &&
             (type.precision != 0 || type.scale != 0)))
            return damaged(err, r->path, "bad type of column %d", col + 1);
        r->names[col] = arena_strndup(r->arena, len ? name : "", len);
        if (!r->names[col]) return arena_error(r->arena, err);
        r->types[col] = type;
    }
    return BS_OK;
}

/* Parses one row group's entry; *first_row is where it starts and advances past it. */
static Status parse_row_group(ColumnFileReader *r, BufReader *rd, uint32_t index,
                              uint64_t *first_row, Error *err)
{
    RowGroupMeta *rg = &r->row_groups[index];
    rg->first_row = *first_row;
    rg->n_rows = bufreader_uvarint(rd);
    uint64_t n_blocks = bufreader_uvarint(rd);
    if (!bufreader_ok(rd) || rg->n_rows < 1 || rg->n_rows > COLFILE_MAX_ROW_GROUP_ROWS ||
        n_blocks < 1 || n_blocks > rg->n_rows || n_blocks > bufreader_left(rd))
        return damaged(err, r->path, "bad size of row group %u", index);
    /* Every block of every column takes at least 5 bytes (offset, size, zone). */
    if ((uint64_t)r->n_cols * n_blocks > bufreader_left(rd) / 5)
        return damaged(err, r->path, "bad block count in row group %u", index);
    rg->n_blocks = (uint32_t)n_blocks;
    rg->block_rows = arena_alloc(r->arena, sizeof(uint32_t) * n_blocks);
    rg->zones = arena_alloc(r->arena, sizeof(ZoneMap) * (size_t)r->n_cols);
    rg->blocks = arena_alloc(r->arena, sizeof(ColBlockMeta) * (size_t)r->n_cols * n_blocks);
    if (!rg->block_rows || !rg->zones || !rg->blocks) return arena_error(r->arena, err);
    uint64_t sum = 0;
    for (uint32_t b = 0; b < rg->n_blocks; b++) {
        uint64_t rows = bufreader_uvarint(rd);
        if (!bufreader_ok(rd) || rows < 1 || rows > COLFILE_MAX_BLOCK_ROWS)
            return damaged(err, r->path, "bad size of block %u in row group %u", b, index);
        rg->block_rows[b] = (uint32_t)rows;
        sum += rows;
    }
    if (sum != rg->n_rows)
        return damaged(err, r->path, "block sizes of row group %u do not add up", index);
    for (int col = 0; col < r->n_cols; col++) {
        ZoneMap *zone = &rg->zones[col];
        if (!zone_get(rd, r->types[col], zone) || zone->row_count != rg->n_rows)
            return damaged(err, r->path, "bad zone map of column %d in row group %u", col + 1,
                           index);
        uint64_t nulls = 0;
        for (uint32_t b = 0; b < rg->n_blocks; b++) {
            ColBlockMeta *bm = &rg->blocks[(size_t)col * rg->n_blocks + b];
            bm->offset = bufreader_uvarint(rd);
            uint64_t size = bufreader_uvarint(rd);
            if (!bufreader_ok(rd) || bm->offset < COLFILE_HEADER_SIZE ||
                size < COLFILE_BHEADER_SIZE + COLFILE_CHECKSUM_SIZE || size > UINT32_MAX ||
                bm->offset > r->footer_offset || size > r->footer_offset - bm->offset)
                return damaged(err, r->path, "bad offset of block %u of column %d in row group %u",
                               b, col + 1, index);
            bm->size = (uint32_t)size;
            if (!zone_get(rd, r->types[col], &bm->zone) || bm->zone.row_count != rg->block_rows[b])
                return damaged(err, r->path,
                               "bad zone map of block %u of column %d in row group %u", b, col + 1,
                               index);
            nulls += bm->zone.null_count;
        }
        if (nulls != zone->null_count)
            return damaged(err, r->path, "null counts of column %d in row group %u do not add up",
                           col + 1, index);
    }
    *first_row += rg->n_rows;
    return BS_OK;
}

/* Parses the whole footer (already checksummed) into r. */
static Status parse_footer(ColumnFileReader *r, const uint8_t *footer, size_t len, Error *err)
{
    BufReader rd;
    bufreader_init(&rd, footer, len);
    BS_TRY(parse_schema(r, &rd, err));
    r->n_rows = bufreader_uvarint(&rd);
    uint64_t opt_rg_rows = bufreader_uvarint(&rd);
    uint64_t opt_block_rows = bufreader_uvarint(&rd);
    uint64_t n_rg = bufreader_uvarint(&rd);
    /* Every row group takes at least 3 bytes. */
    if (!bufreader_ok(&rd) || opt_rg_rows > COLFILE_MAX_ROW_GROUP_ROWS ||
        opt_block_rows > COLFILE_MAX_BLOCK_ROWS || n_rg > bufreader_left(&rd) / 3 ||
        n_rg > UINT32_MAX || (n_rg == 0) != (r->n_rows == 0))
        return damaged(err, r->path, "bad row group count");
    r->n_row_groups = (uint32_t)n_rg;
    r->row_groups = arena_alloc_zero(r->arena, sizeof(RowGroupMeta) * (n_rg ? n_rg : 1));
    if (!r->row_groups) return arena_error(r->arena, err);
    uint64_t rows = 0;
    for (uint32_t index = 0; index < r->n_row_groups; index++)
        BS_TRY(parse_row_group(r, &rd, index, &rows, err));
    if (rows != r->n_rows) return damaged(err, r->path, "row group sizes do not add up");
    for (int col = 0; col < r->n_cols; col++) {
        ZoneMap *zone = &r->file_zones[col];
        uint64_t nulls = 0;
        for (uint32_t index = 0; index < r->n_row_groups; index++)
            nulls += r->row_groups[index].zones[col].null_count;
        if (!zone_get(&rd, r->types[col], zone) || zone->row_count != r->n_rows ||
            zone->null_count != nulls)
            return damaged(err, r->path, "bad zone map of column %d", col + 1);
    }
    if (bufreader_left(&rd) != 0) return damaged(err, r->path, "trailing bytes in footer");
    return BS_OK;
}

/* Reads and checks header and trailer, then reads, verifies and parses the footer. */
static Status read_footer(ColumnFileReader *r, Error *err)
{
    if (r->file_size < COLFILE_HEADER_SIZE + COLFILE_TRAILER_SIZE)
        return damaged(err, r->path, "file of %llu bytes is too short",
                       (unsigned long long)r->file_size);
    uint8_t header[COLFILE_HEADER_SIZE], trailer[COLFILE_TRAILER_SIZE];
    size_t got;
    BS_TRY(io_pread_all(r->fd, header, sizeof header, 0, &got, r->path, err));
    if (got != sizeof header) return damaged(err, r->path, "unexpected end of file");
    BS_TRY(io_pread_all(r->fd, trailer, sizeof trailer, r->file_size - sizeof trailer, &got,
                        r->path, err));
    if (got != sizeof trailer) return damaged(err, r->path, "unexpected end of file");
    if (memcmp(header, COLFILE_MAGIC, COLFILE_MAGIC_LEN) != 0 ||
        memcmp(trailer + 24, COLFILE_MAGIC, COLFILE_MAGIC_LEN) != 0)
        return damaged(err, r->path, "bad magic number");
    uint32_t version = load_u32le(header + 8), tail_version = load_u32le(trailer + 16);
    if (version != COLFILE_VERSION || tail_version != COLFILE_VERSION)
        return damaged(err, r->path, "unsupported format version %u", version);
    if (load_u32le(header + 12) != 0 || load_u32le(trailer + 20) != 0)
        return damaged(err, r->path, "unknown flags");
    uint64_t footer_len = load_u64le(trailer);
    uint64_t room = r->file_size - COLFILE_HEADER_SIZE - COLFILE_TRAILER_SIZE;
    if (footer_len > room) return damaged(err, r->path, "bad footer length");
    r->footer_offset = r->file_size - COLFILE_TRAILER_SIZE - footer_len;
    uint8_t *footer = arena_alloc(r->arena, footer_len ? footer_len : 1);
    if (!footer) return arena_error(r->arena, err);
    BS_TRY(io_pread_all(r->fd, footer, footer_len, r->footer_offset, &got, r->path, err));
    if (got != footer_len) return damaged(err, r->path, "unexpected end of file");
    if (checksum64(footer, footer_len) != load_u64le(trailer + 8))
        return damaged(err, r->path, "footer checksum mismatch");
    return parse_footer(r, footer, footer_len, err);
}

Status colfile_open(const char *path, MemTracker *tracker, ColumnFileReader **out, Error *err)
{
    *out = NULL;
    Arena *arena = arena_create(NULL, tracker, 0);
    if (!arena) return error_oom(err);
    ColumnFileReader *r = arena_alloc_zero(arena, sizeof *r);
    char *path_copy = r ? arena_strdup(arena, path) : NULL;
    if (!path_copy) {
        arena_error(arena, err);
        arena_destroy(arena);
        return BS_ERROR;
    }
    r->arena = arena;
    r->tracker = tracker;
    r->path = path_copy;
    r->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (r->fd < 0) {
        io_error(err, errno, "could not open file \"%s\"", path);
        arena_destroy(arena);
        return BS_ERROR;
    }
    struct stat st;
    Status status = BS_OK;
    if (fstat(r->fd, &st) != 0)
        status = io_error(err, errno, "could not stat file \"%s\"", path);
    else if (!S_ISREG(st.st_mode))
        status = damaged(err, path, "not a regular file");
    if (status == BS_OK) {
        r->file_size = (uint64_t)st.st_size;
        status = read_footer(r, err);
    }
    if (status != BS_OK) {
        close(r->fd);
        arena_destroy(arena);
        return BS_ERROR;
    }
    *out = r;
    return BS_OK;
}

void colfile_close(ColumnFileReader *r)
{
    if (!r) return;
    close(r->fd);
    arena_destroy(r->arena);
}

uint64_t colfile_n_rows(const ColumnFileReader *r)
{
    return r->n_rows;
}

int colfile_n_cols(const ColumnFileReader *r)
{
    return r->n_cols;
}

LogicalType colfile_col_type(const ColumnFileReader *r, int col)
{
    if (col < 0 || col >= r->n_cols) return type_make(TYPE_INVALID);
    return r->types[col];
}

const char *colfile_col_name(const ColumnFileReader *r, int col)
{
    if (col < 0 || col >= r->n_cols) return NULL;
    return r->names[col];
}

uint32_t colfile_n_row_groups(const ColumnFileReader *r)
{
    return r->n_row_groups;
}

uint64_t colfile_row_group_rows(const ColumnFileReader *r, uint32_t row_group)
{
    if (row_group >= r->n_row_groups) return 0;
    return r->row_groups[row_group].n_rows;
}

const ZoneMap *colfile_zone(const ColumnFileReader *r, int row_group, int col)
{
    if (col < 0 || col >= r->n_cols) return NULL;
    if (row_group < 0) return &r->file_zones[col];
    if ((uint32_t)row_group >= r->n_row_groups) return NULL;
    return &r->row_groups[row_group].zones[col];
}
