/*
 * kernels_array.c — the kernels of the array functions and operators (plan.h's FN_ARRAY_*),
 * comparisons of arrays (PostgreSQL's order: array_compare) and casts to, from and between
 * arrays.
 *
 * Arrays are encoded byte strings (common/array.h) in PHYS_STRING vectors. Every kernel
 * reads an array through an ArrayView and writes new arrays with one ArrayBuilder per call,
 * finished into the result vector's batch arena. Elements are compared by
 * array_elem_compare (equality is compare == 0: NaN equals NaN, -0.0 equals 0.0, as in
 * PostgreSQL's array operators).
 */
#include "exec/kernels.h"

#include "common/array.h"
#include "common/cast.h"

#include <stdlib.h>

typedef struct ArrayKernelData {
    LogicalType arr;  /* the array argument's type (for string_to_array: the result's) */
    LogicalType elem; /* its element type */
    LogicalType ret;
} ArrayKernelData;

#define AK ((const ArrayKernelData *)data)

static Status damaged(Error *err)
{
    return error_set(err, SQLSTATE_DATA_CORRUPTED, -1, "damaged array value");
}

/* The array at logical row `row` of uv (valid rows only). */
static Status view_at(const UnifiedVector *uv, sel_t row, LogicalType elem, ArrayView *av,
                      Error *err)
{
    const StringView *s = &((const StringView *)uv->data)[uv->sel[row]];
    if (!array_view_init(av, elem, sv_data(s), s->len)) return damaged(err);
    return BS_OK;
}

static inline bool uv_valid(const UnifiedVector *uv, sel_t row)
{
    return validity_get(uv->validity, uv->sel[row]);
}

/* A scalar argument's bytes at a row: a fixed-width value or a string's bytes. */
static const uint8_t *scalar_bytes(const UnifiedVector *uv, sel_t row, LogicalType type,
                                   uint32_t *len)
{
    sel_t at = uv->sel[row];
    if (type_physical(type) == PHYS_STRING) {
        const StringView *s = &((const StringView *)uv->data)[at];
        *len = s->len;
        return (const uint8_t *)sv_data(s);
    }
    size_t w = type_size(type);
    *len = (uint32_t)w;
    return (const uint8_t *)uv->data + w * at;
}

static Status finish_into(ArrayBuilder *b, Vector *result, sel_t row, Error *err)
{
    const char *p;
    uint32_t len;
    BS_TRY(array_builder_finish(b, result->arena, &p, &len, err));
    ((StringView *)result->data)[row] = sv_make(p, len);
    return BS_OK;
}

/* Writes element k of av (not NULL) into row of a result of the element type. */
static Status put_elem(const ArrayView *av, uint32_t k, LogicalType elem, Vector *result,
                       sel_t row, Error *err)
{
    uint32_t len;
    const uint8_t *p = array_elem_bytes(av, k, &len);
    if (type_physical(elem) == PHYS_STRING)
        return vector_add_string(result, (const char *)p, len,
                                 &((StringView *)result->data)[row], err);
    memcpy((char *)result->data + (size_t)len * row, p, len);
    return BS_OK;
}

/* Index of the first element of av equal to the bytes (x, xl), or -1; NULLs never match. */
static int64_t find_elem(const ArrayView *av, LogicalType elem, const uint8_t *x, uint32_t xl)
{
    for (uint32_t k = 0; k < av->n; k++) {
        if (array_elem_is_null(av, k)) continue;
        uint32_t l;
        const uint8_t *p = array_elem_bytes(av, k, &l);
        if (array_elem_compare(elem, p, x, l, xl) == 0) return k;
    }
    return -1;
}

/* ---- constructors ---- */

static Status k_array_value(KERNEL_ARGS)
{
    UnifiedVector small[8];
    UnifiedVector *uv = n_args <= 8 ? small : arena_alloc(result->arena, sizeof *uv * (size_t)n_args);
    if (!uv) return arena_error(result->arena, err);
    for (int k = 0; k < n_args; k++)
        unify(args[k], &uv[k]);
    ArrayBuilder b;
    array_builder_init(&b, AK->elem);
    Status st = BS_OK;
    size_t w = type_size(AK->elem);
    for (idx_t i = 0; i < count && st == BS_OK; i++) {
        sel_t row = sel[i];
        array_builder_reset(&b);
        for (int k = 0; k < n_args; k++) {
            sel_t at = uv[k].sel[row];
            if (!validity_get(uv[k].validity, at))
                array_builder_add_null(&b);
            else
                array_builder_add_physical(&b, (const char *)uv[k].data + w * at);
        }
        st = finish_into(&b, result, row, err);
    }
    array_builder_free(&b);
    return st;
}

/* ---- access ---- */

static Status k_extract(KERNEL_ARGS)
{
    UnifiedVector ua, ui;
    unify(args[0], &ua);
    unify(args[1], &ui);
    for (idx_t i = 0; i < count; i++) {
        sel_t row = sel[i];
        ArrayView av;
        BS_TRY(view_at(&ua, row, AK->elem, &av, err));
        int64_t idx = UV_I64(ui, row);
        if (idx < 1 || idx > (int64_t)av.n || array_elem_is_null(&av, (uint32_t)(idx - 1))) {
            BS_TRY(vector_set_null(result, row, err));
            continue;
        }
        BS_TRY(put_elem(&av, (uint32_t)(idx - 1), AK->elem, result, row, err));
    }
    return BS_OK;
}

static Status k_slice(KERNEL_ARGS)
{
    UnifiedVector ua, ulo, uhi;
    unify(args[0], &ua);
    unify(args[1], &ulo);
    unify(args[2], &uhi);
    ArrayBuilder b;
    array_builder_init(&b, AK->elem);
    Status st = BS_OK;
    for (idx_t i = 0; i < count && st == BS_OK; i++) {
        sel_t row = sel[i];
        ArrayView av;
        if ((st = view_at(&ua, row, AK->elem, &av, err)) != BS_OK) break;
        int64_t lo = UV_I64(ulo, row), hi = UV_I64(uhi, row);
        if (lo < 1) lo = 1;
        if (hi > (int64_t)av.n) hi = av.n;
        array_builder_reset(&b);
        for (int64_t k = lo; k <= hi; k++)
            array_builder_add_from(&b, &av, (uint32_t)(k - 1));
        st = finish_into(&b, result, row, err);
    }
    array_builder_free(&b);
    return st;
}

/* cardinality, array_length, array_lower, array_upper. */
static Status k_dims(KERNEL_ARGS)
{
    UnifiedVector ua, ud;
    unify(args[0], &ua);
    if (n_args > 1) unify(args[1], &ud);
    ScalarFuncId f = (ScalarFuncId)AK->ret.length; /* which function (see lookup) */
    for (idx_t i = 0; i < count; i++) {
        sel_t row = sel[i];
        ArrayView av;
        BS_TRY(view_at(&ua, row, AK->elem, &av, err));
        int32_t *r = &((int32_t *)result->data)[row];
        if (f == FN_CARDINALITY || n_args == 1) {
            *r = (int32_t)av.n;
            continue;
        }
        if (UV_I64(ud, row) != 1 || av.n == 0) {
            BS_TRY(vector_set_null(result, row, err));
            continue;
        }
        *r = f == FN_ARRAY_LOWER ? 1 : (int32_t)av.n;
    }
    return BS_OK;
}

/* ---- search ---- */

static Status k_position(KERNEL_ARGS)
{
    UnifiedVector ua, ux;
    unify(args[0], &ua);
    unify(args[1], &ux);
    for (idx_t i = 0; i < count; i++) {
        sel_t row = sel[i];
        if (!uv_valid(&ua, row)) {
            BS_TRY(vector_set_null(result, row, err));
            continue;
        }
        ArrayView av;
        BS_TRY(view_at(&ua, row, AK->elem, &av, err));
        int64_t at = -1;
        if (uv_valid(&ux, row)) {
            uint32_t xl;
            const uint8_t *x = scalar_bytes(&ux, row, AK->elem, &xl);
            at = find_elem(&av, AK->elem, x, xl);
        } else {
            for (uint32_t k = 0; k < av.n && at < 0; k++)
                if (array_elem_is_null(&av, k)) at = k;
        }
        if (at < 0)
            BS_TRY(vector_set_null(result, row, err));
        else
            ((int32_t *)result->data)[row] = (int32_t)(at + 1);
    }
    return BS_OK;
}

static Status k_contains(KERNEL_ARGS)
{
    UnifiedVector ua, ux;
    unify(args[0], &ua);
    unify(args[1], &ux);
    for (idx_t i = 0; i < count; i++) {
        sel_t row = sel[i];
        ArrayView av;
        BS_TRY(view_at(&ua, row, AK->elem, &av, err));
        uint32_t xl;
        const uint8_t *x = scalar_bytes(&ux, row, AK->elem, &xl);
        ((uint8_t *)result->data)[row] = find_elem(&av, AK->elem, x, xl) >= 0;
    }
    return BS_OK;
}

/* a @> b (every element of b, none NULL, is in a) and a && b (some element of b is). */
static Status k_has(KERNEL_ARGS)
{
    bool all = AK->ret.length == FN_ARRAY_HAS_ALL;
    UnifiedVector ua, ub;
    unify(args[0], &ua);
    unify(args[1], &ub);
    for (idx_t i = 0; i < count; i++) {
        sel_t row = sel[i];
        ArrayView a, b;
        BS_TRY(view_at(&ua, row, AK->elem, &a, err));
        BS_TRY(view_at(&ub, row, AK->elem, &b, err));
        bool res = all;
        for (uint32_t k = 0; k < b.n; k++) {
            bool found = false;
            if (!array_elem_is_null(&b, k)) {
                uint32_t l;
                const uint8_t *p = array_elem_bytes(&b, k, &l);
                found = find_elem(&a, AK->elem, p, l) >= 0;
            }
            if (all && !found) {
                res = false;
                break;
            }
            if (!all && found) {
                res = true;
                break;
            }
        }
        ((uint8_t *)result->data)[row] = res;
    }
    return BS_OK;
}

/* ---- building from arrays ---- */

/* array_append (a, x), array_prepend (x, a), array_cat (a, b); NULL arrays are empty. */
static Status k_concat(KERNEL_ARGS)
{
    ScalarFuncId f = (ScalarFuncId)AK->ret.length;
    UnifiedVector u0, u1;
    unify(args[0], &u0);
    unify(args[1], &u1);
    ArrayBuilder b;
    array_builder_init(&b, AK->elem);
    Status st = BS_OK;
    size_t w = type_size(AK->elem);
    for (idx_t i = 0; i < count && st == BS_OK; i++) {
        sel_t row = sel[i];
        bool v0 = uv_valid(&u0, row), v1 = uv_valid(&u1, row);
        if (f == FN_ARRAY_CAT && !v0 && !v1) {
            st = vector_set_null(result, row, err);
            continue;
        }
        array_builder_reset(&b);
        for (int side = 0; side < 2 && st == BS_OK; side++) {
            const UnifiedVector *u = side ? &u1 : &u0;
            bool valid = side ? v1 : v0;
            bool is_elem = (f == FN_ARRAY_APPEND && side == 1) || (f == FN_ARRAY_PREPEND && side == 0);
            if (is_elem) {
                if (!valid)
                    array_builder_add_null(&b);
                else
                    array_builder_add_physical(&b, (const char *)u->data + w * u->sel[row]);
                continue;
            }
            if (!valid) continue;
            ArrayView av;
            if ((st = view_at(u, row, AK->elem, &av, err)) != BS_OK) break;
            for (uint32_t k = 0; k < av.n; k++)
                array_builder_add_from(&b, &av, k);
        }
        if (st == BS_OK) st = finish_into(&b, result, row, err);
    }
    array_builder_free(&b);
    return st;
}

static Status k_remove(KERNEL_ARGS)
{
    UnifiedVector ua, ux;
    unify(args[0], &ua);
    unify(args[1], &ux);
    ArrayBuilder b;
    array_builder_init(&b, AK->elem);
    Status st = BS_OK;
    for (idx_t i = 0; i < count && st == BS_OK; i++) {
        sel_t row = sel[i];
        if (!uv_valid(&ua, row)) {
            st = vector_set_null(result, row, err);
            continue;
        }
        ArrayView av;
        if ((st = view_at(&ua, row, AK->elem, &av, err)) != BS_OK) break;
        bool x_null = !uv_valid(&ux, row);
        uint32_t xl = 0;
        const uint8_t *x = x_null ? NULL : scalar_bytes(&ux, row, AK->elem, &xl);
        array_builder_reset(&b);
        for (uint32_t k = 0; k < av.n; k++) {
            bool en = array_elem_is_null(&av, k);
            bool drop = en && x_null;
            if (!en && !x_null) {
                uint32_t l;
                const uint8_t *p = array_elem_bytes(&av, k, &l);
                drop = array_elem_compare(AK->elem, p, x, l, xl) == 0;
            }
            if (!drop) array_builder_add_from(&b, &av, k);
        }
        st = finish_into(&b, result, row, err);
    }
    array_builder_free(&b);
    return st;
}

/* Sorting element indices: by value (NULLs last), then by index (stable). */
typedef struct SortCtx {
    const ArrayView *av;
    LogicalType elem;
} SortCtx;

static int compare_idx(const void *x, const void *y, void *arg)
{
    const SortCtx *c = arg;
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    bool na = array_elem_is_null(c->av, a), nb = array_elem_is_null(c->av, b);
    int r = 0;
    if (na || nb) {
        r = (int)na - (int)nb;
    } else {
        uint32_t la, lb;
        const uint8_t *pa = array_elem_bytes(c->av, a, &la), *pb = array_elem_bytes(c->av, b, &lb);
        r = array_elem_compare(c->elem, pa, pb, la, lb);
    }
    return r ? r : (a > b) - (a < b);
}

static int compare_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return (a > b) - (a < b);
}

/* array_sort and array_distinct (first occurrences, in their order). */
static Status k_sort(KERNEL_ARGS)
{
    bool distinct = AK->ret.length == FN_ARRAY_DISTINCT;
    UnifiedVector ua;
    unify(args[0], &ua);
    ArrayBuilder b;
    array_builder_init(&b, AK->elem);
    Status st = BS_OK;
    uint32_t *idx = NULL;
    uint32_t cap = 0;
    for (idx_t i = 0; i < count && st == BS_OK; i++) {
        sel_t row = sel[i];
        ArrayView av;
        if ((st = view_at(&ua, row, AK->elem, &av, err)) != BS_OK) break;
        if (av.n > cap) {
            uint32_t *p = bs_realloc(idx, sizeof *idx * av.n);
            if (!p) {
                st = error_oom(err);
                break;
            }
            idx = p;
            cap = av.n;
        }
        for (uint32_t k = 0; k < av.n; k++)
            idx[k] = k;
        SortCtx c = {&av, AK->elem};
        if (av.n > 1) qsort_r(idx, av.n, sizeof *idx, compare_idx, &c);
        uint32_t m = av.n;
        if (distinct && av.n > 1) {
            m = 1;
            for (uint32_t k = 1; k < av.n; k++) {
                /* equal neighbours compare 0 but for the index tie-break */
                uint32_t a = idx[m - 1], e = idx[k];
                bool na = array_elem_is_null(&av, a), ne = array_elem_is_null(&av, e);
                bool same = na && ne;
                if (!na && !ne) {
                    uint32_t la, le;
                    const uint8_t *pa = array_elem_bytes(&av, a, &la);
                    const uint8_t *pe = array_elem_bytes(&av, e, &le);
                    same = array_elem_compare(AK->elem, pa, pe, la, le) == 0;
                }
                if (!same) idx[m++] = e;
            }
            qsort(idx, m, sizeof *idx, compare_u32);
        }
        array_builder_reset(&b);
        for (uint32_t k = 0; k < m; k++)
            array_builder_add_from(&b, &av, idx[k]);
        st = finish_into(&b, result, row, err);
    }
    bs_free(idx);
    array_builder_free(&b);
    return st;
}

static Status k_extreme(KERNEL_ARGS)
{
    int sign = AK->ret.length == FN_ARRAY_MAX ? 1 : -1;
    UnifiedVector ua;
    unify(args[0], &ua);
    for (idx_t i = 0; i < count; i++) {
        sel_t row = sel[i];
        ArrayView av;
        BS_TRY(view_at(&ua, row, AK->elem, &av, err));
        int64_t best = -1;
        for (uint32_t k = 0; k < av.n; k++) {
            if (array_elem_is_null(&av, k)) continue;
            if (best < 0) {
                best = k;
                continue;
            }
            uint32_t la, lb;
            const uint8_t *pa = array_elem_bytes(&av, k, &la);
            const uint8_t *pb = array_elem_bytes(&av, (uint32_t)best, &lb);
            if (array_elem_compare(AK->elem, pa, pb, la, lb) * sign > 0) best = k;
        }
        if (best < 0)
            BS_TRY(vector_set_null(result, row, err));
        else
            BS_TRY(put_elem(&av, (uint32_t)best, AK->elem, result, row, err));
    }
    return BS_OK;
}

/* ---- text ---- */

static Status k_to_string(KERNEL_ARGS)
{
    UnifiedVector ua, us, un;
    unify(args[0], &ua);
    unify(args[1], &us);
    if (n_args > 2) unify(args[2], &un);
    Buffer buf;
    buffer_init(&buf);
    Status st = BS_OK;
    for (idx_t i = 0; i < count && st == BS_OK; i++) {
        sel_t row = sel[i];
        if (!uv_valid(&ua, row) || !uv_valid(&us, row)) {
            st = vector_set_null(result, row, err);
            continue;
        }
        ArrayView av;
        if ((st = view_at(&ua, row, AK->elem, &av, err)) != BS_OK) break;
        const StringView *sep = UV_STR(us, row);
        const StringView *nul = n_args > 2 && uv_valid(&un, row) ? UV_STR(un, row) : NULL;
        buffer_clear(&buf);
        bool first = true;
        for (uint32_t k = 0; k < av.n; k++) {
            Value v;
            array_get_value(&av, AK->elem, k, &v);
            if (v.is_null && !nul) continue;
            if (!first) buffer_put_bytes(&buf, sv_data(sep), sep->len);
            first = false;
            if (v.is_null) {
                buffer_put_bytes(&buf, sv_data(nul), nul->len);
            } else if (type_physical(AK->elem) == PHYS_STRING) {
                buffer_put_bytes(&buf, v.u.str.data, v.u.str.len);
            } else {
                char tmp[VALUE_TEXT_MAX];
                int n = format_value(&v, tmp);
                buffer_put_bytes(&buf, tmp, (size_t)n);
            }
        }
        if (!buffer_ok(&buf)) {
            st = error_oom(err);
            break;
        }
        st = vector_add_string(result, buf.len ? (const char *)buf.data : "", buf.len,
                               &((StringView *)result->data)[row], err);
    }
    buffer_free(&buf);
    return st;
}

static void add_piece(ArrayBuilder *b, const char *p, size_t len, const StringView *nul)
{
    if (nul && nul->len == len && memcmp(sv_data(nul), p, len) == 0)
        array_builder_add_null(b);
    else
        array_builder_add_bytes(b, p, (uint32_t)len);
}

static Status k_string_to_array(KERNEL_ARGS)
{
    UnifiedVector us, up, un;
    unify(args[0], &us);
    unify(args[1], &up);
    if (n_args > 2) unify(args[2], &un);
    ArrayBuilder b;
    array_builder_init(&b, type_make(TYPE_VARCHAR));
    Status st = BS_OK;
    for (idx_t i = 0; i < count && st == BS_OK; i++) {
        sel_t row = sel[i];
        if (!uv_valid(&us, row)) {
            st = vector_set_null(result, row, err);
            continue;
        }
        const StringView *s = UV_STR(us, row);
        const char *p = sv_data(s);
        size_t len = s->len;
        const StringView *nul = n_args > 2 && uv_valid(&un, row) ? UV_STR(un, row) : NULL;
        array_builder_reset(&b);
        if (len > 0) {
            if (!uv_valid(&up, row)) { /* a NULL separator: one element per character */
                size_t k = 0;
                while (k < len) {
                    size_t start = k;
                    next_char(p, len, &k);
                    add_piece(&b, p + start, k - start, nul);
                }
            } else {
                const StringView *sep = UV_STR(up, row);
                const char *d = sv_data(sep);
                size_t dl = sep->len;
                if (dl == 0) {
                    add_piece(&b, p, len, nul);
                } else {
                    size_t start = 0;
                    for (size_t k = 0; k + dl <= len;) {
                        if (memcmp(p + k, d, dl) == 0) {
                            add_piece(&b, p + start, k - start, nul);
                            k += dl;
                            start = k;
                        } else {
                            k++;
                        }
                    }
                    add_piece(&b, p + start, len - start, nul);
                }
            }
        }
        st = finish_into(&b, result, row, err);
    }
    array_builder_free(&b);
    return st;
}

/* ---- comparisons ---- */

static bool op_holds(int op, int c)
{
    switch (op) {
    case 0:
        return c == 0;
    case 1:
        return c != 0;
    case 2:
        return c < 0;
    case 3:
        return c <= 0;
    case 4:
        return c > 0;
    default:
        return c >= 0;
    }
}

/* x op ANY|ALL (a), three-valued. */
static Status k_any_all(KERNEL_ARGS)
{
    bool all = AK->ret.length == FN_ARRAY_ALL;
    UnifiedVector uo, ux, ua;
    unify(args[0], &uo);
    unify(args[1], &ux);
    unify(args[2], &ua);
    for (idx_t i = 0; i < count; i++) {
        sel_t row = sel[i];
        if (!uv_valid(&ua, row) || !uv_valid(&uo, row)) {
            BS_TRY(vector_set_null(result, row, err));
            continue;
        }
        ArrayView av;
        BS_TRY(view_at(&ua, row, AK->elem, &av, err));
        int op = ((const int32_t *)uo.data)[uo.sel[row]];
        bool unknown = false, decided = false;
        if (av.n > 0 && !uv_valid(&ux, row)) unknown = true;
        uint32_t xl = 0;
        const uint8_t *x = uv_valid(&ux, row) ? scalar_bytes(&ux, row, AK->elem, &xl) : NULL;
        for (uint32_t k = 0; x && k < av.n && !decided; k++) {
            if (array_elem_is_null(&av, k)) {
                unknown = true;
                continue;
            }
            uint32_t l;
            const uint8_t *p = array_elem_bytes(&av, k, &l);
            bool holds = op_holds(op, array_elem_compare(AK->elem, x, p, xl, l));
            if (holds != all) decided = true;
        }
        if (decided) {
            ((uint8_t *)result->data)[row] = !all;
        } else if (unknown) {
            BS_TRY(vector_set_null(result, row, err));
        } else {
            ((uint8_t *)result->data)[row] = all;
        }
    }
    return BS_OK;
}

static Status k_compare(KERNEL_ARGS)
{
    ScalarFuncId f = (ScalarFuncId)AK->ret.length;
    UnifiedVector ua, ub;
    unify(args[0], &ua);
    unify(args[1], &ub);
    for (idx_t i = 0; i < count; i++) {
        sel_t row = sel[i];
        const StringView *a = UV_STR(ua, row), *b = UV_STR(ub, row);
        int c = array_compare(AK->arr, sv_data(a), a->len, sv_data(b), b->len);
        bool r;
        switch (f) {
        case FN_EQ:
            r = c == 0;
            break;
        case FN_NE:
            r = c != 0;
            break;
        case FN_LT:
            r = c < 0;
            break;
        case FN_LE:
            r = c <= 0;
            break;
        case FN_GT:
            r = c > 0;
            break;
        default:
            r = c >= 0;
            break;
        }
        ((uint8_t *)result->data)[row] = r;
    }
    return BS_OK;
}

/* ---- casts ---- */

static Status k_cast(KERNEL_ARGS)
{
    const ArrayKernelData *d = data;
    UnifiedVector ua;
    unify(args[0], &ua);
    for (idx_t i = 0; i < count; i++) {
        sel_t row = sel[i];
        const StringView *s = UV_STR(ua, row);
        const char *p;
        uint32_t len;
        if (d->ret.id == TYPE_VARCHAR) {
            p = array_to_text(d->arr, sv_data(s), s->len, result->arena, &len);
            if (!p) return arena_error(result->arena, err);
        } else if (d->arr.id == TYPE_VARCHAR) {
            BS_TRY(array_parse(sv_data(s), s->len, d->ret, result->arena, &p, &len, -1, err));
        } else {
            BS_TRY(array_cast(sv_data(s), s->len, d->arr, d->ret, result->arena, &p, &len, -1,
                              err));
        }
        ((StringView *)result->data)[row] = sv_make(p, len);
    }
    return BS_OK;
}

/* ---- lookup ---- */

static Status make_data(Arena *arena, LogicalType arr, LogicalType ret, ScalarFuncId f,
                        KernelInfo *out, Error *err)
{
    ArrayKernelData *d = arena_alloc_zero(arena, sizeof *d);
    if (!d) return arena_error(arena, err);
    d->arr = arr;
    d->elem = type_array_elem(arr);
    d->ret = ret;
    d->ret.length = (uint32_t)f; /* the function, for kernels that serve several */
    out->data = d;
    return BS_OK;
}

Status array_cast_kernel_lookup(LogicalType from, LogicalType to, Arena *arena, KernelInfo *out,
                                Error *err)
{
    out->fn = NULL;
    out->strict = true;
    bool ok = (from.id == TYPE_ARRAY && (to.id == TYPE_VARCHAR || to.id == TYPE_ARRAY)) ||
              (from.id == TYPE_VARCHAR && to.id == TYPE_ARRAY);
    if (!ok || (from.id == TYPE_ARRAY && to.id == TYPE_ARRAY && !cast_is_possible(from, to)))
        return BS_OK;
    BS_TRY(make_data(arena, from, to, FN_COUNT_, out, err));
    ((ArrayKernelData *)out->data)->ret = to;
    out->fn = k_cast;
    return BS_OK;
}

Status array_kernel_lookup(ScalarFuncId func, const LogicalType *t, int n_args, LogicalType ret,
                           Arena *arena, KernelInfo *out, Error *err)
{
    out->fn = NULL;
    out->strict = scalar_func_is_strict(func);
    LogicalType arr = n_args > 0 ? t[0] : type_make(TYPE_INVALID);
    KernelFn fn = NULL;
    bool ok = false;
    switch (func) {
    case FN_EQ:
    case FN_NE:
    case FN_LT:
    case FN_LE:
    case FN_GT:
    case FN_GE:
        ok = n_args == 2 && arr.id == TYPE_ARRAY && type_equals(t[0], t[1]) &&
             ret.id == TYPE_BOOLEAN;
        fn = k_compare;
        break;
    case FN_ARRAY_VALUE:
        ok = ret.id == TYPE_ARRAY && n_args >= 1;
        for (int k = 0; k < n_args && ok; k++)
            ok = type_equals(t[k], type_array_elem(ret));
        arr = ret;
        fn = k_array_value;
        break;
    case FN_ARRAY_EXTRACT:
    case FN_ARRAY_SLICE:
        ok = arr.id == TYPE_ARRAY && n_args == (func == FN_ARRAY_SLICE ? 3 : 2) &&
             t[1].id == TYPE_BIGINT && (n_args < 3 || t[2].id == TYPE_BIGINT) &&
             type_equals(ret, func == FN_ARRAY_SLICE ? arr : type_array_elem(arr));
        fn = func == FN_ARRAY_SLICE ? k_slice : k_extract;
        break;
    case FN_CARDINALITY:
    case FN_ARRAY_LENGTH:
    case FN_ARRAY_LOWER:
    case FN_ARRAY_UPPER:
        ok = arr.id == TYPE_ARRAY && ret.id == TYPE_INTEGER &&
             (n_args == 1 || (n_args == 2 && t[1].id == TYPE_BIGINT)) &&
             (func != FN_CARDINALITY || n_args == 1) &&
             (func == FN_CARDINALITY || func == FN_ARRAY_LENGTH || n_args == 2);
        fn = k_dims;
        break;
    case FN_ARRAY_POSITION:
    case FN_ARRAY_CONTAINS:
    case FN_ARRAY_REMOVE:
        ok = n_args == 2 && arr.id == TYPE_ARRAY && type_equals(t[1], type_array_elem(arr)) &&
             ret.id == (func == FN_ARRAY_POSITION   ? TYPE_INTEGER
                        : func == FN_ARRAY_CONTAINS ? TYPE_BOOLEAN
                                                    : TYPE_ARRAY);
        fn = func == FN_ARRAY_POSITION ? k_position : func == FN_ARRAY_CONTAINS ? k_contains : k_remove;
        break;
    case FN_ARRAY_HAS_ALL:
    case FN_ARRAY_OVERLAP:
        ok = n_args == 2 && arr.id == TYPE_ARRAY && type_equals(t[0], t[1]) &&
             ret.id == TYPE_BOOLEAN;
        fn = k_has;
        break;
    case FN_ARRAY_APPEND:
    case FN_ARRAY_CAT:
        ok = n_args == 2 && arr.id == TYPE_ARRAY && type_equals(ret, arr) &&
             type_equals(t[1], func == FN_ARRAY_CAT ? arr : type_array_elem(arr));
        fn = k_concat;
        break;
    case FN_ARRAY_PREPEND:
        arr = n_args == 2 ? t[1] : arr;
        ok = n_args == 2 && arr.id == TYPE_ARRAY && type_equals(ret, arr) &&
             type_equals(t[0], type_array_elem(arr));
        fn = k_concat;
        break;
    case FN_ARRAY_TO_STRING:
        ok = arr.id == TYPE_ARRAY && ret.id == TYPE_VARCHAR && n_args >= 2 &&
             t[1].id == TYPE_VARCHAR && (n_args == 2 || t[2].id == TYPE_VARCHAR);
        fn = k_to_string;
        break;
    case FN_STRING_TO_ARRAY:
        ok = ret.id == TYPE_ARRAY && ret.child == TYPE_VARCHAR && n_args >= 2;
        for (int k = 0; k < n_args && ok; k++)
            ok = t[k].id == TYPE_VARCHAR;
        arr = ret;
        fn = k_string_to_array;
        break;
    case FN_ARRAY_DISTINCT:
    case FN_ARRAY_SORT:
        ok = n_args == 1 && arr.id == TYPE_ARRAY && type_equals(ret, arr);
        fn = k_sort;
        break;
    case FN_ARRAY_MAX:
    case FN_ARRAY_MIN:
        ok = n_args == 1 && arr.id == TYPE_ARRAY && type_equals(ret, type_array_elem(arr));
        fn = k_extreme;
        break;
    case FN_ARRAY_ANY:
    case FN_ARRAY_ALL:
        arr = n_args == 3 ? t[2] : arr;
        ok = n_args == 3 && t[0].id == TYPE_INTEGER && arr.id == TYPE_ARRAY &&
             type_equals(t[1], type_array_elem(arr)) && ret.id == TYPE_BOOLEAN;
        fn = k_any_all;
        break;
    default:
        break;
    }
    if (!ok) return BS_OK;
    BS_TRY(make_data(arena, arr, ret, func, out, err));
    out->fn = fn;
    return BS_OK;
}
