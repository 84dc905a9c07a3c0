// "Real or fake?" (web/game.js): D's scores in inference (gp_gan_discriminate) over the wasm
// core, a round as the Worker makes it (web/session.js), then the game in Chromium against
// the real server: rounds played with the mouse and with the keyboard, each checked
// against the test set and against D's scores recomputed in Node from the page's own
// checkpoint, in English and French and embedded.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

import { CoreError, GP, Gan, PIXELS, loadCore } from '../web/gan.js';
import { formatValue, verdict, verdictText } from '../web/game.js';
import { STRINGS } from '../web/i18n.js';
import { GAME, GAME_FAKES, Session, bytesToImages, dThreshold } from '../web/session.js';
import { pageServer, pageTest as sharedPageTest } from './pages.mjs';

const core = await loadCore();
const gen = (f) => new URL(`../data/generated/${f}`, import.meta.url);
const gz = (f) => gunzipSync(readFileSync(gen(f)));
const mnist = { images: gz('mnist-train-images-idx3-ubyte.gz'), labels: gz('mnist-train-labels-idx1-ubyte.gz') };
const testIdx = new Uint8Array(gz('mnist-t10k-images-idx3-ubyte.gz'));
const testImage = (k) => testIdx.subarray(16 + k * PIXELS, 16 + (k + 1) * PIXELS);

/** A small model trained a few steps on MNIST, with whatever config asks. */
function trained(config, steps = 3) {
  const s = new Session(core);
  s.build({ preset: 'fast', batch: 8, ...config });
  s.setData({ ...mnist, meter: null });
  for (let i = 0; i < steps; i++) s.step('train');
  return s;
}

test('gp_gan_discriminate refuses bad arguments, naming them, and clears the last error', async () => {
  const c = await loadCore({ full: true });
  const gan = Gan.create(c, { preset: 'fast', batch: 4 });
  const img = c.alloc(2 * PIXELS), out = c.alloc(2);
  try {
    const calls = [
      [GP.ERR_NULL, /handle/, [0, img, 2, out]],
      [GP.ERR_HANDLE, /handle/, [4242, img, 2, out]],
      [GP.ERR_SIZE, /image count/, [gan.handle, img, 0, out]],
      [GP.ERR_SIZE, /image count/, [gan.handle, img, -1, out]],
      [GP.ERR_SIZE, /image count/, [gan.handle, img, 100001, out]],
      [GP.ERR_BOUNDS, /buffer/, [gan.handle, img, 3, out]],      // images past their buffer
      [GP.ERR_BOUNDS, /buffer/, [gan.handle, img, 2, out + 4]],  // scores past theirs
      [GP.ERR_NULL, /./, [gan.handle, 0, 1, out]],
      [GP.ERR_NULL, /./, [gan.handle, img, 1, 0]],
      [GP.ERR_BOUNDS, /./, [gan.handle, 12345678, 1, out]],
    ];
    for (const [status, reason, args] of calls) {
      assert.throws(() => c.call('gan_discriminate', ...args),
        (e) => e instanceof CoreError && e.status === status && reason.test(e.reason), `${args}: ${c.lastError()}`);
    }
    assert.equal(c.call('gan_discriminate', gan.handle, img, 2, out), GP.OK);
    assert.equal(c.lastError(), '', 'a success clears the last error');
    gan.destroy();
    assert.throws(() => c.call('gan_discriminate', gan.handle || 1, img, 2, out), (e) => e.status === GP.ERR_HANDLE);
  } finally {
    c.free(img);
    c.free(out);
    gan.destroy();
  }
  const g2 = Gan.create(c, { preset: 'fast', batch: 4 });
  assert.throws(() => g2.discriminate(new Float32Array(PIXELS + 1)), RangeError);
  assert.throws(() => g2.discriminate(new Float32Array(0)), RangeError);
  g2.destroy();
});

test('discriminate leaves the training state as it was, and training after it goes on as without it', () => {
  // D with batch norm (balanced: d_batchnorm, 3 layers), instance noise (which draws from the
  // noise stream in training), minibatch std-dev, EMA: every part of the state a forward pass could move.
  for (const config of [{ preset: 'balanced', batch: 8 }, { preset: 'collapse-remedy', batch: 8, instance_noise: 0.1 }, { loss: 'wgan' }]) {
    const a = trained(config), b = trained(config);
    const before = a.checkpoint();
    const images = bytesToImages(testIdx.subarray(16, 16 + 20 * PIXELS)); // 20 images: groups of 8, 8 and 4
    const s1 = a.gan.discriminate(images), s2 = a.gan.discriminate(images);
    assert.deepEqual(a.checkpoint(), before, `${JSON.stringify(config)}: the checkpoint's bytes are unchanged`);
    assert.deepEqual(s1, s2, 'deterministic');
    assert.ok(s1.every(Number.isFinite));
    a.step('train');
    b.step('train');
    assert.deepEqual(a.checkpoint(), b.checkpoint(), 'the next step is the one it would have been');
    a.gan.destroy();
    b.gan.destroy();
  }
});

test('discriminate scores each image alone when D has neither batch norm nor std-dev features', () => {
  const s = trained({ preset: 'fast', d_batchnorm: 0, mbstd: 0 });
  const images = bytesToImages(testIdx.subarray(16, 16 + 11 * PIXELS));
  const all = s.gan.discriminate(images);
  for (let k = 0; k < 11; k++) {
    const one = s.gan.discriminate(images.subarray(k * PIXELS, (k + 1) * PIXELS));
    assert.ok(Math.abs(one[0] - all[k]) <= 1e-5 * Math.max(1, Math.abs(all[k])), `image ${k}: ${one[0]} vs ${all[k]}`);
  }
});

test('D\'s verdict per cost: probability >= 1/2, LSGAN nearer its real target, hinge sign, WGAN critic midpoint', () => {
  assert.equal(dThreshold('ns'), 0);
  assert.equal(dThreshold('minimax'), 0);
  assert.equal(dThreshold('hinge'), 0);
  assert.equal(dThreshold('lsgan', { realLabel: 0.9 }), 0.45);
  assert.equal(dThreshold('wgan', { mid: -12.5 }), -12.5);
  assert.equal(dThreshold('ns', { mid: 0.7, calibrated: true }), 0.7, 'a batch-norm D is read at its midpoint');
  assert.equal(dThreshold('lsgan', { realLabel: 0.9, mid: 0.2, calibrated: true }), 0.2);
  const ns = { cost: 'ns', threshold: 0 };
  assert.deepEqual(verdict(ns, 0), { real: true, probability: true, value: 0.5 });
  assert.equal(verdict(ns, -0.01).real, false);
  assert.ok(Math.abs(verdict(ns, 2).value - 1 / (1 + Math.exp(-2))) < 1e-12);
  const ls = { cost: 'lsgan', threshold: 0.45 };
  assert.deepEqual(verdict(ls, 0.5), { real: true, probability: false, value: 0.5 });
  assert.equal(verdict(ls, 0.44).real, false);
  assert.equal(verdict({ cost: 'hinge', threshold: 0 }, -0.2).real, false);
  assert.equal(verdict({ cost: 'wgan', threshold: -12.5 }, -12).real, true);
  // the number shown never sits on the wrong side of the verdict
  assert.equal(verdictText('en', ns, verdict(ns, -0.0016)), '0.4996');
  assert.equal(verdictText('fr', ns, verdict(ns, 0.0016)), '0,50'); // real at ½ or more: 0,50 says it
  assert.equal(verdictText('en', ns, verdict(ns, 2)), '0.88');
  assert.equal(verdictText('en', ls, verdict(ls, 0.4499)), '0.4499');
  assert.equal(verdictText('en', ls, verdict(ls, -1.234)), '−1.23');
  assert.equal(formatValue('fr', 0.004), '0,0040');
});

test('a round: 16 images, 4 to 12 of G\'s, the rest test images never repeated until the test set runs out', () => {
  const s = trained({}, 2);
  s.seedGame(7);
  // a small test set, to run it out: 40 images
  const small = new Uint8Array(16 + 40 * PIXELS);
  small.set(testIdx.subarray(0, 16));
  new DataView(small.buffer).setUint32(4, 40);
  small.set(testIdx.subarray(16, 16 + 40 * PIXELS), 16);
  s.setTestSet('mnist', small);
  const seen = new Set(), counts = new Set();
  let shown = 0;
  for (let round = 0; round < 12; round++) {
    const r = s.gameRound('mnist');
    assert.equal(r.images.length, GAME * PIXELS);
    assert.equal(r.fakes, r.fake.reduce((a, b) => a + b, 0));
    assert.ok(r.fakes >= GAME_FAKES[0] && r.fakes <= GAME_FAKES[1], `${r.fakes} fakes`);
    counts.add(r.fakes);
    const again = s.gan.discriminate(bytesToImages(r.images));
    assert.deepEqual(r.scores, again, 'D\'s scores are of the very bytes shown');
    assert.ok(r.calibrated, 'fast has batch norm in D: read at its midpoint');
    assert.equal(r.threshold, (r.refMeans.real + r.refMeans.fake) / 2);
    const inRound = new Set();
    for (let p = 0; p < GAME; p++) {
      const img = r.images.subarray(p * PIXELS, (p + 1) * PIXELS);
      if (r.fake[p]) {
        assert.equal(r.source[p], -1);
        continue;
      }
      assert.deepEqual(img, testImage(r.source[p]), 'a real image is the test image it names');
      assert.ok(!inRound.has(r.source[p]), 'never twice in a round');
      inRound.add(r.source[p]);
      if (shown < 40) {
        assert.ok(!seen.has(r.source[p]), `test image ${r.source[p]} shown twice before the set ran out`);
        seen.add(r.source[p]);
        shown++;
      }
    }
  }
  assert.equal(seen.size, 40, 'every test image came once before any came back');
  assert.ok(counts.size > 2, `the number of fakes varies: ${[...counts]}`);
  assert.throws(() => s.setTestSet('mnist', small.subarray(0, 100)), /IDX/);
});

test('a WGAN round splits the critic\'s verdicts at the midpoint of its mean scores of reference images', () => {
  const s = trained({ loss: 'wgan' }, 3);
  s.seedGame(3);
  s.setTestSet('mnist', testIdx);
  const r = s.gameRound('mnist');
  assert.equal(r.cost, 'wgan');
  assert.equal(r.threshold, r.mid);
  assert.equal(r.mid, (r.refMeans.real + r.refMeans.fake) / 2);
  assert.ok(Number.isFinite(r.threshold));
  const mean = (a) => a.reduce((x, y) => x + y, 0) / a.length;
  const realMean = mean(s.gan.discriminate(bytesToImages(s.real)));
  assert.ok(Math.abs(r.threshold - realMean) < Math.abs(realMean) + 10, 'on the critic\'s own scale');
  const ls = trained({ loss: 'lsgan', real_label: 0.9, d_batchnorm: 0 }, 1);
  ls.setTestSet('mnist', testIdx);
  assert.ok(Math.abs(ls.gameRound('mnist').threshold - 0.45) < 1e-6, 'without batch norm, the cost\'s own rule');
  // With batch norm in D (fast, balanced and most presets), any cost is read at D's midpoint.
  const bn = trained({ loss: 'lsgan', real_label: 0.9 }, 1);
  bn.seedGame(5);
  bn.setTestSet('mnist', testIdx);
  const rb = bn.gameRound('mnist');
  assert.ok(rb.calibrated);
  assert.equal(rb.threshold, (rb.refMeans.real + rb.refMeans.fake) / 2);
  const meanOf = (a) => a.reduce((x, y) => x + y, 0) / a.length;
  assert.equal(rb.refMeans.real, meanOf(bn.gan.discriminate(bytesToImages(bn.real))), 'the real references are the session\'s fixed real digits');
});

// ---- in Chromium, against the real server ----

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SHOTS = path.join(HERE, 'screenshots');
const EN = STRINGS.en, FR = STRINGS.fr;
const env = pageServer();
mkdirSync(SHOTS, { recursive: true });
/** A test with its own pages (tests/pages.mjs), 1280x900 unless a page asks otherwise. */
const pageTest = (name, fn) => sharedPageTest(env, name, fn, { viewport: { width: 1280, height: 900 } });

const byId = (page, id) => page.getByTestId(id);

async function ready(page) {
  await page.waitForFunction(() => document.body.dataset.firstSamplesMs !== undefined
    && document.querySelector('[data-testid="preset-balanced"]') && document.getElementById('progress').hidden
    && / 60000 /.test(document.getElementById('progress-text').textContent), null, { polling: 100 });
}

/** The page's model as a checkpoint (Save), which also waits for everything sent before. */
async function pageModel(page) {
  const [download] = await Promise.all([page.waitForEvent('download'), byId(page, 'save').dispatchEvent('click')]);
  const file = path.join(os.tmpdir(), `game-test-${process.pid}-${Date.now()}.gan`);
  await download.saveAs(file);
  const bytes = readFileSync(file);
  rmSync(file, { force: true });
  return bytes;
}

async function trainTo(page, n) {
  await byId(page, 'play').click();
  await page.waitForFunction((v) => Number(document.querySelector('[data-testid="step"]').textContent) >= v, n, { polling: 100 });
  await byId(page, 'play').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="play"]').getAttribute('aria-pressed') === 'false');
}

/** Waits for a round to be on show (Check enabled). */
const roundShown = (page) => page.waitForFunction(() => {
  const c = document.querySelector('[data-testid="game-check"]');
  return c && !c.disabled && !document.querySelector('[data-testid="game-tile-0"]').disabled;
}, null, { polling: 100 });

/** Everything the DOM holds of the round: per tile its pixels (28x28 bytes) and attributes. */
const tiles = (page) => page.evaluate(() => [...document.querySelectorAll('[data-testid^="game-tile-"]')].map((t) => {
  const c = t.querySelector('canvas'), d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  return {
    w: c.width, h: c.height, pixels: Array.from({ length: d.length / 4 }, (_, i) => d[4 * i]),
    pressed: t.getAttribute('aria-pressed'), data: { ...t.dataset }, classes: t.className,
    badge: t.querySelector('.badge').textContent, caption: t.querySelector('.caption').textContent, label: t.getAttribute('aria-label'),
  };
}));

/** Before Check nothing of the truth is in the DOM: no attribute, class or text about it. */
async function assertNoTruth(page, lang) {
  const ts = await tiles(page);
  assert.equal(ts.length, GAME);
  for (const t of ts) {
    assert.deepEqual(Object.keys(t.data).filter((k) => k !== 'testid'), [], 'no data attribute but the test id');
    assert.doesNotMatch(t.classes, /\b(real|fake|right|wrong)\b/);
    assert.equal(t.caption, '');
    assert.equal(t.w, 28);
    assert.equal(t.h, 28);
  }
  const html = await page.evaluate(() => document.getElementById('game').outerHTML);
  for (const word of [STRINGS[lang].gameReal, STRINGS[lang].gameFake]) assert.ok(!html.includes(`>${word}<`), `no ${word} shown`);
  assert.doesNotMatch(html, /data-(truth|score|source|verdict)/);
}

/**
 * Checks a revealed round against the test set and, given the page's model as it was when
 * the round began, against D's scores computed here. Returns the round's test sources.
 */
async function checkRevealed(page, lang, { model, marked }) {
  const L = STRINGS[lang], ts = await tiles(page);
  let fakes = 0, you = 0, d = 0;
  const bytes = new Uint8Array(GAME * PIXELS), sources = [];
  ts.forEach((t, i) => {
    bytes.set(t.pixels, i * PIXELS);
    const fake = t.data.truth === 'fake';
    assert.ok(['real', 'fake'].includes(t.data.truth));
    assert.equal(t.badge, fake ? L.gameFake : L.gameReal);
    assert.equal(t.data.marked, marked.has(i) ? 'fake' : 'real');
    if (fake) {
      fakes++;
      assert.equal(t.data.source, '-1');
    } else {
      const k = Number(t.data.source);
      assert.ok(Number.isInteger(k) && k >= 0 && k < 10000);
      assert.deepEqual(Uint8Array.from(t.pixels), testImage(k), `tile ${i} is test image ${k}, byte for byte`);
      sources.push(k);
    }
    if (marked.has(i) === fake) you++;
    if ((t.data.verdict === 'fake') === fake) d++;
  });
  assert.ok(fakes >= GAME_FAKES[0] && fakes <= GAME_FAKES[1], `${fakes} fakes`);
  const result = await byId(page, 'game-result').textContent();
  assert.ok(result.includes(`${GAME - fakes}`) && result.includes(`${fakes}`), result);
  assert.ok(result.includes(`${you}`) && result.includes(`${d}`), result);
  if (model) {
    const gan = Gan.fromCheckpoint(core, model);
    try {
      const cost = gan.config().loss, scores = gan.discriminate(bytesToImages(bytes));
      // A batch-norm D (or a critic) is read at its own midpoint, from references the page
      // scored outside the round: the page shows it; else the cost's fixed rule.
      const shown = Number(await byId(page, 'game-rule').getAttribute('data-threshold'));
      const calibrated = cost === 'wgan' || !!gan.config().d_batchnorm;
      const threshold = calibrated ? shown : dThreshold(cost, { realLabel: gan.config().real_label });
      assert.equal(shown, threshold, 'the page splits D\'s verdicts where the rule says');
      ts.forEach((t, i) => {
        assert.equal(Number(t.data.score), scores[i], `tile ${i}: D's score on the page is D's score in Node`);
        assert.equal(t.data.verdict, scores[i] >= threshold ? 'real' : 'fake');
        const v = verdict({ cost, threshold }, scores[i]);
        assert.ok(t.caption.includes(verdictText(lang, { threshold }, v)), `${t.caption} shows ${v.value}`);
      });
    } finally {
      gan.destroy();
    }
  }
  return { sources, you, d };
}

const tallyOf = async (page) => (await byId(page, 'game-tally').textContent());

pageTest('Real or fake?: rounds with the mouse and the keyboard, checked against the test set and D in Node', async (open) => {
  const page = await open('#game=1&batch=16');
  assert.equal(await byId(page, 'game').isVisible(), true, 'game=1 opens the game');
  await ready(page);
  await roundShown(page);
  assert.match(page.url(), /game=1/, 'the link keeps game=1');
  await trainTo(page, 4);
  const seen = new Set(), tally = { you: 0, d: 0 };
  const addSources = (sources) => {
    for (const k of sources) {
      assert.ok(!seen.has(k), `test image ${k} shown in two rounds`);
      seen.add(k);
    }
  };

  // Round 1, with the mouse, on the paused model.
  await byId(page, 'game-new').click();
  await roundShown(page);
  await assertNoTruth(page, 'en');
  const model = await pageModel(page);
  const marked = new Set([0, 3, 5, 10]);
  for (const i of marked) await byId(page, `game-tile-${i}`).click();
  await byId(page, 'game-tile-10').click(); // a second click unmarks
  marked.delete(10);
  for (let i = 0; i < GAME; i++) assert.equal(await byId(page, `game-tile-${i}`).getAttribute('aria-pressed'), String(marked.has(i)));
  assert.equal(await byId(page, 'game-tile-0').locator('.badge').textContent(), EN.gameMark);
  await assertNoTruth(page, 'en');
  await page.screenshot({ path: path.join(SHOTS, 'game-marked.png') });
  await byId(page, 'game-check').click();
  let r = await checkRevealed(page, 'en', { model, marked });
  addSources(r.sources);
  tally.you += r.you, tally.d += r.d;
  assert.equal(await tallyOf(page), EN.gameTally1.replace('{you}', tally.you).replace('{youPct}', `${Math.round(100 * tally.you / 16)}%`)
    .replace('{d}', tally.d).replace('{dPct}', `${Math.round(100 * tally.d / 16)}%`));
  const rule = await byId(page, 'game-rule').textContent();
  // balanced's D has batch norm: read at its own midpoint, said with the D(x) it stands at
  assert.ok(rule.startsWith(EN.gameRuleBnProb.slice(0, EN.gameRuleBnProb.indexOf('{m}'))), `the midpoint rule, for D's batch norm: ${rule}`);
  await page.screenshot({ path: path.join(SHOTS, 'game-revealed.png') });
  await byId(page, 'game-tile-1').click({ force: true }); // revealed (aria-disabled): a click changes nothing
  assert.equal(await byId(page, 'game-tile-1').getAttribute('aria-pressed'), 'false');

  // Round 2, with the keyboard only.
  await byId(page, 'game-new').focus();
  await page.keyboard.press('Enter');
  await roundShown(page);
  await assertNoTruth(page, 'en');
  await byId(page, 'game-tile-0').focus();
  await page.keyboard.press('Space');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'game-tile-2');
  const ring = await page.evaluate(() => {
    const s = getComputedStyle(document.activeElement);
    return { style: s.outlineStyle, width: parseFloat(s.outlineWidth), visible: document.activeElement.matches(':focus-visible') };
  });
  assert.deepEqual(ring, { style: 'solid', width: 4, visible: true }, 'a visible focus ring');
  await page.keyboard.press('Enter');
  const keyMarked = new Set([0, 2]);
  for (let i = 0; i < GAME; i++) assert.equal(await byId(page, `game-tile-${i}`).getAttribute('aria-pressed'), String(keyMarked.has(i)));
  await page.screenshot({ path: path.join(SHOTS, 'game-keyboard.png') });
  for (let k = 0; k < 20 && await page.evaluate(() => document.activeElement.dataset.testid) !== 'game-check'; k++) await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'game-new', 'after Check the focus is on New round');
  r = await checkRevealed(page, 'en', { model, marked: keyMarked });
  addSources(r.sources);
  tally.you += r.you, tally.d += r.d;

  // Round 3 while training runs: a snapshot of G and D when it began.
  await byId(page, 'play').click();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="step"]').textContent) >= 6, null, { polling: 100 });
  await byId(page, 'game-new').click();
  await roundShown(page);
  await byId(page, 'game-check').click();
  r = await checkRevealed(page, 'en', { marked: new Set() });
  addSources(r.sources);
  tally.you += r.you, tally.d += r.d;
  await byId(page, 'play').click();
  const t3 = await tallyOf(page);
  assert.ok(t3.startsWith(`After 3 rounds (48 images): you ${tally.you} right (${Math.round(100 * tally.you / 48)}%), D ${tally.d} right (${Math.round(100 * tally.d / 48)}%)`), t3);
  assert.ok(seen.size >= 3 * (GAME - GAME_FAKES[1]));

  // The rest of the page goes on: samples drawn, the step counter moved.
  assert.ok(Number(await byId(page, 'step').textContent()) >= 6);
  await byId(page, 'game-close').click();
  assert.equal(await byId(page, 'game').isHidden(), true);
  assert.doesNotMatch(page.url(), /game=1/, 'closed: the link drops game=1');
});

pageTest('Real or fake?: opened from its button, on a loaded checkpoint; in French and embedded', async (open) => {
  // A model trained in Node, loaded into the page from a file: LSGAN with smoothing and no
  // batch norm in D, so its verdicts follow the cost's own rule (nearer the real target).
  const s = new Session(core);
  s.build({ preset: 'fast', batch: 16, loss: 'lsgan', real_label: 0.9, d_batchnorm: 0 });
  s.setData({ ...mnist, meter: null });
  for (let i = 0; i < 3; i++) s.step('train');
  const bytes = s.checkpoint();
  const file = path.join(os.tmpdir(), `game-test-${process.pid}.gan`);
  writeFileSync(file, bytes);
  try {
    const page = await open('#batch=16');
    await ready(page);
    assert.equal(await byId(page, 'game').isHidden(), true, 'without game=1 the game is closed');
    assert.equal(await byId(page, 'game-open').textContent(), EN.gameOpen);
    await byId(page, 'load').setInputFiles(file);
    await page.waitForFunction(() => /loss=lsgan/.test(location.hash));
    await byId(page, 'game-open').click();
    assert.equal(await byId(page, 'game').isVisible(), true);
    assert.match(page.url(), /game=1/);
    await roundShown(page);
    await byId(page, 'game-tile-4').click();
    await byId(page, 'game-check').click();
    await checkRevealed(page, 'en', { model: bytes, marked: new Set([4]) });
    const rule = await byId(page, 'game-rule').textContent();
    assert.ok(rule.startsWith('Least squares') && rule.includes('0.90') && rule.includes('0.45'), rule);
  } finally {
    rmSync(file, { force: true });
  }

  // French, embedded.
  const fr = await open('#game=1&batch=16&lang=fr&embed=1', { viewport: { width: 900, height: 700 } });
  await ready(fr);
  await roundShown(fr);
  assert.equal(await fr.locator('#game-title').textContent(), FR.gameTitle);
  assert.equal(await byId(fr, 'game-check').textContent(), FR.gameCheck);
  assert.equal(await byId(fr, 'game-new').textContent(), FR.gameNew);
  assert.equal(await byId(fr, 'game-tally').textContent(), FR.gameTallyNone);
  await assertNoTruth(fr, 'fr');
  await byId(fr, 'game-tile-1').click();
  await fr.screenshot({ path: path.join(SHOTS, 'game-fr-embed-marked.png') });
  const model = await pageModel(fr);
  await byId(fr, 'game-check').click();
  const r = await checkRevealed(fr, 'fr', { model, marked: new Set([1]) });
  const tally = await byId(fr, 'game-tally').textContent();
  assert.ok(tally.startsWith(`Après 1 manche (16 images) : vous ${r.you} justes (${Math.round(100 * r.you / 16)} %)`), tally);
  assert.match(await byId(fr, 'game-result').textContent(), /^Cette manche : \d+ vraies images et \d+ fausses/);
  assert.match(await byId(fr, 'game-rule').textContent(), /^Le nombre est D\(x\).*Ce D a une normalisation par lots.*point milieu/);
  await fr.screenshot({ path: path.join(SHOTS, 'game-fr-embed-revealed.png') });
});
