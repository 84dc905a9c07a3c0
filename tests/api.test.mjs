// Bad arguments from JavaScript: every gp_* kernel entry point returns its documented
// GP_ERR_* status for null pointers, zero or negative sizes, overflowing sizes, impossible
// geometry, buffers too small or not allocated, dead handles and options out of their set;
// core.call turns those into a CoreError naming the function and the problem. A refused
// call writes nothing, and afterwards the core still computes correctly.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { readFileSync } from 'node:fs';

import { CoreError, Dataset, Gan, Meter, idx3 } from '../web/gan.js';
import { GP, buffers, core, loadCore, randomFloats } from './helpers.mjs';

const BIG = 1 << 20; // (1 << 20)^2 floats already overflow the API's 2^30-float limit

/** A C x D product in float64, for checking answers after the refused calls. */
function matmul(A, B, M, N, K) {
  const C = new Float64Array(M * N);
  for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
    let s = 0;
    for (let k = 0; k < K; k++) s += A[i * K + k] * B[k * N + j];
    C[i * N + j] = s;
  }
  return C;
}

function sgemmStillRight(c, what) {
  const [M, N, K] = [5, 7, 9];
  const A = randomFloats(M * K, 31), B = randomFloats(K * N, 32);
  const b = buffers(c, { A, B, C: M * N });
  c.call('sgemm', GP.FAST, 0, 0, M, N, K, b.A, K, b.B, N, 0, b.C, N);
  const got = b.read('C'), want = matmul(A, B, M, N, K);
  b.release();
  for (let i = 0; i < M * N; i++) assert.ok(Math.abs(got[i] - want[i]) <= 1e-5, `${what}: C[${i}] = ${got[i]}, want ${want[i]}`);
}

test('refused calls return the documented status codes and write nothing', async () => {
  const c = await core();
  const canary = c.upload(randomFloats(256, 1)); // allocated first, checked last
  const pattern = (n, seed) => randomFloats(n, seed);
  // every buffer holds known data; a refused call must leave all of them as they were
  const data = { a: pattern(64, 2), b: pattern(64, 3), out: pattern(64, 4), small: pattern(10, 5), s2: pattern(10, 6) };
  const buf = buffers(c, data);
  const { a, b, out, small, s2 } = buf;
  const inner = a + 4 * 60; // 4 floats left in a
  const rng = c.call('rng_create', 1, 2), deadRng = c.call('rng_create', 3, 4);
  c.call('rng_destroy', deadRng);
  const arena = c.call('arena_create', 4096), deadArena = c.call('arena_create', 64);
  c.call('arena_destroy', deadArena);
  const foreign = c.m._malloc(256); // live memory, but not from gp_alloc
  // freed last, with a plug after it, so nothing allocated later can land on it
  const freed = c.alloc(64), plug = c.alloc(64);
  c.free(freed);
  const sg = (impl, ta, tb, M, N, K, A, lda, B, ldb, C, ldc) => ['sgemm', impl, ta, tb, M, N, K, A, lda, B, ldb, 0, C, ldc];
  const conv = (pass, y, x, w, bias, ...geo) => [pass, GP.FAST, y, x, w, ...(pass.endsWith('forward') ? [bias] : []), ...geo];
  const cases = [
    // null pointers and handles
    [GP.ERR_NULL, sg(GP.FAST, 0, 0, 8, 8, 1, 0, 1, b, 8, out, 8)],
    [GP.ERR_NULL, sg(GP.FAST, 0, 0, 8, 8, 1, a, 1, 0, 8, out, 8)],
    [GP.ERR_NULL, sg(GP.REF, 0, 0, 8, 8, 1, a, 1, b, 8, 0, 8)],
    [GP.ERR_NULL, conv('conv2d_forward', 0, a, b, 0, 1, 4, 4, 1, 1, 3, 3, 1, 1)],
    [GP.ERR_NULL, conv('conv2d_backward_data', out, a, 0, 0, 1, 4, 4, 1, 1, 3, 3, 1, 1)],
    [GP.ERR_NULL, conv('conv_transpose2d_backward_weights', out, 0, a, 0, 1, 4, 4, 1, 1, 3, 3, 1, 1)],
    [GP.ERR_NULL, ['dense_backward', GP.FAST, 0, 0, 0, a, b, out, 2, 3, 4]],
    [GP.ERR_NULL, ['dense_backward', GP.FAST, out, 0, 0, a, b, 0, 2, 3, 4]], // dx wanted, w missing
    [GP.ERR_NULL, ['activation_forward', GP.FAST, GP.TANH, out, 0, 8, 0]],
    [GP.ERR_NULL, ['bce_with_logits', 0, a, b, 8]],
    [GP.ERR_NULL, ['adam_update', out, a, b, 0, 8, 0.1, 0.9, 0.999, 1e-8, 1]],
    [GP.ERR_NULL, ['batchnorm_backward', out, s2, small, a, b, s2, 0, 4, 2]],
    [GP.ERR_NULL, ['im2col', 0, a, 1, 4, 4, 1, 3, 3, 1, 1]],
    [GP.ERR_NULL, ['rng_normal', 0, out, 8, 0, 1]],
    [GP.ERR_NULL, ['rng_normal', rng, 0, 8, 0, 1]],
    [GP.ERR_NULL, ['rng_destroy', 0]],
    [GP.ERR_NULL, ['arena_destroy', 0]],
    [GP.ERR_NULL, ['free', 0]],
    // zero, negative and out-of-range sizes
    [GP.ERR_SIZE, sg(GP.FAST, 0, 0, 0, 8, 1, a, 1, b, 8, out, 8)],
    [GP.ERR_SIZE, sg(GP.FAST, 0, 0, 8, -3, 1, a, 1, b, 8, out, 8)],
    [GP.ERR_SIZE, sg(GP.FAST, 1, 1, 8, 8, 0, a, 8, b, 1, out, 8)],
    [GP.ERR_SIZE, sg(GP.FAST, 0, 0, 4, 4, 4, a, 3, b, 4, out, 4)], // lda < K
    [GP.ERR_SIZE, sg(GP.FAST, 0, 0, 4, 4, 4, a, 4, b, 4, out, 2)], // ldc < N
    [GP.ERR_SIZE, conv('conv2d_forward', out, a, b, 0, 0, 4, 4, 1, 1, 3, 3, 1, 1)], // N
    [GP.ERR_SIZE, conv('conv2d_forward', out, a, b, 0, 1, 4, 4, 0, 1, 3, 3, 1, 1)], // C
    [GP.ERR_SIZE, conv('conv2d_backward_weights', out, a, b, 0, 1, 4, 4, 1, -1, 3, 3, 1, 1)], // OC
    [GP.ERR_SIZE, conv('conv_transpose2d_forward', out, a, b, 0, 1, 0, 4, 1, 1, 3, 3, 1, 1)], // H
    [GP.ERR_SIZE, conv('conv_transpose2d_forward', out, a, b, 0, 1, 4, 4, 1, 1, 0, 3, 1, 1)], // KH
    [GP.ERR_SIZE, conv('conv_transpose2d_backward_data', out, a, b, 0, 1, 4, 4, 1, 1, 3, 3, 0, 1)], // S
    [GP.ERR_SIZE, conv('conv2d_backward_data', out, a, b, 0, 1, 4, 4, 1, 1, 3, 3, 1, -1)], // P
    [GP.ERR_SIZE, ['conv_out_size', 0, 1, 1, 0]],
    [GP.ERR_SIZE, ['conv_out_size', 5, 3, -2, 0]],
    [GP.ERR_SIZE, ['conv_out_size', BIG * 2, 1, 1, 0]],
    [GP.ERR_SIZE, ['conv_col_floats', 0, 4, 4, 1, 3, 3, 1, 1]],
    [GP.ERR_SIZE, ['dense_forward', GP.FAST, out, a, b, 0, 2, 0, 4]],
    [GP.ERR_SIZE, ['activation_forward', GP.FAST, GP.RELU, out, a, 0, 0]],
    [GP.ERR_SIZE, ['activation_backward', GP.FAST, GP.SIGMOID, out, a, b, -1, 0]],
    [GP.ERR_SIZE, ['bias_backward', s2, a, 0, 4]],
    [GP.ERR_SIZE, ['batchnorm_forward_infer', out, a, s2, s2, s2, s2, 4, 1025, 1e-5]], // C past BATCHNORM_MAX_C
    [GP.ERR_SIZE, ['mse', small, a, b, 0]],
    [GP.ERR_SIZE, ['rng_uniform', rng, out, 0, 0, 1]],
    [GP.ERR_SIZE, ['arena_create', 0]],
    [GP.ERR_SIZE, ['arena_create', -5]],
    [GP.ERR_SIZE, ['arena_create', NaN]],
    [GP.ERR_SIZE, ['arena_create', 1e30]],
    // sizes whose product overflows
    [GP.ERR_OVERFLOW, sg(GP.FAST, 0, 0, BIG, BIG, BIG, a, BIG, b, BIG, out, BIG)],
    [GP.ERR_OVERFLOW, sg(GP.REF, 1, 0, 2, 2, 2 ** 30, a, 2, b, 2, out, 2)], // A's span alone
    [GP.ERR_OVERFLOW, conv('conv2d_forward', out, a, b, 0, BIG, 1 << 10, 1 << 10, 1, 1, 1, 1, 1, 0)],
    [GP.ERR_OVERFLOW, conv('conv2d_backward_weights', out, a, b, 0, 1, 1, 1, 1 << 16, 1 << 16, 1, 1, 1, 0)], // weights
    [GP.ERR_OVERFLOW, conv('conv_transpose2d_forward', out, a, b, 0, BIG, BIG, 1, 1, 1, 1, 1, 1, 0)],
    [GP.ERR_OVERFLOW, ['conv_col_floats', 64, 1 << 10, 1 << 10, 8, 5, 5, 1, 2]],
    [GP.ERR_OVERFLOW, ['dense_forward', GP.FAST, out, a, b, 0, BIG, BIG, BIG]],
    [GP.ERR_OVERFLOW, ['bias_backward', s2, a, BIG, BIG]],
    [GP.ERR_OVERFLOW, ['batchnorm_forward_train', out, out, s2, s2, s2, s2, a, s2, s2, 1 << 30, 2, 0.1, 1e-5]],
    // impossible geometry
    [GP.ERR_SHAPE, conv('conv2d_forward', out, a, b, 0, 1, 2, 2, 1, 1, 5, 5, 1, 0)],
    [GP.ERR_SHAPE, conv('conv2d_backward_data', out, a, b, 0, 1, 8, 2, 1, 1, 5, 5, 1, 1)], // W only
    [GP.ERR_SHAPE, conv('conv_transpose2d_forward', out, a, b, 0, 1, 3, 3, 1, 1, 3, 6, 1, 1)], // KW only
    [GP.ERR_SHAPE, ['conv_out_size', 2, 5, 1, 1]],
    [GP.ERR_SHAPE, ['conv_col_floats', 1, 2, 2, 1, 5, 5, 1, 0]],
    [GP.ERR_SHAPE, ['col2im', out, a, 1, 2, 2, 1, 3, 3, 1, 0]],
    // buffers too small (alloc 10, use 11), not allocated, freed, or an interior pointer
    [GP.ERR_BOUNDS, ['activation_forward', GP.FAST, GP.RELU, small, a, 11, 0]],
    [GP.ERR_BOUNDS, ['activation_backward', GP.FAST, GP.TANH, out, a, small, 11, 0]],
    [GP.ERR_BOUNDS, sg(GP.FAST, 0, 0, 8, 8, 2, a, 2, small, 8, out, 8)],
    [GP.ERR_BOUNDS, sg(GP.FAST, 0, 0, 1, 11, 1, a, 1, b, 11, small, 11)],
    [GP.ERR_BOUNDS, conv('conv2d_forward', small, a, b, 0, 1, 11, 1, 1, 1, 1, 1, 1, 0)], // y is 11 floats
    [GP.ERR_BOUNDS, conv('conv2d_forward', out, a, b, small, 1, 2, 2, 1, 11, 1, 1, 1, 0)], // bias is 11
    [GP.ERR_BOUNDS, conv('conv_transpose2d_forward', small, a, b, 0, 1, 11, 1, 1, 1, 1, 1, 1, 0)],
    [GP.ERR_BOUNDS, conv('conv_transpose2d_backward_weights', small, a, b, 0, 1, 4, 4, 1, 11, 1, 1, 1, 0)], // dw
    [GP.ERR_BOUNDS, ['im2col', small, a, 1, 4, 4, 1, 3, 3, 1, 1]], // col needs 144
    [GP.ERR_BOUNDS, ['dense_forward', GP.FAST, out, a, small, 0, 1, 1, 11]],
    [GP.ERR_BOUNDS, ['bias_backward', small, a, 2, 11]],
    [GP.ERR_BOUNDS, ['batchnorm_forward_train', out, out, s2, s2, s2, small, a, s2, s2, 4, 11, 0.1, 1e-5]],
    [GP.ERR_BOUNDS, ['adam_update', out, a, b, small, 11, 0.1, 0.9, 0.999, 1e-8, 1]],
    [GP.ERR_BOUNDS, ['rng_normal', rng, small, 11, 0, 1]],
    [GP.ERR_BOUNDS, ['bce_with_logits', out, small, b, 11]],
    [GP.ERR_BOUNDS, sg(GP.FAST, 0, 0, 8, 8, 1, 16, 1, b, 8, out, 8)], // an address nobody allocated
    [GP.ERR_BOUNDS, sg(GP.FAST, 0, 0, 8, 8, 1, foreign, 1, b, 8, out, 8)], // malloc'd, not gp_alloc'd
    [GP.ERR_BOUNDS, sg(GP.FAST, 0, 0, 8, 8, 1, freed, 1, b, 8, out, 8)], // use after free
    [GP.ERR_BOUNDS, ['activation_forward', GP.FAST, GP.RELU, out, inner, 5, 0]], // runs off the end of a
    [GP.ERR_BOUNDS, ['free', freed]], // double free
    [GP.ERR_BOUNDS, ['free', inner]],
    [GP.ERR_BOUNDS, ['free', foreign]],
    // dead or made-up handles
    [GP.ERR_HANDLE, ['rng_normal', deadRng, out, 8, 0, 1]],
    [GP.ERR_HANDLE, ['rng_uniform', 63, out, 8, 0, 1]],
    [GP.ERR_HANDLE, ['rng_normal', -3, out, 8, 0, 1]],
    [GP.ERR_HANDLE, ['rng_normal', 1 << 30, out, 8, 0, 1]],
    [GP.ERR_HANDLE, ['rng_destroy', deadRng]],
    [GP.ERR_HANDLE, ['arena_destroy', deadArena]],
    [GP.ERR_HANDLE, ['arena_destroy', 65]],
    // options outside their set
    [GP.ERR_ARG, sg(2, 0, 0, 8, 8, 1, a, 1, b, 8, out, 8)],
    [GP.ERR_ARG, sg(-1, 0, 0, 8, 8, 1, a, 1, b, 8, out, 8)],
    [GP.ERR_ARG, sg(GP.FAST, 2, 0, 8, 8, 1, a, 8, b, 8, out, 8)],
    [GP.ERR_ARG, sg(GP.FAST, 0, -1, 8, 8, 1, a, 1, b, 1, out, 8)],
    [GP.ERR_ARG, ['conv2d_forward', 9, out, a, b, 0, 1, 4, 4, 1, 1, 3, 3, 1, 1]],
    [GP.ERR_ARG, ['dense_forward', 5, out, a, b, 0, 2, 3, 4]],
    [GP.ERR_ARG, ['activation_forward', GP.FAST, 4, out, a, 8, 0]],
    [GP.ERR_ARG, ['activation_backward', GP.REF, -1, out, a, b, 8, 0]],
    [GP.ERR_ARG, ['adam_update', out, a, b, s2, 8, 0.1, 0.9, 0.999, 1e-8, 0]], // t starts at 1
    [GP.ERR_ARG, ['adam_update', out, a, b, s2, 8, 0.1, 1, 0.999, 1e-8, 1]],
    [GP.ERR_ARG, ['adam_update', out, a, b, s2, 8, 0.1, 0.9, 0.999, 0, 1]],
    [GP.ERR_ARG, ['adam_update', out, a, b, s2, 8, NaN, 0.9, 0.999, 1e-8, 1]],
    [GP.ERR_ARG, ['sgd_update', out, a, 8, -1]],
    [GP.ERR_ARG, ['batchnorm_forward_train', out, out, s2, s2, s2, s2, a, s2, s2, 4, 2, 1.5, 1e-5]],
    [GP.ERR_ARG, ['batchnorm_forward_infer', out, a, s2, s2, s2, s2, 4, 2, 0]],
  ];
  for (const [want, [name, ...args]] of cases) {
    assert.equal(c.status(name, ...args), want, `gp_${name}(${args.join(', ')}) should be ${c.strerror(want)}`);
  }
  for (const [k, v] of Object.entries(data)) assert.deepEqual(buf.read(k), v, `buffer ${k} was written by a refused call`);
  // the same buffers in valid calls: a bias may be null, and so may two of three dense gradients
  assert.equal(c.status(...conv('conv2d_forward', out, a, b, 0, 1, 4, 4, 1, 1, 3, 3, 1, 1)), GP.OK);
  assert.equal(c.status('dense_backward', GP.FAST, 0, out, 0, a, b, 0, 2, 3, 4), GP.OK);
  assert.equal(c.status('conv_out_size', 2, 5, 1, 2), 2);
  assert.equal(c.status('activation_forward', GP.FAST, GP.RELU, out, inner, 4, 0), GP.OK, 'an interior pointer within its buffer');
  // arena buffers are live until their arena goes
  const p = c.m._gp_arena_floats(arena, 16);
  assert.ok(p > 0);
  assert.equal(c.m._gp_arena_floats(arena, 1 << 20), 0, 'past the arena');
  assert.equal(c.m._gp_arena_floats(arena, 0), 0);
  assert.equal(c.m._gp_arena_floats(deadArena, 4), 0);
  assert.equal(c.m._gp_arena_left(deadArena), GP.ERR_HANDLE);
  assert.equal(c.status('activation_forward', GP.FAST, GP.RELU, p, a, 16, 0), GP.OK);
  c.call('arena_destroy', arena);
  assert.equal(c.status('activation_forward', GP.FAST, GP.RELU, p, a, 16, 0), GP.ERR_BOUNDS, 'a destroyed arena');
  assert.equal(c.status('arena_destroy', arena), GP.ERR_HANDLE, 'destroyed twice');
  c.call('rng_destroy', rng);
  c.m._free(foreign);
  c.free(plug);
  buf.release();
  assert.deepEqual(c.read(canary, 256), randomFloats(256, 1), 'a buffer no call was given changed');
  c.free(canary);
  sgemmStillRight(c, 'after the refused calls');
});

test('core.call throws a CoreError naming the function and the problem; status returns it', async () => {
  const c = await core();
  const messages = new Set();
  for (let s = -1; s >= -9; s--) messages.add(c.strerror(s));
  assert.equal(messages.size, 9, 'each status has its own message');
  assert.ok(![...messages].some((m) => /unknown/.test(m)));
  assert.equal(c.strerror(0), 'ok');
  assert.match(c.strerror(-1234), /unknown/);
  const small = c.alloc(10), a = c.alloc(64);
  const expect = (status, problem, name, ...args) => {
    assert.equal(c.status(name, ...args), status);
    assert.throws(() => c.call(name, ...args), (e) => {
      assert.ok(e instanceof CoreError, `${name}: ${e}`);
      assert.equal(e.name, 'CoreError');
      assert.equal(e.fn, `gp_${name}`);
      assert.equal(e.status, status);
      assert.equal(GP[e.code], status, 'code names the status');
      assert.equal(e.message, `gp_${name}: ${e.reason} (status ${status})`);
      assert.match(e.reason, problem);
      return true;
    });
  };
  expect(GP.ERR_NULL, /null/, 'activation_forward', GP.FAST, GP.RELU, 0, a, 8, 0);
  expect(GP.ERR_SIZE, /size/, 'activation_forward', GP.FAST, GP.RELU, a, a, 0, 0);
  expect(GP.ERR_OVERFLOW, /overflow/, 'dense_forward', GP.FAST, a, a, a, 0, BIG, BIG, 2);
  expect(GP.ERR_SHAPE, /kernel does not fit/, 'conv2d_forward', GP.FAST, a, a, a, 0, 1, 2, 2, 1, 1, 5, 5, 1, 0);
  expect(GP.ERR_BOUNDS, /too small/, 'activation_forward', GP.FAST, GP.RELU, small, a, 11, 0);
  expect(GP.ERR_HANDLE, /handle/, 'rng_normal', 40, a, 8, 0, 1);
  expect(GP.ERR_ARG, /option/, 'activation_forward', GP.FAST, 7, a, a, 8, 0);
  assert.equal(c.call('conv_out_size', 28, 4, 2, 1), 14, 'call returns a non-negative result');
  assert.throws(() => c.call('no_such_function'), /no function gp_no_such_function/);
  assert.throws(() => c.alloc(0), (e) => e instanceof CoreError && e.fn === 'gp_alloc');
  assert.throws(() => c.free(0), (e) => e instanceof CoreError && e.fn === 'gp_free' && e.status === GP.ERR_NULL);
  c.free(small);
  assert.throws(() => c.free(small), (e) => e instanceof CoreError && e.status === GP.ERR_BOUNDS);
  c.free(a);
  sgemmStillRight(c, 'after the thrown errors');
});

test('gp_alloc refuses zero, negative and too-large sizes with 0', async () => {
  const c = await core();
  assert.equal(c.m._gp_alloc(0), 0);
  assert.equal(c.m._gp_alloc(-1), 0);
  assert.equal(c.m._gp_alloc(-(2 ** 31)), 0);
  assert.equal(c.m._gp_alloc(2 ** 30 + 1), 0, 'past the API limit of 2^30 floats');
  assert.equal(c.m._gp_alloc(2 ** 31 - 1), 0);
  const p = c.m._gp_alloc(1);
  assert.ok(p > 0 && p % 16 === 0, 'a 16-byte aligned pointer');
  assert.deepEqual(c.read(p, 1), new Float32Array(1), 'zeroed');
  c.free(p);
  sgemmStillRight(c, 'after the refused allocations');
});

test('handles: rng and arena tables fill up with a status, and refill after a destroy', async () => {
  const c = await core();
  const rngs = [];
  for (;;) {
    const h = c.status('rng_create', rngs.length, 0);
    if (h < 0) {
      assert.equal(h, GP.ERR_NOMEM, 'the table is full');
      break;
    }
    rngs.push(h);
    assert.ok(rngs.length <= 64, 'at most 64 live random streams');
  }
  assert.equal(new Set(rngs).size, rngs.length, 'distinct handles');
  c.call('rng_destroy', rngs[10]);
  const again = c.call('rng_create', 5, 5);
  assert.ok(again > 0 && !rngs.includes(again), 'a destroyed slot is reused under a new handle');
  assert.equal(c.status('rng_destroy', rngs[10]), GP.ERR_HANDLE, 'the old handle stays dead');
  rngs[10] = again;
  for (const h of rngs) c.call('rng_destroy', h);
  for (const h of rngs) assert.equal(c.status('rng_destroy', h), GP.ERR_HANDLE);
  const arenas = [];
  for (;;) {
    const h = c.status('arena_create', 64);
    if (h < 0) {
      assert.equal(h, GP.ERR_NOMEM);
      break;
    }
    arenas.push(h);
    assert.ok(arenas.length <= 64);
  }
  for (const h of arenas) c.call('arena_destroy', h);
  const out = c.alloc(4);
  const r = c.call('rng_create', 9, 9);
  c.call('rng_uniform', r, out, 4, 0, 1);
  assert.ok(c.read(out, 4).every((v) => v >= 0 && v < 1));
  c.call('rng_destroy', r);
  c.free(out);
  sgemmStillRight(c, 'after filling the handle tables');
});

// Sizes just under 2^30 floats used to make n * 4 + 15 wrap in wasm32's 32-bit size_t
// inside gp_alloc: 2^30 returned a pointer to a zero-byte block, 2^30 - 3 .. 2^30 - 1
// zeroed the heap past the block and then trapped. Each probe gets a fresh core.
test('gp_alloc at the sizes whose byte count wraps in wasm32 returns 0 and leaves other buffers alone', async () => {
  const problems = [];
  for (const n of [2 ** 30 - 3, 2 ** 30 - 1, 2 ** 30]) {
    const c = await loadCore({ full: true });
    const keep = c.upload(Float32Array.from([1, 2, 3, 4]));
    try {
      const p = c.m._gp_alloc(n);
      if (p !== 0) problems.push(`gp_alloc(${n}) returned ${p}, not 0 (4 GiB cannot exist in wasm32)`);
    } catch (e) {
      problems.push(`gp_alloc(${n}) trapped: ${e.message}`);
    }
    const kept = c.read(keep, 4);
    if (kept.join() !== '1,2,3,4') problems.push(`gp_alloc(${n}) overwrote another buffer: [${kept.join()}]`);
  }
  assert.deepEqual(problems, []);
});

// An arena's region starts at its calloc'd block: when that block is 16-byte aligned the
// first carve IS the region start, and gp_free(carve) used to free the live arena (GP_OK);
// the next gp_alloc then landed inside it and gp_arena_destroy freed it again. Fresh core.
test('gp_free refuses pointers carved from an arena, and gp_alloc never lands in a live arena', async () => {
  const c = await loadCore({ full: true });
  const problems = [];
  const arenas = [];
  for (let i = 0; i < 8; i++) { // allocator alignment varies: some first carves are the block start
    const h = c.call('arena_create', 1024 + 8 * i);
    const p = c.m._gp_arena_floats(h, 4);
    arenas.push(h);
    const s = c.status('free', p);
    if (s !== GP.ERR_BOUNDS) problems.push(`arena ${h}: gp_free(first carve ${p}) returned ${s}, not ${GP.ERR_BOUNDS}`);
    const q = c.alloc(8);
    if (q >= p && q < p + 1024) problems.push(`arena ${h}: gp_alloc(8) returned ${q}, inside the live arena`);
    assert.equal(c.status('free_bytes', p), GP.ERR_BOUNDS, 'nor gp_free_bytes');
    c.free(q);
    if (problems.length) break; // the heap is no longer trustworthy
  }
  assert.deepEqual(problems, []);
  for (const h of arenas) assert.equal(c.status('arena_destroy', h), GP.OK);
  sgemmStillRight(c, 'after the arenas');
});

// gan.js's status table is the C enum: ERR_NONFINITE (-9) used to be missing, so a
// training stop had no name on the JS side.
test('GP has every status of csrc/api.h, with the same values', async () => {
  const c = await core();
  const header = readFileSync(new URL('../csrc/api.h', import.meta.url), 'utf8');
  const inC = Object.fromEntries([...header.matchAll(/\bGP_(OK|ERR_\w+) = (-?\d+)/g)].map((m) => [m[1], Number(m[2])]));
  const inJs = Object.fromEntries(Object.entries(GP).filter(([k]) => k === 'OK' || k.startsWith('ERR_')));
  assert.deepEqual(inJs, inC);
  for (const [name, status] of Object.entries(inC)) {
    if (status < 0) assert.doesNotMatch(c.strerror(status), /unknown/, name);
  }
});

// The last error was never cleared: a call failing through a CHECK path (a wild stats
// pointer) threw the previous call's message ("not a live gan handle (status -5)").
test('the last error belongs to the last call: cleared on entry, set by every failure', async () => {
  const c = await loadCore({ full: true });
  const gan = Gan.create(c, { preset: 'fast', batch: 8 });
  const a = c.alloc(8);
  try {
    assert.equal(c.status('gan_destroy', 9999), GP.ERR_HANDLE);
    assert.match(c.lastError(), /not a live gan handle/);
    assert.throws(() => c.call('gan_step_g', gan.handle, 12345678), (e) => {
      assert.equal(e.status, GP.ERR_BOUNDS);
      assert.doesNotMatch(e.reason, /handle/, 'not the previous call\'s reason');
      assert.match(e.reason, /buffer/);
      return true;
    });
    // a success leaves no reason behind
    assert.equal(c.status('gan_destroy', 9999), GP.ERR_HANDLE);
    assert.equal(c.call('gan_iterations', gan.handle), 0);
    assert.equal(c.lastError(), '');
    // each failure, kernel or engine, in any order, carries its own reason
    const calls = [
      [GP.ERR_HANDLE, /gan handle/, ['gan_iterations', 777]],
      [GP.ERR_NULL, /null/, ['activation_forward', GP.FAST, GP.RELU, 0, a, 8, 0]],
      [GP.ERR_HANDLE, /dataset handle/, ['gan_train_step', gan.handle, 4242, a]],
      [GP.ERR_SIZE, /size/, ['sgemm', GP.FAST, 0, 0, 0, 8, 1, a, 1, a, 8, 0, a, 8]],
      [GP.ERR_ARG, /ta and tb/, ['sgemm', GP.FAST, 2, 0, 1, 1, 1, a, 1, a, 1, 0, a, 1]],
      [GP.ERR_BOUNDS, /buffer/, ['gan_generate', gan.handle, a, 1, a]],
      [GP.ERR_HANDLE, /random stream/, ['rng_normal', 41, a, 8, 0, 1]],
      [GP.ERR_BOUNDS, /buffer/, ['meter_rule', 99999999]],
      [GP.ERR_SIZE, /sample count/, ['gan_generate', gan.handle, a, 0, a]],
      [GP.ERR_BOUNDS, /live buffer/, ['free', a + 4]],
    ];
    for (const [status, reason, [name, ...args]] of calls) {
      assert.throws(() => c.call(name, ...args), (e) => e instanceof CoreError && e.status === status && reason.test(e.reason),
        `gp_${name}: ${c.lastError()}`);
    }
  } finally {
    c.free(a);
    gan.destroy();
  }
});

// destroy() kept the handle and C reused freed slots, so a.destroy(); b = Gan.create();
// a.destroy() destroyed b (and freed b's statistics buffer through a's stale pointer).
test('handles: a destroyed handle stays dead; destroy twice is a no-op, never someone else\'s object', async () => {
  const c = await loadCore({ full: true });
  const a = Gan.create(c, { preset: 'fast', batch: 8 });
  const first = a.handle;
  a.destroy();
  assert.equal(a.handle, 0, 'the wrapper forgets its handle');
  const b = Gan.create(c, { preset: 'fast', batch: 8 });
  assert.notEqual(b.handle, first, 'a reused slot gets a new handle');
  assert.doesNotThrow(() => a.destroy(), 'a second destroy does nothing');
  assert.equal(c.status('gan_destroy', first), GP.ERR_HANDLE, 'the C side refuses the stale handle');
  assert.ok(Number.isFinite(b.stepG().loss_g), 'b lives on');
  assert.throws(() => a.stepG(), (e) => e instanceof CoreError && e.status === GP.ERR_NULL && /gan handle/.test(e.reason));
  b.destroy();

  const m1 = Meter.create(c, 1);
  const mh = m1.handle;
  m1.destroy();
  const m2 = Meter.create(c, 2);
  m1.destroy();
  assert.equal(c.status('meter_destroy', mh), GP.ERR_HANDLE);
  assert.ok(m2.bytes().length > 0, 'm2 lives on');
  m2.destroy();

  const images = idx3(new Uint8Array(2 * 784)), labels = Uint8Array.from([0, 0, 8, 1, 0, 0, 0, 2, 3, 4]);
  const d1 = Dataset.fromIdx(c, images, labels);
  const dh = d1.handle;
  d1.destroy();
  const d2 = Dataset.fromIdx(c, images, labels);
  d1.destroy();
  assert.equal(c.status('dataset_destroy', dh), GP.ERR_HANDLE);
  assert.equal(c.call('dataset_count', d2.handle), 2, 'd2 lives on');
  d2.destroy();

  for (const kind of ['config', 'arena', 'rng']) {
    const make = { config: () => c.call('config_create'), arena: () => c.call('arena_create', 64), rng: () => c.call('rng_create', 1, 2) }[kind];
    const h = make();
    c.call(`${kind}_destroy`, h);
    const h2 = make();
    assert.notEqual(h2, h, kind);
    assert.equal(c.status(`${kind}_destroy`, h), GP.ERR_HANDLE, `${kind}: stale`);
    c.call(`${kind}_destroy`, h2);
  }
});

// An empty file read "images: not a live buffer of that length"; a bad label file was
// blamed on the images. The reason now says what is wrong, and input which file.
test('dataset errors name the input at fault and say "empty" for an empty file', async () => {
  const c = await loadCore({ full: true });
  const images = idx3(new Uint8Array(2 * 784)), labels = Uint8Array.from([0, 0, 8, 1, 0, 0, 0, 2, 3, 4]);
  const fails = (imgs, lbls, input, reason) => assert.throws(() => Dataset.fromIdx(c, imgs, lbls), (e) => {
    assert.ok(e instanceof CoreError, String(e));
    assert.equal(e.input, input, e.message);
    assert.match(e.reason, reason);
    assert.doesNotMatch(e.reason, /^(images|labels):/, 'the file is data, not part of the sentence');
    return true;
  });
  fails(new Uint8Array(0), labels, 1, /^empty$/);
  fails(images, new Uint8Array(0), 2, /^empty$/);
  fails(images.subarray(0, 100), labels, 1, /truncated/);
  fails(images, labels.subarray(0, 9), 2, /truncated/);
  fails(images, Uint8Array.from([0, 0, 8, 1, 0, 0, 0, 2, 3, 14]), 2, /label 14 at index 1 is not a class 0..9/);
  fails(labels, labels, 1, /1 dimensions, expected 3/);
  fails(images, images, 2, /3 dimensions, expected 1/);
  fails(images, Uint8Array.from([0, 0, 8, 1, 0, 0, 0, 1, 3]), 0, /2 images but 1 labels/);
  assert.equal(Dataset.fromIdx(c, images, labels).count, 2);
  // the same for the other byte inputs
  assert.throws(() => Gan.fromCheckpoint(c, new Uint8Array(0)), (e) => /^empty/.test(e.reason) && e.status === GP.ERR_SIZE);
  assert.throws(() => Meter.fromBytes(c, new Uint8Array(0)), (e) => /^empty/.test(e.reason) && e.status === GP.ERR_SIZE);
});

// The page trained on through losses of 1e9 without a word: the session now marks the last
// step that met gan.js's divergence rule, and the page shows it in the status line.
test('divergence: one rule (|loss| > 1e4 or a discarded update), marked by the page\'s session', async () => {
  const { Session } = await import('../web/session.js');
  const { DIVERGED_LOSS, diverged } = await import('../web/gan.js');
  assert.equal(DIVERGED_LOSS, 1e4);
  const calm = { loss_d: -9999, loss_g: 50, skipped: 0 };
  assert.equal(diverged(calm), false);
  assert.equal(diverged({ ...calm, loss_d: -2e4 }), true);
  assert.equal(diverged({ ...calm, loss_g: NaN }), true);
  assert.equal(diverged({ ...calm, skipped: 1 }), true);
  const c = await loadCore({ full: true });
  const n = 32, images = new Uint8Array(n * 784), labels = new Uint8Array(8 + n);
  for (let i = 0; i < images.length; i++) images[i] = (i * 37) % 256;
  labels.set([0, 0, 8, 1, 0, 0, 0, n]);
  for (let i = 0; i < n; i++) labels[8 + i] = i % 10;
  const s = new Session(c);
  s.setData({ images: idx3(images), labels, meter: null });
  s.build({ preset: 'fast', batch: 8 });
  for (let i = 0; i < 3; i++) s.step();
  assert.equal(s.snapshot().diverging, null, 'a healthy start');
  s.build({ preset: 'wgan', batch: 8, lr_g: 1, lr_d: 1, clip: 10 });
  for (let i = 0; i < 4; i++) s.step();
  const snap = s.snapshot();
  assert.ok(snap.diverging && snap.diverging.step >= 1 && Math.abs(snap.diverging.loss) > DIVERGED_LOSS, JSON.stringify(snap.diverging));
  s.build({ preset: 'fast', batch: 8 });
  assert.equal(s.snapshot().diverging, null, 'a new model starts without the mark');
});

test('the page\'s core ships the GAN calls only; the test build adds the kernels one by one', async () => {
  const page = await loadCore(), full = await core();
  for (const name of ['sgemm', 'conv2d_forward', 'adam_update', 'arena_create', 'bench_peak', 'bench_sgemm']) {
    assert.equal(page.m[`_gp_${name}`], undefined, `gp_${name} is not in build/gan.wasm`);
    assert.equal(typeof full.m[`_gp_${name}`], 'function', `gp_${name} is in build/gan-full.wasm`);
  }
  for (const name of ['gan_create', 'gan_train_step', 'meter_read', 'rng_normal', 'schema_json', 'alloc']) {
    assert.equal(typeof page.m[`_gp_${name}`], 'function', `gp_${name} is in the page's core`);
  }
  const size = (f) => readFileSync(new URL(`../build/${f}`, import.meta.url)).length;
  assert.ok(size('gan.wasm') < size('gan-full.wasm'), 'the page\'s core is the smaller');
});
