export { Engine, MAX_BLOCK_BYTES, MAX_MEMORY_BYTES } from './engine.js';
export type { GemmOptions, SvdOptions, Svd, MemoryStats } from './engine.js';
export { F64Block, Matrix, Vector } from './block.js';
export { Rng, RNG_STATE_BYTES } from './rng.js';
export { CondlabError } from './errors.js';
export { defaultWasmUrl, type WasmSource } from './loader.js';
export type { CondlabExports } from './exports.js';
