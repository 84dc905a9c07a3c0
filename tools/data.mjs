#!/usr/bin/env node
// data.mjs - `make data`: checks each dataset this machine has and trains its mode meter
// once, caching the weights in data/generated/meter-<dataset>.bin. A cached meter that
// loads is kept; a missing or damaged one is trained again (about a minute each). It also
// puts each training set there gzipped (<dataset>-train-*-ubyte.gz), for the page.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

import { Meter, loadCore } from '../web/gan.js';
import { writeAtomic } from './cli.mjs';
import { DATASETS, DatasetError, datasetFiles, loadDataset } from './datasets.mjs';

const OUT = fileURLToPath(new URL('../data/generated/', import.meta.url));
// The meter must read real images well before it can judge generated ones.
export const METER_MIN_ACCURACY = { mnist: 0.985, fashion: 0.88 };
const SCHEDULE = [1e-3, 1e-3, 3e-4, 1e-4]; // learning rate per epoch

export const meterPath = (name) => `${OUT}meter-${name}.bin`;
/** The gzipped training files the page fetches from /data/ (served by tools/serve.mjs). */
export const webDataPath = (name, kind) => `${OUT}${name}-train-${kind}-ubyte.gz`;

/** Copies (or gzips) a dataset's training files into data/generated/ for the page. */
function publishForWeb(name) {
  const files = datasetFiles(name, 'train');
  for (const [kind, src] of [['images-idx3', files.images], ['labels-idx1', files.labels]]) {
    const dst = webDataPath(name, kind);
    if (existsSync(dst)) continue;
    const bytes = readFileSync(src);
    writeAtomic(dst, src.endsWith('.gz') ? bytes : gzipSync(bytes, { level: 9 }));
    console.log(`${name}: ${dst} written for the page`);
  }
}

/** The cached meter of a dataset, or null when make data has not built it. */
export function loadMeter(core, name) {
  const p = meterPath(name);
  if (!existsSync(p)) return null;
  return Meter.fromBytes(core, readFileSync(p));
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
  try {
    const cached = loadMeter(core, name);
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
    const loss = meter.trainEpoch(train, lr);
    acc = meter.accuracy(test);
    console.log(`${name}: meter epoch ${i + 1}/${SCHEDULE.length} loss ${loss.toFixed(4)} test accuracy ${(acc * 100).toFixed(2)}% (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  }
  if (acc < METER_MIN_ACCURACY[name]) {
    console.error(`${name}: the mode meter reached only ${(acc * 100).toFixed(2)}% (needs ${METER_MIN_ACCURACY[name] * 100}%)`);
    return false;
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
