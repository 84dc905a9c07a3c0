// compare.js - two trainings side by side (compare.html#compare=...): two
// sessions in two Workers (worker.js, the page's own training loop), same seed, each with
// its grid, D's answers and mode meter, for the course's "simultaneous progress" and its
// comparisons:
//   compare=dataset        the same recipe on MNIST and on Fashion-MNIST
//   compare=loss           the non-saturating cost against minimax (the rest as the preset)
//   compare=preset:NAME    the preset of the link (balanced by default) against NAME
// The other link settings (preset, seed, batch, lang, play=1, ...) apply to both. Each
// column pauses and resets on its own; the other keeps training. On a cross-origin
// isolated page each column trains on half the cores (at least one; threads=N: N each),
// elsewhere on one thread, which the page says in one quiet line.
import { CostChart, dView } from './costs.js';
import { drawImages } from './draw.js';
import { fill, num, pct, pickLang, t } from './i18n.js';
import { engineConfig, fromHash, settingsFromPreset } from './state.js';

const WORDS = {
  en: {
    title: 'Two trainings side by side', back: 'Back to the playground', playBoth: 'Play both', pauseBoth: 'Pause both',
    play: 'Play', pause: 'Pause', reset: 'Reset', loading: 'loading the data…',
    dataset: 'The same recipe on two datasets: the course’s “simultaneous progress”.',
    loss: 'The same model with two costs for G: non-saturating against minimax.',
    preset: 'Two lessons side by side: {a} against {b}.',
    status: 'step {step} · {ips} images/s · {threads}', meter: '{coverage} {cov}/10 · {confident} {conf}', noMeter: 'no mode meter yet',
    bad: 'compare must be dataset, loss or preset:NAME, not “{v}”', badPreset: 'compare: no preset named “{v}”',
  },
  fr: {
    title: 'Deux entraînements côte à côte', back: 'Retour au bac à sable', playBoth: 'Lancer les deux', pauseBoth: 'Mettre les deux en pause',
    play: 'Lancer', pause: 'Pause', reset: 'Réinitialiser', loading: 'chargement des données…',
    dataset: 'La même recette sur deux jeux de données : les « progrès simultanés » du cours.',
    loss: 'Le même modèle avec deux coûts pour G : non saturant face à minimax.',
    preset: 'Deux leçons côte à côte : {a} face à {b}.',
    status: 'pas {step} · {ips} images/s · {threads}', meter: '{coverage} {cov}/10 · {confident} {conf}', noMeter: 'pas encore de compteur de modes',
    bad: 'compare doit valoir dataset, loss ou preset:NOM, pas « {v} »', badPreset: 'compare : aucun préréglage nommé « {v} »',
  },
};
const $ = (id) => document.getElementById(id);

const params = new URLSearchParams(location.hash.replace(/^#/, ''));
const mode = params.get('compare') ?? 'dataset';
params.delete('compare');
const link = fromHash(params.toString());
const lang = pickLang(link.lang, navigator.languages ?? [navigator.language]);
const W = WORDS[lang];
document.documentElement.lang = lang;

function showError(text) {
  $('cmp-error').textContent = text;
  $('cmp-error').hidden = false;
}

/** The two sides' page settings, from the link and the presets: [{ label, settings }]. */
function sides(presets) {
  const base = presets.find((p) => p.name === link.settings.preset) ?? presets[0];
  const from = (preset, over = {}) => {
    const s = settingsFromPreset({ ...link.settings }, preset);
    for (const key of link.given) if (key !== 'preset') s[key] = link.settings[key];
    return { ...s, ...over };
  };
  if (mode === 'dataset') {
    $('cmp-sub').textContent = W.dataset;
    return [{ label: t(lang, 'mnist'), settings: from(base, { dataset: 'mnist' }) },
      { label: t(lang, 'fashion'), settings: from(base, { dataset: 'fashion' }) }];
  }
  if (mode === 'loss') {
    $('cmp-sub').textContent = W.loss;
    return ['ns', 'minimax'].map((loss) => ({ label: t(lang, `cost_${loss}`), settings: from(base, { loss }) }));
  }
  const m = /^preset:([a-z0-9-]{1,32})$/.exec(mode);
  if (!m) throw new Error(fill(W.bad, { v: mode }));
  const other = presets.find((p) => p.name === m[1]);
  if (!other) throw new Error(fill(W.badPreset, { v: m[1] }));
  $('cmp-sub').textContent = fill(W.preset, { a: base.name, b: other.name });
  return [{ label: base.name, settings: from(base) }, { label: other.name, settings: from(other) }];
}

/** One column: its Worker, grid, D's chart, meter line and its own Play / Reset. */
class Column {
  constructor(index, onHello) {
    this.index = index;
    this.el = document.createElement('section');
    this.el.className = 'card cmp-col';
    this.el.dataset.testid = `cmp-col-${index}`;
    const mk = (tag, cls, testid) => {
      const e = document.createElement(tag);
      if (cls) e.className = cls;
      if (testid) e.dataset.testid = `cmp-${testid}-${index}`;
      return e;
    };
    this.title = mk('h2', '', 'title');
    this.status = mk('p', 'cmp-status', 'status');
    this.tools = mk('div', 'cmp-tools');
    this.playBtn = mk('button', '', 'play');
    this.resetBtn = mk('button', '', 'reset');
    for (const b of [this.playBtn, this.resetBtn]) b.type = 'button';
    this.tools.append(this.playBtn, this.resetBtn);
    this.samples = mk('canvas', 'samples-canvas', 'samples');
    this.samples.setAttribute('role', 'img');
    this.caption = mk('p', 'cmp-chart-title');
    this.legend = mk('div', 'legend');
    this.chartCanvas = mk('canvas', 'chart-canvas', 'chart');
    this.meter = mk('p', 'cmp-meter', 'meter');
    this.el.append(this.title, this.status, this.tools, this.samples, this.caption, this.legend, this.chartCanvas, this.meter);
    this.running = false;
    this.chart = new CostChart(this.chartCanvas, dView, (key, ref) => t(lang, key, { v: ref ? num(lang, ref.y) : '' }));
    this.chart.decimal = num(lang, '.');
    this.generation = null;
    this.worker = new Worker(new URL('worker.js', import.meta.url), { type: 'module' });
    // first: the core to start, on half the cores when isolated (worker.js)
    this.send('core', { threads: link.threads, share: 2 });
    this.threads = null;
    this.worker.onmessage = (e) => {
      const msg = e.data;
      if (msg.type === 'hello') {
        this.threads = msg.threads;
        this.el.dataset.threads = String(msg.threads.count);
        onThreads(msg.threads);
        onHello(this, msg.presets);
      }
      else if (msg.type === 'snapshot') this.snapshot(msg);
      else if (msg.type === 'running') this.setRunning(msg.value);
      else if (msg.type === 'error') showError(msg.message);
    };
    this.resetBtn.textContent = W.reset;
    this.playBtn.addEventListener('click', () => this.send(this.running ? 'pause' : 'play'));
    this.resetBtn.addEventListener('click', () => this.send('reset', { config: this.config }));
    this.setRunning(false);
    this.status.textContent = W.loading;
  }

  send(type, extra = {}) { this.worker.postMessage({ type, ...extra }); }

  start({ label, settings }) {
    this.label = label;
    this.settings = settings;
    this.config = engineConfig(settings);
    this.title.textContent = label;
    this.el.dataset.dataset = settings.dataset;
    this.el.dataset.loss = settings.loss;
    this.el.dataset.preset = settings.preset;
    this.send('init', { config: this.config, dataset: settings.dataset, checkpoint: null, live: {} });
  }

  setRunning(value) {
    this.running = value;
    this.playBtn.textContent = value ? W.pause : W.play;
    this.playBtn.setAttribute('aria-pressed', String(value));
    this.onRunning?.();
  }

  snapshot(msg) {
    if (msg.generation !== this.generation) {
      this.generation = msg.generation;
      this.chart.clear(msg.cost);
    }
    this.chart.append(msg.points);
    this.chart.setCost(msg.cost, msg.step);
    if (this.caption.textContent !== t(lang, this.chart.view.title)) {
      this.caption.textContent = t(lang, this.chart.view.title);
      this.legend.replaceChildren(...this.chart.view.series.map((x) => {
        const item = document.createElement('span'), swatch = document.createElement('i');
        item.className = 'item';
        swatch.style.setProperty('--c', x.color);
        item.append(swatch, t(lang, x.label));
        return item;
      }));
    }
    drawImages(this.samples, msg.samples, 64, 8);
    this.samples.setAttribute('aria-label', `${this.label}: ${t(lang, 'samples')}`);
    const n = this.threads?.count ?? 1;
    this.status.textContent = fill(W.status, {
      step: msg.step, ips: msg.imagesPerSecond ? msg.imagesPerSecond.toFixed(0) : '–', threads: t(lang, n === 1 ? 'threadOne' : 'threadMany', { n }),
    });
    this.el.dataset.step = String(msg.step);
    if (msg.meter) {
      this.meter.textContent = fill(W.meter, {
        coverage: t(lang, 'coverage'), cov: msg.meter.coverage, confident: t(lang, 'confident'), conf: pct(lang, msg.meter.confident),
      });
    } else if (!this.meter.textContent) this.meter.textContent = W.noMeter;
    this.chart.draw();
  }
}

// embed=1: the two columns without the page's header, for an iframe in course material
if (link.embed) document.body.classList.add('embed');
document.title = W.title;
$('cmp-title').textContent = W.title;
$('cmp-back').textContent = W.back;
$('cmp-back').href = `index.html${params.toString() ? `#${params.toString().replace(/%2C/g, ',')}` : ''}`;
const columns = [0, 1].map((i) => new Column(i, hello));
$('cmp-cols').append(...columns.map((c) => c.el));
const playBoth = () => columns.every((c) => c.running);
const renderBar = () => {
  $('cmp-play').textContent = playBoth() ? W.pauseBoth : W.playBoth;
  $('cmp-play').setAttribute('aria-pressed', String(playBoth()));
};
for (const c of columns) c.onRunning = renderBar;
renderBar();
$('cmp-play').addEventListener('click', () => {
  const type = playBoth() ? 'pause' : 'play';
  for (const c of columns) c.send(type);
});
if (link.errors.length) showError(link.errors.join('; '));

// Not isolated (or the threads failed to start): one quiet line for both columns.
function onThreads(info) {
  const note = !info.isolated ? t(lang, 'noticeNoThreads') : info.failed ? t(lang, 'noticeThreadsFailed', { msg: info.failed }) : '';
  if (note) $('cmp-note').textContent = note;
}

let chosen = null;
function hello(column, presets) {
  try {
    chosen ??= sides(presets);
  } catch (e) {
    showError(e.message);
    return;
  }
  column.start(chosen[column.index]);
  if (link.play) column.send('play');
}

// Charts redraw when the window changes size.
addEventListener('resize', () => { for (const c of columns) { c.chart.dirty = true; c.chart.draw(); } });
