/*
 * types.c — names, sizes and classes of SQL types.
 */
#include "common/types.h"

#include "common/strview.h"

#include <stdio.h>

PhysicalType type_physical(LogicalType type)
{
    switch ((TypeId)type.id) {
    case TYPE_BOOLEAN:
        return PHYS_BOOL;
    case TYPE_INTEGER:
    case TYPE_DATE:
        return PHYS_INT32;
    case TYPE_DECIMAL:
        return type.precision > DECIMAL_INT64_PRECISION ? PHYS_INT128 : PHYS_INT64;
    case TYPE_BIGINT:
    case TYPE_TIMESTAMP:
    case TYPE_TIME:
    case TYPE_TIMESTAMPTZ:
        return PHYS_INT64;
    case TYPE_HUGEINT:
        return PHYS_INT128;
    case TYPE_TINYINT:
        return PHYS_INT8;
    case TYPE_SMALLINT:
        return PHYS_INT16;
    case TYPE_REAL:
        return PHYS_FLOAT;
    case TYPE_DOUBLE:
        return PHYS_DOUBLE;
    case TYPE_VARCHAR:
    case TYPE_CHAR:
    case TYPE_ARRAY:
        return PHYS_STRING;
    case TYPE_INTERVAL:
        return PHYS_INTERVAL;
    case TYPE_NULL:
    case TYPE_INVALID:
    case TYPE_COUNT_:
        break;
    }
    return PHYS_INVALID;
}

size_t type_size(LogicalType type)
{
    switch (type_physical(type)) {
    case PHYS_BOOL:
    case PHYS_INT8:
        return 1;
    case PHYS_INT16:
        return 2;
    case PHYS_INT32:
    case PHYS_FLOAT:
        return 4;
    case PHYS_INT64:
    case PHYS_DOUBLE:
        return 8;
    case PHYS_STRING:
        return sizeof(StringView);
    case PHYS_INTERVAL:
        return sizeof(Interval);
    case PHYS_INT128:
        return sizeof(int128_t);
    case PHYS_INVALID:
        break;
    }
    return 0;
}

const char *type_id_name(TypeId id)
{
    switch (id) {
    case TYPE_NULL:
        return "NULL";
    case TYPE_BOOLEAN:
        return "BOOLEAN";
    case TYPE_INTEGER:
        return "INTEGER";
    case TYPE_BIGINT:
        return "BIGINT";
    case TYPE_DOUBLE:
        return "DOUBLE";
    case TYPE_DECIMAL:
        return "DECIMAL";
    case TYPE_VARCHAR:
        return "VARCHAR";
    case TYPE_DATE:
        return "DATE";
    case TYPE_TIMESTAMP:
        return "TIMESTAMP";
    case TYPE_INTERVAL:
        return "INTERVAL";
    case TYPE_HUGEINT:
        return "HUGEINT";
    case TYPE_TINYINT:
        return "TINYINT";
    case TYPE_SMALLINT:
        return "SMALLINT";
    case TYPE_REAL:
        return "REAL";
    case TYPE_TIME:
        return "TIME";
    case TYPE_TIMESTAMPTZ:
        return "TIMESTAMP WITH TIME ZONE";
    case TYPE_CHAR:
        return "CHAR";
    case TYPE_ARRAY:
        return "ARRAY";
    case TYPE_INVALID:
    case TYPE_COUNT_:
        break;
    }
    return "INVALID";
}

char *type_format(LogicalType type, char *buf, size_t size)
{
    if (type.id == TYPE_DECIMAL)
        snprintf(buf, size, "DECIMAL(%d,%d)", type.precision, type.scale);
    else if (type_is_string(type) && type.length)
        snprintf(buf, size, "%s(%u)", type_id_name((TypeId)type.id), type.length);
    else if (type.id == TYPE_ARRAY && type.child == TYPE_DECIMAL)
        snprintf(buf, size, "DECIMAL(%d,%d)[]", type.precision, type.scale);
    else if (type.id == TYPE_ARRAY)
        snprintf(buf, size, "%s[]", type_id_name((TypeId)type.child));
    else
        snprintf(buf, size, "%s", type_id_name((TypeId)type.id));
    return buf;
}

bool type_is_numeric(LogicalType type)
{
    return type_is_integral(type) || type_is_float(type) || type.id == TYPE_DECIMAL;
}

bool type_is_integral(LogicalType type)
{
    return type.id == TYPE_TINYINT || type.id == TYPE_SMALLINT || type.id == TYPE_INTEGER ||
           type.id == TYPE_BIGINT || type.id == TYPE_HUGEINT;
}

bool type_is_float(LogicalType type)
{
    return type.id == TYPE_REAL || type.id == TYPE_DOUBLE;
}

bool type_is_temporal(LogicalType type)
{
    return type.id == TYPE_DATE || type.id == TYPE_TIMESTAMP;
}
