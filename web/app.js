// app.js - the page's glue: settings from the URL, the controls, the Worker that trains
// (worker.js), and the views it feeds. Snapshots are only stored when they arrive; one
// animation frame draws the newest, so a slow frame never queues work behind it.
import { LineChart } from './chart.js';
import { drawImages } from './draw.js';
import { STRINGS, pickLang, t, translate } from './i18n.js';
import {
  RESTART_KEYS, SETTINGS, engineConfig, fromHash, parseSetting, round, settingsFromPreset, toHash,
} from './state.js';

const $ = (id) => document.getElementById(id);
const link = fromHash(location.hash || location.search);
const view = { lang: pickLang(link.lang, navigator.languages ?? [navigator.language]), hide: link.hide, embed: link.embed, play: link.play };
let settings = { ...link.settings };
let presets = [];
let latest = null, framePending = false, realBytes = null, pendingDataset = settings.dataset;
let errorRetry = null, firstDrawn = false, hasMeter = true;

const charts = {
  loss: new LineChart($('chart-loss'), [{ key: 'loss_d', color: '#d9480f' }, { key: 'loss_g', color: '#1c7ed6' }]),
  d: new LineChart($('chart-d'), [{ key: 'd_real', color: '#2b8a3e' }, { key: 'd_fake', color: '#c2255c' }], { min: 0, max: 1, ref: 0.5 }),
  grad: new LineChart($('chart-grad'), [{ key: 'g_signal', color: '#7048e8' }], { log: true }),
};

const worker = new Worker(new URL('worker.js', import.meta.url), { type: 'module' });
const send = (type, extra = {}, transfer = []) => worker.postMessage({ type, ...extra }, transfer);

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
  history.replaceState(null, '', toHash(settings, view));
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

function clearCharts() {
  for (const c of Object.values(charts)) c.clear();
}

/** A new model from the current settings (the preset first, then the page's values). */
function restart() {
  clearCharts();
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
  if (key === 'dataset') return loadDataset(v);
  if (RESTART_KEYS.includes(key)) return restart();
  const { preset, ...live } = engineConfig(settings);
  send('retune', { config: live });
}

function loadDataset(name) {
  pendingDataset = name;
  clearCharts();
  realBytes = null;
  send('dataset', { name, config: engineConfig(settings) });
}

for (const el of document.querySelectorAll('[data-setting]')) {
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

const fmtSeconds = (s) => (s < 120 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`);

function drawMeter(m) {
  const names = STRINGS[view.lang][settings.dataset === 'fashion' ? 'fashionClasses' : 'classes'];
  const bars = $('meter-bars');
  if (bars.children.length !== 10) {
    bars.replaceChildren(...names.map(() => {
      const d = document.createElement('div');
      d.innerHTML = '<span class="fill"></span><span class="name"></span>';
      return d;
    }));
  }
  // The meter counts samples per class; the page shows shares of them.
  const counts = m?.histogram ?? new Array(10).fill(0);
  const total = counts.reduce((a, b) => a + b, 0) || 1;
  const hist = counts.map((c) => c / total);
  const most = Math.max(0.2, ...hist);
  [...bars.children].forEach((d, i) => {
    d.firstChild.style.height = `${(100 * hist[i]) / most}%`;
    d.firstChild.classList.toggle('low', hist[i] < 0.05);
    d.lastChild.textContent = names[i];
    d.title = `${names[i]}: ${(hist[i] * 100).toFixed(1)}%`;
  });
  bars.setAttribute('aria-label', names.map((n, i) => `${n} ${(hist[i] * 100).toFixed(0)}%`).join(', '));
  $('meter-text').textContent = !m
    ? (hasMeter ? '' : t(view.lang, 'noMeter'))
    : `${t(view.lang, 'coverage')} ${m.coverage}/10 · ${(m.confident * 100).toFixed(1)}% ${t(view.lang, 'confident')} · ${t(view.lang, 'stepLabel')} ${m.step}`;
}

function summarise(chart, labels) {
  const v = chart.latest();
  chart.canvas.setAttribute('aria-label', labels.map((k, i) => `${t(view.lang, k)} ${Number.isNaN(v[i]) ? '–' : round(v[i])}`).join(', '));
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
  $('digits').parentElement.title = t(view.lang, 'digitsHint');
  $('skipped').hidden = !s.skipped;
  if (s.skipped) $('skipped').textContent = t(view.lang, 'skipped', { n: s.skipped });
  if (s.meterChanged) drawMeter(s.meter);
  s.meterChanged = false;
  for (const c of Object.values(charts)) c.draw();
  summarise(charts.loss, ['lossD', 'lossG']);
  summarise(charts.d, ['dReal', 'dFake']);
  summarise(charts.grad, ['gradG']);
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
    send('init', { config: engineConfig(settings), dataset: settings.dataset });
    if (view.play) send('play');
  },
  snapshot(msg) {
    // A snapshot carries a meter reading only when the Worker has just taken one.
    for (const c of Object.values(charts)) c.append(msg.points);
    latest = { ...msg, meter: msg.meter ?? latest?.meter ?? null, meterChanged: !!msg.meter || !!latest?.meterChanged };
    scheduleDraw();
  },
  progress({ name, loaded, total }) {
    $('progress').hidden = false;
    $('progress-bar').value = total ? loaded / total : 0;
    $('progress-text').textContent = t(view.lang, 'loading', { name, pct: total ? `${Math.round((100 * loaded) / total)}%` : `${(loaded / 1e6).toFixed(1)} MB` });
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
    if (settings.dataset !== msg.name) {
      settings.dataset = msg.name; // a retry that succeeded after the select went back
      fillControls();
      writeUrl();
    }
    drawMeter(latest?.meter);
    $('progress-text').textContent = t(view.lang, 'loaded', { name: msg.name, count: msg.count });
    if (!$('error').hidden && errorRetry) clearError();
    scheduleDraw();
  },
  running({ value, active: isActive }) {
    updatePlay(value, isActive);
  },
  checkpoint({ bytes, step }) {
    download(bytes, `gan-${settings.dataset}-step${step}.gan`, 'application/octet-stream');
  },
  png({ bytes, step }) {
    download(bytes, `samples-${settings.dataset}-step${step}.png`, 'image/png');
  },
  loaded({ config }) {
    clearCharts();
    Object.assign(settings, {
      loss: config.loss, lr_g: round(config.lr_g), lr_d: round(config.lr_d), d_steps: config.d_steps,
      batch: config.batch, smoothing: round(1 - config.real_label), mbstd: !!config.mbstd, seed: config.seed,
    });
    fillControls();
    writeUrl();
  },
  error({ kind, message }) {
    const nonFinite = kind === 'training' && /(\d+) updates in a row had a non-finite/.exec(message);
    if (nonFinite) return showError('errNonFinite', { n: nonFinite[1] });
    const key = { checkpoint: 'errCheckpoint', training: 'errTraining', config: 'errConfig', core: 'errCore' }[kind] ?? 'errConfig';
    showError(key, { msg: message });
  },
};

worker.onmessage = (e) => onMessage[e.data.type]?.(e.data);
worker.onerror = (e) => showError('errCore', { msg: e.message ?? 'the Worker failed to start' });

// ---- start ----

if (view.embed) document.body.classList.add('embed');
for (const name of view.hide) {
  for (const el of document.querySelectorAll(`[data-control="${name}"]`)) el.hidden = true;
}
translate(document, view.lang);
document.documentElement.lang = view.lang;
$('lang').value = view.lang;
drawMeter(null);
if (link.errors.length) showError('errUrl', { msg: link.errors.join('; ') });
