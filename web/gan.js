// gan.js - the one JavaScript wrapper over the wasm core (build/gan.wasm), used alike by
// the page, its Web Worker and Node (tests, CLI, benchmark).
//
//   import { loadCore } from './gan.js';
//   const core = await loadCore();            // Node: reads build/gan.wasm from disk
//   const x = core.upload(new Float32Array([1, 2, 3]));
//   core.call('activation_forward', GP.FAST, GP.RELU, x, x, 3, 0);
//   core.read(x, 3);                          // Float32Array [1, 2, 3]
//
// Every gp_* function returns a status; core.call throws a CoreError naming the function
// and the problem when it is negative, core.status returns it untouched.

import createGanModule from '../build/gan.mjs';

export const GP = Object.freeze({
  FAST: 0, REF: 1,
  RELU: 0, LEAKY_RELU: 1, TANH: 2, SIGMOID: 3,
  OK: 0, ERR_NULL: -1, ERR_SIZE: -2, ERR_OVERFLOW: -3, ERR_SHAPE: -4, ERR_BOUNDS: -5,
  ERR_NOMEM: -6, ERR_HANDLE: -7, ERR_ARG: -8,
});

export class CoreError extends Error {
  constructor(fn, status, message) {
    super(`${fn}: ${message} (status ${status})`);
    this.name = 'CoreError';
    this.fn = fn;
    this.status = status;
  }
}

const isNode = typeof process !== 'undefined' && !!process.versions?.node;

async function wasmBinaryForNode() {
  // The generated loader fetches by URL, which Node 20 cannot do for a file: hand it the bytes.
  const { readFile } = await import('node:fs/promises');
  return readFile(new URL('../build/gan.wasm', import.meta.url));
}

/** Instantiates the core. opts.wasmBinary (bytes) skips the fetch; in Node it is read from disk. */
export async function loadCore(opts = {}) {
  const moduleOpts = {};
  if (opts.wasmBinary) moduleOpts.wasmBinary = opts.wasmBinary;
  else if (isNode) moduleOpts.wasmBinary = await wasmBinaryForNode();
  else moduleOpts.locateFile = (file) => new URL(`../build/${file}`, import.meta.url).href;
  return new Core(await createGanModule(moduleOpts));
}

export class Core {
  constructor(module) {
    this.m = module;
  }

  /** Calls gp_<name>; returns its result, throwing CoreError on a negative status. */
  call(name, ...args) {
    const r = this.status(name, ...args);
    if (typeof r === 'number' && r < 0 && Number.isInteger(r)) {
      throw new CoreError(`gp_${name}`, r, this.strerror(r));
    }
    return r;
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

  /** n zeroed floats in the wasm heap; throws when n is bad or memory is exhausted. */
  alloc(n) {
    const p = this.m._gp_alloc(n);
    if (!p) throw new CoreError('gp_alloc', GP.ERR_NOMEM, `cannot allocate ${n} floats`);
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
