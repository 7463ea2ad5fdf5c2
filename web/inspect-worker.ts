// A Web Worker for `condlab inspect` in the page: reads a dropped .npy / .safetensors / .onnx File, runs the CLI's own
// inspectBytes (one Jacobi SVD per matrix, on the same .wasm) and posts "matrix i of n" progress, then the report and
// the exact JSON text the CLI writes (inspectJson). One worker per file: the page terminates it to cancel.
import wasmUrl from '../build/condlab.wasm?url';
import { Engine } from '../src/engine/index.js';
import { checkFileSize, inspectBytes, inspectJson, type InspectReport } from '../src/inspect/index.js';

export interface InspectJob {
  file: File;
  maxDim?: number;
}

export type InspectMessage =
  | { type: 'progress'; i: number; n: number; name: string }
  | { type: 'done'; report: InspectReport; json: string; ms: number }
  | { type: 'error'; message: string };

const post = (m: InspectMessage) => (self as unknown as Worker).postMessage(m);
const enginePromise = Engine.load(new URL(wasmUrl, self.location.href));

self.onmessage = async (ev: MessageEvent<InspectJob>) => {
  const { file, maxDim } = ev.data;
  try {
    checkFileSize(file.size, file.name);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await file.arrayBuffer());
    } catch (e) {
      throw new Error(`cannot read ${file.name} (${file.size} bytes) into memory: ${e instanceof Error ? e.message : String(e)}`);
    }
    const engine = await enginePromise;
    const t0 = performance.now();
    const report = inspectBytes(engine, bytes, file.name, { maxDim, onMatrix: (i, n, name) => post({ type: 'progress', i, n, name }) });
    post({ type: 'done', report, json: inspectJson(report), ms: performance.now() - t0 });
  } catch (e) {
    post({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  }
};
