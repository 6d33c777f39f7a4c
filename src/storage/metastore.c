/*
 * metastore.c — the catalog of tables and their snapshots, kept in a data directory,
 * and the transactions that change it atomically. The coordinator's server/ layer owns
 * one Metastore; the planner sees it through a catalog interface, and table writers get
 * their file paths from a MetaTxn.
 *
 * Data directory:
 *   DIR/LOCK                          flock'ed for the life of the Metastore (55P03)
 *   DIR/metastore.json                the catalog: every table's id, name, columns and
 *                                     current snapshot (its manifest's path)
 *   DIR/tables/<id>/manifest-<s>.json snapshot s of table <id>: its data files
 *   DIR/tables/<id>/data/<hex>.bsc    column files
 *
 * Commit (metastore_commit), with the mutex held:
 *   1. replay the transaction's operations on the current catalog (conflicts fail here);
 *   2. for every table whose data changed: fsync its data directory (the new files are
 *      already fsynced by their writers), write manifest-<s+1>.json to a temporary file,
 *      fsync, rename, fsync the table directory;
 *   3. write metastore.json to a temporary file, fsync, rename over the old one — the
 *      commit point — and fsync DIR;
 *   4. publish the new catalog in memory, then (lock released) delete what it no longer
 *      references: old manifests, dropped tables' directories, unused txn files.
 * A crash before the rename in 3 leaves the old metastore.json, which names only old
 * manifests, which name only old files: the old state, whole. Files and manifests that
 * no committed manifest references are deleted when the directory is next opened.
 *
 * Transactions record operations (create, drop, append) and see their own changes;
 * they are checked against the committed catalog when made and again at commit, so two
 * transactions racing on one table cannot both win (42P07, 42P01 or 40001).
 */
#include "storage/metastore_int.h"

#include "common/alloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct Metastore {
    char *dir;
    int lock_fd;
    pthread_mutex_t mu;
    MsState state;    /* guarded by mu */
    uint64_t next_id; /* guarded by mu; >= state.next_table_id (ids of aborted txns) */
};

typedef enum { TXN_CREATE, TXN_DROP, TXN_APPEND } TxnOpKind;

typedef struct TxnOp {
    TxnOpKind kind;
    uint64_t table_id;
    char *name;
    int n_cols; /* CREATE */
    ColumnDef *cols;
    char *view_sql; /* CREATE of a view */
    int n_files;    /* APPEND */
    DataFileInfo *files;
    struct TxnOp *next;
} TxnOp;

/* A data file path handed out by metatxn_new_file. */
typedef struct TxnFile {
    char *abs_path;
    char *rel_path;
    uint64_t table_id;
    bool appended;
} TxnFile;

/* A name prefix handed out by metatxn_file_prefix: another process writes files under it. */
typedef struct TxnPrefix {
    char *abs_dir;
    char *rel_dir;
    char prefix[33];
    uint64_t table_id;
    struct TxnPrefix *next;
} TxnPrefix;

struct MetaTxn {
    Metastore *ms;
    Arena *arena; /* the txn and everything it records */
    TxnOp *ops, *ops_tail;
    TxnFile *files;
    int n_files, cap_files;
    TxnPrefix *prefixes;
};

const char *metastore_dir(const Metastore *ms)
{
    return ms->dir;
}

/* DIR/<rel> into buf; false (and err) when it does not fit. */
static bool abs_path(const Metastore *ms, char *buf, size_t size, Error *err, const char *fmt, ...)
    BS_PRINTF(5, 6);

static bool abs_path(const Metastore *ms, char *buf, size_t size, Error *err, const char *fmt, ...)
{
    int n = snprintf(buf, size, "%s/", ms->dir);
    va_list ap;
    va_start(ap, fmt);
    int m = n >= 0 && (size_t)n < size ? vsnprintf(buf + n, size - (size_t)n, fmt, ap) : -1;
    va_end(ap);
    if (m < 0 || (size_t)(n + m) >= size) {
        io_error(err, ENAMETOOLONG, "path under \"%s\" is too long", ms->dir);
        return false;
    }
    return true;
}

static int find_table(const MsState *st, const char *name)
{
    int lo = 0, hi = st->n_tables - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        int c = strcmp(st->tables[mid]->name, name);
        if (c == 0) return mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

static void free_state(MsState *st)
{
    for (int k = 0; k < st->n_tables; k++)
        ms_table_free(st->tables[k]);
    bs_free(st->tables);
    memset(st, 0, sizeof *st);
}

/* ---- opening: lock, load, recover -------------------------------------------------- */

static Status mkdir_parents(const char *dir, Error *err)
{
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path)
        return io_error(err, ENAMETOOLONG, "could not create directory \"%s\"", dir);
    for (char *p = path + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        Status st = io_mkdir(path, err);
        *p = '/';
        BS_TRY(st);
    }
    return io_mkdir(path, err);
}

static Status take_lock(Metastore *ms, Error *err)
{
    char path[PATH_MAX];
    if (!abs_path(ms, path, sizeof path, err, "LOCK")) return BS_ERROR;
    ms->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (ms->lock_fd < 0) return io_error(err, errno, "could not open lock file \"%s\"", path);
    if (flock(ms->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK)
            return error_set(err, SQLSTATE_LOCK_NOT_AVAILABLE, -1,
                             "data directory \"%s\" is in use by another process", ms->dir);
        return io_error(err, errno, "could not lock \"%s\"", path);
    }
    /* For people looking at the directory: who holds it. */
    char pid[32];
    int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(ms->lock_fd, 0) == 0 && pwrite(ms->lock_fd, pid, (size_t)n, 0) < 0) {
        /* informational only */
    }
    return BS_OK;
}

/* True when directory path holds any entry. */
static bool dir_has_entries(const char *path)
{
    DIR *dir = opendir(path);
    if (!dir) return false;
    struct dirent *ent;
    bool any = false;
    while (!any && (ent = readdir(dir)) != NULL)
        any = strcmp(ent->d_name, ".") != 0 && strcmp(ent->d_name, "..") != 0;
    closedir(dir);
    return any;
}

/* Writes state as DIR/metastore.json (atomically; *renamed: the commit point passed). */
static Status write_catalog(Metastore *ms, const MsState *st, bool *renamed, Error *err)
{
    char path[PATH_MAX];
    if (!abs_path(ms, path, sizeof path, err, "metastore.json")) return BS_ERROR;
    Buffer buf;
    buffer_init(&buf);
    Status status = manifest_encode_catalog(st, &buf, err);
    if (status == BS_OK) status = io_write_file_atomic(path, buf.data, buf.len, renamed, err);
    buffer_free(&buf);
    return status;
}

static Status load_state(Metastore *ms, Error *err)
{
    char path[PATH_MAX], tables[PATH_MAX];
    if (!abs_path(ms, path, sizeof path, err, "metastore.json") ||
        !abs_path(ms, tables, sizeof tables, err, "tables"))
        return BS_ERROR;
    struct stat st;
    if (stat(path, &st) != 0) {
        if (errno != ENOENT) return io_error(err, errno, "could not stat \"%s\"", path);
        if (dir_has_entries(tables))
            return error_set(err, SQLSTATE_DATA_CORRUPTED, -1,
                             "data directory \"%s\" holds tables but no metastore.json", ms->dir);
        /* A new data directory. */
        ms->state.version = 0;
        ms->state.next_table_id = 1;
        BS_TRY(write_catalog(ms, &ms->state, NULL, err));
        BS_TRY(io_mkdir(tables, err));
        return io_fsync_dir(ms->dir, err);
    }
    char *text;
    size_t len;
    BS_TRY(io_read_file(path, METASTORE_MAX_JSON, &text, &len, err));
    Status status = manifest_decode_catalog(path, text, len, &ms->state, err);
    bs_free(text);
    BS_TRY(status);
    for (int k = 0; k < ms->state.n_tables; k++) {
        MsTable *t = ms->state.tables[k];
        if (t->view_sql) continue; /* a view has no manifest */
        char rel[128], manifest[PATH_MAX];
        ms_manifest_rel_path(t->id, t->snapshot, rel, sizeof rel);
        if (!abs_path(ms, manifest, sizeof manifest, err, "%s", rel)) return BS_ERROR;
        BS_TRY(io_read_file(manifest, METASTORE_MAX_JSON, &text, &len, err));
        status = manifest_decode_table(manifest, text, len, t, err);
        bs_free(text);
        BS_TRY(status);
    }
    BS_TRY(io_mkdir(tables, err));
    return BS_OK;
}

static bool all_digits(const char *s)
{
    if (!*s) return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9') return false;
    return true;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Deletes what table t's current snapshot does not reference in its directory. */
static void clean_table_dir(Metastore *ms, const MsTable *t)
{
    Error err = ERROR_INIT;
    char dir_path[PATH_MAX], entry_path[PATH_MAX], current[64];
    snprintf(current, sizeof current, "manifest-%" PRIu64 ".json", t->snapshot);
    if (abs_path(ms, dir_path, sizeof dir_path, &err, "tables/%" PRIu64, t->id)) {
        DIR *dir = opendir(dir_path);
        struct dirent *ent;
        while (dir && (ent = readdir(dir)) != NULL) {
            const char *name = ent->d_name;
            bool stale = (strncmp(name, "manifest-", 9) == 0 && strcmp(name, current) != 0) ||
                         ends_with(name, ".tmp");
            if (stale && snprintf(entry_path, sizeof entry_path, "%s/%s", dir_path, name) <
                             (int)sizeof entry_path)
                unlink(entry_path);
        }
        if (dir) closedir(dir);
    }
    /* Data files no manifest entry names: leftovers of transactions that never committed. */
    const char **live = bs_malloc(sizeof(char *) * (size_t)(t->n_files ? t->n_files : 1));
    if (live && abs_path(ms, dir_path, sizeof dir_path, &err, "tables/%" PRIu64 "/data", t->id)) {
        for (int k = 0; k < t->n_files; k++)
            live[k] = strrchr(t->files[k].path, '/') + 1;
        qsort(live, (size_t)t->n_files, sizeof(char *), compare_strings);
        DIR *dir = opendir(dir_path);
        struct dirent *ent;
        while (dir && (ent = readdir(dir)) != NULL) {
            const char *name = ent->d_name;
            if (!ends_with(name, ".bsc") && !ends_with(name, ".tmp")) continue;
            if (bsearch(&name, live, (size_t)t->n_files, sizeof(char *), compare_strings)) continue;
            if (snprintf(entry_path, sizeof entry_path, "%s/%s", dir_path, name) <
                (int)sizeof entry_path)
                unlink(entry_path);
        }
        if (dir) closedir(dir);
    }
    bs_free(live);
    error_clear(&err);
}

/* Removes what no committed state references (best effort: failures are retried at the next open).
 */
static void recover(Metastore *ms)
{
    Error err = ERROR_INIT;
    char path[PATH_MAX];
    if (abs_path(ms, path, sizeof path, &err, "metastore.json.tmp")) unlink(path);
    if (!abs_path(ms, path, sizeof path, &err, "tables")) {
        error_clear(&err);
        return;
    }
    DIR *dir = opendir(path);
    struct dirent *ent;
    while (dir && (ent = readdir(dir)) != NULL) {
        if (!all_digits(ent->d_name)) continue;
        uint64_t id = strtoull(ent->d_name, NULL, 10);
        const MsTable *live = NULL;
        for (int k = 0; k < ms->state.n_tables && !live; k++)
            if (ms->state.tables[k]->id == id) live = ms->state.tables[k];
        if (live) {
            clean_table_dir(ms, live);
        } else {
            char child[PATH_MAX];
            if (snprintf(child, sizeof child, "%s/%s", path, ent->d_name) < (int)sizeof child)
                io_remove_tree(child, &err);
        }
    }
    if (dir) closedir(dir);
    error_clear(&err);
}

Status metastore_open(const char *dir, Metastore **out, Error *err)
{
    *out = NULL;
    Metastore *ms = bs_calloc(1, sizeof *ms);
    if (!ms) return error_oom(err);
    ms->lock_fd = -1;
    pthread_mutex_init(&ms->mu, NULL);
    size_t len = strlen(dir);
    while (len > 1 && dir[len - 1] == '/')
        len--;
    ms->dir = bs_strndup(dir, len);
    Status status = ms->dir ? BS_OK : error_oom(err);
    if (status == BS_OK) status = mkdir_parents(ms->dir, err);
    if (status == BS_OK) status = take_lock(ms, err);
    if (status == BS_OK) status = load_state(ms, err);
    if (status != BS_OK) {
        metastore_close(ms);
        return BS_ERROR;
    }
    ms->next_id = ms->state.next_table_id;
    recover(ms);
    *out = ms;
    return BS_OK;
}

void metastore_close(Metastore *ms)
{
    if (!ms) return;
    free_state(&ms->state);
    if (ms->lock_fd >= 0) close(ms->lock_fd); /* releases the flock */
    pthread_mutex_destroy(&ms->mu);
    bs_free(ms->dir);
    bs_free(ms);
}

/* ---- reading ---------------------------------------------------------------------------- */

/* Deep copy of t into arena. */
static Status copy_table(const MsTable *t, Arena *arena, TableInfo **out, Error *err)
{
    TableInfo *info = arena_alloc_zero(arena, sizeof *info);
    if (!info) return arena_error(arena, err);
    info->name = arena_strdup(arena, t->name);
    info->cols = arena_alloc(arena, sizeof(ColumnDef) * (size_t)t->n_cols);
    info->files =
        arena_alloc_zero(arena, sizeof(DataFileInfo) * (size_t)(t->n_files ? t->n_files : 1));
    if (!info->name || !info->cols || !info->files) return arena_error(arena, err);
    info->id = t->id;
    info->n_cols = t->n_cols;
    info->snapshot = t->snapshot;
    info->n_files = t->n_files;
    info->n_rows = t->n_rows;
    if (t->view_sql) {
        info->view_sql = arena_strdup(arena, t->view_sql);
        if (!info->view_sql) return arena_error(arena, err);
    }
    for (int col = 0; col < t->n_cols; col++) {
        info->cols[col] = t->cols[col];
        info->cols[col].name = arena_strdup(arena, t->cols[col].name);
        if (!info->cols[col].name) return arena_error(arena, err);
    }
    for (int k = 0; k < t->n_files; k++) {
        const DataFileInfo *src = &t->files[k];
        DataFileInfo *dst = &info->files[k];
        *dst = *src;
        dst->path = arena_strdup(arena, src->path);
        dst->zones = arena_alloc(arena, sizeof(ZoneMap) * (size_t)t->n_cols);
        if (!dst->path || !dst->zones) return arena_error(arena, err);
        for (int col = 0; col < t->n_cols; col++)
            BS_TRY(zone_copy(&dst->zones[col], &src->zones[col], arena, err));
    }
    *out = info;
    return BS_OK;
}

Status metastore_get_table(Metastore *ms, const char *name, Arena *arena, TableInfo **out,
                           Error *err)
{
    *out = NULL;
    pthread_mutex_lock(&ms->mu);
    int idx = find_table(&ms->state, name);
    Status status = idx < 0 ? BS_OK : copy_table(ms->state.tables[idx], arena, out, err);
    pthread_mutex_unlock(&ms->mu);
    if (status != BS_OK) *out = NULL;
    return status;
}

Status metastore_list_tables(Metastore *ms, Arena *arena, char ***names, int *n_names, Error *err)
{
    *names = NULL;
    *n_names = 0;
    pthread_mutex_lock(&ms->mu);
    int n = ms->state.n_tables;
    char **list = arena_alloc(arena, sizeof(char *) * (size_t)(n ? n : 1));
    Status status = list ? BS_OK : arena_error(arena, err);
    for (int k = 0; status == BS_OK && k < n; k++) {
        list[k] = arena_strdup(arena, ms->state.tables[k]->name);
        if (!list[k]) status = arena_error(arena, err);
    }
    pthread_mutex_unlock(&ms->mu);
    if (status != BS_OK) return status;
    *names = list;
    *n_names = n;
    return BS_OK;
}

/* ---- transactions ---------------------------------------------------------------------- */

MetaTxn *metastore_begin(Metastore *ms, Error *err)
{
    Arena *arena = arena_create(NULL, NULL, 4096);
    if (!arena) {
        error_oom(err);
        return NULL;
    }
    MetaTxn *txn = arena_alloc_zero(arena, sizeof *txn);
    if (!txn) {
        arena_error(arena, err);
        arena_destroy(arena);
        return NULL;
    }
    txn->ms = ms;
    txn->arena = arena;
    return txn;
}

/* What the transaction sees of table `name`: its own changes over the committed catalog. */
typedef struct TxnView {
    bool exists;
    bool is_view;
    uint64_t id;
    int n_cols;
    LogicalType *types; /* in the txn's arena; NULL when that allocation failed */
} TxnView;

static void txn_lookup(MetaTxn *txn, const char *name, TxnView *view)
{
    const TxnOp *last = NULL;
    for (const TxnOp *op = txn->ops; op; op = op->next)
        if (op->kind != TXN_APPEND && strcmp(op->name, name) == 0) last = op;
    memset(view, 0, sizeof *view);
    if (last) {
        if (last->kind == TXN_CREATE) {
            view->exists = true;
            view->is_view = last->view_sql != NULL;
            view->id = last->table_id;
            view->n_cols = last->n_cols;
            view->types = arena_alloc(txn->arena, sizeof(LogicalType) * (size_t)last->n_cols);
            for (int col = 0; view->types && col < last->n_cols; col++)
                view->types[col] = last->cols[col].type;
        }
        return;
    }
    pthread_mutex_lock(&txn->ms->mu);
    int idx = find_table(&txn->ms->state, name);
    if (idx >= 0) {
        const MsTable *t = txn->ms->state.tables[idx];
        view->exists = true;
        view->is_view = t->view_sql != NULL;
        view->id = t->id;
        view->n_cols = t->n_cols;
        view->types = arena_alloc(txn->arena, sizeof(LogicalType) * (size_t)t->n_cols);
        for (int col = 0; view->types && col < t->n_cols; col++)
            view->types[col] = t->cols[col].type;
    }
    pthread_mutex_unlock(&txn->ms->mu);
}

static TxnOp *txn_add_op(MetaTxn *txn, TxnOpKind kind, const char *name, uint64_t id, Error *err)
{
    TxnOp *op = arena_alloc_zero(txn->arena, sizeof *op);
    char *copy = op ? arena_strdup(txn->arena, name) : NULL;
    if (!copy) {
        arena_error(txn->arena, err);
        return NULL;
    }
    op->kind = kind;
    op->name = copy;
    op->table_id = id;
    return op;
}

static void txn_link(MetaTxn *txn, TxnOp *op)
{
    if (txn->ops_tail)
        txn->ops_tail->next = op;
    else
        txn->ops = op;
    txn->ops_tail = op;
}

Status metatxn_create_table(MetaTxn *txn, const char *name, const ColumnDef *cols, int n_cols,
                            bool if_not_exists, bool *created, Error *err)
{
    if (created) *created = false;
    if (!name[0]) return error_set(err, SQLSTATE_INVALID_PARAMETER, -1, "table name is empty");
    if (n_cols < 1)
        return error_set(err, SQLSTATE_INVALID_PARAMETER, -1, "table \"%s\" has no columns", name);
    if (n_cols > METASTORE_MAX_COLUMNS)
        return error_set(err, SQLSTATE_TOO_MANY_COLUMNS, -1, "tables can have at most %d columns",
                         METASTORE_MAX_COLUMNS);
    for (int col = 0; col < n_cols; col++) {
        if (!cols[col].name || !cols[col].name[0])
            return error_set(err, SQLSTATE_INVALID_PARAMETER, -1, "column %d has no name", col + 1);
        if (!storage_type_valid(cols[col].type))
            return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, -1,
                             "column \"%s\" has a type tables cannot store", cols[col].name);
        for (int prev = 0; prev < col; prev++)
            if (strcmp(cols[prev].name, cols[col].name) == 0)
                return error_set(err, SQLSTATE_DUPLICATE_COLUMN, -1,
                                 "column \"%s\" specified more than once", cols[col].name);
    }
    TxnView view;
    txn_lookup(txn, name, &view);
    if (view.exists) {
        if (if_not_exists) return BS_OK;
        return error_set(err, SQLSTATE_DUPLICATE_TABLE, -1, "relation \"%s\" already exists", name);
    }
    TxnOp *op = txn_add_op(txn, TXN_CREATE, name, 0, err);
    if (!op) return BS_ERROR;
    op->cols = arena_alloc(txn->arena, sizeof(ColumnDef) * (size_t)n_cols);
    if (!op->cols) return arena_error(txn->arena, err);
    for (int col = 0; col < n_cols; col++) {
        op->cols[col] = cols[col];
        if (cols[col].type.id != TYPE_DECIMAL && cols[col].type.id != TYPE_ARRAY) {
            op->cols[col].type = type_make((TypeId)cols[col].type.id);
            op->cols[col].type.length = cols[col].type.length; /* CHAR(n), VARCHAR(n) */
        }
        op->cols[col].name = arena_strdup(txn->arena, cols[col].name);
        if (!op->cols[col].name) return arena_error(txn->arena, err);
    }
    op->n_cols = n_cols;
    pthread_mutex_lock(&txn->ms->mu);
    op->table_id = txn->ms->next_id++;
    pthread_mutex_unlock(&txn->ms->mu);
    txn_link(txn, op);
    if (created) *created = true;
    return BS_OK;
}

/* Drops table or view `name` (is_view says which it must be). */
static Status drop_relation(MetaTxn *txn, const char *name, bool is_view, bool if_exists,
                            Error *err)
{
    const char *what = is_view ? "view" : "table";
    TxnView view;
    txn_lookup(txn, name, &view);
    if (!view.exists) {
        if (if_exists) return BS_OK;
        return error_set(err, SQLSTATE_UNDEFINED_TABLE, -1, "%s \"%s\" does not exist", what, name);
    }
    if (view.is_view != is_view) {
        error_set(err, SQLSTATE_WRONG_OBJECT_TYPE, -1, "\"%s\" is not a %s", name, what);
        error_set_hint(err, is_view ? "Use DROP TABLE to remove a table."
                                    : "Use DROP VIEW to remove a view.");
        return BS_ERROR;
    }
    TxnOp *op = txn_add_op(txn, TXN_DROP, name, view.id, err);
    if (!op) return BS_ERROR;
    txn_link(txn, op);
    return BS_OK;
}

Status metatxn_drop_table(MetaTxn *txn, const char *name, bool if_exists, Error *err)
{
    return drop_relation(txn, name, false, if_exists, err);
}

Status metatxn_drop_view(MetaTxn *txn, const char *name, bool if_exists, Error *err)
{
    return drop_relation(txn, name, true, if_exists, err);
}

Status metatxn_create_view(MetaTxn *txn, const char *name, const char *sql, const ColumnDef *cols,
                           int n_cols, bool or_replace, Error *err)
{
    if (!name[0]) return error_set(err, SQLSTATE_INVALID_PARAMETER, -1, "view name is empty");
    if (n_cols < 1 || n_cols > METASTORE_MAX_COLUMNS)
        return error_set(err, SQLSTATE_TOO_MANY_COLUMNS, -1, "a view has 1 to %d columns, not %d",
                         METASTORE_MAX_COLUMNS, n_cols);
    for (int col = 0; col < n_cols; col++) {
        if (!cols[col].name || !cols[col].name[0])
            return error_set(err, SQLSTATE_INVALID_PARAMETER, -1, "column %d has no name", col + 1);
        for (int prev = 0; prev < col; prev++)
            if (strcmp(cols[prev].name, cols[col].name) == 0)
                return error_set(err, SQLSTATE_DUPLICATE_COLUMN, -1,
                                 "column \"%s\" specified more than once", cols[col].name);
    }
    TxnView view;
    txn_lookup(txn, name, &view);
    if (view.exists) {
        if (!or_replace)
            return error_set(err, SQLSTATE_DUPLICATE_TABLE, -1, "relation \"%s\" already exists",
                             name);
        if (!view.is_view)
            return error_set(err, SQLSTATE_WRONG_OBJECT_TYPE, -1, "\"%s\" is not a view", name);
        BS_TRY(drop_relation(txn, name, true, false, err));
    }
    TxnOp *op = txn_add_op(txn, TXN_CREATE, name, 0, err);
    if (!op) return BS_ERROR;
    op->view_sql = arena_strdup(txn->arena, sql);
    op->cols = arena_alloc(txn->arena, sizeof(ColumnDef) * (size_t)n_cols);
    if (!op->view_sql || !op->cols) return arena_error(txn->arena, err);
    for (int col = 0; col < n_cols; col++) {
        op->cols[col] = cols[col];
        op->cols[col].not_null = false;
        op->cols[col].name = arena_strdup(txn->arena, cols[col].name);
        if (!op->cols[col].name) return arena_error(txn->arena, err);
    }
    op->n_cols = n_cols;
    pthread_mutex_lock(&txn->ms->mu);
    op->table_id = txn->ms->next_id++;
    pthread_mutex_unlock(&txn->ms->mu);
    txn_link(txn, op);
    return BS_OK;
}

/* 32 random hex digits: a name no other writer will pick. */
static void unique_name(char *out)
{
    uint8_t bytes[16];
    if (getrandom(bytes, sizeof bytes, 0) != (ssize_t)sizeof bytes) {
        /* No entropy source: time, pid and a counter are still unique on this host. */
        static _Atomic uint64_t counter;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t a = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
        uint64_t b = (uint64_t)getpid() << 32 | (atomic_fetch_add(&counter, 1) & 0xffffffffu);
        memcpy(bytes, &a, 8);
        memcpy(bytes + 8, &b, 8);
    }
    static const char digits[] = "0123456789abcdef";
    for (int k = 0; k < 16; k++) {
        out[2 * k] = digits[bytes[k] >> 4];
        out[2 * k + 1] = digits[bytes[k] & 15];
    }
    out[32] = '\0';
}

/* The table's data directory (made if missing): absolute, and relative to the data dir. */
static Status table_data_dir(MetaTxn *txn, const TxnView *view, char *abs, size_t abs_size,
                             char *rel, size_t rel_size, Error *err)
{
    Metastore *ms = txn->ms;
    if (!abs_path(ms, abs, abs_size, err, "tables/%" PRIu64, view->id)) return BS_ERROR;
    BS_TRY(io_mkdir(abs, err));
    if (!abs_path(ms, abs, abs_size, err, "tables/%" PRIu64 "/data", view->id)) return BS_ERROR;
    BS_TRY(io_mkdir(abs, err));
    snprintf(rel, rel_size, "tables/%" PRIu64 "/data", view->id);
    return BS_OK;
}

/* A table of the txn that files can be written for: 42P01, 42809 otherwise. */
static Status writable_table(MetaTxn *txn, const char *name, TxnView *view, Error *err)
{
    txn_lookup(txn, name, view);
    if (!view->exists)
        return error_set(err, SQLSTATE_UNDEFINED_TABLE, -1, "table \"%s\" does not exist", name);
    if (view->is_view)
        return error_set(err, SQLSTATE_WRONG_OBJECT_TYPE, -1, "\"%s\" is a view, not a table",
                         name);
    return BS_OK;
}

/* Records a file of the txn (deleted unless it commits). */
static Status txn_add_file(MetaTxn *txn, uint64_t table_id, const char *abs, const char *rel,
                           Error *err)
{
    if (txn->n_files == txn->cap_files) {
        int cap = txn->cap_files ? txn->cap_files * 2 : 8;
        TxnFile *grown =
            arena_grow(txn->arena, txn->files, sizeof(TxnFile) * (size_t)txn->cap_files,
                       sizeof(TxnFile) * (size_t)cap);
        if (!grown) return arena_error(txn->arena, err);
        txn->files = grown;
        txn->cap_files = cap;
    }
    TxnFile *f = &txn->files[txn->n_files];
    f->abs_path = arena_strdup(txn->arena, abs);
    f->rel_path = arena_strdup(txn->arena, rel);
    f->table_id = table_id;
    f->appended = false;
    if (!f->abs_path || !f->rel_path) return arena_error(txn->arena, err);
    txn->n_files++;
    return BS_OK;
}

Status metatxn_new_file(MetaTxn *txn, const char *name, Arena *arena, char **abs_out,
                        char **rel_out, Error *err)
{
    *abs_out = *rel_out = NULL;
    TxnView view;
    BS_TRY(writable_table(txn, name, &view, err));
    char path[PATH_MAX], dir[64], rel[128], hex[33];
    BS_TRY(table_data_dir(txn, &view, path, sizeof path, dir, sizeof dir, err));
    unique_name(hex);
    snprintf(rel, sizeof rel, "%s/%s.bsc", dir, hex);
    if (!abs_path(txn->ms, path, sizeof path, err, "%s", rel)) return BS_ERROR;
    BS_TRY(txn_add_file(txn, view.id, path, rel, err));
    *abs_out = arena_strdup(arena, path);
    *rel_out = arena_strdup(arena, rel);
    if (!*abs_out || !*rel_out) return arena_error(arena, err);
    return BS_OK;
}

Status metatxn_file_prefix(MetaTxn *txn, const char *name, Arena *arena, char **abs_dir,
                           char **rel_dir, char **prefix, Error *err)
{
    *abs_dir = *rel_dir = *prefix = NULL;
    TxnView view;
    BS_TRY(writable_table(txn, name, &view, err));
    char path[PATH_MAX], dir[64];
    BS_TRY(table_data_dir(txn, &view, path, sizeof path, dir, sizeof dir, err));
    TxnPrefix *p = arena_alloc_zero(txn->arena, sizeof *p);
    if (!p) return arena_error(txn->arena, err);
    p->abs_dir = arena_strdup(txn->arena, path);
    p->rel_dir = arena_strdup(txn->arena, dir);
    if (!p->abs_dir || !p->rel_dir) return arena_error(txn->arena, err);
    unique_name(p->prefix);
    p->table_id = view.id;
    p->next = txn->prefixes;
    txn->prefixes = p;
    *abs_dir = arena_strdup(arena, p->abs_dir);
    *rel_dir = arena_strdup(arena, p->rel_dir);
    *prefix = arena_strdup(arena, p->prefix);
    if (!*abs_dir || !*rel_dir || !*prefix) return arena_error(arena, err);
    return BS_OK;
}

/* Whether `file` (a name in a data directory) is PREFIX-N.bsc, N decimal digits. */
static bool named_under(const char *file, const char *prefix)
{
    size_t n = strlen(prefix);
    if (strncmp(file, prefix, n) != 0 || file[n] != '-') return false;
    const char *d = file + n + 1;
    if (*d < '0' || *d > '9') return false;
    while (*d >= '0' && *d <= '9')
        d++;
    return strcmp(d, ".bsc") == 0;
}

Status metatxn_adopt_file(MetaTxn *txn, const char *name, const char *prefix, const char *rel_path,
                          Error *err)
{
    TxnView view;
    BS_TRY(writable_table(txn, name, &view, err));
    for (const TxnPrefix *p = txn->prefixes; p; p = p->next) {
        size_t n = strlen(p->rel_dir);
        if (p->table_id != view.id || strcmp(p->prefix, prefix) != 0) continue;
        if (strncmp(rel_path, p->rel_dir, n) != 0 || rel_path[n] != '/' ||
            !named_under(rel_path + n + 1, p->prefix))
            break;
        for (int k = 0; k < txn->n_files; k++)
            if (strcmp(txn->files[k].rel_path, rel_path) == 0)
                return error_set(err, SQLSTATE_INVALID_PARAMETER, -1,
                                 "file \"%s\" was reported twice", rel_path);
        char path[PATH_MAX];
        if (!abs_path(txn->ms, path, sizeof path, err, "%s", rel_path)) return BS_ERROR;
        return txn_add_file(txn, view.id, path, rel_path, err);
    }
    return error_set(err, SQLSTATE_INVALID_PARAMETER, -1,
                     "file \"%s\" is not one this transaction let be written for table \"%s\"",
                     rel_path, name);
}

Status metatxn_append_files(MetaTxn *txn, const char *name, const DataFileInfo *files, int n_files,
                            Error *err)
{
    TxnView view;
    txn_lookup(txn, name, &view);
    if (!view.exists)
        return error_set(err, SQLSTATE_UNDEFINED_TABLE, -1, "table \"%s\" does not exist", name);
    if (view.is_view)
        return error_set(err, SQLSTATE_WRONG_OBJECT_TYPE, -1, "\"%s\" is a view, not a table",
                         name);
    if (!view.types) return arena_error(txn->arena, err);
    if (n_files <= 0) return BS_OK;
    /* Validate everything before marking anything, so a failure changes nothing. */
    TxnFile **matches = arena_alloc(txn->arena, sizeof(TxnFile *) * (size_t)n_files);
    if (!matches) return arena_error(txn->arena, err);
    for (int k = 0; k < n_files; k++) {
        const DataFileInfo *f = &files[k];
        matches[k] = NULL;
        for (int m = 0; m < txn->n_files && !matches[k]; m++)
            if (strcmp(txn->files[m].rel_path, f->path) == 0 && txn->files[m].table_id == view.id)
                matches[k] = &txn->files[m];
        for (int prev = 0; prev < k && matches[k]; prev++)
            if (matches[prev] == matches[k]) matches[k] = NULL;
        if (!matches[k] || matches[k]->appended || !f->zones)
            return error_set(err, SQLSTATE_INVALID_PARAMETER, -1,
                             "file \"%s\" was not created by this transaction for table \"%s\"",
                             f->path, name);
        struct stat st;
        if (stat(matches[k]->abs_path, &st) != 0)
            return io_error(err, errno, "could not stat file \"%s\"", matches[k]->abs_path);
        if ((uint64_t)st.st_size != f->n_bytes)
            return error_set(err, SQLSTATE_INTERNAL_ERROR, -1,
                             "file \"%s\" has %llu bytes, not %llu", f->path,
                             (unsigned long long)st.st_size, (unsigned long long)f->n_bytes);
        /* What the manifest will say must read back: check it as the reader will. */
        for (int col = 0; col < view.n_cols; col++)
            if (!zone_valid(&f->zones[col], view.types[col], f->n_rows))
                return error_set(err, SQLSTATE_INTERNAL_ERROR, -1,
                                 "zone map of column %d of file \"%s\" is inconsistent", col + 1,
                                 f->path);
    }
    TxnOp *op = txn_add_op(txn, TXN_APPEND, name, view.id, err);
    if (!op) return BS_ERROR;
    op->files = arena_alloc_zero(txn->arena, sizeof(DataFileInfo) * (size_t)n_files);
    if (!op->files) return arena_error(txn->arena, err);
    for (int k = 0; k < n_files; k++) {
        DataFileInfo *dst = &op->files[k];
        dst->path = matches[k]->rel_path;
        dst->n_rows = files[k].n_rows;
        dst->n_bytes = files[k].n_bytes;
        dst->n_row_groups = files[k].n_row_groups;
        dst->zones = arena_alloc(txn->arena, sizeof(ZoneMap) * (size_t)view.n_cols);
        if (!dst->zones) return arena_error(txn->arena, err);
        for (int col = 0; col < view.n_cols; col++)
            BS_TRY(zone_copy(&dst->zones[col], &files[k].zones[col], txn->arena, err));
    }
    op->n_files = n_files;
    txn_link(txn, op);
    for (int k = 0; k < n_files; k++)
        matches[k]->appended = true;
    return BS_OK;
}

/*
 * Deletes the files under the txn's prefixes (but, when keep_appended, those it appended):
 * files whose writer failed or whose report came too late. One still being written now
 * is removed at the next open.
 */
static void remove_prefix_files(const MetaTxn *txn, bool keep_appended)
{
    for (const TxnPrefix *p = txn->prefixes; p; p = p->next) {
        DIR *dir = opendir(p->abs_dir);
        struct dirent *ent;
        char path[PATH_MAX];
        while (dir && (ent = readdir(dir)) != NULL) {
            if (!named_under(ent->d_name, p->prefix) ||
                snprintf(path, sizeof path, "%s/%s", p->abs_dir, ent->d_name) >= (int)sizeof path)
                continue;
            bool keep = false;
            for (int k = 0; k < txn->n_files && keep_appended && !keep; k++)
                keep = txn->files[k].appended && strcmp(txn->files[k].abs_path, path) == 0;
            if (!keep) unlink(path);
        }
        if (dir) closedir(dir);
    }
}

/* Deletes the txn's files and the directories of tables it created, then frees it. */
static void txn_discard(MetaTxn *txn)
{
    Error err = ERROR_INIT;
    for (int k = 0; k < txn->n_files; k++)
        unlink(txn->files[k].abs_path);
    remove_prefix_files(txn, false);
    for (const TxnOp *op = txn->ops; op; op = op->next) {
        char path[PATH_MAX];
        if (op->kind == TXN_CREATE &&
            abs_path(txn->ms, path, sizeof path, &err, "tables/%" PRIu64, op->table_id))
            io_remove_tree(path, &err);
    }
    error_clear(&err);
    arena_destroy(txn->arena);
}

void metastore_abort(MetaTxn *txn)
{
    if (txn) txn_discard(txn);
}

/* ---- commit -------------------------------------------------------------------------- */

/* A table of the catalog a commit builds. */
typedef struct WorkTable {
    MsTable *t;
    bool fresh;   /* made by this commit (created, or copied to be changed): not yet shared */
    bool created; /* created by this transaction */
    bool changed; /* files were added */
} WorkTable;

typedef struct Work {
    WorkTable *items;
    int n, cap;
} Work;

static void work_free(Work *w)
{
    for (int k = 0; k < w->n; k++)
        if (w->items[k].fresh) ms_table_free(w->items[k].t);
    bs_free(w->items);
    memset(w, 0, sizeof *w);
}

static int work_find(const Work *w, const char *name)
{
    for (int k = 0; k < w->n; k++)
        if (strcmp(w->items[k].t->name, name) == 0) return k;
    return -1;
}

static Status work_push(Work *w, WorkTable item, Error *err)
{
    if (w->n == w->cap) {
        int cap = w->cap ? w->cap * 2 : 16;
        WorkTable *grown = bs_realloc(w->items, sizeof(WorkTable) * (size_t)cap);
        if (!grown) return error_oom(err);
        w->items = grown;
        w->cap = cap;
    }
    w->items[w->n++] = item;
    return BS_OK;
}

/* Copies name and columns of a table into t. */
static Status table_set_schema(MsTable *t, const char *name, const ColumnDef *cols, int n_cols,
                               Error *err)
{
    t->name = arena_strdup(t->arena, name);
    t->cols = arena_alloc(t->arena, sizeof(ColumnDef) * (size_t)n_cols);
    if (!t->name || !t->cols) return arena_error(t->arena, err);
    for (int col = 0; col < n_cols; col++) {
        t->cols[col] = cols[col];
        t->cols[col].name = arena_strdup(t->arena, cols[col].name);
        if (!t->cols[col].name) return arena_error(t->arena, err);
    }
    t->n_cols = n_cols;
    return BS_OK;
}

/* Appends deep copies of files to t's file list (reallocated in t's arena). */
static Status table_add_files(MsTable *t, const DataFileInfo *files, int n_files, Error *err)
{
    DataFileInfo *all =
        arena_alloc(t->arena, sizeof(DataFileInfo) * (size_t)(t->n_files + n_files));
    if (!all) return arena_error(t->arena, err);
    if (t->n_files) memcpy(all, t->files, sizeof(DataFileInfo) * (size_t)t->n_files);
    for (int k = 0; k < n_files; k++) {
        const DataFileInfo *src = &files[k];
        DataFileInfo *dst = &all[t->n_files + k];
        *dst = *src;
        dst->path = arena_strdup(t->arena, src->path);
        dst->zones = arena_alloc(t->arena, sizeof(ZoneMap) * (size_t)t->n_cols);
        if (!dst->path || !dst->zones) return arena_error(t->arena, err);
        for (int col = 0; col < t->n_cols; col++)
            BS_TRY(zone_copy(&dst->zones[col], &src->zones[col], t->arena, err));
    }
    t->files = all;
    t->n_files += n_files;
    for (int k = 0; k < n_files; k++)
        t->n_rows += files[k].n_rows;
    return BS_OK;
}

static MsTable *table_clone(const MsTable *src, Error *err)
{
    MsTable *t = ms_table_new(err);
    if (!t) return NULL;
    t->id = src->id;
    t->snapshot = src->snapshot;
    if (table_set_schema(t, src->name, src->cols, src->n_cols, err) != BS_OK ||
        table_add_files(t, src->files, src->n_files, err) != BS_OK) {
        ms_table_free(t);
        return NULL;
    }
    return t;
}

static Status conflict(const char *name, Error *err)
{
    error_set(err, STORAGE_SQLSTATE_SERIALIZATION, -1,
              "could not serialize access due to concurrent change of table \"%s\"", name);
    error_set_hint(err, "Retry the transaction.");
    return BS_ERROR;
}

/* Replays the transaction's operations over the committed catalog into w. */
static Status apply_ops(Metastore *ms, const MetaTxn *txn, Work *w, Error *err)
{
    for (int k = 0; k < ms->state.n_tables; k++) {
        WorkTable item = {ms->state.tables[k], false, false, false};
        BS_TRY(work_push(w, item, err));
    }
    for (const TxnOp *op = txn->ops; op; op = op->next) {
        int idx = work_find(w, op->name);
        if (op->kind == TXN_CREATE) {
            if (idx >= 0)
                return error_set(err, SQLSTATE_DUPLICATE_TABLE, -1,
                                 "relation \"%s\" already exists", op->name);
            MsTable *t = ms_table_new(err);
            if (!t) return BS_ERROR;
            WorkTable item = {t, true, true, false};
            if (work_push(w, item, err) != BS_OK) {
                ms_table_free(t);
                return BS_ERROR;
            }
            t->id = op->table_id;
            t->snapshot = 1;
            BS_TRY(table_set_schema(t, op->name, op->cols, op->n_cols, err));
            if (op->view_sql) {
                t->view_sql = arena_strdup(t->arena, op->view_sql);
                if (!t->view_sql) return arena_error(t->arena, err);
            }
            continue;
        }
        if (idx < 0)
            return error_set(err, SQLSTATE_UNDEFINED_TABLE, -1, "table \"%s\" does not exist",
                             op->name);
        WorkTable *item = &w->items[idx];
        if (item->t->id != op->table_id) return conflict(op->name, err);
        if (op->kind == TXN_DROP) {
            if (item->fresh) ms_table_free(item->t);
            *item = w->items[--w->n];
            continue;
        }
        if (!item->fresh) {
            MsTable *copy = table_clone(item->t, err);
            if (!copy) return BS_ERROR;
            copy->snapshot++;
            item->t = copy;
            item->fresh = true;
        }
        item->changed = true;
        BS_TRY(table_add_files(item->t, op->files, op->n_files, err));
    }
    return BS_OK;
}

/*
 * Removes the manifests a failed commit may have written: those of the tables it made or
 * changed, whose snapshots no committed catalog names.
 */
static void unlink_new_manifests(Metastore *ms, const Work *w)
{
    Error err = ERROR_INIT;
    for (int k = 0; k < w->n; k++) {
        const MsTable *t = w->items[k].t;
        char path[PATH_MAX];
        if (w->items[k].fresh && !t->view_sql &&
            abs_path(ms, path, sizeof path, &err, "tables/%" PRIu64 "/manifest-%" PRIu64 ".json",
                     t->id, t->snapshot))
            unlink(path);
    }
    error_clear(&err);
}

/*
 * Paths a commit deletes once it is done. If this list cannot be allocated, the files
 * stay until the next metastore_open removes them.
 */
typedef struct Removals {
    Buffer paths; /* NUL-terminated paths back to back, each after a 'F'ile or 'T'ree mark */
} Removals;

static void removal_add(Metastore *ms, Removals *rm, bool tree, const char *fmt, ...)
    BS_PRINTF(4, 5);

static void removal_add(Metastore *ms, Removals *rm, bool tree, const char *fmt, ...)
{
    char rel[PATH_MAX];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(rel, sizeof rel, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof rel) return;
    buffer_printf(&rm->paths, "%c%s/%s", tree ? 'T' : 'F', ms->dir, rel);
    buffer_put_u8(&rm->paths, '\0');
}

/* Performs the removals (best effort: leftovers are removed at the next open). */
static void removals_run(Removals *rm)
{
    Error err = ERROR_INIT;
    if (buffer_ok(&rm->paths)) {
        for (size_t pos = 0; pos < rm->paths.len;) {
            const char *entry = (const char *)rm->paths.data + pos;
            if (entry[0] == 'T')
                io_remove_tree(entry + 1, &err);
            else
                unlink(entry + 1);
            pos += strlen(entry) + 1;
        }
    }
    error_clear(&err);
    buffer_free(&rm->paths);
}

/* Step 2 of the protocol: the new manifests of the tables the commit made or changed. */
static Status write_manifests(Metastore *ms, const Work *w, Error *err)
{
    bool any_created = false;
    for (int k = 0; k < w->n; k++) {
        const WorkTable *item = &w->items[k];
        if (!item->fresh || item->t->view_sql) continue; /* views have no manifest */
        const MsTable *t = item->t;
        char path[PATH_MAX], rel[128];
        if (!abs_path(ms, path, sizeof path, err, "tables/%" PRIu64, t->id)) return BS_ERROR;
        BS_TRY(io_mkdir(path, err));
        if (item->changed) {
            if (!abs_path(ms, path, sizeof path, err, "tables/%" PRIu64 "/data", t->id))
                return BS_ERROR;
            BS_TRY(io_fsync_dir(path, err));
        }
        ms_manifest_rel_path(t->id, t->snapshot, rel, sizeof rel);
        if (!abs_path(ms, path, sizeof path, err, "%s", rel)) return BS_ERROR;
        Buffer buf;
        buffer_init(&buf);
        Status status = manifest_encode_table(t, &buf, err);
        if (status == BS_OK) status = io_write_file_atomic(path, buf.data, buf.len, NULL, err);
        buffer_free(&buf);
        BS_TRY(status);
        any_created |= item->created;
    }
    if (any_created) {
        char path[PATH_MAX];
        if (!abs_path(ms, path, sizeof path, err, "tables")) return BS_ERROR;
        BS_TRY(io_fsync_dir(path, err));
    }
    return BS_OK;
}

static int compare_by_name(const void *a, const void *b)
{
    return strcmp((*(MsTable *const *)a)->name, (*(MsTable *const *)b)->name);
}

/*
 * After the commit point: makes new_state current, frees the tables it replaced and
 * lists in rm what is no longer referenced.
 */
static void publish(Metastore *ms, const MetaTxn *txn, MsState *new_state, Removals *rm)
{
    for (int k = 0; k < ms->state.n_tables; k++) {
        MsTable *old = ms->state.tables[k];
        const MsTable *now = NULL;
        for (int m = 0; m < new_state->n_tables && !now; m++)
            if (new_state->tables[m]->id == old->id) now = new_state->tables[m];
        if (now == old) continue;
        if (old->view_sql)
            ; /* nothing on disk */
        else if (now)
            removal_add(ms, rm, false, "tables/%" PRIu64 "/manifest-%" PRIu64 ".json", old->id,
                        old->snapshot);
        else
            removal_add(ms, rm, true, "tables/%" PRIu64, old->id);
        ms_table_free(old);
    }
    for (const TxnOp *op = txn->ops; op; op = op->next) {
        bool live = false;
        for (int m = 0; m < new_state->n_tables && !live; m++)
            live = new_state->tables[m]->id == op->table_id;
        if (op->kind == TXN_CREATE && !live)
            removal_add(ms, rm, true, "tables/%" PRIu64, op->table_id);
    }
    for (int k = 0; k < txn->n_files; k++)
        if (!txn->files[k].appended) removal_add(ms, rm, false, "%s", txn->files[k].rel_path);
    bs_free(ms->state.tables);
    ms->state = *new_state;
}

Status metastore_commit(MetaTxn *txn, Error *err)
{
    Metastore *ms = txn->ms;
    Removals rm;
    buffer_init(&rm.paths);
    Work w = {NULL, 0, 0};
    MsState new_state = {0, 0, 0, NULL};
    bool renamed = false;
    pthread_mutex_lock(&ms->mu);
    Status status = BS_OK;
    if (!txn->ops) {
        /* Nothing to commit; files it made but did not append are just removed. */
        pthread_mutex_unlock(&ms->mu);
        txn_discard(txn);
        return BS_OK;
    }
    status = apply_ops(ms, txn, &w, err);
    if (status == BS_OK) status = write_manifests(ms, &w, err);
    if (status == BS_OK) {
        new_state.tables = bs_malloc(sizeof(MsTable *) * (size_t)(w.n ? w.n : 1));
        if (!new_state.tables) status = error_oom(err);
    }
    if (status == BS_OK) {
        for (int k = 0; k < w.n; k++)
            new_state.tables[k] = w.items[k].t;
        new_state.n_tables = w.n;
        qsort(new_state.tables, (size_t)w.n, sizeof(MsTable *), compare_by_name);
        new_state.version = ms->state.version + 1;
        new_state.next_table_id = ms->next_id;
        status = write_catalog(ms, &new_state, &renamed, err); /* the commit point */
    }
    if (status != BS_OK && !renamed) {
        unlink_new_manifests(ms, &w);
        pthread_mutex_unlock(&ms->mu);
        bs_free(new_state.tables);
        work_free(&w);
        txn_discard(txn);
        return BS_ERROR;
    }
    publish(ms, txn, &new_state, &rm);
    bs_free(w.items);
    pthread_mutex_unlock(&ms->mu);
    removals_run(&rm);
    remove_prefix_files(txn, true);
    arena_destroy(txn->arena);
    if (status != BS_OK)
        error_set_detail(err, "The transaction is committed, but may be lost if the system "
                              "crashes before the data directory is written to disk.");
    return status;
}
