#!/usr/bin/env node
// gan.mjs - the headless command line of gan-playground (run from the repository root
// after `make`). Commands:
//
//   bench [--json] [--seconds S] [--no-native]
//       kernel GFLOP/s for wasm (this Node) and the native build, side by side, each as a
//       fraction of the SIMD128 peak measured in the same run. --json: one JSON object a
//       line with name, target, shape, value, unit, of_peak.
//
// A wrong argument exits with status 2 and one line on stderr; nothing else is written.

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const USAGE = `usage: node tools/gan.mjs <command> [options]
commands:
  bench [--json] [--seconds S] [--no-native]   kernel benchmark, wasm and native`;

class UsageError extends Error {}

/** Parses --flag value / --flag pairs against a spec { name: 'number' | 'boolean' }. */
export function parseOptions(args, spec) {
  const opts = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const m = /^--([a-z][a-z0-9-]*)$/.exec(arg);
    if (!m) throw new UsageError(`unexpected argument '${arg}'`);
    const name = m[1], kind = spec[name];
    if (!kind) throw new UsageError(`unknown option --${name}`);
    if (kind === 'boolean') {
      opts[name] = true;
      continue;
    }
    const value = args[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    if (kind === 'number') {
      const n = Number(value);
      if (!Number.isFinite(n) || value.trim() === '') throw new UsageError(`--${name} must be a number, not '${value}'`);
      opts[name] = n;
    } else {
      opts[name] = value;
    }
  }
  return opts;
}

function pad(s, n) {
  return String(s).padEnd(n);
}

async function bench(args) {
  const opts = parseOptions(args, { json: 'boolean', seconds: 'number', 'no-native': 'boolean' });
  const seconds = opts.seconds ?? 1;
  if (!(seconds >= 0.05 && seconds <= 60)) throw new UsageError('--seconds must be between 0.05 and 60');
  if (!existsSync(fileURLToPath(new URL('../build/gan.wasm', import.meta.url)))) {
    throw new UsageError('build/gan.wasm is missing: run make first');
  }
  const { runBench } = await import('./bench.mjs');
  if (!opts.json) {
    console.log(`${pad('target', 8)}${pad('name', 30)}${pad('shape', 30)}${pad('GFLOP/s', 10)}of peak`);
  }
  await runBench({
    seconds,
    native: !opts['no-native'],
    onNote: (note) => console.error(note),
    onRow: (r) => {
      if (opts.json) console.log(JSON.stringify(r));
      else {
        const pct = r.of_peak === undefined ? '' : `${(r.of_peak * 100).toFixed(0)}%`;
        console.log(`${pad(r.target, 8)}${pad(r.name, 30)}${pad(r.shape, 30)}${pad(r.value.toFixed(1), 10)}${pct}`);
      }
    },
  });
}

const COMMANDS = { bench };

async function main(argv) {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE);
    return 0;
  }
  const run = COMMANDS[command];
  if (!run) throw new UsageError(`unknown command '${command}'\n${USAGE}`);
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
    console.error(`gan.mjs: ${err.message}`);
    process.exit(1);
  },
);
