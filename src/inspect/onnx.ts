// ONNX reader: the weight tensors (GraphProto.initializer) of a ModelProto, read straight off the protobuf wire format.
// A protobuf library (protobufjs + the onnx.proto schema) would be ~10× this file; we need four messages and a
// dozen fields, and every length and varint in an untrusted file has to be checked anyway. Unknown fields are
// skipped by wire type, so newer ONNX versions still read. Which op consumes each initializer (Conv, MatMul, Gemm…)
// is read from GraphProto.node so the table can say what kind of layer a matrix is.
//
// Field numbers (onnx/onnx.proto3): ModelProto.graph = 7; GraphProto.node = 1, .initializer = 5,
// .sparse_initializer = 15; NodeProto.input = 1, .op_type = 4; TensorProto.dims = 1, .data_type = 2,
// .float_data = 4, .int32_data = 5, .name = 8, .raw_data = 9, .double_data = 10, .external_data = 13,
// .data_location = 14 (1 = EXTERNAL).
import { CondlabError } from '../engine/errors.js';
import { bf16ToFloat, decode, elementCount, halfToFloat, type Tensor } from './tensor.js';

/** ONNX TensorProto.DataType codes we decode, and the names of the others (for the skip reason). */
const FLOAT = 1, FLOAT16 = 10, DOUBLE = 11, BFLOAT16 = 16;
const TYPE_NAMES: Record<number, string> = {
  1: 'FLOAT', 2: 'UINT8', 3: 'INT8', 4: 'UINT16', 5: 'INT16', 6: 'INT32', 7: 'INT64', 8: 'STRING', 9: 'BOOL',
  10: 'FLOAT16', 11: 'DOUBLE', 12: 'UINT32', 13: 'UINT64', 14: 'COMPLEX64', 15: 'COMPLEX128', 16: 'BFLOAT16',
};
const typeName = (t: number) => TYPE_NAMES[t] ?? `data type ${t}`;

export interface OnnxInitializer {
  name: string;
  dims: number[];
  dataType: number;
  /** ONNX's name of the data type (FLOAT, FLOAT16, …). */
  dtype: string;
  /** op_types of the graph nodes that take this tensor as an input, sorted, e.g. ['Conv']. A Constant node's
   * tensor is looked up by the node's output name. */
  ops: string[];
  /** Where the values are: raw_data bytes, or the ranges of a packed typed field. */
  raw?: { begin: number; end: number };
  floatData: { begin: number; end: number }[];
  doubleData: { begin: number; end: number }[];
  /** Byte ranges holding int32_data varints (packed runs or single entries), decoded only for 16-bit float types. */
  int32Data: { begin: number; end: number }[];
  /** The checked 16-bit patterns of a FLOAT16/BFLOAT16 tensor stored in int32_data. */
  halves?: number[];
}

export interface OnnxModel {
  initializers: OnnxInitializer[];
  /** Graph inputs of sparse_initializer entries, which we do not decode. */
  sparse: string[];
}

/** A bounded cursor over bytes[pos, end): every read checks the end, so a hostile length cannot run past it. */
class Wire {
  constructor(readonly bytes: Uint8Array, public pos: number, readonly end: number, readonly where: string) {}

  fail(what: string): never {
    throw new CondlabError(`${this.where}: ${what} (at byte ${this.pos})`, 'bad-file');
  }

  /** An unsigned varint as a number; more than 10 bytes, or a value above 2^53, is an error. */
  varint(): number {
    let v = 0, mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.fail('varint runs past the end of its message');
      const b = this.bytes[this.pos++];
      v += (b & 0x7f) * mul;
      if (b < 0x80) {
        if (!Number.isSafeInteger(v)) this.fail(`varint ${v} exceeds 2^53 (a negative int64 or a corrupt length)`);
        return v;
      }
      mul *= 128;
    }
    this.fail('varint longer than 10 bytes');
  }

  /** The next (field, wire type) key, or undefined at the end of the message. */
  /** Skips a varint of any 64-bit value (negative int64s are 10 bytes) — for fields whose value we ignore. */
  skipVarint(): void {
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.fail('varint runs past the end of its message');
      if (this.bytes[this.pos++] < 0x80) return;
    }
    this.fail('varint longer than 10 bytes');
  }

  key(): { field: number; wire: number } | undefined {
    if (this.pos >= this.end) return undefined;
    const k = this.varint();
    const field = Math.floor(k / 8), wire = k % 8;
    if (field === 0) this.fail('field number 0');
    return { field, wire };
  }

  /** [begin, end) of a length-delimited value, checked against the enclosing message. */
  len(): { begin: number; end: number } {
    const n = this.varint();
    if (n > this.end - this.pos) this.fail(`length ${n} runs past the end of its message (${this.end - this.pos} bytes left)`);
    const begin = this.pos;
    this.pos += n;
    return { begin, end: this.pos };
  }

  skip(wire: number, field: number): void {
    if (wire === 0) this.skipVarint();
    else if (wire === 1 || wire === 5) {
      const n = wire === 1 ? 8 : 4;
      if (n > this.end - this.pos) this.fail(`fixed${n * 8} field ${field} runs past the end of its message`);
      this.pos += n;
    } else if (wire === 2) this.len();
    else this.fail(`wire type ${wire} for field ${field} (groups and unknown wire types are not protobuf 3)`);
  }

  expect(wire: number, want: number, field: number, what: string): void {
    if (wire !== want) this.fail(`${what} (field ${field}) has wire type ${wire}, expected ${want}`);
  }

  sub(r: { begin: number; end: number }, where = this.where): Wire {
    return new Wire(this.bytes, r.begin, r.end, where);
  }

  text(r: { begin: number; end: number }): string {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(this.bytes.subarray(r.begin, r.end));
    } catch {
      return this.fail('string is not valid UTF-8');
    }
  }
}

/**
 * A first-bytes test for ONNX, which has no magic number: a ModelProto starts with ir_version (field 1, varint,
 * 1…63 in every ONNX release so far) followed by another field key of the ModelProto.
 */
export function looksLikeOnnx(head: Uint8Array): boolean {
  if (head.length < 3 || head[0] !== 0x08 || head[1] < 1 || head[1] > 63) return false;
  const field = head[2] >> 3, wire = head[2] & 7;
  return field >= 2 && field <= 20 && (wire === 0 || wire === 2);
}

/** Parses the ModelProto and its graph's initializers; values are decoded later by `readOnnxTensor`. */
export function readOnnxModel(bytes: Uint8Array, file = 'model'): OnnxModel {
  const where = `${file} (.onnx)`;
  const model = new Wire(bytes, 0, bytes.length, where);
  let graph: { begin: number; end: number } | undefined;
  for (let k = model.key(); k; k = model.key()) {
    if (k.field === 7) {
      model.expect(k.wire, 2, 7, 'ModelProto.graph');
      graph = model.len(); // protobuf: a repeated non-repeated message merges; the last one wins for our purpose
    } else model.skip(k.wire, k.field);
  }
  if (!graph) throw new CondlabError(`${where}: no graph (ModelProto field 7) — not an ONNX model, or an empty one`, 'bad-file');
  const g = model.sub(graph, `${where}, graph`);
  const tensors: { begin: number; end: number }[] = [];
  const nodes: { begin: number; end: number }[] = [];
  const sparse: string[] = [];
  for (let k = g.key(); k; k = g.key()) {
    if (k.field === 5 || k.field === 1 || k.field === 15) {
      g.expect(k.wire, 2, k.field, k.field === 5 ? 'GraphProto.initializer' : k.field === 1 ? 'GraphProto.node' : 'GraphProto.sparse_initializer');
      const r = g.len();
      if (k.field === 5) tensors.push(r);
      else if (k.field === 1) nodes.push(r);
      else sparse.push(`sparse initializer #${sparse.length + 1}`);
    } else g.skip(k.wire, k.field);
  }
  // Exporters such as paddle2onnx store weights as Constant nodes (attribute 'value', a TensorProto) instead of
  // initializers; both are read. Each tensor is named by the node's output when its own name is empty.
  const consumers = new Map<string, Set<string>>();
  const constants: { range: { begin: number; end: number }; output: string }[] = [];
  for (const r of nodes) {
    const n = g.sub(r, `${where}, graph node`);
    const inputs: string[] = [];
    const outputs: string[] = [];
    const values: { begin: number; end: number }[] = [];
    let op = '';
    for (let k = n.key(); k; k = n.key()) {
      if (k.field === 1 || k.field === 2 || k.field === 4) {
        n.expect(k.wire, 2, k.field, k.field === 1 ? 'NodeProto.input' : k.field === 2 ? 'NodeProto.output' : 'NodeProto.op_type');
        const s = n.text(n.len());
        if (k.field === 1) inputs.push(s);
        else if (k.field === 2) outputs.push(s);
        else op = s;
      } else if (k.field === 5) {
        n.expect(k.wire, 2, 5, 'NodeProto.attribute');
        // AttributeProto: name = 1, t = 5 (a TensorProto)
        const a = n.sub(n.len());
        let name = '';
        let t: { begin: number; end: number } | undefined;
        for (let ka = a.key(); ka; ka = a.key()) {
          if (ka.field === 1 || ka.field === 5) {
            a.expect(ka.wire, 2, ka.field, ka.field === 1 ? 'AttributeProto.name' : 'AttributeProto.t');
            const rr = a.len();
            if (ka.field === 1) name = a.text(rr);
            else t = rr;
          } else a.skip(ka.wire, ka.field);
        }
        if (name === 'value' && t) values.push(t);
      } else n.skip(k.wire, k.field);
    }
    if (op === 'Constant' && values.length === 1) constants.push({ range: values[0], output: outputs[0] ?? '' });
    for (const i of inputs) {
      if (!consumers.has(i)) consumers.set(i, new Set());
      consumers.get(i)!.add(op || '?');
    }
  }
  const initializers = [
    ...tensors.map((r, i) => readTensorProto(g.sub(r, `${where}, initializer #${i + 1}`), where, consumers, '')),
    ...constants.map((c, i) => readTensorProto(g.sub(c.range, `${where}, Constant node #${i + 1}`), where, consumers, c.output)),
  ];
  const seen = new Set<string>();
  for (const t of initializers) {
    if (seen.has(t.name)) throw new CondlabError(`${where}: two weight tensors are named '${t.name}'`, 'bad-file');
    seen.add(t.name);
  }
  initializers.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { initializers, sparse };
}

function readTensorProto(w: Wire, where: string, consumers: Map<string, Set<string>>, output: string): OnnxInitializer {
  const dims: number[] = [];
  let dataType = 0, name = '', external = false, location = '';
  let raw: { begin: number; end: number } | undefined;
  const floatData: { begin: number; end: number }[] = [], doubleData: { begin: number; end: number }[] = [];
  const int32Data: { begin: number; end: number }[] = [];
  let otherTyped = 0;
  for (let k = w.key(); k; k = w.key()) {
    switch (k.field) {
      case 1: // dims: packed or one varint per entry
        if (k.wire === 2) {
          const p = w.sub(w.len());
          while (p.pos < p.end) dims.push(p.varint());
        } else {
          w.expect(k.wire, 0, 1, 'TensorProto.dims');
          dims.push(w.varint());
        }
        break;
      case 2:
        w.expect(k.wire, 0, 2, 'TensorProto.data_type');
        dataType = w.varint();
        break;
      case 4: // float_data: packed fixed32, or one fixed32
        if (k.wire === 5) {
          if (w.end - w.pos < 4) w.fail('float_data runs past the end of the tensor');
          floatData.push({ begin: w.pos, end: (w.pos += 4) });
        } else {
          w.expect(k.wire, 2, 4, 'TensorProto.float_data');
          const r = w.len();
          if ((r.end - r.begin) % 4) w.fail(`packed float_data of ${r.end - r.begin} bytes is not a multiple of 4`);
          floatData.push(r);
        }
        break;
      case 5: // int32_data (float16 / bfloat16 bit patterns live here, one per int32)
        if (k.wire === 2) int32Data.push(w.len());
        else {
          w.expect(k.wire, 0, 5, 'TensorProto.int32_data');
          const begin = w.pos;
          w.skipVarint();
          int32Data.push({ begin, end: w.pos });
        }
        break;
      case 8:
        w.expect(k.wire, 2, 8, 'TensorProto.name');
        name = w.text(w.len());
        break;
      case 9:
        w.expect(k.wire, 2, 9, 'TensorProto.raw_data');
        raw = w.len();
        break;
      case 10: // double_data: packed fixed64, or one fixed64
        if (k.wire === 1) {
          if (w.end - w.pos < 8) w.fail('double_data runs past the end of the tensor');
          doubleData.push({ begin: w.pos, end: (w.pos += 8) });
        } else {
          w.expect(k.wire, 2, 10, 'TensorProto.double_data');
          const r = w.len();
          if ((r.end - r.begin) % 8) w.fail(`packed double_data of ${r.end - r.begin} bytes is not a multiple of 8`);
          doubleData.push(r);
        }
        break;
      case 13: { // external_data: StringStringEntryProto {key = 1, value = 2}; note the location for the message
        w.expect(k.wire, 2, 13, 'TensorProto.external_data');
        external = true;
        const e = w.sub(w.len());
        let key = '', value = '';
        for (let kk = e.key(); kk; kk = e.key()) {
          if ((kk.field === 1 || kk.field === 2) && kk.wire === 2) {
            const s = e.text(e.len());
            if (kk.field === 1) key = s;
            else value = s;
          } else e.skip(kk.wire, kk.field);
        }
        if (key === 'location') location = value;
        break;
      }
      case 14: {
        w.expect(k.wire, 0, 14, 'TensorProto.data_location');
        const begin = w.pos;
        w.skipVarint();
        if (w.pos - begin === 1 && w.bytes[begin] === 1) external = true; // EXTERNAL = 1
        break;
      }
      case 6: case 7: case 11: // string_data, int64_data, uint64_data: types we do not analyse
        otherTyped++;
        w.skip(k.wire, k.field);
        break;
      default:
        w.skip(k.wire, k.field);
    }
  }
  if (name === '') name = output;
  const at = `${where}, tensor '${name}'`;
  if (external) {
    throw new CondlabError(
      `${at}: its values are stored outside the .onnx file (external data${location ? `, location '${location}'` : ''}); ` +
        'condlab reads self-contained models only — save one with onnx.save_model(model, path, save_as_external_data=False)',
      'bad-file',
    );
  }
  const count = elementCount(dims, at);
  const dtype = typeName(dataType);
  const t: OnnxInitializer = { name, dims, dataType, dtype, ops: [...(consumers.get(output || name) ?? [])].sort(), raw, floatData, doubleData, int32Data };
  if (!isDecodable(dataType)) return t; // listed as skipped, values never looked at
  const halves: number[] = [];
  if (dataType === FLOAT16 || dataType === BFLOAT16) {
    for (const r of int32Data) {
      const p = w.sub(r, at);
      while (p.pos < p.end) {
        const v = p.varint();
        if (v > 0xffff) throw new CondlabError(`${at}: int32_data[${halves.length}] = ${v} is not a 16-bit ${typeName(dataType)} pattern`, 'bad-file');
        halves.push(v);
      }
    }
  }
  const size = dataType === DOUBLE ? 8 : dataType === FLOAT ? 4 : 2;
  const typedCount =
    floatData.reduce((a, r) => a + (r.end - r.begin) / 4, 0) + doubleData.reduce((a, r) => a + (r.end - r.begin) / 8, 0) + halves.length + int32Data.length * +(dataType !== FLOAT16 && dataType !== BFLOAT16) + otherTyped;
  if (raw) {
    if (typedCount > 0) throw new CondlabError(`${at}: has both raw_data and typed data fields (ONNX allows one)`, 'bad-file');
    if (raw.end - raw.begin !== count * size) {
      throw new CondlabError(`${at}: dims [${dims.join(', ')}] of ${dtype} need ${count * size} bytes but raw_data has ${raw.end - raw.begin}`, 'bad-file');
    }
  } else {
    const field = dataType === FLOAT ? 'float_data' : dataType === DOUBLE ? 'double_data' : 'int32_data';
    const have = dataType === FLOAT ? floatData.reduce((a, r) => a + (r.end - r.begin) / 4, 0)
      : dataType === DOUBLE ? doubleData.reduce((a, r) => a + (r.end - r.begin) / 8, 0) : halves.length;
    if (have !== typedCount) throw new CondlabError(`${at}: a ${dtype} tensor with values in a field other than ${field}`, 'bad-file');
    if (have !== count) throw new CondlabError(`${at}: dims [${dims.join(', ')}] need ${count} values but ${field} has ${have}`, 'bad-file');
  }
  t.halves = halves;
  return t;
}

export function isDecodable(dataType: number): boolean {
  return dataType === FLOAT || dataType === DOUBLE || dataType === FLOAT16 || dataType === BFLOAT16;
}

/** The values of a checked float initializer, widened to f64 (little-endian, as ONNX stores raw_data). */
export function readOnnxTensor(bytes: Uint8Array, t: OnnxInitializer): Tensor {
  const count = t.dims.reduce((a, b) => a * b, 1);
  let data: Float64Array;
  if (t.raw) {
    const kind = t.dataType === BFLOAT16 ? 'bf' : 'f';
    data = decode(bytes, t.raw.begin, count, kind, t.dataType === DOUBLE ? 8 : t.dataType === FLOAT ? 4 : 2, true);
  } else if (t.dataType === FLOAT || t.dataType === DOUBLE) {
    data = new Float64Array(count);
    const size = t.dataType === FLOAT ? 4 : 8;
    let i = 0;
    for (const r of t.dataType === FLOAT ? t.floatData : t.doubleData) {
      const part = decode(bytes, r.begin, (r.end - r.begin) / size, 'f', size, true);
      data.set(part, i);
      i += part.length;
    }
  } else {
    const scratch = new DataView(new ArrayBuffer(4));
    data = Float64Array.from(t.halves ?? [], (h) => (t.dataType === FLOAT16 ? halfToFloat(h) : bf16ToFloat(h, scratch)));
  }
  return { name: t.name, shape: t.dims, dtype: t.dtype, data };
}

/** Writes a minimal ModelProto holding `tensors` as initializers, each consumed by a node of `op` (for tests). */
export function writeOnnx(
  tensors: { name: string; dims: number[]; data: ArrayLike<number>; dataType?: number; field?: 'raw' | 'typed'; op?: string }[],
): Uint8Array {
  const out: number[] = [];
  const varint = (buf: number[], v: number) => {
    while (v >= 128) {
      buf.push((v % 128) | 128);
      v = Math.floor(v / 128);
    }
    buf.push(v);
  };
  const bytesField = (buf: number[], field: number, b: ArrayLike<number>) => {
    varint(buf, field * 8 + 2);
    varint(buf, b.length);
    for (let i = 0; i < b.length; i++) buf.push(b[i]);
  };
  const str = (s: string) => new TextEncoder().encode(s);
  const graph: number[] = [];
  for (const t of tensors) {
    const dt = t.dataType ?? FLOAT;
    const tp: number[] = [];
    for (const d of t.dims) {
      varint(tp, 1 * 8 + 0);
      varint(tp, d);
    }
    varint(tp, 2 * 8 + 0);
    varint(tp, dt);
    bytesField(tp, 8, str(t.name));
    const size = dt === DOUBLE ? 8 : dt === FLOAT ? 4 : 2;
    const buf = new DataView(new ArrayBuffer(t.data.length * size));
    for (let i = 0; i < t.data.length; i++) {
      if (dt === DOUBLE) buf.setFloat64(i * 8, t.data[i], true);
      else if (dt === FLOAT) buf.setFloat32(i * 4, t.data[i], true);
      else buf.setUint16(i * 2, t.data[i], true); // 16-bit types: the caller passes bit patterns
    }
    const b = new Uint8Array(buf.buffer);
    if ((t.field ?? 'raw') === 'raw') bytesField(tp, 9, b);
    else if (dt === FLOAT) bytesField(tp, 4, b);
    else if (dt === DOUBLE) bytesField(tp, 10, b);
    else {
      const packed: number[] = [];
      for (let i = 0; i < t.data.length; i++) varint(packed, t.data[i]);
      bytesField(tp, 5, packed);
    }
    bytesField(graph, 5, tp);
    if (t.op) {
      const node: number[] = [];
      bytesField(node, 1, str('x'));
      bytesField(node, 1, str(t.name));
      bytesField(node, 4, str(t.op));
      bytesField(graph, 1, node);
    }
  }
  varint(out, 1 * 8 + 0);
  varint(out, 8); // ir_version 8
  bytesField(out, 2, str('condlab-test'));
  bytesField(out, 7, graph);
  return Uint8Array.from(out);
}
