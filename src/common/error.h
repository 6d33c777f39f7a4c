/*
 * error.h — errors travel as values. A fallible function returns BS_ERROR and fills an
 * Error owned by its caller (the session or query): SQLSTATE, message, optional detail
 * and hint, and a byte position in the SQL text. The first error wins: once set, later
 * error_set calls leave the Error unchanged, so the root cause is what the user sees.
 */
#ifndef BASALT_COMMON_ERROR_H
#define BASALT_COMMON_ERROR_H

#include "common/basics.h"

#include <stdarg.h>

/* SQLSTATE codes Basalt raises (PostgreSQL's assignments). */
#define SQLSTATE_SUCCESSFUL            "00000"
#define SQLSTATE_FEATURE_NOT_SUPPORTED "0A000"
#define SQLSTATE_CARDINALITY_VIOLATION "21000"
#define SQLSTATE_DATA_EXCEPTION        "22000"
#define SQLSTATE_STRING_TRUNCATION     "22001"
#define SQLSTATE_NUMERIC_OUT_OF_RANGE  "22003"
#define SQLSTATE_DATETIME_OVERFLOW     "22008"
#define SQLSTATE_DIVISION_BY_ZERO      "22012"
#define SQLSTATE_INTERVAL_OVERFLOW     "22015"
#define SQLSTATE_INVALID_PARAMETER     "22023"
#define SQLSTATE_INVALID_TEXT          "22P02"
#define SQLSTATE_BAD_COPY_FORMAT       "22P04"
#define SQLSTATE_INVALID_DATETIME      "22007"
#define SQLSTATE_NOT_NULL_VIOLATION    "23502"
#define SQLSTATE_SYNTAX_ERROR          "42601"
#define SQLSTATE_UNDEFINED_COLUMN      "42703"
#define SQLSTATE_UNDEFINED_TABLE       "42P01"
#define SQLSTATE_INVALID_SCHEMA_NAME   "3F000"
#define SQLSTATE_UNDEFINED_FUNCTION    "42883"
#define SQLSTATE_DUPLICATE_TABLE       "42P07"
#define SQLSTATE_DUPLICATE_COLUMN      "42701"
#define SQLSTATE_DUPLICATE_ALIAS       "42712"
#define SQLSTATE_AMBIGUOUS_COLUMN      "42702"
#define SQLSTATE_DATATYPE_MISMATCH     "42804"
#define SQLSTATE_GROUPING_ERROR        "42803"
#define SQLSTATE_UNDEFINED_OBJECT      "42704"
#define SQLSTATE_INVALID_COLUMN_REF    "42P10"
#define SQLSTATE_WRONG_OBJECT_TYPE     "42809"
#define SQLSTATE_INVALID_OBJECT_DEF    "42P17"
#define SQLSTATE_INVALID_TABLE_DEF     "42P16"
#define SQLSTATE_INVALID_RECURSION     "42P19"
#define SQLSTATE_CANNOT_COERCE         "42846"
#define SQLSTATE_TOO_MANY_COLUMNS      "54011"
#define SQLSTATE_PROGRAM_LIMIT         "54000"
#define SQLSTATE_OUT_OF_MEMORY         "53200"
#define SQLSTATE_DISK_FULL             "53100"
/* Basalt's: a join's broadcast build side held more than join_max_broadcast_table_size
   (the query switches that join to partitioned and runs again when it can) */
#define SQLSTATE_BROADCAST_TOO_LARGE "53I01"
#define SQLSTATE_QUERY_CANCELED      "57014"
#define SQLSTATE_IO_ERROR            "58030"
#define SQLSTATE_UNDEFINED_FILE      "58P01"
#define SQLSTATE_DATA_CORRUPTED      "XX001"
#define SQLSTATE_INTERNAL_ERROR      "XX000"
#define SQLSTATE_PROTOCOL_VIOLATION  "08P01"
#define SQLSTATE_LOCK_NOT_AVAILABLE  "55P03"
#define SQLSTATE_OBJECT_NOT_IN_STATE "55000"

typedef struct Error {
    char sqlstate[6]; /* "" when no error is set */
    char *message;    /* heap (bs_malloc); NULL when unset */
    char *detail;     /* optional */
    char *hint;       /* optional */
    int position;     /* byte offset into the statement text, -1 when none */
} Error;

/* An Error with nothing set. Errors must be error_clear()ed to release their strings. */
#define ERROR_INIT                                                                                 \
    {                                                                                              \
        {0}, NULL, NULL, NULL, -1                                                                  \
    }

void error_init(Error *err);
/* Frees the strings and returns the Error to its empty state. */
void error_clear(Error *err);
static inline bool error_is_set(const Error *err)
{
    return err->sqlstate[0] != '\0';
}

/*
 * Sets the error unless one is already set (the first error wins). `position` is a byte
 * offset into the SQL text or -1. Always returns BS_ERROR, so callers can write
 * `return error_set(err, ...)`. If formatting memory is short, a fixed message is kept.
 */
Status error_set(Error *err, const char *sqlstate, int position, const char *fmt, ...)
    BS_PRINTF(4, 5);
Status error_setv(Error *err, const char *sqlstate, int position, const char *fmt, va_list ap);
/* Attach a detail or hint to the current error (replacing an earlier one). */
void error_set_detail(Error *err, const char *fmt, ...) BS_PRINTF(2, 3);
void error_set_hint(Error *err, const char *fmt, ...) BS_PRINTF(2, 3);
/* Set position if the error has none yet. */
void error_set_position(Error *err, int position);
/* Prefix the message: "<prefix>: <old message>" (used to add file:line context). */
void error_prefix(Error *err, const char *fmt, ...) BS_PRINTF(2, 3);
/* Moves src into dst (dst cleared first); src is left empty. */
void error_move(Error *dst, Error *src);
/* Deep copy; on allocation failure dst still gets the SQLSTATE and a fixed message. */
void error_copy(Error *dst, const Error *src);
/* Shorthand for the common out-of-memory error. */
Status error_oom(Error *err);

/* Printf into a fresh heap string; NULL on allocation failure. */
char *bs_vasprintf(const char *fmt, va_list ap);
char *bs_asprintf(const char *fmt, ...) BS_PRINTF(1, 2);

#endif
