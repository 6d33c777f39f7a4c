/*
 * parser_int.h — private to parser/: the token the tokenizer hands to the Lemon parser,
 * the parse context the grammar actions share, and the node builders those actions call.
 *
 * Flow: parser.c drives tokenizer.c (lexer_next) token by token into the Lemon engine
 * generated from sql.y; each reduce action calls one build_* function (build.c) that
 * allocates AST nodes in the parse arena. Values of identifiers, strings and numbers
 * are computed from the token's span of the source text only when an action needs them.
 *
 * Failure discipline: the first failure (out of memory, or a semantic syntax error found
 * by a builder such as "multiple ORDER BY clauses") sets ctx->err and ctx->failed. From
 * then on every builder returns NULL at once without touching its arguments, so actions
 * never dereference a node themselves, and the driver stops feeding tokens.
 */
#ifndef BASALT_PARSER_PARSER_INT_H
#define BASALT_PARSER_PARSER_INT_H

#include "common/arena.h"
#include "common/error.h"
#include "parser/ast.h"

/* SQLSTATEs of the parser that common/error.h does not define (PostgreSQL's codes). */
#define PARSER_SQLSTATE_TOO_COMPLEX  "54001" /* statement_too_complex */
#define PARSER_SQLSTATE_BAD_ENCODING "22021" /* character_not_in_repertoire */

/* How much of a token an error message quotes ("at or near ..."), in bytes. */
#define PARSER_NEAR_MAX 200

/*
 * A token: its byte span in the input. The Lemon engine carries it as the value of
 * every terminal; pos < 0 marks "absent" in optional grammar values (alias_opt).
 */
typedef struct Token {
    int pos;
    int len;
} Token;

/* ---- tokenizer.c ---------------------------------------------------------------- */

typedef enum LexError {
    LEX_OK,
    LEX_UNTERMINATED_STRING,
    LEX_UNTERMINATED_IDENT,
    LEX_UNTERMINATED_COMMENT,
    LEX_EMPTY_IDENT,
    LEX_TRAILING_JUNK,
    LEX_BAD_ESCAPE,
    LEX_NUL_ESCAPE,
    LEX_INVALID_CHAR,
} LexError;

typedef struct Lexer {
    const char *sql;
    int len;
    int pos; /* next byte to scan */
} Lexer;

/* Special results of lexer_next besides the grammar's TK_* codes (which are > 0). */
#define LEX_EOF  0
#define LEX_FAIL (-1)

void lexer_init(Lexer *lx, const char *sql, int len);
/*
 * Scans the next token, skipping blanks and comments. Returns its TK_* code and fills
 * *tok; LEX_EOF at the end; LEX_FAIL on a lexical error, with *lerr saying which and
 * *tok spanning the offending text from its start (to the end of input when
 * unterminated). Never allocates.
 */
int lexer_next(Lexer *lx, Token *tok, LexError *lerr);
/* Fills err (42601, or 22021 for a NUL escape) for a lexical error at tok. */
Status lexer_error(const char *sql, int len, Token tok, LexError lerr, Error *err);
/* Copies the quoted text of a token for "at or near" messages, bounded and NUL-free. */
void lexer_near_text(const char *sql, int len, Token tok, char *buf, size_t size);

/* Value of a numeric token: true when it is all digits and fits in int64. */
bool lexer_integer_value(const char *text, int len, int64_t *out);
/*
 * Decodes a string token ('...' with '' escapes, E'...' with backslash escapes, and
 * adjacent literals separated by a newline) into arena memory, NUL-terminated.
 * Returns NULL on allocation failure. The lexer has validated the escapes already.
 */
char *lexer_string_value(Arena *arena, const char *sql, Token tok, size_t *len_out);
/* Folds an identifier token: lower case unless double-quoted ("" unescaped). */
char *lexer_ident_value(Arena *arena, const char *sql, Token tok);

/* ---- parser.c: the shared context --------------------------------------------- */

typedef struct ParseCtx {
    const char *sql;
    int len;
    Arena *arena;
    Error *err;
    bool failed;          /* an error is set: builders return NULL, the driver stops */
    AstStatement *result; /* set by the start rule when a statement is complete */
    Token cur;            /* the token being fed (for stack-overflow positions) */
    Token prev;           /* the token fed before it (pos < 0: none in this statement) */
    int stmt_start;       /* byte offset of the current statement's first token */
} ParseCtx;

/* Called from the grammar's %syntax_error / %stack_overflow. */
void parser_syntax_error(ParseCtx *ctx, int major, Token tok);
void parser_stack_overflow(ParseCtx *ctx);
/* A 42601 error with a specific message at pos; marks the context failed. */
void parser_error_at(ParseCtx *ctx, int pos, const char *msg);
/* Zeroed arena memory; on failure sets the out-of-memory error and returns NULL. */
void *parser_alloc(ParseCtx *ctx, size_t size);
/* Records an allocation failure of the parse arena (53200) and fails the context. */
void parser_oom(ParseCtx *ctx);

/* The Lemon engine (sql.c). */
void *BasaltSqlParseAlloc(void *(*malloc_fn)(size_t));
void BasaltSqlParseFree(void *parser, void (*free_fn)(void *));
void BasaltSqlParse(void *parser, int major, Token minor, ParseCtx *ctx);

/* ---- ast.c ----------------------------------------------------------------------- */

/*
 * Fails with 54001 at the offending node when the tree nests deeper than max_depth
 * (expressions, subqueries, joins, set operations). Its own recursion stops at
 * max_depth, so it is safe on any tree.
 */
Status ast_check_depth(const AstStatement *stmt, int max_depth, Error *err);
/* Fills err with the 54001 "statement is too complex" error at pos (parser.c). */
Status parser_error_too_complex(Error *err, int pos);

/* ---- build.c: node builders for the grammar actions ----------------------------- */

/* Holder for the grammar's limit_opt: LIMIT/OFFSET/FETCH, each possibly absent. */
typedef struct LimitClause {
    AstExpr *limit;
    AstExpr *offset;
    bool has_limit, has_offset;
    int limit_pos, offset_pos;
} LimitClause;

/* Holder for order_opt: the sort items and where ORDER BY stands. */
typedef struct OrderClause {
    AstList *items; /* AstOrderItem* */
    int pos;
} OrderClause;

/* Holder for alias_opt: `[AS] name [(col, ...)]`. */
typedef struct AliasClause {
    char *name;
    AstList cols; /* char* */
} AliasClause;

/* A SET value as the grammar reads it (build_set's value_kind, token, sign). */
typedef struct SetValue {
    int kind;
    Token tok;
    bool neg;
} SetValue;

/* A relation's name as written: [catalog.][schema.]name (absent parts have pos < 0). */
typedef struct QualName {
    Token catalog, schema, name;
} QualName;

/* Values of tokens. */
char *tok_ident(ParseCtx *ctx, Token tok);

/* Lists. list_new(ctx, NULL) is an empty list. */
AstList *list_new(ParseCtx *ctx, void *item);
AstList *list_add(ParseCtx *ctx, AstList *list, void *item);
AstList *list_ident(ParseCtx *ctx, AstList *list, Token name); /* appends tok_ident */

/* Expressions; `pos` is the node's position (its first token, or the operator). */
AstExpr *build_integer(ParseCtx *ctx, Token tok);
AstExpr *build_number(ParseCtx *ctx, Token tok);
AstExpr *build_string(ParseCtx *ctx, Token tok);
AstExpr *build_bool(ParseCtx *ctx, bool value, int pos);
AstExpr *build_int_value(ParseCtx *ctx, int64_t value, int pos);
AstExpr *build_null(ParseCtx *ctx, int pos);
AstExpr *build_column(ParseCtx *ctx, const Token *qualifier, Token name);
AstExpr *build_star(ParseCtx *ctx, const Token *qualifier, int pos);
AstExpr *build_unary(ParseCtx *ctx, AstOp op, AstExpr *arg, int pos);
AstExpr *build_binary(ParseCtx *ctx, AstOp op, AstExpr *left, AstExpr *right, int pos);
AstExpr *build_is_null(ParseCtx *ctx, AstExpr *arg, bool negated, int pos);
AstExpr *build_cast(ParseCtx *ctx, AstExpr *arg, AstTypeName *type, int pos);
AstExpr *build_typed_literal(ParseCtx *ctx, AstTypeName *type, Token str);
AstExpr *build_function(ParseCtx *ctx, Token name, AstList *args, bool star, bool distinct);
AstExpr *build_function_named(ParseCtx *ctx, const char *name, AstList *args, int pos);
/* Window calls: func OVER spec (bare: OVER name); pos is the OVER keyword. */
AstExpr *build_over(ParseCtx *ctx, AstExpr *func, AstWindowSpec *spec, bool bare, int pos);
/* Records a call's IGNORE/RESPECT NULLS (treatment.len: AST_NULLS_*, pos where written). */
AstExpr *build_null_treatment(ParseCtx *ctx, AstExpr *func, Token treatment);
/* [ref] [PARTITION BY partition] [ORDER BY order] [frame: a spec holding only the frame];
   ref.pos < 0: none. */
AstWindowSpec *build_window_spec(ParseCtx *ctx, Token ref, AstList *partition, AstList *order,
                                 AstWindowSpec *frame);
/* unit.len is the AstFrameUnit; end NULL: CURRENT ROW; exclude.len the AstFrameExclude. */
AstWindowSpec *build_window_frame(ParseCtx *ctx, Token unit, AstFrameBound *start,
                                  AstFrameBound *end, Token exclude);
/* pos -1: the offset's start. */
AstFrameBound *build_frame_bound(ParseCtx *ctx, AstFrameBoundKind kind, AstExpr *offset, int pos);
AstWindowDef *build_window_def(ParseCtx *ctx, Token name, AstWindowSpec *spec);
/* Attaches the WINDOW clause (NULL: none) to a SELECT core. */
AstSelect *build_select_windows(ParseCtx *ctx, AstSelect *select, AstList *windows);
/* name(args ORDER BY order): sets the call's order (NULL: none). */
AstExpr *build_function_order(ParseCtx *ctx, AstExpr *call, AstList *order);
/* A call's WITHIN GROUP (ORDER BY within) and FILTER (WHERE filter); either may be NULL.
   A call cannot have both an ORDER BY among its arguments and WITHIN GROUP (42601). */
AstExpr *build_function_suffix(ParseCtx *ctx, AstExpr *call, AstList *within, AstExpr *filter);
/* TRY_CAST(arg AS type): a cast that yields NULL where the conversion fails. */
AstExpr *build_try_cast(ParseCtx *ctx, AstExpr *arg, AstTypeName *type, int pos);
AstExpr *build_between(ParseCtx *ctx, AstExpr *arg, AstExpr *low, AstExpr *high, bool negated,
                       int pos);
AstExpr *build_in_list(ParseCtx *ctx, AstExpr *arg, AstList *list, bool negated, int pos);
AstExpr *build_in_select(ParseCtx *ctx, AstExpr *arg, AstSelect *query, bool negated, int pos);
/* arg op ANY|ALL (query) — or (array) when query is NULL; op is an OP_EQ … OP_GE. */
AstExpr *build_quantified(ParseCtx *ctx, AstExpr *arg, int op, bool all, AstSelect *query,
                          AstExpr *array, int pos);
AstExpr *build_like(ParseCtx *ctx, AstExpr *arg, AstExpr *pattern, AstExpr *escape, bool negated,
                    bool case_insensitive, int pos);
AstCaseWhen *build_when(ParseCtx *ctx, AstExpr *when, AstExpr *then);
AstExpr *build_case(ParseCtx *ctx, AstExpr *operand, AstList *whens, AstExpr *else_expr, int pos);
AstExpr *build_exists(ParseCtx *ctx, AstSelect *query, int pos);
AstExpr *build_subquery(ParseCtx *ctx, AstSelect *query, int pos);
AstExpr *build_interval(ParseCtx *ctx, Token str, char *unit, int pos);
AstExpr *build_extract(ParseCtx *ctx, char *field, AstExpr *arg, int pos);
/* Arrays (build_array.c): ARRAY[elems] (elems NULL: ARRAY[]) or ARRAY(query); arg[lower],
   arg[lower:upper] (slice; bounds may be NULL); arg op ANY|ALL (array). */
AstExpr *build_array(ParseCtx *ctx, AstList *elems, AstSelect *query, int pos);
AstExpr *build_subscript(ParseCtx *ctx, AstExpr *arg, AstExpr *lower, AstExpr *upper, bool slice,
                         int pos);
AstExpr *build_any_all(ParseCtx *ctx, AstOp op, bool all, AstExpr *arg, AstExpr *array, int pos);
/* f(…) WITH ORDINALITY in FROM. */
AstTableRef *build_ordinality(ParseCtx *ctx, AstTableRef *ref);
/* type[] / type ARRAY / ARRAY(type): an array of type. */
AstTypeName *build_type_array(ParseCtx *ctx, AstTypeName *type);
/* The position of the leftmost token of an expression (binary nodes sit at operators). */
int expr_start_pos(const AstExpr *expr);

/* Types. */
AstTypeName *build_type(ParseCtx *ctx, Token name);
/* `double precision`, `character varying`: first must be one of the allowed words. */
AstTypeName *build_type_2words(ParseCtx *ctx, Token first, Token second);
AstTypeName *build_type_param(ParseCtx *ctx, AstTypeName *type, Token param);
/* `timestamp [(p)] WITH|WITHOUT TIME ZONE`; kw is the WITH/WITHOUT token. */
AstTypeName *build_type_zone(ParseCtx *ctx, AstTypeName *type, bool with_zone, Token kw);
/* INTERVAL units: "day", "year to month", ... built from one or two unit tokens. */
char *build_unit(ParseCtx *ctx, Token first, const Token *second);

/* Queries. */
AstSelectItem *build_select_item(ParseCtx *ctx, AstExpr *expr, Token alias);
AstSelect *build_select_core(ParseCtx *ctx, int pos, bool distinct, AstList *items, AstList *from,
                             AstExpr *where, AstList *group_by, AstExpr *having);
AstSelect *build_values(ParseCtx *ctx, AstList *rows, int pos);
AstSelect *build_setop(ParseCtx *ctx, AstSetOp op, bool all, AstSelect *left, AstSelect *right);
AstOrderItem *build_order_item(ParseCtx *ctx, AstExpr *expr, bool desc, int nulls);
OrderClause *build_order_clause(ParseCtx *ctx, AstList *items, int pos);
/* A LIMIT (is_limit) or OFFSET clause; value NULL for LIMIT ALL. */
LimitClause *build_limit(ParseCtx *ctx, AstExpr *value, bool is_limit, int pos);
/* Combines a LIMIT clause and an OFFSET clause written in either order. */
LimitClause *limit_merge(ParseCtx *ctx, LimitClause *limit, LimitClause *offset);
/* Attaches ORDER BY and LIMIT/OFFSET; 42601 when the query already has them. */
AstSelect *build_select_tail(ParseCtx *ctx, AstSelect *query, OrderClause *order_by,
                             LimitClause *limit);
AstCte *build_cte(ParseCtx *ctx, Token name, AstList *cols, AstSelect *query);
AstSelect *build_select_with(ParseCtx *ctx, AstSelect *query, AstList *ctes, bool recursive,
                             int pos);

/* FROM. */
AliasClause *build_alias(ParseCtx *ctx, Token name, AstList *cols);
/* A name of up to three parts: catalog and schema may be NULL. */
QualName qual_name(const Token *catalog, const Token *schema, Token name);
AstTableRef *build_table_ref(ParseCtx *ctx, QualName name, AliasClause *alias);
AstTableRef *build_subquery_ref(ParseCtx *ctx, AstSelect *query, AliasClause *alias, int pos);
AstTableRef *build_function_ref(ParseCtx *ctx, Token name, AstList *args, AliasClause *alias);
/* Marks a FROM item LATERAL (a subquery or a table function); returns it. */
AstTableRef *build_lateral(ParseCtx *ctx, AstTableRef *ref, int pos);
AstTableRef *build_join(ParseCtx *ctx, AstJoinType type, bool natural, AstTableRef *left,
                        AstTableRef *right, AstExpr *on, AstList *using_cols, int pos);
AstTableRef *build_paren_join(ParseCtx *ctx, AstTableRef *join, AliasClause *alias);

/* Statements. */
AstStatement *build_stmt_select(ParseCtx *ctx, AstSelect *query);
AstColumnDef *build_column_def(ParseCtx *ctx, Token name, AstTypeName *type, int nullability);
/* Adds a NULL (2) or NOT NULL (1) constraint to prev; 42601 when they conflict. */
int build_nullability(ParseCtx *ctx, int prev, int next, int pos);
/* GROUP BY elements (groupby_opt's items are AstGroupItem*; see build_select_core). */
AstGroupItem *build_group_item(ParseCtx *ctx, AstGroupKind kind, AstExpr *expr, AstList *items,
                               int pos);
AstList *build_group_by(ParseCtx *ctx, AstList *items, bool *extended);
/* SELECT DISTINCT ON (on) …: sets the query's DISTINCT ON list. */
AstSelect *build_distinct_on(ParseCtx *ctx, AstSelect *s, AstList *on);
AstStatement *build_create_table(ParseCtx *ctx, Token name, bool if_not_exists, AstList *columns,
                                 AstSelect *query, int pos);
/*
 * SET/RESET/SHOW. name: the setting (NULL: the token `name_tok`); value_kind 0 for a
 * string, 1 for a word, 2 for a number (negative with a minus), -1 for none (RESET,
 * DEFAULT).
 */
AstStatement *build_set(ParseCtx *ctx, AstStmtKind kind, const char *name, const Token *name_tok,
                        int value_kind, const Token *value, bool negative, int pos);
/* SHOW name: SHOW TABLES, or a setting (build_set). */
AstStatement *build_show(ParseCtx *ctx, Token name, int pos);
/* SHOW TABLES FROM [catalog.]schema, SHOW COLUMNS FROM relation (`what` says which). */
AstStatement *build_show_from(ParseCtx *ctx, Token what, QualName from, int pos);
/* DESCRIBE relation (name not NULL) or DESCRIBE query. */
AstStatement *build_describe(ParseCtx *ctx, const QualName *name, AstSelect *query, int pos);
AstStatement *build_drop_table(ParseCtx *ctx, AstList *names, bool if_exists, bool view, int pos);
/* CREATE [OR REPLACE] VIEW name [(columns)] AS query; `as` is the AS token. */
AstStatement *build_create_view(ParseCtx *ctx, Token name, bool or_replace, AstList *columns,
                                AstSelect *query, Token as, int pos);
AstStatement *build_insert(ParseCtx *ctx, Token table, AstList *columns, AstSelect *query, int pos);
AstOption *build_option(ParseCtx *ctx, Token name, AstExpr *value);
AstStatement *build_copy(ParseCtx *ctx, Token table, AstList *columns, Token path, AstList *options,
                         int pos);
AstStatement *build_explain(ParseCtx *ctx, AstStatement *stmt, bool analyze, AstList *options,
                            int pos);

#endif
