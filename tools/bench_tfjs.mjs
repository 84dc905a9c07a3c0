// bench_tfjs.mjs - the peer in `gan.mjs bench`: the same compact DCGAN (batch 64, Adam,
// non-saturating cost) trained by TensorFlow.js 4.22 on its SIMD wasm backend, one thread,
// in this Node process.
//
// That backend has no Conv2DBackpropFilter kernel (the weight gradient of every
// convolution, and of every transposed one), so training cannot run at all without one.
// We register one built from the backend's own kernels: the filter gradient of a strided
// convolution is a dilated convolution of the padded input (batch and channels swapped)
// with the output gradient as the filter. That keeps all of tfjs's work in its own wasm.
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

function registerConv2DBackpropFilter(tf) {
  const run = (backend, name, inputs, attrs) => tf.getKernel(name, 'wasm').kernelFunc({ inputs, backend, attrs });
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, dy } = inputs;
      const [kh, kw, ci, co] = attrs.filterShape;
      const [sh, sw] = typeof attrs.strides === 'number' ? [attrs.strides, attrs.strides] : attrs.strides;
      if (attrs.dataFormat && attrs.dataFormat !== 'NHWC') throw new Error('bench: NHWC only');
      const [, H, W] = x.shape, [, OH, OW] = dy.shape;
      let padH = 0, padW = 0;
      if (attrs.pad === 'same') padH = Math.max((OH - 1) * sh + kh - H, 0), padW = Math.max((OW - 1) * sw + kw - W, 0);
      else if (attrs.pad !== 'valid') throw new Error(`bench: padding ${attrs.pad} not handled`);
      const top = Math.floor(padH / 2), left = Math.floor(padW / 2);
      const tmp = [];
      const keep = (t) => (tmp.push(t), t);
      const xp = keep(run(backend, 'PadV2', { x }, { paddings: [[0, 0], [top, padH - top], [left, padW - left], [0, 0]], constantValue: 0 }));
      const xT = keep(run(backend, 'Transpose', { x: xp }, { perm: [3, 1, 2, 0] }));  // [C, Hp, Wp, N]
      const fT = keep(run(backend, 'Transpose', { x: dy }, { perm: [1, 2, 0, 3] }));  // [OH, OW, N, OC]
      const r = keep(run(backend, 'Conv2D', { x: xT, filter: fT }, { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [sh, sw] }));
      const rc = keep(run(backend, 'Slice', { x: r }, { begin: [0, 0, 0, 0], size: [ci, kh, kw, co] }));
      const out = run(backend, 'Transpose', { x: rc }, { perm: [1, 2, 0, 3] });       // [KH, KW, C, OC]
      for (const t of tmp) backend.disposeData(t.dataId);
      return out;
    },
  });
}

function models(tf, latent, width) {
  const C1 = 32 * width, C2 = 64 * width;
  const G = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [latent], units: 7 * 7 * C2, kernelInitializer: 'randomNormal' }),
      tf.layers.batchNormalization(), tf.layers.reLU(), tf.layers.reshape({ targetShape: [7, 7, C2] }),
      tf.layers.conv2dTranspose({ filters: C1, kernelSize: 4, strides: 2, padding: 'same' }),
      tf.layers.batchNormalization(), tf.layers.reLU(),
      tf.layers.conv2dTranspose({ filters: 1, kernelSize: 4, strides: 2, padding: 'same', activation: 'tanh' }),
    ],
  });
  const D = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: C1, kernelSize: 4, strides: 2, padding: 'same' }),
      tf.layers.leakyReLU({ alpha: 0.2 }),
      tf.layers.conv2d({ filters: C2, kernelSize: 4, strides: 2, padding: 'same' }),
      tf.layers.leakyReLU({ alpha: 0.2 }), tf.layers.flatten(), tf.layers.dense({ units: 1 }),
    ],
  });
  return { G, D };
}

/**
 * The TensorFlow.js trainer, built and ready: { batch, step(), dispose() }; step() runs one
 * iteration (a D step on a real and a fake batch, a G step). tools/bench.mjs interleaves
 * its steps with ours, so a slow spell of a shared machine hits both alike.
 * backend: 'wasm' (SIMD, one thread: its threaded build is not used in Node) or 'cpu'.
 */
export async function tfjsTrainer({ backend = 'wasm', batch = 64, latent = 64, width = 1 } = {}) {
  const tf = await import('@tensorflow/tfjs');
  if (backend === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(`${path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'))}/dist/`);
    if (!tf.getKernel('Conv2DBackpropFilter', 'wasm')) registerConv2DBackpropFilter(tf);
  }
  await tf.setBackend(backend);
  await tf.ready();
  const { G, D } = models(tf, latent, width);
  const optG = tf.train.adam(2e-4, 0.5), optD = tf.train.adam(2e-4, 0.5);
  const real = tf.randomUniform([batch, 28, 28, 1], -1, 1); // the data path is not what is measured
  const ones = tf.ones([batch, 1]), zeros = tf.zeros([batch, 1]);
  const bce = (labels, logits) => tf.losses.sigmoidCrossEntropy(labels, logits);
  const step = () => {
    tf.tidy(() => {
      const z = tf.randomNormal([batch, latent]);
      optD.minimize(() => {
        const fake = G.apply(z, { training: true });
        return bce(ones, D.apply(real, { training: true })).add(bce(zeros, D.apply(fake, { training: true })));
      }, false, D.trainableWeights.map((w) => w.val));
      optG.minimize(() => bce(ones, D.apply(G.apply(tf.randomNormal([batch, latent]), { training: true }), { training: true })),
        false, G.trainableWeights.map((w) => w.val));
    });
  };
  const dispose = () => {
    tf.dispose([real, ones, zeros]);
    optG.dispose();
    optD.dispose();
    tf.disposeVariables();
  };
  return { batch, step, dispose };
}

/**
 * Trains for about `seconds` after a warm-up; resolves to { imagesPerSecond, steps }.
 * backend: 'wasm' (SIMD, one thread) or 'cpu' (plain JavaScript).
 */
export async function benchTfjs({ backend = 'wasm', batch = 64, latent = 64, width = 1, seconds = 10, warmup = 3 } = {}) {
  const trainer = await tfjsTrainer({ backend, batch, latent, width });
  for (let i = 0; i < warmup; i++) trainer.step();
  const t0 = performance.now();
  let steps = 0;
  while (performance.now() - t0 < seconds * 1000) {
    trainer.step();
    steps++;
  }
  const elapsed = (performance.now() - t0) / 1000;
  trainer.dispose();
  return { imagesPerSecond: (steps * batch) / elapsed, steps };
}
