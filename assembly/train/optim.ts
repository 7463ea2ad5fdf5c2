// Optimiser steps on the flat parameter vector. Weight decay is coupled (wd·W added to the gradient, PROTOCOL.md).
// Elements [0, nMain) train at lr; the multiplier tail [nMain, n) at multLr.
// Adam (Kingma & Ba 2015, Alg. 1): m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², p ← p − lr·m̂/(√v̂ + ε),
// m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ).

import { at } from "./layout";

export function sgdStep(n: i32, nMain: i32, lr: f64, multLr: f64, p: usize, g: usize): void {
  axpyRun(nMain, -lr, g, p);
  axpyRun(n - nMain, -multLr, at(g, nMain), at(p, nMain));
}

/** y ← y + α·x, two lanes at a time; each element rounds as the scalar y + α·x does (no fused multiply-add). */
function axpyRun(n: i32, alpha: f64, x: usize, y: usize): void {
  const va = f64x2.splat(alpha);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const py = at(y, i), px = at(x, i);
    v128.store(py, f64x2.add(v128.load(py), f64x2.mul(va, v128.load(px))));
    v128.store(py, f64x2.add(v128.load(py, 16), f64x2.mul(va, v128.load(px, 16))), 16);
  }
  for (; i < n; i++) store<f64>(at(y, i), load<f64>(at(y, i)) + alpha * load<f64>(at(x, i)));
}

export function adamStep(
  n: i32, nMain: i32, lr: f64, multLr: f64, p: usize, g: usize, m: usize, v: usize,
  beta1: f64, beta2: f64, eps: f64, t: i32,
): void {
  const c1 = 1.0 - Math.pow(beta1, <f64>t), c2 = 1.0 - Math.pow(beta2, <f64>t);
  for (let i = 0; i < n; i++) {
    const gi = load<f64>(at(g, i));
    const mi = beta1 * load<f64>(at(m, i)) + (1.0 - beta1) * gi;
    const vi = beta2 * load<f64>(at(v, i)) + (1.0 - beta2) * gi * gi;
    store<f64>(at(m, i), mi);
    store<f64>(at(v, i), vi);
    const rate = i < nMain ? lr : multLr;
    store<f64>(at(p, i), load<f64>(at(p, i)) - rate * (mi / c1) / (Math.sqrt(vi / c2) + eps));
  }
}

/** g[0, n) += wd·p[0, n) */
export function addWeightDecay(n: i32, wd: f64, p: usize, g: usize): void {
  if (wd == 0.0) return;
  axpyRun(n, wd, p, g);
}

/** Muon's Nesterov momentum over n entries: buf ← β·buf + g, u ← g + β·buf (u may not alias g or buf). */
export function nesterov(n: i32, beta: f64, g: usize, buf: usize, u: usize): void {
  for (let i = 0; i < n; i++) {
    const gi = load<f64>(at(g, i));
    const b = beta * load<f64>(at(buf, i)) + gi;
    store<f64>(at(buf, i), b);
    store<f64>(at(u, i), gi + beta * b);
  }
}
