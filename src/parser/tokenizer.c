/*
 * tokenizer.c — the hand-written scanner in front of the Lemon grammar: SQL text →
 * tokens (TK_* codes from the generated sql.h) with their byte spans.
 *
 * It follows PostgreSQL's lexical rules: identifiers fold to lower case unless
 * "double-quoted" ("" is a quote inside); keywords are found case-insensitively in a
 * sorted table; strings are '...' with '' for a quote, E'...' with backslash escapes,
 * and adjacent literals separated by a newline are one literal; comments are `-- ...`
 * and nestable block comments. A number immediately followed by a letter is an error
 * ("trailing junk", as in PostgreSQL 15+).
 *
 * The scanner never allocates: it only finds spans. Values (folded names, unescaped
 * strings, integers) are computed from a span by the lexer_*_value functions when a
 * grammar action needs them. It is also used by parser_is_complete for the shell.
 */
#include "parser/parser.h"
#include "parser/parser_int.h"
#include "sql.h"

#include <limits.h>
#include <string.h>

typedef struct Keyword {
    const char *name; /* lower case */
    int code;
} Keyword;

/* Sorted by name for binary search. */
static const Keyword KEYWORDS[] = {
    {"all", TK_ALL},
    {"analyze", TK_ANALYZE},
    {"and", TK_AND},
    {"any", TK_ANY},
    {"array", TK_ARRAY},
    {"as", TK_AS},
    {"asc", TK_ASC},
    {"asymmetric", TK_ASYMMETRIC},
    {"at", TK_AT},
    {"between", TK_BETWEEN},
    {"both", TK_BOTH},
    {"by", TK_BY},
    {"case", TK_CASE},
    {"cast", TK_CAST},
    {"copy", TK_COPY},
    {"create", TK_CREATE},
    {"cross", TK_CROSS},
    {"cube", TK_CUBE},
    {"current", TK_CURRENT},
    {"current_date", TK_CURRENT_DATE},
    {"current_time", TK_CURRENT_TIME},
    {"current_timestamp", TK_CURRENT_TIMESTAMP},
    {"day", TK_DAY},
    {"desc", TK_DESC},
    {"describe", TK_DESCRIBE},
    {"distinct", TK_DISTINCT},
    {"drop", TK_DROP},
    {"else", TK_ELSE},
    {"end", TK_END},
    {"escape", TK_ESCAPE},
    {"except", TK_EXCEPT},
    {"exclude", TK_EXCLUDE},
    {"exists", TK_EXISTS},
    {"explain", TK_EXPLAIN},
    {"extract", TK_EXTRACT},
    {"false", TK_FALSE},
    {"fetch", TK_FETCH},
    {"filter", TK_FILTER},
    {"first", TK_FIRST},
    {"following", TK_FOLLOWING},
    {"for", TK_FOR},
    {"from", TK_FROM},
    {"full", TK_FULL},
    {"group", TK_GROUP},
    {"grouping", TK_GROUPING},
    {"groups", TK_GROUPS},
    {"having", TK_HAVING},
    {"hour", TK_HOUR},
    {"if", TK_IF},
    {"ilike", TK_ILIKE},
    {"in", TK_IN},
    {"inner", TK_INNER},
    {"insert", TK_INSERT},
    {"intersect", TK_INTERSECT},
    {"interval", TK_INTERVAL},
    {"into", TK_INTO},
    {"is", TK_IS},
    {"join", TK_JOIN},
    {"last", TK_LAST},
    {"lateral", TK_LATERAL},
    {"leading", TK_LEADING},
    {"left", TK_LEFT},
    {"like", TK_LIKE},
    {"limit", TK_LIMIT},
    {"localtime", TK_LOCALTIME},
    {"localtimestamp", TK_LOCALTIMESTAMP},
    {"minute", TK_MINUTE},
    {"month", TK_MONTH},
    {"natural", TK_NATURAL},
    {"next", TK_NEXT},
    {"no", TK_NO},
    {"not", TK_NOT},
    {"null", TK_NULL},
    {"nulls", TK_NULLS},
    {"offset", TK_OFFSET},
    {"on", TK_ON},
    {"only", TK_ONLY},
    {"or", TK_OR},
    {"order", TK_ORDER},
    {"ordinality", TK_ORDINALITY},
    {"others", TK_OTHERS},
    {"outer", TK_OUTER},
    {"over", TK_OVER},
    {"partition", TK_PARTITION},
    {"position", TK_POSITION},
    {"preceding", TK_PRECEDING},
    {"precision", TK_PRECISION},
    {"range", TK_RANGE},
    {"recursive", TK_RECURSIVE},
    {"replace", TK_REPLACE},
    {"reset", TK_RESET},
    {"right", TK_RIGHT},
    {"rollup", TK_ROLLUP},
    {"row", TK_ROW},
    {"rows", TK_ROWS},
    {"second", TK_SECOND},
    {"select", TK_SELECT},
    {"set", TK_SET},
    {"sets", TK_SETS},
    {"show", TK_SHOW},
    {"some", TK_SOME},
    {"substring", TK_SUBSTRING},
    {"symmetric", TK_SYMMETRIC},
    {"table", TK_TABLE},
    {"then", TK_THEN},
    {"ties", TK_TIES},
    {"time", TK_TIME},
    {"to", TK_TO},
    {"trailing", TK_TRAILING},
    {"trim", TK_TRIM},
    {"true", TK_TRUE},
    {"try_cast", TK_TRY_CAST},
    {"unbounded", TK_UNBOUNDED},
    {"union", TK_UNION},
    {"using", TK_USING},
    {"values", TK_VALUES},
    {"varying", TK_VARYING},
    {"view", TK_VIEW},
    {"when", TK_WHEN},
    {"where", TK_WHERE},
    {"window", TK_WINDOW},
    {"with", TK_WITH},
    {"within", TK_WITHIN},
    {"without", TK_WITHOUT},
    {"year", TK_YEAR},
    {"zone", TK_ZONE},
};

#define KEYWORD_MAX_LEN 20

static int keyword_code(const char *word, int len)
{
    if (len > KEYWORD_MAX_LEN) return TK_ID;
    char lower[KEYWORD_MAX_LEN + 1];
    for (int k = 0; k < len; k++) {
        char c = word[k];
        lower[k] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    lower[len] = '\0';
    int lo = 0, hi = (int)BS_ARRAY_LEN(KEYWORDS) - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        int cmp = strcmp(lower, KEYWORDS[mid].name);
        if (cmp == 0) return KEYWORDS[mid].code;
        if (cmp < 0)
            hi = mid - 1;
        else
            lo = mid + 1;
    }
    return TK_ID;
}

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static bool is_ident_start(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static bool is_ident_char(unsigned char c)
{
    return is_ident_start(c) || is_digit(c) || c == '$';
}

static int hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

void lexer_init(Lexer *lx, const char *sql, int len)
{
    lx->sql = sql;
    lx->len = len;
    lx->pos = 0;
}

static unsigned char at(const Lexer *lx, int pos)
{
    return pos < lx->len ? (unsigned char)lx->sql[pos] : 0;
}

/* Skips blanks and comments. False (with *tok set) on an unterminated comment. */
static bool skip_blanks(Lexer *lx, Token *tok)
{
    for (;;) {
        int p = lx->pos;
        if (p >= lx->len) return true;
        unsigned char c = at(lx, p);
        if (is_space(c)) {
            lx->pos++;
        } else if (c == '-' && at(lx, p + 1) == '-') {
            while (lx->pos < lx->len && lx->sql[lx->pos] != '\n')
                lx->pos++;
        } else if (c == '/' && at(lx, p + 1) == '*') {
            int depth = 1;
            int q = p + 2;
            while (q < lx->len && depth > 0) {
                if (lx->sql[q] == '*' && at(lx, q + 1) == '/') {
                    depth--;
                    q += 2;
                } else if (lx->sql[q] == '/' && at(lx, q + 1) == '*') {
                    depth++;
                    q += 2;
                } else {
                    q++;
                }
            }
            if (depth > 0) {
                tok->pos = p;
                tok->len = lx->len - p;
                lx->pos = lx->len;
                return false;
            }
            lx->pos = q;
        } else {
            return true;
        }
    }
}

/*
 * After a closing quote at q-1: the position of the next segment's opening quote when
 * only blanks including a newline separate them (SQL's literal continuation), else -1.
 */
static int string_continuation(const Lexer *lx, int q)
{
    bool newline = false;
    while (q < lx->len && is_space((unsigned char)lx->sql[q])) {
        if (lx->sql[q] == '\n' || lx->sql[q] == '\r') newline = true;
        q++;
    }
    return (newline && at(lx, q) == '\'') ? q : -1;
}

/*
 * Checks one backslash escape of an E'' string starting at p (the backslash); sets
 * *next past it. Returns LEX_OK, LEX_BAD_ESCAPE, LEX_NUL_ESCAPE, or
 * LEX_UNTERMINATED_STRING when the input ends inside it.
 */
static LexError check_escape(const Lexer *lx, int p, int *next)
{
    unsigned char c = at(lx, p + 1);
    if (p + 1 >= lx->len) return LEX_UNTERMINATED_STRING;
    if (c == 'x') {
        int n = 0, value = 0;
        while (n < 2 && hex_value(at(lx, p + 2 + n)) >= 0 && p + 2 + n < lx->len) {
            value = value * 16 + hex_value(at(lx, p + 2 + n));
            n++;
        }
        *next = p + 2 + n;
        if (n > 0 && value == 0) return LEX_NUL_ESCAPE;
        return LEX_OK;
    }
    if (c >= '0' && c <= '7') {
        int n = 0, value = 0;
        while (n < 3 && p + 1 + n < lx->len && at(lx, p + 1 + n) >= '0' &&
               at(lx, p + 1 + n) <= '7') {
            value = value * 8 + (at(lx, p + 1 + n) - '0');
            n++;
        }
        *next = p + 1 + n;
        return (value & 0xFF) == 0 ? LEX_NUL_ESCAPE : LEX_OK;
    }
    if (c == 'u' || c == 'U') {
        int digits = c == 'u' ? 4 : 8;
        uint32_t cp = 0;
        for (int k = 0; k < digits; k++) {
            int h = p + 2 + k < lx->len ? hex_value(at(lx, p + 2 + k)) : -1;
            if (h < 0) {
                *next = p + 2 + k;
                return LEX_BAD_ESCAPE;
            }
            cp = cp * 16 + (uint32_t)h;
        }
        *next = p + 2 + digits;
        if (cp == 0) return LEX_NUL_ESCAPE;
        if (cp > 0x10FFFF) return LEX_BAD_ESCAPE;
        if (cp >= 0xDC00 && cp <= 0xDFFF) return LEX_BAD_ESCAPE; /* lone low surrogate */
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            /* A high surrogate must be followed by \uDC00-\uDFFF. */
            int q = *next;
            if (at(lx, q) != '\\' || at(lx, q + 1) != 'u') return LEX_BAD_ESCAPE;
            uint32_t low = 0;
            for (int k = 0; k < 4; k++) {
                int h = q + 2 + k < lx->len ? hex_value(at(lx, q + 2 + k)) : -1;
                if (h < 0) return LEX_BAD_ESCAPE;
                low = low * 16 + (uint32_t)h;
            }
            if (low < 0xDC00 || low > 0xDFFF) return LEX_BAD_ESCAPE;
            *next = q + 6;
        }
        return LEX_OK;
    }
    *next = p + 2;
    return LEX_OK;
}

/*
 * Scans a string literal whose opening quote is at q (escapes: E'' form). On success
 * sets tok->len and lx->pos past the literal. On a bad escape, scans on to the end of
 * the literal and reports the first bad escape.
 */
static int scan_string(Lexer *lx, int start, int q, bool escapes, Token *tok, LexError *lerr)
{
    LexError first = LEX_OK;
    int bad_pos = 0, bad_end = 0;
    for (;;) {
        q++; /* past the opening quote */
        for (;;) {
            if (q >= lx->len) {
                tok->pos = start;
                tok->len = lx->len - start;
                lx->pos = lx->len;
                *lerr = LEX_UNTERMINATED_STRING;
                return LEX_FAIL;
            }
            char c = lx->sql[q];
            if (c == '\'') {
                if (at(lx, q + 1) == '\'' && q + 1 < lx->len) {
                    q += 2;
                    continue;
                }
                q++;
                break;
            }
            if (escapes && c == '\\') {
                int next = q + 2;
                LexError e = check_escape(lx, q, &next);
                if (e == LEX_UNTERMINATED_STRING) {
                    q = lx->len;
                    continue;
                }
                if (e != LEX_OK && first == LEX_OK) {
                    first = e;
                    bad_pos = q;
                    bad_end = next;
                }
                q = next;
                continue;
            }
            q++;
        }
        int cont = string_continuation(lx, q);
        if (cont < 0) break;
        q = cont;
    }
    lx->pos = q;
    if (first != LEX_OK) {
        tok->pos = bad_pos;
        tok->len = bad_end - bad_pos;
        *lerr = first;
        return LEX_FAIL;
    }
    tok->pos = start;
    tok->len = q - start;
    return TK_STRING;
}

static int scan_number(Lexer *lx, int start, Token *tok, LexError *lerr)
{
    int q = start;
    bool is_integer = true;
    while (is_digit(at(lx, q)) && q < lx->len)
        q++;
    if (at(lx, q) == '.' && q < lx->len) {
        is_integer = false;
        q++;
        while (is_digit(at(lx, q)) && q < lx->len)
            q++;
    }
    unsigned char e = at(lx, q);
    if ((e == 'e' || e == 'E') && q < lx->len) {
        int r = q + 1;
        if ((at(lx, r) == '+' || at(lx, r) == '-') && r < lx->len) r++;
        if (is_digit(at(lx, r)) && r < lx->len) {
            is_integer = false;
            q = r;
            while (is_digit(at(lx, q)) && q < lx->len)
                q++;
        }
    }
    if (q < lx->len && is_ident_char(at(lx, q))) {
        while (q < lx->len && is_ident_char(at(lx, q)))
            q++;
        tok->pos = start;
        tok->len = q - start;
        lx->pos = q;
        *lerr = LEX_TRAILING_JUNK;
        return LEX_FAIL;
    }
    tok->pos = start;
    tok->len = q - start;
    lx->pos = q;
    return is_integer ? TK_INTEGER : TK_NUMBER;
}

static int scan_quoted_ident(Lexer *lx, int start, Token *tok, LexError *lerr)
{
    int q = start + 1;
    for (;;) {
        if (q >= lx->len) {
            tok->pos = start;
            tok->len = lx->len - start;
            lx->pos = lx->len;
            *lerr = LEX_UNTERMINATED_IDENT;
            return LEX_FAIL;
        }
        if (lx->sql[q] == '"') {
            if (q + 1 < lx->len && lx->sql[q + 1] == '"') {
                q += 2;
                continue;
            }
            q++;
            break;
        }
        q++;
    }
    tok->pos = start;
    tok->len = q - start;
    lx->pos = q;
    if (tok->len == 2) {
        *lerr = LEX_EMPTY_IDENT;
        return LEX_FAIL;
    }
    return TK_ID;
}

/* Length of the UTF-8 character starting at p (1 for invalid lead bytes). */
static int utf8_len(const Lexer *lx, int p)
{
    unsigned char c = at(lx, p);
    int n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    return BS_MIN(n, lx->len - p);
}

int lexer_next(Lexer *lx, Token *tok, LexError *lerr)
{
    *lerr = LEX_OK;
    if (!skip_blanks(lx, tok)) {
        *lerr = LEX_UNTERMINATED_COMMENT;
        return LEX_FAIL;
    }
    int p = lx->pos;
    tok->pos = p;
    tok->len = 1;
    if (p >= lx->len) {
        tok->len = 0;
        return LEX_EOF;
    }
    unsigned char c = at(lx, p);
    unsigned char c1 = p + 1 < lx->len ? at(lx, p + 1) : 0;

    if ((c == 'e' || c == 'E') && c1 == '\'') return scan_string(lx, p, p + 1, true, tok, lerr);
    if (is_ident_start(c)) {
        int q = p + 1;
        while (q < lx->len && is_ident_char(at(lx, q)))
            q++;
        tok->len = q - p;
        lx->pos = q;
        return keyword_code(lx->sql + p, tok->len);
    }
    if (is_digit(c) || (c == '.' && is_digit(c1))) return scan_number(lx, p, tok, lerr);
    if (c == '\'') return scan_string(lx, p, p, false, tok, lerr);
    if (c == '"') return scan_quoted_ident(lx, p, tok, lerr);

    int code = 0;
    int n = 1;
    switch (c) {
    case ';':
        code = TK_SEMI;
        break;
    case '(':
        code = TK_LP;
        break;
    case ')':
        code = TK_RP;
        break;
    case ',':
        code = TK_COMMA;
        break;
    case '.':
        code = TK_DOT;
        break;
    case '*':
        code = TK_STAR;
        break;
    case '+':
        code = TK_PLUS;
        break;
    case '-':
        code = TK_MINUS;
        break;
    case '/':
        code = TK_SLASH;
        break;
    case '%':
        code = TK_REM;
        break;
    case '=':
        code = TK_EQ;
        break;
    case '|':
        if (c1 == '|') {
            code = TK_CONCAT;
            n = 2;
        }
        break;
    case '!':
        if (c1 == '=') {
            code = TK_NE;
            n = 2;
        } else if (c1 == '~') {
            bool star = p + 2 < lx->len && at(lx, p + 2) == '*';
            code = star ? TK_NOT_IMATCH : TK_NOT_MATCH;
            n = star ? 3 : 2;
        }
        break;
    case '~':
        if (c1 == '*') {
            code = TK_IMATCH;
            n = 2;
        } else {
            code = TK_MATCH;
        }
        break;
    case ':':
        if (c1 == ':') {
            code = TK_DCOLON;
            n = 2;
        } else {
            code = TK_COLON;
        }
        break;
    case '[':
        code = TK_LBRACKET;
        break;
    case ']':
        code = TK_RBRACKET;
        break;
    case '@':
        if (c1 == '>') {
            code = TK_CONTAINS;
            n = 2;
        }
        break;
    case '&':
        if (c1 == '&') {
            code = TK_OVERLAP;
            n = 2;
        }
        break;
    case '<':
        if (c1 == '>') {
            code = TK_NE;
            n = 2;
        } else if (c1 == '=') {
            code = TK_LE;
            n = 2;
        } else if (c1 == '@') {
            code = TK_CONTAINED;
            n = 2;
        } else {
            code = TK_LT;
        }
        break;
    case '>':
        if (c1 == '=') {
            code = TK_GE;
            n = 2;
        } else {
            code = TK_GT;
        }
        break;
    default:
        break;
    }
    if (code == 0) {
        tok->len = utf8_len(lx, p);
        lx->pos = p + tok->len;
        *lerr = LEX_INVALID_CHAR;
        return LEX_FAIL;
    }
    tok->len = n;
    lx->pos = p + n;
    return code;
}

void lexer_near_text(const char *sql, int len, Token tok, char *buf, size_t size)
{
    int start = BS_MAX(0, BS_MIN(tok.pos, len));
    int n = BS_MAX(0, BS_MIN(tok.len, len - start));
    bool cut = false;
    int max = (int)BS_MIN((size_t)PARSER_NEAR_MAX, size - 4);
    if (n > max) {
        n = max;
        /* Do not split a UTF-8 character. */
        while (n > 0 && ((unsigned char)sql[start + n] & 0xC0) == 0x80)
            n--;
        cut = true;
    }
    int out = 0;
    for (int k = 0; k < n && sql[start + k] != '\0'; k++)
        buf[out++] = sql[start + k];
    if (cut) {
        memcpy(buf + out, "...", 3);
        out += 3;
    }
    buf[out] = '\0';
}

Status lexer_error(const char *sql, int len, Token tok, LexError lerr, Error *err)
{
    char near[PARSER_NEAR_MAX + 8];
    lexer_near_text(sql, len, tok, near, sizeof(near));
    switch (lerr) {
    case LEX_UNTERMINATED_STRING:
        return error_set(err, SQLSTATE_SYNTAX_ERROR, tok.pos,
                         "unterminated quoted string at or near \"%s\"", near);
    case LEX_UNTERMINATED_IDENT:
        return error_set(err, SQLSTATE_SYNTAX_ERROR, tok.pos,
                         "unterminated quoted identifier at or near \"%s\"", near);
    case LEX_UNTERMINATED_COMMENT:
        return error_set(err, SQLSTATE_SYNTAX_ERROR, tok.pos,
                         "unterminated /* comment at or near \"%s\"", near);
    case LEX_EMPTY_IDENT:
        return error_set(err, SQLSTATE_SYNTAX_ERROR, tok.pos,
                         "zero-length delimited identifier at or near \"%s\"", near);
    case LEX_TRAILING_JUNK:
        return error_set(err, SQLSTATE_SYNTAX_ERROR, tok.pos,
                         "trailing junk after numeric literal at or near \"%s\"", near);
    case LEX_BAD_ESCAPE:
        return error_set(err, SQLSTATE_SYNTAX_ERROR, tok.pos,
                         "invalid Unicode escape value at or near \"%s\"", near);
    case LEX_NUL_ESCAPE:
        return error_set(err, PARSER_SQLSTATE_BAD_ENCODING, tok.pos,
                         "invalid byte sequence for encoding \"UTF8\": 0x00");
    case LEX_INVALID_CHAR:
    case LEX_OK:
        break;
    }
    return error_set(err, SQLSTATE_SYNTAX_ERROR, tok.pos, "syntax error at or near \"%s\"", near);
}

bool lexer_integer_value(const char *text, int len, int64_t *out)
{
    uint64_t value = 0;
    if (len <= 0) return false;
    for (int k = 0; k < len; k++) {
        if (!is_digit((unsigned char)text[k])) return false;
        unsigned digit = (unsigned)(text[k] - '0');
        if (value > ((uint64_t)INT64_MAX - digit) / 10) return false;
        value = value * 10 + digit;
    }
    *out = (int64_t)value;
    return true;
}

/* Appends code point cp as UTF-8; returns the bytes written. */
static int put_utf8(char *out, uint32_t cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static uint32_t read_hex(const char *s, int n)
{
    uint32_t v = 0;
    for (int k = 0; k < n; k++)
        v = v * 16 + (uint32_t)hex_value((unsigned char)s[k]);
    return v;
}

/* Decodes one validated backslash escape at s; returns source bytes consumed. */
static int decode_escape(const char *s, const char *end, char *out, int *n_out)
{
    char c = s[1];
    switch (c) {
    case 'b':
        out[0] = '\b';
        *n_out = 1;
        return 2;
    case 'f':
        out[0] = '\f';
        *n_out = 1;
        return 2;
    case 'n':
        out[0] = '\n';
        *n_out = 1;
        return 2;
    case 'r':
        out[0] = '\r';
        *n_out = 1;
        return 2;
    case 't':
        out[0] = '\t';
        *n_out = 1;
        return 2;
    default:
        break;
    }
    if (c == 'x') {
        int n = 0;
        unsigned value = 0;
        while (n < 2 && s + 2 + n < end && hex_value((unsigned char)s[2 + n]) >= 0) {
            value = value * 16 + (unsigned)hex_value((unsigned char)s[2 + n]);
            n++;
        }
        if (n == 0) { /* \x without digits is a plain x, as in PostgreSQL */
            out[0] = 'x';
            *n_out = 1;
            return 2;
        }
        out[0] = (char)value;
        *n_out = 1;
        return 2 + n;
    }
    if (c >= '0' && c <= '7') {
        int n = 0;
        unsigned value = 0;
        while (n < 3 && s + 1 + n < end && s[1 + n] >= '0' && s[1 + n] <= '7') {
            value = value * 8 + (unsigned)(s[1 + n] - '0');
            n++;
        }
        out[0] = (char)(value & 0xFF);
        *n_out = 1;
        return 1 + n;
    }
    if (c == 'u' || c == 'U') {
        int digits = c == 'u' ? 4 : 8;
        uint32_t cp = read_hex(s + 2, digits);
        int used = 2 + digits;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t low = read_hex(s + used + 2, 4);
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            used += 6;
        }
        *n_out = put_utf8(out, cp);
        return used;
    }
    out[0] = c;
    *n_out = 1;
    return 2;
}

char *lexer_string_value(Arena *arena, const char *sql, Token tok, size_t *len_out)
{
    /* Decoding never lengthens the text (an escape is at least as long as its bytes). */
    char *out = arena_alloc(arena, (size_t)tok.len + 1);
    if (!out) return NULL;
    const char *p = sql + tok.pos;
    const char *end = p + tok.len;
    bool escapes = false;
    if (*p == 'e' || *p == 'E') {
        escapes = true;
        p++;
    }
    size_t n = 0;
    while (p < end) {
        if (*p != '\'') { /* blanks between continued segments */
            p++;
            continue;
        }
        p++; /* opening quote */
        while (p < end) {
            if (*p == '\'') {
                if (p + 1 < end && p[1] == '\'') {
                    out[n++] = '\'';
                    p += 2;
                    continue;
                }
                p++;
                break;
            }
            if (escapes && *p == '\\' && p + 1 < end) {
                int produced = 0;
                p += decode_escape(p, end, out + n, &produced);
                n += (size_t)produced;
                continue;
            }
            out[n++] = *p++;
        }
    }
    out[n] = '\0';
    if (len_out) *len_out = n;
    return out;
}

char *lexer_ident_value(Arena *arena, const char *sql, Token tok)
{
    const char *p = sql + tok.pos;
    if (tok.len >= 2 && *p == '"') {
        char *out = arena_alloc(arena, (size_t)tok.len);
        if (!out) return NULL;
        size_t n = 0;
        for (int k = 1; k < tok.len - 1; k++) {
            out[n++] = p[k];
            if (p[k] == '"') k++; /* "" is one quote */
        }
        out[n] = '\0';
        return out;
    }
    char *out = arena_strndup(arena, p, (size_t)tok.len);
    if (!out) return NULL;
    for (char *q = out; *q; q++)
        if (*q >= 'A' && *q <= 'Z') *q = (char)(*q - 'A' + 'a');
    return out;
}

bool parser_is_complete(const char *text, size_t len)
{
    if (len > (size_t)INT_MAX - 1) return true; /* let the parser report the size */
    Lexer lx;
    lexer_init(&lx, text, (int)len);
    bool complete = false;
    for (;;) {
        Token tok;
        LexError lerr;
        int code = lexer_next(&lx, &tok, &lerr);
        if (code == LEX_EOF) return complete;
        if (code == LEX_FAIL) {
            if (lerr == LEX_UNTERMINATED_STRING || lerr == LEX_UNTERMINATED_IDENT ||
                lerr == LEX_UNTERMINATED_COMMENT)
                return false;
            complete = false;
            continue;
        }
        complete = code == TK_SEMI;
    }
}

Status parser_split(const char *text, size_t len, Arena *arena, StatementSpan **out, int *n_out,
                    Error *err)
{
    *out = NULL;
    *n_out = 0;
    if (len > (size_t)INT_MAX - 1)
        return error_set(err, SQLSTATE_PROGRAM_LIMIT, -1, "script of %zu bytes is too long", len);
    Lexer lx;
    lexer_init(&lx, text, (int)len);
    StatementSpan *spans = NULL;
    int n = 0, cap = 0;
    int start = -1, end = -1;
    for (;;) {
        Token tok;
        LexError lerr;
        int code = lexer_next(&lx, &tok, &lerr);
        bool boundary = code == LEX_EOF || code == TK_SEMI;
        if (!boundary) {
            if (start < 0) start = tok.pos;
            end = tok.pos + tok.len;
            if (code == LEX_FAIL &&
                (lerr == LEX_UNTERMINATED_STRING || lerr == LEX_UNTERMINATED_IDENT ||
                 lerr == LEX_UNTERMINATED_COMMENT)) {
                /* The rest of the input belongs to this statement; the parser reports it. */
                end = (int)len;
                boundary = true;
                code = LEX_EOF;
            }
        }
        if (boundary && start >= 0) {
            if (n == cap) {
                int new_cap = cap ? cap * 2 : 8;
                StatementSpan *grown = arena_grow(arena, spans, sizeof(StatementSpan) * (size_t)cap,
                                                  sizeof(StatementSpan) * (size_t)new_cap);
                if (!grown) return arena_error(arena, err);
                spans = grown;
                cap = new_cap;
            }
            spans[n].start = start;
            spans[n].end = end;
            n++;
            start = -1;
        }
        if (code == LEX_EOF) break;
    }
    *out = spans;
    *n_out = n;
    return BS_OK;
}
