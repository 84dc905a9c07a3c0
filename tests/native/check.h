/* check.h - a minimal harness for the native C tests: CHECK counts, the run ends with the
 * line "N passed, N failed" and a non-zero exit status on any failure. */
#ifndef TESTS_CHECK_H
#define TESTS_CHECK_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static int check_passed, check_failed;

#define CHECK_TRUE(cond, ...)                                        \
  do {                                                               \
    if (cond) {                                                      \
      check_passed++;                                                \
    } else {                                                         \
      check_failed++;                                                \
      fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
      fprintf(stderr, __VA_ARGS__);                                  \
      fputc('\n', stderr);                                           \
    }                                                                \
  } while (0)

static int check_finish(void) {
  printf("%d passed, %d failed\n", check_passed, check_failed);
  return check_failed ? 1 : 0;
}

#endif
