// The condlab engine's exports: plain numbers and pointers only, so no binding glue is needed on the JS side.
export { alloc, free, memLiveBytes, memLiveBlocks } from "./mem";
export { axpy, scal, dot, nrm2, maxAbs, rowNorms, colNorms, firstNonFinite, transpose, copy } from "./blas1";
export { gemm } from "./gemm/gemm";
export { threadPoolInit, threadPoolEnable, threadPoolShutdown, threadWorkerLoop, threadPoolTasks } from "./gemm/parallel";
export {
  RNG_STATE_BYTES, rngSeed, rngDerive, rngNextU32, rngNextUniform, rngNextNormal, rngFillNormal, rngFillUniform,
} from "./rng/xoshiro256ss";
export { rngZigTable } from "./rng/ziggurat";
export { svd, svdLastResidual, svdLastSweeps, svdLastOrthogonality, svdLastSolved, svdLastPath, SVD_VECTORS, SVD_NO_QR, SVD_ACCUMULATE, SVD_RIGHT_BASIS } from "./svd/svd";
export { rightBasis, rightBasisLastOrthogonality, rightBasisLastRatio } from "./svd/right_basis";
export { svdValues } from "./svd/values";
export { bidiagonalize } from "./svd/bidiag";
export { dqdsSingularValues, dqdsLastIterations } from "./svd/dqds";
export { chainParamCount, chainWorkspaceBytes, chainLoss, chainGradient, chainHvp } from "./models/dense_chain";
export * from "./train/index";
export { newtonSchulz, newtonSchulzWorkspaceBytes } from "./optim/newton_schulz";
export { mathExp, mathLog } from "./detmath";
export { clsHeaderSlots, clsShuffle, clsTrain, clsEvaluate, clsCopyEffective, clsBatchGradient } from "./train/classifier";
export * from "./linalg/index";
export { tfParamCount, tfParamOffset, tfWorkspaceBytes, tfLoss, tfGradient, tfHvp, tfProbs, tfAdamStep } from "./models/transformer";
