/**
 * condlab/testing: property-test any spectral code (SVD, symmetric eigensolver, Lanczos) with fast-check.
 * Matrices with known spectra, invariant suites with error-analysis tolerances, and a double-double oracle.
 * Plain arrays in and out; nothing here loads condlab's WebAssembly engine. fast-check is a peer dependency: the
 * arbitraries must come from the same fast-check your tests call fc.assert with.
 */
export * from './dense.js';
export * from './arbitraries.js';
export * from './reference.js';
export * from './property.js';
export * from './svd-properties.js';
export * from './eig-properties.js';
export * from './mutants.js';
