// The IDX reader and the Fashion-MNIST loader: round trips, every hostile header we can think of, truncation and
// trailing bytes, gzip in both decoders, a byte-corruption fuzz, and the real Debian files when installed.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CondlabError } from '../src/engine/errors.js';
import { IDX_MAX_BYTES, gunzipStream, gunzipSyncNode, readIdx, writeIdx } from '../src/data/idx.js';
import { writeFakeFashionMnist } from './helpers/fmnist.js';
import { FMNIST_DEFAULT_DIR, FMNIST_FILES, fashionMnist, fashionMnistFromFiles, fashionMnistMissing } from '../src/data/fmnist.js';

const header = (type: number, sizes: number[]): Uint8Array => {
  const b = new Uint8Array(4 + 4 * sizes.length);
  b[2] = type;
  b[3] = sizes.length;
  sizes.forEach((n, i) => new DataView(b.buffer).setUint32(4 + 4 * i, n, false));
  return b;
};
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

describe('IDX reader', () => {
  it('round-trips any shape and payload', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 4 }), fc.integer({ min: 0, max: 255 }), (shape, salt) => {
        const n = shape.reduce((a, b) => a * b, 1);
        const data = Array.from({ length: n }, (_, i) => (i * 31 + salt) & 255);
        const a = readIdx(writeIdx(shape, data));
        expect(a.shape).toEqual(shape);
        expect(Array.from(a.data)).toEqual(data);
      }),
    );
  });

  it('reads the sizes big-endian and the payload right after the header (no off-by-one)', () => {
    const b = concat(header(0x08, [2, 3]), Uint8Array.from([10, 11, 12, 13, 14, 15]));
    const a = readIdx(b);
    expect(a.shape).toEqual([2, 3]);
    expect(Array.from(a.data)).toEqual([10, 11, 12, 13, 14, 15]);
    // a size above 255 only reads right big-endian
    const big = readIdx(concat(header(0x08, [258]), new Uint8Array(258).fill(7)));
    expect(big.shape).toEqual([258]);
  });

  it('hostile files get clear errors naming the problem', () => {
    const ok = writeIdx([2, 2], [1, 2, 3, 4]);
    expect(() => readIdx(new Uint8Array([0, 0]), 'f')).toThrow(/f: 2 bytes is too short/);
    expect(() => readIdx(Uint8Array.from([1, 0, 8, 1, 0, 0, 0, 1, 5]), 'f')).toThrow(/not an IDX file \(magic bytes 01 00 08 01/);
    expect(() => readIdx(concat(header(0x0d, [1]), new Uint8Array(4)), 'f')).toThrow(/float32 \(0x0d\); condlab reads unsigned-byte/);
    expect(() => readIdx(concat(header(0x42, [1]), new Uint8Array(1)), 'f')).toThrow(/unknown type code 0x42/);
    expect(() => readIdx(Uint8Array.from([0, 0, 8, 0]), 'f')).toThrow(/rank 0; IDX data sets have rank 1 to 4/);
    expect(() => readIdx(Uint8Array.from([0, 0, 8, 200, 0, 0]), 'f')).toThrow(/rank 200/);
    expect(() => readIdx(Uint8Array.from([0, 0, 8, 3, 0, 0, 0, 1]), 'f')).toThrow(/truncated header — rank 3 needs 16 header bytes, the file has 8/);
    expect(() => readIdx(concat(header(0x08, [2, 0]), new Uint8Array(0)), 'f')).toThrow(/size 1 is 0/);
    expect(() => readIdx(header(0x08, [0xffffffff, 0xffffffff]), 'f')).toThrow(/need over 1\.00 GiB/);
    expect(() => readIdx(ok.subarray(0, ok.length - 1), 'f')).toThrow(/need 4 data bytes but the file has 3 \(truncated\)/);
    expect(() => readIdx(concat(ok, new Uint8Array(5)), 'f')).toThrow(/need 4 data bytes but the file has 9 \(5 trailing bytes\)/);
    expect(() => readIdx(gzipSync(ok), 'f')).toThrow(/still gzip-compressed/);
    expect(() => gunzipSyncNode(Uint8Array.from([0x1f, 0x8b, 8, 0, 1, 2, 3]), 'f.gz')).toThrow(/f\.gz: corrupt gzip data/);
  });

  it('inflates gzip the same way with node:zlib and with DecompressionStream', async () => {
    const raw = writeIdx([3, 4, 5], Array.from({ length: 60 }, (_, i) => i));
    const gz = new Uint8Array(gzipSync(raw));
    expect(Array.from(gunzipSyncNode(gz, 'x'))).toEqual(Array.from(raw));
    expect(Array.from(await gunzipStream(gz, 'x'))).toEqual(Array.from(raw));
    await expect(gunzipStream(Uint8Array.from([0x1f, 0x8b, 8, 0, 9, 9, 9, 9]), 'y.gz')).rejects.toThrow(/y\.gz: corrupt gzip data/);
  });

  it('refuses a gzip bomb at the output cap instead of exhausting memory', async () => {
    expect(IDX_MAX_BYTES).toBe(2 ** 30);
    const bomb = new Uint8Array(gzipSync(Buffer.alloc(1 << 20))); // 1 MiB of zeros in ~1 KiB
    expect(() => gunzipSyncNode(bomb, 'b.gz', 1 << 16)).toThrow(/b\.gz: inflates to more than 64\.0 KiB/);
    await expect(gunzipStream(bomb, 'b.gz', 1 << 16)).rejects.toThrow(/b\.gz: inflates to more than 64\.0 KiB/);
    expect(gunzipSyncNode(bomb, 'b.gz', 1 << 20).length).toBe(1 << 20);
  });

  it('any corruption or truncation of a valid file (plain or gzip) ends in a parse or a CondlabError', () => {
    const valid = writeIdx([3, 2, 2], Array.from({ length: 12 }, (_, i) => i * 20));
    const gz = new Uint8Array(gzipSync(valid));
    fc.assert(
      fc.property(
        fc.constantFrom(valid, gz, writeIdx([5], [1, 2, 3, 4, 5])),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 0, maxLength: 8 }),
        fc.option(fc.nat(), { nil: undefined }),
        (base, edits, cut) => {
          const b = Uint8Array.from(base.subarray(0, cut === undefined ? base.length : cut % (base.length + 1)));
          for (const [pos, val] of edits) if (b.length) b[pos % b.length] = val;
          try {
            const a = readIdx(gunzipSyncNode(b, 'fuzz'), 'fuzz');
            // whatever parses is self-consistent
            expect(a.data.length).toBe(a.shape.reduce((x, y) => x * y, 1));
          } catch (e) {
            expect(e).toBeInstanceOf(CondlabError);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('Fashion-MNIST loader', () => {
  it('says in one line where it looked and how to get the data', () => {
    const dir = mkdtempSync(join(tmpdir(), 'condlab-nofmnist-'));
    const msg = fashionMnistMissing(dir)!;
    expect(msg).toContain(dir);
    expect(msg).toContain('apt-get install dataset-fashion-mnist');
    expect(msg).toContain('--data DIR');
    expect(msg).not.toContain('\n');
    expect(() => fashionMnist(dir)).toThrow(CondlabError);
  });

  it('loads gzipped and plain copies, checks shapes and labels', () => {
    const base = mkdtempSync(join(tmpdir(), 'condlab-fmnist-'));
    writeFakeFashionMnist(join(base, 'gz'), 12, 5, true);
    writeFakeFashionMnist(join(base, 'raw'), 12, 5, false);
    const a = fashionMnist(join(base, 'gz')), b = fashionMnist(join(base, 'raw'));
    expect(a.train.n).toBe(12);
    expect(a.test.n).toBe(5);
    expect(Array.from(a.train.images)).toEqual(Array.from(b.train.images));
    expect(Array.from(a.test.labels)).toEqual([0, 1, 2, 3, 4]);
    // a label outside 0–9 and mismatched counts are refused
    const bad = join(base, 'bad');
    writeFakeFashionMnist(bad, 4, 2, false);
    writeFileSync(join(bad, FMNIST_FILES.trainLabels), writeIdx([4], [1, 2, 10, 3]));
    expect(() => fashionMnist(bad)).toThrow(/label 10 at index 2; labels are 0 to 9/);
    const bad2 = join(base, 'bad2');
    writeFakeFashionMnist(bad2, 4, 2, false);
    writeFileSync(join(bad2, FMNIST_FILES.testLabels), writeIdx([3], [1, 2, 3]));
    expect(() => fashionMnist(bad2)).toThrow(/test labels: shape \[3\] does not match 2 images/);
  });

  it('decodes picked files (the browser path) to the same data', async () => {
    const base = mkdtempSync(join(tmpdir(), 'condlab-fmnist-files-'));
    writeFakeFashionMnist(base, 6, 3, true);
    const { readFileSync, readdirSync } = await import('node:fs');
    const files = readdirSync(base).map((name) => ({ name, bytes: new Uint8Array(readFileSync(join(base, name))) }));
    const d = await fashionMnistFromFiles(files);
    expect(Array.from(d.train.images)).toEqual(Array.from(fashionMnist(base).train.images));
    await expect(fashionMnistFromFiles(files.slice(1))).rejects.toThrow(/missing .*pick all four/);
  });

  it.skipIf(fashionMnistMissing(FMNIST_DEFAULT_DIR) !== undefined)('reads the real Debian files: 60000 + 10000 images, balanced labels', () => {
    const d = fashionMnist(FMNIST_DEFAULT_DIR);
    expect(d.train.n).toBe(60000);
    expect(d.test.n).toBe(10000);
    const counts = new Array(10).fill(0);
    for (const l of d.test.labels) counts[l]++;
    expect(counts).toEqual(new Array(10).fill(1000));
    // first training label of Fashion-MNIST is 9 (ankle boot)
    expect(d.train.labels[0]).toBe(9);
  });
});
