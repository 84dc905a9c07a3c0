// bench.mjs - `gan.mjs bench`: kernel GFLOP/s on wasm (in this Node) and on the native
// build, side by side, each as a fraction of the SIMD128 peak measured in the same run.
//
// One C harness (csrc/bench.c) times every case on both targets: the wasm export is
// called here; the native binary build/native/bench reads the same cases on stdin.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { Gan, loadCore } from '../web/gan.js';
import { benchTfjs } from './bench_tfjs.mjs';
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

/** images/s of our trainer: the compact DCGAN, batch 64, on MNIST, wasm, one thread. */
function trainOurs(core, seconds) {
  const data = loadDataset(core, 'mnist');
  const gan = Gan.create(core, { seed: 1, batch: 64 });
  for (let i = 0; i < 3; i++) gan.trainStep(data); // warm-up
  const t0 = performance.now();
  let steps = 0;
  while (performance.now() - t0 < seconds * 1000) {
    gan.trainStep(data);
    steps++;
  }
  const ips = (steps * 64) / ((performance.now() - t0) / 1000);
  gan.destroy();
  data.destroy();
  return ips;
}

function trainRow(target, ips, peak) {
  const gflops = (ips * 2 * MACS_PER_IMAGE) / 1e9;
  return {
    name: 'train', target, shape: 'compact b64', value: Number(ips.toFixed(1)), unit: 'images/s',
    gflops_effective: Number(gflops.toFixed(2)), of_peak: Number((gflops / peak).toFixed(3)),
  };
}

/**
 * Measures every case on each target; calls onRow(result) as results arrive.
 * opts.seconds: time per kernel case; opts.trainSeconds: per trainer (0 skips training);
 * opts.native: false to skip the native build.
 */
export async function runBench({ seconds = 1, trainSeconds = 10, native = true, onRow = () => {}, onNote = () => {} } = {}) {
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
    const ours = trainOurs(core, trainSeconds);
    const oursRow = trainRow('wasm', ours, wasmPeak);
    const peer = await benchTfjs({ backend: 'wasm', seconds: trainSeconds });
    const peerRow = trainRow('tfjs-wasm', peer.imagesPerSecond, wasmPeak);
    oursRow.ratio_vs_tfjs_wasm = Number((ours / peer.imagesPerSecond).toFixed(2));
    emit(oursRow);
    emit(peerRow);
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
