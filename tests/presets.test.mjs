// The lesson presets reproduce their phenomena on real MNIST, asserted through the
// statistics and the mode meter (wasm). The other costs are in costs.test.mjs, so the two
// files run side by side; the claims that need thousands of steps on three seeds (the
// collapse and its remedy on seeds 1-3, the default recipe's targets) are in tests/long/.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { presets } from '../web/gan.js';
import { core, mean, PRESET_SEEDS as SEEDS, trainPreset as run } from './helpers.mjs';
import { collapseStory } from './collapse.mjs';

test('every preset has a lesson in English and French', async () => {
  const list = presets(await core());
  const names = list.map((p) => p.name);
  assert.equal(names[0], 'balanced', 'the default comes first');
  for (const n of ['balanced', 'fast', 'minimax', 'strong-d', 'mode-collapse', 'collapse-remedy', 'lsgan', 'hinge', 'wgan', 'classic']) {
    assert.ok(names.includes(n), `preset ${n}`);
  }
  for (const p of list) {
    assert.ok(p.lesson.en.length > 20 && p.lesson.fr.length > 20 && p.lesson.en !== p.lesson.fr, p.name);
  }
});

test('minimax: while D rejects the fakes, the minimax gradient is 10x below the non-saturating one, and G learns slower', async (t) => {
  for (const seed of SEEDS) {
    // The same settings (and so the same D head start) with either cost: the first 100 G
    // steps after it.
    const mm = await run('minimax', seed, 100), ns = await run('minimax', seed, 100, { config: { loss: 'ns' } });
    const m = (r, k, a = 0, b = 100) => mean(r.stats.slice(a, b).map((s) => s[k]));
    t.diagnostic(`seed ${seed}: D(G(z)) ${m(mm, 'd_fake').toFixed(4)}, grad minimax ${m(mm, 'grad_minimax').toExponential(2)} ` +
      `vs ns ${m(mm, 'grad_ns').toFixed(3)}; g_signal minimax ${m(mm, 'g_signal', 0, 50).toExponential(2)} vs ns ${m(ns, 'g_signal', 0, 50).toExponential(2)}`);
    // D rejects the fakes from the first G step on (G escapes for a few steps now and then,
    // and D catches it again) ...
    assert.ok(m(mm, 'd_fake', 0, 5) < 0.01, `seed ${seed}: D(G(z)) ${m(mm, 'd_fake', 0, 5)} at the start`);
    // ... where the two costs' gradients on the same batches differ tenfold ...
    const rejected = mm.stats.filter((s) => s.d_fake < 0.05);
    assert.ok(rejected.length >= 50, `seed ${seed}: D rejected the fakes in ${rejected.length} of 100 steps`);
    assert.ok(mean(rejected.map((s) => s.grad_minimax)) * 10 <= mean(rejected.map((s) => s.grad_ns)),
      `seed ${seed}: minimax ${mean(rejected.map((s) => s.grad_minimax))} vs ns ${mean(rejected.map((s) => s.grad_ns))}`);
    // ... and what reaches G under the minimax cost is several times weaker than what the
    // non-saturating cost gives from the same start.
    assert.ok(m(mm, 'g_signal', 0, 50) * 3 <= m(ns, 'g_signal', 0, 50),
      `seed ${seed}: g_signal minimax ${m(mm, 'g_signal', 0, 50)} vs ns ${m(ns, 'g_signal', 0, 50)}`);
  }
});

test('strong-d: D(G(z)) falls to 0, the gradient reaching G collapses >= 10x, samples stay poor', async () => {
  for (const seed of SEEDS) {
    // strong-d is the fast recipe with a D that outpaces G: compared with the fast recipe
    const fast = await run('fast', seed, 150), sd = await run('strong-d', seed, 150);
    const window = (r, k) => mean(r.stats.slice(50, 150).map((s) => s[k]));
    assert.ok(window(sd, 'd_fake') < 0.01, `seed ${seed}: d_fake ${window(sd, 'd_fake')}`);
    assert.ok(window(sd, 'g_signal') * 10 <= window(fast, 'g_signal'),
      `seed ${seed}: g_signal strong-d ${window(sd, 'g_signal')} vs fast ${window(fast, 'g_signal')}`);
    assert.ok(sd.reading.confident < 0.05, `seed ${seed}: ${sd.reading.confident} of strong-d's samples look like digits`);
  }
});

// Seed 1 here; seeds 1-3 in tests/long/lessons.test.mjs.
test('mode-collapse: G collapses onto one to three recognisable digits, then hops to others', async (t) => {
  const { readings } = await run('mode-collapse', 1, 1500, { readEvery: 100, samples: 1000 });
  const story = collapseStory(readings);
  for (const line of story.lines) t.diagnostic(line);
  assert.ok(story.collapsed.length >= 2, `confident collapses (coverage <= 3, >= 50% confident): ${story.collapsed.map((c) => c.step)}`);
  assert.ok(story.hops.length >= 1, 'G moves from one set of digits to another');
});
