// cli.mjs - argument parsing and output files shared by the commands of gan.mjs.
import { renameSync, writeFileSync } from 'node:fs';

/** A user mistake: gan.mjs prints its message on one line and exits with status 2. */
export class UsageError extends Error {}

/**
 * Parses --flag value / --flag arguments against a spec { name: 'number' | 'int' |
 * 'string' | 'boolean' | [choices] }. Returns { name: value } for the flags given.
 */
export function parseOptions(args, spec) {
  const opts = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const m = /^--([a-z][a-z0-9-]*)$/.exec(arg);
    if (!m) throw new UsageError(`unexpected argument '${arg}'`);
    const name = m[1], kind = spec[name];
    if (!kind) throw new UsageError(`unknown option --${name}`);
    if (name in opts) throw new UsageError(`--${name} given twice`);
    if (kind === 'boolean') {
      opts[name] = true;
      continue;
    }
    const value = args[++i];
    if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value`);
    if (kind === 'number' || kind === 'int') {
      const n = Number(value);
      if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} must be a number, not '${value}'`);
      if (kind === 'int' && !Number.isInteger(n)) throw new UsageError(`--${name} must be a whole number, not '${value}'`);
      opts[name] = n;
    } else if (Array.isArray(kind)) {
      if (!kind.includes(value)) throw new UsageError(`--${name} must be one of ${kind.join(', ')}, not '${value}'`);
      opts[name] = value;
    } else {
      opts[name] = value;
    }
  }
  return opts;
}

/** Checks a numeric option against [lo, hi]. */
export function inRange(opts, name, lo, hi) {
  const v = opts[name];
  if (v !== undefined && !(v >= lo && v <= hi)) throw new UsageError(`--${name} must be between ${lo} and ${hi}, not ${v}`);
}

/** Writes a file whole or not at all: a temporary name, then a rename. */
export function writeAtomic(path, bytes) {
  const tmp = `${path}.partial-${process.pid}`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, path);
}
