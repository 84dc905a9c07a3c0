// The presets of the other costs (lsgan, hinge) on real MNIST over three seeds, asserted
// through the mode meter (batch 64, wasm). A file of its own so it runs beside
// presets.test.mjs.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { mean, PRESET_SEEDS as SEEDS, trainPreset as run } from './helpers.mjs';

test('lsgan and hinge: the other costs train G towards digits too', async () => {
  // Early samples are what this checks (400 steps, where strong-d's look like nothing:
  // < 5%): on average over the seeds a quarter already look like digits to the meter, and
  // every seed gets some. (Early training swings: one seed may sit on a few digits.)
  for (const preset of ['lsgan', 'hinge']) {
    const confident = [];
    for (const seed of SEEDS) {
      const { reading, stats } = await run(preset, seed, 400);
      assert.ok(stats.every((s) => Number.isFinite(s.loss_d) && Number.isFinite(s.loss_g)), `${preset} seed ${seed}: finite losses`);
      assert.ok(reading.confident >= 0.1, `${preset} seed ${seed}: only ${reading.confident} of the samples look like digits`);
      confident.push(reading.confident);
    }
    assert.ok(mean(confident) >= 0.25, `${preset}: digit-like samples per seed ${confident}`);
  }
});
