// The mode meter (built by make data): it reads real digits well, it sees coverage
// collapse, and damaged weights are refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Meter, PIXELS } from '../web/gan.js';
import { METER_MIN_ACCURACY, loadMeter } from '../tools/data.mjs';
import { loadDataset } from '../tools/datasets.mjs';
import { core } from './helpers.mjs';

test('the MNIST meter classifies the test set at its accuracy target', async () => {
  const c = await core();
  const meter = loadMeter(c, 'mnist');
  assert.ok(meter, 'data/generated/meter-mnist.bin is missing: run make data');
  const testSet = loadDataset(c, 'mnist', 't10k');
  assert.ok(meter.accuracy(testSet) >= METER_MIN_ACCURACY.mnist);
});

test('the meter reads full coverage on real digits and collapse on one digit', async () => {
  const c = await core();
  const meter = loadMeter(c, 'mnist');
  const { readFileSync } = await import('node:fs');
  const { datasetFiles } = await import('../tools/datasets.mjs');
  const files = datasetFiles('mnist', 't10k');
  const images = readFileSync(files.images).subarray(16), labels = readFileSync(files.labels).subarray(8);
  const toFloats = (idx) => {
    const out = new Float32Array(idx.length * PIXELS);
    idx.forEach((k, i) => {
      for (let j = 0; j < PIXELS; j++) out[i * PIXELS + j] = images[k * PIXELS + j] / 127.5 - 1;
    });
    return out;
  };
  const all = meter.read(toFloats([...Array(1000).keys()]));
  assert.equal(all.coverage, 10);
  assert.ok(all.allPresent);
  assert.ok(all.confident > 0.9, `confident ${all.confident}`);
  assert.equal(all.histogram.reduce((a, b) => a + b), 1000);
  const sevens = [...labels.keys()].filter((k) => labels[k] === 7).slice(0, 500);
  const collapsed = meter.read(toFloats(sevens));
  assert.equal(collapsed.coverage, 1);
  assert.ok(!collapsed.allPresent);
  assert.ok(collapsed.histogram[7] > 480);
});

test('damaged meter weights are refused with a reason', async () => {
  const c = await core();
  const bytes = loadMeter(c, 'mnist').bytes();
  const flipped = bytes.slice();
  flipped[100] ^= 1;
  assert.throws(() => Meter.fromBytes(c, flipped), /corrupted/);
  assert.throws(() => Meter.fromBytes(c, bytes.subarray(0, 1000)), /bytes, expected/);
  assert.throws(() => Meter.fromBytes(c, new Uint8Array(bytes.length)), /not mode meter weights/);
});
