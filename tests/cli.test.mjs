// tools/gan.mjs train / sample on real MNIST: the output files, bit-identical resume,
// and one clear line (never a stack trace, never a half-written file) for user mistakes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'gan-cli-'));

function gan(...args) {
  const r = spawnSync(process.execPath, ['tools/gan.mjs', ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const SMALL = ['--batch', '8', '--log-every', '2'];

test('train writes the four outputs with the documented fields', () => {
  const out = tmp();
  const r = gan('train', '--steps', '4', ...SMALL, '--seed', '3', '--out', out);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(readdirSync(out).sort(), ['checkpoint.gan', 'log.jsonl', 'samples-idx3-ubyte', 'samples.png']);
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
    [['train', '--steps', 'many'], /--steps must be a number/],
    [['train', '--stepz', '3'], /unknown option --stepz/],
    [['train', '--dataset', 'cifar'], /--dataset must be one of mnist, fashion/],
    [['train', '--lr-g', '-1', '--steps', '1'], /lr-g -1 is not in/],
    [['train', '--batch', '1', '--steps', '1'], /batch 1 is not in/],
    [['train', '--beta1-g', '1.5', '--steps', '1'], /Adam beta1 must be in/],
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
