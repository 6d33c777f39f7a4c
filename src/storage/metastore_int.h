/*
 * metastore_int.h — the metastore's in-memory catalog and the JSON forms it is stored
 * in (manifest.c), shared by metastore.c. The layout of the data directory and the
 * commit protocol are described in metastore.c and in README.md.
 */
#ifndef BASALT_STORAGE_METASTORE_INT_H
#define BASALT_STORAGE_METASTORE_INT_H

#include "storage/storage_int.h"

/* 2: entries of "tables" may be views ("view": their SQL, no snapshot or manifest).
   Version 1 directories are read as they are and written as version 2. */
#define METASTORE_FORMAT_VERSION 2
/* Most columns a table may have (PostgreSQL's limit). */
#define METASTORE_MAX_COLUMNS 1600
/* Largest metastore.json or manifest the reader accepts. */
#define METASTORE_MAX_JSON ((size_t)1 << 30)
/* Integers in JSON stay below 2^53 so that every JSON reader keeps them exact. */
#define METASTORE_MAX_JSON_INT (UINT64_C(1) << 53)

/* One table as of one snapshot. Immutable once published; everything in its arena. */
typedef struct MsTable {
    Arena *arena;
    uint64_t id;
    char *name;
    int n_cols;
    ColumnDef *cols;
    uint64_t snapshot;
    int n_files;
    DataFileInfo *files;
    uint64_t n_rows;
    /* A view: the text of its query (NULL for a table). A view has columns (names and
       the types its query had when it was made) but no snapshot, files or directory. */
    char *view_sql;
} MsTable;

/* The committed catalog: what metastore.json and the manifests it names say. */
typedef struct MsState {
    uint64_t version;       /* increases with every commit */
    uint64_t next_table_id; /* ids below it were handed out */
    int n_tables;
    MsTable **tables; /* sorted by name (bytewise); heap array */
} MsState;

/* A new table object with its own arena (no tracker); NULL with err set on failure. */
MsTable *ms_table_new(Error *err);
void ms_table_free(MsTable *t);

/* "tables/<id>/manifest-<snapshot>.json" into buf. */
void ms_manifest_rel_path(uint64_t table_id, uint64_t snapshot, char *buf, size_t size);

/*
 * metastore.json: format version, catalog version, next table id, and per table its
 * id, name, columns, snapshot and manifest path. Appends the text to out.
 */
Status manifest_encode_catalog(const MsState *st, Buffer *out, Error *err);
/* A table's manifest: id, snapshot and its data files with rows, bytes and zone maps. */
Status manifest_encode_table(const MsTable *t, Buffer *out, Error *err);
/*
 * Parses metastore.json (len bytes of text, NUL-terminated) into st: tables with their
 * schema and snapshot but no files yet. `path` names the file in errors (XX001 for any
 * defect). On failure st is left empty.
 */
Status manifest_decode_catalog(const char *path, const char *text, size_t len, MsState *st,
                               Error *err);
/* Parses table t's manifest (which must name t's id and snapshot) and fills its files. */
Status manifest_decode_table(const char *path, const char *text, size_t len, MsTable *t,
                             Error *err);
/* True when rel is "tables/<table_id>/data/<name>.bsc" with a name of [0-9a-z_-]. */
bool ms_data_path_valid(const char *rel, uint64_t table_id);

#endif
