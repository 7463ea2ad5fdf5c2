export { Engine, MAX_BLOCK_BYTES, MAX_MEMORY_BYTES } from './engine.js';
export type { GemmOptions, SvdOptions, SvdMethod, Svd, SvdWithVectors, SvdValues, MemoryStats } from './engine.js';
export { F64Block, Matrix, Vector, type BlockOwner, type BlockRelease } from './block.js';
export type { EighOptions, Eigh, EighWithVectors, EighValues, Qr, CholeskyOptions, LstsqOptions, Lstsq } from './decompositions.js';
export { Rng, RNG_STATE_BYTES } from './rng.js';
export { CondlabError, isCondlabError, type CondlabErrorCode, type CondlabErrorDetails, type CondlabErrorConstructor, type OptionalDetails } from './errors.js';
export { defaultWasmUrl, type WasmSource } from './loader.js';
export { ENGINE_VERSION } from './version.js';

export { relaxedSimdAvailable, fmaWasmUrl, type EngineVariant, type LoadOptions } from './variants.js';
export { closeThreads, threadsUnavailable, MAX_THREADS } from './threads.js';

import { Engine as EngineClass } from './engine.js';
import type { WasmSource as Source } from './loader.js';
import { isLoadOptions, resolveVariant, type LoadOptions as Options } from './variants.js';
import { loadThreadedEngine, threadsUnavailable } from './threads.js';

/**
 * Loads the engine: in Node from the bundled build/condlab.wasm, in the browser by fetch (or from `source`).
 * `loadEngine({ fma: true })` loads the opt-in FMA build where the JS engine has relaxed SIMD (else the plain build,
 * with a message); `engine.variant` says which one runs.
 */
export async function loadEngine(arg?: Source | Options): Promise<EngineClass> {
  if (!isLoadOptions(arg)) return EngineClass.load(arg);
  const { variant, source } = await resolveVariant(arg);
  const threads = arg.threads ?? 1;
  if (threads !== 1 || !Number.isInteger(threads)) {
    const why = Number.isInteger(threads) && threads > 1 ? threadsUnavailable() : '';
    if (!why) return loadThreadedEngine(threads, variant, arg.source as URL | undefined);
    (arg.onFallback ?? ((m: string) => console.warn(m)))(`condlab: ${threads} threads requested, but ${why}; running on one thread`);
  }
  const engine = await EngineClass.load(source);
  if (variant === 'fma') engine.variant = 'fma'; // plain is the default (and what an explicit source is taken to be)
  return engine;
}
