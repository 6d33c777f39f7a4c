/* libFuzzer target: the wire frame decoder, fed in pieces whose sizes come from the input. */
#include "net/net.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FrameDecoder dec;
    frame_decoder_init(&dec, 1 << 20);
    Error err = ERROR_INIT;
    size_t step = size ? (size_t)data[0] % 64 + 1 : 1;
    const uint8_t *p = data;
    size_t left = size;
    while (left > 0) {
        size_t piece = left < step ? left : step;
        const uint8_t *q = p;
        size_t n = piece;
        bool failed = false;
        while (n > 0) {
            Frame frame = {0};
            bool got = false;
            if (frame_decoder_feed(&dec, &q, &n, &frame, &got, &err) != BS_OK) {
                failed = true;
                break;
            }
            if (got) frame_release(&frame);
        }
        if (failed) break;
        p += piece;
        left -= piece;
    }
    if (!error_is_set(&err)) frame_decoder_finish(&dec, &err);
    error_clear(&err);
    frame_decoder_free(&dec);
    return 0;
}
