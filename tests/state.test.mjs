// The link's view options in web/state.js without a browser: present=1 (a projector), and
// hide= with the views' names as well as the controls', checked against web/index.html.
// (tests/session.test.mjs covers the settings' round trip and bad values.)
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { MAX_THREADS as CORE_MAX_THREADS } from '../web/gan.js';
import { CONTROLS, HIDEABLE, MAX_THREADS, VIEWS, defaults, fromHash, toHash } from '../web/state.js';

const HTML = readFileSync(new URL('../web/index.html', import.meta.url), 'utf8');
const attrs = (name) => new Set([...HTML.matchAll(new RegExp(`${name}="([^"]+)"`, 'g'))].map((m) => m[1]));

test('present=1 is read, written only when on, and round-trips with the other view options', () => {
  assert.equal(fromHash('').present, false);
  assert.equal(fromHash('#present=1').present, true);
  assert.equal(fromHash('#present=true').present, true);
  assert.equal(fromHash('#present=0').present, false);
  assert.deepEqual(fromHash('#present=1').errors, []);

  assert.doesNotMatch(toHash(defaults(), {}), /present/, 'off: not in the link');
  assert.doesNotMatch(toHash(defaults(), { present: false }), /present/);

  const link = '#preset=strong-d&present=1&hide=losses,history,strip,realfake&play=1&lang=fr';
  const r = fromHash(link);
  assert.deepEqual(r.errors, []);
  assert.equal(r.present, true);
  assert.equal(r.play, true);
  assert.equal(r.lang, 'fr');
  assert.equal(r.settings.preset, 'strong-d');
  const hash = toHash(r.settings, r);
  assert.match(hash, /&present=1(&|$)/);
  assert.match(hash, /&hide=losses,history,strip,realfake(&|$)/, 'the views stay comma-separated, in order');
  const back = fromHash(hash);
  assert.deepEqual(back.errors, []);
  assert.deepEqual(back.settings, r.settings);
  for (const k of ['lang', 'embed', 'present', 'play', 'checkpoint']) assert.equal(back[k], r[k], k);
  assert.deepEqual([...back.hide], [...r.hide]);
  assert.equal(toHash(back.settings, back), hash, 'a second trip changes nothing');

  // present and embed are independent options
  const both = fromHash(toHash(defaults(), { embed: true, present: true }));
  assert.equal(both.embed, true);
  assert.equal(both.present, true);
});

test('hide= takes the views, the cards\' data-view names in index.html, and the controls', () => {
  assert.deepEqual([...attrs('data-view')].sort(), [...VIEWS].sort(), 'every card has a name hide= knows, and no more');
  assert.deepEqual([...attrs('data-control')].sort(), [...CONTROLS].sort(), 'every control hide= knows is in the page');
  assert.deepEqual(HIDEABLE, [...CONTROLS, ...VIEWS]);
  for (const name of HIDEABLE) {
    const r = fromHash(`#hide=${name}`);
    assert.deepEqual(r.errors, [], name);
    assert.deepEqual([...r.hide], [name]);
  }
  const all = fromHash(`#hide=${VIEWS.join(',')},controls`);
  assert.deepEqual(all.errors, []);
  assert.equal(all.hide.size, VIEWS.length + 1);
});

test('a bad hide= name is reported with the names there are; the good ones still apply', () => {
  const r = fromHash('#hide=losses,chart,Samples,,history&present=1');
  assert.deepEqual([...r.hide], ['losses', 'history']);
  assert.equal(r.present, true);
  assert.equal(r.errors.length, 2, r.errors.join('\n'));
  assert.match(r.errors[0], /^hide: no control or view named 'chart' \(controls: controls, presets, .*; views: samples, dout, grad, costgrad, losses, realfake, meter, history, pdata, strip, film\)$/);
  assert.match(r.errors[1], /'Samples'/, 'names are lower case');
});

test('show= names views an embed keeps; it round-trips, and a bad name is reported', () => {
  const link = fromHash('#embed=1&show=film,pdata');
  assert.deepEqual([...link.show], ['film', 'pdata']);
  assert.deepEqual(link.errors, []);
  assert.match(toHash(defaults(), { embed: true, show: link.show }), /&show=film,pdata&embed=1$/);
  assert.deepEqual([...fromHash(toHash(defaults(), { show: link.show })).show], ['film', 'pdata']);
  const bad = fromHash('#show=film,controls,nope');
  assert.deepEqual([...bad.show], ['film'], 'the good one applies');
  assert.equal(bad.errors.length, 2);
  assert.match(bad.errors[0], /^show: no view named 'controls' \(views: samples, /);
  assert.doesNotMatch(toHash(defaults(), {}), /show=/, 'written only when given');
});

test('game=1 and tour=N are view options: read, checked, written back', () => {
  const link = fromHash('#game=1&tour=4&lang=fr');
  assert.equal(link.game, true);
  assert.equal(link.tour, 4);
  assert.match(toHash(defaults(), link), /&game=1&tour=4$/);
  assert.deepEqual([fromHash('#').game, fromHash('#').tour], [false, 0]);
  for (const bad of ['0', '99', 'x', '2.5']) {
    const r = fromHash(`#tour=${bad}`);
    assert.equal(r.tour, 0);
    assert.match(r.errors[0], new RegExp(`^tour must be a step from 1 to \\d+, not '${bad.replace('.', '\\.')}'$`));
  }
});

test('threads=N is a runtime option: 1 to 64, read, written back only when given', () => {
  assert.equal(MAX_THREADS, CORE_MAX_THREADS, 'the page\'s bound is the core\'s');
  assert.equal(fromHash('').threads, null, 'not given: the default (every core when isolated)');
  assert.doesNotMatch(toHash(defaults(), {}), /threads/);
  for (const n of [1, 2, 3, 64]) {
    const r = fromHash(`#threads=${n}&lang=fr`);
    assert.deepEqual(r.errors, []);
    assert.equal(r.threads, n);
    const hash = toHash(r.settings, r);
    assert.match(hash, new RegExp(`&threads=${n}$`));
    assert.equal(fromHash(hash).threads, n, 'a link reproduces the count');
  }
  for (const bad of ['0', '65', '-1', '2.5', 'x', '', '1e1', '007', ' 2']) {
    const r = fromHash(`#threads=${encodeURIComponent(bad)}&seed=4`);
    assert.equal(r.threads, null, bad);
    assert.equal(r.settings.seed, 4, 'the rest of the link applies');
    assert.equal(r.errors.length, 1, bad);
    assert.equal(r.errors[0], `threads must be a whole number from 1 to 64, not '${bad}'`);
  }
  assert.deepEqual([...fromHash('#hide=threads').hide], ['threads'], 'the control can be hidden like the others');
});
