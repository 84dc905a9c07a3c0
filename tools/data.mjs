#!/usr/bin/env node
// data.mjs - `make data`: checks each dataset this machine has and trains its mode meter
// once, caching the weights in data/generated/meter-<dataset>.bin. A cached meter that
// loads is kept; a missing, damaged or older-version one is trained again (a minute or
// two each). The meter learns "not a digit" from negatives (tools/negatives.mjs), cached
// beside it as IDX files: a training split mixed into its epochs and a held-out split for
// the tests. It also puts each training set there gzipped (<dataset>-train-*-ubyte.gz),
// for the page, and each test set (<dataset>-t10k-*-ubyte.gz) for its game "Real or fake?".
// Once a meter exists, the view "P_θ against P_data" gets its fixed projection:
// pca-<dataset>.json, the two principal axes of the meter's features of test images.
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

import { Dataset, METER_FEATURES, Meter, PIXELS, idx3, loadCore } from '../web/gan.js';
import { projectFeatures } from '../web/session.js';
import { buildNegatives, idx1 } from './negatives.mjs';
import { writeAtomic } from './cli.mjs';
import { DATASETS, DatasetError, datasetFiles, loadDataset } from './datasets.mjs';

const OUT = fileURLToPath(new URL('../data/generated/', import.meta.url));
// The meter must read real images well before it can judge generated ones.
export const METER_MIN_ACCURACY = { mnist: 0.985, fashion: 0.88 };
// learning rate per epoch: with "not a digit" to learn as well, four epochs left MNIST at
// 98.51% against its 98.5% floor; a fifth at 1e-3 gives it a margin
const SCHEDULE = [1e-3, 1e-3, 1e-3, 3e-4, 1e-4];

export const meterPath = (name) => `${OUT}meter-${name}.bin`;
// Bumped when tools/negatives.mjs changes what it draws, so the caches are rebuilt.
const NEGATIVES_VERSION = 1;
const negativesPath = (name, split, what) => `${OUT}negatives-${name}-${split}-${what}`;
/** The gzipped files the page fetches from /data/ (served by tools/serve.mjs): split 'train' or 't10k'. */
export const webDataPath = (name, kind, split = 'train') => `${OUT}${name}-${split}-${kind}-ubyte.gz`;

/** Copies (or gzips) a dataset's training and test files into data/generated/ for the page. */
export function publishForWeb(name) {
  mkdirSync(OUT, { recursive: true });
  for (const split of ['train', 't10k']) {
    const files = datasetFiles(name, split);
    for (const [kind, src] of [['images-idx3', files.images], ['labels-idx1', files.labels]]) {
      const dst = webDataPath(name, kind, split);
      if (existsSync(dst) || !existsSync(src)) continue;
      const bytes = readFileSync(src);
      writeAtomic(dst, src.endsWith('.gz') ? bytes : gzipSync(bytes, { level: 9 }));
      console.log(`${name}: ${dst} written for the page`);
    }
  }
}

/** The cached meter of a dataset, or null when make data has not built it. */
export function loadMeter(core, name) {
  const p = meterPath(name);
  if (!existsSync(p)) return null;
  return Meter.fromBytes(core, readFileSync(p));
}

/**
 * The cached negatives of a split ('train' or 'heldout'): { dataset (a negatives Dataset in
 * the core), images (bytes), kinds: [{ name, start, count }] }, or null when make data has
 * not built them (or built them with another recipe).
 */
export function loadNegatives(core, name, split) {
  const paths = ['images-idx3-ubyte', 'labels-idx1-ubyte', 'kinds.json'].map((w) => negativesPath(name, split, w));
  if (!paths.every(existsSync)) return null;
  const info = JSON.parse(readFileSync(paths[2], 'utf8'));
  if (info.version !== NEGATIVES_VERSION) return null;
  const images = readFileSync(paths[0]), labels = readFileSync(paths[1]);
  return { dataset: Dataset.fromIdx(core, images, labels, { negatives: true }), images: images.subarray(16), kinds: info.kinds };
}

/** The negatives of a split, from the cache or built and cached now; fresh is true when built. */
function negatives(core, name, split, train) {
  const cached = loadNegatives(core, name, split);
  if (cached) return { ...cached, fresh: false };
  const t0 = performance.now();
  const neg = buildNegatives(core, train, split);
  writeAtomic(negativesPath(name, split, 'images-idx3-ubyte'), idx3(neg.images));
  writeAtomic(negativesPath(name, split, 'labels-idx1-ubyte'), idx1(neg.labels));
  writeAtomic(negativesPath(name, split, 'kinds.json'), `${JSON.stringify({ version: NEGATIVES_VERSION, kinds: neg.kinds })}\n`);
  console.log(`${name}: ${neg.labels.length} ${split} negatives written (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  return { ...loadNegatives(core, name, split), fresh: true };
}

/** The meter's reading of each kind of held-out negatives. */
export function readNegatives(meter, neg) {
  return neg.kinds.map((k) => {
    const f = new Float32Array(k.count * PIXELS);
    const src = neg.images.subarray(k.start * PIXELS, (k.start + k.count) * PIXELS);
    for (let i = 0; i < f.length; i++) f[i] = src[i] / 127.5 - 1;
    return { kind: k.name, reading: meter.read(f) };
  });
}

async function prepare(core, name) {
  const files = datasetFiles(name, 'train');
  if (!existsSync(files.images)) {
    console.log(`${name}: not installed (${files.images}); ${DATASETS[name].install}`);
    return true;
  }
  const train = loadDataset(core, name, 'train'), test = loadDataset(core, name, 't10k');
  console.log(`${name}: ${train.count} training and ${test.count} test images`);
  mkdirSync(OUT, { recursive: true });
  publishForWeb(name);
  const negTrain = negatives(core, name, 'train', train), negHeld = negatives(core, name, 'heldout', train);
  try {
    const cached = negTrain.fresh ? null : loadMeter(core, name);
    if (cached) {
      const acc = cached.accuracy(test);
      cached.destroy();
      if (acc >= METER_MIN_ACCURACY[name]) {
        console.log(`${name}: mode meter cached (${(acc * 100).toFixed(2)}% test accuracy)`);
        return true;
      }
    }
  } catch (e) {
    console.log(`${name}: cached mode meter unusable (${e.message}); training it again`);
  }
  const meter = Meter.create(core, 1);
  let acc = 0;
  for (const [i, lr] of SCHEDULE.entries()) {
    const t0 = performance.now();
    const loss = meter.trainEpoch(train, lr, negTrain.dataset);
    acc = meter.accuracy(test);
    console.log(`${name}: meter epoch ${i + 1}/${SCHEDULE.length} loss ${loss.toFixed(4)} test accuracy ${(acc * 100).toFixed(2)}% (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  }
  if (acc < METER_MIN_ACCURACY[name]) {
    console.error(`${name}: the mode meter reached only ${(acc * 100).toFixed(2)}% (needs ${METER_MIN_ACCURACY[name] * 100}%)`);
    return false;
  }
  for (const { kind, reading: r } of readNegatives(meter, negHeld)) {
    console.log(`${name}: held-out ${kind}: ${(r.junk * 100).toFixed(1)}% not a class, ${(r.confident * 100).toFixed(1)}% confident`);
  }
  writeAtomic(meterPath(name), meter.bytes());
  console.log(`${name}: mode meter written to ${meterPath(name)}`);
  return true;
}

// ---- P_θ against P_data: a fixed 2-D projection of the meter's features ----

export const pcaPath = (name) => `${OUT}pca-${name}.json`;
export const PCA_IMAGES = 2000; // the first test images the axes are fitted on
export const PCA_SHOWN = 500;   // real points the view draws (50 a class)
const PCA_ITERATIONS = 500; // at most: an axis stops when an iteration no longer turns it

/** The test set as { images (bytes), labels } from the gzipped files publishForWeb wrote. */
export function readTestSet(name) {
  const images = gunzipSync(readFileSync(webDataPath(name, 'images-idx3', 't10k'))).subarray(16);
  const labels = gunzipSync(readFileSync(webDataPath(name, 'labels-idx1', 't10k'))).subarray(8);
  return { images, labels };
}

/** Bytes (0..255) to images in [-1, 1], as the meter reads them. */
export function bytesToFloats(bytes) {
  const f = new Float32Array(bytes.length);
  for (let i = 0; i < f.length; i++) f[i] = bytes[i] / 127.5 - 1;
  return f;
}

/**
 * The two principal axes of n rows of d features (Float32Array, row-major) by power
 * iteration on the centred rows, X^T (X v) / n, never forming the covariance: the second
 * axis is kept orthogonal to the first (deflation). Deterministic: a fixed start vector,
 * iterations until the axis turns by less than 1e-6 rad (or `iterations`), each axis
 * signed so its largest component is positive.
 * Returns { mean, axes: [a1, a2], variances: [l1, l2] } (Float64Arrays, unit axes).
 */
export function pca2(x, n, d, iterations = PCA_ITERATIONS) {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  const c = new Float32Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) c[i * d + j] = x[i * d + j] - mean[j];
  const dot = (a, b) => { let s = 0; for (let j = 0; j < d; j++) s += a[j] * b[j]; return s; };
  const normalise = (v) => { const s = Math.sqrt(dot(v, v)); for (let j = 0; j < d; j++) v[j] /= s; return v; };
  const cov = (v) => { // X^T X v / n
    const out = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      let s = 0;
      const o = i * d;
      for (let j = 0; j < d; j++) s += c[o + j] * v[j];
      for (let j = 0; j < d; j++) out[j] += s * c[o + j];
    }
    for (let j = 0; j < d; j++) out[j] /= n;
    return out;
  };
  const axes = [], variances = [];
  for (let k = 0; k < 2; k++) {
    let v = new Float64Array(d);
    let s = 0x2545f491 + k; // a fixed pseudo-random start
    for (let j = 0; j < d; j++) s = (Math.imul(s, 1664525) + 1013904223) >>> 0, v[j] = s / 4294967296 - 0.5;
    const deflate = (w) => { for (const a of axes) { const p = dot(w, a); for (let j = 0; j < d; j++) w[j] -= p * a[j]; } return w; };
    normalise(deflate(v));
    for (let it = 0; it < iterations; it++) {
      const w = normalise(deflate(cov(v)));
      const turn = 1 - Math.abs(dot(w, v));
      v = w;
      if (turn < 5e-13) break;
    }
    let big = 0;
    for (let j = 1; j < d; j++) if (Math.abs(v[j]) > Math.abs(v[big])) big = j;
    if (v[big] < 0) for (let j = 0; j < d; j++) v[j] = -v[j];
    axes.push(v);
    variances.push(dot(v, cov(v)));
  }
  return { mean, axes, variances };
}

/** PCA_SHOWN indices among the first PCA_IMAGES, the first PCA_SHOWN / 10 of each class (fewer classes: filled in order). */
export function shownIndices(labels) {
  const per = PCA_SHOWN / 10, taken = new Array(10).fill(0), out = [];
  for (let i = 0; i < PCA_IMAGES && out.length < PCA_SHOWN; i++) if (taken[labels[i]]++ < per) out.push(i);
  for (let i = 0; i < PCA_IMAGES && out.length < PCA_SHOWN; i++) if (!out.includes(i)) out.push(i);
  return out.sort((a, b) => a - b);
}

const round = (v) => Number(v.toPrecision(7));

/** Writes pca-<name>.json unless it is newer than the meter; the meter must exist (it is never trained here). */
function preparePca(core, name) {
  const out = pcaPath(name), m = meterPath(name);
  if (!existsSync(m)) return;
  if (existsSync(out) && statSync(out).mtimeMs > statSync(m).mtimeMs) {
    console.log(`${name}: projection cached (${out})`);
    return;
  }
  const t0 = performance.now();
  const meter = loadMeter(core, name);
  try {
    const { images, labels } = readTestSet(name);
    const x = meter.features(bytesToFloats(images.subarray(0, PCA_IMAGES * PIXELS)));
    const p = pca2(x, PCA_IMAGES, METER_FEATURES);
    const index = shownIndices(labels);
    const shown = new Float32Array(index.length * METER_FEATURES);
    index.forEach((k, i) => shown.set(x.subarray(k * METER_FEATURES, (k + 1) * METER_FEATURES), i * METER_FEATURES));
    const pts = projectFeatures(shown, index.length, p);
    const json = {
      mean: Array.from(p.mean, round), axes: p.axes.map((a) => Array.from(a, round)),
      variances: p.variances.map(round), fitted: PCA_IMAGES,
      real: { index, points: index.map((_, i) => [round(pts[2 * i]), round(pts[2 * i + 1])]) },
    };
    writeAtomic(out, `${JSON.stringify(json)}\n`);
    console.log(`${name}: projection written to ${out} (variances ${p.variances.map((v) => v.toFixed(1)).join(', ')}; ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  } finally {
    meter.destroy();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const core = await loadCore();
  let ok = true;
  try {
    for (const name of Object.keys(DATASETS)) {
      const ready = await prepare(core, name);
      if (ready) preparePca(core, name);
      ok = ready && ok;
    }
  } catch (e) {
    if (!(e instanceof DatasetError)) throw e;
    console.error(`data: ${e.message}`);
    ok = false;
  }
  process.exit(ok ? 0 : 1);
}
