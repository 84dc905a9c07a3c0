// wasm and native agree: build/native/golden (tests/native/golden.c, built by make native)
// prints a fixed scenario from a fixed seed as JSON; the wasm runs the same scenario here,
// call for call, and the two must match: the uniform stream exactly (it is integer-derived),
// everything else within a relative tolerance (wasm's libm and glibc's may round log, sin,
// cos, exp, tanh and pow differently in the last bit, and training amplifies that a little).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { Dataset, Gan } from '../web/gan.js';
import { GP, core, maxRelError } from './helpers.mjs';

const GOLDEN = fileURLToPath(new URL('../build/native/golden', import.meta.url));
const SOURCE = fileURLToPath(new URL('./native/golden.c', import.meta.url));

/** The scenario of tests/native/golden.c, in the same order from the same stream. */
function wasmScenario(c) {
  const out = {};
  const owned = [];
  const alloc = (n) => (owned.push(c.alloc(n)), owned.at(-1));
  const r = c.call('rng_create', 2026, 7);
  const normal = (n, mean, std) => {
    const p = alloc(n);
    c.call('rng_normal', r, p, n, mean, std);
    return p;
  };
  // 1. the random stream
  const u = alloc(64);
  c.call('rng_uniform', r, u, 64, 0, 1);
  out.uniform = c.read(u, 64);
  out.normal = c.read(normal(64, 0, 1), 64);
  // 2. sgemm
  {
    const [M, N, K] = [33, 20, 300];
    const A = normal(M * K, 0, 1), B = normal(K * N, 0, 1), C = alloc(M * N);
    c.call('sgemm', GP.FAST, 0, 0, M, N, K, A, K, B, N, 0, C, N);
    out.sgemm_nn = c.read(C, M * N);
  }
  {
    const [M, N, K] = [7, 9, 5];
    const A = normal(K * M, 0, 1), B = normal(N * K, 0, 1), C = normal(M * N, 0, 1);
    c.call('sgemm', GP.FAST, 1, 1, M, N, K, A, M, B, K, 1, C, N);
    out.sgemm_tt = c.read(C, M * N);
  }
  // 3. conv2d forward
  {
    const [N, H, W, C, OC, K, S, P] = [2, 9, 9, 3, 5, 4, 2, 1];
    const OH = c.call('conv_out_size', H, K, S, P), OW = c.call('conv_out_size', W, K, S, P);
    const x = normal(N * H * W * C, 0, 1), w = normal(K * K * C * OC, 0, 0.2), b = normal(OC, 0, 0.1);
    const y = alloc(N * OH * OW * OC);
    c.call('conv2d_forward', GP.FAST, y, x, w, b, N, H, W, C, OC, K, K, S, P);
    out.conv2d = c.read(y, N * OH * OW * OC);
  }
  // 4. conv_transpose2d forward
  {
    const [N, H, W, C, IC, K, S, P] = [1, 14, 14, 8, 16, 4, 2, 1];
    const OH = c.call('conv_out_size', H, K, S, P), OW = c.call('conv_out_size', W, K, S, P);
    const x = normal(N * OH * OW * IC, 0, 1), w = normal(K * K * C * IC, 0, 0.2), b = normal(C, 0, 0.1);
    const y = alloc(N * H * W * C);
    c.call('conv_transpose2d_forward', GP.FAST, y, x, w, b, N, H, W, C, IC, K, K, S, P);
    out.conv_transpose2d = c.read(y, N * H * W * C);
  }
  // 5. batch norm, training mode
  {
    const [rows, C] = [24, 5];
    const x = normal(rows * C, 1, 2), gamma = normal(C, 1, 0.1), beta = normal(C, 0, 0.1), dy = normal(rows * C, 0, 1);
    const [y, xhat, dx] = [alloc(rows * C), alloc(rows * C), alloc(rows * C)];
    const [mean, invstd, rm, rv, dg, db] = Array.from({ length: 6 }, () => alloc(C));
    c.write(rv, new Float32Array(C).fill(1));
    c.call('batchnorm_forward_train', y, xhat, mean, invstd, rm, rv, x, gamma, beta, rows, C, 0.1, 1e-5);
    c.call('batchnorm_backward', dx, dg, db, dy, xhat, gamma, invstd, rows, C);
    Object.assign(out, {
      bn_y: c.read(y, rows * C), bn_mean: c.read(mean, C), bn_invstd: c.read(invstd, C), bn_run_mean: c.read(rm, C),
      bn_run_var: c.read(rv, C), bn_dx: c.read(dx, rows * C), bn_dgamma: c.read(dg, C), bn_dbeta: c.read(db, C),
    });
  }
  // 6. Adam
  {
    const n = 16;
    const p = normal(n, 0, 1), m = alloc(n), v = alloc(n);
    for (let t = 1; t <= 5; t++) c.call('adam_update', p, normal(n, 0, 1), m, v, n, 1e-2, 0.9, 0.999, 1e-8, t);
    Object.assign(out, { adam_p: c.read(p, n), adam_m: c.read(m, n), adam_v: c.read(v, n) });
  }
  c.call('rng_destroy', r);
  owned.forEach((p) => c.free(p));
  // 7. five GAN iterations on 8 synthetic images
  const images = new Uint8Array(16 + 8 * 784), labels = new Uint8Array(8 + 8);
  images.set([0, 0, 8, 3, 0, 0, 0, 8, 0, 0, 0, 28, 0, 0, 0, 28]);
  labels.set([0, 0, 8, 1, 0, 0, 0, 8]);
  for (let i = 0; i < 8 * 784; i++) images[16 + i] = (i * 37) % 251;
  for (let i = 0; i < 8; i++) labels[8 + i] = i;
  const ds = Dataset.fromIdx(c, images, labels);
  const gan = Gan.create(c, { batch: 8, seed: 7 });
  const stats = [];
  for (let i = 0; i < 5; i++) {
    const s = gan.trainStep(ds);
    stats.push(s.loss_d, s.loss_g, s.d_real, s.d_fake);
  }
  gan.destroy();
  ds.destroy();
  out.gan_stats = Float32Array.from(stats);
  return out;
}

// relative to each array's largest magnitude; per key, with the reason for its size
const TOLERANCE = {
  normal: 1e-6, // Box-Muller through log, sin, cos in double, rounded to float
  sgemm_nn: 1e-5, sgemm_tt: 1e-5, conv2d: 1e-5, conv_transpose2d: 1e-5,
  bn_y: 1e-5, bn_mean: 1e-5, bn_invstd: 1e-5, bn_run_mean: 1e-5, bn_run_var: 1e-5,
  bn_dx: 1e-5, bn_dgamma: 1e-5, bn_dbeta: 1e-5,
  adam_p: 1e-5, adam_m: 1e-5, adam_v: 1e-5, // pow for the bias corrections
  gan_stats: 1e-3, // five training iterations amplify last-bit differences
};

test('wasm and native compute the same scenario: the uniform stream exactly, the rest within tolerance', async () => {
  assert.ok(existsSync(GOLDEN), `${GOLDEN} is missing: run \`make native\` first (this test never skips)`);
  assert.ok(statSync(GOLDEN).mtimeMs >= statSync(SOURCE).mtimeMs, `${GOLDEN} is older than ${SOURCE}: run \`make native\``);
  const printed = JSON.parse(execFileSync(GOLDEN, { encoding: 'utf8' }));
  assert.ok(Object.values(printed).every((v) => v.every(Number.isFinite)), 'native printed a non-finite value (null)');
  // %.9g round-trips a float32, so this recovers the native bits
  const native = Object.fromEntries(Object.entries(printed).map(([k, v]) => [k, Float32Array.from(v)]));
  const wasm = wasmScenario(await core());
  assert.deepEqual(Object.keys(native).sort(), [...Object.keys(TOLERANCE), 'uniform'].sort(), 'golden prints the keys this test knows');
  for (const key of Object.keys(native)) {
    const a = wasm[key], b = native[key];
    assert.equal(a.length, b.length, `${key}: ${a.length} wasm values, ${b.length} native`);
    assert.ok(a.every(Number.isFinite), `${key}: wasm computed a non-finite value`);
    assert.ok(b.some((v) => v !== 0), `${key}: all zero, the scenario computes nothing`);
  }
  // integer-derived: bit-identical
  assert.deepEqual(wasm.uniform, native.uniform, 'uniform stream');
  for (const [key, tol] of Object.entries(TOLERANCE)) {
    const e = maxRelError(wasm[key], native[key]);
    assert.ok(e <= tol, `${key}: wasm and native differ by ${e.toExponential(2)} of the largest value (tolerance ${tol})`);
  }
});
