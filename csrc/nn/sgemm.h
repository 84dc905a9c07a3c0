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
 * The work is split over the threads of parallel.h (par_threads), with the same bytes for
 * any thread count (sgemm_set_threads). Not re-entrant: one GEMM at
 * a time (the packing buffers are per thread, not per call). */
#ifndef NN_SGEMM_H
#define NN_SGEMM_H

void sgemm(int ta, int tb, int M, int N, int K, const float *A, int lda, const float *B,
           int ldb, float beta, float *C, int ldc);

/* The same with a bias row folded into the accumulators: C = op(A).op(B) + bias[N]
 * (broadcast over rows) + beta * C. bias may be NULL. */
void sgemm_bias(int ta, int tb, int M, int N, int K, const float *A, int lda, const float *B,
                int ldb, const float *bias, float beta, float *C, int ldc);

/* Implicit GEMM: op(A) need not exist as a matrix. A lowering packs it panel by panel
 * (a convolution packs straight from its image, skipping the im2col buffer) and may route
 * each finished C tile to a callback instead of C (col2im straight into an image).
 *
 * pack_a fills MR-high panels of rows [i0, i0+mc) and reduction [k0, k0+kc) of op(A):
 *   dst[(p * kc + k) * SGEMM_MR + r] = op(A)[i0 + p*MR + r][k0 + k], zero for rows >= i0+mc.
 * store, when set, receives strips of C: rows [i, i+mr) (mr <= SGEMM_MR), columns
 * [j, j+nr), row stride ld, once per reduction block of SGEMM_KC: it must ADD them to its
 * destination (the blocks sum to the product). beta and C are then unused. */
enum { SGEMM_MR = 4, SGEMM_NR = 8, SGEMM_KC = 256, SGEMM_MC = 128 /* most rows per pack_a call */ };
typedef void sgemm_pack_a_fn(float *dst, const void *ctx, int i0, int mc, int k0, int kc);
typedef void sgemm_store_fn(void *ctx, const float *strip, int ld, int i, int j, int mr, int nr);
typedef struct {
  sgemm_pack_a_fn *pack_a;
  const void *a_ctx;
  sgemm_store_fn *store; /* NULL: C = ... + beta * C as in sgemm */
  void *c_ctx;
  /* With a store that scatters (col2im): rows [g * n, (g+1) * n) for each g write only to
   * their own part of the destination (one image), and threads get whole groups. 0: rows
   * may be split anywhere (a store that writes each row's own destination). */
  int rows_per_group;
} sgemm_lowering;

/* The packer of an ordinary matrix operand (ctx: an sgemm_matrix_a), for lowerings that
 * only replace the store. */
typedef struct {
  int ta, lda;
  const float *A;
} sgemm_matrix_a;
void sgemm_pack_matrix_a(float *dst, const void *ctx, int i0, int mc, int k0, int kc);

void sgemm_lowered(const sgemm_lowering *l, int tb, int M, int N, int K, const float *B, int ldb,
                   const float *bias, float beta, float *C, int ldc);

/* Runs the GEMMs on this many threads from now on: starts the pool (par_init) and the
 * packing buffers of each thread past the first. 0, or -1 (nothing changes in use) when
 * threads is out of 1..PAR_MAX_THREADS, above what the pool started or this build has,
 * or out of memory. */
int sgemm_set_threads(int threads);

/* The algorithmic reference: three loops, double accumulation, same contract. */
void sgemm_ref(int ta, int tb, int M, int N, int K, const float *A, int lda, const float *B,
               int ldb, float beta, float *C, int ldc);

#endif
