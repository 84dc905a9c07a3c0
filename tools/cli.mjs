// cli.mjs - argument parsing and output files shared by the commands of gan.mjs (and the
// other tools' command lines). Parsing is node:util's parseArgs, strict; numbers are
// decimal only, so '0x10', '1e3' for a count, '' or 'Infinity' are refused, never guessed.
import { accessSync, constants, mkdirSync, readFileSync, renameSync, rmdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

/** A user mistake: gan.mjs prints its message on one line and exits with status 2. */
export class UsageError extends Error {}

const INT = /^\d+$/;                                   // a count: decimal digits, nothing else
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i; // a decimal number, 2e-4 allowed

/** Edit distance, for "did you mean" on a mistyped flag. */
function distance(a, b) {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length];
}

/** ' (did you mean --steps?)' for the closest known flag, if one is close. */
function hint(name, known) {
  let best = null, bestD = Infinity;
  for (const k of known) {
    const d = distance(name, k);
    if (d < bestD) best = k, bestD = d;
  }
  return best && bestD <= Math.max(1, Math.floor(best.length / 3)) ? ` (did you mean --${best}?)` : '';
}

/** One value as its kind wants it, or a UsageError naming the flag and the value. */
function convert(name, kind, value) {
  if (value === '') throw new UsageError(`--${name} needs a value, not an empty string`);
  if (kind === 'int') {
    if (!INT.test(value) || !Number.isSafeInteger(Number(value))) {
      throw new UsageError(`--${name} must be a whole number written in decimal digits, not '${value}'`);
    }
    return Number(value);
  }
  if (kind === 'number') {
    if (!NUMBER.test(value) || !Number.isFinite(Number(value))) {
      throw new UsageError(`--${name} must be a decimal number, not '${value}'`);
    }
    return Number(value);
  }
  if (Array.isArray(kind) && !kind.includes(value)) {
    throw new UsageError(`--${name} must be one of ${kind.join(', ')}, not '${value}'`);
  }
  return value;
}

/**
 * Parses --flag value, --flag=value and --flag against a spec { name: 'number' | 'int' |
 * 'string' | 'boolean' | [choices] } ('int' is a count: decimal digits only, never
 * negative). Returns { name: value } for the flags given. Anything else (an unknown flag,
 * a missing or empty value, a flag given twice, a stray argument) is a UsageError.
 */
export function parseOptions(args, spec) {
  return parseCommandLine(args, spec, false).opts;
}

/** parseOptions for tools that also take names (checkpoints, lessons): { opts, names }. */
export function parseNames(args, spec) {
  return parseCommandLine(args, spec, true);
}

function parseCommandLine(args, spec, allowPositionals) {
  const options = {};
  for (const [name, kind] of Object.entries(spec)) options[name] = { type: kind === 'boolean' ? 'boolean' : 'string' };
  // A negative number is a value, not a flag: parseArgs would call '--lr-g -1' ambiguous.
  const joined = [];
  for (let i = 0; i < args.length; i++) {
    const m = /^--([^=]+)$/.exec(args[i]);
    if (m && options[m[1]]?.type === 'string' && /^-[\d.]/.test(args[i + 1] ?? '')) joined.push(`${args[i]}=${args[++i]}`);
    else joined.push(args[i]);
  }
  let parsed;
  try {
    parsed = parseArgs({ args: joined, options, strict: true, allowPositionals, tokens: true });
  } catch (e) {
    throw new UsageError(parseArgsProblem(e, joined, spec));
  }
  const opts = {}, seen = new Set();
  for (const token of parsed.tokens) {
    if (token.kind !== 'option') continue;
    const name = token.name, kind = spec[name];
    if (seen.has(name)) throw new UsageError(`--${name} given twice`);
    seen.add(name);
    if (kind === 'boolean') {
      if (token.inlineValue) throw new UsageError(`--${name} takes no value`);
      opts[name] = true;
    } else {
      opts[name] = convert(name, kind, token.value ?? '');
    }
  }
  return { opts, names: parsed.positionals };
}

/** parseArgs's errors, in our words (its own messages are multi-line and name no fix). */
function parseArgsProblem(e, args, spec) {
  const quoted = /'(-[^' ]*)/.exec(e.message)?.[1] ?? '';
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const name = quoted.replace(/^-+/, '').replace(/=.*/, '');
      return `unknown option ${quoted.startsWith('--') ? `--${name}` : quoted}${hint(name, Object.keys(spec))}`;
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const name = quoted.replace(/^-+/, '');
      if (spec[name] === 'boolean') return `--${name} takes no value`;
      return `--${name} needs a value`;
    }
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL': {
      const stray = /'([^']*)'/.exec(e.message)?.[1] ?? args.find((a) => !a.startsWith('-'));
      return `unexpected argument '${stray}'`;
    }
    default:
      return e.message.split('\n')[0];
  }
}

/** The most threads --threads takes (web/gan.js's MAX_THREADS; tests/threads.test.mjs checks they agree). */
export const THREADS_MAX = 64;

/** The thread count of --threads when given (1..THREADS_MAX, digits only), else undefined. */
export function threadsOption(opts) {
  const v = opts.threads;
  if (v === undefined) return undefined;
  if (!INT.test(v) || !(Number(v) >= 1 && Number(v) <= THREADS_MAX)) {
    throw new UsageError(`--threads must be a whole number from 1 to ${THREADS_MAX}, not '${v}'`);
  }
  return Number(v);
}

/** Checks a numeric option against [lo, hi]. */
export function inRange(opts, name, lo, hi) {
  const v = opts[name];
  if (v !== undefined && !(v >= lo && v <= hi)) throw new UsageError(`--${name} must be between ${lo} and ${hi}, not ${v}`);
}

/** A file system error in words: what went wrong, without the syscall's code. */
export function fsProblem(e) {
  return {
    EACCES: 'permission denied', EPERM: 'not permitted', EROFS: 'read-only file system', ENOSPC: 'no space left',
    ENOENT: 'no such directory', ENOTDIR: 'a path component is a file, not a directory', EEXIST: 'already exists',
    EISDIR: 'is a directory', ENAMETOOLONG: 'name too long', ELOOP: 'too many symbolic links',
  }[e.code] ?? e.message;
}

/** The bytes of an input file; a UsageError says what is wrong with it in words. */
export function readInput(flag, file) {
  let bytes;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new UsageError(`${flag} ${file}: ${e.code === 'ENOENT' ? 'not found' : fsProblem(e)}`);
  }
  if (bytes.length === 0) throw new UsageError(`${flag} ${file}: empty`);
  return bytes;
}

/** The type of what is at p: 'dir', 'file' or null (absent); other errors say why. */
function kindAt(flag, p) {
  try {
    return statSync(p).isDirectory() ? 'dir' : 'file';
  } catch (e) {
    if (e.code === 'ENOENT') return null;
    if (e.code === 'ENOTDIR') throw new UsageError(`${flag} ${p}: a path component is a file, not a directory`);
    throw new UsageError(`${flag} ${p}: ${fsProblem(e)}`);
  }
}

/** Fails unless a file can be created in directory dir. */
function checkWritable(flag, shown, dir) {
  try {
    accessSync(dir, constants.W_OK);
  } catch (e) {
    throw new UsageError(`${flag} ${shown}: cannot write in ${dir} (${fsProblem(e)})`);
  }
}

/**
 * Makes sure the output directory exists and takes files, before any work is done: its
 * missing parts are made one level at a time (a recursive mkdir loops for ever under
 * /proc), and a probe file is written and removed. Returns undo(), which removes the
 * directories it made while they are still empty (for a run that fails later).
 */
export function prepareOutDir(flag, dir) {
  const made = [];
  const undo = () => {
    for (const d of made.reverse()) {
      try {
        rmdirSync(d);
      } catch {
        break; // not empty: something was written, keep it
      }
    }
  };
  const missing = [];
  let at = path.resolve(dir);
  for (;;) {
    const kind = kindAt(flag, at);
    if (kind === 'dir') break;
    if (kind === 'file') {
      throw new UsageError(at === path.resolve(dir)
        ? `${flag} ${dir}: exists and is a file, not a directory`
        : `${flag} ${dir}: ${at} is a file, not a directory`);
    }
    missing.unshift(at);
    const up = path.dirname(at);
    if (up === at) break;
    at = up;
  }
  try {
    for (const d of missing) {
      mkdirSync(d);
      made.push(d);
    }
    const probe = path.join(dir, `.probe-${process.pid}`);
    writeFileSync(probe, '');
    unlinkSync(probe);
  } catch (e) {
    undo();
    const why = e.code === 'ENOENT' ? 'the file system does not allow it there' : fsProblem(e);
    throw new UsageError(`${flag} ${dir}: cannot create or write the directory (${why})`);
  }
  return undo;
}

/** Fails unless file can be written (its directory exists and takes files; it is no directory). */
export function checkOutFile(flag, file) {
  if (kindAt(flag, file) === 'dir') throw new UsageError(`${flag} ${file}: is a directory; give a file name`);
  const dir = path.dirname(path.resolve(file));
  const kind = kindAt(flag, dir);
  if (kind === null) throw new UsageError(`${flag} ${file}: directory ${dir} does not exist`);
  if (kind === 'file') throw new UsageError(`${flag} ${file}: ${dir} is a file, not a directory`);
  checkWritable(flag, file, dir);
}

/**
 * Writes a set of files whole or not at all: every one to a temporary name first, then
 * each renamed into place. On any failure the temporaries are removed, and so are the
 * files of the set already renamed: never a half-written file, a '.partial' one, or half
 * a set. files is [[path, bytes], ...]. Throws an Error naming the file and the problem.
 */
export function writeAllAtomic(files) {
  const temps = [], placed = [];
  try {
    for (const [p, bytes] of files) {
      const tmp = `${p}.partial-${process.pid}`;
      temps.push(tmp);
      writeFileSync(tmp, bytes);
    }
    files.forEach(([p], i) => {
      renameSync(temps[i], p);
      placed.push(p);
    });
  } catch (e) {
    for (const f of [...temps, ...placed]) {
      try {
        unlinkSync(f);
      } catch {
        // already renamed, or never made
      }
    }
    const at = files.find(([p]) => e.path?.startsWith(p) || e.dest === p)?.[0] ?? files[0][0];
    throw new Error(`cannot write ${at}: ${fsProblem(e)}`);
  }
}

/** Writes one file whole or not at all (writeAllAtomic). */
export function writeAtomic(p, bytes) {
  writeAllAtomic([[p, bytes]]);
}
