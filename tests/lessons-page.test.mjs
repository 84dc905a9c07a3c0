// The lesson views of the playground, in Debian's Chromium against the real server
// (tools/serve.mjs): D's view per cost, the chart of both costs' gradients, the mode
// meter's history, a trained model named by the link (#checkpoint=NAME), and the layout
// they make at 1280x800 and 390x844. Training is real and short (a few dozen steps, batch
// 16 where the lesson allows); what the charts plotted is read from their data-plot
// attribute and checked against the same training run in Node (same seed, same bits).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

import { Dataset, Gan, gridNoise, loadCore, toBytes } from '../web/gan.js';
import { dView, gradientView, GAP_MEAN } from '../web/costs.js';
import { cellColour } from '../web/history.js';
import { STRINGS } from '../web/i18n.js';
import { Session } from '../web/session.js';
import { engineConfig, fromHash } from '../web/state.js';
import { frameSteps } from '../web/filmstrip.js';
import { pageServer, pageTest as sharedPageTest } from './pages.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SHOTS = path.join(HERE, 'screenshots');
const GENERATED = path.join(HERE, '..', 'data', 'generated');
const CHECKPOINTS = path.join(GENERATED, 'checkpoints');
const EN = STRINGS.en, FR = STRINGS.fr;

const env = pageServer();
let core, mnist;
const made = [];          // files this test wrote into data/generated/checkpoints/
let madeDir = false;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  core = await loadCore();
  const gen = (f) => gunzipSync(readFileSync(path.join(GENERATED, f)));
  mnist = { images: gen('mnist-train-images-idx3-ubyte.gz'), labels: gen('mnist-train-labels-idx1-ubyte.gz') };
});

after(() => {
  for (const f of made) rmSync(f, { force: true });
  if (madeDir && existsSync(CHECKPOINTS) && !readdirSync(CHECKPOINTS).length) rmdirSync(CHECKPOINTS);
});

// ---- helpers ----

/** The steps at which the meter readings the page showed were taken, in order (window.readingSteps). */
function watchReadings() {
  window.readingSteps = [];
  new MutationObserver(() => {
    const m = / (\d+)$/.exec(document.querySelector('[data-testid="meter-text"]')?.textContent ?? '');
    if (m && window.readingSteps[window.readingSteps.length - 1] !== Number(m[1])) window.readingSteps.push(Number(m[1]));
  }).observe(document, { subtree: true, childList: true, characterData: true });
}

/** A test with its own pages (pages.mjs's pageTest), each watching its meter readings. */
const pageTest = (name, fn, { timeout = 240000 } = {}) => sharedPageTest(env, name, fn, { timeout, init: watchReadings });

const byId = (page, id) => page.getByTestId(id);
const step = async (page) => Number(await byId(page, 'step').textContent());

async function ready(page) {
  await page.waitForFunction(() => document.body.dataset.firstSamplesMs !== undefined
    && document.querySelector('[data-testid="preset-balanced"]')
    && document.getElementById('progress').hidden
    && / 60000 /.test(document.getElementById('progress-text').textContent), null, { polling: 100 });
}

const pressed = async (page) => (await byId(page, 'play').getAttribute('aria-pressed')) === 'true';
const waitPressed = (page, value) => page.waitForFunction((v) => document.querySelector('[data-testid="play"]').getAttribute('aria-pressed') === v, String(value));
const waitStep = (page, n) => page.waitForFunction((v) => Number(document.querySelector('[data-testid="step"]').textContent) >= v, n, { polling: 100 });

/**
 * Waits until the Worker has handled everything sent so far and the page has drawn what
 * it posted: a checkpoint asked for now arrives after every earlier snapshot.
 */
async function settle(page) {
  await Promise.all([page.waitForEvent('download'), byId(page, 'save').dispatchEvent('click')]);
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

/** Plays until the step counter reaches n, then pauses and settles. */
async function trainTo(page, n) {
  if (!(await pressed(page))) await byId(page, 'play').click();
  await waitPressed(page, true);
  await waitStep(page, n);
  await byId(page, 'play').click();
  await waitPressed(page, false);
  await settle(page);
}

/** What a chart drew (its data-plot), its card's caption and legend, and its text alternative. */
function chart(page, testid) {
  return page.evaluate((id) => {
    const canvas = document.querySelector(`[data-testid="${id}"]`), card = canvas.closest('figure');
    return {
      plot: JSON.parse(canvas.dataset.plot ?? 'null'),
      caption: card.querySelector('figcaption').textContent,
      legend: [...card.querySelectorAll('.legend .item')].map((i) => ({ text: i.textContent, chosen: i.classList.contains('chosen') })),
      hint: card.querySelector('.hint').textContent,
      label: canvas.getAttribute('aria-label'),
      kind: card.dataset.kind,
    };
  }, testid);
}

/** The statistics points of `steps` iterations of the page's configuration, trained in Node. */
function nodePoints(hash, steps) {
  const s = new Session(core);
  s.build(engineConfig(fromHash(hash).settings));
  s.setData({ ...mnist, meter: null });
  const points = [];
  for (let i = 0; i < steps; i++) points.push(s.step());
  s.gan.destroy();
  s.dataset.destroy();
  return points;
}

const close = (a, b, what) => assert.ok(Math.abs(a - b) <= 1e-5 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

// ---- 1. D's view per cost ----

const PER_COST = [
  { cost: 'ns', link: '#preset=balanced&batch=16', keys: ['d_real', 'd_fake'], refs: [0.5], title: 'dOut', hint: 'nash' },
  { cost: 'minimax', link: '#preset=minimax&batch=16', keys: ['d_real', 'd_fake'], refs: [0.5], title: 'dOut', hint: 'nash' },
  { cost: 'lsgan', link: '#preset=lsgan&batch=16', keys: ['score_real', 'score_fake'], refs: [1, 0], title: 'dOutLsgan', hint: 'hintLsgan' },
  { cost: 'hinge', link: '#preset=hinge&batch=16', keys: ['score_real', 'score_fake'], refs: [1, -1], title: 'dOutHinge', hint: 'hintHinge' },
  { cost: 'wgan', link: '#preset=wgan&batch=16', keys: ['gap', 'gap_mean'], refs: [0], title: 'dOutWgan', hint: 'hintWgan' },
];

test('each cost has its own D view: what it plots, its reference lines, its words', () => {
  for (const c of PER_COST) {
    const v = dView(c.cost);
    assert.deepEqual(v.series.map((s) => s.key), c.keys, c.cost);
    assert.deepEqual(v.opts.refs.map((r) => r.y), c.refs, `${c.cost}: reference lines`);
    for (const key of [v.title, v.hint, ...v.series.map((s) => s.label), ...v.opts.refs.map((r) => r.label)]) {
      assert.ok(EN[key] && FR[key] && EN[key] !== FR[key], `${c.cost}: '${key}' in English and French`);
    }
  }
  assert.deepEqual(dView('lsgan', { realLabel: 0.9 }).opts.refs.map((r) => r.y), [0.9, 0], 'label smoothing moves the real target');
  for (const cost of ['ns', 'minimax', 'lsgan']) {
    const g = gradientView(cost);
    assert.deepEqual(g.series.map((s) => s.key), ['grad_ns', 'grad_minimax'], 'both lines whatever the cost');
    assert.deepEqual(g.series.map((s) => s.chosen), [cost === 'ns', cost === 'minimax']);
  }
});

pageTest('D view per cost: the page plots what the engine computed, against the right lines, in both languages', async (open) => {
  for (const c of PER_COST) {
    const page = await open(c.link);
    await ready(page);
    await trainTo(page, 24);
    const steps = await step(page);
    const d = await chart(page, 'chart-d');
    assert.equal(d.caption, EN[c.title], `${c.cost}: caption`);
    assert.equal(d.hint, EN[c.hint], `${c.cost}: hint`);
    assert.deepEqual(d.legend.map((l) => l.text), dView(c.cost).series.map((s) => EN[s.label]), `${c.cost}: legend`);
    assert.deepEqual(d.plot.series.map((s) => s.key), c.keys, `${c.cost}: series`);
    assert.deepEqual(d.plot.refs.map((r) => r.value), c.refs, `${c.cost}: reference lines`);
    if (c.cost !== 'ns' && c.cost !== 'minimax') assert.ok(!d.plot.refs.some((r) => r.value === 0.5), `${c.cost}: no ½ line`);

    // The values drawn are the engine's for the same run (last 20 steps), raw scores for
    // the score costs, probabilities for the classifier costs.
    const all = nodePoints(page.url().slice(page.url().indexOf('#')), steps);
    const want = all.slice(-20);
    const series = Object.fromEntries(d.plot.series.map((s) => [s.key, s.recent]));
    // WGAN: the gap of each step, and its mean over the last GAP_MEAN steps.
    const gaps = all.map((p) => p.score_real - p.score_fake);
    const gapMean = (k) => { const w = gaps.slice(Math.max(0, k + 1 - GAP_MEAN), k + 1); return w.reduce((a, b) => a + b, 0) / w.length; };
    want.forEach((p, i) => {
      for (const key of c.keys) {
        const expected = key === 'gap' ? p.score_real - p.score_fake : key === 'gap_mean' ? gapMean(all.length - 20 + i) : p[key];
        close(series[key][i], expected, `${c.cost} step ${steps - 19 + i} ${key}`);
      }
    });
    if (c.keys[0] === 'd_real') {
      assert.ok(Object.values(series).flat().every((v) => v >= 0 && v <= 1), `${c.cost}: probabilities`);
    } else {
      // Not probabilities: the engine's sigmoid of them is not what is plotted.
      assert.ok(want.some((p) => Math.abs(p.score_fake - p.d_fake) > 0.05), `${c.cost}: scores differ from probabilities`);
    }

    // Where a value is drawn: on the chart's own scale, whose reference lines sit at their
    // values. A score s is drawn between the lines at their heights, linearly.
    const [r0, r1] = d.plot.refs.length > 1 ? d.plot.refs : [d.plot.refs[0], null];
    if (r1) {
      const at = (v) => r0.y + ((v - r0.value) / (r1.value - r0.value)) * (r1.y - r0.y);
      for (const s of d.plot.series) {
        const v = s.recent[s.recent.length - 1];
        assert.ok(Math.abs(s.y - at(v)) < 1.5, `${c.cost}: ${s.key} = ${v} drawn at y ${s.y}, its scale puts it at ${at(v)}`);
      }
      if (c.cost === 'lsgan') {
        // The lesson's bug: an LSGAN score of 0 (a fake rejected perfectly) belongs on the
        // "target 0" line, far from where ½ would be.
        const zero = d.plot.refs.find((r) => r.value === 0);
        assert.equal(zero.label, 'target 0: generated');
        // The two targets stand apart on the chart (whatever early scores stretched its
        // scale), so a fake at 0 is seen on its line and not at ½, halfway to the other.
        const one = d.plot.refs.find((r) => r.value === 1);
        assert.ok(Math.abs(at(0) - zero.y) < 0.5 && Math.abs(one.y - zero.y) >= 20,
          `a score of 0 is on the target-0 line, apart from ½: lines ${JSON.stringify(d.plot.refs)}`);
      }
    } else {
      assert.equal(r0.label, EN[c.cost === 'wgan' ? 'refNoGap' : 'refNash']);
    }
    assert.equal(d.label.split(', ').length, c.keys.length, `${c.cost}: text alternative ${d.label}`);

    // Both costs' gradients, whatever the cost in use; the one in use emphasised.
    const g = await chart(page, 'cost-gradients');
    assert.deepEqual(g.plot.series.map((s) => s.key), ['grad_ns', 'grad_minimax']);
    assert.deepEqual(g.legend.map((l) => l.chosen), [c.cost === 'ns', c.cost === 'minimax'], `${c.cost}: the cost in use`);
    for (const s of g.plot.series) assert.equal(s.recent.length, 20, `${c.cost}: ${s.key} has a value every G step`);
    g.plot.series[0].recent.forEach((ns, i) => close(ns + g.plot.series[1].recent[i], 1, 'grad_ns + grad_minimax = 1'));

    // In French: the words, the reference lines' labels and the decimal comma.
    await byId(page, 'lang').selectOption('fr');
    await page.waitForFunction(() => location.hash.includes('lang=fr'));
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const fr = await chart(page, 'chart-d');
    assert.equal(fr.caption, FR[c.title], `${c.cost}: French caption`);
    assert.deepEqual(fr.legend.map((l) => l.text), dView(c.cost).series.map((s) => FR[s.label]));
    assert.deepEqual(fr.plot.refs.map((r) => r.label), dView(c.cost).opts.refs.map((r) => FR[r.label].replace('{v}', '1')));
    assert.match(fr.label, /\d,\d/, `${c.cost}: French numbers: ${fr.label}`);
    assert.doesNotMatch(fr.label, /\d\.\d/, `${c.cost}: no decimal point in French: ${fr.label}`);
    await page.close();
  }
}, { timeout: 600000 });

pageTest('a live change of cost switches the views: marked within a kind, afresh across kinds', async (open) => {
  const page = await open('#batch=16');
  await ready(page);
  for (const n of [1, 2, 3]) {
    await byId(page, 'step-once').click();
    await waitStep(page, n);
  }
  await settle(page);
  let d = await chart(page, 'chart-d');
  assert.equal(d.plot.points, 3);
  assert.deepEqual(d.plot.marks, []);

  // ns -> minimax: both plot probabilities; the lines go on, the switch is marked.
  await byId(page, 'loss').selectOption('minimax');
  await page.waitForFunction(() => document.querySelector('[data-testid="chart-d"]').dataset.plot.includes('minimax'));
  d = await chart(page, 'chart-d');
  assert.equal(d.plot.points, 3, 'the probabilities go on');
  assert.deepEqual(d.plot.marks.map((m) => [m.step, m.label]), [[3, '→ minimax']]);
  let g = await chart(page, 'cost-gradients');
  assert.deepEqual(g.legend.map((l) => l.chosen), [false, true], 'minimax is now the cost in use');
  assert.equal(g.legend[1].text, `${EN.gradMinimax} ${EN.inUse}`);
  assert.ok(g.plot.series[1].width > g.plot.series[0].width, 'its line is the thicker');
  assert.deepEqual(g.plot.marks.map((m) => m.label), ['→ minimax']);

  // minimax -> lsgan: raw scores are another kind of value: the D view starts afresh.
  await byId(page, 'loss').selectOption('lsgan');
  await page.waitForFunction(() => document.querySelector('#card-d').dataset.kind === 'lsgan');
  await byId(page, 'step-once').click();
  await waitStep(page, 4);
  await settle(page);
  d = await chart(page, 'chart-d');
  assert.equal(d.caption, EN.dOutLsgan);
  assert.deepEqual(d.plot.series.map((s) => [s.key, s.recent.length]), [['score_real', 1], ['score_fake', 1]], 'only the LSGAN step');
  assert.deepEqual(d.plot.marks.map((m) => [m.step, m.label]), [[3, '→ LSGAN']]);
  assert.deepEqual(d.plot.refs.map((r) => r.value), [1, 0]);
  g = await chart(page, 'cost-gradients');
  assert.equal(g.plot.points, 4, 'the gradients of both costs go on whatever the cost');
  assert.deepEqual(g.legend.map((l) => l.chosen), [false, false], 'neither classic cost is in use');

  // Label smoothing moves LSGAN's real target.
  await byId(page, 'smoothing').fill('0.1');
  await byId(page, 'smoothing').press('Enter');
  await page.waitForFunction(() => JSON.parse(document.querySelector('[data-testid="chart-d"]').dataset.plot).refs[0].value === 0.9);
  assert.equal((await chart(page, 'chart-d')).plot.refs[0].label, 'target 0.9: real');

  // While playing, the points of each cost land on the view of their cost.
  await byId(page, 'play').click();
  await waitPressed(page, true);
  await waitStep(page, 6);
  await byId(page, 'loss').selectOption('wgan');
  await page.waitForFunction(() => document.querySelector('#card-d').dataset.kind === 'wgan');
  const at = await step(page);
  await waitStep(page, at + 3);
  await byId(page, 'play').click();
  await waitPressed(page, false);
  await settle(page);
  d = await chart(page, 'chart-d');
  assert.equal(d.caption, EN.dOutWgan);
  assert.deepEqual(d.plot.series.map((s) => s.key), ['gap', 'gap_mean']);
  assert.equal(d.plot.marks.length, 1);
  assert.equal(d.plot.marks[0].label, '→ WGAN');
  const first = d.plot.marks[0].step;
  assert.equal(d.plot.points, (await step(page)) - first + 1, 'every WGAN point and none before the switch');
});

// ---- 2. the cost lesson ----

pageTest('cost gradients: with minimax and a D that wins, the minimax gradient falls 10x below the non-saturating one', async (open) => {
  const page = await open('#loss=minimax&lr_d=0.001&d_steps=5&play=1');
  await ready(page);
  await waitPressed(page, true);
  await waitStep(page, 24);
  await byId(page, 'play').click();
  await waitPressed(page, false);
  await settle(page);
  const g = await chart(page, 'cost-gradients');
  assert.equal(g.caption, EN.costGrad);
  assert.deepEqual(g.legend, [{ text: EN.gradNs, chosen: false }, { text: `${EN.gradMinimax} ${EN.inUse}`, chosen: true }]);
  assert.equal(EN.gradNs, 'non-saturating: 1 − D(G(z))');
  assert.equal(EN.gradMinimax, 'minimax: D(G(z))');
  assert.equal(g.plot.log, true, 'one log scale');
  const [ns, mm] = g.plot.series;
  assert.ok(mm.width > ns.width, 'the cost in use is emphasised');
  const last = ns.recent.length - 1;
  for (let i = last - 9; i <= last; i++) {
    assert.ok(mm.recent[i] * 10 <= ns.recent[i], `step ${i}: minimax ${mm.recent[i]} vs non-saturating ${ns.recent[i]}`);
  }
  assert.ok(ns.recent[last] > 0.9, 'the non-saturating gradient stays near 1');
  assert.ok(mm.y > ns.y + 40, 'and the minimax line is drawn far below it');
  // D wins: its answers on the fakes fall to 0.
  const d = await chart(page, 'chart-d');
  assert.ok(d.plot.series[1].recent[d.plot.series[1].recent.length - 1] < 0.05, 'D(G(z)) is near 0');
});

// ---- 3. the meter history ----

pageTest('meter history: one column per reading, coloured by each class\'s share', async (open) => {
  const page = await open('#batch=16');
  await ready(page);
  await byId(page, 'play').click();
  await waitPressed(page, true);
  await page.waitForFunction(() => window.readingSteps.length >= 4, null, { polling: 200 });
  await byId(page, 'play').click();
  await waitPressed(page, false);
  await settle(page);
  const readings = await page.evaluate(() => window.readingSteps);
  const h = await page.evaluate(() => {
    const c = document.querySelector('[data-testid="meter-history"]');
    const plot = JSON.parse(c.dataset.plot), k = c.width / c.clientWidth, g = c.getContext('2d');
    // The colour in the middle of every cell.
    const cells = plot.columns.map((col) => plot.rows.map((row) => {
      const d = g.getImageData(Math.floor((col.x + col.w / 2) * k), Math.floor((row.y + row.h / 2) * k), 1, 1).data;
      return [d[0], d[1], d[2]];
    }));
    return { columns: Number(c.dataset.columns), plot, cells, label: c.getAttribute('aria-label'), caption: c.closest('figure').querySelector('figcaption').textContent };
  });
  assert.equal(h.caption, EN.history);
  assert.ok(readings.length >= 4, `several readings: ${readings}`);
  assert.equal(h.columns, readings.length, `one column per reading (readings at steps ${readings})`);
  assert.deepEqual(h.plot.columns.map((c) => c.step), readings, 'in the order they were taken');
  assert.deepEqual(h.plot.rows.map((r) => r.label), [...EN.classes, EN.notDigit], 'one row per digit, and one for "not a digit"');
  // Each cell has the colour of its share, so columns differ where the histograms do.
  let differing = 0;
  h.plot.columns.forEach((col, i) => {
    assert.ok(Math.abs(col.shares.reduce((a, b) => a + b) - 1) < 0.01, 'shares of the samples');
    col.shares.forEach((s, r) => {
      const want = cellColour(s, r === 10).match(/\d+/g).map(Number);
      assert.ok(want.every((v, ch) => Math.abs(v - h.cells[i][r][ch]) <= 3), `column ${i} row ${r}: share ${s} drawn ${h.cells[i][r]} (want ${want})`);
    });
    if (i && col.shares.some((s, r) => Math.abs(s - h.plot.columns[i - 1].shares[r]) > 0.1)) {
      differing++;
      assert.notDeepEqual(h.cells[i], h.cells[i - 1], `columns ${i - 1} and ${i} differ in their pixels`);
    }
  });
  assert.ok(differing >= 1, 'training changed what G draws between readings');
  // The latest column is the meter's latest reading.
  const bars = await page.locator('#meter-bars').getAttribute('aria-label');
  const shares = [...bars.matchAll(/ (\d+)%/g)].map((m) => Number(m[1]));
  h.plot.columns[h.plot.columns.length - 1].shares.forEach((s, r) => assert.ok(Math.abs(s * 100 - shares[r]) <= 0.6, `class ${r}`));
  assert.match(h.label, new RegExp(`^${readings.length} meter readings from step 0 to step ${readings[readings.length - 1]}; latest: `));

  // An eleventh count ("not a digit", coming to the meter) is a grey row of its own.
  const eleven = await page.evaluate(async () => {
    const { MeterHistory } = await import('./history.js');
    const canvas = document.createElement('canvas');
    canvas.style.cssText = 'width:300px;height:170px;display:block';
    document.body.append(canvas);
    const m = new MeterHistory(canvas);
    m.names = [...'0123456789', 'not a digit'];
    m.add({ step: 1, histogram: [50, 0, 0, 0, 0, 0, 0, 0, 0, 0, 450] });
    m.add({ step: 2, histogram: [250, 0, 0, 0, 0, 0, 0, 0, 0, 250] });
    m.draw();
    const plot = JSON.parse(canvas.dataset.plot), g = canvas.getContext('2d'), row = plot.rows[10], col = plot.columns[0];
    const px = g.getImageData(col.x + 2, row.y + row.h / 2, 1, 1).data;
    canvas.remove();
    return { rows: plot.rows.map((r) => r.label), shares: plot.columns.map((c) => c.shares.length), px: [px[0], px[1], px[2]] };
  });
  assert.equal(eleven.rows.length, 11);
  assert.equal(eleven.rows[10], 'not a digit');
  assert.deepEqual(eleven.shares, [11, 10], 'readings of 11 and of 10 classes side by side');
  const [r, g, b] = eleven.px;
  assert.ok(Math.max(r, g, b) - Math.min(r, g, b) < 16 && r < 140, `the not-a-digit row is grey: ${eleven.px}`);

  // In French.
  await byId(page, 'lang').selectOption('fr');
  await page.waitForFunction(() => /lectures du compteur/.test(document.querySelector('[data-testid="meter-history"]').getAttribute('aria-label') ?? ''));
  assert.equal(await page.locator('.history figcaption').textContent(), FR.history);
  assert.match(await byId(page, 'meter-history').getAttribute('aria-label'), / \d+ %/);
});

// ---- 4. a trained model named by the link ----

/** Trains `steps` iterations in Node and writes the checkpoint as data/generated/checkpoints/NAME.gan. */
function writeCheckpoint(name, config, steps, corrupt = false) {
  if (!existsSync(CHECKPOINTS)) mkdirSync(CHECKPOINTS, { recursive: true }), (madeDir = true);
  const dataset = Dataset.fromIdx(core, mnist.images, mnist.labels);
  const gan = Gan.create(core, config);
  for (let i = 0; i < steps; i++) gan.trainStep(dataset);
  const bytes = gan.checkpoint();
  const c = gan.config();
  const grid = toBytes(core, gan.generate(gridNoise(core, c.latent, c.seed)));
  const iterations = gan.iterations();
  gan.destroy();
  dataset.destroy();
  if (corrupt) bytes[bytes.length >> 1] ^= 0x5a;
  const file = path.join(CHECKPOINTS, `${name}.gan`);
  writeFileSync(file, bytes);
  made.push(file);
  return { grid, iterations, config: c };
}

/** The 64 images the sample grid shows, as bytes (the canvas holds them at native size). */
function gridBytes(page) {
  return page.evaluate(() => {
    const c = document.querySelector('[data-testid="samples"]'), d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const out = [];
    for (let k = 0; k < 64; k++) {
      const ox = 1 + (k % 8) * 29, oy = 1 + Math.floor(k / 8) * 29;
      for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) out.push(d[((oy + y) * c.width + ox + x) * 4]);
    }
    return out;
  });
}

pageTest('#checkpoint=NAME: the page starts from the trained model, plays it, and leaves it on a new model', async (open) => {
  const name = `test-lessons-${process.pid}`;
  const want = writeCheckpoint(name, { preset: 'balanced', batch: 16, seed: 5 }, 3);
  assert.ok(want.iterations === 3);

  const page = await open(`#checkpoint=${name}`);
  await ready(page);
  await settle(page);
  assert.equal(await step(page), want.iterations, 'the step counter is the checkpoint\'s');
  assert.deepEqual(await gridBytes(page), Array.from(want.grid), 'the grid is the checkpoint\'s samples');
  assert.equal(await byId(page, 'seed').inputValue(), '5', 'its configuration fills the controls');
  assert.equal(await byId(page, 'batch').inputValue(), '16');
  const hash = new URLSearchParams(new URL(page.url()).hash.slice(1));
  assert.equal(hash.get('checkpoint'), name, 'the link still names it');
  assert.equal(hash.get('seed'), '5');
  assert.equal(await byId(page, 'notice').textContent(), `Started from the trained model '${name}' at step 3.`);

  // A new model (Reset) is no longer the checkpoint: the link stops naming it.
  await byId(page, 'reset').click();
  await page.waitForFunction(() => !location.hash.includes('checkpoint='));
  assert.equal(await step(page), 0);
  assert.equal(await byId(page, 'notice').isHidden(), true);

  // play=1 trains on from it; a preset in the link sets its live settings over it.
  const lesson = await open(`#checkpoint=${name}&preset=strong-d&play=1&lang=fr`);
  await ready(lesson);
  await waitPressed(lesson, true);
  await waitStep(lesson, want.iterations + 2);
  await byId(lesson, 'play').click();
  await waitPressed(lesson, false);
  assert.equal(await byId(lesson, 'loss').inputValue(), 'minimax', 'strong-d\'s cost');
  assert.equal(await byId(lesson, 'd_steps').inputValue(), '5');
  assert.equal(await byId(lesson, 'seed').inputValue(), '5', 'the checkpoint\'s own seed');
  assert.match(await byId(lesson, 'notice').textContent(), new RegExp(`^Départ du modèle entraîné « ${name} », au pas 3\\.$`));
});

pageTest('#checkpoint=NAME: not built yet is a quiet line; a corrupt file or a bad name is an error; the page runs on', async (open) => {
  const missing = await open('#checkpoint=not-built-yet-xyz');
  await ready(missing);
  assert.equal(await byId(missing, 'notice').textContent(),
    'The trained model \'not-built-yet-xyz\' is not built yet: make checkpoints builds it. The page runs the default model.');
  assert.equal(await missing.locator('#notice code').textContent(), 'make checkpoints');
  assert.equal(await byId(missing, 'error').isHidden(), true, 'not an error');
  assert.equal(await step(missing), 0);
  assert.equal(await byId(missing, 'seed').inputValue(), '1', 'the default model');
  await trainTo(missing, 1);
  await byId(missing, 'lang').selectOption('fr');
  await missing.waitForFunction(() => /construit/.test(document.querySelector('[data-testid="notice"]').textContent));
  assert.equal(await byId(missing, 'notice').textContent(),
    'Le modèle entraîné « not-built-yet-xyz » n’est pas encore construit : make checkpoints le construit. La page utilise le modèle par défaut.');

  const corrupt = `test-lessons-corrupt-${process.pid}`;
  writeCheckpoint(corrupt, { preset: 'balanced', batch: 16, seed: 2 }, 1, true);
  const bad = await open(`#checkpoint=${corrupt}`, { errorBox: true });
  await ready(bad);
  await bad.waitForFunction(() => !document.querySelector('[data-testid="error"]').hidden);
  assert.match(await bad.locator('#error-text').textContent(),
    new RegExp(`^The trained model '${corrupt}' was refused: .*checkpoint.*\\. The page runs the default model\\.$`, 'i'));
  assert.equal(await byId(bad, 'seed').inputValue(), '1');
  await trainTo(bad, 2);
  assert.ok(await step(bad) >= 2, 'the default model trains');

  for (const wrong of ['Bad_Name', '..%2Fmeter-mnist', 'a'.repeat(41)]) {
    const p = await open(`#checkpoint=${wrong}`, { errorBox: true });
    await ready(p);
    const text = await p.locator('#error-text').textContent();
    assert.match(text, /^The link has a bad parameter: checkpoint '.*' is not a checkpoint name/, text);
    assert.equal(await byId(p, 'notice').isHidden(), true);
    assert.equal(await step(p), 0);
    assert.ok(!new URL(p.url()).hash.includes('checkpoint='), 'a bad name is not written back');
    await p.close();
  }
});

// ---- 5. the layout a teacher sees ----

// ---- the filmstrip ----

pageTest('filmstrip: the grid at steps 0, 50, ... with their steps, in both languages; its export is the CLI\'s progress.png', async (open) => {
  const page = await open('#batch=8');
  await ready(page);
  await trainTo(page, 55);
  const n = await step(page);
  const frames = () => page.evaluate(() => [...document.querySelectorAll('[data-testid="film-frames"] li')].map((li) => ({
    step: Number(li.dataset.step), text: li.textContent, drawn: li.querySelector('canvas').width > 200,
  })));
  let got = await frames();
  assert.deepEqual(got.map((f) => f.step), frameSteps(n), `frames at step ${n}`);
  assert.deepEqual(got.map((f) => f.text), frameSteps(n).map((k) => `step ${k}`));
  assert.ok(got.every((f) => f.drawn), 'each frame drawn as an 8x8 grid');
  assert.equal(await page.locator('[data-view=film] figcaption').textContent(), EN.film);
  await byId(page, 'lang').selectOption('fr');
  got = await frames();
  assert.deepEqual(got.map((f) => f.text), frameSteps(n).map((k) => `pas ${k}`));
  assert.equal(await page.locator('[data-view=film] figcaption').textContent(), FR.film);

  // Export: the page's strip is the CLI's progress.png for the same run, byte for byte.
  const [download] = await Promise.all([page.waitForEvent('download'), byId(page, 'export-film').click()]);
  assert.equal(download.suggestedFilename(), `progress-mnist-step${n}.png`);
  const file = path.join(SHOTS, 'film-export.png');
  await download.saveAs(file);
  const out = path.join(SHOTS, 'film-cli');
  rmSync(out, { recursive: true, force: true });
  const r = spawnSync(process.execPath, ['tools/gan.mjs', 'train', '--steps', String(n), '--batch', '8', '--log-every', '1000', '--out', out],
    { encoding: 'utf8', cwd: path.join(HERE, '..') });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(readFileSync(file).equals(readFileSync(path.join(out, 'progress.png'))), 'the page\'s strip is the CLI\'s progress.png');
  rmSync(out, { recursive: true, force: true });

  // A new model starts a new strip.
  await byId(page, 'reset').click();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="step"]').textContent) === 0);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="film-frames"] li').length === 1);
  assert.deepEqual((await frames()).map((f) => f.step), [0]);
});

pageTest('layout: the new cards fit the grid at 1280x800 and 390x844, nothing overlaps; screenshots', async (open) => {
  const shots = [
    { file: 'lessons-wgan-1280x800.png', hash: '#preset=wgan&batch=16', viewport: { width: 1280, height: 800 } },
    { file: 'lessons-strong-d-fr-1280x800.png', hash: '#preset=strong-d&batch=16&lang=fr', viewport: { width: 1280, height: 800 } },
    { file: 'lessons-lsgan-390x844.png', hash: '#preset=lsgan&batch=16', viewport: { width: 390, height: 844 } },
    { file: 'lessons-minimax-fr-390x844.png', hash: '#preset=minimax&batch=16&lang=fr', viewport: { width: 390, height: 844 } },
  ];
  for (const s of shots) {
    const page = await open(s.hash, { viewport: s.viewport });
    await ready(page);
    await byId(page, 'play').click();
    await waitPressed(page, true);
    await page.waitForFunction(() => window.readingSteps.length >= 3, null, { polling: 200 });
    await byId(page, 'play').click();
    await waitPressed(page, false);
    await settle(page);
    const layout = await page.evaluate(() => {
      const box = (el) => { const r = el.getBoundingClientRect(); return { x: r.left, y: r.top, w: r.width, h: r.height }; };
      const cards = [...document.querySelectorAll('.views > *')].filter((el) => !el.hidden && el.getClientRects().length)
        .map((el) => ({ name: el.dataset.view ?? el.className, ...box(el) }));
      const inside = [...document.querySelectorAll('.views canvas, .views .legend, .views figcaption')].filter((el) => el.getClientRects().length).map((el) => {
        const card = el.closest('figure');
        const a = box(el), b = box(card);
        return { id: el.id || el.className || el.tagName, fits: a.x >= b.x - 0.5 && a.x + a.w <= b.x + b.w + 0.5 && a.y >= b.y - 0.5 && a.y + a.h <= b.y + b.h + 0.5 };
      });
      return { cards, inside, scrollWidth: document.documentElement.scrollWidth, innerWidth };
    });
    for (let i = 0; i < layout.cards.length; i++) {
      for (let j = i + 1; j < layout.cards.length; j++) {
        const a = layout.cards[i], b = layout.cards[j];
        const overlap = a.x < b.x + b.w - 1 && b.x < a.x + a.w - 1 && a.y < b.y + b.h - 1 && b.y < a.y + a.h - 1;
        assert.ok(!overlap, `${s.file}: ${a.name} and ${b.name} overlap`);
      }
    }
    for (const el of layout.inside) assert.ok(el.fits, `${s.file}: ${el.id} sticks out of its card`);
    assert.ok(layout.scrollWidth <= layout.innerWidth + 1, `${s.file}: no sideways scroll`);
    const views = layout.cards.map((c) => c.name);
    for (const v of ['dout', 'costgrad', 'history']) assert.ok(views.includes(v), `${s.file}: ${v} shows`);
    await page.screenshot({ path: path.join(SHOTS, s.file), fullPage: true });
    await page.close();
  }
});
