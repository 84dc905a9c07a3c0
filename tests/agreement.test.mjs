// wasm and native agree: build/native/golden prints a fixed computation (random stream,
// convolutions, five GAN iterations); the wasm computes the same here.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { Dataset, Gan } from '../web/gan.js';
import { GP, core, relDiff } from './helpers.mjs';

const GOLDEN = fileURLToPath(new URL('../build/native/golden', import.meta.url));

function wasmScenario(c) {
  const r = c.call('rng_create', 2026, 0);
  const z = c.alloc(16);
  c.call('rng_normal', r, z, 16, 0, 1);
  const [N, H, W, C, OC] = [2, 9, 9, 3, 5];
  const x = c.alloc(N * H * W * C), w = c.alloc(16 * C * OC), y = c.alloc(N * 25 * OC);
  const dx = c.alloc(N * H * W * C), t = c.alloc(N * H * W * C);
  c.call('rng_normal', r, x, N * H * W * C, 0, 1);
  c.call('rng_normal', r, w, 16 * C * OC, 0, 0.2);
  c.call('conv2d_forward', GP.FAST, y, x, w, 0, N, H, W, C, OC, 4, 4, 2, 1);
  c.call('conv2d_backward_data', GP.FAST, dx, y, w, N, H, W, C, OC, 4, 4, 2, 1);
  c.call('conv_transpose2d_forward', GP.FAST, t, y, w, 0, N, H, W, C, OC, 4, 4, 2, 1);
  const images = new Uint8Array(16 + 8 * 784), labels = new Uint8Array(16);
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
  return {
    normal: c.read(z, 16), conv: c.read(y, 40), conv_bwd_data: c.read(dx, 40),
    conv_transpose: c.read(t, 40), gan_stats: Float32Array.from(stats),
  };
}

test('wasm and native compute the same within float tolerance', async () => {
  assert.ok(existsSync(GOLDEN), `${GOLDEN} is missing: run make native`);
  const native = JSON.parse(execFileSync(GOLDEN, { encoding: 'utf8' }));
  const wasm = wasmScenario(await core());
  // the random stream differs only where libm's log/sin/cos round differently
  assert.ok(relDiff(wasm.normal, native.normal) < 1e-6, 'normal stream');
  for (const key of ['conv', 'conv_bwd_data', 'conv_transpose']) {
    assert.ok(relDiff(wasm[key], native[key]) < 1e-5, `${key}: ${relDiff(wasm[key], native[key])}`);
  }
  // five training iterations amplify rounding differences a little more
  assert.ok(relDiff(wasm.gan_stats, native.gan_stats) < 1e-3, `gan stats: ${relDiff(wasm.gan_stats, native.gan_stats)}`);
});
