// Muon's orthogonalisation (Jordan et al. 2024): O ≈ U·Vᵀ for G = U·Σ·Vᵀ by a quintic Newton–Schulz iteration,
//   X ← a·X + (b·A + c·A²)·X,  A = X·Xᵀ,  (a, b, c) = (3.4445, −4.7750, 2.0315),
// from X₀ = G/‖G‖_F. It maps every singular value into roughly [0.7, 1.2] in a few GEMMs, flattening exactly the
// imbalance between large and small gradient singular values that the paper blames for the unlearned κ.

import { gemm } from "../gemm/gemm";
import { nrm2, scal, copy, transpose } from "../blas1";

export const NS_A: f64 = 3.4445;
export const NS_B: f64 = -4.775;
export const NS_C: f64 = 2.0315;

/** Workspace bytes for an m×n input: X (r×c), A and B (r×r), with r = min(m, n), c = max(m, n). */
export function newtonSchulzWorkspaceBytes(m: i32, n: i32): i32 {
  const r = min(m, n), c = max(m, n);
  return (2 * r * c + 2 * r * r) * 8;
}

/** out (m×n) ← NS_steps(g); g may alias out. Returns ‖g‖_F (0 leaves out = 0). */
export function newtonSchulz(m: i32, n: i32, g: usize, out: usize, steps: i32, ws: usize): f64 {
  const wide = m <= n; // iterate on the orientation with fewer rows so A = X·Xᵀ is the small Gram matrix
  const r = wide ? m : n, c = wide ? n : m;
  const x = ws;
  const x2 = ws + ((<usize>r * <usize>c) << 3);
  const a = x2 + ((<usize>r * <usize>c) << 3);
  const b = a + ((<usize>r * <usize>r) << 3);
  if (wide) copy(m * n, g, x);
  else transpose(g, m, n, x);
  const norm = nrm2(r * c, x);
  if (norm == 0.0) {
    memory.fill(out, 0, (<usize>m * <usize>n) << 3);
    return 0.0;
  }
  scal(r * c, 1.0 / norm, x);
  for (let s = 0; s < steps; s++) {
    gemm(0, 1, r, r, c, 1.0, x, c, x, c, 0.0, a, r); // A = X Xᵀ
    copy(r * r, a, b);
    gemm(0, 0, r, r, r, NS_C, a, r, a, r, NS_B, b, r); // B = b·A + c·A²
    copy(r * c, x, x2);
    gemm(0, 0, r, c, r, 1.0, b, r, x2, c, NS_A, x, c); // X = a·X + B·X
  }
  if (wide) copy(m * n, x, out);
  else transpose(x, r, c, out);
  return norm;
}
