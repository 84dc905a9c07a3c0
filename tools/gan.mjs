#!/usr/bin/env node
// gan.mjs - the headless command line of gan-playground (run from the repository root
// after `make`). Commands (USAGE below has their options):
//
//   train   trains the GAN; writes samples.png, samples-idx3-ubyte, checkpoint.gan and
//           log.jsonl into --out (tools/train.mjs)
//   sample  draws images from a checkpoint
//   bench [--json] [--seconds S] [--train-seconds S] [--no-native] [--threads N]
//       kernel GFLOP/s for wasm (this Node) and the native build, side by side, each as a
//       fraction of the SIMD128 peak measured in the same run; then training images/s of
//       the compact DCGAN and of the default model on the single-threaded build and on the
//       threaded one at 1, 2, 4, ... up to N threads (speed-up, efficiency), and of the
//       compact DCGAN in TensorFlow.js 4.22 (wasm backend), same run, interleaved.
//       --json: one JSON object a line with name, target, shape, value, unit, of_peak
//       (training rows: threads, build, speedup, efficiency too).
//
// --threads N (train, sample, bench): 1..64, default every core (defaultThreads()); the
// files written are the same bytes for any N.
//
// A wrong argument exits with status 2 and one line on stderr; nothing else is written.

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { THREADS_MAX, UsageError, parseOptions, threadsOption } from './cli.mjs';

const USAGE_HEAD = `usage: node tools/gan.mjs <command> [options]
commands:
  train  [--dataset mnist|fashion] [--preset NAME] [--steps N] [--out DIR]
         [--resume CHECKPOINT] [--log-every N] [--meter-every N] [--threads N] [model settings]
  sample --checkpoint FILE [--n N] [--seed S] --out FILE [--png FILE] [--threads N]
  bench  [--json] [--seconds S] [--train-seconds S] [--no-native] [--threads N]
         kernel GFLOP/s (wasm and native) and training images/s against TensorFlow.js,
         on 1, 2, 4, ... threads up to --threads
  --threads N  threads to train on, 1..${THREADS_MAX} (default: every core); same bytes for any N`;

/** The usage, with the model settings of the core's table (its help, bounds and default). */
async function usage() {
  let settings = '';
  try {
    const { MODEL_FLAGS } = await import('./train.mjs');
    const lines = Object.entries(MODEL_FLAGS).map(([flag, f]) => `  ${pad(`--${flag} ${f.usage}`, 38)}${f.help}${f.bounds}${f.live ? '' : ' [model]'}`);
    settings = `\nmodel settings: the preset (balanced unless --preset) sets each, a flag overrides it;\n` +
      `[model] marks those that shape the model (the others a running model takes live)\n${lines.join('\n')}`;
  } catch {
    settings = '\n(model settings: run make to build the core, then --help lists them)';
  }
  return USAGE_HEAD + settings;
}

function pad(s, n) {
  return String(s).padEnd(n);
}

async function bench(args) {
  const opts = parseOptions(args, { json: 'boolean', seconds: 'number', 'train-seconds': 'number', 'no-native': 'boolean', threads: 'string' });
  const seconds = opts.seconds ?? 1, trainSeconds = opts['train-seconds'] ?? 10;
  if (!(seconds >= 0.05 && seconds <= 60)) throw new UsageError('--seconds must be between 0.05 and 60');
  if (!(trainSeconds >= 0 && trainSeconds <= 600)) throw new UsageError('--train-seconds must be between 0 and 600');
  let threads = threadsOption(opts);
  for (const f of ['gan.wasm', 'gan-full.wasm', 'gan-mt.wasm']) {
    if (!existsSync(fileURLToPath(new URL(`../build/${f}`, import.meta.url)))) throw new UsageError(`build/${f} is missing: run make first`);
  }
  const { runBench } = await import('./bench.mjs');
  threads ??= await (await import('../web/gan.js')).defaultThreads();
  if (!opts.json) {
    console.log(`${pad('target', 10)}${pad('name', 30)}${pad('shape', 30)}${pad('GFLOP/s', 10)}of peak`);
  }
  await runBench({
    seconds,
    trainSeconds,
    threads,
    native: !opts['no-native'],
    onNote: (note) => console.error(note),
    onRow: (r) => {
      if (opts.json) console.log(JSON.stringify(r));
      else {
        const pct = r.of_peak === undefined ? '' : `${(r.of_peak * 100).toFixed(0)}%`;
        if (r.unit === 'images/s') {
          const ratio = r.ratio_vs_tfjs_wasm ? `, ${r.ratio_vs_tfjs_wasm}x TensorFlow.js wasm` : '';
          const scaling = r.speedup === undefined ? '' : `, ${r.speedup.toFixed(2)}x of mt 1 thread, ${(r.efficiency * 100).toFixed(0)}% efficiency`;
          const name = `${r.name} ${r.build ?? ''} ${r.threads} thread${r.threads > 1 ? 's' : ''}`.replace(/ +/g, ' ');
          console.log(`${pad(r.target, 10)}${pad(name, 30)}${pad(r.shape, 30)}${r.value.toFixed(1)} images/s = ${r.gflops_effective} GFLOP/s effective, ` +
            `${pct} of peak${r.threads > 1 ? ` x${r.threads}` : ''}${scaling}${ratio}`);
          return;
        }
        console.log(`${pad(r.target, 10)}${pad(r.name, 30)}${pad(r.shape, 30)}${pad(r.value.toFixed(1), 10)}${pct}`);
      }
    },
  });
}

const COMMANDS = {
  bench,
  train: async (args) => (await import('./train.mjs')).train(args),
  sample: async (args) => (await import('./train.mjs')).sample(args),
};

async function main(argv) {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    console.log(await usage());
    return 0;
  }
  const run = COMMANDS[command];
  if (!run) throw new UsageError(`unknown command '${command}'\n${USAGE_HEAD}`);
  await run(rest);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    if (err instanceof UsageError) {
      console.error(`gan.mjs: ${err.message}`);
      process.exit(2);
    }
    // a CoreError (web/gan.js, not imported here: it needs the build) in the core's own
    // words, never its function names or status numbers
    console.error(`gan.mjs: ${err?.name === 'CoreError' ? err.reason : err.message}`);
    process.exit(1);
  },
);
