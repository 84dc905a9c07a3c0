// The page's threads (issue 10), in Chromium. tools/serve.mjs sends the cross-origin
// isolation headers, so the page's Worker starts the threaded core (build/gan-mt.wasm) with
// threads=N or every core; the same files served without them run the single-threaded
// core on one thread, and the page says so in one quiet line, never an error. Whatever the
// count, the same seed trains to the same bytes: checkpoints saved from the page after the
// same steps with 1, 2 and 3 threads and without isolation are identical.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';

import { STRINGS } from '../web/i18n.js';
import { pageServer, pageTest } from './pages.mjs';

const env = pageServer({ plain: true });
const SERVE = new URL('../tools/serve.mjs', import.meta.url).pathname;

test('node tools/serve.mjs --no-isolation serves without the isolation headers, the rest as before', async () => {
  const child = spawn(process.execPath, [SERVE, '--no-isolation'], { env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const url = await new Promise((resolve, reject) => {
      let out = '';
      child.on('exit', (code) => reject(new Error(`serve.mjs exited (${code}): ${out}`)));
      child.stdout.on('data', (d) => { out += d; const m = /serving on (\S+) without cross-origin isolation/.exec(out); if (m) resolve(m[1]); });
    });
    for (const f of ['', 'build/gan-mt.worker.js']) {
      const r = await fetch(url + f);
      assert.equal(r.status, 200, f);
      for (const h of ['cross-origin-opener-policy', 'cross-origin-embedder-policy', 'cross-origin-resource-policy']) assert.equal(r.headers.get(h), null, `${f}: no ${h}`);
      assert.match(r.headers.get('content-security-policy'), /script-src 'self'/, `${f}: the page's policy still`);
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    }
  } finally {
    child.removeAllListeners('exit');
    child.kill();
  }
  const bad = spawnSync(process.execPath, [SERVE, '--no-isolation', '--nope'], { encoding: 'utf8', env: { ...process.env, PORT: '0' } });
  assert.equal(bad.status, 2);
  assert.equal(bad.stderr, 'usage: node tools/serve.mjs [--root DIR] [--no-isolation]\n');
});
const STEPS = 12;

/** Waits until the engine is up, the first samples are drawn and the dataset is loaded. */
async function ready(page) {
  await page.waitForFunction(() => document.body.dataset.firstSamplesMs !== undefined
    && document.querySelector('[data-testid="preset-balanced"]')
    && !document.querySelector('[data-testid="threads"]').hidden
    && document.getElementById('progress').hidden
    && / 60000 /.test(document.getElementById('progress-text').textContent), null, { polling: 100 });
}

const text = async (page, id) => (await page.getByTestId(id).textContent()).trim();
const stepCount = async (page) => Number(await text(page, 'step'));

/** Plays until the step counter passes from + n, then pauses. */
async function trains(page, n = 3) {
  const from = await stepCount(page);
  await page.getByTestId('play').click();
  await page.waitForFunction((v) => Number(document.querySelector('[data-testid="step"]').textContent) >= v, from + n, { polling: 100 });
  await page.getByTestId('play').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="play"]').getAttribute('aria-pressed') === 'false');
}

/** STEPS training steps from the fresh model (the Step button), then its checkpoint's bytes. */
async function checkpointAfterSteps(page) {
  for (let i = 0; i < STEPS; i++) await page.getByTestId('step-once').click();
  // The Worker handles messages in order: the checkpoint comes after the last step.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('save').click()]);
  assert.equal(download.suggestedFilename(), `gan-mnist-step${STEPS}.gan`);
  return readFile(await download.path());
}

pageTest(env, 'isolated (tools/serve.mjs), threads=2: the status says 2 threads, training runs, the count moves live', async (open) => {
  const page = await open('#threads=2&seed=5');
  await ready(page);
  assert.equal(await page.evaluate(() => crossOriginIsolated), true);
  assert.equal(await text(page, 'threads'), '2 threads');
  assert.equal(await page.getByTestId('threads-note').isHidden(), true, 'no quiet line when isolated');
  await trains(page);
  const input = page.getByTestId('threads-input');
  assert.equal(await input.isVisible(), true, 'the setting shows where there is a pool to choose from');
  assert.deepEqual([await input.getAttribute('min'), await input.getAttribute('max'), await input.inputValue()], ['1', '2', '2']);
  await page.screenshot({ path: '/tmp/threads-isolated.png', clip: { x: 0, y: 0, width: 1280, height: 260 } });

  // Down to one thread while the page runs: the status, the link, and training goes on.
  await input.fill('1');
  await input.press('Enter');
  await page.waitForFunction(() => document.querySelector('[data-testid="threads"]').textContent.trim() === '1 thread');
  assert.match(page.url(), /[#&]threads=1(&|$)/, 'the link keeps the count');
  await trains(page);
  // French: the same figure in the page's words.
  await page.getByTestId('lang').selectOption('fr');
  assert.equal(await text(page, 'threads'), '1 fil d’exécution');
});

pageTest(env, 'not isolated (no headers), threads=2: one thread, said in one quiet line, and it trains', async (open) => {
  const page = await open(`${env.plainUrl}#threads=2&seed=5`);
  await ready(page);
  assert.equal(await page.evaluate(() => crossOriginIsolated), false);
  assert.equal(await text(page, 'threads'), '1 thread');
  const note = page.getByTestId('threads-note');
  assert.equal(await note.isVisible(), true);
  assert.equal(await text(page, 'threads-note'), STRINGS.en.noticeNoThreads);
  assert.equal(await note.getAttribute('role'), null, 'a quiet line, not an alert');
  assert.equal(await page.getByTestId('threads-input').isHidden(), true, 'no setting without a pool');
  assert.match(page.url(), /[#&]threads=2(&|$)/, 'the link keeps what it asked for, for an isolated host');
  await trains(page);
  await page.screenshot({ path: '/tmp/threads-plain.png', clip: { x: 0, y: 0, width: 1280, height: 260 } });
  await page.getByTestId('lang').selectOption('fr');
  assert.equal(await text(page, 'threads-note'), STRINGS.fr.noticeNoThreads);
  assert.equal(await text(page, 'threads'), '1 fil d’exécution');
});

pageTest(env, `the same seed gives the same checkpoint bytes after ${STEPS} steps with 1, 2, 3 threads and without isolation`, async (open) => {
  const runs = [
    ['threads=1', `${env.url}#threads=1&seed=7`, '1 thread'],
    ['threads=2', `${env.url}#threads=2&seed=7`, '2 threads'],
    ['threads=3', `${env.url}#threads=3&seed=7`, '3 threads'],
    ['not isolated', `${env.plainUrl}#seed=7`, '1 thread'],
  ];
  const bytes = [];
  for (const [name, link, shown] of runs) {
    const page = await open(link);
    await ready(page);
    assert.equal(await text(page, 'threads'), shown, name);
    bytes.push([name, await checkpointAfterSteps(page)]);
    await page.close();
  }
  const [first, ...rest] = bytes;
  assert.ok(first[1].length > 100000, 'a whole checkpoint');
  for (const [name, b] of rest) assert.ok(b.equals(first[1]), `${name} gives the bytes of ${first[0]}`);
});

pageTest(env, 'the compare page gives each column half the cores when isolated, one thread each when not', async (open) => {
  const columns = (page) => page.evaluate(() => [0, 1].map((i) => document.querySelector(`[data-testid="cmp-col-${i}"]`).dataset.threads));
  const started = (page) => page.waitForFunction(() => [0, 1].every((i) => document.querySelector(`[data-testid="cmp-col-${i}"]`).dataset.threads), null, { polling: 100 });

  // errorBox: the compare page has its own (cmp-error), checked below
  const isolated = await open('compare.html#compare=loss', { errorBox: true });
  await started(isolated);
  const half = String(Math.max(1, Math.floor(await isolated.evaluate(() => navigator.hardwareConcurrency) / 2)));
  assert.deepEqual(await columns(isolated), [half, half]);
  assert.equal(await text(isolated, 'cmp-note'), '', 'no quiet line when isolated');

  const asked = await open('compare.html#compare=loss&threads=2&play=1', { errorBox: true });
  await started(asked);
  assert.deepEqual(await columns(asked), ['2', '2'], 'threads=N: N for each');
  await asked.waitForFunction(() => [0, 1].every((i) => Number(document.querySelector(`[data-testid="cmp-col-${i}"]`).dataset.step) >= 2), null, { polling: 100 });
  assert.match(await text(asked, 'cmp-status-0'), /· 2 threads$/);

  const plain = await open(`${env.plainUrl}compare.html#compare=loss&threads=2&play=1`, { errorBox: true });
  await started(plain);
  assert.deepEqual(await columns(plain), ['1', '1']);
  assert.equal(await text(plain, 'cmp-note'), STRINGS.en.noticeNoThreads);
  await plain.waitForFunction(() => [0, 1].every((i) => Number(document.querySelector(`[data-testid="cmp-col-${i}"]`).dataset.step) >= 2), null, { polling: 100 });
  assert.match(await text(plain, 'cmp-status-1'), /· 1 thread$/);
  for (const page of [isolated, asked, plain]) assert.equal(await page.getByTestId('cmp-error').isHidden(), true);
});
