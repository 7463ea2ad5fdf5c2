// NumPy .npy reader (format versions 1.0, 2.0, 3.0): checks the magic, the header and that the payload size matches
// the shape before decoding anything.
import { CondlabError } from '../engine/errors.js';
import { decode, elementCount, type Tensor } from './tensor.js';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const MAX_HEADER = 1 << 20;

export function readNpy(bytes: Uint8Array, name = 'array'): Tensor {
  const where = `${name} (.npy)`;
  if (bytes.length < 10 || !MAGIC.every((b, i) => bytes[i] === b)) {
    throw new CondlabError(`${where}: not a .npy file (missing the \\x93NUMPY magic)`, 'bad-file');
  }
  const major = bytes[6];
  if (major < 1 || major > 3) throw new CondlabError(`${where}: unsupported .npy version ${major}.${bytes[7]} (1.0 to 3.0 are)`, 'bad-file');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  if (headerLen > MAX_HEADER || start + headerLen > bytes.length) {
    throw new CondlabError(`${where}: header length ${headerLen} runs past the end of the ${bytes.length}-byte file`, 'bad-file');
  }
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new CondlabError(`${where}: header is not a dict with 'descr', 'fortran_order' and 'shape': ${JSON.stringify(header.slice(0, 120))}`, 'bad-file');
  }
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => (/^\d+$/.test(s) ? Number(s) : Number.NaN));
  const count = elementCount(shape, where);
  const m = /^([<>|=])([fiu])(\d+)$/.exec(descr);
  if (!m || !['1', '2', '4', '8'].includes(m[3]) || (m[2] === 'f' && m[3] === '1')) {
    throw new CondlabError(`${where}: dtype '${descr}' is not supported (float16/32/64 and integer types are)`, 'bad-file');
  }
  const size = Number(m[3]);
  const little = m[1] !== '>';
  const payload = start + headerLen;
  if (bytes.length - payload !== count * size) {
    throw new CondlabError(
      `${where}: shape [${shape.join(', ')}] of ${descr} needs ${count * size} bytes of data but the file has ${bytes.length - payload}`,
      'bad-file',
    );
  }
  let data = decode(bytes, payload, count, m[2] as 'f' | 'i' | 'u', size, little);
  if (fortran === 'True' && shape.length >= 2) data = fromFortran(data, shape);
  return { name, shape, dtype: descr, data };
}

/** Column-major (Fortran) order → row-major. */
function fromFortran(data: Float64Array, shape: number[]): Float64Array {
  const out = new Float64Array(data.length);
  const n = shape.length;
  const idx = new Array<number>(n).fill(0);
  for (let k = 0; k < data.length; k++) {
    // k walks the Fortran layout: the first index varies fastest
    let rowMajor = 0;
    for (let d = 0; d < n; d++) rowMajor = rowMajor * shape[d] + idx[d];
    out[rowMajor] = data[k];
    for (let d = 0; d < n; d++) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

/** Writes a little-endian f64 C-order .npy (for tests and for exporting spectra). */
export function writeNpy(shape: number[], data: ArrayLike<number>): Uint8Array {
  let header = `{'descr': '<f8', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + data.length * 8);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  const dv = new DataView(out.buffer, 10 + header.length);
  for (let i = 0; i < data.length; i++) dv.setFloat64(i * 8, data[i], true);
  return out;
}
