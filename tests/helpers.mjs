// helpers.mjs - shared by the node:test suites over the wasm core: loading it, seeded test
// data, error measures (float64), finite differences, buffer bookkeeping, and the preset
// training runs the lesson tests share.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

import { GP, Gan, PIXELS, latentNoise, loadCore, meterRule } from '../web/gan.js';
import { loadMeter } from '../tools/data.mjs';
import { DATASETS, datasetFiles, loadDataset } from '../tools/datasets.mjs';

export { GP, loadCore };

/** float32 machine epsilon */
export const EPS32 = 2 ** -23;

let corePromise;
/** The file's one core (node --test runs each file in its own process). */
export function core() {
  corePromise ??= loadCore({ full: true });
  return corePromise;
}

/** A small seeded PRNG (mulberry32): uniform in [0, 1). */
export function prng(seed = 1) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n floats uniform in [lo, hi) from a seed. */
export function randomFloats(n, seed = 1, lo = -1, hi = 1) {
  const next = prng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * next();
  return out;
}

/**
 * max_i |a_i - b_i| over the largest |b_j| (the reference's scale, at least `floor`), in
 * float64. Any NaN, or a length mismatch, is an infinite error.
 */
export function maxRelError(a, b, floor = 1e-30) {
  if (a.length !== b.length) return Infinity;
  let d = 0, scale = floor;
  for (let i = 0; i < b.length; i++) {
    const e = Math.abs(a[i] - b[i]);
    if (Number.isNaN(e)) return Infinity;
    d = Math.max(d, e);
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return d / scale;
}

/** <a, b> accumulated in float64. */
export function dot(a, b) {
  if (a.length !== b.length) throw new RangeError(`dot: lengths ${a.length} and ${b.length}`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * Central difference of the scalar f() with respect to data[i]: sets data[i] to x +- h,
 * calls f (which reads data), restores data[i]. The perturbed points are float32, so the
 * step actually taken is used, not h.
 */
export function centralDiff(f, data, i, h) {
  const x = data[i];
  data[i] = x + h;
  const hp = data[i] - x;
  const fp = f();
  data[i] = x - h;
  const hm = x - data[i];
  const fm = f();
  data[i] = x;
  return (fp - fm) / (hp + hm);
}

/**
 * Gradient agreement that stays meaningful near zero: |a - n| over max(|a|, |n|, scale),
 * where scale is the typical size of the gradient being checked.
 */
export function gradError(analytic, numeric, scale) {
  return Math.abs(analytic - numeric) / Math.max(Math.abs(analytic), Math.abs(numeric), scale);
}

/** Largest |x|. */
export function maxAbs(x) {
  let m = 0;
  for (const v of x) m = Math.max(m, Math.abs(v));
  return m;
}

/**
 * Uploads buffers: each value is a Float32Array (copied in) or a count (zeroed floats).
 * Returns the pointers by name plus read(name) and release().
 */
export function buffers(c, spec) {
  const sizes = {}, ptrs = {};
  try {
    for (const [k, v] of Object.entries(spec)) {
      if (typeof v === 'number') ptrs[k] = c.alloc(v), sizes[k] = v;
      else ptrs[k] = c.upload(v), sizes[k] = v.length;
    }
  } catch (e) {
    for (const p of Object.values(ptrs)) c.free(p);
    throw e;
  }
  return {
    ...ptrs,
    read: (k) => c.read(ptrs[k], sizes[k]),
    write: (k, data) => c.write(ptrs[k], data),
    release: () => Object.values(ptrs).forEach((p) => c.free(p)),
  };
}

/** Output spatial size of a conv geometry along one axis, or null when impossible. */
export function convOut(c, size, k, s, p) {
  const o = c.status('conv_out_size', size, k, s, p);
  return o < 0 ? null : o;
}

export const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** The seeds every lesson preset is checked over. */
export const PRESET_SEEDS = [1, 2, 3];

const presetRuns = new Map();
/**
 * Trains a preset on a dataset (MNIST unless told) for `steps`, with `config` over the
 * preset's settings; resolves to the per-step statistics, the mode meter's reading of
 * `samples` generated images (the meter rule's count unless told) at the end, and with `readEvery` its
 * readings every that many steps ({ step, reading }). Runs are deterministic, so each is
 * trained once per file and shared by its tests.
 */
export async function trainPreset(preset, seed, steps, { dataset = 'mnist', samples: asked, config = {}, readEvery = 0 } = {}) {
  const samples = asked ?? meterRule(await core()).samples;
  const key = JSON.stringify([preset, seed, steps, dataset, samples, config, readEvery]);
  if (!presetRuns.has(key)) {
    const c = await core();
    trainPreset.data ??= new Map();
    if (!trainPreset.data.has(dataset))
      trainPreset.data.set(dataset, { data: loadDataset(c, dataset), meter: loadMeter(c, dataset) });
    const { data, meter } = trainPreset.data.get(dataset);
    const gan = Gan.create(c, { preset, seed, ...config });
    const z = latentNoise(c, samples, gan.latent, 77);
    const stats = [], readings = [];
    for (let i = 1; i <= steps; i++) {
      stats.push(gan.trainStep(data));
      if (readEvery && i % readEvery === 0) readings.push({ step: i, reading: meter.read(gan.generate(z)) });
    }
    const reading = meter.read(gan.generate(z));
    gan.destroy();
    presetRuns.set(key, { stats, reading, readings });
  }
  return presetRuns.get(key);
}

/**
 * Where G's parameters start in checkpoint bytes. Layout (csrc/io/checkpoint.c, gan.c): a
 * head of magic (8), version (4), the configuration's byte count (4), the configuration,
 * the state's byte count (8); then the state, whose first 72 bytes are counters and random
 * streams before G's parameters; a CRC-32 (reflected, 0xedb88320) closes the file. The
 * configuration grew with format 2 (68 -> 96 bytes), so its size is read from the file.
 */
export function checkpointWeightsAt(bytes) {
  const cfgBytes = new DataView(bytes.buffer, bytes.byteOffset, bytes.length).getUint32(12, true);
  return 8 + 4 + 4 + cfgBytes + 8 + 72;
}

/**
 * A valid checkpoint of a broken model: G's first weight set to 1e30 (finite, so the loader,
 * which refuses non-finite state, takes it) and the CRC-32 recomputed: every update it
 * would make overflows, so every step is skipped as non-finite.
 */
export function poisonCheckpoint(bytes) {
  const out = bytes.slice();
  const dv = new DataView(out.buffer, out.byteOffset, out.length);
  dv.setFloat32(checkpointWeightsAt(out), 1e30, true);
  let c = 0xffffffff;
  for (let i = 0; i < out.length - 4; i++) {
    c ^= out[i];
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  dv.setUint32(out.length - 4, ~c >>> 0, true);
  return out;
}

/** The first n test images of a dataset as floats in [-1, 1], and their labels. */
export function testImages(name, n) {
  const files = datasetFiles(name, 't10k');
  const raw = (f) => (DATASETS[name].suffix === '.gz' ? gunzipSync(readFileSync(f)) : readFileSync(f));
  const images = raw(files.images).subarray(16), labels = raw(files.labels).subarray(8);
  const floats = (idx) => {
    const out = new Float32Array(idx.length * PIXELS);
    idx.forEach((k, i) => {
      for (let j = 0; j < PIXELS; j++) out[i * PIXELS + j] = images[k * PIXELS + j] / 127.5 - 1;
    });
    return out;
  };
  return { floats, labels, first: floats([...Array(n).keys()]) };
}

/** The root-mean-square distance of 2-D points [x0, y0, x1, y1, ...] to their centre. */
export function cloudSpread(pts) {
  const n = pts.length / 2;
  let mx = 0, my = 0, s = 0;
  for (let i = 0; i < n; i++) mx += pts[2 * i] / n, my += pts[2 * i + 1] / n;
  for (let i = 0; i < n; i++) s += (pts[2 * i] - mx) ** 2 + (pts[2 * i + 1] - my) ** 2;
  return Math.sqrt(s / n);
}
