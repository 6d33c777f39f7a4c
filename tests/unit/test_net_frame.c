/*
 * Unit tests: frame encoding and the incremental frame decoder (net/frame.c) — round
 * trips of every size class, arbitrary input splits, truncation, and hostile input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/alloc.h"
#include "common/hash.h"
#include "net/net.h"

#include <string.h>

/* ---- helpers ------------------------------------------------------------------------ */

static uint64_t rng_next(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *state = x;
    return x;
}

/* A payload whose bytes depend on its length and a seed, so mixed-up frames differ. */
static uint8_t *make_payload(size_t len, uint64_t seed)
{
    uint8_t *p = bs_malloc(len ? len : 1);
    assert_non_null(p);
    uint64_t s = seed * 2654435761u + len + 1;
    for (size_t k = 0; k < len; k++)
        p[k] = (uint8_t)(rng_next(&s) >> 24);
    return p;
}

static void assert_error(Error *err, const char *sqlstate, const char *substring)
{
    assert_true(error_is_set(err));
    assert_string_equal(err->sqlstate, sqlstate);
    assert_non_null(err->message);
    if (!strstr(err->message, substring))
        fail_msg("message \"%s\" lacks \"%s\"", err->message, substring);
}

/* Recomputes the header check after a test edited header fields on purpose. */
static void reseal(uint8_t *header)
{
    store_u32le(header + 20, (uint32_t)checksum64(header, 20));
}

typedef struct Expected {
    uint8_t type;
    uint16_t flags;
    size_t len;
    uint64_t seed;
} Expected;

/* Encodes the expected frames into one stream. */
static void encode_all(Buffer *stream, const Expected *frames, size_t n)
{
    buffer_init(stream);
    for (size_t k = 0; k < n; k++) {
        uint8_t *payload = make_payload(frames[k].len, frames[k].seed);
        Error err = ERROR_INIT;
        assert_int_equal(
            frame_encode(stream, frames[k].type, frames[k].flags, payload, frames[k].len, &err),
            BS_OK);
        bs_free(payload);
    }
}

/* Checks one decoded frame against what was encoded. */
static void check_frame(Frame *frame, const Expected *want)
{
    assert_int_equal(frame->type, want->type);
    assert_int_equal(frame->flags, want->flags);
    assert_int_equal(frame->len, want->len);
    if (want->len == 0) {
        assert_null(frame->payload);
    } else {
        uint8_t *payload = make_payload(want->len, want->seed);
        assert_memory_equal(frame->payload, payload, want->len);
        bs_free(payload);
    }
}

/* Feeds the stream in pieces chosen by `next_piece` and checks every frame in order. */
static void decode_in_pieces(const Buffer *stream, const Expected *frames, size_t n, uint64_t *rng,
                             size_t max_piece)
{
    FrameDecoder dec;
    frame_decoder_init(&dec, 0);
    size_t got = 0, off = 0;
    while (off < stream->len) {
        size_t piece = max_piece <= 1 ? 1 : 1 + (size_t)(rng_next(rng) % max_piece);
        piece = BS_MIN(piece, stream->len - off);
        const uint8_t *data = stream->data + off;
        size_t left = piece;
        for (;;) {
            Frame frame = {0};
            bool have = false;
            Error err = ERROR_INIT;
            assert_int_equal(frame_decoder_feed(&dec, &data, &left, &frame, &have, &err), BS_OK);
            assert_false(error_is_set(&err));
            if (!have) break;
            assert_true(got < n);
            check_frame(&frame, &frames[got++]);
            frame_release(&frame);
        }
        assert_int_equal(left, 0);
        off += piece;
    }
    assert_int_equal(got, n);
    Error err = ERROR_INIT;
    assert_int_equal(frame_decoder_finish(&dec, &err), BS_OK);
    assert_true(frame_decoder_at_boundary(&dec));
    frame_decoder_free(&dec);
}

/* Feeds all of data at once; returns the status, counting frames into *n_frames. */
static Status feed_all(FrameDecoder *dec, const uint8_t *data, size_t len, size_t *n_frames,
                       Error *err)
{
    *n_frames = 0;
    for (;;) {
        Frame frame = {0};
        bool have = false;
        if (frame_decoder_feed(dec, &data, &len, &frame, &have, err) != BS_OK) return BS_ERROR;
        if (!have) return BS_OK;
        (*n_frames)++;
        frame_release(&frame);
    }
}

/* ---- tests -------------------------------------------------------------------------- */

static void test_header_layout(void **state)
{
    (void)state;
    Buffer buf;
    buffer_init(&buf);
    Error err = ERROR_INIT;
    assert_int_equal(frame_encode(&buf, 7, 0x1234, "abc", 3, &err), BS_OK);
    assert_int_equal(buf.len, FRAME_HEADER_SIZE + 3);
    const uint8_t want[FRAME_HEADER_SIZE] = {'B', 'S', 'L', 'T', 1, 7, 0x34, 0x12, 3, 0, 0, 0};
    assert_memory_equal(buf.data, want, 12);
    /* XXH64("abc", seed 0), little-endian. */
    assert_true(load_u64le(buf.data + 12) == UINT64_C(0x44bc2cf5ad770999));
    assert_true(load_u64le(buf.data + 12) == checksum64("abc", 3));
    assert_int_equal(load_u32le(buf.data + 20), (uint32_t)checksum64(buf.data, 20));
    assert_memory_equal(buf.data + FRAME_HEADER_SIZE, "abc", 3);

    /* An empty payload still carries the checksum of zero bytes. */
    buffer_clear(&buf);
    assert_int_equal(frame_encode(&buf, 0, 0, NULL, 0, &err), BS_OK);
    assert_int_equal(buf.len, FRAME_HEADER_SIZE);
    assert_int_equal(load_u32le(buf.data + 8), 0);
    assert_true(load_u64le(buf.data + 12) == UINT64_C(0xef46db3751d8e999));
    buffer_free(&buf);
}

static void test_begin_end_matches_encode(void **state)
{
    (void)state;
    const size_t sizes[] = {0, 1, 100, 70000};
    for (size_t k = 0; k < BS_ARRAY_LEN(sizes); k++) {
        uint8_t *payload = make_payload(sizes[k], k);
        Buffer a, b;
        buffer_init(&a);
        buffer_init(&b);
        Error err = ERROR_INIT;
        buffer_put_bytes(&a, "prefix", 6); /* frames need not start at offset 0 */
        buffer_put_bytes(&b, "prefix", 6);
        assert_int_equal(frame_encode(&a, 42, 9, payload, sizes[k], &err), BS_OK);
        size_t start = frame_begin(&b);
        assert_int_equal(start, 6);
        buffer_put_bytes(&b, payload, sizes[k]);
        assert_int_equal(frame_end(&b, start, 42, 9, &err), BS_OK);
        assert_int_equal(a.len, b.len);
        assert_memory_equal(a.data, b.data, a.len);
        buffer_free(&a);
        buffer_free(&b);
        bs_free(payload);
    }
}

static void test_roundtrip_sizes(void **state)
{
    (void)state;
    const size_t sizes[] = {0,
                            1,
                            2,
                            23,
                            24,
                            25,
                            255,
                            4096,
                            65535,
                            65536,
                            65537,
                            200000,
                            (size_t)5 << 20,
                            0,
                            (size_t)3 << 20 | 12345};
    Expected frames[BS_ARRAY_LEN(sizes)];
    for (size_t k = 0; k < BS_ARRAY_LEN(sizes); k++)
        frames[k] = (Expected){
            .type = (uint8_t)(k * 37), .flags = (uint16_t)(k * 4099), .len = sizes[k], .seed = k};
    Buffer stream;
    encode_all(&stream, frames, BS_ARRAY_LEN(frames));
    uint64_t rng = 1;
    decode_in_pieces(&stream, frames, BS_ARRAY_LEN(frames), &rng, SIZE_MAX - 1); /* all */
    decode_in_pieces(&stream, frames, BS_ARRAY_LEN(frames), &rng, 65536);
    buffer_free(&stream);
}

static void test_byte_by_byte(void **state)
{
    (void)state;
    Expected frames[40];
    for (size_t k = 0; k < BS_ARRAY_LEN(frames); k++)
        frames[k] = (Expected){.type = (uint8_t)k,
                               .flags = (uint16_t)(0xffff - k),
                               .len = k == 17 ? 70000 : (k * 13) % 300,
                               .seed = 100 + k};
    Buffer stream;
    encode_all(&stream, frames, BS_ARRAY_LEN(frames));
    uint64_t rng = 7;
    decode_in_pieces(&stream, frames, BS_ARRAY_LEN(frames), &rng, 1);
    buffer_free(&stream);
}

static void test_random_splits(void **state)
{
    (void)state;
    Expected frames[64];
    uint64_t rng = 12345;
    for (size_t k = 0; k < BS_ARRAY_LEN(frames); k++) {
        uint64_t r = rng_next(&rng);
        size_t len = r % 7 == 0 ? 0 : (size_t)(r >> 16) % (r % 5 == 0 ? 150000 : 100);
        frames[k] =
            (Expected){.type = (uint8_t)r, .flags = (uint16_t)(r >> 8), .len = len, .seed = r};
    }
    Buffer stream;
    encode_all(&stream, frames, BS_ARRAY_LEN(frames));
    const size_t max_pieces[] = {2, 5, 24, 25, 100, 4096, 100000};
    for (size_t k = 0; k < BS_ARRAY_LEN(max_pieces); k++)
        for (int round = 0; round < 4; round++)
            decode_in_pieces(&stream, frames, BS_ARRAY_LEN(frames), &rng, max_pieces[k]);
    buffer_free(&stream);
}

static void test_truncated_input_waits(void **state)
{
    (void)state;
    const Expected frames[2] = {{.type = 1, .len = 40, .seed = 1},
                                {.type = 2, .len = 9, .seed = 2}};
    Buffer stream;
    encode_all(&stream, frames, 2);
    size_t first_end = FRAME_HEADER_SIZE + 40;
    for (size_t cut = 0; cut <= stream.len; cut++) {
        FrameDecoder dec;
        frame_decoder_init(&dec, 0);
        size_t n = 0;
        Error err = ERROR_INIT;
        /* Missing bytes are never an error while the stream is open. */
        assert_int_equal(feed_all(&dec, stream.data, cut, &n, &err), BS_OK);
        assert_false(error_is_set(&err));
        assert_int_equal(n, (cut >= stream.len) + (cut >= first_end));
        Status st = frame_decoder_finish(&dec, &err);
        if (cut == 0 || cut == first_end || cut == stream.len) {
            assert_int_equal(st, BS_OK);
        } else {
            assert_int_equal(st, BS_ERROR);
            size_t in_frame = cut < first_end ? cut : cut - first_end;
            assert_error(&err, SQLSTATE_PROTOCOL_VIOLATION,
                         in_frame < FRAME_HEADER_SIZE ? "in the middle of a frame header"
                                                      : "in the middle of a frame payload");
            assert_non_null(strstr(err.message, "truncated frame"));
            assert_false(frame_decoder_at_boundary(&dec));
        }
        error_clear(&err);
        frame_decoder_free(&dec);
    }
    /* A waiting decoder completes the frame when the rest arrives. */
    FrameDecoder dec;
    frame_decoder_init(&dec, 0);
    size_t n = 0;
    Error err = ERROR_INIT;
    assert_int_equal(feed_all(&dec, stream.data, 30, &n, &err), BS_OK);
    assert_int_equal(n, 0);
    assert_int_equal(feed_all(&dec, stream.data + 30, stream.len - 30, &n, &err), BS_OK);
    assert_int_equal(n, 2);
    frame_decoder_free(&dec);
    buffer_free(&stream);
}

static void test_bad_magic(void **state)
{
    (void)state;
    const char *http = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    FrameDecoder dec;
    frame_decoder_init(&dec, 0);
    size_t n = 0;
    Error err = ERROR_INIT;
    assert_int_equal(feed_all(&dec, (const uint8_t *)http, strlen(http), &n, &err), BS_ERROR);
    assert_error(&err, SQLSTATE_PROTOCOL_VIOLATION, "bad frame magic \"GET \"");
    assert_non_null(strstr(err.message, "expected \"BSLT\""));
    error_clear(&err);

    /* Failed is final: a valid frame afterwards is refused with the same error. */
    Buffer good;
    buffer_init(&good);
    assert_int_equal(frame_encode(&good, 1, 0, "x", 1, &err), BS_OK);
    assert_int_equal(feed_all(&dec, good.data, good.len, &n, &err), BS_ERROR);
    assert_error(&err, SQLSTATE_PROTOCOL_VIOLATION, "bad frame magic");
    error_clear(&err);
    assert_int_equal(frame_decoder_finish(&dec, &err), BS_ERROR);
    assert_error(&err, SQLSTATE_PROTOCOL_VIOLATION, "bad frame magic");
    error_clear(&err);
    frame_decoder_free(&dec);

    /* Refused at the first wrong byte, without waiting for a whole header; binary bytes
     * are shown escaped. */
    frame_decoder_init(&dec, 0);
    const uint8_t pg_startup[] = {'B', 'S', 0x00, 0x03};
    assert_int_equal(feed_all(&dec, pg_startup, 2, &n, &err), BS_OK);
    assert_int_equal(feed_all(&dec, pg_startup + 2, 1, &n, &err), BS_ERROR);
    assert_error(&err, SQLSTATE_PROTOCOL_VIOLATION, "bad frame magic \"BS\\x00\"");
    error_clear(&err);
    frame_decoder_free(&dec);
    buffer_free(&good);
}

static void test_bad_version(void **state)
{
    (void)state;
    Buffer buf;
    buffer_init(&buf);
    Error err = ERROR_INIT;
    assert_int_equal(frame_encode(&buf, 1, 0, "hello", 5, &err), BS_OK);
    buf.data[4] = 2;
    FrameDecoder dec;
    frame_decoder_init(&dec, 0);
    size_t n = 0;
    /* Byte by byte: the error comes with the fifth byte. */
    for (size_t k = 0; k < 4; k++)
        assert_int_equal(feed_all(&dec, buf.data + k, 1, &n, &err), BS_OK);
    assert_int_equal(feed_all(&dec, buf.data + 4, 1, &n, &err), BS_ERROR);
    assert_error(&err, SQLSTATE_PROTOCOL_VIOLATION,
                 "unsupported frame protocol version 2 (this build speaks 1)");
    error_clear(&err);
    frame_decoder_free(&dec);
    buffer_free(&buf);
}

static void test_oversize_length(void **state)
{
    (void)state;
    Buffer buf;
    buffer_init(&buf);
    Error err = ERROR_INIT;
    uint8_t *payload = make_payload(1025, 3);
    assert_int_equal(frame_encode(&buf, 5, 0, payload, 1024, &err), BS_OK);
    size_t exact_len = buf.len;
    assert_int_equal(frame_encode(&buf, 6, 0, payload, 1025, &err), BS_OK);
    FrameDecoder dec;
    frame_decoder_init(&dec, 1024);
    size_t n = 0;
    /* Exactly the limit passes; one more is refused once the header is complete,
     * before any payload byte is buffered. */
    assert_int_equal(feed_all(&dec, buf.data, exact_len + FRAME_HEADER_SIZE - 1, &n, &err), BS_OK);
    assert_int_equal(n, 1);
    assert_int_equal(feed_all(&dec, buf.data + exact_len + FRAME_HEADER_SIZE - 1, 1, &n, &err),
                     BS_ERROR);
    assert_error(&err, SQLSTATE_PROTOCOL_VIOLATION,
                 "frame payload of 1025 bytes exceeds the limit of 1024 bytes");
    error_clear(&err);
    frame_decoder_free(&dec);

    /* The default limit is 64 MiB; a header claiming 4 GiB - 1 is refused. */
    uint8_t header[FRAME_HEADER_SIZE];
    memcpy(header, buf.data, FRAME_HEADER_SIZE);
    store_u32le(header + 8, UINT32_MAX);
    reseal(header);
    frame_decoder_init(&dec, 0);
    assert_int_equal(dec.max_payload, FRAME_DEFAULT_MAX_PAYLOAD);
    assert_int_equal(feed_all(&dec, header, sizeof header, &n, &err), BS_ERROR);
    assert_error(&err, SQLSTATE_PROTOCOL_VIOLATION, "exceeds the limit of 67108864 bytes");
    error_clear(&err);
    frame_decoder_free(&dec);
    bs_free(payload);
    buffer_free(&buf);
}

static void test_memory_follows_bytes_not_header(void **state)
{
    (void)state;
    /* A header announcing 60 MB followed by 10 bytes must not reserve 60 MB. */
    uint8_t bytes[FRAME_HEADER_SIZE + 10] = {'B', 'S', 'L', 'T', 1, 0, 0, 0};
    store_u32le(bytes + 8, 60u << 20);
    store_u64le(bytes + 12, 1);
    reseal(bytes);
    FrameDecoder dec;
    frame_decoder_init(&dec, 0);
    size_t n = 0;
    Error err = ERROR_INIT;
    assert_int_equal(feed_all(&dec, bytes, sizeof bytes, &n, &err), BS_OK);
    assert_int_equal(n, 0);
    assert_true(dec.payload_cap <= (size_t)64 << 10);
    assert_int_equal(dec.payload_len, 10);
    frame_decoder_free(&dec);
}

static void test_checksum_mismatch(void **state)
{
    (void)state;
    Buffer buf;
    buffer_init(&buf);
    Error err = ERROR_INIT;
    uint8_t *payload = make_payload(5000, 9);
    assert_int_equal(frame_encode(&buf, 3, 0, payload, 5000, &err), BS_OK);
    /* Flip one bit anywhere in the payload, or in the checksum field (header resealed,
     * as a sender with a bug would). */
    const size_t positions[] = {12, 19, FRAME_HEADER_SIZE, FRAME_HEADER_SIZE + 2500, buf.len - 1};
    for (size_t k = 0; k < BS_ARRAY_LEN(positions); k++) {
        buf.data[positions[k]] ^= 0x10;
        if (positions[k] < FRAME_HEADER_SIZE) reseal(buf.data);
        FrameDecoder dec;
        frame_decoder_init(&dec, 0);
        size_t n = 0;
        assert_int_equal(feed_all(&dec, buf.data, buf.len, &n, &err), BS_ERROR);
        assert_int_equal(n, 0);
        assert_error(&err, SQLSTATE_PROTOCOL_VIOLATION, "frame checksum mismatch");
        assert_non_null(strstr(err.message, "type 3, 5000 payload bytes"));
        error_clear(&err);
        frame_decoder_free(&dec);
        buf.data[positions[k]] ^= 0x10;
        if (positions[k] < FRAME_HEADER_SIZE) reseal(buf.data);
    }
    /* Zero-length frames are checked too. */
    buffer_clear(&buf);
    assert_int_equal(frame_encode(&buf, 3, 0, NULL, 0, &err), BS_OK);
    buf.data[15] ^= 1;
    reseal(buf.data);
    FrameDecoder dec;
    frame_decoder_init(&dec, 0);
    size_t n = 0;
    assert_int_equal(feed_all(&dec, buf.data, buf.len, &n, &err), BS_ERROR);
    assert_error(&err, SQLSTATE_PROTOCOL_VIOLATION, "frame checksum mismatch");
    error_clear(&err);
    frame_decoder_free(&dec);
    bs_free(payload);
    buffer_free(&buf);
}

static void test_header_damage(void **state)
{
    (void)state;
    Buffer buf;
    buffer_init(&buf);
    Error err = ERROR_INIT;
    assert_int_equal(frame_encode(&buf, 3, 0x0102, "payload", 7, &err), BS_OK);
    /* type, flags, length, payload checksum and the check itself: each is caught as soon
     * as the header is complete — a damaged length does not leave the decoder waiting. */
    for (size_t pos = 5; pos < FRAME_HEADER_SIZE; pos++) {
        buf.data[pos] ^= 0x40;
        FrameDecoder dec;
        frame_decoder_init(&dec, 0);
        size_t n = 0;
        assert_int_equal(feed_all(&dec, buf.data, FRAME_HEADER_SIZE, &n, &err), BS_ERROR);
        assert_error(&err, SQLSTATE_PROTOCOL_VIOLATION, "frame header check mismatch at frame 0");
        error_clear(&err);
        frame_decoder_free(&dec);
        buf.data[pos] ^= 0x40;
    }
    buffer_free(&buf);
}

static void test_garbage_never_crashes(void **state)
{
    (void)state;
    uint64_t rng = 99;
    uint8_t junk[512];
    int errors = 0;
    for (int round = 0; round < 3000; round++) {
        size_t len = (size_t)(rng_next(&rng) % sizeof junk);
        for (size_t k = 0; k < len; k++)
            junk[k] = (uint8_t)rng_next(&rng);
        /* Half the rounds start with a valid magic and version to get deeper. */
        if (round % 2 && len >= 5) memcpy(junk, "BSLT\x01", 5);
        FrameDecoder dec;
        frame_decoder_init(&dec, 4096);
        Error err = ERROR_INIT;
        size_t off = 0;
        Status st = BS_OK;
        while (off < len && st == BS_OK) {
            size_t piece = BS_MIN(len - off, 1 + (size_t)(rng_next(&rng) % 64));
            size_t n = 0;
            st = feed_all(&dec, junk + off, piece, &n, &err);
            off += piece;
        }
        if (st == BS_OK) st = frame_decoder_finish(&dec, &err);
        if (st != BS_OK) {
            assert_string_equal(err.sqlstate, SQLSTATE_PROTOCOL_VIOLATION);
            errors++;
        } else {
            assert_true(len == 0); /* random bytes never form a valid stream */
        }
        error_clear(&err);
        frame_decoder_free(&dec);
    }
    assert_true(errors > 2900);

    /* A valid stream with any one byte changed fails as a protocol violation. */
    const Expected frames[3] = {{.type = 1, .len = 100, .seed = 1},
                                {.type = 2, .len = 0, .seed = 2},
                                {.type = 3, .len = 50, .seed = 3}};
    Buffer stream;
    encode_all(&stream, frames, 3);
    for (size_t pos = 0; pos < stream.len; pos++) {
        stream.data[pos] ^= 0xa5;
        FrameDecoder dec;
        frame_decoder_init(&dec, 1000);
        Error err = ERROR_INIT;
        size_t n = 0;
        Status st = feed_all(&dec, stream.data, stream.len, &n, &err);
        if (st == BS_OK) st = frame_decoder_finish(&dec, &err);
        assert_int_equal(st, BS_ERROR);
        assert_string_equal(err.sqlstate, SQLSTATE_PROTOCOL_VIOLATION);
        /* Frames before the damaged one still arrive. */
        assert_int_equal(n, pos < 124 ? 0 : pos < 148 ? 1 : 2);
        error_clear(&err);
        frame_decoder_free(&dec);
        stream.data[pos] ^= 0xa5;
    }
    buffer_free(&stream);
}

static void test_out_of_memory(void **state)
{
    (void)state;
    Buffer buf;
    buffer_init(&buf);
    Error err = ERROR_INIT;
    uint8_t *payload = make_payload(300000, 1);
    assert_int_equal(frame_encode(&buf, 1, 0, payload, 300000, &err), BS_OK);

    /* The decoder's first payload allocation fails. */
    FrameDecoder dec;
    frame_decoder_init(&dec, 0);
    size_t n = 0;
    bs_alloc_fail_after(0, 1);
    assert_int_equal(feed_all(&dec, buf.data, buf.len, &n, &err), BS_ERROR);
    bs_alloc_fail_after(-1, 0);
    assert_error(&err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    error_clear(&err);
    assert_int_equal(feed_all(&dec, buf.data, 1, &n, &err), BS_ERROR); /* failed for good */
    assert_error(&err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    error_clear(&err);
    frame_decoder_free(&dec);

    /* A later growth step fails, part-way through a large payload. */
    frame_decoder_init(&dec, 0);
    assert_int_equal(feed_all(&dec, buf.data, 100000, &n, &err), BS_OK);
    bs_alloc_fail_after(0, 1);
    assert_int_equal(feed_all(&dec, buf.data + 100000, buf.len - 100000, &n, &err), BS_ERROR);
    bs_alloc_fail_after(-1, 0);
    assert_error(&err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    error_clear(&err);
    frame_decoder_free(&dec);

    /* Encoding into a buffer that cannot grow. */
    Buffer small;
    buffer_init(&small);
    bs_alloc_fail_after(0, 1);
    assert_int_equal(frame_encode(&small, 1, 0, payload, 100, &err), BS_ERROR);
    bs_alloc_fail_after(-1, 0);
    assert_error(&err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    error_clear(&err);
    assert_int_equal(small.len, 0);
    buffer_free(&small);
    buffer_init(&small);
    size_t start = frame_begin(&small);
    bs_alloc_fail_after(0, 1);
    buffer_put_bytes(&small, payload, 100000);
    bs_alloc_fail_after(-1, 0);
    assert_int_equal(frame_end(&small, start, 1, 0, &err), BS_ERROR);
    assert_error(&err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
    assert_int_equal(small.len, start);
    error_clear(&err);
    buffer_free(&small);
    bs_free(payload);
    buffer_free(&buf);
}

static void test_encode_refuses_oversize(void **state)
{
    (void)state;
    Buffer buf;
    buffer_init(&buf);
    Error err = ERROR_INIT;
    /* Refused before the payload is touched, so NULL is never read. */
    assert_int_equal(frame_encode(&buf, 1, 0, NULL, FRAME_LIMIT_PAYLOAD + 1, &err), BS_ERROR);
    assert_error(&err, SQLSTATE_PROGRAM_LIMIT, "exceeds the protocol limit of 4294967295 bytes");
    assert_int_equal(buf.len, 0);
    error_clear(&err);
    buffer_free(&buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_layout),
        cmocka_unit_test(test_begin_end_matches_encode),
        cmocka_unit_test(test_roundtrip_sizes),
        cmocka_unit_test(test_byte_by_byte),
        cmocka_unit_test(test_random_splits),
        cmocka_unit_test(test_truncated_input_waits),
        cmocka_unit_test(test_bad_magic),
        cmocka_unit_test(test_bad_version),
        cmocka_unit_test(test_oversize_length),
        cmocka_unit_test(test_memory_follows_bytes_not_header),
        cmocka_unit_test(test_checksum_mismatch),
        cmocka_unit_test(test_header_damage),
        cmocka_unit_test(test_garbage_never_crashes),
        cmocka_unit_test(test_out_of_memory),
        cmocka_unit_test(test_encode_refuses_oversize),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
