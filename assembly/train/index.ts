// The training core's exports (see run.ts; the header layout is in layout.ts and mirrored in src/train/layout.ts).
export { trainRun, trainGradient, trainDrawBatch, trainBatchTargets, trainEffectiveWeights, trainHeaderSlots } from "./run";
export { spectralTransferWeights, spectralTransferApply, spectralTransferApplyRect, spectralTransferMeasure } from "./spectral_transfer";
export { tfStStep, tfStWorkDoubles } from "./transformer_st";
