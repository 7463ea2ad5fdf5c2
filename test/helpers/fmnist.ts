// Writes a tiny fake Fashion-MNIST (four IDX files) for tests that must run without the Debian package.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { writeIdx } from '../../src/data/idx.js';
import { FMNIST_FILES } from '../../src/data/fmnist.js';

/** Writes a tiny fake Fashion-MNIST (n train, m test) in `dir`, gzipped or not. */
export function writeFakeFashionMnist(dir: string, n: number, m: number, gz = true): void {
  mkdirSync(dir, { recursive: true });
  const img = (k: number) => writeIdx([k, 28, 28], Array.from({ length: k * 784 }, (_, i) => (i * 7) % 256));
  const lab = (k: number) => writeIdx([k], Array.from({ length: k }, (_, i) => i % 10));
  const put = (name: string, b: Uint8Array) => writeFileSync(join(dir, gz ? `${name}.gz` : name), gz ? gzipSync(b) : b);
  put(FMNIST_FILES.trainImages, img(n));
  put(FMNIST_FILES.trainLabels, lab(n));
  put(FMNIST_FILES.testImages, img(m));
  put(FMNIST_FILES.testLabels, lab(m));
}

