// "P_θ against P_data" (web/pdata.js): the mode meter's penultimate features (what its
// dense head reads), the fixed projection make data writes (pca-<dataset>.json: two
// orthonormal principal axes, the real points on them), and the view in Debian's Chromium:
// 500 real and 500 generated points, the generated ones where Node puts the samples of the
// page's own model (saved through its Save button), an image under the pointer, French.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { gunzipSync } from 'node:zlib';

import { CoreError, GP, METER_FEATURES, PIXELS, loadCore } from '../web/gan.js';
import { PDATA, Session, projectFeatures } from '../web/session.js';
import { STRINGS } from '../web/i18n.js';
import { PCA_IMAGES, bytesToFloats, loadMeter, meterPath, pcaPath, readTestSet } from '../tools/data.mjs';
import { openPage, pageServer } from './pages.mjs';
import { cloudSpread as spread } from './helpers.mjs';

const core = await loadCore();
const meter = loadMeter(core, 'mnist');
const pca = JSON.parse(readFileSync(pcaPath('mnist'), 'utf8'));
const test10k = readTestSet('mnist');
const testIdx = gunzipSync(readFileSync(new URL('../data/generated/mnist-t10k-images-idx3-ubyte.gz', import.meta.url)));
const dot = (a, b) => a.reduce((s, v, j) => s + v * b[j], 0);

test('the meter\'s features are what its dense head reads: dense on them gives its class and confidence', () => {
  const n = 12, images = bytesToFloats(test10k.images.subarray(0, n * PIXELS));
  const f = meter.features(images);
  assert.equal(f.length, n * METER_FEATURES);
  assert.ok(f.every((v) => Number.isFinite(v)));
  // the second LeakyReLU's output: negative values are 0.2 times a pre-activation, so some are negative
  assert.ok(f.some((v) => v < 0) && f.some((v) => v > 0));
  // the dense head's weights from the meter's own bytes: 12-byte header, conv 1, conv 2, then w3 [F][11], b3 [11]
  const bytes = meter.bytes(), floats = new Float32Array(bytes.buffer.slice(bytes.byteOffset + 12, bytes.byteOffset + bytes.length - 4));
  const head = 16 * 32 + 32 + 16 * 32 * 64 + 64, w3 = floats.subarray(head, head + METER_FEATURES * 11), b3 = floats.subarray(head + METER_FEATURES * 11);
  assert.equal(b3.length, 11);
  for (let i = 0; i < n; i++) {
    const logits = Array.from(b3, (b, c) => {
      let s = b;
      for (let j = 0; j < METER_FEATURES; j++) s += f[i * METER_FEATURES + j] * w3[j * 11 + c];
      return s;
    });
    const top = logits.indexOf(Math.max(...logits));
    const sum = logits.reduce((s, z) => s + Math.exp(z - logits[top]), 0), prob = 1 / sum;
    const r = meter.read(images.subarray(i * PIXELS, (i + 1) * PIXELS));
    assert.equal(r.histogram[top], 1, `image ${i}: the dense head on its features picks the meter's class`);
    if (Math.abs(prob - 0.9) > 1e-3) assert.equal(r.confidentHistogram[top], prob >= 0.9 ? 1 : 0, `image ${i}: and its confidence`);
  }
  // features are per image: a batch's rows are the images' own, whatever the chunking (100 a pass)
  const many = bytesToFloats(test10k.images.subarray(0, 205 * PIXELS)), fm = meter.features(many);
  assert.deepEqual(fm.subarray(0, n * METER_FEATURES), f);
  const last = meter.features(many.subarray(204 * PIXELS));
  for (let j = 0; j < METER_FEATURES; j += 97) assert.ok(Math.abs(last[j] - fm[204 * METER_FEATURES + j]) <= 1e-5 * Math.max(1, Math.abs(last[j])));
});

test('gp_meter_features refuses a bad handle, count or buffer', () => {
  const img = core.alloc(PIXELS), out = core.alloc(METER_FEATURES);
  try {
    const code = (...args) => {
      try {
        core.call('meter_features', ...args);
        return 0;
      } catch (e) {
        assert.ok(e instanceof CoreError);
        return e.status;
      }
    };
    assert.equal(code(meter.handle, img, 1, out), 0);
    assert.equal(code(0, img, 1, out) < 0, true, 'no meter');
    assert.equal(code(meter.handle + 99, img, 1, out) < 0, true, 'a freed or foreign handle');
    assert.equal(code(meter.handle, img, 0, out), GP.ERR_SIZE);
    assert.equal(code(meter.handle, img, -3, out), GP.ERR_SIZE);
    assert.equal(code(meter.handle, img, 10001, out), GP.ERR_SIZE);
    assert.equal(code(meter.handle, 0, 1, out), GP.ERR_NULL);
    assert.equal(code(meter.handle, img, 1, 0), GP.ERR_NULL);
    const end = core.m.HEAPU8.length;
    assert.ok(code(meter.handle, end - 100, 1, out) < 0, 'images past the end of memory');
    assert.ok(code(meter.handle, img, 1, end - 100) < 0, 'out past the end of memory');
  } finally {
    core.free(img);
    core.free(out);
  }
});

test('make data\'s projection: orthonormal axes, the first holding more variance, the real points on them', () => {
  assert.ok(statSync(pcaPath('mnist')).mtimeMs > statSync(meterPath('mnist')).mtimeMs, 'written after the meter');
  const [a1, a2] = pca.axes;
  assert.equal(pca.mean.length, METER_FEATURES);
  assert.equal(a1.length, METER_FEATURES);
  assert.ok(Math.abs(dot(a1, a1) - 1) < 1e-5 && Math.abs(dot(a2, a2) - 1) < 1e-5, 'unit axes');
  assert.ok(Math.abs(dot(a1, a2)) < 1e-4, 'orthogonal axes');
  // the variance of the fitted images along each axis
  const x = meter.features(bytesToFloats(test10k.images.subarray(0, PCA_IMAGES * PIXELS)));
  const p = projectFeatures(x, PCA_IMAGES, { mean: pca.mean, axes: pca.axes });
  const variance = (k) => { let s = 0, s2 = 0; for (let i = 0; i < PCA_IMAGES; i++) s += p[2 * i + k], s2 += p[2 * i + k] ** 2; return s2 / PCA_IMAGES - (s / PCA_IMAGES) ** 2; };
  const [v1, v2] = [variance(0), variance(1)];
  assert.ok(v1 > v2 * 1.02, `the first axis holds more variance: ${v1} vs ${v2}`);
  assert.ok(Math.abs(v1 - pca.variances[0]) < 1e-3 * v1 && Math.abs(v2 - pca.variances[1]) < 1e-3 * v2);
  // no direction of a few random ones holds more than the first axis (it is the top one)
  let s = 7;
  for (let r = 0; r < 5; r++) {
    const d = Array.from({ length: METER_FEATURES }, () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5));
    const norm = Math.sqrt(dot(d, d)), u = d.map((v) => v / norm);
    const q = projectFeatures(x, PCA_IMAGES, { mean: pca.mean, axes: [u, u] });
    let m = 0, m2 = 0;
    for (let i = 0; i < PCA_IMAGES; i++) m += q[2 * i], m2 += q[2 * i] ** 2;
    assert.ok(m2 / PCA_IMAGES - (m / PCA_IMAGES) ** 2 < v1);
  }
  // 500 real points, 50 of each class, their projection the json's
  const { index, points } = pca.real;
  assert.equal(index.length, 500);
  assert.equal(new Set(index).size, 500);
  const perClass = new Array(10).fill(0);
  for (const k of index) perClass[test10k.labels[k]]++;
  assert.deepEqual(perClass, new Array(10).fill(50));
  index.forEach((k, i) => {
    assert.ok(Math.abs(p[2 * k] - points[i][0]) < 1e-3 && Math.abs(p[2 * k + 1] - points[i][1]) < 1e-3, `real point ${i}`);
  });
});

const realSpread = spread(Float32Array.from(pca.real.points.flat()));

test('one class alone (what a collapsed G draws) is a clump far smaller than the real cloud', () => {
  const ones = [];
  for (let i = 0; ones.length < 200; i++) if (test10k.labels[i] === 1) ones.push(i);
  const img = new Uint8Array(ones.length * PIXELS);
  ones.forEach((k, i) => img.set(test10k.images.subarray(k * PIXELS, (k + 1) * PIXELS), i * PIXELS));
  const clump = projectFeatures(meter.features(bytesToFloats(img)), ones.length, pca);
  assert.ok(spread(clump) < 0.5 * realSpread, `one class: ${spread(clump)} against the real cloud's ${realSpread}`);
});

// The 800-step collapse of the samples' cloud is a long claim: tests/long/pdata.test.mjs.

// ---- the view in Chromium ----

const env = pageServer();
let dir;
before(() => { dir = mkdtempSync(path.join(tmpdir(), 'pdata-')); });
after(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

async function open(hash, t) {
  const page = await openPage(env, hash, t, { viewport: { width: 1280, height: 900 } });
  await page.getByTestId('pdata').scrollIntoViewIfNeeded();
  return page;
}

const plot = (page) => page.evaluate(() => JSON.parse(document.querySelector('[data-testid="pdata-plot"]').dataset.plot ?? 'null'));

test('the view draws 500 real and 500 generated points, the latter where Node projects the same model\'s samples; pointing shows an image', { timeout: 180000 }, async (t) => {
  const page = await open('#batch=32', t);
  await page.waitForFunction(() => JSON.parse(document.querySelector('[data-testid="pdata-plot"]').dataset.plot ?? '{}').generated === 500, null, { polling: 100 });
  // dispatched clicks: a real one would scroll the page up to the button, taking the view out of sight
  await page.getByTestId('play').dispatchEvent('click');
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="step"]').textContent) >= 30, null, { polling: 100 });
  await page.getByTestId('play').dispatchEvent('click'); // pause: the Worker sends a meter reading and the samples' cloud
  await page.waitForFunction(() => document.querySelector('[data-testid="play"]').getAttribute('aria-pressed') === 'false');
  await page.waitForFunction(() => JSON.parse(document.querySelector('[data-testid="pdata-plot"]').dataset.plot).step
    === Number(document.querySelector('[data-testid="step"]').textContent), null, { polling: 100 });
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('save').dispatchEvent('click')]);
  const file = path.join(dir, 'page.gan');
  await download.saveAs(file);
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const drawn = await plot(page);
  assert.equal(drawn.real, 500);
  assert.equal(drawn.generated, 500);
  assert.deepEqual(drawn.first.real, pca.real.points.slice(0, 5).map((p) => p.map((v) => Number(v.toPrecision(5)))));

  // the page's model in Node: its samples from the session's fixed noise, projected
  const s = new Session(core);
  s.load(readFileSync(file));
  assert.equal(s.gSteps, drawn.step, 'the saved model is the one drawn');
  s.meter = meter;
  s.setTestSet('mnist', testIdx);
  s.setPca('mnist', pca);
  const mine = s.readPdata();
  assert.equal(mine.points.length, 2 * PDATA);
  drawn.first.generated.forEach(([x, y], i) => {
    assert.ok(Math.abs(x - mine.points[2 * i]) <= 1e-3 * Math.max(1, Math.abs(x)) && Math.abs(y - mine.points[2 * i + 1]) <= 1e-3 * Math.max(1, Math.abs(y)),
      `generated point ${i}: page ${x}, ${y}; Node ${mine.points[2 * i]}, ${mine.points[2 * i + 1]}`);
  });
  const sum = (k) => mine.points.filter((_, j) => j % 2 === k).reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(drawn.sum[0] - sum(0)) <= 1e-3 * Math.max(1, Math.abs(sum(0))) && Math.abs(drawn.sum[1] - sum(1)) <= 1e-3 * Math.max(1, Math.abs(sum(1))), 'all 500: their sums');
  s.meter = null;
  s.gan.destroy();

  // pointing at the first generated point shows its image, marked generated
  const at = await page.evaluate(([x, y]) => {
    const c = document.querySelector('[data-testid="pdata-plot"]'), [x0, x1, y0, y1] = JSON.parse(c.dataset.plot).bounds, r = c.getBoundingClientRect();
    const px = Math.min(Math.max(((x - x0) / (x1 - x0)) * r.width, 2), r.width - 2), py = Math.min(Math.max(r.height - ((y - y0) / (y1 - y0)) * r.height, 2), r.height - 2);
    return [r.left + px, r.top + py];
  }, drawn.first.generated[0]);
  await page.mouse.move(at[0], at[1]);
  const tip = page.getByTestId('pdata-tip');
  await tip.waitFor({ state: 'visible' });
  const shown = await tip.evaluate((el) => {
    const c = el.querySelector('canvas'), d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let ink = 0;
    for (let i = 0; i < d.length; i += 4) ink += d[i];
    return { kind: el.dataset.kind, text: el.textContent, w: c.width, ink };
  });
  assert.equal(shown.kind, 'generated');
  assert.equal(shown.text, STRINGS.en.pdataFakeOne);
  assert.equal(shown.w, 28);
  assert.ok(shown.ink > 0, 'an image, not a blank');
  await page.mouse.move(0, 0);
  await tip.waitFor({ state: 'hidden' });
});

test('in French: the title, legend and hint; a real point under the pointer says so', { timeout: 120000 }, async (t) => {
  const page = await open('#lang=fr', t);
  await page.waitForFunction(() => JSON.parse(document.querySelector('[data-testid="pdata-plot"]').dataset.plot ?? '{}').real === 500, null, { polling: 100 });
  const card = page.getByTestId('pdata');
  assert.equal(await card.locator('figcaption').textContent(), STRINGS.fr.pdata);
  assert.equal(await card.locator('.hint').textContent(), STRINGS.fr.pdataHint);
  assert.match(await card.locator('.legend').textContent(), /P_data/);
  const drawn = await plot(page);
  const at = await page.evaluate(([x, y]) => {
    const c = document.querySelector('[data-testid="pdata-plot"]'), [x0, x1, y0, y1] = JSON.parse(c.dataset.plot).bounds, r = c.getBoundingClientRect();
    return [r.left + ((x - x0) / (x1 - x0)) * r.width, r.top + r.height - ((y - y0) / (y1 - y0)) * r.height];
  }, drawn.first.real[0]);
  // the nearest point: that real one, unless a generated one sits on it (never played: step 0)
  await page.mouse.move(at[0], at[1]);
  const tip = page.getByTestId('pdata-tip');
  await tip.waitFor({ state: 'visible' });
  const kind = await tip.getAttribute('data-kind');
  assert.ok(['real', 'generated'].includes(kind));
  if (kind === 'real') assert.equal(await tip.textContent(), STRINGS.fr.pdataRealOne);
  assert.match(await page.getByTestId('pdata-status').textContent(), /images vraies/);
});
