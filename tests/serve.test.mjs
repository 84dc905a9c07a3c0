// tools/serve.mjs: MIME types, isolation headers, no way out of its folders, an answer to
// any request however malformed, 304s for unchanged files, and the page's CSP in Chromium.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, rmdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { launchChromium } from '../tools/chromium.mjs';
import { listen } from '../tools/serve.mjs';

let server, base;
before(async () => {
  ({ server, url: base } = await listen({ port: 0 }));
});
after(() => server.close());

/** A raw GET (no URL normalisation on the client side, so traversal reaches the server). */
function get(rawPath, method = 'GET', from = base, headers = {}) {
  const { hostname, port } = new URL(from);
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname, port, path: rawPath, method, headers }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    // A request the server never answers fails the test instead of hanging it.
    req.setTimeout(10000, () => req.destroy(new Error(`no answer to ${method} ${rawPath}`)));
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

test('refuses methods other than GET and HEAD, saying which are allowed', async () => {
  for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH']) {
    const r = await get('/gan.js', method);
    assert.equal(r.status, 405, method);
    assert.equal(r.headers.allow, 'GET, HEAD', method);
  }
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

/**
 * Sends bytes as they are on a fresh connection (no client-side checks at all) and resolves
 * to { status, text } once the server closes it; status is NaN if no status line came back.
 */
function raw(bytes, from = base) {
  const { hostname, port } = new URL(from);
  return new Promise((resolve, reject) => {
    let text = '';
    const socket = net.connect(Number(port), hostname, () => socket.write(bytes, 'latin1'));
    socket.setEncoding('latin1');
    socket.setTimeout(10000, () => socket.destroy(new Error(`no answer to ${JSON.stringify(bytes.slice(0, 60))}`)));
    socket.on('data', (d) => { text += d; });
    // The server may reset a connection it refuses; what it answered first still counts.
    socket.on('error', (err) => (text ? resolve(answerOf(text)) : reject(err)));
    socket.on('close', () => resolve(answerOf(text)));
  });
}
const answerOf = (text) => ({ status: Number(/^HTTP\/1\.[01] (\d{3}) /.exec(text)?.[1]), text });
const request = (target, method = 'GET') => `${method} ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`;

/** The page still comes back whole: the server survived whatever came before. */
async function stillServes() {
  const page = await get('/');
  assert.equal(page.status, 200, 'the server still serves the page');
  assert.match(page.body, /data-testid="samples"/);
}

test('GET // is answered and the server keeps serving', async () => {
  // `curl --request-target '//'` once killed the process: new URL('//', base) throws.
  const r = await raw(request('//'));
  assert.equal(r.status, 404, r.text);
  await stillServes();
});

test('node tools/serve.mjs, the process itself, outlives GET //', async () => {
  // In-process the test runner catches the rejection; run alone, it was the process's death.
  const child = spawn(process.execPath, [fileURLToPath(new URL('../tools/serve.mjs', import.meta.url))], {
    env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((done) => child.on('exit', (code, signal) => done(`exited (${code ?? signal}): ${stderr}`)));
  try {
    const url = await Promise.race([exited, new Promise((done) => {
      let out = '';
      child.stdout.on('data', (d) => { out += d; const m = /serving on (\S+)/.exec(out); if (m) done(m[1]); });
    })]);
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/, url);
    assert.equal((await raw(request('//'), url)).status, 404);
    const still = await Promise.race([exited, get('/', 'GET', url)]);
    assert.equal(still.status, 200, typeof still === 'string' ? still : 'still serving');
  } finally {
    child.kill();
  }
});

test('every malformed request target gets an answer and none takes the server down', async () => {
  const long = (n) => `/${'a'.repeat(n)}`;
  for (const [target, status] of [
    ['//', 404], ['///etc/passwd', 404], ['//evil.example/x', 404],
    ['*', 400], ['%', 400], ['x', 400], ['mailto:a@b', 400], ['http://', 400], ['http://[::1/', 400],
    ['http://x/', 200], ['https://x/gan.js', 200], ['http://x/../../Makefile', 404], // absolute-form, as HTTP/1.1 asks
    ['/%', 404], ['/%zz', 404], ['/%e0%a4%a', 404], ['/%ff', 404], ['/%00', 404], ['/a%00.html', 404],
    ['/..%2f..', 404], ['/..%2f..%2f..%2fetc%2fpasswd', 404], ['/../../Makefile', 404], ['/..\\Makefile', 404],
    ['/build/%2e%2e%5c%2e%2e%5cMakefile', 404], ['/data/....//....//Makefile', 404],
    ['/gan.js?x=1#y', 200], ['/?' + '%'.repeat(100), 200],
    [long(5000), 404], // longer than a file name may be
    [long(20000), 431], // longer than Node lets a request head be
  ]) {
    for (const method of ['GET', 'HEAD']) {
      const r = await raw(request(target, method));
      assert.equal(r.status, status, `${method} ${target.slice(0, 60)} -> ${r.text.slice(0, 200)}`);
      assert.doesNotMatch(r.text, /gan-playground:|root:x:/, target.slice(0, 60));
    }
  }
  await stillServes();
});

test('broken request lines and raw control bytes are refused and the server keeps serving', async () => {
  // Node's parser answers these before the handler runs (so this passed before the fix too):
  // a guard that it stays so, e.g. if a clientError handler is ever added.
  for (const [bytes, status] of [
    ['GET /\0 HTTP/1.1\r\nHost: x\r\n\r\n', 400], ['GET /a\x01b HTTP/1.1\r\nHost: x\r\n\r\n', 400],
    ['GET / HTTP/1.1\r\nHost: \0\r\n\r\n', 400], ['GET /a b HTTP/1.1\r\n\r\n', 400], ['GET HTTP/1.1\r\n\r\n', 400],
    ['GET / HTTP/9.9\r\n\r\n', 400], ['GET / FOO\r\n\r\n', 400], ['GARBAGE\r\n\r\n', 400],
    ['GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n', 400],
    ['GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n', 400],
    [`GET / HTTP/1.1\r\nX: ${'b'.repeat(20000)}\r\n\r\n`, 431],
  ]) {
    const r = await raw(bytes);
    assert.equal(r.status, status, `${JSON.stringify(bytes.slice(0, 40))} -> ${r.text.slice(0, 200)}`);
  }
  await stillServes();
});

test('anything unexpected thrown while answering is a 500, and the server stays up', async () => {
  // A mount that throws where resolve() does not expect it to: the catch-all's case.
  let calls = 0;
  const mounts = [{ get prefix() { calls++; throw new Error('a bug'); }, dir: os.tmpdir() }];
  const { server: s, url } = await listen({ port: 0, mounts });
  const quiet = console.error;
  console.error = () => {}; // the server logs the bug; not this test's output
  try {
    for (const method of ['GET', 'HEAD']) {
      const r = await get('/x', method, url);
      assert.equal(r.status, 500, method);
    }
    assert.equal(calls, 2);
    assert.equal((await raw(request('/x'), url)).status, 500, 'still answering on a new connection');
  } finally {
    console.error = quiet;
    s.close();
  }
  await stillServes();
});

test('static files carry ETag and Last-Modified; unchanged ones are answered 304 with no body', async () => {
  const first = await get('/gan.js');
  assert.equal(first.status, 200);
  const { etag, 'last-modified': lastModified } = first.headers;
  assert.match(etag, /^(W\/)?"[^"]+"$/);
  assert.ok(Date.parse(lastModified) > 0, lastModified);
  assert.equal((await get('/gan.js', 'HEAD')).headers.etag, etag, 'HEAD names the same version');

  const conditional = (headers, method = 'GET') => get('/gan.js', method, base, headers);
  const later = new Date(Date.parse(lastModified) + 3600e3).toUTCString();
  const earlier = new Date(Date.parse(lastModified) - 3600e3).toUTCString();
  for (const [headers, status, why] of [
    [{ 'If-None-Match': etag }, 304, 'the same ETag'],
    [{ 'If-None-Match': etag.replace(/^W\//, '') }, 304, 'the ETag without W/ (weak comparison)'],
    [{ 'If-None-Match': `"other", ${etag}` }, 304, 'the ETag in a list'],
    [{ 'If-None-Match': '*' }, 304, 'any version'],
    [{ 'If-None-Match': '"other"' }, 200, 'another ETag'],
    [{ 'If-Modified-Since': lastModified }, 304, 'the same date'],
    [{ 'If-Modified-Since': later }, 304, 'a later date'],
    [{ 'If-Modified-Since': earlier }, 200, 'an earlier date'],
    [{ 'If-Modified-Since': 'not a date' }, 200, 'a bad date is ignored'],
    [{ 'If-None-Match': '"other"', 'If-Modified-Since': lastModified }, 200, 'If-None-Match decides alone'],
  ]) {
    const r = await conditional(headers);
    assert.equal(r.status, status, why);
    if (status === 304) {
      assert.equal(r.body, '', `${why}: no body`);
      assert.equal(r.headers.etag, etag, `${why}: the ETag again`);
      assert.equal(r.headers['content-length'], undefined, why);
      assert.equal(r.headers['cross-origin-embedder-policy'], 'require-corp', `${why}: isolation kept`);
    } else {
      assert.match(r.body, /export async function loadCore/, why);
    }
  }
  assert.equal((await conditional({ 'If-None-Match': etag }, 'HEAD')).status, 304, 'HEAD too');
  assert.equal((await get('/not-there.js', 'GET', base, { 'If-None-Match': '*' })).status, 404, '* needs a file');
});

test('a file that changes gets a new ETag and Last-Modified, so old validators miss', async () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'gan-serve-etag-'));
  const file = path.join(root, 'a.txt');
  writeFileSync(file, 'one');
  utimesSync(file, new Date('2026-01-01T00:00:00Z'), new Date('2026-01-01T00:00:00Z'));
  const { server: s, url } = await listen({ port: 0, mounts: [{ prefix: '/', dir: root }] });
  try {
    const before = await get('/a.txt', 'GET', url);
    assert.equal(before.headers['last-modified'], 'Thu, 01 Jan 2026 00:00:00 GMT');
    writeFileSync(file, 'two'); // same size, a new mtime
    const after = await get('/a.txt', 'GET', url, { 'If-None-Match': before.headers.etag });
    assert.equal(after.status, 200);
    assert.equal(after.body, 'two');
    assert.notEqual(after.headers.etag, before.headers.etag);
    const since = await get('/a.txt', 'GET', url, { 'If-Modified-Since': before.headers['last-modified'] });
    assert.equal(since.status, 200);
    assert.equal(after.headers['content-security-policy'], undefined, 'a mount without csp has no policy');
  } finally {
    s.close();
    rmSync(root, { recursive: true, force: true });
  }
});

test('the page, its scripts, Worker and wasm carry the CSP and keep the isolation headers', async () => {
  for (const p of ['/', '/index.html', '/app.js', '/worker.js', '/gan.js', '/build/gan.mjs', '/build/gan.wasm']) {
    const r = await get(p, 'HEAD');
    assert.equal(r.status, 200, p);
    const csp = r.headers['content-security-policy'];
    assert.ok(csp, `${p} has a Content-Security-Policy`);
    const directives = Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
    assert.deepEqual(directives['script-src'], ["'self'", "'wasm-unsafe-eval'"], `${p}: no inline script, no eval`);
    assert.deepEqual(directives['worker-src'], ["'self'"], p);
    assert.deepEqual(directives['object-src'], ["'none'"], p);
    assert.equal(directives['frame-ancestors'], undefined, `${p}: the page may be embedded in course material`);
    assert.equal(r.headers['cross-origin-opener-policy'], 'same-origin', p);
    assert.equal(r.headers['cross-origin-embedder-policy'], 'require-corp', p);
    assert.equal(r.headers['cross-origin-resource-policy'], 'same-origin', p);
    assert.equal(r.headers['x-content-type-options'], 'nosniff', p);
  }
});

test('in Chromium the page trains under its CSP with no violation, and the policy does bite', { timeout: 180000 }, async () => {
  const browser = await launchChromium();
  try {
    const page = await browser.context.newPage();
    const problems = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(`console error: ${m.text()}`));
    page.on('pageerror', (e) => problems.push(`page error: ${e.stack ?? e}`));
    // Init scripts come from the browser's side, not the page, so the policy does not stop them.
    await page.addInitScript(() => {
      window.violations = [];
      document.addEventListener('securitypolicyviolation', (e) => {
        window.violations.push(`${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`);
      });
    });
    await page.goto(base);
    // The Worker compiled the wasm under its own copy of the policy, loaded the dataset and
    // drew the first samples (what tests/page.test.mjs calls ready).
    await page.waitForFunction(() => document.body.dataset.firstSamplesMs !== undefined
      && document.getElementById('progress').hidden, null, { polling: 100, timeout: 150000 });
    assert.equal(await page.evaluate(() => window.crossOriginIsolated), true, 'still cross-origin isolated');
    assert.deepEqual(await page.evaluate(() => window.violations), [], 'no CSP violation');
    assert.deepEqual(problems, [], 'no console or page errors');
    // The inline style="--c:..." swatches of the losses legend keep their colour.
    const swatch = await page.evaluate(() => getComputedStyle(document.querySelector('[data-view="losses"] .legend i')).backgroundColor);
    assert.equal(swatch, 'rgb(217, 72, 15)');
    // And the policy is really there: an inline script injected into the page does not run.
    await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.inlineRan = true';
      document.head.append(s);
    });
    await page.waitForFunction(() => window.violations.length > 0);
    assert.equal(await page.evaluate(() => window.inlineRan), undefined, 'inline script blocked');
    assert.match((await page.evaluate(() => window.violations))[0], /^script-src-elem blocked inline/);
  } finally {
    await browser.close();
  }
});
