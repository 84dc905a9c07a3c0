// probe-worker.js - the module Worker side of core.html.
import { loadCore, GP } from '/gan.js';
import { runProbe } from '/tests/probe.js';

loadCore({ full: true }).then(
  (core) => postMessage(runProbe(core, GP)),
  (e) => postMessage({ error: String(e?.stack ?? e) }),
);
