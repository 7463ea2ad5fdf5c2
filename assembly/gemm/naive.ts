// The unblocked paths: C ← β·C when there is nothing to multiply, and a triple loop for products too small to
// repay packing. Both honour β = 0 as "overwrite": C may hold NaN garbage that must not leak into the result.

/** C[0:m, 0:n] ← β·C (β = 0 stores zeros without reading C). */
export function scaleC(m: i32, n: i32, beta: f64, c: usize, ldc: i32): void {
  if (beta == 1.0) return;
  for (let i = 0; i < m; i++) {
    const row = c + (<usize>i * <usize>ldc << 3);
    if (beta == 0.0) {
      memory.fill(row, 0, <usize>n << 3);
    } else {
      for (let j = 0; j < n; j++) {
        const p = row + (<usize>j << 3);
        store<f64>(p, beta * load<f64>(p));
      }
    }
  }
}

/**
 * C ← α·op(A)·op(B) + β·C by dot products, for tiny shapes. op(A)[i][p] is at a + 8·(i·rsA + p·csA) and
 * op(B)[p][j] at b + 8·(p·rsB + j·csB), so the same loop serves all four transpose combinations.
 */
export function gemmNaive(
  m: i32, n: i32, k: i32, alpha: f64,
  a: usize, rsA: usize, csA: usize, b: usize, rsB: usize, csB: usize,
  beta: f64, c: usize, ldc: i32,
): void {
  const csAB = csA << 3, rsBB = rsB << 3;
  for (let i = 0; i < m; i++) {
    const ai = a + (<usize>i * rsA << 3);
    const ci = c + (<usize>i * <usize>ldc << 3);
    for (let j = 0; j < n; j++) {
      let pa = ai, pb = b + (<usize>j * csB << 3);
      let s = 0.0;
      for (let p = 0; p < k; p++) {
        s += load<f64>(pa) * load<f64>(pb);
        pa += csAB;
        pb += rsBB;
      }
      const cp = ci + (<usize>j << 3);
      store<f64>(cp, beta == 0.0 ? alpha * s : beta * load<f64>(cp) + alpha * s);
    }
  }
}
