// PLACEHOLDER (to be replaced by the packed, register-tiled SIMD implementation).
// C ← α·op(A)·op(B) + β·C, row-major, op(A) is m×k, op(B) is k×n; lda/ldb/ldc are row strides in elements.
export function gemm(
  transA: i32, transB: i32, m: i32, n: i32, k: i32,
  alpha: f64, a: usize, lda: i32, b: usize, ldb: i32,
  beta: f64, c: usize, ldc: i32,
): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0.0;
      for (let p = 0; p < k; p++) {
        const av = transA ? load<f64>(a + ((<usize>p * <usize>lda + <usize>i) << 3)) : load<f64>(a + ((<usize>i * <usize>lda + <usize>p) << 3));
        const bv = transB ? load<f64>(b + ((<usize>j * <usize>ldb + <usize>p) << 3)) : load<f64>(b + ((<usize>p * <usize>ldb + <usize>j) << 3));
        s += av * bv;
      }
      const cp = c + ((<usize>i * <usize>ldc + <usize>j) << 3);
      store<f64>(cp, beta == 0.0 ? alpha * s : alpha * s + beta * load<f64>(cp));
    }
  }
}
