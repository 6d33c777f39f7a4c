/*
 * Unit tests: the task and exchange messages' codecs (net/task_proto.c) — round trips of
 * every message, every truncation, trailing bytes, counts larger than the payload.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "net/task_proto.h"

#include <string.h>

static void assert_malformed(Error *err, const char *what)
{
    assert_string_equal(err->sqlstate, SQLSTATE_PROTOCOL_VIOLATION);
    assert_non_null(strstr(err->message, what));
    error_clear(err);
}

static void test_task_create(void **state)
{
    (void)state;
    Arena *arena = arena_create(NULL, NULL, 0);
    TpProducer producers[] = {{"10.0.0.1:7071", "w1", 11}, {"[::1]:7072", "w2", UINT64_MAX}};
    TpInput inputs[] = {{.fragment = 3,
                         .partition = 1,
                         .max_bytes = UINT64_C(100) << 20,
                         .n_producers = 2,
                         .producers = producers},
                        {.fragment = 4, .partition = 0, .n_producers = 0, .producers = NULL}};
    const uint8_t frag[] = {1, 2, 3, 0, 255};
    TpTaskCreate m = {.query_id = 5,
                      .task_id = 77,
                      .fragment_id = 2,
                      .task_index = 1,
                      .output_partitions = 3,
                      .memory_limit = UINT64_C(1) << 33,
                      .buffer_bytes = 16 << 20,
                      .zstd_level = 1,
                      .fragment = frag,
                      .fragment_len = sizeof frag,
                      .n_inputs = 2,
                      .inputs = inputs,
                      .n_writes = 1,
                      .writes = &(TpWrite){"t", "/d/tables/3/data", "tables/3/data", "ab12"}};
    Buffer b;
    buffer_init(&b);
    tp_put_task_create(&b, &m);
    TpTaskCreate got;
    Error err = ERROR_INIT;
    assert_int_equal(tp_get_task_create(b.data, b.len, arena, &got, &err), BS_OK);
    assert_true(got.query_id == 5 && got.task_id == 77);
    assert_int_equal(got.fragment_id, 2);
    assert_int_equal(got.task_index, 1);
    assert_int_equal(got.output_partitions, 3);
    assert_true(got.memory_limit == UINT64_C(1) << 33);
    assert_int_equal(got.zstd_level, 1);
    assert_int_equal(got.fragment_len, sizeof frag);
    assert_memory_equal(got.fragment, frag, sizeof frag);
    assert_int_equal(got.n_inputs, 2);
    assert_int_equal(got.inputs[0].fragment, 3);
    assert_int_equal(got.inputs[0].partition, 1);
    assert_int_equal(got.inputs[0].n_producers, 2);
    assert_true(got.inputs[0].max_bytes == UINT64_C(100) << 20);
    assert_true(got.inputs[1].max_bytes == 0);
    assert_string_equal(got.inputs[0].producers[1].address, "[::1]:7072");
    assert_string_equal(got.inputs[0].producers[1].node_id, "w2");
    assert_true(got.inputs[0].producers[1].task_id == UINT64_MAX);
    assert_int_equal(got.inputs[1].n_producers, 0);
    assert_int_equal(got.n_writes, 1);
    assert_string_equal(got.writes[0].table, "t");
    assert_string_equal(got.writes[0].abs_dir, "/d/tables/3/data");
    assert_string_equal(got.writes[0].rel_dir, "tables/3/data");
    assert_string_equal(got.writes[0].prefix, "ab12");
    for (size_t len = 0; len < b.len; len++) {
        assert_int_equal(tp_get_task_create(b.data, len, arena, &got, &err), BS_ERROR);
        assert_malformed(&err, "TASK_CREATE");
    }
    buffer_put_u8(&b, 0);
    assert_int_equal(tp_get_task_create(b.data, b.len, arena, &got, &err), BS_ERROR);
    assert_malformed(&err, "TASK_CREATE");
    /* A count of inputs no payload of this size could hold. */
    buffer_clear(&b);
    m.n_inputs = 0;
    m.n_writes = 0;
    tp_put_task_create(&b, &m);
    b.data[b.len - 2] = 0x7f; /* the input count (the write count follows) */
    assert_int_equal(tp_get_task_create(b.data, b.len, arena, &got, &err), BS_ERROR);
    assert_malformed(&err, "TASK_CREATE");
    b.data[b.len - 2] = 0;
    b.data[b.len - 1] = 0x7f; /* the write count */
    assert_int_equal(tp_get_task_create(b.data, b.len, arena, &got, &err), BS_ERROR);
    assert_malformed(&err, "TASK_CREATE");
    /* No output partitions is not a task. */
    buffer_clear(&b);
    m.output_partitions = 0;
    tp_put_task_create(&b, &m);
    assert_int_equal(tp_get_task_create(b.data, b.len, arena, &got, &err), BS_ERROR);
    assert_malformed(&err, "TASK_CREATE");
    buffer_free(&b);
    arena_destroy(arena);
}

static void test_splits_and_status(void **state)
{
    (void)state;
    Arena *arena = arena_create(NULL, NULL, 0);
    TpSplit splits[] = {{"/data/t/1.bslt", 0, 1}, {"/data/t/2.bslt", 7, UINT32_MAX}};
    TpSplits m = {.task_id = 9, .node_id = 4, .no_more = true, .n = 2, .splits = splits};
    Buffer b;
    buffer_init(&b);
    tp_put_splits(&b, &m);
    TpSplits got;
    Error err = ERROR_INIT;
    assert_int_equal(tp_get_splits(b.data, b.len, arena, &got, &err), BS_OK);
    assert_true(got.task_id == 9 && got.node_id == 4 && got.no_more && got.n == 2);
    assert_string_equal(got.splits[1].path, "/data/t/2.bslt");
    assert_int_equal(got.splits[1].first_row_group, 7);
    assert_true(got.splits[1].n_row_groups == UINT32_MAX);
    for (size_t len = 0; len < b.len; len++) {
        assert_int_equal(tp_get_splits(b.data, len, arena, &got, &err), BS_ERROR);
        assert_malformed(&err, "SPLITS");
    }
    /* TASK_STATUS: finished, then failed with its error. */
    buffer_clear(&b);
    TpTaskStatus st = {.task_id = 3,
                       .state = TASK_FINISHED,
                       .rows_out = 10,
                       .bytes_out = 99,
                       .wall_us = 5,
                       .cpu_us = 4,
                       .error = ERROR_INIT};
    tp_put_task_status(&b, &st);
    TpTaskStatus gs;
    assert_int_equal(tp_get_task_status(b.data, b.len, &gs, &err), BS_OK);
    assert_true(gs.state == TASK_FINISHED && gs.rows_out == 10 && gs.bytes_out == 99);
    assert_false(error_is_set(&gs.error));
    buffer_clear(&b);
    st.state = TASK_FAILED;
    error_set(&st.error, SQLSTATE_DIVISION_BY_ZERO, 12, "division by zero");
    tp_put_task_status(&b, &st);
    error_clear(&st.error);
    assert_int_equal(tp_get_task_status(b.data, b.len, &gs, &err), BS_OK);
    assert_string_equal(gs.error.sqlstate, SQLSTATE_DIVISION_BY_ZERO);
    assert_string_equal(gs.error.message, "division by zero");
    assert_int_equal(gs.error.position, 12);
    error_clear(&gs.error);
    for (size_t len = 0; len < b.len; len++) {
        assert_int_equal(tp_get_task_status(b.data, len, &gs, &err), BS_ERROR);
        assert_malformed(&err, "TASK_STATUS");
        error_clear(&gs.error);
    }
    b.data[8] = 9; /* no such state */
    assert_int_equal(tp_get_task_status(b.data, b.len, &gs, &err), BS_ERROR);
    assert_malformed(&err, "TASK_STATUS");
    /* FILES: two files, then every truncation. */
    buffer_clear(&b);
    TpFile files[] = {{"t", "tables/3/data/ab-0.bsc", 131072}, {"u", "tables/4/data/cd-1.bsc", 0}};
    tp_put_files(&b, &(TpFiles){.task_id = 12, .n = 2, .files = files});
    TpFiles gf;
    assert_int_equal(tp_get_files(b.data, b.len, arena, &gf, &err), BS_OK);
    assert_true(gf.task_id == 12 && gf.n == 2);
    assert_string_equal(gf.files[0].table, "t");
    assert_string_equal(gf.files[0].path, "tables/3/data/ab-0.bsc");
    assert_true(gf.files[0].rows == 131072);
    assert_string_equal(gf.files[1].path, "tables/4/data/cd-1.bsc");
    for (size_t len = 0; len < b.len; len++) {
        assert_int_equal(tp_get_files(b.data, len, arena, &gf, &err), BS_ERROR);
        assert_malformed(&err, "FILES");
    }
    buffer_put_u8(&b, 0);
    assert_int_equal(tp_get_files(b.data, b.len, arena, &gf, &err), BS_ERROR);
    assert_malformed(&err, "FILES");
    /* MEMORY: per query, then every truncation and a count the bytes cannot hold. */
    buffer_clear(&b);
    TpQueryMemory mem[] = {{7, UINT64_C(1) << 40}, {8, 0}};
    tp_put_memory(&b, mem, 2);
    TpQueryMemory *gm;
    uint32_t gn;
    assert_int_equal(tp_get_memory(b.data, b.len, arena, &gm, &gn, &err), BS_OK);
    assert_int_equal(gn, 2);
    assert_true(gm[0].query_id == 7 && gm[0].bytes == UINT64_C(1) << 40);
    assert_true(gm[1].query_id == 8 && gm[1].bytes == 0);
    for (size_t len = 0; len < b.len; len++) {
        assert_int_equal(tp_get_memory(b.data, len, arena, &gm, &gn, &err), BS_ERROR);
        assert_malformed(&err, "MEMORY");
    }
    b.data[0] = 3;
    assert_int_equal(tp_get_memory(b.data, b.len, arena, &gm, &gn, &err), BS_ERROR);
    assert_malformed(&err, "MEMORY");
    /* BROADCAST_OVER */
    buffer_clear(&b);
    tp_put_broadcast_over(&b, 99, 4);
    uint64_t over_task;
    uint32_t over_fragment;
    assert_int_equal(tp_get_broadcast_over(b.data, b.len, &over_task, &over_fragment, &err), BS_OK);
    assert_true(over_task == 99 && over_fragment == 4);
    assert_int_equal(tp_get_broadcast_over(b.data, b.len - 1, &over_task, &over_fragment, &err),
                     BS_ERROR);
    assert_malformed(&err, "BROADCAST_OVER");
    /* SPLITS_GET asks for one at least. */
    buffer_clear(&b);
    tp_put_splits_get(&b, 1, 2, 0);
    uint64_t task;
    uint32_t node, max;
    assert_int_equal(tp_get_splits_get(b.data, b.len, &task, &node, &max, &err), BS_ERROR);
    assert_malformed(&err, "SPLITS_GET");
    buffer_free(&b);
    arena_destroy(arena);
}

static void test_pages(void **state)
{
    (void)state;
    Buffer b;
    buffer_init(&b);
    TpPagesGet g = {
        .reader_id = 1, .query_id = 2, .task_id = 3, .partition = 4, .token = 5, .max_bytes = 6};
    tp_put_pages_get(&b, &g);
    TpPagesGet gg;
    Error err = ERROR_INIT;
    assert_int_equal(tp_get_pages_get(b.data, b.len, &gg, &err), BS_OK);
    assert_true(gg.reader_id == 1 && gg.query_id == 2 && gg.task_id == 3 && gg.partition == 4 &&
                gg.token == 5 && gg.max_bytes == 6);
    for (size_t len = 0; len < b.len; len++) {
        assert_int_equal(tp_get_pages_get(b.data, len, &gg, &err), BS_ERROR);
        assert_malformed(&err, "PAGES_GET");
    }
    buffer_clear(&b);
    tp_put_buffer_abort(&b, 8, 9, 10);
    uint64_t q, t;
    uint32_t p;
    assert_int_equal(tp_get_buffer_abort(b.data, b.len, &q, &t, &p, &err), BS_OK);
    assert_true(q == 8 && t == 9 && p == 10);
    assert_int_equal(tp_get_buffer_abort(b.data, b.len - 1, &q, &t, &p, &err), BS_ERROR);
    assert_malformed(&err, "BUFFER_ABORT");
    /* PAGES: a header, two pages, nothing after. */
    buffer_clear(&b);
    TpPagesHeader h = {.reader_id = 42, .token = 7, .complete = true, .n_pages = 2};
    tp_put_pages_header(&b, &h);
    buffer_put_lstring(&b, "abc", 3);
    buffer_put_lstring(&b, "", 0);
    TpPagesHeader gh;
    size_t off;
    assert_int_equal(tp_get_pages_header(b.data, b.len, &gh, &off, &err), BS_OK);
    assert_true(gh.reader_id == 42 && gh.token == 7 && gh.complete && gh.n_pages == 2);
    const uint8_t *page;
    size_t page_len;
    assert_int_equal(tp_next_page(b.data, b.len, &off, &page, &page_len, &err), BS_OK);
    assert_int_equal(page_len, 3);
    assert_memory_equal(page, "abc", 3);
    assert_int_equal(tp_next_page(b.data, b.len, &off, &page, &page_len, &err), BS_OK);
    assert_int_equal(page_len, 0);
    assert_int_equal(tp_pages_end(b.len, off, &err), BS_OK);
    /* Cut inside the first page: it does not decode. */
    off = 0;
    assert_int_equal(tp_get_pages_header(b.data, b.len - 3, &gh, &off, &err), BS_OK);
    assert_int_equal(tp_next_page(b.data, b.len - 3, &off, &page, &page_len, &err), BS_ERROR);
    assert_malformed(&err, "PAGES");
    /* A page count the payload cannot hold. */
    buffer_clear(&b);
    h.n_pages = 1000;
    tp_put_pages_header(&b, &h);
    assert_int_equal(tp_get_pages_header(b.data, b.len, &gh, &off, &err), BS_ERROR);
    assert_malformed(&err, "PAGES");
    buffer_free(&b);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(tp_message_name(TP_TASK_CREATE), "TASK_CREATE");
    assert_string_equal(tp_message_name(TP_PAGES), "PAGES");
    assert_string_equal(tp_message_name(TP_FILES), "FILES");
    assert_string_equal(tp_message_name(TP_MEMORY), "MEMORY");
    assert_string_equal(tp_message_name(TP_BROADCAST_OVER), "BROADCAST_OVER");
    assert_null(tp_message_name(0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_task_create),
        cmocka_unit_test(test_splits_and_status),
        cmocka_unit_test(test_pages),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
