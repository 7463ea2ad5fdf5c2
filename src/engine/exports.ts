/** The raw exports of build/condlab.wasm (assembly/index.ts). Pointers are byte offsets into `memory`. */
export interface CondlabExports {
  readonly memory: WebAssembly.Memory;
  alloc(bytes: number): number;
  free(ptr: number, bytes: number): void;
  memLiveBytes(): number;
  memLiveBlocks(): number;

  axpy(n: number, alpha: number, x: number, y: number): void;
  scal(n: number, alpha: number, x: number): void;
  dot(n: number, x: number, y: number): number;
  nrm2(n: number, x: number): number;
  maxAbs(n: number, x: number): number;
  rowNorms(a: number, m: number, n: number, out: number): void;
  colNorms(a: number, m: number, n: number, out: number): void;
  firstNonFinite(n: number, x: number): number;
  transpose(a: number, m: number, n: number, out: number): void;
  copy(n: number, x: number, y: number): void;

  gemm(
    transA: number, transB: number, m: number, n: number, k: number,
    alpha: number, a: number, lda: number, b: number, ldb: number,
    beta: number, c: number, ldc: number,
  ): void;

  svd(m: number, n: number, a: number, s: number, u: number, v: number, wantVectors: number, tol: number, maxSweeps: number): number;
  svdLastResidual(): number;
  svdLastSweeps(): number;
  /** 0 = QRCP-preconditioned path, 1 = right-basis path (flags bit 3), −k = right basis rejected for reason k. */
  svdLastPath(): number;
  /** max|V₀ᵀV₀ − I| before Newton–Schulz, and √(λ_min/λ_max) of TᵀT, from the last right-basis attempt. */
  rightBasisLastOrthogonality(): number;
  rightBasisLastRatio(): number;
  svdValues(m: number, n: number, a: number, s: number): number;
  bidiagonalize(m: number, n: number, a: number, d: number, e: number): void;
  dqdsSingularValues(n: number, d: number, e: number, out: number): number;
  dqdsLastIterations(): number;

  chainParamCount(layers: number, dims: number): number;
  chainWorkspaceBytes(layers: number, dims: number, batch: number): number;
  chainLoss(layers: number, dims: number, act: number, loss: number, w: number, x: number, y: number, batch: number, ws: number): number;
  chainGradient(layers: number, dims: number, act: number, loss: number, w: number, x: number, y: number, batch: number, ws: number, grad: number): number;
  chainHvp(layers: number, dims: number, act: number, loss: number, w: number, x: number, y: number, batch: number, ws: number, v: number, out: number, gaussNewton: number): number;

  eighJacobi(n: number, a: number, w: number, v: number, wantVectors: number, tol: number, maxSweeps: number): number;
  eighLastResidual(): number;
  symmetryGap(n: number, a: number): number;
  cholesky(n: number, a: number, l: number): number;
  choleskyLastPivot(): number;
  qrPivoted(m: number, n: number, a: number, q: number, r: number, perm: number): void;
  /** Householder tridiagonalisation G = Q·T·Qᵀ (assembly/linalg/tridiag.ts); a is overwritten with the reflectors. */
  tridiagonalize(n: number, a: number, d: number, e: number, tau: number, work: number): number;
  tridiagFormQ(n: number, a: number, tau: number, q: number, work: number): void;
  lstsqQr(m: number, n: number, k: number, a: number, b: number, x: number, rcond: number, resid: number): number;

  newtonSchulz(m: number, n: number, g: number, out: number, steps: number, ws: number): number;
  newtonSchulzWorkspaceBytes(m: number, n: number): number;

  mathExp(x: number): number;
  mathLog(x: number): number;

  readonly RNG_STATE_BYTES: WebAssembly.Global;
  rngSeed(state: number, keyLo: number, keyHi: number): void;
  rngDerive(keyLo: number, keyHi: number, index: number, out: number): void;
  rngNextU32(state: number): number;
  rngNextUniform(state: number): number;
  rngNextNormal(state: number): number;
  rngFillNormal(state: number, out: number, n: number, mean: number, std: number): void;
  rngFillUniform(state: number, out: number, n: number, lo: number, hi: number): void;
  /** Ziggurat tables for tests: which 0 = k, 1 = w, 2 = f (index i < 256), 3 = the layer area. */
  rngZigTable(which: number, i: number): number;

  /** The shared-memory build's pool (assembly/gemm/parallel.ts); no-ops in the other builds. */
  threadPoolInit(threads: number): number;
  threadPoolEnable(threads: number): void;
  threadPoolShutdown(): void;
  threadWorkerLoop(ctl: number, tid: number): void;
  threadPoolTasks(): number;
}
