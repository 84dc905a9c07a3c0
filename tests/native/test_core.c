/* test_core.c - the nn core natively, under ASan + UBSan: every fast kernel against its
 * scalar reference over edge sizes, every layer's backward against central finite
 * differences, the adjoint identity, determinism, and the arena. */
#include <string.h>

#include "check.h"
#include "nn/nn.h"

static rng R;

static float *randn(size_t n, float std) {
  float *p = malloc(n * sizeof(float) + 16);
  rng_fill_normal(&R, p, (int)n, 0.0f, std);
  return p;
}

static float *copy(const float *x, size_t n) {
  float *p = malloc(n * sizeof(float) + 16);
  memcpy(p, x, n * sizeof(float));
  return p;
}

/* largest |a - b| relative to the scale of the reference (max |b|, at least 1) */
static double rel_diff(const float *a, const float *b, size_t n) {
  double d = 0, scale = 1;
  for (size_t i = 0; i < n; i++) {
    if (fabs(b[i]) > scale) scale = fabs(b[i]);
    if (fabs((double)a[i] - b[i]) > d || isnan(a[i])) d = isnan(a[i]) ? INFINITY : fabs((double)a[i] - b[i]);
  }
  return d / scale;
}

static double dot(const float *a, const float *b, size_t n) {
  double s = 0;
  for (size_t i = 0; i < n; i++) s += (double)a[i] * b[i];
  return s;
}

/* tolerance for a float32 reduction of length k */
static double tol(int k) { return 2e-6 * sqrt((double)k) + 1e-6; }

static void test_sgemm(void) {
  const int sizes[] = {1, 3, 4, 5, 7, 17, 64, 100};
  int bad = 0, cases = 0;
  for (int ta = 0; ta < 2; ta++)
    for (int tb = 0; tb < 2; tb++)
      for (int a = 0; a < 8; a++)
        for (int b = 0; b < 8; b++)
          for (int c = 0; c < 8; c++) {
            const int M = sizes[a], N = sizes[b], K = sizes[c];
            const int lda = (ta ? M : K) + (a & 1), ldb = (tb ? K : N) + (b & 2), ldc = N + (c & 1);
            float *A = randn((size_t)lda * (ta ? K : M), 1), *B = randn((size_t)ldb * (tb ? N : K), 1);
            float *C = randn((size_t)ldc * M, 1), *D = copy(C, (size_t)ldc * M);
            const float beta = (a + b + c) % 3 == 0 ? 0.0f : 1.0f;
            if (beta == 0.0f) for (int i = 0; i < ldc * M; i++) C[i] = NAN; /* must not leak */
            sgemm(ta, tb, M, N, K, A, lda, B, ldb, beta, C, ldc);
            sgemm_ref(ta, tb, M, N, K, A, lda, B, ldb, beta, D, ldc);
            for (int i = 0; i < M; i++)
              for (int j = 0; j < N; j++) {
                const double d = fabs((double)C[i * ldc + j] - D[i * ldc + j]);
                if (!(d <= tol(K) * 4 * sqrt((double)K) + 1e-5)) bad++;
              }
            cases++;
            free(A), free(B), free(C), free(D);
          }
  CHECK_TRUE(bad == 0, "%d sgemm elements off over %d cases", bad, cases);
  /* cross the KC, MC and NC blocks */
  const int big[][3] = {{300, 70, 600}, {5, 2100, 9}, {129, 33, 257}};
  for (int i = 0; i < 3; i++) {
    const int M = big[i][0], N = big[i][1], K = big[i][2];
    float *A = randn((size_t)M * K, 1), *B = randn((size_t)K * N, 1);
    float *C = randn((size_t)M * N, 1), *D = copy(C, (size_t)M * N);
    sgemm(0, 1, M, N, K, A, K, B, K, 1.0f, C, N);
    sgemm_ref(0, 1, M, N, K, A, K, B, K, 1.0f, D, N);
    CHECK_TRUE(rel_diff(C, D, (size_t)M * N) < 1e-5, "sgemm %dx%dx%d", M, N, K);
    free(A), free(B), free(C), free(D);
  }
}

typedef struct {
  int N, H, W, C, OC, KH, KW, S, P;
} geom;

/* all six conv passes, fast vs reference, for one geometry */
static void conv_vs_ref(geom g, int *bad) {
  conv_shape s;
  if (conv_shape_init(&s, g.N, g.H, g.W, g.C, g.KH, g.KW, g.S, g.P)) return;
  const size_t nx = (size_t)g.N * g.H * g.W * g.C, ny = (size_t)g.N * s.OH * s.OW * g.OC;
  const size_t nw = (size_t)g.KH * g.KW * g.C * g.OC;
  float *x = randn(nx, 1), *y = randn(ny, 1), *w = randn(nw, 1), *b = randn(g.OC > g.C ? g.OC : g.C, 1);
  const size_t big = nx > ny ? (nx > nw ? nx : nw) : (ny > nw ? ny : nw);
  float *o1 = randn(big, 1), *o2 = copy(o1, big); /* pre-filled: backward must accumulate */
  const int K = g.KH * g.KW * g.C, M = g.N * s.OH * s.OW;
  conv2d_forward(o1, x, w, b, &s, g.OC), conv2d_forward_ref(o2, x, w, b, &s, g.OC);
  *bad += rel_diff(o1, o2, ny) > tol(K);
  memcpy(o2, o1, big * sizeof(float));
  conv2d_backward_data(o1, y, w, &s, g.OC), conv2d_backward_data_ref(o2, y, w, &s, g.OC);
  *bad += rel_diff(o1, o2, nx) > tol(g.OC * 16);
  memcpy(o2, o1, big * sizeof(float));
  conv2d_backward_weights(o1, y, x, &s, g.OC), conv2d_backward_weights_ref(o2, y, x, &s, g.OC);
  *bad += rel_diff(o1, o2, nw) > tol(M);
  conv_transpose2d_forward(o1, y, w, b, &s, g.OC), conv_transpose2d_forward_ref(o2, y, w, b, &s, g.OC);
  *bad += rel_diff(o1, o2, nx) > tol(g.OC * 16);
  memcpy(o2, o1, big * sizeof(float));
  conv_transpose2d_backward_data(o1, x, w, &s, g.OC), conv_transpose2d_backward_data_ref(o2, x, w, &s, g.OC);
  *bad += rel_diff(o1, o2, ny) > tol(K);
  memcpy(o2, o1, big * sizeof(float));
  conv_transpose2d_backward_weights(o1, x, y, &s, g.OC), conv_transpose2d_backward_weights_ref(o2, x, y, &s, g.OC);
  *bad += rel_diff(o1, o2, nw) > tol(M);
  /* adjoint: <conv_transpose(y), x> == <y, conv(x)> with the same weights, no bias */
  conv2d_forward(o1, x, w, NULL, &s, g.OC);
  conv_transpose2d_forward(o2, y, w, NULL, &s, g.OC);
  const double lhs = dot(o2, x, nx), rhs = dot(y, o1, ny);
  *bad += fabs(lhs - rhs) > 1e-4 * (fabs(lhs) + fabs(rhs) + 1);
  free(x), free(y), free(w), free(b), free(o1), free(o2);
}

static void test_conv(void) {
  const int hw[] = {1, 3, 4, 5, 7, 9}, cs[] = {1, 3, 4, 5, 7, 17}, ks[] = {1, 2, 3, 4, 5};
  int bad = 0, n = 0;
  for (int h = 0; h < 6; h++)
    for (int c = 0; c < 6; c++)
      for (int k = 0; k < 5; k++)
        for (int sp = 0; sp < 9; sp++) {
          geom g = {1 + (h + c) % 3, hw[h], hw[(h + k) % 6], cs[c], cs[(c + k + 1) % 6],
                    ks[k], ks[(k + sp) % 5], 1 + sp % 3, sp / 3};
          conv_vs_ref(g, &bad);
          n++;
        }
  conv_vs_ref((geom){2, 28, 28, 1, 32, 4, 4, 2, 1}, &bad);
  conv_vs_ref((geom){2, 14, 14, 32, 64, 4, 4, 2, 1}, &bad);
  conv_vs_ref((geom){3, 12, 12, 64, 3, 4, 4, 2, 1}, &bad); /* K = 1024: several KC blocks */
  CHECK_TRUE(bad == 0, "%d conv mismatches over %d geometries", bad, n + 3);
}

static void test_im2col_adjoint(void) {
  conv_shape s;
  conv_shape_init(&s, 2, 7, 6, 3, 3, 4, 2, 1);
  const size_t nx = 2 * 7 * 6 * 3, nc = conv_col_size(&s);
  float *x = randn(nx, 1), *c = randn(nc, 1), *col = randn(nc, 1), *dx = calloc(nx, sizeof(float));
  im2col(col, x, &s);
  col2im(dx, c, &s);
  const double a = dot(col, c, nc), b = dot(x, dx, nx);
  CHECK_TRUE(fabs(a - b) < 1e-4 * (fabs(a) + 1), "<im2col x, c> %g vs <x, col2im c> %g", a, b);
  free(x), free(c), free(col), free(dx);
}

/* ---- finite differences: L = <f(x), r>, dL/dx from backward vs central differences ---- */

typedef void (*fwd_fn)(void *ctx, float *out);

/* checks the analytic gradient ga (of n entries of param) by perturbing param */
static double fd_check(void *ctx, fwd_fn f, float *param, const float *ga, int n, const float *r,
                       int nout, double h, const float *kink, double kink_eps) {
  float *out = malloc(nout * sizeof(float));
  double worst = 0;
  for (int i = 0; i < n; i += 1 + n / 40) {
    const float keep = param[i];
    param[i] = keep + (float)h;
    f(ctx, out);
    double lp = dot(out, r, nout);
    param[i] = keep - (float)h;
    f(ctx, out);
    double lm = dot(out, r, nout);
    param[i] = keep;
    if (kink && fabs(kink[i]) < kink_eps) continue; /* a ReLU kink: not differentiable */
    const double num = (lp - lm) / (2 * h), err = fabs(num - ga[i]) / fmax(1e-2, fabs(num) + fabs(ga[i]));
    if (err > worst) worst = err;
  }
  free(out);
  return worst;
}

typedef struct {
  conv_shape s;
  int OC, transpose;
  float *x, *w, *b;
} conv_ctx;

static void conv_fwd(void *v, float *out) {
  conv_ctx *c = v;
  if (c->transpose) conv_transpose2d_forward(out, c->x, c->w, c->b, &c->s, c->OC);
  else conv2d_forward(out, c->x, c->w, c->b, &c->s, c->OC);
}

static void test_conv_gradients(int transpose) {
  conv_ctx c = {.OC = 4, .transpose = transpose};
  conv_shape_init(&c.s, 2, 6, 5, 3, 4, 4, 2, 1);
  const int nin = 2 * 6 * 5 * 3, nout_c = 2 * c.s.OH * c.s.OW * 4, nw = 16 * 3 * 4;
  const int nx = transpose ? nout_c : nin, ny = transpose ? nin : nout_c, nb = transpose ? 3 : 4;
  c.x = randn(nx, 1), c.w = randn(nw, 0.5), c.b = randn(nb, 1);
  float *r = randn(ny, 1), *dx = calloc(nx, 4), *dw = calloc(nw, 4), *db = calloc(nb, 4);
  if (transpose) {
    conv_transpose2d_backward_data(dx, r, c.w, &c.s, 4);
    conv_transpose2d_backward_weights(dw, r, c.x, &c.s, 4);
    bias_backward(db, r, 2 * 6 * 5, 3);
  } else {
    conv2d_backward_data(dx, r, c.w, &c.s, 4);
    conv2d_backward_weights(dw, r, c.x, &c.s, 4);
    bias_backward(db, r, 2 * c.s.OH * c.s.OW, 4);
  }
  const double ex = fd_check(&c, conv_fwd, c.x, dx, nx, r, ny, 1e-2, NULL, 0);
  const double ew = fd_check(&c, conv_fwd, c.w, dw, nw, r, ny, 1e-2, NULL, 0);
  const double eb = fd_check(&c, conv_fwd, c.b, db, nb, r, ny, 1e-2, NULL, 0);
  CHECK_TRUE(ex < 1e-2 && ew < 1e-2 && eb < 1e-2, "%s gradients: x %g w %g b %g",
             transpose ? "conv_transpose2d" : "conv2d", ex, ew, eb);
  free(c.x), free(c.w), free(c.b), free(r), free(dx), free(dw), free(db);
}

/* The resize convolution: the expanded 4x4 transposed convolution equals an explicit
 * nearest upsample then a 3x3 convolution, over odd and even sizes and channel counts; the
 * fold is the expansion's adjoint; a constant input gives an output without a 2-pixel grid
 * away from the borders; the 3x3 weights' gradient through the fold matches finite
 * differences. */
typedef struct {
  conv_shape s;
  int IC;
  float *x, *w3, *b, *w4;
} resize_ctx;

static void resize_fwd(void *v, float *out) {
  resize_ctx *c = v;
  resize_conv2d_expand(c->w4, c->w3, c->s.C, c->IC);
  conv_transpose2d_forward(out, c->x, c->w4, c->b, &c->s, c->IC);
}

static void test_resize_conv(void) {
  const int dims[][5] = {{1, 1, 1, 1, 1}, {2, 3, 4, 2, 3}, {1, 7, 7, 8, 5}, {2, 5, 6, 1, 4}};
  int bad = 0;
  for (size_t k = 0; k < sizeof dims / sizeof dims[0]; k++) {
    const int N = dims[k][0], H = dims[k][1], W = dims[k][2], IC = dims[k][3], C = dims[k][4];
    resize_ctx c = {.IC = IC};
    CHECK_TRUE(resize_conv2d_shape(&c.s, N, H, W, C) == 0 && c.s.OH == H && c.s.OW == W, "shape %zu", k);
    const size_t nx = (size_t)N * H * W * IC, ny = (size_t)N * 4 * H * W * C;
    c.x = randn(nx, 1), c.w3 = randn(9 * (size_t)C * IC, 1), c.b = randn(C, 1);
    c.w4 = malloc(16 * sizeof(float) * C * IC);
    float *y = malloc(ny * sizeof(float)), *ref = malloc(ny * sizeof(float));
    resize_fwd(&c, y);
    resize_conv2d_forward_ref(ref, c.x, c.w3, c.b, N, H, W, IC, C);
    bad += rel_diff(y, ref, ny) > tol(9 * IC);
    free(y), free(ref), free(c.x), free(c.w3), free(c.b), free(c.w4);
  }
  CHECK_TRUE(bad == 0, "resize_conv2d differs from upsample + conv3x3 in %d cases", bad);

  /* adjoint: <expand(w3), a4> == <w3, fold(a4)> */
  const int C = 3, IC = 5;
  float *w3 = randn(9 * C * IC, 1), *a4 = randn(16 * C * IC, 1), *w4 = malloc(16 * sizeof(float) * C * IC);
  float *f3 = calloc(9 * C * IC, sizeof(float));
  resize_conv2d_expand(w4, w3, C, IC);
  resize_conv2d_fold(f3, a4, C, IC);
  const double l = dot(w4, a4, 16 * C * IC), r = dot(w3, f3, 9 * C * IC);
  CHECK_TRUE(fabs(l - r) < 1e-4 * (fabs(l) + 1), "<expand w, a> %g vs <w, fold a> %g", l, r);

  /* a constant input, one channel each: every interior output pixel is the same (a free
   * 4x4 kernel paints a grid here; the tied one cannot) */
  resize_ctx c = {.IC = 1};
  resize_conv2d_shape(&c.s, 1, 6, 6, 1);
  float x[36], y[144], b = 0;
  for (int i = 0; i < 36; i++) x[i] = 1;
  c.x = x, c.w3 = w3, c.b = &b, c.w4 = w4;
  resize_fwd(&c, y);
  double spread = 0;
  for (int i = 1; i < 11; i++)
    for (int j = 1; j < 11; j++) spread = fmax(spread, fabs(y[i * 12 + j] - y[13]));
  CHECK_TRUE(spread < 1e-5, "a constant input gives a grid: interior outputs differ by %g", spread);

  /* gradients: dL/dw3 = fold(dL/dw4) */
  resize_ctx g = {.IC = 4};
  resize_conv2d_shape(&g.s, 2, 3, 4, 3);
  const int nx = 2 * 3 * 4 * 4, ny = 2 * 6 * 8 * 3, nw = 9 * 3 * 4;
  g.x = randn(nx, 1), g.w3 = randn(nw, 0.5), g.b = randn(3, 1), g.w4 = malloc(16 * sizeof(float) * 12);
  float *rr = randn(ny, 1), *dw4 = calloc(16 * 12, sizeof(float)), *dw3 = calloc(nw, sizeof(float));
  conv_transpose2d_backward_weights(dw4, rr, g.x, &g.s, 4);
  resize_conv2d_fold(dw3, dw4, 3, 4);
  const double ew = fd_check(&g, resize_fwd, g.w3, dw3, nw, rr, ny, 1e-2, NULL, 0);
  CHECK_TRUE(ew < 1e-2, "resize_conv2d weight gradient: relative error %g", ew);
  free(w3), free(a4), free(w4), free(f3), free(g.x), free(g.w3), free(g.b), free(g.w4), free(rr), free(dw4), free(dw3);
}

typedef struct {
  int N, I, O;
  float *x, *w, *b;
} dense_ctx;

static void dense_fwd(void *v, float *out) {
  dense_ctx *c = v;
  dense_forward(out, c->x, c->w, c->b, c->N, c->I, c->O);
}

static void test_dense_gradients(void) {
  dense_ctx c = {.N = 5, .I = 7, .O = 3};
  c.x = randn(35, 1), c.w = randn(21, 1), c.b = randn(3, 1);
  float *r = randn(15, 1), *dx = calloc(35, 4), *dw = calloc(21, 4), *db = calloc(3, 4);
  dense_backward(dx, dw, db, r, c.x, c.w, 5, 7, 3);
  const double e = fmax(fd_check(&c, dense_fwd, c.x, dx, 35, r, 15, 1e-2, NULL, 0),
                        fmax(fd_check(&c, dense_fwd, c.w, dw, 21, r, 15, 1e-2, NULL, 0),
                             fd_check(&c, dense_fwd, c.b, db, 3, r, 15, 1e-2, NULL, 0)));
  CHECK_TRUE(e < 1e-2, "dense gradients %g", e);
  float *y1 = malloc(15 * 4), *y2 = malloc(15 * 4);
  dense_forward(y1, c.x, c.w, c.b, 5, 7, 3), dense_forward_ref(y2, c.x, c.w, c.b, 5, 7, 3);
  CHECK_TRUE(rel_diff(y1, y2, 15) < 1e-5, "dense vs reference");
  free(c.x), free(c.w), free(c.b), free(r), free(dx), free(dw), free(db), free(y1), free(y2);
}

typedef struct {
  int rows, C;
  float *x, *gamma, *beta, *xhat, *mean, *invstd, *rm, *rv;
} bn_ctx;

static void bn_fwd(void *v, float *out) {
  bn_ctx *c = v;
  batchnorm_forward_train(out, c->xhat, c->mean, c->invstd, c->rm, c->rv, c->x, c->gamma,
                          c->beta, c->rows, c->C, 0.1f, 1e-5f);
}

static void test_batchnorm(void) {
  bn_ctx c = {.rows = 12, .C = 5};
  const int n = 60;
  c.x = randn(n, 2), c.gamma = randn(5, 1), c.beta = randn(5, 1);
  c.xhat = malloc(n * 4), c.mean = malloc(20), c.invstd = malloc(20);
  c.rm = calloc(5, 4), c.rv = calloc(5, 4);
  float *y = malloc(n * 4), *r = randn(n, 1), *dx = calloc(n, 4), *dg = calloc(5, 4), *dbe = calloc(5, 4);
  bn_fwd(&c, y);
  batchnorm_backward(dx, dg, dbe, r, c.xhat, c.gamma, c.invstd, c.rows, c.C);
  const double e = fmax(fd_check(&c, bn_fwd, c.x, dx, n, r, n, 1e-2, NULL, 0),
                        fmax(fd_check(&c, bn_fwd, c.gamma, dg, 5, r, n, 1e-2, NULL, 0),
                             fd_check(&c, bn_fwd, c.beta, dbe, 5, r, n, 1e-2, NULL, 0)));
  CHECK_TRUE(e < 1e-2, "batchnorm gradients %g", e);
  /* normalised: per-channel mean 0, variance 1 of xhat */
  double worst = 0;
  for (int ch = 0; ch < 5; ch++) {
    double s = 0, ss = 0;
    for (int i = 0; i < 12; i++) s += c.xhat[i * 5 + ch], ss += c.xhat[i * 5 + ch] * c.xhat[i * 5 + ch];
    worst = fmax(worst, fmax(fabs(s / 12), fabs(ss / 12 - 1)));
  }
  CHECK_TRUE(worst < 1e-3, "xhat moments off by %g", worst);
  /* inference with running stats equal to the batch stats reproduces training output */
  float *yi = malloc(n * 4), *var = malloc(20);
  for (int ch = 0; ch < 5; ch++) var[ch] = 1.0f / (c.invstd[ch] * c.invstd[ch]) - 1e-5f;
  batchnorm_forward_infer(yi, c.x, c.gamma, c.beta, c.mean, var, 12, 5, 1e-5f);
  CHECK_TRUE(rel_diff(yi, y, n) < 1e-4, "batchnorm inference");
  free(c.x), free(c.gamma), free(c.beta), free(c.xhat), free(c.mean), free(c.invstd);
  free(c.rm), free(c.rv), free(y), free(r), free(dx), free(dg), free(dbe), free(yi), free(var);
}

typedef struct {
  int kind, n;
  float *x;
} act_ctx;

static void act_fwd(void *v, float *out) {
  act_ctx *c = v;
  switch (c->kind) {
    case 0: relu_forward(out, c->x, c->n); break;
    case 1: leaky_relu_forward(out, c->x, c->n, 0.2f); break;
    case 2: tanh_forward(out, c->x, c->n); break;
    default: sigmoid_forward(out, c->x, c->n); break;
  }
}

static void test_activations(void) {
  const int n = 37; /* not a multiple of 4: SIMD body and scalar tail */
  for (int kind = 0; kind < 4; kind++) {
    act_ctx c = {kind, n, randn(n, 2)};
    float *y = malloc(n * 4), *r = randn(n, 1), *dx = randn(n, 1), *dx0 = copy(dx, n), *dr = copy(dx, n);
    act_fwd(&c, y);
    switch (kind) {
      case 0: relu_backward(dx, r, y, n), relu_backward_ref(dr, r, y, n); break;
      case 1: leaky_relu_backward(dx, r, c.x, n, 0.2f), leaky_relu_backward_ref(dr, r, c.x, n, 0.2f); break;
      case 2: tanh_backward(dx, r, y, n), tanh_backward_ref(dr, r, y, n); break;
      default: sigmoid_backward(dx, r, y, n), sigmoid_backward_ref(dr, r, y, n); break;
    }
    CHECK_TRUE(rel_diff(dx, dr, n) < 1e-6, "activation %d backward vs reference", kind);
    for (int i = 0; i < n; i++) dx[i] -= dx0[i]; /* the accumulated part */
    const double e = fd_check(&c, act_fwd, c.x, dx, n, r, n, 1e-3, c.x, 2e-3);
    CHECK_TRUE(e < 1e-2, "activation %d gradient %g", kind, e);
    if (kind < 2) { /* NaN and infinities, in the SIMD body and the tail, agree too */
      c.x[1] = NAN, c.x[2] = INFINITY, c.x[3] = -INFINITY, c.x[n - 1] = NAN;
      act_fwd(&c, y);
      float *yr = malloc(n * 4);
      if (kind == 0) relu_forward_ref(yr, c.x, n);
      else leaky_relu_forward_ref(yr, c.x, n, 0.2f);
      CHECK_TRUE(!memcmp(y, yr, n * 4), "activation %d forward vs reference", kind);
      free(yr);
    }
    free(c.x), free(y), free(r), free(dx), free(dx0), free(dr);
  }
}

typedef struct {
  int mse, n;
  float *p, *t;
} loss_ctx;

static void loss_fwd(void *v, float *out) {
  loss_ctx *c = v;
  out[0] = c->mse ? mse_forward(c->p, c->t, c->n) : bce_with_logits_forward(c->p, c->t, c->n);
}

static void test_losses(void) {
  for (int mse = 0; mse < 2; mse++) {
    loss_ctx c = {mse, 9, randn(9, 3), malloc(9 * 4)};
    for (int i = 0; i < 9; i++) c.t[i] = rng_uniform(&R);
    float one = 1.0f, *g = calloc(9, 4);
    if (mse) mse_backward(g, c.p, c.t, 9, 1.0f);
    else bce_with_logits_backward(g, c.p, c.t, 9, 1.0f);
    const double e = fd_check(&c, loss_fwd, c.p, g, 9, &one, 1, 1e-2, NULL, 0);
    CHECK_TRUE(e < 1e-2, "%s gradient %g", mse ? "mse" : "bce", e);
    free(c.p), free(c.t), free(g);
  }
  /* BCE stays finite and exact for any logit */
  const float z[] = {-1e4f, -100, -88, -20, 0, 20, 88, 100, 1e4f}, t1[] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
  for (int i = 0; i < 9; i++) {
    const float l = bce_with_logits_forward(&z[i], &t1[i], 1);
    const double want = z[i] > 30 ? exp(-z[i]) : z[i] < -30 ? -z[i] : log1p(exp(-z[i]));
    CHECK_TRUE(isfinite(l) && fabs(l - want) <= 1e-6 * fmax(1, fabs(want)), "bce(%g, 1) = %g, want %g", z[i], l, want);
    float gz = 0;
    bce_with_logits_backward(&gz, &z[i], &t1[i], 1, 1.0f);
    CHECK_TRUE(isfinite(gz) && gz <= 0 && gz >= -1, "bce gradient at %g is %g", z[i], gz);
  }
}

static void test_adam(void) {
  float p[3] = {1, -2, 0.5f}, g[3] = {0.1f, -0.3f, 2}, m[3] = {0}, v[3] = {0};
  adam_update(p, g, m, v, 3, 0.01f, 0.9f, 0.999f, 1e-8f, 1);
  /* first step with bias correction moves each weight by lr * sign(g) */
  CHECK_TRUE(fabs(p[0] - 0.99) < 1e-5 && fabs(p[1] + 1.99) < 1e-5 && fabs(p[2] - 0.49) < 1e-5,
             "adam step 1: %g %g %g", p[0], p[1], p[2]);
  float q[2] = {1, 1}, h[2] = {0.5f, -1};
  sgd_update(q, h, 2, 0.1f);
  CHECK_TRUE(q[0] == 0.95f && q[1] == 1.1f, "sgd: %g %g", q[0], q[1]);
}

static void test_rng_and_determinism(void) {
  rng a, b, c;
  rng_seed(&a, 42, 0), rng_seed(&b, 42, 0), rng_seed(&c, 43, 0);
  int same = 1, differ = 0;
  for (int i = 0; i < 1000; i++) {
    uint32_t x = rng_u32(&a), y = rng_u32(&b), z = rng_u32(&c);
    same &= x == y;
    differ += x != z;
  }
  CHECK_TRUE(same && differ > 990, "PCG32 streams: same %d differ %d", same, differ);
  double s = 0, ss = 0, lo = 1, hi = 0;
  for (int i = 0; i < 100000; i++) {
    const double v = rng_normal(&a), u = rng_uniform(&a);
    s += v, ss += v * v, lo = fmin(lo, u), hi = fmax(hi, u);
  }
  CHECK_TRUE(fabs(s / 1e5) < 0.02 && fabs(ss / 1e5 - 1) < 0.02 && lo >= 0 && hi < 1,
             "normal mean %g var %g, uniform [%g, %g]", s / 1e5, ss / 1e5, lo, hi);
  /* same inputs, same build: bit-identical convolution results */
  conv_shape sh;
  conv_shape_init(&sh, 3, 14, 14, 8, 4, 4, 2, 1);
  float *x = randn(3 * 14 * 14 * 8, 1), *w = randn(16 * 8 * 16, 1);
  float *y1 = malloc(3 * 49 * 16 * 4), *y2 = malloc(3 * 49 * 16 * 4);
  conv2d_forward(y1, x, w, NULL, &sh, 16);
  conv2d_forward(y2, x, w, NULL, &sh, 16);
  CHECK_TRUE(!memcmp(y1, y2, 3 * 49 * 16 * 4), "conv2d not bit-identical across runs");
  free(x), free(w), free(y1), free(y2);
}

static void test_arena(void) {
  arena a;
  CHECK_TRUE(arena_init(&a, 0) == -1, "empty arena accepted");
  CHECK_TRUE(arena_init(&a, 100) == 0, "arena_init");
  float *p = arena_floats(&a, 3), *q = arena_floats(&a, 5);
  CHECK_TRUE(p && q && ((uintptr_t)p & 15) == 0 && ((uintptr_t)q & 15) == 0 && q >= p + 3, "carving");
  CHECK_TRUE(arena_floats(&a, 0) == NULL, "zero floats");
  CHECK_TRUE(arena_floats(&a, 100) == NULL, "past the end");
  CHECK_TRUE(arena_floats(&a, SIZE_MAX / 2) == NULL, "overflowing request");
  arena_free(&a);
}

int main(void) {
  rng_seed(&R, 2026, 0);
  test_sgemm();
  test_conv();
  test_im2col_adjoint();
  test_conv_gradients(0);
  test_conv_gradients(1);
  test_resize_conv();
  test_dense_gradients();
  test_batchnorm();
  test_activations();
  test_losses();
  test_adam();
  test_rng_and_determinism();
  test_arena();
  return check_finish();
}
