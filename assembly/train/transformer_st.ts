// Spectral-transfer steps for the transformer (seed 004 §7.3 applied per weight matrix, the way Muon is applied):
// every 2-D weight matrix the caller lists (Q, K, V, attention out, MLP up, MLP down, head) takes the single layer's
// step (spectral_transfer.ts) on its own Nesterov momentum,
//   buf ← β·buf + g,  G = g + β·buf = U·diag(s)·Vᵀ,  W ← W − η·U·diag(φ)·Vᵀ,  φ_k = s_k^(1−α)/max_j s_j^(1−α) (s_k ≥ τ·s₁),
// with the α of the matrix's layer type; every other parameter — token and position embeddings, LayerNorm gains and
// biases, the MLP and head biases — takes exactly the Adam step (β = 0.9, 0.999, ε = 1e-8) it would take under the
// `adam` student. Why Adam there (Muon's practice): an embedding is a lookup table, not a linear map applied to a
// distribution of inputs — a row moves only when its token occurs, so orthogonalising the table would couple the
// steps of unrelated tokens; gains and biases are vectors, whose "polar factor" is just their sign pattern.
//
// Matrix table (i32 × 4 per matrix, sorted by offset, non-overlapping): offset (in f64s), rows, cols, α slot.
// The parameters between and around the listed matrices are the Adam segments. The momentum buffer of a matrix lives
// in Adam's first-moment vector m at the matrix's own offsets (the two never share an entry), so one m and one v of
// the parameter count serve both optimisers. Scratch: tfStWorkDoubles; nothing is allocated here per step (the
// engine's SVD takes and frees its own scratch inside each call, as for the single layer).

import { adamStep } from "./optim";
import { spectralTransferApplyRect } from "./spectral_transfer";

// @ts-ignore: decorator
@inline function ti(table: usize, j: i32, f: i32): i32 {
  return load<i32>(table + (<usize>(j * 4 + f) << 2));
}

/** f64s of scratch the step needs for this table: G (r·c), s (k), U (r·k), V (c·k), U·diag(φ) (r·k), maxima over matrices. */
export function tfStWorkDoubles(nMat: i32, table: usize): i32 {
  let need = 0;
  for (let j = 0; j < nMat; j++) {
    const r = ti(table, j, 1), c = ti(table, j, 2), k = min(r, c);
    const w = r * c + k + 2 * r * k + c * k;
    if (w > need) need = w;
  }
  return need;
}

/**
 * One step at step number t ≥ 1 on the n parameters p with gradient g. Matrices: spectral transfer at η = lrMat,
 * α = alphas[slot], τ, momentum β; the rest: Adam at lrOther. m, v: Adam's moments (m also holds the matrices'
 * momentum buffers). Returns 0, or the first failing SVD's status (< 0): the run has diverged (the matrices before
 * it have already stepped).
 */
export function tfStStep(
  n: i32, nMat: i32, table: usize, alphas: usize, tau: f64, beta: f64, lrMat: f64, lrOther: f64,
  p: usize, g: usize, m: usize, v: usize, t: i32, work: usize,
): i32 {
  let next = 0; // first parameter not yet stepped
  for (let j = 0; j < nMat; j++) {
    const off = ti(table, j, 0), r = ti(table, j, 1), c = ti(table, j, 2), slot = ti(table, j, 3);
    if (off > next) adamSegment(next, off - next, lrOther, p, g, m, v, t);
    const rc = r * c, k = min(r, c);
    const pj = p + (<usize>off << 3), gj = g + (<usize>off << 3), bj = m + (<usize>off << 3);
    const G = work, s = G + (<usize>rc << 3), u = s + (<usize>k << 3), vv = u + (<usize>(r * k) << 3), us = vv + (<usize>(c * k) << 3);
    for (let i = 0; i < rc; i++) {
      const gi = load<f64>(gj + (<usize>i << 3));
      const b = beta * load<f64>(bj + (<usize>i << 3)) + gi;
      store<f64>(bj + (<usize>i << 3), b);
      store<f64>(G + (<usize>i << 3), gi + beta * b);
    }
    const alpha = load<f64>(alphas + (<usize>slot << 3));
    const st = spectralTransferApplyRect(r, c, G, pj, lrMat, alpha, tau, s, u, vv, us);
    if (st < 0) return st;
    next = off + rc;
  }
  if (n > next) adamSegment(next, n - next, lrOther, p, g, m, v, t);
  return 0;
}

/** Adam on parameters [off, off + len): elementwise, so it equals the whole-vector Adam step on those entries. */
function adamSegment(off: i32, len: i32, lr: f64, p: usize, g: usize, m: usize, v: usize, t: i32): void {
  const o = <usize>off << 3;
  adamStep(len, len, lr, lr, p + o, g + o, m + o, v + o, 0.9, 0.999, 1e-8, t);
}
