// The lessons' claims over seeds 1, 2 and 3, each needing thousands of steps: part of
// `make test-long`, not of `make test` (which checks seed 1 of the collapse).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { collapseStory } from '../collapse.mjs';
import { PRESET_SEEDS as SEEDS, trainPreset as run } from '../helpers.mjs';

test('mode-collapse: a confident collapse onto one to three digits and a hop, on every seed', async (t) => {
  for (const seed of SEEDS) {
    const { readings } = await run('mode-collapse', seed, 1500, { readEvery: 100, samples: 1000 });
    const story = collapseStory(readings);
    t.diagnostic(`seed ${seed}: collapses at steps ${story.collapsed.map((c) => `${c.step} [${c.digits}]`).join(', ')}; ${story.hops.length} hops`);
    assert.ok(story.collapsed.length >= 2, `seed ${seed}:\n${story.lines.join('\n')}`);
    assert.ok(story.hops.length >= 1, `seed ${seed}: no hop\n${story.lines.join('\n')}`);
  }
});

test('collapse-remedy: the same race keeps nine or ten classes of clear digits', async (t) => {
  for (const seed of SEEDS) {
    const { reading } = await run('collapse-remedy', seed, 1500, { samples: 1000 });
    t.diagnostic(`seed ${seed}: coverage ${reading.coverage}, ${(100 * reading.confident).toFixed(1)}% confident`);
    assert.ok(reading.coverage >= 9 && reading.confident >= 0.5,
      `seed ${seed}: coverage ${reading.coverage}, ${reading.confident} confident, histogram ${reading.histogram}`);
  }
});

test('the default recipe: ten classes, >= 55% confident after 64,000 images and >= 65% after 256,000', async (t) => {
  for (const seed of SEEDS) {
    // batch 32: 2000 steps are 64,000 images, 8000 steps 256,000
    const { readings } = await run('balanced', seed, 8000, { readEvery: 2000, samples: 1000 });
    const at = (step) => readings.find((r) => r.step === step).reading;
    t.diagnostic(`seed ${seed}: ` + readings.map(({ step, reading: r }) =>
      `${step * 32} images: coverage ${r.coverage}, ${(100 * r.confident).toFixed(1)}%`).join('; '));
    for (const [step, want] of [[2000, 0.55], [8000, 0.65]]) {
      const r = at(step);
      assert.ok(r.coverage === 10 && r.confident >= want, `seed ${seed}, ${step * 32} images: coverage ${r.coverage}, ${r.confident} confident`);
    }
  }
});
