// Same seed, same bits: the random streams, a convolution forward + backward chain and an
// Adam sequence give bit-identical results across two runs in one core and across two
// separately instantiated cores; different seeds give different results.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { GP, buffers, core, loadCore, randomFloats } from './helpers.mjs';

/** Bit-for-bit equality of two Float32Arrays (NaN payloads and -0 included). */
function sameBits(a, b) {
  if (a.length !== b.length) return false;
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length), y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** Floats drawn from one stream in several calls of the given lengths. */
function draw(c, seedLo, seedHi, kind, lengths, lo = 0, hi = 1) {
  const r = c.call('rng_create', seedLo, seedHi);
  const total = lengths.reduce((s, n) => s + n, 0);
  const p = c.alloc(total);
  let at = 0;
  for (const n of lengths) {
    c.call(kind === 'normal' ? 'rng_normal' : 'rng_uniform', r, p + 4 * at, n, lo, hi);
    at += n;
  }
  const out = c.read(p, total);
  c.free(p);
  c.call('rng_destroy', r);
  return out;
}

/** Unrelated work of other sizes, to dirty the kernels' static packing buffers. */
function scribble(c, seed) {
  const [M, N, K] = [37, 300, 513];
  const b = buffers(c, { A: randomFloats(M * K, seed), B: randomFloats(K * N, seed + 1), C: M * N });
  c.call('sgemm', GP.FAST, 1, 1, M, N, K, b.A, M, b.B, K, 0, b.C, N);
  b.release();
}

/**
 * x -> conv2d (k4 s2 p1) -> leaky ReLU -> conv_transpose2d back to x's shape -> mse against
 * x, then the whole backward pass and one Adam step on each weight. Everything from the seed.
 */
function convChain(c, seed, impl = GP.FAST) {
  const [N, H, C, OC, K, S, P] = [2, 12, 3, 8, 4, 2, 1];
  const OH = c.call('conv_out_size', H, K, S, P);
  const nx = N * H * H * C, nh = N * OH * OH * OC, nw = K * K * C * OC;
  const geo = [N, H, H, C, OC, K, K, S, P];
  const b = buffers(c, {
    x: nx, w1: nw, b1: OC, w2: nw, b2: C, h: nh, a: nh, y: nx, loss: 1,
    dy: nx, da: nh, dh: nh, dw1: nw, db1: OC, dw2: nw, db2: C, dx: nx, m: nw, v: nw,
  });
  const r = c.call('rng_create', seed, 0);
  c.call('rng_normal', r, b.x, nx, 0, 1);
  c.call('rng_normal', r, b.w1, nw, 0, 0.2);
  c.call('rng_normal', r, b.w2, nw, 0, 0.2);
  c.call('rng_uniform', r, b.b1, OC, -0.1, 0.1);
  c.call('rng_destroy', r);
  c.call('conv2d_forward', impl, b.h, b.x, b.w1, b.b1, ...geo);
  c.call('activation_forward', impl, GP.LEAKY_RELU, b.a, b.h, nh, 0.2);
  c.call('conv_transpose2d_forward', impl, b.y, b.a, b.w2, b.b2, ...geo);
  c.call('mse', b.loss, b.y, b.x, nx);
  c.call('mse_backward', b.dy, b.y, b.x, nx, 1);
  c.call('conv_transpose2d_backward_data', impl, b.da, b.dy, b.w2, ...geo);
  c.call('conv_transpose2d_backward_weights', impl, b.dw2, b.dy, b.a, ...geo);
  c.call('bias_backward', b.db2, b.dy, N * H * H, C);
  c.call('activation_backward', impl, GP.LEAKY_RELU, b.dh, b.da, b.h, nh, 0.2);
  c.call('conv2d_backward_data', impl, b.dx, b.dh, b.w1, ...geo);
  c.call('conv2d_backward_weights', impl, b.dw1, b.dh, b.x, ...geo);
  c.call('bias_backward', b.db1, b.dh, N * OH * OH, OC);
  c.call('adam_update', b.w1, b.dw1, b.m, b.v, nw, 1e-3, 0.5, 0.999, 1e-8, 1);
  const out = Object.fromEntries(['y', 'loss', 'dx', 'dw1', 'db1', 'dw2', 'db2', 'w1'].map((k) => [k, b.read(k)]));
  b.release();
  return out;
}

/** Ten Adam steps on gradients drawn from a seeded stream; returns p, m, v. */
function adamSequence(c, seed) {
  const n = 103;
  const b = buffers(c, { p: n, g: n, m: n, v: n });
  const r = c.call('rng_create', seed, 1);
  c.call('rng_normal', r, b.p, n, 0, 1);
  for (let t = 1; t <= 10; t++) {
    c.call('rng_normal', r, b.g, n, 0, 1 / t);
    c.call('adam_update', b.p, b.g, b.m, b.v, n, 2e-3, 0.9, 0.999, 1e-8, t);
  }
  c.call('rng_destroy', r);
  const out = { p: b.read('p'), m: b.read('m'), v: b.read('v') };
  b.release();
  return out;
}

function assertSame(a, b, what) {
  for (const k of Object.keys(a)) assert.ok(sameBits(a[k], b[k]), `${what}: ${k} differs`);
}

function assertDifferent(a, b, what) {
  for (const k of Object.keys(a)) assert.ok(!sameBits(a[k], b[k]), `${what}: ${k} is identical`);
}

test('random streams: same seed, same bits, however the draws are split; other seeds differ', async () => {
  const c1 = await core(), c2 = await loadCore({ full: true });
  for (const kind of ['normal', 'uniform']) {
    const a = draw(c1, 2026, 7, kind, [1001]);
    assert.ok(sameBits(a, draw(c1, 2026, 7, kind, [1001])), `${kind}: second run`);
    assert.ok(sameBits(a, draw(c2, 2026, 7, kind, [1001])), `${kind}: second core`);
    // an odd split leaves a Box-Muller spare between calls: the stream must carry it
    assert.ok(sameBits(a, draw(c1, 2026, 7, kind, [7, 1, 500, 493])), `${kind}: split draws`);
    assert.ok(!sameBits(a, draw(c1, 2027, 7, kind, [1001])), `${kind}: seed_lo changes the stream`);
    assert.ok(!sameBits(a, draw(c1, 2026, 8, kind, [1001])), `${kind}: seed_hi changes the stream`);
  }
  // the streams are what they claim: N(mean, std) and U[lo, hi)
  const z = draw(c1, 11, 0, 'normal', [40000], 3, 2);
  let m = 0, v = 0;
  for (const x of z) m += x;
  m /= z.length;
  for (const x of z) v += (x - m) ** 2;
  const sd = Math.sqrt(v / z.length);
  assert.ok(Math.abs(m - 3) < 0.05 && Math.abs(sd - 2) < 0.05, `normal(3, 2): mean ${m}, std ${sd}`);
  const u = draw(c1, 12, 0, 'uniform', [40000], -2, 6);
  assert.ok(u.every((x) => x >= -2 && x < 6), 'uniform stays in [lo, hi)');
  const mu = u.reduce((s, x) => s + x, 0) / u.length;
  assert.ok(Math.abs(mu - 2) < 0.05, `uniform(-2, 6) mean ${mu}`);
});

test('a conv forward + backward chain is bit-identical across runs and cores, for both implementations', async () => {
  const c1 = await core(), c2 = await loadCore({ full: true });
  for (const impl of [GP.FAST, GP.REF]) {
    const a = convChain(c1, 42, impl);
    assert.ok(a.dx.some((x) => x !== 0) && a.dw1.some((x) => x !== 0), 'the chain computes something');
    scribble(c1, 5);
    assertSame(a, convChain(c1, 42, impl), `impl ${impl}: second run after other work`);
    assertSame(a, convChain(c2, 42, impl), `impl ${impl}: second core`);
    assertDifferent(a, convChain(c1, 43, impl), `impl ${impl}: another seed`);
  }
});

test('an Adam sequence is bit-identical across runs and cores; another seed differs', async () => {
  const c1 = await core(), c2 = await loadCore({ full: true });
  const a = adamSequence(c1, 9);
  assertSame(a, adamSequence(c1, 9), 'second run');
  assertSame(a, adamSequence(c2, 9), 'second core');
  assertDifferent(a, adamSequence(c2, 10), 'another seed');
});
