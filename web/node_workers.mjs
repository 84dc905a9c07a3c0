// node_workers.mjs - Web Workers for the threaded core under Node (web/gan.js loads it).
//
// Emscripten's threaded build for the web starts each thread of its pool with
// `new Worker(url)` on its worker script (build/gan-mt.worker.js), a classic script that
// talks through self.onmessage and postMessage. Node has worker_threads instead: this
// Worker runs that same script in a worker_threads Worker with those few globals.

import { Worker as NodeWorker } from 'node:worker_threads';

const BOOT = `
const { parentPort, workerData } = require('node:worker_threads');
const { readFileSync } = require('node:fs');
const { fileURLToPath } = require('node:url');
globalThis.self = globalThis;
globalThis.postMessage = (message) => parentPort.postMessage(message);
parentPort.on('message', (data) => globalThis.onmessage({ data }));
(0, eval)(readFileSync(fileURLToPath(workerData.url), 'utf8'));
`;

const started = new Set();

class WebLikeWorker extends NodeWorker {
  constructor(url) {
    super(BOOT, { eval: true, workerData: { url: String(url) } });
    this.on('message', (data) => this.onmessage?.({ data }));
    this.on('error', (e) => this.onerror?.(e));
    started.add(this);
  }
}

/** Gives Node a Worker for Emscripten's pool (once). */
export function installWorker() {
  if (globalThis.Worker !== WebLikeWorker) globalThis.Worker = WebLikeWorker;
}

/**
 * Lets the process exit while the pool's threads wait for work: called once the module has
 * loaded (before that, the workers must keep Node alive until they report in).
 */
export function releaseWorkers() {
  for (const w of started) w.unref();
}
