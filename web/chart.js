// chart.js - an appending line chart on a canvas, for statistics that arrive a few times
// a second for hours. Drawn by hand rather than with a charting package: the page needs
// one chart kind (lines over steps, optional log scale, labelled reference lines, marks
// where a setting changed), and a couple of hundred lines keep the shipped weight and the
// main thread's work small. Long runs are decimated: past MAX_POINTS, neighbouring points
// are averaged in pairs, so a redraw stays well under a millisecond.
//
// After each redraw the canvas carries data-plot: JSON of what it shows (each series'
// latest values and the height they are drawn at, the reference lines, the marks), so a
// test or a curious teacher can read the chart without guessing from pixels.

const MAX_POINTS = 1200;
const RECENT = 20; // latest values listed in data-plot

export class LineChart {
  /**
   * series: [{ key, color, width?, dash?, value?: (point) => number, mean?: n }] (value
   * derives a series from a point, by default point[key]; mean draws the average of the
   * latest n finite values instead, for a quantity whose trend hides under its step-to-step
   * noise); opts: { log, min, max (y bounds always
   * shown), refs: [{ y, label?, color? }] dashed reference lines, ref: y (one unlabelled) }.
   */
  constructor(canvas, series, opts = {}) {
    this.canvas = canvas;
    this.decimal = '.';
    this.configure(series, opts);
    this.clear();
  }

  /** New styles and reference lines for the same kind of data (the points stay). */
  configure(series, opts = {}) {
    this.series = series;
    this.opts = opts;
    this.refs = opts.refs ?? (opts.ref !== undefined ? [{ y: opts.ref }] : []);
    this.dirty = true;
  }

  clear() {
    this.x = [];
    this.y = this.series.map(() => []);
    this.windows = this.series.map(() => []);
    this.marks = [];
    this.dirty = true;
  }

  /** Appends points ({ step, [key]: value }); a point without a series' value leaves a NaN. */
  append(points) {
    for (const p of points) {
      this.x.push(p.step);
      this.series.forEach((s, i) => {
        let v = s.value ? s.value(p) : p[s.key];
        v = typeof v === 'number' && Number.isFinite(v) && (!this.opts.log || v > 0) ? v : NaN;
        if (s.mean && !Number.isNaN(v)) {
          const win = (this.windows[i] ??= []);
          win.push(v);
          if (win.length > s.mean) win.shift();
          v = win.reduce((a, b) => a + b, 0) / win.length;
        }
        this.y[i].push(v);
      });
    }
    while (this.x.length > MAX_POINTS) this.halve();
    if (points.length) this.dirty = true;
  }

  /** A dashed vertical line at a step, with a short label (a setting changed there). */
  mark(step, label) {
    this.marks.push({ step, label });
    this.dirty = true;
  }

  halve() {
    const pair = (a, b) => (Number.isNaN(a) ? b : Number.isNaN(b) ? a : (a + b) / 2);
    const n = this.x.length >> 1;
    this.x = Array.from({ length: n }, (_, i) => this.x[2 * i + 1]);
    this.y = this.y.map((ys) => Array.from({ length: n }, (_, i) => pair(ys[2 * i], ys[2 * i + 1])));
  }

  /** The latest finite value of each series, for a text summary. */
  latest() {
    return this.y.map((ys) => {
      for (let i = ys.length - 1; i >= 0; i--) if (!Number.isNaN(ys[i])) return ys[i];
      return NaN;
    });
  }

  /** A number as the chart writes it (ticks and labels), with the page's decimal mark. */
  format(v) {
    return fmt(v).replace('.', this.decimal).replace('-', '−');
  }

  draw() {
    if (!this.dirty) return;
    this.dirty = false;
    const { canvas, opts } = this;
    const dpr = globalThis.devicePixelRatio || 1;
    const w = canvas.clientWidth, h = canvas.clientHeight;
    if (!w || !h) return;
    if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(h * dpr);
    }
    const g = canvas.getContext('2d');
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, w, h);
    const f = opts.log ? Math.log10 : (v) => v;
    let lo = Infinity, hi = -Infinity;
    for (const ys of this.y) for (const v of ys) if (!Number.isNaN(v)) lo = Math.min(lo, f(v)), hi = Math.max(hi, f(v));
    // The bounds and the reference lines always show: they are what the lines are read against.
    for (const v of [opts.min, opts.max, ...this.refs.map((r) => r.y)]) {
      if (v !== undefined) lo = Math.min(lo, f(v)), hi = Math.max(hi, f(v));
    }
    if (!Number.isFinite(lo)) lo = 0, hi = 1;
    if (hi - lo < 1e-9) lo -= 0.5, hi += 0.5;
    if (opts.min === undefined && opts.max === undefined) {
      const m = (hi - lo) * 0.06; // a margin, so a line at a bound stays visible
      lo -= m, hi += m;
    }
    // Tick and label size: --chart-font on the canvas (the projector's layout raises it).
    const style = getComputedStyle(canvas);
    const fontPx = parseFloat(style.getPropertyValue('--chart-font')) || 11, k = fontPx / 11;
    const pad = { l: Math.round(46 * k), r: 8, t: 8, b: Math.round(18 * k) };
    const x0 = this.x[0] ?? 0, x1 = Math.max(this.x[this.x.length - 1] ?? 1, x0 + 1);
    const px = (x) => pad.l + ((Math.min(Math.max(x, x0), x1) - x0) / (x1 - x0)) * (w - pad.l - pad.r);
    const py = (v) => pad.t + (1 - (f(v) - lo) / (hi - lo)) * (h - pad.t - pad.b);

    const text = style.getPropertyValue('--chart-text') || '#555';
    g.font = `${fontPx}px system-ui, sans-serif`;
    g.fillStyle = text;
    g.strokeStyle = style.getPropertyValue('--chart-grid') || '#ddd';
    g.lineWidth = 1;
    for (const v of ticks(lo, hi, opts.log)) {
      const y = py(v);
      g.beginPath();
      g.moveTo(pad.l, y);
      g.lineTo(w - pad.r, y);
      g.stroke();
      g.textAlign = 'right';
      g.fillText(this.format(v), pad.l - 4, y + 4);
    }
    g.textAlign = 'left';
    g.fillText(String(x0), pad.l, h - 4);
    g.textAlign = 'right';
    g.fillText(String(x1), w - pad.r, h - 4);

    const refColour = style.getPropertyValue('--chart-ref') || '#888';
    const drawnRefs = this.refs.map((r) => {
      const y = py(r.y);
      g.save();
      g.setLineDash([6, 4]);
      g.strokeStyle = r.color ?? refColour;
      g.lineWidth = 1.2;
      g.beginPath();
      g.moveTo(pad.l, y);
      g.lineTo(w - pad.r, y);
      g.stroke();
      g.restore();
      return { value: r.y, y: Math.round(y * 10) / 10, label: r.label ?? '' };
    });
    const drawnMarks = this.marks.map((m) => {
      const x = px(m.step);
      g.save();
      g.setLineDash([2, 3]);
      g.strokeStyle = text;
      g.beginPath();
      g.moveTo(x, pad.t);
      g.lineTo(x, h - pad.b);
      g.stroke();
      g.restore();
      return { step: m.step, x: Math.round(x * 10) / 10, label: m.label ?? '' };
    });

    const drawnSeries = this.series.map((s, i) => {
      g.save();
      g.strokeStyle = s.color;
      g.lineWidth = s.width ?? 1.6;
      if (s.dash) g.setLineDash(s.dash);
      g.beginPath();
      let pen = false, lastY = null;
      this.y[i].forEach((v, k) => {
        if (Number.isNaN(v)) return;
        const X = px(this.x[k]), Y = py(v);
        if (pen) g.lineTo(X, Y);
        else g.moveTo(X, Y), (pen = true);
        lastY = Y;
      });
      g.stroke();
      g.restore();
      const recent = this.y[i].filter((v) => !Number.isNaN(v)).slice(-RECENT);
      return { key: s.key, color: s.color, width: s.width ?? 1.6, recent, y: lastY === null ? null : Math.round(lastY * 10) / 10 };
    });

    // Labels last, over the lines, each on a light backing so it stays readable.
    g.font = `${fontPx - 0.5}px system-ui, sans-serif`;
    for (const r of drawnRefs) {
      if (r.label) label(g, r.label, w - pad.r - 3, r.y + (r.y - pad.t < 14 * k ? 11 * k : -3), 'right', text, fontPx);
    }
    for (const m of drawnMarks) if (m.label) label(g, m.label, m.x + 3, pad.t + 10 * k, 'left', text, fontPx);

    canvas.dataset.plot = JSON.stringify({
      series: drawnSeries, refs: drawnRefs, marks: drawnMarks, points: this.x.length,
      log: !!opts.log, bounds: [Number((opts.log ? 10 ** lo : lo).toPrecision(4)), Number((opts.log ? 10 ** hi : hi).toPrecision(4))],
    });
  }
}

function label(g, text, x, y, align, colour, fontPx = 11) {
  g.textAlign = align;
  const wText = g.measureText(text).width;
  const left = align === 'right' ? x - wText : x;
  g.fillStyle = 'rgba(255,255,255,0.85)';
  g.fillRect(left - 2, y - 0.82 * fontPx, wText + 4, 1.1 * fontPx);
  g.fillStyle = colour;
  g.fillText(text, x, y);
}

/** Gridline values between lo and hi (in log10 units when log): a few round numbers. */
function ticks(lo, hi, log) {
  if (log) {
    // powers of ten; with fewer than three decades, 2x and 5x too, within one, every digit;
    // past six decades, every other power
    const marks = hi - lo < 0.7 ? [1, 2, 3, 4, 5, 6, 7, 8, 9] : hi - lo < 2 ? [1, 2, 5] : [1];
    const every = hi - lo > 6 ? 2 : 1;
    const out = [];
    for (let e = Math.floor(lo); e <= Math.ceil(hi); e++) {
      if (e % every) continue;
      for (const m of marks) if (Math.log10(m * 10 ** e) >= lo && Math.log10(m * 10 ** e) <= hi) out.push(Number((m * 10 ** e).toPrecision(3)));
    }
    return out.length ? out : [10 ** lo];
  }
  const raw = (hi - lo) / 5, mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw);
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-12; v += step) out.push(Number(v.toPrecision(6)));
  return out;
}

const SUPERSCRIPT = { '-': '⁻', 0: '⁰', 1: '¹', 2: '²', 3: '³', 4: '⁴', 5: '⁵', 6: '⁶', 7: '⁷', 8: '⁸', 9: '⁹' };

/** A tick value: plain up to 3 significant digits, or 10⁻⁴ / 2·10⁻⁵ (read alike in English and French). */
export function fmt(v) {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a < 1000 && a >= 0.01) return String(Number(v.toPrecision(3)));
  const e = Math.floor(Math.log10(a) + 1e-9), m = Number((v / 10 ** e).toPrecision(2));
  const power = `10${[...String(e)].map((c) => SUPERSCRIPT[c]).join('')}`;
  return m === 1 ? power : m === -1 ? `−${power}` : `${m}·${power}`;
}
