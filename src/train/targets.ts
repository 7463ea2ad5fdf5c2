// Target matrices W* and the MLP teacher (PROTOCOL.md "Task and training"), drawn from the trial's target stream.
import type { Engine } from '../engine/engine.js';
import type { Matrix } from '../engine/block.js';
import type { Rng } from '../engine/rng.js';
import type { TargetKind } from '../experiments/types.js';

/** Heterogeneous (the default): entries N(0,1)/√cols, then row i × exp(0.25·z_i); all entries first, then the z_i. */
export function heterogeneousTarget(engine: Engine, rng: Rng, rows: number, cols: number, scale = 1): Matrix {
  const W = rng.normalMatrix(rows, cols, 0, 1 / Math.sqrt(cols));
  const z = Array.from({ length: rows }, () => rng.normal());
  const w = W.data();
  for (let i = 0; i < rows; i++) {
    const f = scale * engine.exp(0.25 * z[i]); // the module's exp: bit-identical in Node and every browser
    for (let j = 0; j < cols; j++) w[i * cols + j] *= f;
  }
  return W;
}

/** Low rank A·Bᵀ/√(r·d), A and B ~ N(0,1) of size d×r (A drawn first), r = max(1, ⌊d/8⌋). */
export function lowRankTarget(engine: Engine, rng: Rng, d: number, scale = 1): Matrix {
  const r = Math.max(1, Math.floor(d / 8));
  return engine.scope(() => {
    const A = rng.normalMatrix(d, r);
    const B = rng.normalMatrix(d, r);
    const W = engine.matrix(d, d);
    engine.gemm(W, A, B, { transB: true, alpha: scale / Math.sqrt(r * d) });
    return W;
  });
}

/** Block diagonal: 4 diagonal blocks of unnormalised N(0,1) entries (block by block, row-major), zeros elsewhere. */
export function blockDiagTarget(engine: Engine, rng: Rng, d: number, scale = 1, blocks = 4): Matrix {
  const W = engine.matrix(d, d);
  const edges = Array.from({ length: blocks + 1 }, (_, b) => Math.round((b * d) / blocks));
  for (let b = 0; b < blocks; b++) {
    const lo = edges[b], hi = edges[b + 1];
    const vals: number[] = [];
    for (let k = 0; k < (hi - lo) * (hi - lo); k++) vals.push(rng.normal());
    const w = W.data();
    let k = 0;
    for (let i = lo; i < hi; i++) for (let j = lo; j < hi; j++) w[i * d + j] = scale * vals[k++];
  }
  return W;
}

export function makeTarget(engine: Engine, rng: Rng, kind: TargetKind, d: number, scale = 1): Matrix {
  switch (kind) {
    case 'heterogeneous': return heterogeneousTarget(engine, rng, d, d, scale);
    case 'lowrank': return lowRankTarget(engine, rng, d, scale);
    case 'blockdiag': return blockDiagTarget(engine, rng, d, scale);
  }
}

/** MLP teacher (Exp 7): two heterogeneous targets, W1* (hidden×d) then W2* (d×hidden). */
export function mlpTeacher(engine: Engine, rng: Rng, d: number, hidden: number, scale = 1): [Matrix, Matrix] {
  const W1 = heterogeneousTarget(engine, rng, hidden, d, scale);
  const W2 = heterogeneousTarget(engine, rng, d, hidden, scale);
  return [W1, W2];
}
