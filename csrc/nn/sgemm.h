/* sgemm.h - single-precision matrix multiply, the one GEMM family every heavy op uses.
 *
 *   C[M,N] = op(A)[M,K] . op(B)[K,N] + beta * C        (all row-major)
 *
 *   op(A) = A    when ta == 0: A is M x K, row stride lda >= K
 *   op(A) = A^T  when ta == 1: A is stored K x M, lda >= M
 *   op(B) = B    when tb == 0: B is K x N, ldb >= N
 *   op(B) = B^T  when tb == 1: B is stored N x K, ldb >= K
 *   beta == 0 overwrites C without reading it (it may hold garbage); beta == 1 accumulates.
 *
 * Forward and backward need the three shapes A.B, A.B^T and A^T.B; all go through the same
 * packed panels and the same register-blocked SIMD128 micro-kernel (4 rows x 8 columns:
 * 8 f32x4 accumulators, the most V8 keeps in registers without spilling).
 * Preconditions (checked by api.c, asserted here): M, N, K >= 0, strides large enough.
 * Not re-entrant: the packing buffers are static (the core is single-threaded). */
#ifndef NN_SGEMM_H
#define NN_SGEMM_H

void sgemm(int ta, int tb, int M, int N, int K, const float *A, int lda, const float *B,
           int ldb, float beta, float *C, int ldc);

/* The algorithmic reference: three loops, double accumulation, same contract. */
void sgemm_ref(int ta, int tb, int M, int N, int K, const float *A, int lda, const float *B,
               int ldb, float beta, float *C, int ldc);

#endif
