// lesson_shots.mjs - the README's lesson screenshots: each lesson's link opened in Chromium
// against the real server, trained live until the moment a teacher would point at the
// screen, then captured (the whole page, 1280 wide) into docs/lessons/NAME.png.
//
//   node tools/lesson_shots.mjs [NAME...]     (all lessons when no name is given)
//
// A moment is a step count, or a condition on the mode meter's caption (the collapse). Two
// pages train at a time, one per core. Minutes: the slowest lessons train 1500 steps.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { launchChromium } from './chromium.mjs';
import { UsageError, parseNames } from './cli.mjs';
import { listen } from './serve.mjs';

const OUT = fileURLToPath(new URL('../docs/lessons/', import.meta.url));

/** The meter's caption as numbers: { coverage, confident } (null while it has no digits). */
const READ_METER = () => {
  const m = /(\d+)\/10 · (\d+)[.,](\d)\s?%/.exec(document.querySelector('[data-testid="meter-text"]').textContent);
  return m ? { coverage: Number(m[1]), confident: Number(`${m[2]}.${m[3]}`) / 100 } : null;
};

export const LESSONS = [
  { name: 'mode-collapse', hash: '#preset=mode-collapse&play=1', steps: 1150, until: 'collapse', maxSteps: 1600,
    moment: 'mode-collapse: every sample the same digit, the history shows the digits G went through before' },
  { name: 'balanced', hash: '#preset=balanced&play=1', steps: 2000,
    moment: 'the default after 2000 steps (64,000 images): digits of every class' },
  { name: 'collapse-remedy', hash: '#preset=collapse-remedy&play=1', steps: 1200,
    moment: 'collapse-remedy: the same race with minibatch std-dev in D keeps every class' },
  { name: 'minimax', hash: '#preset=minimax&play=1', steps: 80,
    moment: 'minimax in its first steps: D rejects the fakes, the minimax gradient lies decades below the non-saturating one' },
  { name: 'strong-d', hash: '#preset=strong-d&play=1', steps: 200,
    moment: 'strong-d: D(G(z)) at 0, the gradient reaching G vanished, the samples noise' },
  { name: 'lsgan', hash: '#preset=lsgan&play=1', steps: 400, moment: 'lsgan: D\'s raw scores against their targets 1 and 0' },
  { name: 'wgan', hash: '#preset=wgan&play=1', steps: 600, moment: 'wgan: the critic\'s gap shrinking as digits form' },
  { name: 'fashion', hash: '#preset=balanced&dataset=fashion&play=1', steps: 2000,
    moment: 'Fashion-MNIST after 2000 steps (64,000 images): garments without a checkerboard' },
];

async function shoot(context, url, lesson) {
  const page = await context.newPage();
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(url + lesson.hash);
  const step = () => page.evaluate(() => Number(document.querySelector('[data-testid="step"]').textContent));
  const t0 = Date.now();
  for (;;) {
    await page.waitForTimeout(1000);
    const s = await step();
    if (s < lesson.steps) continue;
    if (!lesson.until) break;
    const m = await page.evaluate(READ_METER);
    if ((m && m.coverage <= 3 && m.confident >= 0.5) || s >= lesson.maxSteps) break;
  }
  await page.evaluate(() => document.querySelector('[data-testid="play"]').click());
  await page.waitForTimeout(1500); // the last snapshot and meter reading drawn
  const file = path.join(OUT, `${lesson.name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`${lesson.name}: step ${await step()} after ${((Date.now() - t0) / 1000).toFixed(0)} s -> ${path.relative(process.cwd(), file)} (${lesson.moment})`);
  await page.close();
}

let wanted;
try {
  wanted = parseNames(process.argv.slice(2), {}).names;
} catch (e) {
  if (!(e instanceof UsageError)) throw e;
  console.error(`lesson_shots: ${e.message}`);
  process.exit(2);
}
const unknown = wanted.filter((n) => !LESSONS.some((l) => l.name === n));
if (unknown.length) {
  console.error(`lesson_shots: unknown lesson ${unknown.join(', ')} (lessons: ${LESSONS.map((l) => l.name).join(', ')})`);
  process.exit(2);
}
mkdirSync(OUT, { recursive: true });
const { server, url } = await listen({ port: 0 });
const browser = await launchChromium();
try {
  const queue = LESSONS.filter((l) => !wanted.length || wanted.includes(l.name));
  const worker = async () => {
    while (queue.length) await shoot(browser.context, url, queue.shift());
  };
  await Promise.all([worker(), worker()]);
} finally {
  await browser.close();
  server.close();
}
