// train.mjs - `gan.mjs train` and `gan.mjs sample`: headless training with a progress
// display, and sampling from a checkpoint. Output places are checked before any work,
// and output files are written whole or not at all.
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import {
  CoreError, DIVERGED_LOSS, GRID, Gan, PIXELS, defaultThreads, diverged, gridNoise, idx3, latentNoise, loadCore, meterRule,
  LOSSES, SCHEMA, pngGray, pngGrid, presets, toBytes,
} from '../web/gan.js';
import { composeStrip, isFrameStep } from '../web/filmstrip.js';
import { UsageError, checkOutFile, inRange, parseOptions, prepareOutDir, readInput, threadsOption, writeAllAtomic } from './cli.mjs';
import { loadMeter } from './data.mjs';
import { DatasetError, loadDataset } from './datasets.mjs';

const IDX_SAMPLES = 1000;

/** Fixed noise streams derived from the run's seed, so a seed names its sample grid. */
const idxNoise = (core, latent, seed) => latentNoise(core, IDX_SAMPLES, latent, (seed ^ 0x1d3a) >>> 0);

/** The flag of a config key: the key with dashes (--lr-g sets lr_g). */
const flagOf = (key) => `--${key.replace(/_/g, '-')}`;

/** One flag per setting of the core's table (SCHEMA): its kind, and a line of usage. */
export const MODEL_FLAGS = Object.fromEntries(SCHEMA.settings.map((s) => [flagOf(s.name).slice(2), {
  key: s.name,
  kind: s.type === 'loss' ? [...LOSSES] : s.type === 'float' ? 'number' : 'int',
  usage: s.type === 'loss' ? LOSSES.join('|') : s.type === 'bool' ? '0|1' : s.type === 'float' ? 'X' : 'N',
  bounds: s.type === 'loss' || s.type === 'bool' ? '' : ` (${s.min}..${s.max})`,
  help: s.help,
  live: s.live,
}]));

const TRAIN_OPTIONS = {
  dataset: ['mnist', 'fashion'], preset: 'string', steps: 'int', out: 'string', resume: 'string',
  'log-every': 'int', 'meter-every': 'int', threads: 'string',
  ...Object.fromEntries(Object.entries(MODEL_FLAGS).map(([flag, f]) => [flag, f.kind])),
};

/** The core's words for a failure (a CoreError's reason), or the message of anything else. */
const reasonOf = (e) => (e instanceof CoreError ? e.reason : e.message);

/** Model settings given on the command line, as CONFIG_KEYS. */
function modelSettings(o) {
  const s = {};
  for (const [flag, v] of Object.entries(o)) if (v !== undefined && MODEL_FLAGS[flag]) s[MODEL_FLAGS[flag].key] = v;
  return s;
}

function formatDuration(seconds) {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/**
 * The core for --threads N (default: every core): the threaded build with a pool of N
 * threads, or the single-threaded build for 1. Both give the same bytes for any N.
 */
async function coreFor(o) {
  const threads = threadsOption(o) ?? (await defaultThreads());
  return loadCore({ threads });
}

/** A terminal gets one line rewritten in place; a pipe or file gets periodic plain lines. */
function progressPrinter(total, threads) {
  const tty = process.stderr.isTTY;
  let lastPlain = 0;
  return {
    update(step, seconds, ips, st) {
      const eta = (total - step) * (seconds / Math.max(step, 1));
      const line = `step ${step}/${total} ${Math.floor((100 * step) / total)}% | ${ips.toFixed(0)} img/s, ${threads} thread${threads > 1 ? 's' : ''} | ETA ${formatDuration(eta)} | ` +
        `loss D ${st.loss_d.toFixed(3)} G ${st.loss_g.toFixed(3)} | D(x) ${st.d_real.toFixed(2)} D(G(z)) ${st.d_fake.toFixed(2)}`;
      if (tty) process.stderr.write(`\r${line}\x1b[K`);
      else if (step === total || seconds - lastPlain >= 10) {
        lastPlain = seconds;
        process.stderr.write(`${line}\n`);
      }
    },
    done() {
      if (tty) process.stderr.write('\n');
    },
  };
}

export async function train(args) {
  const o = parseOptions(args, TRAIN_OPTIONS);
  inRange(o, 'steps', 1, 10_000_000);
  inRange(o, 'log-every', 1, 1_000_000);
  inRange(o, 'meter-every', 1, 1_000_000);
  const settings = modelSettings(o);
  if (o.resume && Object.keys(settings).length) {
    throw new UsageError(`${flagOf(Object.keys(settings)[0])} cannot change a resumed model: its checkpoint holds the configuration`);
  }
  const steps = o.steps ?? 2000, logEvery = o['log-every'] ?? 10;
  const out = o.out ?? 'out';
  const core = await coreFor(o);
  const threads = core.threads;
  const known = presets(core);
  const preset = o.preset === undefined ? undefined : known.find((p) => p.name === o.preset);
  if (o.preset !== undefined && !preset) {
    throw new UsageError(`unknown preset '${o.preset}' (available: ${known.map((p) => p.name).join(', ')})`);
  }
  if (o.resume && preset) throw new UsageError('--preset cannot change a resumed model: its checkpoint holds the configuration');

  let gan;
  if (o.resume) {
    if (!existsSync(o.resume)) throw new UsageError(`--resume: ${o.resume} not found`);
    const bytes = readInput('--resume', o.resume);
    try {
      gan = Gan.fromCheckpoint(core, bytes);
    } catch (e) {
      throw new UsageError(`--resume ${o.resume}: ${reasonOf(e)}`);
    }
  } else {
    try {
      gan = Gan.create(core, { preset: preset?.name ?? 'balanced', ...settings });
    } catch (e) {
      throw new UsageError(reasonOf(e));
    }
  }
  // The output place before the data: a bad --out is a usage error, said at once.
  const undoOut = prepareOutDir('--out', out);
  if (preset) console.error(`preset ${preset.name}: ${preset.lesson.en}`);
  const datasetName = o.dataset ?? 'mnist';
  let dataset;
  try {
    dataset = loadDataset(core, datasetName);
  } catch (e) {
    undoOut();
    throw e instanceof DatasetError ? new UsageError(e.message) : e;
  }
  const meter = loadMeter(core, datasetName);
  if (!meter) console.error(`note: no mode meter for ${datasetName} yet (make data builds it); class coverage is not logged`);
  const meterEvery = o['meter-every'] ?? 100;
  const cfg = gan.config();
  const rule = meterRule(core);
  const meterZ = latentNoise(core, rule.samples, cfg.latent, (cfg.seed ^ 0x1d3a) >>> 0); // the idx samples' noise
  let digitsAt = null; // time to digits: the meter's first reading of digits (rule)
  const logPath = path.join(out, 'log.jsonl');
  if (!o.resume) writeFileSync(logPath, '');

  // The filmstrip (progress.png): the fixed-noise grid at steps 0, 50, 100, 200, 500, ...
  // as the page keeps it (web/filmstrip.js), from the first step this run holds.
  const gridZ = gridNoise(core, cfg.latent, cfg.seed), frames = [];
  const keepFrame = (step) => {
    if (isFrameStep(step)) frames.push({ step, bytes: toBytes(core, gan.generate(gridZ)) });
  };
  keepFrame(gan.iterations());

  const progress = progressPrinter(steps, threads);
  const t0 = performance.now();
  let windowStart = t0, windowImages = 0, st;
  let divergedAt = null, windowDiverged = false; // gan.js's rule: the first step that met it, and any since the last record
  for (let i = 1; i <= steps; i++) {
    try {
      st = gan.trainStep(dataset);
    } catch (e) {
      progress.done();
      writeOutputs(core, gan, out, cfg, frames); // what was learned is kept
      throw new Error(reasonOf(e));
    }
    keepFrame(st.iterations);
    if (diverged(st)) {
      windowDiverged = true;
      if (!divergedAt) {
        divergedAt = st.iterations;
        progress.done();
        console.error(`warning: training is diverging at step ${st.iterations}: loss D ${st.loss_d.toPrecision(3)}, G ${st.loss_g.toPrecision(3)} ` +
          `(beyond ${DIVERGED_LOSS} in size, or a non-finite update); lower the learning rates`);
      }
    }
    windowImages += cfg.batch; // images/s counts real images seen, one batch per iteration
    if (i % logEvery === 0 || i === steps) {
      const now = performance.now(), seconds = (now - t0) / 1000;
      const ips = (windowImages / (now - windowStart)) * 1000;
      windowStart = now, windowImages = 0;
      const record = {
        step: st.iterations, seconds: Number(seconds.toFixed(3)), ...pick(st), images_per_s: Number(ips.toFixed(1)), threads, diverging: windowDiverged,
      };
      windowDiverged = false;
      if (meter && (i % meterEvery === 0 || i === steps)) {
        const r = meter.read(gan.generate(meterZ));
        Object.assign(record, {
          coverage: r.coverage, confident: Number(r.confident.toFixed(3)), junk: Number(r.junk.toFixed(3)),
          recognisable: r.recognisable, all_present: r.allPresent, histogram: r.histogram, confident_histogram: r.confidentHistogram,
        });
        if (!digitsAt && r.digits) digitsAt = { step: st.iterations, seconds: record.seconds };
      }
      appendFileSync(logPath, `${JSON.stringify(record)}\n`);
      progress.update(i, seconds, ips, st);
    }
  }
  progress.done();
  writeOutputs(core, gan, out, cfg, frames);
  const seconds = (performance.now() - t0) / 1000;
  // "(N images/s)" right after the seconds: tools/bench_page.mjs reads it there
  console.log(`trained ${steps} steps in ${seconds.toFixed(1)} s (${((steps * cfg.batch) / seconds).toFixed(0)} images/s) on ${threads} ` +
    `thread${threads > 1 ? 's' : ''}; wrote ${out}/samples.png, ` +
    `samples-idx3-ubyte, checkpoint.gan, log.jsonl${frames.length ? `, progress.png (steps ${frames.map((f) => f.step).join(', ')})` : ''}`);
  if (meter) {
    const r = meter.read(gan.generate(meterZ));
    const pc = (x) => `${(x * 100).toFixed(1)}%`;
    console.log(r.recognisable
      ? `mode meter: coverage ${r.coverage}/10, ${pc(r.confident)} confident, ${pc(r.junk)} not a ${datasetName === 'fashion' ? 'garment' : 'digit'}, histogram ${r.histogram.join(' ')}`
      : `mode meter: no recognisable ${datasetName === 'fashion' ? 'garments' : 'digits'} yet (${pc(r.confident)} confident, below ${pc(rule.floor)}; ${pc(r.junk)} not a ${datasetName === 'fashion' ? 'garment' : 'digit'})`);
    const what = `coverage 10/10, >= ${pc(rule.confident)} confident over ${rule.samples} samples`;
    console.log(digitsAt
      ? `time to digits: step ${digitsAt.step}, ${digitsAt.seconds.toFixed(1)} s (${what})`
      : `time to digits: not reached (the meter never read ${what})`);
  }
  if (st.skipped_total > 0) console.log(`${st.skipped_total} updates were discarded as non-finite`);
  if (divergedAt) {
    console.log(`diverged: from step ${divergedAt} a loss went past ${DIVERGED_LOSS} in size or an update was discarded ` +
      '(log.jsonl marks those records "diverging"); lower the learning rates');
  }
}

function pick(st) {
  const keys = ['loss_d', 'loss_g', 'd_real', 'd_fake', 'score_real', 'score_fake', 'grad_norm_g', 'grad_norm_d', 'g_signal',
    'grad_ns', 'grad_minimax', 'skipped'];
  return Object.fromEntries(keys.map((k) => [k, Number(st[k].toPrecision(6))]));
}

function writeOutputs(core, gan, out, cfg, frames) {
  const files = [
    [path.join(out, 'samples.png'), pngGrid(core, gan.generate(gridNoise(core, cfg.latent, cfg.seed)), { cols: 8, scale: 2 })],
    [path.join(out, 'samples-idx3-ubyte'), idx3(toBytes(core, gan.generate(idxNoise(core, cfg.latent, cfg.seed))))],
    [path.join(out, 'checkpoint.gan'), gan.checkpoint()],
  ];
  if (frames.length) {
    const { width, height, pixels } = composeStrip(frames);
    files.push([path.join(out, 'progress.png'), pngGray(core, pixels, width, height)]);
  }
  writeAllAtomic(files);
}

export async function sample(args) {
  const o = parseOptions(args, { checkpoint: 'string', n: 'int', seed: 'int', out: 'string', png: 'string', threads: 'string' });
  if (!o.checkpoint) throw new UsageError('sample needs --checkpoint FILE');
  if (!o.out) throw new UsageError('sample needs --out FILE');
  inRange(o, 'n', 1, 100000);
  inRange(o, 'seed', 0, 0xffffffff);
  threadsOption(o);
  if (!existsSync(o.checkpoint)) throw new UsageError(`--checkpoint: ${o.checkpoint} not found`);
  // Where the files go, before any work: both or neither are written.
  checkOutFile('--out', o.out);
  if (o.png !== undefined) checkOutFile('--png', o.png);
  if (o.png !== undefined && path.resolve(o.png) === path.resolve(o.out)) throw new UsageError('--png and --out name the same file');
  const core = await coreFor(o);
  let gan;
  const bytes = readInput('--checkpoint', o.checkpoint);
  try {
    gan = Gan.fromCheckpoint(core, bytes);
  } catch (e) {
    throw new UsageError(`--checkpoint ${o.checkpoint}: ${reasonOf(e)}`);
  }
  const n = o.n ?? IDX_SAMPLES, seed = o.seed ?? 0;
  const images = gan.generate(latentNoise(core, n, gan.latent, seed));
  const files = [[o.out, idx3(toBytes(core, images))]];
  if (o.png) files.push([o.png, pngGrid(core, images.subarray(0, Math.min(n, GRID) * PIXELS), { cols: 8, scale: 2 })]);
  writeAllAtomic(files);
  console.log(`wrote ${n} samples to ${o.out}${o.png ? ` and a grid to ${o.png}` : ''}`);
}
