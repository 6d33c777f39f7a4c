/*
 * runner.c — Basalt's sqllogictest runner. Runs .test files against an embedded engine
 * over a fresh data directory per file and reports every mismatch with file:line.
 *
 * Records (blank lines separate them; `#` starts a comment line):
 *
 *   statement ok                     the statement must succeed
 *   statement error [SQLSTATE|text]  it must fail: with that SQLSTATE (5 characters) or
 *                                    with a message containing the text; an optional
 *                                    `----` section holds a message substring too
 *   query <types> [nosort|rowsort|valuesort]
 *   <sql>
 *   ----
 *   <expected rows, values separated by tabs>   (or one value per line)
 *
 *     <types> has one letter per result column, and each letter must match the column's
 *     type (the convention of SQLite's sqllogictest and DuckDB's):
 *       I  integers: INTEGER, BIGINT
 *       R  numbers with a fraction: DOUBLE, DECIMAL(p,s)
 *       T  everything else: VARCHAR, BOOLEAN, DATE, TIMESTAMP
 *     A wrong letter or a wrong number of letters fails the record.
 *   restart [threads=N] [workers=M] [max_recursion=K] [memory_mb=S]
 *                                    close and reopen the engine (persistence), optionally
 *                                    with other settings for the rest of the file
 *   write-file <path>                write the lines up to the next blank line to path
 *   halt                             stop reading the file
 *
 * In SQL, paths and file contents, __TEST_DIR__ is the file's scratch directory and
 * __DATA_DIR__ is tests/sql/data. Values print as the engine's text form; NULL as NULL,
 * the empty string as (empty).
 *
 * Usage: basalt_sqltest [--threads N] [--workers M] [--data-dir DIR] [--server BASALT
 *                       [--cluster]] file.test ...
 * (--workers: in-process workers, so plans exchange rows between tasks as in a cluster).
 * With --server, every statement goes through the native protocol instead: for each file
 * (and each restart) the runner starts `BASALT coordinator` over the file's database on a
 * free loopback port, runs the records through a connection to it, and stops it with
 * SIGTERM; a coordinator that does not exit cleanly fails the file. With --cluster too it
 * starts `BASALT cluster --workers M` instead: a coordinator and M worker processes, on
 * which every query's fragments but the root run as tasks, with network exchanges.
 */
#include "common/alloc.h"
#include "common/array.h"
#include "common/buffer.h"
#include "server/cli.h"
#include "server/roles.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct Runner {
    const char *path;
    char *test_dir;
    const char *data_dir_tests; /* tests/sql/data */
    char *db_dir;
    Engine *engine;
    const char *server_bin; /* --server: run statements on a coordinator process */
    bool cluster;           /* --cluster: on `basalt cluster` (workers: worker processes) */
    pid_t server_pid;
    CliBackend *backend; /* the connection to it */
    int threads;
    int workers;
    int64_t max_recursion;
    int64_t memory_limit;
    int failures;
    int records;
} Runner;

typedef struct Lines {
    char **items;
    int count;
} Lines;

static char *replace_all(const char *text, const char *from, const char *to)
{
    Buffer b;
    buffer_init(&b);
    size_t from_len = strlen(from);
    const char *p = text;
    for (;;) {
        const char *hit = strstr(p, from);
        if (!hit) break;
        buffer_put_bytes(&b, p, (size_t)(hit - p));
        buffer_put_bytes(&b, to, strlen(to));
        p = hit + from_len;
    }
    buffer_put_bytes(&b, p, strlen(p));
    buffer_terminate(&b);
    size_t len;
    char *out = (char *)buffer_steal(&b, &len);
    return out ? out : bs_strdup("");
}

static char *substitute(Runner *r, const char *text)
{
    char *a = replace_all(text, "__TEST_DIR__", r->test_dir);
    char *b = replace_all(a, "__DATA_DIR__", r->data_dir_tests);
    bs_free(a);
    return b;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void remove_tree(const char *path)
{
    nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Starts the coordinator over r->db_dir and connects to it. */
static bool open_server(Runner *r)
{
    int out[2];
    if (pipe(out) != 0) return false;
    char threads[16], workers[16], memory[32], recursion[32];
    snprintf(threads, sizeof threads, "%d", r->threads);
    snprintf(workers, sizeof workers, "%d", r->workers);
    snprintf(memory, sizeof memory, "%lldB",
             (long long)(r->memory_limit > 0 ? r->memory_limit : INT64_C(4) << 30));
    snprintf(recursion, sizeof recursion, "%lld", (long long)r->max_recursion);
    pid_t pid = fork();
    if (pid < 0) return false;
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* a runner killed by a timeout leaves no server */
        dup2(out[1], STDOUT_FILENO);
        close(out[0]);
        close(out[1]);
        const char *argv[20] = {r->server_bin, "coordinator", "--data", r->db_dir, "--port", "0",
                                "--bind", "127.0.0.1", "--threads", threads, "--local-workers",
                                workers, "--memory", memory};
        int n = 14;
        if (r->cluster) {
            /* basalt cluster --data DIR --workers N --port 0 --threads T --memory M */
            const char *cargv[] = {r->server_bin, "cluster", "--data", r->db_dir, "--workers",
                                   workers, "--port", "0", "--threads", threads, "--memory",
                                   memory};
            n = (int)(sizeof cargv / sizeof cargv[0]);
            memcpy(argv, cargv, sizeof cargv);
        }
        if (r->max_recursion > 0) {
            argv[n++] = "--max-recursion";
            argv[n++] = recursion;
        }
        argv[n] = NULL;
        execv(r->server_bin, (char *const *)argv);
        _exit(127);
    }
    close(out[1]);
    r->server_pid = pid;
    /* Its first line names the port: "... listening on 127.0.0.1:PORT (native protocol)". */
    char line[512];
    size_t len = 0;
    struct pollfd p = {.fd = out[0], .events = POLLIN};
    while (len + 1 < sizeof line && poll(&p, 1, 30000) > 0) {
        ssize_t n = read(out[0], line + len, 1);
        if (n <= 0 || line[len] == '\n') break;
        len += (size_t)n;
    }
    line[len] = '\0';
    /* A cluster's workers say where they listen, then it says how many registered: they
       all must have. */
    char second[256] = "";
    for (int lines = 0; r->cluster && lines < 2 * r->workers + 4; lines++) {
        size_t len2 = 0;
        while (len2 + 1 < sizeof second && poll(&p, 1, 30000) > 0) {
            ssize_t n = read(out[0], second + len2, 1);
            if (n <= 0 || second[len2] == '\n') break;
            len2 += (size_t)n;
        }
        second[len2] = '\0';
        if (strstr(second, "workers registered") || len2 == 0) break;
    }
    close(out[0]);
    if (r->cluster) {
        char want[64];
        snprintf(want, sizeof want, "%d of %d workers registered", r->workers, r->workers);
        if (!strstr(second, want)) {
            fprintf(stderr, "%s: the cluster did not start: \"%s\"\n", r->path, second);
            return false;
        }
    }
    const char *at = strstr(line, "127.0.0.1:");
    if (!at) {
        fprintf(stderr, "%s: the coordinator did not start: \"%s\"\n", r->path, line);
        return false;
    }
    char address[64];
    snprintf(address, sizeof address, "127.0.0.1:%d", atoi(at + 10));
    Error err = ERROR_INIT;
    r->backend = cli_backend_connect(address, &err);
    if (!r->backend) {
        fprintf(stderr, "%s: cannot connect to the coordinator: %s\n", r->path, err.message);
        error_clear(&err);
        return false;
    }
    return true;
}

/* Disconnects and stops the coordinator; false when it did not exit cleanly. */
static bool close_server(Runner *r)
{
    if (r->backend) r->backend->ops->destroy(r->backend);
    r->backend = NULL;
    if (r->server_pid <= 0) return true;
    kill(r->server_pid, SIGTERM);
    int status = 0;
    waitpid(r->server_pid, &status, 0);
    r->server_pid = 0;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return true;
    fprintf(stderr, "%s: the coordinator exited with %s %d\n", r->path,
            WIFSIGNALED(status) ? "signal" : "status",
            WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
    return false;
}

static bool open_engine(Runner *r)
{
    if (r->server_bin) return open_server(r);
    EngineConfig cfg = {
        .data_dir = r->db_dir,
        .threads = r->threads,
        .workers = r->workers,
        .memory_limit = r->memory_limit > 0 ? r->memory_limit : INT64_C(4) << 30,
        .max_recursion = r->max_recursion,
    };
    Error err = ERROR_INIT;
    if (engine_open(&cfg, &r->engine, &err) != BS_OK) {
        fprintf(stderr, "%s: cannot open engine: %s\n", r->path, err.message);
        error_clear(&err);
        return false;
    }
    return true;
}

/* Closes the engine or stops the coordinator; false when that failed. */
static bool close_engine(Runner *r)
{
    engine_close(r->engine);
    r->engine = NULL;
    return close_server(r);
}

/* Runs one statement in the engine or on the coordinator. */
static Status execute(Runner *r, const char *sql, Result **res, Error *err)
{
    if (r->backend) return cli_backend_execute(r->backend, sql, strlen(sql), res, err);
    if (!r->engine) {
        *res = NULL;
        return error_set(err, "08003", -1, "no engine");
    }
    return engine_execute(r->engine, sql, strlen(sql), res, err);
}

/* Text of one value as sqllogictest shows it. */
static void value_text(const Result *res, const Value *v, Buffer *out)
{
    if (v->is_null) {
        buffer_printf(out, "NULL");
        return;
    }
    if (type_is_string(v->type)) {
        /* a CHAR(n) shows its padding to n characters */
        uint32_t chars = 0;
        for (uint32_t k = 0; k < v->u.str.len; k++)
            chars += ((unsigned char)v->u.str.data[k] & 0xC0) != 0x80;
        uint32_t pad =
            v->type.id == TYPE_CHAR && chars < v->type.length ? v->type.length - chars : 0;
        if (v->u.str.len + pad == 0)
            buffer_printf(out, "(empty)");
        else
            buffer_put_bytes(out, v->u.str.data, v->u.str.len);
        for (uint32_t k = 0; k < pad; k++)
            buffer_put_u8(out, ' ');
        return;
    }
    if (v->type.id == TYPE_ARRAY) { /* PostgreSQL's text form: {1,2,NULL} */
        array_format(out, v->type, v->u.str.data, v->u.str.len);
        return;
    }
    char buf[VALUE_TEXT_MAX];
    format_value_in_zone(v, res->zone, buf);
    buffer_printf(out, "%s", buf);
}

/* The sqllogictest letter of a result column's type (see the header comment). */
static char type_letter(LogicalType type)
{
    switch ((TypeId)type.id) {
    case TYPE_TINYINT:
    case TYPE_SMALLINT:
    case TYPE_INTEGER:
    case TYPE_BIGINT:
    case TYPE_HUGEINT:
        return 'I';
    case TYPE_REAL:
    case TYPE_DOUBLE:
    case TYPE_DECIMAL:
        return 'R';
    default:
        return 'T';
    }
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void report(Runner *r, int line, const char *sql, const char *fmt, ...) BS_PRINTF(4, 5);
static void report(Runner *r, int line, const char *sql, const char *fmt, ...)
{
    r->failures++;
    fprintf(stderr, "\n%s:%d: FAILED\n  %s\n  ", r->path, line, sql);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
}

/* Splits a line on tabs into values appended to out. */
static void split_tabs(const char *line, Lines *out)
{
    const char *p = line;
    for (;;) {
        const char *tab = strchr(p, '\t');
        size_t len = tab ? (size_t)(tab - p) : strlen(p);
        out->items = bs_realloc(out->items, sizeof(char *) * (size_t)(out->count + 1));
        out->items[out->count++] = bs_strndup(p, len);
        if (!tab) break;
        p = tab + 1;
    }
}

static void free_lines(Lines *l)
{
    for (int k = 0; k < l->count; k++)
        bs_free(l->items[k]);
    bs_free(l->items);
    l->items = NULL;
    l->count = 0;
}

static void run_statement(Runner *r, int line, const char *sql, const char *expect_error,
                          const char *error_text)
{
    Result *res = NULL;
    Error err = ERROR_INIT;
    Status st = execute(r, sql, &res, &err);
    if (!expect_error && !error_text) {
        if (st != BS_OK)
            report(r, line, sql, "expected success, got %s: %s", err.sqlstate, err.message);
    } else if (st == BS_OK) {
        report(r, line, sql, "expected an error, but the statement succeeded");
    } else {
        bool is_state = expect_error && strlen(expect_error) == 5 &&
                        strspn(expect_error, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") == 5;
        if (expect_error && *expect_error) {
            if (is_state ? strcmp(err.sqlstate, expect_error) != 0
                         : !strstr(err.message, expect_error))
                report(r, line, sql, "expected error %s, got %s: %s", expect_error, err.sqlstate,
                       err.message);
        }
        if (error_text && *error_text && !strstr(err.message, error_text))
            report(r, line, sql, "expected error message containing \"%s\", got %s: %s", error_text,
                   err.sqlstate, err.message);
    }
    error_clear(&err);
    result_free(res);
}

static void run_query(Runner *r, int line, const char *sql, const char *types, const char *sort,
                      const Lines *expected)
{
    Result *res = NULL;
    Error err = ERROR_INIT;
    if (execute(r, sql, &res, &err) != BS_OK) {
        report(r, line, sql, "query failed: %s: %s", err.sqlstate, err.message);
        error_clear(&err);
        return;
    }
    int n_cols = (int)strlen(types);
    if (!res->has_rows || res->n_cols != n_cols) {
        report(r, line, sql, "expected %d columns, got %d", n_cols,
               res->has_rows ? res->n_cols : 0);
        result_free(res);
        return;
    }
    char actual_types[64];
    for (int c = 0; c < n_cols; c++)
        actual_types[c] = type_letter(res->types[c]);
    actual_types[n_cols] = '\0';
    if (strcmp(types, actual_types) != 0) {
        Buffer names;
        buffer_init(&names);
        for (int c = 0; c < n_cols; c++) {
            char name[32];
            buffer_printf(&names, "%s%s", c ? ", " : "",
                          type_format(res->types[c], name, sizeof name));
        }
        buffer_terminate(&names);
        report(r, line, sql, "expected column types %s, got %s (%s)", types, actual_types,
               names.data ? (char *)names.data : "");
        buffer_free(&names);
        result_free(res);
        return;
    }
    /* Actual rows as tab-joined lines, and as single values. */
    uint64_t n_rows = res->n_rows;
    char **rows = bs_calloc((size_t)(n_rows ? n_rows : 1), sizeof(char *));
    Lines values = {0};
    for (uint64_t row = 0; row < n_rows; row++) {
        Buffer line_buf;
        buffer_init(&line_buf);
        for (int c = 0; c < n_cols; c++) {
            Value v;
            result_get(res, row, c, &v);
            Buffer vb;
            buffer_init(&vb);
            value_text(res, &v, &vb);
            buffer_terminate(&vb);
            values.items = bs_realloc(values.items, sizeof(char *) * (size_t)(values.count + 1));
            values.items[values.count++] = bs_strndup(vb.len ? (char *)vb.data : "", vb.len);
            if (c) buffer_put_u8(&line_buf, '\t');
            buffer_put_bytes(&line_buf, vb.data, vb.len);
            buffer_free(&vb);
        }
        buffer_terminate(&line_buf);
        size_t len;
        rows[row] = (char *)buffer_steal(&line_buf, &len);
        if (!rows[row]) rows[row] = bs_strdup("");
    }
    /* Expected: lines with tabs are rows; otherwise one value per line. */
    Lines exp_values = {0};
    for (int k = 0; k < expected->count; k++)
        split_tabs(expected->items[k], &exp_values);
    bool as_rows =
        exp_values.count == (int)(n_rows * (uint64_t)n_cols) && expected->count == (int)n_rows;
    bool match = exp_values.count == values.count;
    if (strcmp(sort, "rowsort") == 0) {
        if (n_rows > 1) qsort(rows, n_rows, sizeof(char *), compare_strings); /* rows may be NULL */
        Lines exp_rows = {0};
        for (int k = 0; k < expected->count; k++) {
            exp_rows.items =
                bs_realloc(exp_rows.items, sizeof(char *) * (size_t)(exp_rows.count + 1));
            exp_rows.items[exp_rows.count++] = bs_strdup(expected->items[k]);
        }
        if (exp_rows.count > 1)
            qsort(exp_rows.items, (size_t)exp_rows.count, sizeof(char *), compare_strings);
        match = as_rows;
        for (uint64_t k = 0; match && k < n_rows; k++)
            match = strcmp(rows[k], exp_rows.items[k]) == 0;
        free_lines(&exp_rows);
    } else {
        if (strcmp(sort, "valuesort") == 0) {
            if (values.count > 1)
                qsort(values.items, (size_t)values.count, sizeof(char *), compare_strings);
            if (exp_values.count > 1)
                qsort(exp_values.items, (size_t)exp_values.count, sizeof(char *), compare_strings);
        }
        for (int k = 0; match && k < values.count; k++)
            match = strcmp(values.items[k], exp_values.items[k]) == 0;
    }
    if (!match) {
        Buffer msg;
        buffer_init(&msg);
        buffer_printf(&msg, "wrong result (%s). Expected:\n", sort);
        for (int k = 0; k < expected->count; k++)
            buffer_printf(&msg, "    %s\n", expected->items[k]);
        buffer_printf(&msg, "  Actual (%llu rows):\n", (unsigned long long)n_rows);
        for (uint64_t k = 0; k < n_rows; k++)
            buffer_printf(&msg, "    %s\n", rows[k]);
        buffer_terminate(&msg);
        report(r, line, sql, "%s", msg.data ? (char *)msg.data : "");
        buffer_free(&msg);
    }
    for (uint64_t k = 0; k < n_rows; k++)
        bs_free(rows[k]);
    bs_free(rows);
    free_lines(&values);
    free_lines(&exp_values);
    result_free(res);
}

/* Reads the file into lines (without newlines). */
static bool read_lines(const char *path, Lines *out)
{
    FILE *f = fopen(path, "r");
    if (!f) return false;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) >= 0) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        out->items = bs_realloc(out->items, sizeof(char *) * (size_t)(out->count + 1));
        out->items[out->count++] = bs_strdup(line);
    }
    free(line);
    fclose(f);
    return true;
}

static bool blank(const char *s)
{
    return s[strspn(s, " \t")] == '\0';
}

static int run_file(Runner *r)
{
    Lines file = {0};
    if (!read_lines(r->path, &file)) {
        fprintf(stderr, "%s: cannot read: %s\n", r->path, strerror(errno));
        return 1;
    }
    char tmpl[] = "/tmp/basalt-sqltest-XXXXXX";
    char *dir = mkdtemp(tmpl);
    if (!dir) {
        free_lines(&file);
        return 1;
    }
    r->test_dir = bs_strdup(dir);
    r->db_dir = bs_asprintf("%s/db", dir);
    if (!open_engine(r)) {
        r->failures++; /* a file whose engine cannot start has failed */
        remove_tree(r->test_dir);
        free_lines(&file);
        return 1;
    }
    int i = 0;
    while (i < file.count) {
        const char *line = file.items[i];
        if (blank(line) || line[0] == '#') {
            i++;
            continue;
        }
        int record_line = i + 1;
        r->records++;
        if (strcmp(line, "halt") == 0) break;
        if (strcmp(line, "restart") == 0 || strncmp(line, "restart ", 8) == 0) {
            int threads = r->threads, workers = r->workers;
            long long max_recursion = r->max_recursion, memory_mb = r->memory_limit >> 20;
            for (const char *opt = line + 7; *opt;) {
                while (*opt == ' ')
                    opt++;
                if (sscanf(opt, "threads=%d", &threads) != 1 &&
                    sscanf(opt, "workers=%d", &workers) != 1 &&
                    sscanf(opt, "max_recursion=%lld", &max_recursion) != 1 &&
                    sscanf(opt, "memory_mb=%lld", &memory_mb) != 1 && *opt) {
                    fprintf(stderr, "%s:%d: bad restart option: %s\n", r->path, i + 1, opt);
                    r->failures++;
                    break;
                }
                while (*opt && *opt != ' ')
                    opt++;
            }
            r->threads = threads;
            r->workers = workers;
            r->max_recursion = max_recursion;
            r->memory_limit = (int64_t)memory_mb << 20;
            if (!close_engine(r)) r->failures++;
            if (!open_engine(r)) {
                r->failures++;
                break;
            }
            i++;
            continue;
        }
        if (strncmp(line, "write-file ", 11) == 0) {
            char *path = substitute(r, line + 11);
            FILE *f = fopen(path, "w");
            i++;
            while (i < file.count && !blank(file.items[i])) {
                char *text = substitute(r, file.items[i]);
                if (f) fprintf(f, "%s\n", text);
                bs_free(text);
                i++;
            }
            if (!f)
                report(r, record_line, path, "cannot write file: %s", strerror(errno));
            else
                fclose(f);
            bs_free(path);
            continue;
        }
        bool is_statement = strncmp(line, "statement ", 10) == 0;
        bool is_query = strncmp(line, "query ", 6) == 0;
        if (!is_statement && !is_query) {
            fprintf(stderr, "%s:%d: unknown record \"%s\"\n", r->path, record_line, line);
            r->failures++;
            i++;
            continue;
        }
        char header[256];
        snprintf(header, sizeof header, "%s", line);
        i++;
        /* The SQL runs to a `----` line or a blank line. */
        Buffer sql;
        buffer_init(&sql);
        while (i < file.count && !blank(file.items[i]) && strcmp(file.items[i], "----") != 0) {
            if (sql.len) buffer_put_u8(&sql, '\n');
            buffer_put_bytes(&sql, file.items[i], strlen(file.items[i]));
            i++;
        }
        buffer_terminate(&sql);
        Lines expected = {0};
        if (i < file.count && strcmp(file.items[i], "----") == 0) {
            i++;
            while (i < file.count && !blank(file.items[i])) {
                expected.items =
                    bs_realloc(expected.items, sizeof(char *) * (size_t)(expected.count + 1));
                expected.items[expected.count++] = bs_strdup(file.items[i]);
                i++;
            }
        }
        char *text = substitute(r, sql.data ? (char *)sql.data : "");
        if (is_statement) {
            const char *mode = header + 10;
            if (strncmp(mode, "ok", 2) == 0) {
                run_statement(r, record_line, text, NULL, NULL);
            } else if (strncmp(mode, "error", 5) == 0) {
                const char *want = mode + 5;
                while (*want == ' ')
                    want++;
                run_statement(r, record_line, text, want, expected.count ? expected.items[0] : "");
            } else {
                report(r, record_line, text, "unknown statement mode \"%s\"", mode);
            }
        } else {
            char types[64] = "", sort[32] = "nosort";
            sscanf(header + 6, "%63s %31s", types, sort);
            run_query(r, record_line, text, types, sort, &expected);
        }
        bs_free(text);
        buffer_free(&sql);
        free_lines(&expected);
    }
    if (!close_engine(r)) r->failures++;
    remove_tree(r->test_dir);
    bs_free(r->test_dir);
    bs_free(r->db_dir);
    free_lines(&file);
    return 0;
}

int main(int argc, char **argv)
{
    Runner r = {.threads = 2, .workers = 1};
    char *data_dir = NULL;
    int first = 1;
    while (first < argc && strncmp(argv[first], "--", 2) == 0) {
        if (strcmp(argv[first], "--threads") == 0 && first + 1 < argc) {
            r.threads = atoi(argv[first + 1]);
            first += 2;
        } else if (strcmp(argv[first], "--workers") == 0 && first + 1 < argc) {
            r.workers = atoi(argv[first + 1]);
            first += 2;
        } else if (strcmp(argv[first], "--cluster") == 0) {
            r.cluster = true;
            first++;
        } else if (strcmp(argv[first], "--server") == 0 && first + 1 < argc) {
            r.server_bin = argv[first + 1];
            first += 2;
        } else if (strcmp(argv[first], "--data-dir") == 0 && first + 1 < argc) {
            data_dir = argv[first + 1];
            first += 2;
        } else {
            fprintf(stderr, "unknown option %s\n", argv[first]);
            return 2;
        }
    }
    if (first >= argc) {
        fprintf(stderr, "usage: basalt_sqltest [--threads N] [--workers M] [--data-dir DIR] "
                        "[--server BASALT [--cluster]] file.test ...\n");
        return 2;
    }
    int total_failures = 0;
    int base_threads = r.threads, base_workers = r.workers;
    for (int k = first; k < argc; k++) {
        r.path = argv[k];
        r.threads = base_threads; /* a `restart` record's settings last for its file only */
        r.workers = base_workers;
        r.max_recursion = 0;
        r.memory_limit = 0;
        r.failures = 0;
        r.records = 0;
        /* tests/sql/data beside the test file's folder unless given */
        char *guess = NULL;
        if (!data_dir) {
            const char *slash = strstr(argv[k], "tests/sql/");
            guess = slash ? bs_asprintf("%.*stests/sql/data", (int)(slash - argv[k]), argv[k])
                          : bs_strdup("tests/sql/data");
        }
        r.data_dir_tests = data_dir ? data_dir : guess;
        run_file(&r);
        bs_free(guess);
        printf("%s: %d records, %d failures\n", r.path, r.records, r.failures);
        total_failures += r.failures;
    }
    return total_failures ? 1 : 0;
}
