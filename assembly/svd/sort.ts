// Index sort by f64 key, descending, by heapsort: O(n log n), no allocation, no closures (which AssemblyScript lacks).

// @ts-ignore: decorator
@inline function key(keys: usize, idx: usize, i: i32): f64 {
  return load<f64>(keys + (<usize>load<i32>(idx + (<usize>i << 2)) << 3));
}

// @ts-ignore: decorator
@inline function swapIdx(idx: usize, i: i32, j: i32): void {
  const a = idx + (<usize>i << 2), b = idx + (<usize>j << 2);
  const t = load<i32>(a);
  store<i32>(a, load<i32>(b));
  store<i32>(b, t);
}

function siftDown(keys: usize, idx: usize, start: i32, end: i32): void {
  // min-heap on key, so that the final array is in descending order
  let root = start;
  while (2 * root + 1 <= end) {
    let child = 2 * root + 1;
    if (child + 1 <= end && key(keys, idx, child + 1) < key(keys, idx, child)) child++;
    if (key(keys, idx, child) < key(keys, idx, root)) {
      swapIdx(idx, root, child);
      root = child;
    } else return;
  }
}

/** Fills idx[0..n) with 0..n−1 ordered so that keys[idx[0]] ≥ keys[idx[1]] ≥ … */
export function argsortDesc(keys: usize, idx: usize, n: i32): void {
  for (let i = 0; i < n; i++) store<i32>(idx + (<usize>i << 2), i);
  for (let start = (n - 2) >> 1; start >= 0; start--) siftDown(keys, idx, start, n - 1);
  for (let end = n - 1; end > 0; end--) {
    swapIdx(idx, 0, end);
    siftDown(keys, idx, 0, end - 1);
  }
}
