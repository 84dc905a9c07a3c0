// A page a teacher can project and embed, in Debian's Chromium against the real server
// (tools/serve.mjs): present=1 (the views at full width, text readable from the back of a
// room at 1024x768, the player and the lesson sentence kept, sharing and the language menu
// gone), hide=controls (the views take the width), hide= with views' names, and embed=1
// (the lesson sentence and the views its lesson needs). Each layout is measured as the
// lessons' layout test does (no card overlaps another, nothing sticks out of its card, no
// sideways scroll) at 1280x800, 1024x768 and 390x844, in English and French; the
// screenshots go to tests/screenshots/present-*.png.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { STRINGS } from '../web/i18n.js';
import { pageServer, pageTest as sharedPageTest } from './pages.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SHOTS = path.join(HERE, 'screenshots');

const env = pageServer();
mkdirSync(SHOTS, { recursive: true });
const pageTest = (name, fn) => sharedPageTest(env, name, fn);

const byId = (page, id) => page.getByTestId(id);

/** The first samples are drawn, the presets are in and MNIST is loaded. */
async function ready(page) {
  await page.waitForFunction(() => document.body.dataset.firstSamplesMs !== undefined
    && document.querySelector('[data-testid="preset-balanced"]')
    && document.getElementById('progress').hidden
    && / 60000 /.test(document.getElementById('progress-text').textContent), null, { polling: 100 });
}

const waitPressed = (page, value) => page.waitForFunction((v) => document.querySelector('[data-testid="play"]').getAttribute('aria-pressed') === v, String(value));

/** Trains until step n is drawn, then pauses (so the charts have lines in the screenshots). */
async function trainTo(page, n) {
  if ((await byId(page, 'play').getAttribute('aria-pressed')) !== 'true') await byId(page, 'play').click();
  await waitPressed(page, true);
  await page.waitForFunction((v) => Number(document.querySelector('[data-testid="step"]').textContent) >= v, n, { polling: 100 });
  await byId(page, 'play').click();
  await waitPressed(page, false);
}

/**
 * The page's layout: the cards shown in the views, the panel when shown, what sticks out
 * of its card, the font sizes a room reads, what is visible, and the page's width.
 */
function measure(page) {
  return page.evaluate(() => {
    const box = (el) => { const r = el.getBoundingClientRect(); return { x: r.left, y: r.top + scrollY, w: r.width, h: r.height }; };
    const shown = (el) => !!el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
    const cards = [...document.querySelectorAll('.views > *')].filter(shown)
      .map((el) => ({ name: el.dataset.view ?? el.className, ...box(el) }));
    const panel = document.querySelector('section.controls');
    const inside = [...document.querySelectorAll('.views canvas, .views .legend, .views figcaption, .views .hint, .views .bars')].filter(shown).map((el) => {
      const a = box(el), b = box(el.closest('figure'));
      return { id: el.id || el.className || el.tagName, fits: a.x >= b.x - 0.5 && a.x + a.w <= b.x + b.w + 0.5 && a.y >= b.y - 0.5 && a.y + a.h <= b.y + b.h + 0.5 };
    });
    // the controls left in the panel stay inside it
    const inPanel = shown(panel) ? [...panel.querySelectorAll('button, .lesson')].filter(shown).map((el) => {
      const a = box(el), b = box(panel);
      return { id: el.id || el.className, fits: a.x >= b.x - 0.5 && a.x + a.w <= b.x + b.w + 0.5 };
    }) : [];
    const px = (sel) => { const el = document.querySelector(sel); return el ? parseFloat(getComputedStyle(el).fontSize) : NaN; };
    const visible = (sel) => shown(document.querySelector(sel));
    const left = Math.min(...cards.map((c) => c.x)), right = Math.max(...cards.map((c) => c.x + c.w));
    return {
      cards, inside, inPanel, panel: shown(panel) ? { name: 'panel', ...box(panel) } : null,
      span: { left, right, width: right - left },
      fonts: {
        lesson: px('#lesson'), play: px('#play'), reset: px('#reset'), hint: px('[data-view=grad] .hint'),
        caption: px('[data-view=grad] figcaption'), status: px('.status'), legend: px('[data-view=dout] .legend'),
      },
      visible: Object.fromEntries(['#play', '#reset', '#lesson', '#share', '#lang', 'header.top', '#presets', '#seed', '#save', '#error']
        .map((s) => [s, visible(s)])),
      lesson: document.getElementById('lesson').textContent,
      lang: document.documentElement.lang,
      scrollWidth: document.documentElement.scrollWidth, scrollHeight: document.documentElement.scrollHeight,
      innerWidth, innerHeight,
    };
  });
}

/** No card overlaps another or the panel, nothing sticks out of its card, no sideways scroll. */
function assertLaidOut(m, what) {
  const all = m.panel ? [m.panel, ...m.cards] : m.cards;
  for (let i = 0; i < all.length; i++) {
    for (let j = i + 1; j < all.length; j++) {
      const a = all[i], b = all[j];
      const overlap = a.x < b.x + b.w - 1 && b.x < a.x + a.w - 1 && a.y < b.y + b.h - 1 && b.y < a.y + a.h - 1;
      assert.ok(!overlap, `${what}: ${a.name} and ${b.name} overlap`);
    }
  }
  for (const el of m.inside) assert.ok(el.fits, `${what}: ${el.id} sticks out of its card`);
  for (const el of m.inPanel) assert.ok(el.fits, `${what}: ${el.id} sticks out of the panel`);
  assert.ok(m.scrollWidth <= m.innerWidth + 1, `${what}: no sideways scroll (${m.scrollWidth} > ${m.innerWidth})`);
}

/** The views use at least `share` of the page's width. */
function assertFullWidth(m, what, share = 0.9) {
  assert.ok(m.span.width >= share * m.innerWidth,
    `${what}: the views span ${Math.round(m.span.width)} of ${m.innerWidth} px (${m.span.left}..${m.span.right})`);
  assert.ok(m.span.left <= 0.05 * m.innerWidth, `${what}: no empty column on the left (the views start at ${m.span.left} px)`);
}

const shot = (page, name) => page.screenshot({ path: path.join(SHOTS, `present-${name}.png`) });
const hashParams = (page) => Object.fromEntries(new URLSearchParams(new URL(page.url()).hash.slice(1)));

// ---- present=1 ----

pageTest('present=1 at 1024x768 in French and English: large text, the player and the lesson kept, no sharing or language menu, the views at full width', async (open) => {
  const cases = [
    { name: 'strong-d-fr-1024x768', hash: '#preset=strong-d&present=1&play=1', french: true, lang: 'fr', viewport: { width: 1024, height: 768 } },
    { name: 'strong-d-en-1024x768', hash: '#preset=strong-d&present=1&play=1', lang: 'en', viewport: { width: 1024, height: 768 } },
    { name: 'mode-collapse-fr-1280x800', hash: '#preset=mode-collapse&present=1&lang=fr', lang: 'fr', viewport: { width: 1280, height: 800 } },
  ];
  for (const c of cases) {
    const page = await open(c.hash, { viewport: c.viewport, french: c.french });
    await ready(page);
    await trainTo(page, 12);
    const m = await measure(page);
    assert.equal(m.lang, c.lang, `${c.name}: the page's language`);
    assert.equal(await page.evaluate(() => document.body.classList.contains('present')), true);

    // Readable from the back of the room: body text ≥ 20 px, captions and the status line larger.
    for (const k of ['lesson', 'play', 'reset', 'hint', 'legend']) assert.ok(m.fonts[k] >= 20, `${c.name}: ${k} text is ${m.fonts[k]} px, under 20`);
    assert.ok(m.fonts.caption >= 24 && m.fonts.caption > m.fonts.hint, `${c.name}: captions ${m.fonts.caption} px`);
    assert.ok(m.fonts.status >= 24, `${c.name}: status line ${m.fonts.status} px`);

    // The player and the lesson stay; sharing, the language menu and the settings go.
    for (const s of ['#play', '#reset', '#lesson']) assert.ok(m.visible[s], `${c.name}: ${s} shows`);
    for (const s of ['#share', '#lang', 'header.top', '#presets', '#seed', '#save']) assert.ok(!m.visible[s], `${c.name}: ${s} is hidden`);
    assert.ok(m.lesson.length > 40, `${c.name}: the lesson sentence is there: '${m.lesson}'`);
    assert.match(m.lesson, c.lang === 'fr' ? / le | les | de / : / the /, `${c.name}: the lesson in the page's language`);
    assert.equal(await byId(page, 'play').textContent(), STRINGS[c.lang].play);

    assertFullWidth(m, c.name);
    assertLaidOut(m, c.name);
    for (const v of ['samples', 'dout', 'grad', 'costgrad']) assert.ok(m.cards.some((x) => x.name === v), `${c.name}: ${v} shows`);
    // the link keeps the option (and "Copy link", when shown, copies location.href)
    assert.equal(hashParams(page).present, '1', `${c.name}: present=1 stays in the link`);
    await shot(page, c.name);

    // Play/Pause and Reset work from the bar.
    await byId(page, 'play').click();
    await waitPressed(page, true);
    assert.equal(await byId(page, 'play').textContent(), STRINGS[c.lang].pause);
    await byId(page, 'play').click();
    await waitPressed(page, false);
    await byId(page, 'reset').click();
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="step"]').textContent) === 0);
    await page.close();
  }
});

pageTest('present=1 on a phone (390x844), French and English: one column, nothing overlaps, no sideways scroll', async (open) => {
  for (const lang of ['fr', 'en']) {
    const name = `strong-d-${lang}-390x844`;
    const page = await open(`#preset=strong-d&present=1&lang=${lang}`, { viewport: { width: 390, height: 844 } });
    await ready(page);
    await trainTo(page, 6);
    const m = await measure(page);
    for (const s of ['#play', '#reset', '#lesson']) assert.ok(m.visible[s], `${name}: ${s} shows`);
    for (const s of ['#share', '#lang', 'header.top']) assert.ok(!m.visible[s], `${name}: ${s} is hidden`);
    assert.ok(m.panel && m.panel.y < m.cards[0].y, `${name}: the player and the lesson come first`);
    assertFullWidth(m, name);
    assertLaidOut(m, name);
    await shot(page, name);
    await page.close();
  }
});

// ---- hide= ----

pageTest('hide=controls at 1280x800 and 1024x768: the views take the page\'s width, no empty column', async (open) => {
  const cases = [
    { name: 'hide-controls-fr-1280x800', hash: '#preset=strong-d&hide=controls&play=1&lang=fr', viewport: { width: 1280, height: 800 } },
    { name: 'hide-controls-en-1024x768', hash: '#preset=strong-d&hide=controls&play=1&lang=en', viewport: { width: 1024, height: 768 } },
  ];
  for (const c of cases) {
    const page = await open(c.hash, { viewport: c.viewport });
    await ready(page);
    // no Play button without the panel: play=1 trains
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="step"]').textContent) >= 8, null, { polling: 100 });
    const m = await measure(page);
    assert.equal(m.panel, null, `${c.name}: no panel`);
    assert.ok(m.visible['#share'], `${c.name}: not presenting: the header and "Copy link" stay`);
    assertFullWidth(m, c.name, 0.95);
    assertLaidOut(m, c.name);
    for (const v of ['samples', 'dout', 'grad', 'costgrad', 'losses', 'realfake', 'meter', 'history', 'strip', 'film']) {
      assert.ok(m.cards.some((x) => x.name === v), `${c.name}: ${v} shows`);
    }
    assert.equal(hashParams(page).hide, 'controls');
    await shot(page, c.name);
    await page.close();
  }
});

pageTest('hide= with views\' names: those cards go, the others fill the width; a bad name is reported', async (open) => {
  const gone = ['losses', 'history', 'strip', 'realfake'];
  const cases = [
    { name: 'hide-views-fr-1024x768', hash: `#preset=strong-d&present=1&hide=${gone.join(',')}&lang=fr`, viewport: { width: 1024, height: 768 } },
    { name: 'hide-views-en-1280x800', hash: `#preset=strong-d&present=1&hide=${gone.join(',')}`, viewport: { width: 1280, height: 800 } },
    { name: 'hide-views-panel-en-1280x800', hash: '#preset=strong-d&hide=samples,dout,film,seed', viewport: { width: 1280, height: 800 }, gone: ['samples', 'dout', 'film'] },
  ];
  for (const c of cases) {
    const page = await open(c.hash, { viewport: c.viewport });
    await ready(page);
    await trainTo(page, 8);
    const m = await measure(page);
    const hidden = c.gone ?? gone;
    const names = m.cards.map((x) => x.name);
    for (const v of hidden) assert.ok(!names.includes(v), `${c.name}: ${v} is hidden`);
    for (const v of ['samples', 'dout', 'grad', 'costgrad', 'meter', 'film'].filter((v) => !hidden.includes(v))) {
      assert.ok(names.includes(v), `${c.name}: ${v} shows`);
    }
    if (!c.gone) assertFullWidth(m, c.name);
    assertLaidOut(m, c.name);
    assert.equal(hashParams(page).hide, c.hash.match(/hide=([^&]+)/)[1], `${c.name}: the link keeps what it hides`);
    await shot(page, c.name);
    await page.close();
  }
  // hide=seed (a control) with views: the seed's label goes too.
  // A bad name: named in the error line, in the page's language; the good names still apply.
  for (const lang of ['en', 'fr']) {
    const page = await open(`#present=1&hide=losses,chart&lang=${lang}`, { viewport: { width: 1024, height: 768 }, errorBox: true });
    await ready(page);
    assert.equal(await byId(page, 'error').isVisible(), true, 'the error line shows in presentation mode');
    const text = await page.locator('#error-text').textContent();
    assert.ok(text.startsWith(STRINGS[lang].errUrl.split('{')[0]), `the error line is in ${lang}: ${text}`);
    assert.match(text, /hide: no control or view named 'chart' \(controls: .*; views: samples, dout, grad, costgrad, losses, realfake, meter, history, pdata, strip, film\)/);
    assert.equal(await page.locator('[data-view=losses]').isHidden(), true, 'the good name still applies');
    assert.equal(await page.locator('[data-view=grad]').isVisible(), true);
    const m = await measure(page);
    assertLaidOut(m, `bad-name-${lang}`);
    if (lang === 'fr') await shot(page, 'bad-name-fr-1024x768');
    await page.close();
  }
});

// ---- embed=1 ----

pageTest('embed=1 with preset=strong-d keeps the lesson sentence and the gradient charts, drops the chrome', async (open) => {
  const cases = [
    { name: 'embed-strong-d-fr-720x560', hash: '#preset=strong-d&embed=1&play=1&lang=fr', viewport: { width: 720, height: 560 }, lang: 'fr', fits: true },
    { name: 'embed-strong-d-en-1024x768', hash: '#preset=strong-d&embed=1&play=1', viewport: { width: 1024, height: 768 }, lang: 'en', fits: true },
    { name: 'embed-strong-d-fr-390x844', hash: '#preset=strong-d&embed=1&play=1&lang=fr', viewport: { width: 390, height: 844 }, lang: 'fr' },
  ];
  for (const c of cases) {
    const page = await open(c.hash, { viewport: c.viewport });
    await ready(page);
    await trainTo(page, 12);
    const m = await measure(page);
    assert.equal(m.lang, c.lang);
    for (const s of ['#play', '#reset', '#lesson']) assert.ok(m.visible[s], `${c.name}: ${s} shows`);
    assert.match(m.lesson, c.lang === 'fr' ? /^D bien plus fort que G/ : /^D far stronger than G/, `${c.name}: the lesson sentence`);
    for (const s of ['header.top', '#share', '#lang', '#presets', '#seed', '#save']) assert.ok(!m.visible[s], `${c.name}: ${s} is hidden`);
    for (const id of ['samples', 'chart-d', 'chart-grad', 'cost-gradients', 'meter']) {
      assert.equal(await byId(page, id).isVisible(), true, `${c.name}: ${id} shows`);
    }
    for (const id of ['chart-loss', 'strip']) assert.equal(await byId(page, id).isHidden(), true, `${c.name}: ${id} is left out`);
    assertFullWidth(m, c.name);
    assertLaidOut(m, c.name);
    if (c.fits) assert.ok(m.scrollHeight <= m.innerHeight + 1, `${c.name}: fits without scrolling (${m.scrollHeight} > ${m.innerHeight})`);
    assert.equal(hashParams(page).embed, '1');
    await shot(page, c.name);
    await page.close();
  }
});

pageTest('embed=1&show=film,pdata: an embed keeps the views the link names besides its own', async (open) => {
  const page = await open('#embed=1&show=film,pdata&batch=16', { viewport: { width: 1024, height: 900 } });
  await ready(page);
  await trainTo(page, 3);
  for (const view of ['film', 'pdata', 'samples', 'dout']) {
    assert.equal(await page.locator(`[data-view="${view}"]`).first().isVisible(), true, `${view} shows`);
  }
  for (const id of ['chart-loss', 'strip']) assert.equal(await byId(page, id).isHidden(), true, `${id} is still left out`);
  assert.equal(hashParams(page).show, 'film,pdata', 'the link keeps show=');
});
