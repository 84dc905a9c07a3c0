// The wgan preset on real MNIST over three seeds (batch 64, wasm): the clipped critic
// trains G towards digits, and the gap between the critic's scores of real and fake
// images (-loss_d, its estimate of the Wasserstein distance) shrinks as G improves. Part of
// `make test-long`: its 1000 steps on three seeds take about seven minutes of one core.
// (make test checks the critic's view in the page, tests/lessons-page.test.mjs.)
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { mean, PRESET_SEEDS as SEEDS, trainPreset as run } from '../helpers.mjs';

const STEPS = 1000;

test('wgan: the critic\'s gap shrinks and G draws digits', async (t) => {
  const confident = [];
  for (const seed of SEEDS) {
    const { reading, stats } = await run('wgan', seed, STEPS);
    assert.ok(stats.every((s) => Number.isFinite(s.loss_d) && Number.isFinite(s.loss_g)), `seed ${seed}: finite losses`);
    // the gap over windows of 50 steps: at its widest early on, then under half of that
    const gaps = [];
    for (let i = 0; i + 50 <= stats.length; i += 50) gaps.push(-mean(stats.slice(i, i + 50).map((s) => s.loss_d)));
    const widest = Math.max(...gaps), last = gaps.at(-1);
    t.diagnostic(`seed ${seed}: coverage ${reading.coverage}, ${(100 * reading.confident).toFixed(1)}% confident, gap ${widest.toFixed(3)} -> ${last.toFixed(3)}`);
    assert.ok(widest > 0.1 && last < 0.5 * widest, `seed ${seed}: critic gap per 50 steps ${gaps.map((g) => g.toFixed(3))}`);
    assert.ok(reading.coverage >= 5 && reading.confident >= 0.15,
      `seed ${seed}: coverage ${reading.coverage}, ${reading.confident} confident, histogram ${reading.histogram}`);
    confident.push(reading.confident);
  }
  assert.ok(mean(confident) >= 0.25, `digit-like samples per seed ${confident}`);
});
