// The lesson presets reproduce their phenomena on real MNIST, over three seeds, asserted
// through the statistics and the mode meter (batch 64, wasm). The other costs are in
// costs.test.mjs, so the two files run side by side.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { presets } from '../web/gan.js';
import { core, mean, PRESET_SEEDS as SEEDS, trainPreset as run } from './helpers.mjs';

test('every preset has a lesson in English and French', async () => {
  const list = presets(await core());
  assert.deepEqual(list.map((p) => p.name), ['balanced', 'minimax', 'strong-d', 'mode-collapse', 'lsgan', 'hinge', 'wgan']);
  for (const p of list) assert.ok(p.lesson.en.length > 20 && p.lesson.fr.length > 20, p.name);
});

test('minimax: the gradient reaching G starts weaker than with the non-saturating cost', async () => {
  for (const seed of SEEDS) {
    const ns = await run('balanced', seed, 200), mm = await run('minimax', seed, 200);
    const early = (r) => mean(r.stats.slice(50).map((s) => s.g_signal));
    assert.ok(early(mm) < 0.6 * early(ns), `seed ${seed}: minimax ${early(mm)} vs ns ${early(ns)}`);
  }
});

test('strong-d: D(G(z)) falls to 0, the gradient reaching G collapses >= 10x, samples stay poor', async () => {
  for (const seed of SEEDS) {
    const bal = await run('balanced', seed, 200), sd = await run('strong-d', seed, 150);
    const window = (r, k) => mean(r.stats.slice(50, 150).map((s) => s[k]));
    assert.ok(window(sd, 'd_fake') < 0.01, `seed ${seed}: d_fake ${window(sd, 'd_fake')}`);
    assert.ok(window(sd, 'g_signal') * 10 <= window(bal, 'g_signal'),
      `seed ${seed}: g_signal strong-d ${window(sd, 'g_signal')} vs balanced ${window(bal, 'g_signal')}`);
    assert.ok(sd.reading.confident < 0.05, `seed ${seed}: ${sd.reading.confident} of strong-d's samples look like digits`);
  }
});

test('mode-collapse: G collapses onto at most three digits', async () => {
  for (const seed of SEEDS) {
    const { reading } = await run('mode-collapse', seed, 400);
    assert.ok(reading.coverage <= 3, `seed ${seed}: coverage ${reading.coverage}, histogram ${reading.histogram}`);
  }
});
