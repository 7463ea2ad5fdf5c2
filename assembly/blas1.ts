// Level-1 kernels over contiguous f64 runs, vectorised with f64x2.
// Norms are computed in two passes (max |x|, then Σ(x/max)²) so entries near 1e±300 neither overflow nor underflow.

// @ts-ignore: decorator
@inline function at(p: usize, i: i32): usize {
  return p + (<usize>i << 3);
}

/** y ← αx + y */
export function axpy(n: i32, alpha: f64, x: usize, y: usize): void {
  const va = f64x2.splat(alpha);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    v128.store(at(y, i), f64x2.add(v128.load(at(y, i)), f64x2.mul(va, v128.load(at(x, i)))));
  }
  if (i < n) store<f64>(at(y, i), load<f64>(at(y, i)) + alpha * load<f64>(at(x, i)));
}

/** out ← x − y (out may alias x or y) */
export function sub(n: i32, x: usize, y: usize, out: usize): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = at(out, i), a = at(x, i), b = at(y, i);
    v128.store(o, f64x2.sub(v128.load(a), v128.load(b)));
    v128.store(o, f64x2.sub(v128.load(a, 16), v128.load(b, 16)), 16);
  }
  for (; i < n; i++) store<f64>(at(out, i), load<f64>(at(x, i)) - load<f64>(at(y, i)));
}

/** x ← αx */
export function scal(n: i32, alpha: f64, x: usize): void {
  const va = f64x2.splat(alpha);
  let i = 0;
  for (; i + 2 <= n; i += 2) v128.store(at(x, i), f64x2.mul(va, v128.load(at(x, i))));
  if (i < n) store<f64>(at(x, i), alpha * load<f64>(at(x, i)));
}

/** xᵀy */
export function dot(n: i32, x: usize, y: usize): f64 {
  let acc0 = f64x2.splat(0), acc1 = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    acc0 = f64x2.add(acc0, f64x2.mul(v128.load(at(x, i)), v128.load(at(y, i))));
    acc1 = f64x2.add(acc1, f64x2.mul(v128.load(at(x, i + 2)), v128.load(at(y, i + 2))));
  }
  for (; i + 2 <= n; i += 2) acc0 = f64x2.add(acc0, f64x2.mul(v128.load(at(x, i)), v128.load(at(y, i))));
  acc0 = f64x2.add(acc0, acc1);
  let s = f64x2.extract_lane(acc0, 0) + f64x2.extract_lane(acc0, 1);
  if (i < n) s += load<f64>(at(x, i)) * load<f64>(at(y, i));
  return s;
}

/**
 * xᵀy with four independent f64x2 accumulators: dot's two chains are bound by the latency of the add, so for long
 * runs from cache this is ~1.5–2× faster. Rounds differently from dot (another summation order), so it is used
 * only by kernels written against it (the right-basis SVD path, the tridiagonalisation), never swapped in for dot.
 */
export function dotWide(n: i32, x: usize, y: usize): f64 {
  let a0 = f64x2.splat(0), a1 = f64x2.splat(0), a2 = f64x2.splat(0), a3 = f64x2.splat(0);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    a0 = f64x2.add(a0, f64x2.mul(v128.load(at(x, i)), v128.load(at(y, i))));
    a1 = f64x2.add(a1, f64x2.mul(v128.load(at(x, i + 2)), v128.load(at(y, i + 2))));
    a2 = f64x2.add(a2, f64x2.mul(v128.load(at(x, i + 4)), v128.load(at(y, i + 4))));
    a3 = f64x2.add(a3, f64x2.mul(v128.load(at(x, i + 6)), v128.load(at(y, i + 6))));
  }
  for (; i + 2 <= n; i += 2) a0 = f64x2.add(a0, f64x2.mul(v128.load(at(x, i)), v128.load(at(y, i))));
  a0 = f64x2.add(f64x2.add(a0, a1), f64x2.add(a2, a3));
  let s = f64x2.extract_lane(a0, 0) + f64x2.extract_lane(a0, 1);
  if (i < n) s += load<f64>(at(x, i)) * load<f64>(at(y, i));
  return s;
}

/** max |x_i| over a strided run (stride in elements). */
// @ts-ignore: decorator
@inline function maxAbsStrided(n: i32, x: usize, stride: i32): f64 {
  let m = 0.0;
  for (let i = 0; i < n; i++) m = max(m, abs(load<f64>(x + (<usize>i * <usize>stride << 3))));
  return m;
}

/** max |x_i| over a contiguous run. */
export function maxAbs(n: i32, x: usize): f64 {
  let vm = f64x2.splat(0);
  let i = 0;
  for (; i + 2 <= n; i += 2) vm = f64x2.max(vm, f64x2.abs(v128.load(at(x, i))));
  let m = max(f64x2.extract_lane(vm, 0), f64x2.extract_lane(vm, 1));
  if (i < n) m = max(m, abs(load<f64>(at(x, i))));
  return m;
}

const TWO_600: f64 = 4.149515568880993e180; // 2^600

function nrm2Tiny(n: i32, x: usize, m: f64): f64 {
  const inv = 1.0 / (m * TWO_600);
  let s = 0.0;
  for (let i = 0; i < n; i++) {
    const t = load<f64>(at(x, i)) * TWO_600 * inv;
    s += t * t;
  }
  return m * Math.sqrt(s);
}

/** ‖x‖₂ without overflow or underflow. */
export function nrm2(n: i32, x: usize): f64 {
  const m = maxAbs(n, x);
  if (m == 0.0 || !isFinite(m)) return m;
  // 1/m overflows for subnormal m: lift such runs by an exact power of two first
  if (m < 1e-290) return nrm2Tiny(n, x, m);
  const inv = f64x2.splat(1.0 / m);
  let acc0 = f64x2.splat(0), acc1 = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const a = f64x2.mul(v128.load(at(x, i)), inv);
    const b = f64x2.mul(v128.load(at(x, i + 2)), inv);
    acc0 = f64x2.add(acc0, f64x2.mul(a, a));
    acc1 = f64x2.add(acc1, f64x2.mul(b, b));
  }
  for (; i + 2 <= n; i += 2) {
    const a = f64x2.mul(v128.load(at(x, i)), inv);
    acc0 = f64x2.add(acc0, f64x2.mul(a, a));
  }
  acc0 = f64x2.add(acc0, acc1);
  let s = f64x2.extract_lane(acc0, 0) + f64x2.extract_lane(acc0, 1);
  if (i < n) {
    const t = load<f64>(at(x, i)) / m;
    s += t * t;
  }
  return m * Math.sqrt(s);
}

/** out[i] = ‖row i of the m×n row-major A‖₂ */
export function rowNorms(a: usize, m: i32, n: i32, out: usize): void {
  for (let i = 0; i < m; i++) store<f64>(at(out, i), nrm2(n, a + (<usize>i * <usize>n << 3)));
}

/** out[j] = ‖column j of the m×n row-major A‖₂, swept row by row so every load is contiguous. */
export function colNorms(a: usize, m: i32, n: i32, out: usize): void {
  // pass 1: per-column max |a_ij| into out
  memory.fill(out, 0, <usize>n << 3);
  for (let i = 0; i < m; i++) {
    const row = a + (<usize>i * <usize>n << 3);
    let j = 0;
    for (; j + 2 <= n; j += 2) v128.store(at(out, j), f64x2.max(v128.load(at(out, j)), f64x2.abs(v128.load(at(row, j)))));
    if (j < n) store<f64>(at(out, j), max(load<f64>(at(out, j)), abs(load<f64>(at(row, j)))));
  }
  // pass 2: Σ (a_ij / max_j)², using a scratch row of reciprocals
  const inv = heap.alloc(<usize>n << 3);
  const acc = heap.alloc(<usize>n << 3);
  memory.fill(acc, 0, <usize>n << 3);
  for (let j = 0; j < n; j++) {
    const mj = load<f64>(at(out, j));
    // 1/mj overflows for a subnormal-range column; those few take the lifted scalar path below
    store<f64>(at(inv, j), mj >= 1e-290 && isFinite(mj) ? 1.0 / mj : 0.0);
  }
  for (let i = 0; i < m; i++) {
    const row = a + (<usize>i * <usize>n << 3);
    let j = 0;
    for (; j + 2 <= n; j += 2) {
      const t = f64x2.mul(v128.load(at(row, j)), v128.load(at(inv, j)));
      v128.store(at(acc, j), f64x2.add(v128.load(at(acc, j)), f64x2.mul(t, t)));
    }
    if (j < n) {
      const t = load<f64>(at(row, j)) * load<f64>(at(inv, j));
      store<f64>(at(acc, j), load<f64>(at(acc, j)) + t * t);
    }
  }
  for (let j = 0; j < n; j++) {
    const mj = load<f64>(at(out, j));
    if (mj >= 1e-290 && isFinite(mj)) store<f64>(at(out, j), mj * Math.sqrt(load<f64>(at(acc, j))));
    else if (mj > 0.0) {
      const lift = 1.0 / (mj * TWO_600);
      let sum = 0.0;
      for (let i = 0; i < m; i++) {
        const t = load<f64>(a + ((<usize>i * <usize>n + <usize>j) << 3)) * TWO_600 * lift;
        sum += t * t;
      }
      store<f64>(at(out, j), mj * Math.sqrt(sum));
    }
  }
  heap.free(acc);
  heap.free(inv);
}

/** Index of the first NaN or ±Inf in x, or −1. One vector pass; the scalar scan runs only when one exists. */
export function firstNonFinite(n: i32, x: usize): i32 {
  // x − x is 0 for finite x and NaN otherwise, and NaN survives addition.
  let acc = f64x2.splat(0);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const v = v128.load(at(x, i));
    acc = f64x2.add(acc, f64x2.sub(v, v));
  }
  let s = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  if (i < n) {
    const t = load<f64>(at(x, i));
    s += t - t;
  }
  if (s == 0.0) return -1;
  for (let j = 0; j < n; j++) if (!isFinite(load<f64>(at(x, j)))) return j;
  return -1;
}

/** out (n×m) = Aᵀ for row-major A (m×n), in 32×32 tiles so both sides stay in cache. */
export function transpose(a: usize, m: i32, n: i32, out: usize): void {
  const T = 32;
  for (let i0 = 0; i0 < m; i0 += T) {
    const i1 = min(i0 + T, m);
    for (let j0 = 0; j0 < n; j0 += T) {
      const j1 = min(j0 + T, n);
      for (let i = i0; i < i1; i++) {
        for (let j = j0; j < j1; j++) {
          store<f64>(out + ((<usize>j * <usize>m + <usize>i) << 3), load<f64>(a + ((<usize>i * <usize>n + <usize>j) << 3)));
        }
      }
    }
  }
}

/** y ← x (n elements) */
export function copy(n: i32, x: usize, y: usize): void {
  memory.copy(y, x, <usize>n << 3);
}
