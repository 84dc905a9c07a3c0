// tools/serve.mjs: MIME types, isolation headers, and no way out of its folders.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';

import { listen } from '../tools/serve.mjs';

let server, base;
before(async () => {
  ({ server, url: base } = await listen({ port: 0 }));
});
after(() => server.close());

/** A raw GET (no URL normalisation on the client side, so traversal reaches the server). */
function get(rawPath, method = 'GET') {
  const { hostname, port } = new URL(base);
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
