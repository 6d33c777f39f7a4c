/*
 * parser.h — SQL text → AST. The public face of parser/: a hand-written tokenizer feeds
 * a Lemon LALR(1) grammar (sql.y) that builds the nodes of ast.h.
 *
 * Errors: a syntax error is 42601 with the message `syntax error at or near "<token>"`
 * (or `syntax error at end of input`, at position = input length) and the byte position
 * of the offending token; an unterminated string or comment, or an invalid character,
 * is 42601 at its start. Nesting deeper than PARSER_MAX_DEPTH is 54001, a NUL escape in
 * an E'' string 22021, running out of arena memory 53200, and a text longer than
 * INT_MAX - 1 bytes 54000. See README.md for the module's invariants.
 */
#ifndef BASALT_PARSER_PARSER_H
#define BASALT_PARSER_PARSER_H

#include "common/arena.h"
#include "common/buffer.h"
#include "common/error.h"
#include "parser/ast.h"

/*
 * The deepest nesting of expressions, subqueries, joins and set operations a statement
 * may have; deeper input fails with 54001 "statement is too complex". Every tree the
 * parser returns is at most this deep, so recursive walkers need no guard of their own.
 */
#define PARSER_MAX_DEPTH 1000

/* One statement of a script and where it stands in the input. */
typedef struct ParsedStatement {
    AstStatement *stmt;
    int start; /* byte offset of its first token */
    int end;   /* byte offset just past its last token (before any ';') */
} ParsedStatement;

/*
 * Parses every statement of sql[0..len) (statements separated by ';'; empty statements
 * are skipped). Nodes and the array *out (of *n_out entries) are allocated in `arena`.
 * Positions are byte offsets into sql. On error returns BS_ERROR with err set and
 * *n_out = 0; nothing needs freeing beyond the arena.
 */
Status parser_parse(const char *sql, size_t len, Arena *arena, ParsedStatement **out, int *n_out,
                    Error *err);

/*
 * For the interactive shell: true when text[0..len) holds at least one complete
 * statement, i.e. a ';' outside any string, quoted identifier or comment, followed by
 * nothing but blanks and comments.
 */
bool parser_is_complete(const char *text, size_t len);

/* A statement's byte range in a script, without its ';'. */
typedef struct StatementSpan {
    int start, end;
} StatementSpan;

/*
 * Splits a script into its statements at ';' outside strings, quoted identifiers and
 * comments, without parsing them, so that each can be run (and fail) on its own as psql
 * does. Empty statements are skipped; an unterminated string or comment makes the rest
 * of the input one statement. Spans are allocated in arena.
 */
Status parser_split(const char *text, size_t len, Arena *arena, StatementSpan **out, int *n_out,
                    Error *err);

/*
 * Appends a canonical, fully parenthesized rendering of a statement (for tests and
 * debugging), e.g. `SELECT (a + 1) AS x FROM t WHERE (b = 'y')`: keywords upper case,
 * identifiers as stored (unquoted), strings re-quoted with ''. Safe on any tree (NULL
 * parts print as "?", absurdly deep ones are cut with "..."); a buffer allocation
 * failure leaves `out` failed (buffer_ok).
 */
void ast_format_statement(const AstStatement *stmt, Buffer *out);
void ast_format_expr(const AstExpr *expr, Buffer *out);

#endif
