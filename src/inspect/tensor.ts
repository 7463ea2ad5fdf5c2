// A tensor read from an untrusted weights file: its name, shape and values widened to f64.
import { CondlabError } from '../engine/errors.js';

export interface Tensor {
  name: string;
  shape: number[];
  dtype: string;
  data: Float64Array;
}

/** Upper bound on a single tensor we are willing to materialise (f64), so a hostile header cannot exhaust memory. */
export const MAX_TENSOR_BYTES = 2 ** 30;

export function elementCount(shape: number[], where: string): number {
  let n = 1;
  for (const [i, d] of shape.entries()) {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new CondlabError(`${where}: shape[${i}] is ${String(d)}; dimensions must be non-negative integers`, 'bad-file');
    }
    n *= d;
    if (n * 8 > MAX_TENSOR_BYTES) {
      throw new CondlabError(`${where}: shape [${shape.join(', ')}] has too many elements (limit ${MAX_TENSOR_BYTES / 8} values)`, 'bad-file');
    }
  }
  return n;
}

/** IEEE half → f64. */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? Number.NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/** bfloat16 → f64 (the top half of an f32). */
export function bf16ToFloat(h: number, scratch: DataView): number {
  scratch.setUint32(0, h << 16, true);
  return scratch.getFloat32(0, true);
}

/** Decodes `count` little- or big-endian values of a numeric dtype starting at `offset`. */
export function decode(bytes: Uint8Array, offset: number, count: number, kind: 'f' | 'i' | 'u' | 'bf', size: number, little: boolean): Float64Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, count * size);
  const out = new Float64Array(count);
  const scratch = new DataView(new ArrayBuffer(4));
  for (let i = 0; i < count; i++) {
    const p = i * size;
    let v: number;
    if (kind === 'f') v = size === 8 ? view.getFloat64(p, little) : size === 4 ? view.getFloat32(p, little) : halfToFloat(view.getUint16(p, little));
    else if (kind === 'bf') v = bf16ToFloat(view.getUint16(p, little), scratch);
    else if (kind === 'i') v = size === 8 ? Number(view.getBigInt64(p, little)) : size === 4 ? view.getInt32(p, little) : size === 2 ? view.getInt16(p, little) : view.getInt8(p);
    else v = size === 8 ? Number(view.getBigUint64(p, little)) : size === 4 ? view.getUint32(p, little) : size === 2 ? view.getUint16(p, little) : view.getUint8(p);
    out[i] = v;
  }
  return out;
}
