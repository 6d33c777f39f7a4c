/*
 * manifest.c — the JSON forms of the metastore: metastore.json (the catalog: tables,
 * their schemas and current snapshots) and one manifest per table snapshot (its data
 * files with row counts, sizes and file-level zone maps). Written by hand so that every
 * integer is printed exactly; parsed with cJSON and validated field by field, since the
 * files come from disk.
 *
 * Encodings that keep values exact:
 *   - integers (ids, snapshots, counts) are JSON numbers below 2^53;
 *   - zone bounds of INTEGER and DATE are numbers, of BIGINT, DECIMAL (unscaled) and
 *     TIMESTAMP decimal strings, of DOUBLE strings in %.17g form ("NaN", "Infinity",
 *     "-Infinity" for the specials), of BOOLEAN true/false;
 *   - text (names, string bounds) is a JSON string when it is valid UTF-8 without NUL
 *     bytes, else {"hex": "<two hex digits per byte>"}.
 */
#include "storage/metastore_int.h"

#include "common/array.h"

#include "common/alloc.h"
#include "common/cast.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

MsTable *ms_table_new(Error *err)
{
    Arena *arena = arena_create(NULL, NULL, 4096);
    if (!arena) {
        error_oom(err);
        return NULL;
    }
    MsTable *t = arena_alloc_zero(arena, sizeof *t);
    if (!t) {
        arena_error(arena, err);
        arena_destroy(arena);
        return NULL;
    }
    t->arena = arena;
    return t;
}

void ms_table_free(MsTable *t)
{
    if (t) arena_destroy(t->arena);
}

void ms_manifest_rel_path(uint64_t table_id, uint64_t snapshot, char *buf, size_t size)
{
    snprintf(buf, size, "tables/%" PRIu64 "/manifest-%" PRIu64 ".json", table_id, snapshot);
}

bool ms_data_path_valid(const char *rel, uint64_t table_id)
{
    char prefix[64];
    int n = snprintf(prefix, sizeof prefix, "tables/%" PRIu64 "/data/", table_id);
    if (strncmp(rel, prefix, (size_t)n) != 0) return false;
    const char *name = rel + n;
    size_t len = strlen(name);
    if (len <= 4 || len > 200 || strcmp(name + len - 4, ".bsc") != 0) return false;
    for (size_t k = 0; k < len - 4; k++) {
        char c = name[k];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '_' || c == '-'))
            return false;
    }
    return true;
}

/* ---- writing ----------------------------------------------------------------------------- */

/* True when s is valid UTF-8 (no overlongs, surrogates or NUL bytes). */
static bool utf8_clean(const char *s, size_t len)
{
    const uint8_t *p = (const uint8_t *)s, *end = p + len;
    while (p < end) {
        uint8_t c = *p;
        if (c == 0) return false;
        if (c < 0x80) {
            p++;
            continue;
        }
        int n;
        uint32_t cp;
        if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (end - p <= n) return false;
        for (int k = 1; k <= n; k++) {
            if ((p[k] & 0xC0) != 0x80) return false;
            cp = cp << 6 | (p[k] & 0x3F);
        }
        if ((n == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
            (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
            return false;
        p += n + 1;
    }
    return true;
}

/* A JSON string of clean UTF-8 text. */
static void put_json_string(Buffer *b, const char *s, size_t len)
{
    buffer_put_u8(b, '"');
    size_t run = 0; /* bytes of s[k-run, k) not yet copied */
    for (size_t k = 0; k < len; k++) {
        uint8_t c = (uint8_t)s[k];
        if (c >= 0x20 && c != '"' && c != '\\') {
            run++;
            continue;
        }
        buffer_put_bytes(b, s + k - run, run);
        run = 0;
        if (c == '"' || c == '\\')
            buffer_printf(b, "\\%c", c);
        else
            buffer_printf(b, "\\u%04x", c);
    }
    buffer_put_bytes(b, s + len - run, run);
    buffer_put_u8(b, '"');
}

/* Text that may hold any bytes: a string, or {"hex": ...}. */
static void put_text(Buffer *b, const char *s, size_t len)
{
    if (utf8_clean(s, len)) {
        put_json_string(b, s, len);
        return;
    }
    static const char digits[] = "0123456789abcdef";
    buffer_printf(b, "{\"hex\":\"");
    for (size_t k = 0; k < len; k++) {
        uint8_t c = (uint8_t)s[k];
        char pair[2] = {digits[c >> 4], digits[c & 15]};
        buffer_put_bytes(b, pair, 2);
    }
    buffer_printf(b, "\"}");
}

static bool put_uint(Buffer *b, uint64_t v)
{
    buffer_printf(b, "%" PRIu64, v);
    return v < METASTORE_MAX_JSON_INT;
}

static void put_bound(Buffer *b, LogicalType type, const Value *v)
{
    switch ((TypeId)type.id) {
    case TYPE_BOOLEAN:
        buffer_printf(b, "%s", v->u.b ? "true" : "false");
        break;
    case TYPE_INTEGER:
    case TYPE_DATE:
        buffer_printf(b, "%" PRId32, v->u.i32);
        break;
    case TYPE_TINYINT:
        buffer_printf(b, "%d", v->u.i8);
        break;
    case TYPE_SMALLINT:
        buffer_printf(b, "%d", v->u.i16);
        break;
    case TYPE_REAL:
        if (isnan(v->u.f32))
            buffer_printf(b, "\"NaN\"");
        else if (isinf(v->u.f32))
            buffer_printf(b, "\"%sInfinity\"", v->u.f32 < 0 ? "-" : "");
        else
            buffer_printf(b, "\"%.9g\"", (double)v->u.f32);
        break;
    case TYPE_DECIMAL:
    case TYPE_HUGEINT:
        if (type_physical(type) == PHYS_INT128) { /* decimal digits of the unscaled value */
            char digits[48];
            format_int128(v->u.i128, digits);
            buffer_printf(b, "\"%s\"", digits);
            break;
        }
        /* fall through */
    case TYPE_BIGINT:
    case TYPE_TIMESTAMP:
    case TYPE_TIME:
    case TYPE_TIMESTAMPTZ:
        buffer_printf(b, "\"%" PRId64 "\"", v->u.i64);
        break;
    case TYPE_DOUBLE:
        if (isnan(v->u.f64))
            buffer_printf(b, "\"NaN\"");
        else if (isinf(v->u.f64))
            buffer_printf(b, "\"%sInfinity\"", v->u.f64 < 0 ? "-" : "");
        else
            buffer_printf(b, "\"%.17g\"", v->u.f64);
        break;
    case TYPE_VARCHAR:
    case TYPE_CHAR:
    case TYPE_ARRAY: /* its encoded bytes (bounds in byte order, never used to prune) */
        put_text(b, v->u.str.data, v->u.str.len);
        break;
    default:
        buffer_printf(b, "null");
        break;
    }
}

static bool put_zone(Buffer *b, LogicalType type, const ZoneMap *zm)
{
    bool ok = true;
    buffer_printf(b, "{\"rows\":");
    ok &= put_uint(b, zm->row_count);
    buffer_printf(b, ",\"nulls\":");
    ok &= put_uint(b, zm->null_count);
    if (zm->has_minmax) {
        buffer_printf(b, ",\"min\":");
        put_bound(b, type, &zm->min);
        buffer_printf(b, ",\"max\":");
        put_bound(b, type, &zm->max);
    }
    buffer_printf(b, "}");
    return ok;
}

static Status encode_done(Buffer *out, bool ints_ok, Error *err)
{
    if (!buffer_ok(out)) return error_oom(err);
    if (!ints_ok)
        return error_set(err, SQLSTATE_PROGRAM_LIMIT, -1, "a count in the metastore exceeds 2^53");
    return BS_OK;
}

Status manifest_encode_catalog(const MsState *st, Buffer *out, Error *err)
{
    bool ok = true;
    buffer_printf(out, "{\"format_version\":%d,\"version\":", METASTORE_FORMAT_VERSION);
    ok &= put_uint(out, st->version);
    buffer_printf(out, ",\"next_table_id\":");
    ok &= put_uint(out, st->next_table_id);
    buffer_printf(out, ",\"tables\":[");
    for (int k = 0; k < st->n_tables; k++) {
        const MsTable *t = st->tables[k];
        char manifest[128];
        ms_manifest_rel_path(t->id, t->snapshot, manifest, sizeof manifest);
        buffer_printf(out, "%s\n {\"id\":", k ? "," : "");
        ok &= put_uint(out, t->id);
        buffer_printf(out, ",\"name\":");
        put_text(out, t->name, strlen(t->name));
        if (t->view_sql) {
            buffer_printf(out, ",\"view\":");
            put_text(out, t->view_sql, strlen(t->view_sql));
            buffer_printf(out, ",\"columns\":[");
        } else {
            buffer_printf(out, ",\"snapshot\":");
            ok &= put_uint(out, t->snapshot);
            buffer_printf(out, ",\"manifest\":\"%s\",\"columns\":[", manifest);
        }
        for (int col = 0; col < t->n_cols; col++) {
            char type[32];
            buffer_printf(out, "%s{\"name\":", col ? "," : "");
            put_text(out, t->cols[col].name, strlen(t->cols[col].name));
            buffer_printf(out, ",\"type\":\"%s\",\"not_null\":%s}",
                          type_format(t->cols[col].type, type, sizeof type),
                          t->cols[col].not_null ? "true" : "false");
        }
        buffer_printf(out, "]}");
    }
    buffer_printf(out, "\n]}\n");
    return encode_done(out, ok, err);
}

Status manifest_encode_table(const MsTable *t, Buffer *out, Error *err)
{
    bool ok = true;
    buffer_printf(out, "{\"format_version\":%d,\"table_id\":", METASTORE_FORMAT_VERSION);
    ok &= put_uint(out, t->id);
    buffer_printf(out, ",\"snapshot\":");
    ok &= put_uint(out, t->snapshot);
    buffer_printf(out, ",\"files\":[");
    for (int k = 0; k < t->n_files; k++) {
        const DataFileInfo *f = &t->files[k];
        buffer_printf(out, "%s\n {\"path\":", k ? "," : "");
        put_json_string(out, f->path, strlen(f->path));
        buffer_printf(out, ",\"rows\":");
        ok &= put_uint(out, f->n_rows);
        buffer_printf(out, ",\"bytes\":");
        ok &= put_uint(out, f->n_bytes);
        buffer_printf(out, ",\"row_groups\":");
        ok &= put_uint(out, f->n_row_groups);
        buffer_printf(out, ",\"zones\":[");
        for (int col = 0; col < t->n_cols; col++) {
            if (col) buffer_printf(out, ",");
            ok &= put_zone(out, t->cols[col].type, &f->zones[col]);
        }
        buffer_printf(out, "]}");
    }
    buffer_printf(out, "\n]}\n");
    return encode_done(out, ok, err);
}

/* ---- reading ----------------------------------------------------------------------------- */

/* Where a decode is: the file for messages and the arena for what it produces. */
typedef struct Decoder {
    const char *path;
    Arena *arena;
    Error *err;
    bool oom; /* an allocation failed: report that, not damage */
} Decoder;

static Status damaged(Decoder *d, const char *fmt, ...) BS_PRINTF(2, 3);

static Status damaged(Decoder *d, const char *fmt, ...)
{
    if (d->oom) return error_oom(d->err);
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return error_set(d->err, SQLSTATE_DATA_CORRUPTED, -1, "metastore file \"%s\" is damaged: %s",
                     d->path, what);
}

static const cJSON *field(const cJSON *obj, const char *name)
{
    return cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, name) : NULL;
}

static bool get_uint(const cJSON *obj, const char *name, uint64_t *out)
{
    const cJSON *item = field(obj, name);
    if (!cJSON_IsNumber(item)) return false;
    double d = item->valuedouble;
    if (!(d >= 0 && d < (double)METASTORE_MAX_JSON_INT) || d != floor(d)) return false;
    *out = (uint64_t)d;
    return true;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Text written by put_text, copied into the arena (NUL-terminated). false when bad. */
static bool get_text(Decoder *d, const cJSON *item, char **out, size_t *len)
{
    if (cJSON_IsString(item)) {
        *len = strlen(item->valuestring);
        *out = arena_strndup(d->arena, item->valuestring, *len);
        if (!*out) d->oom = true;
        return *out != NULL;
    }
    const cJSON *hex = field(item, "hex");
    if (!cJSON_IsString(hex)) return false;
    size_t n = strlen(hex->valuestring);
    if (n % 2) return false;
    char *buf = arena_alloc(d->arena, n / 2 + 1);
    if (!buf) {
        d->oom = true;
        return false;
    }
    for (size_t k = 0; k < n / 2; k++) {
        int hi = hex_digit(hex->valuestring[2 * k]), lo = hex_digit(hex->valuestring[2 * k + 1]);
        if (hi < 0 || lo < 0) return false;
        buf[k] = (char)(hi << 4 | lo);
    }
    buf[n / 2] = '\0';
    *out = buf;
    *len = n / 2;
    return true;
}

/* A name: non-empty text without NUL bytes. */
static bool get_name(Decoder *d, const cJSON *item, char **out)
{
    size_t len;
    return get_text(d, item, out, &len) && len > 0 && strlen(*out) == len;
}

/* A column type; a view's columns may have any type, a table's only storable ones. */
static bool parse_type(const char *s, bool any, LogicalType *out)
{
    size_t n = strlen(s);
    if (n > 2 && strcmp(s + n - 2, "[]") == 0) { /* an array: "INTEGER[]", "DECIMAL(9,2)[]" */
        char elem_name[48];
        LogicalType elem;
        if (n - 2 >= sizeof elem_name) return false;
        memcpy(elem_name, s, n - 2);
        elem_name[n - 2] = '\0';
        if (!parse_type(elem_name, true, &elem) || !array_elem_type_ok(elem)) return false;
        *out = type_array_of(elem);
        return any || storage_type_valid(*out);
    }
    for (int id = any ? TYPE_NULL : TYPE_BOOLEAN; id < TYPE_COUNT_; id++) {
        if (id == TYPE_DECIMAL || id == TYPE_ARRAY || strcmp(type_id_name((TypeId)id), "INVALID") == 0)
            continue;
        if (strcmp(s, type_id_name((TypeId)id)) == 0) {
            *out = type_make((TypeId)id);
            return true;
        }
    }
    unsigned p, sc;
    char tail;
    char check[40];
    for (int id = TYPE_VARCHAR; id <= TYPE_CHAR; id += TYPE_CHAR - TYPE_VARCHAR) {
        char pattern[24];
        snprintf(pattern, sizeof pattern, "%s(%%u)%%c", type_id_name((TypeId)id));
        if (sscanf(s, pattern, &p, &tail) != 1) continue;
        *out = type_make((TypeId)id);
        out->length = p;
        return p >= 1 && p <= TYPE_MAX_LENGTH &&
               strcmp(type_format(*out, check, sizeof check), s) == 0;
    }
    if (sscanf(s, "DECIMAL(%u,%u)%c", &p, &sc, &tail) != 2) return false;
    *out = type_decimal((int)p, (int)sc);
    if (p > DECIMAL_MAX_PRECISION || strcmp(type_format(*out, check, sizeof check), s) != 0)
        return false;
    return any || storage_type_valid(*out);
}

static bool get_bound(Decoder *d, const cJSON *item, LogicalType type, Value *v)
{
    memset(v, 0, sizeof *v);
    v->type = type;
    switch ((TypeId)type.id) {
    case TYPE_BOOLEAN:
        if (!cJSON_IsBool(item)) return false;
        v->u.b = cJSON_IsTrue(item);
        return true;
    case TYPE_TINYINT:
    case TYPE_SMALLINT: {
        if (!cJSON_IsNumber(item)) return false;
        double x = item->valuedouble, lim = type.id == TYPE_TINYINT ? INT8_MAX : INT16_MAX;
        if (!(x >= -lim - 1 && x <= lim) || x != floor(x)) return false;
        if (type.id == TYPE_TINYINT)
            v->u.i8 = (int8_t)x;
        else
            v->u.i16 = (int16_t)x;
        return true;
    }
    case TYPE_REAL: {
        Value wide;
        if (!get_bound(d, item, type_make(TYPE_DOUBLE), &wide)) return false;
        v->type = type;
        return double_to_float(wide.u.f64, &v->u.f32);
    }
    case TYPE_INTEGER:
    case TYPE_DATE: {
        if (!cJSON_IsNumber(item)) return false;
        double x = item->valuedouble;
        if (!(x >= INT32_MIN && x <= INT32_MAX) || x != floor(x)) return false;
        v->u.i32 = (int32_t)x;
        return true;
    }
    case TYPE_DECIMAL:
    case TYPE_HUGEINT:
        if (type_physical(type) == PHYS_INT128) {
            if (!cJSON_IsString(item) ||
                parse_int128(item->valuestring, strlen(item->valuestring), &v->u.i128) != PARSE_OK)
                return false;
            return type.id == TYPE_HUGEINT || (v->u.i128 < POW10_128[type.precision] &&
                                               v->u.i128 > -POW10_128[type.precision]);
        }
        /* fall through */
    case TYPE_BIGINT:
    case TYPE_TIMESTAMP:
    case TYPE_TIME:
    case TYPE_TIMESTAMPTZ:
        if (!cJSON_IsString(item)) return false;
        return parse_int64(item->valuestring, strlen(item->valuestring), &v->u.i64) == PARSE_OK;
    case TYPE_DOUBLE: {
        if (!cJSON_IsString(item)) return false;
        const char *s = item->valuestring;
        v->type = type;
        if (strcmp(s, "NaN") == 0) {
            v->u.f64 = NAN;
            return true;
        }
        if (strcmp(s, "Infinity") == 0 || strcmp(s, "-Infinity") == 0) {
            v->u.f64 = s[0] == '-' ? -INFINITY : INFINITY;
            return true;
        }
        char *end;
        v->u.f64 = strtod(s, &end);
        return end != s && *end == '\0' && isfinite(v->u.f64);
    }
    case TYPE_VARCHAR:
    case TYPE_CHAR:
    case TYPE_ARRAY: {
        char *text;
        size_t len;
        if (!get_text(d, item, &text, &len) || len > UINT32_MAX) return false;
        v->u.str.data = text;
        v->u.str.len = (uint32_t)len;
        return true;
    }
    default:
        break;
    }
    return false;
}

static bool get_zone(Decoder *d, const cJSON *item, LogicalType type, uint64_t rows, ZoneMap *zm)
{
    zone_init(zm, type);
    if (!get_uint(item, "rows", &zm->row_count) || !get_uint(item, "nulls", &zm->null_count))
        return false;
    const cJSON *min = field(item, "min"), *max = field(item, "max");
    if ((min != NULL) != (max != NULL)) return false;
    zm->has_minmax = min != NULL;
    if (zm->has_minmax &&
        (!get_bound(d, min, type, &zm->min) || !get_bound(d, max, type, &zm->max)))
        return false;
    return zone_valid(zm, type, rows);
}

static cJSON *parse_json(Decoder *d, const char *text, size_t len)
{
    cJSON *root = cJSON_ParseWithLength(text, len);
    if (!root) {
        damaged(d, "not valid JSON");
        return NULL;
    }
    uint64_t format;
    if (!get_uint(root, "format_version", &format) || format < 1 ||
        format > METASTORE_FORMAT_VERSION) {
        damaged(d, "unsupported format version");
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}

static int compare_tables(const void *a, const void *b)
{
    return strcmp((*(MsTable *const *)a)->name, (*(MsTable *const *)b)->name);
}

static void free_tables(MsState *st)
{
    for (int k = 0; k < st->n_tables; k++)
        ms_table_free(st->tables[k]);
    bs_free(st->tables);
    memset(st, 0, sizeof *st);
}

/* Decodes one entry of "tables" into a new table object. */
static Status decode_catalog_table(Decoder *d, const cJSON *item, uint64_t next_id, MsTable *t)
{
    d->arena = t->arena;
    const cJSON *cols = field(item, "columns");
    const cJSON *manifest = field(item, "manifest");
    const cJSON *view = field(item, "view");
    if (!get_uint(item, "id", &t->id) || t->id == 0 || t->id >= next_id ||
        !get_name(d, field(item, "name"), &t->name) || !cJSON_IsArray(cols))
        return damaged(d, "bad table entry");
    if (view) {
        size_t len;
        if (!get_text(d, view, &t->view_sql, &len) || len == 0 || strlen(t->view_sql) != len ||
            manifest || field(item, "snapshot"))
            return damaged(d, "bad view entry %" PRIu64, t->id);
        t->snapshot = 1;
    } else {
        if (!get_uint(item, "snapshot", &t->snapshot) || t->snapshot == 0 ||
            !cJSON_IsString(manifest))
            return damaged(d, "bad table entry");
        char want[128];
        ms_manifest_rel_path(t->id, t->snapshot, want, sizeof want);
        if (strcmp(manifest->valuestring, want) != 0)
            return damaged(d, "bad manifest path of table %" PRIu64, t->id);
    }
    int n_cols = cJSON_GetArraySize(cols);
    if (n_cols < 1 || n_cols > METASTORE_MAX_COLUMNS)
        return damaged(d, "bad column count of table %" PRIu64, t->id);
    t->cols = arena_alloc_zero(t->arena, sizeof(ColumnDef) * (size_t)n_cols);
    if (!t->cols) return arena_error(t->arena, d->err);
    const cJSON *col_item;
    int col = 0;
    cJSON_ArrayForEach(col_item, cols)
    {
        ColumnDef *c = &t->cols[col];
        const cJSON *type = field(col_item, "type"), *not_null = field(col_item, "not_null");
        if (!get_name(d, field(col_item, "name"), &c->name) || !cJSON_IsString(type) ||
            !parse_type(type->valuestring, t->view_sql != NULL, &c->type) ||
            (not_null && !cJSON_IsBool(not_null)))
            return damaged(d, "bad column %d of table %" PRIu64, col + 1, t->id);
        c->not_null = cJSON_IsTrue(not_null);
        for (int prev = 0; prev < col; prev++)
            if (strcmp(t->cols[prev].name, c->name) == 0)
                return damaged(d, "duplicate column in table %" PRIu64, t->id);
        col++;
    }
    t->n_cols = n_cols;
    return BS_OK;
}

Status manifest_decode_catalog(const char *path, const char *text, size_t len, MsState *st,
                               Error *err)
{
    memset(st, 0, sizeof *st);
    Decoder d = {path, NULL, err, false};
    cJSON *root = parse_json(&d, text, len);
    if (!root) return BS_ERROR;
    const cJSON *tables = field(root, "tables");
    Status status = BS_OK;
    if (!get_uint(root, "version", &st->version) ||
        !get_uint(root, "next_table_id", &st->next_table_id) || st->next_table_id == 0 ||
        !cJSON_IsArray(tables))
        status = damaged(&d, "bad header");
    int n = status == BS_OK ? cJSON_GetArraySize(tables) : 0;
    if (status == BS_OK && n > 0) {
        st->tables = bs_calloc((size_t)n, sizeof(MsTable *));
        if (!st->tables) status = error_oom(err);
    }
    const cJSON *item;
    if (status == BS_OK) {
        cJSON_ArrayForEach(item, tables)
        {
            MsTable *t = ms_table_new(err);
            if (!t) {
                status = BS_ERROR;
                break;
            }
            st->tables[st->n_tables++] = t;
            status = decode_catalog_table(&d, item, st->next_table_id, t);
            if (status != BS_OK) break;
        }
    }
    cJSON_Delete(root);
    if (status == BS_OK && st->n_tables > 1) {
        qsort(st->tables, (size_t)st->n_tables, sizeof(MsTable *), compare_tables);
        for (int k = 1; k < st->n_tables && status == BS_OK; k++)
            if (strcmp(st->tables[k - 1]->name, st->tables[k]->name) == 0)
                status = damaged(&d, "duplicate table name");
        for (int k = 0; k < st->n_tables && status == BS_OK; k++)
            for (int m = k + 1; m < st->n_tables && status == BS_OK; m++)
                if (st->tables[k]->id == st->tables[m]->id)
                    status = damaged(&d, "duplicate table id %" PRIu64, st->tables[k]->id);
    }
    if (status != BS_OK) free_tables(st);
    return status;
}

/* Decodes one entry of "files". */
static Status decode_file(Decoder *d, const cJSON *item, MsTable *t, int index)
{
    DataFileInfo *f = &t->files[index];
    const cJSON *path = field(item, "path"), *zones = field(item, "zones");
    if (!cJSON_IsString(path) || !ms_data_path_valid(path->valuestring, t->id) ||
        !get_uint(item, "rows", &f->n_rows) || !get_uint(item, "bytes", &f->n_bytes) ||
        !cJSON_IsArray(zones) || cJSON_GetArraySize(zones) != t->n_cols)
        return damaged(d, "bad file entry %d of table %" PRIu64, index + 1, t->id);
    for (int prev = 0; prev < index; prev++)
        if (strcmp(t->files[prev].path, path->valuestring) == 0)
            return damaged(d, "file listed twice in table %" PRIu64, t->id);
    uint64_t row_groups = 0;
    if (field(item, "row_groups") &&
        (!get_uint(item, "row_groups", &row_groups) || row_groups > UINT32_MAX))
        return damaged(d, "bad row group count in file entry %d of table %" PRIu64, index + 1,
                       t->id);
    f->n_row_groups = (uint32_t)row_groups;
    f->path = arena_strdup(t->arena, path->valuestring);
    f->zones = arena_alloc(t->arena, sizeof(ZoneMap) * (size_t)t->n_cols);
    if (!f->path || !f->zones) return arena_error(t->arena, d->err);
    const cJSON *zone;
    int col = 0;
    cJSON_ArrayForEach(zone, zones)
    {
        if (!get_zone(d, zone, t->cols[col].type, f->n_rows, &f->zones[col]))
            return damaged(d, "bad zone map of column %d of file entry %d", col + 1, index + 1);
        col++;
    }
    t->n_rows += f->n_rows;
    return BS_OK;
}

Status manifest_decode_table(const char *path, const char *text, size_t len, MsTable *t, Error *err)
{
    Decoder d = {path, t->arena, err, false};
    cJSON *root = parse_json(&d, text, len);
    if (!root) return BS_ERROR;
    uint64_t id, snapshot;
    const cJSON *files = field(root, "files");
    Status status = BS_OK;
    if (!get_uint(root, "table_id", &id) || !get_uint(root, "snapshot", &snapshot) || id != t->id ||
        snapshot != t->snapshot || !cJSON_IsArray(files))
        status = damaged(&d, "does not describe snapshot %" PRIu64 " of table %" PRIu64,
                         t->snapshot, t->id);
    int n = status == BS_OK ? cJSON_GetArraySize(files) : 0;
    if (n > 0) {
        t->files = arena_alloc_zero(t->arena, sizeof(DataFileInfo) * (size_t)n);
        if (!t->files) status = arena_error(t->arena, err);
    }
    t->n_rows = 0;
    const cJSON *item;
    int index = 0;
    if (status == BS_OK) {
        cJSON_ArrayForEach(item, files)
        {
            status = decode_file(&d, item, t, index);
            if (status != BS_OK) break;
            index++;
        }
    }
    t->n_files = status == BS_OK ? n : 0;
    cJSON_Delete(root);
    return status;
}
