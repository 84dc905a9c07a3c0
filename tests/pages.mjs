// pages.mjs - what the page tests share: the real server and Debian's Chromium for a test
// file, and a page opened at a link that fails its test on any console or page error.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { launchChromium } from '../tools/chromium.mjs';
import { listen } from '../tools/serve.mjs';

export const WAIT = 90000;

/**
 * Starts the server and the browser before the file's tests and stops them after.
 * plain: a second server of the same files without the cross-origin isolation headers (a
 * host that sends none: the page runs one thread) at env.plainUrl.
 */
export function pageServer({ plain = false } = {}) {
  const env = { url: null, plainUrl: null, browser: null };
  let server, plainServer;
  before(async () => {
    ({ server, url: env.url } = await listen({ port: 0 }));
    if (plain) ({ server: plainServer, url: env.plainUrl } = await listen({ port: 0, isolation: false }));
    env.browser = await launchChromium();
  });
  after(async () => {
    await env.browser?.close();
    server?.close();
    plainServer?.close();
  });
  return env;
}

/**
 * A new page at env.url + path (or at path, a whole URL), its console and page errors
 * collected into problems. route: [url glob, handler] for page.route before it loads;
 * init: a function run in the page before its scripts (page.addInitScript).
 */
async function newPage(env, path, problems, { viewport, french = false, route, init } = {}) {
  const page = await env.browser.context.newPage();
  page.setDefaultTimeout(WAIT);
  if (viewport) await page.setViewportSize(viewport);
  if (route) await page.route(...route);
  if (init) await page.addInitScript(init);
  page.on('console', (m) => m.type() === 'error' && problems.push(`console error: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`page error: ${e.stack ?? e}`));
  if (french) { // a browser whose languages are French: the page picks French without lang=
    await page.addInitScript(() => {
      Object.defineProperty(navigator, 'languages', { get: () => ['fr-FR', 'fr'] });
      Object.defineProperty(navigator, 'language', { get: () => 'fr-FR' });
    });
  }
  await page.goto(/^https?:/.test(path) ? path : env.url + path);
  return page;
}

/**
 * A test whose function gets open(path, { viewport, french, route, init, errorBox }) for its
 * pages (viewport and init default to the test's); each page must log no console or page
 * error and, unless errorBox, show no error box. Pages are closed even when the test fails.
 */
export function pageTest(env, name, fn, { timeout = 300000, viewport, init } = {}) {
  test(name, { timeout }, async () => {
    const opened = [];
    const open = async (path = '', { errorBox = false, ...opts } = {}) => {
      const problems = [];
      const page = await newPage(env, path, problems, { viewport, init, ...opts });
      opened.push({ page, problems, errorBox });
      return page;
    };
    try {
      await fn(open);
      for (const { page, problems, errorBox } of opened) {
        assert.deepEqual(problems, [], 'no console or page errors');
        if (!errorBox && !page.isClosed()) {
          assert.equal(await page.getByTestId('error').isHidden(), true, `no error shown: ${await page.locator('#error-text').textContent()}`);
        }
      }
    } finally {
      for (const { page } of opened) await page.close().catch(() => {});
    }
  });
}

/**
 * A page at env.url + path (e.g. '#tour=1' or 'compare.html#compare=loss') for test t,
 * closed after it; any console error or page error fails t. ready: wait for the dataset
 * and the first samples, as a class would before pressing anything.
 */
export async function openPage(env, path, t, { ready = true, viewport } = {}) {
  const problems = [];
  const page = await newPage(env, path, problems, { viewport });
  t.after(async () => {
    assert.deepEqual(problems, [], 'no console or page errors');
    await page.close();
  });
  if (ready) {
    await page.waitForFunction(() => document.body.dataset.firstSamplesMs !== undefined
      && document.getElementById('progress').hidden && / 60000 /.test(document.getElementById('progress-text').textContent), null, { polling: 100 });
  }
  return page;
}
