/* im2col.c - lowering a convolution to a GEMM (NHWC: the C channels of a pixel are
 * contiguous, so each kernel tap copies or adds a run of C floats). */
#include "im2col.h"

#include "simd.h"

int conv_shape_init(conv_shape *s, int N, int H, int W, int C, int KH, int KW, int S, int P) {
  if (N <= 0 || H <= 0 || W <= 0 || C <= 0 || KH <= 0 || KW <= 0 || S <= 0 || P < 0) return -1;
  if (H + 2 * P < KH || W + 2 * P < KW) return -1;
  s->N = N; s->H = H; s->W = W; s->C = C;
  s->KH = KH; s->KW = KW; s->S = S; s->P = P;
  s->OH = (H + 2 * P - KH) / S + 1;
  s->OW = (W + 2 * P - KW) / S + 1;
  return 0;
}

size_t conv_col_size(const conv_shape *s) {
  return (size_t)s->N * s->OH * s->OW * s->KH * s->KW * s->C;
}

/* dst[0..n) = src[0..n): runs here are short (KW*C floats), so no memcpy call. */
static void copy_run(float *dst, const float *src, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(dst + i, wasm_v128_load(src + i));
  for (; i < n; i++) dst[i] = src[i];
}

static void zero_run(float *dst, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(dst + i, wasm_f32x4_splat(0.0f));
  for (; i < n; i++) dst[i] = 0.0f;
}

/* dst[0..n) += src[0..n) */
static void add_run(float *dst, const float *src, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4)
    wasm_v128_store(dst + i, wasm_f32x4_add(wasm_v128_load(dst + i), wasm_v128_load(src + i)));
  for (; i < n; i++) dst[i] += src[i];
}

/* One receptive field. In NHWC the KW taps of one kernel row are KW*C contiguous floats of
 * the input row, so away from the left and right borders each kernel row is one run. */
static void gather_row(float *dst, const float *img, const conv_shape *s, int ih0, int iw0) {
  const int C = s->C, run = s->KW * C;
  const int inside = iw0 >= 0 && iw0 + s->KW <= s->W;
  for (int kh = 0; kh < s->KH; kh++, dst += run) {
    int ih = ih0 + kh;
    if (ih < 0 || ih >= s->H) {
      zero_run(dst, run);
      continue;
    }
    const float *row = img + (size_t)ih * s->W * C;
    if (inside) {
      copy_run(dst, row + (size_t)iw0 * C, run);
      continue;
    }
    for (int kw = 0; kw < s->KW; kw++) {
      int iw = iw0 + kw;
      if (iw < 0 || iw >= s->W) zero_run(dst + kw * C, C);
      else copy_run(dst + kw * C, row + (size_t)iw * C, C);
    }
  }
}

void im2col(float *col, const float *x, const conv_shape *s) {
  const size_t rowlen = (size_t)s->KH * s->KW * s->C;
  for (int n = 0; n < s->N; n++) {
    const float *img = x + (size_t)n * s->H * s->W * s->C;
    for (int oh = 0; oh < s->OH; oh++)
      for (int ow = 0; ow < s->OW; ow++, col += rowlen)
        gather_row(col, img, s, oh * s->S - s->P, ow * s->S - s->P);
  }
}

void col2im(float *dx, const float *col, const conv_shape *s) {
  const int C = s->C, run = s->KW * C;
  for (int n = 0; n < s->N; n++) {
    float *img = dx + (size_t)n * s->H * s->W * C;
    for (int oh = 0; oh < s->OH; oh++)
      for (int ow = 0; ow < s->OW; ow++) {
        const int ih0 = oh * s->S - s->P, iw0 = ow * s->S - s->P;
        const int inside = iw0 >= 0 && iw0 + s->KW <= s->W;
        for (int kh = 0; kh < s->KH; kh++, col += run) {
          int ih = ih0 + kh;
          if (ih < 0 || ih >= s->H) continue;
          float *row = img + (size_t)ih * s->W * C;
          if (inside) {
            add_run(row + (size_t)iw0 * C, col, run);
            continue;
          }
          for (int kw = 0; kw < s->KW; kw++) {
            int iw = iw0 + kw;
            if (iw >= 0 && iw < s->W) add_run(row + (size_t)iw * C, col + kw * C, C);
          }
        }
      }
  }
}

/* ---- implicit lowering ---- */

#include "sgemm.h"

enum { MR = SGEMM_MR };

/* An output pixel (a row of col): the offset of its image and the top-left input
 * coordinate of its receptive field. Pixels are visited in order, so after one division
 * the next is an increment. */
typedef struct {
  size_t img;
  int ih0, iw0, oh, ow;
} pixel;

static pixel pixel_at(const conv_shape *s, size_t pix) {
  const size_t per_img = (size_t)s->OH * s->OW;
  const int rem = (int)(pix % per_img);
  pixel p = {pix / per_img * s->H * s->W * s->C, 0, 0, rem / s->OW, rem % s->OW};
  p.ih0 = p.oh * s->S - s->P;
  p.iw0 = p.ow * s->S - s->P;
  return p;
}

/* Does the pixel's whole receptive field lie inside the image (no padding taps)? */
static int pixel_inside(const conv_shape *s, const pixel *p) {
  return p->ih0 >= 0 && p->ih0 + s->KH <= s->H && p->iw0 >= 0 && p->iw0 + s->KW <= s->W;
}

static void pixel_next(const conv_shape *s, pixel *p) {
  p->iw0 += s->S;
  if (++p->ow < s->OW) return;
  p->ow = 0, p->iw0 = -s->P, p->ih0 += s->S;
  if (++p->oh < s->OH) return;
  p->oh = 0, p->ih0 = -s->P, p->img += (size_t)s->H * s->W * s->C;
}

/* Field entries [k0, k0+kc) of one pixel, written to out[k * stride], zeros over padding:
 * one tap (a run of up to C channels) at a time. The general path, for any geometry. */
static void field_slice(float *out, int stride, const float *img, const conv_shape *s, int ih0,
                        int iw0, int k0, int kc) {
  const int C = s->C, run = s->KW * C;
  for (int k = 0; k < kc;) {
    const int f = k0 + k, kh = f / run, kw = f % run / C, c = f % C;
    const int len = C - c < kc - k ? C - c : kc - k;
    const int ih = ih0 + kh, iw = iw0 + kw;
    if (ih >= 0 && ih < s->H && iw >= 0 && iw < s->W) {
      const float *src = img + ((size_t)ih * s->W + iw) * C + c;
      for (int i = 0; i < len; i++) out[(size_t)(k + i) * stride] = src[i];
    } else {
      for (int i = 0; i < len; i++) out[(size_t)(k + i) * stride] = 0.0f;
    }
    k += len;
  }
}

/* The fast path works in chunks of 4 field entries. When KW*C % 4 == 0, an aligned chunk
 * [f, f+4) lies in one kernel row kh, at offset i of that row's run of KW*C floats. In
 * NHWC the run starts at flat position iw0*C of input row ih0+kh, so the chunk covers
 * flat positions iw0*C+i .. +3 of that row: inside the image exactly when those lie in
 * [0, W*C), which needs no division. */
typedef struct {
  int kh, i;
} chunk;

static chunk chunk_at(const conv_shape *s, int f) {
  chunk c = {f / (s->KW * s->C), f % (s->KW * s->C)};
  return c;
}

static void chunk_next(const conv_shape *s, chunk *c) {
  if ((c->i += 4) == s->KW * s->C) c->i = 0, c->kh++;
}

/* The chunk of the field of the pixel whose field starts at (ih0, iw0) in img. */
static v128_t chunk_load(const float *img, const conv_shape *s, int ih0, int iw0, chunk c) {
  const int ih = ih0 + c.kh, rowlen = s->W * s->C;
  if (ih < 0 || ih >= s->H) return wasm_f32x4_splat(0.0f);
  const float *row = img + (size_t)ih * rowlen;
  const int lo = iw0 * s->C + c.i;
  if (lo >= 0 && lo + 4 <= rowlen) return wasm_v128_load(row + lo);
  _Alignas(16) float t[4];
  for (int q = 0; q < 4; q++) t[q] = lo + q >= 0 && lo + q < rowlen ? row[lo + q] : 0.0f;
  return wasm_v128_load(t);
}

void im2col_pack_rows(float *dst, const void *ctx, int i0, int mc, int k0, int kc) {
  const im2col_view *v = ctx;
  const conv_shape *s = v->s;
  const int chunks = (s->KW * s->C) % 4 == 0 && k0 % 4 == 0 && kc % 4 == 0;
  pixel next = pixel_at(s, (size_t)i0);
  const chunk c0 = chunk_at(s, k0);
  for (int p = 0; p < mc; p += MR, dst += (size_t)kc * MR) {
    const int rows = mc - p < MR ? mc - p : MR;
    pixel px[MR];
    for (int r = 0; r < rows; r++) px[r] = next, pixel_next(s, &next);
    int inside = rows == MR;
    for (int r = 0; r < rows; r++) inside &= pixel_inside(s, &px[r]);
    if (chunks && inside) { /* no padding anywhere in the panel: straight loads */
      const float *base[MR];
      for (int r = 0; r < MR; r++)
        base[r] = v->x + px[r].img + ((size_t)px[r].ih0 * s->W + px[r].iw0) * s->C;
      chunk c = c0;
      for (int k = 0; k < kc; k += 4, chunk_next(s, &c)) {
        const size_t off = (size_t)c.kh * s->W * s->C + c.i;
        f32x4_store_transposed(dst + k * MR, wasm_v128_load(base[0] + off),
                               wasm_v128_load(base[1] + off), wasm_v128_load(base[2] + off),
                               wasm_v128_load(base[3] + off));
      }
      continue;
    }
    if (chunks) {
      chunk c = c0;
      for (int k = 0; k < kc; k += 4, chunk_next(s, &c)) {
        v128_t row[MR];
        for (int r = 0; r < MR; r++)
          row[r] = r < rows ? chunk_load(v->x + px[r].img, s, px[r].ih0, px[r].iw0, c)
                            : wasm_f32x4_splat(0.0f);
        f32x4_store_transposed(dst + k * MR, row[0], row[1], row[2], row[3]);
      }
      continue;
    }
    for (int r = 0; r < MR; r++) {
      if (r < rows) {
        field_slice(dst + r, MR, v->x + px[r].img, s, px[r].ih0, px[r].iw0, k0, kc);
      } else {
        for (int k = 0; k < kc; k++) dst[k * MR + r] = 0.0f;
      }
    }
  }
}

void im2col_pack_cols(float *dst, const void *ctx, int i0, int mc, int k0, int kc) {
  const im2col_view *v = ctx;
  const conv_shape *s = v->s;
  const size_t panel = (size_t)kc * MR;
  pixel px[SGEMM_KC];
  const float *base[SGEMM_KC]; /* field origin of pixels with no padding taps, else NULL */
  px[0] = pixel_at(s, (size_t)k0);
  for (int k = 0; k < kc; k++) {
    if (k > 0) px[k] = px[k - 1], pixel_next(s, &px[k]);
    base[k] = pixel_inside(s, &px[k])
                  ? v->x + px[k].img + ((size_t)px[k].ih0 * s->W + px[k].iw0) * s->C
                  : NULL;
  }
  if ((s->KW * s->C) % 4 == 0 && i0 % 4 == 0) {
    /* panel by panel, so the stores run sequentially through dst */
    chunk c = chunk_at(s, i0);
    for (int p = 0; p < mc; p += MR, dst += panel, chunk_next(s, &c)) {
      const size_t off = (size_t)c.kh * s->W * s->C + c.i;
      for (int k = 0; k < kc; k++) {
        v128_t v4 = base[k] ? wasm_v128_load(base[k] + off)
                            : chunk_load(v->x + px[k].img, s, px[k].ih0, px[k].iw0, c);
        if (mc - p >= MR) {
          wasm_v128_store(dst + k * MR, v4);
        } else {
          _Alignas(16) float t[4];
          wasm_v128_store(t, v4);
          for (int r = 0; r < MR; r++) dst[k * MR + r] = p + r < mc ? t[r] : 0.0f;
        }
      }
    }
    return;
  }
  float field[SGEMM_MC];
  for (int k = 0; k < kc; k++) {
    field_slice(field, 1, v->x + px[k].img, s, px[k].ih0, px[k].iw0, i0, mc);
    float *d = dst + (size_t)k * MR;
    for (int p = 0; p < mc; p += MR, d += panel)
      for (int r = 0; r < MR; r++) d[r] = p + r < mc ? field[p + r] : 0.0f;
  }
}

void col2im_store(void *ctx, const float *strip, int ld, int i, int j, int mr, int nr) {
  const im2col_view *v = ctx;
  const conv_shape *s = v->s;
  const int C = s->C, run = s->KW * C;
  const int chunked = run % 4 == 0 && j % 4 == 0 ? nr / 4 * 4 : 0;
  pixel px = pixel_at(s, (size_t)i);
  const chunk c0 = chunk_at(s, j);
  for (int r = 0; r < mr; r++, strip += ld, pixel_next(s, &px)) {
    const int ih0 = px.ih0, iw0 = px.iw0;
    float *dimg = v->dx + px.img;
    chunk c = c0;
    int q = 0;
    if (pixel_inside(s, &px)) { /* no padding: straight adds */
      float *base = dimg + ((size_t)ih0 * s->W + iw0) * C;
      for (; q < chunked; q += 4, chunk_next(s, &c)) {
        float *d = base + (size_t)c.kh * s->W * C + c.i;
        wasm_v128_store(d, wasm_f32x4_add(wasm_v128_load(d), wasm_v128_load(strip + q)));
      }
    }
    for (; q < chunked; q += 4, chunk_next(s, &c)) {
      const int ih = ih0 + c.kh, rowlen = s->W * C, lo = iw0 * C + c.i;
      if (ih < 0 || ih >= s->H) continue;
      float *row = dimg + (size_t)ih * rowlen;
      if (lo >= 0 && lo + 4 <= rowlen) {
        wasm_v128_store(row + lo, wasm_f32x4_add(wasm_v128_load(row + lo), wasm_v128_load(strip + q)));
        continue;
      }
      for (int e = 0; e < 4; e++)
        if (lo + e >= 0 && lo + e < rowlen) row[lo + e] += strip[q + e];
    }
    for (; q < nr; q++) { /* the general path: any geometry, any tail */
      const int f = j + q, kh = f / run, kw = f % run / C, ch = f % C;
      const int ih = ih0 + kh, iw = iw0 + kw;
      if (ih >= 0 && ih < s->H && iw >= 0 && iw < s->W)
        dimg[((size_t)ih * s->W + iw) * C + ch] += strip[q];
    }
  }
}
