// IDX reader (LeCun's MNIST format, also Fashion-MNIST's): magic 0x00 0x00 <type> <ndims>, then ndims big-endian
// u32 sizes, then the data, row-major. Everything is checked before anything is decoded — magic, type code, rank,
// each size, and that the payload is exactly the product of the sizes (a truncated download and a file with trailing
// garbage are both refused, naming the byte counts). Gzip (.gz, as the datasets ship) is inflated first, with an
// output cap so a hostile file cannot exhaust memory.
import { CondlabError, formatBytes } from '../engine/errors.js';

/** IDX type codes (the third magic byte). condlab reads unsigned bytes, which is what image/label sets use. */
const TYPE_NAMES: Record<number, string> = {
  0x08: 'unsigned byte', 0x09: 'signed byte', 0x0b: 'int16', 0x0c: 'int32', 0x0d: 'float32', 0x0e: 'float64',
};
export const IDX_UBYTE = 0x08;
/** Ranks beyond 4 appear in no IDX data set; the cap keeps a corrupt rank byte from reading sizes out of thin air. */
export const IDX_MAX_RANK = 4;
/** Largest payload accepted (and largest inflated gzip): far above Fashion-MNIST's 47 MB, far below wasm32's 4 GiB. */
export const IDX_MAX_BYTES = 1 << 30;

export interface IdxArray {
  /** e.g. [60000, 28, 28] for images, [60000] for labels. */
  shape: number[];
  /** Row-major payload (a view into the input bytes, not a copy). */
  data: Uint8Array;
}

export const isGzip = (b: Uint8Array): boolean => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

/** Parses an (already inflated) IDX file of unsigned bytes. `name` goes into every error. */
export function readIdx(bytes: Uint8Array, name = 'IDX file'): IdxArray {
  if (!(bytes instanceof Uint8Array)) throw new CondlabError(`${name}: expected bytes (a Uint8Array)`, 'bad-file');
  if (isGzip(bytes)) throw new CondlabError(`${name}: is still gzip-compressed; inflate it first (readIdxFile/gunzip do)`, 'bad-file');
  if (bytes.length < 4) {
    throw new CondlabError(`${name}: ${bytes.length} bytes is too short for an IDX file (the magic number alone is 4)`, 'bad-file');
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const hex = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new CondlabError(`${name}: not an IDX file (magic bytes ${hex}; an IDX file starts 00 00 <type> <rank>)`, 'bad-file');
  }
  const type = bytes[2], rank = bytes[3];
  if (type !== IDX_UBYTE) {
    const what = TYPE_NAMES[type] ? `${TYPE_NAMES[type]} (0x${type.toString(16).padStart(2, '0')})` : `unknown type code 0x${type.toString(16).padStart(2, '0')}`;
    throw new CondlabError(`${name}: element type is ${what}; condlab reads unsigned-byte (0x08) IDX files`, 'bad-file', { type });
  }
  if (rank < 1 || rank > IDX_MAX_RANK) {
    throw new CondlabError(`${name}: rank ${rank}; IDX data sets have rank 1 to ${IDX_MAX_RANK}`, 'bad-file', { rank });
  }
  const header = 4 + 4 * rank;
  if (bytes.length < header) {
    throw new CondlabError(`${name}: truncated header — rank ${rank} needs ${header} header bytes, the file has ${bytes.length}`, 'bad-file');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  let count = 1;
  for (let i = 0; i < rank; i++) {
    const n = view.getUint32(4 + 4 * i, false);
    if (n === 0) throw new CondlabError(`${name}: size ${i} is 0; every size must be ≥ 1`, 'bad-file', { shape: [...shape, n] });
    shape.push(n);
    count *= n; // exact: both factors < 2^32 and we stop as soon as the product passes the cap
    if (count > IDX_MAX_BYTES) {
      throw new CondlabError(`${name}: sizes [${shape.join(', ')}${i < rank - 1 ? ', …' : ''}] need over ${formatBytes(IDX_MAX_BYTES)}; condlab reads at most that`, 'too-large');
    }
  }
  const have = bytes.length - header;
  if (have !== count) {
    const why = have < count ? 'truncated' : `${have - count} trailing bytes`;
    throw new CondlabError(`${name}: sizes [${shape.join(', ')}] need ${count} data bytes but the file has ${have} (${why})`, 'bad-file', { shape, have });
  }
  return { shape, data: bytes.subarray(header) };
}

function tooBig(name: string, cap: number): CondlabError {
  return new CondlabError(`${name}: inflates to more than ${formatBytes(cap)}; condlab reads at most that`, 'too-large');
}

/** Inflates gzip in Node with node:zlib (synchronous: experiment cells are synchronous). Non-gzip bytes pass through. */
export function gunzipSyncNode(bytes: Uint8Array, name: string, cap = IDX_MAX_BYTES): Uint8Array {
  if (!isGzip(bytes)) return bytes;
  const zlib = nodeBuiltin<typeof import('node:zlib')>('node:zlib');
  try {
    const out = zlib.gunzipSync(bytes, { maxOutputLength: cap });
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') throw tooBig(name, cap);
    throw new CondlabError(`${name}: corrupt gzip data (${code ?? (e as Error).message})`, 'bad-file');
  }
}

/** Inflates gzip with the Compression Streams API (browsers; Node has it too). Non-gzip bytes pass through. */
export async function gunzipStream(bytes: Uint8Array, name: string, cap = IDX_MAX_BYTES): Promise<Uint8Array> {
  if (!isGzip(bytes)) return bytes;
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream('gzip'));
    const reader = stream.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > cap) {
        await reader.cancel();
        throw tooBig(name, cap);
      }
      chunks.push(value);
    }
  } catch (e) {
    if (e instanceof CondlabError) throw e;
    throw new CondlabError(`${name}: corrupt gzip data (${(e as Error).message})`, 'bad-file');
  }
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

/** A Node built-in, loaded synchronously without a static import, so this module also bundles for the browser. */
export function nodeBuiltin<T>(id: string): T {
  const get = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
  if (!get) throw new CondlabError(`${id} is not available here (Node ≥ 20.16 is needed to read files from disk)`, 'unsupported');
  return get(id) as T;
}

/** Writes an unsigned-byte IDX file (for tests and for users who convert their own data). */
export function writeIdx(shape: number[], data: ArrayLike<number>): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (data.length !== count) throw new CondlabError(`writeIdx: shape [${shape.join(', ')}] needs ${count} values, got ${data.length}`, 'shape-mismatch');
  const out = new Uint8Array(4 + 4 * shape.length + count);
  out[2] = IDX_UBYTE;
  out[3] = shape.length;
  const view = new DataView(out.buffer);
  shape.forEach((n, i) => view.setUint32(4 + 4 * i, n, false));
  out.set(data, 4 + 4 * shape.length);
  return out;
}
