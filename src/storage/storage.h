/*
 * storage.h — the public face of storage/: columnar files with zone maps, the metastore
 * (tables, snapshots, atomic commits), the CSV reader and pages (chunks serialized for
 * exchanges and spill files). storage/ knows types and chunks (common/) but no SQL: it
 * never sees a plan or an expression.
 *
 * Thread safety: a ColumnFileWriter, ColumnFileReader/ColumnScan, CsvReader, PageEncoder
 * or PageDecoder is used by one thread at a time; several readers of one file may run in
 * parallel. The Metastore is thread-safe.
 */
#ifndef BASALT_STORAGE_STORAGE_H
#define BASALT_STORAGE_STORAGE_H

#include "common/arena.h"
#include "common/buffer.h"
#include "common/error.h"
#include "common/value.h"
#include "common/vector.h"

/* ---- zone maps ------------------------------------------------------------------- */

/*
 * What is known about the values of one column in one block, row group or file. min and
 * max are bounds: string bounds longer than 64 bytes are stored cut short (min as a
 * prefix, max as a prefix raised in its last byte), so they need not be values.
 */
typedef struct ZoneMap {
    uint64_t row_count;
    uint64_t null_count;
    bool has_minmax; /* false when every value is NULL (or for types without order) */
    Value min, max;  /* of min/max's column type; strings are owned by whoever filled them */
} ZoneMap;

typedef enum ZoneOp {
    ZONE_EQ,
    ZONE_LT,
    ZONE_LE,
    ZONE_GT,
    ZONE_GE,
    ZONE_IS_NULL,
    ZONE_IS_NOT_NULL,
} ZoneOp;

/* `column op value`; column is an index into the file's columns. */
typedef struct ZoneCond {
    int column;
    ZoneOp op;
    Value value; /* same type as the column; unused for the NULL tests */
} ZoneCond;

/* A conjunction of conditions: a zone can be skipped when any of them cannot hold. */
typedef struct ZoneFilter {
    int n_conds;
    const ZoneCond *conds;
} ZoneFilter;

/*
 * False only when no row summarized by zm can satisfy cond. Bounds compare by type:
 * DECIMAL by unscaled value (rescaled when the scales differ), DOUBLE with NaN greatest,
 * strings bytewise; a comparison with a NULL value never matches; types that cannot be
 * compared always may match.
 */
bool zone_may_match(const ZoneMap *zm, const ZoneCond *cond);

/* ---- column files ------------------------------------------------------------------- */

typedef struct ColumnFileOptions {
    uint32_t row_group_rows; /* rows per row group (default 131072) */
    uint32_t block_rows;     /* rows per block; every column of a row group uses the same
                                boundaries (default 16384) */
    int zstd_level;          /* default 3; 0 stores blocks uncompressed */
} ColumnFileOptions;

void colfile_default_options(ColumnFileOptions *opts);

typedef struct ColumnFileWriter ColumnFileWriter;

/* What a finished file holds: its size, rows and a zone map per column. */
typedef struct FileSummary {
    uint64_t n_rows;
    uint64_t n_bytes;
    uint32_t n_row_groups;
    int n_cols;
    ZoneMap *zones; /* n_cols entries, allocated in the arena given to finish */
} FileSummary;

/*
 * Creates a new file at path (which must not exist) for columns of `types` named
 * `names`. opts NULL: defaults. On failure nothing is left on disk.
 */
Status colfile_writer_create(const char *path, const LogicalType *types, const char *const *names,
                             int n_cols, const ColumnFileOptions *opts, MemTracker *tracker,
                             ColumnFileWriter **out, Error *err);
/* Appends the rows of chunk (through its selection; any vector kind). */
Status colfile_writer_append(ColumnFileWriter *w, const Chunk *chunk, Error *err);
/*
 * Writes the last row group and the footer, fsyncs and closes the file, and frees the
 * writer. The summary's zone maps are allocated in `arena`. On failure the file is removed.
 */
Status colfile_writer_finish(ColumnFileWriter *w, Arena *arena, FileSummary *summary, Error *err);
/* Abandons the file: closes, removes it and frees the writer. */
void colfile_writer_abort(ColumnFileWriter *w);

typedef struct ColumnFileReader ColumnFileReader;

/*
 * Opens a file and reads and verifies its footer (magic at both ends, version,
 * checksum). A damaged file fails with XX001 naming the file; a missing one with 58P01.
 */
Status colfile_open(const char *path, MemTracker *tracker, ColumnFileReader **out, Error *err);
void colfile_close(ColumnFileReader *r);
uint64_t colfile_n_rows(const ColumnFileReader *r);
int colfile_n_cols(const ColumnFileReader *r);
LogicalType colfile_col_type(const ColumnFileReader *r, int col);
const char *colfile_col_name(const ColumnFileReader *r, int col);
uint32_t colfile_n_row_groups(const ColumnFileReader *r);
uint64_t colfile_row_group_rows(const ColumnFileReader *r, uint32_t row_group);
/* Zone map of a column over a whole row group, or (row_group < 0) over the whole file. */
const ZoneMap *colfile_zone(const ColumnFileReader *r, int row_group, int col);

typedef struct ColumnScan ColumnScan;

/*
 * Starts reading `columns` (indexes into the file, n_columns of them, in output order)
 * of row groups [first_row_group, first_row_group + n_row_groups). Row groups and blocks
 * whose zone maps rule out `filter` (NULL: none) are skipped; rows that are returned are
 * not filtered (the caller still evaluates its predicate).
 */
Status colfile_scan_open(ColumnFileReader *r, const int *columns, int n_columns,
                         uint32_t first_row_group, uint32_t n_row_groups, const ZoneFilter *filter,
                         ColumnScan **out, Error *err);
/*
 * Fills `out` (a chunk whose column types match the requested columns; reset by the
 * caller) with up to BASALT_VECTOR_SIZE rows as flat vectors. out->n_rows == 0 at the
 * end. String bytes may point into the scan's memory, valid until the next call.
 * Every block read is checked against its checksum (XX001 on mismatch).
 * The vectors' data (not only string bytes) point into the scan's decode buffers: treat
 * them as read-only; chunk_reset() returns the vectors to their own buffers.
 */
Status colfile_scan_next(ColumnScan *scan, Chunk *out, Error *err);
/*
 * Counts of what the scan skipped by zone maps, for EXPLAIN ANALYZE and tests: whole row
 * groups, and blocks (block k of every column) inside row groups that were not skipped.
 */
void colfile_scan_stats(const ColumnScan *scan, uint64_t *row_groups_skipped,
                        uint64_t *blocks_skipped);
void colfile_scan_close(ColumnScan *scan);

/* ---- metastore ------------------------------------------------------------------- */

typedef struct ColumnDef {
    char *name;
    LogicalType type;
    bool not_null;
} ColumnDef;

typedef struct DataFileInfo {
    char *path; /* relative to the data directory */
    uint64_t n_rows;
    uint64_t n_bytes;
    uint32_t n_row_groups; /* lets a scan split the file into row-group morsels; 0: unknown */
    ZoneMap *zones;        /* one per table column */
} DataFileInfo;

/* A table as of one snapshot. Everything is allocated in the arena given to the getter. */
typedef struct TableInfo {
    char *name;
    uint64_t id; /* never reused, so a dropped and re-created table is a different table */
    int n_cols;
    ColumnDef *cols;
    uint64_t snapshot; /* increases with every commit that changes the table's data */
    int n_files;
    DataFileInfo *files;
    uint64_t n_rows;
    /* A view (tables and views share one namespace, as relations do in PostgreSQL): the
       text of its query; NULL for a table. A view has no files. */
    char *view_sql;
} TableInfo;

typedef struct Metastore Metastore;

/*
 * Opens the data directory `dir`, creating it (and an empty metastore) when missing.
 * Takes an exclusive lock on the directory for the life of the Metastore: a second
 * process fails with 55P03. Recovers from a crash by ignoring uncommitted files.
 */
Status metastore_open(const char *dir, Metastore **out, Error *err);
void metastore_close(Metastore *ms);
const char *metastore_dir(const Metastore *ms);

/* Copies the current snapshot of table `name` into arena; *out NULL when there is none. */
Status metastore_get_table(Metastore *ms, const char *name, Arena *arena, TableInfo **out,
                           Error *err);
/* Names of all tables, sorted, allocated in arena. */
Status metastore_list_tables(Metastore *ms, Arena *arena, char ***names, int *n_names, Error *err);

/*
 * A metastore transaction: a set of changes committed atomically (all or nothing) by
 * metastore_commit. Data files are written before the commit that adds them; if the
 * transaction aborts or its commit fails, they are deleted.
 */
typedef struct MetaTxn MetaTxn;

MetaTxn *metastore_begin(Metastore *ms, Error *err);
/* 42P07 when a table of that name exists (unless if_not_exists: then *created = false). */
Status metatxn_create_table(MetaTxn *txn, const char *name, const ColumnDef *cols, int n_cols,
                            bool if_not_exists, bool *created, Error *err);
/* 42P01 when there is no such table (unless if_exists); 42809 when `name` is a view. */
Status metatxn_drop_table(MetaTxn *txn, const char *name, bool if_exists, Error *err);
/*
 * Creates view `name` with the text of its query and its output columns (names and
 * types; not_null is ignored). 42P07 when a table or view of that name exists — unless
 * or_replace and it is a view, which is then replaced; 42809 when or_replace names a
 * table.
 */
Status metatxn_create_view(MetaTxn *txn, const char *name, const char *sql, const ColumnDef *cols,
                           int n_cols, bool or_replace, Error *err);
/* 42P01 when there is no such view (unless if_exists); 42809 when `name` is a table. */
Status metatxn_drop_view(MetaTxn *txn, const char *name, bool if_exists, Error *err);
/*
 * A fresh path for a data file of table `name` (created or existing in this txn):
 * absolute path to write, and the path relative to the data dir to record. The file is
 * deleted if the transaction does not commit. Strings are allocated in arena.
 */
Status metatxn_new_file(MetaTxn *txn, const char *name, Arena *arena, char **abs_path,
                        char **rel_path, Error *err);
/*
 * For files of table `name` that another process writes (a worker, for a statement run
 * on a cluster): the table's data directory (made here), absolute and relative to the
 * data dir, and a fresh name prefix. The writer names its files PREFIX-N.bsc (N decimal)
 * in that directory; such files are deleted if the transaction does not commit, whether
 * or not they were adopted (one still being written then is removed at the next open).
 */
Status metatxn_file_prefix(MetaTxn *txn, const char *name, Arena *arena, char **abs_dir,
                           char **rel_dir, char **prefix, Error *err);
/*
 * Makes a file written under `prefix` (rel_path: REL_DIR/PREFIX-N.bsc) a file of the
 * transaction, as if metatxn_new_file had made it, so metatxn_append_files takes it.
 * 22023 for a path the prefix does not allow or one adopted before.
 */
Status metatxn_adopt_file(MetaTxn *txn, const char *name, const char *prefix, const char *rel_path,
                          Error *err);
/* Adds written files to table `name` (their zones are copied). */
Status metatxn_append_files(MetaTxn *txn, const char *name, const DataFileInfo *files, int n_files,
                            Error *err);
/*
 * Makes the transaction durable and visible atomically (new manifests, fsync, rename of
 * the metastore pointer), then frees it. On failure nothing changes and the transaction's
 * files are removed; the txn is freed either way. Conflicts with transactions committed
 * since this one looked: 42P07, 42P01, or 40001 when a table it changes was dropped and
 * re-created. One exception: when only the final fsync of the data directory fails, the
 * transaction is committed (and visible) and the error (58030) says it may not survive a
 * crash.
 */
Status metastore_commit(MetaTxn *txn, Error *err);
/* Discards the transaction and deletes its files. */
void metastore_abort(MetaTxn *txn);

/* ---- CSV --------------------------------------------------------------------------- */

typedef struct CsvOptions {
    char delimiter;          /* default ',' */
    char quote;              /* default '"' */
    char escape;             /* default: same as quote ("" inside quotes) */
    bool header;             /* skip the first line */
    const char *null_string; /* unquoted field equal to this is NULL; default "" */
} CsvOptions;

void csv_default_options(CsvOptions *opts);

typedef struct CsvReader CsvReader;

/*
 * Opens path for reading records of n_cols fields converted to `types`. Lines may end
 * with one extra delimiter (dbgen's trailing '|'). 58P01 when the file is missing.
 */
Status csv_open(const char *path, const CsvOptions *opts, const LogicalType *types, int n_cols,
                MemTracker *tracker, CsvReader **out, Error *err);
/*
 * Fills out (columns of `types`, reset by the caller) with up to BASALT_VECTOR_SIZE
 * records; out->n_rows == 0 at the end. A malformed record fails with a message that
 * starts "path:line:column: " (22P02 for a bad value, 22P04 for bad structure: missing or
 * extra fields, an unterminated quote). line is the physical line the record starts on,
 * column the 1-based field number. The error is repeatable: calling again fails the same.
 */
Status csv_next(CsvReader *r, Chunk *out, Error *err);
void csv_close(CsvReader *r);

/* ---- pages ------------------------------------------------------------------------ */

/*
 * A page is one chunk serialized for the wire (exchanges) or for spill files: a header
 * (row and column counts, length, checksum), then per column its type, an encoding
 * (PLAIN, CONSTANT or DICTIONARY, following the vector's kind), the validity when some
 * value is NULL, optionally compressed as one zstd frame, and an XXH64 checksum. The
 * byte layout is in page_int.h. A page holds at most BASALT_VECTOR_SIZE rows, so pages
 * travel only between builds of the same vector size.
 *
 * An encoder and a decoder each keep a zstd context and scratch buffers (charged to
 * their tracker) for reuse across pages; each is used by one thread at a time.
 */

typedef struct PageOptions {
    int zstd_level;                /* 0: never compress; else a zstd level (default 1) */
    uint32_t compress_min_bytes;   /* columns encoding to fewer bytes are not compressed
                                      (default 256) */
    uint32_t compress_max_percent; /* keep a zstd frame only when it is at most this percent
                                      of the column's encoded size (1..100, default 90) */
} PageOptions;

void page_default_options(PageOptions *opts);

/* Bytes of a page's header: what page_peek needs to learn the page's length. */
#define PAGE_HEADER_SIZE 32

/* What a page's header says. */
typedef struct PageInfo {
    uint64_t page_len; /* bytes of the whole page, header included */
    uint32_t n_rows;
    uint32_t n_cols;
} PageInfo;

typedef struct PageEncoder PageEncoder;

/*
 * Creates an encoder with `opts` (NULL: defaults); scratch memory is charged to tracker
 * (may be NULL). 22023 for options out of range.
 */
Status page_encoder_create(const PageOptions *opts, MemTracker *tracker, PageEncoder **out,
                           Error *err);
void page_encoder_destroy(PageEncoder *enc);
/*
 * Appends one page holding chunk's rows (through its selection, if any) to out. Flat
 * columns are stored PLAIN, constants as CONSTANT, dictionaries as DICTIONARY over the
 * values their indices use (or PLAIN when that is smaller). Each column is compressed
 * when it is at least compress_min_bytes and zstd shrinks it enough. The chunk is not
 * changed. On failure out's length is what it was (a Buffer whose allocation failed stays
 * failed: see buffer.h): 0A000 for a type pages cannot carry, 54000 for a column over
 * 4 GB, 53200 when memory is short.
 */
Status page_encode(PageEncoder *enc, const Chunk *chunk, Buffer *out, Error *err);

/*
 * Reads the header of the page at data (len bytes available, at least PAGE_HEADER_SIZE
 * for success) into info, checking magic, version, checksum and that the counts are
 * plausible; the columns are not looked at. For framing: a reader learns page_len here
 * and then hands exactly that many bytes to page_decode. XX001 when the header is short
 * or damaged.
 */
Status page_peek(const uint8_t *data, size_t len, PageInfo *info, Error *err);

typedef struct PageDecoder PageDecoder;

/* Creates a decoder whose scratch memory is charged to tracker (may be NULL). */
Status page_decoder_create(MemTracker *tracker, PageDecoder **out, Error *err);
void page_decoder_destroy(PageDecoder *dec);
/*
 * Decodes the page at data, exactly len bytes, into out: a chunk made by chunk_create
 * with the n_cols `types` the page must hold (XX000 if it does not match them). The
 * decoder resets out; then out has the page's rows, no selection, and flat, constant or
 * dictionary columns as encoded. Strings, validity, dictionary indices and values live
 * in out's batch arena: nothing points into data, which the caller may free at once.
 * A malformed, truncated or corrupted page, or one whose column count or types differ
 * from `types`, fails with XX001 naming what is wrong, and out is left reset (empty);
 * 53200 when memory is short. No input makes the decoder read outside data or allocate
 * more than the bytes present can hold.
 */
Status page_decode(PageDecoder *dec, const uint8_t *data, size_t len, const LogicalType *types,
                   int n_cols, Chunk *out, Error *err);

#endif
