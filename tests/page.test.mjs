// The playground page end to end, in Debian's Chromium: web/index.html served by
// tools/serve.mjs, training in its module Worker. Every test opens its own page in one
// shared browser, collects console errors and page errors, and fails on any it did not
// expect. Training speed depends on the machine's load, so the tests wait on conditions
// (never on timings) with generous timeouts.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';

import { loadCore } from '../web/gan.js';
import { presetTable } from '../web/session.js';
import { defaults, settingsFromPreset } from '../web/state.js';
import { STRINGS } from '../web/i18n.js';
import { poisonCheckpoint } from './helpers.mjs';
import { pageServer, pageTest as sharedPageTest } from './pages.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SHOTS = path.join(HERE, 'screenshots');
const FASHION_IMAGES = '**/data/fashion-train-images-idx3-ubyte.gz';
const FASHION_LABELS = '**/data/fashion-train-labels-idx1-ubyte.gz';
const PRESET_NAMES = ['balanced', 'fast', 'minimax', 'strong-d', 'mode-collapse', 'collapse-remedy', 'lsgan', 'hinge', 'wgan', 'classic'];
const SETTING_KEYS = ['dataset', 'loss', 'lr_g', 'lr_d', 'd_steps', 'batch', 'smoothing', 'mbstd', 'seed'];

const env = pageServer();
let tmp, presets;

before(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'gan-page-test-'));
  mkdirSync(SHOTS, { recursive: true });
  // What the page's presets must show, from the same engine the Worker runs.
  presets = presetTable(await loadCore());
});

after(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

// ---- helpers ----

/**
 * A test with its own pages (pages.mjs's pageTest: no console or page error, no error box
 * unless errorBox). Each page remembers whether the dataset progress was ever shown, and
 * canvasHash names what a canvas shows (an FNV-1a hash of its RGBA), for pixels() and
 * waitPixels().
 */
function watchPage() {
  window.canvasHash = (c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let h = 2166136261;
    for (let i = 0; i < d.length; i++) h = Math.imul(h ^ d[i], 16777619);
    return `${c.width}x${c.height}:${(h >>> 0).toString(16)}`;
  };
  new MutationObserver(() => {
    const p = document.getElementById('progress');
    if (p && !p.hidden) window.progressShown = true;
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['hidden'] });
}
const pageTest = (name, fn, { timeout = 150000 } = {}) => sharedPageTest(env, name, fn, { timeout, init: watchPage });

const byId = (page, id) => page.getByTestId(id);
const num = async (page, id) => Number(await byId(page, id).textContent());
const counters = async (page) => ({ step: await num(page, 'step'), dSteps: await num(page, 'd-steps') });

/** Waits until the engine is up, the first samples are drawn and the dataset is loaded. */
async function ready(page) {
  await page.waitForFunction(() => document.body.dataset.firstSamplesMs !== undefined
    && document.querySelector('[data-testid="preset-balanced"]')
    && document.getElementById('progress').hidden
    && / 60000 /.test(document.getElementById('progress-text').textContent), null, { polling: 100 });
}

/** The pixels a canvas shows: its hash and the ink variance inside its 28x28 cells. */
function pixels(page, testid) {
  return page.evaluate((id) => {
    const c = document.querySelector(`[data-testid="${id}"]`);
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    // Image cells only: a drawn grid has one-pixel gaps at every 29th row and column.
    let n = 0, s = 0, s2 = 0;
    for (let y = 0; y < c.height; y++) {
      for (let x = 0; x < c.width; x++) {
        if (x % 29 === 0 || y % 29 === 0) continue;
        const v = d[(y * c.width + x) * 4];
        n++, s += v, s2 += v * v;
      }
    }
    return { hash: window.canvasHash(c), variance: n ? s2 / n - (s / n) ** 2 : 0 };
  }, testid);
}

/** Waits until a canvas's hash equals (same: true) or differs from (same: false) hash. */
function waitPixels(page, testid, same, hash) {
  return page.waitForFunction(([id, eq, want]) => {
    return (window.canvasHash(document.querySelector(`[data-testid="${id}"]`)) === want) === eq;
  }, [testid, same, hash], { polling: 100 });
}

/** Waits for a counter on the page (step / d-steps) to satisfy `cmp` against value. */
function waitCount(page, id, cmp, value) {
  return page.waitForFunction(([i, c, v]) => {
    const n = Number(document.querySelector(`[data-testid="${i}"]`).textContent);
    return c === '>=' ? n >= v : c === '>' ? n > v : n === v;
  }, [id, cmp, value], { polling: 100 });
}

/** The page's play state as the Worker reported it (aria-pressed on the play button). */
const pressed = async (page) => (await byId(page, 'play').getAttribute('aria-pressed')) === 'true';

async function play(page) {
  assert.equal(await pressed(page), false, 'paused before play');
  await byId(page, 'play').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="play"]').getAttribute('aria-pressed') === 'true');
}

/** Pauses, then waits until everything sent to the Worker is handled and drawn; returns the state. */
async function pause(page) {
  if (await pressed(page)) await byId(page, 'play').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="play"]').getAttribute('aria-pressed') === 'false');
  return settle(page);
}

/**
 * The page's counters and samples once the Worker has handled every message sent so far
 * and the page has drawn what it posted. The Worker handles messages in order, so when a
 * checkpoint asked for now arrives as a download, every snapshot due to earlier messages
 * has been posted; two animation frames later the newest one is drawn. (Use while paused.)
 */
async function settle(page) {
  // dispatchEvent: the save button may be hidden (embed=1, hide=checkpoint).
  await Promise.all([page.waitForEvent('download'), byId(page, 'save').dispatchEvent('click')]);
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  return { ...(await counters(page)), samples: (await pixels(page, 'samples')).hash };
}

/** Sets a number input as a user does: types the value and presses Enter (a 'change' event). */
async function setNumber(page, id, value) {
  await byId(page, id).fill(String(value));
  await byId(page, id).press('Enter');
  await page.waitForFunction(([k, v]) => new URLSearchParams(location.hash.slice(1)).get(k) === v, [id, String(value)]);
}

const hashParams = (page) => Object.fromEntries(new URLSearchParams(new URL(page.url()).hash.slice(1)));

/** Every setting control's shown value (checkbox: 'true'/'false'). */
function controlValues(page) {
  return page.evaluate(() => Object.fromEntries([...document.querySelectorAll('[data-setting]')]
    .map((el) => [el.dataset.setting, el.type === 'checkbox' ? String(el.checked) : el.value])));
}

async function saveCheckpoint(page, file) {
  const [download] = await Promise.all([page.waitForEvent('download'), byId(page, 'save').click()]);
  await download.saveAs(file);
  return download.suggestedFilename();
}

/** Does a canvas show a pixel of this colour (as drawn by a chart line, antialiased or not)? */
function hasColour(page, testid, hex) {
  return page.evaluate(([id, rgb]) => {
    const c = document.querySelector(`[data-testid="${id}"]`);
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    for (let i = 0; i < d.length; i += 4) {
      if (d[i + 3] > 100 && Math.abs(d[i] - rgb[0]) + Math.abs(d[i + 1] - rgb[1]) + Math.abs(d[i + 2] - rgb[2]) < 30) return true;
    }
    return false;
  }, [testid, [1, 3, 5].map((k) => parseInt(hex.slice(k, k + 2), 16))]);
}

/** The numbers at the end of each ", "-separated part of a chart's aria-label. */
async function chartValues(page, testid) {
  const label = await byId(page, testid).getAttribute('aria-label');
  assert.ok(label, `${testid} has an aria-label`);
  return { label, values: label.split(', ').map((part) => Number(part.slice(part.lastIndexOf(' ') + 1))) };
}

// ---- 1. load ----

pageTest('load: first samples, the dataset, a normalised link, no errors', async (open) => {
  const page = await open();
  await ready(page);

  const samples = await pixels(page, 'samples');
  assert.equal(samples.hash.startsWith('233x233:'), true, `8x8 grid of 28x28 images with gaps: ${samples.hash}`);
  assert.ok(samples.variance > 0, 'the samples are not blank');
  assert.ok(Number(await page.evaluate(() => document.body.dataset.firstSamplesMs)) > 0);
  for (const id of ['fake', 'strip', 'real']) {
    assert.ok((await pixels(page, id)).variance > 0, `${id} is drawn`);
  }

  // The dataset progress was shown while downloading and is hidden once loaded.
  assert.equal(await page.evaluate(() => window.progressShown), true, 'the progress was shown');
  assert.equal(await byId(page, 'progress').isHidden(), true);
  assert.equal(await page.locator('#progress-text').textContent(), 'mnist: 60000 training images');

  // The page's whole state lands in the hash.
  assert.deepEqual(hashParams(page), {
    dataset: 'mnist', preset: 'balanced', loss: 'ns', lr_g: '0.001', lr_d: '0.001', d_steps: '1',
    batch: '32', smoothing: '0', mbstd: '0', seed: '1', lang: 'en',
  });
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  assert.deepEqual(await counters(page), { step: 0, dSteps: 0 });
  assert.equal(await pressed(page), false, 'paused at load');
  assert.equal(await byId(page, 'preset-balanced').getAttribute('aria-pressed'), 'true');
  // An untrained G draws no digit: the meter says so instead of naming classes for noise.
  await page.waitForFunction(() => /^no recognisable digits yet · \d+\.\d% not a digit · step 0$/.test(
    document.querySelector('[data-testid="meter-text"]').textContent), null, { polling: 100 });
});

// ---- 2. play ----

pageTest('play: training advances every view; pause stops it', async (open) => {
  const page = await open();
  await ready(page);
  const before = await pixels(page, 'samples');
  await play(page);
  for (const id of ['step-once', 'step-d', 'step-g']) {
    assert.equal(await byId(page, id).isDisabled(), true, `${id} is disabled while playing`);
  }
  await waitCount(page, 'step', '>=', 10);

  // The samples keep changing.
  const mid = await pixels(page, 'samples');
  assert.notEqual(mid.hash, before.hash, 'training changed the samples');
  await waitPixels(page, 'samples', false, mid.hash);
  assert.ok((await pixels(page, 'samples')).variance > 0);

  // Each chart has values (no '–') and draws its series' colours.
  const series = {
    'chart-loss': ['#d9480f', '#1c7ed6'], 'chart-d': ['#2b8a3e', '#c2255c'], 'chart-grad': ['#7048e8'],
  };
  for (const [id, colours] of Object.entries(series)) {
    const { label, values } = await chartValues(page, id);
    assert.equal(values.length, colours.length, label);
    assert.ok(!label.includes('–') && values.every(Number.isFinite), `${id}: ${label}`);
    for (const c of colours) assert.equal(await hasColour(page, id, c), true, `${id} draws a ${c} line`);
  }
  const { values: [dReal, dFake] } = await chartValues(page, 'chart-d');
  assert.ok(dReal >= 0 && dReal <= 1 && dFake >= 0 && dFake <= 1, 'D answers probabilities');
  assert.match(await byId(page, 'ips').textContent(), /^\d+$/, 'images/s is shown');

  // The mode meter reads the samples.
  await page.waitForFunction(() => /^(coverage \d+\/10 · \d+\.\d% confident|no recognisable digits yet) · \d+\.\d% not a digit · step [1-9]\d*$/.test(
    document.querySelector('[data-testid="meter-text"]').textContent));

  // Pause: the counter stops.
  const paused = await pause(page);
  assert.ok(paused.step >= 10);
  await page.waitForTimeout(1000);
  assert.equal(await num(page, 'step'), paused.step, 'the step stays put while paused');
  assert.equal((await pixels(page, 'samples')).hash, paused.samples, 'the samples stay put while paused');
  for (const id of ['step-once', 'step-d', 'step-g']) assert.equal(await byId(page, id).isEnabled(), true);
});

pageTest('play before the dataset has arrived: the page waits for it, then trains', async (open) => {
  let release;
  const held = new Promise((done) => (release = done));
  const p = await open('', {
    route: ['**/data/mnist-train-images-idx3-ubyte.gz', async (r) => {
      await held;
      await r.continue();
    }],
  });
  await p.waitForFunction(() => document.body.dataset.firstSamplesMs !== undefined
    && document.querySelector('[data-testid="preset-balanced"]'));
  await byId(p, 'play').click();
  await p.waitForFunction(() => document.querySelector('[data-testid="play"]').getAttribute('aria-pressed') === 'true');
  assert.equal(await byId(p, 'play').getAttribute('title'), STRINGS.en.waiting, 'the button says it waits for the data');
  assert.equal(await byId(p, 'step-once').isDisabled(), true);
  await p.waitForTimeout(500);
  assert.equal(await num(p, 'step'), 0, 'no training without data');
  release();
  await ready(p);
  await waitCount(p, 'step', '>=', 2);
  assert.equal(await byId(p, 'play').getAttribute('title'), '', 'no longer waiting');
  await pause(p);
});

pageTest('mode meter: the bars show each class as a share of the samples', async (open) => {
  const page = await open();
  await ready(page);
  await byId(page, 'step-once').click();
  await waitCount(page, 'step', '=', 1);
  await page.waitForFunction(() => / · step 1$/.test(document.querySelector('[data-testid="meter-text"]').textContent));
  const bars = await page.locator('#meter-bars').getAttribute('aria-label');
  const pcts = [...bars.matchAll(/ (\d+)%/g)].map((m) => Number(m[1]));
  assert.equal(pcts.length, 11, `ten digits and "not a digit": ${bars}`);
  // One step in, nothing is recognisable: the bars are greyed and the caption says so.
  assert.match(bars, /\(no recognisable digits yet\)$/);
  assert.equal(await page.locator('#meter-bars').evaluate((b) => b.classList.contains('unsure')), true);
  assert.match(await byId(page, 'meter-text').textContent(), /^no recognisable digits yet · \d+\.\d% not a digit · step 1$/);
  assert.equal(await page.locator('#meter-bars > div:last-child .name').textContent(), '?');
  assert.ok(pcts.every((p) => p >= 0 && p <= 100), `each class is a share of the samples: ${bars}`);
  assert.ok(Math.abs(pcts.reduce((a, b) => a + b) - 100) <= 6, `the shares add up to about 100%: ${bars}`);
  const titles = await page.locator('#meter-bars > div').evaluateAll((ds) => ds.map((d) => d.title));
  const shares = titles.map((t) => Number(t.match(/: ([\d.]+)%$/)[1]));
  assert.ok(shares.every((p) => p <= 100), `bar titles are percentages: ${titles.join(', ')}`);
  // A class below 5% of the samples is drawn as missing (grey).
  const low = await page.locator('#meter-bars .fill').evaluateAll((fs) => fs.map((f) => f.classList.contains('low')));
  assert.deepEqual(low, shares.map((p) => p < 5), `low bars: ${titles.join(', ')}`);
});

// ---- 3. presets ----

pageTest('presets: each fills the controls from the engine, restarts and lands in the link', async (open) => {
  const page = await open();
  await ready(page);
  const names = await page.locator('#presets button').evaluateAll((bs) => bs.map((b) => b.dataset.preset));
  assert.deepEqual(names, presets.map((p) => p.name), 'one button per engine preset');
  for (const n of PRESET_NAMES) assert.ok(names.includes(n), `preset ${n} exists`);

  for (const p of presets) {
    // Train one step first, so the restart shows.
    const { step } = await counters(page);
    await byId(page, 'step-once').click();
    await waitCount(page, 'step', '=', step + 1);

    await byId(page, `preset-${p.name}`).click();
    await page.waitForFunction((n) => document.querySelector(`[data-testid="preset-${n}"]`).getAttribute('aria-pressed') === 'true', p.name);
    await waitCount(page, 'step', '=', 0);
    assert.equal(await num(page, 'd-steps'), 0, `${p.name}: D steps restart too`);
    const pressedOnes = await page.locator('#presets button[aria-pressed="true"]').evaluateAll((bs) => bs.map((b) => b.dataset.preset));
    assert.deepEqual(pressedOnes, [p.name], 'exactly one preset is pressed');

    const want = settingsFromPreset(defaults(), p);
    const shown = await controlValues(page);
    for (const key of SETTING_KEYS) {
      assert.equal(shown[key], String(want[key]), `${p.name}: control ${key}`);
    }
    const link = hashParams(page);
    assert.equal(link.preset, p.name);
    for (const key of SETTING_KEYS) {
      assert.equal(link[key], String(want[key] === true ? 1 : want[key] === false ? 0 : want[key]), `${p.name}: link ${key}`);
    }
    assert.equal(await page.locator('#lesson').textContent(), p.lesson.en, `${p.name}: its lesson is shown`);
  }

  // The course's own numbers, spelled out.
  const check = async (name, want) => {
    await byId(page, `preset-${name}`).click();
    await page.waitForFunction((n) => new URLSearchParams(location.hash.slice(1)).get('preset') === n, name);
    const shown = await controlValues(page);
    for (const [k, v] of Object.entries(want)) assert.equal(shown[k], v, `${name}: ${k}`);
  };
  await check('strong-d', { loss: 'minimax', lr_d: '0.001', d_steps: '5' });
  await check('wgan', { loss: 'wgan' });
  await check('balanced', { loss: 'ns', lr_g: '0.001', lr_d: '0.001', d_steps: '1', batch: '32' });
  await check('classic', { loss: 'ns', lr_g: '0.0002', lr_d: '0.0002', d_steps: '1', batch: '64' });
});

// ---- 4. single steps ----

pageTest('step D, step G, step: each moves its own counter', async (open) => {
  const page = await open();
  await ready(page);
  const g0 = await pixels(page, 'samples');
  assert.deepEqual(await counters(page), { step: 0, dSteps: 0 });

  await byId(page, 'step-d').click();
  await waitCount(page, 'd-steps', '=', 1);
  assert.equal(await num(page, 'step'), 0, 'a D step is not a G update');
  // (The samples may still move a little: generating D's fakes updates G's batch-norm statistics.)

  await byId(page, 'step-g').click();
  await waitCount(page, 'step', '=', 1);
  assert.equal(await num(page, 'd-steps'), 1, 'a G step is not a D update');
  const g1 = await settle(page);
  assert.notEqual(g1.samples, g0.hash, 'a G step changes the samples');
  assert.equal(g1.dSteps, 1);

  await byId(page, 'step-once').click();
  await waitCount(page, 'step', '=', 2);
  assert.equal(await num(page, 'd-steps'), 2, 'an iteration is d_steps D steps and one G step');

  // d_steps applies live: an iteration now makes three D updates.
  await setNumber(page, 'd_steps', 3);
  await byId(page, 'step-once').click();
  await waitCount(page, 'step', '=', 3);
  assert.equal(await num(page, 'd-steps'), 5, 'd_steps=3: three more D steps');
  assert.equal(await pressed(page), false, 'stepping does not start training');
});

// ---- 5. share link ----

pageTest('share link: a link reopens the same settings, language and model', async (open) => {
  const a = await open();
  await ready(a);
  await byId(a, 'loss').selectOption('lsgan');
  await a.waitForFunction(() => location.hash.includes('loss=lsgan'));
  await setNumber(a, 'lr_g', 0.0003);
  await setNumber(a, 'lr_d', 0.0005);
  await setNumber(a, 'd_steps', 3);
  await setNumber(a, 'batch', 32);
  await setNumber(a, 'smoothing', 0.1);
  await byId(a, 'mbstd').check();
  await a.waitForFunction(() => location.hash.includes('mbstd=1'));
  await setNumber(a, 'seed', 7);
  await byId(a, 'lang').selectOption('fr');
  await a.waitForFunction(() => location.hash.includes('lang=fr'));
  assert.equal(await byId(a, 'dataset').inputValue(), 'mnist');

  // A bad value is refused and the control shows the setting again.
  await byId(a, 'lr_d').fill('5');
  await byId(a, 'lr_d').press('Enter');
  await a.waitForFunction(() => !document.querySelector('[data-testid="error"]').hidden);
  assert.match(await a.locator('#error-text').textContent(), /^Ce réglage a été refusé : lr_d/);
  assert.equal(await byId(a, 'lr_d').inputValue(), '0.0005');
  await a.locator('#error-close').click();
  await a.waitForFunction(() => document.querySelector('[data-testid="error"]').hidden);

  await waitCount(a, 'step', '=', 0);
  const atA = await settle(a);
  const link = a.url();
  assert.deepEqual(hashParams(a), {
    dataset: 'mnist', preset: 'balanced', loss: 'lsgan', lr_g: '0.0003', lr_d: '0.0005', d_steps: '3',
    batch: '32', smoothing: '0.1', mbstd: '1', seed: '7', lang: 'fr',
  });

  const b = await open(new URL(link).hash);
  await ready(b);
  assert.deepEqual(await controlValues(b), await controlValues(a), 'every control shows the same value');
  assert.equal(await byId(b, 'lang').inputValue(), 'fr');
  assert.equal(await b.evaluate(() => document.documentElement.lang), 'fr');
  assert.equal(await byId(b, 'play').textContent(), 'Lancer');
  assert.equal(b.url(), link, 'the reopened page writes the same link');
  const atB = await settle(b);
  assert.equal(atB.samples, atA.samples, 'the same settings and seed draw the same untrained samples');
  // And they train the same way.
  for (const p of [a, b]) {
    await byId(p, 'step-once').click();
    await waitCount(p, 'step', '=', 1);
  }
  assert.equal((await settle(b)).samples, (await settle(a)).samples, 'one step later, still the same samples');
  assert.equal(await num(b, 'd-steps'), 3);
});

pageTest('view options: hide, embed, play and a bad parameter in the link', async (open) => {
  const h = await open('#hide=loss,seed');
  await ready(h);
  for (const id of ['loss', 'seed']) {
    assert.equal(await h.locator(`label[data-control="${id}"]`).isHidden(), true, `${id}'s label is hidden`);
    assert.equal(await byId(h, id).isHidden(), true, `${id} is hidden`);
  }
  for (const id of ['lr_d', 'd_steps', 'dataset', 'play']) assert.equal(await byId(h, id).isVisible(), true, `${id} still shows`);
  assert.equal(hashParams(h).hide, 'loss,seed', 'the link keeps the hidden controls');

  const all = await open('#hide=controls');
  await ready(all);
  assert.equal(await all.locator('section.controls').isHidden(), true);
  assert.equal(await byId(all, 'samples').isVisible(), true);

  const e = await open('#embed=1', { viewport: { width: 480, height: 600 } });
  await ready(e);
  assert.equal(await e.evaluate(() => document.body.classList.contains('embed')), true);
  assert.equal(await e.locator('header.top').isHidden(), true, 'no header in embed mode');
  for (const id of ['samples', 'chart-d', 'chart-grad', 'cost-gradients', 'meter', 'play']) assert.equal(await byId(e, id).isVisible(), true, `${id} shows in embed mode`);
  for (const id of ['chart-loss', 'strip']) assert.equal(await byId(e, id).isHidden(), true, `${id} is left out of embed mode`);
  assert.equal(hashParams(e).embed, '1');

  const p = await open('#play=1&seed=3');
  await ready(p);
  await p.waitForFunction(() => document.querySelector('[data-testid="play"]').getAttribute('aria-pressed') === 'true');
  await waitCount(p, 'step', '>=', 2);
  await pause(p);

  const bad = await open('#lr_d=abc&lang=xx', { errorBox: true });
  await ready(bad);
  assert.equal(await byId(bad, 'error').isVisible(), true);
  const text = await bad.locator('#error-text').textContent();
  assert.match(text, /^The link has a bad parameter: /);
  assert.match(text, /lr_d must be a number, not 'abc'/);
  assert.match(text, /lang must be one of en, fr, not 'xx'/);
  assert.equal(await byId(bad, 'lr_d').inputValue(), '0.001', 'a bad value leaves the default');
});

pageTest('embed: an iframe on another origin runs the playground in 720x560', async (open) => {
  // Course material on another origin (localhost vs 127.0.0.1), as in the README.
  const link = `${env.url}#preset=mode-collapse&embed=1&play=1&lang=fr`;
  const host = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><title>Course</title><h1>Course</h1>
      <iframe src="${link}" width="720" height="560" title="GAN playground: mode collapse"></iframe>`);
  });
  await new Promise((done) => host.listen(0, '127.0.0.1', done));
  try {
    // (errorBox: the host page has none; the frame's is checked below.)
    const page = await open(`http://localhost:${host.address().port}/`, { viewport: { width: 900, height: 700 }, errorBox: true });
    const frame = await (await page.waitForSelector('iframe')).contentFrame();
    await ready(frame);
    assert.notEqual(new URL(frame.url()).origin, new URL(page.url()).origin, 'a cross-origin frame');
    assert.equal(await frame.evaluate(() => document.body.classList.contains('embed')), true);
    assert.equal(await frame.evaluate(() => document.documentElement.lang), 'fr');
    await frame.waitForFunction(() => document.querySelector('[data-testid="play"]').getAttribute('aria-pressed') === 'true');
    await waitCount(frame, 'step', '>=', 3);
    assert.ok((await pixels(frame, 'samples')).variance > 0);
    assert.equal(new URLSearchParams(new URL(frame.url()).hash.slice(1)).get('preset'), 'mode-collapse');
    const size = await frame.evaluate(() => ({
      width: document.documentElement.scrollWidth, height: document.documentElement.scrollHeight,
      innerWidth, innerHeight,
    }));
    assert.ok(size.width <= size.innerWidth + 1 && size.height <= size.innerHeight + 1,
      `the embed fits its 720x560 iframe without scrolling: ${JSON.stringify(size)}`);
    for (const id of ['samples', 'chart-d', 'meter', 'play']) assert.equal(await byId(frame, id).isVisible(), true, `${id} shows`);
    await page.screenshot({ path: path.join(SHOTS, 'iframe-720x560.png') });
    await byId(frame, 'play').click();
    await frame.waitForFunction(() => document.querySelector('[data-testid="play"]').getAttribute('aria-pressed') === 'false');
    assert.equal(await byId(frame, 'error').isHidden(), true, 'no error in the frame');
  } finally {
    host.close();
  }
});

// ---- 6. language ----

pageTest('language switch: French and back, in the page and the link', async (open) => {
  const page = await open();
  await ready(page);
  await byId(page, 'step-once').click();
  await waitCount(page, 'step', '=', 1);
  await settle(page);
  const fr = STRINGS.fr;
  const balanced = presets.find((p) => p.name === 'balanced');

  await byId(page, 'lang').selectOption('fr');
  await page.waitForFunction(() => document.documentElement.lang === 'fr');
  assert.equal(await byId(page, 'play').textContent(), 'Lancer');
  assert.equal(await byId(page, 'step-d').textContent(), fr.stepD);
  assert.equal(await page.locator('#settings-h').textContent(), fr.settings);
  assert.equal(await page.locator('h1').textContent(), fr.title);
  assert.equal(await page.locator('#lesson').textContent(), balanced.lesson.fr);
  assert.equal(await byId(page, 'preset-balanced').getAttribute('title'), balanced.lesson.fr);
  assert.equal(await byId(page, 'samples').getAttribute('aria-label'), fr.samplesAlt);
  // French writes its numbers 0,5 and its percentages 12,5 %.
  assert.match(await byId(page, 'meter-text').textContent(), /^pas encore de chiffres reconnaissables · \d+,\d % pas un chiffre · pas 1$/);
  assert.equal(hashParams(page).lang, 'fr');
  await byId(page, 'lang').selectOption('en');
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  assert.equal(await byId(page, 'play').textContent(), 'Play');
  assert.equal(await page.locator('#settings-h').textContent(), 'Settings');
  assert.match(await byId(page, 'meter-text').textContent(), /^no recognisable digits yet · /);
  assert.equal(hashParams(page).lang, 'en');
  assert.equal(await byId(page, 'digits').textContent(), STRINGS.en.notYet);
  assert.match(await byId(page, 'chart-loss').getAttribute('aria-label'), /^loss D \S+, loss G \S+$/);

  await byId(page, 'lang').selectOption('fr');
  await page.waitForFunction(() => document.documentElement.lang === 'fr');
  // Texts the page writes itself follow the language too, even while paused: at the next
  // frame it draws (the check above can pass before any frame under load).
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const written = () => page.evaluate(() => ({
    digits: document.querySelector('[data-testid="digits"]').textContent,
    loss: document.querySelector('[data-testid="chart-loss"]').getAttribute('aria-label'),
    d: document.querySelector('[data-testid="chart-d"]').getAttribute('aria-label'),
    grad: document.querySelector('[data-testid="chart-grad"]').getAttribute('aria-label'),
  }));
  const inFrench = await written();
  assert.deepEqual({
    digits: inFrench.digits === fr.notYet,
    loss: /^coût D \S+, coût G \S+$/.test(inFrench.loss),
    d: /^D\(x\) vraies \d(,\d+)?(e-\d+)?, D\(G\(z\)\) générées \d(,\d+)?(e-\d+)?$/.test(inFrench.d),
    grad: /^Gradient qui atteint G \(échelle log\) \S+$/.test(inFrench.grad),
  }, { digits: true, loss: true, d: true, grad: true }, `in French: ${JSON.stringify(inFrench)}`);
});

// ---- 7. checkpoints ----

pageTest('save and load: a checkpoint brings back the same model, step and settings', async (open) => {
  const page = await open();
  await ready(page);
  await play(page);
  await waitCount(page, 'step', '>=', 3);
  const saved = await pause(page);
  assert.ok(saved.step >= 3);

  const file = path.join(tmp, 'round-trip.gan');
  const name = await saveCheckpoint(page, file);
  assert.equal(name, `gan-mnist-step${saved.step}.gan`);
  const bytes = readFileSync(file);
  assert.equal(bytes.subarray(0, 8).toString('latin1'), 'GANPLAY1', 'a checkpoint file');

  // The PNG export of the same samples.
  const [png] = await Promise.all([page.waitForEvent('download'), byId(page, 'export').click()]);
  assert.equal(png.suggestedFilename(), `samples-mnist-step${saved.step}.png`);
  const pngFile = path.join(tmp, 'samples.png');
  await png.saveAs(pngFile);
  assert.deepEqual([...readFileSync(pngFile).subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

  // Move away: other settings, a new model (seed), more training.
  await setNumber(page, 'lr_d', 0.0005);
  await setNumber(page, 'seed', 5);
  await waitCount(page, 'step', '=', 0);
  await play(page);
  await waitCount(page, 'step', '>=', 2);
  const moved = await pause(page);
  assert.notEqual(moved.samples, saved.samples);

  await byId(page, 'load').setInputFiles(file);
  await waitPixels(page, 'samples', true, saved.samples);
  assert.deepEqual(await counters(page), { step: saved.step, dSteps: saved.dSteps });
  assert.equal(await byId(page, 'seed').inputValue(), '1', 'the checkpoint brings its seed back');
  assert.equal(await byId(page, 'lr_d').inputValue(), '0.001', 'and its learning rate');
  assert.equal(hashParams(page).seed, '1');
  assert.equal(hashParams(page).lr_d, '0.001');
  assert.deepEqual(await settle(page), saved, 'still exactly the saved state');

  // It trains on from there.
  await play(page);
  await waitCount(page, 'step', '>', saved.step);
  await pause(page);
});

pageTest('bad uploads: random, truncated or corrupted files are refused; the model is untouched', async (open) => {
  const page = await open();
  await ready(page);
  for (const step of [1, 2]) {
    await byId(page, 'step-once').click();
    await waitCount(page, 'step', '=', step);
  }
  const kept = await settle(page);
  const real = path.join(tmp, 'real.gan');
  await saveCheckpoint(page, real);
  const good = readFileSync(real);
  let x = 12345;
  const random = Buffer.from(Array.from({ length: 4096 }, () => ((x = (x * 1103515245 + 12345) >>> 0) >>> 24)));
  const flipped = Buffer.from(good);
  flipped[flipped.length >> 1] ^= 0x5a;
  const bad = {
    'random.gan': random,
    'truncated.gan': good.subarray(0, good.length >> 1),
    'flipped.gan': flipped,
    'empty.gan': Buffer.alloc(0),
  };

  for (const [name, buffer] of Object.entries(bad)) {
    await byId(page, 'load').setInputFiles({ name, mimeType: 'application/octet-stream', buffer });
    await page.waitForFunction(() => !document.querySelector('[data-testid="error"]').hidden);
    const text = await page.locator('#error-text').textContent();
    assert.match(text, /^This checkpoint was refused: .+\. The current model is unchanged\.$/, `${name}: ${text}`);
    assert.equal(await byId(page, 'error').isVisible(), true);
    assert.equal(await byId(page, 'retry').isHidden(), true, 'nothing to retry');
    assert.deepEqual(await settle(page), kept, `${name}: same step and samples`);
    assert.deepEqual(hashParams(page).seed, '1');
    await page.locator('#error-close').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="error"]').hidden);
  }

  // The model trains on exactly as if nothing happened: one more step matches a fresh run.
  await byId(page, 'step-once').click();
  await waitCount(page, 'step', '=', 3);
  const after = await settle(page);
  const fresh = await open();
  await ready(fresh);
  for (const step of [1, 2, 3]) {
    await byId(fresh, 'step-once').click();
    await waitCount(fresh, 'step', '=', step);
  }
  assert.equal((await settle(fresh)).samples, after.samples, 'the refused uploads changed nothing');
  await fresh.close();

  await play(page);
  await waitCount(page, 'step', '>', 3);
  await pause(page);
});

pageTest('non-finite steps: the discarded updates and the stop are shown, the samples kept', async (open) => {
  const page = await open('', { errorBox: true });
  await ready(page);
  await byId(page, 'step-once').click();
  await waitCount(page, 'step', '=', 1);
  const real = path.join(tmp, 'before-poison.gan');
  await saveCheckpoint(page, real);
  // A checkpoint whose G holds an infinite weight: it loads, and every update it makes is refused.
  await byId(page, 'load').setInputFiles({ name: 'poisoned.gan', mimeType: 'application/octet-stream', buffer: Buffer.from(poisonCheckpoint(readFileSync(real))) });
  await waitCount(page, 'step', '=', 1);
  assert.equal(await byId(page, 'error').isHidden(), true, 'a well-formed checkpoint loads');
  const loaded = await settle(page);
  await play(page);
  await errorShown(page);
  assert.match(await page.locator('#error-text').textContent(),
    /^Training stopped: 5 updates in a row had a non-finite loss or gradient \(NaN or ∞\)/);
  await page.waitForFunction(() => document.querySelector('[data-testid="play"]').getAttribute('aria-pressed') === 'false');
  await page.waitForFunction(() => !document.querySelector('[data-testid="skipped"]').hidden);
  assert.equal(await byId(page, 'skipped').textContent(), '5 non-finite updates discarded');
  // Iterations whose updates were discarded still count as steps (as in the engine and the
  // CLI); the weights, and so the samples, are those that were loaded.
  assert.equal((await settle(page)).samples, loaded.samples, 'a discarded update changed the samples');
});

// ---- 9. dataset failure ----

/**
 * Routes the Worker's requests for Fashion-MNIST: the images answer as mode.images says
 * ('500', 'garbage' or 'pass'); the labels come 700 ms late, so they are still on their
 * way when the images fail. One route per file for the whole test: in this Chromium a
 * route added after an unroute no longer sees the Worker's requests.
 */
async function routeFashion(page) {
  const mode = { images: '500', imageRequests: 0, labelsServed: 0 };
  await page.route(FASHION_IMAGES, (r) => {
    mode.imageRequests++;
    if (mode.images === '500') return r.fulfill({ status: 500, body: 'server error' });
    if (mode.images === 'garbage') {
      return r.fulfill({ status: 200, contentType: 'application/gzip', body: Buffer.from('not gzip at all '.repeat(64)) });
    }
    return r.continue();
  });
  await page.route(FASHION_LABELS, async (r) => {
    await new Promise((done) => setTimeout(done, 700));
    await r.continue();
    mode.labelsServed++;
  });
  return mode;
}

const errorShown = (page) => page.waitForFunction(() => !document.querySelector('[data-testid="error"]').hidden);

pageTest('dataset failure: the error names the dataset, training goes on, the progress goes away', async (open) => {
  const page = await open('', { errorBox: true });
  await ready(page);
  const mnistReal = (await pixels(page, 'real')).hash;
  await play(page);
  await waitCount(page, 'step', '>=', 2);
  const mode = await routeFashion(page);

  // A server error.
  await byId(page, 'dataset').selectOption('fashion');
  await errorShown(page);
  assert.equal(mode.imageRequests, 1, 'the routed request came from the Worker');
  assert.match(await page.locator('#error-text').textContent(),
    /^The dataset fashion could not be loaded: .*fashion-train-images-idx3-ubyte\.gz: HTTP 500$/);
  assert.equal(await byId(page, 'retry').isVisible(), true);
  assert.equal(await byId(page, 'dataset').inputValue(), 'mnist', 'the select shows the dataset in use');
  assert.equal(hashParams(page).dataset, 'mnist');
  // The model keeps training on MNIST.
  assert.equal(await pressed(page), true);
  const { step } = await counters(page);
  await waitCount(page, 'step', '>', step);
  assert.equal((await pixels(page, 'real')).hash, mnistReal);

  // Bytes that are not gzip: retry fails again, with the reason.
  mode.images = 'garbage';
  await byId(page, 'retry').click();
  await page.waitForFunction(() => /not a valid gzip/.test(document.getElementById('error-text').textContent)
    && !document.querySelector('[data-testid="error"]').hidden);
  assert.equal(mode.imageRequests, 2);
  assert.match(await page.locator('#error-text').textContent(), /^The dataset fashion could not be loaded: /);
  assert.equal(await byId(page, 'retry').isVisible(), true);
  assert.equal(await byId(page, 'dataset').inputValue(), 'mnist');
  const still = await counters(page);
  await waitCount(page, 'step', '>', still.step);
  await pause(page);

  // Once the late labels have arrived too, no progress is left on screen: nothing is loading.
  for (let i = 0; mode.labelsServed < 2 && i < 300; i++) await page.waitForTimeout(100);
  const reappeared = await page.waitForFunction(() => !document.getElementById('progress').hidden, null, { timeout: 2000 })
    .then(async () => `shown: '${await page.locator('#progress-text').textContent()}'`, () => 'stays hidden');
  assert.equal(reappeared, 'stays hidden', 'no progress is shown after a failed download');
});

pageTest('dataset retry: once the file is served, retry loads it and the page follows', async (open) => {
  const page = await open('', { errorBox: true });
  await ready(page);
  const mnistReal = (await pixels(page, 'real')).hash;
  await byId(page, 'step-once').click();
  await waitCount(page, 'step', '=', 1);
  const mode = await routeFashion(page);
  await byId(page, 'dataset').selectOption('fashion');
  await errorShown(page);
  assert.equal(await byId(page, 'dataset').inputValue(), 'mnist');

  mode.images = 'pass';
  await page.evaluate(() => (window.progressShown = false));
  await byId(page, 'retry').click();
  await page.waitForFunction(() => document.getElementById('progress-text').textContent === 'fashion: 60000 training images');
  assert.equal(mode.imageRequests, 2);
  assert.equal(await byId(page, 'error').isHidden(), true, 'the error is gone');
  assert.equal(await page.evaluate(() => window.progressShown), true, 'the download showed its progress');
  await waitCount(page, 'step', '=', 0);
  assert.notEqual((await pixels(page, 'real')).hash, mnistReal, 'the real images are Fashion-MNIST');
  const shown = {
    select: await byId(page, 'dataset').inputValue(),
    link: hashParams(page).dataset,
    meterClasses: (await page.locator('#meter-bars').getAttribute('aria-label')).split(' ')[0],
  };
  assert.deepEqual(shown, { select: 'fashion', link: 'fashion', meterClasses: 'T-shirt' },
    'the select, the link and the meter\'s class names follow the loaded dataset');
  await play(page);
  await waitCount(page, 'step', '>=', 2);
  await pause(page);
});

// ---- 10. screenshots ----

pageTest('layouts: desktop, phone, French and embed screenshots; no sideways scroll on a phone', async (open) => {
  const shots = [
    { file: 'desktop-1280x800.png', hash: '', viewport: { width: 1280, height: 800 }, steps: 20 },
    { file: 'phone-390x844.png', hash: '', viewport: { width: 390, height: 844 }, steps: 5, phone: true },
    { file: 'desktop-fr-1280x800.png', hash: '#lang=fr', viewport: { width: 1280, height: 800 }, steps: 5 },
    { file: 'phone-fr-390x844.png', hash: '#lang=fr', viewport: { width: 390, height: 844 }, steps: 5, phone: true },
    { file: 'embed-480x600.png', hash: '#embed=1', viewport: { width: 480, height: 600 }, steps: 5, phone: true },
  ];
  for (const s of shots) {
    const page = await open(s.hash, { viewport: s.viewport });
    await ready(page);
    await play(page);
    await waitCount(page, 'step', '>=', s.steps);
    await page.waitForFunction(() => /(not a digit|pas un chiffre) · /.test(document.querySelector('[data-testid="meter-text"]').textContent));
    await pause(page);
    if (s.phone) {
      const { scrollWidth, innerWidth } = await page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
      }));
      assert.ok(scrollWidth <= innerWidth + 1, `${s.file}: no horizontal scroll (${scrollWidth} > ${innerWidth})`);
    }
    await page.screenshot({ path: path.join(SHOTS, s.file), fullPage: true });
    await page.close();
  }
});

// ---- 11. accessibility ----

pageTest('accessibility: every control has a name; play works from the keyboard', async (open) => {
  const page = await open();
  await ready(page);
  const cdp = await page.context().newCDPSession(page);
  const { root } = await cdp.send('DOM.getDocument', { depth: -1 });
  const selector = ['section.controls', 'header.top', '#error']
    .flatMap((s) => ['input', 'select', 'button'].map((e) => `${s} ${e}`)).join(', ');
  const { nodeIds } = await cdp.send('DOM.querySelectorAll', { nodeId: root.nodeId, selector });
  assert.ok(nodeIds.length >= 25, `found the controls (${nodeIds.length})`);
  const unnamed = [];
  let named = 0;
  for (const nodeId of nodeIds) {
    const { nodes } = await cdp.send('Accessibility.getPartialAXTree', { nodeId, fetchRelatives: false });
    const ax = nodes[0];
    if (ax.ignored) continue; // hidden (the retry button without an error)
    const { node } = await cdp.send('DOM.describeNode', { nodeId });
    const id = `${node.localName}#${node.attributes[node.attributes.indexOf('id') + 1]}`;
    if (!ax.name?.value?.trim()) unnamed.push(id);
    else named++;
  }
  assert.deepEqual(unnamed, [], 'every visible control has an accessible name');
  assert.ok(named >= 25);
  await cdp.detach();

  // The play button from the keyboard: Tab reaches it, Space and Enter toggle it.
  await page.locator('body').click({ position: { x: 1, y: 1 } });
  let reached = false;
  for (let i = 0; i < 8 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement?.dataset.testid === 'play');
  }
  assert.equal(reached, true, 'Tab reaches the play button');
  await page.keyboard.press('Space');
  await page.waitForFunction(() => document.querySelector('[data-testid="play"]').getAttribute('aria-pressed') === 'true');
  await waitCount(page, 'step', '>=', 1);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('[data-testid="play"]').getAttribute('aria-pressed') === 'false');
  await pause(page);
});

pageTest('accessibility: every image has a text alternative', async (open) => {
  const page = await open();
  await ready(page);
  const cdp = await page.context().newCDPSession(page);
  const { nodes } = await cdp.send('Accessibility.getFullAXTree');
  const images = nodes.filter((n) => !n.ignored && n.role?.value === 'image');
  assert.ok(images.length >= 8, `the canvases and the meter are images (${images.length})`);
  const unnamed = [];
  for (const n of images) {
    if (n.name?.value?.trim()) continue;
    const { node } = await cdp.send('DOM.describeNode', { backendNodeId: n.backendDOMNodeId });
    unnamed.push(`${node.localName}#${node.attributes[node.attributes.indexOf('id') + 1]}`);
  }
  await cdp.detach();
  assert.deepEqual(unnamed, [], 'every role=img element has an accessible name');
});
