// The transformer experiments (beyond the paper): teacher–student on a transformer, and seed 004's mechanisms.
export { transformerExperiment } from './teacher_student.js';
export { mechanismsExperiment, MECHANISMS, mechanismSpec } from './mechanisms.js';
