// app.js - the page's glue: settings from the URL, the controls, the Worker that trains
// (worker.js), and the views it feeds. Snapshots are only stored when they arrive; one
// animation frame draws the newest, so a slow frame never queues work behind it.
import { LineChart } from './chart.js';
import { CostChart, dView, gradientView } from './costs.js';
import { drawImages } from './draw.js';
import { Game } from './game.js';
import { PdataView } from './pdata.js';
import { Tour } from './tour.js';
import { FULL, MeterHistory } from './history.js';
import { STRINGS, num, pct, pickLang, t, translate } from './i18n.js';
import {
  LIVE_KEYS, LOSSES, RESTART_KEYS, SETTINGS, engineConfig, fromHash, parseSetting, round, settingsFromPreset, toHash,
} from './state.js';

const $ = (id) => document.getElementById(id);
const link = fromHash(location.hash || location.search);
const view = {
  lang: pickLang(link.lang, navigator.languages ?? [navigator.language]), hide: link.hide, show: link.show, embed: link.embed,
  present: link.present, play: link.play, checkpoint: link.checkpoint, // the trained model the running one started from
  threads: link.threads, // the link's count of threads (null: every core), kept in the link as given
};
let settings = { ...link.settings };
let presets = [];
let latest = null, framePending = false, realBytes = null, pendingDataset = settings.dataset;
let errorRetry = null, firstDrawn = false, hasMeter = true, generation = null;
let meterRule = null; // the meter's reading rule (gan.js meterRule), sent by the Worker with the data

// The cost-dependent charts name their lines and reference lines in the page's language.
const chartText = (key, ref) => t(view.lang, key, { v: ref ? num(view.lang, ref.y) : '' });
const charts = {
  loss: new LineChart($('chart-loss'), [{ key: 'loss_d', color: '#d9480f' }, { key: 'loss_g', color: '#1c7ed6' }]),
  d: new CostChart($('chart-d'), dView, chartText, settings.loss),
  grad: new LineChart($('chart-grad'), [{ key: 'g_signal', color: '#7048e8' }], { log: true }),
  costGrad: new CostChart($('cost-gradients'), gradientView, chartText, settings.loss),
  history: new MeterHistory($('meter-history')),
};
const costCharts = [[charts.d, $('card-d')], [charts.costGrad, $('card-costgrad')]];
for (const [c] of costCharts) c.onSwitch = () => renderCostViews();

const worker = new Worker(new URL('worker.js', import.meta.url), { type: 'module' });
const send = (type, extra = {}, transfer = []) => worker.postMessage({ type, ...extra }, transfer);
send('core', { threads: view.threads }); // first: which core the Worker starts (worker.js)
const game = new Game($('game'), $('game-open'), {
  send, lang: () => view.lang, dataset: () => settings.dataset, onToggle: () => {
    writeUrl();
    if (game.isOpen) tour?.gameOpened();
  },
});

// "P_θ against P_data" (pdata.js): the Worker sends samples only while the view is in sight.
const pdata = new PdataView($('pdata').closest('figure'), { lang: view.lang, onShown: (on) => send('pdata', { on }) });

// ---- the guided tour (tour.js): its buttons act through the page's own controls ----

let tour = null;
const tourAct = {
  preset: (name) => applyPreset(name),
  dataset: (name) => {
    if (settings.dataset === name) return;
    settings.dataset = name;
    fillControls();
    writeUrl();
    loadDataset(name);
  },
  play: () => send('play'),
  pause: () => send('pause'),
  steps: (kind, n) => { for (let i = 0; i < n; i++) send('step', { kind }); },
  openGame: () => game.open(),
};
function openTour(step = 1) {
  if (!tour) tour = new Tour($('tour'), { lang: () => view.lang, act: tourAct, onStep: () => tourShown() }, step);
  else tour.open(step - 1);
  tourShown();
}
function tourShown() {
  $('tour-open').setAttribute('aria-expanded', String(!!tour && !tour.root.hidden));
  writeUrl();
}
$('tour-open').addEventListener('click', () => (tour && !tour.root.hidden ? tour.close() : openTour(1)));

// ---- errors ----

let shownError = null; // { key, vars }, re-rendered when the language changes
function showError(key, vars = {}, retry = null) {
  shownError = { key, vars };
  $('error-text').textContent = t(view.lang, key, vars);
  $('error').hidden = false;
  errorRetry = retry;
  $('retry').hidden = !retry;
}

function clearError() {
  shownError = null;
  $('error').hidden = true;
  errorRetry = null;
}

$('error-close').addEventListener('click', clearError);
$('retry').addEventListener('click', () => {
  const retry = errorRetry;
  clearError();
  retry?.();
});

// ---- settings, controls and the URL ----

function writeUrl() {
  history.replaceState(null, '', toHash(settings, { ...view, game: game.isOpen, tour: tour && !tour.root.hidden ? tour.i + 1 : 0 }));
}

// ---- the quiet line: news that is not an error (a trained model not built yet, ...) ----

let shownNotice = null;
function showNotice(key, vars = {}) {
  shownNotice = key && { key, vars };
  const box = $('notice');
  box.hidden = !key;
  if (!key) return box.replaceChildren();
  // `command` in a sentence shows as code.
  box.replaceChildren(...t(view.lang, key, vars).split('`').map((part, i) => {
    if (!(i % 2)) return document.createTextNode(part);
    const code = document.createElement('code');
    code.textContent = part;
    return code;
  }));
}

// ---- threads: the count in use in the status line, a small control within the pool, and
// one quiet line when the page is not cross-origin isolated (one thread, the single-threaded build) ----

let threads = null; // { count, pool, isolated, failed } from the Worker
function showThreads(info = threads) {
  if (!info) return;
  threads = info;
  const figure = $('threads'), b = document.createElement('b');
  b.textContent = String(info.count);
  const [before, after] = t(view.lang, info.count === 1 ? 'threadOne' : 'threadMany', { n: '\0' }).split('\0');
  const note = !info.isolated ? ['noticeNoThreads', {}] : info.failed ? ['noticeThreadsFailed', { msg: info.failed }] : null;
  figure.replaceChildren(before, b, after);
  // An embed has no height to spare for the quiet line (it fits its 720x560 iframe): the
  // figure says it in a few muted words, the whole sentence on hover.
  if (note && view.embed) {
    const why = Object.assign(document.createElement('span'), { className: 'quiet', textContent: ` ${t(view.lang, info.isolated ? 'threadsWhyFailed' : 'threadsWhy')}` });
    why.dataset.testid = 'threads-why';
    figure.append(why);
  }
  figure.hidden = false;
  figure.title = note ? t(view.lang, ...note) : t(view.lang, 'threadsHint', { pool: info.pool });
  $('threads-control').hidden = info.pool < 2 || view.hide.has('threads') || view.hide.has('controls');
  const input = $('threads-input');
  input.max = String(info.pool);
  input.value = String(info.count);
  input.title = t(view.lang, 'threadsHint', { pool: info.pool });
  $('threads-note').hidden = !note || view.embed;
  $('threads-note').textContent = note ? t(view.lang, ...note) : '';
}
$('threads-input').addEventListener('change', () => {
  const input = $('threads-input'), n = Number(input.value);
  if (!threads || !Number.isInteger(n) || n < 1 || n > threads.pool) {
    showError('errConfig', { msg: `threads must be a whole number from 1 to ${threads?.pool ?? 1}, not '${input.value}'` });
    input.value = String(threads?.count ?? 1);
    return;
  }
  if (n === threads.count) return;
  view.threads = n;
  writeUrl();
  send('threads', { n });
});

/** A new model replaced the one the page started with: the link stops naming its checkpoint. */
function leaveCheckpoint() {
  if (!view.checkpoint) return;
  view.checkpoint = null;
  showNotice(null);
  writeUrl();
}

function fillControls() {
  for (const el of document.querySelectorAll('[data-setting]')) {
    const v = settings[el.dataset.setting];
    if (el.type === 'checkbox') el.checked = !!v;
    else el.value = String(v);
  }
  for (const b of $('presets').children) b.setAttribute('aria-pressed', String(b.dataset.preset === settings.preset));
  const p = presets.find((x) => x.name === settings.preset);
  $('lesson').textContent = p ? p.lesson[view.lang] : '';
}

/** Starts every chart afresh (a new model), the cost-dependent ones with its cost. */
function clearCharts(cost) {
  charts.loss.clear();
  charts.grad.clear();
  charts.history.clear();
  for (const [c] of costCharts) c.clear(cost);
  renderCostViews();
  summariseHistory();
}

/** Caption, legend and hint of the charts whose content depends on the cost. */
function renderCostViews() {
  for (const [chart, card] of costCharts) {
    const v = chart.view;
    card.dataset.kind = v.kind;
    card.dataset.cost = chart.cost;
    const caption = card.querySelector('figcaption'), hint = card.querySelector('.hint');
    caption.dataset.i18n = v.title;
    caption.textContent = t(view.lang, v.title);
    hint.dataset.i18n = v.hint;
    hint.textContent = t(view.lang, v.hint);
    card.querySelector('.legend').replaceChildren(...v.series.map((s) => {
      const item = document.createElement('span'), swatch = document.createElement('i');
      item.className = s.chosen ? 'item chosen' : 'item';
      swatch.style.setProperty('--c', s.color);
      if (s.dash) swatch.classList.add('dashed');
      item.append(swatch, s.chosen ? `${t(view.lang, s.label)} ${t(view.lang, 'inUse')}` : t(view.lang, s.label));
      return item;
    }));
  }
}

/** A new model from the current settings (the preset first, then the page's values). */
function restart() {
  send('reset', { config: engineConfig(settings) });
}

function onSettingChange(el) {
  const key = el.dataset.setting;
  const v = el.type === 'checkbox' ? el.checked : parseSetting(key, el.value);
  if (v instanceof Error) {
    showError('errConfig', { msg: v.message });
    el.value = String(settings[key]);
    return;
  }
  if (v === settings[key]) return;
  settings[key] = v;
  writeUrl();
  if (key === 'smoothing') charts.d.setContext({ realLabel: 1 - v });
  if (key === 'dataset') return loadDataset(v);
  if (RESTART_KEYS.includes(key)) return restart();
  const { preset, ...live } = engineConfig(settings);
  send('retune', { config: live });
}

function loadDataset(name) {
  pendingDataset = name;
  realBytes = null;
  send('dataset', { name, config: engineConfig(settings) });
}

// The costs the core has, each named in the page's words (loss_NAME in i18n.js).
$('loss').replaceChildren(...LOSSES.map((name) => {
  const o = document.createElement('option');
  o.value = name;
  o.dataset.i18n = `loss_${name}`;
  o.textContent = name;
  return o;
}));
for (const el of document.querySelectorAll('[data-setting]')) {
  // the bounds are the engine's (state.js's SETTINGS, from the core's table)
  const [kind, , min, max] = SETTINGS[el.dataset.setting];
  if (kind === 'int' || kind === 'number') el.min = String(min), el.max = String(max);
  el.addEventListener('change', () => onSettingChange(el));
}

function applyPreset(name) {
  const p = presets.find((x) => x.name === name);
  settings = settingsFromPreset(settings, p);
  fillControls();
  writeUrl();
  restart();
}

function buildPresetButtons() {
  const box = $('presets');
  box.replaceChildren(...presets.map((p) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = p.name;
    b.dataset.preset = p.name;
    b.setAttribute('data-testid', `preset-${p.name}`);
    b.title = p.lesson[view.lang];
    b.addEventListener('click', () => applyPreset(p.name));
    return b;
  }));
}

function setLang(lang) {
  view.lang = lang;
  document.documentElement.lang = lang;
  $('lang').value = lang;
  translate(document, lang);
  for (const b of $('presets').children) b.title = presets.find((p) => p.name === b.dataset.preset).lesson[lang];
  fillControls();
  drawMeter(latest?.meter);
  updatePlay(playing, active);
  if (shownError) $('error-text').textContent = t(lang, shownError.key, shownError.vars);
  if (shownNotice) showNotice(shownNotice.key, shownNotice.vars);
  for (const c of [charts.loss, charts.d, charts.grad, charts.costGrad]) c.decimal = num(lang, '.');
  for (const [c] of costCharts) c.relabel();
  renderCostViews();
  nameHistoryRows();
  summariseHistory();
  labelFilm();
  game.relabel();
  tour?.relabel();
  pdata.setLang(lang);
  showThreads();
  $('history-zero').textContent = pct(lang, 0);
  $('history-full').textContent = `≥ ${pct(lang, FULL)}`;
  for (const c of Object.values(charts)) c.dirty = true;
  scheduleDraw(); // the status line and the charts' text alternatives
  writeUrl();
}

$('lang').addEventListener('change', () => setLang($('lang').value));

// ---- the player ----

let playing = false, active = false;
function updatePlay(value, isActive) {
  playing = value;
  active = isActive;
  const b = $('play');
  b.setAttribute('aria-pressed', String(value));
  b.textContent = t(view.lang, value ? 'pause' : 'play');
  b.title = value && !isActive ? t(view.lang, 'waiting') : '';
  for (const id of ['step', 'step-d', 'step-g']) $(id).disabled = value;
}

$('play').addEventListener('click', () => send(playing ? 'pause' : 'play'));
$('step').addEventListener('click', () => send('step', { kind: 'train' }));
$('step-d').addEventListener('click', () => send('step', { kind: 'd' }));
$('step-g').addEventListener('click', () => send('step', { kind: 'g' }));
$('reset').addEventListener('click', restart);

// ---- checkpoints, PNG, share ----

function download(bytes, name, type) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([bytes], { type }));
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}

$('save').addEventListener('click', () => send('save'));
$('export').addEventListener('click', () => send('export'));
$('export-film').addEventListener('click', () => send('exportStrip'));
$('load').addEventListener('change', async () => {
  const file = $('load').files[0];
  if (!file) return;
  const bytes = new Uint8Array(await file.arrayBuffer());
  $('load').value = '';
  send('load', { bytes }, [bytes.buffer]);
});
$('share').addEventListener('click', async () => {
  try {
    await navigator.clipboard.writeText(location.href);
    $('share').textContent = t(view.lang, 'copied');
    setTimeout(() => ($('share').textContent = t(view.lang, 'share')), 1500);
  } catch {
    prompt(t(view.lang, 'share'), location.href);
  }
});

// ---- views ----

const fmtSeconds = (s) => (s < 120 ? `${num(view.lang, s.toFixed(1))} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`);

/** The meter's class names; an eleventh count is "not a digit" (or not clothing). */
function classNames(count = 10) {
  const fashion = settings.dataset === 'fashion';
  const names = [...STRINGS[view.lang][fashion ? 'fashionClasses' : 'classes']];
  if (count > 10) names.push(t(view.lang, fashion ? 'notClothing' : 'notDigit'));
  return names;
}

function drawMeter(m) {
  // The meter counts samples per class; the page shows shares of them. Below the meter's
  // confidence floor the shares are noise's: the bars are greyed and the caption says so.
  const counts = m?.histogram ?? new Array(11).fill(0);
  const names = classNames(counts.length);
  const bars = $('meter-bars');
  if (bars.children.length !== names.length) {
    bars.style.setProperty('--classes', names.length);
    bars.replaceChildren(...names.map((_, i) => {
      const d = document.createElement('div');
      d.innerHTML = '<span class="fill"></span><span class="name"></span>';
      if (i === 10) d.classList.add('other');
      return d;
    }));
  }
  const unsure = !!m && !m.recognisable;
  bars.classList.toggle('unsure', unsure);
  const total = counts.reduce((a, b) => a + b, 0) || 1;
  const hist = counts.map((c) => c / total);
  const most = Math.max(0.2, ...hist);
  [...bars.children].forEach((d, i) => {
    d.firstChild.style.height = `${(100 * hist[i]) / most}%`;
    d.firstChild.classList.toggle('low', hist[i] < 0.05);
    d.lastChild.textContent = i === 10 ? '?' : names[i];
    d.title = `${names[i]}: ${pct(view.lang, hist[i], 1)}`;
  });
  const fashion = settings.dataset === 'fashion';
  const shares = names.map((n, i) => `${n} ${pct(view.lang, hist[i])}`).join(', ');
  bars.setAttribute('aria-label', unsure ? `${shares} (${t(view.lang, fashion ? 'noGarments' : 'noDigits')})` : shares);
  const notClass = m ? `${pct(view.lang, m.junk ?? 0, 1)} ${t(view.lang, fashion ? 'notClothing' : 'notDigit')}` : '';
  $('meter-text').textContent = !m
    ? (hasMeter ? '' : t(view.lang, 'noMeter'))
    : unsure
      ? `${t(view.lang, fashion ? 'noGarments' : 'noDigits')} · ${notClass} · ${t(view.lang, 'stepLabel')} ${m.step}`
      : `${t(view.lang, 'coverage')} ${m.coverage}/10 · ${pct(view.lang, m.confident, 1)} ${t(view.lang, 'confident')} · ${notClass} · ${t(view.lang, 'stepLabel')} ${m.step}`;
}

function nameHistoryRows() {
  charts.history.names = classNames(charts.history.rows);
  charts.history.dirty = true;
}

function summarise(chart, labels) {
  const v = chart.latest();
  chart.canvas.setAttribute('aria-label', labels.map((k, i) => `${t(view.lang, k)} ${Number.isNaN(v[i]) ? '–' : num(view.lang, round(v[i]))}`).join(', '));
}

function summariseHistory() {
  const { columns, canvas } = charts.history;
  if (!columns.length) return canvas.setAttribute('aria-label', t(view.lang, 'historyEmpty'));
  const last = columns[columns.length - 1], names = classNames(last.shares.length);
  const top = last.shares.map((s, i) => [s, i]).sort((a, b) => b[0] - a[0]).slice(0, 3)
    .map(([s, i]) => `${names[i]} ${pct(view.lang, s)}`).join(', ');
  canvas.setAttribute('aria-label', t(view.lang, 'historyAlt', { n: columns.length, from: columns[0].step, to: last.step, top }));
}

// ---- the filmstrip: the fixed-noise grid at steps 0, 50, 100, 200, 500, ... (filmstrip.js) ----

function clearFilm() {
  $('film').replaceChildren();
}

function addFrames(frames) {
  for (const f of frames) {
    const li = document.createElement('li'), canvas = document.createElement('canvas'), caption = document.createElement('span');
    li.dataset.step = String(f.step);
    canvas.setAttribute('role', 'img');
    drawImages(canvas, f.bytes, 64, 8);
    li.append(canvas, caption);
    $('film').append(li);
  }
  labelFilm();
}

/** The film's title and each frame's step, in the page's language. */
function labelFilm() {
  const title = settings.dataset === 'fashion' ? 'filmFashion' : 'film';
  const caption = document.querySelector('[data-view=film] figcaption');
  caption.dataset.i18n = title;
  caption.textContent = t(view.lang, title);
  for (const li of $('film').children) {
    const text = t(view.lang, 'filmStep', { n: li.dataset.step });
    li.querySelector('span').textContent = text;
    li.querySelector('canvas').setAttribute('aria-label', text);
  }
}

function draw() {
  framePending = false;
  const s = latest;
  if (!s) return;
  if (s.samples) {
    drawImages($('samples'), s.samples, 64, 8);
    drawImages($('fake'), s.samples, 16, 4);
    drawImages($('strip'), s.strip, 10, 10);
    s.samples = null;
    if (!firstDrawn) {
      firstDrawn = true;
      document.body.dataset.firstSamplesMs = String(Math.round(performance.now()));
    }
  }
  if (realBytes) {
    drawImages($('real'), realBytes, 16, 4);
    realBytes = null;
  }
  $('step-count').textContent = String(s.step);
  $('d-count').textContent = String(s.dSteps);
  $('ips').textContent = s.imagesPerSecond ? s.imagesPerSecond.toFixed(0) : '–';
  $('time').textContent = fmtSeconds(s.seconds);
  $('digits').textContent = s.digitsAt
    ? `${t(view.lang, 'stepLabel')} ${s.digitsAt.step}, ${fmtSeconds(s.digitsAt.seconds)}` : t(view.lang, 'notYet');
  $('digits').parentElement.title = meterRule
    ? t(view.lang, 'digitsHint', { share: pct(view.lang, meterRule.confident), n: meterRule.samples }) : '';
  $('skipped').hidden = !s.skipped;
  if (s.skipped) $('skipped').textContent = t(view.lang, 'skipped', { n: s.skipped });
  // the session sends a stretch of divergence while it lasts and a while after (session.js)
  const div = s.diverging;
  $('diverging').hidden = !div;
  if (div) {
    const loss = Number.isFinite(div.loss) ? div.loss.toExponential(1).replace('-', '−') : String(div.loss);
    $('diverging').textContent = t(view.lang, 'diverging', { step: div.step, loss: num(view.lang, loss) });
  }
  if (s.meterChanged) {
    drawMeter(s.meter);
    if (charts.history.names.length !== charts.history.rows) nameHistoryRows();
    summariseHistory();
  }
  s.meterChanged = false;
  for (const c of Object.values(charts)) c.draw();
  summarise(charts.loss, ['lossD', 'lossG']);
  summarise(charts.d, charts.d.view.series.map((x) => x.label));
  summarise(charts.grad, ['gradG']);
  summarise(charts.costGrad, charts.costGrad.view.series.map((x) => x.label));
}

function scheduleDraw() {
  if (!framePending) {
    framePending = true;
    requestAnimationFrame(draw);
  }
}
addEventListener('resize', () => {
  for (const c of Object.values(charts)) c.dirty = true;
  scheduleDraw();
});

// ---- messages from the Worker ----

const onMessage = {
  hello(msg) {
    presets = msg.presets;
    showThreads(msg.threads);
    buildPresetButtons();
    let preset = presets.find((p) => p.name === settings.preset);
    if (!preset) {
      showError('errUrl', { msg: `preset: no preset named '${settings.preset}' (one of ${presets.map((p) => p.name).join(', ')})` });
      preset = presets[0];
    }
    // The preset gives every value the link does not set.
    const fromPreset = settingsFromPreset(settings, preset);
    for (const key of Object.keys(SETTINGS)) if (!link.given.has(key)) settings[key] = fromPreset[key];
    settings.preset = preset.name;
    setLang(view.lang);
    charts.d.setContext({ realLabel: 1 - settings.smoothing });
    // A trained model from the link: its configuration and weights, then the live settings
    // the link spells out (a preset's, or its own) over them, e.g. checkpoint=...&preset=strong-d.
    const live = Object.fromEntries(Object.entries(engineConfig(settings))
      .filter(([k]) => LIVE_KEYS.includes(k) && (link.given.has('preset') || link.given.has(k === 'real_label' ? 'smoothing' : k))));
    send('init', { config: engineConfig(settings), dataset: settings.dataset, checkpoint: view.checkpoint, live });
    game.start();
    if (view.play) send('play');
  },
  snapshot(msg) {
    // Statistics belong to a model: a new one (restart, preset, dataset, checkpoint) starts
    // the charts afresh, in the order the Worker made them, so no point of the old model
    // lands on the new one's charts.
    if (msg.generation !== generation) {
      if (generation !== null) leaveCheckpoint();
      generation = msg.generation;
      clearCharts(msg.cost);
      clearFilm();
      pdata.clearFake();
    }
    if (msg.pdata) pdata.setFake(msg.pdata);
    if (msg.frames?.length) addFrames(msg.frames);
    tour?.snapshot(msg, { dataset: settings.dataset });
    for (const c of Object.values(charts)) c.append?.(msg.points);
    // A change of cost with no point yet (paused) still switches the views.
    for (const [c] of costCharts) c.setCost(msg.cost, msg.step);
    // A snapshot carries a meter reading only when the Worker has just taken one.
    if (msg.meter) charts.history.add(msg.meter);
    latest = { ...msg, meter: msg.meter ?? latest?.meter ?? null, meterChanged: !!msg.meter || !!latest?.meterChanged };
    scheduleDraw();
  },
  progress({ name, loaded, total }) {
    $('progress').hidden = false;
    $('progress-bar').value = total ? loaded / total : 0;
    $('progress-text').textContent = t(view.lang, 'loading', { name, pct: total ? pct(view.lang, loaded / total) : `${num(view.lang, (loaded / 1e6).toFixed(1))} MB` });
  },
  notice({ key, name }) {
    if (key === 'missing') showNotice('noticeMissing', { name });
  },
  data(msg) {
    $('progress').hidden = true;
    if (!msg.ok) {
      if (msg.current && msg.current !== settings.dataset) {
        settings.dataset = msg.current;
        fillControls();
        writeUrl();
      }
      const name = pendingDataset;
      showError('errDataset', { name, msg: msg.message }, () => loadDataset(name));
      return;
    }
    realBytes = msg.real;
    hasMeter = msg.meter;
    meterRule = msg.rule ?? meterRule;
    if (settings.dataset !== msg.name) {
      settings.dataset = msg.name; // a retry that succeeded after the select went back
      fillControls();
      writeUrl();
    }
    drawMeter(latest?.meter);
    nameHistoryRows();
    $('progress-text').textContent = t(view.lang, 'loaded', { name: msg.name, count: msg.count });
    if (!$('error').hidden && errorRetry) clearError();
    scheduleDraw();
  },
  pdataReal(msg) {
    pdata.setReal(msg);
  },
  running({ value, active: isActive }) {
    updatePlay(value, isActive);
  },
  checkpoint({ bytes, step }) {
    download(bytes, `gan-${settings.dataset}-step${step}.gan`, 'application/octet-stream');
  },
  png({ bytes, step, what }) {
    download(bytes, `${what === 'progress' ? 'progress' : 'samples'}-${settings.dataset}-step${step}.png`, 'image/png');
  },
  loaded({ config, name, step }) {
    if (name) showNotice('noticeLoaded', { name, step });
    Object.assign(settings, {
      loss: config.loss, lr_g: round(config.lr_g), lr_d: round(config.lr_d), d_steps: config.d_steps,
      batch: config.batch, smoothing: round(1 - config.real_label), mbstd: !!config.mbstd, seed: config.seed,
    });
    charts.d.setContext({ realLabel: config.real_label });
    fillControls();
    writeUrl();
  },
  threads: (msg) => showThreads(msg),
  round: (msg) => game.onRound(msg),
  error({ kind, message, name, nonFinite }) {
    if (nonFinite) return showError('errNonFinite', { n: nonFinite });
    const key = {
      checkpoint: 'errCheckpoint', linkCheckpoint: 'errUrlCheckpoint', training: 'errTraining', config: 'errConfig', core: 'errCore',
    }[kind] ?? 'errConfig';
    showError(key, { msg: message, name });
  },
};

worker.onmessage = (e) => onMessage[e.data.type]?.(e.data);
worker.onerror = (e) => showError('errCore', { msg: e.message ?? 'the Worker failed to start' });

// ---- start ----

// The divergence warning sits in the status line beside the discarded updates.
const divergingBox = Object.assign(document.createElement('span'), { id: 'diverging', className: 'warn', hidden: true });
divergingBox.dataset.testid = 'diverging';
$('skipped').after(divergingBox);
if (view.embed) document.body.classList.add('embed');
if (view.present) document.body.classList.add('present'); // for a projector: style.css
// show=VIEW: a view an embed keeps besides its own (the film, P_θ against P_data, ...)
for (const name of view.show) for (const el of document.querySelectorAll(`[data-view="${name}"]`)) el.dataset.shown = '';
for (const name of view.hide) {
  for (const el of document.querySelectorAll(`[data-control="${name}"], [data-view="${name}"]`)) el.hidden = true;
}
translate(document, view.lang);
document.documentElement.lang = view.lang;
$('lang').value = view.lang;
drawMeter(null);
renderCostViews();
if (link.errors.length) showError('errUrl', { msg: link.errors.join('; ') });
if (link.game) game.open();
if (link.tour) openTour(link.tour);
