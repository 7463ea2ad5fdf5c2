// safetensors reader: an 8-byte little-endian header length, a JSON header {name: {dtype, shape, data_offsets}},
// then the raw bytes. Every offset, size and shape is checked against the file before any tensor is decoded.
import { CondlabError } from '../engine/errors.js';
import { decode, elementCount, type Tensor } from './tensor.js';

const MAX_HEADER = 100 * 2 ** 20;

const DTYPES: Record<string, { kind: 'f' | 'i' | 'u' | 'bf'; size: number }> = {
  F64: { kind: 'f', size: 8 }, F32: { kind: 'f', size: 4 }, F16: { kind: 'f', size: 2 }, BF16: { kind: 'bf', size: 2 },
  I64: { kind: 'i', size: 8 }, I32: { kind: 'i', size: 4 }, I16: { kind: 'i', size: 2 }, I8: { kind: 'i', size: 1 },
  U64: { kind: 'u', size: 8 }, U32: { kind: 'u', size: 4 }, U16: { kind: 'u', size: 2 }, U8: { kind: 'u', size: 1 },
};

export interface SafetensorsEntry {
  name: string;
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

/** Parses and validates the header; tensors are decoded lazily with `readSafetensorsTensor`. */
export function readSafetensorsHeader(bytes: Uint8Array, file = 'file'): { entries: SafetensorsEntry[]; dataStart: number; metadata: Record<string, string> } {
  const where = `${file} (.safetensors)`;
  if (bytes.length < 8) throw new CondlabError(`${where}: ${bytes.length} bytes is too short for a safetensors header`, 'bad-file');
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(Math.min(MAX_HEADER, bytes.length - 8))) {
    throw new CondlabError(`${where}: header length ${n} exceeds the file (${bytes.length} bytes) or the ${MAX_HEADER}-byte limit`, 'bad-file');
  }
  const headerLen = Number(n);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLen)));
  } catch (e) {
    throw new CondlabError(`${where}: header is not valid UTF-8 JSON (${(e as Error).message})`, 'bad-file');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new CondlabError(`${where}: header must be a JSON object of tensors`, 'bad-file');
  }
  const dataStart = 8 + headerLen;
  const dataLen = bytes.length - dataStart;
  const entries: SafetensorsEntry[] = [];
  let metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      metadata = (raw ?? {}) as Record<string, string>;
      continue;
    }
    const t = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const at = `${where}, tensor '${name}'`;
    if (typeof t !== 'object' || t === null || typeof t.dtype !== 'string' || !Array.isArray(t.shape) || !Array.isArray(t.data_offsets) || t.data_offsets.length !== 2) {
      throw new CondlabError(`${at}: needs dtype, shape and data_offsets [begin, end]`, 'bad-file');
    }
    const dt = DTYPES[t.dtype];
    if (!dt) throw new CondlabError(`${at}: dtype ${t.dtype} is not supported (${Object.keys(DTYPES).join(', ')} are)`, 'bad-file');
    const shape = t.shape as number[];
    const count = elementCount(shape, at);
    const [begin, end] = t.data_offsets as number[];
    if (!Number.isSafeInteger(begin) || !Number.isSafeInteger(end) || begin < 0 || end < begin || end > dataLen) {
      throw new CondlabError(`${at}: data_offsets [${begin}, ${end}] fall outside the ${dataLen} data bytes`, 'bad-file');
    }
    if (end - begin !== count * dt.size) {
      throw new CondlabError(`${at}: shape [${shape.join(', ')}] of ${t.dtype} needs ${count * dt.size} bytes but data_offsets give ${end - begin}`, 'bad-file');
    }
    entries.push({ name, dtype: t.dtype, shape, begin, end });
  }
  const sorted = [...entries].sort((a, b) => a.begin - b.begin);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].begin < sorted[i - 1].end) {
      throw new CondlabError(`${where}: tensors '${sorted[i - 1].name}' and '${sorted[i].name}' overlap`, 'bad-file');
    }
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { entries, dataStart, metadata };
}

export function readSafetensorsTensor(bytes: Uint8Array, dataStart: number, e: SafetensorsEntry): Tensor {
  const dt = DTYPES[e.dtype];
  const count = (e.end - e.begin) / dt.size;
  return { name: e.name, shape: e.shape, dtype: e.dtype, data: decode(bytes, dataStart + e.begin, count, dt.kind, dt.size, true) };
}

/** Writes a safetensors file of F64/F32 tensors (for tests). */
export function writeSafetensors(tensors: { name: string; shape: number[]; data: ArrayLike<number>; dtype?: 'F64' | 'F32' }[]): Uint8Array {
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const t of tensors) {
    const size = (t.dtype ?? 'F64') === 'F64' ? 8 : 4;
    header[t.name] = { dtype: t.dtype ?? 'F64', shape: t.shape, data_offsets: [offset, offset + t.data.length * size] };
    offset += t.data.length * size;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(new TextEncoder().encode(json), 8);
  const dv = new DataView(out.buffer, 8 + json.length);
  let p = 0;
  for (const t of tensors) {
    for (let i = 0; i < t.data.length; i++) {
      if ((t.dtype ?? 'F64') === 'F64') {
        dv.setFloat64(p, t.data[i], true);
        p += 8;
      } else {
        dv.setFloat32(p, t.data[i], true);
        p += 4;
      }
    }
  }
  return out;
}
