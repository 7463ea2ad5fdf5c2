// Raw f64 buffers in linear memory, owned by JS handles.
// The engine counts what it hands out so tests can prove that scopes free everything they allocate.

let liveBytes: usize = 0;
let liveBlocks: i32 = 0;

/** Allocates `bytes` (16-byte aligned, zero-filled). Traps only when wasm32 memory cannot grow; JS turns that into an error. */
export function alloc(bytes: usize): usize {
  const p = heap.alloc(bytes);
  memory.fill(p, 0, bytes);
  liveBytes += bytes;
  liveBlocks++;
  return p;
}

export function free(ptr: usize, bytes: usize): void {
  heap.free(ptr);
  liveBytes -= bytes;
  liveBlocks--;
}

export function memLiveBytes(): f64 {
  return <f64>liveBytes;
}

export function memLiveBlocks(): i32 {
  return liveBlocks;
}

/** Scratch space for kernels: freed by the same kernel before it returns, never seen by JS. */
// @ts-ignore: decorator
@inline export function scratch(count: i32): usize {
  return heap.alloc(<usize>count << 3);
}

// @ts-ignore: decorator
@inline export function releaseScratch(ptr: usize): void {
  heap.free(ptr);
}
