/*
 * zonemap.c — zone maps: what is known about the values of a block, row group or file
 * (row count, null count, min, max), and the test that lets a scan, or the coordinator
 * before it makes splits, skip a zone that cannot hold a matching row.
 *
 * Bounds are compared by type: DECIMAL by unscaled value (either width), HUGEINT as a
 * 128-bit integer, DOUBLE with NaN above
 * everything (PostgreSQL's order), strings bytewise (the C collation). String bounds
 * longer than ZONE_STRING_MAX bytes are stored cut short: the min as its prefix (still
 * <= every value), the max as its prefix with the last byte that is not 0xFF raised by
 * one (still >= every value). Bounds are therefore bounds, not necessarily values.
 */
#include "storage/storage_int.h"

#include "common/array.h"

#include <math.h>
#include <string.h>

#define CMP3(a, b) (((a) > (b)) - ((a) < (b)))

bool storage_type_valid(LogicalType type)
{
    switch ((TypeId)type.id) {
    case TYPE_BOOLEAN:
    case TYPE_INTEGER:
    case TYPE_BIGINT:
    case TYPE_DOUBLE:
    case TYPE_DATE:
    case TYPE_TIMESTAMP:
    case TYPE_HUGEINT:
    case TYPE_TINYINT:
    case TYPE_SMALLINT:
    case TYPE_REAL:
    case TYPE_TIME:
    case TYPE_TIMESTAMPTZ:
    case TYPE_INTERVAL: /* zone maps of intervals have no bounds (has_minmax false) */
        return true;
    case TYPE_VARCHAR:
    case TYPE_CHAR:
        return type.length <= TYPE_MAX_LENGTH;
    case TYPE_DECIMAL:
        return type.precision >= 1 && type.precision <= DECIMAL_MAX_PRECISION &&
               type.scale <= type.precision;
    case TYPE_ARRAY: /* the encoded bytes; zone maps are kept in byte order, never pruned by */
        return array_elem_type_ok(type_array_elem(type)) &&
               (type.child == TYPE_DECIMAL ||
                (type.precision == 0 && type.scale == 0));
    case TYPE_NULL:
    case TYPE_INVALID:
    case TYPE_COUNT_:
        break;
    }
    return false;
}

/* Families of types whose values compare with each other as scaled integers. */
enum { FAMILY_NONE, FAMILY_EXACT, FAMILY_TEMPORAL };

/* The value as an integer in its family, with the decimal scale it carries. */
static int exact_of(const Value *v, __int128 *out, int *scale)
{
    *scale = 0;
    switch ((TypeId)v->type.id) {
    case TYPE_INTEGER:
        *out = v->u.i32;
        return FAMILY_EXACT;
    case TYPE_BIGINT:
        *out = v->u.i64;
        return FAMILY_EXACT;
    case TYPE_HUGEINT:
        *out = v->u.i128;
        return FAMILY_EXACT;
    case TYPE_TINYINT:
        *out = v->u.i8;
        return FAMILY_EXACT;
    case TYPE_SMALLINT:
        *out = v->u.i16;
        return FAMILY_EXACT;
    case TYPE_DECIMAL:
        *out = type_is_wide_decimal(v->type) ? v->u.i128 : v->u.i64;
        *scale = v->type.scale;
        return FAMILY_EXACT;
    case TYPE_DATE:
        *out = (__int128)v->u.i32 * MICROS_PER_DAY;
        return FAMILY_TEMPORAL;
    case TYPE_TIMESTAMP:
        *out = v->u.i64;
        return FAMILY_TEMPORAL;
    default:
        break;
    }
    return FAMILY_NONE;
}

static int compare_doubles(double a, double b)
{
    bool na = isnan(a), nb = isnan(b);
    if (na || nb) return (int)na - (int)nb;
    return CMP3(a, b);
}

static int compare_bytes(const char *a, uint32_t alen, const char *b, uint32_t blen)
{
    uint32_t min = alen < blen ? alen : blen;
    int c = min ? memcmp(a, b, min) : 0;
    if (c) return c;
    return CMP3(alen, blen);
}

/* Sign of x * 10^k - y without forming the product (it may not fit 128 bits). */
static int compare_scaled(__int128 x, int k, __int128 y)
{
    if (k == 0) return CMP3(x, y);
    if (k > 38) return x != 0 ? CMP3(x, 0) : CMP3(0, y); /* |x| * 10^39 > any y */
    __int128 p = POW10_128[k], q = y / p, r = y % p;
    if (x != q) return CMP3(x, q); /* |r| < p */
    return CMP3(0, r);
}

int zone_value_compare(const Value *a, const Value *b, bool *comparable)
{
    *comparable = true;
    PhysicalType pa = type_physical(a->type), pb = type_physical(b->type);
    if (a->type.id == b->type.id &&
        (a->type.id != TYPE_DECIMAL || a->type.scale == b->type.scale)) {
        switch (pa) {
        case PHYS_BOOL:
            return CMP3(a->u.b, b->u.b);
        case PHYS_INT32:
            return CMP3(a->u.i32, b->u.i32);
        case PHYS_INT64:
            return CMP3(a->u.i64, b->u.i64);
        case PHYS_DOUBLE:
            return compare_doubles(a->u.f64, b->u.f64);
        case PHYS_STRING:
            return compare_bytes(a->u.str.data, a->u.str.len, b->u.str.data, b->u.str.len);
        case PHYS_INT128:
            return CMP3(a->u.i128, b->u.i128);
        case PHYS_INT8:
            return CMP3(a->u.i8, b->u.i8);
        case PHYS_INT16:
            return CMP3(a->u.i16, b->u.i16);
        case PHYS_FLOAT:
            return compare_doubles(a->u.f32, b->u.f32);
        case PHYS_INTERVAL:
        case PHYS_INVALID:
            break;
        }
        *comparable = false;
        return 0;
    }
    if ((pa == PHYS_DOUBLE || pa == PHYS_FLOAT) && (pb == PHYS_DOUBLE || pb == PHYS_FLOAT))
        return compare_doubles(pa == PHYS_FLOAT ? a->u.f32 : a->u.f64,
                               pb == PHYS_FLOAT ? b->u.f32 : b->u.f64);
    __int128 va = 0, vb = 0;
    int sa, sb;
    int fa = exact_of(a, &va, &sa), fb = exact_of(b, &vb, &sb);
    if (fa == FAMILY_NONE || fa != fb) {
        *comparable = false;
        return 0;
    }
    if (sa <= sb) return compare_scaled(va, sb - sa, vb);
    return -compare_scaled(vb, sa - sb, va);
}

bool zone_may_match(const ZoneMap *zm, const ZoneCond *cond)
{
    switch (cond->op) {
    case ZONE_IS_NULL:
        return zm->null_count > 0;
    case ZONE_IS_NOT_NULL:
        return zm->null_count < zm->row_count;
    case ZONE_EQ:
    case ZONE_LT:
    case ZONE_LE:
    case ZONE_GT:
    case ZONE_GE:
        break;
    }
    /* A comparison with NULL is never true, and NULL rows never satisfy a comparison. */
    if (cond->value.is_null) return false;
    if (zm->null_count >= zm->row_count) return false;
    if (!zm->has_minmax) return true;
    /* Arrays' bounds are in byte order, not the arrays' order: they prune nothing. */
    if (cond->value.type.id == TYPE_ARRAY || zm->min.type.id == TYPE_ARRAY) return true;
    bool ok_min, ok_max;
    int vs_min = zone_value_compare(&cond->value, &zm->min, &ok_min);
    int vs_max = zone_value_compare(&cond->value, &zm->max, &ok_max);
    if (!ok_min || !ok_max) return true;
    switch (cond->op) {
    case ZONE_EQ:
        return vs_min >= 0 && vs_max <= 0;
    case ZONE_LT:
        return vs_min > 0; /* some x < v iff min < v */
    case ZONE_LE:
        return vs_min >= 0; /* min <= v */
    case ZONE_GT:
        return vs_max < 0; /* max > v */
    case ZONE_GE:
        return vs_max <= 0; /* max >= v */
    case ZONE_IS_NULL:
    case ZONE_IS_NOT_NULL:
        break;
    }
    return true;
}

bool zone_valid(const ZoneMap *zm, LogicalType type, uint64_t rows)
{
    if (zm->row_count != rows || zm->null_count > rows) return false;
    /* Bounds exist exactly when some value is not NULL (intervals have none). */
    if (type.id == TYPE_INTERVAL) return !zm->has_minmax;
    if (zm->has_minmax != (zm->null_count < rows)) return false;
    if (!zm->has_minmax) return true;
    if (zm->min.type.id != type.id || zm->max.type.id != type.id || zm->min.is_null ||
        zm->max.is_null)
        return false;
    if (type.id == TYPE_DECIMAL &&
        (zm->min.type.scale != type.scale || zm->max.type.scale != type.scale))
        return false;
    bool comparable;
    return zone_value_compare(&zm->min, &zm->max, &comparable) <= 0 && comparable;
}

void zone_init(ZoneMap *zm, LogicalType type)
{
    memset(zm, 0, sizeof *zm);
    zm->min.type = type;
    zm->max.type = type;
}

void zone_merge(ZoneMap *acc, const ZoneMap *src)
{
    acc->row_count += src->row_count;
    acc->null_count += src->null_count;
    if (!src->has_minmax) return;
    if (!acc->has_minmax) {
        acc->min = src->min;
        acc->max = src->max;
        acc->has_minmax = true;
        return;
    }
    bool ok;
    if (zone_value_compare(&src->min, &acc->min, &ok) < 0 && ok) acc->min = src->min;
    if (zone_value_compare(&src->max, &acc->max, &ok) > 0 && ok) acc->max = src->max;
}

/*
 * How a string bound is stored: its first *keep bytes, the last of them raised by one
 * when *bump. A min is cut to its prefix; a max is cut after its last byte below 0xFF
 * within the limit, which is raised so the result stays above every longer string.
 */
static void cut_bound(const char *data, uint32_t len, bool is_max, uint32_t *keep, bool *bump)
{
    *keep = len;
    *bump = false;
    if (len <= ZONE_STRING_MAX) return;
    if (!is_max) {
        *keep = ZONE_STRING_MAX;
        return;
    }
    for (uint32_t k = ZONE_STRING_MAX; k > 0; k--) {
        if ((uint8_t)data[k - 1] != 0xFF) {
            *keep = k;
            *bump = true;
            return;
        }
    }
    /* Sixty-four 0xFF bytes: no shorter upper bound exists; keep the whole string. */
}

static Status copy_bound(Value *dst, const Value *src, bool is_max, Arena *arena, Error *err)
{
    *dst = *src;
    if (type_physical(src->type) != PHYS_STRING) return BS_OK;
    uint32_t keep;
    bool bump;
    cut_bound(src->u.str.data, src->u.str.len, is_max, &keep, &bump);
    char *copy = arena_alloc(arena, keep ? keep : 1);
    if (!copy) return arena_error(arena, err);
    if (keep) memcpy(copy, src->u.str.data, keep);
    if (bump) copy[keep - 1] = (char)((uint8_t)copy[keep - 1] + 1);
    dst->u.str.data = copy;
    dst->u.str.len = keep;
    return BS_OK;
}

Status zone_copy(ZoneMap *dst, const ZoneMap *src, Arena *arena, Error *err)
{
    *dst = *src;
    if (!src->has_minmax) return BS_OK;
    BS_TRY(copy_bound(&dst->min, &src->min, false, arena, err));
    return copy_bound(&dst->max, &src->max, true, arena, err);
}

static void put_bound(Buffer *buf, LogicalType type, const Value *v, bool is_max)
{
    switch (type_physical(type)) {
    case PHYS_BOOL:
        buffer_put_u8(buf, v->u.b ? 1 : 0);
        break;
    case PHYS_INT32:
        buffer_put_svarint(buf, v->u.i32);
        break;
    case PHYS_INT64:
        buffer_put_svarint(buf, v->u.i64);
        break;
    case PHYS_DOUBLE:
        buffer_put_f64(buf, v->u.f64);
        break;
    case PHYS_INT8:
        buffer_put_svarint(buf, v->u.i8);
        break;
    case PHYS_INT16:
        buffer_put_svarint(buf, v->u.i16);
        break;
    case PHYS_FLOAT: /* as the double it widens to exactly */
        buffer_put_f64(buf, v->u.f32);
        break;
    case PHYS_INT128: /* low then high 64 bits */
        buffer_put_u64(buf, (uint64_t)v->u.i128);
        buffer_put_u64(buf, (uint64_t)((uint128_t)v->u.i128 >> 64));
        break;
    case PHYS_STRING: {
        uint32_t keep;
        bool bump;
        cut_bound(v->u.str.data, v->u.str.len, is_max, &keep, &bump);
        buffer_put_uvarint(buf, keep);
        if (!keep) break;
        buffer_put_bytes(buf, v->u.str.data, keep - 1);
        buffer_put_u8(buf, (uint8_t)((uint8_t)v->u.str.data[keep - 1] + (bump ? 1 : 0)));
        break;
    }
    case PHYS_INTERVAL:
    case PHYS_INVALID:
        break;
    }
}

void zone_put(Buffer *buf, LogicalType type, const ZoneMap *zm)
{
    buffer_put_uvarint(buf, zm->row_count);
    buffer_put_uvarint(buf, zm->null_count);
    buffer_put_u8(buf, zm->has_minmax ? 1 : 0);
    if (!zm->has_minmax) return;
    put_bound(buf, type, &zm->min, false);
    put_bound(buf, type, &zm->max, true);
}

static bool get_bound(BufReader *rd, LogicalType type, Value *v)
{
    memset(v, 0, sizeof *v);
    v->type = type;
    switch (type_physical(type)) {
    case PHYS_BOOL: {
        uint8_t b = bufreader_u8(rd);
        if (b > 1) return false;
        v->u.b = b != 0;
        break;
    }
    case PHYS_INT32: {
        int64_t x = bufreader_svarint(rd);
        if (x < INT32_MIN || x > INT32_MAX) return false;
        v->u.i32 = (int32_t)x;
        break;
    }
    case PHYS_INT64:
        v->u.i64 = bufreader_svarint(rd);
        break;
    case PHYS_DOUBLE:
        v->u.f64 = bufreader_f64(rd);
        break;
    case PHYS_INT8:
    case PHYS_INT16: {
        int64_t x = bufreader_svarint(rd);
        int64_t lim = type.id == TYPE_TINYINT ? INT8_MAX : INT16_MAX;
        if (x < -lim - 1 || x > lim) return false;
        if (type.id == TYPE_TINYINT)
            v->u.i8 = (int8_t)x;
        else
            v->u.i16 = (int16_t)x;
        break;
    }
    case PHYS_FLOAT: {
        double d = bufreader_f64(rd);
        v->u.f32 = (float)d;
        if (!isnan(d) && (double)v->u.f32 != d) return false; /* not a float's value */
        break;
    }
    case PHYS_INT128: {
        uint64_t lo = bufreader_u64(rd), hi = bufreader_u64(rd);
        v->u.i128 = (int128_t)(((uint128_t)hi << 64) | lo);
        if (type.id == TYPE_DECIMAL &&
            !(v->u.i128 < POW10_128[type.precision] && v->u.i128 > -POW10_128[type.precision]))
            return false;
        break;
    }
    case PHYS_STRING: {
        size_t len;
        const char *s = bufreader_lstring(rd, &len);
        if (len > UINT32_MAX) return false;
        v->u.str.data = s ? s : "";
        v->u.str.len = (uint32_t)len;
        break;
    }
    case PHYS_INTERVAL:
    case PHYS_INVALID:
        return false;
    }
    return bufreader_ok(rd);
}

bool zone_get(BufReader *rd, LogicalType type, ZoneMap *zm)
{
    zone_init(zm, type);
    zm->row_count = bufreader_uvarint(rd);
    zm->null_count = bufreader_uvarint(rd);
    uint8_t has = bufreader_u8(rd);
    if (!bufreader_ok(rd) || has > 1 || zm->null_count > zm->row_count) return false;
    /* Bounds exist exactly when some value is not NULL (intervals have none). */
    if (type.id == TYPE_INTERVAL ? has != 0 : (has == 1) != (zm->null_count < zm->row_count))
        return false;
    zm->has_minmax = has == 1;
    if (!zm->has_minmax) return true;
    if (!get_bound(rd, type, &zm->min) || !get_bound(rd, type, &zm->max)) return false;
    bool ok;
    return zone_value_compare(&zm->min, &zm->max, &ok) <= 0 && ok;
}
