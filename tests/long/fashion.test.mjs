// Fashion-MNIST with the default preset, over three seeds: after 128,000 images (4000
// steps of 32) G draws every garment class, and at least half as large a share of its
// samples is confidently a garment to the meter as of real Fashion-MNIST test images (which
// the meter itself reads ~72% confident: garments are less distinct than digits). Part of
// `make test-long`: about 25 minutes of one core.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { core, PRESET_SEEDS as SEEDS, testImages, trainPreset as run } from '../helpers.mjs';
import { loadMeter } from '../../tools/data.mjs';

test('balanced on Fashion-MNIST: coverage 10 and half the real images\' confident share after 128,000 images', async (t) => {
  const meter = loadMeter(await core(), 'fashion');
  const real = meter.read(testImages('fashion', 1000).first);
  meter.destroy();
  t.diagnostic(`real test images: ${(100 * real.confident).toFixed(1)}% confident`);
  for (const seed of SEEDS) {
    const { reading, stats } = await run('balanced', seed, 4000, { dataset: 'fashion' });
    assert.ok(stats.every((s) => Number.isFinite(s.loss_d) && Number.isFinite(s.loss_g)), `seed ${seed}: finite losses`);
    t.diagnostic(`seed ${seed}: coverage ${reading.coverage}, ${(100 * reading.confident).toFixed(1)}% confident, histogram ${reading.histogram}`);
    assert.ok(reading.coverage === 10 && reading.confident >= 0.5 * real.confident,
      `seed ${seed}: coverage ${reading.coverage}, ${reading.confident} confident against ${real.confident} for real images`);
  }
});
