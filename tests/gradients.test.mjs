// Backward passes against central finite differences of their forwards, through the wasm
// API: conv2d and conv_transpose2d (x, w, and b via bias_backward), dense, batch norm in
// training mode, the four activations, bce_with_logits and mse. Then the adjoint
// identities that tie the convolution passes together: <deconv(x), y> == <x, conv(y)>
// with the same weights, and <im2col(x), c> == <x, col2im(c)>.
//
// A forward layer's scalar loss is <f(inputs), r> for a fixed random r (in float64), so the
// analytic gradient is the backward pass with dy = r. Errors are |analytic - numeric| over
// max(|analytic|, |numeric|, a tenth of the largest gradient), stable near zero.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { EPS32, GP, buffers, centralDiff, convOut, core, dot, gradError, maxAbs, randomFloats } from './helpers.mjs';

/**
 * Compares analytic[i] with the central difference of loss() over values[i] for every i
 * (values live in the core at ptr; loss() runs the forward there). Returns how many
 * coordinates were checked.
 */
function checkGradient(c, what, { values, ptr, loss, analytic, h, tol, skip = () => false }) {
  assert.equal(analytic.length, values.length, `${what}: gradient length`);
  const scale = Math.max(0.1 * maxAbs(analytic), 1e-6);
  const f = () => (c.write(ptr, values), loss());
  let checked = 0, worst = 0, at = -1, numAt = 0;
  for (let i = 0; i < values.length; i++) {
    if (skip(i)) continue;
    const numeric = centralDiff(f, values, i, h);
    const e = gradError(analytic[i], numeric, scale);
    if (!(e <= worst)) worst = e, at = i, numAt = numeric;
    checked++;
  }
  c.write(ptr, values);
  assert.ok(worst <= tol, `${what}: error ${worst.toExponential(2)} at [${at}]: analytic ${analytic[at]} vs numeric ${numAt}`);
  return checked;
}

// ---- convolutions ----

const CONV_GEOMS = [
  { N: 2, H: 5, W: 6, C: 3, OC: 4, KH: 3, KW: 3, S: 2, P: 1 },
  { N: 1, H: 8, W: 8, C: 2, OC: 3, KH: 4, KW: 4, S: 2, P: 1 }, // the model's k4 s2 p1
  { N: 1, H: 6, W: 5, C: 5, OC: 2, KH: 2, KW: 3, S: 1, P: 0 },
  { N: 2, H: 4, W: 4, C: 4, OC: 8, KH: 3, KW: 3, S: 3, P: 2 }, // taps wholly in the padding
];

test('conv2d: backward data, weights and bias match finite differences of the forward', async () => {
  const c = await core();
  for (const [gi, g] of CONV_GEOMS.entries()) {
    const { N, H, W, C, OC, KH, KW, S, P } = g;
    const OH = convOut(c, H, KH, S, P), OW = convOut(c, W, KW, S, P);
    const geo = [N, H, W, C, OC, KH, KW, S, P];
    const nx = N * H * W * C, ny = N * OH * OW * OC, nw = KH * KW * C * OC;
    const x = randomFloats(nx, gi + 1), w = randomFloats(nw, gi + 2), bias = randomFloats(OC, gi + 3);
    const r = randomFloats(ny, gi + 4);
    const b = buffers(c, { x, w, bias, r, y: ny, dx: nx, dw: nw, db: OC });
    const loss = () => {
      c.call('conv2d_forward', GP.FAST, b.y, b.x, b.w, b.bias, ...geo);
      return dot(b.read('y'), r);
    };
    c.call('conv2d_backward_data', GP.FAST, b.dx, b.r, b.w, ...geo);
    c.call('conv2d_backward_weights', GP.FAST, b.dw, b.r, b.x, ...geo);
    c.call('bias_backward', b.db, b.r, N * OH * OW, OC);
    const what = `conv2d ${JSON.stringify(g)}`;
    // the loss is linear in each argument: a large step has no truncation error
    let n = checkGradient(c, `${what} dx`, { values: x, ptr: b.x, loss, analytic: b.read('dx'), h: 0.25, tol: 1e-4 });
    n += checkGradient(c, `${what} dw`, { values: w, ptr: b.w, loss, analytic: b.read('dw'), h: 0.25, tol: 1e-4 });
    n += checkGradient(c, `${what} db`, { values: bias, ptr: b.bias, loss, analytic: b.read('db'), h: 0.25, tol: 1e-4 });
    assert.equal(n, nx + nw + OC);
    b.release();
  }
});

test('conv_transpose2d: backward data, weights and bias match finite differences of the forward', async () => {
  const c = await core();
  for (const [gi, g] of CONV_GEOMS.entries()) {
    // the transposed conv of the same geometry: x-space [N, OH, OW, IC] -> y-space [N, H, W, C]
    const { N, H, W, C, OC: IC, KH, KW, S, P } = g;
    const OH = convOut(c, H, KH, S, P), OW = convOut(c, W, KW, S, P);
    const geo = [N, H, W, C, IC, KH, KW, S, P];
    const nx = N * OH * OW * IC, ny = N * H * W * C, nw = KH * KW * C * IC;
    const x = randomFloats(nx, gi + 11), w = randomFloats(nw, gi + 12), bias = randomFloats(C, gi + 13);
    const r = randomFloats(ny, gi + 14);
    const b = buffers(c, { x, w, bias, r, y: ny, dx: nx, dw: nw, db: C });
    const loss = () => {
      c.call('conv_transpose2d_forward', GP.FAST, b.y, b.x, b.w, b.bias, ...geo);
      return dot(b.read('y'), r);
    };
    c.call('conv_transpose2d_backward_data', GP.FAST, b.dx, b.r, b.w, ...geo);
    c.call('conv_transpose2d_backward_weights', GP.FAST, b.dw, b.r, b.x, ...geo);
    c.call('bias_backward', b.db, b.r, N * H * W, C);
    const what = `conv_transpose2d ${JSON.stringify(g)}`;
    let n = checkGradient(c, `${what} dx`, { values: x, ptr: b.x, loss, analytic: b.read('dx'), h: 0.25, tol: 1e-4 });
    n += checkGradient(c, `${what} dw`, { values: w, ptr: b.w, loss, analytic: b.read('dw'), h: 0.25, tol: 1e-4 });
    n += checkGradient(c, `${what} db`, { values: bias, ptr: b.bias, loss, analytic: b.read('db'), h: 0.25, tol: 1e-4 });
    assert.equal(n, nx + nw + C);
    b.release();
  }
});

test('dense: backward dx, dw, db match finite differences of the forward', async () => {
  const c = await core();
  for (const [N, I, O] of [[1, 1, 1], [3, 5, 4], [6, 17, 9]]) {
    const x = randomFloats(N * I, N + 1), w = randomFloats(I * O, I + 2), bias = randomFloats(O, O + 3);
    const r = randomFloats(N * O, 4);
    const b = buffers(c, { x, w, bias, r, y: N * O, dx: N * I, dw: I * O, db: O });
    const loss = () => {
      c.call('dense_forward', GP.FAST, b.y, b.x, b.w, b.bias, N, I, O);
      return dot(b.read('y'), r);
    };
    c.call('dense_backward', GP.FAST, b.dx, b.dw, b.db, b.r, b.x, b.w, N, I, O);
    const what = `dense N=${N} I=${I} O=${O}`;
    for (const [k, values] of [['x', x], ['w', w], ['bias', bias]]) {
      const analytic = b.read({ x: 'dx', w: 'dw', bias: 'db' }[k]);
      checkGradient(c, `${what} d${k}`, { values, ptr: b[k], loss, analytic, h: 0.25, tol: 1e-4 });
    }
    b.release();
  }
});

// ---- batch norm ----

test('batch norm (training mode): backward dx, dgamma, dbeta match finite differences', async () => {
  const c = await core();
  for (const [rows, C] of [[4, 1], [6, 3], [2 * 3 * 3, 5]]) {
    const x = randomFloats(rows * C, rows * 7 + C, -2, 2), gamma = randomFloats(C, 2, 0.5, 2), beta = randomFloats(C, 3);
    const r = randomFloats(rows * C, 4);
    const b = buffers(c, {
      x, gamma, beta, r, y: rows * C, xhat: rows * C, mean: C, invstd: C, rm: C, rv: C,
      dx: rows * C, dg: C, db: C,
    });
    const forward = () => c.call('batchnorm_forward_train', b.y, b.xhat, b.mean, b.invstd, b.rm, b.rv, b.x, b.gamma, b.beta, rows, C, 0.1, 1e-5);
    const loss = () => (forward(), dot(b.read('y'), r));
    forward();
    c.call('batchnorm_backward', b.dx, b.dg, b.db, b.r, b.xhat, b.gamma, b.invstd, rows, C);
    const what = `batchnorm rows=${rows} C=${C}`;
    checkGradient(c, `${what} dx`, { values: x, ptr: b.x, loss, analytic: b.read('dx'), h: 1e-2, tol: 2e-3 });
    checkGradient(c, `${what} dgamma`, { values: gamma, ptr: b.gamma, loss, analytic: b.read('dg'), h: 0.25, tol: 1e-4 });
    checkGradient(c, `${what} dbeta`, { values: beta, ptr: b.beta, loss, analytic: b.read('db'), h: 0.25, tol: 1e-4 });
    // the normalised output is invariant to a shift of a channel: its gradient sums to 0
    const dx = b.read('dx');
    for (let j = 0; j < C; j++) {
      let s = 0, m = 0;
      for (let i = 0; i < rows; i++) s += dx[i * C + j], m = Math.max(m, Math.abs(dx[i * C + j]));
      assert.ok(Math.abs(s) <= 1e-5 * rows * m, `${what}: channel ${j} dx sums to ${s}`);
    }
    b.release();
  }
});

// ---- activations and losses ----

test('activations: backward matches finite differences for all four kinds (ReLU kinks skipped)', async () => {
  const c = await core();
  const n = 41;
  for (const [name, kind] of Object.entries({ relu: GP.RELU, leaky_relu: GP.LEAKY_RELU, tanh: GP.TANH, sigmoid: GP.SIGMOID })) {
    const x = randomFloats(n, kind + 1, -4, 4), r = randomFloats(n, kind + 2);
    const b = buffers(c, { x, r, y: n, dx: n });
    const loss = () => (c.call('activation_forward', GP.FAST, kind, b.y, b.x, n, 0.2), dot(b.read('y'), r));
    loss();
    // backward takes x for leaky ReLU and the forward's output y for the others
    c.call('activation_backward', GP.FAST, kind, b.dx, b.r, kind === GP.LEAKY_RELU ? b.x : b.y, n, 0.2);
    const piecewise = kind === GP.RELU || kind === GP.LEAKY_RELU;
    const h = piecewise ? 0.1 : 1e-2; // piecewise linear: exact away from the kink
    const checked = checkGradient(c, name, {
      values: x, ptr: b.x, loss, analytic: b.read('dx'), h, tol: piecewise ? 1e-4 : 1e-3,
      skip: (i) => piecewise && Math.abs(x[i]) < 2 * h, // the step would straddle the kink
    });
    assert.ok(checked >= n - 5, `${name}: only ${checked} points checked`);
    b.release();
  }
});

test('bce_with_logits and mse: backward matches finite differences of the mean, scale applied', async () => {
  const c = await core();
  const n = 13;
  const z = randomFloats(n, 1, -6, 6), t = randomFloats(n, 2, 0, 1);
  t.set([0, 1], 0); // hard targets too
  for (const [name, scale] of [['bce_with_logits', 1], ['bce_with_logits', -0.5], ['mse', 1], ['mse', 3]]) {
    const b = buffers(c, { z, t, loss: 1, dz: n });
    const loss = () => (c.call(name, b.loss, b.z, b.t, n), scale * b.read('loss')[0]);
    c.call(`${name}_backward`, b.dz, b.z, b.t, n, scale);
    checkGradient(c, `${name} scale ${scale}`, { values: z, ptr: b.z, loss, analytic: b.read('dz'), h: 2e-2, tol: 2e-3 });
    b.release();
  }
});

// ---- adjoint identities ----

test('adjoint: <conv_transpose2d(x), y> == <x, conv2d(y)> with the same weights, over many geometries', async () => {
  const c = await core();
  let checked = 0;
  const geoms = [
    [2, 28, 28, 1, 32, 4, 4, 2, 1], [1, 14, 14, 32, 64, 4, 4, 2, 1], [3, 9, 7, 5, 7, 3, 2, 2, 0],
  ];
  for (let K = 1; K <= 5; K++) for (let S = 1; S <= 3; S++) for (let P = 0; P <= 2; P++) {
    geoms.push([1 + ((K + S) % 2), 4 + K + P, 6 + S, [1, 3, 5][(K + P) % 3], [2, 7, 17][(S + K) % 3], K, K > 1 ? K - (S % 2) : 1, S, P]);
  }
  for (const [gi, [N, H, W, C, IC, KH, KW, S, P]] of geoms.entries()) {
    const OH = convOut(c, H, KH, S, P), OW = convOut(c, W, KW, S, P);
    if (OH === null || OW === null) continue;
    const geo = [N, H, W, C, IC, KH, KW, S, P];
    const nx = N * OH * OW * IC, ny = N * H * W * C, nw = KH * KW * C * IC;
    const x = randomFloats(nx, gi + 100), y = randomFloats(ny, gi + 200), w = randomFloats(nw, gi + 300);
    const b = buffers(c, { x, y, w, ax: x.map(Math.abs), ay: y.map(Math.abs), aw: w.map(Math.abs), tx: ny, cy: nx, bound: nx });
    c.call('conv_transpose2d_forward', GP.FAST, b.tx, b.x, b.w, 0, ...geo);
    c.call('conv2d_forward', GP.FAST, b.cy, b.y, b.w, 0, ...geo);
    c.call('conv2d_forward', GP.REF, b.bound, b.ay, b.aw, 0, ...geo);
    const lhs = dot(b.read('tx'), y), rhs = dot(x, b.read('cy')), bound = dot(b.read('bound'), b.read('ax'));
    const k = KH * KW * Math.max(C, IC);
    assert.ok(Math.abs(lhs - rhs) <= 4 * EPS32 * Math.sqrt(k) * bound, `${JSON.stringify(geo)}: ${lhs} vs ${rhs} (bound ${bound})`);
    b.release();
    checked++;
  }
  assert.ok(checked >= 40, `only ${checked} geometries`);
});

test('adjoint: <im2col(x), c> == <x, col2im(c)>, and col2im accumulates', async () => {
  const c = await core();
  let checked = 0;
  for (const [gi, [N, H, W, C, KH, KW, S, P]] of [
    [1, 5, 5, 1, 3, 3, 1, 1], [2, 7, 6, 3, 3, 2, 2, 0], [1, 8, 8, 4, 4, 4, 2, 1], [2, 6, 9, 5, 5, 5, 3, 2],
    [1, 4, 4, 7, 1, 1, 2, 0], [1, 3, 3, 2, 5, 5, 1, 2],
  ].entries()) {
    const ncol = c.call('conv_col_floats', N, H, W, C, KH, KW, S, P);
    const nx = N * H * W * C;
    const x = randomFloats(nx, gi + 1), col = randomFloats(ncol, gi + 2), init = randomFloats(nx, gi + 3);
    const b = buffers(c, { x, col, ic: ncol, dx: init, zero: nx });
    c.call('im2col', b.ic, b.x, N, H, W, C, KH, KW, S, P);
    c.call('col2im', b.dx, b.col, N, H, W, C, KH, KW, S, P);
    c.call('col2im', b.zero, b.col, N, H, W, C, KH, KW, S, P);
    const fromZero = b.read('zero');
    const lhs = dot(b.read('ic'), col), rhs = dot(x, fromZero);
    assert.ok(Math.abs(lhs - rhs) <= 1e-5 * Math.sqrt(ncol), `im2col/col2im ${[N, H, W, C, KH, KW, S, P]}: ${lhs} vs ${rhs}`);
    // col2im adds to what dx held
    const dx = b.read('dx');
    for (let i = 0; i < nx; i++) {
      assert.ok(Math.abs(dx[i] - (init[i] + fromZero[i])) <= 1e-6 * (1 + Math.abs(fromZero[i])), `col2im accumulate [${i}]`);
    }
    b.release();
    checked++;
  }
  assert.equal(checked, 6);
});
