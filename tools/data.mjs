#!/usr/bin/env node
// data.mjs - `make data`: checks each dataset this machine has and trains its mode meter
// once, caching the weights in data/generated/meter-<dataset>.bin. A cached meter that
// loads is kept; a missing, damaged or older-version one is trained again (a minute or
// two each). The meter learns "not a digit" from negatives (tools/negatives.mjs), cached
// beside it as IDX files: a training split mixed into its epochs and a held-out split for
// the tests. It also puts each training set there gzipped (<dataset>-train-*-ubyte.gz),
// for the page, and each test set (<dataset>-t10k-*-ubyte.gz) for its game "Real or fake?".
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

import { Dataset, Meter, PIXELS, idx3, loadCore } from '../web/gan.js';
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

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const core = await loadCore();
  let ok = true;
  try {
    for (const name of Object.keys(DATASETS)) ok = (await prepare(core, name)) && ok;
  } catch (e) {
    if (!(e instanceof DatasetError)) throw e;
    console.error(`data: ${e.message}`);
    ok = false;
  }
  process.exit(ok ? 0 : 1);
}
