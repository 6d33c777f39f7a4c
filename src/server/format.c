/*
 * format.c — how results and errors look to a user of the `basalt` command.
 *
 *   table  psql's aligned format: header, rule, rows, "(n rows)"; NULL shown as NULL,
 *          numbers right-aligned; or expanded (\x): a "-[ RECORD n ]" block of
 *          "name | value" lines per row; tall or wide results through the pager
 *   csv    RFC 4180 with a header; NULL is an empty field, an empty string is ""
 *   tsv    tab-separated with a header; tabs, newlines and backslashes escaped, NULL empty
 *   json   one object per statement on its own line (the contract in DEVELOPERS.md):
 *          {"columns":[…],"types":[…],"rows":[[…],…]}, {"status":"INSERT 5"} or
 *          {"error":{"sqlstate":…,"message":…,"position":N}}
 *
 * Error positions are shown 1-based in characters as PostgreSQL reports them.
 */
#include "server/cli.h"

#include "common/alloc.h"
#include "common/array.h"
#include "common/buffer.h"

#include <math.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

bool cli_parse_format(const char *name, OutputFormat *out)
{
    static const struct {
        const char *name;
        OutputFormat format;
    } formats[] = {
        {"table", FORMAT_TABLE}, {"csv", FORMAT_CSV}, {"tsv", FORMAT_TSV}, {"json", FORMAT_JSON}};
    for (size_t k = 0; k < BS_ARRAY_LEN(formats); k++) {
        if (strcasecmp(name, formats[k].name) == 0) {
            *out = formats[k].format;
            return true;
        }
    }
    return false;
}

/* Display width of UTF-8 text: one column per code point. */
static size_t display_width(const char *s, size_t len)
{
    size_t w = 0;
    for (size_t k = 0; k < len; k++)
        w += ((unsigned char)s[k] & 0xC0) != 0x80;
    return w;
}

/*
 * Text of a non-NULL value into buf (strings are returned by pointer instead): TIMESTAMPTZ
 * in the session's zone, and *pad the spaces a CHAR(n) is padded with to n characters.
 */
static const char *value_text(const Result *r, const Value *v, char *buf, size_t *len, size_t *pad,
                              Buffer *scratch)
{
    *pad = 0;
    if (v->type.id == TYPE_ARRAY) { /* text without a bound: into scratch */
        buffer_clear(scratch);
        array_format(scratch, v->type, v->u.str.data, v->u.str.len);
        *len = buffer_ok(scratch) ? scratch->len : 0;
        return *len ? (const char *)scratch->data : "";
    }
    if (type_is_string(v->type)) {
        *len = v->u.str.len;
        if (v->type.id == TYPE_CHAR) {
            size_t chars = display_width(v->u.str.data, v->u.str.len);
            if (chars < v->type.length) *pad = v->type.length - chars;
        }
        return v->u.str.data;
    }
    int n = format_value_in_zone(v, r->zone, buf);
    *len = (size_t)n;
    return buf;
}

/* value_text with a CHAR's padding, which goes into scratch when there is some. */
static const char *value_text_padded(const Result *r, const Value *v, char *buf, Buffer *scratch,
                                     size_t *len)
{
    size_t pad;
    const char *s = value_text(r, v, buf, len, &pad, scratch);
    if (!pad) return s;
    buffer_clear(scratch);
    buffer_put_bytes(scratch, s, *len);
    for (size_t k = 0; k < pad; k++)
        buffer_put_u8(scratch, ' ');
    *len = scratch->len;
    return (const char *)scratch->data;
}

static bool right_aligned(LogicalType t)
{
    return type_is_numeric(t);
}

/* A cell as shown in table format: control characters escaped. */
static void table_cell(const Result *r, Buffer *b, const Value *v)
{
    if (v->is_null) {
        buffer_printf(b, "NULL");
        return;
    }
    char buf[VALUE_TEXT_MAX];
    size_t len, pad;
    Buffer scratch;
    buffer_init(&scratch);
    const char *s = value_text(r, v, buf, &len, &pad, &scratch);

    for (size_t k = 0; k < len; k++) {
        unsigned char c = (unsigned char)s[k];
        if (c == '\n')
            buffer_printf(b, "\\n");
        else if (c == '\r')
            buffer_printf(b, "\\r");
        else if (c == '\t')
            buffer_printf(b, "\\t");
        else if (c < 0x20)
            buffer_printf(b, "\\x%02x", c);
        else
            buffer_put_u8(b, c);
    }
    for (size_t k = 0; k < pad; k++)
        buffer_put_u8(b, ' ');
    buffer_free(&scratch);
}

static void print_padded(FILE *out, const char *s, size_t len, size_t width, int align)
{
    size_t w = display_width(s, len);
    size_t pad = width > w ? width - w : 0;
    size_t left = align > 0 ? pad : align == 0 ? pad / 2 : 0;
    for (size_t k = 0; k < left; k++)
        fputc(' ', out);
    fwrite(s, 1, len, out);
    for (size_t k = left; k < pad; k++)
        fputc(' ', out);
}

/*
 * The table format in pages: rows are rendered into a page of up to TABLE_PAGE_ROWS rows,
 * which is printed once full, so memory stays bounded whatever the result's size. Column
 * widths come from the rows seen so far (they only grow); a result that fits in one page
 * prints exactly as psql prints it, and a longer one as psql does with FETCH_COUNT: the
 * header once, each page aligned on the widths known when it is printed.
 *
 * When the first page is printed, the layout is settled for the whole result: expanded
 * (\x on, or \x auto with a result wider than the terminal) or not, and through the
 * pager or not (opts->pager, out a terminal, and the result taller or wider than it — a
 * result longer than one page is taller than any terminal).
 */
#define TABLE_PAGE_ROWS 1000

typedef struct TablePrinter {
    const CliOptions *opts;
    FILE *out;   /* opts->out, or the pager once it runs */
    FILE *pager; /* NULL when not paging */
    const Result *r;
    size_t *widths;
    size_t name_width; /* the widest column name (expanded display) */
    size_t cell_width; /* the widest cell so far (expanded display) */
    Buffer cells;
    size_t *offsets; /* TABLE_PAGE_ROWS * n_cols + 1 cell starts in `cells` */
    idx_t page_rows;
    uint64_t n_rows;
    uint64_t n_printed; /* rows printed so far: the record number of expanded display */
    bool laid_out, expanded, header_done, failed;
} TablePrinter;

static bool table_begin(TablePrinter *t, const CliOptions *opts, const Result *r)
{
    memset(t, 0, sizeof *t);
    t->opts = opts;
    t->out = opts->out;
    t->r = r;
    buffer_init(&t->cells);
    int n_cols = r->n_cols;
    t->widths = bs_calloc((size_t)(n_cols ? n_cols : 1), sizeof(size_t));
    t->offsets = bs_calloc((size_t)TABLE_PAGE_ROWS * (size_t)n_cols + 1, sizeof(size_t));
    if (!t->widths || !t->offsets) return false;
    for (int c = 0; c < n_cols; c++) {
        t->widths[c] = display_width(r->names[c], strlen(r->names[c]));
        if (t->widths[c] > t->name_width) t->name_width = t->widths[c];
    }
    return true;
}

static void table_end(TablePrinter *t)
{
    if (t->pager) {
        cli_pager_close(t->pager);
        t->pager = NULL;
        t->out = t->opts->out;
    }
    buffer_free(&t->cells);
    bs_free(t->offsets);
    bs_free(t->widths);
}

/* The width of the aligned layout's rule line (its widest). */
static size_t table_line_width(const TablePrinter *t)
{
    size_t w = 0;
    for (int c = 0; c < t->r->n_cols; c++)
        w += t->widths[c] + 3;
    return w ? w - 1 : 0;
}

/* Settles expanded display and paging before the first page prints; at_end when the page
   holds the whole result. */
static void table_lay_out(TablePrinter *t, bool at_end)
{
    const CliOptions *opts = t->opts;
    int n_cols = t->r->n_cols;
    int rows, cols;
    cli_terminal_size(opts->out, &rows, &cols);
    size_t width = table_line_width(t);
    t->expanded = opts->expanded == EXPANDED_ON || (opts->expanded == EXPANDED_AUTO && n_cols > 1 &&
                                                    cols > 0 && width > (size_t)cols);
    t->laid_out = true;
    if (!opts->pager || !isatty(fileno(opts->out)) || rows <= 0) return;
    size_t lines = SIZE_MAX;
    if (t->expanded) {
        width = t->name_width + 3 + t->cell_width;
        if (at_end) lines = t->n_rows ? (size_t)t->n_rows * (size_t)(n_cols + 1) + 1 : 2;
    } else if (at_end) {
        lines = (size_t)t->n_rows + 4; /* header, rule, rows, "(n rows)", a blank line */
    }
    /* The prompt takes the line after the output. */
    if (lines >= (size_t)rows || (cols > 0 && width > (size_t)cols)) {
        t->pager = cli_pager_open();
        if (t->pager) t->out = t->pager;
    }
}

static void table_header(TablePrinter *t)
{
    const Result *r = t->r;
    FILE *out = t->out;
    int n_cols = r->n_cols;
    for (int c = 0; c < n_cols; c++) {
        fputs(c ? "| " : " ", out);
        print_padded(out, r->names[c], strlen(r->names[c]), t->widths[c], 0);
        fputs(c + 1 < n_cols ? " " : "\n", out);
    }
    for (int c = 0; c < n_cols; c++) {
        if (c) fputc('+', out);
        for (size_t k = 0; k < t->widths[c] + 2; k++)
            fputc('-', out);
    }
    fputc('\n', out);
    t->header_done = true;
}

/*
 * A record's header line in expanded display, as psql draws it with border 1:
 * "-[ RECORD n ]" filled with '-' to the width of the record's lines (name, " | ",
 * value), with a '+' under the '|' when the label leaves room for it.
 */
static void record_line(FILE *out, uint64_t record, size_t name_width, size_t cell_width)
{
    char label[48];
    int n = snprintf(label, sizeof label, "-[ RECORD %llu ]", (unsigned long long)record);
    fputs(label, out);
    size_t total = name_width + 3 + cell_width;
    for (size_t pos = (size_t)n; pos < total; pos++)
        fputc(pos == name_width + 1 ? '+' : '-', out);
    fputc('\n', out);
}

/* Prints the page's rows in expanded display: a record line, then one "name | value" line
   per column (values left-aligned, not padded). */
static void expanded_flush(TablePrinter *t)
{
    const Result *r = t->r;
    int n_cols = r->n_cols;
    for (idx_t row = 0; row < t->page_rows; row++) {
        record_line(t->out, ++t->n_printed, t->name_width, t->cell_width);
        for (int c = 0; c < n_cols; c++) {
            size_t i = (size_t)(row * (idx_t)n_cols + (idx_t)c);
            print_padded(t->out, r->names[c], strlen(r->names[c]), t->name_width, -1);
            fputs(" | ", t->out);
            fwrite((const char *)t->cells.data + t->offsets[i], 1,
                   t->offsets[i + 1] - t->offsets[i], t->out);
            fputc('\n', t->out);
        }
    }
}

/* Prints the page's rows (and the header before the first page); at_end when no rows
   follow. */
static void table_flush(TablePrinter *t, bool at_end)
{
    const Result *r = t->r;
    int n_cols = r->n_cols;
    if (!t->laid_out) {
        if (t->opts->before_output) t->opts->before_output(t->opts->before_output_arg);
        table_lay_out(t, at_end);
    }
    if (t->expanded) {
        expanded_flush(t);
    } else {
        if (!t->header_done) table_header(t);
        for (idx_t row = 0; row < t->page_rows; row++) {
            for (int c = 0; c < n_cols; c++) {
                size_t i = (size_t)(row * (idx_t)n_cols + (idx_t)c);
                bool right = right_aligned(r->types[c]);
                fputs(c ? "| " : " ", t->out);
                print_padded(t->out, (const char *)t->cells.data + t->offsets[i],
                             t->offsets[i + 1] - t->offsets[i],
                             c + 1 < n_cols || right ? t->widths[c] : 0, right ? 1 : -1);
                fputs(c + 1 < n_cols ? " " : "\n", t->out);
            }
        }
    }
    t->page_rows = 0;
    buffer_clear(&t->cells);
}

/* The table's last lines: psql's "(n rows)" and a blank line; expanded display shows the
   count only of an empty result. */
static void table_footer(TablePrinter *t)
{
    if (!t->expanded || t->n_rows == 0)
        fprintf(t->out, "(%llu row%s)\n", (unsigned long long)t->n_rows, t->n_rows == 1 ? "" : "s");
    fputc('\n', t->out);
}

static void table_add(TablePrinter *t, const Chunk *chunk)
{
    int n_cols = t->r->n_cols;
    for (idx_t row = 0; row < chunk->n_rows; row++) {
        if (t->page_rows == TABLE_PAGE_ROWS) table_flush(t, false);
        size_t cell = (size_t)(t->page_rows * (idx_t)n_cols);
        for (int c = 0; c < n_cols; c++) {
            t->offsets[cell++] = t->cells.len;
            Value v;
            vector_get_value(&chunk->cols[c], row, &v);
            size_t before = t->cells.len;
            table_cell(t->r, &t->cells, &v);
            size_t w = display_width((const char *)t->cells.data + before, t->cells.len - before);
            if (w > t->widths[c]) t->widths[c] = w;
            if (w > t->cell_width) t->cell_width = w;
        }
        t->offsets[cell] = t->cells.len;
        t->page_rows++;
        t->n_rows++;
        if (!buffer_ok(&t->cells)) t->failed = true;
    }
}

static void csv_field(FILE *out, const char *s, size_t len, char delim)
{
    bool quote = len == 0;
    for (size_t k = 0; k < len && !quote; k++)
        quote = s[k] == delim || s[k] == '"' || s[k] == '\n' || s[k] == '\r';
    if (!quote) {
        fwrite(s, 1, len, out);
        return;
    }
    fputc('"', out);
    for (size_t k = 0; k < len; k++) {
        if (s[k] == '"') fputc('"', out);
        fputc(s[k], out);
    }
    fputc('"', out);
}

static void tsv_field(FILE *out, const char *s, size_t len)
{
    for (size_t k = 0; k < len; k++) {
        switch (s[k]) {
        case '\t':
            fputs("\\t", out);
            break;
        case '\n':
            fputs("\\n", out);
            break;
        case '\r':
            fputs("\\r", out);
            break;
        case '\\':
            fputs("\\\\", out);
            break;
        default:
            fputc(s[k], out);
        }
    }
}

static void delimited_header(FILE *out, const Result *r, bool csv)
{
    for (int c = 0; c < r->n_cols; c++) {
        if (c) fputc(csv ? ',' : '\t', out);
        if (csv)
            csv_field(out, r->names[c], strlen(r->names[c]), ',');
        else
            tsv_field(out, r->names[c], strlen(r->names[c]));
    }
    fputc('\n', out);
}

static void delimited_rows(FILE *out, const Result *r, const Chunk *chunk, bool csv)
{
    Buffer scratch;
    buffer_init(&scratch);
    for (idx_t row = 0; row < chunk->n_rows; row++) {
        for (int c = 0; c < r->n_cols; c++) {
            if (c) fputc(csv ? ',' : '\t', out);
            Value v;
            vector_get_value(&chunk->cols[c], row, &v);
            if (v.is_null) continue;
            char buf[VALUE_TEXT_MAX];
            size_t len;
            const char *s = value_text_padded(r, &v, buf, &scratch, &len);
            if (csv)
                csv_field(out, s, len, ',');
            else
                tsv_field(out, s, len);
            buffer_free(&scratch);
        }
        fputc('\n', out);
    }
    buffer_free(&scratch);
}

/* A JSON string literal (UTF-8 passed through; control characters escaped). */
static void json_string(FILE *out, const char *s, size_t len)
{
    fputc('"', out);
    for (size_t k = 0; k < len; k++) {
        unsigned char c = (unsigned char)s[k];
        switch (c) {
        case '"':
            fputs("\\\"", out);
            break;
        case '\\':
            fputs("\\\\", out);
            break;
        case '\n':
            fputs("\\n", out);
            break;
        case '\r':
            fputs("\\r", out);
            break;
        case '\t':
            fputs("\\t", out);
            break;
        default:
            if (c < 0x20)
                fprintf(out, "\\u%04x", c);
            else
                fputc(c, out);
        }
    }
    fputc('"', out);
}

static void json_value(FILE *out, const Result *r, const Value *v, Buffer *scratch)
{
    if (v->is_null) {
        fputs("null", out);
        return;
    }
    if (v->type.id == TYPE_ARRAY) { /* a JSON array of the elements' JSON values */
        LogicalType elem = type_array_elem(v->type);
        ArrayView av;
        if (!array_view_init(&av, elem, v->u.str.data, v->u.str.len)) {
            fputs("null", out);
            return;
        }
        fputc('[', out);
        for (uint32_t k = 0; k < av.n; k++) {
            Value e;
            array_get_value(&av, elem, k, &e);
            if (k) fputc(',', out);
            json_value(out, r, &e, scratch);
        }
        fputc(']', out);
        return;
    }
    char buf[VALUE_TEXT_MAX];
    size_t len;
    const char *s = value_text_padded(r, v, buf, scratch, &len);
    switch ((TypeId)v->type.id) {
    case TYPE_BOOLEAN:
    case TYPE_TINYINT:
    case TYPE_SMALLINT:
    case TYPE_INTEGER:
    case TYPE_DECIMAL:
        fwrite(s, 1, len, out);
        return;
    case TYPE_BIGINT:
        /* Beyond 2^53 a JSON number loses precision in most readers: send a string. */
        if (v->u.i64 > (INT64_C(1) << 53) || v->u.i64 < -(INT64_C(1) << 53))
            json_string(out, s, len);
        else
            fwrite(s, 1, len, out);
        return;
    case TYPE_HUGEINT:
        if (v->u.i128 > ((int128_t)1 << 53) || v->u.i128 < -((int128_t)1 << 53))
            json_string(out, s, len);
        else
            fwrite(s, 1, len, out);
        return;
    case TYPE_REAL:
        if (!isfinite(v->u.f32))
            json_string(out, s, len); /* NaN and infinities are not JSON numbers */
        else
            fwrite(s, 1, len, out);
        return;
    case TYPE_DOUBLE:
        if (v->u.f64 != v->u.f64 || v->u.f64 - v->u.f64 != 0)
            json_string(out, s, len); /* NaN and infinities are not JSON numbers */
        else
            fwrite(s, 1, len, out);
        return;
    case TYPE_TIMESTAMP:
    case TYPE_TIMESTAMPTZ: {
        /* ISO 8601: a T between date and time (a timestamptz keeps its offset: +01) */
        char iso[VALUE_TEXT_MAX];
        memcpy(iso, s, len);
        char *space = memchr(iso, ' ', len);
        if (space) *space = 'T';
        json_string(out, iso, len);
        return;
    }
    default:
        json_string(out, s, len);
        return;
    }
}

static void json_status(FILE *out, const Result *r)
{
    fputs("{\"status\":", out);
    json_string(out, r->status ? r->status : "", r->status ? strlen(r->status) : 0);
    fputs("}\n", out);
}

static void json_header(FILE *out, const Result *r)
{
    fputs("{\"columns\":[", out);
    for (int c = 0; c < r->n_cols; c++) {
        if (c) fputc(',', out);
        json_string(out, r->names[c], strlen(r->names[c]));
    }
    fputs("],\"types\":[", out);
    for (int c = 0; c < r->n_cols; c++) {
        char t[32];
        type_format(r->types[c], t, sizeof t);
        if (c) fputc(',', out);
        json_string(out, t, strlen(t));
    }
    fputs("],\"rows\":[", out);
}

static void json_rows(FILE *out, const Result *r, const Chunk *chunk, bool *first)
{
    Buffer scratch;
    buffer_init(&scratch);
    for (idx_t row = 0; row < chunk->n_rows; row++) {
        fputs(*first ? "[" : ",[", out);
        *first = false;
        for (int c = 0; c < r->n_cols; c++) {
            if (c) fputc(',', out);
            Value v;
            vector_get_value(&chunk->cols[c], row, &v);
            json_value(out, r, &v, &scratch);
        }
        fputc(']', out);
    }
    buffer_free(&scratch);
}

static void before_output(const CliOptions *opts)
{
    if (opts->before_output) opts->before_output(opts->before_output_arg);
}

/* The members of a JSON error object: "sqlstate":…,"message":…[,"position":N]… */
static void json_error_members(FILE *out, const Error *err, const char *sql, size_t len);

bool cli_print_statement(const CliOptions *opts, CliBackend *backend, void *stmt, const char *sql,
                         size_t len)
{
    FILE *out = opts->out;
    const CliBackendOps *ops = backend->ops;
    const Result *r = ops->result(stmt);
    Error err = ERROR_INIT;
    if (!r->has_rows) {
        before_output(opts);
        if (opts->format == FORMAT_JSON)
            json_status(out, r);
        else if (opts->format == FORMAT_TABLE && r->status)
            fprintf(out, "%s\n", r->status);
        fflush(out);
        return true;
    }
    /* The first chunk before anything is printed: most failures happen by then, and they
       print as plain errors. */
    const Chunk *chunk;
    if (ops->next(stmt, &chunk, &err) != BS_OK) {
        cli_print_error(opts, &err, sql, len);
        error_clear(&err);
        return false;
    }
    bool csv = opts->format == FORMAT_CSV, first = true, ok = true;
    TablePrinter table;
    if (opts->format != FORMAT_TABLE) before_output(opts);
    if (opts->format == FORMAT_TABLE && !table_begin(&table, opts, r)) {
        table_end(&table);
        fprintf(opts->diag, "ERROR:  out of memory while printing the result\n");
        return false;
    }
    if (opts->format == FORMAT_JSON) json_header(out, r);
    if (opts->format == FORMAT_CSV || opts->format == FORMAT_TSV) delimited_header(out, r, csv);
    while (chunk) {
        switch (opts->format) {
        case FORMAT_TABLE:
            table_add(&table, chunk);
            break;
        case FORMAT_CSV:
        case FORMAT_TSV:
            delimited_rows(out, r, chunk, csv);
            break;
        case FORMAT_JSON:
            json_rows(out, r, chunk, &first);
            break;
        }
        if (opts->format != FORMAT_TABLE) fflush(out);
        /* A pager that quit early: the rest of the result is not read (closing the
           statement stops it). */
        if (opts->format == FORMAT_TABLE && table.pager && ferror(table.pager)) break;
        if (ops->next(stmt, &chunk, &err) != BS_OK) {
            ok = false;
            break;
        }
    }
    switch (opts->format) {
    case FORMAT_TABLE:
        if (table.failed) {
            table_end(&table);
            fprintf(opts->diag, "ERROR:  out of memory while printing the result\n");
            error_clear(&err);
            return false;
        }
        table_flush(&table, true);
        if (ok) table_footer(&table);
        fflush(table.out);
        table_end(&table);
        break;
    case FORMAT_JSON:
        /* A failure after rows were printed ends the object with an "error" member. */
        fputs("]", out);
        if (!ok) {
            fputs(",\"error\":{", out);
            json_error_members(out, &err, sql, len);
            fputs("}", out);
        }
        fputs("}\n", out);
        break;
    case FORMAT_CSV:
    case FORMAT_TSV:
        break;
    }
    fflush(out);
    if (!ok) {
        if (opts->format != FORMAT_JSON) cli_print_error(opts, &err, sql, len);
        error_clear(&err);
    }
    return ok;
}

/* 1-based character position of byte offset `pos` in sql (PostgreSQL's convention). */
static int char_position(const char *sql, size_t len, int pos)
{
    if (pos < 0) return 0;
    size_t end = (size_t)pos < len ? (size_t)pos : len;
    return (int)display_width(sql, end) + 1;
}

static void json_error_members(FILE *out, const Error *err, const char *sql, size_t len)
{
    fputs("\"sqlstate\":", out);
    json_string(out, err->sqlstate, strlen(err->sqlstate));
    fputs(",\"message\":", out);
    const char *msg = err->message ? err->message : "";
    json_string(out, msg, strlen(msg));
    if (err->position >= 0 && sql)
        fprintf(out, ",\"position\":%d", char_position(sql, len, err->position));
    if (err->detail) {
        fputs(",\"detail\":", out);
        json_string(out, err->detail, strlen(err->detail));
    }
    if (err->hint) {
        fputs(",\"hint\":", out);
        json_string(out, err->hint, strlen(err->hint));
    }
}

void cli_print_error(const CliOptions *opts, const Error *err, const char *sql, size_t len)
{
    before_output(opts);
    if (opts->format == FORMAT_JSON) {
        FILE *out = opts->out;
        fputs("{\"error\":{", out);
        json_error_members(out, err, sql, len);
        fputs("}}\n", out);
        fflush(out);
        return;
    }
    FILE *d = opts->diag;
    fprintf(d, "ERROR:  %s\n", err->message ? err->message : "unknown error");
    if (err->position >= 0 && sql && (size_t)err->position <= len) {
        /* The line holding the position, with a caret under it. */
        size_t pos = (size_t)err->position;
        size_t line_start = pos, line_no = 1;
        while (line_start > 0 && sql[line_start - 1] != '\n')
            line_start--;
        for (size_t k = 0; k < line_start; k++)
            line_no += sql[k] == '\n';
        size_t line_end = pos;
        while (line_end < len && sql[line_end] != '\n')
            line_end++;
        char prefix[32];
        int plen = snprintf(prefix, sizeof prefix, "LINE %zu: ", line_no);
        fprintf(d, "%s", prefix);
        for (size_t k = line_start; k < line_end; k++)
            fputc(sql[k] == '\t' ? ' ' : sql[k], d);
        fputc('\n', d);
        size_t col = display_width(sql + line_start, pos - line_start);
        fprintf(d, "%*s^\n", (int)(plen + (int)col), "");
    }
    if (err->detail) fprintf(d, "DETAIL:  %s\n", err->detail);
    if (err->hint) fprintf(d, "HINT:  %s\n", err->hint);
    fflush(d);
}
