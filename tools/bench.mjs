// bench.mjs - `gan.mjs bench`: kernel GFLOP/s on wasm (in this Node) and on the native
// build, side by side, each as a fraction of the SIMD128 peak measured in the same run;
// then training images/s on the single-threaded build and on the threaded one at 1, 2, 4,
// ... threads (its speed-up and parallel efficiency), against TensorFlow.js.
//
// One C harness (csrc/bench.c) times every case on both targets: the wasm export is
// called here; the native binary build/native/bench reads the same cases on stdin.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { Gan, loadCore } from '../web/gan.js';
import { tfjsTrainer } from './bench_tfjs.mjs';
import { loadDataset } from './datasets.mjs';

// Multiply-adds of one training iteration of the compact DCGAN per image (one D step on a
// real and a fake batch, one G step): the convention both trainers are credited with.
export const MACS_PER_IMAGE = 20.9e6;

const NATIVE_BENCH = fileURLToPath(new URL('../build/native/bench', import.meta.url));

// Conv passes, in csrc/bench.h order.
const PASSES = [
  'conv2d_fwd', 'conv2d_bwd_data', 'conv2d_bwd_weights',
  'conv_transpose2d_fwd', 'conv_transpose2d_bwd_data', 'conv_transpose2d_bwd_weights',
];

// The compact DCGAN's layers at batch 64 (k4 s2 p1), as the convolution each is built on:
// D's two convolutions; G's transposed convolutions run the same geometry backwards.
const LAYERS = [
  { N: 64, H: 28, W: 28, C: 1, OC: 32, K: 4, S: 2, P: 1 },
  { N: 64, H: 14, W: 14, C: 32, OC: 64, K: 4, S: 2, P: 1 },
];

// sgemm shapes M x N x K: a square reference, then the model's GEMMs (D's second
// convolution as weights x pixels, at width 1 and width 2).
const SGEMMS = [[512, 512, 512], [64, 3136, 512], [128, 3136, 1024]];

function convLabel(pass, l) {
  const OH = Math.floor((l.H + 2 * l.P - l.K) / l.S) + 1;
  const a = `${l.H}x${l.W}x${l.C}`, b = `${OH}x${OH}x${l.OC}`;
  const arrow = pass.startsWith('conv2d') ? `${a}->${b}` : `${b}->${a}`;
  return `b${l.N} ${arrow} k${l.K}s${l.S}p${l.P}`;
}

/** The benchmark cases: name, shape label, and the harness line (bench_main.c syntax). */
export function benchCases(seconds) {
  const cases = [{ name: 'simd_peak', shape: '4x8 f32x4 block, L1', line: `peak ${seconds}` }];
  for (const [M, N, K] of SGEMMS) {
    cases.push({ name: 'sgemm', shape: `${M}x${N}x${K}`, line: `sgemm 0 0 ${M} ${N} ${K} ${seconds}` });
  }
  for (const l of LAYERS) {
    PASSES.forEach((name, pass) => {
      cases.push({
        name, shape: convLabel(name, l),
        line: `conv ${pass} ${l.N} ${l.H} ${l.W} ${l.C} ${l.OC} ${l.K} ${l.S} ${l.P} ${seconds}`,
      });
    });
  }
  return cases;
}

/** GFLOP/s of one case line on the wasm core. */
function runWasmCase(core, line) {
  const [op, ...a] = line.split(' ');
  const n = a.map(Number);
  if (op === 'peak') return core.status('bench_peak_gflops', n[0]);
  if (op === 'sgemm') return core.status('bench_sgemm', ...n);
  return core.status('bench_conv', ...n);
}

/** Runs the native harness over all lines; resolves to one number per line. */
function runNative(lines) {
  return new Promise((resolve, reject) => {
    const child = spawn(NATIVE_BENCH, [], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`native bench exited with status ${code}`));
      else resolve(out.trim().split('\n').map(Number));
    });
    child.stdin.end(lines.join('\n') + '\n');
  });
}

function row(target, c, value, peak) {
  const r = { name: c.name, target, shape: c.shape, value: Number(value.toFixed(2)), unit: 'GFLOP/s' };
  if (value < 0) throw new Error(`${target} ${c.name} ${c.shape}: the harness refused the case (${value})`);
  r.of_peak = Number((value / peak).toFixed(3));
  return r;
}

// The trained models. compact: the C core's default configuration at batch 64, the model
// both trainers run; default: the balanced preset (batch 32), what the page trains.
// Multiply-adds per image: the compact model's, and for balanced its third convolution
// of D (7x7x64 -> 7x7x64, k3 s1 p1, 1.81 M forward) eight times more: forward and
// backward (data and weights) over a real and a fake batch in the D step, forward and
// backward-data in the G step.
const DEEP_D_MACS = 8 * 49 * 64 * 9 * 64;
export const TRAIN_MODELS = [
  { shape: 'compact b64', config: { seed: 1, batch: 64 }, macs: MACS_PER_IMAGE },
  { shape: 'default (balanced) b32', config: { preset: 'balanced', seed: 1 }, macs: MACS_PER_IMAGE + DEEP_D_MACS },
];

/** Thread counts the scaling rows measure: 1, each power of two up to max, and max. */
export function threadCounts(max) {
  const counts = [];
  for (let t = 1; t <= max; t *= 2) counts.push(t);
  if (counts.at(-1) !== max) counts.push(max);
  return counts;
}

/** One trainer that runs in slices: run(ms) trains whole steps for about ms, adding up steps and time. */
function slicer(batch, prepare, step) {
  const t = { steps: 0, ms: 0, batch };
  t.run = (ms) => {
    prepare();
    const t0 = performance.now();
    let now = t0;
    do {
      step();
      t.steps++;
      now = performance.now();
    } while (now - t0 < ms);
    t.ms += now - t0;
  };
  t.imagesPerSecond = () => (t.steps * batch * 1000) / t.ms;
  return t;
}

/** Runs trainers in turns of about a second each (the first moving by one each round) until each has had about `seconds`, after an uncounted warm-up. */
function inTurns(trainers, seconds, onNote, what) {
  const warmup = seconds >= 1 ? 3 : 1; // a short run is a smoke test (TensorFlow.js's step is slow)
  for (const t of trainers) {
    for (let i = 0; i < warmup; i++) t.run(0);
    t.steps = 0, t.ms = 0;
  }
  const rounds = Math.max(2, Math.round(seconds)), slice = (seconds * 1000) / rounds;
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < trainers.length; i++) trainers[(r + i) % trainers.length].run(slice);
  }
  onNote?.(`${what}: ${trainers.length} trainers in ${rounds} turns of ${(slice / 1000).toFixed(2)} s each`);
}

/**
 * Training images/s: each model on the single-threaded build (st) and on the threaded
 * build (mt) at each of threadCounts(maxThreads), and TensorFlow.js on the compact model.
 * Trainers run in turns (inTurns), so a slow spell of a shared machine hits every row
 * alike, in two rounds: ours against each other (the scaling), then the compact model's
 * single-threaded trainer against TensorFlow.js. Not all together: the garbage
 * TensorFlow.js leaves is collected by V8 on the other core during the turns that follow,
 * and took a third off the 2-thread rows. Returns the rows.
 */
async function trainRows({ seconds, maxThreads, peak, onNote }) {
  // Each trainer has a core of its own, loaded as the CLI and the page load theirs for
  // that count of threads: one core hosting every model and switching its thread count
  // read 10-20% lower at 2 threads, in repeated runs, than each model on its own core.
  const datasets = [];
  const ours = [];
  for (const model of TRAIN_MODELS) {
    for (const [build, threads] of [['st', 1], ...threadCounts(maxThreads).map((t) => ['mt', t])]) {
      const core = await loadCore(build === 'st' ? {} : threads > 1 ? { threads } : { threaded: true });
      const data = loadDataset(core, 'mnist'), gan = Gan.create(core, model.config);
      datasets.push(data);
      const trainer = slicer(gan.config().batch, () => {}, () => gan.trainStep(data));
      ours.push(Object.assign(trainer, { model, build, threads, gan }));
    }
  }
  inTurns(ours, seconds, onNote, 'training, scaling');
  const ipsOf = new Map(ours.map((t) => [t, t.imagesPerSecond()]));

  // the peer, against our compact single-threaded trainer measured again beside it
  const stCompact = ours.find((t) => t.model === TRAIN_MODELS[0] && t.build === 'st');
  const tf = await tfjsTrainer({ backend: 'wasm', batch: 64 });
  const peer = slicer(tf.batch, () => {}, tf.step);
  inTurns([stCompact, peer], seconds, onNote, 'training, against TensorFlow.js');
  const peerIps = peer.imagesPerSecond();
  // TensorFlow.js's rate under the scaling round's conditions, for the ratios of our rows
  const peerScaled = peerIps * (ipsOf.get(stCompact) / stCompact.imagesPerSecond());
  tf.dispose();
  for (const t of ours) t.gan.destroy();
  for (const d of datasets) d.destroy();

  const rows = [];
  for (const model of TRAIN_MODELS) {
    const mine = ours.filter((t) => t.model === model);
    const base = ipsOf.get(mine.find((t) => t.build === 'mt' && t.threads === 1));
    for (const t of mine) {
      const ips = ipsOf.get(t), speedup = ips / base;
      const r = trainRow('wasm', model.shape, ips, model.macs, peak, t.threads);
      Object.assign(r, { build: t.build, speedup: Number(speedup.toFixed(3)), efficiency: Number((speedup / t.threads).toFixed(3)) });
      if (model === TRAIN_MODELS[0] && t.threads === 1) r.ratio_vs_tfjs_wasm = Number((ips / peerScaled).toFixed(2));
      rows.push(r);
    }
  }
  rows.push(trainRow('tfjs-wasm', TRAIN_MODELS[0].shape, peerIps, MACS_PER_IMAGE, peak, 1));
  return rows;
}

/** A training row; of_peak is a fraction of the peak of the threads in use (threads x simd_peak). */
function trainRow(target, shape, ips, macs, peak, threads) {
  const gflops = (ips * 2 * macs) / 1e9;
  return {
    name: 'train', target, shape, threads, value: Number(ips.toFixed(1)), unit: 'images/s',
    gflops_effective: Number(gflops.toFixed(2)), of_peak: Number((gflops / (peak * threads)).toFixed(3)),
  };
}

/**
 * Measures every case on each target; calls onRow(result) as results arrive.
 * opts.seconds: time per kernel case; opts.trainSeconds: per trainer (0 skips training);
 * opts.threads: the most threads the training rows scale to (1..64; default 1);
 * opts.native: false to skip the native build.
 */
export async function runBench({ seconds = 1, trainSeconds = 10, threads = 1, native = true, onRow = () => {}, onNote = () => {} } = {}) {
  const cases = benchCases(seconds);
  const rows = [];
  const emit = (r) => { rows.push(r); onRow(r); };

  // The peak is measured first and again last, and the higher reading is the one every
  // fraction uses: on a shared machine a single early reading can land in a slow spell.
  const core = await loadCore({ full: true });
  const wasmValues = cases.map((c) => runWasmCase(core, c.line));
  const wasmPeak = Math.max(wasmValues[0], runWasmCase(core, cases[0].line));
  wasmValues[0] = wasmPeak;
  cases.forEach((c, i) => emit(row('wasm', c, wasmValues[i], wasmPeak)));

  if (trainSeconds > 0) {
    for (const r of await trainRows({ seconds: trainSeconds, maxThreads: threads, peak: wasmPeak, onNote })) emit(r);
  }

  if (!native) return rows;
  if (!existsSync(NATIVE_BENCH)) {
    onNote(`native: ${NATIVE_BENCH} is missing (make native builds it); native figures skipped`);
    return rows;
  }
  const values = await runNative([...cases.map((c) => c.line), cases[0].line]);
  const nativePeak = Math.max(values[0], values.pop());
  values[0] = nativePeak;
  cases.forEach((c, i) => emit(row('native', c, values[i], nativePeak)));
  return rows;
}
