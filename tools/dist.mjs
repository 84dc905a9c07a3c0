#!/usr/bin/env node
// dist.mjs - `make dist`: the playground as one self-contained static folder a teacher copies
// to any static host or LMS file area. The page's URLs are relative (web/gan.js imports
// '../build/gan.mjs', web/worker.js fetches 'data/...' beside itself), so the folder keeps
// web/ and build/ as siblings and puts what the worker fetches under web/data/:
//
//   index.html, index.js     sends the visitor on to web/index.html, keeping the #settings
//   web/                     the page (every file of web/)
//   web/data/                the gzipped datasets, the mode meters, checkpoints/*.gan if built
//   build/                   the page's core: gan.mjs, gan.wasm, schema.mjs, and its threaded
//                            twin gan-mt.mjs, gan-mt.wasm, gan-mt.worker.js (not the test build)
//
// Nothing in it names the host or the path it is served from, and nothing needs special
// headers: it runs from http://host/any/sub/path/ on a plain static server, on one thread
// (the single-threaded build); a host that sends the cross-origin isolation headers
// (COOP same-origin, COEP require-corp) gets the threaded build on every core.
//
//   node tools/dist.mjs [OUT]   writes OUT (default dist/), replacing an earlier dist there

import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DATA = path.join(ROOT, 'data', 'generated');
const DATASETS = ['mnist', 'fashion']; // the page's (tools/datasets.mjs, make data)
const CORE = ['gan.mjs', 'gan.wasm', 'schema.mjs', 'gan-mt.mjs', 'gan-mt.wasm', 'gan-mt.worker.js'];
// What a dist holds at its top: a folder holding anything else is not replaced.
const TOP = ['index.html', 'index.js', 'web', 'build'];

// The entry page. A meta refresh would drop the #hash (a link's settings), so a small
// script file (no inline script: serve.mjs's CSP allows same-origin files only) replaces
// the location with web/index.html and the same hash; without JavaScript the page could not
// run anyway, but the refresh and the link still lead there.
const INDEX_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>GAN playground</title>
<link rel="icon" href="data:,">
<script src="index.js"></script>
<noscript><meta http-equiv="refresh" content="0; url=web/index.html"></noscript>
</head>
<body>
<p><a href="web/index.html">Open the GAN playground</a></p>
</body>
</html>
`;
const INDEX_JS = `// Sends the visitor on to the playground, keeping the link's #settings.
location.replace('web/index.html' + location.search + location.hash);
`;

export class DistError extends Error {}

function fail(message) {
  throw new DistError(message);
}

/** Every file under dir (relative paths), dotfiles left out. */
function filesUnder(dir, rel = '') {
  return readdirSync(path.join(dir, rel), { withFileTypes: true })
    .filter((e) => !e.name.startsWith('.'))
    .flatMap((e) => {
      const r = path.join(rel, e.name);
      return e.isDirectory() ? filesUnder(dir, r) : e.isFile() ? [r] : [];
    });
}

/**
 * The copies to make, [source, path in the dist], or a DistError naming what is missing;
 * data: where make data wrote the datasets, meters and checkpoints/ (a test's own folder).
 */
export function plan({ data = DATA } = {}) {
  const need = (file, hint) => {
    if (!existsSync(file)) fail(`${file.startsWith(ROOT) ? path.relative(ROOT, file) : file} is missing: run ${hint} first`);
    return file;
  };
  const web = filesUnder(path.join(ROOT, 'web'));
  if (web.some((f) => f.split(path.sep)[0] === 'data')) fail('web/data/ exists in the source tree; the dist puts the data there');
  const copies = web.map((f) => [path.join(ROOT, 'web', f), path.join('web', f)]);
  for (const f of CORE) copies.push([need(path.join(ROOT, 'build', f), 'make'), path.join('build', f)]);
  for (const name of DATASETS) {
    // the training sets, the test sets ("Real or fake?", P_θ against P_data), the meter and
    // its projection (P_θ against P_data)
    const sets = ['train', 't10k'].flatMap((s) => [`${name}-${s}-images-idx3-ubyte.gz`, `${name}-${s}-labels-idx1-ubyte.gz`]);
    for (const f of [...sets, `meter-${name}.bin`, `pca-${name}.json`]) {
      copies.push([need(path.join(data, f), 'make data'), path.join('web', 'data', f)]);
    }
  }
  // The lessons' checkpoints when make checkpoints has built them (NAME.gan only: a .json
  // beside each is the recipe's record, and a half-written file has another suffix).
  const ckDir = path.join(data, 'checkpoints');
  if (existsSync(ckDir)) {
    for (const f of readdirSync(ckDir).filter((n) => /^[a-z0-9-]{1,40}\.gan$/.test(n)).sort()) {
      copies.push([path.join(ckDir, f), path.join('web', 'data', 'checkpoints', f)]);
    }
  }
  return copies;
}

/** Writes the dist into out (a fresh folder beside it first, then swapped in); opts: plan's. */
export function writeDist(out, opts) {
  out = path.resolve(out);
  if (existsSync(out)) {
    if (!statSync(out).isDirectory()) fail(`${out} is not a folder`);
    const extra = readdirSync(out).filter((n) => !TOP.includes(n));
    if (extra.length) fail(`${out} holds ${extra.slice(0, 3).join(', ')}: not a dist, so not replaced`);
  }
  const copies = plan(opts);
  const tmp = `${out}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  try {
    for (const [src, rel] of copies) {
      mkdirSync(path.dirname(path.join(tmp, rel)), { recursive: true });
      copyFileSync(src, path.join(tmp, rel));
    }
    writeFileSync(path.join(tmp, 'index.html'), INDEX_HTML);
    writeFileSync(path.join(tmp, 'index.js'), INDEX_JS);
    rmSync(out, { recursive: true, force: true });
    renameSync(tmp, out);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  const bytes = copies.reduce((n, [src]) => n + statSync(src).size, 0);
  const checkpoints = copies.filter(([, rel]) => rel.endsWith('.gan')).length;
  return { out, files: copies.length + 2, bytes, checkpoints };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const args = process.argv.slice(2);
  if (args.length > 1 || args[0]?.startsWith('-')) {
    console.error('usage: node tools/dist.mjs [OUT]   (default dist/)');
    process.exit(2);
  }
  let made;
  try {
    made = writeDist(args[0] ?? path.join(ROOT, 'dist'));
  } catch (e) {
    if (!(e instanceof DistError)) throw e;
    console.error(`dist: ${e.message}`);
    process.exit(1);
  }
  const { out, files, bytes, checkpoints } = made;
  const shown = path.relative(process.cwd(), out);
  console.log(`dist: ${shown && !shown.startsWith('..') ? shown : out}/: ${files} files, ${(bytes / 1e6).toFixed(1)} MB` +
    `, ${checkpoints ? `${checkpoints} checkpoints` : 'no checkpoints (make checkpoints builds them)'}` +
    '; open index.html from any static web server');
}
