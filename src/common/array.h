/*
 * array.h — one-dimensional SQL arrays (INTEGER[], VARCHAR[], …): their canonical byte
 * encoding, element access, order, and PostgreSQL's text forms.
 *
 * An array value is a byte string held like a VARCHAR (PHYS_STRING: a StringView in
 * vectors, u.str in a Value), so that vectors, hashing, exchanges, pages and column files
 * move it unchanged. Its element type is not in the bytes: it is the LogicalType's child
 * (with DECIMAL precision/scale in precision/scale). Layout, little-endian, unaligned:
 *
 *   u32 n                        number of elements
 *   u8  nulls[(n + 7) / 8]       bit k set: element k is NULL
 *   fixed-width elements:        n values of type_size(element) bytes (a NULL's all zero)
 *   VARCHAR elements:            u32 ends[n] (end of element k in the bytes that follow),
 *                                then the elements' bytes one after the other
 *
 * The encoding is canonical — one array has one byte string — so GROUP BY, DISTINCT, joins
 * and hashing compare arrays by their bytes. (Two arrays that differ only in elements that
 * compare equal without being equal bytes, -0.0 and 0.0 or '1 mon' and '30 days', are then
 * distinct groups; `=` and ORDER BY use array_compare, which sees them equal.)
 * Everything here is table-driven by the element's physical type: a new scalar type with a
 * fixed-width or string physical type needs no code here.
 */
#ifndef BASALT_COMMON_ARRAY_H
#define BASALT_COMMON_ARRAY_H

#include "common/buffer.h"
#include "common/value.h"

/* A decoded view of an encoded array (pointers into its bytes). */
typedef struct ArrayView {
    uint32_t n;
    uint32_t width;       /* bytes per element; 0 for VARCHAR elements */
    const uint8_t *nulls; /* (n + 7) / 8 bytes */
    const uint8_t *ends;  /* VARCHAR: n u32 end offsets into data */
    const uint8_t *data;  /* the elements (fixed width) or their bytes (VARCHAR) */
} ArrayView;

/* Whether an element type can be held in an array (a scalar of a known physical type). */
bool array_elem_type_ok(LogicalType elem);

/*
 * Decodes the header of an array of `elem` elements; false when the bytes are not a
 * well-formed encoding (which only damaged data can produce).
 */
bool array_view_init(ArrayView *av, LogicalType elem, const char *bytes, size_t len);

static inline bool array_elem_is_null(const ArrayView *av, uint32_t k)
{
    return (av->nulls[k >> 3] >> (k & 7)) & 1;
}

static inline uint32_t array_load_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The bytes of element k: a fixed-width value (width bytes) or a string's bytes. */
static inline const uint8_t *array_elem_bytes(const ArrayView *av, uint32_t k, uint32_t *len)
{
    if (av->width) {
        *len = av->width;
        return av->data + (size_t)k * av->width;
    }
    uint32_t start = k ? array_load_u32(av->ends + 4 * (size_t)(k - 1)) : 0;
    *len = array_load_u32(av->ends + 4 * (size_t)k) - start;
    return av->data + start;
}

/*
 * Element k as a Value of type `elem` (NULL when the element is NULL). Strings view the
 * array's bytes.
 */
void array_get_value(const ArrayView *av, LogicalType elem, uint32_t k, Value *out);

/*
 * Builds encoded arrays element by element in bs_malloc'd buffers (reusable: reset keeps
 * the memory). Adding never fails visibly: a failed allocation makes the builder fail,
 * which array_builder_finish reports (53200).
 */
typedef struct ArrayBuilder {
    LogicalType elem;
    uint32_t width; /* 0: VARCHAR */
    uint32_t n;
    Buffer nulls, ends, data;
} ArrayBuilder;

void array_builder_init(ArrayBuilder *b, LogicalType elem);
void array_builder_reset(ArrayBuilder *b);
void array_builder_free(ArrayBuilder *b);
void array_builder_add_null(ArrayBuilder *b);
/* Appends an element from its bytes: a fixed-width value (width bytes) or a string. */
void array_builder_add_bytes(ArrayBuilder *b, const void *bytes, uint32_t len);
/* Appends the physical value at p (a StringView for VARCHAR elements). */
void array_builder_add_physical(ArrayBuilder *b, const void *p);
/* Appends a non-NULL or NULL Value of the element type. */
void array_builder_add_value(ArrayBuilder *b, const Value *v);
/* Appends element k of av (same element type), NULL or not. */
void array_builder_add_from(ArrayBuilder *b, const ArrayView *av, uint32_t k);
/* The encoded array into arena; *out views it. 53200 on allocation failure, 54000 when too
   large. */
Status array_builder_finish(ArrayBuilder *b, Arena *arena, const char **out, uint32_t *len,
                            Error *err);

/*
 * Order of two arrays of the same type, as PostgreSQL orders them: element by element
 * (NULL elements after every other value and equal to each other), a proper prefix first.
 */
int array_compare(LogicalType type, const char *a, size_t la, const char *b, size_t lb);
/* Order of two non-NULL elements of one type (NaN above every number, -0.0 = 0.0). */
int array_elem_compare(LogicalType elem, const uint8_t *a, const uint8_t *b, uint32_t la,
                       uint32_t lb);

/*
 * PostgreSQL's array input: '{1,2,NULL}', '{"a b","c\"d"}', '{}'. Elements are parsed as
 * the element type (their errors are that type's: 22P02, 22003, …); a malformed literal
 * is 22P02 "malformed array literal", a nested one 0A000. The result is in arena.
 */
Status array_parse(const char *s, size_t len, LogicalType type, Arena *arena, const char **out,
                   uint32_t *out_len, int position, Error *err);

/* PostgreSQL's array output ({1,2,NULL}, {"a b","c\"d"}) appended to buf. */
void array_format(Buffer *buf, LogicalType type, const char *bytes, size_t len);
/* The same into arena; NULL on allocation failure. */
char *array_to_text(LogicalType type, const char *bytes, size_t len, Arena *arena,
                    uint32_t *out_len);

/* Converts an array of one element type to another (each element cast as value_cast). */
Status array_cast(const char *bytes, size_t len, LogicalType from, LogicalType to, Arena *arena,
                  const char **out, uint32_t *out_len, int position, Error *err);

#endif
