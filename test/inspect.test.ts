// Weights-file reading (.npy, .safetensors) and the spectral summary behind `condlab inspect`.
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CondlabError, Engine } from '../src/engine/index.js';
import { analyseTensor, inspectBytes, inspectFile, readNpy, readSafetensorsHeader, writeNpy, writeSafetensors, type MatrixReport } from '../src/inspect/index.js';
import { numpyAvailable, runNumpy } from './helpers/numpy.js';

let engine: Engine;
const dir = mkdtempSync(join(tmpdir(), 'condlab-inspect-'));
beforeAll(async () => {
  engine = await Engine.load();
});

describe('.npy', () => {
  it('round-trips f64 arrays of any shape', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 3 }), fc.double({ noNaN: true }), (shape, x) => {
        const n = shape.reduce((a, b) => a * b, 1);
        const data = Array.from({ length: n }, (_, i) => x * (i + 1));
        const t = readNpy(writeNpy(shape, data));
        expect(t.shape).toEqual(shape);
        expect(Array.from(t.data)).toEqual(data);
      }),
    );
  });

  it.skipIf(!numpyAvailable())('reads what numpy writes: float32, float16, int, big-endian and Fortran order', () => {
    const file = (n: string) => join(dir, n);
    runNumpy<null>(
      'import sys, json, numpy as np\n' +
        'd = json.load(sys.stdin)\n' +
        'a = np.arange(12, dtype=np.float64).reshape(3, 4) / 7\n' +
        'np.save(d + "/f32.npy", a.astype(np.float32))\n' +
        'np.save(d + "/f16.npy", a.astype(np.float16))\n' +
        'np.save(d + "/i32.npy", (a * 7).astype(np.int32))\n' +
        'np.save(d + "/be.npy", a.astype(">f8"))\n' +
        'np.save(d + "/fortran.npy", np.asfortranarray(a))\n' +
        'print("null")',
      dir,
    );
    const expected = Array.from({ length: 12 }, (_, i) => i / 7);
    const f32 = readNpy(readFileSync(file('f32.npy')));
    f32.data.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
    readNpy(readFileSync(file('f16.npy'))).data.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 2));
    expect(Array.from(readNpy(readFileSync(file('i32.npy'))).data)).toEqual(expected.map((v) => Math.round(v * 7)));
    expect(Array.from(readNpy(readFileSync(file('be.npy'))).data)).toEqual(expected);
    const fo = readNpy(readFileSync(file('fortran.npy')));
    expect(fo.shape).toEqual([3, 4]);
    expect(Array.from(fo.data)).toEqual(expected);
  });
});

describe('.safetensors', () => {
  it('round-trips F64 and F32 tensors and lists them by name', () => {
    const bytes = writeSafetensors([
      { name: 'w1', shape: [2, 3], data: [1, 2, 3, 4, 5, 6] },
      { name: 'b1', shape: [3], data: [0.5, 0.25, 0.125], dtype: 'F32' },
    ]);
    const { entries } = readSafetensorsHeader(bytes);
    expect(entries.map((e) => [e.name, e.dtype, e.shape])).toEqual([['b1', 'F32', [3]], ['w1', 'F64', [2, 3]]]);
    const r = inspectBytes(engine, bytes, 'model.safetensors');
    expect(r.matrices.map((m) => m.name)).toEqual(['w1']);
    expect(r.skipped).toEqual([{ name: 'b1', shape: [3], reason: '1-D tensor (only matrices are analysed)' }]);
  });
});

describe('spectral summary', () => {
  it('gives the known values for a diagonal matrix with unequal rows', () => {
    const r = analyseTensor(engine, { name: 'd', dtype: 'F64', shape: [3, 3], data: Float64Array.from([3, 0, 0, 0, 2, 0, 0, 0, 0.01]) }) as MatrixReport;
    expect(r.kappa).toBeCloseTo(300, 10);
    expect(r.effectiveRank).toBe(2); // 0.01 is not > 0.01·σ₁ = 0.03
    expect(r.spectralGap).toBeCloseTo(1 / 3, 12);
    expect(r.stableRank).toBeCloseTo((9 + 4 + 0.0001) / 9, 12);
    expect(r.rowNormSpread).toBeCloseTo(300, 10);
    expect(r.sigma).toEqual([3, 2, 0.01]);
  });

  it('skips non-finite and oversized matrices with the reason, and reads a file from disk', async () => {
    const bytes = writeSafetensors([
      { name: 'bad', shape: [2, 2], data: [1, Number.NaN, 0, 1] },
      { name: 'big', shape: [40, 50], data: new Array(2000).fill(1) },
    ]);
    const path = join(dir, 'm.safetensors');
    writeFileSync(path, bytes);
    const r = await inspectFile(engine, path, { maxDim: 30 });
    expect(r.skipped.map((s) => s.reason)).toEqual(['non-finite value NaN at flat index 1', 'smaller side 40 > --max-dim 30']);
    await expect(inspectFile(engine, join(dir, 'missing.npy'))).rejects.toThrow(/no such file/);
  });
});

describe('untrusted files', () => {
  const valid = writeSafetensors([{ name: 'w', shape: [3, 2], data: [1, 2, 3, 4, 5, 6] }]);
  const header = (json: string, extra = 0) => {
    const b = new Uint8Array(8 + json.length + extra);
    new DataView(b.buffer).setBigUint64(0, BigInt(json.length), true);
    b.set(new TextEncoder().encode(json), 8);
    return b;
  };

  it('hostile safetensors headers get clear errors', () => {
    const huge = new Uint8Array(16);
    new DataView(huge.buffer).setBigUint64(0, 2n ** 60n, true);
    expect(() => readSafetensorsHeader(huge)).toThrow(/header length 1152921504606846976 exceeds the file/);
    expect(() => readSafetensorsHeader(header('{"w": 1'))).toThrow(/not valid UTF-8 JSON/);
    expect(() => readSafetensorsHeader(header('{"w":{"dtype":"F64","shape":[2,2],"data_offsets":[0,64]}}', 32))).toThrow(/data_offsets \[0, 64\] fall outside the 32 data bytes/);
    expect(() => readSafetensorsHeader(header('{"w":{"dtype":"F64","shape":[2,2],"data_offsets":[0,24]}}', 32))).toThrow(/needs 32 bytes but data_offsets give 24/);
    expect(() => readSafetensorsHeader(header('{"a":{"dtype":"F64","shape":[2],"data_offsets":[0,16]},"b":{"dtype":"F64","shape":[2],"data_offsets":[8,24]}}', 24))).toThrow(/overlap/);
    expect(() => readSafetensorsHeader(header('{"w":{"dtype":"Q4","shape":[2],"data_offsets":[0,2]}}', 2))).toThrow(/dtype Q4 is not supported/);
    expect(() => readSafetensorsHeader(header('{"w":{"dtype":"F64","shape":[1e9,1e9],"data_offsets":[0,8]}}', 8))).toThrow(/too many elements/);
  });

  it('hostile .npy files get clear errors', () => {
    const good = writeNpy([2, 2], [1, 2, 3, 4]);
    expect(() => readNpy(good.subarray(0, good.length - 8))).toThrow(/needs 32 bytes of data but the file has 24/);
    expect(() => readNpy(new Uint8Array([1, 2, 3]))).toThrow(/not a .npy file/);
    const liar = Uint8Array.from(good);
    new DataView(liar.buffer).setUint16(8, 60000, true);
    expect(() => readNpy(liar)).toThrow(/header length 60000 runs past the end/);
    const text = new TextDecoder('latin1').decode(good).replace("'<f8'", "'<c16'");
    expect(() => readNpy(Uint8Array.from(text, (c) => c.charCodeAt(0)))).toThrow(/dtype '<c16' is not supported/);
  });

  it('any corruption of a valid file ends in a parse or a CondlabError — never another exception or a hang', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(valid, writeNpy([3, 2], [1, 2, 3, 4, 5, 6])),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        fc.option(fc.nat(), { nil: undefined }),
        (base, edits, cut) => {
          const b = Uint8Array.from(base.subarray(0, cut === undefined ? base.length : cut % (base.length + 1)));
          for (const [pos, val] of edits) if (b.length) b[pos % b.length] = val;
          try {
            inspectBytes(engine, b, 'fuzz.safetensors');
          } catch (e) {
            expect(e).toBeInstanceOf(CondlabError);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});
