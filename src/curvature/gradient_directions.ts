// Seed 004's curvature along a weight matrix's gradient directions: the gradient block G = Σ s_k a_k b_kᵀ of one
// matrix (at `offset`, rows × cols, row-major inside the flat parameter vector) and the exact curvature
// λ_k = ⟨a_k b_kᵀ, H·a_k b_kᵀ⟩ along its top-K directions, one HVP each with only that matrix perturbed. Shared by
// every model that measures α (the transformer's mechanisms and students, the Fashion-MNIST MLP).
import type { Engine } from '../engine/engine.js';
import type { Vector } from '../engine/block.js';

export interface MatrixBlock {
  offset: number;
  rows: number;
  cols: number;
}

export interface GradientCurvature {
  /** The gradient block's singular values, descending (all of them). */
  gradSigma: number[];
  /** λ_k for k < K = min(maxK, numerical rank of G) (rank: s > 1e-10·s₁). */
  curvature: number[];
}

/** `hvp(dir, out)` writes H·dir for a direction over the whole parameter vector of length `size`. */
export function curvatureAlongGradient(
  engine: Engine, size: number, hvp: (dir: Vector, out: Vector) => void, g: Float64Array, block: MatrixBlock, maxK: number,
): GradientCurvature {
  return engine.scope(() => {
    const { offset, rows, cols } = block;
    const G = engine.matrix(rows, cols, g.subarray(offset, offset + rows * cols));
    const { U, s, V } = engine.svd(G);
    const gradSigma = Array.from(s.toArray());
    const K = Math.min(maxK, gradSigma.filter((x) => x > 1e-10 * gradSigma[0]).length);
    const kc = Math.min(rows, cols);
    const ua = U!.toArray(), va = V!.toArray();
    const dir = engine.vector(size), hv = engine.vector(size);
    const curvature: number[] = [];
    for (let k = 0; k < K; k++) {
      const d = dir.data();
      d.fill(0);
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) d[offset + i * cols + j] = ua[i * kc + k] * va[j * kc + k];
      hvp(dir, hv);
      const h = hv.data(), dd = dir.data();
      let lam = 0;
      for (let i = 0; i < rows * cols; i++) lam += dd[offset + i] * h[offset + i];
      curvature.push(lam);
    }
    return { gradSigma, curvature };
  });
}
