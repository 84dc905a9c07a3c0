// The guided tour (web/tour.js) in Debian's Chromium against the real server: tour=1 and
// tour=N open it, Back / Next walk the course in its order, each step's button sets up its
// lesson and the step says "you see it" when the training shows it (D alone reaching 1 and
// 0, the gradient reaching G falling tenfold under strong-d, the minimax gradient falling
// below the non-saturating one), in English and French; the controls stay usable, and the
// link keeps the step.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { STRINGS } from '../web/i18n.js';
import { STEPS } from '../web/tour.js';
import { openPage, pageServer } from './pages.mjs';

const env = pageServer();
const open = (hash, t) => openPage(env, hash, t);

const byId = (page, id) => page.getByTestId(id);
const tourState = (page) => page.evaluate(() => {
  const root = document.getElementById('tour'), text = (sel) => root.querySelector(sel)?.textContent ?? null;
  return {
    hidden: root.hidden, id: root.dataset.step, head: text('.tour-head'), title: text('.tour-title'), status: text('.tour-status'),
    seen: !!root.querySelector('.tour-status.seen'),
    outlined: [...document.querySelectorAll('.tour-watch')].map((el) => el.dataset.view),
    hash: location.hash,
  };
});
const stepOf = (id) => STEPS.findIndex((s) => s.id === id) + 1;
const waitSeen = (page) => page.waitForFunction(() => document.querySelector('[data-testid="tour"] .tour-status').classList.contains('seen'), null, { polling: 200 });

test('tour=1 opens the course at its start; Next and Back walk it in order, outlining the view to watch; Close leaves the page as it was', { timeout: 120000 }, async (t) => {
  const page = await open('#tour=1&batch=16', t);
  let s = await tourState(page);
  assert.equal(s.hidden, false);
  assert.equal(s.head, `Guided tour · 1 / ${STEPS.length}`);
  assert.equal(s.title, STEPS[0].en.title);
  assert.deepEqual(s.outlined, [STEPS[0].view]);
  assert.match(s.hash, /tour=1/);
  for (let i = 1; i < STEPS.length; i++) {
    await byId(page, 'tour-next').click();
    s = await tourState(page);
    assert.equal(s.id, STEPS[i].id, `step ${i + 1} in the course's order`);
    assert.equal(s.title, STEPS[i].en.title);
    assert.deepEqual(s.outlined, [STEPS[i].view], `${STEPS[i].id} outlines its view`);
    assert.match(s.hash, new RegExp(`tour=${i + 1}(&|$)`), 'the link keeps the step');
    // the view to watch is named by its card's caption, in the page's words
    const watch = await page.locator('[data-testid="tour"] .tour-watch-line').textContent();
    const caption = await page.locator(`[data-view="${STEPS[i].view}"] figcaption`).first().textContent();
    assert.equal(watch, `Watch: ${caption}`);
  }
  assert.equal(await byId(page, 'tour-next').isDisabled(), true, 'the last step has no Next');
  await byId(page, 'tour-back').click();
  assert.equal((await tourState(page)).id, STEPS[STEPS.length - 2].id);
  await byId(page, 'tour-close').click();
  s = await tourState(page);
  assert.equal(s.hidden, true);
  assert.deepEqual(s.outlined, [], 'no outline once closed');
  assert.doesNotMatch(s.hash, /tour=/);
  await byId(page, 'tour-open').click();
  assert.equal((await tourState(page)).id, STEPS[0].id, 'the button opens it at the start');
});

test('D\'s goal (tour=4, in French): the button trains D alone on a new model, and the step says so once D(x) > 0.9 and D(G(z)) < 0.1', { timeout: 120000 }, async (t) => {
  const n = stepOf('d-goal');
  const page = await open(`#tour=${n}&batch=16&lang=fr`, t);
  let s = await tourState(page);
  assert.equal(s.id, 'd-goal');
  assert.equal(s.head, `Visite guidée · ${n} / ${STEPS.length}`);
  assert.equal(s.title, STEPS[n - 1].fr.title);
  assert.ok(s.status.startsWith('On attend : ') && s.status.endsWith('(après avoir appuyé sur le bouton)'), s.status);
  assert.equal(await byId(page, 'tour-do').textContent(), STEPS[n - 1].fr.button);
  await byId(page, 'tour-do').click();
  await waitSeen(page);
  s = await tourState(page);
  assert.equal(s.status, `✓ Vous le voyez : ${STEPS[n - 1].fr.what}`);
  // what the page shows agrees: D's chart's latest answers
  const plot = JSON.parse(await page.locator('[data-testid="chart-d"]').getAttribute('data-plot'));
  const [real, fake] = plot.series.map((x) => x.recent[x.recent.length - 1]);
  assert.ok(real > 0.9 && fake < 0.1, `D(x) ${real}, D(G(z)) ${fake}`);
  await page.waitForFunction(() => document.querySelector('[data-testid="d-steps"]').textContent === '10');
  assert.equal(await byId(page, 'step').textContent(), '0', 'D alone: no G step');
});

test('strong-d and the cost lesson: each button sets its preset, and the step says "you see it" when the gradient falls', { timeout: 150000 }, async (t) => {
  const page = await open(`#tour=${stepOf('strong-d')}&batch=16`, t);
  await byId(page, 'tour-do').click();
  await page.waitForFunction(() => /preset=strong-d/.test(location.hash));
  await waitSeen(page);
  assert.equal((await tourState(page)).status, `✓ You see it: ${STEPS[stepOf('strong-d') - 1].en.what}`);
  assert.equal(await byId(page, 'play').getAttribute('aria-pressed'), 'true', 'training runs');

  // Jump to the cost lesson with Next, then its button.
  for (let i = stepOf('strong-d'); i < stepOf('costs'); i++) await byId(page, 'tour-next').click();
  assert.equal((await tourState(page)).id, 'costs');
  assert.equal((await tourState(page)).seen, false, 'a new step waits for its own button');
  await byId(page, 'tour-do').click();
  await page.waitForFunction(() => /preset=minimax/.test(location.hash));
  await waitSeen(page);

  // The tour never blocks the controls: pause, step D, change the language.
  await byId(page, 'play').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="play"]').getAttribute('aria-pressed') === 'false');
  const before = Number(await byId(page, 'd-steps').textContent());
  await byId(page, 'step-d').click();
  await page.waitForFunction((b) => Number(document.querySelector('[data-testid="d-steps"]').textContent) > b, before);
  await byId(page, 'lang').selectOption('fr');
  assert.equal((await tourState(page)).title, STEPS[stepOf('costs') - 1].fr.title, 'the tour follows the language');
});

test('a bad tour= is reported, and the tour works embedded', { timeout: 120000 }, async (t) => {
  const bad = await open('#tour=99&batch=16', t);
  assert.equal(await bad.getByTestId('error').isVisible(), true);
  assert.match(await bad.locator('#error-text').textContent(), new RegExp(`tour must be a step from 1 to ${STEPS.length}, not '99'`));
  assert.equal((await tourState(bad)).hidden, true);
  const embed = await open('#tour=3&embed=1&batch=16', t);
  const s = await tourState(embed);
  assert.equal(s.hidden, false);
  assert.equal(s.id, STEPS[2].id);
  await byId(embed, 'tour-do').click();
  await waitSeen(embed);
  assert.equal(STRINGS.en.tourOpen, 'Guided tour');
});
