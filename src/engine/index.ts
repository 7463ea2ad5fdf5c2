export { Engine, MAX_BLOCK_BYTES, MAX_MEMORY_BYTES } from './engine.js';
export type { GemmOptions, SvdOptions, SvdMethod, Svd, SvdWithVectors, SvdValues, MemoryStats } from './engine.js';
export { F64Block, Matrix, Vector, type BlockOwner, type BlockRelease } from './block.js';
export type { EighOptions, Eigh, EighWithVectors, EighValues, Qr, CholeskyOptions, LstsqOptions, Lstsq } from './decompositions.js';
export { Rng, RNG_STATE_BYTES } from './rng.js';
export { CondlabError, isCondlabError, type CondlabErrorCode, type CondlabErrorDetails, type CondlabErrorConstructor, type OptionalDetails } from './errors.js';
export { defaultWasmUrl, type WasmSource } from './loader.js';
export { ENGINE_VERSION } from './version.js';

import { Engine as EngineClass } from './engine.js';
import type { WasmSource as Source } from './loader.js';
/** Loads the engine: in Node from the bundled build/condlab.wasm, in the browser by fetch (or from `source`). */
export const loadEngine = (source?: Source): Promise<EngineClass> => EngineClass.load(source);
