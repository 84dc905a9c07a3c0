// negatives.mjs - the mode meter's "not a digit" examples (class 10): images a generator
// may draw that are no class at all. Without them the meter must name a class for
// anything, and it does: 89% '8' on pure noise, '1' for a collapsed G's dotted strokes.
//
// Kinds: synthetic (uniform and gaussian noise, blurred blobs, grey fields, stripes and
// 2-pixel checkerboards, dotted strokes and tangled scribbles, sparse dots), then this
// engine's own GAN: samples of the fast preset (the compact model) in its first steps ('early', before the
// strokes close into digits), and the broken, dotted strokes G draws when it trains
// against a D that has stopped learning ('frozen-d': a collapsed G's artefacts).
//
// Everything is seeded: the same build writes the same bytes. Two splits: 'train' (mixed
// into the meter's training, ~13% of its stream) and 'heldout' (other seeds, for tests).
// Each split is an IDX pair (every label 10) plus a JSON list of its kinds' ranges.
import { Gan, PIXELS, latentNoise, toBytes } from '../web/gan.js';

export const NOT_A_CLASS = 10;

/** Seeds and counts per split: the held-out set shares no seed with the training one. */
export const SPLITS = {
  train: { seed: 0x6e65, ganSeeds: [111, 112, 113], synthetic: 800, perSnapshot: 100 },
  heldout: { seed: 0x7e57, ganSeeds: [201, 211, 221], synthetic: 200, perSnapshot: 25 },
};
export const SYNTHETIC_KINDS = ['uniform', 'gaussian', 'blobs', 'grey', 'stripes', 'strokes', 'dots'];
export const GAN_KINDS = ['early', 'frozen-d'];
// Balanced samples up to step 50 are grey fields, smears and scribbles; from step ~60 some
// read as digits (seen in the grids), and a digit taught as "not a digit" would teach the
// meter to reject digits.
const EARLY_STEPS = [0, 5, 10, 20, 30, 40, 50];
// frozen-d: 25 fast steps, then D's learning rate drops to 1e-6 and G takes five
// steps per D step: G settles on strokes that fool this D and are no digit.
const FROZEN = { warm: 25, steps: 40, every: 8, g_steps: 5, lr_d: 1e-6 };

/** A small seeded generator (xorshift32): the same seed gives the same images everywhere. */
function random(seed) {
  let s = seed >>> 0 || 1;
  const u32 = () => {
    s ^= s << 13, s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5, s >>>= 0;
    return s;
  };
  const uniform = () => u32() / 4294967296;
  const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  const int = (lo, hi) => lo + Math.floor(uniform() * (hi - lo + 1)); // lo..hi
  return { uniform, normal, int };
}

const SIDE = 28;
const clamp = (v) => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));

/** Ink of radius r (pixels) at (x, y), kept where it is brightest. */
function dab(img, x, y, r, ink) {
  for (let yy = Math.floor(y - r); yy <= Math.ceil(y + r); yy++) {
    for (let xx = Math.floor(x - r); xx <= Math.ceil(x + r); xx++) {
      if (xx < 0 || yy < 0 || xx >= SIDE || yy >= SIDE) continue;
      const d = Math.hypot(xx - x, yy - y);
      if (d <= r) img[yy * SIDE + xx] = Math.max(img[yy * SIDE + xx], clamp(ink * Math.min(1, r + 0.5 - d)));
    }
  }
}

/** One synthetic image of a kind, as MNIST bytes (0 background, 255 ink). */
function synthetic(kind, rnd) {
  const img = new Uint8Array(PIXELS);
  switch (kind) {
    case 'uniform': {
      const hi = rnd.int(100, 255);
      for (let i = 0; i < PIXELS; i++) img[i] = rnd.int(0, hi);
      break;
    }
    case 'gaussian': {
      const mean = rnd.uniform() * 160, sd = 30 + rnd.uniform() * 90;
      for (let i = 0; i < PIXELS; i++) img[i] = clamp(mean + sd * rnd.normal());
      break;
    }
    case 'blobs': {
      const f = new Float32Array(PIXELS), n = rnd.int(1, 5);
      for (let b = 0; b < n; b++) {
        const cx = rnd.uniform() * SIDE, cy = rnd.uniform() * SIDE, s = 1.5 + rnd.uniform() * 5, a = 120 + rnd.uniform() * 200;
        for (let i = 0; i < PIXELS; i++) {
          const dx = (i % SIDE) - cx, dy = Math.floor(i / SIDE) - cy;
          f[i] += a * Math.exp(-(dx * dx + dy * dy) / (2 * s * s));
        }
      }
      for (let i = 0; i < PIXELS; i++) img[i] = clamp(f[i]);
      break;
    }
    case 'grey': {
      const base = rnd.uniform() * 255, gx = (rnd.uniform() - 0.5) * 12, gy = (rnd.uniform() - 0.5) * 12;
      const flat = rnd.uniform() < 0.5;
      for (let i = 0; i < PIXELS; i++) img[i] = clamp(flat ? base : base + gx * ((i % SIDE) - 13.5) + gy * (Math.floor(i / SIDE) - 13.5));
      break;
    }
    case 'stripes': {
      const checker = rnd.uniform() < 0.35, period = checker ? 2 : rnd.int(2, 6), phase = rnd.int(0, period - 1);
      const dir = rnd.int(0, 3), ink = rnd.int(120, 255);
      // the pattern may fill the frame or only a box of it
      const box = rnd.uniform() < 0.5 ? [0, 0, SIDE, SIDE] : [rnd.int(0, 10), rnd.int(0, 10), rnd.int(16, 28), rnd.int(16, 28)];
      for (let y = box[1]; y < box[3]; y++) {
        for (let x = box[0]; x < box[2]; x++) {
          const on = checker
            ? (Math.floor(x / 2) + Math.floor(y / 2) + phase) % 2 === 0
            : Math.floor(([x, y, x + y, x - y + SIDE][dir] + phase) / Math.max(1, period / 2)) % 2 === 0;
          if (on) img[y * SIDE + x] = ink;
        }
      }
      break;
    }
    case 'strokes': {
      if (rnd.uniform() < 0.5) {
        // dotted strokes: one to three smooth curves drawn as separate dots
        const curves = rnd.int(1, 3);
        for (let c = 0; c < curves; c++) {
          let x = 4 + rnd.uniform() * 20, y = 4 + rnd.uniform() * 20, a = rnd.uniform() * 2 * Math.PI;
          const turn = (rnd.uniform() - 0.5) * 0.5, gap = 2 + rnd.uniform() * 2, r = 0.6 + rnd.uniform() * 0.9;
          for (let k = 0; k < 12; k++, a += turn) {
            dab(img, x, y, r, 255);
            x += gap * Math.cos(a), y += gap * Math.sin(a);
          }
        }
      } else {
        // a tangled scribble: a random walk that keeps turning sharply
        let x = 6 + rnd.uniform() * 16, y = 6 + rnd.uniform() * 16, a = rnd.uniform() * 2 * Math.PI;
        const r = 0.8 + rnd.uniform() * 0.8;
        for (let k = 0; k < 160; k++) {
          if (k % 4 === 0) a += (rnd.uniform() - 0.5) * 4;
          x = Math.min(26, Math.max(1, x + Math.cos(a))), y = Math.min(26, Math.max(1, y + Math.sin(a)));
          dab(img, x, y, r, 255);
        }
      }
      break;
    }
    case 'dots': {
      const n = rnd.int(4, 40);
      for (let k = 0; k < n; k++) dab(img, rnd.uniform() * SIDE, rnd.uniform() * SIDE, 0.5 + rnd.uniform(), rnd.int(150, 255));
      break;
    }
    default:
      throw new Error(`negatives: unknown kind ${kind}`);
  }
  return img;
}

/** Samples of G (floats in [-1, 1]) as bytes, perSnapshot of them per call. */
function snapshot(core, gan, perSnapshot, seed) {
  return toBytes(core, gan.generate(latentNoise(core, perSnapshot, gan.latent, seed)));
}

/** Early-training samples of the fast preset, EARLY_STEPS of each seed. */
function earlySamples(core, dataset, seeds, perSnapshot) {
  const out = [];
  for (const seed of seeds) {
    const gan = Gan.create(core, { preset: 'fast', seed });
    try {
      for (let step = 0; step <= EARLY_STEPS[EARLY_STEPS.length - 1]; step++) {
        if (EARLY_STEPS.includes(step)) out.push(snapshot(core, gan, perSnapshot, seed * 1000 + step));
        gan.trainStep(dataset);
      }
    } finally {
      gan.destroy();
    }
  }
  return out;
}

/** A collapsed G's artefacts: G trained on against a D that has almost stopped learning. */
function frozenDSamples(core, dataset, seeds, perSnapshot) {
  const out = [];
  for (const seed of seeds) {
    const gan = Gan.create(core, { preset: 'fast', seed });
    try {
      for (let i = 0; i < FROZEN.warm; i++) gan.trainStep(dataset);
      gan.retune({ ...gan.config(), g_steps: FROZEN.g_steps, lr_d: FROZEN.lr_d });
      for (let i = 1; i <= FROZEN.steps; i++) {
        gan.trainStep(dataset);
        if (i % FROZEN.every === 0) out.push(snapshot(core, gan, perSnapshot, seed * 1000 + 500 + i));
      }
    } finally {
      gan.destroy();
    }
  }
  return out;
}

/**
 * The negatives of a split for a dataset already loaded in the core (the GAN kinds train
 * on it): { images: Uint8Array [n * 784], labels: Uint8Array [n] (all 10), kinds:
 * [{ name, start, count }] }.
 */
export function buildNegatives(core, dataset, split = 'train') {
  const spec = SPLITS[split];
  if (!spec) throw new Error(`negatives: unknown split ${split}`);
  const parts = [];
  SYNTHETIC_KINDS.forEach((kind, k) => {
    const rnd = random(spec.seed * 31 + k + 1);
    parts.push({ name: kind, chunks: Array.from({ length: spec.synthetic }, () => synthetic(kind, rnd)) });
  });
  parts.push({ name: 'early', chunks: earlySamples(core, dataset, spec.ganSeeds, spec.perSnapshot) });
  parts.push({ name: 'frozen-d', chunks: frozenDSamples(core, dataset, spec.ganSeeds, spec.perSnapshot) });
  const total = parts.reduce((n, p) => n + p.chunks.reduce((m, c) => m + c.length, 0), 0);
  const images = new Uint8Array(total), kinds = [];
  let at = 0;
  for (const p of parts) {
    const start = at / PIXELS;
    for (const c of p.chunks) images.set(c, at), at += c.length;
    kinds.push({ name: p.name, start, count: at / PIXELS - start });
  }
  return { images, labels: new Uint8Array(total / PIXELS).fill(NOT_A_CLASS), kinds };
}

/** IDX1 file bytes of labels. */
export function idx1(labels) {
  const out = new Uint8Array(8 + labels.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, 0x00000801);
  dv.setUint32(4, labels.length);
  out.set(labels, 8);
  return out;
}
