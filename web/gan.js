// gan.js - the one JavaScript wrapper over the wasm core (build/gan.wasm), used alike by
// the page, its Web Worker and Node (tests, CLI, benchmark).
//
//   import { loadCore } from './gan.js';
//   const core = await loadCore();            // Node: reads build/gan.wasm from disk
//   const full = await loadCore({ full: true }); // the test build: kernels one by one too
//   const x = full.upload(new Float32Array([1, 2, 3]));
//   full.call('activation_forward', GP.FAST, GP.RELU, x, x, 3, 0);
//   full.read(x, 3);                          // Float32Array [1, 2, 3]
//
// Every gp_* function returns a status; core.call throws a CoreError when it is negative,
// core.status returns it untouched. A CoreError carries its parts as data: fn (the C
// function), status (a GP.ERR_* value), code (its name, 'ERR_BOUNDS'), reason (the C
// side's own words for this call's failure, from gp_last_error) and input (which input a
// multi-file call blames: for datasets 1 images, 2 labels; 0 none). Show users e.reason;
// never parse e.message, which is for developers.
//
// Objects with a handle (Gan, Dataset, Meter) forget it on destroy(): a second destroy()
// is a no-op, and any other use afterwards throws. The C side's handles carry a
// generation besides their slot, so a stale handle never reaches a newer object.

import createGanModule from '../build/gan.mjs';
import SCHEMA, { text as SCHEMA_TEXT } from '../build/schema.mjs';

/** The core's training schema (gp_schema_json, csrc/gan/settings.c): settings, losses, statistics, statuses. */
export { SCHEMA };

export const GP = Object.freeze({
  FAST: 0, REF: 1,
  RELU: 0, LEAKY_RELU: 1, TANH: 2, SIGMOID: 3,
  ...SCHEMA.status,
});

/** The name of a status, 'ERR_BOUNDS' for -5 (undefined for one the core does not have). */
export const statusName = (status) => Object.keys(GP).find((k) => k.startsWith('ERR_') && GP[k] === status);

export class CoreError extends Error {
  constructor(fn, status, reason, { input = 0 } = {}) {
    super(`${fn}: ${reason} (status ${status})`);
    this.name = 'CoreError';
    this.fn = fn;
    this.status = status;
    this.code = statusName(status);
    this.reason = reason;
    this.input = input;
  }
}

const isNode = typeof process !== 'undefined' && !!process.versions?.node;

async function wasmBinaryForNode(file) {
  // The generated loader fetches by URL, which Node 20 cannot do for a file: hand it the bytes.
  const { readFile } = await import('node:fs/promises');
  return readFile(new URL(`../build/${file}`, import.meta.url));
}

/** Threads this page or process may use: the page needs cross-origin isolation for them. */
export function threadsAvailable() {
  return isNode || (globalThis.crossOriginIsolated === true && typeof SharedArrayBuffer === 'function');
}

/**
 * The count of threads to use by default: every core (the caller's thread and one Worker
 * per other core); 1 where threads are not available.
 */
export async function defaultThreads() {
  if (isNode) return Math.min(MAX_THREADS, (await import('node:os')).availableParallelism());
  if (!threadsAvailable()) return 1;
  return Math.max(1, Math.min(MAX_THREADS, navigator.hardwareConcurrency || 1));
}

/** The most threads a core may be asked for (gp_threads_set refuses more). */
export const MAX_THREADS = 64;

// Emscripten blocks the calling thread while the pool works; it warns once when that
// thread is not a Worker (Node's main thread), which is what we mean to do.
const BLOCKING_WARNING = /^Blocking on the main thread is very dangerous/;

/**
 * Instantiates the core. opts.wasmBinary (bytes) skips the fetch; in Node it is read from
 * disk. opts.full loads the test build (build/gan-full.wasm), which adds the kernels one by
 * one and the kernel benchmark (gp_sgemm, gp_conv2d_*, gp_bench_*, ...) to the page's core.
 * opts.threads (1..64, default 1) above 1 loads the threaded build (build/gan-mt.wasm) with
 * a pool of that many threads, started once; opts.threaded loads it even for 1 thread.
 * Both builds give the same bytes for any count of threads.
 */
export async function loadCore(opts = {}) {
  const threads = opts.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) {
    throw new RangeError(`threads must be an integer in 1..${MAX_THREADS}, not ${threads}`);
  }
  const threaded = threads > 1 || !!opts.threaded;
  if (threaded && opts.full) throw new Error('gan.js: the test build (full) has no threaded twin');
  if (threaded && !threadsAvailable()) {
    throw new Error('gan.js: threads need a cross-origin isolated page (SharedArrayBuffer)');
  }
  const name = threaded ? 'gan-mt' : opts.full ? 'gan-full' : 'gan';
  const factory = threaded
    ? (await import('../build/gan-mt.mjs')).default
    : opts.full ? (await import('../build/gan-full.mjs')).default : createGanModule;
  const moduleOpts = {};
  if (opts.wasmBinary) moduleOpts.wasmBinary = opts.wasmBinary;
  else if (isNode) moduleOpts.wasmBinary = await wasmBinaryForNode(`${name}.wasm`);
  else moduleOpts.locateFile = (f) => new URL(`../build/${f}`, import.meta.url).href;
  let nodeWorkers = null;
  if (threaded) {
    // the pool: one Worker per thread past the caller's (at least one: Emscripten's loader
    // waits for the pool and never finishes on an empty one)
    moduleOpts.poolSize = Math.max(1, threads - 1);
    // the pool's workers import the module by this address
    moduleOpts.mainScriptUrlOrBlob = new URL(`../build/${name}.mjs`, import.meta.url).href;
    moduleOpts.printErr = (text) => BLOCKING_WARNING.test(text) || console.warn(text);
    if (isNode) {
      nodeWorkers = await import('./node_workers.mjs');
      nodeWorkers.installWorker();
    }
  }
  const core = new Core(await factory(moduleOpts));
  nodeWorkers?.releaseWorkers();
  if (core.m.UTF8ToString(core.m._gp_schema_json()) !== SCHEMA_TEXT) {
    throw new Error(`gan.js: build/schema.mjs does not describe this build/${name}.wasm (run make)`);
  }
  if (threaded) core.call('threads_set', threads);
  return core;
}

export class Core {
  constructor(module) {
    this.m = module;
  }

  /** Calls gp_<name>; returns its result, throwing CoreError on a negative status. */
  call(name, ...args) {
    const r = this.status(name, ...args);
    if (typeof r === 'number' && r < 0 && Number.isInteger(r)) {
      throw new CoreError(`gp_${name}`, r, this.lastError() || this.strerror(r), { input: this.m._gp_last_error_input() });
    }
    return r;
  }

  /** The reason of the last call's failure ('' after a success). */
  lastError() {
    return this.m.UTF8ToString(this.m._gp_last_error());
  }

  /** Calls gp_<name> and returns whatever it returns. */
  status(name, ...args) {
    const fn = this.m[`_gp_${name}`];
    if (!fn) throw new Error(`gan.js: the core has no function gp_${name}`);
    return fn(...args);
  }

  strerror(status) {
    return this.m.UTF8ToString(this.m._gp_strerror(status));
  }

  /** Threads the GEMMs run on (1 in the single-threaded build). */
  get threads() {
    return this.m._gp_threads();
  }

  /** Uses n threads from now on: 1..the count the core was loaded with (CoreError otherwise). */
  setThreads(n) {
    this.call('threads_set', n);
  }

  /** n zeroed floats in the wasm heap; throws when n is bad or memory is exhausted. */
  alloc(n) {
    const p = this.m._gp_alloc(n);
    if (!p) throw new CoreError('gp_alloc', GP.ERR_NOMEM, this.lastError() || `cannot allocate ${n} floats`);
    return p;
  }

  free(p) {
    return this.call('free', p);
  }

  /** A live view of n floats at p. Take a new one after anything that may grow memory. */
  view(p, n) {
    return new Float32Array(this.m.HEAPF32.buffer, p, n);
  }

  /** A copy of n floats at p. */
  read(p, n) {
    return this.view(p, n).slice();
  }

  write(p, data) {
    this.view(p, data.length).set(data);
  }

  /** Allocates and fills a buffer with the given floats. */
  upload(data) {
    const p = this.alloc(data.length);
    this.write(p, data);
    return p;
  }
}

// ---- the GAN engine ----

export const LOSSES = Object.freeze([...SCHEMA.losses]);
export const STAT_NAMES = Object.freeze([...SCHEMA.stats]);
export const SIDE = 28;
export const PIXELS = SIDE * SIDE;

const engineCall = (core, name, ...args) => core.call(name, ...args);

function withBytes(core, bytes, fn) {
  const p = core.m._gp_alloc_bytes(Math.max(1, bytes.length));
  if (!p) throw new CoreError('gp_alloc_bytes', GP.ERR_NOMEM, `cannot allocate ${bytes.length} bytes`);
  try {
    core.m.HEAPU8.set(bytes, p);
    return fn(p);
  } finally {
    core.m._gp_free_bytes(p);
  }
}

/** Bytes the core writes for a handle into a buffer of the size it asks for. */
function bytesFromCore(core, sizeCall, writeCall, handle) {
  const n = engineCall(core, sizeCall, handle);
  const p = core.m._gp_alloc_bytes(n);
  try {
    engineCall(core, writeCall, handle, p, n);
    return core.m.HEAPU8.slice(p, p + n);
  } finally {
    core.m._gp_free_bytes(p);
  }
}

/** A labelled IDX image set (MNIST layout: 28x28 unsigned bytes, labels 0..9) in wasm memory. */
export class Dataset {
  constructor(core, handle, buffers) {
    this.core = core;
    this.handle = handle;
    this.buffers = buffers;
    this.count = engineCall(core, 'dataset_count', handle);
  }

  /**
   * Throws a CoreError naming the problem (bad magic, truncated, label out of range, ...).
   * negatives: a mode meter's "not a digit" set, every label 10 (tools/negatives.mjs).
   */
  static fromIdx(core, images, labels, { negatives = false } = {}) {
    const m = core.m;
    // at least a byte each, so an empty file reaches the core and is called "empty"
    const pi = m._gp_alloc_bytes(Math.max(1, images.length)), pl = m._gp_alloc_bytes(Math.max(1, labels.length));
    try {
      if (!pi || !pl) throw new CoreError('gp_alloc_bytes', GP.ERR_NOMEM, 'cannot allocate the dataset');
      m.HEAPU8.set(images, pi);
      m.HEAPU8.set(labels, pl);
      const fn = negatives ? 'negatives_create' : 'dataset_create';
      return new Dataset(core, engineCall(core, fn, pi, images.length, pl, labels.length), [pi, pl]);
    } catch (e) {
      if (pi) m._gp_free_bytes(pi);
      if (pl) m._gp_free_bytes(pl);
      throw e;
    }
  }

  /** Frees the dataset; a second call does nothing. */
  destroy() {
    if (!this.handle) return;
    engineCall(this.core, 'dataset_destroy', this.handle);
    for (const p of this.buffers) this.core.m._gp_free_bytes(p);
    this.handle = 0;
    this.buffers = [];
  }
}

/** Config keys as the C side names them (the CLI and the page use these too). */
export const CONFIG_KEYS = Object.freeze(SCHEMA.settings.map((s) => s.name));
/** The keys a running model takes between steps (Gan.retune); the others shape the model. */
export const LIVE_CONFIG_KEYS = Object.freeze(SCHEMA.settings.filter((s) => s.live).map((s) => s.name));

/** { key: value } over CONFIG_KEYS, each read by get(name pointer) (loss as a name). */
function readConfig(core, get) {
  const out = {};
  for (const key of CONFIG_KEYS) {
    const v = withBytes(core, new TextEncoder().encode(`${key}\0`), get);
    out[key] = key === 'loss' ? LOSSES[v] : v;
  }
  return out;
}

/** Builds a configuration on the C side (a preset first, then each key) and hands it to fn. */
function withConfig(core, { preset, ...config }, fn) {
  const cfg = engineCall(core, 'config_create');
  try {
    if (preset !== undefined) {
      withBytes(core, new TextEncoder().encode(`${preset}\0`), (p) => engineCall(core, 'config_preset', cfg, p));
    }
    for (const [key, raw] of Object.entries(config)) {
      let value = raw;
      if (key === 'loss' && typeof raw === 'string') {
        value = LOSSES.indexOf(raw);
        if (value < 0) throw new CoreError('gp_config_set', GP.ERR_ARG, `unknown loss '${raw}' (one of ${LOSSES.join(', ')})`);
      }
      if (typeof value === 'boolean') value = value ? 1 : 0;
      const name = new TextEncoder().encode(`${key}\0`);
      withBytes(core, name, (p) => engineCall(core, 'config_set', cfg, p, value));
    }
    return fn(cfg);
  } finally {
    core.status('config_destroy', cfg);
  }
}

/** The full configuration a preset sets, { key: value } over CONFIG_KEYS. */
export function presetConfig(core, name) {
  return withConfig(core, { preset: name }, (cfg) => readConfig(core, (p) => core.m._gp_config_get(cfg, p)));
}

/** A model: the compact DCGAN with its optimisers, in one arena on the C side. */
export class Gan {
  constructor(core, handle) {
    this.core = core;
    this.handle = handle;
    try {
      this.latent = engineCall(core, 'gan_latent', handle);
      this.statsPtr = core.alloc(STAT_NAMES.length);
    } catch (e) {
      core.status('gan_destroy', handle); // the model is not handed out, so not left live
      throw e;
    }
  }

  /**
   * config: { key: value } over CONFIG_KEYS; loss may be a name; preset (a name from
   * presets()) is applied first and the other keys override it. Throws on a bad setting.
   */
  static create(core, config = {}) {
    return withConfig(core, config, (cfg) => new Gan(core, engineCall(core, 'gan_create', cfg)));
  }

  /**
   * Changes the live settings (cost, learning rates, betas, d_steps, real label, instance
   * noise, clip) between steps; config as for create. Throws, changing nothing, when the
   * configuration is impossible or differs in a setting that shapes the model.
   */
  retune(config) {
    withConfig(this.core, config, (cfg) => engineCall(this.core, 'gan_retune', this.handle, cfg));
  }

  /** A new model from checkpoint bytes; throws (and changes nothing) if they are bad. */
  static fromCheckpoint(core, bytes) {
    return new Gan(core, withBytes(core, bytes, (p) => engineCall(core, 'gan_checkpoint_read', p, bytes.length)));
  }

  /** The model's configuration as { key: value } over CONFIG_KEYS (loss as a name). */
  config() {
    return readConfig(this.core, (p) => this.core.m._gp_gan_config_get(this.handle, p));
  }

  /** Completed training iterations (where a checkpoint resumes). */
  iterations() {
    return engineCall(this.core, 'gan_iterations', this.handle);
  }

  readStats() {
    const v = this.core.view(this.statsPtr, STAT_NAMES.length);
    return Object.fromEntries(STAT_NAMES.map((k, i) => [k, v[i]]));
  }

  /** One iteration (d_steps D steps, one G step); returns the statistics. */
  trainStep(dataset) {
    engineCall(this.core, 'gan_train_step', this.handle, dataset.handle, this.statsPtr);
    return this.readStats();
  }

  stepD(dataset) {
    engineCall(this.core, 'gan_step_d', this.handle, dataset.handle, this.statsPtr);
    return this.readStats();
  }

  stepG() {
    engineCall(this.core, 'gan_step_g', this.handle, this.statsPtr);
    return this.readStats();
  }

  /** Images [n, 28, 28] in [-1, 1] from latent vectors z (Float32Array of n * latent). */
  generate(z) {
    const n = z.length / this.latent;
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`z must hold whole latent vectors of ${this.latent}`);
    const pz = this.core.upload(z), out = this.core.alloc(n * PIXELS);
    try {
      engineCall(this.core, 'gan_generate', this.handle, pz, n, out);
      return this.core.read(out, n * PIXELS);
    } finally {
      this.core.free(pz);
      this.core.free(out);
    }
  }

  /**
   * D's raw score of each image [n, 28, 28] in [-1, 1] (Float32Array of n * 784): its logit
   * (the critic's score for WGAN), in inference (no instance noise, batch norm from its
   * running statistics). The training state is untouched. With minibatch std-dev features
   * the images are scored batch at a time, in order, each group's spread as D's feature.
   */
  discriminate(images) {
    const n = images.length / PIXELS;
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`images must hold whole 28x28 images (${PIXELS} floats each)`);
    const pi = this.core.upload(images), out = this.core.alloc(n);
    try {
      engineCall(this.core, 'gan_discriminate', this.handle, pi, n, out);
      return this.core.read(out, n);
    } finally {
      this.core.free(pi);
      this.core.free(out);
    }
  }

  checkpoint() {
    return bytesFromCore(this.core, 'gan_checkpoint_size', 'gan_checkpoint_write', this.handle);
  }

  /** Frees the model; a second call does nothing (the handle is forgotten). */
  destroy() {
    if (!this.handle) return;
    engineCall(this.core, 'gan_destroy', this.handle);
    this.core.free(this.statsPtr);
    this.handle = 0;
    this.statsPtr = 0;
  }
}

/**
 * Divergence, one rule for the CLI and the page: a step whose loss (D's or G's) is beyond
 * DIVERGED_LOSS in size or not finite, or that discarded a non-finite update. Healthy runs
 * of every preset stay below about 25 (minimax's G cost is the largest); a learning rate
 * far too high (WGAN at 1 with clip 10) reaches 1e9 within a few steps.
 */
export const DIVERGED_LOSS = 1e4;
export const diverged = (st) => !(Math.abs(st.loss_d) <= DIVERGED_LOSS && Math.abs(st.loss_g) <= DIVERGED_LOSS) || st.skipped > 0;

/** Non-finite updates in a row after which a step throws GP.ERR_NONFINITE. */
export const maxBadSteps = (core) => core.m._gp_gan_max_bad_steps();

/** The presets: [{ name, lesson: { en, fr } }], each showing one lesson of the course. */
export function presets(core) {
  const text = (i, what) => core.m.UTF8ToString(core.m._gp_preset_text(i, what));
  return Array.from({ length: core.m._gp_preset_count() }, (_, i) => ({
    name: text(i, 0), lesson: { en: text(i, 1), fr: text(i, 2) },
  }));
}

/** Standard normal latent vectors from a seeded stream of the core (same seed, same z). */
export function latentNoise(core, n, latent, seed) {
  const rng = core.call('rng_create', seed >>> 0, 0x5eed);
  const p = core.alloc(n * latent);
  try {
    core.call('rng_normal', rng, p, n * latent, 0, 1);
    return core.read(p, n * latent);
  } finally {
    core.free(p);
    core.call('rng_destroy', rng);
  }
}

/** Images in the sample grid: 8x8 (the CLI's samples.png and the page's grid). */
export const GRID = 64;

/** The grid's fixed noise for a seed: a seed names its sample grid. */
export const gridNoise = (core, latent, seed) => latentNoise(core, GRID, latent, seed);

/** PNG bytes of a grid of images in [-1, 1] (stb_image_write on the C side). */
export function pngGrid(core, images, { cols = 8, scale = 1 } = {}) {
  const n = images.length / PIXELS;
  const p = core.upload(images);
  try {
    const len = engineCall(core, 'png_grid', p, n, cols, scale);
    const at = core.m._gp_png_data();
    return core.m.HEAPU8.slice(at, at + len);
  } finally {
    core.free(p);
  }
}

/** A grey picture (width x height bytes, 0 black) as PNG bytes, by the core's encoder. */
export function pngGray(core, pixels, width, height) {
  return withBytes(core, pixels, (p) => {
    const len = engineCall(core, 'png_gray', p, width, height);
    const at = core.m._gp_png_data();
    return core.m.HEAPU8.slice(at, at + len);
  });
}

/** Images in [-1, 1] as MNIST bytes (0 background, 255 ink). */
export function toBytes(core, images) {
  const p = core.upload(images);
  const out = core.m._gp_alloc_bytes(images.length);
  try {
    engineCall(core, 'to_bytes', p, images.length, out);
    return core.m.HEAPU8.slice(out, out + images.length);
  } finally {
    core.free(p);
    core.m._gp_free_bytes(out);
  }
}

/** An IDX3 unsigned-byte file image of n 28x28 images. */
export function idx3(bytes) {
  const n = bytes.length / PIXELS;
  const out = new Uint8Array(16 + bytes.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, 0x00000803);
  dv.setUint32(4, n);
  dv.setUint32(8, SIDE);
  dv.setUint32(12, SIDE);
  out.set(bytes, 16);
  return out;
}

/**
 * The mode meter's one reading rule, from the core (csrc/gan/meter.h): how many samples a
 * reading takes, the confident share below which nothing is recognisable, the top
 * probability that makes a sample confident, and the time-to-digits rule (coverage of all
 * ten classes with a confident share of at least `confident`).
 */
export function meterRule(core) {
  const p = core.alloc(8);
  try {
    engineCall(core, 'meter_rule', p);
    const v = core.read(p, 6);
    return { samples: v[0], floor: v[1], topProb: v[2], confident: v[3], share: v[4], classes: v[5], coverage: 10 };
  } finally {
    core.free(p);
  }
}

const METER_FLOATS = 28, METER_CLASSES = 11;
/** Floats of the meter's penultimate features an image (Meter.features). */
export const METER_FEATURES = 3136;

/** A reading as the core lays it out (api_gan.c, reading_out). */
function readingFrom(v) {
  const t = 2 * METER_CLASSES;
  return {
    histogram: Array.from(v.subarray(0, METER_CLASSES)),
    confidentHistogram: Array.from(v.subarray(METER_CLASSES, t)),
    coverage: v[t], confident: v[t + 1], junk: v[t + 2],
    allPresent: v[t + 3] === 1, recognisable: v[t + 4] === 1, digits: v[t + 5] === 1,
  };
}

/**
 * The mode meter: a classifier trained by this core; reads which classes samples cover,
 * and how many are no class at all (index 10, "not a digit").
 */
export class Meter {
  constructor(core, handle) {
    this.core = core;
    this.handle = handle;
    this.scratch = core.alloc(32);
  }

  static create(core, seed = 1) {
    return new Meter(core, engineCall(core, 'meter_create', seed >>> 0));
  }

  /**
   * Meter weights from bytes (cached by make data); throws if they are bad. The core checks
   * the bytes before the meter (about 15 MB) is made, so a bad file allocates nothing.
   */
  static fromBytes(core, bytes) {
    return withBytes(core, bytes, (p) => {
      engineCall(core, 'meter_check', p, bytes.length);
      const m = Meter.create(core);
      try {
        engineCall(core, 'meter_load', m.handle, p, bytes.length);
        return m;
      } catch (e) {
        m.destroy();
        throw e;
      }
    });
  }

  /** One epoch over the dataset and, mixed in, the negatives (a Dataset made with negatives: true). */
  trainEpoch(dataset, lr = 1e-3, negatives = null) {
    engineCall(this.core, 'meter_train_epoch', this.handle, dataset.handle, negatives?.handle ?? 0, lr, this.scratch);
    return this.core.view(this.scratch, 1)[0];
  }

  accuracy(dataset) {
    engineCall(this.core, 'meter_accuracy', this.handle, dataset.handle, this.scratch);
    return this.core.view(this.scratch, 1)[0];
  }

  /**
   * The reading of images in [-1, 1]: { histogram[11], confidentHistogram[11], coverage,
   * confident, junk, allPresent, recognisable, digits } (csrc/gan/meter.h).
   */
  read(images) {
    const p = this.core.upload(images);
    try {
      engineCall(this.core, 'meter_read', this.handle, p, images.length / PIXELS, this.scratch);
      return readingFrom(this.core.read(this.scratch, METER_FLOATS));
    } finally {
      this.core.free(p);
    }
  }

  /**
   * The penultimate activations of images in [-1, 1] (what the dense head reads): a
   * Float32Array of METER_FEATURES (7x7x64, channels last) floats an image.
   */
  features(images) {
    const n = images.length / PIXELS;
    const p = this.core.upload(images);
    try {
      const out = this.core.alloc(n * METER_FEATURES);
      try {
        engineCall(this.core, 'meter_features', this.handle, p, n, out);
        return this.core.read(out, n * METER_FEATURES);
      } finally {
        this.core.free(out);
      }
    } finally {
      this.core.free(p);
    }
  }

  /** The reading of rows of 11 class probabilities: the meter's arithmetic alone. */
  static tally(core, probs) {
    const p = core.upload(probs), out = core.alloc(METER_FLOATS);
    try {
      engineCall(core, 'meter_tally', p, probs.length / METER_CLASSES, out);
      return readingFrom(core.read(out, METER_FLOATS));
    } finally {
      core.free(p);
      core.free(out);
    }
  }

  bytes() {
    return bytesFromCore(this.core, 'meter_size', 'meter_save', this.handle);
  }

  /** Frees the meter; a second call does nothing. */
  destroy() {
    if (!this.handle) return;
    engineCall(this.core, 'meter_destroy', this.handle);
    this.core.free(this.scratch);
    this.handle = 0;
    this.scratch = 0;
  }
}
