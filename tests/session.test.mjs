// The page's logic without a browser: the URL state table (web/state.js) and the training
// session the Worker drives (web/session.js), over the real wasm core and real MNIST.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';

import { loadCore, PIXELS } from '../web/gan.js';
import { checkpointWeightsAt, poisonCheckpoint } from './helpers.mjs';
import { GRID, REAL, STRIP, Session, presetTable, slerpStrip } from '../web/session.js';
import {
  SETTINGS, defaults, engineConfig, fromHash, settingsFromPreset, toHash,
} from '../web/state.js';

const core = await loadCore();
const gen = (f) => new URL(`../data/generated/${f}`, import.meta.url);
const mnist = {
  images: gunzipSync(readFileSync(gen('mnist-train-images-idx3-ubyte.gz'))),
  labels: gunzipSync(readFileSync(gen('mnist-train-labels-idx1-ubyte.gz'))),
  meter: readFileSync(gen('meter-mnist.bin')),
};

test('a link round-trips every setting and view option', () => {
  const s = { ...defaults(), dataset: 'fashion', preset: 'strong-d', loss: 'minimax', lr_g: 1e-4, lr_d: 0.001, d_steps: 5, batch: 32, smoothing: 0.1, mbstd: true, seed: 7 };
  const hash = toHash(s, { lang: 'fr', hide: new Set(['loss', 'seed']), embed: true, play: true });
  const back = fromHash(hash);
  assert.deepEqual(back.errors, []);
  assert.deepEqual(back.settings, s);
  assert.equal(back.lang, 'fr');
  assert.deepEqual([...back.hide], ['loss', 'seed']);
  assert.equal(back.embed, true);
  assert.equal(back.play, true);
  assert.deepEqual(new Set(back.given), new Set(Object.keys(SETTINGS)));
  assert.equal(back.checkpoint, null);

  const withModel = toHash(s, { checkpoint: 'mnist-digits-2' });
  assert.match(withModel, /^#checkpoint=mnist-digits-2&dataset=fashion&/, 'the model first, the settings over it');
  assert.equal(fromHash(withModel).checkpoint, 'mnist-digits-2');
});

test('a checkpoint name is 1 to 40 of a-z, 0-9 and -, or it is named as a bad parameter', () => {
  assert.equal(fromHash(`#checkpoint=${'a'.repeat(40)}`).checkpoint, 'a'.repeat(40));
  for (const bad of ['Bad_Name', '..%2Fmeter-mnist', '%2Fetc%2Fpasswd', 'a.gan', '', 'a'.repeat(41), 'caf%C3%A9']) {
    const r = fromHash(`#checkpoint=${bad}&seed=3`);
    assert.equal(r.checkpoint, null, bad);
    assert.equal(r.errors.length, 1, bad);
    assert.match(r.errors[0], /^checkpoint '.*' is not a checkpoint name/, bad);
    assert.equal(r.settings.seed, 3, 'the other parameters still apply');
  }
});

test('bad link parameters are named and leave the defaults', () => {
  const r = fromHash('#lr_d=abc&d_steps=2.5&batch=100000&loss=bogus&lang=de&hide=nothing&dataset=cifar&mbstd=maybe&seed=3');
  assert.equal(r.errors.length, 8, r.errors.join('\n'));
  for (const name of ['lr_d', 'd_steps', 'batch', 'loss', 'lang', 'nothing', 'dataset', 'mbstd']) {
    assert.ok(r.errors.some((e) => e.includes(name)), `no error names ${name}: ${r.errors}`);
  }
  const d = defaults();
  assert.deepEqual({ ...r.settings, seed: d.seed }, d, 'bad values stay at their defaults');
  assert.equal(r.settings.seed, 3, 'good values still apply');
});

test('presets map onto the page settings and back onto the engine', () => {
  const table = presetTable(core);
  assert.deepEqual(table.map((p) => p.name),
    ['balanced', 'fast', 'minimax', 'strong-d', 'mode-collapse', 'collapse-remedy', 'lsgan', 'hinge', 'wgan', 'classic']);
  for (const p of table) {
    assert.ok(p.lesson.en.length > 20 && p.lesson.fr.length > 20, `${p.name} has lessons in both languages`);
  }
  const strong = settingsFromPreset({ ...defaults(), seed: 9, dataset: 'fashion' }, table.find((p) => p.name === 'strong-d'));
  assert.equal(strong.loss, 'minimax');
  assert.equal(strong.lr_d, 0.001, 'float32 values come back as the decimals they were written as');
  assert.equal(strong.d_steps, 5);
  assert.equal(strong.seed, 9, 'a preset keeps the seed');
  assert.equal(strong.dataset, 'fashion', 'a preset keeps the dataset');
  // settings -> engine config -> model reads back the same values
  const s = new Session(core);
  s.build(engineConfig({ ...strong, smoothing: 0.1 }));
  assert.equal(s.config.loss, 'minimax');
  assert.equal(s.config.d_steps, 5);
  assert.ok(Math.abs(s.config.real_label - 0.9) < 1e-6);
  assert.equal(s.config.seed, 9);
});

test('the latent walk stays on the sphere between its two ends', () => {
  const a = new Float32Array([3, 0, 0, 0]), b = new Float32Array([0, 3, 0, 0]);
  const strip = slerpStrip(a, b, 5);
  assert.deepEqual(Array.from(strip.subarray(0, 4)), Array.from(a));
  assert.ok(strip.subarray(16).every((v, i) => Math.abs(v - b[i]) < 1e-6));
  for (let k = 0; k < 5; k++) {
    const p = strip.subarray(4 * k, 4 * k + 4);
    assert.ok(Math.abs(Math.hypot(...p) - 3) < 1e-5, `point ${k} keeps the length of its ends`);
  }
});

test('a session trains, counts D and G steps, and snapshots what the page draws', () => {
  const s = new Session(core);
  s.build({ preset: 'balanced', batch: 16 });
  assert.throws(() => s.step('train'), /no dataset/);
  s.setData(mnist);
  const first = s.snapshot({ meter: true });
  assert.equal(first.samples.length, GRID * PIXELS);
  assert.equal(first.strip.length, STRIP * PIXELS);
  assert.equal(s.real.length, REAL * PIXELS);
  // eleven classes: the ten digits and "not a digit"; an untrained G draws no digit
  assert.equal(first.meter.histogram.length, 11);
  assert.equal(first.meter.histogram.reduce((a, b) => a + b), s.meterRule.samples);
  assert.equal(first.meter.recognisable, false);
  assert.equal(s.meterZ.length, s.meterRule.samples * s.config.latent, 'the meter reads the rule\'s sample count');
  for (let i = 0; i < 3; i++) s.step('train');
  s.step('d');
  s.step('g');
  assert.equal(s.gSteps, 4);
  assert.equal(s.dSteps, 4);
  const snap = s.snapshot();
  assert.equal(snap.step, 4);
  assert.equal(snap.points.length, 5);
  assert.deepEqual(Object.keys(snap.points[3]).sort(),
    ['cost', 'd_fake', 'd_real', 'grad_norm_d', 'loss_d', 'score_fake', 'score_real', 'skipped', 'step']);
  assert.deepEqual(Object.keys(snap.points[4]).sort(),
    ['cost', 'g_signal', 'grad_minimax', 'grad_norm_g', 'grad_ns', 'loss_g', 'skipped', 'step']);
  assert.ok(snap.points.every(({ cost, ...p }) => cost === 'ns' && Object.values(p).every(Number.isFinite)));
  // grad_ns and grad_minimax are 1 - p and p for the same p = D(G(z)).
  assert.ok(Math.abs(snap.points[4].grad_ns + snap.points[4].grad_minimax - 1) < 1e-5);
  assert.equal(snap.generation, first.generation, 'the same model');
  assert.equal(snap.cost, 'ns');
  assert.notDeepEqual(snap.samples, first.samples, 'training changed the samples');
  assert.equal(s.snapshot().points.length, 0, 'points are posted once');
  assert.equal(s.meterRule.samples, 1000);
});

test('live settings change the model in place; shape settings are refused', () => {
  const s = new Session(core);
  s.build({ preset: 'mode-collapse', batch: 16 });
  const gSteps = s.config.g_steps;
  assert.equal(gSteps, 5, 'mode-collapse gives G five steps per D step');
  s.retune({ loss: 'hinge', lr_d: 0.001, d_steps: 3 });
  assert.equal(s.config.loss, 'hinge');
  assert.equal(s.config.d_steps, 3);
  assert.equal(s.config.g_steps, gSteps, 'settings the page does not name keep the model\'s values');
  assert.equal(s.config.warmup, 400);
  assert.throws(() => s.retune({ batch: 32 }), /batch shapes the model/);
  assert.throws(() => s.retune({ lr_g: 7 }), /lr-g/);
  assert.equal(s.config.batch, 16);
  assert.equal(s.config.loss, 'hinge');
  assert.equal(s.snapshot().cost, 'hinge', 'a snapshot names the cost in use');
  const generation = s.generation;
  s.build({ batch: 16 });
  assert.equal(s.generation, generation + 1, 'a new model is a new generation');
});

test('a checkpoint reloads the same samples; bad bytes leave the model as it was', () => {
  const s = new Session(core);
  s.build({ preset: 'balanced', batch: 16, seed: 3 });
  s.setData(mnist);
  for (let i = 0; i < 4; i++) s.step();
  const saved = s.checkpoint(), before = s.snapshot().samples;
  for (let i = 0; i < 3; i++) s.step();
  const trained = s.snapshot().samples;
  assert.notDeepEqual(trained, before);

  const flipped = saved.slice();
  flipped[flipped.length >> 1] ^= 0x40;
  for (const [what, bytes] of [['random bytes', new Uint8Array(5000).map((_, i) => (i * 131) & 255)],
    ['a truncated checkpoint', saved.subarray(0, saved.length - 100)], ['a flipped byte', flipped]]) {
    assert.throws(() => s.load(bytes), /checkpoint/i, what);
    assert.deepEqual(s.snapshot().samples, trained, `${what}: the model is untouched`);
    assert.equal(s.gSteps, 7, `${what}: the step is untouched`);
  }
  s.load(saved);
  assert.equal(s.gSteps, 4);
  assert.deepEqual(s.snapshot().samples, before, 'the checkpoint gives back the same samples');
  s.step();
  assert.equal(s.gSteps, 5, 'a loaded model trains on');
});

test('bad dataset or meter bytes keep the session\'s data', () => {
  const s = new Session(core);
  s.build({ batch: 16 });
  s.setData(mnist);
  const real = s.real;
  assert.throws(() => s.setData({ ...mnist, images: mnist.images.subarray(0, 1000) }), /truncated|length|size|images/i);
  assert.throws(() => s.setData({ ...mnist, meter: mnist.meter.subarray(0, 100) }), /meter/i);
  assert.equal(s.real, real);
  assert.equal(s.dataset.count, 60000);
  s.step();
});

test('non-finite steps are counted in the statistics, then training stops with the engine\'s reason', () => {
  const s = new Session(core);
  s.build({ batch: 16 });
  s.setData(mnist);
  s.step();
  s.load(poisonCheckpoint(s.checkpoint()));
  const before = s.checkpoint();
  const seen = [];
  assert.throws(() => { for (;;) seen.push(s.step().skipped); }, /training stopped: 5 updates in a row had a non-finite loss or gradient/);
  assert.deepEqual(seen, [2, 4], 'each discarded update is counted in the points the page draws');
  assert.equal(s.snapshot().skipped, 5, 'the snapshot after the stop counts all five');
  const after = s.checkpoint();
  // The weights, Adam moments and BN running statistics (all after the 72 bytes of
  // counters; the last 4 bytes are the CRC) are as they were before the discarded steps.
  const at = checkpointWeightsAt(after);
  assert.deepEqual(after.subarray(at, after.length - 4), before.subarray(at, before.length - 4),
    'a discarded update reached the weights or the BN statistics');
});
