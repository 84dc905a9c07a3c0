#!/usr/bin/env node
// checkpoints.mjs - `make checkpoints`: trains the models the lessons start from, so a class
// begins with good digits at once (the page opens one with #checkpoint=NAME). Each is
// trained from its preset and seed for a fixed number of steps, so the same build gives
// the same bytes every time; one that is already there and up to date is kept. Written
// to data/generated/checkpoints/NAME.gan (whole or not at all) with NAME.json beside it
// (how it was made, and the mode meter's reading of it).
//
//   node tools/checkpoints.mjs [NAME...] [--list]
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';

import { Gan, latentNoise, loadCore, meterRule } from '../web/gan.js';
import { UsageError, parseNames, writeAtomic } from './cli.mjs';
import { loadMeter } from './data.mjs';
import { loadDataset } from './datasets.mjs';

export const CHECKPOINT_DIR = fileURLToPath(new URL('../data/generated/checkpoints/', import.meta.url));

/** The trained models the lessons use: name, dataset, preset, seed, steps. */
export const CHECKPOINTS = [
  { name: 'balanced', dataset: 'mnist', preset: 'balanced', seed: 1, steps: 5000,
    about: 'the default recipe after 5000 steps (160,000 images): digits of every class' },
  { name: 'quality', dataset: 'mnist', preset: 'balanced', seed: 1, steps: 16000,
    about: 'the default recipe trained on for 16000 steps (512,000 images): the best digits this engine makes' },
  { name: 'fashion', dataset: 'fashion', preset: 'balanced', seed: 1, steps: 5000,
    about: 'the default recipe on Fashion-MNIST after 5000 steps (open it with dataset=fashion)' },
];

const WASM = fileURLToPath(new URL('../build/gan.wasm', import.meta.url));

/** What a checkpoint's bytes depend on: the engine's build and the recipe. */
function recipeKey(spec) {
  const h = createHash('sha256');
  h.update(readFileSync(WASM));
  h.update(JSON.stringify([spec.dataset, spec.preset, spec.seed, spec.steps]));
  return h.digest('hex').slice(0, 16);
}

const paths = (name) => ({ gan: `${CHECKPOINT_DIR}${name}.gan`, json: `${CHECKPOINT_DIR}${name}.json` });

function upToDate(spec, key) {
  const p = paths(spec.name);
  if (!existsSync(p.gan) || !existsSync(p.json)) return false;
  try {
    return JSON.parse(readFileSync(p.json, 'utf8')).key === key;
  } catch {
    return false;
  }
}

async function build(core, spec, key) {
  const data = loadDataset(core, spec.dataset);
  const gan = Gan.create(core, { preset: spec.preset, seed: spec.seed });
  const t0 = performance.now();
  let last = t0;
  try {
    for (let i = 1; i <= spec.steps; i++) {
      gan.trainStep(data);
      const now = performance.now();
      if (now - last > 10000 || i === spec.steps) {
        last = now;
        console.log(`${spec.name}: step ${i}/${spec.steps} (${((now - t0) / 1000).toFixed(0)} s)`);
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    const info = { name: spec.name, dataset: spec.dataset, preset: spec.preset, seed: spec.seed, steps: spec.steps,
      about: spec.about, key, seconds: Number(seconds.toFixed(1)) };
    const meter = loadMeter(core, spec.dataset);
    if (meter) {
      const r = meter.read(gan.generate(latentNoise(core, meterRule(core).samples, gan.latent, 77)));
      info.meter = {
        coverage: r.coverage, confident: Number(r.confident.toFixed(3)), junk: Number(r.junk.toFixed(3)),
        recognisable: r.recognisable, histogram: r.histogram, confident_histogram: r.confidentHistogram,
      };
      meter.destroy();
    }
    writeAtomic(paths(spec.name).gan, gan.checkpoint());
    writeAtomic(paths(spec.name).json, `${JSON.stringify(info, null, 2)}\n`);
    console.log(`${spec.name}: written to ${paths(spec.name).gan} in ${seconds.toFixed(0)} s` +
      (info.meter ? ` (coverage ${info.meter.coverage}/10, ${(info.meter.confident * 100).toFixed(1)}% confident, ${(info.meter.junk * 100).toFixed(1)}% not a class)` : ''));
  } finally {
    gan.destroy();
    data.destroy();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  let opts, args;
  try {
    ({ opts, names: args } = parseNames(process.argv.slice(2), { list: 'boolean' }));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`checkpoints: ${e.message}`);
    process.exit(2);
  }
  if (opts.list) {
    for (const c of CHECKPOINTS) console.log(`${c.name.padEnd(10)} ${c.about}`);
    process.exit(0);
  }
  const unknown = args.filter((a) => !CHECKPOINTS.some((c) => c.name === a));
  if (unknown.length) {
    console.error(`checkpoints: no checkpoint named '${unknown[0]}' (one of ${CHECKPOINTS.map((c) => c.name).join(', ')})`);
    process.exit(2);
  }
  if (!existsSync(WASM)) {
    console.error('checkpoints: build/gan.wasm is missing: run make first');
    process.exit(2);
  }
  const core = await loadCore();
  mkdirSync(CHECKPOINT_DIR, { recursive: true });
  for (const spec of CHECKPOINTS.filter((c) => !args.length || args.includes(c.name))) {
    const key = recipeKey(spec);
    if (upToDate(spec, key)) console.log(`${spec.name}: up to date`);
    else await build(core, spec, key);
  }
}
