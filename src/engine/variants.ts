// Which build of the module to load. The default ('plain') uses only core SIMD and plain mul + add: bit-identical
// results on every engine. The opt-in 'fma' build (asconfig target fma) fuses the GEMM micro-kernel's multiply-adds
// with relaxed-simd f64x2.relaxed_madd: ~1.5–2× the GEMM throughput on FMA hardware, but relaxed-simd lets each
// engine decide whether to fuse, so its results are identical across runs, workers and thread counts on one machine
// and engine — not across machines. Results files record the variant that produced them.
import { CondlabError } from './errors.js';
import type { WasmSource } from './loader.js';

/** Which build of the module an engine runs: the default bit-reproducible one, or the opt-in relaxed-SIMD FMA one. */
export type EngineVariant = 'plain' | 'fma';

/** Options of `loadEngine({ … })`: the build variant, GEMM threads, an explicit module source, a fallback hook. */
export interface LoadOptions {
  /** Load the FMA build (relaxed-simd); falls back to the plain build, with a message, where the engine lacks it. */
  fma?: boolean;
  /** An explicit module source; overrides the variant's bundled file. */
  source?: WasmSource;
  /**
   * Threads one GEMM may use (default 1): N > 1 loads the shared-memory build with a pool of N − 1 workers
   * (src/engine/threads.ts); where SharedArrayBuffer is off (a page without COOP/COEP), one thread and a message.
   */
  threads?: number;
  /** Where the fall-back messages go (default console.warn). */
  onFallback?: (message: string) => void;
}

/** Where the opt-in FMA build (`build/condlab-fma.wasm`) lives next to the default one. */
export const fmaWasmUrl = (): URL => new URL('../../build/condlab-fma.wasm', import.meta.url);

/** The smallest module using f64x2.relaxed_madd: () → v128 computing madd(0, 0, 0). */
const RELAXED_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type section: () → v128
  0x03, 0x02, 0x01, 0x00, // function section
  0x0a, 0x3d, 0x01, 0x3b, 0x00, // code section, one body of 59 bytes, no locals
  ...[0, 1, 2].flatMap(() => [0xfd, 0x0c, ...new Array<number>(16).fill(0)]), // v128.const 0 ×3
  0xfd, 0x87, 0x02, // f64x2.relaxed_madd (0xfd 0x107)
  0x0b,
]);

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';
let relaxed: Promise<boolean> | undefined;

/**
 * Whether this engine runs relaxed-simd. Node 20's V8 has it behind --experimental-wasm-relaxed-simd (on by default
 * from Node 22, Chrome 114): there the flag is switched on for the whole process (v8.setFlagsFromString, as if node
 * had been started with it), which worker threads created afterwards inherit.
 */
export function relaxedSimdAvailable(): Promise<boolean> {
  relaxed ??= (async () => {
    if (WebAssembly.validate(RELAXED_PROBE)) return true;
    if (!isNode) return false;
    try {
      const v8 = (await import(/* @vite-ignore */ 'node:v8' as string)) as typeof import('node:v8');
      v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
    } catch {
      return false;
    }
    return WebAssembly.validate(RELAXED_PROBE);
  })();
  return relaxed;
}

/** Resolves the variant actually loadable here, with its source; the message says why FMA was not used. */
export async function resolveVariant(opts: LoadOptions): Promise<{ variant: EngineVariant; source?: WasmSource; fallback?: string }> {
  if (opts.fma !== undefined && typeof opts.fma !== 'boolean') {
    throw new CondlabError(`fma must be true or false, got ${String(opts.fma)}`, 'bad-option', { option: 'fma', value: opts.fma });
  }
  if (!opts.fma) return { variant: 'plain', source: opts.source };
  if (await relaxedSimdAvailable()) return { variant: 'fma', source: opts.source ?? fmaWasmUrl() };
  const fallback =
    'condlab: the FMA engine needs WebAssembly relaxed SIMD, which this JavaScript engine lacks ' +
    `(${isNode ? `Node ${process.versions.node}` : 'this browser'}); running the plain build instead`;
  (opts.onFallback ?? ((m: string) => console.warn(m)))(fallback);
  return { variant: 'plain', source: opts.source, fallback };
}

/** Options object (not a module source): a plain object. */
export function isLoadOptions(x: unknown): x is LoadOptions {
  return typeof x === 'object' && x !== null && Object.getPrototypeOf(x) === Object.prototype;
}
