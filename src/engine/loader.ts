import type { CondlabExports } from './exports.js';

/** What `loadEngine` accepts: nothing (find the bundled .wasm), bytes, a compiled module, or a URL/Response to fetch. */
export type WasmSource = undefined | BufferSource | WebAssembly.Module | URL | string | Response | Promise<Response>;

/** The .wasm built by `npm run asbuild`; the same relative path works from src/engine and dist/engine, and Vite rewrites it. */
export const defaultWasmUrl = (): URL => new URL('../../build/condlab.wasm', import.meta.url);

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

/** Messages raised by `abort` inside the module arrive as UTF-16 strings in linear memory (length at ptr − 4). */
function readAsString(memory: WebAssembly.Memory | undefined, ptr: number): string {
  if (!memory || !ptr) return '';
  const bytes = new Uint32Array(memory.buffer, ptr - 4, 1)[0];
  return String.fromCharCode(...new Uint16Array(memory.buffer, ptr, bytes >>> 1));
}

function imports(getMemory: () => WebAssembly.Memory | undefined, memory?: WebAssembly.Memory): WebAssembly.Imports {
  return {
    env: {
      // the shared-memory build imports its memory (src/engine/threads.ts); the others define their own
      ...(memory ? { memory } : {}),
      abort(msg: number, file: number, line: number, col: number) {
        const m = getMemory();
        throw new Error(`condlab.wasm aborted: ${readAsString(m, msg)} at ${readAsString(m, file)}:${line}:${col}`);
      },
    },
  };
}

async function sourceToModuleOrBytes(source: WasmSource): Promise<WebAssembly.Module | BufferSource | Response> {
  if (source === undefined) source = defaultWasmUrl();
  if (typeof source === 'string') source = new URL(source, isNode ? `file://${process.cwd()}/` : globalThis.location?.href);
  if (source instanceof URL) {
    if (source.protocol === 'file:') {
      const { readFile } = await import(/* @vite-ignore */ 'node:fs/promises' as string);
      return readFile(source) as Promise<Uint8Array>;
    }
    return fetch(source);
  }
  return source as WebAssembly.Module | BufferSource | Response;
}

/**
 * Instantiates the engine module. In Node the bundled file is read from disk; in the browser it is streamed with
 * `instantiateStreaming`, falling back to an ArrayBuffer when the server sends the wrong MIME type.
 */
export async function instantiateWasm(source?: WasmSource, sharedMemory?: WebAssembly.Memory): Promise<CondlabExports> {
  const resolved = await sourceToModuleOrBytes(source);
  let memory: WebAssembly.Memory | undefined;
  const imp = imports(() => memory, sharedMemory);
  let instance: WebAssembly.Instance;
  if (resolved instanceof WebAssembly.Module) {
    instance = await WebAssembly.instantiate(resolved, imp);
  } else if (typeof Response !== 'undefined' && resolved instanceof Response) {
    if (!resolved.ok) throw new Error(`could not fetch condlab.wasm: HTTP ${resolved.status} ${resolved.statusText}`);
    try {
      ({ instance } = await WebAssembly.instantiateStreaming(resolved.clone(), imp));
    } catch {
      ({ instance } = await WebAssembly.instantiate(await resolved.arrayBuffer(), imp));
    }
  } else {
    ({ instance } = await WebAssembly.instantiate(resolved as BufferSource, imp));
  }
  const exports = instance.exports as unknown as CondlabExports;
  memory = exports.memory;
  return exports;
}

/** Compiles the module once so many engines (one per worker or trial) can be instantiated cheaply. */
export async function compileWasm(source?: WasmSource): Promise<WebAssembly.Module> {
  const resolved = await sourceToModuleOrBytes(source);
  if (resolved instanceof WebAssembly.Module) return resolved;
  if (typeof Response !== 'undefined' && resolved instanceof Response) {
    try {
      return await WebAssembly.compileStreaming(resolved.clone());
    } catch {
      return WebAssembly.compile(await resolved.arrayBuffer());
    }
  }
  return WebAssembly.compile(resolved as BufferSource);
}
