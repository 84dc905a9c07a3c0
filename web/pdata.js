// pdata.js - the view "P_θ against P_data": real test images and the current G's samples
// as two point clouds on one fixed plane, the first two principal axes of the mode meter's
// features of real images (make data writes them: data/pca-<dataset>.json). The frame is
// the real cloud's, fixed, so the generated cloud is seen moving onto it as training goes,
// or shrinking into a clump or two under mode collapse. Points beyond the frame are drawn
// on its edge, hollow. Pointing at a point (mouse, or the arrow keys once the plot has the
// focus) shows its image. After each draw, what was drawn is in canvas.dataset.plot (JSON).
import { drawImages } from './draw.js';
import { t } from './i18n.js';

const REAL = 'rgba(24, 150, 72, 0.45)', FAKE = 'rgba(205, 30, 160, 0.7)';
const PAD = 0.06;       // a margin around the real cloud, as a share of its extent
const PICK_PX = 14;     // the pointer picks the nearest point within this many CSS pixels
const FIRST = 5;        // points of each cloud written to data-plot

export class PdataView {
  /** card: the view's figure (with canvas#pdata and p#pdata-status); onShown(bool): the view came into sight or left it. */
  constructor(card, { lang = 'en', onShown = () => {} } = {}) {
    this.card = card;
    this.canvas = card.querySelector('canvas');
    this.status = card.querySelector('.pdata-status');
    this.lang = lang;
    this.tip = document.createElement('div');
    this.tip.className = 'pdata-tip';
    this.tip.dataset.testid = 'pdata-tip';
    this.tip.hidden = true;
    this.tipImage = document.createElement('canvas');
    this.tipText = document.createElement('span');
    this.tip.append(this.tipImage, this.tipText);
    this.canvas.parentElement.append(this.tip);
    this.real = null;       // { points, images, name }
    this.fake = null;       // { points, images, step }
    this.error = null;
    this.picked = -1;       // index into real then generated points
    this.dirty = true;
    this.canvas.tabIndex = 0;
    this.canvas.addEventListener('pointermove', (e) => this.pointAt(e.offsetX, e.offsetY));
    this.canvas.addEventListener('pointerleave', () => this.pick(-1));
    this.canvas.addEventListener('blur', () => this.pick(-1));
    this.canvas.addEventListener('keydown', (e) => this.key(e));
    // Seen or not: the page asks the Worker for samples only while the view is on screen.
    this.shown = false;
    const report = (seen) => {
      const now = seen && !this.card.hidden;
      if (now !== this.shown) onShown((this.shown = now));
    };
    new IntersectionObserver((entries) => report(entries[entries.length - 1].isIntersecting)).observe(card);
  }

  setLang(lang) {
    this.lang = lang;
    this.dirty = true;
    this.draw();
  }

  /** The real cloud of a dataset: { name, points (x, y), images (bytes) }, or { name, error }. */
  setReal(msg) {
    this.error = msg.error ?? null;
    this.real = msg.error ? null : { name: msg.name, points: msg.points, images: msg.images };
    this.fake = null;
    this.bounds = this.real ? frame(this.real.points) : null;
    this.pick(-1);
    this.schedule();
  }

  /** The generated cloud: { step, points (x, y), images (bytes) }. */
  setFake(pdata) {
    this.fake = pdata;
    if (this.picked >= 0) this.pick(this.picked); // the picked sample shows its new image
    this.schedule();
  }

  /** A new model: its samples are not drawn until its first reading. */
  clearFake() {
    this.fake = null;
    this.pick(-1);
    this.schedule();
  }

  schedule() {
    this.dirty = true;
    if (!this.frame) this.frame = requestAnimationFrame(() => ((this.frame = 0), this.draw()));
  }

  /** CSS pixels of a point in a plot of side s. */
  place(x, y, s) {
    const [x0, x1, y0, y1] = this.bounds;
    const px = ((x - x0) / (x1 - x0)) * s, py = s - ((y - y0) / (y1 - y0)) * s;
    const cx = Math.min(Math.max(px, 2), s - 2), cy = Math.min(Math.max(py, 2), s - 2);
    return [cx, cy, cx !== px || cy !== py];
  }

  draw() {
    if (!this.dirty || this.card.hidden) return;
    this.dirty = false;
    const c = this.canvas, side = c.clientWidth || 300, dpr = devicePixelRatio || 1;
    if (c.width !== Math.round(side * dpr)) c.width = c.height = Math.round(side * dpr);
    const g = c.getContext('2d');
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, side, side);
    g.strokeStyle = '#d8dde3';
    g.strokeRect(0.5, 0.5, side - 1, side - 1);
    const plot = {
      real: 0, generated: 0, outside: 0, step: this.fake?.step ?? null, bounds: this.bounds,
      first: { real: [], generated: [] }, sum: null, // sum: of the generated points' x and y
    };
    let text;
    if (!this.real) {
      text = this.error ? t(this.lang, 'pdataMissing', { msg: this.error }) : t(this.lang, 'pdataWaiting');
    } else {
      const cloud = (pts, colour, key) => {
        g.fillStyle = colour;
        g.strokeStyle = colour;
        for (let i = 0; i < pts.length / 2; i++) {
          const [x, y, out] = this.place(pts[2 * i], pts[2 * i + 1], side);
          g.beginPath();
          g.arc(x, y, 2.2, 0, 2 * Math.PI);
          if (out) g.stroke(), plot.outside++;
          else g.fill();
          if (i < FIRST) plot.first[key].push([round(pts[2 * i]), round(pts[2 * i + 1])]);
        }
        plot[key] = pts.length / 2;
      };
      cloud(this.real.points, REAL, 'real');
      if (this.fake) {
        cloud(this.fake.points, FAKE, 'generated');
        const pts = this.fake.points;
        plot.sum = [0, 0];
        for (let i = 0; i < pts.length; i++) plot.sum[i % 2] += pts[i];
        plot.sum = plot.sum.map((v) => Number(v.toPrecision(7)));
      }
      const p = this.pickedPoint();
      if (p) {
        const [x, y] = this.place(p.x, p.y, side);
        g.strokeStyle = '#1d232b';
        g.lineWidth = 1.5;
        g.beginPath();
        g.arc(x, y, 5, 0, 2 * Math.PI);
        g.stroke();
        g.lineWidth = 1;
      }
      text = this.fake
        ? t(this.lang, 'pdataStatus', { step: this.fake.step, real: plot.real, generated: plot.generated })
          + (plot.outside ? ` ${t(this.lang, 'pdataOutside', { n: plot.outside })}` : '')
        : t(this.lang, 'pdataNoSamples', { real: plot.real });
    }
    this.status.textContent = text;
    c.setAttribute('aria-label', `${t(this.lang, 'pdata')}. ${text}`);
    c.dataset.plot = JSON.stringify(plot);
  }

  /** The picked point: { x, y, kind: 'real' | 'generated', i, image } or null. */
  pickedPoint() {
    const nReal = this.real ? this.real.points.length / 2 : 0, nFake = this.fake ? this.fake.points.length / 2 : 0;
    const k = this.picked;
    if (k < 0 || k >= nReal + nFake) return null;
    const [src, i, kind] = k < nReal ? [this.real, k, 'real'] : [this.fake, k - nReal, 'generated'];
    return { x: src.points[2 * i], y: src.points[2 * i + 1], kind, i, image: src.images.subarray(i * 784, (i + 1) * 784) };
  }

  pointAt(px, py) {
    if (!this.real) return;
    const side = this.canvas.clientWidth;
    let best = -1, bestD = PICK_PX * PICK_PX, k = 0;
    for (const src of [this.real, this.fake]) {
      const pts = src?.points ?? [];
      for (let i = 0; i < pts.length / 2; i++, k++) {
        const [x, y] = this.place(pts[2 * i], pts[2 * i + 1], side);
        const d = (x - px) ** 2 + (y - py) ** 2;
        if (d <= bestD) best = k, bestD = d; // generated points are drawn on top: they win ties
      }
    }
    this.pick(best);
  }

  key(e) {
    const n = (this.real ? this.real.points.length / 2 : 0) + (this.fake ? this.fake.points.length / 2 : 0);
    if (!n) return;
    const moves = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1, PageDown: 50, PageUp: -50 };
    if (e.key === 'Escape') return this.pick(-1);
    if (!(e.key in moves)) return;
    e.preventDefault();
    this.pick(this.picked < 0 ? 0 : (this.picked + moves[e.key] + n) % n);
  }

  /** Shows point k's image beside it (k < 0: none). */
  pick(k) {
    this.picked = k;
    const p = this.pickedPoint();
    this.tip.hidden = !p;
    this.schedule();
    if (!p) return;
    drawImages(this.tipImage, p.image, 1, 1, 0);
    this.tipText.textContent = t(this.lang, p.kind === 'real' ? 'pdataRealOne' : 'pdataFakeOne');
    this.tip.dataset.kind = p.kind;
    this.tip.dataset.index = String(p.i);
    const side = this.canvas.clientWidth, [x, y] = this.place(p.x, p.y, side);
    // beside the point, inside the plot
    this.tip.style.left = `${x > side / 2 ? x - 100 : x + 12}px`;
    this.tip.style.top = `${Math.min(Math.max(y - 50, 0), side - 110)}px`;
  }
}

/** The real cloud's frame [x0, x1, y0, y1], square in data units so distances read the same both ways. */
function frame(points) {
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (let i = 0; i < points.length; i += 2) {
    x0 = Math.min(x0, points[i]), x1 = Math.max(x1, points[i]);
    y0 = Math.min(y0, points[i + 1]), y1 = Math.max(y1, points[i + 1]);
  }
  const half = (Math.max(x1 - x0, y1 - y0, 1e-6) * (1 + 2 * PAD)) / 2, cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
  return [cx - half, cx + half, cy - half, cy + half].map(round);
}

const round = (v) => Number(v.toPrecision(5));
