/*
 * types.h — SQL types and their physical representation in vectors.
 *
 *   BOOLEAN       uint8_t (0 or 1)
 *   TINYINT       int8_t
 *   SMALLINT      int16_t
 *   INTEGER       int32_t
 *   BIGINT        int64_t
 *   REAL          float
 *   DOUBLE        double
 *   HUGEINT       int128_t (two's complement __int128)
 *   DECIMAL(p,s)  unscaled value: int64_t for p <= 18, int128_t for 18 < p <= 38
 *   VARCHAR       StringView (common/strview.h)
 *   DATE          int32_t days since 1970-01-01
 *   TIMESTAMP     int64_t microseconds since 1970-01-01 00:00:00
 *   TIME          int64_t microseconds since midnight, 0 … 86400000000 (24:00:00 included)
 *   TIMESTAMPTZ   int64_t microseconds since 1970-01-01 00:00:00 UTC (shown in the session's
 *                 time zone)
 *   CHAR(n)       StringView without its trailing spaces (the padding to n is added on
 *                 output), so that comparing, hashing and grouping ignore them, as in
 *                 PostgreSQL; `length` is n (0: PostgreSQL's bpchar without a length,
 *                 e.g. the common type of CHAR(3) and CHAR(5)). VARCHAR(n) is VARCHAR
 *                 with `length` n.
 *   INTERVAL      Interval: months, days and microseconds, kept apart (a month is not a
 *                 fixed number of days, nor a day of hours across time zones)
 *   ARRAY         StringView over the array's canonical encoding (common/array.h); the
 *                 element type is `child` (and precision/scale for DECIMAL elements)
 *
 * TYPE_NULL is the type of an untyped NULL literal while binding; no vector has it.
 */
#ifndef BASALT_COMMON_TYPES_H
#define BASALT_COMMON_TYPES_H

#include "common/basics.h"

typedef enum TypeId {
    TYPE_INVALID = 0,
    TYPE_NULL = 1,
    TYPE_BOOLEAN = 2,
    TYPE_INTEGER = 3,
    TYPE_BIGINT = 4,
    TYPE_DOUBLE = 5,
    TYPE_DECIMAL = 6,
    TYPE_VARCHAR = 7,
    TYPE_DATE = 8,
    TYPE_TIMESTAMP = 9,
    TYPE_INTERVAL = 10,
    TYPE_HUGEINT = 11,
    TYPE_TINYINT = 12,
    TYPE_SMALLINT = 13,
    TYPE_REAL = 14,
    TYPE_TIME = 15,
    TYPE_TIMESTAMPTZ = 16,
    TYPE_CHAR = 17,
    /* a one-dimensional array: LogicalType.child is its element type (common/array.h);
       a gap before it leaves room for scalar types added next to it */
    TYPE_ARRAY = 20,
    TYPE_COUNT_ /* number of type ids; not a type */
} TypeId;

/* How a type's values sit in memory. */
typedef enum PhysicalType {
    PHYS_INVALID = 0,
    PHYS_BOOL,     /* uint8_t */
    PHYS_INT32,    /* int32_t */
    PHYS_INT64,    /* int64_t */
    PHYS_DOUBLE,   /* double */
    PHYS_STRING,   /* StringView */
    PHYS_INTERVAL, /* Interval */
    PHYS_INT128,   /* int128_t, 16-byte aligned */
    PHYS_INT8,     /* int8_t */
    PHYS_INT16,    /* int16_t */
    PHYS_FLOAT,    /* float */
} PhysicalType;

/* 128-bit integers (GCC and Clang on 64-bit targets). */
__extension__ typedef __int128 int128_t;
__extension__ typedef unsigned __int128 uint128_t;

#define INT128_MAX_VALUE ((int128_t)(~(uint128_t)0 >> 1))
#define INT128_MIN_VALUE (-INT128_MAX_VALUE - 1)

/*
 * An INTERVAL value (16 bytes): PostgreSQL's three fields. Each field may have any sign;
 * comparisons see the total with a month of 30 days and a day of 24 hours
 * (common/datetime.h), as PostgreSQL does.
 */
typedef struct Interval {
    int32_t months;
    int32_t days;
    int64_t micros;
} Interval;

/*
 * A type with its parameters. precision/scale belong to DECIMAL (and to an array's DECIMAL
 * elements); child is an array's element TypeId (0 for every other type); length is the
 * declared n of CHAR(n) / VARCHAR(n) (0: no limit). Unused fields are 0, so that two equal
 * types compare equal field by field.
 */
typedef struct LogicalType {
    uint8_t id;        /* TypeId */
    uint8_t precision; /* DECIMAL (or an array of DECIMAL) only */
    uint8_t scale;     /* DECIMAL (or an array of DECIMAL) only */
    uint8_t child;     /* element TypeId of an array; 0 otherwise */
    uint32_t length;   /* CHAR(n) / VARCHAR(n): n; 0 when unlimited */
} LogicalType;

/* Decimals of at most DECIMAL_INT64_PRECISION digits are int64_t; wider ones int128_t. */
#define DECIMAL_MAX_PRECISION     38
#define DECIMAL_INT64_PRECISION   18
#define DECIMAL_DEFAULT_PRECISION 18
#define DECIMAL_DEFAULT_SCALE     3

static inline LogicalType type_make(TypeId id)
{
    LogicalType t = {(uint8_t)id, 0, 0, 0, 0};
    return t;
}
static inline LogicalType type_decimal(int precision, int scale)
{
    LogicalType t = {TYPE_DECIMAL, (uint8_t)precision, (uint8_t)scale, 0, 0};
    return t;
}
static inline bool type_equals(LogicalType a, LogicalType b)
{
    return a.id == b.id && a.child == b.child && a.length == b.length &&
           ((a.id != TYPE_DECIMAL && a.child != TYPE_DECIMAL) ||
            (a.precision == b.precision && a.scale == b.scale));
}

PhysicalType type_physical(LogicalType type);
/* Bytes per value in a flat vector. */
size_t type_size(LogicalType type);
/* Upper-case SQL name without parameters: "DECIMAL". */
const char *type_id_name(TypeId id);
/* Full SQL name into buf: "DECIMAL(15,2)", "INTEGER". Returns buf. */
char *type_format(LogicalType type, char *buf, size_t size);
/* TINYINT, SMALLINT, INTEGER, BIGINT, HUGEINT, REAL, DOUBLE, DECIMAL */
bool type_is_numeric(LogicalType type);
bool type_is_integral(LogicalType type); /* TINYINT, SMALLINT, INTEGER, BIGINT, HUGEINT */
bool type_is_float(LogicalType type);    /* REAL, DOUBLE */
/* A DECIMAL stored as int128_t (precision above DECIMAL_INT64_PRECISION). */
static inline bool type_is_wide_decimal(LogicalType type)
{
    return type.id == TYPE_DECIMAL && type.precision > DECIMAL_INT64_PRECISION;
}
bool type_is_temporal(LogicalType type); /* DATE, TIMESTAMP (points in time, not INTERVAL) */
/* VARCHAR or CHAR (of any length). */
static inline bool type_is_string(LogicalType type)
{
    return type.id == TYPE_VARCHAR || type.id == TYPE_CHAR;
}
/* Largest n of CHAR(n) / VARCHAR(n), as PostgreSQL. */
#define TYPE_MAX_LENGTH 10485760u

/* An array of `elem` (a scalar type). */
static inline LogicalType type_array_of(LogicalType elem)
{
    LogicalType t = {TYPE_ARRAY, 0, 0, elem.id, 0};
    if (elem.id == TYPE_DECIMAL) {
        t.precision = elem.precision;
        t.scale = elem.scale;
    }
    return t;
}
/* The element type of an array type. */
static inline LogicalType type_array_elem(LogicalType array)
{
    LogicalType t = {array.child, 0, 0, 0, 0};
    if (array.child == TYPE_DECIMAL) {
        t.precision = array.precision;
        t.scale = array.scale;
    }
    return t;
}

#endif
