// session.js - one training session of the playground, without any DOM: the model, its
// dataset and mode meter, the fixed noise the views are drawn from, and the bookkeeping
// (steps, training time, images/s, time to digits, the statistics not yet shown). The
// Worker (worker.js) drives it and posts what it returns; Node tests drive it directly.
import {
  Dataset, GRID, Gan, METER_FEATURES, Meter, PIXELS, diverged, gridNoise, latentNoise, meterRule, pngGray, presetConfig, presets, toBytes,
} from './gan.js';
import { composeStrip, isFrameStep } from './filmstrip.js';

export { GRID };
export const STRIP = 10;          // the latent interpolation strip
export const DIVERGING_QUIET = 50; // steps without divergence that end a stretch of it (the page's warning goes)
export const REAL = 16;           // real digits shown beside generated ones
// Statistics a D step and a G step each produce (a full iteration produces both). D's
// answers come as probabilities (d_*) and as raw scores (score_*, what LSGAN, hinge and
// WGAN train on); a G step reports the logit gradient both classic costs would give G.
export const D_STATS = ['loss_d', 'd_real', 'd_fake', 'score_real', 'score_fake', 'grad_norm_d'];
export const G_STATS = ['loss_g', 'g_signal', 'grad_norm_g', 'grad_ns', 'grad_minimax'];

// "Real or fake?": a round shows GAME images, of which GAME_FAKES[0] to GAME_FAKES[1] are G's.
export const GAME = 16;
export const GAME_FAKES = [4, 12];
// "P_θ against P_data" (pdata.js): generated points drawn, from their own fixed noise
export const PDATA = 500;
export const PDATA_SEED = 0x9d47; // xor the model's seed

/** The 2-D points of n rows of features on a projection { mean, axes: [a1, a2] }: Float32Array [x0, y0, x1, ...]. */
export function projectFeatures(features, n, { mean, axes: [a1, a2] }) {
  const d = mean.length, out = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    let x = 0, y = 0;
    for (let j = 0, o = i * d; j < d; j++) {
      const v = features[o + j] - mean[j];
      x += v * a1[j], y += v * a2[j];
    }
    out[2 * i] = x, out[2 * i + 1] = y;
  }
  return out;
}

/** A small seeded generator (mulberry32): uniform in [0, 1). */
export function seededRandom(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let x = s;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** 0..n-1 in an order drawn from next (Fisher-Yates). */
export function shuffled(n, next) {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** Image bytes (0 background, 255 ink) as D reads them: [-1, 1], as the core maps real images. */
export function bytesToImages(bytes) {
  const out = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[i] * (2 / 255) - 1;
  return out;
}

/**
 * Where D's raw score splits its verdicts, by the cost it was trained with (the score is
 * the logit; real when score >= threshold):
 *   ns, minimax  D is a classifier: D(x) = sigmoid(score), real when D(x) >= 1/2, score >= 0;
 *   lsgan        targets real_label (1, or 1 - smoothing) for real and 0 for generated: real
 *                when the score is nearer the real target, score >= real_label / 2;
 *   hinge        margins +1 (real) and -1 (generated): real on the positive side, score >= 0;
 *   wgan         the critic's score has no scale or zero (its scores drift together by
 *                tens): real when above the midpoint of its mean scores of reference real
 *                and generated images scored with it (mid).
 * A D with batch norm, whatever its cost, is read at that midpoint too (calibrated): in
 * training it only judged whole batches of real or of generated images, normalised
 * together; judged one image at a time (running statistics) its scores all shift, and a
 * fixed zero would have it call every image real (measured: balanced at step 300, 100% of
 * reals and 0% of fakes called real; at the midpoint, 76% right).
 */
export function dThreshold(cost, { realLabel = 1, mid = 0, calibrated = cost === 'wgan' } = {}) {
  if (calibrated) return mid;
  if (cost === 'lsgan') return realLabel / 2;
  return 0;
}

/** The presets with the full configuration each sets: [{ name, lesson, config }]. */
export function presetTable(core) {
  return presets(core).map((p) => ({ ...p, config: presetConfig(core, p.name) }));
}

/**
 * Points on the great circle through a and b (slerp): a Gaussian latent vector's length
 * stays typical all the way, where a straight line would pass through short, atypical z.
 */
export function slerpStrip(a, b, n) {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) dot += a[i] * b[i], na += a[i] * a[i], nb += b[i] * b[i];
  const omega = Math.acos(Math.min(1, Math.max(-1, dot / Math.sqrt(na * nb))));
  const out = new Float32Array(n * a.length);
  for (let k = 0; k < n; k++) {
    const t = k / (n - 1);
    const [wa, wb] = omega < 1e-6 ? [1 - t, t]
      : [Math.sin((1 - t) * omega) / Math.sin(omega), Math.sin(t * omega) / Math.sin(omega)];
    for (let i = 0; i < a.length; i++) out[k * a.length + i] = wa * a[i] + wb * b[i];
  }
  return out;
}

export class Session {
  constructor(core) {
    this.core = core;
    this.gan = null;
    this.dataset = null;
    this.meter = null;
    this.pca = null;   // "P_θ against P_data": the dataset's projection (setPca)
    this.real = null;  // REAL training images as bytes, for the side-by-side view
    // how many samples the meter reads (from their own fixed noise) and what counts as digits
    this.meterRule = meterRule(core);
    this.generation = 0; // counts models: the page starts its charts afresh when it changes
    // "Real or fake?": each dataset's test images (IDX bytes) and the order the rounds take
    // them in, reshuffled only once every one has been shown; gameSeed seeds the shuffles,
    // the fakes' count, places and noise.
    this.testSets = {};
    this.gameRandom = seededRandom(0x9a3e);
    this.reset();
  }

  /** Seeds "Real or fake?" (the page: a fresh seed per session; tests: a fixed one). */
  seedGame(seed) {
    this.gameRandom = seededRandom(seed);
  }

  /** A dataset's test images for the game, as an IDX3 file image; throws if it is not one. */
  setTestSet(name, idx) {
    const dv = new DataView(idx.buffer, idx.byteOffset, idx.byteLength);
    const n = idx.length >= 16 ? dv.getUint32(4) : 0;
    if (idx.length < 16 || dv.getUint32(0) !== 0x803 || dv.getUint32(8) !== 28 || dv.getUint32(12) !== 28
      || n < GAME || idx.length !== 16 + n * PIXELS) {
      throw new Error(`not an IDX file of at least ${GAME} 28x28 images`);
    }
    this.testSets[name] = { images: idx.subarray(16), count: n, order: shuffled(n, this.gameRandom), next: 0, passes: 1 };
  }

  /** The next k test-image indices: none repeats until every test image has been shown. */
  takeTestImages(set, k) {
    const out = [];
    while (out.length < k) {
      if (set.next >= set.count) { // all shown: a new order, without this round's ones first
        const fresh = shuffled(set.count, this.gameRandom).filter((i) => !out.includes(i));
        set.order = [...fresh, ...out];
        set.next = 0;
        set.passes++;
      }
      out.push(set.order[set.next++]);
    }
    return out;
  }

  /**
   * A round of "Real or fake?" from the test set of `name` and the current model: GAME
   * images as bytes, GAME_FAKES[0]..[1] of them G's (fresh noise) at random places, the
   * rest test images not shown before; D's raw score of each (inference, on the same 8-bit
   * pictures the player sees), the threshold of its verdicts (dThreshold), and which are
   * fake (1) and which test image each real one is. The model is read once, now: training
   * may go on while the player looks.
   */
  gameRound(name) {
    const set = this.testSets[name];
    if (!set) throw new Error(`no test images for ${name}`);
    const next = this.gameRandom;
    const fakes = GAME_FAKES[0] + Math.floor(next() * (GAME_FAKES[1] - GAME_FAKES[0] + 1));
    const places = shuffled(GAME, next);
    const fake = new Uint8Array(GAME), source = new Array(GAME).fill(-1);
    for (const p of places.slice(0, fakes)) fake[p] = 1;
    const latent = this.config.latent;
    const noiseSeed = () => Math.floor(next() * 4294967296) >>> 0;
    const generated = toBytes(this.core, this.gan.generate(latentNoise(this.core, fakes, latent, noiseSeed())));
    const reals = this.takeTestImages(set, GAME - fakes);
    const images = new Uint8Array(GAME * PIXELS);
    for (let p = 0, f = 0, r = 0; p < GAME; p++) {
      if (fake[p]) images.set(generated.subarray(f * PIXELS, ++f * PIXELS), p * PIXELS);
      else {
        source[p] = reals[r++];
        images.set(set.images.subarray(source[p] * PIXELS, (source[p] + 1) * PIXELS), p * PIXELS);
      }
    }
    const scores = this.gan.discriminate(bytesToImages(images));
    const cost = this.config.loss, realLabel = this.config.real_label;
    const calibrated = cost === 'wgan' || !!this.config.d_batchnorm;
    let mid = 0, refMeans = null;
    if (calibrated) { // D's own scale: its mean scores on references outside the round
      const refReal = this.real ?? set.images.subarray(0, GAME * PIXELS);
      const refFake = toBytes(this.core, this.gan.generate(latentNoise(this.core, GAME, latent, noiseSeed())));
      const mean = (a) => a.reduce((x, y) => x + y, 0) / a.length;
      refMeans = { real: mean(this.gan.discriminate(bytesToImages(refReal))), fake: mean(this.gan.discriminate(bytesToImages(refFake))) };
      mid = (refMeans.real + refMeans.fake) / 2;
    }
    return {
      images, fake, source, scores, fakes, cost, realLabel, mid, calibrated, refMeans,
      threshold: dThreshold(cost, { realLabel, mid, calibrated }), step: this.gSteps, pass: set.passes,
      dBatchnorm: !!this.config.d_batchnorm, mbstd: !!this.config.mbstd, batch: this.config.batch,
    };
  }

  reset() {
    this.gSteps = 0;       // the step counter: G updates
    this.dSteps = 0;
    this.trainSeconds = 0; // time spent in steps, for images/s and time to digits
    this.digitsAt = null;  // { step, seconds }: the meter's first reading of digits (meterRule)
    this.pending = [];     // statistics points not yet posted
    this.rate = { images: 0, seconds: 0, value: 0 };
    this.diverging = null; // { step, last, loss }: the stretch of steps meeting gan.js's divergence rule: where it began (and its loss), its latest step
    this.frames = [];      // the filmstrip: { step, bytes } of the fixed-noise grid at isFrameStep steps
    this.framesSent = 0;   // of which the page has been sent
  }

  /** Keeps the grid as a filmstrip frame when the step counter is on a frame step. */
  keepFrame() {
    if (!isFrameStep(this.gSteps) || this.frames.some((f) => f.step === this.gSteps)) return;
    this.frames.push({ step: this.gSteps, bytes: toBytes(this.core, this.gan.generate(this.gridZ)) });
  }

  /** Builds a new model from config; throws, keeping the current one, if it is bad. */
  build(config) {
    this.adopt(Gan.create(this.core, config), 0);
  }

  /** A model from checkpoint bytes; throws, keeping the current one, if they are bad. */
  load(bytes) {
    const gan = Gan.fromCheckpoint(this.core, bytes);
    this.adopt(gan, gan.iterations());
  }

  adopt(gan, steps) {
    this.gan?.destroy();
    this.gan = gan;
    this.generation++;
    this.config = gan.config();
    const { latent, seed } = this.config;
    this.gridZ = gridNoise(this.core, latent, seed);
    this.meterZ = latentNoise(this.core, this.meterRule.samples, latent, (seed ^ 0x3e7e) >>> 0);
    this.pdataZ = latentNoise(this.core, PDATA, latent, (seed ^ PDATA_SEED) >>> 0);
    const ends = latentNoise(this.core, 2, latent, (seed ^ 0x51e9) >>> 0);
    this.stripZ = slerpStrip(ends.subarray(0, latent), ends.subarray(latent), STRIP);
    this.reset();
    this.gSteps = steps;
    this.dSteps = steps * this.config.d_steps;
    this.keepFrame();
  }

  /**
   * Live settings over the model's own (so what a checkpoint or preset set and config does
   * not name, such as Adam's betas, stays); a change to a setting that shapes the model
   * (batch, seed, ...) is refused by the engine and needs build() instead.
   */
  retune(config) {
    this.gan.retune({ ...this.config, ...config });
    this.config = this.gan.config();
  }

  checkpoint() {
    return this.gan.checkpoint();
  }

  /** The filmstrip so far as PNG bytes (the CLI's progress.png for the same run). */
  progressPng() {
    const { width, height, pixels } = composeStrip(this.frames);
    return pngGray(this.core, pixels, width, height);
  }

  /** Replaces the dataset (IDX bytes) and meter (bytes or null); throws, keeping the old, if bad. */
  setData({ images, labels, meter }) {
    const dataset = Dataset.fromIdx(this.core, images, labels);
    let m = null;
    try {
      if (meter) m = Meter.fromBytes(this.core, meter);
    } catch (e) {
      dataset.destroy();
      throw e;
    }
    this.dataset?.destroy();
    this.meter?.destroy();
    this.dataset = dataset;
    this.meter = m;
    this.pca = null; // the projection belongs to a dataset's meter: setPca again
    // A fixed, spread-out choice of real digits (every 997th image, wrapping).
    this.real = new Uint8Array(REAL * PIXELS);
    for (let k = 0; k < REAL; k++) {
      const at = 16 + ((k * 997) % dataset.count) * PIXELS;
      this.real.set(images.subarray(at, at + PIXELS), k * PIXELS);
    }
  }

  /**
   * One step: 'train' (an iteration: d_steps D steps, one G step), 'd' or 'g'. Throws a
   * CoreError when training stops on non-finite updates (the model keeps its weights).
   */
  step(kind = 'train') {
    if (!this.dataset && kind !== 'g') throw new Error('no dataset loaded yet');
    const t0 = performance.now();
    let st;
    try {
      st = kind === 'train' ? this.gan.trainStep(this.dataset)
        : kind === 'd' ? this.gan.stepD(this.dataset) : this.gan.stepG();
    } catch (e) {
      // The engine wrote the statistics before refusing: the page shows every discarded update.
      this.pending.push({ step: this.gSteps, skipped: this.gan.readStats().skipped_total });
      throw e;
    }
    const dt = (performance.now() - t0) / 1000;
    this.trainSeconds += dt;
    let keys;
    if (kind === 'train') {
      keys = [...D_STATS, ...G_STATS];
      this.dSteps += this.config.d_steps;
      this.gSteps++;
      this.rate.images += this.config.batch;
      this.rate.seconds += dt;
    } else if (kind === 'd') {
      keys = D_STATS;
      this.dSteps++;
    } else {
      keys = G_STATS;
      this.gSteps++;
    }
    // Each point names its cost: a live change of cost changes what D's scores mean.
    const point = { step: this.gSteps, cost: this.config.loss, skipped: st.skipped_total };
    for (const k of keys) point[k] = st[k];
    if (diverged(st)) {
      const loss = Math.abs(st.loss_d) >= Math.abs(st.loss_g) || !Number.isFinite(st.loss_d) ? st.loss_d : st.loss_g;
      // A stretch of divergence is named by its first step, as the CLI's warning is; one
      // begins anew after DIVERGING_QUIET quiet steps.
      if (this.diverging && this.gSteps - this.diverging.last < DIVERGING_QUIET) this.diverging.last = this.gSteps;
      else this.diverging = { step: this.gSteps, last: this.gSteps, loss };
    }
    this.pending.push(point);
    if (kind !== 'd') this.keepFrame();
    return point;
  }

  /** Images/s over the iterations since the last call (CLI convention: one batch each). */
  takeRate() {
    const r = this.rate;
    if (r.seconds > 0.2) {
      r.value = r.images / r.seconds;
      r.images = 0;
      r.seconds = 0;
    }
    return r.value;
  }

  /**
   * The projection of "P_θ against P_data" for a dataset (make data's pca-<name>.json,
   * parsed) and the real images it shows (from the test set setTestSet holds): returns
   * { points (Float32Array x, y), images (bytes) } of the real ones; throws if the file does
   * not fit the meter or the test set.
   */
  setPca(name, json) {
    const d = json?.mean?.length, set = this.testSets[name];
    if (!set) throw new Error(`no test set for ${name}`);
    const ok = (a) => Array.isArray(a) && a.length === d && a.every(Number.isFinite);
    const { index, points } = json.real ?? {};
    if (!(d === METER_FEATURES && ok(json.mean) && json.axes?.length === 2 && json.axes.every(ok)
      && Array.isArray(index) && Array.isArray(points) && index.length === points.length
      && index.every((k) => Number.isInteger(k) && k >= 0 && k < set.count)
      && points.every((p) => p?.length === 2 && p.every(Number.isFinite)))) {
      throw new Error('not a projection made by make data');
    }
    const images = new Uint8Array(index.length * PIXELS);
    index.forEach((k, i) => images.set(set.images.subarray(k * PIXELS, (k + 1) * PIXELS), i * PIXELS));
    this.pca = { name, mean: Float32Array.from(json.mean), axes: json.axes.map((a) => Float32Array.from(a)) };
    return { points: Float32Array.from(points.flat()), images };
  }

  /**
   * PDATA samples of the current G from their fixed noise, projected like the real points:
   * { step, points (Float32Array x, y), images (bytes) }, or null without a meter or projection.
   */
  readPdata() {
    if (!this.meter || !this.pca) return null;
    const images = this.gan.generate(this.pdataZ);
    const points = projectFeatures(this.meter.features(images), PDATA, this.pca);
    return { step: this.gSteps, points, images: toBytes(this.core, images) };
  }

  /** The mode meter's reading of meterRule.samples generated images (null without a meter). */
  readMeter() {
    if (!this.meter) return null;
    const r = this.meter.read(this.gan.generate(this.meterZ));
    const reading = { ...r, step: this.gSteps };
    if (!this.digitsAt && r.digits) {
      this.digitsAt = { step: this.gSteps, seconds: this.trainSeconds };
    }
    return reading;
  }

  /**
   * What the page draws: the grid and the strip as bytes (0 background, 255 ink), the
   * statistics points since the last snapshot, counters and rates, the model's generation
   * and current cost, the stretch of steps meeting the divergence rule while it lasts and
   * DIVERGING_QUIET steps after (diverging: { step where it began, last, loss }, or null),
   * and a mode-meter reading when asked for one (null otherwise); with pdata, the samples
   * of "P_θ against P_data" (readPdata) as .pdata.
   * Transferable buffers are listed in .transfer.
   */
  snapshot({ meter = false, pdata = false } = {}) {
    const samples = toBytes(this.core, this.gan.generate(this.gridZ));
    const strip = toBytes(this.core, this.gan.generate(this.stripZ));
    const points = this.pending;
    this.pending = [];
    const snap = {
      generation: this.generation, cost: this.config.loss,
      step: this.gSteps, dSteps: this.dSteps, seconds: this.trainSeconds,
      imagesPerSecond: this.takeRate(), digitsAt: this.digitsAt,
      diverging: this.diverging && this.gSteps - this.diverging.last < DIVERGING_QUIET ? { ...this.diverging } : null,
      samples, strip, points, meter: meter ? this.readMeter() : null,
      skipped: points.length ? points[points.length - 1].skipped : undefined,
      frames: this.frames.slice(this.framesSent).map((f) => ({ step: f.step, bytes: f.bytes.slice() })),
    };
    this.framesSent = this.frames.length;
    snap.transfer = [samples.buffer, strip.buffer, ...snap.frames.map((f) => f.bytes.buffer)];
    if (pdata) {
      snap.pdata = this.readPdata();
      if (snap.pdata) snap.transfer.push(snap.pdata.points.buffer, snap.pdata.images.buffer);
    }
    return snap;
  }
}
