/*
 * error.c — the Error value: first error wins, strings on the heap.
 */
#include "common/error.h"

#include "common/alloc.h"

#include <stdio.h>
#include <string.h>

/* Used when the message itself cannot be allocated. */
static char g_oom_message[] = "out of memory";

char *bs_vasprintf(const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int len = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (len < 0) return NULL;
    char *buf = bs_malloc((size_t)len + 1);
    if (!buf) return NULL;
    vsnprintf(buf, (size_t)len + 1, fmt, ap);
    return buf;
}

char *bs_asprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = bs_vasprintf(fmt, ap);
    va_end(ap);
    return s;
}

void error_init(Error *err)
{
    memset(err->sqlstate, 0, sizeof err->sqlstate);
    err->message = NULL;
    err->detail = NULL;
    err->hint = NULL;
    err->position = -1;
}

static void free_msg(char *msg)
{
    if (msg && msg != g_oom_message) bs_free(msg);
}

void error_clear(Error *err)
{
    free_msg(err->message);
    free_msg(err->detail);
    free_msg(err->hint);
    error_init(err);
}

Status error_setv(Error *err, const char *sqlstate, int position, const char *fmt, va_list ap)
{
    if (error_is_set(err)) return BS_ERROR;
    memcpy(err->sqlstate, sqlstate, 5);
    err->sqlstate[5] = '\0';
    err->position = position;
    err->message = bs_vasprintf(fmt, ap);
    if (!err->message) err->message = g_oom_message;
    return BS_ERROR;
}

Status error_set(Error *err, const char *sqlstate, int position, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    error_setv(err, sqlstate, position, fmt, ap);
    va_end(ap);
    return BS_ERROR;
}

void error_set_detail(Error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = bs_vasprintf(fmt, ap);
    va_end(ap);
    free_msg(err->detail);
    err->detail = s;
}

void error_set_hint(Error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = bs_vasprintf(fmt, ap);
    va_end(ap);
    free_msg(err->hint);
    err->hint = s;
}

void error_set_position(Error *err, int position)
{
    if (err->position < 0) err->position = position;
}

void error_prefix(Error *err, const char *fmt, ...)
{
    if (!error_is_set(err)) return;
    va_list ap;
    va_start(ap, fmt);
    char *prefix = bs_vasprintf(fmt, ap);
    va_end(ap);
    if (!prefix) return;
    char *joined = bs_asprintf("%s: %s", prefix, err->message ? err->message : "");
    bs_free(prefix);
    if (!joined) return;
    free_msg(err->message);
    err->message = joined;
}

void error_move(Error *dst, Error *src)
{
    if (dst == src) return;
    error_clear(dst);
    *dst = *src;
    error_init(src);
}

static char *dup_or_null(const char *s)
{
    if (!s) return NULL;
    if (s == g_oom_message) return g_oom_message;
    return bs_strdup(s);
}

void error_copy(Error *dst, const Error *src)
{
    if (dst == src) return;
    error_clear(dst);
    memcpy(dst->sqlstate, src->sqlstate, sizeof dst->sqlstate);
    dst->position = src->position;
    dst->message = dup_or_null(src->message);
    if (src->message && !dst->message) dst->message = g_oom_message;
    dst->detail = dup_or_null(src->detail);
    dst->hint = dup_or_null(src->hint);
}

Status error_oom(Error *err)
{
    return error_set(err, SQLSTATE_OUT_OF_MEMORY, -1, "out of memory");
}
