// chart.js - an appending line chart on a canvas, for statistics that arrive a few times
// a second for hours. Drawn by hand rather than with a charting package: the page needs
// one chart kind (lines over steps, optional log scale, one reference line), and a
// hundred lines keep the shipped weight and the main thread's work small. Long runs are
// decimated: past MAX_POINTS, neighbouring points are averaged in pairs, so a redraw
// stays well under a millisecond.

const MAX_POINTS = 1200;

export class LineChart {
  /**
   * series: [{ key, color }]; opts: { log: bool, min, max (fixed y bounds), ref: y of a
   * dashed reference line, label: (y) => text for ticks }.
   */
  constructor(canvas, series, opts = {}) {
    this.canvas = canvas;
    this.series = series;
    this.opts = opts;
    this.clear();
  }

  clear() {
    this.x = [];
    this.y = this.series.map(() => []);
    this.dirty = true;
  }

  /** Appends points ({ step, [key]: value }); a point without a series' key leaves a NaN. */
  append(points) {
    for (const p of points) {
      this.x.push(p.step);
      this.series.forEach((s, i) => {
        const v = p[s.key];
        this.y[i].push(typeof v === 'number' && Number.isFinite(v) && (!this.opts.log || v > 0) ? v : NaN);
      });
    }
    while (this.x.length > MAX_POINTS) this.halve();
    if (points.length) this.dirty = true;
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
    if (opts.min !== undefined) lo = Math.min(lo, f(opts.min));
    if (opts.max !== undefined) hi = Math.max(hi, f(opts.max));
    if (!Number.isFinite(lo)) lo = 0, hi = 1;
    if (hi - lo < 1e-9) lo -= 0.5, hi += 0.5;
    const pad = { l: 46, r: 8, t: 8, b: 18 };
    const x0 = this.x[0] ?? 0, x1 = Math.max(this.x[this.x.length - 1] ?? 1, x0 + 1);
    const px = (x) => pad.l + ((x - x0) / (x1 - x0)) * (w - pad.l - pad.r);
    const py = (v) => pad.t + (1 - (f(v) - lo) / (hi - lo)) * (h - pad.t - pad.b);

    const style = getComputedStyle(canvas);
    g.font = '11px system-ui, sans-serif';
    g.fillStyle = style.getPropertyValue('--chart-text') || '#555';
    g.strokeStyle = style.getPropertyValue('--chart-grid') || '#ddd';
    g.lineWidth = 1;
    for (const v of ticks(lo, hi, opts.log)) {
      const y = py(v);
      g.beginPath();
      g.moveTo(pad.l, y);
      g.lineTo(w - pad.r, y);
      g.stroke();
      g.textAlign = 'right';
      g.fillText(opts.label ? opts.label(v) : fmt(v), pad.l - 4, y + 4);
    }
    g.textAlign = 'left';
    g.fillText(String(x0), pad.l, h - 4);
    g.textAlign = 'right';
    g.fillText(String(x1), w - pad.r, h - 4);

    if (opts.ref !== undefined) {
      g.save();
      g.setLineDash([6, 4]);
      g.strokeStyle = style.getPropertyValue('--chart-ref') || '#888';
      g.beginPath();
      g.moveTo(pad.l, py(opts.ref));
      g.lineTo(w - pad.r, py(opts.ref));
      g.stroke();
      g.restore();
    }
    g.lineWidth = 1.6;
    this.series.forEach((s, i) => {
      g.strokeStyle = s.color;
      g.beginPath();
      let pen = false;
      this.y[i].forEach((v, k) => {
        if (Number.isNaN(v)) return;
        const X = px(this.x[k]), Y = py(v);
        if (pen) g.lineTo(X, Y);
        else g.moveTo(X, Y), (pen = true);
      });
      g.stroke();
    });
  }
}

/** Gridline values between lo and hi (in log10 units when log): a few round numbers. */
function ticks(lo, hi, log) {
  if (log) {
    // powers of ten; with fewer than three decades, 2x and 5x too
    const marks = hi - lo < 2 ? [1, 2, 5] : [1];
    const out = [];
    for (let e = Math.floor(lo); e <= Math.ceil(hi); e++) {
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

function fmt(v) {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1000 || a < 0.01 ? v.toExponential(0) : String(Number(v.toPrecision(3)));
}
