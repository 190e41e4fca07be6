/*
 * ebur128_measure: libebur128's reading of a file, the peer of
 * `lathe measure` in `cargo xtask bench-peers` (never shipped, never in CI).
 *
 *   ebur128_measure FILE
 *
 * Feeds the file in 1024-frame blocks to one ebur128 state with momentary,
 * short-term, integrated, loudness range and true peak enabled (the same
 * readings `lathe measure` makes) and prints integrated loudness (LUFS), LRA
 * (LU) and the largest true peak over the channels (dBTP).
 */
#include <ebur128.h>
#include <sndfile.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/** Frames per `ebur128_add_frames_float` call. */
#define BLOCK 1024

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: ebur128_measure FILE\n");
        return 1;
    }
    SF_INFO info = {0};
    SNDFILE *in = sf_open(argv[1], SFM_READ, &info);
    if (!in) {
        fprintf(stderr, "ebur128_measure: %s\n", sf_strerror(NULL));
        return 1;
    }
    ebur128_state *st = ebur128_init((unsigned)info.channels, (unsigned long)info.samplerate,
                                     EBUR128_MODE_M | EBUR128_MODE_S | EBUR128_MODE_I |
                                         EBUR128_MODE_LRA | EBUR128_MODE_TRUE_PEAK);
    float *buf = malloc(sizeof(float) * BLOCK * (size_t)info.channels);
    sf_count_t got;
    while ((got = sf_readf_float(in, buf, BLOCK)) > 0)
        ebur128_add_frames_float(st, buf, (size_t)got);
    double integrated, range, peak = 0.0;
    ebur128_loudness_global(st, &integrated);
    ebur128_loudness_range(st, &range);
    for (int c = 0; c < info.channels; c++) {
        double p;
        ebur128_true_peak(st, (unsigned)c, &p);
        if (p > peak) peak = p;
    }
    printf("I %.2f LUFS  LRA %.2f LU  TP %.2f dBTP\n", integrated, range, 20.0 * log10(peak));
    ebur128_destroy(&st);
    free(buf);
    sf_close(in);
    return 0;
}
