// The page's divergence warning, as a user sees it: web/index.html served by tools/serve.mjs
// in Debian's Chromium, training from a link. gan.js's rule (a loss beyond 1e4 in size or
// not finite, or a discarded update) puts a warning in the status line, in the page's
// language; a healthy run never shows one. The CLI's counterpart is in cli.test.mjs
// ("a diverging run says so").
//
// The diverging link: the wgan preset at learning rate 1 does not diverge on the page (the
// CLI's test also sets --clip 10, which a link cannot; the preset clips the critic to
// ±0.02 and its losses stay below ~100). The classic preset (the non-saturating 'ns' cost,
// no batch norm in D) at learning rate 1 and batch 8 does, from its second step, and stays
// diverging: G's cost sticks near 3.7e6 while D rejects every fake.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { gunzipSync } from 'node:zlib';

import { listen } from '../tools/serve.mjs';
import { launchChromium } from '../tools/chromium.mjs';
import { loadCore } from '../web/gan.js';
import { Session, presetTable } from '../web/session.js';
import { engineConfig, fromHash, settingsFromPreset } from '../web/state.js';

const WAIT = 30000; // training starts within seconds; this only bounds a failure
const DIVERGING = 'preset=classic&lr_g=1&lr_d=1&batch=8&play=1';
const HEALTHY = 'batch=16&play=1'; // the default preset (balanced)
const HEALTHY_STEPS = 40;

let server, url, browser, firstDiverging;
const seen = {}; // lang -> warningIn's reading: what the English and French pages showed

/**
 * The step at which DIVERGING's run begins to diverge, from the engine the Worker runs (the
 * same wasm core, config and data, so the same numbers): the settings as the page resolves
 * them (the preset gives what the link does not set), then steps until gan.js's rule is met.
 */
async function divergenceStart(hash) {
  const core = await loadCore();
  const link = fromHash(hash);
  const preset = presetTable(core).find((p) => p.name === link.settings.preset);
  const fromPreset = settingsFromPreset(link.settings, preset);
  const settings = Object.fromEntries(Object.keys(link.settings).map((k) => [k, link.given.has(k) ? link.settings[k] : fromPreset[k]]));
  const session = new Session(core);
  const gen = (f) => readFileSync(new URL(`../data/generated/${f}`, import.meta.url));
  session.setData({
    images: gunzipSync(gen('mnist-train-images-idx3-ubyte.gz')), labels: gunzipSync(gen('mnist-train-labels-idx1-ubyte.gz')), meter: null,
  });
  session.build(engineConfig(settings));
  for (let i = 0; i < 20 && !session.diverging; i++) session.step();
  return session.diverging?.step;
}

before(async () => {
  ({ server, url } = await listen({ port: 0 }));
  browser = await launchChromium();
  firstDiverging = await divergenceStart(`#${DIVERGING}`);
  assert.ok(firstDiverging >= 1, `the diverging link's run diverges in the engine within 20 steps (${firstDiverging})`);
});

after(async () => {
  await browser?.close();
  server?.close();
});

/**
 * Opens url + hash in a fresh page and runs fn(page, everShown); everShown() says whether
 * the divergence warning was ever on show. Fails on console errors, page errors, or the
 * page's error box.
 */
async function withPage(hash, fn) {
  const page = await browser.context.newPage();
  page.setDefaultTimeout(WAIT);
  const problems = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(`console error: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`page error: ${e.stack ?? e}`));
  // Notes any moment the warning is on show, so a flash between two checks still counts.
  await page.addInitScript(() => {
    window.warningShown = false;
    new MutationObserver(() => {
      const w = document.querySelector('[data-testid="diverging"]');
      if (w && w.checkVisibility() && w.textContent.trim()) window.warningShown = true;
    }).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
  });
  try {
    await page.goto(`${url}#${hash}`);
    await fn(page, () => page.evaluate(() => window.warningShown));
    assert.deepEqual(problems, [], 'no console or page errors');
    assert.equal(await page.getByTestId('error').isHidden(), true, `no error shown: ${await page.locator('#error-text').textContent()}`);
  } finally {
    await page.close().catch(() => {});
  }
}

const stepShown = async (page) => Number(await page.getByTestId('step').textContent());

/**
 * Waits until the status line's visible text holds the warning, then checks the warning
 * element itself is on show inside the status line and reads in full as pattern (its
 * groups: the loss and the step). Returns { step, loss, shownAt, text }, shownAt being the
 * step counter in the same frame.
 */
async function warningIn(page, pattern) {
  const status = page.getByRole('status');
  const inLine = [pattern.source.replace(/^\^|\$$/g, ''), pattern.flags]; // ^ and $ are the warning's own
  await page.waitForFunction(([src, flags]) => new RegExp(src, flags).test(document.querySelector('[role="status"]').innerText),
    inLine, { polling: 100 }).catch(async (e) => {
    throw new Error(`no warning matching ${pattern} in the status line at step ${await stepShown(page)}, which reads ${JSON.stringify(await status.innerText())}`, { cause: e });
  });
  const warning = status.getByTestId('diverging');
  assert.equal(await warning.isVisible(), true, 'the warning is on show in the status line');
  // One read of the warning and the step counter: the page redraws both every frame.
  const { own, line, shownAt } = await page.evaluate(() => ({
    own: document.querySelector('[role="status"] [data-testid="diverging"]').textContent.trim(),
    line: document.querySelector('[role="status"]').innerText,
    shownAt: Number(document.querySelector('[data-testid="step"]').textContent),
  }));
  const m = own.match(pattern);
  assert.ok(m, `the warning reads ${JSON.stringify(own)}; the status line: ${JSON.stringify(line)}`);
  const loss = Number(m[1].replace(',', '.').replace('−', '-'));
  return { step: Number(m[2]), loss, shownAt, text: own };
}

function checkWarning({ step, loss, shownAt, text }) {
  assert.ok(!(Math.abs(loss) <= 1e4), `the loss it names is beyond 1e4 in size or not finite: ${text}`);
  assert.ok(step >= firstDiverging && step <= shownAt,
    `the step it names (${step}) is one the run diverged at: from ${firstDiverging} to the step shown (${shownAt})`);
}

test('a diverging run shows the warning in the status line, in English', { timeout: 60000 }, async () => {
  await withPage(DIVERGING, async (page) => {
    const w = await warningIn(page,
      /^Diverging: a loss reached (\S+) at step (\d+) \(beyond 10,000 in size, or not finite\)\. Lower the learning rates\.$/);
    checkWarning(w);
    seen.en = w;
  });
});

test('a diverging run shows the warning in the status line, in French (lang=fr)', { timeout: 60000 }, async () => {
  await withPage(`${DIVERGING}&lang=fr`, async (page) => {
    const w = await warningIn(page,
      /^Divergence : un coût a atteint (\S+) au pas (\d+) \(plus de 10 000 en valeur absolue, ou non fini\)\. Baissez les taux d’apprentissage\.$/);
    checkWarning(w);
    assert.doesNotMatch(await page.getByRole('status').innerText(), /Diverging|Lower the learning/, 'no English left in the status line');
    seen.fr = w;
  });
});

// The warning names the step where the stretch of divergence began, as the CLI's does
// ("diverged: from step N"), not the latest step that met the rule.
test('the warning names the step where divergence began', () => {
  assert.ok(seen.en && seen.fr, 'the English and French tests ran');
  assert.equal(seen.en.step, firstDiverging, `English: ${seen.en.text}`);
  assert.equal(seen.fr.step, firstDiverging, `French: ${seen.fr.text}`);
});

test('a healthy run (default preset, batch 16) shows no warning', { timeout: 60000 }, async () => {
  await withPage(HEALTHY, async (page, everShown) => {
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid="step"]').textContent) >= n, HEALTHY_STEPS, { polling: 100 });
    assert.equal(await page.getByTestId('diverging').isVisible(), false, 'no warning on show');
    assert.doesNotMatch(await page.getByRole('status').innerText(), /diverg/i, 'the status line says nothing of divergence');
    assert.equal(await everShown(), false, `no warning on show at any step up to ${await stepShown(page)}`);
  });
});
