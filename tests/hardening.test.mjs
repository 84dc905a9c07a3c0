// Hardening (issue 9): files crafted with a valid CRC-32 so that only the loaders' own
// checks stand between their bytes and the core. A checkpoint asking for a huge model is
// refused before the wasm memory grows; impossible or non-finite state is refused with a
// reason; finite but absurd weights load and every step that would overflow is skipped and
// counted, so a saved checkpoint always loads again; foreign or non-finite meter weights
// and bad IDX files are refused with the parser's reason. (Empty files: the ABI says
// "empty" itself, tests/api.test.mjs; the parsers' own text, tests/native/.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crc32 } from 'node:zlib';

import { Dataset, Gan, Meter, PIXELS, idx3 } from '../web/gan.js';
import { checkpointWeightsAt, core } from './helpers.mjs';

// ---- checkpoint layout (csrc/io/checkpoint.h, csrc/gan/gan.c gan_state_save) ----
// magic (8), version (4), configuration bytes (4), configuration, state bytes (u64), state,
// CRC-32. The state opens with iterations (i64), skipped (i64), G's Adam t (i32), D's (i32),
// two random streams of 24 bytes; then G's weights, first and second moments, D's, the
// batch-norm running statistics (mean then variance per layer) and G's average.

const stateAt = (bytes) => checkpointWeightsAt(bytes) - 72;
const view = (bytes) => new DataView(bytes.buffer, bytes.byteOffset, bytes.length);

/** The bytes with the CRC-32 recomputed, as a writer would have made them. */
function sealed(bytes) {
  view(bytes).setUint32(bytes.length - 4, crc32(bytes.subarray(0, bytes.length - 4)), true);
  return bytes;
}

/** A copy of a checkpoint with edit(dataView, stateOffset) applied and the CRC repaired. */
function edited(bytes, edit) {
  const out = bytes.slice();
  edit(view(out), stateAt(out));
  return sealed(out);
}

/** Floats per block of the small model below (batch norm in D, G's average). */
const G = 64 * 49 * 64 + 49 * 64 + 64 + 64 + 16 * 32 * 64 + 32 + 32 + 32 + 16 * 32 + 1;
const D = 16 * 32 + 32 + 16 * 32 * 64 + 64 + 64 + 64 + 49 * 64 + 1;
const RUN = 2 * (32 + 64) + 2 * 64;
const BLOCK = { gp: 0, gm: G, gv: 2 * G, dp: 3 * G, dm: 3 * G + D, dv: 3 * G + 2 * D, run: 3 * G + 3 * D, ema: 3 * G + 3 * D + RUN };
const SMALL = { preset: 'classic', batch: 4, d_batchnorm: 1, d_layers: 2, g_resize: 0, mbstd: 0, ema: 0.9, latent: 64, width: 1 };

/** A tiny dataset: 8 images with a vertical stroke each, labels 0..7. */
function tinyDataset(c) {
  const px = new Uint8Array(8 * PIXELS);
  for (let i = 0; i < px.length; i++) px[i] = (i % 28) === 10 + Math.floor(i / PIXELS) ? 255 : 0;
  const labels = new Uint8Array([0, 0, 8, 1, 0, 0, 0, 8, 0, 1, 2, 3, 4, 5, 6, 7]);
  return Dataset.fromIdx(c, idx3(px), labels);
}

let smallCheckpoint;
/** A real checkpoint of SMALL after one step. */
async function small() {
  const c = await core();
  if (!smallCheckpoint) {
    const g = Gan.create(c, SMALL), data = tinyDataset(c);
    g.trainStep(data);
    smallCheckpoint = g.checkpoint();
    g.destroy();
    data.destroy();
  }
  return { c, bytes: smallCheckpoint };
}

const memoryBytes = (c) => c.m.HEAPU8.buffer.byteLength;

test('the layout these tests edit is the one the core writes', async () => {
  const { c, bytes } = await small();
  assert.equal(bytes.length - 4 - stateAt(bytes), 72 + 4 * (BLOCK.ema + G), 'state size of the small model');
  Gan.fromCheckpoint(c, sealed(bytes.slice())).destroy();
});

test('a 96-byte checkpoint of a 2 GB model is refused before anything is allocated', async () => {
  const c = await core();
  // format 1: 17 fields of configuration (68 bytes); width 4, batch 1024, latent 1024;
  // a state of 0 bytes; a valid CRC. The loader used to build the model first.
  const f = new Uint8Array(96);
  const dv = view(f);
  f.set(new TextEncoder().encode('GANPLAY1'));
  dv.setUint32(8, 1, true);
  dv.setUint32(12, 68, true);
  [1024, 4, 1024, 1, 1, 0, 0, 1].forEach((v, i) => dv.setInt32(16 + 4 * i, v, true));
  [2e-4, 2e-4, 0.5, 0.999, 0.5, 0.999, 1, 0, 0.01].forEach((v, i) => dv.setFloat32(48 + 4 * i, v, true));
  sealed(f);
  const before = memoryBytes(c);
  assert.throws(() => Gan.fromCheckpoint(c, f), /checkpoint configuration invalid: the model needs \d+ MB, more than the 1024 MB/);
  // width 1: a model the loader may build (about 600 MB), but not from a state of 0 bytes
  dv.setInt32(20, 1, true);
  assert.throws(() => Gan.fromCheckpoint(c, sealed(f)), /checkpoint state invalid: state has 0 bytes, its configuration needs \d+/);
  assert.equal(memoryBytes(c), before, 'the wasm memory grew for a refused file');
});

test('impossible counters are refused and named: Adam\'s t of -1 or INT32_MAX, negative iterations', async () => {
  const { c, bytes } = await small();
  const before = memoryBytes(c);
  const cases = [
    [(dv, s) => dv.setInt32(s + 16, -1, true), /G's Adam step count is -1, not in 0\.\.1000000000/],
    [(dv, s) => dv.setInt32(s + 16, 0x7fffffff, true), /G's Adam step count is 2147483647/],
    [(dv, s) => dv.setInt32(s + 20, -1, true), /D's Adam step count is -1/],
    [(dv, s) => dv.setBigInt64(s, -3n, true), /iteration count is -3/],
    [(dv, s) => dv.setBigInt64(s + 8, 1n << 40n, true), /skipped count/],
  ];
  for (const [edit, says] of cases) {
    assert.throws(() => Gan.fromCheckpoint(c, edited(bytes, edit)), (e) => says.test(e.message) && /checkpoint state invalid/.test(e.message), String(says));
  }
  assert.equal(memoryBytes(c), before);
});

test('non-finite weights, moments, running statistics and averages are refused and named', async () => {
  const { c, bytes } = await small();
  const at = (block, i) => (dv, s) => s + 72 + 4 * (BLOCK[block] + i);
  const cases = [
    ['gp', 3, NaN, /G's weight 3 is not finite/],
    ['gm', 0, Infinity, /G's Adam first moment 0 is not finite/],
    ['gv', 2, -1, /G's Adam second moment 2 is negative/],
    ['dp', 40, -Infinity, /D's weight 40 is not finite/],
    ['dm', 1, NaN, /D's Adam first moment 1/],
    ['dv', 5, Infinity, /D's Adam second moment 5/],
    ['run', 7, NaN, /G's first batch-norm running mean 7 is not finite/],
    ['run', 64 + 1, -0.5, /G's first batch-norm running variance 1 is negative/],
    ['run', 192 + 64, Infinity, /D's first batch-norm running variance 0/],
    ['ema', 9, NaN, /G's averaged weight 9 is not finite/],
  ];
  for (const [block, i, value, says] of cases) {
    const bad = edited(bytes, (dv, s) => dv.setFloat32(at(block, i)(dv, s), value, true));
    assert.throws(() => Gan.fromCheckpoint(c, bad), says, `${block}[${i}] = ${value}`);
  }
});

test('finite but absurd weights load; every overflowing step is skipped and counted; the checkpoint stays loadable', async () => {
  const { c, bytes } = await small();
  const data = tinyDataset(c);
  // G's first weight at 1e30 sent G's batch-norm running variance to infinity, D's first
  // convolution at 1e30 overflowed g*g in G's Adam: NaN losses after a resume, no step skipped.
  for (const [from, to, what] of [[BLOCK.gp, BLOCK.gp + 1, "G's first weight"], [BLOCK.dp, BLOCK.dp + 16 * 32 + 32, "D's first convolution"]]) {
    const g = Gan.fromCheckpoint(c, edited(bytes, (dv, s) => {
      for (let i = from; i < to; i++) dv.setFloat32(s + 72 + 4 * i, 1e30, true);
    }));
    let skipped = 0, steps = 0, stopped = false;
    try {
      for (; steps < 10; steps++) {
        skipped += g.trainStep(data).skipped;
        Gan.fromCheckpoint(c, g.checkpoint()).destroy(); // the saved state is finite
      }
    } catch (e) {
      assert.match(e.message, /non-finite|in a row/, `${what}: ${e.message}`);
      stopped = true;
      skipped = g.readStats().skipped_total;
    }
    assert.ok(skipped > 0, `${what} at 1e30: no step skipped in ${steps} steps`);
    assert.equal(g.readStats().skipped_total, skipped, `${what}: skipped updates are counted`);
    Gan.fromCheckpoint(c, g.checkpoint()).destroy();
    assert.ok(stopped || steps === 10);
    g.destroy();
  }
  data.destroy();
});

test('meter files: foreign and non-finite weights are refused and named', async () => {
  const c = await core();
  assert.throws(() => Meter.fromBytes(c, new TextEncoder().encode('GANPLAY1 not a meter')), /not mode meter weights/);
  assert.throws(() => Meter.fromBytes(c, new TextEncoder().encode('GANME')), /mode meter weights truncated/);
  const m = Meter.create(c, 3);
  const good = m.bytes();
  m.destroy();
  Meter.fromBytes(c, good).destroy();
  const bad = good.slice();
  view(bad).setFloat32(12 + 4 * 10, NaN, true);
  assert.throws(() => Meter.fromBytes(c, sealed(bad)), /mode meter weight 10 is not finite/);
});

// Which file is at fault is the ABI's to report (gp_last_error_input, csrc/api_gan.c);
// here only the parser's reason, which it must carry through.
test('IDX files: the reason for a bad labels or images file comes through', async () => {
  const c = await core();
  const images = idx3(new Uint8Array(2 * PIXELS));
  const labels = new Uint8Array([0, 0, 8, 1, 0, 0, 0, 2, 1, 2]);
  assert.throws(() => Dataset.fromIdx(c, images, labels.subarray(0, 9)), /IDX data truncated: 1 bytes for 2 elements/);
  assert.throws(() => Dataset.fromIdx(c, images, images), /3 dimensions, expected 1/);
  assert.throws(() => Dataset.fromIdx(c, labels, labels), /1 dimensions, expected 3/);
  assert.throws(() => Dataset.fromIdx(c, images.subarray(0, 3), labels), /too short to be an IDX file/);
  Dataset.fromIdx(c, images, labels).destroy();
});
