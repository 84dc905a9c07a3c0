// Two trainings side by side (web/compare.html, compare.js) in Debian's Chromium against
// the real server: compare=dataset trains MNIST and Fashion-MNIST at once with the same
// seed, compare=loss the two costs, compare=preset:NAME two lessons; each column pauses and
// resets on its own while the other keeps training; a bad compare= is named; French.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { STRINGS } from '../web/i18n.js';
import { openPage, pageServer } from './pages.mjs';

const env = pageServer();
const open = (hash, t) => openPage(env, `compare.html${hash}`, t, { ready: false });

const col = (page, i) => page.evaluate((k) => {
  const el = document.querySelector(`[data-testid="cmp-col-${k}"]`);
  return {
    title: el.querySelector('h2').textContent, dataset: el.dataset.dataset, loss: el.dataset.loss, preset: el.dataset.preset,
    step: Number(el.dataset.step ?? -1), chart: el.querySelector('canvas.chart-canvas').dataset.plot,
    drawn: el.querySelector('canvas.samples-canvas').width > 200, playing: el.querySelector('[data-testid^="cmp-play"]').getAttribute('aria-pressed'),
  };
}, i);
const waitStep = (page, i, n) => page.waitForFunction(([k, v]) => Number(document.querySelector(`[data-testid="cmp-col-${k}"]`).dataset.step ?? -1) >= v, [i, n], { polling: 100 });

test('compare=dataset: MNIST and Fashion-MNIST train at once; each column pauses and resets on its own', { timeout: 180000 }, async (t) => {
  const page = await open('#compare=dataset&batch=16&seed=4&play=1', t);
  await waitStep(page, 0, 8);
  await waitStep(page, 1, 8);
  let a = await col(page, 0), b = await col(page, 1);
  assert.deepEqual([a.dataset, b.dataset], ['mnist', 'fashion']);
  assert.deepEqual([a.title, b.title], [STRINGS.en.mnist, STRINGS.en.fashion]);
  assert.ok(a.drawn && b.drawn, 'both grids drawn');
  assert.equal(await page.getByTestId('cmp-play').getAttribute('aria-pressed'), 'true');

  // Pause the left one: it stops, the right one goes on.
  await page.getByTestId('cmp-play-0').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="cmp-play-0"]').getAttribute('aria-pressed') === 'false');
  // The left one's last snapshot (the slice it was in when asked) may still be on its way:
  // read it once the right one has gone on for a while, then again after a while more.
  await waitStep(page, 1, (await col(page, 1)).step + 10);
  const paused = (await col(page, 0)).step;
  await waitStep(page, 1, (await col(page, 1)).step + 10);
  assert.equal((await col(page, 0)).step, paused, 'the paused column stays');

  // Reset the right one: a new model from step 0 that keeps training; the left stays paused.
  await page.getByTestId('cmp-reset-1').click();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="cmp-col-1"]').dataset.step) < 5);
  await waitStep(page, 1, 6);
  assert.equal((await col(page, 0)).step, paused);
  b = await col(page, 1);
  assert.equal(b.dataset, 'fashion');
  assert.equal(b.playing, 'true');
});

test('compare=loss and compare=preset:strong-d set the two sides; a bad compare= is named; French', { timeout: 180000 }, async (t) => {
  const page = await open('#compare=loss&batch=16&play=1', t);
  await waitStep(page, 0, 3);
  await waitStep(page, 1, 3);
  const [a, b] = [await col(page, 0), await col(page, 1)];
  assert.deepEqual([a.loss, b.loss], ['ns', 'minimax']);
  assert.deepEqual([a.title, b.title], [STRINGS.en.cost_ns, STRINGS.en.cost_minimax]);
  assert.deepEqual([a.dataset, b.dataset], ['mnist', 'mnist']);

  const fr = await open('#compare=preset:strong-d&batch=16&lang=fr', t);
  await fr.waitForFunction(() => document.querySelector('[data-testid="cmp-col-1"]').dataset.preset === 'strong-d');
  assert.equal((await col(fr, 0)).preset, 'balanced');
  assert.equal(await fr.locator('#cmp-title').textContent(), 'Deux entraînements côte à côte');
  assert.equal(await fr.getByTestId('cmp-play').textContent(), 'Lancer les deux');

  // embed=1: for an iframe, the two columns without the page's header
  const embed = await open('#compare=dataset&embed=1&batch=16', t);
  await embed.waitForFunction(() => document.querySelector('[data-testid="cmp-col-1"]').dataset.dataset === 'fashion');
  assert.equal(await embed.locator('header.top').isHidden(), true);
  assert.equal(await embed.getByTestId('cmp-col-0').isVisible(), true);

  const bad = await open('#compare=colours', t);
  await bad.waitForFunction(() => !document.querySelector('[data-testid="cmp-error"]').hidden);
  assert.match(await bad.getByTestId('cmp-error').textContent(), /compare must be dataset, loss or preset:NAME, not “colours”/);
});
