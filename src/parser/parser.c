/*
 * parser.c — the driver: SQL text → ParsedStatement array. It pulls tokens from the
 * tokenizer, cuts the script into statements at top-level ';', and pushes each
 * statement's tokens through the Lemon engine generated from sql.y, whose actions
 * build the AST in the caller's arena.
 *
 * Per statement the engine sees: its tokens, then the ';' (when there is one, so that
 * a premature ';' is reported "at or near ";""), then end of input. Empty statements
 * (nothing between two ';') are skipped. The one piece of look-ahead the LALR(1)
 * grammar cannot do itself is done here, as PostgreSQL's parser.c does: NOT before
 * BETWEEN, IN, LIKE or ILIKE becomes NOT_LA, which binds like those operators; and the
 * first IN directly inside POSITION( … ) becomes POSITION_IN, so that POSITION(x IN s)
 * does not read as an IN list; and the names IGNORE and RESPECT before NULLS become
 * IGNORE_LA and RESPECT_LA (a window function's null treatment: lag(x) IGNORE NULLS).
 *
 * After a statement is built its depth is checked (PARSER_MAX_DEPTH), so every tree
 * handed out can be walked recursively. The engine object is the only heap memory
 * besides the arena; it is freed on every path.
 */
#include "parser/parser.h"

#include "common/alloc.h"
#include "parser/parser_int.h"
#include "sql.h"

#include <limits.h>
#include <string.h>

/* ---- errors shared with the grammar and the builders ------------------------------- */

/* True when the token's text is `word` (ASCII, case-insensitive). */
static bool token_is(const ParseCtx *ctx, Token tok, const char *word)
{
    size_t n = strlen(word);
    if (tok.pos < 0 || (size_t)tok.len != n) return false;
    for (size_t k = 0; k < n; k++) {
        char c = ctx->sql[tok.pos + (int)k];
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if (c != word[k]) return false;
    }
    return true;
}

/*
 * A statement SQL has but Basalt does not yet (UPDATE, CREATE INDEX, …) fails with 0A000
 * naming it, rather than with a syntax error: the user wrote valid SQL.
 */
static bool unsupported_statement(ParseCtx *ctx, Token tok)
{
    static const char *const first_words[] = {
        "update",   "delete",    "merge",   "alter",   "truncate",   "begin",  "start",  "commit",
        "rollback", "savepoint", "set",     "show",    "reset",      "grant",  "revoke", "vacuum",
        "analyze",  "call",      "prepare", "execute", "deallocate", "listen", "notify"};
    static const char *const created[] = {
        "index", "schema", "sequence", "function", "database", "materialized", "temporary",
        "temp",  "unique", "type",     "role",     "user",     "trigger",      "extension"};
    const char *what = NULL, *prefix = "";
    if (tok.pos == ctx->stmt_start) {
        for (size_t k = 0; k < sizeof first_words / sizeof first_words[0] && !what; k++)
            if (token_is(ctx, tok, first_words[k])) what = first_words[k];
    } else if (ctx->prev.pos == ctx->stmt_start && token_is(ctx, ctx->prev, "create")) {
        for (size_t k = 0; k < sizeof created / sizeof created[0] && !what; k++)
            if (token_is(ctx, tok, created[k])) what = created[k];
        prefix = "CREATE ";
    }
    if (!what) return false;
    char upper[32];
    size_t n = 0;
    for (; what[n] && n < sizeof upper - 1; n++)
        upper[n] = (char)(what[n] >= 'a' && what[n] <= 'z' ? what[n] - 'a' + 'A' : what[n]);
    upper[n] = '\0';
    error_set(ctx->err, SQLSTATE_FEATURE_NOT_SUPPORTED, tok.pos, "%s%s is not supported yet",
              prefix, upper);
    return true;
}

void parser_syntax_error(ParseCtx *ctx, int major, Token tok)
{
    if (ctx->failed) return;
    ctx->failed = true;
    if (major != 0 && unsupported_statement(ctx, tok)) return;
    if (major == 0) {
        error_set(ctx->err, SQLSTATE_SYNTAX_ERROR, ctx->len, "syntax error at end of input");
        return;
    }
    char near[PARSER_NEAR_MAX + 8];
    lexer_near_text(ctx->sql, ctx->len, tok, near, sizeof(near));
    error_set(ctx->err, SQLSTATE_SYNTAX_ERROR, tok.pos, "syntax error at or near \"%s\"", near);
}

static void too_complex(Error *err, int pos)
{
    error_set(err, PARSER_SQLSTATE_TOO_COMPLEX, pos, "statement is too complex");
    error_set_detail(err, "Expressions, subqueries and joins may nest at most %d levels deep.",
                     PARSER_MAX_DEPTH);
}

void parser_stack_overflow(ParseCtx *ctx)
{
    if (ctx->failed) return;
    ctx->failed = true;
    too_complex(ctx->err, ctx->cur.pos);
}

void parser_error_at(ParseCtx *ctx, int pos, const char *msg)
{
    if (ctx->failed) return;
    ctx->failed = true;
    error_set(ctx->err, SQLSTATE_SYNTAX_ERROR, pos, "%s", msg);
}

void parser_oom(ParseCtx *ctx)
{
    if (ctx->failed) return;
    ctx->failed = true;
    arena_error(ctx->arena, ctx->err);
}

void *parser_alloc(ParseCtx *ctx, size_t size)
{
    void *p = arena_alloc_zero(ctx->arena, size);
    if (!p) parser_oom(ctx);
    return p;
}

/* ---- the driver ------------------------------------------------------------------- */

/* A token source with one token of look-ahead. */
typedef struct TokenStream {
    Lexer lx;
    bool has_peek;
    int peek_code;
    Token peek_tok;
    LexError peek_err;
} TokenStream;

static int stream_next(TokenStream *ts, Token *tok, LexError *lerr)
{
    if (ts->has_peek) {
        ts->has_peek = false;
        *tok = ts->peek_tok;
        *lerr = ts->peek_err;
        return ts->peek_code;
    }
    return lexer_next(&ts->lx, tok, lerr);
}

static int stream_peek(TokenStream *ts)
{
    if (!ts->has_peek) {
        ts->peek_code = lexer_next(&ts->lx, &ts->peek_tok, &ts->peek_err);
        ts->has_peek = true;
    }
    return ts->peek_code;
}

/* The statements parsed so far, in a growing arena array. */
typedef struct StmtArray {
    ParsedStatement *items;
    int count, capacity;
} StmtArray;

static bool stmts_append(Arena *arena, StmtArray *a, ParsedStatement st)
{
    if (a->count == a->capacity) {
        int cap = a->capacity ? a->capacity * 2 : 4;
        ParsedStatement *grown =
            arena_grow(arena, a->items, sizeof(ParsedStatement) * (size_t)a->capacity,
                       sizeof(ParsedStatement) * (size_t)cap);
        if (!grown) return false;
        a->items = grown;
        a->capacity = cap;
    }
    a->items[a->count++] = st;
    return true;
}

static void feed(void *engine, ParseCtx *ctx, int code, Token tok)
{
    ctx->prev = ctx->cur;
    ctx->cur = tok;
    BasaltSqlParse(engine, code, tok, ctx);
}

/*
 * Ends the current statement: feeds the ';' (if any) and end of input, then records
 * the statement. False with ctx failed on error.
 */
static bool finish_statement(void *engine, ParseCtx *ctx, const Token *semi, StmtArray *stmts,
                             int start, int end)
{
    if (semi) feed(engine, ctx, TK_SEMI, *semi);
    if (!ctx->failed) {
        Token eof = {ctx->len, 0};
        feed(engine, ctx, 0, eof);
    }
    if (ctx->failed) return false;
    if (!ctx->result) {
        /* The grammar accepted nothing without reporting an error: a grammar bug. */
        ctx->failed = true;
        error_set(ctx->err, SQLSTATE_INTERNAL_ERROR, start, "parser accepted no statement");
        return false;
    }
    ParsedStatement st = {ctx->result, start, end};
    ctx->result = NULL;
    if (st.stmt->kind == STMT_CREATE_VIEW) {
        /* The view keeps its query as written, from after AS to the statement's end. */
        int from = st.stmt->u.create_view.query_start;
        while (from < end && (ctx->sql[from] == ' ' || ctx->sql[from] == '\t' ||
                              ctx->sql[from] == '\n' || ctx->sql[from] == '\r'))
            from++;
        st.stmt->u.create_view.sql = arena_strndup(ctx->arena, ctx->sql + from, (size_t)(end - from));
        if (!st.stmt->u.create_view.sql) {
            parser_oom(ctx);
            return false;
        }
    }
    if (!stmts_append(ctx->arena, stmts, st)) {
        parser_oom(ctx);
        return false;
    }
    return true;
}

static void run(void *engine, ParseCtx *ctx, StmtArray *stmts)
{
    TokenStream ts = {0};
    lexer_init(&ts.lx, ctx->sql, ctx->len);
    bool in_stmt = false;
    int start = 0, end = 0;
    int depth = 0;         /* parentheses open */
    int pos_depth[32];     /* the depth inside each open POSITION( */
    int n_pos = 0;
    for (;;) {
        Token tok;
        LexError lerr;
        int code = stream_next(&ts, &tok, &lerr);
        if (code == LEX_FAIL) {
            ctx->failed = true;
            lexer_error(ctx->sql, ctx->len, tok, lerr, ctx->err);
            return;
        }
        if (code == LEX_EOF || code == TK_SEMI) {
            if (in_stmt &&
                !finish_statement(engine, ctx, code == TK_SEMI ? &tok : NULL, stmts, start, end))
                return;
            in_stmt = false;
            depth = n_pos = 0;
            if (code == LEX_EOF) return;
            continue;
        }
        /* lag(x) IGNORE NULLS OVER …: IGNORE and RESPECT are names unless NULLS follows */
        if (code == TK_ID && (token_is(ctx, tok, "ignore") || token_is(ctx, tok, "respect")) &&
            stream_peek(&ts) == TK_NULLS)
            code = token_is(ctx, tok, "ignore") ? TK_IGNORE_LA : TK_RESPECT_LA;
        if (code == TK_NOT) {
            int next = stream_peek(&ts);
            if (next == TK_BETWEEN || next == TK_IN || next == TK_LIKE || next == TK_ILIKE)
                code = TK_NOT_LA;
        }
        /* POSITION(x IN s): the first IN directly inside its parentheses */
        if (code == TK_LP) {
            depth++;
        } else if (code == TK_RP) {
            if (n_pos > 0 && pos_depth[n_pos - 1] == depth) n_pos--;
            depth--;
        } else if (code == TK_POSITION && stream_peek(&ts) == TK_LP &&
                   n_pos < (int)BS_ARRAY_LEN(pos_depth)) {
            pos_depth[n_pos++] = depth + 1;
        } else if (code == TK_IN && n_pos > 0 && pos_depth[n_pos - 1] == depth) {
            code = TK_POSITION_IN;
            pos_depth[n_pos - 1] = -1; /* one IN per POSITION */
        }
        if (!in_stmt) {
            in_stmt = true;
            start = tok.pos;
            ctx->stmt_start = start;
            ctx->cur = (Token){-1, 0};
        }
        end = tok.pos + tok.len;
        feed(engine, ctx, code, tok);
        if (ctx->failed) return;
    }
}

Status parser_parse(const char *sql, size_t len, Arena *arena, ParsedStatement **out, int *n_out,
                    Error *err)
{
    *out = NULL;
    *n_out = 0;
    if (len > (size_t)INT_MAX - 1)
        return error_set(err, SQLSTATE_PROGRAM_LIMIT, -1,
                         "statement text is too long (%zu bytes; at most %d are allowed)", len,
                         INT_MAX - 1);
    if (!sql) sql = "";
    ParseCtx ctx = {
        .sql = sql, .len = (int)len, .arena = arena, .err = err, .failed = false, .result = NULL};
    void *engine = BasaltSqlParseAlloc(bs_malloc);
    if (!engine) return error_oom(err);
    StmtArray stmts = {0};
    run(engine, &ctx, &stmts);
    BasaltSqlParseFree(engine, bs_free);
    if (ctx.failed) return BS_ERROR;
    for (int k = 0; k < stmts.count; k++)
        BS_TRY(ast_check_depth(stmts.items[k].stmt, PARSER_MAX_DEPTH, err));
    *out = stmts.items;
    *n_out = stmts.count;
    return BS_OK;
}

Status parser_error_too_complex(Error *err, int pos)
{
    too_complex(err, pos);
    return BS_ERROR;
}
