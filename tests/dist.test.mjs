// make dist (tools/dist.mjs): one static folder a teacher copies to any host. It is built
// into a temp folder here (make and make data must have run), then opened in Chromium
// three ways: under a sub-path of Debian's `python3 -m http.server`, which sets no special
// header (no cross-origin isolation, no CSP); at the root of tools/serve.mjs --root, which
// sets them all; and in an iframe of a page on another origin (localhost vs 127.0.0.1).
// Each time the page must load, fetch the dataset, train, and log no console error; with
// the headers it trains on threads (the threaded build), without them on one thread, which
// the page says in its quiet line.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { launchChromium } from '../tools/chromium.mjs';
import { STRINGS, t } from '../web/i18n.js';
import { DistError, writeDist } from '../tools/dist.mjs';
import { listen } from '../tools/serve.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WAIT = 30000;
const SUB = 'course/gan'; // the plain server serves the dist's parents: http://127.0.0.1:P/course/gan/

let tmp, dist, plain, plainUrl, isolated, isolatedUrl, browser;

/** Debian's python3 -m http.server on dir; resolves to { child, url } once it listens. */
function pythonServer(dir) {
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const child = spawn(python, ['-u', '-m', 'http.server', '0', '--bind', '127.0.0.1', '--directory', dir],
    { stdio: ['ignore', 'pipe', 'ignore'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`python3 -m http.server exited (${code}): ${out}`)));
    child.stdout.on('data', (d) => {
      out += d;
      const m = / port (\d+) /.exec(out);
      if (m) resolve({ child, url: `http://127.0.0.1:${m[1]}/` });
    });
  });
}

/** A GET's status and headers (node:http: nothing added on the client side). */
function get(url) {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers }));
    }).on('error', reject);
  });
}

before(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'gan-dist-test-'));
  dist = path.join(tmp, ...SUB.split('/'));
  mkdirSync(path.dirname(dist), { recursive: true });
  execFileSync(process.execPath, [path.join(ROOT, 'tools', 'dist.mjs'), dist], { stdio: 'pipe' });
  ({ child: plain, url: plainUrl } = await pythonServer(tmp));
  ({ server: isolated, url: isolatedUrl } = await listen({ port: 0, root: dist }));
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  isolated?.close();
  if (plain) plain.removeAllListeners('exit'), plain.kill();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

// ---- the folder ----

/** Every file under dir, relative, sorted. */
const listing = (dir, rel = '') => readdirSync(path.join(dir, rel), { withFileTypes: true })
  .flatMap((e) => (e.isDirectory() ? listing(dir, path.join(rel, e.name)) : [path.join(rel, e.name)])).sort();

test('the dist holds the page, its core and the data, nothing else', () => {
  const files = listing(dist);
  const web = readdirSync(path.join(ROOT, 'web')).filter((f) => !f.startsWith('.')).map((f) => `web/${f}`);
  const data = ['mnist', 'fashion'].flatMap((d) => [
    ...['train', 't10k'].flatMap((set) => [`${d}-${set}-images-idx3-ubyte.gz`, `${d}-${set}-labels-idx1-ubyte.gz`]), `meter-${d}.bin`, `pca-${d}.json`]);
  const checkpoints = existsSync(path.join(ROOT, 'data/generated/checkpoints'))
    ? readdirSync(path.join(ROOT, 'data/generated/checkpoints')).filter((f) => f.endsWith('.gan')).map((f) => `web/data/checkpoints/${f}`)
    : [];
  assert.deepEqual(files, [
    'build/gan.mjs', 'build/gan.wasm', 'build/schema.mjs', 'build/gan-mt.mjs', 'build/gan-mt.wasm', 'build/gan-mt.worker.js',
    'index.html', 'index.js',
    ...web, ...data.map((f) => `web/data/${f}`), ...checkpoints,
  ].sort());
  for (const f of ['build/gan.wasm', 'build/gan-mt.wasm', 'build/gan-mt.worker.js', 'web/worker.js', 'web/data/meter-mnist.bin']) {
    const src = f.startsWith('web/data/') ? `data/generated/${f.slice(9)}` : f;
    assert.ok(readFileSync(path.join(dist, f)).equals(readFileSync(path.join(ROOT, src))), `${f} is ${src}`);
  }
  // Relative URLs only: the entry page names no host, no absolute path.
  for (const f of ['index.html', 'index.js']) {
    const text = readFileSync(path.join(dist, f), 'utf8');
    assert.doesNotMatch(text, /(src|href|url)=["']?\/|https?:|'\//, `${f} has relative URLs only`);
  }
});

test('checkpoints ship when built; an earlier dist is replaced, another folder is not', () => {
  // A data folder of links to the real files, plus a checkpoint and its recipe record.
  const data = path.join(tmp, 'data');
  mkdirSync(path.join(data, 'checkpoints'), { recursive: true });
  for (const f of readdirSync(path.join(ROOT, 'data/generated')).filter((n) => /\.gz$|^meter-.*\.bin$|^pca-.*\.json$/.test(n))) {
    symlinkSync(path.join(ROOT, 'data/generated', f), path.join(data, f));
  }
  writeFileSync(path.join(data, 'checkpoints', 'balanced.gan'), 'GAN');
  writeFileSync(path.join(data, 'checkpoints', 'balanced.json'), '{}');
  writeFileSync(path.join(data, 'checkpoints', 'balanced.gan.tmp-1'), 'half');
  const out = path.join(tmp, 'again');
  mkdirSync(path.join(out, 'web'), { recursive: true });
  writeFileSync(path.join(out, 'web', 'stale.js'), 'old');
  const made = writeDist(out, { data });
  assert.equal(made.checkpoints, 1);
  assert.deepEqual(readdirSync(path.join(out, 'web', 'data', 'checkpoints')), ['balanced.gan']);
  assert.equal(existsSync(path.join(out, 'web', 'stale.js')), false, 'the earlier dist is gone');
  assert.equal(readdirSync(tmp).some((n) => n.includes('.tmp-')), false, 'no temp folder left');

  const other = path.join(tmp, 'other');
  mkdirSync(other);
  writeFileSync(path.join(other, 'notes.txt'), 'keep me');
  assert.throws(() => writeDist(other, { data }), DistError);
  assert.equal(readFileSync(path.join(other, 'notes.txt'), 'utf8'), 'keep me');
  rmSync(path.join(data, 'meter-fashion.bin'));
  assert.throws(() => writeDist(path.join(tmp, 'third'), { data }), /meter-fashion\.bin is missing: run make data first/);
  assert.equal(existsSync(path.join(tmp, 'third')), false);
});

test('node tools/serve.mjs --root DIR serves the dist with the page\'s headers', async () => {
  const child = spawn(process.execPath, [path.join(ROOT, 'tools', 'serve.mjs'), '--root', dist], {
    env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const url = await new Promise((resolve, reject) => {
      let out = '';
      child.on('exit', (code) => reject(new Error(`serve.mjs exited (${code}): ${out}`)));
      child.stdout.on('data', (d) => { out += d; const m = /serving on (\S+)/.exec(out); if (m) resolve(m[1]); });
    });
    for (const f of ['', 'web/index.html', 'build/gan.wasm', 'build/gan-mt.wasm', 'build/gan-mt.worker.js', 'web/data/meter-mnist.bin']) {
      const r = await get(url + f);
      assert.equal(r.status, 200, f);
      assert.equal(r.headers['cross-origin-opener-policy'], 'same-origin', f);
    }
    assert.equal((await get(`${url}build/gan-full.wasm`)).status, 404, 'not the test build');
  } finally {
    child.removeAllListeners('exit');
    child.kill();
  }
});

// ---- in Chromium ----

/**
 * Opens url in a new page; fn(page) runs, then the page must have logged no console error
 * and thrown no page error (an iframe's included). The page is closed either way.
 */
async function withPage(url, fn) {
  const page = await browser.context.newPage();
  page.setDefaultTimeout(WAIT);
  const problems = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(`console error: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`page error: ${e.stack ?? e}`));
  try {
    await page.goto(url);
    await fn(page);
    assert.deepEqual(problems, [], 'no console or page errors');
  } finally {
    await page.close().catch(() => {});
  }
}

/** Waits for the engine, the first samples and the whole dataset (page or frame). */
async function ready(page) {
  await page.waitForFunction(() => document.body.dataset.firstSamplesMs !== undefined
    && document.querySelector('[data-testid="preset-balanced"]')
    && document.getElementById('progress').hidden
    && / 60000 /.test(document.getElementById('progress-text').textContent), null, { polling: 100 });
}

const steps = (page, n) => page.waitForFunction((v) => Number(document.querySelector('[data-testid="step"]').textContent) >= v, n, { polling: 100 });

/** Whether url is the playground under base with these hash parameters (the page may add others). */
const landed = (base, want) => (url) => {
  const params = new URLSearchParams(url.hash.slice(1));
  return url.href.split('#')[0] === `${base}web/index.html` && Object.entries(want).every(([k, v]) => params.get(k) === v);
};

/**
 * The count of threads the status line shows ('2 fils d’exécution': 2), and where the page
 * says it runs one thread for want of isolation: 'line' (its quiet line), 'figure' (an
 * embed: a few muted words after the count, the sentence on hover) or null.
 */
async function threads(page) {
  const figure = page.getByTestId('threads');
  const n = Number(await page.locator('[data-testid="threads"] b').textContent());
  const lang = await page.evaluate(() => document.documentElement.lang);
  const count = t(lang, n === 1 ? 'threadOne' : 'threadMany', { n });
  const sentence = STRINGS[lang].noticeNoThreads;
  const note = page.getByTestId('threads-note');
  if (await note.isVisible()) {
    assert.equal(await figure.textContent(), count);
    assert.equal(await note.textContent(), sentence);
    return { n, note: 'line' };
  }
  if (await page.getByTestId('threads-why').isVisible()) {
    assert.equal(await figure.textContent(), `${count} ${STRINGS[lang].threadsWhy}`);
    assert.equal(await figure.getAttribute('title'), sentence);
    return { n, note: 'figure' };
  }
  assert.equal(await figure.textContent(), count);
  return { n, note: null };
}

/** The page came through the entry page with its hash, loaded the data, and trains on Play. */
async function trains(page, base, want = {}) {
  await page.waitForURL(landed(base, { seed: '3', lang: 'fr', ...want }));
  await ready(page);
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'fr', 'the hash reached the page');
  assert.equal(await page.getByTestId('seed').inputValue(), '3');
  await page.getByTestId('play').click();
  await steps(page, 3);
  assert.equal(await page.getByTestId('error').isHidden(), true,
    `no error shown: ${await page.locator('#error-text').textContent()}`);
}

test('a plain static server (no headers) under a sub-path: loads, trains, not isolated', async () => {
  const base = `${plainUrl}${SUB}/`;
  const r = await get(`${base}web/index.html`);
  assert.equal(r.status, 200);
  for (const h of ['cross-origin-opener-policy', 'cross-origin-embedder-policy', 'content-security-policy']) {
    assert.equal(r.headers[h], undefined, `the plain server sends no ${h}`);
  }
  await withPage(`${base}#seed=3&lang=fr`, async (page) => {
    await trains(page, base);
    assert.equal(await page.evaluate(() => crossOriginIsolated), false);
    assert.deepEqual(await threads(page), { n: 1, note: 'line' }, 'one thread, and the quiet line says so');
  });
});

test('tools/serve.mjs --root (isolation headers and CSP): loads, trains, isolated', async () => {
  const r = await get(`${isolatedUrl}web/index.html`);
  assert.equal(r.headers['cross-origin-embedder-policy'], 'require-corp');
  assert.match(r.headers['content-security-policy'], /script-src 'self'/);
  await withPage(`${isolatedUrl}#seed=3&lang=fr&threads=2`, async (page) => {
    await trains(page, isolatedUrl, { threads: '2' });
    assert.equal(await page.evaluate(() => crossOriginIsolated), true);
    assert.deepEqual(await threads(page), { n: 2, note: null }, 'the threaded build, on threads=2');
  });
});

test('embedded in an iframe on another origin (#embed=1&play=1): it trains', async () => {
  const link = `${plainUrl}${SUB}/index.html#embed=1&play=1`;
  const host = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><title>Course</title><h1>Course</h1>
      <iframe src="${link}" width="720" height="560" title="GAN playground"></iframe>`);
  });
  await new Promise((done) => host.listen(0, '127.0.0.1', done));
  try {
    await withPage(`http://localhost:${host.address().port}/`, async (page) => {
      const frame = await (await page.waitForSelector('iframe')).contentFrame();
      await frame.waitForURL(landed(`${plainUrl}${SUB}/`, { embed: '1', play: '1' }));
      assert.notEqual(new URL(frame.url()).origin, new URL(page.url()).origin, 'a cross-origin frame');
      await ready(frame);
      assert.equal(await frame.evaluate(() => document.body.classList.contains('embed')), true);
      await steps(frame, 3); // play=1: no click
      assert.equal(await frame.getByTestId('error').isHidden(), true, 'no error in the frame');
      assert.equal(await frame.evaluate(() => crossOriginIsolated), false);
      assert.deepEqual(await threads(frame), { n: 1, note: 'figure' }, 'an iframe on another origin runs one thread, and says so in its status line');
    });
  } finally {
    host.close();
  }
});
