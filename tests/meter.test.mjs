// The mode meter (built by make data): it reads real digits well, it sees coverage
// collapse, it knows when it does not know (noise, artefacts and early samples are "not a
// digit", never a class histogram), its arithmetic is right, and damaged or old weights
// are refused.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { crc32 } from 'node:zlib';

import { Meter, PIXELS, meterRule } from '../web/gan.js';
import { METER_MIN_ACCURACY, loadMeter, loadNegatives, readNegatives } from '../tools/data.mjs';
import { DATASETS, datasetFiles, loadDataset } from '../tools/datasets.mjs';
import { core, testImages } from './helpers.mjs';


test('one reading rule for every caller: 1000 samples, a 10% floor, digits at 50% confident', async () => {
  const rule = meterRule(await core());
  assert.equal(rule.samples, 1000);
  assert.ok(Math.abs(rule.floor - 0.1) < 1e-6);
  assert.ok(Math.abs(rule.topProb - 0.9) < 1e-6);
  assert.ok(Math.abs(rule.confident - 0.5) < 1e-6);
  assert.ok(Math.abs(rule.share - 0.05) < 1e-6);
  assert.equal(rule.classes, 11);
  assert.equal(rule.coverage, 10);
});

test('the reading arithmetic on known class probabilities', async () => {
  const c = await core();
  const row = (cls, p) => Array.from({ length: 11 }, (_, k) => (k === cls ? p : (1 - p) / 10));
  const rows = [
    ...Array(40).fill(row(3, 0.95)), ...Array(10).fill(row(5, 0.6)), ...Array(4).fill(row(7, 0.99)),
    ...Array(30).fill(row(10, 0.97)), ...Array(16).fill(row(0, 0.9)),
  ];
  const r = Meter.tally(c, new Float32Array(rows.flat()));
  assert.deepEqual(r.histogram, [16, 0, 0, 40, 0, 10, 0, 4, 0, 0, 30]);
  assert.deepEqual(r.confidentHistogram, [16, 0, 0, 40, 0, 0, 0, 4, 0, 0, 30]);
  assert.equal(r.coverage, 3); // 0, 3, 5; 7 holds 4%; "not a digit" never counts
  assert.ok(Math.abs(r.confident - 0.6) < 1e-6, `confident ${r.confident}`);
  assert.ok(Math.abs(r.junk - 0.3) < 1e-6, `junk ${r.junk}`);
  assert.equal(r.allPresent, false);
  assert.equal(r.recognisable, true);
  assert.equal(r.digits, false);
  const junk = Meter.tally(c, new Float32Array(Array(50).fill(row(10, 0.99)).flat()));
  assert.equal(junk.recognisable, false);
  assert.equal(junk.coverage, 0);
  assert.equal(junk.junk, 1);
  const digits = Meter.tally(c, new Float32Array([...Array(100).keys()].map((i) => row(i % 10, i < 50 ? 0.95 : 0.5)).flat()));
  assert.equal(digits.coverage, 10);
  assert.equal(digits.digits, true);
});

for (const name of Object.keys(DATASETS)) {
  test(`${name}: the meter classifies the test set at its accuracy target`, async () => {
    // make deps installs both datasets (Fashion-MNIST from Debian's dataset-fashion-mnist)
    const c = await core();
    const meter = loadMeter(c, name);
    assert.ok(meter, `data/generated/meter-${name}.bin is missing: run make data`);
    const acc = meter.accuracy(loadDataset(c, name, 't10k'));
    assert.ok(acc >= METER_MIN_ACCURACY[name], `test accuracy ${acc}`);
  });

  test(`${name}: held-out noise, artefacts and early samples are read as no class`, async () => {
    const c = await core();
    const meter = loadMeter(c, name), neg = loadNegatives(c, name, 'heldout');
    assert.ok(meter && neg, 'the meter or its held-out negatives are missing: run make data');
    const kinds = readNegatives(meter, neg);
    assert.deepEqual(kinds.map((k) => k.kind), ['uniform', 'gaussian', 'blobs', 'grey', 'stripes', 'strokes', 'dots', 'early', 'frozen-d']);
    for (const { kind, reading: r } of kinds) {
      assert.ok(r.confident < 0.1, `${kind}: ${(r.confident * 100).toFixed(1)}% confidently a class`);
      assert.equal(r.recognisable, false, kind);
      assert.ok(r.junk > 0.5, `${kind}: only ${(r.junk * 100).toFixed(1)}% not a class`);
    }
  });
}

test('real test digits are recognisable with full coverage; one digit alone reads as collapse', async () => {
  const c = await core();
  const meter = loadMeter(c, 'mnist');
  const { floats, labels, first } = testImages('mnist', 1000);
  const all = meter.read(first);
  assert.equal(all.histogram.length, 11);
  assert.equal(all.histogram.reduce((a, b) => a + b), 1000);
  assert.equal(all.coverage, 10);
  assert.ok(all.allPresent && all.recognisable && all.digits);
  assert.ok(all.confident > 0.9, `confident ${all.confident}`);
  assert.ok(all.junk < 0.02, `junk ${all.junk}`);
  const sevens = [...labels.keys()].filter((k) => labels[k] === 7).slice(0, 500);
  const collapsed = meter.read(floats(sevens));
  assert.equal(collapsed.coverage, 1);
  assert.ok(!collapsed.allPresent && !collapsed.digits);
  assert.ok(collapsed.histogram[7] > 480);
});

test('pure noise is no recognisable digit (it used to read 89% "8")', async () => {
  const c = await core();
  const meter = loadMeter(c, 'mnist');
  const rng = c.call('rng_create', 99, 1), p = c.alloc(1000 * PIXELS);
  c.call('rng_uniform', rng, p, 1000 * PIXELS, -1, 1);
  const noise = c.read(p, 1000 * PIXELS);
  c.free(p);
  c.call('rng_destroy', rng);
  const r = meter.read(noise);
  assert.equal(r.recognisable, false);
  assert.ok(r.confident < 0.01, `confident ${r.confident}`);
  assert.ok(r.junk > 0.9, `junk ${r.junk}`);
});

test('damaged, foreign and version-1 meter weights are refused with a reason', async () => {
  const c = await core();
  const bytes = loadMeter(c, 'mnist').bytes();
  const flipped = bytes.slice();
  flipped[100] ^= 1;
  assert.throws(() => Meter.fromBytes(c, flipped), /corrupted/);
  assert.throws(() => Meter.fromBytes(c, bytes.subarray(0, 1000)), /bytes, expected/);
  assert.throws(() => Meter.fromBytes(c, new Uint8Array(bytes.length)), /not mode meter weights/);
  const v1 = bytes.slice(0, bytes.length - 4 * (7 * 7 * 64 + 1));
  v1[8] = 1;
  assert.throws(() => Meter.fromBytes(c, v1), /version 1 unsupported/);
});

test('a bad meter file is refused before a meter is made for it: wasm memory and allocator as they were', async () => {
  const c = await core();
  const fresh = Meter.create(c, 5), good = fresh.bytes(); // a file that loads
  fresh.destroy();
  const sealed = (bytes) => {
    new DataView(bytes.buffer).setUint32(bytes.length - 4, crc32(bytes.subarray(0, bytes.length - 4)), true);
    return bytes;
  };
  const flipped = good.slice(), poisoned = good.slice();
  flipped[100] ^= 1;
  new DataView(poisoned.buffer).setFloat32(12, NaN, true);
  const bad = [
    [flipped, /corrupted/], [good.subarray(0, 1000), /bytes, expected/], [new Uint8Array(good.length), /not mode meter weights/],
    [new Uint8Array(0), /empty/], [sealed(poisoned), /weight 0 is not finite/],
  ];
  // A meter is about 15 MB (weights, Adam state, a batch of activations): the allocation a
  // bad file must not cause. Count the meters made; the memory must not grow, and a probe
  // block must come back at the same address (nothing kept, nothing leaked).
  const create = c.m._gp_meter_create;
  let made = 0;
  c.m._gp_meter_create = (...args) => (made++, create(...args));
  const memory = () => c.m.HEAPU8.buffer.byteLength;
  const probe = () => {
    const p = c.m._malloc(1 << 20);
    c.m._free(p);
    return p;
  };
  try {
    const probeBefore = probe(), memoryBefore = memory(); // the probe first: it may grow the memory itself
    for (const [bytes, says] of bad) assert.throws(() => Meter.fromBytes(c, bytes), says);
    assert.equal(made, 0, 'a meter was made for a bad file');
    assert.equal(memory(), memoryBefore, 'the wasm memory grew for a bad file');
    assert.equal(probe(), probeBefore, 'the allocator kept memory for a bad file');
    Meter.fromBytes(c, good).destroy();
    assert.equal(made, 1, 'a good file makes its meter');
  } finally {
    c.m._gp_meter_create = create;
  }
});

test('negatives must all be labelled "not a digit"; real sets must not be', async () => {
  const c = await core();
  const neg = loadNegatives(c, 'mnist', 'heldout');
  const imgs = readFileSync(new URL('../data/generated/negatives-mnist-heldout-images-idx3-ubyte', import.meta.url));
  const labels = readFileSync(new URL('../data/generated/negatives-mnist-heldout-labels-idx1-ubyte', import.meta.url));
  const { Dataset } = await import('../web/gan.js');
  assert.throws(() => Dataset.fromIdx(c, imgs, labels), /not a class 0..9/);
  const wrong = labels.slice();
  wrong[8 + 5] = 3;
  assert.throws(() => Dataset.fromIdx(c, imgs, wrong, { negatives: true }), /label 3 at index 5 is not 10/);
  neg.dataset.destroy();
});
