// helpers.mjs - shared by the node:test suites over the wasm core.
import { loadCore, GP } from '../web/gan.js';

export { GP };

let corePromise;
/** One core per test file (each file runs in its own process). */
export function core() {
  corePromise ??= loadCore();
  return corePromise;
}

/** A small deterministic PRNG for test data (xorshift32 -> uniform in [-1, 1)). */
export function randomFloats(n, seed = 1) {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13, s >>>= 0, s ^= s >>> 17, s ^= s << 5, s >>>= 0;
    out[i] = s / 2147483648 - 1;
  }
  return out;
}

/** Largest |a - b| over the scale of b (max |b|, at least 1). */
export function relDiff(a, b) {
  let d = 0, scale = 1;
  for (let i = 0; i < b.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]));
    const e = Math.abs(a[i] - b[i]);
    d = Number.isNaN(e) ? Infinity : Math.max(d, e);
  }
  return d / scale;
}

export function dot(a, b) {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Uploads each named Float32Array; returns pointers and a release function. */
export function buffers(c, arrays) {
  const ptrs = Object.fromEntries(Object.entries(arrays).map(([k, v]) => [k, c.upload(v)]));
  return { ...ptrs, release: () => Object.values(ptrs).forEach((p) => c.free(p)) };
}
