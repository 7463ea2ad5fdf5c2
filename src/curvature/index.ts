export * from './operator.js';
export * from './lanczos.js';
export * from './hutchinson.js';
export * from './power.js';
export { symmetricEigen } from './symmetric_eigen.js';
export { DenseChain, type ChainSpec, type Activation, type LossKind } from './chain.js';
