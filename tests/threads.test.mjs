// Threads (issue 10), in Node: the same bytes from the single-threaded build and the
// threaded one at 1, 2 and 3 threads (checkpoints of several models, and the CLI's files
// for --threads 1 and 2); --threads out of 1..64 refused with one line and nothing
// written; a core asked for more threads than its pool refuses and keeps its count.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { CoreError, Gan, MAX_THREADS, loadCore } from '../web/gan.js';
import { THREADS_MAX } from '../tools/cli.mjs';
import { loadDataset } from '../tools/datasets.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'gan-threads-'));
const sha = (bytes) => createHash('sha256').update(bytes).digest('hex').slice(0, 16);

function gan(...args) {
  const r = spawnSync(process.execPath, ['tools/gan.mjs', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Small batches keep this quick; the GEMMs of batch 8 are still split over the threads
// (D's second convolution alone is 64 x 392 x 512).
const MODELS = {
  'default preset (balanced)': { preset: 'balanced', batch: 8 },
  'compact (the core default)': { batch: 8 },
  'compact at batch 64': { batch: 64 },
  'batch norm in D (fast)': { preset: 'fast', batch: 8 },
  'wgan (two D steps, clipping)': { preset: 'wgan', batch: 8 },
  'minibatch std-dev (collapse-remedy)': { preset: 'collapse-remedy', batch: 8 },
};
const STEPS = 4;

/** The checkpoint after STEPS steps of each model on one core, and the samples of its first. */
function train(core, data) {
  const out = {};
  for (const [name, config] of Object.entries(MODELS)) {
    const g = Gan.create(core, { seed: 7, ...config });
    for (let i = 0; i < STEPS; i++) g.trainStep(data);
    out[name] = sha(g.checkpoint());
    out[`${name}: samples`] = sha(Buffer.from(g.generate(new Float32Array(4 * g.latent).fill(0.5)).buffer));
    g.destroy();
  }
  return out;
}

test('the single-threaded build and the threaded one at 1, 2 and 3 threads write the same checkpoints', async () => {
  const builds = { st: {}, 'mt 1': { threaded: true }, 'mt 2': { threads: 2 }, 'mt 3': { threads: 3 } };
  const results = {};
  for (const [name, opts] of Object.entries(builds)) {
    const core = await loadCore(opts);
    assert.equal(core.threads, opts.threads ?? 1, `${name}: the count it was loaded with`);
    const data = loadDataset(core, 'mnist');
    results[name] = train(core, data);
    data.destroy();
  }
  for (const name of Object.keys(builds)) assert.deepEqual(results[name], results.st, `${name} against st`);
});

test('changing the thread count between steps changes no byte', async () => {
  const core = await loadCore({ threads: 3 });
  const data = loadDataset(core, 'mnist');
  const run = (counts) => {
    const g = Gan.create(core, { seed: 9, preset: 'balanced', batch: 8 });
    for (const n of counts) {
      core.setThreads(n);
      g.trainStep(data);
    }
    const bytes = g.checkpoint();
    g.destroy();
    return sha(bytes);
  };
  assert.equal(run([3, 1, 2, 3]), run([1, 1, 1, 1]));
  data.destroy();
});

test('train --threads 1 and --threads 2 write the same files; sample too', () => {
  const dirs = {};
  for (const n of [1, 2]) {
    const out = tmp();
    const r = gan('train', '--threads', String(n), '--steps', '5', '--batch', '8', '--log-every', '5', '--seed', '4', '--out', out);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`\\(\\d+ images/s\\) on ${n} threads?;`), 'the closing line names the count');
    const log = readFileSync(path.join(out, 'log.jsonl'), 'utf8').trim().split('\n').map(JSON.parse);
    assert.equal(log[0].threads, n, 'log.jsonl says the count');
    const drawn = path.join(out, 'drawn');
    const s = gan('sample', '--threads', String(n), '--checkpoint', path.join(out, 'checkpoint.gan'), '--n', '16', '--out', drawn, '--png', `${drawn}.png`);
    assert.equal(s.code, 0, s.stderr);
    dirs[n] = out;
  }
  for (const f of ['checkpoint.gan', 'samples.png', 'samples-idx3-ubyte', 'progress.png', 'drawn', 'drawn.png']) {
    assert.ok(readFileSync(path.join(dirs[1], f)).equals(readFileSync(path.join(dirs[2], f))), `${f}: same bytes`);
  }
});

test('--threads out of 1..64 exits 2 with one line naming the flag and the range, and writes nothing', () => {
  assert.equal(THREADS_MAX, MAX_THREADS, 'the CLI and web/gan.js agree on the most threads');
  const dir = tmp(), out = path.join(dir, 'run'), file = path.join(dir, 'drawn');
  for (const bad of ['0', '65', 'abc', '1.5', '-1', '0x2']) {
    for (const args of [
      ['train', '--steps', '1', '--out', out],
      ['sample', '--checkpoint', path.join(ROOT, 'package.json'), '--out', file],
      ['bench', '--json', '--seconds', '0.05', '--train-seconds', '0', '--no-native'],
    ]) {
      const r = gan(...args, '--threads', bad);
      const what = `${args[0]} --threads ${bad}`;
      assert.equal(r.code, 2, `${what}: exit ${r.code}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split('\n').length, 1, `${what}: one line: ${r.stderr}`);
      assert.match(r.stderr, /^gan\.mjs: --threads must be a whole number from 1 to 64, not '.*'$/m, what);
      assert.equal(r.stdout, '', `${what}: nothing on stdout`);
    }
  }
  assert.ok(!existsSync(out) && !existsSync(file), 'nothing written');
  assert.deepEqual(readdirSync(dir), []);
  assert.match(gan('--help').stdout, /--threads N/, '--help lists the flag');
});

test('a core refuses more threads than it was loaded with, and keeps its count', async () => {
  const core = await loadCore({ threads: 2 });
  const cases = [[3, /\b2 threads\b/], [MAX_THREADS, /\b2 threads\b/], [MAX_THREADS + 1, /1\.\.64/], [0, /1\.\.64/], [-1, /1\.\.64/]];
  for (const [n, limit] of cases) {
    assert.throws(() => core.setThreads(n), (e) => e instanceof CoreError && limit.test(e.reason), `setThreads(${n}) names the limit`);
    assert.equal(core.threads, 2, `after setThreads(${n})`);
  }
  core.setThreads(1);
  assert.equal(core.threads, 1);
  core.setThreads(2);
  assert.equal(core.threads, 2);
  const st = await loadCore();
  assert.throws(() => st.setThreads(2), CoreError, 'the single-threaded build has one thread');
  assert.equal(st.threads, 1);
});
