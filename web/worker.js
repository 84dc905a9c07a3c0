// worker.js - the playground's training loop, in a module Worker so the page never waits
// on it. It owns one Session (session.js), fetches datasets with progress, trains in
// slices of about 50 ms, and posts a snapshot a few times a second: drawing never slows
// training, training never blocks the page.
//
// Page -> Worker: core {threads, share} (first: which core to start, below)
//                 | init {config, dataset, checkpoint, live} | play | pause | step {kind}
//                 | reset {config} | retune {config} | dataset {name, config} | save
//                 | load {bytes} | export | exportStrip (the filmstrip, progress.png)
//                 | gameOpen {name} | gameRound {id, name} ("Real or fake?", game.js)
//                 | pdata {on} (the view "P_θ against P_data" shown or not, pdata.js)
//                 | threads {n} (1..pool: the threads training uses from now on)
// Worker -> page: hello {presets, threads} | threads {count, pool, isolated, failed}
//                 | snapshot {...} | progress {name, loaded, total}
//                 | data {name, ok, message} | running {value} | checkpoint {bytes, step}
//                 | loaded {config, step, name} | notice {key, name}
//                 | error {kind, message, name, nonFinite} | png {bytes, what}
//                 | round {id, name, images, fake, source, scores, ...} or {id, error}
//                 | pdataReal {name, points, images} or {name, error} (the real cloud, once
//                   a dataset; the generated one comes in snapshots beside meter readings)
import { CoreError, GP, defaultThreads, loadCore, maxBadSteps, pngGrid, threadsAvailable } from './gan.js';
import { Session, presetTable } from './session.js';
import { CHECKPOINT_NAME } from './state.js';

const SLICE_MS = 50;        // training between looks at the message queue
const SNAPSHOT_MS = 400;    // a few snapshots a second
const METER_MS = 4000;      // the mode meter reads meterRule's 1000 samples: ~0.2 s, so not too often

let session, wanted = false, running = false, scheduled = false, lastSnap = 0, lastMeter = 0, dataName = null;
let loadToken = 0, loadAbort = null;
let pdataOn = false, pdataName = null; // the view is shown; the dataset whose projection the session holds

const post = (msg, transfer = []) => postMessage(msg, transfer);
// What a person reads: the core's reason for a CoreError, the message of anything else.
const cleanMessage = (e) => (e instanceof CoreError ? e.reason : String(e?.message ?? e));
// A training error; when training stopped on non-finite updates, how many in a row.
const trainingError = (e) => ({
  type: 'error', kind: 'training', message: cleanMessage(e),
  ...(e instanceof CoreError && e.status === GP.ERR_NONFINITE ? { nonFinite: maxBadSteps(session.core) } : {}),
});

function sendSnapshot(meter) {
  const now = performance.now();
  if (meter && session.meter) lastMeter = now;
  lastSnap = now;
  // The samples' cloud: at each meter reading, while the view is shown.
  const pdata = pdataOn && meter && !!session.meter && pdataName === dataName;
  const snap = session.snapshot({ meter: meter && !!session.meter, pdata });
  const { transfer } = snap;
  delete snap.transfer;
  post({ type: 'snapshot', ...snap }, transfer);
}

// Play may be pressed before the dataset has arrived: training starts when it does.
function setRunning(value) {
  wanted = value;
  running = wanted && !!session.dataset;
  post({ type: 'running', value: wanted, active: running });
  if (running) schedule();
}

// A zero-delay yield: MessageChannel tasks are not clamped like nested setTimeout.
const tick = new MessageChannel();
tick.port1.onmessage = run;
function schedule() {
  if (scheduled) return;
  scheduled = true;
  tick.port2.postMessage(0);
}

function run() {
  scheduled = false;
  if (!running) return;
  const t0 = performance.now();
  try {
    do session.step('train');
    while (performance.now() - t0 < SLICE_MS);
  } catch (e) {
    sendSnapshot(true);
    setRunning(false);
    post(trainingError(e));
    return;
  }
  const now = performance.now();
  if (now - lastSnap >= SNAPSHOT_MS) sendSnapshot(now - lastMeter >= METER_MS);
  schedule();
}

/** The whole body of a response, reporting bytes as they arrive. */
async function readAll(res, onBytes) {
  const total = Number(res.headers.get('Content-Length')) || 0, chunks = [];
  let seen = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    seen += value.length;
    onBytes(seen, total);
  }
  const out = new Uint8Array(seen);
  let at = 0;
  for (const c of chunks) out.set(c, at), (at += c.length);
  return out;
}

/** Fetches a gzipped file with progress; resolves to its decompressed bytes. */
async function fetchGz(url, signal, onBytes) {
  const res = await fetch(url, { signal });
  if (!res.ok) throw new Error(`${url.pathname}: HTTP ${res.status}${res.status === 404 ? ' (run make data on the server)' : ''}`);
  const packed = await readAll(res, onBytes);
  // A host that sends a .gz with Content-Encoding: gzip has the browser unpack it already:
  // an IDX file (0 0 8 type) is taken as it is; anything else must be gzip.
  if (packed[0] === 0 && packed[1] === 0 && packed[2] === 8) return packed;
  try {
    const stream = new Blob([packed]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch {
    throw new Error(`${url.pathname}: not a valid gzip file`);
  }
}

async function fetchBytes(url, signal) {
  const res = await fetch(url, { signal });
  if (res.status === 404) return null;
  if (!res.ok) throw new Error(`${url.pathname}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

/**
 * Loads a dataset and its meter into the session; the old ones stay if anything fails.
 * A failure or a newer request cancels the other downloads and silences their progress.
 */
async function loadData(name) {
  const token = ++loadToken;
  loadAbort?.abort(); // a newer request replaces an older one's downloads
  const abort = (loadAbort = new AbortController());
  const current = () => token === loadToken && !abort.signal.aborted;
  const at = (f) => new URL(`data/${name}-train-${f}-ubyte.gz`, new URL('.', import.meta.url));
  try {
    const progress = { images: [0, 0], labels: [0, 0] };
    const report = (which) => (loaded, total) => {
      if (!current()) return;
      progress[which] = [loaded, total];
      post({
        type: 'progress', name,
        loaded: progress.images[0] + progress.labels[0], total: progress.images[1] + progress.labels[1],
      });
    };
    const urls = { images: at('images-idx3'), labels: at('labels-idx1'), meter: new URL(`data/meter-${name}.bin`, new URL('.', import.meta.url)) };
    const [images, labels, meter] = await Promise.all([
      fetchGz(urls.images, abort.signal, report('images')),
      fetchGz(urls.labels, abort.signal, report('labels')),
      fetchBytes(urls.meter, abort.signal),
    ]);
    if (token !== loadToken) return false; // a newer request won
    try {
      session.setData({ images, labels, meter });
    } catch (e) {
      // The core says which input is at fault (CoreError.input: 1 images, 2 labels); name its file.
      if (!(e instanceof CoreError)) throw e;
      const url = e.fn === 'gp_meter_load' ? urls.meter : [null, urls.images, urls.labels][e.input];
      throw new Error(url ? `${url.pathname}: ${e.reason}` : e.reason);
    }
    dataName = name;
    pdataName = null; // setData dropped the projection
    post({ type: 'data', name, ok: true, count: session.dataset.count, meter: !!meter, rule: session.meterRule, real: session.real.slice() });
    return true;
  } catch (e) {
    const first = current();
    abort.abort();
    if (!first) return false;
    post({ type: 'data', name, ok: false, message: cleanMessage(e), current: dataName });
    return false;
  }
}

function guarded(kind, fn) {
  try {
    return fn();
  } catch (e) {
    post({ type: 'error', kind, message: cleanMessage(e) });
    return undefined;
  }
}

/**
 * Starts from the trained model data/checkpoints/NAME.gan, then the link's live settings
 * over it; false (the caller builds the default model) when it is not there (a quiet
 * notice: it is built by make checkpoints) or is refused (an error naming it).
 */
async function startFrom(name, live) {
  let bytes;
  try {
    if (!CHECKPOINT_NAME.test(name)) throw new Error(`'${name}' is not a checkpoint name`);
    const url = new URL(`data/checkpoints/${name}.gan`, new URL('.', import.meta.url));
    const res = await fetch(url);
    if (res.status === 404) {
      post({ type: 'notice', key: 'missing', name });
      return false;
    }
    if (!res.ok) throw new Error(`${url.pathname}: HTTP ${res.status}`);
    bytes = await readAll(res, (loaded, total) => post({ type: 'progress', name, loaded, total }));
    session.load(bytes);
  } catch (e) {
    post({ type: 'error', kind: 'linkCheckpoint', name, message: cleanMessage(e) });
    return false;
  }
  if (Object.keys(live).length) guarded('config', () => session.retune(live));
  post({ type: 'loaded', config: session.config, step: session.gSteps, name });
  return true;
}

// "Real or fake?": each dataset's test images, fetched once, only when the game opens.
const testSets = {};
function loadTestSet(name) {
  testSets[name] ??= (async () => {
    const url = new URL(`data/${name}-t10k-images-idx3-ubyte.gz`, new URL('.', import.meta.url));
    const bytes = await fetchGz(url, undefined, () => {});
    try {
      session.setTestSet(name, bytes);
    } catch (e) {
      throw new Error(`${url.pathname}: ${cleanMessage(e)}`);
    }
  })().catch((e) => {
    delete testSets[name]; // a later round tries again
    throw e;
  });
  return testSets[name];
}

// "P_θ against P_data": the dataset's projection (make data's pca-<name>.json) and the
// real images it shows (the test set, shared with the game), loaded when the view is first
// shown; the real cloud is posted once for each dataset.
async function loadPdata() {
  const name = dataName;
  if (!name || !session.meter || pdataName === name) return;
  try {
    const url = new URL(`data/pca-${name}.json`, new URL('.', import.meta.url));
    const res = await fetch(url);
    if (!res.ok) throw new Error(`${url.pathname}: HTTP ${res.status}${res.status === 404 ? ' (run make data on the server)' : ''}`);
    const json = await res.json();
    await loadTestSet(name);
    if (name !== dataName) return; // another dataset came in meanwhile
    const real = session.setPca(name, json);
    pdataName = name;
    post({ type: 'pdataReal', name, ...real }, [real.points.buffer, real.images.buffer]);
  } catch (e) {
    post({ type: 'pdataReal', name, error: cleanMessage(e) });
  }
}

const handlers = {
  async pdata({ on }) {
    pdataOn = on;
    if (!on) return;
    await loadPdata();
    if (pdataName === dataName && session.meter) sendSnapshot(true); // the samples' cloud at once, even paused
  },
  async init({ config, dataset, checkpoint, live = {} }) {
    // First samples before the dataset arrives: a trained model's at once, or the untrained G's.
    if (!(checkpoint && await startFrom(checkpoint, live))
      && guarded('config', () => session.build(config)) === undefined && !session.gan) session.build({});
    sendSnapshot(false);
    if (await loadData(dataset)) {
      if (pdataOn) await loadPdata();
      sendSnapshot(true);
    }
    setRunning(wanted);
  },
  play: () => setRunning(true),
  pause() {
    setRunning(false);
    sendSnapshot(true);
  },
  step({ kind }) {
    if (running) return;
    try {
      session.step(kind);
    } catch (e) {
      post(trainingError(e));
    }
    sendSnapshot(kind !== 'd');
  },
  reset({ config }) {
    guarded('config', () => {
      session.build(config);
      sendSnapshot(true);
    });
  },
  retune({ config }) {
    guarded('config', () => session.retune(config));
    // Paused, the page still needs to hear of a new cost: its charts change what they plot.
    if (!running) sendSnapshot(false);
  },
  async dataset({ name, config }) {
    if (await loadData(name)) {
      guarded('config', () => session.build(config));
      if (pdataOn) await loadPdata();
      sendSnapshot(true);
    }
    setRunning(wanted);
  },
  save() {
    const bytes = session.checkpoint();
    post({ type: 'checkpoint', bytes, step: session.gSteps }, [bytes.buffer]);
  },
  load({ bytes }) {
    guarded('checkpoint', () => {
      session.load(bytes);
      post({ type: 'loaded', config: session.config, step: session.gSteps, name: null });
      sendSnapshot(true);
    });
  },
  export() {
    const bytes = pngGrid(session.core, session.gan.generate(session.gridZ), { cols: 8, scale: 4 });
    post({ type: 'png', bytes, step: session.gSteps }, [bytes.buffer]);
  },
  gameOpen({ name }) {
    loadTestSet(dataName ?? name).catch(() => {}); // a round reports the failure
  },
  // A round of the dataset the model trains on, from the model as it is now (training goes on).
  async gameRound({ id, name }) {
    const set = dataName ?? name;
    try {
      await loadTestSet(set);
      const r = session.gameRound(set);
      post({ type: 'round', id, name: set, ...r }, [r.images.buffer]);
    } catch (e) {
      post({ type: 'round', id, name: set, error: cleanMessage(e) });
    }
  },
  exportStrip() {
    const bytes = session.progressPng();
    post({ type: 'png', what: 'progress', bytes, step: session.gSteps }, [bytes.buffer]);
  },
  threads({ n }) {
    guarded('config', () => session.core.setThreads(n));
    threadInfo.count = session.core.threads;
    post({ type: 'threads', ...threadInfo });
  },
};

// The threads: only a cross-origin isolated page has SharedArrayBuffer, so only there does
// the threaded build (build/gan-mt.wasm) start, with a pool of threads || its share of
// the cores, whichever is more (share: 2 for each of the compare page's two columns); the
// count can then move within the pool. Elsewhere the single-threaded build runs on one
// thread and the page says so in a quiet line. A pool of one is the single-threaded build
// too: the same bytes, no idle Worker. Both builds give the same bytes for any count.
const threadInfo = { count: 1, pool: 1, isolated: threadsAvailable(), failed: null };
async function startCore({ threads = null, share = 1 }) {
  if (threadInfo.isolated) {
    const mine = Math.max(1, Math.floor((await defaultThreads()) / share));
    const pool = Math.max(threads ?? mine, mine);
    if (pool > 1) {
      try {
        const core = await loadCore({ threads: pool });
        core.setThreads(threads ?? mine);
        Object.assign(threadInfo, { count: core.threads, pool });
        return core;
      } catch (e) {
        threadInfo.failed = cleanMessage(e); // a host without build/gan-mt.*: one thread, said quietly
      }
    }
  }
  return loadCore();
}

// Messages wait for the core; they are handled one at a time, in order. The first one says
// which core to start (core {threads, share}; any other message: the defaults).
let start;
let queue = new Promise((resolve) => (start = resolve)).then(startCore).then((core) => {
  session = new Session(core);
  session.seedGame(crypto.getRandomValues(new Uint32Array(1))[0]); // a fresh order of test images per page
  post({ type: 'hello', presets: presetTable(core), threads: { ...threadInfo } });
}).catch((e) => post({ type: 'error', kind: 'core', message: `cannot start the core: ${cleanMessage(e)}` }));

onmessage = (e) => {
  const msg = e.data;
  if (start) {
    start(msg.type === 'core' ? msg : {});
    start = null;
    if (msg.type === 'core') return;
  }
  // play/pause act at once so a click is never stuck behind a dataset download.
  if ((msg.type === 'pause' || msg.type === 'play') && session) return handlers[msg.type](msg);
  queue = queue.then(() => handlers[msg.type]?.(msg)).catch((err) => post({ type: 'error', kind: 'internal', message: cleanMessage(err) }));
};
