/** condlab: a WebAssembly numerics engine and experiment lab for "does gradient descent learn a matrix's shape?". */
export * from './engine/index.js';
