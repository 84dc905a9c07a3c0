// "P_θ against P_data" under mode-collapse (make test-long: about a minute and a half of
// training): the samples' cloud in the fixed projection shrinks far below the real one.
// The quick checks of the projection and the view are in tests/pdata.test.mjs.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';

import { loadCore } from '../../web/gan.js';
import { Session } from '../../web/session.js';
import { loadMeter, pcaPath } from '../../tools/data.mjs';
import { loadDataset } from '../../tools/datasets.mjs';
import { cloudSpread as spread } from '../helpers.mjs';

const core = await loadCore();
const meter = loadMeter(core, 'mnist');
const pca = JSON.parse(readFileSync(pcaPath('mnist'), 'utf8'));
const testIdx = gunzipSync(readFileSync(new URL('../../data/generated/mnist-t10k-images-idx3-ubyte.gz', import.meta.url)));
const realSpread = spread(Float32Array.from(pca.real.points.flat()));

// Measured (seed 1, 500 samples, real cloud 21.9): mode-collapse 16.4 at step 200, 7.5 at
// 600, 2.8 at 800, 2.6-7.2 to 1500 (coverage 1-3); balanced 20-20.7 from step 400 on.
test('under mode-collapse the samples\' cloud shrinks far below the real one (800 steps, about a minute)', { timeout: 300000 }, async (t) => {
  const data = loadDataset(core, 'mnist');
  const s = new Session(core);
  s.build({ preset: 'mode-collapse', seed: 1 });
  s.meter = meter;
  s.setTestSet('mnist', testIdx);
  s.setPca('mnist', pca);
  s.dataset = data;
  try {
    for (let i = 0; i < 800; i++) s.gan.trainStep(data);
    const got = spread(s.readPdata().points), r = meter.read(s.gan.generate(s.meterZ));
    t.diagnostic(`step 800: spread ${got.toFixed(2)} (real ${realSpread.toFixed(2)}), coverage ${r.coverage}`);
    assert.ok(got < 0.35 * realSpread, `collapsed samples spread ${got} against the real cloud's ${realSpread}`);
  } finally {
    s.meter = null;
    s.dataset = null;
    s.gan.destroy();
    data.destroy();
  }
});
