// The wasm core in a real browser: Debian's Chromium loads build/gan.wasm through
// web/gan.js in a page and in a module Worker, served by tools/serve.mjs, and computes
// bit-for-bit what Node computes with the same build and seed.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { DEFAULT_MOUNTS, listen } from '../tools/serve.mjs';
import { GP, loadCore } from '../web/gan.js';
import { launchChromium } from '../tools/chromium.mjs';
import { runProbe } from './browser/probe.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
let server, url, browser;

before(async () => {
  ({ server, url } = await listen({
    port: 0,
    mounts: [{ prefix: '/tests/', dir: path.join(HERE, 'browser') }, ...DEFAULT_MOUNTS],
  }));
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  server?.close();
});

test('page and module Worker load the wasm and match Node bit for bit', async () => {
  const page = await browser.context.newPage();
  const problems = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(String(e)));
  await page.goto(`${url}tests/core.html`);
  await page.waitForFunction(() => window.coreResult?.done, null, { timeout: 30000 });
  const result = await page.evaluate(() => window.coreResult);
  assert.equal(result.error, null);
  assert.deepEqual(problems, []);

  const expected = runProbe(await loadCore({ full: true }), GP);
  assert.ok(expected.y.some((v) => v !== 0), 'the probe computes something');
  assert.deepEqual(result.page, expected, 'page == Node');
  assert.deepEqual(result.worker, expected, 'Worker == Node');
  await page.close();
});
