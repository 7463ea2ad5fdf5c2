export * from './tensor.js';
export * from './npy.js';
export * from './safetensors.js';
export * from './onnx.js';
export * from './spectral.js';
export * from './inspect.js';
