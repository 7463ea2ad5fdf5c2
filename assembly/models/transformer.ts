// A decoder-only transformer with softmax cross-entropy: token embedding + learned positions, L blocks of pre-LN
// causal multi-head self-attention and an MLP (ReLU or tanh-GELU) with residual connections, final LayerNorm and a
// linear LM head. Loss, gradient, and the exact Hessian-vector product by Pearlmutter's R-operator
// (forward-over-reverse), plus the Gauss–Newton product Jᵀ·H_loss·J·v, for every parameter.
//
// Every tensor of the computation owns four buffers: value, R-value (its directional derivative along v), adjoint
// and R-adjoint. Backward passes ACCUMULATE into adjoints, so a tensor read by several ops (the residual stream)
// needs no special casing, and a mechanism switched off is an alias: with LayerNorm off the LN output is the same
// tensor as its input, with residuals off the block output is the branch output. The HVP runs one joint backward
// sweep that carries adjoints and R-adjoints together; the Gauss–Newton product is the same sweep with every term
// that multiplies a primal adjoint (i.e. a second derivative of the network) dropped.
//
// Config (i32 × 9): B sequences, T context, V vocabulary (= classes), D model width, H heads, M MLP width,
// L blocks, flags (TF_LN | TF_RES | TF_ATTN | TF_MLP), activation (TF_RELU / TF_GELU).
// Batch: tokens i32 B×T (row n = b·T + t), targets f64 (B·T)×V: a distribution over the next token per position
// (one-hot rows for sampled tokens). Loss = −(1/N)·Σ_n Σ_j y_nj·log softmax(z_n)_j, N = B·T.

import { gemm } from "../gemm/gemm";
import { adamStep } from "../train/optim";

export const TF_LN: i32 = 1, TF_RES: i32 = 2, TF_ATTN: i32 = 4, TF_MLP: i32 = 8;
export const TF_RELU: i32 = 0, TF_GELU: i32 = 1;

// parameter kinds: 0, 1 global; 2..13 per block; 14..17 final
export const PK_E: i32 = 0, PK_P: i32 = 1, PK_LN1G: i32 = 2, PK_LN1B: i32 = 3, PK_WQ: i32 = 4, PK_WK: i32 = 5,
  PK_WV: i32 = 6, PK_WO: i32 = 7, PK_LN2G: i32 = 8, PK_LN2B: i32 = 9, PK_W1: i32 = 10, PK_B1: i32 = 11,
  PK_W2: i32 = 12, PK_B2: i32 = 13, PK_LNFG: i32 = 14, PK_LNFB: i32 = 15, PK_WH: i32 = 16, PK_BH: i32 = 17;

const LN_EPS: f64 = 1e-5;

// @ts-ignore: decorator
@inline function cf(cfg: usize, i: i32): i32 {
  return load<i32>(cfg + (<usize>i << 2));
}
// @ts-ignore: decorator
@inline function at(p: usize, i: i32): usize {
  return p + (<usize>i << 3);
}
// @ts-ignore: decorator
@inline function ld(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}
// @ts-ignore: decorator
@inline function st(p: usize, i: i32, x: f64): void {
  store<f64>(p + (<usize>i << 3), x);
}
// @ts-ignore: decorator
@inline function acc(p: usize, i: i32, x: f64): void {
  store<f64>(p + (<usize>i << 3), load<f64>(p + (<usize>i << 3)) + x);
}

function kindSize(cfg: usize, kind: i32): i32 {
  const V = cf(cfg, 2), T = cf(cfg, 1), D = cf(cfg, 3), M = cf(cfg, 5);
  if (kind == PK_E || kind == PK_WH) return V * D;
  if (kind == PK_P) return T * D;
  if (kind >= PK_WQ && kind <= PK_WO) return D * D;
  if (kind == PK_W1 || kind == PK_W2) return M * D;
  if (kind == PK_B1) return M;
  if (kind == PK_BH) return V;
  return D; // LayerNorm gains and biases, b2
}

function present(cfg: usize, kind: i32): bool {
  const f = cf(cfg, 7);
  const ln = (f & TF_LN) != 0, attn = (f & TF_ATTN) != 0, mlp = (f & TF_MLP) != 0;
  if (kind == PK_LN1G || kind == PK_LN1B) return ln && attn;
  if (kind >= PK_WQ && kind <= PK_WO) return attn;
  if (kind == PK_LN2G || kind == PK_LN2B) return ln && mlp;
  if (kind >= PK_W1 && kind <= PK_B2) return mlp;
  if (kind == PK_LNFG || kind == PK_LNFB) return ln;
  return true;
}

/** Offset (in f64s) of parameter `kind` of block `block` (ignored for global kinds), or −1 if switched off. */
export function tfParamOffset(cfg: usize, block: i32, kind: i32): i32 {
  if (kind < 0 || kind > PK_BH || !present(cfg, kind)) return -1;
  if (kind == PK_E) return 0;
  let off = kindSize(cfg, PK_E);
  if (kind == PK_P) return off;
  off += kindSize(cfg, PK_P);
  let per = 0;
  for (let k = PK_LN1G; k <= PK_B2; k++) if (present(cfg, k)) per += kindSize(cfg, k);
  if (kind <= PK_B2) {
    off += block * per;
    for (let k = PK_LN1G; k < kind; k++) if (present(cfg, k)) off += kindSize(cfg, k);
    return off;
  }
  off += cf(cfg, 6) * per;
  for (let k = PK_LNFG; k < kind; k++) if (present(cfg, k)) off += kindSize(cfg, k);
  return off;
}

export function tfParamCount(cfg: usize): i32 {
  return tfParamOffset(cfg, 0, PK_BH) + cf(cfg, 2);
}

// ---- tensor table: id → 4 buffers (value, R, adjoint, R-adjoint), slot-major so adjoints zero in one fill ----
const VAL: i32 = 0, RV: i32 = 1, ADJ: i32 = 2, RADJ: i32 = 3;
const PER_BLOCK: i32 = 17;
const A1: i32 = 0, Q_: i32 = 1, K_: i32 = 2, VV: i32 = 3, O_: i32 = 4, Z_: i32 = 5, M_: i32 = 6, A2: i32 = 7,
  U_: i32 = 8, G_: i32 = 9, Y_: i32 = 10, S_: i32 = 11, X1: i32 = 12, R1: i32 = 13, X2: i32 = 14, R2: i32 = 15,
  ATT: i32 = 16;
const XF: i32 = 0, RF: i32 = 1, AF: i32 = 2, LOGIT: i32 = 3, PROB: i32 = 4;

function tensorCount(cfg: usize): i32 {
  return 1 + cf(cfg, 6) * PER_BLOCK + 5;
}
function bid(l: i32, t: i32): i32 {
  return 1 + l * PER_BLOCK + t;
}
function fid(cfg: usize, t: i32): i32 {
  return 1 + cf(cfg, 6) * PER_BLOCK + t;
}

let tblBase: usize = 0;
let planTotal: i32 = 0;

// @ts-ignore: decorator
@inline function tp(t: i32, s: i32): usize {
  return <usize>load<u32>(tblBase + (<usize>(t * 4 + s) << 2));
}

/** Pass 1 of planning: a tensor of n f64s of its own (offset parked in slot 0) or an alias of an earlier one. */
function own(t: i32, n: i32): void {
  store<u32>(tblBase + (<usize>(t * 4) << 2), <u32>planTotal);
  store<u32>(tblBase + (<usize>(t * 4 + 1) << 2), 0);
  planTotal += n;
}
function alias(t: i32, src: i32): void {
  store<u32>(tblBase + (<usize>(t * 4 + 1) << 2), <u32>(src + 1));
}

/** f64s tensor t of a block owns (0: switched off, an alias or unused). */
function blockTensorSize(t: i32, B: i32, T: i32, D: i32, H: i32, M: i32, ln: bool, res: bool, attn: bool, mlp: bool): i32 {
  const N = B * T;
  if (attn) {
    if (t == A1 || t == X1) return ln ? N * D : 0;
    if (t == R1) return ln ? N : 0;
    if (t == Q_ || t == K_ || t == VV || t == O_ || t == Z_) return N * D;
    if (t == ATT) return B * H * T * T;
    if (t == M_) return res ? N * D : 0;
  }
  if (mlp) {
    if (t == A2 || t == X2) return ln ? N * D : 0;
    if (t == R2) return ln ? N : 0;
    if (t == U_ || t == G_) return N * M;
    if (t == Y_) return N * D;
    if (t == S_) return res ? N * D : 0;
  }
  return 0;
}

function scratchDoubles(cfg: usize): i32 {
  return 4 * cf(cfg, 1);
}

/** Lays out the workspace (idempotent; every entry point calls it). Returns the bytes it needs. */
function plan(cfg: usize, ws: usize, write: bool): i32 {
  const B = cf(cfg, 0), T = cf(cfg, 1), V = cf(cfg, 2), D = cf(cfg, 3), H = cf(cfg, 4), M = cf(cfg, 5), L = cf(cfg, 6);
  const f = cf(cfg, 7);
  const ln = (f & TF_LN) != 0, res = (f & TF_RES) != 0, attn = (f & TF_ATTN) != 0, mlp = (f & TF_MLP) != 0;
  const N = B * T, NT = tensorCount(cfg);
  const tableBytes = ((NT * 16 + 15) >> 4) << 4;
  tblBase = write ? ws : 0;
  planTotal = 0;
  if (write) own(0, N * D); else planTotal += N * D;
  let inId = 0;
  for (let l = 0; l < L; l++) {
    for (let t = 0; t < PER_BLOCK; t++) {
      const id = bid(l, t);
      const n = blockTensorSize(t, B, T, D, H, M, ln, res, attn, mlp);
      if (n > 0) {
        if (write) own(id, n); else planTotal += n;
      } else if (write) {
        // a switched-off mechanism: the tensor is its input (or the branch output when there is no residual)
        let src = -1;
        if (t == A1) src = inId;
        else if (t == M_) src = attn ? bid(l, Z_) : inId;
        else if (t == A2) src = bid(l, M_);
        else if (t == S_) src = mlp ? bid(l, Y_) : bid(l, M_);
        if (src >= 0) alias(id, src); else own(id, 0);
      }
    }
    inId = bid(l, S_);
  }
  for (let t = 0; t < 5; t++) {
    const id = fid(cfg, t);
    const n = t == XF || t == AF ? (ln ? N * D : 0) : t == RF ? (ln ? N : 0) : N * V;
    if (n > 0) {
      if (write) own(id, n); else planTotal += n;
    } else if (write) {
      if (t == AF) alias(id, inId); else own(id, 0);
    }
  }
  const total = planTotal;
  if (write) {
    // pass 2: offsets → pointers, slot-major; aliases copy their (earlier) source
    const base = ws + <usize>tableBytes;
    for (let t = 0; t < NT; t++) {
      const a = load<u32>(tblBase + (<usize>(t * 4 + 1) << 2));
      if (a != 0) {
        const src = <i32>a - 1;
        for (let s = 0; s < 4; s++) store<u32>(tblBase + (<usize>(t * 4 + s) << 2), load<u32>(tblBase + (<usize>(src * 4 + s) << 2)));
      } else {
        const off = <usize>load<u32>(tblBase + (<usize>(t * 4) << 2));
        for (let s = 0; s < 4; s++) store<u32>(tblBase + (<usize>(t * 4 + s) << 2), <u32>(base + ((<usize>s * <usize>total + off) << 3)));
      }
    }
  }
  return tableBytes + (4 * total + scratchDoubles(cfg)) * 8;
}

function scratchPtr(cfg: usize, ws: usize): usize {
  const NT = tensorCount(cfg);
  const tableBytes = ((NT * 16 + 15) >> 4) << 4;
  return ws + <usize>tableBytes + ((<usize>(4 * planTotal)) << 3);
}

/** Bytes of workspace for this config (caller allocates once and reuses it for every call). */
export function tfWorkspaceBytes(cfg: usize): i32 {
  return plan(cfg, 0, false);
}

// ---------------------------------------------------------------- ops ----------------------------------------------

function embedForward(tok: usize, E: usize, P: usize, vE: usize, vP: usize, y: usize, ry: usize, N: i32, T: i32, D: i32, withR: bool): void {
  for (let n = 0; n < N; n++) {
    const id = load<i32>(tok + (<usize>n << 2)), t = n % T;
    for (let j = 0; j < D; j++) {
      st(y, n * D + j, ld(E, id * D + j) + ld(P, t * D + j));
      if (withR) st(ry, n * D + j, ld(vE, id * D + j) + ld(vP, t * D + j));
    }
  }
}

/** Parameter adjoints of the embedding: gE[tok] += ȳ, gP[t] += ȳ (y is linear in E, P: no second-order term). */
function embedBackward(tok: usize, adj: usize, gE: usize, gP: usize, N: i32, T: i32, D: i32): void {
  for (let n = 0; n < N; n++) {
    const id = load<i32>(tok + (<usize>n << 2)), t = n % T;
    for (let j = 0; j < D; j++) {
      const a = ld(adj, n * D + j);
      acc(gE, id * D + j, a);
      acc(gP, t * D + j, a);
    }
  }
}

/** y = g ⊙ x̂ + b, x̂ = (x − μ)·r, r = 1/√(var + ε), per row of width D. Keeps x̂ and r. */
function lnForward(x: usize, g: usize, b: usize, y: usize, xh: usize, r: usize, N: i32, D: i32): void {
  const invD = 1.0 / <f64>D;
  for (let n = 0; n < N; n++) {
    const row = n * D;
    let mu = 0.0;
    for (let j = 0; j < D; j++) mu += ld(x, row + j);
    mu *= invD;
    let vr = 0.0;
    for (let j = 0; j < D; j++) {
      const c = ld(x, row + j) - mu;
      vr += c * c;
    }
    const rn = 1.0 / Math.sqrt(vr * invD + LN_EPS);
    st(r, n, rn);
    for (let j = 0; j < D; j++) {
      const h = (ld(x, row + j) - mu) * rn;
      st(xh, row + j, h);
      st(y, row + j, ld(g, j) * h + ld(b, j));
    }
  }
}

/** R-forward of LayerNorm: Rx̂ = r·(Rx − mean Rx − x̂·mean(x̂ Rx)), Rr = −r²·mean(x̂ Rx), Ry = vg x̂ + g Rx̂ + vb. */
function lnR(rx: usize, xh: usize, r: usize, g: usize, vg: usize, vb: usize, ry: usize, rxh: usize, rr: usize, N: i32, D: i32): void {
  const invD = 1.0 / <f64>D;
  for (let n = 0; n < N; n++) {
    const row = n * D;
    let m1 = 0.0, m2 = 0.0;
    for (let j = 0; j < D; j++) {
      const a = ld(rx, row + j);
      m1 += a;
      m2 += ld(xh, row + j) * a;
    }
    m1 *= invD;
    m2 *= invD;
    const rn = ld(r, n);
    st(rr, n, -rn * rn * m2);
    for (let j = 0; j < D; j++) {
      const h = ld(xh, row + j);
      const rh = rn * (ld(rx, row + j) - m1 - h * m2);
      st(rxh, row + j, rh);
      st(ry, row + j, ld(vg, j) * h + ld(g, j) * rh + ld(vb, j));
    }
  }
}

/**
 * Backward of LayerNorm, optionally with its R-sweep. With ḡ = ȳ ⊙ g: x̄ += r·(ḡ − mean ḡ − x̂·mean(ḡ x̂)).
 * R: Rḡ = Rȳ g + [full] ȳ vg; Rx̄ += [full] Rr·(ḡ − m1 − x̂ m2) + r·(Rḡ − Rm1 − [full] Rx̂ m2 − x̂ Rm2),
 * Rm2 = mean(Rḡ x̂ + [full] ḡ Rx̂). Gains/biases: gG += ȳ x̂, gB += ȳ; oG += Rȳ x̂ + [full] ȳ Rx̂, oB += Rȳ.
 */
function lnBackward(
  adj: usize, radj: usize, xh: usize, r: usize, rxh: usize, rr: usize, g: usize, vg: usize,
  xadj: usize, xradj: usize, gG: usize, gB: usize, oG: usize, oB: usize, N: i32, D: i32, withR: bool, full: bool,
): void {
  const invD = 1.0 / <f64>D;
  for (let n = 0; n < N; n++) {
    const row = n * D;
    let m1 = 0.0, m2 = 0.0;
    for (let j = 0; j < D; j++) {
      const gh = ld(adj, row + j) * ld(g, j);
      m1 += gh;
      m2 += gh * ld(xh, row + j);
    }
    m1 *= invD;
    m2 *= invD;
    const rn = ld(r, n);
    for (let j = 0; j < D; j++) {
      const gh = ld(adj, row + j) * ld(g, j);
      acc(xadj, row + j, rn * (gh - m1 - ld(xh, row + j) * m2));
      if (gG != 0) {
        acc(gG, j, ld(adj, row + j) * ld(xh, row + j));
        acc(gB, j, ld(adj, row + j));
      }
    }
    if (!withR) continue;
    let rm1 = 0.0, rm2 = 0.0;
    for (let j = 0; j < D; j++) {
      const ya = ld(adj, row + j);
      let rgh = ld(radj, row + j) * ld(g, j);
      if (full) rgh += ya * ld(vg, j);
      rm1 += rgh;
      rm2 += rgh * ld(xh, row + j);
      if (full) rm2 += ya * ld(g, j) * ld(rxh, row + j);
    }
    rm1 *= invD;
    rm2 *= invD;
    const rrn = ld(rr, n);
    for (let j = 0; j < D; j++) {
      const ya = ld(adj, row + j), h = ld(xh, row + j);
      let rgh = ld(radj, row + j) * ld(g, j);
      if (full) rgh += ya * ld(vg, j);
      let v = rn * (rgh - rm1 - h * rm2);
      if (full) v += rrn * (ya * ld(g, j) - m1 - h * m2) - rn * ld(rxh, row + j) * m2;
      acc(xradj, row + j, v);
      let og = ld(radj, row + j) * h;
      if (full) og += ya * ld(rxh, row + j);
      acc(oG, j, og);
      acc(oB, j, ld(radj, row + j));
    }
  }
}

/** Y = X Wᵀ (+ b): X is N×I, W is O×I. */
function linForward(x: usize, w: usize, b: usize, y: usize, N: i32, I: i32, O: i32): void {
  gemm(0, 1, N, O, I, 1.0, x, I, w, I, 0.0, y, O);
  if (b != 0) for (let n = 0; n < N; n++) for (let o = 0; o < O; o++) acc(y, n * O + o, ld(b, o));
}

/** RY = RX Wᵀ + X VWᵀ (+ vb). */
function linR(x: usize, rx: usize, w: usize, vw: usize, vb: usize, ry: usize, N: i32, I: i32, O: i32): void {
  gemm(0, 1, N, O, I, 1.0, x, I, vw, I, 0.0, ry, O);
  gemm(0, 1, N, O, I, 1.0, rx, I, w, I, 1.0, ry, O);
  if (vb != 0) for (let n = 0; n < N; n++) for (let o = 0; o < O; o++) acc(ry, n * O + o, ld(vb, o));
}

/**
 * X̄ += Ȳ W; gW += Ȳᵀ X; gb += Σ_n Ȳ.  R: RX̄ += RȲ W + [full] Ȳ VW; oW += RȲᵀ X + [full] Ȳᵀ RX; ob += Σ_n RȲ.
 */
function linBackward(
  x: usize, rx: usize, w: usize, vw: usize, adj: usize, radj: usize, xadj: usize, xradj: usize,
  gW: usize, gb: usize, oW: usize, ob: usize, N: i32, I: i32, O: i32, withR: bool, full: bool,
): void {
  gemm(0, 0, N, I, O, 1.0, adj, O, w, I, 1.0, xadj, I);
  if (gW != 0) {
    gemm(1, 0, O, I, N, 1.0, adj, O, x, I, 1.0, gW, I);
    if (gb != 0) for (let n = 0; n < N; n++) for (let o = 0; o < O; o++) acc(gb, o, ld(adj, n * O + o));
  }
  if (!withR) return;
  gemm(0, 0, N, I, O, 1.0, radj, O, w, I, 1.0, xradj, I);
  if (full) gemm(0, 0, N, I, O, 1.0, adj, O, vw, I, 1.0, xradj, I);
  gemm(1, 0, O, I, N, 1.0, radj, O, x, I, 1.0, oW, I);
  if (full) gemm(1, 0, O, I, N, 1.0, adj, O, rx, I, 1.0, oW, I);
  if (ob != 0) for (let n = 0; n < N; n++) for (let o = 0; o < O; o++) acc(ob, o, ld(radj, n * O + o));
}

const GELU_K: f64 = 0.7978845608028654; // √(2/π)
const GELU_A: f64 = 0.044715;

/** φ, φ′ and φ″ of the activation at x, into the globals below (tanh-GELU or ReLU, whose φ″ is 0 a.e.). */
let phi0: f64 = 0, phi1: f64 = 0, phi2: f64 = 0;
function activation(kind: i32, x: f64): void {
  if (kind == TF_RELU) {
    phi0 = x > 0.0 ? x : 0.0;
    phi1 = x > 0.0 ? 1.0 : 0.0;
    phi2 = 0.0;
    return;
  }
  const w = GELU_K * (x + GELU_A * x * x * x);
  const w1 = GELU_K * (1.0 + 3.0 * GELU_A * x * x), w2 = 6.0 * GELU_K * GELU_A * x;
  const t = Math.tanh(w), s = 1.0 - t * t;
  phi0 = 0.5 * x * (1.0 + t);
  phi1 = 0.5 * (1.0 + t) + 0.5 * x * s * w1;
  phi2 = s * w1 + 0.5 * x * s * (w2 - 2.0 * t * w1 * w1);
}

function actForward(kind: i32, u: usize, g: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    activation(kind, ld(u, i));
    st(g, i, phi0);
  }
}
function actR(kind: i32, u: usize, ru: usize, rg: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    activation(kind, ld(u, i));
    st(rg, i, phi1 * ld(ru, i));
  }
}
/** Ū += Ḡ φ′(U);  RŪ += RḠ φ′(U) + [full] Ḡ φ″(U) RU. */
function actBackward(kind: i32, u: usize, ru: usize, adj: usize, radj: usize, uadj: usize, uradj: usize, n: i32, withR: bool, full: bool): void {
  for (let i = 0; i < n; i++) {
    activation(kind, ld(u, i));
    acc(uadj, i, ld(adj, i) * phi1);
    if (withR) {
      let v = ld(radj, i) * phi1;
      if (full) v += ld(adj, i) * phi2 * ld(ru, i);
      acc(uradj, i, v);
    }
  }
}

function addForward(a: usize, b: usize, y: usize, n: i32): void {
  for (let i = 0; i < n; i++) st(y, i, ld(a, i) + ld(b, i));
}
function addBackward(adj: usize, aadj: usize, badj: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const g = ld(adj, i);
    acc(aadj, i, g);
    acc(badj, i, g);
  }
}

/**
 * Causal attention per sequence b and head h (columns h·dh … of Q, K, V): S = c·Q Kᵀ (j ≤ i), A = softmax rows,
 * O = A V, c = 1/√dh. Keeps A (B×H×T×T).
 */
function attnForward(q: usize, k: usize, v: usize, o: usize, a: usize, B: i32, T: i32, D: i32, H: i32): void {
  const dh = D / H;
  const c = 1.0 / Math.sqrt(<f64>dh);
  for (let b = 0; b < B; b++)
    for (let h = 0; h < H; h++) {
      const ab = ((b * H + h) * T) * T, col = h * dh;
      for (let i = 0; i < T; i++) {
        const qi = (b * T + i) * D + col;
        let mx = -Infinity;
        for (let j = 0; j <= i; j++) {
          const kj = (b * T + j) * D + col;
          let s = 0.0;
          for (let e = 0; e < dh; e++) s += ld(q, qi + e) * ld(k, kj + e);
          s *= c;
          st(a, ab + i * T + j, s);
          if (s > mx) mx = s;
        }
        let sum = 0.0;
        for (let j = 0; j <= i; j++) {
          const p = Math.exp(ld(a, ab + i * T + j) - mx);
          st(a, ab + i * T + j, p);
          sum += p;
        }
        const inv = 1.0 / sum;
        for (let j = 0; j <= i; j++) st(a, ab + i * T + j, ld(a, ab + i * T + j) * inv);
        for (let j = i + 1; j < T; j++) st(a, ab + i * T + j, 0.0);
        for (let e = 0; e < dh; e++) {
          let s = 0.0;
          for (let j = 0; j <= i; j++) s += ld(a, ab + i * T + j) * ld(v, (b * T + j) * D + col + e);
          st(o, qi + e, s);
        }
      }
    }
}

/** RS = c(RQ Kᵀ + Q RKᵀ); RA = A ⊙ (RS − rowsum(A ⊙ RS)); RO = RA V + A RV. Keeps RA. */
function attnR(q: usize, k: usize, v: usize, rq: usize, rk: usize, rv: usize, a: usize, ra: usize, ro: usize, B: i32, T: i32, D: i32, H: i32): void {
  const dh = D / H;
  const c = 1.0 / Math.sqrt(<f64>dh);
  for (let b = 0; b < B; b++)
    for (let h = 0; h < H; h++) {
      const ab = ((b * H + h) * T) * T, col = h * dh;
      for (let i = 0; i < T; i++) {
        const qi = (b * T + i) * D + col;
        let rho = 0.0;
        for (let j = 0; j <= i; j++) {
          const kj = (b * T + j) * D + col;
          let s = 0.0;
          for (let e = 0; e < dh; e++) s += ld(rq, qi + e) * ld(k, kj + e) + ld(q, qi + e) * ld(rk, kj + e);
          s *= c;
          st(ra, ab + i * T + j, s);
          rho += ld(a, ab + i * T + j) * s;
        }
        for (let j = 0; j <= i; j++) st(ra, ab + i * T + j, ld(a, ab + i * T + j) * (ld(ra, ab + i * T + j) - rho));
        for (let j = i + 1; j < T; j++) st(ra, ab + i * T + j, 0.0);
        for (let e = 0; e < dh; e++) {
          let s = 0.0;
          for (let j = 0; j <= i; j++) {
            const vj = (b * T + j) * D + col + e;
            s += ld(ra, ab + i * T + j) * ld(v, vj) + ld(a, ab + i * T + j) * ld(rv, vj);
          }
          st(ro, qi + e, s);
        }
      }
    }
}

/**
 * Backward of attention, row by row (scratch: 4·T f64s). Ā_ij = ō_i·v_j, ρ_i = Σ_j A_ij Ā_ij, S̄ = A ⊙ (Ā − ρ);
 * v̄_j += Σ_i A_ij ō_i, q̄_i += c Σ_j S̄_ij k_j, k̄_j += c Σ_i S̄_ij q_i.
 * R: RĀ_ij = Rō_i·v_j + [full] ō_i·Rv_j; Rρ_i = Σ_j A RĀ + [full] RA Ā; RS̄ = A ⊙ (RĀ − Rρ) + [full] RA ⊙ (Ā − ρ);
 * Rv̄_j += Σ_i A Rō_i + [full] RA ō_i; Rq̄_i += c Σ_j RS̄ k_j + [full] S̄ Rk_j; Rk̄_j += c Σ_i RS̄ q_i + [full] S̄ Rq_i.
 */
function attnBackward(
  q: usize, k: usize, v: usize, rq: usize, rk: usize, rv: usize, a: usize, ra: usize, oadj: usize, oradj: usize,
  qadj: usize, kadj: usize, vadj: usize, qradj: usize, kradj: usize, vradj: usize, scr: usize,
  B: i32, T: i32, D: i32, H: i32, withR: bool, full: bool,
): void {
  const dh = D / H;
  const c = 1.0 / Math.sqrt(<f64>dh);
  const abar = scr, sbar = scr + (<usize>T << 3), rabar = scr + (<usize>(2 * T) << 3), rsbar = scr + (<usize>(3 * T) << 3);
  for (let b = 0; b < B; b++)
    for (let h = 0; h < H; h++) {
      const ab = ((b * H + h) * T) * T, col = h * dh;
      for (let i = 0; i < T; i++) {
        const qi = (b * T + i) * D + col;
        let rho = 0.0;
        for (let j = 0; j <= i; j++) {
          const vj = (b * T + j) * D + col;
          let s = 0.0;
          for (let e = 0; e < dh; e++) s += ld(oadj, qi + e) * ld(v, vj + e);
          st(abar, j, s);
          rho += ld(a, ab + i * T + j) * s;
        }
        for (let j = 0; j <= i; j++) st(sbar, j, ld(a, ab + i * T + j) * (ld(abar, j) - rho));
        if (withR) {
          let rrho = 0.0;
          for (let j = 0; j <= i; j++) {
            const vj = (b * T + j) * D + col;
            let s = 0.0;
            for (let e = 0; e < dh; e++) s += ld(oradj, qi + e) * ld(v, vj + e);
            if (full) for (let e = 0; e < dh; e++) s += ld(oadj, qi + e) * ld(rv, vj + e);
            st(rabar, j, s);
            rrho += ld(a, ab + i * T + j) * s;
            if (full) rrho += ld(ra, ab + i * T + j) * ld(abar, j);
          }
          for (let j = 0; j <= i; j++) {
            let s = ld(a, ab + i * T + j) * (ld(rabar, j) - rrho);
            if (full) s += ld(ra, ab + i * T + j) * (ld(abar, j) - rho);
            st(rsbar, j, s);
          }
        }
        for (let j = 0; j <= i; j++) {
          const kj = (b * T + j) * D + col;
          const aij = ld(a, ab + i * T + j), sb = ld(sbar, j) * c;
          for (let e = 0; e < dh; e++) {
            acc(vadj, kj + e, aij * ld(oadj, qi + e));
            acc(qadj, qi + e, sb * ld(k, kj + e));
            acc(kadj, kj + e, sb * ld(q, qi + e));
          }
          if (!withR) continue;
          const rsb = ld(rsbar, j) * c, raij = ld(ra, ab + i * T + j);
          for (let e = 0; e < dh; e++) {
            let rvv = aij * ld(oradj, qi + e), rqq = rsb * ld(k, kj + e), rkk = rsb * ld(q, qi + e);
            if (full) {
              rvv += raij * ld(oadj, qi + e);
              rqq += sb * ld(rk, kj + e);
              rkk += sb * ld(rq, qi + e);
            }
            acc(vradj, kj + e, rvv);
            acc(qradj, qi + e, rqq);
            acc(kradj, kj + e, rkk);
          }
        }
      }
    }
}

/** Softmax cross-entropy against target rows y; keeps p. Returns the mean loss. */
function ceForward(z: usize, y: usize, p: usize, N: i32, V: i32): f64 {
  const invN = 1.0 / <f64>N;
  let loss = 0.0;
  for (let n = 0; n < N; n++) {
    const row = n * V;
    let mx = -Infinity;
    for (let j = 0; j < V; j++) mx = max(mx, ld(z, row + j));
    let sum = 0.0;
    for (let j = 0; j < V; j++) {
      const e = Math.exp(ld(z, row + j) - mx);
      st(p, row + j, e);
      sum += e;
    }
    const lse = mx + Math.log(sum);
    for (let j = 0; j < V; j++) {
      const yj = ld(y, row + j);
      if (yj != 0.0) loss -= yj * (ld(z, row + j) - lse);
    }
    const inv = 1.0 / sum;
    for (let j = 0; j < V; j++) st(p, row + j, ld(p, row + j) * inv);
  }
  return loss * invN;
}

/** z̄ = (p·Σy − y)/N (Σy = 1 for distributions; kept general so soft rows need not be normalised exactly). */
function ceAdjoint(y: usize, p: usize, zadj: usize, N: i32, V: i32): void {
  const invN = 1.0 / <f64>N;
  for (let n = 0; n < N; n++) {
    const row = n * V;
    let ys = 0.0;
    for (let j = 0; j < V; j++) ys += ld(y, row + j);
    for (let j = 0; j < V; j++) st(zadj, row + j, (ld(p, row + j) * ys - ld(y, row + j)) * invN);
  }
}

/** Rz̄ = (Σy/N)·p ⊙ (Rz − p·Rz): the loss Hessian applied to Rz. */
function ceR(y: usize, p: usize, rz: usize, rzadj: usize, N: i32, V: i32): void {
  const invN = 1.0 / <f64>N;
  for (let n = 0; n < N; n++) {
    const row = n * V;
    let pr = 0.0, ys = 0.0;
    for (let j = 0; j < V; j++) {
      pr += ld(p, row + j) * ld(rz, row + j);
      ys += ld(y, row + j);
    }
    for (let j = 0; j < V; j++) st(rzadj, row + j, ys * invN * ld(p, row + j) * (ld(rz, row + j) - pr));
  }
}

// ----------------------------------------------------------- passes ------------------------------------------------

// @ts-ignore: decorator
@inline function pp(base: usize, cfg: usize, l: i32, kind: i32): usize {
  if (base == 0) return 0;
  const off = tfParamOffset(cfg, l, kind);
  return off < 0 ? 0 : base + (<usize>off << 3);
}

function forward(cfg: usize, w: usize, tok: usize, y: usize, ws: usize): f64 {
  const B = cf(cfg, 0), T = cf(cfg, 1), V = cf(cfg, 2), D = cf(cfg, 3), H = cf(cfg, 4), M = cf(cfg, 5), L = cf(cfg, 6);
  const f = cf(cfg, 7), act = cf(cfg, 8);
  const ln = (f & TF_LN) != 0, res = (f & TF_RES) != 0, attn = (f & TF_ATTN) != 0, mlp = (f & TF_MLP) != 0;
  const N = B * T;
  embedForward(tok, pp(w, cfg, 0, PK_E), pp(w, cfg, 0, PK_P), 0, 0, tp(0, VAL), 0, N, T, D, false);
  let inId = 0;
  for (let l = 0; l < L; l++) {
    if (attn) {
      if (ln) lnForward(tp(inId, VAL), pp(w, cfg, l, PK_LN1G), pp(w, cfg, l, PK_LN1B), tp(bid(l, A1), VAL), tp(bid(l, X1), VAL), tp(bid(l, R1), VAL), N, D);
      const a1 = tp(bid(l, A1), VAL);
      linForward(a1, pp(w, cfg, l, PK_WQ), 0, tp(bid(l, Q_), VAL), N, D, D);
      linForward(a1, pp(w, cfg, l, PK_WK), 0, tp(bid(l, K_), VAL), N, D, D);
      linForward(a1, pp(w, cfg, l, PK_WV), 0, tp(bid(l, VV), VAL), N, D, D);
      attnForward(tp(bid(l, Q_), VAL), tp(bid(l, K_), VAL), tp(bid(l, VV), VAL), tp(bid(l, O_), VAL), tp(bid(l, ATT), VAL), B, T, D, H);
      linForward(tp(bid(l, O_), VAL), pp(w, cfg, l, PK_WO), 0, tp(bid(l, Z_), VAL), N, D, D);
      if (res) addForward(tp(inId, VAL), tp(bid(l, Z_), VAL), tp(bid(l, M_), VAL), N * D);
    }
    if (mlp) {
      const m = bid(l, M_);
      if (ln) lnForward(tp(m, VAL), pp(w, cfg, l, PK_LN2G), pp(w, cfg, l, PK_LN2B), tp(bid(l, A2), VAL), tp(bid(l, X2), VAL), tp(bid(l, R2), VAL), N, D);
      linForward(tp(bid(l, A2), VAL), pp(w, cfg, l, PK_W1), pp(w, cfg, l, PK_B1), tp(bid(l, U_), VAL), N, D, M);
      actForward(act, tp(bid(l, U_), VAL), tp(bid(l, G_), VAL), N * M);
      linForward(tp(bid(l, G_), VAL), pp(w, cfg, l, PK_W2), pp(w, cfg, l, PK_B2), tp(bid(l, Y_), VAL), N, M, D);
      if (res) addForward(tp(m, VAL), tp(bid(l, Y_), VAL), tp(bid(l, S_), VAL), N * D);
    }
    inId = bid(l, S_);
  }
  const af = fid(cfg, AF);
  if (ln) lnForward(tp(inId, VAL), pp(w, cfg, 0, PK_LNFG), pp(w, cfg, 0, PK_LNFB), tp(af, VAL), tp(fid(cfg, XF), VAL), tp(fid(cfg, RF), VAL), N, D);
  linForward(tp(af, VAL), pp(w, cfg, 0, PK_WH), pp(w, cfg, 0, PK_BH), tp(fid(cfg, LOGIT), VAL), N, D, V);
  return ceForward(tp(fid(cfg, LOGIT), VAL), y, tp(fid(cfg, PROB), VAL), N, V);
}

/** R-forward along parameter direction v: every tensor's RV slot. */
function rForward(cfg: usize, w: usize, v: usize, tok: usize): void {
  const B = cf(cfg, 0), T = cf(cfg, 1), D = cf(cfg, 3), H = cf(cfg, 4), M = cf(cfg, 5), L = cf(cfg, 6), V = cf(cfg, 2);
  const f = cf(cfg, 7), act = cf(cfg, 8);
  const ln = (f & TF_LN) != 0, res = (f & TF_RES) != 0, attn = (f & TF_ATTN) != 0, mlp = (f & TF_MLP) != 0;
  const N = B * T;
  embedForward(tok, pp(w, cfg, 0, PK_E), pp(w, cfg, 0, PK_P), pp(v, cfg, 0, PK_E), pp(v, cfg, 0, PK_P), tp(0, VAL), tp(0, RV), N, T, D, true);
  let inId = 0;
  for (let l = 0; l < L; l++) {
    if (attn) {
      if (ln) lnR(tp(inId, RV), tp(bid(l, X1), VAL), tp(bid(l, R1), VAL), pp(w, cfg, l, PK_LN1G), pp(v, cfg, l, PK_LN1G), pp(v, cfg, l, PK_LN1B), tp(bid(l, A1), RV), tp(bid(l, X1), RV), tp(bid(l, R1), RV), N, D);
      const a1 = bid(l, A1);
      linR(tp(a1, VAL), tp(a1, RV), pp(w, cfg, l, PK_WQ), pp(v, cfg, l, PK_WQ), 0, tp(bid(l, Q_), RV), N, D, D);
      linR(tp(a1, VAL), tp(a1, RV), pp(w, cfg, l, PK_WK), pp(v, cfg, l, PK_WK), 0, tp(bid(l, K_), RV), N, D, D);
      linR(tp(a1, VAL), tp(a1, RV), pp(w, cfg, l, PK_WV), pp(v, cfg, l, PK_WV), 0, tp(bid(l, VV), RV), N, D, D);
      attnR(tp(bid(l, Q_), VAL), tp(bid(l, K_), VAL), tp(bid(l, VV), VAL), tp(bid(l, Q_), RV), tp(bid(l, K_), RV), tp(bid(l, VV), RV), tp(bid(l, ATT), VAL), tp(bid(l, ATT), RV), tp(bid(l, O_), RV), B, T, D, H);
      linR(tp(bid(l, O_), VAL), tp(bid(l, O_), RV), pp(w, cfg, l, PK_WO), pp(v, cfg, l, PK_WO), 0, tp(bid(l, Z_), RV), N, D, D);
      if (res) addForward(tp(inId, RV), tp(bid(l, Z_), RV), tp(bid(l, M_), RV), N * D);
    }
    if (mlp) {
      const m = bid(l, M_);
      if (ln) lnR(tp(m, RV), tp(bid(l, X2), VAL), tp(bid(l, R2), VAL), pp(w, cfg, l, PK_LN2G), pp(v, cfg, l, PK_LN2G), pp(v, cfg, l, PK_LN2B), tp(bid(l, A2), RV), tp(bid(l, X2), RV), tp(bid(l, R2), RV), N, D);
      const a2 = bid(l, A2);
      linR(tp(a2, VAL), tp(a2, RV), pp(w, cfg, l, PK_W1), pp(v, cfg, l, PK_W1), pp(v, cfg, l, PK_B1), tp(bid(l, U_), RV), N, D, M);
      actR(act, tp(bid(l, U_), VAL), tp(bid(l, U_), RV), tp(bid(l, G_), RV), N * M);
      linR(tp(bid(l, G_), VAL), tp(bid(l, G_), RV), pp(w, cfg, l, PK_W2), pp(v, cfg, l, PK_W2), pp(v, cfg, l, PK_B2), tp(bid(l, Y_), RV), N, M, D);
      if (res) addForward(tp(m, RV), tp(bid(l, Y_), RV), tp(bid(l, S_), RV), N * D);
    }
    inId = bid(l, S_);
  }
  const af = fid(cfg, AF);
  if (ln) lnR(tp(inId, RV), tp(fid(cfg, XF), VAL), tp(fid(cfg, RF), VAL), pp(w, cfg, 0, PK_LNFG), pp(v, cfg, 0, PK_LNFG), pp(v, cfg, 0, PK_LNFB), tp(af, RV), tp(fid(cfg, XF), RV), tp(fid(cfg, RF), RV), N, D);
  linR(tp(af, VAL), tp(af, RV), pp(w, cfg, 0, PK_WH), pp(v, cfg, 0, PK_WH), pp(v, cfg, 0, PK_BH), tp(fid(cfg, LOGIT), RV), N, D, V);
}

/**
 * The backward sweep from the logits' adjoint (and R-adjoint when withR). Primal parameter adjoints go to g
 * (0: skip), R-adjoints of the parameters — the HVP — to o.
 */
function backward(cfg: usize, w: usize, v: usize, tok: usize, ws: usize, g: usize, o: usize, withR: bool, full: bool): void {
  const B = cf(cfg, 0), T = cf(cfg, 1), D = cf(cfg, 3), H = cf(cfg, 4), M = cf(cfg, 5), L = cf(cfg, 6), V = cf(cfg, 2);
  const f = cf(cfg, 7), act = cf(cfg, 8);
  const ln = (f & TF_LN) != 0, res = (f & TF_RES) != 0, attn = (f & TF_ATTN) != 0, mlp = (f & TF_MLP) != 0;
  const N = B * T;
  const scr = scratchPtr(cfg, ws);
  const lastIn = L > 0 ? bid(L - 1, S_) : 0;
  const af = fid(cfg, AF), lg = fid(cfg, LOGIT);
  linBackward(tp(af, VAL), tp(af, RV), pp(w, cfg, 0, PK_WH), pp(v, cfg, 0, PK_WH), tp(lg, ADJ), tp(lg, RADJ), tp(af, ADJ), tp(af, RADJ),
    pp(g, cfg, 0, PK_WH), pp(g, cfg, 0, PK_BH), pp(o, cfg, 0, PK_WH), pp(o, cfg, 0, PK_BH), N, D, V, withR, full);
  if (ln) lnBackward(tp(af, ADJ), tp(af, RADJ), tp(fid(cfg, XF), VAL), tp(fid(cfg, RF), VAL), tp(fid(cfg, XF), RV), tp(fid(cfg, RF), RV),
    pp(w, cfg, 0, PK_LNFG), pp(v, cfg, 0, PK_LNFG), tp(lastIn, ADJ), tp(lastIn, RADJ),
    pp(g, cfg, 0, PK_LNFG), pp(g, cfg, 0, PK_LNFB), pp(o, cfg, 0, PK_LNFG), pp(o, cfg, 0, PK_LNFB), N, D, withR, full);
  for (let l = L - 1; l >= 0; l--) {
    const inId = l > 0 ? bid(l - 1, S_) : 0;
    const m = bid(l, M_);
    if (mlp) {
      const s = bid(l, S_), y = bid(l, Y_), gg = bid(l, G_), u = bid(l, U_), a2 = bid(l, A2);
      if (res) {
        addBackward(tp(s, ADJ), tp(m, ADJ), tp(y, ADJ), N * D);
        if (withR) addBackward(tp(s, RADJ), tp(m, RADJ), tp(y, RADJ), N * D);
      }
      linBackward(tp(gg, VAL), tp(gg, RV), pp(w, cfg, l, PK_W2), pp(v, cfg, l, PK_W2), tp(y, ADJ), tp(y, RADJ), tp(gg, ADJ), tp(gg, RADJ),
        pp(g, cfg, l, PK_W2), pp(g, cfg, l, PK_B2), pp(o, cfg, l, PK_W2), pp(o, cfg, l, PK_B2), N, M, D, withR, full);
      actBackward(act, tp(u, VAL), tp(u, RV), tp(gg, ADJ), tp(gg, RADJ), tp(u, ADJ), tp(u, RADJ), N * M, withR, full);
      linBackward(tp(a2, VAL), tp(a2, RV), pp(w, cfg, l, PK_W1), pp(v, cfg, l, PK_W1), tp(u, ADJ), tp(u, RADJ), tp(a2, ADJ), tp(a2, RADJ),
        pp(g, cfg, l, PK_W1), pp(g, cfg, l, PK_B1), pp(o, cfg, l, PK_W1), pp(o, cfg, l, PK_B1), N, D, M, withR, full);
      if (ln) lnBackward(tp(a2, ADJ), tp(a2, RADJ), tp(bid(l, X2), VAL), tp(bid(l, R2), VAL), tp(bid(l, X2), RV), tp(bid(l, R2), RV),
        pp(w, cfg, l, PK_LN2G), pp(v, cfg, l, PK_LN2G), tp(m, ADJ), tp(m, RADJ),
        pp(g, cfg, l, PK_LN2G), pp(g, cfg, l, PK_LN2B), pp(o, cfg, l, PK_LN2G), pp(o, cfg, l, PK_LN2B), N, D, withR, full);
    }
    if (attn) {
      const z = bid(l, Z_), ob = bid(l, O_), a1 = bid(l, A1), q = bid(l, Q_), k = bid(l, K_), vv = bid(l, VV), at_ = bid(l, ATT);
      if (res) {
        addBackward(tp(m, ADJ), tp(inId, ADJ), tp(z, ADJ), N * D);
        if (withR) addBackward(tp(m, RADJ), tp(inId, RADJ), tp(z, RADJ), N * D);
      }
      linBackward(tp(ob, VAL), tp(ob, RV), pp(w, cfg, l, PK_WO), pp(v, cfg, l, PK_WO), tp(z, ADJ), tp(z, RADJ), tp(ob, ADJ), tp(ob, RADJ),
        pp(g, cfg, l, PK_WO), 0, pp(o, cfg, l, PK_WO), 0, N, D, D, withR, full);
      attnBackward(tp(q, VAL), tp(k, VAL), tp(vv, VAL), tp(q, RV), tp(k, RV), tp(vv, RV), tp(at_, VAL), tp(at_, RV), tp(ob, ADJ), tp(ob, RADJ),
        tp(q, ADJ), tp(k, ADJ), tp(vv, ADJ), tp(q, RADJ), tp(k, RADJ), tp(vv, RADJ), scr, B, T, D, H, withR, full);
      linBackward(tp(a1, VAL), tp(a1, RV), pp(w, cfg, l, PK_WQ), pp(v, cfg, l, PK_WQ), tp(q, ADJ), tp(q, RADJ), tp(a1, ADJ), tp(a1, RADJ),
        pp(g, cfg, l, PK_WQ), 0, pp(o, cfg, l, PK_WQ), 0, N, D, D, withR, full);
      linBackward(tp(a1, VAL), tp(a1, RV), pp(w, cfg, l, PK_WK), pp(v, cfg, l, PK_WK), tp(k, ADJ), tp(k, RADJ), tp(a1, ADJ), tp(a1, RADJ),
        pp(g, cfg, l, PK_WK), 0, pp(o, cfg, l, PK_WK), 0, N, D, D, withR, full);
      linBackward(tp(a1, VAL), tp(a1, RV), pp(w, cfg, l, PK_WV), pp(v, cfg, l, PK_WV), tp(vv, ADJ), tp(vv, RADJ), tp(a1, ADJ), tp(a1, RADJ),
        pp(g, cfg, l, PK_WV), 0, pp(o, cfg, l, PK_WV), 0, N, D, D, withR, full);
      if (ln) lnBackward(tp(a1, ADJ), tp(a1, RADJ), tp(bid(l, X1), VAL), tp(bid(l, R1), VAL), tp(bid(l, X1), RV), tp(bid(l, R1), RV),
        pp(w, cfg, l, PK_LN1G), pp(v, cfg, l, PK_LN1G), tp(inId, ADJ), tp(inId, RADJ),
        pp(g, cfg, l, PK_LN1G), pp(g, cfg, l, PK_LN1B), pp(o, cfg, l, PK_LN1G), pp(o, cfg, l, PK_LN1B), N, D, withR, full);
    }
  }
  if (g != 0) embedBackward(tok, tp(0, ADJ), pp(g, cfg, 0, PK_E), pp(g, cfg, 0, PK_P), N, T, D);
  if (withR) embedBackward(tok, tp(0, RADJ), pp(o, cfg, 0, PK_E), pp(o, cfg, 0, PK_P), N, T, D);
}

/** Zeroes every adjoint and R-adjoint, then seeds the logits' adjoint (and R-adjoint) from the loss. */
function seedAdjoints(cfg: usize, ws: usize, y: usize, withR: bool): void {
  const NT = tensorCount(cfg);
  const tableBytes = ((NT * 16 + 15) >> 4) << 4;
  memory.fill(ws + <usize>tableBytes + ((<usize>(2 * planTotal)) << 3), 0, (<usize>(2 * planTotal)) << 3);
  const lg = fid(cfg, LOGIT), p = tp(fid(cfg, PROB), VAL);
  const N = cf(cfg, 0) * cf(cfg, 1), V = cf(cfg, 2);
  ceAdjoint(y, p, tp(lg, ADJ), N, V);
  if (withR) ceR(y, p, tp(lg, RV), tp(lg, RADJ), N, V);
}

export function tfLoss(cfg: usize, w: usize, tok: usize, y: usize, ws: usize): f64 {
  plan(cfg, ws, true);
  return forward(cfg, w, tok, y, ws);
}

/** Loss and gradient (layout of tfParamOffset) into grad. */
export function tfGradient(cfg: usize, w: usize, tok: usize, y: usize, ws: usize, grad: usize): f64 {
  plan(cfg, ws, true);
  const loss = forward(cfg, w, tok, y, ws);
  seedAdjoints(cfg, ws, y, false);
  memory.fill(grad, 0, <usize>tfParamCount(cfg) << 3);
  backward(cfg, w, 0, tok, ws, grad, 0, false, true);
  return loss;
}

/** out ← H·v (gaussNewton = 0) or G·v (≠ 0). Returns the loss. */
export function tfHvp(cfg: usize, w: usize, tok: usize, y: usize, ws: usize, v: usize, out: usize, gaussNewton: i32): f64 {
  plan(cfg, ws, true);
  const loss = forward(cfg, w, tok, y, ws);
  rForward(cfg, w, v, tok);
  seedAdjoints(cfg, ws, y, true);
  memory.fill(out, 0, <usize>tfParamCount(cfg) << 3);
  backward(cfg, w, v, tok, ws, 0, out, true, gaussNewton == 0);
  return loss;
}

/** Softmax probabilities of the last forward pass ((B·T)×V), for teachers and tests. */
export function tfProbs(cfg: usize, ws: usize, out: usize): void {
  plan(cfg, ws, true);
  const n = cf(cfg, 0) * cf(cfg, 1) * cf(cfg, 2);
  memory.copy(out, tp(fid(cfg, PROB), VAL), <usize>n << 3);
}

/** One Adam step (β = 0.9, 0.999, ε = 1e-8, step t ≥ 1) on the flat parameter vector, inside the module. */
export function tfAdamStep(n: i32, lr: f64, p: usize, g: usize, m: usize, v: usize, t: i32): void {
  adamStep(n, n, lr, lr, p, g, m, v, 0.9, 0.999, 1e-8, t);
}
