// The wasm kernels against their scalar references, through the same C API the page uses:
// sgemm in its four transpositions, the six convolution passes, dense, activations,
// the adjoint identity, and bit-identical results across runs and across instances.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { loadCore } from '../web/gan.js';
import { GP, buffers, core, dot, randomFloats, relDiff } from './helpers.mjs';

const tol = (k) => 2e-6 * Math.sqrt(k) + 1e-6;

test('sgemm matches its reference over edge sizes, all transpositions, beta 0 and 1', async () => {
  const c = await core();
  const sizes = [1, 3, 4, 5, 7, 17, 64, 100];
  let cases = 0;
  for (const ta of [0, 1]) for (const tb of [0, 1]) for (const M of sizes) for (const N of sizes) {
    for (const K of [1, 4, 7, 17, 300]) {
      const beta = (M + N + K) % 2;
      const A = randomFloats(M * K, M * 7 + K), B = randomFloats(K * N, N * 11 + K);
      const C0 = beta ? randomFloats(M * N, 5) : new Float32Array(M * N).fill(NaN);
      const b = buffers(c, { A, B, C: C0, D: C0 });
      const lda = ta ? M : K, ldb = tb ? K : N;
      c.call('sgemm', GP.FAST, ta, tb, M, N, K, b.A, lda, b.B, ldb, beta, b.C, N);
      c.call('sgemm', GP.REF, ta, tb, M, N, K, b.A, lda, b.B, ldb, beta, b.D, N);
      const d = relDiff(c.read(b.C, M * N), c.read(b.D, M * N));
      assert.ok(d <= tol(K) * Math.sqrt(K), `ta=${ta} tb=${tb} ${M}x${N}x${K} beta=${beta}: ${d}`);
      b.release();
      cases++;
    }
  }
  assert.equal(cases, 4 * 64 * 5);
});

const PASSES = [
  'conv2d_forward', 'conv2d_backward_data', 'conv2d_backward_weights',
  'conv_transpose2d_forward', 'conv_transpose2d_backward_data', 'conv_transpose2d_backward_weights',
];

/** Runs one pass with both implementations on the same inputs; returns the relative difference. */
function passDiff(c, pass, g, OH, OW) {
  const { N, H, W, C, OC, K, S, P } = g;
  const nIn = N * H * W * C, nOut = N * OH * OW * OC, nW = K * K * C * OC;
  const transpose = pass.startsWith('conv_transpose');
  // [output buffer size, first input size, second input size] for each pass
  const sizes = {
    conv2d_forward: [nOut, nIn, nW], conv2d_backward_data: [nIn, nOut, nW],
    conv2d_backward_weights: [nW, nOut, nIn], conv_transpose2d_forward: [nIn, nOut, nW],
    conv_transpose2d_backward_data: [nOut, nIn, nW], conv_transpose2d_backward_weights: [nW, nIn, nOut],
  }[pass];
  const init = randomFloats(sizes[0], 3); // backward passes accumulate onto this
  const b = buffers(c, {
    o1: init, o2: init, a: randomFloats(sizes[1], 5), w: randomFloats(sizes[2], 9),
    bias: randomFloats(Math.max(C, OC), 13),
  });
  const geo = [N, H, W, C, OC, K, K, S, P];
  const hasBias = pass.endsWith('forward');
  for (const [impl, out] of [[GP.FAST, b.o1], [GP.REF, b.o2]]) {
    const args = hasBias ? [out, b.a, b.w, b.bias] : [out, b.a, b.w];
    c.call(pass, impl, ...args, ...geo);
  }
  const d = relDiff(c.read(b.o1, sizes[0]), c.read(b.o2, sizes[0]));
  b.release();
  return { d, k: transpose ? OC * K * K : C * K * K + N * OH * OW };
}

test('the six convolution passes match their direct references', async () => {
  const c = await core();
  const geoms = [
    { N: 2, H: 28, W: 28, C: 1, OC: 32, K: 4, S: 2, P: 1 },
    { N: 2, H: 14, W: 14, C: 32, OC: 64, K: 4, S: 2, P: 1 },
  ];
  for (const H of [1, 3, 5, 7, 9]) for (const C of [1, 3, 5, 7, 17]) for (const K of [1, 2, 3, 4, 5]) {
    const S = 1 + ((H + C + K) % 3), P = (H + K) % 3;
    geoms.push({ N: 1 + (C % 3), H, W: H + (K % 2), C, OC: [1, 3, 5, 7, 17][(C + K) % 5], K, S, P });
  }
  let checked = 0;
  for (const g of geoms) {
    const OH = c.status('conv_out_size', g.H, g.K, g.S, g.P), OW = c.status('conv_out_size', g.W, g.K, g.S, g.P);
    if (OH < 0 || OW < 0) continue;
    for (const pass of PASSES) {
      const { d, k } = passDiff(c, pass, g, OH, OW);
      assert.ok(d <= tol(k) * 4, `${pass} ${JSON.stringify(g)}: ${d}`);
      checked++;
    }
  }
  assert.ok(checked > 300, `only ${checked} cases ran`);
});

test('adjoint identity: <conv_transpose2d(y), x> == <y, conv2d(x)>', async () => {
  const c = await core();
  for (const [N, H, C, OC, K, S, P] of [[2, 28, 1, 32, 4, 2, 1], [3, 9, 5, 7, 3, 2, 0], [1, 14, 32, 64, 4, 2, 1]]) {
    const OH = c.call('conv_out_size', H, K, S, P);
    const nx = N * H * H * C, ny = N * OH * OH * OC;
    const x = randomFloats(nx, 21), y = randomFloats(ny, 22);
    const b = buffers(c, { x, y, w: randomFloats(K * K * C * OC, 23), cx: new Float32Array(ny), ty: new Float32Array(nx) });
    c.call('conv2d_forward', GP.FAST, b.cx, b.x, b.w, 0, N, H, H, C, OC, K, K, S, P);
    c.call('conv_transpose2d_forward', GP.FAST, b.ty, b.y, b.w, 0, N, H, H, C, OC, K, K, S, P);
    const lhs = dot(c.read(b.ty, nx), x), rhs = dot(y, c.read(b.cx, ny));
    assert.ok(Math.abs(lhs - rhs) <= 1e-4 * (Math.abs(lhs) + Math.abs(rhs) + 1), `${lhs} vs ${rhs}`);
    b.release();
  }
});

test('dense and activations match their references', async () => {
  const c = await core();
  const [N, I, O] = [7, 13, 5];
  const b = buffers(c, {
    x: randomFloats(N * I, 1), w: randomFloats(I * O, 2), bias: randomFloats(O, 3),
    y1: new Float32Array(N * O), y2: new Float32Array(N * O), dy: randomFloats(N * O, 4),
    dx1: new Float32Array(N * I), dx2: new Float32Array(N * I), dw1: new Float32Array(I * O),
    dw2: new Float32Array(I * O), db1: new Float32Array(O), db2: new Float32Array(O),
  });
  c.call('dense_forward', GP.FAST, b.y1, b.x, b.w, b.bias, N, I, O);
  c.call('dense_forward', GP.REF, b.y2, b.x, b.w, b.bias, N, I, O);
  c.call('dense_backward', GP.FAST, b.dx1, b.dw1, b.db1, b.dy, b.x, b.w, N, I, O);
  c.call('dense_backward', GP.REF, b.dx2, b.dw2, b.db2, b.dy, b.x, b.w, N, I, O);
  for (const [p, q, n] of [[b.y1, b.y2, N * O], [b.dx1, b.dx2, N * I], [b.dw1, b.dw2, I * O], [b.db1, b.db2, O]]) {
    assert.ok(relDiff(c.read(p, n), c.read(q, n)) < 1e-5);
  }
  b.release();
  for (const kind of [GP.RELU, GP.LEAKY_RELU, GP.TANH, GP.SIGMOID]) {
    const n = 37; // SIMD body and scalar tail
    const a = buffers(c, {
      x: randomFloats(n, kind + 5).map((v) => v * 4), y1: new Float32Array(n), y2: new Float32Array(n),
      dy: randomFloats(n, 9), d1: randomFloats(n, 10), d2: randomFloats(n, 10),
    });
    c.call('activation_forward', GP.FAST, kind, a.y1, a.x, n, 0.2);
    c.call('activation_forward', GP.REF, kind, a.y2, a.x, n, 0.2);
    assert.deepEqual(c.read(a.y1, n), c.read(a.y2, n), `activation ${kind} forward`);
    const xy = kind === GP.LEAKY_RELU ? a.x : a.y1;
    c.call('activation_backward', GP.FAST, kind, a.d1, a.dy, xy, n, 0.2);
    c.call('activation_backward', GP.REF, kind, a.d2, a.dy, xy, n, 0.2);
    assert.ok(relDiff(c.read(a.d1, n), c.read(a.d2, n)) < 1e-6, `activation ${kind} backward`);
    a.release();
  }
});

test('same inputs give bit-identical results across runs and across core instances', async () => {
  const run = (c) => {
    const r = c.call('rng_create', 99, 0);
    const n = 2 * 14 * 14 * 32;
    const b = buffers(c, { x: new Float32Array(n), w: new Float32Array(16 * 32 * 64), y: new Float32Array(2 * 49 * 64) });
    c.call('rng_normal', r, b.x, n, 0, 1);
    c.call('rng_normal', r, b.w, 16 * 32 * 64, 0, 0.1);
    c.call('conv2d_forward', GP.FAST, b.y, b.x, b.w, 0, 2, 14, 14, 32, 64, 4, 4, 2, 1);
    const out = c.read(b.y, 2 * 49 * 64);
    b.release();
    c.call('rng_destroy', r);
    return out;
  };
  const c1 = await core(), c2 = await loadCore();
  const a = run(c1), b = run(c1), d = run(c2);
  assert.deepEqual(a, b);
  assert.deepEqual(a, d);
  assert.ok(a.some((v) => v !== 0));
});
