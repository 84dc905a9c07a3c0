// history.js - the mode meter's readings over time as a heat map: one column per reading,
// one row per class, the brighter the cell the larger that class's share of the samples.
// Mode collapse and the G/D chase read off it directly: a few bright rows (G draws only 1
// and 8) that go dark while others light up (D learnt to reject them; G moved to 0, 3, 9).
// A reading may carry an eleventh count, "not a digit": that row is drawn in grey.
//
// Like the line charts it draws only what snapshots brought, a few hundred cells, and
// writes what it drew into data-plot (JSON) and data-columns.

const MAX_COLUMNS = 240;   // past this, neighbouring readings are merged in pairs
export const FULL = 0.25;  // a share drawn at full colour (a uniform G gives each digit 0.1)
const PALE = [241, 243, 245], INK = [25, 55, 170], GREY = [73, 80, 87];

/** The colour of a share (0..1) in a row: blue for classes, grey for "not a digit". */
export function cellColour(share, other = false) {
  const t = Math.min(1, Math.max(0, share / FULL)), to = other ? GREY : INK;
  const c = PALE.map((p, i) => Math.round(p + (to[i] - p) * t));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

export class MeterHistory {
  constructor(canvas) {
    this.canvas = canvas;
    this.names = [];       // row labels; the page sets them (class names, "not a digit")
    this.clear();
  }

  clear() {
    this.columns = [];     // [{ step, shares: [...] }], oldest first
    this.dirty = true;
  }

  /** One reading ({ step, histogram: counts per class }); a reading of the same step replaces the last. */
  add(reading) {
    const counts = reading?.histogram;
    if (!counts?.length) return;
    const total = counts.reduce((a, b) => a + b, 0) || 1;
    const col = { step: reading.step, shares: counts.map((c) => c / total) };
    const last = this.columns[this.columns.length - 1];
    if (last && last.step === col.step) this.columns[this.columns.length - 1] = col;
    else this.columns.push(col);
    if (this.columns.length > MAX_COLUMNS) {
      const merged = [];
      for (let i = 0; i + 1 < this.columns.length; i += 2) {
        const [a, b] = [this.columns[i], this.columns[i + 1]];
        merged.push({ step: b.step, shares: b.shares.map((s, k) => ((a.shares[k] ?? s) + s) / 2) });
      }
      if (this.columns.length % 2) merged.push(this.columns[this.columns.length - 1]);
      this.columns = merged;
    }
    this.dirty = true;
  }

  get rows() {
    return Math.max(10, ...this.columns.map((c) => c.shares.length));
  }

  draw() {
    if (!this.dirty) return;
    this.dirty = false;
    const { canvas } = this;
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
    const style = getComputedStyle(canvas);
    const text = style.getPropertyValue('--chart-text') || '#555';
    const rows = this.rows;
    g.font = '10.5px system-ui, sans-serif';
    const names = Array.from({ length: rows }, (_, r) => this.names[r] ?? String(r));
    const labelW = Math.ceil(Math.max(...names.map((n) => g.measureText(n).width))) + 6;
    const pad = { l: labelW, r: 8, t: 2, b: 16 };
    const plotW = w - pad.l - pad.r, rowH = (h - pad.t - pad.b) / rows;
    const n = this.columns.length;
    const colW = n ? Math.min(14, plotW / n) : 0;

    g.fillStyle = `rgb(${PALE.join(',')})`;
    g.fillRect(pad.l, pad.t, plotW, rowH * rows);
    const drawn = this.columns.map((c, i) => {
      const x = pad.l + i * colW;
      // Whole pixels, so neighbouring columns never blend into each other's colour.
      const x0 = Math.round(x), x1 = Math.max(x0 + 1, Math.round(x + colW));
      c.shares.forEach((s, r) => {
        g.fillStyle = cellColour(s, r === 10);
        g.fillRect(x0, Math.round(pad.t + r * rowH), x1 - x0, Math.round(pad.t + (r + 1) * rowH) - Math.round(pad.t + r * rowH));
      });
      return { step: c.step, x: x0, w: x1 - x0, shares: c.shares.map((s) => Math.round(s * 1000) / 1000) };
    });
    // Thin separators between rows, so a bright row reads as one class.
    g.fillStyle = 'rgba(255,255,255,0.9)';
    for (let r = 1; r < rows; r++) g.fillRect(pad.l, Math.round(pad.t + r * rowH), plotW, 1);

    g.fillStyle = text;
    g.textAlign = 'right';
    const rowsOut = names.map((name, r) => {
      const y = pad.t + (r + 0.5) * rowH;
      g.fillText(name, pad.l - 4, y + 4);
      return { label: name, y: Math.round(pad.t + r * rowH), h: Math.round(rowH) };
    });
    if (n) {
      g.textAlign = 'left';
      g.fillText(String(this.columns[0].step), pad.l, h - 3);
      if (n > 1) {
        g.textAlign = 'right';
        g.fillText(String(this.columns[n - 1].step), Math.max(pad.l + 30, Math.round(pad.l + n * colW)), h - 3);
      }
    }
    canvas.dataset.columns = String(n);
    canvas.dataset.plot = JSON.stringify({ columns: drawn, rows: rowsOut });
  }
}
