// How many GEMM threads each engine gets — shared by the CLI runner and the browser lab (browser-safe, no imports).

/** Units at least this large (max d) are worth threads inside one engine. */
export const THREADED_MIN_DIM = 1024;

/**
 * The runner's choice of threads per engine: many small units → one thread per engine and one engine per worker (no
 * synchronisation at all); a few large units (d ≥ 1024, fewer than two per core) → threads inside the unit, since
 * workers alone would leave cores idle once the last units run.
 */
export function threadsPerUnit(maxDim: number, units: number, cores: number): number {
  return maxDim >= THREADED_MIN_DIM && units < 2 * cores && cores > 1 ? cores : 1;
}
