// The wasm kernels against their scalar references, through the C API the page uses: sgemm
// in its four transpositions, the six convolution passes, dense, the four activations; then
// the kernels without a separate reference (im2col, bias, batch norm, losses, Adam) against
// float64 models of their documented formulas.
//
// Error measure for anything that reduces: |fast - ref| over the componentwise bound
// |A|.|B| (the same reference run on absolute values), which stays meaningful under
// cancellation; the tolerance grows with the reduction length k. A wrong index or a
// dropped term costs about 1/k of the bound, far above the tolerance.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { EPS32, GP, buffers, convOut, core, maxRelError, randomFloats } from './helpers.mjs';

const tol = (k) => 4 * EPS32 * Math.sqrt(k) + 2 * EPS32;
const GUARD = 16; // floats past every output, which no kernel may touch
const SENTINEL = Math.fround(-7.75e21); // exact in float32

const abs = (x) => x.map(Math.abs);

/** max over i of |a - b| / bound (0 where all three are 0, Infinity for a NaN). */
function boundedError(a, b, bound) {
  let worst = 0;
  for (let i = 0; i < b.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (Number.isNaN(d) || Number.isNaN(bound[i])) return Infinity;
    if (d === 0) continue;
    worst = Math.max(worst, bound[i] > 0 ? d / bound[i] : Infinity);
  }
  return worst;
}

/** An output buffer of n floats (initial values, or NaN) followed by GUARD sentinels. */
function outBuffer(c, n, init) {
  const data = new Float32Array(n + GUARD).fill(SENTINEL);
  if (init) data.set(init);
  else data.fill(NaN, 0, n);
  return c.upload(data);
}

function guardIntact(c, p, n) {
  return c.read(p + 4 * n, GUARD).every((v) => v === SENTINEL);
}

// ---- sgemm ----

/** op(A).op(B) in float64 from row-major storage (the API's contract, restated). */
function gemmModel(ta, tb, M, N, K, A, lda, B, ldb) {
  const C = new Float64Array(M * N);
  for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
    let s = 0;
    for (let k = 0; k < K; k++) s += (ta ? A[k * lda + i] : A[i * lda + k]) * (tb ? B[j * ldb + k] : B[k * ldb + j]);
    C[i * N + j] = s;
  }
  return C;
}

/**
 * Runs sgemm FAST and REF on the same operands with the given strides; C is prefilled with
 * NaN (beta 0) or values (beta != 0), and the gaps between its rows and the floats after it
 * hold a sentinel. Returns the logical results, the bound, and whether the gaps survived.
 */
function gemmCase(c, { ta, tb, M, N, K, pad = 0, beta, seed }) {
  const lda = (ta ? M : K) + pad, ldb = (tb ? K : N) + pad, ldc = N + pad;
  const aRows = ta ? K : M, bRows = tb ? N : K;
  const A = randomFloats((aRows - 1) * lda + (ta ? M : K), seed);
  const B = randomFloats((bRows - 1) * ldb + (tb ? K : N), seed + 1);
  const nC = (M - 1) * ldc + N;
  const C0 = new Float32Array(nC + GUARD).fill(SENTINEL);
  const Cinit = randomFloats(M * N, seed + 2);
  for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) C0[i * ldc + j] = beta === 0 ? NaN : Cinit[i * N + j];
  const b = buffers(c, { A, B, absA: abs(A), absB: abs(B), C1: C0, C2: C0, C3: C0.map((v) => (Number.isNaN(v) ? v : Math.abs(v))) });
  c.call('sgemm', GP.FAST, ta, tb, M, N, K, b.A, lda, b.B, ldb, beta, b.C1, ldc);
  c.call('sgemm', GP.REF, ta, tb, M, N, K, b.A, lda, b.B, ldb, beta, b.C2, ldc);
  c.call('sgemm', GP.REF, ta, tb, M, N, K, b.absA, lda, b.absB, ldb, Math.abs(beta), b.C3, ldc);
  const all = [b.read('C1'), b.read('C2'), b.read('C3')];
  b.release();
  const logical = (x) => {
    const out = new Float32Array(M * N);
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) out[i * N + j] = x[i * ldc + j];
    return out;
  };
  let gapsIntact = true;
  for (const x of all.slice(0, 2)) {
    for (let i = 0; i < nC + GUARD; i++) {
      const inside = i < nC && i % ldc < N;
      if (!inside && x[i] !== SENTINEL) gapsIntact = false;
    }
  }
  const [fast, ref, bound] = all.map(logical);
  return { fast, ref, bound, gapsIntact, A, B, lda, ldb, Cinit };
}

test('sgemm: fast matches the reference over edge sizes, all transpositions, beta 0 and 1', async () => {
  const c = await core();
  const sizes = [1, 3, 4, 5, 7, 17, 64, 100];
  let cases = 0;
  for (const ta of [0, 1]) for (const tb of [0, 1]) for (const M of sizes) for (const N of sizes) {
    for (const K of [...sizes, 257, 600]) {
      const beta = (M + N + K + ta) % 2; // both betas across every size
      const r = gemmCase(c, { ta, tb, M, N, K, beta, seed: M * 7919 + N * 104729 + K * 31 + ta * 2 + tb });
      const what = `ta=${ta} tb=${tb} M=${M} N=${N} K=${K} beta=${beta}`;
      assert.ok(r.fast.every(Number.isFinite), `${what}: non-finite output (NaN in C leaked through beta 0?)`);
      const e = boundedError(r.fast, r.ref, r.bound);
      assert.ok(e <= tol(K + 1), `${what}: error ${e.toExponential(2)} > ${tol(K + 1).toExponential(2)} of |A||B|`);
      assert.ok(r.gapsIntact, `${what}: wrote outside C`);
      cases++;
    }
  }
  assert.equal(cases, 4 * 8 * 8 * 10);
});

test('sgemm: strided operands, beta -0.5, and the reference itself against a float64 model', async () => {
  const c = await core();
  let cases = 0;
  for (const ta of [0, 1]) for (const tb of [0, 1]) {
    for (const [M, N, K] of [[1, 1, 1], [3, 5, 7], [4, 8, 4], [5, 17, 3], [17, 9, 33], [9, 70, 300]]) {
      for (const [pad, beta] of [[0, 0], [3, 0], [5, 1], [2, -0.5]]) {
        const r = gemmCase(c, { ta, tb, M, N, K, pad, beta, seed: 97 * M + 13 * N + K + pad });
        const what = `ta=${ta} tb=${tb} ${M}x${N}x${K} pad=${pad} beta=${beta}`;
        assert.ok(r.gapsIntact, `${what}: wrote between the rows of C or past it`);
        assert.ok(boundedError(r.fast, r.ref, r.bound) <= tol(K + 1), `${what}: fast vs ref`);
        // the reference is the definition only if it computes the contract
        const model = gemmModel(ta, tb, M, N, K, r.A, r.lda, r.B, r.ldb);
        if (beta) for (let i = 0; i < M * N; i++) model[i] += beta * r.Cinit[i];
        assert.ok(boundedError(r.ref, model, r.bound) <= tol(K + 1), `${what}: ref vs float64 model`);
        cases++;
      }
    }
  }
  assert.equal(cases, 96);
});

test('sgemm: past every blocking boundary (M > 128, N > 2048, K > 256 and 512)', async () => {
  const c = await core();
  for (const [ta, tb, M, N, K] of [[0, 0, 130, 2059, 260], [1, 1, 131, 2050, 515], [0, 1, 129, 2100, 257], [1, 0, 133, 2049, 513]]) {
    const r = gemmCase(c, { ta, tb, M, N, K, beta: ta, seed: M + N + K });
    const e = boundedError(r.fast, r.ref, r.bound);
    assert.ok(e <= tol(K + 1), `ta=${ta} tb=${tb} ${M}x${N}x${K}: error ${e.toExponential(2)}`);
    assert.ok(r.gapsIntact, `ta=${ta} tb=${tb} ${M}x${N}x${K}: wrote outside C`);
  }
});

// ---- convolutions ----

const PASSES = [
  'conv2d_forward', 'conv2d_backward_data', 'conv2d_backward_weights',
  'conv_transpose2d_forward', 'conv_transpose2d_backward_data', 'conv_transpose2d_backward_weights',
];

/**
 * One pass, FAST and REF on the same data, plus REF on absolute values for the bound.
 * g: { N, H, W, C, OC, KH, KW, S, P } (OC is IC for the transposed passes).
 */
function convPass(c, pass, g, OH, OW, seed) {
  const { N, H, W, C, OC, KH, KW, S, P } = g;
  const nImg = N * H * W * C, nOut = N * OH * OW * OC, nW = KH * KW * C * OC;
  // [output size, first input size, second input size, bias size or 0, reduction length]
  const taps = Math.ceil(KH / S) * Math.ceil(KW / S);
  const spec = {
    conv2d_forward: [nOut, nImg, nW, OC, KH * KW * C],
    conv2d_backward_data: [nImg, nOut, nW, 0, OC * taps],
    conv2d_backward_weights: [nW, nOut, nImg, 0, N * OH * OW],
    conv_transpose2d_forward: [nImg, nOut, nW, C, OC * taps],
    conv_transpose2d_backward_data: [nOut, nImg, nW, 0, KH * KW * C],
    conv_transpose2d_backward_weights: [nW, nImg, nOut, 0, N * OH * OW],
  }[pass];
  const [nO, n1, n2, nb, k] = spec;
  const forward = nb > 0;
  const in1 = randomFloats(n1, seed), in2 = randomFloats(n2, seed + 1), bias = nb ? randomFloats(nb, seed + 2) : null;
  const init = forward ? null : randomFloats(nO, seed + 3); // backward passes accumulate onto this
  const b = buffers(c, { in1, in2, abs1: abs(in1), abs2: abs(in2), ...(bias ? { bias, absb: abs(bias) } : {}) });
  const outs = [outBuffer(c, nO, init), outBuffer(c, nO, init), outBuffer(c, nO, init && abs(init))];
  const geo = [N, H, W, C, OC, KH, KW, S, P];
  const run = (impl, out, x1, x2, xb) => c.call(pass, impl, out, x1, x2, ...(forward ? [xb] : []), ...geo);
  run(GP.FAST, outs[0], b.in1, b.in2, b.bias);
  run(GP.REF, outs[1], b.in1, b.in2, b.bias);
  run(GP.REF, outs[2], b.abs1, b.abs2, b.absb);
  const [fast, ref, bound] = outs.map((p) => c.read(p, nO));
  const guards = outs.slice(0, 2).every((p) => guardIntact(c, p, nO));
  const inputsKept = maxRelError(b.read('in1'), in1) === 0 && maxRelError(b.read('in2'), in2) === 0;
  outs.forEach((p) => c.free(p));
  b.release();
  return { fast, ref, bound, guards, inputsKept, k: k + 1 };
}

function checkGeometry(c, g, seed) {
  const OH = convOut(c, g.H, g.KH, g.S, g.P), OW = convOut(c, g.W, g.KW, g.S, g.P);
  if (OH === null || OW === null) return 0;
  for (const [i, pass] of PASSES.entries()) {
    const r = convPass(c, pass, g, OH, OW, seed + 10 * i);
    const what = `${pass} ${JSON.stringify(g)}`;
    assert.ok(r.fast.every(Number.isFinite), `${what}: non-finite output`);
    const e = boundedError(r.fast, r.ref, r.bound);
    assert.ok(e <= tol(r.k), `${what}: error ${e.toExponential(2)} > ${tol(r.k).toExponential(2)} (k=${r.k})`);
    assert.ok(r.guards, `${what}: wrote past its output`);
    assert.ok(r.inputsKept, `${what}: modified an input`);
  }
  return PASSES.length;
}

test('convolutions: the six passes match their direct references over kernel, stride, padding, channels', async () => {
  const c = await core();
  const CH = [1, 3, 5, 7, 17];
  let checked = 0, skipped = 0, i = 0;
  for (let K = 1; K <= 5; K++) for (let S = 1; S <= 3; S++) for (let P = 0; P <= 2; P++) {
    for (const [ci, C] of CH.entries()) {
      i++;
      const OC = CH[(ci + K + S + P) % 5];
      const H = [1, 2, 3, 5, 6, 7, 9][(i * 3) % 7], W = H + (i % 3); // some impossible on purpose
      const KW = i % 4 === 0 ? Math.max(1, K - 1) : K; // non-square kernels too
      const g = { N: 1 + (i % 3), H, W, C, OC, KH: K, KW, S, P };
      const n = checkGeometry(c, g, i * 101);
      if (n) checked += n;
      else skipped++;
    }
  }
  assert.ok(checked >= 6 * 150, `only ${checked / 6} geometries ran`);
  assert.ok(skipped > 0, 'the sweep should include impossible geometries (skipped via conv_out_size)');
});

test('convolutions: the model shapes (28x28x1 -> 14x14x32, 14x14x32 -> 7x7x64, k4 s2 p1) at batch 2, and blocking edges', async () => {
  const c = await core();
  const geoms = [
    { N: 2, H: 28, W: 28, C: 1, OC: 32, KH: 4, KW: 4, S: 2, P: 1 },
    { N: 2, H: 14, W: 14, C: 32, OC: 64, KH: 4, KW: 4, S: 2, P: 1 },
    { N: 1, H: 7, W: 7, C: 64, OC: 1, KH: 3, KW: 3, S: 1, P: 1 }, // K = 576: three reduction blocks
    { N: 3, H: 11, W: 6, C: 4, OC: 8, KH: 3, KW: 2, S: 1, P: 2 }, // chunked paths with padding
    { N: 2, H: 12, W: 12, C: 8, OC: 9, KH: 5, KW: 5, S: 3, P: 0 },
    { N: 1, H: 3, W: 4, C: 2, OC: 2055, KH: 1, KW: 2, S: 1, P: 0 }, // the bias row across two column blocks
  ];
  let n = 0;
  for (const [i, g] of geoms.entries()) n += checkGeometry(c, g, 5000 + 100 * i);
  assert.equal(n, 6 * geoms.length);
});

/** Direct NHWC convolution in float64, straight from the header's definition. */
function convModel(x, w, bias, { N, H, W, C, OC, KH, KW, S, P }, OH, OW) {
  const y = new Float64Array(N * OH * OW * OC);
  for (let n = 0; n < N; n++) for (let oh = 0; oh < OH; oh++) for (let ow = 0; ow < OW; ow++) for (let oc = 0; oc < OC; oc++) {
    let s = bias ? bias[oc] : 0;
    for (let kh = 0; kh < KH; kh++) for (let kw = 0; kw < KW; kw++) {
      const ih = oh * S - P + kh, iw = ow * S - P + kw;
      if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
      for (let ch = 0; ch < C; ch++) s += x[((n * H + ih) * W + iw) * C + ch] * w[((kh * KW + kw) * C + ch) * OC + oc];
    }
    y[((n * OH + oh) * OW + ow) * OC + oc] = s;
  }
  return y;
}

test('convolutions: the reference and im2col follow the documented NHWC and [KH*KW*C, OC] layouts', async () => {
  const c = await core();
  for (const g of [
    { N: 2, H: 5, W: 4, C: 3, OC: 2, KH: 3, KW: 2, S: 2, P: 1 },
    { N: 1, H: 6, W: 6, C: 1, OC: 4, KH: 4, KW: 4, S: 2, P: 1 },
  ]) {
    const OH = convOut(c, g.H, g.KH, g.S, g.P), OW = convOut(c, g.W, g.KW, g.S, g.P);
    const x = randomFloats(g.N * g.H * g.W * g.C, 1), w = randomFloats(g.KH * g.KW * g.C * g.OC, 2), bias = randomFloats(g.OC, 3);
    const ncol = c.call('conv_col_floats', g.N, g.H, g.W, g.C, g.KH, g.KW, g.S, g.P);
    assert.equal(ncol, g.N * OH * OW * g.KH * g.KW * g.C);
    const b = buffers(c, { x, w, bias, y: g.N * OH * OW * g.OC, col: ncol, cy: g.N * OH * OW * g.OC });
    c.call('conv2d_forward', GP.REF, b.y, b.x, b.w, b.bias, g.N, g.H, g.W, g.C, g.OC, g.KH, g.KW, g.S, g.P);
    const model = convModel(x, w, bias, g, OH, OW);
    assert.ok(maxRelError(b.read('y'), model) < 1e-6, `ref conv ${JSON.stringify(g)}`);
    // im2col then an ordinary GEMM (col . w) is the same convolution
    c.call('im2col', b.col, b.x, g.N, g.H, g.W, g.C, g.KH, g.KW, g.S, g.P);
    const K = g.KH * g.KW * g.C, rows = g.N * OH * OW;
    c.call('sgemm', GP.REF, 0, 0, rows, g.OC, K, b.col, K, b.w, g.OC, 0, b.cy, g.OC);
    const cy = b.read('cy');
    for (let r = 0; r < rows; r++) for (let o = 0; o < g.OC; o++) cy[r * g.OC + o] += bias[o];
    assert.ok(maxRelError(cy, model) < 1e-6, `im2col . w ${JSON.stringify(g)}`);
    b.release();
  }
});

// ---- dense ----

test('dense: forward and backward (any gradient may be null) match the reference', async () => {
  const c = await core();
  let cases = 0;
  for (const N of [1, 3, 5, 17, 64]) for (const I of [1, 4, 7, 100]) for (const O of [1, 3, 8, 17, 100]) {
    const seed = N * 10007 + I * 101 + O;
    const x = randomFloats(N * I, seed), w = randomFloats(I * O, seed + 1), bias = randomFloats(O, seed + 2);
    const dy = randomFloats(N * O, seed + 3);
    const what = `N=${N} I=${I} O=${O}`;
    const b = buffers(c, { x, w, bias, dy, ax: abs(x), aw: abs(w), ab: abs(bias), ady: abs(dy) });
    const withBias = (N + I + O) % 2 === 0;
    const fwd = [GP.FAST, GP.REF, GP.REF].map((impl, j) => {
      const y = outBuffer(c, N * O);
      if (j < 2) c.call('dense_forward', impl, y, b.x, b.w, withBias ? b.bias : 0, N, I, O);
      else c.call('dense_forward', impl, y, b.ax, b.aw, withBias ? b.ab : 0, N, I, O);
      const r = c.read(y, N * O), ok = guardIntact(c, y, N * O);
      c.free(y);
      assert.ok(ok, `${what}: forward wrote past y`);
      return r;
    });
    assert.ok(boundedError(fwd[0], fwd[1], fwd[2]) <= tol(I + 1), `${what}: forward`);
    // backward: which of dx, dw, db is requested cycles through all seven combinations
    const mask = 1 + (cases % 7);
    const sizes = { dx: N * I, dw: I * O, db: O };
    const names = ['dx', 'dw', 'db'].filter((_, j) => mask & (1 << j));
    const grads = [GP.FAST, GP.REF, GP.REF].map((impl, j) => {
      const ptr = {};
      for (const k of names) ptr[k] = outBuffer(c, sizes[k], j < 2 ? randomFloats(sizes[k], seed + 9) : abs(randomFloats(sizes[k], seed + 9)));
      const [px, pdy, pw] = j < 2 ? [b.x, b.dy, b.w] : [b.ax, b.ady, b.aw];
      c.call('dense_backward', impl, ptr.dx ?? 0, ptr.dw ?? 0, ptr.db ?? 0, pdy, px, pw, N, I, O);
      const out = {};
      for (const k of names) {
        out[k] = c.read(ptr[k], sizes[k]);
        assert.ok(guardIntact(c, ptr[k], sizes[k]), `${what}: backward wrote past ${k}`);
        c.free(ptr[k]);
      }
      return out;
    });
    const k = { dx: O + 1, dw: N + 1, db: N + 1 };
    for (const name of names) {
      const e = boundedError(grads[0][name], grads[1][name], grads[2][name]);
      assert.ok(e <= tol(k[name]), `${what}: ${name} error ${e}`);
    }
    b.release();
    cases++;
  }
  assert.equal(cases, 100);
});

// ---- activations ----

const KINDS = { relu: GP.RELU, leaky_relu: GP.LEAKY_RELU, tanh: GP.TANH, sigmoid: GP.SIGMOID };
const SLOPE = 0.2;
const activation = {
  relu: (x) => (x > 0 ? x : 0),
  leaky_relu: (x) => (x > 0 ? x : SLOPE * x),
  tanh: Math.tanh,
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
};
/** f' from x (leaky ReLU) or from y (the others), the argument the backward takes. */
const derivative = {
  relu: (y) => (y > 0 ? 1 : 0),
  leaky_relu: (x) => (x > 0 ? 1 : SLOPE),
  tanh: (y) => 1 - y * y,
  sigmoid: (y) => y * (1 - y),
};

test('activations: all four kinds, fast vs reference and vs their formulas, over SIMD bodies and tails', async () => {
  const c = await core();
  for (const [name, kind] of Object.entries(KINDS)) {
    for (const n of [1, 3, 4, 5, 7, 17, 64, 100]) {
      const x = randomFloats(n, n * 13 + kind, -6, 6);
      if (n > 4) x.set([0, -0, 1e-30, -1e-30]); // exact zeros and tiny values at the kinks
      const dy = randomFloats(n, n + 77), init = randomFloats(n, n + 78);
      const what = `${name} n=${n}`;
      const b = buffers(c, { x, dy, inplace: x });
      const y = [GP.FAST, GP.REF].map((impl) => {
        const p = outBuffer(c, n);
        c.call('activation_forward', impl, kind, p, b.x, n, SLOPE);
        assert.ok(guardIntact(c, p, n), `${what}: forward wrote past y`);
        const r = c.read(p, n);
        c.free(p);
        return r;
      });
      assert.deepEqual(y[0], y[1], `${what}: forward fast vs ref`);
      for (let i = 0; i < n; i++) {
        const want = activation[name](x[i]);
        assert.ok(Math.abs(y[0][i] - want) <= 4 * EPS32 * Math.max(Math.abs(want), 1e-30),
          `${what}: f(${x[i]}) = ${y[0][i]}, want ${want}`);
      }
      c.call('activation_forward', GP.FAST, kind, b.inplace, b.inplace, n, SLOPE); // y may alias x
      assert.deepEqual(b.read('inplace'), y[0], `${what}: in place`);
      const xy = name === 'leaky_relu' ? x : y[0];
      const pxy = c.upload(xy);
      const dx = [GP.FAST, GP.REF].map((impl) => {
        const p = outBuffer(c, n, init);
        c.call('activation_backward', impl, kind, p, b.dy, pxy, n, SLOPE);
        assert.ok(guardIntact(c, p, n), `${what}: backward wrote past dx`);
        const r = c.read(p, n);
        c.free(p);
        return r;
      });
      c.free(pxy);
      for (let i = 0; i < n; i++) {
        const want = init[i] + dy[i] * derivative[name](xy[i]);
        const slack = 4 * EPS32 * (Math.abs(init[i]) + Math.abs(dy[i]));
        assert.ok(Math.abs(dx[0][i] - want) <= slack, `${what}: fast backward [${i}] ${dx[0][i]} vs ${want}`);
        assert.ok(Math.abs(dx[1][i] - want) <= slack, `${what}: ref backward [${i}] ${dx[1][i]} vs ${want}`);
      }
      b.release();
    }
  }
});

test('activations: tanh and sigmoid stay finite and saturate for extreme inputs', async () => {
  const c = await core();
  const x = Float32Array.from([-1e30, -1e4, -100, -89, 89, 100, 1e4, 1e30]);
  const b = buffers(c, { x, y: x.length });
  c.call('activation_forward', GP.FAST, GP.SIGMOID, b.y, b.x, x.length, 0);
  const s = b.read('y');
  assert.ok(s.every((v) => Number.isFinite(v) && v >= 0 && v <= 1), `sigmoid ${s}`);
  assert.ok(s.slice(0, 4).every((v) => v < 1e-38), `sigmoid of large negatives: ${s}`); // exp(-100) is subnormal
  assert.deepEqual(Array.from(s.slice(4)), [1, 1, 1, 1]);
  c.call('activation_forward', GP.FAST, GP.TANH, b.y, b.x, x.length, 0);
  assert.deepEqual(Array.from(b.read('y')), [-1, -1, -1, -1, 1, 1, 1, 1]);
  b.release();
});

// relu_forward's SIMD body is f32x4.max, which keeps NaN; its reference (also the body's
// scalar tail) used to map NaN to 0, so a NaN came out as NaN or 0 depending on its index.
test('activations: NaN passes through and infinities saturate, alike in fast, reference, SIMD body and tail', async () => {
  const c = await core();
  const x = Float32Array.from([NaN, -Infinity, Infinity, NaN, -Infinity, NaN, Infinity, NaN, NaN]); // 8 in the body, 1 tail
  const bad = [];
  for (const [name, kind] of Object.entries(KINDS)) {
    for (const impl of [GP.FAST, GP.REF]) {
      const b = buffers(c, { x, y: x.length });
      c.call('activation_forward', impl, kind, b.y, b.x, x.length, SLOPE);
      const y = b.read('y');
      for (let i = 0; i < x.length; i++) {
        const want = Number.isNaN(x[i]) ? NaN : activation[name](x[i]); // NaN stays visible
        if (!Object.is(y[i], want)) bad.push(`${name} impl ${impl}: f(${x[i]}) at [${i}] = ${y[i]}, want ${want}`);
      }
      b.release();
    }
  }
  assert.deepEqual(bad, []);
});

// ---- kernels without a separate reference, against float64 models ----

test('bias_backward adds the column sums of dy', async () => {
  const c = await core();
  for (const [rows, C] of [[1, 1], [7, 3], [50, 4], [33, 17]]) {
    const dy = randomFloats(rows * C, rows + C), init = randomFloats(C, 5);
    const b = buffers(c, { dy });
    const db = outBuffer(c, C, init);
    c.call('bias_backward', db, b.dy, rows, C);
    const want = Float64Array.from(init);
    for (let r = 0; r < rows; r++) for (let j = 0; j < C; j++) want[j] += dy[r * C + j];
    assert.ok(maxRelError(c.read(db, C), want, 1) <= tol(rows + 1), `rows=${rows} C=${C}`);
    assert.ok(guardIntact(c, db, C));
    c.free(db);
    b.release();
  }
});

test('batch norm: train and infer forward, running statistics and backward follow their formulas', async () => {
  const c = await core();
  for (const [rows, C] of [[2, 1], [6, 3], [50, 5], [2 * 7 * 7, 17]]) {
    const x = randomFloats(rows * C, rows * C, -2, 3), gamma = randomFloats(C, 2, 0.5, 1.5), beta = randomFloats(C, 3);
    const rm0 = randomFloats(C, 4), rv0 = randomFloats(C, 5, 0.5, 2), dy = randomFloats(rows * C, 6);
    const dx0 = randomFloats(rows * C, 7), dg0 = randomFloats(C, 8), db0 = randomFloats(C, 9);
    const momentum = 0.1, eps = 1e-5;
    const b = buffers(c, {
      x, gamma, beta, rm: rm0, rv: rv0, dy, dx: dx0, dg: dg0, db: db0,
      y: rows * C, xhat: rows * C, mean: C, invstd: C, yi: rows * C,
    });
    c.call('batchnorm_forward_train', b.y, b.xhat, b.mean, b.invstd, b.rm, b.rv, b.x, b.gamma, b.beta, rows, C, momentum, eps);
    c.call('batchnorm_backward', b.dx, b.dg, b.db, b.dy, b.xhat, b.gamma, b.invstd, rows, C);
    c.call('batchnorm_forward_infer', b.yi, b.x, b.gamma, b.beta, b.rm, b.rv, rows, C, eps);
    const want = { mean: [], invstd: [], rm: [], rv: [], y: [], xhat: [], yi: [], dx: [], dg: [], db: [] };
    for (let j = 0; j < C; j++) {
      let m = 0, v = 0;
      for (let r = 0; r < rows; r++) m += x[r * C + j];
      m /= rows;
      for (let r = 0; r < rows; r++) v += (x[r * C + j] - m) ** 2;
      v /= rows;
      const is = 1 / Math.sqrt(v + eps);
      want.mean[j] = m, want.invstd[j] = is;
      want.rm[j] = (1 - momentum) * rm0[j] + momentum * m;
      want.rv[j] = (1 - momentum) * rv0[j] + momentum * v * rows / (rows - 1);
      let sdy = 0, sdyh = 0;
      for (let r = 0; r < rows; r++) {
        const i = r * C + j, h = (x[i] - m) * is;
        want.xhat[i] = h, want.y[i] = gamma[j] * h + beta[j];
        sdy += dy[i], sdyh += dy[i] * h;
      }
      want.dg[j] = dg0[j] + sdyh, want.db[j] = db0[j] + sdy;
      for (let r = 0; r < rows; r++) {
        const i = r * C + j;
        want.dx[i] = dx0[i] + gamma[j] * is / rows * (rows * dy[i] - sdy - want.xhat[i] * sdyh);
        want.yi[i] = gamma[j] * (x[i] - want.rm[j]) / Math.sqrt(want.rv[j] + eps) + beta[j];
      }
    }
    for (const [k, t] of Object.entries({ mean: 1e-6, invstd: 1e-6, rm: 1e-6, rv: 1e-6, y: 1e-6, xhat: 1e-6, yi: 1e-6, dx: 2e-5, dg: 1e-5, db: 1e-5 })) {
      const e = maxRelError(b.read(k), want[k], 1);
      assert.ok(e <= t, `rows=${rows} C=${C} ${k}: ${e}`);
    }
    b.release();
  }
});

test('losses: bce_with_logits and mse, forward means and scaled backward, finite at extreme logits', async () => {
  const c = await core();
  const n = 37;
  const z = randomFloats(n, 1, -5, 5), t = randomFloats(n, 2, 0, 1);
  z.set([-100, 100, -1e4, 1e4, 0]);
  const scale = -1.5, g0 = randomFloats(n, 3);
  const b = buffers(c, { z, t, loss: 1, dz: g0, dp: g0 });
  c.call('bce_with_logits', b.loss, b.z, b.t, n);
  let want = 0;
  for (let i = 0; i < n; i++) want += Math.max(z[i], 0) - z[i] * t[i] + Math.log1p(Math.exp(-Math.abs(z[i])));
  want /= n;
  assert.ok(Math.abs(b.read('loss')[0] - want) <= 1e-6 * want, `bce ${b.read('loss')[0]} vs ${want}`);
  c.call('bce_with_logits_backward', b.dz, b.z, b.t, n, scale);
  const wantDz = Array.from(z, (zi, i) => g0[i] + (scale / n) * (1 / (1 + Math.exp(-zi)) - t[i]));
  assert.ok(maxRelError(b.read('dz'), wantDz, 1) < 1e-6, 'bce backward');
  c.call('mse', b.loss, b.z, b.t, n);
  want = 0;
  for (let i = 0; i < n; i++) want += (z[i] - t[i]) ** 2;
  want /= n;
  assert.ok(Math.abs(b.read('loss')[0] - want) <= 1e-6 * want, `mse ${b.read('loss')[0]} vs ${want}`);
  c.call('mse_backward', b.dp, b.z, b.t, n, scale);
  const wantDp = Array.from(z, (zi, i) => g0[i] + (2 * scale / n) * (zi - t[i]));
  assert.ok(maxRelError(b.read('dp'), wantDp, 1) < 1e-6, 'mse backward');
  b.release();
});

test('optimisers: Adam with bias correction and SGD follow their formulas over several steps', async () => {
  const c = await core();
  const n = 23, lr = 1e-2, b1 = 0.5, b2 = 0.999, eps = 1e-8;
  const p = Float64Array.from(randomFloats(n, 1)), m = new Float64Array(n), v = new Float64Array(n);
  const b = buffers(c, { p: Float32Array.from(p), g: n, m: n, v: n, sp: Float32Array.from(p) });
  for (let t = 1; t <= 6; t++) {
    const g = randomFloats(n, 10 + t, -3, 3);
    b.write('g', g);
    c.call('adam_update', b.p, b.g, b.m, b.v, n, lr, b1, b2, eps, t);
    for (let i = 0; i < n; i++) {
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      p[i] -= lr * (m[i] / (1 - b1 ** t)) / (Math.sqrt(v[i] / (1 - b2 ** t)) + eps);
    }
    assert.ok(maxRelError(b.read('m'), m, 1) < 1e-6, `m after step ${t}`);
    assert.ok(maxRelError(b.read('v'), v, 1) < 1e-6, `v after step ${t}`);
    assert.ok(maxRelError(b.read('p'), p, 1) < 1e-6, `p after step ${t}`);
  }
  const sp = b.read('sp'), g = b.read('g');
  c.call('sgd_update', b.sp, b.g, n, 0.25);
  assert.ok(maxRelError(b.read('sp'), Array.from(sp, (x, i) => x - 0.25 * g[i]), 1) < 1e-7, 'sgd');
  b.release();
});
