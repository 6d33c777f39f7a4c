/* libFuzzer target: the tokenizer and parser on arbitrary bytes (and the splitter). */
#include "parser/parser.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Arena *arena = arena_create(NULL, NULL, 0);
    if (!arena) return 0;
    Error err = ERROR_INIT;
    ParsedStatement *stmts;
    int n;
    if (parser_parse((const char *)data, size, arena, &stmts, &n, &err) == BS_OK) {
        Buffer b;
        buffer_init(&b);
        for (int k = 0; k < n; k++)
            ast_format_statement(stmts[k].stmt, &b);
        buffer_free(&b);
    }
    error_clear(&err);
    StatementSpan *spans;
    if (parser_split((const char *)data, size, arena, &spans, &n, &err) != BS_OK) error_clear(&err);
    parser_is_complete((const char *)data, size);
    arena_destroy(arena);
    return 0;
}
