/*
 * frame.c — the wire unit of every native Basalt protocol: a length-prefixed, versioned
 * frame with an XXH64 checksum of its payload (layout in net.h and README.md).
 *
 * Where it sits: exchange pages, control-plane messages and the native client protocol
 * are serialized by their owners into a frame's payload; Connection (conn.c) writes
 * encoded frames to a socket and feeds what it reads into a FrameDecoder, which hands
 * back complete, verified frames. Nothing that arrives from the wire is trusted: the
 * header is checked field by field, and payload memory grows only with the bytes that
 * actually arrive, so a peer that announces a 64 MiB frame and sends nothing costs
 * nothing.
 */
#include "net/net.h"

#include "common/alloc.h"
#include "common/hash.h"

#include <string.h>

/* Payloads up to this size get their whole buffer when the header is read; larger ones
 * grow geometrically with the bytes received. */
#define SMALL_PAYLOAD ((size_t)64 << 10)

void frame_release(Frame *frame)
{
    bs_free(frame->payload);
    memset(frame, 0, sizeof *frame);
}

/* The header check: low 32 bits of XXH64 of the first 20 header bytes. */
static uint32_t header_check(const uint8_t *header)
{
    return (uint32_t)checksum64(header, 20);
}

/* Writes the 24-byte header for a payload into out. */
static void write_header(uint8_t *out, uint8_t type, uint16_t flags, const uint8_t *payload,
                         size_t len)
{
    memcpy(out, FRAME_MAGIC, 4);
    out[4] = FRAME_VERSION;
    out[5] = type;
    out[6] = (uint8_t)flags;
    out[7] = (uint8_t)(flags >> 8);
    store_u32le(out + 8, (uint32_t)len);
    store_u64le(out + 12, checksum64(len ? payload : (const uint8_t *)"", len));
    store_u32le(out + 20, header_check(out));
}

size_t frame_begin(Buffer *buf)
{
    size_t start = buf->len;
    static const uint8_t placeholder[FRAME_HEADER_SIZE];
    buffer_put_bytes(buf, placeholder, sizeof placeholder);
    return start;
}

Status frame_end(Buffer *buf, size_t start, uint8_t type, uint16_t flags, Error *err)
{
    if (!buffer_ok(buf) || buf->len < start + FRAME_HEADER_SIZE) {
        if (buf->len > start) buf->len = start;
        return error_oom(err);
    }
    size_t len = buf->len - start - FRAME_HEADER_SIZE;
    if (len > FRAME_LIMIT_PAYLOAD) {
        buf->len = start;
        return error_set(err, SQLSTATE_PROGRAM_LIMIT, -1,
                         "frame payload of %zu bytes exceeds the protocol limit of %zu bytes", len,
                         FRAME_LIMIT_PAYLOAD);
    }
    uint8_t *header = buf->data + start;
    write_header(header, type, flags, header + FRAME_HEADER_SIZE, len);
    return BS_OK;
}

Status frame_encode(Buffer *buf, uint8_t type, uint16_t flags, const void *payload, size_t len,
                    Error *err)
{
    if (len > FRAME_LIMIT_PAYLOAD)
        return error_set(err, SQLSTATE_PROGRAM_LIMIT, -1,
                         "frame payload of %zu bytes exceeds the protocol limit of %zu bytes", len,
                         FRAME_LIMIT_PAYLOAD);
    size_t start = buf->len;
    if (!buffer_reserve(buf, FRAME_HEADER_SIZE + len)) return error_oom(err);
    uint8_t *header = buf->data + start;
    if (len) memcpy(header + FRAME_HEADER_SIZE, payload, len);
    write_header(header, type, flags, header + FRAME_HEADER_SIZE, len);
    buf->len = start + FRAME_HEADER_SIZE + len;
    return BS_OK;
}

/* ---- decoder ------------------------------------------------------------------------ */

void frame_decoder_init(FrameDecoder *dec, size_t max_payload)
{
    memset(dec, 0, sizeof *dec);
    dec->state = FRAME_DEC_HEADER;
    if (max_payload == 0) max_payload = FRAME_DEFAULT_MAX_PAYLOAD;
    dec->max_payload = BS_MIN(max_payload, FRAME_LIMIT_PAYLOAD);
    error_init(&dec->error);
}

void frame_decoder_free(FrameDecoder *dec)
{
    bs_free(dec->payload);
    dec->payload = NULL;
    dec->payload_len = dec->payload_cap = 0;
    error_clear(&dec->error);
}

bool frame_decoder_at_boundary(const FrameDecoder *dec)
{
    return dec->state == FRAME_DEC_HEADER && dec->header_len == 0;
}

/* Hands the decoder's stored error to the caller (unless the caller's already holds one:
 * the first error wins). Always BS_ERROR. */
static Status report(const FrameDecoder *dec, Error *err)
{
    if (!error_is_set(err)) error_copy(err, &dec->error);
    return BS_ERROR;
}

/* FAILED is final: the partial payload is dropped, the stored error is what every later
 * call reports. */
static Status enter_failed(FrameDecoder *dec, Error *err)
{
    bs_free(dec->payload);
    dec->payload = NULL;
    dec->payload_len = dec->payload_cap = 0;
    dec->state = FRAME_DEC_FAILED;
    return report(dec, err);
}

/* Moves the decoder to FAILED with a protocol-violation error, copies it to err. */
static Status fail(FrameDecoder *dec, Error *err, const char *fmt, ...) BS_PRINTF(3, 4);

static Status fail(FrameDecoder *dec, Error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    error_setv(&dec->error, SQLSTATE_PROTOCOL_VIOLATION, -1, fmt, ap);
    va_end(ap);
    return enter_failed(dec, err);
}

static Status fail_oom(FrameDecoder *dec, Error *err)
{
    error_oom(&dec->error);
    return enter_failed(dec, err);
}

/* Renders up to 4 bytes as printable text with \xNN escapes, for error messages. */
static void render_bytes(const uint8_t *bytes, size_t n, char *out, size_t out_size)
{
    size_t pos = 0;
    for (size_t k = 0; k < n && pos + 5 < out_size; k++) {
        uint8_t b = bytes[k];
        if (b >= 0x20 && b < 0x7f && b != '"' && b != '\\') {
            out[pos++] = (char)b;
        } else {
            static const char hex[] = "0123456789abcdef";
            out[pos++] = '\\';
            out[pos++] = 'x';
            out[pos++] = hex[b >> 4];
            out[pos++] = hex[b & 15];
        }
    }
    out[pos] = '\0';
}

/* Checks the header fields whose bytes have arrived; called after each header byte run. */
static Status check_header_prefix(FrameDecoder *dec, size_t had, Error *err)
{
    const uint8_t *h = dec->header;
    size_t have = dec->header_len;
    if (had < 4 && memcmp(h, FRAME_MAGIC, BS_MIN(have, 4)) != 0) {
        char got[24];
        render_bytes(h, BS_MIN(have, 4), got, sizeof got);
        return fail(dec, err,
                    "bad frame magic \"%s\" at frame %llu (expected \"%s\"): the peer does "
                    "not speak the Basalt native protocol",
                    got, (unsigned long long)dec->n_frames, FRAME_MAGIC);
    }
    if (had <= 4 && have > 4 && h[4] != FRAME_VERSION)
        return fail(dec, err, "unsupported frame protocol version %u (this build speaks %u)",
                    (unsigned)h[4], (unsigned)FRAME_VERSION);
    return BS_OK;
}

/* The header is complete: parse it and decide where the payload goes. */
static Status parse_header(FrameDecoder *dec, Error *err)
{
    const uint8_t *h = dec->header;
    uint32_t declared = load_u32le(h + 20), actual = header_check(h);
    if (declared != actual)
        return fail(dec, err,
                    "frame header check mismatch at frame %llu: header says 0x%08x, header "
                    "bytes hash to 0x%08x (damaged or not a frame)",
                    (unsigned long long)dec->n_frames, (unsigned)declared, (unsigned)actual);
    dec->type = h[5];
    dec->flags = (uint16_t)(h[6] | h[7] << 8);
    dec->len = load_u32le(h + 8);
    dec->checksum = load_u64le(h + 12);
    if (dec->len > dec->max_payload)
        return fail(dec, err,
                    "frame payload of %u bytes exceeds the limit of %zu bytes (frame type %u)",
                    (unsigned)dec->len, dec->max_payload, (unsigned)dec->type);
    dec->payload_len = 0;
    dec->payload_cap = 0;
    if (dec->len > 0 && dec->len <= SMALL_PAYLOAD) {
        dec->payload = bs_malloc(dec->len);
        if (!dec->payload) return fail_oom(dec, err);
        dec->payload_cap = dec->len;
    }
    dec->state = FRAME_DEC_PAYLOAD;
    return BS_OK;
}

/* Makes room for `incoming` more payload bytes, never beyond the declared length. */
static Status grow_payload(FrameDecoder *dec, size_t incoming, Error *err)
{
    size_t need = dec->payload_len + incoming;
    if (need <= dec->payload_cap) return BS_OK;
    size_t cap = BS_MAX(dec->payload_cap * 2, BS_MAX(need, SMALL_PAYLOAD));
    cap = BS_MIN(cap, (size_t)dec->len);
    uint8_t *p = bs_realloc(dec->payload, cap);
    if (!p) return fail_oom(dec, err);
    dec->payload = p;
    dec->payload_cap = cap;
    return BS_OK;
}

/* The payload is complete: verify it and hand the frame over. */
static Status complete_frame(FrameDecoder *dec, Frame *frame, Error *err)
{
    uint64_t actual = checksum64(dec->len ? dec->payload : (const uint8_t *)"", dec->len);
    if (actual != dec->checksum)
        return fail(dec, err,
                    "frame checksum mismatch (frame %llu, type %u, %u payload bytes): header "
                    "says 0x%016llx, payload hashes to 0x%016llx",
                    (unsigned long long)dec->n_frames, (unsigned)dec->type, (unsigned)dec->len,
                    (unsigned long long)dec->checksum, (unsigned long long)actual);
    frame->type = dec->type;
    frame->flags = dec->flags;
    frame->len = dec->len;
    frame->payload = dec->len ? dec->payload : NULL;
    dec->payload = NULL;
    dec->payload_len = dec->payload_cap = 0;
    dec->header_len = 0;
    dec->n_frames++;
    dec->state = FRAME_DEC_HEADER;
    return BS_OK;
}

Status frame_decoder_feed(FrameDecoder *dec, const uint8_t **data, size_t *len, Frame *frame,
                          bool *got_frame, Error *err)
{
    *got_frame = false;
    for (;;) {
        switch (dec->state) {
        case FRAME_DEC_FAILED:
            return report(dec, err);
        case FRAME_DEC_HEADER: {
            if (*len == 0) return BS_OK;
            size_t had = dec->header_len;
            size_t take = BS_MIN(*len, FRAME_HEADER_SIZE - had);
            memcpy(dec->header + had, *data, take);
            dec->header_len += take;
            *data += take;
            *len -= take;
            if (had <= 4) BS_TRY(check_header_prefix(dec, had, err));
            if (dec->header_len < FRAME_HEADER_SIZE) return BS_OK;
            BS_TRY(parse_header(dec, err));
            break;
        }
        case FRAME_DEC_PAYLOAD: {
            size_t missing = (size_t)dec->len - dec->payload_len;
            size_t take = BS_MIN(*len, missing);
            if (take) {
                BS_TRY(grow_payload(dec, take, err));
                memcpy(dec->payload + dec->payload_len, *data, take);
                dec->payload_len += take;
                *data += take;
                *len -= take;
            }
            if (dec->payload_len < dec->len) return BS_OK;
            BS_TRY(complete_frame(dec, frame, err));
            *got_frame = true;
            return BS_OK;
        }
        }
    }
}

Status frame_decoder_finish(FrameDecoder *dec, Error *err)
{
    switch (dec->state) {
    case FRAME_DEC_FAILED:
        return report(dec, err);
    case FRAME_DEC_HEADER:
        if (dec->header_len == 0) return BS_OK;
        return fail(dec, err,
                    "truncated frame: the stream ended in the middle of a frame header (%zu of "
                    "%d bytes)",
                    dec->header_len, FRAME_HEADER_SIZE);
    case FRAME_DEC_PAYLOAD:
        return fail(dec, err,
                    "truncated frame: the stream ended in the middle of a frame payload (%zu of "
                    "%u bytes, frame type %u)",
                    dec->payload_len, (unsigned)dec->len, (unsigned)dec->type);
    }
    return BS_OK;
}
