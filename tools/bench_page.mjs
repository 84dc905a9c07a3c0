#!/usr/bin/env node
// bench_page.mjs - the page's targets, measured in Debian's Chromium against the real
// server (part of `make bench`; `make bench-page` alone):
//   first samples   ms from navigation to the first drawn grid (target <= 1500, localhost)
//   weight          the wasm, JS, HTML and CSS the page loads, gzipped (target < 300 KB;
//                   datasets excluded)
//   training speed  images/s in the page (steps x batch over wall time while playing)
//                   against the CLI's own figure for the same model, CLI runs before and
//                   after the page in the same bench run, both on every core (target >= 90%)
//   long tasks      main-thread tasks over 50 ms while training (target: none)
//   threads         images/s of the compact model (fast) and of the default (balanced) at
//                   1 thread and at each power of two up to navigator.hardwareConcurrency
//                   (threads=N, the threaded build), the speed-up over 1 thread and the
//                   parallel efficiency (speed-up / threads; target at 2 threads: >= 1.7x),
//                   and the single-threaded build on a server without the isolation
//                   headers beside them (rows name "train_threads", with "threads"). The
//                   pages of one model train in turns of 2 s, one at a time, `seconds` each
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
const LOADS = 5, CLI_STEPS = 200;
const MODELS = [['fast', 'compact'], ['balanced', 'default']];

function report(name, shape, value, unit, extra = {}) {
  if (json) console.log(JSON.stringify({ name, target: extra.target ?? 'page', shape, value: Number(value.toFixed(1)), unit, ...extra }));
  else console.log(`${name.padEnd(20)} ${shape.padEnd(34)} ${value.toFixed(1).padStart(9)} ${unit}${extra.note ? `  ${extra.note}` : ''}`);
}

/** The CLI's images/s for CLI_STEPS steps of its default model on threads threads (its own closing line). */
function cliImagesPerSecond(threads) {
  const out = mkdtempSync(path.join(os.tmpdir(), 'gan-bench-cli-'));
  try {
    const args = ['tools/gan.mjs', 'train', '--steps', String(CLI_STEPS), '--threads', String(threads), '--out', out];
    const text = execFileSync('node', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const m = /trained \d+ steps in [\d.]+ s \((\d+) images\/s\)/.exec(text);
    if (!m) throw new Error(`bench_page: no images/s in the CLI's output:\n${text}`);
    return Number(m[1]);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** Whether the page shows its dataset loaded (the real images drawn, the progress gone). */
const dataIn = () => document.querySelector('[data-testid=progress]').hidden && document.querySelector('[data-testid=real]').width > 0;
const readStep = (page) => page.evaluate(() => [Number(document.querySelector('[data-testid=step]').textContent), performance.now()]);
/** What the page trains: its preset, batch and the threads its status line shows. */
const model = (page) => page.evaluate(() => ({
  preset: new URLSearchParams(location.hash.slice(1)).get('preset'),
  batch: Number(document.querySelector('[data-testid=batch]').value),
  threads: Number(document.querySelector('[data-testid=threads] b').textContent),
}));

const TURN_MS = 2000;
const pressed = (page) => page.evaluate(() => document.querySelector('[data-testid=play]').getAttribute('aria-pressed') === 'true');

/**
 * The images/s of pages side by side, [{ base, hash }] -> [{ ips, steps, preset, batch,
 * threads }]: each page loads and warms up (20 steps), then they train in turns of
 * TURN_MS, one at a time, until each has trained `seconds`, so a slow spell of a shared
 * machine falls on every one alike. A turn runs from the click on Play to the click on
 * Pause; the steps are the counter's once the pause's snapshot is drawn.
 */
async function pageSpeeds(configs) {
  const pages = [];
  try {
    for (const { base, hash } of configs) {
      const page = await browser.context.newPage();
      pages.push(page);
      await page.goto(`${base}#${hash}&play=1`);
      await page.waitForFunction(dataIn, null, { timeout: 60000 });
      await page.waitForFunction(() => Number(document.querySelector('[data-testid=step]').textContent) >= 20, null, { timeout: 120000 });
      await page.click('[data-testid=play]');
      await page.waitForFunction(() => document.querySelector('[data-testid=play]').getAttribute('aria-pressed') === 'false');
    }
    const done = pages.map(() => ({ steps: 0, ms: 0 }));
    // The step once the Worker has handled everything sent so far (its checkpoint comes after
    // the pause's snapshot) and the page has drawn it.
    const settled = async (page) => {
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=save]')]);
      await download.delete();
      return page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(Number(document.querySelector('[data-testid=step]').textContent))))));
    };
    while (done.some((d) => d.ms < seconds * 1000)) {
      for (const [i, page] of pages.entries()) {
        await page.bringToFront(); // a page in the background draws no frame
        const s0 = await settled(page);
        const t0 = performance.now();
        await page.click('[data-testid=play]');
        await page.waitForTimeout(TURN_MS);
        await page.click('[data-testid=play]');
        const t1 = performance.now();
        await page.waitForFunction(() => document.querySelector('[data-testid=play]').getAttribute('aria-pressed') === 'false');
        if (await pressed(page)) throw new Error('bench_page: a page would not pause');
        done[i].steps += (await settled(page)) - s0;
        done[i].ms += t1 - t0;
      }
    }
    const out = [];
    for (const [i, page] of pages.entries()) {
      const m = await model(page);
      out.push({ ips: (done[i].steps * m.batch) / (done[i].ms / 1000), steps: done[i].steps, ...m });
    }
    return out;
  } finally {
    for (const page of pages) await page.close();
  }
}

const { server, url } = await listen({ port: 0 });
const { server: plainServer, url: plainUrl } = await listen({ port: 0, isolation: false });
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

  const probe = await browser.context.newPage();
  await probe.goto(url);
  const cores = await probe.evaluate(() => navigator.hardwareConcurrency);
  await probe.close();
  const cliBefore = cliImagesPerSecond(cores);

  // Training speed and long tasks, with the page visible and playing.
  const page = await browser.context.newPage();
  await page.addInitScript(() => {
    window.longTasks = [];
    new PerformanceObserver((list) => window.longTasks.push(...list.getEntries().map((e) => e.duration)))
      .observe({ type: 'longtask', buffered: true });
  });
  await page.goto(url);
  await page.waitForSelector('[data-testid=preset-balanced]');
  await page.waitForFunction(dataIn, null, { timeout: 60000 });
  await page.click('[data-testid=play]');
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=step]').textContent) >= 20, null, { timeout: 60000 });
  await page.evaluate(() => (window.longTasks = []));
  const [s0, t0] = await readStep(page);
  await page.waitForTimeout(seconds * 1000);
  const [s1, t1] = await readStep(page);
  const longTasks = await page.evaluate(() => window.longTasks);
  const shown = await model(page);
  await page.close();
  const pageIps = ((s1 - s0) * shown.batch) / ((t1 - t0) / 1000);

  const cliAfter = cliImagesPerSecond(cores);
  const cli = (cliBefore + cliAfter) / 2;
  const what = `default b${shown.batch}, ${cores} thread${cores > 1 ? 's' : ''}`;
  report('train', `${what}, CLI (${cliBefore} / ${cliAfter})`, cli, 'images/s', { target: 'cli', threads: cores });
  report('train', `${what}, page (${shown.threads}), ${s1 - s0} steps`, pageIps, 'images/s', {
    threads: shown.threads, of_cli: Number((pageIps / cli).toFixed(3)), note: `= ${((100 * pageIps) / cli).toFixed(1)}% of the CLI`,
  });
  report('long_tasks', `main thread, ${((t1 - t0) / 1000).toFixed(0)} s of training`, longTasks.length, 'tasks > 50 ms', { note: longTasks.length ? `longest ${Math.max(...longTasks).toFixed(0)} ms` : '' });

  // Threads: 1 and each power of two up to the cores (and the cores themselves), each in a
  // fresh page; the single-threaded build (a server without the isolation headers) beside.
  const counts = [];
  for (let n = 1; n <= cores; n *= 2) counts.push(n);
  if (counts.at(-1) !== cores) counts.push(cores);
  for (const [preset, kind] of MODELS) {
    const rows = await pageSpeeds([
      ...counts.map((n) => ({ base: url, hash: `preset=${preset}&threads=${n}` })),
      { base: plainUrl, hash: `preset=${preset}` }, // the single-threaded build: no isolation headers
    ]);
    const single = rows.pop();
    const one = rows[0].ips;
    for (const [i, r] of rows.entries()) {
      const n = counts[i];
      if (r.threads !== n) throw new Error(`bench_page: the page shows ${r.threads} threads for threads=${n}`);
      const speedup = r.ips / one;
      report('train_threads', `${preset} (${kind}) b${r.batch}, page, ${n} thread${n > 1 ? 's' : ''}`, r.ips, 'images/s', {
        preset, batch: r.batch, threads: n, speedup: Number(speedup.toFixed(3)), efficiency: Number((speedup / n).toFixed(3)),
        note: `${speedup.toFixed(2)}x over 1 thread, efficiency ${((100 * speedup) / n).toFixed(0)}%`,
      });
    }
    if (single.threads !== 1) throw new Error(`bench_page: the page without isolation shows ${single.threads} threads`);
    report('train_threads', `${preset} (${kind}) b${single.batch}, page, single-threaded build`, single.ips, 'images/s', {
      preset, batch: single.batch, threads: 1, build: 'single', of_threaded_1: Number((single.ips / one).toFixed(3)),
      note: `${(single.ips / one).toFixed(2)}x the threaded build at 1 thread (no isolation headers)`,
    });
  }
} finally {
  await browser.close();
  server.close();
  plainServer.close();
}
