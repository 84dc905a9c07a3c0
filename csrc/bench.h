/* bench.h - the kernel benchmark harness, one C implementation measured on both targets:
 * exported to JS (wasm, timed inside wasm) and driven by bench_main.c natively.
 * Each call times its op repeatedly for at least `seconds`, in five rounds, and returns the
 * best round as GFLOP/s (flops counted as 2 per multiply-add, 1 per f32 lane op), or a
 * negative GP_ERR_* status for bad arguments. */
#ifndef GP_BENCH_H
#define GP_BENCH_H

enum {
  BENCH_CONV2D_FWD, BENCH_CONV2D_BWD_DATA, BENCH_CONV2D_BWD_WEIGHTS,
  BENCH_CONVT_FWD, BENCH_CONVT_BWD_DATA, BENCH_CONVT_BWD_WEIGHTS,
  BENCH_PASSES
};

/* the SIMD128 arithmetic peak loop, a 4x8 register block of 8 independent f32x4
 * accumulators over L1-resident operands: 64 steps of 64 flops per iteration. Returns a
 * value that depends on every accumulator. */
float gp_bench_peak(int iters);

double gp_bench_peak_gflops(double seconds);
double gp_bench_sgemm(int ta, int tb, int M, int N, int K, double seconds);
/* conv geometry of the convolution (for the transposed passes, of the convolution they
 * transpose): input [N, H, W, C], OC output channels, square kernel K, stride S, pad P */
double gp_bench_conv(int pass, int N, int H, int W, int C, int OC, int K, int S, int P,
                     double seconds);

#endif
