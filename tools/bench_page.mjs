#!/usr/bin/env node
// bench_page.mjs - the page's targets, measured in Debian's Chromium against the real
// server (part of `make bench`; `make bench-page` alone):
//   first samples   ms from navigation to the first drawn grid (target <= 1500, localhost)
//   weight          the wasm, JS, HTML and CSS the page loads, gzipped (target < 300 KB;
//                   datasets excluded)
//   training speed  images/s in the page (steps x batch over wall time while playing)
//                   against the CLI's own figure for the same model, CLI runs before and
//                   after the page in the same bench run (target >= 90%)
//   long tasks      main-thread tasks over 50 ms while training (target: none)
//
//   node tools/bench_page.mjs [--json] [--seconds S]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

import { launchChromium } from './chromium.mjs';
import { UsageError, inRange, parseOptions } from './cli.mjs';
import { listen } from './serve.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
let opts;
try {
  opts = parseOptions(process.argv.slice(2), { json: 'boolean', seconds: 'number' });
  inRange(opts, 'seconds', 1, 600);
} catch (e) {
  if (!(e instanceof UsageError)) throw e;
  console.error(`bench_page.mjs: ${e.message}`);
  process.exit(2);
}
const json = !!opts.json;
const seconds = opts.seconds ?? 20;
const LOADS = 5, CLI_STEPS = 200, BATCH = 64;

function report(name, shape, value, unit, extra = {}) {
  if (json) console.log(JSON.stringify({ name, target: extra.target ?? 'page', shape, value: Number(value.toFixed(1)), unit, ...extra }));
  else console.log(`${name.padEnd(20)} ${shape.padEnd(34)} ${value.toFixed(1).padStart(9)} ${unit}${extra.note ? `  ${extra.note}` : ''}`);
}

/** The CLI's images/s for CLI_STEPS steps of the compact model (its own closing line). */
function cliImagesPerSecond() {
  const out = mkdtempSync(path.join(os.tmpdir(), 'gan-bench-cli-'));
  try {
    const text = execFileSync('node', ['tools/gan.mjs', 'train', '--steps', String(CLI_STEPS), '--out', out], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const m = /trained \d+ steps in [\d.]+ s \((\d+) images\/s\)/.exec(text);
    if (!m) throw new Error(`bench_page: no images/s in the CLI's output:\n${text}`);
    return Number(m[1]);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const { server, url } = await listen({ port: 0 });
const browser = await launchChromium();
try {
  // First samples and weight, over fresh loads.
  const firsts = [];
  let weight = null;
  for (let i = 0; i < LOADS; i++) {
    const page = await browser.context.newPage();
    const bodies = [];
    page.on('response', (r) => {
      if (!new URL(r.url()).pathname.startsWith('/data/')) bodies.push(r.body().then((b) => [r.url(), b]).catch(() => null));
    });
    await page.goto(url);
    await page.waitForFunction(() => document.body.dataset.firstSamplesMs, null, { timeout: 30000 });
    firsts.push(Number(await page.evaluate(() => document.body.dataset.firstSamplesMs)));
    if (!weight) {
      const files = (await Promise.all(bodies)).filter(Boolean);
      weight = { files: files.length, raw: 0, gz: 0 };
      for (const [, b] of files) weight.raw += b.length, weight.gz += gzipSync(b, { level: 9 }).length;
    }
    await page.close();
  }
  firsts.sort((a, b) => a - b);
  report('first_samples', `median of ${LOADS} loads (max ${firsts[LOADS - 1].toFixed(0)})`, firsts[LOADS >> 1], 'ms');
  report('weight', `${weight.files} files, ${(weight.raw / 1024).toFixed(0)} KB raw`, weight.gz / 1024, 'KB gzipped');

  const cliBefore = cliImagesPerSecond();

  // Training speed and long tasks, with the page visible and playing.
  const page = await browser.context.newPage();
  await page.addInitScript(() => {
    window.longTasks = [];
    new PerformanceObserver((list) => window.longTasks.push(...list.getEntries().map((e) => e.duration)))
      .observe({ type: 'longtask', buffered: true });
  });
  await page.goto(url);
  await page.waitForSelector('[data-testid=preset-balanced]');
  await page.waitForFunction(() => document.querySelector('[data-testid=progress]').hidden && document.querySelector('[data-testid=real]').width > 0, null, { timeout: 60000 });
  await page.click('[data-testid=play]');
  const readStep = () => page.evaluate(() => [Number(document.querySelector('[data-testid=step]').textContent), performance.now()]);
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=step]').textContent) >= 20, null, { timeout: 60000 });
  await page.evaluate(() => (window.longTasks = []));
  const [s0, t0] = await readStep();
  await page.waitForTimeout(seconds * 1000);
  const [s1, t1] = await readStep();
  const longTasks = await page.evaluate(() => window.longTasks);
  await page.close();
  const pageIps = ((s1 - s0) * BATCH) / ((t1 - t0) / 1000);

  const cliAfter = cliImagesPerSecond();
  const cli = (cliBefore + cliAfter) / 2;
  report('train', `compact b64, CLI (${cliBefore} / ${cliAfter})`, cli, 'images/s', { target: 'cli' });
  report('train', `compact b64, page, ${s1 - s0} steps`, pageIps, 'images/s', { of_cli: Number((pageIps / cli).toFixed(3)), note: `= ${((100 * pageIps) / cli).toFixed(1)}% of the CLI` });
  report('long_tasks', `main thread, ${((t1 - t0) / 1000).toFixed(0)} s of training`, longTasks.length, 'tasks > 50 ms', { note: longTasks.length ? `longest ${Math.max(...longTasks).toFixed(0)} ms` : '' });
} finally {
  await browser.close();
  server.close();
}
