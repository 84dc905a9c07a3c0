// Bad arguments from JavaScript: each returns its status (or throws a CoreError naming
// the function and the problem) and corrupts nothing.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { CoreError } from '../web/gan.js';
import { GP, buffers, core, randomFloats } from './helpers.mjs';

test('bad sizes, pointers, shapes and options return their status codes', async () => {
  const c = await core();
  const a = c.alloc(64), b = c.alloc(64), out = c.alloc(64), small = c.alloc(10);
  const cases = [
    [GP.ERR_SIZE, 'sgemm', GP.FAST, 0, 0, 0, 8, 1, a, 1, b, 8, 0, out, 8],
    [GP.ERR_SIZE, 'sgemm', GP.FAST, 0, 0, 8, -3, 1, a, 1, b, 8, 0, out, 8],
    [GP.ERR_NULL, 'sgemm', GP.FAST, 0, 0, 8, 8, 1, 0, 1, b, 8, 0, out, 8],
    [GP.ERR_BOUNDS, 'sgemm', GP.FAST, 0, 0, 8, 8, 2, a, 2, small, 8, 0, out, 8],
    [GP.ERR_BOUNDS, 'sgemm', GP.FAST, 0, 0, 8, 8, 1, 16, 1, b, 8, 0, out, 8], // not an allocation
    [GP.ERR_OVERFLOW, 'sgemm', GP.FAST, 0, 0, 1 << 20, 1 << 20, 1 << 20, a, 1 << 20, b, 1 << 20, 0, out, 1 << 20],
    [GP.ERR_ARG, 'sgemm', 5, 0, 0, 8, 8, 1, a, 1, b, 8, 0, out, 8],
    [GP.ERR_SHAPE, 'conv2d_forward', GP.FAST, out, a, b, 0, 1, 2, 2, 1, 1, 5, 5, 1, 0],
    [GP.ERR_OVERFLOW, 'conv2d_forward', GP.FAST, out, a, b, 0, 1 << 20, 1 << 10, 1 << 10, 1, 1, 1, 1, 1, 0],
    [GP.ERR_SIZE, 'conv_transpose2d_forward', GP.FAST, out, a, b, 0, 1, 4, 4, 1, -1, 1, 1, 1, 0],
    [GP.ERR_ARG, 'activation_forward', GP.FAST, 17, a, a, 4, 0],
    [GP.ERR_BOUNDS, 'activation_forward', GP.FAST, GP.RELU, small, a, 11, 0],
    [GP.ERR_ARG, 'adam_update', a, b, out, small, 8, 0.1, 0.9, 0.999, 1e-8, 0],
    [GP.ERR_HANDLE, 'rng_normal', 63, a, 8, 0, 1],
    [GP.ERR_NULL, 'arena_destroy', 0],
  ];
  for (const [want, name, ...args] of cases) {
    assert.equal(c.status(name, ...args), want, `${name}(${args.join(', ')})`);
  }
  assert.equal(c.m._gp_alloc(0), 0);
  assert.equal(c.m._gp_alloc(-1), 0);
  // 2^30 floats is 2^32 bytes: on wasm32 that byte count wraps to 0 unless refused first
  assert.equal(c.m._gp_alloc(2 ** 30), 0);
  assert.equal(c.m._gp_alloc(2 ** 30 - 1), 0);
  assert.throws(() => c.call('sgemm', GP.FAST, 0, 0, 8, 8, 2, a, 2, small, 8, 0, out, 8),
    (e) => e instanceof CoreError && e.fn === 'gp_sgemm' && /too small/.test(e.message));
  assert.equal(c.status('free', small), GP.OK);
  assert.equal(c.status('free', small), GP.ERR_BOUNDS, 'double free is refused');
  for (const p of [a, b, out]) c.free(p);
});

test('after every refused call the core still computes correctly', async () => {
  const c = await core();
  const A = randomFloats(12, 1), B = randomFloats(12, 2);
  const bufs = buffers(c, { A, B, C: new Float32Array(9) });
  c.call('sgemm', GP.FAST, 0, 0, 3, 3, 4, bufs.A, 4, bufs.B, 3, 0, bufs.C, 3);
  const got = c.read(bufs.C, 9);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) {
    let s = 0;
    for (let k = 0; k < 4; k++) s += A[i * 4 + k] * B[k * 3 + j];
    assert.ok(Math.abs(got[i * 3 + j] - s) < 1e-5);
  }
  bufs.release();
});
