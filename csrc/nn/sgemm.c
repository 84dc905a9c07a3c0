/* sgemm.c - blocked SIMD128 sgemm (GotoBLAS/BLIS loop order) and its scalar reference.
 *
 * Loops, outermost first: jc over NC columns of C; pc over KC of the reduction (B's block
 * is packed once into NR-wide panels); ic over MC rows (A's block packed into MR-high
 * panels); then jr, ir over NR x MR tiles, each one call of the micro-kernel. Packing pads
 * panels with zeros, so the micro-kernel always runs a full MR x NR tile with no branches
 * in its loop; partial tiles land in a small buffer and only their valid part is stored.
 *
 * With threads (parallel.h) C's rows or columns are cut into runs, which the threads take
 * in turn; each runs the same loops over its run, with its own packing buffers. An element of C is the sum of its reduction
 * taken in the same KC blocks, each in k order, whichever thread and tile computes it, so
 * the result is the same bytes for any thread count. A store callback that scatters (col2im)
 * gets whole groups of rows (one image each), so no two threads add into one destination
 * and each destination receives its additions in the serial order. */
#include "sgemm.h"

#include <assert.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "parallel.h"
#include "simd.h"

enum { MR = SGEMM_MR, NR = SGEMM_NR, KC = SGEMM_KC, MC = SGEMM_MC, NC = 2048, NARROW_B = 64 };
/* Below this many multiply-adds a GEMM runs on the calling thread: waking the pool costs
 * more than it saves. */
enum { PARALLEL_MIN_MACS = 1 << 18 };

/* One thread's packing buffers. A block: MC x KC; B block: KC x NC, both rounded up to
 * whole panels; the bias row packed with B's panels; MR rows of C on their way to a store
 * callback. */
typedef struct {
  float *pack_a, *pack_b, *pack_bias, *row_panel;
} workspace;
enum { WS_FLOATS = MC * KC + KC * NC + NC + MR * NC };

static _Alignas(16) float ws0[WS_FLOATS]; /* the calling thread's, always there */
static workspace ws[PAR_MAX_THREADS] = {
    {ws0, ws0 + MC * KC, ws0 + MC * KC + KC * NC, ws0 + MC * KC + KC * NC + NC}};

int sgemm_set_threads(int threads) {
  if (threads < 1 || threads > PAR_MAX_THREADS) return -1;
  for (int t = 1; t < threads; t++) {
    if (ws[t].pack_a) continue;
    float *p = aligned_alloc(16, sizeof(float) * WS_FLOATS);
    if (!p) return -1;
    ws[t] = (workspace){p, p + MC * KC, p + MC * KC + KC * NC, p + MC * KC + KC * NC + NC};
  }
  return par_init(threads);
}

/* Packs rows [i0, i0+mc) and reduction [k0, k0+kc) of op(A) into MR-high panels:
 * panel p holds, for each k, the MR values op(A)[i0+p*MR+r][k0+k], zero past M. */
void sgemm_pack_matrix_a(float *dst, const void *ctx, int i0, int mc, int k0, int kc) {
  const sgemm_matrix_a *m = ctx;
  const int ta = m->ta, lda = m->lda;
  const float *A = m->A;
  for (int p = 0; p < mc; p += MR) {
    int rows = mc - p < MR ? mc - p : MR;
    if (ta) { /* op(A)[i][k] = A[k][i]: the MR values of one k are contiguous */
      const float *src = A + (size_t)k0 * lda + i0 + p;
      if (rows == MR) {
        for (int k = 0; k < kc; k++)
          wasm_v128_store(dst + k * MR, wasm_v128_load(src + (size_t)k * lda));
      } else {
        for (int k = 0; k < kc; k++)
          for (int r = 0; r < MR; r++) dst[k * MR + r] = r < rows ? src[(size_t)k * lda + r] : 0.0f;
      }
    } else { /* op(A)[i][k] = A[i][k]: gather one value from each of MR rows */
      const float *src = A + (size_t)(i0 + p) * lda + k0;
      if (rows == MR) {
        const float *r0 = src, *r1 = src + lda, *r2 = src + 2 * (size_t)lda, *r3 = src + 3 * (size_t)lda;
        int k = 0;
        for (; k + 4 <= kc; k += 4) /* 4x4 transpose in registers */
          f32x4_store_transposed(dst + k * MR, wasm_v128_load(r0 + k), wasm_v128_load(r1 + k),
                                 wasm_v128_load(r2 + k), wasm_v128_load(r3 + k));
        for (; k < kc; k++) {
          dst[k * MR + 0] = r0[k]; dst[k * MR + 1] = r1[k];
          dst[k * MR + 2] = r2[k]; dst[k * MR + 3] = r3[k];
        }
      } else {
        for (int k = 0; k < kc; k++)
          for (int r = 0; r < MR; r++) dst[k * MR + r] = r < rows ? src[(size_t)r * lda + k] : 0.0f;
      }
    }
    dst += (size_t)kc * MR;
  }
}

/* Packs reduction [k0, k0+kc) and columns [j0, j0+nc) of op(B) into NR-wide panels:
 * panel p holds, for each k, the NR values op(B)[k0+k][j0+p*NR+j], zero past N. */
static void pack_b_panels(float *dst, int tb, const float *B, int ldb, int k0, int kc, int j0,
                          int nc) {
  for (int p = 0; p < nc; p += NR) {
    int cols = nc - p < NR ? nc - p : NR;
    if (!tb) { /* op(B)[k][j] = B[k][j]: rows of NR contiguous values */
      const float *src = B + (size_t)k0 * ldb + j0 + p;
      if (cols == NR) {
        for (int k = 0; k < kc; k++) {
          wasm_v128_store(dst + k * NR, wasm_v128_load(src + (size_t)k * ldb));
          wasm_v128_store(dst + k * NR + 4, wasm_v128_load(src + (size_t)k * ldb + 4));
        }
      } else {
        for (int k = 0; k < kc; k++)
          for (int j = 0; j < NR; j++) dst[k * NR + j] = j < cols ? src[(size_t)k * ldb + j] : 0.0f;
      }
    } else { /* op(B)[k][j] = B[j][k]: walk each of the NR source rows along k */
      const float *src = B + (size_t)(j0 + p) * ldb + k0;
      for (int j = 0; j < NR; j++) {
        if (j < cols) {
          const float *row = src + (size_t)j * ldb;
          for (int k = 0; k < kc; k++) dst[k * NR + j] = row[k];
        } else {
          for (int k = 0; k < kc; k++) dst[k * NR + j] = 0.0f;
        }
      }
    }
    dst += (size_t)kc * NR;
  }
}

/* The micro-kernel: an MR x NR tile of C from one A panel and one B panel.
 * acc[r] += splat(a[k][r]) * b[k][0..7]: 8 f32x4 accumulators, 2 B loads and 4 splat
 * loads per k. B's rows are bstride floats apart (NR when packed). Accumulators start from the bias row (or zero). Stores into c (row stride
 * ldc) with beta 0 (overwrite) or else acc + beta * c. */
static void gemm_f32_4x8_wasmsimd(int kc, const float *restrict a, const float *restrict b,
                                  int bstride, const float *restrict bias, float *restrict c,
                                  int ldc, float beta) {
  v128_t c00 = bias ? wasm_v128_load(bias) : wasm_f32x4_splat(0.0f);
  v128_t c01 = bias ? wasm_v128_load(bias + 4) : c00;
  v128_t c10 = c00, c11 = c01, c20 = c00, c21 = c01, c30 = c00, c31 = c01;
  for (int k = 0; k < kc; k++) {
    v128_t b0 = wasm_v128_load(b), b1 = wasm_v128_load(b + 4);
    v128_t a0 = wasm_v128_load32_splat(a + 0);
    c00 = f32x4_muladd(c00, a0, b0);
    c01 = f32x4_muladd(c01, a0, b1);
    v128_t a1 = wasm_v128_load32_splat(a + 1);
    c10 = f32x4_muladd(c10, a1, b0);
    c11 = f32x4_muladd(c11, a1, b1);
    v128_t a2 = wasm_v128_load32_splat(a + 2);
    c20 = f32x4_muladd(c20, a2, b0);
    c21 = f32x4_muladd(c21, a2, b1);
    v128_t a3 = wasm_v128_load32_splat(a + 3);
    c30 = f32x4_muladd(c30, a3, b0);
    c31 = f32x4_muladd(c31, a3, b1);
    a += MR;
    b += bstride;
  }
  float *r0 = c, *r1 = c + ldc, *r2 = c + 2 * (size_t)ldc, *r3 = c + 3 * (size_t)ldc;
  if (beta != 0.0f) {
    v128_t vb = wasm_f32x4_splat(beta);
    c00 = f32x4_muladd(c00, vb, wasm_v128_load(r0)); c01 = f32x4_muladd(c01, vb, wasm_v128_load(r0 + 4));
    c10 = f32x4_muladd(c10, vb, wasm_v128_load(r1)); c11 = f32x4_muladd(c11, vb, wasm_v128_load(r1 + 4));
    c20 = f32x4_muladd(c20, vb, wasm_v128_load(r2)); c21 = f32x4_muladd(c21, vb, wasm_v128_load(r2 + 4));
    c30 = f32x4_muladd(c30, vb, wasm_v128_load(r3)); c31 = f32x4_muladd(c31, vb, wasm_v128_load(r3 + 4));
  }
  wasm_v128_store(r0, c00); wasm_v128_store(r0 + 4, c01);
  wasm_v128_store(r1, c10); wasm_v128_store(r1 + 4, c11);
  wasm_v128_store(r2, c20); wasm_v128_store(r2 + 4, c21);
  wasm_v128_store(r3, c30); wasm_v128_store(r3 + 4, c31);
}

/* One tile, full or partial. A partial tile is computed into a scratch tile holding the
 * valid part of C, then copied back, so the micro-kernel never touches memory past C. */
static void tile(int kc, const float *a, const float *b, int bstride, const float *bias,
                 float *c, int ldc, float beta, int mr, int nr) {
  if (mr == MR && nr == NR) {
    gemm_f32_4x8_wasmsimd(kc, a, b, bstride, bias, c, ldc, beta);
    return;
  }
  _Alignas(16) float t[MR * NR];
  if (beta != 0.0f)
    for (int r = 0; r < mr; r++)
      for (int q = 0; q < nr; q++) t[r * NR + q] = c[(size_t)r * ldc + q];
  gemm_f32_4x8_wasmsimd(kc, a, b, bstride, bias, t, NR, beta);
  for (int r = 0; r < mr; r++)
    for (int q = 0; q < nr; q++) c[(size_t)r * ldc + q] = t[r * NR + q];
}

/* The inner two loops over one packed block. Into C: for each B panel, every A panel (the
 * B panel stays in L1). Into a store callback: row panel by row panel, each MR x nc strip
 * assembled in row_panel (padded, so partial tiles need no scratch) and handed over once,
 * which keeps the callback's per-row work (locating pixels) off the per-tile path. */
typedef struct {
  const float *base; /* panel 0 */
  size_t panel;      /* floats from one NR-wide panel to the next */
  int kstride;       /* floats from one k to the next within a panel */
} b_panels;

static void macro_block(const workspace *w, const sgemm_lowering *l, int kc, int mc, int nc,
                        b_panels bp, const float *bias, float beta, float *C, int ldc, int ic,
                        int jc) {
  if (l->store) {
    for (int ir = 0; ir < mc; ir += MR) {
      const float *ap = w->pack_a + (size_t)(ir / MR) * kc * MR;
      for (int jr = 0; jr < nc; jr += NR)
        gemm_f32_4x8_wasmsimd(kc, ap, bp.base + (size_t)(jr / NR) * bp.panel, bp.kstride,
                              bias ? bias + jr : NULL, w->row_panel + jr, NC, 0.0f);
      l->store(l->c_ctx, w->row_panel, NC, ic + ir, jc, mc - ir < MR ? mc - ir : MR, nc);
    }
    return;
  }
  for (int jr = 0; jr < nc; jr += NR) {
    const int nr = nc - jr < NR ? nc - jr : NR;
    const float *b = bp.base + (size_t)(jr / NR) * bp.panel;
    for (int ir = 0; ir < mc; ir += MR)
      tile(kc, w->pack_a + (size_t)(ir / MR) * kc * MR, b, bp.kstride, bias ? bias + jr : NULL,
           C + (size_t)(ic + ir) * ldc + jc + jr, ldc, beta, mc - ir < MR ? mc - ir : MR, nr);
  }
}

static void scale_c(int M, int N, float beta, float *C, int ldc) {
  for (int i = 0; i < M; i++)
    for (int j = 0; j < N; j++) C[(size_t)i * ldc + j] = beta == 0.0f ? 0.0f : beta * C[(size_t)i * ldc + j];
}

/* One GEMM's arguments, and how it is split over the threads. */
typedef struct {
  const sgemm_lowering *l;
  int tb, M, N, K;
  const float *B;
  int ldb;
  const float *bias;
  float beta;
  float *C;
  int ldc;
  int by_cols; /* split C's columns (in whole NR panels) instead of its rows */
  int group;   /* rows are split in multiples of this */
  int chunks;  /* the split: this many runs of whole units, taken by the threads in turn */
  atomic_int next; /* the next run not yet taken */
} gemm_job;

/* Rows [i0, i1) and columns [j0, j1) of C, all of the reduction: the serial loop nest. */
static void gemm_part(const workspace *w, const gemm_job *g, int i0, int i1, int j0, int j1) {
  const sgemm_lowering *l = g->l;
  for (int jc = j0; jc < j1; jc += NC) {
    int nc = j1 - jc < NC ? j1 - jc : NC;
    if (g->bias)
      for (int j = 0; j < (nc + NR - 1) / NR * NR; j++) w->pack_bias[j] = j < nc ? g->bias[jc + j] : 0.0f;
    for (int pc = 0; pc < g->K; pc += KC) {
      int kc = g->K - pc < KC ? g->K - pc : KC;
      float bk = pc == 0 ? g->beta : 1.0f; /* later K blocks add to what the first wrote */
      const float *bias_k = pc == 0 && g->bias ? w->pack_bias : NULL;
      b_panels bp = {w->pack_b, (size_t)kc * NR, NR};
      if (!g->tb && nc % NR == 0 && nc <= NARROW_B) {
        /* a narrow B (a layer's weights, a gradient with few channels) is read in place:
         * its block already fits in L1, and packing it would copy as much as it computes */
        bp.base = g->B + (size_t)pc * g->ldb + jc, bp.panel = NR, bp.kstride = g->ldb;
      } else {
        pack_b_panels(w->pack_b, g->tb, g->B, g->ldb, pc, kc, jc, nc);
      }
      for (int ic = i0; ic < i1; ic += MC) {
        int mc = i1 - ic < MC ? i1 - ic : MC;
        l->pack_a(w->pack_a, l->a_ctx, ic, mc, pc, kc);
        macro_block(w, l, kc, mc, nc, bp, bias_k, bk, g->C, g->ldc, ic, jc);
      }
    }
  }
}

/* Runs of whole units (row groups or NR-wide column panels), more runs than threads and
 * taken in turn: a thread the system preempts (the page drawing on the same cores) leaves
 * its runs to the others instead of holding up the job. Which thread computes a run
 * changes nothing in it. */
enum { CHUNKS_PER_THREAD = 4 };

static void gemm_share(void *ctx, int t, int T) {
  gemm_job *g = ctx;
  (void)T;
  const int unit = g->by_cols ? NR : g->group, extent = g->by_cols ? g->N : g->M;
  const int units = (extent + unit - 1) / unit;
  for (int c; (c = atomic_fetch_add_explicit(&g->next, 1, memory_order_relaxed)) < g->chunks;) {
    const int u0 = (int)((long long)units * c / g->chunks), u1 = (int)((long long)units * (c + 1) / g->chunks);
    const int lo = u0 * unit, hi = u1 * unit < extent ? u1 * unit : extent;
    if (lo >= hi) continue;
    if (g->by_cols) gemm_part(&ws[t], g, 0, g->M, lo, hi);
    else gemm_part(&ws[t], g, lo, hi, 0, g->N);
  }
}

void sgemm_lowered(const sgemm_lowering *l, int tb, int M, int N, int K, const float *B, int ldb,
                   const float *bias, float beta, float *C, int ldc) {
  assert(M >= 0 && N >= 0 && K >= 0);
  assert(l->store || ldc >= N);
  assert(ldb >= (tb ? K : N));
  assert(l->rows_per_group >= 0 && (!l->rows_per_group || M % l->rows_per_group == 0));
  if (M == 0 || N == 0) return;
  if (K == 0) {
    assert(!l->store && !bias); /* not needed by any caller */
    scale_c(M, N, beta, C, ldc);
    return;
  }
  gemm_job g = {l, tb, M, N, K, B, ldb, bias, beta, C, ldc, 0, MR, 0, 0};
  const int T = par_threads();
  if (T == 1 || (double)M * N * K < PARALLEL_MIN_MACS) {
    gemm_part(&ws[0], &g, 0, M, 0, N);
    return;
  }
  if (l->store) {
    /* a scattering store: whole groups of rows per thread (any rows when no group) */
    g.group = l->rows_per_group ? l->rows_per_group : MR;
  } else if (M < N && N >= 2 * T * NR && (tb || N > NARROW_B)) {
    /* few rows and many columns of a B that must be packed (a dense layer's weights): each
     * run packs the small A and its own panels of B, instead of every run packing all of
     * B. Not when B is read in place: rows then cost no copy twice, while every run of
     * columns would pack all of A (an im2col gather as dear as the product when N is 32) */
    g.by_cols = 1;
  }
  const int units = g.by_cols ? (N + NR - 1) / NR : (M + g.group - 1) / g.group;
  g.chunks = units < CHUNKS_PER_THREAD * T ? units : CHUNKS_PER_THREAD * T;
  par_run(gemm_share, &g);
}

void sgemm_bias(int ta, int tb, int M, int N, int K, const float *A, int lda, const float *B,
                int ldb, const float *bias, float beta, float *C, int ldc) {
  assert(lda >= (ta ? M : K));
  sgemm_matrix_a m = {ta, lda, A};
  sgemm_lowering l = {sgemm_pack_matrix_a, &m, NULL, NULL, 0};
  sgemm_lowered(&l, tb, M, N, K, B, ldb, bias, beta, C, ldc);
}

void sgemm(int ta, int tb, int M, int N, int K, const float *A, int lda, const float *B, int ldb,
           float beta, float *C, int ldc) {
  sgemm_bias(ta, tb, M, N, K, A, lda, B, ldb, NULL, beta, C, ldc);
}

void sgemm_ref(int ta, int tb, int M, int N, int K, const float *A, int lda, const float *B,
               int ldb, float beta, float *C, int ldc) {
  for (int i = 0; i < M; i++)
    for (int j = 0; j < N; j++) {
      double s = 0.0;
      for (int k = 0; k < K; k++) {
        float a = ta ? A[(size_t)k * lda + i] : A[(size_t)i * lda + k];
        float b = tb ? B[(size_t)j * ldb + k] : B[(size_t)k * ldb + j];
        s += (double)a * b;
      }
      float *c = &C[(size_t)i * ldc + j];
      *c = beta == 0.0f ? (float)s : (float)(s + (double)beta * *c);
    }
}
