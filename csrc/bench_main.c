/* bench_main.c - the native side of `make bench`: reads one case per line on stdin and
 * prints its GFLOP/s, so tools/gan.mjs defines the cases once for both targets.
 *   peak SECONDS
 *   sgemm TA TB M N K SECONDS
 *   conv PASS N H W C OC K S P SECONDS */
#include <stdio.h>
#include <string.h>

#include "bench.h"

int main(void) {
  char line[256], op[16];
  while (fgets(line, sizeof line, stdin)) {
    int a[9];
    double sec, r = -8;
    if (sscanf(line, "%15s", op) != 1) continue;
    if (!strcmp(op, "peak") && sscanf(line, "%*s %lf", &sec) == 1)
      r = gp_bench_peak_gflops(sec);
    else if (!strcmp(op, "sgemm") &&
             sscanf(line, "%*s %d %d %d %d %d %lf", &a[0], &a[1], &a[2], &a[3], &a[4], &sec) == 6)
      r = gp_bench_sgemm(a[0], a[1], a[2], a[3], a[4], sec);
    else if (!strcmp(op, "conv") &&
             sscanf(line, "%*s %d %d %d %d %d %d %d %d %d %lf", &a[0], &a[1], &a[2], &a[3],
                    &a[4], &a[5], &a[6], &a[7], &a[8], &sec) == 10)
      r = gp_bench_conv(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], sec);
    printf("%.4f\n", r);
    fflush(stdout);
  }
  return 0;
}
