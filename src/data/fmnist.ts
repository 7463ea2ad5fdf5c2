// Fashion-MNIST (Xiao, Rasul & Vollgraf 2017): four IDX files, 60 000 training and 10 000 test images of 28×28
// unsigned bytes with labels 0–9. Debian's `dataset-fashion-mnist` installs them gzipped under
// /usr/share/datasets/fashion-mnist/; any directory with the four files (gzipped or not) works.
// Node reads them synchronously (experiment cells are synchronous); the browser decodes the files a user picks with
// `fashionMnistFromFiles` and hands the result to `provideFashionMnist`, after which cells find it by directory key.
import { CondlabError } from '../engine/errors.js';
import { gunzipStream, gunzipSyncNode, nodeBuiltin, readIdx } from './idx.js';

export const FMNIST_DEFAULT_DIR = '/usr/share/datasets/fashion-mnist';
export const FMNIST_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;
export const FMNIST_CLASSES = 10;
export const FMNIST_PIXELS = 784;
export const FMNIST_HOW_TO_GET =
  'install it with `apt-get install dataset-fashion-mnist`, or pass --data DIR with a copy of the four IDX files';

export interface LabelledImages {
  /** n×784 pixels, row-major, 0–255. */
  images: Uint8Array;
  labels: Uint8Array;
  n: number;
}

export interface FashionMnist {
  train: LabelledImages;
  test: LabelledImages;
}

type FileKey = keyof typeof FMNIST_FILES;

/** Checks one images/labels pair: 28×28 images, matching counts, labels in 0–9. */
export function checkSplit(images: Uint8Array, imageShape: number[], labels: Uint8Array, labelShape: number[], split: string): LabelledImages {
  if (imageShape.length !== 3 || imageShape[1] !== 28 || imageShape[2] !== 28) {
    throw new CondlabError(`fmnist ${split} images: shape [${imageShape.join(', ')}]; Fashion-MNIST images are [n, 28, 28]`, 'bad-file');
  }
  if (labelShape.length !== 1 || labelShape[0] !== imageShape[0]) {
    throw new CondlabError(`fmnist ${split} labels: shape [${labelShape.join(', ')}] does not match ${imageShape[0]} images (need [${imageShape[0]}])`, 'bad-file');
  }
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] >= FMNIST_CLASSES) {
      throw new CondlabError(`fmnist ${split} labels: label ${labels[i]} at index ${i}; labels are 0 to ${FMNIST_CLASSES - 1}`, 'bad-file');
    }
  }
  return { images, labels, n: imageShape[0] };
}

const provided = new Map<string, FashionMnist>();
const loaded = new Map<string, FashionMnist>();

/** Registers a data set decoded elsewhere (the browser) under `key`, which cells then pass as config.data. */
export function provideFashionMnist(key: string, data: FashionMnist): void {
  provided.set(key, data);
}

/** The one-line "where I looked, how to get it" message, or undefined when the files are there. */
export function fashionMnistMissing(dir: string): string | undefined {
  if (provided.has(dir) || loaded.has(dir)) return undefined;
  let fs: typeof import('node:fs');
  try {
    fs = nodeBuiltin<typeof import('node:fs')>('node:fs');
  } catch {
    return `fmnist: no Fashion-MNIST files provided (pick the four IDX files in the browser lab)`;
  }
  const absent = (Object.keys(FMNIST_FILES) as FileKey[]).filter((k) => findFile(fs, dir, k) === undefined);
  if (absent.length === 0) return undefined;
  const names = absent.map((k) => `${FMNIST_FILES[k]}[.gz]`).join(', ');
  return `fmnist: Fashion-MNIST not found in ${dir} (missing ${names}); ${FMNIST_HOW_TO_GET}`;
}

function findFile(fs: typeof import('node:fs'), dir: string, key: FileKey): string | undefined {
  for (const name of [`${FMNIST_FILES[key]}.gz`, FMNIST_FILES[key]]) {
    const p = `${dir.replace(/\/+$/, '')}/${name}`;
    try {
      if (fs.statSync(p).isFile()) return p;
    } catch {
      // absent: try the other spelling
    }
  }
  return undefined;
}

/** The data set in `dir` (read once per process and cached), or the one provided under that key. */
export function fashionMnist(dir: string): FashionMnist {
  const have = provided.get(dir) ?? loaded.get(dir);
  if (have) return have;
  const missing = fashionMnistMissing(dir);
  if (missing) throw new CondlabError(missing, 'data-missing', { dir });
  const fs = nodeBuiltin<typeof import('node:fs')>('node:fs');
  const read = (key: FileKey) => {
    const path = findFile(fs, dir, key)!;
    return readIdx(gunzipSyncNode(new Uint8Array(fs.readFileSync(path)), path), path);
  };
  const data = assemble(read);
  loaded.set(dir, data);
  return data;
}

function assemble(read: (key: FileKey) => { shape: number[]; data: Uint8Array }): FashionMnist {
  const ti = read('trainImages'), tl = read('trainLabels'), si = read('testImages'), sl = read('testLabels');
  return {
    train: checkSplit(ti.data, ti.shape, tl.data, tl.shape, 'train'),
    test: checkSplit(si.data, si.shape, sl.data, sl.shape, 'test'),
  };
}

/**
 * Decodes the four files from (name, bytes) pairs, matched by their standard names (with or without .gz), e.g. the
 * files a user picked in the browser. Gzip is inflated with DecompressionStream.
 */
export async function fashionMnistFromFiles(files: { name: string; bytes: Uint8Array }[]): Promise<FashionMnist> {
  const byKey = new Map<FileKey, { name: string; bytes: Uint8Array }>();
  for (const f of files) {
    const base = f.name.replace(/\.gz$/, '');
    const key = (Object.keys(FMNIST_FILES) as FileKey[]).find((k) => FMNIST_FILES[k] === base);
    if (key) byKey.set(key, f);
  }
  const absent = (Object.keys(FMNIST_FILES) as FileKey[]).filter((k) => !byKey.has(k));
  if (absent.length) {
    throw new CondlabError(`fmnist: missing ${absent.map((k) => FMNIST_FILES[k]).join(', ')} among the ${files.length} file(s) given; pick all four IDX files (gzipped or not)`, 'data-missing');
  }
  const arrays = new Map<FileKey, { shape: number[]; data: Uint8Array }>();
  for (const [key, f] of byKey) arrays.set(key, readIdx(await gunzipStream(f.bytes, f.name), f.name));
  return assemble((k) => arrays.get(k)!);
}
