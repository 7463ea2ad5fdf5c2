// Packing buffers, taken straight from the heap (not through mem.ts `alloc`, so they never show up in the
// live-block count that tests use to prove scopes free what they allocate). They are allocated at the first
// blocked GEMM, grow when a larger one needs more, and are never released: one pair per engine instance.
// Growing may grow linear memory, which detaches JS views of it; the engine builds views afresh after every call.

let bufA: usize = 0;
let capA: usize = 0;
let bufB: usize = 0;
let capB: usize = 0;

/** A buffer of at least `bytes` for the packed A block, 64-byte aligned (a cache line). */
export function workspaceA(bytes: usize): usize {
  if (bytes > capA) {
    if (bufA) heap.free(bufA);
    bufA = heap.alloc(bytes + 64);
    capA = bytes;
  }
  return (bufA + 63) & ~(<usize>63);
}

/** A buffer of at least `bytes` for the packed B block, 64-byte aligned. */
export function workspaceB(bytes: usize): usize {
  if (bytes > capB) {
    if (bufB) heap.free(bufB);
    bufB = heap.alloc(bytes + 64);
    capB = bytes;
  }
  return (bufB + 63) & ~(<usize>63);
}
