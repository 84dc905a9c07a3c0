// tools/serve.mjs: MIME types, isolation headers, and no way out of its folders.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, rmdirSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { listen } from '../tools/serve.mjs';

let server, base;
before(async () => {
  ({ server, url: base } = await listen({ port: 0 }));
});
after(() => server.close());

/** A raw GET (no URL normalisation on the client side, so traversal reaches the server). */
function get(rawPath, method = 'GET', from = base) {
  const { hostname, port } = new URL(from);
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname, port, path: rawPath, method }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('serves the wasm as application/wasm with isolation headers', async () => {
  const r = await get('/build/gan.wasm');
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-type'], 'application/wasm');
  assert.equal(r.headers['cross-origin-opener-policy'], 'same-origin');
  assert.equal(r.headers['cross-origin-embedder-policy'], 'require-corp');
});

test('serves web/ at the root with JavaScript MIME types', async () => {
  const r = await get('/gan.js');
  assert.equal(r.status, 200);
  assert.match(r.headers['content-type'], /^text\/javascript/);
  assert.match(r.body, /export async function loadCore/);
});

test('serves the page at / and the prepared data under /data/', async () => {
  const page = await get('/');
  assert.equal(page.status, 200);
  assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
  assert.match(page.body, /data-testid="samples"/);
  const labels = await get('/data/mnist-train-labels-idx1-ubyte.gz', 'HEAD');
  assert.equal(labels.status, 200, 'make data put the gzipped labels in data/generated/');
  assert.equal(labels.headers['content-type'], 'application/gzip');
  const meter = await get('/data/meter-mnist.bin', 'HEAD');
  assert.equal(meter.status, 200);
  assert.equal(meter.headers['content-type'], 'application/octet-stream');
});

test('never serves anything outside its folders', async () => {
  for (const p of [
    '/data/../Makefile', '/data/%2e%2e/%2e%2e/package.json', '/data/..%2f..%2ftools/serve.mjs',
    '/../package.json', '/%2e%2e/package.json', '/build/../../Makefile', '/build/%2e%2e/Makefile',
    '/..%2fMakefile', '/%2e%2e%2f%2e%2e%2fetc/passwd', '/..%5cMakefile', '/%00', '/%zz',
    '/build/..%2f..%2fREADME.md',
  ]) {
    const r = await get(p);
    assert.equal(r.status, 404, `${p} -> ${r.status}`);
    assert.doesNotMatch(r.body, /gan-playground|root:/, p);
  }
});

test('refuses methods other than GET and HEAD', async () => {
  assert.equal((await get('/gan.js', 'POST')).status, 405);
  const head = await get('/gan.js', 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.body, '');
});

test('serves trained checkpoints from data/generated/checkpoints/ under /data/checkpoints/', async () => {
  // What #checkpoint=NAME fetches: data/checkpoints/NAME.gan.
  const dir = fileURLToPath(new URL('../data/generated/checkpoints/', import.meta.url));
  const made = !existsSync(dir);
  mkdirSync(dir, { recursive: true });
  const name = `test-serve-${process.pid}.gan`;
  writeFileSync(path.join(dir, name), 'GANPLAY1 test bytes');
  try {
    const r = await get(`/data/checkpoints/${name}`);
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'application/octet-stream');
    assert.equal(r.body, 'GANPLAY1 test bytes');
    assert.equal((await get('/data/checkpoints/not-built-yet.gan')).status, 404, 'a missing checkpoint is a plain 404');
    for (const p of ['/data/checkpoints/../../../Makefile', '/data/checkpoints/%2e%2e/%2e%2e/%2e%2e/package.json',
      '/data/checkpoints/..%2f..%2f..%2fREADME.md', '/data/checkpoints/%2e%2e%2f%2e%2e%2fMakefile']) {
      const bad = await get(p);
      assert.equal(bad.status, 404, `${p} -> ${bad.status}`);
      assert.doesNotMatch(bad.body, /gan-playground/, p);
    }
  } finally {
    rmSync(path.join(dir, name), { force: true });
    if (made && !readdirSync(dir).length) rmdirSync(dir);
  }
});

test('a symbolic link in a served folder cannot lead out of it', async () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'gan-serve-test-'));
  mkdirSync(path.join(root, 'checkpoints'));
  writeFileSync(path.join(root, 'checkpoints', 'inside.gan'), 'inside');
  symlinkSync(fileURLToPath(new URL('../Makefile', import.meta.url)), path.join(root, 'checkpoints', 'outside.gan'));
  const elsewhere = mkdtempSync(path.join(os.tmpdir(), 'gan-serve-outside-'));
  writeFileSync(path.join(elsewhere, 'secret.gan'), 'secret');
  symlinkSync(elsewhere, path.join(root, 'checkpoints', 'elsewhere'));
  const { server: s, url } = await listen({ port: 0, mounts: [{ prefix: '/data/', dir: root }] });
  try {
    assert.equal((await get('/data/checkpoints/inside.gan', 'GET', url)).body, 'inside');
    assert.equal((await get('/data/checkpoints/outside.gan', 'GET', url)).status, 404, 'a link to a file outside');
    assert.equal((await get('/data/checkpoints/elsewhere/secret.gan', 'GET', url)).status, 404, 'a link to a folder outside');
  } finally {
    s.close();
    rmSync(root, { recursive: true, force: true });
    rmSync(elsewhere, { recursive: true, force: true });
  }
});
