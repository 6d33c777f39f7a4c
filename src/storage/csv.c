/*
 * csv.c — the streaming CSV reader behind COPY FROM and read_csv: reads a file in large
 * buffers, splits it into records and fields (RFC 4180, with PostgreSQL's CSV rules)
 * and converts every field into the flat vectors of the caller's chunk.
 *
 * Rules, as PostgreSQL's COPY ... CSV applies them:
 *   - A quote character anywhere in a field starts a quoted section that runs to the
 *     next unescaped quote; inside it delimiters and newlines are data. Inside quotes,
 *     the escape character (default: the quote itself, so "" is one ") followed by a
 *     quote or escape character stands for that character; otherwise it is data.
 *   - An unquoted field equal to the NULL string is NULL; a quoted one never is (so ""
 *     is an empty string even when the NULL string is empty).
 *   - Records end at LF or CRLF (a lone CR is data); the last record may lack one.
 *   - A record may carry one extra, empty, unquoted field at its end (dbgen's "a|b|c|").
 *   - A completely empty line is skipped when there are several columns (PostgreSQL
 *     would report missing data); with one column it is a record of one empty unquoted
 *     field, i.e. NULL under the default NULL string, as in PostgreSQL.
 *   - A UTF-8 byte order mark at the start of the file is skipped. Bytes are otherwise
 *     taken as they are (no encoding check).
 *
 * Errors start "path:line:column: ", where line is the 1-based physical line on which
 * the record starts and column the 1-based number of the field (for a record with too
 * few fields, the first missing one; with too many, n_cols + 1).
 *
 * Record scanner states (scan_record): UNQUOTED — bytes up to the next delimiter, quote,
 * LF or CR, found with a lookup table; a delimiter ends the field, LF (or CRLF) ends the
 * record, a quote enters QUOTED. QUOTED — bytes up to the next quote or escape (LFs are
 * counted); an escape pair is skipped, a lone quote returns to UNQUOTED. Running out of
 * buffer in either state asks for more input (the record is rescanned from its start);
 * running out of file in QUOTED is an unterminated quoted field.
 */
#include "storage/storage_int.h"

#include "common/alloc.h"
#include "common/array.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CSV_READ_SIZE  (1u << 20)
#define CSV_MAX_RECORD ((size_t)1 << 30)

/* A field of the record being read: bytes [off, off+len) from the start of the buffer. */
typedef struct CsvField {
    size_t off;
    size_t len;
    bool quoted; /* a quote appeared: never NULL, and must be unquoted before use */
} CsvField;

typedef enum { REC_OK, REC_NEED_MORE, REC_EOF, REC_UNTERMINATED } RecResult;

struct CsvReader {
    char *path;
    int fd;
    MemTracker *tracker;
    char delim, quote, escape;
    char *null_str;
    size_t null_len;
    bool header_pending;
    bool at_start; /* the first 3 bytes were not yet checked for a byte order mark */
    int n_cols;
    LogicalType *types;
    TrackedBuf buf;
    TrackedBuf scratch; /* a quoted field without its quotes */
    size_t start, end;  /* unconsumed bytes */
    bool eof;
    uint64_t line; /* physical line of buf[start], 1-based */
    CsvField *fields;
    int max_fields; /* n_cols + 1: the most a valid record has */
    uint8_t special[256];
    uint8_t quoted_special[256];
};

void csv_default_options(CsvOptions *opts)
{
    opts->delimiter = ',';
    opts->quote = '"';
    opts->escape = '"';
    opts->header = false;
    opts->null_string = "";
}

void csv_close(CsvReader *r)
{
    if (!r) return;
    if (r->fd >= 0) close(r->fd);
    tbuf_free(&r->buf, r->tracker);
    tbuf_free(&r->scratch, r->tracker);
    bs_free(r->fields);
    bs_free(r->types);
    bs_free(r->null_str);
    bs_free(r->path);
    bs_free(r);
}

static bool is_newline(char c)
{
    return c == '\n' || c == '\r';
}

Status csv_open(const char *path, const CsvOptions *opts, const LogicalType *types, int n_cols,
                MemTracker *tracker, CsvReader **out, Error *err)
{
    *out = NULL;
    CsvOptions defaults;
    csv_default_options(&defaults);
    if (!opts) opts = &defaults;
    if (opts->delimiter == opts->quote || is_newline(opts->delimiter) || is_newline(opts->quote) ||
        is_newline(opts->escape) || opts->delimiter == '\0' || opts->quote == '\0' ||
        opts->escape == '\0')
        return error_set(err, SQLSTATE_INVALID_PARAMETER, -1,
                         "CSV delimiter, quote and escape must be distinct characters other "
                         "than newline");
    if (n_cols < 1)
        return error_set(err, SQLSTATE_INVALID_PARAMETER, -1,
                         "a CSV file needs at least one column");
    for (int col = 0; col < n_cols; col++)
        if (!storage_type_valid(types[col]))
            return error_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, -1,
                             "CSV column %d has an unsupported type", col + 1);
    CsvReader *r = bs_calloc(1, sizeof *r);
    if (!r) return error_oom(err);
    r->fd = -1;
    r->tracker = tracker;
    r->path = bs_strdup(path);
    r->null_str = bs_strdup(opts->null_string ? opts->null_string : "");
    r->types = bs_malloc(sizeof(LogicalType) * (size_t)n_cols);
    r->fields = bs_malloc(sizeof(CsvField) * (size_t)(n_cols + 1));
    if (!r->path || !r->null_str || !r->types || !r->fields) {
        csv_close(r);
        return error_oom(err);
    }
    memcpy(r->types, types, sizeof(LogicalType) * (size_t)n_cols);
    r->n_cols = n_cols;
    r->max_fields = n_cols + 1;
    r->null_len = strlen(r->null_str);
    r->delim = opts->delimiter;
    r->quote = opts->quote;
    r->escape = opts->escape;
    r->header_pending = opts->header;
    r->at_start = true;
    r->line = 1;
    r->special[(uint8_t)r->delim] = 1;
    r->special[(uint8_t)r->quote] = 1;
    r->special['\n'] = 1;
    r->special['\r'] = 1;
    r->quoted_special[(uint8_t)r->quote] = 1;
    r->quoted_special[(uint8_t)r->escape] = 1;
    r->quoted_special['\n'] = 1;
    if (tbuf_reserve(&r->buf, CSV_READ_SIZE, false, tracker, err) != BS_OK) {
        csv_close(r);
        return BS_ERROR;
    }
    r->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (r->fd < 0) {
        io_error(err, errno, "could not open file \"%s\" for reading", path);
        csv_close(r);
        return BS_ERROR;
    }
    struct stat st;
    if (fstat(r->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        io_error(err, EISDIR, "could not open file \"%s\" for reading", path);
        csv_close(r);
        return BS_ERROR;
    }
    *out = r;
    return BS_OK;
}

/* Moves the unconsumed bytes to the front, grows the buffer if full, reads more. */
static Status refill(CsvReader *r, Error *err)
{
    if (r->start > 0) {
        memmove(r->buf.data, r->buf.data + r->start, r->end - r->start);
        r->end -= r->start;
        r->start = 0;
    }
    if (r->end == r->buf.cap) {
        if (r->buf.cap >= CSV_MAX_RECORD)
            return error_set(err, SQLSTATE_PROGRAM_LIMIT, -1,
                             "%s:%llu: CSV record is longer than 1 GB", r->path,
                             (unsigned long long)r->line);
        BS_TRY(tbuf_reserve(&r->buf, r->buf.cap * 2, true, r->tracker, err));
    }
    for (;;) {
        ssize_t n = read(r->fd, r->buf.data + r->end, r->buf.cap - r->end);
        if (n < 0) {
            if (errno == EINTR) continue;
            return io_error(err, errno, "could not read file \"%s\"", r->path);
        }
        if (n == 0) r->eof = true;
        r->end += (size_t)n;
        break;
    }
    if (r->at_start && (r->end >= 3 || r->eof)) {
        if (r->end >= 3 && memcmp(r->buf.data, "\xEF\xBB\xBF", 3) == 0) r->start = 3;
        r->at_start = false;
    }
    return BS_OK;
}

/* Records the field [from, to) of the record being scanned. */
static inline void add_field(CsvReader *r, int *n_fields, const char *base, const char *from,
                             const char *to, bool quoted)
{
    if (*n_fields < r->max_fields) {
        CsvField *f = &r->fields[*n_fields];
        f->off = (size_t)(from - base);
        f->len = (size_t)(to - from);
        f->quoted = quoted;
    }
    (*n_fields)++;
}

/*
 * Splits the record at buf[start] into fields. On REC_OK, *rec_end is where the next
 * record starts and *newlines how many LFs the record spans.
 */
static RecResult scan_record(CsvReader *r, int *n_fields, size_t *rec_end, uint64_t *newlines)
{
    const char *base = (const char *)r->buf.data;
    const char *p = base + r->start, *end = base + r->end;
    const uint8_t *special = r->special, *qspecial = r->quoted_special;
    const char delim = r->delim, quote = r->quote, escape = r->escape;
    bool eof = r->eof;
    if (p == end) return eof ? REC_EOF : REC_NEED_MORE;
    *n_fields = 0;
    *newlines = 0;
    const char *field = p;
    bool quoted = false;
    for (;;) {
        while (p < end && !special[(uint8_t)*p])
            p++;
        if (p == end) {
            if (!eof) return REC_NEED_MORE;
            add_field(r, n_fields, base, field, p, quoted);
            break;
        }
        char c = *p;
        if (c == delim) {
            add_field(r, n_fields, base, field, p, quoted);
            field = ++p;
            quoted = false;
        } else if (c == '\n') {
            add_field(r, n_fields, base, field, p, quoted);
            p++;
            (*newlines)++;
            break;
        } else if (c == '\r') {
            if (p + 1 == end && !eof) return REC_NEED_MORE;
            if (p + 1 < end && p[1] == '\n') {
                add_field(r, n_fields, base, field, p, quoted);
                p += 2;
                (*newlines)++;
                break;
            }
            p++; /* a lone CR is data */
        } else {
            /* quote: a quoted section up to the closing quote */
            quoted = true;
            p++;
            for (;;) {
                while (p < end && !qspecial[(uint8_t)*p])
                    p++;
                if (p == end) return eof ? REC_UNTERMINATED : REC_NEED_MORE;
                c = *p;
                if (c == '\n') {
                    (*newlines)++;
                    p++;
                    continue;
                }
                if (c == escape && escape != quote) {
                    if (p + 1 == end) return eof ? REC_UNTERMINATED : REC_NEED_MORE;
                    p += (p[1] == quote || p[1] == escape) ? 2 : 1;
                    continue;
                }
                /* the quote (which may also be the escape) */
                if (p + 1 == end && !eof) return REC_NEED_MORE;
                if (escape == quote && p + 1 < end && p[1] == quote) {
                    p += 2;
                    continue;
                }
                p++;
                break;
            }
        }
    }
    *rec_end = (size_t)(p - base);
    return REC_OK;
}

/* Copies field s (len bytes) to dst without its quoting; returns the new length (<= len). */
static size_t unquote(const CsvReader *r, const char *s, size_t len, char *dst)
{
    const char quote = r->quote, escape = r->escape;
    bool in_quotes = false;
    char *w = dst;
    for (size_t k = 0; k < len; k++) {
        char c = s[k];
        if (in_quotes) {
            if (c == escape && k + 1 < len && (s[k + 1] == quote || s[k + 1] == escape)) {
                *w++ = s[++k];
                continue;
            }
            if (c == quote) {
                in_quotes = false;
                continue;
            }
        } else if (c == quote) {
            in_quotes = true;
            continue;
        }
        *w++ = c;
    }
    return (size_t)(w - dst);
}

/* ---- fast paths for the common field shapes ------------------------------------------ */

/* Plain [-]digits (at most 18): exact, and what parse_int64 would return. */
static inline bool fast_int(const char *s, size_t len, int64_t *out)
{
    size_t pos = 0;
    bool neg = false;
    if (len && s[0] == '-') {
        neg = true;
        pos = 1;
    }
    if (pos == len || len - pos > 18) return false;
    int64_t v = 0;
    for (; pos < len; pos++) {
        unsigned d = (unsigned)(s[pos] - '0');
        if (d > 9) return false;
        v = v * 10 + (int64_t)d;
    }
    *out = neg ? -v : v;
    return true;
}

/* [-]digits[.digits] that fit DECIMAL(p,s) without rounding. */
static inline bool fast_decimal(const char *s, size_t len, int precision, int scale, int64_t *out)
{
    size_t pos = 0;
    bool neg = false;
    if (len && s[0] == '-') {
        neg = true;
        pos = 1;
    }
    int64_t v = 0;
    int n_int = 0, n_frac = 0;
    for (; pos < len; pos++) {
        unsigned d = (unsigned)(s[pos] - '0');
        if (d > 9) break;
        /* Too many digits for the type (or leading zeros): the general parser decides. */
        if (n_int == precision - scale) return false;
        v = v * 10 + (int64_t)d;
        n_int++;
    }
    if (pos < len && s[pos] == '.') {
        for (pos++; pos < len; pos++) {
            unsigned d = (unsigned)(s[pos] - '0');
            if (d > 9 || n_frac == scale) return false;
            v = v * 10 + (int64_t)d;
            n_frac++;
        }
    }
    if (pos != len || n_int + n_frac == 0) return false;
    v *= POW10[scale - n_frac];
    *out = neg ? -v : v;
    return true;
}

static inline unsigned two_digits(const char *s, bool *ok)
{
    unsigned a = (unsigned)(s[0] - '0'), b = (unsigned)(s[1] - '0');
    if (a > 9 || b > 9) *ok = false;
    return a * 10 + b;
}

/* Exactly YYYY-MM-DD with a valid day. */
static inline bool fast_date(const char *s, size_t len, int32_t *out)
{
    if (len != 10 || s[4] != '-' || s[7] != '-') return false;
    bool ok = true;
    unsigned year = two_digits(s, &ok) * 100 + two_digits(s + 2, &ok);
    unsigned month = two_digits(s + 5, &ok), day = two_digits(s + 8, &ok);
    if (!ok || year < 1 || month < 1 || month > 12 || day < 1) return false;
    static const unsigned mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (day > mdays[month - 1] + (month == 2 && leap)) return false;
    *out = days_from_civil(year, month, day);
    return true;
}

/* ---- records into vectors -------------------------------------------------------------- */

static Status field_error(CsvReader *r, uint64_t line, int col, Error *err)
{
    error_prefix(err, "%s:%llu:%d", r->path, (unsigned long long)line, col);
    return BS_ERROR;
}

/* Converts field f of column col into row `row` of v. */
static Status convert_field(CsvReader *r, const CsvField *f, int col, Vector *v, idx_t row,
                            uint64_t line, Error *err)
{
    const char *s = (const char *)r->buf.data + f->off;
    size_t len = f->len;
    if (f->quoted) {
        /* Unquote into scratch: the input stays as read, so a failed record reads the same
           when it is tried again. */
        if (tbuf_reserve(&r->scratch, len ? len : 1, false, r->tracker, err) != BS_OK)
            return field_error(r, line, col + 1, err);
        len = unquote(r, s, len, (char *)r->scratch.data);
        s = (const char *)r->scratch.data;
    } else if (len == r->null_len && memcmp(s, r->null_str, len) == 0) {
        if (vector_set_null(v, row, err) != BS_OK) return field_error(r, line, col + 1, err);
        return BS_OK;
    }
    LogicalType type = r->types[col];
    switch ((TypeId)type.id) {
    case TYPE_VARCHAR: {
        if (len > UINT32_MAX) {
            error_set(err, SQLSTATE_PROGRAM_LIMIT, -1, "field is longer than 4 GB");
            return field_error(r, line, col + 1, err);
        }
        const char *data = s;
        if (len > STRVIEW_INLINE_LEN) {
            char *copy = arena_alloc(v->arena, len);
            if (!copy) {
                arena_error(v->arena, err);
                return field_error(r, line, col + 1, err);
            }
            memcpy(copy, s, len);
            data = copy;
        }
        ((StringView *)v->data)[row] = sv_make(data, (uint32_t)len);
        return BS_OK;
    }
    case TYPE_INTEGER: {
        int64_t x;
        if (fast_int(s, len, &x) && x >= INT32_MIN && x <= INT32_MAX) {
            ((int32_t *)v->data)[row] = (int32_t)x;
            return BS_OK;
        }
        break;
    }
    case TYPE_BIGINT:
        if (fast_int(s, len, &((int64_t *)v->data)[row])) return BS_OK;
        break;
    case TYPE_DECIMAL:
        if (!type_is_wide_decimal(type) &&
            fast_decimal(s, len, type.precision, type.scale, &((int64_t *)v->data)[row]))
            return BS_OK;
        break;
    case TYPE_DATE:
        if (fast_date(s, len, &((int32_t *)v->data)[row])) return BS_OK;
        break;
    case TYPE_ARRAY: { /* PostgreSQL's text form: {1,2,NULL} */
        const char *bytes;
        uint32_t n;
        if (array_parse(s, len, type, v->arena, &bytes, &n, -1, err) != BS_OK)
            return field_error(r, line, col + 1, err);
        ((StringView *)v->data)[row] = sv_make(bytes, n);
        return BS_OK;
    }
    default:
        break;
    }
    ParseResult res = parse_as_type(s, len, type, (char *)v->data + type_size(type) * row);
    if (res == PARSE_OK) return BS_OK;
    parse_error(err, res, type, s, len, -1);
    return field_error(r, line, col + 1, err);
}

/* Checks the field count of a scanned record and converts it into row `row` of out. */
static Status convert_record(CsvReader *r, int n_fields, Chunk *out, idx_t row, Error *err)
{
    if (n_fields == r->n_cols + 1) {
        const CsvField *last = &r->fields[r->n_cols];
        if (last->len == 0 && !last->quoted) n_fields = r->n_cols;
    }
    if (n_fields < r->n_cols) {
        error_set(err, SQLSTATE_BAD_COPY_FORMAT, -1, "missing data for column %d", n_fields + 1);
        return field_error(r, r->line, n_fields + 1, err);
    }
    if (n_fields > r->n_cols) {
        error_set(err, SQLSTATE_BAD_COPY_FORMAT, -1, "extra data after last expected column");
        return field_error(r, r->line, r->n_cols + 1, err);
    }
    for (int col = 0; col < r->n_cols; col++)
        BS_TRY(convert_field(r, &r->fields[col], col, &out->cols[col], row, r->line, err));
    return BS_OK;
}

Status csv_next(CsvReader *r, Chunk *out, Error *err)
{
    out->n_rows = 0;
    out->sel = NULL;
    if (out->n_cols != r->n_cols)
        return error_set(err, SQLSTATE_INTERNAL_ERROR, -1,
                         "CSV reader of %d columns given a chunk of %d columns", r->n_cols,
                         out->n_cols);
    for (int col = 0; col < r->n_cols; col++)
        if (type_physical(out->cols[col].type) != type_physical(r->types[col]))
            return error_set(err, SQLSTATE_INTERNAL_ERROR, -1,
                             "CSV output column %d has the wrong type", col + 1);
    while (r->at_start)
        BS_TRY(refill(r, err)); /* look for a byte order mark first */
    idx_t rows = 0;
    while (rows < BASALT_VECTOR_SIZE) {
        int n_fields;
        size_t rec_end;
        uint64_t newlines;
        RecResult res = scan_record(r, &n_fields, &rec_end, &newlines);
        if (res == REC_NEED_MORE) {
            if (refill(r, err) != BS_OK) {
                out->n_rows = rows;
                return BS_ERROR;
            }
            continue;
        }
        if (res == REC_EOF) break;
        if (res == REC_UNTERMINATED) {
            error_set(err, SQLSTATE_BAD_COPY_FORMAT, -1, "unterminated quoted field");
            out->n_rows = rows;
            return field_error(r, r->line, BS_MIN(n_fields + 1, r->n_cols + 1), err);
        }
        bool blank = n_fields == 1 && r->fields[0].len == 0 && !r->fields[0].quoted;
        if (r->header_pending) {
            r->header_pending = false;
        } else if (!(blank && r->n_cols > 1)) {
            if (convert_record(r, n_fields, out, rows, err) != BS_OK) {
                out->n_rows = rows;
                return BS_ERROR;
            }
            rows++;
        }
        r->start = rec_end;
        r->line += newlines;
    }
    out->n_rows = rows;
    return BS_OK;
}
